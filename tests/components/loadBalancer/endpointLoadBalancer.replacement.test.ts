/**
 * What one `pulumi up` does to shared load balancers and their endpoints, and what AWS refuses on the way:
 * moving an endpoint onto or off a shared load balancer, adding an endpoint to one, removing its last endpoint,
 * replacing it, deletion protection, listener port changes. The program's registrations before and after each
 * change go through testing/updates.ts, which models the engine's and the AWS provider's replacement rules and
 * AWS's refusals (a target group on two load balancers, a port taken twice, a duplicate rule, an Elastic IP
 * still held, a protected load balancer deleted).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { exampleWorld, FakeWorld, installMockCloud, MockCloud, settle } from "../../../testing/mockCloud";
import type { Registration } from "../../../testing/recorder";
import { planUpdate, snapshot, stepOf, stepsOf, Update } from "../../../testing/updates";
import { interceptWarnings } from "../../../testing/warnings";
import { runStackProgram } from "../../../testing/stackProgram";

let cloud: MockCloud;

interceptWarnings(async () => {});

before(async () => {
    cloud = installMockCloud();
});

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET_A = "subnet-0aa11bb22cc33dd44"; // us-east-1a
const SUBNET_B = "subnet-0ee55ff66aa77bb88"; // us-east-1b
const SUBNET_B2 = "subnet-0bb22cc33dd44ee55"; // us-east-1b, another public subnet

const LB = "aws:lb/loadBalancer:LoadBalancer";
const TG = "aws:lb/targetGroup:TargetGroup";
const LISTENER = "aws:lb/listener:Listener";
const RECORD = "aws:route53/record:Record";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const EIP = "aws:ec2/eip:Eip";

function world(): FakeWorld {
    const w = exampleWorld();
    w.subnets[SUBNET_B2] = { vpcId: VPC, availabilityZone: "us-east-1b", ipv6CidrBlock: "" };
    return w;
}

type Endpoint = Record<string, unknown>;

/** A self-managed PostgreSQL endpoint behind its own security group, with a hostname in Route 53. */
function pg(name: string, address: string, extra: Endpoint = {}): Endpoint {
    return {
        name,
        database: { addresses: [address], port: 5432, securityGroupId: "sg-0123456789abcdef0" },
        allowedCidrs: ["203.0.113.0/24"],
        hostname: `${name}.db.example.com`,
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        ...extra,
    };
}

/** An RDS endpoint for prod-postgres. */
function rds(name: string, extra: Endpoint = {}): Endpoint {
    return { name, database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["198.51.100.7"], ...extra };
}

async function deploy(endpoints: Endpoint[], extra: Record<string, unknown> = {}): Promise<Registration[]> {
    await settle();
    cloud.reset(world());
    runStackProgram(cloud, { vpcId: VPC, publicSubnetIds: [SUBNET_A, SUBNET_B], endpoints, ...extra });
    await settle();
    assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    return snapshot(cloud.registered);
}

async function update(before: Endpoint[], after: Endpoint[], extraBefore: Record<string, unknown> = {}, extraAfter = extraBefore): Promise<Update> {
    return planUpdate(await deploy(before, extraBefore), await deploy(after, extraAfter));
}

const off = { deletionProtection: false };

