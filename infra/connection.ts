/**
 * What a client needs to verify a database's certificate through an endpoint, as ready-to-use settings for
 * psql/libpq and the mysql client. Pure: the stack computes these from resolved outputs.
 *
 * Two cases, because an endpoint is a TCP pass-through and the certificate a client sees is the database's:
 * - Self-managed database: the stack CA's certificate names every endpoint hostname, so a client verifies
 *   it in full by the hostname it connects to.
 * - RDS: AWS's certificate names only the instance's own hostname. libpq can connect to one address
 *   (`hostaddr`) and verify another name (`host`). The mysql client cannot: it verifies the certificate
 *   against the host it connects to, so full verification needs the RDS hostname to resolve to the
 *   endpoint's address on the client (a hosts-file entry); otherwise it can verify only the chain
 *   (`VERIFY_CA`), which proves the server holds some certificate from the RDS CA, not that it is this instance.
 */
import { DATABASE_ENGINES, DatabaseEngine } from "./enums";
import { engineOfRds } from "./integrations/engines";

/** AWS's bundle of every RDS CA (commercial regions); the file name the settings refer to. */
export const RDS_CA_BUNDLE = {
    file: "global-bundle.pem",
    url: "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem",
} as const;

/** The file the stack CA's certificate is saved to, and the command that saves it. */
export const STACK_CA = {
    file: "ca.pem",
    command: "pulumi stack output caCertificate > ca.pem",
} as const;

/** Which clients an engine speaks to: an RDS engine name or a {@link DatabaseEngine}; unknown engine: both. */
export function clientFamilies(engine: string | undefined): DatabaseEngine[] {
    if (engine === undefined || engine === "") return [...DATABASE_ENGINES];
    const known = engineOfRds(engine);
    return known === undefined ? [] : [known];
}

/** A shell expression resolving a DNS name to one IPv4 address when the command runs. */
export function resolveAtConnect(dnsName: string): string {
    return `$(dig +short A ${dnsName} | head -n 1)`;
}

export interface RdsConnectionFacts {
    /** RDS engine (`postgres`, `mysql`, `aurora-postgresql`, ...). */
    engine: string;
    /** The instance's own hostname: the name its certificate carries. */
    rdsAddress: string;
    /** The RDS CA the instance's certificate is issued by. */
    rdsCaCertIdentifier: string;
    /** Hostname clients use for the endpoint (custom hostname or the load balancer's DNS name). */
    endpointHostname: string;
    loadBalancerDnsName: string;
    /** Elastic IPs of the load balancer; empty when its addresses may change. */
    publicAddresses: string[];
    port: number;
    /** The endpoint's reboot policy. */
    restart: string;
}

/** Per-endpoint stack output for an RDS database. Keys of settings that do not apply are absent. */
export interface RdsConnectionInfo {
    certificateIssuer: "aws-rds";
    /** The name the certificate is verified against: the RDS hostname, not the endpoint's. */
    verifyHostname: string;
    rdsCaCertIdentifier: string;
    caFile: string;
    /** Downloads the CA bundle to `caFile`. */
    getCa: string;
    /** Whether the endpoint's addresses are fixed (Elastic IPs); otherwise they are resolved at connect time. */
    fixedAddresses: boolean;
    restart: string;
    /** libpq connection string (only with fixed addresses: `hostaddr` cannot resolve a name). */
    libpq?: string;
    /** psql command verifying the certificate in full. */
    psql?: string;
    /** mysql command verifying the certificate in full; needs `mysqlHostsEntry` first. */
    mysql?: string;
    /** Adds the hosts-file entry that makes the RDS hostname resolve to the endpoint on this client. */
    mysqlHostsEntry?: string;
    /** mysql command through the endpoint hostname that verifies the chain only (`VERIFY_CA`). */
    mysqlVerifyCa?: string;
}

