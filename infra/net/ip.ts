/**
 * IP address and CIDR parsing for allowlists.
 *
 * Written here rather than taken from a library because the allowlist is the
 * product's security boundary: every accepted form is listed below and tested.
 *
 * Accepted: dotted-quad IPv4 (no leading zeros, which some parsers read as octal),
 * RFC 4291 IPv6 text forms including `::` compression and an embedded IPv4 tail,
 * each optionally followed by `/prefix`. A bare address means a single host
 * (`/32` or `/128`). Zone IDs (`fe80::1%eth0`) are refused: they mean nothing to AWS.
 */

export type IpFamily = "ipv4" | "ipv6";

export interface ParsedCidr {
    family: IpFamily;
    /** Network address as an unsigned integer (32 or 128 bits). */
    network: bigint;
    prefix: number;
    /** Canonical text: `203.0.113.0/24`, `2001:db8::/48` (RFC 5952 lower case, compressed). */
    cidr: string;
}

/** A CIDR that failed to parse, with a sentence saying why. */
export class CidrError extends Error {}

function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) return undefined;
    let value = 0n;
    for (const part of parts) {
        if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
        const n = Number(part);
        if (n > 255) return undefined;
        value = (value << 8n) | BigInt(n);
    }
    return value;
}

function parseIpv6(text: string): bigint | undefined {
    if (text.length === 0 || text.includes("%")) return undefined;
    let head = text;
    let v4Tail: bigint | undefined;
    const lastColon = text.lastIndexOf(":");
    if (text.slice(lastColon + 1).includes(".")) {
        v4Tail = parseIpv4(text.slice(lastColon + 1));
        if (v4Tail === undefined) return undefined;
        // Keep the colon(s) before the IPv4 tail so that a trailing "::" survives.
        head = text.slice(0, lastColon + 1) + "0:0";
    }
    const halves = head.split("::");
    if (halves.length > 2) return undefined;
    const toGroups = (s: string): string[] | undefined => (s === "" ? [] : s.split(":"));
    const left = toGroups(halves[0]);
    const right = halves.length === 2 ? toGroups(halves[1]) : [];
    if (left === undefined || right === undefined) return undefined;
    const explicit = left.length + right.length;
    if (halves.length === 2 ? explicit > 7 : explicit !== 8) return undefined;
    const groups = [...left, ...Array(8 - explicit).fill("0"), ...right];
    let value = 0n;
    for (const g of groups) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        value = (value << 16n) | BigInt(parseInt(g, 16));
    }
    if (v4Tail !== undefined) value = (value & ~0xffffffffn) | v4Tail;
    return value;
}

function formatIpv4(value: bigint): string {
    return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join(".");
}

