/**
 * The database settings integrations need: an endpoint's `integrations` and the keys of its `database`
 * map they use in the stack config (engine, database name, admin secret and connection, object owners,
 * target health wait), with the parsers the component's args share (admin secret ARN, object owners), and
 * the checks across endpoints that reach the same database.
 */
// Node.js types, named here because the plugin host's ts-node may compile this module alone (tests/components/index.test.ts).
/// <reference types="node" />
import * as process from "node:process";
import { checkAdminCaFileExists, requireRdsAdminCa } from "./adminConnection";
import { checkAgainstDatabase } from "./engineRules";
import { checkOwnersAreNotIntegrations, IntegrationSpec, parseIdentifier, parseIntegrations, parsePath } from "./integrationSpec";
import { isPlainObject, join, optionalArray, optionalEnum, optionalInteger, patterns, Problems, show } from "../validation";
import { ADMIN_CONNECTIONS, AdminConnection, DATABASE_ENGINES, DatabaseEngine } from "../enums";
import { TARGET_HEALTH_TIMEOUT_MINUTES } from "../model/limits";

/** How `pulumi up` logs in to create the integrations' users. */
export interface AdminSpec {
    /** Secrets Manager secret with the admin login (`{"username", "password"}`). */
    secretArn: string;
    connection: AdminConnection;
    /**
     * Self-managed database, direct connection: its hostname inside the VPC, as on its certificate.
     * Default: its first address (the stack's CA names the addresses in the certificate too).
     */
    host?: string;
    /**
     * CA bundle path on the deployer's machine that the admin connection verifies against; required for
     * RDS. PostgreSQL: given to the provider (self-managed default: the stack's CA bundle, written by
     * `pulumi up`). MySQL: checked to be in the provider's trust store.
     */
    sslRootCert?: string;
    /**
     * Endpoint connection: minutes `pulumi up` waits, at most, for the endpoint's target to be healthy before
     * the users are created (0: no wait). Unset: {@link TARGET_HEALTH_TIMEOUT_MINUTES}.default.
     */
    targetHealthTimeoutMinutes?: number;
}

/** The parts of an endpoint's `database` that integrations use; each key is present only when set. */
export interface DatabaseAccessSpec {
    /** Self-managed databases: the engine (RDS reads it from the instance). */
    engine?: DatabaseEngine;
    /** The database the integrations use (RDS default: the instance's DBName). */
    dbName?: string;
    /** Present when the endpoint declares integrations. */
    admin?: AdminSpec;
    /** PostgreSQL: roles whose new tables follow the integrations' grants (default: the admin user). */
    objectOwners?: string[];
}

/**
 * Reads an endpoint's `integrations` and the `database` settings they need. `kind` is the database's
 * kind when `database` itself is valid. For a self-managed database the engine is in the config, so the
 * engine rules are checked here too; for RDS they are checked at deployment, once the instance is read.
 * `deployerDirectory`: where a relative `adminSslRootCert` is looked for (the project directory, in which
 * Pulumi runs the program and the providers).
 */
