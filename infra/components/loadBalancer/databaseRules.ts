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
import type { DatabaseSpec } from "../../model/spec";

/**
 * The database rules of an endpoint on its own load balancer, named after the endpoint: to the database's
 * security group when it is known (RDS, or `database.securityGroupId`), else to each address. Returns whether
 * the database's own security group was given a rule (otherwise its owner must admit the load balancer), and the
 * rules.
 */
export function buildEndpointDatabaseRules(
    owner: pulumi.Resource,
    name: string,
    primarySecurityGroup: aws.ec2.SecurityGroup,
    plan: EndpointPlan,
    securityGroupKnown: boolean,
    facts: DatabaseFacts,
    tags: pulumi.Input<Record<string, string>>,
): { admitted: boolean; rules: pulumi.Resource[] } {
    const child = { parent: owner };
    const databasePort = facts.databasePort;
    if (plan.kind === "rds" || securityGroupKnown) {
        const egress = new aws.vpc.SecurityGroupEgressRule(
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
        const ingress = new aws.vpc.SecurityGroupIngressRule(
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
        return { admitted: true, rules: [egress, ingress] };
    }
    const rules = plan.addresses.map(
        (address) =>
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
            ),
    );
    return { admitted: false, rules };
}

/** An endpoint of a shared load balancer, for its database rules. */
export interface SharedRuleMember {
    /** The endpoint's validated database. */
    database: DatabaseSpec;
    facts: DatabaseFacts;
}

/** A database rule of a shared load balancer: to a security group on a port, or to an address on a port. */
interface DatabaseRuleKey {
    securityGroupId?: string;
    address?: string;
    port: number;
}

const keyText = (k: DatabaseRuleKey) => `${k.securityGroupId ?? k.address}-${k.port}`;

/**
 * The database rules of a shared load balancer, one per distinct database security group and port (or address
 * and port), named after the load balancer and what they admit. AWS refuses a second rule identical to one a
 * security group already has (`InvalidPermission.Duplicate`), and the endpoints of a shared load balancer often
 * reach databases behind the same security group and port (RDS instances of one team share theirs): each
 * distinct rule is made once, whichever endpoints need it. A self-managed database's rules are known when the
 * program runs; an RDS instance's security group and port come from its lookup, so its rules are declared once
 * the lookups have returned (which `pulumi preview` does too), each unless a rule already covers it. Returns every
 * rule, once all are declared.
 */
export function buildSharedDatabaseRules(
    owner: pulumi.Resource,
    name: string,
    primarySecurityGroup: aws.ec2.SecurityGroup,
    members: SharedRuleMember[],
    tags: pulumi.Input<Record<string, string>>,
): pulumi.Output<pulumi.Resource[]> {
    const declared = new Set<string>();
    const rules: pulumi.Resource[] = [];
    const declare = (key: DatabaseRuleKey) => {
        const text = keyText(key);
        if (declared.has(text)) return;
        declared.add(text);
        const egress = {
            securityGroupId: primarySecurityGroup.id,
            ipProtocol: "tcp",
            fromPort: key.port,
            toPort: key.port,
            description: `db-endpoints load balancer ${name}: to its databases and their health checks`,
            tags,
        };
        if (key.address !== undefined) {
            rules.push(new aws.vpc.SecurityGroupEgressRule(`${name}-to-${text}`, { ...egress, cidrIpv4: `${key.address}/32` }, { parent: owner }));
            return;
        }
        rules.push(new aws.vpc.SecurityGroupEgressRule(`${name}-to-${text}`, { ...egress, referencedSecurityGroupId: key.securityGroupId }, { parent: owner }));
        const ingress = new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-nlb-into-${text}`,
            {
                securityGroupId: key.securityGroupId!,
                ipProtocol: "tcp",
                fromPort: key.port,
                toPort: key.port,
                referencedSecurityGroupId: primarySecurityGroup.id,
                description: `db-endpoints load balancer ${name}: from the shared load balancer`,
                tags,
            },
            { parent: owner },
        );
        rules.push(ingress);
    };
    const later: pulumi.Output<DatabaseRuleKey>[] = [];
    for (const { database, facts } of members) {
        if (database.kind === "rds") {
            later.push(pulumi.all([facts.databaseSg, facts.databasePort]).apply(([securityGroupId, port]) => ({ securityGroupId: securityGroupId!, port })));
        } else if (database.securityGroupId !== undefined) {
            declare({ securityGroupId: database.securityGroupId, port: database.port });
        } else {
            for (const address of database.addresses) declare({ address, port: database.port });
        }
    }
    // Every rule, once the RDS instances' are declared too (what a connection through the load balancer needs).
    if (later.length === 0) return pulumi.output(undefined).apply(() => rules);
    return pulumi.all(later).apply((keys) => {
        keys.forEach(declare);
        return rules;
    });
}
