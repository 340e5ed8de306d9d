/**
 * The stack program: reads the stack's config, validates all of it, then maps each endpoint to a
 * {@link DatabaseEndpoint}. Nothing here decides resources itself; the components do.
 */
import * as pulumi from "@pulumi/pulumi";
import { DatabaseEndpoint } from "./components/databaseEndpoint";
import { IpAddressType } from "./enums";
import { AdminConnection, DatabaseEngine, databaseEngineOfRds, DatabaseIntegrations, IntegrationAccess } from "./components/databaseIntegrations";
import { TargetSync, TargetSyncTarget } from "./components/targetSync";
import { buildCertificates, CertificateAuthorityOutput, ServerCertificateOutput } from "./certificates";
import { CONFIG_NAMESPACE, EndpointSpec, parseStackConfig, RawStackConfig, StackSpec } from "./config";
import { RdsConnectionInfo, SelfManagedConnectionInfo } from "./connection";
import { RdsRestartPolicy } from "./enums";
import { formatProblem } from "./validation";

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

/** Per-endpoint stack output: what a client needs to connect, and what the endpoint admits. */
export interface EndpointOutput {
    hostname: pulumi.Output<string>;
    port: pulumi.Output<number>;
    loadBalancerDnsName: pulumi.Output<string>;
    publicAddresses: pulumi.Output<string[]>;
    allowedCidrs: pulumi.Output<string[]>;
    idleTimeoutSeconds: pulumi.Output<number>;
    database: pulumi.Output<string>;
    databasePort: pulumi.Output<number>;
    securityGroupIds: pulumi.Output<string[]>;
}

/** Stack output `targetSync`: where to look when an RDS endpoint's targets follow a failover. */
export interface TargetSyncOutput {
    functionName: pulumi.Output<string>;
    logGroupName: pulumi.Output<string>;
    schedule: pulumi.Output<string>;
    eventRuleNames: pulumi.Output<string[]>;
    /** CloudWatch namespace of `TargetChanges`, `SyncFailures`, `UnservedTargets` (dimension `TargetGroup`). */
    metricNamespace: pulumi.Output<string>;
    /** Tag on each RDS endpoint's target group: when the function last changed its targets. */
    changeTagKey: pulumi.Output<string>;
}

/** Stack output `integrations.<endpoint>.<integration>`: where an integration's credentials are (never the password). */
export interface IntegrationOutput {
    username: string;
    access: string;
    /** The Secrets Manager secret holding the user's password and connection URL. */
    secretArn: pulumi.Output<string>;
    secretName: pulumi.Output<string>;
}

export interface StackOutputs {
    endpoints: Record<string, EndpointOutput>;
    /** PEM bundle of the stack CA's generations: `pulumi stack output caCertificate > ca.pem`. Never a key. */
    caCertificate: pulumi.Output<string>;
    /** The CA generation that issues server certificates, and when each generation expires. */
    certificateAuthority: pulumi.Output<CertificateAuthorityOutput>;
    /**
     * Per self-managed database: its server certificate's expiry and renewal window (`pulumi stack output
     * certificates`); what to monitor, with `certificateAuthority`. Empty without self-managed databases.
     */
    certificates: Record<string, pulumi.Output<ServerCertificateOutput>>;
    /** Per endpoint: how a client verifies the database's certificate through it (see infra/connection.ts). */
    tls: Record<string, pulumi.Output<RdsConnectionInfo | SelfManagedConnectionInfo>>;
    /** Present when an endpoint declares integrations: per endpoint, per integration. */
    integrations?: Record<string, Record<string, IntegrationOutput>>;
    /** Present when `targetSync` is on and at least one endpoint is backed by RDS. */
    targetSync?: TargetSyncOutput;
}

const ALLOWLIST_PATH = /^endpoints\[\d+\]\.(allowedCidrs|allowPublicInternet)\b/;

/** Builds every endpoint of a validated stack spec. */
export function buildStack(spec: StackSpec, opts?: pulumi.ComponentResourceOptions): StackOutputs {
    const endpoints: Record<string, EndpointOutput> = {};
    const syncTargets: TargetSyncTarget[] = [];
    const withIntegrations: { e: EndpointSpec; endpoint: DatabaseEndpoint }[] = [];
    const built: Record<string, DatabaseEndpoint> = {};
    for (const e of spec.endpoints) {
        const endpoint = new DatabaseEndpoint(e.name, endpointArgs(spec, e), opts);
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
        };
    }
    // Integration users connect through an endpoint once a self-managed database has loaded its certificate.
    const tls = buildCertificates(spec, built, opts);
    if (syncTargets.length === 0) return { endpoints, ...tls.outputs, ...buildIntegrations(spec, withIntegrations, tls.certificates, tls.outputs.caCertificate, opts) };
    const sync = new TargetSync("target-sync", { targets: syncTargets, schedule: spec.targetSync.schedule, tags: spec.tags }, opts);
    return {
        endpoints,
        ...tls.outputs,
        // The users are created through the endpoint once its target is registered (by the sync function for RDS).
        ...buildIntegrations(spec, withIntegrations, [sync, ...tls.certificates], tls.outputs.caCertificate, opts),
        targetSync: {
            functionName: sync.functionName,
            logGroupName: sync.logGroupName,
            schedule: sync.schedule,
            eventRuleNames: sync.eventRuleNames,
            metricNamespace: sync.metricNamespace,
            changeTagKey: sync.changeTagKey,
        },
    };
}

