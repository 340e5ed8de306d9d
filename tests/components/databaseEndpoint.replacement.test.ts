/**
 * Changes that make AWS replace an endpoint's load balancer or target group, under the mock runtime: what the
 * program registers for a configuration before and after the change, and whether the Pulumi engine can carry
 * the change out against AWS in one `pulumi up`.
 *
 * The mock runtime shows no diffs and no replacements, so `replacementOf` models the three rules that decide
 * them, each from its source (the providers' in infra/model/forceNew.ts, which the offline plan applies too):
 * - hashicorp/terraform-provider-aws internal/service/elbv2/load_balancer.go, customizeDiffLoadBalancerNLB:
 *   a network load balancer's subnet mappings force a new one unless mappings are only added; `port` on
 *   aws_lb_target_group and every argument of aws_lb_target_group_attachment are ForceNew, and
 *   `load_balancer_arn` on aws_lb_listener is ForceNew.
 * - pulumi/pulumi pkg/resource/deploy/step_generator.go: `shouldTriggerReplace` (a replacement trigger replaces
 *   when both values are set and differ, or one is unknown) and the delete-before-replace path, which deletes
 *   the dependents whose ForceNew inputs come from the replaced resource (the listener) before it.
 * - AWS: a target group is associated with one load balancer only, and an Elastic IP with one network
 *   interface (an NLB created with an allocation still held by the old NLB fails).
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { before, describe, it } from "node:test";
import { mappingsForceNew, SubnetMapping } from "../../infra/model/forceNew";
import { exampleWorld, FakeWorld, installMockCloud, MockCloud, parentName, Registered, settle, unwrap } from "../../testing/mockCloud";

let cloud: MockCloud;
let endpoints: typeof import("../../infra/components/databaseEndpoint");
let sync: typeof import("../../infra/components/upkeep");
let settings: typeof import("../../infra/lambda/targetSync/settings");

before(async () => {
    cloud = installMockCloud();
    endpoints = await import("../../infra/components/databaseEndpoint");
    sync = await import("../../infra/components/upkeep");
    settings = await import("../../infra/lambda/targetSync/settings");
});

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNET_A = "subnet-0aa11bb22cc33dd44"; // us-east-1a
const SUBNET_B = "subnet-0ee55ff66aa77bb88"; // us-east-1b
const SUBNET_B2 = "subnet-0bb22cc33dd44ee55"; // us-east-1b, another public subnet
const SUBNET_C = "subnet-0cc33dd44ee55ff66"; // us-east-1c

function world(): FakeWorld {
    const w = exampleWorld();
    w.subnets[SUBNET_B2] = { vpcId: VPC, availabilityZone: "us-east-1b", ipv6CidrBlock: "" };
    w.subnets[SUBNET_C] = { vpcId: VPC, availabilityZone: "us-east-1c", ipv6CidrBlock: "" };
    return w;
}

type EndpointArgs = import("../../infra/components/databaseEndpoint").DatabaseEndpointArgs;

function selfManaged(extra: Partial<EndpointArgs> = {}): EndpointArgs {
    return {
        vpcId: VPC,
        subnetIds: [SUBNET_A, SUBNET_B],
        database: { addresses: ["10.0.3.17", "10.0.3.18"], port: 5432, securityGroupId: "sg-0db0000000000000a" },
        allowedCidrs: ["203.0.113.0/24"],
        hostname: "pg.db.example.com",
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        ...extra,
    };
}

/** The URN the mock runtime gives a child of a component. */
function urnOf(r: Registered): string {
    const [prefix, project, parentType] = r.parent.split("::");
    return `${prefix}::${project}::${parentType}$${r.type}::${r.name}`;
}

/** What one deployment of an endpoint registered: its load-balancing resources and the NLB's ARN. */
interface Deployed {
    eips: Registered[];
    nlb: Registered;
    nlbArn: string;
    targetGroup: Registered;
    attachments: Registered[];
    listener: Registered;
    records: Registered[];
}

async function deploy(name: string, args: EndpointArgs, w: FakeWorld = world()): Promise<Deployed> {
    cloud.reset(w);
    const e = new endpoints.DatabaseEndpoint(name, args);
    const nlbArn = await unwrap(e.loadBalancerArn);
    await unwrap(e.listenerArn);
    await settle();
    assert.deepEqual(cloud.asyncErrors, []);
    const mine = (type: string) => cloud.ofType(type).filter((r) => parentName(r) === name);
    return {
        eips: mine("aws:ec2/eip:Eip"),
        nlb: cloud.named(`${name}-nlb`),
        nlbArn,
        targetGroup: cloud.named(`${name}-tg`),
        attachments: mine("aws:lb/targetGroupAttachment:TargetGroupAttachment"),
        listener: cloud.named(`${name}-listener`),
        records: mine("aws:route53/record:Record"),
    };
}

