/**
 * The health-check timing per engine: inside what AWS accepts for an NLB's TCP health checks, a timeout the ELB
 * API accepts (shorter than the interval), and for MySQL no faster growth of connection errors than before.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DatabaseEngine } from "../../infra/enums";
import {
    healthCheckTiming,
    HealthCheckTiming,
    MYSQL_HEALTH_CHECKS,
    NLB_TCP_HEALTH_CHECK_LIMITS as LIMITS,
    POSTGRES_HEALTH_CHECKS,
    PREVIOUS_HEALTH_CHECKS,
    secondsToHealthy,
    secondsToHostBlock,
    secondsToUnhealthy,
} from "../../infra/model/healthChecks";

const within = (value: number, range: { min: number; max: number }) => value >= range.min && value <= range.max;

describe("health-check timing", () => {
    for (const [name, t] of [
        ["PostgreSQL", POSTGRES_HEALTH_CHECKS],
        ["MySQL", MYSQL_HEALTH_CHECKS],
    ] as [string, HealthCheckTiming][]) {
        it(`${name}: inside AWS's limits, with a timeout shorter than the interval`, () => {
            assert.ok(within(t.intervalSeconds, LIMITS.intervalSeconds));
            assert.ok(within(t.timeoutSeconds, LIMITS.timeoutSeconds));
            assert.ok(within(t.healthyThreshold, LIMITS.threshold));
            assert.ok(within(t.unhealthyThreshold, LIMITS.threshold));
            assert.ok(t.timeoutSeconds < t.intervalSeconds);
        });
    }

    it("PostgreSQL gets AWS's fastest interval and thresholds", () => {
        assert.deepEqual(POSTGRES_HEALTH_CHECKS, {
            intervalSeconds: LIMITS.intervalSeconds.min,
            timeoutSeconds: 4,
            healthyThreshold: LIMITS.threshold.min,
            unhealthyThreshold: LIMITS.threshold.min,
        });
        assert.equal(healthCheckTiming(DatabaseEngine.Postgres), POSTGRES_HEALTH_CHECKS);
    });

    it("MySQL, MariaDB and an unknown engine: the previous interval, so max_connect_errors is reached no sooner", () => {
        assert.equal(healthCheckTiming(DatabaseEngine.Mysql), MYSQL_HEALTH_CHECKS);
        assert.equal(healthCheckTiming(undefined), MYSQL_HEALTH_CHECKS);
        assert.equal(MYSQL_HEALTH_CHECKS.intervalSeconds, PREVIOUS_HEALTH_CHECKS.intervalSeconds);
        assert.equal(secondsToHostBlock(MYSQL_HEALTH_CHECKS, 100), secondsToHostBlock(PREVIOUS_HEALTH_CHECKS, 100));
        assert.equal(secondsToHostBlock(MYSQL_HEALTH_CHECKS, 100), 1000);
    });

    it("a new target serves after its healthy threshold of checks; a failed one leaves after its unhealthy threshold", () => {
        assert.equal(secondsToHealthy(PREVIOUS_HEALTH_CHECKS), 30);
        assert.equal(secondsToHealthy(POSTGRES_HEALTH_CHECKS), 10);
        assert.equal(secondsToHealthy(MYSQL_HEALTH_CHECKS), 20);
        // At worst: the failure just after a passing check, then the threshold's checks each timing out.
        assert.equal(secondsToUnhealthy(POSTGRES_HEALTH_CHECKS), 5 + 4 + 5);
        assert.equal(secondsToUnhealthy(MYSQL_HEALTH_CHECKS), 10 + 4 + 10);
    });
});
