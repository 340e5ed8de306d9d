/**
 * The outputs of the whole product, as the `DatabaseEndpoints` component exposes them and the stack exports
 * them: what a client needs to connect and verify, what to monitor, and where each integration's
 * credentials are (never a password or a private key).
 */
import * as pulumi from "@pulumi/pulumi";

/** Per endpoint: what a client connects to, and what the endpoint admits. */
export interface EndpointOutput {
    /** The name clients use: `hostname`, or the load balancer's DNS name. */
    hostname: string;
    /** The listener port. */
    port: number;
    /** The load balancer's own DNS name. */
    loadBalancerDnsName: string;
    /** The Elastic IPs, with `elasticIps`; otherwise empty (the addresses may change). */
    publicAddresses: string[];
    /** The allowlist's CIDRs in effect (entries that have expired are left out). */
    allowedCidrs: string[];
    /** The managed prefix lists admitted (present when the allowlist has any in effect). */
    allowedPrefixLists?: string[];
    /** The listener's TCP idle timeout, seconds. */
    idleTimeoutSeconds: number;
    /** The database: `rds:<identifier>` or `<addresses>:<port>`. */
    database: string;
    /** The port of the database behind the endpoint. */
    databasePort: number;
    /** The load balancer's security groups; the first is admitted by the database's. */
    securityGroupIds: string[];
    /**
     * The protocol clients speak through the endpoint: `postgres` (PostgreSQL, Aurora PostgreSQL) or `mysql` (MySQL,
     * MariaDB, Aurora MySQL). Absent when it is not known: a self-managed database without `engine`, or an RDS
     * engine of another kind.
     */
    engine?: string;
    /** The target group the listener forwards to: its targets' health is what `DescribeTargetHealth` reports. */
    targetGroupArn: string;
    /** The shared load balancer the endpoint listens on (its `loadBalancer`); absent on a load balancer of its own. */
    loadBalancer?: string;
    /** The CloudWatch log group of the load balancer's flow logs (absent with `connectionAudit` off). */
    connectionLogGroup?: string;
    /** The saved Logs Insights query of who connected to the endpoint (absent with `connectionAudit` off). */
    connectionQuery?: string;
    /**
     * RDS with `connectionAudit` on: whether the instance records who logs in, `on`, `off` or `unknown` (read from
     * its parameter or option group at preview and deployment; docs/connection-audit.md). Absent otherwise.
     */
    databaseConnectionLogging?: string;
}

/** One generation of the stack's CA. */
export interface CaGenerationOutput {
    /** The generation number. */
    generation: number;
    /** When its certificate expires (RFC 3339). */
    expiresAt: string;
    /** From then on every deployment fails until the CA is renewed or rotated. */
    renewalStartsAt: string;
}

/** The CA generation that issues server certificates, and when each generation expires. */
export interface CertificateAuthorityOutput {
    /** The generation that signs server certificates. */
    issuer: number;
    /** Every generation, ascending. */
    generations: CaGenerationOutput[];
}

/**
 * Per self-managed database: its server certificate's expiry and when its renewal window opens. From
 * `renewalStartsAt` on, the first `pulumi up` re-issues the certificate and the restart hook loads it; without
 * a deployment between `renewalStartsAt` and `expiresAt` it expires.
 */
export interface ServerCertificateOutput {
    /** The database, `<addresses>:<port>`. */
    database: string;
    /** The endpoints that reach it. */
    endpoints: string[];
    /** When the certificate expires (RFC 3339). */
    expiresAt: string;
    /** When its renewal window opens: the first `pulumi up` from then on re-issues it. */
    renewalStartsAt: string;
    /** The Secrets Manager secret the certificate is delivered in. */
    secretName: string;
}

/**
 * Per endpoint: how a client verifies the database's certificate through it. `certificateIssuer` is
 * `aws-rds` (the RDS CA; the name verified is the instance's own hostname) or `stack-ca` (the stack's CA; the
 * name verified is the endpoint's hostname). Keys of settings that do not apply are absent.
 */
export interface EndpointTls {
    /** `aws-rds` or `stack-ca`. */
    certificateIssuer: string;
    /** The name the certificate is verified against. */
    verifyHostname: string;
    /** File name the CA bundle is saved as. */
    caFile: string;
    /** Command that saves the CA bundle to `caFile`. */
    getCa: string;
    /** RDS: the restart policy; self-managed: `ssm-run-command` or `manual`. */
    restart: string;
    /** RDS: the CA that issued the instance's certificate. */
    rdsCaCertIdentifier?: string;
    /** RDS: whether the endpoint's addresses are fixed (Elastic IPs); otherwise they are resolved at connect time. */
    fixedAddresses?: boolean;
    /** libpq connection string verifying the certificate in full. */
    libpq?: string;
    /** psql command verifying the certificate in full. */
    psql?: string;
    /** mysql command verifying the certificate in full (RDS: needs `mysqlHostsEntry` first). */
    mysql?: string;
    /** RDS: adds the hosts-file entry that makes the RDS hostname resolve to the endpoint on this client. */
    mysqlHostsEntry?: string;
    /** RDS: mysql command through the endpoint hostname that verifies the chain only (`VERIFY_CA`). */
    mysqlVerifyCa?: string;
    /** Self-managed: the DNS names and IP addresses in the server certificate. */
    certificateNames?: string[];
    /** Self-managed: when the server certificate expires (RFC 3339). */
    certificateExpiresAt?: string;
    /** Self-managed: the secret holding certificate, key and CA (JSON); never the key itself. */
    certificateSecretArn?: string;
    /** Self-managed: the name of that secret. */
    certificateSecretName?: string;
    /** Self-managed: IAM policy document for the database host's instance role: read this database's certificate secret only. */
    instanceRolePolicy?: IamPolicyOutput;
    /** Self-managed: the instances the restart hook runs on. */
    restartInstanceIds?: string[];
    /** Self-managed, without `instanceIds`: the database must load a new certificate by hand. */
    restartNote?: string;
}

