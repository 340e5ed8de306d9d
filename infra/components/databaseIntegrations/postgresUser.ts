/**
 * One integration's PostgreSQL user: a login role given the SCRAM-SHA-256 verifier of its password, and
 * the grants and default privileges its access level plans.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { OwnerRef, planPostgresGrants } from "../../integrations/grants";
import type { IntegrationSpec } from "../../integrations/integrationSpec";
import { SCRAM_SALT_BYTES, scramSha256Verifier } from "../../integrations/scram";

/**
 * Declares the role and its grants through `provider`. `generated`: the integration's password;
 * `adminUsername`: the owner of future tables when `owners` names the admin user.
 */
export function declarePostgresUser(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource,
    id: string,
    integration: IntegrationSpec,
    generated: random.RandomPassword,
    keepers: Record<string, string>,
    dbName: string,
    owners: OwnerRef[],
    adminUsername: pulumi.Output<string>,
): { user: pulumi.Resource; grants: pulumi.Resource[] } {
    const child = { parent };
    const withProvider = { parent, provider };
    const grants: pulumi.Resource[] = [];
    // The role gets the password's SCRAM-SHA-256 verifier, never the plaintext: CREATE/ALTER ROLE
    // statements reach the server's logs (log_statement = ddl, pgaudit ROLE) and PostgreSQL stores a
    // verifier given there as is. The salt is kept in the state, so the verifier (and the role) only
    // changes when the password does; a new rotation trigger draws a new salt with the new password.
    const salt = new random.RandomBytes(`${id}-password-salt`, { length: SCRAM_SALT_BYTES, keepers }, child);
    const verifier = pulumi.secret(
        pulumi.all([generated.result, salt.base64]).apply(([plaintext, saltBase64]) => scramSha256Verifier(plaintext, Buffer.from(saltBase64, "base64"))),
    );
    const role = new postgresql.Role(
        `${id}-user`,
        {
            name: integration.name,
            login: true,
            // With the provider's `superuser: false` the provider never reads the stored verifier
            // back (pg_shadow), so the state's value is what it diffs against: no perpetual update.
            password: verifier,
            connectionLimit: integration.connectionLimit ?? -1,
            superuser: false,
            createDatabase: false,
            createRole: false,
            replication: false,
            bypassRowLevelSecurity: false,
        },
        withProvider,
    );
    const pgPlan = planPostgresGrants(integration, owners);
    for (const g of pgPlan.grants) {
        grants.push(
            new postgresql.Grant(
                `${id}-${g.suffix}`,
                {
                    database: dbName,
                    role: role.name,
                    objectType: g.objectType,
                    ...(g.schema !== undefined ? { schema: g.schema } : {}),
                    ...(g.objects !== undefined ? { objects: g.objects } : {}),
                    privileges: g.privileges,
                    withGrantOption: false,
                },
                withProvider,
            ),
        );
    }
    for (const d of pgPlan.defaultPrivileges) {
        grants.push(
            new postgresql.DefaultPrivileges(
                `${id}-${d.suffix}`,
                {
                    database: dbName,
                    role: role.name,
                    owner: d.owner.role ?? adminUsername,
                    schema: d.schema,
                    objectType: d.objectType,
                    privileges: d.privileges,
                    withGrantOption: false,
                },
                withProvider,
            ),
        );
    }
    return { user: role, grants };
}
