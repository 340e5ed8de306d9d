/**
 * How long each step of a first `pulumi up` takes, for the deploy-time model (testing/deployModel.ts): per resource
 * type the create, per hook its run, and the wait for a new target's health checks. Each figure is a range, `low`
 * (AWS fast) to `high` (AWS slow), with where it comes from. AWS documents few latencies: where it does, the figure
 * is AWS's; where the provider waits on something, its wait is cited (terraform-provider-aws, which @pulumi/aws
 * wraps); where neither says anything, the figure is marked "assumed" with the reason. A create that is one or two
 * API calls with no wait is taken as 1–2 s or so: API round trips of a few hundred milliseconds, with the
 * provider's read after the create.
 *
 * Not modelled: the program's lookups before the first registration (a few seconds, once), the engine's own
 * per-step overhead, API throttling (the provider retries throttled calls with backoff; see docs/ci.md for why the
 * chosen parallelism stays far below the ELB and EC2 rates), and a database restart for a pending change (a first
 * deployment of an instance with a pending CA change adds its restart, minutes, to the restart hook).
 */
import { HealthCheckTiming, secondsToHealthy } from "../infra/model/healthChecks";

/** A duration range in seconds, and its source. */
export interface Duration {
    low: number;
    high: number;
    source: string;
}

const ONE_CALL = "assumed: one or two API calls and the provider's read, no wait";
/** A resource the TLS provider computes on the deployer's machine. */
const COMPUTED_LOCALLY = "computed by the provider on the deployer's machine, no API call";
/** A database user or grant, made through the admin connection. */
const ONE_STATEMENT = "assumed: a login through the endpoint (TCP, TLS, authentication) and a statement";
/** A database provider: its configuration only. */
const PROVIDER_CONFIGURATION = "a provider's configuration, no API call (it connects when a resource needs it)";

/** Per resource type: how long its create takes. Component resources take no time (a registration of no work). */
export const CREATE_SECONDS: Readonly<Record<string, Duration>> = {
    "aws:lb/loadBalancer:LoadBalancer": {
        low: 120,
        high: 300,
        source:
            "AWS documents the states, not their duration (ELB User Guide, Network Load Balancers, 'Load balancer state': provisioning, then active); " +
            "the provider's create waits for active (terraform-provider-aws elbv2 load_balancer.go, waitLoadBalancerActive: first look after 30 s, " +
            "then at least every 10 s, 10-minute timeout); 2–5 minutes per NLB is what this project's deployments took",
    },
    "aws:lb/targetGroup:TargetGroup": { low: 1, high: 3, source: `${ONE_CALL} (CreateTargetGroup, ModifyTargetGroupAttributes)` },
    "aws:lb/listener:Listener": { low: 1, high: 3, source: `${ONE_CALL} (CreateListener)` },
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": {
        low: 1,
        high: 2,
        source: "RegisterTargets, not waiting for the target's health (terraform-provider-aws elbv2 target_group_attachment.go)",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        low: 2,
        high: 5,
        source: "assumed: CreateSecurityGroup, the provider's wait until it can be read, and the revocation of the default egress rule",
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { low: 1, high: 2, source: `${ONE_CALL} (AuthorizeSecurityGroupIngress)` },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { low: 1, high: 2, source: `${ONE_CALL} (AuthorizeSecurityGroupEgress)` },
    "aws:ec2/eip:Eip": { low: 1, high: 2, source: `${ONE_CALL} (AllocateAddress)` },
    "aws:ec2/flowLog:FlowLog": { low: 1, high: 3, source: `${ONE_CALL} (CreateFlowLogs; delivery starts later and is not waited for)` },
    "aws:cloudwatch/logGroup:LogGroup": { low: 1, high: 2, source: `${ONE_CALL} (CreateLogGroup, PutRetentionPolicy)` },
    "aws:cloudwatch/queryDefinition:QueryDefinition": { low: 1, high: 2, source: `${ONE_CALL} (PutQueryDefinition)` },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { low: 1, high: 2, source: `${ONE_CALL} (PutMetricAlarm)` },
    "aws:cloudwatch/eventRule:EventRule": { low: 1, high: 2, source: `${ONE_CALL} (PutRule)` },
    "aws:cloudwatch/eventTarget:EventTarget": { low: 1, high: 2, source: `${ONE_CALL} (PutTargets)` },
    "aws:iam/role:Role": {
        low: 1,
        high: 3,
        source: `${ONE_CALL} (CreateRole; IAM is eventually consistent, which the function's create and deploy-time run absorb by retrying)`,
    },
    "aws:iam/rolePolicy:RolePolicy": { low: 1, high: 2, source: `${ONE_CALL} (PutRolePolicy)` },
    "aws:lambda/function:Function": {
        low: 5,
        high: 20,
        source:
            "assumed: a function is Pending while Lambda provisions its VPC or EFS resources (Lambda Developer Guide, 'Lambda function states'), " +
            "of which this one has none; the provider waits for Active and retries the create while the new role cannot yet be assumed",
    },
    "aws:lambda/permission:Permission": { low: 1, high: 2, source: `${ONE_CALL} (AddPermission)` },
    "aws:lambda/invocation:Invocation": {
        low: 3,
        high: 30,
        source:
            "assumed: the deploy-time run, invoked synchronously: a cold start (about a second, docs/target-sync.md), a few ELB and CloudWatch calls, " +
            "and retries of access-denied answers while the new role's policy propagates (at most 2 minutes: infra/lambda/targetSync/retry.ts)",
    },
    "aws:route53/record:Record": {
        low: 30,
        high: 75,
        source:
            "Route 53 API Reference, ChangeResourceRecordSets: changes generally reach all Route 53 name servers (INSYNC) within 60 s; the provider waits " +
            "for INSYNC, first asking after a random 10–30 s, then every 15 s (terraform-provider-aws route53 wait.go, waitChangeInsync)",
    },
    "aws:sns/topic:Topic": { low: 1, high: 2, source: `${ONE_CALL} (CreateTopic)` },
    "aws:sns/topicSubscription:TopicSubscription": { low: 1, high: 2, source: `${ONE_CALL} (Subscribe; an email subscription's confirmation is not waited for)` },
    "aws:secretsmanager/secret:Secret": { low: 1, high: 2, source: `${ONE_CALL} (CreateSecret)` },
    "aws:secretsmanager/secretVersion:SecretVersion": { low: 1, high: 2, source: `${ONE_CALL} (PutSecretValue)` },
    "tls:index/privateKey:PrivateKey": { low: 0, high: 1, source: COMPUTED_LOCALLY },
    "tls:index/selfSignedCert:SelfSignedCert": { low: 0, high: 1, source: COMPUTED_LOCALLY },
    "tls:index/certRequest:CertRequest": { low: 0, high: 1, source: COMPUTED_LOCALLY },
    "tls:index/locallySignedCert:LocallySignedCert": { low: 0, high: 1, source: COMPUTED_LOCALLY },
    "random:index/randomPassword:RandomPassword": { low: 0, high: 0, source: "computed by the provider, no API call" },
    "random:index/randomBytes:RandomBytes": { low: 0, high: 0, source: "computed by the provider, no API call" },
    "pulumi:providers:postgresql": { low: 0, high: 0, source: PROVIDER_CONFIGURATION },
    "pulumi:providers:mysql": { low: 0, high: 0, source: PROVIDER_CONFIGURATION },
    "postgresql:index/role:Role": { low: 1, high: 3, source: ONE_STATEMENT },
    "postgresql:index/grant:Grant": { low: 1, high: 3, source: ONE_STATEMENT },
    "postgresql:index/defaultPrivileges:DefaultPrivileges": { low: 1, high: 3, source: ONE_STATEMENT },
    "mysql:index/user:User": { low: 1, high: 3, source: ONE_STATEMENT },
    "mysql:index/grant:Grant": { low: 1, high: 3, source: ONE_STATEMENT },
};

