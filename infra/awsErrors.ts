/**
 * Describing AWS SDK errors in messages: the error code AWS returned, and `Code: message`. Plain code, used by
 * the resource hooks and by the commands that run where only the stack's outputs are at hand.
 */

/** The AWS error code of an SDK error (`DBInstanceNotFoundFault`, `InvalidInstanceId`, ...), or "". */
export function awsErrorName(e: unknown): string {
    if (typeof e !== "object" || e === null) return "";
    const err = e as { name?: unknown; Code?: unknown; code?: unknown };
    for (const candidate of [err.name, err.Code, err.code]) {
        if (typeof candidate === "string" && candidate !== "Error") return candidate;
    }
    return "";
}

/** `Code: message` of an error, for messages that quote what AWS said. */
export function describeAwsError(e: unknown): string {
    const name = awsErrorName(e);
    const message = e instanceof Error ? e.message : String(e);
    return name && !message.startsWith(name) ? `${name}: ${message}` : message;
}
