/**
 * How long a deployment takes, modelled from its dependency graph: the critical path (the longest chain of steps,
 * each waiting for what it depends on: the deployment can finish no sooner however many steps run at once) and the
 * makespan under the Pulumi engine's scheduling with at most `parallelism` steps at once.
 *
 * The engine's scheduling, as pulumi/pulumi implements it (pkg/resource/deploy/step_executor.go): the language host
 * sends a resource's registration only once every resource it depends on is done (the Node.js SDK awaits the URNs of
 * its dependencies and of its parent, which resolve when their registrations complete: sdk/nodejs/runtime/resource.ts
 * `prepareResource`, sdk/nodejs/runtime/dependsOn.ts), so every step the engine receives is ready to run; the step
 * executor runs them on `parallelism` worker goroutines, a step waiting (in the order it arrived) until a worker is
 * free; a worker is busy for the whole step, the provider's create and its wait included, and the resource's
 * `afterCreate` hooks, which run inside the step (pkg/resource/deploy/step.go `CreateStep.Apply`). A component
 * resource's registration is a step too, of no duration. What the program waits for outside any resource (an apply
 * that polls an API) takes time but no worker.
 *
 * Pure: the steps and their durations are given (testing/deployGraph.ts builds them from what the program
 * registers, testing/deployDurations.ts gives the durations).
 */

/** One step of a deployment. */
export interface DeployStep {
    /** Unique: a resource's URN, or a name for a wait outside any resource. */
    id: string;
    /** How the step is shown: `type name`. */
    label: string;
    /** How long the step takes once it has started. */
    seconds: number;
    /** Whether the step runs on one of the engine's workers (a registration), or outside the engine (a wait in the program). */
    worker: boolean;
    /** The steps that must be done before this one starts. */
    dependsOn: string[];
}

/** The longest chain of steps, and how long it takes. */
export interface CriticalPath {
    seconds: number;
    /** The chain's steps, first to last, each with the time it is done. */
    path: { step: DeployStep; doneAt: number }[];
}

/** The steps by id, each step's dependents, and the number of distinct steps each depends on. */
interface StepIndex {
    byId: Map<string, DeployStep>;
    dependents: Map<string, DeployStep[]>;
    dependencies: Map<string, number>;
}

/** Indexes the steps; throws when two have the same id or one depends on an unknown step. */
function indexSteps(steps: DeployStep[]): StepIndex {
    const byId = new Map(steps.map((s) => [s.id, s]));
    if (byId.size !== steps.length) throw new Error("two steps have the same id");
    const dependents = new Map<string, DeployStep[]>();
    const dependencies = new Map<string, number>();
    for (const s of steps) {
        const deps = new Set(s.dependsOn);
        for (const d of deps) {
            if (!byId.has(d)) throw new Error(`${s.label} depends on ${d}, which is not a step`);
            const list = dependents.get(d);
            if (list) list.push(s);
            else dependents.set(d, [s]);
        }
        dependencies.set(s.id, deps.size);
    }
    return { byId, dependents, dependencies };
}

/** The steps in an order in which each comes after everything it depends on; throws on a cycle or an unknown step. */
function topologicalOrder(steps: DeployStep[], index: StepIndex = indexSteps(steps)): DeployStep[] {
    const remaining = new Map(index.dependencies);
    const order: DeployStep[] = [];
    const ready = steps.filter((s) => remaining.get(s.id) === 0);
    while (ready.length > 0) {
        const s = ready.shift()!;
        order.push(s);
        for (const d of index.dependents.get(s.id) ?? []) {
            const left = remaining.get(d.id)! - 1;
            remaining.set(d.id, left);
            if (left === 0) ready.push(d);
        }
    }
    if (order.length !== steps.length) throw new Error("the steps' dependencies form a cycle");
    return order;
}

