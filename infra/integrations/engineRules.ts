/**
 * The integration rules that depend on the database engine and the admin user (e.g. PostgreSQL needs a
 * database name; MySQL has no sequences and no connection limit per user), checked against what is known
 * of the database: at config time for a self-managed database, at deploy time for RDS.
 */
import { checkOwnersAreNotIntegrations, IntegrationSpec } from "./integrationSpec";
import { join, Problems, show } from "../validation";
import type { AdminConnection, DatabaseEngine } from "../enums";

/** What is known about the database when the engine-dependent rules are checked (config time or deploy time). */
export interface DatabaseFacts {
    engine: DatabaseEngine;
    /** An RDS instance (its certificate names the instance, not the endpoint). */
    rds: boolean;
    adminConnection: AdminConnection;
    /** The database integrations are granted in; undefined when neither config nor RDS names one. */
    dbName?: string;
    /** Where `dbName` comes from when it is missing, for the message (e.g. `RDS instance prod-postgres`). */
    dbNameSource?: string;
    objectOwners?: string[];
    /** The admin user, once read from the admin secret. */
    adminUsername?: string;
}

/** Field paths of the settings the engine rules check: config (`endpoints[0].database`) or component args (""). */
export interface FactPaths {
    integrations: string;
    settings: string;
}

/**
 * The rules that depend on the engine and the admin user. Run at config time when the engine is in the
 * config (self-managed databases), and at deploy time for RDS (engine and database name come from the
 * instance) and for the admin user (from the admin secret).
 */
export function checkAgainstDatabase(problems: Problems, paths: FactPaths, facts: DatabaseFacts, integrations: IntegrationSpec[]): void {
    const setting = (key: string) => join(paths.settings, key);
    const item = (i: number, key: string) => join(join(paths.integrations, i), key);
    if (facts.engine === "postgres") {
        if (!facts.dbName) {
            problems.error(
                setting("dbName"),
                `is required for PostgreSQL: the database whose schemas the integrations use${facts.dbNameSource ? ` (${facts.dbNameSource} names none)` : ""}`,
            );
        }
    } else {
        if (facts.rds && facts.adminConnection === "endpoint") {
            problems.error(
                setting("adminConnection"),
                'is "endpoint", but the MySQL provider verifies a certificate only against the host it connects to, and an RDS certificate ' +
                    "names the instance, not the endpoint: the admin password would cross the internet over unauthenticated TLS. " +
                    'Deploy from inside the VPC with adminConnection: "direct"',
            );
        }
        if (facts.objectOwners !== undefined) {
            problems.error(
                setting("objectOwners"),
                "is not used with MySQL: a grant on schema.* already covers tables created later, whoever creates them",
            );
        }
        integrations.forEach((integration, i) => {
            if (integration.connectionLimit !== undefined) {
                problems.error(
                    item(i, "connectionLimit"),
                    "is not supported for MySQL users (the MySQL provider cannot set MAX_USER_CONNECTIONS); remove it",
                );
            }
            if (integration.sequences !== undefined) {
                problems.error(item(i, "sequences"), "is not used with MySQL, which has no sequences (AUTO_INCREMENT needs only INSERT)");
            }
        });
    }
    const admin = facts.adminUsername;
    integrations.forEach((integration, i) => {
        if (admin !== undefined && integration.name.toLowerCase() === admin.toLowerCase()) {
            problems.error(
                item(i, "name"),
                `${show(integration.name)} is the admin user of this database (the username in adminSecretArn); an integration gets its own user, never the admin's`,
            );
        }
    });
    checkOwnersAreNotIntegrations(problems, setting("objectOwners"), facts.objectOwners, integrations);
}
