/**
 * The offline plan as one document: the summary per endpoint and load balancer, the resources the program
 * registers (and, for RDS databases, those it declares at deploy once the engine is read), their counts, the
 * monthly cost estimate, the warnings, and the comparison with a base configuration. It is the `--json` output as
 * is (its field names are the stable interface documented in docs/plan.md); the text is rendered from it.
 */
import { plannedIntegrationResources, PlannedResource } from "../../infra/components/databaseIntegrations/planned";
import { CostedResource, CostEstimate, CostLine, estimateMonthlyCost, NotEstimated, orderedLines } from "../../infra/cost/estimate";
import { ASSUMPTIONS, PRICES } from "../../infra/cost/prices";
import { DatabaseEngine } from "../../infra/enums";
import { ownersOf } from "../../infra/integrations/grants";
import type { StackSpec } from "../../infra/model/spec";
import { attribute, Attributed, costedResources } from "../../testing/attribution";
import type { OfflineRun } from "../../testing/offline";
import { UNKNOWN } from "../../testing/recorder";
import type { Comparison } from "./compare";
import { EndpointSummary, LoadBalancerSummary, summarizeEndpoints, summarizeLoadBalancers } from "./summary";
import { describe, displayValue } from "./values";

/** The format of the `--json` output; a change to its fields that breaks a reader changes the number. */
export const PLAN_FORMAT = "db-endpoints-plan/1";

/** A resource as the plan lists it. */
export interface ResourceEntry {
    type: string;
    name: string;
    /** The product's component it is under (`DatabaseEndpoint reporting`, `TargetSync target-sync`, ...). */
    owner: { type: string; name: string } | null;
    /** A custom resource (false: a component). */
    custom: boolean;
    /** `protect`: Pulumi refuses to delete or replace it. */
    protect: boolean;
    /** How a replacement runs, where the program decides it; null otherwise. */
    replacement: string | null;
    /** Hook names bound per lifecycle step. */
    hooks: Record<string, string[]>;
    /** Its inputs: `(computed)` for what AWS or a lookup decides at deploy, `(secret)` for a secret. */
    inputs: Record<string, unknown>;
    /** Its key settings on one line. */
    description: string;
}

/** A resource an RDS database's integrations declare at deploy, once the instance's engine is read. */
export interface DeployTimeEntry extends PlannedResource {
    /** The endpoint whose integrations they are. */
    endpoint: string;
    /** The engines it is declared for (both when the resource is the same whichever the engine). */
    engines: DatabaseEngine[];
}

export interface Counts {
    /** Custom resources registered offline, by provider package (`aws`, `tls`, `random`, `postgresql`, `mysql`). */
    byProvider: Record<string, number>;
    /** Provider resources (a database integration's admin provider). */
    providers: number;
    /** Components, the product's `DatabaseEndpoints` included. */
    components: number;
    /** Per endpoint whose integrations are declared at deploy: how many resources, per engine, and of those AWS resources. */
    deployTime: { endpoint: string; byEngine: Partial<Record<DatabaseEngine, { total: number; aws: number }>> }[];
}

export interface CostSummary {
    currency: string;
    region: string;
    pricesCheckedOn: string;
    assumptions: typeof ASSUMPTIONS;
    perEndpoint: Record<string, number>;
    /** Not any endpoint's: target sync, the alarms' topic, ... */
    stackWide: number;
    total: number;
    lines: CostLine[];
    notEstimated: NotEstimated[];
}

export interface PlanDocument {
    format: typeof PLAN_FORMAT;
    stack: string;
    /** The stack file planned. */
    file: string;
    /** Config keys whose values are encrypted (`secure:`), which the offline plan does not decrypt. */
    secureConfigKeys: string[];
    endpoints: EndpointSummary[];
    loadBalancers: LoadBalancerSummary[];
    resources: ResourceEntry[];
    deployTime: DeployTimeEntry[];
    counts: Counts;
    cost: CostSummary;
    warnings: string[];
    comparison: Comparison | null;
}

/** How a resource is replaced when a change forces a new one, where the program decides it. */
export function replacementOf(a: Attributed): string | null {
    const r = a.r;
    if (r.deleteBeforeReplace) return "deleted before its replacement is created";
    if (r.type === "aws:lb/targetGroup:TargetGroup" && r.replacementTrigger !== undefined) {
        // Offline the trigger is the load balancer's ARN (unknown), or the constant that keeps the group.
        return r.replacementTrigger === UNKNOWN ? "replaced with the load balancer" : "kept when the load balancer is replaced";
    }
    return null;
}

