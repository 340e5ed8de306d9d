import * as pulumi from "@pulumi/pulumi";
import { formatProblem, Problems } from "../../validation";

/**
 * At a component boundary: throws every argument problem at once as a `pulumi.InputPropertiesError`, which the
 * engine prints property by property (also for C#, Python and YAML callers), before any child is registered.
 * `problemsInMessage`: the message lists the problems too, for an error raised where only the message is shown.
 */
export function throwIfInvalidArgs(problems: Problems, component: string, name: string, problemsInMessage = false): void {
    if (problems.ok) return;
    const details = problemsInMessage ? `: ${problems.errors.map(formatProblem).join("; ")}` : "";
    throw new pulumi.InputPropertiesError({
        message: `invalid arguments for ${component} "${name}"${details}`,
        errors: problems.errors.map((p) => ({ propertyPath: p.path, reason: p.message })),
    });
}
