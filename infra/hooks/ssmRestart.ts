/**
 * The self-managed restart hook: after a database's server certificate is (re)issued and stored as a new
 * Secrets Manager secret version, run a shell script on the database's EC2 instances through SSM Run Command
 * (`AWS-RunShellScript`) that installs certificate, key and CA from that exact secret version and then runs
 * the restart command, which makes the database load them. The hook waits, bounded, for every instance and
 * fails the deployment, naming instance, status and the end of stderr, when one does not succeed.
 *
 * `restartScript` and `runRestartCommand` are plain code (tested against a mocked SSMClient and a fake clock);
 * `ssmRestartHook` binds them to Pulumi's resource-hook machinery.
 */
import {
    CancelCommandCommand,
    GetCommandInvocationCommand,
    ListCommandsCommand,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseEngine } from "../enums";
import { awsErrorName, awsSdkClientConfig, Clock, describeAwsError, systemClock, tail, valueOf } from "./support";


/** The JSON document stored in each database's certificate secret: one key per file. */
export const SECRET_KEYS = {
    /** PEM server certificate, signed by the stack's CA. */
    certificate: "certificate",
    /** PEM private key of the server certificate. */
    privateKey: "privateKey",
    /** PEM certificate of the CA that signed it. */
    caCertificate: "caCertificate",
} as const;

/**
 * Files the restart script writes, and their modes. Each is owned by root with the group of the database's
 * service user, so the server reads the key through its group (PostgreSQL accepts a root-owned key with mode
 * 0640) and cannot replace or change any of them.
 */
export const TLS_FILES = [
    { file: "server.crt", key: SECRET_KEYS.certificate, mode: "0644" },
    { file: "ca.crt", key: SECRET_KEYS.caCertificate, mode: "0644" },
    { file: "server.key", key: SECRET_KEYS.privateKey, mode: "0640" },
] as const;

/** OS user whose group may read the installed files (the database server's service user). */
export const SERVICE_USERS: Record<DatabaseEngine, string> = { postgres: "postgres", mysql: "mysql" };

/** Modes the restart script gives the directories it owns: `/etc/db-endpoints` and the TLS directory in it. */
export const TLS_DIRECTORY_MODES = { parent: "0755", tlsDirectory: "0750" } as const;

/** Where the restart script installs the files on each instance. */
export function tlsDirectory(engine: DatabaseEngine, port: number): string {
    return `/etc/db-endpoints/${engine}-${port}`;
}

/**
 * MySQL and MariaDB block a client host after `max_connect_errors` successive connections that end before the
 * handshake, which is what a load balancer's TCP health check is; with client IP preservation off, every client
 * comes from the load balancer's addresses. 4294967295 is the largest value both MySQL 8 and MariaDB accept
 * (at one health check a second it lasts over a century, and a successful connection resets the count).
 */
export const MYSQL_MAX_CONNECT_ERRORS = 4294967295;

/** Host paths the restart script reads or writes besides the TLS directory (replaced in tests only). */
export const INSTALL_PATHS = {
    /** Option-file directories MySQL and MariaDB read, first match wins: Debian and Ubuntu; RHEL and Amazon Linux. */
    mysqlConfigDirectories: ["/etc/mysql/conf.d", "/etc/my.cnf.d"],
    /** Name of the option file written there. */
    mysqlConfigFile: "db-endpoints.cnf",
    apparmorDirectory: "/etc/apparmor.d",
    /** Reads `Y` where AppArmor is active in the kernel. */
    apparmorEnabled: "/sys/module/apparmor/parameters/enabled",
    /** AppArmor profiles that can confine the MySQL or MariaDB server (Ubuntu's mysql-server ships the first). */
    mysqlApparmorProfiles: ["usr.sbin.mysqld", "usr.sbin.mariadbd"],
} as const;

/**
 * What the hook runs after installing the files when `database.restartCommand` is not set.
 * PostgreSQL (10+) re-reads its certificate files on a configuration reload, so open connections survive.
 * MySQL 8.0.16+ reloads them online with `ALTER INSTANCE RELOAD TLS` (MariaDB 10.4+: `FLUSH SSL`), which keeps
 * open connections: tried first as root over the local socket (socket authentication, the default on Debian and
 * Ubuntu packages), then `max_connect_errors` is raised online as the installed option file raises it for the
 * next start. Where the reload is refused or unsupported, the service is restarted (whichever of mysqld, mysql,
 * mariadb exists), which drops open connections and reads the option file.
 */
