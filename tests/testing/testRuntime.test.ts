/**
 * The test runtime (testing/testRuntime.cjs) changes how tests run, not whether a run fails. With its
 * AsyncLocalStorage attribution, node:test puts every test, suite and hook under the same parent and charges
 * uncaught errors and unhandled rejections to the same test (or to none, after a test ended) as with Node.js's own
 * promise hook (which `DB_ENDPOINTS_TEST_DEBUG=1` keeps) in the cases of tests/testing/testRuntime.fixture.cjs:
 * both reports must be the same apart from durations and the depth of stack traces. Where the two differ (Node
 * charges a promise's continuations and its unhandled rejection to the code that made the promise, the runtime to
 * the test running them: tests/testing/testRuntime.differences.fixture.cjs), each mode's outcome is pinned, and
 * the run fails in both.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join("tests", "testing", "testRuntime.fixture.cjs");
const DIFFERENCES = path.join("tests", "testing", "testRuntime.differences.fixture.cjs");

/** A fixture's TAP report under the test runtime, without durations and stack traces. */
function report(debug: boolean, fixture = FIXTURE): string {
    const env: NodeJS.ProcessEnv = { ...process.env, DB_ENDPOINTS_TEST_DEBUG: debug ? "1" : "0" };
    delete env.NODE_TEST_CONTEXT;
    delete env.NODE_OPTIONS;
    const result = spawnSync(process.execPath, ["--require", "./testing/testRuntime.cjs", "--test", "--test-reporter=tap", fixture], {
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

describe("where the test runtime charges asynchronous work to another test than Node.js does", () => {
    const fast = report(false, DIFFERENCES);
    const node = report(true, DIFFERENCES);

    it("a rejection of a test's promise from outside any test: Node fails the test, the runtime the file", () => {
        const name = "a promise the test made, rejected from outside any test and never handled";
        assert.match(node, new RegExp(`^not ok \\d+ - ${name}\n {2}---\n {2}type: 'test'\n {2}location: .*\n {2}failureType: 'unhandledRejection'$`, "m"));
        assert.match(fast, new RegExp(`^ok \\d+ - ${name}$`, "m"));
        assert.match(fast, /^# Error: A resource generated asynchronous activity after the test ended\. This activity created the error "Error: rejected by the shared emitter" which triggered an unhandledRejection event/m);
    });

    it("a test awaiting a before hook's promise: Node charges what follows to the hook, the runtime to the test", () => {
        const name = "is awaited by a test, which then starts a timer that throws";
        assert.match(node, new RegExp(`^ {4}ok \\d+ - ${name}$`, "m"));
        assert.match(node, /^# Error: Test hook "before" at .* generated asynchronous activity after the test ended\. This activity created the error "Error: thrown after awaiting the hook's promise"/m);
        assert.match(fast, new RegExp(`^ {4}not ok \\d+ - ${name}\n(?: {6}.*\n)*? {6}failureType: 'uncaughtException'\n {6}error: "thrown after awaiting the hook's promise"$`, "m"));
    });

    it("fails the run either way", () => {
        assert.match(node, /^# fail 1$/m);
        assert.match(fast, /^# fail 1$/m);
    });
});
