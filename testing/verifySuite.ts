/**
 * The checks of `verify` against a real database server of one engine (PostgreSQL or MariaDB), started once per
 * test file, reached through a TCP pass-through proxy that plays the endpoint's load balancer, and serving
 * certificates issued the way the stack issues them (testing/certificates.ts). The same cases run for each
 * engine: a good setup passes; a certificate from another CA, one that does not name the endpoint, an expired
 * one and one inside the warning window fail their check with the message that says so; so do a closed port
 * and a server without TLS. With AWS (DescribeTargetHealth and GetSecretValue against aws-sdk-client-mock), an
 * integration's user created as `pulumi up` creates it logs in, reads what it was granted and cannot create
 * objects; a user that can is reported. The command itself runs once for a passing and a failing stack.
 */
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { caCommonName } from "../infra/components/databaseEndpoints/certificates";
import { CheckResult } from "../infra/verify/report";
import { VERIFY_DEFAULTS, verifyEndpoints, VerifyOptions } from "../infra/verify/run";
import { overridingLookup } from "../infra/verify/network";
import { readStackTargets } from "../infra/verify/stackOutputs";
import { issueCa, issueServerCertificate, opensslUnavailable, TestCa, TestServerCertificate } from "./certificates";
import { freeLoopbackPort } from "./ports";
import { requireInstalled, skipUnlessCi } from "./required";
import { integrationSecretArn, selfManagedStackOutputs, targetGroupArn } from "./stackOutputs";
import { startTcpProxy, TcpProxy } from "./tcpProxy";

/** A database server of one engine, as the suite drives it. */
export interface DatabaseUnderTest {
    engine: "postgres" | "mysql";
    /** `PostgreSQL`, `MariaDB`: for test names. */
    label: string;
    /** Why the server cannot be started here, or undefined. */
    unavailable(): string | undefined;
    /** Starts the server(s); `tls` is the certificate the TLS server starts with. */
    start(tls: TestServerCertificate, dir: string): Promise<void>;
    /** The server that offers TLS. */
    tlsServer(): { host: string; port: number };
    /** Makes the TLS server present `tls` to new connections. */
    useCertificate(tls: TestServerCertificate): Promise<void>;
    /** A server that offers no TLS (the TLS server with TLS off, or a second one); `restoreTls` undoes it. */
    plaintextServer(): Promise<{ host: string; port: number }>;
    restoreTls(): Promise<void>;
    /** Creates database `database` with a table `orders` (one row) in `schema` (MySQL: the database itself). */
    createData(database: string, schema: string): void;
    /** Creates an integration's user as `pulumi up` does (infra/integrations/grants.ts), with `password`. */
    createIntegrationUser(name: string, access: "read" | "write", database: string, schema: string, password: string): void;
    /** Lets `name` create (and drop) tables in `schema`: privileges no integration is given. */
    grantCreate(name: string, database: string, schema: string): void;
    /** Fails when the table the create check tries to make exists in `schema`. */
    assertNoProbeTable(database: string, schema: string): void;
    stop(): Promise<void>;
}

const HOST = "reporting.db.example.test";
const LB = "reporting-nlb-0123456789.elb.us-east-1.amazonaws.com";
const DATABASE = "shop";
const PASSWORD = { metabase: "Metabase0pass0word0for0tests0only000001", sloppy: "Sloppy0pass0word0for0tests0only00000001" };

/** Results as `status check` pairs, in order: the shape of a run. */
function shape(results: CheckResult[]): string[] {
    return results.map((r) => `${r.status} ${r.check}${r.integration ? ` ${r.integration}` : ""}`);
}

function only(results: CheckResult[], check: string, integration?: string): CheckResult {
    const found = results.filter((r) => r.check === check && (integration === undefined || r.integration === integration));
    assert.equal(found.length, 1, `one ${check} result, got ${JSON.stringify(found)}`);
    return found[0];
}

