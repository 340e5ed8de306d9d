/** Tags every resource of an endpoint carries, so that it can be found and attributed in the AWS console. */
export function endpointTags(endpointName: string, userTags: Record<string, string> | undefined): Record<string, string> {
    return {
        ...(userTags ?? {}),
        "db-endpoints:endpoint": endpointName,
        "managed-by": "pulumi/db-endpoints",
    };
}

/** A Pulumi resource name fragment for a CIDR: URNs reserve "::", so ":" and "/" are replaced (injectively). */
export function cidrSlug(cidr: string): string {
    return cidr.replace(/:/g, "-").replace(/\//g, "_");
}
