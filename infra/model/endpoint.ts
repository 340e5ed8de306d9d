/**
 * The rules of one endpoint: its name, the database it reaches, the listener, the allowlist, the hostname,
 * the address families and the tags, and the rules across the endpoints of one product (unique names and
 * hostnames, the region's Elastic IPs). Pure: each rule reports every problem under the path it is given, so
 * the `DatabaseEndpoints` component (paths such as `endpoints[1].allowedCidrs[0]`) and the `DatabaseEndpoint`
 * component (`allowedCidrs[0]`) report the same problem in the same words.
 */
import { IpAddressType } from "../enums";
import { parseDatabaseAccess } from "../integrations/databaseAccess";
import { checkTargetAddresses } from "../net/targets";
import {
    isPlainObject,
    join,
    optionalArray,
    optionalBoolean,
    optionalInteger,
    optionalString,
    patterns,
    Problems,
    readIpv4Addresses,
    show,
} from "../validation";
import { AllowlistQuotas, AllowlistRule, AllowlistTiming, readAllowlist } from "./allowlist";
import { readRdsRestart, readSelfManagedTls } from "./certificates";
import { ALLOWLIST_EXPIRY_WARNING_DAYS, CONNECTION_AUDIT_RETENTION_DAYS, ENDPOINT_NAME, IDLE_TIMEOUT, LOAD_BALANCER_NAME, LOG_RETENTION_DAYS, MAX_USER_TAGS, PORT, TAG } from "./limits";
import type { ConnectionAuditSpec, DatabaseSpec, EndpointSpec } from "./spec";

/** `publicSubnetIds` (the component's `subnetIds`): at least one subnet ID, none twice. */
export function readSubnets(problems: Problems, path: string, value: unknown): string[] {
    if (value === undefined || value === null) {
        problems.error(path, "is required (the public subnets the load balancers are placed in, one per Availability Zone)");
        return [];
    }
    const list = optionalArray(problems, path, value);
    if (!list) return [];
    if (list.length === 0) problems.error(path, "is empty; an internet-facing load balancer needs at least one public subnet");
    const result: string[] = [];
    list.forEach((s, i) => {
        const id = optionalString(problems, join(path, i), s, patterns.subnetId, 'a subnet ID such as "subnet-0aa11bb22cc33dd44"');
        if (id === undefined) return;
        if (result.includes(id)) {
            problems.error(join(path, i), `${show(id)} is listed twice`);
            return;
        }
        result.push(id);
    });
    if (result.length === 1) {
        problems.warn(
            path,
            "only one subnet: the endpoints have no Availability Zone redundancy, and a Multi-AZ database that fails over to another zone stays reachable only through cross-zone load balancing",
        );
    }
    return result;
}

/** Tags: a map of string to string, within AWS's limits. */
export function readTags(problems: Problems, path: string, value: unknown): Record<string, string> {
    if (value === undefined || value === null) return {};
    if (!isPlainObject(value)) {
        problems.error(path, `${show(value)} is not a map of tag names to values`);
        return {};
    }
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
        if (k.length < 1 || k.length > TAG.maxKeyLength || k.toLowerCase().startsWith(TAG.reservedPrefix)) {
            problems.error(join(path, k), `is not a usable tag name (1..${TAG.maxKeyLength} characters, not starting with "${TAG.reservedPrefix}")`);
        } else if (typeof v !== "string" || v.length > TAG.maxValueLength) {
            problems.error(join(path, k), `${show(v)} is not a tag value (a string of at most ${TAG.maxValueLength} characters)`);
        } else {
            tags[k] = v;
        }
    }
    if (Object.keys(value).length > MAX_USER_TAGS) {
        problems.error(path, `has ${Object.keys(value).length} tags; at most ${MAX_USER_TAGS} fit AWS's 50 per resource beside the ones db-endpoints adds`);
    }
    return tags;
}

/** What an endpoint's rules take from the product's settings. */
export interface EndpointDefaults {
    /** The clock the allowlist's expiry is read against, and the warning window. */
    timing: AllowlistTiming;
    /** The product's `connectionAuditRetentionDays`. */
    connectionAuditRetentionDays: number;
}

