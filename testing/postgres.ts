/**
 * A throwaway PostgreSQL server for tests whose subject is the server's own behaviour (how it negotiates TLS,
 * what a role may do): a new cluster in a temporary directory (`initdb`), listening on 127.0.0.1 on a free port
 * and a Unix socket in that directory, started with `pg_ctl` and stopped and deleted by `stop()` (call it in
 * `after()`). Debian's server binaries live in /usr/lib/postgresql/<version>/bin, outside PATH; the newest found
 * is used. initdb refuses to run as root, so as root the server runs as the `postgres` OS user (`runuser`).
 *
 * `postgres` (the cluster's superuser) is trusted over loopback and the socket; every other role must give
 * its password (SCRAM-SHA-256), over TLS or not. `useTls()` installs a certificate and key and turns TLS on with
 * a configuration reload (PostgreSQL re-reads its TLS files on reload), `disableTls()` turns it off again.
 *
 * {@link postgresUnavailable} says why a server cannot be started here; pass it to testing/required.ts.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freeLoopbackPort } from "./ports";

export interface PostgresServer {
    readonly host: string;
    readonly port: number;
    /** The temporary directory: data directory, socket, log. */
    readonly dir: string;
    /** The server's major version, e.g. 15. */
    readonly version: number;
    /** The psql client. */
    readonly psql: string;
    /** The server's log. */
    readonly logFile: string;
    /** Runs SQL as `postgres` in `database` (default `postgres`); returns psql's unaligned, tuples-only output. Throws with its error. */
    sql(statement: string, database?: string): string;
    /** Installs `certificatePem` and `keyPem` as the server's certificate and turns TLS on (reload). */
    useTls(certificatePem: string, keyPem: string): void;
    /** Turns TLS off (reload): the server answers SSLRequest with N. */
    disableTls(): void;
    /** Turns TLS back on with the certificate installed last (reload). */
    enableTls(): void;
    /** Stops the server and deletes `dir`. */
    stop(): Promise<void>;
}

/** The directory holding initdb, pg_ctl and postgres, and the psql client; undefined when not installed. */
function findBinaries(): { bin: string; psql: string } | undefined {
    const candidates: string[] = [];
    const which = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" });
    if (which.status === 0 && which.stdout.trim() !== "") candidates.push(path.dirname(fs.realpathSync(which.stdout.trim())));
    const debian = "/usr/lib/postgresql";
    if (fs.existsSync(debian)) {
        for (const version of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, version, "bin"));
    }
    const bin = candidates.find((d) => ["initdb", "pg_ctl", "postgres"].every((b) => fs.existsSync(path.join(d, b))));
    if (!bin) return undefined;
    const psql = fs.existsSync(path.join(bin, "psql")) ? path.join(bin, "psql") : spawnSync("sh", ["-c", "command -v psql"], { encoding: "utf8" }).stdout.trim();
    return psql ? { bin, psql } : undefined;
}

/** Why no PostgreSQL server can be started here, or undefined. */
export function postgresUnavailable(): string | undefined {
    if (!findBinaries()) return "PostgreSQL is not installed (no initdb, pg_ctl, postgres and psql on PATH or in /usr/lib/postgresql/<version>/bin; Debian package postgresql)";
    if (process.getuid?.() === 0) {
        const runuser = spawnSync("sh", ["-c", "command -v runuser"], { encoding: "utf8" }).stdout.trim();
        const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
        if (!runuser || id.status !== 0) return "running as root without runuser and a postgres OS user to run the server as (initdb refuses root)";
    }
    return undefined;
}

/** How often the server is started on another free port when the one found free was taken meanwhile. */
const ATTEMPTS = 3;

