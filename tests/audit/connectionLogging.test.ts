/**
 * Whether an RDS database records who logs in (infra/audit/connectionLogging.ts): PostgreSQL's `log_connections`
 * in its boolean and list forms, and the MariaDB Audit Plugin's events for MySQL and MariaDB.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connectionLoggingAdvice, mysqlConnectionLogging, postgresConnectionLogging } from "../../infra/audit/connectionLogging";

describe("PostgreSQL log_connections", () => {
    const state = (value: string | undefined) => postgresConnectionLogging({ parameterGroup: "app-pg", ...(value !== undefined ? { value } : {}) }).state;

    it("is on for every spelling of true, and for a list with a login stage (PostgreSQL 18)", () => {
        assert.deepEqual(["1", "on", "true", "TRUE", " yes ", "all", "authentication", "receipt,authorization", "receipt, authentication, setup_durations"].map(state), Array(9).fill("on"));
    });

    it("is off for every spelling of false, for the engine default, and for a list without a login stage", () => {
        assert.deepEqual(["0", "off", "false", "no", "", undefined, "receipt", "receipt,setup_durations"].map(state), Array(8).fill("off"));
    });

    it("says what it read and where", () => {
        assert.deepEqual(postgresConnectionLogging({ parameterGroup: "app-pg", value: "1" }), { state: "on", detail: "log_connections=1 in parameter group app-pg" });
        assert.deepEqual(postgresConnectionLogging({ parameterGroup: "default.postgres16" }), {
            state: "off",
            detail: "log_connections=(engine default, off) in parameter group default.postgres16",
        });
        assert.deepEqual(postgresConnectionLogging({ parameterGroup: "app-pg", value: "receipt" }), {
            state: "off",
            detail: "log_connections=receipt in parameter group app-pg logs no login stage (authentication or authorization)",
        });
        assert.deepEqual(postgresConnectionLogging(undefined), { state: "unknown", detail: "log_connections is not among the instance's DB parameters" });
    });
});

describe("MySQL and MariaDB: the audit plugin", () => {
    it("records logins when its events include CONNECT, or are left at AWS's default (CONNECT,QUERY)", () => {
        assert.deepEqual(mysqlConnectionLogging(["audit"], { optionGroup: "audit", serverAuditEvents: "CONNECT" }), {
            state: "on",
            detail: "MARIADB_AUDIT_PLUGIN in option group audit with SERVER_AUDIT_EVENTS=CONNECT",
        });
        assert.equal(mysqlConnectionLogging(["audit"], { optionGroup: "audit", serverAuditEvents: "query, connect" }).state, "on");
        assert.deepEqual(mysqlConnectionLogging(["audit"], { optionGroup: "audit" }), {
            state: "on",
            detail: "MARIADB_AUDIT_PLUGIN in option group audit with SERVER_AUDIT_EVENTS=CONNECT,QUERY",
        });
    });

    it("does not when the plugin logs other events only, or is in none of the instance's option groups", () => {
        assert.deepEqual(mysqlConnectionLogging(["audit"], { optionGroup: "audit", serverAuditEvents: "QUERY_DDL" }), {
            state: "off",
            detail: "MARIADB_AUDIT_PLUGIN in option group audit with SERVER_AUDIT_EVENTS=QUERY_DDL, without CONNECT",
        });
        assert.deepEqual(mysqlConnectionLogging(["default:mysql-8-0"], undefined), { state: "off", detail: "no MARIADB_AUDIT_PLUGIN option in option group default:mysql-8-0" });
        assert.deepEqual(mysqlConnectionLogging([], undefined), { state: "off", detail: "no MARIADB_AUDIT_PLUGIN option in the instance's option groups" });
    });

    it("advice names the setting per engine", () => {
        assert.match(connectionLoggingAdvice("postgres"), /^set log_connections \(and log_disconnections\) to 1 in a custom DB parameter group/);
        assert.match(connectionLoggingAdvice("mysql"), /^add MARIADB_AUDIT_PLUGIN with SERVER_AUDIT_EVENTS=CONNECT to a custom option group/);
    });
});
