/**
 * Structured output of the target-sync function: one JSON object per line on stdout. Written with
 * `process.stdout.write`, not `console.log`, because the Lambda Node.js runtime prefixes console lines
 * with a timestamp and request ID, which would stop CloudWatch Logs from reading them as JSON and from
 * extracting the embedded-metric-format (EMF) metrics.
 */
import { METRIC_NAMESPACE, targetGroupSuffix } from "./settings";

export type Level = "debug" | "info" | "warn" | "error";

/** A sink for whole lines (no trailing newline). */
export type LineWriter = (line: string) => void;

export const stdoutWriter: LineWriter = (line) => {
    process.stdout.write(`${line}\n`);
};

/** Writes JSON log lines with a fixed context (stack, trigger, request) merged into each. */
export class Logger {
    constructor(
        private readonly write: LineWriter,
        private readonly context: Record<string, unknown> = {},
        private readonly clock: () => number = Date.now,
    ) {}

    /** A logger whose lines also carry `fields`. */
    with(fields: Record<string, unknown>): Logger {
        return new Logger(this.write, { ...this.context, ...fields }, this.clock);
    }

    log(level: Level, event: string, fields: Record<string, unknown> = {}): void {
        this.write(JSON.stringify({ time: new Date(this.clock()).toISOString(), level, event, ...this.context, ...fields }));
    }

    info(event: string, fields?: Record<string, unknown>): void {
        this.log("info", event, fields);
    }

    warn(event: string, fields?: Record<string, unknown>): void {
        this.log("warn", event, fields);
    }

    error(event: string, fields?: Record<string, unknown>): void {
        this.log("error", event, fields);
    }

    /**
     * Emits one embedded-metric-format (EMF) record: CloudWatch turns each entry of `metrics` into a data point of
     * `namespace` with these dimensions, and keeps the rest of the line as a log event. Nothing is written without a
     * metric: a metric costs per hour it receives data, so the callers write only values that carry information.
     */
    emf(namespace: string, dimensions: Record<string, string>, metrics: Record<string, { value: number; unit: string }>, fields: Record<string, unknown> = {}): void {
        const names = Object.keys(metrics);
        if (names.length === 0) return;
        this.write(
            JSON.stringify({
                _aws: {
                    Timestamp: this.clock(),
                    CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: names.map((Name) => ({ Name, Unit: metrics[Name].unit })) }],
                },
                ...this.context,
                ...fields,
                ...dimensions,
                ...Object.fromEntries(names.map((n) => [n, metrics[n].value])),
            }),
        );
    }

    /**
     * A target group's sync metrics, each only when it carries information: `TargetChanges` (targets registered plus
     * deregistered) when the run changed the group, `SyncFailures` (1) when the group could not be made to match DNS,
     * `UnservedTargets` when registered targets are reported as not in use (e.g. in a zone the load balancer has no
     * node in); dimension `TargetGroup`, the ARN suffix as in AWS/NetworkELB. A run with nothing to report writes no
     * record, so the alarms on them treat missing data as nothing wrong.
     */
    metrics(targetGroupArn: string, values: { TargetChanges: number; SyncFailures: number; UnservedTargets: number }): void {
        const metrics: Record<string, { value: number; unit: string }> = {};
        for (const name of ["TargetChanges", "SyncFailures", "UnservedTargets"] as const) {
            if (values[name] > 0) metrics[name] = { value: values[name], unit: "Count" };
        }
        this.emf(METRIC_NAMESPACE, { TargetGroup: targetGroupSuffix(targetGroupArn) }, metrics);
    }
}
