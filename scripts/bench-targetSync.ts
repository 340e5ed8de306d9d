/**
 * Benchmark of the target-sync function's reconciliation (`benchTargetSync()`, called by `npm run bench`;
 * also runnable alone: `node --import tsx scripts/bench-targetSync.ts`).
 *
 * Runs the real handler (infra/lambda/targetSync) on a scheduled-run payload for 1, 10 and 100 RDS endpoints
 * against a mocked ELBv2 client (aws-sdk-client-mock) holding a fake set of target groups, and an instant
 * fake resolver. Three situations: steady state (every group already matches DNS: one read per group), the
 * first run after a failover of every instance (read, register the new address, tag; the old target stays
 * until the new one is healthy) and the run that finds every new target healthy (read, deregister the old
 * one, tag). Two API latencies: none (the
 * function's own cost) and a simulated 25 ms per ELB call (how the function's concurrency of 4 spreads a
 * large stack's calls). Figures only: nothing asserts a time.
 */
import { performance } from "node:perf_hooks";
import {
    AddTagsCommand,
    DeregisterTargetsCommand,
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
    RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { createHandler } from "../infra/lambda/targetSync/index";
import { SyncTarget } from "../infra/lambda/targetSync/settings";

const SIZES = [1, 10, 100];
const SITUATIONS: Record<Row["situation"], string> = {
    steady: "steady state (no change)",
    failover: "failover of every instance: new address registered",
    replaced: "every new target healthy: old one deregistered",
};
const SCHEDULED = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };

interface Row {
    endpoints: number;
    situation: "steady" | "failover" | "replaced";
    latencyMs: number;
    runs: number;
    medianMs: number;
    p95Ms: number;
    callsPerRun: number;
    changedPerRun: number;
}

function targets(n: number): SyncTarget[] {
    return Array.from({ length: n }, (_, i) => ({
        targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bench-${i}-tg/${i.toString(16).padStart(16, "0")}`,
        rdsInstanceIdentifier: `bench-${i}`,
        rdsAddress: `bench-${i}.c9akciq32.us-east-1.rds.amazonaws.com`,
        port: 5432,
    }));
}

const oldAddress = (i: number) => `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`;
const newAddress = (i: number) => `10.1.${Math.floor(i / 200)}.${(i % 200) + 1}`;

function quantile(values: number[], q: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function measure(n: number, situation: Row["situation"], latencyMs: number, runs: number): Promise<Row> {
    const list = targets(n);
    const index = new Map(list.map((t, i) => [t.targetGroupArn, i]));
    const groups = new Map<string, { id: string; port: number; state: string }[]>();
    let calls = 0;
    const answered = situation === "steady" ? oldAddress : newAddress;
    const reset = () => {
        for (const [arn, i] of index) {
            groups.set(
                arn,
                situation === "replaced"
                    ? [
                          { id: newAddress(i), port: 5432, state: "healthy" },
                          { id: oldAddress(i), port: 5432, state: "unhealthy" },
                      ]
                    : [{ id: oldAddress(i), port: 5432, state: "healthy" }],
            );
        }
    };
    const api = async <T>(result: () => T): Promise<T> => {
        calls++;
        if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
        return result();
    };

    const mock = mockClient(ElasticLoadBalancingV2Client);
    mock.on(DescribeTargetHealthCommand).callsFake((input) =>
        api(() => ({
            TargetHealthDescriptions: groups.get(input.TargetGroupArn)!.map((t) => ({ Target: { Id: t.id, Port: t.port }, TargetHealth: { State: t.state } })),
        })),
    );
    mock.on(RegisterTargetsCommand).callsFake((input) =>
        api(() => {
            for (const t of input.Targets) groups.get(input.TargetGroupArn)!.push({ id: t.Id, port: t.Port, state: "initial" });
            return {};
        }),
    );
    mock.on(DeregisterTargetsCommand).callsFake((input) =>
        api(() => {
            const g = groups.get(input.TargetGroupArn)!;
            for (const t of input.Targets) g.find((x) => x.id === t.Id && x.port === t.Port)!.state = "draining";
            return {};
        }),
    );
    mock.on(AddTagsCommand).callsFake(() => api(() => ({})));

    try {
        const handler = createHandler({
            settings: { targets: list, stack: "bench/bench", eventPollSeconds: 50 },
            elb: new ElasticLoadBalancingV2Client({ region: "us-east-1" }),
            resolve: async (host) => [answered(Number(/^bench-(\d+)\./.exec(host)![1]))],
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
            now: Date.now,
            random: Math.random,
            writeLine: () => undefined,
        });
        // One warm-up run (JIT, SDK command classes), not counted.
        reset();
        await handler(SCHEDULED);
        const times: number[] = [];
        let changed = 0;
        calls = 0;
        for (let r = 0; r < runs; r++) {
            reset();
            const start = performance.now();
            const summary = await handler(SCHEDULED);
            times.push(performance.now() - start);
            changed += summary.changed;
            if (summary.failed > 0) throw new Error(`bench run failed: ${JSON.stringify(summary.results.find((x) => x.outcome === "failed"))}`);
        }
        return {
            endpoints: n,
            situation,
            latencyMs,
            runs,
            medianMs: quantile(times, 0.5),
            p95Ms: quantile(times, 0.95),
            callsPerRun: calls / runs,
            changedPerRun: changed / runs,
        };
    } finally {
        mock.restore();
    }
}

/** Runs the benchmark and returns it as a Markdown table. */
export async function benchTargetSync(sizes: number[] = SIZES): Promise<string> {
    const rows: Row[] = [];
    for (const latencyMs of [0, 25]) {
        for (const situation of ["steady", "failover", "replaced"] as const) {
            for (const n of sizes) rows.push(await measure(n, situation, latencyMs, latencyMs === 0 ? 30 : 3));
        }
    }
    return [
        "| endpoints | situation | simulated ELB API latency | runs | median ms | p95 ms | ELB calls per run | groups changed per run |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
        ...rows.map(
            (r) =>
                `| ${r.endpoints} | ${SITUATIONS[r.situation]} | ${r.latencyMs} ms | ${r.runs} | ` +
                `${r.medianMs.toFixed(2)} | ${r.p95Ms.toFixed(2)} | ${r.callsPerRun} | ${r.changedPerRun} |`,
        ),
    ].join("\n");
}

if (require.main === module) {
    benchTargetSync()
        .then((table) => process.stdout.write(`## Target sync: reconciliation time (mocked ELBv2 client)\n\n${table}\n`))
        .catch((e) => {
            process.stderr.write(`${(e as Error).stack}\n`);
            process.exit(1);
        });
}