export function parseEndpoint(
    problems: Problems,
    path: string,
    value: unknown,
    quotas: AllowlistQuotas,
    defaults: EndpointDefaults,
): EndpointSpec | undefined {
    if (!isPlainObject(value)) {
        problems.error(path, `${show(value)} is not an endpoint (a map with name, database, allowedCidrs, ...)`);
        return undefined;
    }
    const errorsBefore = problems.errors.length;

    const name = parseEndpointName(problems, join(path, "name"), value.name);
    const database = parseDatabase(problems, join(path, "database"), value.database);
    const access = parseDatabaseAccess(problems, join(path, "database"), join(path, "integrations"), value.database, value.integrations, database?.kind);
    const port = readPort(problems, join(path, "port"), value.port);
    const allowPublicInternet = optionalBoolean(problems, join(path, "allowPublicInternet"), value.allowPublicInternet) ?? false;
    const rawCidrs = optionalArray(problems, join(path, "allowedCidrs"), value.allowedCidrs);
    const rawEntries = optionalArray(problems, join(path, "allowlist"), value.allowlist);
    const unreadable =
        (value.allowedCidrs !== undefined && rawCidrs === undefined) || (value.allowlist !== undefined && rawEntries === undefined); // already reported
    const { rules: allowlist, prefixLists } = unreadable
        ? { rules: [], prefixLists: [] }
        : readAllowlist(
              problems,
              join(path, "allowedCidrs"),
              rawCidrs,
              { path: join(path, "allowlist"), list: rawEntries },
              allowPublicInternet,
              join(path, "allowPublicInternet"),
              quotas,
              defaults.timing,
          );
    const connectionAudit = readConnectionAudit(problems, path, value, defaults.connectionAuditRetentionDays);
    const idleTimeoutSeconds = readIdleTimeout(problems, join(path, "idleTimeoutSeconds"), value.idleTimeoutSeconds) ?? IDLE_TIMEOUT.default;
    const elasticIps = optionalBoolean(problems, join(path, "elasticIps"), value.elasticIps) ?? false;
    const deletionProtection = optionalBoolean(problems, join(path, "deletionProtection"), value.deletionProtection) ?? true;
    const hostname = readHostname(problems, join(path, "hostname"), value.hostname);
    const hostedZoneId = readHostedZoneId(problems, join(path, "hostedZoneId"), value.hostedZoneId);
    checkHostedZoneHasHostname(problems, path, value);
    const ipAddressType = parseIpAddressType(problems, join(path, "ipAddressType"), value.ipAddressType, allowlist, allowPublicInternet);
    const tags = readTags(problems, join(path, "tags"), value.tags);
    const loadBalancer = readLoadBalancerName(problems, join(path, "loadBalancer"), value.loadBalancer);

    if (problems.errors.length > errorsBefore || !name || !database) return undefined;
    return {
        name,
        database: { ...database, ...access.database },
        port,
        allowedCidrs: (rawCidrs ?? []) as string[],
        allowlistEntries: rawEntries ?? [],
        allowlist,
        prefixLists,
        allowPublicInternet,
        idleTimeoutSeconds,
        elasticIps,
        hostname,
        hostedZoneId,
        ipAddressType,
        deletionProtection,
        tags,
        ...(loadBalancer !== undefined ? { loadBalancer } : {}),
        ...(access.integrations.length > 0 ? { integrations: access.integrations } : {}),
        connectionAudit,
    };
}

/** `allowlistExpiryWarningDays`: days ahead an entry's expiry is warned about (0..365, default 14). */
export function readExpiryWarningDays(problems: Problems, path: string, value: unknown): number {
    return optionalInteger(problems, path, value, ALLOWLIST_EXPIRY_WARNING_DAYS.min, ALLOWLIST_EXPIRY_WARNING_DAYS.max) ?? ALLOWLIST_EXPIRY_WARNING_DAYS.default;
}

/** A log retention in days: one of the values CloudWatch Logs accepts. */
export function readRetentionDays(problems: Problems, path: string, value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
        problems.error(path, `${show(value)} is not a retention CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")} days)`);
        return undefined;
    }
    return value;
}

/** The product's `connectionAuditRetentionDays` (default 90). */
export function readDefaultAuditRetention(problems: Problems, path: string, value: unknown): number {
    return readRetentionDays(problems, path, value) ?? CONNECTION_AUDIT_RETENTION_DAYS.default;
}