describe("the update model against what is known of an endpoint's own load balancer", () => {
    it("swapping a subnet replaces it new first with its target group; protected, AWS refuses to delete the old one", async () => {
        const u = await update([pg("a", "10.0.3.17", off)], [pg("a", "10.0.3.17", off)], {}, { publicSubnetIds: [SUBNET_A, SUBNET_B2] });
        assert.deepEqual([stepOf(u, LB, "a-nlb"), stepOf(u, TG, "a-tg"), stepOf(u, LISTENER, "a-listener"), stepOf(u, RECORD, "a-dns-a")], [
            "replace, new first",
            "replace, new first",
            "replace, new first",
            "update",
        ]);
        assert.deepEqual(u.refusals, []);
        const p = await update([pg("a", "10.0.3.17")], [pg("a", "10.0.3.17")], {}, { publicSubnetIds: [SUBNET_A, SUBNET_B2] });
        assert.deepEqual(p.refusals, ["a-nlb has deletion protection on: AWS refuses to delete it"]);
    });

    it("with Elastic IPs: deleted first with its listener, the target group kept", async () => {
        const e = { ...off, elasticIps: true };
        const u = await update([pg("a", "10.0.3.17", e)], [pg("a", "10.0.3.17", e)], {}, { publicSubnetIds: [SUBNET_A, SUBNET_B2] });
        assert.deepEqual([stepOf(u, LB, "a-nlb"), stepOf(u, TG, "a-tg"), stepOf(u, LISTENER, "a-listener")], [
            "replace, old deleted first",
            "same",
            "replace, old deleted first",
        ]);
        assert.deepEqual(u.refusals, []);
    });
});

describe("moving an endpoint onto a shared load balancer", () => {
    it("replaces its load balancer: a new target group and listener on the shared one serve before its own is deleted", async () => {
        const u = await update(
            [pg("a", "10.0.3.17", off), pg("b", "10.0.3.18", { ...off, loadBalancer: "shared", port: 5433 })],
            [pg("a", "10.0.3.17", { ...off, loadBalancer: "shared" }), pg("b", "10.0.3.18", { ...off, loadBalancer: "shared", port: 5433 })],
        );
        assert.deepEqual(stepsOf(u, LB), { "a-nlb": "delete", "shared-nlb": "same" });
        // A target group serves one load balancer: a new one for the shared load balancer, created first.
        assert.deepEqual(stepsOf(u, TG), { "a-tg": "replace, new first", "b-tg": "same" });
        assert.deepEqual(stepsOf(u, LISTENER), { "a-listener": "replace, new first", "b-listener": "same" });
        // The record keeps its URN and moves to the shared load balancer's DNS name once the new listener exists.
        assert.equal(stepOf(u, RECORD, "a-dns-a"), "update");
        // Its allowlist rule keeps its name and moves into the shared security group (new first: the old group keeps it until then).
        assert.equal(stepOf(u, INGRESS, "a-allow-203.0.113.0_24"), "replace, new first");
        // Its own database rules go; the shared load balancer's rule to the same security group and port already serves it.
        assert.deepEqual(
            [stepOf(u, EGRESS, "a-to-database"), stepOf(u, INGRESS, "a-database-from-nlb"), stepOf(u, EGRESS, "shared-to-sg-0123456789abcdef0-5432")],
            ["delete", "delete", "same"],
        );
        assert.deepEqual(u.refusals, []);
    });

    it("with its own load balancer protected (the default), AWS refuses only the deletion at the end: turn protection off first", async () => {
        const u = await update(
            [pg("a", "10.0.3.17"), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 5433 })],
            [pg("a", "10.0.3.17", { loadBalancer: "shared" }), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 5433 })],
        );
        assert.deepEqual(u.refusals, ["a-nlb has deletion protection on: AWS refuses to delete it"]);
    });

    it("with Elastic IPs on both: its target group is replaced too (kept across replacements, never across load balancers)", async () => {
        const e = { ...off, elasticIps: true };
        const u = await update(
            [pg("a", "10.0.3.17", e), pg("b", "10.0.3.18", { ...e, loadBalancer: "shared", port: 5433 })],
            [pg("a", "10.0.3.17", { ...e, loadBalancer: "shared" }), pg("b", "10.0.3.18", { ...e, loadBalancer: "shared", port: 5433 })],
            { quotas: { elasticIpsPerRegion: 4 } },
        );
        assert.deepEqual(stepsOf(u, TG), { "a-tg": "replace, new first", "b-tg": "same" });
        assert.deepEqual(stepsOf(u, EIP), { [`a-eip-${SUBNET_A}`]: "delete", [`a-eip-${SUBNET_B}`]: "delete", [`shared-eip-${SUBNET_A}`]: "same", [`shared-eip-${SUBNET_B}`]: "same" });
        assert.deepEqual(u.refusals, []);
    });

    it("the model refuses what a trigger constant across load balancers would do: one target group on both", async () => {
        const e = { ...off, elasticIps: true };
        const before = await deploy([pg("a", "10.0.3.17", e), pg("b", "10.0.3.18", { ...e, loadBalancer: "shared", port: 5433 })], { quotas: { elasticIpsPerRegion: 4 } });
        const after = await deploy(
            [pg("a", "10.0.3.17", { ...e, loadBalancer: "shared" }), pg("b", "10.0.3.18", { ...e, loadBalancer: "shared", port: 5433 })],
            { quotas: { elasticIpsPerRegion: 4 } },
        );
        const constant = after.map((r) => (r.type === TG ? { ...r, replacementTrigger: "kept-across-load-balancer-replacements" } : r));
        assert.deepEqual(planUpdate(before, constant).refusals, ["target group a-tg would be on two load balancers: a-listener's new one while its old listener still forwards to it"]);
    });
});

