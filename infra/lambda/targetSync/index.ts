/**
 * The target-sync Lambda function: keeps each RDS-backed endpoint's IP target group pointed at the
 * address the instance's DNS name resolves to now.
 *
 * Invoked by:
 * - an EventBridge rule for this stack's RDS instances (failover, reboot, maintenance, class change, ...):
 *   it waits (bounded) for the instance's DNS answer to change, then reconciles that instance's groups;
 * - an EventBridge schedule (the backstop for late or lost events): reconciles every group;
 * - `pulumi up` (aws.lambda.Invocation, payload `{"action":"sync","trigger":"deploy"}`): reconciles every
 *   group and fails the deployment when one could not be made to match DNS. The function and its role may
 *   be seconds old, so access-denied answers are retried for up to 2 minutes of the run (DEPLOY_RETRY);
 *   every other trigger takes them as final (a failed sync, logged and counted);
 * - anyone, by hand, with any other payload: reconciles every group.
 *
 * Bundled by esbuild with the AWS SDK v3 ELBv2 client inside (infra/components/targetSync.ts), once per content
 * of the sources it is built from (infra/components/support/lambdaBundle.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Logger, stdoutWriter } from "./log";
import { mapLimit, reconcileTargetGroup, SyncDeps, SyncOptions, TargetGroupResult, waitForAddressChange } from "./reconcile";
import { dnsResolver } from "./resolve";
import { DEFAULT_RETRY, DEPLOY_RETRY } from "./retry";
import { EVENT_POLL_SECONDS, eventPollProblem, FUNCTION_TIMEOUT_SECONDS, parseTargetsFile, SyncSettings, TARGETS_FILE } from "./settings";

export type Trigger = "deploy" | "schedule" | "rds-event" | "manual";

/** What started a run, read from the invocation payload. */
export interface Invocation {
    trigger: Trigger;
    /** RDS events: the event ID (`RDS-EVENT-0049`) and the instance it is about. */
    rdsEventId?: string;
    rdsInstanceIdentifier?: string;
}

/** The part of the Lambda context the handler uses. */
export interface LambdaContext {
    awsRequestId?: string;
    getRemainingTimeInMillis?: () => number;
}

export interface SyncSummary {
    trigger: Trigger;
    rdsEventId?: string;
    rdsInstanceIdentifier?: string;
    /** Target groups whose targets changed in this run. */
    changed: number;
    /** Target groups that could not be made to match DNS in this run. */
    failed: number;
    results: TargetGroupResult[];
}

