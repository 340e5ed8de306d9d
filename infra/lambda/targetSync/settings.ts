/**
 * The contract between the TargetSync component, which writes the function's configuration at deployment,
 * and the target-sync function, which reads it: what to keep in sync, how fast, and the names of what the
 * function writes (tag, metrics). Pure (no AWS SDK, no Pulumi), so it is bundled into the function and
 * imported by the program and the stack config validation alike.
 */
import { patterns, Problems, show } from "../../validation";

/** File inside the function's deployment package that lists the target groups to keep in sync. */
export const TARGETS_FILE = "targets.json";

/** Tag the function sets on a target group, to the time (ISO 8601, UTC) it last changed its targets. */
export const CHANGE_TAG_KEY = "db-endpoints:targets-changed-at";

/** CloudWatch namespace of the function's embedded-metric-format metrics. */
export const METRIC_NAMESPACE = "DbEndpoints/TargetSync";

/** Default backstop schedule: a missed or late RDS event is caught within a minute. */
export const DEFAULT_SCHEDULE = "rate(1 minute)";

/**
 * The function's schedule when it keeps no target in sync: its other duties (the certificates' days to expiry,
 * revoking allowlist rules whose time is up) need no faster cadence than this.
 */
export const DEFAULT_SCHEDULE_WITHOUT_TARGETS = "rate(5 minutes)";

/** Environment variable holding `<project>/<stack>`: on every log line, and the `Stack` dimension of the function's stack-wide metrics. */
export const STACK_ENV = "DB_ENDPOINTS_STACK";

/** The backstop must run at least every 5 minutes (EventBridge's finest rate is 1 minute). */
export const SCHEDULE_MINUTES = { min: 1, max: 5 } as const;

/**
 * After an RDS event, how long (seconds) the function keeps resolving the instance's name waiting for
 * the answer to differ from the registered targets (a failover flips DNS some seconds after it starts).
 */
export const EVENT_POLL_SECONDS = { min: 0, max: 60, default: 50 } as const;

/** Interval between two DNS lookups while waiting for an address change. */
export const POLL_INTERVAL_MS = 2000;

/**
 * The function's timeout. Must cover the longest event wait (60 s), and the deploy-time run's retries of
 * access-denied answers (2 minutes, `DEPLOY_RETRY` in retry.ts), each followed by a reconciliation whose
 * retries are bounded by the time left (see `deadline` in reconcile.ts).
 */
export const FUNCTION_TIMEOUT_SECONDS = 180;

/**
 * RDS DB instance events after which the instance's address may have changed. Source: "Amazon RDS event
 * categories and event messages" (DB instance events), RDS User Guide.
 */
export const RDS_EVENT_IDS: readonly { id: string; category: string; meaning: string }[] = [
    { id: "RDS-EVENT-0006", category: "availability", meaning: "the DB instance restarted (a reboot, with or without failover)" },
    { id: "RDS-EVENT-0013", category: "failover", meaning: "a Multi-AZ failover started (the function starts watching DNS at once)" },
    { id: "RDS-EVENT-0014", category: "configuration change", meaning: "the DB instance class changed (the instance moved to a new host)" },
    { id: "RDS-EVENT-0015", category: "failover", meaning: "a Multi-AZ failover completed; DNS may take minutes to follow" },
    { id: "RDS-EVENT-0021", category: "recovery", meaning: "recovery of the DB instance completed" },
    { id: "RDS-EVENT-0025", category: "configuration change", meaning: "the DB instance was converted to Multi-AZ" },
    { id: "RDS-EVENT-0027", category: "maintenance", meaning: "offline maintenance completed" },
    { id: "RDS-EVENT-0029", category: "configuration change", meaning: "the DB instance was converted to Single-AZ" },
    { id: "RDS-EVENT-0047", category: "maintenance", meaning: "the DB instance was patched" },
    { id: "RDS-EVENT-0049", category: "failover", meaning: "a Multi-AZ failover completed" },
    { id: "RDS-EVENT-0050", category: "failover", meaning: "a Multi-AZ activation started after an instance recovery" },
    { id: "RDS-EVENT-0051", category: "failover", meaning: "a Multi-AZ activation completed" },
    { id: "RDS-EVENT-0053", category: "recovery", meaning: "recovery of the Multi-AZ instance completed" },
    { id: "RDS-EVENT-0065", category: "failover", meaning: "the instance recovered from a partial failover" },
    { id: "RDS-EVENT-0088", category: "notification", meaning: "the DB instance was started" },
    { id: "RDS-EVENT-0154", category: "notification", meaning: "the DB instance was started after exceeding the maximum time stopped" },
];

