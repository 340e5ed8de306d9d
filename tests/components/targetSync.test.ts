/**
 * Target sync under Pulumi's mock runtime: the upkeep function as the stack declares it (runtime, handler,
 * timeout, memory, environment, code: a bundle that runs on its own, through its own SDK, and is the same on every
 * program run), its role and the exact policy document, the RDS event pattern and the schedule, the deploy-time
 * invocation, the hand-over of RDS targets from the program to the function (no attachment, the function's tag
 * ignored) while self-managed databases keep theirs, the stack config switch, and the TargetSync component's
 * argument checks. The function's other duties: tests/components/upkeep.test.ts.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../../testing/stackFile";
import { exampleWorld, installMockCloud, MockCloud, parentName, settle, unwrap } from "../../testing/mockCloud";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let stack: typeof import("../../infra/program/main");
let sync: typeof import("../../infra/components/upkeep");
let bundle: typeof import("../../infra/components/targetSync");
let bundles: typeof import("../../infra/components/support/lambdaBundle");
let settings: typeof import("../../infra/lambda/targetSync/settings");
let config: typeof import("../../infra/program/config");
/** Per resource name: the ignoreChanges and dependency URNs it was registered with. */
const options = new Map<string, { ignoreChanges: string[]; dependencies: string[] }>();

before(async () => {
    cloud = installMockCloud();
    // The shared recorder does not keep these two options; note them here, then register as usual.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        options.set(req.getName(), { ignoreChanges: req.getIgnorechangesList(), dependencies: req.getDependenciesList() });
        return register(req, callback);
    };
    stack = await import("../../infra/program/main");
    sync = await import("../../infra/components/upkeep");
    bundle = await import("../../infra/components/targetSync");
    bundles = await import("../../infra/components/support/lambdaBundle");
    settings = await import("../../infra/lambda/targetSync/settings");
    config = await import("../../infra/program/config");
});

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const RDS_HOST = "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com";

function hex(text: string, n: number): string {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, n);
}
/** Names and ARNs as the mock cloud (testing/mockCloud.ts) gives them. */
const autoName = (name: string) => `${name}-${hex(name, 7)}`;
const tgArn = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/${hex(name, 16)}`;
const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

const FN = autoName("upkeep-fn");
const FN_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FN}`;
const LOG_GROUP = autoName("upkeep-logs");
const LOG_GROUP_ARN = `arn:aws:logs:us-east-1:123456789012:log-group:${LOG_GROUP}`;
const ROLE = autoName("upkeep-role");
const RULE = autoName("upkeep-rds-events-1");
const SCHEDULE_RULE = autoName("upkeep-schedule");
const EVENT_IDS = [
    "RDS-EVENT-0006", "RDS-EVENT-0013", "RDS-EVENT-0014", "RDS-EVENT-0015", "RDS-EVENT-0021", "RDS-EVENT-0025", "RDS-EVENT-0027", "RDS-EVENT-0029",
    "RDS-EVENT-0047", "RDS-EVENT-0049", "RDS-EVENT-0050", "RDS-EVENT-0051", "RDS-EVENT-0053", "RDS-EVENT-0065", "RDS-EVENT-0088", "RDS-EVENT-0154",
];

function rawConfig(endpoints: unknown[], extra: Record<string, unknown> = {}) {
    return { vpcId: VPC, publicSubnetIds: SUBNETS, endpoints, ...extra };
}
const RDS_ENDPOINT = { name: "reporting", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] };
const EC2_ENDPOINT = { name: "legacy-mysql", database: { addresses: ["10.0.3.17"], port: 3306 }, allowedCidrs: ["198.51.100.7/32"] };

async function resolveOutputs(outputs: import("../../infra/program/main").StackOutputs) {
    const targetSync: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(outputs.targetSync ?? {})) targetSync[k] = await unwrap(v as pulumi.Output<unknown>);
    await settle();
    return outputs.targetSync ? targetSync : undefined;
}

