/**
 * The validated model: what the rules make of the product's arguments (the stack config, or the args of the
 * `DatabaseEndpoints` component), normalised, with every default applied. The components build from it;
 * nothing here is an input or an output of a resource.
 */
import { DatabaseEngine, IpAddressType, RdsRestartPolicy } from "../enums";
import type { DatabaseAccessSpec } from "../integrations/databaseAccess";
import type { IntegrationSpec } from "../integrations/integrationSpec";
import type { Problem } from "../validation";
import type { AllowlistRule, PrefixListRule, StackQuotas } from "./allowlist";

export interface RdsDatabaseSpec extends DatabaseAccessSpec {
    kind: "rds";
    rdsInstanceIdentifier: string;
    /** Security group to admit the endpoint in; default: the instance's first VPC security group. */
    securityGroupId?: string;
    /** When to reboot the instance after the endpoint is provisioned (unset: "when-pending"). */
    restart?: RdsRestartPolicy;
    /** Bound on the reboot hook, minutes (unset: 20). */
    restartTimeoutMinutes?: number;
}

export interface SelfManagedDatabaseSpec extends DatabaseAccessSpec {
    kind: "self-managed";
    /** Private IPv4 addresses of the database server(s) in the VPC. */
    addresses: string[];
    port: number;
    /** Security group of the database server to admit the endpoint in; without it the user does that. */
    securityGroupId?: string;
    /** The database's DNS name inside the VPC, named in its certificate. */
    hostname?: string;
    /** EC2 instances the restart hook runs on after the certificate is (re)issued; unset: restart by hand. */
    instanceIds?: string[];
    /** Replaces the engine's default reload/restart command of the restart hook. */
    restartCommand?: string;
    /** Bound on the restart hook, minutes (unset: default 10). */
    restartTimeoutMinutes?: number;
}

export type DatabaseSpec = RdsDatabaseSpec | SelfManagedDatabaseSpec;

export interface EndpointSpec {
    name: string;
    database: DatabaseSpec;
    /** Listener port; undefined means the database's port. */
    port?: number;
    /** The allowlist as written (validated). */
    allowedCidrs: string[];
    /** The `allowlist` entries as written (validated): `{cidr | prefixList, expires, note}`. */
    allowlistEntries: unknown[];
    /**
     * The CIDR rules: normalised, de-duplicated, or the whole internet when opted in. Expired entries keep their
     * place, flagged `expired`, and get no rule.
     */
    allowlist: AllowlistRule[];
    /** The managed prefix lists admitted (expired ones flagged), one rule each; empty when opted into the whole internet. */
    prefixLists: PrefixListRule[];
    allowPublicInternet: boolean;
    idleTimeoutSeconds: number;
    elasticIps: boolean;
    hostname?: string;
    hostedZoneId?: string;
    ipAddressType: IpAddressType;
    deletionProtection: boolean;
    tags: Record<string, string>;
    /** The shared load balancer the endpoint listens on (present only when set; unset: a load balancer of its own). */
    loadBalancer?: string;
    /** Least-privileged database users for external services (present only when declared). */
    integrations?: IntegrationSpec[];
    /** Flow logs of the load balancer's network interfaces, and the saved query of who connected. */
    connectionAudit: ConnectionAuditSpec;
}

/** The connection audit of an endpoint (of its load balancer's network interfaces, for a shared one). */
export interface ConnectionAuditSpec {
    /** Flow logs and the saved query exist (default true). */
    enabled: boolean;
    /** Days the flow logs are kept. */
    retentionDays: number;
}

/** An allowlist rule with the endpoint it admits to (on a shared load balancer, to that endpoint's port only). */
export interface EndpointRule extends AllowlistRule {
    endpoint: string;
}

/** A prefix list with the endpoint it admits to. */
export interface EndpointPrefixListRule extends PrefixListRule {
    endpoint: string;
}