/** One IP target group the function keeps pointed at an RDS instance's current address. */
export interface SyncTarget {
    /** ARN of the IP target group. */
    targetGroupArn: string;
    /** Identifier of the RDS DB instance (lower case, as RDS stores it). */
    rdsInstanceIdentifier: string;
    /** The instance's endpoint hostname, resolved by the function. */
    rdsAddress: string;
    /** Port targets are registered on (the database's port). */
    port: number;
}

/** Everything the function is told at deployment. */
export interface SyncSettings {
    targets: SyncTarget[];
    /** `<project>/<stack>`, written on every log line. */
    stack: string;
    eventPollSeconds: number;
}

const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const TARGET_KEYS = ["targetGroupArn", "rdsInstanceIdentifier", "rdsAddress", "port"];

/** Checks one target entry, reporting each bad field under `path`. */
export function checkTarget(problems: Problems, path: string, value: unknown): SyncTarget | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.error(path, `${show(value)} is not a target (targetGroupArn, rdsInstanceIdentifier, rdsAddress, port)`);
        return undefined;
    }
    const v = value as Record<string, unknown>;
    const before = problems.errors.length;
    for (const key of Object.keys(v)) {
        if (!TARGET_KEYS.includes(key)) problems.error(`${path}.${key}`, `unknown field; known fields: ${TARGET_KEYS.join(", ")}`);
    }
    if (typeof v.targetGroupArn !== "string" || !TARGET_GROUP_ARN.test(v.targetGroupArn)) {
        problems.error(`${path}.targetGroupArn`, `${show(v.targetGroupArn)} is not a target group ARN`);
    }
    if (typeof v.rdsInstanceIdentifier !== "string" || !patterns.rdsIdentifier.test(v.rdsInstanceIdentifier)) {
        problems.error(`${path}.rdsInstanceIdentifier`, `${show(v.rdsInstanceIdentifier)} is not an RDS DB instance identifier`);
    }
    if (typeof v.rdsAddress !== "string" || !patterns.hostname.test(v.rdsAddress)) {
        problems.error(`${path}.rdsAddress`, `${show(v.rdsAddress)} is not a lower-case DNS name`);
    }
    if (typeof v.port !== "number" || !Number.isInteger(v.port) || v.port < 1 || v.port > 65535) {
        problems.error(`${path}.port`, `${show(v.port)} is not a port (1..65535)`);
    }
    if (problems.errors.length > before) return undefined;
    return {
        targetGroupArn: v.targetGroupArn as string,
        rdsInstanceIdentifier: (v.rdsInstanceIdentifier as string).toLowerCase(),
        rdsAddress: v.rdsAddress as string,
        port: v.port as number,
    };
}

/** Checks a whole target list: every entry, and no target group listed twice. */
export function checkTargets(problems: Problems, path: string, value: unknown): SyncTarget[] {
    if (!Array.isArray(value)) {
        problems.error(path, `${show(value)} is not a list of targets`);
        return [];
    }
    if (value.length === 0) problems.error(path, "is empty; list at least one target group to keep in sync");
    const targets: SyncTarget[] = [];
    const seen = new Map<string, number>();
    value.forEach((entry, i) => {
        const target = checkTarget(problems, `${path}[${i}]`, entry);
        if (!target) return;
        const first = seen.get(target.targetGroupArn);
        if (first !== undefined) {
            problems.error(`${path}[${i}].targetGroupArn`, `${JSON.stringify(target.targetGroupArn)} is already ${path}[${first}]; each target group has one source`);
            return;
        }
        seen.set(target.targetGroupArn, i);
        targets.push(target);
    });
    return targets;
}

