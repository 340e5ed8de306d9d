/**
 * The target-sync function's handler against a mocked ELBv2 client (aws-sdk-client-mock) holding a fake,
 * stateful set of target groups, an injected DNS resolver and a virtual clock (sleeps advance it, nothing
 * waits). Every case asserts the exact API calls made, their order, the resulting targets, the summary,
 * and the structured log / EMF lines.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, it } from "node:test";
import {
    AddTagsCommand,
    DeregisterTargetsCommand,
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
    InvalidTargetException,
    RegisterTargetsCommand,
    TargetGroupNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { classify, createHandler, loadSettings, SyncSummary } from "../../infra/lambda/targetSync/index";
import { DnsError, usableAddresses } from "../../infra/lambda/targetSync/resolve";
import { DEFAULT_RETRY, DEPLOY_RETRY, retryReason, withRetry } from "../../infra/lambda/targetSync/retry";
import { CHANGE_TAG_KEY, FUNCTION_TIMEOUT_SECONDS, METRIC_NAMESPACE, parseTargetsFile, SyncTarget, targetsFileText } from "../../infra/lambda/targetSync/settings";

const TG_A = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/reporting-tg/0123456789abcdef";
const TG_B = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/billing-tg/fedcba9876543210";
const HOST_A = "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com";
const HOST_B = "billing.c9akciq32.us-east-1.rds.amazonaws.com";
const TARGET_A: SyncTarget = { targetGroupArn: TG_A, rdsInstanceIdentifier: "prod-postgres", rdsAddress: HOST_A, port: 5432 };
const TARGET_B: SyncTarget = { targetGroupArn: TG_B, rdsInstanceIdentifier: "billing", rdsAddress: HOST_B, port: 3306 };
const T0 = Date.parse("2026-03-01T12:00:00.000Z");

const SCHEDULED = { version: "0", source: "aws.events", "detail-type": "Scheduled Event", resources: ["arn:aws:events:us-east-1:123456789012:rule/x"], detail: {} };
const DEPLOY = { action: "sync", trigger: "deploy" };
function rdsEvent(eventId: string, instance: string) {
    return {
        version: "0",
        id: "68f6e973-1a0c-d37b-f2f2-94a7f62ffd4e",
        "detail-type": "RDS DB Instance Event",
        source: "aws.rds",
        account: "123456789012",
        time: "2026-03-01T12:00:00Z",
        region: "us-east-1",
        resources: [`arn:aws:rds:us-east-1:123456789012:db:${instance}`],
        detail: {
            EventCategories: ["failover"],
            SourceType: "DB_INSTANCE",
            SourceArn: `arn:aws:rds:us-east-1:123456789012:db:${instance}`,
            Date: "2026-03-01T12:00:00.000Z",
            Message: "A Multi-AZ failover has completed.",
            SourceIdentifier: `rds:${instance}`,
            EventID: eventId,
        },
    };
}

/** What ELB answers a role whose policy does not (yet) allow the call. */
function denied(): Error {
    return Object.assign(new Error("not authorized to perform: elasticloadbalancing:DescribeTargetHealth"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
}

function throttling(): Error {
    return Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { httpStatusCode: 400 } });
}

type Operation = "Describe" | "Register" | "Deregister" | "AddTags";

interface FakeTarget {
    id: string;
    port: number;
    state: string;
    reason?: string;
}

/** The target groups ELB holds, behind the mocked client; failures can be queued per operation. */
class FakeElb {
    readonly groups = new Map<string, FakeTarget[]>();
    readonly tags = new Map<string, Record<string, string>>();
    /** Every call, in order: "Describe <tg>", "Register <tg> ip:port,...", ... */
    readonly calls: string[] = [];
    private readonly failures = new Map<string, unknown[]>();

    constructor(readonly mock: ReturnType<typeof mockClient>) {}

    /** The next calls of `operation` (on any group) fail with these errors, in order. */
    failNext(operation: Operation, ...errors: unknown[]): void {
        this.failNextFor(operation, "*", ...errors);
    }

    /** The next calls of `operation` on one target group fail with these errors, in order. */
    failNextFor(operation: Operation, targetGroupArn: string, ...errors: unknown[]): void {
        const key = `${operation} ${targetGroupArn}`;
        this.failures.set(key, [...(this.failures.get(key) ?? []), ...errors]);
    }

    private step(operation: Operation, targetGroupArn: string, text: string): void {
        this.calls.push(text);
        for (const key of [`${operation} ${targetGroupArn}`, `${operation} *`]) {
            const queue = this.failures.get(key);
            if (queue && queue.length > 0) throw queue.shift();
        }
    }

    private group(arn: string): FakeTarget[] {
        const g = this.groups.get(arn);
        if (!g) throw new TargetGroupNotFoundException({ message: `One or more target groups not found`, $metadata: { httpStatusCode: 400 } });
        return g;
    }

    install(): void {
        this.mock.reset();
        this.mock.on(DescribeTargetHealthCommand).callsFake((input) => {
            this.step("Describe", input.TargetGroupArn, `Describe ${name(input.TargetGroupArn)}`);
            return {
                TargetHealthDescriptions: this.group(input.TargetGroupArn).map((t) => ({
                    Target: { Id: t.id, Port: t.port },
                    HealthCheckPort: String(t.port),
                    TargetHealth: { State: t.state, ...(t.reason ? { Reason: t.reason } : {}) },
                })),
            };
        });
        this.mock.on(RegisterTargetsCommand).callsFake((input) => {
            this.step("Register", input.TargetGroupArn, `Register ${name(input.TargetGroupArn)} ${input.Targets.map((t: any) => `${t.Id}:${t.Port}`).join(",")}`);
            const g = this.group(input.TargetGroupArn);
            for (const t of input.Targets) {
                const existing = g.find((x) => x.id === t.Id && x.port === t.Port);
                if (existing) existing.state = existing.state.includes("draining") ? "initial" : existing.state;
                else g.push({ id: t.Id, port: t.Port, state: "initial", reason: "Elb.RegistrationInProgress" });
            }
            return {};
        });
        this.mock.on(DeregisterTargetsCommand).callsFake((input) => {
            this.step("Deregister", input.TargetGroupArn, `Deregister ${name(input.TargetGroupArn)} ${input.Targets.map((t: any) => `${t.Id}:${t.Port}`).join(",")}`);
            const g = this.group(input.TargetGroupArn);
            for (const t of input.Targets) {
                const existing = g.find((x) => x.id === t.Id && x.port === t.Port);
                if (existing) existing.state = "draining";
            }
            return {};
        });
        this.mock.on(AddTagsCommand).callsFake((input) => {
            this.step("AddTags", input.ResourceArns[0], `AddTags ${input.ResourceArns.map(name).join(",")} ${input.Tags.map((t: any) => `${t.Key}=${t.Value}`).join(",")}`);
            for (const arn of input.ResourceArns) {
                this.group(arn);
                this.tags.set(arn, { ...(this.tags.get(arn) ?? {}), ...Object.fromEntries(input.Tags.map((t: any) => [t.Key, t.Value])) });
            }
            return {};
        });
    }

