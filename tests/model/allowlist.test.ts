/**
 * The allowlist guard as a whole: the union of the entries is bounded (not only each entry), and entries
 * in special-purpose ranges are refused (those whose addresses embed IPv4) or warned about (those an
 * internet-facing load balancer never sees as sources). Every case pins the exact messages.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    AllowlistRule,
    AllowlistTiming,
    checkPrefixListBudget,
    checkPrefixListContents,
    normalizeAllowlist,
    parseExpiry,
    readAllowlist,
    ResolvedPrefixList,
    securityGroupLayout,
} from "../../infra/model/allowlist";
import { IpAddressType } from "../../infra/enums";
import { DEFAULT_QUOTAS } from "../../infra/model/limits";
import { Problems } from "../../infra/validation";

interface Outcome {
    rules: string[];
    errors: string[];
    warnings: string[];
}

function check(entries: unknown[], allowPublicInternet = false): Outcome {
    const problems = new Problems();
    const rules: AllowlistRule[] = normalizeAllowlist(problems, "allowedCidrs", entries, allowPublicInternet, "allowPublicInternet", DEFAULT_QUOTAS);
    return {
        rules: rules.map((r) => r.cidr),
        errors: problems.errors.map((p) => `${p.path}: ${p.message}`),
        warnings: problems.warnings.map((p) => `${p.path}: ${p.message}`),
    };
}

const slash8s = (from: number, count: number) => Array.from({ length: count }, (_, i) => `${from + i}.0.0.0/8`);
const unionError = (family: "IPv4" | "IPv6", covered: string, share: string) =>
    `allowedCidrs: the ${family} entries together cover ${covered} addresses (${share} of the ${family} address space), ` +
    `more than the ${family === "IPv4" ? "2^24 of one /8" : "2^112 of one /16"} that an allowlist may cover without allowPublicInternet; ` +
    "list narrower ranges, or set allowPublicInternet: true to open the endpoint to everyone on purpose";

describe("normalizeAllowlist bounds the union of the entries", () => {
    const refused: [string, string[], string][] = [
        ["two public /8s", ["11.0.0.0/8", "12.0.0.0/8"], unionError("IPv4", "33554432", "0.781%")],
        ["a /8 and one more address", ["11.0.0.0/8", "12.0.0.1"], unionError("IPv4", "16777217", "0.391%")],
        ["two /16s of IPv6", ["2a00::/16", "2c00::/16"], unionError("IPv6", "10384593717069655257060992658440192", "0.00305%")],
        ["a /16 of IPv6 and one more address", ["2a00::/16", "2c00::1"], unionError("IPv6", "5192296858534827628530496329220097", "0.00153%")],
    ];
    for (const [what, entries, error] of refused) {
        it(`refuses ${what}`, () => {
            const outcome = check(entries);
            assert.deepEqual(outcome.errors, [error]);
        });
    }

    it("refuses all of IPv4 as 256 x /8 (each entry alone is accepted), naming the share, with one error for the whole list", () => {
        const outcome = check(slash8s(0, 256));
        assert.deepEqual(outcome.errors, [unionError("IPv4", "4294967296", "100%")]);
        assert.equal(outcome.rules.length, 256);
    });

    const accepted: [string, string[], string[]][] = [
        ["exactly one /8 as two /9s", ["11.0.0.0/9", "11.128.0.0/9"], ["11.0.0.0/9", "11.128.0.0/9"]],
        ["a /8 and ranges inside it (overlaps counted once)", ["11.0.0.0/8", "11.1.0.0/16", "11.0.0.0/9", "11.2.3.4"], ["11.0.0.0/8", "11.1.0.0/16", "11.0.0.0/9", "11.2.3.4/32"]],
        ["exactly one /16 of IPv6 as two /17s, next to a /8 of IPv4", ["2a00::/17", "2a00:8000::/17", "11.0.0.0/8"], ["2a00::/17", "2a00:8000::/17", "11.0.0.0/8"]],
        ["a /16 of IPv6 and a /48 inside it", ["2a00::/16", "2a00:1450:4001::/48"], ["2a00::/16", "2a00:1450:4001::/48"]],
    ];
    for (const [what, entries, rules] of accepted) {
        it(`accepts ${what}`, () => {
            assert.deepEqual(check(entries), { rules, errors: [], warnings: [] });
        });
    }

    it("leaves the bound to the opt-in: with allowPublicInternet, two /8s are only redundant", () => {
        const outcome = check(slash8s(11, 2), true);
        assert.deepEqual(outcome, {
            rules: ["0.0.0.0/0", "::/0"],
            errors: [],
            warnings: [
                "allowedCidrs: allowPublicInternet is true, so the 2 allowlist entries are redundant: every address is admitted",
                "allowPublicInternet: the endpoint admits every IPv4 and IPv6 address (0.0.0.0/0, ::/0); only the database's own authentication protects it",
            ],
        });
    });
});

describe("normalizeAllowlist refuses ranges whose addresses embed IPv4", () => {
    const tail =
        ", whose addresses embed IPv4 addresses: through a translator or relay they can stand for any IPv4 host, " +
        "so the entry would admit IPv4 space the allowlist does not show; list the IPv4 addresses themselves, or native IPv6 ranges that leave ";
    const cases: [string, string][] = [
        ["2002::/16", "is in 2002::/16, the 6to4 (RFC 3056) range"],
        ["2002:cb00:7100::/40", "is in 2002::/16, the 6to4 (RFC 3056) range"],
        ["64:ff9b::/96", "is in 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052) range"],
        ["64:ff9b::203.0.113.1", "is in 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052) range"],
        ["64:ff9b:1::/48", "is in 64:ff9b:1::/48, the local-use IPv4/IPv6 translation (RFC 8215) range"],
        ["::ffff:0:0/96", "is in ::ffff:0:0/96, the IPv4-mapped (RFC 4291) range"],
        ["::ffff:203.0.113.1", "is in ::ffff:0:0/96, the IPv4-mapped (RFC 4291) range"],
        ["::ffff:0:cb00:7100/120", "is in ::ffff:0:0:0/96, the IPv4-translated (RFC 2765) range"],
        ["::203.0.113.1", "is in ::/96, the IPv4-compatible (RFC 4291) range"],
        ["::/127", "is in ::/96, the IPv4-compatible (RFC 4291) range"],
        ["2001::/32", "is in 2001::/32, the Teredo (RFC 4380) range"],
        ["2001:0:4136:e378::/64", "is in 2001::/32, the Teredo (RFC 4380) range"],
        ["2001::/16", "contains 2001::/32, the Teredo (RFC 4380) range"],
        ["2001::/23", "contains 2001::/32, the Teredo (RFC 4380) range"],
        ["64:ff9b::/32", "contains 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052) range and contains 64:ff9b:1::/48, the local-use IPv4/IPv6 translation (RFC 8215) range"],
        [
            "::/16",
            "contains ::/96, the IPv4-compatible (RFC 4291) range and contains ::ffff:0:0/96, the IPv4-mapped (RFC 4291) range and contains ::ffff:0:0:0/96, the IPv4-translated (RFC 2765) range",
        ],
    ];
    for (const [entry, where] of cases) {
        it(`refuses ${entry}`, () => {
            const many = where.includes(" and contains ");
            assert.deepEqual(check(["203.0.113.9", entry]), {
                rules: ["203.0.113.9/32"],
                errors: [`allowedCidrs[1]: ${JSON.stringify(entry)} ${where}${tail}${many ? "them" : "it"} out`],
                warnings: [],
            });
        });
    }

    it("refuses them with the opt-in too, like the other refused entries", () => {
        assert.deepEqual(check(["2002::/16"], true).errors, [`allowedCidrs[0]: "2002::/16" is in 2002::/16, the 6to4 (RFC 3056) range${tail}it out`]);
    });
});

describe("normalizeAllowlist warns about special-purpose ranges a load balancer never sees", () => {
    const warned: [string, string][] = [
        ["0.0.0.0/8", "a this-network (RFC 791)"],
        ["10.0.0.0/8", "a private (RFC 1918)"],
        ["100.64.0.0/10", "a carrier-grade NAT (RFC 6598)"],
        ["127.0.0.1", "a loopback"],
        ["169.254.169.254", "a link-local"],
        ["192.0.0.0/24", "an IETF protocol assignments (RFC 6890)"],
        ["192.0.0.1", "an IPv4 service continuity (RFC 7335)"],
        ["192.0.0.170", "a NAT64/DNS64 discovery (RFC 8880)"],
        ["192.88.99.1", "a deprecated 6to4 relay anycast (RFC 7526)"],
        ["198.18.0.0/15", "a benchmarking (RFC 2544)"],
        ["224.0.0.251", "a multicast (RFC 5771)"],
        ["240.0.0.0/8", "a reserved (RFC 1112)"],
        ["255.255.255.255", "a limited broadcast (RFC 919)"],
        ["::", "an unspecified"],
        ["::1", "a loopback"],
        ["100::/64", "a discard-only (RFC 6666)"],
        ["2001:5::/32", "an IETF protocol assignments (RFC 2928)"],
        ["2001:2::/48", "a benchmarking (RFC 5180)"],
        ["2001:10::/28", "a deprecated ORCHID (RFC 4843)"],
        ["5f00::/16", "an SRv6 segment identifiers (RFC 9602)"],
        ["fd12:3456::/32", "a unique local (RFC 4193)"],
        ["fe80::/64", "a link-local"],
        ["fec0::/64", "a deprecated site-local (RFC 3879)"],
        ["ff02::1", "a multicast (RFC 4291)"],
    ];
    for (const [entry, range] of warned) {
        it(`warns about ${entry} and keeps it`, () => {
            const outcome = check([entry]);
            assert.deepEqual(outcome.errors, []);
            assert.equal(outcome.rules.length, 1);
            assert.deepEqual(outcome.warnings, [
                `allowedCidrs[0]: ${JSON.stringify(entry)} is in ${range} range; an internet-facing load balancer never sees such source addresses`,
            ]);
        });
    }

    const quiet = [
        // Globally reachable blocks inside a not globally reachable one.
        "192.0.0.9",
        "192.0.0.10",
        "2001:1::1",
        "2001:1::2",
        "2001:3::/32",
        "2001:4:112::/48",
        "2001:20::/28",
        "2001:30::/28",
        // Documentation ranges: they admit nobody, and examples use them.
        "192.0.2.0/24",
        "198.51.100.7",
        "203.0.113.0/24",
        "2001:db8::/32",
        "3fff::/20",
        // Public ranges, and wider blocks that merely contain a special range.
        "8.0.0.0/8",
        "192.0.0.0/16",
        "2a00:1450::/32",
    ];
    for (const entry of quiet) {
        it(`says nothing about ${entry}`, () => {
            const outcome = check([entry]);
            assert.deepEqual({ errors: outcome.errors, warnings: outcome.warnings, count: outcome.rules.length }, { errors: [], warnings: [], count: 1 });
        });
    }
});

/** The program's clock for these tests: 2027-01-20T12:00:00Z, warning 14 days ahead. */
const NOW = Date.parse("2027-01-20T12:00:00Z");
const timing: AllowlistTiming = { now: NOW, expiryWarningDays: 14 };

