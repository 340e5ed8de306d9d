/**
 * Whether an RDS database records who logs in: the database side of the connection audit (flow logs say which
 * address connected, the database says which user). Pure: it reads what the RDS API reports of the instance's
 * parameter and option groups.
 *
 * - PostgreSQL: the `log_connections` parameter of the instance's DB parameter group. It is a boolean up to
 *   PostgreSQL 17 and, from 18, also a list of the connection stages to log (`receipt`, `authentication`,
 *   `authorization`, `setup_durations`, `all`); a boolean still means what it did.
 * - MySQL and MariaDB: no such parameter; the MariaDB Audit Plugin (`MARIADB_AUDIT_PLUGIN` in the instance's
 *   option group) records logins when its `SERVER_AUDIT_EVENTS` include `CONNECT`.
 */

/** `on`: logins are recorded; `off`: they are not; `unknown`: the program could not read the setting. */
export type ConnectionLoggingState = "on" | "off" | "unknown";

/** What the check found, for the endpoint's output and the warning. */
export interface ConnectionLogging {
    state: ConnectionLoggingState;
    /** What was read, and where: `log_connections=1 in parameter group app-pg15`. */
    detail: string;
}

/** A DB parameter's value as DescribeDBParameters reports it (absent: the engine's default, reported without a value). */
export interface ParameterValue {
    parameterGroup: string;
    value?: string;
}

/** The MariaDB Audit Plugin option of an option group, as DescribeOptionGroups reports it. */
export interface AuditPluginOption {
    optionGroup: string;
    /** `SERVER_AUDIT_EVENTS`; absent when the option group does not list it (its default, `CONNECT,QUERY`, applies). */
    serverAuditEvents?: string;
}

/** The option that carries the MariaDB Audit Plugin on RDS for MySQL and MariaDB. */
export const AUDIT_PLUGIN_OPTION = "MARIADB_AUDIT_PLUGIN";
/** The plugin's events when `SERVER_AUDIT_EVENTS` is not set (AWS's documented default). */
export const AUDIT_PLUGIN_DEFAULT_EVENTS = "CONNECT,QUERY";

const PG_TRUE = new Set(["1", "on", "true", "yes", "t", "y"]);
const PG_FALSE = new Set(["0", "off", "false", "no", "f", "n", ""]);
const PG_STAGES_WITH_LOGIN = new Set(["all", "authentication", "authorization"]);

/** PostgreSQL: whether `log_connections`, as its parameter group has it, logs logins. */
export function postgresConnectionLogging(parameter: ParameterValue | undefined): ConnectionLogging {
    if (parameter === undefined) {
        return { state: "unknown", detail: "log_connections is not among the instance's DB parameters" };
    }
    const where = `in parameter group ${parameter.parameterGroup}`;
    const raw = (parameter.value ?? "").trim().toLowerCase();
    if (PG_TRUE.has(raw)) return { state: "on", detail: `log_connections=${parameter.value} ${where}` };
    if (PG_FALSE.has(raw)) {
        return { state: "off", detail: `log_connections=${parameter.value === undefined ? "(engine default, off)" : parameter.value} ${where}` };
    }
    const stages = raw.split(",").map((s) => s.trim());
    return stages.some((s) => PG_STAGES_WITH_LOGIN.has(s))
        ? { state: "on", detail: `log_connections=${parameter.value} ${where}` }
        : { state: "off", detail: `log_connections=${parameter.value} ${where} logs no login stage (authentication or authorization)` };
}

/** MySQL and MariaDB: whether an option group of the instance loads the audit plugin with `CONNECT` events. */
export function mysqlConnectionLogging(optionGroups: string[], plugin: AuditPluginOption | undefined): ConnectionLogging {
    if (plugin === undefined) {
        return {
            state: "off",
            detail: `no ${AUDIT_PLUGIN_OPTION} option in ${optionGroups.length === 0 ? "the instance's option groups" : `option group ${optionGroups.join(", ")}`}`,
        };
    }
    const events = plugin.serverAuditEvents ?? AUDIT_PLUGIN_DEFAULT_EVENTS;
    const connect = events
        .split(",")
        .map((e) => e.trim().toUpperCase())
        .includes("CONNECT");
    const detail = `${AUDIT_PLUGIN_OPTION} in option group ${plugin.optionGroup} with SERVER_AUDIT_EVENTS=${events}`;
    return connect ? { state: "on", detail } : { state: "off", detail: `${detail}, without CONNECT` };
}

/** What to do when logins are not recorded, per engine family. */
export function connectionLoggingAdvice(engine: "postgres" | "mysql"): string {
    return engine === "postgres"
        ? "set log_connections (and log_disconnections) to 1 in a custom DB parameter group of the instance: dynamic, no restart " +
              "(attaching a custom group to an instance on a default one needs a reboot)"
        : `add ${AUDIT_PLUGIN_OPTION} with SERVER_AUDIT_EVENTS=CONNECT to a custom option group of the instance`;
}
