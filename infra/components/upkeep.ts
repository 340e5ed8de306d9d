/**
 * The stack's upkeep function: one Lambda function, outside any VPC, with the duties a stack needs, each given by
 * its args and written into the deployment package (infra/lambda/targetSync/index.ts runs them):
 * - target sync (`targets`): RDS endpoints' target groups follow their instances' addresses, run by the instances'
 *   RDS events, by the schedule, and once during `pulumi up`;
 * - certificate expiry (`certificates`): every run publishes each certificate's days to expiry, which the expiry
 *   alarms watch, so a certificate nobody renews is noticed whether anyone deploys or not;
 * - expired allowlist rules (`expiringRuleSecurityGroupIds`): the schedule revokes the ingress rules of these groups
 *   whose `db-endpoints:expires` tag has passed, so access ends on time without a deployment.
 *
 * `Upkeep` takes any of them; `TargetSync` is the same function with target sync only, for programs that declare it.
 * The role's policy grants each duty only its own calls, on this stack's resources.
 */
import * as crypto from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkSecurityGroupIds, EXPIRES_TAG_KEY, EXPIRING_RULES_FILE, expiringRulesFileText } from "../lambda/targetSync/expiredRules";
import { CERTIFICATE_NAME, certificatesFileText, checkCertificates, CERTIFICATES_FILE, CertificateWatch, EXPIRY_METRIC } from "../lambda/targetSync/expiryWatch";
import {
    CHANGE_TAG_KEY,
    checkTargets,
    DEFAULT_SCHEDULE,
    DEFAULT_SCHEDULE_WITHOUT_TARGETS,
    EVENT_POLL_SECONDS,
    METRIC_NAMESPACE,
    rdsInstanceArn,
    STACK_ENV,
    SyncTarget,
    TARGETS_FILE,
    targetsFileText,
} from "../lambda/targetSync/settings";
import { Problems, show } from "../validation";
import { throwIfInvalidArgs } from "./support/argsError";
import { checkedInput, isKnownNow } from "./support/knownNowOrLater";
import { lookUpOutput, LOOKUPS, shareLookups } from "./support/lookups";
import { stampedTags } from "./support/tags";
import {
    bundleTargetSyncCode,
    checkEventPoll,
    checkLogRetention,
    checkSchedule,
    checkSyncTargets,
    FUNCTION_SETTINGS,
    ownLogsStatement,
    PolicyStatement,
    rdsEventPattern,
    ruleInstances,
    TargetSyncArgs,
    TargetSyncTarget,
    targetSyncStatements,
} from "./targetSync";

/** A certificate whose days to expiry the function publishes, for an alarm to watch. */
export interface WatchedCertificate {
    /**
     * The certificate's name, the `Certificate` dimension of its metric: lower-case letters, digits, dots and hyphens,
     * unique in the stack (DatabaseEndpoints uses `ca-<generation>` and `db-<addresses>-<port>`).
     */
    name: string;
    /** When it expires (RFC 3339, UTC): a CertificateAuthority's or DatabaseCertificate's `validityEndTime` output. */
    expiresAt: pulumi.Input<string>;
}

