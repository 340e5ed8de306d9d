import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import * as aws from "@pulumi/aws";
import * as mysql from "@pulumi/mysql";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as process from "node:process";
import {
    ADMIN_CONNECTION_MODES,
    adminCaFilePath,
    AdminConnectionMode,
    AdminConnectionSettings,
    adminConnectionSettings,
    AdminCredential,
    checkAgainstDatabase,
    checkMysqlTrustStore,
    clientConnection,
    DEFAULT_SSL_ROOT_CERT,
    EngineName,
    engineOfRds,
    ENGINES,
    IntegrationSpec,
    ownersOf,
    parseAdminSecret,
    parseEnum,
    parseIdentifier,
    parseIntegrations,
    parseCaBundle,
    parseObjectOwners,
    parsePath,
    parseSecretArn,
    planMysqlGrants,
    planPostgresGrants,
    requireRdsAdminCa,
    SCRAM_SALT_BYTES,
    scramSha256Verifier,
    selfManagedMysqlTrustWarning,
    SUPPORTED_RDS_ENGINES,
    TARGET_HEALTH_TIMEOUT_MINUTES,
} from "../integrations/integrationSpec";
import { adminCaDirectory, checkExistingAdminCaFile, writeAdminCaFile } from "../adminCaFile";
import { awsSdkClientConfig } from "../hooks/support";
import { parseAddress } from "../net/ip";
import { waitForHealthyTarget } from "../targetHealth";
import { endpointTags } from "../tags";
import { isPlainObject, optionalInteger, patterns, Problems, show, ValidationError } from "../validation";
import { throwIfInvalidArgs } from "./argsError";

/** The database engine, as the database providers see it. */
export enum DatabaseEngine {
    /** PostgreSQL (RDS `postgres` and `aurora-postgresql`, or self-managed). */
    Postgres = "postgres",
    /** MySQL or MariaDB (RDS `mysql`, `mariadb` and `aurora-mysql`, or self-managed). */
    Mysql = "mysql",
}

/** What an integration may do with the tables it is given. */
export enum IntegrationAccess {
    /** SELECT. */
    Read = "read",
    /** SELECT, INSERT, UPDATE, DELETE (and, on PostgreSQL, USAGE on the sequences inserts draw from). */
    Write = "write",
}

/** Where the database provider reaches the database with the admin credential during `pulumi up`. */
export enum AdminConnection {
    /**
     * Through the endpoint (its load balancer's DNS name, `loadBalancerDnsName`, once a target is healthy),
     * from wherever `pulumi up` runs: the deployer's public address must be in the endpoint's allowlist. A
     * self-managed database's certificate names the load balancer's DNS name and is verified in full; an
     * RDS certificate names the instance, so PostgreSQL verifies only its chain (`verify-ca`) and MySQL is
     * refused (its provider cannot verify less than the name).
     */
    Endpoint = "endpoint",
    /**
     * Directly, from inside the VPC (a CI runner or bastion there): the RDS instance's own hostname, or
     * `directHost` for a self-managed database, on the database port, verified in full.
     */
    Direct = "direct",
}

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

/** The validated, plain parts of {@link DatabaseIntegrationsArgs}. */
export interface IntegrationsPlan {
    integrations: IntegrationSpec[];
    rds: boolean;
    adminConnection: AdminConnectionMode;
    objectOwners?: string[];
    /** Minutes `pulumi up` waits for a healthy target before the endpoint admin connection; 0: no wait. */
    targetHealthTimeoutMinutes: number;
}

const COMPONENT_TYPE = "db-endpoints:index:DatabaseIntegrations";

/** Secrets Manager name characters (the component name and prefix become part of secret names). */
const SECRET_NAME_PART = /^[A-Za-z0-9/_+=.@-]{1,256}$/;

/** An ELBv2 target group ARN. */
const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/** Whether an input is a plain value now (not an output or promise known only at deployment). */
function isKnown<T>(value: pulumi.Input<T> | undefined): value is T {
    return !pulumi.Output.isInstance(value) && !(value instanceof Promise);
}

