/**
 * The path from a load balancer to its databases: egress from the load balancer's first security group to each
 * database port only (the load balancer's health checks go out through these rules too), and an ingress rule on
 * each database's security group admitting that group. Client IP preservation is off, so the database sees the
 * load balancer's private addresses and this one rule admits every client of the endpoint.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseFacts } from "../databaseEndpoint/databaseFacts";
import type { EndpointPlan } from "../databaseEndpoint/plan";

/**
 * The database rules of an endpoint on its own load balancer, named after the endpoint: to the database's
 * security group when it is known (RDS, or `database.securityGroupId`), else to each address. Returns whether
 * the database's own security group was given a rule (otherwise its owner must admit the load balancer).
 */
export function buildEndpointDatabaseRules(
    owner: pulumi.Resource,
    name: string,
    primarySecurityGroup: aws.ec2.SecurityGroup,
    plan: EndpointPlan,
    securityGroupKnown: boolean,
    facts: DatabaseFacts,
    tags: pulumi.Input<Record<string, string>>,
): boolean {
    const child = { parent: owner };
    const databasePort = facts.databasePort;
    if (plan.kind === "rds" || securityGroupKnown) {
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-to-database`,
            {
                securityGroupId: primarySecurityGroup.id,
                ipProtocol: "tcp",
                fromPort: databasePort,
                toPort: databasePort,
                referencedSecurityGroupId: facts.databaseSg.apply((sg) => sg!),
                description: `db-endpoints ${name}: to the database and its health checks`,
                tags,
            },
            child,
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-database-from-nlb`,
            {
                securityGroupId: facts.databaseSg.apply((sg) => sg!),
                ipProtocol: "tcp",
                fromPort: databasePort,
                toPort: databasePort,
                referencedSecurityGroupId: primarySecurityGroup.id,
                description: `db-endpoints ${name}: from the endpoint's load balancer`,
                tags,
            },
            child,
        );
        return true;
    }
    for (const address of plan.addresses) {
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-to-${address}`,
            {
                securityGroupId: primarySecurityGroup.id,
                ipProtocol: "tcp",
                fromPort: databasePort,
                toPort: databasePort,
                cidrIpv4: `${address}/32`,
                description: `db-endpoints ${name}: to the database and its health checks`,
                tags,
            },
            child,
        );
    }
    return false;
}
