/**
 * The stack's private CA under the mock runtime: the CertificateAuthority component (key algorithm,
 * validity, allowed uses, protection, secrecy of the key, argument checks), and the stack's CA generations
 * with the `caCertificate` output (a bundle of every generation, never key material).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { exampleWorld, installMockCloud, isSecret, MockCloud, parentName, settle, unwrap } from "../../testing/mockCloud";
import { runStackProgram } from "../../testing/stackProgram";

let cloud: MockCloud;
let components: typeof import("../../infra/components/certificateAuthority");
let certificates: typeof import("../../infra/components/databaseEndpoints/certificates");

before(async () => {
    cloud = installMockCloud();
    components = await import("../../infra/components/certificateAuthority");
    certificates = await import("../../infra/components/databaseEndpoints/certificates");
});

/** How the mock runtime records a secret input. */
function secretValue(input: unknown): unknown {
    const sig = "4dabf18193072939515e22adb298388d";
    assert.ok(input && typeof input === "object" && (input as Record<string, unknown>)[sig] === "1b47061264138c4ac30d75fd1eb44270", `not a secret: ${JSON.stringify(input)}`);
    return (input as { value: unknown }).value;
}

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const mysqlEndpoint = {
    name: "legacy-mysql",
    database: { addresses: ["10.0.3.17"], port: 3306, engine: "mysql", instanceIds: ["i-0a1b2c3d4e5f60718"] },
    allowedCidrs: ["198.51.100.7/32"],
};

/** Every string in a resolved output tree. */
function strings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value && typeof value === "object") return Object.values(value).flatMap(strings);
    return [];
}

