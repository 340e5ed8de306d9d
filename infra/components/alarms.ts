/**
 * The stack's alarms (docs/alarms.md says what each means and what to do when it fires):
 * - per endpoint, no healthy target: the NLB's `HealthyHostCount` for the endpoint's target group;
 * - per RDS endpoint with target sync, syncs failing and targets left unserved: the upkeep function's
 *   `SyncFailures` and `UnservedTargets`, written only when non-zero;
 * - per certificate (each CA generation, each self-managed database's server certificate), nearing expiry: the
 *   function's `DaysToExpiry`, written on every run, so that its absence fires the alarm too;
 * - with expiring allowlist entries, expired rules the function could not revoke: its `RevocationFailures`.
 * They notify an existing SNS topic, a topic the stack creates for email addresses, both, or no one.
 *
 * How each treats missing data is part of what it means: a metric written only when something is wrong is fine
 * when missing; one written continuously (the NLB's health, the days to expiry) is not.
 */
import * as crypto from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { REVOCATION_METRIC } from "../lambda/targetSync/expiredRules";
import { EXPIRY_METRIC } from "../lambda/targetSync/expiryWatch";
import { loadBalancerSuffix, METRIC_NAMESPACE, targetGroupSuffix } from "../lambda/targetSync/settings";
import { stampTags } from "./support/tags";

/** How an alarm treats a period without data. */
export type MissingData = "breaching" | "notBreaching";

/**
 * One alarm, as CloudWatch's PutMetricAlarm takes it: pure data, built from the stack's names. `D` is what a
 * dimension's value is: a string, or (in the component) an output of the resource it names, so that a preview
 * shows every other setting.
 */
export interface AlarmDefinition<D = string> {
    /** The end of its resource name: `<alarms component>-<key>`. */
    key: string;
    /** The alarm's name in CloudWatch, and in every notification. */
    name: string;
    description: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, D>;
    statistic: "Maximum" | "Minimum" | "Sum";
    /** Seconds. */
    period: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    comparisonOperator: "LessThanThreshold" | "GreaterThanOrEqualToThreshold";
    threshold: number;
    treatMissingData: MissingData;
}

/** CloudWatch caps an alarm name at 255 characters (ASCII only) and a description at 1024. */
export const ALARM_NAME_MAX_LENGTH = 255;
export const ALARM_DESCRIPTION_MAX_LENGTH = 1024;

/** Where the runbook of each alarm is. */
const RUNBOOK = "Runbook: db-endpoints docs/alarms.md";

/**
 * `<project>/<stack> <subject>: <condition>`: unique per stack in an account and region, readable in a
 * notification's subject. A stack label too long for CloudWatch's 255 characters is cut and made unique by a hash.
 */
export function alarmName(stack: string, subject: string | undefined, condition: string): string {
    const tail = `${subject ? ` ${subject}` : ""}: ${condition}`;
    if (stack.length + tail.length <= ALARM_NAME_MAX_LENGTH) return `${stack}${tail}`;
    const hash = crypto.createHash("sha256").update(stack).digest("hex").slice(0, 8);
    return `${stack.slice(0, ALARM_NAME_MAX_LENGTH - tail.length - hash.length - 1)}~${hash}${tail}`;
}

/**
 * An endpoint has no healthy target: the maximum, over the load balancer's nodes, of `HealthyHostCount` for its
 * target group stays below 1 for 3 consecutive minutes. The metric is reported every minute while health checks run
 * (the endpoint's are always on); each node reports the targets it sees healthy, and with cross-zone load balancing
 * on every node sees every target, so the maximum is below 1 only when no node has a target to send a client to.
 * A missing data point is breaching: a target group nobody health-checks (emptied, or detached from its listener)
 * serves no one either.
 */
