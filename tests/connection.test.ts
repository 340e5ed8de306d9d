/**
 * Client connection settings (infra/connection.ts): what psql/libpq and the mysql client are told so that
 * they verify the database's certificate through an endpoint, for RDS (with and without Elastic IPs) and for
 * self-managed databases (restarted by SSM or by hand); and how strongly each family of clients can verify the
 * server through an endpoint.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { iamResourceMatches } from "../testing/iam";
import { certificateSecretPolicy, clientFamilies, rdsConnectionInfo, RDS_CA_BUNDLE, selfManagedConnectionInfo, serverVerification } from "../infra/connection";
import { DatabaseEngine } from "../infra/enums";

const RDS_HOST = "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com";
const NLB = "reporting-nlb-0123456789.elb.us-east-1.amazonaws.com";

describe("clientFamilies", () => {
    it("maps RDS and config engine names to the clients that speak to them", () => {
        assert.deepEqual(clientFamilies("postgres"), ["postgres"]);
        assert.deepEqual(clientFamilies("aurora-postgresql"), ["postgres"]);
        for (const engine of ["mysql", "mariadb", "aurora-mysql"]) assert.deepEqual(clientFamilies(engine), ["mysql"], engine);
        assert.deepEqual(clientFamilies("sqlserver-se"), []);
        assert.deepEqual(clientFamilies(undefined), ["postgres", "mysql"]);
    });
});

describe("rdsConnectionInfo", () => {
    const base = {
        engine: "postgres",
        rdsAddress: RDS_HOST,
        rdsCaCertIdentifier: "rds-ca-rsa2048-g1",
        endpointHostname: NLB,
        loadBalancerDnsName: NLB,
        port: 5432,
        restart: "when-pending",
    };

    it("PostgreSQL with Elastic IPs: host is the RDS name (verified), hostaddr the fixed addresses, paired one to one", () => {
        assert.deepEqual(rdsConnectionInfo({ ...base, publicAddresses: ["198.51.100.10", "198.51.100.20"] }), {
            certificateIssuer: "aws-rds",
            verifyHostname: RDS_HOST,
            rdsCaCertIdentifier: "rds-ca-rsa2048-g1",
            caFile: "global-bundle.pem",
            getCa: `curl -fsSo global-bundle.pem ${RDS_CA_BUNDLE.url}`,
            fixedAddresses: true,
            restart: "when-pending",
            libpq: `host=${RDS_HOST},${RDS_HOST} hostaddr=198.51.100.10,198.51.100.20 port=5432 sslmode=verify-full sslrootcert=global-bundle.pem`,
            psql: `psql "host=${RDS_HOST},${RDS_HOST} hostaddr=198.51.100.10,198.51.100.20 port=5432 sslmode=verify-full sslrootcert=global-bundle.pem"`,
        });
    });

    it("PostgreSQL without Elastic IPs: resolves the load balancer's name when psql runs, and offers no static libpq string", () => {
        const info = rdsConnectionInfo({ ...base, publicAddresses: [] });
        assert.equal(info.fixedAddresses, false);
        assert.equal(info.libpq, undefined);
        assert.equal(
            info.psql,
            `psql "host=${RDS_HOST} hostaddr=$(dig +short A ${NLB} | head -n 1) port=5432 sslmode=verify-full sslrootcert=global-bundle.pem"`,
        );
        assert.equal(info.mysql, undefined);
    });

    it("MySQL: full verification needs the RDS name to resolve to the endpoint (hosts entry); VERIFY_CA through the endpoint checks the chain only", () => {
        const withEips = rdsConnectionInfo({ ...base, engine: "mysql", port: 3306, endpointHostname: "db.example.com", publicAddresses: ["198.51.100.10", "198.51.100.20"] });
        assert.equal(withEips.mysql, `mysql --host=${RDS_HOST} --port=3306 --ssl-mode=VERIFY_IDENTITY --ssl-ca=global-bundle.pem`);
        assert.equal(withEips.mysqlHostsEntry, `printf '198.51.100.10 ${RDS_HOST}\\n198.51.100.20 ${RDS_HOST}\\n' | sudo tee -a /etc/hosts`);
        assert.equal(withEips.mysqlVerifyCa, "mysql --host=db.example.com --port=3306 --ssl-mode=VERIFY_CA --ssl-ca=global-bundle.pem");
        assert.equal(withEips.psql, undefined);
        assert.equal(withEips.libpq, undefined);
        const withoutEips = rdsConnectionInfo({ ...base, engine: "mariadb", port: 3306, publicAddresses: [] });
        assert.equal(withoutEips.mysqlHostsEntry, `echo "$(dig +short A ${NLB} | head -n 1) ${RDS_HOST}" | sudo tee -a /etc/hosts`);
    });

    it("another engine gets the verification facts and no client settings", () => {
        const info = rdsConnectionInfo({ ...base, engine: "sqlserver-se", port: 1433, publicAddresses: [] });
        assert.deepEqual(Object.keys(info).sort(), ["caFile", "certificateIssuer", "fixedAddresses", "getCa", "rdsCaCertIdentifier", "restart", "verifyHostname"]);
    });
});

describe("selfManagedConnectionInfo", () => {
    const base = {
        endpointHostname: "legacy.db.example.com",
        port: 3306,
        certificateNames: ["legacy-mysql.internal.example.com", "legacy.db.example.com", "10.0.3.17"],
        certificateExpiresAt: "2027-04-06T00:00:00Z",
        secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-endpoints/dev/db-10.0.3.17-3306/tls-AbCdEf",
        secretName: "db-endpoints/dev/db-10.0.3.17-3306/tls",
    };

    it("MySQL restarted by SSM: verifies the endpoint hostname itself against the stack CA", () => {
        assert.deepEqual(
            selfManagedConnectionInfo({ ...base, engine: "mysql", restartMethod: "ssm-run-command", restartInstanceIds: ["i-0a1b2c3d4e5f60718"] }),
            {
                certificateIssuer: "stack-ca",
                verifyHostname: "legacy.db.example.com",
                certificateNames: base.certificateNames,
                certificateExpiresAt: "2027-04-06T00:00:00Z",
                caFile: "ca.pem",
                getCa: "pulumi stack output caCertificate > ca.pem",
                certificateSecretArn: base.secretArn,
                certificateSecretName: base.secretName,
                instanceRolePolicy: {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ReadItsTlsCertificate",
                            Effect: "Allow",
                            Action: "secretsmanager:GetSecretValue",
                            Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-endpoints/dev/db-10.0.3.17-3306/tls-??????",
                        },
                    ],
                },
                restart: "ssm-run-command",
                restartInstanceIds: ["i-0a1b2c3d4e5f60718"],
                mysql: "mysql --host=legacy.db.example.com --port=3306 --ssl-mode=VERIFY_IDENTITY --ssl-ca=ca.pem",
            },
        );
    });

    it("PostgreSQL restarted by hand: a note says so, and libpq verifies in full", () => {
        const info = selfManagedConnectionInfo({ ...base, engine: "postgres", port: 5432, restartMethod: "manual", restartInstanceIds: [] });
        assert.equal(info.restart, "manual");
        assert.equal(info.restartInstanceIds, undefined);
        assert.equal(
            info.restartNote,
            "database.instanceIds is not set: when the certificate is issued or re-issued, install it from the secret and restart the database yourself",
        );
        assert.equal(info.libpq, "host=legacy.db.example.com port=5432 sslmode=verify-full sslrootcert=ca.pem");
        assert.equal(info.psql, 'psql "host=legacy.db.example.com port=5432 sslmode=verify-full sslrootcert=ca.pem"');
        assert.equal(info.mysql, undefined);
    });

    it("without an engine, settings for both clients", () => {
        const info = selfManagedConnectionInfo({ ...base, restartMethod: "manual", restartInstanceIds: [] });
        assert.ok(info.psql && info.mysql);
    });
});

describe("certificateSecretPolicy", () => {
    it("grants GetSecretValue on the secret's name and Secrets Manager's six-character suffix, in the ARN's partition, region and account", () => {
        assert.deepEqual(certificateSecretPolicy("arn:aws-us-gov:secretsmanager:us-gov-west-1:210987654321:secret:shop/prod/db-10.1.0.5-5432/tls-Zz09Yy", "shop/prod/db-10.1.0.5-5432/tls"), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ReadItsTlsCertificate",
                    Effect: "Allow",
                    Action: "secretsmanager:GetSecretValue",
                    Resource: "arn:aws-us-gov:secretsmanager:us-gov-west-1:210987654321:secret:shop/prod/db-10.1.0.5-5432/tls-??????",
                },
            ],
        });
    });

    it("matches its database's certificate secret, and neither a neighbour's nor an integration's credentials", () => {
        const account = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";
        const { Resource } = certificateSecretPolicy(`${account}db-endpoints/dev/db-10.0.3.17-3306/tls-AbCdEf`, "db-endpoints/dev/db-10.0.3.17-3306/tls").Statement[0];
        const arns = [
            "db-endpoints/dev/db-10.0.3.17-3306/tls-Xy12Zw",
            "db-endpoints/dev/db-10.0.3.17-33060/tls-AbCdEf",
            "db-endpoints/dev/db-10.0.3.17-10.0.3.18-3306/tls-AbCdEf",
            "db-endpoints/dev/db-10.0.3.170-3306/tls-AbCdEf",
            "db-endpoints/dev/db-10.0.3.17-3306/tls-20250101120000000000000001-AbCdEf",
            "db-endpoints/dev/legacy-mysql/tls-20250101120000000000000001-AbCdEf",
            "db-endpoints/prod/db-10.0.3.17-3306/tls-AbCdEf",
        ].map((name) => account + name);
        assert.deepEqual(arns.filter((arn) => iamResourceMatches(Resource, arn)), [arns[0]]);
    });

    it("refuses what is not a Secrets Manager ARN", () => {
        assert.throws(() => certificateSecretPolicy("arn:aws:s3:::bucket", "x"), { message: '"arn:aws:s3:::bucket" is not a Secrets Manager secret ARN' });
    });
});

describe("serverVerification", () => {
    const strengths = (f: Parameters<typeof serverVerification>[0]) => serverVerification(f).map((v) => [v.engine, v.strength, v.fullWith !== undefined]);

    it("self-managed: full for every client, by the endpoint hostname the stack CA's certificate names", () => {
        assert.deepEqual(strengths({ rds: false, engine: DatabaseEngine.Mysql, fixedAddresses: false }), [["mysql", "full", false]]);
        assert.deepEqual(strengths({ rds: false, fixedAddresses: true }), [
            ["postgres", "full", false],
            ["mysql", "full", false],
        ]);
        assert.match(serverVerification({ rds: false, fixedAddresses: false })[0].why, /names every endpoint hostname/);
    });

    it("RDS: full for libpq (hostaddr and host), the chain only for the mysql client unless a hosts-file entry; both while the engine is unknown", () => {
        const fixed = serverVerification({ rds: true, fixedAddresses: true });
        assert.deepEqual(
            fixed.map((v) => [v.engine, v.strength]),
            [
                ["postgres", "full"],
                ["mysql", "chain only"],
            ],
        );
        assert.match(fixed[0].why, /connects to the Elastic IPs \(hostaddr\) and verifies the RDS hostname \(host\)/);
        assert.match(fixed[1].why, /VERIFY_CA through the endpoint proves an RDS CA issued the certificate, not that it is this instance/);
        assert.match(fixed[1].fullWith!, /hosts-file entry that maps the RDS hostname to the Elastic IPs/);
        const moving = serverVerification({ rds: true, fixedAddresses: false });
        assert.match(moving[0].why, /resolved when connecting/);
        assert.match(moving[1].fullWith!, /it can change: use Elastic IPs/);
    });
});
