/**
 * The stack's CA bundle, which the admin connection to a self-managed database verifies against when no
 * `adminSslRootCert` is given: the `adminCaCertificatePem` value, checked to hold only certificates, and
 * the file `pulumi up` writes it to.
 */
// Node.js types, named here because the plugin host's ts-node may compile this module alone (tests/components/index.test.ts).
/// <reference types="node" />
import * as nodePath from "node:path";
import { Problems, show } from "../validation";

/**
 * Where `pulumi up` writes the stack's CA bundle for the admin connection to a self-managed database that
 * has no `adminSslRootCert`: `<directory>/<project>-<stack>-<endpoint>-ca.pem`, directly in `directory` (the
 * user's own directory, infra/adminCaFile.ts `adminCaDirectory`). One file per project, stack and endpoint,
 * so the path the PostgreSQL provider keeps in its configuration (and so in the state) is the same at every
 * deployment by one user on one machine. Characters other than letters, digits, `.`, `_` and `-` become `_`,
 * so the name is one file name whatever the component is called.
 */
export function adminCaFilePath(directory: string, project: string, stack: string, endpoint: string): string {
    const part = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");
    return nodePath.join(directory, `${part(project)}-${part(stack)}-${part(endpoint)}-ca.pem`);
}

/** One or more PEM `CERTIFICATE` blocks and nothing else (whitespace between them). */
const CERTIFICATE_BUNDLE = /^\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/**
 * `adminCaCertificatePem`: a PEM bundle of CA certificates, such as the `caCertificate` stack output. The
 * value itself is never shown: a private key pasted by mistake must not reach the logs.
 */
export function parseCaBundle(problems: Problems, path: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string" && /PRIVATE KEY-----/.test(value)) {
        problems.error(path, "holds a private key (not shown); give only the CA's certificates, e.g. the caCertificate stack output");
        return undefined;
    }
    if (typeof value !== "string" || !CERTIFICATE_BUNDLE.test(value)) {
        problems.error(
            path,
            `is not a PEM bundle of CA certificates (${typeof value === "string" ? `${value.length} characters, not shown` : show(value)}): ` +
                'expected one or more "-----BEGIN CERTIFICATE-----" blocks and nothing else',
        );
        return undefined;
    }
    return value;
}
