/**
 * The one tag stamper: every AWS resource the components create carries the user's tags, the tags that say
 * what it belongs to (an endpoint, a database, target sync), and `managed-by`, so that it can be found and
 * attributed in the AWS console. The user's tags never override db-endpoints' own.
 */
import * as pulumi from "@pulumi/pulumi";

/** The tag every resource of db-endpoints carries. */
export const MANAGED_BY = { "managed-by": "pulumi/db-endpoints" } as const;

/** The user's tags with db-endpoints' own (`owner`, then `managed-by`) over them. */
export function stampTags(userTags: Record<string, string> | undefined, owner: Record<string, string>): Record<string, string> {
    return { ...(userTags ?? {}), ...owner, ...MANAGED_BY };
}

/** {@link stampTags} for tags that may be an output of another resource. */
export function stampedTags(
    userTags: pulumi.Input<{ [key: string]: pulumi.Input<string> }> | undefined,
    owner: Record<string, string>,
): pulumi.Output<Record<string, string>> {
    return pulumi.output(userTags ?? {}).apply((t) => stampTags(t as Record<string, string>, owner));
}

/** A Pulumi resource name fragment for a CIDR: URNs reserve "::", so ":" and "/" are replaced (injectively). */
export function cidrSlug(cidr: string): string {
    return cidr.replace(/:/g, "-").replace(/\//g, "_");
}
