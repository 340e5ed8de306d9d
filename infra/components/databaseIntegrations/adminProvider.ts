/**
 * The database provider DatabaseIntegrations creates its users and grants through: a PostgreSQL or MySQL
 * provider that logs in with the admin credential, where the admin connection settings say and with the
 * TLS verification they give, and the stack's CA bundle file a self-managed database is verified against
 * when no `adminSslRootCert` is given.
 */
import * as mysql from "@pulumi/mysql";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as process from "node:process";
import { adminCaDirectory, checkExistingAdminCaFile, writeAdminCaFile } from "../../adminCaFile";
import { AdminConnectionSettings, adminConnectionSettings } from "../../integrations/adminConnection";
import type { AdminCredential } from "../../integrations/adminSecret";
import { selfManagedMysqlTrustWarning } from "../../integrations/mysqlTrustStore";
import { adminCaFilePath, parseCaBundle } from "../../integrations/stackCaBundle";
import { Problems } from "../../validation";
import { throwIfInvalidArgs } from "../support/argsError";
import type { DatabaseIntegrationsArgs } from "./args";
import type { CheckedFacts } from "./deployChecks";
import type { IntegrationsPlan } from "./plan";

/** The admin provider, and what the users, grants and outputs need of its connection. */
export interface AdminProvider {
    /** The PostgreSQL or MySQL provider. */
    provider: pulumi.ProviderResource;
    /** Where it connects with the admin login, and how it verifies TLS there. */
    settings: pulumi.Output<AdminConnectionSettings>;
    /** The admin user name it logs in with. */
    username: pulumi.Output<string>;
    /** Whether the admin connection verifies against the stack's CA bundle file (self-managed, no `adminSslRootCert`). */
    stackCaDefault: boolean;
    /** That file's path. */
    stackCaFile: () => string;
}

/** Declares the provider that logs in with the admin credential, once the engine is known and the facts are checked. */
export function declareAdminProvider(
    parent: pulumi.Resource,
    name: string,
    args: DatabaseIntegrationsArgs,
    plan: IntegrationsPlan,
    facts: CheckedFacts,
    credential: pulumi.Output<AdminCredential>,
): AdminProvider {
    const child = { parent };
    const engine = facts.engine;
    const settings: pulumi.Output<AdminConnectionSettings> = pulumi
        .all([args.endpointHostname, args.loadBalancerDnsName, args.endpointPort, args.rdsAddress, args.directHost, args.databasePort])
        .apply(([endpointHostname, loadBalancerDnsName, endpointPort, rdsAddress, directHost, databasePort]) =>
            adminConnectionSettings({
                engine,
                mode: plan.adminConnection,
                rds: plan.rds,
                endpointHostname,
                ...(loadBalancerDnsName ? { loadBalancerDnsName } : {}),
                endpointPort,
                rdsAddress,
                directHost,
                databasePort,
            }),
        );
    const username = credential.apply((c) => c.username);
    const password = credential.apply((c) => c.password);
    // A self-managed database's certificate is issued by the stack's CA, which no system trust store holds:
    // without adminSslRootCert, the admin connection verifies against that CA's bundle, written to a file.
    const preview = pulumi.runtime.isDryRun();
    const stackCaDefault = !plan.rds && facts.adminSslRootCert === undefined;
    // In the user's own directory, checked at each use (infra/adminCaFile.ts); resolved only where it is used.
    const stackCaFile = () => adminCaFilePath(adminCaDirectory(), pulumi.getProject(), pulumi.getStack(), name);

    const provider =
        engine === "postgres"
            ? new postgresql.Provider(
                  `${name}-postgresql`,
                  {
                      host: settings.host,
                      port: settings.port,
                      database: facts.dbName,
                      username,
                      password,
                      sslmode: settings.tlsMode,
                      sslrootcert: stackCaDefault ? adminCaFile(name, stackCaFile, args.adminCaCertificatePem, preview) : args.adminSslRootCert,
                      // RDS's master user is not a PostgreSQL superuser; the provider then avoids superuser-only features.
                      superuser: false,
                      connectTimeout: 30,
                  },
                  child,
              )
            : new mysql.Provider(
                  `${name}-mysql`,
                  {
                      endpoint: pulumi.interpolate`${settings.host}:${settings.port}`,
                      username,
                      password,
                      // Verify the chain against the deployer's trust store and the name against the host.
                      tls: settings.tlsMode,
                  },
                  child,
              );
    return { provider, settings, username, stackCaDefault, stackCaFile };
}

/**
 * Self-managed database without `adminSslRootCert`: the file, holding the CA bundle `pem`, for the admin
 * connection to verify against; undefined without a bundle. The bundle is checked when it resolves; at
 * `pulumi up` it is then written to the file, and the file read back and checked, before anything is
 * configured with the path. A preview writes nothing and shows the path, after checking that neither the
 * directory nor an existing file could have been replaced by another user.
 */
function adminCaFile(name: string, file: () => string, pem: pulumi.Input<string> | undefined, preview: boolean): pulumi.Output<string | undefined> {
    if (pem === undefined || pem === null) return pulumi.output<string | undefined>(undefined);
    return pulumi.output(pem).apply((text) => {
        if (text === undefined || text === null) return undefined;
        checkCaBundle(name, text);
        const path = file();
        if (preview) checkExistingAdminCaFile(path);
        else writeAdminCaFile(path, text);
        return path;
    });
}

/**
 * Self-managed MySQL without `adminSslRootCert`, at `pulumi up`: writes the CA bundle `pem` (when given) to
 * the file for the deployer to add to the provider's trust store, and warns saying how. The provider never
 * reads the file, so failing to write it (or a refused directory) is a warning too; a malformed bundle is an
 * error.
 */
export function mysqlTrustNotice(parent: pulumi.Resource, name: string, file: () => string, pem: pulumi.Input<string> | undefined): pulumi.Output<void> {
    return pulumi.output(pem).apply((text) => {
        let written: string | undefined;
        if (text !== undefined && text !== null) {
            checkCaBundle(name, text);
            try {
                const path = file();
                writeAdminCaFile(path, text);
                written = path;
            } catch (e) {
                void pulumi.log.warn((e as Error).message, parent);
            }
        }
        void pulumi.log.warn(selfManagedMysqlTrustWarning(written, process.platform), parent);
    });
}

/** Throws the args error when `adminCaCertificatePem`, resolved, is not a PEM bundle of certificates. */
function checkCaBundle(name: string, pem: string): void {
    const problems = new Problems();
    parseCaBundle(problems, "adminCaCertificatePem", pem);
    throwIfInvalidArgs(problems, "DatabaseIntegrations", name, true);
}
