/**
 * The stack configuration contract (`Pulumi.<stack>.yaml`, namespace `db-endpoints`) and its
 * validation. Everything here is pure: `parseStackConfig` takes the raw values and returns a typed,
 * normalised spec, or throws a {@link ValidationError} listing every problem, before any resource
 * is registered.
 */
import { AllowlistQuotas, AllowlistRule, normalizeAllowlist, readQuotas, StackQuotas } from "./allowlist";
import {
    CertificateAuthoritySpec,
    groupSelfManagedDatabases,
    RdsRestartName,
    readCertificateAuthority,
    readRdsRestart,
    readSelfManagedTls,
    SelfManagedDatabase,
} from "./certificateConfig";
import {
    checkIntegrationsAcrossEndpoints,
    DATABASE_ACCESS_KEYS,
    DatabaseAccessSpec,
    databaseKey,
    parseDatabaseAccess,
} from "./integrations/databaseAccess";
import { IntegrationSpec } from "./integrations/integrationSpec";
import { DEFAULT_SCHEDULE, scheduleProblem } from "./lambda/targetSync/settings";
import { checkTargetAddresses } from "./net/targets";
import {
    checkKnownKeys,
    isPlainObject,
    join,
    optionalArray,
    optionalBoolean,
    optionalInteger,
    optionalString,
    patterns,
    Problem,
    Problems,
    readIpv4Addresses,
    requiredString,
    show,
    ValidationError,
} from "./validation";

export const CONFIG_NAMESPACE = "db-endpoints";

export const IDLE_TIMEOUT = { min: 60, max: 6000, default: 3600 } as const;

/**
 * Endpoint names become part of AWS resource names. The longest derived name is the load balancer's:
 * `<name>-nlb` plus Pulumi's 8-character random suffix, and AWS caps it at 32 characters.
 */
export const ENDPOINT_NAME = { maxLength: 20, pattern: /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/ } as const;

export interface RdsDatabaseSpec extends DatabaseAccessSpec {
    kind: "rds";
    rdsInstanceIdentifier: string;
    /** Security group to admit the endpoint in; default: the instance's first VPC security group. */
    securityGroupId?: string;
    /** When to reboot the instance after the endpoint is provisioned (unset: "when-pending"). */
    restart?: RdsRestartName;
    /** Bound on the reboot hook, minutes (unset: 20). */
    restartTimeoutMinutes?: number;
}

export interface SelfManagedDatabaseSpec extends DatabaseAccessSpec {
    kind: "self-managed";
    /** Private IPv4 addresses of the database server(s) in the VPC. */
    addresses: string[];
    port: number;
    /** Security group of the database server to admit the endpoint in; without it the user does that. */
    securityGroupId?: string;
    /** The database's DNS name inside the VPC, named in its certificate. */
    hostname?: string;
    /** EC2 instances the restart hook runs on after the certificate is (re)issued; unset: restart by hand. */
    instanceIds?: string[];
    /** Replaces the engine's default reload/restart command of the restart hook. */
    restartCommand?: string;
    /** Bound on the restart hook, minutes (unset: default 10). */
    restartTimeoutMinutes?: number;
}

export type DatabaseSpec = RdsDatabaseSpec | SelfManagedDatabaseSpec;

export interface EndpointSpec {
    name: string;
    database: DatabaseSpec;
    /** Listener port; undefined means the database's port. */
    port?: number;
    /** The allowlist as written (validated). */
    allowedCidrs: string[];
    /** The rules in effect: normalised, de-duplicated, or the whole internet when opted in. */
    allowlist: AllowlistRule[];
    allowPublicInternet: boolean;
    idleTimeoutSeconds: number;
    elasticIps: boolean;
    hostname?: string;
    hostedZoneId?: string;
    ipAddressType: "ipv4" | "dualstack";
    deletionProtection: boolean;
    tags: Record<string, string>;
    /** Least-privileged database users for external services (present only when declared). */
    integrations?: IntegrationSpec[];
}

