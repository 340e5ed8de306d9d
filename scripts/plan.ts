/**
 * `npm run plan [-- --stack NAME]`: an offline plan. Runs the stack program for Pulumi.<stack>.yaml under
 * Pulumi's mock runtime (preview mode, no AWS, no Pulumi CLI) and prints, per endpoint and shared load balancer,
 * the resources `pulumi up` would create with their key settings, and what the load balancers cost a month
 * (infra/cost/). Invalid config exits 1 with every problem.
 */
import * as pulumi from "@pulumi/pulumi";
import { CostEstimate, estimateStackCost, formatMonthly } from "../infra/cost/estimate";
import { ASSUMED_NLCU_PER_ENDPOINT, PRICES } from "../infra/cost/prices";
import { Registration, recordRegistrations, waitForRegistrations } from "../testing/recorder";
import { readStackFile } from "../testing/stackFile";

/** Pulumi's marker for a value not known until deployment. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const COMPUTED = "(computed)";
/** The component the stack program declares: every other component of the plan is inside it. */
const PRODUCT_TYPE = "db-endpoints:index:DatabaseEndpoints";
/** An endpoint, and a load balancer shared by endpoints: each gets its cost line. */
const ENDPOINT_TYPE = "db-endpoints:index:DatabaseEndpoint";
const SHARED_TYPE = "db-endpoints:index:EndpointLoadBalancer";

/** Fields of the lookups the program makes (aws.rds.getInstance, aws.ec2.getSubnet, ...), all unknown offline. */
const LOOKUP_FIELDS = [
    "id", "arn", "name", "address", "endpoint", "port", "engine", "engineVersion", "dbName", "dbInstanceIdentifier",
    "dbInstanceArn", "vpcSecurityGroups", "availabilityZone", "multiAz", "dbSubnetGroup", "caCertIdentifier",
    "masterUsername", "subnetIds", "vpcId", "ipv6CidrBlock", "cidrBlock", "accountId", "region", "partition",
    "dnsSuffix", "secretString", "json",
];

export interface PlanResult {
    exitCode: number;
    text: string;
}

const USAGE = "usage: npm run plan [-- --stack NAME] [--config-dir DIR]   (default: stack dev, Pulumi.<stack>.yaml at the repository root)";

function parseArgs(argv: string[]): { stack: string; dir?: string } {
    let stack = "dev";
    let dir: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--stack" || arg === "-s") {
            const value = argv[++i];
            if (!value) throw new Error("--stack needs a stack name");
            stack = value;
        } else if (arg.startsWith("--stack=")) {
            stack = arg.slice("--stack=".length);
        } else if (arg === "--config-dir") {
            dir = argv[++i];
            if (!dir) throw new Error("--config-dir needs a directory");
        } else if (arg === "--help" || arg === "-h") {
            throw new Error(USAGE);
        } else {
            throw new Error(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
        }
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new Error(`${JSON.stringify(stack)} is not a stack name`);
    return { stack, dir };
}

/** Shows a value as the plan prints it: computed values marked, objects compact. */
export function show(value: unknown): string {
    if (value === UNKNOWN) return COMPUTED;
    if (value === undefined) return "-";
    if (typeof value === "string") return value;
    return JSON.stringify(value, (_k, v) => (v === UNKNOWN ? COMPUTED : v));
}

