/**
 * Revocation of expired allowlist rules: on its schedule the function finds, in exactly the security groups the
 * deployment listed, the ingress rules tagged `db-endpoints:expires` (expiredRules.ts) with an instant at or before
 * now, and revokes each by its rule ID, logging every one.
 *
 * The rules:
 * 1. Only ingress rules of the listed groups, found with `DescribeSecurityGroupRules` filtered on those group IDs and
 *    on the tag key, each checked again here (group, direction, tag) before anything is revoked. No other rule is
 *    ever touched: not one without the tag, not one whose tag cannot be read, not one of another group.
 * 2. One `RevokeSecurityGroupIngress` call per rule, by `SecurityGroupRuleIds`: a rule already gone
 *    (`InvalidSecurityGroupRuleId.NotFound`, or its group gone, `InvalidGroup.NotFound`) is not an error, so runs
 *    may repeat or overlap with a deployment that deletes the same rule.
 * 3. Throttling and transient errors are retried with the function's bounded backoff (retry.ts), never past its deadline.
 *
 * The EC2 client and its commands are passed in: the Lambda runtime's AWS SDK provides them (see index.ts).
 */
import type * as Ec2 from "@aws-sdk/client-ec2";
import { Logger } from "./log";
import { DEFAULT_RETRY, RetryContext, withRetry } from "./retry";
import { EXPIRES_TAG_KEY, expiryInstant, isExpired } from "./expiredRules";

/** The part of `@aws-sdk/client-ec2` the duty uses. */
export interface Ec2Api {
    client: Ec2.EC2Client;
    commands: Pick<typeof Ec2, "DescribeSecurityGroupRulesCommand" | "RevokeSecurityGroupIngressCommand">;
}

export interface RevocationDeps {
    ec2: Ec2Api;
    log: Logger;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    random: () => number;
    /** Epoch ms by which the run must be done. */
    deadline: number;
}

/** A rule the duty revoked, or found already gone. */
export interface ExpiredRule {
    securityGroupId: string;
    securityGroupRuleId: string;
    /** The rule's tag value. */
    expiresAt: string;
    /** The source it admitted (`cidrIpv4`, `cidrIpv6` or the prefix list), for the log. */
    source?: string;
}

export interface RevocationResult {
    /** Rules revoked by this run. */
    revoked: ExpiredRule[];
    /** Expired rules that were gone by the time this run revoked them. */
    alreadyGone: ExpiredRule[];
    /** Rules carrying the tag that are not due yet. */
    pending: number;
    /** Tagged rules whose tag does not name an instant: left alone. */
    unreadable: { securityGroupId: string; securityGroupRuleId: string; value: string }[];
    /** Expired rules this run could not revoke, and why; or the lookup's failure (no rule ID). */
    failed: { securityGroupId?: string; securityGroupRuleId?: string; message: string }[];
}

/** Filter values per `DescribeSecurityGroupRules` request. */
const GROUPS_PER_REQUEST = 100;

const GONE = new Set(["InvalidSecurityGroupRuleId.NotFound", "InvalidGroup.NotFound"]);

function errorCode(e: unknown): string {
    const err = e as { name?: string; Code?: string; code?: string };
    return err?.Code ?? err?.name ?? err?.code ?? "";
}

function errorText(e: unknown): string {
    const err = e as { name?: string; message?: string };
    return err?.name && err.name !== "Error" ? `${err.name}: ${err.message ?? ""}`.trim() : String(err?.message ?? e);
}

