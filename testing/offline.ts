/**
 * The stack program run offline, as `pulumi preview` would run it but without AWS or the Pulumi CLI: Pulumi's mock
 * runtime in preview mode, every provider-computed output and every lookup (RDS instance, subnets, DNS) unknown,
 * IDs shown as readable placeholders. One process can run the program several times (a config and the one it is
 * compared with), each run recording what it registers and the warnings it gives. Used by the offline plan.
 */
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
            newResource: (args) => ({ id: placeholderId(args.name), state: { ...args.inputs, arn: UNKNOWN } }),
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
