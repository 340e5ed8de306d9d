/**
 * The stack program and the `DatabaseEndpoints` component build the same thing: for the example stack and for
 * configs covering each feature, the resources `pulumi up` registers from the stack config are exactly those a
 * program declaring the component with the same settings (typed, with the SDK's enums, under the args' names
 * where the stack config's differ) registers. Every other config a test runs is checked the same way after that
 * test file's tests, by testing/stackProgram.ts (tests/architecture.test.ts keeps them running through it).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseEndpointsArgs } from "../../infra/components/databaseEndpoints/args";
import { AdminConnection, DatabaseEngine, IntegrationAccess, IpAddressType, RdsRestartPolicy } from "../../infra/enums";
import { exampleWorld, FakeWorld, installMockCloud, MockCloud, settle } from "../../testing/mockCloud";
import { argsFromStack, checkRun, schemaProblems, storedConfig } from "../../testing/stackProgram";
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
// The RDS-managed master secret of prod-postgres in the example world (testing/mockCloud.ts).
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf";

/** What was registered, with everything the engine receives for each resource. */
async function registrations(declare: () => void, world: FakeWorld = exampleWorld()) {
    cloud.reset(world);
    declare();
    await settle();
    // In the order of their names: resources that wait for a lookup register in the order the lookups return.
    return cloud.registered
        .map((r) => ({ ...r, dependencies: [...r.dependencies].sort() }))
        .sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`));
}

/** The example world with a customer-managed prefix list a vendor's team keeps. */
function worldWithPrefixList(): FakeWorld {
    return { ...exampleWorld(), prefixLists: { "pl-0123456789abcdef0": { maxEntries: 10, addressFamily: "IPv4", entries: ["192.0.2.0/28"] } } };
}

/**
 * Each config as a stack holds it (JSON text per key; `config` where the stack config's form differs from the
 * args'), and the same settings as a typed program writes them.
 */
const CASES: { name: string; config?: Record<string, unknown>; args: DatabaseEndpointsArgs; world?: () => FakeWorld }[] = [
    {
        name: "an allowlist mixing CIDRs, expiring entries with notes and a prefix list (one list in the stack config, two in the args), alarms to a topic, audit retention",
        world: worldWithPrefixList,
        config: {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            alarms: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012:oncall", certificateExpiryDays: 45 },
            allowlistExpiryWarningDays: 30,
            connectionAuditRetentionDays: 30,
            endpoints: [
                {
                    name: "vendor",
                    database: { addresses: ["10.0.3.17"], port: 5432, engine: "postgres" },
                    allowedCidrs: [
                        "203.0.113.0/24",
                        { cidr: "198.51.100.7", expires: "2031-01-01", note: "trial TICKET-42" },
                        { prefixList: "pl-0123456789abcdef0", note: "vendor egress" },
                    ],
                    connectionAuditRetentionDays: 90,
                },
            ],
        },
        args: {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            alarms: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012:oncall", certificateExpiryDays: 45 },
            allowlistExpiryWarningDays: 30,
            connectionAuditRetentionDays: 30,
            endpoints: [
                {
                    name: "vendor",
                    database: { addresses: ["10.0.3.17"], port: 5432, engine: DatabaseEngine.Postgres },
                    allowedCidrs: ["203.0.113.0/24"],
                    allowlist: [
                        { cidr: "198.51.100.7", expires: "2031-01-01", note: "trial TICKET-42" },
                        { prefixList: "pl-0123456789abcdef0", note: "vendor egress" },
                    ],
                    connectionAuditRetentionDays: 90,
                },
            ],
        },
    },
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
            pulumi.runtime.setAllConfig(storedConfig(c.config ?? (c.args as unknown as Record<string, unknown>)));
            const world = c.world ?? exampleWorld;
            const fromConfig = await registrations(() => program.main(config.readRawStackConfig()), world());
            const fromComponent = await registrations(() => new components.DatabaseEndpoints("db-endpoints", c.args), world());
            assert.ok(fromConfig.length > 10, `${fromConfig.length} registrations`);
            assert.deepEqual(cloud.asyncErrors, []);
            assert.deepEqual(fromComponent, fromConfig);
        });
    }
});

describe("every config a test runs (testing/stackProgram.ts, after each test file)", () => {
    it("decodes, stored as a stack holds it, into the args a typed program writes, which the schema accepts", () => {
        const mixed = CASES[0];
        assert.deepEqual(argsFromStack(mixed.config!), JSON.parse(JSON.stringify(mixed.args)));
        assert.deepEqual(schemaProblems(config.decodeStackConfig(mixed.config!).args), []);
        checkRun(mixed.config!);
    });

    it("refuses args a program in another language could not pass: unknown properties, wrong types, enum values, required inputs", () => {
        assert.deepEqual(
            schemaProblems({
                publicSubnetIds: "subnet-0aa11bb22cc33dd44",
                endpoints: [
                    {
                        name: "a",
                        database: { rdsInstanceIdentifier: "prod-postgres", restart: "sometimes" },
                        allowedCidrs: ["203.0.113.0/24", { cidr: "198.51.100.7" }],
                        port: "5432",
                        vip: true,
                    },
                ],
                tags: { team: 7 },
            }),
            [
                "vpcId: is required by DatabaseEndpoints",
                'publicSubnetIds: "subnet-0aa11bb22cc33dd44" is not a list',
                'endpoints[0].database.restart: "sometimes" is not a value of db-endpoints:index:RdsRestartPolicy',
                'endpoints[0].allowedCidrs[1]: {"cidr":"198.51.100.7"} is not a string',
                'endpoints[0].port: "5432" is not a number',
                "endpoints[0].vip: db-endpoints:index:EndpointSettings has no property vip",
                "tags.team: 7 is not a string",
            ],
        );
    });
});
