import * as pulumi from "@pulumi/pulumi";
import { AdminConnection, DatabaseEngine, IpAddressType } from "../../enums";
import { engineOfRds } from "../../integrations/engines";
import { checkProduct, readVpcId } from "../../model/product";
import type { EndpointSpec, StackSpec } from "../../model/spec";
import { formatProblem, Problems } from "../../validation";
import { throwIfInvalidArgs } from "../support/argsError";
import { connectionPathOf, DatabaseEndpoint, expiringRuleGroupIdsOf } from "../databaseEndpoint";
import { DatabaseIntegrations } from "../databaseIntegrations";
import { databaseEngineOfRds } from "../../integrations/engines";
import { ArgsOwner, checkedInput } from "../support/knownNowOrLater";
import { shareLookups } from "../support/lookups";
import { EndpointLoadBalancer } from "../loadBalancer/endpointLoadBalancer";
import { deployRunOf } from "../upkeep";
import { CHANGE_TAG_KEY, METRIC_NAMESPACE } from "../../lambda/targetSync/settings";
import type { TargetSyncTarget } from "../targetSync";
import type { AllowlistEntry, DatabaseEndpointsArgs } from "./args";
import { buildCertificates } from "./certificates";
import { alarmsOutput, buildAlarms, buildUpkeep, upkeepOutput, watchedCertificates } from "./monitoring";
import type {
    AlarmsOutput,
    CertificateAuthorityOutput,
    EndpointOutput,
    EndpointTls,
    IntegrationOutput,
    OutputsOf,
    ServerCertificateOutput,
    StackOutputs,
    TargetSyncOutput,
    UpkeepOutput,
} from "./outputs";

const COMPONENT_TYPE = "db-endpoints:index:DatabaseEndpoints";

/** Warnings about an allowlist are logged by the endpoint component they concern, not twice. */
const ALLOWLIST_PATH = /^endpoints\[\d+\]\.(allowedCidrs|allowlist|allowPublicInternet)\b/;

/** Each stack's outputs one value at a time, for {@link DatabaseEndpoints.stackOutputs}. */
const stackOutputsOf = new WeakMap<DatabaseEndpoints, StackOutputs>();

/**
 * The whole product: every database endpoint of a stack (an internet-facing Network Load Balancer in front of
 * an RDS instance or a self-managed database, security groups from its allowlist), the stack's private CA and
 * the server certificates of self-managed databases, the restart hooks that make new certificates take
 * effect, target sync (RDS targets follow the instance's address), and least-privileged database users for
 * integrations. The args are the stack config's settings under the same names; every problem is reported at
 * once, with its property path, before any resource is registered.
 *
 * Declare one per stack: its children are named after the endpoints (and `ca-<generation>`, `upkeep`, `alarms`).
 */
export class DatabaseEndpoints extends pulumi.ComponentResource {
    /** Per endpoint, by name: what a client connects to, and what the endpoint admits. */
    public readonly endpoints: pulumi.Output<{ [name: string]: EndpointOutput }>;
    /** PEM bundle of every CA generation: what clients trust for self-managed databases. Never a key. */
    public readonly caCertificate: pulumi.Output<string>;
    /** The CA generation that issues server certificates, and when each generation expires. */
    public readonly certificateAuthority: pulumi.Output<CertificateAuthorityOutput>;
    /** Per self-managed database: its server certificate's expiry and renewal window. Empty without one. */
    public readonly certificates: pulumi.Output<{ [name: string]: ServerCertificateOutput }>;
    /** Per endpoint: how a client verifies the database's certificate through it. */
    public readonly tls: pulumi.Output<{ [name: string]: EndpointTls }>;
    /** Per endpoint, per integration: where its credentials are. Empty without integrations. */
    public readonly integrations: pulumi.Output<{ [endpoint: string]: { [integration: string]: IntegrationOutput } }>;
    /** Where target sync runs and reports; absent when it is off or no endpoint is backed by RDS. */
    public readonly targetSync: pulumi.Output<TargetSyncOutput | undefined>;
    /** Where the stack's upkeep function runs and what it does; absent without target sync and alarms. */
    public readonly upkeep: pulumi.Output<UpkeepOutput | undefined>;
    /** Every alarm's name, and the topics they notify; absent with alarms off. */
    public readonly alarms: pulumi.Output<AlarmsOutput | undefined>;

