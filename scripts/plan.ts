/**
 * `npm run plan [-- --stack NAME] [--json] [--base GIT-REF | --base-file PATH]`: an offline plan a reviewer can
 * approve. Runs the stack program for Pulumi.<stack>.yaml under Pulumi's mock runtime (preview mode, no AWS, no
 * Pulumi CLI) and prints a summary per endpoint (where clients connect, port, allowlist, idle timeout, the
 * database, how strongly a client verifies the server, restart policy, load balancer, integrations and their
 * grants, monthly cost), the resources `pulumi up` would create, their counts and the monthly cost estimate
 * (infra/cost/); with a base, what changes from it, with markers for what replaces a load balancer, (re-)issues a
 * certificate or restarts a database. `--json` prints the same as one JSON document (docs/plan.md). Invalid config
 * exits 1 with every problem; bad arguments exit 2.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RawStackConfig } from "../infra/program/config";
import type { OfflineRun } from "../testing/offline";
import { parseStackFile, REPO_ROOT, StackFile } from "../testing/stackFile";
import type { Comparison } from "./plan/compare";

export interface PlanResult {
    exitCode: number;
    text: string;
}

export interface PlanOptions {
    stack: string;
    /** The directory of the stack file (default: the repository root). */
    dir?: string;
    json: boolean;
    /** Compare with the stack file at this git ref. */
    baseRef?: string;
    /** Compare with this stack file. */
    baseFile?: string;
}

const USAGE =
    "usage: npm run plan [-- --stack NAME] [--config-dir DIR] [--json] [--base GIT-REF | --base-file PATH]   " +
    "(default: stack dev, Pulumi.<stack>.yaml at the repository root)";

