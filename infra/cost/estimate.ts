/**
 * What a stack costs a month, from the resources it creates, at the unit prices and assumptions of ./prices.ts.
 * Pure and generic: each resource is priced by its type from its own inputs and the resources it is linked to, so a
 * resource added to the program is priced without anything here knowing where it comes from:
 * - a load balancer by its hours, public IPv4 addresses and assumed NLCUs; a secret by the month;
 * - an alarm by its metrics and resolution, and the custom metrics it watches (a namespace not AWS's): how its alarm
 *   treats missing data says how such a metric is written. `breaching` means it is expected every period, so it
 *   receives data all month; otherwise its absence is the normal state (it is written only when something is wrong),
 *   priced at {@link ASSUMPTIONS}' hours of incident. A metric a function publishes every run is also a record in
 *   that function's log each run: the function whose resources the alarm waits for;
 * - a function by the runs of the schedules that target it, at its memory size and architecture;
 * - a log group by what its writers deliver: a function's runs (its lines and metric records), and flow logs, each
 *   of one network interface of a load balancer, as vended logs: the internet's scans of the interface's address,
 *   the health checks each interface makes of the targets of the endpoints the log group serves (from their target
 *   groups' settings), and the endpoints' assumed client traffic; stored as long as its retention keeps it;
 * - a topic by its assumed notifications and its email subscribers' deliveries.
 * A type with no price and not known to be free is reported as not estimated, never counted as nothing. The caller
 * says whose cost each resource is (the endpoints that share it, or the stack's); the plan and the benchmark both
 * estimate through here.
 *
 * Not estimated: data transfer out to the internet (it depends on the traffic), Logs Insights queries (per GB a query
 * scans, when someone runs one), Secrets Manager and CloudWatch API calls, and free tiers (per account, shared with
 * everything else in it). GB are 10^9 bytes; logs are stored as ingested (CloudWatch bills stored logs compressed,
 * so storage is an upper bound).
 */
import { ASSUMPTIONS, PRICES } from "./prices";
import { MYSQL_HEALTH_CHECKS, POSTGRES_HEALTH_CHECKS } from "../model/healthChecks";

/** A resource to price (a custom resource, not a component): what the program registered, and whose cost it is. */
export interface CostedResource {
    urn: string;
    type: string;
    name: string;
    /** Its inputs as registered; a value not known before deployment is null (or anything but a number or string). */
    inputs: Record<string, unknown>;
    /** URNs of the resources it depends on (how a schedule finds its function, a log group its writers). */
    dependencies: string[];
    /** The endpoints whose cost it is, shared equally among them; empty: the stack's, shared by all. */
    endpoints: string[];
}

/** What the estimate needs to know of the stack besides its resources. */
export interface CostContext {
    /** The Availability Zones a load balancer is in when its subnet mappings are not known yet: one public subnet each. */
    zones: number;
}

/** What a line pays for, across resource types: how the benchmark and a reader group the lines, in this order. */
export const COST_CATEGORIES = ["load balancer", "flow logs", "secret", "alarm", "custom metric", "function", "function logs", "notifications"] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

/** One priced item of one resource, a month. */
export interface CostLine {
    urn: string;
    type: string;
    name: string;
    category: CostCategory;
    /** What is priced: "NLB hours", "public IPv4 addresses", ... */
    item: string;
    quantity: number;
    /** The quantity's unit: "hours", "address-hours", "NLCU-hours", "secrets", "requests", "GB-seconds", "metric-months", ... */
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
    /** The resources of the stack as a whole (the upkeep function, the CA's alarm, the alarms' topic, ...), not any endpoint's. */
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
    "aws:cloudwatch/queryDefinition:QueryDefinition": "no charge for a saved query; running it is priced per GB it scans, when someone does",
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
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";
const ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment";
const INVOCATION = "aws:lambda/invocation:Invocation";

/** Seconds between a target group's health checks when it does not say (AWS's default for a TCP health check). */
const DEFAULT_HEALTH_CHECK_INTERVAL = 30;
const SHORTEST_HEALTH_CHECK_INTERVAL = Math.min(POSTGRES_HEALTH_CHECKS.intervalSeconds, MYSQL_HEALTH_CHECKS.intervalSeconds);

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const record = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

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
function scheduledRuns(resources: CostedResource[], byUrn: Map<string, CostedResource>): Map<string, Runs> {
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

/** A metric an alarm watches. */
interface WatchedMetric {
    namespace: unknown;
    metricName: unknown;
    dimensions: unknown;
}

/** The metrics an alarm watches: its own, or those of its metric queries. */
function watchedMetrics(alarm: CostedResource): WatchedMetric[] {
    const queries = alarm.inputs.metricQueries;
    if (Array.isArray(queries)) {
        return queries
            .map((q) => record(record(q)?.metric))
            .filter((m): m is Record<string, unknown> => m !== undefined)
            .map((m) => ({ namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions }));
    }
    return [{ namespace: alarm.inputs.namespace, metricName: alarm.inputs.metricName, dimensions: alarm.inputs.dimensions }];
}

/** Whether a flow log records one network interface: it names no subnet, VPC or transit gateway (its interface may be known at deploy only). */
function ofOneInterface(flowLog: CostedResource): boolean {
    return ["subnetId", "vpcId", "transitGatewayId", "transitGatewayAttachmentId"].every((k) => flowLog.inputs[k] === undefined);
}

/** A custom metric's identity when every part of it is known; undefined when a part is known only at deploy. */
function metricKey(m: WatchedMetric): string | undefined {
    const dimensions = m.dimensions === undefined ? {} : record(m.dimensions);
    if (typeof m.namespace !== "string" || typeof m.metricName !== "string" || !dimensions) return undefined;
    if (!Object.values(dimensions).every((v) => typeof v === "string")) return undefined;
    return JSON.stringify([m.namespace, m.metricName, Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b))]);
}