describe("a CertificateAuthority", () => {
    let ca: InstanceType<typeof components.CertificateAuthority>;
    before(async () => {
        cloud.reset(exampleWorld());
        ca = new components.CertificateAuthority("unit-ca", { commonName: "db-endpoints test CA" });
        await unwrap(ca.certificatePem);
        await settle();
    });

    it("is an RSA-4096 key and a self-signed CA certificate, both children of the component", () => {
        assert.deepEqual(
            cloud.registered.map((r) => [r.type, r.name, parentName(r)]),
            [
                ["db-endpoints:index:CertificateAuthority", "unit-ca", ""],
                ["tls:index/privateKey:PrivateKey", "unit-ca-key", "unit-ca"],
                ["tls:index/selfSignedCert:SelfSignedCert", "unit-ca-cert", "unit-ca"],
            ],
        );
        assert.deepEqual(cloud.named("unit-ca-key").inputs, { algorithm: "RSA", rsaBits: 4096 });
    });

    it("may only sign certificates and CRLs, for ten years, with renewal due one year before expiry", () => {
        const { privateKeyPem, ...inputs } = cloud.named("unit-ca-cert").inputs;
        assert.deepEqual(inputs, {
            isCaCertificate: true,
            maxPathLength: 0,
            setSubjectKeyId: true,
            allowedUses: ["cert_signing", "crl_signing"],
            validityPeriodHours: 87600,
            earlyRenewalHours: 8760,
            subject: { commonName: "db-endpoints test CA", organization: "db-endpoints" },
        });
        // Signed with the CA key, handed over as a secret.
        assert.match(String(secretValue(privateKeyPem)), /^-----BEGIN PRIVATE KEY-----\n/);
    });

    it("is protected, key and certificate, so a replacement or deletion fails the deployment", () => {
        assert.deepEqual(
            cloud.registered.map((r) => [r.name, r.protect]),
            [
                ["unit-ca", false],
                ["unit-ca-key", true],
                ["unit-ca-cert", true],
            ],
        );
    });

    it("outputs its certificate in the clear and its key only as a secret", async () => {
        assert.equal(await isSecret(ca.privateKeyPem), true);
        assert.match(await unwrap(ca.privateKeyPem), /^-----BEGIN PRIVATE KEY-----\n/);
        assert.equal(await isSecret(ca.certificatePem), false);
        assert.match(await unwrap(ca.certificatePem), /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=]+\n-----END CERTIFICATE-----\n$/);
        assert.equal(await unwrap(ca.keyAlgorithm), "RSA");
        // The mock CA starts on 2025-01-01: 87600 hours later.
        assert.equal(await unwrap(ca.validityEndTime), "2034-12-30T00:00:00Z");
    });

    it("can be left unprotected on request, and takes other lifetimes", async () => {
        cloud.reset(exampleWorld());
        new components.CertificateAuthority("short-ca", { commonName: "short", organization: "Acme", validityHours: 8760, earlyRenewalHours: 720, protect: false });
        await settle();
        assert.deepEqual(cloud.registered.map((r) => [r.name, r.protect]), [
            ["short-ca", false],
            ["short-ca-key", false],
            ["short-ca-cert", false],
        ]);
        const cert = cloud.named("short-ca-cert").inputs;
        assert.deepEqual([cert.validityPeriodHours, cert.earlyRenewalHours, cert.subject], [8760, 720, { commonName: "short", organization: "Acme" }]);
    });

    it("refuses lifetimes that make no sense, naming each argument, before registering anything", () => {
        cloud.reset(exampleWorld());
        assert.throws(
            () => new components.CertificateAuthority("bad-ca", { commonName: "", validityHours: 10, earlyRenewalHours: -1, protect: "yes" as unknown as boolean }),
            (e: unknown) =>
                pulumi.InputPropertiesError.isInstance(e) &&
                e.message === 'invalid arguments for CertificateAuthority "bad-ca"' &&
                JSON.stringify(e.errors) ===
                    JSON.stringify([
                        { propertyPath: "commonName", reason: "is required (the CA certificate's subject common name)" },
                        { propertyPath: "validityHours", reason: "10 is out of range (expected 24..876000)" },
                        { propertyPath: "earlyRenewalHours", reason: "-1 is out of range (expected 0..876000)" },
                        { propertyPath: "protect", reason: '"yes" is not true or false' },
                    ]),
        );
        assert.throws(
            () => new components.CertificateAuthority("bad-ca", { commonName: "x", validityHours: 8760, earlyRenewalHours: 8760 }),
            (e: unknown) =>
                pulumi.InputPropertiesError.isInstance(e) &&
                e.errors.length === 1 &&
                e.errors[0].propertyPath === "earlyRenewalHours" &&
                e.errors[0].reason === "8760 is not less than validityHours (8760); the CA would be due for renewal as soon as it is created",
        );
        assert.deepEqual(cloud.registered, []);
    });
});

