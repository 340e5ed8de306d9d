/**
 * Integrations on the first deployment of an endpoint, under the mock runtime (`pulumi up`): the admin
 * connection goes to the load balancer's own DNS name, which resolves as soon as the load balancer exists
 * (a custom `hostname` may have no record yet, or one the deployer's resolver has not seen), and which a
 * self-managed database's certificate names, so verification stays full; and no user is declared before
 * ELBv2 reports a healthy target in the endpoint's target group (tests/targetHealth.test.ts
 * has the wait itself). The connection URLs integrations get still use the endpoint hostname.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { TargetGroupNotFoundException } from "@aws-sdk/client-elastic-load-balancing-v2";
import * as pulumi from "@pulumi/pulumi";
import {
    exampleWorld,
    FakeWorld,
    installMockCloud,
    MockCloud,
    mockLoadBalancerDnsName,
    mockTargetGroupArn,
    settle,
    unwrap,
} from "../../testing/mockCloud";

import { inputPropertyErrors } from "../../testing/refusals";
import { isolateTmpdir } from "../../testing/tmpdir";
import { interceptWarnings } from "../../testing/warnings";
import { AdminConnection, DatabaseEngine, IntegrationAccess } from "../../infra/enums";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let components: typeof import("../../infra/components/databaseIntegrations");

/** Messages pulumi.log.warn was given, with the name of the resource they are attached to. */
const warnings: string[] = [];
interceptWarnings(async (message: string, resource?: pulumi.Resource) => {
    const owner = resource ? (await unwrap(resource.urn)).split("::").pop() : "";
    warnings.push(`${owner}: ${message}`);
});

// `pulumi up` writes a self-managed database's CA bundle into the OS temporary directory: here, one of this file's own.
isolateTmpdir("db-endpoints-first-deploy-");

before(async () => {
    cloud = installMockCloud();
    components = await import("../../infra/components/databaseIntegrations");
});

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const PG_ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf";
const SELF_MANAGED_ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/admin-ZxCvBn";
const RDS_PG_HOST = "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const ZONE = "Z0123456789ABCDEFGHIJ";

function world(overrides: Partial<FakeWorld> = {}): FakeWorld {
    const w = exampleWorld();
    w.secrets = { ...w.secrets, [SELF_MANAGED_ADMIN_ARN]: { secretString: JSON.stringify({ username: "dba", password: "dba-password" }) } };
    return { ...w, ...overrides };
}

async function fresh(w: FakeWorld = world()): Promise<void> {
    await settle();
    await new Promise((resolve) => setImmediate(resolve));
    cloud.reset(w);
    warnings.length = 0;
}

async function runStack(endpoints: unknown[], w: FakeWorld = world()) {
    await fresh(w);
    const outputs = runStackProgram(cloud, { vpcId: VPC, publicSubnetIds: SUBNETS, endpoints, targetSync: false });
    await settle();
    return outputs;
}

const legacy = (database: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    name: "legacy",
    database: { addresses: ["10.0.3.17"], port: 5432, engine: "postgres", dbName: "crm", adminSecretArn: SELF_MANAGED_ADMIN_ARN, ...database },
    allowedCidrs: ["198.51.100.7/32"],
    hostname: "legacy.db.example.com",
    integrations: [{ name: "census", access: "read", schemas: ["public"] }],
    ...extra,
});

const reporting = (database: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    name: "reporting",
    database: { rdsInstanceIdentifier: "prod-postgres", adminSecretArn: PG_ADMIN_ARN, adminSslRootCert: "global-bundle.pem", ...database },
    allowedCidrs: ["203.0.113.0/24"],
    hostname: "reporting.db.example.com",
    hostedZoneId: ZONE,
    integrations: [{ name: "metabase", access: "read", schemas: ["public"] }],
    ...extra,
});

function providerConnection(name: string) {
    const i = cloud.named(name).inputs;
    return { host: i.host, port: i.port, sslmode: i.sslmode };
}

function published(id: string): any {
    const value = cloud.named(`${id}-credentials-value`).inputs.secretString;
    assert.ok(value && typeof value === "object" && SECRET_SIG in value, `${id} secretString is not secret`);
    return JSON.parse(value.value);
}

/** Users, grants, passwords, providers and credentials secrets declared (the component itself may exist). */
function declared(): string[] {
    return cloud.registered
        .filter((r) => /^(postgresql|mysql|random|pulumi:providers:(postgresql|mysql))/.test(r.type) || (r.type.startsWith("aws:secretsmanager") && r.name.includes("-credentials")))
        .map((r) => `${r.type} ${r.name}`);
}