export interface HandlerDeps extends Omit<SyncDeps, "log"> {
    settings: SyncSettings;
    /** Where log lines go (default: stdout). */
    writeLine: (line: string) => void;
    /** Target groups reconciled at once. */
    concurrency?: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The instance an RDS event is about: `detail.SourceArn`, else `resources[0]`, else `detail.SourceIdentifier`. */
function eventInstance(event: Record<string, unknown>): string | undefined {
    const detail = isObject(event.detail) ? event.detail : {};
    const resources = Array.isArray(event.resources) ? event.resources : [];
    for (const arn of [detail.SourceArn, resources[0]]) {
        if (typeof arn === "string") {
            const m = /^arn:[^:]+:rds:[^:]*:[^:]*:db:(.+)$/.exec(arn);
            if (m) return m[1].toLowerCase();
        }
    }
    if (typeof detail.SourceIdentifier === "string") return detail.SourceIdentifier.replace(/^rds:/, "").toLowerCase();
    return undefined;
}

/** Reads what started the run from the payload. */
export function classify(event: unknown): Invocation {
    if (!isObject(event)) return { trigger: "manual" };
    if (event.source === "aws.rds" && event["detail-type"] === "RDS DB Instance Event") {
        const detail = isObject(event.detail) ? event.detail : {};
        return {
            trigger: "rds-event",
            rdsEventId: typeof detail.EventID === "string" ? detail.EventID : undefined,
            rdsInstanceIdentifier: eventInstance(event),
        };
    }
    if (event.source === "aws.events" && event["detail-type"] === "Scheduled Event") return { trigger: "schedule" };
    if (event.action === "sync" && event.trigger === "deploy") return { trigger: "deploy" };
    return { trigger: "manual" };
}

/** Builds the handler around its dependencies (the real ones in {@link handler}, fakes in tests). */
export function createHandler(deps: HandlerDeps): (event: unknown, context?: LambdaContext) => Promise<SyncSummary> {
    return async (event, context) => {
        const started = deps.now();
        const invocation = classify(event);
        const log = new Logger(deps.writeLine, {
            stack: deps.settings.stack,
            trigger: invocation.trigger,
            ...(invocation.rdsEventId ? { rdsEventId: invocation.rdsEventId } : {}),
            ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
        }, deps.now);
        const remaining = context?.getRemainingTimeInMillis?.() ?? FUNCTION_TIMEOUT_SECONDS * 1000;
        const opts: SyncOptions = {
            retry: invocation.trigger === "deploy" ? DEPLOY_RETRY : DEFAULT_RETRY,
            deadline: started + remaining - 5000,
            concurrency: deps.concurrency ?? 4,
            startedAt: started,
        };
        const syncDeps: SyncDeps = { elb: deps.elb, resolve: deps.resolve, sleep: deps.sleep, now: deps.now, random: deps.random, log };

        let results: TargetGroupResult[];
        if (invocation.trigger === "rds-event") {
            const targets = deps.settings.targets.filter((t) => t.rdsInstanceIdentifier === invocation.rdsInstanceIdentifier);
            log.info("rds-event", { rdsInstanceIdentifier: invocation.rdsInstanceIdentifier ?? null, targetGroups: targets.length });
            if (targets.length === 0) {
                log.warn("rds-event-ignored", { rdsInstanceIdentifier: invocation.rdsInstanceIdentifier ?? null, why: "no endpoint of this stack is backed by this instance" });
            }
            results = await mapLimit(targets, opts.concurrency, async (target) => {
                await waitForAddressChange(target, syncDeps, opts, deps.settings.eventPollSeconds);
                return reconcileTargetGroup(target, syncDeps, opts);
            });
        } else {
            results = await mapLimit(deps.settings.targets, opts.concurrency, (target) => reconcileTargetGroup(target, syncDeps, opts));
        }

        const summary: SyncSummary = {
            trigger: invocation.trigger,
            ...(invocation.rdsEventId ? { rdsEventId: invocation.rdsEventId } : {}),
            ...(invocation.rdsInstanceIdentifier ? { rdsInstanceIdentifier: invocation.rdsInstanceIdentifier } : {}),
            changed: results.filter((r) => r.outcome === "changed").length,
            failed: results.filter((r) => r.outcome === "failed").length,
            results,
        };
        log.info("sync-finished", { targetGroups: results.length, changed: summary.changed, failed: summary.failed, durationMs: deps.now() - started });
        if (invocation.trigger === "deploy" && summary.failed > 0) {
            const failures = results
                .filter((r) => r.outcome === "failed")
                .map((r) => `${r.targetGroupArn} (${r.rdsInstanceIdentifier}): ${r.reason}: ${r.message}`);
            throw new Error(`target sync could not make ${summary.failed} of ${results.length} target group(s) match DNS: ${failures.join("; ")}`);
        }
        return summary;
    };
}

/** Reads the settings the deployment wrote: the targets file next to the bundle, and the environment. */
export function loadSettings(dir: string, env: NodeJS.ProcessEnv): SyncSettings {
    const targets = parseTargetsFile(fs.readFileSync(path.join(dir, TARGETS_FILE), "utf8"));
    const poll = env.EVENT_POLL_SECONDS === undefined ? EVENT_POLL_SECONDS.default : Number(env.EVENT_POLL_SECONDS);
    const problem = eventPollProblem(poll);
    if (problem) throw new Error(`EVENT_POLL_SECONDS: ${problem}`);
    return { targets, stack: env.TARGET_SYNC_STACK ?? "", eventPollSeconds: poll };
}

/**
 * The ELBv2 client the function uses: one attempt per call (retry.ts is the only retry loop), and short
 * timeouts so that a hung connection is retried rather than waited on. `config` is for tests (endpoint, ...).
 */
export function elbClient(config: ConstructorParameters<typeof ElasticLoadBalancingV2Client>[0] = {}): ElasticLoadBalancingV2Client {
    return new ElasticLoadBalancingV2Client({ ...config, maxAttempts: 1, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 } });
}

let production: ReturnType<typeof createHandler> | undefined;

/** The Lambda entry point (`index.handler`). */
export async function handler(event: unknown, context?: LambdaContext): Promise<SyncSummary> {
    production ??= createHandler({
        settings: loadSettings(__dirname, process.env),
        elb: elbClient(),
        resolve: dnsResolver(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: Date.now,
        random: Math.random,
        writeLine: stdoutWriter,
    });
    return production(event, context);
}