/**
 * Checks the args that are known when the component is declared, all at once. Throws
 * `pulumi.InputPropertiesError` naming every bad property. Engine- and admin-dependent rules whose
 * inputs are outputs are checked when they resolve, before any resource is declared.
 */
export function planDatabaseIntegrations(name: string, args: DatabaseIntegrationsArgs): IntegrationsPlan {
    const problems = new Problems();
    if (typeof name !== "string" || !SECRET_NAME_PART.test(name)) {
        problems.error("name", `${show(name)} is not usable in Secrets Manager names (letters, digits and /_+=.@-)`);
    }
    let integrations: IntegrationSpec[] = [];
    if (!isKnown(args.integrations)) {
        problems.error("integrations", "must be known when the component is declared (it decides which users and grants exist)");
    } else if (args.integrations === undefined || args.integrations === null) {
        problems.error("integrations", "is required: at least one integration");
    } else if (Array.isArray(args.integrations) && args.integrations.length === 0) {
        problems.error("integrations", "is empty; declare at least one integration");
    } else {
        // Outputs among an integration's optional scalars (connectionLimit, rotation, sslRootCert) are
        // checked when they resolve (checkResolved); only the plain values are checked here.
        const plainParts = args.integrations.map((i) =>
            isPlainObject(i) ? Object.fromEntries(Object.entries(i).filter(([, v]) => isKnown(v as pulumi.Input<unknown>))) : i,
        );
        integrations = parseIntegrations(problems, "integrations", plainParts);
    }
    if (args.adminSecretArn === undefined || args.adminSecretArn === null || args.adminSecretArn === "") {
        problems.error("adminSecretArn", "is required: the secret holding the admin login the users are created with");
    } else if (isKnown(args.adminSecretArn)) {
        parseSecretArn(problems, "adminSecretArn", args.adminSecretArn);
    }
    const adminConnection = parseEnum(problems, "adminConnection", args.adminConnection, ADMIN_CONNECTION_MODES) ?? "endpoint";
    const rds = args.rdsAddress !== undefined && args.rdsAddress !== null;
    if (args.directHost !== undefined && args.directHost !== null) {
        if (rds) {
            problems.error("directHost", "is not used with an RDS instance: the direct connection goes to rdsAddress, the name on its certificate");
        } else if (
            isKnown(args.directHost) &&
            (typeof args.directHost !== "string" || (!patterns.hostname.test(args.directHost) && parseAddress(args.directHost)?.family !== "ipv4"))
        ) {
            problems.error("directHost", `${show(args.directHost)} is not a lower-case DNS name or an IPv4 address (a name on the database's certificate)`);
        }
    } else if (!rds && adminConnection === "direct") {
        problems.error("directHost", "is required for a self-managed database with the direct admin connection: its hostname or address inside the VPC, as on its certificate");
    }
    let objectOwners: string[] | undefined;
    if (!isKnown(args.objectOwners)) {
        problems.error("objectOwners", "must be known when the component is declared (it decides which default privileges exist)");
    } else {
        objectOwners = parseObjectOwners(problems, "objectOwners", args.objectOwners);
    }
    if (isKnown(args.dbName) && args.dbName !== undefined) parseIdentifier(problems, "dbName", args.dbName, "database");
    if (isKnown(args.adminSslRootCert)) parsePath(problems, "adminSslRootCert", args.adminSslRootCert, "a CA bundle path on the deployer's machine");
    if (rds) requireRdsAdminCa(problems, "adminSslRootCert", args.adminSslRootCert);
    if (args.adminCaCertificatePem !== undefined && args.adminCaCertificatePem !== null) {
        if (rds) {
            problems.error("adminCaCertificatePem", "is not used with an RDS instance: AWS's RDS CAs issue its certificate (adminSslRootCert)");
        } else if (isKnown(args.adminCaCertificatePem)) {
            parseCaBundle(problems, "adminCaCertificatePem", args.adminCaCertificatePem);
        }
    }
    if (isKnown(args.secretNamePrefix) && args.secretNamePrefix !== undefined && !SECRET_NAME_PART.test(args.secretNamePrefix)) {
        problems.error("secretNamePrefix", `${show(args.secretNamePrefix)} is not usable in Secrets Manager names (letters, digits and /_+=.@-)`);
    }
    if (isKnown(args.engine)) {
        const engine = parseEnum(problems, "engine", args.engine, ENGINES);
        if (args.engine === undefined || args.engine === null) problems.error("engine", 'is required: "postgres" or "mysql"');
        if (engine) {
            checkAgainstDatabase(
                problems,
                { integrations: "integrations", settings: "" },
                {
                    engine,
                    rds,
                    adminConnection,
                    // An output stands for "set": its value is checked again when it resolves.
                    dbName: isKnown(args.dbName) ? args.dbName : "(known at deployment)",
                    objectOwners,
                },
                integrations,
            );
        }
    }
    if (isKnown(args.targetGroupArn) && args.targetGroupArn !== undefined && args.targetGroupArn !== null) {
        if (typeof args.targetGroupArn !== "string" || !TARGET_GROUP_ARN.test(args.targetGroupArn)) {
            problems.error("targetGroupArn", `${show(args.targetGroupArn)} is not a target group ARN (DatabaseEndpoint.targetGroupArn)`);
        }
    }
    if (!isKnown(args.targetHealthTimeoutMinutes)) {
        problems.error("targetHealthTimeoutMinutes", "must be known when the component is declared");
    }
    const targetHealthTimeoutMinutes = isKnown(args.targetHealthTimeoutMinutes)
        ? optionalInteger(problems, "targetHealthTimeoutMinutes", args.targetHealthTimeoutMinutes, TARGET_HEALTH_TIMEOUT_MINUTES.min, TARGET_HEALTH_TIMEOUT_MINUTES.max)
        : undefined;
    throwIfInvalidArgs(problems, "DatabaseIntegrations", name);
    return {
        integrations,
        rds,
        adminConnection,
        ...(objectOwners ? { objectOwners } : {}),
        targetHealthTimeoutMinutes: targetHealthTimeoutMinutes ?? TARGET_HEALTH_TIMEOUT_MINUTES.default,
    };
}

