/**
 * The deploy-time model's durations (testing/deployDurations.ts): every figure a range with a source, components
 * free, hooks found by their names, unknown types and hooks refused rather than taken as free, and the wait for a
 * new target's health as registration plus the engine's health checks.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MYSQL_HEALTH_CHECKS, POSTGRES_HEALTH_CHECKS } from "../../infra/model/healthChecks";
import { CREATE_SECONDS, createSeconds, HOOK_SECONDS, hookSeconds, NLB_TARGET_REGISTRATION, targetHealthWait } from "../../testing/deployDurations";

describe("the deploy-time model's durations", () => {
    it("are ranges, low to high, each with its source", () => {
        for (const [key, d] of [...Object.entries(CREATE_SECONDS), ...Object.entries(HOOK_SECONDS)]) {
            assert.ok(d.low >= 0 && d.low <= d.high, key);
            assert.ok(d.source.length > 20, key);
        }
        assert.ok(NLB_TARGET_REGISTRATION.best <= NLB_TARGET_REGISTRATION.typical && NLB_TARGET_REGISTRATION.typical <= NLB_TARGET_REGISTRATION.worst);
    });

    it("take a load balancer's provisioning as the longest create, and a component's registration as none", () => {
        const longest = Object.entries(CREATE_SECONDS).sort(([, a], [, b]) => b.high - a.high)[0][0];
        assert.equal(longest, "aws:lb/loadBalancer:LoadBalancer");
        assert.deepEqual(
            [createSeconds("db-endpoints:index:DatabaseEndpoint", false).low, createSeconds("db-endpoints:index:DatabaseEndpoint", false).high],
            [0, 0],
        );
    });

    it("find each hook by how its name ends: the RDS restart, the SSM restart, the notice without instances", () => {
        assert.equal(hookSeconds("reporting-rds-reboot"), HOOK_SECONDS["-rds-reboot"]);
        assert.equal(hookSeconds("db-10.0.3.17-3306-restart"), HOOK_SECONDS["-restart"]);
        assert.equal(hookSeconds("db-10.0.3.17-3306-restart-needed"), HOOK_SECONDS["-restart-needed"]);
    });

    it("refuse a resource type or a hook they have no figure for", () => {
        assert.throws(() => createSeconds("aws:rds/instance:Instance", true), /no create duration for aws:rds\/instance:Instance/);
        assert.throws(() => hookSeconds("something-else"), /no duration for hook something-else/);
    });

    it("wait for a new target's health: registration, then healthyThreshold checks interval apart", () => {
        const pg = targetHealthWait(POSTGRES_HEALTH_CHECKS);
        assert.deepEqual([pg.low, pg.high], [NLB_TARGET_REGISTRATION.best + 2 * 5, NLB_TARGET_REGISTRATION.worst + 2 * 5]);
        const mysql = targetHealthWait(MYSQL_HEALTH_CHECKS);
        assert.deepEqual([mysql.low, mysql.high], [NLB_TARGET_REGISTRATION.best + 2 * 10, NLB_TARGET_REGISTRATION.worst + 2 * 10]);
    });
});
