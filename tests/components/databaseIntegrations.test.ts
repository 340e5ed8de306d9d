/**
 * Integrations under the mock runtime: the exact users, grants, default privileges, provider
 * settings and credentials secrets for read and write integrations on PostgreSQL and MySQL, RDS and
 * self-managed, through the endpoint and directly; that a PostgreSQL role gets its password's SCRAM
 * verifier, never the plaintext; that no password or admin credential reaches a plain output; that rotating
 * one integration changes only its password; and that every deploy-time and argument error (an RDS admin
 * connection without a CA bundle, a MySQL bundle outside the provider's trust store, output-valued fields
 * that resolve to bad values) is refused before any user, grant or secret is declared.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { scramSha256Verifier } from "../../infra/integrations/scram";
import { exampleWorld, FakeWorld, installMockCloud, isSecret, MockCloud, mockRandomBytes, PRODUCT_URN, Registered, settle, unwrap } from "../../testing/mockCloud";
import { inputPropertyErrors } from "../../testing/refusals";
import { isolateTmpdir } from "../../testing/tmpdir";
import { isolateTrustEnv } from "../../testing/trustEnv";
import { AdminConnection, DatabaseEngine, IntegrationAccess } from "../../infra/enums";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let components: typeof import("../../infra/components/databaseIntegrations");

/**
 * `pulumi up` writes a self-managed database's CA bundle for the admin connection into the OS temporary
 * directory; here, into a directory of this file's own (tests/components/databaseIntegrations.selfManagedCa.test.ts has the details).
 */
const tmpdir = isolateTmpdir("db-endpoints-integrations-");

before(async () => {
    cloud = installMockCloud();
    components = await import("../../infra/components/databaseIntegrations");
});

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const PG_ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf";
const PG_ADMIN_PASSWORD = "admin-password-from-secrets-manager";
const MYSQL_ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-7a7a7a7a-0000-4000-8000-mysqladmin01-QwErTy";
const MYSQL_ADMIN_PASSWORD = "mysql-admin-password";
const SELF_MANAGED_ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/admin-ZxCvBn";
const RDS_PG_HOST = "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com";
/** AWS's RDS CA bundle, where the deployer saved it (required for RDS: see adminSslRootCert). */
const RDS_BUNDLE = "global-bundle.pem";
/** The same bundle in a directory Go's trust store reads on Linux without SSL_CERT_DIR (the MySQL provider's case). */
const RDS_BUNDLE_IN_GO_STORE = "/etc/ssl/certs/rds-global-bundle.pem";
const RDS_CA_REQUIRED =
    "is required for an RDS database with integrations: the admin connection verifies the instance's certificate, which AWS's RDS " +
    "certificate authorities sign, and no system trust store holds them. Download https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem " +
    "and give its path on the machine that runs pulumi up (relative to the project directory, e.g. global-bundle.pem)";
const RDS_MYSQL_HOST = "shop-mysql.c9akciq32.us-east-1.rds.amazonaws.com";

/** Pulumi's marker for a secret value in serialized inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The example world plus a MySQL RDS instance, a few odd instances and the admin secrets the tests use. */
function world(overrides: Partial<FakeWorld> = {}): FakeWorld {
    const w = exampleWorld();
    const instance = (id: string, engine: string, port: number, extra: Record<string, unknown> = {}) => ({
        ...w.instances["prod-postgres"],
        address: `${id}.c9akciq32.us-east-1.rds.amazonaws.com`,
        port,
        engine,
        dbInstanceIdentifier: id,
        dbInstanceArn: `arn:aws:rds:us-east-1:123456789012:db:${id}`,
        ...extra,
    });
    w.instances["shop-mysql"] = instance("shop-mysql", "mysql", 3306, { dbName: "shop" });
    w.instances["nodb-postgres"] = instance("nodb-postgres", "postgres", 5432, { dbName: "" });
    w.instances["erp-oracle"] = instance("erp-oracle", "oracle-ee", 1521, { dbName: "ERP" });
    for (const id of ["shop-mysql", "nodb-postgres", "erp-oracle"]) w.dns[`${id}.c9akciq32.us-east-1.rds.amazonaws.com`] = ["10.0.2.77"];
    w.secrets = {
        ...w.secrets,
        [MYSQL_ADMIN_ARN]: { secretString: JSON.stringify({ username: "admin", password: MYSQL_ADMIN_PASSWORD }) },
        [SELF_MANAGED_ADMIN_ARN]: { secretString: JSON.stringify({ username: "dba", password: "dba-password", host: "10.0.3.17" }) },
    };
    return { ...w, ...overrides };
}

function rawConfig(endpoints: unknown[]) {
    // Target sync is covered by its own tests; off here, the endpoint registers the RDS target itself.
    return { vpcId: VPC, publicSubnetIds: SUBNETS, endpoints, targetSync: false };
}

/**
 * Starts from an empty record: waits for what an earlier test started (a refused deployment's rejections
 * surface a turn later), then forgets it.
 */
async function fresh(w: FakeWorld = world()): Promise<void> {
    await settle();
    await new Promise((resolve) => setImmediate(resolve));
    cloud.reset(w);
}

/** Runs the stack program and waits for every registration. */
async function runStack(raw: Record<string, unknown>, w: FakeWorld = world()) {
    await fresh(w);
    const outputs = runStackProgram(cloud, raw);
    await settle();
    return outputs;
}

/**
 * The message of a refused deployment. The Pulumi SDK prefixes the error it reports while registering
 * the component's outputs (`error serializing property "outputs": `) on the same error object.
 */
async function refusedWith(output: pulumi.Output<unknown>): Promise<string> {
    const message = await unwrap(output).then(
        () => assert.fail("expected a refusal"),
        (e: Error) => e.message,
    );
    await settle();
    const reported = message.replace(/^error serializing property "outputs": /, "");
    // The real engine reports it as the deployment's error.
    assert.ok(cloud.asyncErrors.some((e) => e.message.endsWith(reported)), `not reported: ${reported}`);
    return reported;
}

/** A serialized input that must be secret: returns its value, failing when it is plain. */
function secretInput(value: unknown, what: string): any {
    assert.ok(value !== null && typeof value === "object" && SECRET_SIG in (value as object), `${what} is not marked secret: ${JSON.stringify(value)}`);
    return (value as { value: unknown }).value;
}

