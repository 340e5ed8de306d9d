/**
 * Control over the environment variables that say which trust store Go programs (the MySQL provider) verify
 * certificates against, so suites that depend on them start each test from a known state.
 */
import { after, beforeEach } from "node:test";

export interface TrustEnv {
    SSL_CERT_FILE?: string;
    SSL_CERT_DIR?: string;
}

/**
 * For a suite whose code reads Go's trust-store variables (the MySQL provider verifies against them): clears
 * them before each test, restores the process's values after the suite, and returns the setter tests use.
 */
export function isolateTrustEnv(): (env: TrustEnv) => void {
    const saved: TrustEnv = { SSL_CERT_FILE: process.env.SSL_CERT_FILE, SSL_CERT_DIR: process.env.SSL_CERT_DIR };
    const set = (env: TrustEnv) => {
        for (const key of ["SSL_CERT_FILE", "SSL_CERT_DIR"] as const) {
            if (env[key] === undefined) delete process.env[key];
            else process.env[key] = env[key];
        }
    };
    beforeEach(() => set({}));
    after(() => set(saved));
    return set;
}
