/**
 * How the offline plan shows a recorded input: in full (never cut short), a value not known before deployment as
 * `(computed)`, and a value marked secret as `(secret)`, whatever it holds, so that neither a secret nor a
 * placeholder standing for one is ever printed as data.
 */
import { withReadableIds } from "../../testing/offline";
import { isSecretValue, Registration, UNKNOWN } from "../../testing/recorder";

export const COMPUTED = "(computed)";
export const SECRET = "(secret)";

/** `value` with unknowns and secrets replaced by their markers, for printing or JSON. */
export function displayValue(value: unknown): unknown {
    if (value === UNKNOWN) return COMPUTED;
    if (typeof value === "string") return withReadableIds(value);
    if (isSecretValue(value)) return SECRET;
    if (Array.isArray(value)) return value.map(displayValue);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, displayValue(v)]));
    return value;
}

/** A value as the plan prints it: a string as is, anything else as compact JSON; `-` for nothing. */
export function show(value: unknown): string {
    const shown = displayValue(value);
    if (shown === undefined) return "-";
    if (typeof shown === "string") return shown;
    return JSON.stringify(shown);
}

/** The key settings of a resource on one line, every value in full. */
export function describe(r: Registration): string {
    const i = r.inputs;
    const port = (from: unknown, to: unknown) => (from === to ? show(from) : `${show(from)}-${show(to)}`);
    switch (r.type) {
        case "aws:lb/loadBalancer:LoadBalancer":
            return [
                `${i.internal ? "internal" : "internet-facing"} ${show(i.loadBalancerType)}`,
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
            return (
                `allow in ${show(i.ipProtocol)}/${port(i.fromPort, i.toPort)} from ${show(i.cidrIpv4 ?? i.cidrIpv6 ?? i.prefixListId ?? i.referencedSecurityGroupId)} into ${show(i.securityGroupId)}` +
                (i.tags?.["db-endpoints:expires"] ? ` until ${i.tags["db-endpoints:expires"]}` : "")
            );
        case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
            return `allow out ${show(i.ipProtocol)}/${port(i.fromPort, i.toPort)} to ${show(i.cidrIpv4 ?? i.cidrIpv6 ?? i.referencedSecurityGroupId)} from ${show(i.securityGroupId)}`;
        case "aws:ec2/eip:Eip":
            return `Elastic IP (${show(i.domain)})`;
        case "aws:route53/record:Record":
            return `${show(i.type)} ${show(i.name)} in ${show(i.zoneId)} -> alias ${show(i.aliases?.[0]?.name)}`;
        default: {
            // Every input but the tags (the stack's tags are the same everywhere), each in full.
            const settings = Object.keys(i).filter((k) => k !== "tags" && k !== "tagsAll");
            return settings.length > 0 ? settings.map((k) => `${k}=${show(i[k])}`).join(" ") : "(AWS's defaults; its tags only)";
        }
    }
}

/** One input that differs between two runs, by its path among the inputs (`healthCheck.port`). */
export interface InputChange {
    path: string;
    before: unknown;
    after: unknown;
}

/**
 * The inputs that differ between two registrations of a resource, to the leaves, as displayed: a secret that
 * changed shows as `(secret)` on both sides, a value not known offline as `(computed)` (and is not a difference
 * the plan can see).
 */
export function inputChanges(before: Record<string, unknown>, after: Record<string, unknown>): InputChange[] {
    const changes: InputChange[] = [];
    const walk = (path: string, a: unknown, b: unknown) => {
        if (JSON.stringify(a) === JSON.stringify(b)) return;
        if (a === UNKNOWN || b === UNKNOWN) {
            if (a !== undefined && b !== undefined) return; // unknown on either side: nothing the plan can compare
        }
        if (isSecretValue(a) && isSecretValue(b)) {
            changes.push({ path, before: SECRET, after: `${SECRET}, changed` });
            return;
        }
        const isMap = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v) && !isSecretValue(v);
        if (isMap(a) && isMap(b)) {
            const x = a as Record<string, unknown>;
            const y = b as Record<string, unknown>;
            for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])]) walk(path ? `${path}.${k}` : k, x[k], y[k]);
            return;
        }
        changes.push({ path, before: displayValue(a), after: displayValue(b) });
    };
    walk("", before, after);
    return changes;
}