export const DEFAULT_RESTART_COMMANDS: Record<DatabaseEngine, string> = {
    postgres: `runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$DB_ENDPOINTS_PORT" -d postgres -c 'SELECT pg_reload_conf()'`,
    mysql:
        `for statement in 'ALTER INSTANCE RELOAD TLS' 'FLUSH SSL'; do ` +
        `if command -v mysql >/dev/null 2>&1 && mysql --protocol=socket -u root --connect-timeout=10 -e "$statement" >/dev/null 2>&1; then ` +
        `echo "db-endpoints: TLS reloaded online ($statement)"; ` +
        `mysql --protocol=socket -u root --connect-timeout=10 -e 'SET GLOBAL max_connect_errors = ${MYSQL_MAX_CONNECT_ERRORS}'; exit 0; fi; done; ` +
        `for unit in mysqld mysql mariadb; do if systemctl cat "$unit.service" >/dev/null 2>&1; then systemctl restart "$unit.service"; exit 0; fi; done; ` +
        `echo "db-endpoints: no mysqld, mysql or mariadb systemd service on this instance; set database.restartCommand" >&2; exit 1`,
};

export const SSM_RESTART = {
    pollIntervalMs: 5_000,
    /** Characters of an instance's stderr quoted in a failure message (its end, where the error is). */
    stderrExcerpt: 600,
    document: "AWS-RunShellScript",
} as const;

/** Everything the restart script needs to know. */
export interface RestartScriptArgs {
    /** ARN of the certificate secret (its region is where the instance fetches it from). */
    secretArn: string;
    /** The secret version holding the certificate just issued. */
    versionId: string;
    engine: DatabaseEngine;
    port: number;
    /** Replaces {@link DEFAULT_RESTART_COMMANDS}; runs after the files are installed. */
    restartCommand?: string;
    /** For the script's first comment line. */
    description?: string;
}

const pyString = (value: string) => JSON.stringify(value);

/**
 * The Python program (3.6+) the restart script pipes the secret JSON into (`python3 -c <program>`). It runs as
 * root and trusts no path a database user could have prepared:
 *
 * - it walks `$DB_ENDPOINTS_TLS_DIR` from `/` by directory descriptors, refusing a symbolic link anywhere in
 *   it and any directory above `/etc/db-endpoints` that someone other than root can write (unless sticky);
 * - it creates `/etc/db-endpoints` and the TLS directory when missing and makes them root's (0755, and 0750
 *   with the service user's group), so no one else can add, rename or remove entries in them;
 * - it refuses a file name there that is not a regular file (a planted symbolic link), before writing any;
 * - it writes each file to a new, randomly named file created exclusively (`O_EXCL | O_NOFOLLOW`) in that
 *   directory, sets owner and mode through the open descriptor, and renames it over the old one: nothing
 *   existing is ever opened for writing, followed, chowned or chmodded;
 * - for MySQL, it writes the option file setting `max_connect_errors` the same way, and lets the server's
 *   AppArmor profile (where one confines it) read the TLS files, through the profile's local include.
 */
