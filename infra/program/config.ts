/**
 * The stack config (`Pulumi.<stack>.yaml`, namespace `db-endpoints`) decoded into the args of the
 * `DatabaseEndpoints` component, whose names it shares. Only what YAML needs on top of the component's own
 * rules is here: unknown keys (with "did you mean"), keys left without a value, and the JSON form of the
 * values. The component's rules then report their problems under the same paths
 * (`endpoints[1].allowedCidrs[0]`), all at once, before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AllowlistEntry, DatabaseEndpointsArgs, EndpointDatabase, EndpointSettings, IntegrationSettings } from "../components/databaseEndpoints/args";
import type { AlarmSettings, CertificateAuthoritySettings, Quotas } from "../components/databaseEndpoints/args";
import { checkProduct } from "../model/product";
import type { ParsedProduct } from "../model/spec";
import { checkKnownKeys, isPlainObject, join, Problem, Problems, ValidationError } from "../validation";

export const CONFIG_NAMESPACE = "db-endpoints";

/** Raw config values as read from the stack, keyed without the namespace prefix. */
export type RawStackConfig = Record<string, unknown>;

/** Every key of `T`, in the order given; the compiler refuses a missing or an extra one. */
function keysOf<T>(keys: { [K in keyof Required<T>]: true }): readonly (keyof T & string)[] {
    return Object.keys(keys) as (keyof T & string)[];
}

export const STACK_KEYS = keysOf<DatabaseEndpointsArgs>({
    vpcId: true,
    publicSubnetIds: true,
    endpoints: true,
    quotas: true,
    tags: true,
    targetSync: true,
    targetSyncSchedule: true,
    certificateAuthority: true,
    allowlistExpiryWarningDays: true,
    connectionAuditRetentionDays: true,
    alarms: true,
});
export const ENDPOINT_KEYS = keysOf<EndpointSettings>({
    name: true,
    database: true,
    port: true,
    allowedCidrs: true,
    allowlist: true,
    allowPublicInternet: true,
    idleTimeoutSeconds: true,
    elasticIps: true,
    hostname: true,
    hostedZoneId: true,
    ipAddressType: true,
    deletionProtection: true,
    loadBalancer: true,
    connectionAudit: true,
    connectionAuditRetentionDays: true,
    tags: true,
    integrations: true,
});
export const ALLOWLIST_ENTRY_KEYS = keysOf<AllowlistEntry>({ cidr: true, prefixList: true, expires: true, note: true });
export const DATABASE_KEYS = keysOf<EndpointDatabase>({
    rdsInstanceIdentifier: true,
    addresses: true,
    port: true,
    securityGroupId: true,
    engine: true,
    dbName: true,
    adminSecretArn: true,
    adminConnection: true,
    adminHost: true,
    adminSslRootCert: true,
    objectOwners: true,
    targetHealthTimeoutMinutes: true,
    hostname: true,
    instanceIds: true,
    restartCommand: true,
    restart: true,
    restartTimeoutMinutes: true,
});
export const INTEGRATION_KEYS = keysOf<IntegrationSettings>({
    name: true,
    access: true,
    schemas: true,
    tables: true,
    sequences: true,
    connectionLimit: true,
    rotation: true,
    sslRootCert: true,
});
export const QUOTA_KEYS = keysOf<Quotas>({ rulesPerSecurityGroup: true, securityGroupsPerLoadBalancer: true, elasticIpsPerRegion: true });
export const CERTIFICATE_AUTHORITY_KEYS = keysOf<CertificateAuthoritySettings>({ generations: true, issuer: true });
export const ALARM_KEYS = keysOf<AlarmSettings>({ enabled: true, snsTopicArn: true, emails: true, certificateExpiryDays: true });

/** The maps of the config and the keys each may hold; `each` is the shape of every entry of a list. */
interface Shape {
    keys: readonly string[];
    fields?: Record<string, Shape | { each: Shape }>;
}

const CONFIG_SHAPE: Shape = {
    keys: STACK_KEYS,
    fields: {
        quotas: { keys: QUOTA_KEYS },
        certificateAuthority: { keys: CERTIFICATE_AUTHORITY_KEYS },
        alarms: { keys: ALARM_KEYS },
        endpoints: {
            each: {
                keys: ENDPOINT_KEYS,
                fields: {
                    database: { keys: DATABASE_KEYS },
                    integrations: { each: { keys: INTEGRATION_KEYS } },
                    // The config's allowedCidrs mixes plain CIDR strings with entry maps (checked here); the args' allowlist holds maps.
                    allowedCidrs: { each: { keys: ALLOWLIST_ENTRY_KEYS } },
                    allowlist: { each: { keys: ALLOWLIST_ENTRY_KEYS } },
                },
            },
        },
    },
};

/** Reports unknown keys and keys without a value (YAML `key:` with nothing after it), map by map. */
function checkShape(problems: Problems, path: string, value: unknown, shape: Shape): void {
    if (!isPlainObject(value)) return; // not a map: the component's rule says what it should be
    checkKnownKeys(problems, path, value, shape.keys);
    for (const [key, v] of Object.entries(value)) {
        const inner = shape.fields?.[key];
        if (!inner) continue;
        if ("each" in inner) {
            if (Array.isArray(v)) v.forEach((entry, i) => checkShape(problems, join(join(path, key), i), entry, inner.each));
        } else {
            checkShape(problems, join(path, key), v, inner);
        }
    }
}

/** The path of the map a key is in: `endpoints[0].database` for `endpoints[0].database.port`. */
function mapOf(path: string): string {
    const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
    return cut < 0 ? "" : path.slice(0, cut);
}

