/**
 * The upkeep function under Pulumi's mock runtime: the duties a stack gives it (target sync, the certificates' days
 * to expiry, expired allowlist rules), the files and settings each writes into its package, the role's policy per
 * duty (exact statements), its schedule and deploy-time run; the Upkeep component's argument checks; and that
 * existing stacks keep their target-sync resources: the engine resolves the renamed component and every child to the
 * URNs the stack holds (testing/urns.ts), so `pulumi up` moves them instead of replacing them.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { exampleWorld, installMockCloud, MockCloud, parentName, settle, unwrap } from "../../testing/mockCloud";
import { readStackFile } from "../../testing/stackFile";
import { resolveAgainstState, urnOf } from "../../testing/urns";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let stack: typeof import("../../infra/program/main");
let upkeep: typeof import("../../infra/components/upkeep");
let bundle: typeof import("../../infra/components/targetSync");

before(async () => {
    cloud = installMockCloud();
    stack = await import("../../infra/program/main");
    upkeep = await import("../../infra/components/upkeep");
    bundle = await import("../../infra/components/targetSync");
});

const hex = (text: string, n: number) => crypto.createHash("sha256").update(text).digest("hex").slice(0, n);
const autoName = (name: string) => `${name}-${hex(name, 7)}`;
const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const EC2 = { name: "legacy-mysql", database: { addresses: ["10.0.3.17"], port: 3306 }, allowedCidrs: ["198.51.100.7/32"] };
const TOPIC = "arn:aws:sns:us-east-1:123456789012:oncall";

/** The target-sync resources of a stack deployed before the function had other duties, as [type, name]. */
const TARGET_SYNC_CHILDREN: [string, string][] = [
    ["aws:cloudwatch/logGroup:LogGroup", "target-sync-logs"],
    ["aws:iam/role:Role", "target-sync-role"],
    ["aws:iam/rolePolicy:RolePolicy", "target-sync-policy"],
    ["aws:lambda/function:Function", "target-sync-fn"],
    ["aws:cloudwatch/eventRule:EventRule", "target-sync-rds-events-1"],
    ["aws:lambda/permission:Permission", "target-sync-rds-events-1-allow"],
    ["aws:cloudwatch/eventTarget:EventTarget", "target-sync-rds-events-1-target"],
    ["aws:cloudwatch/eventRule:EventRule", "target-sync-schedule"],
    ["aws:lambda/permission:Permission", "target-sync-schedule-allow"],
    ["aws:cloudwatch/eventTarget:EventTarget", "target-sync-schedule-target"],
    ["aws:lambda/invocation:Invocation", "target-sync-deploy-sync"],
];
const TARGET_SYNC = "db-endpoints:index:TargetSync";
const PRODUCT_URN = "urn:pulumi:dev::db-endpoints::db-endpoints:index:DatabaseEndpoints::db-endpoints";

/** The old target-sync URNs: under DatabaseEndpoints (`parent`), or at the stack's root (""). */
function oldTargetSyncUrns(parent: string): string[] {
    const component = urnOf("dev", "db-endpoints", parent, TARGET_SYNC, "target-sync");
    return [component, ...TARGET_SYNC_CHILDREN.map(([type, name]) => urnOf("dev", "db-endpoints", component, type, name))];
}