describe("the stack's CA", () => {
    it("is one generation by default, named for project, stack and generation, and output as caCertificate", async () => {
        cloud.reset(exampleWorld());
        const outputs = runStackProgram(cloud, { vpcId: VPC, publicSubnetIds: SUBNETS, targetSync: false, endpoints: [mysqlEndpoint] });
        const caCertificate = await unwrap(outputs.caCertificate);
        const authority = await unwrap(outputs.certificateAuthority);
        await settle();
        assert.deepEqual(cloud.ofType("db-endpoints:index:CertificateAuthority").map((r) => r.name), ["ca-1"]);
        assert.deepEqual(cloud.named("ca-1-cert").inputs.subject, { commonName: "db-endpoints/dev CA 1", organization: "db-endpoints" });
        assert.deepEqual(
            cloud.ofType("tls:index/privateKey:PrivateKey").map((r) => [r.name, r.protect]),
            [
                ["ca-1-key", true],
                ["db-10.0.3.17-3306-key", false],
            ],
        );
        const issued = cloud.named("db-10.0.3.17-3306-cert").inputs;
        assert.equal(caCertificate, issued.caCertPem);
        assert.match(caCertificate, /^-----BEGIN CERTIFICATE-----\n[^\n]+\n-----END CERTIFICATE-----\n$/);
        assert.equal(await isSecret(outputs.caCertificate), false);
        assert.deepEqual(authority, { issuer: 1, generations: [{ generation: 1, expiresAt: "2034-12-30T00:00:00Z", renewalStartsAt: "2033-12-30T00:00:00Z" }] });
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);
    });

    it("while rotating, bundles every generation for clients and issues with the configured one", async () => {
        cloud.reset(exampleWorld());
        const outputs = runStackProgram(cloud, {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            targetSync: false,
            certificateAuthority: { generations: [2, 1], issuer: 1 },
            endpoints: [mysqlEndpoint],
        });
        const bundle = await unwrap(outputs.caCertificate);
        await settle();
        assert.deepEqual(cloud.ofType("db-endpoints:index:CertificateAuthority").map((r) => r.name), ["ca-1", "ca-2"]);
        const first = cloud.named("ca-1-cert");
        const second = cloud.named("ca-2-cert");
        assert.equal(second.inputs.subject.commonName, "db-endpoints/dev CA 2");
        assert.equal(second.protect, true);
        const [pem1, pem2] = bundle.split(/(?<=-----END CERTIFICATE-----\n)/);
        assert.equal(bundle.match(/-----BEGIN CERTIFICATE-----/g)!.length, 2);
        assert.notEqual(pem1, pem2);
        // Generation 1 still issues: the server certificate is signed with its key and names it as issuer.
        const issued = cloud.named("db-10.0.3.17-3306-cert").inputs;
        assert.equal(issued.caCertPem, pem1);
        assert.equal(secretValue(issued.caPrivateKeyPem), secretValue(first.inputs.privateKeyPem));
        assert.deepEqual(await unwrap(outputs.certificateAuthority), {
            issuer: 1,
            generations: [
                { generation: 1, expiresAt: "2034-12-30T00:00:00Z", renewalStartsAt: "2033-12-30T00:00:00Z" },
                { generation: 2, expiresAt: "2034-12-30T00:00:00Z", renewalStartsAt: "2033-12-30T00:00:00Z" },
            ],
        });

        cloud.reset(exampleWorld());
        const switched = runStackProgram(cloud, {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            targetSync: false,
            certificateAuthority: { generations: [1, 2], issuer: 2 },
            endpoints: [mysqlEndpoint],
        });
        const switchedBundle = await unwrap(switched.caCertificate);
        await settle();
        assert.equal(switchedBundle, bundle);
        const reissued = cloud.named("db-10.0.3.17-3306-cert").inputs;
        assert.equal(reissued.caCertPem, pem2);
        assert.equal(secretValue(reissued.caPrivateKeyPem), secretValue(cloud.named("ca-2-cert").inputs.privateKeyPem));
    });

    it("never puts key material in a plain stack output", async () => {
        cloud.reset(exampleWorld());
        const outputs = runStackProgram(cloud, {
            vpcId: VPC,
            publicSubnetIds: SUBNETS,
            targetSync: false,
            endpoints: [mysqlEndpoint, { name: "reporting", database: { rdsInstanceIdentifier: "prod-postgres" }, allowedCidrs: ["203.0.113.0/24"] }],
        });
        const resolved = await unwrap(pulumi.output(outputs as unknown as Record<string, unknown>));
        await settle();
        for (const key of ["caCertificate", "certificateAuthority", "tls"]) assert.ok(key in resolved, key);
        const all = strings(resolved);
        assert.ok(all.length > 30);
        assert.deepEqual(all.filter((s) => s.includes("PRIVATE KEY")), []);
        for (const value of [outputs.caCertificate, outputs.certificateAuthority, outputs.tls.reporting, outputs.tls["legacy-mysql"]]) {
            assert.equal(await isSecret(value), false);
        }
    });

    it("keeps its common name within X.509's 64 characters", () => {
        assert.equal(certificates.caCommonName("db-endpoints", "prod", 3), "db-endpoints/prod CA 3");
        const long = certificates.caCommonName("a-very-long-project-name-for-the-databases", "a-very-long-stack-name", 12);
        assert.equal(long.length, 64);
        assert.ok(long.endsWith(" CA 12"));
    });
});
