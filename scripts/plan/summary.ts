/**
 * The plan's summary of each endpoint, what a reviewer approves: where clients connect, the port, the allowlist,
 * the idle timeout, the database, how strongly a client can verify the server through the endpoint, the restart
 * policy, its load balancer, its integrations with their grants, and its monthly cost. Built from the validated
 * model (so RDS integrations, declared only at deploy once the engine is read, are shown too) and the cost
 * estimate. Each summary is a plain object (the `--json` output); the text shows it row by row
 * ({@link ENDPOINT_ROWS}), so a new fact about an endpoint is one field and one row.
 */
import { ClientVerification, serverVerification } from "../../infra/connection";
import { CostEstimate, formatMonthly, linesOf } from "../../infra/cost/estimate";
import { AdminConnection, DatabaseEngine, RdsRestartPolicy } from "../../infra/enums";
import { checkAgainstDatabase } from "../../infra/integrations/engineRules";
import { describeGrants, GrantDescription, ownersOf } from "../../infra/integrations/grants";
import { Problems } from "../../infra/validation";
import type { EndpointSpec, LoadBalancerSpec, StackSpec } from "../../infra/model/spec";
import { currentTiming } from "../../infra/model/allowlist";
import { endpointPlanFacts } from "../../infra/model/planFacts";

/** Where clients connect. */
export interface ConnectSummary {
    /** The endpoint's own hostname (a Route 53 alias to the load balancer); null: the load balancer's DNS name. */
    hostname: string | null;
    /** The load balancer's DNS name is AWS's, known after deploy. */
    loadBalancerDnsName: "known after deploy";
    /** Elastic IPs: addresses that never change, allocated at deploy. */
    fixedAddresses: boolean;
}

export interface AllowlistSummary {
    /** Rules in effect: one security-group rule each, on the endpoint's port only (CIDRs and prefix lists). */
    entries: number;
    ipv4: number;
    ipv6: number;
    /** Managed prefix lists admitted, one rule each (their contents and size are known at deploy). */
    prefixLists: string[];
    /** Entries that have expired: written, but not deployed. */
    expired: number;
    /** `allowPublicInternet`: every address. */
    publicInternet: boolean;
    /** The CIDRs in effect. */
    cidrs: string[];
    /**
     * What else the plan says of the allowlist and the audit: entries expired or expiring soon, prefix lists unknown
     * offline, the connection audit, and whether the database records who logs in (infra/model/planFacts.ts).
     */
    facts: string[];
}

export type DatabaseSummary =
    | {
          kind: "rds";
          rdsInstanceIdentifier: string;
          /** null: read from the instance at deploy. */
          engine: null;
          /** The security group that admits the load balancer; null: the instance's first VPC security group. */
          securityGroupId: string | null;
      }
    | {
          kind: "self-managed";
          addresses: string[];
          port: number;
          /** null: not set (required with integrations or instanceIds). */
          engine: DatabaseEngine | null;
          /** Its hostname inside the VPC, on its certificate. */
          hostname: string | null;
          /** null: not set, its security group must admit the load balancer by hand. */
          securityGroupId: string | null;
          /** The certificate component (`db-<addresses>-<port>`), shared by the endpoints that reach this database. */
          certificate: string;
          /** The names its certificate carries (a load balancer's DNS name, known after deploy, in words). */
          certificateNames: string[];
      };

export interface RestartSummary {
    /** RDS: the `restart` policy; self-managed: `ssm-run-command` or `manual`. */
    policy: string;
    instanceIds: string[];
    text: string;
}

export interface LoadBalancerSummary {
    name: string;
    shared: boolean;
    /** Its endpoints, in config order (one for an endpoint's own). */
    endpoints: string[];
    /** The NLB resource's name. */
    resource: string;
    elasticIps: boolean;
    ipAddressType: string;
    deletionProtection: boolean;
    /** Availability Zones: one public subnet, one public IPv4 address each. */
    zones: number;
    securityGroups: number;
    monthlyCost: number;
}

