/**
 * One benchmark measurement in a fresh process (Pulumi's runtime state is per process):
 *   bench-worker.ts program N            evaluates the stack program for N endpoints
 *   bench-worker.ts lookups N            the same with an integration per RDS endpoint through the instance's admin secret
 *   bench-worker.ts sharing N LAYOUT     the same for N endpoints on their own load balancers (dedicated) or one (shared)
 *   bench-worker.ts program N FILE       the same, then writes what it registered (type, name, inputs) to FILE
 *   bench-worker.ts flat 0 FILE          registers what FILE lists, flat: each resource of its type with the inputs the
 *                                        program gave it, as plain values, each component empty; no nesting, outputs,
 *                                        lookups or validation
 *   bench-worker.ts bare M               registers M plain resources with no components, validation or lookups
 *   bench-worker.ts stack 0 CONFIG-JSON  evaluates the stack program for this config (the stack config's keys, as JSON)
 * Prints one JSON line: { ms, cpuMs, bundleMs, resources, awsResources, loadBalancers, securityGroups,
 * publicIpv4Addresses, monthlyCost, costByCategory, invokes, questions, outside } — the wall and CPU time from the
 * first registration to the last settled one; how long esbuild took to bundle the target-sync function in that time
 * (0 when nothing bundled); the cost estimated by infra/cost/estimate.ts from what the program registered, as the
 * offline plan estimates it (0 for bare); the invokes (lookups through the provider) by token, the number of
 * distinct questions among them (token, provider and arguments), and the lookups made outside Pulumi (DNS, AWS SDK
 * reads) by kind.
 */
import * as dns from "node:dns";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeDBParametersCommand, DescribeOptionGroupsCommand } from "@aws-sdk/client-rds";
import * as fs from "node:fs";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { canonicalJson } from "../infra/components/support/lookups";
import { byCategory } from "../infra/cost/estimate";
import { PRICES } from "../infra/cost/prices";
import { parseStackConfig } from "../infra/program/config";
import { installMockCloud, settle } from "../testing/mockCloud";
import { SECRET_SIG } from "../testing/recorder";
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

/** The RDS-managed admin secret of the mock account's instance prod-postgres (testing/mockCloud.ts). */
export const ADMIN_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf";

/**
 * {@link benchConfig} with every RDS endpoint creating one integration user through the instance's admin secret:
 * every lookup the program can make, on the same two public subnets, one RDS instance (its subnet group in two
 * more subnets) and one secret, whatever the number of endpoints.
 */
