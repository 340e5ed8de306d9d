/**
 * Least-privileged database users for the integrations of an endpoint, the pure part:
 * validating what an integration asks for, the rules that depend on the database engine, the exact
 * grants each access level needs, and how the admin connection and the integrations' connection URLs
 * verify TLS. Nothing here registers a resource; `components/databaseIntegrations.ts` does.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as nodePath from "node:path";
import * as process from "node:process";
import { RDS_CA_BUNDLE, STACK_CA } from "../connection";
import { checkKnownKeys, isPlainObject, join, optionalArray, optionalInteger, patterns, Problems, show } from "../validation";

/** The engines integrations support, as the database providers see them. */
export type EngineName = "postgres" | "mysql";
export type AccessName = "read" | "write";
export type AdminConnectionMode = "endpoint" | "direct";

export const ENGINES: readonly EngineName[] = ["postgres", "mysql"];
export const ACCESS_LEVELS: readonly AccessName[] = ["read", "write"];
export const ADMIN_CONNECTION_MODES: readonly AdminConnectionMode[] = ["endpoint", "direct"];

export const INTEGRATION_KEYS = ["name", "access", "schemas", "tables", "sequences", "connectionLimit", "rotation", "sslRootCert"] as const;

/**
 * An integration's name is its database user name and part of Pulumi and Secrets Manager names. Lower
 * case, so that PostgreSQL never needs it quoted; at most 32 characters, MySQL's user-name limit.
 */
export const INTEGRATION_NAME = { maxLength: 32, pattern: /^[a-z][a-z0-9_]*$/ } as const;

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

export const CONNECTION_LIMIT = { min: 1, max: 10000 } as const;
export const ROTATION_MAX_LENGTH = 64;

/** Privileges per object, by access level. Never DDL (CREATE, ALTER, DROP), TRUNCATE, REFERENCES, TRIGGER or ownership. */
export const PRIVILEGES = {
    database: ["CONNECT"],
    schema: ["USAGE"],
    table: { read: ["SELECT"], write: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
    /** nextval()/currval() for serial columns; not setval() (that is UPDATE). */
    sequence: ["USAGE"],
} as const;

/** A table or sequence, by schema. */
export interface QualifiedName {
    schema: string;
    name: string;
}

export interface IntegrationSpec {
    /** Database user name, and the name of its secret. */
    name: string;
    access: AccessName;
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
    checkKnownKeys(problems, path, value, INTEGRATION_KEYS);
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

function parseAccess(problems: Problems, path: string, value: unknown): AccessName | undefined {
    if (value === undefined || value === null) {
        problems.error(path, 'is required: "read" or "write"');
        return undefined;
    }
    if (typeof value !== "string" || !(ACCESS_LEVELS as readonly string[]).includes(value)) {
        problems.error(path, `${show(value)} is not an access level; use "read" (SELECT) or "write" (SELECT, INSERT, UPDATE, DELETE)`);
        return undefined;
    }
    return value as AccessName;
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

/** The roles whose new tables follow the integrations' grants (PostgreSQL default privileges). */
export function parseObjectOwners(problems: Problems, path: string, value: unknown): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    const list = optionalArray(problems, path, value);
    if (!list) return undefined;
    if (list.length === 0) {
        problems.error(path, "is empty; list the roles that create tables, or leave it out to use the admin user");
        return undefined;
    }
    const owners: string[] = [];
    list.forEach((o, i) => {
        const owner = parseIdentifier(problems, join(path, i), o, "role");
        if (owner === undefined) return;
        if (owners.includes(owner)) {
            problems.error(join(path, i), `${show(owner)} is listed twice`);
            return;
        }
        owners.push(owner);
    });
    return owners;
}

/** `adminSecretArn`: a Secrets Manager secret ARN. */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+$/;

export function parseSecretArn(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || !SECRET_ARN.test(value)) {
        problems.error(
            path,
            `${show(value)} is not a Secrets Manager secret ARN such as "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc"`,
        );
        return undefined;
    }
    return value;
}

export function parseEnum<T extends string>(problems: Problems, path: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
        problems.error(path, `${show(value)} is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
        return undefined;
    }
    return value as T;
}

/** The engine integrations use for an RDS engine name, or undefined when integrations do not support it. */
export function engineOfRds(rdsEngine: string): EngineName | undefined {
    switch (rdsEngine) {
        case "postgres":
        case "aurora-postgresql":
            return "postgres";
        case "mysql":
        case "mariadb":
        case "aurora-mysql":
        case "aurora":
            return "mysql";
        default:
            return undefined;
    }
}
export const SUPPORTED_RDS_ENGINES = ["postgres", "aurora-postgresql", "mysql", "mariadb", "aurora-mysql"] as const;

/** What is known about the database when the engine-dependent rules are checked (config time or deploy time). */
export interface DatabaseFacts {
    engine: EngineName;
    /** An RDS instance (its certificate names the instance, not the endpoint). */
    rds: boolean;
    adminConnection: AdminConnectionMode;
    /** The database integrations are granted in; undefined when neither config nor RDS names one. */
    dbName?: string;
    /** Where `dbName` comes from when it is missing, for the message (e.g. `RDS instance prod-postgres`). */
    dbNameSource?: string;
    objectOwners?: string[];
    /** The admin user, once read from the admin secret. */
    adminUsername?: string;
}

/** Field paths of the settings the engine rules check: config (`endpoints[0].database`) or component args (""). */
export interface FactPaths {
    integrations: string;
    settings: string;
}

/**
 * The rules that depend on the engine and the admin user. Run at config time when the engine is in the
 * config (self-managed databases), and at deploy time for RDS (engine and database name come from the
 * instance) and for the admin user (from the admin secret).
 */
export function checkAgainstDatabase(problems: Problems, paths: FactPaths, facts: DatabaseFacts, integrations: IntegrationSpec[]): void {
    const setting = (key: string) => join(paths.settings, key);
    const item = (i: number, key: string) => join(join(paths.integrations, i), key);
    if (facts.engine === "postgres") {
        if (!facts.dbName) {
            problems.error(
                setting("dbName"),
                `is required for PostgreSQL: the database whose schemas the integrations use${facts.dbNameSource ? ` (${facts.dbNameSource} names none)` : ""}`,
            );
        }
    } else {
        if (facts.rds && facts.adminConnection === "endpoint") {
            problems.error(
                setting("adminConnection"),
                'is "endpoint", but the MySQL provider verifies a certificate only against the host it connects to, and an RDS certificate ' +
                    "names the instance, not the endpoint: the admin password would cross the internet over unauthenticated TLS. " +
                    'Deploy from inside the VPC with adminConnection: "direct"',
            );
        }
        if (facts.objectOwners !== undefined) {
            problems.error(
                setting("objectOwners"),
                "is not used with MySQL: a grant on schema.* already covers tables created later, whoever creates them",
            );
        }
        integrations.forEach((integration, i) => {
            if (integration.connectionLimit !== undefined) {
                problems.error(
                    item(i, "connectionLimit"),
                    "is not supported for MySQL users (the MySQL provider cannot set MAX_USER_CONNECTIONS); remove it",
                );
            }
            if (integration.sequences !== undefined) {
                problems.error(item(i, "sequences"), "is not used with MySQL, which has no sequences (AUTO_INCREMENT needs only INSERT)");
            }
        });
    }
    const admin = facts.adminUsername;
    integrations.forEach((integration, i) => {
        if (admin !== undefined && integration.name.toLowerCase() === admin.toLowerCase()) {
            problems.error(
                item(i, "name"),
                `${show(integration.name)} is the admin user of this database (the username in adminSecretArn); an integration gets its own user, never the admin's`,
            );
        }
    });
    checkOwnersAreNotIntegrations(problems, setting("objectOwners"), facts.objectOwners, integrations);
}