    /** Registered (not draining) targets of a group, as `ip:port`, sorted. */
    active(arn: string): string[] {
        return (this.groups.get(arn) ?? [])
            .filter((t) => !t.state.includes("draining"))
            .map((t) => `${t.id}:${t.port}`)
            .sort();
    }
}

function name(arn: string): string {
    return arn.split("/")[1];
}

const elbMock = mockClient(ElasticLoadBalancingV2Client);

/** DNS answers by hostname; a function gets the lookup count and the virtual time. */
type Answer = string[] | Error | ((lookup: number, now: number) => string[] | Error);

interface Harness {
    elb: FakeElb;
    run: (event: unknown, remainingMs?: number) => Promise<SyncSummary>;
    lines: Record<string, any>[];
    /** Log lines without the EMF records. */
    logs: () => Record<string, any>[];
    metrics: () => Record<string, any>[];
    sleeps: number[];
    lookups: string[];
    clock: { now: number };
}

function harness(dns: Record<string, Answer>, targets: SyncTarget[] = [TARGET_A], eventPollSeconds = 50, concurrency?: number): Harness {
    const elb = new FakeElb(elbMock);
    elb.install();
    const clock = { now: T0 };
    const lines: Record<string, any>[] = [];
    const sleeps: number[] = [];
    const lookups: string[] = [];
    const counts = new Map<string, number>();
    const handler = createHandler({
        settings: { targets, stack: "db-endpoints/dev", eventPollSeconds },
        elb: new ElasticLoadBalancingV2Client({ region: "us-east-1" }),
        resolve: async (host) => {
            lookups.push(host);
            const n = (counts.get(host) ?? 0) + 1;
            counts.set(host, n);
            const spec = dns[host];
            const answer = typeof spec === "function" ? spec(n, clock.now) : spec;
            if (answer === undefined) throw new DnsError(host, "ENOTFOUND");
            if (answer instanceof Error) throw answer;
            return answer;
        },
        sleep: async (ms) => {
            sleeps.push(ms);
            clock.now += ms;
        },
        now: () => clock.now,
        random: () => 0.5,
        writeLine: (line) => lines.push(JSON.parse(line)),
        concurrency,
    });
    return {
        elb,
        run: (event, remainingMs = 120_000) => handler(event, { awsRequestId: "req-1", getRemainingTimeInMillis: () => remainingMs }),
        lines,
        logs: () => lines.filter((l) => !("_aws" in l)),
        metrics: () => lines.filter((l) => "_aws" in l),
        sleeps,
        lookups,
        clock,
    };
}

const healthy = (id: string, port: number): FakeTarget => ({ id, port, state: "healthy" });

/** Sets the health state the load balancer reports for one registered target (its health checks, simulated). */
function setState(h: Harness, arn: string, id: string, state: string, reason?: string): void {
    const t = h.elb.groups.get(arn)!.find((x) => x.id === id && !x.state.includes("draining"))!;
    t.state = state;
    t.reason = reason;
}

const SCHEDULE_CONTEXT = { stack: "db-endpoints/dev", trigger: "schedule", requestId: "req-1", targetGroupArn: TG_A, rdsInstanceIdentifier: "prod-postgres" };

/** A sync metric record's values, 0 for those it leaves out. */
const counts = (m: Record<string, any>) => [m.TargetChanges ?? 0, m.SyncFailures ?? 0, m.UnservedTargets ?? 0];

describe("a failover, run by run: the stale target goes only once its replacement is healthy", () => {
    // DNS already answers the new primary; the load balancer has not yet marked the old one unhealthy.
    let h: Harness;
    let first: SyncSummary;
    beforeEach(async () => {
        h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        first = await h.run(SCHEDULED);
    });

    it("1st run: registers the new address, keeps the old one while the new one is not healthy, tags the group", () => {
        assert.deepEqual(h.elb.calls, [
            "Describe reporting-tg",
            "Register reporting-tg 10.0.1.17:5432",
            `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:00Z`,
        ]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432", "10.0.2.41:5432"]);
        assert.deepEqual(h.elb.tags.get(TG_A), { [CHANGE_TAG_KEY]: "2026-03-01T12:00:00Z" });
        // Nothing is to be deregistered yet, so no confirming lookup either.
        assert.deepEqual(h.lookups, [HOST_A]);
        assert.deepEqual(first, {
            trigger: "schedule",
            changed: 1,
            failed: 0,
            results: [
                {
                    targetGroupArn: TG_A,
                    rdsInstanceIdentifier: "prod-postgres",
                    rdsAddress: HOST_A,
                    port: 5432,
                    outcome: "changed",
                    resolved: ["10.0.1.17"],
                    registered: ["10.0.1.17"],
                    deregistered: [],
                    unserved: [],
                    deferred: ["10.0.2.41"],
                    deferredBecause: "replacement-not-healthy",
                },
            ],
        });
    });

    it("1st run: logs the registration and the deferral as JSON lines with their context", () => {
        assert.deepEqual(
            h.logs().map(({ time, ...rest }) => rest),
            [
                { level: "info", event: "target-registered", ...SCHEDULE_CONTEXT, address: "10.0.1.17", port: 5432 },
                {
                    level: "info",
                    event: "deregistration-deferred",
                    ...SCHEDULE_CONTEXT,
                    stale: ["10.0.2.41:5432"],
                    reason: "replacement-not-healthy",
                    why: "no target at an address DNS returns is healthy yet; stale targets stay registered (the load balancer routes only to healthy ones) until a run finds one healthy",
                },
                { level: "info", event: "sync-finished", stack: "db-endpoints/dev", trigger: "schedule", requestId: "req-1", targetGroups: 1, changed: 1, failed: 0, durationMs: 0 },
            ],
        );
        assert.ok(h.logs().every((l) => l.time === "2026-03-01T12:00:00.000Z"));
    });

    it("1st run: emits the group's change in embedded metric format, and only it (a deferral is not a failure)", () => {
        assert.deepEqual(h.metrics(), [
            {
                _aws: {
                    Timestamp: T0,
                    CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [["TargetGroup"]], Metrics: [{ Name: "TargetChanges", Unit: "Count" }] }],
                },
                ...SCHEDULE_CONTEXT,
                TargetGroup: "targetgroup/reporting-tg/0123456789abcdef",
                TargetChanges: 1,
            },
        ]);
    });

    it("2nd run, the new target still initial and the old one now unhealthy: reads the group and changes nothing", async () => {
        setState(h, TG_A, "10.0.1.17", "initial", "Elb.InitialHealthChecking");
        setState(h, TG_A, "10.0.2.41", "unhealthy", "Target.FailedHealthChecks");
        h.elb.calls.length = 0;
        h.lines.length = 0;
        const second = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432", "10.0.2.41:5432"]);
        const r = second.results[0];
        assert.deepEqual([r.outcome, r.registered, r.deregistered, r.deferred, r.deferredBecause], ["unchanged", [], [], ["10.0.2.41"], "replacement-not-healthy"]);
        // Nothing to report: no metric record at all.
        assert.deepEqual(h.metrics(), []);
    });

    it("3rd run, the new target healthy: deregisters the old one (after a confirming lookup) and tags the group", async () => {
        setState(h, TG_A, "10.0.1.17", "healthy");
        setState(h, TG_A, "10.0.2.41", "unhealthy", "Target.FailedHealthChecks");
        h.elb.calls.length = 0;
        h.lookups.length = 0;
        h.lines.length = 0;
        h.clock.now = T0 + 120_000;
        const third = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, [
            "Describe reporting-tg",
            "Deregister reporting-tg 10.0.2.41:5432",
            `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:02:00Z`,
        ]);
        assert.deepEqual(h.lookups, [HOST_A, HOST_A]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432"]);
        const r = third.results[0];
        assert.deepEqual([r.outcome, r.registered, r.deregistered, r.deferred, r.deferredBecause], ["changed", [], ["10.0.2.41"], [], undefined]);
        assert.deepEqual(
            h.logs().filter((l) => l.event.startsWith("target-")).map((l) => [l.event, l.address, l.port]),
            [["target-deregistered", "10.0.2.41", 5432]],
        );
        assert.deepEqual(h.metrics().map(counts), [[1, 0, 0]]);

        // And then it is idempotent: a further run finds nothing to do and calls no write API.
        h.elb.calls.length = 0;
        const again = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
        assert.deepEqual([again.results[0].outcome, again.results[0].deferred], ["unchanged", []]);
    });
});