/** The engine integrations use for an RDS instance's engine; throws for engines they do not support. */
export function databaseEngineOfRds(rdsEngine: string, instance: string): DatabaseEngine {
    const engine = engineOfRds(rdsEngine);
    if (engine === undefined) {
        throw new Error(
            `RDS instance ${instance} runs ${show(rdsEngine)}; integrations support ${SUPPORTED_RDS_ENGINES.join(", ")}`,
        );
    }
    return engine === "postgres" ? DatabaseEngine.Postgres : DatabaseEngine.Mysql;
}

/** Deployment-time facts every user and grant depends on, checked before any of them is declared. */
interface CheckedFacts {
    engine: EngineName;
    /** PostgreSQL: the database; MySQL: the configured default database, if any. */
    dbName?: string;
    /** The integrations with their output-valued fields resolved and checked, in the order of the args. */
    integrations: IntegrationSpec[];
    /** `adminSslRootCert`, resolved; undefined when not set. */
    adminSslRootCert?: string;
}

interface Built {
    secretArns: Record<string, string>;
    secretNames: Record<string, string>;
    adminHost: string;
    adminSslMode: string;
}

/**
 * Least-privileged database users for the integrations of one database (Aptible's advice: never hand
 * the admin credential to an external service). Per integration: a login user with a generated password,
 * exactly the grants its access level needs on the listed schemas or tables, default privileges for
 * tables created later, TLS required where the engine can require it per user (MySQL `REQUIRE SSL`), and
 * an AWS Secrets Manager secret with a ready connection URL through the endpoint. The users are created
 * through a PostgreSQL or MySQL provider that logs in with the admin secret, through the endpoint or
 * directly from inside the VPC.
 */
