/**
 * How long an RDS endpoint takes to serve again after a Multi-AZ failover, modelled end to end from AWS's documented
 * latencies and the product's own settings: RDS fails over and moves its DNS name to the new primary; the upkeep
 * function learns of it (an RDS event through EventBridge, or its schedule) and sees the new address in DNS;
 * it registers the address in the endpoint's target group; the NLB registers the target and starts health checks;
 * the target passes `healthyThreshold` of them, `interval` apart, and the NLB routes new connections to it.
 *
 * Each term has a best, typical and worst figure and its source. The worst total adds every term's worst: an upper
 * bound of the model (the function's worst case, its schedule, and the DNS cache's cannot both happen in full).
 * Used by `npm run bench` (scripts/bench-failover.ts); pure.
 */
import { HealthCheckTiming, secondsToHealthy } from "../infra/model/healthChecks";
import { DEFAULT_SCHEDULE, EVENT_POLL_SECONDS, POLL_INTERVAL_MS } from "../infra/lambda/targetSync/settings";
import { DEFAULT_RETRY } from "../infra/lambda/targetSync/retry";
import { NLB_TARGET_REGISTRATION } from "./deployDurations";

/** One term of the recovery. */
export interface FailoverTerm {
    what: string;
    best: number;
    typical: number;
    worst: number;
    source: string;
    /** Whether the term is RDS's own failover, before the endpoint's part starts. */
    rds?: boolean;
}

/** Seconds between two runs of a `rate(N minute[s])` schedule. */
export function scheduleSeconds(expression: string): number {
    const m = /^rate\((\d+) minutes?\)$/.exec(expression);
    if (!m) throw new Error(`${expression} is not a rate in minutes`);
    return Number(m[1]) * 60;
}

/** AWS's Multi-AZ failover time (RDS User Guide, "Failing over a Multi-AZ DB instance"). */
export const RDS_FAILOVER = { best: 60, typical: 90, worst: 120 } as const;

/**
 * The TTL of the instance's DNS record, which a resolver may cache the old address for. RDS does not state it for
 * DB instances; Aurora's DNS zones use 5 s (AWS Knowledge Center, "aurora-mysql-redirected-endpoint-writer"),
 * taken here for RDS too.
 */
export const RDS_DNS_TTL_SECONDS = 5;

/** Cold start of the upkeep function: about a second (docs/target-sync.md, the bundled 0.9 MB function). */
const COLD_START_SECONDS = 1;

/** EventBridge's delivery of an event to its target: no figure published; assumed a second. */
const EVENTBRIDGE_SECONDS = 1;

/** The terms of one failover for an endpoint whose target group has health-check timing `timing`. */
export function failoverTerms(timing: HealthCheckTiming): FailoverTerm[] {
    const schedule = scheduleSeconds(DEFAULT_SCHEDULE);
    const poll = POLL_INTERVAL_MS / 1000;
    const healthy = secondsToHealthy(timing);
    return [
        {
            what: "RDS fails over and its DNS name answers with the new primary",
            ...RDS_FAILOVER,
            rds: true,
            source:
                "RDS User Guide, 'Failing over a Multi-AZ DB instance': failover times are typically 60–120 seconds (typical: the midpoint; " +
                "large transactions or a lengthy recovery take longer); the failover changes the instance's DNS record to the standby",
        },
        {
            what: "the upkeep function runs for it",
            best: 0,
            typical: EVENTBRIDGE_SECONDS + COLD_START_SECONDS,
            worst: schedule + COLD_START_SECONDS,
            source:
                `best: RDS-EVENT-0013 (failover started) already started the function, which watches DNS for ${EVENT_POLL_SECONDS.default} s; ` +
                `typical: the change comes later, and the completion event (RDS-EVENT-0049/0015) starts it: EventBridge delivery (no figure ` +
                `published; assumed ${EVENTBRIDGE_SECONDS} s) and a cold start (about ${COLD_START_SECONDS} s); worst: RDS events are delivered ` +
                `best effort (EventBridge event reference, Amazon RDS), and a lost one leaves it to the schedule, ${DEFAULT_SCHEDULE}`,
        },
        {
            what: "its DNS lookup returns the new address",
            best: 0,
            typical: (RDS_DNS_TTL_SECONDS + poll) / 2,
            worst: RDS_DNS_TTL_SECONDS + poll,
            source:
                `a resolver may serve the old address until the record's TTL (${RDS_DNS_TTL_SECONDS} s: Aurora's, RDS states none for instances) ` +
                `runs out; the function looks again every ${poll} s (infra/lambda/targetSync/settings.ts)`,
        },
        {
            what: "it registers the address (DescribeTargetHealth, RegisterTargets)",
            best: 0.2,
            typical: 0.5,
            worst: 0.5 + DEFAULT_RETRY.maxDelayMs / 1000,
            source:
                `assumed: two ELB API calls, well under a second; worst: one throttled call retried after at most ` +
                `${DEFAULT_RETRY.maxDelayMs / 1000} s (infra/lambda/targetSync/retry.ts)`,
        },
        {
            what: "the NLB registers the target and starts its health checks",
            best: NLB_TARGET_REGISTRATION.best,
            typical: NLB_TARGET_REGISTRATION.typical,
            worst: NLB_TARGET_REGISTRATION.worst,
            source: NLB_TARGET_REGISTRATION.source,
        },
        {
            what: `the target passes its health checks (${timing.healthyThreshold} × ${timing.intervalSeconds} s)`,
            best: healthy,
            typical: healthy,
            worst: healthy,
            source: "healthyThreshold × interval of the target group (infra/model/healthChecks.ts)",
        },
    ];
}

/** Best, typical and worst totals of `terms`. */
export interface FailoverTotals {
    best: number;
    typical: number;
    worst: number;
}

/** The recovery: from the failure (RDS's failover included) and from RDS's DNS change (the endpoint's part). */
export function failoverTotals(terms: FailoverTerm[]): { fromFailure: FailoverTotals; afterDnsChange: FailoverTotals } {
    const sum = (list: FailoverTerm[]): FailoverTotals => ({
        best: list.reduce((s, t) => s + t.best, 0),
        typical: list.reduce((s, t) => s + t.typical, 0),
        worst: list.reduce((s, t) => s + t.worst, 0),
    });
    return { fromFailure: sum(terms), afterDnsChange: sum(terms.filter((t) => !t.rds)) };
}
