/**
 * A throwaway MariaDB server for tests whose subject is the server's own behaviour: which databases a GRANT
 * reaches, what SHOW GRANTS prints, which option files and TLS files it loads, when it blocks a client host.
 *
 * `startMariaDb()` creates a data directory in a new temporary directory (a copy of one `mariadb-install-db` made
 * once, testing/serverTemplates.ts), writes the server's option file there (nothing from /etc/mysql is read),
 * starts `mariadbd` and waits until it answers. `stop()` ends it and deletes the directory: call it in `after()`.
 * Starting takes about half a second and does not block the event loop, so a file that needs several servers can
 * start them at once (`Promise.all`). The server's `root@localhost` has no password and is reached over the Unix
 * socket (`sql()`); other accounts log in over TCP (`query()`).
 *
 * Two networks:
 * - `loopback` (default): 127.0.0.1 on a free port, with host names not resolved (`skip_name_resolve`), so
 *   accounts and error messages name clients by address (`'user'@'127.0.0.1'`). MariaDB and MySQL keep no
 *   host cache for loopback clients, so what happens to remote clients (e.g. blocking after
 *   `max_connect_errors`) does not show here.
 * - `namespace`: the server runs in new network and mount namespaces (`unshare`, needs root), listening on
 *   {@link NAMESPACE_ADDRESS}, a non-loopback address on the namespace's own loopback interface, which the
 *   namespace's /etc/hosts (bind-mounted there only) names {@link NAMESPACE_HOSTNAME} both ways, as a VPC's DNS
 *   names its addresses. Clients run inside with `spawn()` (and `query()`) and are the server's remote clients,
 *   from that address. Nothing outside the namespaces changes, and they vanish with the server.
 *
 * {@link mariadbUnavailable} / {@link namespaceUnavailable} say why a server cannot be started here; pass them
 * to testing/required.ts to skip outside CI and fail under it.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncOptions, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freeLoopbackPort } from "./ports";
import { copyTemplate } from "./serverTemplates";

/** The server's address in `namespace` mode (RFC 2544 benchmarking range: never a real host's). */
export const NAMESPACE_ADDRESS = "198.18.0.1";
/** The name that address resolves to, and back, inside the namespace. */
export const NAMESPACE_HOSTNAME = "nlb-node.db-endpoints.test";

export interface MariaDbOptions {
    /**
     * Extra lines of the `[mysqld]` group, e.g. `max_connect_errors = 3`; they override the defaults. They are
     * start-up options: the data directory is initialised without them, so options that must be fixed when it is
     * created (`lower_case_table_names`, `innodb_page_size`) cannot be set here.
     */
    options?: string[];
    /** Option-file directories the server also reads (`!includedir`), after its own options. */
    includeDirs?: string[];
    /** OS user the server runs as (default: the current user; as root, `root`). Owns the data directory. */
    user?: string;
    /** `loopback` (default) or `namespace`; see the module comment. */
    network?: "loopback" | "namespace";
}

/** What a query answered: its raw, tab-separated output, or the error the client printed. */
export interface QueryResult {
    ok: boolean;
    stdout: string;
    stderr: string;
}

export interface MariaDb {
    /** Address clients connect to: 127.0.0.1, or {@link NAMESPACE_ADDRESS}. */
    readonly host: string;
    readonly port: number;
    /** The Unix socket (root@localhost, no password). */
    readonly socket: string;
    /** The temporary directory holding data, socket, option file and error log. */
    readonly dir: string;
    /**
     * Runs statements as root over the socket; returns the raw (unescaped) tab-separated result without column
     * names or the final newline. Throws with the client's error.
     */
    sql(statements: string): string;
    /**
     * Runs statements as `user` with `password` over TCP to {@link host} from the server's network (how an
     * integration connects). Returns the raw output as the client printed it, or its error.
     */
    query(user: string, password: string, statements: string): QueryResult;
    /** Runs a command in the server's network (inside the namespaces in `namespace` mode). */
    spawn(command: string, args: string[], options?: SpawnSyncOptions): SpawnSyncReturns<string>;
    /** Ends the server and deletes `dir`. */
    stop(): Promise<void>;
}

