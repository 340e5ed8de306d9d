/**
 * `verify` against a real PostgreSQL server (testing/postgres.ts) through a pass-through proxy: the cases of
 * testing/verifySuite.ts. The server's certificate is swapped with a configuration reload, and TLS turned off
 * the same way for the plaintext case. The integration users are made with the statements the PostgreSQL
 * provider runs for what infra/integrations/grants.ts plans (testing/postgresProvider.ts), their passwords
 * given as the SCRAM-SHA-256 verifiers the component computes. Skipped, saying why, where PostgreSQL or openssl
 * is missing; under CI=true that fails instead.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { IntegrationAccess } from "../../infra/enums";
import { ownersOf, planPostgresGrants } from "../../infra/integrations/grants";
import { SCRAM_SALT_BYTES, scramSha256Verifier } from "../../infra/integrations/scram";
import { PostgresServer, postgresUnavailable, startPostgres } from "../../testing/postgres";
import { createRoleStatement, grantStatements } from "../../testing/postgresProvider";
import { verifySuite } from "../../testing/verifySuite";

let server: PostgresServer;

verifySuite({
    engine: "postgres",
    label: "PostgreSQL",
    unavailable: postgresUnavailable,
    async start(tls) {
        server = await startPostgres();
        server.useTls(tls.certificatePem, tls.keyPem);
    },
    tlsServer: () => ({ host: server.host, port: server.port }),
    async useCertificate(tls) {
        server.useTls(tls.certificatePem, tls.keyPem);
    },
    async plaintextServer() {
        server.disableTls();
        return { host: server.host, port: server.port };
    },
    async restoreTls() {
        server.enableTls();
    },
    createData(database, schema) {
        server.sql(`CREATE DATABASE ${database}`);
        server.sql(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.orders (id integer, total numeric); INSERT INTO ${schema}.orders VALUES (1, 9.5)`, database);
    },
    createIntegrationUser(name, access, database, schema, password) {
        const verifier = scramSha256Verifier(password, crypto.randomBytes(SCRAM_SALT_BYTES));
        server.sql(createRoleStatement(name, verifier));
        const plan = planPostgresGrants({ name, access: access === "write" ? IntegrationAccess.Write : IntegrationAccess.Read, schemas: [schema] }, ownersOf(undefined));
        for (const statement of grantStatements(plan, name, database, "postgres")) server.sql(statement, database);
    },
    grantCreate(name, database, schema) {
        server.sql(`GRANT CREATE ON SCHEMA ${schema} TO ${name}`, database);
    },
    assertNoProbeTable(database, schema) {
        assert.equal(server.sql(`SELECT count(*) FROM pg_tables WHERE schemaname = '${schema}' AND tablename = 'db_endpoints_verify_probe'`, database), "0");
    },
    stop: async () => server?.stop(),
});
