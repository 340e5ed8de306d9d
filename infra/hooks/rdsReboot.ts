/**
 * The RDS restart hook: after an endpoint in front of an RDS instance is provisioned, make a pending TLS change
 * take effect as the restart policy allows, report every other pending change with why it was left alone, and
 * wait, bounded, until the instance is `available` again.
 *
 * What RDS does decides what each policy may do:
 * - A pending CA certificate change (`PendingModifiedValues.CACertificateIdentifier`) is not applied by a
 *   reboot. It waits for the maintenance window, or `ModifyDBInstance` with `ApplyImmediately` applies it,
 *   restarting the instance to rotate its certificate (unless certificate-rotation restart is turned off).
 * - `ApplyImmediately` applies the request's modifications and every other pending modification of the
 *   instance (instance class, storage, engine version, ...). So a CA change is applied only when nothing else
 *   is pending.
 * - A static parameter change waits for a restart: the next reboot, or any restart RDS makes (a failure
 *   reboot, the restart of a certificate rotation). RDS reports it per group (`DBParameterGroups[]
 *   .ParameterApplyStatus` = `pending-reboot`), never per parameter: `DescribeDBParameters` lists what is set
 *   in the group, and a parameter's `ApplyMethod` records how it was last modified, for every instance that
 *   uses the group, not whether this instance has applied it; and what waits may be the switch to another
 *   group. Whether a pending-reboot change is TLS-related cannot be known, so only an explicit policy
 *   restarts for one.
 *
 * `rebootIfNeeded` is plain code over an RDSClient and a clock so that it can be tested without AWS and
 * without waiting; `rdsRebootHook` binds it to Pulumi's resource-hook machinery.
 */
import {
    DBInstance,
    DescribeDBInstancesCommand,
    DescribeDBParametersCommand,
    ModifyDBInstanceCommand,
    Parameter,
    RDSClient,
    RebootDBInstanceCommand,
} from "@aws-sdk/client-rds";
import * as pulumi from "@pulumi/pulumi";
import { RDS_RESTART_POLICIES, RdsRestartPolicy } from "../enums";
import { awsErrorName, awsSdkClientConfig, Clock, describeAwsError, systemClock, valueOf } from "./support";



export const RDS_REBOOT = {
    pollIntervalMs: 15_000,
    /**
     * After a reboot is accepted, `available` counts as "back" once the instance was seen in another status,
     * or, should every poll have missed the reboot, once this long has passed.
     */
    settleMs: 60_000,
    /** Static parameters named, at most, per parameter group in a report. */
    maxParametersListed: 20,
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

/** Statuses in which a restart is impossible and unnecessary: pending changes apply when the instance starts. */
const STOPPED_STATUSES = new Set(["stopped", "stopping"]);

/**
 * Busy statuses that apply no TLS change and can last hours (a storage optimisation after a resize, a long
 * backup). An instance in one of them with nothing the policy would apply needs nothing, so the hook decides
 * at once instead of waiting for `available` (and failing a new endpoint's deployment).
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
    /** Whether the hook called RebootDBInstance. */
    rebooted: boolean;
    /** The CA certificate identifier the hook applied with ModifyDBInstance (ApplyImmediately), if it did. */
    appliedCaCertificate?: string;
    /** Why the instance was changed. */
    reasons: string[];
    /** One sentence for the deployment log. */
    message: string;
    /** Pending changes left alone, each with why and what to do, and anything else the operator should know. */
    warnings: string[];
}

/** The instance's pending CA certificate change, if any. */
export function pendingCaChange(instance: DBInstance): { from: string; to: string } | undefined {
    const to = instance.PendingModifiedValues?.CACertificateIdentifier;
    return to ? { from: instance.CACertificateIdentifier ?? "(none)", to } : undefined;
}

/** Names of the instance's DB parameter groups in `pending-reboot`. */
export function pendingRebootGroups(instance: DBInstance): string[] {
    return (instance.DBParameterGroups ?? [])
        .filter((g) => g.ParameterApplyStatus === "pending-reboot")
        .map((g) => g.DBParameterGroupName ?? "(unnamed)");
}

/**
 * Pending modifications other than the CA certificate, by field name: what waits for the maintenance window
 * and what `ApplyImmediately` would apply at once. Empty values (an empty list of log exports) do not count.
 */
export function pendingMaintenanceChanges(instance: DBInstance): string[] {
    const pending = (instance.PendingModifiedValues ?? {}) as Record<string, unknown>;
    return Object.keys(pending)
        .filter((k) => k !== "CACertificateIdentifier" && !isEmpty(pending[k]))
        .sort();
}

function isEmpty(value: unknown): boolean {
    if (value === undefined || value === null) return true;
    if (Array.isArray(value)) return value.length === 0;
    if (typeof value === "object" && !(value instanceof Date)) return Object.values(value as object).every(isEmpty);
    return false;
}

