/**
 * The stack program as the tests run it, and what every config a test runs is checked for.
 *
 * The stack program is `new DatabaseEndpoints("db-endpoints", args)` with the args the config decodes into
 * (infra/program/main.ts), so it builds what a program in any language builds from those args, provided the stack
 * hands the program the config the test wrote and those args are ones such a program can write. `runStackProgram`
 * runs the program and records the config; after the test file's tests, every config it ran is checked for both:
 * - stored as a stack holds it (each key's value as JSON text, read back by the program), it decodes into the
 *   same args as the config the test wrote;
 * - those args are what the package schema (tests/schema/db-endpoints.schema.json) lets a C#, Python, Go or YAML
 *   program pass to `DatabaseEndpoints`: every property one the schema names, every value of its type, every enum
 *   value one of its values, every required input present.
 * tests/program/main.equivalence.test.ts deploys the example stack and configs covering each feature both ways
 * and compares every registration. Tests call `runStackProgram` rather than `main` (tests/architecture.test.ts
 * keeps it so), so no config escapes the check.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { MockCloud } from "./mockCloud";

type Program = typeof import("../infra/program/main");
type Config = typeof import("../infra/program/config");

const runs = new Map<string, Record<string, unknown>>();

/** The program's modules, loaded when first needed: after the mock runtime is installed. */
function load(): { program: Program; config: Config } {
    /* eslint-disable @typescript-eslint/no-require-imports */
    return { program: require("../infra/program/main"), config: require("../infra/program/config") };
    /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * Runs the stack program on `raw` (what `pulumi up` runs, with the stack's config already read) in the installed
 * mock cloud, and remembers the config for the checks after the file's tests. A config the program refuses is not
 * remembered: it declares nothing.
 */
export function runStackProgram(_cloud: MockCloud, raw: Record<string, unknown>): ReturnType<Program["main"]> {
    const outputs = load().program.main(raw);
    const copy = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
    runs.set(JSON.stringify(copy), copy);
    return outputs;
}

/** The config as a stack holds it: each key's value as JSON text (plain strings as they are). */
export function storedConfig(raw: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [`db-endpoints:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** The args `raw` decodes into when the program reads it from the stack's stored config. */
export function argsFromStack(raw: Record<string, unknown>): unknown {
    const { config } = load();
    const previous = pulumi.runtime.allConfig();
    try {
        pulumi.runtime.setAllConfig(storedConfig(raw));
        return config.decodeStackConfig(config.readRawStackConfig()).args;
    } finally {
        pulumi.runtime.setAllConfig(previous);
    }
}

interface PropertySpec {
    type?: string;
    $ref?: string;
    items?: PropertySpec;
    additionalProperties?: PropertySpec;
}
interface TypeSpec {
    type: string;
    properties?: Record<string, PropertySpec>;
    required?: string[];
    enum?: { value: unknown }[];
}
interface Schema {
    name: string;
    resources: Record<string, { inputProperties: Record<string, PropertySpec>; requiredInputs?: string[] }>;
    types: Record<string, TypeSpec>;
}

let pinned: Schema | undefined;

/** The pinned package schema. */
function schema(): Schema {
    pinned ??= JSON.parse(fs.readFileSync(path.join(__dirname, "..", "tests", "schema", "db-endpoints.schema.json"), "utf8")) as Schema;
    return pinned;
}

/**
 * Where `value`, as args of `DatabaseEndpoints`, is not what the schema lets a program pass: each problem with its
 * property path. Empty when it is.
 */
export function schemaProblems(value: unknown): string[] {
    const s = schema();
    const problems: string[] = [];
    const object = (v: unknown, props: Record<string, PropertySpec>, required: string[], at: string, what: string) => {
        if (typeof v !== "object" || v === null || Array.isArray(v)) {
            problems.push(`${at || "args"}: ${JSON.stringify(v)} is not ${what}`);
            return;
        }
        for (const key of required) if ((v as Record<string, unknown>)[key] === undefined) problems.push(`${at ? `${at}.` : ""}${key}: is required by ${what}`);
        for (const [key, inner] of Object.entries(v)) {
            const p = `${at ? `${at}.` : ""}${key}`;
            if (inner === undefined) continue;
            if (!props[key]) problems.push(`${p}: ${what} has no property ${key}`);
            else check(inner, props[key], p);
        }
    };
    const check = (v: unknown, spec: PropertySpec, at: string): void => {
        if (spec.$ref) {
            const token = decodeURIComponent(spec.$ref.replace("#/types/", ""));
            const type = s.types[token];
            if (!type) throw new Error(`the schema has no type ${token}`);
            if (type.enum) {
                if (!type.enum.some((e) => e.value === v)) problems.push(`${at}: ${JSON.stringify(v)} is not a value of ${token}`);
                return;
            }
            object(v, type.properties ?? {}, type.required ?? [], at, token);
            return;
        }
        switch (spec.type) {
            case "string":
            case "number":
            case "boolean":
                if (typeof v !== spec.type) problems.push(`${at}: ${JSON.stringify(v)} is not a ${spec.type}`);
                if (spec.type === "number" && typeof v === "number" && !Number.isFinite(v)) problems.push(`${at}: ${v} is not a number`);
                return;
            case "array":
                if (!Array.isArray(v)) problems.push(`${at}: ${JSON.stringify(v)} is not a list`);
                else v.forEach((x, i) => check(x, spec.items!, `${at}[${i}]`));
                return;
            case "object":
                if (typeof v !== "object" || v === null || Array.isArray(v)) problems.push(`${at}: ${JSON.stringify(v)} is not a map`);
                else for (const [k, x] of Object.entries(v)) check(x, spec.additionalProperties ?? {}, `${at}.${k}`);
                return;
            default:
                throw new Error(`${at}: the schema's property has neither a type nor a reference`);
        }
    };
    const resource = s.resources[`${s.name}:index:DatabaseEndpoints`];
    object(value, resource.inputProperties, resource.requiredInputs ?? [], "", "DatabaseEndpoints");
    return problems;
}

/** Checks one config a test ran: the stack hands it over unchanged, and its args are ones any language can write. */
export function checkRun(raw: Record<string, unknown>): void {
    const { args } = load().config.decodeStackConfig(raw);
    assert.deepEqual(argsFromStack(raw), args, `stored in a stack, the config decodes into other args: ${JSON.stringify(raw)}`);
    assert.deepEqual(schemaProblems(args), [], `the config decodes into args a program could not pass to DatabaseEndpoints: ${JSON.stringify(raw)}`);
}

/** The configs this file ran, each once. */
export function recordedRuns(): Record<string, unknown>[] {
    return [...runs.values()];
}

after(() => {
    for (const raw of runs.values()) checkRun(raw);
});
