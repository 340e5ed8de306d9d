/**
 * The allowlist guard as a whole: the union of the entries is bounded (not only each entry), and entries
 * in special-purpose ranges are refused (those whose addresses embed IPv4) or warned about (those an
 * internet-facing load balancer never sees as sources). Every case pins the exact messages.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AllowlistRule, normalizeAllowlist } from "../../infra/model/allowlist";
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
