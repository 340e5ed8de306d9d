/**
 * Watches what a Pulumi program registers under the mock runtime: every resource with its type, name,
 * inputs, parent, the options that matter here (protect, and how a replacement runs: deleteBeforeReplace,
 * replacementTrigger, dependencies, per input) and the hooks bound to it. Also makes the mock
 * monitor accept resource-hook registrations, which @pulumi/pulumi's mock monitor does not implement.
 * Shared by the tests, the offline plan and the benchmark. Call after `pulumi.runtime.setMocks`.
 */

export interface Registration {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** URN of the parent resource ("" for none). */
    parent: string;
    custom: boolean;
    protect: boolean;
    /** Hook names bound per lifecycle step (afterCreate, afterUpdate, ...). */
    hooks: Record<string, string[]>;
    /** The `deleteBeforeReplace` option: true, false, or undefined when not set (the provider decides). */
    deleteBeforeReplace: boolean | undefined;
    /** The `replacementTrigger` option as sent to the engine (undefined when not set). */
    replacementTrigger: unknown;
    /** URNs of every resource this one depends on (explicit `dependsOn` and those its inputs come from). */
    dependencies: string[];
    /** The `aliases` option as sent to the engine: each an alias spec (`noParent`, `parentUrn`, `name`, ...). */
    aliases: Record<string, unknown>[];
    /** Per input, the URNs of the resources its value comes from. */
    propertyDependencies: Record<string, string[]>;
}

/**
 * How a recorded input shows a value not known until deployment (Pulumi's unknown sentinel), as in a preview:
 * a provider-computed output, or what a lookup returns.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The signature key of a value marked secret in recorded inputs: `{ [SECRET_SIG]: ..., value }`. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Whether a recorded input value is marked secret. */
export function isSecretValue(value: unknown): value is { value: unknown } {
    return value !== null && typeof value === "object" && !Array.isArray(value) && SECRET_SIG in value;
}

/** Whether a recorded input value is, or contains, a value not known until deployment. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

const HOOK_STEPS = ["BeforeCreate", "AfterCreate", "BeforeUpdate", "AfterUpdate", "BeforeDelete", "AfterDelete"];

export function recordRegistrations(onRegister: (r: Registration) => void): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings");
    const monitor = settings.getMonitor();
    if (!monitor) throw new Error("recordRegistrations: call pulumi.runtime.setMocks first");
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const hooks: Record<string, string[]> = {};
        const binding = typeof req.getHooks === "function" ? req.getHooks() : undefined;
        if (binding) {
            for (const step of HOOK_STEPS) {
                const list: string[] = binding[`get${step}List`]?.() ?? [];
                if (list.length > 0) hooks[step[0].toLowerCase() + step.slice(1)] = list;
            }
        }
        if (req.getType() !== "pulumi:pulumi:Stack") {
            onRegister({
                type: req.getType(),
                name: req.getName(),
                inputs: req.getObject()?.toJavaScript() ?? {},
                parent: req.getParent(),
                custom: req.getCustom(),
                protect: typeof req.getProtect === "function" ? Boolean(req.getProtect()) : false,
                hooks,
                deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
                replacementTrigger: req.getReplacementTrigger()?.toJavaScript(),
                dependencies: req.getDependenciesList(),
                aliases: (req.getAliasesList?.() ?? []).map((a: { toObject(): Record<string, unknown> }) => a.toObject()),
                propertyDependencies: propertyDependenciesOf(req),
            });
        }
        return register(req, callback);
    };
    monitor.registerResourceHook = (_req: unknown, callback: (err: Error | null, res: unknown) => void) => callback(null, {});
}

function propertyDependenciesOf(req: any): Record<string, string[]> {
    const map = req.getPropertydependenciesMap?.();
    const result: Record<string, string[]> = {};
    map?.forEach((deps: { getUrnsList(): string[] }, key: string) => {
        result[key] = deps.getUrnsList();
    });
    return result;
}

/** Waits until every registration and invoke the program started has finished. */
export async function waitForRegistrations(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings");
    await settings.waitForRPCs();
    await new Promise((resolve) => setImmediate(resolve));
    await settings.waitForRPCs();
}
