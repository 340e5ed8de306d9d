/**
 * The results of `verify`: one line per check for people, one JSON document for machines, and the exit code
 * (non-zero when any check failed).
 */

/** `pass` and `warn` do not fail the run; `fail` does; `skip` says a check could not run and why. */
export type CheckStatus = "pass" | "fail" | "warn" | "skip";

/**
 * The checks, in the order they run for an endpoint: `dns` (the hostname resolves), `tcp` (the port accepts
 * a connection), `tls` (the database negotiates TLS in its protocol), `chain`, `name` and `expiry` (its
 * certificate), `targets` (DescribeTargetHealth), and per integration `login`, `read` and `create`.
 */
export type CheckName = "outputs" | "dns" | "tcp" | "tls" | "chain" | "name" | "expiry" | "targets" | "login" | "read" | "create";

export interface CheckResult {
    /** The endpoint checked. */
    endpoint: string;
    check: CheckName;
    status: CheckStatus;
    /** One sentence: what was found and, on failure, what to do. */
    message: string;
    /** The address checked (`tcp`, `tls`, certificate checks), when it matters. */
    address?: string;
    /** The integration checked (`login`, `read`, `create`). */
    integration?: string;
    /** Facts for machines: certificate names, days to expiry, target states. */
    details?: Record<string, unknown>;
}

const LABEL: Record<CheckStatus, string> = { pass: "ok  ", fail: "FAIL", warn: "warn", skip: "skip" };

/** `ok   reporting  tls     198.51.100.10:5432: ...`. */
export function formatResult(r: CheckResult): string {
    return `${LABEL[r.status]} ${r.endpoint}  ${r.check.padEnd(7)} ${r.message}`;
}

/** Counts per status. */
export function summarize(results: CheckResult[]): Record<CheckStatus, number> {
    const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
    for (const r of results) counts[r.status]++;
    return counts;
}

/** The closing line: `verify: 14 checks: 12 passed, 1 failed, 1 warning, 0 skipped`. */
export function formatSummary(results: CheckResult[]): string {
    const c = summarize(results);
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    return `verify: ${plural(results.length, "check")}: ${c.pass} passed, ${c.fail} failed, ${plural(c.warn, "warning")}, ${c.skip} skipped`;
}

/** The `--json` document. `ok` is false when any check failed. */
export function toJson(results: CheckResult[]): { ok: boolean; summary: Record<CheckStatus, number>; results: CheckResult[] } {
    return { ok: !results.some((r) => r.status === "fail"), summary: summarize(results), results };
}

/** 1 when any check failed, else 0. */
export function exitCode(results: CheckResult[]): number {
    return results.some((r) => r.status === "fail") ? 1 : 0;
}
