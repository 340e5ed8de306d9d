/**
 * The monthly cost of a stack's monitoring through the one estimate, for stacks the program builds under the mock
 * runtime: the alarms per endpoint and certificate, one metric all month per watched certificate and nothing for the
 * metrics written only on trouble, the upkeep function's runs and logs, each computed here from the unit prices and
 * assumptions; whose each is; what target sync's always-written metrics would cost beside it; alarms off; a stack
 * with no duty for the function.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { CostEstimate, CostLine } from "../../infra/cost/estimate";
import { ASSUMPTIONS as A, PRICES as P } from "../../infra/cost/prices";
import { parseStackConfig } from "../../infra/program/config";
import { exampleWorld, installMockCloud, MockCloud, settle } from "../../testing/mockCloud";
import { runStackProgram } from "../../testing/stackProgram";
import { estimateStack, monitoringCost } from "../../testing/stackCost";

let cloud: MockCloud;

before(async () => {
    cloud = installMockCloud();
});

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} is not ${expected}`);
const MONTH = P.hoursPerMonth;
const EVERY_MINUTE = MONTH * 60;
const rds = (name: string) => ({ name, database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] });
const selfManaged = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    database: { addresses: ["10.0.3.17"], port: 3306 },
    allowedCidrs: ["198.51.100.7/32"],
    ...extra,
});

function config(endpoints: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { vpcId: "vpc-0a1b2c3d4e5f60718", publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"], endpoints, alarms: { emails: ["oncall@example.com"] }, ...extra };
}

/** The estimate of what the program registers for `raw`. */
async function estimate(raw: Record<string, unknown>): Promise<CostEstimate> {
    cloud.reset(exampleWorld());
    runStackProgram(cloud, raw);
    await settle();
    assert.deepEqual(cloud.asyncErrors, []);
    return estimateStack(cloud.registered, parseStackConfig(raw).spec);
}

const sum = (lines: CostLine[]) => lines.reduce((s, l) => s + l.monthly, 0);
/** The lines of `category`, by resource name (registration order varies). */
const of = (e: CostEstimate, category: CostLine["category"]) => e.lines.filter((l) => l.category === category).sort((a, b) => a.name.localeCompare(b.name));
/** The function's cost a month at `runs` runs, from its settings (256 MB, arm64) and the assumed duration. */
const functionCost = (runs: number) => runs * P.lambdaRequest + runs * A.functionRunSeconds * 0.25 * P.lambdaGbSecond.arm64;
/** Its log group's, kept 30 days, with `records` metric records a run. */
const logCost = (runs: number, records: number) => {
    const gb = (runs * (A.functionLogBytesPerRun + records * A.metricRecordBytes)) / 1e9;
    return gb * P.logIngestionGb + gb * (30 / (MONTH / 24)) * P.logStorageGbMonth;
};