/** Per hook, by how its name ends: how long its `afterCreate` run takes (inside its resource's step). */
export const HOOK_SECONDS: Readonly<Record<string, Duration>> = {
    "-rds-reboot": {
        low: 1,
        high: 5,
        source:
            "the RDS restart hook on a new endpoint whose instance has nothing pending (the usual first deployment): DescribeDBInstances and, " +
            "for a group pending reboot, DescribeDBParameters (infra/hooks/rdsReboot.ts); a pending change it applies adds the instance's restart",
    },
    "-restart-needed": {
        low: 0,
        high: 0,
        source: "without instances to restart on, the hook only logs that the database must load its new certificate (infra/hooks/ssmRestart.ts)",
    },
    "-restart": {
        low: 5,
        high: 30,
        source:
            "assumed: SSM SendCommand, the agent's run of the reload (PostgreSQL and MySQL reload TLS online) or restart, and the hook's polls every 5 s " +
            "(infra/hooks/ssmRestart.ts)",
    },
};

/**
 * From a new NLB target's registration to its first health check. AWS: "It can take a few minutes for the
 * registration process to complete and health checks to start" (ELB User Guide, Network Load Balancers, "Register
 * targets" and "Health checks for Network Load Balancer target groups"); AWS gives no lower figure and no bound.
 * Best and typical are assumed ("tens of seconds", as this project has seen); worst takes "a few minutes" as three.
 */
export const NLB_TARGET_REGISTRATION = {
    best: 20,
    typical: 60,
    worst: 180,
    source:
        "ELB User Guide, 'Register targets for your Network Load Balancer': it can take a few minutes for the registration process to complete " +
        "and health checks to start (no lower figure, no bound: best and typical assumed, worst taken as 3 minutes)",
} as const;

/**
 * `pulumi up`'s wait, before it creates an integration's users through the endpoint, for the endpoint's target to
 * be healthy (infra/targetHealth.ts): the registration, then `healthyThreshold` checks `interval` apart. A wait in
 * the program, not a step of the engine: it holds no worker.
 */
export function targetHealthWait(timing: HealthCheckTiming): Duration {
    return {
        low: NLB_TARGET_REGISTRATION.best + secondsToHealthy(timing),
        high: NLB_TARGET_REGISTRATION.worst + secondsToHealthy(timing),
        source: `target registration (${NLB_TARGET_REGISTRATION.best}–${NLB_TARGET_REGISTRATION.worst} s, ${NLB_TARGET_REGISTRATION.source}) + healthyThreshold × interval`,
    };
}

/** The create duration of a resource type; components take none. Throws for a type the table does not know. */
export function createSeconds(type: string, custom: boolean): Duration {
    if (!custom) return { low: 0, high: 0, source: "a component resource: a registration of no work" };
    const d = CREATE_SECONDS[type];
    if (!d) throw new Error(`the deploy-time model has no create duration for ${type}: add it to testing/deployDurations.ts with its source`);
    return d;
}

/** The duration of an `afterCreate` hook, by its name. Throws for a hook the table does not know. */
export function hookSeconds(hook: string): Duration {
    const key = Object.keys(HOOK_SECONDS).find((suffix) => hook.endsWith(suffix));
    if (!key) throw new Error(`the deploy-time model has no duration for hook ${hook}: add it to testing/deployDurations.ts with its source`);
    return HOOK_SECONDS[key];
}