export class DatabaseIntegrations extends pulumi.ComponentResource {
    /** The engine the users were created for (`postgres` or `mysql`). */
    public readonly engine: pulumi.Output<string>;
    /** Database user name per integration. */
    public readonly usernames: pulumi.Output<Record<string, string>>;
    /** ARN of the credentials secret per integration (the secret holds the password; this output does not). */
    public readonly secretArns: pulumi.Output<Record<string, string>>;
    /** Name of the credentials secret per integration. */
    public readonly secretNames: pulumi.Output<Record<string, string>>;
    /** Host the database provider connects to with the admin login. */
    public readonly adminHost: pulumi.Output<string>;
    /** TLS verification of the admin connection: `verify-full`/`verify-ca` (PostgreSQL sslmode) or `true` (MySQL, full). */
    public readonly adminSslMode: pulumi.Output<string>;

    constructor(name: string, args: DatabaseIntegrationsArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planDatabaseIntegrations(name, args);
        super(COMPONENT_TYPE, name, {}, opts);
        const child = { parent: this };

        // The admin login, read by `pulumi up` and kept secret: it only configures the provider. A preview
        // never reads it: the role that runs previews (e.g. for pull requests) must not be able to read the
        // admin password, so there the login is unknown and the provider shows as configured at deployment.
        const preview = pulumi.runtime.isDryRun();
        const credential: pulumi.Output<AdminCredential> = preview
            ? unknownOutput<AdminCredential>()
            : pulumi
                  .all([pulumi.secret(aws.secretsmanager.getSecretVersionOutput({ secretId: args.adminSecretArn }, child).secretString), args.adminSecretArn])
                  .apply(([text, arn]) => parseAdminSecret(text, arn));
        // The admin user name only feeds the check that no integration takes it; it is not a secret (RDS
        // shows it as the instance's master user name). Unknown in a preview, where that check is skipped.
        const adminUsername: pulumi.Output<string | undefined> = preview ? pulumi.output<string | undefined>(undefined) : pulumi.unsecret(credential.apply((c) => c.username));

        // Engine, database name, the integrations' output-valued fields and the admin user, checked before
        // any user or grant is declared.
        const facts: pulumi.Output<CheckedFacts> = pulumi
            .all([args.engine, args.dbName, args.adminSslRootCert, adminUsername, pulumi.output(args.integrations)])
            .apply(([engine, dbName, adminSslRootCert, username, integrations]) =>
                checkResolved(this, name, plan, { engine, dbName, adminSslRootCert, adminUsername: username, integrations, preview }),
            );

        // Through the endpoint, `pulumi up` declares the users once a target is healthy: the load balancer routes
        // nothing to a target that is still registering, so the provider would fail to connect on a first
        // deployment. After the checks (a refused config never waits), and after this component's dependencies
        // exist (its URN resolves once they do), so the wait does not start before the listener and targets.
        const hasTargetGroup = args.targetGroupArn !== undefined && args.targetGroupArn !== null;
        const waitMinutes = plan.adminConnection === "endpoint" && hasTargetGroup && !preview ? plan.targetHealthTimeoutMinutes : 0;
        if (plan.adminConnection === "endpoint" && !hasTargetGroup) {
            void pulumi.log.warn(
                "targetGroupArn is not set: pulumi up does not wait for the endpoint's target to be healthy before the admin connection, " +
                    "which fails while a new target is still registering (pass DatabaseEndpoint.targetGroupArn)",
                this,
            );
        }
        const ready: pulumi.Output<CheckedFacts> =
            waitMinutes === 0
                ? facts
                : pulumi.all([facts, args.targetGroupArn!, this.urn]).apply(async ([f, targetGroupArn]) => {
                      await waitForEndpointTarget(this, name, targetGroupArn, waitMinutes);
                      return f;
                  });

        const built = ready.apply((f) => declareIntegrations(this, name, args, plan, f, credential));

        this.engine = facts.apply((f) => f.engine);
        this.usernames = pulumi.output(Object.fromEntries(plan.integrations.map((i) => [i.name, i.name])));
        this.secretArns = built.apply((b) => b.secretArns);
        this.secretNames = built.apply((b) => b.secretNames);
        this.adminHost = built.apply((b) => b.adminHost);
        this.adminSslMode = built.apply((b) => b.adminSslMode);
        this.registerOutputs({
            engine: this.engine,
            usernames: this.usernames,
            secretArns: this.secretArns,
            secretNames: this.secretNames,
            adminHost: this.adminHost,
            adminSslMode: this.adminSslMode,
        });
    }
}