export function noHealthyTargetAlarm<D>(stack: string, endpoint: string, loadBalancer: D, targetGroup: D): AlarmDefinition<D> {
    return {
        key: `${endpoint}-no-healthy-target`,
        name: alarmName(stack, endpoint, "no healthy target"),
        description:
            `Endpoint ${endpoint} of ${stack} has had no healthy target for 3 minutes: the load balancer has no database to send ` +
            `clients to, and they fail to connect. Its HealthyHostCount (AWS/NetworkELB) is below 1, or not reported. ` +
            `${RUNBOOK}, "No healthy target".`,
        namespace: "AWS/NetworkELB",
        metricName: "HealthyHostCount",
        // `net/<name>/<id>` and `targetgroup/<name>/<id>`: the ARNs' suffixes (loadBalancerSuffix, targetGroupSuffix).
        dimensions: { LoadBalancer: loadBalancer, TargetGroup: targetGroup },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
    };
}

/**
 * Target sync keeps failing for an RDS endpoint: `SyncFailures` in each of 3 consecutive schedule periods. The
 * function writes it only for a failed sync, so a period without data is one without failure (`notBreaching`); a
 * function that stopped running writes nothing, which the certificates' expiry alarms catch. The period is the
 * schedule's, so that every period holds a scheduled run.
 */
export function syncFailuresAlarm<D>(stack: string, endpoint: string, targetGroup: D, scheduleMinutes: number): AlarmDefinition<D> {
    return {
        key: `${endpoint}-sync-failures`,
        name: alarmName(stack, endpoint, "target sync failing"),
        description:
            `Target sync of endpoint ${endpoint} of ${stack} failed in each of the last 3 runs of its schedule: the target group ` +
            `may not point at the RDS instance's address (after a failover the endpoint is down until it does). ` +
            `${RUNBOOK}, "Target sync failing".`,
        namespace: METRIC_NAMESPACE,
        metricName: "SyncFailures",
        dimensions: { TargetGroup: targetGroup },
        statistic: "Sum",
        period: scheduleMinutes * 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        treatMissingData: "notBreaching",
    };
}

/**
 * An RDS endpoint's target is registered but not served (`Target.NotInUse`: in a zone the load balancer has no
 * subnet in) in 3 consecutive schedule periods. Written only when non-zero, so missing is nothing wrong.
 */
export function unservedTargetsAlarm<D>(stack: string, endpoint: string, targetGroup: D, scheduleMinutes: number): AlarmDefinition<D> {
    return {
        key: `${endpoint}-unserved-targets`,
        name: alarmName(stack, endpoint, "target not served"),
        description:
            `Endpoint ${endpoint} of ${stack} has a registered target the load balancer does not use (Target.NotInUse), in each ` +
            `of the last 3 runs of target sync: the RDS instance runs in an Availability Zone the endpoint has no public subnet in. ` +
            `${RUNBOOK}, "Target not served".`,
        namespace: METRIC_NAMESPACE,
        metricName: "UnservedTargets",
        dimensions: { TargetGroup: targetGroup },
        statistic: "Maximum",
        period: scheduleMinutes * 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        treatMissingData: "notBreaching",
    };
}

/**
 * A certificate has fewer than `days` days left, or its days-to-expiry metric has stopped arriving: the minimum of
 * `DaysToExpiry` over each of 3 consecutive hours is below `days`, a missing hour counting as breaching. The
 * function publishes it on every run, so 3 hours without it mean the function is not running, and nothing would
 * warn of the expiry: that is an alarm too. One hour with a value clears it.
 */
export function certificateExpiryAlarm(stack: string, certificate: string, days: number): AlarmDefinition {
    return {
        key: `${certificate}-certificate-expiry`,
        name: alarmName(stack, certificate, "certificate expiring"),
        description:
            `Certificate ${certificate} of ${stack} expires in less than ${days} days, or its DaysToExpiry metric has not arrived ` +
            `for 3 hours (the stack's upkeep function is not running). Clients that verify it fail once it expires. ` +
            `${RUNBOOK}, "Certificate expiring".`,
        namespace: EXPIRY_METRIC.namespace,
        metricName: EXPIRY_METRIC.name,
        dimensions: { Stack: stack, Certificate: certificate },
        statistic: "Minimum",
        period: 3600,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: "LessThanThreshold",
        threshold: days,
        treatMissingData: "breaching",
    };
}

