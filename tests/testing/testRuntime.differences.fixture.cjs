// A test file for tests/testing/testRuntime.test.ts: the cases where the test runtime's AsyncLocalStorage
// attribution charges asynchronous work to another test than Node.js's own promise hook does. Node charges a
// promise's continuations and its unhandled rejection to the code that made the promise; the runtime charges them
// to the test running them. Some of its tests fail on purpose, differently in each mode.
"use strict";
const { EventEmitter } = require("node:events");
const { after, before, describe, it, test } = require("node:test");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A long-lived emitter driven from outside any test, as a connection pool or a mock server set up once.
const bus = new EventEmitter();
const ticker = setInterval(() => bus.emit("tick"), 5);
after(() => clearInterval(ticker));

test("reports how tests are attributed", (t) => {
    t.diagnostic(`attribution: ${globalThis[Symbol.for("db-endpoints.test-attribution")] ?? "node"}`);
});

test("a promise the test made, rejected from outside any test and never handled", async () => {
    new Promise((_, reject) => bus.once("tick", () => reject(new Error("rejected by the shared emitter"))));
    await sleep(50);
});

describe("a promise made in a before hook", () => {
    let ready;
    before(() => {
        ready = sleep(1);
    });
    it("is awaited by a test, which then starts a timer that throws", async () => {
        await ready;
        setTimeout(() => {
            throw new Error("thrown after awaiting the hook's promise");
        }, 1);
        await sleep(50);
    });
});

test("the last test waits for the others' late errors", async () => {
    await sleep(100);
});