// ---------------------------------------------------------------------------------------------------------
// Grants

/** Who creates the tables that default privileges apply to: the admin user (known at deploy time) or a named role. */
export interface OwnerRef {
    /** Role name; undefined means the admin user. */
    role?: string;
    /** Short label for resource names. */
    label: string;
}

export interface PgGrantPlan {
    /** Resource name suffix, unique within one integration. */
    suffix: string;
    objectType: "database" | "schema" | "table" | "sequence";
    schema?: string;
    /** Undefined: every object of the type in the schema (existing ones; new ones come from default privileges). */
    objects?: string[];
    privileges: string[];
}

export interface PgDefaultPrivilegesPlan {
    suffix: string;
    objectType: "table" | "sequence";
    schema: string;
    owner: OwnerRef;
    privileges: string[];
}

export interface MysqlGrantPlan {
    suffix: string;
    /**
     * The MySQL database (the integration's "schema"), as the provider's `database` input: for a grant on
     * every table (`table` "*") the escaped pattern of {@link mysqlDatabasePattern}, else the name itself.
     */
    database: string;
    /** A table, or "*" for every table of the database, including tables created later. */
    table: string;
    privileges: string[];
}

export interface PostgresPlan {
    grants: PgGrantPlan[];
    defaultPrivileges: PgDefaultPrivilegesPlan[];
}

export function tablePrivileges(access: AccessName): string[] {
    return [...PRIVILEGES.table[access]];
}

/**
 * PostgreSQL, one integration: CONNECT on the database; USAGE on each schema; SELECT (read) or SELECT,
 * INSERT, UPDATE, DELETE (write) on the listed tables or on every table of each schema; for write, USAGE
 * on the sequences inserts draw from (listed ones, or every sequence of each schema). Without a table
 * list, default privileges make tables (and, for write, sequences) that `owners` create later follow
 * the same rule.
 */