describe("a stale DNS answer (one pointing back at an old address)", () => {
    it("never drains the healthy current target: the old address is registered beside it, nothing is deregistered", async () => {
        const h = harness({ [HOST_A]: ["10.0.2.41"] });
        h.elb.groups.set(TG_A, [healthy("10.0.1.17", 5432)]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg", "Register reporting-tg 10.0.2.41:5432", `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:00Z`]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432", "10.0.2.41:5432"]);
        const r = summary.results[0];
        assert.deepEqual([r.outcome, r.registered, r.deregistered, r.deferred, r.deferredBecause], ["changed", ["10.0.2.41"], [], ["10.0.1.17"], "replacement-not-healthy"]);
    });

    it("never deregisters a replacement that is still initial, however often it repeats", async () => {
        // Just after a failover: the new primary is registered and still in its first health checks, the old
        // one fails them, and a lagging resolver still answers the old address.
        const h = harness({ [HOST_A]: ["10.0.2.41"] });
        h.elb.groups.set(TG_A, [
            { id: "10.0.2.41", port: 5432, state: "unhealthy", reason: "Target.FailedHealthChecks" },
            { id: "10.0.1.17", port: 5432, state: "initial", reason: "Elb.InitialHealthChecking" },
        ]);
        for (let run = 0; run < 3; run++) await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg", "Describe reporting-tg", "Describe reporting-tg"]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432", "10.0.2.41:5432"]);
    });

    it("is undone by the first run with the right answer once the current target is healthy", async () => {
        let stale = true;
        const h = harness({ [HOST_A]: () => (stale ? ["10.0.2.41"] : ["10.0.1.17"]) });
        h.elb.groups.set(TG_A, [healthy("10.0.1.17", 5432)]);
        await h.run(SCHEDULED);
        setState(h, TG_A, "10.0.2.41", "unhealthy", "Target.FailedHealthChecks");
        stale = false;
        h.elb.calls.length = 0;
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg", "Deregister reporting-tg 10.0.2.41:5432", `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:00Z`]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432"]);
        assert.deepEqual(summary.results[0].deregistered, ["10.0.2.41"]);
    });
});

describe("when a stale target is deregistered, by the states the load balancer reports", () => {
    // Current: 10.0.1.17 (what DNS answers); stale: 10.0.2.41. Draining targets count as absent.
    const STALE_STATES: [string, string | undefined][] = [
        ["healthy", undefined],
        ["initial", "Elb.InitialHealthChecking"],
        ["unhealthy", "Target.FailedHealthChecks"],
        ["unused", "Target.NotInUse"],
        ["unavailable", "Target.HealthCheckDisabled"],
    ];
    const CURRENT_STATES: [string, string | undefined, boolean][] = [
        ["healthy", undefined, true],
        ["initial", "Elb.RegistrationInProgress", false],
        ["initial", "Elb.InitialHealthChecking", false],
        ["unhealthy", "Target.FailedHealthChecks", false],
        ["unused", "Target.NotInUse", false],
        ["unavailable", "Target.HealthCheckDisabled", false],
    ];
    for (const [current, currentReason, goes] of CURRENT_STATES) {
        for (const [stale, staleReason] of STALE_STATES) {
            it(`a ${stale} stale target beside a ${current}${currentReason ? ` (${currentReason})` : ""} current one is ${goes ? "deregistered" : "kept"}`, async () => {
                const h = harness({ [HOST_A]: ["10.0.1.17"] });
                h.elb.groups.set(TG_A, [
                    { id: "10.0.1.17", port: 5432, state: current, reason: currentReason },
                    { id: "10.0.2.41", port: 5432, state: stale, reason: staleReason },
                ]);
                const summary = await h.run(SCHEDULED);
                const r = summary.results[0];
                if (goes) {
                    assert.deepEqual(h.elb.calls, ["Describe reporting-tg", "Deregister reporting-tg 10.0.2.41:5432", `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:00Z`]);
                    assert.deepEqual([r.outcome, r.deregistered, r.deferred], ["changed", ["10.0.2.41"], []]);
                } else {
                    assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
                    assert.deepEqual([r.outcome, r.deregistered, r.deferred, r.deferredBecause], ["unchanged", [], ["10.0.2.41"], "replacement-not-healthy"]);
                }
                // A current target the load balancer does not serve is counted whatever happens to the stale one.
                const row = [goes ? 1 : 0, 0, currentReason === "Target.NotInUse" ? 1 : 0];
                assert.deepEqual(h.metrics().map(counts), row.some((v) => v > 0) ? [row] : []);
            });
        }
    }

    it("a stale target already draining is left alone", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.1.17", 5432), { id: "10.0.2.41", port: 5432, state: "draining", reason: "Target.DeregistrationInProgress" }]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
        assert.deepEqual([summary.results[0].outcome, summary.results[0].deferred], ["unchanged", []]);
    });

    it("one healthy current address of several is enough", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17", "10.0.3.9"] });
        h.elb.groups.set(TG_A, [
            { id: "10.0.1.17", port: 5432, state: "initial", reason: "Elb.InitialHealthChecking" },
            healthy("10.0.3.9", 5432),
            { id: "10.0.2.41", port: 5432, state: "unhealthy", reason: "Target.FailedHealthChecks" },
        ]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg", "Deregister reporting-tg 10.0.2.41:5432", `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:00Z`]);
        assert.deepEqual(summary.results[0].deregistered, ["10.0.2.41"]);
    });

    it("a healthy target on another port is no evidence for the current port", async () => {
        const h = harness({ [HOST_A]: ["10.0.2.41"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5433), { id: "10.0.2.41", port: 5432, state: "initial", reason: "Elb.InitialHealthChecking" }]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
        assert.deepEqual([summary.results[0].deferred, summary.results[0].deferredBecause], [["10.0.2.41:5433"], "replacement-not-healthy"]);
    });
});

