/**
 * Integrations during `pulumi preview` (the mock runtime with preview = true, in its own process: the other
 * test files install it with preview = false). The role that runs previews (e.g. for pull requests) cannot
 * and must not read the admin secret: the program never asks for it in a preview, yet
 * declares the same users, grants, passwords and secrets as `pulumi up`, with only what depends on the admin
 * login (the provider's login, the default owner of future tables) unknown. The checks that need the admin
 * login or the deployer's environment run at `pulumi up` only, and a preview writes no file (the stack CA
 * bundle a self-managed database's admin connection verifies against is written by `pulumi up`).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../../testing/stackFile";
import { exampleWorld, FakeSecret, FakeWorld, installMockCloud, MockCloud, settle, unwrap } from "../../testing/mockCloud";
import { AdminConnection, DatabaseEngine, IntegrationAccess } from "../../infra/enums";
import { runStackProgram } from "../../testing/stackProgram";

/** Pulumi's marker for a value known only at deployment, and for a secret, in serialized inputs. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const GET_SECRET = "aws:secretsmanager/getSecretVersion:getSecretVersion";
const ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf";

let cloud: MockCloud;
let stack: typeof import("../../infra/program/main");
let components: typeof import("../../infra/components/databaseIntegrations");

before(async () => {
    cloud = installMockCloud(exampleWorld(), "dev", true);
    assert.equal(pulumi.runtime.isDryRun(), true);
    stack = await import("../../infra/program/main");
    components = await import("../../infra/components/databaseIntegrations");
});

/** Starts from an empty record, after whatever an earlier test started has finished. */
async function fresh(world: FakeWorld = exampleWorld()): Promise<void> {
    await settle();
    await new Promise((resolve) => setImmediate(resolve));
    cloud.reset(world);
}

/** What the component declares for the integrations, by type and name. */
function declared(): string[] {
    return cloud.registered
        .filter((r) => /^(postgresql|mysql|random|pulumi:providers:(postgresql|mysql))/.test(r.type) || (r.type.startsWith("aws:secretsmanager") && !r.name.startsWith("db-")))
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

/** An input Pulumi serialized as unknown (plain, or inside a secret). */
function isUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    const secret = value as { [SECRET_SIG]?: unknown; value?: unknown } | null;
    return secret !== null && typeof secret === "object" && SECRET_SIG in secret && secret.value === UNKNOWN;
}

