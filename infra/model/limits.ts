/**
 * The one home of every numeric limit and default of the settings (endpoints, certificates, integrations):
 * the rules that check them, the components that apply the defaults and the documentation all read them
 * from here.
 */

/** A TCP port. */
export const PORT = { min: 1, max: 65535 } as const;

/** The listener's TCP idle timeout, seconds: the NLB accepts 60..6000 (its own default is 350). */
export const IDLE_TIMEOUT = { min: 60, max: 6000, default: 3600 } as const;

/**
 * Endpoint names become part of AWS resource names. The longest derived name is the load balancer's:
 * `<name>-nlb` plus Pulumi's 8-character random suffix, and AWS caps it at 32 characters.
 */
export const ENDPOINT_NAME = { maxLength: 20, pattern: /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/ } as const;

/**
 * Shared load balancer names (an endpoint's `loadBalancer`) name AWS resources the way endpoint names do
 * (`<name>-nlb` plus the random suffix, `<name>-sg-<n>`), so the same rules apply.
 */
export const LOAD_BALANCER_NAME = ENDPOINT_NAME;

/**
 * Listeners per Network Load Balancer: an AWS quota that cannot be raised. Each endpoint on a load balancer is one
 * listener, so at most this many endpoints share one.
 */
export const LISTENERS_PER_LOAD_BALANCER = 50;

/** AWS allows 50 tags per resource; db-endpoints adds up to 4 of its own (endpoint, managed-by, Name, ...). */
export const MAX_USER_TAGS = 45;

/** A tag key and value as AWS accepts them. */
export const TAG = { maxKeyLength: 128, maxValueLength: 256, reservedPrefix: "aws:" } as const;

/** `database.restartTimeoutMinutes`: bound on a restart hook, per kind of database. */
export const RESTART_TIMEOUT_MINUTES = { min: 1, max: 180, rdsDefault: 20, selfManagedDefault: 10 } as const;

/** SSM Run Command takes at most 50 instance IDs per command. */
export const MAX_INSTANCE_IDS = 50;

/** `database.restartCommand`: at most this many characters. */
export const RESTART_COMMAND_MAX_LENGTH = 4096;

/** `certificateAuthority.generations` and `issuer`. */
export const CA_GENERATION = { min: 1, max: 999 } as const;

/** A CA's (the CertificateAuthority component's) `validityHours` and `earlyRenewalHours`, in hours. */
export const CA_VALIDITY_HOURS = { min: 24, max: 876_000 } as const;

/**
 * An integration's name is its database user name and part of Pulumi and Secrets Manager names. Lower
 * case, so that PostgreSQL never needs it quoted; at most 32 characters, MySQL's user-name limit.
 */
export const INTEGRATION_NAME = { maxLength: 32, pattern: /^[a-z][a-z0-9_]*$/ } as const;

/** An integration's `connectionLimit` (PostgreSQL `CONNECTION LIMIT`). */
export const CONNECTION_LIMIT = { min: 1, max: 10000 } as const;

/** An integration's `rotation` trigger: at most this many characters. */
export const ROTATION_MAX_LENGTH = 64;

/**
 * Minutes `pulumi up` waits, at most, for an endpoint's target to be healthy before it creates users through
 * the endpoint (`targetHealthTimeoutMinutes`); 0 turns the wait off. Registering a new target takes from tens
 * of seconds to a few minutes before its health checks start, and three checks 10 s apart must then pass.
 */
export const TARGET_HEALTH_TIMEOUT_MINUTES = { min: 0, max: 60, default: 10 } as const;

/** The AWS quotas' defaults (each adjustable in Service Quotas). */
export const DEFAULT_QUOTAS = { rulesPerSecurityGroup: 60, securityGroupsPerLoadBalancer: 5, elasticIpsPerRegion: 5 } as const;

/** The largest value accepted for each quota: AWS's maximum for the security-group quotas, a sanity bound for Elastic IPs. */
export const QUOTA_LIMITS = { rulesPerSecurityGroup: 1000, securityGroupsPerLoadBalancer: 16, elasticIpsPerRegion: 10000 } as const;

/**
 * The widest allowlist entry accepted without the public-internet opt-in, per family. The whole
 * allowlist is bounded the same way: without the opt-in, its entries together (overlaps counted once)
 * may cover at most as many addresses as one such network, 2^24 IPv4 addresses (1/256 of IPv4) and
 * 2^112 IPv6 addresses (1/65536 of IPv6). Otherwise 256 entries of /8 would open all of IPv4.
 */
export const WIDEST_PREFIX = { ipv4: 8, ipv6: 16 } as const;

/**
 * An allowlist entry's `note` (who the entry is for, a ticket): carried into its rule's description and tags, so
 * at most this many characters of those AWS accepts in a security group rule's description.
 */
export const ALLOWLIST_NOTE = {
    maxLength: 100,
    pattern: /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/,
    characters: "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
} as const;

/**
 * `allowlistExpiryWarningDays`: an entry that expires within this many days is listed by the plan and warned
 * about at every deployment, so that it is extended, or left to end, on purpose.
 */
export const ALLOWLIST_EXPIRY_WARNING_DAYS = { min: 0, max: 365, default: 14 } as const;

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * The connection audit's flow-log retention (`connectionAuditRetentionDays`), days: long enough to answer "who
 * connected" about an incident noticed weeks later, short enough that a busy endpoint's logs stay cheap.
 */
export const CONNECTION_AUDIT_RETENTION_DAYS = { default: 90 } as const;

/**
 * `alarms.certificateExpiryDays`: a certificate's alarm fires when it has fewer days left. A server certificate is
 * re-issued by the first deployment in its last {@link SERVER_CERTIFICATE_RENEWAL_DAYS} days, so a larger value
 * fires before any deployment can renew it.
 */
export const CERTIFICATE_EXPIRY_ALARM_DAYS = { min: 1, max: 365, default: 30 } as const;

/** A self-managed database's server certificate is re-issued by the first deployment in its last 90 days. */
export const SERVER_CERTIFICATE_RENEWAL_DAYS = 90;
