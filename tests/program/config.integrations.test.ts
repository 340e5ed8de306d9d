/**
 * Integrations in the stack config: what parseStackConfig makes of them, and every class of
 * bad input, each pinned to its exact field path and message, all reported at once before any resource.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { decodeStackConfig, parseStackConfig } from "../../infra/program/config";
import { ValidationError } from "../../infra/validation";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc";
const CIDRS = ["203.0.113.0/24"];

function config(endpoints: unknown[]) {
    // Alarms notify an existing topic: without one, every config warns that they notify no one.
    return {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
        endpoints,
        alarms: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012:oncall" },
    };
}

function errorsOf(endpoints: unknown[]): string[] {
    try {
        parseStackConfig(config(endpoints));
    } catch (e) {
        assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${e}`);
        return e.problems.map((p) => `${p.path}: ${p.message}`);
    }
    assert.fail("expected the config to be refused");
}

const BUNDLE = "global-bundle.pem";
const rds = (database: Record<string, unknown> = {}) => ({ rdsInstanceIdentifier: "prod-postgres", adminSecretArn: ARN, adminSslRootCert: BUNDLE, ...database });
const metabase = { name: "metabase", access: "read", schemas: ["public"] };

/** One RDS endpoint with these integrations. */
function withIntegrations(integrations: unknown, database: Record<string, unknown> = {}) {
    return [{ name: "reporting", database: rds(database), allowedCidrs: CIDRS, integrations }];
}

