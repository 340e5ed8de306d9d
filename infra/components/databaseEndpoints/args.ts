/**
 * The contract of the whole product: the args of the `DatabaseEndpoints` component and its outputs. The
 * stack config (`Pulumi.<stack>.yaml`, namespace `db-endpoints`) uses exactly these names, so a setting is
 * documented once and reaches every language: YAML through the stack config, C#, Python, Go and YAML
 * programs through the generated SDK, TypeScript directly.
 */
import * as pulumi from "@pulumi/pulumi";
import { AdminConnection, DatabaseEngine, IntegrationAccess, IpAddressType, RdsRestartPolicy } from "../../enums";
import type { AllowlistEntry } from "../databaseEndpoint/args";

export type { AllowlistEntry } from "../databaseEndpoint/args";

/** Arguments of {@link DatabaseEndpoints}: every database endpoint of a stack, with its CA and target sync. */
export interface DatabaseEndpointsArgs {
    /** VPC of the databases and of the public subnets. An output of another resource is checked when it resolves. */
    vpcId: pulumi.Input<string>;
    /**
     * Public subnets the internet-facing load balancers are placed in, one per Availability Zone. Cover every
     * Availability Zone a database can run in (for RDS, every zone of its subnet group): a load balancer sends
     * no traffic to targets in zones it is not in. Adding a subnet updates the load balancers; removing or
     * swapping one replaces them (new DNS names; see `deletionProtection`).
     */
    publicSubnetIds: string[];
    /** The database endpoints, at least one. Names and hostnames are unique. */
    endpoints: EndpointSettings[];
    /** AWS quotas the allowlists and Elastic IPs are checked against. Defaults: AWS's default quotas. */
    quotas?: Quotas;
    /** Tags added to every AWS resource (at most 45; keys may not start with `aws:`). */
    tags?: { [key: string]: string };
    /**
     * Keep each RDS endpoint's target group pointed at the instance's current address (a failover or maintenance
     * moves it), with a Lambda function run on RDS events and on `targetSyncSchedule`. Default true. With false the
     * address resolved at deployment stays registered until the next `pulumi up`.
     */
    targetSync?: boolean;
    /** The target-sync function's backstop schedule: `rate(N minute)` or `rate(N minutes)` with N in 1..5. Default `rate(1 minute)`. */
    targetSyncSchedule?: string;
    /** Generations of the stack's private CA and which one issues server certificates. Default: one generation, 1. */
    certificateAuthority?: CertificateAuthoritySettings;
    /**
     * Days ahead an allowlist entry's expiry is listed by the plan and warned about at every deployment (0..365).
     * Default 14.
     */
    allowlistExpiryWarningDays?: number;
    /** Days every endpoint's connection audit keeps its flow logs, unless the endpoint says otherwise. Default 90. */
    connectionAuditRetentionDays?: number;
    /**
     * CloudWatch alarms, on by default: per endpoint when it has no healthy target, per RDS endpoint with target sync
     * when syncs fail or a target is left unserved, and per certificate (each CA generation, each self-managed
     * database's server certificate) as it nears expiry or when its days-to-expiry metric stops arriving. Where they
     * notify: `snsTopicArn`, `emails`, or both; with neither they notify no one, and every deployment warns.
     */
    alarms?: AlarmSettings;
}

/** The stack's alarms and where they notify (docs/alarms.md says what each means and what to do). */
export interface AlarmSettings {
    /** Create the alarms, the days-to-expiry metric they watch and the email topic. Default true. */
    enabled?: boolean;
    /**
     * ARN of an existing standard SNS topic in the stack's region that every alarm notifies when it fires and when it
     * clears (PagerDuty, Slack through AWS Chatbot, an email list). An encrypted topic's KMS key must let CloudWatch use it.
     */
    snsTopicArn?: string;
    /**
     * Email addresses subscribed to an SNS topic the stack creates for the alarms. Each address gets a confirmation
     * email from AWS and receives nothing until it confirms.
     */
    emails?: string[];
    /** A certificate's alarm fires when it has fewer days than this left (1..365). Default 30. */
    certificateExpiryDays?: number;
}

