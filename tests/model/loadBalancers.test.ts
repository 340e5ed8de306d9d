/**
 * Which load balancer each endpoint listens on, and the rules of a shared one, read from the stack config:
 * the load balancers the model plans, the spread of a shared load balancer's allowlist rules over its security
 * groups, and every refusal with the field it names.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IpAddressType } from "../../infra/enums";
import { checkListenerPorts, outboundRuleKeys } from "../../infra/model/loadBalancers";
import { parseStackConfig } from "../../infra/program/config";
import { Problems } from "../../infra/validation";
import { configErrors } from "../../testing/refusals";

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];

function stack(endpoints: unknown[], extra: Record<string, unknown> = {}) {
    return { vpcId: VPC, publicSubnetIds: SUBNETS, endpoints, ...extra };
}

/** A self-managed PostgreSQL endpoint on port 5432, listening on `port` when given. */
function pg(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { name, database: { addresses: [`10.0.3.${name.length + 10}`], port: 5432, securityGroupId: "sg-0123456789abcdef0" }, allowedCidrs: ["203.0.113.0/24"], ...extra };
}

const rds = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["198.51.100.7"], ...extra });

describe("the load balancers of a product", () => {
    it("gives each endpoint its own by default, with the spread of its own rules", () => {
        const { spec } = parseStackConfig(stack([pg("a"), rds("b", { allowedCidrs: ["198.51.100.7", "2001:db8::/48"] })]));
        assert.deepEqual(spec.loadBalancers, [
            {
                name: "a",
                shared: false,
                endpoints: ["a"],
                elasticIps: false,
                ipAddressType: IpAddressType.Ipv4,
                deletionProtection: true,
                securityGroups: [[{ cidr: "203.0.113.0/24", family: "ipv4", endpoint: "a" }]],
                prefixLists: [],
                connectionAudit: { enabled: true, retentionDays: 90 },
            },
            {
                name: "b",
                shared: false,
                endpoints: ["b"],
                elasticIps: false,
                ipAddressType: IpAddressType.Dualstack,
                deletionProtection: true,
                securityGroups: [
                    [
                        { cidr: "198.51.100.7/32", family: "ipv4", endpoint: "b" },
                        { cidr: "2001:db8::/48", family: "ipv6", endpoint: "b" },
                    ],
                ],
                prefixLists: [],
                connectionAudit: { enabled: true, retentionDays: 90 },
            },
        ]);
        assert.deepEqual(spec.endpoints.map((e) => e.loadBalancer), [undefined, undefined]);
    });

    it("puts the endpoints that name one loadBalancer on it, in the order of its first endpoint", () => {
        const { spec } = parseStackConfig(
            stack([
                pg("a", { loadBalancer: "shared", port: 5433 }),
                rds("b"),
                pg("cc", { loadBalancer: "shared", allowedCidrs: ["203.0.113.0/24", "2001:db8::/48"], ipAddressType: "dualstack" }),
                rds("d", { loadBalancer: "other" }),
            ].map((e, i) => (i === 0 ? { ...e, ipAddressType: "dualstack" } : e))),
        );
        assert.deepEqual(
            spec.loadBalancers.map((lb) => [lb.name, lb.shared, lb.endpoints, lb.ipAddressType]),
            [
                ["shared", true, ["a", "cc"], "dualstack"],
                ["b", false, ["b"], "ipv4"],
                ["other", true, ["d"], "ipv4"],
            ],
        );
        // The same CIDR for two endpoints is two rules: each admits its own endpoint's port.
        assert.deepEqual(spec.loadBalancers[0].securityGroups, [
            [
                { cidr: "203.0.113.0/24", family: "ipv4", endpoint: "a" },
                { cidr: "203.0.113.0/24", family: "ipv4", endpoint: "cc" },
                { cidr: "2001:db8::/48", family: "ipv6", endpoint: "cc" },
            ],
        ]);
        assert.deepEqual(spec.endpoints.map((e) => e.loadBalancer), ["shared", undefined, "shared", "other"]);
    });

    it("spreads a shared load balancer's rules over its security groups within the quotas, endpoint after endpoint", () => {
        const cidrs = (n: number, third: number) => Array.from({ length: n }, (_, i) => `198.51.${third}.${i + 1}`);
        const { spec } = parseStackConfig(
            stack(
                [
                    pg("a", { loadBalancer: "shared", port: 5433, allowedCidrs: cidrs(3, 100) }),
                    pg("b", { loadBalancer: "shared", port: 5434, allowedCidrs: [...cidrs(2, 101), "2001:db8:1::/48", "2001:db8:2::/48", "2001:db8:3::/48"], ipAddressType: "dualstack" }),
                    pg("c", { loadBalancer: "shared", port: 5435, allowedCidrs: cidrs(2, 102) }),
                ].map((e) => ({ ...e, ipAddressType: "dualstack" })),
                { quotas: { rulesPerSecurityGroup: 2 } },
            ),
        );
        const groups = spec.loadBalancers[0].securityGroups.map((g) => g.map((r) => `${r.endpoint}:${r.cidr}`));
        assert.deepEqual(groups, [
            ["a:198.51.100.1/32", "a:198.51.100.2/32", "b:2001:db8:1::/48", "b:2001:db8:2::/48"],
            ["a:198.51.100.3/32", "b:198.51.101.1/32", "b:2001:db8:3::/48"],
            ["b:198.51.101.2/32", "c:198.51.102.1/32"],
            ["c:198.51.102.2/32"],
        ]);
    });

    it("keys the outbound rules a shared load balancer needs by what AWS compares: group and port, or address and port", () => {
        const { spec } = parseStackConfig(
            stack([
                rds("a", { loadBalancer: "s", port: 6000 }),
                pg("b", { loadBalancer: "s", port: 6001 }),
                { name: "c", loadBalancer: "s", port: 6002, database: { addresses: ["10.0.3.1", "10.0.3.2"], port: 3306 }, allowedCidrs: ["203.0.113.0/24"] },
            ]),
        );
        assert.deepEqual(spec.endpoints.map(outboundRuleKeys), [
            ["rds:prod-postgres:"],
            ["sg:sg-0123456789abcdef0:5432"],
            ["address:10.0.3.1:3306", "address:10.0.3.2:3306"],
        ]);
    });
});

