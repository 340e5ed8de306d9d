/**
 * Target sync, the upkeep function's first duty (infra/components/upkeep.ts declares the function): its arguments,
 * their checks, the RDS event rules' patterns, the IAM statements it needs, and the function's code, bundled.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CHANGE_TAG_KEY, eventPollProblem, FUNCTION_TIMEOUT_SECONDS, RDS_EVENT_IDS, scheduleProblem } from "../lambda/targetSync/settings";
import { patterns, Problems, show } from "../validation";
import { readRetentionDays } from "../model/endpoint";
import { lambdaBundle, LambdaBundleSpec } from "./support/lambdaBundle";

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

/** RDS instances per EventBridge rule: keeps each pattern under EventBridge's default 2048-character limit. */
export const INSTANCES_PER_RULE = 10;

export const FUNCTION_SETTINGS = {
    runtime: aws.lambda.Runtime.NodeJS24dX,
    handler: "index.handler",
    architecture: "arm64",
    memorySize: 256,
    timeout: FUNCTION_TIMEOUT_SECONDS,
} as const;

/**
 * What the function's code is bundled from: infra/lambda/targetSync, for the function's Node.js 24 runtime. The
 * revocation duty's EC2 client is left out: it is the Lambda runtime's, loaded by the runs that revoke (index.ts).
 */
export const TARGET_SYNC_BUNDLE: LambdaBundleSpec = { entry: "infra/lambda/targetSync/index.ts", target: "node24", external: ["@aws-sdk/client-ec2"] };

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

/** The EventBridge pattern of one RDS event rule: these instances, these event IDs, nothing else. */
export function rdsEventPattern(instanceArns: string[]): string {
    return JSON.stringify({
        source: ["aws.rds"],
        "detail-type": ["RDS DB Instance Event"],
        resources: [...new Set(instanceArns)].sort(),
        detail: { EventID: RDS_EVENT_IDS.map((e) => e.id) },
    });
}

/** An IAM policy statement. */
export interface PolicyStatement {
    Sid: string;
    Effect: "Allow";
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

/** Target sync's statements: only the calls it makes, only on this stack's target groups. */
export function targetSyncStatements(targetGroupArns: string[]): PolicyStatement[] {
    const groups = [...new Set(targetGroupArns)].sort();
    return [
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
    ];
}

/** The statement every duty shares: writing the function's own log group (the metrics are EMF log lines). */
export function ownLogsStatement(logGroupArn: string): PolicyStatement {
    return { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` };
}

/** The role policy of a function that only keeps target groups in sync: its calls, on this stack's target groups and log group. */
export function targetSyncPolicy(targetGroupArns: string[], logGroupArn: string): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [...targetSyncStatements(targetGroupArns), ownLogsStatement(logGroupArn)] });
}

/** `schedule`: an EventBridge rate of 1 to 5 minutes. */
export function checkSchedule(problems: Problems, path: string, value: unknown): void {
    const problem = scheduleProblem(value);
    if (problem) problems.error(path, problem);
}

/** `eventPollSeconds`. */
export function checkEventPoll(problems: Problems, path: string, value: unknown): void {
    const problem = eventPollProblem(value);
    if (problem) problems.error(path, problem);
}

/** `logRetentionDays`, when known: the rule of every log retention in the product. */
export function checkLogRetention(problems: Problems, path: string, value: unknown): void {
    if (!pulumi.Output.isInstance(value)) readRetentionDays(problems, path, value);
}

/**
 * Checks the target list as known at declaration (`path`: where it is in the args), reporting each problem; known
 * values of outputs are checked when they resolve, by the function's own rules. `required`: an empty list is an error.
 */
export function checkSyncTargets(problems: Problems, path: string, targets: unknown, required: boolean): void {
    if (pulumi.Output.isInstance(targets)) {
        problems.error(path, "must be known when the component is declared (it decides how many event rules exist), not an output");
        return;
    }
    if (targets === undefined && !required) return;
    if (!Array.isArray(targets) || (required && targets.length === 0)) {
        problems.error(path, `${show(targets)} is not a non-empty list of targets`);
        return;
    }
    targets.forEach((t: unknown, i: number) => {
        const at = `${path}[${i}]`;
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

/**
 * The RDS instances of each EventBridge rule, {@link INSTANCES_PER_RULE} per rule. Known identifiers are
 * de-duplicated first (several endpoints may share an instance); identifiers that are outputs are counted once per target.
 */
export function ruleInstances(targets: TargetSyncTarget[]): pulumi.Input<string>[][] {
    const known = targets.every((t) => typeof t.rdsInstanceIdentifier === "string");
    const instances: pulumi.Input<string>[] = known
        ? [...new Set(targets.map((t) => (t.rdsInstanceIdentifier as string).toLowerCase()))].sort()
        : targets.map((t) => t.rdsInstanceIdentifier);
    const rules: pulumi.Input<string>[][] = [];
    for (let i = 0; i < instances.length; i += INSTANCES_PER_RULE) rules.push(instances.slice(i, i + INSTANCES_PER_RULE));
    return rules;
}
