/**
 * The self-managed restart hook (infra/hooks/ssmRestart.ts): the script it runs on each instance (its text,
 * its shell syntax, and a run of it against a fake AWS CLI), and the SSM Run Command flow against a mocked
 * SSMClient and a fake clock: what is sent, success, failure on one instance, timeout, API errors.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import {
    CancelCommandCommand,
    GetCommandInvocationCommand,
    InvalidInstanceId,
    InvocationDoesNotExist,
    ListCommandsCommand,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import {
    arnRegion,
    DEFAULT_RESTART_COMMANDS,
    INSTALL_PROGRAM,
    MYSQL_MAX_CONNECT_ERRORS,
    restartScript,
    runRestartCommand,
    secretVersionFromOutputs,
    shellQuote,
    SSM_RESTART,
    tlsDirectory,
} from "../../infra/hooks/ssmRestart";
import { makeFakeClock } from "../../testing/fakeClock";
import { LocalScript, localRestartScript, runScript, writeFakeAws } from "../../testing/restartScript";
import { DATABASE_ENGINES, DatabaseEngine } from "../../infra/enums";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-endpoints/dev/db-10.0.3.17-3306/tls-AbCdEf";
const VERSION = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b";
const DESCRIPTION = "self-managed database 10.0.3.17:3306";
const SECRET = {
    certificate: "-----BEGIN CERTIFICATE-----\nserver\n-----END CERTIFICATE-----\n",
    privateKey: "-----BEGIN RSA PRIVATE KEY-----\nkey\n-----END RSA PRIVATE KEY-----\n",
    caCertificate: "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n",
};

const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });

const fakeClock = () => makeFakeClock(0);

const hasPython = spawnSync("python3", ["-c", "pass"]).status === 0;

describe("restartScript", () => {
    const script = restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: DatabaseEngine.Mysql, port: 3306, description: DESCRIPTION });
    const lines = script.split("\n");

    it("sets the variables the install step and the restart command use, quoted", () => {
        assert.equal(lines[0], `# db-endpoints: install the TLS certificate of ${DESCRIPTION} and make the database load it`);
        assert.equal(lines[1], "set -eu");
        assert.deepEqual(lines.slice(2, 10), [
            `DB_ENDPOINTS_SECRET_ARN='${SECRET_ARN}'`,
            `DB_ENDPOINTS_SECRET_VERSION_ID='${VERSION}'`,
            "DB_ENDPOINTS_REGION='eu-west-1'",
            "DB_ENDPOINTS_ENGINE='mysql'",
            "DB_ENDPOINTS_PORT='3306'",
            "DB_ENDPOINTS_TLS_DIR='/etc/db-endpoints/mysql-3306'",
            "DB_ENDPOINTS_SERVICE_USER='mysql'",
            "export DB_ENDPOINTS_SECRET_ARN DB_ENDPOINTS_SECRET_VERSION_ID DB_ENDPOINTS_REGION DB_ENDPOINTS_ENGINE DB_ENDPOINTS_PORT DB_ENDPOINTS_TLS_DIR DB_ENDPOINTS_SERVICE_USER",
        ]);
    });

    it("fetches exactly the new secret version and ends with the engine's default restart command", () => {
        assert.ok(
            script.includes(
                'aws secretsmanager get-secret-value --region "$DB_ENDPOINTS_REGION" --secret-id "$DB_ENDPOINTS_SECRET_ARN" ' +
                    `--version-id "$DB_ENDPOINTS_SECRET_VERSION_ID" --query SecretString --output text | python3 -c ${shellQuote(INSTALL_PROGRAM)}\n`,
            ),
        );
        assert.equal(lines[lines.length - 1], DEFAULT_RESTART_COMMANDS.mysql);
        const postgres = restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: DatabaseEngine.Postgres, port: 5433 }).split("\n");
        assert.equal(postgres[postgres.length - 1], DEFAULT_RESTART_COMMANDS.postgres);
        assert.equal(postgres[0], "# db-endpoints: install the TLS certificate and make the database load it");
        assert.ok(postgres.includes("DB_ENDPOINTS_TLS_DIR='/etc/db-endpoints/postgres-5433'"));
        assert.ok(postgres.includes("DB_ENDPOINTS_SERVICE_USER='postgres'"));
    });

    it("runs database.restartCommand instead of the default, as written", () => {
        const custom = restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: DatabaseEngine.Postgres, port: 5432, restartCommand: "systemctl restart postgresql-16" });
        assert.ok(custom.endsWith("\nsystemctl restart postgresql-16"));
        assert.ok(!custom.includes("pg_reload_conf"));
    });

    it("has no empty line (each line is one entry of SSM's commands list), and its Python compiles", () => {
        assert.deepEqual(lines.filter((l) => l.trim() === ""), []);
        if (hasPython) {
            const compiled = spawnSync("python3", ["-c", "import sys; compile(sys.stdin.read(), 'install', 'exec')"], { input: INSTALL_PROGRAM, encoding: "utf8" });
            assert.equal(compiled.status, 0, compiled.stderr);
        }
    });

    it("is valid POSIX shell for both engines (sh -n)", () => {
        for (const engine of DATABASE_ENGINES) {
            const text = restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine, port: 5432 });
            const check = spawnSync("sh", ["-n"], { input: text, encoding: "utf8" });
            assert.equal(check.status, 0, `${engine}: ${check.stderr}`);
        }
    });

    it("refuses values that are not what they claim to be", () => {
        assert.throws(() => restartScript({ secretArn: SECRET_ARN, versionId: "v1; rm -rf /", engine: DatabaseEngine.Mysql, port: 3306 }), {
            message: '"v1; rm -rf /" is not a secret version ID',
        });
        assert.throws(() => restartScript({ secretArn: "not-an-arn", versionId: VERSION, engine: DatabaseEngine.Mysql, port: 3306 }), {
            message: '"not-an-arn" is not an ARN with a region',
        });
        assert.throws(() => restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: DatabaseEngine.Mysql, port: 0 }), { message: "0 is not a port" });
        assert.throws(() => restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: "oracle" as DatabaseEngine, port: 1521 }), {
            message: '"oracle" is not an engine the restart hook knows (postgres, mysql)',
        });
    });

    it("quotes for the shell and reads regions from ARNs", () => {
        assert.equal(shellQuote("it's"), `'it'\\''s'`);
        assert.equal(arnRegion(SECRET_ARN), "eu-west-1");
        assert.equal(arnRegion("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x"), "us-gov-west-1");
        assert.equal(tlsDirectory(DatabaseEngine.Postgres, 5432), "/etc/db-endpoints/postgres-5432");
    });
});

describe("the restart script, run against a fake AWS CLI", { skip: hasPython ? false : "python3 is not installed" }, () => {
    const scratchDirs: string[] = [];
    after(() => {
        for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
    });
    interface RunOptions {
        awsFails?: boolean;
        user?: string;
        engine?: DatabaseEngine;
        restartCommand?: string;
        defaultCommand?: boolean;
        fakes?: Record<string, string>;
        /** Prepares the scratch machine before the script runs (directories below `root` are the host's). */
        setup?: (machine: { root: string; tlsDir: string; paths: LocalScript["paths"] }) => void;
        /** Runs in this scratch directory again instead of a new one. */
        scratch?: string;
        /** Leaves out /etc/mysql/conf.d, which the scratch machine has by default (as Debian and Ubuntu do). */
        noMysqlConfigDirectory?: boolean;
    }
    /**
     * Runs the script as it runs on an instance, confined to a scratch directory (testing/restartScript.ts):
     * the TLS directory, /etc/mysql, /etc/my.cnf.d and AppArmor's paths lie below `<scratch>/root`, the service
     * user is this user, `aws` and the `fakes` are on PATH and record their calls.
     */
    function run(opts: RunOptions) {
        let scratch = opts.scratch;
        if (!scratch) {
            scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-restart-")));
            scratchDirs.push(scratch);
        }
        const bin = path.join(scratch, "bin");
        const root = path.join(scratch, "root");
        writeFakeAws(bin, SECRET);
        fs.mkdirSync(path.join(root, "etc"), { recursive: true });
        if (!opts.noMysqlConfigDirectory) fs.mkdirSync(path.join(root, "etc/mysql/conf.d"), { recursive: true });
        for (const [name, body] of Object.entries(opts.fakes ?? {})) {
            fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${shellQuote(path.join(scratch, "calls"))}\n${body}\n`, { mode: 0o755 });
        }
        const local = localRestartScript(
            {
                secretArn: SECRET_ARN,
                versionId: VERSION,
                engine: opts.engine ?? DatabaseEngine.Mysql,
                port: 3306,
                restartCommand: opts.defaultCommand
                    ? undefined
                    : (opts.restartCommand ?? 'echo "loaded by $DB_ENDPOINTS_ENGINE on $DB_ENDPOINTS_PORT" > "$DB_ENDPOINTS_TLS_DIR/restarted"'),
            },
            root,
            opts.user ?? os.userInfo().username,
        );
        opts.setup?.({ root, tlsDir: local.tlsDir, paths: local.paths });
        const result = runScript(local.script, bin, { FAKE_AWS_FAILS: opts.awsFails ? "1" : "0" });
        return { result, scratch, root, tlsDir: local.tlsDir, paths: local.paths };
    }

    it("installs certificate, key and CA with their modes, then runs the restart command", () => {
        const { result, scratch, root, tlsDir } = run({});
        assert.equal(result.status, 0, result.stderr);
        assert.equal(
            result.stdout,
            `db-endpoints: installed server.crt, ca.crt, server.key in ${tlsDir}\n` +
                `db-endpoints: max_connect_errors is set in ${root}/etc/mysql/conf.d/db-endpoints.cnf\n`,
        );
        assert.equal(result.stderr, "");
        assert.deepEqual(fs.readFileSync(path.join(scratch, "aws-args"), "utf8").trim().split("\n"), [
            "secretsmanager",
            "get-secret-value",
            "--region",
            "eu-west-1",
            "--secret-id",
            SECRET_ARN,
            "--version-id",
            VERSION,
            "--query",
            "SecretString",
            "--output",
            "text",
        ]);
        const mode = (f: string) => (fs.statSync(path.join(tlsDir, f)).mode & 0o777).toString(8);
        assert.equal(fs.readFileSync(path.join(tlsDir, "server.crt"), "utf8"), SECRET.certificate);
        assert.equal(fs.readFileSync(path.join(tlsDir, "server.key"), "utf8"), SECRET.privateKey);
        assert.equal(fs.readFileSync(path.join(tlsDir, "ca.crt"), "utf8"), SECRET.caCertificate);
        assert.deepEqual(
            [mode("server.crt"), mode("server.key"), mode("ca.crt"), (fs.statSync(tlsDir).mode & 0o777).toString(8), (fs.statSync(path.dirname(tlsDir)).mode & 0o777).toString(8)],
            ["644", "640", "644", "750", "755"],
        );
        assert.deepEqual(fs.readdirSync(tlsDir).sort(), ["ca.crt", "restarted", "server.crt", "server.key"]);
        // Root's (the script's user's), readable through the service user's group.
        const me = os.userInfo();
        for (const entry of [tlsDir, ...["server.crt", "server.key", "ca.crt"].map((f) => path.join(tlsDir, f))]) {
            const st = fs.statSync(entry);
            assert.deepEqual([entry, st.uid, st.gid], [entry, me.uid, me.gid]);
        }
        assert.equal(fs.readFileSync(path.join(tlsDir, "restarted"), "utf8"), "loaded by mysql on 3306\n");
    });

    it("stops before the restart when the secret cannot be read, with AWS's error on stderr", () => {
        const { result, tlsDir } = run({ awsFails: true });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /AccessDeniedException/);
        assert.match(result.stderr, new RegExp(`db-endpoints: could not read secret ${SECRET_ARN} version ${VERSION} \\(see the error above\\)`));
        assert.equal(fs.existsSync(path.dirname(tlsDir)), false);
    });

    it("stops when the engine's service user does not exist", () => {
        const { result, tlsDir } = run({ user: "db-endpoints-no-such-user" });
        assert.equal(result.status, 1);
        assert.equal(
            result.stderr,
            "db-endpoints: user db-endpoints-no-such-user does not exist on this instance; is the mysql server installed here?\n",
        );
        assert.equal(fs.existsSync(tlsDir), false);
    });

    const calls = (scratch: string) => fs.readFileSync(path.join(scratch, "calls"), "utf8").trim().split("\n");

    it("MySQL by default: reloads TLS online when the server accepts ALTER INSTANCE RELOAD TLS, without a restart", () => {
        const { result, scratch } = run({ defaultCommand: true, fakes: { mysql: "exit 0", systemctl: "exit 0" } });
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /db-endpoints: TLS reloaded online \(ALTER INSTANCE RELOAD TLS\)\n$/);
        assert.deepEqual(calls(scratch), [
            "mysql --protocol=socket -u root --connect-timeout=10 -e ALTER INSTANCE RELOAD TLS",
            `mysql --protocol=socket -u root --connect-timeout=10 -e SET GLOBAL max_connect_errors = ${MYSQL_MAX_CONNECT_ERRORS}`,
        ]);
    });

    it("MySQL by default: falls back to FLUSH SSL (MariaDB), then to restarting the service that exists", () => {
        const mariadb = run({ defaultCommand: true, fakes: { mysql: 'case "$*" in *"FLUSH SSL"*|*"SET GLOBAL"*) exit 0;; *) exit 1;; esac', systemctl: "exit 0" } });
        assert.equal(mariadb.result.status, 0, mariadb.result.stderr);
        assert.match(mariadb.result.stdout, /TLS reloaded online \(FLUSH SSL\)\n$/);
        assert.deepEqual(calls(mariadb.scratch), [
            "mysql --protocol=socket -u root --connect-timeout=10 -e ALTER INSTANCE RELOAD TLS",
            "mysql --protocol=socket -u root --connect-timeout=10 -e FLUSH SSL",
            `mysql --protocol=socket -u root --connect-timeout=10 -e SET GLOBAL max_connect_errors = ${MYSQL_MAX_CONNECT_ERRORS}`,
        ]);
        const refused = run({
            defaultCommand: true,
            fakes: { mysql: "exit 1", systemctl: 'case "$*" in "cat mysql.service") exit 0;; cat*) exit 1;; *) exit 0;; esac' },
        });
        assert.equal(refused.result.status, 0, refused.result.stderr);
        assert.deepEqual(calls(refused.scratch).slice(2), ["systemctl cat mysqld.service", "systemctl cat mysql.service", "systemctl restart mysql.service"]);
    });

    it("fails with the restart command's exit status", () => {
        const { result } = run({ restartCommand: "echo 'cannot restart' >&2; exit 7" });
        assert.equal(result.status, 7);
        assert.equal(result.stderr, "cannot restart\n");
    });

    it("MySQL by default: fails when max_connect_errors cannot be raised online after the reload", () => {
        const { result } = run({
            defaultCommand: true,
            fakes: { mysql: 'case "$*" in *"SET GLOBAL"*) echo "ERROR 1227 (42000): Access denied" >&2; exit 1;; *) exit 0;; esac' },
        });
        assert.equal(result.status, 1);
        assert.equal(result.stderr, "ERROR 1227 (42000): Access denied\n");
    });
});

describe("the restart script refuses what a database user could have planted", { skip: hasPython ? false : "python3 is not installed" }, () => {
    const scratchDirs: string[] = [];
    after(() => {
        for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
    });
    /** The restart script confined to a new scratch machine (testing/restartScript.ts), before it runs. */
    function machine(engine: DatabaseEngine = DatabaseEngine.Mysql, fakes: Record<string, string> = {}) {
        const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-planted-")));
        scratchDirs.push(scratch);
        const bin = path.join(scratch, "bin");
        const root = path.join(scratch, "root");
        writeFakeAws(bin, SECRET);
        for (const [name, body] of Object.entries(fakes)) {
            fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${shellQuote(path.join(scratch, "calls"))}\n${body}\n`, { mode: 0o755 });
        }
        fs.mkdirSync(path.join(root, "etc/mysql/conf.d"), { recursive: true });
        const local = localRestartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine, port: 3306, restartCommand: "echo restarted" }, root, os.userInfo().username);
        /** A file outside the TLS directory a planted link points at. */
        const victim = path.join(scratch, "victim");
        fs.writeFileSync(victim, "precious\n", { mode: 0o600 });
        const calls = () => (fs.existsSync(path.join(scratch, "calls")) ? fs.readFileSync(path.join(scratch, "calls"), "utf8").trim().split("\n") : []);
        return { scratch, root, victim, calls, ...local, run: () => runScript(local.script, bin) };
    }
    const unchanged = (victim: string) => {
        const st = fs.lstatSync(victim);
        assert.deepEqual([fs.readFileSync(victim, "utf8"), st.mode & 0o7777, st.uid], ["precious\n", 0o600, os.userInfo().uid]);
    };

    it("a link planted where the previous version staged the key (server.key.new) is never followed", () => {
        const m = machine();
        fs.mkdirSync(m.tlsDir, { recursive: true });
        fs.symlinkSync(m.victim, path.join(m.tlsDir, "server.key.new"));
        const result = m.run();
        assert.equal(result.status, 0, result.stderr);
        unchanged(m.victim);
        assert.equal(fs.readFileSync(path.join(m.tlsDir, "server.key"), "utf8"), SECRET.privateKey);
        assert.equal(fs.readlinkSync(path.join(m.tlsDir, "server.key.new")), m.victim);
        assert.deepEqual(fs.readdirSync(m.tlsDir).sort(), ["ca.crt", "server.crt", "server.key", "server.key.new"]);
    });

    for (const file of ["server.key", "server.crt", "ca.crt"]) {
        it(`a link planted as ${file} fails the script before anything is written`, () => {
            const m = machine();
            fs.mkdirSync(m.tlsDir, { recursive: true });
            fs.symlinkSync(m.victim, path.join(m.tlsDir, file));
            const result = m.run();
            assert.equal(result.status, 1);
            assert.equal(
                result.stderr,
                `db-endpoints: ${m.tlsDir}/${file} is a symbolic link or not a regular file; refusing to replace it (remove it, and find out who put it there)\n`,
            );
            assert.equal(result.stdout, "");
            unchanged(m.victim);
            assert.deepEqual(fs.readdirSync(m.tlsDir), [file]);
        });
    }

    it("a TLS directory that is a link fails the script, and nothing is written where it points", () => {
        const m = machine();
        const elsewhere = path.join(m.scratch, "elsewhere");
        fs.mkdirSync(elsewhere, { mode: 0o700 });
        fs.mkdirSync(path.dirname(m.tlsDir), { recursive: true });
        fs.symlinkSync(elsewhere, m.tlsDir);
        const result = m.run();
        assert.equal(result.status, 1);
        assert.equal(result.stderr, `db-endpoints: ${m.tlsDir} is a symbolic link or not a directory; refusing to install through it\n`);
        assert.deepEqual([fs.readdirSync(elsewhere), fs.statSync(elsewhere).mode & 0o777], [[], 0o700]);
    });

    it("a /etc/db-endpoints that is a link fails the script", () => {
        const m = machine();
        const elsewhere = path.join(m.scratch, "elsewhere");
        fs.mkdirSync(elsewhere, { mode: 0o700 });
        fs.symlinkSync(elsewhere, path.dirname(m.tlsDir));
        const result = m.run();
        assert.equal(result.status, 1);
        assert.equal(result.stderr, `db-endpoints: ${path.dirname(m.tlsDir)} is a symbolic link or not a directory; refusing to install through it\n`);
        assert.deepEqual(fs.readdirSync(elsewhere), []);
    });

    it("a directory above /etc/db-endpoints that others can write fails the script", () => {
        const m = machine();
        fs.chmodSync(path.join(m.root, "etc"), 0o777);
        const result = m.run();
        assert.equal(result.status, 1);
        assert.equal(result.stderr, `db-endpoints: ${m.root}/etc can be written by users other than root; refusing to install below it\n`);
        assert.equal(fs.existsSync(path.dirname(m.tlsDir)), false);
    });

    it("takes back a TLS directory the database user could write: root's again, 0750, before replacing the files", { skip: process.getuid?.() === 0 ? false : "needs root to give the directory to another user" }, () => {
        const m = machine();
        fs.mkdirSync(m.tlsDir, { recursive: true });
        fs.writeFileSync(path.join(m.tlsDir, "server.key"), "old key\n");
        for (const p of [path.dirname(m.tlsDir), m.tlsDir, path.join(m.tlsDir, "server.key")]) fs.chownSync(p, 65534, 65534);
        fs.chmodSync(m.tlsDir, 0o777);
        fs.chmodSync(path.dirname(m.tlsDir), 0o777);
        const result = m.run();
        assert.equal(result.status, 0, result.stderr);
        const me = os.userInfo();
        const owner = (p: string) => {
            const st = fs.statSync(p);
            return [st.uid, st.gid, (st.mode & 0o7777).toString(8)];
        };
        assert.deepEqual(owner(path.dirname(m.tlsDir)), [0, me.gid, "755"]);
        assert.deepEqual(owner(m.tlsDir), [0, me.gid, "750"]);
        assert.deepEqual(owner(path.join(m.tlsDir, "server.key")), [0, me.gid, "640"]);
        assert.equal(fs.readFileSync(path.join(m.tlsDir, "server.key"), "utf8"), SECRET.privateKey);
    });

    it("MySQL: the option file is written in the first option-file directory that exists, and a link there is refused", () => {
        const m = machine();
        fs.mkdirSync(m.paths.mysqlConfigDirectories[1], { recursive: true });
        const first = m.run();
        assert.equal(first.status, 0, first.stderr);
        const file = path.join(m.paths.mysqlConfigDirectories[0], "db-endpoints.cnf");
        assert.equal(
            fs.readFileSync(file, "utf8"),
            "# Written by db-endpoints: a load balancer's TCP health checks must not get its addresses blocked.\n" +
                `[mysqld]\nmax_connect_errors = ${MYSQL_MAX_CONNECT_ERRORS}\n`,
        );
        assert.equal(fs.statSync(file).mode & 0o777, 0o644);
        assert.deepEqual(fs.readdirSync(m.paths.mysqlConfigDirectories[1]), []);
        assert.deepEqual(fs.readdirSync(m.paths.mysqlConfigDirectories[0]), ["db-endpoints.cnf"]);

        fs.rmSync(file);
        fs.symlinkSync(m.victim, file);
        const planted = m.run();
        assert.equal(planted.status, 1);
        assert.equal(
            planted.stderr,
            `db-endpoints: ${file} is a symbolic link or not a regular file; refusing to replace it (remove it, and find out who put it there)\n`,
        );
        unchanged(m.victim);
    });

    it("MySQL: says where max_connect_errors must be set when no option-file directory exists; PostgreSQL writes none", () => {
        const m = machine();
        fs.rmSync(path.join(m.root, "etc/mysql"), { recursive: true });
        const result = m.run();
        assert.equal(result.status, 0, result.stderr);
        assert.equal(
            result.stderr,
            `db-endpoints: none of ${m.paths.mysqlConfigDirectories.join(", ")} exists; set max_connect_errors = ${MYSQL_MAX_CONNECT_ERRORS} in the server's configuration\n`,
        );
        const postgres = machine(DatabaseEngine.Postgres);
        const pg = postgres.run();
        assert.equal(pg.status, 0, pg.stderr);
        assert.deepEqual([pg.stdout, pg.stderr], [`db-endpoints: installed server.crt, ca.crt, server.key in ${postgres.tlsDir}\nrestarted\n`, ""]);
        assert.deepEqual(fs.readdirSync(postgres.paths.mysqlConfigDirectories[0]), []);
    });
});