export interface StackSpec {
    vpcId: string;
    publicSubnetIds: string[];
    endpoints: EndpointSpec[];
    quotas: StackQuotas;
    tags: Record<string, string>;
    targetSync: TargetSyncSpec;
    /** Generations of the stack's private CA and the one that issues server certificates. */
    certificateAuthority: CertificateAuthoritySpec;
    /** Self-managed databases (one per distinct addresses and port), each with one server certificate. */
    selfManagedDatabases: SelfManagedDatabase[];
}

/** Stack keys `targetSync` and `targetSyncSchedule`: RDS endpoints' targets follow the instance's address. */
export interface TargetSyncSpec {
    /** A function keeps each RDS endpoint's target group pointed at the instance's current address (default true). */
    enabled: boolean;
    /** The function's backstop schedule, an EventBridge rate expression (default `rate(1 minute)`). */
    schedule: string;
}

/** Raw config values as read from the stack, keyed without the namespace prefix. */
export type RawStackConfig = Record<string, unknown>;

export const STACK_KEYS = ["vpcId", "publicSubnetIds", "endpoints", "quotas", "tags", "targetSync", "targetSyncSchedule", "certificateAuthority"] as const;
export const ENDPOINT_KEYS = [
    "name",
    "database",
    "port",
    "allowedCidrs",
    "allowPublicInternet",
    "idleTimeoutSeconds",
    "elasticIps",
    "hostname",
    "hostedZoneId",
    "ipAddressType",
    "deletionProtection",
    "tags",
    "integrations",
] as const;
export const DATABASE_KEYS = [
    "rdsInstanceIdentifier",
    "addresses",
    "port",
    "securityGroupId",
    ...DATABASE_ACCESS_KEYS,
    "hostname",
    "instanceIds",
    "restartCommand",
    "restart",
    "restartTimeoutMinutes",
] as const;

export interface ParsedStackConfig {
    spec: StackSpec;
    warnings: Problem[];
}

/** Validates the whole stack config; throws a ValidationError listing every problem. */
export function parseStackConfig(raw: RawStackConfig): ParsedStackConfig {
    const problems = new Problems();
    checkKnownKeys(problems, "", raw, STACK_KEYS);

    const vpcId = requiredString(problems, "vpcId", raw.vpcId, patterns.vpcId, 'a VPC ID such as "vpc-0a1b2c3d4e5f60718"');
    const publicSubnetIds = readSubnets(problems, raw.publicSubnetIds);
    const quotas = readQuotas(problems, "quotas", raw.quotas);
    const tags = readTags(problems, "tags", raw.tags);
    const targetSync = readTargetSync(problems, raw.targetSync, raw.targetSyncSchedule);
    const certificateAuthority = readCertificateAuthority(problems, "certificateAuthority", raw.certificateAuthority);

    const endpoints: EndpointSpec[] = [];
    const rawEndpoints = optionalArray(problems, "endpoints", raw.endpoints);
    if (rawEndpoints === undefined && raw.endpoints === undefined) {
        problems.error("endpoints", "is required (a list of database endpoints)");
    } else if (rawEndpoints && rawEndpoints.length === 0) {
        problems.error("endpoints", "is empty; declare at least one endpoint");
    }
    const parsedAt: number[] = [];
    (rawEndpoints ?? []).forEach((value, i) => {
        const endpoint = parseEndpoint(problems, `endpoints[${i}]`, value, quotas);
        if (endpoint) {
            endpoints.push(endpoint);
            parsedAt.push(i);
        }
    });
    checkAcrossEndpoints(problems, rawEndpoints ?? []);
    checkElasticIps(
        problems,
        endpoints.map((e, k) => ({ path: `endpoints[${parsedAt[k]}]`, elasticIps: e.elasticIps })),
        publicSubnetIds.length,
        quotas.elasticIpsPerRegion,
    );
    if (problems.ok && rawEndpoints && endpoints.length !== rawEndpoints.length) {
        // Backstop: an endpoint that was written must never vanish without an error (`pulumi up` would delete it).
        rawEndpoints.forEach((_, i) => {
            if (!parsedAt.includes(i)) problems.error(`endpoints[${i}]`, "could not be read; check every field of this endpoint");
        });
    }
    checkIntegrationsAcrossEndpoints(
        problems,
        endpoints.map((e, k) => ({ path: `endpoints[${parsedAt[k]}]`, databaseKey: databaseKey(e.database), integrations: e.integrations ?? [] })),
    );
    const selfManagedDatabases = groupSelfManagedDatabases(
        problems,
        endpoints.map((spec, k) => ({ index: parsedAt[k], spec })),
    );

    if (!problems.ok) throw new ValidationError(problems.errors, "db-endpoints configuration");
    return {
        spec: { vpcId: vpcId!, publicSubnetIds, endpoints, quotas, tags, targetSync, certificateAuthority, selfManagedDatabases },
        warnings: problems.warnings,
    };
}

