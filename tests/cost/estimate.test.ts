/**
 * The monthly cost estimate of a stack's load balancers: the figures from the unit prices, a dedicated endpoint
 * against endpoints sharing a load balancer, and the estimate of a validated stack config.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { estimateMonthlyCost, estimateStackCost, formatMonthly } from "../../infra/cost/estimate";
import { ASSUMED_NLCU_PER_ENDPOINT, PRICES } from "../../infra/cost/prices";
import { parseStackConfig } from "../../infra/program/config";

const cents = (n: number) => Math.round(n * 100) / 100;

describe("the unit prices", () => {
    it("are AWS's us-east-1 prices with the date they were checked", () => {
        assert.deepEqual(
            { ...PRICES },
            {
                region: "us-east-1",
                currency: "USD",
                checkedOn: "2026-12-06",
                networkLoadBalancerHour: 0.0225,
                nlcuHour: 0.006,
                publicIpv4AddressHour: 0.005,
                customMetricMonth: 0.3,
                standardAlarmMonth: 0.1,
                logsIngestedGb: 0.5,
                logsStoredGbMonth: 0.03,
                lambdaRequestsMillion: 0.2,
                lambdaArmGbSecond: 0.0000133334,
                hoursPerMonth: 730,
            },
        );
        assert.equal(ASSUMED_NLCU_PER_ENDPOINT, 0.1);
    });
});

describe("a load balancer's monthly cost", () => {
    it("of a dedicated endpoint in two zones: NLB hours, two public IPv4 addresses, and its assumed NLCUs", () => {
        const estimate = estimateMonthlyCost([{ name: "a", shared: false, endpoints: ["a"] }], 2);
        assert.deepEqual(
            estimate.loadBalancers.map((c) => [c.name, c.publicIpv4Addresses, cents(c.loadBalancer), cents(c.publicIpv4), cents(c.capacityUnits), cents(c.total)]),
            [["a", 2, 16.43, 7.3, 0.44, 24.16]],
        );
        // The fixed part is the $23.7 a dedicated endpoint costs before traffic.
        assert.equal(cents(estimate.loadBalancers[0].loadBalancer + estimate.loadBalancers[0].publicIpv4), 23.73);
        assert.deepEqual(Object.entries(estimate.perEndpoint).map(([n, c]) => [n, cents(c)]), [["a", 24.16]]);
    });

    it("of endpoints sharing one: the fixed part divided among them, the NLCUs each its own", () => {
        const names = Array.from({ length: 10 }, (_, i) => `e${i}`);
        const shared = estimateMonthlyCost([{ name: "shared", shared: true, endpoints: names }], 2);
        assert.equal(cents(shared.total), cents(23.725 + 10 * 0.438));
        assert.deepEqual(new Set(Object.values(shared.perEndpoint).map(cents)), new Set([cents(23.725 / 10 + 0.438)]));
        const dedicated = estimateMonthlyCost(names.map((n) => ({ name: n, shared: false, endpoints: [n] })), 2);
        assert.equal(cents(dedicated.total), cents(10 * (23.725 + 0.438)));
        assert.ok(shared.total < dedicated.total / 8);
    });

    it("counts one public IPv4 address per zone, whether or not they are Elastic IPs", () => {
        assert.equal(estimateMonthlyCost([{ name: "a", shared: false, endpoints: ["a"] }], 3).loadBalancers[0].publicIpv4Addresses, 3);
        assert.equal(cents(estimateMonthlyCost([{ name: "a", shared: false, endpoints: ["a"] }], 3).loadBalancers[0].publicIpv4), 10.95);
    });

    it("formats amounts to the cent", () => {
        assert.equal(formatMonthly(23.725), "$23.73");
        assert.equal(formatMonthly(0.4), "$0.40");
    });
});

describe("the estimate of a stack config", () => {
    it("follows the load balancers the config declares", () => {
        const pg = (name: string, extra: Record<string, unknown> = {}) => ({
            name,
            database: { addresses: ["10.0.3.17"], port: 5432 },
            allowedCidrs: ["203.0.113.0/24"],
            ...extra,
        });
        const { spec } = parseStackConfig({
            vpcId: "vpc-0a1b2c3d4e5f60718",
            publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
            endpoints: [pg("a"), pg("b", { loadBalancer: "shared", port: 5433 }), pg("c", { loadBalancer: "shared", port: 5434 })],
        });
        const estimate = estimateStackCost(spec);
        assert.deepEqual(estimate.loadBalancers.map((c) => [c.name, c.shared, c.endpoints]), [
            ["a", false, ["a"]],
            ["shared", true, ["b", "c"]],
        ]);
        assert.deepEqual(Object.fromEntries(Object.entries(estimate.perEndpoint).map(([n, c]) => [n, cents(c)])), { a: 24.16, b: 12.3, c: 12.3 });
        assert.equal(cents(estimate.total), cents(2 * 23.725 + 3 * 0.438));
    });
});