describe("parseStackConfig with integrations accepts", () => {
    it("the example stack's integrations: names, access, schemas, tables (qualified by the one schema), the admin secret", () => {
        // Run from a project directory that holds the RDS bundle, as the README asks (no warning about it).
        const saved = process.cwd();
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-config-"));
        fs.writeFileSync(path.join(project, BUNDLE), "");
        let parsed: ReturnType<typeof parseStackConfig>;
        try {
            process.chdir(project);
            parsed = parseStackConfig(
                config(
                    withIntegrations([
                        { name: "metabase", access: "read", schemas: ["public"], tables: ["orders", "customers"] },
                        { name: "fivetran", access: "read", schemas: ["public", "billing"] },
                    ]),
                ),
            );
        } finally {
            process.chdir(saved);
            fs.rmSync(project, { recursive: true, force: true });
        }
        const { spec, warnings } = parsed;
        const e = spec.endpoints[0];
        assert.deepEqual(e.database, {
            kind: "rds",
            rdsInstanceIdentifier: "prod-postgres",
            securityGroupId: undefined,
            admin: { secretArn: ARN, connection: "endpoint", sslRootCert: BUNDLE },
        });
        assert.deepEqual(e.integrations, [
            {
                name: "metabase",
                access: "read",
                schemas: ["public"],
                tables: [
                    { schema: "public", name: "orders" },
                    { schema: "public", name: "customers" },
                ],
            },
            { name: "fivetran", access: "read", schemas: ["public", "billing"] },
        ]);
        // The plan-time note that the admin connection goes through the endpoint (tests/integrations/databaseAccess.test.ts).
        assert.deepEqual(
            warnings.map((w) => w.path),
            ["endpoints[0].database.adminConnection"],
        );
    });

    it("every optional setting of a self-managed PostgreSQL database and a write integration", () => {
        const { spec } = parseStackConfig(
            config([
                {
                    name: "legacy",
                    database: {
                        addresses: ["10.0.3.17"],
                        port: 5432,
                        engine: "postgres",
                        dbName: "app",
                        adminSecretArn: ARN,
                        adminConnection: "direct",
                        adminHost: "db1.internal.example.com",
                        adminSslRootCert: "/etc/ssl/db-endpoints-ca.pem",
                        objectOwners: ["app_owner"],
                    },
                    allowedCidrs: CIDRS,
                    integrations: [
                        {
                            name: "writer",
                            access: "write",
                            schemas: ["public", "staging"],
                            tables: ["public.orders", "staging.imports"],
                            sequences: ["public.orders_id_seq"],
                            connectionLimit: 10,
                            rotation: 2026,
                            sslRootCert: "/opt/writer/ca.pem",
                        },
                    ],
                },
            ]),
        );
        const e = spec.endpoints[0];
        assert.deepEqual(e.database, {
            kind: "self-managed",
            addresses: ["10.0.3.17"],
            port: 5432,
            securityGroupId: undefined,
            engine: "postgres",
            dbName: "app",
            admin: { secretArn: ARN, connection: "direct", host: "db1.internal.example.com", sslRootCert: "/etc/ssl/db-endpoints-ca.pem" },
            objectOwners: ["app_owner"],
        });
        assert.deepEqual(e.integrations, [
            {
                name: "writer",
                access: "write",
                schemas: ["public", "staging"],
                tables: [
                    { schema: "public", name: "orders" },
                    { schema: "staging", name: "imports" },
                ],
                sequences: [{ schema: "public", name: "orders_id_seq" }],
                connectionLimit: 10,
                rotation: "2026",
                sslRootCert: "/opt/writer/ca.pem",
            },
        ]);
    });

    it("an endpoint without integrations as before, warning about admin settings nothing uses", () => {
        const { spec, warnings } = parseStackConfig(
            config([
                { name: "reporting", database: { rdsInstanceIdentifier: "prod-postgres", adminSecretArn: ARN, adminConnection: "direct" }, allowedCidrs: CIDRS },
                { name: "empty", database: { addresses: ["10.0.3.19"], port: 5432 }, allowedCidrs: CIDRS, integrations: [] },
            ]),
        );
        assert.equal("integrations" in spec.endpoints[0], false);
        assert.equal("integrations" in spec.endpoints[1], false);
        assert.deepEqual(spec.endpoints[0].database, { kind: "rds", rdsInstanceIdentifier: "prod-postgres", securityGroupId: undefined });
        assert.deepEqual(
            warnings.map((w) => `${w.path}: ${w.message}`),
            [
                "endpoints[0].database.adminSecretArn: is set but the endpoint declares no integrations; it is only used to create integration users",
                "endpoints[0].database.adminConnection: is set but the endpoint declares no integrations; it is only used to create integration users",
                "endpoints[1].integrations: is empty: no database user is created",
            ],
        );
    });

    it("adminSslRootCert on a MySQL database: the provider cannot take it, pulumi up checks that its trust store holds it", () => {
        const { spec } = parseStackConfig(
            config([
                {
                    name: "legacy",
                    database: { addresses: ["10.0.3.17"], port: 3306, engine: "mysql", adminSecretArn: ARN, adminSslRootCert: "/opt/db-ca/ca.pem" },
                    allowedCidrs: CIDRS,
                    integrations: [{ name: "looker", access: "read", schemas: ["shop"] }],
                },
            ]),
        );
        assert.deepEqual((spec.endpoints[0].database as { admin?: unknown }).admin, { secretArn: ARN, connection: "endpoint", sslRootCert: "/opt/db-ca/ca.pem" });
    });

    it("the same integration name on two different databases", () => {
        const { spec } = parseStackConfig(
            config([
                { name: "a", database: rds(), allowedCidrs: CIDRS, integrations: [metabase] },
                { name: "b", database: rds({ rdsInstanceIdentifier: "other-postgres" }), allowedCidrs: CIDRS, integrations: [metabase] },
            ]),
        );
        assert.deepEqual(spec.endpoints.map((e) => e.integrations?.[0].name), ["metabase", "metabase"]);
    });

    it("a rotation written as a number (YAML's `rotation: 3`), passed to the component as the string a C# program would write", () => {
        const raw = config(withIntegrations([{ ...metabase, rotation: 3 }, { ...metabase, name: "looker", rotation: "2026-11" }]));
        const { args, spec } = decodeStackConfig(raw);
        assert.deepEqual(
            (args.endpoints as unknown as { integrations: { rotation?: unknown }[] }[])[0].integrations.map((i) => i.rotation),
            ["3", "2026-11"],
        );
        assert.deepEqual(spec.endpoints[0].integrations?.map((i) => i.rotation), ["3", "2026-11"]);
        // The config itself is left as written.
        assert.equal((raw.endpoints as { integrations: { rotation: unknown }[] }[])[0].integrations[0].rotation, 3);
    });
});