/** What the policy does to an instance as described. Pure. */
export interface RdsRestartPlan {
    /** The CA certificate change to apply with ModifyDBInstance (ApplyImmediately), and why. */
    applyCa?: { to: string; reason: string };
    /** Whether to call RebootDBInstance (after the CA change, when both). */
    reboot: boolean;
    /** Why the reboot, for the log. */
    reasons: string[];
    /** What stays pending, each with why and what to do. */
    leftAlone: string[];
}

/**
 * Decides what `policy` does to `instance`. `groupNotes` adds to a pending-reboot group's name what is known of
 * its parameters (see {@link describeStaticParameters}); `caApplied` says that this run already applied a CA
 * change, whose restart `always` counts as its restart.
 */
export function planRestart(
    id: string,
    instance: DBInstance,
    policy: RdsRestartPolicy,
    groupNotes: Record<string, string> = {},
    caApplied = false,
): RdsRestartPlan {
    const ca = pendingCaChange(instance);
    const others = pendingMaintenanceChanges(instance);
    const groups = pendingRebootGroups(instance);
    const described = (g: string) => `DB parameter group ${g} is pending-reboot${groupNotes[g] ? ` (${groupNotes[g]})` : ""}`;
    const parametersAllowed = policy === RdsRestartPolicy.WhenPendingOrParameters || policy === RdsRestartPolicy.Always;
    const plan: RdsRestartPlan = { reboot: false, reasons: [], leftAlone: [] };

    if (ca && others.length > 0) {
        plan.leftAlone.push(
            `RDS instance ${id}: the pending CA certificate change ${ca.from} -> ${ca.to} was not applied: ModifyDBInstance with ` +
                `ApplyImmediately would also apply at once the other pending modifications (${others.join(", ")}). It applies in the ` +
                `maintenance window; to apply all of them now: aws rds modify-db-instance --db-instance-identifier ${id} ` +
                `--ca-certificate-identifier ${ca.to} --apply-immediately`,
        );
    } else if (ca && groups.length > 0 && !parametersAllowed) {
        plan.leftAlone.push(
            `RDS instance ${id}: the pending CA certificate change ${ca.from} -> ${ca.to} was not applied: the restart that rotates the ` +
                `certificate would also apply what DB parameter group ${groups.join(", ")} waits for (pending-reboot), which may have ` +
                `nothing to do with TLS. It applies in the maintenance window; to let the hook apply it with that restart, set ` +
                `database.restart to "${RdsRestartPolicy.WhenPendingOrParameters}"`,
        );
    } else if (ca) {
        plan.applyCa = { to: ca.to, reason: `CA certificate change ${ca.from} -> ${ca.to} is pending` };
    }
    if (others.length > 0 && !ca) {
        plan.leftAlone.push(
            `RDS instance ${id}: pending for the maintenance window, which the hook does not apply: ${others.join(", ")} ` +
                `(aws rds modify-db-instance --db-instance-identifier ${id} --apply-immediately applies them at once)`,
        );
    }

    if (groups.length > 0 && !parametersAllowed) {
        for (const g of groups) {
            plan.leftAlone.push(
                `RDS instance ${id}: ${described(g)}; not rebooting: restart policy "${policy}" restarts for TLS changes only, and RDS ` +
                    `does not say which parameters wait. A reboot applies them (aws rds reboot-db-instance --db-instance-identifier ${id}); ` +
                    `database.restart "${RdsRestartPolicy.WhenPendingOrParameters}" lets the hook do it`,
            );
        }
    } else if (groups.length > 0) {
        plan.reboot = true;
        plan.reasons.push(...groups.map(described));
        if (policy === RdsRestartPolicy.Always) plan.reasons.unshift('restart policy is "always"');
    } else if (policy === RdsRestartPolicy.Always && plan.applyCa === undefined && !caApplied) {
        plan.reboot = true;
        plan.reasons.push('restart policy is "always"');
    }
    // With a CA change to apply, a reboot decided now waits for that change's restart, which may apply the
    // parameters already; the hook describes the instance again before rebooting.
    return plan;
}

/**
 * What can be known of the parameters a pending-reboot group may be waiting for: the static parameters set in
 * it (`Source` user), which a reboot applies; RDS does not say which of them, if any, this instance still waits
 * for. Never fails the hook: a refused call becomes part of the note.
 */
