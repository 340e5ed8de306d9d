/**
 * Server certificates of self-managed databases and the restart hooks, under the mock runtime: the exact
 * names each certificate carries, the Secrets Manager delivery (secret, JSON, secrecy), which hook is bound to
 * which resource (SSM restart, manual-restart warning, RDS reboot per policy), the per-endpoint `tls` outputs,
 * and the components' argument checks.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../../testing/stackFile";
import { RdsRestartPolicy } from "../../infra/enums";
import { certificateExpiryNotice, EXPIRY_NOTICE, expiryClock, renewalStartsAt } from "../../infra/certificateExpiry";
import { iamResourceMatches } from "../../testing/iam";
import { exampleWorld, installMockCloud, isSecret, MOCK_NOW, MockCloud, mockPem, parentName, settle, unwrap } from "../../testing/mockCloud";
import { interceptWarnings } from "../../testing/warnings";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let stack: typeof import("../../infra/program/main");
let components: typeof import("../../infra/components/databaseCertificate");
let endpoints: typeof import("../../infra/components/databaseEndpoint");

/** Messages passed to pulumi.log.warn while a test runs. */
const warnings: string[] = [];
interceptWarnings(async (message: string) => {
    warnings.push(message);
});

before(async () => {
    cloud = installMockCloud();
    stack = await import("../../infra/program/main");
    components = await import("../../infra/components/databaseCertificate");
    endpoints = await import("../../infra/components/databaseEndpoint");
});

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const RDS_HOST = "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com";
const SECRET_MARK = "4dabf18193072939515e22adb298388d";

function hex(text: string, n: number): string {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, n);
}
function lbDns(name: string): string {
    return `${name}-${hex(name, 10)}.elb.us-east-1.amazonaws.com`;
}
function secretArn(secretName: string): string {
    return `arn:aws:secretsmanager:us-east-1:123456789012:secret:${secretName}-${hex(secretName, 6)}`;
}
function secretValue(input: unknown): unknown {
    assert.ok(input && typeof input === "object" && SECRET_MARK in input, `not a secret: ${JSON.stringify(input)}`);
    return (input as unknown as { value: unknown }).value;
}

async function run(raw: Record<string, unknown>) {
    warnings.length = 0;
    cloud.reset(exampleWorld());
    const outputs = runStackProgram(cloud, raw);
    const tls: Record<string, any> = {};
    for (const [name, out] of Object.entries(outputs.tls)) tls[name] = await unwrap(out);
    await settle();
    return { outputs, tls };
}