export function lookupConfig(endpoints: number): Record<string, unknown> {
    const config = benchConfig(endpoints);
    return {
        ...config,
        endpoints: (config.endpoints as Record<string, any>[]).map((e, i) =>
            e.database.rdsInstanceIdentifier
                ? {
                      ...e,
                      database: { ...e.database, adminSecretArn: ADMIN_SECRET, adminSslRootCert: "global-bundle.pem" },
                      integrations: [{ name: `app${i}`, access: "read", schemas: ["public"] }],
                  }
                : e,
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
    const dnsQuestions = countDnsLookups();
    const bundling = timeBundling();
    const { main: program } = await import("../infra/program/main");
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    let config: Record<string, unknown> | undefined;
    if (mode === "program") {
        config = benchConfig(count);
        program(config);
    } else if (mode === "lookups") {
        config = lookupConfig(count);
        program(config);
    } else if (mode === "sharing") {
        if (extra !== "dedicated" && extra !== "shared") throw new Error(`unknown layout ${extra}`);
        config = sharingConfig(count, extra);
        program(config);
    } else if (mode === "stack") {
        config = JSON.parse(extra) as Record<string, unknown>;
        program(config);
    } else if (mode === "flat") {
        registerFlat(JSON.parse(fs.readFileSync(extra, "utf8")) as FlatResource[]);
    } else if (mode === "bare") {
        for (let i = 0; i < count; i++) {
            new aws.ec2.SecurityGroup(`bare-${i}`, { vpcId: "vpc-0a1b2c3d4e5f60718", description: `bare ${i}` });
        }
    } else {
        throw new Error(`unknown mode ${mode}`);
    }
    await settle();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(cpuStart);
    const failures = cloud.asyncErrors.map((e) => e.message);
    if (failures.length > 0) throw new Error(`the program failed: ${failures.join("; ")}`);
    if (mode === "program" && extra) {
        const flat: FlatResource[] = cloud.registered.map((r) => ({ type: r.type, name: r.name, custom: r.custom, inputs: r.inputs }));
        fs.writeFileSync(extra, JSON.stringify(flat));
    }
    const awsResources = cloud.registered.filter((r) => r.custom && r.type.startsWith("aws:"));
    const spec = config ? parseStackConfig(config).spec : undefined;
    const estimate = spec ? estimateStack(cloud.registered, spec) : undefined;
    const addressHours = estimate?.lines.filter((l) => l.unit === "address-hours").reduce((sum, l) => sum + l.quantity, 0) ?? 0;
    process.stdout.write(
        JSON.stringify({
            ms,
            cpuMs: (cpu.user + cpu.system) / 1000,
            bundleMs: bundling.ms,
            resources: cloud.registered.length,
            awsResources: awsResources.length,
            loadBalancers: awsResources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer").length,
            securityGroups: awsResources.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup").length,
            publicIpv4Addresses: addressHours / PRICES.hoursPerMonth,
            monthlyCost: estimate?.total ?? 0,
            costByCategory: estimate ? byCategory(estimate) : undefined,
            invokes: countBy(cloud.invokes.map((i) => i.token)),
            questions: new Set(cloud.invokes.map((i) => `${i.token}|${i.provider ?? ""}|${canonicalJson(i.inputs)}`)).size,
            outside: {
                "DNS lookup": dnsQuestions.length,
                "RDS DescribeDBParameters": cloud.rds.commandCalls(DescribeDBParametersCommand).length,
                "RDS DescribeOptionGroups": cloud.rds.commandCalls(DescribeOptionGroupsCommand).length,
                "ELBv2 DescribeTargetHealth": cloud.elb.commandCalls(DescribeTargetHealthCommand).length,
            },
        }) + "\n",
    );
}

/** A resource the program registered, as `flat` registers it again. */
interface FlatResource {
    type: string;
    name: string;
    custom: boolean;
    inputs: Record<string, unknown>;
}

/**
 * Registers `resources` flat: a custom resource through its SDK class (found from its type token, as the program's
 * was, so the SDK does the same work per declared property) with its recorded inputs, secrets again secret; a
 * component as an empty component of its type. Each at the top of the stack, under a name unique among its type's.
 */
function registerFlat(resources: FlatResource[]): void {
    const taken = new Set<string>();
    resources.forEach((r, i) => {
        const name = taken.has(`${r.type}::${r.name}`) ? `${r.name}-${i}` : r.name;
        taken.add(`${r.type}::${r.name}`);
        if (!r.custom) {
            new pulumi.ComponentResource(r.type, name);
            return;
        }
        const Resource = sdkClass(r.type) as new (name: string, args: unknown) => pulumi.CustomResource;
        new Resource(name, secretsAgain(r.inputs));
    });
}

/** The SDK class of a resource type token: `aws:lb/targetGroup:TargetGroup` is `aws.lb.TargetGroup`, `pulumi:providers:x` is x's `Provider`. */
function sdkClass(type: string): unknown {
    const [pkg, module, name] = type.split(":");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (pkg === "pulumi" && module === "providers") return require(`@pulumi/${name}`).Provider;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require(`@pulumi/${pkg}`);
    const folder = module.split("/")[0];
    const found = folder === "index" ? sdk[name] : sdk[folder]?.[name];
    if (!found) throw new Error(`no SDK class for ${type}`);
    return found;
}

/** A recorded value with the values recorded as secret made secret again. */
function secretsAgain(value: unknown): any {
    if (Array.isArray(value)) return value.map(secretsAgain);
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIG] === SECRET_SIGNATURE) return pulumi.secret(secretsAgain(record.value));
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, secretsAgain(v)]));
    }
    return value;
}

/**
 * The value of the signature key ({@link SECRET_SIG}) that marks a secret; other values mark an asset, an archive or a
 * resource reference (@pulumi/pulumi/runtime/rpc.js), which stay as they are.
 */
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

function countBy(keys: string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
    return counts;
}

/** Records the host names the program resolves (through the mock cloud's DNS). */
function countDnsLookups(): string[] {
    const names: string[] = [];
    const lookup = dns.promises.lookup;
    dns.promises.lookup = ((hostname: string, options: dns.LookupAllOptions) => {
        names.push(hostname);
        return lookup(hostname, options);
    }) as typeof dns.promises.lookup;
    return names;
}

/**
 * Times esbuild's builds (the target-sync function's bundle): the module the program requires is replaced, in
 * require's cache, by one whose `build` is timed (esbuild's own exports cannot be reassigned).
 */
function timeBundling(): { ms: number } {
    const timing = { ms: 0 };
    const id = require.resolve("esbuild");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild: typeof import("esbuild") = require(id);
    const timed = {
        ...esbuild,
        build: async (options: Parameters<typeof esbuild.build>[0]) => {
            const start = process.hrtime.bigint();
            try {
                return await esbuild.build(options);
            } finally {
                timing.ms += Number(process.hrtime.bigint() - start) / 1e6;
            }
        },
    };
    require.cache[id]!.exports = timed;
    return timing;
}

if (require.main === module) {
    main().catch((e) => {
        process.stderr.write(`${(e as Error).stack}\n`);
        process.exit(1);
    });
}
