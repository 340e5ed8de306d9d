/**
 * Reading the stack's outputs (infra/verify/stackOutputs.ts): what the commands take from
 * `pulumi stack output --json` (or a file of it), every problem by path at once, outputs written before the
 * engine and target group were published, and how the Pulumi CLI is run.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommandRunner, pulumiStackOutputs, readStackTargets, selectEndpoints } from "../../infra/verify/stackOutputs";
import { rdsStackOutputs, selfManagedStackOutputs, targetGroupArn } from "../../testing/stackOutputs";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBstackCA\n-----END CERTIFICATE-----\n";
const selfManaged = selfManagedStackOutputs({
    name: "legacy",
    hostname: "legacy.db.example.com",
    loadBalancerDnsName: "legacy-nlb-0123456789.elb.us-east-1.amazonaws.com",
    port: 3306,
    engine: "mysql",
    addresses: ["10.0.3.17"],
    databasePort: 3306,
    caCertificate: CA,
    certificateNames: ["legacy.db.example.com", "10.0.3.17"],
    certificateExpiresAt: "2028-01-01T00:00:00Z",
    integrations: [{ name: "looker", access: "read", database: "shop", schemas: ["shop"], tables: ["shop.orders"] }],
});

describe("reading the stack outputs", () => {
    it("takes what a client needs per endpoint, its trust and its integrations", () => {
        const targets = readStackTargets(selfManaged);
        assert.equal(targets.caCertificate, CA);
        assert.deepEqual(targets.endpoints, [
            {
                name: "legacy",
                hostname: "legacy.db.example.com",
                port: 3306,
                loadBalancerDnsName: "legacy-nlb-0123456789.elb.us-east-1.amazonaws.com",
                publicAddresses: [],
                allowedCidrs: ["203.0.113.0/24"],
                idleTimeoutSeconds: 3600,
                engine: "mysql",
                targetGroupArn: targetGroupArn("legacy"),
                tls: { certificateIssuer: "stack-ca", verifyHostname: "legacy.db.example.com", caFile: "ca.pem", getCa: "pulumi stack output caCertificate > ca.pem" },
                integrations: [
                    {
                        name: "looker",
                        username: "looker",
                        access: "read",
                        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-endpoints/dev/legacy/looker-0123456789abcdef0123456789-AbCdEf",
                        secretName: "db-endpoints/dev/legacy/looker-0123456789abcdef0123456789",
                        database: "shop",
                        schemas: ["shop"],
                        tables: ["shop.orders"],
                    },
                ],
            },
        ]);
    });

    it("verifies an RDS endpoint by the instance's name against the RDS CA", () => {
        const rds = rdsStackOutputs({ name: "reporting", engine: "postgres", rdsAddress: "prod.c9akciq32.us-east-1.rds.amazonaws.com", loadBalancerDnsName: "r.elb.amazonaws.com", port: 5432, caCertificate: CA });
        const [e] = readStackTargets(rds).endpoints;
        assert.deepEqual(e.tls, {
            certificateIssuer: "aws-rds",
            verifyHostname: "prod.c9akciq32.us-east-1.rds.amazonaws.com",
            caFile: "global-bundle.pem",
            getCa: "curl -fsSo global-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem",
        });
        assert.equal(e.rdsCaCertIdentifier, "rds-ca-rsa2048-g1");
    });

    it("reads outputs that predate the engine, the target group and the integrations' databases", () => {
        const old = structuredClone(selfManaged) as any;
        delete old.endpoints.legacy.engine;
        delete old.endpoints.legacy.targetGroupArn;
        for (const key of ["database", "schemas", "tables"]) delete old.integrations.legacy.looker[key];
        const [e] = readStackTargets(old).endpoints;
        assert.equal(e.engine, undefined);
        assert.equal(e.targetGroupArn, undefined);
        assert.deepEqual([e.integrations[0].database, e.integrations[0].schemas, e.integrations[0].tables], [undefined, [], []]);
    });

    it("names every unusable value by its path, at once", () => {
        const bad = structuredClone(selfManaged) as any;
        bad.endpoints.legacy.port = "3306";
        delete bad.endpoints.legacy.hostname;
        bad.endpoints.legacy.engine = "oracle";
        delete bad.tls.legacy;
        bad.caCertificate = "not a certificate";
        assert.throws(
            () => readStackTargets(bad),
            {
                message:
                    "the stack outputs are not usable:\n" +
                    "  - tls.legacy: is missing (every endpoint has one)\n" +
                    '  - endpoints.legacy.engine: "oracle" is not "postgres" or "mysql"\n' +
                    "  - endpoints.legacy.hostname: is missing\n" +
                    '  - endpoints.legacy.port: "3306" is not a positive whole number\n' +
                    "  - caCertificate: is not a PEM bundle of certificates",
            },
        );
        assert.throws(() => readStackTargets({ caCertificate: CA }), /no `endpoints` map: are they this project's/);
        assert.throws(() => readStackTargets("[secret]"), /not a JSON object/);
    });

    it("selects one endpoint by name, or says which there are", () => {
        const targets = readStackTargets(selfManaged);
        assert.deepEqual(selectEndpoints(targets, "legacy").map((e) => e.name), ["legacy"]);
        assert.throws(() => selectEndpoints(targets, "reporting"), { message: 'no endpoint named "reporting" in the stack outputs; there are: legacy' });
    });
});

describe("running pulumi stack output", () => {
    it("asks for JSON, of the named stack, and parses it", async () => {
        const calls: string[][] = [];
        const run: CommandRunner = async (command, args) => (calls.push([command, ...args]), { code: 0, stdout: '{"endpoints":{}}', stderr: "" });
        assert.deepEqual(await pulumiStackOutputs("prod", run), { endpoints: {} });
        assert.deepEqual(await pulumiStackOutputs(undefined, run), { endpoints: {} });
        assert.deepEqual(calls, [["pulumi", "stack", "output", "--json", "--stack", "prod"], ["pulumi", "stack", "output", "--json"]]);
    });

    it("says what the CLI said when it fails, and what to do without it", async () => {
        await assert.rejects(pulumiStackOutputs("prod", async () => ({ code: 255, stdout: "", stderr: "error: no stack named 'prod' found\n" })), {
            message: "`pulumi stack output --json --stack prod` failed (exit 255): error: no stack named 'prod' found",
        });
        await assert.rejects(
            pulumiStackOutputs(undefined, async () => ({ code: null, stdout: "", stderr: "", error: Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" }) })),
            /the Pulumi CLI is not on PATH; where there is no Pulumi CLI, save the outputs elsewhere with that command and pass them with --outputs FILE$/,
        );
    });
});