/** A load balancer of the product: an endpoint's own, or one shared by several endpoints. */
export interface LoadBalancerSpec {
    /** Its resource names' prefix: the endpoint's name (its own), or the shared load balancer's name. */
    name: string;
    /** Whether endpoints share it (declared with `loadBalancer`), even if only one does so far. */
    shared: boolean;
    /** The endpoints that listen on it, in config order. */
    endpoints: string[];
    /** One Elastic IP per public subnet. */
    elasticIps: boolean;
    ipAddressType: IpAddressType;
    deletionProtection: boolean;
    /** Its security groups' allowlist rules, group by group (at least one group, possibly empty). */
    securityGroups: EndpointRule[][];
    /** Its endpoints' prefix lists, in the order of the endpoints, then of their entries. */
    prefixLists: EndpointPrefixListRule[];
    /** The index of the security group that holds only the prefix lists (present when there are any). */
    prefixListGroup?: number;
    /** The flow logs of its network interfaces (the same on every endpoint of a shared load balancer). */
    connectionAudit: ConnectionAuditSpec;
}

/**
 * The whole product, validated: what decides which resources exist. (`vpcId` is not here: it may be an
 * output of another resource, and the components take it from their args.)
 */
export interface StackSpec {
    publicSubnetIds: string[];
    endpoints: EndpointSpec[];
    /** The load balancers: each endpoint's own, and the shared ones, in the order of their first endpoint. */
    loadBalancers: LoadBalancerSpec[];
    quotas: StackQuotas;
    tags: Record<string, string>;
    targetSync: TargetSyncSpec;
    /** Generations of the stack's private CA and the one that issues server certificates. */
    certificateAuthority: CertificateAuthoritySpec;
    /** Self-managed databases (one per distinct addresses and port), each with one server certificate. */
    selfManagedDatabases: SelfManagedDatabase[];
    /** Days ahead an allowlist entry's expiry is warned about and listed by the plan. */
    allowlistExpiryWarningDays: number;
    /** The default retention of the endpoints' connection audit, days. */
    connectionAuditRetentionDays: number;
    /** Alarms per endpoint and certificate, and where they notify. */
    alarms: AlarmsSpec;
}

/** Stack key `alarms`: the stack's alarms and where they notify. */
export interface AlarmsSpec {
    /** Alarms exist (default true). */
    enabled: boolean;
    /** An existing SNS topic the alarms notify. */
    snsTopicArn?: string;
    /** Addresses subscribed to a topic the stack creates (none: no topic). */
    emails: string[];
    /** A certificate's alarm fires when it has fewer days left than this. */
    certificateExpiryDays: number;
}

/** Stack keys `targetSync` and `targetSyncSchedule`: RDS endpoints' targets follow the instance's address. */
export interface TargetSyncSpec {
    /** A function keeps each RDS endpoint's target group pointed at the instance's current address (default true). */
    enabled: boolean;
    /** The function's backstop schedule, an EventBridge rate expression (default `rate(1 minute)`). */
    schedule: string;
}

/** The RDS-only fields of `database`, present only when set (defaults: "when-pending", 20 minutes). */
export interface RdsRestartSpec {
    restart?: RdsRestartPolicy;
    restartTimeoutMinutes?: number;
}

/**
 * The TLS and restart fields of a self-managed `database`, as written (unset stays undefined). `engine` is
 * read with the integration settings and used here too.
 */
export interface SelfManagedTlsSpec {
    hostname?: string;
    instanceIds?: string[];
    restartCommand?: string;
    restartTimeoutMinutes?: number;
}

/** Stack key `certificateAuthority`: which CA generations exist and which one issues server certificates. */
export interface CertificateAuthoritySpec {
    /** Generations that exist, ascending; `caCertificate` bundles all of them, so clients trust each. */
    generations: number[];
    /** The generation that signs server certificates. */
    issuer: number;
}

/** A self-managed database as reached by one or more endpoints (same addresses and port). */
export interface SelfManagedDatabase {
    /** Resource name of its certificate component: `db-<addresses>-<port>`, stable while the database is. */
    name: string;
    /** Private addresses, sorted. */
    addresses: string[];
    port: number;
    engine?: DatabaseEngine;
    hostname?: string;
    /** Instances the restart hook runs on; empty: the database must be restarted by hand. */
    instanceIds: string[];
    restartCommand?: string;
    restartTimeoutMinutes: number;
    /** Names of the endpoints that reach it, in config order. */
    endpoints: string[];
}

/** The whole product, validated. */
export interface ParsedProduct {
    spec: StackSpec;
    warnings: Problem[];
}