function readSubnets(problems: Problems, value: unknown): string[] {
    if (value === undefined || value === null) {
        problems.error("publicSubnetIds", "is required (the public subnets the load balancers are placed in, one per Availability Zone)");
        return [];
    }
    const list = optionalArray(problems, "publicSubnetIds", value);
    if (!list) return [];
    if (list.length === 0) problems.error("publicSubnetIds", "is empty; an internet-facing load balancer needs at least one public subnet");
    const result: string[] = [];
    list.forEach((s, i) => {
        const id = optionalString(problems, `publicSubnetIds[${i}]`, s, patterns.subnetId, 'a subnet ID such as "subnet-0aa11bb22cc33dd44"');
        if (id === undefined) return;
        if (result.includes(id)) {
            problems.error(`publicSubnetIds[${i}]`, `${show(id)} is listed twice`);
            return;
        }
        result.push(id);
    });
    if (result.length === 1) {
        problems.warn(
            "publicSubnetIds",
            "only one subnet: the endpoints have no Availability Zone redundancy, and a Multi-AZ database that fails over to another zone stays reachable only through cross-zone load balancing",
        );
    }
    return result;
}

/** `targetSync` (default true) and `targetSyncSchedule` (a rate of 1 to 5 minutes, default every minute). */
export function readTargetSync(problems: Problems, enabledValue: unknown, scheduleValue: unknown): TargetSyncSpec {
    const enabled = optionalBoolean(problems, "targetSync", enabledValue) ?? true;
    let schedule = DEFAULT_SCHEDULE;
    if (scheduleValue !== undefined && scheduleValue !== null) {
        const problem = scheduleProblem(scheduleValue);
        if (problem) problems.error("targetSyncSchedule", problem);
        else schedule = scheduleValue as string;
        if (enabledValue === false) problems.warn("targetSyncSchedule", "is set but targetSync is false, so nothing runs on it");
    }
    return { enabled, schedule };
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
        if (k.length < 1 || k.length > 128 || k.toLowerCase().startsWith("aws:")) {
            problems.error(join(path, k), "is not a usable tag name (1..128 characters, not starting with \"aws:\")");
        } else if (typeof v !== "string" || v.length > 256) {
            problems.error(join(path, k), `${show(v)} is not a tag value (a string of at most 256 characters)`);
        } else {
            tags[k] = v;
        }
    }
    if (Object.keys(value).length > MAX_USER_TAGS) {
        problems.error(path, `has ${Object.keys(value).length} tags; at most ${MAX_USER_TAGS} fit AWS's 50 per resource beside the ones db-endpoints adds`);
    }
    return tags;
}

/** AWS allows 50 tags per resource; db-endpoints adds up to 4 of its own (endpoint, managed-by, Name, ...). */
export const MAX_USER_TAGS = 45;