    constructor(name: string, args: DatabaseEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = new Problems();
        // vpcId may be an output of another resource: checked here now, or by the same rule when it resolves.
        const vpcId = checkedInput<string>(problems, { component: "DatabaseEndpoints", name }, "vpcId", args?.vpcId, readVpcId)!;
        const spec = checkProduct(problems, (args ?? {}) as unknown as Record<string, unknown>, true);
        throwIfInvalidArgs(problems, "DatabaseEndpoints", name);
        super(COMPONENT_TYPE, name, {}, opts);
        shareLookups(this, opts?.parent);
        for (const w of problems.warnings) {
            if (!ALLOWLIST_PATH.test(w.path)) pulumi.log.warn(formatProblem(w), this);
        }
        // The children keep the names, and through the alias the URNs, they had when the stack declared them itself.
        const children: pulumi.ComponentResourceOptions = { parent: this, aliases: [{ parent: pulumi.rootStackResource }] };
        const parts = buildProduct(spec, vpcId, children, { component: "DatabaseEndpoints", name });
        stackOutputsOf.set(this, parts);

        this.endpoints = pulumi.output(parts.endpoints) as pulumi.Output<{ [name: string]: EndpointOutput }>;
        this.caCertificate = parts.caCertificate;
        this.certificateAuthority = parts.certificateAuthority;
        this.certificates = pulumi.output(parts.certificates) as pulumi.Output<{ [name: string]: ServerCertificateOutput }>;
        this.tls = pulumi.output(parts.tls) as pulumi.Output<{ [name: string]: EndpointTls }>;
        this.integrations = pulumi.output(parts.integrations ?? {}) as pulumi.Output<{ [endpoint: string]: { [integration: string]: IntegrationOutput } }>;
        this.targetSync = (parts.targetSync ? pulumi.output(parts.targetSync) : pulumi.output(undefined)) as pulumi.Output<TargetSyncOutput | undefined>;
        this.upkeep = (parts.upkeep ? pulumi.output(parts.upkeep) : pulumi.output(undefined)) as pulumi.Output<UpkeepOutput | undefined>;
        this.alarms = (parts.alarms ? pulumi.output(parts.alarms) : pulumi.output(undefined)) as pulumi.Output<AlarmsOutput | undefined>;
        // The outputs are the properties above (what a program in any language reads); registered empty, so that a
        // child's refusal reaches the deployment as the child's own error rather than inside this component's state.
        this.registerOutputs({});
    }

    /**
     * TypeScript programs: the same outputs one value at a time (a preview shows each value as soon as it is
     * known), with `integrations` and `targetSync` present only when there is something in them. The stack
     * program exports these.
     */
    stackOutputs(): StackOutputs {
        return stackOutputsOf.get(this)!;
    }
}

