/**
 * `EndpointLoadBalancer`: a load balancer shared by several endpoints of a `DatabaseEndpoints` product. It owns
 * what they share (the Network Load Balancer, its security groups, Elastic IPs and placement, and the rules
 * that let it reach their databases); each endpoint keeps what is its own under its `DatabaseEndpoint`
 * (its allowlist rules, on its listener port only, its target group, targets, listener, records and restart
 * hook), so an endpoint's resources keep their names and URNs whichever load balancer it listens on.
 *
 * It is built only by `DatabaseEndpoints`, from the validated model of its endpoints (the spread of their rules,
 * the settings they agree on), which is why it is not part of the package's cross-language API.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AllowlistQuotas, AllowlistRule, PrefixListRule, ResolvedPrefixList } from "../../model/allowlist";
import { checkListenerPorts, listenerPortEntry } from "../../model/loadBalancers";
import type { EndpointSpec, LoadBalancerSpec } from "../../model/spec";
import { Problems } from "../../validation";
import type { DatabaseEndpointArgs } from "../databaseEndpoint/args";
import { DatabaseFacts, lookUpDatabase } from "../databaseEndpoint/databaseFacts";
import { checkLoadBalancerPlacement } from "../databaseEndpoint/placement";
import { planDatabaseEndpoint } from "../databaseEndpoint/plan";
import { throwIfInvalidArgs } from "../support/argsError";
import type { ArgsOwner } from "../support/knownNowOrLater";
import { stampTags } from "../support/tags";
import { buildSharedDatabaseRules } from "./databaseRules";
import { buildFlowLogs } from "./connectionAudit";
import { buildLoadBalancer, buildSecurityGroups, lookUpSubnets, PlacedLoadBalancer } from "./loadBalancer";
import { checkedPrefixLists, lookUpPrefixLists } from "./prefixLists";
import { shareLookups } from "../support/lookups";

const COMPONENT_TYPE = "db-endpoints:index:EndpointLoadBalancer";

/** The tag that names the shared load balancer a resource belongs to. */
export const LOAD_BALANCER_TAG = "db-endpoints:load-balancer";

/** What an endpoint gets from the shared load balancer it listens on. */
export interface LoadBalancerSeat {
    /** The shared load balancer's name. */
    name: string;
    /** The rules from the load balancer to its databases, once all are declared: what a connection needs of it. */
    databaseRules: pulumi.Output<pulumi.Resource[]>;
    loadBalancer: PlacedLoadBalancer;
    /** The endpoint's allowlist rules, per security group of the load balancer (by index); expired ones flagged. */
    rules: AllowlistRule[][];
    /** The endpoint's prefix lists (expired ones flagged), in the security group `prefixListGroup`. */
    prefixLists: PrefixListRule[];
    /** The load balancer's security group for prefix lists (present when one of its endpoints has any). */
    prefixListGroup?: number;
    /** Every prefix list of the load balancer, resolved once they passed the deployment's checks. */
    checkedPrefixLists: pulumi.Output<ResolvedPrefixList[]>;
    /** The endpoint's database, looked up once for the load balancer's placement and for the endpoint. */
    facts: DatabaseFacts;
    /** The endpoint's listener port, resolved once every endpoint's port is known to be its own. */
    listenerPort: pulumi.Output<number>;
}

/** An endpoint of a shared load balancer. */
export interface LoadBalancerMember {
    /** Its path in the product's args (`endpoints[2]`), for errors found at deployment. */
    path: string;
    spec: EndpointSpec;
    /** The args its `DatabaseEndpoint` is declared with. */
    args: DatabaseEndpointArgs;
}

/** Arguments of an {@link EndpointLoadBalancer}: the validated model of the load balancer and its endpoints. */
export interface EndpointLoadBalancerArgs {
    vpcId: pulumi.Input<string>;
    subnetIds: string[];
    spec: LoadBalancerSpec;
    members: LoadBalancerMember[];
    /** The product's tags (the shared resources carry these, not any one endpoint's). */
    tags: Record<string, string>;
    /** The product's quotas (the prefix lists are checked against them once AWS says how large they are). */
    quotas: AllowlistQuotas;
    /** The component whose args the members come from, for errors found at deployment. */
    owner: ArgsOwner;
}

/** A Network Load Balancer shared by several endpoints, each on its own listener port. */
export class EndpointLoadBalancer extends pulumi.ComponentResource {
    /** The load balancer's DNS name, shared by its endpoints. */
    public readonly dnsName: pulumi.Output<string>;
    /** ARN of the load balancer. */
    public readonly arn: pulumi.Output<string>;
    /** Its security groups; the first is admitted by the databases' security groups. */
    public readonly securityGroupIds: pulumi.Output<string[]>;
    /** Its Elastic IPs (empty without `elasticIps`). */
    public readonly publicAddresses: pulumi.Output<string[]>;
    /** Per endpoint, by name: what it gets from the load balancer. */
    public readonly seats: Record<string, LoadBalancerSeat>;

