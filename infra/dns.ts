/**
 * Resolves a database hostname to the private IPv4 address(es) an NLB IP target needs.
 * RDS endpoint names resolve to the instance's private address from anywhere, so this works from a
 * deployer outside the VPC too.
 */
// Node.js types, named here because the plugin host's ts-node may compile this module alone (tests/components/index.test.ts).
/// <reference types="node" />
import * as dns from "node:dns";

/**
 * Returns the IPv4 addresses of `hostname`, sorted. Throws with the hostname in the message when it
 * does not resolve or resolves to nothing: registering no target would take the endpoint down.
 */
export async function resolveIpv4(hostname: string): Promise<string[]> {
    let answers: dns.LookupAddress[];
    try {
        // Looked up through the property (not a destructured import) so tests can replace it.
        answers = await dns.promises.lookup(hostname, { all: true, family: 4 });
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? String(e);
        throw new Error(`could not resolve ${hostname} to an IPv4 address (${code})`);
    }
    const addresses = [...new Set(answers.map((a) => a.address))].sort();
    if (addresses.length === 0) throw new Error(`${hostname} resolved to no IPv4 address`);
    return addresses;
}
