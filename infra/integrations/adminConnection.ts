/**
 * The admin connection `pulumi up` creates the integrations' users through: where it goes (through the
 * endpoint or directly), how much of the server's certificate it verifies there, and the CA bundle it
 * verifies against (required for RDS, checked to exist on the deployer's machine).
 */
// Node.js types, named here because the plugin host's ts-node may compile this module alone (tests/components/index.test.ts).
/// <reference types="node" />
import * as fs from "node:fs";
import * as nodePath from "node:path";
import { RDS_CA_BUNDLE } from "../connection";
import { Problems, show } from "../validation";
import type { AdminConnection, DatabaseEngine } from "../enums";

/** TLS verification a connection performs: the certificate chain and its name, or the chain only. */
export type Verification = "full" | "ca";

export interface AdminConnectionFacts {
    engine: DatabaseEngine;
    mode: AdminConnection;
    rds: boolean;
    endpointHostname: string;
    /**
     * The endpoint's load balancer DNS name, where the endpoint admin connection goes when it is known: it
     * resolves as soon as the load balancer exists, unlike a custom hostname whose record may not exist or
     * may not have reached the deployer's resolver yet.
     */
    loadBalancerDnsName?: string;
    endpointPort: number;
    /** RDS: the instance's own hostname (the name its certificate carries). */
    rdsAddress?: string;
    /** Self-managed, direct mode: the database's name inside the VPC, as on its certificate. */
    directHost?: string;
    databasePort: number;
}

export interface AdminConnectionSettings {
    host: string;
    port: number;
    verification: Verification;
    /** libpq/lib-pq sslmode for PostgreSQL; the go-sql-driver `tls` value for MySQL. */
    tlsMode: string;
}

/**
 * Where the database provider connects with the admin credential, and how much of the server's
 * certificate it can verify there. Through the endpoint it connects to the load balancer's DNS name when
 * given (else the endpoint hostname): a custom hostname may not resolve to a load balancer created by the
 * same deployment (its record is made by hand, or has not reached the deployer's resolver yet).
 * - endpoint, self-managed: the load balancer's DNS name, which the database's certificate (from the
 *   stack's CA) names beside every endpoint hostname: full verification.
 * - endpoint, RDS: RDS's certificate names the instance, and the providers cannot verify one name while
 *   connecting to another. PostgreSQL: `verify-ca` (the chain to the CA bundle, not the name: any
 *   certificate that CA issued passes), whichever name it connects to. MySQL: refused by
 *   {@link checkAgainstDatabase} (its provider has only full verification or none).
 * - direct (from inside the VPC): the RDS hostname, or the self-managed database's internal name
 *   (`directHost`), on the database port: full verification.
 */
export function adminConnectionSettings(f: AdminConnectionFacts): AdminConnectionSettings {
    let host: string;
    let port: number;
    let verification: Verification;
    if (f.mode === "endpoint") {
        host = f.loadBalancerDnsName || f.endpointHostname;
        port = f.endpointPort;
        verification = f.rds ? "ca" : "full";
    } else {
        const direct = f.rds ? f.rdsAddress : f.directHost;
        if (!direct) {
            throw new Error(f.rds ? "direct admin connection: the RDS instance's address is unknown" : "direct admin connection: directHost is required for a self-managed database");
        }
        host = direct;
        port = f.databasePort;
        verification = "full";
    }
    if (f.engine === "mysql" && verification !== "full") {
        throw new Error(`the MySQL provider cannot verify ${host}'s certificate (it names the RDS instance); use the direct admin connection`);
    }
    const tlsMode = f.engine === "postgres" ? (verification === "full" ? "verify-full" : "verify-ca") : "true";
    return { host, port, verification, tlsMode };
}

/**
 * RDS: the admin connection verifies the instance's certificate, issued by one of AWS's RDS CAs, which no
 * operating system's trust store holds, so the CA bundle must be given (`x509: certificate signed by
 * unknown authority` otherwise). Reports a missing `adminSslRootCert` at `path`.
 */
export function requireRdsAdminCa(problems: Problems, path: string, value: unknown): void {
    if (value !== undefined && value !== null) return;
    problems.error(
        path,
        "is required for an RDS database with integrations: the admin connection verifies the instance's certificate, which AWS's RDS " +
            `certificate authorities sign, and no system trust store holds them. Download ${RDS_CA_BUNDLE.url} ` +
            `and give its path on the machine that runs pulumi up (relative to the project directory, e.g. ${RDS_CA_BUNDLE.file})`,
    );
}
/**
 * Warns when `file` (relative paths from `directory`, the project directory) is not a file on this
 * machine: the admin connection would fail at `pulumi up` (PostgreSQL cannot read its `sslrootcert`;
 * MySQL's trust store cannot hold it). A warning, not an error: a preview may run on a machine without it.
 */
export function checkAdminCaFileExists(problems: Problems, path: string, file: string, directory: string): void {
    const resolved = nodePath.resolve(directory, file);
    const where = resolved === file ? "" : ` (${resolved})`;
    let stat: fs.Stats | undefined;
    try {
        stat = fs.statSync(resolved, { throwIfNoEntry: false });
    } catch (e) {
        problems.warn(path, `${show(file)}${where} cannot be read on this machine (${(e as Error).message}); pulumi up's admin connection needs it`);
        return;
    }
    if (stat === undefined) {
        problems.warn(
            path,
            `${show(file)}${where} does not exist on this machine; pulumi up's admin connection verifies the database against it and fails ` +
                `without it. Put the CA bundle there before pulumi up${file === RDS_CA_BUNDLE.file ? ` (curl -fsSo ${RDS_CA_BUNDLE.file} ${RDS_CA_BUNDLE.url})` : ""}; a relative path is read from the project directory`,
        );
    } else if (!stat.isFile()) {
        problems.warn(path, `${show(file)}${where} is not a file; give the path of the CA bundle file`);
    }
}
