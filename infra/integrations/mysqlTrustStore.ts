/**
 * The MySQL provider's trust store: the provider cannot be given a CA bundle and verifies against the Go
 * runtime's trust store, so `pulumi up` checks that the admin CA bundle is in it, or says how to add the
 * stack's CA there.
 */
// Node.js types, named here because the plugin host's ts-node may compile this module alone (tests/components/index.test.ts).
/// <reference types="node" />
import * as nodePath from "node:path";
import { Problems, show } from "../validation";

/**
 * The CA certificate directories Go's crypto/x509 reads on Linux when `SSL_CERT_DIR` is unset
 * (src/crypto/x509/root_linux.go). Go reads every file of each directory.
 */
export const GO_LINUX_CERT_DIRECTORIES: readonly string[] = ["/etc/ssl/certs", "/etc/pki/tls/certs"];

/** The environment the database provider plugins inherit from the Pulumi CLI, as this program sees it. */
export interface DeployerEnvironment {
    /** `process.platform`. */
    platform: string;
    /** `SSL_CERT_FILE`, `SSL_CERT_DIR`. */
    env: Record<string, string | undefined>;
    /** The directory relative paths are resolved from (the project directory, where `pulumi up` runs plugins). */
    cwd: string;
}

/**
 * MySQL: the provider cannot be given a CA bundle (its `tls` setting is only `true`, `false` or
 * `skip-verify`); with `true` it verifies against the trust store of the Go runtime it is built with. On
 * Linux that store is `SSL_CERT_FILE` (else the distribution's bundle) plus every file of the
 * `SSL_CERT_DIR` directories (else /etc/ssl/certs and /etc/pki/tls/certs). The provider inherits the
 * environment of the `pulumi` command, as this program does, so `bundle` is trusted when `SSL_CERT_FILE`
 * is that file or its directory is among those read. Returns false, reporting nothing, where Go uses the
 * operating system's verifier instead (macOS, Windows), which this program cannot inspect.
 */
export function checkMysqlTrustStore(problems: Problems, path: string, bundle: string, deployer: DeployerEnvironment): boolean {
    if (deployer.platform !== "linux") return false;
    const resolve = (p: string) => nodePath.resolve(deployer.cwd, p);
    const file = resolve(bundle);
    const certFile = deployer.env.SSL_CERT_FILE;
    if (certFile && resolve(certFile) === file) return true;
    const certDir = deployer.env.SSL_CERT_DIR;
    const directories = certDir ? certDir.split(":").filter((d) => d !== "") : GO_LINUX_CERT_DIRECTORIES;
    if (directories.some((d) => resolve(d) === nodePath.dirname(file))) return true;
    problems.error(
        path,
        `${show(bundle)} is not in the MySQL provider's trust store: the provider cannot be given a CA bundle (its tls setting is only ` +
            "true, false or skip-verify) and verifies against Go's, which reads SSL_CERT_FILE and the SSL_CERT_DIR directories " +
            `(now ${certFile ? show(certFile) : "unset"} and ${certDir ? show(certDir) : "unset"}). Run pulumi up with ` +
            `SSL_CERT_DIR=/etc/ssl/certs:${nodePath.dirname(file)} (keeping the system's CAs for the other providers)`,
    );
    return true;
}
/**
 * The warning `pulumi up` gives for a self-managed MySQL database without `adminSslRootCert`. The MySQL
 * provider cannot be given a CA bundle (see {@link checkMysqlTrustStore}), so the stack's CA, which issued the
 * database's certificate, must be in its trust store; this program cannot tell whether it is (it may have
 * been added to the system's), so it says what to do rather than refuse. `caFile`: where `pulumi up` wrote
 * the stack's CA bundle, when it was given one.
 */
export function selfManagedMysqlTrustWarning(caFile: string | undefined, platform: string): string {
    const linux = platform === "linux";
    const store = linux ? "Go's trust store" : `the operating system's trust store on ${platform}`;
    const head =
        "adminSslRootCert is not set: the MySQL provider cannot be given a CA bundle (its tls setting is only true, false or " +
        `skip-verify) and verifies the database's certificate, issued by the stack's CA, against ${store}, which holds that CA ` +
        'only if you added it there; otherwise the admin connection fails with "x509: certificate signed by unknown authority". ';
    const bundle = caFile
        ? `pulumi up wrote the stack's CA bundle (the caCertificate stack output) to ${caFile}`
        : "Save the stack's CA bundle (pulumi stack output caCertificate)";
    if (!linux) return `${head}${bundle}${caFile ? "; add it" : " and add it"} there (macOS: the System keychain, trusted for SSL)`;
    return (
        `${head}${bundle}${caFile ? ": copy it" : ""} into a directory of its own that only you can write, set adminSslRootCert ` +
        "to that file and run pulumi up with SSL_CERT_DIR=/etc/ssl/certs:<that directory> (keeping the system's CAs for the " +
        "other providers); pulumi up then checks that the provider's trust store reads it"
    );
}
