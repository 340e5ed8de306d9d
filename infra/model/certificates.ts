/**
 * The rules of certificate validation: the private CA's generations, the RDS restart policy, the
 * self-managed database's TLS and restart settings, and the grouping of endpoints that reach the same
 * self-managed database (they share one certificate and one restart hook). Pure: every problem is reported
 * with the others, before any resource exists.
 */
import { DatabaseEngine, RDS_RESTART_POLICIES, RdsRestartPolicy } from "../enums";
import { isPlainObject, join, optionalArray, optionalInteger, optionalString, patterns, Problems, show } from "../validation";
import { CA_GENERATION, MAX_INSTANCE_IDS, RESTART_COMMAND_MAX_LENGTH, RESTART_TIMEOUT_MINUTES } from "./limits";
import type { CertificateAuthoritySpec, EndpointSpec, RdsRestartSpec, SelfManagedDatabase, SelfManagedTlsSpec } from "./spec";

/** `certificateAuthority`: default one generation, 1; the issuer defaults to the oldest generation listed. */
export function readCertificateAuthority(problems: Problems, path: string, value: unknown): CertificateAuthoritySpec {
    const fallback = { generations: [1], issuer: 1 };
    if (value === undefined || value === null) return fallback;
    if (!isPlainObject(value)) {
        problems.error(path, `${show(value)} is not a map (generations, issuer)`);
        return fallback;
    }
    const generations: number[] = [];
    const list = optionalArray(problems, join(path, "generations"), value.generations);
    if (list && list.length === 0) {
        problems.error(join(path, "generations"), "is empty; the stack needs at least one CA generation (the default is [1])");
    }
    (list ?? []).forEach((g, i) => {
        const at = join(join(path, "generations"), i);
        const n = optionalInteger(problems, at, g, CA_GENERATION.min, CA_GENERATION.max);
        if (n === undefined) return;
        if (generations.includes(n)) problems.error(at, `${n} is listed twice`);
        else generations.push(n);
    });
    if (value.generations === undefined) generations.push(1);
    generations.sort((a, b) => a - b);
    let issuer = generations[0] ?? 1;
    if (value.issuer !== undefined && value.issuer !== null) {
        const n = optionalInteger(problems, join(path, "issuer"), value.issuer, CA_GENERATION.min, CA_GENERATION.max);
        if (n !== undefined && generations.length > 0 && !generations.includes(n)) {
            problems.error(
                join(path, "issuer"),
                `${n} is not one of the generations (${generations.join(", ")}); the issuing CA must exist, so add it to generations first`,
            );
        } else if (n !== undefined) {
            issuer = n;
        }
    }
    return { generations: generations.length > 0 ? generations : [1], issuer };
}

/** Fields of `database` that exist for self-managed databases only, and why, for the RDS error. */
const SELF_MANAGED_ONLY: Record<string, string> = {
    hostname: "RDS's certificate names the instance's own endpoint, which the program reads from RDS",
    instanceIds: "an RDS instance is rebooted through the RDS API (see database.restart)",
    restartCommand: "an RDS instance is rebooted through the RDS API (see database.restart)",
};

/** `restartTimeoutMinutes`, for either kind of database (the default differs, the bounds do not). */
export function readRestartTimeoutMinutes(problems: Problems, path: string, value: unknown): number | undefined {
    return optionalInteger(problems, path, value, RESTART_TIMEOUT_MINUTES.min, RESTART_TIMEOUT_MINUTES.max);
}

function readRestartTimeout(problems: Problems, path: string, value: Record<string, unknown>): number | undefined {
    return readRestartTimeoutMinutes(problems, join(path, "restartTimeoutMinutes"), value.restartTimeoutMinutes);
}

/** A self-managed database's DNS name inside the VPC (named in its certificate). */
export function readDatabaseHostname(problems: Problems, path: string, value: unknown): string | undefined {
    return optionalString(problems, path, value, patterns.hostname, 'a lower-case DNS name such as "db1.internal.example.com" (the name the database has inside the VPC)');
}

/**
 * `instanceIds`: the EC2 instances a self-managed database runs on (at most 50, none twice). Undefined when
 * unset or empty (an empty list is refused); otherwise the valid IDs.
 */
export function readInstanceIds(problems: Problems, path: string, value: unknown): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    const list = optionalArray(problems, path, value);
    if (list && list.length === 0) {
        problems.error(path, "is empty; list the EC2 instances the database runs on, or leave instanceIds out");
    } else if (list && list.length > MAX_INSTANCE_IDS) {
        problems.error(path, `lists ${list.length} instances; one SSM command reaches at most ${MAX_INSTANCE_IDS}`);
    }
    const ids: string[] = [];
    (list ?? []).forEach((id, i) => {
        const at = join(path, i);
        if (typeof id !== "string" || !patterns.instanceId.test(id)) {
            problems.error(at, `${show(id)} is not an EC2 instance ID (such as "i-0123456789abcdef0")`);
        } else if (ids.includes(id)) {
            problems.error(at, `${show(id)} is listed twice`);
        } else {
            ids.push(id);
        }
    });
    return list && list.length > 0 ? ids : undefined;
}

