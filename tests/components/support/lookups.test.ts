/**
 * Lookups asked once per question (infra/components/support/lookups.ts): the stack program's lookups counted for
 * 1, 10 and 100 endpoints on the same subnets, RDS instance and admin secret (at most one per distinct subnet,
 * instance and secret, whatever the number of endpoints); a lookup through another provider asked
 * again; two products not sharing answers; a failed lookup failing everyone who asked, with one error; and the
 * keys the answers are kept under.
 */
import assert from "node:assert/strict";
import * as dns from "node:dns";
import { before, describe, it } from "node:test";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DescribeDBParametersCommand } from "@aws-sdk/client-rds";
import { endpointArgs } from "../../../testing/endpointArgs";
import { exampleWorld, installMockCloud, isSecret, MockCloud, settle, unwrap } from "../../../testing/mockCloud";
import { runStackProgram } from "../../../testing/stackProgram";

let cloud: MockCloud;
let lookups: typeof import("../../../infra/components/support/lookups");
let endpoint: typeof import("../../../infra/components/databaseEndpoint");
const dnsQuestions: string[] = [];

before(async () => {
    cloud = installMockCloud();
    const lookup = dns.promises.lookup;
    dns.promises.lookup = (async (hostname: string, options: dns.LookupAllOptions) => {
        dnsQuestions.push(hostname);
        return lookup(hostname, options);
    }) as typeof dns.promises.lookup;
    lookups = await import("../../../infra/components/support/lookups");
    endpoint = await import("../../../infra/components/databaseEndpoint");
});

const ADMIN_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf";

/**
 * `n` endpoints, alternately on the RDS instance prod-postgres (Multi-AZ, its subnet group in two subnets) with an
 * integration through the RDS-managed admin secret, and on a self-managed database; all on the same two public
 * subnets, with the connection audit on (its lookups, and the RDS instance's parameter group read).
 */
function config(n: number): Record<string, unknown> {
    return {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
        endpoints: Array.from({ length: n }, (_, i) =>
            i % 2 === 0
                ? {
                      name: `rds-${i}`,
                      database: { rdsInstanceIdentifier: "prod-postgres", adminSecretArn: ADMIN_SECRET, adminSslRootCert: "global-bundle.pem" },
                      allowedCidrs: ["203.0.113.0/24"],
                      port: 5432 + i,
                      integrations: [{ name: `app${i}`, access: "read", schemas: ["public"] }],
                  }
                : {
                      name: `ec2-${i}`,
                      database: { addresses: [`10.0.1.${i}`], port: 5432, securityGroupId: "sg-0123456789abcdef0" },
                      allowedCidrs: ["203.0.113.0/24"],
                  },
        ),
    };
}

