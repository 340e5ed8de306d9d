/**
 * What a stack's monitoring costs a month (`benchMonitoring()`, called by `npm run bench`; also runnable alone:
 * `node --import tsx scripts/bench-monitoring.ts`): the alarms, the custom metrics they watch, the upkeep function's
 * runs and logs, and the alarms' email notifications, through the one estimate (infra/cost/estimate.ts) of what the
 * stack program registers for each stack config (run in a fresh process under the mock runtime, as the offline plan
 * runs it), beside what target sync's three metrics per RDS endpoint would cost if written on every run. Figures only.
 */
import * as path from "node:path";
import { CostCategory, formatMonthly } from "../infra/cost/estimate";
import { PRICES } from "../infra/cost/prices";
import { parseStackConfig } from "../infra/program/config";
import { MONITORING_CATEGORIES } from "../testing/stackCost";
import { runWorker } from "./bench-support";

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];

/** A stack of `rds` RDS endpoints and `selfManaged` self-managed ones, with `extra` settings. */
function stack(rds: number, selfManaged: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        vpcId: VPC,
        publicSubnetIds: SUBNETS,
        endpoints: [
            // The mock account has one RDS instance; each endpoint is its own, with its own alarms and target group.
            ...Array.from({ length: rds }, (_, i) => ({ name: `rds-${i}`, database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] })),
            ...Array.from({ length: selfManaged }, (_, i) => ({
                name: `self-${i}`,
                database: { addresses: [`10.0.3.${10 + i}`], port: 5432 },
                allowedCidrs: ["203.0.113.0/24"],
            })),
        ],
        alarms: { emails: ["oncall@example.com"] },
        ...extra,
    };
}

/** The stacks the benchmark prices, by label. */
export const MONITORING_STACKS: [string, Record<string, unknown>][] = [
    ["1 RDS endpoint", stack(1, 0)],
    ["10 RDS endpoints", stack(10, 0)],
    ["50 RDS endpoints", stack(50, 0)],
    ["1 self-managed endpoint", stack(0, 1)],
    ["10 self-managed endpoints", stack(0, 10)],
    ["1 RDS endpoint, alarms off", stack(1, 0, { alarms: { enabled: false } })],
];

/** The estimate's totals by category for what the program registers for `config`, from a fresh process. */
function costByCategory(config: Record<string, unknown>): Record<CostCategory, number> {
    return runWorker<{ costByCategory: Record<CostCategory, number> }>("bench-worker stack", path.join(__dirname, "bench-worker.ts"), ["stack", "0", JSON.stringify(config)])
        .costByCategory;
}

export function benchMonitoring(stacks = MONITORING_STACKS): string {
    const rows = [
        `Monthly, at ${PRICES.region} prices of ${PRICES.checkedOn}, without the account's free tier, through infra/cost/estimate.ts of every resource the ` +
            "program registers (every stack has the CA; the alarms notify one email address).",
        "",
        "| stack | alarms | custom metrics | function runs | function logs | notifications | total | before: sync metrics written every run |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ];
    for (const [label, config] of stacks) {
        const cost = costByCategory(config);
        const total = MONITORING_CATEGORIES.reduce((sum, c) => sum + cost[c], 0);
        const spec = parseStackConfig(config).spec;
        // TargetChanges, SyncFailures and UnservedTargets per synced RDS endpoint, zeros included: three metrics all month.
        const synced = spec.targetSync.enabled ? spec.endpoints.filter((e) => e.database.kind === "rds").length : 0;
        rows.push(
            `| ${label} | ${formatMonthly(cost.alarm)} | ${formatMonthly(cost["custom metric"])} | ${formatMonthly(cost.function)} | ` +
                `${formatMonthly(cost["function logs"])} | ${formatMonthly(cost.notifications)} | ${formatMonthly(total)} | ${formatMonthly(synced * 3 * PRICES.customMetricMonth)} |`,
        );
    }
    return rows.join("\n");
}

if (require.main === module) {
    process.stdout.write(benchMonitoring() + "\n");
}
