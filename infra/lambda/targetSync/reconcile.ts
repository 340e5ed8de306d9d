/**
 * Reconciliation of one IP target group with the current DNS answer for its RDS instance.
 *
 * The rules, in order of importance:
 * 1. Nothing is changed unless DNS gave at least one usable (private IPv4) address: a failed, empty or
 *    public-only answer leaves the group exactly as it is, so a DNS glitch can never empty it.
 * 2. New addresses are registered first. A stale target (an address DNS no longer returns, or another
 *    port) is deregistered only once a target at an address DNS returns is `healthy`, and only if a
 *    second, fresh lookup does not return it either. Until then it stays: keeping a target that fails its
 *    health checks costs nothing (the load balancer routes to healthy targets), while removing the one
 *    that serves, because of a stale or wrong DNS answer, takes the endpoint down for as long as a
 *    re-registration takes (tens of seconds to minutes). A later run (the schedule) finishes the job.
 * 3. Every call is idempotent (registering a registered target and deregistering an absent one are
 *    no-ops for ELB), so runs may overlap or repeat; a run that finds nothing to do calls no write API.
 * 4. Throttling and transient errors are retried with bounded backoff, never past the function's deadline.
 */
import {
    AddTagsCommand,
    DeregisterTargetsCommand,
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
    RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { Logger } from "./log";
import { Resolve, usableAddresses } from "./resolve";
import { isAccessDenied, RetryContext, RetryPolicy, withRetry } from "./retry";
import { CHANGE_TAG_KEY, POLL_INTERVAL_MS, SyncTarget } from "./settings";

export interface SyncDeps {
    elb: ElasticLoadBalancingV2Client;
    resolve: Resolve;
    log: Logger;
    sleep: (ms: number) => Promise<void>;
    now: () => number;
    /** Uniform in [0, 1): the jitter of retry backoffs. */
    random: () => number;
}

export interface SyncOptions {
    retry: RetryPolicy;
    /** Epoch ms by which the run must be done (the function's timeout less a margin). */
    deadline: number;
    /** Target groups reconciled at once (keeps a 100-endpoint stack well under ELB's API rate limits). */
    concurrency: number;
    /** Epoch ms the run started: access-denied answers are retried for `retry.accessDeniedMs` from then. */
    startedAt: number;
}

export type FailureReason =
    | "dns-failed"
    | "dns-empty"
    | "no-usable-address"
    | "target-group-not-found"
    | "describe-failed"
    | "register-failed"
    | "deregister-failed"
    | "out-of-time";

export interface TargetGroupResult {
    targetGroupArn: string;
    rdsInstanceIdentifier: string;
    rdsAddress: string;
    port: number;
    /** `changed`: targets were registered or deregistered; `failed`: the group may not match DNS (see reason). */
    outcome: "unchanged" | "changed" | "failed";
    reason?: FailureReason;
    message?: string;
    /** Usable addresses DNS answered with (empty when it failed). */
    resolved: string[];
    registered: string[];
    deregistered: string[];
    /** Registered addresses the load balancer reports as not in use (`Target.NotInUse`). */
    unserved: string[];
    /**
     * Stale targets this run left registered (`ip`, or `ip:port` on another port): no target at an address
     * DNS returns was healthy yet, or the confirming lookup failed (see `deferredBecause`). A later run
     * deregisters them.
     */
    deferred: string[];
    deferredBecause?: DeferReason;
}

/** Why a stale target was kept: see {@link TargetGroupResult.deferred}. */
export type DeferReason = "replacement-not-healthy" | "second-lookup-failed";

interface CurrentTarget {
    id: string;
    port: number;
    state: string;
    reason?: string;
}

const DRAINING = new Set(["draining", "unhealthy.draining"]);

/**
 * The one state in which the load balancer is known to route to a target. `initial` (registration or
 * first health checks in progress), `unhealthy`, `unused` and `unavailable` are not evidence that the
 * address serves the database.
 */
const SERVING = "healthy";

function errorText(e: unknown): string {
    const err = e as { name?: string; message?: string };
    return err?.name && err.name !== "Error" ? `${err.name}: ${err.message ?? ""}`.trim() : String(err?.message ?? e);
}

function isTargetGroupNotFound(e: unknown): boolean {
    const name = (e as { name?: string })?.name;
    return name === "TargetGroupNotFoundException" || name === "TargetGroupNotFound";
}

/** One reconciliation of one target group. Never throws: every failure is a result (and a log line). */
export async function reconcileTargetGroup(target: SyncTarget, deps: SyncDeps, opts: SyncOptions): Promise<TargetGroupResult> {
    const log = deps.log.with({ targetGroupArn: target.targetGroupArn, rdsInstanceIdentifier: target.rdsInstanceIdentifier });
    const result: TargetGroupResult = {
        targetGroupArn: target.targetGroupArn,
        rdsInstanceIdentifier: target.rdsInstanceIdentifier,
        rdsAddress: target.rdsAddress,
        port: target.port,
        outcome: "unchanged",
        resolved: [],
        registered: [],
        deregistered: [],
        unserved: [],
        deferred: [],
    };
    const fail = (reason: FailureReason, message: string): TargetGroupResult => {
        result.outcome = "failed";
        result.reason = reason;
        result.message = message;
        log.error("sync-failed", { reason, message, registered: result.registered, deregistered: result.deregistered });
        return finish();
    };
    const finish = (): TargetGroupResult => {
        log.metrics(target.targetGroupArn, {
            TargetChanges: result.registered.length + result.deregistered.length,
            SyncFailures: result.outcome === "failed" ? 1 : 0,
            UnservedTargets: result.unserved.length,
        });
        return result;
    };
    const retry = (operation: string): RetryContext => ({
        policy: opts.retry,
        sleep: deps.sleep,
        now: deps.now,
        random: deps.random,
        deadline: opts.deadline,
        startedAt: opts.startedAt,
        onRetry: ({ attempt, delayMs, reason, error }) => log.warn("api-retry", { operation, attempt, delayMs, reason, error: errorText(error) }),
    });
    // An access-denied answer that outlasted the deploy-time retries says how long it was retried.
    const failureText = (e: unknown): string =>
        isAccessDenied(e) && opts.retry.accessDeniedMs > 0
            ? `${errorText(e)} (still denied ${Math.round((deps.now() - opts.startedAt) / 1000)} s after the run started: ` +
              "the function's role policy has not reached this API yet, or does not grant the call)"
            : errorText(e);

    if (deps.now() >= opts.deadline) return fail("out-of-time", "the function ran out of time before this target group's turn; the next run will do it");

    // 1. What DNS says now. Any failure stops here, with the group untouched.
    let answer: string[];
    try {
        answer = await deps.resolve(target.rdsAddress);
    } catch (e) {
        return fail("dns-failed", `${errorText(e)}; the target group was left as it is`);
    }
    if (answer.length === 0) return fail("dns-empty", `${target.rdsAddress} resolved to no IPv4 address; the target group was left as it is`);
    const { usable, refused } = usableAddresses(answer);
    if (refused.length > 0) log.warn("addresses-refused", { refused, why: "not a private IPv4 address an NLB can target" });
    if (usable.length === 0) {
        return fail(
            "no-usable-address",
            `${target.rdsAddress} resolved only to ${refused.join(", ")}, which cannot be NLB IP targets (is the instance publicly accessible? ` +
                "its name then resolves to its public address outside the VPC); the target group was left as it is",
        );
    }
    result.resolved = usable;

    // 2. What the target group holds now.
    let current: CurrentTarget[];
    try {
        current = await describe(deps, target.targetGroupArn, retry("DescribeTargetHealth"));
    } catch (e) {
        if (isTargetGroupNotFound(e)) return fail("target-group-not-found", `${errorText(e)}; was the endpoint removed?`);
        return fail("describe-failed", failureText(e));
    }
    const active = current.filter((t) => !DRAINING.has(t.state));
    const has = (list: { id: string; port: number }[], id: string) => list.some((t) => t.id === id && t.port === target.port);
    const toRegister = usable.filter((ip) => !has(active, ip));
    const stale = active.filter((t) => t.port !== target.port || !usable.includes(t.id));
    // Read before this run's registrations: a target registered now is `initial` for a while anyway.
    const serving = active.filter((t) => t.port === target.port && usable.includes(t.id) && t.state === SERVING).map((t) => t.id);
    for (const t of active) {
        if (usable.includes(t.id) && t.port === target.port && t.state === "unused" && t.reason === "Target.NotInUse") result.unserved.push(t.id);
    }
    if (result.unserved.length > 0) {
        log.error("target-not-served", {
            addresses: result.unserved,
            why: "the load balancer reports Target.NotInUse: the address is in an Availability Zone the load balancer has no subnet in, or no listener uses the group",
        });
    }

    // 3. Register first.
    if (toRegister.length > 0) {
        try {
            await withRetry(
                () =>
                    deps.elb.send(
                        new RegisterTargetsCommand({ TargetGroupArn: target.targetGroupArn, Targets: toRegister.map((Id) => ({ Id, Port: target.port })) }),
                    ),
                retry("RegisterTargets"),
            );
        } catch (e) {
            if (isTargetGroupNotFound(e)) return fail("target-group-not-found", `${errorText(e)}; was the endpoint removed?`);
            return fail("register-failed", `${failureText(e)}; stale targets were kept`);
        }
        result.registered = toRegister;
        for (const address of toRegister) log.info("target-registered", { address, port: target.port });
    }

    // 4. Then deregister what DNS no longer returns, once a current target serves, checked against a fresh answer.
    const label = (t: CurrentTarget) => (t.port === target.port ? t.id : `${t.id}:${t.port}`);
    const defer = (targets: CurrentTarget[], because: DeferReason, why: string, level: "info" | "warn") => {
        result.deferred = targets.map(label);
        result.deferredBecause = because;
        log[level]("deregistration-deferred", { stale: targets.map((t) => `${t.id}:${t.port}`), reason: because, why });
    };
    if (stale.length > 0 && serving.length === 0) {
        defer(
            stale,
            "replacement-not-healthy",
            "no target at an address DNS returns is healthy yet; stale targets stay registered (the load balancer routes only to healthy ones) until a run finds one healthy",
            "info",
        );
    } else if (stale.length > 0) {
        let fresh: string[] | undefined;
        try {
            fresh = usableAddresses(await deps.resolve(target.rdsAddress)).usable;
        } catch {
            fresh = undefined;
        }
        if (fresh === undefined || fresh.length === 0) {
            defer(stale, "second-lookup-failed", "the second lookup before deregistering failed; stale targets stay until a run can confirm them", "warn");
        } else {
            const gone = stale.filter((t) => t.port !== target.port || !fresh!.includes(t.id));
            const remaining = active.length + result.registered.length - gone.length;
            if (gone.length > 0 && remaining > 0) {
                try {
                    await withRetry(
                        () =>
                            deps.elb.send(
                                new DeregisterTargetsCommand({ TargetGroupArn: target.targetGroupArn, Targets: gone.map((t) => ({ Id: t.id, Port: t.port })) }),
                            ),
                        retry("DeregisterTargets"),
                    );
                } catch (e) {
                    if (result.registered.length > 0) await markChange(deps, target, retry, log);
                    return fail("deregister-failed", `${failureText(e)}; the current address is registered, the stale one stays until the next run`);
                }
                result.deregistered = gone.map(label);
                for (const t of gone) log.info("target-deregistered", { address: t.id, port: t.port });
            }
        }
    }

    if (result.registered.length + result.deregistered.length > 0) {
        result.outcome = "changed";
        await markChange(deps, target, retry, log);
    }
    return finish();
}

async function describe(deps: SyncDeps, targetGroupArn: string, ctx: RetryContext): Promise<CurrentTarget[]> {
    const out = await withRetry(() => deps.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })), ctx);
    return (out.TargetHealthDescriptions ?? [])
        .filter((d) => d.Target?.Id !== undefined)
        .map((d) => ({
            id: d.Target!.Id!,
            port: d.Target!.Port ?? 0,
            state: d.TargetHealth?.State ?? "unknown",
            reason: d.TargetHealth?.Reason,
        }));
}

