/**
 * Which load balancer each endpoint listens on: its own (the default), or a shared one named by its
 * `loadBalancer`, whose endpoints each keep their own listener port, target group and allowlist rules. Pure:
 * the rules of a shared load balancer (its name, the settings its endpoints must agree on, one listener port per
 * endpoint, AWS's 50 listeners, the security-group rule budget its endpoints share) report every problem with
 * its property path, and the plan says which load balancers exist and how their rules are spread.
 */
import { IpAddressType } from "../enums";
import { join, Problems, show } from "../validation";
import { AllowlistQuotas, securityGroupLayout } from "./allowlist";
import { LISTENERS_PER_LOAD_BALANCER } from "./limits";
import type { EndpointPrefixListRule, EndpointRule, EndpointSpec, LoadBalancerSpec } from "./spec";

/** A validated endpoint with the path it was read from (`endpoints[2]`). */
export interface PlacedEndpoint {
    path: string;
    spec: EndpointSpec;
}

/** A listener port for the uniqueness rule: known now (config), or once the RDS lookup resolved it (deployment). */
export interface ListenerPortEntry {
    /** The endpoint's path, `endpoints[2]`. */
    path: string;
    endpoint: string;
    /** Undefined while unknown (an RDS endpoint without `port` listens on the instance's port, looked up at deployment). */
    port: number | undefined;
    /** Whether the port is the database's, because `port` is not set. */
    byDefault: boolean;
}

/** The listener port of an endpoint as far as the config knows it: `port`, else a self-managed database's port. */
export function listenerPortEntry(path: string, spec: EndpointSpec): ListenerPortEntry {
    const byDefault = spec.port === undefined;
    const port = spec.port ?? (spec.database.kind === "self-managed" ? spec.database.port : undefined);
    return { path, endpoint: spec.name, port, byDefault };
}

/**
 * One listener per port on a load balancer: refuses every endpoint whose known listener port an earlier endpoint
 * of the same shared load balancer already has, at its `port`. Applied when the config is read, and again at
 * deployment once RDS instances' ports are known.
 */
export function checkListenerPorts(problems: Problems, loadBalancer: string, entries: ListenerPortEntry[]): void {
    const taken = new Map<number, ListenerPortEntry>();
    for (const e of entries) {
        if (e.port === undefined) continue;
        const first = taken.get(e.port);
        if (!first) {
            taken.set(e.port, e);
            continue;
        }
        const mine = e.byDefault ? `listener port ${e.port} (the database's port: port is not set)` : `listener port ${e.port}`;
        problems.error(
            join(e.path, "port"),
            `${mine} is already ${first.path}'s ("${first.endpoint}") on loadBalancer "${loadBalancer}"; each endpoint of a load balancer ` +
                `listens on its own port, so set port on this endpoint to a port no other endpoint of "${loadBalancer}" uses`,
        );
    }
}

/**
 * The load balancers of the product, and the rules of the shared ones. `endpointNames`: every endpoint's name
 * as written (also those with errors), which no shared load balancer's name may repeat.
 */
