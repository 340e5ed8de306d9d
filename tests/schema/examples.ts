/**
 * Checks that the example programs in examples/ use only the API the pinned package schema has, with the names the
 * generated SDKs give it. Neither .NET nor the Pulumi CLI runs here, so the C# side is a conservative reading of
 * Program.cs (object initializers, `var x = new T(...)` member reads, enum members), not a compiler: it reports
 * only what it can tell for sure and never guesses about code it does not understand.
 *
 * C# names follow the Pulumi .NET code generator (pkg/codegen/dotnet/gen.go):
 * - namespace `Pulumi.` + the package name split on `-`, each part title-cased (`db-endpoints` -> `Pulumi.DbEndpoints`);
 * - a resource `pkg:index:Name` is class `Name`, its args class `NameArgs`;
 * - an object type used as an input is `Inputs.<Name>Args` (the `Args` suffix is added to the type's own name),
 *   one used as an output is `Outputs.<Name>`; an enum is `<Name>` in the package namespace;
 * - a property `camelCase` is `CamelCase`; an enum member is its schema `name`.
 */
import type { PackageSchema, PropertySpec } from "../../scripts/update-schema";

/** What the generated C# SDK declares: one entry per class, by fully qualified name. */
export interface CSharpClass {
    fullName: string;
    kind: "resource" | "args" | "input type" | "output type" | "enum";
    /** The schema token the class was generated from. */
    token: string;
    /** C# member name -> schema property name (or enum value). Undefined when a name has no certain C# mapping. */
    members?: Map<string, string>;
    /** C# names of the members that must be set (args and input types). */
    required: string[];
}

export interface CSharpApi {
    namespace: string;
    classes: Map<string, CSharpClass>;
}

