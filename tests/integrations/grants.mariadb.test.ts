/**
 * MySQL and MariaDB read the database name of a database-level grant (`GRANT ... ON db.*`) as a LIKE pattern
 * (`_` any one character, `%` any string), so an integration given `schemas: [app_db]` would also read
 * `appXdb`, and one given `schemas: [_____]` the `mysql` system schema with every account's password hash.
 * The program escapes those names (`app\_db`); a table-level grant reads the name literally and is left
 * alone, and PostgreSQL, whose GRANT has no patterns (its provider quotes every identifier), is unchanged.
 *
 * Shown on a real MariaDB server (testing/mariadb.ts): the grants are the ones the DatabaseIntegrations
 * component declares under the mock runtime, turned into the SQL @pulumi/mysql's provider runs for them
 * (testing/mysqlProvider.ts), and applied; then the integration users log in over TCP and try to read
 * what they were, and were not, given. The suite skips, saying why, where MariaDB is not installed, except
 * under CI, where it fails.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { mysqlDatabasePattern, ownersOf, planMysqlGrants, planPostgresGrants } from "../../infra/integrations/grants";
import { MariaDb, mariadbUnavailable, startMariaDb } from "../../testing/mariadb";
import { exampleWorld, installMockCloud, MockCloud, settle } from "../../testing/mockCloud";
import { createUserStatement, GrantInputs, grantStatement, revokeStatements } from "../../testing/mysqlProvider";
import { requireInstalled, skipUnlessCi } from "../../testing/required";
import { isolateTrustEnv } from "../../testing/trustEnv";
import { DatabaseEngine, IntegrationAccess } from "../../infra/enums";

let cloud: MockCloud;
let components: typeof import("../../infra/components/databaseIntegrations");

const ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/admin-AbCdEf";
/** Where the deployer keeps the CA of the database's certificate, in a directory Go's trust store reads (set below). */
const ADMIN_CA = "/opt/db-endpoints-ca/ca.pem";
/** Pulumi's marker for a secret value in serialized inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

before(async () => {
    const world = exampleWorld();
    world.secrets = { ...world.secrets, [ADMIN_ARN]: { secretString: JSON.stringify({ username: "admin", password: "admin-password" }) } };
    cloud = installMockCloud(world);
    components = await import("../../infra/components/databaseIntegrations");
});

describe("the database name of a MySQL grant", () => {
    it("escapes every LIKE wildcard, and the escape character itself, in a database-level grant's name", () => {
        assert.equal(mysqlDatabasePattern("app_db"), "app\\_db");
        assert.equal(mysqlDatabasePattern("_____"), "\\_\\_\\_\\_\\_");
        assert.equal(mysqlDatabasePattern("a%b\\c"), "a\\%b\\\\c");
        assert.equal(mysqlDatabasePattern("shop"), "shop");
    });

    it("is escaped for a grant on every table of a schema, literal for a grant on a table, and the resource names do not change", () => {
        assert.deepEqual(planMysqlGrants({ name: "reporting", access: IntegrationAccess.Read, schemas: ["app_db", "shop"] }), [
            { suffix: "on-app_db", database: "app\\_db", table: "*", privileges: ["SELECT"] },
            { suffix: "on-shop", database: "shop", table: "*", privileges: ["SELECT"] },
        ]);
        assert.deepEqual(planMysqlGrants({ name: "exporter", access: IntegrationAccess.Write, schemas: ["app_db"], tables: [{ schema: "app_db", name: "order_items" }] }), [
            { suffix: "on-app_db-order_items", database: "app_db", table: "order_items", privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"] },
        ]);
    });

    it("stays as written for PostgreSQL, whose GRANT names one schema and whose provider quotes it", () => {
        const plan = planPostgresGrants({ name: "reporting", access: IntegrationAccess.Read, schemas: ["app_db"] }, ownersOf(undefined));
        assert.deepEqual(
            [...plan.grants, ...plan.defaultPrivileges].map((g) => ("schema" in g ? g.schema : undefined)),
            [undefined, "app_db", "app_db", "app_db"],
        );
    });
});

/** What the component declared for one integration, as the provider will see it. */
interface Declared {
    user: string;
    password: string;
    grants: GrantInputs[];
    /** The database of the integration's connection URL. */
    dbname: string;
}

function unsecret(value: any): any {
    return value !== null && typeof value === "object" && SECRET_SIG in value ? value.value : value;
}

