/**
 * The wait before integration users are created through an endpoint (infra/targetHealth.ts), against a mocked
 * ELBv2 client and a fake clock: it returns as soon as a target is healthy, waits through the states a new
 * target passes (registration, first health checks, an empty group), is bounded, retries only what AWS says
 * is worth asking again, and fails naming the endpoint, the target group, every target's state and reason and
 * what to check.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import {
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
    HealthUnavailableException,
    TargetGroupNotFoundException,
    TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { describeTargetHealth, TARGET_HEALTH, waitForHealthyTarget } from "../infra/targetHealth";
import { makeFakeClock } from "../testing/fakeClock";

const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/reporting-tg-3c1f0a2/0123456789abcdef";
const elb = mockClient(ElasticLoadBalancingV2Client);
const client = new ElasticLoadBalancingV2Client({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });

const target = (state: string, reason?: string, description?: string, id = "10.0.2.41"): TargetHealthDescription => ({
    Target: { Id: id, Port: 5432 },
    TargetHealth: { State: state as never, ...(reason ? { Reason: reason as never } : {}), ...(description ? { Description: description } : {}) },
});
const registering = target("initial", "Elb.RegistrationInProgress", "Target registration is in progress");
const checking = target("initial", "Elb.InitialHealthChecking", "Initial health checks in progress");
const failing = target("unhealthy", "Target.FailedHealthChecks", "Health checks failed");
const healthy = target("healthy");

/** DescribeTargetHealth answers in order (an Error is thrown); the last one repeats. */
function answers(...list: (TargetHealthDescription[] | Error)[]): void {
    const stub = elb.on(DescribeTargetHealthCommand, { TargetGroupArn: TG });
    const add = (a: TargetHealthDescription[] | Error, once: boolean) => {
        if (a instanceof Error) (once ? stub.rejectsOnce(a) : stub.rejects(a));
        else (once ? stub.resolvesOnce({ TargetHealthDescriptions: a }) : stub.resolves({ TargetHealthDescriptions: a }));
    };
    list.slice(0, -1).forEach((a) => add(a, true));
    add(list[list.length - 1], false);
}

function calls(): number {
    return elb.commandCalls(DescribeTargetHealthCommand).length;
}

const TEN_MINUTES = 10 * 60_000;

function run(timeoutMs = TEN_MINUTES) {
    const clock = makeFakeClock(1_000_000);
    const logs: string[] = [];
    const result = waitForHealthyTarget(client, { endpoint: "reporting", targetGroupArn: TG, timeoutMs, clock, log: (m) => logs.push(m) });
    return { clock, logs, result };
}

/** The sentences of the timeout message after the targets' states: what to check. */
const WHAT_TO_CHECK =
    "Check that the database is running and accepts TCP connections on port 5432; that the database's security group admits the " +
    "endpoint's security group (its first one, output securityGroupIds[0]) on that port and the endpoint's security group allows " +
    "egress to it (health checks follow the load balancer's outbound rules); and that the load balancer has a subnet in the target's " +
    "Availability Zone (Target.NotInUse). The allowlist does not affect health checks, but once a target is healthy the admin " +
    "connection also needs the public address of the machine running pulumi up in the endpoint's allowedCidrs. Then run pulumi up " +
    "again, or raise targetHealthTimeoutMinutes (stack config: the endpoint's database.targetHealthTimeoutMinutes) if the target is " +
    "only slow to register";

beforeEach(() => elb.reset());

