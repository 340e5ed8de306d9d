/**
 * Which addresses a load balancer's IP target group accepts (infra/net/targets.ts): AWS's rule for targets in
 * and outside the VPC, and the ranges no load balancer can target.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { neverTargetRange, placeTarget } from "../../infra/net/targets";

describe("placeTarget: AWS's rule for IP targets", () => {
    const vpc = ["10.0.0.0/16", "198.19.0.0/16"];

    it("an address in one of the VPC's CIDR blocks is in the VPC, whatever its range", () => {
        assert.deepEqual(["10.0.0.0", "10.0.255.255", "198.19.1.10"].map((a) => placeTarget(a, vpc)), ["in-vpc", "in-vpc", "in-vpc"]);
    });

    it("outside the VPC only RFC 1918 and RFC 6598 addresses are accepted, to their edges", () => {
        const cases: Record<string, string> = {
            "10.1.0.1": "outside-vpc",
            "172.16.0.0": "outside-vpc",
            "172.31.255.255": "outside-vpc",
            "172.32.0.0": "refused",
            "172.15.255.255": "refused",
            "192.168.255.255": "outside-vpc",
            "192.169.0.0": "refused",
            "100.64.0.0": "outside-vpc",
            "100.127.255.255": "outside-vpc",
            "100.128.0.0": "refused",
            "198.18.0.1": "refused",
            "54.210.1.2": "refused",
        };
        assert.deepEqual(Object.fromEntries(Object.keys(cases).map((a) => [a, placeTarget(a, vpc)])), cases);
    });

    it("neverTargetRange names nothing for usable addresses", () => {
        assert.deepEqual(["10.0.3.17", "1.0.0.0", "223.255.255.255", "126.255.255.255"].map(neverTargetRange), [undefined, undefined, undefined, undefined]);
    });
});
