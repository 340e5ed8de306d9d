/**
 * The admin connection to a self-managed database verifies a certificate from the stack's own CA, which no
 * system trust store holds. Under the mock runtime (`pulumi up`): without `adminSslRootCert`, the PostgreSQL
 * provider is given a file in the user's own directory under the OS temporary directory, named per project,
 * stack and endpoint, holding exactly the `caCertificate` stack output (every CA generation), written
 * atomically with mode 0644 and replaced at each deployment; an explicit `adminSslRootCert` wins and nothing is written; RDS is unchanged
 * and refuses the argument; a self-managed MySQL database, whose provider cannot take a bundle, gets the file
 * and a warning saying exactly how to put it in the provider's trust store; a malformed bundle is refused
 * without being shown. tests/adminCaFile.test.ts checks the directory and the writer;
 * tests/components/databaseIntegrations.preview.test.ts shows that a preview writes nothing.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { selfManagedMysqlTrustWarning } from "../../infra/integrations/mysqlTrustStore";
import { adminCaFilePath } from "../../infra/integrations/stackCaBundle";
import { exampleWorld, FakeWorld, installMockCloud, MockCloud, mockLoadBalancerDnsName, settle, unwrap } from "../../testing/mockCloud";
import { inputPropertyErrors } from "../../testing/refusals";
import { isolateTmpdir } from "../../testing/tmpdir";
import { isolateTrustEnv } from "../../testing/trustEnv";
import { interceptWarnings } from "../../testing/warnings";
import { DatabaseEngine, IntegrationAccess } from "../../infra/enums";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let components: typeof import("../../infra/components/databaseIntegrations");

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const PG_ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf";
const SELF_MANAGED_ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/admin-ZxCvBn";
/** A CA bundle of the shape the stack outputs (two generations). */
const CA_BUNDLE =
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUWm9vMQ==\n-----END CERTIFICATE-----\n" +
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUWm9vMg==\n-----END CERTIFICATE-----\n";

/** The directory that stands for the OS temporary directory (TMPDIR) in this file. */
const tmpdir = isolateTmpdir("db-endpoints-admin-ca-");
/** Messages passed to pulumi.log.warn about the admin connection's trust store. */
const warnings: string[] = [];
interceptWarnings(async (message: string) => {
    if (message.startsWith("adminSslRootCert") || message.startsWith("cannot write")) warnings.push(message);
});

before(async () => {
    assert.equal(os.tmpdir(), tmpdir);
    cloud = installMockCloud();
    components = await import("../../infra/components/databaseIntegrations");
});

function world(): FakeWorld {
    const w = exampleWorld();
    w.secrets = { ...w.secrets, [SELF_MANAGED_ADMIN_ARN]: { secretString: JSON.stringify({ username: "dba", password: "dba-password" }) } };
    return w;
}

/** Starts from an empty record and an empty temporary directory, after what an earlier test started. */
async function fresh(): Promise<void> {
    await settle();
    await new Promise((resolve) => setImmediate(resolve));
    cloud.reset(world());
    warnings.length = 0;
    for (const entry of fs.readdirSync(tmpdir)) fs.rmSync(path.join(tmpdir, entry), { recursive: true, force: true });
}

async function runStack(raw: Record<string, unknown>) {
    await fresh();
    const outputs = runStackProgram(cloud, raw);
    await settle();
    return outputs;
}

const legacy = (database: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    vpcId: VPC,
    publicSubnetIds: SUBNETS,
    targetSync: false,
    endpoints: [
        {
            name: "legacy",
            database: { addresses: ["10.0.3.17"], port: 5432, engine: "postgres", dbName: "crm", adminSecretArn: SELF_MANAGED_ADMIN_ARN, ...database },
            allowedCidrs: ["198.51.100.7/32"],
            hostname: "legacy.db.example.com",
            integrations: [{ name: "census", access: "read", schemas: ["public"] }],
        },
    ],
    ...extra,
});

/** The directory of the user running the tests, in the temporary directory. */
const caDir = () => path.join(fs.realpathSync(tmpdir), `db-endpoints-${process.getuid!()}`);
/** The file `pulumi up` writes for endpoint `legacy` of stack `dev` of project `db-endpoints`. */
const caFile = () => path.join(caDir(), "db-endpoints-dev-legacy-ca.pem");