function countsByToken(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const i of cloud.invokes) counts[i.token] = (counts[i.token] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

async function runProgram(n: number) {
    cloud.reset(exampleWorld());
    dnsQuestions.length = 0;
    runStackProgram(cloud, config(n));
    await settle();
    assert.deepEqual(
        cloud.asyncErrors.map((e) => e.message),
        [],
    );
}

describe("the stack program's lookups", () => {
    // Three sizes show the counts do not grow with the endpoints; `npm run bench` prints them at 100 too.
    for (const n of [1, 10, 30]) {
        it(`asks each distinct question once with ${n} endpoint${n === 1 ? "" : "s"}`, async () => {
            await runProgram(n);
            const rds = Math.ceil(n / 2);
            const selfManaged = n - rds;
            assert.deepEqual(countsByToken(), {
                // The load balancers' network interfaces: one per load balancer and subnet, each a different question.
                "aws:ec2/getNetworkInterface:getNetworkInterface": 2 * n,
                // The two public subnets and the RDS subnet group's two subnets (the instance is Multi-AZ).
                "aws:ec2/getSubnet:getSubnet": 4,
                // The VPC's CIDR blocks, for the self-managed addresses' zones.
                ...(selfManaged > 0 ? { "aws:ec2/getVpc:getVpc": 1 } : {}),
                "aws:index/getCallerIdentity:getCallerIdentity": 1,
                "aws:index/getPartition:getPartition": 1,
                "aws:index/getRegion:getRegion": 1,
                "aws:rds/getInstance:getInstance": 1,
                "aws:rds/getSubnetGroup:getSubnetGroup": 1,
                "aws:secretsmanager/getSecretVersion:getSecretVersion": 1,
            });
            // No question asked twice: the same token through the same provider with the same arguments.
            const questions = cloud.invokes.map((i) => lookups.questionKey(i.token, i.inputs, {}) + (i.provider ?? ""));
            assert.equal(new Set(questions).size, questions.length);
            // The subnets asked about by ID: the two public ones and the subnet group's two, whatever the number of endpoints.
            assert.deepEqual(
                cloud.invokes
                    .filter((i) => i.token === "aws:ec2/getSubnet:getSubnet")
                    .map((i) => i.inputs.id)
                    .sort(),
                ["subnet-0aa11bb22cc33dd44", "subnet-0db1a00000000000a", "subnet-0db1b00000000000b", "subnet-0ee55ff66aa77bb88"],
            );
            // The instance's address resolved once, its parameter group read once (the connection audit's database side).
            assert.deepEqual(dnsQuestions, ["prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com"]);
            assert.equal(cloud.rds.commandCalls(DescribeDBParametersCommand).length, 1);
            // Every RDS endpoint still got the instance's facts: its integration, its target, its connection logging.
            assert.equal(cloud.ofType("db-endpoints:index:DatabaseIntegrations").length, rds);
            assert.equal(cloud.ofType("aws:lb/targetGroup:TargetGroup").filter((t) => t.inputs.port === 5432).length, n);
        });
    }

    it("asks again in another product: two DatabaseEndpoint components declared by a program share nothing", async () => {
        cloud.reset(exampleWorld());
        new endpoint.DatabaseEndpoint("first", endpointArgs({ connectionAudit: false }));
        new endpoint.DatabaseEndpoint("second", endpointArgs({ connectionAudit: false }));
        await settle();
        assert.deepEqual(countsByToken(), {
            "aws:ec2/getSubnet:getSubnet": 8,
            "aws:rds/getInstance:getInstance": 2,
            "aws:rds/getSubnetGroup:getSubnetGroup": 2,
        });
    });
});

describe("lookUp", () => {
    /** A component in a scope of its own, its children's lookups going to `provider` (the default without one). */
    function scopeOwner(name: string, provider?: pulumi.ProviderResource, parent?: pulumi.Resource): pulumi.ComponentResource {
        const component = new pulumi.ComponentResource("test:index:Owner", name, {}, { ...(provider ? { providers: [provider] } : {}), ...(parent ? { parent } : {}) });
        lookups.shareLookups(component, parent);
        return component;
    }

    it("asks once per provider: a provider of its own, or one the parent passes down, gets its own answer", async () => {
        cloud.reset(exampleWorld());
        const root = scopeOwner("root");
        const west = new aws.Provider("west", { region: "us-west-2" });
        const other = new aws.Provider("other", { region: "us-east-1" });
        const viaParent = scopeOwner("via-parent", west, root);
        const ask = (opts: pulumi.InvokeOptions) => lookups.lookUp(lookups.LOOKUPS.subnet, { id: "subnet-0aa11bb22cc33dd44" }, opts);
        const answers = [ask({ parent: root }), ask({ parent: root }), ask({ parent: root, provider: west }), ask({ parent: viaParent }), ask({ parent: root, provider: other })];
        assert.deepEqual(await Promise.all(answers.map((a) => unwrap(a.availabilityZone))), ["us-east-1a", "us-east-1a", "us-east-1a", "us-east-1a", "us-east-1a"]);
        await settle();
        // The default provider once, `west` once (given directly or by the parent), `other` once.
        const providers = cloud.invokes.map((i) => i.provider ?? "default");
        assert.equal(providers.length, 3);
        assert.equal(providers[0], "default");
        assert.match(providers[1], /::west::/);
        assert.match(providers[2], /::other::/);
        // The same answer object for the same question.
        assert.equal(answers[0], answers[1]);
        assert.equal(answers[2], answers[3]);
        assert.notEqual(answers[0], answers[4]);
    });

    it("asks every time for a resource outside any scope", async () => {
        cloud.reset(exampleWorld());
        const loner = new pulumi.ComponentResource("test:index:Loner", "loner", {});
        await unwrap(lookups.lookUp(lookups.LOOKUPS.vpc, { id: "vpc-0a1b2c3d4e5f60718" }, { parent: loner }));
        await unwrap(lookups.lookUp(lookups.LOOKUPS.vpc, { id: "vpc-0a1b2c3d4e5f60718" }, { parent: loner }));
        assert.equal(cloud.invokes.length, 2);
    });

    it("fails everyone who asked a failed question, with one error, asked once", async () => {
        cloud.reset(exampleWorld());
        const root = scopeOwner("failing");
        const ask = () => unwrap(lookups.lookUp(lookups.LOOKUPS.subnet, { id: "subnet-0000000000000dead" }, { parent: root }));
        const results = await Promise.allSettled([ask(), ask(), ask()]);
        assert.deepEqual(
            results.map((r) => r.status),
            ["rejected", "rejected", "rejected"],
        );
        const reasons = results.map((r) => (r as PromiseRejectedResult).reason as Error);
        // The mock runtime reports a failed invoke as the engine does: its message in `details`.
        assert.match(String((reasons[0] as Error & { details?: string }).details ?? reasons[0].message), /InvalidSubnetID\.NotFound/);
        assert.equal(reasons[1], reasons[0]);
        assert.equal(reasons[2], reasons[0]);
        assert.equal(cloud.invokes.length, 1);
    });

    it("asks with output arguments once they resolve, keeping their secrecy", async () => {
        cloud.reset(exampleWorld());
        const root = scopeOwner("outputs");
        const secretId = pulumi.secret(ADMIN_SECRET);
        const answer = lookups.lookUpOutput(lookups.LOOKUPS.secretVersion, { secretId }, { parent: root });
        const again = lookups.lookUpOutput(lookups.LOOKUPS.secretVersion, { secretId: ADMIN_SECRET }, { parent: root });
        assert.equal(await isSecret(answer), true);
        assert.equal(await isSecret(again), false);
        await settle();
        assert.equal(cloud.invokes.length, 1);
    });
});

describe("the key of a question", () => {
    it("does not depend on the order of the arguments' members, nor on members left undefined", () => {
        const a = lookups.questionKey("aws:ec2/getSubnet:getSubnet", { id: "subnet-1", filters: [{ name: "x", values: ["1"] }] }, {});
        const b = lookups.questionKey("aws:ec2/getSubnet:getSubnet", { filters: [{ values: ["1"], name: "x" }], vpcId: undefined, id: "subnet-1" }, {});
        assert.equal(a, b);
    });

    it("differs by token, arguments, provider version and download URL", () => {
        const base = lookups.questionKey("aws:ec2/getSubnet:getSubnet", { id: "subnet-1" }, {});
        const others = [
            lookups.questionKey("aws:ec2/getVpc:getVpc", { id: "subnet-1" }, {}),
            lookups.questionKey("aws:ec2/getSubnet:getSubnet", { id: "subnet-2" }, {}),
            lookups.questionKey("aws:ec2/getSubnet:getSubnet", { id: "subnet-1" }, { version: "7.0.0" }),
            lookups.questionKey("aws:ec2/getSubnet:getSubnet", { id: "subnet-1" }, { pluginDownloadURL: "https://example.com" }),
        ];
        assert.equal(new Set([base, ...others]).size, 5);
    });

    it("writes values as JSON with sorted members", () => {
        assert.equal(lookups.canonicalJson({ b: [1, { d: null, c: "x" }], a: true, u: undefined }), '{"a":true,"b":[1,{"c":"x","d":null}]}');
    });
});