describe("an unchanged address", () => {
    it("only reads the group: no registration, no deregistration, no tag, no metric", async () => {
        const h = harness({ [HOST_A]: ["10.0.2.41"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
        assert.equal(summary.results[0].outcome, "unchanged");
        assert.equal(summary.changed, 0);
        assert.deepEqual(h.elb.tags.get(TG_A), undefined);
        // A metric is charged per hour it receives data: zeros carry no information, so none is written.
        assert.deepEqual(h.metrics(), []);
    });
});

describe("a DNS failure", () => {
    it("leaves the group exactly as it is and reports dns-failed", async () => {
        const h = harness({ [HOST_A]: new DnsError(HOST_A, "ESERVFAIL") });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, []);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.2.41:5432"]);
        assert.deepEqual(
            [summary.failed, summary.results[0].outcome, summary.results[0].reason, summary.results[0].message],
            [1, "failed", "dns-failed", `DnsError: could not resolve ${HOST_A} (ESERVFAIL); the target group was left as it is`],
        );
        const failure = h.logs().find((l) => l.event === "sync-failed")!;
        assert.deepEqual([failure.level, failure.reason, failure.targetGroupArn], ["error", "dns-failed", TG_A]);
        assert.deepEqual(h.metrics().map((m) => [m.TargetChanges ?? 0, m.SyncFailures ?? 0]), [[0, 1]]);
    });

    it("is not taken for a change while waiting after an RDS event", async () => {
        // The lookup fails for the first 10 s of the wait, then answers with the address the group holds.
        const h = harness({ [HOST_A]: (_n, now) => (now - T0 < 10_000 ? new DnsError(HOST_A, "ETIMEOUT") : ["10.0.2.41"]) }, [TARGET_A], 20);
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        const summary = await h.run(rdsEvent("RDS-EVENT-0006", "prod-postgres"));
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg", "Describe reporting-tg"]);
        assert.equal(summary.results[0].outcome, "unchanged");
        assert.equal(h.sleeps.reduce((a, b) => a + b, 0), 20_000);
    });
});

describe("an empty DNS answer", () => {
    it("never empties the group", async () => {
        const h = harness({ [HOST_A]: [] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, []);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.2.41:5432"]);
        assert.deepEqual([summary.results[0].reason, summary.results[0].message], ["dns-empty", `${HOST_A} resolved to no IPv4 address; the target group was left as it is`]);
    });

    it("found only by the second lookup defers the deregistration instead of emptying the group", async () => {
        const h = harness({ [HOST_A]: (n) => (n === 1 ? ["10.0.1.17"] : []) });
        h.elb.groups.set(TG_A, [healthy("10.0.1.17", 5432), { id: "10.0.2.41", port: 5432, state: "unhealthy", reason: "Target.FailedHealthChecks" }]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.lookups, [HOST_A, HOST_A]);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432", "10.0.2.41:5432"]);
        const r = summary.results[0];
        assert.deepEqual([r.outcome, r.registered, r.deregistered, r.deferred, r.deferredBecause], ["unchanged", [], [], ["10.0.2.41"], "second-lookup-failed"]);
        const line = h.logs().find((l) => l.event === "deregistration-deferred")!;
        assert.deepEqual([line.level, line.stale, line.reason], ["warn", ["10.0.2.41:5432"], "second-lookup-failed"]);
    });
});

describe("several addresses", () => {
    it("registers every new one in one call, in address order, and keeps the one still answered", async () => {
        const h = harness({ [HOST_A]: ["10.0.3.9", "10.0.2.41", "10.0.10.5", "10.0.3.9"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, [
            "Describe reporting-tg",
            "Register reporting-tg 10.0.3.9:5432,10.0.10.5:5432",
            `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:00Z`,
        ]);
        assert.deepEqual(summary.results[0].resolved, ["10.0.2.41", "10.0.3.9", "10.0.10.5"]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.10.5:5432", "10.0.2.41:5432", "10.0.3.9:5432"]);
    });

    it("never registers a public address (a publicly accessible instance resolved from outside its VPC)", async () => {
        const h = harness({ [HOST_A]: ["54.12.0.7"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, []);
        assert.equal(summary.results[0].reason, "no-usable-address");
        assert.match(summary.results[0].message!, /resolved only to 54\.12\.0\.7, which cannot be NLB IP targets \(is the instance publicly accessible\?/);
        assert.deepEqual(h.logs().find((l) => l.event === "addresses-refused")?.refused, ["54.12.0.7"]);
    });

    it("registers the private addresses of a mixed answer and reports the refused ones", async () => {
        const h = harness({ [HOST_A]: ["54.12.0.7", "10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.1.17", 5432)]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
        assert.equal(summary.results[0].outcome, "unchanged");
        assert.deepEqual(h.logs().find((l) => l.event === "addresses-refused")?.refused, ["54.12.0.7"]);
    });

    it("takes only private IPv4 addresses an NLB can target", () => {
        assert.deepEqual(usableAddresses(["10.0.0.1", "172.31.255.2", "192.168.1.1", "100.64.0.9", "172.32.0.1", "127.0.0.1", "169.254.1.1", "8.8.8.8", "010.0.0.1", "fd00::1"]), {
            usable: ["10.0.0.1", "100.64.0.9", "172.31.255.2", "192.168.1.1"],
            refused: ["172.32.0.1", "127.0.0.1", "169.254.1.1", "8.8.8.8", "010.0.0.1", "fd00::1"],
        });
    });
});

describe("API throttling", () => {
    it("is retried with bounded, jittered backoff until the call succeeds", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        h.elb.failNext("Describe", throttling());
        h.elb.failNext("Register", throttling(), throttling());
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, [
            "Describe reporting-tg",
            "Describe reporting-tg",
            "Register reporting-tg 10.0.1.17:5432",
            "Register reporting-tg 10.0.1.17:5432",
            "Register reporting-tg 10.0.1.17:5432",
            `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:00Z`,
        ]);
        // random() = 0.5: half of 200, 200 and 400 ms (200 * 2^(attempt-1), full jitter).
        assert.deepEqual(h.sleeps, [100, 100, 200]);
        assert.deepEqual(
            h.logs().filter((l) => l.event === "api-retry").map((l) => [l.operation, l.attempt, l.delayMs, l.reason, l.error]),
            [
                ["DescribeTargetHealth", 1, 100, "throttling", "Throttling: Rate exceeded"],
                ["RegisterTargets", 1, 100, "throttling", "Throttling: Rate exceeded"],
                ["RegisterTargets", 2, 200, "throttling", "Throttling: Rate exceeded"],
            ],
        );
        assert.equal(summary.results[0].outcome, "changed");
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432", "10.0.2.41:5432"]);
    });

    it("that outlasts the attempts fails the registration and keeps the stale target", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        h.elb.failNext("Register", ...Array.from({ length: DEFAULT_RETRY.maxAttempts }, throttling));
        const summary = await h.run(SCHEDULED);
        assert.equal(h.elb.calls.filter((c) => c.startsWith("Register")).length, DEFAULT_RETRY.maxAttempts);
        assert.equal(h.elb.calls.filter((c) => c.startsWith("Deregister")).length, 0);
        assert.deepEqual(h.sleeps, [100, 200, 400, 800]);
        assert.deepEqual(
            [summary.results[0].outcome, summary.results[0].reason, summary.results[0].message],
            ["failed", "register-failed", "Throttling: Rate exceeded; stale targets were kept"],
        );
        assert.deepEqual(h.elb.active(TG_A), ["10.0.2.41:5432"]);
    });

    it("is not retried past the function's deadline", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        h.elb.failNext("Describe", throttling(), throttling());
        // 5.05 s left: the deadline is 5 s before the timeout, so not even the first 100 ms backoff fits.
        const summary = await h.run(SCHEDULED, 5_050);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
        assert.deepEqual(h.sleeps, []);
        assert.deepEqual([summary.results[0].reason, summary.results[0].message], ["describe-failed", "Throttling: Rate exceeded"]);
    });
});

describe("a partial failure", () => {
    it("fails only the group that failed; the others are reconciled", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"], [HOST_B]: ["10.0.5.5"] }, [TARGET_A, TARGET_B]);
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        h.elb.groups.set(TG_B, [healthy("10.0.4.4", 3306)]);
        h.elb.failNextFor("Register", TG_A, new InvalidTargetException({ message: "The following targets are not in the target group VPC", $metadata: { httpStatusCode: 400 } }));
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(
            summary.results.map((r) => [name(r.targetGroupArn), r.outcome, r.reason ?? null]),
            [
                ["reporting-tg", "failed", "register-failed"],
                ["billing-tg", "changed", null],
            ],
        );
        assert.deepEqual(h.elb.active(TG_A), ["10.0.2.41:5432"]);
        assert.deepEqual(h.elb.active(TG_B), ["10.0.4.4:3306", "10.0.5.5:3306"]);
        assert.deepEqual([summary.changed, summary.failed], [1, 1]);
    });

    it("of the deregistration keeps both targets registered and reports deregister-failed", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.1.17", 5432), { id: "10.0.2.41", port: 5432, state: "unhealthy", reason: "Target.FailedHealthChecks" }]);
        h.elb.failNext("Deregister", Object.assign(new Error("denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }));
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg", "Deregister reporting-tg 10.0.2.41:5432"]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432", "10.0.2.41:5432"]);
        const r = summary.results[0];
        assert.deepEqual(
            [r.outcome, r.reason, r.message, r.registered, r.deregistered],
            ["failed", "deregister-failed", "AccessDenied: denied; the current address is registered, the stale one stays until the next run", [], []],
        );
    });

    it("of the deregistration after a registration in the same run still tags the group", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17", "10.0.3.9"] });
        h.elb.groups.set(TG_A, [healthy("10.0.1.17", 5432), { id: "10.0.2.41", port: 5432, state: "unhealthy", reason: "Target.FailedHealthChecks" }]);
        h.elb.failNext("Deregister", throttling(), throttling(), throttling(), throttling(), throttling());
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls.filter((c) => !c.startsWith("Deregister")), [
            "Describe reporting-tg",
            "Register reporting-tg 10.0.3.9:5432",
            `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:01Z`,
        ]);
        const r = summary.results[0];
        assert.deepEqual([r.outcome, r.reason, r.registered, r.deregistered], ["failed", "deregister-failed", ["10.0.3.9"], []]);
    });

    it("fails the deployment, naming each failed group, when the deploy-time sync cannot finish", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"], [HOST_B]: new DnsError(HOST_B, "ENOTFOUND") }, [TARGET_A, TARGET_B]);
        h.elb.groups.set(TG_A, []);
        h.elb.groups.set(TG_B, []);
        await assert.rejects(h.run(DEPLOY), {
            message: `target sync could not make 1 of 2 target group(s) match DNS: ${TG_B} (billing): dns-failed: DnsError: could not resolve ${HOST_B} (ENOTFOUND); the target group was left as it is`,
        });
        // The group that could be synced was: the deployment reports the other, not a half-done world.
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432"]);
    });

    it("does not let a failed tag fail the sync", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        h.elb.failNext("AddTags", Object.assign(new Error("no"), { name: "AccessDenied" }));
        const summary = await h.run(SCHEDULED);
        assert.equal(summary.results[0].outcome, "changed");
        assert.deepEqual(h.logs().find((l) => l.event === "tag-failed")?.error, "AccessDenied: no");
    });
});

describe("a target group that no longer exists", () => {
    it("is reported and skipped; the other groups are still reconciled; a schedule run does not throw", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"], [HOST_B]: ["10.0.5.5"] }, [TARGET_A, TARGET_B]);
        h.elb.groups.set(TG_B, [healthy("10.0.4.4", 3306)]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls.filter((c) => c.includes("reporting-tg")), ["Describe reporting-tg"]);
        const r = summary.results[0];
        assert.deepEqual(
            [r.outcome, r.reason, r.message],
            ["failed", "target-group-not-found", "TargetGroupNotFoundException: One or more target groups not found; was the endpoint removed?"],
        );
        assert.deepEqual(h.elb.active(TG_B), ["10.0.4.4:3306", "10.0.5.5:3306"]);
    });

    it("fails the deploy-time sync", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        await assert.rejects(h.run(DEPLOY), /target-group-not-found/);
    });
});