/** An endpoint's `connectionAudit` (default true) and `connectionAuditRetentionDays` (default: the product's). */
export function readConnectionAudit(problems: Problems, path: string, value: Record<string, unknown>, defaultRetention: number): ConnectionAuditSpec {
    const enabled = optionalBoolean(problems, join(path, "connectionAudit"), value.connectionAudit) ?? true;
    const retentionDays = readRetentionDays(problems, join(path, "connectionAuditRetentionDays"), value.connectionAuditRetentionDays) ?? defaultRetention;
    if (!enabled && value.connectionAuditRetentionDays !== undefined && value.connectionAuditRetentionDays !== null) {
        problems.warn(join(path, "connectionAuditRetentionDays"), "is set but connectionAudit is false, so no flow logs are kept");
    }
    return { enabled, retentionDays };
}

export function parseEndpointName(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null || value === "") {
        problems.error(path, "is required (short lower-case letters, digits and hyphens, e.g. \"reporting\")");
        return undefined;
    }
    return readResourceName(problems, path, value, "endpoint");
}

/**
 * An endpoint's `loadBalancer`: the name of the shared load balancer it listens on (unset: its own). The name
 * becomes part of AWS resource names like an endpoint's, so it follows the same rules.
 */
export function readLoadBalancerName(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (value === "") {
        problems.error(path, 'is empty; name the shared load balancer (e.g. "shared"), or leave loadBalancer out for a load balancer of its own');
        return undefined;
    }
    return readResourceName(problems, path, value, "load balancer");
}

/** A name that prefixes AWS resource names: an endpoint's, or a shared load balancer's. */
function readResourceName(problems: Problems, path: string, value: unknown, what: "endpoint" | "load balancer"): string | undefined {
    if (typeof value !== "string") {
        problems.error(path, `${show(value)} is not a name (a string)`);
        return undefined;
    }
    const rule = what === "endpoint" ? ENDPOINT_NAME : LOAD_BALANCER_NAME;
    if (value.length > rule.maxLength) {
        problems.error(
            path,
            `${show(value)} is ${value.length} characters; at most ${rule.maxLength} fit AWS's 32-character load balancer and target group names`,
        );
        return undefined;
    }
    if (!rule.pattern.test(value) || value.includes("--")) {
        problems.error(
            path,
            `${show(value)} is not a valid name: use lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen`,
        );
        return undefined;
    }
    if (value.startsWith("internal")) {
        problems.error(path, `${show(value)} starts with "internal", which AWS does not allow at the start of a load balancer name`);
        return undefined;
    }
    // The security groups are auto-named from `<name>-sg-<n>` (plus a random suffix), and AWS refuses a security group
    // name that starts with "sg-" (the prefix of security group IDs).
    if (value === "sg" || value.startsWith("sg-")) {
        problems.error(
            path,
            `${show(value)} would name the ${what}'s security groups "${value}-sg-1-...", and AWS refuses security group names that start with "sg-"; choose a name that does not start with "sg-"`,
        );
        return undefined;
    }
    return value;
}

/**
 * Which database `value` (an endpoint's `database`) reaches, from which keys are set: exactly one of
 * `rdsInstanceIdentifier` and `addresses`. Undefined, reported, otherwise.
 */
export function readDatabaseKind(problems: Problems, path: string, value: unknown): "rds" | "self-managed" | undefined {
    if (value === undefined || value === null) {
        problems.error(path, "is required: either rdsInstanceIdentifier, or addresses and port of a self-managed database");
        return undefined;
    }
    if (!isPlainObject(value)) {
        problems.error(path, `${show(value)} is not a map (rdsInstanceIdentifier, or addresses and port)`);
        return undefined;
    }
    // A key left without a value (null) counts as set: reported as empty, not as the other kind of database.
    const hasRds = value.rdsInstanceIdentifier !== undefined;
    const hasAddresses = value.addresses !== undefined;
    if (hasRds && hasAddresses) {
        problems.error(path, "sets both rdsInstanceIdentifier and addresses; an endpoint reaches exactly one database, so set one of them");
        return undefined;
    }
    if (!hasRds && !hasAddresses) {
        problems.error(path, "sets neither rdsInstanceIdentifier nor addresses; set exactly one of them");
        return undefined;
    }
    return hasRds ? "rds" : "self-managed";
}

