/**
 * The stack's upkeep function, with the duties the deployment gave it (each a file next to the bundle):
 * - target sync (`targets.json`): keeps each RDS-backed endpoint's IP target group pointed at the address the
 *   instance's DNS name resolves to now (reconcile.ts);
 * - certificate expiry (`certificates.json`): on every run but an RDS event's, publishes each certificate's days to
 *   expiry, the metric the expiry alarms watch (expiryWatch.ts);
 * - expired allowlist rules (`expiring-rules.json`): on scheduled and manual runs, revokes the ingress rules of the
 *   listed security groups whose `db-endpoints:expires` tag has passed (revocation.ts).
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
 * of the sources it is built from (infra/components/support/lambdaBundle.ts). The EC2 client of the revocation
 * duty is the Lambda runtime's, loaded only by a run that revokes: bundling it would triple the bundle and add
 * about a second to every cold start, the failover path's included.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type * as Ec2 from "@aws-sdk/client-ec2";
import { EXPIRING_RULES_FILE, parseExpiringRulesFile, REVOCATION_METRIC } from "./expiredRules";
import { CERTIFICATES_FILE, CertificateWatch, daysToExpiry, EXPIRY_METRIC, parseCertificatesFile } from "./expiryWatch";
import { Logger, stdoutWriter } from "./log";
import { mapLimit, reconcileTargetGroup, SyncDeps, SyncOptions, TargetGroupResult, waitForAddressChange } from "./reconcile";
import { dnsResolver } from "./resolve";
import { DEFAULT_RETRY, DEPLOY_RETRY } from "./retry";
import { Ec2Api, revokeExpiredRules, RevocationResult } from "./revocation";
import { EVENT_POLL_SECONDS, eventPollProblem, FUNCTION_TIMEOUT_SECONDS, parseTargetsFile, STACK_ENV, SyncSettings, TARGETS_FILE } from "./settings";

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
    /** The days to expiry this run published, per certificate (runs that publish them only). */
    certificates?: { name: string; expiresAt: string; daysToExpiry: number }[];
    /** What the run did to expired allowlist rules (scheduled and manual runs of a function with that duty only). */
    revocation?: RevocationResult;
}

/** Everything the function is told at deployment: target sync's settings, and the other duties' (none when absent). */
export interface UpkeepSettings extends SyncSettings {
    /** Certificates whose days to expiry the function publishes. */
    certificates?: CertificateWatch[];
    /** Security groups whose expired rules the function revokes. */
    expiringRuleSecurityGroupIds?: string[];
}

export interface HandlerDeps extends Omit<SyncDeps, "log"> {
    settings: UpkeepSettings;
    /** Where log lines go (default: stdout). */
    writeLine: (line: string) => void;
    /** Target groups reconciled at once. */
    concurrency?: number;
    /** The EC2 client and commands the revocation duty uses, loaded when a run first needs them. */
    ec2?: () => Promise<Ec2Api>;
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

        // Target sync, first: the duty a failover waits on.
        let results: TargetGroupResult[] = [];
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
        } else if (deps.settings.targets.length > 0) {
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
        if (invocation.trigger === "rds-event" || deps.settings.targets.length > 0) {
            log.info("sync-finished", { targetGroups: results.length, changed: summary.changed, failed: summary.failed, durationMs: deps.now() - started });
        }

        // The certificates' days to expiry: on every run but an RDS event's (those are about one instance, now).
        const certificates = deps.settings.certificates ?? [];
        if (invocation.trigger !== "rds-event" && certificates.length > 0) {
            summary.certificates = publishDaysToExpiry(certificates, deps.settings.stack, deps.now(), log);
        }

        // Expired allowlist rules: on the schedule (and by hand). A deployment deletes the rules of expired entries
        // itself, and its run may start before IAM has propagated the role's policy.
        const groups = deps.settings.expiringRuleSecurityGroupIds ?? [];
        if ((invocation.trigger === "schedule" || invocation.trigger === "manual") && groups.length > 0) {
            summary.revocation = await revokeExpired(groups, deps, log, opts.deadline);
        }

        if (invocation.trigger === "deploy" && summary.failed > 0) {
            const failures = results
                .filter((r) => r.outcome === "failed")
                .map((r) => `${r.targetGroupArn} (${r.rdsInstanceIdentifier}): ${r.reason}: ${r.message}`);
            throw new Error(`target sync could not make ${summary.failed} of ${results.length} target group(s) match DNS: ${failures.join("; ")}`);
        }
        return summary;
    };
}

