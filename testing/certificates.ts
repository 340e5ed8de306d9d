/**
 * Certificates issued with `openssl` the way the stack issues them (terraform-provider-tls, which the
 * CertificateAuthority and DatabaseCertificate components use, builds them with Go's crypto/x509):
 *
 * - the CA (`tls.SelfSignedCert`, infra/components/certificateAuthority.ts): subject `O=db-endpoints,
 *   CN=<project>/<stack> CA <generation>` (Go writes O before CN), RSA {@link CA_DEFAULTS}.rsaBits, basic
 *   constraints `CA:TRUE` (critical; Go leaves a zero path length out), key usage from {@link CA_ALLOWED_USES}
 *   (critical), a subject key identifier (SHA-1 of the public key) and no authority key identifier;
 * - a server certificate (`tls.CertRequest` + `tls.LocallySignedCert`, infra/components/databaseCertificate.ts):
 *   subject `O=db-endpoints, CN=<first endpoint hostname>`, the DNS names and IP addresses of
 *   `certificateNames()`, basic constraints `CA:FALSE` (critical), key usage and extended key usage from
 *   {@link SERVER_ALLOWED_USES}, the CA's key identifier as authority key identifier, no subject key
 *   identifier, RSA {@link SERVER_CERTIFICATE}.rsaBits, SHA-256, a random serial number.
 *
 * The validity period can be set, so that tests can issue expired certificates or ones about to expire.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CA_ALLOWED_USES, CA_DEFAULTS } from "../infra/components/certificateAuthority";
import { certificateNames, SERVER_ALLOWED_USES, SERVER_CERTIFICATE } from "../infra/components/databaseCertificate";

/** terraform-provider-tls's `allowed_uses` names, as OpenSSL's extension values. */
const KEY_USAGE: Record<string, string> = {
    digital_signature: "digitalSignature",
    key_encipherment: "keyEncipherment",
    cert_signing: "keyCertSign",
    crl_signing: "cRLSign",
};
const EXTENDED_KEY_USAGE: Record<string, string> = { server_auth: "serverAuth", client_auth: "clientAuth" };

function usages(allowed: readonly string[]): { keyUsage: string[]; extendedKeyUsage: string[] } {
    const keyUsage: string[] = [];
    const extendedKeyUsage: string[] = [];
    for (const use of allowed) {
        if (KEY_USAGE[use]) keyUsage.push(KEY_USAGE[use]);
        else if (EXTENDED_KEY_USAGE[use]) extendedKeyUsage.push(EXTENDED_KEY_USAGE[use]);
        else throw new Error(`no OpenSSL equivalent for the allowed use ${use}`);
    }
    return { keyUsage, extendedKeyUsage };
}

