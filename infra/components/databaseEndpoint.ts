/**
 * `DatabaseEndpoint`: one public endpoint for one private database. Its load balancer is its own (named after
 * it), or, inside `DatabaseEndpoints`, a shared one that other endpoints listen on too. Either way it is built
 * from the same pieces: the database's facts (./databaseEndpoint/databaseFacts.ts), the load balancer with its
 * security groups, placement and Elastic IPs (./loadBalancer/), and the endpoint's own allowlist rules, target
 * group, targets, listener, restart hook and records (./databaseEndpoint/listener.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AllowlistRule, PrefixListRule } from "../model/allowlist";
import { IDLE_TIMEOUT } from "../model/limits";
import { show } from "../validation";
import type { DatabaseEndpointArgs } from "./databaseEndpoint/args";
import { lookUpDatabase } from "./databaseEndpoint/databaseFacts";
import { buildAllowlistRules, buildListener, buildPrefixListRules, TARGET_GROUP_KEPT, targetGroupKeptOn } from "./databaseEndpoint/listener";
import { checkPlacement } from "./databaseEndpoint/placement";
import { planDatabaseEndpoint } from "./databaseEndpoint/plan";
import { buildEndpointDatabaseRules } from "./loadBalancer/databaseRules";
import type { LoadBalancerSeat } from "./loadBalancer/endpointLoadBalancer";
import { buildConnectionQuery, buildFlowLogs } from "./loadBalancer/connectionAudit";
import { checkConnectionLogging } from "./databaseEndpoint/connectionLogging";
import { buildLoadBalancer, buildSecurityGroups, lookUpSubnets, PlacedLoadBalancer } from "./loadBalancer/loadBalancer";
import { checkedPrefixLists, lookUpPrefixLists } from "./loadBalancer/prefixLists";
import { stampedTags } from "./support/tags";
import { shareLookups } from "./support/lookups";

export type { DatabaseEndpointArgs, DatabaseTarget } from "./databaseEndpoint/args";
export { lookUpDatabase } from "./databaseEndpoint/databaseFacts";
export type { DatabaseFacts } from "./databaseEndpoint/databaseFacts";
export { TARGET_GROUP_KEPT } from "./databaseEndpoint/listener";
export { checkPlacement, checkRdsInstanceKind, targetAvailabilityZones, vpcIpv4Cidrs } from "./databaseEndpoint/placement";
export { planDatabaseEndpoint } from "./databaseEndpoint/plan";
export type { CheckedEndpointInputs, EndpointPlan } from "./databaseEndpoint/plan";

const COMPONENT_TYPE = "db-endpoints:index:DatabaseEndpoint";

/**
 * What the product's other components need of each endpoint and that is no output of it (outputs become part of the
 * cross-language schema): read through {@link connectionPathOf}, {@link listenerOf} and {@link expiringRuleGroupIdsOf}.
 */
interface EndpointParts {
    connectionPath: pulumi.Resource[] | pulumi.Output<pulumi.Resource[]>;
    listener: aws.lb.Listener;
    /** The security groups that hold an expiring rule, one ID each. */
    expiringGroupIds: pulumi.Output<string>[];
}
const parts = new WeakMap<DatabaseEndpoint, EndpointParts>();

/**
 * What a connection through the endpoint needs, and nothing else of it: the listener (created once the program's
 * targets are registered, and with the restart hook run), the allowlist rules that admit the client, and the rules
 * from the load balancer to the database (on a shared load balancer, all of its rules to its databases, known once
 * the RDS instances' are declared: hence an output there). Not its hostname's records, flow logs or saved query.
 * What must exist before something connects through the endpoint, and be deleted after it.
 */
export function connectionPathOf(endpoint: DatabaseEndpoint): pulumi.Resource[] | pulumi.Output<pulumi.Resource[]> {
    return parts.get(endpoint)!.connectionPath;
}

/**
 * The endpoint's listener: once it exists its target group is in service on the load balancer (health-checked, and
 * reported in CloudWatch) with the targets the program registers (it is created after them). What must exist before
 * something that watches the endpoint's health.
 */
export function listenerOf(endpoint: DatabaseEndpoint): aws.lb.Listener {
    return parts.get(endpoint)!.listener;
}

/**
 * The IDs of the security groups that hold a rule of `endpoint` with an expiry, as a list whose length is known
 * when the endpoint is declared (what the upkeep function's revocation duty takes); the `expiringRuleSecurityGroupIds`
 * output is the same IDs as one value.
 */
export function expiringRuleGroupIdsOf(endpoint: DatabaseEndpoint): pulumi.Output<string>[] {
    return parts.get(endpoint)?.expiringGroupIds ?? [];
}

