/**
 * What the Pulumi engine makes of a program's registrations against an existing stack's state: each resource's URN,
 * its aliases (its own, collapsed; and those inherited from the alias its parent matched, renamed when the child's
 * name starts with the parent's), and which old resource, if any, it takes over. The rules of
 * pulumi/pulumi pkg/resource/deploy/step_generator.go (`generateURN`, `collapseAliasToUrn`,
 * `inheritedChildAlias`, `generateAliases`, and the lookup in `generateSteps`: the URN first, then each alias in
 * order), so that a test can show that a refactoring moves resources instead of replacing them. The mock runtime
 * records alias specs (testing/recorder.ts); the real SDK sends the same specs to the engine.
 */
import type { Registration } from "./recorder";

/** What became of one registration. */
export interface Resolution {
    urn: string;
    type: string;
    name: string;
    /** Every alias URN the engine tries, in its order. */
    aliases: string[];
    /** The old state's URN the resource takes over (its own when unchanged), or undefined: a new resource. */
    takesOver?: string;
}

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>` of a resource with parent URN `parent` ("" for none). */
export function urnOf(stack: string, project: string, parent: string, type: string, name: string): string {
    if (!parent) return `urn:pulumi:${stack}::${project}::${type}::${name}`;
    return `${parent.slice(0, parent.lastIndexOf("::"))}$${type}::${name}`;
}

function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

function typeOf(urn: string): string {
    const qualified = qualifiedTypeOf(urn);
    return qualified.slice(qualified.lastIndexOf("$") + 1);
}

function qualifiedTypeOf(urn: string): string {
    const body = urn.slice(0, urn.lastIndexOf("::"));
    return body.slice(body.lastIndexOf("::") + 2);
}

/** Resolves `registered` (in registration order) against an old state holding `oldUrns`. */
export function resolveAgainstState(registered: Registration[], oldUrns: Iterable<string>, stack = "dev", project = "db-endpoints"): Resolution[] {
    const olds = new Set(oldUrns);
    /** New URN -> the old URN it matched through an alias (the engine's `sg.aliases`). */
    const matchedAlias = new Map<string, string>();
    const claimed = new Set<string>();
    const results: Resolution[] = [];

    const inherited = (childType: string, childName: string, parentName: string, parentAlias: string) => {
        const aliasName = childName.startsWith(parentName) ? nameOf(parentAlias) + childName.slice(parentName.length) : childName;
        return `urn:pulumi:${stack}::${project}::${qualifiedTypeOf(parentAlias)}$${childType}::${aliasName}`;
    };

    for (const r of registered) {
        const urn = urnOf(stack, project, r.parent, r.type, r.name);
        const aliases: string[] = [];
        const add = (alias: string) => {
            if (!aliases.includes(alias)) aliases.push(alias);
        };
        const own = r.aliases.map((a) => {
            if (typeof a.urn === "string" && a.urn) return a.urn;
            const spec = (a.spec ?? {}) as Record<string, unknown>;
            let parent = r.parent;
            if (spec.noparent) parent = "";
            else if (typeof spec.parenturn === "string" && spec.parenturn) parent = matchedAlias.get(spec.parenturn) ?? spec.parenturn;
            return urnOf(
                (spec.stack as string) || stack,
                (spec.project as string) || project,
                parent,
                (spec.type as string) || r.type,
                (spec.name as string) || r.name,
            );
        });
        own.forEach(add);
        const parentAlias = r.parent ? matchedAlias.get(r.parent) : undefined;
        if (parentAlias) {
            add(inherited(r.type, r.name, nameOf(r.parent), parentAlias));
            for (const alias of own) add(inherited(typeOf(alias), nameOf(alias), nameOf(r.parent), parentAlias));
        }
        const takesOver = [urn, ...aliases].find((u) => olds.has(u) && !claimed.has(u));
        if (takesOver) {
            claimed.add(takesOver);
            if (takesOver !== urn) matchedAlias.set(urn, takesOver);
        }
        results.push({ urn, type: r.type, name: r.name, aliases, takesOver });
    }
    return results;
}
