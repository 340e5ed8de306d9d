/**
 * What the stack config says before `pulumi up` about the admin connection, rather than letting it surface as a
 * connection timeout at deployment: that the endpoint connection needs the deployer's address in the
 * allowlist, that `adminSslRootCert` names no file on this machine (relative paths from the project
 * directory), and how `targetHealthTimeoutMinutes` (the wait for a healthy target) is read and checked.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parseStackConfig } from "../../infra/program/config";
import { checkAdminCaFileExists } from "../../infra/integrations/adminConnection";
import { parseDatabaseAccess } from "../../infra/integrations/databaseAccess";
import { formatProblem, Problems, ValidationError } from "../../infra/validation";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc";
const metabase = { name: "metabase", access: "read", schemas: ["public"] };

/** A project directory holding the RDS bundle and a directory; the program runs from it. */
let project: string;
const savedCwd = process.cwd();
before(() => {
    project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-project-")));
    fs.writeFileSync(path.join(project, "global-bundle.pem"), "-----BEGIN CERTIFICATE-----\n");
    fs.mkdirSync(path.join(project, "certs"));
    process.chdir(project);
});
after(() => {
    process.chdir(savedCwd);
    fs.rmSync(project, { recursive: true, force: true });
});

function config(endpoints: unknown[]) {
    // Alarms notify an existing topic: without one, every config warns that they notify no one.
    return {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
        endpoints,
        alarms: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012:oncall" },
    };
}

const rdsEndpoint = (database: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name: "reporting",
    database: { rdsInstanceIdentifier: "prod-postgres", adminSecretArn: ARN, adminSslRootCert: "global-bundle.pem", ...database },
    allowedCidrs: ["203.0.113.0/24"],
    integrations: [metabase],
    ...extra,
});

function warningsOf(endpoints: unknown[]): string[] {
    return parseStackConfig(config(endpoints)).warnings.map(formatProblem);
}

function errorsOf(endpoints: unknown[]): string[] {
    try {
        parseStackConfig(config(endpoints));
    } catch (e) {
        assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${e}`);
        return e.problems.map(formatProblem);
    }
    assert.fail("expected the config to be refused");
}

const THROUGH_ENDPOINT =
    "pulumi up creates the integrations' users through the endpoint, so the public address of the machine that runs it (a CI " +
    "runner's egress address) must be admitted by endpoints[0].allowedCidrs; nothing adds it for you. From inside the VPC, set " +
    'adminConnection: "direct" instead';

describe("the endpoint admin connection needs the deployer's address in the allowlist", () => {
    it("is said at plan time, naming the field, whether the connection is the default or set", () => {
        assert.deepEqual(warningsOf([rdsEndpoint({})]), [`endpoints[0].database.adminConnection: is "endpoint" (the default): ${THROUGH_ENDPOINT}`]);
        assert.deepEqual(warningsOf([rdsEndpoint({ adminConnection: "endpoint" })]), [`endpoints[0].database.adminConnection: is "endpoint": ${THROUGH_ENDPOINT}`]);
    });

    it("names each endpoint's own allowlist", () => {
        const second = { ...rdsEndpoint({ rdsInstanceIdentifier: "other-postgres" }), name: "other" };
        assert.deepEqual(warningsOf([rdsEndpoint({ adminConnection: "direct" }), second]), [
            `endpoints[1].database.adminConnection: is "endpoint" (the default): ${THROUGH_ENDPOINT.replace("endpoints[0]", "endpoints[1]")}`,
        ]);
    });

    it("is not said for the direct connection, nor without integrations, nor next to an invalid adminConnection", () => {
        assert.deepEqual(warningsOf([rdsEndpoint({ adminConnection: "direct" })]), []);
        const { integrations: _, ...withoutIntegrations } = rdsEndpoint({});
        assert.deepEqual(warningsOf([{ ...withoutIntegrations, database: { rdsInstanceIdentifier: "prod-postgres" } }]), []);
        assert.deepEqual(errorsOf([rdsEndpoint({ adminConnection: "vpn" })]), ['endpoints[0].database.adminConnection: "vpn" is not one of "endpoint", "direct"']);
    });
});

describe("adminSslRootCert must name a file on the machine that runs pulumi up", () => {
    const missing = (file: string, resolved: string | undefined, hint = "") =>
        `endpoints[0].database.adminSslRootCert: "${file}"${resolved ? ` (${resolved})` : ""} does not exist on this machine; pulumi up's admin ` +
        `connection verifies the database against it and fails without it. Put the CA bundle there before pulumi up${hint}; a relative ` +
        "path is read from the project directory";
    const direct = { adminConnection: "direct" };

    it("is quiet for a file there, relative to the project directory or absolute", () => {
        assert.deepEqual(warningsOf([rdsEndpoint({ ...direct, adminSslRootCert: "global-bundle.pem" })]), []);
        assert.deepEqual(warningsOf([rdsEndpoint({ ...direct, adminSslRootCert: path.join(project, "global-bundle.pem") })]), []);
    });

    it("warns, naming the field and where it looked, when there is no such file; for RDS's bundle, how to get it", () => {
        fs.renameSync(path.join(project, "global-bundle.pem"), path.join(project, "moved.pem"));
        try {
            assert.deepEqual(warningsOf([rdsEndpoint(direct)]), [
                missing("global-bundle.pem", path.join(project, "global-bundle.pem"), " (curl -fsSo global-bundle.pem https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem)"),
            ]);
        } finally {
            fs.renameSync(path.join(project, "moved.pem"), path.join(project, "global-bundle.pem"));
        }
        assert.deepEqual(warningsOf([rdsEndpoint({ ...direct, adminSslRootCert: "ca/rds.pem" })]), [missing("ca/rds.pem", path.join(project, "ca", "rds.pem"))]);
        assert.deepEqual(warningsOf([rdsEndpoint({ ...direct, adminSslRootCert: "/nonexistent/rds.pem" })]), [missing("/nonexistent/rds.pem", undefined)]);
    });

    it("warns when the path is a directory", () => {
        assert.deepEqual(warningsOf([rdsEndpoint({ ...direct, adminSslRootCert: "certs" })]), [
            `endpoints[0].database.adminSslRootCert: "certs" (${path.join(project, "certs")}) is not a file; give the path of the CA bundle file`,
        ]);
    });

    it("warns for a self-managed database's bundle too (MySQL's trust store must read the same file)", () => {
        const legacy = {
            name: "legacy",
            database: { addresses: ["10.0.3.17"], port: 3306, engine: "mysql", adminSecretArn: ARN, adminConnection: "direct", adminHost: "db.internal", adminSslRootCert: "ca.pem" },
            allowedCidrs: ["198.51.100.7/32"],
            integrations: [{ name: "looker", access: "read", schemas: ["shop"] }],
        };
        assert.deepEqual(
            warningsOf([legacy]).filter((w) => w.startsWith("endpoints[0].database.adminSslRootCert")),
            [missing("ca.pem", path.join(project, "ca.pem"))],
        );
    });

    it("is not checked when no integration uses it (that is reported as unused instead)", () => {
        const { integrations: _, ...withoutIntegrations } = rdsEndpoint({ adminSslRootCert: "nowhere.pem" });
        assert.deepEqual(warningsOf([withoutIntegrations]), [
            "endpoints[0].database.adminSecretArn: is set but the endpoint declares no integrations; it is only used to create integration users",
            "endpoints[0].database.adminSslRootCert: is set but the endpoint declares no integrations; it is only used to create integration users",
        ]);
    });

    it("resolves a relative path from the directory given (parseDatabaseAccess) and checks nothing else", () => {
        const problems = new Problems();
        parseDatabaseAccess(problems, "endpoints[0].database", "endpoints[0].integrations", { rdsInstanceIdentifier: "x", adminSecretArn: ARN, adminConnection: "direct", adminSslRootCert: "global-bundle.pem" }, [metabase], "rds", os.tmpdir());
        assert.deepEqual(problems.errors, []);
        assert.deepEqual(problems.warnings.map((w) => w.path), ["endpoints[0].database.adminSslRootCert"]);
        assert.match(problems.warnings[0].message, new RegExp(`^"global-bundle\\.pem" \\(${path.join(os.tmpdir(), "global-bundle.pem").replace(/[.\\/]/g, "\\$&")}\\) does not exist`));

        const quiet = new Problems();
        checkAdminCaFileExists(quiet, "adminSslRootCert", "global-bundle.pem", project);
        assert.deepEqual([quiet.errors, quiet.warnings], [[], []]);
    });
});

