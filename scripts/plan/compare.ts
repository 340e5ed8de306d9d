/**
 * The plan's comparison with another configuration (the base: the stack file at a git ref, or another file): per
 * endpoint, the settings that differ and plain markers for what replaces its load balancer (a new DNS name),
 * (re-)issues its database's certificate, or restarts its database, from the models (infra/model/changes.ts);
 * and per resource, what `pulumi up` would do to it from the base to this configuration, with the inputs that
 * differ (testing/updates.ts, the providers' replacement rules, told what only the models know offline: which
 * load balancers and certificate requests are replaced).
 */
import { plannedIntegrationResources } from "../../infra/components/databaseIntegrations/planned";
import { DatabaseEngine } from "../../infra/enums";
import { ownersOf } from "../../infra/integrations/grants";
import { CertificateChange, compareProducts, EndpointChange, LoadBalancerChange, ProductChanges, RestartChange, SettingChange } from "../../infra/model/changes";
import type { StackSpec } from "../../infra/model/spec";
import { flowLogName } from "../../infra/components/loadBalancer/connectionAudit";
import type { OfflineRun } from "../../testing/offline";
import type { Registration } from "../../testing/recorder";
import { planUpdate, Step, urnOf } from "../../testing/updates";
import { displayValue, InputChange, inputChanges } from "./values";

/** The plain markers, as the text prints them and the JSON names them. */
export const MARKERS = {
    replacesLoadBalancer: { text: "[replaces load balancer]", json: "replaces-load-balancer" },
    outage: { text: "[outage]", json: "outage" },
    issuesCertificate: { text: "[issues certificate]", json: "issues-certificate" },
    reissuesCertificate: { text: "[re-issues certificate]", json: "re-issues-certificate" },
    restartsDatabase: { text: "[restarts database]", json: "restarts-database" },
    mayRestartDatabase: { text: "[may restart database]", json: "may-restart-database" },
    restartByHand: { text: "[restart by hand]", json: "restart-by-hand" },
    deletionProtection: { text: "[deletion protection]", json: "deletion-protection" },
} as const;

export type MarkerName = (typeof MARKERS)[keyof typeof MARKERS]["json"];

/** One marker on an endpoint, with why. */
export interface Marker {
    marker: MarkerName;
    text: string;
}

/** An endpoint from the base to this configuration. */
export interface EndpointComparison {
    name: string;
    status: EndpointChange["status"];
    settings: SettingChange[];
    markers: Marker[];
}

/** What `pulumi up` would do to one resource. */
export interface ResourceComparison {
    step: Exclude<Step, "same">;
    type: string;
    name: string;
    /** The inputs that differ, as far as they are known offline. */
    inputs: InputChange[];
    /** Why it is replaced or updated where no known input says it: what only the models know, or a replaced resource it takes an input from. */
    why: string | null;
    /** The resource hooks the step runs (a restart): `afterCreate` on a create or replacement, `afterUpdate` on an update. */
    hooks: string[];
}

/** A resource declared at deploy (an RDS database's integration users) that the update adds or removes. */
export interface DeployTimeComparison {
    step: "create" | "delete";
    type: string;
    name: string;
    /** The engines it is declared for; both when the engine is read from the instance at deploy. */
    engines: DatabaseEngine[];
}

export interface Comparison {
    /** What the base is: `git show <ref>:<file>`, or a file. */
    base: { label: string; ref: string | null; file: string };
    stack: SettingChange[];
    endpoints: EndpointComparison[];
    loadBalancers: LoadBalancerChange[];
    certificates: CertificateChange[];
    resources: ResourceComparison[];
    /** How many resources take each step (unchanged ones included). */
    steps: Record<Step, number>;
    deployTime: DeployTimeComparison[];
}

/** The markers of one endpoint's change, in the order a reviewer reads them. */
export function markersOf(change: EndpointChange, loadBalancers: LoadBalancerChange[], loadBalancerOf: (endpoint: string) => { name: string; shared: boolean } | undefined): Marker[] {
    const markers: Marker[] = [];
    if (change.newDnsName.length > 0) {
        markers.push({ marker: MARKERS.replacesLoadBalancer.json, text: `new DNS name: ${change.newDnsName.join("; ")}` });
        const lb = loadBalancerOf(change.name);
        const lbChange = lb ? loadBalancers.find((l) => l.name === lb.name && l.shared === lb.shared) : undefined;
        if (change.outage) {
            markers.push({
                marker: MARKERS.outage.json,
                text: "with Elastic IPs the old load balancer and its listeners are deleted first, so that its addresses move to the new one: the endpoint serves nothing until the new one does (minutes)",
            });
        }
        if (lbChange?.blockedByDeletionProtection) {
            markers.push({
                marker: MARKERS.deletionProtection.json,
                text: "the old load balancer has deletion protection on: AWS refuses to delete it; set deletionProtection: false and deploy that first (docs/updates.md)",
            });
        }
    }
    const c = change.certificate;
    if (c && c.action !== "deleted") {
        const marker = c.action === "issued" ? MARKERS.issuesCertificate : MARKERS.reissuesCertificate;
        markers.push({ marker: marker.json, text: `${c.database}: ${c.reasons.join("; ")}` });
    }
    const r: RestartChange | undefined = change.restart;
    if (r) {
        const marker = r.how === "rds-reboot" || r.how === "ssm" ? MARKERS.restartsDatabase : r.how === "manual" ? MARKERS.restartByHand : MARKERS.mayRestartDatabase;
        markers.push({ marker: marker.json, text: r.text });
    }
    return markers;
}

/** The text form of a marker name: `[replaces load balancer]`. */
export function markerText(name: MarkerName): string {
    return Object.values(MARKERS).find((m) => m.json === name)!.text;
}