export const INSTALL_PROGRAM = String.raw`import errno, json, os, pwd, secrets, stat, subprocess, sys

TLS_DIR = os.environ["DB_ENDPOINTS_TLS_DIR"]
ENGINE = os.environ["DB_ENDPOINTS_ENGINE"]
FILES = (${TLS_FILES.map((f) => `("${f.file}", "${f.key}", 0o${f.mode.slice(1)})`).join(", ")})
PARENT_MODE = 0o${TLS_DIRECTORY_MODES.parent.slice(1)}
TLS_DIR_MODE = 0o${TLS_DIRECTORY_MODES.tlsDirectory.slice(1)}
MYSQL_CONFIG_DIRS = (${INSTALL_PATHS.mysqlConfigDirectories.map(pyString).join(", ")})
MYSQL_CONFIG_FILE = ${pyString(INSTALL_PATHS.mysqlConfigFile)}
MYSQL_CONFIG = "# Written by db-endpoints: a load balancer's TCP health checks must not get its addresses blocked.\n[mysqld]\nmax_connect_errors = ${MYSQL_MAX_CONNECT_ERRORS}\n"
APPARMOR_DIR = ${pyString(INSTALL_PATHS.apparmorDirectory)}
APPARMOR_ENABLED = ${pyString(INSTALL_PATHS.apparmorEnabled)}
APPARMOR_PROFILES = (${INSTALL_PATHS.mysqlApparmorProfiles.map(pyString).join(", ")})
DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
ME = os.geteuid()

def fail(message):
    sys.exit("db-endpoints: " + message)

def check_trusted(fd, path):
    st = os.fstat(fd)
    if st.st_uid not in (0, ME) or (st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX):
        fail(path + " can be written by users other than root; refusing to install below it")

def walk(path, own=()):
    """A descriptor of directory path, or None when a directory in it does not exist. The last len(own)
    directories are created when missing and given to root with the (gid, mode) own lists; every other one must
    be trusted. No symbolic link is followed."""
    if not path.startswith("/") or "/../" in path + "/" or "/./" in path + "/":
        fail(path + " is not an absolute, normalised path")
    parts = [p for p in path.split("/") if p]
    first_owned = len(parts) - len(own)
    fd = os.open("/", DIRECTORY)
    try:
        check_trusted(fd, "/")
        walked = ""
        for i, part in enumerate(parts):
            walked += "/" + part
            try:
                child = os.open(part, DIRECTORY, dir_fd=fd)
            except FileNotFoundError:
                if i < first_owned:
                    return None
                os.mkdir(part, 0o700, dir_fd=fd)
                child = os.open(part, DIRECTORY, dir_fd=fd)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    fail(walked + " is a symbolic link or not a directory; refusing to install through it")
                raise
            os.close(fd)
            fd = child
            if i >= first_owned:
                gid, mode = own[i - first_owned]
                os.fchown(fd, ME, gid)
                os.fchmod(fd, mode)
            else:
                check_trusted(fd, walked)
        result, fd = fd, None
        return result
    finally:
        if fd is not None:
            os.close(fd)

def refuse_odd_entries(dir_fd, directory, names):
    for name in names:
        try:
            st = os.lstat(name, dir_fd=dir_fd)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode):
            fail(directory + "/" + name + " is a symbolic link or not a regular file; refusing to replace it (remove it, and find out who put it there)")

def install(dir_fd, name, text, gid, mode):
    """Writes text to a new file created exclusively in dir_fd, then renames it over name."""
    for _ in range(100):
        temp = ".db-endpoints-" + secrets.token_hex(8)
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
            break
        except FileExistsError:
            continue
    else:
        fail("could not create a temporary file")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fchown(f.fileno(), ME, gid)
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        try:
            os.unlink(temp, dir_fd=dir_fd)
        except FileNotFoundError:
            pass
        raise

def read_file(dir_fd, directory, name):
    """The text of regular file name in dir_fd, or None when absent; refuses anything else."""
    refuse_odd_entries(dir_fd, directory, (name,))
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    with os.fdopen(fd) as f:
        return f.read()

def configure_mysql():
    for directory in MYSQL_CONFIG_DIRS:
        fd = walk(directory)
        if fd is None:
            continue
        try:
            if read_file(fd, directory, MYSQL_CONFIG_FILE) != MYSQL_CONFIG:
                install(fd, MYSQL_CONFIG_FILE, MYSQL_CONFIG, os.getegid(), 0o644)
            print("db-endpoints: max_connect_errors is set in " + directory + "/" + MYSQL_CONFIG_FILE)
        finally:
            os.close(fd)
        return
    print("db-endpoints: none of " + ", ".join(MYSQL_CONFIG_DIRS) + " exists; set max_connect_errors = ${MYSQL_MAX_CONNECT_ERRORS} in the server's configuration", file=sys.stderr)

def allow_in_apparmor():
    begin = "# BEGIN db-endpoints " + TLS_DIR
    end = "# END db-endpoints " + TLS_DIR
    block = "\n".join([begin] + ["  " + TLS_DIR + "/" + name + " r," for name, _, _ in FILES] + [end]) + "\n"
    fd = walk(APPARMOR_DIR)
    if fd is None:
        return
    try:
        for profile in APPARMOR_PROFILES:
            try:
                with open(APPARMOR_DIR + "/" + profile) as f:
                    text = f.read()
            except FileNotFoundError:
                continue
            if "<local/" + profile + ">" not in text:
                if "{" in text:
                    fail(APPARMOR_DIR + "/" + profile + " confines the database server and has no include of local/" + profile + "; allow it to read " + TLS_DIR + "/* yourself")
                continue
            try:
                os.mkdir("local", 0o755, dir_fd=fd)
            except FileExistsError:
                pass
            local_fd = os.open("local", DIRECTORY, dir_fd=fd)
            try:
                check_trusted(local_fd, APPARMOR_DIR + "/local")
                local = read_file(local_fd, APPARMOR_DIR + "/local", profile) or ""
                if begin + "\n" in local and end + "\n" in local:
                    head, rest = local.split(begin + "\n", 1)
                    tail = rest.split(end + "\n", 1)[1]
                    updated = head + block + tail
                else:
                    updated = local + ("" if local == "" or local.endswith("\n") else "\n") + block
                if updated != local:
                    install(local_fd, profile, updated, os.getegid(), 0o644)
            finally:
                os.close(local_fd)
            disabled = os.path.lexists(APPARMOR_DIR + "/disable/" + profile)
            try:
                with open(APPARMOR_ENABLED) as f:
                    enabled = f.read().strip() == "Y"
            except OSError:
                enabled = False
            if enabled and not disabled:
                try:
                    subprocess.run(["apparmor_parser", "-r", APPARMOR_DIR + "/" + profile], check=True)
                except (OSError, subprocess.CalledProcessError) as e:
                    fail("could not reload the AppArmor profile " + profile + " (" + str(e) + "); the server may be unable to read " + TLS_DIR)
                print("db-endpoints: AppArmor profile " + profile + " reloaded; it lets the server read " + TLS_DIR)
    finally:
        os.close(fd)

try:
    secret = json.load(sys.stdin)
except ValueError:
    fail("could not read secret " + os.environ["DB_ENDPOINTS_SECRET_ARN"] + " version " + os.environ["DB_ENDPOINTS_SECRET_VERSION_ID"] + " (see the error above)")
for name, key, mode in FILES:
    if not isinstance(secret.get(key), str):
        fail("the certificate secret has no " + key)
group = pwd.getpwnam(os.environ["DB_ENDPOINTS_SERVICE_USER"]).pw_gid
tls_fd = walk(TLS_DIR, ((os.getegid(), PARENT_MODE), (group, TLS_DIR_MODE)))
if tls_fd is None:
    fail(os.path.dirname(os.path.dirname(TLS_DIR)) + " does not exist")
try:
    refuse_odd_entries(tls_fd, TLS_DIR, [name for name, _, _ in FILES])
    for name, key, mode in FILES:
        install(tls_fd, name, secret[key], group, mode)
finally:
    os.close(tls_fd)
print("db-endpoints: installed ${TLS_FILES.map((f) => f.file).join(", ")} in " + TLS_DIR)
if ENGINE == "mysql":
    configure_mysql()
    allow_in_apparmor()
`
    // Each line becomes one entry of SSM's `commands` list: none is left empty.
    .replace(/\n\s*\n/g, "\n");

