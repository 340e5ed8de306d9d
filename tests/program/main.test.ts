/**
 * The stack program under Pulumi's mock runtime, for the example stack (Pulumi.dev.yaml) and edge cases:
 * exact resource types, counts, names, parents and inputs.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../../testing/stackFile";
import { exampleWorld, installMockCloud, MockCloud, mockTargetGroupArn, parentName, PRODUCT_URN, settle, unwrap } from "../../testing/mockCloud";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let stack: typeof import("../../infra/program/main");

before(async () => {
    cloud = installMockCloud();
    stack = await import("../../infra/program/main");
});


const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];

async function run(raw: Record<string, unknown>) {
    const outputs = runStackProgram(cloud, raw);
    const resolved: Record<string, any> = {};
    for (const [name, e] of Object.entries(outputs.endpoints)) {
        const values: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(e)) values[k] = await unwrap(v as pulumi.Output<unknown>);
        resolved[name] = values;
    }
    await settle();
    return resolved;
}

describe("the example stack (Pulumi.dev.yaml)", () => {
    let outputs: Record<string, any>;
    before(async () => {
        cloud.reset(exampleWorld());
        const file = readStackFile("dev");
        pulumi.runtime.setAllConfig(file.config);
        outputs = await run(stack.readRawStackConfig());
    });

    it("creates exactly these resources", () => {
        assert.deepEqual(cloud.countsByType(), {
            // The upkeep function: target sync (on by default) for the RDS endpoint, tests/components/targetSync.test.ts,
            // and the certificates' days to expiry, tests/components/upkeep.test.ts.
            // The one component the stack program declares; everything else is inside it.
            "db-endpoints:index:DatabaseEndpoints": 1,
            // The alarms (tests/components/alarms.test.ts): reporting's three, legacy-mysql's one, one per certificate
            // (the CA, legacy-mysql's server certificate), one for the revocation of the example's expiring allowlist
            // entry, and the topic for the example's email address.
            "db-endpoints:index:Alarms": 1,
            "aws:cloudwatch/metricAlarm:MetricAlarm": 7,
            "aws:sns/topic:Topic": 1,
            "aws:sns/topicSubscription:TopicSubscription": 1,
            "aws:cloudwatch/eventRule:EventRule": 2,
            "aws:cloudwatch/eventTarget:EventTarget": 2,
            // Target sync's log group, and each endpoint's connection audit (tests/components/loadBalancer/connectionAudit.test.ts):
            // a log group, a delivery role with its policy, a flow log per subnet, a saved query.
            "aws:cloudwatch/logGroup:LogGroup": 3,
            "aws:cloudwatch/queryDefinition:QueryDefinition": 2,
            "aws:ec2/flowLog:FlowLog": 4,
            "aws:ec2/securityGroup:SecurityGroup": 2,
            "aws:iam/role:Role": 3,
            "aws:iam/rolePolicy:RolePolicy": 3,
            "aws:lambda/function:Function": 1,
            "aws:lambda/invocation:Invocation": 1,
            "aws:lambda/permission:Permission": 2,
            "aws:lb/listener:Listener": 2,
            "aws:lb/loadBalancer:LoadBalancer": 2,
            "aws:lb/targetGroup:TargetGroup": 2,
            // The self-managed database's only: the RDS endpoint's target is the target-sync function's.
            "aws:lb/targetGroupAttachment:TargetGroupAttachment": 1,
            "aws:route53/record:Record": 1,
            // Integrations metabase and fivetran on reporting: tests/components/databaseIntegrations.test.ts has the details;
            // plus legacy-mysql's certificate secret: tests/databaseCertificate.test.ts.
            "aws:secretsmanager/secret:Secret": 3,
            "aws:secretsmanager/secretVersion:SecretVersion": 3,
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 2,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 5,
            // The stack CA and legacy-mysql's server certificate: tests/components/certificateAuthority.test.ts, tests/databaseCertificate.test.ts.
            "db-endpoints:index:CertificateAuthority": 1,
            "db-endpoints:index:DatabaseCertificate": 1,
            "db-endpoints:index:DatabaseEndpoint": 2,
            "db-endpoints:index:DatabaseIntegrations": 1,
            "db-endpoints:index:Upkeep": 1,
            "postgresql:index/defaultPrivileges:DefaultPrivileges": 2,
            "postgresql:index/grant:Grant": 8,
            "postgresql:index/role:Role": 2,
            "pulumi:providers:postgresql": 1,
            // Each PostgreSQL integration user's SCRAM salt (its role gets a verifier, never the plaintext).
            "random:index/randomBytes:RandomBytes": 2,
            "random:index/randomPassword:RandomPassword": 2,
            "tls:index/certRequest:CertRequest": 1,
            "tls:index/locallySignedCert:LocallySignedCert": 1,
            "tls:index/privateKey:PrivateKey": 2,
            "tls:index/selfSignedCert:SelfSignedCert": 1,
        });
    });

    it("gives each component inside DatabaseEndpoints an alias to the stack root, where earlier versions of the program declared them", () => {
        const children = cloud.registered.filter((r) => r.parent === PRODUCT_URN);
        assert.deepEqual(children.map((r) => r.name).sort(), ["alarms", "ca-1", "db-10.0.3.17-3306", "legacy-mysql", "reporting", "reporting", "upkeep"]);
        // Same name, type, project and stack (empty: unchanged), and no parent: the URN it had at the root, so that
        // `pulumi up` moves it into the component instead of replacing it (and every child follows its parent's alias).
        const atRoot = { spec: { name: "", noparent: true, parenturn: undefined, project: "", stack: "", type: "" }, urn: undefined };
        for (const r of children.filter((r) => r.name !== "alarms" && r.name !== "upkeep")) assert.deepEqual(r.aliases, [atRoot], `${r.type} ${r.name}`);
        // The alarms are new; the upkeep function was the TargetSync `target-sync` (tests/components/upkeep.test.ts).
        assert.deepEqual(cloud.named("alarms").aliases, []);
        assert.deepEqual(
            cloud.named("upkeep").aliases.map((a: any) => [a.spec.name, a.spec.type, a.spec.noparent ? "root" : a.spec.parenturn.split("::").pop()]),
            [
                ["target-sync", "db-endpoints:index:TargetSync", "db-endpoints"],
                ["target-sync", "db-endpoints:index:TargetSync", "root"],
            ],
        );
        const product = cloud.ofType("db-endpoints:index:DatabaseEndpoints");
        assert.deepEqual(product.map((r) => [r.name, r.aliases]), [["db-endpoints", []]]);
    });

    it("parents every AWS resource to its endpoint component", () => {
        for (const r of cloud.registered) {
            // The CA and the certificates are not an endpoint's: their parents are checked in their own tests.
            if (r.type.startsWith("tls:") || r.type === "db-endpoints:index:CertificateAuthority" || r.type === "db-endpoints:index:DatabaseCertificate") continue;
            if (r.name.startsWith("db-10.0.3.17-3306-")) continue;
            if (r.type === "db-endpoints:index:DatabaseEndpoints") {
                // The mock runtime registers no stack resource: the top-level component has no parent URN.
                assert.equal(r.parent, "", r.name);
            } else if (
                ["db-endpoints:index:DatabaseEndpoint", "db-endpoints:index:Upkeep", "db-endpoints:index:DatabaseIntegrations", "db-endpoints:index:Alarms"].includes(r.type)
            ) {
                assert.equal(r.parent, PRODUCT_URN, r.name);
            } else {
                const owner = r.name.startsWith("reporting-")
                    ? "reporting"
                    : r.name.startsWith("upkeep-")
                      ? "upkeep"
                      : r.name.startsWith("alarms-")
                        ? "alarms"
                        : "legacy-mysql";
                assert.equal(parentName(r), owner, `${r.type} ${r.name}`);
            }
        }
    });

    it("builds an internet-facing, cross-zone NLB with security groups in the public subnets", () => {
        const nlb = cloud.named("reporting-nlb").inputs;
        assert.equal(nlb.loadBalancerType, "network");
        assert.equal(nlb.internal, false);
        assert.equal(nlb.ipAddressType, "dualstack");
        assert.equal(nlb.enableCrossZoneLoadBalancing, true);
        assert.equal(nlb.enableDeletionProtection, true);
        assert.deepEqual(nlb.subnetMappings, SUBNETS.map((subnetId) => ({ subnetId })));
        assert.deepEqual(nlb.securityGroups, [cloud.named("reporting-sg-1") && sgId("reporting-sg-1")]);
        assert.deepEqual(nlb.tags, { team: "data-platform", "db-endpoints:endpoint": "reporting", "managed-by": "pulumi/db-endpoints" });
        const mysql = cloud.named("legacy-mysql-nlb").inputs;
        assert.equal(mysql.ipAddressType, "ipv4");
    });

    it("listens on TCP with a 3600 s idle timeout by default and 6000 s where configured", () => {
        const reporting = cloud.named("reporting-listener").inputs;
        assert.equal(reporting.protocol, "TCP");
        assert.equal(reporting.port, 5432);
        assert.equal(reporting.tcpIdleTimeoutSeconds, 3600);
        assert.equal(reporting.defaultActions.length, 1);
        assert.equal(reporting.defaultActions[0].type, "forward");
        assert.match(reporting.defaultActions[0].targetGroupArn, /targetgroup\/reporting-tg\//);
        const mysql = cloud.named("legacy-mysql-listener").inputs;
        assert.equal(mysql.port, 3306);
        assert.equal(mysql.tcpIdleTimeoutSeconds, 6000);
    });

    it("forwards to an IP target group with TCP health checks on the database port, timed for its engine", () => {
        const tg = cloud.named("reporting-tg").inputs;
        assert.deepEqual(
            { targetType: tg.targetType, protocol: tg.protocol, port: tg.port, vpcId: tg.vpcId, preserveClientIp: tg.preserveClientIp },
            { targetType: "ip", protocol: "TCP", port: 5432, vpcId: VPC, preserveClientIp: "false" },
        );
        // RDS PostgreSQL (the instance's engine): AWS's fastest interval and thresholds, a timeout shorter than the interval.
        assert.deepEqual(tg.healthCheck, {
            enabled: true,
            protocol: "TCP",
            port: "traffic-port",
            interval: 5,
            timeout: 4,
            healthyThreshold: 2,
            unhealthyThreshold: 2,
        });
        // Self-managed MySQL: every 10 s, so that the checks do not pile up connection errors any faster than before.
        const mysql = cloud.named("legacy-mysql-tg").inputs;
        assert.equal(mysql.port, 3306);
        assert.deepEqual(mysql.healthCheck, { enabled: true, protocol: "TCP", port: "traffic-port", interval: 10, timeout: 4, healthyThreshold: 2, unhealthyThreshold: 2 });
    });

    it("registers the self-managed address as a target and leaves the RDS target to target sync", () => {
        assert.deepEqual(cloud.registered.filter((r) => r.name === "reporting-target"), []);
        const mysql = cloud.named("legacy-mysql-target-10.0.3.17").inputs;
        assert.deepEqual({ targetId: mysql.targetId, port: mysql.port }, { targetId: "10.0.3.17", port: 3306 });
    });

    it("admits each allowlist entry on the listener port only, IPv4 and IPv6", () => {
        const rules = cloud.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.includes("-allow-"));
        const shape = rules.map((r) => ({
            name: r.name,
            sg: r.inputs.securityGroupId,
            cidrIpv4: r.inputs.cidrIpv4,
            cidrIpv6: r.inputs.cidrIpv6,
            ports: [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort],
        }));
        // By endpoint, in the allowlist's order (a rule whose tags are computed is sent to the engine a little later).
        const order = ["reporting-allow-203.0.113.0_24", "reporting-allow-2001-db8-1234--_48", "reporting-allow-198.51.100.64_27", "legacy-mysql-allow-198.51.100.7_32"];
        shape.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
        assert.deepEqual(shape, [
            { name: "reporting-allow-203.0.113.0_24", sg: sgId("reporting-sg-1"), cidrIpv4: "203.0.113.0/24", cidrIpv6: undefined, ports: ["tcp", 5432, 5432] },
            { name: "reporting-allow-2001-db8-1234--_48", sg: sgId("reporting-sg-1"), cidrIpv4: undefined, cidrIpv6: "2001:db8:1234::/48", ports: ["tcp", 5432, 5432] },
            { name: "reporting-allow-198.51.100.64_27", sg: sgId("reporting-sg-1"), cidrIpv4: "198.51.100.64/27", cidrIpv6: undefined, ports: ["tcp", 5432, 5432] },
            { name: "legacy-mysql-allow-198.51.100.7_32", sg: sgId("legacy-mysql-sg-1"), cidrIpv4: "198.51.100.7/32", cidrIpv6: undefined, ports: ["tcp", 3306, 3306] },
        ]);
        // The vendor's trial entry: its expiry and note in the description and the tags; the others as they always were.
        const trial = cloud.named("reporting-allow-198.51.100.64_27").inputs;
        assert.equal(trial.description, "db-endpoints reporting: allowlisted client until 2027-06-30T00:00:00Z (Acme BI trial, ticket OPS-1234)");
        assert.deepEqual(trial.tags, {
            team: "data-platform",
            "db-endpoints:endpoint": "reporting",
            "managed-by": "pulumi/db-endpoints",
            "db-endpoints:expires": "2027-06-30T00:00:00Z",
            "db-endpoints:note": "Acme BI trial, ticket OPS-1234",
        });
        const office = cloud.named("reporting-allow-203.0.113.0_24").inputs;
        assert.equal(office.description, "db-endpoints reporting: allowlisted client");
        assert.deepEqual(office.tags, { team: "data-platform", "db-endpoints:endpoint": "reporting", "managed-by": "pulumi/db-endpoints" });
    });

    it("lets the NLB out only to the database port, and the RDS security group admit only the NLB", () => {
        const egress = cloud.named("reporting-to-database").inputs;
        assert.deepEqual(
            [egress.securityGroupId, egress.referencedSecurityGroupId, egress.ipProtocol, egress.fromPort, egress.toPort, egress.cidrIpv4],
            [sgId("reporting-sg-1"), "sg-0db0000000000000a", "tcp", 5432, 5432, undefined],
        );
        const dbIngress = cloud.named("reporting-database-from-nlb").inputs;
        assert.deepEqual(
            [dbIngress.securityGroupId, dbIngress.referencedSecurityGroupId, dbIngress.fromPort, dbIngress.toPort, dbIngress.cidrIpv4],
            ["sg-0db0000000000000a", sgId("reporting-sg-1"), 5432, 5432, undefined],
        );
        const mysqlEgress = cloud.named("legacy-mysql-to-10.0.3.17").inputs;
        assert.deepEqual(
            [mysqlEgress.securityGroupId, mysqlEgress.cidrIpv4, mysqlEgress.fromPort, mysqlEgress.toPort, mysqlEgress.referencedSecurityGroupId],
            [sgId("legacy-mysql-sg-1"), "10.0.3.17/32", 3306, 3306, undefined],
        );
    });

    it("creates the Route 53 alias for the custom hostname", () => {
        const record = cloud.named("legacy-mysql-dns-a").inputs;
        assert.deepEqual(
            { zoneId: record.zoneId, name: record.name, type: record.type },
            { zoneId: "Z0123456789ABCDEFGHIJ", name: "legacy.db.example.com", type: "A" },
        );
        assert.deepEqual(record.aliases, [
            { name: lbDns("legacy-mysql-nlb"), zoneId: "Z26RNL4JYFTOTI", evaluateTargetHealth: true },
        ]);
    });

    it("outputs, per endpoint, how to reach it and what it admits", () => {
        assert.deepEqual(outputs.reporting, {
            hostname: lbDns("reporting-nlb"),
            port: 5432,
            loadBalancerDnsName: lbDns("reporting-nlb"),
            publicAddresses: [],
            allowedCidrs: ["203.0.113.0/24", "2001:db8:1234::/48", "198.51.100.64/27"],
            idleTimeoutSeconds: 3600,
            database: "rds:prod-postgres",
            databasePort: 5432,
            securityGroupIds: [sgId("reporting-sg-1")],
            engine: "postgres",
            targetGroupArn: mockTargetGroupArn("reporting-tg"),
            connectionLogGroup: logGroupName("reporting-flow-logs"),
            connectionQuery: "db-endpoints/db-endpoints/dev/reporting/who-connected",
            databaseConnectionLogging: "on",
        });
        assert.deepEqual(outputs["legacy-mysql"], {
            hostname: "legacy.db.example.com",
            port: 3306,
            loadBalancerDnsName: lbDns("legacy-mysql-nlb"),
            publicAddresses: [],
            allowedCidrs: ["198.51.100.7/32"],
            idleTimeoutSeconds: 6000,
            database: "self-managed:10.0.3.17",
            databasePort: 3306,
            securityGroupIds: [sgId("legacy-mysql-sg-1")],
            engine: "mysql",
            targetGroupArn: mockTargetGroupArn("legacy-mysql-tg"),
            connectionLogGroup: logGroupName("legacy-mysql-flow-logs"),
            connectionQuery: "db-endpoints/db-endpoints/dev/legacy-mysql/who-connected",
        });
    });

    it("raised no asynchronous error", () => {
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

/** The ID the mock cloud gives a security group (see testing/mockCloud.ts). */
function sgId(name: string): string {
    return `sg-${require("node:crypto").createHash("sha256").update(name).digest("hex").slice(0, 17)}`;
}
/** The name the mock cloud gives a log group without one (the provider's auto-naming). */
function logGroupName(name: string): string {
    return `${name}-${require("node:crypto").createHash("sha256").update(name).digest("hex").slice(0, 7)}`;
}
function lbDns(name: string): string {
    return `${name}-${require("node:crypto").createHash("sha256").update(name).digest("hex").slice(0, 10)}.elb.us-east-1.amazonaws.com`;
}
