/**
 * Endpoints on a shared load balancer, under the mock runtime: one NLB for the group with its security groups,
 * Elastic IPs and database rules (one per distinct database security group and port), each endpoint's own
 * listener, port, target group, allowlist rules (on its port only), records and outputs; the spread of the
 * rules over the load balancer's security groups; the certificates; and the refusals, before anything is
 * registered, or at deployment for what only AWS knows.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { exampleWorld, FakeWorld, installMockCloud, MockCloud, mockLoadBalancerDnsName, PRODUCT_URN, Registered, settle, unwrap } from "../../../testing/mockCloud";
import { inputPropertyErrors } from "../../../testing/refusals";
import { interceptWarnings } from "../../../testing/warnings";
import { runStackProgram } from "../../../testing/stackProgram";

let cloud: MockCloud;
let product: typeof import("../../../infra/components/databaseEndpoints/databaseEndpoints");
let listener: typeof import("../../../infra/components/databaseEndpoint/listener");

// The endpoints' warnings (host-based rules, certificates without instanceIds) are checked elsewhere.
interceptWarnings(async () => {});

before(async () => {
    cloud = installMockCloud();
    product = await import("../../../infra/components/databaseEndpoints/databaseEndpoints");
    listener = await import("../../../infra/components/databaseEndpoint/listener");
});

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const RDS_SG = "sg-0db0000000000000a";
const OWN_SG = "sg-0123456789abcdef0";

/** The example account with a second RDS PostgreSQL instance behind the same security group and port as the first. */
function world(): FakeWorld {
    const w = exampleWorld();
    w.instances["billing-postgres"] = {
        ...w.instances["prod-postgres"],
        address: "billing-postgres.c9akciq32.us-east-1.rds.amazonaws.com",
        dbInstanceIdentifier: "billing-postgres",
        dbInstanceArn: "arn:aws:rds:us-east-1:123456789012:db:billing-postgres",
        multiAz: false,
    };
    w.dns["billing-postgres.c9akciq32.us-east-1.rds.amazonaws.com"] = ["10.0.2.42"];
    return w;
}

