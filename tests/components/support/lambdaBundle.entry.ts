/** A small function for tests/components/support/lambdaBundle.test.ts to bundle: it and one module it imports. */
import { parseAddress } from "../../../infra/net/ip";

export async function handler(event: { address?: string }): Promise<string | undefined> {
    return parseAddress(event.address ?? "")?.family;
}