export function parseDatabaseAccess(
    problems: Problems,
    databasePath: string,
    integrationsPath: string,
    rawDatabase: unknown,
    rawIntegrations: unknown,
    kind: "rds" | "self-managed" | undefined,
    deployerDirectory: string = process.cwd(),
): { database: DatabaseAccessSpec; integrations: IntegrationSpec[] } {
    const db = isPlainObject(rawDatabase) ? rawDatabase : {};
    const at = (key: string) => join(databasePath, key);
    const set = (key: string) => db[key] !== undefined && db[key] !== null;
    const integrations = parseIntegrations(problems, integrationsPath, rawIntegrations);
    const declared = Array.isArray(rawIntegrations) && rawIntegrations.length > 0;
    if (Array.isArray(rawIntegrations) && rawIntegrations.length === 0) {
        problems.warn(integrationsPath, "is empty: no database user is created");
    }

    const engine = optionalEnum(problems, at("engine"), db.engine, DATABASE_ENGINES);
    if (set("engine") && kind === "rds") {
        problems.error(at("engine"), "is not used with rdsInstanceIdentifier: the engine is read from the instance");
    } else if (!set("engine") && kind === "self-managed" && declared) {
        problems.error(at("engine"), 'is required for a self-managed database with integrations: "postgres" or "mysql" (it decides how users and grants are made)');
    }
    const dbName = set("dbName") ? parseIdentifier(problems, at("dbName"), db.dbName, "database") : undefined;
    const secretArn = parseSecretArn(problems, at("adminSecretArn"), db.adminSecretArn);
    if (declared && !set("adminSecretArn")) {
        problems.error(
            at("adminSecretArn"),
            "is required with integrations: the Secrets Manager secret holding the admin login that creates their users (e.g. the RDS-managed master user secret)",
        );
    }
    const connection = optionalEnum(problems, at("adminConnection"), db.adminConnection, ADMIN_CONNECTIONS) ?? AdminConnection.Endpoint;
    let host: string | undefined;
    if (set("adminHost")) {
        if (kind === "rds") {
            problems.error(at("adminHost"), "is not used with rdsInstanceIdentifier: the direct connection goes to the instance's own hostname, the name on its certificate");
        } else if (typeof db.adminHost !== "string" || !patterns.hostname.test(db.adminHost)) {
            problems.error(at("adminHost"), `${show(db.adminHost)} is not a lower-case DNS name (the database's hostname inside the VPC, as on its certificate)`);
        } else {
            host = db.adminHost;
        }
    }
    const sslRootCert = parsePath(problems, at("adminSslRootCert"), db.adminSslRootCert, "a CA bundle path on the deployer's machine");
    if (declared && kind === "rds") requireRdsAdminCa(problems, at("adminSslRootCert"), db.adminSslRootCert);
    if (declared && sslRootCert !== undefined) checkAdminCaFileExists(problems, at("adminSslRootCert"), sslRootCert, deployerDirectory);
    const objectOwners = parseObjectOwners(problems, at("objectOwners"), db.objectOwners);
    const targetHealthTimeoutMinutes = optionalInteger(
        problems,
        at("targetHealthTimeoutMinutes"),
        db.targetHealthTimeoutMinutes,
        TARGET_HEALTH_TIMEOUT_MINUTES.min,
        TARGET_HEALTH_TIMEOUT_MINUTES.max,
    );

    if (declared && connection === "endpoint" && (!set("adminConnection") || db.adminConnection === "endpoint")) {
        // Whether the deployer's public address is admitted cannot be known offline: say so before pulumi up,
        // where a missing entry would only show as a connection timeout.
        problems.warn(
            at("adminConnection"),
            `is "endpoint"${set("adminConnection") ? "" : " (the default)"}: pulumi up creates the integrations' users through the endpoint, so the ` +
                `public address of the machine that runs it (a CI runner's egress address) must be admitted by ${join(endpointPathOf(databasePath), "allowedCidrs")}; ` +
                'nothing adds it for you. From inside the VPC, set adminConnection: "direct" instead',
        );
    } else if (declared && connection === "direct" && set("targetHealthTimeoutMinutes")) {
        problems.warn(at("targetHealthTimeoutMinutes"), 'has no effect with adminConnection: "direct", which does not go through the endpoint');
    }

    if (!declared) {
        for (const key of ["adminSecretArn", "adminConnection", "adminHost", "adminSslRootCert", "objectOwners", "targetHealthTimeoutMinutes"]) {
            if (set(key)) problems.warn(at(key), "is set but the endpoint declares no integrations; it is only used to create integration users");
        }
    } else if (kind === "self-managed" && engine) {
        checkAgainstDatabase(
            problems,
            { integrations: integrationsPath, settings: databasePath },
            { engine, rds: false, adminConnection: connection, dbName, objectOwners },
            integrations,
        );
    } else {
        checkOwnersAreNotIntegrations(problems, at("objectOwners"), objectOwners, integrations);
    }

    const admin: AdminSpec | undefined =
        declared && secretArn
            ? {
                  secretArn,
                  connection,
                  ...(host !== undefined ? { host } : {}),
                  ...(sslRootCert !== undefined ? { sslRootCert } : {}),
                  ...(targetHealthTimeoutMinutes !== undefined ? { targetHealthTimeoutMinutes } : {}),
              }
            : undefined;
    return {
        database: {
            ...(engine ? { engine } : {}),
            ...(dbName !== undefined ? { dbName } : {}),
            ...(admin ? { admin } : {}),
            ...(objectOwners ? { objectOwners } : {}),
        },
        integrations,
    };
}

/** `endpoints[0]` for `endpoints[0].database`. */
function endpointPathOf(databasePath: string): string {
    const dot = databasePath.lastIndexOf(".");
    return dot < 0 ? "" : databasePath.slice(0, dot);
}
/** The roles whose new tables follow the integrations' grants (PostgreSQL default privileges). */
export function parseObjectOwners(problems: Problems, path: string, value: unknown): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    const list = optionalArray(problems, path, value);
    if (!list) return undefined;
    if (list.length === 0) {
        problems.error(path, "is empty; list the roles that create tables, or leave it out to use the admin user");
        return undefined;
    }
    const owners: string[] = [];
    list.forEach((o, i) => {
        const owner = parseIdentifier(problems, join(path, i), o, "role");
        if (owner === undefined) return;
        if (owners.includes(owner)) {
            problems.error(join(path, i), `${show(owner)} is listed twice`);
            return;
        }
        owners.push(owner);
    });
    return owners;
}

/** `adminSecretArn`: a Secrets Manager secret ARN. */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+$/;

export function parseSecretArn(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || !SECRET_ARN.test(value)) {
        problems.error(
            path,
            `${show(value)} is not a Secrets Manager secret ARN such as "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc"`,
        );
        return undefined;
    }
    return value;
}
/**
 * One database user per integration and database: two endpoints that reach the same database must not
 * declare the same integration name (both would create, and fight over, one user).
 */
export function checkIntegrationsAcrossEndpoints(
    problems: Problems,
    endpoints: { path: string; databaseKey: string; integrations: IntegrationSpec[] }[],
): void {
    const seen = new Map<string, string>();
    for (const e of endpoints) {
        e.integrations.forEach((integration, i) => {
            const key = `${e.databaseKey}|${integration.name}`;
            const first = seen.get(key);
            if (first !== undefined) {
                problems.error(
                    `${e.path}.integrations[${i}].name`,
                    `${show(integration.name)} is already an integration of ${first}, which reaches the same database (${e.databaseKey}); one database user per integration`,
                );
            } else {
                seen.set(key, e.path);
            }
        });
    }
}

/** A stable key for "the same database" across endpoints: two endpoints may reach one database. */
export function databaseKey(database: { kind: "rds"; rdsInstanceIdentifier: string } | { kind: "self-managed"; addresses: string[]; port: number }): string {
    return database.kind === "rds"
        ? `rds:${database.rdsInstanceIdentifier.toLowerCase()}`
        : `self-managed:${[...database.addresses].sort().join(",")}:${database.port}`;
}
