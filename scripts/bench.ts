/**
 * `npm run bench`: program evaluation time under Pulumi's mock runtime for 1, 10 and 100 endpoints,
 * as ms per endpoint and resources per endpoint, beside a bare program that registers the same number
 * of resources with no components (the overhead ratio, measured in interleaved pairs); the lookups one run makes
 * against AWS, by token (scripts/bench-lookups.ts); resources and monthly cost per endpoint for 1, 10
 * and 50 endpoints on their own load balancers against one shared load balancer; what the monitoring costs;
 * the target-sync function's bundle (built, then read from its cache) and one reconcile run; the package's start as a
 * plugin for programs in other languages (scripts/bench-plugin.ts). Each measurement runs
 * in a fresh process; the median of several runs is reported. Figures only: nothing here asserts a time. Then two
 * models, not measurements: a first deployment's time and a failover's recovery (scripts/bench-deploy.ts,
 * scripts/bench-failover.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatMonthly } from "../infra/cost/estimate";
import { ASSUMPTIONS, PRICES } from "../infra/cost/prices";
import { benchBundle } from "./bench-bundle";
import { benchDeploy } from "./bench-deploy";
import { benchFailover } from "./bench-failover";
import { benchLookups } from "./bench-lookups";
import { benchMonitoring } from "./bench-monitoring";
import { benchPlugin } from "./bench-plugin";
import { median, runWorker } from "./bench-support";
import { benchTargetSync } from "./bench-targetSync";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Sample {
    ms: number;
    cpuMs: number;
    bundleMs: number;
    resources: number;
    awsResources: number;
    loadBalancers: number;
    securityGroups: number;
    publicIpv4Addresses: number;
    monthlyCost: number;
}

function measure(mode: "program" | "flat" | "bare" | "sharing", count: number, ...rest: string[]): Sample {
    return runWorker<Sample>(`bench-worker ${mode} ${count}`, path.join(__dirname, "bench-worker.ts"), [mode, String(count), ...rest]);
}

/** How the evaluation table is measured, printed above it. */
export function programMethod(runs = RUNS): string {
    return [
        `Per size, ${runs} rounds one after the other; each round runs, each in a fresh process, the stack program, a bare program ` +
            "that registers the same number of resources (plain aws.ec2.SecurityGroup: no components, validation, lookups or " +
            "outputs), and the same resources flat (each of the type and with the inputs the program gave it, as plain values, " +
            "components empty: no nesting, outputs, lookups or validation), in an order that alternates from round to round " +
            "(program first, then last) so that the machine's drift does not enter the ratios.",
        "Time: from the first registration until every registration, lookup and apply has settled, wall clock; CPU: the " +
            "worker's user and system time in the same window (esbuild's own process excluded), less sensitive to a busy machine.",
        "Ratios: the median of the rounds' ratios (with their range for program/bare); times: medians. Program/bare is the " +
            "goal's measure; flat/bare is what the SDK costs for these resource types and inputs alone, program/flat what the " +
            "program adds to it. Bundling: the wall time esbuild took to bundle the target-sync function, inside the program's " +
            "time (rebuilt in every run; in its own process, beside the registrations).",
    ].join("\n");
}

interface Round {
    program: Sample;
    flat: Sample;
    bare: Sample;
}