export interface IntegrationSummary {
    name: string;
    access: string;
    schemas: string[];
    /** `schema.table`; null: every table of the schemas, also later ones. */
    tables: string[] | null;
    sequences: string[] | null;
    /** The database user. */
    user: string;
    /** null: read from the RDS instance at deploy (grants shown for both engines). */
    engine: DatabaseEngine | null;
    /** The grants per engine: one engine when known, both when read at deploy. */
    grants: Partial<Record<DatabaseEngine, GrantDescription>>;
    /** Its credentials secret is named this plus a random suffix. */
    credentialsSecretNamePrefix: string;
}

export interface IntegrationsSummary {
    /** How `pulumi up` logs in to create the users. */
    adminConnection: AdminConnection;
    adminSecretArn: string;
    /**
     * For an RDS instance, whose engine is read at deploy: per engine, what `pulumi up` would refuse if the instance
     * runs it (the same rules a self-managed database's settings are checked by now). Empty: nothing.
     */
    refusedAtDeploy: Partial<Record<DatabaseEngine, string[]>>;
    list: IntegrationSummary[];
}

export interface CostItem {
    /** The resource priced. */
    resource: string;
    item: string;
    monthly: number;
    /** The other endpoints it is shared with (its cost divided equally). */
    sharedWith: string[];
}

export interface EndpointSummary {
    name: string;
    connect: ConnectSummary;
    /** The listener port; null: the RDS instance's port, read at deploy. */
    port: number | null;
    allowlist: AllowlistSummary;
    idleTimeoutSeconds: number;
    database: DatabaseSummary;
    verification: ClientVerification[];
    restart: RestartSummary;
    loadBalancer: LoadBalancerSummary;
    integrations: IntegrationsSummary | null;
    monthlyCost: { total: number; items: CostItem[] };
}

const ENGINE_LABEL: Record<DatabaseEngine, string> = { postgres: "PostgreSQL", mysql: "MySQL/MariaDB" };

function loadBalancerSummary(spec: StackSpec, lb: LoadBalancerSpec, estimate: CostEstimate): LoadBalancerSummary {
    const resource = `${lb.name}-nlb`;
    const monthlyCost = estimate.lines.filter((l) => l.name === resource && l.type === "aws:lb/loadBalancer:LoadBalancer").reduce((s, l) => s + l.monthly, 0);
    return {
        name: lb.name,
        shared: lb.shared,
        endpoints: lb.endpoints,
        resource,
        elasticIps: lb.elasticIps,
        ipAddressType: lb.ipAddressType,
        deletionProtection: lb.deletionProtection,
        zones: spec.publicSubnetIds.length,
        securityGroups: lb.securityGroups.length,
        monthlyCost,
    };
}

function restartSummary(spec: StackSpec, e: EndpointSpec): RestartSummary {
    const db = e.database;
    if (db.kind === "rds") {
        const policy = db.restart ?? RdsRestartPolicy.WhenPending;
        const text: Record<RdsRestartPolicy, string> = {
            [RdsRestartPolicy.WhenPending]: "after the listener is created, applies a pending CA certificate change (a restart); never reboots for anything else",
            [RdsRestartPolicy.WhenPendingOrParameters]:
                "after the listener is created, applies a pending CA certificate change, and reboots when a DB parameter group is in pending-reboot",
            [RdsRestartPolicy.Always]: "restarts the instance once after the listener is created (a new endpoint, a new load balancer)",
            [RdsRestartPolicy.Never]: "never touches the instance: pending changes wait for the maintenance window or a reboot by hand",
        };
        return { policy, instanceIds: [], text: `${policy}${db.restart === undefined ? " (the default)" : ""}: ${text[policy]}` };
    }
    const database = spec.selfManagedDatabases.find((d) => d.endpoints.includes(e.name))!;
    if (database.instanceIds.length === 0) {
        return {
            policy: "manual",
            instanceIds: [],
            text: "manual (database.instanceIds is not set): after each certificate (re)issue, install it from its secret and restart the database by hand",
        };
    }
    const command =
        database.restartCommand !== undefined
            ? "runs database.restartCommand"
            : database.engine === DatabaseEngine.Postgres
              ? "reloads PostgreSQL (SELECT pg_reload_conf())"
              : "restarts the MySQL service";
    return {
        policy: "ssm-run-command",
        instanceIds: database.instanceIds,
        text: `ssm-run-command: after each certificate (re)issue, SSM Run Command on ${database.instanceIds.join(", ")} installs it and ${command}, within ${database.restartTimeoutMinutes} minutes`,
    };
}

