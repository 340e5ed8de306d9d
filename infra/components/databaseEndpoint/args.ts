/**
 * The arguments of the `DatabaseEndpoint` component: one public endpoint for one private database, on its own
 * load balancer. They are part of the package's cross-language API (the pinned schema), so every member is a
 * `pulumi.Input` scalar, a plain array or a nested interface, documented for C# users.
 */
import * as pulumi from "@pulumi/pulumi";
import { DatabaseEngine, IpAddressType, RdsRestartPolicy } from "../../enums";

/** The database an endpoint reaches: an RDS instance, or a self-managed database at private addresses. */
export interface DatabaseTarget {
    /**
     * Identifier of the RDS DB instance behind the endpoint. Set this, or `addresses` and `port`.
     * The instance's address, port and security group are looked up at deployment.
     */
    rdsInstanceIdentifier?: pulumi.Input<string>;
    /**
     * Private IPv4 addresses of a self-managed database (for example PostgreSQL on EC2): in the VPC, or outside it
     * in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) that the public subnets route
     * to (a peered VPC, on premises over VPN or Direct Connect); those are registered for every Availability Zone.
     * Must be known when the endpoint is declared: each address is one load balancer target.
     */
    addresses?: string[];
    /** Port the self-managed database listens on (required with `addresses`; RDS uses its own port). */
    port?: pulumi.Input<number>;
    /**
     * Self-managed only: the protocol the database speaks, which sets the target group's health-check timing.
     * PostgreSQL is checked every 5 s and serves after 2 passing checks; MySQL and MariaDB count each TCP health
     * check as a connection error of the load balancer's address, so they (and a database whose engine is not set)
     * are checked every 10 s. RDS: read from the instance.
     */
    engine?: DatabaseEngine;
    /**
     * Security group of the database that is given an ingress rule admitting the endpoint's load balancer.
     * Default for RDS: the instance's first VPC security group. Without it a self-managed database's
     * security group must admit the `securityGroupIds[0]` output on the database port.
     */
    securityGroupId?: pulumi.Input<string>;
    /**
     * RDS only: what the restart hook may do to the instance once the endpoint is provisioned (its listener
     * created). Default `when-pending`: apply a pending CA certificate change (ModifyDBInstance with
     * ApplyImmediately) when nothing else would be applied with it, and never reboot; every other pending
     * change is reported, not applied. `when-pending-or-parameters` also reboots for a DB parameter group in
     * `pending-reboot`; `always` restarts the instance once; `never` binds no hook.
     */
    restart?: RdsRestartPolicy;
    /** RDS only: minutes the reboot hook waits, at most, for the instance to be available again (1..180). Default 20. */
    restartTimeoutMinutes?: number;
}

/**
 * One allowlist entry with more than a CIDR: set `cidr` or `prefixList`, and optionally `expires` and `note`.
 */
export interface AllowlistEntry {
    /** An IPv4 or IPv6 CIDR, or a bare address (one host), admitted on the listener port. */
    cidr?: string;
    /**
     * A customer-managed EC2 managed prefix list (`pl-...`) kept by another team or tool: one rule references it, so
     * its current CIDRs are admitted as it changes, without a deployment. AWS counts the reference as the list's
     * maximum number of entries against the security group's rules; prefix lists get a security group of their own.
     * Its size, address family and CIDRs are looked up and checked at deployment.
     */
    prefixList?: string;
    /**
     * When the entry stops admitting: an ISO 8601 date (`2027-02-01`: access ends as that day begins in UTC) or a
     * date-time with its UTC offset (`2027-02-01T17:00:00Z`). Its rule carries the instant in the tag
     * `db-endpoints:expires` and is revoked on time without a deployment; an expired entry is not deployed.
     */
    expires?: string;
    /**
     * Who or what the entry is for (a vendor, a ticket), written into its rule's description and the tag
     * `db-endpoints:note`: at most 100 letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`.
     */
    note?: string;
}

