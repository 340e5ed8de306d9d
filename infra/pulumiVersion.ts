/**
 * The Pulumi CLI the program needs. The restarts are resource hooks: the engine runs them from CLI 3.182 on,
 * but until 3.238 it only logged a failing after-hook as a warning and reported the deployment as
 * succeeded, so a failed reboot or SSM restart went unnoticed. From 3.238 a failing after-hook fails the
 * deployment. `Pulumi.yaml` and `PulumiPlugin.yaml` declare the same range (`requiredPulumiVersion`), which
 * the CLIs that know the key enforce themselves; {@link requirePulumiCli} asks the engine at run time, which
 * also catches the CLIs that predate the key.
 */
import * as pulumi from "@pulumi/pulumi";

export const PULUMI_CLI = {
    /** The first CLI whose engine runs resource hooks. */
    hooks: "3.182.0",
    /** The first CLI whose engine fails the deployment when an after-hook fails: the minimum. */
    minimum: "3.238.0",
} as const;

/** The range every project file of the product declares as `requiredPulumiVersion`. */
export const REQUIRED_PULUMI_VERSION = `>=${PULUMI_CLI.minimum}`;

/**
 * Fails, before any resource is registered, when the engine running the program is older than
 * {@link PULUMI_CLI.minimum}. `require` is `pulumi.runtime.requirePulumiVersion`: the engine checks the range
 * and rejects with its own version in the message; an engine too old to know the check rejects too. Without
 * an engine (unit tests under mocks) it resolves.
 */
export async function requirePulumiCli(require: (range: string) => Promise<void> = pulumi.runtime.requirePulumiVersion): Promise<void> {
    try {
        await require(REQUIRED_PULUMI_VERSION);
    } catch (e) {
        throw new Error(
            `db-endpoints needs the Pulumi CLI ${PULUMI_CLI.minimum} or newer: its restarts are resource hooks, which older CLIs ` +
                `either do not run (before ${PULUMI_CLI.hooks}) or only warn about when they fail, reporting the deployment as ` +
                `succeeded. Upgrade the CLI (pulumi version prints yours; https://www.pulumi.com/docs/install/). The engine said: ` +
                `${e instanceof Error ? e.message : String(e)}`,
        );
    }
}
