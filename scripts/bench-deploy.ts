/**
 * The deploy-time model in `npm run bench` (`benchDeploy()`; also runnable alone: `node --import tsx
 * scripts/bench-deploy.ts`): how long a first `pulumi up` of the realistic stack of testing/deployGraph.ts takes,
 * modelled from the resource graph the stack program really registers (captured under the mock runtime, in a fresh
 * process per stack) with each resource type's documented create time (testing/deployDurations.ts, a low–high range)
 * and the engine's scheduling (testing/deployModel.ts): the critical path, and the makespan at the engine's default
 * parallelism on a 2-core and a 4-core runner and at the parallelism the workflows set. Figures only.
 *
 * `node --import tsx scripts/bench-deploy.ts graph N FIRST` is the worker: it prints the graph of N endpoints, the
 * first of kind FIRST (`rds` or `self-managed`), as one JSON line.
 */
import { captureDeployGraph, CapturedGraph, deployModelStack, deploySteps, EndpointKind } from "../testing/deployGraph";
import { criticalPath, DeployStep, simulate } from "../testing/deployModel";
import { workflowParallelism } from "../testing/workflowParallelism";
import { runWorker } from "./bench-support";

/**
 * The CLI's parallelism when neither `--parallel` nor `PULUMI_PARALLEL` sets it: 4 × GOMAXPROCS, which Go sets to
 * the machine's CPUs (pulumi/pulumi pkg/cmd/pulumi/operations/up.go, `defaultParallel`; pulumi/actions passes
 * `--parallel` only when its `parallel` input is set).
 */
export function defaultParallelism(cpus: number): number {
    return 4 * cpus;
}

/** The stacks the benchmark models: label, endpoints, kind of the first. */
export const DEPLOY_STACKS: [string, number, EndpointKind][] = [
    ["1 endpoint, RDS", 1, "rds"],
    ["1 endpoint, self-managed", 1, "self-managed"],
    ["20 endpoints (10 RDS, 10 self-managed)", 20, "rds"],
    ["50 endpoints (25 RDS, 25 self-managed)", 50, "rds"],
];

/** The graph of a stack, from a fresh process. */
function graphOf(endpoints: number, first: EndpointKind): CapturedGraph {
    return runWorker<CapturedGraph>(`bench-deploy graph ${endpoints} ${first}`, __filename, ["graph", String(endpoints), first], { maxBuffer: 256 * 1024 * 1024 });
}

const range = (low: number, high: number) => `${Math.round(low)}–${Math.round(high)} s`;

/** A critical path as one line: each step with its duration, and the total. */
function pathLine(steps: DeployStep[]): string {
    const cp = criticalPath(steps);
    const shown = cp.path.filter((p) => p.step.seconds > 0).map((p) => `${p.step.label} (${p.step.seconds} s)`);
    return `${shown.join(" → ")} = ${cp.seconds} s`;
}

export function benchDeploy(stacks = DEPLOY_STACKS): string {
    const chosen = workflowParallelism();
    const parallelisms: [string, number][] = [
        [`P=${defaultParallelism(2)} (default, 2 CPUs)`, defaultParallelism(2)],
        [`P=${defaultParallelism(4)} (default, 4 CPUs)`, defaultParallelism(4)],
        [`P=${chosen} (the workflows)`, chosen],
    ];
    const rows = [
        `| stack | steps | critical path | ${parallelisms.map(([label]) => `makespan ${label}`).join(" | ")} |`,
        `|---|---:|---:|${parallelisms.map(() => "---:").join("|")}|`,
    ];
    const paths: string[] = [];
    for (const [label, endpoints, first] of stacks) {
        const graph = graphOf(endpoints, first);
        const low = deploySteps(graph, "low");
        const high = deploySteps(graph, "high");
        const cells = parallelisms.map(([, p]) => range(simulate(low, p).seconds, simulate(high, p).seconds));
        rows.push(`| ${label} | ${low.length} | ${range(criticalPath(low).seconds, criticalPath(high).seconds)} | ${cells.join(" | ")} |`);
        if (endpoints === 1 || endpoints === 20) paths.push(`- ${label}, low durations: ${pathLine(low)}`);
    }
    return [
        "Modelled, not measured: the graph the stack program registers (testing/deployGraph.ts: endpoints alternately RDS with an integration " +
            "and self-managed with a certificate, SSM restart, Route 53 hostname and an integration; connection audit, alarms, the upkeep function), " +
            "each step's create time from AWS and provider documentation as a low–high range (testing/deployDurations.ts, with the source of each " +
            "figure), scheduled as the engine does: a step starts once its dependencies are done, at most P at once " +
            "(testing/deployModel.ts). The default P is 4 × CPUs (pulumi/pulumi pkg/cmd/pulumi/operations/up.go).",
        "",
        ...rows,
        "",
        "Critical paths:",
        ...paths,
    ].join("\n");
}

async function worker(endpoints: number, first: EndpointKind): Promise<void> {
    const { config, world } = deployModelStack(endpoints, first);
    const { installMockCloud } = await import("../testing/mockCloud");
    const cloud = installMockCloud(world);
    const { main } = await import("../infra/program/main");
    const graph = await captureDeployGraph(cloud, main, config);
    process.stdout.write(JSON.stringify(graph) + "\n");
}

if (require.main === module) {
    const [mode, count, first] = process.argv.slice(2);
    const run =
        mode === "graph"
            ? worker(Number(count), first as EndpointKind)
            : Promise.resolve(process.stdout.write(benchDeploy() + "\n"));
    run.catch((e) => {
        process.stderr.write(`${(e as Error).stack}\n`);
        process.exit(1);
    });
}
