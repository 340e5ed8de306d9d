/**
 * The load balancer of one or more endpoints: its security groups (which carry the endpoints' allowlist rules),
 * the subnets it is placed in, checked against AWS before it exists, its Elastic IPs, and the internet-facing
 * Network Load Balancer itself. An endpoint on its own load balancer and a shared load balancer are built from
 * these same pieces; only the owner of the resources and their names differ.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IpAddressType } from "../../enums";
import type { SubnetFacts } from "../databaseEndpoint/placement";
import type { PlacedFlowLogs } from "./connectionAudit";
import { lookUpOutput, LOOKUPS } from "../support/lookups";

/** A load balancer as its endpoints use it. */
export interface PlacedLoadBalancer {
    nlb: aws.lb.LoadBalancer;
    /** Its security groups, in order; the first also carries the egress rules to the databases. */
    securityGroups: aws.ec2.SecurityGroup[];
    /** Its Elastic IPs, one per subnet (empty without `elasticIps`). */
    eips: aws.ec2.Eip[];
    /**
     * Whether it keeps its Elastic IPs across a replacement: it is then deleted before its replacement is
     * created, and its endpoints' target groups outlive it.
     */
    keepsElasticIps: boolean;
    /** Its address families. */
    ipAddressType: IpAddressType;
    /** The flow logs of its network interfaces (absent with the connection audit off). */
    flowLogs?: PlacedFlowLogs;
}

/** How a load balancer's security groups are named and described. */
export interface SecurityGroupsArgs {
    /** Prefix of their resource names (`<name>-sg-<n>`) and Name tags (`<name>-<n>`). */
    name: string;
    /** Each group's description, by its index from 0. Fixed per index: AWS cannot change a security group's description. */
    description: (index: number) => string;
    vpcId: pulumi.Input<string>;
    count: number;
    tags: pulumi.Output<Record<string, string>>;
}

/** The load balancer's security groups: as many as its allowlist rules need, at least one. */
export function buildSecurityGroups(owner: pulumi.Resource, args: SecurityGroupsArgs): aws.ec2.SecurityGroup[] {
    return Array.from(
        { length: Math.max(1, args.count) },
        (_, g) =>
            new aws.ec2.SecurityGroup(
                `${args.name}-sg-${g + 1}`,
                {
                    vpcId: args.vpcId,
                    description: args.description(g),
                    revokeRulesOnDelete: true,
                    tags: args.tags.apply((t) => ({ ...t, Name: `${args.name}-${g + 1}` })),
                },
                { parent: owner },
            ),
    );
}

/** The facts of the public subnets, from AWS, for the placement check. */
export function lookUpSubnets(subnetIds: string[], opts: pulumi.InvokeOptions): pulumi.Output<SubnetFacts[]> {
    return pulumi.all(
        subnetIds.map((id) =>
            lookUpOutput(LOOKUPS.subnet, { id }, opts).apply((s) => ({
                id,
                vpcId: s.vpcId,
                availabilityZone: s.availabilityZone,
                ipv6CidrBlock: s.ipv6CidrBlock,
            })),
        ),
    );
}

/** The Network Load Balancer and its Elastic IPs. */
export interface LoadBalancerArgs {
    /** Prefix of the resource names (`<name>-nlb`, `<name>-eip-<subnet>`) and of the Elastic IPs' Name tags. */
    name: string;
    /** The public subnets, in order (each Elastic IP is named after its subnet). */
    subnetIds: string[];
    /** The same subnets, resolved only once the deployment-time placement check has passed. */
    placedSubnetIds: pulumi.Output<string[]>;
    securityGroups: aws.ec2.SecurityGroup[];
    elasticIps: boolean;
    ipAddressType: IpAddressType;
    deletionProtection: pulumi.Input<boolean> | undefined;
    tags: pulumi.Output<Record<string, string>>;
}

/**
 * Replacing the load balancer. AWS can add subnets to an NLB but not remove, swap or re-map one, so switching
 * `elasticIps` or removing or swapping a subnet replaces it (the provider's subnet-mapping diff forces a new
 * one): a new DNS name, and the old one's deletion needs its deletion protection off. Pulumi creates the
 * replacement before deleting the old one, which is what this program wants where AWS allows it: the new NLB
 * serves before the old one goes. It does not allow it with Elastic IPs: an address held by the old NLB cannot
 * be given to the new one, so the old one is deleted first (its listeners with it) and the addresses move over,
 * at the cost of an outage until the new one serves.
 */
export function buildLoadBalancer(owner: pulumi.Resource, args: LoadBalancerArgs): PlacedLoadBalancer {
    const eips = args.elasticIps
        ? args.subnetIds.map(
              (subnetId) =>
                  new aws.ec2.Eip(
                      `${args.name}-eip-${subnetId}`,
                      { domain: "vpc", tags: args.tags.apply((t) => ({ ...t, Name: `${args.name}-${subnetId}` })) },
                      { parent: owner },
                  ),
          )
        : [];
    const keepsElasticIps = eips.length > 0;
    const nlb = new aws.lb.LoadBalancer(
        `${args.name}-nlb`,
        {
            loadBalancerType: "network",
            internal: false,
            ipAddressType: args.ipAddressType,
            securityGroups: args.securityGroups.map((g) => g.id),
            subnetMappings: args.placedSubnetIds.apply((ids) =>
                ids.map((subnetId, i) => (eips.length > 0 ? { subnetId, allocationId: eips[i].allocationId } : { subnetId })),
            ),
            enableCrossZoneLoadBalancing: true,
            enableDeletionProtection: args.deletionProtection ?? true,
            tags: args.tags,
        },
        { parent: owner, deleteBeforeReplace: keepsElasticIps },
    );
    return { nlb, securityGroups: args.securityGroups, eips, keepsElasticIps, ipAddressType: args.ipAddressType };
}
