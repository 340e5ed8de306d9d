/**
 * An endpoint's integrations as declared, in the stack config or the component's args: what each one is
 * (name, access level, schemas, tables, sequences, connection limit, rotation trigger, CA path), read and
 * checked field by field, every problem naming its field path; the rule that no integration is an object
 * owner; and the value parsers the other integration settings share (SQL identifiers, file paths,
 * enumerations).
 */
import { INTEGRATION_ACCESS_LEVELS, IntegrationAccess } from "../enums";
import { isPlainObject, join, optionalArray, optionalInteger, Problems, show } from "../validation";
import { CONNECTION_LIMIT, INTEGRATION_NAME, ROTATION_MAX_LENGTH } from "../model/limits";


/**
 * Schema, table, sequence, role and database names accepted: what PostgreSQL keeps unquoted (lower case)
 * and MySQL accepts everywhere, within PostgreSQL's 63-character limit. Conservative on purpose: the
 * names end up in GRANT statements.
 */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** User names an integration can never take: engine and RDS built-ins, and PostgreSQL role keywords. */
export const RESERVED_USER_NAMES: readonly string[] = [
    "postgres",
    "root",
    "rdsadmin",
    "rdsrepladmin",
    "rdstopmgr",
    "rdsproxyadmin",
    "public",
    "none",
    "current_user",
    "current_role",
    "session_user",
];
/** Prefixes reserved by PostgreSQL (`pg_`), RDS (`rds_`, e.g. rds_superuser) and MySQL/MariaDB system accounts. */
export const RESERVED_USER_PREFIXES: readonly string[] = ["pg_", "rds_", "mysql.", "mariadb."];

/** Schemas that belong to the engine, never to an integration's data. */
const SYSTEM_SCHEMAS: readonly string[] = ["information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"];

/** A table or sequence, by schema. */
export interface QualifiedName {
    schema: string;
    name: string;
}

export interface IntegrationSpec {
    /** Database user name, and the name of its secret. */
    name: string;
    access: IntegrationAccess;
    schemas: string[];
    /** The tables granted; undefined: every table of the schemas, now and created later. */
    tables?: QualifiedName[];
    /** PostgreSQL, write with tables: the sequences its inserts draw from (serial columns). */
    sequences?: QualifiedName[];
    /** PostgreSQL: concurrent connections allowed. */
    connectionLimit?: number;
    /** Rotation trigger: changing it generates a new password for this integration only. */
    rotation?: string;
    /** Path of the CA bundle on the integration's side, written into its connection URL. */
    sslRootCert?: string;
}

/** Parses a list of integrations (config or component args); every problem names its field path. */
export function parseIntegrations(problems: Problems, path: string, value: unknown): IntegrationSpec[] {
    const list = optionalArray(problems, path, value);
    if (!list) return [];
    const result: IntegrationSpec[] = [];
    const seen = new Map<string, number>();
    list.forEach((entry, i) => {
        const at = join(path, i);
        const spec = parseIntegration(problems, at, entry);
        const name = isPlainObject(entry) ? entry.name : undefined;
        if (typeof name === "string") {
            const first = seen.get(name);
            if (first !== undefined) {
                problems.error(
                    join(at, "name"),
                    `${show(name)} is already the name of ${join(path, first)}; each integration gets its own database user, so names must be unique`,
                );
                return;
            }
            seen.set(name, i);
        }
        if (spec) result.push(spec);
    });
    return result;
}