describe("the admin connection goes to the load balancer's DNS name", () => {
    it("self-managed, hostname without hostedZoneId (no record during the deployment): verified in full, the certificate names it", async () => {
        await runStack([legacy()]);
        assert.deepEqual(cloud.ofType("aws:route53/record:Record"), []);
        assert.deepEqual(providerConnection("legacy-postgresql"), { host: mockLoadBalancerDnsName("legacy-nlb"), port: "5432", sslmode: "verify-full" });
        assert.deepEqual(cloud.ofType("tls:index/certRequest:CertRequest").map((r) => r.inputs.dnsNames), [
            [mockLoadBalancerDnsName("legacy-nlb"), "legacy.db.example.com"].sort(),
        ]);
        // Integrations connect by the hostname, once it resolves.
        const secret = published("legacy-census");
        assert.equal(secret.host, "legacy.db.example.com");
        assert.match(secret.url, /^postgresql:\/\/census:[A-Za-z0-9]{40}@legacy\.db\.example\.com:5432\/crm\?sslmode=verify-full&sslrootcert=ca\.pem$/);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("self-managed with hostedZoneId too: the Route 53 record may not have reached the deployer's resolver yet", async () => {
        await runStack([legacy({}, { hostedZoneId: ZONE })]);
        assert.deepEqual(cloud.ofType("aws:route53/record:Record").map((r) => r.name), ["legacy-dns-a"]);
        assert.deepEqual(providerConnection("legacy-postgresql"), { host: mockLoadBalancerDnsName("legacy-nlb"), port: "5432", sslmode: "verify-full" });
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("RDS: the certificate names the instance whatever the name connected to, so the chain is verified as before", async () => {
        await runStack([reporting()]);
        assert.deepEqual(providerConnection("reporting-postgresql"), { host: mockLoadBalancerDnsName("reporting-nlb"), port: "5432", sslmode: "verify-ca" });
        const secret = published("reporting-metabase");
        assert.deepEqual([secret.host, secret.tlsServerName, secret.sslmode], ["reporting.db.example.com", RDS_PG_HOST, "verify-ca"]);
        // The direct connection is unchanged: the instance's own name, verified in full.
        await runStack([reporting({ adminConnection: "direct" })]);
        assert.deepEqual(providerConnection("reporting-postgresql"), { host: RDS_PG_HOST, port: "5432", sslmode: "verify-full" });
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("no user is declared before the endpoint's target is healthy", () => {
    it("asks ELBv2 about the endpoint's own target group, once, and declares the users when a target is healthy", async () => {
        await runStack([legacy()]);
        assert.deepEqual(cloud.targetHealthRequests(), [mockTargetGroupArn("legacy-tg")]);
        assert.deepEqual(declared().sort(), [
            "pulumi:providers:postgresql legacy-postgresql",
            "random:index/randomPassword:RandomPassword legacy-census-password",
            "random:index/randomBytes:RandomBytes legacy-census-password-salt",
            "postgresql:index/role:Role legacy-census-user",
            "postgresql:index/grant:Grant legacy-census-connect",
            "postgresql:index/grant:Grant legacy-census-usage-public",
            "postgresql:index/grant:Grant legacy-census-tables-public",
            "postgresql:index/defaultPrivileges:DefaultPrivileges legacy-census-future-tables-public-by-admin",
            "aws:secretsmanager/secret:Secret legacy-census-credentials",
            "aws:secretsmanager/secretVersion:SecretVersion legacy-census-credentials-value",
        ].sort());
    });

    it("declares nothing when the wait fails, and the deployment reports why", async () => {
        const w = world({ targetHealth: { [mockTargetGroupArn("legacy-tg")]: new TargetGroupNotFoundException({ message: "One or more target groups not found", $metadata: {} }) } });
        const outputs = await runStack([legacy()], w);
        const message = await unwrap(outputs.integrations!.legacy.census.secretArn).then(
            () => assert.fail("expected a refusal"),
            (e: Error) => e.message,
        );
        await settle();
        const reported = message.replace(/^error serializing property "outputs": /, "");
        assert.equal(
            reported,
            `endpoint legacy: cannot read the health of target group ${mockTargetGroupArn("legacy-tg")} (TargetGroupNotFoundException: ` +
                "One or more target groups not found), so the integrations' database users are not created",
        );
        assert.deepEqual(declared(), []);
        // The real engine reports it as the deployment's error.
        assert.ok(cloud.asyncErrors.some((e) => e.message.endsWith(reported)), `not reported: ${reported}`);
    });

    it("does not wait for the direct connection, which does not go through the endpoint, nor with targetHealthTimeoutMinutes 0", async () => {
        await runStack([legacy({ adminConnection: "direct" })]);
        assert.deepEqual(cloud.targetHealthRequests(), []);
        assert.equal(cloud.ofType("postgresql:index/role:Role").length, 1);
        await runStack([legacy({ targetHealthTimeoutMinutes: 0 })]);
        assert.deepEqual(cloud.targetHealthRequests(), []);
        assert.equal(cloud.ofType("postgresql:index/role:Role").length, 1);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});

describe("DatabaseIntegrations arguments for the first deployment", () => {
    const TG = mockTargetGroupArn("db-tg");
    const base = () => ({
        engine: DatabaseEngine.Postgres,
        dbName: "app",
        endpointHostname: "db.example.com",
        loadBalancerDnsName: "db-nlb-0123456789.elb.us-east-1.amazonaws.com",
        endpointPort: 5432,
        databasePort: 5432,
        targetGroupArn: TG,
        adminSecretArn: PG_ADMIN_ARN,
        adminCaCertificatePem: "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUWm9vMQ==\n-----END CERTIFICATE-----\n",
        integrations: [{ name: "metabase", access: IntegrationAccess.Read, schemas: ["public"] }],
    });

    function argumentErrors(args: any): string[] {
        cloud.reset(world());
        return inputPropertyErrors(() => new components.DatabaseIntegrations("db", args), cloud);
    }

    it("connects to loadBalancerDnsName and waits on targetGroupArn", async () => {
        await fresh();
        const c = new components.DatabaseIntegrations("db", base());
        assert.equal(await unwrap(c.adminHost), "db-nlb-0123456789.elb.us-east-1.amazonaws.com");
        assert.equal(await unwrap(c.adminSslMode), "verify-full");
        await settle();
        assert.deepEqual(cloud.targetHealthRequests(), [TG]);
        assert.deepEqual(warnings, []);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("without them: the endpoint hostname, no wait, and a warning saying what that risks", async () => {
        await fresh();
        const { loadBalancerDnsName: _l, targetGroupArn: _t, ...rest } = base();
        const c = new components.DatabaseIntegrations("db", rest);
        assert.equal(await unwrap(c.adminHost), "db.example.com");
        await settle();
        assert.deepEqual(cloud.targetHealthRequests(), []);
        assert.deepEqual(warnings, [
            "db: targetGroupArn is not set: pulumi up does not wait for the endpoint's target to be healthy before the admin connection, " +
                "which fails while a new target is still registering (pass DatabaseEndpoint.targetGroupArn)",
        ]);
    });

    it("refuses a malformed target group ARN and a timeout that is out of range, fractional or an output", () => {
        assert.deepEqual(argumentErrors({ ...base(), targetGroupArn: "reporting-tg", targetHealthTimeoutMinutes: 61 }), [
            'targetGroupArn: "reporting-tg" is not a target group ARN (DatabaseEndpoint.targetGroupArn)',
            "targetHealthTimeoutMinutes: 61 is out of range (expected 0..60)",
        ]);
        assert.deepEqual(argumentErrors({ ...base(), targetHealthTimeoutMinutes: 0.5 }), ["targetHealthTimeoutMinutes: 0.5 is not a whole number (expected 0..60)"]);
        assert.deepEqual(argumentErrors({ ...base(), targetHealthTimeoutMinutes: pulumi.output(5) }), ["targetHealthTimeoutMinutes: must be known when the component is declared"]);
    });

    it("does not wait with targetHealthTimeoutMinutes 0, nor with the direct connection", async () => {
        await fresh();
        new components.DatabaseIntegrations("db", { ...base(), targetHealthTimeoutMinutes: 0 });
        new components.DatabaseIntegrations("db2", { ...base(), adminConnection: AdminConnection.Direct, directHost: "db.internal" });
        await settle();
        assert.deepEqual(cloud.targetHealthRequests(), []);
        assert.equal(cloud.ofType("postgresql:index/role:Role").length, 2);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });
});