    constructor(name: string, args: EndpointLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPE, name, {}, opts);
        shareLookups(this, opts?.parent);
        const child = { parent: this };
        const { spec, members } = args;
        const tags = pulumi.output(stampTags(args.tags, { [LOAD_BALANCER_TAG]: name }));

        // Each endpoint's database, looked up here: the load balancer's placement covers all of them.
        const facts = members.map((m) => {
            const plan = planDatabaseEndpoint(m.spec.name, m.args);
            return { plan, facts: lookUpDatabase(m.spec.name, plan, plan.inputs, child) };
        });
        // One listener per port: an RDS endpoint without `port` listens on the instance's, known only now.
        const ports = pulumi.all(facts.map(({ plan, facts }) => pulumi.output(plan.inputs.port ?? facts.databasePort))).apply((resolved) => {
            const problems = new Problems();
            checkListenerPorts(
                problems,
                name,
                members.map((m, i) => ({ ...listenerPortEntry(m.path, m.spec), port: resolved[i] })),
            );
            throwIfInvalidArgs(problems, args.owner.component, args.owner.name, true);
            return resolved;
        });

        const securityGroups = buildSecurityGroups(this, {
            name,
            description: (g) => `db-endpoints load balancer ${name}: allowlist group ${g + 1}${g === 0 ? " and egress to its databases" : ""}`,
            vpcId: args.vpcId,
            count: spec.securityGroups.length,
            tags,
        });
        const databaseRules = buildSharedDatabaseRules(
            this,
            name,
            securityGroups[0],
            members.map((m, i) => ({ database: m.spec.database, facts: facts[i].facts })),
            tags,
        );

        // The endpoints' prefix lists, looked up and checked together (they share the security group that holds them).
        const prefixLists = checkedPrefixLists(lookUpPrefixLists(spec.prefixLists, child), {
            owner: args.owner,
            loadBalancer: `loadBalancer "${name}"`,
            ipAddressType: spec.ipAddressType,
            rulesPerSecurityGroup: args.quotas.rulesPerSecurityGroup,
            quotaPath: "quotas.rulesPerSecurityGroup",
            endpoints: members.map((m) => ({
                allowlistPath: `${m.path}.allowedCidrs`,
                publicInternetPath: `${m.path}.allowPublicInternet`,
                rules: m.spec.allowlist,
                paths: m.spec.prefixLists.map((l) => l.path),
            })),
            warn: (message) => pulumi.log.warn(message, this),
        });

        // Placement, checked against AWS before the load balancer exists, for every database behind it; and the
        // listener ports, so that a port two endpoints would share fails the deployment before it too; and the
        // prefix lists.
        const databases = pulumi.all(
            facts.map(({ facts }) => pulumi.all([facts.databaseZones, facts.description, facts.targetZones]).apply(([zones, description]) => ({ zones, description }))),
        );
        const placedSubnetIds = pulumi
            .all([args.vpcId, lookUpSubnets(args.subnetIds, child), databases, ports, prefixLists])
            .apply(([vpcId, subnets, dbs]) => checkLoadBalancerPlacement(`load balancer ${name}`, vpcId, subnets, spec.ipAddressType, dbs));
        const loadBalancer = buildLoadBalancer(this, {
            name,
            subnetIds: args.subnetIds,
            placedSubnetIds,
            securityGroups,
            elasticIps: spec.elasticIps,
            ipAddressType: spec.ipAddressType,
            deletionProtection: spec.deletionProtection,
            tags,
        });
        if (spec.connectionAudit.enabled) {
            // The load balancer's flow logs, once for all its endpoints; each endpoint's saved query reads its port.
            loadBalancer.flowLogs = buildFlowLogs(this, {
                name,
                nlb: loadBalancer.nlb,
                subnetIds: args.subnetIds,
                retentionDays: spec.connectionAudit.retentionDays,
                tags,
            });
        }

        this.seats = Object.fromEntries(
            members.map((m, i) => [
                m.spec.name,
                {
                    name,
                    databaseRules,
                    loadBalancer,
                    rules: spec.securityGroups.map((group) => group.filter((r) => r.endpoint === m.spec.name).map(({ endpoint: _, ...rule }) => rule)),
                    prefixLists: spec.prefixLists.filter((l) => l.endpoint === m.spec.name).map(({ endpoint: _, ...list }) => list),
                    ...(spec.prefixListGroup !== undefined ? { prefixListGroup: spec.prefixListGroup } : {}),
                    checkedPrefixLists: prefixLists,
                    facts: facts[i].facts,
                    listenerPort: ports.apply((p) => p[i]),
                },
            ]),
        );
        this.dnsName = loadBalancer.nlb.dnsName;
        this.arn = loadBalancer.nlb.arn;
        this.securityGroupIds = pulumi.all(securityGroups.map((g) => g.id));
        this.publicAddresses = pulumi.all(loadBalancer.eips.map((e) => e.publicIp));
        this.registerOutputs({ dnsName: this.dnsName, arn: this.arn, securityGroupIds: this.securityGroupIds, publicAddresses: this.publicAddresses });
    }
}