/** The key settings of a resource, one short line. */
export function describe(r: Registration): string {
    const i = r.inputs;
    const port = (from: unknown, to: unknown) => (from === to ? show(from) : `${show(from)}-${show(to)}`);
    switch (r.type) {
        case "aws:lb/loadBalancer:LoadBalancer":
            return [
                `${i.internal ? "internal" : "internet-facing"} ${i.loadBalancerType}`,
                `ip=${show(i.ipAddressType)}`,
                `subnets=${show(i.subnetMappings)}`,
                `securityGroups=${show(i.securityGroups)}`,
                `crossZone=${show(i.enableCrossZoneLoadBalancing)}`,
                `deletionProtection=${show(i.enableDeletionProtection)}`,
            ].join(" ");
        case "aws:lb/listener:Listener":
            return `${show(i.protocol)}:${show(i.port)} idleTimeout=${show(i.tcpIdleTimeoutSeconds)}s -> ${show(i.defaultActions?.[0]?.type)}`;
        case "aws:lb/targetGroup:TargetGroup":
            return `${show(i.targetType)} targets ${show(i.protocol)}:${show(i.port)} healthCheck=${show(i.healthCheck?.protocol)}:${show(i.healthCheck?.port)} preserveClientIp=${show(i.preserveClientIp)}`;
        case "aws:lb/targetGroupAttachment:TargetGroupAttachment":
            return `target ${show(i.targetId)}:${show(i.port)}`;
        case "aws:ec2/securityGroup:SecurityGroup":
            return `"${show(i.description)}" in ${show(i.vpcId)}`;
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            return `allow in ${show(i.ipProtocol)}/${port(i.fromPort, i.toPort)} from ${show(i.cidrIpv4 ?? i.cidrIpv6 ?? i.referencedSecurityGroupId)} into ${show(i.securityGroupId)}`;
        case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
            return `allow out ${show(i.ipProtocol)}/${port(i.fromPort, i.toPort)} to ${show(i.cidrIpv4 ?? i.cidrIpv6 ?? i.referencedSecurityGroupId)} from ${show(i.securityGroupId)}`;
        case "aws:ec2/eip:Eip":
            return `Elastic IP (${show(i.domain)})`;
        case "aws:route53/record:Record":
            return `${show(i.type)} ${show(i.name)} in ${show(i.zoneId)} -> alias ${show(i.aliases?.[0]?.name)}`;
        default: {
            const keys = Object.keys(i).filter((k) => k !== "tags" && !/private|password|secret/i.test(k)).slice(0, 4);
            return keys.map((k) => `${k}=${show(i[k])}`.slice(0, 80)).join(" ");
        }
    }
}

/**
 * How a resource is replaced when a change forces AWS to create a new one, where the program decides it
 * (a bracketed mark after the name; empty otherwise).
 */
export function replacementMark(r: Registration): string {
    if (r.deleteBeforeReplace) return " [deleted before its replacement is created]";
    if (r.type === "aws:lb/targetGroup:TargetGroup" && r.replacementTrigger !== undefined) {
        // Offline the trigger is the load balancer's ARN (computed), or the constant that keeps the group.
        return r.replacementTrigger === UNKNOWN ? " [replaced with the load balancer]" : " [kept when the load balancer is replaced]";
    }
    return "";
}

/**
 * What replacing a load balancer does, for the plan's reader: the changes that force it, and what it costs.
 * `shared`: the name of the shared load balancer it is (undefined: an endpoint's own).
 */
export function loadBalancerReplacementNote(r: Registration, shared?: string): string[] {
    const how = r.deleteBeforeReplace
        ? "deletionProtection off first (docs/updates.md). The old one and its listener are deleted first, so that its Elastic IPs move to the new one."
        : "deletionProtection off first (docs/updates.md). The new one (new target group and listener) serves before the old one is deleted.";
    if (shared === undefined) {
        return [
            "replaced, not updated, when elasticIps is switched or a subnet is removed or swapped: new DNS name, a short outage;",
            how,
            "Moving the endpoint onto a shared load balancer (loadBalancer) deletes this one: new DNS name and addresses, new target group and listener.",
        ];
    }
    return [
        "replaced, not updated, when elasticIps is switched or a subnet is removed or swapped: new DNS name for every endpoint on it, a short outage;",
        how.replace("and its listener are", "and its listeners are").replace("(new target group and listener)", "(a new target group and listener per endpoint)"),
        `An endpoint moved onto or off "${shared}" (loadBalancer) changes load balancer: new DNS name and addresses, new target group and listener.`,
    ];
}

/** The plan's line under an endpoint: its load balancer and its monthly cost. */
export function endpointCostLine(endpoint: string, estimate: CostEstimate): string | undefined {
    const lb = estimate.loadBalancers.find((l) => l.endpoints.includes(endpoint));
    if (!lb) return undefined;
    const cost = `~${formatMonthly(estimate.perEndpoint[endpoint])} a month`;
    return lb.shared
        ? `on shared load balancer "${lb.name}" with ${lb.endpoints.length - 1} other endpoint${lb.endpoints.length === 2 ? "" : "s"}: ${cost} (its share of the load balancer, and its NLCUs)`
        : `on its own load balancer: ${cost} (NLB hours, ${lb.publicIpv4Addresses} public IPv4 addresses, NLCUs)`;
}