describe("targetHealthTimeoutMinutes", () => {
    it("is read into the admin settings, 0..60", () => {
        for (const minutes of [0, 1, 60]) {
            const { spec } = parseStackConfig(config([rdsEndpoint({ targetHealthTimeoutMinutes: minutes })]));
            assert.deepEqual((spec.endpoints[0].database as { admin?: unknown }).admin, {
                secretArn: ARN,
                connection: "endpoint",
                sslRootCert: "global-bundle.pem",
                targetHealthTimeoutMinutes: minutes,
            });
        }
        const { spec } = parseStackConfig(config([rdsEndpoint({})]));
        assert.equal("targetHealthTimeoutMinutes" in (spec.endpoints[0].database as { admin: object }).admin, false);
    });

    it("refuses values out of range and fractions", () => {
        assert.deepEqual(errorsOf([rdsEndpoint({ targetHealthTimeoutMinutes: 61 })]), ["endpoints[0].database.targetHealthTimeoutMinutes: 61 is out of range (expected 0..60)"]);
        assert.deepEqual(errorsOf([rdsEndpoint({ targetHealthTimeoutMinutes: 2.5 })]), ["endpoints[0].database.targetHealthTimeoutMinutes: 2.5 is not a whole number (expected 0..60)"]);
    });

    it("warns when nothing waits: the direct connection, or no integrations", () => {
        assert.deepEqual(warningsOf([rdsEndpoint({ adminConnection: "direct", targetHealthTimeoutMinutes: 5 })]), [
            'endpoints[0].database.targetHealthTimeoutMinutes: has no effect with adminConnection: "direct", which does not go through the endpoint',
        ]);
        const { integrations: _, ...withoutIntegrations } = rdsEndpoint({ targetHealthTimeoutMinutes: 5 });
        assert.deepEqual(warningsOf([{ ...withoutIntegrations, database: { rdsInstanceIdentifier: "prod-postgres", targetHealthTimeoutMinutes: 5 } }]), [
            "endpoints[0].database.targetHealthTimeoutMinutes: is set but the endpoint declares no integrations; it is only used to create integration users",
        ]);
    });
});
