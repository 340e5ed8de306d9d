/**
 * A fake clock for the deploy-time hooks and waits (restart, reboot, target-health), which take a `Clock`: tests
 * run their polling and timeouts at once and assert how long each wait would have been.
 */
import { Clock } from "../infra/hooks/support";

/** A clock whose sleep advances time at once and remembers each wait: hooks' waits and timeouts without waiting. */
export function makeFakeClock(start = 0): Clock & { sleeps: number[] } {
    let t = start;
    const sleeps: number[] = [];
    return {
        sleeps,
        now: () => t,
        sleep: async (ms) => {
            sleeps.push(ms);
            t += ms;
        },
    };
}
