/**
 * The checks of DatabaseIntegrations' args that run when the component is declared: every arg known
 * then, all at once, giving the validated plain parts the rest of the component is built from.
 */
import * as pulumi from "@pulumi/pulumi";
import { requireRdsAdminCa } from "../../integrations/adminConnection";
import { parseObjectOwners, parseSecretArn } from "../../integrations/databaseAccess";
import { checkAgainstDatabase } from "../../integrations/engineRules";
import { IntegrationSpec, parseIdentifier, parseIntegrations, parsePath } from "../../integrations/integrationSpec";
import { parseCaBundle } from "../../integrations/stackCaBundle";
import { parseAddress } from "../../net/ip";
import { isPlainObject, optionalEnum, optionalInteger, patterns, Problems, show } from "../../validation";
import { throwIfInvalidArgs } from "../support/argsError";
import { isKnownNow } from "../support/knownNowOrLater";
import type { DatabaseIntegrationsArgs } from "./args";
import { ADMIN_CONNECTIONS, AdminConnection, DATABASE_ENGINES } from "../../enums";
import { TARGET_HEALTH_TIMEOUT_MINUTES } from "../../model/limits";

/** The validated, plain parts of {@link DatabaseIntegrationsArgs}. */
export interface IntegrationsPlan {
    integrations: IntegrationSpec[];
    rds: boolean;
    adminConnection: AdminConnection;
    objectOwners?: string[];
    /** Minutes `pulumi up` waits for a healthy target before the endpoint admin connection; 0: no wait. */
    targetHealthTimeoutMinutes: number;
}

/** Secrets Manager name characters (the component name and prefix become part of secret names). */
const SECRET_NAME_PART = /^[A-Za-z0-9/_+=.@-]{1,256}$/;

/** An ELBv2 target group ARN. */
const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/**
 * Checks the args that are known when the component is declared, all at once. Throws
 * `pulumi.InputPropertiesError` naming every bad property. Engine- and admin-dependent rules whose
 * inputs are outputs are checked when they resolve, before any resource is declared.
 */