/** Publishes each certificate's days to expiry (one EMF record each, every time: the alarms treat its absence as a fault). */
function publishDaysToExpiry(certificates: CertificateWatch[], stack: string, now: number, log: Logger): NonNullable<SyncSummary["certificates"]> {
    return certificates.map((c) => {
        const days = daysToExpiry(c.expiresAt, now);
        log.emf(EXPIRY_METRIC.namespace, { Stack: stack, Certificate: c.name }, { [EXPIRY_METRIC.name]: { value: days, unit: "None" } }, { event: "certificate-expiry", expiresAt: c.expiresAt });
        return { name: c.name, expiresAt: c.expiresAt, daysToExpiry: days };
    });
}

/** Runs the revocation duty; its failures, and only they, become the `RevocationFailures` metric. */
async function revokeExpired(groups: string[], deps: HandlerDeps, log: Logger, deadline: number): Promise<RevocationResult> {
    let result: RevocationResult;
    try {
        if (!deps.ec2) throw new Error("no EC2 client was given to the handler");
        result = await revokeExpiredRules(groups, { ec2: await deps.ec2(), log, now: deps.now, sleep: deps.sleep, random: deps.random, deadline });
    } catch (e) {
        const message = (e as Error)?.message ?? String(e);
        log.error("revocation-failed", { reason: "ec2-client-unavailable", message });
        result = { revoked: [], alreadyGone: [], pending: 0, unreadable: [], failed: [{ message }] };
    }
    log.info("revocation-finished", {
        securityGroups: groups.length,
        revoked: result.revoked.length,
        alreadyGone: result.alreadyGone.length,
        pending: result.pending,
        unreadable: result.unreadable.length,
        failed: result.failed.length,
    });
    if (result.failed.length > 0) {
        log.emf(REVOCATION_METRIC.namespace, { Stack: deps.settings.stack }, { [REVOCATION_METRIC.name]: { value: result.failed.length, unit: "Count" } });
    }
    return result;
}

/**
 * Reads the settings the deployment wrote: the duties' files next to the bundle (a duty without its file is not
 * the function's), and the environment.
 */
export function loadSettings(dir: string, env: NodeJS.ProcessEnv): UpkeepSettings {
    const read = <T>(file: string, parse: (text: string) => T, none: T): T => {
        const at = path.join(dir, file);
        return fs.existsSync(at) ? parse(fs.readFileSync(at, "utf8")) : none;
    };
    const targets = read(TARGETS_FILE, parseTargetsFile, []);
    const poll = env.EVENT_POLL_SECONDS === undefined ? EVENT_POLL_SECONDS.default : Number(env.EVENT_POLL_SECONDS);
    const problem = eventPollProblem(poll);
    if (problem) throw new Error(`EVENT_POLL_SECONDS: ${problem}`);
    return {
        targets,
        stack: env[STACK_ENV] ?? "",
        eventPollSeconds: poll,
        certificates: read(CERTIFICATES_FILE, parseCertificatesFile, []),
        expiringRuleSecurityGroupIds: read(EXPIRING_RULES_FILE, parseExpiringRulesFile, []),
    };
}

/**
 * The ELBv2 client the function uses: one attempt per call (retry.ts is the only retry loop), and short
 * timeouts so that a hung connection is retried rather than waited on. `config` is for tests (endpoint, ...).
 */
export function elbClient(config: ConstructorParameters<typeof ElasticLoadBalancingV2Client>[0] = {}): ElasticLoadBalancingV2Client {
    return new ElasticLoadBalancingV2Client({ ...config, maxAttempts: 1, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 } });
}

/**
 * The EC2 client the revocation duty uses, from the Lambda runtime's AWS SDK (not bundled): `require` finds it
 * through NODE_PATH, which the Node.js runtimes point at /var/runtime/node_modules. One attempt per call and short
 * timeouts, as {@link elbClient}. `config` is for tests.
 */
export async function ec2Api(config: Ec2.EC2ClientConfig = {}): Promise<Ec2Api> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk: typeof Ec2 = require("@aws-sdk/client-ec2");
    return {
        client: new sdk.EC2Client({ ...config, maxAttempts: 1, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 } }),
        commands: { DescribeSecurityGroupRulesCommand: sdk.DescribeSecurityGroupRulesCommand, RevokeSecurityGroupIngressCommand: sdk.RevokeSecurityGroupIngressCommand },
    };
}

let production: ReturnType<typeof createHandler> | undefined;

/** `load`, called once it has succeeded: later calls get its promise; a failed load is tried again by the next call. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
    let loaded: Promise<T> | undefined;
    return () => {
        loaded ??= load().catch((e) => {
            loaded = undefined;
            throw e;
        });
        return loaded;
    };
}

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
        ec2: once(() => ec2Api()),
    });
    return production(event, context);
}
