/**
 * The RDS reboot hook: after an endpoint in front of an RDS instance is provisioned, reboot the instance when
 * (by policy) it has pending changes that only a reboot applies, such as a new CA certificate identifier or a
 * DB parameter group in `pending-reboot`, then wait, bounded, until it is `available` again.
 *
 * `rebootIfNeeded` is plain code over an RDSClient and a clock so that it can be tested without AWS and
 * without waiting; `rdsRebootHook` binds it to Pulumi's resource-hook machinery.
 */
import { DBInstance, DescribeDBInstancesCommand, RDSClient, RebootDBInstanceCommand } from "@aws-sdk/client-rds";
import * as pulumi from "@pulumi/pulumi";
import { awsErrorName, awsSdkClientConfig, Clock, describeAwsError, systemClock, valueOf } from "./support";

/** When to reboot an RDS instance after an endpoint in front of it is provisioned. */
export enum RdsRestartPolicy {
    /** Reboot only when the instance reports pending changes that need a reboot (the default). */
    WhenPending = "when-pending",
    /** Always reboot, as Aptible restarts a database after an endpoint is created. */
    Always = "always",
    /** Never reboot; pending changes wait for a reboot by hand or the maintenance window. */
    Never = "never",
}

export const RDS_RESTART_POLICIES: readonly string[] = Object.values(RdsRestartPolicy);

export const RDS_REBOOT = {
    pollIntervalMs: 15_000,
    /**
     * After a reboot is accepted, `available` counts as "back" once the instance was seen in another status,
     * or, should every poll have missed the reboot, once this long has passed.
     */
    settleMs: 60_000,
} as const;

/** Statuses an instance does not leave by waiting; the hook fails at once with the status in the message. */
const STUCK_STATUSES = new Set([
    "failed",
    "incompatible-network",
    "incompatible-option-group",
    "incompatible-parameters",
    "incompatible-restore",
    "inaccessible-encryption-credentials",
    "restore-error",
    "storage-full",
    "delete-precheck",
    "deleting",
]);

/** Statuses in which a reboot is impossible and unnecessary: pending changes apply when the instance starts. */
const STOPPED_STATUSES = new Set(["stopped", "stopping"]);

/**
 * Busy statuses that apply no TLS change and can last hours (a storage optimisation after a resize, a long
 * backup). Under `when-pending`, an instance in one of them with nothing pending needs no reboot, so the
 * hook decides at once instead of waiting for `available` (and failing a new endpoint's deployment).
 */
const UNRELATED_BUSY_STATUSES = new Set([
    "backing-up",
    "storage-optimization",
    "configuring-enhanced-monitoring",
    "configuring-log-exports",
    "configuring-iam-database-auth",
]);

export interface RdsRebootOptions {
    dbInstanceIdentifier: string;
    policy: RdsRestartPolicy;
    /** Bound on the whole operation, in milliseconds. */
    timeoutMs: number;
    pollIntervalMs?: number;
    settleMs?: number;
    clock?: Clock;
    /** Progress messages (the hook logs them with pulumi.log.info). */
    log?: (message: string) => void;
}

export interface RdsRebootResult {
    rebooted: boolean;
    /** Why the instance was (or would have been) rebooted. */
    reasons: string[];
    /** One sentence for the deployment log. */
    message: string;
    /** Things the operator should know (e.g. a change still pending after the reboot). */
    warnings: string[];
}

/**
 * The pending changes of an instance that a reboot applies: a new CA certificate identifier, and DB parameter
 * groups whose status is `pending-reboot`.
 */
export function pendingRebootReasons(instance: DBInstance): string[] {
    const reasons: string[] = [];
    const pendingCa = instance.PendingModifiedValues?.CACertificateIdentifier;
    if (pendingCa) {
        reasons.push(`CA certificate change ${instance.CACertificateIdentifier ?? "(none)"} -> ${pendingCa} is pending`);
    }
    for (const group of instance.DBParameterGroups ?? []) {
        if (group.ParameterApplyStatus === "pending-reboot") {
            reasons.push(`DB parameter group ${group.DBParameterGroupName ?? "(unnamed)"} is pending-reboot`);
        }
    }
    return reasons;
}