export function planLoadBalancers(
    problems: Problems,
    endpoints: PlacedEndpoint[],
    quotas: AllowlistQuotas,
    endpointNames: readonly unknown[],
): LoadBalancerSpec[] {
    const result: LoadBalancerSpec[] = [];
    const shared = new Map<string, PlacedEndpoint[]>();
    for (const e of endpoints) {
        const group = e.spec.loadBalancer;
        if (group === undefined) {
            const prefixLists = prefixListsOf(e.spec);
            const layout = securityGroupLayout(rulesOf(e.spec), prefixLists.length > 0, quotas.rulesPerSecurityGroup);
            result.push({
                name: e.spec.name,
                shared: false,
                endpoints: [e.spec.name],
                elasticIps: e.spec.elasticIps,
                ipAddressType: e.spec.ipAddressType,
                deletionProtection: e.spec.deletionProtection,
                securityGroups: layout.groups,
                prefixLists,
                ...(layout.prefixListGroup !== undefined ? { prefixListGroup: layout.prefixListGroup } : {}),
                connectionAudit: e.spec.connectionAudit,
            });
            continue;
        }
        if (!shared.has(group)) {
            shared.set(group, []);
            // In the order of its first endpoint; filled in below, once all its endpoints are known.
            result.push({
                name: group,
                shared: true,
                endpoints: [],
                elasticIps: false,
                ipAddressType: IpAddressType.Ipv4,
                deletionProtection: true,
                securityGroups: [],
                prefixLists: [],
                connectionAudit: e.spec.connectionAudit,
            });
        }
        shared.get(group)!.push(e);
    }
    for (const lb of result.filter((l) => l.shared)) {
        const members = shared.get(lb.name)!;
        checkSharedLoadBalancer(problems, lb.name, members, quotas, endpointNames);
        const first = members[0].spec;
        lb.endpoints = members.map((m) => m.spec.name);
        lb.elasticIps = first.elasticIps;
        lb.ipAddressType = first.ipAddressType;
        lb.deletionProtection = first.deletionProtection;
        lb.connectionAudit = first.connectionAudit;
        lb.prefixLists = members.flatMap((m) => prefixListsOf(m.spec));
        const layout = securityGroupLayout(members.flatMap((m) => rulesOf(m.spec)), lb.prefixLists.length > 0, quotas.rulesPerSecurityGroup);
        lb.securityGroups = layout.groups;
        if (layout.prefixListGroup !== undefined) lb.prefixListGroup = layout.prefixListGroup;
    }
    return result;
}

function rulesOf(spec: EndpointSpec): EndpointRule[] {
    return spec.allowlist.map((r) => ({ ...r, endpoint: spec.name }));
}

function prefixListsOf(spec: EndpointSpec): EndpointPrefixListRule[] {
    return spec.prefixLists.map((r) => ({ ...r, endpoint: spec.name }));
}

/** The settings of a load balancer that each endpoint on it also sets: they must be the same on all of them. */
const SHARED_SETTINGS = [
    { key: "elasticIps", what: "Elastic IPs (and so its addresses)" },
    { key: "ipAddressType", what: "address families (an endpoint whose allowlist has IPv6 entries is dualstack unless ipAddressType says otherwise)" },
    { key: "deletionProtection", what: "deletion protection (true unless set)" },
] as const;

/** The connection audit's settings, which a shared load balancer's flow logs have once for all its endpoints. */
const SHARED_AUDIT_SETTINGS = [
    { key: "enabled", setting: "connectionAudit", what: "flow logs (connectionAudit, true unless set)" },
    { key: "retentionDays", setting: "connectionAuditRetentionDays", what: "flow logs' retention (connectionAuditRetentionDays, the product's unless set)" },
] as const;

function checkSharedLoadBalancer(problems: Problems, name: string, members: PlacedEndpoint[], quotas: AllowlistQuotas, endpointNames: readonly unknown[]): void {
    const first = members[0];
    const at = endpointNames.indexOf(name);
    if (at >= 0) {
        problems.error(
            join(first.path, "loadBalancer"),
            `${show(name)} is also the name of endpoints[${at}]; a shared load balancer's resources are named like an endpoint's ` +
                `("${name}-nlb", "${name}-sg-1"), so give the load balancer a name no endpoint has`,
        );
    }
    if (members.length > LISTENERS_PER_LOAD_BALANCER) {
        const extra = members[LISTENERS_PER_LOAD_BALANCER];
        problems.error(
            join(extra.path, "loadBalancer"),
            `${show(name)} has ${members.length} endpoints, more than the ${LISTENERS_PER_LOAD_BALANCER} listeners a Network Load Balancer can have ` +
                `(an AWS limit that cannot be raised; one listener per endpoint): put ${members.length - LISTENERS_PER_LOAD_BALANCER} of them ` +
                `(from ${extra.path} on) on another loadBalancer`,
        );
    }
    for (const m of members.slice(1)) {
        for (const { key, what } of SHARED_SETTINGS) {
            if (m.spec[key] === first.spec[key]) continue;
            problems.error(
                join(m.path, key),
                `is ${show(m.spec[key])}, but ${first.path} ("${first.spec.name}"), on the same loadBalancer "${name}", has ${show(first.spec[key])}; ` +
                    `the endpoints of a load balancer share its ${what}, so set ${key} to the same value on every endpoint of "${name}"`,
            );
        }
    }
    for (const m of members.slice(1)) {
        for (const { key, setting, what } of SHARED_AUDIT_SETTINGS) {
            if (m.spec.connectionAudit[key] === first.spec.connectionAudit[key]) continue;
            problems.error(
                join(m.path, setting),
                `is ${show(m.spec.connectionAudit[key])}, but ${first.path} ("${first.spec.name}"), on the same loadBalancer "${name}", has ` +
                    `${show(first.spec.connectionAudit[key])}; the endpoints of a load balancer share its ${what}, so set ${setting} to the same value ` +
                    `on every endpoint of "${name}"`,
            );
        }
    }
    checkListenerPorts(
        problems,
        name,
        members.map((m) => listenerPortEntry(m.path, m.spec)),
    );
    checkRuleBudget(problems, name, members, quotas);
    checkOutboundRules(problems, name, members, quotas);
}

