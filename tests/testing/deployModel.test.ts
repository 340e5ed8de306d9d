/**
 * The deploy-time model's arithmetic (testing/deployModel.ts) on small graphs whose critical path and schedule are
 * worked out by hand: the longest chain, steps waiting for a free worker in the order they became ready, waits
 * outside the engine holding no worker, and a component's registration needing a worker for no time.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { criticalPath, DeployStep, simulate } from "../../testing/deployModel";

const step = (id: string, seconds: number, dependsOn: string[] = [], worker = true): DeployStep => ({ id, label: id, seconds, worker, dependsOn });

/**
 * A(3) and B(5) and D(2) are ready at once; C(4) needs A and B; W(10) is a wait outside the engine after A.
 * Critical path: A, W = 13 (B, C = 9).
 */
const graph = [step("A", 3), step("B", 5), step("D", 2), step("C", 4, ["A", "B"]), step("W", 10, ["A"], false)];

describe("the critical path", () => {
    it("is the longest chain of steps, each after what it depends on", () => {
        const cp = criticalPath(graph);
        assert.equal(cp.seconds, 13);
        assert.deepEqual(
            cp.path.map((p) => [p.step.id, p.doneAt]),
            [
                ["A", 3],
                ["W", 13],
            ],
        );
    });

    it("follows a chain through steps of no duration (components)", () => {
        const cp = criticalPath([step("sg", 2), step("component", 0, ["sg"]), step("child", 5, ["component"]), step("other", 6)]);
        assert.equal(cp.seconds, 7);
        assert.deepEqual(
            cp.path.map((p) => p.step.id),
            ["sg", "component", "child"],
        );
    });

    it("is nothing for no steps", () => {
        assert.deepEqual(criticalPath([]), { seconds: 0, path: [] });
    });

    it("refuses a cycle, a dependency that is not a step, and two steps with one id", () => {
        assert.throws(() => criticalPath([step("A", 1, ["B"]), step("B", 1, ["A"])]), /cycle/);
        assert.throws(() => criticalPath([step("A", 1, ["nowhere"])]), /A depends on nowhere, which is not a step/);
        assert.throws(() => criticalPath([step("A", 1), step("A", 2)]), /same id/);
    });
});

describe("the engine's schedule at a given parallelism", () => {
    it("with one worker: steps in the order they became ready, the wait outside the engine running beside them", () => {
        // A 0–3; W 3–13 (no worker); B 3–8; D, ready since 0, 8–10; C, ready at 8, 10–14.
        const s = simulate(graph, 1);
        assert.equal(s.seconds, 14);
        assert.deepEqual(Object.fromEntries(s.startedAt), { A: 0, B: 3, D: 8, C: 10, W: 3 });
        assert.equal(s.peakWorkers, 1);
        // B waited 3 s, D 8 s, C 2 s.
        assert.deepEqual(s.queued, { steps: 3, seconds: 13 });
    });

    it("with two workers: the critical path's length once nothing that matters waits", () => {
        // A 0–3, B 0–5; D 3–5; C 5–9; W 3–13.
        const s = simulate(graph, 2);
        assert.equal(s.seconds, 13);
        assert.deepEqual(Object.fromEntries(s.startedAt), { A: 0, B: 0, D: 3, C: 5, W: 3 });
        assert.deepEqual(s.queued, { steps: 1, seconds: 3 });
    });

    it("with workers for every step: exactly the critical path", () => {
        const s = simulate(graph, 1000);
        assert.equal(s.seconds, criticalPath(graph).seconds);
        assert.equal(s.peakWorkers, 3);
        assert.deepEqual(s.queued, { steps: 0, seconds: 0 });
    });

    it("a component's registration takes no time but needs a free worker, so its children wait for one", () => {
        // One worker busy with a 100 s load balancer: the component, ready at 0, registers at 100, its child runs 100–101.
        const steps = [step("nlb", 100), step("component", 0), step("child", 1, ["component"])];
        const s = simulate(steps, 1);
        assert.deepEqual(Object.fromEntries(s.startedAt), { nlb: 0, component: 100, child: 100 });
        assert.equal(s.seconds, 101);
        assert.equal(simulate(steps, 2).seconds, 100);
    });

    it("refuses a parallelism that is not a whole number of at least 1", () => {
        assert.throws(() => simulate(graph, 0), /parallelism 0/);
        assert.throws(() => simulate(graph, 1.5), /parallelism 1.5/);
    });
});
