/**
 * One integration's credentials secret: a Secrets Manager secret holding its connection (user, password,
 * TLS settings and a ready URL through the endpoint), published once its user and grants exist.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { clientConnection, DEFAULT_SSL_ROOT_CERT } from "../../integrations/clientConnection";
import type { IntegrationSpec } from "../../integrations/integrationSpec";
import type { DatabaseIntegrationsArgs } from "./args";
import type { CheckedFacts } from "./deployChecks";
import type { IntegrationsPlan } from "./plan";
import type { DatabaseEngine } from "../../enums";

/**
 * Declares the secret (named `prefix` + the integration's name) and its value, which waits for `user`
 * and every one of `grants`.
 */
export function declareCredentialsSecret(
    parent: pulumi.Resource,
    name: string,
    id: string,
    args: DatabaseIntegrationsArgs,
    plan: IntegrationsPlan,
    facts: CheckedFacts,
    integration: IntegrationSpec,
    prefix: pulumi.Input<string>,
    tags: pulumi.Output<Record<string, string>>,
    secretPassword: pulumi.Output<string>,
    user: pulumi.Resource,
    grants: pulumi.Resource[],
): aws.secretsmanager.Secret {
    const child = { parent };
    const engine: DatabaseEngine = facts.engine;
    const secret = new aws.secretsmanager.Secret(
        `${id}-credentials`,
        {
            namePrefix: pulumi.interpolate`${prefix}${integration.name}-`,
            description: `db-endpoints ${name}: connection of integration ${integration.name} (${integration.access} access, its own database user)`,
            kmsKeyId: args.secretKmsKeyId,
            tags: tags.apply((t) => ({ ...t, "db-endpoints:integration": integration.name })),
        },
        child,
    );
    const defaultCert = plan.rds ? DEFAULT_SSL_ROOT_CERT.rds : DEFAULT_SSL_ROOT_CERT.selfManaged;
    const sslRootCert = integration.sslRootCert ?? defaultCert;
    const secretString = pulumi
        .all([args.endpointHostname, args.endpointPort, args.endpointAddresses ?? [], args.rdsAddress, secretPassword])
        .apply(([endpointHostname, endpointPort, endpointAddresses, rdsAddress, pw]) =>
            JSON.stringify(
                clientConnection({
                    engine,
                    rds: plan.rds,
                    endpointHostname,
                    endpointPort,
                    endpointAddresses,
                    rdsAddress,
                    dbName: connectionDatabase(engine, integration, facts.dbName),
                    username: integration.name,
                    password: pw,
                    sslRootCert,
                }),
            ),
        );
    // Published once the user and every grant exist, so whoever reads the secret can use it at once.
    new aws.secretsmanager.SecretVersion(
        `${id}-credentials-value`,
        { secretId: secret.id, secretString: pulumi.secret(secretString) },
        { parent, dependsOn: [user, ...grants] },
    );
    return secret;
}

/**
 * The database an integration's connection uses: PostgreSQL, the configured one (its schemas are in it); MySQL,
 * the configured database when the integration may use it, else its first schema (a database).
 */
export function connectionDatabase(engine: DatabaseEngine, integration: IntegrationSpec, dbName: string | undefined): string {
    if (engine === "postgres") return dbName!;
    return dbName !== undefined && integration.schemas.includes(dbName) ? dbName : integration.schemas[0];
}
