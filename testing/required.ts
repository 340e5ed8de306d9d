/**
 * Tests that need something installed on the machine (a database server, apparmor_parser, network namespaces)
 * skip, saying why, where it is missing; under CI (`CI=true`, as .ci/run runs) they fail instead, because
 * .ci/run installs everything they need and a skipped test there would hide a broken install step.
 */

/** Whether the tests run under CI. */
export const underCi = process.env.CI === "true";

/**
 * The `skip` option of a suite or test that needs something: `missing` (why it cannot run) outside CI, and
 * `false` under CI, where the suite then runs and {@link requireInstalled} fails it.
 */
export function skipUnlessCi(missing: string | undefined): string | false {
    return missing !== undefined && !underCi ? missing : false;
}

/** Throws when `missing` is set: call it first in a suite's `before` (or a test) guarded by {@link skipUnlessCi}. */
export function requireInstalled(missing: string | undefined): void {
    if (missing !== undefined) throw new Error(`${missing}; CI=true requires it (.ci/run installs it)`);
}
