/** The report of `verify` (infra/verify/report.ts): one line per check, the summary, `--json`, the exit code. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CheckResult, exitCode, formatResult, formatSummary, toJson } from "../../infra/verify/report";

const results: CheckResult[] = [
    { endpoint: "reporting", check: "dns", status: "pass", message: "reporting.db.example.com resolves to 198.51.100.10" },
    { endpoint: "reporting", check: "expiry", status: "fail", message: "expires on 2027-01-02, in 3 days, inside the 30-day warning window: run pulumi up", details: { daysToExpiry: 3 } },
    { endpoint: "reporting", check: "targets", status: "warn", message: "1 of 2 targets healthy" },
    { endpoint: "reporting", check: "login", status: "skip", message: "metabase: not tried", integration: "metabase" },
];

describe("the verify report", () => {
    it("prints one aligned line per check, with its status first", () => {
        assert.deepEqual(results.map(formatResult), [
            "ok   reporting  dns     reporting.db.example.com resolves to 198.51.100.10",
            "FAIL reporting  expiry  expires on 2027-01-02, in 3 days, inside the 30-day warning window: run pulumi up",
            "warn reporting  targets 1 of 2 targets healthy",
            "skip reporting  login   metabase: not tried",
        ]);
    });

    it("sums up, and exits 1 only when a check failed", () => {
        assert.equal(formatSummary(results), "verify: 4 checks: 1 passed, 1 failed, 1 warning, 1 skipped");
        assert.equal(exitCode(results), 1);
        assert.equal(exitCode(results.filter((r) => r.status !== "fail")), 0);
    });

    it("gives machines every result with its details", () => {
        assert.deepEqual(toJson(results), { ok: false, summary: { pass: 1, fail: 1, warn: 1, skip: 1 }, results });
        assert.equal(toJson([results[0]]).ok, true);
    });
});
