/**
 * The pure planning behind integrations: the exact grants per access level and engine, where
 * and how strictly the admin connection verifies TLS, the connection URL each integration is given, and
 * the admin secret's shape, the SCRAM-SHA-256 verifier PostgreSQL roles are given instead of a plaintext
 * password, and whether the MySQL provider's trust store holds the admin CA bundle.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import { describe, it } from "node:test";
import { adminConnectionSettings, AdminConnectionFacts } from "../../infra/integrations/adminConnection";
import { parseAdminSecret } from "../../infra/integrations/adminSecret";
import { clientConnection, ClientConnectionFacts } from "../../infra/integrations/clientConnection";
import { engineOfRds } from "../../infra/integrations/engines";
import { ownersOf, planMysqlGrants, planPostgresGrants } from "../../infra/integrations/grants";
import { IntegrationSpec } from "../../infra/integrations/integrationSpec";
import { checkMysqlTrustStore, DeployerEnvironment } from "../../infra/integrations/mysqlTrustStore";
import { scramSha256Verifier } from "../../infra/integrations/scram";
import { formatProblem, Problems } from "../../infra/validation";
import { AdminConnection, DatabaseEngine, IntegrationAccess } from "../../infra/enums";

const read: IntegrationSpec = { name: "metabase", access: IntegrationAccess.Read, schemas: ["public"], tables: [{ schema: "public", name: "orders" }] };
const writeAll: IntegrationSpec = { name: "etl", access: IntegrationAccess.Write, schemas: ["public", "staging"] };
const writeTables: IntegrationSpec = {
    name: "loader",
    access: IntegrationAccess.Write,
    schemas: ["public", "staging"],
    tables: [
        { schema: "public", name: "events" },
        { schema: "staging", name: "raw" },
    ],
    sequences: [{ schema: "public", name: "events_id_seq" }],
};
const DML = ["SELECT", "INSERT", "UPDATE", "DELETE"];

describe("PostgreSQL grants", () => {
    it("read with tables: CONNECT, USAGE, SELECT on exactly those tables, nothing for later tables", () => {
        assert.deepEqual(planPostgresGrants(read, ownersOf(undefined)), {
            grants: [
                { suffix: "connect", objectType: "database", privileges: ["CONNECT"] },
                { suffix: "usage-public", objectType: "schema", schema: "public", privileges: ["USAGE"] },
                { suffix: "tables-public", objectType: "table", schema: "public", objects: ["orders"], privileges: ["SELECT"] },
            ],
            defaultPrivileges: [],
        });
    });

    it("write on whole schemas: DML and sequence USAGE on every object, and default privileges per schema and owner", () => {
        const plan = planPostgresGrants(writeAll, ownersOf(["app_owner", "migrator"]));
        assert.deepEqual(plan.grants, [
            { suffix: "connect", objectType: "database", privileges: ["CONNECT"] },
            { suffix: "usage-public", objectType: "schema", schema: "public", privileges: ["USAGE"] },
            { suffix: "tables-public", objectType: "table", schema: "public", privileges: DML },
            { suffix: "sequences-public", objectType: "sequence", schema: "public", privileges: ["USAGE"] },
            { suffix: "usage-staging", objectType: "schema", schema: "staging", privileges: ["USAGE"] },
            { suffix: "tables-staging", objectType: "table", schema: "staging", privileges: DML },
            { suffix: "sequences-staging", objectType: "sequence", schema: "staging", privileges: ["USAGE"] },
        ]);
        const owner = (role: string) => ({ role, label: role });
        assert.deepEqual(plan.defaultPrivileges, [
            { suffix: "future-tables-public-by-app_owner", objectType: "table", schema: "public", owner: owner("app_owner"), privileges: DML },
            { suffix: "future-sequences-public-by-app_owner", objectType: "sequence", schema: "public", owner: owner("app_owner"), privileges: ["USAGE"] },
            { suffix: "future-tables-public-by-migrator", objectType: "table", schema: "public", owner: owner("migrator"), privileges: DML },
            { suffix: "future-sequences-public-by-migrator", objectType: "sequence", schema: "public", owner: owner("migrator"), privileges: ["USAGE"] },
            { suffix: "future-tables-staging-by-app_owner", objectType: "table", schema: "staging", owner: owner("app_owner"), privileges: DML },
            { suffix: "future-sequences-staging-by-app_owner", objectType: "sequence", schema: "staging", owner: owner("app_owner"), privileges: ["USAGE"] },
            { suffix: "future-tables-staging-by-migrator", objectType: "table", schema: "staging", owner: owner("migrator"), privileges: DML },
            { suffix: "future-sequences-staging-by-migrator", objectType: "sequence", schema: "staging", owner: owner("migrator"), privileges: ["USAGE"] },
        ]);
    });

    it("write with tables: per-schema table lists, and USAGE only on the listed sequences", () => {
        assert.deepEqual(planPostgresGrants(writeTables, ownersOf(undefined)), {
            grants: [
                { suffix: "connect", objectType: "database", privileges: ["CONNECT"] },
                { suffix: "usage-public", objectType: "schema", schema: "public", privileges: ["USAGE"] },
                { suffix: "tables-public", objectType: "table", schema: "public", objects: ["events"], privileges: DML },
                { suffix: "sequences-public", objectType: "sequence", schema: "public", objects: ["events_id_seq"], privileges: ["USAGE"] },
                { suffix: "usage-staging", objectType: "schema", schema: "staging", privileges: ["USAGE"] },
                { suffix: "tables-staging", objectType: "table", schema: "staging", objects: ["raw"], privileges: DML },
            ],
            defaultPrivileges: [],
        });
    });

    it("defaults the owner of future tables to the admin user", () => {
        assert.deepEqual(ownersOf(undefined), [{ label: "admin" }]);
        assert.deepEqual(ownersOf([]), [{ label: "admin" }]);
        const plan = planPostgresGrants({ name: "r", access: IntegrationAccess.Read, schemas: ["public"] }, ownersOf(undefined));
        assert.deepEqual(plan.defaultPrivileges, [
            { suffix: "future-tables-public-by-admin", objectType: "table", schema: "public", owner: { label: "admin" }, privileges: ["SELECT"] },
        ]);
    });

    it("never plans DDL, ownership, TRUNCATE, REFERENCES, TRIGGER or TEMPORARY, whatever the integration", () => {
        const allowed = new Set(["CONNECT", "USAGE", "SELECT", "INSERT", "UPDATE", "DELETE"]);
        for (const integration of [read, writeAll, writeTables]) {
            const plan = planPostgresGrants(integration, ownersOf(["app"]));
            for (const g of [...plan.grants, ...plan.defaultPrivileges]) {
                for (const p of g.privileges) assert.ok(allowed.has(p), `${integration.name} ${g.suffix}: ${p}`);
            }
            for (const g of planMysqlGrants(integration)) {
                for (const p of g.privileges) assert.ok(allowed.has(p), `${integration.name} ${g.suffix}: ${p}`);
            }
        }
    });
});

describe("MySQL grants", () => {
    it("a database-wide grant per schema without tables (it covers later tables), one per table with them", () => {
        assert.deepEqual(planMysqlGrants({ name: "looker", access: IntegrationAccess.Read, schemas: ["shop", "catalog"] }), [
            { suffix: "on-shop", database: "shop", table: "*", privileges: ["SELECT"] },
            { suffix: "on-catalog", database: "catalog", table: "*", privileges: ["SELECT"] },
        ]);
        assert.deepEqual(planMysqlGrants(writeTables), [
            { suffix: "on-public-events", database: "public", table: "events", privileges: DML },
            { suffix: "on-staging-raw", database: "staging", table: "raw", privileges: DML },
        ]);
    });
});

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

describe("RDS engines", () => {
    it("map to the provider that manages their users; others are unsupported", () => {
        assert.deepEqual(
            ["postgres", "aurora-postgresql", "mysql", "mariadb", "aurora-mysql", "aurora", "oracle-ee", "sqlserver-se", "db2-se", ""].map(engineOfRds),
            ["postgres", "postgres", "mysql", "mysql", "mysql", "mysql", undefined, undefined, undefined, undefined],
        );
    });
});

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

describe("whether the MySQL provider's trust store holds the admin CA bundle", () => {
    const linux = (env: Record<string, string | undefined>): DeployerEnvironment => ({ platform: "linux", env, cwd: "/work/project" });
    function check(bundle: string, deployer: DeployerEnvironment): { checked: boolean; errors: string[] } {
        const problems = new Problems();
        const checked = checkMysqlTrustStore(problems, "endpoints[0].database.adminSslRootCert", bundle, deployer);
        return { checked, errors: problems.errors.map(formatProblem) };
    }

    it("on Linux: SSL_CERT_FILE naming the bundle, or SSL_CERT_DIR (else Go's default directories) listing its directory", () => {
        const ok = { checked: true, errors: [] };
        assert.deepEqual(check("/opt/rds/global-bundle.pem", linux({ SSL_CERT_FILE: "/opt/rds/global-bundle.pem" })), ok);
        // Relative paths resolve from the project directory, where pulumi runs the program and the providers.
        assert.deepEqual(check("global-bundle.pem", linux({ SSL_CERT_FILE: "/work/project/global-bundle.pem" })), ok);
        assert.deepEqual(check("certs/global-bundle.pem", linux({ SSL_CERT_DIR: "/etc/ssl/certs:certs" })), ok);
        assert.deepEqual(check("/opt/rds/global-bundle.pem", linux({ SSL_CERT_DIR: "/etc/ssl/certs:/opt/rds/" })), ok);
        assert.deepEqual(check("/etc/ssl/certs/rds.pem", linux({})), ok);
        assert.deepEqual(check("/etc/pki/tls/certs/rds.pem", linux({ SSL_CERT_FILE: "/etc/pki/tls/certs/ca-bundle.crt" })), ok);
    });

    it("on Linux, refuses a bundle Go would not read, naming the variables and what to run", () => {
        const refused = (bundle: string, fileVar: string, dirVar: string, dir: string) =>
            `endpoints[0].database.adminSslRootCert: ${JSON.stringify(bundle)} is not in the MySQL provider's trust store: the provider cannot be given a CA bundle ` +
            "(its tls setting is only true, false or skip-verify) and verifies against Go's, which reads SSL_CERT_FILE and the SSL_CERT_DIR directories " +
            `(now ${fileVar} and ${dirVar}). Run pulumi up with SSL_CERT_DIR=/etc/ssl/certs:${dir} (keeping the system's CAs for the other providers)`;
        assert.deepEqual(check("global-bundle.pem", linux({})), { checked: true, errors: [refused("global-bundle.pem", "unset", "unset", "/work/project")] });
        // A set SSL_CERT_DIR replaces Go's default directories.
        assert.deepEqual(check("/etc/ssl/certs/rds.pem", linux({ SSL_CERT_DIR: "/opt/other" })), {
            checked: true,
            errors: [refused("/etc/ssl/certs/rds.pem", "unset", '"/opt/other"', "/etc/ssl/certs")],
        });
        assert.deepEqual(check("/opt/rds/global-bundle.pem", linux({ SSL_CERT_FILE: "/opt/rds/other.pem", SSL_CERT_DIR: "/opt/rds/sub" })), {
            checked: true,
            errors: [refused("/opt/rds/global-bundle.pem", '"/opt/rds/other.pem"', '"/opt/rds/sub"', "/opt/rds")],
        });
    });

    it("elsewhere (macOS, Windows: Go asks the operating system) cannot check, and says so", () => {
        for (const platform of ["darwin", "win32"]) {
            assert.deepEqual(check("/opt/rds/global-bundle.pem", { platform, env: {}, cwd: "/work/project" }), { checked: false, errors: [] });
        }
    });
});
