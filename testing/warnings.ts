/**
 * Catches what the program under test passes to `pulumi.log.warn` (which under the mock runtime would only be
 * printed), so tests can assert on the warnings a declaration gives.
 */
import { after, before } from "node:test";
import * as pulumi from "@pulumi/pulumi";

type Warn = (message: string, resource?: pulumi.Resource) => void | Promise<void>;

/**
 * Registers hooks on the calling file (or suite) that hand every `pulumi.log.warn(message, resource)` to
 * `record` instead, from before its tests until after them, when the original is restored.
 */
export function interceptWarnings(record: Warn): void {
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const original = log.warn;
    before(() => {
        log.warn = async (message: string, resource?: pulumi.Resource) => {
            await record(message, resource);
        };
    });
    after(() => {
        log.warn = original;
    });
}
