/**
 * The cross-language plugin in `npm run bench`: what a C#, YAML, Python or Go program run waits for before its first
 * db-endpoints component is constructed. The Node.js language host starts the package as a plugin
 * (`node @pulumi/pulumi/cmd/run-plugin <package>`, its TypeScript compiled and type-checked by ts-node), and the
 * component provider analyses the package's TypeScript sources to type the components' inputs and outputs: on
 * GetSchema, or on the first Construct when no schema was asked for. That analysis is synchronous, so the plugin
 * answers nothing else while it runs.
 *
 * Measured as scripts/update-schema.ts starts the plugin (an empty consumer directory, the host's options): from
 * the start of the process until it has answered GetSchema; with ts-node's cache empty, as on a fresh CI runner,
 * and with the cache an earlier run left, interleaved. Figures only. Alone: `node --import tsx scripts/bench-plugin.ts`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { median } from "./bench-support";
import { generateSchema, REPO_ROOT } from "./update-schema";

/** Milliseconds from starting the plugin until it has served its schema, with ts-node's cache in `cacheDir`. */
async function measure(cacheDir?: string): Promise<number> {
    const start = process.hrtime.bigint();
    const schema = await generateSchema(cacheDir);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (Object.keys(schema.resources).length === 0) throw new Error("the plugin served a schema without components");
    return ms;
}

/** The files tsconfig.json includes: the analysis's program is these and every declaration file they import. */
function analysedRoots(): number {
    const file = path.join(REPO_ROOT, "tsconfig.json");
    const config = ts.readConfigFile(file, ts.sys.readFile);
    return ts.parseJsonConfigFileContent(config.config, ts.sys, REPO_ROOT).fileNames.length;
}

/** The method and the table: `runs` starts with an empty ts-node cache and `runs` with a warm one. */
export async function benchPlugin(runs = Number(process.env.BENCH_RUNS ?? 5)): Promise<string> {
    // One discarded start: it loads the package into this process (once) and fills the checkout's ts-node cache.
    await measure();
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-bench-ts-node-"));
        try {
            cold.push(await measure(empty));
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
        warm.push(await measure());
    }
    const row = (label: string, samples: number[]) =>
        `| ${label} | ${samples.length} | ${(median(samples) / 1000).toFixed(1)} | ${(Math.min(...samples) / 1000).toFixed(1)}–${(Math.max(...samples) / 1000).toFixed(1)} |`;
    return [
        "Wall clock from starting the plugin as the language host does until it has served the package schema (ts-node " +
            "compiling and type-checking the package, then the component provider's analysis: a TypeScript program of the " +
            `${analysedRoots()} files tsconfig.json includes and the declaration files they import). The provider runs the same ` +
            "analysis on its first Construct when no schema was asked for, so every program run in another language waits " +
            "this long (each time the engine starts the plugin) before its first component's resources reach the engine. " +
            "Empty cache: ts-node's cache in a new directory, as on a fresh CI runner; warm: the cache a run left. Interleaved.",
        "",
        "| ts-node cache | runs | median s | range s |",
        "|---|---:|---:|---|",
        row("empty", cold),
        row("warm", warm),
    ].join("\n");
}

if (require.main === module) {
    benchPlugin().then(
        (table) => process.stdout.write(`${table}\n`),
        (e) => {
            process.stderr.write(`${(e as Error).message}\n`);
            process.exit(1);
        },
    );
}
