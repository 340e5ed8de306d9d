/**
 * An endpoint's allowlist entries that expire, carry a note, or name a managed prefix list, under the mock runtime
 * with the program's clock pinned: exact rules, descriptions and tags; expired entries not registered, and no other
 * rule moved by an expiry; an endpoint whose entries all expired closed; prefix lists looked up at deployment and
 * refused, with the field named, before the load balancer exists when AWS's count of them does not fit.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { endpointArgs } from "../../testing/endpointArgs";
import { exampleWorld, FakeWorld, installMockCloud, MOCK_NOW, MockCloud, settle, unwrap } from "../../testing/mockCloud";
import { interceptWarnings } from "../../testing/warnings";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let components: typeof import("../../infra/components/databaseEndpoint");
let model: typeof import("../../infra/model/allowlist");
const warnings: string[] = [];

interceptWarnings(async (message: string) => {
    if (!message.includes("load balancer's private address")) warnings.push(message);
});

/** The program runs at 2027-01-20T12:00:00Z. */
const NOW = Date.parse("2027-01-20T12:00:00Z");

before(async () => {
    cloud = installMockCloud();
    components = await import("../../infra/components/databaseEndpoint");
    model = await import("../../infra/model/allowlist");
    model.allowlistClock.now = () => NOW;
});
after(() => {
    model.allowlistClock.now = () => MOCK_NOW;
});

async function fresh(world: FakeWorld = exampleWorld()) {
    await settle();
    cloud.reset(world);
    warnings.length = 0;
}
beforeEach(() => fresh());

const sgId = (name: string) => `sg-${crypto.createHash("sha256").update(name).digest("hex").slice(0, 17)}`;
const ingress = () => cloud.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.includes("-allow-"));

const ENTRIES = [
    { cidr: "198.51.100.1", expires: "2027-01-01", note: "old vendor" },
    { cidr: "198.51.100.2", expires: "2027-01-25T00:00:00Z" },
    { cidr: "198.51.100.3", expires: "2027-06-30", note: "Acme BI trial, ticket OPS-1234" },
];
const TAGS = { "db-endpoints:endpoint": "vendor", "managed-by": "pulumi/db-endpoints" };