/** Arguments of a {@link DatabaseEndpoint}. */
export interface DatabaseEndpointArgs {
    /** VPC of the database and the public subnets. */
    vpcId: pulumi.Input<string>;
    /**
     * Public subnets the internet-facing load balancer is placed in, one per Availability Zone. Cover every
     * Availability Zone the database can run in (for RDS, every zone of its subnet group): a load balancer
     * sends no traffic to targets in zones it is not in. Adding a subnet updates the load balancer; removing or
     * swapping one replaces it (a new DNS name; see `deletionProtection`).
     */
    subnetIds: string[];
    /** The database the endpoint reaches. */
    database: DatabaseTarget;
    /** Port clients connect to on the endpoint. Default: the database's port. */
    port?: pulumi.Input<number>;
    /**
     * Client addresses admitted: IPv4 or IPv6 CIDRs, or bare addresses (one host). Each becomes one
     * security group ingress rule on the listener port. Must be known when the endpoint is declared.
     * Required unless `allowPublicInternet` is true.
     */
    allowedCidrs?: string[];
    /**
     * More client addresses admitted, each with an expiry or a note, or a managed prefix list; after `allowedCidrs`.
     * Must be known when the endpoint is declared.
     */
    allowlist?: AllowlistEntry[];
    /** Days ahead an allowlist entry's expiry is warned about at every deployment (0..365). Default 14. */
    allowlistExpiryWarningDays?: number;
    /** Admit every address (0.0.0.0/0 and ::/0). Default false: the endpoint is closed except for `allowedCidrs`. */
    allowPublicInternet?: boolean;
    /** TCP idle timeout of the listener in seconds, 60..6000. Default 3600. */
    idleTimeoutSeconds?: pulumi.Input<number>;
    /**
     * Give the load balancer one Elastic IP per subnet, so that its public addresses never change. Default false.
     * Switching it replaces the load balancer (a new DNS name; see `deletionProtection`). With Elastic IPs a
     * replaced load balancer is deleted before its replacement is created, so that the addresses move over:
     * the endpoint is down until the new one serves.
     */
    elasticIps?: boolean;
    /** DNS name clients use. With `hostedZoneId`, an alias record is created for it in Route 53. */
    hostname?: pulumi.Input<string>;
    /** Route 53 hosted zone in which to create the alias record for `hostname`. */
    hostedZoneId?: pulumi.Input<string>;
    /** Address families of the load balancer. Default: dualstack when the allowlist has IPv6 entries, else ipv4. */
    ipAddressType?: IpAddressType;
    /**
     * Protect the load balancer (and so its DNS name) from deletion. Default true. A change that replaces the
     * load balancer needs it off first: set false and deploy, make the change and deploy, then set it back.
     */
    deletionProtection?: pulumi.Input<boolean>;
    /** Inbound rules per security group (AWS quota, counted per address family). Default 60. */
    rulesPerSecurityGroup?: number;
    /** Security groups per load balancer (AWS quota). Default 5. */
    securityGroupsPerLoadBalancer?: number;
    /**
     * Elastic IPs this endpoint may allocate (the region's "EC2-VPC Elastic IPs" quota, less what is allocated
     * elsewhere). With `elasticIps`, one per subnet; more subnets than this is refused. Default 5.
     * Only this endpoint's own addresses are counted: endpoints declared side by side share the quota.
     */
    elasticIpsPerRegion?: number;
    /**
     * RDS only: register the instance's address (resolved at deployment) as the target group's target.
     * Default true, right for standalone use. Set false when a `TargetSync` keeps the group pointed at the
     * instance: the function then owns the RDS targets, and the program never registers or removes one,
     * so a later `pulumi up` cannot undo what the function did after a failover. Ignored for self-managed
     * databases, whose addresses are always registered.
     */
    manageRdsTargets?: boolean;
    /**
     * Record who connects: VPC flow logs of the load balancer's network interfaces in a CloudWatch log group, and a
     * saved CloudWatch Logs Insights query of the client addresses that connected, when, and the bytes each way.
     * Default true.
     */
    connectionAudit?: boolean;
    /** Days the connection audit's flow logs are kept (a retention CloudWatch Logs accepts). Default 90. */
    connectionAuditRetentionDays?: number;
    /** Tags added to every AWS resource of the endpoint. */
    tags?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}
