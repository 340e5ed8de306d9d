/**
 * Waiting for an endpoint's target to pass its health checks before `pulumi up` creates integration users
 * through the endpoint. A newly registered NLB target is `initial` (registration in progress, then the
 * first health checks) for tens of seconds to minutes, and the load balancer routes nothing to it until it
 * is `healthy`: a database provider connecting before that fails. {@link waitForHealthyTarget} is plain
 * code over an ELBv2 client and a clock, so it is tested without AWS and without waiting.
 */
import {
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
    TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsErrorName, Clock, describeAwsError, systemClock } from "./hooks/support";

export const TARGET_HEALTH = {
    /** Between two DescribeTargetHealth calls: the target group's health-check interval. */
    pollIntervalMs: 10_000,
} as const;

/**
 * Errors after which asking again can succeed: AWS could not read the targets' health this time. (The SDK
 * already retries throttling and transient failures before an error reaches the wait.)
 */
const RETRIED_ERRORS = new Set(["HealthUnavailableException"]);

/** Errors that mean the deployer's credentials lack a permission. */
const DENIED_ERRORS = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

export interface TargetHealthWaitOptions {
    /** The endpoint's name, for messages. */
    endpoint: string;
    targetGroupArn: string;
    /** Bound on the whole wait, in milliseconds. */
    timeoutMs: number;
    pollIntervalMs?: number;
    clock?: Clock;
    /** Progress messages (the component logs them with pulumi.log.info). */
    log?: (message: string) => void;
}

export interface TargetHealthWaitResult {
    /** The healthy targets, as `address:port`. */
    healthy: string[];
    /** Milliseconds from the first call until a target was seen healthy. */
    waitedMs: number;
    /** One sentence for the deployment log. */
    message: string;
}

/** `10.0.2.41:5432`. */
function targetName(d: TargetHealthDescription): string {
    const id = d.Target?.Id ?? "(unknown target)";
    return d.Target?.Port !== undefined ? `${id}:${d.Target.Port}` : id;
}

/** `10.0.2.41:5432 unhealthy (Target.FailedHealthChecks: Health checks failed)`, as AWS reports it. */
export function describeTargetHealth(d: TargetHealthDescription): string {
    const state = d.TargetHealth?.State ?? "unknown";
    const reason = d.TargetHealth?.Reason;
    const description = d.TargetHealth?.Description;
    const detail = reason && description ? `${reason}: ${description}` : (reason ?? description);
    return `${targetName(d)} ${state}${detail ? ` (${detail})` : ""}`;
}

/** The targets' states in one line; "no target is registered" for an empty group. */
function summary(descriptions: TargetHealthDescription[]): string {
    return descriptions.length === 0 ? "no target is registered" : descriptions.map(describeTargetHealth).join("; ");
}

function formatMinutes(ms: number): string {
    const minutes = ms / 60_000;
    return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} minute${minutes === 1 ? "" : "s"}`;
}

/**
 * Polls DescribeTargetHealth for `targetGroupArn` until at least one target is `healthy` (the load balancer
 * then routes new connections to it), within `timeoutMs`. Targets that are `initial`, `unhealthy` or
 * `unused`, and an empty group, are waited for: right after an endpoint is created they are all passing
 * states (registration, first health checks, a listener or a target registration still being created).
 * Throws, naming the endpoint, the target group and every target's state and reason as AWS reports them,
 * and what to check, when no target is healthy in time; throws at once when AWS refuses the call (a missing
 * target group, a missing permission).
 */
export async function waitForHealthyTarget(client: ElasticLoadBalancingV2Client, options: TargetHealthWaitOptions): Promise<TargetHealthWaitResult> {
    const { endpoint, targetGroupArn } = options;
    const clock = options.clock ?? systemClock;
    const pollIntervalMs = options.pollIntervalMs ?? TARGET_HEALTH.pollIntervalMs;
    const log = options.log ?? (() => undefined);
    const started = clock.now();
    const deadline = started + options.timeoutMs;
    let last: TargetHealthDescription[] | undefined;
    let lastError: string | undefined;
    let lastLogged: string | undefined;

    for (;;) {
        try {
            const response = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
            last = response.TargetHealthDescriptions ?? [];
            lastError = undefined;
        } catch (e) {
            const name = awsErrorName(e);
            if (!RETRIED_ERRORS.has(name)) {
                const permission = DENIED_ERRORS.has(name) ? "; pulumi up needs elasticloadbalancing:DescribeTargetHealth on it" : "";
                throw new Error(
                    `endpoint ${endpoint}: cannot read the health of target group ${targetGroupArn} (${describeAwsError(e)})${permission}, ` +
                        "so the integrations' database users are not created",
                );
            }
            lastError = describeAwsError(e);
        }

        const healthy = (last ?? []).filter((d) => d.TargetHealth?.State === "healthy").map(targetName);
        if (healthy.length > 0) {
            const waitedMs = clock.now() - started;
            return {
                healthy,
                waitedMs,
                message:
                    `endpoint ${endpoint}: ${healthy.length === 1 ? "target" : "targets"} ${healthy.join(", ")} ${healthy.length === 1 ? "is" : "are"} healthy` +
                    (waitedMs >= 1000 ? ` after ${Math.round(waitedMs / 1000)} s` : ""),
            };
        }
        if (clock.now() >= deadline) throw timedOut(options, last, lastError);
        const now = lastError !== undefined ? `AWS could not report target health (${lastError})` : summary(last ?? []);
        if (now !== lastLogged) {
            log(`endpoint ${endpoint}: waiting for a healthy target before creating the integrations' users: ${now}`);
            lastLogged = now;
        }
        await clock.sleep(Math.min(pollIntervalMs, Math.max(0, deadline - clock.now())));
    }
}

function timedOut(options: TargetHealthWaitOptions, last: TargetHealthDescription[] | undefined, lastError: string | undefined): Error {
    const port = last?.find((d) => d.Target?.Port !== undefined)?.Target?.Port;
    const states =
        last === undefined ? `AWS never reported the targets' health (last error: ${lastError})` : `AWS reports: ${summary(last)}${lastError ? ` (last call failed: ${lastError})` : ""}`;
    return new Error(
        `endpoint ${options.endpoint}: no target of target group ${options.targetGroupArn} became healthy within ${formatMinutes(options.timeoutMs)}, ` +
            `so the integrations' database users are not created (the admin connection goes through the endpoint, which routes ` +
            `only to healthy targets). ${states}. Check that the database is running and accepts TCP connections on ` +
            `${port !== undefined ? `port ${port}` : "its port"}; that the database's security group admits the endpoint's security ` +
            "group (its first one, output securityGroupIds[0]) on that port and the endpoint's security group allows egress to it (health " +
            "checks follow the load balancer's outbound rules); and that the load balancer has a subnet in the target's Availability " +
            "Zone (Target.NotInUse). The allowlist does not affect health checks, but once a target is healthy the admin connection " +
            "also needs the public address of the machine running pulumi up in the endpoint's allowedCidrs. Then run pulumi up " +
            "again, or raise targetHealthTimeoutMinutes (stack config: the endpoint's database.targetHealthTimeoutMinutes) if the target " +
            "is only slow to register",
    );
}