/** The resources RDS databases' integrations declare at deploy, per endpoint, merged over the two engines. */
export function deployTimeResources(spec: StackSpec): DeployTimeEntry[] {
    const entries: DeployTimeEntry[] = [];
    for (const e of spec.endpoints) {
        if (e.database.kind !== "rds" || !e.integrations) continue;
        for (const engine of [DatabaseEngine.Postgres, DatabaseEngine.Mysql]) {
            for (const p of plannedIntegrationResources(e.name, engine, e.integrations, ownersOf(e.database.objectOwners))) {
                const same = entries.find((x) => x.endpoint === e.name && x.type === p.type && x.name === p.name);
                if (same) same.engines.push(engine);
                else entries.push({ ...p, endpoint: e.name, engines: [engine] });
            }
        }
    }
    return entries;
}

function countsOf(attributed: Attributed[], deployTime: DeployTimeEntry[]): Counts {
    const byProvider: Record<string, number> = {};
    let providers = 0;
    let components = 0;
    for (const { r } of attributed) {
        if (!r.custom) components++;
        else if (r.type.startsWith("pulumi:providers:")) providers++;
        else byProvider[r.type.split(":")[0]] = (byProvider[r.type.split(":")[0]] ?? 0) + 1;
    }
    const endpoints = [...new Set(deployTime.map((d) => d.endpoint))];
    return {
        byProvider,
        providers,
        components,
        deployTime: endpoints.map((endpoint) => {
            const byEngine: Counts["deployTime"][number]["byEngine"] = {};
            for (const engine of [DatabaseEngine.Postgres, DatabaseEngine.Mysql]) {
                const list = deployTime.filter((d) => d.endpoint === endpoint && d.engines.includes(engine));
                byEngine[engine] = { total: list.length, aws: list.filter((d) => d.type.startsWith("aws:")).length };
            }
            return { endpoint, byEngine };
        }),
    };
}

/** The cost of a run: what it registers, and the AWS resources its RDS integrations declare at deploy (their secrets). */
export function estimateRun(run: OfflineRun, attributed: Attributed[], deployTime: DeployTimeEntry[]): CostEstimate {
    const resources: CostedResource[] = costedResources(attributed);
    for (const d of deployTime) {
        // Declared whichever the engine: the credentials secrets (the rest is inside the database).
        if (!d.type.startsWith("aws:") || d.engines.length < 2) continue;
        resources.push({ urn: `(declared at deploy)::${d.type}::${d.name}`, type: d.type, name: d.name, inputs: {}, dependencies: [], endpoints: [d.endpoint] });
    }
    return estimateMonthlyCost(resources, { zones: run.spec.publicSubnetIds.length });
}

/** An amount of money as the document holds it: to a hundredth of a cent, so that it reads and compares cleanly. */
export function money(amount: number): number {
    return Math.round(amount * 10_000) / 10_000;
}

/** Builds the plan of one run (and its comparison, when there is a base). */
export function buildPlan(stack: string, file: string, secureConfigKeys: string[], run: OfflineRun, comparison: Comparison | null): PlanDocument {
    const attributed = attribute(run.registered, run.spec);
    const deployTime = deployTimeResources(run.spec);
    // In an order that does not depend on the order of registration, which varies from run to run.
    const estimated = estimateRun(run, attributed, deployTime);
    const estimate = { ...estimated, lines: orderedLines(estimated.lines) };
    const resources: ResourceEntry[] = attributed
        .filter((a) => a.owner !== undefined)
        .map((a) => ({
            type: a.r.type,
            name: a.r.name,
            owner: a.owner && a.owner !== a.r ? { type: a.owner.type, name: a.owner.name } : null,
            custom: a.r.custom,
            protect: a.r.protect,
            replacement: replacementOf(a),
            hooks: a.r.hooks,
            inputs: displayValue(a.r.inputs) as Record<string, unknown>,
            description: a.r.custom ? describe(a.r) : "",
        }));
    const endpoints = summarizeEndpoints(stack, run.spec, estimate).map((e) => ({
        ...e,
        loadBalancer: { ...e.loadBalancer, monthlyCost: money(e.loadBalancer.monthlyCost) },
        monthlyCost: { total: money(e.monthlyCost.total), items: e.monthlyCost.items.map((i) => ({ ...i, monthly: money(i.monthly) })) },
    }));
    return {
        format: PLAN_FORMAT,
        stack,
        file,
        secureConfigKeys,
        endpoints,
        loadBalancers: summarizeLoadBalancers(run.spec, estimate).map((lb) => ({ ...lb, monthlyCost: money(lb.monthlyCost) })),
        resources,
        deployTime,
        counts: countsOf(attributed, deployTime),
        cost: {
            currency: PRICES.currency,
            region: PRICES.region,
            pricesCheckedOn: PRICES.checkedOn,
            assumptions: ASSUMPTIONS,
            perEndpoint: Object.fromEntries(Object.entries(estimate.perEndpoint).map(([k, v]) => [k, money(v)])),
            stackWide: money(estimate.stackWide),
            total: money(estimate.total),
            lines: estimate.lines.map((l) => ({ ...l, quantity: Math.round(l.quantity * 1e6) / 1e6, monthly: money(l.monthly) })),
            notEstimated: estimate.notEstimated,
        },
        warnings: run.warnings,
        comparison,
    };
}