describe("the listener ports of a shared load balancer", () => {
    it("refuses two PostgreSQL endpoints that both listen on the database's 5432, saying to set port", () => {
        assert.deepEqual(configErrors(stack([pg("a", { loadBalancer: "shared" }), pg("b", { loadBalancer: "shared" })])), [
            'endpoints[1].port: listener port 5432 (the database\'s port: port is not set) is already endpoints[0]\'s ("a") on loadBalancer "shared"; ' +
                'each endpoint of a load balancer listens on its own port, so set port on this endpoint to a port no other endpoint of "shared" uses',
        ]);
    });

    it("refuses a port set twice, and accepts the same port on different load balancers", () => {
        assert.deepEqual(configErrors(stack([pg("a", { loadBalancer: "s", port: 6000 }), rds("b", { loadBalancer: "s", port: 6000 })])), [
            'endpoints[1].port: listener port 6000 is already endpoints[0]\'s ("a") on loadBalancer "s"; ' +
                'each endpoint of a load balancer listens on its own port, so set port on this endpoint to a port no other endpoint of "s" uses',
        ]);
        const { spec } = parseStackConfig(stack([pg("a", { loadBalancer: "s" }), pg("b", { loadBalancer: "t" }), pg("c")]));
        assert.deepEqual(spec.loadBalancers.map((l) => l.name), ["s", "t", "c"]);
    });

    it("leaves an RDS endpoint without port to the deployment, where the same rule sees the instance's port", () => {
        const { spec } = parseStackConfig(stack([rds("a", { loadBalancer: "s" }), rds("b", { loadBalancer: "s" })]));
        assert.deepEqual(spec.loadBalancers[0].endpoints, ["a", "b"]);
        const problems = new Problems();
        checkListenerPorts(problems, "s", [
            { path: "endpoints[0]", endpoint: "a", port: 5432, byDefault: true },
            { path: "endpoints[1]", endpoint: "b", port: 5432, byDefault: true },
        ]);
        assert.deepEqual(problems.errors.map((p) => p.path), ["endpoints[1].port"]);
    });
});

describe("what the endpoints of a shared load balancer must agree on", () => {
    it("refuses a disagreement on elasticIps, ipAddressType or deletionProtection, naming both endpoints and the field", () => {
        const endpoints = [
            pg("a", { loadBalancer: "shared", port: 6000 }),
            pg("b", { loadBalancer: "shared", port: 6001, elasticIps: true }),
            pg("c", { loadBalancer: "shared", port: 6002, allowedCidrs: ["2001:db8::/48"] }),
            pg("d", { loadBalancer: "shared", port: 6003, deletionProtection: false }),
        ];
        assert.deepEqual(configErrors(stack(endpoints)), [
            'endpoints[1].elasticIps: is true, but endpoints[0] ("a"), on the same loadBalancer "shared", has false; the endpoints of a load balancer share its ' +
                'Elastic IPs (and so its addresses), so set elasticIps to the same value on every endpoint of "shared"',
            'endpoints[2].ipAddressType: is "dualstack", but endpoints[0] ("a"), on the same loadBalancer "shared", has "ipv4"; the endpoints of a load balancer share its ' +
                "address families (an endpoint whose allowlist has IPv6 entries is dualstack unless ipAddressType says otherwise), so set ipAddressType to the same value " +
                'on every endpoint of "shared"',
            'endpoints[3].deletionProtection: is false, but endpoints[0] ("a"), on the same loadBalancer "shared", has true; the endpoints of a load balancer share its ' +
                'deletion protection (true unless set), so set deletionProtection to the same value on every endpoint of "shared"',
        ]);
    });

    it("accepts them once they agree", () => {
        const { spec } = parseStackConfig(
            stack([
                pg("a", { loadBalancer: "shared", port: 6000, elasticIps: true, ipAddressType: "dualstack", deletionProtection: false }),
                pg("b", { loadBalancer: "shared", port: 6001, elasticIps: true, allowedCidrs: ["2001:db8::/48"], deletionProtection: false }),
            ]),
        );
        assert.deepEqual(
            spec.loadBalancers.map((l) => [l.elasticIps, l.ipAddressType, l.deletionProtection]),
            [[true, "dualstack", false]],
        );
    });
});