/** A profile like Ubuntu's usr.sbin.mysqld, reduced to what matters here: it confines mysqld and includes its local file. */
const MYSQLD_PROFILE = "#include <tunables/global>\n\n/usr/sbin/mysqld {\n  /etc/mysql/** r,\n  /var/lib/mysql/** rwk,\n\n  #include <local/usr.sbin.mysqld>\n}\n";
const hasApparmorParser = spawnSync("sh", ["-c", "command -v apparmor_parser || test -x /usr/sbin/apparmor_parser"]).status === 0;

describe("the restart script lets MySQL's AppArmor profile read the TLS files", { skip: hasPython ? false : "python3 is not installed" }, () => {
    const scratchDirs: string[] = [];
    after(() => {
        for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
    });
    /** A scratch machine with AppArmor's directory, optionally active, and a fake apparmor_parser. */
    function machine(opts: { profiles?: Record<string, string>; enabled?: string; parser?: string; engine?: DatabaseEngine } = {}) {
        const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-apparmor-")));
        scratchDirs.push(scratch);
        const bin = path.join(scratch, "bin");
        const root = path.join(scratch, "root");
        writeFakeAws(bin, SECRET);
        fs.writeFileSync(path.join(bin, "apparmor_parser"), `#!/bin/sh\necho "apparmor_parser $*" >> ${shellQuote(path.join(scratch, "calls"))}\n${opts.parser ?? "exit 0"}\n`, { mode: 0o755 });
        fs.mkdirSync(path.join(root, "etc/mysql/conf.d"), { recursive: true });
        const local = localRestartScript(
            { secretArn: SECRET_ARN, versionId: VERSION, engine: opts.engine ?? DatabaseEngine.Mysql, port: 3306, restartCommand: "true" },
            root,
            os.userInfo().username,
        );
        fs.mkdirSync(local.paths.apparmorDirectory, { recursive: true });
        for (const [name, text] of Object.entries(opts.profiles ?? { "usr.sbin.mysqld": MYSQLD_PROFILE })) fs.writeFileSync(path.join(local.paths.apparmorDirectory, name), text);
        if (opts.enabled !== undefined) {
            fs.mkdirSync(path.dirname(local.paths.apparmorEnabled), { recursive: true });
            fs.writeFileSync(local.paths.apparmorEnabled, opts.enabled);
        }
        const calls = () => (fs.existsSync(path.join(scratch, "calls")) ? fs.readFileSync(path.join(scratch, "calls"), "utf8").trim().split("\n") : []);
        const localFile = (profile = "usr.sbin.mysqld") => path.join(local.paths.apparmorDirectory, "local", profile);
        return { scratch, root, calls, localFile, ...local, run: () => runScript(local.script, bin) };
    }
    const block = (tlsDir: string) =>
        `# BEGIN db-endpoints ${tlsDir}\n  ${tlsDir}/server.crt r,\n  ${tlsDir}/ca.crt r,\n  ${tlsDir}/server.key r,\n# END db-endpoints ${tlsDir}\n`;

    it("adds read rules for the three files to the profile's local include and reloads the profile", () => {
        const m = machine({ enabled: "Y\n" });
        fs.mkdirSync(path.dirname(m.localFile()));
        fs.writeFileSync(m.localFile(), "  /srv/mysql/** rwk,\n");
        const result = m.run();
        assert.equal(result.status, 0, result.stderr);
        assert.equal(fs.readFileSync(m.localFile(), "utf8"), `  /srv/mysql/** rwk,\n${block(m.tlsDir)}`);
        assert.equal(fs.statSync(m.localFile()).mode & 0o777, 0o644);
        assert.deepEqual(m.calls(), [`apparmor_parser -r ${m.paths.apparmorDirectory}/usr.sbin.mysqld`]);
        assert.match(result.stdout, new RegExp(`db-endpoints: AppArmor profile usr.sbin.mysqld reloaded; it lets the server read ${m.tlsDir}\n$`));

        // Idempotent: the block is kept once; the profile is reloaded again (it may not have been, last time).
        const again = m.run();
        assert.equal(again.status, 0, again.stderr);
        assert.equal(fs.readFileSync(m.localFile(), "utf8"), `  /srv/mysql/** rwk,\n${block(m.tlsDir)}`);
        assert.equal(m.calls().length, 2);
    });

    it("writes the rules but loads nothing where AppArmor is off or the profile is disabled", () => {
        const off = machine();
        assert.equal(off.run().status, 0);
        assert.equal(fs.readFileSync(off.localFile(), "utf8"), block(off.tlsDir));
        assert.deepEqual(off.calls(), []);

        const disabled = machine({ enabled: "Y\n" });
        fs.mkdirSync(path.join(disabled.paths.apparmorDirectory, "disable"));
        fs.symlinkSync(path.join(disabled.paths.apparmorDirectory, "usr.sbin.mysqld"), path.join(disabled.paths.apparmorDirectory, "disable/usr.sbin.mysqld"));
        assert.equal(disabled.run().status, 0);
        assert.equal(fs.readFileSync(disabled.localFile(), "utf8"), block(disabled.tlsDir));
        assert.deepEqual(disabled.calls(), []);
    });

    it("leaves MariaDB's empty placeholder profile alone, and PostgreSQL's servers too", () => {
        const placeholder = "# This file is intentionally empty to disable apparmor by default for newer\n# versions of MariaDB.\n";
        const m = machine({ enabled: "Y\n", profiles: { "usr.sbin.mariadbd": placeholder } });
        assert.equal(m.run().status, 0);
        assert.deepEqual([fs.readdirSync(m.paths.apparmorDirectory), m.calls()], [["usr.sbin.mariadbd"], []]);

        const postgres = machine({ enabled: "Y\n", engine: DatabaseEngine.Postgres });
        assert.equal(postgres.run().status, 0);
        assert.deepEqual([fs.existsSync(postgres.localFile()), postgres.calls()], [false, []]);
    });

    it("fails, saying what to do, for a profile that confines the server without a local include", () => {
        const m = machine({ enabled: "Y\n", profiles: { "usr.sbin.mysqld": "/usr/sbin/mysqld {\n  /etc/mysql/** r,\n}\n" } });
        const result = m.run();
        assert.equal(result.status, 1);
        assert.equal(
            result.stderr,
            `db-endpoints: ${m.paths.apparmorDirectory}/usr.sbin.mysqld confines the database server and has no include of local/usr.sbin.mysqld; ` +
                `allow it to read ${m.tlsDir}/* yourself\n`,
        );
    });

    it("fails when the profile cannot be reloaded, and refuses a link planted as the local file", () => {
        const broken = machine({ enabled: "Y\n", parser: "echo 'AppArmor parser error' >&2; exit 1" });
        const result = broken.run();
        assert.equal(result.status, 1);
        assert.equal(
            result.stderr,
            "AppArmor parser error\n" +
                `db-endpoints: could not reload the AppArmor profile usr.sbin.mysqld (Command '['apparmor_parser', '-r', '${broken.paths.apparmorDirectory}/usr.sbin.mysqld']' ` +
                `returned non-zero exit status 1.); the server may be unable to read ${broken.tlsDir}\n`,
        );

        const planted = machine({ enabled: "Y\n" });
        const victim = path.join(planted.scratch, "victim");
        fs.writeFileSync(victim, "precious\n");
        fs.mkdirSync(path.dirname(planted.localFile()));
        fs.symlinkSync(victim, planted.localFile());
        const refused = planted.run();
        assert.equal(refused.status, 1);
        assert.equal(
            refused.stderr,
            `db-endpoints: ${planted.localFile()} is a symbolic link or not a regular file; refusing to replace it (remove it, and find out who put it there)\n`,
        );
        assert.equal(fs.readFileSync(victim, "utf8"), "precious\n");
        assert.deepEqual(planted.calls(), []);
    });

    it("writes rules the real apparmor_parser accepts in the profile, granting read on exactly the three files", {
        skip: hasApparmorParser ? false : process.env.CI === "true" ? false : "apparmor_parser is not installed (the apparmor package)",
    }, () => {
        const m = machine();
        assert.equal(m.run().status, 0);
        const parser = fs.existsSync("/usr/sbin/apparmor_parser") ? "/usr/sbin/apparmor_parser" : "apparmor_parser";
        // -Q: parse and compile only, nothing is loaded into the kernel; -K: no cache; -d: print the rules. The
        // scratch directory's includes come first; tunables/global is the installed package's.
        const args = ["-Q", "-K", "-d", "--base", m.paths.apparmorDirectory, "-I", m.paths.apparmorDirectory, "-I", "/etc/apparmor.d"];
        const parsed = spawnSync(parser, [...args, path.join(m.paths.apparmorDirectory, "usr.sbin.mysqld")], {
            encoding: "utf8",
        });
        assert.equal(parsed.status, 0, parsed.stderr);
        const rules = parsed.stdout.split("\n").filter((l) => l.startsWith("Mode:"));
        assert.deepEqual(rules.sort(), [
            "Mode:\tr:r\tName:\t(/etc/mysql/**)",
            `Mode:\tr:r\tName:\t(${m.tlsDir}/ca.crt)`,
            `Mode:\tr:r\tName:\t(${m.tlsDir}/server.crt)`,
            `Mode:\tr:r\tName:\t(${m.tlsDir}/server.key)`,
            // The parser's own spelling of rwk (write implies append).
            "Mode:\trwak:rwak\tName:\t(/var/lib/mysql/**)",
        ]);
    });
});

