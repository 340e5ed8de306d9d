/**
 * The GitHub Actions workflows (.github/workflows): valid against GitHub's workflow schema (the SchemaStore schema
 * that @action-validator/core compiles in, so nothing is fetched), and doing what README.md, "Deploying from CI (GitHub Actions)" promises:
 * pull requests run the tests and post a `pulumi preview`; pushes to main run the tests and `pulumi up`, one
 * deployment at a time; AWS credentials come only from OIDC; nothing long-lived is in the repository. And what
 * docs/ci-security.md promises: actions pinned to release commits, no persisted Git credentials, no install scripts
 * in jobs that hold tokens, a Pulumi CLI of at least 3.238, and a preview role that may call exactly what the
 * program looks up.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { validateWorkflow, ValidationError } from "@action-validator/core";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");

/**
 * Every action, pinned to the full commit SHA of a release tag (a tag can be moved to other code; a commit
 * cannot), with the release as a trailing comment. The SHAs are the commits the tags point at in the actions'
 * repositories (`git show-ref --tags -d`); update SHA and comment together.
 */
const ACTIONS: Record<string, { sha: string; version: string }> = {
    "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", version: "v7.0.1" },
    "actions/setup-node": { sha: "820762786026740c76f36085b0efc47a31fe5020", version: "v7.0.0" },
    "aws-actions/configure-aws-credentials": { sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c", version: "v6.2.3" },
    "pulumi/actions": { sha: "8e5e406f4007fca908480587cb9893c07090f58d", version: "v7.0.0" },
};

/**
 * The engine's parallelism for `pulumi up` and `pulumi preview` (the action's `parallel` input, passed as
 * `--parallel`): enough for every load balancer of a stack of up to 50 endpoints to provision at once (the modelled
 * deploy time, tests/testing/deployGraph.test.ts and docs/ci.md).
 */
const PARALLELISM = 64;

