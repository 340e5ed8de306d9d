/**
 * Which IPv4 addresses a load balancer's IP target group accepts, and how each must be registered.
 *
 * AWS's rule (Elastic Load Balancing, `RegisterTargets`, target type `ip`): an address in a subnet of the
 * target group's VPC is registered as it is (its Availability Zone is detected); an address outside the VPC
 * (a peered VPC, on premises over VPN or Direct Connect) must be in the RFC 1918 ranges or the RFC 6598
 * shared range, and a Network Load Balancer accepts it only with `AvailabilityZone: "all"`. Publicly
 * routable addresses outside the VPC are refused.
 */
import { join, Problems, show } from "../validation";
import { containsCidr, parseAddress, parseCidr, ParsedCidr } from "./ip";

/** The ranges from which AWS accepts IP targets outside the target group's VPC. */
export const OUTSIDE_VPC_TARGET_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] as const;

/**
 * Ranges no IP target can be in: none of them can be a VPC's CIDR block, and none is one of
 * {@link OUTSIDE_VPC_TARGET_RANGES}. Refused when the endpoint is declared, before any lookup.
 */
const NEVER_TARGETS: { cidr: ParsedCidr; label: string }[] = [
    ["0.0.0.0/8", "this-network (RFC 791)"],
    ["127.0.0.0/8", "loopback"],
    ["169.254.0.0/16", "link-local"],
    ["224.0.0.0/4", "multicast"],
    ["240.0.0.0/4", "reserved (RFC 1112)"],
].map(([cidr, label]) => ({ cidr: parseCidr(cidr), label }));

/** Names the range that makes an IPv4 address unusable as a target anywhere (`the loopback range 127.0.0.0/8`), or undefined. */
export function neverTargetRange(address: string): string | undefined {
    const parsed = parseAddress(address);
    if (!parsed || parsed.family !== "ipv4") return undefined;
    const host = parseCidr(`${parsed.text}/32`);
    const range = NEVER_TARGETS.find((r) => containsCidr(r.cidr, host));
    return range ? `the ${range.label} range ${range.cidr.cidr}` : undefined;
}

/**
 * Reports each entry of a database's address list that no load balancer can have as a target (loopback,
 * link-local, multicast, ...). Entries that are not IPv4 addresses are left to the caller's own check.
 */
export function checkTargetAddresses(problems: Problems, path: string, list: readonly unknown[]): void {
    list.forEach((a, i) => {
        const range = typeof a === "string" ? neverTargetRange(a) : undefined;
        if (range) {
            problems.error(
                join(path, i),
                `${show(a)} is in ${range}, which a load balancer cannot send traffic to; list the database's private address ` +
                    `(in the VPC, or in a private range reachable from it: a peered VPC, on premises)`,
            );
        }
    });
}

/**
 * Where an address is, for its registration: `in-vpc` (registered as it is), `outside-vpc` (registered with
 * `availabilityZone: "all"`), or `refused` (outside the VPC and publicly routable: AWS refuses it).
 */
export type TargetPlacement = "in-vpc" | "outside-vpc" | "refused";

/** Places an IPv4 address against the VPC's IPv4 CIDR blocks (its primary and secondary associations). */
export function placeTarget(address: string, vpcCidrs: readonly string[]): TargetPlacement {
    const host = parseCidr(`${address}/32`);
    if (vpcCidrs.some((c) => containsCidr(parseCidr(c), host))) return "in-vpc";
    if (OUTSIDE_VPC_TARGET_RANGES.some((c) => containsCidr(parseCidr(c), host))) return "outside-vpc";
    return "refused";
}