/** Declares a self-managed MySQL database's integrations and returns, per integration, its user and grants. */
async function declare(integrations: { name: string; schemas: string[]; tables?: string[] }[]): Promise<Record<string, Declared>> {
    cloud.reset();
    new components.DatabaseIntegrations("shop", {
        engine: DatabaseEngine.Mysql,
        endpointHostname: "shop.db.example.com",
        endpointPort: 3306,
        databasePort: 3306,
        adminSecretArn: ADMIN_ARN,
        adminSslRootCert: ADMIN_CA,
        integrations: integrations.map((i) => ({ ...i, access: IntegrationAccess.Read })),
    });
    await settle();
    assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    const declared: Record<string, Declared> = {};
    for (const i of integrations) {
        const user = cloud.named(`shop-${i.name}-user`).inputs;
        const grants = cloud
            .ofType("mysql:index/grant:Grant")
            .filter((g) => g.name.startsWith(`shop-${i.name}-`))
            .map((g) => {
                const x = g.inputs;
                return { user: x.user, host: x.host, database: x.database, table: x.table, privileges: x.privileges, grant: x.grant, tlsOption: x.tlsOption };
            });
        const secret = JSON.parse(unsecret(cloud.named(`shop-${i.name}-credentials-value`).inputs.secretString));
        declared[i.name] = { user: user.user, password: unsecret(user.plaintextPassword), grants, dbname: secret.dbname };
    }
    return declared;
}

describe("the grants DatabaseIntegrations declares for MySQL", () => {
    const setTrustEnv = isolateTrustEnv();

    it("give the provider the escaped name for a schema and the literal one for a table; the connection URL keeps the name", async () => {
        setTrustEnv({ SSL_CERT_DIR: "/etc/ssl/certs:/opt/db-endpoints-ca" });
        const declared = await declare([
            { name: "reporting", schemas: ["app_db"] },
            { name: "exporter", schemas: ["app_db"], tables: ["t"] },
        ]);
        const common = { host: "%", privileges: ["SELECT"], grant: false, tlsOption: "SSL" };
        assert.deepEqual(declared.reporting.grants, [{ ...common, user: "reporting", database: "app\\_db", table: "*" }]);
        assert.deepEqual(declared.exporter.grants, [{ ...common, user: "exporter", database: "app_db", table: "t" }]);
        assert.equal(declared.reporting.dbname, "app_db");
        assert.equal(declared.exporter.dbname, "app_db");
    });
});