describe("an existing stack keeps its target-sync resources", () => {
    before(async () => {
        cloud.reset(exampleWorld());
        pulumi.runtime.setAllConfig(readStackFile("dev").config);
        runStackProgram(cloud, stack.readRawStackConfig());
        await settle();
    });

    for (const [era, parent] of [
        ["declared inside DatabaseEndpoints", PRODUCT_URN],
        ["declared at the stack's root, before DatabaseEndpoints", ""],
    ] as const) {
        it(`${era}: every old URN is taken over by the upkeep resource of the same type, and nothing is left to delete`, () => {
            const old = oldTargetSyncUrns(parent);
            // The rest of the old state: everything else the program registers, at the URN it registers (unchanged).
            const others = cloud.registered.filter((r) => r.name !== "upkeep" && !r.name.startsWith("upkeep-"));
            const resolved = resolveAgainstState(cloud.registered, [...old, ...resolveAgainstState(others, []).map((r) => r.urn)]);
            const mine = resolved.filter((r) => r.name === "upkeep" || r.name.startsWith("upkeep-"));
            assert.deepEqual(
                mine.map((r) => [r.type, r.name, r.takesOver]).sort(),
                [
                    ["db-endpoints:index:Upkeep", "upkeep", old[0]],
                    ...TARGET_SYNC_CHILDREN.map(([type, name], i) => [type, name.replace(/^target-sync/, "upkeep"), old[i + 1]]),
                ].sort(),
            );
            const takenOver = new Set(resolved.map((r) => r.takesOver).filter(Boolean));
            assert.deepEqual(old.filter((u) => !takenOver.has(u)), []);
        });
    }

    it("sets no physical name, so the provider keeps each resource's name from its state (no replacement)", () => {
        // pulumi-terraform-bridge (pkg/tfbridge/schema.go, applyDefaults) reuses an auto-named property's old value when
        // the resource has one ("old default"): the aliased function, role, log group, rules and permissions keep their
        // target-sync-... names. Only an explicit name or statementId would change them, and force a replacement.
        for (const r of cloud.registered.filter((r) => r.name.startsWith("upkeep-"))) {
            for (const key of ["name", "namePrefix", "statementId", "statementIdPrefix", "functionName"]) {
                if (r.type === "aws:lambda/permission:Permission" && key === "functionName") continue;
                if (r.type === "aws:lambda/invocation:Invocation" && key === "functionName") continue;
                assert.equal(r.inputs[key], undefined, `${r.type} ${r.name} sets ${key}`);
            }
        }
    });

    it("an Upkeep name and aliases a new stack would not match: a stack that never had target sync gets new resources", () => {
        const resolved = resolveAgainstState(cloud.registered, []);
        assert.ok(resolved.filter((r) => r.name.startsWith("upkeep")).every((r) => r.takesOver === undefined));
    });
});

describe("a stack with self-managed databases only: the function watches the certificates", () => {
    let outputs: Record<string, unknown>;
    before(async () => {
        cloud.reset(exampleWorld());
        // Without the connection audit, whose flow-log role looks up the account itself: the lookups left are the function's.
        const out = runStackProgram(cloud, {
            vpcId: "vpc-0a1b2c3d4e5f60718",
            publicSubnetIds: SUBNETS,
            endpoints: [{ ...EC2, connectionAudit: false }],
            alarms: { snsTopicArn: TOPIC },
        });
        outputs = {
            upkeep: {
                functionName: await unwrap(out.upkeep!.functionName),
                logGroupName: await unwrap(out.upkeep!.logGroupName),
                schedule: await unwrap(out.upkeep!.schedule),
                duties: await unwrap(out.upkeep!.duties),
            },
            targetSync: out.targetSync,
        };
        await settle();
    });

    it("has the certificate-expiry duty only: no RDS event rule, no target list, every 5 minutes", () => {
        assert.deepEqual(
            cloud.registered.filter((r) => r.name.startsWith("upkeep")).map((r) => [r.type, r.name]).sort(),
            [
                ["aws:cloudwatch/eventRule:EventRule", "upkeep-schedule"],
                ["aws:cloudwatch/eventTarget:EventTarget", "upkeep-schedule-target"],
                ["aws:cloudwatch/logGroup:LogGroup", "upkeep-logs"],
                ["aws:iam/role:Role", "upkeep-role"],
                ["aws:iam/rolePolicy:RolePolicy", "upkeep-policy"],
                ["aws:lambda/function:Function", "upkeep-fn"],
                ["aws:lambda/invocation:Invocation", "upkeep-deploy-sync"],
                ["aws:lambda/permission:Permission", "upkeep-schedule-allow"],
                ["db-endpoints:index:Upkeep", "upkeep"],
            ].sort(),
        );
        assert.deepEqual(cloud.named("upkeep-schedule").inputs, {
            description: "db-endpoints upkeep: scheduled run of the function's duties",
            scheduleExpression: "rate(5 minutes)",
            tags: { "db-endpoints:component": "upkeep", "managed-by": "pulumi/db-endpoints" },
        });
        assert.deepEqual(outputs, {
            upkeep: { functionName: autoName("upkeep-fn"), logGroupName: autoName("upkeep-logs"), schedule: "rate(5 minutes)", duties: ["certificate-expiry"] },
            targetSync: undefined,
        });
    });

    it("ships the certificates to watch, with their expiry, and the stack's name; no event wait", () => {
        const { code, environment, description } = cloud.named("upkeep-fn").inputs;
        assert.deepEqual(Object.keys(code.assets).sort(), ["certificates.json", "index.js"]);
        assert.deepEqual(JSON.parse(code.assets["certificates.json"].text), {
            certificates: [
                { name: "ca-1", expiresAt: "2034-12-30T00:00:00Z" },
                { name: "db-10.0.3.17-3306", expiresAt: "2027-04-06T00:00:00Z" },
            ],
        });
        assert.deepEqual(environment, { variables: { DB_ENDPOINTS_STACK: "db-endpoints/dev" } });
        assert.equal(description, "db-endpoints upkeep: publishes the certificates' days to expiry");
    });

    it("may write its own logs and nothing else (the metric is a log line)", () => {
        assert.deepEqual(JSON.parse(cloud.named("upkeep-policy").inputs.policy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `arn:aws:logs:us-east-1:123456789012:log-group:${autoName("upkeep-logs")}:*`,
                },
            ],
        });
        // No ARN to build: no partition, region or account lookup for it.
        assert.deepEqual(
            cloud.invokes.map((i) => i.token).filter((t) => t.startsWith("aws:index/")),
            [],
        );
    });

    it("runs once at deployment, so that each certificate has its metric before its alarm exists; again when a certificate changes", async () => {
        const { code } = cloud.named("upkeep-fn").inputs;
        assert.deepEqual(cloud.named("upkeep-deploy-sync").inputs, {
            functionName: autoName("upkeep-fn"),
            input: '{"action":"sync","trigger":"deploy"}',
            triggers: { code: sha256(await bundle.bundleTargetSyncCode()), certificates: sha256(code.assets["certificates.json"].text) },
        });
    });
});

