/**
 * The GitHub Actions workflows (.github/workflows): valid against GitHub's workflow schema (the SchemaStore schema
 * that @action-validator/core compiles in, so nothing is fetched), and doing what README.md, "Deploying from CI (GitHub Actions)" promises:
 * pull requests run the tests and post a `pulumi preview`; pushes to main run the tests and `pulumi up`, one
 * deployment at a time; AWS credentials come only from OIDC; nothing long-lived is in the repository.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { validateWorkflow, ValidationError } from "@action-validator/core";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");

/** The action versions researched for this repository: the current major of each, pinned. */
const ACTIONS: Record<string, string> = {
    "actions/checkout": "v7",
    "actions/setup-node": "v7",
    "aws-actions/configure-aws-credentials": "v6",
    "pulumi/actions": "v7",
};

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

interface Job {
    needs?: string | string[];
    if?: string;
    permissions?: Record<string, string>;
    environment?: string;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    steps: Step[];
}

interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    jobs: Record<string, Job>;
}

function read(file: string): { text: string; workflow: Workflow } {
    const text = fs.readFileSync(path.join(DIR, file), "utf8");
    return { text, workflow: yaml.load(text) as Workflow };
}

/** The validator's findings, flattened to `path: problem` lines (alternatives of a oneOf included). */
function problems(errors: ValidationError[]): string[] {
    const lines: string[] = [];
    for (const e of errors) {
        const where = "location" in e && e.location ? `line ${e.location.line}` : "path" in e && e.path ? e.path : "/";
        const nested = "states" in e ? (e.states ?? []) : [];
        if (nested.length > 0) for (const s of nested) lines.push(...problems(s.errors));
        else lines.push(`${where}: ${e.title}${e.detail ? ` (${e.detail})` : ""}`);
    }
    return lines;
}

function validate(text: string): string[] {
    return problems(validateWorkflow(text).errors);
}

const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const pr = read("pull-request.yml").workflow;
const deploy = read("deploy.yml").workflow;

/** Every step of a workflow, with its job. */
function steps(w: Workflow): { job: string; step: Step; index: number }[] {
    return Object.entries(w.jobs).flatMap(([job, j]) => j.steps.map((step, index) => ({ job, step, index })));
}

function pulumiSteps(w: Workflow) {
    return steps(w).filter(({ step }) => step.uses?.startsWith("pulumi/actions@"));
}

function indexOf(job: Job, predicate: (s: Step) => boolean, what: string): number {
    const i = job.steps.findIndex(predicate);
    assert.notEqual(i, -1, `no step ${what}`);
    return i;
}

describe("the workflow files", () => {
    it("are exactly pull-request.yml and deploy.yml", () => {
        assert.deepEqual(files, ["deploy.yml", "pull-request.yml"]);
    });

    for (const file of files) {
        it(`${file} is valid against GitHub's workflow schema`, () => {
            assert.deepEqual(validate(read(file).text), [], `${file} is not a valid workflow`);
        });
    }
});

describe("the workflow validator rejects broken workflows", () => {
    const broken = (change: (w: Workflow & Record<string, unknown>) => void): string[] => {
        const w = yaml.load(read("pull-request.yml").text) as Workflow & Record<string, unknown>;
        change(w);
        return validate(yaml.dump(w));
    };

    it("a job without runs-on", () => {
        assert.ok(broken((w) => delete (w.jobs.test as unknown as Record<string, unknown>)["runs-on"]).includes("/jobs/test/runs-on: This property is required"));
    });

    it("a misspelt permission level", () => {
        assert.ok(broken((w) => (w.permissions!["id-token"] = "writ")).includes("/permissions/id-token: Enum conditions are not met"));
    });

    it("a misspelt top-level key", () => {
        assert.deepEqual(
            broken((w) => {
                w.permision = w.permissions;
                delete w.permissions;
            }),
            ["/: Property conditions are not met (Additional property 'permision' is not allowed)"],
        );
    });

    it("a misspelt step key", () => {
        assert.ok(
            broken((w) => ((w.jobs.preview.steps[0] as Record<string, unknown>).runs = "npm ci")).includes(
                "/jobs/preview/steps/0: Property conditions are not met (Additional property 'runs' is not allowed)",
            ),
        );
    });

    it("a workflow without triggers, and text that is not YAML", () => {
        assert.deepEqual(
            broken((w) => delete (w as Partial<Workflow>).on),
            ["/on: This property is required"],
        );
        const [parse] = validate("name: x\non: [push\njobs: {}\n");
        assert.match(parse, /^line 3: Parse Error/);
    });
});