export function planDatabaseIntegrations(name: string, args: DatabaseIntegrationsArgs): IntegrationsPlan {
    const problems = new Problems();
    if (typeof name !== "string" || !SECRET_NAME_PART.test(name)) {
        problems.error("name", `${show(name)} is not usable in Secrets Manager names (letters, digits and /_+=.@-)`);
    }
    let integrations: IntegrationSpec[] = [];
    if (!isKnownNow(args.integrations)) {
        problems.error("integrations", "must be known when the component is declared (it decides which users and grants exist)");
    } else if (args.integrations === undefined || args.integrations === null) {
        problems.error("integrations", "is required: at least one integration");
    } else if (Array.isArray(args.integrations) && args.integrations.length === 0) {
        problems.error("integrations", "is empty; declare at least one integration");
    } else {
        // Outputs among an integration's optional scalars (connectionLimit, rotation, sslRootCert) are
        // checked when they resolve (checkResolved); only the plain values are checked here.
        const plainParts = args.integrations.map((i) =>
            isPlainObject(i) ? Object.fromEntries(Object.entries(i).filter(([, v]) => isKnownNow(v as pulumi.Input<unknown>))) : i,
        );
        integrations = parseIntegrations(problems, "integrations", plainParts);
    }
    if (args.adminSecretArn === undefined || args.adminSecretArn === null || args.adminSecretArn === "") {
        problems.error("adminSecretArn", "is required: the secret holding the admin login the users are created with");
    } else if (isKnownNow(args.adminSecretArn)) {
        parseSecretArn(problems, "adminSecretArn", args.adminSecretArn);
    }
    const adminConnection = optionalEnum(problems, "adminConnection", args.adminConnection, ADMIN_CONNECTIONS) ?? AdminConnection.Endpoint;
    const rds = args.rdsAddress !== undefined && args.rdsAddress !== null;
    if (args.directHost !== undefined && args.directHost !== null) {
        if (rds) {
            problems.error("directHost", "is not used with an RDS instance: the direct connection goes to rdsAddress, the name on its certificate");
        } else if (
            isKnownNow(args.directHost) &&
            (typeof args.directHost !== "string" || (!patterns.hostname.test(args.directHost) && parseAddress(args.directHost)?.family !== "ipv4"))
        ) {
            problems.error("directHost", `${show(args.directHost)} is not a lower-case DNS name or an IPv4 address (a name on the database's certificate)`);
        }
    } else if (!rds && adminConnection === "direct") {
        problems.error("directHost", "is required for a self-managed database with the direct admin connection: its hostname or address inside the VPC, as on its certificate");
    }
    let objectOwners: string[] | undefined;
    if (!isKnownNow(args.objectOwners)) {
        problems.error("objectOwners", "must be known when the component is declared (it decides which default privileges exist)");
    } else {
        objectOwners = parseObjectOwners(problems, "objectOwners", args.objectOwners);
    }
    if (isKnownNow(args.dbName) && args.dbName !== undefined) parseIdentifier(problems, "dbName", args.dbName, "database");
    if (isKnownNow(args.adminSslRootCert)) parsePath(problems, "adminSslRootCert", args.adminSslRootCert, "a CA bundle path on the deployer's machine");
    if (rds) requireRdsAdminCa(problems, "adminSslRootCert", args.adminSslRootCert);
    if (args.adminCaCertificatePem !== undefined && args.adminCaCertificatePem !== null) {
        if (rds) {
            problems.error("adminCaCertificatePem", "is not used with an RDS instance: AWS's RDS CAs issue its certificate (adminSslRootCert)");
        } else if (isKnownNow(args.adminCaCertificatePem)) {
            parseCaBundle(problems, "adminCaCertificatePem", args.adminCaCertificatePem);
        }
    }
    if (isKnownNow(args.secretNamePrefix) && args.secretNamePrefix !== undefined && !SECRET_NAME_PART.test(args.secretNamePrefix)) {
        problems.error("secretNamePrefix", `${show(args.secretNamePrefix)} is not usable in Secrets Manager names (letters, digits and /_+=.@-)`);
    }
    if (isKnownNow(args.engine)) {
        const engine = optionalEnum(problems, "engine", args.engine, DATABASE_ENGINES);
        if (args.engine === undefined || args.engine === null) problems.error("engine", 'is required: "postgres" or "mysql"');
        if (engine) {
            checkAgainstDatabase(
                problems,
                { integrations: "integrations", settings: "" },
                {
                    engine,
                    rds,
                    adminConnection,
                    // An output stands for "set": its value is checked again when it resolves.
                    dbName: isKnownNow(args.dbName) ? args.dbName : "(known at deployment)",
                    objectOwners,
                },
                integrations,
            );
        }
    }
    if (isKnownNow(args.targetGroupArn) && args.targetGroupArn !== undefined && args.targetGroupArn !== null) {
        if (typeof args.targetGroupArn !== "string" || !TARGET_GROUP_ARN.test(args.targetGroupArn)) {
            problems.error("targetGroupArn", `${show(args.targetGroupArn)} is not a target group ARN (DatabaseEndpoint.targetGroupArn)`);
        }
    }
    if (!isKnownNow(args.targetHealthTimeoutMinutes)) {
        problems.error("targetHealthTimeoutMinutes", "must be known when the component is declared");
    }
    const targetHealthTimeoutMinutes = isKnownNow(args.targetHealthTimeoutMinutes)
        ? optionalInteger(problems, "targetHealthTimeoutMinutes", args.targetHealthTimeoutMinutes, TARGET_HEALTH_TIMEOUT_MINUTES.min, TARGET_HEALTH_TIMEOUT_MINUTES.max)
        : undefined;
    throwIfInvalidArgs(problems, "DatabaseIntegrations", name);
    return {
        integrations,
        rds,
        adminConnection,
        ...(objectOwners ? { objectOwners } : {}),
        targetHealthTimeoutMinutes: targetHealthTimeoutMinutes ?? TARGET_HEALTH_TIMEOUT_MINUTES.default,
    };
}
