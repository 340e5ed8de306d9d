/**
 * What changing a product from one validated model to another does to it, in the terms a reviewer approves a
 * change in: which settings differ, which load balancers are replaced (a new DNS name for every endpoint on
 * them), which self-managed databases' certificates are issued or re-issued, and which databases are restarted.
 * Pure: it compares two models by the rules the components follow (./forceNew.ts for what AWS cannot change in
 * place; docs/updates.md, docs/certificates.md and docs/restarts.md say the same in prose).
 *
 * - A load balancer is matched by its name and whether it is shared (its resources' names and owner). It is
 *   replaced when `elasticIps` is switched, or when a public subnet is removed or swapped (adding one is done in
 *   place); with Elastic IPs the old one is deleted first, an outage until the new one serves.
 * - An endpoint that moves onto, off or between shared load balancers gets the other load balancer's DNS name.
 * - A self-managed database's certificate names its `database.hostname`, its addresses, each endpoint hostname that
 *   reaches it and the DNS name of each load balancer it is reached through; when those names change, or the
 *   issuing CA generation does, it is re-issued (the TLS provider replaces the request and the certificate). A
 *   database at other addresses or another port is another certificate, issued anew.
 * - A (re)issued certificate runs its restart hook: SSM Run Command on `instanceIds`, else a restart by hand. An RDS
 *   endpoint's restart hook runs after its listener is created (a new endpoint, a new load balancer), and
 *   restarts the instance always with `restart: always`, otherwise only for a pending change its policy allows.
 */
import { RdsRestartPolicy } from "../enums";
import { mappingsForceNew } from "./forceNew";
import type { EndpointSpec, LoadBalancerSpec, SelfManagedDatabase, StackSpec } from "./spec";

/** One setting that differs, by its path in the config (`endpoints[reporting].elasticIps`, `publicSubnetIds`). */
export interface SettingChange {
    path: string;
    /** Undefined: not set before. */
    before: unknown;
    /** Undefined: not set now. */
    after: unknown;
    /** For a list of plain values: what it gains and loses. */
    added?: unknown[];
    removed?: unknown[];
}

/** A load balancer from one model to the other. */
export interface LoadBalancerChange {
    name: string;
    shared: boolean;
    status: "added" | "removed" | "replaced" | "kept";
    /** Why it is replaced (empty unless replaced). */
    reasons: string[];
    /** Replaced with Elastic IPs: the old one is deleted first, so its endpoints serve nothing until the new one does. */
    deletedFirst: boolean;
    /** Deleted or replaced while deletion protection is on: AWS refuses until it is turned off in a deployment before. */
    blockedByDeletionProtection: boolean;
    /** Its endpoints in the new model (the old one's when removed). */
    endpoints: string[];
}

/** A self-managed database's certificate from one model to the other. */
export interface CertificateChange {
    /** The certificate component's name, `db-<addresses>-<port>`. */
    database: string;
    action: "issued" | "re-issued" | "deleted";
    reasons: string[];
    /** The endpoints that reach it (in the new model; the old one's when deleted). */
    endpoints: string[];
}

/** How a database is restarted by the update. */
export interface RestartChange {
    /**
     * `rds-reboot`: the RDS instance is restarted; `rds-if-pending`: the restart hook runs and restarts the instance
     * only for a pending change its policy allows; `ssm`: SSM Run Command installs the certificate and restarts or
     * reloads the database; `manual`: someone must install the certificate and restart the database.
     */
    how: "rds-reboot" | "rds-if-pending" | "ssm" | "manual";
    text: string;
}

/** An endpoint from one model to the other. */
export interface EndpointChange {
    name: string;
    status: "added" | "removed" | "changed" | "unchanged";
    settings: SettingChange[];
    /** Why its clients get a new load balancer DNS name (empty: they keep theirs). */
    newDnsName: string[];
    /** Its load balancer is replaced with Elastic IPs, or it moves: it serves nothing for a while. */
    outage: boolean;
    /** Its database's certificate (self-managed databases). */
    certificate?: CertificateChange;
    restart?: RestartChange;
}

/** Everything the update does, in the reviewer's terms. */
export interface ProductChanges {
    /** Settings of the stack as a whole (subnets, CA, target sync, tags, quotas). */
    stack: SettingChange[];
    loadBalancers: LoadBalancerChange[];
    /** The new model's endpoints in order, then the removed ones. */
    endpoints: EndpointChange[];
    certificates: CertificateChange[];
}

const lbKey = (lb: { name: string; shared: boolean }) => `${lb.shared ? "shared" : "own"}:${lb.name}`;
const lbLabel = (lb: { name: string; shared: boolean }) => (lb.shared ? `shared load balancer "${lb.name}"` : `its own load balancer (${lb.name}-nlb)`);

