/**
 * Turns an endpoint's allowlist into security-group ingress rules: parsing, de-duplication, the
 * public-internet opt-in, and spreading the rules over as many security groups as the quotas need.
 */
import {
    addressSpaceSize,
    CidrError,
    cidrSize,
    ipv4EmbeddingRanges,
    isWholeInternet,
    nonPublicRange,
    parseCidr,
    ParsedCidr,
    unionSize,
} from "../net/ip";
import { join, Problems, show } from "../validation";
import { DEFAULT_QUOTAS, QUOTA_LIMITS, WIDEST_PREFIX } from "./limits";

/** AWS quotas that bound one endpoint's allowlist (both adjustable in Service Quotas). */
export interface AllowlistQuotas {
    /** Inbound rules per security group, counted separately for IPv4 and IPv6 (AWS default 60). */
    rulesPerSecurityGroup: number;
    /** Security groups per network interface, and so per NLB (AWS default 5). */
    securityGroupsPerLoadBalancer: number;
}


/** The stack's AWS quotas: the allowlist's, and the Elastic IPs every endpoint with `elasticIps` takes from the region. */
export interface StackQuotas extends AllowlistQuotas {
    /**
     * Elastic IPs the stack may allocate in its region (AWS default quota 5 per region, adjustable). Each endpoint with
     * Elastic IPs takes one per public subnet, and addresses allocated outside this stack count against the same quota.
     */
    elasticIpsPerRegion: number;
}



export interface AllowlistRule {
    cidr: string;
    family: "ipv4" | "ipv6";
}

/**
 * Validates and normalises an allowlist. Errors: entries that are not CIDRs, whole-internet entries
 * and entries wider than {@link WIDEST_PREFIX} (those need `allowPublicInternet`), entries that overlap a
 * range whose addresses embed IPv4 addresses (6to4, NAT64, IPv4-mapped, Teredo, ...), entries that
 * together cover more addresses than one {@link WIDEST_PREFIX} network without the opt-in, an empty
 * list without the opt-in, more entries than one NLB can carry. Warnings: ranges that are not globally
 * reachable, duplicates, entries made redundant by the opt-in.
 * Returns the rules in effect (input order, duplicates removed).
 */
export function normalizeAllowlist(
    problems: Problems,
    path: string,
    entries: unknown[] | undefined,
    allowPublicInternet: boolean,
    publicInternetPath: string,
    quotas: AllowlistQuotas,
): AllowlistRule[] {
    const seen = new Map<string, number>();
    const rules: AllowlistRule[] = [];
    (entries ?? []).forEach((entry, i) => {
        const at = join(path, i);
        if (typeof entry !== "string") {
            problems.error(at, `${show(entry)} is not a CIDR or IP address (write it as a string)`);
            return;
        }
        let parsed: ParsedCidr;
        try {
            parsed = parseCidr(entry);
        } catch (e) {
            if (e instanceof CidrError) {
                problems.error(at, `${show(entry)} ${e.message}`);
                return;
            }
            throw e;
        }
        if (isWholeInternet(parsed)) {
            problems.error(
                at,
                `${show(entry)} opens the endpoint to the whole internet; ` +
                    `set ${publicInternetPath}: true to do that on purpose`,
            );
            return;
        }
        const widest = WIDEST_PREFIX[parsed.family];
        if (parsed.prefix < widest) {
            // A few short prefixes add up to the whole internet (0.0.0.0/1 + 128.0.0.0/1): refused like 0.0.0.0/0.
            problems.error(
                at,
                `${show(entry)} is wider than /${widest}, a sizeable share of the whole ${parsed.family === "ipv4" ? "IPv4" : "IPv6"} internet; ` +
                    `list narrower ranges, or set ${publicInternetPath}: true to open the endpoint to everyone on purpose`,
            );
            return;
        }
        const embedding = ipv4EmbeddingRanges(parsed);
        if (embedding.length > 0) {
            // Through a translator or relay, any IPv4 host can arrive with a source address in these ranges.
            const where = embedding
                .map((r) => `${parsed.prefix >= r.prefix ? "is in" : "contains"} ${r.cidr}, the ${r.label} range`)
                .join(" and ");
            problems.error(
                at,
                `${show(entry)} ${where}, whose addresses embed IPv4 addresses: through a translator or relay they can stand for ` +
                    `any IPv4 host, so the entry would admit IPv4 space the allowlist does not show; ` +
                    `list the IPv4 addresses themselves, or native IPv6 ranges that leave ${embedding.length === 1 ? "it" : "them"} out`,
            );
            return;
        }
        const range = nonPublicRange(parsed);
        if (range) {
            problems.warn(
                at,
                `${show(entry)} is in ${article(range)} ${range} range; an internet-facing load balancer never sees such source addresses`,
            );
        }
        const earlier = seen.get(parsed.cidr);
        if (earlier !== undefined) {
            problems.warn(at, `${show(entry)} duplicates ${join(path, earlier)}; one rule is created`);
            return;
        }
        seen.set(parsed.cidr, i);
        rules.push({ cidr: parsed.cidr, family: parsed.family });
    });

    if (allowPublicInternet) {
        if (rules.length > 0) {
            problems.warn(
                path,
                `${publicInternetPath} is true, so the ${rules.length} allowlist entr${rules.length === 1 ? "y is" : "ies are"} redundant: every address is admitted`,
            );
        }
        problems.warn(
            publicInternetPath,
            "the endpoint admits every IPv4 and IPv6 address (0.0.0.0/0, ::/0); only the database's own authentication protects it",
        );
        return [
            { cidr: "0.0.0.0/0", family: "ipv4" },
            { cidr: "::/0", family: "ipv6" },
        ];
    }
    if ((entries ?? []).length === 0) {
        problems.error(
            path,
            `is empty, so nobody could connect; list the client addresses, or set ${publicInternetPath}: true to admit everyone`,
        );
        return rules;
    }
    for (const family of ["ipv4", "ipv6"] as const) {
        const cidrs = rules.filter((r) => r.family === family).map((r) => parseCidr(r.cidr));
        const covered = unionSize(cidrs);
        const bound = cidrSize({ family, prefix: WIDEST_PREFIX[family] });
        if (covered > bound) {
            const space = addressSpaceSize(family);
            const name = family === "ipv4" ? "IPv4" : "IPv6";
            const bits = family === "ipv4" ? 32 : 128;
            problems.error(
                path,
                `the ${name} entries together cover ${covered} addresses (${percent(covered, space)} of the ${name} address space), ` +
                    `more than the 2^${bits - WIDEST_PREFIX[family]} of one /${WIDEST_PREFIX[family]} that an allowlist may cover without ${publicInternetPath}; ` +
                    `list narrower ranges, or set ${publicInternetPath}: true to open the endpoint to everyone on purpose`,
            );
        }
    }
    const capacity = quotas.rulesPerSecurityGroup * quotas.securityGroupsPerLoadBalancer;
    for (const family of ["ipv4", "ipv6"] as const) {
        const count = rules.filter((r) => r.family === family).length;
        if (count > capacity) {
            problems.error(
                path,
                `${count} ${family === "ipv4" ? "IPv4" : "IPv6"} entries exceed what one load balancer can carry ` +
                    `(${quotas.securityGroupsPerLoadBalancer} security groups x ${quotas.rulesPerSecurityGroup} rules = ${capacity}); ` +
                    `merge entries into wider CIDRs, split the endpoint, or raise the quotas in Service Quotas and in config "quotas"`,
            );
        }
    }
    return rules;
}