/** Builds every resource of a validated product; `opts` are the children's options. */
function buildProduct(spec: StackSpec, vpcId: pulumi.Input<string>, opts: pulumi.ComponentResourceOptions, owner: ArgsOwner): StackOutputs {
    const endpoints: Record<string, OutputsOf<EndpointOutput>> = {};
    const syncTargets: TargetSyncTarget[] = [];
    const withIntegrations: { e: EndpointSpec; endpoint: DatabaseEndpoint }[] = [];
    const built: Record<string, DatabaseEndpoint> = {};
    const shared = buildSharedLoadBalancers(spec, vpcId, opts, owner);
    for (const e of spec.endpoints) {
        const seat = e.loadBalancer !== undefined ? shared[e.loadBalancer].seats[e.name] : undefined;
        const endpoint = new DatabaseEndpoint(e.name, endpointArgs(spec, vpcId, e), seat ? { ...opts, sharedLoadBalancer: seat } : opts);
        built[e.name] = endpoint;
        if (e.integrations) withIntegrations.push({ e, endpoint });
        if (spec.targetSync.enabled && e.database.kind === "rds") {
            syncTargets.push({
                targetGroupArn: endpoint.targetGroupArn,
                rdsInstanceIdentifier: e.database.rdsInstanceIdentifier,
                rdsAddress: endpoint.rdsAddress.apply((a) => a!),
                port: endpoint.databasePort,
                deployedAddresses: endpoint.targetAddresses,
            });
        }
        endpoints[e.name] = {
            hostname: endpoint.hostname,
            port: endpoint.port,
            loadBalancerDnsName: endpoint.loadBalancerDnsName,
            publicAddresses: endpoint.publicAddresses,
            allowedCidrs: endpoint.allowedCidrs,
            idleTimeoutSeconds: endpoint.idleTimeoutSeconds,
            database: endpoint.database,
            databasePort: endpoint.databasePort,
            securityGroupIds: endpoint.securityGroupIds,
            ...(e.loadBalancer !== undefined ? { loadBalancer: pulumi.output(e.loadBalancer) } : {}),
            engine: e.database.kind === "rds" ? endpoint.rdsEngine.apply((engine) => engineOfRds(engine ?? "")) : pulumi.output(e.database.engine),
            targetGroupArn: endpoint.targetGroupArn,
            ...(e.prefixLists.some((l) => !l.expired) ? { allowedPrefixLists: endpoint.allowedPrefixLists } : {}),
            ...(e.connectionAudit.enabled
                ? { connectionLogGroup: endpoint.connectionLogGroupName.apply((n) => n!), connectionQuery: endpoint.connectionQueryName.apply((n) => n!) }
                : {}),
            ...(e.connectionAudit.enabled && e.database.kind === "rds"
                ? { databaseConnectionLogging: endpoint.databaseConnectionLogging.apply((s) => s!) }
                : {}),
        };
    }
    // Integration users connect through an endpoint once a self-managed database has loaded its certificate.
    const tls = buildCertificates(spec, built, opts);
    // The upkeep function and the alarms (./monitoring.ts).
    const watched = spec.alarms.enabled ? watchedCertificates(spec, tls.outputs) : [];
    // Allowlist rules that expire are revoked on time by the function, without a deployment.
    const expiring = expiringRuleSecurityGroupIds(Object.values(built));
    const upkeep = buildUpkeep(spec, syncTargets, watched, opts, expiring);
    const alarms = spec.alarms.enabled ? buildAlarms(spec, built, watched, upkeep, syncTargets, opts, expiring.length > 0) : undefined;
    const monitoring = { ...(upkeep ? { upkeep: upkeepOutput(upkeep) } : {}), ...(alarms ? { alarms: alarmsOutput(alarms) } : {}) };
    // An integration's users are created through its own endpoint, once its target is registered (for RDS with target
    // sync, by the function's deploy-time run) and its database has loaded the certificate that names it (self-managed):
    // never after another endpoint's or another database's.
    const deployRun = upkeep ? deployRunOf(upkeep) : undefined;
    const after = (e: EndpointSpec): pulumi.Resource[] => [
        ...(tls.byEndpoint[e.name] ? [tls.byEndpoint[e.name]] : []),
        ...(spec.targetSync.enabled && e.database.kind === "rds" && deployRun ? [deployRun] : []),
    ];
    if (syncTargets.length === 0) {
        return { endpoints, ...tls.outputs, ...buildIntegrations(spec, withIntegrations, after, tls.outputs.caCertificate, opts), ...monitoring };
    }
    const sync = upkeep!;
    return {
        endpoints,
        ...tls.outputs,
        ...buildIntegrations(spec, withIntegrations, after, tls.outputs.caCertificate, opts),
        targetSync: {
            functionName: sync.functionName,
            logGroupName: sync.logGroupName,
            schedule: sync.schedule,
            eventRuleNames: sync.eventRuleNames,
            metricNamespace: pulumi.output(METRIC_NAMESPACE),
            changeTagKey: pulumi.output(CHANGE_TAG_KEY),
        },
        ...monitoring,
    };
}

/**
 * The security groups, across the product's load balancers, that hold an allowlist rule with an expiry: where the
 * scheduled revocation looks for the rules whose `db-endpoints:expires` tag has come, and nowhere else. Each
 * once (endpoints of a shared load balancer name the same groups), in the order the endpoints give them.
 */
