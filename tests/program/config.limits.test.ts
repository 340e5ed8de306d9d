/**
 * Limits AWS enforces that the stack config checks before any resource is registered: the region's Elastic IP
 * quota across all endpoints, endpoint names whose security-group names AWS refuses, and database addresses
 * no load balancer can target.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../../infra/program/config";
import { configErrors as errorsOf } from "../../testing/refusals";

const VPC = "vpc-0a1b2c3d4e5f60718";
const TWO_SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const rds = { rdsInstanceIdentifier: "prod-postgres" };

function endpoint(name: string, extra: Record<string, unknown> = {}) {
    return { name, database: rds, allowedCidrs: ["203.0.113.0/24"], ...extra };
}

function stack(endpoints: unknown[], extra: Record<string, unknown> = {}) {
    return { vpcId: VPC, publicSubnetIds: TWO_SUBNETS, endpoints, ...extra };
}

describe("the Elastic IP quota across the stack", () => {
    it("accepts up to 5 Elastic IPs by default: two endpoints on two subnets", () => {
        const { spec } = parseStackConfig(stack([endpoint("a", { elasticIps: true }), endpoint("b", { elasticIps: true }), endpoint("c")]));
        assert.equal(spec.quotas.elasticIpsPerRegion, 5);
        assert.deepEqual(spec.endpoints.map((e) => e.elasticIps), [true, true, false]);
    });

    it("refuses the endpoint that goes beyond the quota, naming the field, the endpoints and the counts", () => {
        const endpoints = [endpoint("a", { elasticIps: true }), endpoint("b"), endpoint("c", { elasticIps: true }), endpoint("d", { elasticIps: true })];
        assert.deepEqual(errorsOf(stack(endpoints)), [
            "endpoints[3].elasticIps: 3 endpoints with elasticIps (endpoints[0], endpoints[2], endpoints[3]) need 6 Elastic IPs, one per public subnet (2), " +
                "more than quotas.elasticIpsPerRegion (5); addresses allocated in the region outside this stack count against the same quota. " +
                'Turn elasticIps off on 1 endpoint, or raise "EC2-VPC Elastic IPs" in Service Quotas and then quotas.elasticIpsPerRegion',
        ]);
    });

    it("refuses a single endpoint with more subnets than the quota", () => {
        assert.deepEqual(errorsOf(stack([endpoint("a", { elasticIps: true })], { quotas: { elasticIpsPerRegion: 1 } })), [
            "endpoints[0].elasticIps: 1 endpoint with elasticIps (endpoints[0]) needs 2 Elastic IPs, one per public subnet (2), " +
                "more than quotas.elasticIpsPerRegion (1); addresses allocated in the region outside this stack count against the same quota. " +
                'Turn elasticIps off on 1 endpoint, or raise "EC2-VPC Elastic IPs" in Service Quotas and then quotas.elasticIpsPerRegion',
        ]);
    });

    it("accepts more once the quota is raised in config, and refuses a quota that is not a whole number in range", () => {
        const endpoints = ["a", "b", "c"].map((n) => endpoint(n, { elasticIps: true }));
        const { spec } = parseStackConfig(stack(endpoints, { quotas: { elasticIpsPerRegion: 6 } }));
        assert.deepEqual(spec.quotas, { rulesPerSecurityGroup: 60, securityGroupsPerLoadBalancer: 5, elasticIpsPerRegion: 6 });
        assert.deepEqual(errorsOf(stack([endpoint("a")], { quotas: { elasticIpsPerRegion: 0 } })), ["quotas.elasticIpsPerRegion: 0 is not a whole number in 1..10000"]);
        assert.deepEqual(errorsOf(stack([endpoint("a")], { quotas: { elasticIpsPerRegion: "5" } })), ['quotas.elasticIpsPerRegion: "5" is not a whole number in 1..10000']);
    });
});

describe("endpoint names whose security groups AWS would refuse", () => {
    const message = (name: string) =>
        `endpoints[0].name: "${name}" would name the endpoint's security groups "${name}-sg-1-...", and AWS refuses security group names that start with "sg-"; ` +
        'choose a name that does not start with "sg-"';

    it('refuses "sg-..." and "sg" (whose groups are "sg-sg-1-...")', () => {
        assert.deepEqual(errorsOf(stack([endpoint("sg-reports")])), [message("sg-reports")]);
        assert.deepEqual(errorsOf(stack([endpoint("sg")])), [message("sg")]);
    });

    it('accepts names that merely start with "sg" or contain "-sg-"', () => {
        const { spec } = parseStackConfig(stack([endpoint("sgreports"), endpoint("reports-sg-1")]));
        assert.deepEqual(spec.endpoints.map((e) => e.name), ["sgreports", "reports-sg-1"]);
    });
});

describe("self-managed database addresses a load balancer cannot target", () => {
    const selfManaged = (addresses: string[]) => stack([endpoint("legacy", { database: { addresses, port: 5432 } })]);

    it("refuses loopback, link-local, this-network, multicast and reserved addresses, each by its index", () => {
        const why = "which a load balancer cannot send traffic to; list the database's private address (in the VPC, or in a private range reachable from it: a peered VPC, on premises)";
        assert.deepEqual(errorsOf(selfManaged(["127.0.0.1", "10.0.3.17", "169.254.169.254", "0.0.0.0", "224.0.0.251", "255.255.255.255"])), [
            `endpoints[0].database.addresses[0]: "127.0.0.1" is in the loopback range 127.0.0.0/8, ${why}`,
            `endpoints[0].database.addresses[2]: "169.254.169.254" is in the link-local range 169.254.0.0/16, ${why}`,
            `endpoints[0].database.addresses[3]: "0.0.0.0" is in the this-network (RFC 791) range 0.0.0.0/8, ${why}`,
            `endpoints[0].database.addresses[4]: "224.0.0.251" is in the multicast range 224.0.0.0/4, ${why}`,
            `endpoints[0].database.addresses[5]: "255.255.255.255" is in the reserved (RFC 1112) range 240.0.0.0/4, ${why}`,
        ]);
    });

    it("accepts private addresses outside the VPC and publicly routable ones (a VPC may own such a block): placed at deploy", () => {
        const { spec } = parseStackConfig(selfManaged(["172.31.5.5", "192.168.1.10", "100.64.0.9", "198.19.1.10"]));
        assert.deepEqual(spec.endpoints[0].database.kind === "self-managed" && spec.endpoints[0].database.addresses, ["172.31.5.5", "192.168.1.10", "100.64.0.9", "198.19.1.10"]);
    });
});
