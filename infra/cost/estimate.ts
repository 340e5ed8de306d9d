/**
 * What a stack costs a month, from the resources it creates, at the unit prices and assumptions of ./prices.ts.
 * Pure and generic: each resource is priced by its type from its own inputs (a load balancer's hours, public IPv4
 * addresses and assumed NLCUs; a secret; an alarm by its metrics; a function by the schedules that run it, at its
 * memory size and architecture; a log group by what those runs write into it; a topic by its notifications), so a
 * resource added to the program is priced without anything here knowing where it comes from. A type with no
 * price and not known to be free is reported as not estimated, never counted as nothing. The caller says whose
 * cost each resource is (the endpoints that share it, or the stack's); the plan and the benchmark both estimate
 * through here.
 *
 * Not estimated: data transfer out to the internet (it depends on the traffic), the metrics a function writes
 * (custom metrics), Secrets Manager API calls, and free tiers (per account, shared with everything else in it).
 */
import { ASSUMPTIONS, PRICES } from "./prices";

/** A resource to price (a custom resource, not a component): what the program registered, and whose cost it is. */
export interface CostedResource {
    urn: string;
    type: string;
    name: string;
    /** Its inputs as registered; a value not known before deployment is absent or not a number or string. */
    inputs: Record<string, unknown>;
    /** URNs of the resources it depends on (how a schedule finds its function, a log group its writer). */
    dependencies: string[];
    /** The endpoints whose cost it is, shared equally among them; empty: the stack's, shared by all. */
    endpoints: string[];
}

/** What the estimate needs to know of the stack besides its resources. */
export interface CostContext {
    /** The Availability Zones a load balancer is in when its subnet mappings are not known yet: one public subnet each. */
    zones: number;
}

/** One priced item of one resource, a month. */
export interface CostLine {
    urn: string;
    type: string;
    name: string;
    /** What is priced: "NLB hours", "public IPv4 addresses", ... */
    item: string;
    quantity: number;
    /** The quantity's unit: "hours", "address-hours", "NLCU-hours", "secrets", "requests", "GB-seconds", ... */
    unit: string;
    unitPrice: number;
    monthly: number;
    /** Whose cost it is: shared equally among these endpoints; empty: the stack's. */
    endpoints: string[];
    /** Whether the quantity rests on {@link ASSUMPTIONS} (use) rather than on what is created. */
    assumed: boolean;
}

/** A resource the estimate could not price. */
export interface NotEstimated {
    urn: string;
    type: string;
    name: string;
    why: string;
}

/** The monthly estimate of a stack. */
export interface CostEstimate {
    lines: CostLine[];
    /** Per endpoint: its own resources and its share of those it shares with other endpoints. */
    perEndpoint: Record<string, number>;
    /** The resources of the stack as a whole (target sync, the CA, alarms' topic, ...), not any endpoint's. */
    stackWide: number;
    total: number;
    notEstimated: NotEstimated[];
}

/** Resource types that cost nothing by themselves (their cost, if any, is priced on another resource). */
export const FREE_TYPES: Readonly<Record<string, string>> = {
    "aws:ec2/securityGroup:SecurityGroup": "no charge",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
    "aws:lb/targetGroup:TargetGroup": "no charge (the load balancer is priced)",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "no charge",
    "aws:lb/listener:Listener": "no charge (the load balancer is priced)",
    "aws:ec2/eip:Eip": "priced as one of its load balancer's public IPv4 addresses",
    "aws:route53/record:Record": "no charge for an alias record to a load balancer, or for its queries",
    "aws:iam/role:Role": "no charge",
    "aws:iam/rolePolicy:RolePolicy": "no charge",
    "aws:iam/policy:Policy": "no charge",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "no charge",
    "aws:lambda/permission:Permission": "no charge",
    "aws:cloudwatch/eventRule:EventRule": "no charge for AWS service events and schedules on the default event bus",
    "aws:cloudwatch/eventTarget:EventTarget": "no charge (the function it runs is priced)",
    "aws:lambda/invocation:Invocation": "one run per deployment, not a monthly cost",
    "aws:secretsmanager/secretVersion:SecretVersion": "part of its secret's price",
    "aws:sns/topicSubscription:TopicSubscription": "its deliveries are priced on its topic",
    "aws:sns/topicPolicy:TopicPolicy": "no charge",
};