describe("runRestartCommand", () => {
    beforeEach(() => ssm.reset());
    const script = "set -eu\necho one\necho two";
    const ids = ["i-0a1b2c3d4e5f60718", "i-0f9e8d7c6b5a40312"];

    function invocations(byInstance: Record<string, object>) {
        for (const [instance, answer] of Object.entries(byInstance)) {
            ssm.on(GetCommandInvocationCommand, { CommandId: "cmd-1", InstanceId: instance }).resolves(answer);
        }
    }

    it("sends the script with AWS-RunShellScript, one instance at a time, and returns when it succeeded everywhere", async () => {
        ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
        ssm.on(ListCommandsCommand, { CommandId: "cmd-1" })
            .resolvesOnce({ Commands: [] })
            .resolvesOnce({ Commands: [{ CommandId: "cmd-1", Status: "InProgress" }] })
            .resolves({ Commands: [{ CommandId: "cmd-1", Status: "Success" }] });
        invocations({ [ids[0]]: { Status: "Success", ResponseCode: 0 }, [ids[1]]: { Status: "Success", ResponseCode: 0 } });
        const clock = fakeClock();
        const result = await runRestartCommand(client, { instanceIds: ids, script, description: DESCRIPTION, timeoutMs: 10 * 60_000, clock });

        const sent = ssm.commandCalls(SendCommandCommand);
        assert.equal(sent.length, 1);
        assert.deepEqual(sent[0].args[0].input, {
            DocumentName: "AWS-RunShellScript",
            InstanceIds: ids,
            Parameters: { commands: ["set -eu", "echo one", "echo two"], executionTimeout: ["600"] },
            TimeoutSeconds: 600,
            MaxConcurrency: "1",
            MaxErrors: "0",
            Comment: `db-endpoints: load TLS certificate, ${DESCRIPTION}`,
        });
        assert.deepEqual(clock.sleeps, [SSM_RESTART.pollIntervalMs, SSM_RESTART.pollIntervalMs, SSM_RESTART.pollIntervalMs]);
        assert.equal(result.commandId, "cmd-1");
        assert.deepEqual(
            result.instances.map((o) => [o.instanceId, o.status]),
            [
                [ids[0], "Success"],
                [ids[1], "Success"],
            ],
        );
        assert.equal(result.message, `${DESCRIPTION}: new TLS certificate installed and loaded on ${ids.join(", ")} (SSM command cmd-1)`);
        assert.equal(ssm.commandCalls(CancelCommandCommand).length, 0);
    });

    it("fails naming the instance, its status, exit code and the end of its stderr when it fails on one", async () => {
        ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
        ssm.on(ListCommandsCommand).resolves({ Commands: [{ CommandId: "cmd-1", Status: "Failed" }] });
        const longError = `${"x".repeat(1000)}\nJob for mysqld.service failed because the control process exited with error code.\n`;
        invocations({
            [ids[0]]: { Status: "Failed", StatusDetails: "Failed", ResponseCode: 1, StandardErrorContent: longError },
            [ids[1]]: { Status: "Cancelled", StatusDetails: "Terminated", ResponseCode: -1 },
        });
        const error = await runRestartCommand(client, {
            instanceIds: ids,
            script,
            description: DESCRIPTION,
            timeoutMs: 10 * 60_000,
            retryHint: "After fixing the cause: pulumi up --replace 'urn:x'",
            clock: fakeClock(),
        }).then(
            () => assert.fail("expected a failure"),
            (e: Error) => e,
        );
        const excerpt = `…${longError.trim().slice(-SSM_RESTART.stderrExcerpt)}`;
        assert.equal(
            error.message,
            `${DESCRIPTION}: the restart command failed on 2 of 2 instances (SSM command cmd-1, AWS-RunShellScript, command status: Failed):\n` +
                `  - ${ids[0]}: Failed, exit code 1: stderr: ${excerpt}\n` +
                `  - ${ids[1]}: Cancelled (Terminated)\n` +
                "Full output: aws ssm get-command-invocation --command-id cmd-1 --instance-id <instance>\n" +
                "After fixing the cause: pulumi up --replace 'urn:x'",
        );
        assert.ok(excerpt.endsWith("exited with error code."));
    });

    it("fails when one instance fails and the other succeeded", async () => {
        ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
        ssm.on(ListCommandsCommand).resolves({ Commands: [{ Status: "Failed" }] });
        invocations({
            [ids[0]]: { Status: "Success", ResponseCode: 0 },
            [ids[1]]: { Status: "Failed", ResponseCode: 2, StandardErrorContent: "psql: error: connection to server failed\n" },
        });
        await assert.rejects(runRestartCommand(client, { instanceIds: ids, script, description: DESCRIPTION, timeoutMs: 60_000, clock: fakeClock() }), {
            message:
                `${DESCRIPTION}: the restart command failed on 1 of 2 instances (SSM command cmd-1, AWS-RunShellScript, command status: Failed):\n` +
                `  - ${ids[0]}: Success, exit code 0\n` +
                `  - ${ids[1]}: Failed, exit code 2: stderr: psql: error: connection to server failed\n` +
                "Full output: aws ssm get-command-invocation --command-id cmd-1 --instance-id <instance>",
        });
    });

    it("cancels the command and fails, bounded, when it does not finish in time", async () => {
        ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
        ssm.on(ListCommandsCommand).resolves({ Commands: [{ Status: "InProgress" }] });
        ssm.on(CancelCommandCommand).resolves({});
        invocations({ [ids[0]]: { Status: "Success", ResponseCode: 0 }, [ids[1]]: { Status: "InProgress", ResponseCode: -1 } });
        const clock = fakeClock();
        await assert.rejects(runRestartCommand(client, { instanceIds: ids, script, description: DESCRIPTION, timeoutMs: 2 * 60_000, clock }), {
            message:
                `${DESCRIPTION}: the restart command (SSM command cmd-1) did not finish on every instance within 2 minutes ` +
                `(command status: InProgress); the command was cancelled:\n` +
                `  - ${ids[0]}: Success, exit code 0\n` +
                `  - ${ids[1]}: InProgress\n` +
                "Full output: aws ssm get-command-invocation --command-id cmd-1 --instance-id <instance>",
        });
        assert.equal(clock.sleeps.length, (2 * 60_000) / SSM_RESTART.pollIntervalMs);
        const cancels = ssm.commandCalls(CancelCommandCommand);
        assert.equal(cancels.length, 1);
        assert.deepEqual(cancels[0].args[0].input, { CommandId: "cmd-1" });
    });

    it("says the command may still run when cancelling it fails", async () => {
        ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
        ssm.on(ListCommandsCommand).resolves({ Commands: [{ Status: "Pending" }] });
        ssm.on(CancelCommandCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
        ssm.on(GetCommandInvocationCommand).rejects(new InvocationDoesNotExist({ message: "", $metadata: {} }));
        await assert.rejects(runRestartCommand(client, { instanceIds: [ids[0]], script, description: DESCRIPTION, timeoutMs: 30_000, clock: fakeClock() }), {
            message:
                `${DESCRIPTION}: the restart command (SSM command cmd-1) did not finish on every instance within 0.5 minutes ` +
                "(command status: Pending); cancelling it failed (ThrottlingException: Rate exceeded), so it may still run:\n" +
                `  - ${ids[0]}: Unknown (the command never reached this instance)\n` +
                "Full output: aws ssm get-command-invocation --command-id cmd-1 --instance-id <instance>",
        });
    });

    it("explains an instance SSM cannot reach", async () => {
        ssm.on(SendCommandCommand).rejects(new InvalidInstanceId({ message: "Instances [[i-0a1b2c3d4e5f60718]] not in a valid state for account 123456789012", $metadata: {} }));
        await assert.rejects(
            runRestartCommand(client, { instanceIds: [ids[0]], script, description: DESCRIPTION, timeoutMs: 60_000, retryHint: "retry hint", clock: fakeClock() }),
            {
                message:
                    `${DESCRIPTION}: SSM SendCommand to ${ids[0]} failed: InvalidInstanceId: Instances [[i-0a1b2c3d4e5f60718]] not in a valid state for account 123456789012 ` +
                    "(each instance must be running, in this region, and managed by Systems Manager: SSM Agent online and an instance profile such as AmazonSSMManagedInstanceCore)\nretry hint",
            },
        );
        assert.equal(ssm.commandCalls(ListCommandsCommand).length, 0);
    });

    it("fails quoting AWS when polling the command fails", async () => {
        ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-1" } });
        ssm.on(ListCommandsCommand).rejects(Object.assign(new Error("not authorized to perform ssm:ListCommands"), { name: "AccessDeniedException" }));
        await assert.rejects(runRestartCommand(client, { instanceIds: ids, script, description: DESCRIPTION, timeoutMs: 60_000, clock: fakeClock() }), {
            message: `${DESCRIPTION}: SSM ListCommands for command cmd-1 failed: AccessDeniedException: not authorized to perform ssm:ListCommands`,
        });
    });

    it("refuses an empty instance list without calling AWS", async () => {
        await assert.rejects(runRestartCommand(client, { instanceIds: [], script, description: DESCRIPTION, timeoutMs: 60_000, clock: fakeClock() }), {
            message: `${DESCRIPTION}: no instance IDs to run the restart command on`,
        });
        assert.equal(ssm.calls().length, 0);
    });
});

describe("secretVersionFromOutputs", () => {
    it("reads the secret ARN and version from a SecretVersion's outputs", () => {
        assert.deepEqual(secretVersionFromOutputs({ arn: SECRET_ARN, secretId: SECRET_ARN, versionId: VERSION }), { secretArn: SECRET_ARN, versionId: VERSION });
        assert.deepEqual(secretVersionFromOutputs({ secretId: SECRET_ARN, versionId: VERSION }), { secretArn: SECRET_ARN, versionId: VERSION });
    });

    it("refuses outputs that do not name them", () => {
        assert.throws(() => secretVersionFromOutputs({ arn: SECRET_ARN }), {
            message: `the secret version's outputs do not name its secret and version (arn: "${SECRET_ARN}", versionId: undefined)`,
        });
        assert.throws(() => secretVersionFromOutputs(undefined), {
            message: "the secret version's outputs do not name its secret and version (arn: undefined, versionId: undefined)",
        });
    });
});
