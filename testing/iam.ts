/**
 * Whether an IAM policy's Resource pattern matches an ARN, as IAM matches it: case-sensitive, `*` for any run of
 * characters (`/` included), `?` for any one character.
 */
export function iamResourceMatches(pattern: string, arn: string): boolean {
    const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${regex}$`).test(arn);
}
