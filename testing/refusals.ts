/**
 * The problems a refused declaration reports, as `path: message` lines, for tests that pin exactly which
 * fields are refused and why: the stack config's ValidationError, and a component's InputPropertiesError.
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../infra/program/config";
import { ValidationError } from "../infra/validation";
import { MockCloud } from "./mockCloud";

/** The problems `parseStackConfig(raw)` refuses the config with; fails the test when it accepts it. */
export function configErrors(raw: Record<string, unknown>): string[] {
    try {
        parseStackConfig(raw);
    } catch (e) {
        assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${e}`);
        return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
    assert.fail("expected the config to be refused");
}

/**
 * The property errors `declare` (a component's constructor call) throws as an InputPropertiesError; fails the
 * test when it throws anything else or nothing. Given `cloud`, also checks that nothing was registered.
 */
export function inputPropertyErrors(declare: () => unknown, cloud?: MockCloud): string[] {
    try {
        declare();
    } catch (e) {
        assert.ok(pulumi.InputPropertiesError.isInstance(e), `expected an InputPropertiesError, got ${e}`);
        if (cloud) assert.deepEqual(cloud.registered, [], "nothing is registered");
        return e.errors.map((x) => `${x.propertyPath}: ${x.reason}`);
    }
    assert.fail("expected the arguments to be refused");
}