/** `restartCommand`: a non-empty shell command of at most 4096 characters, without NUL. */
export function readRestartCommand(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || value.trim() === "") {
        problems.error(path, `${show(value)} is not a shell command (a non-empty string)`);
    } else if (value.length > RESTART_COMMAND_MAX_LENGTH) {
        problems.error(path, `is ${value.length} characters; at most ${RESTART_COMMAND_MAX_LENGTH} are accepted`);
    } else if (value.includes("\0")) {
        problems.error(path, "contains a NUL character");
    } else {
        return value;
    }
    return undefined;
}

/** Where the settings of a self-managed database's restart are written, for {@link checkRestartSettings}. */
export interface RestartSettingPaths {
    instanceIds: string;
    engine: string;
    /** Set when `restartCommand` is. */
    restartCommand?: string;
    /** Set when `restartTimeoutMinutes` is. */
    restartTimeoutMinutes?: string;
}

/**
 * The restart settings of a self-managed database together: a restart command or timeout needs instances to
 * run on, and instances need the engine (it decides the service user and the default command).
 * `instanceIds`: undefined when not set (a list whose entries were all refused is set).
 */
export function checkRestartSettings(
    problems: Problems,
    instanceIds: readonly string[] | undefined,
    engine: DatabaseEngine | undefined,
    paths: RestartSettingPaths,
): void {
    if (instanceIds === undefined) {
        for (const path of [paths.restartCommand, paths.restartTimeoutMinutes]) {
            if (path !== undefined) problems.error(path, `is set but ${paths.instanceIds} is not: there is no instance to run the restart on`);
        }
    } else if (engine === undefined) {
        problems.error(
            paths.engine,
            'is required with instanceIds ("postgres" or "mysql"): the restart hook installs the certificate for the engine\'s service user ' +
                "and, without restartCommand, reloads or restarts that engine",
        );
    }
}

/** Reads `database.restart` and `database.restartTimeoutMinutes` of an RDS database; rejects self-managed fields. */
export function readRdsRestart(problems: Problems, path: string, value: Record<string, unknown>): RdsRestartSpec {
    for (const [key, why] of Object.entries(SELF_MANAGED_ONLY)) {
        if (value[key] !== undefined) problems.error(join(path, key), `is not used with rdsInstanceIdentifier: ${why}`);
    }
    let restart: RdsRestartPolicy | undefined;
    if (value.restart !== undefined && value.restart !== null) {
        if (typeof value.restart === "string" && (RDS_RESTART_POLICIES as readonly string[]).includes(value.restart)) {
            restart = value.restart as RdsRestartPolicy;
        } else {
            problems.error(join(path, "restart"), `${show(value.restart)} is not one of ${RDS_RESTART_POLICIES.map((v) => `"${v}"`).join(", ")}`);
        }
    }
    const timeout = readRestartTimeout(problems, path, value);
    if (timeout !== undefined && restart === RdsRestartPolicy.Never) {
        problems.error(join(path, "restartTimeoutMinutes"), `has no effect with restart: "never" (nothing is restarted); remove it or change restart`);
    }
    return { ...(restart !== undefined ? { restart } : {}), ...(timeout !== undefined ? { restartTimeoutMinutes: timeout } : {}) };
}

/** Reads the TLS and restart fields of a self-managed database; rejects the RDS-only `restart`. */
export function readSelfManagedTls(problems: Problems, path: string, value: Record<string, unknown>): SelfManagedTlsSpec {
    if (value.restart !== undefined) {
        problems.error(
            join(path, "restart"),
            "is only for RDS databases (rdsInstanceIdentifier); a self-managed database is restarted on database.instanceIds with database.restartCommand",
        );
    }
    const spec: SelfManagedTlsSpec = {};
    const hostname = readDatabaseHostname(problems, join(path, "hostname"), value.hostname);
    if (hostname !== undefined) spec.hostname = hostname;
    const instanceIds = readInstanceIds(problems, join(path, "instanceIds"), value.instanceIds);
    if (instanceIds !== undefined) spec.instanceIds = instanceIds;
    const restartCommand = readRestartCommand(problems, join(path, "restartCommand"), value.restartCommand);
    if (restartCommand !== undefined) spec.restartCommand = restartCommand;
    const timeout = readRestartTimeout(problems, path, value);
    if (timeout !== undefined) spec.restartTimeoutMinutes = timeout;
    return spec;
}

/** An endpoint spec with its index in the `endpoints` list, for field paths. */
export interface IndexedEndpoint {
    index: number;
    spec: EndpointSpec;
}

const SHARED_FIELDS = ["engine", "hostname", "instanceIds", "restartCommand", "restartTimeoutMinutes"] as const;
type SharedField = (typeof SHARED_FIELDS)[number];

/** The name of the certificate component of the database at `addresses` (sorted) and `port`. */
export function selfManagedDatabaseName(addresses: string[], port: number): string {
    return `db-${[...addresses].sort(compareAddresses).join("-")}-${port}`;
}

