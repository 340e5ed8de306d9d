/**
 * Deployment-time checks of where an endpoint's load balancer and targets go, from what AWS reports before the
 * load balancer exists: the subnets (VPC, IPv6, Availability Zones the database can run in), an RDS instance
 * that is in a DB cluster, and self-managed addresses outside the VPC. Each throws, failing the deployment
 * with a message that names the endpoint (or load balancer) and what to change.
 */
import { IpAddressType } from "../../enums";
import { OUTSIDE_VPC_TARGET_RANGES, placeTarget } from "../../net/targets";
import { show } from "../../validation";

/** What the placement check needs of a public subnet (from `aws.ec2.getSubnet`). */
export interface SubnetFacts {
    id: string;
    vpcId: string;
    availabilityZone: string;
    ipv6CidrBlock: string;
}

/** A database behind a load balancer, for the placement check: where it can run, and how it is named in errors. */
export interface PlacedDatabase {
    /** Availability Zones the database can run in (empty: no zone to cover, e.g. a self-managed database). */
    zones: string[];
    /** `rds:<identifier>` or `self-managed:<addresses>`. */
    description: string;
}

/**
 * Deployment-time placement check: every subnet is in the endpoint's VPC, has IPv6 when the load
 * balancer is dualstack, and the subnets cover every Availability Zone the database can run in.
 * Returns the subnet IDs; throws (failing the deployment before the load balancer exists) otherwise.
 */
export function checkPlacement(
    endpoint: string,
    vpcId: string,
    subnets: SubnetFacts[],
    ipAddressType: IpAddressType,
    databaseZones: string[],
    databaseDescription: string,
): string[] {
    return checkLoadBalancerPlacement(`endpoint ${endpoint}`, vpcId, subnets, ipAddressType, [{ zones: databaseZones, description: databaseDescription }]);
}

/**
 * {@link checkPlacement} for a load balancer in front of several databases (a shared load balancer): the
 * subnets are checked once, and each database's zones. `owner` starts the error (`load balancer shared`).
 */
export function checkLoadBalancerPlacement(owner: string, vpcId: string, subnets: SubnetFacts[], ipAddressType: IpAddressType, databases: PlacedDatabase[]): string[] {
    const problems: string[] = [];
    for (const s of subnets) {
        if (s.vpcId !== vpcId) problems.push(`subnet ${s.id} is in ${s.vpcId}, not in the endpoint's VPC ${vpcId}`);
        if (ipAddressType === IpAddressType.Dualstack && !s.ipv6CidrBlock) {
            problems.push(`subnet ${s.id} has no IPv6 CIDR block, which a dualstack load balancer needs`);
        }
    }
    const covered = new Set(subnets.map((s) => s.availabilityZone));
    for (const database of databases) {
        const missing = [...new Set(database.zones)].filter((z) => !covered.has(z)).sort();
        if (missing.length > 0) {
            problems.push(
                `${database.description} can run in ${missing.join(", ")}, where the load balancer has no subnet ` +
                    `(it has ${[...covered].sort().join(", ")}); targets there would receive no traffic. Add a public subnet in ${missing.join(", ")}`,
            );
        }
    }
    if (problems.length > 0) {
        throw new Error(`${owner}: ${problems.join("; ")}`);
    }
    return subnets.map((s) => s.id);
}

/** The fields of an RDS instance lookup that say whether it belongs to a DB cluster. */
interface RdsMembership {
    dbInstanceIdentifier: string;
    engine: string;
    dbClusterIdentifier?: string;
}

/**
 * Deployment-time check of the RDS instance behind an endpoint: refuses an instance that belongs to a DB cluster
 * (Aurora, or a Multi-AZ DB cluster). In a cluster a failover makes another instance the writer and this one a
 * reader; the endpoint targets one instance and follows only that instance's address, so after a failover it
 * would send clients to a reader. Returns the instance; throws (failing the deployment) otherwise.
 */
export function checkRdsInstanceKind<T extends RdsMembership>(endpoint: string, instance: T): T {
    const aurora = (instance.engine ?? "").startsWith("aurora");
    if (!aurora && !instance.dbClusterIdentifier) return instance;
    const what = aurora
        ? `an Aurora instance (engine ${instance.engine}${instance.dbClusterIdentifier ? `, cluster ${instance.dbClusterIdentifier}` : ""})`
        : `an instance of the Multi-AZ DB cluster ${instance.dbClusterIdentifier} (engine ${instance.engine})`;
    throw new Error(
        `endpoint ${endpoint}: database.rdsInstanceIdentifier ${show(instance.dbInstanceIdentifier)} is ${what}, which db-endpoints does not support: ` +
            `on a failover another instance of the cluster becomes the writer and this one a reader, and the endpoint would keep sending clients to it. ` +
            `Point the endpoint at an RDS DB instance that is not in a cluster; listing the cluster's addresses as a self-managed database does not follow failovers either ` +
            `(see "DB clusters" in docs/limits-and-refusals.md for the alternatives)`,
    );
}

/**
 * Deployment-time placement of a self-managed database's targets against the VPC's IPv4 CIDR blocks: `undefined`
 * (registered as it is) for an address in the VPC, `"all"` for one outside it in a private range, which AWS accepts
 * only for every Availability Zone (cross-zone load balancing is on, so every zone's node sends it traffic anyway).
 * Throws, naming each address, when one is outside the VPC and publicly routable: AWS refuses such a target.
 */
export function targetAvailabilityZones(endpoint: string, vpcId: string, addresses: string[], vpcCidrs: string[]): ("all" | undefined)[] {
    const refused: string[] = [];
    const zones = addresses.map((address, i): "all" | undefined => {
        const placement = placeTarget(address, vpcCidrs);
        if (placement === "refused") refused.push(`database.addresses[${i}] ${show(address)}`);
        return placement === "outside-vpc" ? "all" : undefined;
    });
    if (refused.length > 0) {
        throw new Error(
            `endpoint ${endpoint}: ${refused.join(", ")} ${refused.length === 1 ? "is" : "are"} outside the VPC ${vpcId} (CIDR blocks ${vpcCidrs.join(", ")}) ` +
                `and not in a private range (${OUTSIDE_VPC_TARGET_RANGES.join(", ")}); AWS registers a load balancer target outside its VPC only from those ranges. ` +
                `List the database's private address`,
        );
    }
    return zones;
}

/** The VPC's IPv4 CIDR blocks from its lookup: the primary and every association that is not being removed. */
export function vpcIpv4Cidrs(primary: string, associations: { cidrBlock: string; state: string }[] | undefined): string[] {
    const live = (associations ?? []).filter((a) => !/^(disassociat|fail)/.test(a.state ?? "")).map((a) => a.cidrBlock);
    return [...new Set([primary, ...live].filter((c) => typeof c === "string" && c !== ""))];
}

