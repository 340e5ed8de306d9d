/**
 * Turns an endpoint's allowlist into security-group ingress rules: parsing, de-duplication, the
 * public-internet opt-in, and spreading the rules over as many security groups as the quotas need.
 */
import { CidrError, isWholeInternet, nonPublicRange, parseCidr, ParsedCidr } from "./net/ip";
import { join, Problems, show } from "./validation";

/** AWS quotas that bound one endpoint's allowlist (both adjustable in Service Quotas). */
export interface AllowlistQuotas {
    /** Inbound rules per security group, counted separately for IPv4 and IPv6 (AWS default 60). */
    rulesPerSecurityGroup: number;
    /** Security groups per network interface, and so per NLB (AWS default 5). */
    securityGroupsPerLoadBalancer: number;
}

/** The widest allowlist entry accepted without the public-internet opt-in, per family. */
export const WIDEST_PREFIX = { ipv4: 8, ipv6: 16 } as const;

export const DEFAULT_QUOTAS: AllowlistQuotas = { rulesPerSecurityGroup: 60, securityGroupsPerLoadBalancer: 5 };

export interface AllowlistRule {
    cidr: string;
    family: "ipv4" | "ipv6";
}

/**
 * Validates and normalises an allowlist. Errors: entries that are not CIDRs, whole-internet entries
 * (those need `allowPublicInternet`), an empty list without the opt-in, more entries than one NLB can
 * carry. Warnings: non-public ranges, duplicates, entries made redundant by the opt-in.
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
        const range = nonPublicRange(parsed);
        if (range) {
            problems.warn(
                at,
                `${show(entry)} is in a ${range} range; an internet-facing load balancer never sees such source addresses`,
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

/**
 * Spreads rules over the fewest security groups that hold them: each group takes up to
 * `rulesPerSecurityGroup` IPv4 rules and as many IPv6 rules (AWS counts the two separately).
 * Always returns at least one group: the NLB must be created with one (it can never get one later),
 * and the first group also carries the egress rule to the database.
 */
export function spreadOverSecurityGroups(rules: AllowlistRule[], rulesPerSecurityGroup: number): AllowlistRule[][] {
    const v4 = rules.filter((r) => r.family === "ipv4");
    const v6 = rules.filter((r) => r.family === "ipv6");
    const groupCount = Math.max(1, Math.ceil(Math.max(v4.length, v6.length) / rulesPerSecurityGroup));
    const groups: AllowlistRule[][] = [];
    for (let g = 0; g < groupCount; g++) {
        const slice = (list: AllowlistRule[]) => list.slice(g * rulesPerSecurityGroup, (g + 1) * rulesPerSecurityGroup);
        groups.push([...slice(v4), ...slice(v6)]);
    }
    return groups;
}

/** Validates quota overrides from config. */
export function readQuotas(problems: Problems, path: string, value: unknown): AllowlistQuotas {
    const quotas = { ...DEFAULT_QUOTAS };
    if (value === undefined || value === null) return quotas;
    if (typeof value !== "object" || Array.isArray(value)) {
        problems.error(path, `${show(value)} is not a map (expected rulesPerSecurityGroup, securityGroupsPerLoadBalancer)`);
        return quotas;
    }
    const raw = value as Record<string, unknown>;
    for (const key of Object.keys(raw)) {
        if (key !== "rulesPerSecurityGroup" && key !== "securityGroupsPerLoadBalancer") {
            problems.error(join(path, key), "unknown field; known fields: rulesPerSecurityGroup, securityGroupsPerLoadBalancer");
        }
    }
    const limits = { rulesPerSecurityGroup: 1000, securityGroupsPerLoadBalancer: 16 };
    for (const key of ["rulesPerSecurityGroup", "securityGroupsPerLoadBalancer"] as const) {
        const v = raw[key];
        if (v === undefined) continue;
        if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > limits[key]) {
            problems.error(join(path, key), `${show(v)} is not a whole number in 1..${limits[key]}`);
        } else {
            quotas[key] = v;
        }
    }
    return quotas;
}
