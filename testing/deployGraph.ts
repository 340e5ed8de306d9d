/**
 * The deploy-time model's input: the real resource graph of a realistic stack of N endpoints, as the stack program
 * registers it under the mock runtime (every resource with its parent and the URNs it depends on), turned into the
 * steps of testing/deployModel.ts with the durations of testing/deployDurations.ts.
 *
 * Each step waits for what the engine makes it wait for: the resources it depends on (explicit `dependsOn` and the
 * resources its inputs come from, as the SDK expands components into their resources) and its parent (a child's
 * registration waits for its parent's URN, which resolves once the parent's own dependencies are done: so a
 * component's `dependsOn` holds back all its children). Explicit providers are not edges: the database providers
 * take no time and depend on nothing their resources' component does not already wait for.
 *
 * The realistic stack (`deployModelStack`): endpoint i is, alternately, an RDS PostgreSQL instance of its own with
 * an integration (admin login from the instance's secret, restart hook, target sync) and a self-managed PostgreSQL
 * server on EC2 with its certificate from the stack's CA, restarted by SSM, a Route 53 hostname and an integration;
 * every endpoint has the connection audit; the stack has alarms to an email address and the upkeep function. The
 * kinds alternate, so a stack of two or more endpoints has both.
 */
import * as pulumi from "@pulumi/pulumi";
import { DatabaseEngine } from "../infra/enums";
import { engineOfRds } from "../infra/integrations/engines";
import { healthCheckTiming } from "../infra/model/healthChecks";
import { parseStackConfig } from "../infra/program/config";
import { createSeconds, Duration, hookSeconds, targetHealthWait } from "./deployDurations";
import type { DeployStep } from "./deployModel";
import { exampleWorld, FakeWorld, MockCloud, settle } from "./mockCloud";
import type { Registration } from "./recorder";

const VPC = "vpc-0a1b2c3d4e5f60718";
const PUBLIC_SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const ZONE = "Z0123456789ABCDEFGHIJ";

const rdsSecret = (i: number) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-${i}-AbCdEf`;
const selfSecret = (i: number) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:app-${i}/admin-AbCdEf`;
const rdsAddress = (i: number) => `db-${i}.c9akciq32.us-east-1.rds.amazonaws.com`;

/** The kinds of endpoint in {@link deployModelStack}. */
export type EndpointKind = "rds" | "self-managed";

/** The kind of endpoint `i` of a {@link deployModelStack} whose first endpoint is of kind `first`: the kinds alternate. */
export function endpointKind(i: number, first: EndpointKind): EndpointKind {
    return (i % 2 === 0) === (first === "rds") ? "rds" : "self-managed";
}

/**
 * The realistic stack of `endpoints` endpoints, the first of kind `first` and the kinds alternating: its stack
 * config and the AWS account it is deployed into.
 */
export function deployModelStack(endpoints: number, first: EndpointKind = "rds"): { config: Record<string, unknown>; world: FakeWorld } {
    const world = exampleWorld();
    const template = world.instances["prod-postgres"];
    const config = {
        vpcId: VPC,
        publicSubnetIds: PUBLIC_SUBNETS,
        alarms: { emails: ["oncall@example.com"] },
        endpoints: Array.from({ length: endpoints }, (_, i) => {
            const integrations = [{ name: "metabase", access: "read", schemas: ["public"] }];
            if (endpointKind(i, first) === "rds") {
                const id = `db-${i}`;
                world.instances[id] = {
                    ...template,
                    address: rdsAddress(i),
                    dbInstanceIdentifier: id,
                    dbInstanceArn: `arn:aws:rds:us-east-1:123456789012:db:${id}`,
                };
                world.dns[rdsAddress(i)] = [`10.0.2.${10 + i}`];
                world.secrets![rdsSecret(i)] = { secretString: JSON.stringify({ username: "postgres_admin", password: `password-${i}` }) };
                return {
                    name: `rds-${i}`,
                    database: { rdsInstanceIdentifier: id, adminSecretArn: rdsSecret(i), adminSslRootCert: "global-bundle.pem" },
                    allowedCidrs: ["203.0.113.0/24", "2001:db8:1234::/48"],
                    integrations,
                };
            }
            world.secrets![selfSecret(i)] = { secretString: JSON.stringify({ username: "dba", password: `password-${i}` }) };
            return {
                name: `app-${i}`,
                database: {
                    addresses: [`10.0.3.${10 + i}`],
                    port: 5432,
                    engine: "postgres",
                    dbName: "app",
                    adminSecretArn: selfSecret(i),
                    instanceIds: [`i-0a1b2c3d4e5f6${String(i).padStart(4, "0")}`],
                },
                allowedCidrs: ["198.51.100.7/32"],
                hostname: `app-${i}.db.example.com`,
                hostedZoneId: ZONE,
                integrations,
            };
        }),
    };
    return { config, world };
}

