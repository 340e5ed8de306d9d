/**
 * The stack program: reads the stack config, decodes it into the args of the one `DatabaseEndpoints`
 * component (every problem at once, before any resource is registered), declares it, and exports its
 * outputs. Nothing here decides resources; the components do.
 */
import { DatabaseEndpoints } from "../components/databaseEndpoints/databaseEndpoints";
import type { StackOutputs } from "../components/databaseEndpoints/outputs";
import { decodeStackConfig, RawStackConfig, readRawStackConfig } from "./config";

/** The component's name in the stack. */
export const PRODUCT_NAME = "db-endpoints";

/** The program `pulumi up` runs. */
export function main(raw: RawStackConfig = readRawStackConfig()): StackOutputs {
    const { args } = decodeStackConfig(raw);
    return new DatabaseEndpoints(PRODUCT_NAME, args).stackOutputs();
}

export { readRawStackConfig } from "./config";
export type { StackOutputs } from "../components/databaseEndpoints/outputs";