/** One database endpoint: an internet-facing Network Load Balancer in front of one database. */
export interface EndpointSettings {
    /**
     * Short name (lower-case letters, digits, single hyphens; at most 20 characters), part of every AWS
     * resource name of the endpoint. Renaming replaces the endpoint.
     */
    name: string;
    /** The database the endpoint reaches: an RDS instance, or a self-managed database at private addresses. */
    database: EndpointDatabase;
    /** Port clients connect to. Default: the database's port. */
    port?: number;
    /**
     * Client addresses admitted: IPv4 or IPv6 CIDRs, or bare addresses (one host). Each becomes one security group
     * ingress rule on the listener port. Required unless `allowPublicInternet` is true: an endpoint is closed by default.
     */
    allowedCidrs?: string[];
    /**
     * More client addresses admitted, after `allowedCidrs`: each a CIDR or a managed prefix list, optionally with an
     * expiry and a note. (The stack config writes these entries inside `allowedCidrs`, mixed with plain CIDRs.)
     */
    allowlist?: AllowlistEntry[];
    /** Admit every address (0.0.0.0/0 and ::/0). Default false. */
    allowPublicInternet?: boolean;
    /** TCP idle timeout of the listener in seconds, 60..6000. Default 3600. */
    idleTimeoutSeconds?: number;
    /**
     * One Elastic IP per public subnet, so that the endpoint's addresses never change. Default false. Switching it
     * replaces the load balancer; with Elastic IPs the old one is deleted before the new one is created.
     */
    elasticIps?: boolean;
    /** DNS name clients use; server certificates of self-managed databases name it. */
    hostname?: string;
    /** Route 53 hosted zone in which an alias record for `hostname` is created. */
    hostedZoneId?: string;
    /** Address families of the load balancer. Default: dualstack when the allowlist has IPv6 entries, else ipv4. */
    ipAddressType?: IpAddressType;
    /**
     * Protect the load balancer (and so its DNS name) from deletion. Default true. A change that replaces the
     * load balancer needs it off first: set false and deploy, make the change and deploy, then set it back.
     */
    deletionProtection?: boolean;
    /**
     * Name of a shared load balancer to listen on, with the other endpoints that name it (lower-case letters,
     * digits, single hyphens; at most 20 characters; not the name of an endpoint). Default: a load balancer of
     * the endpoint's own. Each endpoint of a shared load balancer keeps its own listener `port` (unique on it),
     * allowlist (admitted on that port only), target group, hostname and restart hook; they share its DNS name,
     * addresses, security groups (and their rule quotas) and at most 50 listeners, and agree on `elasticIps`,
     * `ipAddressType` and `deletionProtection`. Moving an endpoint onto or off a shared load balancer gives it a
     * new load balancer (a new DNS name and addresses), as a replacement does.
     */
    loadBalancer?: string;
    /**
     * Record who connects: VPC flow logs of the load balancer's network interfaces and a saved CloudWatch Logs
     * Insights query of the client addresses that connected to this endpoint's port, when, and the bytes each way.
     * Default true. The endpoints of a shared load balancer agree on it.
     */
    connectionAudit?: boolean;
    /** Days the connection audit keeps the flow logs. Default: the product's `connectionAuditRetentionDays`. */
    connectionAuditRetentionDays?: number;
    /** Tags added to the endpoint's AWS resources, over the product's `tags`. */
    tags?: { [key: string]: string };
    /** Least-privileged database users for external services, created through the endpoint or directly. */
    integrations?: IntegrationSettings[];
}

/**
 * The database behind an endpoint: set `rdsInstanceIdentifier`, or `addresses` and `port`. Settings of a
 * self-managed database may be written on any endpoint that reaches it; where several set one, they agree.
 */
