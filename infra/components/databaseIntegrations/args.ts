/**
 * The arguments of the DatabaseIntegrations component: one integration, and the args themselves (the
 * enums they use are in infra/enums.ts). Their TSDoc is what the package schema, and so
 * the generated SDKs, document them with.
 */
import * as pulumi from "@pulumi/pulumi";
import { AdminConnection, DatabaseEngine, IntegrationAccess } from "../../enums";

/** One integration: an external service that gets its own least-privileged database user. */
export interface Integration {
    /**
     * The integration's name, which is also its database user name: lower-case letters, digits and
     * underscores, starting with a letter, at most 32 characters. Engine and RDS built-in users
     * (`postgres`, `root`, `rdsadmin`, `pg_*`, `rds_*`, `mysql.*`, ...) and the admin user are refused.
     */
    name: string;
    /** `read`: SELECT. `write`: SELECT, INSERT, UPDATE, DELETE. Never DDL, never ownership. */
    access: IntegrationAccess;
    /** Schemas the integration may use (on MySQL: databases). At least one. */
    schemas: string[];
    /**
     * Tables granted: `table` when one schema is listed, else `schema.table`. Without it, every table of
     * the schemas is granted, including tables created later (PostgreSQL default privileges; MySQL
     * `schema.*`).
     */
    tables?: string[];
    /**
     * PostgreSQL, `write` with `tables`: the sequences the tables' serial columns draw from
     * (`sequence` or `schema.sequence`), granted USAGE. Identity columns need none.
     */
    sequences?: string[];
    /**
     * PostgreSQL: concurrent connections the user may hold (1..10000). Default: no limit. Like `rotation`
     * and `sslRootCert`, it may be an output: it is then checked when it resolves, before any user is
     * declared (a preview in which it is still unknown does not show this component's users).
     */
    connectionLimit?: pulumi.Input<number>;
    /**
     * Rotation trigger: any string (e.g. `"2026-11"`). Changing it generates a new password (and, on
     * PostgreSQL, a new SCRAM salt) for this integration alone and updates its user and secret; the old
     * password stops working at once.
     */
    rotation?: pulumi.Input<string>;
    /**
     * Path of the CA bundle on the integration's side, written into its connection URL. Default:
     * `global-bundle.pem` (AWS's RDS bundle) for RDS, `ca.pem` (the stack's CA certificate) otherwise.
     */
    sslRootCert?: pulumi.Input<string>;
}