function parseIntegration(problems: Problems, path: string, value: unknown): IntegrationSpec | undefined {
    if (!isPlainObject(value)) {
        problems.error(path, `${show(value)} is not an integration (a map with name, access, schemas and optionally tables)`);
        return undefined;
    }
    const before = problems.errors.length;
    const name = parseIntegrationName(problems, join(path, "name"), value.name);
    const access = parseAccess(problems, join(path, "access"), value.access);
    const schemas = parseSchemas(problems, join(path, "schemas"), value.schemas);
    const tables = parseQualifiedNames(problems, join(path, "tables"), value.tables, schemas, "table");
    const sequences = parseQualifiedNames(problems, join(path, "sequences"), value.sequences, schemas, "sequence");
    if (tables) {
        schemas.forEach((schema, i) => {
            if (!tables.some((t) => t.schema === schema)) {
                problems.error(
                    join(join(path, "schemas"), i),
                    `${show(schema)} has no table in tables; list its tables there, or remove the schema (USAGE alone would grant nothing)`,
                );
            }
        });
    }
    if (value.sequences !== undefined && value.sequences !== null) {
        if (access !== undefined && access !== "write") {
            problems.error(join(path, "sequences"), `is only used with access "write" (inserts draw from sequences); ${show(access)} never needs one`);
        } else if (value.tables === undefined || value.tables === null) {
            problems.error(join(path, "sequences"), "is only used with tables: without a table list, every sequence of the schemas is granted");
        }
    }
    const connectionLimit = optionalInteger(problems, join(path, "connectionLimit"), value.connectionLimit, CONNECTION_LIMIT.min, CONNECTION_LIMIT.max);
    const rotation = parseRotation(problems, join(path, "rotation"), value.rotation);
    const sslRootCert = parsePath(problems, join(path, "sslRootCert"), value.sslRootCert, "the path of the CA bundle on the integration's side");
    if (problems.errors.length > before || !name || !access) return undefined;
    return {
        name,
        access,
        schemas,
        ...(tables ? { tables } : {}),
        ...(sequences ? { sequences } : {}),
        ...(connectionLimit !== undefined ? { connectionLimit } : {}),
        ...(rotation !== undefined ? { rotation } : {}),
        ...(sslRootCert !== undefined ? { sslRootCert } : {}),
    };
}

/** A reserved user name, or undefined. */
export function reservedUserName(name: string): string | undefined {
    const lower = name.toLowerCase();
    if (RESERVED_USER_NAMES.includes(lower)) return lower;
    return RESERVED_USER_PREFIXES.find((p) => lower.startsWith(p));
}

export function parseIntegrationName(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null || value === "") {
        problems.error(path, 'is required (the database user name, e.g. "metabase")');
        return undefined;
    }
    if (typeof value !== "string") {
        problems.error(path, `${show(value)} is not a name (a string)`);
        return undefined;
    }
    const reserved = reservedUserName(value);
    if (reserved !== undefined) {
        const what = reserved.endsWith("_") || reserved.endsWith(".") ? `starts with ${show(reserved)}, which is reserved` : "is reserved";
        problems.error(
            path,
            `${show(value)} ${what} for the engine's or RDS's own users; an integration never shares or impersonates an administrative login`,
        );
        return undefined;
    }
    if (value.length > INTEGRATION_NAME.maxLength) {
        problems.error(path, `${show(value)} is ${value.length} characters; at most ${INTEGRATION_NAME.maxLength} fit a MySQL user name`);
        return undefined;
    }
    if (!INTEGRATION_NAME.pattern.test(value)) {
        problems.error(path, `${show(value)} is not a valid user name: use lower-case letters, digits and underscores, starting with a letter`);
        return undefined;
    }
    return value;
}

function parseAccess(problems: Problems, path: string, value: unknown): IntegrationAccess | undefined {
    if (value === undefined || value === null) {
        problems.error(path, 'is required: "read" or "write"');
        return undefined;
    }
    if (typeof value !== "string" || !(INTEGRATION_ACCESS_LEVELS as readonly string[]).includes(value)) {
        problems.error(path, `${show(value)} is not an access level; use "read" (SELECT) or "write" (SELECT, INSERT, UPDATE, DELETE)`);
        return undefined;
    }
    return value as IntegrationAccess;
}

/** A SQL identifier (schema, table, role, database name) as accepted here; reports and returns undefined otherwise. */
export function parseIdentifier(problems: Problems, path: string, value: unknown, what: string): string | undefined {
    if (typeof value !== "string" || !SQL_IDENTIFIER.test(value)) {
        problems.error(
            path,
            `${show(value)} is not a ${what} name this tool accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters`,
        );
        return undefined;
    }
    return value;
}

