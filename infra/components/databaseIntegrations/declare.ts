/**
 * The resources of DatabaseIntegrations, declared once the engine is known and the facts are checked:
 * the admin provider, then per integration its password, its user and grants (per engine) and its
 * credentials secret, and the outputs they give.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AdminCredential } from "../../integrations/adminSecret";
import { ownersOf } from "../../integrations/grants";
import { stampedTags } from "../support/tags";
import { declareAdminProvider, mysqlTrustNotice } from "./adminProvider";
import type { DatabaseIntegrationsArgs } from "./args";
import { declareCredentialsSecret } from "./credentialsSecret";
import type { CheckedFacts } from "./deployChecks";
import { declareMysqlUser } from "./mysqlUser";
import type { IntegrationsPlan } from "./plan";
import { declarePostgresUser } from "./postgresUser";

/** The component's outputs that depend on the declared resources. */
export interface Built {
    secretArns: Record<string, string>;
    secretNames: Record<string, string>;
    adminHost: string;
    adminSslMode: string;
}

/** Declares the provider, users, grants and secrets once the engine is known and the facts are checked. */
export function declareIntegrations(
    parent: pulumi.ComponentResource,
    name: string,
    args: DatabaseIntegrationsArgs,
    plan: IntegrationsPlan,
    facts: CheckedFacts,
    credential: pulumi.Output<AdminCredential>,
): pulumi.Output<Built> {
    const child = { parent };
    const engine = facts.engine;
    const preview = pulumi.runtime.isDryRun();
    const { provider, settings, username, stackCaDefault, stackCaFile } = declareAdminProvider(parent, name, args, plan, facts, credential);
    const tags = stampedTags(args.tags, { "db-endpoints:endpoint": name });
    const prefix = args.secretNamePrefix ?? `db-endpoints/${pulumi.getStack()}/${name}/`;
    const owners = ownersOf(plan.objectOwners);

    const secretArns: Record<string, pulumi.Output<string>> = {};
    const secretNames: Record<string, pulumi.Output<string>> = {};
    facts.integrations.forEach((integration) => {
        const id = `${name}-${integration.name}`;
        const keepers = { rotation: integration.rotation ?? "" };
        const generated = new random.RandomPassword(
            `${id}-password`,
            {
                length: 40,
                // Letters and digits only (about 238 bits): safe unescaped in every client's configuration.
                special: false,
                keepers,
            },
            child,
        );
        const secretPassword = pulumi.secret(generated.result);

        const { user, grants } =
            engine === "postgres"
                ? declarePostgresUser(parent, provider, id, integration, generated, keepers, facts.dbName!, owners, username)
                : declareMysqlUser(parent, provider, id, integration, secretPassword);

        const secret = declareCredentialsSecret(parent, name, id, args, plan, facts, integration, prefix, tags, secretPassword, user, grants);
        secretArns[integration.name] = secret.arn;
        secretNames[integration.name] = secret.name;
    });

    // MySQL's provider cannot be given the file: say how to put the CA in its trust store (pulumi up only, like
    // the trust-store check of adminSslRootCert). Part of the outputs, so a bad bundle is reported.
    const trustNotice = engine === "mysql" && stackCaDefault && !preview ? mysqlTrustNotice(parent, name, stackCaFile, args.adminCaCertificatePem) : undefined;

    return pulumi.all([pulumi.all(secretArns), pulumi.all(secretNames), settings, trustNotice]).apply(([arns, names, s]) => ({
        secretArns: arns,
        secretNames: names,
        adminHost: s.host,
        adminSslMode: s.tlsMode,
    }));
}
