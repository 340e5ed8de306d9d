/**
 * What the parts of `npm run bench` share: a measurement run in a fresh process (the Pulumi runtime's state, the
 * module cache and the JIT's warm-up are per process), and the median the tables report.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

export interface WorkerOptions {
    /** Milliseconds before the process is ended as hung (default 10 minutes). */
    timeoutMs?: number;
    /** The most bytes of output kept (Node's default when unset). */
    maxBuffer?: number;
    /** The process's environment (this one's when unset). */
    env?: NodeJS.ProcessEnv;
}

/**
 * Runs `script` (TypeScript, loaded by tsx) with `args` in a fresh process from the repository root, and returns
 * the JSON value of the last line it prints. Throws, naming the run as `what`, with the process's standard error
 * when it fails.
 */
export function runWorker<T>(what: string, script: string, args: string[], options: WorkerOptions = {}): T {
    const result = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: options.timeoutMs ?? 600_000,
        ...(options.maxBuffer !== undefined ? { maxBuffer: options.maxBuffer } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
    });
    if (result.status !== 0) throw new Error(`${what} failed:\n${result.stderr}`);
    return JSON.parse(result.stdout.trim().split("\n").pop()!) as T;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
