/**
 * The monthly cost of a stack's monitoring, computed here from the unit prices and the counts, line by line: the
 * alarms per endpoint and certificate, one always-written metric per certificate and none for the metrics written
 * only on trouble, and the function's runs and logs; and the counts read off a validated stack.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    alwaysWrittenSyncMetricsCost,
    monitoringCounts,
    monitoringMonthlyCost,
    UPKEEP_RUN_ASSUMPTIONS as A,
} from "../../infra/cost/monitoring";
import { PRICES as P } from "../../infra/cost/prices";
import { parseStackConfig } from "../../infra/program/config";

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 0.0001, `${what}: ${actual} is not ${expected}`);

describe("the monthly cost of monitoring", () => {
    it("one RDS endpoint with target sync and the CA: four alarms, one metric, and the function's runs every minute", () => {
        const cost = monitoringMonthlyCost({ endpoints: 1, rdsEndpointsWithTargetSync: 1, certificates: 1, alarms: true, expiringRules: false, scheduleMinutes: 1 });
        // No healthy target, sync failing, target not served; the CA's expiry.
        close(cost.alarms, 4 * P.alarmMetricMonth, "alarms");
        // DaysToExpiry for the CA; the sync metrics cost nothing in a month without trouble.
        close(cost.metrics, 1 * P.customMetricMonth, "metrics");
        const runs = P.hoursPerMonth * 60;
        close(cost.functionRuns, runs * P.lambdaRequest + runs * A.memoryGb * A.billedSecondsPerRun * P.lambdaGbSecond.arm64, "function");
        const gb = (runs * (A.runtimeLogBytes + A.syncLogBytes + A.certificateLogBytes)) / 1024 ** 3;
        close(cost.logs, gb * P.logIngestionGb + gb * P.logStorageGbMonth, "logs");
        close(cost.total, cost.alarms + cost.metrics + cost.functionRuns + cost.logs, "total");
        assert.deepEqual(
            cost.lines.map((l) => l.item),
            [
                "CloudWatch alarms",
                "DaysToExpiry metrics (one per certificate, written every run)",
                "Upkeep function requests",
                "Upkeep function duration",
                "Upkeep function logs ingested",
                "Upkeep function logs stored (30 days)",
            ],
        );
    });

    it("costs less per RDS endpoint than the three always-written sync metrics did", () => {
        for (const n of [1, 10, 50]) {
            const counts = { endpoints: n, rdsEndpointsWithTargetSync: n, certificates: 1, alarms: true, expiringRules: false, scheduleMinutes: 1 };
            const now = monitoringMonthlyCost(counts);
            const withoutEndpoints = monitoringMonthlyCost({ ...counts, endpoints: 0, rdsEndpointsWithTargetSync: 0 });
            // Per RDS endpoint: three alarms, where there were three metrics written every run.
            close((now.alarms + now.metrics - withoutEndpoints.alarms - withoutEndpoints.metrics) / n, 3 * P.alarmMetricMonth, `per endpoint at ${n}`);
            close(alwaysWrittenSyncMetricsCost(n), n * 3 * P.customMetricMonth, `before at ${n}`);
            assert.ok(now.total < alwaysWrittenSyncMetricsCost(n) + now.functionRuns + now.logs, `${n} endpoints`);
        }
    });

    it("without alarms, only the function remains (target sync); without a duty, nothing", () => {
        const syncOnly = monitoringMonthlyCost({ endpoints: 1, rdsEndpointsWithTargetSync: 1, certificates: 0, alarms: false, expiringRules: false, scheduleMinutes: 1 });
        assert.deepEqual([syncOnly.alarms, syncOnly.metrics], [0, 0]);
        assert.ok(syncOnly.functionRuns > 0 && syncOnly.logs > 0);
        const nothing = monitoringMonthlyCost({ endpoints: 3, rdsEndpointsWithTargetSync: 0, certificates: 0, alarms: false, expiringRules: false, scheduleMinutes: 5 });
        assert.deepEqual(nothing, { alarms: 0, metrics: 0, functionRuns: 0, logs: 0, total: 0, lines: [] });
    });

    it("runs every 5 minutes when no target is synced, a fifth of the runs", () => {
        const c = { endpoints: 1, rdsEndpointsWithTargetSync: 0, certificates: 2, alarms: true, expiringRules: true, scheduleMinutes: 5 };
        const cost = monitoringMonthlyCost(c);
        const runs = (P.hoursPerMonth * 60) / 5;
        assert.equal(cost.lines.find((l) => l.item === "Upkeep function requests")!.quantity, runs);
        // One endpoint, two certificates, the expired-rules alarm.
        close(cost.alarms, 4 * P.alarmMetricMonth, "alarms");
        close(cost.metrics, 2 * P.customMetricMonth, "metrics");
    });

    it("counts a validated stack: endpoints, synced RDS endpoints, CA generations and self-managed databases, the schedule", () => {
        const base = {
            vpcId: "vpc-0a1b2c3d4e5f60718",
            publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
            endpoints: [
                { name: "reporting", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] },
                { name: "legacy", database: { addresses: ["10.0.3.17"], port: 3306 }, allowedCidrs: ["198.51.100.7/32"] },
                { name: "legacy-ro", database: { addresses: ["10.0.3.17"], port: 3306 }, allowedCidrs: ["198.51.100.8/32"] },
            ],
            certificateAuthority: { generations: [1, 2] },
            alarms: { emails: ["oncall@example.com"] },
            targetSyncSchedule: "rate(2 minutes)",
        };
        assert.deepEqual(monitoringCounts(parseStackConfig(base).spec), {
            endpoints: 3,
            rdsEndpointsWithTargetSync: 1,
            certificates: 3,
            alarms: true,
            expiringRules: false,
            scheduleMinutes: 2,
        });
        assert.deepEqual(monitoringCounts(parseStackConfig({ ...base, targetSync: false, targetSyncSchedule: undefined, alarms: { enabled: false } }).spec), {
            endpoints: 3,
            rdsEndpointsWithTargetSync: 0,
            certificates: 0,
            alarms: false,
            expiringRules: false,
            scheduleMinutes: 5,
        });
    });

    it("takes its unit prices from the stack's price table", () => {
        assert.deepEqual(
            [P.region, P.checkedOn, P.customMetricMonth, P.alarmMetricMonth, P.logIngestionGb, P.logStorageGbMonth, P.lambdaRequest, P.lambdaGbSecond.arm64],
            ["us-east-1", "2026-12-06", 0.3, 0.1, 0.5, 0.03, 0.2 / 1_000_000, 0.0000133334],
        );
    });
});