export function planPostgresGrants(integration: IntegrationSpec, owners: OwnerRef[]): PostgresPlan {
    const grants: PgGrantPlan[] = [{ suffix: "connect", objectType: "database", privileges: [...PRIVILEGES.database] }];
    const defaultPrivileges: PgDefaultPrivilegesPlan[] = [];
    const tablePrivs = tablePrivileges(integration.access);
    for (const schema of integration.schemas) {
        grants.push({ suffix: `usage-${schema}`, objectType: "schema", schema, privileges: [...PRIVILEGES.schema] });
        const tables = integration.tables?.filter((t) => t.schema === schema).map((t) => t.name);
        grants.push({ suffix: `tables-${schema}`, objectType: "table", schema, ...(tables ? { objects: tables } : {}), privileges: tablePrivs });
        if (integration.access === "write") {
            if (!integration.tables) {
                grants.push({ suffix: `sequences-${schema}`, objectType: "sequence", schema, privileges: [...PRIVILEGES.sequence] });
            } else {
                const sequences = (integration.sequences ?? []).filter((s) => s.schema === schema).map((s) => s.name);
                if (sequences.length > 0) {
                    grants.push({ suffix: `sequences-${schema}`, objectType: "sequence", schema, objects: sequences, privileges: [...PRIVILEGES.sequence] });
                }
            }
        }
        if (!integration.tables) {
            for (const owner of owners) {
                defaultPrivileges.push({ suffix: `future-tables-${schema}-by-${owner.label}`, objectType: "table", schema, owner, privileges: tablePrivs });
                if (integration.access === "write") {
                    defaultPrivileges.push({
                        suffix: `future-sequences-${schema}-by-${owner.label}`,
                        objectType: "sequence",
                        schema,
                        owner,
                        privileges: [...PRIVILEGES.sequence],
                    });
                }
            }
        }
    }
    return { grants, defaultPrivileges };
}

/**
 * The database name of a MySQL database-level grant (`GRANT ... ON db.*`), escaped so that it names one
 * database. MySQL and MariaDB read that name as a LIKE pattern, in which `_` matches any one character and
 * `%` any string: `app_db.*` also grants `appXdb`, and `_____.*` the five-letter `mysql` system schema with
 * its password hashes. Each of `_`, `%` and `\` is preceded by `\` (`app\_db`), which MySQL's reference
 * manual gives as the way to name a database with `_` in it; MySQL with `partial_revokes` on reads the
 * escaped name the same way. A table-level grant (`db.table`) reads the database name literally and must
 * not be escaped.
 */
export function mysqlDatabasePattern(name: string): string {
    return name.replace(/[\\_%]/g, (c) => `\\${c}`);
}

/**
 * MySQL, one integration: SELECT (read) or SELECT, INSERT, UPDATE, DELETE (write) on `schema.*` (which
 * covers tables created later; the name escaped by {@link mysqlDatabasePattern}) or on each listed table.
 * MySQL has no CONNECT or schema USAGE privilege: a grant on an object is what lets the user see its
 * database.
 */
export function planMysqlGrants(integration: IntegrationSpec): MysqlGrantPlan[] {
    const privileges = tablePrivileges(integration.access);
    if (!integration.tables) {
        return integration.schemas.map((schema) => ({ suffix: `on-${schema}`, database: mysqlDatabasePattern(schema), table: "*", privileges }));
    }
    return integration.tables.map((t) => ({ suffix: `on-${t.schema}-${t.name}`, database: t.schema, table: t.name, privileges }));
}

/** Default-privilege owners: the listed roles, or the admin user. */
export function ownersOf(objectOwners: string[] | undefined): OwnerRef[] {
    if (objectOwners && objectOwners.length > 0) return objectOwners.map((role) => ({ role, label: role }));
    return [{ label: "admin" }];
}

// ---------------------------------------------------------------------------------------------------------
// Connections

/** TLS verification a connection performs: the certificate chain and its name, or the chain only. */
export type Verification = "full" | "ca";

export interface AdminConnectionFacts {
    engine: EngineName;
    mode: AdminConnectionMode;
    rds: boolean;
    endpointHostname: string;
    /**
     * The endpoint's load balancer DNS name, where the endpoint admin connection goes when it is known: it
     * resolves as soon as the load balancer exists, unlike a custom hostname whose record may not exist or
     * may not have reached the deployer's resolver yet.
     */
    loadBalancerDnsName?: string;
    endpointPort: number;
    /** RDS: the instance's own hostname (the name its certificate carries). */
    rdsAddress?: string;
    /** Self-managed, direct mode: the database's name inside the VPC, as on its certificate. */
    directHost?: string;
    databasePort: number;
}

export interface AdminConnectionSettings {
    host: string;
    port: number;
    verification: Verification;
    /** libpq/lib-pq sslmode for PostgreSQL; the go-sql-driver `tls` value for MySQL. */
    tlsMode: string;
}

/**
 * Where the database provider connects with the admin credential, and how much of the server's
 * certificate it can verify there. Through the endpoint it connects to the load balancer's DNS name when
 * given (else the endpoint hostname): a custom hostname may not resolve to a load balancer created by the
 * same deployment (its record is made by hand, or has not reached the deployer's resolver yet).
 * - endpoint, self-managed: the load balancer's DNS name, which the database's certificate (from the
 *   stack's CA) names beside every endpoint hostname: full verification.
 * - endpoint, RDS: RDS's certificate names the instance, and the providers cannot verify one name while
 *   connecting to another. PostgreSQL: `verify-ca` (the chain to the CA bundle, not the name: any
 *   certificate that CA issued passes), whichever name it connects to. MySQL: refused by
 *   {@link checkAgainstDatabase} (its provider has only full verification or none).
 * - direct (from inside the VPC): the RDS hostname, or the self-managed database's internal name
 *   (`directHost`), on the database port: full verification.
 */
