/**
 * Handing an integration to its vendor: everything the vendor needs to connect through the endpoint and verify
 * the server, from the stack's outputs alone: host, port, database, user, the TLS mode and the CA to trust (and
 * how to get it), ready settings for the common drivers, and the TCP keepalives that keep an idle connection
 * inside the endpoint's idle timeout. The password is in the integration's Secrets Manager secret; it is
 * printed only when asked for (`--show-password`), to standard output, and goes nowhere else.
 */
import { DatabaseEngine } from "../enums";
import { clientConnection, DEFAULT_SSL_ROOT_CERT } from "../integrations/clientConnection";
import { keepaliveSettings, libpqKeepalives, osKeepalives } from "./keepalive";
import { readSourceArg, splitFlag, UsageError } from "../verify/options";
import type { EndpointTarget, IntegrationTarget, OutputsSource } from "../verify/stackOutputs";

export const HANDOFF_USAGE = `usage: npm run handoff -- --endpoint NAME --integration NAME [--stack NAME | --outputs FILE] [--show-password]

Prints what a vendor needs to connect an integration through an endpoint: host, port, database, user, TLS mode,
the CA to trust, driver settings and TCP keepalives. The password is read from the integration's secret
(secretsmanager:GetSecretValue) and printed only with --show-password.

  --endpoint NAME       the endpoint (stack output endpoints.<NAME>)
  --integration NAME    the integration (stack output integrations.<endpoint>.<NAME>)
  --stack NAME          read \`pulumi stack output --json --stack NAME\` (default: the current stack)
  --outputs FILE        read the outputs from FILE (saved with \`pulumi stack output --json > FILE\`)
  --show-password       also print the password (read from the secret; printed on standard output only)`;

export interface HandoffCommand {
    source: OutputsSource;
    endpoint: string;
    integration: string;
    showPassword: boolean;
    help: boolean;
}

/** Reads the command line. Throws {@link UsageError} naming every problem. */
export function parseHandoffArgs(argv: string[]): HandoffCommand {
    const problems: string[] = [];
    const into: { source?: OutputsSource } = {};
    let endpoint: string | undefined;
    let integration: string | undefined;
    let showPassword = false;
    let help = false;
    for (let i = 0; i < argv.length; ) {
        const used = readSourceArg(argv, i, into, problems);
        if (used > 0) {
            i += used;
            continue;
        }
        const [flag, inline] = splitFlag(argv[i]);
        if (flag === "--endpoint" || flag === "--integration") {
            const value = inline ?? argv[i + 1];
            i += inline !== undefined ? 1 : 2;
            if (value === undefined || (inline === undefined && value.startsWith("--"))) {
                problems.push(`${flag} needs a value`);
                if (inline === undefined && value !== undefined) i--;
            } else if (flag === "--endpoint") endpoint = value;
            else integration = value;
            continue;
        }
        i++;
        if (flag === "--show-password") showPassword = true;
        else if (flag === "--help" || flag === "-h") help = true;
        else problems.push(`unknown argument ${JSON.stringify(argv[i - 1])}`);
    }
    if (!help && endpoint === undefined) problems.push("--endpoint NAME is required");
    if (!help && integration === undefined) problems.push("--integration NAME is required");
    if (problems.length > 0) throw new UsageError(`${problems.join("\n")}\n\n${HANDOFF_USAGE}`);
    return { source: into.source ?? { kind: "pulumi" }, endpoint: endpoint ?? "", integration: integration ?? "", showPassword, help };
}

/** What the handoff is printed from. */
export interface HandoffInput {
    endpoint: EndpointTarget;
    integration: IntegrationTarget;
    /** The stack CA's PEM bundle (`caCertificate` output), printed for a self-managed database. */
    caCertificate?: string;
    /** The database, when the outputs do not say it (read from the secret). */
    database?: string;
    /** Present only when asked for. */
    password?: string;
}

