/**
 * What one `pulumi up` does from one program run to the next, and what AWS refuses on the way: the mock runtime
 * shows neither diffs nor replacements, so this models the rules that decide them, each from its source.
 *
 * The engine (pulumi/pulumi pkg/resource/deploy/step_generator.go): a resource is matched by URN; a new URN is
 * created, a URN no longer registered is deleted at the end, after every create and update; a resource whose
 * inputs force a new one is replaced, its replacement created before the old one is deleted unless
 * `deleteBeforeReplace`, which first deletes the dependents that would be replaced with it. A
 * `replacementTrigger` replaces when its recorded and new values differ (`shouldTriggerReplace`), and an input
 * taken from a replaced resource's output is unknown, so it differs.
 *
 * The providers: the inputs that force a new resource, and the network load balancer's subnet-mapping rule, are
 * in infra/model/forceNew.ts (with their sources in hashicorp/terraform-provider-aws and -tls).
 *
 * Runs in preview mode (the offline plan) leave outputs unknown: an input taken from another resource's output
 * is then compared by where it comes from (the resources it depends on) rather than by value, and what only the
 * caller knows (a load balancer's subnets after the deploy-time lookups, a certificate's names) is passed in as
 * forced replacements.
 *
 * AWS: a target group serves one load balancer at a time; an Elastic IP is held by one load balancer; one
 * listener per port on a load balancer (`DuplicateListener`); one rule per permission in a security group
 * (`InvalidPermission.Duplicate`); a load balancer with deletion protection is not deleted.
 */
import { FORCE_NEW, FORCE_NEW_FROM, mappingsForceNew, SubnetMapping, TYPES } from "../infra/model/forceNew";
import { containsUnknown, Registration, UNKNOWN } from "./recorder";

/**
 * A resource's step. "update": an input changed, or comes from a replaced resource (whose outputs, such as a
 * load balancer's DNS name, are new).
 */
export type Step = "create" | "same" | "update" | "replace, new first" | "replace, old deleted first" | "delete";

/**
 * The URN the mock runtime gives a registration (project db-endpoints, stack dev), as the dependencies it records
 * name it: qualified by its parent's own type only (the engine qualifies by the whole chain; either is unique).
 */
export function urnOf(r: Registration): string {
    if (!r.parent) return `urn:pulumi:dev::db-endpoints::${r.type}::${r.name}`;
    const [prefix, project, parentTypes] = r.parent.split("::");
    // A child of the stack itself is not qualified by the stack's type.
    if (parentTypes === "pulumi:pulumi:Stack") return `${prefix}::${project}::${r.type}::${r.name}`;
    return `${prefix}::${project}::${parentTypes.split("$").pop()}$${r.type}::${r.name}`;
}

/** A copy of what a program run registered, so that a later run's registrations do not change it. */
export function snapshot(registered: Registration[]): Registration[] {
    return JSON.parse(JSON.stringify(registered)) as Registration[];
}

const LB = TYPES.loadBalancer;
const TG = TYPES.targetGroup;
const LISTENER = TYPES.listener;
const INGRESS = TYPES.ingressRule;
const EGRESS = TYPES.egressRule;

type Mapping = SubnetMapping;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** A security group rule's permission, as AWS compares rules for duplicates. */
function permission(r: Registration): string {
    const i = r.inputs;
    return [r.type, i.securityGroupId, i.ipProtocol, i.fromPort, i.toPort, i.cidrIpv4 ?? i.cidrIpv6 ?? i.referencedSecurityGroupId].join("|");
}

export interface Update {
    /** Each resource's step, by URN. */
    steps: Map<string, { r: Registration; step: Step }>;
    /** What AWS refuses while the engine carries the update out (empty: it succeeds). */
    refusals: string[];
}

