/**
 * Lookups asked once per question: a stack of many endpoints on the same subnets, RDS instance or secret asks AWS
 * about each of them once, whatever the number of endpoints (a `pulumi up` runs the program twice, preview and
 * update, and each run asks again).
 *
 * A question is the invoke's token, its arguments as they resolve, and the provider that answers it: an explicit
 * `provider`, else the one the parent resource passes to its children for the token's package, else the stack's
 * default. Two providers never share an answer, even for the same region and account, since nothing here can tell
 * that they reach the same AWS account. The answers live in a scope that the product's components share: the
 * outermost db-endpoints component declared by a program starts one and its children join it, so two products (or
 * two programs run by the automation API in one process) never share answers, and neither do two runs of the same
 * program.
 *
 * A lookup that fails fails every resource that asked it, with the same error (reported once by the engine): within
 * one run AWS's answer would not change, and the provider has already retried what it retries.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One kind of lookup: the invoke's token and the provider SDK's function that makes it, in its output form. */
export interface Lookup<A, R> {
    token: string;
    invoke(args: A, opts: pulumi.InvokeOutputOptions): pulumi.Output<R>;
}

/**
 * Every lookup the components make, through the SDK's output form (an answer the engine marks secret stays secret;
 * one it leaves unknown, as an offline preview does, stays unknown). The functions are reached when called, so
 * importing this loads no AWS module.
 */
export const LOOKUPS = {
    subnet: { token: "aws:ec2/getSubnet:getSubnet", invoke: (a, o) => aws.ec2.getSubnetOutput(a, o) } as Lookup<aws.ec2.GetSubnetArgs, aws.ec2.GetSubnetResult>,
    vpc: { token: "aws:ec2/getVpc:getVpc", invoke: (a, o) => aws.ec2.getVpcOutput(a, o) } as Lookup<aws.ec2.GetVpcArgs, aws.ec2.GetVpcResult>,
    managedPrefixList: {
        token: "aws:ec2/getManagedPrefixList:getManagedPrefixList",
        invoke: (a, o) => aws.ec2.getManagedPrefixListOutput(a, o),
    } as Lookup<aws.ec2.GetManagedPrefixListArgs, aws.ec2.GetManagedPrefixListResult>,
    networkInterface: {
        token: "aws:ec2/getNetworkInterface:getNetworkInterface",
        invoke: (a, o) => aws.ec2.getNetworkInterfaceOutput(a, o),
    } as Lookup<aws.ec2.GetNetworkInterfaceArgs, aws.ec2.GetNetworkInterfaceResult>,
    rdsInstance: {
        token: "aws:rds/getInstance:getInstance",
        invoke: (a, o) => aws.rds.getInstanceOutput(a, o),
    } as Lookup<aws.rds.GetInstanceArgs, aws.rds.GetInstanceResult>,
    rdsSubnetGroup: {
        token: "aws:rds/getSubnetGroup:getSubnetGroup",
        invoke: (a, o) => aws.rds.getSubnetGroupOutput(a, o),
    } as Lookup<aws.rds.GetSubnetGroupArgs, aws.rds.GetSubnetGroupResult>,
    secretVersion: {
        token: "aws:secretsmanager/getSecretVersion:getSecretVersion",
        invoke: (a, o) => aws.secretsmanager.getSecretVersionOutput(a, o),
    } as Lookup<aws.secretsmanager.GetSecretVersionArgs, aws.secretsmanager.GetSecretVersionResult>,
    callerIdentity: {
        token: "aws:index/getCallerIdentity:getCallerIdentity",
        invoke: (a, o) => aws.getCallerIdentityOutput(a, o),
    } as Lookup<aws.GetCallerIdentityArgs, aws.GetCallerIdentityResult>,
    partition: { token: "aws:index/getPartition:getPartition", invoke: (a, o) => aws.getPartitionOutput(a, o) } as Lookup<aws.GetPartitionArgs, aws.GetPartitionResult>,
    region: { token: "aws:index/getRegion:getRegion", invoke: (a, o) => aws.getRegionOutput(a, o) } as Lookup<aws.GetRegionArgs, aws.GetRegionResult>,
};

