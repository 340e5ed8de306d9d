/**
 * One integration's MySQL user: required to use TLS, with the grants its access level plans.
 */
import * as mysql from "@pulumi/mysql";
import * as pulumi from "@pulumi/pulumi";
import { planMysqlGrants } from "../../integrations/grants";
import type { IntegrationSpec } from "../../integrations/integrationSpec";

/** Declares the user, with the password `secretPassword`, and its grants through `provider`. */
export function declareMysqlUser(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource,
    id: string,
    integration: IntegrationSpec,
    secretPassword: pulumi.Output<string>,
): { user: pulumi.Resource; grants: pulumi.Resource[] } {
    const withProvider = { parent, provider };
    const grants: pulumi.Resource[] = [];
    const mysqlUser = new mysql.User(
        `${id}-user`,
        {
            user: integration.name,
            // Any source: the database sees the endpoint's private addresses, and the allowlist guards the endpoint.
            host: "%",
            plaintextPassword: secretPassword,
            // CREATE USER ... REQUIRE SSL: the server refuses this user over a plain connection.
            tlsOption: "SSL",
        },
        withProvider,
    );
    for (const g of planMysqlGrants(integration)) {
        grants.push(
            new mysql.Grant(
                `${id}-${g.suffix}`,
                {
                    user: mysqlUser.user,
                    host: mysqlUser.host,
                    database: g.database,
                    table: g.table,
                    privileges: g.privileges,
                    grant: false,
                    // The provider appends REQUIRE <tlsOption> to GRANT on MySQL 5.7 (default NONE, which
                    // would lift the user's REQUIRE SSL); keep it SSL.
                    tlsOption: "SSL",
                },
                withProvider,
            ),
        );
    }
    return { user: mysqlUser, grants };
}
