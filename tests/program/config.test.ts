/**
 * Stack config validation: one test per class of bad input, each pinning the exact field path and
 * message; all problems come back at once, before any resource is registered.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DATABASE_KEYS, decodeStackConfig, ENDPOINT_KEYS, parseStackConfig, STACK_KEYS, toComponentArgs } from "../../infra/program/config";
import { configErrors as errorsOf } from "../../testing/refusals";

const base = () => ({
    vpcId: "vpc-0a1b2c3d4e5f60718",
    publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
    endpoints: [{ name: "reporting", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] }],
    // Where the alarms notify: without it every config warns that they notify no one (tests/model/alarms.test.ts).
    alarms: { emails: ["oncall@example.com"] },
});

function withEndpoint(endpoint: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return { ...base(), endpoints: [endpoint], ...extra };
}

const rds = { rdsInstanceIdentifier: "prod-postgres" };

describe("parseStackConfig accepts", () => {
    it("the example endpoint, with the defaults filled in", () => {
        const withoutAlarms: Record<string, unknown> = base();
        delete withoutAlarms.alarms;
        const { spec, warnings } = parseStackConfig(withoutAlarms);
        assert.deepEqual(spec.endpoints, [
            {
                name: "reporting",
                database: { kind: "rds", rdsInstanceIdentifier: "prod-postgres", securityGroupId: undefined },
                port: undefined,
                allowedCidrs: ["203.0.113.0/24"],
                allowlistEntries: [],
                allowlist: [{ cidr: "203.0.113.0/24", family: "ipv4" }],
                prefixLists: [],
                allowPublicInternet: false,
                idleTimeoutSeconds: 3600,
                elasticIps: false,
                hostname: undefined,
                hostedZoneId: undefined,
                ipAddressType: "ipv4",
                deletionProtection: true,
                tags: {},
                connectionAudit: { enabled: true, retentionDays: 90 },
            },
        ]);
        assert.deepEqual(spec.quotas, { rulesPerSecurityGroup: 60, securityGroupsPerLoadBalancer: 5, elasticIpsPerRegion: 5 });
        assert.equal(spec.allowlistExpiryWarningDays, 14);
        assert.equal(spec.connectionAuditRetentionDays, 90);
        // Alarms are on by default; with nowhere to notify, they are created without actions and every run says so.
        assert.deepEqual(spec.alarms, { enabled: true, emails: [], certificateExpiryDays: 30 });
        assert.deepEqual(warnings.map((w) => w.path), ["alarms"]);
    });

    it("a self-managed database with every optional field", () => {
        const { spec } = parseStackConfig(
            withEndpoint({
                name: "legacy-mysql",
                database: { addresses: ["10.0.3.17", "10.0.4.17"], port: 3306, securityGroupId: "sg-0123456789abcdef0" },
                port: 13306,
                allowedCidrs: ["198.51.100.7", "2001:db8::/32"],
                idleTimeoutSeconds: 60,
                elasticIps: true,
                hostname: "legacy.db.example.com",
                hostedZoneId: "Z0123456789ABCDEFGHIJ",
                deletionProtection: false,
                tags: { owner: "dba" },
            }),
        );
        const e = spec.endpoints[0];
        assert.deepEqual(e.database, { kind: "self-managed", addresses: ["10.0.3.17", "10.0.4.17"], port: 3306, securityGroupId: "sg-0123456789abcdef0" });
        assert.equal(e.port, 13306);
        assert.equal(e.idleTimeoutSeconds, 60);
        assert.equal(e.ipAddressType, "dualstack");
        assert.deepEqual(e.allowlist.map((r) => r.cidr), ["198.51.100.7/32", "2001:db8::/32"]);
    });

    it("the idle timeout bounds 60 and 6000", () => {
        for (const idleTimeoutSeconds of [60, 6000]) {
            const { spec } = parseStackConfig(withEndpoint({ name: "a", database: rds, allowedCidrs: ["203.0.113.1"], idleTimeoutSeconds }));
            assert.equal(spec.endpoints[0].idleTimeoutSeconds, idleTimeoutSeconds);
        }
    });

    it("a public endpoint when asked explicitly, with warnings", () => {
        const { spec, warnings } = parseStackConfig(withEndpoint({ name: "open", database: rds, allowPublicInternet: true }));
        assert.deepEqual(spec.endpoints[0].allowlist, [
            { cidr: "0.0.0.0/0", family: "ipv4" },
            { cidr: "::/0", family: "ipv6" },
        ]);
        assert.equal(spec.endpoints[0].ipAddressType, "ipv4");
        assert.deepEqual(warnings.map((w) => w.path), ["endpoints[0].allowPublicInternet"]);
    });

    it("removes duplicates (also spelled differently) and warns about them and about private ranges", () => {
        const { spec, warnings } = parseStackConfig(
            withEndpoint({ name: "a", database: rds, allowedCidrs: ["203.0.113.7", "203.0.113.7/32", "2001:DB8::1", "2001:db8:0::1/128", "10.1.0.0/16"] }),
        );
        assert.deepEqual(spec.endpoints[0].allowlist.map((r) => r.cidr), ["203.0.113.7/32", "2001:db8::1/128", "10.1.0.0/16"]);
        assert.deepEqual(
            warnings.map((w) => `${w.path}: ${w.message}`),
            [
                'endpoints[0].allowedCidrs[1]: "203.0.113.7/32" duplicates endpoints[0].allowedCidrs[0]; one rule is created',
                'endpoints[0].allowedCidrs[3]: "2001:db8:0::1/128" duplicates endpoints[0].allowedCidrs[2]; one rule is created',
                'endpoints[0].allowedCidrs[4]: "10.1.0.0/16" is in a private (RFC 1918) range; an internet-facing load balancer never sees such source addresses',
            ],
        );
    });
});

describe("parseStackConfig refuses", () => {
    it("missing top-level fields", () => {
        assert.deepEqual(errorsOf({}), [
            'vpcId: is required (a VPC ID such as "vpc-0a1b2c3d4e5f60718")',
            "publicSubnetIds: is required (the public subnets the load balancers are placed in, one per Availability Zone)",
            "endpoints: is required (a list of database endpoints)",
        ]);
    });

    it("malformed top-level fields and unknown keys", () => {
        assert.deepEqual(
            errorsOf({ vpcId: "vpc-123", publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0aa11bb22cc33dd44", "sub"], endpoints: [], endpoint: [] }),
            [
                `endpoint: unknown field (did you mean "endpoints"?); known fields: ${STACK_KEYS.join(", ")}`,
                'vpcId: "vpc-123" is not a VPC ID such as "vpc-0a1b2c3d4e5f60718"',
                'publicSubnetIds[1]: "subnet-0aa11bb22cc33dd44" is listed twice',
                'publicSubnetIds[2]: "sub" is not a subnet ID such as "subnet-0aa11bb22cc33dd44"',
                "endpoints: is empty; declare at least one endpoint",
            ],
        );
    });

    it("an endpoint that is not a map, and unknown endpoint fields", () => {
        assert.deepEqual(errorsOf({ ...base(), endpoints: ["reporting"] }), [
            'endpoints[0]: "reporting" is not an endpoint (a map with name, database, allowedCidrs, ...)',
        ]);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidr: ["203.0.113.1"] })), [
            `endpoints[0].allowedCidr: unknown field (did you mean "allowedCidrs"?); known fields: ${ENDPOINT_KEYS.join(", ")}`,
            "endpoints[0].allowedCidrs: is empty, so nobody could connect; list the client addresses, or set endpoints[0].allowPublicInternet: true to admit everyone",
        ]);
    });

    it("bad endpoint names: missing, too long for AWS, bad characters, reserved prefix", () => {
        const names: [unknown, string][] = [
            [undefined, 'endpoints[0].name: is required (short lower-case letters, digits and hyphens, e.g. "reporting")'],
            ["reporting-warehouse-eu", 'endpoints[0].name: "reporting-warehouse-eu" is 22 characters; at most 20 fit AWS\'s 32-character load balancer and target group names'],
            ["Reporting", 'endpoints[0].name: "Reporting" is not a valid name: use lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen'],
            ["a--b", 'endpoints[0].name: "a--b" is not a valid name: use lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen'],
            ["db-", 'endpoints[0].name: "db-" is not a valid name: use lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen'],
            ["internal-db", 'endpoints[0].name: "internal-db" starts with "internal", which AWS does not allow at the start of a load balancer name'],
            [42, "endpoints[0].name: 42 is not a name (a string)"],
        ];
        for (const [name, message] of names) {
            assert.deepEqual(errorsOf(withEndpoint({ name, database: rds, allowedCidrs: ["203.0.113.1"] })), [message]);
        }
    });

    it("duplicate endpoint names and hostnames", () => {
        const e = (name: string, hostname: string) => ({ name, database: rds, allowedCidrs: ["203.0.113.1"], hostname });
        assert.deepEqual(errorsOf({ ...base(), endpoints: [e("a", "db.example.com"), e("a", "db2.example.com"), e("b", "db.example.com")] }), [
            'endpoints[1].name: "a" is already the name of endpoints[0]; names must be unique',
            'endpoints[2].hostname: "db.example.com" is already the hostname of endpoints[0]; one hostname can point at only one load balancer, so clients would reach one database on this name and port and never the other',
        ]);
    });

    it("both or neither kind of database, and a missing database", () => {
        const cidrs = ["203.0.113.1"];
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: { rdsInstanceIdentifier: "x", addresses: ["10.0.0.1"], port: 5432 }, allowedCidrs: cidrs })), [
            "endpoints[0].database: sets both rdsInstanceIdentifier and addresses; an endpoint reaches exactly one database, so set one of them",
        ]);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: { port: 5432 }, allowedCidrs: cidrs })), [
            "endpoints[0].database: sets neither rdsInstanceIdentifier nor addresses; set exactly one of them",
        ]);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", allowedCidrs: cidrs })), [
            "endpoints[0].database: is required: either rdsInstanceIdentifier, or addresses and port of a self-managed database",
        ]);
    });

    it("malformed database fields", () => {
        assert.deepEqual(
            errorsOf(withEndpoint({ name: "a", database: { rdsInstanceIdentifier: "1prod", port: 5432, securityGroupId: "sg-1", enigne: "x" }, allowedCidrs: ["203.0.113.1"] })),
            [
                `endpoints[0].database.enigne: unknown field (did you mean \"engine\"?); known fields: ${DATABASE_KEYS.join(", ")}`,
                'endpoints[0].database.securityGroupId: "sg-1" is not a security group ID such as "sg-0123456789abcdef0"',
                'endpoints[0].database.rdsInstanceIdentifier: "1prod" is not an RDS DB instance identifier (1-63 letters, digits and hyphens, starting with a letter)',
                "endpoints[0].database.port: is not used with rdsInstanceIdentifier: the instance's own port is used (set the endpoint's port to listen on another one)",
            ],
        );
        assert.deepEqual(
            errorsOf(withEndpoint({ name: "a", database: { addresses: ["10.0.0.1", "10.0.0.1", "2001:db8::1", "10.0.0.0/24"] }, allowedCidrs: ["203.0.113.1"] })),
            [
                'endpoints[0].database.addresses[1]: "10.0.0.1" is listed twice',
                'endpoints[0].database.addresses[2]: "2001:db8::1" is not an IPv4 address (a self-managed database is reached at a private IPv4 address: in the VPC, a peered VPC or on premises)',
                'endpoints[0].database.addresses[3]: "10.0.0.0/24" is not an IPv4 address (a self-managed database is reached at a private IPv4 address: in the VPC, a peered VPC or on premises)',
                "endpoints[0].database.port: is required with addresses (the port the database listens on)",
            ],
        );
    });

    it("out-of-range and mistyped timeouts and ports", () => {
        const e = (extra: Record<string, unknown>) => withEndpoint({ name: "a", database: rds, allowedCidrs: ["203.0.113.1"], ...extra });
        assert.deepEqual(errorsOf(e({ idleTimeoutSeconds: 59 })), ["endpoints[0].idleTimeoutSeconds: 59 is out of range (expected 60..6000)"]);
        assert.deepEqual(errorsOf(e({ idleTimeoutSeconds: 6001 })), ["endpoints[0].idleTimeoutSeconds: 6001 is out of range (expected 60..6000)"]);
        assert.deepEqual(errorsOf(e({ idleTimeoutSeconds: "3600" })), ['endpoints[0].idleTimeoutSeconds: "3600" is not a whole number (expected 60..6000)']);
        assert.deepEqual(errorsOf(e({ idleTimeoutSeconds: 90.5 })), ["endpoints[0].idleTimeoutSeconds: 90.5 is not a whole number (expected 60..6000)"]);
        assert.deepEqual(errorsOf(e({ port: 0 })), ["endpoints[0].port: 0 is out of range (expected 1..65535)"]);
        assert.deepEqual(errorsOf(e({ port: 65536 })), ["endpoints[0].port: 65536 is out of range (expected 1..65535)"]);
        assert.deepEqual(
            errorsOf(withEndpoint({ name: "a", database: { addresses: ["10.0.0.1"], port: 70000 }, allowedCidrs: ["203.0.113.1"] })),
            ["endpoints[0].database.port: 70000 is out of range (expected 1..65535)"],
        );
    });

    it("invalid CIDRs and addresses in the allowlist", () => {
        assert.deepEqual(
            errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: ["10.0.0.0/33", "203.0.113.5/24", "not-an-ip", 7, "2001:db8::/200"] })),
            [
                'endpoints[0].allowedCidrs[0]: "10.0.0.0/33" is not a CIDR: the prefix length must be 0..32',
                'endpoints[0].allowedCidrs[1]: "203.0.113.5/24" has host bits set past /24; the network is "203.0.113.0/24"',
                'endpoints[0].allowedCidrs[2]: "not-an-ip" is not a CIDR or IP address',
                "endpoints[0].allowedCidrs[3]: 7 is not a CIDR or IP address (write it as a string)",
                'endpoints[0].allowedCidrs[4]: "2001:db8::/200" is not a CIDR: the prefix length must be 0..128',
            ],
        );
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: "203.0.113.1" })), [
            'endpoints[0].allowedCidrs: "203.0.113.1" is not a list',
        ]);
    });

    it("an empty allowlist without the opt-in, and a whole-internet entry", () => {
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds })), [
            "endpoints[0].allowedCidrs: is empty, so nobody could connect; list the client addresses, or set endpoints[0].allowPublicInternet: true to admit everyone",
        ]);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: ["0.0.0.0/0", "::/0"] })), [
            'endpoints[0].allowedCidrs[0]: "0.0.0.0/0" opens the endpoint to the whole internet; set endpoints[0].allowPublicInternet: true to do that on purpose',
            'endpoints[0].allowedCidrs[1]: "::/0" opens the endpoint to the whole internet; set endpoints[0].allowPublicInternet: true to do that on purpose',
        ]);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: ["203.0.113.1"], allowPublicInternet: "yes" })), [
            'endpoints[0].allowPublicInternet: "yes" is not true or false',
        ]);
    });

    it("more allowlist entries than one NLB can carry, per address family, and quota overrides", () => {
        const v4 = Array.from({ length: 301 }, (_, i) => `198.51.${Math.floor(i / 256)}.${i % 256}`);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: v4 })), [
            'endpoints[0].allowedCidrs: 301 IPv4 entries exceed what one load balancer can carry (5 security groups x 60 rules = 300); merge entries into wider CIDRs, split the endpoint, or raise the quotas in Service Quotas and in config "quotas"',
        ]);
        const raised = parseStackConfig(withEndpoint({ name: "a", database: rds, allowedCidrs: v4 }, { quotas: { rulesPerSecurityGroup: 100 } }));
        assert.equal(raised.spec.endpoints[0].allowlist.length, 301);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: ["203.0.113.1"] }, { quotas: { rulesPerSecurityGroup: 0, groups: 2 } })), [
            "quotas.groups: unknown field; known fields: rulesPerSecurityGroup, securityGroupsPerLoadBalancer, elasticIpsPerRegion",
            "quotas.rulesPerSecurityGroup: 0 is not a whole number in 1..1000",
        ]);
    });

    it("hostname and hosted zone mistakes", () => {
        const e = (extra: Record<string, unknown>) => withEndpoint({ name: "a", database: rds, allowedCidrs: ["203.0.113.1"], ...extra });
        assert.deepEqual(errorsOf(e({ hostname: "DB.Example.com" })), ['endpoints[0].hostname: "DB.Example.com" is not a lower-case DNS name such as "db.example.com"']);
        assert.deepEqual(errorsOf(e({ hostname: "localhost" })), ['endpoints[0].hostname: "localhost" is not a lower-case DNS name such as "db.example.com"']);
        assert.deepEqual(errorsOf(e({ hostedZoneId: "Z0123456789ABCDEFGHIJ" })), ["endpoints[0].hostedZoneId: is set without hostname; the record needs a name"]);
        assert.deepEqual(errorsOf(e({ hostname: "db.example.com", hostedZoneId: "zone-1" })), [
            'endpoints[0].hostedZoneId: "zone-1" is not a Route 53 hosted zone ID such as "Z0123456789ABCDEFGHIJ"',
        ]);
    });

    it("an IPv4-only load balancer with IPv6 allowlist entries", () => {
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: ["2001:db8::/32"], ipAddressType: "ipv4" })), [
            'endpoints[0].ipAddressType: is "ipv4" but the allowlist has IPv6 entries, which an IPv4-only load balancer never receives; use "dualstack"',
        ]);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: ["203.0.113.1"], ipAddressType: "ipv6" })), [
            'endpoints[0].ipAddressType: "ipv6" is not "ipv4" or "dualstack"',
        ]);
    });

    it("bad tags", () => {
        assert.deepEqual(errorsOf({ ...base(), tags: { "aws:owner": "x", team: 5 } }), [
            'tags.aws:owner: is not a usable tag name (1..128 characters, not starting with "aws:")',
            "tags.team: 5 is not a tag value (a string of at most 256 characters)",
        ]);
    });

    it("more tags than fit beside the ones db-endpoints adds", () => {
        const tags = Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, "v"]));
        assert.deepEqual(errorsOf({ ...base(), tags }), ["tags: has 46 tags; at most 45 fit AWS's 50 per resource beside the ones db-endpoints adds"]);
    });

    it("a key with nothing after it (YAML null) instead of silently dropping or opening the endpoint", () => {
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: { rdsInstanceIdentifier: null }, allowedCidrs: ["203.0.113.1"] })), [
            "endpoints[0].database.rdsInstanceIdentifier: is empty; give it a value or remove the line",
        ]);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: { addresses: null, port: 5432 }, allowedCidrs: ["203.0.113.1"] })), [
            "endpoints[0].database.addresses: is empty; give it a value or remove the line",
        ]);
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: null })), [
            "endpoints[0].allowedCidrs: is empty; give it a value or remove the line",
        ]);
        assert.deepEqual(errorsOf({ ...base(), endpoints: null, vpcId: null }), [
            "vpcId: is empty; give it a value or remove the line",
            "endpoints: is empty; give it a value or remove the line",
        ]);
    });

    it("allowlist entries so wide that a few of them open the whole internet", () => {
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: ["0.0.0.0/1", "128.0.0.0/1", "8000::/1", "10.0.0.0/8", "2a00::/16"] })), [
            'endpoints[0].allowedCidrs[0]: "0.0.0.0/1" is wider than /8, a sizeable share of the whole IPv4 internet; list narrower ranges, or set endpoints[0].allowPublicInternet: true to open the endpoint to everyone on purpose',
            'endpoints[0].allowedCidrs[1]: "128.0.0.0/1" is wider than /8, a sizeable share of the whole IPv4 internet; list narrower ranges, or set endpoints[0].allowPublicInternet: true to open the endpoint to everyone on purpose',
            'endpoints[0].allowedCidrs[2]: "8000::/1" is wider than /16, a sizeable share of the whole IPv6 internet; list narrower ranges, or set endpoints[0].allowPublicInternet: true to open the endpoint to everyone on purpose',
        ]);
    });

    it("an allowlist whose entries together cover more than one /8 or /16, and entries whose addresses embed IPv4", () => {
        const slash8s = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`);
        const errors = errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: [...slash8s, "2002::/16", "64:ff9b::/96", "::ffff:0:0/96", "2001::/32", "::203.0.113.1", "2a00::/16", "2c00::/16"] }));
        const embeds = (i: number, entry: string, range: string) =>
            `endpoints[0].allowedCidrs[${i}]: "${entry}" is in ${range} range, whose addresses embed IPv4 addresses: through a translator or relay they can stand for any IPv4 host, ` +
            "so the entry would admit IPv4 space the allowlist does not show; list the IPv4 addresses themselves, or native IPv6 ranges that leave it out";
        assert.deepEqual(errors, [
            embeds(256, "2002::/16", "2002::/16, the 6to4 (RFC 3056)"),
            embeds(257, "64:ff9b::/96", "64:ff9b::/96, the NAT64 well-known prefix (RFC 6052)"),
            embeds(258, "::ffff:0:0/96", "::ffff:0:0/96, the IPv4-mapped (RFC 4291)"),
            embeds(259, "2001::/32", "2001::/32, the Teredo (RFC 4380)"),
            embeds(260, "::203.0.113.1", "::/96, the IPv4-compatible (RFC 4291)"),
            "endpoints[0].allowedCidrs: the IPv4 entries together cover 4294967296 addresses (100% of the IPv4 address space), more than the 2^24 of one /8 that an allowlist may cover " +
                "without endpoints[0].allowPublicInternet; list narrower ranges, or set endpoints[0].allowPublicInternet: true to open the endpoint to everyone on purpose",
            "endpoints[0].allowedCidrs: the IPv6 entries together cover 10384593717069655257060992658440192 addresses (0.00305% of the IPv6 address space), more than the 2^112 of one /16 " +
                "that an allowlist may cover without endpoints[0].allowPublicInternet; list narrower ranges, or set endpoints[0].allowPublicInternet: true to open the endpoint to everyone on purpose",
        ]);
    });

    it("reports every problem of several endpoints at once", () => {
        const errors = errorsOf({
            ...base(),
            endpoints: [
                { name: "a", database: rds, allowedCidrs: ["10.0.0.0/33"] },
                { name: "b", database: rds, allowedCidrs: ["203.0.113.1"], idleTimeoutSeconds: 1 },
            ],
        });
        assert.deepEqual(errors, [
            'endpoints[0].allowedCidrs[0]: "10.0.0.0/33" is not a CIDR: the prefix length must be 0..32',
            "endpoints[1].idleTimeoutSeconds: 1 is out of range (expected 60..6000)",
        ]);
    });
});

describe("the stack config's mixed allowedCidrs", () => {
    const mixed = [
        "203.0.113.0/24",
        { cidr: "198.51.100.64/27", expires: "2099-06-30", note: "Acme BI trial" },
        "198.51.100.7",
        { prefixList: "pl-0123456789abcdef0" },
    ];

    it("becomes the component's allowedCidrs (the strings) and allowlist (the entries), in the order written", () => {
        const { args, configPath } = toComponentArgs(withEndpoint({ name: "a", database: rds, allowedCidrs: mixed }));
        const e = (args.endpoints as Record<string, unknown>[])[0];
        assert.deepEqual(e.allowedCidrs, ["203.0.113.0/24", "198.51.100.7"]);
        assert.deepEqual(e.allowlist, [mixed[1], mixed[3]]);
        assert.deepEqual(
            ["endpoints[0].allowedCidrs[1]", "endpoints[0].allowlist[0].expires", "endpoints[0].allowlist[1]", "endpoints[0].port"].map(configPath),
            ["endpoints[0].allowedCidrs[2]", "endpoints[0].allowedCidrs[1].expires", "endpoints[0].allowedCidrs[3]", "endpoints[0].port"],
        );
        const { spec } = decodeStackConfig(withEndpoint({ name: "a", database: rds, allowedCidrs: mixed }));
        assert.deepEqual(spec.endpoints[0].prefixLists, [{ prefixList: "pl-0123456789abcdef0", path: "endpoints[0].allowlist[1]" }]);
        assert.deepEqual(spec.endpoints[0].allowlist.map((r) => r.cidr), ["203.0.113.0/24", "198.51.100.7/32", "198.51.100.64/27"]);
    });

    it("reports each problem under the path the config wrote, unknown keys too", () => {
        assert.deepEqual(
            errorsOf(
                withEndpoint({
                    name: "a",
                    database: rds,
                    allowedCidrs: ["203.0.113.0/24", { cidr: "198.51.100.64/27", expires: "June" }, "198.51.100.300", { prefixlist: "pl-0123456789abcdef0" }],
                }),
            ),
            [
                "endpoints[0].allowedCidrs[2]: \"198.51.100.300\" is not a CIDR or IP address",
                'endpoints[0].allowedCidrs[1].expires: "June" is not an ISO 8601 date ("2027-02-01", access ends as that day begins in UTC) or date-time with its UTC offset ("2027-02-01T17:00:00Z", "2027-02-01T09:00:00-08:00")',
                'endpoints[0].allowedCidrs[3].prefixlist: unknown field (did you mean "prefixList"?); known fields: cidr, prefixList, expires, note',
                "endpoints[0].allowedCidrs[3]: sets neither cidr nor prefixList; set one of them (the addresses this entry admits)",
            ],
        );
    });

    it("refuses endpoints of one shared load balancer that disagree on its flow logs", () => {
        const db = (n: number) => ({ addresses: [`10.0.3.${n}`], port: 5432, securityGroupId: "sg-0123456789abcdef0" });
        assert.deepEqual(
            errorsOf({
                ...withEndpoint({ name: "a", loadBalancer: "shared", database: db(17), allowedCidrs: ["203.0.113.1"] }),
                endpoints: [
                    { name: "a", loadBalancer: "shared", database: db(17), allowedCidrs: ["203.0.113.1"] },
                    { name: "b", loadBalancer: "shared", port: 5433, database: db(18), allowedCidrs: ["203.0.113.1"], connectionAudit: false, connectionAuditRetentionDays: 7 },
                ],
            }),
            [
                'endpoints[1].connectionAudit: is false, but endpoints[0] ("a"), on the same loadBalancer "shared", has true; the endpoints of a load balancer share its flow logs (connectionAudit, true unless set), so set connectionAudit to the same value on every endpoint of "shared"',
                'endpoints[1].connectionAuditRetentionDays: is 7, but endpoints[0] ("a"), on the same loadBalancer "shared", has 90; the endpoints of a load balancer share its flow logs\' retention (connectionAuditRetentionDays, the product\'s unless set), so set connectionAuditRetentionDays to the same value on every endpoint of "shared"',
            ],
        );
    });

    it("refuses a retention CloudWatch Logs does not accept, and a warning window out of range", () => {
        assert.deepEqual(errorsOf(withEndpoint({ name: "a", database: rds, allowedCidrs: ["203.0.113.1"], connectionAuditRetentionDays: 10 }, { allowlistExpiryWarningDays: 400 })), [
            "allowlistExpiryWarningDays: 400 is out of range (expected 0..365)",
            "endpoints[0].connectionAuditRetentionDays: 10 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days)",
        ]);
    });
});
