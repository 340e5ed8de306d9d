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

/** Failures a freshly created role shows until IAM has propagated its policy (seconds, usually). */
const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

interface AwsLikeError {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
}

export type RetryReason = "throttling" | "transient" | "access-denied";

export interface RetryPolicy {
    /** Attempts in all, the first included. */
    maxAttempts: number;
    /** Backoff before retry n (1-based) is a random delay in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))] ("full jitter"). */
    baseDelayMs: number;
    maxDelayMs: number;
    /** Also retry access-denied answers (only at deployment, while IAM propagates a new role's policy). */
    retryAccessDenied: boolean;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 3000, retryAccessDenied: false };

/** At deployment the role may be seconds old: allow longer for IAM to propagate, still bounded. */
export const DEPLOY_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 8000, retryAccessDenied: true };

/** Why an error is worth retrying, or undefined when it is final (bad input, missing target group, ...). */
export function retryReason(error: unknown, policy: RetryPolicy): RetryReason | undefined {
    const e = (error ?? {}) as AwsLikeError;
    const name = e.name ?? "";
    const status = e.$metadata?.httpStatusCode;
    if (THROTTLING.has(name) || status === 429 || e.$retryable?.throttling === true) return "throttling";
    if (policy.retryAccessDenied && ACCESS_DENIED.has(name)) return "access-denied";
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
    /** Told about every retry, before its backoff. */
    onRetry?: (info: { attempt: number; delayMs: number; reason: RetryReason; error: unknown }) => void;
}

/**
 * Runs `call` until it succeeds, fails with an error that is not retryable, runs out of attempts, or
 * would sleep past the deadline; the last error is then thrown as is.
 */
export async function withRetry<T>(call: () => Promise<T>, ctx: RetryContext): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await call();
        } catch (error) {
            const reason = retryReason(error, ctx.policy);
            if (reason === undefined || attempt >= ctx.policy.maxAttempts) throw error;
            const cap = Math.min(ctx.policy.maxDelayMs, ctx.policy.baseDelayMs * 2 ** (attempt - 1));
            const delayMs = Math.floor(ctx.random() * cap);
            if (ctx.now() + delayMs >= ctx.deadline) throw error;
            ctx.onRetry?.({ attempt, delayMs, reason, error });
            await ctx.sleep(delayMs);
        }
    }
}