/** Inputs with secrets unwrapped, for exact comparison (secretness is asserted separately). */
function plain(value: any): any {
    if (Array.isArray(value)) return value.map(plain);
    if (value && typeof value === "object") {
        if (SECRET_SIG in value) return plain(value.value);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

const PARENT_TYPE = "db-endpoints:index:DatabaseIntegrations";

function ofTypeUnder(type: string, prefix: string): Registered[] {
    return cloud.ofType(type).filter((r) => r.name.startsWith(prefix));
}

/** Grants of one integration: name -> the inputs that decide what is granted. */
function pgGrants(prefix: string) {
    return Object.fromEntries(
        ofTypeUnder("postgresql:index/grant:Grant", prefix).map((r) => [
            r.name,
            { database: r.inputs.database, role: r.inputs.role, objectType: r.inputs.objectType, schema: r.inputs.schema, objects: r.inputs.objects, privileges: r.inputs.privileges, withGrantOption: r.inputs.withGrantOption },
        ]),
    );
}

function pgDefaultPrivileges(prefix: string) {
    return Object.fromEntries(
        ofTypeUnder("postgresql:index/defaultPrivileges:DefaultPrivileges", prefix).map((r) => [
            r.name,
            { database: r.inputs.database, role: r.inputs.role, owner: plain(r.inputs.owner), schema: r.inputs.schema, objectType: r.inputs.objectType, privileges: r.inputs.privileges, withGrantOption: r.inputs.withGrantOption },
        ]),
    );
}

function mysqlGrants(prefix: string) {
    return Object.fromEntries(
        ofTypeUnder("mysql:index/grant:Grant", prefix).map((r) => [
            r.name,
            { user: r.inputs.user, host: r.inputs.host, database: r.inputs.database, table: r.inputs.table, privileges: r.inputs.privileges, grant: r.inputs.grant, tlsOption: r.inputs.tlsOption },
        ]),
    );
}

/** The credentials secret's JSON as published (asserting that it is secret). */
function publishedSecret(id: string): any {
    return JSON.parse(secretInput(cloud.named(`${id}-credentials-value`).inputs.secretString, `${id} secretString`));
}

/**
 * A PostgreSQL role is given the SCRAM-SHA-256 verifier of `plaintext` (the password in its credentials
 * secret), salted with its own `<id>-password-salt` (16 random bytes that follow the password's rotation
 * keeper), marked secret, and never the plaintext. tests/integrations/scram.knownAnswers.test.ts and
 * tests/integrations/scram.test.ts prove the verifier itself against PostgreSQL.
 */
function assertVerifierOf(id: string, plaintext: string): void {
    const role = cloud.named(`${id}-user`);
    const keepers = cloud.named(`${id}-password`).inputs.keepers;
    const salt = cloud.named(`${id}-password-salt`);
    assert.equal(salt.type, "random:index/randomBytes:RandomBytes");
    assert.deepEqual(salt.inputs, { length: 16, keepers });
    const verifier = secretInput(role.inputs.password, `${role.name} password`);
    assert.equal(verifier, scramSha256Verifier(plaintext, mockRandomBytes(salt.name, keepers, 16)));
    assert.ok(!JSON.stringify(role.inputs).includes(plaintext), `${role.name} carries the plaintext password`);
}

function hex(text: string, length: number): string {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, length);
}
function lbDns(name: string): string {
    return `${name}-${hex(name, 10)}.elb.us-east-1.amazonaws.com`;
}
/** Name and ARN the mock cloud gives a secret created with a name prefix (see testing/mockCloud.ts). */
function secretIdentity(resourceName: string, prefix: string) {
    const name = `${prefix}${hex(resourceName, 26)}`;
    return { name, arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${hex(name, 6)}` };
}

async function resolveAll(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) return resolveAll(await unwrap(value));
    if (Array.isArray(value)) return Promise.all(value.map(resolveAll));
    if (value && typeof value === "object") {
        return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveAll(v)])));
    }
    return value;
}

/** Every output (nested) that is marked secret, by path. */
async function secretPaths(value: unknown, path = ""): Promise<string[]> {
    if (pulumi.Output.isInstance(value)) {
        return (await isSecret(value)) ? [path] : secretPaths(await unwrap(value), path);
    }
    if (value && typeof value === "object") {
        const nested = await Promise.all(Object.entries(value).map(([k, v]) => secretPaths(v, `${path}.${k}`)));
        return nested.flat();
    }
    return [];
}

const reportingPostgres = {
    name: "reporting",
    database: { rdsInstanceIdentifier: "prod-postgres", adminSecretArn: PG_ADMIN_ARN, adminSslRootCert: RDS_BUNDLE },
    allowedCidrs: ["203.0.113.0/24"],
    integrations: [
        { name: "metabase", access: "read", schemas: ["public"], tables: ["orders", "customers"] },
        { name: "etl", access: "write", schemas: ["public", "staging"], connectionLimit: 5, rotation: "2026-11" },
        { name: "loader", access: "write", schemas: ["public"], tables: ["events"], sequences: ["events_id_seq"] },
    ],
};

describe("RDS PostgreSQL through the endpoint (the default admin connection)", () => {
    let outputs: import("../../infra/program/main").StackOutputs;
    before(async () => {
        outputs = await runStack(rawConfig([reportingPostgres]));
    });

    it("creates one role per integration: login, its own secret password given as a SCRAM verifier, no administrative attribute", () => {
        const roles = cloud.ofType("postgresql:index/role:Role");
        assert.deepEqual(
            roles.map((r) => r.name),
            ["reporting-metabase-user", "reporting-etl-user", "reporting-loader-user"],
        );
        const passwords = new Set<string>();
        for (const r of roles) {
            const id = r.name.replace(/-user$/, "");
            // The plaintext is only in the credentials secret; the role gets its verifier, salted with the
            // integration's own RandomBytes (the statement that creates the role never carries the plaintext).
            const plaintext = publishedSecret(id).password;
            assert.match(plaintext, /^[A-Za-z0-9]{40}$/);
            passwords.add(plaintext);
            assert.notEqual(plaintext, PG_ADMIN_PASSWORD);
            assertVerifierOf(id, plaintext);
        }
        assert.equal(passwords.size, 3, "each integration has its own password");
        assert.deepEqual(plain({ ...cloud.named("reporting-etl-user").inputs, password: "-" }), {
            name: "etl",
            login: true,
            password: "-",
            connectionLimit: 5,
            superuser: false,
            createDatabase: false,
            createRole: false,
            replication: false,
            bypassRowLevelSecurity: false,
        });
        assert.equal(cloud.named("reporting-metabase-user").inputs.connectionLimit, -1);
        const passwordsGenerated = cloud.ofType("random:index/randomPassword:RandomPassword");
        assert.deepEqual(
            passwordsGenerated.map((r) => [r.name, r.inputs]),
            [
                ["reporting-metabase-password", { length: 40, special: false, keepers: { rotation: "" } }],
                ["reporting-etl-password", { length: 40, special: false, keepers: { rotation: "2026-11" } }],
                ["reporting-loader-password", { length: 40, special: false, keepers: { rotation: "" } }],
            ],
        );
    });

    it("grants a read integration with tables CONNECT, USAGE on its schema and SELECT on those tables only", () => {
        const common = { database: "app", role: "metabase", withGrantOption: false };
        assert.deepEqual(pgGrants("reporting-metabase-"), {
            "reporting-metabase-connect": { ...common, objectType: "database", schema: undefined, objects: undefined, privileges: ["CONNECT"] },
            "reporting-metabase-usage-public": { ...common, objectType: "schema", schema: "public", objects: undefined, privileges: ["USAGE"] },
            "reporting-metabase-tables-public": { ...common, objectType: "table", schema: "public", objects: ["orders", "customers"], privileges: ["SELECT"] },
        });
        // A table list is exact: nothing follows for tables created later.
        assert.deepEqual(pgDefaultPrivileges("reporting-metabase-"), {});
    });

    it("grants a write integration on whole schemas SELECT/INSERT/UPDATE/DELETE and sequence USAGE, now and for the admin's future tables", () => {
        const common = { database: "app", role: "etl", withGrantOption: false };
        const dml = ["SELECT", "INSERT", "UPDATE", "DELETE"];
        assert.deepEqual(pgGrants("reporting-etl-"), {
            "reporting-etl-connect": { ...common, objectType: "database", schema: undefined, objects: undefined, privileges: ["CONNECT"] },
            "reporting-etl-usage-public": { ...common, objectType: "schema", schema: "public", objects: undefined, privileges: ["USAGE"] },
            "reporting-etl-tables-public": { ...common, objectType: "table", schema: "public", objects: undefined, privileges: dml },
            "reporting-etl-sequences-public": { ...common, objectType: "sequence", schema: "public", objects: undefined, privileges: ["USAGE"] },
            "reporting-etl-usage-staging": { ...common, objectType: "schema", schema: "staging", objects: undefined, privileges: ["USAGE"] },
            "reporting-etl-tables-staging": { ...common, objectType: "table", schema: "staging", objects: undefined, privileges: dml },
            "reporting-etl-sequences-staging": { ...common, objectType: "sequence", schema: "staging", objects: undefined, privileges: ["USAGE"] },
        });
        // Default privileges apply to objects a given role creates: here the admin user from the admin secret.
        const owner = "postgres_admin";
        assert.deepEqual(pgDefaultPrivileges("reporting-etl-"), {
            "reporting-etl-future-tables-public-by-admin": { ...common, owner, schema: "public", objectType: "table", privileges: dml },
            "reporting-etl-future-sequences-public-by-admin": { ...common, owner, schema: "public", objectType: "sequence", privileges: ["USAGE"] },
            "reporting-etl-future-tables-staging-by-admin": { ...common, owner, schema: "staging", objectType: "table", privileges: dml },
            "reporting-etl-future-sequences-staging-by-admin": { ...common, owner, schema: "staging", objectType: "sequence", privileges: ["USAGE"] },
        });
        for (const r of ofTypeUnder("postgresql:index/defaultPrivileges:DefaultPrivileges", "reporting-etl-")) {
            secretInput(r.inputs.owner, `${r.name} owner (read from the admin secret)`);
        }
    });

    it("grants a write integration with tables USAGE on only the sequences it lists", () => {
        const common = { database: "app", role: "loader", withGrantOption: false };
        assert.deepEqual(pgGrants("reporting-loader-"), {
            "reporting-loader-connect": { ...common, objectType: "database", schema: undefined, objects: undefined, privileges: ["CONNECT"] },
            "reporting-loader-usage-public": { ...common, objectType: "schema", schema: "public", objects: undefined, privileges: ["USAGE"] },
            "reporting-loader-tables-public": { ...common, objectType: "table", schema: "public", objects: ["events"], privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
            "reporting-loader-sequences-public": { ...common, objectType: "sequence", schema: "public", objects: ["events_id_seq"], privileges: ["USAGE"] },
        });
        assert.deepEqual(pgDefaultPrivileges("reporting-loader-"), {});
    });

    it("never grants DDL, TRUNCATE, REFERENCES, TRIGGER, TEMPORARY or the grant option", () => {
        const allowed = new Set(["CONNECT", "USAGE", "SELECT", "INSERT", "UPDATE", "DELETE"]);
        const all = [...cloud.ofType("postgresql:index/grant:Grant"), ...cloud.ofType("postgresql:index/defaultPrivileges:DefaultPrivileges")];
        assert.equal(all.length, 3 + 7 + 4 + 4);
        for (const r of all) {
            for (const p of r.inputs.privileges) assert.ok(allowed.has(p), `${r.name} grants ${p}`);
            assert.equal(r.inputs.withGrantOption, false, r.name);
        }
    });

    it("connects the provider through the endpoint with the admin secret, verifying the RDS certificate's chain (it names the instance)", () => {
        const providers = cloud.ofType("pulumi:providers:postgresql");
        assert.equal(providers.length, 1);
        const p = providers[0];
        assert.equal(p.name, "reporting-postgresql");
        assert.equal(secretInput(p.inputs.username, "provider username"), "postgres_admin");
        assert.equal(secretInput(p.inputs.password, "provider password"), PG_ADMIN_PASSWORD);
        assert.deepEqual(
            { ...p.inputs, username: "-", password: "-" },
            {
                host: lbDns("reporting-nlb"),
                port: "5432",
                database: "app",
                username: "-",
                password: "-",
                sslmode: "verify-ca",
                sslrootcert: RDS_BUNDLE,
                superuser: "false",
                connectTimeout: "30",
            },
        );
        // `pulumi up` reads the admin secret (tests/components/databaseIntegrations.preview.test.ts: a preview never does).
        assert.deepEqual(
            cloud.invokes.filter((i) => i.token === "aws:secretsmanager/getSecretVersion:getSecretVersion").map((i) => i.inputs),
            [{ secretId: PG_ADMIN_ARN }],
        );
    });

    it("publishes one secret per integration: RDS fields and a URL through the endpoint", () => {
        const secrets = cloud.ofType("aws:secretsmanager/secret:Secret");
        assert.deepEqual(
            secrets.map((s) => [s.name, s.inputs.namePrefix]),
            [
                ["reporting-metabase-credentials", "db-endpoints/dev/reporting/metabase-"],
                ["reporting-etl-credentials", "db-endpoints/dev/reporting/etl-"],
                ["reporting-loader-credentials", "db-endpoints/dev/reporting/loader-"],
            ],
        );
        assert.deepEqual(cloud.named("reporting-metabase-credentials").inputs.tags, {
            "db-endpoints:endpoint": "reporting",
            "db-endpoints:integration": "metabase",
            "managed-by": "pulumi/db-endpoints",
        });
        const password = publishedSecret("reporting-metabase").password;
        assertVerifierOf("reporting-metabase", password);
        const host = lbDns("reporting-nlb");
        assert.deepEqual(publishedSecret("reporting-metabase"), {
            engine: "postgres",
            host,
            port: 5432,
            dbname: "app",
            username: "metabase",
            password,
            sslrootcert: "global-bundle.pem",
            tlsServerName: RDS_PG_HOST,
            sslmode: "verify-ca",
            url: `postgresql://metabase:${password}@${host}:5432/app?sslmode=verify-ca&sslrootcert=global-bundle.pem`,
        });
        const metabaseVersion = cloud.named("reporting-metabase-credentials-value");
        assert.equal(metabaseVersion.inputs.secretId, secretIdentity("reporting-metabase-credentials", "db-endpoints/dev/reporting/metabase-").arn);
    });

    it("parents everything to the DatabaseIntegrations component, itself a child of the stack's DatabaseEndpoints", () => {
        const integrations = cloud.ofType(PARENT_TYPE);
        assert.deepEqual(integrations.map((r) => [r.name, r.parent]), [["reporting", PRODUCT_URN]]);
        const mine = cloud.registered.filter((r) => /^(postgresql|random|pulumi:providers:postgresql|aws:secretsmanager)/.test(r.type));
        // Passwords, SCRAM salts, roles, grants and default privileges, the provider, secrets and their values.
        assert.equal(mine.length, 3 + 3 + 3 + 18 + 1 + 3 + 3);
        for (const r of mine) assert.match(r.parent, /[:$]db-endpoints:index:DatabaseIntegrations::reporting$/, `${r.type} ${r.name}`);
    });

    it("declares the integrations only after the endpoint's load balancer, listener and target exist (the admin connection goes through them)", () => {
        const order = cloud.registered.map((r) => `${r.type} ${r.name}`);
        const component = order.indexOf(`${PARENT_TYPE} reporting`);
        for (const before of ["aws:lb/loadBalancer:LoadBalancer reporting-nlb", "aws:lb/listener:Listener reporting-listener", "aws:lb/targetGroupAttachment:TargetGroupAttachment reporting-target"]) {
            assert.ok(order.indexOf(before) >= 0 && order.indexOf(before) < component, `${before} is registered after the integrations`);
        }
    });

    it("outputs, per integration, the user and where its secret is; nothing secret, no password", async () => {
        const resolved = (await resolveAll(outputs.integrations)) as any;
        const identity = (i: string) => secretIdentity(`reporting-${i}-credentials`, `db-endpoints/dev/reporting/${i}-`);
        assert.deepEqual(resolved, {
            reporting: {
                metabase: {
                    username: "metabase",
                    access: "read",
                    secretArn: identity("metabase").arn,
                    secretName: identity("metabase").name,
                    database: "app",
                    schemas: ["public"],
                    tables: ["public.orders", "public.customers"],
                },
                etl: {
                    username: "etl",
                    access: "write",
                    secretArn: identity("etl").arn,
                    secretName: identity("etl").name,
                    database: "app",
                    schemas: ["public", "staging"],
                    tables: [],
                },
                loader: {
                    username: "loader",
                    access: "write",
                    secretArn: identity("loader").arn,
                    secretName: identity("loader").name,
                    database: "app",
                    schemas: ["public"],
                    tables: ["public.events"],
                },
            },
        });
        assert.deepEqual(await secretPaths(outputs), []);
        const text = JSON.stringify(await resolveAll(outputs));
        const verifiers = cloud.ofType("postgresql:index/role:Role").map((r) => secretInput(r.inputs.password, r.name));
        const passwords = ["metabase", "etl", "loader"].map((i) => publishedSecret(`reporting-${i}`).password);
        for (const secret of [...passwords, ...verifiers, PG_ADMIN_PASSWORD, "postgres_admin"]) assert.ok(!text.includes(secret), `stack outputs contain ${secret}`);
    });

    it("raised no asynchronous error", () => {
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("RDS PostgreSQL, direct admin connection, Elastic IPs and object owners", () => {
    before(async () => {
        await runStack(
            rawConfig([
                {
                    ...reportingPostgres,
                    elasticIps: true,
                    database: {
                        rdsInstanceIdentifier: "prod-postgres",
                        adminSecretArn: PG_ADMIN_ARN,
                        adminConnection: "direct",
                        adminSslRootCert: "/etc/ssl/rds/global-bundle.pem",
                        dbName: "analytics",
                        objectOwners: ["app_owner", "migrator"],
                    },
                    integrations: [
                        { name: "fivetran", access: "read", schemas: ["public"], sslRootCert: "/opt/fivetran/rds-ca.pem" },
                    ],
                },
            ]),
        );
    });

    it("connects to the RDS hostname on the database port and verifies it in full against the given bundle", () => {
        const p = cloud.named("reporting-postgresql");
        assert.deepEqual(
            { ...p.inputs, username: "-", password: "-" },
            {
                host: RDS_PG_HOST,
                port: "5432",
                database: "analytics",
                username: "-",
                password: "-",
                sslmode: "verify-full",
                sslrootcert: "/etc/ssl/rds/global-bundle.pem",
                superuser: "false",
                connectTimeout: "30",
            },
        );
    });

    it("makes default privileges follow the tables each listed owner creates", () => {
        const common = { database: "analytics", role: "fivetran", withGrantOption: false, objectType: "table", privileges: ["SELECT"], schema: "public" };
        assert.deepEqual(pgDefaultPrivileges("reporting-fivetran-"), {
            "reporting-fivetran-future-tables-public-by-app_owner": { ...common, owner: "app_owner" },
            "reporting-fivetran-future-tables-public-by-migrator": { ...common, owner: "migrator" },
        });
        // A read integration needs no sequence.
        assert.equal(ofTypeUnder("postgresql:index/grant:Grant", "reporting-fivetran-").some((r) => r.inputs.objectType === "sequence"), false);
    });

    it("verifies the instance's name in the URL while connecting to the endpoint's fixed addresses (libpq hostaddr)", () => {
        const eips = cloud.ofType("aws:ec2/eip:Eip").map((e) => e.name);
        assert.deepEqual(eips, SUBNETS.map((s) => `reporting-eip-${s}`));
        const ips = eips.map((n) => `198.51.100.${(parseInt(hex(n, 4), 16) % 250) + 1}`);
        const secret = publishedSecret("reporting-fivetran");
        const password = secret.password;
        assertVerifierOf("reporting-fivetran", password);
        assert.deepEqual(secret, {
            engine: "postgres",
            host: lbDns("reporting-nlb"),
            port: 5432,
            dbname: "analytics",
            username: "fivetran",
            password,
            sslrootcert: "/opt/fivetran/rds-ca.pem",
            tlsServerName: RDS_PG_HOST,
            sslmode: "verify-full",
            hostaddr: ips.join(","),
            url:
                `postgresql://fivetran:${password}@${RDS_PG_HOST}:5432,${RDS_PG_HOST}:5432/analytics` +
                `?hostaddr=${ips.join(",")}&sslmode=verify-full&sslrootcert=/opt/fivetran/rds-ca.pem`,
        });
    });
});

describe("RDS MySQL", () => {
    const shop = (database: Record<string, unknown>, integrations: unknown[]) =>
        rawConfig([
            {
                name: "shop",
                database: { rdsInstanceIdentifier: "shop-mysql", adminSecretArn: MYSQL_ADMIN_ARN, adminSslRootCert: RDS_BUNDLE_IN_GO_STORE, ...database },
                allowedCidrs: ["203.0.113.0/24"],
                integrations,
            },
        ]);
    // The MySQL provider verifies against Go's trust store, which these variables change; each test sets them.
    const setTrustEnv = isolateTrustEnv();

    it("creates users that require TLS, database-wide or per-table grants, and a secret; the provider connects directly and verifies in full", async () => {
        await runStack(
            shop({ adminConnection: "direct" }, [
                { name: "looker", access: "read", schemas: ["shop", "catalog"] },
                { name: "sync", access: "write", schemas: ["shop"], tables: ["orders", "order_items"], rotation: 3 },
            ]),
        );
        assert.deepEqual(cloud.ofType("pulumi:providers:postgresql"), []);
        const p = cloud.named("shop-mysql");
        assert.equal(p.type, "pulumi:providers:mysql");
        assert.deepEqual(plain(p.inputs), { endpoint: `${RDS_MYSQL_HOST}:3306`, username: "admin", password: MYSQL_ADMIN_PASSWORD, tls: "true" });
        secretInput(p.inputs.username, "mysql provider username");
        secretInput(p.inputs.password, "mysql provider password");

        const users = cloud.ofType("mysql:index/user:User");
        assert.deepEqual(
            users.map((u) => [u.name, { ...plain(u.inputs), plaintextPassword: "-" }]),
            [
                ["shop-looker-user", { user: "looker", host: "%", plaintextPassword: "-", tlsOption: "SSL" }],
                ["shop-sync-user", { user: "sync", host: "%", plaintextPassword: "-", tlsOption: "SSL" }],
            ],
        );
        for (const u of users) assert.match(secretInput(u.inputs.plaintextPassword, u.name), /^[A-Za-z0-9]{40}$/);
        assert.deepEqual(cloud.named("shop-sync-password").inputs.keepers, { rotation: "3" });

        const read = { user: "looker", host: "%", table: "*", privileges: ["SELECT"], grant: false, tlsOption: "SSL" };
        assert.deepEqual(mysqlGrants("shop-looker-"), {
            "shop-looker-on-shop": { ...read, database: "shop" },
            "shop-looker-on-catalog": { ...read, database: "catalog" },
        });
        const write = { user: "sync", host: "%", database: "shop", privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"], grant: false, tlsOption: "SSL" };
        assert.deepEqual(mysqlGrants("shop-sync-"), {
            "shop-sync-on-shop-orders": { ...write, table: "orders" },
            "shop-sync-on-shop-order_items": { ...write, table: "order_items" },
        });

        const password = secretInput(cloud.named("shop-looker-user").inputs.plaintextPassword, "looker password");
        const host = lbDns("shop-nlb");
        assert.deepEqual(publishedSecret("shop-looker"), {
            engine: "mysql",
            host,
            port: 3306,
            dbname: "shop",
            username: "looker",
            password,
            sslrootcert: "global-bundle.pem",
            tlsServerName: RDS_MYSQL_HOST,
            sslmode: "VERIFY_CA",
            url: `mysql://looker:${password}@${host}:3306/shop?ssl-mode=VERIFY_CA&ssl-ca=global-bundle.pem`,
        });
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("uses the integration's first schema as the URL's database when the instance's DBName is not one of its schemas", async () => {
        await runStack(shop({ adminConnection: "direct" }, [{ name: "looker", access: "read", schemas: ["catalog", "shop_archive"] }]));
        assert.equal(publishedSecret("shop-looker").dbname, "catalog");
    });

    it("refuses the endpoint admin connection before any user exists: the MySQL provider cannot verify RDS's certificate there", async () => {
        const outputs = await runStack(shop({}, [{ name: "looker", access: "read", schemas: ["shop"] }]));
        assert.equal(
            await refusedWith(outputs.integrations!.shop.looker.secretArn),
            "invalid arguments for DatabaseIntegrations \"shop\" (1 problem):\n" +
                '  - adminConnection: is "endpoint", but the MySQL provider verifies a certificate only against the host it connects to, and an RDS certificate ' +
                "names the instance, not the endpoint: the admin password would cross the internet over unauthenticated TLS. " +
                'Deploy from inside the VPC with adminConnection: "direct"',
        );
        assertNothingDeclared();
    });

    it("refuses PostgreSQL-only settings at deployment, once the instance says it is MySQL", async () => {
        const outputs = await runStack(
            shop({ adminConnection: "direct", objectOwners: ["app"] }, [
                { name: "looker", access: "read", schemas: ["shop"], connectionLimit: 3 },
                { name: "sync", access: "write", schemas: ["shop"], tables: ["orders"], sequences: ["orders_seq"] },
            ]),
        );
        const error = await refusedWith(outputs.integrations!.shop.looker.secretArn);
        assert.deepEqual(error.split("\n"), [
            "invalid arguments for DatabaseIntegrations \"shop\" (3 problems):",
            "  - objectOwners: is not used with MySQL: a grant on schema.* already covers tables created later, whoever creates them",
            "  - integrations[0].connectionLimit: is not supported for MySQL users (the MySQL provider cannot set MAX_USER_CONNECTIONS); remove it",
            "  - integrations[1].sequences: is not used with MySQL, which has no sequences (AUTO_INCREMENT needs only INSERT)",
        ]);
        assertNothingDeclared();
    });

    const linuxOnly = { skip: process.platform !== "linux" && "Go reads SSL_CERT_FILE and SSL_CERT_DIR on Linux; elsewhere it asks the operating system" };

    it("accepts adminSslRootCert when SSL_CERT_FILE is that file or SSL_CERT_DIR lists its directory: the provider cannot be given a bundle", linuxOnly, async () => {
        const integrations = [{ name: "looker", access: "read", schemas: ["shop"] }];
        setTrustEnv({ SSL_CERT_DIR: "/etc/ssl/certs:/opt/rds-ca" });
        await runStack(shop({ adminConnection: "direct", adminSslRootCert: "/opt/rds-ca/global-bundle.pem" }, integrations));
        setTrustEnv({ SSL_CERT_FILE: "/opt/rds-ca/global-bundle.pem" });
        await runStack(shop({ adminConnection: "direct", adminSslRootCert: "/opt/rds-ca/global-bundle.pem" }, integrations));
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
        // Nothing reaches the provider: its settings are only true, false or skip-verify.
        assert.deepEqual(Object.keys(cloud.named("shop-mysql").inputs).sort(), ["endpoint", "password", "tls", "username"]);
        assert.equal(cloud.ofType("mysql:index/user:User").length, 1);
    });

    it("refuses at pulumi up, before any user, an adminSslRootCert the MySQL provider's trust store does not read", linuxOnly, async () => {
        setTrustEnv({ SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt" });
        const outputs = await runStack(shop({ adminConnection: "direct", adminSslRootCert: "/opt/rds-ca/global-bundle.pem" }, [{ name: "looker", access: "read", schemas: ["shop"] }]));
        assert.equal(
            await refusedWith(outputs.integrations!.shop.looker.secretArn),
            "invalid arguments for DatabaseIntegrations \"shop\" (1 problem):\n" +
                '  - adminSslRootCert: "/opt/rds-ca/global-bundle.pem" is not in the MySQL provider\'s trust store: the provider cannot be given a CA bundle ' +
                "(its tls setting is only true, false or skip-verify) and verifies against Go's, which reads SSL_CERT_FILE and the SSL_CERT_DIR directories " +
                '(now "/etc/ssl/certs/ca-certificates.crt" and unset). Run pulumi up with SSL_CERT_DIR=/etc/ssl/certs:/opt/rds-ca ' +
                "(keeping the system's CAs for the other providers)",
        );
        assertNothingDeclared();
    });
});

describe("self-managed databases (certificate from the stack's CA, naming the endpoint)", () => {
    const legacy = (database: Record<string, unknown>, integrations: unknown[], extra: Record<string, unknown> = {}) =>
        rawConfig([
            {
                name: "legacy",
                database: { addresses: ["10.0.3.17"], port: 3306, adminSecretArn: SELF_MANAGED_ADMIN_ARN, ...database },
                allowedCidrs: ["198.51.100.7/32"],
                hostname: "legacy.db.example.com",
                integrations,
                ...extra,
            },
        ]);

    it("MySQL through the endpoint: the provider connects to the load balancer's DNS name, the URL to the hostname, both named on the certificate and verified in full", async () => {
        await runStack(legacy({ engine: "mysql" }, [{ name: "hightouch", access: "write", schemas: ["crm"] }]));
        // `hostname` has no Route 53 record here: only the load balancer's own name resolves during the deployment.
        assert.deepEqual(plain(cloud.named("legacy-mysql").inputs), { endpoint: `${lbDns("legacy-nlb")}:3306`, username: "dba", password: "dba-password", tls: "true" });
        const certificateNames = cloud.ofType("tls:index/certRequest:CertRequest").map((r) => r.inputs.dnsNames);
        assert.deepEqual(certificateNames, [[lbDns("legacy-nlb"), "legacy.db.example.com"].sort()]);
        assert.deepEqual(mysqlGrants("legacy-hightouch-"), {
            "legacy-hightouch-on-crm": { user: "hightouch", host: "%", database: "crm", table: "*", privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"], grant: false, tlsOption: "SSL" },
        });
        const password = secretInput(cloud.named("legacy-hightouch-user").inputs.plaintextPassword, "password");
        assert.deepEqual(publishedSecret("legacy-hightouch"), {
            engine: "mysql",
            host: "legacy.db.example.com",
            port: 3306,
            dbname: "crm",
            username: "hightouch",
            password,
            sslrootcert: "ca.pem",
            tlsServerName: "legacy.db.example.com",
            sslmode: "VERIFY_IDENTITY",
            url: `mysql://hightouch:${password}@legacy.db.example.com:3306/crm?ssl-mode=VERIFY_IDENTITY&ssl-ca=ca.pem`,
        });
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("PostgreSQL directly: the provider connects to the first address by default, or adminHost, on the database port, verifying in full against the stack's CA", async () => {
        const pg = { engine: "postgres", port: 5432, dbName: "crm", adminConnection: "direct" };
        const integrations = [{ name: "census", access: "read", schemas: ["public"], tables: ["accounts"] }];
        const outputs = await runStack(legacy(pg, integrations, { port: 15432 }));
        const settings = (name: string) => {
            const i = cloud.named(name).inputs;
            return { host: i.host, port: i.port, database: i.database, sslmode: i.sslmode, sslrootcert: i.sslrootcert };
        };
        // The stack CA bundle (the caCertificate output), written by pulumi up where the provider reads it.
        const caFile = path.join(fs.realpathSync(tmpdir), `db-endpoints-${process.getuid!()}`, "db-endpoints-dev-legacy-ca.pem");
        assert.equal(fs.readFileSync(caFile, "utf8"), await unwrap(outputs.caCertificate));
        assert.deepEqual(settings("legacy-postgresql"), { host: "10.0.3.17", port: "5432", database: "crm", sslmode: "verify-full", sslrootcert: caFile });
        // Clients use the endpoint's port, not the database's.
        const secret = publishedSecret("legacy-census");
        assert.equal(secret.port, 15432);
        assert.equal(secret.sslmode, "verify-full");
        assert.match(secret.url, /^postgresql:\/\/census:[A-Za-z0-9]{40}@legacy\.db\.example\.com:15432\/crm\?sslmode=verify-full&sslrootcert=ca\.pem$/);

        await runStack(legacy({ ...pg, adminHost: "db1.internal.example.com" }, integrations));
        assert.deepEqual(settings("legacy-postgresql"), { host: "db1.internal.example.com", port: "5432", database: "crm", sslmode: "verify-full", sslrootcert: caFile });
        await runStack(legacy({ ...pg, adminConnection: "endpoint" }, integrations));
        assert.deepEqual(settings("legacy-postgresql"), { host: lbDns("legacy-nlb"), port: "5432", database: "crm", sslmode: "verify-full", sslrootcert: caFile });
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("rotating one integration", () => {
    it("changes only that integration's password: every other input stays as it was", async () => {
        const snapshot = () =>
            Object.fromEntries(
                cloud.registered
                    .filter((r) => /^(postgresql|random|aws:secretsmanager|pulumi:providers)/.test(r.type))
                    .map((r) => [`${r.type} ${r.name}`, JSON.stringify(plain(r.inputs))]),
            );
        await runStack(rawConfig([reportingPostgres]));
        const before = snapshot();
        const rotated = structuredClone(reportingPostgres);
        rotated.integrations[0] = { ...rotated.integrations[0], rotation: "2026-12" } as (typeof rotated.integrations)[0];
        await runStack(rawConfig([rotated]));
        const after = snapshot();
        assert.deepEqual(Object.keys(after), Object.keys(before));
        const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
        // The password and its SCRAM salt are drawn again (both keep the rotation trigger), so the role's verifier changes.
        assert.deepEqual([...changed].sort(), [
            "aws:secretsmanager/secretVersion:SecretVersion reporting-metabase-credentials-value",
            "postgresql:index/role:Role reporting-metabase-user",
            "random:index/randomBytes:RandomBytes reporting-metabase-password-salt",
            "random:index/randomPassword:RandomPassword reporting-metabase-password",
        ]);
        assert.deepEqual(cloud.named("reporting-metabase-password").inputs.keepers, { rotation: "2026-12" });
        assert.deepEqual(cloud.named("reporting-metabase-password-salt").inputs.keepers, { rotation: "2026-12" });
        const oldVerifier = JSON.parse(before["postgresql:index/role:Role reporting-metabase-user"]).password;
        const newVerifier = JSON.parse(after["postgresql:index/role:Role reporting-metabase-user"]).password;
        assert.notEqual(newVerifier, oldVerifier);
        assert.notEqual(oldVerifier.split("$")[1], newVerifier.split("$")[1], "a new salt");
        assertVerifierOf("reporting-metabase", publishedSecret("reporting-metabase").password);
    });
});

/** No user, grant, password, provider or secret was declared (the component itself may exist). */
function assertNothingDeclared(): void {
    const declared = cloud.registered.filter((r) => /^(postgresql|mysql|random|aws:secretsmanager|pulumi:providers:(postgresql|mysql))/.test(r.type));
    assert.deepEqual(declared.map((r) => `${r.type} ${r.name}`), []);
}

describe("deploy-time refusals, before any user, grant or secret", () => {
    async function refusal(endpoint: Record<string, unknown>, w: FakeWorld = world()): Promise<string> {
        const outputs = await runStack(rawConfig([endpoint]), w);
        const first = Object.values(outputs.integrations![endpoint.name as string])[0];
        return refusedWith(first.secretArn);
    }
    const reporting = (database: Record<string, unknown>, integrations: unknown[] = [{ name: "metabase", access: "read", schemas: ["public"] }]) => ({
        name: "reporting",
        database: { rdsInstanceIdentifier: "prod-postgres", adminSecretArn: PG_ADMIN_ARN, adminSslRootCert: RDS_BUNDLE, ...database },
        allowedCidrs: ["203.0.113.0/24"],
        integrations,
    });

    it("an integration named like the admin user read from the secret", async () => {
        const w = world();
        w.secrets![PG_ADMIN_ARN] = { secretString: JSON.stringify({ username: "metabase", password: "pw" }) };
        assert.equal(
            await refusal(reporting({}, [{ name: "looker", access: "read", schemas: ["public"] }, { name: "metabase", access: "read", schemas: ["public"] }]), w),
            "invalid arguments for DatabaseIntegrations \"reporting\" (1 problem):\n" +
                '  - integrations[1].name: "metabase" is the admin user of this database (the username in adminSecretArn); an integration gets its own user, never the admin\'s',
        );
        assertNothingDeclared();
    });

    it("an RDS engine integrations do not support", async () => {
        assert.equal(
            await refusal(reporting({ rdsInstanceIdentifier: "erp-oracle" })),
            'RDS instance erp-oracle runs "oracle-ee"; integrations support postgres, aurora-postgresql, mysql, mariadb, aurora-mysql',
        );
        assertNothingDeclared();
    });

    it("a PostgreSQL instance without a database name, unless dbName is set", async () => {
        assert.equal(
            await refusal(reporting({ rdsInstanceIdentifier: "nodb-postgres" })),
            "invalid arguments for DatabaseIntegrations \"reporting\" (1 problem):\n  - dbName: is required for PostgreSQL: the database whose schemas the integrations use (the RDS instance names none)",
        );
        assertNothingDeclared();
        await runStack(rawConfig([reporting({ rdsInstanceIdentifier: "nodb-postgres", dbName: "warehouse" })]));
        assert.equal(cloud.named("reporting-postgresql").inputs.database, "warehouse");
        assert.equal(cloud.named("reporting-metabase-connect").inputs.database, "warehouse");
    });

    it("an admin secret that is missing, not JSON, or without username and password; its content never shows", async () => {
        const missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf";
        assert.match(await refusal(reporting({ adminSecretArn: missing })), /^ResourceNotFoundException: Secrets Manager can't find the specified secret arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf/);
        assertNothingDeclared();
        const w = world();
        w.secrets![PG_ADMIN_ARN] = { secretString: "postgres:hunter2" };
        const notJson = await refusal(reporting({}), w);
        assert.equal(notJson, `the admin secret ${PG_ADMIN_ARN} is not JSON; it must hold {"username": ..., "password": ...} like an RDS-managed master secret`);
        assertNothingDeclared();
        w.secrets![PG_ADMIN_ARN] = { secretString: JSON.stringify({ username: "postgres_admin", pass: "hunter2" }) };
        const noPassword = await refusal(reporting({}), w);
        assert.equal(noPassword, `the admin secret ${PG_ADMIN_ARN} has no non-empty "username" and "password" fields; it must hold them like an RDS-managed master secret`);
        assert.ok(!noPassword.includes("hunter2") && !notJson.includes("hunter2"));
        assertNothingDeclared();
    });
});

describe("DatabaseIntegrations arguments", () => {
    const base = () => ({
        engine: DatabaseEngine.Postgres,
        dbName: "app",
        endpointHostname: "db.example.com",
        endpointPort: 5432,
        databasePort: 5432,
        adminSecretArn: PG_ADMIN_ARN,
        integrations: [{ name: "metabase", access: IntegrationAccess.Read, schemas: ["public"] }],
    });

    function argumentErrors(name: string, args: any): string[] {
        cloud.reset(world());
        return inputPropertyErrors(() => new components.DatabaseIntegrations(name, args), cloud);
    }

    it("refuses every bad argument at once, naming each property", () => {
        assert.deepEqual(
            argumentErrors("bad name!", {
                ...base(),
                engine: "oracle",
                adminSecretArn: "secret-name",
                adminConnection: "vpn",
                directHost: "Not A Host",
                dbName: "App-DB",
                objectOwners: ["Owner"],
                secretNamePrefix: "has spaces/",
                integrations: [
                    { name: "postgres", access: "read", schemas: ["public"] },
                    { name: "ok", access: "admin", schemas: [] },
                    { name: "ok", access: "read", schemas: ["public"] },
                ],
            }),
            [
                'name: "bad name!" is not usable in Secrets Manager names (letters, digits and /_+=.@-)',
                'integrations[0].name: "postgres" is reserved for the engine\'s or RDS\'s own users; an integration never shares or impersonates an administrative login',
                'integrations[1].access: "admin" is not an access level; use "read" (SELECT) or "write" (SELECT, INSERT, UPDATE, DELETE)',
                "integrations[1].schemas: is empty; list the schemas (MySQL: databases) the integration may use",
                'integrations[2].name: "ok" is already the name of integrations[1]; each integration gets its own database user, so names must be unique',
                'adminSecretArn: "secret-name" is not a Secrets Manager secret ARN such as "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc"',
                'adminConnection: "vpn" is not one of "endpoint", "direct"',
                'directHost: "Not A Host" is not a lower-case DNS name or an IPv4 address (a name on the database\'s certificate)',
                'objectOwners[0]: "Owner" is not a role name this tool accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters',
                'dbName: "App-DB" is not a database name this tool accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters',
                'secretNamePrefix: "has spaces/" is not usable in Secrets Manager names (letters, digits and /_+=.@-)',
                'engine: "oracle" is not one of "postgres", "mysql"',
            ],
        );
    });

    it("refuses missing essentials and what depends on the kind of database", () => {
        assert.deepEqual(argumentErrors("a", { ...base(), adminSecretArn: undefined, integrations: [] }), [
            "integrations: is empty; declare at least one integration",
            "adminSecretArn: is required: the secret holding the admin login the users are created with",
        ]);
        assert.deepEqual(argumentErrors("a", { ...base(), rdsAddress: RDS_PG_HOST, adminSslRootCert: RDS_BUNDLE, directHost: "db.internal" }), [
            "directHost: is not used with an RDS instance: the direct connection goes to rdsAddress, the name on its certificate",
        ]);
        // The admin connection to RDS verifies a certificate from AWS's RDS CAs, which no system trust store
        // holds: the bundle is required whatever the engine (and whether or not it is known yet).
        for (const engine of [DatabaseEngine.Postgres, DatabaseEngine.Mysql, pulumi.output(DatabaseEngine.Postgres)]) {
            assert.deepEqual(argumentErrors("a", { ...base(), engine, rdsAddress: RDS_PG_HOST, adminConnection: AdminConnection.Direct }), [
                `adminSslRootCert: ${RDS_CA_REQUIRED}`,
            ]);
        }
        assert.deepEqual(argumentErrors("a", { ...base(), adminConnection: AdminConnection.Direct }), [
            "directHost: is required for a self-managed database with the direct admin connection: its hostname or address inside the VPC, as on its certificate",
        ]);
        assert.deepEqual(argumentErrors("a", { ...base(), integrations: pulumi.output(base().integrations) }), [
            "integrations: must be known when the component is declared (it decides which users and grants exist)",
        ]);
        assert.deepEqual(argumentErrors("a", { ...base(), objectOwners: pulumi.output(["app"]) }), [
            "objectOwners: must be known when the component is declared (it decides which default privileges exist)",
        ]);
    });

    it("checks the engine rules at declaration when the engine is known, with every other problem", () => {
        assert.deepEqual(argumentErrors("a", { ...base(), dbName: undefined }), ["dbName: is required for PostgreSQL: the database whose schemas the integrations use"]);
        assert.deepEqual(
            argumentErrors("a", {
                ...base(),
                adminSecretArn: "admin",
                engine: DatabaseEngine.Mysql,
                rdsAddress: RDS_MYSQL_HOST,
                objectOwners: ["metabase"],
                integrations: [{ name: "metabase", access: IntegrationAccess.Read, schemas: ["shop"], connectionLimit: 2 }],
            }),
            [
                'adminSecretArn: "admin" is not a Secrets Manager secret ARN such as "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc"',
                `adminSslRootCert: ${RDS_CA_REQUIRED}`,
                'adminConnection: is "endpoint", but the MySQL provider verifies a certificate only against the host it connects to, and an RDS certificate names the instance, not the endpoint: the admin password would cross the internet over unauthenticated TLS. Deploy from inside the VPC with adminConnection: "direct"',
                "objectOwners: is not used with MySQL: a grant on schema.* already covers tables created later, whoever creates them",
                "integrations[0].connectionLimit: is not supported for MySQL users (the MySQL provider cannot set MAX_USER_CONNECTIONS); remove it",
                'objectOwners[0]: "metabase" is an integration; integrations never create or own tables, so they are not object owners',
            ],
        );
    });

    it("accepts outputs for the optional scalars and uses them as they resolve", async () => {
        await fresh();
        const c = new components.DatabaseIntegrations("late", {
            ...base(),
            dbName: pulumi.output("app"),
            secretNamePrefix: "integrations/late/",
            secretKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-4090-8070-605040302010",
            tags: { team: "data" },
            integrations: [{ name: "metabase", access: IntegrationAccess.Read, schemas: ["public"], connectionLimit: pulumi.output(7), rotation: pulumi.output("r2") }],
        });
        const arns = await unwrap(c.secretArns);
        await settle();
        assert.deepEqual(arns, { metabase: secretIdentity("late-metabase-credentials", "integrations/late/metabase-").arn });
        assert.equal(await unwrap(c.engine), "postgres");
        assert.deepEqual(await unwrap(c.usernames), { metabase: "metabase" });
        assert.equal(await unwrap(c.adminHost), "db.example.com");
        assert.equal(await unwrap(c.adminSslMode), "verify-full");
        for (const out of [c.engine, c.usernames, c.secretArns, c.secretNames, c.adminHost, c.adminSslMode]) assert.equal(await isSecret(out), false);
        assert.equal(cloud.named("late-metabase-user").inputs.connectionLimit, 7);
        assert.deepEqual(cloud.named("late-metabase-password").inputs.keepers, { rotation: "r2" });
        const secret = cloud.named("late-metabase-credentials").inputs;
        assert.deepEqual(
            { namePrefix: secret.namePrefix, kmsKeyId: secret.kmsKeyId, tags: secret.tags },
            {
                namePrefix: "integrations/late/metabase-",
                kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-0b0a-4090-8070-605040302010",
                tags: { team: "data", "db-endpoints:endpoint": "late", "db-endpoints:integration": "metabase", "managed-by": "pulumi/db-endpoints" },
            },
        );
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("checks output-valued integration fields when they resolve, by the rules of plain ones, all at once and before any user", async () => {
        await fresh();
        const c = new components.DatabaseIntegrations("late", {
            ...base(),
            integrations: [
                { name: "metabase", access: IntegrationAccess.Read, schemas: ["public"], connectionLimit: pulumi.output(0), rotation: pulumi.output(""), sslRootCert: pulumi.output("") },
                { name: "etl", access: IntegrationAccess.Write, schemas: ["public"], connectionLimit: pulumi.output(2.5), rotation: pulumi.output("2026-11") },
            ],
        });
        assert.deepEqual((await refusedWith(c.secretArns)).split("\n"), [
            "invalid arguments for DatabaseIntegrations \"late\" (4 problems):",
            "  - integrations[0].connectionLimit: 0 is out of range (expected 1..10000)",
            '  - integrations[0].rotation: "" is not a rotation trigger (a non-empty string of at most 64 characters, e.g. "2026-11"; change it to rotate the password)',
            "  - integrations[0].sslRootCert: \"\" is not the path of the CA bundle on the integration's side (a file path)",
            "  - integrations[1].connectionLimit: 2.5 is not a whole number (expected 1..10000)",
        ]);
        assertNothingDeclared();
    });

    it("refuses an output-valued connectionLimit on MySQL when it resolves, rather than ignoring it", async () => {
        await fresh();
        const c = new components.DatabaseIntegrations("shop", {
            ...base(),
            engine: DatabaseEngine.Mysql,
            dbName: undefined,
            endpointPort: 3306,
            databasePort: 3306,
            adminSecretArn: MYSQL_ADMIN_ARN,
            integrations: [{ name: "looker", access: IntegrationAccess.Read, schemas: ["shop"], connectionLimit: pulumi.output(5) }],
        });
        assert.equal(
            await refusedWith(c.secretArns),
            "invalid arguments for DatabaseIntegrations \"shop\" (1 problem):\n" +
                "  - integrations[0].connectionLimit: is not supported for MySQL users (the MySQL provider cannot set MAX_USER_CONNECTIONS); remove it",
        );
        assertNothingDeclared();
    });
});
