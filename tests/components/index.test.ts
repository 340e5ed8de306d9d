/**
 * The package's entry (package.json `main`, infra/components/index.ts) as the Node.js language host runs it for a
 * C# (or YAML, Python, Go) program: `node @pulumi/pulumi/cmd/run-plugin <this repository>`, started in the
 * consumer's directory, where this repository's tsconfig.json does not apply.
 *
 * - Every component, and what it imports, compiles with the TypeScript options the host gives ts-node there.
 * - The plugin starts from such a directory and serves, over gRPC, exactly the pinned schema
 *   (tests/schema/db-endpoints.schema.json, which tests/schema.test.ts compares with what the sources generate).
 *
 * The plugin is started first, and asked for its schema as soon as it serves: it analyses the sources in its own
 * process while this one runs the compile check.
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import * as ts from "typescript";
import { diffSchemas, PINNED_SCHEMA_FILE, readPackageManifest, REPO_ROOT } from "../../scripts/update-schema";

interface StartedPlugin {
    /** The port its gRPC server listens on. */
    port: number;
    /** Its answer to GetSchema, asked for as soon as it serves (the plugin analyses the sources meanwhile). */
    schema: Promise<string>;
    stop(): void;
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
 * ts-node's cache, which the host's ts-node keeps by default (compiled files keyed by each source file's
 * content, in a directory keyed by the compiler options, which name the working directory), here in this
 * checkout: a file compiled and type-checked by an earlier run is not compiled again. Whether every file
 * type-checks under the host's options is the compile test below, which uses no cache.
 */
const TS_NODE_CACHE_DIRECTORY = path.join(REPO_ROOT, "node_modules", ".cache", "db-endpoints", "ts-node");

/**
 * The consumer's directory: empty (no tsconfig.json, no package.json), outside this repository, and the same on
 * every run, as a C# project's directory is (ts-node's cache is per working directory).
 */
function consumerDirectory(): string {
    const dir = path.join(os.tmpdir(), `db-endpoints-consumer-${crypto.createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 12)}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    assert.deepEqual(fs.readdirSync(dir), [], `${dir} should be empty, as a consumer's directory without a tsconfig.json`);
    return dir;
}

/**
 * Starts `node @pulumi/pulumi/cmd/run-plugin <this repository>` as the Node.js language host starts a plugin for
 * a C# (or YAML, Python, Go) program: from the consumer's working directory, with none of this process's Node.js
 * options. It prints its port, then serves until stopped.
 */
async function startPlugin(): Promise<StartedPlugin> {
    const consumer = consumerDirectory();
    const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_CACHE_DIRECTORY };
    delete env.NODE_OPTIONS;
    delete env.NODE_TEST_CONTEXT;
    delete env.TS_NODE_CACHE;
    const runPlugin = createRequire(path.join(REPO_ROOT, "package.json")).resolve("@pulumi/pulumi/cmd/run-plugin");
    const child: ChildProcess = spawn(process.execPath, [runPlugin, REPO_ROOT], { cwd: consumer, env, stdio: ["ignore", "pipe", "pipe"] });
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
        const schema = getSchemaOverGrpc(port);
        schema.catch(() => undefined);
        return { port, schema, stop };
    } catch (e) {
        stop();
        throw e;
    }
}

/** The plugin, started as the language host starts it, before anything else this file does. */
let plugin: Promise<StartedPlugin>;

before(() => {
    plugin = startPlugin();
    // Awaited by the plugin's test: a plugin that does not start fails that one, not the compile check.
    plugin.catch(() => undefined);
});

after(async () => {
    (await plugin.catch(() => undefined))?.stop();
});

/** Where the host-options compile test keeps the compiler's build info between runs. */
const HOST_BUILD_INFO = path.join(REPO_ROOT, "node_modules", ".cache", "db-endpoints", "tsc", "host-defaults.tsbuildinfo");

/** The compiler options @pulumi/pulumi's run-plugin gives ts-node when the working directory has no tsconfig.json. */
function hostDefaultCompilerOptions(): ts.CompilerOptions {
    const { options, errors } = ts.convertCompilerOptionsFromJson(
        { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: true },
        REPO_ROOT,
    );
    assert.deepEqual(errors, []);
    return options;
}

/** The plugin's modules in this repository (from package.json main, by their imports), with their package imports. */
function pluginModules(): Map<string, { local: string[]; packages: string[] }> {
    const modules = new Map<string, { local: string[]; packages: string[] }>();
    const visit = (file: string) => {
        if (modules.has(file)) return;
        const entry = { local: [] as string[], packages: [] as string[] };
        modules.set(file, entry);
        for (const { fileName } of ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles) {
            if (!fileName.startsWith(".")) {
                entry.packages.push(fileName);
                continue;
            }
            const base = path.resolve(path.dirname(file), fileName);
            const resolved = [`${base}.ts`, path.join(base, "index.ts")].find((c) => fs.existsSync(c));
            assert.ok(resolved, `${file}: cannot resolve ${fileName}`);
            entry.local.push(resolved);
            visit(resolved);
        }
    };
    visit(path.join(REPO_ROOT, readPackageManifest().main));
    return modules;
}

