/**
 * The checks of the certificate a database presents through an endpoint, as a client that verifies in full
 * makes them: the chain leads to the CA the client trusts (the stack's CA, or AWS's RDS CA bundle), the
 * certificate names the host the client verifies, and it is valid now and for longer than a warning window.
 * Pure: the TLS handshake supplies the certificates and OpenSSL's verdict on the chain.
 */
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import type { CheckStatus } from "./report";

/** What a check found: its status and one sentence. */
export interface Finding {
    status: CheckStatus;
    message: string;
    details?: Record<string, unknown>;
}

/** The CA bundle a client trusts, and how to name it in messages. */
export interface Trust {
    /** PEM certificates. */
    pem: string;
    /** `the stack's CA (caCertificate output)`, `the RDS CA bundle global-bundle.pem`. */
    label: string;
    /** `stack-ca` or `aws-rds`: what to advise when the chain does not verify. */
    issuer: "stack-ca" | "aws-rds";
}

/** The PEM certificates of a bundle, parsed. Throws naming the first block that is not a certificate. */
export function parseBundle(pem: string): X509Certificate[] {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    return blocks.map((block, i) => {
        try {
            return new X509Certificate(block);
        } catch (e) {
            throw new Error(`certificate ${i + 1} of the bundle cannot be read: ${(e as Error).message}`);
        }
    });
}

/** The subject's common name, or the whole subject when it has none. */
export function commonName(dn: string): string {
    const cn = dn.split("\n").find((l) => l.startsWith("CN="));
    return cn ? cn.slice(3) : dn.replace(/\n/g, ", ");
}

/** The names a certificate carries, as `DNS:a.example.com`, `IP Address:10.0.3.17`. */
export function certificateNames(cert: X509Certificate): string[] {
    return (cert.subjectAltName ?? "").split(", ").filter((n) => n !== "");
}

/** OpenSSL's codes for a chain that does not lead to a trusted CA. */
const UNTRUSTED = new Set([
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "CERT_SIGNATURE_FAILURE",
]);

/** OpenSSL's codes for a certificate outside its validity period (the expiry check reports those). */
const TIME = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);

/**
 * The trusted CA that signed `leaf`, following the intermediates the server sent; undefined when none did.
 * Signatures only: used to tell whether a certificate that is out of its validity period is otherwise issued
 * by the trusted CA (OpenSSL then reports the dates, not the issuer).
 */
export function trustedIssuer(leaf: X509Certificate, sent: X509Certificate[], trusted: X509Certificate[]): X509Certificate | undefined {
    let current = leaf;
    for (let depth = 0; depth < 8; depth++) {
        const root = trusted.find((ca) => current.checkIssued(ca) && current.verify(ca.publicKey));
        if (root) return root;
        const next = sent.find((c) => c !== current && c.fingerprint256 !== current.fingerprint256 && current.checkIssued(c) && current.verify(c.publicKey));
        if (!next) return undefined;
        current = next;
    }
    return undefined;
}

/** What to do when the certificate is not issued by the trusted CA. */
function untrustedAdvice(trust: Trust): string {
    return trust.issuer === "stack-ca"
        ? "the database serves a certificate the stack's CA did not issue: install the current one from its secret (tls output certificateSecretName) and reload the database (docs/restarts.md), or check that these outputs are this endpoint's stack"
        : "download the current RDS CA bundle (tls output getCa) and pass it with --rds-ca-bundle; check the instance's CA (rdsCaCertIdentifier)";
}

/**
 * The chain: OpenSSL's verdict against the trusted bundle (`authorizationError`, undefined when it verified),
 * restated. A certificate out of its validity period is checked by signature instead, so this line says
 * whether the issuer is right and the expiry line says the dates.
 */
