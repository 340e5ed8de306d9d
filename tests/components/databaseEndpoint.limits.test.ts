/**
 * Limits and refusals of the DatabaseEndpoint component under the mock runtime: its own Elastic IP count and
 * name check, self-managed targets outside the VPC (registered for every zone, or refused), RDS instances in a
 * DB cluster (refused at deployment), and the warning about host-based rules on the database.
 */
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { endpointArgs, SUBNETS, VPC } from "../../testing/endpointArgs";
import { exampleWorld, installMockCloud, MockCloud, settle, unwrap } from "../../testing/mockCloud";
import { inputPropertyErrors as argErrors } from "../../testing/refusals";
import { interceptWarnings } from "../../testing/warnings";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let components: typeof import("../../infra/components/databaseEndpoint");

/** Messages passed to pulumi.log.warn, with the resource each is attached to. */
const warnings: { message: string; resource?: pulumi.Resource }[] = [];
interceptWarnings(async (message: string, resource?: pulumi.Resource) => {
    warnings.push({ message, resource });
});

before(async () => {
    cloud = installMockCloud();
    components = await import("../../infra/components/databaseEndpoint");
});

/** Starts from an empty record, after whatever an earlier test started has settled. */
async function fresh(world = exampleWorld()): Promise<void> {
    await settle();
    cloud.reset(world);
    warnings.length = 0;
}

beforeEach(() => fresh());

function selfManaged(addresses: string[]) {
    return endpointArgs({ database: { addresses, port: 5432, securityGroupId: "sg-0123456789abcdef0" } });
}

describe("the component's own Elastic IP count", () => {
    it("refuses more subnets than elasticIpsPerRegion (default 5) when elasticIps is on, before registering anything", async () => {
        const six = ["a", "b", "c", "d", "e", "f"].map((c) => `subnet-0${c}${c}11bb22cc33dd44`);
        assert.deepEqual(argErrors(() => new components.DatabaseEndpoint("many", endpointArgs({ subnetIds: six, elasticIps: true }))), [
            "elasticIps: is true, which needs 6 Elastic IPs, one per public subnet (6), more than elasticIpsPerRegion (5); addresses allocated in the region " +
                'outside this stack count against the same quota. Use fewer subnets, turn elasticIps off, or raise "EC2-VPC Elastic IPs" in Service Quotas and then elasticIpsPerRegion',
        ]);
        assert.deepEqual(argErrors(() => new components.DatabaseEndpoint("few", endpointArgs({ elasticIps: true, elasticIpsPerRegion: 1 }))), [
            "elasticIps: is true, which needs 2 Elastic IPs, one per public subnet (2), more than elasticIpsPerRegion (1); addresses allocated in the region " +
                'outside this stack count against the same quota. Use fewer subnets, turn elasticIps off, or raise "EC2-VPC Elastic IPs" in Service Quotas and then elasticIpsPerRegion',
        ]);
        assert.deepEqual(argErrors(() => new components.DatabaseEndpoint("bad", endpointArgs({ elasticIpsPerRegion: 0 }))), [
            "elasticIpsPerRegion: 0 is out of range (expected 1..10000)",
        ]);
        await settle();
        assert.deepEqual(cloud.registered, []);
    });

    it("allocates them when they fit, and ignores the count without elasticIps", async () => {
        new components.DatabaseEndpoint("fits", endpointArgs({ elasticIps: true, elasticIpsPerRegion: 2 }));
        new components.DatabaseEndpoint("none", endpointArgs({ elasticIpsPerRegion: 1 }));
        await settle();
        assert.deepEqual(cloud.ofType("aws:ec2/eip:Eip").map((r) => r.name), SUBNETS.map((s) => `fits-eip-${s}`));
    });
});

describe("the component's name check", () => {
    it('refuses a name starting with "sg-", whose security group names AWS refuses', () => {
        assert.deepEqual(argErrors(() => new components.DatabaseEndpoint("sg-reports", endpointArgs())), [
            'name: "sg-reports" would name the endpoint\'s security groups "sg-reports-sg-1-...", and AWS refuses security group names that start with "sg-"; ' +
                'choose a name that does not start with "sg-"',
        ]);
    });
});

