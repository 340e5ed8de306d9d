/**
 * What is an endpoint's own on whichever load balancer it listens on: the allowlist rules that admit its clients
 * on its listener port, the target group with the database's targets, the TCP listener with the restart hook,
 * and the Route 53 alias records for its hostname.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IpAddressType, RdsRestartPolicy } from "../../enums";
import { rdsRebootHook } from "../../hooks/rdsReboot";
import { engineOfRds } from "../../integrations/engines";
import { CHANGE_TAG_KEY } from "../../lambda/targetSync/settings";
import { AllowlistRule, EXPIRES_TAG, NOTE_TAG, PrefixListRule } from "../../model/allowlist";
import { healthCheckTiming } from "../../model/healthChecks";
import { RESTART_TIMEOUT_MINUTES } from "../../model/limits";
import type { PlacedLoadBalancer } from "../loadBalancer/loadBalancer";
import { cidrSlug } from "../support/tags";
import type { DatabaseTarget } from "./args";
import type { DatabaseFacts } from "./databaseFacts";
import type { CheckedEndpointInputs, EndpointPlan } from "./plan";

/**
 * The target group's replacement trigger with Elastic IPs: a constant, so that the group outlives a load
 * balancer replacement (the old NLB is deleted first). Without them the trigger is the NLB's ARN.
 */
export const TARGET_GROUP_KEPT = "kept-across-load-balancer-replacements";

/**
 * The target group's replacement trigger on a shared load balancer with Elastic IPs: constant for that load
 * balancer (the group outlives its replacement, as on an endpoint's own), and different from an endpoint's own
 * load balancer's and from another shared one's. A target group serves one load balancer only, so an endpoint
 * that moves onto another load balancer gets a new group, created before the old one is deleted.
 */
export function targetGroupKeptOn(loadBalancer: string): string {
    return `${TARGET_GROUP_KEPT} on shared load balancer ${loadBalancer}`;
}

/** What an expiring or annotated entry adds to its rule's tags: when it stops admitting, and its note. */
export function entryTags(rule: { expires?: string; note?: string }): Record<string, string> {
    return { ...(rule.expires ? { [EXPIRES_TAG]: rule.expires } : {}), ...(rule.note ? { [NOTE_TAG]: rule.note } : {}) };
}

/**
 * A rule's description: what it admits to, until when, and the entry's note (a security group rule's description
 * takes 255 characters; the note's characters are those AWS accepts there). An entry without either keeps the
 * description rules have always had.
 */
export function ruleDescription(endpoint: string, what: string, rule: { expires?: string; note?: string }): string {
    return `db-endpoints ${endpoint}: ${what}${rule.expires ? ` until ${rule.expires}` : ""}${rule.note ? ` (${rule.note})` : ""}`;
}

/**
 * The endpoint's allowlist: one ingress rule per entry, TCP on the endpoint's listener port only, in the
 * security group the spread put it in. Named by endpoint and CIDR, so a rule keeps its name (and is not
 * replaced) when other entries come and go; a rule that moves to another group is replaced, new first. An
 * expired entry gets no rule (one still in AWS is deleted); it kept its place in the spread, so no other rule
 * moves. An entry that expires carries the instant in the tag `db-endpoints:expires`, by which the scheduled
 * revocation finds it.
 */
export function buildAllowlistRules(
    owner: pulumi.Resource,
    endpoint: string,
    groups: { securityGroup: aws.ec2.SecurityGroup; rules: AllowlistRule[] }[],
    listenerPort: pulumi.Input<number>,
    tags: pulumi.Input<Record<string, string>>,
): aws.vpc.SecurityGroupIngressRule[] {
    return groups.flatMap(({ securityGroup, rules }) =>
        rules
            .filter((rule) => !rule.expired)
            .map(
                (rule) =>
                    new aws.vpc.SecurityGroupIngressRule(
                        `${endpoint}-allow-${cidrSlug(rule.cidr)}`,
                        {
                            securityGroupId: securityGroup.id,
                            ipProtocol: "tcp",
                            fromPort: listenerPort,
                            toPort: listenerPort,
                            ...(rule.family === "ipv4" ? { cidrIpv4: rule.cidr } : { cidrIpv6: rule.cidr }),
                            description: ruleDescription(endpoint, "allowlisted client", rule),
                            tags: withEntryTags(tags, rule),
                        },
                        { parent: owner },
                    ),
            ),
    );
}

