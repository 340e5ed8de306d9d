/**
 * A throwaway MariaDB server for tests whose subject is the server's own behaviour.
 *
 * `startMariaDb()` creates a data directory in a new temporary directory with `mariadb-install-db`, writes the
 * server's option file there (nothing from /etc/mysql is read), starts `mariadbd` and waits until it answers.
 * `stop()` shuts it down and deletes the directory: call it in `after()`. The server's `root@localhost` has no
 * password and is reached over the Unix socket (`sql()`); TCP listens on loopback only.
 *
 * Two networks:
 * - `loopback` (default): 127.0.0.1 on a free port. MariaDB and MySQL keep no host cache for loopback
 *   clients, so what happens to remote clients (e.g. blocking after `max_connect_errors`) does not show here.
 * - `namespace`: the server runs in new network and mount namespaces (`unshare`, needs root), listening on
 *   {@link NAMESPACE_ADDRESS}, a non-loopback address on the namespace's own loopback interface, which the
 *   namespace's /etc/hosts (bind-mounted there only) names {@link NAMESPACE_HOSTNAME} both ways, as a VPC's DNS
 *   names its addresses. Clients run inside with `spawn()` and are the server's remote clients, from that
 *   address. Nothing outside the namespaces changes, and they vanish with the server.
 *
 * `mariadbUnavailable()` / `namespaceUnavailable()` say why a server cannot be started here (see
 * testing/required.ts for skipping outside CI and failing under it).
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncOptions, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The server's address in `namespace` mode (RFC 2544 benchmarking range: never a real host's). */
export const NAMESPACE_ADDRESS = "198.18.0.1";
/** The name that address resolves to, and back, inside the namespace. */
export const NAMESPACE_HOSTNAME = "nlb-node.db-endpoints.test";

export interface MariaDbOptions {
    /** Extra lines of the `[mysqld]` group, e.g. `max_connect_errors = 3`. */
    options?: string[];
    /** Option-file directories the server also reads (`!includedir`), after its own options. */
    includeDirs?: string[];
    /** OS user the server runs as (default: the current user; as root, `root`). Owns the data directory. */
    user?: string;
    /** `loopback` (default) or `namespace`; see the module comment. */
    network?: "loopback" | "namespace";
}

export interface MariaDb {
    /** Address clients connect to: 127.0.0.1, or {@link NAMESPACE_ADDRESS}. */
    host: string;
    port: number;
    /** The Unix socket (root@localhost, no password). */
    socket: string;
    /** The temporary directory holding data, socket, option file and error log. */
    dir: string;
    /** Runs statements as root over the socket; returns the tab-separated result without headers. Throws on error. */
    sql(statements: string): string;
    /** Runs a command in the server's network (inside the namespaces in `namespace` mode). */
    spawn(command: string, args: string[], options?: SpawnSyncOptions): SpawnSyncReturns<string>;
    /** Shuts the server down and deletes `dir`. */
    stop(): Promise<void>;
}

const SERVER_CANDIDATES = ["/usr/sbin/mariadbd", "/usr/bin/mariadbd"];

function which(command: string): string | undefined {
    const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
    return found.status === 0 && found.stdout.trim() !== "" ? found.stdout.trim() : undefined;
}

function binaries() {
    return {
        server: SERVER_CANDIDATES.find((p) => fs.existsSync(p)) ?? which("mariadbd"),
        installDb: which("mariadb-install-db"),
        client: which("mariadb"),
        admin: which("mariadb-admin"),
    };
}

/** Why no MariaDB server can be started here, or undefined. */
export function mariadbUnavailable(): string | undefined {
    const b = binaries();
    const missing = Object.entries({ mariadbd: b.server, "mariadb-install-db": b.installDb, mariadb: b.client, "mariadb-admin": b.admin })
        .filter(([, p]) => !p)
        .map(([name]) => name);
    return missing.length > 0 ? `MariaDB is not installed (no ${missing.join(", ")}; Debian packages mariadb-server, mariadb-client)` : undefined;
}

