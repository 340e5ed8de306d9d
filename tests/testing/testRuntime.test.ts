/**
 * The test runtime (testing/testRuntime.cjs) changes how tests run, not what they report: with its
 * AsyncLocalStorage attribution, node:test puts every test, suite and hook under the same parent, and charges
 * every uncaught error and unhandled rejection to the same test (or to none, after a test ended), as with
 * Node.js's own promise hook, which `DB_ENDPOINTS_TEST_DEBUG=1` keeps. A fixture file with each case
 * (tests/testing/testRuntime.fixture.cjs, some of whose tests fail on purpose) runs both ways; the reports must
 * be the same apart from durations and the depth of stack traces.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join("tests", "testing", "testRuntime.fixture.cjs");

/** The fixture's TAP report under the test runtime, without durations and stack traces. */
function report(debug: boolean): string {
    const env: NodeJS.ProcessEnv = { ...process.env, DB_ENDPOINTS_TEST_DEBUG: debug ? "1" : "0" };
    delete env.NODE_TEST_CONTEXT;
    delete env.NODE_OPTIONS;
    const result = spawnSync(process.execPath, ["--require", "./testing/testRuntime.cjs", "--test", "--test-reporter=tap", FIXTURE], {
        cwd: ROOT,
        env,
        encoding: "utf8",
        timeout: 60_000,
    });
    assert.equal(result.error, undefined);
    // Some of the fixture's tests fail on purpose.
    assert.equal(result.status, 1, result.stderr);
    const kept: string[] = [];
    let stackIndent: number | undefined;
    for (const line of result.stdout.split("\n")) {
        const indent = line.length - line.trimStart().length;
        if (stackIndent !== undefined && indent > stackIndent) continue;
        stackIndent = undefined;
        if (/^\s*stack: \|-$/.test(line)) {
            stackIndent = indent;
            continue;
        }
        if (/^\s*(# )?duration_ms:? /.test(line)) continue;
        kept.push(line);
    }
    return kept.join("\n");
}

describe("the test runtime's attribution of asynchronous work to tests", () => {
    const fast = report(false);
    const node = report(true);

    it("runs without a promise hook by default, and with Node.js's own under DB_ENDPOINTS_TEST_DEBUG=1", () => {
        assert.match(fast, /^# attribution: async-local-storage$/m);
        assert.match(node, /^# attribution: node$/m);
    });

    it("reports the fixture exactly as Node.js's own attribution does", () => {
        assert.equal(fast.replace("attribution: async-local-storage", "attribution: node"), node);
    });

    it("nests suites and tests declared after an await, and charges uncaught errors to the test that caused them", () => {
        // What the comparison above covers, stated on its own: a mistake common to both would otherwise pass.
        assert.match(fast, /^ {4}# Subtest: declares a test after an await$/m);
        assert.match(fast, /^ {8}# Subtest: inside it$/m);
        assert.match(fast, /^not ok \d+ - an uncaught error from a timer the test started$/m);
        assert.match(fast, /^ {2}failureType: 'uncaughtException'\n {2}error: 'thrown by a timer'$/m);
        assert.match(fast, /^not ok \d+ - an unhandled rejection from the test$/m);
        assert.match(fast, /^# Error: Test "an error after the test ended" at .* generated asynchronous activity after the test ended\./m);
        assert.match(fast, /^# pass 10\n# fail 2$/m);
    });
});