/** Pending modifications a reboot does not apply (they wait for the maintenance window), by field name. */
export function pendingMaintenanceChanges(instance: DBInstance): string[] {
    const pending = (instance.PendingModifiedValues ?? {}) as Record<string, unknown>;
    return Object.keys(pending)
        .filter((k) => k !== "CACertificateIdentifier" && pending[k] !== undefined && pending[k] !== null)
        .sort();
}

/**
 * Reboots the instance according to `policy` and waits until it is `available` again, within `timeoutMs`.
 * Throws, with the instance, its status and what to do, when the instance is missing, stuck in a status it
 * does not leave by waiting, or not available in time, or when RDS rejects a call.
 */
export async function rebootIfNeeded(client: RDSClient, options: RdsRebootOptions): Promise<RdsRebootResult> {
    const id = options.dbInstanceIdentifier;
    const clock = options.clock ?? systemClock;
    const pollIntervalMs = options.pollIntervalMs ?? RDS_REBOOT.pollIntervalMs;
    const settleMs = options.settleMs ?? RDS_REBOOT.settleMs;
    const log = options.log ?? (() => undefined);
    const minutes = formatMinutes(options.timeoutMs);

    if (!RDS_RESTART_POLICIES.includes(options.policy)) {
        throw new Error(`RDS instance ${id}: unknown restart policy ${JSON.stringify(options.policy)} (expected ${RDS_RESTART_POLICIES.join(", ")})`);
    }
    if (options.policy === RdsRestartPolicy.Never) {
        return { rebooted: false, reasons: [], warnings: [], message: `RDS instance ${id}: restart policy is "never"; not rebooting` };
    }
    const deadline = clock.now() + options.timeoutMs;

    for (;;) {
        const instance = await describe(client, id);
        const status = instance.DBInstanceStatus ?? "unknown";
        if (STUCK_STATUSES.has(status)) throw stuck(id, status, "before deciding whether to reboot it");
        if (STOPPED_STATUSES.has(status)) {
            const message = `RDS instance ${id} is ${status}: not rebooting it; pending changes apply when it starts`;
            return { rebooted: false, reasons: pendingRebootReasons(instance), warnings: [message], message };
        }
        if (status !== "available") {
            if (options.policy === RdsRestartPolicy.WhenPending && UNRELATED_BUSY_STATUSES.has(status) && pendingRebootReasons(instance).length === 0) {
                return { rebooted: false, reasons: [], warnings: [], message: `RDS instance ${id} is ${status} and no pending change needs a reboot; not rebooting` };
            }
            if (clock.now() >= deadline) {
                throw new Error(
                    `RDS instance ${id} did not become available within ${minutes} (last status: ${status}), so the restart hook ` +
                        `could not decide whether to reboot it. The endpoint is provisioned; once the instance is available, check ` +
                        `its pending changes (aws rds describe-db-instances --db-instance-identifier ${id}) and reboot it by hand if it needs one`,
                );
            }
            log(`RDS instance ${id} is ${status}; waiting for it to be available before deciding whether to reboot it`);
            await clock.sleep(pollIntervalMs);
            continue;
        }

        const reasons = pendingRebootReasons(instance);
        const deferred = pendingMaintenanceChanges(instance);
        const deferredNote = deferred.length > 0 ? `; pending for the maintenance window, which a reboot does not apply: ${deferred.join(", ")}` : "";
        if (options.policy === RdsRestartPolicy.WhenPending && reasons.length === 0) {
            return {
                rebooted: false,
                reasons,
                warnings: [],
                message: `RDS instance ${id}: no pending change needs a reboot; not rebooting${deferredNote}`,
            };
        }
        const why = options.policy === RdsRestartPolicy.Always ? ['restart policy is "always"', ...reasons] : reasons;

        let reportedStatus: string | undefined;
        try {
            const response = await client.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: id }));
            reportedStatus = response.DBInstance?.DBInstanceStatus;
        } catch (e) {
            if (awsErrorName(e) === "InvalidDBInstanceStateFault") {
                // Someone else (another endpoint's hook, a maintenance action) changed the instance since it was
                // described: wait for it, then decide again.
                if (clock.now() >= deadline) {
                    throw new Error(
                        `RDS instance ${id} refused the reboot (${describeAwsError(e)}) and did not settle within ${minutes}. ` +
                            `The endpoint is provisioned; reboot the instance by hand once it is available if it still needs one`,
                    );
                }
                log(`RDS instance ${id} cannot be rebooted right now (${describeAwsError(e)}); waiting and deciding again`);
                await clock.sleep(pollIntervalMs);
                continue;
            }
            throw new Error(`RDS instance ${id}: RebootDBInstance failed: ${describeAwsError(e)}`);
        }
        const rebootedAt = clock.now();
        log(`rebooting RDS instance ${id}: ${why.join("; ")}`);

        let seenOtherStatus = reportedStatus !== undefined && reportedStatus !== "available";
        let last = reportedStatus ?? "rebooting";
        for (;;) {
            await clock.sleep(pollIntervalMs);
            const after = await describe(client, id);
            last = after.DBInstanceStatus ?? "unknown";
            if (STUCK_STATUSES.has(last)) throw stuck(id, last, "after its reboot");
            if (last !== "available") {
                seenOtherStatus = true;
            } else if (seenOtherStatus || clock.now() - rebootedAt >= settleMs) {
                const remaining = pendingRebootReasons(after);
                const warnings =
                    remaining.length > 0
                        ? [
                              `RDS instance ${id} was rebooted but still reports: ${remaining.join("; ")}. RDS applies such a change ` +
                                  `in the maintenance window, or at once with aws rds modify-db-instance --apply-immediately`,
                          ]
                        : [];
                return {
                    rebooted: true,
                    reasons: why,
                    warnings,
                    message: `RDS instance ${id} was rebooted (${why.join("; ")}) and is available again`,
                };
            }
            if (clock.now() >= deadline) {
                throw new Error(
                    `RDS instance ${id} was rebooted (${why.join("; ")}) but was not available again within ${minutes} ` +
                        `(last status: ${last}). The endpoint is provisioned; watch the instance ` +
                        `(aws rds describe-db-instances --db-instance-identifier ${id}), and raise database.restartTimeoutMinutes ` +
                        `if its reboots take longer`,
                );
            }
        }
    }
}

