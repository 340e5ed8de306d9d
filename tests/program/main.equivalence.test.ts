/**
 * The stack program and the `DatabaseEndpoints` component build the same thing: for the example stack and for
 * configs covering each feature, the resources `pulumi up` registers from the stack config are exactly those a
 * program declaring the component with the same settings (typed, with the SDK's enums) registers.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpointsArgs } from "../../infra/components/databaseEndpoints/args";
import { AdminConnection, DatabaseEngine, IntegrationAccess, IpAddressType, RdsRestartPolicy } from "../../infra/enums";
import { exampleWorld, installMockCloud, MockCloud, settle } from "../../testing/mockCloud";
import { readStackFile } from "../../testing/stackFile";

let cloud: MockCloud;
let program: typeof import("../../infra/program/main");
let config: typeof import("../../infra/program/config");
let components: typeof import("../../infra/components/databaseEndpoints/databaseEndpoints");

before(async () => {
    cloud = installMockCloud();
    program = await import("../../infra/program/main");
    config = await import("../../infra/program/config");
    components = await import("../../infra/components/databaseEndpoints/databaseEndpoints");
});

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-AbCdEf";

/** What was registered, with everything the engine receives for each resource. */
async function registrations(declare: () => void) {
    cloud.reset(exampleWorld());
    declare();
    await settle();
    // In the order of their names: resources that wait for a lookup register in the order the lookups return.
    return cloud.registered
        .map((r) => ({ ...r, dependencies: [...r.dependencies].sort() }))
        .sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`));
}

/** Each config as a stack holds it (JSON text per key), and the same settings as a typed program writes them. */
const CASES: { name: string; args: DatabaseEndpointsArgs }[] = [
    {
        name: "RDS with integrations, dualstack, target sync off",
        args: {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            targetSync: false,
            tags: { team: "data" },
            endpoints: [
                {
                    name: "reporting",
                    database: {
                        rdsInstanceIdentifier: "prod-postgres",
                        restart: RdsRestartPolicy.Always,
                        adminSecretArn: SECRET,
                        adminConnection: AdminConnection.Direct,
                        adminSslRootCert: "global-bundle.pem",
                    },
                    allowedCidrs: ["203.0.113.0/24", "2001:db8::/48"],
                    ipAddressType: IpAddressType.Dualstack,
                    integrations: [{ name: "metabase", access: IntegrationAccess.Read, schemas: ["public"], tables: ["orders"] }],
                },
            ],
        },
    },
    {
        name: "two endpoints on one self-managed database, Elastic IPs, a second CA generation",
        args: {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            certificateAuthority: { generations: [1, 2], issuer: 2 },
            quotas: { elasticIpsPerRegion: 10 },
            endpoints: [
                {
                    name: "legacy",
                    database: { addresses: ["10.0.3.17"], port: 5432, engine: DatabaseEngine.Postgres, instanceIds: ["i-0a1b2c3d4e5f60718"] },
                    allowedCidrs: ["198.51.100.7"],
                    elasticIps: true,
                    hostname: "legacy.db.example.com",
                    hostedZoneId: "Z0123456789ABCDEFGHIJ",
                },
                { name: "legacy-public", database: { addresses: ["10.0.3.17"], port: 5432 }, allowPublicInternet: true, idleTimeoutSeconds: 120 },
            ],
        },
    },
    {
        name: "a shared load balancer with Elastic IPs for RDS and self-managed endpoints, beside an endpoint on its own",
        args: {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            tags: { team: "data" },
            endpoints: [
                {
                    name: "reporting",
                    loadBalancer: "shared",
                    database: { rdsInstanceIdentifier: "prod-postgres" },
                    allowedCidrs: ["203.0.113.0/24", "2001:db8::/48"],
                    elasticIps: true,
                    deletionProtection: false,
                },
                {
                    name: "orders",
                    loadBalancer: "shared",
                    port: 5433,
                    database: { addresses: ["10.0.3.17"], port: 5432, securityGroupId: "sg-0123456789abcdef0" },
                    allowedCidrs: ["198.51.100.7"],
                    ipAddressType: IpAddressType.Dualstack,
                    elasticIps: true,
                    deletionProtection: false,
                    hostname: "orders.db.example.com",
                    hostedZoneId: "Z0123456789ABCDEFGHIJ",
                },
                { name: "legacy", database: { addresses: ["10.0.3.18"], port: 3306 }, allowedCidrs: ["198.51.100.8"] },
            ],
        },
    },
];

describe("the stack program and the DatabaseEndpoints component", () => {
    it("register the same resources for the example stack (Pulumi.dev.yaml)", async () => {
        const file = readStackFile("dev");
        pulumi.runtime.setAllConfig(file.config);
        const fromConfig = await registrations(() => program.main(config.readRawStackConfig()));
        const { args } = config.decodeStackConfig(config.readRawStackConfig());
        const fromComponent = await registrations(() => new components.DatabaseEndpoints("db-endpoints", args));
        assert.ok(fromConfig.length > 50, `${fromConfig.length} registrations`);
        assert.deepEqual(fromComponent, fromConfig);
    });

    for (const c of CASES) {
        it(`register the same resources: ${c.name}`, async () => {
            // The stack stores each key's value as JSON text; the program reads it back.
            const stored = Object.fromEntries(Object.entries(c.args).map(([k, v]) => [`db-endpoints:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
            pulumi.runtime.setAllConfig(stored);
            const fromConfig = await registrations(() => program.main(config.readRawStackConfig()));
            const fromComponent = await registrations(() => new components.DatabaseEndpoints("db-endpoints", c.args));
            assert.ok(fromConfig.length > 10, `${fromConfig.length} registrations`);
            assert.deepEqual(fromComponent, fromConfig);
        });
    }
});
