/**
 * The engine parallelism the GitHub Actions workflows give `pulumi up` and `pulumi preview`: the `parallel` input
 * of their pulumi/actions step, which the action passes to the CLI as `--parallel` (pulumi/actions src/config.ts
 * and the Automation API's `up`/`preview` options). Read from the workflow files, so the benchmark and the tests
 * model the value CI runs with.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

const WORKFLOWS = path.resolve(__dirname, "..", ".github", "workflows");

interface Step {
    uses?: string;
    with?: Record<string, unknown>;
}

/** Each pulumi/actions step of `file` (a file in .github/workflows): its command and its `parallel` input (undefined when unset). */
export function pulumiSteps(file: string): { command: unknown; parallel: unknown }[] {
    const workflow = yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as { jobs: Record<string, { steps?: Step[] }> };
    return Object.values(workflow.jobs)
        .flatMap((job) => job.steps ?? [])
        .filter((step) => step.uses?.startsWith("pulumi/actions@"))
        .map((step) => ({ command: step.with?.command, parallel: step.with?.parallel }));
}

/** The parallelism `pulumi up` runs with in deploy.yml; throws unless it is set, once, to a whole number. */
export function workflowParallelism(): number {
    const steps = pulumiSteps("deploy.yml").filter((s) => s.command === "up");
    if (steps.length !== 1) throw new Error(`deploy.yml has ${steps.length} pulumi up steps, not one`);
    const value = steps[0].parallel;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw new Error(`deploy.yml's pulumi up step sets parallel to ${JSON.stringify(value)}, not a whole number`);
    return value;
}
