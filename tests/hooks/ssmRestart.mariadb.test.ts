/**
 * What the self-managed restart script installs for MySQL, loaded by a real MariaDB server (10.11 from Debian,
 * testing/mariadb.ts): the TLS files, root's and readable by the server only through its group, serve
 * TLS to a client that verifies them; and the option file's `max_connect_errors` keeps a load balancer's TCP
 * health checks from getting its address blocked.
 *
 * The blocking is reproduced, not assumed: MariaDB keeps no host cache for loopback clients, so the server runs
 * in a network namespace on a non-loopback address that resolves to a host name both ways (as a VPC's DNS
 * resolves a load balancer node's address), and the health checks do what a Network Load Balancer's do:
 * complete the TCP handshake, read the server's greeting, and reset the connection.
 *
 * Skipped, saying why, where MariaDB, openssl, a `mysql` OS user or network namespaces are missing; under CI
 * (CI=true) those fail instead (.ci/run installs them).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { MYSQL_MAX_CONNECT_ERRORS } from "../../infra/hooks/ssmRestart";
import { MariaDb, mariadbUnavailable, NAMESPACE_ADDRESS, NAMESPACE_HOSTNAME, namespaceUnavailable, startMariaDb } from "../../testing/mariadb";
import { requireInstalled, skipUnlessCi } from "../../testing/required";
import { localRestartScript, runScript, writeFakeAws } from "../../testing/restartScript";
import { DatabaseEngine } from "../../infra/enums";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-endpoints/dev/db-198.18.0.1-3306/tls-AbCdEf";
const VERSION = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b";

function tlsUnavailable(): string | undefined {
    const db = mariadbUnavailable();
    if (db) return db;
    if (process.getuid?.() !== 0) return "the restart script gives the files to root: run as root";
    if (spawnOk("id", ["-u", "mysql"]) === false) return "no mysql OS user (the mariadb-server package creates it)";
    if (spawnOk("openssl", ["version"]) === false) return "openssl is not installed";
    return undefined;
}
function spawnOk(command: string, args: string[]): boolean {
    try {
        execFileSync(command, args, { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

const scratchDirs: string[] = [];
after(() => {
    for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
});
function scratch(prefix: string): string {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    scratchDirs.push(dir);
    return dir;
}

/** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl in `dir`. */
function makeCertificates(dir: string): { certificate: string; privateKey: string; caCertificate: string; caFile: string } {
    const f = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-subj", "/CN=db-endpoints test CA", "-days", "2");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1");
    fs.writeFileSync(f("ext.cnf"), "subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n");
    openssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.crt"), "-days", "2", "-extfile", f("ext.cnf"));
    const read = (name: string) => fs.readFileSync(f(name), "utf8");
    return { certificate: read("server.crt"), privateKey: read("server.key"), caCertificate: read("ca.crt"), caFile: f("ca.crt") };
}

/** Runs the real restart script for MySQL on port 3306, confined below `<dir>/root`; returns where it installed. */
function installWithRestartScript(dir: string, secret: object) {
    const bin = path.join(dir, "bin");
    const root = path.join(dir, "root");
    writeFakeAws(bin, secret);
    fs.mkdirSync(path.join(root, "etc/mysql/conf.d"), { recursive: true });
    const local = localRestartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: DatabaseEngine.Mysql, port: 3306, restartCommand: "true" }, root, "mysql");
    const result = runScript(local.script, bin);
    assert.equal(result.status, 0, result.stderr);
    return { tlsDir: local.tlsDir, configDir: local.paths.mysqlConfigDirectories[0] };
}

describe("a real MariaDB server loads what the restart script installs", { skip: skipUnlessCi(tlsUnavailable()) }, () => {
    let server: MariaDb;
    let caFile: string;
    before(async () => {
        requireInstalled(tlsUnavailable());
        const dir = scratch("db-endpoints-mariadb-tls-");
        const certificates = makeCertificates(dir);
        caFile = certificates.caFile;
        const { tlsDir, configDir } = installWithRestartScript(dir, certificates);
        // The server runs as mysql, so it reads the key (root's, 0640) through its group only.
        fs.chmodSync(dir, 0o755);
        fs.chmodSync(path.join(dir, "root"), 0o755);
        fs.chmodSync(path.join(dir, "root/etc"), 0o755);
        server = await startMariaDb({
            user: "mysql",
            options: [`ssl_cert = ${tlsDir}/server.crt`, `ssl_key = ${tlsDir}/server.key`, `ssl_ca = ${tlsDir}/ca.crt`, "require_secure_transport = ON"],
            includeDirs: [configDir],
        });
        server.sql("CREATE USER 'probe'@'%' IDENTIFIED BY 'probe-password'");
    });
    after(async () => server?.stop());

    it("reads max_connect_errors from the option file", () => {
        assert.equal(server.sql("SELECT @@GLOBAL.max_connect_errors"), String(MYSQL_MAX_CONNECT_ERRORS));
    });

    it("serves TLS with the installed certificate and key to a client that verifies it against the CA", () => {
        assert.equal(server.sql("SELECT @@have_ssl"), "YES");
        const output = execFileSync(
            "mariadb",
            ["--no-defaults", "-h", "127.0.0.1", "-P", String(server.port), "-u", "probe", "-pprobe-password", "--ssl", `--ssl-ca=${caFile}`, "--ssl-verify-server-cert", "-N", "-B", "-e", "SELECT 'verified'"],
            { encoding: "utf8" },
        );
        assert.equal(output, "verified\n");
    });
});