describe("an RDS event", () => {
    it("waits for the DNS answer to change, then reconciles that instance's groups only", async () => {
        // DNS flips 6 s after the failover started (RDS-EVENT-0013).
        const h = harness({ [HOST_A]: (_n, now) => (now - T0 < 6_000 ? ["10.0.2.41"] : ["10.0.1.17"]), [HOST_B]: ["10.0.5.5"] }, [TARGET_A, TARGET_B]);
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        h.elb.groups.set(TG_B, [healthy("10.0.4.4", 3306)]);
        const summary = await h.run(rdsEvent("RDS-EVENT-0013", "prod-postgres"));
        assert.deepEqual(h.sleeps, [2000, 2000, 2000]);
        assert.deepEqual(h.elb.calls, [
            "Describe reporting-tg",
            "Describe reporting-tg",
            "Register reporting-tg 10.0.1.17:5432",
            `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:06Z`,
        ]);
        assert.deepEqual(h.elb.active(TG_B), ["10.0.4.4:3306"], "another instance's group is not touched");
        assert.deepEqual(
            { trigger: summary.trigger, rdsEventId: summary.rdsEventId, rdsInstanceIdentifier: summary.rdsInstanceIdentifier, groups: summary.results.map((r) => name(r.targetGroupArn)) },
            { trigger: "rds-event", rdsEventId: "RDS-EVENT-0013", rdsInstanceIdentifier: "prod-postgres", groups: ["reporting-tg"] },
        );
        const seen = h.logs().find((l) => l.event === "address-change-seen")!;
        assert.deepEqual([seen.from, seen.to, seen.waitedMs, seen.rdsEventId], [["10.0.2.41"], ["10.0.1.17"], 6000, "RDS-EVENT-0013"]);
    });

    it("reconciles at once when DNS already changed", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        await h.run(rdsEvent("RDS-EVENT-0049", "prod-postgres"));
        assert.deepEqual(h.sleeps, []);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432", "10.0.2.41:5432"]);
    });

    it("for an address that does not change waits the bounded time, then changes nothing", async () => {
        const h = harness({ [HOST_A]: ["10.0.2.41"] }, [TARGET_A], 50);
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        const summary = await h.run(rdsEvent("RDS-EVENT-0006", "prod-postgres"));
        assert.equal(h.sleeps.length, 25);
        assert.equal(h.clock.now - T0, 50_000);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg", "Describe reporting-tg"]);
        assert.equal(summary.results[0].outcome, "unchanged");
    });

    it("keeps time for the reconciliation when the function has little left", async () => {
        const h = harness({ [HOST_A]: ["10.0.2.41"] }, [TARGET_A], 60);
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        await h.run(rdsEvent("RDS-EVENT-0006", "prod-postgres"), 50_000);
        // Deadline 45 s; the wait stops 30 s before it.
        assert.ok(h.clock.now - T0 <= 15_000, `waited ${h.clock.now - T0} ms`);
    });

    it("still waits for DNS to move while the group keeps a stale target beside a replacement that is not healthy yet", async () => {
        // The last failover's old target stays until its replacement is healthy; meanwhile the next change starts.
        const h = harness({ [HOST_A]: (_n, now) => (now - T0 < 6_000 ? ["10.0.1.17"] : ["10.0.3.9"]) });
        h.elb.groups.set(TG_A, [
            { id: "10.0.1.17", port: 5432, state: "initial", reason: "Elb.InitialHealthChecking" },
            { id: "10.0.2.41", port: 5432, state: "unhealthy", reason: "Target.FailedHealthChecks" },
        ]);
        const summary = await h.run(rdsEvent("RDS-EVENT-0013", "prod-postgres"));
        assert.deepEqual(h.sleeps, [2000, 2000, 2000]);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg", "Describe reporting-tg", "Register reporting-tg 10.0.3.9:5432", `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:00:06Z`]);
        const seen = h.logs().find((l) => l.event === "address-change-seen")!;
        assert.deepEqual([seen.from, seen.to, seen.waitedMs], [["10.0.1.17", "10.0.2.41"], ["10.0.3.9"], 6000]);
        assert.deepEqual([summary.results[0].registered, summary.results[0].deferred], [["10.0.3.9"], ["10.0.1.17", "10.0.2.41"]]);
    });

    it("sees DNS moving back to an address the group still holds", async () => {
        const h = harness({ [HOST_A]: (_n, now) => (now - T0 < 4_000 ? ["10.0.1.17"] : ["10.0.2.41"]) });
        h.elb.groups.set(TG_A, [
            { id: "10.0.1.17", port: 5432, state: "initial", reason: "Elb.InitialHealthChecking" },
            { id: "10.0.2.41", port: 5432, state: "unhealthy", reason: "Target.FailedHealthChecks" },
        ]);
        await h.run(rdsEvent("RDS-EVENT-0013", "prod-postgres"));
        assert.deepEqual(h.sleeps, [2000, 2000]);
        const seen = h.logs().find((l) => l.event === "address-change-seen")!;
        assert.deepEqual([seen.to, seen.waitedMs], [["10.0.2.41"], 4000]);
    });

    it("about an instance of no endpoint of this stack is logged and ignored", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        const summary = await h.run(rdsEvent("RDS-EVENT-0049", "someone-elses-db"));
        assert.deepEqual(h.elb.calls, []);
        assert.deepEqual(summary.results, []);
        assert.equal(h.logs().find((l) => l.event === "rds-event-ignored")?.rdsInstanceIdentifier, "someone-elses-db");
    });
});