/** The oldest Pulumi CLI the program runs under: resource hooks from 3.182, failing after-hooks fail the deployment from 3.238. */
const PULUMI_CLI_MINIMUM = { major: 3, minor: 238 };

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
            "pulumi-version": "^3.238.0",
            command: "preview",
            parallel: PARALLELISM,
            "stack-name": "${{ vars.PULUMI_STACK }}",
            "comment-on-pr": true,
            "github-token": "${{ secrets.GITHUB_TOKEN }}",
            diff: true,
        });
        assert.deepEqual(pulumi.step.env, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
        const ci = indexOf(job, (s) => s.run === "npm ci --ignore-scripts", "npm ci --ignore-scripts");
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
        assert.equal(pulumi.step.with!.parallel, PARALLELISM);
        assert.equal(pulumi.step.with!["pulumi-version"], "^3.238.0");
        assert.equal(pulumi.step.with!["stack-name"], "${{ vars.PULUMI_STACK }}");
        assert.deepEqual(pulumi.step.env, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
        const aws = indexOf(job, (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true, "AWS credentials");
        assert.ok(indexOf(job, (s) => s.run === "npm ci --ignore-scripts", "npm ci --ignore-scripts") < pulumi.index && aws < pulumi.index);
        assert.equal(job.steps[aws].with!["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    });
});

describe("the engine's parallelism", () => {
    it("is set on both Pulumi steps, and docs/ci.md gives the same value", () => {
        for (const w of [pr, deploy]) for (const { step } of pulumiSteps(w)) assert.equal(step.with!.parallel, PARALLELISM, w.name);
        assert.ok(fs.readFileSync(path.join(ROOT, "docs", "ci.md"), "utf8").includes(`parallel: ${PARALLELISM}`));
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

describe("supply chain: pinned actions, no persisted token, no install scripts beside tokens", () => {
    const texts = Object.fromEntries(files.map((f) => [f, read(f).text]));

    it("every action is pinned to the commit of its release, with the release as a comment", () => {
        for (const file of files) assert.deepEqual(pinProblems(texts[file]), [], file);
        const used = new Set(Object.values(texts).flatMap((t) => usesLines(t).map((u) => `${u.ref} # ${u.comment}`)));
        assert.deepEqual(
            [...used].sort(),
            Object.entries(ACTIONS).map(([a, p]) => `${a}@${p.sha} # ${p.version}`).sort(),
        );
    });

    it("refuses tags, short SHAs, a missing or wrong release comment, and unknown actions", () => {
        const sha = ACTIONS["actions/checkout"].sha;
        assert.deepEqual(
            pinProblems(
                [
                    "steps:",
                    "  - uses: actions/checkout@v7",
                    `  - uses: actions/checkout@${sha.slice(0, 12)} # v7.0.1`,
                    `  - uses: actions/checkout@${sha}`,
                    `  - uses: actions/checkout@${sha} # v7.0.0`,
                    `  - uses: actions/checkout@${"0".repeat(40)} # v7.0.1`,
                    `  - uses: someone/else@${sha} # v1`,
                    `  - uses: "actions/checkout@${sha}" # v7.0.1`,
                    `    uses: actions/checkout@${sha} # v7.0.1`,
                ].join("\n"),
            ),
            [
                "line 2: actions/checkout@v7 is not pinned to a full commit SHA",
                `line 3: actions/checkout@${sha.slice(0, 12)} is not pinned to a full commit SHA`,
                `line 4: actions/checkout@${sha} has no release comment (expected "# v7.0.1")`,
                `line 5: actions/checkout@${sha} says "# v7.0.0", but that commit is v7.0.1`,
                `line 6: actions/checkout@${"0".repeat(40)} is not the commit of v7.0.1 (${sha})`,
                "line 7: someone/else is not an action this repository has vetted",
                `line 8: "actions/checkout@${sha}" # v7.0.1 is not a plain \`uses: owner/repo@sha # version\` line`,
            ],
        );
    });

    it("every checkout leaves no credentials in .git/config", () => {
        for (const w of [pr, deploy]) assert.deepEqual(checkoutProblems(w), [], w.name);
        const changed = structuredClone(pr);
        changed.jobs.test.steps[0].with = {};
        delete changed.jobs.preview.steps[0].with;
        assert.deepEqual(checkoutProblems(changed), [
            "test, step 0: actions/checkout without persist-credentials: false",
            "preview, step 0: actions/checkout without persist-credentials: false",
        ]);
        changed.jobs.test.steps[0].with = { "persist-credentials": "false" };
        assert.deepEqual(checkoutProblems(changed).slice(0, 1), ["test, step 0: actions/checkout without persist-credentials: false"]);
    });

    it("jobs that hold secrets or an OIDC token install without lifecycle scripts", () => {
        for (const w of [pr, deploy]) assert.deepEqual(installProblems(w), [], w.name);
        assert.deepEqual(
            ["preview", "test"].map((j) => holdsTokens(pr.jobs[j])),
            [true, false],
        );
        assert.equal(holdsTokens(deploy.jobs.deploy), true);
        const changed = structuredClone(pr);
        const preview = changed.jobs.preview;
        preview.steps = [
            ...preview.steps.map((s) => (s.run === "npm ci --ignore-scripts" ? { run: "npm ci" } : s)),
            { run: "npm install left-pad" },
            { run: "npm rebuild esbuild --ignore-scripts" },
            { run: "npx tsc -p ." },
            { run: "npm run typecheck" },
            { run: "npm i" },
        ];
        const at = (i: number) => `preview, step ${i}`;
        const ci = preview.steps.findIndex((s) => s.run === "npm ci");
        const n = preview.steps.length;
        assert.deepEqual(installProblems(changed), [
            `${at(ci)}: "npm ci" runs install scripts in a job that holds tokens; use --ignore-scripts`,
            `${at(n - 5)}: "npm install left-pad" runs install scripts in a job that holds tokens; use --ignore-scripts`,
            `${at(n - 3)}: "npx tsc -p ." runs package code by name in a job that holds tokens`,
            `${at(n - 2)}: "npm run typecheck" runs package code by name in a job that holds tokens`,
            `${at(n - 1)}: "npm i" runs install scripts in a job that holds tokens; use --ignore-scripts`,
        ]);
        // The tests job holds no token, so it installs normally (the `node` package's script provides `npm test`'s node).
        assert.deepEqual(pr.jobs.test.steps.filter((s) => s.run).map((s) => s.run), ["npm ci", "npm test"]);
    });

    it("the packages with install scripts are exactly those the token-holding jobs were checked to work without", () => {
        // Each was checked by hand; a new one must be checked too (docs/ci-security.md says how) before it is added here.
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { hasInstallScript?: boolean }> };
        const withScripts = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript).map(([name]) => name).sort();
        assert.deepEqual(withScripts, ["node_modules/esbuild", "node_modules/node", "node_modules/protobufjs"]);
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { allowScripts: Record<string, boolean> };
        assert.deepEqual(Object.keys(manifest.allowScripts).sort(), ["esbuild", "node", "protobufjs"]);
    });

    it(`every Pulumi step installs a CLI of at least ${PULUMI_CLI_MINIMUM.major}.${PULUMI_CLI_MINIMUM.minor}`, () => {
        for (const w of [pr, deploy]) assert.deepEqual(pulumiVersionProblems(w), [], w.name);
        const versions = ["3.237.9", "^3.100.0", "^3", "latest", "dev", "4.0.0", ">=3.238.0", 3.238, "~3.238.1", "3.238.0", "^3.240.2"];
        const changed = structuredClone(deploy);
        const step = changed.jobs.deploy.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        assert.deepEqual(
            versions.map((v) => {
                step.with!["pulumi-version"] = v;
                return pulumiVersionProblems(changed).join("; ") || "ok";
            }),
            [
                'deploy: pulumi-version "3.237.9" may install a CLI older than 3.238',
                'deploy: pulumi-version "^3.100.0" may install a CLI older than 3.238',
                'deploy: pulumi-version "^3" may install a CLI older than 3.238',
                'deploy: pulumi-version "latest" may install a CLI older than 3.238',
                'deploy: pulumi-version "dev" may install a CLI older than 3.238',
                'deploy: pulumi-version "4.0.0" may install a CLI older than 3.238',
                'deploy: pulumi-version ">=3.238.0" may install a CLI older than 3.238',
                "deploy: pulumi-version 3.238 may install a CLI older than 3.238",
                "ok",
                "ok",
                "ok",
            ],
        );
        delete step.with!["pulumi-version"];
        assert.deepEqual(pulumiVersionProblems(changed), ["deploy: pulumi-version is not set, so the action installs any 3.x (or uses the runner's)"]);
    });
});

/** Lines of a workflow file that name an action, with the text after `@` and the trailing comment. */
function usesLines(text: string): { line: number; raw: string; ref: string; comment?: string }[] {
    return text
        .split("\n")
        .map((raw, i) => ({ raw, line: i + 1 }))
        .filter(({ raw }) => /^\s*(?:-\s+)?uses:/.test(raw))
        .map(({ raw, line }) => {
            const m = /^\s*(?:-\s+)?uses:\s+([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+)(?:\s+#\s+(\S+))?\s*$/.exec(raw);
            return { line, raw: raw.replace(/^\s*(?:-\s+)?uses:\s+/, ""), ref: m?.[1] ?? "", comment: m?.[2] };
        });
}

/** Actions not pinned to the commit of a vetted release, one line each. */
function pinProblems(text: string): string[] {
    return usesLines(text).flatMap(({ line, raw, ref, comment }) => {
        if (!ref) return [`line ${line}: ${raw} is not a plain \`uses: owner/repo@sha # version\` line`];
        const [action, at] = ref.split("@");
        const vetted = ACTIONS[action];
        if (!vetted) return [`line ${line}: ${action} is not an action this repository has vetted`];
        if (!/^[0-9a-f]{40}$/.test(at)) return [`line ${line}: ${ref} is not pinned to a full commit SHA`];
        if (at !== vetted.sha) return [`line ${line}: ${ref} is not the commit of ${vetted.version} (${vetted.sha})`];
        if (comment === undefined) return [`line ${line}: ${ref} has no release comment (expected "# ${vetted.version}")`];
        if (comment !== vetted.version) return [`line ${line}: ${ref} says "# ${comment}", but that commit is ${vetted.version}`];
        return [];
    });
}

/** Checkout steps that would leave the job's token in .git/config. */
function checkoutProblems(w: Workflow): string[] {
    return steps(w)
        .filter(({ step }) => step.uses?.startsWith("actions/checkout@"))
        .filter(({ step }) => step.with?.["persist-credentials"] !== false)
        .map(({ job, index }) => `${job}, step ${index}: actions/checkout without persist-credentials: false`);
}

/** True for a job that gets a secret, an environment's secrets or an OIDC token. */
function holdsTokens(job: Job): boolean {
    return job.environment !== undefined || job.permissions?.["id-token"] === "write" || /\bsecrets\./.test(JSON.stringify(job));
}

/** Steps of token-holding jobs that would run a dependency's code: install scripts, or packages run by name. */
function installProblems(w: Workflow): string[] {
    return steps(w)
        .filter(({ job, step }) => holdsTokens(w.jobs[job]) && step.run !== undefined)
        .flatMap(({ job, step, index }) =>
            step.run!.split("\n").flatMap((command) => {
                const at = `${job}, step ${index}: ${JSON.stringify(command)}`;
                if (/\b(npm|yarn|pnpm)\s+(ci|install|i|add|rebuild|install-ci-test|it)\b/.test(command) && !/(^|\s)--ignore-scripts(\s|$)/.test(command)) {
                    return [`${at} runs install scripts in a job that holds tokens; use --ignore-scripts`];
                }
                if (/\b(npx|npm\s+(run|exec|test|start|x))\b/.test(command)) return [`${at} runs package code by name in a job that holds tokens`];
                return [];
            }),
        );
}

/** Pulumi steps whose `pulumi-version` could install a CLI older than the minimum. */
function pulumiVersionProblems(w: Workflow): string[] {
    return pulumiSteps(w).flatMap(({ job, step }) => {
        const v = step.with?.["pulumi-version"];
        if (v === undefined) return [`${job}: pulumi-version is not set, so the action installs any 3.x (or uses the runner's)`];
        // An exact version, a caret range (same major) or a tilde range (same minor), all bounded below by x.y.z.
        const m = typeof v === "string" ? /^[\^~]?(\d+)\.(\d+)\.(\d+)$/.exec(v) : null;
        const ok = m !== null && Number(m[1]) === PULUMI_CLI_MINIMUM.major && Number(m[2]) >= PULUMI_CLI_MINIMUM.minor;
        return ok ? [] : [`${job}: pulumi-version ${JSON.stringify(v)} may install a CLI older than ${PULUMI_CLI_MINIMUM.major}.${PULUMI_CLI_MINIMUM.minor}`];
    });
}

describe("the preview role's policy (docs/ci-security.md)", () => {
    /**
     * AWS actions each lookup of the program needs in a preview. `getCallerIdentity` needs no permission
     * (sts:GetCallerIdentity is always allowed); `getPartition` and `getRegion` are answered by the provider;
     * the admin secret is read by `pulumi up` only (databaseIntegrations.ts skips it when isDryRun()).
     */
    const PREVIEW_ACTIONS: Record<string, string[]> = {
        // An allowlisted prefix list's size, family and entries (the provider reads the entries with a Get call).
        "ec2.getManagedPrefixList": ["ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"],
        // The load balancer's network interfaces, for its flow logs (once it exists).
        "ec2.getNetworkInterface": ["ec2:DescribeNetworkInterfaces"],
        "ec2.getSubnet": ["ec2:DescribeSubnets"],
        "ec2.getVpc": ["ec2:DescribeVpcs"],
        "rds.getInstance": ["rds:DescribeDBInstances", "rds:ListTagsForResource"],
        "rds.getSubnetGroup": ["rds:DescribeDBSubnetGroups"],
        getCallerIdentity: [],
        getPartition: [],
        getRegion: [],
        "secretsmanager.getSecretVersion": [],
    };

    /**
     * Program sources that call AWS through an SDK client, but only during `pulumi up` (never in a preview,
     * so the preview role needs nothing for them): the deploy role's permissions cover them.
     */
    /**
     * Program sources that call AWS through an SDK client in a preview too (read-only calls, once a lookup they
     * need has resolved), with the actions they call.
     */
    const PREVIEW_SDK_CALLERS: Record<string, string[]> = {
        // Whether an RDS instance records who logs in: its parameter group, or its option group.
        "infra/components/databaseEndpoint/connectionLogging.ts": ["rds:DescribeDBParameters", "rds:DescribeOptionGroups"],
    };

    const DEPLOY_ONLY_SDK_CALLERS: Record<string, string> = {
        "infra/components/databaseIntegrations.ts": "waits for a healthy target (DescribeTargetHealth) during pulumi up only",
    };

    /**
     * Every `aws.<module>.get<Thing>(...)` / `...Output(...)` invoke in the program's sources (the Lambda's and hooks'
     * code runs later, in AWS or at deployment; infra/verify and infra/handoff are commands that never run in the
     * program, which the architecture test keeps from importing them).
     */
    function lookups(): string[] {
        const found = new Set<string>();
        const walk = (dir: string): void => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) {
                    if (!["lambda", "hooks", "verify", "handoff"].some((d) => full === path.join(ROOT, "infra", d))) walk(full);
                } else if (entry.name.endsWith(".ts")) {
                    const text = fs.readFileSync(full, "utf8");
                    for (const m of text.matchAll(/\baws\.((?:[a-z0-9]+\.)?get[A-Z][A-Za-z0-9]*?)(?:Output)?\(/g)) found.add(m[1]);
                    const relative = path.relative(ROOT, full);
                    const deployOnly = DEPLOY_ONLY_SDK_CALLERS[relative];
                    if (deployOnly) assert.match(text, /pulumi\.runtime\.isDryRun\(\)/, `${full} ${deployOnly}, so it must check isDryRun()`);
                    else if (PREVIEW_SDK_CALLERS[relative]) {
                        assert.match(text, /\bnew [A-Z][A-Za-z0-9]*Client\(/, `${full} is listed as calling AWS through an SDK client but does not`);
                        found.add(relative);
                    } else assert.doesNotMatch(text, /\bnew [A-Z][A-Za-z0-9]*Client\(/, `${full} calls AWS through an SDK client while the program runs`);
                }
            }
        };
        walk(path.join(ROOT, "infra"));
        return [...found].sort();
    }

    function policy(): { Version: string; Statement: { Sid: string; Effect: string; Action: string[]; Resource: string }[] } {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "ci-security.md"), "utf8");
        const m = /<!-- preview-policy -->\n```json\n([\s\S]*?)\n```/.exec(doc);
        assert.ok(m, "docs/ci-security.md has the preview policy after <!-- preview-policy -->");
        return JSON.parse(m[1]);
    }

    it("knows every lookup the program makes", () => {
        assert.deepEqual(lookups(), [...Object.keys(PREVIEW_ACTIONS), ...Object.keys(PREVIEW_SDK_CALLERS)].sort());
    });

    it("allows exactly the Describe/List/Get actions those lookups need, nothing else", () => {
        const needed = [...new Set([...Object.values(PREVIEW_ACTIONS), ...Object.values(PREVIEW_SDK_CALLERS)].flat())].sort();
        assert.deepEqual(policy(), {
            Version: "2012-10-17",
            Statement: [{ Sid: "DbEndpointsPreviewLookups", Effect: "Allow", Action: needed, Resource: "*" }],
        });
        for (const action of needed) assert.match(action, /^(ec2|rds):(Describe|List|Get)[A-Za-z]+$/);
    });

    it("is what the README points the preview role at, instead of ReadOnlyAccess", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Deploying from CI (GitHub Actions)"));
        assert.match(section, /\[docs\/ci-security\.md\]\(docs\/ci-security\.md\)/);
        assert.doesNotMatch(section, /`ReadOnlyAccess` covers/);
        assert.match(section, /Prevent self-review/);
    });
});
