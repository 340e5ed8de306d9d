/**
 * Stack config for certificate validation (infra/model/certificates.ts through parseStackConfig): the CA's
 * generations, the RDS reboot policy, the self-managed database's hostname, instance IDs and restart command,
 * and the grouping of endpoints that reach one database. Every problem at once, each naming field and value.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../../infra/program/config";
import { selfManagedDatabaseName } from "../../infra/model/certificates";
import { formatProblem, ValidationError } from "../../infra/validation";

function config(endpoints: unknown[], extra: Record<string, unknown> = {}) {
    return { vpcId: "vpc-0a1b2c3d4e5f60718", publicSubnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"], endpoints, ...extra };
}
const rds = (database: Record<string, unknown> = {}, name = "reporting") => ({
    name,
    database: { rdsInstanceIdentifier: "prod-postgres", ...database },
    allowedCidrs: ["203.0.113.0/24"],
});
const selfManaged = (database: Record<string, unknown> = {}, name = "legacy", extra: Record<string, unknown> = {}) => ({
    name,
    database: { addresses: ["10.0.3.17"], port: 3306, ...database },
    allowedCidrs: ["198.51.100.7/32"],
    ...extra,
});

/** The problems parseStackConfig reports, as `path: message`. */
function errorsOf(raw: Record<string, unknown>): string[] {
    try {
        parseStackConfig(raw);
    } catch (e) {
        if (e instanceof ValidationError) return e.problems.map(formatProblem);
        throw e;
    }
    assert.fail("expected a ValidationError");
}

describe("certificateAuthority", () => {
    it("defaults to one generation, 1, which issues", () => {
        assert.deepEqual(parseStackConfig(config([rds()])).spec.certificateAuthority, { generations: [1], issuer: 1 });
    });

    it("lists generations in ascending order, and the issuer defaults to the oldest", () => {
        assert.deepEqual(parseStackConfig(config([rds()], { certificateAuthority: { generations: [3, 2] } })).spec.certificateAuthority, {
            generations: [2, 3],
            issuer: 2,
        });
        assert.deepEqual(parseStackConfig(config([rds()], { certificateAuthority: { generations: [1, 2], issuer: 2 } })).spec.certificateAuthority, {
            generations: [1, 2],
            issuer: 2,
        });
    });

    it("refuses malformed generations and an issuer that does not exist", () => {
        assert.deepEqual(errorsOf(config([rds()], { certificateAuthority: { generations: [1, 1, 0, "2"], issuer: 5, renew: true } })), [
            'certificateAuthority.renew: unknown field; known fields: generations, issuer',
            "certificateAuthority.generations[1]: 1 is listed twice",
            "certificateAuthority.generations[2]: 0 is out of range (expected 1..999)",
            'certificateAuthority.generations[3]: "2" is not a whole number (expected 1..999)',
            "certificateAuthority.issuer: 5 is not one of the generations (1); the issuing CA must exist, so add it to generations first",
        ]);
        assert.deepEqual(errorsOf(config([rds()], { certificateAuthority: { generations: [] } })), [
            "certificateAuthority.generations: is empty; the stack needs at least one CA generation (the default is [1])",
        ]);
        assert.deepEqual(errorsOf(config([rds()], { certificateAuthority: "yes" })), ['certificateAuthority: "yes" is not a map (generations, issuer)']);
        assert.deepEqual(errorsOf(config([rds()], { certificateAuthority: { issuer: 2 } })), [
            "certificateAuthority.issuer: 2 is not one of the generations (1); the issuing CA must exist, so add it to generations first",
        ]);
    });
});

describe("an RDS database's restart settings", () => {
    it("are absent from the spec unless set (the defaults are when-pending and 20 minutes)", () => {
        const db = parseStackConfig(config([rds()])).spec.endpoints[0].database;
        assert.equal("restart" in db, false);
        assert.equal("restartTimeoutMinutes" in db, false);
        const set = parseStackConfig(config([rds({ restart: "always", restartTimeoutMinutes: 45 })])).spec.endpoints[0].database;
        assert.deepEqual([set.kind === "rds" && set.restart, set.restartTimeoutMinutes], ["always", 45]);
        for (const restart of ["when-pending", "when-pending-or-parameters", "never"]) {
            const db = parseStackConfig(config([rds({ restart })])).spec.endpoints[0].database;
            assert.equal(db.kind === "rds" && db.restart, restart);
        }
    });

    it("refuses an unknown policy, a timeout out of range or without effect, and self-managed fields", () => {
        assert.deepEqual(errorsOf(config([rds({ restart: "sometimes", restartTimeoutMinutes: 0 })])), [
            'endpoints[0].database.restart: "sometimes" is not one of "when-pending", "when-pending-or-parameters", "always", "never"',
            "endpoints[0].database.restartTimeoutMinutes: 0 is out of range (expected 1..180)",
        ]);
        assert.deepEqual(errorsOf(config([rds({ restart: "never", restartTimeoutMinutes: 30 })])), [
            'endpoints[0].database.restartTimeoutMinutes: has no effect with restart: "never" (nothing is restarted); remove it or change restart',
        ]);
        assert.deepEqual(
            errorsOf(config([rds({ hostname: "db.internal", instanceIds: ["i-0a1b2c3d4e5f60718"], restartCommand: "reboot" })])),
            [
                "endpoints[0].database.hostname: is not used with rdsInstanceIdentifier: RDS's certificate names the instance's own endpoint, which the program reads from RDS",
                "endpoints[0].database.instanceIds: is not used with rdsInstanceIdentifier: an RDS instance is rebooted through the RDS API (see database.restart)",
                "endpoints[0].database.restartCommand: is not used with rdsInstanceIdentifier: an RDS instance is rebooted through the RDS API (see database.restart)",
            ],
        );
    });
});