/** The answers of one product, by question: lookups' outputs, and promises of what is asked outside Pulumi. */
class LookupScope {
    readonly answers = new Map<string, unknown>();
}

const scopes = new WeakMap<pulumi.Resource, LookupScope>();
const providerIds = new WeakMap<pulumi.ProviderResource, number>();
let lastProviderId = 0;

/**
 * Makes `component` ask its lookups in its parent's scope when the parent is a db-endpoints component, else in a new
 * scope of its own. Every component that looks something up, or whose children do, calls it first thing after
 * `super`.
 */
export function shareLookups(component: pulumi.Resource, parent: pulumi.Resource | undefined): void {
    scopes.set(component, (parent && scopes.get(parent)) ?? new LookupScope());
}

/** A number per provider resource, for the questions' keys (0: the stack's default provider). */
function providerId(provider: pulumi.ProviderResource | undefined): number {
    if (!provider) return 0;
    let id = providerIds.get(provider);
    if (id === undefined) {
        id = ++lastProviderId;
        providerIds.set(provider, id);
    }
    return id;
}

/** JSON with object keys sorted and undefined members left out (as the invoke leaves them out), for a key. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const members = Object.keys(value)
            .sort()
            .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
            .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
        return `{${members.join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}

/**
 * The key of a question: the token, the provider that answers it (as the SDK picks it: `provider`, else the parent's
 * provider for the token's package), the provider plugin's version and download URL when given, and the arguments.
 */
export function questionKey(token: string, args: unknown, opts: pulumi.InvokeOptions): string {
    const provider = opts.provider ?? opts.parent?.getProvider(token);
    return [token, providerId(provider), opts.version ?? "", opts.pluginDownloadURL ?? "", canonicalJson(args)].join("\u0000");
}

/** The answer to `key` in the scope of `owner`, made by `ask` the first time (every time without a scope). */
function rememberedIn<T>(owner: pulumi.Resource | undefined, key: string, ask: () => T): T {
    const scope = owner ? scopes.get(owner) : undefined;
    if (!scope) return ask();
    if (!scope.answers.has(key)) scope.answers.set(key, ask());
    return scope.answers.get(key) as T;
}

/**
 * The answer to `key` in the scope of `owner` (the resource a lookup is made for), computed by `ask` the first
 * time: for what is asked outside Pulumi's invokes (DNS, AWS SDK reads), under a key of its own. Without a scope
 * (a resource that shares none), `ask` runs every time.
 */
export function remembered<T>(owner: pulumi.Resource | undefined, key: string, ask: () => Promise<T>): Promise<T> {
    return rememberedIn(owner, `call\u0000${key}`, ask);
}

/** Makes `lookup` with known `args` once per scope and provider (the scope of `opts.parent`). */
export function lookUp<A, R>(lookup: Lookup<A, R>, args: A, opts: pulumi.InvokeOptions): pulumi.Output<R> {
    return rememberedIn(opts.parent, `invoke\u0000${questionKey(lookup.token, args, opts)}`, () => lookup.invoke(args, opts));
}

/**
 * {@link lookUp} with arguments that may be outputs: asked once they resolve (never while one is unknown, as in a
 * preview), the answer depending on the resources they come from and secret when one of them is.
 */
export function lookUpOutput<A, R>(lookup: Lookup<A, R>, args: DeepInput<A>, opts: pulumi.InvokeOptions): pulumi.Output<R> {
    if (isPlain(args)) return lookUp(lookup, args as A, opts);
    return pulumi.output(args).apply((resolved) => lookUp(lookup, resolved as A, opts)) as unknown as pulumi.Output<R>;
}

/** Whether a value holds no output or promise, at any depth. */
function isPlain(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) return false;
    if (Array.isArray(value)) return value.every(isPlain);
    if (value !== null && typeof value === "object") return Object.values(value).every(isPlain);
    return true;
}

/** A value whose members, at any depth, may be outputs or promises. */
export type DeepInput<T> = pulumi.Input<T extends (infer U)[] ? DeepInput<U>[] : T extends object ? { [K in keyof T]: DeepInput<T[K]> } : T>;