export function adminConnectionSettings(f: AdminConnectionFacts): AdminConnectionSettings {
    let host: string;
    let port: number;
    let verification: Verification;
    if (f.mode === "endpoint") {
        host = f.loadBalancerDnsName || f.endpointHostname;
        port = f.endpointPort;
        verification = f.rds ? "ca" : "full";
    } else {
        const direct = f.rds ? f.rdsAddress : f.directHost;
        if (!direct) {
            throw new Error(f.rds ? "direct admin connection: the RDS instance's address is unknown" : "direct admin connection: directHost is required for a self-managed database");
        }
        host = direct;
        port = f.databasePort;
        verification = "full";
    }
    if (f.engine === "mysql" && verification !== "full") {
        throw new Error(`the MySQL provider cannot verify ${host}'s certificate (it names the RDS instance); use the direct admin connection`);
    }
    const tlsMode = f.engine === "postgres" ? (verification === "full" ? "verify-full" : "verify-ca") : "true";
    return { host, port, verification, tlsMode };
}

/**
 * RDS: the admin connection verifies the instance's certificate, issued by one of AWS's RDS CAs, which no
 * operating system's trust store holds, so the CA bundle must be given (`x509: certificate signed by
 * unknown authority` otherwise). Reports a missing `adminSslRootCert` at `path`.
 */
export function requireRdsAdminCa(problems: Problems, path: string, value: unknown): void {
    if (value !== undefined && value !== null) return;
    problems.error(
        path,
        "is required for an RDS database with integrations: the admin connection verifies the instance's certificate, which AWS's RDS " +
            `certificate authorities sign, and no system trust store holds them. Download ${RDS_CA_BUNDLE.url} ` +
            `and give its path on the machine that runs pulumi up (relative to the project directory, e.g. ${RDS_CA_BUNDLE.file})`,
    );
}

/**
 * The CA certificate directories Go's crypto/x509 reads on Linux when `SSL_CERT_DIR` is unset
 * (src/crypto/x509/root_linux.go). Go reads every file of each directory.
 */
export const GO_LINUX_CERT_DIRECTORIES: readonly string[] = ["/etc/ssl/certs", "/etc/pki/tls/certs"];

/** The environment the database provider plugins inherit from the Pulumi CLI, as this program sees it. */
export interface DeployerEnvironment {
    /** `process.platform`. */
    platform: string;
    /** `SSL_CERT_FILE`, `SSL_CERT_DIR`. */
    env: Record<string, string | undefined>;
    /** The directory relative paths are resolved from (the project directory, where `pulumi up` runs plugins). */
    cwd: string;
}

/**
 * MySQL: the provider cannot be given a CA bundle (its `tls` setting is only `true`, `false` or
 * `skip-verify`); with `true` it verifies against the trust store of the Go runtime it is built with. On
 * Linux that store is `SSL_CERT_FILE` (else the distribution's bundle) plus every file of the
 * `SSL_CERT_DIR` directories (else /etc/ssl/certs and /etc/pki/tls/certs). The provider inherits the
 * environment of the `pulumi` command, as this program does, so `bundle` is trusted when `SSL_CERT_FILE`
 * is that file or its directory is among those read. Returns false, reporting nothing, where Go uses the
 * operating system's verifier instead (macOS, Windows), which this program cannot inspect.
 */
export function checkMysqlTrustStore(problems: Problems, path: string, bundle: string, deployer: DeployerEnvironment): boolean {
    if (deployer.platform !== "linux") return false;
    const resolve = (p: string) => nodePath.resolve(deployer.cwd, p);
    const file = resolve(bundle);
    const certFile = deployer.env.SSL_CERT_FILE;
    if (certFile && resolve(certFile) === file) return true;
    const certDir = deployer.env.SSL_CERT_DIR;
    const directories = certDir ? certDir.split(":").filter((d) => d !== "") : GO_LINUX_CERT_DIRECTORIES;
    if (directories.some((d) => resolve(d) === nodePath.dirname(file))) return true;
    problems.error(
        path,
        `${show(bundle)} is not in the MySQL provider's trust store: the provider cannot be given a CA bundle (its tls setting is only ` +
            "true, false or skip-verify) and verifies against Go's, which reads SSL_CERT_FILE and the SSL_CERT_DIR directories " +
            `(now ${certFile ? show(certFile) : "unset"} and ${certDir ? show(certDir) : "unset"}). Run pulumi up with ` +
            `SSL_CERT_DIR=/etc/ssl/certs:${nodePath.dirname(file)} (keeping the system's CAs for the other providers)`,
    );
    return true;
}

/**
 * Where `pulumi up` writes the stack's CA bundle for the admin connection to a self-managed database that
 * has no `adminSslRootCert`: `<directory>/<project>-<stack>-<endpoint>-ca.pem`, directly in `directory` (the
 * user's own directory, infra/adminCaFile.ts `adminCaDirectory`). One file per project, stack and endpoint,
 * so the path the PostgreSQL provider keeps in its configuration (and so in the state) is the same at every
 * deployment by one user on one machine. Characters other than letters, digits, `.`, `_` and `-` become `_`,
 * so the name is one file name whatever the component is called.
 */
export function adminCaFilePath(directory: string, project: string, stack: string, endpoint: string): string {
    const part = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");
    return nodePath.join(directory, `${part(project)}-${part(stack)}-${part(endpoint)}-ca.pem`);
}