describe("parseStackConfig with integrations refuses", () => {
    it("an integration that is not a map, unknown fields, and a non-list", () => {
        assert.deepEqual(errorsOf(withIntegrations(["metabase", { ...metabase, acess: "read" }])), [
            'endpoints[0].integrations[0]: "metabase" is not an integration (a map with name, access, schemas and optionally tables)',
            'endpoints[0].integrations[1].acess: unknown field (did you mean "access"?); known fields: name, access, schemas, tables, sequences, connectionLimit, rotation, sslRootCert',
        ]);
        assert.deepEqual(errorsOf(withIntegrations("metabase")), ['endpoints[0].integrations: "metabase" is not a list']);
    });

    it("unknown and missing access levels", () => {
        assert.deepEqual(
            errorsOf(
                withIntegrations([
                    { ...metabase, access: "READ" },
                    { name: "b", access: "admin", schemas: ["public"] },
                    { name: "c", schemas: ["public"] },
                ]),
            ),
            [
                'endpoints[0].integrations[0].access: "READ" is not an access level; use "read" (SELECT) or "write" (SELECT, INSERT, UPDATE, DELETE)',
                'endpoints[0].integrations[1].access: "admin" is not an access level; use "read" (SELECT) or "write" (SELECT, INSERT, UPDATE, DELETE)',
                'endpoints[0].integrations[2].access: is required: "read" or "write"',
            ],
        );
    });

    it("missing, empty, duplicate, system and invalid schemas", () => {
        assert.deepEqual(
            errorsOf(
                withIntegrations([
                    { name: "a", access: "read" },
                    { name: "b", access: "read", schemas: [] },
                    { name: "c", access: "read", schemas: ["public", "public", "pg_catalog", "information_schema", "mysql", "pg_temp_1", "My-Schema", 7] },
                ]),
            ),
            [
                'endpoints[0].integrations[0].schemas: is required: the schemas (MySQL: databases) the integration may use, e.g. ["public"]',
                "endpoints[0].integrations[1].schemas: is empty; list the schemas (MySQL: databases) the integration may use",
                'endpoints[0].integrations[2].schemas[1]: "public" is listed twice',
                'endpoints[0].integrations[2].schemas[2]: "pg_catalog" is a system schema of the engine, not data an integration is given',
                'endpoints[0].integrations[2].schemas[3]: "information_schema" is a system schema of the engine, not data an integration is given',
                'endpoints[0].integrations[2].schemas[4]: "mysql" is a system schema of the engine, not data an integration is given',
                'endpoints[0].integrations[2].schemas[5]: "pg_temp_1" is a system schema of the engine, not data an integration is given',
                'endpoints[0].integrations[2].schemas[6]: "My-Schema" is not a schema name this tool accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters',
                "endpoints[0].integrations[2].schemas[7]: 7 is not a schema name this tool accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters",
            ],
        );
    });

    it("duplicate integration names within an endpoint", () => {
        assert.deepEqual(errorsOf(withIntegrations([metabase, { name: "fivetran", access: "read", schemas: ["public"] }, { ...metabase, access: "write" }])), [
            'endpoints[0].integrations[2].name: "metabase" is already the name of endpoints[0].integrations[0]; each integration gets its own database user, so names must be unique',
        ]);
    });

    it("duplicate integration names across endpoints that reach the same database", () => {
        assert.deepEqual(
            errorsOf([
                { name: "a", database: rds(), allowedCidrs: CIDRS, integrations: [metabase] },
                { name: "b", database: rds({ rdsInstanceIdentifier: "PROD-postgres" }), allowedCidrs: CIDRS, integrations: [{ ...metabase, name: "other" }, metabase] },
                { name: "c", database: { addresses: ["10.0.3.18", "10.0.3.17"], port: 5432, engine: "postgres", dbName: "app", adminSecretArn: ARN }, allowedCidrs: CIDRS, integrations: [metabase] },
                { name: "d", database: { addresses: ["10.0.3.17", "10.0.3.18"], port: 5432, engine: "postgres", dbName: "app", adminSecretArn: ARN }, allowedCidrs: CIDRS, integrations: [metabase] },
            ]),
            [
                'endpoints[1].integrations[1].name: "metabase" is already an integration of endpoints[0], which reaches the same database (rds:prod-postgres); one database user per integration',
                'endpoints[3].integrations[0].name: "metabase" is already an integration of endpoints[2], which reaches the same database (self-managed:10.0.3.17,10.0.3.18:5432); one database user per integration',
            ],
        );
    });

    it("names of engine, RDS and system users, and invalid or too long user names", () => {
        const named = (...names: unknown[]) => names.map((name) => ({ name, access: "read", schemas: ["public"] }));
        const reserved = "for the engine's or RDS's own users; an integration never shares or impersonates an administrative login";
        assert.deepEqual(
            errorsOf(withIntegrations(named("postgres", "Postgres", "rdsadmin", "root", "public", "mysql.sys", "mariadb.sys", "pg_monitor", "rds_superuser", "Metabase", "meta-base", "1st", "e".repeat(33), 42, ""))),
            [
                `endpoints[0].integrations[0].name: "postgres" is reserved ${reserved}`,
                `endpoints[0].integrations[1].name: "Postgres" is reserved ${reserved}`,
                `endpoints[0].integrations[2].name: "rdsadmin" is reserved ${reserved}`,
                `endpoints[0].integrations[3].name: "root" is reserved ${reserved}`,
                `endpoints[0].integrations[4].name: "public" is reserved ${reserved}`,
                `endpoints[0].integrations[5].name: "mysql.sys" starts with "mysql.", which is reserved ${reserved}`,
                `endpoints[0].integrations[6].name: "mariadb.sys" starts with "mariadb.", which is reserved ${reserved}`,
                `endpoints[0].integrations[7].name: "pg_monitor" starts with "pg_", which is reserved ${reserved}`,
                `endpoints[0].integrations[8].name: "rds_superuser" starts with "rds_", which is reserved ${reserved}`,
                'endpoints[0].integrations[9].name: "Metabase" is not a valid user name: use lower-case letters, digits and underscores, starting with a letter',
                'endpoints[0].integrations[10].name: "meta-base" is not a valid user name: use lower-case letters, digits and underscores, starting with a letter',
                'endpoints[0].integrations[11].name: "1st" is not a valid user name: use lower-case letters, digits and underscores, starting with a letter',
                `endpoints[0].integrations[12].name: "${"e".repeat(33)}" is 33 characters; at most 32 fit a MySQL user name`,
                "endpoints[0].integrations[13].name: 42 is not a name (a string)",
                'endpoints[0].integrations[14].name: is required (the database user name, e.g. "metabase")',
            ],
        );
    });

    it("tables and sequences that are invalid, unqualified among several schemas, outside the schemas, or duplicated", () => {
        assert.deepEqual(
            errorsOf(
                withIntegrations([
                    {
                        name: "a",
                        access: "write",
                        schemas: ["public", "billing"],
                        tables: ["orders", "sales.x", "billing.Invoices", "billing.invoices", "billing.invoices", "public.orders;drop", "a.b.c", 5],
                        sequences: ["seq", "public.orders_id_seq"],
                    },
                    { name: "b", access: "read", schemas: ["public"], tables: [] },
                    { name: "c", access: "write", schemas: ["public"], tables: ["t"], sequences: [] },
                ]),
            ),
            [
                'endpoints[0].integrations[0].tables[0]: "orders" names no schema; with several schemas write "schema.table"',
                'endpoints[0].integrations[0].tables[1]: "sales.x" is in schema "sales", which is not in schemas',
                'endpoints[0].integrations[0].tables[2]: "Invoices" is not a table name this tool accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters',
                'endpoints[0].integrations[0].tables[4]: "billing.invoices" is listed twice',
                'endpoints[0].integrations[0].tables[5]: "orders;drop" is not a table name this tool accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters',
                'endpoints[0].integrations[0].tables[6]: "a.b.c" is not "table" or "schema.table"',
                'endpoints[0].integrations[0].tables[7]: 5 is not a table name (a string, "table" or "schema.table")',
                'endpoints[0].integrations[0].sequences[0]: "seq" names no schema; with several schemas write "schema.sequence"',
                'endpoints[0].integrations[0].schemas[0]: "public" has no table in tables; list its tables there, or remove the schema (USAGE alone would grant nothing)',
                "endpoints[0].integrations[1].tables: is empty; list tables, or leave tables out to grant every table of the schemas",
                "endpoints[0].integrations[2].sequences: is empty; list sequences, or leave sequences out",
            ],
        );
    });

    it("sequences on a read integration or without a table list", () => {
        assert.deepEqual(
            errorsOf(
                withIntegrations([
                    { ...metabase, tables: ["t"], sequences: ["t_id_seq"] },
                    { name: "w", access: "write", schemas: ["public"], sequences: ["t_id_seq"] },
                ]),
            ),
            [
                'endpoints[0].integrations[0].sequences: is only used with access "write" (inserts draw from sequences); "read" never needs one',
                "endpoints[0].integrations[1].sequences: is only used with tables: without a table list, every sequence of the schemas is granted",
            ],
        );
    });

    it("out-of-range connection limits, empty rotation triggers and bad CA paths", () => {
        assert.deepEqual(
            errorsOf(
                withIntegrations([
                    { ...metabase, connectionLimit: 0, rotation: "", sslRootCert: 5 },
                    { name: "b", access: "read", schemas: ["public"], connectionLimit: 2.5, rotation: "x".repeat(65), sslRootCert: "" },
                ]),
            ),
            [
                "endpoints[0].integrations[0].connectionLimit: 0 is out of range (expected 1..10000)",
                'endpoints[0].integrations[0].rotation: "" is not a rotation trigger (a non-empty string of at most 64 characters, e.g. "2026-11"; change it to rotate the password)',
                "endpoints[0].integrations[0].sslRootCert: 5 is not the path of the CA bundle on the integration's side (a file path)",
                "endpoints[0].integrations[1].connectionLimit: 2.5 is not a whole number (expected 1..10000)",
                `endpoints[0].integrations[1].rotation: "${"x".repeat(65)}" is not a rotation trigger (a non-empty string of at most 64 characters, e.g. "2026-11"; change it to rotate the password)`,
                `endpoints[0].integrations[1].sslRootCert: "" is not the path of the CA bundle on the integration's side (a file path)`,
            ],
        );
    });

    it("integrations without adminSecretArn, and malformed admin settings", () => {
        assert.deepEqual(
            errorsOf([
                {
                    name: "reporting",
                    database: {
                        rdsInstanceIdentifier: "prod-postgres",
                        engine: "postgres",
                        dbName: "App",
                        adminConnection: "vpn",
                        adminHost: "db.internal",
                        adminSslRootCert: "",
                        objectOwners: ["metabase", "Bad", "app", "app"],
                    },
                    allowedCidrs: CIDRS,
                    integrations: [metabase],
                },
                { name: "other", database: rds({ adminSecretArn: "arn:aws:s3:::bucket" }), allowedCidrs: CIDRS, integrations: [metabase] },
            ]),
            [
                "endpoints[0].database.engine: is not used with rdsInstanceIdentifier: the engine is read from the instance",
                'endpoints[0].database.dbName: "App" is not a database name this tool accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters',
                "endpoints[0].database.adminSecretArn: is required with integrations: the Secrets Manager secret holding the admin login that creates their users (e.g. the RDS-managed master user secret)",
                'endpoints[0].database.adminConnection: "vpn" is not one of "endpoint", "direct"',
                "endpoints[0].database.adminHost: is not used with rdsInstanceIdentifier: the direct connection goes to the instance's own hostname, the name on its certificate",
                `endpoints[0].database.adminSslRootCert: "" is not a CA bundle path on the deployer's machine (a file path)`,
                'endpoints[0].database.objectOwners[1]: "Bad" is not a role name this tool accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters',
                'endpoints[0].database.objectOwners[3]: "app" is listed twice',
                'endpoints[0].database.objectOwners[0]: "metabase" is an integration; integrations never create or own tables, so they are not object owners',
                'endpoints[1].database.adminSecretArn: "arn:aws:s3:::bucket" is not a Secrets Manager secret ARN such as "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc"',
            ],
        );
    });

    it("a self-managed database without or with an unknown engine, and the engine rules known from the config", () => {
        const selfManaged = (name: string, database: Record<string, unknown>, integrations: unknown[] = [metabase]) => ({
            name,
            database: { addresses: ["10.0.3.17"], port: 3306, adminSecretArn: ARN, ...database },
            allowedCidrs: CIDRS,
            integrations,
        });
        assert.deepEqual(
            errorsOf([
                selfManaged("a", {}),
                selfManaged("b", { engine: "oracle", port: 1521, addresses: ["10.0.3.20"] }),
                selfManaged("c", { engine: "postgres", port: 5432, addresses: ["10.0.3.18"] }),
                selfManaged("d", { engine: "mysql", addresses: ["10.0.3.19"], adminSslRootCert: "/x.pem", objectOwners: ["app"], adminConnection: "direct" }, [
                    { name: "x", access: "write", schemas: ["shop"], tables: ["o"], sequences: ["o_seq"], connectionLimit: 3 },
                ]),
            ]),
            [
                'endpoints[0].database.engine: is required for a self-managed database with integrations: "postgres" or "mysql" (it decides how users and grants are made)',
                'endpoints[1].database.engine: "oracle" is not one of "postgres", "mysql"',
                "endpoints[2].database.dbName: is required for PostgreSQL: the database whose schemas the integrations use",
                "endpoints[3].database.objectOwners: is not used with MySQL: a grant on schema.* already covers tables created later, whoever creates them",
                "endpoints[3].integrations[0].connectionLimit: is not supported for MySQL users (the MySQL provider cannot set MAX_USER_CONNECTIONS); remove it",
                "endpoints[3].integrations[0].sequences: is not used with MySQL, which has no sequences (AUTO_INCREMENT needs only INSERT)",
            ],
        );
    });

    it("an RDS database with integrations but no adminSslRootCert: AWS's RDS CAs are in no system trust store", () => {
        const required =
            "is required for an RDS database with integrations: the admin connection verifies the instance's certificate, which AWS's RDS " +
            "certificate authorities sign, and no system trust store holds them. Download https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem " +
            "and give its path on the machine that runs pulumi up (relative to the project directory, e.g. global-bundle.pem)";
        // Whatever the admin connection: the RDS engine (PostgreSQL or MySQL) is only known at deployment, and both verify the instance.
        assert.deepEqual(errorsOf(withIntegrations([metabase], { adminSslRootCert: undefined })), [`endpoints[0].database.adminSslRootCert: ${required}`]);
        assert.deepEqual(errorsOf(withIntegrations([metabase], { adminSslRootCert: null, adminConnection: "direct" })), [
            "endpoints[0].database.adminSslRootCert: is empty; give it a value or remove the line",
            `endpoints[0].database.adminSslRootCert: ${required}`,
        ]);
        // Without integrations there is no admin connection, so nothing is required.
        const { spec } = parseStackConfig(config([{ name: "reporting", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: CIDRS }]));
        assert.deepEqual(spec.endpoints[0].database, { kind: "rds", rdsInstanceIdentifier: "prod-postgres", securityGroupId: undefined });
    });

    it("reports integration problems together with every other problem of the config", () => {
        assert.deepEqual(
            errorsOf([
                { name: "reporting", database: rds(), allowedCidrs: ["10.0.0.0/33"], integrations: [{ ...metabase, access: "all" }] },
                { name: "reporting", database: { addresses: ["10.0.3.17"], port: 3306 }, allowedCidrs: CIDRS, integrations: [metabase] },
            ]),
            [
                'endpoints[0].integrations[0].access: "all" is not an access level; use "read" (SELECT) or "write" (SELECT, INSERT, UPDATE, DELETE)',
                'endpoints[0].allowedCidrs[0]: "10.0.0.0/33" is not a CIDR: the prefix length must be 0..32',
                'endpoints[1].database.engine: is required for a self-managed database with integrations: "postgres" or "mysql" (it decides how users and grants are made)',
                "endpoints[1].database.adminSecretArn: is required with integrations: the Secrets Manager secret holding the admin login that creates their users (e.g. the RDS-managed master user secret)",
                'endpoints[1].name: "reporting" is already the name of endpoints[0]; names must be unique',
            ],
        );
    });
});
