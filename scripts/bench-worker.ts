/**
 * One benchmark measurement in a fresh process (Pulumi's runtime state is per process):
 *   bench-worker.ts program N            evaluates the stack program for N endpoints
 *   bench-worker.ts sharing N LAYOUT     the same for N endpoints on their own load balancers (dedicated) or one (shared)
 *   bench-worker.ts bare M               registers M plain resources with no components, validation or lookups
 *   bench-worker.ts stack 0 CONFIG-JSON  evaluates the stack program for this config (the stack config's keys, as JSON)
 * Prints one JSON line: { ms, resources, awsResources, loadBalancers, securityGroups, publicIpv4Addresses, monthlyCost,
 * costByCategory } (the cost estimated by infra/cost/estimate.ts from what the program registered, as the offline
 * plan estimates it; 0 for bare).
 */
import * as aws from "@pulumi/aws";
import { byCategory } from "../infra/cost/estimate";
import { PRICES } from "../infra/cost/prices";
import { parseStackConfig } from "../infra/program/config";
import { installMockCloud, settle } from "../testing/mockCloud";
import { estimateStack } from "../testing/stackCost";

export function benchConfig(endpoints: number): Record<string, unknown> {
    return {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
        endpoints: Array.from({ length: endpoints }, (_, i) =>
            i % 2 === 0
                ? { name: `rds-${i}`, database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24", `198.51.100.${i % 250}`, "2001:db8:1234::/48"] }
                : {
                      name: `ec2-${i}`,
                      database: { addresses: [`10.0.${Math.floor(i / 250)}.${i % 250}`], port: 5432, securityGroupId: "sg-0123456789abcdef0" },
                      allowedCidrs: ["203.0.113.0/24", `198.51.100.${i % 250}`, "2001:db8:1234::/48"],
                  },
        ),
    };
}

/**
 * {@link benchConfig} with every endpoint on its own listener port, on its own load balancer (`dedicated`) or on
 * one shared load balancer (`shared`, up to the 50 listeners an NLB can have).
 */
export function sharingConfig(endpoints: number, layout: "dedicated" | "shared"): Record<string, unknown> {
    const config = benchConfig(endpoints);
    return {
        ...config,
        endpoints: (config.endpoints as Record<string, unknown>[]).map((e, i) => ({ ...e, port: 5432 + i, ...(layout === "shared" ? { loadBalancer: "shared" } : {}) })),
    };
}

async function main(): Promise<void> {
    const [mode, countText, extra] = process.argv.slice(2);
    const count = Number(countText);
    const cloud = installMockCloud();
    const { main: program } = await import("../infra/program/main");
    const start = process.hrtime.bigint();
    let config: Record<string, unknown> | undefined;
    if (mode === "program") {
        config = benchConfig(count);
        program(config);
    } else if (mode === "sharing") {
        if (extra !== "dedicated" && extra !== "shared") throw new Error(`unknown layout ${extra}`);
        config = sharingConfig(count, extra);
        program(config);
    } else if (mode === "stack") {
        config = JSON.parse(extra) as Record<string, unknown>;
        program(config);
    } else if (mode === "bare") {
        for (let i = 0; i < count; i++) {
            new aws.ec2.SecurityGroup(`bare-${i}`, { vpcId: "vpc-0a1b2c3d4e5f60718", description: `bare ${i}` });
        }
    } else {
        throw new Error(`unknown mode ${mode}`);
    }
    await settle();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const failures = cloud.asyncErrors.map((e) => e.message);
    if (failures.length > 0) throw new Error(`the program failed: ${failures.join("; ")}`);
    const awsResources = cloud.registered.filter((r) => r.custom && r.type.startsWith("aws:"));
    const spec = config ? parseStackConfig(config).spec : undefined;
    const estimate = spec ? estimateStack(cloud.registered, spec) : undefined;
    const addressHours = estimate?.lines.filter((l) => l.unit === "address-hours").reduce((sum, l) => sum + l.quantity, 0) ?? 0;
    process.stdout.write(
        JSON.stringify({
            ms,
            resources: cloud.registered.length,
            awsResources: awsResources.length,
            loadBalancers: awsResources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer").length,
            securityGroups: awsResources.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup").length,
            publicIpv4Addresses: addressHours / PRICES.hoursPerMonth,
            monthlyCost: estimate?.total ?? 0,
            costByCategory: estimate ? byCategory(estimate) : undefined,
        }) + "\n",
    );
}

if (require.main === module) {
    main().catch((e) => {
        process.stderr.write(`${(e as Error).stack}\n`);
        process.exit(1);
    });
}
