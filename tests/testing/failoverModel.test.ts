/**
 * The failover model's arithmetic (testing/failoverModel.ts): its terms in order with their figures, the totals
 * from the failure and after RDS's DNS change, per engine's health checks and the timing every endpoint had before.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MYSQL_HEALTH_CHECKS, POSTGRES_HEALTH_CHECKS, PREVIOUS_HEALTH_CHECKS } from "../../infra/model/healthChecks";
import { failoverTerms, failoverTotals, RDS_DNS_TTL_SECONDS, RDS_FAILOVER, scheduleSeconds } from "../../testing/failoverModel";

describe("the failover model", () => {
    it("goes from RDS's failover through the function, DNS, registration and the health checks, each with a source", () => {
        const terms = failoverTerms(POSTGRES_HEALTH_CHECKS);
        assert.deepEqual(
            terms.map((t) => [t.best, t.typical, t.worst]),
            [
                [60, 90, 120], // RDS: typically 60-120 s
                [0, 2, 61], // already watching; EventBridge + cold start; the rate(1 minute) schedule + cold start
                [0, 3.5, 7], // DNS: (TTL 5 s + poll 2 s) / 2, and in full
                [0.2, 0.5, 3.5], // two ELB calls; one retried after at most 3 s
                [20, 60, 180], // NLB registration: "a few minutes"
                [10, 10, 10], // 2 checks 5 s apart
            ],
        );
        assert.deepEqual(
            terms.map((t) => t.rds === true),
            [true, false, false, false, false, false],
        );
        for (const t of terms) assert.ok(t.source.length > 30, t.what);
        assert.equal(RDS_DNS_TTL_SECONDS, 5);
        assert.deepEqual(RDS_FAILOVER, { best: 60, typical: 90, worst: 120 });
    });

    it("adds the terms: from the failure, and the endpoint's part after RDS's DNS change", () => {
        const totals = (t: typeof POSTGRES_HEALTH_CHECKS) => failoverTotals(failoverTerms(t));
        const round = (x: { best: number; typical: number; worst: number }) => [x.best, x.typical, x.worst].map((v) => Math.round(v * 10) / 10);
        assert.deepEqual(round(totals(POSTGRES_HEALTH_CHECKS).afterDnsChange), [30.2, 76, 261.5]);
        assert.deepEqual(round(totals(POSTGRES_HEALTH_CHECKS).fromFailure), [90.2, 166, 381.5]);
        // MySQL and MariaDB keep the 10 s interval: 10 s more; the previous 3 checks 10 s apart: 20 s more than PostgreSQL.
        assert.deepEqual(round(totals(MYSQL_HEALTH_CHECKS).afterDnsChange), [40.2, 86, 271.5]);
        assert.deepEqual(round(totals(PREVIOUS_HEALTH_CHECKS).afterDnsChange), [50.2, 96, 281.5]);
    });

    it("reads a schedule's period from its rate expression", () => {
        assert.equal(scheduleSeconds("rate(1 minute)"), 60);
        assert.equal(scheduleSeconds("rate(5 minutes)"), 300);
        assert.throws(() => scheduleSeconds("cron(0 * * * ? *)"), /not a rate in minutes/);
    });
});