/**
 * The endpoint's prefix lists: one ingress rule each, referencing the list (so its CIDRs, as its owner keeps them,
 * are admitted on the listener port), in the load balancer's security group for prefix lists. Named by endpoint and
 * list. Expired lists get no rule.
 */
export function buildPrefixListRules(
    owner: pulumi.Resource,
    endpoint: string,
    securityGroup: aws.ec2.SecurityGroup | undefined,
    lists: PrefixListRule[],
    listenerPort: pulumi.Input<number>,
    tags: pulumi.Input<Record<string, string>>,
    after: pulumi.Input<unknown>,
): aws.vpc.SecurityGroupIngressRule[] {
    const active = lists.filter((l) => !l.expired);
    if (active.length === 0 || !securityGroup) return [];
    return active.map(
        (list) =>
            new aws.vpc.SecurityGroupIngressRule(
                `${endpoint}-allow-${list.prefixList}`,
                {
                    securityGroupId: securityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: listenerPort,
                    toPort: listenerPort,
                    // Only once the lists passed the deployment's checks (size, address family, contents).
                    prefixListId: pulumi.all([list.prefixList, after]).apply(([id]) => id),
                    description: ruleDescription(endpoint, `allowlisted clients in prefix list ${list.prefixList}`, list),
                    tags: withEntryTags(tags, list),
                },
                { parent: owner },
            ),
    );
}

function withEntryTags(tags: pulumi.Input<Record<string, string>>, rule: { expires?: string; note?: string }): pulumi.Input<Record<string, string>> {
    const extra = entryTags(rule);
    return Object.keys(extra).length === 0 ? tags : pulumi.output(tags).apply((t) => ({ ...t, ...extra }));
}

/** What the endpoint's listener, target group and records are built from. */
export interface ListenerArgs {
    loadBalancer: PlacedLoadBalancer;
    /** The target group's replacement trigger with Elastic IPs ({@link TARGET_GROUP_KEPT} on an endpoint's own load balancer). */
    keptTrigger: string;
    plan: EndpointPlan;
    inputs: CheckedEndpointInputs;
    database: DatabaseTarget;
    facts: DatabaseFacts;
    listenerPort: pulumi.Output<number>;
    tags: pulumi.Output<Record<string, string>>;
}