export function checkChain(authorizationError: string | undefined, leaf: X509Certificate, sent: X509Certificate[], trust: Trust): Finding {
    const trusted = parseBundle(trust.pem);
    const issuer = commonName(leaf.issuer);
    const details = { issuer: leaf.issuer.replace(/\n/g, ", "), subject: leaf.subject.replace(/\n/g, ", "), fingerprint256: leaf.fingerprint256 };
    if (authorizationError === undefined) {
        return { status: "pass", message: `issued by "${issuer}", verified against ${trust.label}`, details };
    }
    if (TIME.has(authorizationError)) {
        const root = trustedIssuer(leaf, sent, trusted);
        return root
            ? { status: "pass", message: `issued by "${issuer}", which chains to "${commonName(root.subject)}" in ${trust.label} (the dates are checked under expiry)`, details }
            : { status: "fail", message: `issued by "${issuer}", which is not in ${trust.label}: ${untrustedAdvice(trust)}`, details: { ...details, error: authorizationError } };
    }
    if (UNTRUSTED.has(authorizationError)) {
        return {
            status: "fail",
            message: `issued by "${issuer}", which is not in ${trust.label} (${authorizationError}): ${untrustedAdvice(trust)}`,
            details: { ...details, error: authorizationError },
        };
    }
    return { status: "fail", message: `does not verify against ${trust.label}: ${authorizationError}`, details: { ...details, error: authorizationError } };
}

/** The name: whether the certificate names `host` (a DNS name, or an IP address), as a verifying client checks it. */
export function checkName(leaf: X509Certificate, host: string, issuer: "stack-ca" | "aws-rds"): Finding {
    const names = certificateNames(leaf);
    const matched = isIP(host) ? leaf.checkIP(host) : leaf.checkHost(host);
    const shown = names.length > 0 ? names.join(", ") : `no alternative names, subject ${leaf.subject.replace(/\n/g, ", ")}`;
    if (matched !== undefined) return { status: "pass", message: `names ${host} (${shown})`, details: { names } };
    const advice =
        issuer === "stack-ca"
            ? "the certificate in use predates this endpoint or hostname: run pulumi up (it re-issues the certificate with every endpoint hostname) and make sure the database loaded it (docs/restarts.md)"
            : "this is not the certificate of the RDS instance the outputs name: is the endpoint in front of another instance?";
    return { status: "fail", message: `does not name ${host}; it names ${shown}: ${advice}`, details: { names } };
}

const DAY_MS = 86_400_000;

/** Whole days from `now` until `when` (negative once past). */
export function daysUntil(when: Date, now: Date): number {
    return Math.floor((when.getTime() - now.getTime()) / DAY_MS);
}

/** Validity: fails when not yet valid, expired, or expiring within `windowDays`. */
export function checkExpiry(leaf: X509Certificate, now: Date, windowDays: number, issuer: "stack-ca" | "aws-rds"): Finding {
    const notAfter = new Date(leaf.validTo);
    const notBefore = new Date(leaf.validFrom);
    const days = daysUntil(notAfter, now);
    const date = notAfter.toISOString().slice(0, 10);
    const details = { notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString(), daysToExpiry: days, windowDays };
    const renew =
        issuer === "stack-ca"
            ? "run pulumi up: the first deployment in its renewal window re-issues it and the restart hook loads it (docs/restarts.md)"
            : "RDS renews the instance's certificate itself; if it does not, rotate the instance's CA (docs/certificates.md)";
    if (notBefore.getTime() > now.getTime()) {
        return { status: "fail", message: `not valid before ${notBefore.toISOString()}: check this machine's clock, or the database's certificate`, details };
    }
    if (notAfter.getTime() <= now.getTime()) {
        const ago = Math.floor((now.getTime() - notAfter.getTime()) / DAY_MS);
        return { status: "fail", message: `expired on ${date} (${ago === 0 ? "today" : `${ago} day${ago === 1 ? "" : "s"} ago`}): ${renew}`, details };
    }
    if (days < windowDays) {
        return { status: "fail", message: `expires on ${date}, in ${days} day${days === 1 ? "" : "s"}, inside the ${windowDays}-day warning window: ${renew}`, details };
    }
    return { status: "pass", message: `valid until ${date} (${days} days; warning window ${windowDays} days)`, details };
}