describe("a self-managed database's TLS and restart settings", () => {
    it("are parsed into the endpoint and into one database entry with its defaults", () => {
        const { spec } = parseStackConfig(
            config([
                selfManaged({
                    engine: "mysql",
                    hostname: "legacy-mysql.internal.example.com",
                    instanceIds: ["i-0a1b2c3d4e5f60718", "i-0f9e8d7c6b5a40312"],
                    restartCommand: "systemctl restart mysqld",
                }),
            ]),
        );
        assert.deepEqual(spec.endpoints[0].database, {
            kind: "self-managed",
            addresses: ["10.0.3.17"],
            port: 3306,
            securityGroupId: undefined,
            engine: "mysql",
            hostname: "legacy-mysql.internal.example.com",
            instanceIds: ["i-0a1b2c3d4e5f60718", "i-0f9e8d7c6b5a40312"],
            restartCommand: "systemctl restart mysqld",
        });
        assert.deepEqual(spec.selfManagedDatabases, [
            {
                name: "db-10.0.3.17-3306",
                addresses: ["10.0.3.17"],
                port: 3306,
                engine: "mysql",
                hostname: "legacy-mysql.internal.example.com",
                instanceIds: ["i-0a1b2c3d4e5f60718", "i-0f9e8d7c6b5a40312"],
                restartCommand: "systemctl restart mysqld",
                restartTimeoutMinutes: 10,
                endpoints: ["legacy"],
            },
        ]);
    });

    it("refuse malformed values, each by path", () => {
        assert.deepEqual(
            errorsOf(
                config([
                    selfManaged({
                        hostname: "Legacy.Internal",
                        instanceIds: ["i-0a1b2c3d4e5f60718", "i-xyz", "i-0a1b2c3d4e5f60718", 7],
                        restartCommand: "",
                        restartTimeoutMinutes: 181,
                        restart: "always",
                    }),
                ]),
            ),
            [
                "endpoints[0].database.restart: is only for RDS databases (rdsInstanceIdentifier); a self-managed database is restarted on database.instanceIds with database.restartCommand",
                'endpoints[0].database.hostname: "Legacy.Internal" is not a lower-case DNS name such as "db1.internal.example.com" (the name the database has inside the VPC)',
                'endpoints[0].database.instanceIds[1]: "i-xyz" is not an EC2 instance ID (such as "i-0123456789abcdef0")',
                'endpoints[0].database.instanceIds[2]: "i-0a1b2c3d4e5f60718" is listed twice',
                'endpoints[0].database.instanceIds[3]: 7 is not an EC2 instance ID (such as "i-0123456789abcdef0")',
                'endpoints[0].database.restartCommand: "" is not a shell command (a non-empty string)',
                "endpoints[0].database.restartTimeoutMinutes: 181 is out of range (expected 1..180)",
            ],
        );
        assert.deepEqual(errorsOf(config([selfManaged({ instanceIds: [] })])), [
            "endpoints[0].database.instanceIds: is empty; list the EC2 instances the database runs on, or leave instanceIds out",
        ]);
        const many = Array.from({ length: 51 }, (_, i) => `i-${(0x10000000 + i).toString(16)}`);
        assert.deepEqual(errorsOf(config([selfManaged({ instanceIds: many, engine: "mysql" })])), [
            "endpoints[0].database.instanceIds: lists 51 instances; one SSM command reaches at most 50",
        ]);
        assert.deepEqual(errorsOf(config([selfManaged({ restartCommand: "x".repeat(4097) })])), [
            "endpoints[0].database.restartCommand: is 4097 characters; at most 4096 are accepted",
        ]);
    });

    it("need instance IDs for a restart command or timeout, and an engine with instance IDs", () => {
        assert.deepEqual(errorsOf(config([selfManaged({ restartCommand: "systemctl restart mysqld", restartTimeoutMinutes: 5 })])), [
            "endpoints[0].database.restartCommand: is set but database.instanceIds is not: there is no instance to run the restart on",
            "endpoints[0].database.restartTimeoutMinutes: is set but database.instanceIds is not: there is no instance to run the restart on",
        ]);
        assert.deepEqual(errorsOf(config([selfManaged({ instanceIds: ["i-0a1b2c3d4e5f60718"] })])), [
            'endpoints[0].database.engine: is required with instanceIds ("postgres" or "mysql"): the restart hook installs the certificate ' +
                "for the engine's service user and, without restartCommand, reloads or restarts that engine",
        ]);
    });
});

