/**
 * Stack outputs as `pulumi stack output --json` prints them for one endpoint, built with the same functions the
 * stack computes its `tls` output with (infra/connection.ts), for tests of the commands that read the outputs
 * (verify, handoff) without deploying anything.
 */
import { rdsConnectionInfo, selfManagedConnectionInfo } from "../infra/connection";

export interface IntegrationFixture {
    name: string;
    access: "read" | "write";
    database: string;
    schemas: string[];
    tables?: string[];
}

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** The ARN of an integration's credentials secret, as Secrets Manager names it (name, hyphen, six characters). */
export function integrationSecretArn(endpoint: string, integration: string): string {
    return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-endpoints/dev/${endpoint}/${integration}-0123456789abcdef0123456789-AbCdEf`;
}

/** The ARN of an endpoint's target group. */
export function targetGroupArn(endpoint: string): string {
    return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${endpoint}-tg/0123456789abcdef`;
}

function integrationsOutput(endpoint: string, integrations: IntegrationFixture[]) {
    return Object.fromEntries(
        integrations.map((i) => [
            i.name,
            {
                username: i.name,
                access: i.access,
                secretArn: integrationSecretArn(endpoint, i.name),
                secretName: `db-endpoints/dev/${endpoint}/${i.name}-0123456789abcdef0123456789`,
                database: i.database,
                schemas: i.schemas,
                tables: i.tables ?? [],
            },
        ]),
    );
}

export interface SelfManagedFixture {
    name: string;
    hostname: string;
    loadBalancerDnsName: string;
    port: number;
    engine?: "postgres" | "mysql";
    /** The database's addresses and port. */
    addresses: string[];
    databasePort: number;
    caCertificate: string;
    /** The names on the server certificate the stack issued (DNS names and IP addresses). */
    certificateNames: string[];
    certificateExpiresAt: string;
    publicAddresses?: string[];
    allowedCidrs?: string[];
    idleTimeoutSeconds?: number;
    integrations?: IntegrationFixture[];
}

/** The outputs of a stack with one endpoint in front of a self-managed database. */
export function selfManagedStackOutputs(f: SelfManagedFixture): Record<string, unknown> {
    const secretName = `db-endpoints/dev/db-${f.addresses.join("-")}-${f.databasePort}/tls`;
    return {
        endpoints: {
            [f.name]: {
                hostname: f.hostname,
                port: f.port,
                loadBalancerDnsName: f.loadBalancerDnsName,
                publicAddresses: f.publicAddresses ?? [],
                allowedCidrs: f.allowedCidrs ?? ["203.0.113.0/24"],
                idleTimeoutSeconds: f.idleTimeoutSeconds ?? 3600,
                database: `self-managed:${f.addresses.join(",")}`,
                databasePort: f.databasePort,
                securityGroupIds: ["sg-0123456789abcdef0"],
                ...(f.engine ? { engine: f.engine } : {}),
                targetGroupArn: targetGroupArn(f.name),
            },
        },
        caCertificate: f.caCertificate,
        tls: {
            [f.name]: selfManagedConnectionInfo({
                engine: f.engine,
                endpointHostname: f.hostname,
                port: f.port,
                certificateNames: f.certificateNames,
                certificateExpiresAt: f.certificateExpiresAt,
                secretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secretName}-AbCdEf`,
                secretName,
                restartMethod: "manual",
                restartInstanceIds: [],
            }),
        },
        ...(f.integrations ? { integrations: { [f.name]: integrationsOutput(f.name, f.integrations) } } : {}),
    };
}

export interface RdsFixture {
    name: string;
    engine: "postgres" | "mysql";
    rdsAddress: string;
    loadBalancerDnsName: string;
    hostname?: string;
    port: number;
    publicAddresses?: string[];
    idleTimeoutSeconds?: number;
    allowedCidrs?: string[];
    integrations?: IntegrationFixture[];
    caCertificate: string;
}

/** The outputs of a stack with one endpoint in front of an RDS instance. */
export function rdsStackOutputs(f: RdsFixture): Record<string, unknown> {
    const hostname = f.hostname ?? f.loadBalancerDnsName;
    return {
        endpoints: {
            [f.name]: {
                hostname,
                port: f.port,
                loadBalancerDnsName: f.loadBalancerDnsName,
                publicAddresses: f.publicAddresses ?? [],
                allowedCidrs: f.allowedCidrs ?? ["203.0.113.0/24"],
                idleTimeoutSeconds: f.idleTimeoutSeconds ?? 3600,
                database: `rds:${f.rdsAddress.split(".")[0]}`,
                databasePort: f.port,
                securityGroupIds: ["sg-0123456789abcdef0"],
                engine: f.engine,
                targetGroupArn: targetGroupArn(f.name),
            },
        },
        caCertificate: f.caCertificate,
        tls: {
            [f.name]: rdsConnectionInfo({
                engine: f.engine,
                rdsAddress: f.rdsAddress,
                rdsCaCertIdentifier: "rds-ca-rsa2048-g1",
                endpointHostname: hostname,
                loadBalancerDnsName: f.loadBalancerDnsName,
                publicAddresses: f.publicAddresses ?? [],
                port: f.port,
                restart: "when-pending",
            }),
        },
        ...(f.integrations ? { integrations: { [f.name]: integrationsOutput(f.name, f.integrations) } } : {}),
    };
}
