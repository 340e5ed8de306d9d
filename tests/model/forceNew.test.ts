/**
 * The providers' replacement facts (infra/model/forceNew.ts): a network load balancer's subnet mappings force a
 * new one unless mappings are only added (customizeDiffLoadBalancerNLB), and the inputs each type cannot change in
 * place, with the types they are taken from.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FORCE_NEW, FORCE_NEW_FROM, mappingsForceNew, TYPES } from "../../infra/model/forceNew";

const m = (subnetId: string, allocationId?: string) => (allocationId ? { subnetId, allocationId } : { subnetId });

describe("a network load balancer's subnet mappings", () => {
    it("are changed in place when only added to, or not changed, in any order", () => {
        assert.equal(mappingsForceNew([m("a"), m("b")], [m("b"), m("a")]), false);
        assert.equal(mappingsForceNew([m("a"), m("b")], [m("a"), m("b"), m("c")]), false);
        assert.equal(mappingsForceNew([m("a", "eip-1")], [m("a", "eip-1"), m("b", "eip-2")]), false);
    });

    it("force a new one when one is removed, swapped, or given another Elastic IP (or one at all)", () => {
        assert.equal(mappingsForceNew([m("a"), m("b")], [m("a")]), true);
        assert.equal(mappingsForceNew([m("a"), m("b")], [m("a"), m("c")]), true);
        assert.equal(mappingsForceNew([m("a"), m("b")], [m("a"), m("c"), m("d")]), true);
        assert.equal(mappingsForceNew([m("a", "eip-1")], [m("a", "eip-9")]), true);
        assert.equal(mappingsForceNew([m("a"), m("b")], [m("a", "eip-1"), m("b", "eip-2")]), true);
    });
});

describe("the inputs that force a new resource", () => {
    it("are the ones the providers mark, and their sources are resources of this product", () => {
        assert.deepEqual(FORCE_NEW[TYPES.listener], ["loadBalancerArn"]);
        assert.deepEqual(FORCE_NEW[TYPES.certRequest], ["privateKeyPem", "dnsNames", "ipAddresses", "subject"]);
        assert.ok(!FORCE_NEW[TYPES.ingressRule].includes("cidrIpv4"), "a rule's source is modified in place");
        assert.ok(!FORCE_NEW[TYPES.targetGroup].includes("healthCheck"));
        // A flow log is changed in place in its tags only; a deploy-time run is a new run when its triggers change.
        assert.ok(FORCE_NEW[TYPES.flowLog].includes("eniId") && !FORCE_NEW[TYPES.flowLog].includes("tags"));
        assert.ok(FORCE_NEW[TYPES.invocation].includes("triggers"));
        const types = new Set<string>(Object.values(TYPES));
        for (const [type, sources] of Object.entries(FORCE_NEW_FROM)) {
            assert.ok(types.has(type) && sources.every((s) => types.has(s)), type);
            assert.ok(FORCE_NEW[type] !== undefined, `${type} has ForceNew inputs for its sources to feed`);
        }
    });
});