describe("adding an endpoint to an existing shared load balancer", () => {
    it("adds its listener, target group and rules, and leaves the load balancer and the other endpoints as they are", async () => {
        const group = [rds("reporting", { loadBalancer: "shared" }), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 5433 })];
        const u = await update(group, [...group, pg("c", "10.0.3.19", { loadBalancer: "shared", port: 5434 })]);
        assert.deepEqual(stepsOf(u, LB), { "shared-nlb": "same" });
        assert.deepEqual(stepsOf(u, TG), { "b-tg": "same", "c-tg": "create", "reporting-tg": "same" });
        assert.deepEqual(stepsOf(u, LISTENER), { "b-listener": "same", "c-listener": "create", "reporting-listener": "same" });
        const changed = [...u.steps.values()].filter((s) => s.step !== "same" && s.step !== "create").map((s) => `${s.r.name}: ${s.step}`);
        // The certificate of the new database is new, and the upkeep function watches its expiry from now on (its
        // certificate list changes, and the deploy-time run runs again: its triggers change, which makes it a new
        // invocation); its target list is unchanged (no RDS added).
        assert.deepEqual(changed, ["upkeep-fn: update", "upkeep-deploy-sync: replace, new first"]);
        assert.deepEqual(u.refusals, []);
    });

    it("when its rules need another security group, adds it to the load balancer in place", async () => {
        const quotas = { quotas: { rulesPerSecurityGroup: 2 } };
        const group = [pg("a", "10.0.3.17", { loadBalancer: "shared" }), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 5433 })];
        const u = await update(group, [...group, pg("c", "10.0.3.17", { loadBalancer: "shared", port: 5434 })], quotas);
        assert.equal(stepOf(u, LB, "shared-nlb"), "update");
        assert.equal(stepOf(u, "aws:ec2/securityGroup:SecurityGroup", "shared-sg-2"), "create");
        assert.deepEqual(stepsOf(u, TG), { "a-tg": "same", "b-tg": "same", "c-tg": "create" });
        assert.deepEqual(u.refusals, []);
    });
});