/** The endpoint's target group, targets, listener (with the restart hook) and alias records. */
export function buildListener(owner: pulumi.Resource, name: string, args: ListenerArgs) {
    const { loadBalancer, plan, inputs, facts, tags } = args;
    const { nlb, keepsElasticIps } = loadBalancer;
    const child = { parent: owner };
    const timing = plan.kind === "rds" ? facts.rdsEngine.apply((e) => healthCheckTiming(engineOfRds(e ?? ""))) : pulumi.output(healthCheckTiming(plan.engine));
    const targetGroup = new aws.lb.TargetGroup(
        `${name}-tg`,
        {
            targetType: "ip",
            protocol: "TCP",
            port: facts.databasePort,
            vpcId: inputs.vpcId,
            ipAddressType: "ipv4",
            preserveClientIp: "false",
            connectionTermination: true,
            deregistrationDelay: 30,
            // As fast as AWS allows, except where MySQL would count the checks against the load balancer's address
            // (infra/model/healthChecks.ts). An RDS instance's engine is known once it has been looked up.
            healthCheck: {
                enabled: true,
                protocol: "TCP",
                port: "traffic-port",
                interval: timing.intervalSeconds,
                timeout: timing.timeoutSeconds,
                healthyThreshold: timing.healthyThreshold,
                unhealthyThreshold: timing.unhealthyThreshold,
            },
            tags,
        },
        {
            parent: owner,
            // A target group serves one load balancer only, so a replacement NLB created next to the old one
            // needs a new group: the group is replaced whenever the NLB's ARN changes. With Elastic IPs the
            // old NLB and its listener are deleted first, which frees the group: it is kept, with its
            // registered, healthy targets, and the new listener forwards to it.
            replacementTrigger: keepsElasticIps ? args.keptTrigger : nlb.arn,
            // Registered after the NLB, and failed with it: a trigger that fails leaves the group's outputs
            // pending, where a failed dependency fails the group (and so its dependents) cleanly.
            ...(keepsElasticIps ? {} : { dependsOn: [nlb] }),
            // With a TargetSync the function tags the group with the time it last changed its targets; that
            // tag is the function's, so a refresh followed by `pulumi up` must not remove it.
            ...(plan.manageRdsTargets ? {} : { ignoreChanges: [`tags["${CHANGE_TAG_KEY}"]`] }),
        },
    );

    const attachments: aws.lb.TargetGroupAttachment[] = [];
    if (plan.kind === "rds" && !plan.manageRdsTargets) {
        // A TargetSync owns this group's targets: no attachment, so the program never registers a stale
        // address nor removes the one the function registered after a failover. A new group (new ARN or
        // port) changes the function's target list, which runs it again during the same deployment.
    } else if (plan.kind === "rds") {
        attachments.push(
            new aws.lb.TargetGroupAttachment(
                `${name}-target`,
                { targetGroupArn: targetGroup.arn, targetId: facts.targetAddresses.apply((a) => a[0]), port: facts.databasePort },
                child,
            ),
        );
    } else {
        plan.addresses.forEach((address, i) => {
            attachments.push(
                new aws.lb.TargetGroupAttachment(
                    `${name}-target-${address}`,
                    { targetGroupArn: targetGroup.arn, targetId: address, port: facts.databasePort, availabilityZone: facts.targetZones.apply((z) => z[i]) },
                    child,
                ),
            );
        });
    }

    // The endpoint is provisioned once its listener exists: then the restart hook applies what the policy allows
    // to the RDS instance. A hook, so it runs in the deployment, after the fact, and fails it when that fails.
    const db = args.database;
    const restart = plan.kind === "rds" ? (db.restart ?? RdsRestartPolicy.WhenPending) : RdsRestartPolicy.Never;
    const rebootHook =
        restart === RdsRestartPolicy.Never
            ? undefined
            : rdsRebootHook(`${name}-rds-reboot`, {
                  dbInstanceIdentifier: inputs.rdsInstanceIdentifier!,
                  policy: restart,
                  timeoutMinutes: db.restartTimeoutMinutes ?? RESTART_TIMEOUT_MINUTES.rdsDefault,
              });
    const listener = new aws.lb.Listener(
        `${name}-listener`,
        {
            loadBalancerArn: nlb.arn,
            port: args.listenerPort,
            protocol: "TCP",
            tcpIdleTimeoutSeconds: pulumi.output(inputs.idleTimeoutSeconds),
            defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            tags,
        },
        {
            parent: owner,
            // A replaced target group (a new database port, a new load balancer) is empty until its targets
            // are registered: the listener is created or switched to it only after they are.
            dependsOn: attachments,
            ...(rebootHook ? { hooks: { afterCreate: [rebootHook] } } : {}),
        },
    );

    const records: aws.route53.Record[] = [];
    if (inputs.hostedZoneId !== undefined) {
        const recordTypes = loadBalancer.ipAddressType === IpAddressType.Dualstack ? ["A", "AAAA"] : ["A"];
        for (const type of recordTypes) {
            records.push(
                new aws.route53.Record(
                    `${name}-dns-${type.toLowerCase()}`,
                    {
                        zoneId: inputs.hostedZoneId,
                        name: inputs.hostname!,
                        type,
                        aliases: [{ name: nlb.dnsName, zoneId: nlb.zoneId, evaluateTargetHealth: true }],
                    },
                    // Moved to a replacement load balancer only once it has its listener (and so its targets).
                    { parent: owner, dependsOn: [listener] },
                ),
            );
        }
    }
    return { targetGroup, attachments, listener, records };
}
