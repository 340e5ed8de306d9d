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
    restartScript,
    runRestartCommand,
    secretVersionFromOutputs,
    shellQuote,
    SSM_RESTART,
    tlsDirectory,
} from "../infra/hooks/ssmRestart";
import { makeFakeClock } from "./support/fakeClock";

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
    const script = restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: "mysql", port: 3306, description: DESCRIPTION });
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
        const postgres = restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: "postgres", port: 5433 }).split("\n");
        assert.equal(postgres[postgres.length - 1], DEFAULT_RESTART_COMMANDS.postgres);
        assert.equal(postgres[0], "# db-endpoints: install the TLS certificate and make the database load it");
        assert.ok(postgres.includes("DB_ENDPOINTS_TLS_DIR='/etc/db-endpoints/postgres-5433'"));
        assert.ok(postgres.includes("DB_ENDPOINTS_SERVICE_USER='postgres'"));
    });

    it("runs database.restartCommand instead of the default, as written", () => {
        const custom = restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: "postgres", port: 5432, restartCommand: "systemctl restart postgresql-16" });
        assert.ok(custom.endsWith("\nsystemctl restart postgresql-16"));
        assert.ok(!custom.includes("pg_reload_conf"));
    });

    it("is valid POSIX shell for both engines (sh -n)", () => {
        for (const engine of ["postgres", "mysql"] as const) {
            const text = restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine, port: 5432 });
            const check = spawnSync("sh", ["-n"], { input: text, encoding: "utf8" });
            assert.equal(check.status, 0, `${engine}: ${check.stderr}`);
        }
    });

    it("refuses values that are not what they claim to be", () => {
        assert.throws(() => restartScript({ secretArn: SECRET_ARN, versionId: "v1; rm -rf /", engine: "mysql", port: 3306 }), {
            message: '"v1; rm -rf /" is not a secret version ID',
        });
        assert.throws(() => restartScript({ secretArn: "not-an-arn", versionId: VERSION, engine: "mysql", port: 3306 }), {
            message: '"not-an-arn" is not an ARN with a region',
        });
        assert.throws(() => restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: "mysql", port: 0 }), { message: "0 is not a port" });
        assert.throws(() => restartScript({ secretArn: SECRET_ARN, versionId: VERSION, engine: "oracle" as "mysql", port: 1521 }), {
            message: '"oracle" is not an engine the restart hook knows (postgres, mysql)',
        });
    });

    it("quotes for the shell and reads regions from ARNs", () => {
        assert.equal(shellQuote("it's"), `'it'\\''s'`);
        assert.equal(arnRegion(SECRET_ARN), "eu-west-1");
        assert.equal(arnRegion("arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x"), "us-gov-west-1");
        assert.equal(tlsDirectory("postgres", 5432), "/etc/db-endpoints/postgres-5432");
    });
});

describe("the restart script, run against a fake AWS CLI", { skip: hasPython ? false : "python3 is not installed" }, () => {
    const scratchDirs: string[] = [];
    after(() => {
        for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
    });
    /** Runs the script with the TLS directory and service user pointed at a scratch directory and this user. */
    function run(opts: { awsFails?: boolean; user?: string; restartCommand?: string; defaultCommand?: boolean; fakes?: Record<string, string> }) {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-restart-"));
        scratchDirs.push(scratch);
        const bin = path.join(scratch, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(scratch, "secret.json"), JSON.stringify(SECRET));
        fs.writeFileSync(
            path.join(bin, "aws"),
            [
                "#!/bin/sh",
                `printf '%s\\n' "$@" > ${shellQuote(path.join(scratch, "aws-args"))}`,
                'if [ "${FAKE_AWS_FAILS:-0}" = 1 ]; then',
                '  echo "An error occurred (AccessDeniedException) when calling the GetSecretValue operation: not authorized" >&2',
                "  exit 254",
                "fi",
                `cat ${shellQuote(path.join(scratch, "secret.json"))}`,
            ].join("\n"),
            { mode: 0o755 },
        );
        for (const [name, body] of Object.entries(opts.fakes ?? {})) {
            fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${shellQuote(path.join(scratch, "calls"))}\n${body}\n`, { mode: 0o755 });
        }
        const tlsDir = path.join(scratch, "tls");
        const original = restartScript({
            secretArn: SECRET_ARN,
            versionId: VERSION,
            engine: "mysql",
            port: 3306,
            restartCommand: opts.defaultCommand
                ? undefined
                : (opts.restartCommand ?? 'echo "loaded by $DB_ENDPOINTS_ENGINE on $DB_ENDPOINTS_PORT" > "$DB_ENDPOINTS_TLS_DIR/restarted"'),
        });
        const dirLine = "DB_ENDPOINTS_TLS_DIR='/etc/db-endpoints/mysql-3306'";
        const userLine = "DB_ENDPOINTS_SERVICE_USER='mysql'";
        assert.ok(original.includes(dirLine) && original.includes(userLine));
        const script = original
            .replace(dirLine, `DB_ENDPOINTS_TLS_DIR=${shellQuote(tlsDir)}`)
            .replace(userLine, `DB_ENDPOINTS_SERVICE_USER=${shellQuote(opts.user ?? os.userInfo().username)}`);
        const result = spawnSync("sh", ["-c", script], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_AWS_FAILS: opts.awsFails ? "1" : "0" },
        });
        return { result, scratch, tlsDir };
    }

    it("installs certificate, key and CA with their modes, then runs the restart command", () => {
        const { result, scratch, tlsDir } = run({});
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, `db-endpoints: installed server.crt, ca.crt, server.key in ${tlsDir}\n`);
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
        assert.deepEqual([mode("server.crt"), mode("server.key"), mode("ca.crt"), (fs.statSync(tlsDir).mode & 0o777).toString(8)], ["644", "600", "644", "755"]);
        assert.deepEqual(fs.readdirSync(tlsDir).sort(), ["ca.crt", "restarted", "server.crt", "server.key"]);
        assert.equal(fs.readFileSync(path.join(tlsDir, "restarted"), "utf8"), "loaded by mysql on 3306\n");
    });

    it("stops before the restart when the secret cannot be read, with AWS's error on stderr", () => {
        const { result, tlsDir } = run({ awsFails: true });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /AccessDeniedException/);
        assert.match(result.stderr, new RegExp(`db-endpoints: could not read secret ${SECRET_ARN} version ${VERSION} \\(see the error above\\)`));
        assert.deepEqual(fs.readdirSync(tlsDir), []);
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
        assert.deepEqual(calls(scratch), ["mysql --protocol=socket -u root --connect-timeout=10 -e ALTER INSTANCE RELOAD TLS"]);
    });

    it("MySQL by default: falls back to FLUSH SSL (MariaDB), then to restarting the service that exists", () => {
        const mariadb = run({ defaultCommand: true, fakes: { mysql: 'case "$*" in *"FLUSH SSL"*) exit 0;; *) exit 1;; esac', systemctl: "exit 0" } });
        assert.equal(mariadb.result.status, 0, mariadb.result.stderr);
        assert.match(mariadb.result.stdout, /TLS reloaded online \(FLUSH SSL\)\n$/);
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