export async function describeStaticParameters(client: RDSClient, group: string, max: number = RDS_REBOOT.maxParametersListed): Promise<string> {
    const names: string[] = [];
    let marker: string | undefined;
    try {
        do {
            const page = await client.send(new DescribeDBParametersCommand({ DBParameterGroupName: group, Source: "user", Marker: marker }));
            names.push(...(page.Parameters ?? []).filter(isStatic).map((p) => p.ParameterName ?? "(unnamed)"));
            marker = page.Marker;
        } while (marker);
    } catch (e) {
        return `its parameters could not be listed: ${describeAwsError(e)}`;
    }
    if (names.length === 0) return "no static parameter is set in it: what waits may be the switch to this group";
    names.sort();
    const listed = names.length > max ? `${names.slice(0, max).join(", ")} and ${names.length - max} more` : names.join(", ");
    return `static parameters set in it: ${listed}; RDS does not say which of them, or whether the switch to this group, waits`;
}

function isStatic(p: Parameter): boolean {
    return p.ApplyType === "static";
}

/**
 * Applies what `policy` allows to the instance and waits until it is `available` again, within `timeoutMs`.
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
    const policy = options.policy;

    if (!RDS_RESTART_POLICIES.includes(policy)) {
        throw new Error(`RDS instance ${id}: unknown restart policy ${JSON.stringify(policy)} (expected ${RDS_RESTART_POLICIES.join(", ")})`);
    }
    if (policy === RdsRestartPolicy.Never) {
        return { rebooted: false, reasons: [], warnings: [], message: `RDS instance ${id}: restart policy is "never"; not touching it` };
    }
    const deadline = clock.now() + options.timeoutMs;
    let appliedCa: { to: string; reason: string } | undefined;
    const result = (rebooted: boolean, reasons: string[], warnings: string[], message: string): RdsRebootResult => ({
        rebooted,
        ...(appliedCa ? { appliedCaCertificate: appliedCa.to } : {}),
        reasons: appliedCa ? [appliedCa.reason, ...reasons] : reasons,
        warnings,
        message,
    });
    /** Sleeps before deciding again after RDS refused a call because the instance changed state meanwhile. */
    const refused = async (call: string, e: unknown) => {
        if (clock.now() >= deadline) {
            throw new Error(
                `RDS instance ${id} refused ${call} (${describeAwsError(e)}) and did not settle within ${minutes}. ` +
                    `The endpoint is provisioned; check the instance's pending changes once it is available and apply them by hand if needed`,
            );
        }
        log(`RDS instance ${id} cannot be changed right now (${describeAwsError(e)}); waiting and deciding again`);
        await clock.sleep(pollIntervalMs);
    };

    for (;;) {
        let instance = await describe(client, id);
        const status = instance.DBInstanceStatus ?? "unknown";
        if (STUCK_STATUSES.has(status)) throw stuck(id, status, "before deciding whether to restart it");
        if (STOPPED_STATUSES.has(status)) {
            const message = `RDS instance ${id} is ${status}: not restarting it; pending changes apply when it starts`;
            return result(false, [], [message], message);
        }
        if (status !== "available") {
            const quick = planRestart(id, instance, policy, {}, appliedCa !== undefined);
            if (UNRELATED_BUSY_STATUSES.has(status) && quick.applyCa === undefined && !quick.reboot) {
                const warnings = planRestart(id, instance, policy, await groupNotes(client, instance), appliedCa !== undefined).leftAlone;
                return result(false, [], warnings, `RDS instance ${id} is ${status} and nothing restart policy "${policy}" applies is pending; not restarting`);
            }
            if (clock.now() >= deadline) {
                throw new Error(
                    `RDS instance ${id} did not become available within ${minutes} (last status: ${status}), so the restart hook ` +
                        `could not decide whether to restart it. The endpoint is provisioned; once the instance is available, check ` +
                        `its pending changes (aws rds describe-db-instances --db-instance-identifier ${id}) and apply them by hand if needed`,
                );
            }
            log(`RDS instance ${id} is ${status}; waiting for it to be available before deciding whether to restart it`);
            await clock.sleep(pollIntervalMs);
            continue;
        }

        let plan = planRestart(id, instance, policy, await groupNotes(client, instance), appliedCa !== undefined);
        if (plan.applyCa !== undefined) {
            const { to, reason } = plan.applyCa;
            try {
                await client.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, CACertificateIdentifier: to, ApplyImmediately: true }));
            } catch (e) {
                if (awsErrorName(e) === "InvalidDBInstanceStateFault") {
                    await refused("the CA certificate change", e);
                    continue;
                }
                throw new Error(`RDS instance ${id}: ModifyDBInstance (CACertificateIdentifier ${to}, ApplyImmediately) failed: ${describeAwsError(e)}`);
            }
            log(`applying CA certificate ${to} to RDS instance ${id} (ModifyDBInstance, ApplyImmediately): ${reason}`);
            const applied = await waitUntil(
                client,
                id,
                clock,
                pollIntervalMs,
                deadline,
                "after its CA certificate change",
                (after) => after.DBInstanceStatus === "available" && after.CACertificateIdentifier === to && pendingCaChange(after) === undefined,
            );
            if (applied.timedOut) {
                throw new Error(
                    `RDS instance ${id}: the CA certificate change to ${to} was requested (ModifyDBInstance, ApplyImmediately) but the ` +
                        `instance was not available with it within ${minutes} (last status: ${statusOf(applied.instance)}, CA: ` +
                        `${applied.instance.CACertificateIdentifier ?? "(none)"}). The endpoint is provisioned; watch the instance ` +
                        `(aws rds describe-db-instances --db-instance-identifier ${id}), and raise database.restartTimeoutMinutes ` +
                        `if its restarts take longer`,
                );
            }
            instance = applied.instance;
            appliedCa = { to, reason };
            // The certificate's restart may have applied waiting parameters: decide again on what is left.
            plan = planRestart(id, instance, policy, await groupNotes(client, instance), true);
        }
        if (!plan.reboot) {
            const message = appliedCa
                ? `RDS instance ${id}: CA certificate ${appliedCa.to} applied (ModifyDBInstance, ApplyImmediately); the instance is available again`
                : `RDS instance ${id}: nothing restart policy "${policy}" applies is pending; not restarting`;
            return result(false, [], plan.leftAlone, message);
        }

        let reportedStatus: string | undefined;
        try {
            const response = await client.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: id }));
            reportedStatus = response.DBInstance?.DBInstanceStatus;
        } catch (e) {
            if (awsErrorName(e) === "InvalidDBInstanceStateFault") {
                // Someone else (another endpoint's hook, a maintenance action) changed the instance since it was
                // described: wait for it, then decide again.
                await refused("the reboot", e);
                continue;
            }
            throw new Error(`RDS instance ${id}: RebootDBInstance failed: ${describeAwsError(e)}`);
        }
        const rebootedAt = clock.now();
        log(`rebooting RDS instance ${id}: ${plan.reasons.join("; ")}`);
        let seenOtherStatus = reportedStatus !== undefined && reportedStatus !== "available";
        const back = await waitUntil(client, id, clock, pollIntervalMs, deadline, "after its reboot", (i) => {
            if (i.DBInstanceStatus !== "available") {
                seenOtherStatus = true;
                return false;
            }
            return seenOtherStatus || clock.now() - rebootedAt >= settleMs;
        });
        if (back.timedOut) {
            throw new Error(
                `RDS instance ${id} was rebooted (${plan.reasons.join("; ")}) but was not available again within ${minutes} ` +
                    `(last status: ${statusOf(back.instance)}). The endpoint is provisioned; watch the instance ` +
                    `(aws rds describe-db-instances --db-instance-identifier ${id}), and raise database.restartTimeoutMinutes ` +
                    `if its reboots take longer`,
            );
        }
        const remaining = pendingRebootGroups(back.instance);
        const warnings = [
            ...plan.leftAlone,
            ...(remaining.length > 0
                ? [`RDS instance ${id} was rebooted but DB parameter group ${remaining.join(", ")} is still pending-reboot; see its events (aws rds describe-events --source-type db-instance --source-identifier ${id})`]
                : []),
        ];
        const prefix = appliedCa ? `RDS instance ${id}: CA certificate ${appliedCa.to} applied, then rebooted` : `RDS instance ${id} was rebooted`;
        return result(true, plan.reasons, warnings, `${prefix} (${plan.reasons.join("; ")}) and is available again`);
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