/**
 * Waits, at most `minutes`, until a target of `targetGroupArn` is healthy, logging progress on the component;
 * throws the wait's error (endpoint, target group, targets' states and reasons, what to check) otherwise.
 */
async function waitForEndpointTarget(parent: pulumi.Resource, name: string, targetGroupArn: string, minutes: number): Promise<void> {
    const client = new ElasticLoadBalancingV2Client(awsSdkClientConfig());
    try {
        const result = await waitForHealthyTarget(client, {
            endpoint: name,
            targetGroupArn,
            timeoutMs: minutes * 60_000,
            log: (message) => void pulumi.log.info(message, parent),
        });
        void pulumi.log.info(result.message, parent);
    } finally {
        client.destroy();
    }
}

/** An output that stays unknown (during a preview, its dependents show as known only at deployment). */
function unknownOutput<T>(): pulumi.Output<T> {
    return pulumi.secret(pulumi.output(pulumi.unknown)) as unknown as pulumi.Output<T>;
}

/** What {@link checkResolved} checks: the args' outputs, resolved. */
interface ResolvedArgs {
    engine: unknown;
    dbName: string | undefined;
    adminSslRootCert: string | undefined;
    /** From the admin secret; undefined in a preview. */
    adminUsername: string | undefined;
    /** The integrations with every output in them resolved. */
    integrations: unknown[];
    preview: boolean;
}

/**
 * The deploy-time checks, all at once, before any user or grant is declared: the engine, the engine
 * rules, every integration field that was an output when the component was declared (the same rules as
 * plain values, e.g. `integrations[0].connectionLimit: 0 is out of range`), the admin user name, and (at
 * `pulumi up`, MySQL) that the admin CA bundle is in the provider's trust store. Throws a ValidationError.
 */
function checkResolved(parent: pulumi.Resource, name: string, plan: IntegrationsPlan, r: ResolvedArgs): CheckedFacts {
    const problems = new Problems();
    const engine = parseEnum(problems, "engine", r.engine, ENGINES);
    if (engine === undefined) {
        if (r.engine === undefined) problems.error("engine", 'is required: "postgres" or "mysql"');
        throw new ValidationError(problems.errors, `integrations of ${name}`);
    }
    // Every plain field already passed planDatabaseIntegrations; only resolved outputs can fail here.
    const integrations = parseIntegrations(problems, "integrations", r.integrations);
    const dbName = r.dbName === "" ? undefined : r.dbName;
    checkAgainstDatabase(
        problems,
        { integrations: "integrations", settings: "" },
        {
            engine,
            rds: plan.rds,
            adminConnection: plan.adminConnection,
            dbName,
            dbNameSource: plan.rds ? "the RDS instance" : undefined,
            objectOwners: plan.objectOwners,
            adminUsername: r.adminUsername,
        },
        integrations,
    );
    if (plan.rds) requireRdsAdminCa(problems, "adminSslRootCert", r.adminSslRootCert);
    if (engine === "mysql" && r.adminSslRootCert !== undefined && !r.preview) {
        const checked = checkMysqlTrustStore(problems, "adminSslRootCert", r.adminSslRootCert, { platform: process.platform, env: process.env, cwd: process.cwd() });
        if (!checked) {
            void pulumi.log.warn(
                `adminSslRootCert ${r.adminSslRootCert}: the MySQL provider cannot be given a CA bundle and verifies against the operating ` +
                    `system's trust store on ${process.platform}, which this program cannot inspect; add the bundle there (macOS: the System keychain, trusted for SSL)`,
                parent,
            );
        }
    }
    if (!problems.ok) throw new ValidationError(problems.errors, `integrations of ${name}`);
    return {
        engine,
        ...(dbName !== undefined ? { dbName } : {}),
        integrations,
        ...(r.adminSslRootCert !== undefined && r.adminSslRootCert !== null ? { adminSslRootCert: r.adminSslRootCert } : {}),
    };
}