/** What the model needs of a registration: what it is, its parent, its dependencies and hooks (not its inputs). */
export type GraphNode = Pick<Registration, "type" | "name" | "parent" | "custom" | "hooks" | "dependencies">;

/** What the model needs of one run of the program: the registrations, and the waits for targets' health. */
export interface CapturedGraph {
    registrations: GraphNode[];
    /** Each DatabaseIntegrations component that waits for its endpoint's target to be healthy, with the database's engine. */
    targetHealthWaits: { component: string; engine: DatabaseEngine }[];
    stack: string;
    project: string;
}

/**
 * Runs the stack program on `config` in the installed mock cloud (through `run`: tests pass
 * testing/stackProgram.ts `runStackProgram`, which checks every config a test runs) and returns its graph.
 */
export async function captureDeployGraph(cloud: MockCloud, run: (raw: Record<string, unknown>) => unknown, config: Record<string, unknown>): Promise<CapturedGraph> {
    cloud.reset(cloud.world);
    run(config);
    await settle();
    if (cloud.asyncErrors.length > 0) throw new Error(`the program failed: ${cloud.asyncErrors.map((e) => e.message).join("; ")}`);
    const spec = parseStackConfig(config).spec;
    const targetHealthWaits = spec.endpoints.flatMap((e) => {
        const admin = e.database.admin;
        // The component waits only through the endpoint, and only with a wait of more than no minutes.
        if (!e.integrations || !admin || admin.connection !== "endpoint" || admin.targetHealthTimeoutMinutes === 0) return [];
        const engine =
            e.database.kind === "rds" ? engineOfRds(cloud.world.instances[e.database.rdsInstanceIdentifier].engine) : (e.database.engine ?? DatabaseEngine.Postgres);
        if (engine === undefined) throw new Error(`endpoint ${e.name}: the model knows no engine for its database`);
        return [{ component: e.name, engine }];
    });
    const registrations = cloud.registered.map(({ type, name, parent, custom, hooks, dependencies }) => ({ type, name, parent, custom, hooks, dependencies }));
    return { registrations, targetHealthWaits, stack: pulumi.getStack(), project: pulumi.getProject() };
}

/** A registration's URN as the mock runtime makes it: its parent's own type before its type (pulumi/pulumi sdk/nodejs/runtime/mocks.ts). */
export function urnOf(r: GraphNode, stack: string, project: string): string {
    const type = r.parent ? `${r.parent.split("::")[2].split("$").pop()}$${r.type}` : r.type;
    return `urn:pulumi:${stack}::${project}::${type}::${r.name}`;
}

const INTEGRATIONS_TYPE = "db-endpoints:index:DatabaseIntegrations";

/**
 * The steps of a first deployment of the captured graph, with the `low` or `high` durations: one per registration
 * (its create and its `afterCreate` hooks), and one per target-health wait, which every resource of its
 * DatabaseIntegrations component comes after.
 */
export function deploySteps(graph: CapturedGraph, scenario: "low" | "high"): DeployStep[] {
    const urns = graph.registrations.map((r) => urnOf(r, graph.stack, graph.project));
    const known = new Set(urns);
    if (known.size !== urns.length) throw new Error("two registrations have the same URN");
    const waits = new Map<string, DeployStep>();
    for (const w of graph.targetHealthWaits) {
        const index = graph.registrations.findIndex((r) => r.type === INTEGRATIONS_TYPE && r.name === w.component);
        if (index < 0) throw new Error(`no ${INTEGRATIONS_TYPE} named ${w.component} was registered`);
        const wait: Duration = targetHealthWait(healthCheckTiming(w.engine));
        waits.set(urns[index], { id: `wait:${urns[index]}`, label: `target health wait ${w.component}`, seconds: wait[scenario], worker: false, dependsOn: [urns[index]] });
    }
    const steps = graph.registrations.map((r, i): DeployStep => {
        const hooks = (r.hooks.afterCreate ?? []).map(hookSeconds);
        const seconds = [createSeconds(r.type, r.custom), ...hooks].reduce((sum, d) => sum + d[scenario], 0);
        const dependsOn = [...r.dependencies];
        if (r.parent && known.has(r.parent)) dependsOn.push(r.parent);
        const wait = waits.get(r.parent);
        if (wait) dependsOn.push(wait.id);
        for (const d of dependsOn) if (!known.has(d) && !d.startsWith("wait:")) throw new Error(`${r.type} ${r.name} depends on ${d}, which was not registered`);
        return { id: urns[i], label: `${r.type.split(":").pop()} ${r.name}`, seconds, worker: true, dependsOn };
    });
    return [...steps, ...waits.values()];
}