/** The load balancer an endpoint listens on, in a model. */
function loadBalancerOf(spec: StackSpec, endpoint: string): LoadBalancerSpec {
    return spec.loadBalancers.find((lb) => lb.endpoints.includes(endpoint))!;
}

const plain = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

/** The differences between two settings values, as paths under `path`. */
export function diffSettings(path: string, before: unknown, after: unknown): SettingChange[] {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].every(plain)) {
        const added = after.filter((v) => !before.includes(v));
        const removed = before.filter((v) => !after.includes(v));
        return [{ path, before, after, added, removed }];
    }
    const isMap = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
    if (isMap(before) && isMap(after)) {
        const b = before as Record<string, unknown>;
        const a = after as Record<string, unknown>;
        const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
        return keys.flatMap((k) => diffSettings(`${path}.${k}`, b[k], a[k]));
    }
    return [{ path, before, after }];
}

/** The settings of an endpoint as written and defaulted: the model without what is derived from it. */
function settingsOf(e: EndpointSpec): Record<string, unknown> {
    const { allowlist: _derived, name: _name, ...settings } = e;
    return JSON.parse(JSON.stringify(settings)) as Record<string, unknown>;
}

function compareLoadBalancers(before: StackSpec, after: StackSpec): LoadBalancerChange[] {
    const old = new Map(before.loadBalancers.map((lb) => [lbKey(lb), lb]));
    const subnetsForceNew = mappingsForceNew(
        before.publicSubnetIds.map((subnetId) => ({ subnetId })),
        after.publicSubnetIds.map((subnetId) => ({ subnetId })),
    );
    const removedSubnets = before.publicSubnetIds.filter((s) => !after.publicSubnetIds.includes(s));
    const addedSubnets = after.publicSubnetIds.filter((s) => !before.publicSubnetIds.includes(s));
    const result: LoadBalancerChange[] = [];
    for (const lb of after.loadBalancers) {
        const was = old.get(lbKey(lb));
        if (!was) {
            result.push({ name: lb.name, shared: lb.shared, status: "added", reasons: [], deletedFirst: false, blockedByDeletionProtection: false, endpoints: lb.endpoints });
            continue;
        }
        const reasons: string[] = [];
        if (was.elasticIps !== lb.elasticIps) {
            reasons.push(`elasticIps switched ${lb.elasticIps ? "on" : "off"}: AWS fixes a network load balancer's addresses when it is created`);
        }
        if (subnetsForceNew) {
            reasons.push(
                addedSubnets.length > 0
                    ? `public subnets swapped (${removedSubnets.join(", ")} for ${addedSubnets.join(", ")}): AWS can add a subnet to a network load balancer, not remove one`
                    : `public subnet${removedSubnets.length === 1 ? "" : "s"} ${removedSubnets.join(", ")} removed: AWS can add a subnet to a network load balancer, not remove one`,
            );
        }
        const replaced = reasons.length > 0;
        result.push({
            name: lb.name,
            shared: lb.shared,
            status: replaced ? "replaced" : "kept",
            reasons,
            deletedFirst: replaced && lb.elasticIps,
            blockedByDeletionProtection: replaced && was.deletionProtection,
            endpoints: lb.endpoints,
        });
    }
    const now = new Set(after.loadBalancers.map(lbKey));
    for (const lb of before.loadBalancers) {
        if (now.has(lbKey(lb))) continue;
        result.push({
            name: lb.name,
            shared: lb.shared,
            status: "removed",
            reasons: [],
            deletedFirst: false,
            blockedByDeletionProtection: lb.deletionProtection,
            endpoints: lb.endpoints,
        });
    }
    return result;
}

/** A DNS name a certificate carries, and what it comes from. */
interface CertificateName {
    /** Identity of the name: equal keys are the same name in both models. */
    key: string;
    kind: "database-hostname" | "endpoint-hostname" | "load-balancer";
    value: string;
    endpoint?: string;
    /** For a load balancer's DNS name: the load balancer (equal while it is not replaced or left). */
    loadBalancer?: string;
}

/**
 * The DNS names a self-managed database's certificate carries, in the order the certificate component is given
 * them (each reaching endpoint's hostname and load balancer DNS name, then `database.hostname`). A load balancer
 * replaced by the update has a new DNS name: `replaced` marks those of the new model.
 */
