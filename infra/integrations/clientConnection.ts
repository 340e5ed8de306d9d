/**
 * The connection each integration is given in its secret: host, port, TLS settings and a ready URL
 * through the endpoint, verifying the server's certificate as strictly as the URL can.
 */
import { RDS_CA_BUNDLE, STACK_CA } from "../connection";
import type { DatabaseEngine } from "../enums";

/**
 * The CA bundle file a client verifies against when the integration names none: the same files the
 * endpoint's `tls` stack output tells clients to fetch (infra/connection.ts).
 */
export const DEFAULT_SSL_ROOT_CERT = {
    /** AWS's bundle of every RDS CA (`curl -fsSo global-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem`). */
    rds: RDS_CA_BUNDLE.file,
    /** The stack's own CA certificate (`pulumi stack output caCertificate > ca.pem`). */
    selfManaged: STACK_CA.file,
} as const;

export interface ClientConnectionFacts {
    engine: DatabaseEngine;
    rds: boolean;
    endpointHostname: string;
    endpointPort: number;
    /** The endpoint's fixed public IPv4 addresses (Elastic IPs); empty when it has none. */
    endpointAddresses: string[];
    rdsAddress?: string;
    dbName: string;
    username: string;
    password: string;
    sslRootCert: string;
}

/** What an integration's secret holds: the RDS secret fields, TLS settings and a ready URL. */
export interface ClientConnection {
    engine: DatabaseEngine;
    host: string;
    port: number;
    dbname: string;
    username: string;
    password: string;
    /** PostgreSQL sslmode, or MySQL ssl-mode, that `url` uses. */
    sslmode: string;
    /** CA bundle the client verifies against (a path on the client's side). */
    sslrootcert: string;
    /** The name the database's certificate carries. */
    tlsServerName: string;
    /** PostgreSQL, RDS with fixed endpoint addresses: the addresses libpq connects to while verifying `tlsServerName`. */
    hostaddr?: string;
    url: string;
}

function encodeQueryValue(value: string): string {
    return encodeURIComponent(value).replace(/%2F/gi, "/");
}

/**
 * An integration's connection through the endpoint, with the strongest verification its URL can carry:
 * - self-managed (the certificate names the endpoint hostname): PostgreSQL `verify-full`, MySQL
 *   `VERIFY_IDENTITY`, to the endpoint hostname.
 * - RDS, PostgreSQL, endpoint with Elastic IPs: `verify-full` of the instance's name while connecting to
 *   the endpoint's fixed addresses (libpq `host` + `hostaddr`).
 * - RDS otherwise: the URL can only verify the chain (`verify-ca` / `VERIFY_CA`); `tlsServerName` names
 *   what a client with a server-name setting can verify in full.
 */
export function clientConnection(f: ClientConnectionFacts): ClientConnection {
    const user = encodeURIComponent(f.username);
    const password = encodeURIComponent(f.password);
    const db = encodeURIComponent(f.dbName);
    const ca = encodeQueryValue(f.sslRootCert);
    const tlsServerName = f.rds ? f.rdsAddress ?? "" : f.endpointHostname;
    const base = {
        engine: f.engine,
        host: f.endpointHostname,
        port: f.endpointPort,
        dbname: f.dbName,
        username: f.username,
        password: f.password,
        sslrootcert: f.sslRootCert,
        tlsServerName,
    };
    if (f.engine === "postgres") {
        if (!f.rds) {
            return { ...base, sslmode: "verify-full", url: `postgresql://${user}:${password}@${f.endpointHostname}:${f.endpointPort}/${db}?sslmode=verify-full&sslrootcert=${ca}` };
        }
        if (f.endpointAddresses.length > 0) {
            const hosts = f.endpointAddresses.map(() => `${tlsServerName}:${f.endpointPort}`).join(",");
            const hostaddr = f.endpointAddresses.join(",");
            return {
                ...base,
                sslmode: "verify-full",
                hostaddr,
                url: `postgresql://${user}:${password}@${hosts}/${db}?hostaddr=${hostaddr}&sslmode=verify-full&sslrootcert=${ca}`,
            };
        }
        return { ...base, sslmode: "verify-ca", url: `postgresql://${user}:${password}@${f.endpointHostname}:${f.endpointPort}/${db}?sslmode=verify-ca&sslrootcert=${ca}` };
    }
    const mode = f.rds ? "VERIFY_CA" : "VERIFY_IDENTITY";
    return { ...base, sslmode: mode, url: `mysql://${user}:${password}@${f.endpointHostname}:${f.endpointPort}/${db}?ssl-mode=${mode}&ssl-ca=${ca}` };
}
