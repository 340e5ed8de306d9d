import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addressSpaceSize, CidrError, containsCidr, ipv4EmbeddingRanges, isPrivateIpv4, nonPublicRange, parseAddress, parseCidr, unionSize } from "../../infra/net/ip";

describe("parseCidr", () => {
    const valid: [string, string, "ipv4" | "ipv6"][] = [
        ["203.0.113.0/24", "203.0.113.0/24", "ipv4"],
        ["198.51.100.7", "198.51.100.7/32", "ipv4"],
        ["0.0.0.0/0", "0.0.0.0/0", "ipv4"],
        ["2001:db8:1234::/48", "2001:db8:1234::/48", "ipv6"],
        ["2001:DB8:0:0:0:0:0:1", "2001:db8::1/128", "ipv6"],
        ["2001:0db8:0000:0000:0001:0000:0000:0000/80", "2001:db8:0:0:1::/80", "ipv6"],
        ["::/0", "::/0", "ipv6"],
        ["::1", "::1/128", "ipv6"],
        ["::ffff:192.0.2.1", "::ffff:c000:201/128", "ipv6"],
        ["2001:db8::", "2001:db8::/128", "ipv6"],
        ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8/128", "ipv6"],
        ["1:0:0:2:0:0:0:3", "1:0:0:2::3/128", "ipv6"],
    ];
    for (const [input, canonical, family] of valid) {
        it(`accepts ${input} as ${canonical}`, () => {
            const parsed = parseCidr(input);
            assert.equal(parsed.cidr, canonical);
            assert.equal(parsed.family, family);
        });
    }

    const invalid: [string, RegExp][] = [
        ["10.0.0.0/33", /prefix length must be 0\.\.32/],
        ["10.0.0.256", /is not a CIDR or IP address/],
        ["10.0.0", /is not a CIDR or IP address/],
        ["010.0.0.1", /is not a CIDR or IP address/],
        ["10.0.0.1/8", /host bits set past \/8; the network is "10\.0\.0\.0\/8"/],
        ["2001:db8::/129", /prefix length must be 0\.\.128/],
        ["2001:db8::1/48", /the network is "2001:db8::\/48"/],
        ["2001:db8:::1", /is not a CIDR/],
        ["1:2:3:4:5:6:7:8:9", /is not a CIDR/],
        ["1::2::3", /is not a CIDR/],
        ["fe80::1%eth0", /is not a CIDR/],
        ["10.0.0.0/", /prefix length/],
        ["10.0.0.0/08", /prefix length/],
        [" 10.0.0.1", /is not a CIDR/],
        ["", /is not a CIDR/],
        ["example.com", /is not a CIDR/],
        ["12345::", /is not a CIDR/],
    ];
    for (const [input, message] of invalid) {
        it(`refuses ${JSON.stringify(input)}`, () => {
            assert.throws(() => parseCidr(input), (e: unknown) => e instanceof CidrError && message.test(e.message));
        });
    }
});

describe("nonPublicRange", () => {
    it("names private, CGNAT, loopback, link-local and ULA ranges it contains", () => {
        assert.equal(nonPublicRange(parseCidr("10.1.2.3")), "private (RFC 1918)");
        assert.equal(nonPublicRange(parseCidr("172.31.0.0/16")), "private (RFC 1918)");
        assert.equal(nonPublicRange(parseCidr("192.168.1.0/24")), "private (RFC 1918)");
        assert.equal(nonPublicRange(parseCidr("100.64.1.1")), "carrier-grade NAT (RFC 6598)");
        assert.equal(nonPublicRange(parseCidr("127.0.0.1")), "loopback");
        assert.equal(nonPublicRange(parseCidr("fd00::/8")), "unique local (RFC 4193)");
        assert.equal(nonPublicRange(parseCidr("fe80::1")), "link-local");
    });
    it("leaves public ranges and wider blocks that merely contain a private range alone", () => {
        assert.equal(nonPublicRange(parseCidr("203.0.113.0/24")), undefined);
        assert.equal(nonPublicRange(parseCidr("172.32.0.0/16")), undefined);
        assert.equal(nonPublicRange(parseCidr("8.0.0.0/7")), undefined);
        assert.equal(nonPublicRange(parseCidr("2001:db8::/32")), undefined);
    });
});

describe("parseAddress", () => {
    it("canonicalises and rejects", () => {
        assert.deepEqual(parseAddress("10.0.3.17"), { family: "ipv4", value: 0x0a000311n, text: "10.0.3.17" });
        assert.equal(parseAddress("10.0.3.17/32"), undefined);
    });
});