/** The critical path: with unlimited parallelism, the deployment takes exactly this long. */
export function criticalPath(steps: DeployStep[]): CriticalPath {
    if (steps.length === 0) return { seconds: 0, path: [] };
    const index = indexSteps(steps);
    const doneAt = new Map<string, number>();
    const via = new Map<string, string | undefined>();
    const { byId } = index;
    for (const s of topologicalOrder(steps, index)) {
        let start = 0;
        let from: string | undefined;
        for (const d of new Set(s.dependsOn)) {
            const t = doneAt.get(d)!;
            if (from === undefined || t > start) {
                start = t;
                from = d;
            }
        }
        doneAt.set(s.id, start + s.seconds);
        via.set(s.id, from);
    }
    // The last step to be done ends the path; of several, the first given.
    let last = steps[0];
    for (const s of steps) if (doneAt.get(s.id)! > doneAt.get(last.id)!) last = s;
    const path: CriticalPath["path"] = [];
    for (let id: string | undefined = last.id; id !== undefined; id = via.get(id)) path.unshift({ step: byId.get(id)!, doneAt: doneAt.get(id)! });
    return { seconds: doneAt.get(last.id)!, path };
}

/** How a deployment ran under a given parallelism. */
export interface Schedule {
    /** From the first step's start to the last step's end. */
    seconds: number;
    /** When each step started. */
    startedAt: Map<string, number>;
    /** The most steps running on workers at once. */
    peakWorkers: number;
    /** Steps that were ready but waited for a free worker, and how long they waited in all. */
    queued: { steps: number; seconds: number };
}

/**
 * Simulates the engine with at most `parallelism` steps on workers at once: a step is ready when everything it
 * depends on is done; ready steps take free workers in the order they became ready (steps ready at the same instant
 * in the order given, which is the order the program registered them); a step outside the engine starts as soon as
 * it is ready.
 */
export function simulate(steps: DeployStep[], parallelism: number): Schedule {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error(`parallelism ${parallelism} is not a whole number of at least 1`);
    const index = indexSteps(steps);
    topologicalOrder(steps, index);
    const { dependents } = index;
    const position = new Map(steps.map((s, i) => [s.id, i]));
    const remaining = new Map(index.dependencies);

    const startedAt = new Map<string, number>();
    const readyAt = new Map<string, number>();
    const queue: DeployStep[] = [];
    const running: { step: DeployStep; end: number }[] = [];
    let busy = 0;
    let peakWorkers = 0;
    let queued = { steps: 0, seconds: 0 };
    let now = 0;
    let done = 0;

    const start = (s: DeployStep) => {
        startedAt.set(s.id, now);
        running.push({ step: s, end: now + s.seconds });
        const waited = now - readyAt.get(s.id)!;
        if (waited > 0) queued = { steps: queued.steps + 1, seconds: queued.seconds + waited };
    };
    const ready = (s: DeployStep) => {
        readyAt.set(s.id, now);
        if (s.worker) queue.push(s);
        else start(s);
    };
    for (const s of steps) if (remaining.get(s.id) === 0) ready(s);

    while (done < steps.length) {
        queue.sort((a, b) => readyAt.get(a.id)! - readyAt.get(b.id)! || position.get(a.id)! - position.get(b.id)!);
        while (busy < parallelism && queue.length > 0) {
            start(queue.shift()!);
            busy++;
        }
        peakWorkers = Math.max(peakWorkers, busy);
        if (running.length === 0) throw new Error("no step can run: the dependencies are inconsistent");
        now = Math.min(...running.map((r) => r.end));
        const finished = running.filter((r) => r.end <= now).sort((a, b) => position.get(a.step.id)! - position.get(b.step.id)!);
        for (const r of finished) {
            running.splice(running.indexOf(r), 1);
            if (r.step.worker) busy--;
            done++;
            for (const d of dependents.get(r.step.id) ?? []) {
                const left = remaining.get(d.id)! - 1;
                remaining.set(d.id, left);
                if (left === 0) ready(d);
            }
        }
    }
    return { seconds: now, startedAt, peakWorkers, queued };
}
