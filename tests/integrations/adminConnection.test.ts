/**
 * Where and how strictly the admin connection verifies TLS (infra/integrations/adminConnection.ts), per
 * engine, kind of database and connection mode.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { adminConnectionSettings, AdminConnectionFacts } from "../../infra/integrations/adminConnection";
import { AdminConnection, DatabaseEngine } from "../../infra/enums";

describe("the admin connection", () => {
    const facts = (extra: Partial<AdminConnectionFacts>): AdminConnectionFacts => ({
        engine: DatabaseEngine.Postgres,
        mode: AdminConnection.Endpoint,
        rds: true,
        endpointHostname: "reporting.db.example.com",
        endpointPort: 15432,
        rdsAddress: "prod.abc.us-east-1.rds.amazonaws.com",
        databasePort: 5432,
        ...extra,
    });

    it("PostgreSQL on RDS through the endpoint verifies only the chain: the certificate names the instance", () => {
        assert.deepEqual(adminConnectionSettings(facts({})), { host: "reporting.db.example.com", port: 15432, verification: "ca", tlsMode: "verify-ca" });
    });

    it("PostgreSQL on RDS directly connects to the instance on its port and verifies it in full", () => {
        assert.deepEqual(adminConnectionSettings(facts({ mode: AdminConnection.Direct })), {
            host: "prod.abc.us-east-1.rds.amazonaws.com",
            port: 5432,
            verification: "full",
            tlsMode: "verify-full",
        });
    });

    it("a self-managed database's certificate names the endpoint and its internal name: full verification either way", () => {
        const selfManaged = { rds: false, rdsAddress: undefined, directHost: "db1.internal.example.com" };
        assert.deepEqual(adminConnectionSettings(facts(selfManaged)), { host: "reporting.db.example.com", port: 15432, verification: "full", tlsMode: "verify-full" });
        assert.deepEqual(adminConnectionSettings(facts({ ...selfManaged, mode: AdminConnection.Direct })), {
            host: "db1.internal.example.com",
            port: 5432,
            verification: "full",
            tlsMode: "verify-full",
        });
        assert.deepEqual(adminConnectionSettings(facts({ ...selfManaged, engine: DatabaseEngine.Mysql })), { host: "reporting.db.example.com", port: 15432, verification: "full", tlsMode: "true" });
        assert.throws(() => adminConnectionSettings(facts({ ...selfManaged, directHost: undefined, mode: AdminConnection.Direct })), /directHost is required for a self-managed database/);
    });

    it("MySQL on RDS: directly in full; through the endpoint never (its provider has no chain-only mode)", () => {
        assert.deepEqual(adminConnectionSettings(facts({ engine: DatabaseEngine.Mysql, mode: AdminConnection.Direct })), {
            host: "prod.abc.us-east-1.rds.amazonaws.com",
            port: 5432,
            verification: "full",
            tlsMode: "true",
        });
        assert.throws(
            () => adminConnectionSettings(facts({ engine: DatabaseEngine.Mysql })),
            /^Error: the MySQL provider cannot verify reporting\.db\.example\.com's certificate \(it names the RDS instance\); use the direct admin connection$/,
        );
    });
});
