/**
 * `npm run handoff`: what it prints for an RDS PostgreSQL endpoint with Elastic IPs and for a self-managed MySQL
 * endpoint, read from the stack outputs (built with the functions the stack computes them with); the password
 * read from the integration's secret only with --show-password (Secrets Manager against aws-sdk-client-mock,
 * which sees no call otherwise); and the refusals of bad arguments.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { main } from "../../scripts/handoff";
import { integrationSecretArn, rdsStackOutputs, selfManagedStackOutputs } from "../../testing/stackOutputs";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBstackCA\n-----END CERTIFICATE-----\n";
const RDS_HOST = "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com";
const NLB = "reporting-nlb-1a2b3c4-0123456789abcdef.elb.us-east-1.amazonaws.com";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-handoff-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const rdsFile = path.join(dir, "rds.json");
fs.writeFileSync(
    rdsFile,
    JSON.stringify(
        rdsStackOutputs({
            name: "reporting",
            engine: "postgres",
            rdsAddress: RDS_HOST,
            loadBalancerDnsName: NLB,
            port: 5432,
            publicAddresses: ["198.51.100.10", "198.51.100.20"],
            integrations: [{ name: "metabase", access: "read", database: "app", schemas: ["public"] }],
            caCertificate: CA,
        }),
    ),
);
const selfManagedFile = path.join(dir, "self-managed.json");
fs.writeFileSync(
    selfManagedFile,
    JSON.stringify(
        selfManagedStackOutputs({
            name: "legacy",
            hostname: "legacy.db.example.com",
            loadBalancerDnsName: "legacy-nlb-0123456789.elb.us-east-1.amazonaws.com",
            port: 3306,
            engine: "mysql",
            addresses: ["10.0.3.17"],
            databasePort: 3306,
            caCertificate: CA,
            certificateNames: ["legacy.db.example.com", "10.0.3.17"],
            certificateExpiresAt: "2028-01-01T00:00:00Z",
            idleTimeoutSeconds: 120,
            allowedCidrs: ["198.51.100.7/32"],
            integrations: [{ name: "looker", access: "read", database: "shop", schemas: ["shop"] }],
        }),
    ),
);

const sm = mockClient(SecretsManagerClient);

async function handoff(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
}

describe("npm run handoff", () => {
    beforeEach(() => sm.reset());

    it("prints an RDS PostgreSQL integration's connection: verify-full by the RDS name through the Elastic IPs, the RDS CA, keepalives; no password fetched", async () => {
        const { code, out, err } = await handoff("--outputs", rdsFile, "--endpoint", "reporting", "--integration", "metabase");
        assert.equal(code, 0, err);
        assert.equal(sm.calls().length, 0, "no secret is read without --show-password");
        const lines = out.split("\n");
        assert.equal(lines[0], "Integration metabase (read access) through endpoint reporting: PostgreSQL");
        assert.deepEqual(lines.slice(2, 8), [
            `  host      ${NLB}`,
            "  port      5432",
            "  database  app",
            "  user      metabase",
            `  password  not shown: run again with --show-password, or read secret ${integrationSecretArn("reporting", "metabase")} (JSON key "password")`,
            "",
        ]);
        assert.ok(lines.includes("  The endpoint's addresses never change (Elastic IPs): 198.51.100.10, 198.51.100.20"));
        assert.ok(lines.includes("  CA to trust   AWS's RDS CA bundle, saved as global-bundle.pem: curl -fsSo global-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"));
        assert.ok(lines.includes(`  server name   ${RDS_HOST} (the RDS instance's name: its certificate does not name ${NLB})`));
        assert.ok(lines.includes("  mode          sslmode=verify-full (verifies the chain and the server's name)"));
        assert.ok(
            lines.includes(
                `    host=${RDS_HOST},${RDS_HOST} hostaddr=198.51.100.10,198.51.100.20 port=5432 dbname=app user=metabase sslmode=verify-full sslrootcert=global-bundle.pem ` +
                    "keepalives=1 keepalives_idle=300 keepalives_interval=30 keepalives_count=3",
            ),
        );
        assert.ok(lines.includes(`    jdbc:postgresql://${NLB}:5432/app?sslmode=verify-ca&sslrootcert=/path/to/global-bundle.pem&tcpKeepAlive=true`));
        assert.ok(lines.includes("  pgJDBC:  tcpKeepAlive=true (off by default); the timing is the operating system's, set as below"));
        assert.ok(lines.includes("    Linux:   sudo sysctl -w net.ipv4.tcp_keepalive_time=300 net.ipv4.tcp_keepalive_intvl=30 net.ipv4.tcp_keepalive_probes=3 (keep it across reboots in a file under /etc/sysctl.d/)"));
        assert.ok(!out.includes("BEGIN CERTIFICATE"), "the stack CA is not what an RDS client trusts");
    });

    it("prints a self-managed MySQL integration's connection with the stack's CA itself and keepalives inside a short idle timeout", async () => {
        const { code, out } = await handoff("--outputs", selfManagedFile, "--endpoint", "legacy", "--integration", "looker");
        assert.equal(code, 0);
        assert.equal(sm.calls().length, 0);
        const lines = out.split("\n");
        assert.ok(lines.includes("  CA to trust   the stack's own CA: save the PEM below as ca.pem (the stack owner gets it with: pulumi stack output caCertificate > ca.pem)"));
        assert.ok(lines.includes("  server name   legacy.db.example.com (the certificate names it)"));
        assert.ok(lines.includes("  mode          ssl-mode=VERIFY_IDENTITY (verifies the chain and the server's name)"));
        assert.ok(out.includes(`\n${CA.trim()}\n`), "the CA's PEM is printed");
        assert.ok(lines.includes("  mysql client (MySQL):   mysql --host=legacy.db.example.com --port=3306 --user=looker --password --database=shop --ssl-mode=VERIFY_IDENTITY --ssl-ca=ca.pem"));
        assert.ok(lines.includes("  mariadb client:         mariadb --host=legacy.db.example.com --port=3306 --user=looker --password --database=shop --ssl-ca=ca.pem --ssl-verify-server-cert"));
        assert.ok(lines.some((l) => l.startsWith("  MySQL Connector/J:      jdbc:mysql://legacy.db.example.com:3306/shop?sslMode=VERIFY_IDENTITY&") && l.endsWith("&tcpKeepAlive=true")));
        // A 120 s idle timeout: the first probe after 60 s, then every 20 s.
        assert.ok(lines.includes("Idle connections: the endpoint closes a connection that carries nothing for 120 s. TCP keepalives sent sooner"));
        assert.ok(lines.includes("  Operating system (first probe after 60 s, then every 20 s, 3 times):"));
        assert.ok(lines.includes("    Linux:   sudo sysctl -w net.ipv4.tcp_keepalive_time=60 net.ipv4.tcp_keepalive_intvl=20 net.ipv4.tcp_keepalive_probes=3 (keep it across reboots in a file under /etc/sysctl.d/)"));
        assert.ok(lines.includes("    macOS:   sudo sysctl -w net.inet.tcp.keepidle=60000 net.inet.tcp.keepintvl=20000 (milliseconds)"));
    });

    it("reads the password from the integration's secret with --show-password, and prints it on standard output only", async () => {
        const password = "Xy7secretPasswordFromSecretsManager0001";
        sm.on(GetSecretValueCommand, { SecretId: integrationSecretArn("legacy", "looker") }).resolves({
            SecretString: JSON.stringify({ engine: "mysql", host: "legacy.db.example.com", port: 3306, dbname: "shop", username: "looker", password }),
        });
        const { code, out, err } = await handoff("--outputs", selfManagedFile, "--endpoint", "legacy", "--integration", "looker", "--show-password");
        assert.equal(code, 0, err);
        assert.deepEqual(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input), [{ SecretId: integrationSecretArn("legacy", "looker") }]);
        assert.ok(out.split("\n").includes(`  password  ${password}`));
        assert.equal(err, "");
    });

    it("says why it cannot read the secret, without printing anything of it", async () => {
        sm.on(GetSecretValueCommand).rejects(Object.assign(new Error("User is not authorized to perform: secretsmanager:GetSecretValue"), { name: "AccessDeniedException" }));
        const { code, out, err } = await handoff("--outputs", selfManagedFile, "--endpoint", "legacy", "--integration", "looker", "--show-password");
        assert.equal(code, 2);
        assert.equal(out, "");
        assert.equal(
            err,
            `handoff: cannot read its secret ${integrationSecretArn("legacy", "looker")} (AccessDeniedException: User is not authorized to perform: secretsmanager:GetSecretValue); ` +
                "the caller needs secretsmanager:GetSecretValue on it\n",
        );
    });

    it("refuses missing arguments and unknown names, saying what there is", async () => {
        const missing = await handoff("--outputs", rdsFile);
        assert.equal(missing.code, 2);
        assert.match(missing.err, /^handoff: --endpoint NAME is required\n--integration NAME is required\n\nusage: npm run handoff/);
        const unknown = await handoff("--outputs", rdsFile, "--endpoint", "reporting", "--integration", "tableau");
        assert.equal(unknown.err, 'handoff: endpoint reporting has no integration named "tableau"; it has: metabase\n');
        const endpoint = await handoff("--outputs", rdsFile, "--endpoint", "nope", "--integration", "metabase");
        assert.equal(endpoint.err, 'handoff: no endpoint named "nope" in the stack outputs; there are: reporting\n');
        assert.equal(sm.calls().length, 0);
    });
});