/** The step of the resource of `type` named `name` in an update. */
export function stepOf(update: Update, type: string, name: string): Step {
    const found = [...update.steps.values()].filter((s) => s.r.type === type && s.r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return found[0].step;
}

/** The steps of every resource of `type`, by name, sorted. */
export function stepsOf(update: Update, type: string): Record<string, Step> {
    return Object.fromEntries(
        [...update.steps.values()]
            .filter((s) => s.r.type === type)
            .map((s) => [s.r.name, s.step] as const)
            .sort(([a], [b]) => a.localeCompare(b)),
    );
}

/** What the caller knows of an update that the registrations do not show. */
export interface UpdateOptions {
    /**
     * URNs (as {@link urnOf} gives them) of resources whose replacement is decided by values a preview does not
     * know: a load balancer whose subnets or Elastic IPs change, a certificate request whose names change.
     */
    replaced?: Iterable<string>;
}

/** The URNs of the resources of `types` among `urns`, sorted. */
function ofTypes(urns: readonly string[], runs: Map<string, Registration>, types: readonly string[]): string[] {
    return urns.filter((u) => types.includes(runs.get(u)?.type ?? "")).sort();
}

/**
 * The resources a registration's inputs are taken from: a replaced one makes them new. Not what it only waits for
 * (`dependsOn`, or a component's children through it): the engine does not update a resource for those.
 */
function inputSources(r: Registration): string[] {
    return [...new Set(Object.values(r.propertyDependencies).flat())];
}

/** How the engine carries out the change from `before` to `after` (two program runs' registrations). */
export function planUpdate(before: Registration[], after: Registration[], options: UpdateOptions = {}): Update {
    const old = new Map(before.map((r) => [urnOf(r), r]));
    const next = new Map(after.map((r) => [urnOf(r), r]));
    const replaced = new Set<string>([...(options.replaced ?? [])].filter((u) => old.has(u) && next.has(u)));
    // Own inputs first, then what the replacement of a resource an input comes from forces, until nothing changes.
    const forcesNew = (urn: string): boolean => {
        const a = old.get(urn)!;
        const b = next.get(urn)!;
        const mappings = [a.inputs.subnetMappings, b.inputs.subnetMappings];
        if (a.type === LB && mappings.every((m) => m === undefined || (Array.isArray(m) && !containsUnknown(m)))) {
            if (mappingsForceNew((mappings[0] ?? []) as Mapping[], (mappings[1] ?? []) as Mapping[])) return true;
        }
        for (const k of FORCE_NEW[b.type] ?? []) {
            if (!same(a.inputs[k], b.inputs[k])) return true;
            // Unknown in a preview: an input taken from another resource's output than before is new.
            const sources = FORCE_NEW_FROM[b.type] ?? [];
            if (containsUnknown(b.inputs[k]) && !sameSet(ofTypes(a.propertyDependencies[k] ?? [], old, sources), ofTypes(b.propertyDependencies[k] ?? [], next, sources))) {
                return true;
            }
        }
        if (a.replacementTrigger !== undefined && b.replacementTrigger !== undefined) {
            if (!same(a.replacementTrigger, b.replacementTrigger)) return true;
            // A trigger taken from a load balancer's ARN: new when that load balancer is replaced, or is another one
            // (in a preview the ARN is unknown, so where it comes from decides).
            const fromArn = typeof b.replacementTrigger === "string" && (b.replacementTrigger.startsWith("arn:") || b.replacementTrigger === UNKNOWN);
            if (fromArn && b.dependencies.some((d) => replaced.has(d) && next.get(d)?.type === LB)) return true;
            if (b.replacementTrigger === UNKNOWN && !sameSet(ofTypes(a.dependencies, old, [LB]), ofTypes(b.dependencies, next, [LB]))) return true;
        }
        return inputSources(b).some((d) => replaced.has(d) && (FORCE_NEW_FROM[b.type] ?? []).includes(next.get(d)?.type ?? ""));
    };
    for (let changed = true; changed; ) {
        changed = false;
        for (const urn of next.keys()) {
            if (!old.has(urn) || replaced.has(urn)) continue;
            if (forcesNew(urn)) {
                replaced.add(urn);
                changed = true;
            }
        }
    }
    // Delete-before-replace deletes first the dependents replaced with it (a load balancer's listeners).
    const deletedFirst = (urn: string): boolean =>
        next.get(urn)!.deleteBeforeReplace === true ||
        next.get(urn)!.dependencies.some((d) => replaced.has(d) && next.get(d)!.deleteBeforeReplace === true && (FORCE_NEW_FROM[next.get(urn)!.type] ?? []).includes(next.get(d)!.type));
    const steps = new Map<string, { r: Registration; step: Step }>();
    for (const [urn, r] of next) {
        const a = old.get(urn);
        const step: Step = !a
            ? "create"
            : replaced.has(urn)
              ? deletedFirst(urn)
                  ? "replace, old deleted first"
                  : "replace, new first"
              : same(a.inputs, r.inputs) && !inputSources(r).some((d) => replaced.has(d))
                ? "same"
                : "update";
        steps.set(urn, { r, step });
    }
    for (const [urn, r] of old) if (!next.has(urn)) steps.set(urn, { r, step: "delete" });
    return { steps, refusals: refusalsOf(old, next, steps) };
}

function refusalsOf(old: Map<string, Registration>, next: Map<string, Registration>, steps: Update["steps"]): string[] {
    const refusals: string[] = [];
    const stepAt = (urn: string) => steps.get(urn)!.step;
    // The load balancer a listener is on: its URN, and for a listener of the earlier run on a replaced one, the old one.
    const lbOf = (l: Registration, run: "old" | "new"): string => {
        const urn = l.dependencies.find((d) => (run === "old" ? old : next).get(d)?.type === LB) ?? String(l.inputs.loadBalancerArn);
        return run === "old" && steps.get(urn)?.step.startsWith("replace") ? `${urn} (the old one)` : urn;
    };
    // A listener of the earlier run that is deleted before anything is created: with its load balancer, old first.
    const goneFirst = (l: Registration) => {
        const urn = urnOf(l);
        return steps.get(urn)?.step === "replace, old deleted first" && old.get(urn) === l;
    };

    // A target group kept (not replaced) whose listener moves to another load balancer while the old listener still exists.
    for (const [urn, l] of next) {
        if (l.type !== LISTENER) continue;
        const s = stepAt(urn);
        if (s !== "create" && s !== "replace, new first") continue;
        const tg = l.dependencies.find((d) => next.get(d)?.type === TG);
        if (tg === undefined || stepAt(tg) !== "same" && stepAt(tg) !== "update") continue;
        for (const m of old.values()) {
            if (m.type !== LISTENER || !m.dependencies.includes(tg) || lbOf(m, "old") === lbOf(l, "new") || goneFirst(m)) continue;
            refusals.push(`target group ${next.get(tg)!.name} would be on two load balancers: ${l.name}'s new one while ${urnOf(m) === urn ? "its old listener" : m.name} still forwards to it`);
        }
    }

    // An Elastic IP still held by the load balancer it is to be taken from.
    for (const [urn, b] of next) {
        if (b.type !== LB || stepAt(urn) !== "replace, new first") continue;
        const held = new Set((old.get(urn)!.inputs.subnetMappings as Mapping[]).map((m) => m.allocationId).filter(Boolean));
        for (const m of b.inputs.subnetMappings as Mapping[]) {
            if (m.allocationId && held.has(m.allocationId)) refusals.push(`Elastic IP ${m.allocationId} is still held by the old ${b.name}`);
        }
    }

    // One listener per port on a load balancer, also while others are still being moved off it.
    for (const [urn, l] of next) {
        if (l.type !== LISTENER) continue;
        const s = stepAt(urn);
        const moved = s === "create" || s.startsWith("replace") || (s === "update" && old.get(urn)!.inputs.port !== l.inputs.port);
        if (!moved) continue;
        const others = [...[...next].map(([u, m]) => ({ u, m, run: "new" as const })), ...[...old].map(([u, m]) => ({ u, m, run: "old" as const }))];
        for (const { u, m, run } of others) {
            if (u === urn || m.type !== LISTENER || m.inputs.port !== l.inputs.port || lbOf(m, run) !== lbOf(l, "new")) continue;
            if (run === "old" && goneFirst(m)) continue;
            refusals.push(`listener ${l.name}: port ${l.inputs.port} of its load balancer is ${run === "new" ? "also" : "still"} ${m.name}'s (DuplicateListener)`);
        }
    }

    // One rule per permission in a security group: a rule created while an identical one exists.
    const alive = [...old.values(), ...next.values()].filter((r) => r.type === INGRESS || r.type === EGRESS);
    for (const [urn, r] of next) {
        if (r.type !== INGRESS && r.type !== EGRESS) continue;
        const s = stepAt(urn);
        if (s !== "create" && s !== "replace, new first" && s !== "update") continue;
        if (s === "update" && permission(old.get(urn)!) === permission(r)) continue;
        for (const other of alive) {
            if (other === r || (other === old.get(urn) && s !== "replace, new first") || permission(other) !== permission(r)) continue;
            if (other === old.get(urn)) refusals.push(`rule ${r.name}: its replacement duplicates it in the same security group (InvalidPermission.Duplicate)`);
            else refusals.push(`rule ${r.name} duplicates ${other.name} (InvalidPermission.Duplicate)`);
        }
    }

    // Deletion protection: a load balancer deleted, or replaced, while protected.
    for (const [urn, { r, step }] of steps) {
        if (r.type !== LB || (step !== "delete" && !step.startsWith("replace"))) continue;
        if (old.get(urn)!.inputs.enableDeletionProtection !== false) refusals.push(`${r.name} has deletion protection on: AWS refuses to delete it`);
    }
    return [...new Set(refusals)];
}