export function expiringRuleSecurityGroupIds(endpoints: DatabaseEndpoint[]): pulumi.Output<string>[] {
    const seen = new Set<pulumi.Output<string>>();
    const ids: pulumi.Output<string>[] = [];
    for (const id of endpoints.flatMap(expiringRuleGroupIdsOf)) {
        if (!seen.has(id)) ids.push(id);
        seen.add(id);
    }
    return ids;
}

/**
 * One {@link EndpointLoadBalancer} per shared load balancer, by name, declared before its endpoints (their
 * listeners are on it). Children of the product like the endpoints; new, so without the endpoints' alias.
 */
function buildSharedLoadBalancers(
    spec: StackSpec,
    vpcId: pulumi.Input<string>,
    opts: pulumi.ComponentResourceOptions,
    owner: ArgsOwner,
): Record<string, EndpointLoadBalancer> {
    const shared: Record<string, EndpointLoadBalancer> = {};
    const paths = new Map(spec.endpoints.map((e, i) => [e.name, i]));
    for (const lb of spec.loadBalancers.filter((l) => l.shared)) {
        const members = lb.endpoints.map((n) => spec.endpoints.find((e) => e.name === n)!);
        shared[lb.name] = new EndpointLoadBalancer(
            lb.name,
            {
                vpcId,
                subnetIds: spec.publicSubnetIds,
                spec: lb,
                members: members.map((e) => ({ path: `endpoints[${paths.get(e.name)}]`, spec: e, args: endpointArgs(spec, vpcId, e) })),
                tags: spec.tags,
                quotas: spec.quotas,
                owner,
            },
            { parent: opts.parent },
        );
    }
    return shared;
}

/**
 * One {@link DatabaseIntegrations} per endpoint that declares integrations, created after the endpoint and
 * what else its admin connection needs (`after`: whatever registers its targets, its database's certificate), since
 * the admin connection may go through it. `caCertificate`: the stack CA bundle that issued a self-managed
 * database's certificate, for the admin connection to verify.
 */
function buildIntegrations(
    spec: StackSpec,
    list: { e: EndpointSpec; endpoint: DatabaseEndpoint }[],
    after: (e: EndpointSpec) => pulumi.Resource[],
    caCertificate: pulumi.Output<string>,
    opts: pulumi.ComponentResourceOptions,
): Pick<StackOutputs, "integrations"> {
    if (list.length === 0) return {};
    const integrations: NonNullable<StackOutputs["integrations"]> = {};
    for (const { e, endpoint } of list) {
        const db = e.database;
        const admin = db.admin!;
        const component = new DatabaseIntegrations(
            e.name,
            {
                engine:
                    db.kind === "rds"
                        ? endpoint.rdsEngine.apply((engine) => databaseEngineOfRds(engine ?? "", db.rdsInstanceIdentifier))
                        : (db.engine ?? DatabaseEngine.Postgres),
                dbName: db.dbName ?? endpoint.rdsDbName.apply((n) => n ?? ""),
                endpointHostname: endpoint.hostname,
                // The admin connection's host: resolvable once the load balancer exists, whether or not `hostname`
                // has a record yet (a self-managed database's certificate names it too).
                loadBalancerDnsName: endpoint.loadBalancerDnsName,
                endpointPort: endpoint.port,
                // `pulumi up` declares the users once a target of this group is healthy.
                targetGroupArn: endpoint.targetGroupArn,
                targetHealthTimeoutMinutes: admin.targetHealthTimeoutMinutes,
                endpointAddresses: endpoint.publicAddresses,
                databasePort: endpoint.databasePort,
                rdsAddress: db.kind === "rds" ? endpoint.rdsAddress.apply((a) => a!) : undefined,
                // Self-managed: the first address unless adminHost names the database (its certificate carries both).
                directHost: db.kind === "self-managed" ? admin.host ?? db.addresses[0] : undefined,
                adminSecretArn: admin.secretArn,
                adminConnection: admin.connection,
                adminSslRootCert: admin.sslRootCert,
                // Self-managed: the stack's CA issued the database's certificate (the caCertificate output).
                adminCaCertificatePem: db.kind === "self-managed" ? caCertificate : undefined,
                objectOwners: db.objectOwners,
                integrations: e.integrations!.map((i) => ({
                    name: i.name,
                    access: i.access,
                    schemas: i.schemas,
                    tables: i.tables?.map((t) => `${t.schema}.${t.name}`),
                    sequences: i.sequences?.map((q) => `${q.schema}.${q.name}`),
                    connectionLimit: i.connectionLimit,
                    rotation: i.rotation,
                    sslRootCert: i.sslRootCert,
                })),
                tags: { ...spec.tags, ...e.tags },
            },
            // Through the endpoint: what a connection through it needs (not its hostname's records, flow logs or saved
            // query), before the users are created and after they are dropped. Direct: nothing of the endpoint.
            pulumi.mergeOptions(opts, { dependsOn: dependencies(admin.connection === AdminConnection.Direct ? [] : connectionPathOf(endpoint), after(e)) }),
        );
        integrations[e.name] = Object.fromEntries(
            e.integrations!.map((i) => [
                i.name,
                {
                    username: i.name,
                    access: i.access,
                    secretArn: component.secretArns.apply((arns) => arns[i.name]),
                    secretName: component.secretNames.apply((names) => names[i.name]),
                    database: component.databases.apply((databases) => databases[i.name]),
                    schemas: i.schemas,
                    tables: (i.tables ?? []).map((t) => `${t.schema}.${t.name}`),
                },
            ]),
        );
    }
    return { integrations };
}

