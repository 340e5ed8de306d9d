/**
 * Whether the MySQL provider's trust store holds the admin CA bundle (infra/integrations/mysqlTrustStore.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkMysqlTrustStore, DeployerEnvironment } from "../../infra/integrations/mysqlTrustStore";
import { formatProblem, Problems } from "../../infra/validation";

describe("whether the MySQL provider's trust store holds the admin CA bundle", () => {
    const linux = (env: Record<string, string | undefined>): DeployerEnvironment => ({ platform: "linux", env, cwd: "/work/project" });
    function check(bundle: string, deployer: DeployerEnvironment): { checked: boolean; errors: string[] } {
        const problems = new Problems();
        const checked = checkMysqlTrustStore(problems, "endpoints[0].database.adminSslRootCert", bundle, deployer);
        return { checked, errors: problems.errors.map(formatProblem) };
    }

    it("on Linux: SSL_CERT_FILE naming the bundle, or SSL_CERT_DIR (else Go's default directories) listing its directory", () => {
        const ok = { checked: true, errors: [] };
        assert.deepEqual(check("/opt/rds/global-bundle.pem", linux({ SSL_CERT_FILE: "/opt/rds/global-bundle.pem" })), ok);
        // Relative paths resolve from the project directory, where pulumi runs the program and the providers.
        assert.deepEqual(check("global-bundle.pem", linux({ SSL_CERT_FILE: "/work/project/global-bundle.pem" })), ok);
        assert.deepEqual(check("certs/global-bundle.pem", linux({ SSL_CERT_DIR: "/etc/ssl/certs:certs" })), ok);
        assert.deepEqual(check("/opt/rds/global-bundle.pem", linux({ SSL_CERT_DIR: "/etc/ssl/certs:/opt/rds/" })), ok);
        assert.deepEqual(check("/etc/ssl/certs/rds.pem", linux({})), ok);
        assert.deepEqual(check("/etc/pki/tls/certs/rds.pem", linux({ SSL_CERT_FILE: "/etc/pki/tls/certs/ca-bundle.crt" })), ok);
    });

    it("on Linux, refuses a bundle Go would not read, naming the variables and what to run", () => {
        const refused = (bundle: string, fileVar: string, dirVar: string, dir: string) =>
            `endpoints[0].database.adminSslRootCert: ${JSON.stringify(bundle)} is not in the MySQL provider's trust store: the provider cannot be given a CA bundle ` +
            "(its tls setting is only true, false or skip-verify) and verifies against Go's, which reads SSL_CERT_FILE and the SSL_CERT_DIR directories " +
            `(now ${fileVar} and ${dirVar}). Run pulumi up with SSL_CERT_DIR=/etc/ssl/certs:${dir} (keeping the system's CAs for the other providers)`;
        assert.deepEqual(check("global-bundle.pem", linux({})), { checked: true, errors: [refused("global-bundle.pem", "unset", "unset", "/work/project")] });
        // A set SSL_CERT_DIR replaces Go's default directories.
        assert.deepEqual(check("/etc/ssl/certs/rds.pem", linux({ SSL_CERT_DIR: "/opt/other" })), {
            checked: true,
            errors: [refused("/etc/ssl/certs/rds.pem", "unset", '"/opt/other"', "/etc/ssl/certs")],
        });
        assert.deepEqual(check("/opt/rds/global-bundle.pem", linux({ SSL_CERT_FILE: "/opt/rds/other.pem", SSL_CERT_DIR: "/opt/rds/sub" })), {
            checked: true,
            errors: [refused("/opt/rds/global-bundle.pem", '"/opt/rds/other.pem"', '"/opt/rds/sub"', "/opt/rds")],
        });
    });

    it("elsewhere (macOS, Windows: Go asks the operating system) cannot check, and says so", () => {
        for (const platform of ["darwin", "win32"]) {
            assert.deepEqual(check("/opt/rds/global-bundle.pem", { platform, env: {}, cwd: "/work/project" }), { checked: false, errors: [] });
        }
    });
});