const SIMPLE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function title(name: string): string {
    return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The generated SDK's root namespace for a package name (`db-endpoints` -> `Pulumi.DbEndpoints`). */
export function csharpNamespace(packageName: string): string {
    const parts = packageName.split("-");
    if (parts.some((p) => !/^[a-z0-9]+$/i.test(p))) throw new Error(`no certain C# namespace for package name ${JSON.stringify(packageName)}`);
    return `Pulumi.${parts.map(title).join("")}`;
}

function member(token: string): string {
    const parts = token.split(":");
    if (parts.length !== 3 || (parts[1] !== "index" && parts[1] !== "")) throw new Error(`token ${token} is not in the index module`);
    return parts[2];
}

function refToken(p: PropertySpec | undefined): string | undefined {
    return p?.$ref?.startsWith("#/types/") ? decodeURIComponent(p.$ref.slice("#/types/".length)) : undefined;
}

/** The object types reachable from some properties (through arrays, maps and nested object types). */
function reachableTypes(schema: PackageSchema, props: Record<string, PropertySpec>[], into = new Set<string>()): Set<string> {
    const visit = (p: PropertySpec | undefined): void => {
        if (!p) return;
        const token = refToken(p);
        if (token && !into.has(token)) {
            into.add(token);
            const type = schema.types[token];
            if (type?.properties) Object.values(type.properties).forEach(visit);
        }
        visit(p.items);
        visit(p.additionalProperties);
    };
    props.forEach((ps) => Object.values(ps).forEach(visit));
    return into;
}

function memberMap(names: string[], className: string): Map<string, string> | undefined {
    const map = new Map<string, string>();
    for (const n of names) {
        const csharp = title(n);
        if (!SIMPLE_NAME.test(n) || csharp === className || map.has(csharp)) return undefined;
        map.set(csharp, n);
    }
    return map;
}

/** Every class the generated C# SDK has for a schema, with its members. */
export function csharpApi(schema: PackageSchema): CSharpApi {
    const ns = csharpNamespace(schema.name);
    const classes = new Map<string, CSharpClass>();
    const add = (c: CSharpClass): void => {
        classes.set(c.fullName, c);
    };
    for (const [token, r] of Object.entries(schema.resources)) {
        const name = title(member(token));
        const outputs = Object.keys(r.properties ?? {});
        const outputMembers = memberMap(outputs, name);
        outputMembers?.set("Urn", "urn");
        add({ fullName: `${ns}.${name}`, kind: "resource", token, members: outputMembers, required: [] });
        const inputs = memberMap(Object.keys(r.inputProperties ?? {}), `${name}Args`);
        add({
            fullName: `${ns}.${name}Args`,
            kind: "args",
            token,
            members: inputs,
            required: (r.requiredInputs ?? []).map(title),
        });
    }
    const resources = Object.values(schema.resources);
    const inputTypes = reachableTypes(schema, resources.map((r) => r.inputProperties ?? {}));
    const outputTypes = reachableTypes(schema, resources.map((r) => r.properties ?? {}));
    for (const [token, t] of Object.entries(schema.types)) {
        const name = title(member(token));
        if (t.enum) {
            const names = t.enum.map((e) => e.name ?? "");
            const members = memberMap(names, name);
            if (members) for (const e of t.enum) members.set(title(e.name!), String(e.value));
            add({ fullName: `${ns}.${name}`, kind: "enum", token, members, required: [] });
            continue;
        }
        const props = Object.keys(t.properties ?? {});
        if (inputTypes.has(token)) {
            add({
                fullName: `${ns}.Inputs.${name}Args`,
                kind: "input type",
                token,
                members: memberMap(props, `${name}Args`),
                required: (t.required ?? []).map(title),
            });
        }
        if (outputTypes.has(token)) {
            add({ fullName: `${ns}.Outputs.${name}`, kind: "output type", token, members: memberMap(props, name), required: [] });
        }
    }
    return { namespace: ns, classes };
}

/**
 * C# source with comments and the insides of string and character literals blanked (newlines kept, so offsets
 * and line numbers stay true). Interpolated strings are blanked whole: code inside them is not checked.
 */
export function blankLiterals(source: string): string {
    const out = source.split("");
    const blank = (from: number, to: number): void => {
        for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
    };
    let i = 0;
    while (i < source.length) {
        const c = source[i];
        const next = source[i + 1];
        if (c === "/" && next === "/") {
            const end = source.indexOf("\n", i);
            const stop = end === -1 ? source.length : end;
            blank(i, stop);
            i = stop;
        } else if (c === "/" && next === "*") {
            const end = source.indexOf("*/", i + 2);
            const stop = end === -1 ? source.length : end + 2;
            blank(i, stop);
            i = stop;
        } else if (c === '"' || ((c === "@" || c === "$") && /^[@$]{0,2}"/.test(source.slice(i, i + 3)))) {
            // Regular, verbatim (@"..."), interpolated ($"...", $@"...", @$"...") and raw ("""...""") strings.
            let start = i;
            let prefix = "";
            while (source[start] === "@" || source[start] === "$") prefix += source[start++];
            let quotes = 0;
            while (source[start + quotes] === '"') quotes++;
            let j: number;
            if (quotes >= 3) {
                const closing = '"'.repeat(quotes);
                const end = source.indexOf(closing, start + quotes);
                j = end === -1 ? source.length : end + quotes;
            } else if (prefix.includes("@")) {
                j = start + 1;
                while (j < source.length && !(source[j] === '"' && source[j + 1] !== '"')) j += source[j] === '"' ? 2 : 1;
                j++;
            } else {
                j = start + 1;
                while (j < source.length && source[j] !== '"' && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
                j++;
            }
            blank(i + prefix.length + 1, Math.max(i + prefix.length + 1, j - 1));
            i = j;
        } else if (c === "'") {
            let j = i + 1;
            while (j < source.length && source[j] !== "'" && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
            blank(i + 1, j);
            i = j + 1;
        } else {
            i++;
        }
    }
    return out.join("");
}

function lineAt(text: string, offset: number): number {
    return text.slice(0, offset).split("\n").length;
}

/** The offset just past the bracket that closes the one at `open`, or -1. */
function closing(text: string, open: number): number {
    const pairs: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
    const stack: string[] = [];
    for (let i = open; i < text.length; i++) {
        const c = text[i];
        if (pairs[c]) stack.push(pairs[c]);
        else if (c === ")" || c === "]" || c === "}") {
            if (stack.pop() !== c) return -1;
            if (stack.length === 0) return i + 1;
        }
    }
    return -1;
}

/** The top-level `Name = ...` assignments of an object initializer's body. */
function initializerMembers(body: string): string[] {
    const entries: string[] = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < body.length; i++) {
        const c = body[i];
        if (c === "(" || c === "[" || c === "{") depth++;
        else if (c === ")" || c === "]" || c === "}") depth--;
        else if (c === "," && depth === 0) {
            entries.push(body.slice(start, i));
            start = i + 1;
        }
    }
    entries.push(body.slice(start));
    const names: string[] = [];
    for (const e of entries) {
        const m = /^\s*@?([A-Za-z_]\w*)\s*=(?!=)/.exec(e);
        if (m) names.push(m[1]);
    }
    return names;
}

/** What a conservative reading of a C# file finds. */
export interface CSharpReading {
    usings: string[];
    aliases: Map<string, string>;
    /** `new T(...)`, `new T { ... }` and `new T(...) { ... }`, with the members set in the initializer. */
    creations: { type: string; members: string[]; line: number }[];
    /** `var x = new T(...)` and `T x = new T(...)`. */
    variables: Map<string, string>;
    /** `x.Member` reads of those variables. */
    memberReads: { variable: string; member: string; line: number }[];
    /** Dotted names `A.B.C` (candidates for `Enum.Member`). */
    dottedNames: { parts: string[]; line: number }[];
}

export function readCSharp(source: string): CSharpReading {
    const text = blankLiterals(source);
    const usings: string[] = [];
    const aliases = new Map<string, string>();
    for (const m of text.matchAll(/^\s*(?:global\s+)?using\s+(?:(\w+)\s*=\s*)?([A-Za-z_][\w.]*)\s*;/gm)) {
        if (m[1]) aliases.set(m[1], m[2]);
        else usings.push(m[2]);
    }
    const creations: CSharpReading["creations"] = [];
    for (const m of text.matchAll(/\bnew\s+([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*(<)?/g)) {
        if (m[2]) continue; // a generic type (List<...>, Dictionary<...>): never one of the SDK's classes
        const type = m[1].replace(/\s+/g, "");
        let i = m.index + m[0].length;
        while (/\s/.test(text[i] ?? "")) i++;
        if (text[i] === "(") {
            const end = closing(text, i);
            if (end === -1) continue;
            i = end;
            while (/\s/.test(text[i] ?? "")) i++;
        }
        let members: string[] = [];
        if (text[i] === "{") {
            const end = closing(text, i);
            if (end === -1) continue;
            members = initializerMembers(text.slice(i + 1, end - 1));
        }
        creations.push({ type, members, line: lineAt(text, m.index) });
    }
    const variables = new Map<string, string>();
    for (const m of text.matchAll(/\b(?:var|([A-Za-z_][\w.]*))\s+([A-Za-z_]\w*)\s*=\s*new\s+([A-Za-z_][\w.]*)\s*[({]/g)) {
        variables.set(m[2], m[3]);
    }
    const memberReads: CSharpReading["memberReads"] = [];
    for (const variable of variables.keys()) {
        for (const m of text.matchAll(new RegExp(`(?<![\\w.])${variable}\\s*\\.\\s*([A-Za-z_]\\w*)`, "g"))) {
            memberReads.push({ variable, member: m[1], line: lineAt(text, m.index) });
        }
    }
    const dottedNames: CSharpReading["dottedNames"] = [];
    for (const m of text.matchAll(/(?<![\w.])[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)+/g)) {
        dottedNames.push({ parts: m[0].split(".").map((p) => p.trim()), line: lineAt(text, m.index) });
    }
    return { usings, aliases, creations, variables, memberReads, dottedNames };
}

/** Resolves a (possibly qualified) type name as the C# compiler would against the SDK's classes, or undefined. */
function resolve(api: CSharpApi, reading: CSharpReading, name: string): CSharpClass | undefined {
    const [first, ...rest] = name.split(".");
    const candidates = [name];
    const alias = reading.aliases.get(first);
    if (alias) candidates.push([alias, ...rest].join("."));
    for (const u of reading.usings) candidates.push(`${u}.${name}`);
    for (const c of candidates) {
        const found = api.classes.get(c);
        if (found) return found;
    }
    return undefined;
}

/** Whether a type name can only mean something in the SDK's namespace (so failing to resolve it is an error). */
function claimsSdkNamespace(api: CSharpApi, reading: CSharpReading, name: string): boolean {
    const [first, ...rest] = name.split(".");
    const expanded = reading.aliases.has(first) ? [reading.aliases.get(first)!, ...rest].join(".") : name;
    if (expanded === api.namespace || expanded.startsWith(`${api.namespace}.`)) return true;
    if (rest.length === 0 || (rest.length === 1 && ["Inputs", "Outputs"].includes(first))) {
        // A bare `XArgs` (or `Inputs.XArgs`) with the SDK's namespace imported: the example qualifies every
        // other library's Args classes (`Aws.Ec2.GetSubnetInvokeArgs`), so such a name is the SDK's.
        const sdkImported = reading.usings.some((u) => u === api.namespace || u.startsWith(`${api.namespace}.`));
        return sdkImported && /Args$/.test(name);
    }
    return false;
}

function names(c: CSharpClass): string {
    return [...(c.members?.keys() ?? [])].sort().join(", ");
}

/** Every use of the SDK in a C# file that the generated SDK would not have, as `line N: ...` messages. */
export function checkCSharp(source: string, api: CSharpApi): string[] {
    const reading = readCSharp(source);
    const problems: string[] = [];
    const known = (c: CSharpClass, line: number): c is CSharpClass & { members: Map<string, string> } => {
        if (c.members) return true;
        problems.push(`line ${line}: ${c.fullName} has member names this check cannot map to C# with certainty`);
        return false;
    };
    for (const { type, members, line } of reading.creations) {
        const c = resolve(api, reading, type);
        if (!c) {
            if (claimsSdkNamespace(api, reading, type)) {
                const candidates = [...api.classes.values()].filter((k) => k.kind === "args" || k.kind === "input type").map((k) => k.fullName);
                problems.push(`line ${line}: ${type} is not a class of the generated SDK (its Args classes: ${candidates.sort().join(", ")})`);
            }
            continue;
        }
        if (c.kind === "enum" || c.kind === "output type") {
            problems.push(`line ${line}: ${c.fullName} is ${c.kind === "enum" ? "an enum" : "an output type"}; it cannot be created with new`);
            continue;
        }
        if (!known(c, line)) continue;
        for (const m of members) {
            if (!c.members.has(m)) problems.push(`line ${line}: ${c.fullName} has no member ${m} (it has: ${names(c)})`);
        }
        if (c.kind === "args" || c.kind === "input type") {
            for (const r of c.required) {
                if (!members.includes(r)) problems.push(`line ${line}: ${c.fullName} is created without its required ${r}`);
            }
        }
    }
    for (const { variable, member: m, line } of reading.memberReads) {
        const c = resolve(api, reading, reading.variables.get(variable)!);
        if (!c || c.kind !== "resource" || !known(c, line)) continue;
        if (!c.members.has(m)) problems.push(`line ${line}: ${variable} is a ${c.fullName}, which has no output ${m} (it has: ${names(c)})`);
    }
    for (const { parts, line } of reading.dottedNames) {
        for (let k = parts.length - 1; k >= 1; k--) {
            const c = resolve(api, reading, parts.slice(0, k).join("."));
            if (c?.kind !== "enum") continue;
            if (known(c, line) && !c.members.has(parts[k])) {
                problems.push(`line ${line}: enum ${c.fullName} has no member ${parts[k]} (it has: ${names(c)})`);
            }
            break;
        }
    }
    return problems;
}

/** The resource token a Pulumi YAML `type` names in this package (`pkg:Name` is short for `pkg:index:Name`). */
function yamlToken(schema: PackageSchema, type: string): string | undefined {
    const parts = type.split(":");
    if (parts[0] !== schema.name) return undefined;
    if (parts.length === 2) return `${parts[0]}:index:${parts[1]}`;
    return parts.length === 3 ? type : undefined;
}

function isInterpolation(v: unknown): boolean {
    return typeof v === "string" && /^\$\{[^}]+\}$/.test(v.trim());
}

/** Checks a literal YAML value against a schema property; values computed by `${...}` are not checked. */
function checkYamlValue(schema: PackageSchema, prop: PropertySpec, value: unknown, at: string, problems: string[]): void {
    if (isInterpolation(value) || value === null || value === undefined) return;
    const token = refToken(prop);
    const type = token ? schema.types[token] : undefined;
    if (type?.enum) {
        if (!type.enum.some((e) => e.value === value)) {
            problems.push(`${at}: ${JSON.stringify(value)} is not one of ${type.enum.map((e) => JSON.stringify(e.value)).join(", ")}`);
        }
    } else if (type) {
        if (typeof value !== "object" || Array.isArray(value)) {
            problems.push(`${at}: expected an object of type ${token}`);
            return;
        }
        checkYamlObject(schema, type.properties ?? {}, type.required ?? [], value as Record<string, unknown>, at, problems);
    } else if (prop.type === "array" && prop.items) {
        if (!Array.isArray(value)) problems.push(`${at}: expected a list`);
        else value.forEach((v, i) => checkYamlValue(schema, prop.items!, v, `${at}[${i}]`, problems));
    } else if (prop.type === "object" && prop.additionalProperties) {
        if (typeof value !== "object" || Array.isArray(value)) problems.push(`${at}: expected a map`);
        else for (const [k, v] of Object.entries(value)) checkYamlValue(schema, prop.additionalProperties, v, `${at}.${k}`, problems);
    } else if (prop.type === "string" && typeof value !== "string") {
        problems.push(`${at}: expected a string, not ${JSON.stringify(value)}`);
    } else if ((prop.type === "number" || prop.type === "integer") && typeof value !== "number") {
        problems.push(`${at}: expected a number, not ${JSON.stringify(value)}`);
    } else if (prop.type === "boolean" && typeof value !== "boolean") {
        problems.push(`${at}: expected true or false, not ${JSON.stringify(value)}`);
    }
}

function checkYamlObject(
    schema: PackageSchema,
    props: Record<string, PropertySpec>,
    required: string[],
    value: Record<string, unknown>,
    at: string,
    problems: string[],
): void {
    for (const [k, v] of Object.entries(value)) {
        const prop = props[k];
        if (!prop) problems.push(`${at}.${k}: no such input (inputs: ${Object.keys(props).join(", ")})`);
        else checkYamlValue(schema, prop, v, `${at}.${k}`, problems);
    }
    for (const r of required) if (!(r in value)) problems.push(`${at}: required input ${r} is missing`);
}

/** Every use of the package in a Pulumi YAML program that its schema does not have, as messages. */
export function checkYamlProgram(program: Record<string, unknown>, schema: PackageSchema): string[] {
    const problems: string[] = [];
    const resources = (program.resources ?? {}) as Record<string, { type?: string; properties?: Record<string, unknown> }>;
    const ours = new Map<string, string>();
    for (const [name, r] of Object.entries(resources)) {
        const token = r.type ? yamlToken(schema, r.type) : undefined;
        if (!token) continue;
        const spec = schema.resources[token];
        if (!spec) {
            problems.push(`resources.${name}: ${r.type} is not a component of ${schema.name} (it has: ${Object.keys(schema.resources).join(", ")})`);
            continue;
        }
        ours.set(name, token);
        checkYamlObject(schema, spec.inputProperties ?? {}, spec.requiredInputs ?? [], r.properties ?? {}, `resources.${name}.properties`, problems);
    }
    const visit = (v: unknown, at: string): void => {
        if (typeof v === "string") {
            for (const m of v.matchAll(/\$\{([A-Za-z_][\w-]*)((?:\.[A-Za-z_]\w*)?)/g)) {
                const token = ours.get(m[1]);
                if (!token || !m[2]) continue;
                const out = m[2].slice(1);
                const outputs = schema.resources[token].properties ?? {};
                if (!(out in outputs) && out !== "urn") {
                    problems.push(`${at}: ${m[1]} (${token}) has no output ${out} (outputs: ${Object.keys(outputs).join(", ")})`);
                }
            }
        } else if (Array.isArray(v)) v.forEach((e, i) => visit(e, `${at}[${i}]`));
        else if (v && typeof v === "object") for (const [k, e] of Object.entries(v)) visit(e, `${at}.${k}`);
    };
    for (const key of ["resources", "variables", "outputs"]) visit(program[key], key);
    return problems;
}
