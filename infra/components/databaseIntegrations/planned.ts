/**
 * The resources a DatabaseIntegrations component declares once the engine is known, by type and name, in the
 * order it declares them (declare.ts and the per-engine user modules): the admin provider, then per integration its
 * password, its user and grants, and its credentials secret. For an RDS instance the engine is read from the
 * instance at deploy, so a preview (and the offline plan) cannot register them; this says what they will be.
 * Plain data: the tests compare it with what the component registers when the engine is known.
 */
import type { DatabaseEngine } from "../../enums";
import { OwnerRef, planMysqlGrants, planPostgresGrants } from "../../integrations/grants";
import type { IntegrationSpec } from "../../integrations/integrationSpec";

/** A resource the component will declare. */
export interface PlannedResource {
    type: string;
    name: string;
    /** The integration it belongs to; undefined for the component's admin provider. */
    integration?: string;
}

/** The resources of DatabaseIntegrations `name` for `engine`; `owners`: whose new tables default privileges follow (PostgreSQL). */
export function plannedIntegrationResources(name: string, engine: DatabaseEngine, integrations: IntegrationSpec[], owners: OwnerRef[]): PlannedResource[] {
    const resources: PlannedResource[] = [
        engine === "postgres" ? { type: "pulumi:providers:postgresql", name: `${name}-postgresql` } : { type: "pulumi:providers:mysql", name: `${name}-mysql` },
    ];
    for (const integration of integrations) {
        const id = `${name}-${integration.name}`;
        const of = (type: string, suffix: string): PlannedResource => ({ type, name: `${id}-${suffix}`, integration: integration.name });
        resources.push(of("random:index/randomPassword:RandomPassword", "password"));
        if (engine === "postgres") {
            const plan = planPostgresGrants(integration, owners);
            resources.push(of("random:index/randomBytes:RandomBytes", "password-salt"), of("postgresql:index/role:Role", "user"));
            for (const g of plan.grants) resources.push(of("postgresql:index/grant:Grant", g.suffix));
            for (const d of plan.defaultPrivileges) resources.push(of("postgresql:index/defaultPrivileges:DefaultPrivileges", d.suffix));
        } else {
            resources.push(of("mysql:index/user:User", "user"));
            for (const g of planMysqlGrants(integration)) resources.push(of("mysql:index/grant:Grant", g.suffix));
        }
        resources.push(of("aws:secretsmanager/secret:Secret", "credentials"), of("aws:secretsmanager/secretVersion:SecretVersion", "credentials-value"));
    }
    return resources;
}