/** The indefinite article before a range's label: "an IETF protocol assignments", "a unique local". */
function article(label: string): string {
    return /^(?:[aeio]|un(?!i)|IETF|IPv|SRv)/.test(label) ? "an" : "a";
}

/** `part` as a percentage of `whole`, three significant digits: `0.391%`, `100%`. */
function percent(part: bigint, whole: bigint): string {
    return `${Number((Number(part) / Number(whole) * 100).toPrecision(3))}%`;
}

/**
 * Spreads rules over the fewest security groups that hold them: each group takes up to
 * `rulesPerSecurityGroup` IPv4 rules and as many IPv6 rules (AWS counts the two separately).
 * Always returns at least one group: the NLB must be created with one (it can never get one later),
 * and the first group also carries the egress rule to the database. The rules of a shared load balancer's
 * endpoints are spread the same way, in the order of the endpoints, then of their entries.
 */
export function spreadOverSecurityGroups<R extends AllowlistRule>(rules: R[], rulesPerSecurityGroup: number): R[][] {
    const v4 = rules.filter((r) => r.family === "ipv4");
    const v6 = rules.filter((r) => r.family === "ipv6");
    const groupCount = Math.max(1, Math.ceil(Math.max(v4.length, v6.length) / rulesPerSecurityGroup));
    const groups: R[][] = [];
    for (let g = 0; g < groupCount; g++) {
        const slice = (list: R[]) => list.slice(g * rulesPerSecurityGroup, (g + 1) * rulesPerSecurityGroup);
        groups.push([...slice(v4), ...slice(v6)]);
    }
    return groups;
}

/** Validates quota overrides from config. */
export function readQuotas(problems: Problems, path: string, value: unknown): StackQuotas {
    const quotas: StackQuotas = { ...DEFAULT_QUOTAS };
    const keys = Object.keys(DEFAULT_QUOTAS) as (keyof StackQuotas)[];
    if (value === undefined || value === null) return quotas;
    if (typeof value !== "object" || Array.isArray(value)) {
        problems.error(path, `${show(value)} is not a map (expected ${keys.join(", ")})`);
        return quotas;
    }
    const raw = value as Record<string, unknown>;
    for (const key of keys) {
        const v = raw[key];
        if (v === undefined) continue;
        if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > QUOTA_LIMITS[key]) {
            problems.error(join(path, key), `${show(v)} is not a whole number in 1..${QUOTA_LIMITS[key]}`);
        } else {
            quotas[key] = v;
        }
    }
    return quotas;
}