function openssl(cwd: string, ...args: string[]): void {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** An OpenSSL `-subj` value: `/O=db-endpoints/CN=...`, with `/` in values escaped. */
function subject(organization: string, commonName: string): string {
    const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/\//g, "\\/");
    return `/O=${escape(organization)}/CN=${escape(commonName)}`;
}

/** A CA: its certificate and key (PEM), and the directory its files are in. */
export interface TestCa {
    certificatePem: string;
    keyPem: string;
    commonName: string;
    dir: string;
}

/** Issues a CA in a new directory under `parent`, as the CertificateAuthority component does. */
export function issueCa(parent: string, commonName: string, options: { rsaBits?: number; validityDays?: number } = {}): TestCa {
    const dir = fs.mkdtempSync(path.join(parent, "ca-"));
    const { keyUsage } = usages(CA_ALLOWED_USES);
    fs.writeFileSync(
        path.join(dir, "ca.cnf"),
        [
            "[req]",
            "distinguished_name = dn",
            "[dn]",
            "[v3_ca]",
            "basicConstraints = critical, CA:TRUE",
            `keyUsage = critical, ${keyUsage.join(", ")}`,
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = none",
            "[ca]",
            "default_ca = test_ca",
            "[test_ca]",
            `database = ${path.join(dir, "index.txt")}`,
            `new_certs_dir = ${dir}`,
            // Read even with -rand_serial, which draws the serial numbers (as the provider does, at random).
            `serial = ${path.join(dir, "serial")}`,
            "default_md = sha256",
            "policy = any",
            "unique_subject = no",
            "copy_extensions = none",
            "[any]",
            "organizationName = optional",
            "commonName = supplied",
            "",
        ].join("\n"),
    );
    fs.writeFileSync(path.join(dir, "index.txt"), "");
    fs.writeFileSync(path.join(dir, "serial"), "01\n");
    openssl(dir, "genrsa", "-out", "ca.key", String(options.rsaBits ?? CA_DEFAULTS.rsaBits));
    openssl(
        dir,
        "req", "-new", "-x509", "-config", "ca.cnf", "-extensions", "v3_ca", "-key", "ca.key", "-out", "ca.crt", "-sha256",
        "-days", String(options.validityDays ?? CA_DEFAULTS.validityHours / 24),
        "-subj", subject(CA_DEFAULTS.organization, commonName),
    );
    return { certificatePem: fs.readFileSync(path.join(dir, "ca.crt"), "utf8"), keyPem: fs.readFileSync(path.join(dir, "ca.key"), "utf8"), commonName, dir };
}

/** What a server certificate names, as the DatabaseCertificate component's args give it. */
export interface ServerNames {
    /** Every endpoint hostname (custom hostnames and load balancers' DNS names) that reaches the database. */
    endpointHostnames: string[];
    /** The database's private addresses. */
    addresses: string[];
    /** The database's internal hostname. */
    hostname?: string;
}

/** A server certificate and its key, PEM. */
export interface TestServerCertificate {
    certificatePem: string;
    keyPem: string;
}

/** `20250102030405Z`, OpenSSL's `-startdate`/`-enddate` form. */
function asn1Time(d: Date): string {
    return `${d.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}

/**
 * Issues a server certificate signed by `ca`, as the DatabaseCertificate component does. `validity` sets its
 * period (default: from now, {@link SERVER_CERTIFICATE}.validityHours long).
 */
export function issueServerCertificate(ca: TestCa, names: ServerNames, validity: { notBefore?: Date; notAfter?: Date } = {}): TestServerCertificate {
    const n = certificateNames(names.hostname, names.endpointHostnames, names.addresses);
    const { keyUsage, extendedKeyUsage } = usages(SERVER_ALLOWED_USES);
    const dir = fs.mkdtempSync(path.join(ca.dir, "server-"));
    const altNames = [...n.dnsNames.map((d) => `DNS:${d}`), ...n.ipAddresses.map((ip) => `IP:${ip}`)];
    fs.writeFileSync(
        path.join(dir, "ext.cnf"),
        [
            "[v3_server]",
            "basicConstraints = critical, CA:FALSE",
            `keyUsage = critical, ${keyUsage.join(", ")}`,
            `extendedKeyUsage = ${extendedKeyUsage.join(", ")}`,
            "subjectKeyIdentifier = none",
            "authorityKeyIdentifier = keyid",
            `subjectAltName = ${altNames.join(", ")}`,
            "",
        ].join("\n"),
    );
    const notBefore = validity.notBefore ?? new Date();
    const notAfter = validity.notAfter ?? new Date(notBefore.getTime() + SERVER_CERTIFICATE.validityHours * 3_600_000);
    openssl(dir, "genrsa", "-out", "server.key", String(SERVER_CERTIFICATE.rsaBits));
    openssl(dir, "req", "-new", "-config", path.join(ca.dir, "ca.cnf"), "-key", "server.key", "-out", "server.csr", "-subj", subject(SERVER_CERTIFICATE.organization, n.commonName));
    openssl(
        dir,
        "ca", "-batch", "-config", path.join(ca.dir, "ca.cnf"), "-cert", path.join(ca.dir, "ca.crt"), "-keyfile", path.join(ca.dir, "ca.key"),
        "-in", "server.csr", "-out", "server.crt", "-notext", "-preserveDN", "-rand_serial", "-md", "sha256",
        "-extfile", "ext.cnf", "-extensions", "v3_server", "-outdir", dir,
        "-startdate", asn1Time(notBefore), "-enddate", asn1Time(notAfter),
    );
    return { certificatePem: fs.readFileSync(path.join(dir, "server.crt"), "utf8"), keyPem: fs.readFileSync(path.join(dir, "server.key"), "utf8") };
}

/** Why certificates cannot be issued here, or undefined. */
export function opensslUnavailable(): string | undefined {
    try {
        execFileSync("openssl", ["version"], { stdio: "ignore" });
        return undefined;
    } catch {
        return "openssl is not installed (Debian package openssl)";
    }
}