function integrationsSummary(stack: string, e: EndpointSpec, path: string): IntegrationsSummary | null {
    const db = e.database;
    if (!e.integrations || !db.admin) return null;
    const engine = db.kind === "self-managed" ? (db.engine ?? null) : null;
    const owners = ownersOf(db.objectOwners);
    const engines = engine ? [engine] : [DatabaseEngine.Postgres, DatabaseEngine.Mysql];
    const refusedAtDeploy: IntegrationsSummary["refusedAtDeploy"] = {};
    if (db.kind === "rds") {
        for (const candidate of engines) {
            const problems = new Problems();
            checkAgainstDatabase(
                problems,
                { integrations: `${path}.integrations`, settings: `${path}.database` },
                // The database name may come from the instance (its DBName): only the instance can say it is missing.
                { engine: candidate, rds: true, adminConnection: db.admin.connection, dbName: db.dbName ?? "(the instance's DBName)", objectOwners: db.objectOwners },
                e.integrations,
            );
            if (problems.errors.length > 0) refusedAtDeploy[candidate] = problems.errors.map((p) => `${p.path}: ${p.message}`);
        }
    }
    return {
        adminConnection: db.admin.connection,
        adminSecretArn: db.admin.secretArn,
        refusedAtDeploy,
        list: e.integrations.map((i) => ({
            name: i.name,
            access: i.access,
            schemas: i.schemas,
            tables: i.tables ? i.tables.map((t) => `${t.schema}.${t.name}`) : null,
            sequences: i.sequences ? i.sequences.map((t) => `${t.schema}.${t.name}`) : null,
            user: i.name,
            engine,
            grants: Object.fromEntries(engines.map((g) => [g, describeGrants(i, g, db.dbName, owners)])),
            credentialsSecretNamePrefix: `db-endpoints/${stack}/${e.name}/${i.name}-`,
        })),
    };
}

/** The names on the certificate of the self-managed database `endpoint` reaches, as docs/certificates.md lists them. */
function certificateNames(spec: StackSpec, endpoint: string): string[] {
    const db = spec.selfManagedDatabases.find((d) => d.endpoints.includes(endpoint))!;
    const names: string[] = [];
    const add = (n: string) => {
        if (!names.includes(n)) names.push(n);
    };
    for (const name of db.endpoints) {
        const e = spec.endpoints.find((x) => x.name === name)!;
        const lb = spec.loadBalancers.find((l) => l.endpoints.includes(name))!;
        if (e.hostname !== undefined) add(e.hostname);
        add(lb.shared ? `the DNS name of shared load balancer "${lb.name}"` : `the DNS name of ${name}'s load balancer`);
    }
    if (db.hostname !== undefined) add(db.hostname);
    for (const a of db.addresses) add(a);
    return names;
}