type Mapping = SubnetMapping;

/** pulumi/pulumi's shouldTriggerReplace, with the NLB's ARN known to be new when the NLB is replaced. */
function triggerReplaces(before: Deployed, after: Deployed, nlbReplaced: boolean): boolean {
    const old = before.targetGroup.replacementTrigger;
    const next = after.targetGroup.replacementTrigger;
    if (old === undefined || next === undefined) return false;
    const newArn = nlbReplaced && next === after.nlbArn;
    return newArn || old !== next;
}

interface Replacement {
    loadBalancer: "kept" | "created before the old one is deleted" | "deleted before its replacement is created";
    targetGroup: "kept" | "replaced";
    /** What AWS refuses while the engine carries the change out (empty: the update succeeds). */
    refusals: string[];
}

/** How the engine carries out the change from `before` to `after`, and what AWS says to it. */
function replacementOf(before: Deployed, after: Deployed): Replacement {
    const nlbReplaced = mappingsForceNew(before.nlb.inputs.subnetMappings, after.nlb.inputs.subnetMappings);
    const deleteFirst = after.nlb.deleteBeforeReplace === true;
    const tgReplaced = before.targetGroup.inputs.port !== after.targetGroup.inputs.port || triggerReplaces(before, after, nlbReplaced);
    const refusals: string[] = [];
    if (nlbReplaced && !deleteFirst) {
        // The new NLB and its new listener exist while the old ones still do.
        if (!tgReplaced) refusals.push("the target group is still associated with the old load balancer");
        const held = new Set(before.nlb.inputs.subnetMappings.map((m: Mapping) => m.allocationId).filter(Boolean));
        for (const m of after.nlb.inputs.subnetMappings as Mapping[]) {
            if (m.allocationId && held.has(m.allocationId)) refusals.push(`Elastic IP ${m.allocationId} is still held by the old load balancer`);
        }
    }
    return {
        loadBalancer: !nlbReplaced ? "kept" : deleteFirst ? "deleted before its replacement is created" : "created before the old one is deleted",
        targetGroup: tgReplaced ? "replaced" : "kept",
        refusals,
    };
}

const allocationId = (eipName: string) => `eipalloc-${crypto.createHash("sha256").update(eipName).digest("hex").slice(0, 17)}`;

describe("the options a replacement depends on", () => {
    it("without Elastic IPs: the NLB is replaced create-before-delete and the target group is replaced with it", async () => {
        const d = await deploy("pg", selfManaged());
        assert.equal(d.nlb.deleteBeforeReplace, false);
        assert.equal(d.nlb.inputs.enableDeletionProtection, true);
        assert.equal(d.targetGroup.replacementTrigger, d.nlbArn);
        assert.equal(d.targetGroup.deleteBeforeReplace, undefined);
        assert.deepEqual(d.targetGroup.dependencies, [urnOf(d.nlb)]);
        assert.equal(d.listener.deleteBeforeReplace, undefined);
        assert.deepEqual([...d.listener.dependencies].sort(), [urnOf(d.nlb), urnOf(d.targetGroup), ...d.attachments.map(urnOf)].sort());
        assert.deepEqual(
            d.records.map((r) => [r.name, [...r.dependencies].sort()]),
            [["pg-dns-a", [urnOf(d.listener), urnOf(d.nlb)].sort()]],
        );
    });

    it("with Elastic IPs: the NLB is deleted before its replacement and the target group outlives it", async () => {
        const d = await deploy("pg", selfManaged({ elasticIps: true }));
        assert.equal(d.nlb.deleteBeforeReplace, true);
        assert.equal(d.nlb.inputs.enableDeletionProtection, true);
        assert.deepEqual(d.nlb.inputs.subnetMappings, [
            { subnetId: SUBNET_A, allocationId: allocationId(`pg-eip-${SUBNET_A}`) },
            { subnetId: SUBNET_B, allocationId: allocationId(`pg-eip-${SUBNET_B}`) },
        ]);
        assert.equal(d.targetGroup.replacementTrigger, endpoints.TARGET_GROUP_KEPT);
        assert.equal(d.targetGroup.replacementTrigger, "kept-across-load-balancer-replacements");
        assert.deepEqual(d.targetGroup.dependencies, []);
        assert.deepEqual([...d.listener.dependencies].sort(), [urnOf(d.nlb), urnOf(d.targetGroup), ...d.attachments.map(urnOf)].sort());
    });
});