/** The custom metrics a stack's alarms watch, each once, with the alarm that carries its price. */
interface CustomMetric {
    alarm: CostedResource;
    name: string;
    namespace: string;
    /** Written every period (its alarm treats missing data as breaching), or only when something is wrong. */
    allMonth: boolean;
}

function customMetrics(resources: CostedResource[]): { metrics: CustomMetric[]; unknown: CostedResource[] } {
    const metrics: CustomMetric[] = [];
    const unknown: CostedResource[] = [];
    const seen = new Set<string>();
    for (const alarm of resources.filter((r) => r.type === ALARM)) {
        for (const m of watchedMetrics(alarm)) {
            if (typeof m.namespace !== "string") {
                unknown.push(alarm);
                continue;
            }
            if (m.namespace.startsWith("AWS/")) continue;
            const key = metricKey(m);
            if (key !== undefined) {
                if (seen.has(key)) continue;
                seen.add(key);
            }
            metrics.push({ alarm, name: str(m.metricName) ?? "(a metric)", namespace: m.namespace, allMonth: alarm.inputs.treatMissingData === "breaching" });
        }
    }
    return { metrics, unknown };
}

/** The monthly estimate of `resources`: the custom resources of a stack (components cost nothing by themselves). */
export function estimateMonthlyCost(resources: CostedResource[], context: CostContext): CostEstimate {
    const month = PRICES.hoursPerMonth;
    const minutes = month * 60;
    const lines: CostLine[] = [];
    const notEstimated: NotEstimated[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const runs = scheduledRuns(resources, byUrn);
    const { metrics, unknown: unknownMetrics } = customMetrics(resources);
    const line = (r: CostedResource, category: CostCategory, item: string, quantity: number, unit: string, unitPrice: number, assumed = false) =>
        lines.push({ urn: r.urn, type: r.type, name: r.name, category, item, quantity, unit, unitPrice, monthly: quantity * unitPrice, endpoints: r.endpoints, assumed });
    const skip = (r: CostedResource, why: string) => notEstimated.push({ urn: r.urn, type: r.type, name: r.name, why });
    const functionRuns = (fn: CostedResource): number => runs.get(fn.urn)?.perMonth ?? 0;
    /** Whether `r` waits for `fn`: depends on it, or on a run of it (an invocation). */
    const waitsFor = (r: CostedResource, fn: CostedResource): boolean =>
        r.dependencies.some((d) => d === fn.urn || (byUrn.get(d)?.type === INVOCATION && byUrn.get(d)!.dependencies.includes(fn.urn)));
    /** The metrics a function publishes on every run: those of the all-month metrics whose alarms wait for it (or its run). */
    const everyRunMetrics = (fn: CostedResource): number => metrics.filter((m) => m.allMonth && waitsFor(m.alarm, fn)).length;
    /** Log stored in a steady month: what the retention keeps of a month's ingestion (never-expiring logs: one month's, growing). */
    const storage = (r: CostedResource, category: CostCategory, gb: number) => {
        const retention = num(r.inputs.retentionInDays);
        const kept = retention !== undefined && retention > 0;
        line(r, category, `log storage (${kept ? `${retention} days kept` : "never expires: grows each month"})`, kept ? gb * (retention / (month / 24)) : gb, "GB-months", PRICES.logStorageGbMonth, true);
    };

    for (const r of resources) {
        const pkg = r.type.split(":")[0];
        if (FREE_PACKAGES[pkg] !== undefined || FREE_TYPES[r.type] !== undefined) continue;
        switch (r.type) {
            case LOAD_BALANCER: {
                if (typeof r.inputs.loadBalancerType === "string" && r.inputs.loadBalancerType !== "network") {
                    skip(r, `a ${String(r.inputs.loadBalancerType)} load balancer is not priced here`);
                    break;
                }
                const mappings = r.inputs.subnetMappings;
                const zones = Array.isArray(mappings) && mappings.every((m) => m !== null && typeof m === "object") ? mappings.length : context.zones;
                line(r, "load balancer", "NLB hours", month, "hours", PRICES.networkLoadBalancerHour);
                line(r, "load balancer", `${zones} public IPv4 address${zones === 1 ? "" : "es"}`, zones * month, "address-hours", PRICES.publicIpv4AddressHour);
                const endpoints = Math.max(1, r.endpoints.length);
                line(r, "load balancer", `NLCUs (${ASSUMPTIONS.nlcuPerEndpoint} per endpoint)`, ASSUMPTIONS.nlcuPerEndpoint * endpoints * month, "NLCU-hours", PRICES.nlcuHour, true);
                break;
            }
            case SECRET:
                line(r, "secret", "secret", 1, "secrets", PRICES.secretMonth);
                break;
            case ALARM: {
                const queries = r.inputs.metricQueries;
                const count = Array.isArray(queries) ? Math.max(1, queries.filter((q) => q && typeof q === "object" && "metric" in q).length) : 1;
                const period = num(r.inputs.period);
                const high = period !== undefined && period < 60;
                line(r, "alarm", `${high ? "high-resolution " : ""}alarm metric${count === 1 ? "" : "s"}`, count, "alarm metrics", high ? PRICES.highResolutionAlarmMetricMonth : PRICES.alarmMetricMonth);
                for (const m of metrics.filter((x) => x.alarm === r)) {
                    if (m.allMonth) {
                        line(r, "custom metric", `${m.name} metric, written every period`, 1, "metric-months", PRICES.customMetricMonth);
                    } else {
                        const hours = ASSUMPTIONS.incidentMetricHoursPerMonth;
                        line(r, "custom metric", `${m.name} metric, written only on trouble (${plural(hours, "hour")} a month)`, hours / month, "metric-months", PRICES.customMetricMonth, true);
                    }
                }
                if (unknownMetrics.includes(r)) skip(r, "the namespace of a metric it watches is known at deploy only: whether it is a custom metric is not known");
                break;
            }
            case COMPOSITE_ALARM:
                line(r, "alarm", "composite alarm", 1, "alarms", PRICES.compositeAlarmMonth);
                break;
            case FUNCTION: {
                const n = functionRuns(r);
                const unknown = runs.get(r.urn)?.unknown ?? [];
                if (n === 0) {
                    skip(r, unknown.length > 0 ? `its schedules cannot be counted: ${unknown.join(", ")}` : "it runs on events only, whose number is not known");
                    break;
                }
                const memoryGb = (num(r.inputs.memorySize) ?? 128) / 1024;
                const architecture = Array.isArray(r.inputs.architectures) && r.inputs.architectures[0] === "arm64" ? "arm64" : "x86_64";
                line(r, "function", "scheduled runs (requests)", n, "requests", PRICES.lambdaRequest);
                line(
                    r,
                    "function",
                    `duration (${ASSUMPTIONS.functionRunSeconds} s a run at ${memoryGb * 1024} MB, ${architecture})`,
                    n * ASSUMPTIONS.functionRunSeconds * memoryGb,
                    "GB-seconds",
                    PRICES.lambdaGbSecond[architecture],
                    true,
                );
                break;
            }
            case FLOW_LOG: {
                const destination = str(r.inputs.logDestinationType) ?? "cloud-watch-logs";
                if (destination !== "cloud-watch-logs") skip(r, `flow logs delivered to ${destination} are not priced here`);
                else if (!ofOneInterface(r)) skip(r, "a flow log of a subnet, VPC or transit gateway: the traffic it records is not known");
                // Else its records are priced on the log group it delivers to.
                break;
            }
            case LOG_GROUP: {
                const writers = resources.filter((w) => w.dependencies.includes(r.urn));
                const functions = writers.filter((w) => w.type === FUNCTION);
                const flowLogs = writers.filter((w) => w.type === FLOW_LOG && (str(w.inputs.logDestinationType) ?? "cloud-watch-logs") === "cloud-watch-logs" && ofOneInterface(w));
                if (functions.length === 0 && flowLogs.length === 0) {
                    skip(r, "nothing in the stack writes to it: what it receives is not known");
                    break;
                }
                if (functions.length > 0) {
                    const bytes = functions.reduce((sum, fn) => sum + functionRuns(fn) * (ASSUMPTIONS.functionLogBytesPerRun + everyRunMetrics(fn) * ASSUMPTIONS.metricRecordBytes), 0);
                    const records = functions.reduce((sum, fn) => sum + everyRunMetrics(fn), 0);
                    const perRun = `${ASSUMPTIONS.functionLogBytesPerRun} bytes a run${records > 0 ? `, and ${plural(records, "metric record")} of ${ASSUMPTIONS.metricRecordBytes} bytes` : ""}`;
                    const gb = bytes / 1e9;
                    line(r, "function logs", `log ingestion (${perRun})`, gb, "GB", PRICES.logIngestionGb, true);
                    storage(r, "function logs", gb);
                }
                if (flowLogs.length > 0) {
                    const perMinute = flowLogRecordsPerMinute(r, flowLogs.length, resources);
                    const gb = (perMinute.total * minutes * ASSUMPTIONS.flowLogRecordBytes) / 1e9;
                    line(r, "flow logs", `flow-log ingestion (${perMinute.text})`, gb, "GB", PRICES.vendedLogIngestionGb, true);
                    storage(r, "flow logs", gb);
                }
                break;
            }
            case TOPIC: {
                const notifications = ASSUMPTIONS.notificationsPerTopicMonth;
                line(r, "notifications", `notifications published (${notifications} a month)`, notifications, "requests", PRICES.snsRequest, true);
                const emails = resources.filter((s) => s.type === SUBSCRIPTION && s.dependencies.includes(r.urn) && /^email(-json)?$/.test(str(s.inputs.protocol) ?? ""));
                if (emails.length > 0) {
                    line(r, "notifications", `email notifications (${plural(emails.length, "subscriber")})`, notifications * emails.length, "notifications", PRICES.snsEmailNotification, true);
                }
                break;
            }
            default:
                skip(r, "no unit price for this type");
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

/**
 * The flow-log records a minute delivered to a log group by `interfaces` flow logs, each of one network interface of
 * the load balancer of the log group's endpoints: the scans of each interface's public address, each interface's
 * health checks of every target of those endpoints' target groups (a new connection each, so a record each way), and
 * each endpoint's client traffic.
 */
function flowLogRecordsPerMinute(logGroup: CostedResource, interfaces: number, resources: CostedResource[]): { total: number; text: string } {
    const endpoints = Math.max(1, logGroup.endpoints.length);
    const groups = resources.filter(
        (g) => g.type === TARGET_GROUP && g.endpoints.length > 0 && (logGroup.endpoints.length === 0 || g.endpoints.every((e) => logGroup.endpoints.includes(e))),
    );
    let checks = 0;
    for (const g of groups) {
        const healthCheck = record(g.inputs.healthCheck);
        if (healthCheck?.enabled === false) continue;
        // Known only at deploy (an RDS instance's engine sets it): the shortest interval the product sets, an upper bound.
        const interval = healthCheck?.interval === null ? SHORTEST_HEALTH_CHECK_INTERVAL : (num(healthCheck?.interval) ?? DEFAULT_HEALTH_CHECK_INTERVAL);
        const attached = resources.filter((a) => a.type === ATTACHMENT && a.dependencies.includes(g.urn)).length;
        checks += (60 / interval) * (attached > 0 ? attached : ASSUMPTIONS.targetsPerUnattachedGroup);
    }
    const scans = interfaces * ASSUMPTIONS.flowLogScanRecordsPerInterfaceMinute;
    const healthChecks = interfaces * checks * 2;
    const traffic = endpoints * ASSUMPTIONS.flowLogTrafficRecordsPerEndpointMinute;
    const total = scans + healthChecks + traffic;
    return {
        total,
        text: `${total} records a minute: ${scans} of scans, ${healthChecks} of health checks, ${traffic} of client traffic`,
    };
}

/** The lines of `estimate` that are `endpoint`'s, alone or shared: what its figure is made of. */
export function linesOf(estimate: CostEstimate, endpoint: string): CostLine[] {
    return estimate.lines.filter((l) => l.endpoints.includes(endpoint));
}

/** The estimate's monthly amounts by category, in {@link COST_CATEGORIES}' order (zero where nothing is priced). */
export function byCategory(estimate: CostEstimate): Record<CostCategory, number> {
    const totals = Object.fromEntries(COST_CATEGORIES.map((c) => [c, 0])) as Record<CostCategory, number>;
    for (const l of estimate.lines) totals[l.category] += l.monthly;
    return totals;
}

/** `lines` by category, then by resource name (each resource's own lines in the order priced): an order that does not depend on registration's. */
export function orderedLines(lines: CostLine[]): CostLine[] {
    const rank = (l: CostLine) => COST_CATEGORIES.indexOf(l.category);
    return [...lines].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A monthly amount as the plan and the benchmark print it: `$23.73`. */
export function formatMonthly(amount: number): string {
    return `$${amount.toFixed(2)}`;
}