/** Arguments of an {@link Upkeep}: its duties (at least one) and its settings. */
export interface UpkeepArgs {
    /** Target sync: the RDS-backed target groups to keep pointed at their instances' addresses; each target group once. */
    targets?: TargetSyncTarget[];
    /**
     * Certificate expiry: the certificates whose days to expiry every run publishes (metric `DaysToExpiry`, namespace
     * `DbEndpoints/Certificates`, dimensions `Stack` = `<project>/<stack>` and `Certificate` = the name).
     */
    certificates?: WatchedCertificate[];
    /**
     * Expired allowlist rules: the security groups in which the schedule revokes every ingress rule whose
     * `db-endpoints:expires` tag (an instant, `2027-02-01T00:00:00Z`) has passed, and no other rule. The list must be
     * known when the component is declared; its IDs may be outputs of the groups.
     */
    expiringRuleSecurityGroupIds?: pulumi.Input<string>[];
    /**
     * How often the function runs every duty: `rate(1 minute)` or `rate(N minutes)` with N up to 5. Default
     * `rate(1 minute)` with targets (the backstop for late or lost RDS events), else `rate(5 minutes)`.
     */
    schedule?: pulumi.Input<string>;
    /** Target sync: after an RDS event, how many seconds the function waits for the instance's address to change (0..60, default 50). */
    eventPollSeconds?: pulumi.Input<number>;
    /** Retention of the function's log group in days (a value CloudWatch Logs accepts). Default 30. */
    logRetentionDays?: pulumi.Input<number>;
    /** Tags added to every AWS resource of the component. */
    tags?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

/** What the function does, as the `duties` output names it. */
export const DUTIES = {
    targetSync: "target-sync",
    certificateExpiry: "certificate-expiry",
    expiredRules: "expired-rules",
} as const;

/** The statements of the expired-rules duty: revoke in these security groups only; find their rules. */
export function revocationStatements(securityGroupArns: string[], region: string): PolicyStatement[] {
    return [
        {
            // RevokeSecurityGroupIngress takes the security-group resource type (required) and no rule-level one:
            // the function may revoke rules of these groups only, and its code revokes only the expired ones.
            Sid: "RevokeExpiredRules",
            Effect: "Allow",
            Action: "ec2:RevokeSecurityGroupIngress",
            Resource: [...new Set(securityGroupArns)].sort(),
        },
        {
            // DescribeSecurityGroupRules supports no resource type, only the ec2:Region condition key.
            Sid: "FindExpiringRules",
            Effect: "Allow",
            Action: "ec2:DescribeSecurityGroupRules",
            Resource: "*",
            Condition: { StringEquals: { "ec2:Region": region } },
        },
    ];
}

/** The role policy of an upkeep function: each duty's statements, then its own log group. */
export function upkeepPolicy(p: { targetGroupArns: string[]; securityGroupArns: string[]; region: string; logGroupArn: string }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            ...(p.targetGroupArns.length > 0 ? targetSyncStatements(p.targetGroupArns) : []),
            ...(p.securityGroupArns.length > 0 ? revocationStatements(p.securityGroupArns, p.region) : []),
            ownLogsStatement(p.logGroupArn),
        ],
    });
}

/** A security group's ARN, the resource RevokeSecurityGroupIngress is granted on. */
export function securityGroupArn(partition: string, region: string, accountId: string, id: string): string {
    return `arn:${partition}:ec2:${region}:${accountId}:security-group/${id}`;
}

function sha256(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}

/** The duties and settings the function is declared with, checked. */
interface UpkeepPlan {
    targets: TargetSyncTarget[];
    certificates: WatchedCertificate[];
    securityGroupIds: pulumi.Input<string>[];
    schedule?: pulumi.Input<string>;
    eventPollSeconds?: pulumi.Input<number>;
    logRetentionDays?: pulumi.Input<number>;
    tags?: UpkeepArgs["tags"];
}