/** Why `namespace` mode cannot run here (it needs root, unshare, nsenter and ip), or undefined. */
export function namespaceUnavailable(): string | undefined {
    if (process.getuid?.() !== 0) return "network namespaces need root";
    for (const tool of ["unshare", "nsenter", "ip"]) if (!which(tool)) return `${tool} is not installed`;
    const probe = spawnSync("unshare", ["--net", "--mount", "--", "sh", "-c", `ip link set lo up && ip addr add ${NAMESPACE_ADDRESS}/32 dev lo`], { encoding: "utf8" });
    return probe.status === 0 ? undefined : `cannot create a network namespace here: ${probe.stderr.trim()}`;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a throwaway MariaDB server; see the module comment. */
export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDb> {
    const why = mariadbUnavailable();
    if (why) throw new Error(why);
    const b = binaries();
    const network = options.network ?? "loopback";
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-mariadb-")));
    const user = options.user ?? os.userInfo().username;
    const data = path.join(dir, "data");
    const run = path.join(dir, "run");
    fs.mkdirSync(run);
    if (user !== os.userInfo().username) {
        // The server drops to `user`: it must reach the directory and own its run directory.
        fs.chmodSync(dir, 0o755);
        const id = spawnSync("id", ["-u", user], { encoding: "utf8" });
        const gid = spawnSync("id", ["-g", user], { encoding: "utf8" });
        if (id.status !== 0) throw new Error(`no OS user ${user}`);
        fs.chownSync(run, Number(id.stdout), Number(gid.stdout));
    }
    const host = network === "namespace" ? NAMESPACE_ADDRESS : "127.0.0.1";
    const port = network === "namespace" ? 3306 : await freeLoopbackPort();
    const socket = path.join(run, "mysqld.sock");
    const config = path.join(dir, "my.cnf");
    fs.writeFileSync(
        config,
        [
            "[mysqld]",
            `datadir = ${data}`,
            `socket = ${socket}`,
            `pid-file = ${path.join(run, "mysqld.pid")}`,
            `log-error = ${path.join(run, "error.log")}`,
            `bind-address = ${host}`,
            `port = ${port}`,
            `user = ${user}`,
            ...(options.options ?? []),
            ...(options.includeDirs ?? []).map((d) => `!includedir ${d}`),
            "",
        ].join("\n"),
    );
    const install = spawnSync(
        b.installDb!,
        [`--defaults-file=${config}`, `--user=${user}`, "--auth-root-authentication-method=normal", "--skip-test-db"],
        { encoding: "utf8" },
    );
    if (install.status !== 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
    }

    let child: ChildProcess;
    if (network === "namespace") {
        fs.writeFileSync(path.join(dir, "hosts"), `127.0.0.1 localhost\n${NAMESPACE_ADDRESS} ${NAMESPACE_HOSTNAME}\n`);
        fs.writeFileSync(path.join(dir, "nsswitch.conf"), "hosts: files\n");
        const setup = [
            `mount --bind ${path.join(dir, "hosts")} /etc/hosts`,
            `mount --bind ${path.join(dir, "nsswitch.conf")} /etc/nsswitch.conf`,
            "ip link set lo up",
            `ip addr add ${NAMESPACE_ADDRESS}/32 dev lo`,
            `exec ${b.server} --defaults-file=${config}`,
        ].join(" && ");
        child = spawn("unshare", ["--net", "--mount", "--", "sh", "-c", setup], { stdio: "ignore" });
    } else {
        child = spawn(b.server!, [`--defaults-file=${config}`], { stdio: "ignore" });
    }
    let exited = false;
    const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));

    const inNetwork = (command: string, args: string[]): [string, string[]] =>
        network === "namespace" ? ["nsenter", ["--target", String(child.pid), "--net", "--mount", "--", command, ...args]] : [command, args];
    const server: MariaDb = {
        host,
        port,
        socket,
        dir,
        sql(statements) {
            const result = spawnSync(b.client!, ["--no-defaults", `--socket=${socket}`, "-u", "root", "-N", "-B", "-e", statements], { encoding: "utf8" });
            if (result.status !== 0) throw new Error(`SQL failed: ${statements}: ${result.stderr}`);
            return result.stdout.trim();
        },
        spawn(command, args, spawnOptions) {
            const [c, a] = inNetwork(command, args);
            return spawnSync(c, a, { encoding: "utf8", ...spawnOptions }) as SpawnSyncReturns<string>;
        },
        async stop() {
            if (!exited) {
                spawnSync(b.admin!, ["--no-defaults", `--socket=${socket}`, "-u", "root", "shutdown"], { encoding: "utf8" });
                const stopped = await Promise.race([exit.then(() => true), sleep(30_000).then(() => false)]);
                if (!stopped) {
                    child.kill("SIGKILL");
                    await exit;
                }
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };

    // Ready when the server answers on its socket; give up when it exits or after a minute.
    for (let waited = 0; ; waited += 200) {
        const ping = spawnSync(b.admin!, ["--no-defaults", `--socket=${socket}`, "-u", "root", "--connect-timeout=2", "ping"], { encoding: "utf8" });
        if (ping.status === 0) break;
        if (exited || waited >= 60_000) {
            const logFile = path.join(run, "error.log");
            const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-2000) : "";
            await server.stop();
            throw new Error(`mariadbd did not start${exited ? " (it exited)" : " within a minute"}; its error log ends:\n${log}`);
        }
        await sleep(200);
    }
    return server;
}