describe("one `pulumi up` from one configuration to the next", () => {
    it("swapping a subnet without Elastic IPs: a new NLB with a new target group serves before the old one goes", async () => {
        const before = await deploy("pg", selfManaged());
        const after = await deploy("pg", selfManaged({ subnetIds: [SUBNET_A, SUBNET_B2] }));
        assert.deepEqual(replacementOf(before, after), {
            loadBalancer: "created before the old one is deleted",
            targetGroup: "replaced",
            refusals: [],
        });
    });

    it("removing a subnet without Elastic IPs replaces the same way", async () => {
        const before = await deploy("pg", selfManaged({ subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C] }));
        const after = await deploy("pg", selfManaged());
        assert.deepEqual(replacementOf(before, after), { loadBalancer: "created before the old one is deleted", targetGroup: "replaced", refusals: [] });
    });

    it("adding a subnet updates the NLB in place and keeps the target group", async () => {
        const before = await deploy("pg", selfManaged());
        const after = await deploy("pg", selfManaged({ subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C] }));
        assert.deepEqual(replacementOf(before, after), { loadBalancer: "kept", targetGroup: "kept", refusals: [] });
        const withEips = await deploy("pg", selfManaged({ elasticIps: true }));
        const more = await deploy("pg", selfManaged({ elasticIps: true, subnetIds: [SUBNET_A, SUBNET_B, SUBNET_C] }));
        assert.deepEqual(replacementOf(withEips, more), { loadBalancer: "kept", targetGroup: "kept", refusals: [] });
    });

    it("switching elasticIps on: the old NLB is deleted first and the new one gets the new addresses", async () => {
        const before = await deploy("pg", selfManaged());
        const after = await deploy("pg", selfManaged({ elasticIps: true }));
        assert.deepEqual(replacementOf(before, after), {
            loadBalancer: "deleted before its replacement is created",
            targetGroup: "replaced",
            refusals: [],
        });
        assert.deepEqual(after.eips.map((r) => r.name), [`pg-eip-${SUBNET_A}`, `pg-eip-${SUBNET_B}`]);
    });

    it("switching elasticIps off: the new NLB without them serves before the old one and its addresses go", async () => {
        const before = await deploy("pg", selfManaged({ elasticIps: true }));
        const after = await deploy("pg", selfManaged());
        assert.deepEqual(replacementOf(before, after), {
            loadBalancer: "created before the old one is deleted",
            targetGroup: "replaced",
            refusals: [],
        });
        assert.deepEqual(after.eips, []);
    });

    it("swapping a subnet with Elastic IPs: the kept subnet's address moves to the new NLB, the target group stays", async () => {
        const before = await deploy("pg", selfManaged({ elasticIps: true }));
        const after = await deploy("pg", selfManaged({ elasticIps: true, subnetIds: [SUBNET_A, SUBNET_B2] }));
        assert.deepEqual(replacementOf(before, after), {
            loadBalancer: "deleted before its replacement is created",
            targetGroup: "kept",
            refusals: [],
        });
        // Same EIP resource, so the same allocation and address, for the subnet that stays.
        assert.deepEqual(before.nlb.inputs.subnetMappings[0], after.nlb.inputs.subnetMappings[0]);
        assert.deepEqual(after.nlb.inputs.subnetMappings[0], { subnetId: SUBNET_A, allocationId: allocationId(`pg-eip-${SUBNET_A}`) });
        assert.deepEqual(after.eips.map((r) => r.name), [`pg-eip-${SUBNET_A}`, `pg-eip-${SUBNET_B2}`]);
    });

    it("the model refuses what the engine alone would do: create-before-delete with the same group and Elastic IPs", async () => {
        // The same change, registered without the options: what AWS answered before the program set them.
        const before = await deploy("pg", selfManaged({ elasticIps: true }));
        const after = await deploy("pg", selfManaged({ elasticIps: true, subnetIds: [SUBNET_A, SUBNET_B2] }));
        const bare = (d: Deployed): Deployed => ({
            ...d,
            nlb: { ...d.nlb, deleteBeforeReplace: undefined },
            targetGroup: { ...d.targetGroup, replacementTrigger: undefined },
        });
        assert.deepEqual(replacementOf(bare(before), bare(after)), {
            loadBalancer: "created before the old one is deleted",
            targetGroup: "kept",
            refusals: [
                "the target group is still associated with the old load balancer",
                `Elastic IP ${allocationId(`pg-eip-${SUBNET_A}`)} is still held by the old load balancer`,
            ],
        });
    });
});

