/**
 * How the offline plan shows recorded inputs (scripts/plan/values.ts): unknown values as `(computed)`, secrets as
 * `(secret)` whatever they hold, everything else in full; and the inputs that differ between two runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describe as describeResource, displayValue, inputChanges, show } from "../../../scripts/plan/values";
import { SECRET_SIG, UNKNOWN } from "../../../testing/recorder";

const secret = (value: unknown) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });

describe("a recorded value as the plan shows it", () => {
    it("marks unknown values and secrets, at any depth, and keeps everything else whole", () => {
        const long = "x".repeat(500);
        assert.deepEqual(displayValue({ a: UNKNOWN, b: [secret("hunter2"), { c: secret(UNKNOWN) }], d: long, e: 3 }), {
            a: "(computed)",
            b: ["(secret)", { c: "(secret)" }],
            d: long,
            e: 3,
        });
        assert.equal(show(secret({ password: "hunter2" })), "(secret)");
        assert.equal(show(undefined), "-");
        assert.equal(show({ k: [1, UNKNOWN] }), '{"k":[1,"(computed)"]}');
    });

    it("describes a resource with every input but its tags, in full", () => {
        const line = describeResource({
            type: "aws:lambda/function:Function",
            name: "fn",
            inputs: { description: "d".repeat(200), environment: { variables: { A: "1" } }, tags: { team: "x" }, secretish: secret("s") },
            parent: "",
            custom: true,
            protect: false,
            hooks: {},
            deleteBeforeReplace: undefined,
            replacementTrigger: undefined,
            dependencies: [],
            aliases: [],
            propertyDependencies: {},
        });
        assert.equal(line, `description=${"d".repeat(200)} environment={"variables":{"A":"1"}} secretish=(secret)`);
    });
});

describe("the inputs that differ between two runs", () => {
    it("lists leaves that differ; a changed secret without its value; nothing for what is unknown on either side", () => {
        assert.deepEqual(
            inputChanges(
                { port: 5432, hc: { port: "traffic-port", interval: 10 }, pw: secret("a"), same: secret("s"), arn: UNKNOWN, gone: 1 },
                { port: 5433, hc: { port: "traffic-port", interval: 30 }, pw: secret("b"), same: secret("s"), arn: UNKNOWN, added: [1, 2] },
            ),
            [
                { path: "port", before: 5432, after: 5433 },
                { path: "hc.interval", before: 10, after: 30 },
                { path: "pw", before: "(secret)", after: "(secret), changed" },
                { path: "gone", before: 1, after: undefined },
                { path: "added", before: undefined, after: [1, 2] },
            ],
        );
        assert.deepEqual(inputChanges({ a: UNKNOWN }, { a: "known" }), []);
    });
});
