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
     * Emits one EMF record: CloudWatch turns it into the metrics `TargetChanges` (targets registered plus
     * deregistered), `SyncFailures` (1 when the group could not be made to match DNS) and `UnservedTargets`
     * (registered targets the load balancer reports as not in use, e.g. in a zone it has no node in),
     * each per target group (dimension `TargetGroup`, the ARN suffix as in AWS/NetworkELB).
     */
    metrics(targetGroupArn: string, values: { TargetChanges: number; SyncFailures: number; UnservedTargets: number }): void {
        this.write(
            JSON.stringify({
                _aws: {
                    Timestamp: this.clock(),
                    CloudWatchMetrics: [
                        {
                            Namespace: METRIC_NAMESPACE,
                            Dimensions: [["TargetGroup"]],
                            Metrics: [
                                { Name: "TargetChanges", Unit: "Count" },
                                { Name: "SyncFailures", Unit: "Count" },
                                { Name: "UnservedTargets", Unit: "Count" },
                            ],
                        },
                    ],
                },
                ...this.context,
                TargetGroup: targetGroupSuffix(targetGroupArn),
                ...values,
            }),
        );
    }
}
