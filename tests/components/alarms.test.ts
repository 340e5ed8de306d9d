/**
 * The stack's alarms under Pulumi's mock runtime: exact CloudWatch alarms (metric, namespace, dimensions,
 * statistic, period, evaluation, threshold, missing-data treatment, actions) for an RDS endpoint with target sync,
 * a self-managed one, its server certificate and the CA; the topic and its email subscriptions; an existing topic;
 * no destination (a warning); alarms off; what each alarm waits for; and the outputs.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { before, describe, it } from "node:test";
import * as aws from "@pulumi/aws";
import { MAX_USER_TAGS } from "../../infra/model/limits";
import { exampleWorld, installMockCloud, MockCloud, parentName, settle, unwrap } from "../../testing/mockCloud";
import { interceptWarnings } from "../../testing/warnings";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let alarms: typeof import("../../infra/components/alarms");
/** Per resource name: the URNs of what it depends on. */
const dependencies = new Map<string, string[]>();
/** What the program passed to pulumi.log.warn. */
const warnings: string[] = [];
interceptWarnings((message) => {
    warnings.push(message);
});

before(async () => {
    cloud = installMockCloud();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        dependencies.set(req.getName(), req.getDependenciesList());
        return register(req, callback);
    };
    alarms = await import("../../infra/components/alarms");
});

const hex = (text: string, n: number) => crypto.createHash("sha256").update(text).digest("hex").slice(0, n);
const TG = (name: string) => `targetgroup/${name}/${hex(name, 16)}`;
const LB = (name: string) => `net/${name}/${hex(name, 16)}`;
const TOPIC = "arn:aws:sns:us-east-1:123456789012:oncall";
const CREATED_TOPIC = `arn:aws:sns:us-east-1:123456789012:alarms-topic-${hex("alarms-topic", 7)}`;
const STACK = "db-endpoints/dev";

const RDS = { name: "reporting", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] };
const EC2 = { name: "legacy-mysql", database: { addresses: ["10.0.3.17"], port: 3306 }, allowedCidrs: ["198.51.100.7/32"] };
function rawConfig(extra: Record<string, unknown> = {}, endpoints: unknown[] = [RDS, EC2]) {
    return { vpcId: "vpc-0a1b2c3d4e5f60718", publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"], endpoints, ...extra };
}

async function deploy(config: Record<string, unknown>) {
    cloud.reset(exampleWorld());
    dependencies.clear();
    const outputs = runStackProgram(cloud, config);
    const resolved = outputs.alarms
        ? {
              topicArn: await unwrap(outputs.alarms.topicArn),
              actions: await unwrap(outputs.alarms.actions),
              endpoints: await unwrap(outputs.alarms.endpoints),
              certificates: await unwrap(outputs.alarms.certificates),
              expiredRules: await unwrap(outputs.alarms.expiredRules),
          }
        : undefined;
    await settle();
    return resolved;
}

const alarmInputs = () => Object.fromEntries(cloud.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => [r.name, r.inputs]));
const depNames = (name: string) => dependencies.get(name)!.map((u) => u.split("::").pop()!).sort();

