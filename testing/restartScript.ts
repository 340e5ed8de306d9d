/**
 * Runs the self-managed restart script (infra/hooks/ssmRestart.ts `restartScript`) for real on this machine,
 * confined to a scratch directory: the TLS directory, the service user and every host path the installer
 * touches (`INSTALL_PATHS`: MySQL option-file directories, AppArmor) are rewritten to point below `root`,
 * and `aws` is a fake on PATH that prints the given secret. Nothing outside the scratch directory is written.
 */
import assert from "node:assert/strict";
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { INSTALL_PATHS, restartScript, RestartScriptArgs, shellQuote, tlsDirectory } from "../infra/hooks/ssmRestart";

export interface LocalScript {
    /** The script, every host path rewritten below `root`. */
    script: string;
    /** Where it installs the TLS files. */
    tlsDir: string;
    /** The rewritten `INSTALL_PATHS`. */
    paths: { mysqlConfigDirectories: string[]; apparmorDirectory: string; apparmorEnabled: string };
}

/**
 * The restart script for `args`, with its TLS directory at `<root>/etc/db-endpoints/<engine>-<port>`, its
 * service user `serviceUser`, and each `INSTALL_PATHS` entry at `<root><path>`. Fails when a path to rewrite is
 * missing from the script (so a renamed path cannot silently reach the real one).
 */
export function localRestartScript(args: RestartScriptArgs, root: string, serviceUser: string): LocalScript {
    const original = restartScript(args);
    const realTlsDir = tlsDirectory(args.engine, args.port);
    const tlsDir = path.join(root, realTlsDir);
    const replacements: [string, string][] = [
        [`DB_ENDPOINTS_TLS_DIR=${shellQuote(realTlsDir)}`, `DB_ENDPOINTS_TLS_DIR=${shellQuote(tlsDir)}`],
        [`DB_ENDPOINTS_SERVICE_USER=${shellQuote(args.engine === "mysql" ? "mysql" : "postgres")}`, `DB_ENDPOINTS_SERVICE_USER=${shellQuote(serviceUser)}`],
    ];
    for (const p of [...INSTALL_PATHS.mysqlConfigDirectories, INSTALL_PATHS.apparmorDirectory, INSTALL_PATHS.apparmorEnabled]) {
        replacements.push([JSON.stringify(p), JSON.stringify(path.join(root, p))]);
    }
    let script = original;
    for (const [from, to] of replacements) {
        assert.ok(script.includes(from), `the restart script does not contain ${from}`);
        script = script.split(from).join(to);
    }
    return {
        script,
        tlsDir,
        paths: {
            mysqlConfigDirectories: INSTALL_PATHS.mysqlConfigDirectories.map((p) => path.join(root, p)),
            apparmorDirectory: path.join(root, INSTALL_PATHS.apparmorDirectory),
            apparmorEnabled: path.join(root, INSTALL_PATHS.apparmorEnabled),
        },
    };
}

/**
 * Writes a fake `aws` into `bin` that records its arguments in `<bin>/../aws-args` and prints `secret` (or,
 * with FAKE_AWS_FAILS=1, fails as GetSecretValue does without permission).
 */
export function writeFakeAws(bin: string, secret: unknown): void {
    const scratch = path.dirname(bin);
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(scratch, "secret.json"), JSON.stringify(secret));
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
}

let interpreterDirectory: string | undefined;

/**
 * A directory holding `python3`, a link to the interpreter that `python3` on PATH runs, resolved once: the same
 * interpreter, without a version manager's shim in front of it (pyenv's starts a dozen processes on every call,
 * about 0.4 s of CPU; the script calls python3 once per run). Undefined without python3.
 */
function pythonDirectory(): string | undefined {
    if (interpreterDirectory === undefined) {
        const found = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
        const executable = found.status === 0 ? found.stdout.trim() : "";
        if (!executable || !path.isAbsolute(executable)) return undefined;
        interpreterDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-python-"));
        fs.symlinkSync(executable, path.join(interpreterDirectory, "python3"));
        const dir = interpreterDirectory;
        process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    return interpreterDirectory;
}

/** Runs a script with `sh -c`, `bin` first on PATH, then the python3 of {@link pythonDirectory}. */
export function runScript(script: string, bin: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
    const python = pythonDirectory();
    const PATH = [bin, ...(python ? [python] : []), process.env.PATH].join(":");
    return spawnSync("sh", ["-c", script], { encoding: "utf8", env: { ...process.env, PATH, ...env } });
}