/** Connection settings for an endpoint in front of an RDS instance. */
export function rdsConnectionInfo(f: RdsConnectionFacts): RdsConnectionInfo {
    const fixed = f.publicAddresses.length > 0;
    const families = clientFamilies(f.engine);
    const info: RdsConnectionInfo = {
        certificateIssuer: "aws-rds",
        verifyHostname: f.rdsAddress,
        rdsCaCertIdentifier: f.rdsCaCertIdentifier,
        caFile: RDS_CA_BUNDLE.file,
        getCa: `curl -fsSo ${RDS_CA_BUNDLE.file} ${RDS_CA_BUNDLE.url}`,
        fixedAddresses: fixed,
        restart: f.restart,
    };
    if (families.includes(DatabaseEngine.Postgres)) {
        // libpq pairs host and hostaddr lists element by element, so the RDS name is repeated per address.
        const hosts = fixed ? f.publicAddresses.map(() => f.rdsAddress).join(",") : f.rdsAddress;
        const hostaddr = fixed ? f.publicAddresses.join(",") : resolveAtConnect(f.loadBalancerDnsName);
        const conninfo = `host=${hosts} hostaddr=${hostaddr} port=${f.port} sslmode=verify-full sslrootcert=${RDS_CA_BUNDLE.file}`;
        if (fixed) info.libpq = conninfo;
        info.psql = `psql "${conninfo}"`;
    }
    if (families.includes(DatabaseEngine.Mysql)) {
        info.mysql = `mysql --host=${f.rdsAddress} --port=${f.port} --ssl-mode=VERIFY_IDENTITY --ssl-ca=${RDS_CA_BUNDLE.file}`;
        info.mysqlHostsEntry = fixed
            ? `printf '${f.publicAddresses.map((a) => `${a} ${f.rdsAddress}\\n`).join("")}' | sudo tee -a /etc/hosts`
            : `echo "${resolveAtConnect(f.loadBalancerDnsName)} ${f.rdsAddress}" | sudo tee -a /etc/hosts`;
        info.mysqlVerifyCa = `mysql --host=${f.endpointHostname} --port=${f.port} --ssl-mode=VERIFY_CA --ssl-ca=${RDS_CA_BUNDLE.file}`;
    }
    return info;
}

export interface SelfManagedConnectionFacts {
    /** `postgres`, `mysql`, or undefined when the config does not say. */
    engine?: string;
    endpointHostname: string;
    port: number;
    /** DNS names and IP addresses in the server certificate. */
    certificateNames: string[];
    certificateExpiresAt: string;
    secretArn: string;
    secretName: string;
    /** `ssm-run-command` or `manual`. */
    restartMethod: string;
    restartInstanceIds: string[];
}

/** Per-endpoint stack output for a self-managed database. Keys of settings that do not apply are absent. */
export interface SelfManagedConnectionInfo {
    certificateIssuer: "stack-ca";
    /** The name the certificate is verified against: the endpoint's own hostname. */
    verifyHostname: string;
    certificateNames: string[];
    certificateExpiresAt: string;
    caFile: string;
    /** Saves the stack CA's certificate to `caFile`. */
    getCa: string;
    /** Secret holding certificate, key and CA (JSON); never the key itself. */
    certificateSecretArn: string;
    certificateSecretName: string;
    /**
     * IAM policy for the database host's instance role: read this database's certificate secret, and nothing
     * else (see {@link certificateSecretPolicy}).
     */
    instanceRolePolicy: IamPolicyDocument;
    restart: string;
    restartInstanceIds?: string[];
    /** Present when the database must load a new certificate by hand. */
    restartNote?: string;
    libpq?: string;
    psql?: string;
    mysql?: string;
}

/** An IAM policy document, as `aws iam put-role-policy --policy-document` takes it. */
export interface IamPolicyDocument {
    Version: "2012-10-17";
    Statement: { Sid: string; Effect: "Allow"; Action: string; Resource: string }[];
}

/**
 * The policy a self-managed database's host needs to install its certificate: `secretsmanager:GetSecretValue`
 * on that database's certificate secret alone. The resource is the secret's name followed by `-??????` (the
 * hyphen and six random characters Secrets Manager appends to every secret's ARN) rather than the ARN itself,
 * so the policy can be attached before the first deployment creates the secret (the restart hook runs in that
 * deployment) and still applies to a secret re-created under the same name. The pattern matches exactly one
 * secret name: no other database's certificate secret, and no integration's credentials secret, whose names
 * end in a 26-character unique suffix (they are created with a name prefix).
 */
export function certificateSecretPolicy(secretArn: string, secretName: string): IamPolicyDocument {
    const [arn, partition, service, region, account] = secretArn.split(":");
    if (arn !== "arn" || service !== "secretsmanager" || !region || !/^\d{12}$/.test(account ?? "")) {
        throw new Error(`${JSON.stringify(secretArn)} is not a Secrets Manager secret ARN`);
    }
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadItsTlsCertificate",
                Effect: "Allow",
                Action: "secretsmanager:GetSecretValue",
                Resource: `arn:${partition}:secretsmanager:${region}:${account}:secret:${secretName}-??????`,
            },
        ],
    };
}