describe("the names of shared load balancers", () => {
    it("applies the endpoint name rules", () => {
        const errors = configErrors(
            stack([
                pg("a", { loadBalancer: "Shared" }),
                pg("b", { loadBalancer: "sg-shared" }),
                pg("c", { loadBalancer: "internal-lb" }),
                pg("d", { loadBalancer: "a-name-far-too-long-for-aws" }),
                pg("e", { loadBalancer: "" }),
                pg("f", { loadBalancer: 7 }),
            ]),
        );
        assert.deepEqual(errors, [
            'endpoints[0].loadBalancer: "Shared" is not a valid name: use lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen',
            'endpoints[1].loadBalancer: "sg-shared" would name the load balancer\'s security groups "sg-shared-sg-1-...", and AWS refuses security group names that start with "sg-"; choose a name that does not start with "sg-"',
            'endpoints[2].loadBalancer: "internal-lb" starts with "internal", which AWS does not allow at the start of a load balancer name',
            "endpoints[3].loadBalancer: \"a-name-far-too-long-for-aws\" is 27 characters; at most 20 fit AWS's 32-character load balancer and target group names",
            'endpoints[4].loadBalancer: is empty; name the shared load balancer (e.g. "shared"), or leave loadBalancer out for a load balancer of its own',
            "endpoints[5].loadBalancer: 7 is not a name (a string)",
        ]);
    });

    it("refuses a name an endpoint has: their resources would be named alike (group \"a\", endpoint \"a\")", () => {
        assert.deepEqual(configErrors(stack([pg("a"), pg("b", { loadBalancer: "a", port: 6000 }), pg("c", { loadBalancer: "a", port: 6001 })])), [
            'endpoints[1].loadBalancer: "a" is also the name of endpoints[0]; a shared load balancer\'s resources are named like an endpoint\'s ("a-nlb", "a-sg-1"), ' +
                "so give the load balancer a name no endpoint has",
        ]);
        // Also when the endpoint of that name is on the load balancer itself.
        assert.deepEqual(configErrors(stack([pg("a", { loadBalancer: "a" })])).length, 1);
    });
});

