/** The keepalive timing given to an endpoint's clients (infra/handoff/keepalive.ts), across the idle timeouts an endpoint can have. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keepaliveSettings, libpqKeepalives } from "../../infra/handoff/keepalive";

describe("keepalives inside the idle timeout", () => {
    it("sends the first probe after half the idle timeout, at most 300 s, always before the endpoint closes the connection", () => {
        for (const [timeout, idle, interval] of [[60, 30, 10], [120, 60, 20], [350, 175, 30], [3600, 300, 30], [6000, 300, 30]]) {
            const k = keepaliveSettings(timeout);
            assert.deepEqual(k, { idleTimeoutSeconds: timeout, idleSeconds: idle, intervalSeconds: interval, count: 3 }, `idle timeout ${timeout}`);
            assert.ok(k.idleSeconds < timeout);
        }
    });

    it("as libpq keywords", () => {
        assert.equal(libpqKeepalives(keepaliveSettings(3600)), "keepalives=1 keepalives_idle=300 keepalives_interval=30 keepalives_count=3");
    });
});
