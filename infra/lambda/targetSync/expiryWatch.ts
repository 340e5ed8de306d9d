/**
 * The certificate-expiry duty's contract between the component that deploys the function and the function: the
 * certificates to watch (written into the deployment package), and the metric the function publishes for each,
 * which the expiry alarms watch. Pure (no AWS SDK, no Pulumi).
 *
 * A certificate of the stack is renewed only by a deployment (infra/certificateExpiry.ts): the function turns the
 * expiry the last deployment recorded into a days-to-expiry metric on every scheduled run, so an alarm fires inside
 * a warning window, and also when the metric stops arriving, whether anyone deploys or not.
 */
import { Problems, show } from "../../validation";
import { parseDutyFile } from "./settings";

/** File inside the function's deployment package that lists the certificates to watch. */
export const CERTIFICATES_FILE = "certificates.json";

/**
 * The metric: namespace, name and dimensions (`Stack`: `<project>/<stack>`, so stacks sharing an account never mix;
 * `Certificate`: the certificate's name, `ca-<generation>` or the self-managed database's `db-<addresses>-<port>`).
 * One data point per certificate per run, always: its absence means the function stopped.
 */
export const EXPIRY_METRIC = { namespace: "DbEndpoints/Certificates", name: "DaysToExpiry", dimensions: ["Stack", "Certificate"] } as const;

/** One certificate the function watches: its name and when it expires. */
export interface CertificateWatch {
    /** `ca-<generation>`, or the self-managed database's certificate name `db-<addresses>-<port>`. */
    name: string;
    /** When the certificate expires (RFC 3339, UTC). */
    expiresAt: string;
}

/** A certificate's name: lower-case letters, digits, dots and hyphens (CloudWatch takes up to 1024 characters as a dimension value). */
export const CERTIFICATE_NAME = /^[a-z0-9](?:[a-z0-9.-]{0,253}[a-z0-9])?$/;

/** An RFC 3339 instant in UTC, as the tls provider reports a certificate's `validityEndTime`. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Checks a certificate list: each entry, and no name twice. */
export function checkCertificates(problems: Problems, path: string, value: unknown): CertificateWatch[] {
    if (!Array.isArray(value)) {
        problems.error(path, `${show(value)} is not a list of certificates`);
        return [];
    }
    const list: CertificateWatch[] = [];
    const seen = new Map<string, number>();
    value.forEach((entry, i) => {
        const at = `${path}[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
            problems.error(at, `${show(entry)} is not a certificate (name, expiresAt)`);
            return;
        }
        const e = entry as Record<string, unknown>;
        const before = problems.errors.length;
        for (const key of Object.keys(e)) {
            if (key !== "name" && key !== "expiresAt") problems.error(`${at}.${key}`, "unknown field; known fields: name, expiresAt");
        }
        if (typeof e.name !== "string" || !CERTIFICATE_NAME.test(e.name)) {
            problems.error(`${at}.name`, `${show(e.name)} is not a certificate name (lower-case letters, digits, dots and hyphens)`);
        }
        if (typeof e.expiresAt !== "string" || !INSTANT.test(e.expiresAt) || Number.isNaN(Date.parse(e.expiresAt))) {
            problems.error(`${at}.expiresAt`, `${show(e.expiresAt)} is not an RFC 3339 instant in UTC`);
        }
        if (problems.errors.length > before) return;
        const first = seen.get(e.name as string);
        if (first !== undefined) {
            problems.error(`${at}.name`, `${show(e.name)} is already ${path}[${first}]`);
            return;
        }
        seen.set(e.name as string, i);
        list.push({ name: e.name as string, expiresAt: e.expiresAt as string });
    });
    return list;
}

/** Parses the certificates file; throws one error naming every problem. */
export function parseCertificatesFile(text: string): CertificateWatch[] {
    return parseDutyFile(CERTIFICATES_FILE, "certificates", text, checkCertificates);
}

/** The whole text of the certificates file, sorted by name (same certificates, same bytes). */
export function certificatesFileText(list: CertificateWatch[]): string {
    const sorted = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return `${JSON.stringify({ certificates: sorted }, null, 2)}\n`;
}

/** Days from `now` (epoch ms) until `expiresAt`, to the hundredth; negative once expired. */
export function daysToExpiry(expiresAt: string, now: number): number {
    return Math.floor(((Date.parse(expiresAt) - now) / 86_400_000) * 100) / 100;
}