describe("the example stack (Pulumi.dev.yaml), target sync on by default", () => {
    let outputs: Record<string, unknown> | undefined;
    before(async () => {
        cloud.reset(exampleWorld());
        options.clear();
        pulumi.runtime.setAllConfig(readStackFile("dev").config);
        outputs = await resolveOutputs(runStackProgram(cloud, stack.readRawStackConfig()));
    });

    it("creates one upkeep function with exactly these resources, all its children", () => {
        const mine = cloud.registered.filter((r) => r.name.startsWith("upkeep"));
        assert.deepEqual(
            mine.map((r) => [r.type, r.name]).sort(),
            [
                ["aws:cloudwatch/eventRule:EventRule", "upkeep-rds-events-1"],
                ["aws:cloudwatch/eventRule:EventRule", "upkeep-schedule"],
                ["aws:cloudwatch/eventTarget:EventTarget", "upkeep-rds-events-1-target"],
                ["aws:cloudwatch/eventTarget:EventTarget", "upkeep-schedule-target"],
                ["aws:cloudwatch/logGroup:LogGroup", "upkeep-logs"],
                ["aws:iam/role:Role", "upkeep-role"],
                ["aws:iam/rolePolicy:RolePolicy", "upkeep-policy"],
                ["aws:lambda/function:Function", "upkeep-fn"],
                ["aws:lambda/invocation:Invocation", "upkeep-deploy-sync"],
                ["aws:lambda/permission:Permission", "upkeep-rds-events-1-allow"],
                ["aws:lambda/permission:Permission", "upkeep-schedule-allow"],
                ["db-endpoints:index:Upkeep", "upkeep"],
            ].sort(),
        );
        for (const r of mine) assert.equal(parentName(r), r.type === "db-endpoints:index:Upkeep" ? "db-endpoints" : "upkeep", r.name);
    });

    it("runs the function on Node.js 24 outside any VPC, with its own log group", () => {
        const { code, ...fn } = cloud.named("upkeep-fn").inputs;
        assert.deepEqual(fn, {
            description:
                "db-endpoints upkeep: keeps RDS endpoints' targets on their instances' addresses; publishes the certificates' days to expiry; revokes expired allowlist rules",
            role: `arn:aws:iam::123456789012:role/${ROLE}`,
            runtime: "nodejs24.x",
            handler: "index.handler",
            architectures: ["arm64"],
            memorySize: 256,
            timeout: 180,
            environment: { variables: { DB_ENDPOINTS_STACK: "db-endpoints/dev", EVENT_POLL_SECONDS: "50" } },
            loggingConfig: { logFormat: "Text", logGroup: LOG_GROUP },
            tags: { team: "data-platform", "managed-by": "pulumi/db-endpoints", "db-endpoints:component": "upkeep" },
            // and nothing else: in particular no vpcConfig.
        });
        assert.deepEqual(cloud.named("upkeep-logs").inputs.retentionInDays, 30);
    });

    it("ships the bundled handler and the list of RDS target groups to keep in sync", async () => {
        const { code } = cloud.named("upkeep-fn").inputs;
        // certificates.json: the certificate-expiry duty of the example stack's alarms (tests/components/upkeep.test.ts);
        // expiring-rules.json: the revocation duty, for the example's expiring allowlist entry (in reporting's only group).
        assert.deepEqual(Object.keys(code.assets).sort(), ["certificates.json", "expiring-rules.json", "index.js", "targets.json"]);
        assert.deepEqual(JSON.parse(code.assets["expiring-rules.json"].text), { securityGroupIds: [sgId("reporting-sg-1")] });
        assert.equal(code.assets["index.js"].text, await bundle.bundleTargetSyncCode());
        assert.deepEqual(JSON.parse(code.assets["targets.json"].text), {
            targets: [{ targetGroupArn: tgArn("reporting-tg"), rdsInstanceIdentifier: "prod-postgres", rdsAddress: RDS_HOST, port: 5432 }],
        });
    });

    it("bundles a self-contained function: it loads and reads its duties with no node_modules around it", () => {
        const { code } = cloud.named("upkeep-fn").inputs;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "target-sync-bundle-"));
        for (const file of Object.keys(code.assets)) fs.writeFileSync(path.join(dir, file), code.assets[file].text);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require(path.join(dir, "index.js"));
        assert.equal(typeof loaded.handler, "function");
        const settings = loaded.loadSettings(dir, { DB_ENDPOINTS_STACK: "db-endpoints/dev" });
        assert.deepEqual(settings.targets.map((t: any) => t.targetGroupArn), [tgArn("reporting-tg")]);
        assert.deepEqual(settings.certificates.map((c: any) => c.name), ["ca-1", "db-10.0.3.17-3306"]);
        assert.equal(settings.stack, "db-endpoints/dev");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("runs from its bundle alone: a deploy-time sync registers the new address through the bundled SDK, against an ELB endpoint", async () => {
        // The bundle carries its own copy of the SDK, which no client mock in this process reaches; so the ELB
        // API is a local HTTP endpoint that answers as ELB does (Query protocol, XML), and the bundled client
        // signs, sends and parses every call for real.
        const { code } = cloud.named("upkeep-fn").inputs;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "target-sync-bundle-"));
        const requests: Record<string, string>[] = [];
        const http = await import("node:http");
        const reply = (action: string) =>
            action === "DescribeTargetHealth"
                ? "<DescribeTargetHealthResponse><DescribeTargetHealthResult><TargetHealthDescriptions><member><Target><Id>10.0.2.41</Id><Port>5432</Port></Target>" +
                  "<TargetHealth><State>healthy</State></TargetHealth></member></TargetHealthDescriptions></DescribeTargetHealthResult></DescribeTargetHealthResponse>"
                : `<${action}Response><${action}Result/><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></${action}Response>`;
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => {
                const params = Object.fromEntries(new URLSearchParams(body));
                requests.push({ ...params, authorization: String(req.headers.authorization ?? "").split(" ")[0] });
                res.writeHead(200, { "content-type": "text/xml" });
                res.end(reply(params.Action));
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            for (const file of Object.keys(code.assets)) fs.writeFileSync(path.join(dir, file), code.assets[file].text);
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const fn = require(path.join(dir, "index.js"));
            const port = (server.address() as { port: number }).port;
            const lines: string[] = [];
            const run = fn.createHandler({
                settings: fn.loadSettings(dir, { DB_ENDPOINTS_STACK: "db-endpoints/dev" }),
                elb: fn.elbClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } }),
                // The instance failed over: its name now resolves to another private address.
                resolve: async () => ["10.0.2.99"],
                sleep: async () => undefined,
                now: () => Date.parse("2026-01-01T00:00:00Z"),
                random: () => 0.5,
                writeLine: (line: string) => lines.push(line),
            });
            const summary = await run({ action: "sync", trigger: "deploy" });
            assert.deepEqual(
                { trigger: summary.trigger, changed: summary.changed, failed: summary.failed, outcome: summary.results.map((r: any) => r.outcome) },
                { trigger: "deploy", changed: 1, failed: 0, outcome: ["changed"] },
            );
            const group = tgArn("reporting-tg");
            assert.deepEqual(requests, [
                { Action: "DescribeTargetHealth", Version: "2015-12-01", TargetGroupArn: group, authorization: "AWS4-HMAC-SHA256" },
                {
                    Action: "RegisterTargets",
                    Version: "2015-12-01",
                    TargetGroupArn: group,
                    "Targets.member.1.Id": "10.0.2.99",
                    "Targets.member.1.Port": "5432",
                    authorization: "AWS4-HMAC-SHA256",
                },
                {
                    Action: "AddTags",
                    Version: "2015-12-01",
                    "ResourceArns.member.1": group,
                    "Tags.member.1.Key": "db-endpoints:targets-changed-at",
                    "Tags.member.1.Value": "2026-01-01T00:00:00Z",
                    authorization: "AWS4-HMAC-SHA256",
                },
            ]);
            assert.ok(lines.some((l) => JSON.parse(l).event === "sync-finished"), lines.join("\n"));
        } finally {
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("ships the same code on every program run: bundled, read back from the cache, or bundled from another directory", async () => {
        // Three program runs of the same stack: the first bundles and fills an empty cache, the second reads the
        // cache, the third bundles again from another working directory with no cache. The function's code (and
        // the deploy-time run's trigger, its hash) must be byte-identical, or an unchanged stack would show a diff.
        const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "target-sync-cache-"));
        const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "target-sync-cwd-"));
        const saved = { cwd: process.cwd(), env: process.env[bundles.CACHE_DIR_ENV] };
        const runs: { code: unknown; trigger: unknown; source: string }[] = [];
        const programRun = async () => {
            bundles.forgetLambdaBundles();
            cloud.reset(exampleWorld());
            pulumi.runtime.setAllConfig(readStackFile("dev").config);
            await resolveOutputs(runStackProgram(cloud, stack.readRawStackConfig()));
            const { source } = await bundles.lambdaBundle(bundle.TARGET_SYNC_BUNDLE);
            runs.push({ code: cloud.named("upkeep-fn").inputs.code, trigger: cloud.named("upkeep-deploy-sync").inputs.triggers.code, source });
        };
        try {
            process.env[bundles.CACHE_DIR_ENV] = cacheDir;
            await programRun();
            await programRun();
            process.env[bundles.CACHE_DIR_ENV] = "";
            process.chdir(elsewhere);
            await programRun();
        } finally {
            process.chdir(saved.cwd);
            if (saved.env === undefined) delete process.env[bundles.CACHE_DIR_ENV];
            else process.env[bundles.CACHE_DIR_ENV] = saved.env;
            bundles.forgetLambdaBundles();
            fs.rmSync(cacheDir, { recursive: true, force: true });
            fs.rmSync(elsewhere, { recursive: true, force: true });
        }
        assert.deepEqual(runs.map((r) => r.source), ["build", "cache", "build"]);
        assert.deepEqual(runs[1].code, runs[0].code);
        assert.deepEqual(runs[2].code, runs[0].code);
        assert.deepEqual(runs.map((r) => r.trigger), Array(3).fill(runs[0].trigger));
        assert.equal(runs[0].trigger, sha256((runs[0].code as any).assets["index.js"].text));
    });

    it("bundles the ELB client and not the EC2 client: the revocation duty loads the Lambda runtime's, when it runs", () => {
        const js: string = cloud.named("upkeep-fn").inputs.code.assets["index.js"].text;
        // (Checked with includes: a failing match would print the whole bundle.)
        assert.ok(js.includes('require("@aws-sdk/client-ec2")'), "the EC2 client is required from the runtime");
        assert.ok(!js.includes("node_modules/@aws-sdk/client-ec2/"), "no module of the EC2 client is bundled");
        assert.ok(js.includes("node_modules/@aws-sdk/client-elastic-load-balancing-v2/"), "the ELB client is bundled");
        // About the size of the ELB client and the handler alone (the EC2 client would add some 1.7 MB).
        assert.ok(js.length < 1_200_000, `${js.length} bytes`);
    });

    it("lets the function make only its calls, on this stack's target groups and its own log group", () => {
        assert.deepEqual(JSON.parse(cloud.named("upkeep-role").inputs.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        const policy = cloud.named("upkeep-policy").inputs;
        assert.equal(policy.role, ROLE);
        assert.deepEqual(JSON.parse(policy.policy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ReconcileTargets",
                    Effect: "Allow",
                    Action: ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"],
                    Resource: [tgArn("reporting-tg")],
                },
                {
                    Sid: "MarkLastChange",
                    Effect: "Allow",
                    Action: "elasticloadbalancing:AddTags",
                    Resource: [tgArn("reporting-tg")],
                    Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["db-endpoints:targets-changed-at"] }, Null: { "aws:TagKeys": "false" } },
                },
                { Sid: "ReadTargetHealth", Effect: "Allow", Action: "elasticloadbalancing:DescribeTargetHealth", Resource: "*" },
                // The example's expiring allowlist entry: its security group, and nothing else, may lose rules.
                {
                    Sid: "RevokeExpiredRules",
                    Effect: "Allow",
                    Action: "ec2:RevokeSecurityGroupIngress",
                    Resource: [`arn:aws:ec2:us-east-1:123456789012:security-group/${sgId("reporting-sg-1")}`],
                },
                {
                    Sid: "FindExpiringRules",
                    Effect: "Allow",
                    Action: "ec2:DescribeSecurityGroupRules",
                    Resource: "*",
                    Condition: { StringEquals: { "ec2:Region": "us-east-1" } },
                },
                { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${LOG_GROUP_ARN}:*` },
            ],
        });
        // No other policy of any kind is attached to the role.
        assert.equal(cloud.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
    });

    it("matches only this stack's instances' address-changing RDS events", () => {
        assert.deepEqual(JSON.parse(cloud.named("upkeep-rds-events-1").inputs.eventPattern), {
            source: ["aws.rds"],
            "detail-type": ["RDS DB Instance Event"],
            resources: ["arn:aws:rds:us-east-1:123456789012:db:prod-postgres"],
            detail: { EventID: EVENT_IDS },
        });
        assert.deepEqual(
            settings.RDS_EVENT_IDS.map((e) => e.id),
            EVENT_IDS,
        );
        assert.deepEqual(cloud.named("upkeep-rds-events-1-target").inputs, {
            rule: RULE,
            arn: FN_ARN,
            retryPolicy: { maximumEventAgeInSeconds: 600, maximumRetryAttempts: 10 },
        });
        assert.deepEqual(cloud.named("upkeep-rds-events-1-allow").inputs, {
            action: "lambda:InvokeFunction",
            function: FN,
            principal: "events.amazonaws.com",
            sourceArn: `arn:aws:events:us-east-1:123456789012:rule/${RULE}`,
        });
    });

    it("runs a backstop every minute", () => {
        const rule = cloud.named("upkeep-schedule").inputs;
        assert.equal(rule.scheduleExpression, "rate(1 minute)");
        assert.equal(rule.eventPattern, undefined);
        assert.deepEqual(cloud.named("upkeep-schedule-target").inputs, {
            rule: SCHEDULE_RULE,
            arn: FN_ARN,
            retryPolicy: { maximumEventAgeInSeconds: 60, maximumRetryAttempts: 0 },
        });
        assert.deepEqual(cloud.named("upkeep-schedule-allow").inputs.sourceArn, `arn:aws:events:us-east-1:123456789012:rule/${SCHEDULE_RULE}`);
    });

    it("invokes the function during the deployment, again whenever code, targets or resolved addresses change", async () => {
        const invocation = cloud.named("upkeep-deploy-sync").inputs;
        const { assets } = cloud.named("upkeep-fn").inputs.code;
        assert.deepEqual(invocation, {
            functionName: FN,
            input: '{"action":"sync","trigger":"deploy"}',
            triggers: {
                code: sha256(await bundle.bundleTargetSyncCode()),
                targets: sha256(assets["targets.json"].text),
                deployedAddresses: "10.0.2.41",
                // And the certificates it publishes the days to expiry of.
                certificates: sha256(assets["certificates.json"].text),
            },
        });
        // After the target group, the function, its permissions and its log group exist.
        const deps = options.get("upkeep-deploy-sync")!.dependencies.map((urn) => urn.split("::").pop()).sort();
        // And after the certificates whose expiry it publishes (the CA's, the self-managed database's and its secret).
        assert.deepEqual(deps, ["ca-1-cert", "db-10.0.3.17-3306-cert", "db-10.0.3.17-3306-secret", "reporting-tg", "upkeep-fn", "upkeep-logs", "upkeep-policy"]);
    });

    it("leaves the RDS endpoint's targets to the function: no attachment, the function's tag ignored", () => {
        assert.deepEqual(cloud.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment").map((r) => r.name), ["legacy-mysql-target-10.0.3.17"]);
        assert.deepEqual(options.get("reporting-tg")!.ignoreChanges, ['tags["db-endpoints:targets-changed-at"]']);
        assert.deepEqual(options.get("legacy-mysql-tg")!.ignoreChanges, []);
    });

    it("outputs where to look: the function, its log group, rules, metric namespace and tag", () => {
        assert.deepEqual(outputs, {
            functionName: FN,
            logGroupName: LOG_GROUP,
            schedule: "rate(1 minute)",
            eventRuleNames: [RULE],
            metricNamespace: "DbEndpoints/TargetSync",
            changeTagKey: "db-endpoints:targets-changed-at",
        });
    });

    it("raised no asynchronous error", () => {
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("the stack config switch", () => {
    it("targetSync: false keeps the program-managed RDS attachment and creates no function (with alarms off)", async () => {
        cloud.reset(exampleWorld());
        options.clear();
        const outputs = await resolveOutputs(runStackProgram(cloud, rawConfig([RDS_ENDPOINT, EC2_ENDPOINT], { targetSync: false, alarms: { enabled: false } })));
        assert.equal(outputs, undefined);
        assert.deepEqual(cloud.registered.filter((r) => r.name.startsWith("upkeep")), []);
        assert.deepEqual(
            cloud.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment").map((r) => [r.name, r.inputs.targetId, r.inputs.port]).sort(),
            [
                ["legacy-mysql-target-10.0.3.17", "10.0.3.17", 3306],
                ["reporting-target", "10.0.2.41", 5432],
            ],
        );
        assert.deepEqual(options.get("reporting-tg")!.ignoreChanges, []);
    });

    it("targetSyncSchedule sets the backstop's rate", async () => {
        cloud.reset(exampleWorld());
        const outputs = await resolveOutputs(runStackProgram(cloud, rawConfig([RDS_ENDPOINT], { targetSyncSchedule: "rate(5 minutes)" })));
        assert.equal(outputs?.schedule, "rate(5 minutes)");
        assert.equal(cloud.named("upkeep-schedule").inputs.scheduleExpression, "rate(5 minutes)");
    });

    it("a stack with only self-managed databases gets no target sync (and with alarms off, no function)", async () => {
        cloud.reset(exampleWorld());
        assert.equal(await resolveOutputs(runStackProgram(cloud, rawConfig([EC2_ENDPOINT]))), undefined);
        assert.deepEqual(cloud.ofType("aws:cloudwatch/eventRule:EventRule").map((r) => r.name), ["upkeep-schedule"]);
        cloud.reset(exampleWorld());
        assert.equal(await resolveOutputs(runStackProgram(cloud, rawConfig([EC2_ENDPOINT], { alarms: { enabled: false } }))), undefined);
        assert.deepEqual(cloud.ofType("aws:lambda/function:Function"), []);
    });

    it("two endpoints on one instance share one event rule and both groups are synced", async () => {
        cloud.reset(exampleWorld());
        await resolveOutputs(
            runStackProgram(cloud, rawConfig([RDS_ENDPOINT, { name: "reporting-ro", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.9"], port: 6432 }])),
        );
        assert.equal(cloud.ofType("aws:cloudwatch/eventRule:EventRule").length, 2);
        assert.deepEqual(JSON.parse(cloud.named("upkeep-rds-events-1").inputs.eventPattern).resources, ["arn:aws:rds:us-east-1:123456789012:db:prod-postgres"]);
        assert.deepEqual(
            JSON.parse(cloud.named("upkeep-fn").inputs.code.assets["targets.json"].text).targets.map((t: any) => [t.targetGroupArn, t.port]),
            [
                [tgArn("reporting-tg"), 5432],
                [tgArn("reporting-ro-tg"), 5432],
            ],
        );
        assert.deepEqual(JSON.parse(cloud.named("upkeep-policy").inputs.policy).Statement[0].Resource, [tgArn("reporting-ro-tg"), tgArn("reporting-tg")].sort());
    });

    it("is validated with the rest of the config, every problem at once", () => {
        assert.throws(
            () => config.parseStackConfig(rawConfig([RDS_ENDPOINT], { targetSync: "yes", targetSyncSchedule: "rate(10 minutes)" })),
            {
                message:
                    "invalid db-endpoints configuration (2 problems):\n" +
                    '  - targetSync: "yes" is not true or false\n' +
                    '  - targetSyncSchedule: "rate(10 minutes)" runs every 10 minutes; the backstop must run at least every 5 minutes (and at most every minute)',
            },
        );
        for (const [value, message] of [
            ["cron(0/1 * * * ? *)", '"cron(0/1 * * * ? *)" is not a schedule; use "rate(1 minute)" or "rate(N minutes)" with N from 2 to 5'],
            ["rate(1 minutes)", '"rate(1 minutes)" is not an EventBridge rate: write "rate(1 minute)" for one, "rate(N minutes)" for more'],
            ["rate(2 minute)", '"rate(2 minute)" is not an EventBridge rate: write "rate(1 minute)" for one, "rate(N minutes)" for more'],
            ["rate(0 minutes)", '"rate(0 minutes)" runs every 0 minutes; the backstop must run at least every 5 minutes (and at most every minute)'],
            [60, "60 is not a schedule; use \"rate(1 minute)\" or \"rate(N minutes)\" with N from 2 to 5"],
        ] as const) {
            assert.throws(() => config.parseStackConfig(rawConfig([RDS_ENDPOINT], { targetSyncSchedule: value })), {
                message: `invalid db-endpoints configuration (1 problem):\n  - targetSyncSchedule: ${message}`,
            });
        }
    });

    it("defaults to on, every minute; warns about a schedule that nothing runs on", () => {
        assert.deepEqual(config.parseStackConfig(rawConfig([RDS_ENDPOINT])).spec.targetSync, { enabled: true, schedule: "rate(1 minute)" });
        const off = config.parseStackConfig(rawConfig([RDS_ENDPOINT], { targetSync: false, targetSyncSchedule: "rate(2 minutes)", alarms: { enabled: false } }));
        assert.deepEqual(off.spec.targetSync, { enabled: false, schedule: "rate(2 minutes)" });
        assert.deepEqual(off.warnings, [{ path: "targetSyncSchedule", message: "is set but targetSync is false, so nothing runs on it" }]);
        assert.throws(() => config.parseStackConfig(rawConfig([RDS_ENDPOINT], { targetsync: true })), /targetsync: unknown field \(did you mean "targetSync"\?\)/);
    });
});

describe("the TargetSync component on its own", () => {
    const target = (i: number, id = `db-${i}`) => ({
        targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-${i}/${hex(String(i), 16)}`,
        rdsInstanceIdentifier: id,
        rdsAddress: `${id}.c9akciq32.us-east-1.rds.amazonaws.com`,
        port: 5432,
    });

    it("spreads many instances over rules of 10, each pattern within EventBridge's 2048 characters", async () => {
        cloud.reset(exampleWorld());
        const long = (i: number) => `i${String(i).padStart(2, "0")}-${"x".repeat(58)}`; // 63 characters, the longest identifier
        const component = new sync.TargetSync("many", { targets: Array.from({ length: 23 }, (_, i) => target(i, long(i))) });
        assert.equal((await unwrap(component.eventRuleNames)).length, 3);
        await settle();
        const patterns = [1, 2, 3].map((n) => JSON.parse(cloud.named(`many-rds-events-${n}`).inputs.eventPattern));
        assert.deepEqual(patterns.map((p) => p.resources.length), [10, 10, 3]);
        assert.deepEqual(
            patterns.flatMap((p) => p.resources),
            Array.from({ length: 23 }, (_, i) => `arn:aws:rds:us-east-1:123456789012:db:${long(i)}`),
        );
        for (const n of [1, 2, 3]) assert.ok(cloud.named(`many-rds-events-${n}`).inputs.eventPattern.length <= 2048);
        assert.equal(cloud.ofType("aws:lambda/permission:Permission").length, 4);
    });

    it("takes its tunables, within their ranges", async () => {
        cloud.reset(exampleWorld());
        new sync.TargetSync("tuned", { targets: [target(1)], schedule: "rate(3 minutes)", eventPollSeconds: 20, logRetentionDays: 90, tags: { team: "x" } });
        await settle();
        assert.equal(cloud.named("tuned-fn").inputs.environment.variables.EVENT_POLL_SECONDS, "20");
        assert.equal(cloud.named("tuned-schedule").inputs.scheduleExpression, "rate(3 minutes)");
        assert.equal(cloud.named("tuned-logs").inputs.retentionInDays, 90);
        assert.equal(cloud.named("tuned-logs").inputs.tags.team, "x");
    });

    it("rejects bad arguments before registering anything, naming each", () => {
        cloud.reset(exampleWorld());
        assert.throws(
            () =>
                new sync.TargetSync("bad", {
                    targets: [{ ...target(1), rdsInstanceIdentifier: "-x", rdsAddress: "Not A Host", port: 0 }, { targetGroupArn: undefined as any, rdsInstanceIdentifier: "ok", rdsAddress: "ok.example.com", port: 1 }],
                    schedule: "rate(30 minutes)",
                    eventPollSeconds: 61,
                    logRetentionDays: 8,
                }),
            (e: any) => {
                assert.ok(e instanceof pulumi.InputPropertiesError);
                assert.deepEqual(
                    e.errors.map((x: any) => `${x.propertyPath}: ${x.reason}`),
                    [
                        'targets[0].rdsInstanceIdentifier: "-x" is not an RDS DB instance identifier',
                        'targets[0].rdsAddress: "Not A Host" is not a lower-case DNS name',
                        "targets[0].port: 0 is not a port (1..65535)",
                        "targets[1].targetGroupArn: is required",
                        'schedule: "rate(30 minutes)" runs every 30 minutes; the backstop must run at least every 5 minutes (and at most every minute)',
                        "eventPollSeconds: 61 is not a whole number of seconds from 0 to 60",
                        "logRetentionDays: 8 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days)",
                    ],
                );
                return true;
            },
        );
        assert.throws(() => new sync.TargetSync("none", { targets: [] }), (e: any) => e.errors[0].propertyPath === "targets");
        assert.deepEqual(cloud.registered, []);
    });

    it("checks targets that arrive as outputs when they resolve, and registers no policy for them", async () => {
        cloud.reset(exampleWorld());
        const component = new sync.TargetSync("late", { targets: [{ ...target(1), targetGroupArn: pulumi.output("arn:aws:s3:::not-a-target-group") }] });
        await assert.rejects(unwrap(component.functionName), /TargetSync late: targets\[0\]\.targetGroupArn: "arn:aws:s3:::not-a-target-group" is not a target group ARN/);
        await settle();
        assert.deepEqual(cloud.ofType("aws:iam/rolePolicy:RolePolicy"), []);
    });
});