/** Quotes a value for POSIX sh. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The region of an ARN (`arn:aws:secretsmanager:<region>:...`); throws when `arn` is not one. */
export function arnRegion(arn: string): string {
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn" || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(parts[3])) {
        throw new Error(`${JSON.stringify(arn)} is not an ARN with a region`);
    }
    return parts[3];
}

/**
 * The POSIX shell script the hook runs on each instance (as root, `set -eu`): check the tools, fetch the exact
 * secret version with the AWS CLI (the instance's role needs `secretsmanager:GetSecretValue` on the secret),
 * install the three files with {@link INSTALL_PROGRAM} (root's, readable by the engine's service group; for
 * MySQL also the `max_connect_errors` option file and the AppArmor rules), then run the restart command.
 * The restart command sees `DB_ENDPOINTS_*` variables: SECRET_ARN, SECRET_VERSION_ID, REGION, ENGINE, PORT,
 * TLS_DIR, SERVICE_USER.
 */
export function restartScript(args: RestartScriptArgs): string {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(args.versionId)) throw new Error(`${JSON.stringify(args.versionId)} is not a secret version ID`);
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) throw new Error(`${args.port} is not a port`);
    const user = SERVICE_USERS[args.engine];
    if (!user) throw new Error(`${JSON.stringify(args.engine)} is not an engine the restart hook knows (postgres, mysql)`);
    const command = args.restartCommand ?? DEFAULT_RESTART_COMMANDS[args.engine];
    const variables: [string, string][] = [
        ["DB_ENDPOINTS_SECRET_ARN", args.secretArn],
        ["DB_ENDPOINTS_SECRET_VERSION_ID", args.versionId],
        ["DB_ENDPOINTS_REGION", arnRegion(args.secretArn)],
        ["DB_ENDPOINTS_ENGINE", args.engine],
        ["DB_ENDPOINTS_PORT", String(args.port)],
        ["DB_ENDPOINTS_TLS_DIR", tlsDirectory(args.engine, args.port)],
        ["DB_ENDPOINTS_SERVICE_USER", user],
    ];
    return [
        `# db-endpoints: install the TLS certificate${args.description ? ` of ${args.description.replace(/\n/g, " ")}` : ""} and make the database load it`,
        "set -eu",
        ...variables.map(([k, v]) => `${k}=${shellQuote(v)}`),
        `export ${variables.map(([k]) => k).join(" ")}`,
        "for tool in aws python3; do",
        '  if ! command -v "$tool" >/dev/null 2>&1; then',
        '    echo "db-endpoints: $tool is not installed on this instance; the restart hook needs the AWS CLI and python3" >&2',
        "    exit 1",
        "  fi",
        "done",
        'if ! id -u "$DB_ENDPOINTS_SERVICE_USER" >/dev/null 2>&1; then',
        '  echo "db-endpoints: user $DB_ENDPOINTS_SERVICE_USER does not exist on this instance; is the $DB_ENDPOINTS_ENGINE server installed here?" >&2',
        "  exit 1",
        "fi",
        'aws secretsmanager get-secret-value --region "$DB_ENDPOINTS_REGION" --secret-id "$DB_ENDPOINTS_SECRET_ARN" ' +
            '--version-id "$DB_ENDPOINTS_SECRET_VERSION_ID" --query SecretString --output text | python3 -c ' +
            shellQuote(INSTALL_PROGRAM),
        command,
    ].join("\n");
}

