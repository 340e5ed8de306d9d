import * as crypto from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    CHANGE_TAG_KEY,
    checkTargets,
    DEFAULT_SCHEDULE,
    EVENT_POLL_SECONDS,
    eventPollProblem,
    FUNCTION_TIMEOUT_SECONDS,
    METRIC_NAMESPACE,
    RDS_EVENT_IDS,
    rdsInstanceArn,
    scheduleProblem,
    SyncTarget,
    TARGETS_FILE,
    targetsFileText,
} from "../lambda/targetSync/settings";
import { patterns, Problems, show } from "../validation";
import { throwIfInvalidArgs } from "./support/argsError";
import { checkedInput, isKnownNow } from "./support/knownNowOrLater";
import { lambdaBundle, LambdaBundleSpec } from "./support/lambdaBundle";
import { stampedTags } from "./support/tags";

/** One RDS-backed target group the function keeps pointed at the instance's current address. */
export interface TargetSyncTarget {
    /** ARN of the IP target group (for a DatabaseEndpoint: its `targetGroupArn` output). */
    targetGroupArn: pulumi.Input<string>;
    /** Identifier of the RDS DB instance behind the target group; its events trigger a sync. */
    rdsInstanceIdentifier: pulumi.Input<string>;
    /** The instance's endpoint hostname (for a DatabaseEndpoint: its `rdsAddress` output), resolved by the function. */
    rdsAddress: pulumi.Input<string>;
    /** Port targets are registered on: the database's port (for a DatabaseEndpoint: its `databasePort` output). */
    port: pulumi.Input<number>;
    /**
     * Addresses the deployment resolved the instance to (for a DatabaseEndpoint: its `targetAddresses`
     * output). When they differ from the last deployment's, `pulumi up` runs the function again.
     */
    deployedAddresses?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Arguments of a {@link TargetSync}. */
export interface TargetSyncArgs {
    /** The target groups to keep in sync, each with its RDS instance. At least one; each target group once. */
    targets: TargetSyncTarget[];
    /**
     * Backstop schedule that reconciles every target group even when no RDS event arrives:
     * `rate(1 minute)` (default) or `rate(N minutes)` with N up to 5.
     */
    schedule?: pulumi.Input<string>;
    /**
     * After an RDS event, how many seconds the function keeps resolving the instance's name waiting for
     * the answer to change (0..60, default 50). It reconciles as soon as the answer differs from the
     * registered targets, so this bounds the wait, not the reaction time.
     */
    eventPollSeconds?: pulumi.Input<number>;
    /** Retention of the function's log group in days (a value CloudWatch Logs accepts). Default 30. */
    logRetentionDays?: pulumi.Input<number>;
    /** Tags added to every AWS resource of the component. */
    tags?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

const COMPONENT_TYPE = "db-endpoints:index:TargetSync";

/** RDS instances per EventBridge rule: keeps each pattern under EventBridge's default 2048-character limit. */
export const INSTANCES_PER_RULE = 10;

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export const FUNCTION_SETTINGS = {
    runtime: aws.lambda.Runtime.NodeJS24dX,
    handler: "index.handler",
    architecture: "arm64",
    memorySize: 256,
    timeout: FUNCTION_TIMEOUT_SECONDS,
} as const;

/** What the function's code is bundled from: infra/lambda/targetSync, for the function's Node.js 24 runtime. */
export const TARGET_SYNC_BUNDLE: LambdaBundleSpec = { entry: "infra/lambda/targetSync/index.ts", target: "node24" };

/**
 * The function's code: infra/lambda/targetSync bundled by esbuild into one CommonJS file for Node.js 24, the AWS
 * SDK v3 ELBv2 client included (so the function runs the SDK version this repository tests, not whatever the
 * Lambda runtime ships in that Region that month). Built once per content and kept in a cache directory
 * (support/lambdaBundle.ts): a program run whose sources, npm packages and esbuild are unchanged reads it back;
 * the same sources give the same bytes, wherever the program runs from.
 */
export async function bundleTargetSyncCode(): Promise<string> {
    return (await lambdaBundle(TARGET_SYNC_BUNDLE)).code;
}

function sha256(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}

/** The EventBridge pattern of one RDS event rule: these instances, these event IDs, nothing else. */
export function rdsEventPattern(instanceArns: string[]): string {
    return JSON.stringify({
        source: ["aws.rds"],
        "detail-type": ["RDS DB Instance Event"],
        resources: [...new Set(instanceArns)].sort(),
        detail: { EventID: RDS_EVENT_IDS.map((e) => e.id) },
    });
}

/** The function role's policy: only the calls it makes, only on this stack's target groups and log group. */
export function targetSyncPolicy(targetGroupArns: string[], logGroupArn: string): string {
    const groups = [...new Set(targetGroupArns)].sort();
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReconcileTargets",
                Effect: "Allow",
                Action: ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"],
                Resource: groups,
            },
            {
                Sid: "MarkLastChange",
                Effect: "Allow",
                Action: "elasticloadbalancing:AddTags",
                Resource: groups,
                Condition: {
                    "ForAllValues:StringEquals": { "aws:TagKeys": [CHANGE_TAG_KEY] },
                    Null: { "aws:TagKeys": "false" },
                },
            },
            {
                // DescribeTargetHealth supports no resource-level permissions (Service Authorization Reference).
                Sid: "ReadTargetHealth",
                Effect: "Allow",
                Action: "elasticloadbalancing:DescribeTargetHealth",
                Resource: "*",
            },
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${logGroupArn}:*`,
            },
        ],
    });
}

interface TargetSyncPlan {
    /** Instance identifiers per RDS event rule. */
    ruleInstances: pulumi.Input<string>[][];
}

/**
 * Checks the args known at declaration (throws `pulumi.InputPropertiesError` naming each bad property) and
 * splits the instances over EventBridge rules. Inputs that are outputs of other resources are checked
 * when they resolve.
 */
/** `schedule`: an EventBridge rate of 1 to 5 minutes. */
function checkSchedule(problems: Problems, path: string, value: unknown): void {
    const problem = scheduleProblem(value);
    if (problem) problems.error(path, problem);
}

/** `eventPollSeconds`. */
function checkEventPoll(problems: Problems, path: string, value: unknown): void {
    const problem = eventPollProblem(value);
    if (problem) problems.error(path, problem);
}

export function planTargetSync(name: string, args: TargetSyncArgs): TargetSyncPlan {
    const problems = new Problems();
    const targets = args.targets as unknown;
    if (pulumi.Output.isInstance(targets)) {
        problems.error("targets", "must be known when the component is declared (it decides how many event rules exist), not an output");
    } else if (!Array.isArray(targets) || targets.length === 0) {
        problems.error("targets", `${show(targets)} is not a non-empty list of targets`);
    } else {
        targets.forEach((t: unknown, i: number) => {
            const at = `targets[${i}]`;
            if (typeof t !== "object" || t === null || Array.isArray(t)) {
                problems.error(at, `${show(t)} is not a target (targetGroupArn, rdsInstanceIdentifier, rdsAddress, port)`);
                return;
            }
            const e = t as Record<string, unknown>;
            for (const key of ["targetGroupArn", "rdsInstanceIdentifier", "rdsAddress", "port"]) {
                if (e[key] === undefined || e[key] === null) problems.error(`${at}.${key}`, "is required");
            }
            if (typeof e.rdsInstanceIdentifier === "string" && !patterns.rdsIdentifier.test(e.rdsInstanceIdentifier)) {
                problems.error(`${at}.rdsInstanceIdentifier`, `${show(e.rdsInstanceIdentifier)} is not an RDS DB instance identifier`);
            }
            if (typeof e.rdsAddress === "string" && !patterns.hostname.test(e.rdsAddress)) {
                problems.error(`${at}.rdsAddress`, `${show(e.rdsAddress)} is not a lower-case DNS name`);
            }
            if (e.port !== undefined && !pulumi.Output.isInstance(e.port)) {
                const p = e.port;
                if (typeof p !== "number" || !Number.isInteger(p) || p < 1 || p > 65535) problems.error(`${at}.port`, `${show(p)} is not a port (1..65535)`);
            }
        });
    }
    if (args.schedule !== undefined && isKnownNow(args.schedule)) checkSchedule(problems, "schedule", args.schedule);
    if (args.eventPollSeconds !== undefined && isKnownNow(args.eventPollSeconds)) checkEventPoll(problems, "eventPollSeconds", args.eventPollSeconds);
    if (args.logRetentionDays !== undefined && !pulumi.Output.isInstance(args.logRetentionDays) && !LOG_RETENTION_DAYS.includes(args.logRetentionDays as number)) {
        problems.error("logRetentionDays", `${show(args.logRetentionDays)} is not a retention CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`);
    }
    throwIfInvalidArgs(problems, "TargetSync", name);

    // One rule per INSTANCES_PER_RULE instances. Known identifiers are de-duplicated first (several endpoints
    // may share an instance); identifiers that are outputs are counted once per target.
    const list = args.targets;
    const known = list.every((t) => typeof t.rdsInstanceIdentifier === "string");
    const instances: pulumi.Input<string>[] = known
        ? [...new Set(list.map((t) => (t.rdsInstanceIdentifier as string).toLowerCase()))].sort()
        : list.map((t) => t.rdsInstanceIdentifier);
    const ruleInstances: pulumi.Input<string>[][] = [];
    for (let i = 0; i < instances.length; i += INSTANCES_PER_RULE) ruleInstances.push(instances.slice(i, i + INSTANCES_PER_RULE));
    return { ruleInstances };
}

/**
 * Keeps RDS-backed endpoints' IP target groups pointed at their instances' current addresses: a Lambda
 * function (outside any VPC, so it always reaches the ELB API and public DNS) run by RDS events for these
 * instances, by a backstop schedule, and once during `pulumi up`, so the groups are correct when the
 * deployment finishes.
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
        const plan = planTargetSync(name, args);
        super(COMPONENT_TYPE, name, {}, opts);
        const child = { parent: this };
        const tags = stampedTags(args.tags, { "db-endpoints:component": "target-sync" });

        // Known values were checked by planTargetSync; outputs are checked by the same rules when they resolve.
        const owner = { component: "TargetSync", name };
        const schedule = pulumi.output(checkedInput(new Problems(), owner, "schedule", args.schedule ?? DEFAULT_SCHEDULE, checkSchedule)!);
        const eventPollSeconds = pulumi.output(
            checkedInput(new Problems(), owner, "eventPollSeconds", args.eventPollSeconds ?? EVENT_POLL_SECONDS.default, checkEventPoll)!,
        );

        // The resolved target list, checked again once every output is known (same rules as the function's).
        const targets = pulumi
            .all(args.targets.map((t) => pulumi.all([t.targetGroupArn, t.rdsInstanceIdentifier, t.rdsAddress, t.port])))
            .apply((rows) => {
                const problems = new Problems();
                const list = checkTargets(
                    problems,
                    "targets",
                    rows.map(([targetGroupArn, rdsInstanceIdentifier, rdsAddress, port]) => ({ targetGroupArn, rdsInstanceIdentifier, rdsAddress, port })),
                );
                if (!problems.ok) {
                    throw new Error(`TargetSync ${name}: ${problems.errors.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
                }
                return list;
            });
        const targetsFile = targets.apply((list: SyncTarget[]) => targetsFileText(list));
        const code = pulumi.output(bundleTargetSyncCode());

        const partition = aws.getPartitionOutput({}, child).partition;
        const region = aws.getRegionOutput({}, child).region;
        const accountId = aws.getCallerIdentityOutput({}, child).accountId;

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays ?? 30, tags }, child);

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `db-endpoints ${name}: keeps RDS endpoints' target groups pointed at their instances`,
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
                    .all([targets, logGroup.arn])
                    .apply(([list, logGroupArn]) => targetSyncPolicy(list.map((t) => t.targetGroupArn), logGroupArn)),
            },
            child,
        );

        const fn = new aws.lambda.Function(
            `${name}-fn`,
            {
                description: `db-endpoints ${name}: registers each RDS endpoint's current address in its target group`,
                role: role.arn,
                runtime: FUNCTION_SETTINGS.runtime,
                handler: FUNCTION_SETTINGS.handler,
                architectures: [FUNCTION_SETTINGS.architecture],
                memorySize: FUNCTION_SETTINGS.memorySize,
                timeout: FUNCTION_SETTINGS.timeout,
                // No vpcConfig, on purpose: outside a VPC the function always reaches the ELB API and public
                // DNS (RDS names resolve to the instance's private address from anywhere).
                code: pulumi.all([code, targetsFile]).apply(
                    ([js, text]) =>
                        new pulumi.asset.AssetArchive({
                            "index.js": new pulumi.asset.StringAsset(js),
                            [TARGETS_FILE]: new pulumi.asset.StringAsset(text),
                        }),
                ),
                environment: {
                    variables: {
                        TARGET_SYNC_STACK: `${pulumi.getProject()}/${pulumi.getStack()}`,
                        EVENT_POLL_SECONDS: eventPollSeconds.apply((v) => String(v)),
                    },
                },
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
                tags,
            },
            { parent: this, dependsOn: [policy, logGroup] },
        );

        // RDS events of these instances, and only these.
        const instanceArn = (id: pulumi.Input<string>) =>
            pulumi.all([partition, region, accountId, id]).apply(([p, r, a, i]) => rdsInstanceArn(p, r, a, i));
        const eventRules = plan.ruleInstances.map((ids, i) => {
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
            new aws.lambda.Permission(
                `${ruleName}-allow`,
                { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
                child,
            );
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
                description: `db-endpoints ${name}: backstop reconciliation of every RDS endpoint's target group`,
                scheduleExpression: schedule,
                tags,
            },
            child,
        );
        new aws.lambda.Permission(
            `${name}-schedule-allow`,
            { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: scheduleRule.arn },
            child,
        );
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

        // Run once during the deployment, so every group is correct when `pulumi up` finishes. The triggers
        // replace (re-run) it when the code, the target list or the addresses the deployment resolved change.
        const deploySync = new aws.lambda.Invocation(
            `${name}-deploy-sync`,
            {
                functionName: fn.name,
                input: JSON.stringify({ action: "sync", trigger: "deploy" }),
                triggers: {
                    code: code.apply(sha256),
                    targets: targetsFile.apply(sha256),
                    deployedAddresses: pulumi
                        .all(args.targets.map((t) => pulumi.output(t.deployedAddresses ?? []).apply((a) => [...a].sort().join(","))))
                        .apply((rows) => rows.join(";")),
                },
            },
            { parent: this, dependsOn: [policy, logGroup] },
        );

        this.functionName = fn.name;
        this.functionArn = fn.arn;
        this.roleArn = role.arn;
        this.logGroupName = logGroup.name;
        this.eventRuleNames = pulumi.all(eventRules.map((r) => r.name));
        this.scheduleRuleName = scheduleRule.name;
        this.schedule = schedule;
        this.metricNamespace = pulumi.output(METRIC_NAMESPACE);
        this.changeTagKey = pulumi.output(CHANGE_TAG_KEY);
        this.deploySyncResult = deploySync.result;
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
