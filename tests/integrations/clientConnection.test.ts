/**
 * The connection URL each integration is given (infra/integrations/clientConnection.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientConnection, ClientConnectionFacts } from "../../infra/integrations/clientConnection";
import { DatabaseEngine } from "../../infra/enums";

describe("an integration's connection", () => {
    const facts = (extra: Partial<ClientConnectionFacts>): ClientConnectionFacts => ({
        engine: DatabaseEngine.Postgres,
        rds: false,
        endpointHostname: "reporting.db.example.com",
        endpointPort: 15432,
        endpointAddresses: [],
        dbName: "app",
        username: "metabase",
        password: "Pa55word",
        sslRootCert: "ca.pem",
        ...extra,
    });
    const RDS = "prod.abc.us-east-1.rds.amazonaws.com";

    it("self-managed PostgreSQL: verify-full of the endpoint hostname", () => {
        assert.deepEqual(clientConnection(facts({})), {
            engine: DatabaseEngine.Postgres,
            host: "reporting.db.example.com",
            port: 15432,
            dbname: "app",
            username: "metabase",
            password: "Pa55word",
            sslrootcert: "ca.pem",
            tlsServerName: "reporting.db.example.com",
            sslmode: "verify-full",
            url: "postgresql://metabase:Pa55word@reporting.db.example.com:15432/app?sslmode=verify-full&sslrootcert=ca.pem",
        });
    });

    it("RDS PostgreSQL with fixed endpoint addresses: verify-full of the instance's name, connecting to each address", () => {
        const c = clientConnection(facts({ rds: true, rdsAddress: RDS, endpointAddresses: ["198.51.100.10", "198.51.100.20"], sslRootCert: "global-bundle.pem" }));
        assert.equal(c.sslmode, "verify-full");
        assert.equal(c.hostaddr, "198.51.100.10,198.51.100.20");
        assert.equal(c.tlsServerName, RDS);
        assert.equal(c.host, "reporting.db.example.com");
        assert.equal(
            c.url,
            `postgresql://metabase:Pa55word@${RDS}:15432,${RDS}:15432/app?hostaddr=198.51.100.10,198.51.100.20&sslmode=verify-full&sslrootcert=global-bundle.pem`,
        );
    });

    it("RDS PostgreSQL without fixed addresses: the URL can only verify the chain, and says so", () => {
        const c = clientConnection(facts({ rds: true, rdsAddress: RDS, sslRootCert: "global-bundle.pem" }));
        assert.deepEqual(
            { sslmode: c.sslmode, tlsServerName: c.tlsServerName, hostaddr: c.hostaddr, url: c.url },
            {
                sslmode: "verify-ca",
                tlsServerName: RDS,
                hostaddr: undefined,
                url: "postgresql://metabase:Pa55word@reporting.db.example.com:15432/app?sslmode=verify-ca&sslrootcert=global-bundle.pem",
            },
        );
    });

    it("MySQL: VERIFY_IDENTITY of the endpoint for a self-managed database, VERIFY_CA for RDS", () => {
        const self = clientConnection(facts({ engine: DatabaseEngine.Mysql, dbName: "shop", endpointPort: 3306 }));
        assert.equal(self.url, "mysql://metabase:Pa55word@reporting.db.example.com:3306/shop?ssl-mode=VERIFY_IDENTITY&ssl-ca=ca.pem");
        assert.equal(self.sslmode, "VERIFY_IDENTITY");
        const rds = clientConnection(facts({ engine: DatabaseEngine.Mysql, rds: true, rdsAddress: RDS, endpointAddresses: ["198.51.100.10"], dbName: "shop", sslRootCert: "global-bundle.pem" }));
        assert.equal(rds.url, "mysql://metabase:Pa55word@reporting.db.example.com:15432/shop?ssl-mode=VERIFY_CA&ssl-ca=global-bundle.pem");
        assert.deepEqual([rds.sslmode, rds.tlsServerName, rds.hostaddr], ["VERIFY_CA", RDS, undefined]);
    });

    it("percent-encodes what would break the URL, keeping path separators readable", () => {
        const c = clientConnection(facts({ password: "p@ss/w:rd?#&", sslRootCert: "/etc/ssl/my certs/ca&1.pem" }));
        assert.equal(
            c.url,
            "postgresql://metabase:p%40ss%2Fw%3Ard%3F%23%26@reporting.db.example.com:15432/app?sslmode=verify-full&sslrootcert=/etc/ssl/my%20certs/ca%261.pem",
        );
        assert.equal(c.password, "p@ss/w:rd?#&");
        assert.equal(c.sslrootcert, "/etc/ssl/my certs/ca&1.pem");
    });
});