/** `file` and every module it imports, directly or not. */
function importClosure(modules: Map<string, { local: string[] }>, file: string, seen = new Set<string>()): Set<string> {
    if (!seen.has(file)) {
        seen.add(file);
        for (const next of modules.get(file)!.local) importClosure(modules, next, seen);
    }
    return seen;
}

describe("the plugin as the Node.js language host runs it", () => {
    it("compiles with the host's default TypeScript options (the consumer's directory has no tsconfig.json)", () => {
        // The host starts `node @pulumi/pulumi/cmd/run-plugin <plugin dir>` in the CONSUMER's working directory
        // (a C# project, say). run-plugin then registers ts-node with tsconfig.json from that directory, not this
        // repository's: no `strict`, module nodenext. Type errors then stop the plugin, so the components (and what
        // they import) must compile under those options too. ts-node's own ignored codes: 6059, 18002, 18003.
        // Checked incrementally, as `tsc --incremental` checks: the compiler's build info (in node_modules/.cache)
        // keeps each unchanged file's diagnostics from the last run, and only what a change can affect is checked.
        const options: ts.CompilerOptions = { ...hostDefaultCompilerOptions(), noEmit: true, incremental: true, tsBuildInfoFile: HOST_BUILD_INFO };
        const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-consumer-"));
        const host = ts.createIncrementalCompilerHost(options);
        host.getCurrentDirectory = () => consumer;
        const builder = ts.createIncrementalProgram({ rootNames: [path.join(REPO_ROOT, readPackageManifest().main)], options, host });
        const ours = builder
            .getSourceFiles()
            .filter((sf) => !sf.isDeclarationFile && !sf.fileName.includes("/node_modules/") && sf.fileName.startsWith(REPO_ROOT));
        assert.ok(ours.length > 0);
        const diagnostics = ours
            .flatMap((sf) => [...builder.getSyntacticDiagnostics(sf), ...builder.getSemanticDiagnostics(sf)])
            .filter((d) => ![6059, 18002, 18003].includes(d.code));
        // With noEmit, this writes the build info only.
        builder.emit();
        const text = ts.formatDiagnostics(diagnostics, {
            getCanonicalFileName: (f) => f,
            getCurrentDirectory: () => REPO_ROOT,
            getNewLine: () => "\n",
        });
        fs.rmSync(consumer, { recursive: true, force: true });
        assert.equal(diagnostics.length, 0, `the plugin would fail to start for C#/YAML/Python/Go users:\n${text}`);
    });

    it("compiles file by file, as ts-node compiles a changed file when the others come from its cache", () => {
        // ts-node type-checks each file it compiles in a program of the files it compiled in this process. With
        // its cache warm (the host's default), a changed file is compiled alone: a module that uses Node.js
        // (node:fs, Buffer, process) while nothing it imports brings Node's types (as @pulumi/pulumi's do) must
        // name them itself, or the plugin stops with "Cannot find module 'node:fs'". Checked for every module of
        // the plugin whose imports reach no @pulumi package (the others get Node's types through it).
        const options = hostDefaultCompilerOptions();
        const consumer = consumerDirectory();
        const parsed = new Map<string, ts.SourceFile | undefined>();
        const host = ts.createCompilerHost(options);
        const getSourceFile = host.getSourceFile.bind(host);
        host.getSourceFile = (fileName, languageVersion, onError, create) => {
            const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
            if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, languageVersion, onError, create));
            return parsed.get(key);
        };
        host.getCurrentDirectory = () => consumer;
        const modules = pluginModules();
        const alone = [...modules.keys()].filter((file) => ![...importClosure(modules, file)].some((m) => modules.get(m)!.packages.some((p) => p.startsWith("@pulumi/"))));
        assert.ok(alone.includes(path.join(REPO_ROOT, "infra", "integrations", "scram.ts")), "the check reaches the modules that need it");
        const problems = alone.flatMap((file) => {
            const program = ts.createProgram({ rootNames: [file], options, host });
            const sf = program.getSourceFile(file)!;
            const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].filter((d) => ![6059, 18002, 18003].includes(d.code));
            return diagnostics.map((d) => ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => REPO_ROOT, getNewLine: () => "\n" }).trim());
        });
        assert.deepEqual(problems, [], "the plugin would fail to start once only these files changed (add `/// <reference types=\"node\" />`)");
    });

    describe("started from a consumer's directory", () => {
        it("serves the pinned schema over gRPC (what `pulumi package add` generates the SDK from)", async () => {
            // tests/schema.test.ts pins what `npm run schema:update` generates; this is what the host gets.
            const schema = JSON.parse(await (await plugin).schema);
            const pinned = JSON.parse(fs.readFileSync(PINNED_SCHEMA_FILE, "utf8"));
            if (isDeepStrictEqual(schema, pinned)) return;
            assert.fail(
                [
                    `The plugin serves another schema than ${path.relative(REPO_ROOT, PINNED_SCHEMA_FILE)} (after an intended API change, run`,
                    "`npm run schema:update`). Changes (- pinned, + served, ~ changed):",
                    ...diffSchemas(pinned, schema).slice(0, 150),
                ].join("\n  "),
            );
        });
    });
});