/** Declares the provider, users, grants and secrets once the engine is known and the facts are checked. */
function declareIntegrations(
    parent: DatabaseIntegrations,
    name: string,
    args: DatabaseIntegrationsArgs,
    plan: IntegrationsPlan,
    facts: CheckedFacts,
    credential: pulumi.Output<AdminCredential>,
): pulumi.Output<Built> {
    const child = { parent };
    const engine = facts.engine;
    const settings: pulumi.Output<AdminConnectionSettings> = pulumi
        .all([args.endpointHostname, args.loadBalancerDnsName, args.endpointPort, args.rdsAddress, args.directHost, args.databasePort])
        .apply(([endpointHostname, loadBalancerDnsName, endpointPort, rdsAddress, directHost, databasePort]) =>
            adminConnectionSettings({
                engine,
                mode: plan.adminConnection,
                rds: plan.rds,
                endpointHostname,
                ...(loadBalancerDnsName ? { loadBalancerDnsName } : {}),
                endpointPort,
                rdsAddress,
                directHost,
                databasePort,
            }),
        );
    const username = credential.apply((c) => c.username);
    const password = credential.apply((c) => c.password);
    // A self-managed database's certificate is issued by the stack's CA, which no system trust store holds:
    // without adminSslRootCert, the admin connection verifies against that CA's bundle, written to a file.
    const preview = pulumi.runtime.isDryRun();
    const stackCaDefault = !plan.rds && facts.adminSslRootCert === undefined;
    // In the user's own directory, checked at each use (infra/adminCaFile.ts); resolved only where it is used.
    const stackCaFile = () => adminCaFilePath(adminCaDirectory(), pulumi.getProject(), pulumi.getStack(), name);

    const provider =
        engine === "postgres"
            ? new postgresql.Provider(
                  `${name}-postgresql`,
                  {
                      host: settings.host,
                      port: settings.port,
                      database: facts.dbName,
                      username,
                      password,
                      sslmode: settings.tlsMode,
                      sslrootcert: stackCaDefault ? adminCaFile(name, stackCaFile, args.adminCaCertificatePem, preview) : args.adminSslRootCert,
                      // RDS's master user is not a PostgreSQL superuser; the provider then avoids superuser-only features.
                      superuser: false,
                      connectTimeout: 30,
                  },
                  child,
              )
            : new mysql.Provider(
                  `${name}-mysql`,
                  {
                      endpoint: pulumi.interpolate`${settings.host}:${settings.port}`,
                      username,
                      password,
                      // Verify the chain against the deployer's trust store and the name against the host.
                      tls: settings.tlsMode,
                  },
                  child,
              );
    const withProvider = { parent, provider };
    const tags = pulumi.output(args.tags ?? {}).apply((t) => endpointTags(name, t as Record<string, string>));
    const prefix = args.secretNamePrefix ?? `db-endpoints/${pulumi.getStack()}/${name}/`;
    const owners = ownersOf(plan.objectOwners);

    const secretArns: Record<string, pulumi.Output<string>> = {};
    const secretNames: Record<string, pulumi.Output<string>> = {};
    facts.integrations.forEach((integration) => {
        const id = `${name}-${integration.name}`;
        const keepers = { rotation: integration.rotation ?? "" };
        const generated = new random.RandomPassword(
            `${id}-password`,
            {
                length: 40,
                // Letters and digits only (about 238 bits): safe unescaped in every client's configuration.
                special: false,
                keepers,
            },
            child,
        );
        const secretPassword = pulumi.secret(generated.result);

        let user: pulumi.Resource;
        const grants: pulumi.Resource[] = [];
        if (engine === "postgres") {
            // The role gets the password's SCRAM-SHA-256 verifier, never the plaintext: CREATE/ALTER ROLE
            // statements reach the server's logs (log_statement = ddl, pgaudit ROLE) and PostgreSQL stores a
            // verifier given there as is. The salt is kept in the state, so the verifier (and the role) only
            // changes when the password does; a new rotation trigger draws a new salt with the new password.
            const salt = new random.RandomBytes(`${id}-password-salt`, { length: SCRAM_SALT_BYTES, keepers }, child);
            const verifier = pulumi.secret(
                pulumi.all([generated.result, salt.base64]).apply(([plaintext, saltBase64]) => scramSha256Verifier(plaintext, Buffer.from(saltBase64, "base64"))),
            );
            const role = new postgresql.Role(
                `${id}-user`,
                {
                    name: integration.name,
                    login: true,
                    // With the provider's `superuser: false` the provider never reads the stored verifier
                    // back (pg_shadow), so the state's value is what it diffs against: no perpetual update.
                    password: verifier,
                    connectionLimit: integration.connectionLimit ?? -1,
                    superuser: false,
                    createDatabase: false,
                    createRole: false,
                    replication: false,
                    bypassRowLevelSecurity: false,
                },
                withProvider,
            );
            user = role;
            const pgPlan = planPostgresGrants(integration, owners);
            for (const g of pgPlan.grants) {
                grants.push(
                    new postgresql.Grant(
                        `${id}-${g.suffix}`,
                        {
                            database: facts.dbName!,
                            role: role.name,
                            objectType: g.objectType,
                            ...(g.schema !== undefined ? { schema: g.schema } : {}),
                            ...(g.objects !== undefined ? { objects: g.objects } : {}),
                            privileges: g.privileges,
                            withGrantOption: false,
                        },
                        withProvider,
                    ),
                );
            }
            for (const d of pgPlan.defaultPrivileges) {
                grants.push(
                    new postgresql.DefaultPrivileges(
                        `${id}-${d.suffix}`,
                        {
                            database: facts.dbName!,
                            role: role.name,
                            owner: d.owner.role ?? username,
                            schema: d.schema,
                            objectType: d.objectType,
                            privileges: d.privileges,
                            withGrantOption: false,
                        },
                        withProvider,
                    ),
                );
            }
        } else {
            const mysqlUser = new mysql.User(
                `${id}-user`,
                {
                    user: integration.name,
                    // Any source: the database sees the endpoint's private addresses, and the allowlist guards the endpoint.
                    host: "%",
                    plaintextPassword: secretPassword,
                    // CREATE USER ... REQUIRE SSL: the server refuses this user over a plain connection.
                    tlsOption: "SSL",
                },
                withProvider,
            );
            user = mysqlUser;
            for (const g of planMysqlGrants(integration)) {
                grants.push(
                    new mysql.Grant(
                        `${id}-${g.suffix}`,
                        {
                            user: mysqlUser.user,
                            host: mysqlUser.host,
                            database: g.database,
                            table: g.table,
                            privileges: g.privileges,
                            grant: false,
                            // The provider appends REQUIRE <tlsOption> to GRANT on MySQL 5.7 (default NONE, which
                            // would lift the user's REQUIRE SSL); keep it SSL.
                            tlsOption: "SSL",
                        },
                        withProvider,
                    ),
                );
            }
        }

        const secret = new aws.secretsmanager.Secret(
            `${id}-credentials`,
            {
                namePrefix: pulumi.interpolate`${prefix}${integration.name}-`,
                description: `db-endpoints ${name}: connection of integration ${integration.name} (${integration.access} access, its own database user)`,
                kmsKeyId: args.secretKmsKeyId,
                tags: tags.apply((t) => ({ ...t, "db-endpoints:integration": integration.name })),
            },
            child,
        );
        const defaultCert = plan.rds ? DEFAULT_SSL_ROOT_CERT.rds : DEFAULT_SSL_ROOT_CERT.selfManaged;
        const sslRootCert = integration.sslRootCert ?? defaultCert;
        const secretString = pulumi
            .all([args.endpointHostname, args.endpointPort, args.endpointAddresses ?? [], args.rdsAddress, secretPassword])
            .apply(([endpointHostname, endpointPort, endpointAddresses, rdsAddress, pw]) =>
                JSON.stringify(
                    clientConnection({
                        engine,
                        rds: plan.rds,
                        endpointHostname,
                        endpointPort,
                        endpointAddresses,
                        rdsAddress,
                        dbName: engine === "postgres" ? facts.dbName! : mysqlDefaultDatabase(integration, facts.dbName),
                        username: integration.name,
                        password: pw,
                        sslRootCert,
                    }),
                ),
            );
        // Published once the user and every grant exist, so whoever reads the secret can use it at once.
        new aws.secretsmanager.SecretVersion(
            `${id}-credentials-value`,
            { secretId: secret.id, secretString: pulumi.secret(secretString) },
            { parent, dependsOn: [user, ...grants] },
        );
        secretArns[integration.name] = secret.arn;
        secretNames[integration.name] = secret.name;
    });

    // MySQL's provider cannot be given the file: say how to put the CA in its trust store (pulumi up only, like
    // the trust-store check of adminSslRootCert). Part of the outputs, so a bad bundle is reported.
    const trustNotice = engine === "mysql" && stackCaDefault && !preview ? mysqlTrustNotice(parent, name, stackCaFile, args.adminCaCertificatePem) : undefined;

    return pulumi.all([pulumi.all(secretArns), pulumi.all(secretNames), settings, trustNotice]).apply(([arns, names, s]) => ({
        secretArns: arns,
        secretNames: names,
        adminHost: s.host,
        adminSslMode: s.tlsMode,
    }));
}

