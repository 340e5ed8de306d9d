/**
 * A Lambda function's code: its TypeScript sources and their npm dependencies bundled by esbuild into one
 * CommonJS file, built once per content rather than on every program run.
 *
 * The bundle depends only on the files esbuild reads (the entry, what it imports, the npm packages it pulls in),
 * esbuild's version and the options below; so a bundle is kept in a cache directory together with the list of
 * those files and their SHA-256, and a later program run uses it when every listed file still has that content,
 * at the cost of reading and hashing them (about a megabyte for the target-sync function) instead of bundling
 * (half a second or more, and esbuild's own process). Any change to a source, an npm package or esbuild itself
 * builds again. The bytes do not depend on where the program runs from (esbuild's working directory is the
 * package root), so a cached bundle, a fresh one and one built on another machine from the same sources are
 * byte-identical, and an unchanged stack shows no difference in the function's code.
 *
 * Cache directories, in order (the first that holds a valid bundle is used; a new one is written to the first
 * that can be written):
 * - `DB_ENDPOINTS_CACHE_DIR` when set, and then only it (set it empty to use no cache at all);
 * - otherwise `node_modules/.cache/db-endpoints/lambda` in this package (a checkout, CI), then the user's own
 *   cache, `$XDG_CACHE_HOME/db-endpoints/lambda` (`%LOCALAPPDATA%` on Windows) or `~/.cache/db-endpoints/lambda`,
 *   for an install this user cannot write (a plugin directory shared read-only).
 * Where none can be written the bundle is built in memory, once per process.
 *
 * The code ends up in a Lambda function that can re-register any of the stack's targets, so a cache entry is
 * only trusted in a directory, and from files, that belong to this user (or root) and that no one else can
 * write; anything else is ignored and the bundle is built again.
 */
// Node.js types, named here because the plugin host's ts-node may compile this module alone (tests/components/index.test.ts).
/// <reference types="node" />
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BuildOptions } from "esbuild";

/** The package's root directory: the base of every input path, and esbuild's working directory. */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..", "..");

/** The environment variable that chooses the cache directory (empty: no cache). */
export const CACHE_DIR_ENV = "DB_ENDPOINTS_CACHE_DIR";

/** Bumped when the cache entries' layout or meaning changes: older entries are then ignored. */
const CACHE_FORMAT = 1;

/** What to bundle. */
export interface LambdaBundleSpec {
    /** The entry module, relative to {@link PACKAGE_ROOT} (`infra/lambda/targetSync/index.ts`). */
    entry: string;
    /** esbuild's target: the Lambda runtime's Node.js (`node24` for `nodejs24.x`). */
    target: string;
    /** Packages left out of the bundle and loaded from the Lambda runtime instead (`@aws-sdk/client-ec2`). */
    external?: string[];
}

/** A bundled function. */
export interface LambdaBundle {
    /** The bundle: one CommonJS file exporting the handler. */
    code: string;
    /** SHA-256 of `code`, hex. */
    sha256: string;
    /** Files esbuild read, relative to {@link PACKAGE_ROOT}. */
    inputs: string[];
    /** `cache`: read from `cacheFile`; `build`: bundled by this process. */
    source: "cache" | "build";
    /** The bundle's file in the cache: where it was read from, or written to; undefined when it was not cached. */
    cacheFile?: string;
}

/** The entry's esbuild options: everything but where the output goes. */
export function bundleOptions(spec: LambdaBundleSpec): BuildOptions {
    return {
        entryPoints: [spec.entry],
        absWorkingDir: PACKAGE_ROOT,
        bundle: true,
        platform: "node",
        target: spec.target,
        format: "cjs",
        minifySyntax: true,
        minifyWhitespace: true,
        keepNames: true,
        logLevel: "silent",
        ...(spec.external && spec.external.length > 0 ? { external: [...spec.external] } : {}),
    };
}

/** The cache directories for this environment, in the order they are tried (see the module comment). */
export function cacheDirectories(env: NodeJS.ProcessEnv = process.env, root: string = PACKAGE_ROOT): string[] {
    const chosen = env[CACHE_DIR_ENV];
    if (chosen !== undefined) return chosen === "" ? [] : [path.resolve(chosen)];
    const dirs = [path.join(root, "node_modules", ".cache", "db-endpoints", "lambda")];
    const home = (() => {
        try {
            return os.homedir();
        } catch {
            return "";
        }
    })();
    const userCache = env.XDG_CACHE_HOME || env.LOCALAPPDATA || (home ? path.join(home, ".cache") : "");
    if (userCache && path.isAbsolute(userCache)) dirs.push(path.join(userCache, "db-endpoints", "lambda"));
    return dirs;
}

/** What a cache entry's manifest (`<key>.json`, next to the bundle `<key>.js`) holds. */
interface Manifest {
    format: number;
    esbuild: string;
    options: unknown;
    /** Every file esbuild read, relative to the package root, with its SHA-256. */
    inputs: Record<string, string>;
    /** SHA-256 of the bundle. */
    output: string;
}

const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");

/** A directory or file this process may trust: not a link, owned by this user or root, writable by no one else. */
function trusted(p: string, kind: "file" | "directory"): boolean {
    let st: fs.Stats;
    try {
        st = fs.lstatSync(p);
    } catch {
        return false;
    }
    if (kind === "file" ? !st.isFile() : !st.isDirectory()) return false;
    const uid = process.getuid?.();
    if (uid === undefined) return true; // Windows: the directories above are the user's own profile or the package.
    return (st.uid === uid || st.uid === 0) && (st.mode & 0o022) === 0;
}

