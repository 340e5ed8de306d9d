/**
 * "Known now or later": an argument of a component may be a plain value, known when the component is
 * declared, or an output of another resource, known only during the deployment. The same rule checks both:
 * now, with every other problem of the args, or when the value resolves, failing the deployment with the
 * same `InputPropertiesError` before anything that uses the value is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation";
import { throwIfInvalidArgs } from "./argsError";

/** A rule of one value: reports its problems under `path`. */
export type Rule = (problems: Problems, path: string, value: unknown) => unknown;

/** The component an argument belongs to, for the error. */
export interface ArgsOwner {
    component: string;
    name: string;
}

/** Whether a value is known when the component is declared (not an output or a promise). */
export function isKnownNow<T>(value: pulumi.Input<T> | undefined): value is T | undefined {
    return !pulumi.Output.isInstance(value) && !(value instanceof Promise);
}

/**
 * Checks `value` with `rule`: now, into `problems`, when it is known; otherwise when it resolves. Returns the
 * value to use in its place: the value itself, or an output that resolves to it only once it passed the rule.
 */
export function checkedInput<T>(problems: Problems, owner: ArgsOwner, path: string, value: pulumi.Input<T> | undefined, rule: Rule): pulumi.Input<T> | undefined {
    if (isKnownNow(value)) {
        rule(problems, path, value);
        return value;
    }
    return pulumi.output(value).apply((resolved) => {
        const later = new Problems();
        rule(later, path, resolved);
        // The engine shows an error raised here by its message alone, wrapped in the resource that used the
        // value, so the message carries the problems too.
        throwIfInvalidArgs(later, owner.component, owner.name, true);
        return resolved as T;
    }) as pulumi.Input<T>;
}