describe("DatabaseEndpoint's manageRdsTargets", () => {
    it("must be true or false", async () => {
        const { DatabaseEndpoint } = await import("../../infra/components/databaseEndpoint");
        assert.throws(
            () => new DatabaseEndpoint("flag", { vpcId: VPC, subnetIds: SUBNETS, database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"], manageRdsTargets: "no" as any }),
            (e: any) => e.errors.some((x: any) => x.propertyPath === "manageRdsTargets" && x.reason === '"no" is not true or false'),
        );
    });

    it("does not stop a self-managed database's addresses from being registered", async () => {
        cloud.reset(exampleWorld());
        const { DatabaseEndpoint } = await import("../../infra/components/databaseEndpoint");
        new DatabaseEndpoint("ec2", { vpcId: VPC, subnetIds: SUBNETS, database: { addresses: ["10.0.3.17"], port: 5432, securityGroupId: "sg-0db0000000000000a" }, allowedCidrs: ["203.0.113.0/24"], manageRdsTargets: false });
        await settle();
        assert.deepEqual(cloud.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment").map((r) => r.inputs.targetId), ["10.0.3.17"]);
    });
});

/** The ID the mock cloud gives security group `name`. */
function sgId(name: string): string {
    return `sg-${crypto.createHash("sha256").update(name).digest("hex").slice(0, 17)}`;
}
