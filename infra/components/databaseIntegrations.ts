/**
 * The DatabaseIntegrations component: least-privileged database users for the integrations of one
 * database. Its constructor runs the phases in order: the checks of the args known when it is declared
 * (databaseIntegrations/plan.ts), the admin login (adminCredential.ts), the checks once outputs resolve
 * (deployChecks.ts), the wait for a healthy endpoint target, and the provider, users, grants and secrets
 * (declare.ts). Its args are in databaseIntegrations/args.ts, its enums in infra/enums.ts.
 */
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import * as pulumi from "@pulumi/pulumi";
import { awsSdkClientConfig } from "../hooks/support";
import { waitForHealthyTarget } from "../targetHealth";
import { readAdminLogin } from "./databaseIntegrations/adminCredential";
import type { DatabaseIntegrationsArgs } from "./databaseIntegrations/args";
import { connectionDatabase } from "./databaseIntegrations/credentialsSecret";
import { declareIntegrations } from "./databaseIntegrations/declare";
import { CheckedFacts, checkResolved } from "./databaseIntegrations/deployChecks";
import { planDatabaseIntegrations } from "./databaseIntegrations/plan";
import { shareLookups } from "./support/lookups";

export { DatabaseIntegrationsArgs, Integration } from "./databaseIntegrations/args";
export { IntegrationsPlan, planDatabaseIntegrations } from "./databaseIntegrations/plan";

const COMPONENT_TYPE = "db-endpoints:index:DatabaseIntegrations";

/**
 * Least-privileged database users for the integrations of one database: the admin credential is never
 * handed to an external service, and each can be audited and rotated alone. Per integration: a login user with a generated password,
 * exactly the grants its access level needs on the listed schemas or tables, default privileges for
 * tables created later, TLS required where the engine can require it per user (MySQL `REQUIRE SSL`), and
 * an AWS Secrets Manager secret with a ready connection URL through the endpoint. The users are created
 * through a PostgreSQL or MySQL provider that logs in with the admin secret, through the endpoint or
 * directly from inside the VPC.
 */
export class DatabaseIntegrations extends pulumi.ComponentResource {
    /** The engine the users were created for (`postgres` or `mysql`). */
    public readonly engine: pulumi.Output<string>;
    /** Database user name per integration. */
    public readonly usernames: pulumi.Output<Record<string, string>>;
    /** ARN of the credentials secret per integration (the secret holds the password; this output does not). */
    public readonly secretArns: pulumi.Output<Record<string, string>>;
    /** Name of the credentials secret per integration. */
    public readonly secretNames: pulumi.Output<Record<string, string>>;
    /** The database each integration's connection uses (the `dbname` in its credentials secret), per integration. */
    public readonly databases: pulumi.Output<Record<string, string>>;
    /** Host the database provider connects to with the admin login. */
    public readonly adminHost: pulumi.Output<string>;
    /** TLS verification of the admin connection: `verify-full`/`verify-ca` (PostgreSQL sslmode) or `true` (MySQL, full). */
    public readonly adminSslMode: pulumi.Output<string>;

    constructor(name: string, args: DatabaseIntegrationsArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planDatabaseIntegrations(name, args);
        super(COMPONENT_TYPE, name, {}, opts);
        shareLookups(this, opts?.parent);
        const child = { parent: this };

        // The admin login, read by `pulumi up` and kept secret: it only configures the provider. A preview
        // never reads it: the role that runs previews (e.g. for pull requests) must not be able to read the
        // admin password, so there the login is unknown and the provider shows as configured at deployment.
        const preview = pulumi.runtime.isDryRun();
        const { credential, adminUsername } = readAdminLogin(args.adminSecretArn, preview, child);

        // Engine, database name, the integrations' output-valued fields and the admin user, checked before
        // any user or grant is declared.
        const facts: pulumi.Output<CheckedFacts> = pulumi
            .all([args.engine, args.dbName, args.adminSslRootCert, adminUsername, pulumi.output(args.integrations)])
            .apply(([engine, dbName, adminSslRootCert, username, integrations]) =>
                checkResolved(this, name, plan, { engine, dbName, adminSslRootCert, adminUsername: username, integrations, preview }),
            );

        // Through the endpoint, `pulumi up` declares the users once a target is healthy: the load balancer routes
        // nothing to a target that is still registering, so the provider would fail to connect on a first
        // deployment. After the checks (a refused config never waits), and after this component's dependencies
        // exist (its URN resolves once they do), so the wait does not start before the listener and targets.
        const hasTargetGroup = args.targetGroupArn !== undefined && args.targetGroupArn !== null;
        const waitMinutes = plan.adminConnection === "endpoint" && hasTargetGroup && !preview ? plan.targetHealthTimeoutMinutes : 0;
        if (plan.adminConnection === "endpoint" && !hasTargetGroup) {
            void pulumi.log.warn(
                "targetGroupArn is not set: pulumi up does not wait for the endpoint's target to be healthy before the admin connection, " +
                    "which fails while a new target is still registering (pass DatabaseEndpoint.targetGroupArn)",
                this,
            );
        }
        const ready: pulumi.Output<CheckedFacts> =
            waitMinutes === 0
                ? facts
                : pulumi.all([facts, args.targetGroupArn!, this.urn]).apply(async ([f, targetGroupArn]) => {
                      await waitForEndpointTarget(this, name, targetGroupArn, waitMinutes);
                      return f;
                  });

        const built = ready.apply((f) => declareIntegrations(this, name, args, plan, f, credential));

        this.engine = facts.apply((f) => f.engine);
        this.usernames = pulumi.output(Object.fromEntries(plan.integrations.map((i) => [i.name, i.name])));
        this.secretArns = built.apply((b) => b.secretArns);
        this.secretNames = built.apply((b) => b.secretNames);
        this.databases = facts.apply((f) => Object.fromEntries(f.integrations.map((i) => [i.name, connectionDatabase(f.engine, i, f.dbName)])));
        this.adminHost = built.apply((b) => b.adminHost);
        this.adminSslMode = built.apply((b) => b.adminSslMode);
        this.registerOutputs({
            engine: this.engine,
            usernames: this.usernames,
            secretArns: this.secretArns,
            secretNames: this.secretNames,
            databases: this.databases,
            adminHost: this.adminHost,
            adminSslMode: this.adminSslMode,
        });
    }
}

/**
 * Waits, at most `minutes`, until a target of `targetGroupArn` is healthy, logging progress on the component;
 * throws the wait's error (endpoint, target group, targets' states and reasons, what to check) otherwise.
 */
async function waitForEndpointTarget(parent: pulumi.Resource, name: string, targetGroupArn: string, minutes: number): Promise<void> {
    const client = new ElasticLoadBalancingV2Client(awsSdkClientConfig());
    try {
        const result = await waitForHealthyTarget(client, {
            endpoint: name,
            targetGroupArn,
            timeoutMs: minutes * 60_000,
            log: (message) => void pulumi.log.info(message, parent),
        });
        void pulumi.log.info(result.message, parent);
    } finally {
        client.destroy();
    }
}
