/**
 * What the restart hooks share (infra/hooks/support.ts): the AWS SDK client settings taken from the stack's
 * `aws:*` config or the environment, how AWS errors are named in messages, and stderr excerpts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DBInstanceNotFoundFault } from "@aws-sdk/client-rds";
import { awsErrorName, awsSdkClientConfig, describeAwsError, tail } from "../../infra/hooks/support";

/** A stand-in for `new pulumi.Config("aws")`. */
function config(values: Record<string, string>) {
    return { get: (key: string) => values[key] } as Parameters<typeof awsSdkClientConfig>[0];
}

describe("awsSdkClientConfig", () => {
    it("takes region and profile from the stack's aws config first", () => {
        assert.deepEqual(awsSdkClientConfig(config({ region: "eu-central-1", profile: "prod" }), { AWS_REGION: "us-east-1" }), {
            region: "eu-central-1",
            profile: "prod",
        });
    });

    it("falls back to AWS_REGION, then AWS_DEFAULT_REGION, and leaves the rest to the SDK", () => {
        assert.deepEqual(awsSdkClientConfig(config({}), { AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "us-east-1" }), { region: "us-west-2" });
        assert.deepEqual(awsSdkClientConfig(config({}), { AWS_DEFAULT_REGION: "us-east-1" }), { region: "us-east-1" });
        assert.deepEqual(awsSdkClientConfig(config({}), {}), {});
    });
});

describe("AWS errors in messages", () => {
    it("are named by their AWS code, with the message once", () => {
        const notFound = new DBInstanceNotFoundFault({ message: "DBInstance x not found.", $metadata: {} });
        assert.equal(awsErrorName(notFound), "DBInstanceNotFoundFault");
        assert.equal(describeAwsError(notFound), "DBInstanceNotFoundFault: DBInstance x not found.");
        assert.equal(describeAwsError(Object.assign(new Error("Throttling: Rate exceeded"), { name: "Throttling" })), "Throttling: Rate exceeded");
        assert.equal(awsErrorName(new Error("plain")), "");
        assert.equal(describeAwsError(new Error("plain")), "plain");
        assert.equal(awsErrorName("text"), "");
    });
});

describe("tail", () => {
    it("keeps the end of a long text, marked, and trims", () => {
        assert.equal(tail("  short\n", 10), "short");
        assert.equal(tail("0123456789abcdef", 4), "…cdef");
        assert.equal(tail(undefined, 4), "");
    });
});
