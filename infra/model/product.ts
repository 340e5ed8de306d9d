/**
 * The rules of the whole product, the args of the `DatabaseEndpoints` component (the stack config uses the
 * same names): each setting's own rule, then the rules across endpoints (unique names and hostnames, the
 * shared load balancers, the region's Elastic IPs, one user per integration and database, the self-managed
 * databases they share).
 * Pure: `checkProduct` reports every problem with its property path and returns the validated model.
 */
import { checkIntegrationsAcrossEndpoints, databaseKey } from "../integrations/databaseAccess";
import { DEFAULT_SCHEDULE, scheduleProblem } from "../lambda/targetSync/settings";
import { isPlainObject, optionalArray, optionalBoolean, patterns, Problems, requiredString } from "../validation";
import { readAlarms } from "./alarms";
import { currentTiming, readQuotas } from "./allowlist";
import { groupSelfManagedDatabases, readCertificateAuthority } from "./certificates";
import { checkAcrossEndpoints, checkElasticIps, parseEndpoint, readDefaultAuditRetention, readExpiryWarningDays, readSubnets, readTags } from "./endpoint";
import { planLoadBalancers } from "./loadBalancers";
import type { EndpointSpec, StackSpec, TargetSyncSpec } from "./spec";

/** `vpcId`: the VPC of the databases and the public subnets. */
export function readVpcId(problems: Problems, path: string, value: unknown): string | undefined {
    return requiredString(problems, path, value, patterns.vpcId, 'a VPC ID such as "vpc-0a1b2c3d4e5f60718"');
}

/**
 * Checks the whole product. `vpcIdCheckedByCaller`: the caller checks `vpcId` with {@link readVpcId} itself
 * (a component, where it may be an output of another resource, checked when it resolves); the model never
 * holds it (it decides no resource's existence).
 */
export function checkProduct(problems: Problems, raw: Record<string, unknown>, vpcIdCheckedByCaller = false, now?: number): StackSpec {
    if (!vpcIdCheckedByCaller) readVpcId(problems, "vpcId", raw.vpcId);
    const publicSubnetIds = readSubnets(problems, "publicSubnetIds", raw.publicSubnetIds);
    const quotas = readQuotas(problems, "quotas", raw.quotas);
    const tags = readTags(problems, "tags", raw.tags);
    const targetSync = readTargetSync(problems, raw.targetSync, raw.targetSyncSchedule);
    const certificateAuthority = readCertificateAuthority(problems, "certificateAuthority", raw.certificateAuthority);
    const allowlistExpiryWarningDays = readExpiryWarningDays(problems, "allowlistExpiryWarningDays", raw.allowlistExpiryWarningDays);
    const connectionAuditRetentionDays = readDefaultAuditRetention(problems, "connectionAuditRetentionDays", raw.connectionAuditRetentionDays);
    const timing = currentTiming(allowlistExpiryWarningDays);
    if (now !== undefined) timing.now = now;
    const alarms = readAlarms(problems, "alarms", raw.alarms);

    const endpoints: EndpointSpec[] = [];
    const rawEndpoints = optionalArray(problems, "endpoints", raw.endpoints);
    if (rawEndpoints === undefined && raw.endpoints === undefined) {
        problems.error("endpoints", "is required (a list of database endpoints)");
    } else if (rawEndpoints && rawEndpoints.length === 0) {
        problems.error("endpoints", "is empty; declare at least one endpoint");
    }
    const parsedAt: number[] = [];
    (rawEndpoints ?? []).forEach((value, i) => {
        const endpoint = parseEndpoint(problems, `endpoints[${i}]`, value, quotas, { timing, connectionAuditRetentionDays });
        if (endpoint) {
            endpoints.push(endpoint);
            parsedAt.push(i);
        }
    });
    checkAcrossEndpoints(problems, rawEndpoints ?? []);
    const paths = parsedAt.map((i) => `endpoints[${i}]`);
    const loadBalancers = planLoadBalancers(
        problems,
        endpoints.map((spec, k) => ({ path: paths[k], spec })),
        quotas,
        (rawEndpoints ?? []).map((e) => (isPlainObject(e) ? e.name : undefined)),
    );
    // Per load balancer: a shared one allocates its Elastic IPs once for all its endpoints.
    checkElasticIps(
        problems,
        loadBalancers.map((lb) => {
            const first = paths[endpoints.findIndex((e) => e.name === lb.endpoints[0])];
            return lb.shared
                ? { path: first, elasticIps: lb.elasticIps, label: `loadBalancer "${lb.name}" (${lb.endpoints.map((n) => paths[endpoints.findIndex((e) => e.name === n)]).join(", ")})` }
                : { path: first, elasticIps: lb.elasticIps };
        }),
        publicSubnetIds.length,
        quotas.elasticIpsPerRegion,
    );
    if (problems.ok && rawEndpoints && endpoints.length !== rawEndpoints.length) {
        // Backstop: an endpoint that was written must never vanish without an error (`pulumi up` would delete it).
        rawEndpoints.forEach((_, i) => {
            if (!parsedAt.includes(i)) problems.error(`endpoints[${i}]`, "could not be read; check every field of this endpoint");
        });
    }
    checkIntegrationsAcrossEndpoints(
        problems,
        endpoints.map((e, k) => ({ path: `endpoints[${parsedAt[k]}]`, databaseKey: databaseKey(e.database), integrations: e.integrations ?? [] })),
    );
    const selfManagedDatabases = groupSelfManagedDatabases(
        problems,
        endpoints.map((spec, k) => ({ index: parsedAt[k], spec })),
    );
    return {
        publicSubnetIds,
        endpoints,
        loadBalancers,
        quotas,
        tags,
        targetSync,
        certificateAuthority,
        selfManagedDatabases,
        allowlistExpiryWarningDays,
        connectionAuditRetentionDays,
        alarms,
    };
}

/** `targetSync` (default true) and `targetSyncSchedule` (a rate of 1 to 5 minutes, default every minute). */
export function readTargetSync(problems: Problems, enabledValue: unknown, scheduleValue: unknown): TargetSyncSpec {
    const enabled = optionalBoolean(problems, "targetSync", enabledValue) ?? true;
    let schedule = DEFAULT_SCHEDULE;
    if (scheduleValue !== undefined && scheduleValue !== null) {
        const problem = scheduleProblem(scheduleValue);
        if (problem) problems.error("targetSyncSchedule", problem);
        else schedule = scheduleValue as string;
        if (enabledValue === false) problems.warn("targetSyncSchedule", "is set but targetSync is false, so nothing runs on it");
    }
    return { enabled, schedule };
}