/** Reads a cache entry; undefined unless it is trusted, complete, and every input still has its content. */
function readEntry(dir: string, key: string, esbuildVersion: string, options: unknown, root: string): LambdaBundle | undefined {
    const manifestFile = path.join(dir, `${key}.json`);
    const codeFile = path.join(dir, `${key}.js`);
    if (!trusted(dir, "directory") || !trusted(manifestFile, "file") || !trusted(codeFile, "file")) return undefined;
    let manifest: Manifest;
    try {
        manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest;
    } catch {
        return undefined;
    }
    if (manifest.format !== CACHE_FORMAT || manifest.esbuild !== esbuildVersion || JSON.stringify(manifest.options) !== JSON.stringify(options)) return undefined;
    for (const [input, digest] of Object.entries(manifest.inputs)) {
        try {
            if (sha256(fs.readFileSync(path.join(root, input))) !== digest) return undefined;
        } catch {
            return undefined;
        }
    }
    const code = fs.readFileSync(codeFile, "utf8");
    const digest = sha256(code);
    if (digest !== manifest.output) return undefined;
    return { code, sha256: digest, inputs: Object.keys(manifest.inputs), source: "cache", cacheFile: codeFile };
}

/** Writes a file so that readers see either nothing or all of it. */
function writeAtomically(file: string, text: string): void {
    const partial = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.partial`;
    try {
        fs.writeFileSync(partial, text, { mode: 0o644 });
        fs.renameSync(partial, file);
    } finally {
        fs.rmSync(partial, { force: true });
    }
}

/** Stores a bundle in the first directory that can be written and trusted; returns the bundle's file there. */
function writeEntry(dirs: string[], key: string, manifest: Manifest, code: string): string | undefined {
    for (const dir of dirs) {
        try {
            fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
            if (!trusted(dir, "directory")) continue;
            const codeFile = path.join(dir, `${key}.js`);
            writeAtomically(codeFile, code);
            writeAtomically(path.join(dir, `${key}.json`), `${JSON.stringify(manifest, null, 1)}\n`);
            return codeFile;
        } catch {
            // Read-only, or no room: try the next one.
        }
    }
    return undefined;
}

/** Bundles `spec` with esbuild, ignoring every cache. */
async function build(spec: LambdaBundleSpec): Promise<{ code: string; inputs: string[] }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild: typeof import("esbuild") = require("esbuild");
    const result = await esbuild.build({ ...bundleOptions(spec), write: false, metafile: true });
    if (result.outputFiles.length !== 1) throw new Error(`bundling ${spec.entry} gave ${result.outputFiles.length} files, expected 1`);
    return { code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs).sort() };
}

/** Options of {@link lambdaBundle}. */
export interface LambdaBundleOptions {
    /** Cache directories to use instead of {@link cacheDirectories}'s (`[]`: none). */
    cacheDirectories?: string[];
}

const inProcess = new Map<string, Promise<LambdaBundle>>();

/**
 * The bundle of `spec`: the same promise for every call in this process; from a cache directory when one holds
 * the bundle of exactly these inputs, else built now and stored in the first cache directory that takes it.
 */
export function lambdaBundle(spec: LambdaBundleSpec, options: LambdaBundleOptions = {}): Promise<LambdaBundle> {
    const dirs = options.cacheDirectories ?? cacheDirectories();
    const memoKey = JSON.stringify([spec, dirs]);
    let bundle = inProcess.get(memoKey);
    if (!bundle) {
        bundle = findOrBuild(spec, dirs);
        inProcess.set(memoKey, bundle);
        // A failed build is not kept: the next program run (or call) tries again.
        bundle.catch(() => inProcess.delete(memoKey));
    }
    return bundle;
}

/** Forgets this process's bundles, so the next {@link lambdaBundle} call looks them up as a new program run would. */
export function forgetLambdaBundles(): void {
    inProcess.clear();
}

async function findOrBuild(spec: LambdaBundleSpec, dirs: string[]): Promise<LambdaBundle> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuildVersion: string = require("esbuild").version;
    const options = bundleOptions(spec);
    const key = sha256(JSON.stringify({ format: CACHE_FORMAT, esbuild: esbuildVersion, options }));
    for (const dir of dirs) {
        const found = readEntry(dir, key, esbuildVersion, options, PACKAGE_ROOT);
        if (found) return found;
    }
    const { code, inputs } = await build(spec);
    const digest = sha256(code);
    // Only plain files below the package root can be checked later; anything else (a plugin's virtual module,
    // a file outside the package) leaves the bundle uncached.
    const checkable = inputs.every((i) => !path.isAbsolute(i) && !i.includes(":") && !i.split(/[\\/]/).includes(".."));
    let cacheFile: string | undefined;
    if (checkable && dirs.length > 0) {
        const manifest: Manifest = {
            format: CACHE_FORMAT,
            esbuild: esbuildVersion,
            options,
            inputs: Object.fromEntries(inputs.map((i) => [i, sha256(fs.readFileSync(path.join(PACKAGE_ROOT, i)))])),
            output: digest,
        };
        cacheFile = writeEntry(dirs, key, manifest, code);
    }
    return { code, sha256: digest, inputs, source: "build", cacheFile };
}
