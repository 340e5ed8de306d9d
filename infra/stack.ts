/**
 * The stack program: reads the stack's config, validates all of it, then maps each endpoint to a
 * {@link DatabaseEndpoint}. Nothing here decides resources itself; the components do.
 */
import * as pulumi from "@pulumi/pulumi";
import { DatabaseEndpoint, IpAddressType } from "./components/databaseEndpoint";
import { CONFIG_NAMESPACE, EndpointSpec, parseStackConfig, RawStackConfig, StackSpec } from "./config";
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

export interface StackOutputs {
    endpoints: Record<string, EndpointOutput>;
}

const ALLOWLIST_PATH = /^endpoints\[\d+\]\.(allowedCidrs|allowPublicInternet)\b/;

/** Builds every endpoint of a validated stack spec. */
export function buildStack(spec: StackSpec, opts?: pulumi.ComponentResourceOptions): StackOutputs {
    const endpoints: Record<string, EndpointOutput> = {};
    for (const e of spec.endpoints) {
        const endpoint = new DatabaseEndpoint(e.name, endpointArgs(spec, e), opts);
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
    return { endpoints };
}

function endpointArgs(spec: StackSpec, e: EndpointSpec) {
    const db = e.database;
    return {
        vpcId: spec.vpcId,
        subnetIds: spec.publicSubnetIds,
        database:
            db.kind === "rds"
                ? { rdsInstanceIdentifier: db.rdsInstanceIdentifier, securityGroupId: db.securityGroupId }
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