/** Health checks as a Network Load Balancer makes them: handshake, read the greeting, reset. Run inside the namespace. */
const HEALTH_CHECKS = [
    "import socket, struct, sys",
    "for _ in range(int(sys.argv[3])):",
    "    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)",
    "    s.recv(1024)",
    '    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))',
    "    s.close()",
].join("\n");

function namespaceTestsUnavailable(): string | undefined {
    return mariadbUnavailable() ?? namespaceUnavailable() ?? (spawnOk("python3", ["-c", "pass"]) ? undefined : "python3 is not installed");
}

describe("load balancer health checks against a real MariaDB server, from a non-loopback address", { skip: skipUnlessCi(namespaceTestsUnavailable()) }, () => {
    before(() => requireInstalled(namespaceTestsUnavailable()));
    const servers: MariaDb[] = [];
    after(async () => {
        for (const s of servers) await s.stop();
    });

    async function start(options: { options?: string[]; includeDirs?: string[] }): Promise<MariaDb> {
        const server = await startMariaDb({ network: "namespace", options: ["performance_schema = ON", ...(options.options ?? [])], includeDirs: options.includeDirs });
        servers.push(server);
        server.sql("CREATE USER 'probe'@'%' IDENTIFIED BY 'probe-password'");
        return server;
    }
    function healthChecks(server: MariaDb, count: number): void {
        const result = server.spawn("python3", ["-c", HEALTH_CHECKS, server.host, String(server.port), String(count)]);
        assert.equal(result.status, 0, result.stderr);
    }
    /** The host cache's entry for the namespace address, once the server has counted `errors` blocking errors. */
    async function hostCacheAfter(server: MariaDb, errors: number): Promise<string> {
        const query = `SELECT HOST, HOST_VALIDATED, SUM_CONNECT_ERRORS FROM performance_schema.host_cache WHERE IP = '${NAMESPACE_ADDRESS}'`;
        // The server counts each reset connection in its own thread: wait (bounded) until all are counted.
        for (let i = 0; i < 100 && !server.sql(query).endsWith(`\t${errors}`); i++) await new Promise((r) => setTimeout(r, 100));
        return server.sql(query);
    }
    function connect(server: MariaDb) {
        return server.spawn("mariadb", ["--no-defaults", "-h", server.host, "-P", String(server.port), "-u", "probe", "-pprobe-password", "--skip-ssl", "-N", "-B", "-e", "SELECT 'connected'"]);
    }

    it("without the option file, 100 health checks (the default max_connect_errors) block the address every client comes from", async () => {
        const server = await start({});
        assert.equal(server.sql("SELECT @@GLOBAL.max_connect_errors"), "100");
        healthChecks(server, 100);
        assert.equal(await hostCacheAfter(server, 100), `${NAMESPACE_HOSTNAME}\tYES\t100`);
        const client = connect(server);
        assert.equal(client.status, 1);
        assert.equal(
            client.stderr,
            `ERROR 1129 (HY000): Host '${NAMESPACE_ADDRESS}' is blocked because of many connection errors; unblock with 'mariadb-admin flush-hosts'\n`,
        );
    });

    it("with the restart script's option file, the health checks are counted but block nothing", async () => {
        const { configDir } = installWithRestartScript(scratch("db-endpoints-mariadb-cnf-"), {
            certificate: "unused",
            privateKey: "unused",
            caCertificate: "unused",
        });
        const server = await start({ includeDirs: [configDir] });
        assert.equal(server.sql("SELECT @@GLOBAL.max_connect_errors"), String(MYSQL_MAX_CONNECT_ERRORS));
        healthChecks(server, 150);
        assert.equal(await hostCacheAfter(server, 150), `${NAMESPACE_HOSTNAME}\tYES\t150`);
        const client = connect(server);
        assert.equal(client.stderr, "");
        assert.equal(client.stdout, "connected\n");
        // A successful connection clears the count.
        assert.equal(server.sql(`SELECT SUM_CONNECT_ERRORS FROM performance_schema.host_cache WHERE IP = '${NAMESPACE_ADDRESS}'`), "0");
    });

    it("raising max_connect_errors online (as the default restart command does) unblocks an address already blocked", async () => {
        const server = await start({ options: ["max_connect_errors = 5"] });
        healthChecks(server, 5);
        assert.equal(await hostCacheAfter(server, 5), `${NAMESPACE_HOSTNAME}\tYES\t5`);
        assert.equal(connect(server).status, 1);
        server.sql(`SET GLOBAL max_connect_errors = ${MYSQL_MAX_CONNECT_ERRORS}`);
        assert.equal(connect(server).stdout, "connected\n");
    });
});