/** One or more PEM `CERTIFICATE` blocks and nothing else (whitespace between them). */
const CERTIFICATE_BUNDLE = /^\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/**
 * `adminCaCertificatePem`: a PEM bundle of CA certificates, such as the `caCertificate` stack output. The
 * value itself is never shown: a private key pasted by mistake must not reach the logs.
 */
export function parseCaBundle(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string" && /PRIVATE KEY-----/.test(value)) {
        problems.error(path, "holds a private key (not shown); give only the CA's certificates, e.g. the caCertificate stack output");
        return undefined;
    }
    if (typeof value !== "string" || !CERTIFICATE_BUNDLE.test(value)) {
        problems.error(
            path,
            `is not a PEM bundle of CA certificates (${typeof value === "string" ? `${value.length} characters, not shown` : show(value)}): ` +
                'expected one or more "-----BEGIN CERTIFICATE-----" blocks and nothing else',
        );
        return undefined;
    }
    return value;
}

/**
 * The warning `pulumi up` gives for a self-managed MySQL database without `adminSslRootCert`. The MySQL
 * provider cannot be given a CA bundle (see {@link checkMysqlTrustStore}), so the stack's CA, which issued the
 * database's certificate, must be in its trust store; this program cannot tell whether it is (it may have
 * been added to the system's), so it says what to do rather than refuse. `caFile`: where `pulumi up` wrote
 * the stack's CA bundle, when it was given one.
 */
export function selfManagedMysqlTrustWarning(caFile: string | undefined, platform: string): string {
    const linux = platform === "linux";
    const store = linux ? "Go's trust store" : `the operating system's trust store on ${platform}`;
    const head =
        "adminSslRootCert is not set: the MySQL provider cannot be given a CA bundle (its tls setting is only true, false or " +
        `skip-verify) and verifies the database's certificate, issued by the stack's CA, against ${store}, which holds that CA ` +
        'only if you added it there; otherwise the admin connection fails with "x509: certificate signed by unknown authority". ';
    const bundle = caFile
        ? `pulumi up wrote the stack's CA bundle (the caCertificate stack output) to ${caFile}`
        : "Save the stack's CA bundle (pulumi stack output caCertificate)";
    if (!linux) return `${head}${bundle}${caFile ? "; add it" : " and add it"} there (macOS: the System keychain, trusted for SSL)`;
    return (
        `${head}${bundle}${caFile ? ": copy it" : ""} into a directory of its own that only you can write, set adminSslRootCert ` +
        "to that file and run pulumi up with SSL_CERT_DIR=/etc/ssl/certs:<that directory> (keeping the system's CAs for the " +
        "other providers); pulumi up then checks that the provider's trust store reads it"
    );
}