function read(cidrs: unknown[] | undefined, entries: unknown[] | undefined, opts: { allowPublicInternet?: boolean; quotas?: typeof DEFAULT_QUOTAS | { rulesPerSecurityGroup: number; securityGroupsPerLoadBalancer: number } } = {}) {
    const problems = new Problems();
    const result = readAllowlist(
        problems,
        "allowedCidrs",
        cidrs,
        { path: "allowlist", list: entries },
        opts.allowPublicInternet ?? false,
        "allowPublicInternet",
        opts.quotas ?? DEFAULT_QUOTAS,
        timing,
    );
    return {
        ...result,
        errors: problems.errors.map((p) => `${p.path}: ${p.message}`),
        warnings: problems.warnings.map((p) => `${p.path}: ${p.message}`),
    };
}

describe("parseExpiry", () => {
    it("ends a date's access as that day begins in UTC", () => {
        assert.deepEqual(parseExpiry("2027-02-01"), { instant: "2027-02-01T00:00:00Z", ms: Date.parse("2027-02-01T00:00:00Z") });
    });

    it("takes a date-time at its offset, and drops fractions of a second (ending access earlier, never later)", () => {
        assert.equal((parseExpiry("2027-02-01T09:30:00-08:00") as { instant: string }).instant, "2027-02-01T17:30:00Z");
        assert.equal((parseExpiry("2027-02-01T17:30Z") as { instant: string }).instant, "2027-02-01T17:30:00Z");
        // What a YAML parser makes of an unquoted date, written back as JSON.
        assert.equal((parseExpiry("2027-02-01T00:00:00.999Z") as { instant: string }).instant, "2027-02-01T00:00:00Z");
    });

    it("refuses a time without an offset, impossible dates and anything else", () => {
        assert.match((parseExpiry("2027-02-01T17:00:00") as { error: string }).error, /a time without an offset would mean a different instant on every deployer's machine$/);
        assert.equal((parseExpiry("2027-02-30") as { error: string }).error, '"2027-02-30" is not a real date and time');
        assert.equal((parseExpiry("2027-02-01T24:00:00Z") as { error: string }).error, '"2027-02-01T24:00:00Z" is not a real date and time');
        assert.match((parseExpiry("next tuesday") as { error: string }).error, /^"next tuesday" is not an ISO 8601 date/);
        assert.match((parseExpiry(20270201) as { error: string }).error, /^20270201 is not an ISO 8601 date/);
    });
});

describe("readAllowlist: entries that expire", () => {
    const entries = [
        { cidr: "198.51.100.1", expires: "2027-01-01", note: "old vendor" },
        { cidr: "198.51.100.2", expires: "2027-01-25T00:00:00Z" },
        { cidr: "198.51.100.3", expires: "2027-06-30", note: "Acme BI trial, ticket OPS-1234" },
        { cidr: "198.51.100.4/32", expires: "2027-01-20T12:00:00Z" },
    ];

    it("flags the expired (at or before now), keeps the others with their instant and note, in order", () => {
        const r = read(["203.0.113.0/24"], entries);
        assert.deepEqual(r.rules, [
            { cidr: "203.0.113.0/24", family: "ipv4" },
            { cidr: "198.51.100.1/32", family: "ipv4", expires: "2027-01-01T00:00:00Z", note: "old vendor", expired: true },
            { cidr: "198.51.100.2/32", family: "ipv4", expires: "2027-01-25T00:00:00Z" },
            { cidr: "198.51.100.3/32", family: "ipv4", expires: "2027-06-30T00:00:00Z", note: "Acme BI trial, ticket OPS-1234" },
            { cidr: "198.51.100.4/32", family: "ipv4", expires: "2027-01-20T12:00:00Z", expired: true },
        ]);
        assert.deepEqual(r.errors, []);
    });

    it("warns about each expired entry and each that expires within the window, not about later ones", () => {
        assert.deepEqual(read(["203.0.113.0/24"], entries).warnings, [
            'allowlist[0].expires: "198.51.100.1" expired at 2027-01-01T00:00:00Z: it admits nobody, so no rule is deployed for it (one still in AWS is deleted by this deployment); delete the entry, or set a later expires to admit it again',
            'allowlist[1].expires: "198.51.100.2" expires at 2027-01-25T00:00:00Z, in 4 days: its rule is revoked then, without a deployment; set a later expires to keep admitting it',
            'allowlist[3].expires: "198.51.100.4/32" expired at 2027-01-20T12:00:00Z: it admits nobody, so no rule is deployed for it (one still in AWS is deleted by this deployment); delete the entry, or set a later expires to admit it again',
        ]);
    });

    it("closes an endpoint whose entries have all expired, with a warning and no error", () => {
        const r = read(undefined, [entries[0], { prefixList: "pl-0123456789abcdef0", expires: "2026-12-31" }]);
        assert.deepEqual(r.errors, []);
        assert.ok(r.rules.every((x) => x.expired) && r.prefixLists.every((x) => x.expired));
        assert.equal(
            r.warnings.at(-1),
            "allowedCidrs: every allowlist entry has expired, so the endpoint admits nobody: it stays closed, with no rule that admits a client, until an entry is added or given a later expires",
        );
    });

    it("counts expired entries in every check, so that an expiry never turns a valid allowlist invalid or moves a rule", () => {
        const quotas = { rulesPerSecurityGroup: 2, securityGroupsPerLoadBalancer: 2 };
        const five = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"].map((cidr, i) => (i === 0 ? { cidr, expires: "2027-01-01" } : { cidr }));
        assert.deepEqual(read(["203.0.113.1"], five, { quotas }).errors, [
            "allowedCidrs: 5 IPv4 entries exceed what one load balancer can carry (2 security groups x 2 rules = 4); merge entries into wider CIDRs, split the endpoint, or raise the quotas in Service Quotas and in config \"quotas\"",
        ]);
        const r = read(["203.0.113.1"], five.slice(0, 3), { quotas });
        // The expired entry keeps its slot in the first group: 198.51.100.3 stays in the second.
        assert.deepEqual(
            securityGroupLayout(r.rules, false, 2).groups.map((g) => g.map((x) => `${x.cidr}${x.expired ? " (expired)" : ""}`)),
            [["203.0.113.1/32", "198.51.100.1/32 (expired)"], ["198.51.100.2/32", "198.51.100.3/32"]],
        );
    });

    it("refuses what an entry cannot be, each at its field", () => {
        const r = read(
            [{ cidr: "198.51.100.1" }, 7],
            [
                { cidr: "198.51.100.1", prefixList: "pl-0123456789abcdef0" },
                { note: "nothing" },
                { cidr: 42 },
                { prefixList: "sg-0123456789abcdef0" },
                { cidr: "198.51.100.9", expires: "2027-02-01T17:00:00" },
                { cidr: "198.51.100.10", note: "a <script> tag" },
                { cidr: "198.51.100.11", note: "x".repeat(101) },
                "198.51.100.12",
                { cidr: "0.0.0.0/0" },
            ],
        );
        assert.deepEqual(r.errors, [
            'allowedCidrs[0]: {"cidr":"198.51.100.1"} is not a CIDR or IP address (allowedCidrs holds strings; an entry with cidr, prefixList, expires or note belongs in allowlist)',
            "allowedCidrs[1]: 7 is not a CIDR or IP address (write it as a string)",
            "allowlist[0]: sets both cidr and prefixList; an entry admits one CIDR or one prefix list, so split it into two entries",
            "allowlist[1]: sets neither cidr nor prefixList; set one of them (the addresses this entry admits)",
            "allowlist[2].cidr: 42 is not a CIDR or IP address (write it as a string)",
            'allowlist[3].prefixList: "sg-0123456789abcdef0" is not a managed prefix list ID (such as "pl-0123456789abcdef0")',
            'allowlist[4].expires: "2027-02-01T17:00:00" is not an ISO 8601 date ("2027-02-01", access ends as that day begins in UTC) or date-time with its UTC offset ("2027-02-01T17:00:00Z", "2027-02-01T09:00:00-08:00"); a time without an offset would mean a different instant on every deployer\'s machine',
            'allowlist[5].note: "a <script> tag" is not a note AWS accepts in a rule\'s description: at most 100 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*',
            `allowlist[6].note: "${"x".repeat(76)}... is not a note AWS accepts in a rule's description: at most 100 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*`,
            'allowlist[7]: "198.51.100.12" is not an allowlist entry (a map with cidr or prefixList, and optionally expires and note)',
            'allowlist[8].cidr: "0.0.0.0/0" opens the endpoint to the whole internet; set allowPublicInternet: true to do that on purpose',
        ]);
    });

    it("makes every entry redundant with allowPublicInternet, expiring or not", () => {
        const r = read(["203.0.113.1"], [{ cidr: "198.51.100.1", expires: "2027-01-01" }, { prefixList: "pl-0123456789abcdef0" }], { allowPublicInternet: true });
        assert.deepEqual(r.rules.map((x) => x.cidr), ["0.0.0.0/0", "::/0"]);
        assert.deepEqual(r.prefixLists, []);
        assert.deepEqual(r.warnings, [
            "allowedCidrs: allowPublicInternet is true, so the 3 allowlist entries are redundant: every address is admitted",
            "allowPublicInternet: the endpoint admits every IPv4 and IPv6 address (0.0.0.0/0, ::/0); only the database's own authentication protects it",
        ]);
    });
});

describe("readAllowlist: managed prefix lists", () => {
    it("keeps each list once, with its path, in a security group of its own", () => {
        const r = read(["203.0.113.1"], [{ prefixList: "pl-0123456789abcdef0", note: "partner egress" }, { prefixList: "pl-0123456789abcdef0" }, { prefixList: "pl-0a1b2c3d" }]);
        assert.deepEqual(r.prefixLists, [
            { prefixList: "pl-0123456789abcdef0", path: "allowlist[0]", note: "partner egress" },
            { prefixList: "pl-0a1b2c3d", path: "allowlist[2]" },
        ]);
        assert.deepEqual(r.warnings, ['allowlist[1]: prefix list "pl-0123456789abcdef0" duplicates allowlist[0]; one rule is created']);
        assert.deepEqual(securityGroupLayout(r.rules, true, 60), { groups: [[{ cidr: "203.0.113.1/32", family: "ipv4" }], []], prefixListGroup: 1 });
    });

    it("needs room for that group: the CIDR rules get one group fewer", () => {
        assert.deepEqual(read(["203.0.113.1"], [{ prefixList: "pl-0a1b2c3d" }], { quotas: { rulesPerSecurityGroup: 60, securityGroupsPerLoadBalancer: 1 } }).errors, [
            "allowlist: has prefix lists, which take a security group of their own beside the one that holds the CIDR rules and the egress rule, but quotas allow 1 security group per load balancer; raise securityGroupsPerLoadBalancer",
        ]);
        const cidrs = Array.from({ length: 3 }, (_, i) => `198.51.100.${i + 1}`);
        assert.deepEqual(read(cidrs, [{ prefixList: "pl-0a1b2c3d" }], { quotas: { rulesPerSecurityGroup: 1, securityGroupsPerLoadBalancer: 3 } }).errors, [
            "allowedCidrs: 3 IPv4 entries exceed what one load balancer can carry (2 security groups x 1 rules = 2, the load balancer's other security group holding its prefix lists); merge entries into wider CIDRs, split the endpoint, or raise the quotas in Service Quotas and in config \"quotas\"",
        ]);
    });
});

describe("checkPrefixListBudget: a list counts as its maximum entries, as AWS counts it", () => {
    const list = (path: string, prefixList: string, maxEntries: number | undefined, addressFamily = "IPv4"): ResolvedPrefixList => ({ path, prefixList, maxEntries, addressFamily, entries: [] });
    const errors = (lists: ResolvedPrefixList[], ipAddressType = IpAddressType.Ipv4, quota = 60) => {
        const problems = new Problems();
        checkPrefixListBudget(problems, 'loadBalancer "shared"', lists, ipAddressType, quota, "quotas.rulesPerSecurityGroup");
        return problems.errors.map((p) => `${p.path}: ${p.message}`);
    };

    it("fits lists whose maximum entries add up to the quota, per address family", () => {
        assert.deepEqual(errors([list("a", "pl-0000000a", 40), list("b", "pl-0000000b", 20), list("c", "pl-0000000c", 60, "IPv6")], IpAddressType.Dualstack), []);
    });

    it("refuses the list that crosses it, naming the others", () => {
        assert.deepEqual(errors([list("endpoints[0].allowlist[0]", "pl-0000000a", 40), list("endpoints[1].allowlist[2]", "pl-0000000b", 25), list("endpoints[2].allowlist[0]", "pl-0000000c", 5)]), [
            'endpoints[1].allowlist[2].prefixList: prefix list "pl-0000000b" counts as 25 IPv4 rules, its maximum number of entries (AWS counts a reference to a prefix list as the list\'s maximum entries, not its current ones), in the security group that holds loadBalancer "shared"\'s prefix lists; with "pl-0000000a" (40) that is 65, more than quotas.rulesPerSecurityGroup (60); use a prefix list with fewer maximum entries, move an endpoint to another load balancer, or raise "Inbound or outbound rules per security group" in Service Quotas and then quotas.rulesPerSecurityGroup',
        ]);
    });

    it("refuses an AWS-managed list and an IPv6 list on an IPv4-only load balancer", () => {
        assert.deepEqual(errors([list("allowlist[0]", "pl-63a5400a", undefined), list("allowlist[1]", "pl-0000000b", 10, "IPv6")]), [
            'allowlist[0].prefixList: prefix list "pl-63a5400a" has no maximum number of entries: it is an AWS-managed prefix list, whose size AWS counts by its weight; only customer-managed prefix lists (kept by your team or tool) can be allowlisted',
            'allowlist[1].prefixList: prefix list "pl-0000000b" holds IPv6 addresses, which loadBalancer "shared", IPv4 only, never receives; set ipAddressType: "dualstack" (on every endpoint of a shared load balancer)',
        ]);
    });
});

describe("checkPrefixListContents: the width guard over a list's CIDRs at deployment", () => {
    const contents = (entries: string[], own: string[] = []) => {
        const problems = new Problems();
        checkPrefixListContents(
            problems,
            "allowedCidrs",
            [{ path: "allowlist[0]", prefixList: "pl-0000000a", maxEntries: 10, addressFamily: "IPv4", entries }],
            own.map((cidr) => ({ cidr, family: "ipv4" as const })),
            "allowPublicInternet",
        );
        return { errors: problems.errors.map((p) => `${p.path}: ${p.message}`), warnings: problems.warnings.map((p) => `${p.path}: ${p.message}`) };
    };

    it("refuses a list that opens the endpoint wide, as an entry would be", () => {
        assert.deepEqual(contents(["198.51.100.0/24", "0.0.0.0/0"]).errors, [
            'allowlist[0].prefixList: prefix list "pl-0000000a" holds "0.0.0.0/0", which opens the endpoint to the whole internet; set allowPublicInternet: true to do that on purpose',
        ]);
    });

    it("bounds the entries and the lists' CIDRs together, and warns about ranges the internet never shows", () => {
        const r = contents(["10.0.0.0/8"], ["11.0.0.0/8"]);
        assert.deepEqual(r.warnings, ['allowlist[0].prefixList: prefix list "pl-0000000a" holds "10.0.0.0/8", which is in a private (RFC 1918) range; an internet-facing load balancer never sees such source addresses']);
        assert.match(r.errors[0], /^allowedCidrs: the IPv4 entries and prefix lists' entries together cover 33554432 addresses/);
    });
});