function deployTimeResources(spec: StackSpec): Map<string, { type: string; name: string; engines: DatabaseEngine[] }> {
    const result = new Map<string, { type: string; name: string; engines: DatabaseEngine[] }>();
    for (const e of spec.endpoints) {
        if (e.database.kind !== "rds" || !e.integrations) continue;
        for (const engine of [DatabaseEngine.Postgres, DatabaseEngine.Mysql]) {
            for (const p of plannedIntegrationResources(e.name, engine, e.integrations, ownersOf(e.database.objectOwners))) {
                const key = `${p.type}::${p.name}`;
                const entry = result.get(key) ?? { type: p.type, name: p.name, engines: [] };
                entry.engines.push(engine);
                result.set(key, entry);
            }
        }
    }
    return result;
}

/** Compares this configuration's run with the base's. */
export function compareRuns(base: OfflineRun, current: OfflineRun, label: Comparison["base"]): Comparison {
    const changes: ProductChanges = compareProducts(base.spec, current.spec);
    // What the registrations cannot show offline (unknown subnet mappings, certificate names): the models say it.
    const forced = new Map<string, string>();
    const urnsNamed = (run: Registration[], type: string, name: string) => run.filter((r) => r.type === type && r.name === name).map(urnOf);
    for (const lb of changes.loadBalancers.filter((l) => l.status === "replaced")) {
        for (const urn of urnsNamed(current.registered, "aws:lb/loadBalancer:LoadBalancer", `${lb.name}-nlb`)) forced.set(urn, lb.reasons.join("; "));
        // Its flow logs record its network interfaces, found by a lookup once it exists: a new load balancer has new ones.
        for (const subnet of current.spec.publicSubnetIds) {
            for (const urn of urnsNamed(current.registered, "aws:ec2/flowLog:FlowLog", flowLogName(lb.name, subnet))) {
                forced.set(urn, "the load balancer's network interface it records is replaced with the load balancer (eniId)");
            }
        }
    }
    for (const c of changes.certificates.filter((x) => x.action === "re-issued")) {
        for (const urn of urnsNamed(current.registered, "tls:index/certRequest:CertRequest", `${c.database}-csr`)) forced.set(urn, `its names change: ${c.reasons.join("; ")}`);
    }
    const update = planUpdate(base.registered, current.registered, { replaced: forced.keys() });
    const changedNames = (urns: string[]) =>
        urns.filter((d) => update.steps.get(d)?.step.startsWith("replace")).map((d) => update.steps.get(d)!.r.name);
    const steps: Record<Step, number> = { create: 0, same: 0, update: 0, "replace, new first": 0, "replace, old deleted first": 0, delete: 0 };
    const resources: ResourceComparison[] = [];
    const before = new Map(base.registered.map((r) => [urnOf(r), r]));
    for (const [urn, { r, step }] of update.steps) {
        if (!r.custom) continue;
        steps[step]++;
        if (step === "same") continue;
        const old = before.get(urn);
        const inputs = step === "update" || step.startsWith("replace") ? inputChanges(old?.inputs ?? {}, r.inputs) : [];
        // What its inputs are taken from (not what it merely waits for); its dependencies when the inputs name none.
        const sources = [...new Set(Object.values(r.propertyDependencies).flat())];
        const from = changedNames(sources.length > 0 ? sources : r.dependencies);
        const trigger =
            old && r.replacementTrigger !== undefined && JSON.stringify(old.replacementTrigger) !== JSON.stringify(r.replacementTrigger)
                ? r.type === "aws:lb/targetGroup:TargetGroup"
                    ? "its replacement trigger changes: a target group follows its load balancer's ARN, except with Elastic IPs, where it is kept across the load balancer's replacements"
                    : "its replacement trigger changes"
                : undefined;
        const why =
            forced.get(urn) ??
            trigger ??
            (inputs.length > 0 || step === "create" || step === "delete"
                ? null
                : from.length > 0
                  ? `${step === "update" ? "takes an input from" : "replaced with"} ${from.join(", ")}, which ${from.length === 1 ? "is" : "are"} replaced`
                  : "an input known only at deploy changes");
        const hooks = step === "create" || step.startsWith("replace") ? (r.hooks.afterCreate ?? []) : step === "update" ? (r.hooks.afterUpdate ?? []) : [];
        resources.push({ step, type: r.type, name: r.name, inputs, why, hooks });
    }
    const order: Step[] = ["replace, old deleted first", "replace, new first", "create", "update", "delete"];
    resources.sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step));

    const loadBalancerOf = (endpoint: string) => current.spec.loadBalancers.find((lb) => lb.endpoints.includes(endpoint));
    const endpoints = changes.endpoints.map((c) => ({ name: c.name, status: c.status, settings: c.settings, markers: markersOf(c, changes.loadBalancers, loadBalancerOf) }));

    const [oldDeploy, newDeploy] = [deployTimeResources(base.spec), deployTimeResources(current.spec)];
    const deployTime: DeployTimeComparison[] = [
        ...[...newDeploy].filter(([k]) => !oldDeploy.has(k)).map(([, v]) => ({ step: "create" as const, ...v })),
        ...[...oldDeploy].filter(([k]) => !newDeploy.has(k)).map(([, v]) => ({ step: "delete" as const, ...v })),
    ];
    return {
        base: label,
        stack: changes.stack.map((s) => ({ ...s, before: displayValue(s.before), after: displayValue(s.after) })),
        endpoints,
        loadBalancers: changes.loadBalancers,
        certificates: changes.certificates,
        resources,
        steps,
        deployTime,
    };
}