export function verifySuite(db: DatabaseUnderTest): void {
    const missing = db.unavailable() ?? opensslUnavailable();
    describe(`verify against ${db.label} through a pass-through proxy`, { skip: skipUnlessCi(missing) }, () => {
        let dir: string;
        let stackCa: TestCa;
        let otherCa: TestCa;
        const certs: Record<"good" | "wrongCa" | "noName" | "expired" | "expiring", TestServerCertificate> = {} as never;
        let proxy: TcpProxy;
        const elbClient = new ElasticLoadBalancingV2Client({ region: "us-east-1" });
        const smClient = new SecretsManagerClient({ region: "us-east-1" });
        const elb = mockClient(elbClient);
        const sm = mockClient(smClient);
        let outputs: Record<string, unknown>;
        const schema = db.engine === "postgres" ? "sales" : DATABASE;
        const engineName = db.engine;

        before(async () => {
            requireInstalled(missing);
            dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-verify-")));
            stackCa = issueCa(dir, caCommonName("db-endpoints", "dev", 1));
            // Another stack's CA: same shape, its own key.
            otherCa = issueCa(dir, caCommonName("db-endpoints", "other", 1), { rsaBits: 2048 });
            const names = { endpointHostnames: [HOST, LB], addresses: ["127.0.0.1"], hostname: "db1.internal.example.test" };
            const day = 86_400_000;
            certs.good = issueServerCertificate(stackCa, names);
            certs.wrongCa = issueServerCertificate(otherCa, names);
            certs.noName = issueServerCertificate(stackCa, { ...names, endpointHostnames: ["other.db.example.test", "other-nlb-0123456789.elb.us-east-1.amazonaws.com"] });
            certs.expired = issueServerCertificate(stackCa, names, { notBefore: new Date(Date.now() - 900 * day), notAfter: new Date(Date.now() - 3 * day) });
            certs.expiring = issueServerCertificate(stackCa, names, { notBefore: new Date(Date.now() - 800 * day), notAfter: new Date(Date.now() + 10 * day + 3_600_000) });
            await db.start(certs.good, dir);
            db.createData(DATABASE, schema);
            db.createIntegrationUser("metabase", "read", DATABASE, schema, PASSWORD.metabase);
            db.createIntegrationUser("sloppy", "write", DATABASE, schema, PASSWORD.sloppy);
            db.grantCreate("sloppy", DATABASE, schema);
            const server = db.tlsServer();
            proxy = await startTcpProxy(server.host, server.port);
            const certificateNames = [...names.endpointHostnames, names.hostname].sort().concat(names.addresses);
            outputs = selfManagedStackOutputs({
                name: "reporting",
                hostname: HOST,
                loadBalancerDnsName: LB,
                port: proxy.port,
                engine: db.engine,
                addresses: names.addresses,
                databasePort: server.port,
                caCertificate: stackCa.certificatePem,
                certificateNames,
                certificateExpiresAt: new Date(Date.now() + 825 * day).toISOString(),
                integrations: [
                    { name: "metabase", access: "read", database: DATABASE, schemas: [schema] },
                    { name: "sloppy", access: "write", database: DATABASE, schemas: [schema] },
                ],
            });
        });

        after(async () => {
            await proxy?.close();
            await db.stop();
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        beforeEach(async () => {
            elb.reset();
            sm.reset();
            // The proxy runs in this process: let it close what the last test left before the server is
            // driven synchronously (MariaDB's FLUSH SSL waits for connections still in their handshake).
            await proxy.whenIdle();
            await db.useCertificate(certs.good);
        });

        const lookup = overridingLookup({ [HOST]: ["127.0.0.1"], [LB]: ["127.0.0.1"] }, async (h) => {
            throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: "ENOTFOUND" });
        });

        async function run(stackOutputs: unknown, options: Partial<VerifyOptions> = {}): Promise<CheckResult[]> {
            const targets = readStackTargets(stackOutputs);
            return verifyEndpoints(
                targets.endpoints,
                {
                    caCertificate: targets.caCertificate,
                    expiryWindowDays: VERIFY_DEFAULTS.expiryWindowDays,
                    timeoutMs: VERIFY_DEFAULTS.timeoutMs,
                    aws: false,
                    ...options,
                },
                {
                    lookup,
                    now: () => new Date(),
                    elbv2: () => elbClient,
                    secretsManager: () => smClient,
                    progress: () => undefined,
                    report: () => undefined,
                },
            );
        }

        const negotiation = db.engine === "postgres" ? "PostgreSQL accepted SSLRequest" : /^MariaDB [^ ]+ offered TLS in its greeting$/;

        it("passes for a good setup: the name resolves, the port connects, TLS in the database's protocol, the stack CA's certificate names the host", async () => {
            const results = await run(outputs);
            assert.deepEqual(shape(results), ["pass dns", "pass tcp", "pass tls", "pass chain", "pass name", "pass expiry"]);
            assert.equal(only(results, "dns").message, `${HOST} resolves to 127.0.0.1`);
            assert.match(only(results, "tcp").message, new RegExp(`^127\\.0\\.0\\.1:${proxy.port} accepts connections \\(\\d+ ms\\)$`));
            const tls = only(results, "tls");
            assert.equal(tls.details?.engine, engineName);
            const said = tls.message.split(": ")[1].split(";")[0];
            if (typeof negotiation === "string") assert.equal(said, negotiation);
            else assert.match(said, negotiation);
            assert.match(tls.message, /; TLSv1\.[23] handshake \(/);
            assert.equal(only(results, "chain").message, `issued by "db-endpoints/dev CA 1", verified against the stack's CA (caCertificate output)`);
            assert.equal(
                only(results, "name").message,
                `names ${HOST} (DNS:db1.internal.example.test, DNS:${LB}, DNS:${HOST}, IP Address:127.0.0.1)`,
            );
            assert.match(only(results, "expiry").message, /^valid until \d{4}-\d\d-\d\d \((824|825) days; warning window 30 days\)$/);
            assert.equal(elb.calls().length + sm.calls().length, 0, "no AWS call without --aws");
        });

        it("tells the engine apart by who speaks first when the outputs do not say", async () => {
            const withoutEngine = structuredClone(outputs) as any;
            delete withoutEngine.endpoints.reporting.engine;
            const results = await run(withoutEngine);
            assert.deepEqual(shape(results), ["pass dns", "pass tcp", "pass tls", "pass chain", "pass name", "pass expiry"]);
            assert.match(only(results, "tls").message, new RegExp(`\\(engine told apart by who spoke first: ${engineName}\\)$`));
        });

        it("fails the chain when another CA issued the certificate", async () => {
            await db.useCertificate(certs.wrongCa);
            const results = await run(outputs);
            assert.deepEqual(shape(results), ["pass dns", "pass tcp", "pass tls", "fail chain", "pass name", "pass expiry"]);
            assert.match(
                only(results, "chain").message,
                /^issued by "db-endpoints\/other CA 1", which is not in the stack's CA \(caCertificate output\) \(UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT_LOCALLY)\): the database serves a certificate the stack's CA did not issue: install the current one from its secret/,
            );
        });

        it("fails the name when the certificate does not name the endpoint's hostname", async () => {
            await db.useCertificate(certs.noName);
            const results = await run(outputs);
            assert.deepEqual(shape(results), ["pass dns", "pass tcp", "pass tls", "pass chain", "fail name", "pass expiry"]);
            assert.equal(
                only(results, "name").message,
                `does not name ${HOST}; it names DNS:db1.internal.example.test, DNS:other-nlb-0123456789.elb.us-east-1.amazonaws.com, DNS:other.db.example.test, IP Address:127.0.0.1: ` +
                    "the certificate in use predates this endpoint or hostname: run pulumi up (it re-issues the certificate with every endpoint hostname) and make sure the database loaded it (docs/restarts.md)",
            );
        });

        it("fails the expiry of an expired certificate, and still says the stack's CA issued it", async () => {
            await db.useCertificate(certs.expired);
            const results = await run(outputs);
            assert.deepEqual(shape(results), ["pass dns", "pass tcp", "pass tls", "pass chain", "pass name", "fail expiry"]);
            assert.match(only(results, "chain").message, /^issued by "db-endpoints\/dev CA 1", which chains to "db-endpoints\/dev CA 1" in the stack's CA \(caCertificate output\) \(the dates are checked under expiry\)$/);
            assert.match(only(results, "expiry").message, /^expired on \d{4}-\d\d-\d\d \(3 days ago\): run pulumi up: the first deployment in its renewal window re-issues it/);
        });

        it("fails the expiry inside the warning window, and passes it with a shorter window", async () => {
            await db.useCertificate(certs.expiring);
            const results = await run(outputs);
            assert.deepEqual(shape(results), ["pass dns", "pass tcp", "pass tls", "pass chain", "pass name", "fail expiry"]);
            assert.match(only(results, "expiry").message, /^expires on \d{4}-\d\d-\d\d, in 10 days, inside the 30-day warning window: run pulumi up/);
            const shorter = await run(outputs, { expiryWindowDays: 7 });
            assert.match(only(shorter, "expiry").message, /^valid until \d{4}-\d\d-\d\d \(10 days; warning window 7 days\)$/);
            assert.equal(only(shorter, "expiry").status, "pass");
        });

        it("fails TCP on a closed port, and checks nothing over it", async () => {
            const closed = structuredClone(outputs) as any;
            const port = await freeLoopbackPort();
            closed.endpoints.reporting.port = port;
            const results = await run(closed);
            assert.deepEqual(shape(results), ["pass dns", "fail tcp"]);
            assert.match(only(results, "tcp").message, new RegExp(`^127\\.0\\.0\\.1:${port} does not accept connections \\(ECONNREFUSED: .*\\): nothing listens there`));
        });

        it("fails TLS when the server offers none", async () => {
            const plain = await db.plaintextServer();
            proxy.retarget(plain.host, plain.port);
            try {
                const results = await run(outputs);
                assert.deepEqual(shape(results), ["pass dns", "pass tcp", "fail tls"]);
                const expected =
                    db.engine === "postgres"
                        ? /^127\.0\.0\.1:\d+: the server answered SSLRequest with N: it does not offer TLS .*; clients that require TLS cannot connect$/
                        : /^127\.0\.0\.1:\d+: MariaDB [^ ]+ does not offer TLS \(its greeting has no CLIENT_SSL capability\): .*; clients that require TLS cannot connect$/;
                assert.match(only(results, "tls").message, expected);
            } finally {
                const server = db.tlsServer();
                proxy.retarget(server.host, server.port);
                await db.restoreTls();
            }
        });

        function secretOf(user: "metabase" | "sloppy", password = PASSWORD[user]): string {
            return JSON.stringify({ engine: engineName, host: HOST, port: proxy.port, dbname: DATABASE, username: user, password });
        }

        it("with AWS: the target group's health, and each integration logs in, reads its grant and cannot create (or is reported when it can)", async () => {
            elb.on(DescribeTargetHealthCommand, { TargetGroupArn: targetGroupArn("reporting") }).resolves({
                TargetHealthDescriptions: [{ Target: { Id: "127.0.0.1", Port: 5432 }, TargetHealth: { State: "healthy" } }],
            });
            sm.on(GetSecretValueCommand, { SecretId: integrationSecretArn("reporting", "metabase") }).resolves({ SecretString: secretOf("metabase") });
            sm.on(GetSecretValueCommand, { SecretId: integrationSecretArn("reporting", "sloppy") }).resolves({ SecretString: secretOf("sloppy") });
            const results = await run(outputs, { aws: true });
            assert.deepEqual(shape(results), [
                "pass dns", "pass tcp", "pass tls", "pass chain", "pass name", "pass expiry", "pass targets",
                "pass login metabase", "pass read metabase", "pass create metabase",
                "pass login sloppy", "pass read sloppy", "fail create sloppy",
            ]);
            assert.equal(only(results, "targets").message, "1 of 1 target healthy: 127.0.0.1:5432 healthy");
            assert.match(only(results, "login", "metabase").message, new RegExp(`^metabase logged in to ${DATABASE} over TLS.*the server verified as ${HOST.replace(/\./g, "\\.")}`));
            assert.equal(only(results, "read", "metabase").message, `metabase can SELECT from ${schema}.orders`);
            const refused =
                db.engine === "postgres"
                    ? `metabase cannot create objects (refused: CREATE TABLE in ${schema}: permission denied for schema ${schema}; CREATE SCHEMA in ${DATABASE}: permission denied for database ${DATABASE})`
                    : `metabase cannot create objects (refused: CREATE TABLE in ${schema}: CREATE command denied to user 'metabase'@'127.0.0.1' for table \`${schema}\`.\`db_endpoints_verify_probe\`; ` +
                      `CREATE DATABASE: Access denied for user 'metabase'@'%' to database 'db_endpoints_verify_probe')`;
            assert.equal(only(results, "create", "metabase").message, refused);
            assert.match(only(results, "create", "sloppy").message, new RegExp(`^sloppy can create objects \\(CREATE TABLE in ${schema} succeeded \\((rolled back|dropped again)\\)\\): it holds more than its grants`));
            db.assertNoProbeTable(DATABASE, schema);
            const calls = sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId);
            assert.deepEqual(calls, [integrationSecretArn("reporting", "metabase"), integrationSecretArn("reporting", "sloppy")]);
        });

        it("with AWS: fails without a healthy target, and a login whose secret holds another password", async () => {
            elb.on(DescribeTargetHealthCommand).resolves({
                TargetHealthDescriptions: [{ Target: { Id: "10.0.3.17", Port: 5432 }, TargetHealth: { State: "unhealthy", Reason: "Target.FailedHealthChecks", Description: "Health checks failed" } }],
            });
            sm.on(GetSecretValueCommand).resolves({ SecretString: secretOf("metabase", "not-the-password") });
            const one = structuredClone(outputs) as any;
            delete one.integrations.reporting.sloppy;
            const results = await run(one, { aws: true });
            assert.deepEqual(shape(results), ["pass dns", "pass tcp", "pass tls", "pass chain", "pass name", "pass expiry", "fail targets", "fail login metabase"]);
            assert.match(only(results, "targets").message, /^no healthy target: 10\.0\.3\.17:5432 unhealthy \(Target\.FailedHealthChecks: Health checks failed\); /);
            assert.match(only(results, "login").message, /^metabase cannot log in to shop: .*(password authentication failed for user "metabase"|Access denied for user 'metabase').* \(the secret's password is not the user's/);
        });

        it("with AWS: sends no password, and reads no secret, when the certificate does not verify", async () => {
            await db.useCertificate(certs.wrongCa);
            elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: "127.0.0.1", Port: 5432 }, TargetHealth: { State: "healthy" } }] });
            const results = await run(outputs, { aws: true });
            assert.deepEqual(shape(results), ["pass dns", "pass tcp", "pass tls", "fail chain", "pass name", "pass expiry", "pass targets", "skip login metabase", "skip login sloppy"]);
            assert.equal(sm.calls().length, 0);
        });

        it("runs as `npm run verify`: one line per check, a summary, exit 0; exit 1 and the failing line when a check fails; --json", async () => {
            const file = path.join(dir, "outputs.json");
            fs.writeFileSync(file, JSON.stringify(outputs));
            // Asynchronously: the proxy runs in this process and must keep forwarding while the command runs.
            const cli = (...args: string[]) =>
                new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
                    const child = spawn(
                        process.execPath,
                        ["--import", "tsx", path.join(__dirname, "..", "scripts", "verify.ts"), "--outputs", file, "--resolve", `${HOST}=127.0.0.1`, ...args],
                        { cwd: path.join(__dirname, ".."), env: { ...process.env, AWS_REGION: "us-east-1" } },
                    );
                    let stdout = "";
                    let stderr = "";
                    child.stdout.on("data", (d) => (stdout += d));
                    child.stderr.on("data", (d) => (stderr += d));
                    child.on("close", (status) => resolve({ status, stdout, stderr }));
                });
            const good = await cli();
            assert.equal(good.status, 0, `${good.stdout}${good.stderr}`);
            const lines = good.stdout.trim().split("\n");
            assert.deepEqual(
                lines.map((l) => l.split(/\s+/).slice(0, 3).join(" ")),
                ["ok reporting dns", "ok reporting tcp", "ok reporting tls", "ok reporting chain", "ok reporting name", "ok reporting expiry", "verify: 6 checks:"],
            );
            assert.equal(lines.at(-1), "verify: 6 checks: 6 passed, 0 failed, 0 warnings, 0 skipped");
            assert.match(good.stderr, /… reporting: connecting to 127\.0\.0\.1:\d+/);

            const failing = await cli("--expiry-window-days", "3650", "--json", "--quiet");
            assert.equal(failing.status, 1, failing.stderr);
            assert.equal(failing.stderr, "");
            const json = JSON.parse(failing.stdout);
            assert.equal(json.ok, false);
            assert.deepEqual(json.summary, { pass: 5, fail: 1, warn: 0, skip: 0 });
            assert.equal(json.results[5].check, "expiry");
            assert.match(json.results[5].message, /inside the 3650-day warning window/);
            assert.equal(typeof json.results[5].details.daysToExpiry, "number");
        });
    });
}