describe("waitForHealthyTarget", () => {
    it("returns at once when a target is already healthy (every pulumi up after the first)", async () => {
        answers([healthy]);
        const { clock, logs, result } = run();
        assert.deepEqual(await result, { healthy: ["10.0.2.41:5432"], waitedMs: 0, message: "endpoint reporting: target 10.0.2.41:5432 is healthy" });
        assert.deepEqual(clock.sleeps, []);
        assert.deepEqual(logs, []);
        assert.deepEqual(elb.commandCalls(DescribeTargetHealthCommand).map((c) => c.args[0].input), [{ TargetGroupArn: TG }]);
    });

    it("waits through registration and the first health checks, polling at the health-check interval and logging each new state once", async () => {
        answers([], [registering], [registering], [checking], [checking], [healthy]);
        const { clock, logs, result } = run();
        assert.deepEqual(await result, {
            healthy: ["10.0.2.41:5432"],
            waitedMs: 50_000,
            message: "endpoint reporting: target 10.0.2.41:5432 is healthy after 50 s",
        });
        assert.equal(TARGET_HEALTH.pollIntervalMs, 10_000);
        assert.deepEqual(clock.sleeps, [10_000, 10_000, 10_000, 10_000, 10_000]);
        assert.equal(calls(), 6);
        const prefix = "endpoint reporting: waiting for a healthy target before creating the integrations' users: ";
        assert.deepEqual(logs, [
            `${prefix}no target is registered`,
            `${prefix}10.0.2.41:5432 initial (Elb.RegistrationInProgress: Target registration is in progress)`,
            `${prefix}10.0.2.41:5432 initial (Elb.InitialHealthChecking: Initial health checks in progress)`,
        ]);
    });

    it("is satisfied by one healthy target among several: the load balancer routes to the healthy ones", async () => {
        answers([failing, target("healthy", undefined, undefined, "10.0.2.42"), target("healthy", undefined, undefined, "10.0.2.43")]);
        const { result } = run();
        assert.deepEqual(await result, {
            healthy: ["10.0.2.42:5432", "10.0.2.43:5432"],
            waitedMs: 0,
            message: "endpoint reporting: targets 10.0.2.42:5432, 10.0.2.43:5432 are healthy",
        });
    });

    it("keeps waiting through unhealthy answers (a new target can fail its first checks while rules are still being created)", async () => {
        answers([registering], [failing], [failing], [healthy]);
        const { clock, result } = run();
        assert.equal((await result).waitedMs, 30_000);
        assert.deepEqual(clock.sleeps, [10_000, 10_000, 10_000]);
    });

    it("gives up at the bound, naming the endpoint, the target group, every target's state and reason, and what to check", async () => {
        answers([registering], [failing, target("unused", "Target.NotInUse", "Target is in an Availability Zone that is not enabled for the load balancer", "10.0.4.9")]);
        const { clock, result } = run(60_000);
        await assert.rejects(result, {
            message:
                `endpoint reporting: no target of target group ${TG} became healthy within 1 minute, so the integrations' database users ` +
                "are not created (the admin connection goes through the endpoint, which routes only to healthy targets). AWS reports: " +
                "10.0.2.41:5432 unhealthy (Target.FailedHealthChecks: Health checks failed); 10.0.4.9:5432 unused (Target.NotInUse: Target " +
                `is in an Availability Zone that is not enabled for the load balancer). ${WHAT_TO_CHECK}`,
        });
        // Bounded: six sleeps of the interval fill the minute, then one last look.
        assert.deepEqual(clock.sleeps, [10_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
        assert.equal(calls(), 7);
    });

    it("says so when no target was ever registered, and never sleeps past the bound", async () => {
        answers([]);
        const { clock, result } = run(25_000);
        await assert.rejects(result, {
            message:
                `endpoint reporting: no target of target group ${TG} became healthy within 0.4 minutes, so the integrations' database users ` +
                "are not created (the admin connection goes through the endpoint, which routes only to healthy targets). AWS reports: no " +
                `target is registered. ${WHAT_TO_CHECK.replace("on port 5432", "on its port")}`,
        });
        assert.deepEqual(clock.sleeps, [10_000, 10_000, 5_000]);
    });

    it("asks again when AWS could not read the health (HealthUnavailableException), and reports it if it never could", async () => {
        const unavailable = new HealthUnavailableException({ message: "Health information is temporarily unavailable", $metadata: {} });
        answers(unavailable, [healthy]);
        const first = run();
        assert.equal((await first.result).waitedMs, 10_000);
        assert.deepEqual(first.logs, [
            "endpoint reporting: waiting for a healthy target before creating the integrations' users: AWS could not report target health " +
                "(HealthUnavailableException: Health information is temporarily unavailable)",
        ]);

        elb.reset();
        answers(unavailable);
        await assert.rejects(run(20_000).result, {
            message:
                `endpoint reporting: no target of target group ${TG} became healthy within 0.3 minutes, so the integrations' database users ` +
                "are not created (the admin connection goes through the endpoint, which routes only to healthy targets). AWS never reported " +
                "the targets' health (last error: HealthUnavailableException: Health information is temporarily unavailable). " +
                WHAT_TO_CHECK.replace("on port 5432", "on its port"),
        });

        elb.reset();
        answers([failing], unavailable);
        await assert.rejects(run(10_000).result, (e: Error) => {
            assert.match(e.message, /AWS reports: 10\.0\.2\.41:5432 unhealthy \(Target\.FailedHealthChecks: Health checks failed\) \(last call failed: HealthUnavailableException: Health information is temporarily unavailable\)\. Check/);
            return true;
        });
    });

    it("fails at once when AWS refuses the call: a missing target group, a missing permission", async () => {
        answers(new TargetGroupNotFoundException({ message: "One or more target groups not found", $metadata: {} }));
        const missing = run();
        await assert.rejects(missing.result, {
            message:
                `endpoint reporting: cannot read the health of target group ${TG} (TargetGroupNotFoundException: One or more target groups ` +
                "not found), so the integrations' database users are not created",
        });
        assert.deepEqual(missing.clock.sleeps, []);

        elb.reset();
        answers(Object.assign(new Error("User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: elasticloadbalancing:DescribeTargetHealth"), { name: "AccessDenied" }));
        const denied = run();
        await assert.rejects(denied.result, {
            message:
                `endpoint reporting: cannot read the health of target group ${TG} (AccessDenied: User: arn:aws:iam::123456789012:user/deployer ` +
                "is not authorized to perform: elasticloadbalancing:DescribeTargetHealth); pulumi up needs elasticloadbalancing:DescribeTargetHealth " +
                "on it, so the integrations' database users are not created",
        });
        assert.deepEqual(denied.clock.sleeps, []);
        assert.equal(calls(), 1);
    });
});

describe("describeTargetHealth", () => {
    it("shows a target as AWS reports it: address and port, state, reason and description when given", () => {
        assert.equal(describeTargetHealth(failing), "10.0.2.41:5432 unhealthy (Target.FailedHealthChecks: Health checks failed)");
        assert.equal(describeTargetHealth(target("unused", "Target.NotRegistered")), "10.0.2.41:5432 unused (Target.NotRegistered)");
        assert.equal(describeTargetHealth(healthy), "10.0.2.41:5432 healthy");
        assert.equal(describeTargetHealth({ Target: { Id: "10.0.2.41" }, TargetHealth: {} }), "10.0.2.41 unknown");
    });
});
