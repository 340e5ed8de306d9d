/**
 * `npm run schema:update`: regenerates tests/schema/db-endpoints.schema.json, the pinned Pulumi package schema of
 * the component library. It is what `pulumi package add` generates the C#, Python, Go and YAML SDKs from, so a
 * change to it is a change to the public API: run this after an intended change to a component's args or
 * outputs, review the printed changes, and commit the file with the change.
 *
 * The schema is the one the Node.js language host gets, from the host's own plugin runner: this script starts
 * `node @pulumi/pulumi/cmd/run-plugin <this repository>` the way the host starts it for a C# (or YAML, Python, Go)
 * program (in a directory of the consumer's, without this repository's tsconfig.json, TypeScript compiled by
 * ts-node with the host's defaults) and asks it for its schema over gRPC, as `pulumi package add` does. There, the
 * components are the ComponentResource classes exported from package.json `main`, the package name is
 * package.json `name`, and the component provider analyses the TypeScript sources (tsconfig.json at the
 * repository root) to type every input and output. No Pulumi CLI is involved.
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import { createRequire } from "module";
import * as os from "os";
import * as path from "path";
import { ComponentResourceConstructor, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";

/** The repository root: the plugin directory `pulumi package add` is pointed at. */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** The pinned schema, compared exactly by tests/components/index.test.ts. */
export const PINNED_SCHEMA_FILE = path.join(REPO_ROOT, "tests", "schema", "db-endpoints.schema.json");

/** A property of a resource or object type in a Pulumi package schema. */
export interface PropertySpec {
    type?: string;
    $ref?: string;
    items?: PropertySpec;
    additionalProperties?: PropertySpec;
    plain?: boolean;
    optional?: boolean;
    secret?: boolean;
    description?: string;
}

/** A component resource in a Pulumi package schema. */
export interface ResourceSpec {
    type: string;
    isComponent?: boolean;
    description?: string;
    inputProperties?: Record<string, PropertySpec>;
    requiredInputs?: string[];
    properties?: Record<string, PropertySpec>;
    required?: string[];
}

/** A member of an enum type. */
export interface EnumValueSpec {
    name?: string;
    value: string | number;
    description?: string;
}

/** An object or enum type in a Pulumi package schema. */
export interface TypeSpec {
    type: string;
    description?: string;
    properties?: Record<string, PropertySpec>;
    required?: string[];
    enum?: EnumValueSpec[];
}

/** The parts of a Pulumi package schema this project reads. */
export interface PackageSchema {
    name: string;
    version: string;
    description?: string;
    namespace?: string;
    resources: Record<string, ResourceSpec>;
    types: Record<string, TypeSpec>;
    dependencies?: { name: string; version: string }[];
    [key: string]: unknown;
}

/** package.json, as far as the plugin host reads it. */
export interface PackageManifest {
    name: string;
    version: string;
    main: string;
    exports?: unknown;
}

export function readPackageManifest(): PackageManifest {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as PackageManifest;
}

/**
 * The provider name and namespace the language host derives from package.json `name` (run-plugin: an npm scope
 * becomes the namespace, other characters than letters, digits, `-` and `_` become `-`).
 */
export function providerName(packageName: string): { name: string; namespace?: string } {
    const match = /^(@.*?\/)?(.+)$/.exec(packageName);
    if (!match) throw new Error(`package.json name ${JSON.stringify(packageName)} is not an npm package name`);
    const name = match[2].replace(/[^-a-zA-Z0-9_]/g, "-");
    if (!/^[a-zA-Z]/.test(name)) throw new Error(`package name ${JSON.stringify(name)} must start with a letter`);
    return match[1] ? { name, namespace: match[1].slice(1, -1) } : { name };
}

/** The ComponentResource classes exported from package.json `main`, as the plugin host finds them. */
export function exportedComponents(): ComponentResourceConstructor[] {
    return getPulumiComponents(require(path.resolve(REPO_ROOT, readPackageManifest().main)));
}