describe("moving an endpoint off a shared load balancer", () => {
    it("gives it a load balancer of its own, a new target group and listener there, and leaves the shared one to the others", async () => {
        const u = await update(
            [pg("a", "10.0.3.17", { loadBalancer: "shared" }), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 5433 })],
            [pg("a", "10.0.3.17"), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 5433 })],
        );
        assert.deepEqual(stepsOf(u, LB), { "a-nlb": "create", "shared-nlb": "same" });
        assert.deepEqual(stepsOf(u, TG), { "a-tg": "replace, new first", "b-tg": "same" });
        assert.deepEqual(stepsOf(u, LISTENER), { "a-listener": "replace, new first", "b-listener": "same" });
        assert.equal(stepOf(u, RECORD, "a-dns-a"), "update");
        // Its port on the shared load balancer is free once its old listener is deleted, at the end.
        assert.deepEqual(u.refusals, []);
    });

    it("to another shared load balancer: the same, onto that one", async () => {
        const u = await update(
            [pg("a", "10.0.3.17", { loadBalancer: "one" }), pg("b", "10.0.3.18", { loadBalancer: "one", port: 5433 }), pg("c", "10.0.3.19", { loadBalancer: "two", port: 5434 })],
            [pg("a", "10.0.3.17", { loadBalancer: "two" }), pg("b", "10.0.3.18", { loadBalancer: "one", port: 5433 }), pg("c", "10.0.3.19", { loadBalancer: "two", port: 5434 })],
        );
        assert.deepEqual(stepsOf(u, LB), { "one-nlb": "same", "two-nlb": "same" });
        assert.deepEqual(stepsOf(u, TG), { "a-tg": "replace, new first", "b-tg": "same", "c-tg": "same" });
        assert.deepEqual(u.refusals, []);
    });
});

describe("removing the last endpoint of a shared load balancer", () => {
    it("deletes the load balancer with its security groups and rules, once its deletion protection is off", async () => {
        const keep = pg("b", "10.0.3.18");
        const u = await update([pg("a", "10.0.3.17", { ...off, loadBalancer: "shared" }), keep], [keep]);
        assert.deepEqual(stepsOf(u, LB), { "b-nlb": "same", "shared-nlb": "delete" });
        assert.deepEqual(
            [...u.steps.values()].filter((s) => s.step === "delete").map((s) => s.r.name).sort(),
            [
                "a",
                "a-allow-203.0.113.0_24",
                "a-dns-a",
                "a-listener",
                "a-target-10.0.3.17",
                "a-tg",
                "a-who-connected",
                "alarms-a-no-healthy-target",
                "alarms-db-10.0.3.17-5432-certificate-expiry",
                "db-10.0.3.17-5432",
                "db-10.0.3.17-5432-cert",
                "db-10.0.3.17-5432-csr",
                "db-10.0.3.17-5432-key",
                "db-10.0.3.17-5432-secret",
                "db-10.0.3.17-5432-secret-version",
                "shared",
                "shared-flow-log-subnet-0aa11bb22cc33dd44",
                "shared-flow-log-subnet-0ee55ff66aa77bb88",
                "shared-flow-logs",
                "shared-flow-logs-policy",
                "shared-flow-logs-role",
                "shared-from-nlb-into-sg-0123456789abcdef0-5432",
                "shared-nlb",
                "shared-sg-1",
                "shared-to-sg-0123456789abcdef0-5432",
            ],
        );
        assert.deepEqual(u.refusals, []);
        const p = await update([pg("a", "10.0.3.17", { loadBalancer: "shared" }), keep], [keep]);
        assert.deepEqual(p.refusals, ["shared-nlb has deletion protection on: AWS refuses to delete it"]);
    });

    it("removing one endpoint of several leaves the load balancer and the others untouched", async () => {
        const others = [rds("reporting", { loadBalancer: "shared" }), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 5433 })];
        const u = await update([...others, pg("c", "10.0.3.19", { loadBalancer: "shared", port: 5434 })], others);
        assert.deepEqual(stepsOf(u, LB), { "shared-nlb": "same" });
        assert.deepEqual(stepsOf(u, LISTENER), { "b-listener": "same", "c-listener": "delete", "reporting-listener": "same" });
        assert.deepEqual(u.refusals, []);
    });
});