describe("pulumi preview of the example stack (Pulumi.dev.yaml)", () => {
    before(async () => {
        await fresh();
        pulumi.runtime.setAllConfig(readStackFile("dev").config);
        runStackProgram(cloud, stack.readRawStackConfig());
        await settle();
    });

    it("never reads the admin secret", () => {
        assert.deepEqual(cloud.invokes.filter((i) => i.token === GET_SECRET), []);
        // The lookups a read-only role may make still happen (the engine and database name come from the instance).
        assert.ok(cloud.invokes.some((i) => i.token === "aws:rds/getInstance:getInstance"));
    });

    it("declares the same users, grants, passwords, salts and secrets as pulumi up (tests/program/main.test.ts counts them)", () => {
        const perIntegration = (i: string, grants: string[]) => [
            `aws:secretsmanager/secret:Secret reporting-${i}-credentials`,
            `aws:secretsmanager/secretVersion:SecretVersion reporting-${i}-credentials-value`,
            ...grants.map((g) => `postgresql:index/grant:Grant reporting-${i}-${g}`),
            `postgresql:index/role:Role reporting-${i}-user`,
            `random:index/randomBytes:RandomBytes reporting-${i}-password-salt`,
            `random:index/randomPassword:RandomPassword reporting-${i}-password`,
        ];
        assert.deepEqual(
            declared(),
            [
                ...perIntegration("metabase", ["connect", "usage-public", "tables-public"]),
                ...perIntegration("fivetran", ["connect", "usage-public", "tables-public", "usage-billing", "tables-billing"]),
                "postgresql:index/defaultPrivileges:DefaultPrivileges reporting-fivetran-future-tables-public-by-admin",
                "postgresql:index/defaultPrivileges:DefaultPrivileges reporting-fivetran-future-tables-billing-by-admin",
                "pulumi:providers:postgresql reporting-postgresql",
            ].sort(),
        );
    });

    it("leaves the provider's admin login unknown, and everything else about the connection known", () => {
        const p = cloud.named("reporting-postgresql").inputs;
        assert.ok(isUnknown(p.username), `username: ${JSON.stringify(p.username)}`);
        assert.ok(isUnknown(p.password), `password: ${JSON.stringify(p.password)}`);
        assert.deepEqual(
            { host: p.host, port: p.port, database: p.database, sslmode: p.sslmode, sslrootcert: p.sslrootcert, superuser: p.superuser },
            { host: p.host, port: "5432", database: "app", sslmode: "verify-ca", sslrootcert: "global-bundle.pem", superuser: "false" },
        );
        assert.match(p.host, /^reporting-nlb-[0-9a-f]{10}\.elb\.us-east-1\.amazonaws\.com$/);
    });

    it("leaves the default owner of future tables (the admin user, from the secret) unknown; the grants themselves are known", () => {
        for (const r of cloud.ofType("postgresql:index/defaultPrivileges:DefaultPrivileges")) {
            assert.ok(isUnknown(r.inputs.owner), `${r.name} owner: ${JSON.stringify(r.inputs.owner)}`);
            assert.deepEqual([r.inputs.database, r.inputs.role, r.inputs.objectType, r.inputs.privileges], ["app", "fivetran", "table", ["SELECT"]]);
        }
        assert.deepEqual(cloud.named("reporting-metabase-tables-public").inputs.objects, ["orders", "customers"]);
        const role = cloud.named("reporting-metabase-user").inputs;
        assert.equal(role.name, "metabase");
        assert.match(role.password.value, /^SCRAM-SHA-256\$4096:/);
    });

    it("never waits for the endpoint's target health: a preview connects to nothing (pulumi up asks ELBv2 first)", () => {
        assert.deepEqual(cloud.targetHealthRequests(), []);
    });

    it("raised no error", () => {
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("pulumi preview skips what only pulumi up can check", () => {
    const args = () => ({
        engine: DatabaseEngine.Postgres,
        dbName: "app",
        endpointHostname: "db.example.com",
        endpointPort: 5432,
        databasePort: 5432,
        rdsAddress: "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com",
        adminSslRootCert: "global-bundle.pem",
        adminSecretArn: ADMIN_ARN,
        integrations: [{ name: "metabase", access: IntegrationAccess.Read, schemas: ["public"] }],
    });

    it("previews without the admin secret existing, or holding an integration's name (pulumi up refuses that)", async () => {
        const worlds: Record<string, FakeSecret>[] = [{}, { [ADMIN_ARN]: { secretString: JSON.stringify({ username: "metabase", password: "pw" }) } }];
        for (const secrets of worlds) {
            await fresh({ ...exampleWorld(), secrets });
            const c = new components.DatabaseIntegrations("reporting", args());
            assert.equal(await unwrap(c.engine), "postgres");
            await settle();
            assert.deepEqual(cloud.invokes.filter((i) => i.token === GET_SECRET), []);
            assert.equal(cloud.ofType("postgresql:index/role:Role").length, 1);
            assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
        }
    });

    it("refuses a CA file directory that other users can write, as pulumi up would, before the provider exists", async () => {
        const saved = process.env.TMPDIR;
        const tmpdir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-preview-ca-")));
        const dir = path.join(tmpdir, `db-endpoints-${process.getuid!()}`);
        fs.mkdirSync(dir);
        fs.chmodSync(dir, 0o777);
        process.env.TMPDIR = tmpdir;
        try {
            await fresh();
            const bundle = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUWm9vMQ==\n-----END CERTIFICATE-----\n";
            new components.DatabaseIntegrations("crm", { ...args(), rdsAddress: undefined, adminSslRootCert: undefined, adminCaCertificatePem: pulumi.output(bundle) });
            await settle();
            await new Promise((resolve) => setImmediate(resolve));
            assert.deepEqual(
                [...new Set(cloud.asyncErrors.map((e) => e.message.replace(/^.*?(?=refusing)/s, "")))],
                [
                    `refusing to keep the stack's CA bundle for the admin connection in ${dir}: its mode 0777 lets its group or other users write in it. ` +
                        "The database provider trusts that file at every deployment, refresh and destroy, so no other user may be able to replace it; " +
                        "remove the directory if it is yours (pulumi up creates it again, mode 0700), or set TMPDIR to a directory that only you can " +
                        "write, or set adminSslRootCert to a file holding the stack's CA bundle (pulumi stack output caCertificate)",
                ],
            );
            assert.deepEqual(cloud.ofType("pulumi:providers:postgresql"), []);
            assert.deepEqual(fs.readdirSync(dir), []);
        } finally {
            if (saved === undefined) delete process.env.TMPDIR;
            else process.env.TMPDIR = saved;
            fs.rmSync(tmpdir, { recursive: true, force: true });
        }
    });

    it("writes no CA file for a self-managed database: the PostgreSQL provider is shown the path pulumi up writes the stack CA to", async () => {
        const saved = process.env.TMPDIR;
        const tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-preview-ca-"));
        process.env.TMPDIR = tmpdir;
        try {
            await fresh();
            const bundle = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUWm9vMQ==\n-----END CERTIFICATE-----\n";
            const selfManaged = { ...args(), rdsAddress: undefined, adminSslRootCert: undefined, adminCaCertificatePem: pulumi.output(bundle) };
            new components.DatabaseIntegrations("crm", selfManaged);
            new components.DatabaseIntegrations("shop", {
                ...selfManaged,
                engine: DatabaseEngine.Mysql,
                dbName: undefined,
                integrations: [{ name: "looker", access: IntegrationAccess.Read, schemas: ["shop"] }],
            });
            await settle();
            const p = cloud.named("crm-postgresql").inputs;
            assert.deepEqual({ sslmode: p.sslmode, sslrootcert: p.sslrootcert }, { sslmode: "verify-full", sslrootcert: path.join(fs.realpathSync(tmpdir), `db-endpoints-${process.getuid!()}`, "db-endpoints-dev-crm-ca.pem") });
            assert.equal(cloud.ofType("mysql:index/user:User").length, 1);
            assert.deepEqual(fs.readdirSync(tmpdir), []);
            assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
        } finally {
            if (saved === undefined) delete process.env.TMPDIR;
            else process.env.TMPDIR = saved;
            fs.rmSync(tmpdir, { recursive: true, force: true });
        }
    });

    it("checks the MySQL provider's trust store at pulumi up only (a preview runs with another environment and opens no connection)", async () => {
        await fresh();
        const saved = { file: process.env.SSL_CERT_FILE, dir: process.env.SSL_CERT_DIR };
        process.env.SSL_CERT_FILE = "/nowhere/bundle.pem";
        process.env.SSL_CERT_DIR = "/nowhere";
        try {
            const c = new components.DatabaseIntegrations("shop", {
                ...args(),
                engine: DatabaseEngine.Mysql,
                dbName: undefined,
                endpointPort: 3306,
                databasePort: 3306,
                adminConnection: AdminConnection.Direct,
                adminSslRootCert: "/opt/rds-ca/global-bundle.pem",
                integrations: [{ name: "looker", access: IntegrationAccess.Read, schemas: ["shop"] }],
            });
            assert.equal(await unwrap(c.engine), "mysql");
            await settle();
        } finally {
            for (const [key, value] of [["SSL_CERT_FILE", saved.file], ["SSL_CERT_DIR", saved.dir]] as const) {
                if (value === undefined) delete process.env[key];
                else process.env[key] = value;
            }
        }
        assert.deepEqual(declared(), [
            "aws:secretsmanager/secret:Secret shop-looker-credentials",
            "aws:secretsmanager/secretVersion:SecretVersion shop-looker-credentials-value",
            "mysql:index/grant:Grant shop-looker-on-shop",
            "mysql:index/user:User shop-looker-user",
            "pulumi:providers:mysql shop-mysql",
            "random:index/randomPassword:RandomPassword shop-looker-password",
        ]);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});