/**
 * The allowlist rules of every endpoint of a shared load balancer go into its security groups: at most
 * `securityGroupsPerLoadBalancer` x `rulesPerSecurityGroup` per address family, for all its endpoints together.
 */
function checkRuleBudget(problems: Problems, name: string, members: PlacedEndpoint[], quotas: AllowlistQuotas): void {
    // Prefix lists take a security group of their own (see securityGroupLayout).
    const reserved = members.some((m) => m.spec.prefixLists.length > 0) ? 1 : 0;
    const groups = quotas.securityGroupsPerLoadBalancer - reserved;
    if (groups < 1) return; // refused with the endpoint's own allowlist
    const capacity = quotas.rulesPerSecurityGroup * groups;
    for (const family of ["ipv4", "ipv6"] as const) {
        const counts = members.map((m) => ({ m, count: m.spec.allowlist.filter((r) => r.family === family).length }));
        const total = counts.reduce((sum, c) => sum + c.count, 0);
        if (total <= capacity) continue;
        let running = 0;
        const crossing = counts.find((c) => (running += c.count) > capacity)!;
        const label = family === "ipv4" ? "IPv4" : "IPv6";
        problems.error(
            join(crossing.m.path, "allowedCidrs"),
            `loadBalancer "${name}" would need ${total} ${label} allowlist rules for its endpoints ` +
                `(${counts.filter((c) => c.count > 0).map((c) => `${c.m.path} "${c.m.spec.name}" ${c.count}`).join(", ")}), more than one load balancer can carry ` +
                `(${groups} security groups x ${quotas.rulesPerSecurityGroup} rules = ${capacity}${reserved ? ", the load balancer's other security group holding its prefix lists" : ""}); move an endpoint to another loadBalancer, ` +
                `merge entries into wider CIDRs, or raise the quotas in Service Quotas and in config "quotas"`,
        );
    }
}

/**
 * The key of the outbound rule a shared load balancer's first security group needs to reach an endpoint's
 * database, one per distinct key: a database security group and port, or an address and port. An RDS
 * instance's group and port are known only at deployment: its key stands for them (instances may share them).
 */
export function outboundRuleKeys(spec: EndpointSpec): string[] {
    const db = spec.database;
    if (db.kind === "rds") return [`rds:${db.rdsInstanceIdentifier}:${db.securityGroupId ?? ""}`];
    if (db.securityGroupId !== undefined) return [`sg:${db.securityGroupId}:${db.port}`];
    return db.addresses.map((a) => `address:${a}:${db.port}`);
}

/**
 * The outbound rules of a shared load balancer (to its databases, in its first security group) are bounded by
 * the same per-group quota as the inbound ones (a rule that references a security group counts for IPv4 and IPv6).
 */
function checkOutboundRules(problems: Problems, name: string, members: PlacedEndpoint[], quotas: AllowlistQuotas): void {
    const keys = new Set<string>();
    for (const m of members) {
        for (const k of outboundRuleKeys(m.spec)) {
            keys.add(k);
            if (keys.size === quotas.rulesPerSecurityGroup + 1) {
                problems.error(
                    join(m.path, "loadBalancer"),
                    `loadBalancer "${name}" would need more than ${quotas.rulesPerSecurityGroup} outbound rules (quotas.rulesPerSecurityGroup) in its first ` +
                        `security group, one per database security group and port, and one per address of a self-managed database without securityGroupId; ` +
                        `set database.securityGroupId on the self-managed databases, or move this endpoint to another loadBalancer`,
                );
            }
        }
    }
}
