/**
 * The SQL that @pulumi/postgresql's provider (cyrilgdn/terraform-provider-postgresql) runs for the role, grants
 * and default privileges the DatabaseIntegrations component declares (infra/integrations/grants.ts plans
 * them), so that tests can create an integration's user on a real server exactly as `pulumi up` would. Restated
 * from the provider's postgresql/resource_postgresql_role.go (CREATE ROLE), resource_postgresql_grant.go
 * (createGrantQuery) and resource_postgresql_default_privileges.go: identifiers quoted as pq.QuoteIdentifier
 * quotes them, privileges joined with `,`, never WITH GRANT OPTION (the component sets it false).
 */
import type { PostgresPlan } from "../infra/integrations/grants";

/** `"name"`, doubling inner quotes. */
function quote(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** The role as the component declares it: LOGIN with the password's SCRAM-SHA-256 verifier. */
export function createRoleStatement(role: string, verifier: string): string {
    return `CREATE ROLE ${quote(role)} WITH ENCRYPTED PASSWORD '${verifier}' LOGIN`;
}

/** The provider's statements for `plan`: grants, then default privileges (owner `adminUser` unless a role is named). */
export function grantStatements(plan: PostgresPlan, role: string, database: string, adminUser: string): string[] {
    const statements: string[] = [];
    for (const g of plan.grants) {
        const privileges = g.privileges.join(",");
        switch (g.objectType) {
            case "database":
                statements.push(`GRANT ${privileges} ON DATABASE ${quote(database)} TO ${quote(role)}`);
                break;
            case "schema":
                statements.push(`GRANT ${privileges} ON SCHEMA ${quote(g.schema!)} TO ${quote(role)}`);
                break;
            case "table":
            case "sequence":
                statements.push(
                    g.objects && g.objects.length > 0
                        ? `GRANT ${privileges} ON ${g.objectType.toUpperCase()} ${g.objects.map((o) => `${quote(g.schema!)}.${quote(o)}`).join(",")} TO ${quote(role)}`
                        : `GRANT ${privileges} ON ALL ${g.objectType.toUpperCase()}S IN SCHEMA ${quote(g.schema!)} TO ${quote(role)}`,
                );
                break;
        }
    }
    for (const d of plan.defaultPrivileges) {
        statements.push(
            `ALTER DEFAULT PRIVILEGES FOR ROLE ${quote(d.owner.role ?? adminUser)} IN SCHEMA ${quote(d.schema)} GRANT ${d.privileges.join(",")} ON ${d.objectType.toUpperCase()}S TO ${quote(role)}`,
        );
    }
    return statements;
}