describe("the example stack's self-managed MySQL", () => {
    let tls: Record<string, any>;
    let outputs: ReturnType<typeof stack.main>;
    before(async () => {
        warnings.length = 0;
        cloud.reset(exampleWorld());
        pulumi.runtime.setAllConfig(readStackFile("dev").config);
        outputs = runStackProgram(cloud, stack.readRawStackConfig());
        tls = {};
        for (const [name, out] of Object.entries(outputs.tls)) tls[name] = await unwrap(out);
        await settle();
    });

    it("gets a key, a request, a certificate and a secret, all children of one DatabaseCertificate", () => {
        const mine = cloud.registered.filter((r) => r.name.startsWith("db-10.0.3.17-3306"));
        assert.deepEqual(
            mine.map((r) => [r.name, r.type, parentName(r), r.protect]).sort(),
            [
                ["db-10.0.3.17-3306", "db-endpoints:index:DatabaseCertificate", "db-endpoints", false],
                ["db-10.0.3.17-3306-cert", "tls:index/locallySignedCert:LocallySignedCert", "db-10.0.3.17-3306", false],
                ["db-10.0.3.17-3306-csr", "tls:index/certRequest:CertRequest", "db-10.0.3.17-3306", false],
                ["db-10.0.3.17-3306-key", "tls:index/privateKey:PrivateKey", "db-10.0.3.17-3306", false],
                ["db-10.0.3.17-3306-secret", "aws:secretsmanager/secret:Secret", "db-10.0.3.17-3306", false],
                ["db-10.0.3.17-3306-secret-version", "aws:secretsmanager/secretVersion:SecretVersion", "db-10.0.3.17-3306", false],
            ],
        );
        assert.deepEqual(cloud.named("db-10.0.3.17-3306-key").inputs, { algorithm: "RSA", rsaBits: 2048 });
    });

    it("names the internal hostname, the address, the custom hostname and the load balancer's DNS name", () => {
        const { privateKeyPem, ...request } = cloud.named("db-10.0.3.17-3306-csr").inputs;
        assert.deepEqual(request, {
            dnsNames: [lbDns("legacy-mysql-nlb"), "legacy-mysql.internal.example.com", "legacy.db.example.com"],
            ipAddresses: ["10.0.3.17"],
            subject: { commonName: "legacy.db.example.com", organization: "db-endpoints" },
        });
        // The request is made with the database's own key (the mock key's body names it), passed as a secret.
        assert.equal(secretValue(privateKeyPem), mockPem("PRIVATE KEY", { key: hex("db-10.0.3.17-3306-key|RSA|2048", 16), algorithm: "RSA" }));
    });

    it("is a server-only certificate signed by the stack CA, valid 825 days, renewed in its last 90", () => {
        const { caPrivateKeyPem, certRequestPem, caCertPem, ...signing } = cloud.named("db-10.0.3.17-3306-cert").inputs;
        assert.deepEqual(signing, {
            allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
            validityPeriodHours: 19800,
            earlyRenewalHours: 2160,
        });
        const ca = cloud.named("ca-1-cert").inputs;
        assert.equal(secretValue(caPrivateKeyPem), secretValue(ca.privateKeyPem));
        assert.match(caCertPem, /^-----BEGIN CERTIFICATE-----/);
        assert.match(certRequestPem, /^-----BEGIN CERTIFICATE REQUEST-----/);
    });

    it("is delivered in one secret, as JSON with certificate, key and CA, the whole value secret", () => {
        const secret = cloud.named("db-10.0.3.17-3306-secret").inputs;
        assert.deepEqual(secret, {
            name: "db-endpoints/dev/db-10.0.3.17-3306/tls",
            description: "db-endpoints: TLS server certificate, private key and CA certificate of the self-managed database 10.0.3.17:3306",
            recoveryWindowInDays: 0,
            tags: { team: "data-platform", "db-endpoints:database": "10.0.3.17:3306", "managed-by": "pulumi/db-endpoints" },
        });
        const version = cloud.named("db-10.0.3.17-3306-secret-version").inputs;
        assert.equal(version.secretId, secretArn("db-endpoints/dev/db-10.0.3.17-3306/tls"));
        const document = JSON.parse(String(secretValue(version.secretString)));
        assert.deepEqual(Object.keys(document), ["certificate", "privateKey", "caCertificate"]);
        assert.match(document.certificate, /^-----BEGIN CERTIFICATE-----/);
        assert.equal(document.privateKey, secretValue(cloud.named("db-10.0.3.17-3306-csr").inputs.privateKeyPem));
        assert.equal(document.caCertificate, cloud.named("db-10.0.3.17-3306-cert").inputs.caCertPem);
    });

    it("binds the SSM restart hook to the secret version, for creation and update", () => {
        assert.deepEqual(cloud.named("db-10.0.3.17-3306-secret-version").hooks, {
            afterCreate: ["db-10.0.3.17-3306-restart"],
            afterUpdate: ["db-10.0.3.17-3306-restart"],
        });
        // Nothing else of the certificate or the CA runs a hook.
        const mine = cloud.registered.filter((r) => r.name.startsWith("db-10.0.3.17-3306") || r.name.startsWith("ca-1"));
        assert.deepEqual(mine.filter((r) => Object.keys(r.hooks).length > 0).map((r) => r.name), ["db-10.0.3.17-3306-secret-version"]);
    });

    it("binds the RDS reboot hook to the RDS endpoint's listener, after creation only", () => {
        assert.deepEqual(cloud.named("reporting-listener").hooks, { afterCreate: ["reporting-rds-reboot"] });
        assert.deepEqual(cloud.named("legacy-mysql-listener").hooks, {});
    });

    it("outputs, per endpoint, how a client verifies the certificate", () => {
        assert.deepEqual(tls["legacy-mysql"], {
            certificateIssuer: "stack-ca",
            verifyHostname: "legacy.db.example.com",
            certificateNames: [lbDns("legacy-mysql-nlb"), "legacy-mysql.internal.example.com", "legacy.db.example.com", "10.0.3.17"],
            certificateExpiresAt: "2027-04-06T00:00:00Z",
            caFile: "ca.pem",
            getCa: "pulumi stack output caCertificate > ca.pem",
            certificateSecretArn: secretArn("db-endpoints/dev/db-10.0.3.17-3306/tls"),
            certificateSecretName: "db-endpoints/dev/db-10.0.3.17-3306/tls",
            instanceRolePolicy: {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ReadItsTlsCertificate",
                        Effect: "Allow",
                        Action: "secretsmanager:GetSecretValue",
                        Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-endpoints/dev/db-10.0.3.17-3306/tls-??????",
                    },
                ],
            },
            restart: "ssm-run-command",
            restartInstanceIds: ["i-0a1b2c3d4e5f60718"],
            mysql: "mysql --host=legacy.db.example.com --port=3306 --ssl-mode=VERIFY_IDENTITY --ssl-ca=ca.pem",
        });
        assert.deepEqual(tls.reporting, {
            certificateIssuer: "aws-rds",
            verifyHostname: RDS_HOST,
            rdsCaCertIdentifier: "rds-ca-rsa2048-g1",
            caFile: "global-bundle.pem",
            getCa: "curl -fsSo global-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem",
            fixedAddresses: false,
            restart: "when-pending",
            psql: `psql "host=${RDS_HOST} hostaddr=$(dig +short A ${lbDns("reporting-nlb")} | head -n 1) port=5432 sslmode=verify-full sslrootcert=global-bundle.pem"`,
        });
    });

    it("the instance-role policy reaches this database's certificate secret and no other secret of the stack", async () => {
        // Every secret the example stack creates: both databases' certificates and the integrations' credentials.
        const integrations = await unwrap(pulumi.output(outputs.integrations!));
        const integrationArns = Object.values(integrations).flatMap((byName) => Object.values(byName).map((i) => i.secretArn));
        assert.equal(integrationArns.length, 2);
        const certificateArns = [tls["legacy-mysql"].certificateSecretArn, tls.reporting.certificateSecretArn].filter((a) => a !== undefined);
        assert.deepEqual(certificateArns, [secretArn("db-endpoints/dev/db-10.0.3.17-3306/tls")]);
        const resource = tls["legacy-mysql"].instanceRolePolicy.Statement[0].Resource;
        const reached = [...certificateArns, ...integrationArns].filter((arn) => iamResourceMatches(resource, arn));
        assert.deepEqual(reached, [secretArn("db-endpoints/dev/db-10.0.3.17-3306/tls")]);
        // The stack-wide pattern once documented reached every integration's password too.
        assert.equal(integrationArns.filter((arn) => iamResourceMatches("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-endpoints/dev/*", arn)).length, 2);
    });

    it("logs no restart warning when instance IDs are set, and raised no asynchronous error", () => {
        assert.deepEqual(warnings.filter((w) => w.includes("instanceIds")), []);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("endpoints that reach the same self-managed database", () => {
    const shared = { addresses: ["10.0.5.9", "10.0.5.8"], port: 5432, engine: "postgres" };
    let tls: Record<string, any>;
    before(async () => {
        ({ tls } = await run({
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            targetSync: false,
            endpoints: [
                { name: "pg-office", database: { ...shared, hostname: "pg.internal.example.com" }, allowedCidrs: ["203.0.113.0/24"], hostname: "pg.example.com" },
                { name: "pg-partner", database: { addresses: ["10.0.5.8", "10.0.5.9"], port: 5432 }, allowedCidrs: ["198.51.100.0/24"], elasticIps: true },
                { name: "other-pg", database: { addresses: ["10.0.6.1"], port: 5432, engine: "postgres" }, allowedCidrs: ["198.51.100.0/24"] },
            ],
        }));
    });

    it("share one certificate naming every endpoint hostname that reaches it, and no other", () => {
        assert.deepEqual(cloud.ofType("db-endpoints:index:DatabaseCertificate").map((r) => r.name), ["db-10.0.5.8-10.0.5.9-5432", "db-10.0.6.1-5432"]);
        const request = cloud.named("db-10.0.5.8-10.0.5.9-5432-csr").inputs;
        assert.deepEqual(request.dnsNames, [lbDns("pg-office-nlb"), lbDns("pg-partner-nlb"), "pg.example.com", "pg.internal.example.com"].sort());
        assert.deepEqual(request.ipAddresses, ["10.0.5.8", "10.0.5.9"]);
        assert.equal(request.subject.commonName, "pg.example.com");
        const other = cloud.named("db-10.0.6.1-5432-csr").inputs;
        assert.deepEqual(other.dnsNames, [lbDns("other-pg-nlb")]);
        assert.deepEqual(other.ipAddresses, ["10.0.6.1"]);
        assert.equal(other.subject.commonName, lbDns("other-pg-nlb"));
    });

    it("without instance IDs: a warning now, a warning hook on the secret version, and a note in the outputs", () => {
        assert.deepEqual(cloud.named("db-10.0.5.8-10.0.5.9-5432-secret-version").hooks, {
            afterCreate: ["db-10.0.5.8-10.0.5.9-5432-restart-needed"],
            afterUpdate: ["db-10.0.5.8-10.0.5.9-5432-restart-needed"],
        });
        assert.deepEqual(
            warnings.filter((w) => w.startsWith("database.instanceIds is not set")),
            ["10.0.5.8,10.0.5.9:5432", "10.0.6.1:5432"].map(
                (db) =>
                    `database.instanceIds is not set for the self-managed database ${db}: after its certificate is issued or re-issued ` +
                    "(new endpoint, renamed endpoint, renewal), install it from the secret and restart the database yourself; " +
                    "until then clients verifying the certificate by an endpoint hostname fail",
            ),
        );
        for (const name of ["pg-office", "pg-partner"]) {
            assert.equal(tls[name].restart, "manual");
            assert.equal(tls[name].certificateSecretName, "db-endpoints/dev/db-10.0.5.8-10.0.5.9-5432/tls");
            assert.match(tls[name].restartNote, /^database.instanceIds is not set/);
        }
    });

    it("each verified by its own hostname", () => {
        assert.equal(tls["pg-office"].psql, 'psql "host=pg.example.com port=5432 sslmode=verify-full sslrootcert=ca.pem"');
        assert.equal(tls["pg-partner"].libpq, `host=${lbDns("pg-partner-nlb")} port=5432 sslmode=verify-full sslrootcert=ca.pem`);
        assert.equal(tls["pg-office"].mysql, undefined);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("the RDS reboot policy", () => {
    const rdsEndpoint = (database: Record<string, unknown>) => ({
        name: "reporting",
        database: { rdsInstanceIdentifier: "prod-postgres", ...database },
        allowedCidrs: ["203.0.113.0/24"],
    });

    it('"never" binds no hook; the other policies and the default bind the restart hook to the listener', async () => {
        for (const [restart, hooks] of [
            ["never", {}],
            ["always", { afterCreate: ["reporting-rds-reboot"] }],
            ["when-pending-or-parameters", { afterCreate: ["reporting-rds-reboot"] }],
            [undefined, { afterCreate: ["reporting-rds-reboot"] }],
        ] as const) {
            const { tls } = await run({ vpcId: VPC, publicSubnetIds: SUBNETS, targetSync: false, endpoints: [rdsEndpoint(restart ? { restart } : {})] });
            assert.deepEqual(cloud.named("reporting-listener").hooks, hooks, String(restart));
            assert.equal(tls.reporting.restart, restart ?? "when-pending");
        }
    });

    it("with Elastic IPs, the libpq settings name the fixed addresses", async () => {
        const { tls } = await run({
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            targetSync: false,
            endpoints: [{ ...rdsEndpoint({ restart: "never" }), elasticIps: true }],
        });
        const eips = cloud.ofType("aws:ec2/eip:Eip").map((r) => r.name);
        assert.equal(eips.length, 2);
        assert.equal(tls.reporting.fixedAddresses, true);
        assert.match(tls.reporting.libpq, new RegExp(`^host=${RDS_HOST},${RDS_HOST} hostaddr=198\\.51\\.100\\.\\d+,198\\.51\\.100\\.\\d+ port=5432 sslmode=verify-full sslrootcert=global-bundle.pem$`));
    });

    it("is refused on a self-managed endpoint by the component", () => {
        assert.throws(
            () =>
                new endpoints.DatabaseEndpoint("selfpg", {
                    vpcId: VPC,
                    subnetIds: SUBNETS,
                    database: { addresses: ["10.0.5.8"], port: 5432, restart: RdsRestartPolicy.Always, restartTimeoutMinutes: 5 },
                    allowedCidrs: ["203.0.113.0/24"],
                }),
            (e: unknown) =>
                pulumi.InputPropertiesError.isInstance(e) &&
                JSON.stringify(e.errors.map((x) => [x.propertyPath, x.reason])) ===
                    JSON.stringify([
                        ["database.restart", "is only for RDS databases: a self-managed database restarts through its DatabaseCertificate's instanceIds"],
                        ["database.restartTimeoutMinutes", "is only for RDS databases: a self-managed database restarts through its DatabaseCertificate's instanceIds"],
                    ]),
        );
        assert.throws(
            () =>
                new endpoints.DatabaseEndpoint("rdsbad", {
                    vpcId: VPC,
                    subnetIds: SUBNETS,
                    database: { rdsInstanceIdentifier: "prod-postgres", restart: "sometimes" as never, restartTimeoutMinutes: 0 },
                    allowedCidrs: ["203.0.113.0/24"],
                }),
            (e: unknown) =>
                pulumi.InputPropertiesError.isInstance(e) &&
                JSON.stringify(e.errors.map((x) => [x.propertyPath, x.reason])) ===
                    JSON.stringify([
                        ["database.restart", '"sometimes" is not one of "when-pending", "when-pending-or-parameters", "always", "never"'],
                        ["database.restartTimeoutMinutes", "0 is out of range (expected 1..180)"],
                    ]),
        );
    });
});

describe("DatabaseCertificate arguments", () => {
    const good = {
        caCertificatePem: "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n",
        caPrivateKeyPem: pulumi.secret("-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n"),
        addresses: ["10.0.7.1"],
        port: 5432,
        endpointHostnames: ["db.example.com"],
    };

    it("are checked all at once, each by name", () => {
        assert.throws(
            () =>
                new components.DatabaseCertificate("bad-cert", {
                    ...good,
                    addresses: ["10.0.7.1", "10.0.7.1", "2001:db8::1"],
                    port: 70000,
                    hostname: "Not A Name",
                    instanceIds: ["i-xyz"],
                    restartCommand: " ",
                    restartTimeoutMinutes: 500,
                    secretName: "bad name!",
                }),
            (e: unknown) =>
                pulumi.InputPropertiesError.isInstance(e) &&
                e.message === 'invalid arguments for DatabaseCertificate "bad-cert"' &&
                JSON.stringify(e.errors.map((x) => [x.propertyPath, x.reason])) ===
                    JSON.stringify([
                        ["addresses[1]", '"10.0.7.1" is listed twice'],
                        [
                            "addresses[2]",
                            '"2001:db8::1" is not an IPv4 address (a self-managed database is reached at a private IPv4 address: in the VPC, a peered VPC or on premises)',
                        ],
                        ["port", "70000 is out of range (expected 1..65535)"],
                        ["hostname", '"Not A Name" is not a lower-case DNS name such as "db1.internal.example.com" (the name the database has inside the VPC)'],
                        ["instanceIds[0]", '"i-xyz" is not an EC2 instance ID (such as "i-0123456789abcdef0")'],
                        ["restartCommand", '" " is not a shell command (a non-empty string)'],
                        ["restartTimeoutMinutes", "500 is out of range (expected 1..180)"],
                        [
                            "engine",
                            'is required with instanceIds ("postgres" or "mysql"): the restart hook installs the certificate for the engine\'s service user and, without restartCommand, reloads or restarts that engine',
                        ],
                        ["secretName", '"bad name!" is not a Secrets Manager secret name (1-512 of A-Z a-z 0-9 / _ + = . @ -)'],
                    ]),
        );
        assert.throws(
            () => new components.DatabaseCertificate("bad-cert", { ...good, restartCommand: "systemctl restart postgresql", restartTimeoutMinutes: 5 }),
            (e: unknown) =>
                pulumi.InputPropertiesError.isInstance(e) &&
                JSON.stringify(e.errors.map((x) => [x.propertyPath, x.reason])) ===
                    JSON.stringify([
                        ["restartCommand", "is set but instanceIds is not: there is no instance to run the restart on"],
                        ["restartTimeoutMinutes", "is set but instanceIds is not: there is no instance to run the restart on"],
                    ]),
        );
    });

    it("checks a hostname that arrives as an output by the same rule when it resolves, before the certificate is requested", async () => {
        cloud.reset(exampleWorld());
        const cert = new components.DatabaseCertificate("late-host", { ...good, hostname: pulumi.output("Not A Name") });
        await assert.rejects(
            unwrap(cert.dnsNames),
            /invalid arguments for DatabaseCertificate "late-host" \(1 problem\):\n  - hostname: "Not A Name" is not a lower-case DNS name such as "db1\.internal\.example\.com" \(the name the database has inside the VPC\)$/,
        );
        await settle();
        assert.deepEqual(cloud.ofType("tls:index/certRequest:CertRequest"), []);
    });

    it("certificateNames: lower case, de-duplicated, sorted, and a common name that fits", () => {
        const long = `${"a".repeat(60)}.example.com`;
        assert.deepEqual(components.certificateNames("db.internal", ["DB.example.com", "db.example.com.", long], ["10.0.0.10", "10.0.0.9"]), {
            dnsNames: [long, "db.example.com", "db.internal"],
            ipAddresses: ["10.0.0.9", "10.0.0.10"],
            commonName: "db.example.com",
        });
        assert.equal(components.certificateNames(undefined, [long], ["10.0.0.9"]).commonName, "10.0.0.9");
        assert.equal(components.certificateNames("db.internal", [long], ["10.0.0.9"]).commonName, "db.internal");
        assert.throws(() => components.certificateNames(undefined, ["bad_name.example.com"], ["10.0.0.9"]), {
            message: '"bad_name.example.com" is not a DNS name a certificate can carry',
        });
    });

    it("an explicit secret name and no engine: no TLS directory, a manual restart", async () => {
        cloud.reset(exampleWorld());
        const cert = new components.DatabaseCertificate("named-cert", { ...good, secretName: "team/db/tls" });
        assert.equal(await unwrap(cert.secretName), "team/db/tls");
        assert.equal(await unwrap(cert.tlsDirectory), undefined);
        assert.equal(await unwrap(cert.restartMethod), "manual");
        assert.deepEqual(await unwrap(cert.dnsNames), ["db.example.com"]);
        assert.equal(await isSecret(cert.certificatePem), false);
        await settle();
        assert.deepEqual(cloud.named("named-cert-secret-version").hooks, {
            afterCreate: ["named-cert-restart-needed"],
            afterUpdate: ["named-cert-restart-needed"],
        });
    });
});

describe("certificate expiry", () => {
    const SERVER = "the server certificate of the self-managed database 10.0.3.17:3306 (db-10.0.3.17-3306-cert)";
    const END = "2027-04-06T00:00:00Z";
    const WINDOW = "2027-01-06T00:00:00Z";
    const at = (iso: string) => Date.parse(iso);

    it("the renewal window opens earlyRenewalHours before the expiry", () => {
        assert.equal(renewalStartsAt(END, 2160), WINDOW);
        assert.equal(renewalStartsAt("2034-12-30T00:00:00Z", 8760), "2033-12-30T00:00:00Z");
    });

    it("a server certificate: no notice until 30 days before its window, then one that says to deploy", () => {
        assert.equal(EXPIRY_NOTICE.leadDays, 30);
        assert.equal(certificateExpiryNotice(SERVER, END, 2160, "redeploy", at("2026-12-06T23:59:59Z")), undefined);
        assert.equal(
            certificateExpiryNotice(SERVER, END, 2160, "redeploy", at("2026-12-07T00:00:00Z")),
            `${SERVER} expires at ${END}; its renewal window opens at ${WINDOW}. Run pulumi up between then and its expiry: ` +
                "nothing renews it without a deployment",
        );
        assert.equal(
            certificateExpiryNotice(SERVER, END, 2160, "redeploy", at(WINDOW)),
            `${SERVER} expires at ${END} and has been in its renewal window since ${WINDOW}: the first pulumi up that reaches it ` +
                "re-issues it (a replacement in the plan) and restarts the database; run one before it expires",
        );
        assert.equal(
            certificateExpiryNotice(SERVER, END, 2160, "redeploy", at(END)),
            `${SERVER} expired at ${END}: clients that verify it fail. Run pulumi up now: it re-issues the certificate and the ` +
                "restart hook makes the database load it",
        );
    });

    it("the CA: the notices say that deployments fail in its window, and to renew or rotate it first", () => {
        const ca = "the CA certificate ca-1-cert";
        const end = "2034-12-30T00:00:00Z";
        assert.equal(certificateExpiryNotice(ca, end, 8760, "protected-ca", at("2033-11-29T23:59:59Z")), undefined);
        assert.equal(
            certificateExpiryNotice(ca, end, 8760, "protected-ca", at("2033-11-30T00:00:00Z")),
            `${ca} expires at ${end}; its renewal window opens at 2033-12-30T00:00:00Z, and from then on every deployment fails. ` +
                'Renew or rotate it before then (README, "Rotating the CA")',
        );
        assert.equal(
            certificateExpiryNotice(ca, end, 8760, "protected-ca", at("2034-01-01T00:00:00Z")),
            `${ca} expires at ${end} and has been in its renewal window since 2033-12-30T00:00:00Z: every deployment plans to ` +
                'replace it and fails, since it is protected. Renew or rotate it (README, "Rotating the CA")',
        );
        assert.equal(
            certificateExpiryNotice(ca, end, 8760, "protected-ca", at(end)),
            `${ca} expired at ${end}: clients that trust only it fail, and so does every deployment. Renew or rotate it now ` +
                '(README, "Rotating the CA")',
        );
    });

    async function warningsAt(now: string): Promise<string[]> {
        expiryClock.now = () => at(now);
        try {
            warnings.length = 0;
            cloud.reset(exampleWorld());
            pulumi.runtime.setAllConfig(readStackFile("dev").config);
            const outputs = runStackProgram(cloud, stack.readRawStackConfig());
            await unwrap(outputs.certificateAuthority);
            await settle();
            return warnings.filter((w) => w.includes("expire"));
        } finally {
            expiryClock.now = () => MOCK_NOW;
        }
    }

    it("pulumi up and preview warn about a certificate in its renewal window, or soon in it", async () => {
        assert.deepEqual(await warningsAt("2026-12-01T00:00:00Z"), []);
        assert.deepEqual(await warningsAt("2026-12-20T00:00:00Z"), [
            `${SERVER} expires at ${END}; its renewal window opens at ${WINDOW}. Run pulumi up between then and its expiry: ` +
                "nothing renews it without a deployment",
        ]);
        assert.deepEqual(await warningsAt("2027-02-01T00:00:00Z"), [
            `${SERVER} expires at ${END} and has been in its renewal window since ${WINDOW}: the first pulumi up that reaches it ` +
                "re-issues it (a replacement in the plan) and restarts the database; run one before it expires",
        ]);
        // Years on, with no deployment since: the server certificate has expired, the CA's window is near.
        assert.deepEqual((await warningsAt("2033-12-15T00:00:00Z")).sort(), [
            "the CA certificate ca-1-cert expires at 2034-12-30T00:00:00Z; its renewal window opens at 2033-12-30T00:00:00Z, and from " +
                'then on every deployment fails. Renew or rotate it before then (README, "Rotating the CA")',
            `${SERVER} expired at ${END}: clients that verify it fail. Run pulumi up now: it re-issues the certificate and the ` +
                "restart hook makes the database load it",
        ]);
    });

    it("the certificates output: per self-managed database, its expiry, its renewal window and its secret", async () => {
        warnings.length = 0;
        cloud.reset(exampleWorld());
        pulumi.runtime.setAllConfig(readStackFile("dev").config);
        const outputs = runStackProgram(cloud, stack.readRawStackConfig());
        const certificates: Record<string, unknown> = {};
        for (const [name, out] of Object.entries(outputs.certificates)) certificates[name] = await unwrap(out);
        assert.deepEqual(certificates, {
            "db-10.0.3.17-3306": {
                database: "10.0.3.17:3306",
                endpoints: ["legacy-mysql"],
                expiresAt: END,
                renewalStartsAt: WINDOW,
                secretName: "db-endpoints/dev/db-10.0.3.17-3306/tls",
            },
        });
        assert.deepEqual(await unwrap(outputs.certificateAuthority), {
            issuer: 1,
            generations: [{ generation: 1, expiresAt: "2034-12-30T00:00:00Z", renewalStartsAt: "2033-12-30T00:00:00Z" }],
        });
        await settle();
        assert.deepEqual(warnings.filter((w) => w.includes("expire")), []);
    });
});
