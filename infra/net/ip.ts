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

interface Range {
    family: IpFamily;
    network: bigint;
    prefix: number;
    label: string;
}

const SPECIAL_RANGES: Range[] = [
    ["10.0.0.0/8", "private (RFC 1918)"],
    ["172.16.0.0/12", "private (RFC 1918)"],
    ["192.168.0.0/16", "private (RFC 1918)"],
    ["100.64.0.0/10", "carrier-grade NAT (RFC 6598)"],
    ["127.0.0.0/8", "loopback"],
    ["169.254.0.0/16", "link-local"],
    ["fc00::/7", "unique local (RFC 4193)"],
    ["fe80::/10", "link-local"],
    ["::1/128", "loopback"],
].map(([cidr, label]) => {
    const p = parseCidr(cidr);
    return { family: p.family, network: p.network, prefix: p.prefix, label };
});

/**
 * Names the non-public range a CIDR lies inside (`private (RFC 1918)`), or undefined.
 * An internet-facing NLB never sees such sources, so an allowlist entry in one is almost
 * always a mistake (a VPN's inside address, a NAT's private side).
 */
export function nonPublicRange(cidr: ParsedCidr): string | undefined {
    const bits = cidr.family === "ipv4" ? 32 : 128;
    for (const r of SPECIAL_RANGES) {
        if (r.family !== cidr.family || cidr.prefix < r.prefix) continue;
        const shift = BigInt(bits - r.prefix);
        if (r.network >> shift === cidr.network >> shift) return r.label;
    }
    return undefined;
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