describe("self-managed targets and the VPC's CIDR blocks", () => {
    function attachments() {
        return cloud
            .ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment")
            .map((r) => [r.inputs.targetId, r.inputs.port, r.inputs.availabilityZone ?? null]);
    }

    it('registers addresses in the VPC as they are, and private addresses outside it for every zone ("all")', async () => {
        const e = new components.DatabaseEndpoint("peered", selfManaged(["10.0.3.17", "172.31.5.5", "192.168.1.10", "100.64.0.9"]));
        await unwrap(e.targetGroupArn);
        await settle();
        assert.deepEqual(attachments(), [
            ["10.0.3.17", 5432, null],
            ["172.31.5.5", 5432, "all"],
            ["192.168.1.10", 5432, "all"],
            ["100.64.0.9", 5432, "all"],
        ]);
        // Every zone's load balancer node reaches an "all" target: cross-zone load balancing is on.
        assert.equal(cloud.named("peered-nlb").inputs.enableCrossZoneLoadBalancing, true);
        assert.deepEqual(
            cloud.invokes.filter((i) => i.token === "aws:ec2/getVpc:getVpc").map((i) => i.inputs.id),
            [VPC],
        );
    });

    it("counts the VPC's secondary CIDR blocks as the VPC, but not one being disassociated", async () => {
        const world = exampleWorld();
        world.vpcs![VPC].cidrBlockAssociations.push(
            { associationId: "vpc-cidr-assoc-2", cidrBlock: "100.64.0.0/16", state: "associated" },
            { associationId: "vpc-cidr-assoc-3", cidrBlock: "172.31.0.0/16", state: "disassociating" },
        );
        await fresh(world);
        new components.DatabaseEndpoint("secondary", selfManaged(["100.64.0.9", "172.31.5.5"]));
        await settle();
        assert.deepEqual(attachments(), [
            ["100.64.0.9", 5432, null],
            ["172.31.5.5", 5432, "all"],
        ]);
    });

    it("accepts a publicly routable address in a VPC that owns that block", async () => {
        const world = exampleWorld();
        world.vpcs![VPC].cidrBlockAssociations.push({ associationId: "vpc-cidr-assoc-2", cidrBlock: "198.19.0.0/16", state: "associated" });
        await fresh(world);
        new components.DatabaseEndpoint("public-vpc", selfManaged(["198.19.1.10"]));
        await settle();
        assert.deepEqual(attachments(), [["198.19.1.10", 5432, null]]);
    });

    it("refuses publicly routable addresses outside the VPC before the load balancer exists, naming each", async () => {
        const e = new components.DatabaseEndpoint("public-target", selfManaged(["10.0.3.17", "54.210.1.2", "198.18.0.1"]));
        const message =
            'endpoint public-target: database.addresses[1] "54.210.1.2", database.addresses[2] "198.18.0.1" are outside the VPC vpc-0a1b2c3d4e5f60718 ' +
            "(CIDR blocks 10.0.0.0/16) and not in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10); " +
            "AWS registers a load balancer target outside its VPC only from those ranges. List the database's private address";
        await assert.rejects(unwrap(e.loadBalancerArn), (err: Error) => err.message.endsWith(message));
        await settle();
        assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer"), []);
        assert.deepEqual(attachments(), []);
    });

    it("refuses an address no load balancer can target when it is declared", () => {
        assert.deepEqual(argErrors(() => new components.DatabaseEndpoint("loop", selfManaged(["10.0.3.17", "127.0.0.1"]))), [
            'database.addresses[1]: "127.0.0.1" is in the loopback range 127.0.0.0/8, which a load balancer cannot send traffic to; ' +
                "list the database's private address (in the VPC, or in a private range reachable from it: a peered VPC, on premises)",
        ]);
    });

    it("targetAvailabilityZones and vpcIpv4Cidrs, directly", () => {
        assert.deepEqual(components.targetAvailabilityZones("x", VPC, ["10.0.0.5", "10.1.0.5"], ["10.0.0.0/16"]), [undefined, "all"]);
        assert.deepEqual(
            components.vpcIpv4Cidrs("10.0.0.0/16", [
                { cidrBlock: "10.0.0.0/16", state: "associated" },
                { cidrBlock: "10.1.0.0/16", state: "associating" },
                { cidrBlock: "10.2.0.0/16", state: "disassociated" },
                { cidrBlock: "10.3.0.0/16", state: "failed" },
            ]),
            ["10.0.0.0/16", "10.1.0.0/16"],
        );
    });
});