function parseEndpoint(problems: Problems, path: string, value: unknown, quotas: AllowlistQuotas): EndpointSpec | undefined {
    if (!isPlainObject(value)) {
        problems.error(path, `${show(value)} is not an endpoint (a map with name, database, allowedCidrs, ...)`);
        return undefined;
    }
    checkKnownKeys(problems, path, value, ENDPOINT_KEYS);
    const errorsBefore = problems.errors.length;

    const name = parseEndpointName(problems, join(path, "name"), value.name);
    const database = parseDatabase(problems, join(path, "database"), value.database);
    const access = parseDatabaseAccess(problems, join(path, "database"), join(path, "integrations"), value.database, value.integrations, database?.kind);
    const port = optionalInteger(problems, join(path, "port"), value.port, 1, 65535);
    const allowPublicInternet = optionalBoolean(problems, join(path, "allowPublicInternet"), value.allowPublicInternet) ?? false;
    const rawCidrs = optionalArray(problems, join(path, "allowedCidrs"), value.allowedCidrs);
    const allowlist =
        value.allowedCidrs !== undefined && rawCidrs === undefined // not a list, or null: already reported
            ? []
            : normalizeAllowlist(problems, join(path, "allowedCidrs"), rawCidrs, allowPublicInternet, join(path, "allowPublicInternet"), quotas);
    const idleTimeoutSeconds =
        optionalInteger(problems, join(path, "idleTimeoutSeconds"), value.idleTimeoutSeconds, IDLE_TIMEOUT.min, IDLE_TIMEOUT.max) ??
        IDLE_TIMEOUT.default;
    const elasticIps = optionalBoolean(problems, join(path, "elasticIps"), value.elasticIps) ?? false;
    const deletionProtection = optionalBoolean(problems, join(path, "deletionProtection"), value.deletionProtection) ?? true;
    const hostname = optionalString(
        problems,
        join(path, "hostname"),
        value.hostname,
        patterns.hostname,
        'a lower-case DNS name such as "db.example.com"',
    );
    const hostedZoneId = optionalString(
        problems,
        join(path, "hostedZoneId"),
        value.hostedZoneId,
        patterns.hostedZoneId,
        'a Route 53 hosted zone ID such as "Z0123456789ABCDEFGHIJ"',
    );
    if (value.hostedZoneId !== undefined && value.hostname === undefined) {
        problems.error(join(path, "hostedZoneId"), "is set without hostname; the record needs a name");
    }
    const ipAddressType = parseIpAddressType(problems, join(path, "ipAddressType"), value.ipAddressType, allowlist, allowPublicInternet);
    const tags = readTags(problems, join(path, "tags"), value.tags);

    if (problems.errors.length > errorsBefore || !name || !database) return undefined;
    return {
        name,
        database: { ...database, ...access.database },
        port,
        allowedCidrs: (rawCidrs ?? []) as string[],
        allowlist,
        allowPublicInternet,
        idleTimeoutSeconds,
        elasticIps,
        hostname,
        hostedZoneId,
        ipAddressType,
        deletionProtection,
        tags,
        ...(access.integrations.length > 0 ? { integrations: access.integrations } : {}),
    };
}

export function parseEndpointName(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null || value === "") {
        problems.error(path, "is required (short lower-case letters, digits and hyphens, e.g. \"reporting\")");
        return undefined;
    }
    if (typeof value !== "string") {
        problems.error(path, `${show(value)} is not a name (a string)`);
        return undefined;
    }
    if (value.length > ENDPOINT_NAME.maxLength) {
        problems.error(
            path,
            `${show(value)} is ${value.length} characters; at most ${ENDPOINT_NAME.maxLength} fit AWS's 32-character load balancer and target group names`,
        );
        return undefined;
    }
    if (!ENDPOINT_NAME.pattern.test(value) || value.includes("--")) {
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
            `${show(value)} would name the endpoint's security groups "${value}-sg-1-...", and AWS refuses security group names that start with "sg-"; choose a name that does not start with "sg-"`,
        );
        return undefined;
    }
    return value;
}