/** `path` and `more`, as `dependsOn` takes them: an output when `path` is one. */
function dependencies(path: pulumi.Resource[] | pulumi.Output<pulumi.Resource[]>, more: pulumi.Resource[]): pulumi.Input<pulumi.Resource[]> {
    return pulumi.Output.isInstance(path) ? path.apply((p) => [...p, ...more]) : [...path, ...more];
}

/** The args of one endpoint's {@link DatabaseEndpoint}, from the validated model. */
function endpointArgs(spec: StackSpec, vpcId: pulumi.Input<string>, e: EndpointSpec) {
    const db = e.database;
    return {
        vpcId,
        subnetIds: spec.publicSubnetIds,
        database:
            db.kind === "rds"
                ? {
                      rdsInstanceIdentifier: db.rdsInstanceIdentifier,
                      securityGroupId: db.securityGroupId,
                      restart: db.restart,
                      restartTimeoutMinutes: db.restartTimeoutMinutes,
                  }
                : { addresses: db.addresses, port: db.port, securityGroupId: db.securityGroupId, engine: db.engine },
        port: e.port,
        // As written: the component de-duplicates them and warns about them itself.
        allowedCidrs: e.allowedCidrs,
        ...(e.allowlistEntries.length > 0 ? { allowlist: e.allowlistEntries as AllowlistEntry[] } : {}),
        allowlistExpiryWarningDays: spec.allowlistExpiryWarningDays,
        connectionAudit: e.connectionAudit.enabled,
        connectionAuditRetentionDays: e.connectionAudit.retentionDays,
        allowPublicInternet: e.allowPublicInternet,
        idleTimeoutSeconds: e.idleTimeoutSeconds,
        elasticIps: e.elasticIps,
        hostname: e.hostname,
        hostedZoneId: e.hostedZoneId,
        ipAddressType: e.ipAddressType === IpAddressType.Dualstack ? IpAddressType.Dualstack : IpAddressType.Ipv4,
        deletionProtection: e.deletionProtection,
        rulesPerSecurityGroup: spec.quotas.rulesPerSecurityGroup,
        securityGroupsPerLoadBalancer: spec.quotas.securityGroupsPerLoadBalancer,
        // Counted across the product by its own check; each endpoint checks its own count again.
        elasticIpsPerRegion: spec.quotas.elasticIpsPerRegion,
        // With target sync on, the TargetSync function owns RDS targets (see infra/components/targetSync.ts).
        manageRdsTargets: db.kind === "rds" ? !spec.targetSync.enabled : undefined,
        tags: { ...spec.tags, ...e.tags },
    };
}
