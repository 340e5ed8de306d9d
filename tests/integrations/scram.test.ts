/**
 * The SCRAM-SHA-256 verifier that PostgreSQL integration roles are given instead of their plaintext password
 * (infra/integrations/scram.ts `scramSha256Verifier`), checked against a real PostgreSQL server: a throwaway cluster
 * in a temporary directory, listening on loopback only, stopped and deleted at the end. The role is created
 * and rotated with the statements the PostgreSQL provider runs (`CREATE ROLE ... WITH ENCRYPTED PASSWORD
 * '<verifier>' LOGIN`, `ALTER ROLE ... PASSWORD '<verifier>'`), then the plaintext logs in over TCP with
 * SCRAM-SHA-256 and the statement log is read back.
 *
 * Skipped, saying why, where no PostgreSQL server binaries are installed (PATH or /usr/lib/postgresql/<v>/bin),
 * or where the tests run as root without a `postgres` user to run the server as (initdb refuses root); under CI
 * (CI=true) that fails instead (.ci/run installs PostgreSQL).
 * tests/integrations/scram.knownAnswers.test.ts holds the known-answer tests that always run.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { SCRAM_SALT_BYTES, scramSha256Verifier } from "../../infra/integrations/scram";
import { freeLoopbackPort } from "../../testing/ports";
import { requireInstalled, skipUnlessCi } from "../../testing/required";

interface Server {
    bin: string;
    psql: string;
    /** Prefix that runs a server binary as the server's user (empty when the tests do not run as root). */
    runAs: string[];
    dir: string;
    port: number;
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

/** Why the live tests cannot run here, or undefined. */
function unavailable(): string | undefined {
    const found = findBinaries();
    if (!found) return "no PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) on PATH or in /usr/lib/postgresql/<version>/bin";
    if (process.getuid?.() === 0) {
        const runuser = spawnSync("sh", ["-c", "command -v runuser"], { encoding: "utf8" }).stdout.trim();
        const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
        if (!runuser || id.status !== 0) return "running as root without runuser and a postgres user to run the server as (initdb refuses root)";
    }
    return undefined;
}

const missing = unavailable();
const skip = skipUnlessCi(missing);

function run(server: Server, binary: string, args: string[]): string {
    const [command, ...prefix] = [...server.runAs, path.join(server.bin, binary)];
    return execFileSync(command, [...prefix, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs SQL as the cluster's superuser (trusted on loopback in this throwaway cluster only). */
function sql(server: Server, statement: string): string {
    return execFileSync(server.psql, ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(server.port), "-U", "postgres", "-d", "postgres", "-c", statement], {
        encoding: "utf8",
        env: { ...process.env, PGPASSWORD: "", PGSSLMODE: "disable" },
    }).trim();
}

/** Logs in as `user` with `password` over TCP (SCRAM-SHA-256 per pg_hba.conf); the server's answer or error. */
function login(server: Server, user: string, password: string): { ok: boolean; output: string } {
    const result = spawnSync(server.psql, ["-X", "-A", "-t", "-w", "-h", "127.0.0.1", "-p", String(server.port), "-U", user, "-d", "postgres", "-c", "SELECT current_user"], {
        encoding: "utf8",
        env: { ...process.env, PGPASSWORD: password, PGSSLMODE: "disable", PGCHANNELBINDING: "disable" },
    });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** A password like the integrations' RandomPassword: 40 letters and digits. */
function integrationPassword(): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return Array.from(crypto.randomBytes(40), (b) => alphabet[b % alphabet.length]).join("");
}

describe("a role given the SCRAM-SHA-256 verifier, on a live PostgreSQL server", { skip }, () => {
    let server: Server;
    let started = false;

    before(async () => {
        requireInstalled(missing);
        const found = findBinaries()!;
        const root = process.getuid?.() === 0;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-scram-"));
        if (root) {
            const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
            const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
            fs.chownSync(dir, uid, gid);
        }
        server = { ...found, runAs: root ? ["runuser", "-u", "postgres", "--"] : [], dir, port: await freeLoopbackPort() };
        const data = path.join(dir, "data");
        run(server, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync"]);
        // Only the superuser is trusted, and only on loopback; every other role must pass SCRAM-SHA-256.
        fs.writeFileSync(
            path.join(data, "pg_hba.conf"),
            "host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        );
        run(server, "pg_ctl", [
            "-D",
            data,
            "-w",
            "-l",
            path.join(dir, "server.log"),
            // password_encryption = md5 shows that a verifier given in the statement is stored as is, never re-hashed.
            "-o",
            `-c listen_addresses=127.0.0.1 -c port=${server.port} -c unix_socket_directories=${dir} -c password_encryption=md5 -c log_statement=ddl`,
            "start",
        ]);
        started = true;
    });

    after(() => {
        if (!server) return;
        if (started) run(server, "pg_ctl", ["-D", path.join(server.dir, "data"), "-w", "-m", "fast", "stop"]);
        fs.rmSync(server.dir, { recursive: true, force: true });
    });

    it("stores the verifier as given, lets the plaintext log in with SCRAM, refuses others, and never logs the plaintext", () => {
        const first = integrationPassword();
        const verifier = scramSha256Verifier(first, crypto.randomBytes(SCRAM_SALT_BYTES));
        // What the PostgreSQL provider runs for a new role (pqQuoteLiteral doubles single quotes; a verifier has none).
        sql(server, `CREATE ROLE "metabase" WITH ENCRYPTED PASSWORD '${verifier}' LOGIN`);
        assert.equal(sql(server, "SELECT rolpassword FROM pg_authid WHERE rolname = 'metabase'"), verifier);
        assert.deepEqual(login(server, "metabase", first), { ok: true, output: "metabase" });
        const wrong = login(server, "metabase", `${first}x`);
        assert.equal(wrong.ok, false);
        assert.match(wrong.output, /password authentication failed for user "metabase"/);

        // A rotation: the provider's ALTER ROLE with the new password's verifier (new salt); the old password stops working.
        const second = integrationPassword();
        const rotated = scramSha256Verifier(second, crypto.randomBytes(SCRAM_SALT_BYTES));
        sql(server, `ALTER ROLE "metabase" PASSWORD '${rotated}'`);
        assert.equal(sql(server, "SELECT rolpassword FROM pg_authid WHERE rolname = 'metabase'"), rotated);
        assert.deepEqual(login(server, "metabase", second), { ok: true, output: "metabase" });
        assert.equal(login(server, "metabase", first).ok, false);

        // log_statement = ddl logged both statements, with the verifiers and without either plaintext.
        const log = fs.readFileSync(path.join(server.dir, "server.log"), "utf8");
        assert.ok(log.includes(`CREATE ROLE "metabase" WITH ENCRYPTED PASSWORD '${verifier}' LOGIN`), "the CREATE ROLE statement is in the log");
        assert.ok(log.includes(`ALTER ROLE "metabase" PASSWORD '${rotated}'`), "the ALTER ROLE statement is in the log");
        assert.ok(!log.includes(first) && !log.includes(second), "a plaintext password is in the server log");
    });
});