/** Providers whose resources are not AWS resources: nothing AWS bills (kept in the Pulumi state, or inside the database). */
const FREE_PACKAGES: Readonly<Record<string, string>> = {
    tls: "kept in the Pulumi state only",
    random: "kept in the Pulumi state only",
    postgresql: "inside the database",
    mysql: "inside the database",
    pulumi: "a provider, not a resource",
};

const LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer";
const SECRET = "aws:secretsmanager/secret:Secret";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const FUNCTION = "aws:lambda/function:Function";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** How many times a month an EventBridge schedule expression fires: `rate(N unit)`; undefined for what it cannot tell. */
export function runsPerMonth(expression: string): number | undefined {
    const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
    if (!m) return undefined;
    const every = Number(m[1]);
    if (every <= 0) return undefined;
    const minutes = m[2].startsWith("minute") ? every : m[2].startsWith("hour") ? every * 60 : every * 1440;
    return (PRICES.hoursPerMonth * 60) / minutes;
}

interface Runs {
    /** Scheduled runs a month. */
    perMonth: number;
    /** What could not be counted (a schedule that is not a rate, or not known yet). */
    unknown: string[];
}

/** The scheduled runs of each function: the schedules whose targets depend on it. */
function scheduledRuns(resources: CostedResource[]): Map<string, Runs> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const runs = new Map<string, Runs>();
    for (const target of resources.filter((r) => r.type === TARGET)) {
        const rule = target.dependencies.map((d) => byUrn.get(d)).find((r) => r?.type === RULE);
        const fn = target.dependencies.map((d) => byUrn.get(d)).find((r) => r?.type === FUNCTION);
        if (!rule || !fn || rule.inputs.scheduleExpression === undefined) continue;
        const entry = runs.get(fn.urn) ?? { perMonth: 0, unknown: [] };
        const expression = str(rule.inputs.scheduleExpression);
        const n = expression === undefined ? undefined : runsPerMonth(expression);
        if (n === undefined) entry.unknown.push(`${rule.name} (${expression === undefined ? "schedule known at deploy" : expression})`);
        else entry.perMonth += n;
        runs.set(fn.urn, entry);
    }
    return runs;
}

