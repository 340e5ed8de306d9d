/**
 * The SCRAM-SHA-256 verifier PostgreSQL roles are given instead of a plaintext password
 * (infra/integrations/scram.ts), by known answers; scram.test.ts checks it against a real PostgreSQL server.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { describe, it } from "node:test";
import { scramSha256Verifier } from "../../infra/integrations/scram";

describe("the SCRAM-SHA-256 verifier a PostgreSQL role is given", () => {
    /** Splits `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. */
    function parts(verifier: string) {
        const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(verifier);
        assert.ok(m, `not a SCRAM-SHA-256 verifier: ${verifier}`);
        return { iterations: Number(m[1]), salt: m[2], storedKey: Buffer.from(m[3], "base64"), serverKey: Buffer.from(m[4], "base64") };
    }

    it("lets the server complete RFC 7677's example exchange (user \"user\", password \"pencil\")", () => {
        // RFC 7677 section 3: the messages of a SCRAM-SHA-256 authentication. A server holding only the
        // verifier checks the client's proof (SHA-256(proof XOR HMAC(StoredKey, AuthMessage)) = StoredKey)
        // and answers with HMAC(ServerKey, AuthMessage); both must match the RFC's values.
        const salt = "W22ZaJ0SNY7soEsUEjb6gQ==";
        const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        const clientFirstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
        const serverFirst = `r=${nonce},s=${salt},i=4096`;
        const clientFinalWithoutProof = `c=biws,r=${nonce}`;
        const proof = Buffer.from("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "base64");
        const serverSignature = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

        const v = parts(scramSha256Verifier("pencil", Buffer.from(salt, "base64")));
        assert.deepEqual([v.iterations, v.salt], [4096, salt]);
        const authMessage = `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
        const clientSignature = crypto.createHmac("sha256", v.storedKey).update(authMessage).digest();
        const clientKey = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]));
        assert.deepEqual(crypto.createHash("sha256").update(clientKey).digest(), v.storedKey);
        assert.equal(crypto.createHmac("sha256", v.serverKey).update(authMessage).digest("base64"), serverSignature);
    });

    it("is what PostgreSQL itself stores for the same password and salt", () => {
        // Recorded from PostgreSQL 15.18 (password_encryption = scram-sha-256): CREATE ROLE ... PASSWORD '<plaintext>',
        // then SELECT rolpassword FROM pg_authid. tests/integrations/scram.test.ts repeats it against a live server.
        for (const [plaintext, stored] of [
            ["pencil", "SCRAM-SHA-256$4096:KqQx7tafM7EIZP8yMfWPiA==$7N7cUq0qmJXU6WjXtnJotTqj9HRHDDS/oKhJpceSK2k=:beXp+Mg+T+FNsCN7KTEocHiMPoQMo76EUDbnYmRvqQQ="],
            [
                "IntegrationPassw0rdOf40LettersAndDigitsX",
                "SCRAM-SHA-256$4096:8J7KwHMoiSHTWy5d+yGAEA==$GXK/Zl/iTSpMTttUKUJZPhbziNA0Rfi9nE52C4AzvXY=:N9zm4WEy+Lz4/4Ji1Z/SAF5s8s9DWYE0ej1K2ZwXJy8=",
            ],
        ]) {
            assert.equal(scramSha256Verifier(plaintext, Buffer.from(parts(stored).salt, "base64")), stored, plaintext);
        }
    });

    it("depends on the salt, and refuses what SASLprep could change, an empty salt or a bad iteration count", () => {
        const a = scramSha256Verifier("pencil", Buffer.alloc(16, 1));
        const b = scramSha256Verifier("pencil", Buffer.alloc(16, 2));
        assert.notEqual(parts(a).storedKey.toString("base64"), parts(b).storedKey.toString("base64"));
        for (const password of ["", "with space", "caf\u00e9", "tab\there"]) {
            assert.throws(
                () => scramSha256Verifier(password, Buffer.alloc(16)),
                /^Error: a SCRAM-SHA-256 verifier is only computed here for non-empty printable ASCII passwords without spaces \(SASLprep leaves them unchanged\)$/,
                JSON.stringify(password),
            );
        }
        assert.throws(() => scramSha256Verifier("pencil", Buffer.alloc(0)), /^Error: a SCRAM-SHA-256 verifier needs a non-empty salt$/);
        assert.throws(() => scramSha256Verifier("pencil", Buffer.alloc(16), 0), /^Error: 0 is not a SCRAM iteration count$/);
    });
});
