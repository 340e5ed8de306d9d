/**
 * The grants each integration gets, per access level and engine (infra/integrations/grants.ts): exactly
 * the privileges its access needs on the listed schemas or tables, and default privileges for tables created later;
 * and the same described for a reviewer (the offline plan).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeGrants, ownersOf, planMysqlGrants, planPostgresGrants } from "../../infra/integrations/grants";
import { IntegrationSpec } from "../../infra/integrations/integrationSpec";
import { IntegrationAccess } from "../../infra/enums";

const read: IntegrationSpec = { name: "metabase", access: IntegrationAccess.Read, schemas: ["public"], tables: [{ schema: "public", name: "orders" }] };
const writeAll: IntegrationSpec = { name: "etl", access: IntegrationAccess.Write, schemas: ["public", "staging"] };
const writeTables: IntegrationSpec = {
    name: "loader",
    access: IntegrationAccess.Write,
    schemas: ["public", "staging"],
    tables: [
        { schema: "public", name: "events" },
        { schema: "staging", name: "raw" },
    ],
    sequences: [{ schema: "public", name: "events_id_seq" }],
};
const DML = ["SELECT", "INSERT", "UPDATE", "DELETE"];

describe("PostgreSQL grants", () => {
    it("read with tables: CONNECT, USAGE, SELECT on exactly those tables, nothing for later tables", () => {
        assert.deepEqual(planPostgresGrants(read, ownersOf(undefined)), {
            grants: [
                { suffix: "connect", objectType: "database", privileges: ["CONNECT"] },
                { suffix: "usage-public", objectType: "schema", schema: "public", privileges: ["USAGE"] },
                { suffix: "tables-public", objectType: "table", schema: "public", objects: ["orders"], privileges: ["SELECT"] },
            ],
            defaultPrivileges: [],
        });
    });

    it("write on whole schemas: DML and sequence USAGE on every object, and default privileges per schema and owner", () => {
        const plan = planPostgresGrants(writeAll, ownersOf(["app_owner", "migrator"]));
        assert.deepEqual(plan.grants, [
            { suffix: "connect", objectType: "database", privileges: ["CONNECT"] },
            { suffix: "usage-public", objectType: "schema", schema: "public", privileges: ["USAGE"] },
            { suffix: "tables-public", objectType: "table", schema: "public", privileges: DML },
            { suffix: "sequences-public", objectType: "sequence", schema: "public", privileges: ["USAGE"] },
            { suffix: "usage-staging", objectType: "schema", schema: "staging", privileges: ["USAGE"] },
            { suffix: "tables-staging", objectType: "table", schema: "staging", privileges: DML },
            { suffix: "sequences-staging", objectType: "sequence", schema: "staging", privileges: ["USAGE"] },
        ]);
        const owner = (role: string) => ({ role, label: role });
        assert.deepEqual(plan.defaultPrivileges, [
            { suffix: "future-tables-public-by-app_owner", objectType: "table", schema: "public", owner: owner("app_owner"), privileges: DML },
            { suffix: "future-sequences-public-by-app_owner", objectType: "sequence", schema: "public", owner: owner("app_owner"), privileges: ["USAGE"] },
            { suffix: "future-tables-public-by-migrator", objectType: "table", schema: "public", owner: owner("migrator"), privileges: DML },
            { suffix: "future-sequences-public-by-migrator", objectType: "sequence", schema: "public", owner: owner("migrator"), privileges: ["USAGE"] },
            { suffix: "future-tables-staging-by-app_owner", objectType: "table", schema: "staging", owner: owner("app_owner"), privileges: DML },
            { suffix: "future-sequences-staging-by-app_owner", objectType: "sequence", schema: "staging", owner: owner("app_owner"), privileges: ["USAGE"] },
            { suffix: "future-tables-staging-by-migrator", objectType: "table", schema: "staging", owner: owner("migrator"), privileges: DML },
            { suffix: "future-sequences-staging-by-migrator", objectType: "sequence", schema: "staging", owner: owner("migrator"), privileges: ["USAGE"] },
        ]);
    });

    it("write with tables: per-schema table lists, and USAGE only on the listed sequences", () => {
        assert.deepEqual(planPostgresGrants(writeTables, ownersOf(undefined)), {
            grants: [
                { suffix: "connect", objectType: "database", privileges: ["CONNECT"] },
                { suffix: "usage-public", objectType: "schema", schema: "public", privileges: ["USAGE"] },
                { suffix: "tables-public", objectType: "table", schema: "public", objects: ["events"], privileges: DML },
                { suffix: "sequences-public", objectType: "sequence", schema: "public", objects: ["events_id_seq"], privileges: ["USAGE"] },
                { suffix: "usage-staging", objectType: "schema", schema: "staging", privileges: ["USAGE"] },
                { suffix: "tables-staging", objectType: "table", schema: "staging", objects: ["raw"], privileges: DML },
            ],
            defaultPrivileges: [],
        });
    });

    it("defaults the owner of future tables to the admin user", () => {
        assert.deepEqual(ownersOf(undefined), [{ label: "admin" }]);
        assert.deepEqual(ownersOf([]), [{ label: "admin" }]);
        const plan = planPostgresGrants({ name: "r", access: IntegrationAccess.Read, schemas: ["public"] }, ownersOf(undefined));
        assert.deepEqual(plan.defaultPrivileges, [
            { suffix: "future-tables-public-by-admin", objectType: "table", schema: "public", owner: { label: "admin" }, privileges: ["SELECT"] },
        ]);
    });

    it("never plans DDL, ownership, TRUNCATE, REFERENCES, TRIGGER or TEMPORARY, whatever the integration", () => {
        const allowed = new Set(["CONNECT", "USAGE", "SELECT", "INSERT", "UPDATE", "DELETE"]);
        for (const integration of [read, writeAll, writeTables]) {
            const plan = planPostgresGrants(integration, ownersOf(["app"]));
            for (const g of [...plan.grants, ...plan.defaultPrivileges]) {
                for (const p of g.privileges) assert.ok(allowed.has(p), `${integration.name} ${g.suffix}: ${p}`);
            }
            for (const g of planMysqlGrants(integration)) {
                for (const p of g.privileges) assert.ok(allowed.has(p), `${integration.name} ${g.suffix}: ${p}`);
            }
        }
    });
});
describe("MySQL grants", () => {
    it("a database-wide grant per schema without tables (it covers later tables), one per table with them", () => {
        assert.deepEqual(planMysqlGrants({ name: "looker", access: IntegrationAccess.Read, schemas: ["shop", "catalog"] }), [
            { suffix: "on-shop", database: "shop", table: "*", privileges: ["SELECT"] },
            { suffix: "on-catalog", database: "catalog", table: "*", privileges: ["SELECT"] },
        ]);
        assert.deepEqual(planMysqlGrants(writeTables), [
            { suffix: "on-public-events", database: "public", table: "events", privileges: DML },
            { suffix: "on-staging-raw", database: "staging", table: "raw", privileges: DML },
        ]);
    });
});

describe("the grants described for a reviewer", () => {
    const read: IntegrationSpec = { name: "metabase", access: IntegrationAccess.Read, schemas: ["public"], tables: [{ schema: "public", name: "orders" }] };
    const write: IntegrationSpec = { name: "etl", access: IntegrationAccess.Write, schemas: ["app_db"] };

    it("PostgreSQL: one line per grant and default privilege, in the order they are made, the database named or read at deploy", () => {
        assert.deepEqual(describeGrants(read, "postgres", "app", ownersOf(undefined)).grants, ["CONNECT ON DATABASE app", "USAGE ON SCHEMA public", "SELECT ON TABLE public.orders"]);
        const d = describeGrants(write, "postgres", undefined, ownersOf(["migrator"]));
        assert.deepEqual(d.grants, [
            "CONNECT ON DATABASE the instance's database (DBName, read at deploy)",
            "USAGE ON SCHEMA app_db",
            "SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app_db",
            "USAGE ON ALL SEQUENCES IN SCHEMA app_db",
            "SELECT, INSERT, UPDATE, DELETE ON TABLES that migrator creates in schema app_db later (default privileges)",
            "USAGE ON SEQUENCES that migrator creates in schema app_db later (default privileges)",
        ]);
        assert.equal(d.grants.length, planPostgresGrants(write, ownersOf(["migrator"])).grants.length + planPostgresGrants(write, ownersOf(["migrator"])).defaultPrivileges.length);
        assert.match(describeGrants({ ...read, connectionLimit: 5 }, "postgres", "app", ownersOf(undefined)).user, /without SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS, at most 5 connections$/);
    });

    it("MySQL: the escaped database pattern a grant is made on, and the user's REQUIRE SSL", () => {
        const d = describeGrants(write, "mysql", undefined, ownersOf(undefined));
        assert.deepEqual(d.grants, ["SELECT, INSERT, UPDATE, DELETE ON app\\_db.* (every table of database app_db, also those created later)"]);
        assert.equal(describeGrants(read, "mysql", undefined, ownersOf(undefined)).grants[0], "SELECT ON public.orders");
        assert.match(d.user, /'etl'@'%' .*REQUIRE SSL/);
    });
});