function certificateNames(spec: StackSpec, db: SelfManagedDatabase, replaced: Set<string>): CertificateName[] {
    const names: CertificateName[] = [];
    for (const name of db.endpoints) {
        const e = spec.endpoints.find((x) => x.name === name)!;
        const lb = loadBalancerOf(spec, name);
        const dns: CertificateName = {
            key: `lb:${lbKey(lb)}${replaced.has(lbKey(lb)) ? ":replacement" : ""}`,
            kind: "load-balancer",
            value: lb.shared ? `the DNS name of shared load balancer "${lb.name}"` : `the DNS name of ${name}'s load balancer`,
            endpoint: name,
            loadBalancer: lbKey(lb),
        };
        if (e.hostname !== undefined) names.push({ key: `host:${e.hostname}`, kind: "endpoint-hostname", value: e.hostname, endpoint: name });
        else names.push(dns);
        names.push(dns);
    }
    if (db.hostname !== undefined) names.push({ key: `host:${db.hostname}`, kind: "database-hostname", value: db.hostname });
    return names;
}

/** Why a certificate's names change from `before` to `after`, in words. */
function nameChanges(before: CertificateName[], after: CertificateName[]): string[] {
    const keys = (list: CertificateName[]) => new Set(list.map((n) => n.key));
    const [oldKeys, newKeys] = [keys(before), keys(after)];
    const lost = before.filter((n, i) => !newKeys.has(n.key) && before.findIndex((m) => m.key === n.key) === i);
    const gained = after.filter((n, i) => !oldKeys.has(n.key) && after.findIndex((m) => m.key === n.key) === i);
    const reasons: string[] = [];
    const pairedLost = new Set<CertificateName>();
    for (const n of gained) {
        if (n.kind === "endpoint-hostname") {
            const old = lost.find((m) => m.kind === "endpoint-hostname" && m.endpoint === n.endpoint);
            if (old) {
                pairedLost.add(old);
                reasons.push(`endpoint hostname of ${n.endpoint} renamed: ${old.value} -> ${n.value}`);
            } else {
                reasons.push(`endpoint hostname ${n.value} added (${n.endpoint})`);
            }
        } else if (n.kind === "database-hostname") {
            const old = lost.find((m) => m.kind === "database-hostname");
            if (old) pairedLost.add(old);
            reasons.push(old ? `database.hostname changed: ${old.value} -> ${n.value}` : `database.hostname ${n.value} added`);
        } else {
            const old = lost.find((m) => m.kind === "load-balancer" && m.loadBalancer === n.loadBalancer);
            if (old) {
                pairedLost.add(old);
                reasons.push(`${n.value} changes: the load balancer is replaced`);
            } else {
                reasons.push(`names ${n.value} (${n.endpoint} reaches the database through it)`);
            }
        }
    }
    for (const n of lost) {
        if (pairedLost.has(n)) continue;
        if (n.kind === "endpoint-hostname") reasons.push(`endpoint hostname ${n.value} removed (${n.endpoint})`);
        else if (n.kind === "database-hostname") reasons.push(`database.hostname ${n.value} removed`);
        else reasons.push(`no longer names ${n.value}`);
    }
    if (reasons.length === 0 && before[0]?.key !== after[0]?.key) {
        // The same names in another order: the common name is the first of them of at most 64 characters.
        reasons.push(`its names are in another order (its endpoints are), which can change its common name`);
    }
    return reasons;
}

function compareCertificates(before: StackSpec, after: StackSpec, loadBalancers: LoadBalancerChange[]): CertificateChange[] {
    const replaced = new Set(loadBalancers.filter((l) => l.status === "replaced").map(lbKey));
    const old = new Map(before.selfManagedDatabases.map((d) => [d.name, d]));
    const result: CertificateChange[] = [];
    const issuerChanged = before.certificateAuthority.issuer !== after.certificateAuthority.issuer;
    for (const db of after.selfManagedDatabases) {
        const was = old.get(db.name);
        if (!was) {
            const moved = db.endpoints
                .map((n) => before.endpoints.find((e) => e.name === n))
                .filter((e): e is EndpointSpec => e !== undefined && e.database.kind === "self-managed");
            const reasons =
                moved.length > 0
                    ? moved.map((e) => `${e.name}'s database is now at ${db.addresses.join(", ")} port ${db.port}: another database, another certificate`)
                    : ["a new database"];
            result.push({ database: db.name, action: "issued", reasons, endpoints: db.endpoints });
            continue;
        }
        const reasons = nameChanges(certificateNames(before, was, new Set()), certificateNames(after, db, replaced));
        if (issuerChanged) reasons.push(`signed by CA generation ${after.certificateAuthority.issuer} (was ${before.certificateAuthority.issuer})`);
        if (reasons.length > 0) result.push({ database: db.name, action: "re-issued", reasons, endpoints: db.endpoints });
    }
    const now = new Set(after.selfManagedDatabases.map((d) => d.name));
    for (const db of before.selfManagedDatabases) {
        if (!now.has(db.name)) result.push({ database: db.name, action: "deleted", reasons: ["no endpoint reaches it any more"], endpoints: db.endpoints });
    }
    return result;
}