/** An IAM policy document, as `aws iam put-role-policy --policy-document` takes it. */
export interface IamPolicyOutput {
    /** The policy language version, `2012-10-17`. */
    Version: string;
    /** The statements. */
    Statement: IamPolicyStatementOutput[];
}

/** One statement of an {@link IamPolicyOutput}. */
export interface IamPolicyStatementOutput {
    /** What the statement is for. */
    Sid: string;
    /** `Allow`. */
    Effect: string;
    /** The action allowed. */
    Action: string;
    /** The resources it is allowed on. */
    Resource: string;
}

/** Where an integration's credentials are: its secret holds the password and a ready connection URL. */
export interface IntegrationOutput {
    /** The database user. */
    username: string;
    /** `read` or `write`. */
    access: string;
    /** The Secrets Manager secret holding the user's password and connection URL. */
    secretArn: string;
    /** The name of that secret. */
    secretName: string;
    /** The database its connection uses (the `dbname` in its secret). */
    database: string;
    /** The schemas (MySQL: databases) it is granted. */
    schemas: string[];
    /** The tables it is granted, `schema.table`; empty when it is granted every table of its schemas. */
    tables: string[];
}

/** Where to look when an RDS endpoint's targets follow a failover. */
export interface TargetSyncOutput {
    /** The Lambda function that keeps the targets current. */
    functionName: string;
    /** Its CloudWatch log group. */
    logGroupName: string;
    /** Its backstop schedule. */
    schedule: string;
    /** The EventBridge rules that run it on RDS events and on the schedule. */
    eventRuleNames: string[];
    /** CloudWatch namespace of `TargetChanges`, `SyncFailures`, `UnservedTargets` (dimension `TargetGroup`). */
    metricNamespace: string;
    /** Tag on each RDS endpoint's target group: when the function last changed its targets. */
    changeTagKey: string;
}

/** Where the stack's upkeep function runs, and its duties. */
export interface UpkeepOutput {
    /** The Lambda function. */
    functionName: string;
    /** Its CloudWatch log group: every run's JSON log lines, and the metrics the alarms watch. */
    logGroupName: string;
    /** How often it runs. */
    schedule: string;
    /** What it does: `target-sync`, `certificate-expiry`, `expired-rules`. */
    duties: string[];
}

/** The names of one endpoint's alarms. */
export interface EndpointAlarmsOutput {
    /** Fires when the endpoint has had no healthy target for 3 minutes. */
    noHealthyTarget: string;
    /** RDS with target sync: fires when the target group's sync failed in 3 consecutive scheduled runs. */
    syncFailures?: string;
    /** RDS with target sync: fires when a registered target was not served in 3 consecutive scheduled runs. */
    unservedTargets?: string;
}

/** The stack's alarms and where they notify. */
export interface AlarmsOutput {
    /** The SNS topic the stack created for `alarms.emails`; absent without emails. */
    topicArn?: string;
    /** Every topic the alarms notify, when they fire and when they clear; empty: they notify no one. */
    actions: string[];
    /** Per endpoint, its alarms' names. */
    endpoints: { [name: string]: EndpointAlarmsOutput };
    /** Per certificate (`ca-<generation>`, and each self-managed database's `db-<addresses>-<port>`), its expiry alarm's name. */
    certificates: { [name: string]: string };
    /** The alarm on expired allowlist rules the function could not revoke; absent when no allowlist entry expires. */
    expiredRules?: string;
}

/** Each field of `T` as an output. */
export type OutputsOf<T> = { [K in keyof T]: pulumi.Output<T[K]> };

/**
 * The product's outputs one value at a time, as the stack exports them: a preview shows each value as soon as
 * it is known. `integrations` is present when an endpoint declares integrations, `targetSync` when target
 * sync is on and an endpoint is backed by RDS.
 */
export interface StackOutputs {
    endpoints: Record<string, OutputsOf<EndpointOutput>>;
    /** PEM bundle of the stack CA's generations: `pulumi stack output caCertificate > ca.pem`. Never a key. */
    caCertificate: pulumi.Output<string>;
    certificateAuthority: pulumi.Output<CertificateAuthorityOutput>;
    /** Per self-managed database, by its certificate component's name. Empty without self-managed databases. */
    certificates: Record<string, pulumi.Output<ServerCertificateOutput>>;
    tls: Record<string, pulumi.Output<EndpointTls>>;
    integrations?: Record<string, Record<string, IntegrationStackOutput>>;
    targetSync?: OutputsOf<TargetSyncOutput>;
    /** Present when the stack has an upkeep function (target sync, or alarms watching certificates). */
    upkeep?: OutputsOf<UpkeepOutput>;
    /** Present with alarms on. */
    alarms?: OutputsOf<AlarmsOutput>;
}

/** {@link IntegrationOutput} as the stack exports it: the names are known when the program runs. */
export interface IntegrationStackOutput {
    username: string;
    access: string;
    secretArn: pulumi.Output<string>;
    secretName: pulumi.Output<string>;
    database: pulumi.Output<string>;
    schemas: string[];
    tables: string[];
}
