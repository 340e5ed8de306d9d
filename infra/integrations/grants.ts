/**
 * The grants each integration is given, planned per engine: the privileges of each access level, the
 * PostgreSQL grants and default privileges, and the MySQL grants with their escaped database names.
 */
import type { IntegrationSpec } from "./integrationSpec";
import type { IntegrationAccess } from "../enums";
/** Privileges per object, by access level. Never DDL (CREATE, ALTER, DROP), TRUNCATE, REFERENCES, TRIGGER or ownership. */
export const PRIVILEGES = {
    database: ["CONNECT"],
    schema: ["USAGE"],
    table: { read: ["SELECT"], write: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
    /** nextval()/currval() for serial columns; not setval() (that is UPDATE). */
    sequence: ["USAGE"],
} as const;
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

export function tablePrivileges(access: IntegrationAccess): string[] {
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

/** The statements one integration is given on one engine, in words a reviewer reads, in the order they are made. */
export interface GrantDescription {
    /** The user: how it logs in and what limits it. */
    user: string;
    /** One line per grant or default privilege. */
    grants: string[];
}

/**
 * {@link planPostgresGrants} or {@link planMysqlGrants} of `integration`, described. `dbName`: the PostgreSQL
 * database the grants are in (undefined: read from the RDS instance at deploy); `owners`: whose new tables the
 * default privileges follow.
 */
export function describeGrants(integration: IntegrationSpec, engine: "postgres" | "mysql", dbName: string | undefined, owners: OwnerRef[]): GrantDescription {
    const list = (names: string[] | undefined, schema: string) => (names ?? []).map((n) => `${schema}.${n}`).join(", ");
    if (engine === "mysql") {
        return {
            user: `MySQL user '${integration.name}'@'%' with a generated password, REQUIRE SSL (refused over a plain connection)`,
            grants: planMysqlGrants(integration).map((g) =>
                g.table === "*"
                    ? `${g.privileges.join(", ")} ON ${g.database}.* (every table of database ${g.database.replace(/\\(.)/g, "$1")}, also those created later)`
                    : `${g.privileges.join(", ")} ON ${g.database}.${g.table}`,
            ),
        };
    }
    const plan = planPostgresGrants(integration, owners);
    const database = dbName ?? "the instance's database (DBName, read at deploy)";
    const grants = plan.grants.map((g) => {
        const privileges = g.privileges.join(", ");
        switch (g.objectType) {
            case "database":
                return `${privileges} ON DATABASE ${database}`;
            case "schema":
                return `${privileges} ON SCHEMA ${g.schema}`;
            case "table":
                return g.objects ? `${privileges} ON TABLE ${list(g.objects, g.schema!)}` : `${privileges} ON ALL TABLES IN SCHEMA ${g.schema}`;
            default:
                return g.objects ? `${privileges} ON SEQUENCE ${list(g.objects, g.schema!)}` : `${privileges} ON ALL SEQUENCES IN SCHEMA ${g.schema}`;
        }
    });
    for (const d of plan.defaultPrivileges) {
        const who = d.owner.role ?? "the admin user";
        grants.push(`${d.privileges.join(", ")} ON ${d.objectType === "table" ? "TABLES" : "SEQUENCES"} that ${who} creates in schema ${d.schema} later (default privileges)`);
    }
    const limit = integration.connectionLimit !== undefined ? `, at most ${integration.connectionLimit} connections` : "";
    return { user: `PostgreSQL login role ${integration.name} with a generated password (stored as a SCRAM-SHA-256 verifier), without SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS${limit}`, grants };
}