/** Checks an Upkeep's args known at declaration; throws `pulumi.InputPropertiesError` naming every bad one. */
export function planUpkeep(name: string, args: UpkeepArgs): UpkeepPlan {
    const problems = new Problems();
    const a = (args ?? {}) as UpkeepArgs;
    checkSyncTargets(problems, "targets", a.targets, false);
    const targets = Array.isArray(a.targets) ? a.targets : [];

    const certificates = (a.certificates as unknown) ?? [];
    if (pulumi.Output.isInstance(certificates) || !Array.isArray(certificates)) {
        problems.error("certificates", `${pulumi.Output.isInstance(certificates) ? "an output" : show(certificates)} is not a list of certificates known when the component is declared`);
    } else {
        const names = new Map<string, number>();
        certificates.forEach((c: unknown, i: number) => {
            const at = `certificates[${i}]`;
            const e = (typeof c === "object" && c !== null ? c : {}) as Record<string, unknown>;
            if (typeof e.name !== "string" || !CERTIFICATE_NAME.test(e.name)) {
                problems.error(`${at}.name`, `${show(e.name)} is not a certificate name (lower-case letters, digits, dots and hyphens)`);
            } else if (names.has(e.name)) {
                problems.error(`${at}.name`, `${show(e.name)} is already certificates[${names.get(e.name)}]`);
            } else {
                names.set(e.name, i);
            }
            if (e.expiresAt === undefined || e.expiresAt === null) problems.error(`${at}.expiresAt`, "is required");
        });
    }

    const groups = (a.expiringRuleSecurityGroupIds as unknown) ?? [];
    if (pulumi.Output.isInstance(groups) || !Array.isArray(groups)) {
        problems.error("expiringRuleSecurityGroupIds", "must be a list known when the component is declared (its IDs may be outputs)");
    } else {
        const known = groups.filter((g) => isKnownNow(g));
        checkSecurityGroupIds(problems, "expiringRuleSecurityGroupIds", known.length === groups.length ? groups : known);
    }

    const safeCertificates = Array.isArray(certificates) ? (certificates as WatchedCertificate[]) : [];
    const safeGroups = Array.isArray(groups) ? (groups as pulumi.Input<string>[]) : [];
    if (targets.length === 0 && safeCertificates.length === 0 && safeGroups.length === 0 && problems.ok) {
        problems.error("", "has no duty: give targets, certificates or expiringRuleSecurityGroupIds");
    }
    if (a.schedule !== undefined && isKnownNow(a.schedule)) checkSchedule(problems, "schedule", a.schedule);
    if (a.eventPollSeconds !== undefined) {
        if (targets.length === 0) problems.error("eventPollSeconds", "applies to target sync only, and there are no targets");
        else if (isKnownNow(a.eventPollSeconds)) checkEventPoll(problems, "eventPollSeconds", a.eventPollSeconds);
    }
    checkLogRetention(problems, "logRetentionDays", a.logRetentionDays);
    throwIfInvalidArgs(problems, "Upkeep", name);
    return {
        targets,
        certificates: safeCertificates,
        securityGroupIds: safeGroups,
        schedule: a.schedule,
        eventPollSeconds: a.eventPollSeconds,
        logRetentionDays: a.logRetentionDays,
        tags: a.tags,
    };
}

/** What {@link declareUpkeep} made. */
interface UpkeepParts {
    fn: aws.lambda.Function;
    role: aws.iam.Role;
    logGroup: aws.cloudwatch.LogGroup;
    scheduleRule: aws.cloudwatch.EventRule;
    eventRules: aws.cloudwatch.EventRule[];
    deployRun?: aws.lambda.Invocation;
    schedule: pulumi.Output<string>;
    duties: string[];
}

/** How the component names itself: in errors, its resources' descriptions and their `db-endpoints:component` tag. */
interface Descriptions {
    component: string;
    fn: string;
    role: string;
    tag: string;
}

/** The duties a plan gives the function. */
function dutiesOf(plan: UpkeepPlan): string[] {
    return [
        ...(plan.targets.length > 0 ? [DUTIES.targetSync] : []),
        ...(plan.certificates.length > 0 ? [DUTIES.certificateExpiry] : []),
        ...(plan.securityGroupIds.length > 0 ? [DUTIES.expiredRules] : []),
    ];
}

/**
 * Declares the function, its role, policy, log group, schedule, RDS event rules and deploy-time run as children of
 * `parent`, all named from `name`. Values that are outputs of other resources are checked when they resolve, with
 * the rules the function applies to its files.
 */
