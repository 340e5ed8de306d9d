/**
 * The admin credential of DatabaseIntegrations: read from `adminSecretArn` by `pulumi up` only, kept
 * secret, and unknown in a preview.
 */
import * as pulumi from "@pulumi/pulumi";
import { AdminCredential, parseAdminSecret } from "../../integrations/adminSecret";
import { lookUpOutput, LOOKUPS } from "../support/lookups";

/** The admin credential, and its user name (not a secret) for the checks. */
export interface AdminLogin {
    credential: pulumi.Output<AdminCredential>;
    /** Undefined in a preview. */
    adminUsername: pulumi.Output<string | undefined>;
}

/** Reads the admin login from `secretArn` (at `pulumi up`; in a preview it stays unknown). */
export function readAdminLogin(secretArn: pulumi.Input<string>, preview: boolean, opts: pulumi.InvokeOutputOptions): AdminLogin {
    const credential: pulumi.Output<AdminCredential> = preview
        ? unknownOutput<AdminCredential>()
        : pulumi
              .all([pulumi.secret(lookUpOutput(LOOKUPS.secretVersion, { secretId: secretArn }, opts).secretString), secretArn])
              .apply(([text, arn]) => parseAdminSecret(text, arn));
    // The admin user name only feeds the check that no integration takes it; it is not a secret (RDS
    // shows it as the instance's master user name). Unknown in a preview, where that check is skipped.
    const adminUsername: pulumi.Output<string | undefined> = preview ? pulumi.output<string | undefined>(undefined) : pulumi.unsecret(credential.apply((c) => c.username));
    return { credential, adminUsername };
}

/** An output that stays unknown (during a preview, its dependents show as known only at deployment). */
function unknownOutput<T>(): pulumi.Output<T> {
    return pulumi.secret(pulumi.output(pulumi.unknown)) as unknown as pulumi.Output<T>;
}
