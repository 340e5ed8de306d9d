/**
 * What the stack program asks AWS in one run (`benchLookups()`, called by `npm run bench`; also runnable alone:
 * `node --import tsx scripts/bench-lookups.ts`): the invokes by token, the distinct questions among them, and the
 * lookups made outside Pulumi (DNS, AWS SDK reads), for 1, 10 and 100 endpoints of `bench-worker.ts lookups` (the
 * evaluation's stack, each RDS endpoint with an integration through the instance's admin secret), each in a fresh
 * process under the mock runtime. Counts only: they do not vary between runs.
 */
import * as path from "node:path";
import { runWorker } from "./bench-support";

interface LookupSample {
    invokes: Record<string, number>;
    questions: number;
    outside: Record<string, number>;
}

function measure(endpoints: number): LookupSample {
    return runWorker<LookupSample>(`bench-worker lookups ${endpoints}`, path.join(__dirname, "bench-worker.ts"), ["lookups", String(endpoints)]);
}

/** What each token asks, for the table's first column. */
const ABOUT: Record<string, string> = {
    "aws:ec2/getSubnet:getSubnet": "a subnet's zone (the public subnets, the RDS subnet group's)",
    "aws:ec2/getVpc:getVpc": "the VPC's CIDR blocks (self-managed addresses' zones)",
    "aws:ec2/getNetworkInterface:getNetworkInterface": "a load balancer's interface in a subnet (its flow log)",
    "aws:rds/getInstance:getInstance": "the RDS instance",
    "aws:rds/getSubnetGroup:getSubnetGroup": "the instance's subnet group",
    "aws:secretsmanager/getSecretVersion:getSecretVersion": "the admin secret",
    "aws:index/getCallerIdentity:getCallerIdentity": "the account",
    "aws:index/getPartition:getPartition": "the partition",
    "aws:index/getRegion:getRegion": "the region",
};

export function benchLookups(sizes = [1, 10, 100]): string {
    const samples = sizes.map(measure);
    const tokens = [...new Set(samples.flatMap((s) => Object.keys(s.invokes)))].sort();
    const outside = [...new Set(samples.flatMap((s) => Object.entries(s.outside).filter(([, n]) => n > 0).map(([k]) => k)))].sort();
    const cells = (count: (s: LookupSample) => number) => samples.map((s) => ` ${count(s)} |`).join("");
    const total = (s: LookupSample) => Object.values(s.invokes).reduce((a, b) => a + b, 0);
    return [
        "Per program run, in a fresh process under the mock runtime, for the evaluation's stack with an integration per RDS " +
            "endpoint through the instance's admin secret: half the endpoints on one RDS instance (Multi-AZ, its subnet group " +
            "in two subnets), half self-managed, all on the same two public subnets, with one secret. A CLI `pulumi up` runs the " +
            "program twice (the preview, then the update), so it asks each of these twice; `pulumi preview` once.",
        "",
        `| lookup | asks for | ${sizes.map((n) => `${n} endpoint${n === 1 ? "" : "s"}`).join(" | ")} |`,
        `|---|---|${sizes.map(() => "---:").join("|")}|`,
        ...tokens.map((t) => `| \`${t}\` | ${ABOUT[t] ?? ""} |${cells((s) => s.invokes[t] ?? 0)}`),
        `| invokes in all | |${cells(total)}`,
        `| distinct questions (token, provider, arguments) | |${cells((s) => s.questions)}`,
        ...outside.map((k) => `| ${k} (outside Pulumi) | |${cells((s) => s.outside[k] ?? 0)}`),
    ].join("\n");
}

if (require.main === module) {
    process.stdout.write(benchLookups((process.env.BENCH_SIZES ?? "1,10,100").split(",").map(Number)) + "\n");
}