/**
 * One {@link DatabaseIntegrations} per endpoint that declares integrations, created after the endpoint
 * (and whatever registers its targets), since the admin connection may go through it. `caCertificate`: the
 * stack CA bundle that issued a self-managed database's certificate, for the admin connection to verify.
 */
function buildIntegrations(
    spec: StackSpec,
    list: { e: EndpointSpec; endpoint: DatabaseEndpoint }[],
    after: pulumi.Resource[],
    caCertificate: pulumi.Output<string>,
    opts?: pulumi.ComponentResourceOptions,
): Pick<StackOutputs, "integrations"> {
    if (list.length === 0) return {};
    const integrations: Record<string, Record<string, IntegrationOutput>> = {};
    for (const { e, endpoint } of list) {
        const db = e.database;
        const admin = db.admin!;
        const component = new DatabaseIntegrations(
            e.name,
            {
                engine:
                    db.kind === "rds"
                        ? endpoint.rdsEngine.apply((engine) => databaseEngineOfRds(engine ?? "", db.rdsInstanceIdentifier))
                        : db.engine === "mysql"
                          ? DatabaseEngine.Mysql
                          : DatabaseEngine.Postgres,
                dbName: db.dbName ?? endpoint.rdsDbName.apply((n) => n ?? ""),
                endpointHostname: endpoint.hostname,
                // The admin connection's host: resolvable once the load balancer exists, whether or not `hostname`
                // has a record yet (a self-managed database's certificate names it too: infra/certificates.ts).
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
                adminConnection: admin.connection === "direct" ? AdminConnection.Direct : AdminConnection.Endpoint,
                adminSslRootCert: admin.sslRootCert,
                // Self-managed: the stack's CA issued the database's certificate (the caCertificate output).
                adminCaCertificatePem: db.kind === "self-managed" ? caCertificate : undefined,
                objectOwners: db.objectOwners,
                integrations: e.integrations!.map((i) => ({
                    name: i.name,
                    access: i.access === "write" ? IntegrationAccess.Write : IntegrationAccess.Read,
                    schemas: i.schemas,
                    tables: i.tables?.map((t) => `${t.schema}.${t.name}`),
                    sequences: i.sequences?.map((q) => `${q.schema}.${q.name}`),
                    connectionLimit: i.connectionLimit,
                    rotation: i.rotation,
                    sslRootCert: i.sslRootCert,
                })),
                tags: { ...spec.tags, ...e.tags },
            },
            pulumi.mergeOptions(opts, { dependsOn: [endpoint, ...after] }),
        );
        integrations[e.name] = Object.fromEntries(
            e.integrations!.map((i) => [
                i.name,
                {
                    username: i.name,
                    access: i.access,
                    secretArn: component.secretArns.apply((arns) => arns[i.name]),
                    secretName: component.secretNames.apply((names) => names[i.name]),
                },
            ]),
        );
    }
    return { integrations };
}

function endpointArgs(spec: StackSpec, e: EndpointSpec) {
    const db = e.database;
    return {
        vpcId: spec.vpcId,
        subnetIds: spec.publicSubnetIds,
        database:
            db.kind === "rds"
                ? {
                      rdsInstanceIdentifier: db.rdsInstanceIdentifier,
                      securityGroupId: db.securityGroupId,
                      restart: db.restart as RdsRestartPolicy | undefined,
                      restartTimeoutMinutes: db.restartTimeoutMinutes,
                  }
                : { addresses: db.addresses, port: db.port, securityGroupId: db.securityGroupId },
        port: e.port,
        // As written: the component de-duplicates them and warns about them itself.
        allowedCidrs: e.allowedCidrs,
        allowPublicInternet: e.allowPublicInternet,
        idleTimeoutSeconds: e.idleTimeoutSeconds,
        elasticIps: e.elasticIps,
        hostname: e.hostname,
        hostedZoneId: e.hostedZoneId,
        ipAddressType: e.ipAddressType === "dualstack" ? IpAddressType.Dualstack : IpAddressType.Ipv4,
        deletionProtection: e.deletionProtection,
        rulesPerSecurityGroup: spec.quotas.rulesPerSecurityGroup,
        securityGroupsPerLoadBalancer: spec.quotas.securityGroupsPerLoadBalancer,
        // Counted across the stack when the config is read; each endpoint checks its own count again.
        elasticIpsPerRegion: spec.quotas.elasticIpsPerRegion,
        // With target sync on, the TargetSync function owns RDS targets (see infra/components/targetSync.ts).
        manageRdsTargets: db.kind === "rds" ? !spec.targetSync.enabled : undefined,
        tags: { ...spec.tags, ...e.tags },
    };
}

/**
 * The program `pulumi up` runs: validate the stack config (every problem at once, before any resource),
 * log the warnings, build the endpoints.
 */
export function main(raw: RawStackConfig = readRawStackConfig()): StackOutputs {
    const { spec, warnings } = parseStackConfig(raw);
    for (const w of warnings) {
        // Allowlist warnings are logged by each endpoint component, attached to it; not twice.
        if (ALLOWLIST_PATH.test(w.path)) continue;
        pulumi.log.warn(`${CONFIG_NAMESPACE}:${formatProblem(w)}`);
    }
    return buildStack(spec);
}
