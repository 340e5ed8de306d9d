/**
 * How the target-sync function turns an RDS endpoint name into target addresses.
 *
 * The function runs outside any VPC. RDS endpoint names are public DNS names that resolve to the
 * instance's private address from anywhere (unless the instance is publicly accessible, when outside
 * resolvers get its public address: such answers are refused below, never registered).
 */
import * as dns from "node:dns";
import { nonPublicRange, parseAddress, parseCidr } from "../../net/ip";

/** Resolves a name to IPv4 addresses; `[]` for an answer without any, throws {@link DnsError} on failure. */
export type Resolve = (hostname: string) => Promise<string[]>;

/** The name did not resolve (NXDOMAIN, SERVFAIL, timeout, ...). */
export class DnsError extends Error {
    constructor(
        readonly hostname: string,
        readonly code: string,
    ) {
        super(`could not resolve ${hostname} (${code})`);
        this.name = "DnsError";
    }
}

/**
 * A resolver asking the DNS servers of the environment directly (c-ares, not the libc cache), with a
 * per-query timeout and bounded tries so a hung resolver cannot eat the function's time.
 */
export function dnsResolver(timeoutMs = 2000, tries = 2): Resolve {
    const resolver = new dns.promises.Resolver({ timeout: timeoutMs, tries });
    return async (hostname) => {
        try {
            return await resolver.resolve4(hostname);
        } catch (e) {
            const code = (e as NodeJS.ErrnoException).code ?? "EUNKNOWN";
            if (code === dns.NODATA) return [];
            throw new DnsError(hostname, code);
        }
    };
}

/** Ranges an NLB accepts as IP targets inside a VPC (besides the VPC's own CIDRs, which lie in them). */
const TARGETABLE = new Set(["private (RFC 1918)", "carrier-grade NAT (RFC 6598)"]);

export interface UsableAddresses {
    /** Private IPv4 addresses, canonical and sorted, de-duplicated. */
    usable: string[];
    /** Addresses in the answer that cannot be IP targets (public, loopback, malformed). */
    refused: string[];
}

/** Splits a DNS answer into addresses that can be NLB IP targets and those that cannot. */
export function usableAddresses(answer: string[]): UsableAddresses {
    const usable = new Set<string>();
    const refused: string[] = [];
    for (const raw of answer) {
        const parsed = parseAddress(raw);
        if (!parsed || parsed.family !== "ipv4" || !TARGETABLE.has(nonPublicRange(parseCidr(`${parsed.text}/32`)) ?? "")) {
            refused.push(raw);
            continue;
        }
        usable.add(parsed.text);
    }
    return { usable: [...usable].sort(compareIpv4), refused };
}

/** Numeric order of dotted-quad IPv4 addresses. */
export function compareIpv4(a: string, b: string): number {
    const key = (s: string) => s.split(".").reduce((n, part) => n * 256 + Number(part), 0);
    return key(a) - key(b);
}
