/**
 * DatabaseEndpoint edge cases under the mock runtime: IPv6-only and very large allowlists, the public
 * opt-in, self-managed databases, custom hostnames with Elastic IPs, deployment-time placement checks,
 * and argument validation at the component boundary.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseEngine, IpAddressType } from "../../infra/enums";
import { endpointArgs, SUBNETS, VPC } from "../../testing/endpointArgs";
import { exampleWorld, installMockCloud, MockCloud, settle, unwrap } from "../../testing/mockCloud";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let components: typeof import("../../infra/components/databaseEndpoint");

before(async () => {
    cloud = installMockCloud();
    components = await import("../../infra/components/databaseEndpoint");
});

function ingressRules(endpoint: string) {
    return cloud
        .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .filter((r) => r.name.startsWith(`${endpoint}-allow-`));
}

describe("an IPv6-only allowlist", () => {
    it("makes a dualstack NLB with AAAA and A aliases and only IPv6 rules", async () => {
        cloud.reset(exampleWorld());
        const e = new components.DatabaseEndpoint(
            "v6only",
            endpointArgs({ allowedCidrs: ["2001:db8:1::/48", "2001:db8:2::1"], hostname: "v6.db.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }),
        );
        assert.deepEqual(await unwrap(e.allowedCidrs), ["2001:db8:1::/48", "2001:db8:2::1/128"]);
        await settle();
        assert.equal(cloud.named("v6only-nlb").inputs.ipAddressType, "dualstack");
        assert.deepEqual(
            ingressRules("v6only").map((r) => [r.inputs.cidrIpv6, r.inputs.cidrIpv4]),
            [
                ["2001:db8:1::/48", undefined],
                ["2001:db8:2::1/128", undefined],
            ],
        );
        assert.deepEqual(
            cloud.ofType("aws:route53/record:Record").map((r) => [r.name, r.inputs.type, r.inputs.name]),
            [
                ["v6only-dns-a", "A", "v6.db.example.com"],
                ["v6only-dns-aaaa", "AAAA", "v6.db.example.com"],
            ],
        );
    });
});

describe("a 200-entry allowlist", () => {
    it("spreads 200 IPv4 and 70 IPv6 rules over 4 security groups of at most 60 per family", async () => {
        cloud.reset(exampleWorld());
        const v4 = Array.from({ length: 200 }, (_, i) => `198.51.${100 + Math.floor(i / 100)}.${i % 100}`);
        const v6 = Array.from({ length: 70 }, (_, i) => `2001:db8:${i.toString(16)}::/48`);
        const e = new components.DatabaseEndpoint("big", endpointArgs({ allowedCidrs: [...v4, ...v6] }));
        const groupIds = await unwrap(e.securityGroupIds);
        await settle();
        assert.equal(groupIds.length, 4);
        assert.equal(cloud.ofType("aws:ec2/securityGroup:SecurityGroup").length, 4);
        assert.deepEqual(cloud.named("big-nlb").inputs.securityGroups, groupIds);
        const rules = ingressRules("big");
        assert.equal(rules.length, 270);
        const perGroup = groupIds.map((id) => {
            const inGroup = rules.filter((r) => r.inputs.securityGroupId === id);
            return [inGroup.filter((r) => r.inputs.cidrIpv4).length, inGroup.filter((r) => r.inputs.cidrIpv6).length];
        });
        assert.deepEqual(perGroup, [
            [60, 60],
            [60, 10],
            [60, 0],
            [20, 0],
        ]);
        // Descriptions name the group, never the count: AWS cannot change a description, so a count in it would
        // replace every group when the allowlist grows past a multiple of 60.
        assert.deepEqual(
            cloud.ofType("aws:ec2/securityGroup:SecurityGroup").map((r) => r.inputs.description),
            [
                "db-endpoints big: allowlist group 1 and egress to the database",
                "db-endpoints big: allowlist group 2",
                "db-endpoints big: allowlist group 3",
                "db-endpoints big: allowlist group 4",
            ],
        );
        // Each CIDR is exactly one rule, all on the listener port.
        assert.deepEqual(new Set(rules.map((r) => r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6)).size, 270);
        assert.ok(rules.every((r) => r.inputs.fromPort === 5432 && r.inputs.toPort === 5432 && r.inputs.ipProtocol === "tcp"));
        // Only the first group carries the egress rule and is admitted by the database.
        assert.equal(cloud.named("big-to-database").inputs.securityGroupId, groupIds[0]);
        assert.equal(cloud.named("big-database-from-nlb").inputs.referencedSecurityGroupId, groupIds[0]);
    });

    it("fails with the exact field when it exceeds 5 groups x 60 rules", () => {
        const v4 = Array.from({ length: 301 }, (_, i) => `198.51.${100 + Math.floor(i / 200)}.${i % 200}`);
        assert.throws(
            () => new components.DatabaseEndpoint("toobig", endpointArgs({ allowedCidrs: v4 })),
            (e: unknown) =>
                pulumi.InputPropertiesError.isInstance(e) &&
                e.errors.length === 1 &&
                e.errors[0].propertyPath === "allowedCidrs" &&
                e.errors[0].reason.startsWith("301 IPv4 entries exceed what one load balancer can carry (5 security groups x 60 rules = 300)"),
        );
    });
});

describe("the public-internet opt-in", () => {
    it("opens 0.0.0.0/0 and ::/0 on the listener port only", async () => {
        cloud.reset(exampleWorld());
        const e = new components.DatabaseEndpoint("open", endpointArgs({ allowedCidrs: [], allowPublicInternet: true, port: 15432 }));
        assert.deepEqual(await unwrap(e.allowedCidrs), ["0.0.0.0/0", "::/0"]);
        await settle();
        assert.deepEqual(
            ingressRules("open").map((r) => [r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6, r.inputs.fromPort, r.inputs.toPort]),
            [
                ["0.0.0.0/0", 15432, 15432],
                ["::/0", 15432, 15432],
            ],
        );
        // The database side stays on the database port.
        assert.equal(cloud.named("open-to-database").inputs.fromPort, 5432);
        assert.equal(cloud.named("open-listener").inputs.port, 15432);
        assert.equal(cloud.named("open-tg").inputs.port, 5432);
    });

    it("is refused as an allowlist entry without the opt-in", () => {
        assert.throws(
            () => new components.DatabaseEndpoint("sneaky", endpointArgs({ allowedCidrs: ["0.0.0.0/0"] })),
            (e: unknown) =>
                pulumi.InputPropertiesError.isInstance(e) &&
                e.errors[0].propertyPath === "allowedCidrs[0]" &&
                e.errors[0].reason === '"0.0.0.0/0" opens the endpoint to the whole internet; set allowPublicInternet: true to do that on purpose',
        );
    });
});

describe("a self-managed database", () => {
    it("targets every address and uses its security group for egress and ingress", async () => {
        cloud.reset(exampleWorld());
        const e = new components.DatabaseEndpoint(
            "pg-ec2",
            endpointArgs({ database: { addresses: ["10.0.3.17", "10.0.4.17"], port: 5433, securityGroupId: "sg-0123456789abcdef0" } }),
        );
        assert.deepEqual(await unwrap(e.targetAddresses), ["10.0.3.17", "10.0.4.17"]);
        assert.equal(await unwrap(e.database), "self-managed:10.0.3.17,10.0.4.17");
        await settle();
        assert.deepEqual(
            cloud.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment").map((r) => [r.name, r.inputs.targetId, r.inputs.port]),
            [
                ["pg-ec2-target-10.0.3.17", "10.0.3.17", 5433],
                ["pg-ec2-target-10.0.4.17", "10.0.4.17", 5433],
            ],
        );
        const egress = cloud.named("pg-ec2-to-database").inputs;
        assert.deepEqual([egress.referencedSecurityGroupId, egress.fromPort], ["sg-0123456789abcdef0", 5433]);
        const ingress = cloud.named("pg-ec2-database-from-nlb").inputs;
        assert.deepEqual([ingress.securityGroupId, ingress.fromPort, ingress.toPort], ["sg-0123456789abcdef0", 5433, 5433]);
        // No RDS lookups for a self-managed database.
        assert.deepEqual(cloud.invokes.filter((i) => i.token.startsWith("aws:rds")), []);
    });
});

describe("health checks", () => {
    const timingOf = (name: string) => {
        const h = cloud.named(`${name}-tg`).inputs.healthCheck;
        return [h.interval, h.timeout, h.healthyThreshold, h.unhealthyThreshold];
    };

    it("checks a self-managed PostgreSQL every 5 s, and one whose engine is not given as MySQL, every 10 s", async () => {
        cloud.reset(exampleWorld());
        new components.DatabaseEndpoint("pg-hc", endpointArgs({ database: { addresses: ["10.0.3.17"], port: 5432, engine: DatabaseEngine.Postgres } }));
        new components.DatabaseEndpoint("my-hc", endpointArgs({ database: { addresses: ["10.0.3.18"], port: 3306, engine: DatabaseEngine.Mysql } }));
        new components.DatabaseEndpoint("any-hc", endpointArgs({ database: { addresses: ["10.0.3.19"], port: 5432 } }));
        await settle();
        assert.deepEqual(timingOf("pg-hc"), [5, 4, 2, 2]);
        assert.deepEqual(timingOf("my-hc"), [10, 4, 2, 2]);
        assert.deepEqual(timingOf("any-hc"), [10, 4, 2, 2]);
    });

    it("times an RDS instance's checks by the engine the instance reports", async () => {
        const world = exampleWorld();
        world.instances["prod-mariadb"] = { ...world.instances["prod-postgres"], engine: "mariadb", port: 3306, dbInstanceIdentifier: "prod-mariadb" };
        cloud.reset(world);
        new components.DatabaseEndpoint("rds-pg-hc", endpointArgs({ database: { rdsInstanceIdentifier: "prod-postgres" } }));
        new components.DatabaseEndpoint("rds-maria-hc", endpointArgs({ database: { rdsInstanceIdentifier: "prod-mariadb" } }));
        await settle();
        assert.deepEqual(timingOf("rds-pg-hc"), [5, 4, 2, 2]);
        assert.deepEqual(timingOf("rds-maria-hc"), [10, 4, 2, 2]);
    });

    it("refuses an engine for an RDS instance, and one it does not know, before registering anything", async () => {
        cloud.reset(exampleWorld());
        const problems = (database: Record<string, unknown>) => {
            try {
                new components.DatabaseEndpoint("bad-engine", endpointArgs({ database: database as never }));
            } catch (e) {
                assert.ok(pulumi.InputPropertiesError.isInstance(e));
                return e.errors.map((p) => `${p.propertyPath}: ${p.reason}`);
            }
            return [];
        };
        assert.deepEqual(problems({ rdsInstanceIdentifier: "prod-postgres", engine: "postgres" }), [
            "database.engine: is only for self-managed databases: an RDS instance's engine is read from it",
        ]);
        assert.deepEqual(problems({ addresses: ["10.0.3.17"], port: 5432, engine: "oracle" }), ['database.engine: "oracle" is not one of "postgres", "mysql"']);
        await settle();
        assert.deepEqual(cloud.registered, []);
    });
});

describe("a custom hostname with Elastic IPs", () => {
    it("allocates one EIP per subnet, maps them, aliases the hostname and outputs the fixed addresses", async () => {
        cloud.reset(exampleWorld());
        const e = new components.DatabaseEndpoint(
            "fixed",
            endpointArgs({ elasticIps: true, hostname: "fixed.db.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", idleTimeoutSeconds: 900 }),
        );
        const [hostname, addresses, idle] = await Promise.all([unwrap(e.hostname), unwrap(e.publicAddresses), unwrap(e.idleTimeoutSeconds)]);
        await settle();
        const eips = cloud.ofType("aws:ec2/eip:Eip");
        assert.deepEqual(eips.map((r) => [r.name, r.inputs.domain]), SUBNETS.map((s) => [`fixed-eip-${s}`, "vpc"]));
        const allocationIds = SUBNETS.map((s) => `eipalloc-${require("node:crypto").createHash("sha256").update(`fixed-eip-${s}`).digest("hex").slice(0, 17)}`);
        assert.deepEqual(cloud.named("fixed-nlb").inputs.subnetMappings, SUBNETS.map((subnetId, i) => ({ subnetId, allocationId: allocationIds[i] })));
        assert.equal(hostname, "fixed.db.example.com");
        assert.equal(addresses.length, 2);
        assert.ok(addresses.every((a) => /^198\.51\.100\.\d+$/.test(a)));
        assert.equal(idle, 900);
        assert.equal(cloud.named("fixed-listener").inputs.tcpIdleTimeoutSeconds, 900);
        assert.deepEqual(cloud.ofType("aws:route53/record:Record").map((r) => r.name), ["fixed-dns-a"]);
    });
});

describe("deployment-time placement checks", () => {
    it("checkPlacement accepts subnets covering the database's zones", () => {
        const subnets = [
            { id: "subnet-a", vpcId: VPC, availabilityZone: "us-east-1a", ipv6CidrBlock: "" },
            { id: "subnet-b", vpcId: VPC, availabilityZone: "us-east-1b", ipv6CidrBlock: "" },
        ];
        assert.deepEqual(
            components.checkPlacement("x", VPC, subnets, IpAddressType.Ipv4, ["us-east-1a", "us-east-1b"], "rds:db"),
            ["subnet-a", "subnet-b"],
        );
    });

    it("checkPlacement names every problem: wrong VPC, no IPv6 for dualstack, uncovered zone", () => {
        const subnets = [
            { id: "subnet-a", vpcId: "vpc-other", availabilityZone: "us-east-1a", ipv6CidrBlock: "" },
            { id: "subnet-b", vpcId: VPC, availabilityZone: "us-east-1b", ipv6CidrBlock: "2600::/64" },
        ];
        assert.throws(
            () => components.checkPlacement("x", VPC, subnets, IpAddressType.Dualstack, ["us-east-1b", "us-east-1c"], "rds:db"),
            {
                message:
                    "endpoint x: subnet subnet-a is in vpc-other, not in the endpoint's VPC vpc-0a1b2c3d4e5f60718; " +
                    "subnet subnet-a has no IPv6 CIDR block, which a dualstack load balancer needs; " +
                    "rds:db can run in us-east-1c, where the load balancer has no subnet (it has us-east-1a, us-east-1b); " +
                    "targets there would receive no traffic. Add a public subnet in us-east-1c",
            },
        );
    });

    it("a Multi-AZ instance whose subnet group reaches a zone the NLB is not in fails before the NLB is created", async () => {
        const world = exampleWorld();
        world.subnets["subnet-0db1c00000000000c"] = { vpcId: VPC, availabilityZone: "us-east-1c", ipv6CidrBlock: "" };
        world.subnetGroups["prod-db-subnets"].subnetIds.push("subnet-0db1c00000000000c");
        cloud.reset(world);
        const e = new components.DatabaseEndpoint("uncovered", endpointArgs());
        await assert.rejects(unwrap(e.loadBalancerArn), /rds:prod-postgres can run in us-east-1c, where the load balancer has no subnet/);
        await settle();
        assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer"), []);
        assert.ok(cloud.asyncErrors.some((err) => /Add a public subnet in us-east-1c/.test(err.message)));
    });

    it("a single-AZ instance only needs its own zone covered", async () => {
        const world = exampleWorld();
        world.instances["prod-postgres"].multiAz = false;
        world.instances["prod-postgres"].availabilityZone = "us-east-1b";
        world.subnetGroups["prod-db-subnets"].subnetIds.push("subnet-0db1c00000000000c");
        cloud.reset(world);
        const e = new components.DatabaseEndpoint("single-az", endpointArgs());
        assert.match(await unwrap(e.loadBalancerArn), /loadbalancer\/net\/single-az-nlb\//);
        await settle();
        assert.equal(cloud.invokes.filter((i) => i.token === "aws:ec2/getSubnet:getSubnet").length, 2);
    });

    it("an RDS address that does not resolve fails the deployment naming the endpoint and host", async () => {
        const world = exampleWorld();
        world.dns = {};
        cloud.reset(world);
        const e = new components.DatabaseEndpoint("nodns", endpointArgs());
        await assert.rejects(
            unwrap(e.targetAddresses),
            /endpoint nodns: could not resolve prod-postgres\.c9akciq32\.us-east-1\.rds\.amazonaws\.com to an IPv4 address \(ENOTFOUND\)$/,
        );
        await settle();
    });

    it("an RDS address that resolves to a public IP (a publicly accessible instance) is refused, not registered", async () => {
        const world = exampleWorld();
        world.dns["prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com"] = ["54.210.1.2"];
        cloud.reset(world);
        const e = new components.DatabaseEndpoint("public-rds", endpointArgs());
        await assert.rejects(
            unwrap(e.targetAddresses),
            /endpoint public-rds: prod-postgres\.c9akciq32\.us-east-1\.rds\.amazonaws\.com resolves to 54\.210\.1\.2, not a private address in the VPC \(is the instance publicly accessible\?\)/,
        );
        await settle();
        assert.deepEqual(cloud.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment"), []);
    });

    it("an RDS instance without security groups needs database.securityGroupId", async () => {
        const world = exampleWorld();
        world.instances["prod-postgres"].vpcSecurityGroups = [];
        cloud.reset(world);
        const e = new components.DatabaseEndpoint("nosg", endpointArgs());
        // (Pulumi prefixes the message with the property path it failed to serialize.)
        await assert.rejects(
            unwrap(e.databaseSecurityGroupId),
            /endpoint nosg: RDS instance prod-postgres has no VPC security group; set database\.securityGroupId$/,
        );
        await settle();
        assert.deepEqual(cloud.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"), []);
    });

    it("an explicit database.securityGroupId overrides the instance's", async () => {
        cloud.reset(exampleWorld());
        const e = new components.DatabaseEndpoint("override", endpointArgs({ database: { rdsInstanceIdentifier: "prod-postgres", securityGroupId: "sg-0fedcba9876543210" } }));
        assert.equal(await unwrap(e.databaseSecurityGroupId), "sg-0fedcba9876543210");
        await settle();
        assert.equal(cloud.named("override-database-from-nlb").inputs.securityGroupId, "sg-0fedcba9876543210");
    });
});

describe("argument validation at the component boundary", () => {
    it("reports every bad argument with its property path, before registering anything", async () => {
        cloud.reset(exampleWorld());
        let caught: unknown;
        try {
            new components.DatabaseEndpoint("bad-args", {
                vpcId: VPC,
                subnetIds: [],
                database: { rdsInstanceIdentifier: "prod-postgres", addresses: ["10.0.0.1"] },
                allowedCidrs: ["10.0.0.0/33"],
                idleTimeoutSeconds: 7000,
                port: 0,
                hostedZoneId: "Z0123456789ABCDEFGHIJ",
            });
        } catch (e) {
            caught = e;
        }
        assert.ok(pulumi.InputPropertiesError.isInstance(caught));
        assert.equal(caught.message, 'invalid arguments for DatabaseEndpoint "bad-args"');
        assert.deepEqual(
            caught.errors.map((e) => `${e.propertyPath}: ${e.reason}`),
            [
                // The rules of each endpoint of DatabaseEndpoints (infra/model/endpoint.ts), under this component's paths.
                "subnetIds: is empty; an internet-facing load balancer needs at least one public subnet",
                "database: sets both rdsInstanceIdentifier and addresses; an endpoint reaches exactly one database, so set one of them",
                "port: 0 is out of range (expected 1..65535)",
                "idleTimeoutSeconds: 7000 is out of range (expected 60..6000)",
                "hostedZoneId: is set without hostname; the record needs a name",
                'allowedCidrs[0]: "10.0.0.0/33" is not a CIDR: the prefix length must be 0..32',
            ],
        );
        await settle();
        assert.deepEqual(cloud.registered, []);
    });

    it("refuses a component name that does not fit AWS's names", () => {
        assert.throws(
            () => new components.DatabaseEndpoint("a-name-that-is-far-too-long", endpointArgs()),
            (e: unknown) => pulumi.InputPropertiesError.isInstance(e) && e.errors[0].propertyPath === "name",
        );
    });

    it("refuses an allowlist that is only known after deployment", () => {
        assert.throws(
            () => new components.DatabaseEndpoint("late", endpointArgs({ allowedCidrs: pulumi.output(["203.0.113.1"]) as unknown as string[] })),
            (e: unknown) =>
                pulumi.InputPropertiesError.isInstance(e) &&
                e.errors[0].propertyPath === "allowedCidrs" &&
                /must be known when the endpoint is declared/.test(e.errors[0].reason),
        );
    });

    it("checks an idle timeout that arrives as an output when it resolves", async () => {
        cloud.reset(exampleWorld());
        const e = new components.DatabaseEndpoint("late-idle", endpointArgs({ idleTimeoutSeconds: pulumi.output(30) }));
        // The same rule as a value known when the endpoint is declared, and the same error, whose message lists the
        // problems: the engine shows an error raised during the deployment by its message, in the resource that used it.
        await assert.rejects(
            unwrap(e.idleTimeoutSeconds),
            /invalid arguments for DatabaseEndpoint "late-idle" \(1 problem\):\n  - idleTimeoutSeconds: 30 is out of range \(expected 60\.\.6000\)$/,
        );
        await settle();
        assert.deepEqual(cloud.ofType("aws:lb/listener:Listener"), []);
    });
});

describe("the stack program with invalid config", () => {
    it("registers nothing and throws every problem", async () => {
        cloud.reset(exampleWorld());
        assert.throws(
            () =>
                runStackProgram(cloud, {
                    vpcId: VPC,
                    publicSubnetIds: SUBNETS,
                    endpoints: [
                        { name: "ok", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.1"] },
                        { name: "bad", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["10.0.0.0/33"] },
                    ],
                }),
            { message: 'invalid db-endpoints configuration (1 problem):\n  - endpoints[1].allowedCidrs[0]: "10.0.0.0/33" is not a CIDR: the prefix length must be 0..32' },
        );
        await settle();
        assert.deepEqual(cloud.registered, []);
    });
});