describe("a database port change", () => {
    it("replaces the target group and registers the new group's targets before the listener switches to it", async () => {
        const before = await deploy("pg", selfManaged());
        const after = await deploy("pg", selfManaged({ database: { addresses: ["10.0.3.17", "10.0.3.18"], port: 5433, securityGroupId: "sg-0db0000000000000a" } }));
        assert.deepEqual(replacementOf(before, after), { loadBalancer: "kept", targetGroup: "replaced", refusals: [] });
        // ForceNew port and target group ARN: each attachment is replaced, registering its address in the new group.
        assert.deepEqual(
            after.attachments.map((r) => [r.name, r.inputs.targetId, r.inputs.port, r.inputs.targetGroupArn]),
            [
                ["pg-target-10.0.3.17", "10.0.3.17", 5433, tgArnOf("pg")],
                ["pg-target-10.0.3.18", "10.0.3.18", 5433, tgArnOf("pg")],
            ],
        );
        assert.deepEqual(before.attachments.map((r) => r.inputs.port), [5432, 5432]);
        // The listener (updated in place: same load balancer) waits for both registrations.
        assert.deepEqual([...after.listener.dependencies].sort(), [urnOf(after.nlb), urnOf(after.targetGroup), ...after.attachments.map(urnOf)].sort());
        assert.equal(after.listener.inputs.loadBalancerArn, before.listener.inputs.loadBalancerArn);
        assert.equal(after.listener.inputs.port, 5433);
    });

    it("for RDS without target sync: the instance's new port replaces the group and its attachment", async () => {
        const args: EndpointArgs = { vpcId: VPC, subnetIds: [SUBNET_A, SUBNET_B], database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] };
        const before = await deploy("rds", args);
        const moved = world();
        moved.instances["prod-postgres"].port = 5433;
        const after = await deploy("rds", args, moved);
        assert.deepEqual(replacementOf(before, after), { loadBalancer: "kept", targetGroup: "replaced", refusals: [] });
        assert.deepEqual(after.attachments.map((r) => [r.name, r.inputs.targetId, r.inputs.port]), [["rds-target", "10.0.2.41", 5433]]);
        assert.deepEqual([...after.listener.dependencies].sort(), [urnOf(after.nlb), urnOf(after.targetGroup), urnOf(after.attachments[0])].sort());
    });
});

/** A target group's ARN as the mock cloud gives it. */
function tgArnOf(name: string): string {
    const hex = crypto.createHash("sha256").update(`${name}-tg`).digest("hex").slice(0, 16);
    return `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}-tg/${hex}`;
}

describe("a new target group of an RDS endpoint with target sync", () => {
    const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

    /** The deploy-time invocation's triggers for an endpoint with manageRdsTargets false and its TargetSync. */
    async function deploySync(w: FakeWorld, targetGroupArn?: string) {
        cloud.reset(w);
        const e = new endpoints.DatabaseEndpoint("rds", {
            vpcId: VPC,
            subnetIds: [SUBNET_A, SUBNET_B],
            database: { rdsInstanceIdentifier: "prod-postgres" },
            allowedCidrs: ["203.0.113.0/24"],
            manageRdsTargets: false,
        });
        const s = new sync.TargetSync("target-sync", {
            targets: [
                {
                    targetGroupArn: targetGroupArn ?? e.targetGroupArn,
                    rdsInstanceIdentifier: "prod-postgres",
                    rdsAddress: e.rdsAddress.apply((a) => a!),
                    port: e.databasePort,
                    deployedAddresses: e.targetAddresses,
                },
            ],
        });
        await unwrap(s.functionArn);
        await settle();
        assert.deepEqual(cloud.asyncErrors, []);
        return { attachments: cloud.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment"), triggers: cloud.named("target-sync-deploy-sync").inputs.triggers };
    }

    it("runs the function again in the same update: a new port or a new group ARN changes its target list", async () => {
        const before = await deploySync(world());
        assert.deepEqual(before.attachments, []);
        const targetsFile = (arn: string, port: number) =>
            settings.targetsFileText([{ targetGroupArn: arn, rdsInstanceIdentifier: "prod-postgres", rdsAddress: "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com", port }]);
        assert.equal(before.triggers.targets, sha256(targetsFile(tgArnOf("rds"), 5432)));

        const moved = world();
        moved.instances["prod-postgres"].port = 5433;
        const portChanged = await deploySync(moved);
        assert.equal(portChanged.triggers.targets, sha256(targetsFile(tgArnOf("rds"), 5433)));
        assert.notEqual(portChanged.triggers.targets, before.triggers.targets);

        // A group replaced with its load balancer keeps the port and gets a new ARN.
        const replacedArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/rds-tg-5b2d1c0/0123456789abcdef";
        const replaced = await deploySync(world(), replacedArn);
        assert.equal(replaced.triggers.targets, sha256(targetsFile(replacedArn, 5432)));
        assert.notEqual(replaced.triggers.targets, before.triggers.targets);
        assert.equal(replaced.triggers.code, before.triggers.code);
        assert.equal(replaced.triggers.deployedAddresses, before.triggers.deployedAddresses);
    });
});
