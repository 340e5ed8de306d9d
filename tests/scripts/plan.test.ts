/**
 * `npm run plan`: the offline plan, end to end in a child process, for good and bad config. The example stack is
 * planned with `npm run plan`'s own command line (package.json); the other cases run the same script with the
 * test runtime's TypeScript loader (testing/testRuntime.cjs), which costs a child process half the CPU. The runs
 * are independent child processes: all start before the first test, which then await their own.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "../..");

/** `npm run plan`'s command line, from package.json, with this Node.js: how a user runs the plan. */
function npmRunPlan(): string[] {
    const [node, ...args] = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.plan as string).split(" ");
    assert.equal(node, "node");
    return [process.execPath, ...args];
}

interface PlanRun {
    status: number | null;
    stdout: string;
    stderr: string;
}

function runPlan(args: string[], command: string[] = [process.execPath, "--require", "./testing/testRuntime.cjs", "scripts/plan.ts"]): Promise<PlanRun> {
    const [node, ...nodeArgs] = command;
    return new Promise((resolve, reject) => {
        const child = spawn(node, [...nodeArgs, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.once("error", reject);
        child.once("close", (status) => resolve({ status, stdout, stderr }));
    });
}

const tempDirs: string[] = [];
after(() => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempStack(name: string, yaml: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-plan-"));
    tempDirs.push(dir);
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), yaml);
    return dir;
}

/** The stacks the cases plan, besides the example stack. */
const STACKS = {
    prod: [
        "config:",
        "  db-endpoints:vpcId: vpc-0a1b2c3d4e5f60718",
        "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44]",
        "  db-endpoints:endpoints:",
        "    - name: open",
        "      database: { addresses: [10.0.9.9], port: 5432 }",
        "      allowPublicInternet: true",
        "",
    ],
    fixed: [
        "config:",
        "  db-endpoints:vpcId: vpc-0a1b2c3d4e5f60718",
        "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44, subnet-0ee55ff66aa77bb88]",
        "  db-endpoints:endpoints:",
        "    - name: fixed",
        "      database: { addresses: [10.0.9.9], port: 5432 }",
        "      allowedCidrs: [203.0.113.0/24]",
        "      elasticIps: true",
        "",
    ],
    broken: [
        "config:",
        "  db-endpoints:vpcId: vpc-1",
        "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44]",
        "  db-endpoints:endpoints:",
        "    - name: a",
        "      database: { rdsInstanceIdentifier: prod }",
        "      allowedCidrs: [10.0.0.0/33]",
        "      idleTimeoutSeconds: 9000",
        "",
    ],
};

let runs: Record<"example" | "prod" | "fixed" | "broken" | "badArgument" | "missingStack", Promise<PlanRun>>;

before(() => {
    const stack = (name: keyof typeof STACKS) => ["--stack", name, "--config-dir", tempStack(name, STACKS[name].join("\n"))];
    runs = {
        example: runPlan([], npmRunPlan()),
        prod: runPlan(stack("prod")),
        fixed: runPlan(stack("fixed")),
        broken: runPlan(stack("broken")),
        badArgument: runPlan(["--stak", "x"]),
        missingStack: runPlan(["--stack", "nosuch", "--config-dir", os.tmpdir()]),
    };
});

describe("npm run plan", () => {
    it("plans the example stack: every resource per endpoint, with placeholders said plainly", async () => {
        const { status, stdout } = await runs.example;
        assert.equal(status, 0);
        assert.match(stdout, /^db-endpoints: offline plan for stack "dev"/);
        assert.match(stdout, /values shown as \(computed\) and IDs shown as "\(id of \.\.\.\)" are placeholders/);
        const reporting = stdout.slice(stdout.indexOf("DatabaseEndpoint reporting"), stdout.indexOf("DatabaseEndpoint legacy-mysql"));
        for (const name of ["reporting-sg-1", "reporting-tg", "reporting-nlb", "reporting-listener", "reporting-to-database", "reporting-database-from-nlb"]) {
            assert.match(reporting, new RegExp(`\\+ \\S+\\s+${name}\\b`));
        }
        assert.match(reporting, /allow in tcp\/\(computed\) from 2001:db8:1234::\/48 into \(id of reporting-sg-1\)/);
        assert.match(reporting, /TCP:\(computed\) idleTimeout=3600s -> forward/);
        assert.match(reporting, /internet-facing network ip=dualstack/);
        assert.match(reporting, /\+ aws:lb\/targetGroup:TargetGroup\s+reporting-tg \[replaced with the load balancer\]\n/);
        assert.match(
            reporting,
            new RegExp(
                "deletionProtection=true\n" +
                    "      replaced, not updated, when elasticIps is switched or a subnet is removed or swapped: new DNS name, a short outage;\n" +
                    "      deletionProtection off first \\(docs/updates\\.md\\)\\. The new one \\(new target group and listener\\) serves before the old one is deleted\\.\n",
            ),
        );
        const mysql = stdout.slice(stdout.indexOf("DatabaseEndpoint legacy-mysql"));
        assert.match(mysql, /TCP:3306 idleTimeout=6000s -> forward/);
        assert.match(mysql, /A legacy\.db\.example\.com in Z0123456789ABCDEFGHIJ -> alias \(computed\)/);
        assert.match(mysql, /target 10\.0\.3\.17:3306/);
        assert.match(stdout, /legacy-mysql: database\.securityGroupId is not set/);
    });

    it("plans another stack with --stack", async () => {
        const { status, stdout } = await runs.prod;
        assert.equal(status, 0);
        assert.match(stdout, /offline plan for stack "prod"/);
        assert.match(stdout, /allow in tcp\/5432 from 0\.0\.0\.0\/0/);
        assert.match(stdout, /allow in tcp\/5432 from ::\/0/);
        assert.match(stdout, /admits every IPv4 and IPv6 address/);
    });

    it("says that an endpoint with Elastic IPs replaces its load balancer delete-first and keeps its target group", async () => {
        const { status, stdout } = await runs.fixed;
        assert.equal(status, 0);
        assert.match(stdout, /\+ aws:lb\/loadBalancer:LoadBalancer\s+fixed-nlb \[deleted before its replacement is created\]\n/);
        assert.match(
            stdout,
            /\n {6}deletionProtection off first \(docs\/updates\.md\)\. The old one and its listener are deleted first, so that its Elastic IPs move to the new one\.\n/,
        );
        assert.match(stdout, /\+ aws:lb\/targetGroup:TargetGroup\s+fixed-tg \[kept when the load balancer is replaced\]\n/);
    });

    it("exits 1 with every config problem and plans nothing", async () => {
        const { status, stdout, stderr } = await runs.broken;
        assert.equal(status, 1);
        assert.equal(stdout, "");
        assert.equal(
            stderr,
            "Pulumi.broken.yaml: invalid db-endpoints configuration (3 problems):\n" +
                '  - vpcId: "vpc-1" is not a VPC ID such as "vpc-0a1b2c3d4e5f60718"\n' +
                '  - endpoints[0].allowedCidrs[0]: "10.0.0.0/33" is not a CIDR: the prefix length must be 0..32\n' +
                "  - endpoints[0].idleTimeoutSeconds: 9000 is out of range (expected 60..6000)\n",
        );
    });

    it("exits 2 on bad arguments and 1 on a missing stack file", async () => {
        const bad = await runs.badArgument;
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /unknown argument "--stak"; usage: npm run plan/);
        const missing = await runs.missingStack;
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /plan failed: no stack file .*Pulumi\.nosuch\.yaml/);
    });
});
