/**
 * `npm run plan [-- --stack NAME]`: an offline plan. Runs the stack program for Pulumi.<stack>.yaml under
 * Pulumi's mock runtime (preview mode, no AWS, no Pulumi CLI) and prints, per endpoint, the resources
 * `pulumi up` would create with their key settings. Invalid config exits 1 with every problem.
 */
import * as pulumi from "@pulumi/pulumi";
import { Registration, recordRegistrations, waitForRegistrations } from "../testing/recorder";
import { readStackFile } from "../testing/stackFile";

/** Pulumi's marker for a value not known until deployment. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const COMPUTED = "(computed)";
/** The component the stack program declares: every other component of the plan is inside it. */
const PRODUCT_TYPE = "db-endpoints:index:DatabaseEndpoints";

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

/** What replacing a load balancer does, for the plan's reader: the changes that force it, and what it costs (two lines). */
export function loadBalancerReplacementNote(r: Registration): string[] {
    return [
        "replaced, not updated, when elasticIps is switched or a subnet is removed or swapped: new DNS name, a short outage;",
        r.deleteBeforeReplace
            ? "deletionProtection off first (docs/updates.md). The old one and its listener are deleted first, so that its Elastic IPs move to the new one."
            : "deletionProtection off first (docs/updates.md). The new one (new target group and listener) serves before the old one is deleted.",
    ];
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
    const { ValidationError } = await import("../infra/validation");
    try {
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
        for (const r of members) {
            const protectedMark = r.protect ? " [protected]" : "";
            const hooks = Object.entries(r.hooks).map(([step, names]) => ` [${step}: ${names.join(", ")}]`).join("");
            lines.push(`  + ${r.type.padEnd(58)} ${r.name}${protectedMark}${replacementMark(r)}${hooks}`);
            if (r.custom) lines.push(`      ${describe(r)}`);
            if (r.type === "aws:lb/loadBalancer:LoadBalancer") lines.push(...loadBalancerReplacementNote(r).map((l) => `      ${l}`));
        }
        lines.push("");
    }
    lines.push(`${registered.filter((r) => r.custom).length} AWS resources in ${registered.filter((r) => !r.custom).length} components.`);
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
