/**
 * What keeps a stack's endpoints working between deployments, and says when they do not: the upkeep function
 * (target sync for RDS endpoints, the certificates' days to expiry) and the alarms, wired from the validated
 * model, the endpoints and the certificate outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_SCHEDULE_WITHOUT_TARGETS, scheduleMinutes } from "../../lambda/targetSync/settings";
import type { StackSpec } from "../../model/spec";
import { Alarms } from "../alarms";
import { caName } from "./certificates";
import { DatabaseEndpoint, listenerOf } from "../databaseEndpoint";
import type { TargetSyncTarget } from "../targetSync";
import { deployRunOf, Upkeep, WatchedCertificate } from "../upkeep";
import type { AlarmsOutput, OutputsOf, StackOutputs, UpkeepOutput } from "./outputs";

/** The upkeep function's resource name in the stack. */
export const UPKEEP_NAME = "upkeep";

/** The alarms component's resource name in the stack. */
export const ALARMS_NAME = "alarms";

/**
 * Where earlier versions declared the function: a `TargetSync` named `target-sync`, inside DatabaseEndpoints or, before
 * it existed, at the root of the stack. The aliases make `pulumi up` move those resources (the component and, by the
 * engine's inherited aliases, each `target-sync-*` child) to `upkeep-*` instead of replacing them; their physical
 * names, generated from the old names, are kept.
 */
const UPKEEP_ALIASES: pulumi.Input<pulumi.Alias>[] = [
    { name: "target-sync", type: "db-endpoints:index:TargetSync" },
    { name: "target-sync", type: "db-endpoints:index:TargetSync", parent: pulumi.rootStackResource },
];

/** Each certificate the alarms watch: every CA generation, and each self-managed database's server certificate. */
export function watchedCertificates(spec: StackSpec, tls: Pick<StackOutputs, "certificateAuthority" | "certificates">): WatchedCertificate[] {
    const generations = spec.certificateAuthority.generations.map((generation) => ({
        name: caName(generation),
        expiresAt: tls.certificateAuthority.apply((ca) => ca.generations.find((g) => g.generation === generation)!.expiresAt),
    }));
    const servers = spec.selfManagedDatabases.map((db) => ({ name: db.name, expiresAt: tls.certificates[db.name].apply((c) => c.expiresAt) }));
    return [...generations, ...servers];
}

/**
 * The upkeep function, when the stack gives it a duty: target sync for its RDS endpoints, with alarms on the
 * certificates' days to expiry, and the revocation of expired rules in `expiringRuleSecurityGroupIds` (the
 * security groups holding allowlist rules tagged `db-endpoints:expires`). Undefined when it has none.
 */
export function buildUpkeep(
    spec: StackSpec,
    syncTargets: TargetSyncTarget[],
    certificates: WatchedCertificate[],
    opts: pulumi.ComponentResourceOptions,
    expiringRuleSecurityGroupIds: pulumi.Input<string>[] = [],
): Upkeep | undefined {
    if (syncTargets.length === 0 && certificates.length === 0 && expiringRuleSecurityGroupIds.length === 0) return undefined;
    return new Upkeep(
        UPKEEP_NAME,
        {
            targets: syncTargets,
            certificates,
            expiringRuleSecurityGroupIds,
            schedule: syncTargets.length > 0 ? spec.targetSync.schedule : undefined,
            tags: spec.tags,
        },
        // Only these aliases: the stack never declared an `upkeep` at its root.
        { parent: opts.parent, aliases: UPKEEP_ALIASES },
    );
}

/** The stack's alarms, with alarms on; `expiredRules`: the upkeep function revokes expired allowlist rules. */
export function buildAlarms(
    spec: StackSpec,
    endpoints: Record<string, DatabaseEndpoint>,
    certificates: WatchedCertificate[],
    upkeep: Upkeep | undefined,
    syncTargets: TargetSyncTarget[],
    opts: pulumi.ComponentResourceOptions,
    expiredRules = false,
): Alarms {
    const firstRun = upkeep ? deployRunOf(upkeep) : undefined;
    return new Alarms(
        ALARMS_NAME,
        {
            stack: `${pulumi.getProject()}/${pulumi.getStack()}`,
            endpoints: spec.endpoints.map((e) => ({
                name: e.name,
                loadBalancerArn: endpoints[e.name].loadBalancerArn,
                targetGroupArn: endpoints[e.name].targetGroupArn,
                targetSync: spec.targetSync.enabled && e.database.kind === "rds",
                after: [listenerOf(endpoints[e.name]), ...(spec.targetSync.enabled && e.database.kind === "rds" && firstRun ? [firstRun] : [])],
            })),
            certificates: certificates.map((c) => c.name),
            expiredRules,
            scheduleMinutes: scheduleMinutes(syncTargets.length > 0 ? spec.targetSync.schedule : DEFAULT_SCHEDULE_WITHOUT_TARGETS),
            firstRun,
            snsTopicArn: spec.alarms.snsTopicArn,
            emails: spec.alarms.emails,
            certificateExpiryDays: spec.alarms.certificateExpiryDays,
            tags: spec.tags,
        },
        // No alias: no earlier version declared alarms.
        { parent: opts.parent },
    );
}

/** The `upkeep` output: where the function runs and what it does. */
export function upkeepOutput(upkeep: Upkeep): OutputsOf<UpkeepOutput> {
    return { functionName: upkeep.functionName, logGroupName: upkeep.logGroupName, schedule: upkeep.schedule, duties: upkeep.duties };
}

/** The `alarms` output: every alarm's name and where they notify. */
export function alarmsOutput(alarms: Alarms): OutputsOf<AlarmsOutput> {
    return {
        topicArn: alarms.topicArn,
        actions: alarms.actions,
        endpoints: pulumi.output(alarms.endpointAlarms),
        certificates: pulumi.output(alarms.certificateAlarms),
        expiredRules: pulumi.output(alarms.expiredRulesAlarm),
    };
}