async function describe(client: RDSClient, id: string): Promise<DBInstance> {
    let instances: DBInstance[] | undefined;
    try {
        instances = (await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances;
    } catch (e) {
        if (awsErrorName(e) === "DBInstanceNotFoundFault") {
            throw new Error(`RDS instance ${id} was not found in this account and region (${describeAwsError(e)}); check aws:region and the identifier`);
        }
        throw new Error(`RDS instance ${id}: DescribeDBInstances failed: ${describeAwsError(e)}`);
    }
    if (!instances || instances.length === 0) throw new Error(`RDS instance ${id}: DescribeDBInstances returned no instance`);
    return instances[0];
}

function stuck(id: string, status: string, when: string): Error {
    return new Error(
        `RDS instance ${id} is in status "${status}" ${when}, which it does not leave by waiting; ` +
            `see its events in the RDS console (aws rds describe-events --source-type db-instance --source-identifier ${id})`,
    );
}

function formatMinutes(ms: number): string {
    const minutes = ms / 60_000;
    return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} minute${minutes === 1 ? "" : "s"}`;
}

export interface RdsRebootHookArgs {
    /** The RDS instance to reboot. */
    dbInstanceIdentifier: pulumi.Input<string>;
    policy: RdsRestartPolicy;
    timeoutMinutes: number;
}

/**
 * A Pulumi resource hook that runs {@link rebootIfNeeded} with a real RDSClient (region from `aws:region` or
 * the environment, see {@link awsSdkClientConfig}). Bind it as `afterCreate` of the resource whose creation
 * means "the endpoint is provisioned". An error fails the deployment; the resource stays recorded in state.
 */
export function rdsRebootHook(name: string, args: RdsRebootHookArgs): pulumi.ResourceHook {
    const clientConfig = awsSdkClientConfig();
    const identifier = valueOf(args.dbInstanceIdentifier);
    return new pulumi.ResourceHook(name, async () => {
        const client = new RDSClient(clientConfig);
        try {
            const result = await rebootIfNeeded(client, {
                dbInstanceIdentifier: await identifier,
                policy: args.policy,
                timeoutMs: args.timeoutMinutes * 60_000,
                log: (message) => pulumi.log.info(message),
            });
            pulumi.log.info(result.message);
            for (const warning of result.warnings) pulumi.log.warn(warning);
        } finally {
            client.destroy();
        }
    });
}