/** The monthly estimate of `resources`: the custom resources of a stack (components cost nothing by themselves). */
export function estimateMonthlyCost(resources: CostedResource[], context: CostContext): CostEstimate {
    const month = PRICES.hoursPerMonth;
    const lines: CostLine[] = [];
    const notEstimated: NotEstimated[] = [];
    const runs = scheduledRuns(resources);
    const line = (r: CostedResource, item: string, quantity: number, unit: string, unitPrice: number, assumed = false) =>
        lines.push({ urn: r.urn, type: r.type, name: r.name, item, quantity, unit, unitPrice, monthly: quantity * unitPrice, endpoints: r.endpoints, assumed });
    const functionRuns = (fn: CostedResource): number => runs.get(fn.urn)?.perMonth ?? 0;

    for (const r of resources) {
        const pkg = r.type.split(":")[0];
        if (FREE_PACKAGES[pkg] !== undefined || FREE_TYPES[r.type] !== undefined) continue;
        switch (r.type) {
            case LOAD_BALANCER: {
                if (r.inputs.loadBalancerType !== undefined && r.inputs.loadBalancerType !== "network") {
                    notEstimated.push({ urn: r.urn, type: r.type, name: r.name, why: `a ${String(r.inputs.loadBalancerType)} load balancer is not priced here` });
                    break;
                }
                const mappings = r.inputs.subnetMappings;
                const zones = Array.isArray(mappings) && mappings.every((m) => m !== null && typeof m === "object") ? mappings.length : context.zones;
                line(r, "NLB hours", month, "hours", PRICES.networkLoadBalancerHour);
                line(r, `${zones} public IPv4 address${zones === 1 ? "" : "es"}`, zones * month, "address-hours", PRICES.publicIpv4AddressHour);
                const endpoints = Math.max(1, r.endpoints.length);
                line(r, `NLCUs (${ASSUMPTIONS.nlcuPerEndpoint} per endpoint)`, ASSUMPTIONS.nlcuPerEndpoint * endpoints * month, "NLCU-hours", PRICES.nlcuHour, true);
                break;
            }
            case SECRET:
                line(r, "secret", 1, "secrets", PRICES.secretMonth);
                break;
            case ALARM: {
                const queries = r.inputs.metricQueries;
                const metrics = Array.isArray(queries) ? Math.max(1, queries.filter((q) => q && typeof q === "object" && "metric" in q).length) : 1;
                const period = num(r.inputs.period);
                const high = period !== undefined && period < 60;
                line(r, `${high ? "high-resolution " : ""}alarm metric${metrics === 1 ? "" : "s"}`, metrics, "alarm metrics", high ? PRICES.highResolutionAlarmMetricMonth : PRICES.alarmMetricMonth);
                break;
            }
            case COMPOSITE_ALARM:
                line(r, "composite alarm", 1, "alarms", PRICES.compositeAlarmMonth);
                break;
            case FUNCTION: {
                const n = functionRuns(r);
                const unknown = runs.get(r.urn)?.unknown ?? [];
                if (n === 0) {
                    notEstimated.push({
                        urn: r.urn,
                        type: r.type,
                        name: r.name,
                        why: unknown.length > 0 ? `its schedules cannot be counted: ${unknown.join(", ")}` : "it runs on events only, whose number is not known",
                    });
                    break;
                }
                const memoryGb = (num(r.inputs.memorySize) ?? 128) / 1024;
                const architecture = Array.isArray(r.inputs.architectures) && r.inputs.architectures[0] === "arm64" ? "arm64" : "x86_64";
                line(r, "scheduled runs (requests)", n, "requests", PRICES.lambdaRequest);
                line(
                    r,
                    `duration (${ASSUMPTIONS.functionRunSeconds} s a run at ${memoryGb * 1024} MB, ${architecture})`,
                    n * ASSUMPTIONS.functionRunSeconds * memoryGb,
                    "GB-seconds",
                    PRICES.lambdaGbSecond[architecture],
                    true,
                );
                break;
            }
            case LOG_GROUP: {
                const writers = resources.filter((w) => w.type === FUNCTION && w.dependencies.includes(r.urn));
                const gb = writers.reduce((sum, w) => sum + functionRuns(w), 0) * (ASSUMPTIONS.functionLogBytesPerRun / 1e9);
                line(r, `log ingestion (${ASSUMPTIONS.functionLogBytesPerRun} bytes a run)`, gb, "GB", PRICES.logIngestionGb, true);
                const retention = num(r.inputs.retentionInDays);
                // Stored: what the retention keeps of a steady month's ingestion (never-expiring logs: one month's, growing).
                const stored = retention !== undefined && retention > 0 ? gb * (retention / (month / 24)) : gb;
                line(r, `log storage (${retention !== undefined && retention > 0 ? `${retention} days kept` : "never expires: grows each month"})`, stored, "GB-months", PRICES.logStorageGbMonth, true);
                break;
            }
            case TOPIC: {
                const notifications = ASSUMPTIONS.notificationsPerTopicMonth;
                line(r, `notifications published (${notifications} a month)`, notifications, "requests", PRICES.snsRequest, true);
                const emails = resources.filter((s) => s.type === SUBSCRIPTION && s.dependencies.includes(r.urn) && /^email(-json)?$/.test(str(s.inputs.protocol) ?? ""));
                if (emails.length > 0) line(r, `email notifications (${emails.length} subscriber${emails.length === 1 ? "" : "s"})`, notifications * emails.length, "notifications", PRICES.snsEmailNotification, true);
                break;
            }
            default:
                notEstimated.push({ urn: r.urn, type: r.type, name: r.name, why: "no unit price for this type" });
        }
    }
    const perEndpoint: Record<string, number> = {};
    let stackWide = 0;
    for (const r of resources) for (const e of r.endpoints) perEndpoint[e] ??= 0;
    for (const l of lines) {
        if (l.endpoints.length === 0) stackWide += l.monthly;
        for (const e of l.endpoints) perEndpoint[e] += l.monthly / l.endpoints.length;
    }
    const total = lines.reduce((sum, l) => sum + l.monthly, 0);
    return { lines, perEndpoint, stackWide, total, notEstimated };
}

/** The lines of `estimate` that are `endpoint`'s, alone or shared: what its figure is made of. */
export function linesOf(estimate: CostEstimate, endpoint: string): CostLine[] {
    return estimate.lines.filter((l) => l.endpoints.includes(endpoint));
}

/** A monthly amount as the plan and the benchmark print it: `$23.73`. */
export function formatMonthly(amount: number): string {
    return `$${amount.toFixed(2)}`;
}
