/**
 * The failover model in `npm run bench` (`benchFailover()`; also runnable alone: `node --import tsx
 * scripts/bench-failover.ts`): how long an RDS endpoint takes to serve the new primary after a Multi-AZ failover,
 * term by term with each term's source (testing/failoverModel.ts), per engine's health-check timing
 * (infra/model/healthChecks.ts) beside the timing every endpoint had before. Figures only.
 */
import { HealthCheckTiming, MYSQL_HEALTH_CHECKS, POSTGRES_HEALTH_CHECKS, PREVIOUS_HEALTH_CHECKS, secondsToHealthy } from "../infra/model/healthChecks";
import { failoverTerms, failoverTotals, FailoverTotals } from "../testing/failoverModel";

/** The health-check timings the benchmark compares. */
export const FAILOVER_TIMINGS: [string, HealthCheckTiming][] = [
    ["PostgreSQL", POSTGRES_HEALTH_CHECKS],
    ["MySQL, MariaDB", MYSQL_HEALTH_CHECKS],
    ["before: every engine", PREVIOUS_HEALTH_CHECKS],
];

const seconds = (s: number) => `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
const triple = (t: FailoverTotals) => `${seconds(t.best)} / ${seconds(t.typical)} / ${seconds(t.worst)}`;

export function benchFailover(timings = FAILOVER_TIMINGS): string {
    const terms = failoverTerms(timings[0][1]);
    const rows = [
        "| term | best | typical | worst | source |",
        "|---|---:|---:|---:|---|",
        ...terms.map((t) => `| ${t.what} | ${seconds(t.best)} | ${seconds(t.typical)} | ${seconds(t.worst)} | ${t.source} |`),
    ];
    const totals = [
        "| health checks | interval, timeout, thresholds (healthy/unhealthy) | checks to pass | served again after RDS's DNS change (best / typical / worst) | from the failure, RDS's failover included |",
        "|---|---|---:|---:|---:|",
    ];
    for (const [label, timing] of timings) {
        const { fromFailure, afterDnsChange } = failoverTotals(failoverTerms(timing));
        totals.push(
            `| ${label} | ${timing.intervalSeconds} s, ${timing.timeoutSeconds} s, ${timing.healthyThreshold}/${timing.unhealthyThreshold} | ` +
                `${seconds(secondsToHealthy(timing))} | ${triple(afterDnsChange)} | ${triple(fromFailure)} |`,
        );
    }
    return [
        `Modelled from AWS's documented latencies and the product's settings (testing/failoverModel.ts); the terms, with ${timings[0][0]}'s health checks:`,
        "",
        ...rows,
        "",
        ...totals,
        "",
        "What bounds it: RDS's own failover (60–120 s), then the NLB's registration of the new target, which AWS says can take a few minutes " +
            "and does not bound; the function's part is seconds (minutes only if RDS's events are lost and the schedule catches it), and the " +
            "health checks are at AWS's minimum (2 checks; 5 s apart for PostgreSQL, 10 s for MySQL and MariaDB, whose host blocking counts " +
            "each check as a connection error).",
    ].join("\n");
}

if (require.main === module) {
    process.stdout.write(benchFailover() + "\n");
}
