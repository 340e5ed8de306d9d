/**
 * Every TypeScript file of the repository (tsconfig.json: infra, tests, testing, scripts) compiles: `tsc -p .`
 * (`npm run typecheck`) finds no type error. The test runner compiles TypeScript without checking types, so this
 * is where `npm test` checks them: beside the other test files rather than before them, and incrementally (the
 * compiler keeps what it learnt in node_modules/.cache/db-endpoints/tsc/), so a later run checks again only what a
 * change can affect, with the diagnostics a full check gives.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { it } from "node:test";

const ROOT = path.resolve(__dirname, "..");
const BUILD_INFO = path.join(ROOT, "node_modules", ".cache", "db-endpoints", "tsc", "tsconfig.tsbuildinfo");

it("type-checks: tsc -p . finds no error", () => {
    const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
    const result = spawnSync(process.execPath, [tsc, "-p", ROOT, "--incremental", "--tsBuildInfoFile", BUILD_INFO, "--pretty", "false"], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 600_000,
    });
    assert.equal(result.error, undefined);
    assert.equal(result.status, 0, `tsc -p . reports:\n${result.stdout}${result.stderr}`);
    assert.equal(result.stdout + result.stderr, "");
});