function declareUpkeep(parent: pulumi.ComponentResource, name: string, plan: UpkeepPlan, text: Descriptions): UpkeepParts {
    const child = { parent };
    const tags = stampedTags(plan.tags, { "db-endpoints:component": text.tag });
    const owner = { component: text.component, name };
    const hasTargets = plan.targets.length > 0;
    const hasCertificates = plan.certificates.length > 0;
    const hasGroups = plan.securityGroupIds.length > 0;
    const duties = dutiesOf(plan);

    const schedule = pulumi.output(
        checkedInput(new Problems(), owner, "schedule", plan.schedule ?? (hasTargets ? DEFAULT_SCHEDULE : DEFAULT_SCHEDULE_WITHOUT_TARGETS), checkSchedule)!,
    );
    const failLater = (problems: Problems) => {
        if (!problems.ok) throw new Error(`${text.component} ${name}: ${problems.errors.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    };

    // Each duty's list, checked again once every output is known (the same rules as the function's).
    const targets = pulumi
        .all(plan.targets.map((t) => pulumi.all([t.targetGroupArn, t.rdsInstanceIdentifier, t.rdsAddress, t.port])))
        .apply((rows) => {
            if (rows.length === 0) return [] as SyncTarget[];
            const problems = new Problems();
            const list = checkTargets(
                problems,
                "targets",
                rows.map(([targetGroupArn, rdsInstanceIdentifier, rdsAddress, port]) => ({ targetGroupArn, rdsInstanceIdentifier, rdsAddress, port })),
            );
            failLater(problems);
            return list;
        });
    const certificates = pulumi.all(plan.certificates.map((c) => pulumi.all([c.name, c.expiresAt]))).apply((rows) => {
        const problems = new Problems();
        const list = checkCertificates(problems, "certificates", rows.map(([name, expiresAt]) => ({ name, expiresAt })));
        failLater(problems);
        return list;
    });
    const securityGroupIds = pulumi.all(plan.securityGroupIds).apply((ids) => {
        const problems = new Problems();
        const list = checkSecurityGroupIds(problems, "expiringRuleSecurityGroupIds", ids);
        failLater(problems);
        return list;
    });
    const targetsFile = targets.apply((list: SyncTarget[]) => targetsFileText(list));
    const certificatesFile = certificates.apply((list: CertificateWatch[]) => certificatesFileText(list));
    const code = pulumi.output(bundleTargetSyncCode());

    // The account's coordinates, for the ARNs of RDS instances and security groups.
    const needsArns = hasTargets || hasGroups;
    const partition = needsArns ? lookUpOutput(LOOKUPS.partition, {}, child).partition : pulumi.output("");
    const region = needsArns ? lookUpOutput(LOOKUPS.region, {}, child).region : pulumi.output("");
    const accountId = needsArns ? lookUpOutput(LOOKUPS.callerIdentity, {}, child).accountId : pulumi.output("");

    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: plan.logRetentionDays ?? 30, tags }, child);

    const role = new aws.iam.Role(
        `${name}-role`,
        {
            description: `db-endpoints ${name}: ${text.role}`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            tags,
        },
        child,
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-policy`,
        {
            role: role.id,
            policy: pulumi
                .all([targets, securityGroupIds, logGroup.arn, partition, region, accountId])
                .apply(([list, ids, logGroupArn, p, r, a]) =>
                    upkeepPolicy({
                        targetGroupArns: list.map((t) => t.targetGroupArn),
                        securityGroupArns: ids.map((id) => securityGroupArn(p, r, a, id)),
                        region: r,
                        logGroupArn,
                    }),
                ),
        },
        child,
    );

    const files = pulumi.all([code, targetsFile, certificatesFile, securityGroupIds]).apply(([js, targetsText, certificatesText, ids]) => {
        const assets: Record<string, pulumi.asset.Asset> = { "index.js": new pulumi.asset.StringAsset(js) };
        if (hasTargets) assets[TARGETS_FILE] = new pulumi.asset.StringAsset(targetsText);
        if (hasCertificates) assets[CERTIFICATES_FILE] = new pulumi.asset.StringAsset(certificatesText);
        if (hasGroups) assets[EXPIRING_RULES_FILE] = new pulumi.asset.StringAsset(expiringRulesFileText(ids));
        return new pulumi.asset.AssetArchive(assets);
    });
    const fn = new aws.lambda.Function(
        `${name}-fn`,
        {
            description: `db-endpoints ${name}: ${text.fn}`,
            role: role.arn,
            runtime: FUNCTION_SETTINGS.runtime,
            handler: FUNCTION_SETTINGS.handler,
            architectures: [FUNCTION_SETTINGS.architecture],
            memorySize: FUNCTION_SETTINGS.memorySize,
            timeout: FUNCTION_SETTINGS.timeout,
            // No vpcConfig, on purpose: outside a VPC the function always reaches the AWS APIs and public DNS (RDS
            // names resolve to the instance's private address from anywhere).
            code: files,
            environment: {
                variables: {
                    [STACK_ENV]: `${pulumi.getProject()}/${pulumi.getStack()}`,
                    ...(hasTargets
                        ? {
                              EVENT_POLL_SECONDS: pulumi
                                  .output(checkedInput(new Problems(), owner, "eventPollSeconds", plan.eventPollSeconds ?? EVENT_POLL_SECONDS.default, checkEventPoll)!)
                                  .apply((v) => String(v)),
                          }
                        : {}),
                },
            },
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            tags,
        },
        { parent, dependsOn: [policy, logGroup] },
    );

    // Target sync: RDS events of these instances, and only these.
    const instanceArn = (id: pulumi.Input<string>) => pulumi.all([partition, region, accountId, id]).apply(([p, r, a, i]) => rdsInstanceArn(p, r, a, i));
    const eventRules = (hasTargets ? ruleInstances(plan.targets) : []).map((ids, i) => {
        const ruleName = `${name}-rds-events-${i + 1}`;
        const rule = new aws.cloudwatch.EventRule(
            ruleName,
            {
                description: `db-endpoints ${name}: RDS events after which an instance's address may have changed`,
                eventPattern: pulumi.all(ids.map(instanceArn)).apply(rdsEventPattern),
                tags,
            },
            child,
        );
        new aws.lambda.Permission(`${ruleName}-allow`, { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, child);
        new aws.cloudwatch.EventTarget(
            `${ruleName}-target`,
            {
                rule: rule.name,
                arn: fn.arn,
                // An event older than 10 minutes is superseded by the schedule's runs since.
                retryPolicy: { maximumEventAgeInSeconds: 600, maximumRetryAttempts: 10 },
            },
            child,
        );
        return rule;
    });

    const scheduleRule = new aws.cloudwatch.EventRule(
        `${name}-schedule`,
        {
            description: hasTargets
                ? `db-endpoints ${name}: backstop reconciliation of every RDS endpoint's target group`
                : `db-endpoints ${name}: scheduled run of the function's duties`,
            scheduleExpression: schedule,
            tags,
        },
        child,
    );
    new aws.lambda.Permission(`${name}-schedule-allow`, { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: scheduleRule.arn }, child);
    new aws.cloudwatch.EventTarget(
        `${name}-schedule-target`,
        {
            rule: scheduleRule.name,
            arn: fn.arn,
            // A missed tick is superseded by the next one.
            retryPolicy: { maximumEventAgeInSeconds: 60, maximumRetryAttempts: 0 },
        },
        child,
    );

    // Run once during the deployment: every target group is correct when `pulumi up` finishes, and every watched
    // certificate has its metric before its alarm exists. The triggers replace (re-run) it when the code, a list, or
    // the addresses the deployment resolved change.
    const deployRun =
        hasTargets || hasCertificates
            ? new aws.lambda.Invocation(
                  `${name}-deploy-sync`,
                  {
                      functionName: fn.name,
                      input: JSON.stringify({ action: "sync", trigger: "deploy" }),
                      triggers: {
                          code: code.apply(sha256),
                          ...(hasTargets
                              ? {
                                    targets: targetsFile.apply(sha256),
                                    deployedAddresses: pulumi
                                        .all(plan.targets.map((t) => pulumi.output(t.deployedAddresses ?? []).apply((a) => [...a].sort().join(","))))
                                        .apply((rows) => rows.join(";")),
                                }
                              : {}),
                          ...(hasCertificates ? { certificates: certificatesFile.apply(sha256) } : {}),
                      },
                  },
                  { parent, dependsOn: [policy, logGroup] },
              )
            : undefined;

    return { fn, role, logGroup, scheduleRule, eventRules, deployRun, schedule, duties };
}

/** Each function's deploy-time run, for {@link deployRunOf}. */
const deployRuns = new WeakMap<pulumi.ComponentResource, aws.lambda.Invocation>();

/**
 * The function's run during `pulumi up` (with targets or certificates; undefined otherwise): once it has run, every
 * target group it syncs has its instance's address registered, and every watched certificate has its first days to
 * expiry. What must exist before something that needs those, rather than the whole component (its schedule, event
 * rules and permissions are needed by nothing in the deployment).
 */
export function deployRunOf(component: Upkeep | TargetSync): aws.lambda.Invocation | undefined {
    return deployRuns.get(component);
}

const UPKEEP_TYPE = "db-endpoints:index:Upkeep";
const TARGET_SYNC_TYPE = "db-endpoints:index:TargetSync";

/** What each duty adds to the function's description. */
const DUTY_WORDS: Record<string, string> = {
    [DUTIES.targetSync]: "keeps RDS endpoints' targets on their instances' addresses",
    [DUTIES.certificateExpiry]: "publishes the certificates' days to expiry",
    [DUTIES.expiredRules]: "revokes expired allowlist rules",
};

/**
 * The stack's upkeep function and its duties (at least one): target sync for RDS endpoints, the certificates' days
 * to expiry for their alarms, and the revocation of allowlist rules whose `db-endpoints:expires` tag has passed.
 * A Lambda function outside any VPC, run by its schedule, by RDS events of the targets' instances, and once
 * during `pulumi up` (with targets or certificates). Give the `DatabaseEndpoint`s it syncs `manageRdsTargets: false`.
 */
export class Upkeep extends pulumi.ComponentResource {
    /** Name of the Lambda function. */
    public readonly functionName: pulumi.Output<string>;
    /** ARN of the Lambda function. */
    public readonly functionArn: pulumi.Output<string>;
    /** ARN of the function's IAM role. */
    public readonly roleArn: pulumi.Output<string>;
    /** CloudWatch log group the function writes its JSON log lines and metrics to. */
    public readonly logGroupName: pulumi.Output<string>;
    /** Name of the EventBridge schedule rule. */
    public readonly scheduleRuleName: pulumi.Output<string>;
    /** The schedule expression in effect. */
    public readonly schedule: pulumi.Output<string>;
    /** Names of the EventBridge rules matching the targets' RDS instances' events (empty without targets). */
    public readonly eventRuleNames: pulumi.Output<string[]>;
    /** The function's duties: `target-sync`, `certificate-expiry`, `expired-rules`. */
    public readonly duties: pulumi.Output<string[]>;
    /** CloudWatch namespace of the certificates' `DaysToExpiry` metric (dimensions `Stack`, `Certificate`). */
    public readonly certificateMetricNamespace: pulumi.Output<string>;
    /** Tag key marking a security group rule with the instant it expires. */
    public readonly expiresTagKey: pulumi.Output<string>;

    constructor(name: string, args: UpkeepArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planUpkeep(name, args);
        super(UPKEEP_TYPE, name, {}, opts);
        shareLookups(this, opts?.parent);
        const words = dutiesOf(plan)
            .map((d) => DUTY_WORDS[d])
            .join("; ");
        const parts = declareUpkeep(this, name, plan, { component: "Upkeep", fn: words, role: words, tag: "upkeep" });
        if (parts.deployRun) deployRuns.set(this, parts.deployRun);

        this.functionName = parts.fn.name;
        this.functionArn = parts.fn.arn;
        this.roleArn = parts.role.arn;
        this.logGroupName = parts.logGroup.name;
        this.scheduleRuleName = parts.scheduleRule.name;
        this.schedule = parts.schedule;
        this.eventRuleNames = pulumi.all(parts.eventRules.map((r) => r.name));
        this.duties = pulumi.output(parts.duties);
        this.certificateMetricNamespace = pulumi.output(EXPIRY_METRIC.namespace);
        this.expiresTagKey = pulumi.output(EXPIRES_TAG_KEY);
        this.registerOutputs({
            functionName: this.functionName,
            functionArn: this.functionArn,
            roleArn: this.roleArn,
            logGroupName: this.logGroupName,
            scheduleRuleName: this.scheduleRuleName,
            schedule: this.schedule,
            eventRuleNames: this.eventRuleNames,
            duties: this.duties,
            certificateMetricNamespace: this.certificateMetricNamespace,
            expiresTagKey: this.expiresTagKey,
        });
    }
}

/**
 * Keeps RDS-backed endpoints' IP target groups pointed at their instances' current addresses: the upkeep function
 * with target sync as its only duty (outside any VPC, so it always reaches the ELB API and public DNS), run by RDS
 * events for these instances, by a backstop schedule, and once during `pulumi up`, so the groups are correct when
 * the deployment finishes.
 *
 * Use it with `DatabaseEndpoint`'s `manageRdsTargets: false`: the function then owns the RDS targets and the
 * program never registers or removes them, so a later `pulumi up` cannot undo what the function did.
 */
export class TargetSync extends pulumi.ComponentResource {
    /** Name of the Lambda function. */
    public readonly functionName: pulumi.Output<string>;
    /** ARN of the Lambda function. */
    public readonly functionArn: pulumi.Output<string>;
    /** ARN of the function's IAM role. */
    public readonly roleArn: pulumi.Output<string>;
    /** CloudWatch log group the function writes its JSON log lines and metrics to. */
    public readonly logGroupName: pulumi.Output<string>;
    /** Names of the EventBridge rules matching this component's RDS instances' events. */
    public readonly eventRuleNames: pulumi.Output<string[]>;
    /** Name of the EventBridge schedule rule (the backstop). */
    public readonly scheduleRuleName: pulumi.Output<string>;
    /** The backstop schedule expression in effect. */
    public readonly schedule: pulumi.Output<string>;
    /** CloudWatch namespace of the metrics `TargetChanges`, `SyncFailures`, `UnservedTargets` (dimension `TargetGroup`). */
    public readonly metricNamespace: pulumi.Output<string>;
    /** Tag key the function sets on a target group to the time it last changed its targets. */
    public readonly changeTagKey: pulumi.Output<string>;
    /** What the sync run during the last deployment that ran it did, as the function returned it (JSON). */
    public readonly deploySyncResult: pulumi.Output<string>;

    constructor(name: string, args: TargetSyncArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = new Problems();
        checkSyncTargets(problems, "targets", args?.targets, true);
        if (args?.schedule !== undefined && isKnownNow(args.schedule)) checkSchedule(problems, "schedule", args.schedule);
        if (args?.eventPollSeconds !== undefined && isKnownNow(args.eventPollSeconds)) checkEventPoll(problems, "eventPollSeconds", args.eventPollSeconds);
        checkLogRetention(problems, "logRetentionDays", args?.logRetentionDays);
        throwIfInvalidArgs(problems, "TargetSync", name);
        super(TARGET_SYNC_TYPE, name, {}, opts);
        shareLookups(this, opts?.parent);
        const parts = declareUpkeep(
            this,
            name,
            { ...args, certificates: [], securityGroupIds: [] },
            {
                component: "TargetSync",
                fn: "registers each RDS endpoint's current address in its target group",
                role: "keeps RDS endpoints' target groups pointed at their instances",
                tag: "target-sync",
            },
        );
        deployRuns.set(this, parts.deployRun!);

        this.functionName = parts.fn.name;
        this.functionArn = parts.fn.arn;
        this.roleArn = parts.role.arn;
        this.logGroupName = parts.logGroup.name;
        this.eventRuleNames = pulumi.all(parts.eventRules.map((r) => r.name));
        this.scheduleRuleName = parts.scheduleRule.name;
        this.schedule = parts.schedule;
        this.metricNamespace = pulumi.output(METRIC_NAMESPACE);
        this.changeTagKey = pulumi.output(CHANGE_TAG_KEY);
        this.deploySyncResult = parts.deployRun!.result;
        this.registerOutputs({
            functionName: this.functionName,
            functionArn: this.functionArn,
            roleArn: this.roleArn,
            logGroupName: this.logGroupName,
            eventRuleNames: this.eventRuleNames,
            scheduleRuleName: this.scheduleRuleName,
            schedule: this.schedule,
            metricNamespace: this.metricNamespace,
            changeTagKey: this.changeTagKey,
            deploySyncResult: this.deploySyncResult,
        });
    }
}
