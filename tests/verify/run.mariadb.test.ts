/**
 * `verify` against real MariaDB servers (testing/mariadb.ts) through a pass-through proxy: the cases of
 * testing/verifySuite.ts, for the MySQL protocol. One server has a certificate (swapped in place and reloaded
 * with FLUSH SSL); a second one, started with TLS off, is the plaintext-only server. The integration users are
 * made with the statements the MySQL provider runs (testing/mysqlProvider.ts) for what
 * infra/integrations/grants.ts plans, with the provider's `REQUIRE SSL`. Skipped, saying why, where MariaDB or
 * openssl is missing; under CI=true that fails instead.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { IntegrationAccess } from "../../infra/enums";
import { planMysqlGrants } from "../../infra/integrations/grants";
import { MariaDb, mariadbUnavailable, startMariaDb } from "../../testing/mariadb";
import { createUserStatement, grantStatement } from "../../testing/mysqlProvider";
import { verifySuite } from "../../testing/verifySuite";

let server: MariaDb;
let plain: MariaDb;
let files: { cert: string; key: string };

verifySuite({
    engine: "mysql",
    label: "MariaDB",
    unavailable: mariadbUnavailable,
    async start(tls, dir) {
        files = { cert: path.join(dir, "mariadb-server.crt"), key: path.join(dir, "mariadb-server.key") };
        fs.writeFileSync(files.cert, tls.certificatePem);
        fs.writeFileSync(files.key, tls.keyPem, { mode: 0o600 });
        [server, plain] = await Promise.all([
            startMariaDb({ options: [`ssl_cert = ${files.cert}`, `ssl_key = ${files.key}`] }),
            startMariaDb({ options: ["skip_ssl"] }),
        ]);
    },
    tlsServer: () => ({ host: server.host, port: server.port }),
    async useCertificate(tls) {
        fs.writeFileSync(files.cert, tls.certificatePem);
        fs.writeFileSync(files.key, tls.keyPem, { mode: 0o600 });
        // MariaDB 10.4 and later re-read their TLS files on FLUSH SSL; new connections get the new certificate.
        server.sql("FLUSH SSL");
    },
    plaintextServer: async () => ({ host: plain.host, port: plain.port }),
    restoreTls: async () => undefined,
    createData(database) {
        server.sql(`CREATE DATABASE ${database}; CREATE TABLE ${database}.orders (id INT, total DECIMAL(10,2)); INSERT INTO ${database}.orders VALUES (1, 9.5)`);
    },
    createIntegrationUser(name, access, _database, schema, password) {
        // The provider appends REQUIRE SSL to CREATE USER on MySQL 5.7 and later, MariaDB included.
        const statements = [`${createUserStatement(name, "%", password)} REQUIRE SSL`];
        for (const g of planMysqlGrants({ name, access: access === "write" ? IntegrationAccess.Write : IntegrationAccess.Read, schemas: [schema] })) {
            statements.push(grantStatement({ user: name, host: "%", database: g.database, table: g.table, privileges: g.privileges, grant: false, tlsOption: "SSL" }, { mysql8OrLater: true }));
        }
        server.sql(statements.join("; "));
    },
    grantCreate(name, database) {
        server.sql(`GRANT CREATE, DROP ON ${database}.* TO '${name}'@'%'`);
    },
    assertNoProbeTable(database) {
        assert.equal(server.sql(`SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database}' AND TABLE_NAME = 'db_endpoints_verify_probe'`), "0");
    },
    async stop() {
        await Promise.all([server?.stop(), plain?.stop()]);
    },
});
