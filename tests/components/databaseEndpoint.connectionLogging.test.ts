/**
 * The database side of the connection audit under the mock runtime (infra/components/databaseEndpoint/
 * connectionLogging.ts): an RDS endpoint reads whether its instance records who logs in from the instance's
 * parameter group (PostgreSQL) or option groups (MySQL and MariaDB), outputs it, and warns when it does not or
 * when the setting cannot be read; nothing is read for a self-managed database or with the audit off.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { DescribeDBParametersCommand, DescribeOptionGroupsCommand } from "@aws-sdk/client-rds";
import { endpointArgs } from "../../testing/endpointArgs";
import { exampleWorld, FakeWorld, installMockCloud, MockCloud, settle, unwrap } from "../../testing/mockCloud";
import { interceptWarnings } from "../../testing/warnings";

let cloud: MockCloud;
let components: typeof import("../../infra/components/databaseEndpoint");

const warnings: string[] = [];
interceptWarnings((message: string) => {
    if (/logs in/.test(message)) warnings.push(message);
});

before(async () => {
    cloud = installMockCloud();
    components = await import("../../infra/components/databaseEndpoint");
});

/** The example world with `prod-postgres` changed by `instance` and the parameter and option groups given. */
function world(instance: Record<string, unknown>, groups: Pick<FakeWorld, "parameterGroups" | "optionGroups">): FakeWorld {
    const w = exampleWorld();
    w.instances["prod-postgres"] = { ...w.instances["prod-postgres"], ...instance };
    return { ...w, ...groups };
}

async function logging(w: FakeWorld, extra: Parameters<typeof endpointArgs>[0] = {}) {
    warnings.length = 0;
    cloud.reset(w);
    const e = new components.DatabaseEndpoint("audited", endpointArgs(extra));
    const state = await unwrap(e.databaseConnectionLogging);
    await settle();
    return { state, warnings: [...warnings] };
}

describe("an RDS PostgreSQL instance", () => {
    it("whose parameter group has log_connections on: on, no warning, one parameter group read", async () => {
        assert.deepEqual(await logging(exampleWorld()), { state: "on", warnings: [] });
        assert.deepEqual(
            cloud.rds.commandCalls(DescribeDBParametersCommand).map((c) => c.args[0].input.DBParameterGroupName),
            ["prod-postgres15"],
        );
        assert.equal(cloud.rds.commandCalls(DescribeOptionGroupsCommand).length, 0);
    });

    it("on a default parameter group (log_connections at the engine default): off, with what to set and where", async () => {
        const w = world({ dbParameterGroups: ["default.postgres16"] }, { parameterGroups: { "default.postgres16": { log_connections: undefined } } });
        assert.deepEqual(await logging(w), {
            state: "off",
            warnings: [
                "the database does not record who logs in (log_connections=(engine default, off) in parameter group default.postgres16): " +
                    "the connection audit's flow logs show which addresses connected, not which users; to record them, set log_connections " +
                    "(and log_disconnections) to 1 in a custom DB parameter group of the instance: dynamic, no restart (attaching a custom " +
                    "group to an instance on a default one needs a reboot) (docs/connection-audit.md#the-database-side)",
            ],
        });
    });

    it("when the parameter group cannot be read: unknown, saying why, and the deployment goes on", async () => {
        const w = world({ dbParameterGroups: ["gone"] }, { parameterGroups: {} });
        assert.deepEqual(await logging(w), {
            state: "unknown",
            warnings: [
                "whether the database records who logs in is unknown: could not read the instance's parameter group: " +
                    "DBParameterGroupNotFound: DBParameterGroup gone not found (docs/connection-audit.md#the-database-side)",
            ],
        });
        assert.equal(cloud.ofType("aws:lb/listener:Listener").length, 1);
    });
});

describe("an RDS MySQL or MariaDB instance", () => {
    const mysql = { engine: "mariadb", port: 3306, optionGroupMemberships: ["audit-mariadb"] };

    it("with the audit plugin logging CONNECT events in its option group: on, no parameter group read", async () => {
        const w = world(mysql, { optionGroups: { "audit-mariadb": { MARIADB_AUDIT_PLUGIN: { SERVER_AUDIT_EVENTS: "CONNECT" } } } });
        assert.deepEqual(await logging(w), { state: "on", warnings: [] });
        assert.deepEqual(
            cloud.rds.commandCalls(DescribeOptionGroupsCommand).map((c) => c.args[0].input.OptionGroupName),
            ["audit-mariadb"],
        );
        assert.equal(cloud.rds.commandCalls(DescribeDBParametersCommand).length, 0);
    });

    it("without the plugin: off, with the option to add", async () => {
        const w = world({ ...mysql, optionGroupMemberships: ["default:mariadb-10-11"] }, { optionGroups: { "default:mariadb-10-11": {} } });
        assert.deepEqual(await logging(w), {
            state: "off",
            warnings: [
                "the database does not record who logs in (no MARIADB_AUDIT_PLUGIN option in option group default:mariadb-10-11): " +
                    "the connection audit's flow logs show which addresses connected, not which users; to record them, add " +
                    "MARIADB_AUDIT_PLUGIN with SERVER_AUDIT_EVENTS=CONNECT to a custom option group of the instance (docs/connection-audit.md#the-database-side)",
            ],
        });
    });
});

describe("nothing is read", () => {
    it("with the connection audit off", async () => {
        assert.deepEqual(await logging(exampleWorld(), { connectionAudit: false }), { state: undefined, warnings: [] });
        assert.equal(cloud.rds.commandCalls(DescribeDBParametersCommand).length, 0);
    });

    it("for a self-managed database, whose settings the program cannot read", async () => {
        assert.deepEqual(await logging(exampleWorld(), { database: { addresses: ["10.0.3.17"], port: 5432 } }), { state: undefined, warnings: [] });
        assert.equal(cloud.rds.commandCalls(DescribeDBParametersCommand).length + cloud.rds.commandCalls(DescribeOptionGroupsCommand).length, 0);
    });
});