/**
 * Returns why `value` is not a usable backstop schedule, or undefined when it is one:
 * `rate(1 minute)` or `rate(N minutes)` with N in 2..5.
 */
export function scheduleProblem(value: unknown): string | undefined {
    const m = typeof value === "string" ? /^rate\((\d+) (minute|minutes)\)$/.exec(value) : null;
    if (!m) {
        return `${show(value)} is not a schedule; use "rate(1 minute)" or "rate(N minutes)" with N from ${SCHEDULE_MINUTES.min + 1} to ${SCHEDULE_MINUTES.max}`;
    }
    const n = Number(m[1]);
    if (n === 1 ? m[2] !== "minute" : m[2] !== "minutes") {
        return `${show(value)} is not an EventBridge rate: write "rate(1 minute)" for one, "rate(N minutes)" for more`;
    }
    if (n < SCHEDULE_MINUTES.min || n > SCHEDULE_MINUTES.max) {
        return `${show(value)} runs every ${n} minutes; the backstop must run at least every ${SCHEDULE_MINUTES.max} minutes (and at most every minute)`;
    }
    return undefined;
}

/** Returns why `value` is not a usable event wait (whole seconds in range), or undefined. */
export function eventPollProblem(value: unknown): string | undefined {
    if (typeof value !== "number" || !Number.isInteger(value) || value < EVENT_POLL_SECONDS.min || value > EVENT_POLL_SECONDS.max) {
        return `${show(value)} is not a whole number of seconds from ${EVENT_POLL_SECONDS.min} to ${EVENT_POLL_SECONDS.max}`;
    }
    return undefined;
}

/**
 * Parses one of the function's duty files, `{ "<key>": ... }` in JSON, checking the member by `check`; throws one
 * error naming the file and every problem.
 */
export function parseDutyFile<T>(file: string, key: string, text: string, check: (problems: Problems, path: string, value: unknown) => T): T {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (e) {
        throw new Error(`${file} is not JSON: ${(e as Error).message}`);
    }
    const problems = new Problems();
    const result = check(problems, key, (value as Record<string, unknown> | null)?.[key]);
    if (!problems.ok) {
        throw new Error(`${file} is invalid: ${problems.errors.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    }
    return result;
}

/** Parses the function's targets file; throws one error naming every problem. */
export function parseTargetsFile(text: string): SyncTarget[] {
    return parseDutyFile(TARGETS_FILE, "targets", text, checkTargets);
}

/** The whole JSON text of the targets file for a target list (stable: same targets, same bytes). */
export function targetsFileText(targets: SyncTarget[]): string {
    return `${JSON.stringify({ targets }, null, 2)}\n`;
}

/** `targetgroup/<name>/<id>`: the target group's ARN suffix, the form CloudWatch's AWS/NetworkELB metrics use. */
export function targetGroupSuffix(arn: string): string {
    const i = arn.indexOf(":targetgroup/");
    return i < 0 ? arn : arn.slice(i + 1);
}

/** `net/<name>/<id>`: the load balancer's ARN suffix, the `LoadBalancer` dimension of AWS/NetworkELB metrics. */
export function loadBalancerSuffix(arn: string): string {
    const i = arn.indexOf(":loadbalancer/");
    return i < 0 ? arn : arn.slice(i + ":loadbalancer/".length);
}

/** Minutes between two runs of an EventBridge rate expression that {@link scheduleProblem} accepts. */
export function scheduleMinutes(schedule: string): number {
    const m = /^rate\((\d+) minutes?\)$/.exec(schedule);
    if (!m) throw new Error(`${JSON.stringify(schedule)} is not a rate in minutes`);
    return Number(m[1]);
}

/** The DB instance ARN an RDS event names (`resources`), from its identifier. */
export function rdsInstanceArn(partition: string, region: string, accountId: string, identifier: string): string {
    return `arn:${partition}:rds:${region}:${accountId}:db:${identifier.toLowerCase()}`;
}