/** The plan's line under a shared load balancer: its endpoints and its monthly cost. */
export function sharedLoadBalancerCostLine(name: string, estimate: CostEstimate): string | undefined {
    const lb = estimate.loadBalancers.find((l) => l.shared && l.name === name);
    if (!lb) return undefined;
    return (
        `shared by ${lb.endpoints.join(", ")}: ~${formatMonthly(lb.total)} a month (${formatMonthly(lb.loadBalancer)} NLB hours, ` +
        `${formatMonthly(lb.publicIpv4)} for ${lb.publicIpv4Addresses} public IPv4 addresses, ${formatMonthly(lb.capacityUnits)} NLCUs)`
    );
}

/**
 * What the offline plan cannot show of a shared load balancer: its rules to RDS instances' security groups, one
 * per distinct group and port, are declared once the RDS lookups have returned (`pulumi preview` shows them).
 */
export function sharedLoadBalancerNote(name: string, rdsEndpoints: string[]): string | undefined {
    if (rdsEndpoints.length === 0) return undefined;
    return (
        `+ rules to the RDS instances' security groups (${rdsEndpoints.join(", ")}): one per security group and port, ` +
        "declared at deploy once the instances are looked up (pulumi preview shows them)"
    );
}

/** The plan's closing line on cost: the stack's load balancers a month, and what the figure assumes. */
export function stackCostLine(estimate: CostEstimate): string {
    const endpoints = Object.keys(estimate.perEndpoint).length;
    return (
        `Load balancers: ~${formatMonthly(estimate.total)} a month for ${endpoints} endpoint${endpoints === 1 ? "" : "s"} on ${estimate.loadBalancers.length} ` +
        `load balancer${estimate.loadBalancers.length === 1 ? "" : "s"} (${PRICES.region} prices of ${PRICES.checkedOn}, ${ASSUMED_NLCU_PER_ENDPOINT} NLCU per endpoint; ` +
        "data transfer and the rest of the stack not included; infra/cost/)."
    );
}