/** Directories searched after PATH: Debian installs the daemon in /usr/sbin, outside a non-root user's PATH. */
const SEARCH_DIRECTORIES = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/usr/libexec"];

function which(command: string): string | undefined {
    const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
    return found.status === 0 && found.stdout.trim() !== "" ? found.stdout.trim() : undefined;
}

function find(name: string): string | undefined {
    return which(name) ?? SEARCH_DIRECTORIES.map((dir) => path.join(dir, name)).find((candidate) => fs.existsSync(candidate));
}

function binaries() {
    return { server: find("mariadbd"), installDb: find("mariadb-install-db"), client: find("mariadb"), admin: find("mariadb-admin") };
}

/** Why no MariaDB server can be started here, or undefined. */
export function mariadbUnavailable(): string | undefined {
    const b = binaries();
    const missing = Object.entries({ mariadbd: b.server, "mariadb-install-db": b.installDb, mariadb: b.client, "mariadb-admin": b.admin })
        .filter(([, p]) => !p)
        .map(([name]) => name);
    return missing.length > 0
        ? `MariaDB is not installed (no ${missing.join(", ")} on PATH or in ${SEARCH_DIRECTORIES.join(", ")}; Debian packages mariadb-server, mariadb-client)`
        : undefined;
}

/** Why `namespace` mode cannot run here (it needs root, unshare, nsenter and ip), or undefined. */
export function namespaceUnavailable(): string | undefined {
    if (process.getuid?.() !== 0) return "network namespaces need root";
    for (const tool of ["unshare", "nsenter", "ip"]) if (!which(tool)) return `${tool} is not installed`;
    const probe = spawnSync("unshare", ["--net", "--mount", "--", "sh", "-c", `ip link set lo up && ip addr add ${NAMESPACE_ADDRESS}/32 dev lo`], { encoding: "utf8" });
    return probe.status === 0 ? undefined : `cannot create a network namespace here: ${probe.stderr.trim()}`;
}

/** Raw, unescaped, tab-separated output without column names; errors without the query echoed; no option file read. */
const CLIENT_FLAGS = ["--no-defaults", "--batch", "--raw", "--skip-column-names", "--skip-print-query-on-error"];

/** How long the server may take to accept connections before the start is reported as failed. */
const START_TIMEOUT_MS = 60_000;

/** How often a loopback server is started on another free port when the one found free was taken meanwhile. */
const LOOPBACK_ATTEMPTS = 3;

/**
 * Options of every server, before the caller's: a small buffer pool and redo log (a test server holds a few
 * rows; a 4 MB redo log makes its data directory 22 MB instead of 114 MB), and no native AIO (not available in
 * every container). The data directory is initialised with these options.
 */
const BASE_OPTIONS = ["innodb_buffer_pool_size = 32M", "innodb_use_native_aio = 0", "innodb_log_file_size = 4M"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ran {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a command without blocking the event loop (several servers can start at once). */
function run(command: string, args: string[]): Promise<Ran> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.once("error", reject);
        child.once("close", (status) => resolve({ status, stdout, stderr }));
    });
}

/**
 * Makes a new data directory in `data`, owned by `user`: a copy of a template that `mariadb-install-db` made once
 * with {@link BASE_OPTIONS} (testing/serverTemplates.ts). Start-up options (`MariaDbOptions.options` and
 * `includeDirs`) are not part of it: they take effect when the server starts, as in a real installation.
 */