export function parseArgs(argv: string[]): PlanOptions {
    const options: PlanOptions = { stack: "dev", json: false };
    const value = (i: number, flag: string, what: string) => {
        const v = argv[i];
        if (!v || v.startsWith("--")) throw new Error(`${flag} needs ${what}`);
        return v;
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--stack" || arg === "-s") options.stack = value(++i, arg, "a stack name");
        else if (arg.startsWith("--stack=")) options.stack = arg.slice("--stack=".length);
        else if (arg === "--config-dir") options.dir = value(++i, arg, "a directory");
        else if (arg === "--json") options.json = true;
        else if (arg === "--base") options.baseRef = value(++i, arg, "a git ref (a commit, branch or tag)");
        else if (arg.startsWith("--base=")) options.baseRef = arg.slice("--base=".length);
        else if (arg === "--base-file") options.baseFile = value(++i, arg, "a stack file's path");
        else if (arg === "--help" || arg === "-h") throw new Error(USAGE);
        else throw new Error(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(options.stack)) throw new Error(`${JSON.stringify(options.stack)} is not a stack name`);
    if (options.baseRef !== undefined && options.baseFile !== undefined) throw new Error(`--base and --base-file are one base each; give one. ${USAGE}`);
    return options;
}

/** A file's path as the plan prints it: relative to the working directory when inside it. */
function shown(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

function readFileStack(file: string): StackFile {
    if (!fs.existsSync(file)) throw new Error(`no stack file ${shown(file)}`);
    return parseStackFile(fs.readFileSync(file, "utf8"), file);
}

/** The stack file at a git ref, read with `git show <ref>:./<file>` in the file's directory. */
function readStackAtRef(ref: string, file: string): StackFile {
    const dir = path.dirname(file);
    const spec = `${ref}:./${path.basename(file)}`;
    const result = spawnSync("git", ["show", spec], { cwd: dir, encoding: "utf8" });
    if (result.error) throw new Error(`git show ${spec} failed: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`git show ${spec} failed: ${result.stderr.trim()}`);
    return parseStackFile(result.stdout, `${shown(file)} at ${ref}`);
}

/** The stack's `db-endpoints:*` values, objects parsed, as the stack program reads them. */
function rawConfig(file: StackFile): RawStackConfig {
    const raw: RawStackConfig = {};
    for (const [key, text] of Object.entries(file.config)) {
        if (!key.startsWith("db-endpoints:")) continue;
        try {
            raw[key.slice("db-endpoints:".length)] = JSON.parse(text);
        } catch {
            raw[key.slice("db-endpoints:".length)] = text;
        }
    }
    return raw;
}

/** The product's own keys cannot be planned encrypted: the plan would read a placeholder instead of their value. */
function refuseEncryptedProductKeys(file: StackFile): void {
    const encrypted = file.secureKeys.filter((k) => k.startsWith("db-endpoints:"));
    if (encrypted.length > 0) {
        throw new PlanRefusal(
            `${shown(file.path)}: ${encrypted.join(", ")} ${encrypted.length === 1 ? "is" : "are"} encrypted (secure:), and the offline plan cannot decrypt ` +
                "without the Pulumi CLI; keep the db-endpoints settings in plain text (they hold no secret: secrets are referenced by ARN), or use pulumi preview",
        );
    }
}

/** A refusal to plan: exit 1 with its message. */
class PlanRefusal extends Error {}

async function run(file: StackFile, what: string): Promise<OfflineRun> {
    const { runOffline } = await import("../testing/offline");
    const { ValidationError } = await import("../infra/validation");
    try {
        return await runOffline(rawConfig(file), file.config, file.secureKeys);
    } catch (e) {
        if (e instanceof ValidationError) throw new PlanRefusal(`${what}: ${e.message}`);
        throw e;
    }
}

/** Runs the program for the stack's config (and the base's) under mocks and renders the plan. */
export async function plan(options: PlanOptions): Promise<PlanResult> {
    const file = path.join(options.dir ?? REPO_ROOT, `Pulumi.${options.stack}.yaml`);
    try {
        const current = readFileStack(file);
        const base = options.baseRef !== undefined ? readStackAtRef(options.baseRef, file) : options.baseFile !== undefined ? readFileStack(path.resolve(options.baseFile)) : undefined;
        if (base) refuseEncryptedProductKeys(base);
        refuseEncryptedProductKeys(current);
        // The program, the mock runtime and the SDK are loaded only for a plan: a refused one answers at once.
        const { installOfflineRuntime } = await import("../testing/offline");
        const { compareRuns } = await import("./plan/compare");
        const { buildPlan } = await import("./plan/document");
        const { planText } = await import("./plan/text");
        installOfflineRuntime(options.stack);
        let comparison: Comparison | null = null;
        if (base) {
            const baseRun = await run(base, `the base configuration, ${shown(base.path)}`);
            const currentRun = await run(current, `Pulumi.${options.stack}.yaml`);
            const label = { label: options.baseRef !== undefined ? `${shown(file)} at ${options.baseRef}` : shown(base.path), ref: options.baseRef ?? null, file: shown(base.path) };
            comparison = compareRuns(baseRun, currentRun, label);
            const doc = buildPlan(options.stack, shown(current.path), current.secureKeys, currentRun, comparison);
            return { exitCode: 0, text: options.json ? `${JSON.stringify(doc, null, 2)}\n` : planText(doc) };
        }
        const currentRun = await run(current, `Pulumi.${options.stack}.yaml`);
        const doc = buildPlan(options.stack, shown(current.path), current.secureKeys, currentRun, null);
        return { exitCode: 0, text: options.json ? `${JSON.stringify(doc, null, 2)}\n` : planText(doc) };
    } catch (e) {
        if (e instanceof PlanRefusal) return { exitCode: 1, text: `${e.message}\n` };
        throw e;
    }
}

/** Writes `text` and exits with `code` once it is written: a pipe (`| jq`) takes a large plan in several writes. */
function finish(stream: NodeJS.WriteStream, text: string, code: number): void {
    stream.write(text, () => process.exit(code));
}

if (require.main === module) {
    (async () => {
        let options: PlanOptions;
        try {
            options = parseArgs(process.argv.slice(2));
        } catch (e) {
            finish(process.stderr, `${(e as Error).message}\n`, 2);
            return;
        }
        try {
            const result = await plan(options);
            finish(result.exitCode === 0 ? process.stdout : process.stderr, result.text, result.exitCode);
        } catch (e) {
            finish(process.stderr, `plan failed: ${(e as Error).message}\n`, 1);
        }
    })();
}
