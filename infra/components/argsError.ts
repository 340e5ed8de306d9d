import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../validation";

/**
 * At a component boundary: throws every argument problem at once as a `pulumi.InputPropertiesError`, which the
 * engine prints property by property (also for C#, Python and YAML callers), before any child is registered.
 */
export function throwIfInvalidArgs(problems: Problems, component: string, name: string): void {
    if (problems.ok) return;
    throw new pulumi.InputPropertiesError({
        message: `invalid arguments for ${component} "${name}"`,
        errors: problems.errors.map((p) => ({ propertyPath: p.path, reason: p.message })),
    });
}