/** RFC 5952: lower case, no leading zeros, the longest run (>1) of zero groups compressed. */
function formatIpv6(value: bigint): string {
    const groups: number[] = [];
    for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < 8; ) {
        if (groups[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && groups[j] === 0) j++;
        if (j - i > bestLen && j - i > 1) {
            bestStart = i;
            bestLen = j - i;
        }
        i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (bestStart < 0) return hex.join(":");
    return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** Parses a bare IP address; returns undefined when it is not one. */
export function parseAddress(text: string): { family: IpFamily; value: bigint; text: string } | undefined {
    const v4 = parseIpv4(text);
    if (v4 !== undefined) return { family: "ipv4", value: v4, text: formatIpv4(v4) };
    const v6 = parseIpv6(text);
    if (v6 !== undefined) return { family: "ipv6", value: v6, text: formatIpv6(v6) };
    return undefined;
}

/**
 * Parses `address[/prefix]`. Throws {@link CidrError} with the reason when the text is not a
 * CIDR, or when bits are set past the prefix (`10.0.0.1/8`): AWS would store a different
 * network than the one written, so the user is asked to write the one they mean.
 */
export function parseCidr(text: string): ParsedCidr {
    if (typeof text !== "string" || text.trim() !== text || text === "") {
        throw new CidrError("is not a CIDR or IP address");
    }
    const slash = text.indexOf("/");
    const addressText = slash < 0 ? text : text.slice(0, slash);
    const address = parseAddress(addressText);
    if (!address) throw new CidrError("is not a CIDR or IP address");
    const bits = address.family === "ipv4" ? 32 : 128;
    let prefix = bits;
    if (slash >= 0) {
        const prefixText = text.slice(slash + 1);
        if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
            throw new CidrError(`is not a CIDR: the prefix length must be 0..${bits}`);
        }
        prefix = Number(prefixText);
    }
    const hostMask = (1n << BigInt(bits - prefix)) - 1n;
    if ((address.value & hostMask) !== 0n) {
        const network = address.value & ~hostMask;
        const fmt = address.family === "ipv4" ? formatIpv4 : formatIpv6;
        throw new CidrError(`has host bits set past /${prefix}; the network is "${fmt(network)}/${prefix}"`);
    }
    return { family: address.family, network: address.value, prefix, cidr: `${address.text}/${prefix}` };
}

/**
 * How the product treats an allowlist entry in a special-purpose range.
 * - `embeds-ipv4`: the addresses carry an IPv4 address (IPv4-mapped, 6to4, NAT64, Teredo, ...). Through a
 *   translator or relay, traffic from any IPv4 host can arrive with such a source, so admitting the range
 *   admits IPv4 space the allowlist does not show. Refused.
 * - `not-global`: not globally reachable (IANA special-purpose registries) or never a source address
 *   (multicast, reserved): an internet-facing load balancer never sees such sources. Warned about.
 * - `global`: a globally reachable block inside a `not-global` one (an anycast service, ORCHIDv2):
 *   nothing to say.
 * - `documentation`: reserved for examples (RFC 5737, RFC 3849, RFC 9637). Admits nobody, and the
 *   examples and tests of this product use it, so nothing is said.
 */
export type SpecialKind = "embeds-ipv4" | "not-global" | "global" | "documentation";

/** A special-purpose range from the IANA IPv4 and IPv6 Special-Purpose Address Registries (and multicast). */
export interface SpecialRange {
    family: IpFamily;
    network: bigint;
    prefix: number;
    /** Canonical text of the range, `2002::/16`. */
    cidr: string;
    /** What the range is, `6to4 (RFC 3056)`. */
    label: string;
    kind: SpecialKind;
}

const SPECIAL_RANGES: SpecialRange[] = (
    [
        ["0.0.0.0/8", "this-network (RFC 791)", "not-global"],
        ["10.0.0.0/8", "private (RFC 1918)", "not-global"],
        ["172.16.0.0/12", "private (RFC 1918)", "not-global"],
        ["192.168.0.0/16", "private (RFC 1918)", "not-global"],
        ["100.64.0.0/10", "carrier-grade NAT (RFC 6598)", "not-global"],
        ["127.0.0.0/8", "loopback", "not-global"],
        ["169.254.0.0/16", "link-local", "not-global"],
        ["192.0.0.0/24", "IETF protocol assignments (RFC 6890)", "not-global"],
        ["192.0.0.0/29", "IPv4 service continuity (RFC 7335)", "not-global"],
        ["192.0.0.9/32", "port control protocol anycast (RFC 7723)", "global"],
        ["192.0.0.10/32", "TURN anycast (RFC 8155)", "global"],
        ["192.0.0.170/31", "NAT64/DNS64 discovery (RFC 8880)", "not-global"],
        ["192.0.2.0/24", "documentation (RFC 5737)", "documentation"],
        ["192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)", "not-global"],
        ["198.18.0.0/15", "benchmarking (RFC 2544)", "not-global"],
        ["198.51.100.0/24", "documentation (RFC 5737)", "documentation"],
        ["203.0.113.0/24", "documentation (RFC 5737)", "documentation"],
        ["224.0.0.0/4", "multicast (RFC 5771)", "not-global"],
        ["240.0.0.0/4", "reserved (RFC 1112)", "not-global"],
        ["255.255.255.255/32", "limited broadcast (RFC 919)", "not-global"],
        ["::/128", "unspecified", "not-global"],
        ["::1/128", "loopback", "not-global"],
        ["::/96", "IPv4-compatible (RFC 4291)", "embeds-ipv4"],
        ["::ffff:0:0/96", "IPv4-mapped (RFC 4291)", "embeds-ipv4"],
        ["::ffff:0:0:0/96", "IPv4-translated (RFC 2765)", "embeds-ipv4"],
        ["64:ff9b::/96", "NAT64 well-known prefix (RFC 6052)", "embeds-ipv4"],
        ["64:ff9b:1::/48", "local-use IPv4/IPv6 translation (RFC 8215)", "embeds-ipv4"],
        ["100::/64", "discard-only (RFC 6666)", "not-global"],
        ["2001::/23", "IETF protocol assignments (RFC 2928)", "not-global"],
        ["2001::/32", "Teredo (RFC 4380)", "embeds-ipv4"],
        ["2001:1::1/128", "port control protocol anycast (RFC 7723)", "global"],
        ["2001:1::2/128", "TURN anycast (RFC 8155)", "global"],
        ["2001:2::/48", "benchmarking (RFC 5180)", "not-global"],
        ["2001:3::/32", "AMT (RFC 7450)", "global"],
        ["2001:4:112::/48", "AS112-v6 (RFC 7535)", "global"],
        ["2001:10::/28", "deprecated ORCHID (RFC 4843)", "not-global"],
        ["2001:20::/28", "ORCHIDv2 (RFC 7343)", "global"],
        ["2001:30::/28", "drone remote ID (RFC 9374)", "global"],
        ["2001:db8::/32", "documentation (RFC 3849)", "documentation"],
        ["2002::/16", "6to4 (RFC 3056)", "embeds-ipv4"],
        ["3fff::/20", "documentation (RFC 9637)", "documentation"],
        ["5f00::/16", "SRv6 segment identifiers (RFC 9602)", "not-global"],
        ["fc00::/7", "unique local (RFC 4193)", "not-global"],
        ["fe80::/10", "link-local", "not-global"],
        ["fec0::/10", "deprecated site-local (RFC 3879)", "not-global"],
        ["ff00::/8", "multicast (RFC 4291)", "not-global"],
    ] as const
).map(([cidr, label, kind]) => {
    const p = parseCidr(cidr);
    return { family: p.family, network: p.network, prefix: p.prefix, cidr: p.cidr, label, kind };
});

function bitsOf(family: IpFamily): number {
    return family === "ipv4" ? 32 : 128;
}

/** True when `outer` contains `inner` (or they are the same network). */
export function containsCidr(outer: Pick<ParsedCidr, "family" | "network" | "prefix">, inner: ParsedCidr): boolean {
    if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
    const shift = BigInt(bitsOf(outer.family) - outer.prefix);
    return outer.network >> shift === inner.network >> shift;
}

/** The narrowest special-purpose range that contains the CIDR, or undefined. */
function narrowestSpecialRange(cidr: ParsedCidr): SpecialRange | undefined {
    let best: SpecialRange | undefined;
    for (const r of SPECIAL_RANGES) {
        if (containsCidr(r, cidr) && (best === undefined || r.prefix > best.prefix)) best = r;
    }
    return best;
}

/**
 * Names the non-public range a CIDR lies inside (`private (RFC 1918)`), or undefined: the narrowest
 * special-purpose range containing it that is not globally reachable. An internet-facing NLB never
 * sees such sources, so an allowlist entry in one is almost always a mistake (a VPN's inside address,
 * a NAT's private side). Globally reachable blocks inside such a range (anycast services), documentation
 * ranges and ranges that embed IPv4 ({@link ipv4EmbeddingRanges}) give undefined.
 */
export function nonPublicRange(cidr: ParsedCidr): string | undefined {
    const range = narrowestSpecialRange(cidr);
    return range?.kind === "not-global" ? range.label : undefined;
}

/**
 * The special-purpose ranges whose addresses embed IPv4 addresses (IPv4-mapped, IPv4-compatible,
 * IPv4-translated, NAT64, 6to4, Teredo) that the CIDR lies inside or contains; empty when none.
 * Through a translator or relay such sources can stand for any IPv4 host, so an allowlist entry that
 * overlaps one admits IPv4 space that the allowlist does not show. A CIDR inside a narrower range that
 * embeds nothing (`::1`, the loopback, inside the IPv4-compatible `::/96`) gives none.
 */
export function ipv4EmbeddingRanges(cidr: ParsedCidr): SpecialRange[] {
    const narrowest = narrowestSpecialRange(cidr);
    if (narrowest?.kind === "embeds-ipv4") return [narrowest];
    return SPECIAL_RANGES.filter((r) => r.kind === "embeds-ipv4" && containsCidr(cidr, r));
}

/** Number of addresses in the whole address space of a family (2^32, 2^128). */
export function addressSpaceSize(family: IpFamily): bigint {
    return 1n << BigInt(bitsOf(family));
}

/** Number of addresses in a CIDR (2^(bits - prefix)). */
export function cidrSize(cidr: Pick<ParsedCidr, "family" | "prefix">): bigint {
    return 1n << BigInt(bitsOf(cidr.family) - cidr.prefix);
}

/**
 * Number of distinct addresses that CIDRs of one family cover together: overlapping and nested
 * entries are counted once. Exact (bigint), for IPv6 too.
 */
export function unionSize(cidrs: ParsedCidr[]): bigint {
    const intervals = cidrs
        .map((c) => ({ start: c.network, end: c.network + cidrSize(c) }))
        .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let total = 0n;
    let start = -1n;
    let end = -1n;
    for (const i of intervals) {
        if (i.start > end) {
            if (end > start) total += end - start;
            start = i.start;
            end = i.end;
        } else if (i.end > end) {
            end = i.end;
        }
    }
    if (end > start) total += end - start;
    return total;
}

/** True for the whole address space (`0.0.0.0/0`, `::/0`). */
export function isWholeInternet(cidr: ParsedCidr): boolean {
    return cidr.prefix === 0;
}

/** True for an IPv4 address in a range a VPC can use privately (RFC 1918, or RFC 6598 shared space). */
export function isPrivateIpv4(text: string): boolean {
    const address = parseAddress(text);
    if (!address || address.family !== "ipv4") return false;
    const range = nonPublicRange(parseCidr(address.text));
    return range === "private (RFC 1918)" || range === "carrier-grade NAT (RFC 6598)";
}