/** Finds and revokes the expired rules of `securityGroupIds`. Never throws: every failure is in the result and the log. */
export async function revokeExpiredRules(securityGroupIds: string[], deps: RevocationDeps): Promise<RevocationResult> {
    const result: RevocationResult = { revoked: [], alreadyGone: [], pending: 0, unreadable: [], failed: [] };
    const groups = new Set(securityGroupIds);
    const retry = (operation: string): RetryContext => ({
        policy: DEFAULT_RETRY,
        sleep: deps.sleep,
        now: deps.now,
        random: deps.random,
        deadline: deps.deadline,
        onRetry: ({ attempt, delayMs, reason, error }) => deps.log.warn("api-retry", { operation, attempt, delayMs, reason, error: errorText(error) }),
    });

    // 1. The tagged rules of exactly these groups.
    const rules: Ec2.SecurityGroupRule[] = [];
    const ids = [...groups].sort();
    try {
        for (let i = 0; i < ids.length; i += GROUPS_PER_REQUEST) {
            let nextToken: string | undefined;
            do {
                const page = await withRetry(
                    () =>
                        deps.ec2.client.send(
                            new deps.ec2.commands.DescribeSecurityGroupRulesCommand({
                                Filters: [
                                    { Name: "group-id", Values: ids.slice(i, i + GROUPS_PER_REQUEST) },
                                    { Name: "tag-key", Values: [EXPIRES_TAG_KEY] },
                                ],
                                MaxResults: 1000,
                                NextToken: nextToken,
                            }),
                        ),
                    retry("DescribeSecurityGroupRules"),
                );
                rules.push(...(page.SecurityGroupRules ?? []));
                nextToken = page.NextToken;
            } while (nextToken);
        }
    } catch (e) {
        const message = errorText(e);
        deps.log.error("revocation-failed", { reason: "describe-failed", message, securityGroupIds: ids });
        result.failed.push({ message: `DescribeSecurityGroupRules: ${message}` });
        return result;
    }

    // 2. Which of them are due: ingress, in one of these groups, with a readable tag at or before now.
    const now = deps.now();
    const due: ExpiredRule[] = [];
    for (const rule of rules) {
        const groupId = rule.GroupId ?? "";
        const ruleId = rule.SecurityGroupRuleId ?? "";
        const tag = rule.Tags?.find((t) => t.Key === EXPIRES_TAG_KEY)?.Value;
        if (rule.IsEgress !== false || !groups.has(groupId) || !ruleId || tag === undefined) continue;
        const expiresAt = expiryInstant(tag);
        if (expiresAt === undefined) {
            result.unreadable.push({ securityGroupId: groupId, securityGroupRuleId: ruleId, value: tag });
            deps.log.warn("expiry-unreadable", {
                securityGroupId: groupId,
                securityGroupRuleId: ruleId,
                value: tag,
                why: `the ${EXPIRES_TAG_KEY} tag is not YYYY-MM-DDTHH:MM:SSZ; the rule is left alone`,
            });
            continue;
        }
        if (!isExpired(expiresAt, now)) {
            result.pending++;
            continue;
        }
        due.push({ securityGroupId: groupId, securityGroupRuleId: ruleId, expiresAt: tag, source: rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId });
    }

    // 3. Revoke each, one call per rule, so that one rule already gone cannot stop another's revocation.
    for (const rule of due.sort((a, b) => a.securityGroupRuleId.localeCompare(b.securityGroupRuleId))) {
        try {
            const out = await withRetry(
                () =>
                    deps.ec2.client.send(
                        new deps.ec2.commands.RevokeSecurityGroupIngressCommand({ GroupId: rule.securityGroupId, SecurityGroupRuleIds: [rule.securityGroupRuleId] }),
                    ),
                retry("RevokeSecurityGroupIngress"),
            );
            if (out.Return === false) throw new Error("RevokeSecurityGroupIngress answered Return=false");
            result.revoked.push(rule);
            deps.log.info("rule-revoked", { ...rule });
        } catch (e) {
            if (GONE.has(errorCode(e))) {
                result.alreadyGone.push(rule);
                deps.log.info("rule-already-revoked", { ...rule, code: errorCode(e) });
                continue;
            }
            const message = errorText(e);
            result.failed.push({ securityGroupId: rule.securityGroupId, securityGroupRuleId: rule.securityGroupRuleId, message });
            deps.log.error("revocation-failed", { ...rule, reason: "revoke-failed", message });
        }
    }
    return result;
}