/** PostgreSQL's SCRAM-SHA-256 iteration count (`scram_iterations`, the default since PostgreSQL 10). */
export const SCRAM_ITERATIONS = 4096;
/** PostgreSQL's salt length for SCRAM-SHA-256 verifiers, in bytes. */
export const SCRAM_SALT_BYTES = 16;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802, RFC 7677), in pg_authid's format
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64):
 * SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations), StoredKey = SHA-256(HMAC(SaltedPassword,
 * "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). `CREATE ROLE ... PASSWORD '<verifier>'`
 * stores it as given, so the plaintext never reaches the server's statement logs. PostgreSQL first
 * normalizes the password with SASLprep; printable ASCII without spaces is unchanged by it, and anything
 * else is refused here rather than risk a verifier the server would not match.
 */
export function scramSha256Verifier(password: string, salt: Buffer, iterations: number = SCRAM_ITERATIONS): string {
    if (!/^[\x21-\x7e]+$/.test(password)) {
        throw new Error("a SCRAM-SHA-256 verifier is only computed here for non-empty printable ASCII passwords without spaces (SASLprep leaves them unchanged)");
    }
    if (salt.length === 0) throw new Error("a SCRAM-SHA-256 verifier needs a non-empty salt");
    if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`${show(iterations)} is not a SCRAM iteration count`);
    const salted = crypto.pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
    const hmac = (key: Buffer, text: string) => crypto.createHmac("sha256", key).update(text, "utf8").digest();
    const storedKey = crypto.createHash("sha256").update(hmac(salted, "Client Key")).digest();
    const serverKey = hmac(salted, "Server Key");
    return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** The admin credential from `adminSecretArn` (RDS-managed master secrets hold JSON `{"username", "password"}`). */
export interface AdminCredential {
    username: string;
    password: string;
}

/** Parses the admin secret's text; the error names the secret, never its content. */
export function parseAdminSecret(text: string | undefined, secretArn: string): AdminCredential {
    let value: unknown;
    try {
        value = JSON.parse(text ?? "");
    } catch {
        throw new Error(`the admin secret ${secretArn} is not JSON; it must hold {"username": ..., "password": ...} like an RDS-managed master secret`);
    }
    if (!isPlainObject(value) || typeof value.username !== "string" || value.username === "" || typeof value.password !== "string" || value.password === "") {
        throw new Error(`the admin secret ${secretArn} has no non-empty "username" and "password" fields; it must hold them like an RDS-managed master secret`);
    }
    return { username: value.username, password: value.password };
}

/**
 * The CA bundle file a client verifies against when the integration names none: the same files the
 * endpoint's `tls` stack output tells clients to fetch (infra/connection.ts).
 */
export const DEFAULT_SSL_ROOT_CERT = {
    /** AWS's bundle of every RDS CA (`curl -fsSo global-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem`). */
    rds: RDS_CA_BUNDLE.file,
    /** The stack's own CA certificate (`pulumi stack output caCertificate > ca.pem`). */
    selfManaged: STACK_CA.file,
} as const;

export interface ClientConnectionFacts {
    engine: EngineName;
    rds: boolean;
    endpointHostname: string;
    endpointPort: number;
    /** The endpoint's fixed public IPv4 addresses (Elastic IPs); empty when it has none. */
    endpointAddresses: string[];
    rdsAddress?: string;
    dbName: string;
    username: string;
    password: string;
    sslRootCert: string;
}

/** What an integration's secret holds: the RDS secret fields, TLS settings and a ready URL. */
export interface ClientConnection {
    engine: EngineName;
    host: string;
    port: number;
    dbname: string;
    username: string;
    password: string;
    /** PostgreSQL sslmode, or MySQL ssl-mode, that `url` uses. */
    sslmode: string;
    /** CA bundle the client verifies against (a path on the client's side). */
    sslrootcert: string;
    /** The name the database's certificate carries. */
    tlsServerName: string;
    /** PostgreSQL, RDS with fixed endpoint addresses: the addresses libpq connects to while verifying `tlsServerName`. */
    hostaddr?: string;
    url: string;
}

function encodeQueryValue(value: string): string {
    return encodeURIComponent(value).replace(/%2F/gi, "/");
}

/**
 * An integration's connection through the endpoint, with the strongest verification its URL can carry:
 * - self-managed (the certificate names the endpoint hostname): PostgreSQL `verify-full`, MySQL
 *   `VERIFY_IDENTITY`, to the endpoint hostname.
 * - RDS, PostgreSQL, endpoint with Elastic IPs: `verify-full` of the instance's name while connecting to
 *   the endpoint's fixed addresses (libpq `host` + `hostaddr`).
 * - RDS otherwise: the URL can only verify the chain (`verify-ca` / `VERIFY_CA`); `tlsServerName` names
 *   what a client with a server-name setting can verify in full.
 */
export function clientConnection(f: ClientConnectionFacts): ClientConnection {
    const user = encodeURIComponent(f.username);
    const password = encodeURIComponent(f.password);
    const db = encodeURIComponent(f.dbName);
    const ca = encodeQueryValue(f.sslRootCert);
    const tlsServerName = f.rds ? f.rdsAddress ?? "" : f.endpointHostname;
    const base = {
        engine: f.engine,
        host: f.endpointHostname,
        port: f.endpointPort,
        dbname: f.dbName,
        username: f.username,
        password: f.password,
        sslrootcert: f.sslRootCert,
        tlsServerName,
    };
    if (f.engine === "postgres") {
        if (!f.rds) {
            return { ...base, sslmode: "verify-full", url: `postgresql://${user}:${password}@${f.endpointHostname}:${f.endpointPort}/${db}?sslmode=verify-full&sslrootcert=${ca}` };
        }
        if (f.endpointAddresses.length > 0) {
            const hosts = f.endpointAddresses.map(() => `${tlsServerName}:${f.endpointPort}`).join(",");
            const hostaddr = f.endpointAddresses.join(",");
            return {
                ...base,
                sslmode: "verify-full",
                hostaddr,
                url: `postgresql://${user}:${password}@${hosts}/${db}?hostaddr=${hostaddr}&sslmode=verify-full&sslrootcert=${ca}`,
            };
        }
        return { ...base, sslmode: "verify-ca", url: `postgresql://${user}:${password}@${f.endpointHostname}:${f.endpointPort}/${db}?sslmode=verify-ca&sslrootcert=${ca}` };
    }
    const mode = f.rds ? "VERIFY_CA" : "VERIFY_IDENTITY";
    return { ...base, sslmode: mode, url: `mysql://${user}:${password}@${f.endpointHostname}:${f.endpointPort}/${db}?ssl-mode=${mode}&ssl-ca=${ca}` };
}

/** A stable key for "the same database" across endpoints: two endpoints may reach one database. */
export function databaseKey(database: { kind: "rds"; rdsInstanceIdentifier: string } | { kind: "self-managed"; addresses: string[]; port: number }): string {
    return database.kind === "rds"
        ? `rds:${database.rdsInstanceIdentifier.toLowerCase()}`
        : `self-managed:${[...database.addresses].sort().join(",")}:${database.port}`;
}


// ---------------------------------------------------------------------------------------------------------
// Stack config: the database settings integrations need, next to the endpoint

/** Keys of an endpoint's `database` map that integrations use. */
export const DATABASE_ACCESS_KEYS = [
    "engine",
    "dbName",
    "adminSecretArn",
    "adminConnection",
    "adminHost",
    "adminSslRootCert",
    "objectOwners",
    "targetHealthTimeoutMinutes",
] as const;

/**
 * Minutes `pulumi up` waits, at most, for an endpoint's target to be healthy before it creates users through
 * the endpoint (`targetHealthTimeoutMinutes`); 0 turns the wait off. Registering a new target takes from tens
 * of seconds to a few minutes before its health checks start, and three checks 10 s apart must then pass.
 */
export const TARGET_HEALTH_TIMEOUT_MINUTES = { min: 0, max: 60, default: 10 } as const;

/** How `pulumi up` logs in to create the integrations' users. */
export interface AdminSpec {
    /** Secrets Manager secret with the admin login (`{"username", "password"}`). */
    secretArn: string;
    connection: AdminConnectionMode;
    /**
     * Self-managed database, direct connection: its hostname inside the VPC, as on its certificate.
     * Default: its first address (the stack's CA names the addresses in the certificate too).
     */
    host?: string;
    /**
     * CA bundle path on the deployer's machine that the admin connection verifies against; required for
     * RDS. PostgreSQL: given to the provider (self-managed default: the stack's CA bundle, written by
     * `pulumi up`). MySQL: checked to be in the provider's trust store.
     */
    sslRootCert?: string;
    /**
     * Endpoint connection: minutes `pulumi up` waits, at most, for the endpoint's target to be healthy before
     * the users are created (0: no wait). Unset: {@link TARGET_HEALTH_TIMEOUT_MINUTES}.default.
     */
    targetHealthTimeoutMinutes?: number;
}

/** The parts of an endpoint's `database` that integrations use; each key is present only when set. */
export interface DatabaseAccessSpec {
    /** Self-managed databases: the engine (RDS reads it from the instance). */
    engine?: EngineName;
    /** The database the integrations use (RDS default: the instance's DBName). */
    dbName?: string;
    /** Present when the endpoint declares integrations. */
    admin?: AdminSpec;
    /** PostgreSQL: roles whose new tables follow the integrations' grants (default: the admin user). */
    objectOwners?: string[];
}

/**
 * Reads an endpoint's `integrations` and the `database` settings they need. `kind` is the database's
 * kind when `database` itself is valid. For a self-managed database the engine is in the config, so the
 * engine rules are checked here too; for RDS they are checked at deployment, once the instance is read.
 * `deployerDirectory`: where a relative `adminSslRootCert` is looked for (the project directory, in which
 * Pulumi runs the program and the providers).
 */
export function parseDatabaseAccess(
    problems: Problems,
    databasePath: string,
    integrationsPath: string,
    rawDatabase: unknown,
    rawIntegrations: unknown,
    kind: "rds" | "self-managed" | undefined,
    deployerDirectory: string = process.cwd(),
): { database: DatabaseAccessSpec; integrations: IntegrationSpec[] } {
    const db = isPlainObject(rawDatabase) ? rawDatabase : {};
    const at = (key: string) => join(databasePath, key);
    const set = (key: string) => db[key] !== undefined && db[key] !== null;
    const integrations = parseIntegrations(problems, integrationsPath, rawIntegrations);
    const declared = Array.isArray(rawIntegrations) && rawIntegrations.length > 0;
    if (Array.isArray(rawIntegrations) && rawIntegrations.length === 0) {
        problems.warn(integrationsPath, "is empty: no database user is created");
    }

    const engine = parseEnum(problems, at("engine"), db.engine, ENGINES);
    if (set("engine") && kind === "rds") {
        problems.error(at("engine"), "is not used with rdsInstanceIdentifier: the engine is read from the instance");
    } else if (!set("engine") && kind === "self-managed" && declared) {
        problems.error(at("engine"), 'is required for a self-managed database with integrations: "postgres" or "mysql" (it decides how users and grants are made)');
    }
    const dbName = set("dbName") ? parseIdentifier(problems, at("dbName"), db.dbName, "database") : undefined;
    const secretArn = parseSecretArn(problems, at("adminSecretArn"), db.adminSecretArn);
    if (declared && !set("adminSecretArn")) {
        problems.error(
            at("adminSecretArn"),
            "is required with integrations: the Secrets Manager secret holding the admin login that creates their users (e.g. the RDS-managed master user secret)",
        );
    }
    const connection = parseEnum(problems, at("adminConnection"), db.adminConnection, ADMIN_CONNECTION_MODES) ?? "endpoint";
    let host: string | undefined;
    if (set("adminHost")) {
        if (kind === "rds") {
            problems.error(at("adminHost"), "is not used with rdsInstanceIdentifier: the direct connection goes to the instance's own hostname, the name on its certificate");
        } else if (typeof db.adminHost !== "string" || !patterns.hostname.test(db.adminHost)) {
            problems.error(at("adminHost"), `${show(db.adminHost)} is not a lower-case DNS name (the database's hostname inside the VPC, as on its certificate)`);
        } else {
            host = db.adminHost;
        }
    }
    const sslRootCert = parsePath(problems, at("adminSslRootCert"), db.adminSslRootCert, "a CA bundle path on the deployer's machine");
    if (declared && kind === "rds") requireRdsAdminCa(problems, at("adminSslRootCert"), db.adminSslRootCert);
    if (declared && sslRootCert !== undefined) checkAdminCaFileExists(problems, at("adminSslRootCert"), sslRootCert, deployerDirectory);
    const objectOwners = parseObjectOwners(problems, at("objectOwners"), db.objectOwners);
    const targetHealthTimeoutMinutes = optionalInteger(
        problems,
        at("targetHealthTimeoutMinutes"),
        db.targetHealthTimeoutMinutes,
        TARGET_HEALTH_TIMEOUT_MINUTES.min,
        TARGET_HEALTH_TIMEOUT_MINUTES.max,
    );

    if (declared && connection === "endpoint" && (!set("adminConnection") || db.adminConnection === "endpoint")) {
        // Whether the deployer's public address is admitted cannot be known offline: say so before pulumi up,
        // where a missing entry would only show as a connection timeout.
        problems.warn(
            at("adminConnection"),
            `is "endpoint"${set("adminConnection") ? "" : " (the default)"}: pulumi up creates the integrations' users through the endpoint, so the ` +
                `public address of the machine that runs it (a CI runner's egress address) must be admitted by ${join(endpointPathOf(databasePath), "allowedCidrs")}; ` +
                'nothing adds it for you. From inside the VPC, set adminConnection: "direct" instead',
        );
    } else if (declared && connection === "direct" && set("targetHealthTimeoutMinutes")) {
        problems.warn(at("targetHealthTimeoutMinutes"), 'has no effect with adminConnection: "direct", which does not go through the endpoint');
    }

    if (!declared) {
        for (const key of ["adminSecretArn", "adminConnection", "adminHost", "adminSslRootCert", "objectOwners", "targetHealthTimeoutMinutes"]) {
            if (set(key)) problems.warn(at(key), "is set but the endpoint declares no integrations; it is only used to create integration users");
        }
    } else if (kind === "self-managed" && engine) {
        checkAgainstDatabase(
            problems,
            { integrations: integrationsPath, settings: databasePath },
            { engine, rds: false, adminConnection: connection, dbName, objectOwners },
            integrations,
        );
    } else {
        checkOwnersAreNotIntegrations(problems, at("objectOwners"), objectOwners, integrations);
    }

    const admin: AdminSpec | undefined =
        declared && secretArn
            ? {
                  secretArn,
                  connection,
                  ...(host !== undefined ? { host } : {}),
                  ...(sslRootCert !== undefined ? { sslRootCert } : {}),
                  ...(targetHealthTimeoutMinutes !== undefined ? { targetHealthTimeoutMinutes } : {}),
              }
            : undefined;
    return {
        database: {
            ...(engine ? { engine } : {}),
            ...(dbName !== undefined ? { dbName } : {}),
            ...(admin ? { admin } : {}),
            ...(objectOwners ? { objectOwners } : {}),
        },
        integrations,
    };
}

/** `endpoints[0]` for `endpoints[0].database`. */
function endpointPathOf(databasePath: string): string {
    const dot = databasePath.lastIndexOf(".");
    return dot < 0 ? "" : databasePath.slice(0, dot);
}

/**
 * Warns when `file` (relative paths from `directory`, the project directory) is not a file on this
 * machine: the admin connection would fail at `pulumi up` (PostgreSQL cannot read its `sslrootcert`;
 * MySQL's trust store cannot hold it). A warning, not an error: a preview may run on a machine without it.
 */
export function checkAdminCaFileExists(problems: Problems, path: string, file: string, directory: string): void {
    const resolved = nodePath.resolve(directory, file);
    const where = resolved === file ? "" : ` (${resolved})`;
    let stat: fs.Stats | undefined;
    try {
        stat = fs.statSync(resolved, { throwIfNoEntry: false });
    } catch (e) {
        problems.warn(path, `${show(file)}${where} cannot be read on this machine (${(e as Error).message}); pulumi up's admin connection needs it`);
        return;
    }
    if (stat === undefined) {
        problems.warn(
            path,
            `${show(file)}${where} does not exist on this machine; pulumi up's admin connection verifies the database against it and fails ` +
                `without it. Put the CA bundle there before pulumi up${file === RDS_CA_BUNDLE.file ? ` (curl -fsSo ${RDS_CA_BUNDLE.file} ${RDS_CA_BUNDLE.url})` : ""}; a relative path is read from the project directory`,
        );
    } else if (!stat.isFile()) {
        problems.warn(path, `${show(file)}${where} is not a file; give the path of the CA bundle file`);
    }
}

/** Integrations never own tables, so none of them can be an object owner. */
export function checkOwnersAreNotIntegrations(problems: Problems, path: string, owners: string[] | undefined, integrations: IntegrationSpec[]): void {
    (owners ?? []).forEach((owner, o) => {
        if (integrations.some((i) => i.name === owner)) {
            problems.error(join(path, o), `${show(owner)} is an integration; integrations never create or own tables, so they are not object owners`);
        }
    });
}

/**
 * One database user per integration and database: two endpoints that reach the same database must not
 * declare the same integration name (both would create, and fight over, one user).
 */
export function checkIntegrationsAcrossEndpoints(
    problems: Problems,
    endpoints: { path: string; databaseKey: string; integrations: IntegrationSpec[] }[],
): void {
    const seen = new Map<string, string>();
    for (const e of endpoints) {
        e.integrations.forEach((integration, i) => {
            const key = `${e.databaseKey}|${integration.name}`;
            const first = seen.get(key);
            if (first !== undefined) {
                problems.error(
                    `${e.path}.integrations[${i}].name`,
                    `${show(integration.name)} is already an integration of ${first}, which reaches the same database (${e.databaseKey}); one database user per integration`,
                );
            } else {
                seen.set(key, e.path);
            }
        });
    }
}