/**
 * Polls the instance every `pollIntervalMs` until `done` says so or the deadline passes (then `timedOut`); fails
 * at once when the instance enters a status it does not leave by waiting.
 */
async function waitUntil(
    client: RDSClient,
    id: string,
    clock: Clock,
    pollIntervalMs: number,
    deadline: number,
    when: string,
    done: (instance: DBInstance) => boolean,
): Promise<{ instance: DBInstance; timedOut: boolean }> {
    for (;;) {
        await clock.sleep(pollIntervalMs);
        const instance = await describe(client, id);
        const status = statusOf(instance);
        if (STUCK_STATUSES.has(status)) throw stuck(id, status, when);
        if (done(instance)) return { instance, timedOut: false };
        if (clock.now() >= deadline) return { instance, timedOut: true };
    }
}

function statusOf(instance: DBInstance): string {
    return instance.DBInstanceStatus ?? "unknown";
}

/** {@link describeStaticParameters} of each pending-reboot group of the instance. */
async function groupNotes(client: RDSClient, instance: DBInstance): Promise<Record<string, string>> {
    const notes: Record<string, string> = {};
    for (const group of pendingRebootGroups(instance)) notes[group] = await describeStaticParameters(client, group);
    return notes;
}

export interface RdsRebootHookArgs {
    /** The RDS instance the hook may restart. */
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