describe("nonPublicRange and the special-purpose registries", () => {
    const cases: [string, string | undefined][] = [
        ["0.1.2.3", "this-network (RFC 791)"],
        ["192.0.0.0/24", "IETF protocol assignments (RFC 6890)"],
        ["192.0.0.7", "IPv4 service continuity (RFC 7335)"],
        ["192.0.0.8", "IETF protocol assignments (RFC 6890)"],
        ["192.0.0.9", undefined],
        ["192.0.0.10", undefined],
        ["192.0.0.171", "NAT64/DNS64 discovery (RFC 8880)"],
        ["192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"],
        ["198.19.255.255", "benchmarking (RFC 2544)"],
        ["239.255.255.250", "multicast (RFC 5771)"],
        ["250.1.2.3", "reserved (RFC 1112)"],
        ["255.255.255.255", "limited broadcast (RFC 919)"],
        ["192.0.2.1", undefined],
        ["::", "unspecified"],
        ["::1", "loopback"],
        ["100::1", "discard-only (RFC 6666)"],
        ["2001:1ff::/32", "IETF protocol assignments (RFC 2928)"],
        ["2001:200::/23", undefined],
        ["2001:1::1", undefined],
        ["2001:1::3", "IETF protocol assignments (RFC 2928)"],
        ["2001:4:112::1", undefined],
        ["2001:2::1", "benchmarking (RFC 5180)"],
        ["2001:1f::/32", "deprecated ORCHID (RFC 4843)"],
        ["2001:2f::/32", undefined],
        ["5f00:1::1", "SRv6 segment identifiers (RFC 9602)"],
        ["fec0::1", "deprecated site-local (RFC 3879)"],
        ["ff05::2", "multicast (RFC 4291)"],
        // Ranges that embed IPv4 are not "non-public": they are refused (ipv4EmbeddingRanges).
        ["2002::/16", undefined],
        ["::ffff:10.0.0.1", undefined],
    ];
    for (const [cidr, label] of cases) {
        it(`${cidr}: ${label ?? "nothing"}`, () => assert.equal(nonPublicRange(parseCidr(cidr)), label));
    }
    it("keeps the private-address test the target-sync Lambda relies on", () => {
        assert.deepEqual(
            ["10.0.0.1", "172.31.255.255", "192.168.0.1", "100.64.0.1", "100.128.0.1", "127.0.0.1", "0.0.0.1", "198.18.0.1", "203.0.113.1"].map(isPrivateIpv4),
            [true, true, true, true, false, false, false, false, false],
        );
    });
});

describe("ipv4EmbeddingRanges", () => {
    const cases: [string, string[]][] = [
        ["2002:c000:201::/48", ["2002::/16"]],
        ["64:ff9b::808:808", ["64:ff9b::/96"]],
        ["64:ff9b:1:2::/64", ["64:ff9b:1::/48"]],
        ["::ffff:8.8.8.8", ["::ffff:0:0/96"]],
        ["::ffff:0:808:808", ["::ffff:0:0:0/96"]],
        ["::8.8.8.8", ["::/96"]],
        ["2001:0:5ef5:79fb::/64", ["2001::/32"]],
        ["::/8", ["::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48"]],
        ["5fff::/16", []],
        ["::/0", ["::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2001::/32", "2002::/16"]],
        ["2000::/3", ["2001::/32", "2002::/16"]],
        ["2001::/31", ["2001::/32"]],
        ["::1", []],
        ["::", []],
        ["2001:1::/32", []],
        ["2003::/16", []],
        ["64:ff9b:2::/48", []],
        ["8.8.8.8", []],
    ];
    for (const [cidr, ranges] of cases) {
        it(`${cidr}: ${ranges.join(", ") || "none"}`, () => {
            assert.deepEqual(ipv4EmbeddingRanges(parseCidr(cidr)).map((r) => r.cidr), ranges);
        });
    }
});

describe("unionSize and containsCidr", () => {
    const cases: [string[], bigint][] = [
        [[], 0n],
        [["10.0.0.0/8"], 1n << 24n],
        [["10.0.0.0/8", "10.0.0.0/8"], 1n << 24n],
        [["10.1.0.0/16", "10.0.0.0/8", "10.2.3.4/32"], 1n << 24n],
        [["10.0.0.0/9", "10.128.0.0/9"], 1n << 24n],
        [["10.0.0.0/9", "11.0.0.0/9"], 1n << 24n],
        [["10.0.0.0/32", "10.0.0.1/32", "10.0.0.3/32"], 3n],
        [["255.255.255.255/32", "0.0.0.0/32"], 2n],
        [["0.0.0.0/1", "128.0.0.0/1"], 1n << 32n],
        [["2a00::/16", "2a00:1::/32", "2c00::/16"], 1n << 113n],
        [["::/0", "2001:db8::/32"], 1n << 128n],
        [["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "::/128"], 2n],
    ];
    for (const [cidrs, size] of cases) {
        it(`[${cidrs.join(", ")}] covers ${size} addresses`, () => assert.equal(unionSize(cidrs.map(parseCidr)), size));
    }
    it("knows each family's address space and containment", () => {
        assert.equal(addressSpaceSize("ipv4"), 4294967296n);
        assert.equal(addressSpaceSize("ipv6"), 340282366920938463463374607431768211456n);
        assert.equal(containsCidr(parseCidr("10.0.0.0/8"), parseCidr("10.255.0.0/16")), true);
        assert.equal(containsCidr(parseCidr("10.0.0.0/8"), parseCidr("10.0.0.0/8")), true);
        assert.equal(containsCidr(parseCidr("10.0.0.0/16"), parseCidr("10.0.0.0/8")), false);
        assert.equal(containsCidr(parseCidr("10.0.0.0/8"), parseCidr("11.0.0.0/16")), false);
        assert.equal(containsCidr(parseCidr("::/96"), parseCidr("10.0.0.0/8")), false);
    });
});
