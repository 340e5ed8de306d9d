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
 *   process loads;
 * - the test runner's attribution of asynchronous work to tests carried by an AsyncLocalStorage rather than a
 *   promise hook ({@link attributeTestsWithoutPromiseHooks}), and protocol-buffer messages without their debug text
 *   ({@link shortProtobufText}): together more than half of a mock-runtime test file's CPU; and @pulumi/pulumi's
 *   TypeScript loaded on first use ({@link LAZY_TYPESCRIPT}).
 * `DB_ENDPOINTS_TEST_DEBUG=1` maps every frame, keeps long stack traces and leaves the test runner, google-protobuf
 * and the SDK's TypeScript as they are, for debugging a failure.
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

/**
 * TypeScript for @pulumi/pulumi, loaded when first used. The SDK's function serialization (runtime/closure) loads
 * its TypeScript (typescript-shim.js: this repository's 9 MB typescript.js) when @pulumi/pulumi is imported,
 * though only serializing a JavaScript function into a resource uses it, which nothing here does; that load was a
 * tenth of a mock-runtime test process's start-up. Here the shim hands out the same module on first use instead.
 */
const LAZY_TYPESCRIPT = !DEBUG;
const LAZY_TYPESCRIPT_SHIM = `"use strict";
let ts;
function load() {
    if (ts === undefined) {
        try {
            ts = require("typescript");
        } catch {
            ts = require(require("node:path").join(__dirname, "vendor", "typescript@3.8.3", "typescript.js"));
        }
    }
    return ts;
}
module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });
`;

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
        if (LAZY_TYPESCRIPT && url.endsWith("/node_modules/@pulumi/pulumi/typescript-shim.js")) return { format: "commonjs", source: LAZY_TYPESCRIPT_SHIM, shortCircuit: true };
        if (!isTypeScript(url)) return nextLoad(url, context);
        return { format: "commonjs", source: compile(fileURLToPath(url)), shortCircuit: true };
    },
});

/**
 * The test runner's attribution of asynchronous work to tests, without a promise hook.
 *
 * node:test finds the test a `describe`/`it`/`before` call or an uncaught error belongs to by the async resource
 * it runs in: it installs an async hook (init and destroy) that maps every async resource, every promise among
 * them, to the test that started it. @pulumi/pulumi makes several promises for every property of every resource,
 * and that hook (the JavaScript call per promise, a destroy callback per promise and the garbage collection of
 * those) took 40% of a mock-runtime test file's CPU, measured with `node --cpu-prof`.
 *
 * Here the runner's tests carry themselves through asynchronous work in an AsyncLocalStorage instead, which
 * Node.js 24 propagates without async hooks: while a test's (or suite's, or hook's) function runs, and in
 * everything it continues with, the runner's "current async resource" is that test. The runner's own module is
 * loaded here, with its `createHook`, `executionAsyncId` and `AsyncResource` taken from the versions below
 * (restored for everything else right after), so:
 * - its tests are its own AsyncResources, announced to its map as its hook would have announced them;
 * - its lookup of the current resource answers with the innermost running test, so nested suites, hooks and
 *   uncaught errors are attributed as with the hook (tests/testing/testRuntime.test.ts compares the two on a file
 *   that exercises each case). One difference: Node charges a promise's continuations and its unhandled rejection
 *   to the code that made the promise, this to the test running them; so a test awaiting a `before` hook's promise
 *   is charged with what follows, and a test's promise rejected from outside any test (a shared emitter) fails the
 *   file rather than that test. A run fails either way; `DB_ENDPOINTS_TEST_DEBUG=1` names the test as Node does;
 * - its hook is never enabled.
 * A runner loaded before this file keeps the real functions it took when it loaded, and works as Node.js makes it
 * work; so does one that asks for its hook before it made a test (then it gets the real hook). Only test
 * processes are changed (node:test's child processes, or `node --test`): other processes that load this file,
 * such as `npm run plan` in the plan test, do not load node:test for it. `DB_ENDPOINTS_TEST_DEBUG=1` leaves the
 * runner entirely as it is.
 */
function attributeTestsWithoutPromiseHooks() {
    const asyncHooks = require("node:async_hooks");
    const real = { createHook: asyncHooks.createHook, executionAsyncId: asyncHooks.executionAsyncId, AsyncResource: asyncHooks.AsyncResource };
    const running = new asyncHooks.AsyncLocalStorage();
    /** Announces a test to the runner's map, once the runner asked for its hook; tests made before wait in `pending`. */
    let announce;
    const pending = [];

    // The runner's tests (and its reporter's scope) are made with this class: `Test extends AsyncResource`.
    class RunnerResource extends real.AsyncResource {
        constructor(type, options) {
            super(type, options);
            if (type !== "Test") return;
            if (announce) announce(this);
            else pending.push(this);
        }
        // Inside the resource's own scope, which restores the async context of where it was made.
        runInAsyncScope(fn, thisArg, ...args) {
            return super.runInAsyncScope(() => running.run(this, () => Reflect.apply(fn, thisArg, args)));
        }
    }

    asyncHooks.AsyncResource = RunnerResource;
    asyncHooks.executionAsyncId = () => running.getStore()?.asyncId() ?? real.executionAsyncId();
    asyncHooks.createHook = (callbacks) => {
        if (pending.length === 0) return real.createHook(callbacks);
        // What tests/testing/testRuntime.test.ts reads to know which attribution ran.
        globalThis[Symbol.for("db-endpoints.test-attribution")] = "async-local-storage";
        announce = (test) => callbacks.init(test.asyncId(), "Test", -1, test);
        pending.splice(0).forEach(announce);
        const inert = { enable: () => inert, disable: () => inert };
        return inert;
    };
    try {
        require("node:test");
    } finally {
        Object.assign(asyncHooks, real);
    }
}

const TEST_PROCESS = process.env.NODE_TEST_CONTEXT !== undefined || process.execArgv.includes("--test");
if (!DEBUG && TEST_PROCESS) attributeTestsWithoutPromiseHooks();

/**
 * Protocol-buffer messages without their debug text. For every resource it registers, @pulumi/pulumi builds the
 * text of a debug log line that includes the monitor's whole response (`${innerResponse}`: google-protobuf's
 * `toString`, which joins the message's nested arrays, every output property in them), whether or not anything
 * logs it; under the mock runtime nothing does (there is no engine to log to). That text was 13% of a
 * mock-runtime test file's CPU. Here a message's text is its type's name instead; `DB_ENDPOINTS_TEST_DEBUG=1`
 * keeps google-protobuf's.
 */
function shortProtobufText() {
    let protobuf;
    try {
        const pulumi = require.resolve("@pulumi/pulumi", { paths: [ROOT] });
        protobuf = require(require.resolve("google-protobuf", { paths: [path.dirname(pulumi)] }));
    } catch {
        // Not installed yet (a run before `npm ci`): nothing to change.
        return;
    }
    protobuf.Message.prototype.toString = function () {
        return `[${this.constructor?.displayName ?? "protobuf message"}]`;
    };
}

if (!DEBUG) shortProtobufText();