/** The integration's endpoint and integration in the outputs; throws naming what there is. */
export function findIntegration(endpoints: EndpointTarget[], endpoint: string, integration: string): { endpoint: EndpointTarget; integration: IntegrationTarget } {
    const e = endpoints.find((x) => x.name === endpoint);
    if (!e) throw new UsageError(`no endpoint named ${JSON.stringify(endpoint)} in the stack outputs; there are: ${endpoints.map((x) => x.name).join(", ") || "none"}`);
    const i = e.integrations.find((x) => x.name === integration);
    if (!i) {
        throw new UsageError(
            `endpoint ${endpoint} has no integration named ${JSON.stringify(integration)}; ${e.integrations.length > 0 ? `it has: ${e.integrations.map((x) => x.name).join(", ")}` : "it declares none"}`,
        );
    }
    return { endpoint: e, integration: i };
}

/** The handoff text. */
export function handoffText(input: HandoffInput): string {
    const { endpoint: e, integration: i } = input;
    const engine = e.engine;
    if (engine === undefined) {
        throw new UsageError(`the outputs do not say endpoint ${e.name}'s engine (they predate it, or a self-managed database without engine): run pulumi up and save them again`);
    }
    const rds = e.tls.certificateIssuer === "aws-rds";
    const database = i.database ?? input.database ?? "(the dbname in its secret)";
    const caFile = rds ? DEFAULT_SSL_ROOT_CERT.rds : DEFAULT_SSL_ROOT_CERT.selfManaged;
    // The same TLS settings its secret's URL carries (the password is not needed for them).
    const c = clientConnection({
        engine: engine === "postgres" ? DatabaseEngine.Postgres : DatabaseEngine.Mysql,
        rds,
        endpointHostname: e.hostname,
        endpointPort: e.port,
        endpointAddresses: e.publicAddresses,
        rdsAddress: rds ? e.tls.verifyHostname : undefined,
        dbName: database,
        username: i.username,
        password: "",
        sslRootCert: caFile,
    });
    const k = keepaliveSettings(e.idleTimeoutSeconds);
    const out: string[] = [];
    const line = (s = "") => out.push(s);
    const product = engine === "postgres" ? "PostgreSQL" : "MySQL/MariaDB";

    line(`Integration ${i.name} (${i.access} access) through endpoint ${e.name}: ${product}`);
    line();
    line(`  host      ${e.hostname}`);
    line(`  port      ${e.port}`);
    line(`  database  ${database}`);
    line(`  user      ${i.username}`);
    line(
        input.password !== undefined
            ? `  password  ${input.password}`
            : `  password  not shown: run again with --show-password, or read secret ${i.secretArn} (JSON key "password")`,
    );
    line();
    line(`  Connect from an address in the endpoint's allowlist: ${e.allowedCidrs.join(", ") || "(empty)"}`);
    if (e.publicAddresses.length > 0) line(`  The endpoint's addresses never change (Elastic IPs): ${e.publicAddresses.join(", ")}`);
    line();

    line("TLS: required. The endpoint passes TCP through, so the certificate is the database's own, end to end.");
    if (rds) {
        line(`  CA to trust   AWS's RDS CA bundle, saved as ${caFile}: ${e.tls.getCa}`);
        line(`  server name   ${c.tlsServerName} (the RDS instance's name: its certificate does not name ${e.hostname})`);
    } else {
        line(`  CA to trust   the stack's own CA: save the PEM below as ${caFile} (the stack owner gets it with: ${e.tls.getCa})`);
        line(`  server name   ${c.tlsServerName} (the certificate names it)`);
    }
    line(`  mode          ${engine === "postgres" ? `sslmode=${c.sslmode}` : `ssl-mode=${c.sslmode}`}${verifies(c.sslmode)}`);
    if (!rds && input.caCertificate) {
        line();
        out.push(input.caCertificate.trim());
    }
    line();

    line("Drivers");
    const pwd = "<password>";
    if (engine === "postgres") {
        const host = c.hostaddr ? `host=${c.hostaddr.split(",").map(() => c.tlsServerName).join(",")} hostaddr=${c.hostaddr}` : `host=${e.hostname}`;
        line(`  libpq (psql, psycopg, ...):`);
        line(`    ${host} port=${e.port} dbname=${database} user=${i.username} sslmode=${c.sslmode} sslrootcert=${caFile} ${libpqKeepalives(k)}`);
        line(`  JDBC (pgJDBC):`);
        if (rds) {
            line(`    jdbc:postgresql://${e.hostname}:${e.port}/${database}?sslmode=verify-ca&sslrootcert=/path/to/${caFile}&tcpKeepAlive=true`);
            line(`    (verifies the chain only: pgJDBC checks the name it connects to. For full verification make ${c.tlsServerName} resolve to the`);
            line(`    endpoint's addresses on the client (a hosts-file entry), connect to that name and use sslmode=verify-full.)`);
        } else {
            line(`    jdbc:postgresql://${e.hostname}:${e.port}/${database}?sslmode=verify-full&sslrootcert=/path/to/${caFile}&tcpKeepAlive=true`);
        }
        line(`    user ${i.username}, password ${pwd}`);
    } else {
        const mode = rds ? "VERIFY_CA" : "VERIFY_IDENTITY";
        line(`  mysql client (MySQL):   mysql --host=${e.hostname} --port=${e.port} --user=${i.username} --password --database=${database} --ssl-mode=${mode} --ssl-ca=${caFile}`);
        // The mariadb client verifies the chain only together with the name (--ssl-verify-server-cert).
        line(
            `  mariadb client:         mariadb --host=${rds ? c.tlsServerName : e.hostname} --port=${e.port} --user=${i.username} --password --database=${database} --ssl-ca=${caFile} --ssl-verify-server-cert` +
                (rds ? " (after the hosts-file entry below)" : ""),
        );
        line(`  MySQL Connector/J:      jdbc:mysql://${e.hostname}:${e.port}/${database}?sslMode=${mode}&trustCertificateKeyStoreUrl=file:/path/to/truststore.p12&trustCertificateKeyStoreType=PKCS12&trustCertificateKeyStorePassword=<store password>&tcpKeepAlive=true`);
        line(`    Connector/J reads trusted CAs from a Java key store, not a PEM file: import each certificate of ${caFile}, one alias each:`);
        line(`    keytool -importcert -noprompt -alias db-endpoints-ca -file ${caFile} -keystore truststore.p12 -storetype PKCS12 -storepass <store password>`);
        if (rds) {
            line(`  Through ${e.hostname}, VERIFY_CA verifies the chain only: RDS's certificate names ${c.tlsServerName}. For full verification make`);
            line(`  that name resolve to the endpoint's addresses on the client (a hosts-file entry: <endpoint address> ${c.tlsServerName}),`);
            line(`  connect to it and use VERIFY_IDENTITY.`);
        }
    }
    line();

    line(`Idle connections: the endpoint closes a connection that carries nothing for ${k.idleTimeoutSeconds} s. TCP keepalives sent sooner`);
    line(`keep it open; the operating system's default sends the first one after 7200 s, too late. Per driver:`);
    if (engine === "postgres") {
        line(`  libpq:   ${libpqKeepalives(k)} (in the line above; URL form: ?keepalives=1&keepalives_idle=${k.idleSeconds}&keepalives_interval=${k.intervalSeconds}&keepalives_count=${k.count})`);
        line(`  pgJDBC:  tcpKeepAlive=true (off by default); the timing is the operating system's, set as below`);
    } else {
        line(`  MySQL Connector/J:               tcpKeepAlive=true (its default); the timing is the operating system's, set as below`);
        line(`  mysql and mariadb clients:       no keepalive setting (MariaDB's client library turns keepalives on by itself); the timing is the`);
        line(`                                   operating system's, set as below`);
    }
    line(`  Operating system (first probe after ${k.idleSeconds} s, then every ${k.intervalSeconds} s, ${k.count} times):`);
    for (const os of osKeepalives(k)) line(`    ${os}`);
    line(`  A connection pool that validates idle connections (a test query) more often than every ${k.idleTimeoutSeconds} s keeps them open too.`);
    return `${out.join("\n")}\n`;
}

function verifies(mode: string): string {
    if (mode === "verify-full" || mode === "VERIFY_IDENTITY") return " (verifies the chain and the server's name)";
    return " (verifies the chain only; see Drivers for full verification)";
}
