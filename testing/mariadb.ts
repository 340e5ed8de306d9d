/**
 * A throwaway MariaDB server for tests whose subject is the server's own behaviour (which databases a GRANT
 * reaches, what SHOW GRANTS prints): a data directory made by `mariadb-install-db` in a new temporary
 * directory, `mariadbd` listening on 127.0.0.1 only, on a free port, with no configuration file read
 * (`--no-defaults`), stopped and deleted by `stop()`.
 *
 * Where the binaries are missing, {@link mariadbSkip} gives the reason to skip a suite, except under CI
 * (`CI` set), where it does not skip and {@link startMariaDb} fails, naming what is missing: CI installs
 * MariaDB, and a suite that silently skips there would prove nothing.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The binaries a server needs: the daemon, the data-directory initialiser and the command-line client. */
export interface MariaDbBinaries {
    server: string;
    installDb: string;
    client: string;
}

/** Directories searched after PATH: Debian installs the daemon in /usr/sbin, outside a non-root user's PATH. */
const SEARCH_DIRECTORIES = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/usr/libexec"];

function find(names: string[]): string | undefined {
    for (const name of names) {
        const which = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
        if (which.status === 0 && which.stdout.trim() !== "") return which.stdout.trim();
        for (const dir of SEARCH_DIRECTORIES) {
            const candidate = path.join(dir, name);
            if (fs.existsSync(candidate)) return candidate;
        }
    }
    return undefined;
}

/** The MariaDB binaries, or the names of those that are missing. */
export function findMariaDb(): MariaDbBinaries | { missing: string[] } {
    const server = find(["mariadbd"]);
    const installDb = find(["mariadb-install-db"]);
    const client = find(["mariadb"]);
    if (server && installDb && client) return { server, installDb, client };
    const missing = [
        ...(server ? [] : ["mariadbd"]),
        ...(installDb ? [] : ["mariadb-install-db"]),
        ...(client ? [] : ["mariadb"]),
    ];
    return { missing };
}

function missingMessage(missing: string[]): string {
    return `no MariaDB server binaries (${missing.join(", ")} not found on PATH or in ${SEARCH_DIRECTORIES.join(", ")}); install mariadb-server and mariadb-client`;
}

/**
 * The `skip` option of a suite that needs a MariaDB server: the reason when the binaries are missing
 * locally, `false` when they are present, and `false` under CI whatever is installed (the suite then fails
 * in {@link startMariaDb}, saying what is missing).
 */
export function mariadbSkip(): string | false {
    const found = findMariaDb();
    if (!("missing" in found)) return false;
    if (process.env.CI) return false;
    return `${missingMessage(found.missing)}; CI runs this suite`;
}

/** What a query answered: its raw, tab-separated output, or the error the client printed. */
export interface QueryResult {
    ok: boolean;
    stdout: string;
    stderr: string;
}

export interface MariaDbServer {
    readonly host: "127.0.0.1";
    readonly port: number;
    /** The temporary directory holding the data directory, socket and logs. */
    readonly dir: string;
    /** The server's version string (`SELECT VERSION()`). */
    readonly version: string;
    /** Runs SQL as root over the server's Unix socket; throws with the client's error. Returns the raw output. */
    sql(statements: string): string;
    /** Runs SQL as `user` with `password` over TCP to 127.0.0.1 (how an integration connects). */
    query(user: string, password: string, statements: string): QueryResult;
    /** Stops the server and deletes its directory. */
    stop(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** Raw, unescaped, tab-separated output without column names; errors without the query echoed; no option file read. */
const CLIENT_FLAGS = ["--no-defaults", "--batch", "--raw", "--skip-column-names", "--skip-print-query-on-error"];

/** How long the server may take to accept connections before the start is reported as failed. */
const START_TIMEOUT_MS = 60_000;

function delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Initialises a data directory and starts a server on a free loopback port. Root logs in over the socket
 * with no password (`--auth-root-authentication-method=normal`); when the tests run as root, the server runs
 * as root too (`--user=root`), in a directory no other test uses.
 */
export async function startMariaDb(): Promise<MariaDbServer> {
    const found = findMariaDb();
    if ("missing" in found) throw new Error(`cannot start a MariaDB server: ${missingMessage(found.missing)}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-mariadb-"));
    const data = path.join(dir, "data");
    const socket = path.join(dir, "mariadb.sock");
    const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
    try {
        execFileSync(
            found.installDb,
            ["--no-defaults", "--auth-root-authentication-method=normal", `--datadir=${data}`, "--skip-test-db", "--skip-name-resolve", ...asRoot],
            { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" },
        );
    } catch (e) {
        fs.rmSync(dir, { recursive: true, force: true });
        const err = e as { stderr?: string; message: string };
        throw new Error(`mariadb-install-db failed: ${err.stderr?.trim() || err.message}`);
    }

    // A port found free may be taken before the server binds it: try a few.
    let lastError = "";
    for (let attempt = 0; attempt < 3; attempt++) {
        const port = await freeLoopbackPort();
        const log = path.join(dir, `server-${attempt}.log`);
        const child = spawn(
            found.server,
            [
                "--no-defaults",
                `--datadir=${data}`,
                `--socket=${socket}`,
                `--port=${port}`,
                "--bind-address=127.0.0.1",
                `--pid-file=${path.join(dir, "mariadb.pid")}`,
                `--log-error=${log}`,
                `--tmpdir=${dir}`,
                "--skip-name-resolve",
                "--innodb-buffer-pool-size=32M",
                "--innodb-use-native-aio=0",
                ...asRoot,
            ],
            { stdio: "ignore" },
        );
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        let alive = true;
        void exited.then(() => (alive = false));
        const deadline = Date.now() + START_TIMEOUT_MS;
        while (alive && Date.now() < deadline) {
            const ping = spawnSync(found.client, [...CLIENT_FLAGS, `--socket=${socket}`, "--user=root", "--execute=SELECT VERSION()"], { encoding: "utf8" });
            if (ping.status === 0) return server(found, child, exited, dir, socket, port, ping.stdout.trim());
            await delay(100);
        }
        if (alive) {
            child.kill("SIGKILL");
            await exited;
            lastError = `did not accept connections within ${START_TIMEOUT_MS / 1000} s`;
        } else {
            lastError = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").slice(-5).join("\n") : "exited before logging";
        }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadbd did not start: ${lastError}`);
}

function server(
    binaries: MariaDbBinaries,
    child: ChildProcess,
    exited: Promise<number | null>,
    dir: string,
    socket: string,
    port: number,
    version: string,
): MariaDbServer {
    let stopped = false;
    return {
        host: "127.0.0.1",
        port,
        dir,
        version,
        sql(statements: string): string {
            const result = spawnSync(binaries.client, [...CLIENT_FLAGS, `--socket=${socket}`, "--user=root", `--execute=${statements}`], { encoding: "utf8" });
            if (result.status !== 0) throw new Error(`SQL as root failed: ${result.stderr.trim()}\n${statements}`);
            return result.stdout;
        },
        query(user: string, password: string, statements: string): QueryResult {
            const result = spawnSync(
                binaries.client,
                [...CLIENT_FLAGS, "--protocol=TCP", "--host=127.0.0.1", `--port=${port}`, `--user=${user}`, `--execute=${statements}`],
                // The password through the environment, never the command line.
                { encoding: "utf8", env: { ...process.env, MYSQL_PWD: password } },
            );
            return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr.trim() };
        },
        async stop(): Promise<void> {
            if (stopped) return;
            stopped = true;
            if (child.exitCode === null && child.signalCode === null) {
                child.kill("SIGTERM");
                await exited;
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