function providerTls(name: string) {
    const i = cloud.named(name).inputs;
    return { host: i.host, sslmode: i.sslmode, sslrootcert: i.sslrootcert };
}

describe("self-managed PostgreSQL without adminSslRootCert", () => {
    it("gives the provider a file holding exactly the caCertificate stack output, every generation, mode 0644", async () => {
        const outputs = await runStack(legacy({}, { certificateAuthority: { generations: [1, 2], issuer: 2 } }));
        assert.deepEqual(providerTls("legacy-postgresql"), { host: mockLoadBalancerDnsName("legacy-nlb"), sslmode: "verify-full", sslrootcert: caFile() });
        const bundle = await unwrap(outputs.caCertificate);
        assert.equal(bundle.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2);
        assert.equal(fs.readFileSync(caFile(), "utf8"), bundle);
        assert.equal(fs.lstatSync(caFile()).isFile(), true);
        assert.equal(fs.statSync(caFile()).mode & 0o777, 0o644);
        // In a directory of the user's own, written through a temporary file renamed over it: nothing else is left behind.
        assert.deepEqual(fs.readdirSync(tmpdir), [path.basename(caDir())]);
        assert.equal(fs.lstatSync(caDir()).mode & 0o7777, 0o700);
        assert.deepEqual(fs.readdirSync(caDir()), [path.basename(caFile())]);
        assert.deepEqual(warnings, []);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("replaces what the file held at the next deployment (a CA rotation, or a stale file), with the same path", async () => {
        await fresh();
        fs.mkdirSync(caDir(), { mode: 0o700 });
        fs.writeFileSync(caFile(), "stale bundle\n", { mode: 0o600 });
        const outputs = runStackProgram(cloud, legacy({}));
        await settle();
        assert.equal(fs.readFileSync(caFile(), "utf8"), await unwrap(outputs.caCertificate));
        assert.equal(fs.statSync(caFile()).mode & 0o777, 0o644);
        assert.equal(providerTls("legacy-postgresql").sslrootcert, caFile());
        assert.deepEqual(fs.readdirSync(caDir()), [path.basename(caFile())]);
    });

    it("uses an explicit adminSslRootCert instead, and writes nothing", async () => {
        await runStack(legacy({ adminSslRootCert: "/etc/ssl/db-endpoints/ca.pem" }));
        assert.deepEqual(providerTls("legacy-postgresql"), { host: mockLoadBalancerDnsName("legacy-nlb"), sslmode: "verify-full", sslrootcert: "/etc/ssl/db-endpoints/ca.pem" });
        assert.deepEqual(fs.readdirSync(tmpdir), []);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("RDS is unchanged", () => {
    it("verifies against adminSslRootCert (AWS's RDS bundle) and writes no file", async () => {
        await runStack({
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            targetSync: false,
            endpoints: [
                {
                    name: "reporting",
                    database: { rdsInstanceIdentifier: "prod-postgres", adminSecretArn: PG_ADMIN_ARN, adminSslRootCert: "global-bundle.pem" },
                    allowedCidrs: ["203.0.113.0/24"],
                    integrations: [{ name: "metabase", access: "read", schemas: ["public"] }],
                },
            ],
        });
        const tls = providerTls("reporting-postgresql");
        assert.deepEqual({ sslmode: tls.sslmode, sslrootcert: tls.sslrootcert }, { sslmode: "verify-ca", sslrootcert: "global-bundle.pem" });
        assert.deepEqual(fs.readdirSync(tmpdir), []);
        assert.deepEqual(warnings, []);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("self-managed MySQL (its provider cannot be given a CA bundle)", () => {
    const setTrustEnv = isolateTrustEnv();
    const mysql = (database: Record<string, unknown> = {}) => legacy({ port: 3306, engine: "mysql", dbName: undefined, ...database });
    const linuxOnly = { skip: process.platform !== "linux" && "the Linux wording (Go reads SSL_CERT_DIR there); other platforms are covered by the pure test below" };

    it("writes the stack's CA bundle and warns, naming the file and how to add it to the provider's trust store", linuxOnly, async () => {
        const outputs = await runStack(mysql());
        assert.equal(fs.readFileSync(caFile(), "utf8"), await unwrap(outputs.caCertificate));
        assert.equal(fs.statSync(caFile()).mode & 0o777, 0o644);
        assert.deepEqual(warnings, [
            "adminSslRootCert is not set: the MySQL provider cannot be given a CA bundle (its tls setting is only true, false or " +
                "skip-verify) and verifies the database's certificate, issued by the stack's CA, against Go's trust store, which holds " +
                'that CA only if you added it there; otherwise the admin connection fails with "x509: certificate signed by unknown ' +
                `authority". pulumi up wrote the stack's CA bundle (the caCertificate stack output) to ${caFile()}: copy it into a ` +
                "directory of its own that only you can write, set adminSslRootCert to that file and run pulumi up with " +
                "SSL_CERT_DIR=/etc/ssl/certs:<that directory> (keeping the system's CAs for the other providers); pulumi up then " +
                "checks that the provider's trust store reads it",
        ]);
        // The provider's settings are as before: nothing can carry the bundle to it.
        assert.deepEqual(Object.keys(cloud.named("legacy-mysql").inputs).sort(), ["endpoint", "password", "tls", "username"]);
        assert.equal(cloud.ofType("mysql:index/user:User").length, 1);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("says nothing and writes nothing when adminSslRootCert is in the provider's trust store", linuxOnly, async () => {
        setTrustEnv({ SSL_CERT_DIR: "/etc/ssl/certs:/opt/db-endpoints-ca" });
        await runStack(mysql({ adminSslRootCert: "/opt/db-endpoints-ca/ca.pem" }));
        assert.deepEqual(warnings, []);
        assert.deepEqual(fs.readdirSync(tmpdir), []);
        assert.equal(cloud.ofType("mysql:index/user:User").length, 1);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("still deploys, warning twice, when the file cannot be written (the provider never reads it)", linuxOnly, async () => {
        await fresh();
        fs.mkdirSync(caFile(), { recursive: true });
        runStackProgram(cloud, mysql());
        await settle();
        assert.equal(warnings.length, 2);
        assert.match(
            warnings[0],
            new RegExp(
                `^cannot write the stack's CA bundle for the admin connection to ${escapeRegExp(caFile())} \\(.+\\); set TMPDIR to a directory ` +
                    "that only you can write, or set adminSslRootCert to a file holding the stack's CA bundle \\(pulumi stack output caCertificate\\)$",
            ),
        );
        assert.match(warnings[1], /^adminSslRootCert is not set: .* Save the stack's CA bundle \(pulumi stack output caCertificate\) into a directory of its own/);
        assert.equal(cloud.ofType("mysql:index/user:User").length, 1);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("the warning for self-managed MySQL, per platform", () => {
    const head = (store: string) =>
        "adminSslRootCert is not set: the MySQL provider cannot be given a CA bundle (its tls setting is only true, false or " +
        `skip-verify) and verifies the database's certificate, issued by the stack's CA, against ${store}, which holds that CA ` +
        'only if you added it there; otherwise the admin connection fails with "x509: certificate signed by unknown authority". ';

    it("names the operating system's trust store where Go asks the operating system", () => {
        assert.equal(
            selfManagedMysqlTrustWarning("/var/folders/x/T/db-endpoints-p-s-e-ca.pem", "darwin"),
            head("the operating system's trust store on darwin") +
                "pulumi up wrote the stack's CA bundle (the caCertificate stack output) to /var/folders/x/T/db-endpoints-p-s-e-ca.pem; " +
                "add it there (macOS: the System keychain, trusted for SSL)",
        );
        assert.equal(
            selfManagedMysqlTrustWarning(undefined, "darwin"),
            head("the operating system's trust store on darwin") +
                "Save the stack's CA bundle (pulumi stack output caCertificate) and add it there (macOS: the System keychain, trusted for SSL)",
        );
    });

    it("tells how to save the bundle when no file was written (no bundle given to the component)", () => {
        assert.equal(
            selfManagedMysqlTrustWarning(undefined, "linux"),
            head("Go's trust store") +
                "Save the stack's CA bundle (pulumi stack output caCertificate) into a directory of its own that only you can write, " +
                "set adminSslRootCert to that file and run pulumi up with SSL_CERT_DIR=/etc/ssl/certs:<that directory> (keeping the " +
                "system's CAs for the other providers); pulumi up then checks that the provider's trust store reads it",
        );
    });
});

describe("the file's name", () => {
    it("is one file name per project, stack and endpoint, directly in the user's directory", () => {
        const dir = "/tmp/db-endpoints-1000";
        assert.equal(adminCaFilePath(dir, "db-endpoints", "prod", "legacy"), "/tmp/db-endpoints-1000/db-endpoints-prod-legacy-ca.pem");
        // Component names may hold characters no file name should (Secrets Manager's /+=@).
        assert.equal(adminCaFilePath(dir, "db-endpoints", "prod.eu_1", "team/legacy+a@b c"), "/tmp/db-endpoints-1000/db-endpoints-prod.eu_1-team_legacy_a_b_c-ca.pem");
        assert.equal(path.dirname(adminCaFilePath(dir, "p", "s", "../../../etc/passwd")), dir);
    });
});

describe("DatabaseIntegrations adminCaCertificatePem", () => {
    const base = () => ({
        engine: DatabaseEngine.Postgres,
        dbName: "app",
        endpointHostname: "db.example.com",
        endpointPort: 5432,
        databasePort: 5432,
        adminSecretArn: SELF_MANAGED_ADMIN_ARN,
        integrations: [{ name: "metabase", access: IntegrationAccess.Read, schemas: ["public"] }],
    });

    function argumentErrors(args: any): string[] {
        cloud.reset(world());
        return inputPropertyErrors(() => new components.DatabaseIntegrations("app", args), cloud);
    }

    it("is written for a component too, as given, and the file follows the component's name", async () => {
        await fresh();
        const c = new components.DatabaseIntegrations("crm", { ...base(), adminCaCertificatePem: pulumi.output(CA_BUNDLE) });
        assert.equal(await unwrap(c.adminSslMode), "verify-full");
        await settle();
        const file = path.join(caDir(), "db-endpoints-dev-crm-ca.pem");
        assert.equal(cloud.named("crm-postgresql").inputs.sslrootcert, file);
        assert.equal(fs.readFileSync(file, "utf8"), CA_BUNDLE);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("is refused with RDS, or when it is not a bundle of certificates, never showing the value", () => {
        assert.deepEqual(argumentErrors({ ...base(), rdsAddress: "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com", adminSslRootCert: "global-bundle.pem", adminCaCertificatePem: CA_BUNDLE }), [
            "adminCaCertificatePem: is not used with an RDS instance: AWS's RDS CAs issue its certificate (adminSslRootCert)",
        ]);
        const key = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKey\n-----END PRIVATE KEY-----\n";
        assert.deepEqual(argumentErrors({ ...base(), adminCaCertificatePem: CA_BUNDLE + key }), [
            "adminCaCertificatePem: holds a private key (not shown); give only the CA's certificates, e.g. the caCertificate stack output",
        ]);
        assert.deepEqual(argumentErrors({ ...base(), adminCaCertificatePem: "ca.pem" }), [
            'adminCaCertificatePem: is not a PEM bundle of CA certificates (6 characters, not shown): expected one or more "-----BEGIN CERTIFICATE-----" blocks and nothing else',
        ]);
        assert.deepEqual(argumentErrors({ ...base(), adminCaCertificatePem: 42 }), [
            'adminCaCertificatePem: is not a PEM bundle of CA certificates (42): expected one or more "-----BEGIN CERTIFICATE-----" blocks and nothing else',
        ]);
    });

    it("is checked when it resolves, before the provider exists and before anything is written", async () => {
        await fresh();
        new components.DatabaseIntegrations("crm", { ...base(), adminCaCertificatePem: pulumi.output(`${CA_BUNDLE}trailing text\n`) });
        await settle();
        await new Promise((resolve) => setImmediate(resolve));
        // The provider's input fails, and with it every registration that waits for the provider (the real
        // engine reports the first as the deployment's error): one problem, never the bundle itself.
        const refusal =
            "invalid arguments for DatabaseIntegrations \"crm\" (1 problem):\n" +
            '  - adminCaCertificatePem: is not a PEM bundle of CA certificates (180 characters, not shown): expected one or more "-----BEGIN CERTIFICATE-----" blocks and nothing else';
        assert.ok(cloud.asyncErrors.length > 0);
        assert.deepEqual([...new Set(cloud.asyncErrors.map((e) => e.message.replace(/^.*?(?=invalid arguments for DatabaseIntegrations)/s, "")))], [refusal]);
        assert.deepEqual(cloud.ofType("pulumi:providers:postgresql"), []);
        assert.deepEqual(cloud.ofType("postgresql:index/role:Role"), []);
        assert.deepEqual(fs.readdirSync(tmpdir), []);
    });
});

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
