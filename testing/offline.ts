/**
 * The stack program run offline, as `pulumi preview` would run it but without AWS or the Pulumi CLI: Pulumi's mock
 * runtime in preview mode, every provider-computed output and every lookup (RDS instance, subnets, DNS) unknown,
 * IDs shown as readable placeholders. One process can run the program several times (a config and the one it is
 * compared with), each run recording what it registers and the warnings it gives. Used by the offline plan.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { StackSpec } from "../infra/model/spec";
import type { RawStackConfig } from "../infra/program/config";
import { Registration, recordRegistrations, UNKNOWN, waitForRegistrations } from "./recorder";

/** Fields of the lookups the program makes (aws.rds.getInstance, aws.ec2.getSubnet, ...), all unknown offline. */
const LOOKUP_FIELDS = [
    "id", "arn", "name", "address", "endpoint", "port", "engine", "engineVersion", "dbName", "dbInstanceIdentifier",
    "dbInstanceArn", "vpcSecurityGroups", "availabilityZone", "multiAz", "dbSubnetGroup", "caCertIdentifier",
    "masterUsername", "subnetIds", "vpcId", "ipv6CidrBlock", "cidrBlock", "accountId", "region", "partition",
    "dnsSuffix", "secretString", "json",
];

/** How a created resource's ID shows offline: the placeholder for what AWS assigns. */
export function placeholderId(name: string): string {
    return `(id of ${name})`;
}

/**
 * The ID forms of the resource types whose IDs the program checks once they are known (a security group's ID goes
 * into the upkeep function's expiring-rules file, checked as `sg-` and hex digits): offline such a resource gets an
 * ID of that form, derived from its name, which the plan shows as its {@link placeholderId} ({@link withReadableIds}).
 * In `pulumi preview` the ID of a resource to create is unknown and the check waits for `pulumi up`; offline it
 * must pass as it would there.
 */
const ID_FORMS: Readonly<Record<string, (name: string) => string>> = {
    "aws:ec2/securityGroup:SecurityGroup": (name) => `sg-${crypto.createHash("sha256").update(name).digest("hex").slice(0, 17)}`,
};

/** Resource name by the IDs given offline in an AWS form. */
const formedIds = new Map<string, string>();

/** The ID a resource gets offline: its type's AWS form where the program checks it, else the readable placeholder. */
function offlineId(type: string, name: string): string {
    const form = ID_FORMS[type];
    if (!form) return placeholderId(name);
    const id = form(name);
    formedIds.set(id, name);
    return id;
}

/** `text` with every ID given offline in an AWS form shown as its resource's readable placeholder. */
export function withReadableIds(text: string): string {
    let shown = text;
    for (const [id, name] of formedIds) if (shown.includes(id)) shown = shown.split(id).join(placeholderId(name));
    return shown;
}

/** What one offline run of the program gave. */
export interface OfflineRun {
    /** Every resource and component registered, in order. */
    registered: Registration[];
    /** The validated model of the config. */
    spec: StackSpec;
    /** What the program passed to `pulumi.log.warn`, each prefixed with the name of the resource it concerns. */
    warnings: string[];
}

let sink: Registration[] | undefined;
let installedStack: string | undefined;

/** Installs the mock runtime for `stack` (once per process: a preview's mode and stack are fixed by the first call). */
export function installOfflineRuntime(stack: string): void {
    if (installedStack !== undefined) {
        if (installedStack !== stack) throw new Error(`the offline runtime is installed for stack "${installedStack}", not "${stack}"`);
        return;
    }
    pulumi.runtime.setMocks(
        {
            // Every provider-computed output is unknown, as in `pulumi preview`; IDs are readable placeholders.
            newResource: (args) => ({ id: offlineId(args.type, args.name), state: { ...args.inputs, arn: UNKNOWN } }),
            // Lookups (RDS instance, subnets) are answered at deploy; offline they are unknown.
            call: () => Object.fromEntries(LOOKUP_FIELDS.map((k) => [k, UNKNOWN])),
        },
        "db-endpoints",
        stack,
        true,
    );
    recordRegistrations((r) => sink?.push(r));
    installedStack = stack;
}

/**
 * Runs the program for `raw` (the stack's `db-endpoints:*` config, objects parsed) with `allConfig` (every key of
 * the stack, as the CLI hands them over). Throws the config's ValidationError when it is invalid, before anything
 * is registered.
 */
export async function runOffline(raw: RawStackConfig, allConfig: Record<string, string>, secureKeys: string[]): Promise<OfflineRun> {
    if (installedStack === undefined) throw new Error("installOfflineRuntime first");
    pulumi.runtime.setAllConfig(allConfig, secureKeys);
    const { main } = await import("../infra/program/main");
    const { decodeStackConfig } = await import("../infra/program/config");
    const registered: Registration[] = [];
    const warnings: string[] = [];
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const warn = log.warn;
    log.warn = async (message: string, resource?: pulumi.Resource) => {
        const owner = resource ? await (resource.urn as unknown as { promise(): Promise<string> }).promise().then((u) => u.split("::").pop()) : undefined;
        warnings.push(owner ? `${owner}: ${message}` : message);
    };
    await waitForRegistrations();
    sink = registered;
    try {
        const { spec } = decodeStackConfig(raw);
        main(raw);
        return { registered, spec, warnings };
    } finally {
        await waitForRegistrations();
        sink = undefined;
        log.warn = warn;
    }
}