describe("pull requests", () => {
    it("trigger on pull requests to main only", () => {
        assert.deepEqual(pr.on, { pull_request: { branches: ["main"] } });
    });

    it("run npm ci and npm test on Node 24, the version the project ships as a dev dependency", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
        assert.match(manifest.devDependencies.node, /^\^?24\./);
        const test = pr.jobs.test;
        const setup = test.steps[indexOf(test, (s) => s.uses?.startsWith("actions/setup-node@") === true, "setup-node")];
        assert.equal(setup.with!["node-version"], 24);
        const ci = indexOf(test, (s) => s.run === "npm ci", "npm ci");
        const run = indexOf(test, (s) => s.run === "npm test", "npm test");
        assert.ok(indexOf(test, (s) => s.uses?.startsWith("actions/checkout@") === true, "checkout") < ci && ci < run);
    });

    it("preview the configured stack after the tests pass, and post the preview on the pull request", () => {
        const job = pr.jobs.preview;
        assert.equal(job.needs, "test");
        assert.equal(job.if, "github.event.pull_request.head.repo.full_name == github.repository");
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
        // Its token comes from an environment with required reviewers, never from repository secrets a branch can use.
        assert.equal(job.environment, "preview");
        const [pulumi, ...others] = pulumiSteps(pr);
        assert.deepEqual(others, [], "one pulumi step in the pull request workflow");
        assert.equal(pulumi.job, "preview");
        assert.deepEqual(pulumi.step.with, {
            command: "preview",
            "stack-name": "${{ vars.PULUMI_STACK }}",
            "comment-on-pr": true,
            "github-token": "${{ secrets.GITHUB_TOKEN }}",
            diff: true,
        });
        assert.deepEqual(pulumi.step.env, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
        const ci = indexOf(job, (s) => s.run === "npm ci", "npm ci");
        const aws = indexOf(job, (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true, "AWS credentials");
        assert.ok(ci < pulumi.index && aws < pulumi.index, "dependencies and credentials come before the preview");
        assert.equal(job.steps[aws].with!["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
    });
});

describe("pushes to main", () => {
    it("trigger on pushes to main only", () => {
        assert.deepEqual(deploy.on, { push: { branches: ["main"] } });
    });

    it("run npm ci and npm test on Node 24 before deploying", () => {
        const test = deploy.jobs.test;
        assert.equal(test.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))!.with!["node-version"], 24);
        assert.ok(indexOf(test, (s) => s.run === "npm ci", "npm ci") < indexOf(test, (s) => s.run === "npm test", "npm test"));
        assert.equal(deploy.jobs.deploy.needs, "test");
    });

    it("run pulumi up for the configured stack, one deployment at a time, never cancelling one", () => {
        const job = deploy.jobs.deploy;
        assert.deepEqual(job.concurrency, { group: "pulumi-up-${{ vars.PULUMI_STACK }}", "cancel-in-progress": false });
        assert.equal(deploy.concurrency, undefined, "no workflow-level group that would cancel or queue the tests");
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
        assert.equal(job.environment, "production");
        const [pulumi, ...others] = pulumiSteps(deploy);
        assert.deepEqual(others, [], "one pulumi step in the deploy workflow");
        assert.equal(pulumi.job, "deploy");
        assert.equal(pulumi.step.with!.command, "up");
        assert.equal(pulumi.step.with!["stack-name"], "${{ vars.PULUMI_STACK }}");
        assert.deepEqual(pulumi.step.env, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
        const aws = indexOf(job, (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true, "AWS credentials");
        assert.ok(indexOf(job, (s) => s.run === "npm ci", "npm ci") < pulumi.index && aws < pulumi.index);
        assert.equal(job.steps[aws].with!["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    });
});

describe("credentials and permissions", () => {
    const all = [pr, deploy];

    it("come from OIDC: AWS through role-to-assume, no access keys anywhere", () => {
        for (const w of all) {
            for (const { job, step } of steps(w)) {
                if (step.uses?.startsWith("aws-actions/configure-aws-credentials@")) {
                    assert.deepEqual(Object.keys(step.with!).sort(), ["aws-region", "role-session-name", "role-to-assume"], `${w.name}/${job}`);
                    assert.equal(step.with!["aws-region"], "${{ vars.AWS_REGION }}");
                    assert.equal(w.jobs[job].permissions?.["id-token"], "write", `${w.name}/${job} needs id-token: write`);
                }
            }
            const text = yaml.dump(w);
            assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/);
        }
    });

    it("use only the Pulumi access token and GitHub's own token as secrets", () => {
        const used = new Set(all.flatMap((w) => [...yaml.dump(w).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1])));
        assert.deepEqual([...used].sort(), ["GITHUB_TOKEN", "PULUMI_ACCESS_TOKEN"]);
    });

    it("grant id-token: write only to jobs that assume an AWS role, and only read access by default", () => {
        for (const w of all) {
            assert.deepEqual(w.permissions, { contents: "read" }, `${w.name} default permissions`);
            for (const [name, job] of Object.entries(w.jobs)) {
                const assumes = job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
                assert.equal(job.permissions?.["id-token"] === "write", assumes, `${w.name}/${name}`);
            }
        }
    });

    it("run Pulumi only through the Pulumi action (so the commands above are all there is)", () => {
        for (const w of all) {
            for (const { job, step } of steps(w)) assert.doesNotMatch(step.run ?? "", /\bpulumi\b/, `${w.name}/${job} runs pulumi directly`);
        }
    });
});

describe("actions", () => {
    it("are the current major versions, pinned", () => {
        const used = new Set(steps(pr).concat(steps(deploy)).map(({ step }) => step.uses).filter((u): u is string => u !== undefined));
        assert.deepEqual([...used].sort(), Object.entries(ACTIONS).map(([a, v]) => `${a}@${v}`).sort());
    });
});