export interface SsmRestartOptions {
    instanceIds: string[];
    script: string;
    /** What is being restarted, for messages ("self-managed database 10.0.3.17:3306"). */
    description: string;
    /** Bound on the whole command, all instances, in milliseconds. */
    timeoutMs: number;
    /** Appended to failure messages: how to run the hook again. */
    retryHint?: string;
    pollIntervalMs?: number;
    clock?: Clock;
    log?: (message: string) => void;
}

/** How the command ended on one instance. */
export interface InstanceOutcome {
    instanceId: string;
    /** SSM invocation status (`Success`, `Failed`, `TimedOut`, `Cancelled`, ...), or `Unknown`. */
    status: string;
    statusDetails?: string;
    /** Exit code of the script (-1 when it did not run). */
    responseCode?: number;
    stderr?: string;
}

export interface SsmRestartResult {
    commandId: string;
    instances: InstanceOutcome[];
    message: string;
}

const TERMINAL_COMMAND_STATUSES = new Set(["Success", "Failed", "TimedOut", "Cancelled"]);

/**
 * Sends the script to the instances (one at a time, stopping at the first failure, so a replica set is never
 * restarted all at once), waits until the command is done or `timeoutMs` has passed, and returns when it
 * succeeded on every instance. Otherwise throws a message listing each instance's status, exit code and the
 * end of its stderr; on timeout the command is cancelled first.
 */
