/**
 * The expired-rule revocation duty's contract: how an allowlist entry with an expiry is marked on its security
 * group rule, which security groups the function looks in (written into the deployment package), and the metric
 * the function publishes when it could not revoke one. Pure (no AWS SDK, no Pulumi).
 *
 * An allowlist entry that expires becomes an `aws.vpc.SecurityGroupIngressRule` tagged {@link EXPIRES_TAG_KEY} =
 * the instant it expires, ISO 8601 in UTC to the second (`2027-02-01T00:00:00Z`, {@link formatExpiry}). The
 * function revokes, on its schedule, every ingress rule of the listed security groups whose tag is at or before
 * the current time, and nothing else.
 */
import { patterns, Problems, show } from "../../validation";
import { parseDutyFile } from "./settings";

/** Tag on a security group ingress rule: the instant (ISO 8601, UTC) after which the function revokes it. */
export const EXPIRES_TAG_KEY = "db-endpoints:expires";

/** File inside the function's deployment package that lists the security groups whose rules may expire. */
export const EXPIRING_RULES_FILE = "expiring-rules.json";

/**
 * The metric written when a run could not revoke an expired rule (or could not look for them): only then, so its
 * absence means nothing went wrong. Dimension `Stack`: `<project>/<stack>`.
 */
export const REVOCATION_METRIC = { namespace: "DbEndpoints/Allowlist", name: "RevocationFailures", dimensions: ["Stack"] } as const;

/** The only form of the tag's value the function acts on: `YYYY-MM-DDTHH:MM:SSZ`. */
const EXPIRY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/**
 * The instant (epoch ms) a {@link EXPIRES_TAG_KEY} value names, or undefined when it is not exactly
 * `YYYY-MM-DDTHH:MM:SSZ` naming a real instant: a rule whose tag cannot be read is never revoked.
 */
export function expiryInstant(value: string): number | undefined {
    const m = EXPIRY.exec(value);
    if (!m) return undefined;
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
    const ms = Date.UTC(year, month - 1, day, hour, minute, second);
    // Date.UTC rolls 2027-02-30 over into March; a value that does not round-trip names no real instant.
    return formatExpiry(ms) === value ? ms : undefined;
}

/** The tag value for an expiry instant (epoch ms): ISO 8601 in UTC, to the second. */
export function formatExpiry(ms: number): string {
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** Whether a rule whose tag names `expiresAt` (epoch ms) is due for revocation at `now`: at or after its expiry. */
export function isExpired(expiresAt: number, now: number): boolean {
    return expiresAt <= now;
}

/** Checks a list of security group IDs: each one, and none twice. */
export function checkSecurityGroupIds(problems: Problems, path: string, value: unknown): string[] {
    if (!Array.isArray(value)) {
        problems.error(path, `${show(value)} is not a list of security group IDs`);
        return [];
    }
    const ids: string[] = [];
    value.forEach((id, i) => {
        if (typeof id !== "string" || !patterns.securityGroupId.test(id)) {
            problems.error(`${path}[${i}]`, `${show(id)} is not a security group ID`);
        } else if (ids.includes(id)) {
            problems.error(`${path}[${i}]`, `${show(id)} is listed twice`);
        } else {
            ids.push(id);
        }
    });
    return ids;
}

/** Parses the expiring-rules file; throws one error naming every problem. */
export function parseExpiringRulesFile(text: string): string[] {
    return parseDutyFile(EXPIRING_RULES_FILE, "securityGroupIds", text, checkSecurityGroupIds);
}

/** The whole text of the expiring-rules file, sorted (same groups, same bytes). */
export function expiringRulesFileText(securityGroupIds: string[]): string {
    return `${JSON.stringify({ securityGroupIds: [...securityGroupIds].sort() }, null, 2)}\n`;
}
