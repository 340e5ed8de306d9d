/** `npm run plan`: the offline plan, end to end as a user runs it (a child process), for good and bad config. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "../..");

function runPlan(args: string[]) {
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
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

describe("npm run plan", () => {
    it("plans the example stack: every resource per endpoint, with placeholders said plainly", () => {
        const { status, stdout } = runPlan([]);
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

    it("plans another stack with --stack", () => {
        const dir = tempStack(
            "prod",
            [
                "config:",
                "  db-endpoints:vpcId: vpc-0a1b2c3d4e5f60718",
                "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44]",
                "  db-endpoints:endpoints:",
                "    - name: open",
                "      database: { addresses: [10.0.9.9], port: 5432 }",
                "      allowPublicInternet: true",
                "",
            ].join("\n"),
        );
        const { status, stdout } = runPlan(["--stack", "prod", "--config-dir", dir]);
        assert.equal(status, 0);
        assert.match(stdout, /offline plan for stack "prod"/);
        assert.match(stdout, /allow in tcp\/5432 from 0\.0\.0\.0\/0/);
        assert.match(stdout, /allow in tcp\/5432 from ::\/0/);
        assert.match(stdout, /admits every IPv4 and IPv6 address/);
    });

    it("says that an endpoint with Elastic IPs replaces its load balancer delete-first and keeps its target group", () => {
        const dir = tempStack(
            "fixed",
            [
                "config:",
                "  db-endpoints:vpcId: vpc-0a1b2c3d4e5f60718",
                "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44, subnet-0ee55ff66aa77bb88]",
                "  db-endpoints:endpoints:",
                "    - name: fixed",
                "      database: { addresses: [10.0.9.9], port: 5432 }",
                "      allowedCidrs: [203.0.113.0/24]",
                "      elasticIps: true",
                "",
            ].join("\n"),
        );
        const { status, stdout } = runPlan(["--stack", "fixed", "--config-dir", dir]);
        assert.equal(status, 0);
        assert.match(stdout, /\+ aws:lb\/loadBalancer:LoadBalancer\s+fixed-nlb \[deleted before its replacement is created\]\n/);
        assert.match(
            stdout,
            /\n {6}deletionProtection off first \(docs\/updates\.md\)\. The old one and its listener are deleted first, so that its Elastic IPs move to the new one\.\n/,
        );
        assert.match(stdout, /\+ aws:lb\/targetGroup:TargetGroup\s+fixed-tg \[kept when the load balancer is replaced\]\n/);
    });

    it("plans a shared load balancer: its block, each endpoint's group and share of the cost, and the moves that replace", () => {
        const dir = tempStack(
            "shared",
            [
                "config:",
                "  db-endpoints:vpcId: vpc-0a1b2c3d4e5f60718",
                "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44, subnet-0ee55ff66aa77bb88]",
                "  db-endpoints:endpoints:",
                "    - name: reporting",
                "      loadBalancer: shared",
                "      port: 5432",
                "      database: { rdsInstanceIdentifier: prod-postgres }",
                "      allowedCidrs: [203.0.113.0/24]",
                "    - name: orders",
                "      loadBalancer: shared",
                "      port: 5433",
                "      database: { addresses: [10.0.3.17], port: 5432, securityGroupId: sg-0123456789abcdef0 }",
                "      allowedCidrs: [198.51.100.7/32]",
                "    - name: legacy",
                "      database: { addresses: [10.0.3.18], port: 3306 }",
                "      allowedCidrs: [198.51.100.8/32]",
                "",
            ].join("\n"),
        );
        const { status, stdout } = runPlan(["--stack", "shared", "--config-dir", dir]);
        assert.equal(status, 0);
        const shared = stdout.slice(stdout.indexOf("EndpointLoadBalancer shared"), stdout.indexOf("DatabaseEndpoint reporting"));
        assert.match(shared, /^EndpointLoadBalancer shared\n {2}shared by reporting, orders: ~\$24\.60 a month \(\$16\.43 NLB hours, \$7\.30 for 2 public IPv4 addresses, \$0\.88 NLCUs\)\n/);
        assert.match(shared, /\+ rules to the RDS instances' security groups \(reporting\): one per security group and port, declared at deploy/);
        assert.match(shared, /\+ aws:lb\/loadBalancer:LoadBalancer\s+shared-nlb\n/);
        assert.match(shared, /allow out tcp\/5432 to sg-0123456789abcdef0 from \(id of shared-sg-1\)/);
        assert.match(shared, /new DNS name for every endpoint on it, a short outage;\n/);
        assert.match(shared, /An endpoint moved onto or off "shared" \(loadBalancer\) changes load balancer: new DNS name and addresses, new target group and listener\.\n/);
        const orders = stdout.slice(stdout.indexOf("DatabaseEndpoint orders"), stdout.indexOf("DatabaseEndpoint legacy"));
        assert.match(orders, /^DatabaseEndpoint orders\n {2}on shared load balancer "shared" with 1 other endpoint: ~\$12\.30 a month/);
        assert.match(orders, /allow in tcp\/5433 from 198\.51\.100\.7\/32 into \(id of shared-sg-1\)/);
        assert.match(orders, /TCP:5433 idleTimeout=3600s -> forward/);
        assert.doesNotMatch(orders, /loadBalancer:LoadBalancer/);
        const legacy = stdout.slice(stdout.indexOf("DatabaseEndpoint legacy"));
        assert.match(legacy, /^DatabaseEndpoint legacy\n {2}on its own load balancer: ~\$24\.16 a month \(NLB hours, 2 public IPv4 addresses, NLCUs\)\n/);
        assert.match(legacy, /Moving the endpoint onto a shared load balancer \(loadBalancer\) deletes this one: new DNS name and addresses, new target group and listener\.\n/);
        assert.match(stdout, /\nLoad balancers: ~\$48\.76 a month for 3 endpoints on 2 load balancers \(us-east-1 prices of 2026-12-06, 0\.1 NLCU per endpoint; /);
    });

    it("exits 1 with every config problem and plans nothing", () => {
        const dir = tempStack(
            "broken",
            [
                "config:",
                "  db-endpoints:vpcId: vpc-1",
                "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44]",
                "  db-endpoints:endpoints:",
                "    - name: a",
                "      database: { rdsInstanceIdentifier: prod }",
                "      allowedCidrs: [10.0.0.0/33]",
                "      idleTimeoutSeconds: 9000",
                "",
            ].join("\n"),
        );
        const { status, stdout, stderr } = runPlan(["--stack", "broken", "--config-dir", dir]);
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

    it("exits 2 on bad arguments and 1 on a missing stack file", () => {
        const bad = runPlan(["--stak", "x"]);
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /unknown argument "--stak"; usage: npm run plan/);
        const missing = runPlan(["--stack", "nosuch", "--config-dir", os.tmpdir()]);
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /plan failed: no stack file .*Pulumi\.nosuch\.yaml/);
    });
});