describe("runs that overlap", () => {
    it("never deregister an address a fresh lookup still returns", async () => {
        // A run that resolved a moment before DNS flipped back finds the other address healthy, but the
        // confirming lookup already returns the address it was about to deregister.
        const h = harness({ [HOST_A]: (n) => (n === 1 ? ["10.0.2.41"] : ["10.0.1.17"]) });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432), { id: "10.0.1.17", port: 5432, state: "initial", reason: "Elb.InitialHealthChecking" }]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.lookups, [HOST_A, HOST_A]);
        assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432", "10.0.2.41:5432"]);
        assert.deepEqual([summary.results[0].outcome, summary.results[0].deregistered], ["unchanged", []]);
    });
});

describe("the group's view of targets", () => {
    it("re-registers an address that is draining", async () => {
        const h = harness({ [HOST_A]: ["10.0.2.41"] });
        h.elb.groups.set(TG_A, [{ id: "10.0.2.41", port: 5432, state: "draining", reason: "Target.DeregistrationInProgress" }]);
        await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls.slice(0, 2), ["Describe reporting-tg", "Register reporting-tg 10.0.2.41:5432"]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.2.41:5432"]);
    });

    it("deregisters a target on another port", async () => {
        const h = harness({ [HOST_A]: ["10.0.2.41"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432), healthy("10.0.2.41", 5433)]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.elb.calls.slice(0, 2), ["Describe reporting-tg", "Deregister reporting-tg 10.0.2.41:5433"]);
        assert.deepEqual(summary.results[0].deregistered, ["10.0.2.41:5433"]);
    });

    it("reports a target the load balancer does not serve (an Availability Zone it has no subnet in)", async () => {
        const h = harness({ [HOST_A]: ["10.0.9.9"] });
        h.elb.groups.set(TG_A, [{ id: "10.0.9.9", port: 5432, state: "unused", reason: "Target.NotInUse" }]);
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(summary.results[0].unserved, ["10.0.9.9"]);
        const line = h.logs().find((l) => l.event === "target-not-served")!;
        assert.deepEqual([line.level, line.addresses], ["error", ["10.0.9.9"]]);
        assert.deepEqual(h.metrics().map((m) => m.UnservedTargets), [1]);
    });
});