/** `database.port`: the port of a self-managed database, required; never set with RDS, whose port is its own. */
export function readDatabasePort(problems: Problems, path: string, value: unknown, kind: "rds" | "self-managed"): number | undefined {
    if (kind === "rds") {
        if (value !== undefined) {
            problems.error(path, "is not used with rdsInstanceIdentifier: the instance's own port is used (set the endpoint's port to listen on another one)");
        }
        return undefined;
    }
    const port = readPort(problems, path, value);
    if (value === undefined) problems.error(path, "is required with addresses (the port the database listens on)");
    return port;
}

/** `database.rdsInstanceIdentifier`. */
export function readRdsInstanceIdentifier(problems: Problems, path: string, value: unknown): string | undefined {
    return optionalString(problems, path, value, patterns.rdsIdentifier, "an RDS DB instance identifier (1-63 letters, digits and hyphens, starting with a letter)");
}

/** `database.securityGroupId`. */
export function readSecurityGroupId(problems: Problems, path: string, value: unknown): string | undefined {
    return optionalString(problems, path, value, patterns.securityGroupId, 'a security group ID such as "sg-0123456789abcdef0"');
}

/** A TCP port: the endpoint's `port`, a self-managed database's `database.port`. */
export function readPort(problems: Problems, path: string, value: unknown): number | undefined {
    return optionalInteger(problems, path, value, PORT.min, PORT.max);
}

/** `idleTimeoutSeconds`. */
export function readIdleTimeout(problems: Problems, path: string, value: unknown): number | undefined {
    return optionalInteger(problems, path, value, IDLE_TIMEOUT.min, IDLE_TIMEOUT.max);
}

/** The endpoint's `hostname`. */
export function readHostname(problems: Problems, path: string, value: unknown): string | undefined {
    return optionalString(problems, path, value, patterns.hostname, 'a lower-case DNS name such as "db.example.com"');
}

/** `hostedZoneId`. */
export function readHostedZoneId(problems: Problems, path: string, value: unknown): string | undefined {
    return optionalString(problems, path, value, patterns.hostedZoneId, 'a Route 53 hosted zone ID such as "Z0123456789ABCDEFGHIJ"');
}

/** An alias record needs a name: `hostedZoneId` without `hostname` is refused. */
export function checkHostedZoneHasHostname(problems: Problems, path: string, value: Record<string, unknown>): void {
    if (value.hostedZoneId !== undefined && value.hostedZoneId !== null && (value.hostname === undefined || value.hostname === null)) {
        problems.error(join(path, "hostedZoneId"), "is set without hostname; the record needs a name");
    }
}

/** A self-managed database's `addresses`: private IPv4 addresses, each one load balancer target. */
export function readSelfManagedAddresses(problems: Problems, path: string, value: unknown): { list?: unknown[]; addresses: string[] } {
    const list = optionalArray(problems, path, value);
    if (list && list.length === 0) problems.error(path, "is empty; list the database's private IPv4 address(es)");
    const addresses = readIpv4Addresses(
        problems,
        path,
        list ?? [],
        " (a self-managed database is reached at a private IPv4 address: in the VPC, a peered VPC or on premises)",
    );
    checkTargetAddresses(problems, path, list ?? []);
    return { list, addresses };
}

/** An endpoint's `database`: an RDS instance, or a self-managed database with its TLS and restart settings. */
export function parseDatabase(problems: Problems, path: string, value: unknown): DatabaseSpec | undefined {
    const kind = readDatabaseKind(problems, path, value);
    if (kind === undefined) return undefined;
    const db = value as Record<string, unknown>;
    const securityGroupId = readSecurityGroupId(problems, join(path, "securityGroupId"), db.securityGroupId);
    if (kind === "rds") {
        const id = readRdsInstanceIdentifier(problems, join(path, "rdsInstanceIdentifier"), db.rdsInstanceIdentifier);
        readDatabasePort(problems, join(path, "port"), db.port, kind);
        const restart = readRdsRestart(problems, path, db);
        if (id === undefined) return undefined;
        return { kind: "rds", rdsInstanceIdentifier: id.toLowerCase(), securityGroupId, ...restart };
    }
    const { list, addresses } = readSelfManagedAddresses(problems, join(path, "addresses"), db.addresses);
    const port = readDatabasePort(problems, join(path, "port"), db.port, kind);
    const tls = readSelfManagedTls(problems, path, db);
    if (port === undefined || !list || addresses.length !== list.length) return undefined;
    return { kind: "self-managed", addresses, port, securityGroupId, ...tls };
}