/**
 * Options of a {@link DatabaseEndpoint}: Pulumi's, and, when `DatabaseEndpoints` declares it on a shared load
 * balancer, its seat there (what the endpoint uses instead of a load balancer of its own). Programs that declare
 * a `DatabaseEndpoint` themselves leave it unset: their endpoint has its own load balancer.
 */
export interface DatabaseEndpointOptions extends pulumi.ComponentResourceOptions {
    sharedLoadBalancer?: LoadBalancerSeat;
}

/**
 * A public endpoint for one private database: an internet-facing Network Load Balancer with a TCP
 * pass-through listener (TLS runs end to end, client to database), security groups built from the
 * allowlist, an IP target group pointing at the database, optional Elastic IPs and Route 53 alias.
 */
export class DatabaseEndpoint extends pulumi.ComponentResource {
    /** DNS name clients connect to: `hostname` when given, else the load balancer's DNS name. */
    public readonly hostname: pulumi.Output<string>;
    /** The load balancer's own DNS name. */
    public readonly loadBalancerDnsName: pulumi.Output<string>;
    /** ARN of the load balancer. */
    public readonly loadBalancerArn: pulumi.Output<string>;
    /** Port clients connect to. */
    public readonly port: pulumi.Output<number>;
    /** Port of the database behind the endpoint. */
    public readonly databasePort: pulumi.Output<number>;
    /** The Elastic IPs of the load balancer (empty without `elasticIps`: its addresses may then change). */
    public readonly publicAddresses: pulumi.Output<string[]>;
    /** CIDRs admitted, normalised and de-duplicated, as the ingress rules have them (expired entries left out). */
    public readonly allowedCidrs: pulumi.Output<string[]>;
    /** Managed prefix lists admitted (expired entries left out). */
    public readonly allowedPrefixLists: pulumi.Output<string[]>;
    /** Listener TCP idle timeout in seconds. */
    public readonly idleTimeoutSeconds: pulumi.Output<number>;
    /** Security groups of the load balancer; the first also carries the egress rule to the database. */
    public readonly securityGroupIds: pulumi.Output<string[]>;
    /** ARN of the IP target group. */
    public readonly targetGroupArn: pulumi.Output<string>;
    /** ARN of the TCP listener. */
    public readonly listenerArn: pulumi.Output<string>;
    /** What the endpoint reaches: `rds:<identifier>` or `self-managed:<address>,...`. */
    public readonly database: pulumi.Output<string>;
    /**
     * Private address(es) the database resolved to at deployment: the targets registered then (with
     * `manageRdsTargets: false`, by the TargetSync, which keeps them current after that).
     */
    public readonly targetAddresses: pulumi.Output<string[]>;
    /** RDS only: the instance's own endpoint hostname (the name its certificate carries). */
    public readonly rdsAddress: pulumi.Output<string | undefined>;
    /** RDS only: the AWS certificate authority the instance's certificate is issued by (`caCertIdentifier`). */
    public readonly rdsCaCertIdentifier: pulumi.Output<string | undefined>;
    /** RDS only: the engine (`postgres`, `mysql`, ...). */
    public readonly rdsEngine: pulumi.Output<string | undefined>;
    /** RDS only: the database created with the instance (`DBName`), if any. */
    public readonly rdsDbName: pulumi.Output<string | undefined>;
    /** The database security group given an ingress rule for the endpoint, if any. */
    public readonly databaseSecurityGroupId: pulumi.Output<string | undefined>;
    /**
     * The load balancer's security groups that hold a rule of this endpoint with an expiry (tag
     * `db-endpoints:expires`): where a scheduled revocation looks for the rules whose time has come.
     */
    public readonly expiringRuleSecurityGroupIds: pulumi.Output<string[]>;
    /** The CloudWatch log group of the load balancer's flow logs (absent with `connectionAudit` off). */
    public readonly connectionLogGroupName: pulumi.Output<string | undefined>;
    /** The saved CloudWatch Logs Insights query of who connected to this endpoint (absent with `connectionAudit` off). */
    public readonly connectionQueryName: pulumi.Output<string | undefined>;
    /**
     * RDS with `connectionAudit` on: whether the instance records who logs in (`on`, `off` or `unknown`), read from
     * its parameter group (PostgreSQL `log_connections`) or option group (MySQL and MariaDB: the audit plugin's
     * `CONNECT` events). Absent otherwise.
     */
    public readonly databaseConnectionLogging: pulumi.Output<string | undefined>;