/** The summary of every endpoint of `spec`, in config order. */
export function summarizeEndpoints(stack: string, spec: StackSpec, estimate: CostEstimate): EndpointSummary[] {
    const timing = currentTiming(spec.allowlistExpiryWarningDays);
    return spec.endpoints.map((e, index): EndpointSummary => {
        const lb = spec.loadBalancers.find((l) => l.endpoints.includes(e.name))!;
        const db = e.database;
        const database: DatabaseSummary =
            db.kind === "rds"
                ? { kind: "rds", rdsInstanceIdentifier: db.rdsInstanceIdentifier, engine: null, securityGroupId: db.securityGroupId ?? null }
                : {
                      kind: "self-managed",
                      addresses: db.addresses,
                      port: db.port,
                      engine: db.engine ?? null,
                      hostname: db.hostname ?? null,
                      securityGroupId: db.securityGroupId ?? null,
                      certificate: spec.selfManagedDatabases.find((d) => d.endpoints.includes(e.name))!.name,
                      certificateNames: certificateNames(spec, e.name),
                  };
        const live = e.allowlist.filter((r) => r.expired === undefined);
        const liveLists = e.prefixLists.filter((l) => l.expired === undefined);
        const items = linesOf(estimate, e.name).map((l) => ({
            resource: l.name,
            item: l.item,
            monthly: l.monthly / l.endpoints.length,
            sharedWith: l.endpoints.filter((n) => n !== e.name),
        }));
        return {
            name: e.name,
            connect: { hostname: e.hostname ?? null, loadBalancerDnsName: "known after deploy", fixedAddresses: e.elasticIps },
            port: e.port ?? (db.kind === "self-managed" ? db.port : null),
            allowlist: {
                entries: live.length + liveLists.length,
                ipv4: live.filter((r) => r.family === "ipv4").length,
                ipv6: live.filter((r) => r.family === "ipv6").length,
                prefixLists: liveLists.map((l) => l.prefixList),
                expired: e.allowlist.length + e.prefixLists.length - live.length - liveLists.length,
                publicInternet: e.allowPublicInternet,
                cidrs: live.map((r) => r.cidr),
                facts: endpointPlanFacts(e, timing),
            },
            idleTimeoutSeconds: e.idleTimeoutSeconds,
            database,
            verification: serverVerification({ rds: db.kind === "rds", engine: db.kind === "self-managed" ? db.engine : undefined, fixedAddresses: e.elasticIps }),
            restart: restartSummary(spec, e),
            loadBalancer: loadBalancerSummary(spec, lb, estimate),
            integrations: integrationsSummary(stack, e, `endpoints[${index}]`),
            monthlyCost: { total: estimate.perEndpoint[e.name] ?? 0, items },
        };
    });
}

