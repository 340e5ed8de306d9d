/**
 * Which RDS engines map to which engine (infra/integrations/engines.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { engineOfRds } from "../../infra/integrations/engines";

describe("RDS engines", () => {
    it("map to the provider that manages their users; others are unsupported", () => {
        assert.deepEqual(
            ["postgres", "aurora-postgresql", "mysql", "mariadb", "aurora-mysql", "aurora", "oracle-ee", "sqlserver-se", "db2-se", ""].map(engineOfRds),
            ["postgres", "postgres", "mysql", "mysql", "mysql", "mysql", undefined, undefined, undefined, undefined],
        );
    });
});