export async function runRestartCommand(client: SSMClient, options: SsmRestartOptions): Promise<SsmRestartResult> {
    const clock = options.clock ?? systemClock;
    const pollIntervalMs = options.pollIntervalMs ?? SSM_RESTART.pollIntervalMs;
    const log = options.log ?? (() => undefined);
    const ids = options.instanceIds;
    if (ids.length === 0) throw new Error(`${options.description}: no instance IDs to run the restart command on`);
    const timeoutSeconds = Math.max(30, Math.ceil(options.timeoutMs / 1000));
    const retry = options.retryHint ? `\n${options.retryHint}` : "";

    let commandId: string | undefined;
    try {
        const response = await client.send(
            new SendCommandCommand({
                DocumentName: SSM_RESTART.document,
                InstanceIds: ids,
                Parameters: { commands: options.script.split("\n"), executionTimeout: [String(timeoutSeconds)] },
                TimeoutSeconds: timeoutSeconds,
                MaxConcurrency: "1",
                MaxErrors: "0",
                Comment: `db-endpoints: load TLS certificate, ${options.description}`.slice(0, 100),
            }),
        );
        commandId = response.Command?.CommandId;
    } catch (e) {
        const hint =
            awsErrorName(e) === "InvalidInstanceId"
                ? " (each instance must be running, in this region, and managed by Systems Manager: SSM Agent online and an instance profile such as AmazonSSMManagedInstanceCore)"
                : "";
        throw new Error(`${options.description}: SSM SendCommand to ${ids.join(", ")} failed: ${describeAwsError(e)}${hint}${retry}`);
    }
    if (!commandId) throw new Error(`${options.description}: SSM SendCommand returned no command ID${retry}`);
    log(`${options.description}: SSM command ${commandId} (${SSM_RESTART.document}) sent to ${ids.join(", ")}; waiting for it`);

    const deadline = clock.now() + options.timeoutMs;
    let status = "Pending";
    let timedOut = false;
    for (;;) {
        await clock.sleep(pollIntervalMs);
        status = await commandStatus(client, commandId, options.description);
        if (TERMINAL_COMMAND_STATUSES.has(status)) break;
        if (clock.now() >= deadline) {
            timedOut = true;
            break;
        }
    }

    let cancelNote = "";
    if (timedOut) {
        try {
            await client.send(new CancelCommandCommand({ CommandId: commandId }));
            cancelNote = "; the command was cancelled";
        } catch (e) {
            cancelNote = `; cancelling it failed (${describeAwsError(e)}), so it may still run`;
        }
    }
    const outcomes = await Promise.all(ids.map((id) => invocation(client, commandId!, id)));
    const lines = outcomes.map(formatOutcome).join("\n");
    const fullOutput = `Full output: aws ssm get-command-invocation --command-id ${commandId} --instance-id <instance>`;
    if (timedOut) {
        throw new Error(
            `${options.description}: the restart command (SSM command ${commandId}) did not finish on every instance within ` +
                `${formatMinutes(options.timeoutMs)} (command status: ${status})${cancelNote}:\n${lines}\n${fullOutput}${retry}`,
        );
    }
    const failed = outcomes.filter((o) => o.status !== "Success");
    if (status !== "Success" || failed.length > 0) {
        throw new Error(
            `${options.description}: the restart command failed on ${failed.length || "some"} of ${ids.length} instance${ids.length === 1 ? "" : "s"} ` +
                `(SSM command ${commandId}, ${SSM_RESTART.document}, command status: ${status}):\n${lines}\n${fullOutput}${retry}`,
        );
    }
    return {
        commandId,
        instances: outcomes,
        message: `${options.description}: new TLS certificate installed and loaded on ${ids.join(", ")} (SSM command ${commandId})`,
    };
}

async function commandStatus(client: SSMClient, commandId: string, description: string): Promise<string> {
    try {
        const response = await client.send(new ListCommandsCommand({ CommandId: commandId }));
        // Right after SendCommand the command may not be listed yet.
        return response.Commands?.[0]?.Status ?? "Pending";
    } catch (e) {
        throw new Error(`${description}: SSM ListCommands for command ${commandId} failed: ${describeAwsError(e)}`);
    }
}

