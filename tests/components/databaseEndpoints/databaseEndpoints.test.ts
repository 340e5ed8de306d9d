/**
 * What the product's integrations wait for (infra/components/databaseEndpoints/databaseEndpoints.ts), under the
 * mock runtime: each DatabaseIntegrations component waits for what a connection through its own endpoint needs (the
 * listener, the allowlist rules, the rules to the database; not the hostname's records, flow logs or saved query),
 * its own database's certificate (self-managed) and, for an RDS endpoint with target sync, the function's
 * deploy-time run that registers its target; with a direct admin connection, nothing of the endpoint; never another
 * endpoint, another database's certificate, or the rest of the upkeep function. The engine deletes in the reverse
 * order, so the users are dropped while the path to the database still exists.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { exampleWorld, FakeWorld, installMockCloud, MockCloud, Registered, settle } from "../../../testing/mockCloud";
import { runStackProgram } from "../../../testing/stackProgram";

let cloud: MockCloud;

before(() => {
    cloud = installMockCloud();
});

const RDS_ADMIN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf";
const CRM_ADMIN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:crm/admin-ZxCvBn";
const ERP_ADMIN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:erp/admin-QwErTy";

function world(): FakeWorld {
    const w = exampleWorld();
    w.secrets = {
        ...w.secrets,
        [CRM_ADMIN]: { secretString: JSON.stringify({ username: "dba", password: "crm-password" }) },
        [ERP_ADMIN]: { secretString: JSON.stringify({ username: "dba", password: "erp-password" }) },
    };
    return w;
}

const integration = (name: string) => [{ name, access: "read", schemas: ["public"] }];

/**
 * An RDS endpoint and two self-managed databases (each restarted by SSM, so each certificate has a restart hook),
 * each with an integration, one of them with a hostname and the other with a direct admin connection; one more RDS
 * endpoint without integrations. Target sync is on (the default).
 */