/**
 * Self-managed database without `adminSslRootCert`: the file, holding the CA bundle `pem`, for the admin
 * connection to verify against; undefined without a bundle. The bundle is checked when it resolves; at
 * `pulumi up` it is then written to the file, and the file read back and checked, before anything is
 * configured with the path. A preview writes nothing and shows the path, after checking that neither the
 * directory nor an existing file could have been replaced by another user.
 */
function adminCaFile(name: string, file: () => string, pem: pulumi.Input<string> | undefined, preview: boolean): pulumi.Output<string | undefined> {
    if (pem === undefined || pem === null) return pulumi.output<string | undefined>(undefined);
    return pulumi.output(pem).apply((text) => {
        if (text === undefined || text === null) return undefined;
        checkCaBundle(name, text);
        const path = file();
        if (preview) checkExistingAdminCaFile(path);
        else writeAdminCaFile(path, text);
        return path;
    });
}

/**
 * Self-managed MySQL without `adminSslRootCert`, at `pulumi up`: writes the CA bundle `pem` (when given) to
 * the file for the deployer to add to the provider's trust store, and warns saying how. The provider never
 * reads the file, so failing to write it (or a refused directory) is a warning too; a malformed bundle is an
 * error.
 */
function mysqlTrustNotice(parent: pulumi.Resource, name: string, file: () => string, pem: pulumi.Input<string> | undefined): pulumi.Output<void> {
    return pulumi.output(pem).apply((text) => {
        let written: string | undefined;
        if (text !== undefined && text !== null) {
            checkCaBundle(name, text);
            try {
                const path = file();
                writeAdminCaFile(path, text);
                written = path;
            } catch (e) {
                void pulumi.log.warn((e as Error).message, parent);
            }
        }
        void pulumi.log.warn(selfManagedMysqlTrustWarning(written, process.platform), parent);
    });
}

/** Throws a ValidationError when `adminCaCertificatePem`, resolved, is not a PEM bundle of certificates. */
function checkCaBundle(name: string, pem: string): void {
    const problems = new Problems();
    parseCaBundle(problems, "adminCaCertificatePem", pem);
    if (!problems.ok) throw new ValidationError(problems.errors, `integrations of ${name}`);
}

/** MySQL: the configured database when the integration may use it, else its first schema (a database). */
function mysqlDefaultDatabase(integration: IntegrationSpec, dbName: string | undefined): string {
    return dbName !== undefined && integration.schemas.includes(dbName) ? dbName : integration.schemas[0];
}