describe("entries that expire", () => {
    // A rule the scheduled function already revoked is simply not declared once its entry has expired, so the next
    // `pulumi up` deletes it from the state: the AWS provider's aws_vpc_security_group_ingress_rule Delete calls
    // RevokeSecurityGroupIngress and treats InvalidSecurityGroupRuleId.NotFound (and InvalidGroup.NotFound) as done,
    // and its Read removes a rule it cannot find from the state (`pulumi refresh`): neither fails, and nothing
    // recreates the rule (hashicorp/terraform-provider-aws, internal/service/ec2/vpc_security_group_ingress_rule.go).
    it("registers no rule for the expired entry, and tags and describes the others with their expiry and note", async () => {
        const e = new components.DatabaseEndpoint("vendor", endpointArgs({ allowlist: ENTRIES }));
        const expiring = await unwrap(e.expiringRuleSecurityGroupIds);
        const admitted = await unwrap(e.allowedCidrs);
        await settle();
        assert.deepEqual(
            ingress()
                .map((r) => ({ name: r.name, sg: r.inputs.securityGroupId, cidr: r.inputs.cidrIpv4, port: [r.inputs.fromPort, r.inputs.toPort], description: r.inputs.description, tags: r.inputs.tags }))
                .sort((a, b) => a.name.localeCompare(b.name)),
            [
                { name: "vendor-allow-198.51.100.2_32", sg: sgId("vendor-sg-1"), cidr: "198.51.100.2/32", port: [5432, 5432], description: "db-endpoints vendor: allowlisted client until 2027-01-25T00:00:00Z", tags: { ...TAGS, "db-endpoints:expires": "2027-01-25T00:00:00Z" } },
                {
                    name: "vendor-allow-198.51.100.3_32",
                    sg: sgId("vendor-sg-1"),
                    cidr: "198.51.100.3/32",
                    port: [5432, 5432],
                    description: "db-endpoints vendor: allowlisted client until 2027-06-30T00:00:00Z (Acme BI trial, ticket OPS-1234)",
                    tags: { ...TAGS, "db-endpoints:expires": "2027-06-30T00:00:00Z", "db-endpoints:note": "Acme BI trial, ticket OPS-1234" },
                },
                { name: "vendor-allow-203.0.113.0_24", sg: sgId("vendor-sg-1"), cidr: "203.0.113.0/24", port: [5432, 5432], description: "db-endpoints vendor: allowlisted client", tags: TAGS },
            ],
        );
        assert.deepEqual(admitted, ["203.0.113.0/24", "198.51.100.2/32", "198.51.100.3/32"]);
        // Where the scheduled revocation looks: the group that holds the expiring rules.
        assert.deepEqual(expiring, [sgId("vendor-sg-1")]);
        assert.deepEqual(warnings, [
            'allowlist[0].expires: "198.51.100.1" expired at 2027-01-01T00:00:00Z: it admits nobody, so no rule is deployed for it (one still in AWS is deleted by this deployment); delete the entry, or set a later expires to admit it again',
            'allowlist[1].expires: "198.51.100.2" expires at 2027-01-25T00:00:00Z, in 4 days: its rule is revoked then, without a deployment; set a later expires to keep admitting it',
        ]);
        assert.deepEqual(cloud.asyncErrors, []);
    });

    it("warns as far ahead as allowlistExpiryWarningDays says", async () => {
        new components.DatabaseEndpoint("vendor", endpointArgs({ allowlist: ENTRIES.slice(1), allowlistExpiryWarningDays: 0 }));
        await settle();
        assert.deepEqual(warnings, []);
        await fresh();
        new components.DatabaseEndpoint("vendor", endpointArgs({ allowlist: ENTRIES.slice(1), allowlistExpiryWarningDays: 365 }));
        await settle();
        assert.equal(warnings.length, 2);
    });

    it("moves no other rule when an entry expires: the expired one keeps its place in the spread", async () => {
        // 3 rules per group: the third entry, in the second group, stays there once the first has expired.
        const entries = (expires: string) => [{ cidr: "198.51.100.1", expires }, { cidr: "198.51.100.2" }, { cidr: "198.51.100.3" }];
        const groupsOf = () => Object.fromEntries(ingress().map((r) => [r.name, r.inputs.securityGroupId]));
        new components.DatabaseEndpoint("vendor", endpointArgs({ allowedCidrs: ["203.0.113.0/24"], allowlist: entries("2027-06-30"), rulesPerSecurityGroup: 2 }));
        await settle();
        const before = groupsOf();
        const groupsBefore = cloud.ofType("aws:ec2/securityGroup:SecurityGroup").map((r) => [r.name, r.inputs.description]);
        await fresh();
        new components.DatabaseEndpoint("vendor", endpointArgs({ allowedCidrs: ["203.0.113.0/24"], allowlist: entries("2027-01-01"), rulesPerSecurityGroup: 2 }));
        await settle();
        const { ["vendor-allow-198.51.100.1_32"]: gone, ...rest } = before;
        assert.equal(gone, sgId("vendor-sg-1"));
        assert.deepEqual(groupsOf(), rest);
        assert.deepEqual(rest["vendor-allow-198.51.100.3_32"], sgId("vendor-sg-2"));
        // The security groups are the same (names and descriptions, which AWS cannot change): none is replaced.
        assert.deepEqual(cloud.ofType("aws:ec2/securityGroup:SecurityGroup").map((r) => [r.name, r.inputs.description]), groupsBefore);
    });

    it("closes an endpoint whose entries have all expired: its load balancer and groups stay, no rule admits anybody", async () => {
        const e = new components.DatabaseEndpoint("vendor", endpointArgs({ allowedCidrs: [], allowlist: [ENTRIES[0]] }));
        assert.deepEqual(await unwrap(e.allowedCidrs), []);
        await settle();
        assert.deepEqual(ingress(), []);
        assert.equal(cloud.ofType("aws:lb/loadBalancer:LoadBalancer").length, 1);
        assert.deepEqual(cloud.ofType("aws:ec2/securityGroup:SecurityGroup").map((r) => r.name), ["vendor-sg-1"]);
        assert.equal(
            warnings.at(-1),
            "allowedCidrs: every allowlist entry has expired, so the endpoint admits nobody: it stays closed, with no rule that admits a client, until an entry is added or given a later expires",
        );
        assert.deepEqual(cloud.asyncErrors, []);
    });

    it("from the stack config's mixed allowedCidrs: the same rules, and the same expiring groups for the product", async () => {
        const outputs = runStackProgram(cloud, {
            vpcId: "vpc-0a1b2c3d4e5f60718",
            publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
            targetSync: false,
            endpoints: [{ name: "vendor", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24", ...ENTRIES] }],
        });
        assert.deepEqual(await unwrap(outputs.endpoints.vendor.allowedCidrs), ["203.0.113.0/24", "198.51.100.2/32", "198.51.100.3/32"]);
        await settle();
        assert.deepEqual(ingress().map((r) => r.name).sort(), ["vendor-allow-198.51.100.2_32", "vendor-allow-198.51.100.3_32", "vendor-allow-203.0.113.0_24"]);
        const product = await import("../../infra/components/databaseEndpoints/databaseEndpoints");
        const endpoint = new components.DatabaseEndpoint("other", endpointArgs({ allowlist: [ENTRIES[2]] }));
        assert.deepEqual(await unwrap(product.expiringRuleSecurityGroupIds([endpoint, endpoint])), [sgId("other-sg-1")]);
    });
});

/** The example account with customer-managed prefix lists. */
function worldWithLists(): FakeWorld {
    const w = exampleWorld();
    w.prefixLists = {
        "pl-0123456789abcdef0": { maxEntries: 20, addressFamily: "IPv4", entries: ["198.51.100.0/26", "198.51.100.128/26"] },
        "pl-00000000000000b16": { maxEntries: 61, addressFamily: "IPv4", entries: ["198.51.100.0/26"] },
        "pl-000000000000000a6": { maxEntries: 10, addressFamily: "IPv6", entries: ["2001:db8:5::/48"] },
        "pl-00000000000000a1d": { maxEntries: 5, addressFamily: "IPv4", entries: ["0.0.0.0/1"] },
    };
    return w;
}

describe("managed prefix lists", () => {
    it("references each list in one rule, in a security group of its own, once AWS says how large it is", async () => {
        await fresh(worldWithLists());
        const e = new components.DatabaseEndpoint("vendor", endpointArgs({ allowlist: [{ prefixList: "pl-0123456789abcdef0", note: "partner egress" }] }));
        assert.deepEqual(await unwrap(e.allowedPrefixLists), ["pl-0123456789abcdef0"]);
        await settle();
        assert.deepEqual(cloud.ofType("aws:ec2/securityGroup:SecurityGroup").map((r) => [r.name, r.inputs.description]), [
            ["vendor-sg-1", "db-endpoints vendor: allowlist group 1 and egress to the database"],
            ["vendor-sg-2", "db-endpoints vendor: allowlist group 2"],
        ]);
        assert.deepEqual(cloud.named("vendor-nlb").inputs.securityGroups, [sgId("vendor-sg-1"), sgId("vendor-sg-2")]);
        const rule = cloud.named("vendor-allow-pl-0123456789abcdef0").inputs;
        assert.deepEqual(rule, {
            securityGroupId: sgId("vendor-sg-2"),
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            prefixListId: "pl-0123456789abcdef0",
            description: "db-endpoints vendor: allowlisted clients in prefix list pl-0123456789abcdef0 (partner egress)",
            tags: { ...TAGS, "db-endpoints:note": "partner egress" },
        });
        assert.deepEqual(cloud.invokes.filter((i) => i.token === "aws:ec2/getManagedPrefixList:getManagedPrefixList").map((i) => i.inputs.id), ["pl-0123456789abcdef0"]);
        assert.deepEqual(cloud.asyncErrors, []);
    });

    it("fails the deployment, naming the entry, before the load balancer exists when the list's maximum entries do not fit", async () => {
        await fresh(worldWithLists());
        const e = new components.DatabaseEndpoint("vendor", endpointArgs({ allowlist: [{ prefixList: "pl-00000000000000b16" }] }));
        await assert.rejects(unwrap(e.loadBalancerArn), (err: Error) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(err), String(err));
            assert.deepEqual(
                err.errors.map((x) => `${x.propertyPath}: ${x.reason}`),
                [
                    'allowlist[0].prefixList: prefix list "pl-00000000000000b16" counts as 61 IPv4 rules, its maximum number of entries (AWS counts a reference to a prefix list as the list\'s maximum entries, not its current ones), in the security group that holds the load balancer\'s prefix lists, more than rulesPerSecurityGroup (60); use a prefix list with fewer maximum entries, move an endpoint to another load balancer, or raise "Inbound or outbound rules per security group" in Service Quotas and then rulesPerSecurityGroup',
                ],
            );
            // (The mock runtime prefixes the properties it was serializing; the engine shows the message itself.)
            assert.match(err.message, /invalid arguments for DatabaseEndpoint "vendor" \(1 problem\):\n {2}- allowlist\[0\]\.prefixList: prefix list "pl-00000000000000b16" counts as 61/);
            return true;
        });
        await settle();
        assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer"), []);
        assert.deepEqual(cloud.registered.filter((r) => r.name === "vendor-allow-pl-00000000000000b16"), []);
    });

    it("fails the deployment for an IPv6 list on an IPv4 load balancer, and for a list wider than the guard allows", async () => {
        await fresh(worldWithLists());
        const e = new components.DatabaseEndpoint("vendor", endpointArgs({ allowlist: [{ prefixList: "pl-000000000000000a6" }, { prefixList: "pl-00000000000000a1d" }] }));
        await assert.rejects(unwrap(e.loadBalancerArn), (err: Error) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(err), String(err));
            assert.deepEqual(
                err.errors.map((x) => x.propertyPath),
                ["allowlist[0].prefixList", "allowlist[1].prefixList"],
            );
            assert.match(err.errors[1].reason, /^prefix list "pl-00000000000000a1d" holds "0.0.0.0\/1", which is wider than \/8/);
            return true;
        });
        await settle();
        assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer"), []);
    });

    it("on a shared load balancer, counts every endpoint's lists against the one group that holds them", async () => {
        const w = worldWithLists();
        w.prefixLists!["pl-000000000000000aa"] = { maxEntries: 40, addressFamily: "IPv4", entries: ["203.0.113.0/26"] };
        await fresh(w);
        const db = (n: number) => ({ addresses: [`10.0.3.${n}`], port: 5432, securityGroupId: "sg-0123456789abcdef0" });
        const outputs = runStackProgram(cloud, {
            vpcId: "vpc-0a1b2c3d4e5f60718",
            publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
            endpoints: [
                { name: "a", loadBalancer: "shared", database: db(17), allowedCidrs: ["203.0.113.9", { prefixList: "pl-000000000000000aa" }] },
                { name: "b", loadBalancer: "shared", port: 5433, database: db(18), allowedCidrs: [{ prefixList: "pl-0123456789abcdef0" }] },
            ],
        });
        assert.match(await unwrap(outputs.endpoints.a.loadBalancerDnsName), /^shared-nlb-/);
        await settle();
        // 40 + 20 = 60 fits exactly: the load balancer is built, with the lists in its second group.
        assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer").map((r) => r.name), ["shared-nlb"]);
        assert.deepEqual(
            ["a-allow-pl-000000000000000aa", "b-allow-pl-0123456789abcdef0"].map((n) => [cloud.named(n).inputs.securityGroupId, cloud.named(n).inputs.fromPort]),
            [
                [sgId("shared-sg-2"), 5432],
                [sgId("shared-sg-2"), 5433],
            ],
        );
        // One entry more is one rule too many.
        w.prefixLists!["pl-0123456789abcdef0"].maxEntries = 21;
        await fresh(w);
        const over = runStackProgram(cloud, {
            vpcId: "vpc-0a1b2c3d4e5f60718",
            publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
            endpoints: [
                { name: "a", loadBalancer: "shared", database: db(17), allowedCidrs: ["203.0.113.9", { prefixList: "pl-000000000000000aa" }] },
                { name: "b", loadBalancer: "shared", port: 5433, database: db(18), allowedCidrs: [{ prefixList: "pl-0123456789abcdef0" }] },
            ],
        });
        await assert.rejects(unwrap(over.endpoints.b.loadBalancerDnsName), (err: Error) => {
            assert.ok(pulumi.InputPropertiesError.isInstance(err), String(err));
            assert.deepEqual(
                err.errors.map((x) => `${x.propertyPath}: ${x.reason}`),
                [
                    'endpoints[1].allowlist[0].prefixList: prefix list "pl-0123456789abcdef0" counts as 21 IPv4 rules, its maximum number of entries (AWS counts a reference to a prefix list as the list\'s maximum entries, not its current ones), in the security group that holds loadBalancer "shared"\'s prefix lists; with "pl-000000000000000aa" (40) that is 61, more than quotas.rulesPerSecurityGroup (60); use a prefix list with fewer maximum entries, move an endpoint to another load balancer, or raise "Inbound or outbound rules per security group" in Service Quotas and then quotas.rulesPerSecurityGroup',
                ],
            );
            assert.match(err.message, /invalid arguments for DatabaseEndpoints "db-endpoints" \(1 problem\):\n {2}- endpoints\[1\]\.allowlist\[0\]\.prefixList: /);
            return true;
        });
        await settle();
        assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer"), []);
    });
});