    constructor(name: string, args: DatabaseEndpointArgs, opts?: DatabaseEndpointOptions) {
        const plan = planDatabaseEndpoint(name, args);
        const { sharedLoadBalancer: seat, ...componentOpts } = opts ?? {};
        super(COMPONENT_TYPE, name, {}, componentOpts);
        shareLookups(this, componentOpts.parent);
        for (const w of plan.warnings) pulumi.log.warn(`${w.path}: ${w.message}`, this);

        const child = { parent: this };
        const inputs = plan.inputs;
        const tags = stampedTags(inputs.tags, { "db-endpoints:endpoint": name });
        const facts = seat?.facts ?? lookUpDatabase(name, plan, inputs, child);
        const listenerPort = seat?.listenerPort ?? pulumi.output(inputs.port ?? facts.databasePort);

        let loadBalancer: PlacedLoadBalancer;
        let admitted: boolean;
        let expiringGroups: aws.ec2.SecurityGroup[];
        const path: pulumi.Resource[] = [];
        if (seat) {
            // A shared load balancer: its security groups take this endpoint's rules where the spread put them,
            // and it has the rules to the databases.
            loadBalancer = seat.loadBalancer;
            const allowed = buildAllowlistRules(
                this,
                name,
                seat.rules.map((rules, g) => ({ securityGroup: loadBalancer.securityGroups[g], rules })),
                listenerPort,
                tags,
            );
            const prefixGroup = seat.prefixListGroup !== undefined ? loadBalancer.securityGroups[seat.prefixListGroup] : undefined;
            path.push(...allowed, ...buildPrefixListRules(this, name, prefixGroup, seat.prefixLists, listenerPort, tags, seat.checkedPrefixLists));
            expiringGroups = expiringRuleGroups(loadBalancer.securityGroups, seat.rules, seat.prefixListGroup, seat.prefixLists);
            admitted = plan.kind === "rds" || inputs.securityGroupId !== undefined;
        } else {
            // --- Security groups of the load balancer: the allowlist, spread within the quotas.
            const securityGroups = buildSecurityGroups(this, {
                name,
                // Fixed per group: AWS cannot change a security group's description, so one that counted the
                // groups would replace all of them whenever the allowlist crossed a multiple of the quota.
                description: (g) => `db-endpoints ${name}: allowlist group ${g + 1}${g === 0 ? " and egress to the database" : ""}`,
                vpcId: inputs.vpcId,
                count: plan.securityGroupRules.length,
                tags,
            });
            const allowed = buildAllowlistRules(
                this,
                name,
                plan.securityGroupRules.map((rules, g) => ({ securityGroup: securityGroups[g], rules })),
                listenerPort,
                tags,
            );
            // Prefix lists: looked up and checked before the load balancer exists (their size counts against the quota).
            const prefixLists = checkedPrefixLists(lookUpPrefixLists(plan.prefixLists, child), {
                owner: { component: "DatabaseEndpoint", name },
                loadBalancer: "the load balancer",
                ipAddressType: plan.ipAddressType,
                rulesPerSecurityGroup: plan.quotas.rulesPerSecurityGroup,
                quotaPath: "rulesPerSecurityGroup",
                endpoints: [{ allowlistPath: "allowedCidrs", publicInternetPath: "allowPublicInternet", rules: plan.allowlist, paths: plan.prefixLists.map((l) => l.path) }],
                warn: (message) => pulumi.log.warn(message, this),
            });
            const prefixGroup = plan.prefixListGroup !== undefined ? securityGroups[plan.prefixListGroup] : undefined;
            const prefixRules = buildPrefixListRules(this, name, prefixGroup, plan.prefixLists, listenerPort, tags, prefixLists);
            expiringGroups = expiringRuleGroups(securityGroups, plan.securityGroupRules, plan.prefixListGroup, plan.prefixLists);

            // Egress only to the database port: to its security group when known, else to each address.
            const databaseRules = buildEndpointDatabaseRules(this, name, securityGroups[0], plan, inputs.securityGroupId !== undefined, facts, tags);
            admitted = databaseRules.admitted;
            path.push(...allowed, ...prefixRules, ...databaseRules.rules);

            // --- Placement, checked against AWS before the load balancer exists. (targetZones too: a self-managed
            // address AWS would refuse as a target fails the deployment before the NLB exists.)
            const placedSubnetIds = pulumi
                .all([inputs.vpcId, lookUpSubnets(args.subnetIds, child), facts.databaseZones, facts.description, facts.targetZones, prefixLists])
                .apply(([vpcId, subnets, zones, description]) => checkPlacement(name, vpcId, subnets, plan.ipAddressType, zones, description));
            loadBalancer = buildLoadBalancer(this, {
                name,
                subnetIds: args.subnetIds,
                placedSubnetIds,
                securityGroups,
                elasticIps: args.elasticIps === true,
                ipAddressType: plan.ipAddressType,
                deletionProtection: inputs.deletionProtection,
                tags,
            });
            if (plan.connectionAudit.enabled) {
                loadBalancer.flowLogs = buildFlowLogs(this, {
                    name,
                    nlb: loadBalancer.nlb,
                    subnetIds: args.subnetIds,
                    retentionDays: plan.connectionAudit.retentionDays,
                    tags,
                });
            }
        }
        if (!admitted) {
            pulumi.log.warn(
                `database.securityGroupId is not set: the database's own security group must admit the endpoint's security group ` +
                    `(output securityGroupIds[0]) on port ${show(args.database.port)}`,
                this,
            );
        }

        const { targetGroup, listener } = buildListener(this, name, {
            loadBalancer,
            keptTrigger: seat ? targetGroupKeptOn(seat.name) : TARGET_GROUP_KEPT,
            plan,
            inputs,
            database: args.database,
            facts,
            listenerPort,
            tags,
        });

        const flowLogs = loadBalancer.flowLogs;
        const query = flowLogs ? buildConnectionQuery(this, name, flowLogs, listenerPort, facts.databasePort) : undefined;

        const nlb = loadBalancer.nlb;
        this.hostname = inputs.hostname !== undefined ? pulumi.output(inputs.hostname) : nlb.dnsName;
        this.loadBalancerDnsName = nlb.dnsName;
        this.loadBalancerArn = nlb.arn;
        this.port = listenerPort;
        this.databasePort = facts.databasePort;
        this.publicAddresses = pulumi.all(loadBalancer.eips.map((e) => e.publicIp));
        this.allowedCidrs = pulumi.output(plan.allowlist.filter((r) => !r.expired).map((r) => r.cidr));
        this.allowedPrefixLists = pulumi.output(plan.prefixLists.filter((l) => !l.expired).map((l) => l.prefixList));
        this.idleTimeoutSeconds = listener.tcpIdleTimeoutSeconds.apply((v) => v ?? IDLE_TIMEOUT.default);
        this.securityGroupIds = pulumi.all(loadBalancer.securityGroups.map((g) => g.id));
        this.targetGroupArn = targetGroup.arn;
        this.listenerArn = listener.arn;
        this.database = facts.description;
        this.targetAddresses = facts.targetAddresses;
        this.rdsAddress = facts.rdsAddress;
        this.rdsCaCertIdentifier = facts.rdsCaCertIdentifier;
        this.rdsEngine = facts.rdsEngine;
        this.rdsDbName = facts.rdsDbName;
        this.databaseSecurityGroupId = facts.databaseSg;
        parts.set(this, {
            connectionPath: seat ? seat.databaseRules.apply((rules) => [listener, ...path, ...rules]) : [listener, ...path],
            listener,
            expiringGroupIds: expiringGroups.map((g) => g.id),
        });
        this.expiringRuleSecurityGroupIds = pulumi.all(expiringGroups.map((g) => g.id));
        this.connectionLogGroupName = flowLogs ? flowLogs.logGroupName : pulumi.output<string | undefined>(undefined);
        this.connectionQueryName = query ? query.name : pulumi.output<string | undefined>(undefined);
        this.databaseConnectionLogging =
            plan.kind === "rds" && plan.connectionAudit.enabled ? checkConnectionLogging(this, facts) : pulumi.output<string | undefined>(undefined);
        this.registerOutputs({
            hostname: this.hostname,
            loadBalancerDnsName: this.loadBalancerDnsName,
            loadBalancerArn: this.loadBalancerArn,
            port: this.port,
            databasePort: this.databasePort,
            publicAddresses: this.publicAddresses,
            allowedCidrs: this.allowedCidrs,
            allowedPrefixLists: this.allowedPrefixLists,
            idleTimeoutSeconds: this.idleTimeoutSeconds,
            securityGroupIds: this.securityGroupIds,
            targetGroupArn: this.targetGroupArn,
            listenerArn: this.listenerArn,
            database: this.database,
            targetAddresses: this.targetAddresses,
            rdsAddress: this.rdsAddress,
            rdsCaCertIdentifier: this.rdsCaCertIdentifier,
            rdsEngine: this.rdsEngine,
            rdsDbName: this.rdsDbName,
            databaseSecurityGroupId: this.databaseSecurityGroupId,
            expiringRuleSecurityGroupIds: this.expiringRuleSecurityGroupIds,
            connectionLogGroupName: this.connectionLogGroupName,
            connectionQueryName: this.connectionQueryName,
            databaseConnectionLogging: this.databaseConnectionLogging,
        });
    }
}

/** The security groups that hold a rule of the endpoint whose entry expires (and has not yet expired). */
function expiringRuleGroups(
    groups: aws.ec2.SecurityGroup[],
    rules: AllowlistRule[][],
    prefixListGroup: number | undefined,
    prefixLists: PrefixListRule[],
): aws.ec2.SecurityGroup[] {
    const expiring = (r: { expires?: string; expired?: true }) => r.expires !== undefined && !r.expired;
    return groups.filter((_, g) => rules[g]?.some(expiring) || (g === prefixListGroup && prefixLists.some(expiring)));
}