/** Three endpoints on the load balancer "shared" (two RDS instances, one self-managed database) and one on its own. */
function config(extra: Record<string, unknown> = {}, endpointsExtra: Record<string, unknown> = {}) {
    return {
        vpcId: VPC,
        publicSubnetIds: SUBNETS,
        tags: { team: "data" },
        endpoints: [
            { name: "reporting", loadBalancer: "shared", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"], ...endpointsExtra },
            { name: "billing", loadBalancer: "shared", port: 6432, database: { rdsInstanceIdentifier: "billing-postgres" }, allowedCidrs: ["203.0.113.0/24", "198.51.100.9"], ...endpointsExtra },
            {
                name: "orders",
                loadBalancer: "shared",
                port: 5433,
                database: { addresses: ["10.0.3.17"], port: 5432, securityGroupId: OWN_SG, hostname: "orders.internal.example.com" },
                allowedCidrs: ["198.51.100.7"],
                hostname: "orders.db.example.com",
                hostedZoneId: "Z0123456789ABCDEFGHIJ",
                tags: { app: "orders" },
                ...endpointsExtra,
            },
            { name: "legacy", database: { addresses: ["10.0.3.18"], port: 3306 }, allowedCidrs: ["198.51.100.8"] },
        ],
        ...extra,
    };
}

async function deploy(raw: Record<string, unknown>, w: FakeWorld = world()) {
    await settle();
    cloud.reset(w);
    const outputs = runStackProgram(cloud, raw);
    const endpoints: Record<string, Record<string, unknown>> = {};
    for (const [name, e] of Object.entries(outputs.endpoints)) {
        endpoints[name] = {};
        for (const [k, v] of Object.entries(e)) endpoints[name][k] = await unwrap(v as pulumi.Output<unknown>);
    }
    await settle();
    return { outputs, endpoints };
}

const sgId = (name: string) => `sg-${crypto.createHash("sha256").update(name).digest("hex").slice(0, 17)}`;
const typeOf = (r: Registered) => r.parent.split("::")[2]?.split("$").pop();
const group = "urn:pulumi:dev::db-endpoints::db-endpoints:index:DatabaseEndpoints$db-endpoints:index:EndpointLoadBalancer::shared";
/** A child's URN as the mock runtime records it in dependencies (qualified by its parent's type). */
const urnOfShared = (name: string) => `urn:pulumi:dev::db-endpoints::db-endpoints:index:EndpointLoadBalancer$aws:lb/loadBalancer:LoadBalancer::${name}`;
const endpointUrn = (name: string) => `urn:pulumi:dev::db-endpoints::db-endpoints:index:DatabaseEndpoints$db-endpoints:index:DatabaseEndpoint::${name}`;

describe("a group of three endpoints, RDS and self-managed, on one load balancer", () => {
    let endpoints: Record<string, Record<string, unknown>>;
    before(async () => {
        ({ endpoints } = await deploy(config()));
    });

    it("builds one NLB for the group, owned by the EndpointLoadBalancer, beside the other endpoint's own", () => {
        assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer").map((r) => [r.name, typeOf(r)]).sort(), [
            ["legacy-nlb", "db-endpoints:index:DatabaseEndpoint"],
            ["shared-nlb", "db-endpoints:index:EndpointLoadBalancer"],
        ]);
        assert.deepEqual(cloud.ofType("db-endpoints:index:EndpointLoadBalancer").map((r) => [r.name, r.parent, r.aliases]), [["shared", PRODUCT_URN, []]]);
        const nlb = cloud.named("shared-nlb");
        assert.equal(nlb.parent, group);
        assert.deepEqual(
            {
                type: nlb.inputs.loadBalancerType,
                internal: nlb.inputs.internal,
                ip: nlb.inputs.ipAddressType,
                sgs: nlb.inputs.securityGroups,
                subnets: nlb.inputs.subnetMappings,
                crossZone: nlb.inputs.enableCrossZoneLoadBalancing,
                protection: nlb.inputs.enableDeletionProtection,
                tags: nlb.inputs.tags,
                deleteBeforeReplace: nlb.deleteBeforeReplace,
            },
            {
                type: "network",
                internal: false,
                ip: "ipv4",
                sgs: [sgId("shared-sg-1")],
                subnets: SUBNETS.map((subnetId) => ({ subnetId })),
                crossZone: true,
                protection: true,
                // The product's tags and the load balancer's name: no single endpoint's tags.
                tags: { team: "data", "db-endpoints:load-balancer": "shared", "managed-by": "pulumi/db-endpoints" },
                deleteBeforeReplace: false,
            },
        );
        assert.deepEqual(
            cloud.ofType("aws:ec2/securityGroup:SecurityGroup").map((r) => [r.name, typeOf(r), r.inputs.description]).sort(),
            [
                ["legacy-sg-1", "db-endpoints:index:DatabaseEndpoint", "db-endpoints legacy: allowlist group 1 and egress to the database"],
                ["shared-sg-1", "db-endpoints:index:EndpointLoadBalancer", "db-endpoints load balancer shared: allowlist group 1 and egress to its databases"],
            ],
        );
    });

    it("gives each endpoint its own listener on its own port, on the shared NLB, and its own target group", () => {
        const nlbArn = `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/shared-nlb/${crypto.createHash("sha256").update("shared-nlb").digest("hex").slice(0, 16)}`;
        const listeners = cloud.ofType("aws:lb/listener:Listener").filter((r) => r.name !== "legacy-listener");
        assert.deepEqual(
            listeners.map((r) => [r.name, r.parent, r.inputs.port, r.inputs.protocol, r.inputs.tcpIdleTimeoutSeconds]).sort(),
            [
                ["billing-listener", endpointUrn("billing"), 6432, "TCP", 3600],
                ["orders-listener", endpointUrn("orders"), 5433, "TCP", 3600],
                ["reporting-listener", endpointUrn("reporting"), 5432, "TCP", 3600],
            ],
        );
        assert.deepEqual(listeners.map((r) => r.inputs.loadBalancerArn), [nlbArn, nlbArn, nlbArn]);
        const groups = cloud.ofType("aws:lb/targetGroup:TargetGroup").filter((r) => r.name !== "legacy-tg");
        assert.deepEqual(groups.map((r) => [r.name, r.parent, r.inputs.port]).sort(), [
            ["billing-tg", endpointUrn("billing"), 5432],
            ["orders-tg", endpointUrn("orders"), 5432],
            ["reporting-tg", endpointUrn("reporting"), 5432],
        ]);
        // Each listener forwards to its own endpoint's group.
        for (const l of listeners) assert.match(l.inputs.defaultActions[0].targetGroupArn, new RegExp(`targetgroup/${l.name.replace("-listener", "-tg")}/`));
        // A target group serves one load balancer: replaced with the shared NLB, as with an endpoint's own.
        for (const g of groups) assert.deepEqual([g.replacementTrigger, g.dependencies], [nlbArn, [urnOfShared("shared-nlb")]]);
        // The self-managed database's target is registered by the program, the RDS ones by target sync.
        assert.deepEqual(cloud.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment").map((r) => [r.name, r.inputs.targetId, r.inputs.port]).sort(), [
            ["legacy-target-10.0.3.18", "10.0.3.18", 3306],
            ["orders-target-10.0.3.17", "10.0.3.17", 5432],
        ]);
        assert.equal(cloud.named("orders-listener").inputs.tags.app, "orders");
    });

    it("admits each allowlist entry on its own endpoint's listener port only, in the shared security group", () => {
        const rules = cloud
            .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            .filter((r) => r.name.includes("-allow-") && !r.name.startsWith("legacy-"))
            .map((r) => [r.name, r.parent, r.inputs.securityGroupId, r.inputs.cidrIpv4, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort]);
        assert.deepEqual(rules, [
            ["reporting-allow-203.0.113.0_24", endpointUrn("reporting"), sgId("shared-sg-1"), "203.0.113.0/24", "tcp", 5432, 5432],
            ["billing-allow-203.0.113.0_24", endpointUrn("billing"), sgId("shared-sg-1"), "203.0.113.0/24", "tcp", 6432, 6432],
            ["billing-allow-198.51.100.9_32", endpointUrn("billing"), sgId("shared-sg-1"), "198.51.100.9/32", "tcp", 6432, 6432],
            ["orders-allow-198.51.100.7_32", endpointUrn("orders"), sgId("shared-sg-1"), "198.51.100.7/32", "tcp", 5433, 5433],
        ]);
    });

    it("reaches the databases with one rule per distinct security group and port: the two RDS instances share theirs", () => {
        const mine = (type: string) => cloud.ofType(type).filter((r) => r.parent === group);
        assert.deepEqual(
            mine("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => [r.name, r.inputs.securityGroupId, r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]),
            [
                [`shared-to-${OWN_SG}-5432`, sgId("shared-sg-1"), OWN_SG, 5432, 5432],
                [`shared-to-${RDS_SG}-5432`, sgId("shared-sg-1"), RDS_SG, 5432, 5432],
            ],
        );
        assert.deepEqual(
            mine("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => [r.name, r.inputs.securityGroupId, r.inputs.referencedSecurityGroupId, r.inputs.fromPort]),
            [
                [`shared-from-nlb-into-${OWN_SG}-5432`, OWN_SG, sgId("shared-sg-1"), 5432],
                [`shared-from-nlb-into-${RDS_SG}-5432`, RDS_SG, sgId("shared-sg-1"), 5432],
            ],
        );
        // No endpoint of the group has database rules of its own (AWS would refuse the duplicates).
        const perEndpoint = cloud.registered.filter((r) => /^(reporting|billing|orders)-(to-|database-from-nlb)/.test(r.name));
        assert.deepEqual(perEndpoint, []);
    });

    it("aliases each hostname to the shared NLB, and outputs per endpoint its port and the group it is in", () => {
        const dns = mockLoadBalancerDnsName("shared-nlb");
        assert.deepEqual(cloud.named("orders-dns-a").inputs.aliases, [{ name: dns, zoneId: "Z26RNL4JYFTOTI", evaluateTargetHealth: true }]);
        assert.deepEqual(
            Object.fromEntries(Object.entries(endpoints).map(([n, e]) => [n, [e.hostname, e.port, e.loadBalancerDnsName, e.loadBalancer, e.securityGroupIds]])),
            {
                reporting: [dns, 5432, dns, "shared", [sgId("shared-sg-1")]],
                billing: [dns, 6432, dns, "shared", [sgId("shared-sg-1")]],
                orders: ["orders.db.example.com", 5433, dns, "shared", [sgId("shared-sg-1")]],
                legacy: [mockLoadBalancerDnsName("legacy-nlb"), 3306, mockLoadBalancerDnsName("legacy-nlb"), undefined, [sgId("legacy-sg-1")]],
            },
        );
        // Absent, not empty, for an endpoint on its own load balancer.
        assert.equal("loadBalancer" in endpoints.legacy, false);
    });

    it("issues the self-managed database's certificate for the shared NLB's DNS name and the endpoint's hostname", () => {
        assert.deepEqual(cloud.named("db-10.0.3.17-5432-csr").inputs.dnsNames, [
            "orders.db.example.com",
            "orders.internal.example.com",
            mockLoadBalancerDnsName("shared-nlb"),
        ].sort());
    });

    it("raised no asynchronous error", () => {
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("a self-managed database reached by two endpoints of one shared load balancer", () => {
    it("gets one certificate naming both hostnames and the shared DNS name once", async () => {
        const database = { addresses: ["10.0.3.17"], port: 5432, securityGroupId: OWN_SG };
        await deploy({
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            endpoints: [
                { name: "office", loadBalancer: "shared", port: 5433, database, allowedCidrs: ["203.0.113.0/24"], hostname: "pg.example.com" },
                { name: "partner", loadBalancer: "shared", port: 5434, database, allowedCidrs: ["198.51.100.7"], hostname: "pg-partner.example.com" },
            ],
        });
        assert.deepEqual(cloud.ofType("tls:index/certRequest:CertRequest").map((r) => [r.name, r.inputs.dnsNames]), [
            ["db-10.0.3.17-5432-csr", [mockLoadBalancerDnsName("shared-nlb"), "pg-partner.example.com", "pg.example.com"].sort()],
        ]);
        // One rule pair to the database's security group serves both endpoints.
        assert.deepEqual(
            cloud.registered.filter((r) => r.parent === group && r.type.startsWith("aws:vpc/")).map((r) => r.name),
            [`shared-to-${OWN_SG}-5432`, `shared-from-nlb-into-${OWN_SG}-5432`],
        );
        assert.deepEqual(cloud.asyncErrors, []);
    });
});

describe("the budget of a shared load balancer's security groups", () => {
    it("spreads the endpoints' rules over as many groups as the quota needs, each rule on its endpoint's port", async () => {
        const cidrs = (n: number, third: number) => Array.from({ length: n }, (_, i) => `198.51.${third}.${i + 1}`);
        // 3 rules per group: the group's first holds its 3 outbound rules (two database security groups, one shared by both RDS instances).
        const raw = config({ quotas: { rulesPerSecurityGroup: 3 } });
        raw.endpoints[0].allowedCidrs = cidrs(3, 100);
        raw.endpoints[1].allowedCidrs = cidrs(2, 101);
        raw.endpoints[2].allowedCidrs = cidrs(2, 102);
        await deploy(raw);
        const groups = cloud.ofType("aws:ec2/securityGroup:SecurityGroup").filter((r) => r.parent === group);
        assert.deepEqual(groups.map((r) => r.name), ["shared-sg-1", "shared-sg-2", "shared-sg-3"]);
        assert.deepEqual(cloud.named("shared-nlb").inputs.securityGroups, groups.map((r) => sgId(r.name)));
        const rules = cloud.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.includes("-allow-") && !r.name.startsWith("legacy"));
        const byGroup = groups.map((g) => rules.filter((r) => r.inputs.securityGroupId === sgId(g.name)).map((r) => `${r.name}:${r.inputs.fromPort}`));
        assert.deepEqual(byGroup, [
            ["reporting-allow-198.51.100.1_32:5432", "reporting-allow-198.51.100.2_32:5432", "reporting-allow-198.51.100.3_32:5432"],
            ["billing-allow-198.51.101.1_32:6432", "billing-allow-198.51.101.2_32:6432", "orders-allow-198.51.102.1_32:5433"],
            ["orders-allow-198.51.102.2_32:5433"],
        ]);
        // The database rules stay in the first group only.
        assert.ok(cloud.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => r.parent === group).every((r) => r.inputs.securityGroupId === sgId("shared-sg-1")));
        assert.deepEqual(cloud.asyncErrors, []);
    });
});

describe("Elastic IPs on a shared load balancer", () => {
    it("allocates them once for the group, and keeps every endpoint's target group across its replacements", async () => {
        const { endpoints } = await deploy(config({}, { elasticIps: true }));
        assert.deepEqual(cloud.ofType("aws:ec2/eip:Eip").map((r) => [r.name, r.parent]), SUBNETS.map((s) => [`shared-eip-${s}`, group]));
        const nlb = cloud.named("shared-nlb");
        assert.equal(nlb.deleteBeforeReplace, true);
        assert.deepEqual(nlb.inputs.subnetMappings.map((m: { allocationId?: string }) => typeof m.allocationId), ["string", "string"]);
        const addresses = endpoints.reporting.publicAddresses;
        assert.equal((addresses as string[]).length, 2);
        for (const n of ["billing", "orders"]) assert.deepEqual(endpoints[n].publicAddresses, addresses);
        for (const n of ["reporting", "billing", "orders"]) {
            const tg = cloud.named(`${n}-tg`);
            assert.equal(tg.replacementTrigger, listener.targetGroupKeptOn("shared"));
            assert.equal(tg.replacementTrigger, "kept-across-load-balancer-replacements on shared load balancer shared");
            assert.deepEqual(tg.dependencies, []);
        }
        assert.deepEqual(cloud.asyncErrors, []);
    });
});

describe("refusals", () => {
    it("refuses every problem of a group through the DatabaseEndpoints component, each with its field, registering nothing", async () => {
        await settle();
        cloud.reset(world());
        const errors = inputPropertyErrors(
            () =>
                new product.DatabaseEndpoints("db-endpoints", {
                    vpcId: VPC,
                    publicSubnetIds: SUBNETS,
                    endpoints: [
                        { name: "a", loadBalancer: "legacy", database: { addresses: ["10.0.3.17"], port: 5432 }, allowedCidrs: ["203.0.113.0/24"] },
                        { name: "b", loadBalancer: "legacy", database: { addresses: ["10.0.3.18"], port: 5432 }, allowedCidrs: ["203.0.113.0/24"], elasticIps: true },
                        { name: "legacy", database: { addresses: ["10.0.3.19"], port: 5432 }, allowedCidrs: ["203.0.113.0/24"] },
                    ],
                }),
            cloud,
        );
        assert.deepEqual(
            errors.map((e) => e.slice(0, e.indexOf(":"))),
            ["endpoints[0].loadBalancer", "endpoints[1].elasticIps", "endpoints[1].port"],
        );
        await settle();
        assert.deepEqual(cloud.registered, []);
    });

    it("refuses each rule of a shared load balancer, all at once, before anything is registered", async () => {
        await settle();
        cloud.reset(world());
        const cidrs = (n: number, third: number) => Array.from({ length: n }, (_, i) => `198.51.${third}.${i + 1}`);
        const pg = (name: string, port: number, extra: Record<string, unknown> = {}) => ({
            name,
            port,
            database: { addresses: [`10.0.5.${port - 5999}`], port: 5432 },
            allowedCidrs: ["203.0.113.0/24"],
            ...extra,
        });
        const fifty = Array.from({ length: 51 }, (_, i) => pg(`m${i}`, 7000 + i, { loadBalancer: "many", database: { addresses: ["10.0.6.1"], port: 5432, securityGroupId: OWN_SG } }));
        const errors = inputPropertyErrors(
            () =>
                new product.DatabaseEndpoints("db-endpoints", {
                    vpcId: VPC,
                    publicSubnetIds: SUBNETS,
                    quotas: { rulesPerSecurityGroup: 60, elasticIpsPerRegion: 1 },
                    endpoints: [
                        pg("a", 6000, { loadBalancer: "Bad" }),
                        pg("b", 6001, { loadBalancer: "big", allowedCidrs: cidrs(200, 100) }),
                        pg("c", 6002, { loadBalancer: "big", allowedCidrs: cidrs(101, 101) }),
                        pg("d", 6003, { loadBalancer: "eips", elasticIps: true, deletionProtection: false }),
                        pg("e", 6003, { loadBalancer: "eips", elasticIps: true, deletionProtection: true }),
                        ...fifty,
                    ],
                }),
            cloud,
        );
        assert.deepEqual(
            errors.map((e) => e.slice(0, e.indexOf(":"))),
            [
                // Its name.
                "endpoints[0].loadBalancer",
                // "big": 301 IPv4 allowlist rules, more than 5 groups of 60 hold.
                "endpoints[2].allowedCidrs",
                // "eips": its endpoints disagree on deletionProtection, and listen on one port.
                "endpoints[4].deletionProtection",
                "endpoints[4].port",
                // "many": a 51st listener.
                "endpoints[55].loadBalancer",
                // "eips" takes 2 Elastic IPs of the quota of 1, once for its two endpoints.
                "endpoints[3].elasticIps",
            ],
        );
        await settle();
        assert.deepEqual(cloud.registered, []);
    });

    it("refuses at deployment two RDS endpoints whose instances listen on the same port, before the load balancer or a listener exists", async () => {
        const raw = config();
        delete (raw.endpoints[1] as { port?: number }).port;
        // The outputs that use the refused port fail, as the deployment does.
        await assert.rejects(deploy(raw));
        await settle();
        const message =
            'invalid arguments for DatabaseEndpoints "db-endpoints" (1 problem):\n  - endpoints[1].port: listener port 5432 (the database\'s port: port is not set) is already ' +
            'endpoints[0]\'s ("reporting") on loadBalancer "shared"; each endpoint of a load balancer listens on its own port, so set port on this endpoint to a port ' +
            'no other endpoint of "shared" uses';
        // The engine wraps it in the resources that use the port; the message is the rule's.
        assert.ok(cloud.asyncErrors.length > 0 && cloud.asyncErrors.every((e) => e.message.endsWith(message)), cloud.asyncErrors.map((e) => e.message).join("\n"));
        assert.deepEqual(cloud.registered.filter((r) => r.name === "shared-nlb" || /^(reporting|billing|orders)-listener$/.test(r.name)), []);
        // The endpoint on its own load balancer is not held up.
        assert.equal(cloud.registered.filter((r) => r.name === "legacy-listener").length, 1);
    });

    it("checks the placement of every database behind the load balancer before it exists", async () => {
        const w = world();
        w.subnets[SUBNETS[1]].availabilityZone = "us-east-1a";
        await deploy(config(), w).catch(() => undefined);
        await settle();
        // prod-postgres is Multi-AZ over us-east-1a and us-east-1b; billing-postgres is in us-east-1a.
        assert.ok(
            cloud.asyncErrors.some((e) =>
                e.message.includes(
                    "load balancer shared: rds:prod-postgres can run in us-east-1b, where the load balancer has no subnet (it has us-east-1a); targets there would receive no traffic",
                ),
            ),
            cloud.asyncErrors.map((e) => e.message).join("\n"),
        );
        assert.deepEqual(cloud.registered.filter((r) => r.name === "shared-nlb"), []);
    });
});
