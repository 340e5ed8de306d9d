/**
 * The allowlist's managed prefix lists at deployment: each looked up in AWS (its maximum entries, address family
 * and current CIDRs), then checked by the same rules as the rest of the allowlist (infra/model/allowlist.ts): the
 * quota of the security group that holds them, counted by maximum entries as AWS counts it, the load balancer's
 * address families, and the width guard over their contents. A failure stops the deployment, with the same
 * argument error as any other, before the load balancer exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { IpAddressType } from "../../enums";
import {
    AllowlistRule,
    checkPrefixListBudget,
    checkPrefixListContents,
    PrefixListRule,
    ResolvedPrefixList,
} from "../../model/allowlist";
import { formatProblem, Problems } from "../../validation";
import { throwIfInvalidArgs } from "../support/argsError";
import type { ArgsOwner } from "../support/knownNowOrLater";
import { lookUpOutput, LOOKUPS } from "../support/lookups";

/** The prefix lists not yet expired, looked up in AWS, in order. */
export function lookUpPrefixLists(lists: PrefixListRule[], opts: pulumi.InvokeOptions): pulumi.Output<ResolvedPrefixList[]> {
    return pulumi.all(
        lists
            .filter((l) => !l.expired)
            .map((l) =>
                lookUpOutput(LOOKUPS.managedPrefixList, { id: l.prefixList }, opts).apply(
                    (found): ResolvedPrefixList => ({
                        path: l.path,
                        prefixList: l.prefixList,
                        maxEntries: found.maxEntries ?? undefined,
                        addressFamily: found.addressFamily,
                        entries: (found.entries ?? []).map((e) => e.cidr),
                    }),
                ),
            ),
    );
}

/** One endpoint's part of the check: its prefix lists, its own CIDR rules and where its opt-in is. */
export interface PrefixListOwner {
    /** The endpoint's allowlist path for the coverage rule: `allowedCidrs`, `endpoints[2].allowedCidrs`. */
    allowlistPath: string;
    publicInternetPath: string;
    /** The endpoint's CIDR rules (expired ones are left out here). */
    rules: AllowlistRule[];
    /** Which of the looked-up lists are this endpoint's (by path). */
    paths: string[];
}

/** What the check needs to know of the load balancer. */
export interface PrefixListCheck {
    /** The component whose args the lists come from. */
    owner: ArgsOwner;
    /** The load balancer in messages: `the load balancer`, `loadBalancer "shared"`. */
    loadBalancer: string;
    ipAddressType: IpAddressType;
    rulesPerSecurityGroup: number;
    /** The quota's setting: `rulesPerSecurityGroup` (DatabaseEndpoint), `quotas.rulesPerSecurityGroup` (DatabaseEndpoints). */
    quotaPath: string;
    endpoints: PrefixListOwner[];
    /** Where the check's warnings go (the component logs them). */
    warn: (message: string) => void;
}

/**
 * The looked-up lists, resolved only once they passed every rule; otherwise fails with every problem, as an
 * `InputPropertiesError` whose message lists them (the engine shows that message).
 */
export function checkedPrefixLists(resolved: pulumi.Output<ResolvedPrefixList[]>, check: PrefixListCheck): pulumi.Output<ResolvedPrefixList[]> {
    return resolved.apply((lists) => {
        const problems = new Problems();
        checkPrefixListBudget(problems, check.loadBalancer, lists, check.ipAddressType, check.rulesPerSecurityGroup, check.quotaPath);
        for (const e of check.endpoints) {
            const own = lists.filter((l) => e.paths.includes(l.path));
            if (own.length > 0) checkPrefixListContents(problems, e.allowlistPath, own, e.rules.filter((r) => !r.expired), e.publicInternetPath);
        }
        for (const w of problems.warnings) check.warn(formatProblem(w));
        throwIfInvalidArgs(problems, check.owner.component, check.owner.name, true);
        return lists;
    });
}