/** Connection settings for an endpoint in front of a self-managed database. */
export function selfManagedConnectionInfo(f: SelfManagedConnectionFacts): SelfManagedConnectionInfo {
    const families = clientFamilies(f.engine);
    const info: SelfManagedConnectionInfo = {
        certificateIssuer: "stack-ca",
        verifyHostname: f.endpointHostname,
        certificateNames: f.certificateNames,
        certificateExpiresAt: f.certificateExpiresAt,
        caFile: STACK_CA.file,
        getCa: STACK_CA.command,
        certificateSecretArn: f.secretArn,
        certificateSecretName: f.secretName,
        instanceRolePolicy: certificateSecretPolicy(f.secretArn, f.secretName),
        restart: f.restartMethod,
    };
    if (f.restartMethod === "ssm-run-command") {
        info.restartInstanceIds = f.restartInstanceIds;
    } else {
        info.restartNote =
            "database.instanceIds is not set: when the certificate is issued or re-issued, install it from the secret " +
            "and restart the database yourself";
    }
    if (families.includes(DatabaseEngine.Postgres)) {
        info.libpq = `host=${f.endpointHostname} port=${f.port} sslmode=verify-full sslrootcert=${STACK_CA.file}`;
        info.psql = `psql "${info.libpq}"`;
    }
    if (families.includes(DatabaseEngine.Mysql)) {
        info.mysql = `mysql --host=${f.endpointHostname} --port=${f.port} --ssl-mode=VERIFY_IDENTITY --ssl-ca=${STACK_CA.file}`;
    }
    return info;
}

/** How strongly a client can verify the database's certificate through an endpoint. */
export type VerificationStrength = "full" | "chain only";

/** What one family of clients can verify of the server through an endpoint, and why. */
export interface ClientVerification {
    /** The clients: libpq and what is built on it (`postgres`), the mysql and MariaDB clients (`mysql`). */
    engine: DatabaseEngine;
    strength: VerificationStrength;
    /** How, or why not more. */
    why: string;
    /** For `chain only`: what on the client makes it full. */
    fullWith?: string;
}

/** What decides how a client verifies the server through an endpoint: known from the config alone. */
export interface VerificationFacts {
    /** An RDS instance (AWS's certificate, naming the instance) or a self-managed database (the stack CA's). */
    rds: boolean;
    /** The engine when the config says it (self-managed); undefined: read from the RDS instance at deploy, or not set. */
    engine?: DatabaseEngine;
    /** The endpoint has Elastic IPs: its addresses never change. */
    fixedAddresses: boolean;
}

/**
 * How strongly each family of clients that can reach the database verifies the server through the endpoint:
 * in full (the chain and the name) or the chain only, and why. Self-managed: in full, by the endpoint hostname,
 * which the stack CA's certificate names. RDS PostgreSQL: in full, libpq connecting to the endpoint's address
 * (`hostaddr`) and verifying the RDS hostname (`host`). RDS MySQL and MariaDB: the client verifies the name it
 * connects to, which the RDS certificate does not carry, so the chain only, unless a hosts-file entry makes the
 * RDS hostname lead to the endpoint (see docs/certificates.md).
 */
export function serverVerification(f: VerificationFacts): ClientVerification[] {
    const engines = f.engine === undefined ? [...DATABASE_ENGINES] : [f.engine];
    return engines.map((engine): ClientVerification => {
        if (!f.rds) {
            return {
                engine,
                strength: "full",
                why: "the stack CA's certificate names every endpoint hostname: the client verifies the name it connects to against ca.pem",
            };
        }
        if (engine === DatabaseEngine.Postgres) {
            return {
                engine,
                strength: "full",
                why: f.fixedAddresses
                    ? "libpq connects to the Elastic IPs (hostaddr) and verifies the RDS hostname (host) against the RDS CA bundle: a fixed connection string"
                    : "libpq connects to the load balancer's address resolved when connecting (hostaddr) and verifies the RDS hostname (host) against the RDS CA bundle; without Elastic IPs there is no fixed connection string",
            };
        }
        return {
            engine,
            strength: "chain only",
            why: "the mysql client verifies the name it connects to, and the RDS certificate names the instance, not the endpoint: VERIFY_CA through the endpoint proves an RDS CA issued the certificate, not that it is this instance",
            fullWith: f.fixedAddresses
                ? "a hosts-file entry that maps the RDS hostname to the Elastic IPs, then VERIFY_IDENTITY by the RDS hostname"
                : "a hosts-file entry that maps the RDS hostname to the load balancer's current address (it can change: use Elastic IPs), then VERIFY_IDENTITY by the RDS hostname",
        };
    });
}
