/**
 * The one home of every enumeration of the public contract: the stack config takes their values as
 * strings, and the component library exposes them as enums (C#, Python, Go and YAML SDKs get them from
 * the schema). Plain TypeScript, imported by the rules, the components and the hooks alike.
 */

/** The address families an endpoint's load balancer answers on. */
export enum IpAddressType {
    /** IPv4 only. */
    Ipv4 = "ipv4",
    /** IPv4 and IPv6 (the public subnets need IPv6 CIDR blocks). */
    Dualstack = "dualstack",
}

/** What the restart hook may do to an RDS instance after an endpoint in front of it is provisioned. */
export enum RdsRestartPolicy {
    /**
     * Apply a pending TLS change, nothing else (the default): a pending CA certificate change is applied with
     * ModifyDBInstance (ApplyImmediately), which restarts the instance, provided no other modification and no
     * DB parameter group in `pending-reboot` is waiting (that call or its restart would apply them too). Never
     * reboots the instance; every other pending change is reported, not applied.
     */
    WhenPending = "when-pending",
    /**
     * As `when-pending`, and also reboot when a DB parameter group is in `pending-reboot`, whatever parameters
     * wait (RDS does not say which, so they may have nothing to do with TLS): an explicit opt-in.
     */
    WhenPendingOrParameters = "when-pending-or-parameters",
    /**
     * Restart the instance once after the endpoint is created: a pending CA
     * certificate change is applied as `when-pending-or-parameters` applies it (its restart is the restart),
     * otherwise the instance is rebooted, applying whatever waits for a reboot.
     */
    Always = "always",
    /** Never touch the instance (no hook): pending changes wait for the maintenance window or a reboot by hand. */
    Never = "never",
}

/** The database engine, as clients, the database providers and the restart hook see it. */
export enum DatabaseEngine {
    /** PostgreSQL (RDS `postgres`, or self-managed). */
    Postgres = "postgres",
    /** MySQL or MariaDB (RDS `mysql` and `mariadb`, or self-managed). */
    Mysql = "mysql",
}

/** Every {@link DatabaseEngine} value. */
export const DATABASE_ENGINES: readonly DatabaseEngine[] = Object.values(DatabaseEngine);

/** What an integration may do with the tables it is given. */
export enum IntegrationAccess {
    /** SELECT. */
    Read = "read",
    /** SELECT, INSERT, UPDATE, DELETE (and, on PostgreSQL, USAGE on the sequences inserts draw from). */
    Write = "write",
}

/** Every {@link IntegrationAccess} value. */
export const INTEGRATION_ACCESS_LEVELS: readonly IntegrationAccess[] = Object.values(IntegrationAccess);

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

/** Every {@link AdminConnection} value. */
export const ADMIN_CONNECTIONS: readonly AdminConnection[] = Object.values(AdminConnection);

/** Every {@link RdsRestartPolicy} value, in the order the documentation lists them. */
export const RDS_RESTART_POLICIES: readonly RdsRestartPolicy[] = Object.values(RdsRestartPolicy);