function parseDatabase(problems: Problems, path: string, value: unknown): DatabaseSpec | undefined {
    if (value === undefined || value === null) {
        problems.error(path, "is required: either rdsInstanceIdentifier, or addresses and port of a self-managed database");
        return undefined;
    }
    if (!isPlainObject(value)) {
        problems.error(path, `${show(value)} is not a map (rdsInstanceIdentifier, or addresses and port)`);
        return undefined;
    }
    checkKnownKeys(problems, path, value, DATABASE_KEYS);
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
    const securityGroupId = optionalString(
        problems,
        join(path, "securityGroupId"),
        value.securityGroupId,
        patterns.securityGroupId,
        'a security group ID such as "sg-0123456789abcdef0"',
    );
    if (hasRds) {
        const id = optionalString(
            problems,
            join(path, "rdsInstanceIdentifier"),
            value.rdsInstanceIdentifier,
            patterns.rdsIdentifier,
            "an RDS DB instance identifier (1-63 letters, digits and hyphens, starting with a letter)",
        );
        if (value.port !== undefined) {
            problems.error(join(path, "port"), "is not used with rdsInstanceIdentifier: the instance's own port is used (set the endpoint's port to listen on another one)");
        }
        const restart = readRdsRestart(problems, path, value);
        if (id === undefined) return undefined;
        return { kind: "rds", rdsInstanceIdentifier: id.toLowerCase(), securityGroupId, ...restart };
    }
    const list = optionalArray(problems, join(path, "addresses"), value.addresses);
    if (list && list.length === 0) problems.error(join(path, "addresses"), "is empty; list the database's private IPv4 address(es)");
    const addresses = readIpv4Addresses(
        problems,
        join(path, "addresses"),
        list ?? [],
        " (a self-managed database is reached at a private IPv4 address: in the VPC, a peered VPC or on premises)",
    );
    checkTargetAddresses(problems, join(path, "addresses"), list ?? []);
    const port = optionalInteger(problems, join(path, "port"), value.port, 1, 65535);
    if (value.port === undefined) problems.error(join(path, "port"), "is required with addresses (the port the database listens on)");
    const tls = readSelfManagedTls(problems, path, value);
    if (port === undefined || !list || addresses.length !== list.length) return undefined;
    return { kind: "self-managed", addresses, port, securityGroupId, ...tls };
}

function parseIpAddressType(
    problems: Problems,
    path: string,
    value: unknown,
    allowlist: AllowlistRule[],
    allowPublicInternet: boolean,
): "ipv4" | "dualstack" {
    const hasIpv6Entries = !allowPublicInternet && allowlist.some((r) => r.family === "ipv6");
    if (value === undefined || value === null) return hasIpv6Entries ? "dualstack" : "ipv4";
    if (value !== "ipv4" && value !== "dualstack") {
        problems.error(path, `${show(value)} is not "ipv4" or "dualstack"`);
        return "ipv4";
    }
    if (value === "ipv4" && hasIpv6Entries) {
        problems.error(path, `is "ipv4" but the allowlist has IPv6 entries, which an IPv4-only load balancer never receives; use "dualstack"`);
    }
    return value;
}

/**
 * Each endpoint with `elasticIps` allocates one Elastic IP per public subnet, all from the region's one quota:
 * refuses the endpoint whose addresses would go beyond `quotas.elasticIpsPerRegion`, with the counts.
 */
export function checkElasticIps(problems: Problems, endpoints: { path: string; elasticIps: boolean }[], subnetCount: number, quota: number): void {
    if (subnetCount === 0) return; // publicSubnetIds is already refused
    const using = endpoints.filter((e) => e.elasticIps);
    const needed = using.length * subnetCount;
    if (needed <= quota) return;
    const fitting = Math.floor(quota / subnetCount);
    const over = Math.ceil((needed - quota) / subnetCount);
    problems.error(
        join(using[fitting].path, "elasticIps"),
        `${using.length} endpoint${using.length === 1 ? "" : "s"} with elasticIps (${using.map((e) => e.path).join(", ")}) ${using.length === 1 ? "needs" : "need"} ${needed} Elastic IPs, ` +
            `one per public subnet (${subnetCount}), more than quotas.elasticIpsPerRegion (${quota}); addresses allocated in the region outside this stack ` +
            `count against the same quota. Turn elasticIps off on ${over} endpoint${over === 1 ? "" : "s"}, or raise "EC2-VPC Elastic IPs" in Service Quotas and then quotas.elasticIpsPerRegion`,
    );
}

function checkAcrossEndpoints(problems: Problems, endpoints: unknown[]): void {
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