/**
 * ts-node's cache for the plugin, as the host's ts-node keeps one by default (compiled files keyed by each source
 * file's content, in a directory keyed by the compiler options, which name the working directory), in this
 * checkout: a file that an earlier run compiled and type-checked is not compiled again.
 */
const TS_NODE_CACHE_DIRECTORY = path.join(REPO_ROOT, "node_modules", ".cache", "db-endpoints", "ts-node");

/**
 * The consumer's directory the plugin runs in: empty (no tsconfig.json, no package.json), outside this
 * repository, and the same on every run, as a C# project's directory is.
 */
function consumerDirectory(): string {
    const dir = path.join(os.tmpdir(), `db-endpoints-consumer-${crypto.createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 12)}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const found = fs.readdirSync(dir);
    if (found.length > 0) throw new Error(`${dir} should be empty, as a consumer's directory without a tsconfig.json; it holds ${found.join(", ")}`);
    return dir;
}

/** Asks the plugin on `port` for its schema over gRPC, as `pulumi package add` does. */
async function getSchemaOverGrpc(port: number): Promise<string> {
    const pulumiRequire = createRequire(createRequire(path.join(REPO_ROOT, "package.json")).resolve("@pulumi/pulumi"));
    const grpc = pulumiRequire("@grpc/grpc-js");
    const service = pulumiRequire("./proto/provider_grpc_pb");
    const messages = pulumiRequire("./proto/provider_pb");
    const client = new service.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
        return await new Promise<string>((resolve, reject) =>
            client.getSchema(new messages.GetSchemaRequest(), (err: Error | null, res: { getSchema(): string }) => (err ? reject(err) : resolve(res.getSchema()))),
        );
    } finally {
        client.close();
    }
}

/**
 * Starts the plugin as the host does (`node @pulumi/pulumi/cmd/run-plugin <this repository>` from the consumer's
 * directory, with none of this process's Node.js options) and returns the port it serves on once it prints it.
 * `tsNodeCacheDirectory` is where its ts-node keeps what it compiled.
 */
async function startPlugin(tsNodeCacheDirectory: string): Promise<{ port: number; stop(): void }> {
    const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_CACHE_DIRECTORY: tsNodeCacheDirectory };
    delete env.NODE_OPTIONS;
    delete env.NODE_TEST_CONTEXT;
    delete env.TS_NODE_CACHE;
    const runPlugin = createRequire(path.join(REPO_ROOT, "package.json")).resolve("@pulumi/pulumi/cmd/run-plugin");
    const child: ChildProcess = spawn(process.execPath, [runPlugin, REPO_ROOT], { cwd: consumerDirectory(), env, stdio: ["ignore", "pipe", "pipe"] });
    const stop = () => child.kill();
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
        const port = await new Promise<number>((resolve, reject) => {
            let stdout = "";
            const guard = setTimeout(() => reject(new Error(`the plugin printed no port within 5 minutes:\n${stderr}`)), 300_000);
            child.stdout!.on("data", (d: Buffer) => {
                stdout += d.toString();
                const line = stdout.split("\n")[0];
                if (stdout.includes("\n") && /^\d+$/.test(line.trim())) {
                    clearTimeout(guard);
                    resolve(Number(line.trim()));
                }
            });
            child.on("exit", (code) => {
                clearTimeout(guard);
                reject(new Error(`the plugin exited (code ${code}) before serving:\n${stdout}\n${stderr}`));
            });
        });
        return { port, stop };
    } catch (e) {
        stop();
        throw e;
    }
}

/**
 * Generates the package schema from the sources as the Node.js language host does (see the module comment),
 * without the Pulumi CLI. Throws with the plugin's own error (a TypeScript error under the host's options, an
 * analyzer error) when it cannot serve one. `tsNodeCacheDirectory`: where the plugin's ts-node keeps what it
 * compiled (this checkout's cache by default; an empty directory starts it as on a machine that never ran it).
 */