describe("on a live MariaDB server, the grants the program declares", { skip: skipUnlessCi(mariadbUnavailable()) }, () => {
    const setTrustEnv = isolateTrustEnv();
    let server: MariaDb;
    let declared: Record<string, Declared>;

    before(async () => {
        requireInstalled(mariadbUnavailable());
        server = await startMariaDb();
        server.sql(
            "CREATE DATABASE app_db; CREATE DATABASE appXdb; " +
                "CREATE TABLE app_db.t (v VARCHAR(16)); INSERT INTO app_db.t VALUES ('granted'); " +
                "CREATE TABLE appXdb.t (v VARCHAR(16)); INSERT INTO appXdb.t VALUES ('not granted');",
        );
    });
    after(async () => {
        await server?.stop();
    });

    /**
     * Creates the integration's user and applies its grants as the provider would. CREATE USER leaves out the
     * provider's `REQUIRE SSL` (this server has no certificate; the clause does not bear on which databases a
     * grant reaches), and GRANT takes the MySQL 8 form, which has no REQUIRE clause either.
     */
    function apply(d: Declared): void {
        server.sql([createUserStatement(d.user, "%", d.password), ...d.grants.map((g) => grantStatement(g, { mysql8OrLater: true }))].join("; "));
    }

    function read(d: Declared, statement: string) {
        return server.query(d.user, d.password, statement);
    }

    const denied = (user: string, table: string) => `ERROR 1142 (42000) at line 1: SELECT command denied to user '${user}'@'127.0.0.1' for table ${table}`;

    it("let an integration read its schema, and neither a schema whose name the pattern would match nor the mysql schema", async () => {
        setTrustEnv({ SSL_CERT_DIR: "/etc/ssl/certs:/opt/db-endpoints-ca" });
        declared = await declare([
            { name: "reporting", schemas: ["app_db"] },
            { name: "prober", schemas: ["_____"] },
            { name: "exporter", schemas: ["app_db"], tables: ["t"] },
        ]);
        for (const d of Object.values(declared)) apply(d);

        const { reporting, prober, exporter } = declared;
        assert.deepEqual(
            {
                "reporting app_db.t": read(reporting, "SELECT v FROM app_db.t"),
                "reporting appXdb.t": read(reporting, "SELECT v FROM appXdb.t"),
                "reporting mysql.user": read(reporting, "SELECT COUNT(*) FROM mysql.user"),
                // `_____` is five characters, like `mysql`: as a pattern it reaches every account's password hash.
                "prober mysql.user": read(prober, "SELECT COUNT(*) FROM mysql.user"),
                "prober mysql.global_priv": read(prober, "SELECT COUNT(*) FROM mysql.global_priv"),
                "prober app_db.t": read(prober, "SELECT v FROM app_db.t"),
                // A table-level grant names its database literally: app_db.t, not appXdb.t.
                "exporter app_db.t": read(exporter, "SELECT v FROM app_db.t"),
                "exporter appXdb.t": read(exporter, "SELECT v FROM appXdb.t"),
            },
            {
                "reporting app_db.t": { ok: true, stdout: "granted\n", stderr: "" },
                "reporting appXdb.t": { ok: false, stdout: "", stderr: denied("reporting", "`appXdb`.`t`") },
                "reporting mysql.user": { ok: false, stdout: "", stderr: denied("reporting", "`mysql`.`user`") },
                "prober mysql.user": { ok: false, stdout: "", stderr: denied("prober", "`mysql`.`user`") },
                "prober mysql.global_priv": { ok: false, stdout: "", stderr: denied("prober", "`mysql`.`global_priv`") },
                "prober app_db.t": { ok: false, stdout: "", stderr: denied("prober", "`app_db`.`t`") },
                "exporter app_db.t": { ok: true, stdout: "granted\n", stderr: "" },
                "exporter appXdb.t": { ok: false, stdout: "", stderr: denied("exporter", "`appXdb`.`t`") },
            },
        );
    });

    it("are shown by SHOW GRANTS with the database name exactly as the provider was given it, so a read-back finds no difference", () => {
        assert.equal(
            server.sql("SHOW GRANTS FOR 'reporting'@'%'").split("\n").filter((line) => line.startsWith("GRANT SELECT")).join("\n"),
            "GRANT SELECT ON `app\\_db`.* TO `reporting`@`%`",
        );
        assert.equal(server.sql("SELECT Db FROM mysql.db WHERE User = 'reporting'"), declared.reporting.grants[0].database);
        assert.equal(
            server.sql("SHOW GRANTS FOR 'exporter'@'%'").split("\n").filter((line) => line.startsWith("GRANT SELECT")).join("\n"),
            "GRANT SELECT ON `app_db`.`t` TO `exporter`@`%`",
        );
    });

    it("replace an unescaped grant from an earlier deployment without a moment in which the integration cannot read its schema", () => {
        // An earlier version of the program gave the provider the name as written. The new `database` input
        // replaces the grant: the engine creates the new one first, then deletes the old one.
        const user = { ...declared.reporting, user: "legacy", grants: declared.reporting.grants.map((g) => ({ ...g, user: "legacy" })) };
        const before = user.grants.map((g) => ({ ...g, database: "app_db" }));
        server.sql([createUserStatement(user.user, "%", user.password), ...before.map((g) => grantStatement(g, { mysql8OrLater: true }))].join("; "));
        assert.equal(read(user, "SELECT v FROM appXdb.t").stdout, "not granted\n", "the unescaped grant reaches appXdb");

        server.sql(user.grants.map((g) => grantStatement(g, { mysql8OrLater: true })).join("; "));
        assert.equal(read(user, "SELECT v FROM app_db.t").stdout, "granted\n");
        server.sql(before.flatMap(revokeStatements).join("; "));

        assert.deepEqual(read(user, "SELECT v FROM app_db.t"), { ok: true, stdout: "granted\n", stderr: "" });
        assert.deepEqual(read(user, "SELECT v FROM appXdb.t"), { ok: false, stdout: "", stderr: denied("legacy", "`appXdb`.`t`") });
        assert.equal(server.sql("SELECT Db FROM mysql.db WHERE User = 'legacy'"), "app\\_db");
    });
});
