/**
 * What a stack's monitoring costs a month (`benchMonitoring()`, called by `npm run bench`; also runnable alone:
 * `node --import tsx scripts/bench-monitoring.ts`): alarms, the always-written `DaysToExpiry` metrics, and the
 * upkeep function's runs and logs, from infra/cost/monitoring.ts for stack configs read as `pulumi up` reads them,
 * beside what target sync's three always-written metrics per RDS endpoint cost before. Figures only.
 */
import { alwaysWrittenSyncMetricsCost, monitoringCounts, monitoringMonthlyCost } from "../infra/cost/monitoring";
import { formatMonthly } from "../infra/cost/estimate";
import { PRICES } from "../infra/cost/prices";
import { parseStackConfig } from "../infra/program/config";

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];

/** A stack of `rds` RDS endpoints and `selfManaged` self-managed ones, with `extra` settings. */
function stack(rds: number, selfManaged: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        vpcId: VPC,
        publicSubnetIds: SUBNETS,
        endpoints: [
            ...Array.from({ length: rds }, (_, i) => ({ name: `rds-${i}`, database: { rdsInstanceIdentifier: `db-${i}` }, allowedCidrs: ["203.0.113.0/24"] })),
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

const STACKS: [string, Record<string, unknown>][] = [
    ["1 RDS endpoint", stack(1, 0)],
    ["10 RDS endpoints", stack(10, 0)],
    ["50 RDS endpoints", stack(50, 0)],
    ["1 self-managed endpoint", stack(0, 1)],
    ["10 self-managed endpoints", stack(0, 10)],
    ["1 RDS endpoint, alarms off", stack(1, 0, { alarms: { enabled: false } })],
];

export function benchMonitoring(): string {
    const rows = [
        `Monthly, at ${PRICES.region} prices of ${PRICES.checkedOn}, without the account's free tier (infra/cost/monitoring.ts; every stack has the CA).`,
        "",
        "| stack | alarms | DaysToExpiry metrics | function runs | function logs | total | before: sync metrics written every run |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ];
    for (const [label, config] of STACKS) {
        const counts = monitoringCounts(parseStackConfig(config).spec);
        const cost = monitoringMonthlyCost(counts);
        rows.push(
            `| ${label} | ${formatMonthly(cost.alarms)} | ${formatMonthly(cost.metrics)} | ${formatMonthly(cost.functionRuns)} | ` +
                `${formatMonthly(cost.logs)} | ${formatMonthly(cost.total)} | ${formatMonthly(alwaysWrittenSyncMetricsCost(counts.rdsEndpointsWithTargetSync))} |`,
        );
    }
    return rows.join("\n");
}

if (require.main === module) {
    process.stdout.write(benchMonitoring() + "\n");
}