/**
 * Expired allowlist rules the function could not revoke, in 3 consecutive schedule periods: access that should have
 * ended has not. Written only on a failure, so missing is nothing wrong.
 */
export function expiredRulesAlarm(stack: string, scheduleMinutes: number): AlarmDefinition {
    return {
        key: "expired-rules",
        name: alarmName(stack, undefined, "expired allowlist rules not revoked"),
        description:
            `The upkeep function of ${stack} could not revoke allowlist rules whose expiry has passed, in each of its last 3 ` +
            `scheduled runs: clients whose access has ended can still connect. ${RUNBOOK}, "Expired allowlist rules not revoked".`,
        namespace: REVOCATION_METRIC.namespace,
        metricName: REVOCATION_METRIC.name,
        dimensions: { Stack: stack },
        statistic: "Sum",
        period: scheduleMinutes * 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        treatMissingData: "notBreaching",
    };
}

/** An endpoint the alarms watch. */
export interface AlarmedEndpoint {
    /** The endpoint's name. */
    name: string;
    /** Its load balancer's ARN. */
    loadBalancerArn: pulumi.Input<string>;
    /** Its target group's ARN. */
    targetGroupArn: pulumi.Input<string>;
    /** Whether the upkeep function keeps its target in sync (RDS with target sync). */
    targetSync: boolean;
    /**
     * What must exist before its no-healthy-target alarm, so that the health it watches is reported from the start:
     * the listener that puts its target group in service, and what registers its targets (the listener waits for the
     * program's own; with target sync, the function's deploy-time run). Its other alarms watch metrics the function
     * writes only when something is wrong, and wait for nothing.
     */
    after: pulumi.Resource[];
}

/** Arguments of {@link Alarms}. */
export interface AlarmsArgs {
    /** `<project>/<stack>`, in every alarm's name and the `Stack` dimension of the function's stack-wide metrics. */
    stack: string;
    /** The endpoints. */
    endpoints: AlarmedEndpoint[];
    /** Names of the certificates whose days to expiry the upkeep function publishes. */
    certificates: string[];
    /** Whether the upkeep function revokes expired allowlist rules. */
    expiredRules: boolean;
    /** Minutes between two scheduled runs of the upkeep function. */
    scheduleMinutes: number;
    /**
     * The upkeep function's deploy-time run, which publishes the certificates' first days to expiry: the expiry alarms,
     * for which a missing value is breaching, wait for it. Nothing else of the function is needed by an alarm.
     */
    firstRun?: pulumi.Resource;
    /** An existing SNS topic every alarm notifies. */
    snsTopicArn?: string;
    /** Addresses subscribed to a topic created for the alarms. */
    emails: string[];
    /** A certificate's alarm fires below this many days. */
    certificateExpiryDays: number;
    /** The user's tags. */
    tags: Record<string, string>;
}

/** The alarms' names, per endpoint. */
export interface EndpointAlarmNames {
    noHealthyTarget: string;
    syncFailures?: string;
    unservedTargets?: string;
}

const COMPONENT_TYPE = "db-endpoints:index:Alarms";

/** The stack's alarms and the topic they notify by email. Children are named `<name>-<key>`, `<name>-topic`, `<name>-email-<address>`. */
export class Alarms extends pulumi.ComponentResource {
    /** The topic created for `emails`; undefined without emails. */
    public readonly topicArn: pulumi.Output<string | undefined>;
    /** Every topic the alarms notify: `snsTopicArn`, then the created topic. */
    public readonly actions: pulumi.Output<string[]>;
    /** Per endpoint, its alarms' names. */
    public readonly endpointAlarms: { [endpoint: string]: EndpointAlarmNames };
    /** Per certificate, its expiry alarm's name. */
    public readonly certificateAlarms: { [certificate: string]: string };
    /** The expired-rules alarm's name, with that duty. */
    public readonly expiredRulesAlarm?: string;

    constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPE, name, {}, opts);
        const child = { parent: this };
        // Each alarm also says whose it is, as the endpoint's and the database's resources do: an endpoint's alarms name
        // the endpoint, a certificate's the certificate (in the console, and for the cost estimate's attribution).
        const component = { "db-endpoints:component": "alarms" };
        const tags = stampTags(args.tags, component);

        let topic: aws.sns.Topic | undefined;
        if (args.emails.length > 0) {
            // Not encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and notifications carry
            // alarm names and states only.
            topic = new aws.sns.Topic(`${name}-topic`, { tags }, child);
            for (const email of args.emails) {
                new aws.sns.TopicSubscription(`${name}-email-${email.toLowerCase()}`, { topic: topic.arn, protocol: "email", endpoint: email }, child);
            }
        }
        const actions: pulumi.Input<string>[] = [...(args.snsTopicArn ? [args.snsTopicArn] : []), ...(topic ? [topic.arn] : [])];

        const declare = (d: AlarmDefinition<pulumi.Input<string>>, after: pulumi.Resource[], owner: Record<string, string> = {}) =>
            new aws.cloudwatch.MetricAlarm(
                `${name}-${d.key}`,
                {
                    name: d.name,
                    alarmDescription: d.description,
                    namespace: d.namespace,
                    metricName: d.metricName,
                    dimensions: d.dimensions,
                    statistic: d.statistic,
                    period: d.period,
                    evaluationPeriods: d.evaluationPeriods,
                    datapointsToAlarm: d.datapointsToAlarm,
                    comparisonOperator: d.comparisonOperator,
                    threshold: d.threshold,
                    treatMissingData: d.treatMissingData,
                    actionsEnabled: true,
                    alarmActions: actions,
                    okActions: actions,
                    tags: stampTags(args.tags, { ...component, ...owner }),
                },
                { parent: this, dependsOn: after },
            );

        this.endpointAlarms = {};
        for (const e of args.endpoints) {
            const loadBalancer = pulumi.output(e.loadBalancerArn).apply(loadBalancerSuffix);
            const targetGroup = pulumi.output(e.targetGroupArn).apply(targetGroupSuffix);
            const health = noHealthyTargetAlarm<pulumi.Input<string>>(args.stack, e.name, loadBalancer, targetGroup);
            const endpoint = { "db-endpoints:endpoint": e.name };
            declare(health, e.after, endpoint);
            const names: EndpointAlarmNames = { noHealthyTarget: health.name };
            if (e.targetSync) {
                // Missing data is no failure: nothing needs to exist first.
                const failures = syncFailuresAlarm<pulumi.Input<string>>(args.stack, e.name, targetGroup, args.scheduleMinutes);
                const unserved = unservedTargetsAlarm<pulumi.Input<string>>(args.stack, e.name, targetGroup, args.scheduleMinutes);
                declare(failures, [], endpoint);
                declare(unserved, [], endpoint);
                names.syncFailures = failures.name;
                names.unservedTargets = unserved.name;
            }
            this.endpointAlarms[e.name] = names;
        }

        const afterFirstRun = args.firstRun ? [args.firstRun] : [];
        this.certificateAlarms = {};
        for (const certificate of args.certificates) {
            const d = certificateExpiryAlarm(args.stack, certificate, args.certificateExpiryDays);
            declare(d, afterFirstRun, { "db-endpoints:certificate": certificate });
            this.certificateAlarms[certificate] = d.name;
        }
        if (args.expiredRules) {
            // Written only when a revocation fails: missing data is nothing wrong, so it waits for nothing.
            const d = expiredRulesAlarm(args.stack, args.scheduleMinutes);
            declare(d, []);
            this.expiredRulesAlarm = d.name;
        }

        this.topicArn = topic ? topic.arn : pulumi.output<string | undefined>(undefined);
        this.actions = pulumi.all(actions);
        this.registerOutputs({ topicArn: this.topicArn, actions: this.actions });
    }
}
