/**
 * The monthly cost of what a run of the stack program registered, through the one estimate (infra/cost/estimate.ts),
 * and its monitoring share: the alarms, the custom metrics they watch, the upkeep function's runs and logs, and the
 * alarms' notifications. Shared by the benchmark and the tests.
 */
import { byCategory, CostCategory, CostEstimate, estimateMonthlyCost } from "../infra/cost/estimate";
import type { StackSpec } from "../infra/model/spec";
import { attribute, costedResources } from "./attribution";
import type { Registration } from "./recorder";

/** The estimate of every resource a run registered, attributed to its endpoints or the stack. */
export function estimateStack(registered: Registration[], spec: StackSpec): CostEstimate {
    return estimateMonthlyCost(costedResources(attribute(registered, spec)), { zones: spec.publicSubnetIds.length });
}

/** What the monitoring is made of, among the estimate's categories. */
export const MONITORING_CATEGORIES: readonly CostCategory[] = ["alarm", "custom metric", "function", "function logs", "notifications"];

/** The monitoring's monthly cost in `estimate`: per category, and their total. */
export function monitoringCost(estimate: CostEstimate): { byCategory: Record<CostCategory, number>; total: number } {
    const totals = byCategory(estimate);
    return { byCategory: totals, total: MONITORING_CATEGORIES.reduce((sum, c) => sum + totals[c], 0) };
}
