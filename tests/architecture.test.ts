/**
 * The layout's rules, read off the sources: data flows one way, config -> validated model -> components ->
 * outputs. The stack program (infra/program) is the only reader of the stack config; the components never
 * import it; the model and the other pure modules import no Pulumi or AWS SDK and nothing that declares
 * resources; and no module imports another that (through any chain) imports it back.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const REPO = path.resolve(__dirname, "..");
const INFRA = path.join(REPO, "infra");

/** Every module under infra/, by path relative to the repository root, with what it imports. */
interface Module {
    file: string;
    /** Relative imports, resolved to repository paths. */
    local: string[];
    /** Package imports (`@pulumi/pulumi`, `node:fs`, ...), type-only ones excluded. */
    packages: string[];
}

const IMPORT = /(?:^|\n)[ \t]*(?:import|export)\s+(type\s+)?(?:[^;"']*?\sfrom\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/g;

function resolveLocal(from: string, spec: string): string {
    const base = path.resolve(path.dirname(path.join(REPO, from)), spec);
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return path.relative(REPO, candidate);
    }
    throw new Error(`${from}: cannot resolve import ${JSON.stringify(spec)}`);
}

function readModules(): Module[] {
    return (fs.readdirSync(INFRA, { recursive: true }) as string[])
        .filter((f) => f.endsWith(".ts"))
        .map((f) => {
            const file = path.relative(REPO, path.join(INFRA, f));
            const source = fs.readFileSync(path.join(REPO, file), "utf8");
            const local: string[] = [];
            const packages: string[] = [];
            for (const m of source.matchAll(IMPORT)) {
                const spec = m[2] ?? m[3] ?? m[4];
                if (spec.startsWith(".")) local.push(resolveLocal(file, spec));
                else if (!m[1]) packages.push(spec);
            }
            return { file, local, packages };
        });
}

const modules = readModules();
const under = (dir: string) => (file: string) => file === dir || file.startsWith(`${dir}/`);

/** Modules that must stay pure: plain TypeScript, testable without the Pulumi runtime. */
const PURE = [
    "infra/model",
    "infra/audit",
    "infra/cost",
    "infra/integrations",
    "infra/net",
    "infra/validation.ts",
    "infra/enums.ts",
    "infra/connection.ts",
    "infra/awsErrors.ts",
    "infra/lambda/targetSync/settings.ts",
    "infra/lambda/targetSync/expiryWatch.ts",
    "infra/lambda/targetSync/expiredRules.ts",
    "infra/cost",
];

/** The commands that run where only the stack's outputs are at hand (a vendor's machine, a CI job): no Pulumi. */
const OUTPUTS_ONLY = ["infra/verify", "infra/handoff"];

describe("the layout", () => {
    it("finds the modules and their imports (the rules below are not vacuous)", () => {
        assert.ok(modules.length > 40, `${modules.length} modules`);
        const main = modules.find((m) => m.file === "infra/program/main.ts")!;
        assert.ok(main.local.includes("infra/components/databaseEndpoints/databaseEndpoints.ts"));
        assert.ok(modules.find((m) => m.file === "infra/components/loadBalancer/loadBalancer.ts")!.packages.includes("@pulumi/aws"));
    });

    it("has no import cycle", () => {
        const imports = new Map(modules.map((m) => [m.file, m.local]));
        const state = new Map<string, "open" | "done">();
        const cycles: string[] = [];
        const visit = (file: string, trail: string[]) => {
            state.set(file, "open");
            for (const next of imports.get(file) ?? []) {
                if (state.get(next) === "open") cycles.push([...trail.slice(trail.indexOf(next)), next].join(" -> "));
                else if (!state.has(next)) visit(next, [...trail, next]);
            }
            state.set(file, "done");
        };
        for (const m of modules) if (!state.has(m.file)) visit(m.file, [m.file]);
        assert.deepEqual(cycles, []);
    });

    it("reads the stack config only in the stack program: nothing else imports infra/program", () => {
        const offenders = modules
            .filter((m) => !under("infra/program")(m.file) && m.file !== "infra/index.ts")
            .flatMap((m) => m.local.filter(under("infra/program")).map((d) => `${m.file} -> ${d}`));
        assert.deepEqual(offenders, []);
    });

    it("keeps the validated model and the other pure modules free of Pulumi, AWS and resource-declaring modules", () => {
        const offenders: string[] = [];
        for (const m of modules.filter((m) => PURE.some((p) => under(p)(m.file)))) {
            for (const p of m.packages) if (p.startsWith("@pulumi/") || p.startsWith("@aws-sdk/")) offenders.push(`${m.file} -> ${p}`);
            for (const d of m.local) if (!PURE.some((p) => under(p)(d))) offenders.push(`${m.file} -> ${d}`);
        }
        assert.deepEqual(offenders, []);
    });

    it("keeps the commands that read only the stack's outputs free of Pulumi and of anything that imports it", () => {
        const byFile = new Map(modules.map((m) => [m.file, m]));
        const offenders: string[] = [];
        const seen = new Set<string>();
        const visit = (file: string, trail: string[]) => {
            if (seen.has(file)) return;
            seen.add(file);
            const m = byFile.get(file)!;
            for (const p of m.packages) if (p.startsWith("@pulumi/")) offenders.push(`${[...trail, file].join(" -> ")} -> ${p}`);
            for (const d of m.local) visit(d, [...trail, file]);
        };
        const roots = modules.filter((m) => OUTPUTS_ONLY.some((dir) => under(dir)(m.file)));
        assert.ok(roots.length >= 8, `${roots.length} modules`);
        for (const m of roots) visit(m.file, []);
        assert.deepEqual(offenders, []);
    });

    it("keeps those commands out of the program: nothing else imports them", () => {
        const offenders = modules
            .filter((m) => !OUTPUTS_ONLY.some((dir) => under(dir)(m.file)))
            .flatMap((m) => m.local.filter((d) => OUTPUTS_ONLY.some((dir) => under(dir)(d))).map((d) => `${m.file} -> ${d}`));
        assert.deepEqual(offenders, []);
    });

    it("imports nothing from the tests, the test helpers or the scripts", () => {
        const offenders = modules.flatMap((m) => m.local.filter((d) => /^(tests|testing|scripts)\//.test(d)).map((d) => `${m.file} -> ${d}`));
        assert.deepEqual(offenders, []);
    });

    it("runs the stack program in tests only through testing/stackProgram.ts, which checks each config against the component", () => {
        const tests = (fs.readdirSync(path.join(REPO, "tests"), { recursive: true }) as string[]).filter((f) => f.endsWith(".test.ts"));
        assert.ok(tests.length > 40, `${tests.length} test files`);
        // The equivalence test calls the program itself, to compare it with typed args a program would write.
        const offenders = tests
            .filter((f) => f !== path.join("program", "main.equivalence.test.ts"))
            .filter((f) => /\b(?:stack|program)\.main\(/.test(fs.readFileSync(path.join(REPO, "tests", f), "utf8")));
        assert.deepEqual(offenders, []);
    });
});
