// A test file for tests/testing/testRuntime.test.ts: each case of node:test's attribution of asynchronous work to
// tests (nesting, hooks, subtests, uncaught errors), run under testing/testRuntime.cjs with and without its
// AsyncLocalStorage attribution. Some of its tests fail on purpose.
"use strict";
const { after, afterEach, before, beforeEach, describe, it, test } = require("node:test");

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

test("reports how tests are attributed", (t) => {
    t.diagnostic(`attribution: ${globalThis[Symbol.for("db-endpoints.test-attribution")] ?? "node"}`);
});

describe("a suite", () => {
    before(async () => {
        await tick();
    });
    beforeEach(() => undefined);
    afterEach(async () => {
        await tick();
    });
    after(() => undefined);
    it("has a test", async () => {
        await tick();
    });
    describe("a nested suite", () => {
        it("has a nested test", () => undefined);
    });
});

describe("a suite that awaits before declaring", async () => {
    await tick();
    before(() => undefined);
    it("declares a test after an await", () => undefined);
    await tick();
    describe("and a suite", () => {
        it("inside it", () => undefined);
    });
});

test("subtests", async (t) => {
    await tick();
    await t.test("a subtest", async () => {
        await tick();
    });
    await tick();
    await t.test("another subtest", () => undefined);
});

test("an uncaught error from a timer the test started", async () => {
    await tick();
    setTimeout(() => {
        throw new Error("thrown by a timer");
    }, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
});

test("an unhandled rejection from the test", async () => {
    await tick();
    Promise.reject(new Error("rejected, never handled"));
    await new Promise((resolve) => setTimeout(resolve, 50));
});

test("an error after the test ended", () => {
    setTimeout(() => {
        throw new Error("thrown after the end");
    }, 20);
});

test("the last test waits for the late error", async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
});