export function benchProgram(sizes = [1, 10, 100], runs = RUNS): string {
    const rows: string[] = [
        "| endpoints | resources | program ms | ms/endpoint | flat ms | bare ms | program/bare (wall) | range | program/bare (CPU) | flat/bare (CPU) | program/flat (CPU) | bundling ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-bench-"));
    try {
        // One discarded program and bare run: the first processes after a change pay tsx's compile cache and the disk.
        measure("program", 1);
        measure("bare", 1);
        for (const n of sizes) {
            const recorded = path.join(dir, `program-${n}.json`);
            // The first program run gives the resource count and the resources the other two register.
            const first = measure("program", n, recorded);
            const resources = first.resources;
            const rounds: Round[] = [];
            for (let i = 0; i < runs; i++) {
                if (i % 2 === 0) {
                    const program = i === 0 ? first : measure("program", n);
                    const flat = measure("flat", 0, recorded);
                    rounds.push({ program, flat, bare: measure("bare", resources) });
                } else {
                    const bare = measure("bare", resources);
                    const flat = measure("flat", 0, recorded);
                    rounds.push({ program: measure("program", n), flat, bare });
                }
                if (rounds[i].program.resources !== resources) throw new Error(`the program registered ${resources} resources, then ${rounds[i].program.resources}`);
            }
            const wall = rounds.map((r) => r.program.ms / r.bare.ms).sort((x, y) => x - y);
            const cpu = (of: (r: Round) => number) => median(rounds.map(of)).toFixed(2);
            const programMs = median(rounds.map((r) => r.program.ms));
            rows.push(
                `| ${n} | ${resources} | ${programMs.toFixed(0)} | ${(programMs / n).toFixed(1)} | ${median(rounds.map((r) => r.flat.ms)).toFixed(0)} | ` +
                    `${median(rounds.map((r) => r.bare.ms)).toFixed(0)} | ${median(wall).toFixed(2)} | ${wall[0].toFixed(2)}–${wall[wall.length - 1].toFixed(2)} | ` +
                    `${cpu((r) => r.program.cpuMs / r.bare.cpuMs)} | ${cpu((r) => r.flat.cpuMs / r.bare.cpuMs)} | ${cpu((r) => r.program.cpuMs / r.flat.cpuMs)} | ` +
                    `${median(rounds.map((r) => r.program.bundleMs)).toFixed(0)} |`,
            );
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    return rows.join("\n");
}

/**
 * Resources and monthly cost per endpoint, each endpoint on its own load balancer against all on one shared
 * load balancer: the resources the program registers (one run each, in a fresh process: the count does not
 * vary), and their cost as the offline plan estimates it (infra/cost/, at its unit prices and assumptions).
 */
export function benchSharing(sizes = [1, 10, 50]): string {
    const rows: string[] = [
        "| endpoints | load balancers | AWS resources | AWS resources/endpoint | security groups | public IPv4 addresses | monthly cost | monthly cost/endpoint |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ];
    for (const n of sizes) {
        for (const layout of ["dedicated", "shared"] as const) {
            const sample = measure("sharing", n, layout);
            rows.push(
                `| ${n} | ${layout === "dedicated" ? `${sample.loadBalancers} (one each)` : `${sample.loadBalancers} (shared)`} | ${sample.awsResources} | ` +
                    `${(sample.awsResources / n).toFixed(1)} | ${sample.securityGroups} | ${sample.publicIpv4Addresses} | ${formatMonthly(sample.monthlyCost)} | ${formatMonthly(sample.monthlyCost / n)} |`,
            );
        }
    }
    return rows.join("\n");
}

async function main(): Promise<void> {
    const sizes = (process.env.BENCH_SIZES ?? "1,10,100").split(",").map(Number);
    process.stdout.write(
        `db-endpoints benchmark: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, median of ${RUNS} runs, each in a fresh process\n\n`,
    );
    process.stdout.write(`## Program evaluation under the mock runtime\n\n${programMethod()}\n\n`);
    process.stdout.write(benchProgram(sizes) + "\n");
    process.stdout.write(`\n## Lookups against AWS per program run\n\n${benchLookups(sizes)}\n`);
    process.stdout.write("\n## Target-sync function bundle: its cost in one program run (a fresh process each)\n\n");
    process.stdout.write(benchBundle() + "\n");
    process.stdout.write("\n## Resources and monthly cost per endpoint: own load balancers against one shared\n\n");
    process.stdout.write(
        `Costs from infra/cost/estimate.ts as the offline plan estimates them (${PRICES.region} prices of ${PRICES.checkedOn}; every resource the ` +
            `stack creates: NLB hours, one public IPv4 address per zone, ${ASSUMPTIONS.nlcuPerEndpoint} NLCU per endpoint, secrets, the alarms and ` +
            `the custom metrics they watch, the upkeep function's scheduled runs and logs, the connection audit's flow logs; no data transfer).\n\n`,
    );
    process.stdout.write(benchSharing((process.env.BENCH_SHARING_SIZES ?? "1,10,50").split(",").map(Number)) + "\n");
    process.stdout.write("\n## Monitoring cost: alarms, metrics and the upkeep function\n\n");
    process.stdout.write(benchMonitoring() + "\n");
    process.stdout.write("\n## Target-sync function: one reconcile run (mocked ELB API)\n\n");
    process.stdout.write((await benchTargetSync(sizes)) + "\n");
    process.stdout.write("\n## The package as a plugin: what a C#, YAML, Python or Go program run waits for\n\n");
    process.stdout.write((await benchPlugin()) + "\n");
    process.stdout.write(`\n## Deploy time, modelled\n\n${benchDeploy()}\n\n## Failover recovery, modelled\n\n${benchFailover()}\n`);
}

if (require.main === module) {
    main().catch((e) => {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exit(1);
    });
}