/** Runs the program for a stack's config under mocks and renders the plan. */
export async function plan(stackName: string, dir?: string): Promise<PlanResult> {
    const file = readStackFile(stackName, dir);
    const registered: Registration[] = [];
    pulumi.runtime.setMocks(
        {
            // Every provider-computed output is unknown, as in `pulumi preview`; IDs are readable placeholders.
            newResource: (args) => ({ id: `(id of ${args.name})`, state: { ...args.inputs, arn: UNKNOWN } }),
            // Lookups (RDS instance, subnets) are answered at deploy; offline they are unknown.
            call: () => Object.fromEntries(LOOKUP_FIELDS.map((k) => [k, UNKNOWN])),
        },
        "db-endpoints",
        stackName,
        true,
    );
    recordRegistrations((r) => registered.push(r));
    pulumi.runtime.setAllConfig(file.config, file.secureKeys);

    const warnings: string[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = async (message: string, resource?: pulumi.Resource) => {
        const owner = resource ? await (resource.urn as any).promise().then((u: string) => u.split("::").pop()) : undefined;
        warnings.push(owner ? `${owner}: ${message}` : message);
    };
    const { main } = await import("../infra/program/main");
    const { decodeStackConfig, readRawStackConfig } = await import("../infra/program/config");
    const { ValidationError } = await import("../infra/validation");
    let estimate: CostEstimate;
    let rdsOn: (loadBalancer: string) => string[];
    try {
        const { spec } = decodeStackConfig(readRawStackConfig());
        estimate = estimateStackCost(spec);
        rdsOn = (loadBalancer) => spec.endpoints.filter((e) => e.loadBalancer === loadBalancer && e.database.kind === "rds").map((e) => e.name);
        main();
    } catch (e) {
        if (e instanceof ValidationError) {
            return { exitCode: 1, text: `Pulumi.${stackName}.yaml: ${e.message}\n` };
        }
        throw e;
    } finally {
        await waitForRegistrations();
        pulumi.log.warn = warn;
    }

    const lines: string[] = [];
    lines.push(`db-endpoints: offline plan for stack "${stackName}" (${file.path})`);
    lines.push(
        "Run under Pulumi's mock runtime without AWS: resource names, counts and settings are what `pulumi up` would create;",
        `values shown as ${COMPUTED} and IDs shown as "(id of ...)" are placeholders for what AWS computes or the lookups`,
        "(RDS instance, subnets, DNS) return at deploy time. Placement checks and RDS address resolution run at deploy.",
    );
    if (file.secureKeys.length > 0) lines.push(`Secret config values are not decrypted offline: ${file.secureKeys.join(", ")}`);
    lines.push("");

    // Group by the component that owns each resource under the product's one DatabaseEndpoints component
    // (an endpoint, the CA, a certificate, target sync, integrations), which itself owns nothing else.
    const byUrnName = new Map<string, Registration>();
    for (const r of registered) byUrnName.set(`${r.type}::${r.name}`, r);
    const parentOf = (r: Registration): Registration | undefined => {
        if (!r.parent) return undefined;
        const parentKey = r.parent.split("::").slice(-2).join("::");
        const typeChain = parentKey.split("::")[0].split("$").pop()!;
        return byUrnName.get(`${typeChain}::${parentKey.split("::")[1]}`);
    };
    const rootOf = (r: Registration): Registration => {
        let current = r;
        for (let parent = parentOf(current); parent && parent.type !== PRODUCT_TYPE; parent = parentOf(current)) current = parent;
        return current;
    };
    const groups = new Map<Registration, Registration[]>();
    for (const r of registered) {
        if (r.type === PRODUCT_TYPE) continue;
        const root = rootOf(r);
        if (!groups.has(root)) groups.set(root, []);
        if (r !== root) groups.get(root)!.push(r);
    }
    for (const [root, members] of groups) {
        lines.push(`${root.type.split(":").pop()} ${root.name}${root.custom ? `: ${describe(root)}` : ""}`);
        const costLine =
            root.type === ENDPOINT_TYPE ? endpointCostLine(root.name, estimate) : root.type === SHARED_TYPE ? sharedLoadBalancerCostLine(root.name, estimate) : undefined;
        if (costLine) lines.push(`  ${costLine}`);
        const note = root.type === SHARED_TYPE ? sharedLoadBalancerNote(root.name, rdsOn(root.name)) : undefined;
        if (note) lines.push(`  ${note}`);
        for (const r of members) {
            const protectedMark = r.protect ? " [protected]" : "";
            const hooks = Object.entries(r.hooks).map(([step, names]) => ` [${step}: ${names.join(", ")}]`).join("");
            lines.push(`  + ${r.type.padEnd(58)} ${r.name}${protectedMark}${replacementMark(r)}${hooks}`);
            if (r.custom) lines.push(`      ${describe(r)}`);
            if (r.type === "aws:lb/loadBalancer:LoadBalancer") {
                const note = loadBalancerReplacementNote(r, root.type === SHARED_TYPE ? root.name : undefined);
                lines.push(...note.map((l) => `      ${l}`));
            }
        }
        lines.push("");
    }
    lines.push(`${registered.filter((r) => r.custom).length} AWS resources in ${registered.filter((r) => !r.custom).length} components.`);
    lines.push(stackCostLine(estimate));
    if (warnings.length > 0) {
        lines.push("", "Warnings:");
        for (const w of warnings) lines.push(`  - ${w}`);
    }
    return { exitCode: 0, text: lines.join("\n") + "\n" };
}

if (require.main === module) {
    (async () => {
        let stack: string;
        let dir: string | undefined;
        try {
            ({ stack, dir } = parseArgs(process.argv.slice(2)));
        } catch (e) {
            process.stderr.write(`${(e as Error).message}\n`);
            process.exit(2);
        }
        try {
            const result = await plan(stack, dir);
            (result.exitCode === 0 ? process.stdout : process.stderr).write(result.text);
            process.exit(result.exitCode);
        } catch (e) {
            process.stderr.write(`plan failed: ${(e as Error).message}\n`);
            process.exit(1);
        }
    })();
}
