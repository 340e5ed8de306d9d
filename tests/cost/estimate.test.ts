/**
 * The monthly cost estimate from the resources a stack creates: the unit prices and assumptions, each resource
 * type's price from its own inputs (load balancers by hours, addresses and NLCUs; secrets; alarms by metric and
 * resolution, and the custom metrics they watch by how missing data is treated; a function by its schedules, memory
 * and architecture; its log group by its lines and metric records; flow logs by the records their log group
 * receives; a topic and its email subscribers), the free types, what cannot be priced, whose cost each line is, and
 * the totals by category.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { byCategory, CostedResource, orderedLines, estimateMonthlyCost, formatMonthly, linesOf, runsPerMonth } from "../../infra/cost/estimate";
import { ASSUMPTIONS, PRICES } from "../../infra/cost/prices";

const cents = (n: number) => Math.round(n * 100) / 100;
const MONTH = PRICES.hoursPerMonth;

let next = 0;
function resource(type: string, name: string, inputs: Record<string, unknown> = {}, extra: Partial<CostedResource> = {}): CostedResource {
    return { urn: `urn:${++next}:${name}`, type, name, inputs, dependencies: [], endpoints: [], ...extra };
}
const nlb = (name: string, endpoints: string[], inputs: Record<string, unknown> = { loadBalancerType: "network" }) =>
    resource("aws:lb/loadBalancer:LoadBalancer", name, inputs, { endpoints });

describe("the unit prices", () => {
    it("are AWS's us-east-1 prices with the date they were checked, and the assumptions of use", () => {
        assert.deepEqual(
            { ...PRICES, lambdaGbSecond: { ...PRICES.lambdaGbSecond } },
            {
                region: "us-east-1",
                currency: "USD",
                checkedOn: "2026-12-06",
                hoursPerMonth: 730,
                networkLoadBalancerHour: 0.0225,
                nlcuHour: 0.006,
                publicIpv4AddressHour: 0.005,
                secretMonth: 0.4,
                alarmMetricMonth: 0.1,
                highResolutionAlarmMetricMonth: 0.3,
                compositeAlarmMonth: 0.5,
                customMetricMonth: 0.3,
                logIngestionGb: 0.5,
                logStorageGbMonth: 0.03,
                vendedLogIngestionGb: 0.5,
                logsInsightsScannedGb: 0.005,
                lambdaRequest: 0.2 / 1_000_000,
                lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
                snsRequest: 0.5 / 1_000_000,
                snsEmailNotification: 2 / 100_000,
            },
        );
        assert.deepEqual(
            { ...ASSUMPTIONS },
            {
                nlcuPerEndpoint: 0.1,
                functionRunSeconds: 0.5,
                functionLogBytesPerRun: 1024,
                metricRecordBytes: 450,
                notificationsPerTopicMonth: 100,
                incidentMetricHoursPerMonth: 0,
                flowLogRecordBytes: 130,
                flowLogScanRecordsPerInterfaceMinute: 3.5,
                flowLogTrafficRecordsPerEndpointMinute: 4,
                targetsPerUnattachedGroup: 1,
            },
        );
    });
});

describe("a load balancer's monthly cost", () => {
    it("of an endpoint's own in two zones: NLB hours, two public IPv4 addresses, and its assumed NLCUs", () => {
        const estimate = estimateMonthlyCost([nlb("a-nlb", ["a"])], { zones: 2 });
        assert.deepEqual(
            estimate.lines.map((l) => [l.item, l.quantity, l.unit, cents(l.monthly), l.assumed]),
            [
                ["NLB hours", MONTH, "hours", 16.43, false],
                ["2 public IPv4 addresses", 2 * MONTH, "address-hours", 7.3, false],
                ["NLCUs (0.1 per endpoint)", 0.1 * MONTH, "NLCU-hours", 0.44, true],
            ],
        );
        // The fixed part is the $23.7 a dedicated endpoint costs before traffic.
        assert.equal(cents(estimate.lines[0].monthly + estimate.lines[1].monthly), 23.73);
        assert.deepEqual(Object.entries(estimate.perEndpoint).map(([n, c]) => [n, cents(c)]), [["a", 24.16]]);
        assert.equal(estimate.stackWide, 0);
    });

    it("shared: the fixed part divided among its endpoints, the NLCUs each its own", () => {
        const names = Array.from({ length: 10 }, (_, i) => `e${i}`);
        const shared = estimateMonthlyCost([nlb("shared-nlb", names)], { zones: 2 });
        assert.equal(cents(shared.total), cents(23.725 + 10 * 0.438));
        assert.deepEqual(new Set(Object.values(shared.perEndpoint).map(cents)), new Set([cents(23.725 / 10 + 0.438)]));
        const dedicated = estimateMonthlyCost(names.map((n) => nlb(`${n}-nlb`, [n])), { zones: 2 });
        assert.equal(cents(dedicated.total), cents(10 * (23.725 + 0.438)));
        assert.ok(shared.total < dedicated.total / 8);
    });

    it("counts one public IPv4 address per subnet mapping when they are known, else per zone, Elastic IPs or not", () => {
        const mapped = nlb("a-nlb", ["a"], { loadBalancerType: "network", subnetMappings: [{ subnetId: "s1" }, { subnetId: "s2" }, { subnetId: "s3", allocationId: "eipalloc-1" }] });
        assert.equal(estimateMonthlyCost([mapped], { zones: 2 }).lines[1].item, "3 public IPv4 addresses");
        assert.equal(cents(estimateMonthlyCost([nlb("a-nlb", ["a"])], { zones: 3 }).lines[1].monthly), 10.95);
        const eip = resource("aws:ec2/eip:Eip", "a-eip-s1", { domain: "vpc" }, { endpoints: ["a"] });
        assert.deepEqual(estimateMonthlyCost([eip], { zones: 2 }).lines, []);
    });
});

describe("the other resources' monthly cost", () => {
    it("a Secrets Manager secret; its versions are part of its price", () => {
        const e = estimateMonthlyCost(
            [resource("aws:secretsmanager/secret:Secret", "s", {}, { endpoints: ["a"] }), resource("aws:secretsmanager/secretVersion:SecretVersion", "s-version")],
            { zones: 2 },
        );
        assert.deepEqual(e.lines.map((l) => [l.name, l.monthly]), [["s", PRICES.secretMonth]]);
        assert.deepEqual(e.perEndpoint, { a: PRICES.secretMonth });
    });

    it("alarms by alarm metric and resolution, composite alarms by the alarm", () => {
        const e = estimateMonthlyCost(
            [
                resource("aws:cloudwatch/metricAlarm:MetricAlarm", "standard", { period: 60, metricName: "HealthyHostCount" }),
                resource("aws:cloudwatch/metricAlarm:MetricAlarm", "unknown-period", {}),
                resource("aws:cloudwatch/metricAlarm:MetricAlarm", "high-resolution", { period: 10 }),
                resource("aws:cloudwatch/metricAlarm:MetricAlarm", "math", { metricQueries: [{ id: "a", metric: {} }, { id: "b", metric: {} }, { id: "e", expression: "a+b" }] }),
                resource("aws:cloudwatch/compositeAlarm:CompositeAlarm", "composite", {}),
            ],
            { zones: 2 },
        );
        assert.deepEqual(
            e.lines.map((l) => [l.name, l.quantity, l.monthly]),
            [
                ["standard", 1, 0.1],
                ["unknown-period", 1, 0.1],
                ["high-resolution", 1, 0.3],
                ["math", 2, 0.2],
                ["composite", 1, 0.5],
            ],
        );
        assert.equal(cents(e.stackWide), 1.2);
    });

    it("a function by the runs of the schedules that target it, at its memory and architecture; its log group by what those runs write", () => {
        const logs = resource("aws:cloudwatch/logGroup:LogGroup", "logs", { retentionInDays: 30 });
        const fn = resource("aws:lambda/function:Function", "fn", { memorySize: 256, architectures: ["arm64"] }, { dependencies: [logs.urn] });
        const schedule = resource("aws:cloudwatch/eventRule:EventRule", "schedule", { scheduleExpression: "rate(1 minute)" });
        const events = resource("aws:cloudwatch/eventRule:EventRule", "events", { eventPattern: "{}" });
        const target = resource("aws:cloudwatch/eventTarget:EventTarget", "schedule-target", {}, { dependencies: [schedule.urn, fn.urn] });
        const eventTarget = resource("aws:cloudwatch/eventTarget:EventTarget", "events-target", {}, { dependencies: [events.urn, fn.urn] });
        const e = estimateMonthlyCost([logs, fn, schedule, events, target, eventTarget], { zones: 2 });
        const runs = MONTH * 60;
        const gb = (runs * ASSUMPTIONS.functionLogBytesPerRun) / 1e9;
        assert.deepEqual(
            e.lines.map((l) => [l.name, l.unit, l.quantity, l.unitPrice]),
            [
                ["logs", "GB", gb, PRICES.logIngestionGb],
                ["logs", "GB-months", gb * (30 / (MONTH / 24)), PRICES.logStorageGbMonth],
                ["fn", "requests", runs, PRICES.lambdaRequest],
                ["fn", "GB-seconds", runs * ASSUMPTIONS.functionRunSeconds * 0.25, PRICES.lambdaGbSecond.arm64],
            ],
        );
        assert.deepEqual(e.notEstimated, []);
        // x86, 128 MB by default, every 5 minutes.
        const x86 = resource("aws:lambda/function:Function", "x86", {});
        const every5 = resource("aws:cloudwatch/eventRule:EventRule", "every5", { scheduleExpression: "rate(5 minutes)" });
        const t = resource("aws:cloudwatch/eventTarget:EventTarget", "t", {}, { dependencies: [every5.urn, x86.urn] });
        const duration = estimateMonthlyCost([x86, every5, t], { zones: 2 }).lines.find((l) => l.unit === "GB-seconds")!;
        assert.deepEqual([duration.quantity, duration.unitPrice], [(runs / 5) * ASSUMPTIONS.functionRunSeconds * 0.125, PRICES.lambdaGbSecond.x86_64]);
    });

    it("an SNS topic by its assumed notifications, and each email subscriber's deliveries", () => {
        const topic = resource("aws:sns/topic:Topic", "topic");
        const emails = ["a@example.com", "b@example.com"].map((address) =>
            resource("aws:sns/topicSubscription:TopicSubscription", address, { protocol: "email", endpoint: address }, { dependencies: [topic.urn] }),
        );
        const queue = resource("aws:sns/topicSubscription:TopicSubscription", "queue", { protocol: "sqs" }, { dependencies: [topic.urn] });
        const e = estimateMonthlyCost([topic, ...emails, queue], { zones: 2 });
        const n = ASSUMPTIONS.notificationsPerTopicMonth;
        assert.deepEqual(
            e.lines.map((l) => [l.item, l.quantity, l.unitPrice]),
            [
                [`notifications published (${n} a month)`, n, PRICES.snsRequest],
                ["email notifications (2 subscribers)", 2 * n, PRICES.snsEmailNotification],
            ],
        );
    });

    it("the custom metrics alarms watch: all month when the alarm treats missing data as breaching, only the assumed hours of trouble otherwise", () => {
        const expiry = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "expiry", {
            namespace: "DbEndpoints/Certificates",
            metricName: "DaysToExpiry",
            dimensions: { Stack: "acme/prod", Certificate: "ca-1" },
            period: 3600,
            treatMissingData: "breaching",
        });
        // The same metric watched twice is one metric.
        const again = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "again", { ...expiry.inputs, dimensions: { Certificate: "ca-1", Stack: "acme/prod" } });
        // Dimensions known at deploy only: each alarm's own metric (two target groups' are two).
        const failures = ["a", "b"].map((n) =>
            resource("aws:cloudwatch/metricAlarm:MetricAlarm", `${n}-failures`, { namespace: "DbEndpoints/TargetSync", metricName: "SyncFailures", dimensions: { TargetGroup: null }, treatMissingData: "notBreaching" }),
        );
        const health = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "health", { namespace: "AWS/NetworkELB", metricName: "HealthyHostCount", treatMissingData: "breaching" });
        const e = estimateMonthlyCost([expiry, again, ...failures, health], { zones: 2 });
        const metrics = e.lines.filter((l) => l.category === "custom metric");
        assert.deepEqual(
            metrics.map((l) => [l.name, l.item, l.quantity, l.unit, l.unitPrice, l.assumed]),
            [
                ["expiry", "DaysToExpiry metric, written every period", 1, "metric-months", PRICES.customMetricMonth, false],
                ["a-failures", "SyncFailures metric, written only on trouble (0 hours a month)", ASSUMPTIONS.incidentMetricHoursPerMonth / MONTH, "metric-months", PRICES.customMetricMonth, true],
                ["b-failures", "SyncFailures metric, written only on trouble (0 hours a month)", ASSUMPTIONS.incidentMetricHoursPerMonth / MONTH, "metric-months", PRICES.customMetricMonth, true],
            ],
        );
        // In a month without trouble the failure metrics cost nothing; AWS's own metric never does.
        assert.equal(cents(e.total), cents(5 * PRICES.alarmMetricMonth + PRICES.customMetricMonth));
        assert.deepEqual(e.notEstimated, []);
        // A metric whose namespace is known at deploy only cannot be told custom or not: said, not counted as nothing.
        const unknown = estimateMonthlyCost([resource("aws:cloudwatch/metricAlarm:MetricAlarm", "later", { metricName: "X" })], { zones: 2 });
        assert.deepEqual(unknown.notEstimated.map((n) => n.name), ["later"]);
    });

    it("a function's log: its base lines a run, and a record a run of each metric it publishes every period (the metrics whose alarms wait for it)", () => {
        const logs = resource("aws:cloudwatch/logGroup:LogGroup", "logs", { retentionInDays: 30 });
        const fn = resource("aws:lambda/function:Function", "fn", { memorySize: 256, architectures: ["arm64"] }, { dependencies: [logs.urn] });
        const schedule = resource("aws:cloudwatch/eventRule:EventRule", "schedule", { scheduleExpression: "rate(5 minutes)" });
        const target = resource("aws:cloudwatch/eventTarget:EventTarget", "schedule-target", {}, { dependencies: [schedule.urn, fn.urn] });
        // The function's deploy-time run: an alarm that waits for it waits for the function's first metric.
        const run = resource("aws:lambda/invocation:Invocation", "first-run", {}, { dependencies: [fn.urn] });
        const watching = (name: string, certificate: string, treatMissingData: string, after = fn) =>
            resource(
                "aws:cloudwatch/metricAlarm:MetricAlarm",
                name,
                { namespace: "DbEndpoints/Certificates", metricName: "DaysToExpiry", dimensions: { Certificate: certificate }, treatMissingData },
                { dependencies: [after.urn] },
            );
        const alarmsOf = [watching("ca-1", "ca-1", "breaching", run), watching("db", "db", "breaching"), watching("rare", "rare", "notBreaching")];
        // An alarm on a metric something else writes.
        const elsewhere = resource("aws:cloudwatch/metricAlarm:MetricAlarm", "elsewhere", { namespace: "Other", metricName: "M", treatMissingData: "breaching" });
        const e = estimateMonthlyCost([logs, fn, schedule, target, run, ...alarmsOf, elsewhere], { zones: 2 });
        const runs = (MONTH * 60) / 5;
        const gb = (runs * (ASSUMPTIONS.functionLogBytesPerRun + 2 * ASSUMPTIONS.metricRecordBytes)) / 1e9;
        const ingestion = e.lines.find((l) => l.name === "logs" && l.unit === "GB")!;
        assert.deepEqual(
            [ingestion.item, ingestion.quantity, ingestion.category],
            [`log ingestion (${ASSUMPTIONS.functionLogBytesPerRun} bytes a run, and 2 metric records of ${ASSUMPTIONS.metricRecordBytes} bytes)`, gb, "function logs"],
        );
    });

    it("flow logs by the records they deliver to their log group: scans per interface, each interface's health checks of the endpoints' targets, each endpoint's traffic", () => {
        const logs = resource("aws:cloudwatch/logGroup:LogGroup", "a-flow-logs", { retentionInDays: 90 }, { endpoints: ["a"] });
        const flowLogs = ["s1", "s2"].map((subnet) =>
            resource("aws:ec2/flowLog:FlowLog", `a-flow-log-${subnet}`, { logDestinationType: "cloud-watch-logs", trafficType: "ALL" }, { dependencies: [logs.urn], endpoints: ["a"] }),
        );
        const group = resource("aws:lb/targetGroup:TargetGroup", "a-tg", { healthCheck: { enabled: true, interval: 10 } }, { endpoints: ["a"] });
        const query = resource("aws:cloudwatch/queryDefinition:QueryDefinition", "a-who-connected", {}, { dependencies: [logs.urn], endpoints: ["a"] });
        const e = estimateMonthlyCost([logs, ...flowLogs, group, query], { zones: 2 });
        // 2 interfaces: 3.5 scan records each; 6 health checks a minute of the one target each, a record each way; one connection's 4.
        const perMinute = 2 * ASSUMPTIONS.flowLogScanRecordsPerInterfaceMinute + 2 * 6 * 2 + ASSUMPTIONS.flowLogTrafficRecordsPerEndpointMinute;
        assert.equal(perMinute, 35);
        const gb = (perMinute * MONTH * 60 * ASSUMPTIONS.flowLogRecordBytes) / 1e9;
        assert.deepEqual(
            e.lines.map((l) => [l.name, l.category, l.item, l.quantity, l.unit, l.unitPrice, l.endpoints]),
            [
                ["a-flow-logs", "flow logs", "flow-log ingestion (35 records a minute: 7 of scans, 24 of health checks, 4 of client traffic)", gb, "GB", PRICES.vendedLogIngestionGb, ["a"]],
                ["a-flow-logs", "flow logs", "log storage (90 days kept)", gb * (90 / (MONTH / 24)), "GB-months", PRICES.logStorageGbMonth, ["a"]],
            ],
        );
        assert.deepEqual(e.notEstimated, []);

        // A shared load balancer's: one set of scans, each endpoint's group (two attached targets, every 30 s by default) and traffic.
        const shared = resource("aws:cloudwatch/logGroup:LogGroup", "shared-flow-logs", { retentionInDays: 30 }, { endpoints: ["b", "c"] });
        const sharedFlowLogs = ["s1", "s2", "s3"].map((subnet) => resource("aws:ec2/flowLog:FlowLog", `shared-flow-log-${subnet}`, {}, { dependencies: [shared.urn], endpoints: ["b", "c"] }));
        const b = resource("aws:lb/targetGroup:TargetGroup", "b-tg", { healthCheck: { interval: 10 } }, { endpoints: ["b"] });
        const c = resource("aws:lb/targetGroup:TargetGroup", "c-tg", {}, { endpoints: ["c"] });
        const attachments = ["10.0.0.1", "10.0.0.2"].map((ip) => resource("aws:lb/targetGroupAttachment:TargetGroupAttachment", `c-${ip}`, {}, { dependencies: [c.urn], endpoints: ["c"] }));
        // Another endpoint's group, on another load balancer, is not this log group's.
        const other = resource("aws:lb/targetGroup:TargetGroup", "d-tg", { healthCheck: { interval: 10 } }, { endpoints: ["d"] });
        const s = estimateMonthlyCost([shared, ...sharedFlowLogs, b, c, ...attachments, other], { zones: 2 });
        const sharedPerMinute = 3 * 3.5 + 3 * (6 + 2 * 2) * 2 + 2 * 4;
        assert.equal(s.lines[0].item, `flow-log ingestion (${sharedPerMinute} records a minute: 10.5 of scans, 60 of health checks, 8 of client traffic)`);
        assert.equal(s.lines[0].quantity, (sharedPerMinute * MONTH * 60 * 130) / 1e9);
        // Split like the load balancer.
        assert.equal(cents(s.perEndpoint.b), cents(s.perEndpoint.c));
        assert.equal(cents(s.perEndpoint.b + s.perEndpoint.c), cents(s.total));

        // An interval known only at deploy (an RDS instance's engine sets it): the shortest the product sets, 5 s.
        const later = resource("aws:lb/targetGroup:TargetGroup", "a-tg", { healthCheck: { enabled: true, interval: null } }, { endpoints: ["a"] });
        assert.match(estimateMonthlyCost([logs, ...flowLogs, later], { zones: 2 }).lines[0].item, /: 7 of scans, 48 of health checks, 4 of client traffic\)$/);

        // Health checks off: no health-check records.
        const quiet = resource("aws:lb/targetGroup:TargetGroup", "a-tg", { healthCheck: { enabled: false, interval: 10 } }, { endpoints: ["a"] });
        assert.match(estimateMonthlyCost([logs, ...flowLogs, quiet], { zones: 2 }).lines[0].item, /: 7 of scans, 0 of health checks, 4 of client traffic\)$/);
    });

    it("says what it cannot price of logs: flow logs to S3, of a whole subnet, and a log group nothing in the stack writes to", () => {
        const logs = resource("aws:cloudwatch/logGroup:LogGroup", "logs");
        const toS3 = resource("aws:ec2/flowLog:FlowLog", "to-s3", { logDestinationType: "s3" });
        const subnet = resource("aws:ec2/flowLog:FlowLog", "subnet", { subnetId: "subnet-1" }, { dependencies: [logs.urn] });
        const e = estimateMonthlyCost([logs, toS3, subnet], { zones: 2 });
        assert.deepEqual(
            e.notEstimated.map((n) => [n.name, n.why]),
            [
                ["logs", "nothing in the stack writes to it: what it receives is not known"],
                ["to-s3", "flow logs delivered to s3 are not priced here"],
                ["subnet", "a flow log of a subnet, VPC or transit gateway: the traffic it records is not known"],
            ],
        );
        assert.equal(e.total, 0);
    });

    it("prices nothing for the types that cost nothing by themselves, and for what is not AWS's", () => {
        const free = [
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws:lb/targetGroup:TargetGroup",
            "aws:lb/listener:Listener",
            "aws:route53/record:Record",
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:cloudwatch/queryDefinition:QueryDefinition",
            "aws:sns/topicSubscription:TopicSubscription",
            "aws:lambda/invocation:Invocation",
            "tls:index/privateKey:PrivateKey",
            "random:index/randomPassword:RandomPassword",
            "postgresql:index/grant:Grant",
            "mysql:index/user:User",
            "pulumi:providers:postgresql",
        ];
        const e = estimateMonthlyCost(free.map((t, i) => resource(t, `r${i}`)), { zones: 2 });
        assert.deepEqual([e.lines, e.notEstimated, e.total], [[], [], 0]);
    });

    it("says what it cannot price rather than counting it as nothing: an unknown type, a function that only events run, a schedule it cannot count", () => {
        const unknown = resource("aws:rds/instance:Instance", "db");
        const onEvents = resource("aws:lambda/function:Function", "on-events");
        const cronFn = resource("aws:lambda/function:Function", "cron-fn");
        const cron = resource("aws:cloudwatch/eventRule:EventRule", "cron", { scheduleExpression: "cron(0 12 * * ? *)" });
        const t = resource("aws:cloudwatch/eventTarget:EventTarget", "t", {}, { dependencies: [cron.urn, cronFn.urn] });
        // A schedule known only at deploy (null) is not an event rule (no schedule at all).
        const laterFn = resource("aws:lambda/function:Function", "later-fn");
        const later = resource("aws:cloudwatch/eventRule:EventRule", "later", { scheduleExpression: null });
        const t2 = resource("aws:cloudwatch/eventTarget:EventTarget", "t2", {}, { dependencies: [later.urn, laterFn.urn] });
        const e = estimateMonthlyCost([unknown, onEvents, cronFn, cron, t, laterFn, later, t2], { zones: 2 });
        assert.deepEqual(
            e.notEstimated.map((n) => [n.name, n.why]),
            [
                ["db", "no unit price for this type"],
                ["on-events", "it runs on events only, whose number is not known"],
                ["cron-fn", "its schedules cannot be counted: cron (cron(0 12 * * ? *))"],
                ["later-fn", "its schedules cannot be counted: later (schedule known at deploy)"],
            ],
        );
        assert.equal(e.total, 0);
    });
});

describe("whose cost each line is", () => {
    it("an endpoint's own and shared resources, divided equally; the stack's apart; the total is their sum", () => {
        const e = estimateMonthlyCost(
            [
                nlb("shared-nlb", ["a", "b"]),
                nlb("c-nlb", ["c"]),
                resource("aws:secretsmanager/secret:Secret", "cert", {}, { endpoints: ["a", "c"] }),
                resource("aws:cloudwatch/metricAlarm:MetricAlarm", "stack-alarm"),
            ],
            { zones: 2 },
        );
        assert.equal(cents(e.perEndpoint.a), cents(23.725 / 2 + 0.438 + 0.2));
        assert.equal(cents(e.perEndpoint.b), cents(23.725 / 2 + 0.438));
        assert.equal(cents(e.perEndpoint.c), cents(23.725 + 0.438 + 0.2));
        assert.equal(e.stackWide, 0.1);
        assert.equal(cents(e.total), cents(e.perEndpoint.a + e.perEndpoint.b + e.perEndpoint.c + e.stackWide));
        assert.deepEqual(linesOf(e, "b").map((l) => l.item), ["NLB hours", "2 public IPv4 addresses", "NLCUs (0.1 per endpoint)"]);
    });
});

describe("the estimate by category", () => {
    it("sums each line into what it pays for, every category present", () => {
        const logs = resource("aws:cloudwatch/logGroup:LogGroup", "logs", { retentionInDays: 30 });
        const flowLog = resource("aws:ec2/flowLog:FlowLog", "flow-log", {}, { dependencies: [logs.urn] });
        const e = estimateMonthlyCost(
            [
                nlb("a-nlb", ["a"]),
                resource("aws:secretsmanager/secret:Secret", "s"),
                resource("aws:cloudwatch/metricAlarm:MetricAlarm", "expiry", { namespace: "N", metricName: "M", treatMissingData: "breaching" }),
                logs,
                flowLog,
            ],
            { zones: 2 },
        );
        const totals = byCategory(e);
        assert.deepEqual(Object.keys(totals), ["load balancer", "flow logs", "secret", "alarm", "custom metric", "function", "function logs", "notifications"]);
        assert.equal(cents(totals["load balancer"]), cents(23.725 + 0.438));
        assert.deepEqual([totals.secret, totals.alarm, totals["custom metric"], totals.function, totals.notifications], [0.4, 0.1, 0.3, 0, 0]);
        assert.ok(totals["flow logs"] > 0);
        assert.equal(cents(Object.values(totals).reduce((a, b) => a + b, 0)), cents(e.total));
        // Ordered by category, then by resource: the load balancer, its flow logs, the secret, the alarm and its metric.
        assert.deepEqual(
            orderedLines(e.lines).map((l) => [l.category, l.name]),
            [
                ["load balancer", "a-nlb"],
                ["load balancer", "a-nlb"],
                ["load balancer", "a-nlb"],
                ["flow logs", "logs"],
                ["flow logs", "logs"],
                ["secret", "s"],
                ["alarm", "expiry"],
                ["custom metric", "expiry"],
            ],
        );
    });
});

describe("schedules and amounts", () => {
    it("counts the runs of rate expressions, and no other", () => {
        assert.deepEqual(
            ["rate(1 minute)", "rate(5 minutes)", "rate(2 hours)", "rate(1 day)", "cron(0 * * * ? *)", "rate(0 minutes)"].map(runsPerMonth),
            [43_800, 8_760, 365, 30.416666666666668, undefined, undefined],
        );
    });

    it("formats amounts to the cent", () => {
        assert.equal(formatMonthly(23.725), "$23.73");
        assert.equal(formatMonthly(0.4), "$0.40");
    });
});
