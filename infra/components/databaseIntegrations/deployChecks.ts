/**
 * The checks of DatabaseIntegrations that wait for outputs: once the engine, the database name, the
 * integrations' output-valued fields and the admin user resolve, and before any user or grant is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import * as process from "node:process";
import { requireRdsAdminCa } from "../../integrations/adminConnection";
import { checkAgainstDatabase } from "../../integrations/engineRules";
import { IntegrationSpec, parseIntegrations } from "../../integrations/integrationSpec";
import { checkMysqlTrustStore } from "../../integrations/mysqlTrustStore";
import { optionalEnum, Problems } from "../../validation";
import { throwIfInvalidArgs } from "../support/argsError";
import type { IntegrationsPlan } from "./plan";
import { DATABASE_ENGINES, DatabaseEngine } from "../../enums";

/** Deployment-time facts every user and grant depends on, checked before any of them is declared. */
export interface CheckedFacts {
    engine: DatabaseEngine;
    /** PostgreSQL: the database; MySQL: the configured default database, if any. */
    dbName?: string;
    /** The integrations with their output-valued fields resolved and checked, in the order of the args. */
    integrations: IntegrationSpec[];
    /** `adminSslRootCert`, resolved; undefined when not set. */
    adminSslRootCert?: string;
}

/** What {@link checkResolved} checks: the args' outputs, resolved. */
export interface ResolvedArgs {
    engine: unknown;
    dbName: string | undefined;
    adminSslRootCert: string | undefined;
    /** From the admin secret; undefined in a preview. */
    adminUsername: string | undefined;
    /** The integrations with every output in them resolved. */
    integrations: unknown[];
    preview: boolean;
}

/**
 * The deploy-time checks, all at once, before any user or grant is declared: the engine, the engine
 * rules, every integration field that was an output when the component was declared (the same rules as
 * plain values, e.g. `integrations[0].connectionLimit: 0 is out of range`), the admin user name, and (at
 * `pulumi up`, MySQL) that the admin CA bundle is in the provider's trust store. Throws the
 * `pulumi.InputPropertiesError` of a known value's problems, its message listing them.
 */
export function checkResolved(parent: pulumi.Resource, name: string, plan: IntegrationsPlan, r: ResolvedArgs): CheckedFacts {
    const problems = new Problems();
    const engine = optionalEnum(problems, "engine", r.engine, DATABASE_ENGINES);
    if (engine === undefined) {
        if (r.engine === undefined) problems.error("engine", 'is required: "postgres" or "mysql"');
        throwIfInvalidArgs(problems, "DatabaseIntegrations", name, true);
        throw new Error("unreachable: an engine that is not one is a problem");
    }
    // Every plain field already passed planDatabaseIntegrations; only resolved outputs can fail here.
    const integrations = parseIntegrations(problems, "integrations", r.integrations);
    const dbName = r.dbName === "" ? undefined : r.dbName;
    checkAgainstDatabase(
        problems,
        { integrations: "integrations", settings: "" },
        {
            engine,
            rds: plan.rds,
            adminConnection: plan.adminConnection,
            dbName,
            dbNameSource: plan.rds ? "the RDS instance" : undefined,
            objectOwners: plan.objectOwners,
            adminUsername: r.adminUsername,
        },
        integrations,
    );
    if (plan.rds) requireRdsAdminCa(problems, "adminSslRootCert", r.adminSslRootCert);
    if (engine === "mysql" && r.adminSslRootCert !== undefined && !r.preview) {
        const checked = checkMysqlTrustStore(problems, "adminSslRootCert", r.adminSslRootCert, { platform: process.platform, env: process.env, cwd: process.cwd() });
        if (!checked) {
            void pulumi.log.warn(
                `adminSslRootCert ${r.adminSslRootCert}: the MySQL provider cannot be given a CA bundle and verifies against the operating ` +
                    `system's trust store on ${process.platform}, which this program cannot inspect; add the bundle there (macOS: the System keychain, trusted for SSL)`,
                parent,
            );
        }
    }
    if (!problems.ok) throwIfInvalidArgs(problems, "DatabaseIntegrations", name, true);
    return {
        engine,
        ...(dbName !== undefined ? { dbName } : {}),
        integrations,
        ...(r.adminSslRootCert !== undefined && r.adminSslRootCert !== null ? { adminSslRootCert: r.adminSslRootCert } : {}),
    };
}
