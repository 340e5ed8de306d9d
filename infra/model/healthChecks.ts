/**
 * The health checks of an endpoint's target group, per database engine: as fast as AWS allows for TCP health checks
 * on a Network Load Balancer, except where the database itself counts them against its clients.
 *
 * What AWS allows (ELB, "Health checks for Network Load Balancer target groups",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html, and the AWS
 * provider's checks, terraform-provider-aws internal/service/elbv2/target_group.go): an interval of 5 to 300 s, a
 * timeout of 2 to 120 s, healthy and unhealthy thresholds of 2 to 10; and the ELB API refuses a timeout that is not
 * shorter than the interval ("ValidationError: Health check interval must be greater than the timeout"). Changing
 * any of them is an in-place update (ModifyTargetGroup; none of them forces a new target group in the provider).
 *
 * A new target serves once it has passed `healthyThreshold` checks in a row, one every `interval`; a failed one stops
 * serving after `unhealthyThreshold` failures in a row (passive health checks may notice sooner).
 *
 * Every TCP health check is a connection the load balancer opens and closes without a handshake. MySQL and MariaDB
 * count each as a connection error of the source address, and block that address after `max_connect_errors` of them
 * in a row with no successful connection in between (100 by default, also in RDS's default parameter groups). With
 * client IP preservation off that address is a load balancer node's, which every client comes through
 * (docs/self-managed-hosts.md). The interval sets how fast the count grows (AWS distributes an NLB's health checks
 * and says a target may receive more than the configured number, so a block may come sooner than the interval
 * alone says): for MySQL and MariaDB it stays at the 10 s endpoints had before the timing was chosen per engine, so
 * that the checks come no faster than they did, and only the thresholds are lowered. PostgreSQL counts nothing:
 * everything at AWS's fastest. An engine that is not known (a self-managed database without `engine`) is treated
 * as MySQL.
 */
import { DatabaseEngine } from "../enums";

/** What AWS accepts for an NLB target group's TCP health checks. */
export const NLB_TCP_HEALTH_CHECK_LIMITS = {
    intervalSeconds: { min: 5, max: 300 },
    timeoutSeconds: { min: 2, max: 120 },
    threshold: { min: 2, max: 10 },
} as const;

/** A target group's TCP health-check timing. */
export interface HealthCheckTiming {
    intervalSeconds: number;
    /** Shorter than the interval, as the ELB API requires. */
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
}

/**
 * The timing every endpoint had before it was chosen per engine: 10 s, thresholds 3 and 3, and a 10 s timeout (not
 * shorter than the interval, which the ELB API's validation refuses). For the failover model's comparison.
 */
export const PREVIOUS_HEALTH_CHECKS: HealthCheckTiming = { intervalSeconds: 10, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 };

/**
 * A TCP connect inside a VPC completes in well under a millisecond; 4 s leaves a lost SYN its retransmission (Linux's
 * first one after 1 s) and is below the 5 s interval.
 */
const TIMEOUT_SECONDS = 4;

/** PostgreSQL: AWS's fastest interval and thresholds. */
export const POSTGRES_HEALTH_CHECKS: HealthCheckTiming = { intervalSeconds: 5, timeoutSeconds: TIMEOUT_SECONDS, healthyThreshold: 2, unhealthyThreshold: 2 };

/** MySQL and MariaDB (and an unknown engine): the interval they always had, AWS's lowest thresholds. */
export const MYSQL_HEALTH_CHECKS: HealthCheckTiming = { intervalSeconds: 10, timeoutSeconds: TIMEOUT_SECONDS, healthyThreshold: 2, unhealthyThreshold: 2 };

/** The timing for a database speaking `engine` (undefined: not known). */
export function healthCheckTiming(engine: DatabaseEngine | undefined): HealthCheckTiming {
    return engine === DatabaseEngine.Postgres ? POSTGRES_HEALTH_CHECKS : MYSQL_HEALTH_CHECKS;
}

/** Seconds from the first health check of a new target to its serving: `healthyThreshold` checks, one per interval. */
export function secondsToHealthy(t: HealthCheckTiming): number {
    return t.healthyThreshold * t.intervalSeconds;
}

/** Seconds from a target's failure to its being taken out of service by the active checks (at worst). */
export function secondsToUnhealthy(t: HealthCheckTiming): number {
    return (t.unhealthyThreshold - 1) * t.intervalSeconds + t.timeoutSeconds + t.intervalSeconds;
}

/**
 * Seconds without a successful connection through a load balancer node after which MySQL or MariaDB, counting one
 * connection error per health check, blocks that node's address at `maxConnectErrors`, at one check per interval:
 * an upper bound, since a target may receive more checks than configured.
 */
export function secondsToHostBlock(t: HealthCheckTiming, maxConnectErrors: number): number {
    return maxConnectErrors * t.intervalSeconds;
}