describe("endpoints that reach the same self-managed database", () => {
    it("form one database whose settings may be written on any of them, and every endpoint sees them", () => {
        const { spec } = parseStackConfig(
            config([
                selfManaged({ addresses: ["10.0.3.18", "10.0.3.17"], engine: "mysql" }, "office"),
                rds(),
                selfManaged({ addresses: ["10.0.3.17", "10.0.3.18"], instanceIds: ["i-0a1b2c3d4e5f60718"], hostname: "db.internal" }, "partner"),
                selfManaged({ addresses: ["10.0.9.1"], port: 3306 }, "other"),
            ]),
        );
        assert.deepEqual(spec.selfManagedDatabases, [
            {
                name: "db-10.0.3.17-10.0.3.18-3306",
                addresses: ["10.0.3.17", "10.0.3.18"],
                port: 3306,
                engine: "mysql",
                hostname: "db.internal",
                instanceIds: ["i-0a1b2c3d4e5f60718"],
                restartCommand: undefined,
                restartTimeoutMinutes: 10,
                endpoints: ["office", "partner"],
            },
            {
                name: "db-10.0.9.1-3306",
                addresses: ["10.0.9.1"],
                port: 3306,
                engine: undefined,
                hostname: undefined,
                instanceIds: [],
                restartCommand: undefined,
                restartTimeoutMinutes: 10,
                endpoints: ["other"],
            },
        ]);
        const office = spec.endpoints[0].database;
        assert.deepEqual(office.kind === "self-managed" && [office.engine, office.hostname, office.instanceIds], ["mysql", "db.internal", ["i-0a1b2c3d4e5f60718"]]);
    });

    it("must agree where several set a setting", () => {
        assert.deepEqual(
            errorsOf(
                config([
                    selfManaged({ engine: "mysql", hostname: "a.internal", instanceIds: ["i-0a1b2c3d4e5f60718"] }, "first"),
                    selfManaged({ engine: "postgres", hostname: "b.internal", instanceIds: ["i-0f9e8d7c6b5a40312"] }, "second"),
                    selfManaged({ instanceIds: ["i-0a1b2c3d4e5f60718"] }, "third"),
                ]),
            ),
            [
                'endpoints[1].database.engine: "postgres" differs from endpoints[0].database.engine ("mysql"); endpoints that reach the same database (10.0.3.17:3306) share one certificate and restart hook, so set it once or the same everywhere',
                'endpoints[1].database.hostname: "b.internal" differs from endpoints[0].database.hostname ("a.internal"); endpoints that reach the same database (10.0.3.17:3306) share one certificate and restart hook, so set it once or the same everywhere',
                'endpoints[1].database.instanceIds: ["i-0f9e8d7c6b5a40312"] differs from endpoints[0].database.instanceIds (["i-0a1b2c3d4e5f60718"]); endpoints that reach the same database (10.0.3.17:3306) share one certificate and restart hook, so set it once or the same everywhere',
            ],
        );
    });

    it("must list the same addresses when they share one on a port", () => {
        assert.deepEqual(
            errorsOf(config([selfManaged({ addresses: ["10.0.3.17"] }, "one"), selfManaged({ addresses: ["10.0.3.17", "10.0.3.18"] }, "two")])),
            [
                'endpoints[1].database.addresses: ["10.0.3.17","10.0.3.18"] shares 10.0.3.17 with endpoints[0].database.addresses (["10.0.3.17"]) on port 3306 ' +
                    "but is not the same list; endpoints that reach the same database share one certificate and one restart hook, so list the same addresses",
            ],
        );
        // The same address on another port is another database.
        assert.equal(parseStackConfig(config([selfManaged({}, "one"), selfManaged({ port: 3307 }, "two")])).spec.selfManagedDatabases.length, 2);
    });

    it("warn when the admin connection's host is not a name on the certificate", () => {
        const { warnings } = parseStackConfig(
            config([
                selfManaged(
                    {
                        engine: "mysql",
                        dbName: "app",
                        adminSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-admin-AbCdEf",
                        adminConnection: "direct",
                        adminHost: "legacy.internal",
                        hostname: "other.internal",
                    },
                    "legacy",
                    { integrations: [{ name: "metabase", access: "read", schemas: ["app"] }] },
                ),
            ]),
        );
        assert.deepEqual(
            warnings.filter((w) => w.path === "endpoints[0].database.adminHost").map(formatProblem),
            [
                'endpoints[0].database.adminHost: "legacy.internal" is not a name on the database\'s certificate, which names database.hostname ' +
                    '("other.internal"), the addresses and the endpoint hostnames; set database.hostname to it so that a connection to it can verify the certificate',
            ],
        );
    });

    it("name the database's certificate by its addresses, in numeric order, and port", () => {
        assert.equal(selfManagedDatabaseName(["10.0.3.100", "10.0.3.9"], 5432), "db-10.0.3.9-10.0.3.100-5432");
    });
});
