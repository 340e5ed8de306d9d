/**
 * The package's entry (package.json `main`, infra/components/index.ts) compiles as the Node.js language host's
 * ts-node compiles it when it runs this repository as a plugin for a C# (or YAML, Python, Go) program: in the
 * consumer's directory, where this repository's tsconfig.json does not apply, with the host's default options.
 * A type error there stops the plugin. (That the plugin then serves the pinned schema: tests/schema.test.ts,
 * whose schema the plugin generates.)
 *
 * - The whole entry, as on a first start (ts-node's cache empty): every module compiles together.
 * - Module by module, as after an update that changed some (the others come from ts-node's cache).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as ts from "typescript";
import { readPackageManifest, REPO_ROOT } from "../../scripts/update-schema";

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

describe("the package entry as the host's ts-node compiles it", () => {
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
        const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-consumer-"));
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
        fs.rmSync(consumer, { recursive: true, force: true });
        assert.deepEqual(problems, [], "the plugin would fail to start once only these files changed (add `/// <reference types=\"node\" />`)");
    });
});