/** The load balancers of `spec`, own and shared, in the model's order. */
export function summarizeLoadBalancers(spec: StackSpec, estimate: CostEstimate): LoadBalancerSummary[] {
    return spec.loadBalancers.map((lb) => loadBalancerSummary(spec, lb, estimate));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One row of an endpoint's summary in the text: a label, and its lines (none: the row is left out). */
export interface SummaryRow {
    label: string;
    lines: (s: EndpointSummary) => string[];
}

/** The rows of an endpoint's summary, in the order the text shows them. */
export const ENDPOINT_ROWS: SummaryRow[] = [
    {
        label: "clients connect to",
        lines: (s) => {
            const where = s.connect.hostname
                ? `${s.connect.hostname} (a Route 53 alias to the load balancer)`
                : s.loadBalancer.shared
                  ? `the DNS name of shared load balancer "${s.loadBalancer.name}", known after deploy`
                  : "the load balancer's DNS name, known after deploy";
            return [`${where}${s.connect.fixedAddresses ? "; fixed addresses: Elastic IPs, one per zone, allocated at deploy" : ""}`];
        },
    },
    { label: "port", lines: (s) => [s.port === null ? "the RDS instance's port, read at deploy" : String(s.port)] },
    {
        label: "allowlist",
        lines: (s) => {
            const a = s.allowlist;
            if (a.publicInternet) return ["every IPv4 and IPv6 address (allowPublicInternet)"];
            const lists = a.prefixLists.length > 0 ? `, ${plural(a.prefixLists.length, "prefix list")} (${a.prefixLists.join(", ")})` : "";
            const expired = a.expired > 0 ? `; ${a.expired} expired, not deployed` : "";
            const closed = a.entries === 0 ? " (closed: no client is admitted)" : "";
            return [`${plural(a.entries, "entry", "entries")}${closed}: ${a.ipv4} IPv4, ${a.ipv6} IPv6${a.cidrs.length > 0 ? ` (${a.cidrs.join(", ")})` : ""}${lists}${expired}`];
        },
    },
    { label: "allowlist and audit", lines: (s) => s.allowlist.facts },
    { label: "idle timeout", lines: (s) => [`${s.idleTimeoutSeconds} s`] },
    {
        label: "database",
        lines: (s) => {
            const d = s.database;
            if (d.kind === "rds") {
                const group = d.securityGroupId ? `admits the load balancer in ${d.securityGroupId}` : "admits the load balancer in the instance's first VPC security group";
                return [`RDS instance ${d.rdsInstanceIdentifier}, engine read from the instance at deploy; ${group}`];
            }
            const parts = [
                `self-managed at ${d.addresses.map((a) => `${a}:${d.port}`).join(", ")}`,
                d.engine ? ENGINE_LABEL[d.engine] : "engine not set",
                ...(d.hostname ? [`hostname ${d.hostname}`] : []),
                d.securityGroupId ? `admits the load balancer in ${d.securityGroupId}` : "its security group must admit the load balancer's (database.securityGroupId is not set)",
                `certificate ${d.certificate} naming ${d.certificateNames.join(", ")}`,
            ];
            return [parts.join("; ")];
        },
    },
    {
        label: "server verification",
        lines: (s) =>
            s.verification.map((v) => {
                const who = s.verification.length > 1 ? `${ENGINE_LABEL[v.engine]} clients: ` : "";
                return `${who}${v.strength}: ${v.why}${v.fullWith ? `; full with ${v.fullWith}` : ""}`;
            }),
    },
    { label: "restart policy", lines: (s) => [s.restart.text] },
    {
        label: "load balancer",
        lines: (s) => {
            const lb = s.loadBalancer;
            const traits = [
                `${lb.zones} zones`,
                lb.ipAddressType,
                lb.elasticIps ? "Elastic IPs" : "no Elastic IPs",
                `deletion protection ${lb.deletionProtection ? "on" : "off"}`,
            ].join(", ");
            return [
                lb.shared
                    ? `shared "${lb.name}" (${lb.resource}) with ${lb.endpoints.filter((n) => n !== s.name).join(", ") || "no other endpoint yet"}: ${traits}`
                    : `its own (${lb.resource}): ${traits}`,
            ];
        },
    },
    {
        label: "integrations",
        lines: (s) => {
            const i = s.integrations;
            if (!i) return ["none"];
            const how =
                i.adminConnection === AdminConnection.Endpoint
                    ? "through the endpoint (the deployer's address must be in the allowlist)"
                    : "directly, from inside the VPC";
            const lines = [`${i.list.length}, users created by pulumi up with the admin login in ${i.adminSecretArn}, ${how}`];
            for (const x of i.list) {
                const on = x.tables ? x.tables.join(", ") : `every table of ${x.schemas.join(", ")}, also later ones`;
                lines.push(`${x.name}: ${x.access} on ${on}; user ${x.user}; credentials in a secret named ${x.credentialsSecretNamePrefix}<random suffix>`);
                const engines = Object.keys(x.grants) as DatabaseEngine[];
                for (const engine of engines) {
                    if (i.refusedAtDeploy[engine]) continue;
                    const g = x.grants[engine]!;
                    const label = x.engine === null ? `if ${ENGINE_LABEL[engine]} (engine read from the instance at deploy): ` : "";
                    lines.push(`  ${label}${g.user}; ${g.grants.join("; ")}`);
                }
            }
            for (const [engine, problems] of Object.entries(i.refusedAtDeploy)) {
                lines.push(`if ${ENGINE_LABEL[engine as DatabaseEngine]}: pulumi up refuses these integrations: ${problems.join("; ")}`);
            }
            return lines;
        },
    },
    {
        label: "monthly cost",
        lines: (s) => {
            const resources = [...new Set(s.monthlyCost.items.map((c) => c.resource))];
            const parts = resources.map((resource) => {
                const items = s.monthlyCost.items.filter((c) => c.resource === resource);
                const shared = items[0].sharedWith.length > 0 ? `, its share with ${items[0].sharedWith.join(", ")}` : "";
                return `${resource}${shared}: ${items.map((c) => `${c.item} ${formatMonthly(c.monthly)}`).join(", ")}`;
            });
            return [`~${formatMonthly(s.monthlyCost.total)}`, ...parts];
        },
    },
];

/** An endpoint's summary as text: its name, then one labelled row per fact. */
export function endpointSummaryText(s: EndpointSummary, rows: SummaryRow[] = ENDPOINT_ROWS): string[] {
    const width = Math.max(...rows.map((r) => r.label.length)) + 2;
    const out = [`Endpoint ${s.name}`];
    for (const row of rows) {
        const lines = row.lines(s);
        lines.forEach((line, i) => out.push(`  ${(i === 0 ? row.label : "").padEnd(width)}${line}`));
    }
    return out;
}