export interface EndpointDatabase {
    /** Identifier of the RDS DB instance (not an Aurora or Multi-AZ cluster member). Its address, port and security group are looked up. */
    rdsInstanceIdentifier?: string;
    /**
     * Private IPv4 addresses of a self-managed database: in the VPC, or in a private range the public subnets route
     * to (a peered VPC, on premises). Each is one load balancer target.
     */
    addresses?: string[];
    /** Port the self-managed database listens on (required with `addresses`; RDS uses its own port). */
    port?: number;
    /**
     * Security group of the database that is given an ingress rule admitting the endpoint. Default for RDS: the
     * instance's first VPC security group; without it, a self-managed database's security group must admit the
     * endpoint's security group itself.
     */
    securityGroupId?: string;
    /** Self-managed: the engine, which decides how the certificate is installed and how users and grants are made. */
    engine?: DatabaseEngine;
    /** Integrations: the database their users are granted on (RDS default: the instance's DBName). */
    dbName?: string;
    /** Integrations: Secrets Manager secret holding the admin login (`{"username", "password"}`) that creates their users. */
    adminSecretArn?: string;
    /** Integrations: how `pulumi up` reaches the database to create the users. Default `endpoint`. */
    adminConnection?: AdminConnection;
    /** Integrations, self-managed, direct connection: the database's hostname inside the VPC (default: its first address). */
    adminHost?: string;
    /** Integrations: path, on the deployer's machine, of the CA bundle the admin connection verifies against (required for RDS). */
    adminSslRootCert?: string;
    /** Integrations, PostgreSQL: roles whose new tables follow the integrations' grants. Default: the admin user. */
    objectOwners?: string[];
    /** Integrations, endpoint connection: minutes `pulumi up` waits for a healthy target before creating users (0..60, 0: no wait). Default 10. */
    targetHealthTimeoutMinutes?: number;
    /** Self-managed: the database's DNS name inside the VPC, named in its server certificate. */
    hostname?: string;
    /** Self-managed: EC2 instances the database runs on; after each (re)issue, SSM Run Command installs the certificate and restarts the engine. */
    instanceIds?: string[];
    /** Self-managed: replaces the engine's default reload or restart command of the restart hook. */
    restartCommand?: string;
    /**
     * RDS: what the restart hook may do to the instance once the endpoint is provisioned. Default `when-pending`:
     * apply a pending CA certificate change when nothing else would be applied with it, never reboot.
     */
    restart?: RdsRestartPolicy;
    /** Minutes a restart hook waits, at most, for the database to be available again (1..180). Default: RDS 20, self-managed 10. */
    restartTimeoutMinutes?: number;
}

/** A database user for one external service, with a generated password in its own Secrets Manager secret. */
export interface IntegrationSettings {
    /** Database user name and secret name: lower-case letters, digits and underscores, starting with a letter. */
    name: string;
    /** What the user may do with its tables: `read` (SELECT) or `write` (SELECT, INSERT, UPDATE, DELETE). */
    access: IntegrationAccess;
    /** Schemas (MySQL: databases) granted. */
    schemas?: string[];
    /** Tables granted, `table` (one schema) or `schema.table`. Default: every table of the schemas, now and later. */
    tables?: string[];
    /** PostgreSQL, write access with tables: the sequences its inserts draw from. */
    sequences?: string[];
    /** PostgreSQL: concurrent connections allowed. */
    connectionLimit?: number;
    /** Rotation trigger: changing it (for example to "2026-11") generates a new password for this user only. */
    rotation?: string;
    /** Path of the CA bundle on the integration's side, written into its connection URL. */
    sslRootCert?: string;
}

/** AWS quotas the product is checked against (each adjustable in Service Quotas). */
export interface Quotas {
    /** Inbound rules per security group, counted per address family. Default 60. */
    rulesPerSecurityGroup?: number;
    /** Security groups per load balancer. Default 5. */
    securityGroupsPerLoadBalancer?: number;
    /** Elastic IPs the stack may allocate in its region (less what is allocated elsewhere). Default 5. */
    elasticIpsPerRegion?: number;
}

/** The generations of the stack's private CA. */
export interface CertificateAuthoritySettings {
    /** Generations that exist; the CA bundle holds all of them, so clients trust each. Default [1]. */
    generations?: number[];
    /** The generation that signs server certificates. Default: the oldest listed. */
    issuer?: number;
}
