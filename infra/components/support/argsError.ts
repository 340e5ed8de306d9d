import * as pulumi from "@pulumi/pulumi";
import { formatProblem, Problems } from "../../validation";

/**
 * At a component boundary: throws every argument problem at once as a `pulumi.InputPropertiesError`, which the
 * engine prints property by property (also for C#, Python and YAML callers), before any child is registered.
 * `problemsInMessage`: the message lists the problems too, one per line as the stack config's errors do, for an
 * error raised where only the message is shown (a value checked when it resolves, during the deployment).
 */
export function throwIfInvalidArgs(problems: Problems, component: string, name: string, problemsInMessage = false): void {
    if (problems.ok) return;
    const count = `${problems.errors.length} problem${problems.errors.length === 1 ? "" : "s"}`;
    const details = problemsInMessage ? ` (${count}):\n${problems.errors.map((p) => `  - ${formatProblem(p)}`).join("\n")}` : "";
    throw new pulumi.InputPropertiesError({
        message: `invalid arguments for ${component} "${name}"${details}`,
        errors: problems.errors.map((p) => ({ propertyPath: p.path, reason: p.message })),
    });
}
