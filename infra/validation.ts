/**
 * Small building blocks for validating untyped input (stack config, component args) so that every
 * problem is reported at once, each naming the exact field and value.
 */
import { parseAddress } from "./net/ip";

export interface Problem {
    /** Field path, e.g. `endpoints[1].allowedCidrs[0]`. */
    path: string;
    message: string;
}

/** Collects errors and warnings while a whole input is checked. */
export class Problems {
    readonly errors: Problem[] = [];
    readonly warnings: Problem[] = [];

    error(path: string, message: string): void {
        this.errors.push({ path, message });
    }

    warn(path: string, message: string): void {
        this.warnings.push({ path, message });
    }

    get ok(): boolean {
        return this.errors.length === 0;
    }
}

/** Thrown when input is invalid; carries every problem found, not just the first. */
export class ValidationError extends Error {
    constructor(
        readonly problems: Problem[],
        what = "configuration",
    ) {
        super(
            `invalid ${what} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
        );
        this.name = "ValidationError";
    }
}

export function formatProblem(p: Problem): string {
    return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** Quotes a value the way it is shown in messages (JSON, so strings get quotes and types show). */
export function show(value: unknown): string {
    if (value === undefined) return "undefined";
    try {
        const json = JSON.stringify(value);
        if (json === undefined) return String(value);
        return json.length > 80 ? `${json.slice(0, 77)}...` : json;
    } catch {
        return String(value);
    }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reports keys that are not in `known` (typos such as `allowedCidr`), suggesting the closest known key. */
export function checkKnownKeys(
    problems: Problems,
    path: string,
    value: Record<string, unknown>,
    known: readonly string[],
): void {
    for (const key of Object.keys(value)) {
        if (known.includes(key)) {
            // YAML's `key:` with nothing after it is null: report it here, once, rather than let it read as "unset"
            // (an unset database kind or allowlist would otherwise silently drop or open an endpoint).
            if (value[key] === null) problems.error(join(path, key), "is empty; give it a value or remove the line");
            continue;
        }
        const suggestion = closest(key, known);
        problems.error(
            join(path, key),
            `unknown field${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; known fields: ${known.join(", ")}`,
        );
    }
}

export function join(path: string, key: string | number): string {
    if (typeof key === "number") return `${path}[${key}]`;
    return path ? `${path}.${key}` : key;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = editDistance(word.toLowerCase(), c.toLowerCase());
        if (d < bestDistance) {
            best = c;
            bestDistance = d;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}

/** Reads an optional integer in [min, max]; reports and returns undefined when it is not one. */
export function optionalInteger(
    problems: Problems,
    path: string,
    value: unknown,
    min: number,
    max: number,
): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value)) {
        problems.error(path, `${show(value)} is not a whole number (expected ${min}..${max})`);
        return undefined;
    }
    if (value < min || value > max) {
        problems.error(path, `${value} is out of range (expected ${min}..${max})`);
        return undefined;
    }
    return value;
}

export function optionalBoolean(problems: Problems, path: string, value: unknown): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") {
        problems.error(path, `${show(value)} is not true or false`);
        return undefined;
    }
    return value;
}

/** Reads an optional string matching `pattern`; `describe` says what a valid value looks like. */
export function optionalString(
    problems: Problems,
    path: string,
    value: unknown,
    pattern: RegExp,
    describe: string,
): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || !pattern.test(value)) {
        problems.error(path, `${show(value)} is not ${describe}`);
        return undefined;
    }
    return value;
}

export function requiredString(
    problems: Problems,
    path: string,
    value: unknown,
    pattern: RegExp,
    describe: string,
): string | undefined {
    if (value === null) return undefined; // reported as "is empty" by checkKnownKeys
    if (value === undefined || value === "") {
        problems.error(path, `is required (${describe})`);
        return undefined;
    }
    return optionalString(problems, path, value, pattern, describe);
}

/** Reads an optional value of an enumeration: one of `allowed`; reports anything else, listing them. */
export function optionalEnum<T extends string>(problems: Problems, path: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
        problems.error(path, `${show(value)} is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
        return undefined;
    }
    return value as T;
}

/** Reads an optional array; reports a non-array. */
export function optionalArray(problems: Problems, path: string, value: unknown): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
        problems.error(path, `${show(value)} is not a list`);
        return undefined;
    }
    return value;
}

/**
 * Reads a list of IPv4 addresses (a self-managed database's private addresses), reporting each entry that is
 * not one or repeats an earlier one (also when spelled differently); returns the canonical addresses.
 * `why` is appended to the "not an IPv4 address" message where the caller wants to say why.
 */
export function readIpv4Addresses(problems: Problems, path: string, list: readonly unknown[], why = ""): string[] {
    const addresses: string[] = [];
    list.forEach((a, i) => {
        const parsed = typeof a === "string" ? parseAddress(a) : undefined;
        if (!parsed || parsed.family !== "ipv4") problems.error(join(path, i), `${show(a)} is not an IPv4 address${why}`);
        else if (addresses.includes(parsed.text)) problems.error(join(path, i), `${show(a)} is listed twice`);
        else addresses.push(parsed.text);
    });
    return addresses;
}

export const patterns = {
    vpcId: /^vpc-[0-9a-f]{8,17}$/,
    subnetId: /^subnet-[0-9a-f]{8,17}$/,
    securityGroupId: /^sg-[0-9a-f]{8,17}$/,
    hostedZoneId: /^Z[A-Z0-9]{1,31}$/,
    instanceId: /^i-[0-9a-f]{8,17}$/,
    /** RDS DB instance identifier: 1-63 chars, letter first, no trailing hyphen or "--". */
    rdsIdentifier: /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{0,62}(?<!-)$/,
    /** A DNS hostname of two or more labels, lower case, no trailing dot. */
    hostname: /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/,
    arn: /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:.+$/,
};
