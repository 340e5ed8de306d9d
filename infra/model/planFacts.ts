/**
 * What the offline plan says of an endpoint beyond its resources: the allowlist entries that have expired or
 * expire soon, the prefix lists whose size only AWS knows, and the connection audit. Pure: from the validated
 * model and the clock.
 */
import type { AllowlistTiming } from "./allowlist";
import type { EndpointSpec } from "./spec";

const DAY_MS = 86_400_000;

/** The plan's lines about one endpoint's allowlist and connection audit, without indentation. */
export function endpointPlanFacts(e: EndpointSpec, timing: AllowlistTiming): string[] {
    const lines: string[] = [];
    const entries = [
        ...e.allowlist.map((r) => ({ what: r.cidr, ...r })),
        ...e.prefixLists.map((l) => ({ what: `prefix list ${l.prefixList}`, ...l })),
    ].filter((x) => x.expires !== undefined);
    for (const x of entries) {
        const note = x.note ? ` (${x.note})` : "";
        const left = Date.parse(x.expires!) - timing.now;
        if (x.expired) {
            lines.push(`allowlist: ${x.what} expired at ${x.expires}${note}: not deployed`);
        } else if (left <= timing.expiryWarningDays * DAY_MS) {
            lines.push(`allowlist: ${x.what} expires at ${x.expires}, within ${timing.expiryWarningDays} days${note}: its rule is revoked then`);
        } else {
            lines.push(`allowlist: ${x.what} expires at ${x.expires}${note}`);
        }
    }
    for (const l of e.prefixLists.filter((p) => !p.expired)) {
        lines.push(
            `allowlist: prefix list ${l.prefixList}: its maximum entries (what it counts against the rules quota), address family and ` +
                "CIDRs are unknown offline; they are looked up and checked at deploy (pulumi preview shows the result)",
        );
    }
    if (e.connectionAudit.enabled) {
        lines.push(
            `connection audit: flow logs of the load balancer's network interfaces kept ${e.connectionAudit.retentionDays} days; ` +
                `saved query ".../${e.name}/who-connected" (docs/connection-audit.md)`,
        );
    } else {
        lines.push("connection audit: off (connectionAudit: false): nothing records who connects");
    }
    lines.push(
        e.database.kind === "rds"
            ? e.connectionAudit.enabled
                ? "database connection logging: unknown offline; pulumi preview and up read it from the instance's parameter group (PostgreSQL log_connections) or option group (MySQL/MariaDB: the audit plugin's CONNECT events), warn when logins are not recorded and output it as databaseConnectionLogging (docs/connection-audit.md#the-database-side)"
                : "database connection logging: not checked (connectionAudit is off)"
            : "database connection logging: the database's own (log_connections for PostgreSQL, the audit plugin for MySQL/MariaDB); docs/connection-audit.md#the-database-side",
    );
    return lines;
}
