import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CidrError, nonPublicRange, parseAddress, parseCidr } from "../infra/net/ip";

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
