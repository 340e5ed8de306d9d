/**
 * The upkeep function's revocation of expired allowlist rules, through its handler, against a mocked EC2 client
 * (aws-sdk-client-mock) holding a fake set of security group rules, with the clock fixed: it revokes exactly the
 * ingress rules of its own stack's groups whose `db-endpoints:expires` tag is at or before now, one call per rule,
 * logs each, treats a rule already gone as done, and writes `RevocationFailures` only when it failed.
 *
 * What the rest of the system does with a revoked rule (checked in hashicorp/terraform-provider-aws,
 * internal/service/ec2/vpc_security_group_ingress_rule.go, which @pulumi/aws's `aws.vpc.SecurityGroupIngressRule`
 * runs): its Delete calls RevokeSecurityGroupIngress by the rule ID and returns without error when EC2 answers
 * `InvalidSecurityGroupRuleId.NotFound` or `InvalidGroup.NotFound`, so a later `pulumi up` that no longer declares
 * the expired entry removes it from the state without failing; its Read removes a rule EC2 no longer has from the
 * state (`pulumi refresh`). Nothing recreates a rule the program does not declare.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { DescribeSecurityGroupRulesCommand, EC2Client, RevokeSecurityGroupIngressCommand, SecurityGroupRule } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { ec2Api, createHandler, SyncSummary } from "../../infra/lambda/targetSync/index";
import { EXPIRES_TAG_KEY, REVOCATION_METRIC } from "../../infra/lambda/targetSync/expiredRules";
import type { Ec2Api } from "../../infra/lambda/targetSync/revocation";

const NOW = Date.parse("2027-02-01T00:00:00Z");
const OURS = ["sg-0a00000000000000a", "sg-0b00000000000000b"];
const THEIRS = "sg-0c00000000000000c";
const SCHEDULED = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };

const ec2Mock = mockClient(EC2Client);

/** An ingress rule of `group`, with an expiry tag when given. */
function rule(id: string, group: string, expires?: string, extra: Partial<SecurityGroupRule> = {}): SecurityGroupRule {
    return {
        SecurityGroupRuleId: id,
        GroupId: group,
        IsEgress: false,
        IpProtocol: "tcp",
        FromPort: 5432,
        ToPort: 5432,
        CidrIpv4: `203.0.113.${id.length}/32`,
        Tags: expires === undefined ? [{ Key: "Name", Value: id }] : [{ Key: EXPIRES_TAG_KEY, Value: expires }],
        ...extra,
    };
}

function awsError(name: string, message = name): Error {
    return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: 400 } });
}

/**
 * The EC2 API over a set of rules. `honourFilters`: answer only what the filters ask for, as EC2 does; false answers
 * every rule (to show the function checks each rule itself). `pageSize`: rules per page.
 */
class FakeEc2 {
    rules: SecurityGroupRule[] = [];
    calls: string[] = [];
    honourFilters = true;
    pageSize = 1000;
    revokeErrors = new Map<string, Error>();