describe("the monthly cost of monitoring, through the one estimate", () => {
    it("one RDS endpoint with target sync and the CA: four alarms, one metric all month, the function's runs every minute and its logs", async () => {
        const e = await estimate(config([rds("reporting")]));
        // No healthy target, sync failing, target not served: the endpoint's; the CA's expiry: the stack's.
        assert.deepEqual(
            of(e, "alarm").map((l) => [l.name, l.endpoints]),
            [
                ["alarms-ca-1-certificate-expiry", []],
                ["alarms-reporting-no-healthy-target", ["reporting"]],
                ["alarms-reporting-sync-failures", ["reporting"]],
                ["alarms-reporting-unserved-targets", ["reporting"]],
            ],
        );
        close(sum(of(e, "alarm")), 4 * P.alarmMetricMonth, "alarms");
        // DaysToExpiry for the CA all month; the sync metrics are written only on trouble: nothing in a month without.
        assert.deepEqual(
            of(e, "custom metric").map((l) => [l.name, l.item, l.quantity]),
            [
                ["alarms-ca-1-certificate-expiry", "DaysToExpiry metric, written every period", 1],
                ["alarms-reporting-sync-failures", "SyncFailures metric, written only on trouble (0 hours a month)", 0],
                ["alarms-reporting-unserved-targets", "UnservedTargets metric, written only on trouble (0 hours a month)", 0],
            ],
        );
        close(sum(of(e, "custom metric")), P.customMetricMonth, "metrics");
        close(sum(of(e, "function")), functionCost(EVERY_MINUTE), "function");
        // Its log: the base lines and the CA's DaysToExpiry record, every run.
        close(sum(of(e, "function logs")), logCost(EVERY_MINUTE, 1), "logs");
        const n = A.notificationsPerTopicMonth;
        close(sum(of(e, "notifications")), n * P.snsRequest + n * P.snsEmailNotification, "notifications");
        const monitoring = monitoringCost(e);
        close(monitoring.total, 4 * P.alarmMetricMonth + P.customMetricMonth + functionCost(EVERY_MINUTE) + logCost(EVERY_MINUTE, 1) + n * (P.snsRequest + P.snsEmailNotification), "total");
    });

    it("costs less per RDS endpoint than target sync's three metrics did when written on every run", async () => {
        for (const count of [1, 10]) {
            const e = await estimate(config(Array.from({ length: count }, (_, i) => rds(`rds-${i}`))));
            for (let i = 0; i < count; i++) {
                const own = e.lines.filter((l) => l.endpoints.includes(`rds-${i}`) && (l.category === "alarm" || l.category === "custom metric"));
                // Three alarms, where there were three metrics written all month ($0.90).
                close(sum(own), 3 * P.alarmMetricMonth, `rds-${i} of ${count}`);
                assert.ok(sum(own) < 3 * P.customMetricMonth);
            }
            // The stack's share does not grow with the endpoints: the CA's alarm and metric, one function.
            const stackWide = e.lines.filter((l) => l.endpoints.length === 0 && (l.category === "alarm" || l.category === "custom metric"));
            close(sum(stackWide), P.alarmMetricMonth + P.customMetricMonth, `the stack's, ${count} endpoints`);
        }
    });

    it("without alarms only the function remains (target sync), with no metric record; without a duty, nothing", async () => {
        const syncOnly = await estimate(config([rds("reporting")], { alarms: { enabled: false } }));
        assert.deepEqual([of(syncOnly, "alarm"), of(syncOnly, "custom metric"), of(syncOnly, "notifications")], [[], [], []]);
        close(sum(of(syncOnly, "function")), functionCost(EVERY_MINUTE), "function");
        close(sum(of(syncOnly, "function logs")), logCost(EVERY_MINUTE, 0), "logs");
        const nothing = await estimate(config([selfManaged("legacy")], { alarms: { enabled: false } }));
        assert.equal(monitoringCost(nothing).total, 0);
        assert.deepEqual(nothing.notEstimated, []);
    });

    it("runs every 5 minutes when no target is synced: a fifth of the runs, with the certificates' and the expired rules' alarms", async () => {
        const e = await estimate(config([selfManaged("legacy", { allowedCidrs: ["198.51.100.7/32", { cidr: "198.51.100.64/27", expires: "2030-01-01" }] })]));
        const runs = EVERY_MINUTE / 5;
        assert.equal(of(e, "function").find((l) => l.unit === "requests")!.quantity, runs);
        // One endpoint, its database's certificate and the CA, the expired rules the function could not revoke.
        close(sum(of(e, "alarm")), 4 * P.alarmMetricMonth, "alarms");
        close(sum(of(e, "custom metric")), 2 * P.customMetricMonth, "metrics");
        close(sum(of(e, "function logs")), logCost(runs, 2), "logs");
        // The database's certificate is its endpoint's; the expired rules' alarm the stack's.
        assert.deepEqual(
            of(e, "alarm").map((l) => [l.name, l.endpoints]),
            [
                ["alarms-ca-1-certificate-expiry", []],
                ["alarms-db-10.0.3.17-3306-certificate-expiry", ["legacy"]],
                ["alarms-expired-rules", []],
                ["alarms-legacy-no-healthy-target", ["legacy"]],
            ],
        );
    });

    it("follows the stack: CA generations and self-managed databases (a metric and an alarm each), synced RDS endpoints, the schedule", async () => {
        const raw = config([rds("reporting"), selfManaged("legacy"), selfManaged("legacy-ro", { port: 3307 })], {
            certificateAuthority: { generations: [1, 2], issuer: 2 },
            targetSyncSchedule: "rate(2 minutes)",
        });
        const e = await estimate(raw);
        // Three endpoints' health, reporting's sync, two CA generations and one database certificate.
        close(sum(of(e, "alarm")), (3 + 2 + 3) * P.alarmMetricMonth, "alarms");
        assert.deepEqual(
            of(e, "custom metric")
                .filter((l) => l.quantity > 0)
                .map((l) => [l.name, l.endpoints]),
            [
                ["alarms-ca-1-certificate-expiry", []],
                ["alarms-ca-2-certificate-expiry", []],
                // One database behind both endpoints: one certificate, shared.
                ["alarms-db-10.0.3.17-3306-certificate-expiry", ["legacy", "legacy-ro"]],
            ],
        );
        assert.equal(of(e, "function").find((l) => l.unit === "requests")!.quantity, EVERY_MINUTE / 2);
        close(sum(of(e, "function logs")), logCost(EVERY_MINUTE / 2, 3), "logs");
        // Without target sync and alarms the function has no duty: no monitoring at all.
        const none = await estimate({ ...raw, targetSync: false, targetSyncSchedule: undefined, alarms: { enabled: false } });
        assert.equal(monitoringCost(none).total, 0);
    });
});