describe("replacing a shared load balancer", () => {
    it("without Elastic IPs: new first, with a new target group and listener for every endpoint on it", async () => {
        const group = [pg("a", "10.0.3.17", { ...off, loadBalancer: "shared" }), pg("b", "10.0.3.18", { ...off, loadBalancer: "shared", port: 5433 })];
        const u = await update(group, group, {}, { publicSubnetIds: [SUBNET_A, SUBNET_B2] });
        assert.deepEqual(stepsOf(u, LB), { "shared-nlb": "replace, new first" });
        assert.deepEqual(stepsOf(u, TG), { "a-tg": "replace, new first", "b-tg": "replace, new first" });
        assert.deepEqual(stepsOf(u, LISTENER), { "a-listener": "replace, new first", "b-listener": "replace, new first" });
        assert.deepEqual(u.refusals, []);
    });

    it("with Elastic IPs: deleted first with every listener on it, every target group kept; protected, refused", async () => {
        const e = { ...off, elasticIps: true };
        const group = [pg("a", "10.0.3.17", { ...e, loadBalancer: "shared" }), pg("b", "10.0.3.18", { ...e, loadBalancer: "shared", port: 5433 })];
        const u = await update(group, group, {}, { publicSubnetIds: [SUBNET_A, SUBNET_B2] });
        assert.deepEqual(stepsOf(u, LB), { "shared-nlb": "replace, old deleted first" });
        assert.deepEqual(stepsOf(u, TG), { "a-tg": "same", "b-tg": "same" });
        assert.deepEqual(stepsOf(u, LISTENER), { "a-listener": "replace, old deleted first", "b-listener": "replace, old deleted first" });
        assert.deepEqual(u.refusals, []);
        const protectedGroup = group.map((g) => ({ ...g, deletionProtection: true }));
        const p = await update(protectedGroup, protectedGroup, {}, { publicSubnetIds: [SUBNET_A, SUBNET_B2] });
        assert.deepEqual(p.refusals, ["shared-nlb has deletion protection on: AWS refuses to delete it"]);
    });

    it("turning deletion protection off updates the shared load balancer in place, for all its endpoints at once", async () => {
        const group = (extra: Endpoint) => [pg("a", "10.0.3.17", { ...extra, loadBalancer: "shared" }), pg("b", "10.0.3.18", { ...extra, loadBalancer: "shared", port: 5433 })];
        const u = await update(group({}), group(off));
        assert.deepEqual(stepsOf(u, LB), { "shared-nlb": "update" });
        assert.deepEqual(u.refusals, []);
    });
});

describe("listener ports on a shared load balancer", () => {
    it("a new port is changed in place, with the endpoint's allowlist rules", async () => {
        const u = await update(
            [pg("a", "10.0.3.17", { loadBalancer: "shared" }), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 5433 })],
            [pg("a", "10.0.3.17", { loadBalancer: "shared", port: 6000 }), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 5433 })],
        );
        assert.deepEqual(stepsOf(u, LISTENER), { "a-listener": "update", "b-listener": "same" });
        assert.equal(stepOf(u, INGRESS, "a-allow-203.0.113.0_24"), "update");
        assert.deepEqual(u.refusals, []);
    });

    it("two endpoints swapping ports in one update meet AWS's one listener per port and one rule per permission: swap in two deployments", async () => {
        const u = await update(
            [pg("a", "10.0.3.17", { loadBalancer: "shared", port: 6000 }), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 6001 })],
            [pg("a", "10.0.3.17", { loadBalancer: "shared", port: 6001 }), pg("b", "10.0.3.18", { loadBalancer: "shared", port: 6000 })],
        );
        assert.deepEqual(u.refusals, [
            "listener a-listener: port 6001 of its load balancer is still b-listener's (DuplicateListener)",
            "listener b-listener: port 6000 of its load balancer is still a-listener's (DuplicateListener)",
            // Both admit 203.0.113.0/24 in the same security group: each rule's new port is the other's until it changes.
            "rule a-allow-203.0.113.0_24 duplicates b-allow-203.0.113.0_24 (InvalidPermission.Duplicate)",
            "rule b-allow-203.0.113.0_24 duplicates a-allow-203.0.113.0_24 (InvalidPermission.Duplicate)",
        ]);
    });
});
