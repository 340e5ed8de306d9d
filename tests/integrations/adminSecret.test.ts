/**
 * The admin secret's shape (infra/integrations/adminSecret.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAdminSecret } from "../../infra/integrations/adminSecret";
import { DatabaseEngine } from "../../infra/enums";

describe("the admin secret", () => {
    const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc";

    it("reads username and password from RDS-managed master secret JSON, ignoring other fields", () => {
        assert.deepEqual(parseAdminSecret(JSON.stringify({ username: "postgres", password: "s3cret", engine: DatabaseEngine.Postgres, host: "x" }), ARN), {
            username: "postgres",
            password: "s3cret",
        });
    });

    it("refuses other shapes, naming the secret and never its content", () => {
        const notJson = `the admin secret ${ARN} is not JSON; it must hold {"username": ..., "password": ...} like an RDS-managed master secret`;
        const noFields = `the admin secret ${ARN} has no non-empty "username" and "password" fields; it must hold them like an RDS-managed master secret`;
        for (const [text, message] of [
            ["postgres:s3cret", notJson],
            [undefined, notJson],
            ['"s3cret"', noFields],
            ['["postgres","s3cret"]', noFields],
            [JSON.stringify({ username: "postgres" }), noFields],
            [JSON.stringify({ username: "", password: "s3cret" }), noFields],
            [JSON.stringify({ user: "postgres", pass: "s3cret" }), noFields],
        ] as const) {
            assert.throws(() => parseAdminSecret(text, ARN), (e: Error) => e.message === message && !e.message.includes("s3cret"), String(text));
        }
    });
});