describe("the Upkeep component on its own", () => {
    const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/reporting-tg/0123456789abcdef";
    const target = { targetGroupArn: TG, rdsInstanceIdentifier: "prod-postgres", rdsAddress: "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com", port: 5432 };
    const SG_A = "sg-0a00000000000000a";
    const SG_B = "sg-0b00000000000000b";

    it("with every duty: one policy, each duty's statements only on this stack's resources", async () => {
        cloud.reset(exampleWorld());
        const component = new upkeep.Upkeep("keeper", {
            targets: [target],
            certificates: [{ name: "ca-1", expiresAt: "2034-12-30T00:00:00Z" }],
            expiringRuleSecurityGroupIds: [SG_B, pulumi.output(SG_A)],
            tags: { team: "data" },
        });
        assert.deepEqual(await unwrap(component.duties), ["target-sync", "certificate-expiry", "expired-rules"]);
        assert.deepEqual([await unwrap(component.certificateMetricNamespace), await unwrap(component.expiresTagKey)], ["DbEndpoints/Certificates", "db-endpoints:expires"]);
        await settle();
        assert.deepEqual(JSON.parse(cloud.named("keeper-policy").inputs.policy), {
            Version: "2012-10-17",
            Statement: [
                { Sid: "ReconcileTargets", Effect: "Allow", Action: ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"], Resource: [TG] },
                {
                    Sid: "MarkLastChange",
                    Effect: "Allow",
                    Action: "elasticloadbalancing:AddTags",
                    Resource: [TG],
                    Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["db-endpoints:targets-changed-at"] }, Null: { "aws:TagKeys": "false" } },
                },
                { Sid: "ReadTargetHealth", Effect: "Allow", Action: "elasticloadbalancing:DescribeTargetHealth", Resource: "*" },
                {
                    Sid: "RevokeExpiredRules",
                    Effect: "Allow",
                    Action: "ec2:RevokeSecurityGroupIngress",
                    Resource: [`arn:aws:ec2:us-east-1:123456789012:security-group/${SG_A}`, `arn:aws:ec2:us-east-1:123456789012:security-group/${SG_B}`],
                },
                { Sid: "FindExpiringRules", Effect: "Allow", Action: "ec2:DescribeSecurityGroupRules", Resource: "*", Condition: { StringEquals: { "ec2:Region": "us-east-1" } } },
                {
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `arn:aws:logs:us-east-1:123456789012:log-group:${autoName("keeper-logs")}:*`,
                },
            ],
        });
        const { code, environment, description, tags } = cloud.named("keeper-fn").inputs;
        assert.deepEqual(Object.keys(code.assets).sort(), ["certificates.json", "expiring-rules.json", "index.js", "targets.json"]);
        assert.deepEqual(JSON.parse(code.assets["expiring-rules.json"].text), { securityGroupIds: [SG_A, SG_B] });
        assert.deepEqual(environment, { variables: { DB_ENDPOINTS_STACK: "db-endpoints/dev", EVENT_POLL_SECONDS: "50" } });
        assert.equal(
            description,
            "db-endpoints keeper: keeps RDS endpoints' targets on their instances' addresses; publishes the certificates' days to expiry; revokes expired allowlist rules",
        );
        assert.deepEqual(tags, { team: "data", "db-endpoints:component": "upkeep", "managed-by": "pulumi/db-endpoints" });
        assert.equal(cloud.named("keeper-schedule").inputs.scheduleExpression, "rate(1 minute)");
        for (const r of cloud.registered.filter((r) => r.name.startsWith("keeper-"))) assert.equal(parentName(r), "keeper");
    });

    it("revoking only: no deploy-time run (a deployment deletes expired entries' rules itself), every 5 minutes", async () => {
        cloud.reset(exampleWorld());
        const component = new upkeep.Upkeep("revoker", { expiringRuleSecurityGroupIds: [SG_A], schedule: "rate(2 minutes)" });
        assert.deepEqual(await unwrap(component.duties), ["expired-rules"]);
        assert.deepEqual(await unwrap(component.eventRuleNames), []);
        await settle();
        assert.deepEqual(cloud.ofType("aws:lambda/invocation:Invocation"), []);
        assert.equal(cloud.named("revoker-schedule").inputs.scheduleExpression, "rate(2 minutes)");
        assert.deepEqual(
            JSON.parse(cloud.named("revoker-policy").inputs.policy).Statement.map((s: { Sid: string }) => s.Sid),
            ["RevokeExpiredRules", "FindExpiringRules", "WriteOwnLogs"],
        );
    });

    it("rejects bad arguments before registering anything, naming each", () => {
        cloud.reset(exampleWorld());
        assert.throws(
            () =>
                new upkeep.Upkeep("bad", {
                    certificates: [
                        { name: "CA 1", expiresAt: "2034-12-30T00:00:00Z" },
                        { name: "ca-2", expiresAt: undefined as any },
                        { name: "ca-3", expiresAt: "2034-12-30T00:00:00Z" },
                        { name: "ca-3", expiresAt: "2034-12-30T00:00:00Z" },
                    ],
                    expiringRuleSecurityGroupIds: ["sg-0a00000000000000a", "sg-0a00000000000000a", "vpc-0123"],
                    eventPollSeconds: 10,
                    schedule: "rate(1 hour)",
                    logRetentionDays: 2,
                }),
            (e: any) => {
                assert.ok(e instanceof pulumi.InputPropertiesError);
                assert.deepEqual(
                    e.errors.map((x: any) => `${x.propertyPath}: ${x.reason}`),
                    [
                        'certificates[0].name: "CA 1" is not a certificate name (lower-case letters, digits, dots and hyphens)',
                        "certificates[1].expiresAt: is required",
                        'certificates[3].name: "ca-3" is already certificates[2]',
                        'expiringRuleSecurityGroupIds[1]: "sg-0a00000000000000a" is listed twice',
                        'expiringRuleSecurityGroupIds[2]: "vpc-0123" is not a security group ID',
                        'schedule: "rate(1 hour)" is not a schedule; use "rate(1 minute)" or "rate(N minutes)" with N from 2 to 5',
                        "eventPollSeconds: applies to target sync only, and there are no targets",
                        "logRetentionDays: 2 is not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days)",
                    ],
                );
                return true;
            },
        );
        assert.throws(() => new upkeep.Upkeep("idle", {}), (e: any) => e.errors[0].reason === "has no duty: give targets, certificates or expiringRuleSecurityGroupIds");
        assert.deepEqual(cloud.registered, []);
    });

    it("checks values that arrive as outputs when they resolve, and registers no function with them", async () => {
        const cases: [import("../../infra/components/upkeep").UpkeepArgs, RegExp][] = [
            [{ certificates: [{ name: "ca-1", expiresAt: pulumi.output("next year") }] }, /Upkeep late: certificates\[0\]\.expiresAt: "next year" is not an RFC 3339 instant in UTC/],
            [{ expiringRuleSecurityGroupIds: [pulumi.output("sg-x")] }, /Upkeep late: expiringRuleSecurityGroupIds\[0\]: "sg-x" is not a security group ID/],
        ];
        for (const [args, message] of cases) {
            cloud.reset(exampleWorld());
            const component = new upkeep.Upkeep("late", args);
            await assert.rejects(unwrap(component.functionName), message);
            await settle();
            assert.deepEqual(cloud.ofType("aws:lambda/function:Function"), []);
        }
        // A bad security group is not granted either.
        assert.deepEqual(cloud.ofType("aws:iam/rolePolicy:RolePolicy"), []);
    });
});
