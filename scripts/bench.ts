/**
 * `npm run bench`: program evaluation time under Pulumi's mock runtime for 1, 10 and 100 endpoints,
 * as ms per endpoint and resources per endpoint, beside a bare program that registers the same number
 * of resources with no components (the overhead ratio); resources and monthly cost per endpoint for 1, 10
 * and 50 endpoints on their own load balancers against one shared load balancer; what the monitoring costs;
 * the target-sync function's bundle (built, then read from its cache) and one reconcile run. Each measurement runs
 * in a fresh process; the median of several runs is reported. Figures only: nothing here asserts a time. Then two
 * models, not measurements: a first deployment's time and a failover's recovery (scripts/bench-deploy.ts,
 * scripts/bench-failover.ts).
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { formatMonthly } from "../infra/cost/estimate";
import { ASSUMPTIONS, PRICES } from "../infra/cost/prices";
import { benchBundle } from "./bench-bundle";
import { benchDeploy } from "./bench-deploy";
import { benchFailover } from "./bench-failover";
import { benchMonitoring } from "./bench-monitoring";
import { benchTargetSync } from "./bench-targetSync";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Sample {
    ms: number;
    resources: number;
    awsResources: number;
    loadBalancers: number;
    securityGroups: number;
    publicIpv4Addresses: number;
    monthlyCost: number;
}

function measure(mode: "program" | "bare" | "sharing", count: number, ...rest: string[]): Sample {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "bench-worker.ts"), mode, String(count), ...rest], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 600_000,
    });
    if (result.status !== 0) throw new Error(`bench-worker ${mode} ${count} failed:\n${result.stderr}`);
    const line = result.stdout.trim().split("\n").pop()!;
    return JSON.parse(line) as Sample;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function benchProgram(sizes = [1, 10, 100], runs = RUNS): string {
    const rows: string[] = [
        "| endpoints | resources | resources/endpoint | program ms (median) | ms/endpoint | bare program ms, same resource count | overhead ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ];
    for (const n of sizes) {
        const program = Array.from({ length: runs }, () => measure("program", n));
        const resources = program[0].resources;
        const bare = Array.from({ length: runs }, () => measure("bare", resources));
        const programMs = median(program.map((s) => s.ms));
        const bareMs = median(bare.map((s) => s.ms));
        rows.push(
            `| ${n} | ${resources} | ${(resources / n).toFixed(1)} | ${programMs.toFixed(1)} | ${(programMs / n).toFixed(2)} | ${bareMs.toFixed(1)} | ${(programMs / bareMs).toFixed(2)} |`,
        );
    }
    return rows.join("\n");
}

/**
 * Resources and monthly cost per endpoint, each endpoint on its own load balancer against all on one shared
 * load balancer: the resources the program registers (one run each, in a fresh process: the count does not
 * vary), and their cost as the offline plan estimates it (infra/cost/, at its unit prices and assumptions).
 */
export function benchSharing(sizes = [1, 10, 50]): string {
    const rows: string[] = [
        "| endpoints | load balancers | AWS resources | AWS resources/endpoint | security groups | public IPv4 addresses | monthly cost | monthly cost/endpoint |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ];
    for (const n of sizes) {
        for (const layout of ["dedicated", "shared"] as const) {
            const sample = measure("sharing", n, layout);
            rows.push(
                `| ${n} | ${layout === "dedicated" ? `${sample.loadBalancers} (one each)` : `${sample.loadBalancers} (shared)`} | ${sample.awsResources} | ` +
                    `${(sample.awsResources / n).toFixed(1)} | ${sample.securityGroups} | ${sample.publicIpv4Addresses} | ${formatMonthly(sample.monthlyCost)} | ${formatMonthly(sample.monthlyCost / n)} |`,
            );
        }
    }
    return rows.join("\n");
}

async function main(): Promise<void> {
    const sizes = (process.env.BENCH_SIZES ?? "1,10,100").split(",").map(Number);
    process.stdout.write(
        `db-endpoints benchmark: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, median of ${RUNS} runs, each in a fresh process\n\n`,
    );
    process.stdout.write("## Program evaluation under the mock runtime\n\n");
    process.stdout.write(benchProgram(sizes) + "\n");
    process.stdout.write("\n## Target-sync function bundle: its cost in one program run (a fresh process each)\n\n");
    process.stdout.write(benchBundle() + "\n");
    process.stdout.write("\n## Resources and monthly cost per endpoint: own load balancers against one shared\n\n");
    process.stdout.write(
        `Costs from infra/cost/estimate.ts as the offline plan estimates them (${PRICES.region} prices of ${PRICES.checkedOn}; every resource the ` +
            `stack creates: NLB hours, one public IPv4 address per zone, ${ASSUMPTIONS.nlcuPerEndpoint} NLCU per endpoint, secrets, the alarms and ` +
            `the custom metrics they watch, the upkeep function's scheduled runs and logs, the connection audit's flow logs; no data transfer).\n\n`,
    );
    process.stdout.write(benchSharing((process.env.BENCH_SHARING_SIZES ?? "1,10,50").split(",").map(Number)) + "\n");
    process.stdout.write("\n## Monitoring cost: alarms, metrics and the upkeep function\n\n");
    process.stdout.write(benchMonitoring() + "\n");
    process.stdout.write("\n## Target-sync function: one reconcile run (mocked ELB API)\n\n");
    process.stdout.write((await benchTargetSync(sizes)) + "\n");
    process.stdout.write(`\n## Deploy time, modelled\n\n${benchDeploy()}\n\n## Failover recovery, modelled\n\n${benchFailover()}\n`);
}

if (require.main === module) {
    main().catch((e) => {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exit(1);
    });
}
