/**
 * The runtime of `npm test`'s processes (`node --require ./testing/testRuntime.cjs --test ...`): TypeScript
 * loading, and settings that make the many short test processes cheaper. It changes how the tests run, not what
 * they check.
 *
 * TypeScript: every `.ts` file is compiled by esbuild (the compiler tsx uses) to CommonJS with an inline source
 * map, with this repository's tsconfig.json, and the result is kept in node_modules/.cache/db-endpoints/test-ts/, keyed by the file's content
 * and the compiler's version and options, so an unchanged file is compiled once, not once per test process.
 * Extensionless relative imports (`../infra/x`) resolve to `x.ts` or `x/index.ts`. Only `.ts` files pass through
 * here: unlike tsx, which reads every `.js` file it loads to tell ES modules from CommonJS (most of node_modules,
 * 9 MB of typescript.js among them, in every test process), plain JavaScript is left to Node.
 *
 * Settings, measured with `node --cpu-prof` on the mock-runtime suites, where @pulumi/pulumi captures a stack
 * trace for every resource and for every promise it tracks:
 * - source maps for this repository's files only: a failure points at the TypeScript line, while the stack
 *   frames in node_modules are not mapped (tsx maps those too, which reads and parses the SDK's `.js.map` files);
 * - `Error.stackTraceLimit` 1: the SDK's per-promise traces get cheaper, while a failed assertion still shows
 *   the line that failed (the SDK raises the limit itself where it records a resource's source position);
 * - Node's compile cache (node_modules/.cache/db-endpoints/node-compile-cache) for the JavaScript every test
 *   process loads.
 * `DB_ENDPOINTS_TEST_DEBUG=1` maps every frame and keeps long stack traces, for debugging a failure.
 *
 * Needs Node.js 23.5 or newer (`module.registerHooks`, `module.setSourceMapsSupport`); `npm test` runs on the
 * project's Node.js 24. A single file runs the same way: `node --require ./testing/testRuntime.cjs --test
 * tests/x/y.test.ts` (`--import tsx` works too).
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const nodeModule = require("node:module");
const path = require("node:path");
const { fileURLToPath, pathToFileURL } = require("node:url");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "db-endpoints");
const DEBUG = process.env.DB_ENDPOINTS_TEST_DEBUG === "1";

if (DEBUG) {
    nodeModule.setSourceMapsSupport(true, { nodeModules: true, generatedCode: true });
    Error.stackTraceLimit = 50;
} else {
    nodeModule.setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
    Error.stackTraceLimit = 1;
    nodeModule.enableCompileCache?.(path.join(CACHE, "node-compile-cache"));
}

let esbuild;
let transformOptions;
let transformCache;

/** esbuild's options for a `.ts` file: CommonJS for this Node.js, with the tsconfig.json settings esbuild reads. */
function options() {
    if (!transformOptions) {
        const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
        esbuild = require("esbuild");
        transformOptions = {
            loader: "ts",
            format: "cjs",
            target: `node${process.versions.node}`,
            tsconfigRaw: { compilerOptions: tsconfig.compilerOptions },
            // `await import("./x")` becomes a require(), resolved below like any other import.
            supported: { "dynamic-import": false },
            sourcemap: "inline",
            sourcesContent: false,
        };
        transformCache = path.join(CACHE, "test-ts", crypto.createHash("sha256").update(JSON.stringify([esbuild.version, transformOptions])).digest("hex").slice(0, 16));
    }
    return transformOptions;
}

/** The file compiled to CommonJS: from the cache when its content was compiled before. */
function compile(file) {
    const source = fs.readFileSync(file, "utf8");
    const opts = options();
    // The file's path is part of the key: its source map names it.
    const key = crypto.createHash("sha256").update(`${file}\0${source}`).digest("hex");
    const cached = path.join(transformCache, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // Not compiled yet.
    }
    const code = esbuild.transformSync(source, { ...opts, sourcefile: file }).code;
    try {
        fs.mkdirSync(transformCache, { recursive: true });
        const partial = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(partial, code);
        fs.renameSync(partial, cached);
    } catch {
        // A read-only checkout: compile again next time.
    }
    return code;
}

const isTypeScript = (url) => url.startsWith("file:") && url.endsWith(".ts");

function isFile(p) {
    try {
        return fs.statSync(p).isFile();
    } catch {
        return false;
    }
}

nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
        const relative = specifier.startsWith("./") || specifier.startsWith("../");
        if (relative && context.parentURL && isTypeScript(context.parentURL)) {
            const base = path.resolve(path.dirname(fileURLToPath(context.parentURL)), specifier);
            for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) {
                if (candidate.endsWith(".ts") && isFile(candidate)) return { url: pathToFileURL(candidate).href, format: "commonjs", shortCircuit: true };
            }
        }
        return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
        if (!isTypeScript(url)) return nextLoad(url, context);
        return { format: "commonjs", source: compile(fileURLToPath(url)), shortCircuit: true };
    },
});
