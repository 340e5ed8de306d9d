/**
 * What the restart hooks share: an injectable clock (so waiting can be tested without waiting), the AWS SDK
 * client settings taken from the stack's `aws:*` config, and helpers to describe AWS errors.
 */
import * as pulumi from "@pulumi/pulumi";

/** Time as the hooks see it. Tests pass a fake whose `sleep` advances `now` instantly. */
export interface Clock {
    /** Milliseconds since the epoch. */
    now(): number;
    /** Resolves after `ms` milliseconds. */
    sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Settings for AWS SDK v3 clients created by the hooks. */
export interface AwsSdkClientConfig {
    region?: string;
    profile?: string;
}

/**
 * The region and profile the hooks' AWS SDK clients use: the stack's `aws:region` and `aws:profile` config
 * (what the aws provider uses), else `AWS_REGION` / `AWS_DEFAULT_REGION` from the environment. Unset values
 * are left to the SDK's own resolution (`AWS_PROFILE`, `~/.aws/config`). Credentials always come from the
 * SDK's default chain (environment, profile, SSO, instance or task role).
 */
export function awsSdkClientConfig(
    config: Pick<pulumi.Config, "get"> = new pulumi.Config("aws"),
    env: NodeJS.ProcessEnv = process.env,
): AwsSdkClientConfig {
    const region = config.get("region") || env.AWS_REGION || env.AWS_DEFAULT_REGION;
    const profile = config.get("profile");
    return { ...(region ? { region } : {}), ...(profile ? { profile } : {}) };
}

export { awsErrorName, describeAwsError } from "../awsErrors";

/** The last `max` characters of `text`, trimmed, marked with "…" when cut. */
export function tail(text: string | undefined, max: number): string {
    const trimmed = (text ?? "").trim();
    return trimmed.length > max ? `…${trimmed.slice(trimmed.length - max)}` : trimmed;
}

/**
 * A promise of the value of `input`. For hooks: the engine runs a hook only after the resource it is bound to
 * exists, by which time inputs the resource depends on are resolved. Never resolves for unknown values
 * (preview), where hooks do not run.
 */
export function valueOf<T>(input: pulumi.Input<T>): Promise<T> {
    if (!pulumi.Output.isInstance(input) && !(input instanceof Promise)) return Promise.resolve(input as T);
    return new Promise<T>((resolve) => {
        pulumi.output(input).apply((value) => {
            resolve(value as T);
            return value;
        });
    });
}
