/**
 * What an endpoint needs to know about its database, looked up at deployment: where it is (the addresses its
 * targets are registered with, the Availability Zones it can run in), on which port, behind which security
 * group, and for RDS what a client needs to verify it. The same facts serve an endpoint on its own load balancer
 * and one on a shared load balancer (whose placement check covers every database behind it).
 */
import * as pulumi from "@pulumi/pulumi";
import { resolveIpv4 } from "../../dns";
import { isPrivateIpv4 } from "../../net/ip";
import { lookUp, lookUpOutput, LOOKUPS, remembered } from "../support/lookups";
import { checkRdsInstanceKind, targetAvailabilityZones, vpcIpv4Cidrs } from "./placement";
import type { CheckedEndpointInputs, EndpointPlan } from "./plan";

/** One endpoint's database, as AWS reports it at deployment. */
export interface DatabaseFacts {
    /** The port the database listens on (RDS: the instance's). */
    databasePort: pulumi.Output<number>;
    /** The database's security group that admits the load balancer (RDS default: the instance's first). */
    databaseSg: pulumi.Output<string | undefined>;
    /** The private addresses registered as targets (RDS: the instance's address, resolved at deployment). */
    targetAddresses: pulumi.Output<string[]>;
    /** Availability Zones the database can run in (RDS; empty for a self-managed database). */
    databaseZones: pulumi.Output<string[]>;
    /** Self-managed: per address, the Availability Zone it is registered for (`"all"` outside the VPC's CIDR blocks). */
    targetZones: pulumi.Output<("all" | undefined)[]>;
    /** `rds:<identifier>` or `self-managed:<addresses>`. */
    description: pulumi.Output<string>;
    rdsAddress: pulumi.Output<string | undefined>;
    rdsCaCertIdentifier: pulumi.Output<string | undefined>;
    rdsEngine: pulumi.Output<string | undefined>;
    rdsDbName: pulumi.Output<string | undefined>;
    /** RDS only: the instance's DB parameter groups (empty otherwise). */
    rdsParameterGroups: pulumi.Output<string[]>;
    /** RDS only: the instance's option groups (empty otherwise). */
    rdsOptionGroups: pulumi.Output<string[]>;
}

/**
 * Looks up an endpoint's database. `endpoint` names the endpoint in the errors; `opts` are the lookups' options
 * (the parent whose provider they use).
 */
export function lookUpDatabase(endpoint: string, plan: EndpointPlan, inputs: CheckedEndpointInputs, opts: pulumi.InvokeOptions): DatabaseFacts {
    const none = pulumi.output<string | undefined>(undefined);
    if (plan.kind === "rds") {
        // Every use of the instance goes through the cluster check, so a clustered instance fails each of them.
        const lookup = lookUpOutput(LOOKUPS.rdsInstance, { dbInstanceIdentifier: inputs.rdsInstanceIdentifier! }, opts);
        const instance = lookup.apply((i) => checkRdsInstanceKind(endpoint, i));
        const databaseSg = pulumi.all([inputs.securityGroupId, instance.vpcSecurityGroups, instance.dbInstanceIdentifier]).apply(([override, groups, id]) => {
            if (override) return override;
            if (!groups || groups.length === 0) {
                throw new Error(`endpoint ${endpoint}: RDS instance ${id} has no VPC security group; set database.securityGroupId`);
            }
            return groups[0];
        });
        const targetAddresses = instance.address.apply(async (address) => {
            let addresses: string[];
            try {
                addresses = await remembered(opts.parent, `dns\u0000${address}`, () => resolveIpv4(address));
            } catch (e) {
                throw new Error(`endpoint ${endpoint}: ${(e as Error).message}`);
            }
            // A publicly accessible instance resolves to its public address outside the VPC; an IP target must be
            // the private one, so refuse rather than register an address the load balancer cannot use.
            const nonPrivate = addresses.filter((a) => !isPrivateIpv4(a));
            if (nonPrivate.length > 0) {
                throw new Error(
                    `endpoint ${endpoint}: ${address} resolves to ${nonPrivate.join(", ")}, not a private address in the VPC ` +
                        `(is the instance publicly accessible?); the load balancer's target must be the instance's private address. ` +
                        `Turn off public accessibility on the instance, or deploy from where its name resolves privately`,
                );
            }
            return addresses;
        });
        const subnetGroup = lookUpOutput(LOOKUPS.rdsSubnetGroup, { name: instance.dbSubnetGroup }, opts);
        const databaseZones: pulumi.Output<string[]> = pulumi.all([instance, subnetGroup]).apply(([i, group]) =>
            i.multiAz
                ? pulumi.all(group.subnetIds.map((id) => lookUp(LOOKUPS.subnet, { id }, opts).availabilityZone)).apply((zones) => [...new Set(zones)].sort())
                : pulumi.output([i.availabilityZone]),
        );
        return {
            databasePort: instance.port,
            databaseSg,
            targetAddresses,
            databaseZones,
            targetZones: pulumi.output([]),
            description: instance.dbInstanceIdentifier.apply((id) => `rds:${id}`),
            rdsAddress: instance.address,
            rdsCaCertIdentifier: instance.caCertIdentifier,
            rdsEngine: instance.engine,
            rdsDbName: instance.dbName.apply((n) => n || undefined),
            rdsParameterGroups: instance.dbParameterGroups.apply((g) => g ?? []),
            rdsOptionGroups: instance.optionGroupMemberships.apply((g) => g ?? []),
        };
    }
    const vpc = lookUpOutput(LOOKUPS.vpc, { id: inputs.vpcId }, opts);
    return {
        databasePort: pulumi.output(inputs.databasePort!),
        databaseSg: pulumi.output(inputs.securityGroupId),
        targetAddresses: pulumi.output(plan.addresses),
        databaseZones: pulumi.output([]),
        targetZones: pulumi
            .all([inputs.vpcId, vpc.cidrBlock, vpc.cidrBlockAssociations])
            .apply(([vpcId, primary, associations]) => targetAvailabilityZones(endpoint, vpcId, plan.addresses, vpcIpv4Cidrs(primary, associations))),
        description: pulumi.output(`self-managed:${plan.addresses.join(",")}`),
        rdsAddress: none,
        rdsCaCertIdentifier: none,
        rdsEngine: none,
        rdsDbName: none,
        rdsParameterGroups: pulumi.output([]),
        rdsOptionGroups: pulumi.output([]),
    };
}