async function invocation(client: SSMClient, commandId: string, instanceId: string): Promise<InstanceOutcome> {
    try {
        const r = await client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
        return {
            instanceId,
            status: r.Status ?? "Unknown",
            statusDetails: r.StatusDetails,
            responseCode: r.ResponseCode,
            stderr: r.StandardErrorContent,
        };
    } catch (e) {
        const details = awsErrorName(e) === "InvocationDoesNotExist" ? "the command never reached this instance" : describeAwsError(e);
        return { instanceId, status: "Unknown", statusDetails: details };
    }
}

function formatOutcome(o: InstanceOutcome): string {
    const details = o.statusDetails && o.statusDetails !== o.status ? ` (${o.statusDetails})` : "";
    const code = o.responseCode !== undefined && o.responseCode !== -1 ? `, exit code ${o.responseCode}` : "";
    const stderr = o.status !== "Success" && o.stderr?.trim() ? `: stderr: ${tail(o.stderr, SSM_RESTART.stderrExcerpt)}` : "";
    return `  - ${o.instanceId}: ${o.status}${details}${code}${stderr}`;
}

function formatMinutes(ms: number): string {
    const minutes = ms / 60_000;
    return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} minute${minutes === 1 ? "" : "s"}`;
}

/** The secret ARN and version ID from a `aws.secretsmanager.SecretVersion`'s outputs, as a hook receives them. */
export function secretVersionFromOutputs(outputs: Record<string, unknown> | undefined): { secretArn: string; versionId: string } {
    const arn = outputs?.arn ?? outputs?.secretId;
    const versionId = outputs?.versionId;
    if (typeof arn !== "string" || !arn.startsWith("arn:") || typeof versionId !== "string" || versionId === "") {
        throw new Error(
            `the secret version's outputs do not name its secret and version (arn: ${JSON.stringify(arn)}, versionId: ${JSON.stringify(versionId)})`,
        );
    }
    return { secretArn: arn, versionId };
}

export interface SsmRestartHookArgs {
    /** For messages: "self-managed database 10.0.3.17:3306". */
    description: string;
    instanceIds: string[];
    engine: DatabaseEngine;
    port: number;
    restartCommand?: string;
    timeoutMinutes: number;
}

/**
 * A Pulumi resource hook, bound as `afterCreate` and `afterUpdate` of a database's certificate
 * `SecretVersion`: it runs {@link restartScript} for that version on the instances with a real SSMClient
 * (region from `aws:region` or the environment). An error fails the deployment; the secret version stays
 * recorded, and the message says how to run the hook again (`pulumi up --replace <secret version URN>`).
 */
export function ssmRestartHook(name: string, args: SsmRestartHookArgs): pulumi.ResourceHook {
    const clientConfig = awsSdkClientConfig();
    return new pulumi.ResourceHook(name, async (hook) => {
        const { secretArn, versionId } = secretVersionFromOutputs(hook.newOutputs);
        const script = restartScript({
            secretArn,
            versionId,
            engine: args.engine,
            port: args.port,
            restartCommand: args.restartCommand,
            description: args.description,
        });
        const client = new SSMClient(clientConfig);
        try {
            const result = await runRestartCommand(client, {
                instanceIds: args.instanceIds,
                script,
                description: args.description,
                timeoutMs: args.timeoutMinutes * 60_000,
                retryHint:
                    `The certificate is issued and stored (secret version ${versionId}). After fixing the cause, run the hook again with ` +
                    `pulumi up --replace '${hook.urn}'`,
                log: (message) => pulumi.log.info(message),
            });
            pulumi.log.info(result.message);
        } finally {
            client.destroy();
        }
    });
}

/**
 * A Pulumi resource hook for a database without instance IDs: after its certificate secret gets a new version,
 * it warns that the database must install the certificate and restart by hand.
 */
export function manualRestartHook(name: string, args: { description: string; secretName: pulumi.Input<string> }): pulumi.ResourceHook {
    const secretName = valueOf(args.secretName);
    return new pulumi.ResourceHook(name, async (hook) => {
        const versionId = typeof hook.newOutputs?.versionId === "string" ? hook.newOutputs.versionId : "(unknown)";
        pulumi.log.warn(
            `${args.description}: a new TLS certificate was issued (secret ${await secretName}, version ${versionId}). ` +
                `database.instanceIds is not set, so nothing loaded it: install it on the database server and restart the database, ` +
                `or clients verifying the certificate by an endpoint hostname will fail`,
        );
    });
}