describe("what one load balancer can carry", () => {
    it("refuses a 51st endpoint: a Network Load Balancer has at most 50 listeners", () => {
        const many = Array.from({ length: 51 }, (_, i) => pg(`e${i}`, { loadBalancer: "shared", port: 6000 + i }));
        assert.deepEqual(configErrors(stack(many)), [
            'endpoints[50].loadBalancer: "shared" has 51 endpoints, more than the 50 listeners a Network Load Balancer can have (an AWS limit that cannot be raised; ' +
                "one listener per endpoint): put 1 of them (from endpoints[50] on) on another loadBalancer",
        ]);
        assert.equal(parseStackConfig(stack(many.slice(0, 50))).spec.loadBalancers[0].endpoints.length, 50);
    });

    it("refuses allowlists that together need more rules than its security groups hold, naming the load balancer and the counts", () => {
        const cidrs = (n: number, third: number) => Array.from({ length: n }, (_, i) => `198.51.${third}.${i + 1}`);
        const endpoints = [
            pg("a", { loadBalancer: "shared", port: 6000, allowedCidrs: cidrs(200, 100) }),
            pg("b", { loadBalancer: "shared", port: 6001, allowedCidrs: ["2001:db8::/48"], ipAddressType: "dualstack" }),
            pg("c", { loadBalancer: "shared", port: 6002, allowedCidrs: cidrs(101, 101) }),
        ].map((e): Record<string, unknown> => ({ ...e, ipAddressType: "dualstack" }));
        assert.deepEqual(configErrors(stack(endpoints)), [
            'endpoints[2].allowedCidrs: loadBalancer "shared" would need 301 IPv4 allowlist rules for its endpoints (endpoints[0] "a" 200, endpoints[2] "c" 101), ' +
                "more than one load balancer can carry (5 security groups x 60 rules = 300); move an endpoint to another loadBalancer, merge entries into wider CIDRs, " +
                'or raise the quotas in Service Quotas and in config "quotas"',
        ]);
        // Each allowlist alone fits: the budget is the load balancer's, shared by its endpoints.
        assert.equal(parseStackConfig(stack(endpoints.map(({ loadBalancer: _, ...e }) => e))).spec.loadBalancers.length, 3);
        // And raising the quota makes room.
        assert.equal(parseStackConfig(stack(endpoints, { quotas: { rulesPerSecurityGroup: 61 } })).spec.loadBalancers[0].securityGroups.length, 5);
    });

    it("refuses more outbound rules (one per database group and port, or per address) than a security group holds", () => {
        const endpoint = (i: number) => ({
            name: `e${i}`,
            loadBalancer: "shared",
            port: 6000 + i,
            database: { addresses: [`10.0.4.${2 * i + 1}`, `10.0.4.${2 * i + 2}`], port: 5432 },
            allowedCidrs: ["203.0.113.0/24"],
        });
        const endpoints = Array.from({ length: 3 }, (_, i) => endpoint(i));
        assert.deepEqual(configErrors(stack(endpoints, { quotas: { rulesPerSecurityGroup: 5 } })), [
            'endpoints[2].loadBalancer: loadBalancer "shared" would need more than 5 outbound rules (quotas.rulesPerSecurityGroup) in its first security group, ' +
                "one per database security group and port, and one per address of a self-managed database without securityGroupId; " +
                "set database.securityGroupId on the self-managed databases, or move this endpoint to another loadBalancer",
        ]);
        // Endpoints that reach the same database need one rule: the same addresses and port are one key.
        const sameDatabase = Array.from({ length: 3 }, (_, i) => ({ ...endpoint(i), database: { addresses: ["10.0.4.1", "10.0.4.2"], port: 5432 } }));
        assert.equal(parseStackConfig(stack(sameDatabase, { quotas: { rulesPerSecurityGroup: 5 } })).spec.loadBalancers.length, 1);
    });

    it("counts a shared load balancer's Elastic IPs once, not once per endpoint", () => {
        const shared = [pg("a", { loadBalancer: "s", port: 6000, elasticIps: true }), pg("b", { loadBalancer: "s", port: 6001, elasticIps: true })];
        // Two endpoints on their own load balancers would need 4 of a quota of 3; on one they need 2.
        assert.deepEqual(configErrors(stack(shared.map(({ loadBalancer: _, ...e }) => e), { quotas: { elasticIpsPerRegion: 3 } })).length, 1);
        assert.equal(parseStackConfig(stack(shared, { quotas: { elasticIpsPerRegion: 3 } })).spec.loadBalancers.length, 1);
        assert.deepEqual(configErrors(stack([...shared, pg("c", { elasticIps: true })], { quotas: { elasticIpsPerRegion: 3 } })), [
            'endpoints[2].elasticIps: 2 load balancers with elasticIps (loadBalancer "s" (endpoints[0], endpoints[1]), endpoints[2]) need 4 Elastic IPs, one per public subnet (2), ' +
                "more than quotas.elasticIpsPerRegion (3); addresses allocated in the region outside this stack count against the same quota. " +
                'Turn elasticIps off on 1 load balancer (on every endpoint of a shared one), or raise "EC2-VPC Elastic IPs" in Service Quotas and then quotas.elasticIpsPerRegion',
        ]);
    });
});

describe("every problem at once", () => {
    it("reports a shared load balancer's problems with the endpoints' own, each under its field", () => {
        const errors = configErrors(
            stack([
                pg("a", { loadBalancer: "shared", idleTimeoutSeconds: 10 }),
                pg("b", { loadBalancer: "shared", elasticIps: true }),
                pg("shared"),
            ]),
        );
        // An endpoint with an error of its own is left out of the load balancer's rules (they would compare it
        // with values it does not have), but the rules still run for the others.
        assert.deepEqual(
            errors.map((e) => e.slice(0, e.indexOf(":"))),
            ["endpoints[0].idleTimeoutSeconds", "endpoints[1].loadBalancer"],
        );
        // With the endpoint's own error fixed, the load balancer's come out, all of them.
        const fixed = configErrors(stack([pg("a", { loadBalancer: "shared" }), pg("b", { loadBalancer: "shared", elasticIps: true }), pg("shared")]));
        assert.deepEqual(
            fixed.map((e) => e.slice(0, e.indexOf(":"))),
            ["endpoints[0].loadBalancer", "endpoints[1].elasticIps", "endpoints[1].port"],
        );
    });
});
