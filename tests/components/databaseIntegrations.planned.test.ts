/**
 * What the offline plan says a DatabaseIntegrations component will declare once the engine is known
 * (infra/components/databaseIntegrations/planned.ts) against what it declares under the mock runtime, where the
 * fake AWS account answers the RDS lookup: the same types and names, PostgreSQL and MySQL, with tables, whole
 * schemas, sequences and object owners.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { plannedIntegrationResources } from "../../infra/components/databaseIntegrations/planned";
import { DatabaseEngine } from "../../infra/enums";
import { ownersOf } from "../../infra/integrations/grants";
import { parseStackConfig } from "../../infra/program/config";
import { exampleWorld, installMockCloud, MockCloud, settle } from "../../testing/mockCloud";
import { isolateTmpdir } from "../../testing/tmpdir";
import { interceptWarnings } from "../../testing/warnings";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;

isolateTmpdir("db-endpoints-planned-");
interceptWarnings(async () => {});

before(async () => {
    cloud = installMockCloud();
});

const PG_ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf";
const SELF_MANAGED_ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/admin-ZxCvBn";

function world() {
    const w = exampleWorld();
    w.secrets = { ...w.secrets, [SELF_MANAGED_ADMIN_ARN]: { secretString: JSON.stringify({ username: "dba", password: "dba-password" }) } };
    return w;
}

/** The types and names registered under the DatabaseIntegrations component `name`, sorted. */
function registeredUnder(name: string): string[] {
    const parent = `db-endpoints:index:DatabaseIntegrations::${name}`;
    return cloud.registered
        .filter((r) => r.parent.endsWith(parent))
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

async function compare(raw: Record<string, unknown>, component: string, engine: DatabaseEngine): Promise<void> {
    await settle();
    cloud.reset(world());
    runStackProgram(cloud, raw);
    await settle();
    assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    const { spec } = parseStackConfig(raw);
    const e = spec.endpoints.find((x) => x.name === component)!;
    const planned = plannedIntegrationResources(component, engine, e.integrations!, ownersOf(e.database.objectOwners));
    const registered = registeredUnder(component);
    assert.ok(registered.length > 5, registered.join("\n"));
    assert.deepEqual(planned.map((p) => `${p.type} ${p.name}`).sort(), registered);
}

const base = { vpcId: "vpc-0a1b2c3d4e5f60718", publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"], targetSync: false };

describe("the resources planned for an integration component once its engine is known", () => {
    it("RDS PostgreSQL (engine read from the instance): read with tables, write on whole schemas, write with sequences", async () => {
        await compare(
            {
                ...base,
                endpoints: [
                    {
                        name: "reporting",
                        database: { rdsInstanceIdentifier: "prod-postgres", adminSecretArn: PG_ADMIN_ARN, adminSslRootCert: "global-bundle.pem" },
                        allowedCidrs: ["203.0.113.0/24"],
                        integrations: [
                            { name: "metabase", access: "read", schemas: ["public"], tables: ["orders", "customers"] },
                            { name: "etl", access: "write", schemas: ["public", "staging"] },
                            { name: "loader", access: "write", schemas: ["public"], tables: ["events"], sequences: ["events_id_seq"] },
                        ],
                    },
                ],
            },
            "reporting",
            DatabaseEngine.Postgres,
        );
    });

    it("self-managed PostgreSQL with object owners", async () => {
        await compare(
            {
                ...base,
                endpoints: [
                    {
                        name: "crm",
                        database: { addresses: ["10.0.3.17"], port: 5432, engine: "postgres", dbName: "crm", adminSecretArn: SELF_MANAGED_ADMIN_ARN, objectOwners: ["app_owner", "migrator"] },
                        allowedCidrs: ["198.51.100.7/32"],
                        integrations: [{ name: "census", access: "write", schemas: ["public", "sales"] }],
                    },
                ],
            },
            "crm",
            DatabaseEngine.Postgres,
        );
    });

    it("self-managed MySQL: database-wide and per-table grants", async () => {
        await compare(
            {
                ...base,
                endpoints: [
                    {
                        name: "legacy",
                        database: { addresses: ["10.0.3.17"], port: 3306, engine: "mysql", adminSecretArn: SELF_MANAGED_ADMIN_ARN },
                        allowedCidrs: ["198.51.100.7/32"],
                        hostname: "legacy.db.example.com",
                        integrations: [
                            { name: "looker", access: "read", schemas: ["shop", "catalog"] },
                            { name: "sync", access: "write", schemas: ["shop"], tables: ["orders", "order_items"] },
                        ],
                    },
                ],
            },
            "legacy",
            DatabaseEngine.Mysql,
        );
    });
});
