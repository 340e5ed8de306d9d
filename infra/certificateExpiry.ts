/**
 * When a certificate of the stack needs a deployment, and the warning that says so. The @pulumi/tls provider
 * (terraform-provider-tls) renews a certificate only when a deployment plans it: from `earlyRenewalHours`
 * before its expiry on, every plan of it is a replacement (`readyForRenewal`), and nothing happens between
 * deployments. So a server certificate nobody deploys in its last 90 days expires, and the CA, which is
 * protected against replacement, makes every deployment in its last year fail instead of renewing. The
 * notices make both impossible to miss: at every `pulumi preview` and `pulumi up` that sees the certificate's
 * expiry, from {@link EXPIRY_NOTICE.leadDays} days before its renewal window opens.
 */

export const EXPIRY_NOTICE = {
    /** Days before the renewal window opens from which a deployment warns. */
    leadDays: 30,
} as const;

/**
 * The time the notices compare against, in milliseconds since the epoch. Unit tests pin it, since the mock
 * runtime's certificates carry fixed dates.
 */
export const expiryClock: { now: () => number } = { now: () => Date.now() };

/** When a certificate's renewal window opens: `earlyRenewalHours` before its expiry (RFC 3339, UTC). */
export function renewalStartsAt(validityEndTime: string, earlyRenewalHours: number): string {
    return formatTime(Date.parse(validityEndTime) - earlyRenewalHours * 3_600_000);
}

/** How a certificate gets renewed, which decides what its notice asks for. */
export type RenewalKind =
    /** A server certificate: the first deployment in the window re-issues it and the restart hook loads it. */
    | "redeploy"
    /** The CA: protected, so deployments in the window fail until it is renewed or rotated on purpose. */
    | "protected-ca";

/**
 * The warning for a certificate expiring at `validityEndTime`, or undefined while it is more than
 * {@link EXPIRY_NOTICE.leadDays} days before its renewal window. `what` names it ("the server certificate
 * of the self-managed database 10.0.3.17:3306 (db-10.0.3.17-3306-cert)").
 */
export function certificateExpiryNotice(
    what: string,
    validityEndTime: string,
    earlyRenewalHours: number,
    kind: RenewalKind,
    now: number = expiryClock.now(),
): string | undefined {
    const end = Date.parse(validityEndTime);
    if (Number.isNaN(end)) return undefined;
    const windowStart = end - earlyRenewalHours * 3_600_000;
    const from = formatTime(windowStart);
    if (now >= end) {
        return kind === "redeploy"
            ? `${what} expired at ${validityEndTime}: clients that verify it fail. Run pulumi up now: it re-issues the certificate ` +
                  `and the restart hook makes the database load it`
            : `${what} expired at ${validityEndTime}: clients that trust only it fail, and so does every deployment. Renew or ` +
                  `rotate it now (README, "Rotating the CA")`;
    }
    if (now >= windowStart) {
        return kind === "redeploy"
            ? `${what} expires at ${validityEndTime} and has been in its renewal window since ${from}: the first pulumi up that ` +
                  `reaches it re-issues it (a replacement in the plan) and restarts the database; run one before it expires`
            : `${what} expires at ${validityEndTime} and has been in its renewal window since ${from}: every deployment plans ` +
                  `to replace it and fails, since it is protected. Renew or rotate it (README, "Rotating the CA")`;
    }
    if (now >= windowStart - EXPIRY_NOTICE.leadDays * 86_400_000) {
        return kind === "redeploy"
            ? `${what} expires at ${validityEndTime}; its renewal window opens at ${from}. Run pulumi up between then and its ` +
                  `expiry: nothing renews it without a deployment`
            : `${what} expires at ${validityEndTime}; its renewal window opens at ${from}, and from then on every deployment ` +
                  `fails. Renew or rotate it before then (README, "Rotating the CA")`;
    }
    return undefined;
}

function formatTime(ms: number): string {
    return new Date(ms).toISOString().replace(/\.000Z$/, "Z");
}