function parseSchemas(problems: Problems, path: string, value: unknown): string[] {
    if (value === undefined || value === null) {
        problems.error(path, 'is required: the schemas (MySQL: databases) the integration may use, e.g. ["public"]');
        return [];
    }
    const list = optionalArray(problems, path, value);
    if (!list) return [];
    if (list.length === 0) {
        problems.error(path, "is empty; list the schemas (MySQL: databases) the integration may use");
        return [];
    }
    const schemas: string[] = [];
    list.forEach((s, i) => {
        const at = join(path, i);
        const schema = parseIdentifier(problems, at, s, "schema");
        if (schema === undefined) return;
        if (SYSTEM_SCHEMAS.includes(schema) || schema.startsWith("pg_")) {
            problems.error(at, `${show(schema)} is a system schema of the engine, not data an integration is given`);
            return;
        }
        if (schemas.includes(schema)) {
            problems.error(at, `${show(schema)} is listed twice`);
            return;
        }
        schemas.push(schema);
    });
    return schemas;
}

/**
 * Tables or sequences: `name` when exactly one schema is listed, else `schema.name` with the schema
 * among `schemas`. Undefined when the field is absent.
 */
function parseQualifiedNames(
    problems: Problems,
    path: string,
    value: unknown,
    schemas: string[],
    what: "table" | "sequence",
): QualifiedName[] | undefined {
    if (value === undefined || value === null) return undefined;
    const list = optionalArray(problems, path, value);
    if (!list) return undefined;
    if (list.length === 0) {
        problems.error(
            path,
            what === "table"
                ? "is empty; list tables, or leave tables out to grant every table of the schemas"
                : "is empty; list sequences, or leave sequences out",
        );
        return undefined;
    }
    const result: QualifiedName[] = [];
    list.forEach((entry, i) => {
        const at = join(path, i);
        if (typeof entry !== "string") {
            problems.error(at, `${show(entry)} is not a ${what} name (a string, "${what}" or "schema.${what}")`);
            return;
        }
        const parts = entry.split(".");
        if (parts.length > 2) {
            problems.error(at, `${show(entry)} is not "${what}" or "schema.${what}"`);
            return;
        }
        let schema: string | undefined;
        if (parts.length === 2) {
            const s = parseIdentifier(problems, at, parts[0], "schema");
            if (s === undefined) return;
            if (!schemas.includes(s)) {
                problems.error(at, `${show(entry)} is in schema ${show(s)}, which is not in schemas`);
                return;
            }
            schema = s;
        } else if (schemas.length === 1) {
            schema = schemas[0];
        } else if (schemas.length > 1) {
            problems.error(at, `${show(entry)} names no schema; with several schemas write "schema.${what}"`);
            return;
        } else {
            return; // schemas is missing or invalid; reported there
        }
        const name = parseIdentifier(problems, at, parts[parts.length - 1], what);
        if (name === undefined) return;
        if (result.some((r) => r.schema === schema && r.name === name)) {
            problems.error(at, `${show(entry)} is listed twice`);
            return;
        }
        result.push({ schema, name });
    });
    return result;
}

function parseRotation(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value !== "string" || value.length === 0 || value.length > ROTATION_MAX_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
        problems.error(
            path,
            `${show(value)} is not a rotation trigger (a non-empty string of at most ${ROTATION_MAX_LENGTH} characters, e.g. "2026-11"; change it to rotate the password)`,
        );
        return undefined;
    }
    return value;
}

/** A file path: a non-empty string without control characters. */
export function parsePath(problems: Problems, path: string, value: unknown, what: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || value.length === 0 || value.length > 1024 || /[\u0000-\u001f\u007f]/.test(value)) {
        problems.error(path, `${show(value)} is not ${what} (a file path)`);
        return undefined;
    }
    return value;
}

/** Integrations never own tables, so none of them can be an object owner. */
export function checkOwnersAreNotIntegrations(problems: Problems, path: string, owners: string[] | undefined, integrations: IntegrationSpec[]): void {
    (owners ?? []).forEach((owner, o) => {
        if (integrations.some((i) => i.name === owner)) {
            problems.error(join(path, o), `${show(owner)} is an integration; integrations never create or own tables, so they are not object owners`);
        }
    });
}