describe("out of time", () => {
    it("target groups not started before the deadline are reported, not half-done", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
        const summary = await h.run(SCHEDULED, 4_000);
        assert.deepEqual(h.elb.calls, []);
        assert.equal(summary.results[0].reason, "out-of-time");
    });
});

describe("what started the run", () => {
    it("is read from the payload", () => {
        assert.deepEqual(classify(rdsEvent("RDS-EVENT-0049", "Prod-Postgres")), { trigger: "rds-event", rdsEventId: "RDS-EVENT-0049", rdsInstanceIdentifier: "prod-postgres" });
        assert.deepEqual(
            classify({ source: "aws.rds", "detail-type": "RDS DB Instance Event", resources: [], detail: { EventID: "RDS-EVENT-0006", SourceIdentifier: "rds:billing" } }),
            { trigger: "rds-event", rdsEventId: "RDS-EVENT-0006", rdsInstanceIdentifier: "billing" },
        );
        assert.deepEqual(classify(SCHEDULED), { trigger: "schedule" });
        assert.deepEqual(classify(DEPLOY), { trigger: "deploy" });
        assert.deepEqual(classify({}), { trigger: "manual" });
        assert.deepEqual(classify(null), { trigger: "manual" });
        assert.deepEqual(classify({ source: "aws.rds", "detail-type": "RDS DB Snapshot Event" }), { trigger: "manual" });
    });
});

describe("retries", () => {
    it("treat throttling and server errors as retryable, bad requests as final, access denied only at deployment", () => {
        assert.equal(retryReason(throttling(), DEFAULT_RETRY), "throttling");
        assert.equal(retryReason({ name: "Whatever", $metadata: { httpStatusCode: 429 } }, DEFAULT_RETRY), "throttling");
        assert.equal(retryReason({ name: "InternalFailure", $metadata: { httpStatusCode: 500 } }, DEFAULT_RETRY), "transient");
        assert.equal(retryReason({ name: "Error", code: "ECONNRESET" }, DEFAULT_RETRY), "transient");
        assert.equal(retryReason({ name: "InvalidTargetException", $metadata: { httpStatusCode: 400 } }, DEFAULT_RETRY), undefined);
        assert.equal(retryReason({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } }, DEFAULT_RETRY), undefined);
        assert.equal(retryReason({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } }, DEPLOY_RETRY), "access-denied");
    });

    it("at deployment wait out a new role's policy propagating", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, []);
        h.elb.failNext("Describe", denied(), denied(), denied());
        const summary = await h.run(DEPLOY);
        // random() = 0.5: three quarters of 500, 1000 and 2000 ms (a delay in [cap/2, cap]).
        assert.deepEqual(h.sleeps, [375, 750, 1500]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432"]);
        assert.equal(summary.failed, 0);
    });

    it("at deployment outlast IAM propagation: access denied for almost 2 minutes, then the run still reconciles", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, []);
        h.elb.failNext("Describe", ...Array.from({ length: 23 }, denied));
        // The real function timeout: the deadline (5 s before it) must leave room after the window.
        const summary = await h.run(DEPLOY, FUNCTION_TIMEOUT_SECONDS * 1000);
        // random() = 0.5: 375, 750, 1500, 3000, then 6000 ms (3/4 of the 8 s cap) until the 2-minute window.
        assert.deepEqual(h.sleeps, [375, 750, 1500, 3000, ...Array.from({ length: 19 }, () => 6000)]);
        assert.equal(h.clock.now - T0, 119_625);
        assert.deepEqual(h.elb.calls, [...Array.from({ length: 24 }, () => "Describe reporting-tg"), "Register reporting-tg 10.0.1.17:5432", `AddTags reporting-tg ${CHANGE_TAG_KEY}=2026-03-01T12:01:59Z`]);
        assert.deepEqual(h.elb.active(TG_A), ["10.0.1.17:5432"]);
        assert.deepEqual([summary.changed, summary.failed], [1, 0]);
        const retries = h.logs().filter((l) => l.event === "api-retry");
        assert.deepEqual(
            [retries.length, new Set(retries.map((l) => `${l.level} ${l.operation} ${l.reason} ${l.error}`))],
            [23, new Set(["warn DescribeTargetHealth access-denied AccessDenied: not authorized to perform: elasticloadbalancing:DescribeTargetHealth"])],
        );
    });

    it("at deployment stop retrying access denied 2 minutes into the run and fail the deployment, saying so", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"] });
        h.elb.groups.set(TG_A, []);
        h.elb.failNext("Describe", ...Array.from({ length: 100 }, denied));
        await assert.rejects(h.run(DEPLOY, FUNCTION_TIMEOUT_SECONDS * 1000), {
            message:
                `target sync could not make 1 of 1 target group(s) match DNS: ${TG_A} (prod-postgres): describe-failed: ` +
                "AccessDenied: not authorized to perform: elasticloadbalancing:DescribeTargetHealth (still denied 120 s after the run started: " +
                "the function's role policy has not reached this API yet, or does not grant the call)",
        });
        // The next backoff (6 s) would end past the 2-minute window: 24 calls, 23 sleeps, and no more.
        assert.equal(h.elb.calls.length, 24);
        assert.equal(h.clock.now - T0, 119_625);
        assert.deepEqual(h.elb.active(TG_A), []);
    });

    it("at deployment share the 2-minute window across the run: a group reached later is not given another 2 minutes", async () => {
        const h = harness({ [HOST_A]: ["10.0.1.17"], [HOST_B]: ["10.0.5.5"] }, [TARGET_A, TARGET_B], 50, 1);
        h.elb.groups.set(TG_A, []);
        h.elb.groups.set(TG_B, []);
        h.elb.failNextFor("Describe", TG_A, ...Array.from({ length: 100 }, denied));
        h.elb.failNextFor("Describe", TG_B, ...Array.from({ length: 100 }, denied));
        await assert.rejects(h.run(DEPLOY, FUNCTION_TIMEOUT_SECONDS * 1000), /^Error: target sync could not make 2 of 2 target group\(s\) match DNS: /);
        // Group B starts at 119.625 s: one backoff of 375 ms still ends inside the window, the next would not.
        assert.deepEqual([h.elb.calls.filter((c) => c === "Describe reporting-tg").length, h.elb.calls.filter((c) => c === "Describe billing-tg").length], [24, 2]);
        assert.equal(h.clock.now - T0, 120_000);
    });

    it("on every other trigger take access denied as final: one call, no backoff, a reported failure", async () => {
        for (const event of [SCHEDULED, { any: "payload" }]) {
            const h = harness({ [HOST_A]: ["10.0.1.17"] });
            h.elb.groups.set(TG_A, [healthy("10.0.2.41", 5432)]);
            h.elb.failNext("Describe", denied());
            const summary = await h.run(event);
            assert.deepEqual(h.elb.calls, ["Describe reporting-tg"]);
            assert.deepEqual(h.sleeps, []);
            const r = summary.results[0];
            assert.deepEqual(
                [summary.failed, r.outcome, r.reason, r.message],
                [1, "failed", "describe-failed", "AccessDenied: not authorized to perform: elasticloadbalancing:DescribeTargetHealth"],
            );
            const failure = h.logs().find((l) => l.event === "sync-failed")!;
            assert.deepEqual([failure.level, failure.reason], ["error", "describe-failed"]);
            assert.deepEqual(h.metrics().map((m) => m.SyncFailures), [1]);
        }
    });

    it("stop at the first final error", async () => {
        let calls = 0;
        const final = Object.assign(new Error("bad"), { name: "ValidationError", $metadata: { httpStatusCode: 400 } });
        await assert.rejects(
            withRetry(
                async () => {
                    calls++;
                    throw final;
                },
                { policy: DEFAULT_RETRY, sleep: async () => undefined, now: () => 0, random: () => 0.5, deadline: 1e12 },
            ),
            final,
        );
        assert.equal(calls, 1);
    });
});