/**
 * Groups the self-managed endpoints by database (same addresses and port). The settings of a database may
 * be written on any of its endpoints; where several set one, they must agree. The merged settings are
 * written back to every endpoint's spec. Reports: overlapping but different address lists on one port,
 * disagreeing settings, instance-dependent settings without instanceIds, instanceIds without engine.
 */
export function groupSelfManagedDatabases(problems: Problems, endpoints: IndexedEndpoint[]): SelfManagedDatabase[] {
    const groups = new Map<string, { addresses: string[]; port: number; members: IndexedEndpoint[] }>();
    for (const e of endpoints) {
        const db = e.spec.database;
        if (db.kind !== "self-managed") continue;
        const addresses = [...db.addresses].sort(compareAddresses);
        const key = `${addresses.join(",")}:${db.port}`;
        const group = groups.get(key) ?? { addresses, port: db.port, members: [] };
        group.members.push(e);
        groups.set(key, group);
    }

    const list = [...groups.values()];
    list.forEach((group, g) => {
        for (const other of list.slice(0, g)) {
            if (other.port !== group.port) continue;
            const shared = group.addresses.filter((a) => other.addresses.includes(a));
            if (shared.length === 0) continue;
            const here = group.members[0];
            const there = other.members[0];
            problems.error(
                `endpoints[${here.index}].database.addresses`,
                `${show(group.addresses)} shares ${shared.join(", ")} with endpoints[${there.index}].database.addresses ` +
                    `(${show(other.addresses)}) on port ${group.port} but is not the same list; endpoints that reach the same ` +
                    `database share one certificate and one restart hook, so list the same addresses`,
            );
        }
    });

    const result: SelfManagedDatabase[] = [];
    for (const group of list) {
        const where = `${group.addresses.join(",")}:${group.port}`;
        const first: Partial<Record<SharedField, IndexedEndpoint>> = {};
        const merged: SelfManagedTlsSpec & { engine?: DatabaseEngine } = {};
        for (const member of group.members) {
            const db = member.spec.database;
            if (db.kind !== "self-managed") continue;
            for (const field of SHARED_FIELDS) {
                const value = db[field];
                if (value === undefined) continue;
                const earlier = first[field];
                if (earlier === undefined) {
                    first[field] = member;
                    (merged as Record<string, unknown>)[field] = value;
                } else if (canonical(value) !== canonical(merged[field])) {
                    problems.error(
                        `endpoints[${member.index}].database.${field}`,
                        `${show(value)} differs from endpoints[${earlier.index}].database.${field} (${show(merged[field])}); ` +
                            `endpoints that reach the same database (${where}) share one certificate and restart hook, so set it once or the same everywhere`,
                    );
                }
            }
        }
        const instanceIds = merged.instanceIds ?? [];
        const at = (field: SharedField) => (first[field] ? `endpoints[${first[field]!.index}].database.${field}` : undefined);
        checkRestartSettings(problems, merged.instanceIds, merged.engine, {
            instanceIds: "database.instanceIds",
            engine: at("instanceIds")?.replace(/instanceIds$/, "engine") ?? "database.engine",
            restartCommand: at("restartCommand"),
            restartTimeoutMinutes: at("restartTimeoutMinutes"),
        });
        const database: SelfManagedDatabase = {
            name: selfManagedDatabaseName(group.addresses, group.port),
            addresses: group.addresses,
            port: group.port,
            engine: merged.engine,
            hostname: merged.hostname,
            instanceIds,
            restartCommand: merged.restartCommand,
            restartTimeoutMinutes: merged.restartTimeoutMinutes ?? RESTART_TIMEOUT_MINUTES.selfManagedDefault,
            endpoints: group.members.map((m) => m.spec.name),
        };
        for (const member of group.members) {
            const db = member.spec.database;
            if (db.kind !== "self-managed") continue;
            const adminHost = db.admin?.host;
            if (adminHost !== undefined && adminHost !== database.hostname) {
                problems.warn(
                    `endpoints[${member.index}].database.adminHost`,
                    `${show(adminHost)} is not a name on the database's certificate, which names database.hostname ` +
                        `(${database.hostname === undefined ? "unset" : show(database.hostname)}), the addresses and the endpoint hostnames; ` +
                        `set database.hostname to it so that a connection to it can verify the certificate`,
                );
            }
            // Only settings that are set, so a spec without them keeps its shape.
            if (merged.engine !== undefined) db.engine = merged.engine;
            if (merged.hostname !== undefined) db.hostname = merged.hostname;
            if (instanceIds.length > 0) db.instanceIds = [...instanceIds];
            if (merged.restartCommand !== undefined) db.restartCommand = merged.restartCommand;
            if (merged.restartTimeoutMinutes !== undefined) db.restartTimeoutMinutes = merged.restartTimeoutMinutes;
        }
        result.push(database);
    }
    return result;
}

function canonical(value: unknown): string {
    return Array.isArray(value) ? JSON.stringify([...value].sort()) : JSON.stringify(value);
}

function compareAddresses(a: string, b: string): number {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
    return 0;
}