describe("alarms notifying an existing topic, for an RDS endpoint with target sync, a self-managed one and the certificates", () => {
    let outputs: Awaited<ReturnType<typeof deploy>>;
    before(async () => {
        outputs = await deploy(rawConfig({ alarms: { snsTopicArn: TOPIC } }));
    });

    it("creates exactly these alarms, children of the alarms component, and no topic", () => {
        assert.deepEqual(Object.keys(alarmInputs()).sort(), [
            "alarms-ca-1-certificate-expiry",
            "alarms-db-10.0.3.17-3306-certificate-expiry",
            "alarms-legacy-mysql-no-healthy-target",
            "alarms-reporting-no-healthy-target",
            "alarms-reporting-sync-failures",
            "alarms-reporting-unserved-targets",
        ]);
        for (const r of cloud.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) assert.equal(parentName(r), "alarms");
        assert.equal(parentName(cloud.named("alarms")), "db-endpoints");
        assert.deepEqual(cloud.ofType("aws:sns/topic:Topic"), []);
        assert.deepEqual(cloud.ofType("aws:sns/topicSubscription:TopicSubscription"), []);
    });

    const common = {
        actionsEnabled: true,
        alarmActions: [TOPIC],
        okActions: [TOPIC],
    };
    /** An alarm's tags: the component's, and the endpoint or certificate it watches. */
    const tagged = (owner: Record<string, string>) => ({ tags: { "db-endpoints:component": "alarms", ...owner, "managed-by": "pulumi/db-endpoints" } });

    it("watches each endpoint's healthy targets: Maximum of HealthyHostCount below 1 for 3 minutes, missing data breaching", () => {
        const a = alarmInputs();
        assert.deepEqual(a["alarms-reporting-no-healthy-target"], {
            ...common,
            ...tagged({ "db-endpoints:endpoint": "reporting" }),
            name: `${STACK} reporting: no healthy target`,
            alarmDescription:
                `Endpoint reporting of ${STACK} has had no healthy target for 3 minutes: the load balancer has no database to send clients to, ` +
                'and they fail to connect. Its HealthyHostCount (AWS/NetworkELB) is below 1, or not reported. Runbook: db-endpoints docs/alarms.md, "No healthy target".',
            namespace: "AWS/NetworkELB",
            metricName: "HealthyHostCount",
            dimensions: { LoadBalancer: LB("reporting-nlb"), TargetGroup: TG("reporting-tg") },
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            treatMissingData: "breaching",
        });
        const mysql = a["alarms-legacy-mysql-no-healthy-target"];
        assert.deepEqual(
            [mysql.name, mysql.dimensions, mysql.statistic, mysql.threshold, mysql.treatMissingData, mysql.tags],
            [
                `${STACK} legacy-mysql: no healthy target`,
                { LoadBalancer: LB("legacy-mysql-nlb"), TargetGroup: TG("legacy-mysql-tg") },
                "Maximum",
                1,
                "breaching",
                tagged({ "db-endpoints:endpoint": "legacy-mysql" }).tags,
            ],
        );
    });

    it("watches target sync of the RDS endpoint: failures and unserved targets in 3 schedule periods running, missing data not breaching", () => {
        const a = alarmInputs();
        assert.deepEqual(a["alarms-reporting-sync-failures"], {
            ...common,
            ...tagged({ "db-endpoints:endpoint": "reporting" }),
            name: `${STACK} reporting: target sync failing`,
            alarmDescription:
                `Target sync of endpoint reporting of ${STACK} failed in each of the last 3 runs of its schedule: the target group may not point at ` +
                "the RDS instance's address (after a failover the endpoint is down until it does). " +
                'Runbook: db-endpoints docs/alarms.md, "Target sync failing".',
            namespace: "DbEndpoints/TargetSync",
            metricName: "SyncFailures",
            dimensions: { TargetGroup: TG("reporting-tg") },
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: 1,
            treatMissingData: "notBreaching",
        });
        const unserved = a["alarms-reporting-unserved-targets"];
        assert.deepEqual(
            [unserved.name, unserved.namespace, unserved.metricName, unserved.dimensions, unserved.statistic, unserved.period, unserved.evaluationPeriods, unserved.datapointsToAlarm],
            [`${STACK} reporting: target not served`, "DbEndpoints/TargetSync", "UnservedTargets", { TargetGroup: TG("reporting-tg") }, "Maximum", 60, 3, 3],
        );
        assert.deepEqual(
            [unserved.comparisonOperator, unserved.threshold, unserved.treatMissingData, unserved.tags],
            ["GreaterThanOrEqualToThreshold", 1, "notBreaching", tagged({ "db-endpoints:endpoint": "reporting" }).tags],
        );
    });

    it("watches each certificate's days to expiry: Minimum below the window for 3 hours, missing data breaching", () => {
        const a = alarmInputs();
        assert.deepEqual(a["alarms-ca-1-certificate-expiry"], {
            ...common,
            ...tagged({ "db-endpoints:certificate": "ca-1" }),
            name: `${STACK} ca-1: certificate expiring`,
            alarmDescription:
                `Certificate ca-1 of ${STACK} expires in less than 30 days, or its DaysToExpiry metric has not arrived for 3 hours (the stack's upkeep ` +
                'function is not running). Clients that verify it fail once it expires. Runbook: db-endpoints docs/alarms.md, "Certificate expiring".',
            namespace: "DbEndpoints/Certificates",
            metricName: "DaysToExpiry",
            dimensions: { Stack: STACK, Certificate: "ca-1" },
            statistic: "Minimum",
            period: 3600,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "LessThanThreshold",
            threshold: 30,
            treatMissingData: "breaching",
        });
        const server = a["alarms-db-10.0.3.17-3306-certificate-expiry"];
        assert.deepEqual(
            [server.name, server.dimensions, server.threshold, server.tags],
            [`${STACK} db-10.0.3.17-3306: certificate expiring`, { Stack: STACK, Certificate: "db-10.0.3.17-3306" }, 30, tagged({ "db-endpoints:certificate": "db-10.0.3.17-3306" }).tags],
        );
    });

    it("creates each alarm once what it watches is reported, and no later", () => {
        // No healthy target: once the listener puts the target group in service and the target is registered (for an
        // RDS endpoint with target sync, by the function's deploy-time run; a self-managed endpoint's listener waits for
        // its targets), so that the health it watches is reported from the start. Not after the endpoint's flow logs,
        // saved query or allowlist rules, which have nothing to do with its health. The load balancer and target group
        // are the dimensions' own resources.
        assert.deepEqual(depNames("alarms-reporting-no-healthy-target"), ["reporting-listener", "reporting-nlb", "reporting-tg", "upkeep-deploy-sync"]);
        assert.deepEqual(depNames("alarms-legacy-mysql-no-healthy-target"), ["legacy-mysql-listener", "legacy-mysql-nlb", "legacy-mysql-tg"]);
        assert.deepEqual(depNames("legacy-mysql-listener"), ["legacy-mysql-nlb", "legacy-mysql-target-10.0.3.17", "legacy-mysql-tg"]);
        // Sync failures and unserved targets are written only when something is wrong: their target group, nothing else.
        assert.deepEqual(depNames("alarms-reporting-sync-failures"), ["reporting-tg"]);
        assert.deepEqual(depNames("alarms-reporting-unserved-targets"), ["reporting-tg"]);
        // The expiry alarms treat a missing value as breaching: after the deploy-time run that publishes the first
        // days to expiry, and only it (not the function's schedule, event rules or permissions).
        for (const name of ["alarms-ca-1-certificate-expiry", "alarms-db-10.0.3.17-3306-certificate-expiry"]) {
            assert.deepEqual(depNames(name), ["upkeep-deploy-sync"]);
        }
    });

    it("outputs every alarm's name and where they notify", () => {
        assert.deepEqual(outputs, {
            topicArn: undefined,
            actions: [TOPIC],
            endpoints: {
                reporting: {
                    noHealthyTarget: `${STACK} reporting: no healthy target`,
                    syncFailures: `${STACK} reporting: target sync failing`,
                    unservedTargets: `${STACK} reporting: target not served`,
                },
                "legacy-mysql": { noHealthyTarget: `${STACK} legacy-mysql: no healthy target` },
            },
            certificates: { "ca-1": `${STACK} ca-1: certificate expiring`, "db-10.0.3.17-3306": `${STACK} db-10.0.3.17-3306: certificate expiring` },
            expiredRules: undefined,
        });
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("alarms of endpoints on a shared load balancer", () => {
    it("watch each endpoint's own target group on the shared load balancer", async () => {
        const shared = (e: Record<string, unknown>, port: number) => ({ ...e, loadBalancer: "shared", port });
        await deploy(rawConfig({ alarms: { snsTopicArn: TOPIC } }, [shared(RDS, 5432), shared(EC2, 3306)]));
        const a = alarmInputs();
        assert.deepEqual(
            ["reporting", "legacy-mysql"].map((e) => [a[`alarms-${e}-no-healthy-target`].name, a[`alarms-${e}-no-healthy-target`].dimensions]),
            [
                [`${STACK} reporting: no healthy target`, { LoadBalancer: LB("shared-nlb"), TargetGroup: TG("reporting-tg") }],
                [`${STACK} legacy-mysql: no healthy target`, { LoadBalancer: LB("shared-nlb"), TargetGroup: TG("legacy-mysql-tg") }],
            ],
        );
        assert.deepEqual(a["alarms-reporting-sync-failures"].dimensions, { TargetGroup: TG("reporting-tg") });
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("where alarms notify", () => {
    it("emails: a topic the stack creates, one email subscription per address, and it notifies", async () => {
        const outputs = await deploy(rawConfig({ alarms: { emails: ["oncall@example.com", "DBA@Example.com"] } }));
        assert.deepEqual(cloud.named("alarms-topic").inputs, { tags: { "db-endpoints:component": "alarms", "managed-by": "pulumi/db-endpoints" } });
        assert.deepEqual(
            cloud.ofType("aws:sns/topicSubscription:TopicSubscription").map((r) => [r.name, r.inputs, parentName(r)]),
            [
                ["alarms-email-oncall@example.com", { topic: CREATED_TOPIC, protocol: "email", endpoint: "oncall@example.com" }, "alarms"],
                ["alarms-email-dba@example.com", { topic: CREATED_TOPIC, protocol: "email", endpoint: "DBA@Example.com" }, "alarms"],
            ],
        );
        for (const a of Object.values(alarmInputs())) assert.deepEqual([a.alarmActions, a.okActions], [[CREATED_TOPIC], [CREATED_TOPIC]]);
        assert.deepEqual([outputs!.topicArn, outputs!.actions], [CREATED_TOPIC, [CREATED_TOPIC]]);
    });

    it("both: the existing topic, then the created one", async () => {
        const outputs = await deploy(rawConfig({ alarms: { snsTopicArn: TOPIC, emails: ["oncall@example.com"] } }));
        for (const a of Object.values(alarmInputs())) assert.deepEqual(a.alarmActions, [TOPIC, CREATED_TOPIC]);
        assert.deepEqual(outputs!.actions, [TOPIC, CREATED_TOPIC]);
    });

    it("neither: the alarms exist without actions, and the deployment warns", async () => {
        warnings.length = 0;
        await deploy(rawConfig());
        assert.equal(Object.keys(alarmInputs()).length, 6);
        for (const a of Object.values(alarmInputs())) assert.deepEqual([a.actionsEnabled, a.alarmActions, a.okActions], [true, [], []]);
        assert.ok(
            warnings.includes(
                "alarms: neither snsTopicArn nor emails is set: the alarms are created without notification actions (they change state in the CloudWatch " +
                    "console and notify no one); set one of them, or enabled: false to have no alarms",
            ),
            warnings.join("\n"),
        );
    });

    it("off: no alarm, no topic, no alarms output, and no expiry duty for the function", async () => {
        const outputs = await deploy(rawConfig({ alarms: { enabled: false } }));
        assert.equal(outputs, undefined);
        assert.deepEqual(cloud.ofType("aws:cloudwatch/metricAlarm:MetricAlarm"), []);
        assert.deepEqual(cloud.ofType("aws:sns/topic:Topic"), []);
        assert.deepEqual(cloud.registered.filter((r) => r.type === "db-endpoints:index:Alarms"), []);
        assert.deepEqual(Object.keys(cloud.named("upkeep-fn").inputs.code.assets).sort(), ["index.js", "targets.json"]);
    });
});

describe("the alarms' settings in the stack", () => {
    it("the certificate window is certificateExpiryDays", async () => {
        await deploy(rawConfig({ alarms: { snsTopicArn: TOPIC, certificateExpiryDays: 60 } }));
        assert.deepEqual(
            cloud.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((r) => r.inputs.metricName === "DaysToExpiry").map((r) => r.inputs.threshold),
            [60, 60],
        );
    });

    it("the sync alarms' period is the function's schedule, so every period holds a scheduled run", async () => {
        await deploy(rawConfig({ alarms: { snsTopicArn: TOPIC }, targetSyncSchedule: "rate(5 minutes)" }));
        const a = alarmInputs();
        assert.deepEqual([a["alarms-reporting-sync-failures"].period, a["alarms-reporting-unserved-targets"].period], [300, 300]);
        // Not the NLB's: it reports every minute.
        assert.equal(a["alarms-reporting-no-healthy-target"].period, 60);
    });

    it("an RDS endpoint without target sync has only its health alarm", async () => {
        await deploy(rawConfig({ alarms: { snsTopicArn: TOPIC }, targetSync: false }));
        assert.deepEqual(Object.keys(alarmInputs()).filter((n) => n.includes("reporting")), ["alarms-reporting-no-healthy-target"]);
    });

    it("every alarm's tags fit AWS's 50 per resource with as many tags of the user's as the stack allows", async () => {
        const tags = Object.fromEntries(Array.from({ length: MAX_USER_TAGS }, (_, i) => [`user-${i}`, "x"]));
        await deploy(rawConfig({ alarms: { snsTopicArn: TOPIC }, tags }));
        for (const [name, inputs] of Object.entries(alarmInputs())) {
            const keys = Object.keys(inputs.tags);
            assert.ok(keys.length <= 50, `${name}: ${keys.length} tags`);
            // The component, the endpoint or certificate watched, managed-by.
            assert.equal(keys.length, MAX_USER_TAGS + 3, name);
        }
    });

    it("a second CA generation gets its own expiry alarm", async () => {
        const outputs = await deploy(rawConfig({ alarms: { snsTopicArn: TOPIC }, certificateAuthority: { generations: [1, 2], issuer: 2 } }));
        assert.deepEqual(Object.keys(outputs!.certificates).sort(), ["ca-1", "ca-2", "db-10.0.3.17-3306"]);
        assert.deepEqual(alarmInputs()["alarms-ca-2-certificate-expiry"].dimensions, { Stack: STACK, Certificate: "ca-2" });
    });
});

describe("the alarm definitions", () => {
    it("name each alarm after the stack, within CloudWatch's 255 ASCII characters", () => {
        assert.equal(alarms.alarmName("acme/prod", "reporting", "no healthy target"), "acme/prod reporting: no healthy target");
        assert.equal(alarms.alarmName("acme/prod", undefined, "expired allowlist rules not revoked"), "acme/prod: expired allowlist rules not revoked");
        const long = `${"p".repeat(120)}/${"s".repeat(120)}`;
        const name = alarms.alarmName(long, "reporting", "no healthy target");
        assert.equal(name.length, 255);
        assert.match(name, /^p+\/s+~[0-9a-f]{8} reporting: no healthy target$/);
        // Two long stacks that differ only past the cut still get different names.
        assert.notEqual(alarms.alarmName(`${long}x`, "reporting", "no healthy target"), alarms.alarmName(`${long}y`, "reporting", "no healthy target"));
        for (const d of [
            alarms.noHealthyTargetAlarm(long, "reporting", LB("x"), TG("x")),
            alarms.syncFailuresAlarm(long, "reporting", TG("x"), 1),
            alarms.certificateExpiryAlarm(long, "db-10.0.3.17-10.0.3.18-10.0.3.19-3306", 365),
            alarms.expiredRulesAlarm(long, 5),
        ]) {
            assert.ok(d.name.length <= alarms.ALARM_NAME_MAX_LENGTH && /^[\x20-\x7e]+$/.test(d.name), d.name);
            assert.ok(d.description.length <= alarms.ALARM_DESCRIPTION_MAX_LENGTH, d.description);
        }
    });

    it("an expired-rules alarm watches RevocationFailures of the stack, missing data not breaching, waiting for nothing", async () => {
        cloud.reset(exampleWorld());
        dependencies.clear();
        const firstRun = new aws.cloudwatch.LogGroup("first-run", {});
        const component = new alarms.Alarms("watch", {
            stack: "acme/prod",
            endpoints: [],
            certificates: ["ca-1"],
            expiredRules: true,
            scheduleMinutes: 5,
            firstRun,
            emails: [],
            certificateExpiryDays: 30,
            tags: { team: "x" },
        });
        assert.equal(component.expiredRulesAlarm, "acme/prod: expired allowlist rules not revoked");
        await settle();
        // Written only when a revocation fails: it needs no first value, unlike the expiry alarm.
        assert.deepEqual(depNames("watch-expired-rules"), []);
        assert.deepEqual(depNames("watch-ca-1-certificate-expiry"), ["first-run"]);
        const { alarmDescription, ...rest } = cloud.named("watch-expired-rules").inputs;
        assert.match(alarmDescription, /could not revoke allowlist rules whose expiry has passed/);
        assert.deepEqual(rest, {
            name: "acme/prod: expired allowlist rules not revoked",
            namespace: "DbEndpoints/Allowlist",
            metricName: "RevocationFailures",
            dimensions: { Stack: "acme/prod" },
            statistic: "Sum",
            period: 300,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: 1,
            treatMissingData: "notBreaching",
            actionsEnabled: true,
            alarmActions: [],
            okActions: [],
            tags: { team: "x", "db-endpoints:component": "alarms", "managed-by": "pulumi/db-endpoints" },
        });
    });
});