const config = {
    vpcId: "vpc-0a1b2c3d4e5f60718",
    publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
    endpoints: [
        {
            name: "reporting",
            database: { rdsInstanceIdentifier: "prod-postgres", adminSecretArn: RDS_ADMIN, adminSslRootCert: "global-bundle.pem" },
            allowedCidrs: ["203.0.113.0/24"],
            integrations: integration("metabase"),
        },
        { name: "archive", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"], port: 5433 },
        {
            name: "crm",
            database: {
                addresses: ["10.0.3.17"],
                port: 5432,
                engine: "postgres",
                dbName: "crm",
                adminSecretArn: CRM_ADMIN,
                instanceIds: ["i-0a1b2c3d4e5f60718"],
                securityGroupId: "sg-0123456789abcdef0",
            },
            allowedCidrs: ["198.51.100.7/32", "198.51.100.8/32"],
            hostname: "crm.db.example.com",
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
            integrations: integration("census"),
        },
        {
            name: "erp",
            database: {
                addresses: ["10.0.3.18"],
                port: 5432,
                engine: "postgres",
                dbName: "erp",
                adminSecretArn: ERP_ADMIN,
                instanceIds: ["i-0b1b2c3d4e5f60718"],
                adminConnection: "direct",
            },
            allowedCidrs: ["198.51.100.7/32"],
            integrations: integration("hightouch"),
        },
    ],
};

/** The names of the custom resources under the component of this type and name, at any depth. */
function customResourcesUnder(type: string, name: string): string[] {
    const root = cloud.registered.find((r) => r.type === type && r.name === name)!;
    // The URN as the mock monitor makes it: the parent's own type before the resource's (pulumi/pulumi runtime/mocks.ts).
    const urnOf = (r: Registered) => `urn:pulumi:dev::db-endpoints::${r.parent ? `${r.parent.split("::")[2].split("$").pop()}$` : ""}${r.type}::${r.name}`;
    const below = new Set([urnOf(root)]);
    const found: string[] = [];
    for (const r of cloud.registered) {
        if (!below.has(r.parent)) continue;
        below.add(urnOf(r));
        if (r.custom) found.push(r.name);
    }
    return found.sort();
}

const dependencyNames = (r: Registered) => r.dependencies.map((u) => u.split("::").pop()!).sort();

describe("what each integration waits for", () => {
    const integrations: Record<string, string[]> = {};
    before(async () => {
        cloud.reset(world());
        runStackProgram(cloud, config);
        await settle();
        assert.deepEqual(
            cloud.asyncErrors.map((e) => e.message),
            [],
        );
        for (const r of cloud.ofType("db-endpoints:index:DatabaseIntegrations")) integrations[r.name] = dependencyNames(r);
    });

    it("an RDS endpoint's: its listener, allowlist rule and rules to the database, and the function's run that registers its target", () => {
        assert.deepEqual(integrations.reporting, ["reporting-allow-203.0.113.0_24", "reporting-database-from-nlb", "reporting-listener", "reporting-to-database", "upkeep-deploy-sync"]);
        // The endpoint has more, which a connection does not need.
        const rest = customResourcesUnder("db-endpoints:index:DatabaseEndpoint", "reporting").filter((r) => !integrations.reporting.includes(r));
        assert.deepEqual(rest, [
            "reporting-flow-log-subnet-0aa11bb22cc33dd44",
            "reporting-flow-log-subnet-0ee55ff66aa77bb88",
            "reporting-flow-logs",
            "reporting-flow-logs-policy",
            "reporting-flow-logs-role",
            "reporting-nlb",
            "reporting-sg-1",
            "reporting-tg",
            "reporting-who-connected",
        ]);
    });

    it("a self-managed database's through its endpoint: the path through it and its own certificate, not the hostname's records", () => {
        const certificate = customResourcesUnder("db-endpoints:index:DatabaseCertificate", "db-10.0.3.17-5432");
        assert.ok(certificate.length > 0);
        assert.deepEqual(
            integrations.crm,
            ["crm-allow-198.51.100.7_32", "crm-allow-198.51.100.8_32", "crm-database-from-nlb", "crm-listener", "crm-to-database", ...certificate].sort(),
        );
        assert.ok(customResourcesUnder("db-endpoints:index:DatabaseEndpoint", "crm").includes("crm-dns-a"));
        // The listener waits for the targets the program registers.
        assert.deepEqual(dependencyNames(cloud.named("crm-listener")), ["crm-nlb", "crm-target-10.0.3.17", "crm-tg"]);
    });

    it("a direct admin connection: nothing of the endpoint, only its database's certificate", () => {
        assert.deepEqual(integrations.erp, customResourcesUnder("db-endpoints:index:DatabaseCertificate", "db-10.0.3.18-5432"));
    });

    it("never another endpoint's resources, another database's certificate, or the function", () => {
        const own: Record<string, string[]> = { reporting: ["reporting-", "upkeep-deploy-sync"], crm: ["crm-", "db-10.0.3.17-5432"], erp: ["erp-", "db-10.0.3.18-5432"] };
        for (const [endpoint, dependencies] of Object.entries(integrations)) {
            const foreign = dependencies.filter((d) => !own[endpoint].some((prefix) => d.startsWith(prefix)));
            assert.deepEqual(foreign, [], endpoint);
        }
        assert.deepEqual(Object.keys(integrations).sort(), ["crm", "erp", "reporting"]);
    });
});

describe("what an integration on a shared load balancer waits for", () => {
    it("its listener and allowlist rule, and the shared load balancer's rules to its databases, the RDS instance's included", async () => {
        cloud.reset(world());
        runStackProgram(cloud, {
            vpcId: "vpc-0a1b2c3d4e5f60718",
            publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
            endpoints: [
                {
                    name: "crm",
                    loadBalancer: "shared",
                    port: 5432,
                    database: { addresses: ["10.0.3.17"], port: 5432, engine: "postgres", dbName: "crm", adminSecretArn: CRM_ADMIN, securityGroupId: "sg-0123456789abcdef0" },
                    allowedCidrs: ["198.51.100.7/32"],
                    integrations: integration("census"),
                },
                { name: "reporting", loadBalancer: "shared", port: 5433, database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] },
            ],
        });
        await settle();
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
        const [crm] = cloud.ofType("db-endpoints:index:DatabaseIntegrations");
        const certificate = customResourcesUnder("db-endpoints:index:DatabaseCertificate", "db-10.0.3.17-5432");
        // The rules to the RDS instance's security group are declared once its lookup returns: the integration still
        // waits for them, so that on destroy they outlive the users dropped through the load balancer.
        assert.deepEqual(
            dependencyNames(crm),
            [
                "crm-allow-198.51.100.7_32",
                "crm-listener",
                "shared-from-nlb-into-sg-0123456789abcdef0-5432",
                "shared-from-nlb-into-sg-0db0000000000000a-5432",
                "shared-to-sg-0123456789abcdef0-5432",
                "shared-to-sg-0db0000000000000a-5432",
                ...certificate,
            ].sort(),
        );
    });
});