describe("the settings the deployment writes", () => {
    it("are read from targets.json beside the code and from the environment", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "target-sync-"));
        fs.writeFileSync(path.join(dir, "targets.json"), targetsFileText([TARGET_A, TARGET_B]));
        assert.deepEqual(loadSettings(dir, { DB_ENDPOINTS_STACK: "db-endpoints/prod", EVENT_POLL_SECONDS: "30" }), {
            targets: [TARGET_A, TARGET_B],
            stack: "db-endpoints/prod",
            eventPollSeconds: 30,
            // The other duties' files are absent: not this function's duties.
            certificates: [],
            expiringRuleSecurityGroupIds: [],
        });
        assert.equal(loadSettings(dir, {}).eventPollSeconds, 50);
        assert.throws(() => loadSettings(dir, { EVENT_POLL_SECONDS: "90" }), { message: "EVENT_POLL_SECONDS: 90 is not a whole number of seconds from 0 to 60" });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("are refused whole, every problem named, when the file is wrong", () => {
        assert.throws(() => parseTargetsFile("{"), /^Error: targets\.json is not JSON: /);
        assert.throws(
            () =>
                parseTargetsFile(
                    JSON.stringify({
                        targets: [
                            { targetGroupArn: "arn:aws:s3:::bucket", rdsInstanceIdentifier: "-bad", rdsAddress: "Not A Name", port: 70000 },
                            TARGET_A,
                            { ...TARGET_B, targetGroupArn: TG_A, extra: 1 },
                        ],
                    }),
                ),
            {
                message:
                    'targets.json is invalid: targets[0].targetGroupArn: "arn:aws:s3:::bucket" is not a target group ARN; ' +
                    'targets[0].rdsInstanceIdentifier: "-bad" is not an RDS DB instance identifier; ' +
                    'targets[0].rdsAddress: "Not A Name" is not a lower-case DNS name; targets[0].port: 70000 is not a port (1..65535); ' +
                    "targets[2].extra: unknown field; known fields: targetGroupArn, rdsInstanceIdentifier, rdsAddress, port",
            },
        );
        assert.throws(() => parseTargetsFile(JSON.stringify({ targets: [TARGET_A, TARGET_A] })), {
            message: `targets.json is invalid: targets[1].targetGroupArn: "${TG_A}" is already targets[0]; each target group has one source`,
        });
        assert.throws(() => parseTargetsFile(JSON.stringify({ targets: [] })), { message: "targets.json is invalid: targets: is empty; list at least one target group to keep in sync" });
    });
});

// Last in this file: it restores the real ELBv2 client that every test above runs mocked.
describe("the function's real ELBv2 client (against a local fake of the ELB Query API)", () => {
    it("makes one request per call and its errors are classified as the retry loop expects", async () => {
        elbMock.restore();
        const requests: string[] = [];
        const replies = [
            [400, "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"],
            [400, "<ErrorResponse><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>gone</Message></Error><RequestId>2</RequestId></ErrorResponse>"],
            [503, "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>busy</Message></Error><RequestId>3</RequestId></ErrorResponse>"],
            [
                200,
                "<DescribeTargetHealthResponse><DescribeTargetHealthResult><TargetHealthDescriptions><member><Target><Id>10.0.2.41</Id><Port>5432</Port></Target>" +
                    "<TargetHealth><State>healthy</State></TargetHealth></member></TargetHealthDescriptions></DescribeTargetHealthResult></DescribeTargetHealthResponse>",
            ],
        ] as const;
        const http = await import("node:http");
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => {
                requests.push(body);
                const [status, xml] = replies[requests.length - 1];
                res.writeHead(status, { "content-type": "text/xml" });
                res.end(xml);
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const { elbClient } = await import("../../infra/lambda/targetSync/index");
            const port = (server.address() as { port: number }).port;
            const client = elbClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } });
            const outcomes: unknown[] = [];
            for (let i = 0; i < 4; i++) {
                try {
                    const out = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: TG_A }));
                    outcomes.push(out.TargetHealthDescriptions?.map((d) => `${d.Target?.Id}:${d.Target?.Port} ${d.TargetHealth?.State}`));
                } catch (e) {
                    outcomes.push([(e as Error).name, retryReason(e, DEFAULT_RETRY) ?? "final"]);
                }
            }
            assert.deepEqual(outcomes, [["Throttling", "throttling"], ["TargetGroupNotFoundException", "final"], ["ServiceUnavailable", "transient"], ["10.0.2.41:5432 healthy"]]);
            assert.equal(requests.length, 4, "the SDK's own retries are off: one request per call");
            assert.equal(requests[0], `Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=${encodeURIComponent(TG_A)}`);
        } finally {
            server.close();
        }
    });
});
