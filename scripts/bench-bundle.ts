/**
 * The target-sync function's bundle in `npm run bench`: what a program run spends on it, the first time
 * (esbuild bundles it and writes it to the cache) and every later time (the cached bundle is read and every
 * file it was built from is hashed and compared), each run in a fresh process as a program run is; and its size.
 * Figures only. Alone: `node --import tsx scripts/bench-bundle.ts`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CACHE_DIR_ENV, lambdaBundle } from "../infra/components/support/lambdaBundle";
import { TARGET_SYNC_BUNDLE } from "../infra/components/targetSync";
import { median, runWorker } from "./bench-support";

interface Sample {
    ms: number;
    source: string;
    bytes: number;
    inputs: number;
}

/** One program run's bundle, in a fresh process, with `cacheDir` as the only cache directory. */
function measure(cacheDir: string): Sample {
    return runWorker<Sample>("bench-bundle worker", __filename, ["worker"], { env: { ...process.env, [CACHE_DIR_ENV]: cacheDir }, timeoutMs: 300_000 });
}

/** The table: a first and a later program run, interleaved, `runs` of each. */
export function benchBundle(runs = Number(process.env.BENCH_RUNS ?? 5)): string {
    const first: Sample[] = [];
    const later: Sample[] = [];
    const warm = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-bench-bundle-"));
    try {
        measure(warm);
        for (let i = 0; i < runs; i++) {
            const empty = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-bench-bundle-"));
            try {
                first.push(measure(empty));
            } finally {
                fs.rmSync(empty, { recursive: true, force: true });
            }
            later.push(measure(warm));
        }
    } finally {
        fs.rmSync(warm, { recursive: true, force: true });
    }
    for (const [samples, source] of [[first, "build"], [later, "cache"]] as const) {
        const wrong = samples.filter((s) => s.source !== source);
        if (wrong.length > 0) throw new Error(`expected every ${source === "build" ? "first" : "later"} run to ${source}, got ${wrong.map((s) => s.source).join(", ")}`);
    }
    const row = (what: string, samples: Sample[]) =>
        `| ${what} | ${samples.length} | ${median(samples.map((s) => s.ms)).toFixed(1)} | ${Math.max(...samples.map((s) => s.ms)).toFixed(1)} | ${samples[0].bytes} | ${samples[0].inputs} |`;
    return [
        "| program run | runs | median ms | max ms | bundle bytes | files it is built from |",
        "|---|---:|---:|---:|---:|---:|",
        row("first (esbuild bundles it, writes it to the cache)", first),
        row("later (reads the cache, checks every file's SHA-256)", later),
    ].join("\n");
}

async function worker(): Promise<void> {
    const started = performance.now();
    const bundle = await lambdaBundle(TARGET_SYNC_BUNDLE);
    const ms = performance.now() - started;
    process.stdout.write(`${JSON.stringify({ ms, source: bundle.source, bytes: Buffer.byteLength(bundle.code), inputs: bundle.inputs.length })}\n`);
}

if (require.main === module) {
    const run = process.argv[2] === "worker" ? worker() : Promise.resolve(process.stdout.write(`${benchBundle()}\n`));
    run.catch((e: unknown) => {
        process.stderr.write(`${(e as Error).stack}\n`);
        process.exit(1);
    });
}