/** Starts a throwaway PostgreSQL server; see the module comment. `settings` are extra `-c name=value` options. */
export async function startPostgres(settings: Record<string, string> = {}): Promise<PostgresServer> {
    const why = postgresUnavailable();
    if (why) throw new Error(`cannot start a PostgreSQL server: ${why}`);
    const { bin, psql } = findBinaries()!;
    const root = process.getuid?.() === 0;
    const owner = root
        ? { uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })) }
        : undefined;
    const runAs = root ? ["runuser", "-u", "postgres", "--"] : [];
    const run = (binary: string, args: string[]) => {
        const [command, ...prefix] = [...runAs, path.join(bin, binary)];
        return execFileSync(command, [...prefix, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    };
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-postgres-")));
    if (owner) fs.chownSync(dir, owner.uid, owner.gid);
    const data = path.join(dir, "data");
    const log = path.join(dir, "server.log");
    try {
        run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions"]);
        fs.writeFileSync(
            path.join(data, "pg_hba.conf"),
            ["local all postgres trust", "host all postgres 127.0.0.1/32 trust", "host all all 127.0.0.1/32 scram-sha-256", ""].join("\n"),
        );
    } catch (e) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`initdb failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
    }
    const version = Number(fs.readFileSync(path.join(data, "PG_VERSION"), "utf8").trim());
    const options = (port: number) =>
        [
            `-c listen_addresses=127.0.0.1`,
            `-c port=${port}`,
            `-c unix_socket_directories=${dir}`,
            "-c fsync=off",
            ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
        ].join(" ");

    let port = 0;
    let lastError = "";
    for (let attempt = 0; attempt < ATTEMPTS && port === 0; attempt++) {
        const candidate = await freeLoopbackPort();
        try {
            run("pg_ctl", ["-D", data, "-w", "-t", "60", "-l", log, "-o", options(candidate), "start"]);
            port = candidate;
        } catch (e) {
            lastError = `${(e as { stderr?: string }).stderr ?? ""}${fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(-2000) : ""}`;
        }
    }
    if (port === 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${lastError}`);
    }

    const sql = (statement: string, database = "postgres") =>
        execFileSync(psql, ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-h", dir, "-p", String(port), "-U", "postgres", "-d", database, "-c", statement], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        }).trim();
    const install = (name: string, text: string) => {
        const file = path.join(data, name);
        fs.writeFileSync(file, text, { mode: 0o600 });
        // The server refuses a key readable by others, or owned by someone else than it (or root).
        if (owner) fs.chownSync(file, owner.uid, owner.gid);
        return file;
    };
    let stopped = false;
    return {
        host: "127.0.0.1",
        port,
        dir,
        version,
        psql,
        logFile: log,
        sql,
        useTls(certificatePem, keyPem) {
            const cert = install("server.crt", certificatePem);
            const key = install("server.key", keyPem);
            sql(`ALTER SYSTEM SET ssl_cert_file = '${cert}'`);
            sql(`ALTER SYSTEM SET ssl_key_file = '${key}'`);
            sql("ALTER SYSTEM SET ssl = on");
            reload(sql);
        },
        enableTls() {
            sql("ALTER SYSTEM SET ssl = on");
            reload(sql);
        },
        disableTls() {
            sql("ALTER SYSTEM SET ssl = off");
            reload(sql);
        },
        async stop() {
            if (stopped) return;
            stopped = true;
            try {
                run("pg_ctl", ["-D", data, "-w", "-m", "fast", "stop"]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}

/**
 * Reloads the configuration and waits until the postmaster has re-read it (and the TLS files with it): a new
 * session then reports a later pg_conf_load_time(). pg_reload_conf() only sends the signal.
 */
function reload(sql: (s: string) => string): void {
    const before = sql("SELECT pg_conf_load_time()");
    sql("SELECT pg_reload_conf()");
    const deadline = Date.now() + 10_000;
    while (sql("SELECT pg_conf_load_time()") === before) {
        if (Date.now() > deadline) throw new Error("PostgreSQL did not reload its configuration within 10 s (see its log)");
        spawnSync("sleep", ["0.05"]);
    }
}
