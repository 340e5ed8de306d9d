/**
 * `npm run bench`: program evaluation time under Pulumi's mock runtime for 1, 10 and 100 endpoints,
 * as ms per endpoint and resources per endpoint, beside a bare program that registers the same number
 * of resources with no components (the overhead ratio). Each measurement runs in a fresh process;
 * the median of several runs is reported. Figures only: nothing here asserts a time.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { benchBundle } from "./bench-bundle";
import { benchTargetSync } from "./bench-targetSync";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Sample {
    ms: number;
    resources: number;
}

function measure(mode: "program" | "bare", count: number): Sample {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "bench-worker.ts"), mode, String(count)], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 600_000,
    });
    if (result.status !== 0) throw new Error(`bench-worker ${mode} ${count} failed:\n${result.stderr}`);
    const line = result.stdout.trim().split("\n").pop()!;
    return JSON.parse(line) as Sample;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function benchProgram(sizes = [1, 10, 100], runs = RUNS): string {
    const rows: string[] = [
        "| endpoints | resources | resources/endpoint | program ms (median) | ms/endpoint | bare program ms, same resource count | overhead ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ];
    for (const n of sizes) {
        const program = Array.from({ length: runs }, () => measure("program", n));
        const resources = program[0].resources;
        const bare = Array.from({ length: runs }, () => measure("bare", resources));
        const programMs = median(program.map((s) => s.ms));
        const bareMs = median(bare.map((s) => s.ms));
        rows.push(
            `| ${n} | ${resources} | ${(resources / n).toFixed(1)} | ${programMs.toFixed(1)} | ${(programMs / n).toFixed(2)} | ${bareMs.toFixed(1)} | ${(programMs / bareMs).toFixed(2)} |`,
        );
    }
    return rows.join("\n");
}

async function main(): Promise<void> {
    const sizes = (process.env.BENCH_SIZES ?? "1,10,100").split(",").map(Number);
    process.stdout.write(
        `db-endpoints benchmark: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, median of ${RUNS} runs, each in a fresh process\n\n`,
    );
    process.stdout.write("## Program evaluation under the mock runtime\n\n");
    process.stdout.write(benchProgram(sizes) + "\n");
    process.stdout.write("\n## Target-sync function bundle: its cost in one program run (a fresh process each)\n\n");
    process.stdout.write(benchBundle() + "\n");
    process.stdout.write("\n## Target-sync function: one reconcile run (mocked ELB API)\n\n");
    process.stdout.write((await benchTargetSync(sizes)) + "\n");
}

if (require.main === module) {
    main().catch((e) => {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exit(1);
    });
}
