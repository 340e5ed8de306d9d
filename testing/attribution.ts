/**
 * Whose each registered resource is: the component of the product it belongs to (an endpoint, a shared load
 * balancer, a self-managed database's certificate, the CA, target sync, integrations, ...) and the endpoints whose
 * cost it is. Read off the registrations and the validated model only, so that a resource a new component adds is
 * attributed without this knowing it: by the component it is under, else by the `db-endpoints:endpoint`,
 * `db-endpoints:database` or `db-endpoints:certificate` tag the product's resources carry (an alarm names the endpoint
 * or the certificate it watches), else to the stack as a whole. Shared by the offline plan and the benchmark.
 */
import type { CostedResource } from "../infra/cost/estimate";
import type { StackSpec } from "../infra/model/spec";
import { Registration, UNKNOWN } from "./recorder";
import { urnOf } from "./updates";

/** The component the stack program declares: every other component is inside it. */
export const PRODUCT_TYPE = "db-endpoints:index:DatabaseEndpoints";
export const ENDPOINT_TYPE = "db-endpoints:index:DatabaseEndpoint";
export const SHARED_LOAD_BALANCER_TYPE = "db-endpoints:index:EndpointLoadBalancer";
export const CERTIFICATE_TYPE = "db-endpoints:index:DatabaseCertificate";
export const INTEGRATIONS_TYPE = "db-endpoints:index:DatabaseIntegrations";

/** A registration with what it belongs to. */
export interface Attributed {
    r: Registration;
    urn: string;
    /** The product's child it is under (itself for such a child); undefined for the product itself. */
    owner?: Registration;
    /** The endpoints whose resource it is, shared among them; empty: the stack's. */
    endpoints: string[];
}

/** The parent-type-qualified key of a URN: `<own type>::<name>`, unique per registration. */
function keyOfUrn(urn: string): string {
    const [, , types, name] = urn.split("::");
    return `${types.split("$").pop()}::${name}`;
}

/** Every registration with its owner and endpoints, in order. */
export function attribute(registered: Registration[], spec: StackSpec): Attributed[] {
    const byKey = new Map(registered.map((r) => [`${r.type}::${r.name}`, r]));
    const parentOf = (r: Registration) => (r.parent ? byKey.get(keyOfUrn(r.parent)) : undefined);
    const ownerOf = (r: Registration): Registration | undefined => {
        if (r.type === PRODUCT_TYPE) return undefined;
        let current = r;
        for (let parent = parentOf(current); parent && parent.type !== PRODUCT_TYPE; parent = parentOf(current)) current = parent;
        return current;
    };
    const endpointNames = new Set(spec.endpoints.map((e) => e.name));
    const endpointsOf = (r: Registration, owner: Registration | undefined): string[] => {
        if (owner?.type === ENDPOINT_TYPE || owner?.type === INTEGRATIONS_TYPE) return [owner.name];
        if (owner?.type === SHARED_LOAD_BALANCER_TYPE) return spec.loadBalancers.find((lb) => lb.shared && lb.name === owner.name)?.endpoints ?? [];
        if (owner?.type === CERTIFICATE_TYPE) return spec.selfManagedDatabases.find((d) => d.name === owner.name)?.endpoints ?? [];
        const tags = r.inputs.tags;
        if (tags && typeof tags === "object" && !Array.isArray(tags)) {
            const endpoint = (tags as Record<string, unknown>)["db-endpoints:endpoint"];
            if (typeof endpoint === "string" && endpointNames.has(endpoint)) return [endpoint];
            const database = (tags as Record<string, unknown>)["db-endpoints:database"];
            const db = spec.selfManagedDatabases.find((d) => `${d.addresses.join(",")}:${d.port}` === database);
            if (db) return db.endpoints;
            // A certificate's resource outside its component (its alarm): the database's endpoints; the CA's is the stack's.
            const certificate = (tags as Record<string, unknown>)["db-endpoints:certificate"];
            const certified = spec.selfManagedDatabases.find((d) => d.name === certificate);
            if (certified) return certified.endpoints;
        }
        return [];
    };
    return registered.map((r) => {
        const owner = ownerOf(r);
        return { r, urn: urnOf(r), owner, endpoints: endpointsOf(r, owner) };
    });
}

/** `value` with what is not known before deployment as null (absent stays absent: a rule with no schedule is not one whose schedule is unknown). */
function knownPart(value: unknown): unknown {
    if (value === UNKNOWN) return null;
    if (Array.isArray(value)) return value.map(knownPart);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, knownPart(v)]));
    return value;
}

/** The custom resources among `attributed`, as the cost estimate takes them: inputs not known before deployment null. */
export function costedResources(attributed: Attributed[]): CostedResource[] {
    return attributed
        .filter((a) => a.r.custom)
        .map((a) => ({
            urn: a.urn,
            type: a.r.type,
            name: a.r.name,
            inputs: knownPart(a.r.inputs) as Record<string, unknown>,
            dependencies: a.r.dependencies,
            endpoints: a.endpoints,
        }));
}