export function parseIpAddressType(
    problems: Problems,
    path: string,
    value: unknown,
    allowlist: AllowlistRule[],
    allowPublicInternet: boolean,
): IpAddressType {
    const hasIpv6Entries = !allowPublicInternet && allowlist.some((r) => r.family === "ipv6");
    if (value === undefined || value === null) return hasIpv6Entries ? IpAddressType.Dualstack : IpAddressType.Ipv4;
    if (value !== IpAddressType.Ipv4 && value !== IpAddressType.Dualstack) {
        problems.error(path, `${show(value)} is not "ipv4" or "dualstack"`);
        return IpAddressType.Ipv4;
    }
    if (value === IpAddressType.Ipv4 && hasIpv6Entries) {
        problems.error(path, `is "ipv4" but the allowlist has IPv6 entries, which an IPv4-only load balancer never receives; use "dualstack"`);
    }
    return value;
}

/**
 * Each load balancer with `elasticIps` allocates one Elastic IP per public subnet, all from the region's one quota:
 * an endpoint's own load balancer, or a shared one once for all its endpoints. Refuses the load balancer whose
 * addresses would go beyond `quotas.elasticIpsPerRegion`, with the counts. `label` names a shared load balancer
 * in the message (its `path` is its first endpoint's).
 */
export function checkElasticIps(
    problems: Problems,
    loadBalancers: { path: string; elasticIps: boolean; label?: string }[],
    subnetCount: number,
    quota: number,
    quotaPath = "quotas.elasticIpsPerRegion",
): void {
    if (subnetCount === 0) return; // the subnets are already refused
    const using = loadBalancers.filter((e) => e.elasticIps);
    const needed = using.length * subnetCount;
    if (needed <= quota) return;
    const fitting = Math.floor(quota / subnetCount);
    const over = Math.ceil((needed - quota) / subnetCount);
    // One endpoint checked on its own (the DatabaseEndpoint component) has the empty path.
    const alone = using.length === 1 && using[0].path === "";
    const shared = using.some((e) => e.label !== undefined);
    const noun = (n: number) => (shared ? `load balancer${n === 1 ? "" : "s"}` : `endpoint${n === 1 ? "" : "s"}`);
    const which = alone ? "is true, which" : `${using.length} ${noun(using.length)} with elasticIps (${using.map((e) => e.label ?? e.path).join(", ")})`;
    const fix = alone
        ? "Use fewer subnets, turn elasticIps off"
        : `Turn elasticIps off on ${over} ${noun(over)}${shared ? " (on every endpoint of a shared one)" : ""}`;
    problems.error(
        join(using[fitting].path, "elasticIps"),
        `${which} ${using.length === 1 ? "needs" : "need"} ${needed} Elastic IPs, ` +
            `one per public subnet (${subnetCount}), more than ${quotaPath} (${quota}); addresses allocated in the region outside this stack ` +
            `count against the same quota. ${fix}, or raise "EC2-VPC Elastic IPs" in Service Quotas and then ${quotaPath}`,
    );
}

export function checkAcrossEndpoints(problems: Problems, endpoints: unknown[]): void {
    const names = new Map<string, number>();
    const hostnames = new Map<string, number>();
    endpoints.forEach((e, i) => {
        if (!isPlainObject(e)) return;
        if (typeof e.name === "string") {
            const first = names.get(e.name);
            if (first !== undefined) {
                problems.error(`endpoints[${i}].name`, `${show(e.name)} is already the name of endpoints[${first}]; names must be unique`);
            } else {
                names.set(e.name, i);
            }
        }
        if (typeof e.hostname === "string") {
            const first = hostnames.get(e.hostname);
            if (first !== undefined) {
                problems.error(
                    `endpoints[${i}].hostname`,
                    `${show(e.hostname)} is already the hostname of endpoints[${first}]; one hostname can point at only one load balancer, so clients would reach one database on this name and port and never the other`,
                );
            } else {
                hostnames.set(e.hostname, i);
            }
        }
    });
}