/** Best effort: a failed tag does not undo or fail the sync it describes. */
async function markChange(deps: SyncDeps, target: SyncTarget, retry: (op: string) => RetryContext, log: Logger): Promise<void> {
    const at = new Date(deps.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    try {
        await withRetry(
            () => deps.elb.send(new AddTagsCommand({ ResourceArns: [target.targetGroupArn], Tags: [{ Key: CHANGE_TAG_KEY, Value: at }] })),
            retry("AddTags"),
        );
    } catch (e) {
        log.warn("tag-failed", { tag: CHANGE_TAG_KEY, error: errorText(e) });
    }
}

/**
 * After an RDS event: keeps resolving the instance's name (every {@link POLL_INTERVAL_MS}) until the
 * answer holds an address the group does not, or differs from the first answer of the wait, or
 * `pollSeconds` pass. Returns the ms waited when a change was seen, undefined otherwise. The caller
 * reconciles either way.
 *
 * A group may hold more than DNS returns (a stale target kept until its replacement is healthy), so "the
 * answer differs from the group" would end the wait at once, before the change the event announces.
 */
export async function waitForAddressChange(
    target: SyncTarget,
    deps: SyncDeps,
    opts: SyncOptions,
    pollSeconds: number,
): Promise<number | undefined> {
    const log = deps.log.with({ targetGroupArn: target.targetGroupArn, rdsInstanceIdentifier: target.rdsInstanceIdentifier });
    const start = deps.now();
    // Leave the reconciliation after the wait enough of the function's time.
    const until = Math.min(start + pollSeconds * 1000, opts.deadline - 30_000);
    let held: string[];
    try {
        const current = await describe(deps, target.targetGroupArn, {
            policy: opts.retry,
            sleep: deps.sleep,
            now: deps.now,
            random: deps.random,
            deadline: opts.deadline,
            startedAt: opts.startedAt,
        });
        held = current.filter((t) => !DRAINING.has(t.state) && t.port === target.port).map((t) => t.id);
    } catch {
        return undefined; // the reconciliation reports why
    }
    let first: string[] | undefined;
    for (;;) {
        let usable: string[] | undefined;
        try {
            usable = usableAddresses(await deps.resolve(target.rdsAddress)).usable;
        } catch {
            usable = undefined; // a failed lookup while waiting is not a change
        }
        if (usable !== undefined && usable.length > 0) first ??= usable;
        if (usable !== undefined && usable.length > 0 && (usable.some((ip) => !held.includes(ip)) || !sameSet(usable, first!))) {
            const waitedMs = deps.now() - start;
            log.info("address-change-seen", { from: [...held].sort(), to: usable, waitedMs });
            return waitedMs;
        }
        if (deps.now() + POLL_INTERVAL_MS > until) return undefined;
        await deps.sleep(POLL_INTERVAL_MS);
    }
}

function sameSet(a: string[], b: string[]): boolean {
    const sa = new Set(a);
    const sb = new Set(b);
    return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i], i);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}
