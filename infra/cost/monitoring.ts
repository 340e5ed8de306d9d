/**
 * What a stack's monitoring costs a month: its alarms, the custom metrics they watch, and the upkeep function that
 * writes them (its runs and its logs). A pure function of the stack's counts, so the plan and `npm run bench` can
 * print it; the reasoning is in docs/target-sync.md ("What the function costs").
 *
 * The unit prices are the stack's price table, {@link PRICES} (./prices.ts).
 */
import { DEFAULT_SCHEDULE_WITHOUT_TARGETS, scheduleMinutes } from "../lambda/targetSync/settings";
import type { StackSpec } from "../model/spec";
import { PRICES } from "./prices";
import { hasExpiringRules } from "../model/allowlist";

/**
 * Assumptions about the function's runs, estimated rather than measured (no AWS account runs it here): how long a
 * run is billed, and how many bytes its log lines take (the runtime's START, END and REPORT lines included; the
 * others are the lengths of the function's own JSON lines with typical values). Their share of the total is small:
 * at a run a minute, the function's runs and logs are about $0.06 a month.
 */
export const UPKEEP_RUN_ASSUMPTIONS = {
    /** Memory the function is given (infra/components/targetSync.ts FUNCTION_SETTINGS). */
    memoryGb: 0.25,
    /** Billed duration of a scheduled run: a cold start's share, DNS and one ELB call per group, 4 at a time. */
    billedSecondsPerRun: 0.2,
    /** The runtime's START, END and REPORT lines. */
    runtimeLogBytes: 350,
    /** Target sync's `sync-finished` line. */
    syncLogBytes: 250,
    /** A certificate's days-to-expiry EMF record. */
    certificateLogBytes: 450,
    /** The revocation duty's `revocation-finished` line. */
    revocationLogBytes: 300,
} as const;

/** What decides the cost: the stack's counts. */
export interface MonitoringCounts {
    /** Endpoints (each has a no-healthy-target alarm with alarms on). */
    endpoints: number;
    /** RDS endpoints whose targets the function keeps in sync (two more alarms each). */
    rdsEndpointsWithTargetSync: number;
    /** Certificates watched: CA generations plus self-managed databases (with alarms on; none with them off). */
    certificates: number;
    /** Whether the stack has alarms. */
    alarms: boolean;
    /** Whether the function revokes expired allowlist rules. */
    expiringRules: boolean;
    /** Minutes between two scheduled runs of the function. */
    scheduleMinutes: number;
}

/** One line of the estimate. */
export interface CostLine {
    item: string;
    quantity: number;
    unit: string;
    monthly: number;
}

/** The monthly estimate, in US dollars. */
export interface MonitoringCost {
    alarms: number;
    metrics: number;
    functionRuns: number;
    logs: number;
    total: number;
    lines: CostLine[];
}

/** The counts of a validated stack. */
export function monitoringCounts(spec: StackSpec): MonitoringCounts {
    const rds = spec.targetSync.enabled ? spec.endpoints.filter((e) => e.database.kind === "rds").length : 0;
    return {
        endpoints: spec.endpoints.length,
        rdsEndpointsWithTargetSync: rds,
        certificates: spec.alarms.enabled ? spec.certificateAuthority.generations.length + spec.selfManagedDatabases.length : 0,
        alarms: spec.alarms.enabled,
        expiringRules: spec.endpoints.some(hasExpiringRules),
        scheduleMinutes: scheduleMinutes(rds > 0 ? spec.targetSync.schedule : DEFAULT_SCHEDULE_WITHOUT_TARGETS),
    };
}

/**
 * The monthly cost of a stack's monitoring. Metrics written only when something is wrong (`SyncFailures`,
 * `UnservedTargets`, `TargetChanges`, `RevocationFailures`) cost nothing in a month without incident; each hour one of
 * them receives data costs `customMetricMonth / hoursPerMonth`. `DaysToExpiry` is written on every run: a metric per
 * certificate, all month.
 */
export function monitoringMonthlyCost(c: MonitoringCounts): MonitoringCost {
    const p = PRICES;
    const a = UPKEEP_RUN_ASSUMPTIONS;
    const lines: CostLine[] = [];
    const add = (item: string, quantity: number, unit: string, price: number) => {
        if (quantity > 0) lines.push({ item, quantity, unit, monthly: round(quantity * price) });
    };

    const alarmCount = c.alarms ? c.endpoints + 2 * c.rdsEndpointsWithTargetSync + c.certificates + (c.expiringRules ? 1 : 0) : 0;
    add("CloudWatch alarms", alarmCount, "alarm-month", p.alarmMetricMonth);
    add("DaysToExpiry metrics (one per certificate, written every run)", c.certificates, "metric-month", p.customMetricMonth);

    const hasFunction = c.rdsEndpointsWithTargetSync > 0 || c.certificates > 0 || c.expiringRules;
    const runs = hasFunction ? Math.round((p.hoursPerMonth * 60) / c.scheduleMinutes) : 0;
    add("Upkeep function requests", runs, "requests", p.lambdaRequest);
    add("Upkeep function duration", runs * a.memoryGb * a.billedSecondsPerRun, "GB-second (arm64)", p.lambdaGbSecond.arm64);
    const bytesPerRun =
        a.runtimeLogBytes +
        (c.rdsEndpointsWithTargetSync > 0 ? a.syncLogBytes : 0) +
        c.certificates * a.certificateLogBytes +
        (c.expiringRules ? a.revocationLogBytes : 0);
    const gb = hasFunction ? (runs * bytesPerRun) / 1024 ** 3 : 0;
    add("Upkeep function logs ingested", gb, "GB", p.logIngestionGb);
    add("Upkeep function logs stored (30 days)", gb, "GB-month", p.logStorageGbMonth);

    const sum = (prefix: string) => round(lines.filter((l) => l.item.startsWith(prefix)).reduce((t, l) => t + l.monthly, 0));
    const alarms = sum("CloudWatch alarms");
    const metrics = sum("DaysToExpiry");
    const functionRuns = sum("Upkeep function requests") + sum("Upkeep function duration");
    const logs = sum("Upkeep function logs");
    return { alarms, metrics, functionRuns: round(functionRuns), logs, total: round(alarms + metrics + functionRuns + logs), lines };
}

/**
 * What target sync's metrics cost before they were written only when informative: `TargetChanges`, `SyncFailures`
 * and `UnservedTargets` per RDS endpoint on every run, zeros included, so three metrics all month.
 */
export function alwaysWrittenSyncMetricsCost(rdsEndpointsWithTargetSync: number): number {
    return round(rdsEndpointsWithTargetSync * 3 * PRICES.customMetricMonth);
}

/** To the hundredth of a cent. */
function round(dollars: number): number {
    return Math.round(dollars * 10_000) / 10_000;
}
