/**
 * SCRAM-SHA-256 verifiers: what a PostgreSQL role is given instead of its plaintext password.
 */
// Node.js types, named here because the plugin host's ts-node may compile this module alone (tests/components/index.test.ts).
/// <reference types="node" />
import * as crypto from "node:crypto";
import { show } from "../validation";

/** PostgreSQL's SCRAM-SHA-256 iteration count (`scram_iterations`, the default since PostgreSQL 10). */
export const SCRAM_ITERATIONS = 4096;
/** PostgreSQL's salt length for SCRAM-SHA-256 verifiers, in bytes. */
export const SCRAM_SALT_BYTES = 16;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802, RFC 7677), in pg_authid's format
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64):
 * SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations), StoredKey = SHA-256(HMAC(SaltedPassword,
 * "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). `CREATE ROLE ... PASSWORD '<verifier>'`
 * stores it as given, so the plaintext never reaches the server's statement logs. PostgreSQL first
 * normalizes the password with SASLprep; printable ASCII without spaces is unchanged by it, and anything
 * else is refused here rather than risk a verifier the server would not match.
 */
export function scramSha256Verifier(password: string, salt: Buffer, iterations: number = SCRAM_ITERATIONS): string {
    if (!/^[\x21-\x7e]+$/.test(password)) {
        throw new Error("a SCRAM-SHA-256 verifier is only computed here for non-empty printable ASCII passwords without spaces (SASLprep leaves them unchanged)");
    }
    if (salt.length === 0) throw new Error("a SCRAM-SHA-256 verifier needs a non-empty salt");
    if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`${show(iterations)} is not a SCRAM iteration count`);
    const salted = crypto.pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
    const hmac = (key: Buffer, text: string) => crypto.createHmac("sha256", key).update(text, "utf8").digest();
    const storedKey = crypto.createHash("sha256").update(hmac(salted, "Client Key")).digest();
    const serverKey = hmac(salted, "Server Key");
    return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