async function makeDataDirectory(b: { server: string; installDb: string }, data: string, user: string): Promise<void> {
    const binary = fs.statSync(b.server);
    const key = { server: b.server, size: binary.size, modified: binary.mtimeMs, installDb: b.installDb, options: BASE_OPTIONS };
    const me = os.userInfo();
    const owner = user === me.username ? undefined : osUser(user);
    await copyTemplate(
        "mariadb",
        key,
        async (template) => {
            const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-mariadb-install-"));
            try {
                const config = path.join(scratch, "my.cnf");
                fs.writeFileSync(
                    config,
                    ["[mysqld]", `datadir = ${template}`, `socket = ${path.join(scratch, "install.sock")}`, `tmpdir = ${scratch}`, `user = ${me.username}`, ...BASE_OPTIONS, ""].join("\n"),
                );
                const install = await run(b.installDb, [`--defaults-file=${config}`, `--user=${me.username}`, "--auth-root-authentication-method=normal", "--skip-test-db"]);
                if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${(install.stderr || install.stdout).trim()}`);
            } finally {
                fs.rmSync(scratch, { recursive: true, force: true });
            }
        },
        data,
        owner,
    );
}

/** The uid and gid of an OS user. */
function osUser(user: string): { uid: number; gid: number } {
    const id = spawnSync("id", ["-u", user], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", user], { encoding: "utf8" });
    if (id.status !== 0 || gid.status !== 0) throw new Error(`no OS user ${user}`);
    return { uid: Number(id.stdout), gid: Number(gid.stdout) };
}

/** Starts a throwaway MariaDB server; see the module comment. */
export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDb> {
    const why = mariadbUnavailable();
    if (why) throw new Error(`cannot start a MariaDB server: ${why}`);
    const b = binaries() as Record<keyof ReturnType<typeof binaries>, string>;
    const network = options.network ?? "loopback";
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-mariadb-")));
    const user = options.user ?? os.userInfo().username;
    const data = path.join(dir, "data");
    const runDir = path.join(dir, "run");
    const host = network === "namespace" ? NAMESPACE_ADDRESS : "127.0.0.1";
    const socket = path.join(runDir, "mysqld.sock");
    const config = path.join(dir, "my.cnf");
    const errorLog = path.join(runDir, "error.log");
    const writeConfig = (port: number) =>
        fs.writeFileSync(
            config,
            [
                "[mysqld]",
                `datadir = ${data}`,
                `socket = ${socket}`,
                `pid-file = ${path.join(runDir, "mysqld.pid")}`,
                `log-error = ${errorLog}`,
                `tmpdir = ${runDir}`,
                `bind-address = ${host}`,
                `port = ${port}`,
                `user = ${user}`,
                ...BASE_OPTIONS,
                ...(network === "loopback" ? ["skip_name_resolve = ON"] : []),
                ...(options.options ?? []),
                ...(options.includeDirs ?? []).map((d) => `!includedir ${d}`),
                "",
            ].join("\n"),
        );
    try {
        fs.mkdirSync(runDir);
        if (user !== os.userInfo().username) {
            // The server drops to `user`: it must reach the directory and own its run directory.
            fs.chmodSync(dir, 0o755);
            const { uid, gid } = osUser(user);
            fs.chownSync(runDir, uid, gid);
        }
        await makeDataDirectory(b, data, user);
    } catch (e) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw e;
    }
    if (network === "namespace") {
        fs.writeFileSync(path.join(dir, "hosts"), `127.0.0.1 localhost\n${NAMESPACE_ADDRESS} ${NAMESPACE_HOSTNAME}\n`);
        fs.writeFileSync(path.join(dir, "nsswitch.conf"), "hosts: files\n");
    }

    let lastError = "";
    for (let attempt = 0; attempt < (network === "namespace" ? 1 : LOOPBACK_ATTEMPTS); attempt++) {
        const port = network === "namespace" ? 3306 : await freeLoopbackPort();
        writeConfig(port);
        const child = launch(b.server, config, dir, network);
        const server = handle(b, child, { host, port, socket, dir, network });
        // Ready when the server answers on its socket (which it creates once it listens: until then, looking for
        // the file is cheaper than starting a client); give up when it exits or after START_TIMEOUT_MS.
        const deadline = Date.now() + START_TIMEOUT_MS;
        while (server.running() && Date.now() < deadline) {
            if (fs.existsSync(socket)) {
                const ping = await run(b.admin, ["--no-defaults", `--socket=${socket}`, "-u", "root", "--connect-timeout=2", "ping"]);
                if (ping.status === 0) return server;
            }
            await sleep(25);
        }
        const exited = !server.running();
        const log = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, "utf8").slice(-2000) : "";
        await server.kill();
        fs.rmSync(errorLog, { force: true });
        lastError = `${exited ? " (it exited)" : ` within ${START_TIMEOUT_MS / 1000} s`}; its error log ends:\n${log}`;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadbd did not start${lastError}`);
}

/** Starts `mariadbd` with `config`: directly on loopback, or in new network and mount namespaces. */
function launch(server: string, config: string, dir: string, network: "loopback" | "namespace"): ChildProcess {
    if (network === "loopback") return spawn(server, [`--defaults-file=${config}`], { stdio: "ignore" });
    const setup = [
        `mount --bind ${path.join(dir, "hosts")} /etc/hosts`,
        `mount --bind ${path.join(dir, "nsswitch.conf")} /etc/nsswitch.conf`,
        "ip link set lo up",
        `ip addr add ${NAMESPACE_ADDRESS}/32 dev lo`,
        `exec ${server} --defaults-file=${config}`,
    ].join(" && ");
    return spawn("unshare", ["--net", "--mount", "--", "sh", "-c", setup], { stdio: "ignore" });
}

function handle(
    b: { client: string; admin: string },
    child: ChildProcess,
    where: { host: string; port: number; socket: string; dir: string; network: "loopback" | "namespace" },
): MariaDb & { running(): boolean; kill(): Promise<void> } {
    const { host, port, socket, dir, network } = where;
    let exited = false;
    const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
    const inNetwork = (command: string, args: string[]): [string, string[]] =>
        network === "namespace" ? ["nsenter", ["--target", String(child.pid), "--net", "--mount", "--", command, ...args]] : [command, args];
    const runIn = (command: string, args: string[], options?: SpawnSyncOptions) => {
        const [c, a] = inNetwork(command, args);
        return spawnSync(c, a, { encoding: "utf8", ...options }) as SpawnSyncReturns<string>;
    };
    /**
     * Ends the server process at once (SIGKILL; in `namespace` mode `unshare` and `sh` exec'd into `mariadbd`, so
     * this is the server itself), leaving `dir`. A throwaway server's data is deleted right after, so nothing is
     * gained by a clean shutdown, which takes about a second.
     */
    async function kill(): Promise<void> {
        if (exited) return;
        child.kill("SIGKILL");
        await exit;
    }
    let stopped = false;
    return {
        host,
        port,
        socket,
        dir,
        running: () => !exited,
        sql(statements) {
            const result = spawnSync(b.client, [...CLIENT_FLAGS, `--socket=${socket}`, "--user=root", `--execute=${statements}`], { encoding: "utf8" });
            if (result.status !== 0) throw new Error(`SQL as root failed: ${result.stderr.trim()}\n${statements}`);
            return result.stdout.replace(/\n$/, "");
        },
        query(user, password, statements) {
            const result = runIn(b.client, [...CLIENT_FLAGS, "--protocol=TCP", `--host=${host}`, `--port=${port}`, `--user=${user}`, `--execute=${statements}`], {
                // The password through the environment, never the command line.
                env: { ...process.env, MYSQL_PWD: password },
            });
            return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr.trim() };
        },
        spawn: runIn,
        kill,
        async stop() {
            if (stopped) return;
            stopped = true;
            await kill();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