export async function generateSchema(tsNodeCacheDirectory = TS_NODE_CACHE_DIRECTORY): Promise<PackageSchema> {
    const starting = startPlugin(tsNodeCacheDirectory);
    try {
        const manifest = readPackageManifest();
        if (exportedComponents().length === 0) throw new Error(`${manifest.main} (package.json main) exports no ComponentResource class`);
    } catch (e) {
        (await starting.catch(() => undefined))?.stop();
        throw e;
    }
    const plugin = await starting;
    try {
        return JSON.parse(await getSchemaOverGrpc(plugin.port)) as PackageSchema;
    } finally {
        plugin.stop();
    }
}

/** The pinned file's text for a schema: two-space JSON in the analyzer's order, with a final newline. */
export function formatSchema(schema: unknown): string {
    return `${JSON.stringify(schema, null, 2)}\n`;
}

function show(value: unknown): string {
    const text = JSON.stringify(value);
    return text.length > 140 ? `${text.slice(0, 137)}...` : text;
}

function pathOf(parent: string, key: string): string {
    return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * A readable, path-by-path difference between two schemas: `+ path: value` (added), `- path: value` (removed),
 * `~ path: old -> new` (changed). Lists of plain values are compared whole.
 */
export function diffSchemas(before: unknown, after: unknown, at = "schema"): string[] {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isObject(before) && isObject(after)) {
        const lines: string[] = [];
        for (const key of Object.keys(before)) {
            if (!(key in after)) lines.push(`- ${pathOf(at, key)}: ${show(before[key])}`);
            else lines.push(...diffSchemas(before[key], after[key], pathOf(at, key)));
        }
        for (const key of Object.keys(after)) {
            if (!(key in before)) lines.push(`+ ${pathOf(at, key)}: ${show(after[key])}`);
        }
        return lines;
    }
    const listOfObjects = (v: unknown): v is unknown[] => Array.isArray(v) && v.some((e) => typeof e === "object" && e !== null);
    if (Array.isArray(before) && Array.isArray(after) && (listOfObjects(before) || listOfObjects(after))) {
        const lines: string[] = [];
        for (let i = 0; i < Math.max(before.length, after.length); i++) {
            if (i >= after.length) lines.push(`- ${at}[${i}]: ${show(before[i])}`);
            else if (i >= before.length) lines.push(`+ ${at}[${i}]: ${show(after[i])}`);
            else lines.push(...diffSchemas(before[i], after[i], `${at}[${i}]`));
        }
        return lines;
    }
    return [`~ ${at}: ${show(before)} -> ${show(after)}`];
}

async function main(): Promise<void> {
    const schema = await generateSchema();
    const text = formatSchema(schema);
    const previous = fs.existsSync(PINNED_SCHEMA_FILE) ? fs.readFileSync(PINNED_SCHEMA_FILE, "utf8") : undefined;
    const relative = path.relative(REPO_ROOT, PINNED_SCHEMA_FILE);
    if (previous === text) {
        console.log(`${relative} is up to date (${Object.keys(schema.resources).length} components).`);
        return;
    }
    fs.mkdirSync(path.dirname(PINNED_SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(PINNED_SCHEMA_FILE, text);
    if (previous === undefined) {
        console.log(`Wrote ${relative}: ${Object.keys(schema.resources).join(", ")}.`);
        return;
    }
    let changes: string[];
    try {
        changes = diffSchemas(JSON.parse(previous), schema);
    } catch {
        changes = ["(the previous file was not valid JSON)"];
    }
    console.log(`Updated ${relative}. Public API changes (review them; C#/Python/Go users see these):`);
    for (const line of changes.length > 0 ? changes : ["(formatting only)"]) console.log(`  ${line}`);
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(e instanceof Error ? e.message : e);
        process.exit(1);
    });
}