describe("RDS instances in a DB cluster", () => {
    const refusal = (what: string) =>
        `endpoint clustered: database.rdsInstanceIdentifier "prod-postgres" is ${what}, which db-endpoints does not support: ` +
        "on a failover another instance of the cluster becomes the writer and this one a reader, and the endpoint would keep sending clients to it. " +
        "Point the endpoint at an RDS DB instance that is not in a cluster; listing the cluster's addresses as a self-managed database does not follow failovers either " +
        '(see "DB clusters" in docs/limits-and-refusals.md for the alternatives)';

    async function deployClustered(engine: string, dbClusterIdentifier: string) {
        const world = exampleWorld();
        Object.assign(world.instances["prod-postgres"], { engine, dbClusterIdentifier });
        await fresh(world);
        return new components.DatabaseEndpoint("clustered", endpointArgs());
    }

    for (const engine of ["aurora-postgresql", "aurora-mysql"]) {
        it(`refuses an Aurora instance (${engine}) at deployment: no load balancer, no target group, no rule on its security group`, async () => {
            const e = await deployClustered(engine, "prod-cluster");
            const message = refusal(`an Aurora instance (engine ${engine}, cluster prod-cluster)`);
            for (const output of [e.loadBalancerArn, e.targetGroupArn, e.rdsEngine, e.databaseSecurityGroupId]) {
                await assert.rejects(unwrap(output as pulumi.Output<unknown>), (err: Error) => err.message.endsWith(message));
            }
            await settle();
            assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer"), []);
            assert.deepEqual(cloud.ofType("aws:lb/targetGroup:TargetGroup"), []);
            assert.deepEqual(cloud.ofType("aws:lb/listener:Listener"), []);
            assert.deepEqual(
                cloud.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name === "clustered-database-from-nlb"),
                [],
            );
        });
    }

    it("refuses an instance of a Multi-AZ DB cluster, which fails over the same way", async () => {
        const e = await deployClustered("postgres", "prod-maz-cluster");
        await assert.rejects(unwrap(e.loadBalancerArn), (err: Error) =>
            err.message.endsWith(refusal("an instance of the Multi-AZ DB cluster prod-maz-cluster (engine postgres)")),
        );
        await settle();
        assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer"), []);
    });

    it("fails a stack deployment with an Aurora endpoint with that message", async () => {
        const world = exampleWorld();
        Object.assign(world.instances["prod-postgres"], { engine: "aurora-postgresql", dbClusterIdentifier: "prod-cluster" });
        await fresh(world);
        const outputs = runStackProgram(cloud, {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            endpoints: [{ name: "clustered", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] }],
        });
        const message = refusal("an Aurora instance (engine aurora-postgresql, cluster prod-cluster)");
        await assert.rejects(unwrap(outputs.endpoints.clustered.loadBalancerDnsName), (err: Error) => err.message.endsWith(message));
        await settle();
        assert.ok(cloud.asyncErrors.length > 0);
        assert.ok(cloud.asyncErrors.every((err) => err.message.includes(message)), cloud.asyncErrors.map((err) => err.message).join("\n"));
        assert.deepEqual(cloud.ofType("aws:lb/loadBalancer:LoadBalancer"), []);
    });

    it("checkRdsInstanceKind returns an instance outside a cluster unchanged", () => {
        const instance = { dbInstanceIdentifier: "db", engine: "postgres", dbClusterIdentifier: "", port: 5432 };
        assert.equal(components.checkRdsInstanceKind("x", instance), instance);
    });
});

describe("host-based rules on the database", () => {
    const WARNING =
        "database: the database sees every client of this endpoint as coming from the load balancer's private address in the VPC, " +
        "so host-based rules on the database that trust VPC addresses (pg_hba.conf lines, MySQL accounts such as 'app'@'10.%') " +
        "also admit every client the allowlist lets in from the internet; require a password or a client certificate on those rules " +
        "(see docs/limits-and-refusals.md)";

    it("are warned about once per endpoint, attached to the endpoint, for RDS and self-managed databases", async () => {
        const a = new components.DatabaseEndpoint("warned-rds", endpointArgs());
        const b = new components.DatabaseEndpoint("warned-self", selfManaged(["10.0.3.17"]));
        await settle();
        const about = warnings.filter((w) => w.message.includes("host-based rules"));
        assert.deepEqual(about.map((w) => w.message), [WARNING, WARNING]);
        assert.equal(about[0].resource, a);
        assert.equal(about[1].resource, b);
    });

    it("are warned about once per endpoint when the stack program builds them", async () => {
        runStackProgram(cloud, {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            endpoints: [
                { name: "one", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] },
                { name: "two", database: { addresses: ["10.0.3.17"], port: 5432 }, allowedCidrs: ["203.0.113.0/24"] },
            ],
        });
        await settle();
        const about = warnings.filter((w) => w.message.includes("host-based rules"));
        assert.deepEqual(about.map((w) => w.message), [WARNING, WARNING]);
        const names = await Promise.all(about.map((w) => unwrap(w.resource!.urn).then((urn) => urn.split("::").pop())));
        assert.deepEqual(names, ["one", "two"]);
    });
});
