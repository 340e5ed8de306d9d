/**
 * The deploy-time model on the real graph (testing/deployGraph.ts): the realistic stack run through the stack
 * program under the mock runtime, one RDS endpoint, one self-managed endpoint, and ten of both (five of each).
 * Pins what makes N endpoints deploy in the time of one: no chain of dependencies runs through two endpoints (the
 * one join is the stack's upkeep function, which waits for every endpoint's target group or certificate), so the
 * critical path of ten endpoints is the longest of one endpoint of each kind; and the parallelism the workflows set
 * lets the engine run them side by side, where the CLI's default on a 2-CPU runner does not.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CREATE_SECONDS } from "../../testing/deployDurations";
import { CapturedGraph, captureDeployGraph, deployModelStack, deploySteps, EndpointKind, GraphNode, urnOf } from "../../testing/deployGraph";
import { criticalPath, simulate } from "../../testing/deployModel";
import { installMockCloud } from "../../testing/mockCloud";
import { runStackProgram } from "../../testing/stackProgram";
import { workflowParallelism } from "../../testing/workflowParallelism";

async function capture(endpoints: number, first: EndpointKind): Promise<CapturedGraph> {
    const { config, world } = deployModelStack(endpoints, first);
    const cloud = installMockCloud(world);
    return captureDeployGraph(cloud, (raw) => runStackProgram(cloud, raw), config);
}

const graphs: Record<"rds" | "selfManaged" | "ten", CapturedGraph> = {} as never;

before(async () => {
    graphs.rds = await capture(1, "rds");
    graphs.selfManaged = await capture(1, "self-managed");
    graphs.ten = await capture(10, "rds");
});

/**
 * The endpoint a registration belongs to: that of the product's child it is under (an endpoint, its integrations,
 * or its database's certificate); undefined for the stack's own (the CA, the alarms) and "upkeep" for the function.
 */
function ownerOf(graph: CapturedGraph): (r: GraphNode) => string | undefined {
    const byUrn = new Map(graph.registrations.map((r) => [urnOf(r, graph.stack, graph.project), r]));
    const certificates = new Map<string, string>();
    for (const r of graph.registrations) {
        if (r.type !== "db-endpoints:index:DatabaseEndpoint") continue;
        const i = Number(r.name.split("-").pop());
        certificates.set(`db-10.0.3.${10 + i}-5432`, r.name);
    }
    return (r) => {
        let top = r;
        while (byUrn.get(top.parent)?.parent) top = byUrn.get(top.parent)!;
        if (top.type === "db-endpoints:index:DatabaseEndpoint" || top.type === "db-endpoints:index:DatabaseIntegrations") return top.name;
        if (top.type === "db-endpoints:index:DatabaseCertificate") return certificates.get(top.name);
        if (top.type === "db-endpoints:index:Upkeep") return "upkeep";
        return undefined;
    };
}

describe("the realistic stack's graph", () => {
    it("has a create duration, with its source, for every resource type it registers", () => {
        for (const graph of Object.values(graphs)) {
            for (const r of graph.registrations.filter((r) => r.custom)) assert.ok(CREATE_SECONDS[r.type]?.source, r.type);
        }
    });

    it("waits for its target's health before each integration's users, once per endpoint", () => {
        assert.deepEqual(
            graphs.ten.targetHealthWaits.map((w) => w.component),
            Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? `rds-${i}` : `app-${i}`)),
        );
        const steps = deploySteps(graphs.rds, "low");
        const wait = steps.find((s) => s.label === "target health wait rds-0")!;
        const user = steps.find((s) => s.label === "Role rds-0-metabase-user")!;
        // A wait in the program, after the component (whose URN resolves once its endpoint and the function's run are done).
        assert.equal(wait.worker, false);
        assert.deepEqual(wait.dependsOn, [steps.find((s) => s.label === "DatabaseIntegrations rds-0")!.id]);
        assert.ok(user.dependsOn.includes(wait.id));
        // Exactly the integrations component's own resources come after it.
        const after = steps.filter((s) => s.dependsOn.includes(wait.id));
        assert.ok(after.length >= 4);
        assert.ok(after.every((s) => s.id.includes("db-endpoints:index:DatabaseIntegrations$")));
    });

    it("joins endpoints only in the stack's upkeep function: nothing of one endpoint depends on another's otherwise", () => {
        const graph = graphs.ten;
        const owner = ownerOf(graph);
        const byUrn = new Map(graph.registrations.map((r) => [urnOf(r, graph.stack, graph.project), r]));
        const crossings: string[] = [];
        for (const r of graph.registrations) {
            const mine = owner(r);
            if (mine === undefined || mine === "upkeep") continue;
            const seen = new Set<string>();
            const stack = [...r.dependencies];
            while (stack.length > 0) {
                const urn = stack.pop()!;
                if (seen.has(urn)) continue;
                seen.add(urn);
                const d = byUrn.get(urn)!;
                const theirs = owner(d);
                if (theirs === "upkeep") continue;
                if (theirs !== undefined && theirs !== mine) crossings.push(`${r.name} -> ${d.name}`);
                stack.push(...d.dependencies);
            }
        }
        assert.deepEqual(crossings, []);
        // The join is real: the function's deploy-time run waits for every endpoint's target group or certificate.
        const run = graph.registrations.find((r) => r.name === "upkeep-deploy-sync")!;
        const tracked = new Set(run.dependencies.map((u) => byUrn.get(u)!).map(owner));
        assert.equal([...tracked].filter((o) => o !== undefined && o !== "upkeep").length, 10);
    });

    for (const scenario of ["low", "high"] as const) {
        it(`has, with ${scenario} durations, a critical path of ten endpoints as long as the longer of one endpoint of each kind`, () => {
            const one = Math.max(criticalPath(deploySteps(graphs.rds, scenario)).seconds, criticalPath(deploySteps(graphs.selfManaged, scenario)).seconds);
            const ten = criticalPath(deploySteps(graphs.ten, scenario));
            assert.equal(ten.seconds, one);
            // Its steps belong to one endpoint (and the product's components, which take no time, and the stack's upkeep
            // function, whose deploy-time run registers an RDS endpoint's target before its integration's users).
            const owner = ownerOf(graphs.ten);
            const byUrn = new Map(graphs.ten.registrations.map((r) => [urnOf(r, graphs.ten.stack, graphs.ten.project), r]));
            const owners = new Set(ten.path.map((p) => byUrn.get(p.step.id.replace(/^wait:/, ""))).map((r) => (r ? owner(r) : undefined)));
            owners.delete(undefined);
            owners.delete("upkeep");
            assert.equal(owners.size, 1, [...owners].join(", "));
        });

        it(`deploys ten endpoints, with ${scenario} durations, within 5% of the critical path at the workflows' parallelism, not at the CLI's default on 2 CPUs`, () => {
            const steps = deploySteps(graphs.ten, scenario);
            const cp = criticalPath(steps).seconds;
            assert.ok(simulate(steps, workflowParallelism()).seconds <= cp * 1.05, `${simulate(steps, workflowParallelism()).seconds} s against ${cp} s`);
            assert.ok(simulate(steps, 8).seconds > cp * 1.5, `${simulate(steps, 8).seconds} s against ${cp} s`);
        });
    }
});
