/**
 * Bounded retries for the ELB API calls of the target-sync function. The SDK client is built with
 * `maxAttempts: 1` so that this is the only retry loop: its limits (attempts, backoff, the function's
 * deadline) are the ones the tests pin, and one throttled call never hides behind two nested loops.
 */

/** Error names AWS uses for throttling (query-protocol services such as ELB answer `Throttling`). */
const THROTTLING = new Set([
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "PriorRequestNotCompleteException",
]);

/** Network-level failures worth another attempt. */
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND"]);

/**
 * Failures a freshly created role shows until IAM has propagated its policy (IAM is eventually
 * consistent: usually seconds, sometimes longer). ELB's Query API answers `AccessDenied` (HTTP 403).
 */
const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

/** Whether an error is an authorization failure (whatever the policy says about retrying it). */
export function isAccessDenied(error: unknown): boolean {
    return ACCESS_DENIED.has((error as AwsLikeError | undefined)?.name ?? "");
}

interface AwsLikeError {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
}

export type RetryReason = "throttling" | "transient" | "access-denied";

export interface RetryPolicy {
    /** Attempts in all for throttling and transient errors, the first included. */
    maxAttempts: number;
    /**
     * Backoff before the n-th retry (1-based, counted per kind of error) is drawn under
     * `cap = min(maxDelayMs, baseDelayMs * 2^(n-1))`: in [0, cap] for throttling and transient errors
     * ("full jitter"), in [cap/2, cap] for access denied (so that those retries really span their window).
     */
    baseDelayMs: number;
    maxDelayMs: number;
    /**
     * For how long, in ms from the start of the run, access-denied answers are retried; 0: an access-denied
     * answer is final. Only the deploy-time run sets it, while IAM propagates the policy of a role that may be
     * seconds old. These retries count against this window, not against `maxAttempts`.
     */
    accessDeniedMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 3000, accessDeniedMs: 0 };

/**
 * At deployment the role and its policy may be seconds old. Access denied is retried for up to 2 minutes
 * from the start of the run (the IAM propagation timeout the Terraform AWS provider, under @pulumi/aws,
 * uses for its own retries), then fails the deployment; the function's timeout leaves time to reconcile after.
 */
export const DEPLOY_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 8000, accessDeniedMs: 120_000 };

/** Why an error is worth retrying, or undefined when it is final (bad input, missing target group, ...). */
export function retryReason(error: unknown, policy: RetryPolicy): RetryReason | undefined {
    const e = (error ?? {}) as AwsLikeError;
    const name = e.name ?? "";
    const status = e.$metadata?.httpStatusCode;
    if (THROTTLING.has(name) || status === 429 || e.$retryable?.throttling === true) return "throttling";
    if (policy.accessDeniedMs > 0 && ACCESS_DENIED.has(name)) return "access-denied";
    if ((status !== undefined && status >= 500) || TRANSIENT_CODES.has(e.code ?? "") || name === "TimeoutError" || name === "RequestTimeout") {
        return "transient";
    }
    return undefined;
}

export interface RetryContext {
    policy: RetryPolicy;
    sleep: (ms: number) => Promise<void>;
    now: () => number;
    random: () => number;
    /** Epoch ms after which no retry is started (the function must finish before its timeout). */
    deadline: number;
    /** Epoch ms the run started, from which `policy.accessDeniedMs` counts (default: the first attempt of this call). */
    startedAt?: number;
    /** Told about every retry, before its backoff. */
    onRetry?: (info: { attempt: number; delayMs: number; reason: RetryReason; error: unknown }) => void;
}

/**
 * Runs `call` until it succeeds, fails with an error that is not retryable, runs out of attempts (or, for
 * access denied, out of its window), or would sleep past the deadline; the last error is then thrown as is.
 */
export async function withRetry<T>(call: () => Promise<T>, ctx: RetryContext): Promise<T> {
    const since = ctx.startedAt ?? ctx.now();
    let limited = 0; // throttling and transient failures so far
    let denied = 0; // access-denied failures so far
    for (let attempt = 1; ; attempt++) {
        try {
            return await call();
        } catch (error) {
            const reason = retryReason(error, ctx.policy);
            if (reason === undefined) throw error;
            const n = reason === "access-denied" ? ++denied : ++limited;
            if (reason !== "access-denied" && n >= ctx.policy.maxAttempts) throw error;
            const cap = Math.min(ctx.policy.maxDelayMs, ctx.policy.baseDelayMs * 2 ** (n - 1));
            const delayMs = reason === "access-denied" ? Math.floor(cap / 2 + ctx.random() * (cap / 2)) : Math.floor(ctx.random() * cap);
            if (ctx.now() + delayMs >= ctx.deadline) throw error;
            if (reason === "access-denied" && ctx.now() + delayMs > since + ctx.policy.accessDeniedMs) throw error;
            ctx.onRetry?.({ attempt, delayMs, reason, error });
            await ctx.sleep(delayMs);
        }
    }
}