/**
 * How the update restarts the endpoint's database: an RDS instance's restart hook runs when the listener is created
 * (`listenerCreated`: the endpoint is new, or its load balancer is); a self-managed database's when its certificate is
 * (re)issued.
 */
function restartOf(e: EndpointSpec, listenerCreated: boolean, certificate: CertificateChange | undefined, db: SelfManagedDatabase | undefined): RestartChange | undefined {
    const database = e.database;
    if (database.kind === "rds") {
        if (!listenerCreated) return undefined;
        const policy = database.restart ?? RdsRestartPolicy.WhenPending;
        if (policy === RdsRestartPolicy.Never) return undefined;
        if (policy === RdsRestartPolicy.Always) {
            return { how: "rds-reboot", text: `the restart hook restarts RDS instance ${database.rdsInstanceIdentifier} once the listener is created (restart: always)` };
        }
        const what = policy === RdsRestartPolicy.WhenPending ? "a pending CA certificate change" : "a pending CA certificate change or a DB parameter group in pending-reboot";
        return {
            how: "rds-if-pending",
            text: `the restart hook runs once the listener is created: it restarts RDS instance ${database.rdsInstanceIdentifier} only to apply ${what} (restart: ${policy})`,
        };
    }
    if (!certificate || certificate.action === "deleted" || !db) return undefined;
    if (db.instanceIds.length === 0) {
        return { how: "manual", text: `install the ${certificate.action} certificate from its secret and restart the database by hand (database.instanceIds is not set)` };
    }
    const command = db.restartCommand !== undefined ? "runs database.restartCommand" : db.engine === "postgres" ? "reloads PostgreSQL (pg_reload_conf)" : "restarts MySQL";
    return { how: "ssm", text: `SSM Run Command on ${db.instanceIds.join(", ")} installs the ${certificate.action} certificate and ${command}` };
}

/** What changing the product from `before` to `after` does. */
export function compareProducts(before: StackSpec, after: StackSpec): ProductChanges {
    const loadBalancers = compareLoadBalancers(before, after);
    const certificates = compareCertificates(before, after, loadBalancers);
    const lbChange = (lb: LoadBalancerSpec) => loadBalancers.find((l) => lbKey(l) === lbKey(lb))!;
    const stack = [
        ...diffSettings("publicSubnetIds", before.publicSubnetIds, after.publicSubnetIds),
        ...diffSettings("certificateAuthority", before.certificateAuthority, after.certificateAuthority),
        ...diffSettings("targetSync", before.targetSync, after.targetSync),
        ...diffSettings("tags", before.tags, after.tags),
        ...diffSettings("quotas", before.quotas, after.quotas),
    ];
    const endpoints: EndpointChange[] = [];
    for (const e of after.endpoints) {
        const was = before.endpoints.find((x) => x.name === e.name);
        const lb = loadBalancerOf(after, e.name);
        const db = e.database.kind === "self-managed" ? after.selfManagedDatabases.find((d) => d.endpoints.includes(e.name)) : undefined;
        const certificate = db ? certificates.find((c) => c.database === db.name && c.action !== "deleted") : undefined;
        if (!was) {
            endpoints.push({
                name: e.name,
                status: "added",
                settings: [],
                newDnsName: [],
                outage: false,
                ...(certificate ? { certificate } : {}),
                ...optional("restart", restartOf(e, true, certificate, db)),
            });
            continue;
        }
        const settings = diffSettings(`endpoints[${e.name}]`, settingsOf(was), settingsOf(e));
        const oldLb = loadBalancerOf(before, e.name);
        const newDnsName: string[] = [];
        let outage = false;
        if (lbKey(oldLb) !== lbKey(lb)) {
            newDnsName.push(`moves from ${lbLabel(oldLb)} to ${lbLabel(lb)}: a new target group and listener there`);
        } else if (lbChange(lb).status === "replaced") {
            newDnsName.push(...lbChange(lb).reasons.map((r) => `${lbLabel(lb)} is replaced: ${r}`));
            outage = lbChange(lb).deletedFirst;
        }
        const restart = restartOf(e, newDnsName.length > 0, certificate, db);
        const changed = settings.length > 0 || newDnsName.length > 0 || certificate !== undefined || restart !== undefined;
        endpoints.push({
            name: e.name,
            status: changed ? "changed" : "unchanged",
            settings,
            newDnsName,
            outage,
            ...(certificate ? { certificate } : {}),
            ...optional("restart", restart),
        });
    }
    for (const e of before.endpoints) {
        if (after.endpoints.some((x) => x.name === e.name)) continue;
        const certificate = certificates.find((c) => c.action === "deleted" && c.endpoints.includes(e.name));
        endpoints.push({ name: e.name, status: "removed", settings: [], newDnsName: [], outage: false, ...(certificate ? { certificate } : {}) });
    }
    return { stack, loadBalancers, endpoints, certificates };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
    return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