/** Arguments of {@link DatabaseIntegrations}. */
export interface DatabaseIntegrationsArgs {
    /**
     * The database engine. May be an output (e.g. read from the RDS instance): the users and grants are
     * then declared once it resolves (lookups resolve during `pulumi preview` too).
     */
    engine: pulumi.Input<DatabaseEngine>;
    /**
     * The database the integrations connect to. PostgreSQL: required; the schemas and the CONNECT grant
     * are in it. MySQL: the default database of the connection URL when it is among an integration's
     * schemas (else its first schema).
     */
    dbName?: pulumi.Input<string>;
    /** The endpoint hostname integrations connect to (`DatabaseEndpoint.hostname`). */
    endpointHostname: pulumi.Input<string>;
    /**
     * The endpoint's load balancer DNS name (`DatabaseEndpoint.loadBalancerDnsName`). The `endpoint` admin
     * connection goes to it rather than to `endpointHostname`: it resolves as soon as the load balancer
     * exists, while a custom hostname's record may be made by hand after the deployment, or not yet have
     * reached the deployer's DNS resolver. A self-managed database's certificate must name it
     * (`DatabaseCertificate.endpointHostnames`); an RDS certificate names neither, so nothing changes for RDS.
     * Default: `endpointHostname`.
     */
    loadBalancerDnsName?: pulumi.Input<string>;
    /** The endpoint port (`DatabaseEndpoint.port`). */
    endpointPort: pulumi.Input<number>;
    /**
     * The endpoint's target group (`DatabaseEndpoint.targetGroupArn`). With the `endpoint` admin connection,
     * `pulumi up` waits (see `targetHealthTimeoutMinutes`) until one of its targets is healthy before any
     * user is declared: the load balancer routes nothing to a target that is still registering or passing
     * its first health checks. The wait starts once this component's dependencies exist (pass the endpoint,
     * and whatever registers its targets, in `dependsOn`); `pulumi preview` never waits. Without it the
     * provider may connect before the target is healthy and fail on a first deployment.
     */
    targetGroupArn?: pulumi.Input<string>;
    /**
     * Minutes `pulumi up` waits, at most, for a healthy target in `targetGroupArn` (0..60, 0: no wait).
     * Default 10. On timeout the deployment fails, naming every target's state and the reason AWS gives.
     */
    targetHealthTimeoutMinutes?: number;
    /**
     * The endpoint's fixed public IPv4 addresses (`DatabaseEndpoint.publicAddresses`, with Elastic IPs).
     * With RDS PostgreSQL they let the connection URL verify the instance's certificate in full.
     */
    endpointAddresses?: pulumi.Input<pulumi.Input<string>[]>;
    /** Port of the database itself (`DatabaseEndpoint.databasePort`), used by the direct admin connection. */
    databasePort: pulumi.Input<number>;
    /**
     * RDS only: the instance's own hostname (`DatabaseEndpoint.rdsAddress`), the name its certificate
     * carries. Setting it marks the database as RDS; leave it out for a self-managed database, whose
     * certificate (from the stack's CA) names the endpoint hostname.
     */
    rdsAddress?: pulumi.Input<string>;
    /**
     * Self-managed database, direct admin connection: its hostname or private address inside the VPC, a
     * name its certificate carries (the stack's CA names both).
     */
    directHost?: pulumi.Input<string>;
    /**
     * Secrets Manager secret holding the admin login as JSON `{"username": ..., "password": ...}` (an
     * RDS-managed master user secret has this shape). Read by `pulumi up` only, never by `pulumi preview`
     * (whose role need not read it); it configures the database provider, and Pulumi keeps it, encrypted,
     * in the provider's state.
     */
    adminSecretArn: pulumi.Input<string>;
    /** How `pulumi up` reaches the database with the admin login. Default `endpoint`. */
    adminConnection?: AdminConnection;
    /**
     * Path, on the machine running `pulumi up`, of the CA bundle the admin connection verifies the server
     * against. Required for RDS (AWS's RDS CAs are in no system trust store): AWS's `global-bundle.pem`.
     * PostgreSQL: given to the provider. MySQL: its provider cannot be given a bundle and verifies against
     * Go's trust store, so on Linux `pulumi up` checks that `SSL_CERT_FILE` is this file or `SSL_CERT_DIR`
     * lists its directory. Without it (self-managed only): PostgreSQL verifies against
     * `adminCaCertificatePem` when given, else the system trust store; MySQL against its trust store, which
     * must then hold the CA (`pulumi up` warns, saying how to add it).
     */
    adminSslRootCert?: pulumi.Input<string>;
    /**
     * Self-managed database only: the PEM bundle of the CA that issued the database's certificate (the
     * stack's CA: `CertificateAuthority.certificatePem`, or the program's `caCertificate` output). Without
     * `adminSslRootCert`, `pulumi up` writes it to
     * `<OS temp directory>/db-endpoints-<uid>/<project>-<stack>-<name>-ca.pem` (characters other than
     * letters, digits, `.`, `_` and `-` as `_`; mode 0644, replaced atomically at each deployment and read
     * back) and the PostgreSQL admin connection verifies against that file. The directory (mode 0700) must
     * belong to the user running `pulumi up` and be writable by no one else, nor may any directory above it
     * be (sticky ones such as /tmp excepted): otherwise the deployment stops, saying why, since `pulumi
     * refresh` and `pulumi destroy` trust the file again without this program running. `pulumi preview`
     * writes nothing. MySQL's provider cannot be given a bundle: the file is written for you to add to its
     * trust store. An explicit `adminSslRootCert` wins. Not used with RDS.
     */
    adminCaCertificatePem?: pulumi.Input<string>;
    /**
     * PostgreSQL: roles that create tables in the granted schemas (e.g. the application's migration user).
     * Default privileges make their new tables follow each integration's access. Default: the admin user.
     */
    objectOwners?: string[];
    /** The integrations, each with its own user, grants and credentials secret. */
    integrations: Integration[];
    /** Prefix of the credentials secrets' names. Default `db-endpoints/<stack>/<name>/`. */
    secretNamePrefix?: pulumi.Input<string>;
    /** KMS key that encrypts the credentials secrets. Default: the account's `aws/secretsmanager` key. */
    secretKmsKeyId?: pulumi.Input<string>;
    /** Tags added to the credentials secrets. */
    tags?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}