/**
 * The key problems among the rules' problems, each before the first problem of the map it is in: in the
 * order a reader meets them, whichever check found them.
 */
function inReadingOrder(keyProblems: Problem[], ruleProblems: Problem[]): Problem[] {
    const result = [...ruleProblems];
    for (const p of keyProblems) {
        const map = mapOf(p.path);
        const at = result.findIndex((r) => map === "" || r.path === map || r.path.startsWith(`${map}.`) || r.path.startsWith(`${map}[`));
        const firstOfMap = at < 0 ? result.length : at;
        // After the key problems already placed there, so that they keep their own order.
        let i = firstOfMap;
        while (i < result.length && keyProblems.includes(result[i])) i++;
        result.splice(i, 0, p);
    }
    return result;
}

/**
 * The stack config's `allowedCidrs` mixes plain CIDR strings and entry maps (`{cidr | prefixList, expires, note}`);
 * the component's args keep the strings in `allowedCidrs` and take the maps in `allowlist`, which C# and the other
 * languages can express. Moves each endpoint's maps over (after any `allowlist` the config writes itself, in the
 * order written), and returns where each entry went, so that the args' problems are reported under the paths the
 * config has.
 */
export function toComponentArgs(raw: RawStackConfig): { args: RawStackConfig; configPath: (argsPath: string) => string } {
    const moved = new Map<string, string>();
    if (!Array.isArray(raw.endpoints)) return { args: raw, configPath: (p) => p };
    const endpoints = raw.endpoints.map(withStringRotations).map((e, i) => {
        if (!isPlainObject(e) || !Array.isArray(e.allowedCidrs) || !e.allowedCidrs.some(isPlainObject)) return e;
        if (e.allowlist !== undefined && !Array.isArray(e.allowlist)) return e; // reported as not a list
        const at = `endpoints[${i}]`;
        const cidrs: unknown[] = [];
        const entries: unknown[] = [...((e.allowlist as unknown[] | undefined) ?? [])];
        e.allowedCidrs.forEach((entry, k) => {
            const from = `${at}.allowedCidrs[${k}]`;
            if (isPlainObject(entry)) {
                moved.set(`${at}.allowlist[${entries.length}]`, from);
                entries.push(entry);
            } else {
                moved.set(`${at}.allowedCidrs[${cidrs.length}]`, from);
                cidrs.push(entry);
            }
        });
        return { ...e, allowedCidrs: cidrs, allowlist: entries };
    });
    const configPath = (argsPath: string) => {
        const m = /^(endpoints\[\d+\]\.(?:allowedCidrs|allowlist)\[\d+\])(.*)$/.exec(argsPath);
        return m && moved.has(m[1]) ? `${moved.get(m[1])}${m[2]}` : argsPath;
    };
    return { args: { ...raw, endpoints }, configPath };
}

/**
 * YAML reads an unquoted rotation trigger such as `rotation: 3` as a number; the args' `rotation` is a string (as
 * C# and the other languages pass it), so a number becomes its decimal text here, the same trigger the component
 * would make of it.
 */
function withStringRotations(endpoint: unknown): unknown {
    if (!isPlainObject(endpoint) || !Array.isArray(endpoint.integrations)) return endpoint;
    const numeric = (i: unknown) => isPlainObject(i) && typeof i.rotation === "number" && Number.isFinite(i.rotation);
    if (!endpoint.integrations.some(numeric)) return endpoint;
    return { ...endpoint, integrations: endpoint.integrations.map((i) => (numeric(i) ? { ...(i as Record<string, unknown>), rotation: String((i as Record<string, unknown>).rotation) } : i)) };
}

/** A decoded stack config: the component's args, and the model its rules made of them. */
export interface DecodedStackConfig extends ParsedProduct {
    args: DatabaseEndpointsArgs;
}

/**
 * Decodes and checks the whole stack config; throws a {@link ValidationError} listing every problem, the
 * config's own and the component's, each under its config path. Returns the component's args, the validated
 * model and the warnings.
 */
export function decodeStackConfig(raw: RawStackConfig): DecodedStackConfig {
    // One collection, so that the rules know the config already has errors (an endpoint with one is never built).
    const problems = new Problems();
    checkShape(problems, "", raw, CONFIG_SHAPE);
    const keyErrors = [...problems.errors];
    const { args, configPath } = toComponentArgs(raw);
    const spec = checkProduct(problems, args);
    const asWritten = (p: Problem): Problem => ({ path: configPath(p.path), message: p.message });
    const errors = inReadingOrder(keyErrors, problems.errors.slice(keyErrors.length).map(asWritten));
    if (errors.length > 0) throw new ValidationError(errors, `${CONFIG_NAMESPACE} configuration`);
    return { args: args as unknown as DatabaseEndpointsArgs, spec, warnings: problems.warnings.map(asWritten) };
}

/** The validated model of a stack config, and its warnings; throws a {@link ValidationError} otherwise. */
export function parseStackConfig(raw: RawStackConfig): ParsedProduct {
    const { spec, warnings } = decodeStackConfig(raw);
    return { spec, warnings };
}

/** Reads this stack's `db-endpoints:*` config values (objects parsed from their JSON form). */
export function readRawStackConfig(): RawStackConfig {
    const raw: RawStackConfig = {};
    const all = pulumi.runtime.allConfig();
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [key, text] of Object.entries(all)) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        raw[name] = parseConfigValue(text);
    }
    return raw;
}

function parseConfigValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text; // plain strings are stored unquoted
    }
}
