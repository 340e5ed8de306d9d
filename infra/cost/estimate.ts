/**
 * What the load balancers of a stack cost a month, from the validated model (which load balancers exist, their
 * endpoints, and the public subnets, one public IPv4 address each per load balancer), at the unit prices of
 * ./prices.ts: NLB hours, public IPv4 addresses, and NLCUs at an assumed light use. Pure, so that the plan, the
 * benchmark and later comparisons all estimate the same way. Not included: data transfer, and what the stack
 * runs besides its load balancers (Secrets Manager secrets; its monitoring is ./monitoring.ts).
 */
import type { StackSpec } from "../model/spec";
import { ASSUMED_NLCU_PER_ENDPOINT, PRICES } from "./prices";

/** A load balancer for the estimate: its name, whether it is shared, and its endpoints. */
export interface CostedLoadBalancer {
    name: string;
    shared: boolean;
    endpoints: string[];
}

/** One load balancer's monthly cost, in the prices' currency. */
export interface LoadBalancerCost extends CostedLoadBalancer {
    /** Its public IPv4 addresses: one per public subnet. */
    publicIpv4Addresses: number;
    /** NLB hours. */
    loadBalancer: number;
    /** Its public IPv4 addresses (Elastic IPs or not). */
    publicIpv4: number;
    /** NLCUs at the assumed use of its endpoints. */
    capacityUnits: number;
    total: number;
}

/** The monthly estimate of a stack's load balancers. */
export interface CostEstimate {
    loadBalancers: LoadBalancerCost[];
    /** Per endpoint: its share of its load balancer's fixed cost (NLB hours, addresses) and its own assumed NLCUs. */
    perEndpoint: Record<string, number>;
    total: number;
}

/** The monthly cost of `loadBalancers`, each in `zones` Availability Zones (one public subnet, one public IPv4 address each). */
export function estimateMonthlyCost(loadBalancers: CostedLoadBalancer[], zones: number, nlcuPerEndpoint = ASSUMED_NLCU_PER_ENDPOINT): CostEstimate {
    const month = PRICES.hoursPerMonth;
    const perEndpoint: Record<string, number> = {};
    const costs = loadBalancers.map((lb): LoadBalancerCost => {
        const loadBalancer = PRICES.networkLoadBalancerHour * month;
        const publicIpv4 = PRICES.publicIpv4AddressHour * zones * month;
        const capacityUnits = PRICES.nlcuHour * nlcuPerEndpoint * lb.endpoints.length * month;
        for (const e of lb.endpoints) {
            perEndpoint[e] = (loadBalancer + publicIpv4) / lb.endpoints.length + PRICES.nlcuHour * nlcuPerEndpoint * month;
        }
        return { ...lb, publicIpv4Addresses: zones, loadBalancer, publicIpv4, capacityUnits, total: loadBalancer + publicIpv4 + capacityUnits };
    });
    return { loadBalancers: costs, perEndpoint, total: costs.reduce((sum, c) => sum + c.total, 0) };
}

/** {@link estimateMonthlyCost} of a validated stack. */
export function estimateStackCost(spec: Pick<StackSpec, "loadBalancers" | "publicSubnetIds">): CostEstimate {
    return estimateMonthlyCost(
        spec.loadBalancers.map((lb) => ({ name: lb.name, shared: lb.shared, endpoints: lb.endpoints })),
        spec.publicSubnetIds.length,
    );
}

/** A monthly amount as the plan and the benchmark print it: `$23.73`. */
export function formatMonthly(amount: number): string {
    return `$${amount.toFixed(2)}`;
}