    install(): void {
        ec2Mock.reset();
        ec2Mock.on(DescribeSecurityGroupRulesCommand).callsFake(async (input) => {
            const groups = input.Filters?.find((f: { Name?: string }) => f.Name === "group-id")?.Values ?? [];
            const keys = input.Filters?.find((f: { Name?: string }) => f.Name === "tag-key")?.Values ?? [];
            this.calls.push(`Describe ${groups.join(",")} tag-key=${keys.join(",")} token=${input.NextToken ?? "-"}`);
            const matching = this.honourFilters
                ? this.rules.filter((r) => groups.includes(r.GroupId!) && r.Tags?.some((t) => keys.includes(t.Key!)))
                : this.rules;
            const start = input.NextToken ? Number(input.NextToken) : 0;
            const page = matching.slice(start, start + this.pageSize);
            const next = start + this.pageSize < matching.length ? String(start + this.pageSize) : undefined;
            return { SecurityGroupRules: page.map((r) => ({ ...r })), NextToken: next };
        });
        ec2Mock.on(RevokeSecurityGroupIngressCommand).callsFake(async (input) => {
            const ids: string[] = input.SecurityGroupRuleIds ?? [];
            this.calls.push(`Revoke ${input.GroupId} ${ids.join(",")}`);
            const error = this.revokeErrors.get(ids[0]);
            if (error) throw error;
            if (!this.rules.some((r) => r.GroupId === input.GroupId)) throw awsError("InvalidGroup.NotFound", `The security group '${input.GroupId}' does not exist`);
            for (const id of ids) {
                if (!this.rules.some((r) => r.SecurityGroupRuleId === id && r.GroupId === input.GroupId)) {
                    throw awsError("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
                }
            }
            this.rules = this.rules.filter((r) => !ids.includes(r.SecurityGroupRuleId!));
            return { Return: true };
        });
    }

    remaining(): string[] {
        return this.rules.map((r) => r.SecurityGroupRuleId!).sort();
    }
}

interface Harness {
    ec2: FakeEc2;
    run: (event: unknown) => Promise<SyncSummary>;
    lines: Record<string, any>[];
    logs: () => Record<string, any>[];
    metrics: () => Record<string, any>[];
    sleeps: number[];
    clock: { now: number };
}

function harness(groups = OURS, loadEc2?: () => Promise<Ec2Api>): Harness {
    const ec2 = new FakeEc2();
    ec2.install();
    const clock = { now: NOW };
    const lines: Record<string, any>[] = [];
    const sleeps: number[] = [];
    const handler = createHandler({
        settings: { targets: [], stack: "db-endpoints/prod", eventPollSeconds: 50, expiringRuleSecurityGroupIds: groups },
        elb: new ElasticLoadBalancingV2Client({ region: "us-east-1" }),
        resolve: async () => {
            throw new Error("no DNS lookup expected");
        },
        sleep: async (ms) => {
            sleeps.push(ms);
            clock.now += ms;
        },
        now: () => clock.now,
        random: () => 0.5,
        writeLine: (line) => lines.push(JSON.parse(line)),
        ec2: loadEc2 ?? (() => ec2Api({ region: "us-east-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } })),
    });
    return {
        ec2,
        run: (event) => handler(event, { awsRequestId: "req-1", getRemainingTimeInMillis: () => 120_000 }),
        lines,
        logs: () => lines.filter((l) => !("_aws" in l)),
        metrics: () => lines.filter((l) => "_aws" in l),
        sleeps,
        clock,
    };
}

/** The rules of the stack that owns OURS and of another stack, a minute after 2027-02-01T00:00:00Z was the time. */
function world(ec2: FakeEc2): void {
    ec2.rules = [
        rule("sgr-expired-a", OURS[0], "2027-01-31T23:59:00Z"),
        rule("sgr-due-now", OURS[0], "2027-02-01T00:00:00Z"), // at now: due
        rule("sgr-future", OURS[0], "2027-02-01T00:00:01Z"),
        rule("sgr-untagged", OURS[0]),
        rule("sgr-egress", OURS[0], "2026-01-01T00:00:00Z", { IsEgress: true }),
        rule("sgr-date-only", OURS[0], "2027-01-01"),
        rule("sgr-no-such-day", OURS[0], "2027-02-30T00:00:00Z"),
        rule("sgr-expired-ipv6", OURS[1], "2026-12-01T00:00:00Z", { CidrIpv4: undefined, CidrIpv6: "2001:db8::/48" }),
        rule("sgr-other-stack", THEIRS, "2026-01-01T00:00:00Z"),
    ];
}

describe("a scheduled run revokes the expired rules of its own groups, and nothing else", () => {
    let h: Harness;
    let summary: SyncSummary;
    beforeEach(async () => {
        h = harness();
        world(h.ec2);
        summary = await h.run(SCHEDULED);
    });

    it("asks EC2 for the tagged rules of exactly its groups, then revokes each expired one by its ID, one call each", () => {
        assert.deepEqual(h.ec2.calls, [
            `Describe ${OURS.join(",")} tag-key=${EXPIRES_TAG_KEY} token=-`,
            `Revoke ${OURS[0]} sgr-due-now`,
            `Revoke ${OURS[0]} sgr-expired-a`,
            `Revoke ${OURS[1]} sgr-expired-ipv6`,
        ]);
        assert.deepEqual(h.ec2.remaining(), ["sgr-date-only", "sgr-egress", "sgr-future", "sgr-no-such-day", "sgr-other-stack", "sgr-untagged"]);
    });

    it("reports what it did, and leaves alone the rules whose tag it cannot read", () => {
        assert.deepEqual(summary.revocation, {
            revoked: [
                { securityGroupId: OURS[0], securityGroupRuleId: "sgr-due-now", expiresAt: "2027-02-01T00:00:00Z", source: "203.0.113.11/32" },
                { securityGroupId: OURS[0], securityGroupRuleId: "sgr-expired-a", expiresAt: "2027-01-31T23:59:00Z", source: "203.0.113.13/32" },
                { securityGroupId: OURS[1], securityGroupRuleId: "sgr-expired-ipv6", expiresAt: "2026-12-01T00:00:00Z", source: "2001:db8::/48" },
            ],
            alreadyGone: [],
            pending: 1,
            unreadable: [
                { securityGroupId: OURS[0], securityGroupRuleId: "sgr-date-only", value: "2027-01-01" },
                { securityGroupId: OURS[0], securityGroupRuleId: "sgr-no-such-day", value: "2027-02-30T00:00:00Z" },
            ],
            failed: [],
        });
        assert.deepEqual([summary.changed, summary.failed, summary.results], [0, 0, []]);
    });

    it("logs each revocation, each unreadable tag and the run", () => {
        const context = { stack: "db-endpoints/prod", trigger: "schedule", requestId: "req-1" };
        assert.deepEqual(
            h.logs().map(({ time, ...rest }) => rest),
            [
                { level: "warn", event: "expiry-unreadable", ...context, securityGroupId: OURS[0], securityGroupRuleId: "sgr-date-only", value: "2027-01-01", why: `the ${EXPIRES_TAG_KEY} tag is not YYYY-MM-DDTHH:MM:SSZ; the rule is left alone` },
                { level: "warn", event: "expiry-unreadable", ...context, securityGroupId: OURS[0], securityGroupRuleId: "sgr-no-such-day", value: "2027-02-30T00:00:00Z", why: `the ${EXPIRES_TAG_KEY} tag is not YYYY-MM-DDTHH:MM:SSZ; the rule is left alone` },
                { level: "info", event: "rule-revoked", ...context, securityGroupId: OURS[0], securityGroupRuleId: "sgr-due-now", expiresAt: "2027-02-01T00:00:00Z", source: "203.0.113.11/32" },
                { level: "info", event: "rule-revoked", ...context, securityGroupId: OURS[0], securityGroupRuleId: "sgr-expired-a", expiresAt: "2027-01-31T23:59:00Z", source: "203.0.113.13/32" },
                { level: "info", event: "rule-revoked", ...context, securityGroupId: OURS[1], securityGroupRuleId: "sgr-expired-ipv6", expiresAt: "2026-12-01T00:00:00Z", source: "2001:db8::/48" },
                { level: "info", event: "revocation-finished", ...context, securityGroups: 2, revoked: 3, alreadyGone: 0, pending: 1, unreadable: 2, failed: 0 },
            ],
        );
        assert.ok(h.logs().every((l) => l.time === "2027-02-01T00:00:00.000Z"));
    });

    it("writes no metric when nothing failed", () => {
        assert.deepEqual(h.metrics(), []);
    });

    it("is idempotent: the next run finds nothing due and revokes nothing", async () => {
        h.ec2.calls.length = 0;
        const again = await h.run(SCHEDULED);
        assert.deepEqual(h.ec2.calls, [`Describe ${OURS.join(",")} tag-key=${EXPIRES_TAG_KEY} token=-`]);
        assert.deepEqual([again.revocation!.revoked, again.revocation!.pending], [[], 1]);
    });

    it("revokes a rule once its instant has come, not a second before (the clock decides)", async () => {
        h.ec2.calls.length = 0;
        h.clock.now = Date.parse("2027-02-01T00:00:00.999Z");
        assert.deepEqual((await h.run(SCHEDULED)).revocation!.revoked, []);
        h.clock.now = Date.parse("2027-02-01T00:00:01Z");
        assert.deepEqual((await h.run(SCHEDULED)).revocation!.revoked.map((r) => r.securityGroupRuleId), ["sgr-future"]);
    });
});

describe("the rules it never touches, whatever EC2 answers", () => {
    it("checks each rule itself: another group's, an untagged one, an egress rule stay even if EC2 returned them", async () => {
        const h = harness();
        world(h.ec2);
        h.ec2.honourFilters = false;
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(
            h.ec2.calls.filter((c) => c.startsWith("Revoke")),
            [`Revoke ${OURS[0]} sgr-due-now`, `Revoke ${OURS[0]} sgr-expired-a`, `Revoke ${OURS[1]} sgr-expired-ipv6`],
        );
        assert.ok(h.ec2.remaining().includes("sgr-other-stack"));
        assert.ok(h.ec2.remaining().includes("sgr-egress"));
        assert.ok(h.ec2.remaining().includes("sgr-untagged"));
        assert.equal(summary.revocation!.revoked.length, 3);
    });

    it("a stack whose groups have no expired rule revokes nothing, even with another stack's expired rules about", async () => {
        const h = harness([OURS[1]]);
        h.ec2.rules = [rule("sgr-other-stack", THEIRS, "2026-01-01T00:00:00Z"), rule("sgr-future", OURS[1], "2030-01-01T00:00:00Z")];
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(h.ec2.calls, [`Describe ${OURS[1]} tag-key=${EXPIRES_TAG_KEY} token=-`]);
        assert.deepEqual([summary.revocation!.revoked, summary.revocation!.pending], [[], 1]);
    });
});

describe("a rule already gone", () => {
    for (const [code, setup] of [
        ["InvalidSecurityGroupRuleId.NotFound", (e: FakeEc2) => e.revokeErrors.set("sgr-expired-a", awsError("InvalidSecurityGroupRuleId.NotFound"))],
        ["InvalidGroup.NotFound", (e: FakeEc2) => e.revokeErrors.set("sgr-expired-a", awsError("InvalidGroup.NotFound"))],
    ] as const) {
        it(`(${code}, e.g. deleted by a deployment between the lookup and the revocation) is done, not a failure`, async () => {
            const h = harness([OURS[0]]);
            h.ec2.rules = [rule("sgr-expired-a", OURS[0], "2027-01-31T00:00:00Z"), rule("sgr-expired-b", OURS[0], "2027-01-31T00:00:00Z")];
            setup(h.ec2);
            const summary = await h.run(SCHEDULED);
            assert.deepEqual(summary.revocation!.alreadyGone.map((r) => r.securityGroupRuleId), ["sgr-expired-a"]);
            // The other expired rule is revoked all the same.
            assert.deepEqual(summary.revocation!.revoked.map((r) => r.securityGroupRuleId), ["sgr-expired-b"]);
            assert.deepEqual(summary.revocation!.failed, []);
            assert.deepEqual(h.logs().find((l) => l.event === "rule-already-revoked")!.code, code);
            assert.deepEqual(h.metrics(), []);
        });
    }
});

describe("failures", () => {
    it("a revocation EC2 refuses is logged, the others still revoked, and counted in RevocationFailures", async () => {
        const h = harness([OURS[0]]);
        h.ec2.rules = [rule("sgr-expired-a", OURS[0], "2027-01-31T00:00:00Z"), rule("sgr-expired-b", OURS[0], "2027-01-31T00:00:00Z")];
        h.ec2.revokeErrors.set("sgr-expired-a", awsError("UnauthorizedOperation", "You are not authorized to perform this operation."));
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(summary.revocation!.failed, [
            { securityGroupId: OURS[0], securityGroupRuleId: "sgr-expired-a", message: "UnauthorizedOperation: You are not authorized to perform this operation." },
        ]);
        assert.deepEqual(summary.revocation!.revoked.map((r) => r.securityGroupRuleId), ["sgr-expired-b"]);
        const failure = h.logs().find((l) => l.event === "revocation-failed")!;
        assert.deepEqual([failure.level, failure.reason, failure.securityGroupRuleId], ["error", "revoke-failed", "sgr-expired-a"]);
        assert.deepEqual(h.metrics(), [
            {
                _aws: {
                    Timestamp: NOW,
                    CloudWatchMetrics: [{ Namespace: REVOCATION_METRIC.namespace, Dimensions: [["Stack"]], Metrics: [{ Name: "RevocationFailures", Unit: "Count" }] }],
                },
                stack: "db-endpoints/prod",
                trigger: "schedule",
                requestId: "req-1",
                Stack: "db-endpoints/prod",
                RevocationFailures: 1,
            },
        ]);
    });

    it("a lookup that fails revokes nothing and is counted", async () => {
        const h = harness();
        ec2Mock.on(DescribeSecurityGroupRulesCommand).rejects(awsError("UnauthorizedOperation", "not authorized"));
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(summary.revocation!.failed, [{ message: "DescribeSecurityGroupRules: UnauthorizedOperation: not authorized" }]);
        assert.equal(ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand).length, 0);
        assert.deepEqual(h.metrics().map((m) => m.RevocationFailures), [1]);
    });

    it("throttling is retried with backoff, then the rule revoked", async () => {
        const h = harness([OURS[0]]);
        h.ec2.rules = [rule("sgr-expired-a", OURS[0], "2027-01-31T00:00:00Z")];
        let attempts = 0;
        const revoke = ec2Mock.commandCalls.bind(ec2Mock);
        ec2Mock.on(RevokeSecurityGroupIngressCommand).callsFake(async () => {
            if (++attempts < 3) throw awsError("RequestLimitExceeded", "Request limit exceeded.");
            h.ec2.rules = [];
            return { Return: true };
        });
        const summary = await h.run(SCHEDULED);
        assert.equal(revoke(RevokeSecurityGroupIngressCommand).length, 3);
        assert.deepEqual(h.sleeps, [100, 200]);
        assert.deepEqual(summary.revocation!.revoked.map((r) => r.securityGroupRuleId), ["sgr-expired-a"]);
        assert.deepEqual(h.logs().filter((l) => l.event === "api-retry").map((l) => [l.operation, l.reason]), [
            ["RevokeSecurityGroupIngress", "throttling"],
            ["RevokeSecurityGroupIngress", "throttling"],
        ]);
    });

    it("an EC2 client that cannot be loaded is a failure, counted, and the next run tries again", async () => {
        let loads = 0;
        const h = harness(OURS, async () => {
            loads++;
            throw new Error("Cannot find module '@aws-sdk/client-ec2'");
        });
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(summary.revocation!.failed, [{ message: "Cannot find module '@aws-sdk/client-ec2'" }]);
        assert.deepEqual(h.metrics().map((m) => m.RevocationFailures), [1]);
        assert.equal(h.logs().find((l) => l.event === "revocation-failed")!.reason, "ec2-client-unavailable");
        await h.run(SCHEDULED);
        assert.equal(loads, 2);
    });
});

describe("when it runs", () => {
    it("reads every page of rules", async () => {
        const h = harness([OURS[0]]);
        h.ec2.pageSize = 2;
        h.ec2.rules = ["a", "b", "c", "d", "e"].map((x) => rule(`sgr-${x}`, OURS[0], "2027-01-01T00:00:00Z"));
        const summary = await h.run(SCHEDULED);
        assert.deepEqual(
            h.ec2.calls.filter((c) => c.startsWith("Describe")).map((c) => c.split(" token=")[1]),
            ["-", "2", "4"],
        );
        assert.equal(summary.revocation!.revoked.length, 5);
    });

    it("revokes on the schedule and by hand; neither at deployment nor on an RDS event", async () => {
        for (const [event, revokes] of [
            [SCHEDULED, true],
            [{ any: "payload" }, true],
            [{ action: "sync", trigger: "deploy" }, false],
            [{ source: "aws.rds", "detail-type": "RDS DB Instance Event", resources: ["arn:aws:rds:us-east-1:123456789012:db:x"], detail: { EventID: "RDS-EVENT-0006" } }, false],
        ] as const) {
            const h = harness([OURS[0]]);
            h.ec2.rules = [rule("sgr-expired-a", OURS[0], "2027-01-31T00:00:00Z")];
            const summary = await h.run(event);
            assert.equal(summary.revocation !== undefined, revokes, JSON.stringify(event));
            assert.equal(h.ec2.calls.length > 0, revokes, JSON.stringify(event));
        }
    });

    it("is not a duty of a function without security groups to watch", async () => {
        const h = harness([]);
        const summary = await h.run(SCHEDULED);
        assert.equal(summary.revocation, undefined);
        assert.deepEqual(h.ec2.calls, []);
        assert.deepEqual(h.lines, []);
    });
});
