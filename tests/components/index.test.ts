/**
 * The package's entry (package.json `main`, infra/components/index.ts) as a cross-language package: what C#,
 * Python, Go and YAML programs get through `pulumi package add`.
 *
 * - It compiles as the Node.js language host's ts-node compiles it when it runs this repository as a plugin: in
 *   the consumer's directory, where this repository's tsconfig.json does not apply, with the host's default
 *   options; as a whole (a first start, ts-node's cache empty) and module by module (after an update, when the
 *   unchanged modules come from ts-node's cache). A type error there stops the plugin.
 * - Its package schema, which the SDKs are generated from, is made without the CLI by the plugin as the host runs
 *   it (scripts/update-schema.ts starts it from a consumer's directory and asks it over gRPC), while this file runs
 *   the compile checks. It is pinned (tests/schema/db-endpoints.schema.json) and compared exactly: a change to a
 *   component's public API shows up here as a diff, to be accepted with `npm run schema:update`.
 * - Every exported component is in it, documented, and typed with what crosses languages; DatabaseEndpoint's
 *   essentials are asserted explicitly.
 * - The C# and YAML examples use only names and properties the schema has, as the generated SDKs spell them.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as yaml from "js-yaml";
import * as ts from "typescript";
import {
    diffSchemas,
    exportedComponents,
    formatSchema,
    generateSchema,
    PackageSchema,
    PINNED_SCHEMA_FILE,
    PropertySpec,
    providerName,
    readPackageManifest,
    REPO_ROOT,
} from "../../scripts/update-schema";
import { checkCSharp, checkYamlProgram, csharpApi, readCSharp } from "../schema/examples";
import { ALARM_KEYS, ALLOWLIST_ENTRY_KEYS, CERTIFICATE_AUTHORITY_KEYS, DATABASE_KEYS, ENDPOINT_KEYS, INTEGRATION_KEYS, QUOTA_KEYS, STACK_KEYS } from "../../infra/program/config";

const PACKAGE = "db-endpoints";
const ENDPOINT = `${PACKAGE}:index:DatabaseEndpoint`;
const TARGET = `${PACKAGE}:index:DatabaseTarget`;
const IP_TYPE = `${PACKAGE}:index:IpAddressType`;

/** The schema the plugin serves: asked for first, awaited by the tests that read it. */
let generating: Promise<PackageSchema>;
let generated: PackageSchema;
let pinned: PackageSchema;

before(() => {
    generating = generateSchema();
    // A plugin that cannot serve fails the tests that await it, not the compile checks.
    generating.catch(() => undefined);
    pinned = JSON.parse(fs.readFileSync(PINNED_SCHEMA_FILE, "utf8")) as PackageSchema;
});

/** Where the host-options compile test keeps the compiler's build info between runs. */
const HOST_BUILD_INFO = path.join(REPO_ROOT, "node_modules", ".cache", "db-endpoints", "tsc", "host-defaults.tsbuildinfo");

/** The compiler options @pulumi/pulumi's run-plugin gives ts-node when the working directory has no tsconfig.json. */
function hostDefaultCompilerOptions(): ts.CompilerOptions {
    const { options, errors } = ts.convertCompilerOptionsFromJson(
        { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: true },
        REPO_ROOT,
    );
    assert.deepEqual(errors, []);
    return options;
}

/** The plugin's modules in this repository (from package.json main, by their imports), with their package imports. */
function pluginModules(): Map<string, { local: string[]; packages: string[] }> {
    const modules = new Map<string, { local: string[]; packages: string[] }>();
    const visit = (file: string) => {
        if (modules.has(file)) return;
        const entry = { local: [] as string[], packages: [] as string[] };
        modules.set(file, entry);
        for (const { fileName } of ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles) {
            if (!fileName.startsWith(".")) {
                entry.packages.push(fileName);
                continue;
            }
            const base = path.resolve(path.dirname(file), fileName);
            const resolved = [`${base}.ts`, path.join(base, "index.ts")].find((c) => fs.existsSync(c));
            assert.ok(resolved, `${file}: cannot resolve ${fileName}`);
            entry.local.push(resolved);
            visit(resolved);
        }
    };
    visit(path.join(REPO_ROOT, readPackageManifest().main));
    return modules;
}

/** `file` and every module it imports, directly or not. */
function importClosure(modules: Map<string, { local: string[] }>, file: string, seen = new Set<string>()): Set<string> {
    if (!seen.has(file)) {
        seen.add(file);
        for (const next of modules.get(file)!.local) importClosure(modules, next, seen);
    }
    return seen;
}

describe("the package entry as the host's ts-node compiles it", () => {
    it("compiles with the host's default TypeScript options (the consumer's directory has no tsconfig.json)", () => {
        // The host starts `node @pulumi/pulumi/cmd/run-plugin <plugin dir>` in the CONSUMER's working directory
        // (a C# project, say). run-plugin then registers ts-node with tsconfig.json from that directory, not this
        // repository's: no `strict`, module nodenext. Type errors then stop the plugin, so the components (and what
        // they import) must compile under those options too. ts-node's own ignored codes: 6059, 18002, 18003.
        // Checked incrementally, as `tsc --incremental` checks: the compiler's build info (in node_modules/.cache)
        // keeps each unchanged file's diagnostics from the last run, and only what a change can affect is checked.
        const options: ts.CompilerOptions = { ...hostDefaultCompilerOptions(), noEmit: true, incremental: true, tsBuildInfoFile: HOST_BUILD_INFO };
        const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-consumer-"));
        const host = ts.createIncrementalCompilerHost(options);
        host.getCurrentDirectory = () => consumer;
        const builder = ts.createIncrementalProgram({ rootNames: [path.join(REPO_ROOT, readPackageManifest().main)], options, host });
        const ours = builder
            .getSourceFiles()
            .filter((sf) => !sf.isDeclarationFile && !sf.fileName.includes("/node_modules/") && sf.fileName.startsWith(REPO_ROOT));
        assert.ok(ours.length > 0);
        const diagnostics = ours
            .flatMap((sf) => [...builder.getSyntacticDiagnostics(sf), ...builder.getSemanticDiagnostics(sf)])
            .filter((d) => ![6059, 18002, 18003].includes(d.code));
        // With noEmit, this writes the build info only.
        builder.emit();
        const text = ts.formatDiagnostics(diagnostics, {
            getCanonicalFileName: (f) => f,
            getCurrentDirectory: () => REPO_ROOT,
            getNewLine: () => "\n",
        });
        fs.rmSync(consumer, { recursive: true, force: true });
        assert.equal(diagnostics.length, 0, `the plugin would fail to start for C#/YAML/Python/Go users:\n${text}`);
    });

    it("compiles file by file, as ts-node compiles a changed file when the others come from its cache", () => {
        // ts-node type-checks each file it compiles in a program of the files it compiled in this process. With
        // its cache warm (the host's default), a changed file is compiled alone: a module that uses Node.js
        // (node:fs, Buffer, process) while nothing it imports brings Node's types (as @pulumi/pulumi's do) must
        // name them itself, or the plugin stops with "Cannot find module 'node:fs'". Checked for every module of
        // the plugin whose imports reach no @pulumi package (the others get Node's types through it).
        const options = hostDefaultCompilerOptions();
        const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-consumer-"));
        const parsed = new Map<string, ts.SourceFile | undefined>();
        const host = ts.createCompilerHost(options);
        const getSourceFile = host.getSourceFile.bind(host);
        host.getSourceFile = (fileName, languageVersion, onError, create) => {
            const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
            if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, languageVersion, onError, create));
            return parsed.get(key);
        };
        host.getCurrentDirectory = () => consumer;
        const modules = pluginModules();
        const alone = [...modules.keys()].filter((file) => ![...importClosure(modules, file)].some((m) => modules.get(m)!.packages.some((p) => p.startsWith("@pulumi/"))));
        assert.ok(alone.includes(path.join(REPO_ROOT, "infra", "integrations", "scram.ts")), "the check reaches the modules that need it");
        const problems = alone.flatMap((file) => {
            const program = ts.createProgram({ rootNames: [file], options, host });
            const sf = program.getSourceFile(file)!;
            const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].filter((d) => ![6059, 18002, 18003].includes(d.code));
            return diagnostics.map((d) => ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => REPO_ROOT, getNewLine: () => "\n" }).trim());
        });
        fs.rmSync(consumer, { recursive: true, force: true });
        assert.deepEqual(problems, [], "the plugin would fail to start once only these files changed (add `/// <reference types=\"node\" />`)");
    });
});

/** A compact rendering of a property's type: `input string?`, `plain string[]`, `plain DatabaseTarget`. */
function typeOf(p: PropertySpec | undefined): string {
    assert.ok(p, "property is missing");
    const base = (q: PropertySpec): string => {
        if (q.$ref) return q.$ref.replace(`#/types/${PACKAGE}:index:`, "");
        if (q.type === "array") return `${base(q.items!)}[]`;
        if (q.type === "object" && q.additionalProperties) return `map<${base(q.additionalProperties)}>`;
        return q.type ?? "?";
    };
    return `${p.plain ? "plain" : "input"} ${base(p)}${p.optional ? "?" : ""}`;
}

/** Every property of every component and type, with where it is: `DatabaseEndpoint.inputs.vpcId`. */
function everyProperty(schema: PackageSchema): [string, PropertySpec][] {
    const all: [string, PropertySpec][] = [];
    const short = (token: string) => token.split(":")[2];
    for (const [token, r] of Object.entries(schema.resources)) {
        for (const [k, p] of Object.entries(r.inputProperties ?? {})) all.push([`${short(token)}.inputs.${k}`, p]);
        for (const [k, p] of Object.entries(r.properties ?? {})) all.push([`${short(token)}.outputs.${k}`, p]);
    }
    for (const [token, t] of Object.entries(schema.types)) {
        for (const [k, p] of Object.entries(t.properties ?? {})) all.push([`${short(token)}.${k}`, p]);
    }
    return all;
}

describe("the package schema (what the C#, Python, Go and YAML SDKs are generated from)", () => {
    before(async () => {
        generated = await generating;
    });

    it("is the pinned schema, exactly (run `npm run schema:update` after an intended API change)", () => {
        const expected = fs.readFileSync(PINNED_SCHEMA_FILE, "utf8");
        const actual = formatSchema(generated);
        if (actual === expected) return;
        const changes = diffSchemas(JSON.parse(expected), generated);
        assert.fail(
            [
                `The package schema generated from the sources differs from ${path.relative(REPO_ROOT, PINNED_SCHEMA_FILE)}.`,
                "This is the public API that C#, Python, Go and YAML programs use. If the change is intended, run",
                "`npm run schema:update` and commit the updated file with it; otherwise fix the component.",
                "Changes (- pinned, + generated, ~ changed):",
                ...(changes.length > 0 ? changes.slice(0, 150) : ["(formatting only)"]),
                ...(changes.length > 150 ? [`... and ${changes.length - 150} more`] : []),
            ].join("\n  "),
        );
    });

    it("is named and located the way the Node.js language host names and finds the plugin", () => {
        const manifest = readPackageManifest();
        // The host: the npm package name (its scope would become a namespace) is the Pulumi package name, which
        // the SDKs are named from (C#: Pulumi.DbEndpoints); the plugin entry is package.json main.
        assert.deepEqual(providerName(manifest.name), { name: PACKAGE });
        assert.equal(generated.name, PACKAGE);
        assert.equal(generated.namespace, undefined);
        assert.equal(generated.version, manifest.version);
        assert.equal(manifest.main, "infra/components/index.ts");
        assert.equal(manifest.exports, undefined, "package.json exports would override main for the schema analyzer");
        assert.ok(fs.existsSync(path.join(REPO_ROOT, manifest.main)));
        const plugin = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "PulumiPlugin.yaml"), "utf8")) as { runtime: unknown };
        assert.deepEqual(plugin, { runtime: "nodejs", requiredPulumiVersion: ">=3.238.0" });
        // The analyzer type-checks the files tsconfig.json at the plugin root includes; the entry must be one.
        const config = ts.getParsedCommandLineOfConfigFile(path.join(REPO_ROOT, "tsconfig.json"), {}, {
            ...ts.sys,
            onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
        });
        assert.ok(config?.fileNames.includes(path.join(REPO_ROOT, manifest.main).split(path.sep).join("/")));
    });

    it("has exactly the components exported from package.json main, each as db-endpoints:index:<Class>", () => {
        const exported = exportedComponents().map((c) => `${PACKAGE}:index:${c.name}`).sort();
        assert.ok(exported.includes(ENDPOINT));
        assert.deepEqual(Object.keys(generated.resources).sort(), exported);
        for (const [token, r] of Object.entries(generated.resources)) {
            assert.equal(r.isComponent, true, `${token} is not a component`);
        }
    });

    it("registers each component under the type token the SDKs construct it with", () => {
        // An SDK creates `db-endpoints:index:<Class>`; the plugin finds the class by that name, and the component
        // must register under the same token (super(...)), or its children and outputs land on another resource.
        const components = path.join(REPO_ROOT, "infra", "components");
        const sources = (fs.readdirSync(components, { recursive: true }) as string[])
            .filter((f) => f.endsWith(".ts"))
            .map((f) => fs.readFileSync(path.join(components, f), "utf8"))
            .join("\n");
        for (const token of Object.keys(generated.resources)) {
            assert.ok(sources.includes(`"${token}"`), `no source in infra/components declares the type token "${token}"`);
        }
    });

    it("documents every component, input, output and enum member (the docs C# and Python users read)", () => {
        // (@pulumi/pulumi's schema generator drops the TSDoc of interfaces and enums themselves, so types are
        // documented through the properties that use them.)
        const undocumented: string[] = [];
        for (const [token, r] of Object.entries(generated.resources)) if (!r.description?.trim()) undocumented.push(token);
        for (const [token, t] of Object.entries(generated.types)) {
            for (const e of t.enum ?? []) if (!e.description?.trim()) undocumented.push(`${token} member ${e.name}`);
        }
        for (const [where, p] of everyProperty(generated)) if (!p.description?.trim()) undocumented.push(where);
        assert.deepEqual(undocumented, [], `missing TSDoc: ${undocumented.join(", ")}`);
    });

    it("types every property with what crosses languages: no Any, every type reference defined", () => {
        const problems: string[] = [];
        const check = (where: string, p: PropertySpec | undefined): void => {
            if (!p) return;
            if (p.$ref === "pulumi.json#/Any") problems.push(`${where} is Any (untyped in C#): give it a concrete type`);
            else if (p.$ref?.startsWith("#/types/")) {
                if (!generated.types[decodeURIComponent(p.$ref.slice(8))]) problems.push(`${where} refers to undefined ${p.$ref}`);
            } else if (p.$ref) {
                const pkg = p.$ref.split("/")[1];
                if (!generated.dependencies?.some((d) => d.name === pkg)) problems.push(`${where} refers to ${p.$ref}, a package not in dependencies`);
            } else if (!p.type) problems.push(`${where} has no type`);
            check(`${where}[]`, p.items);
            check(`${where}{}`, p.additionalProperties);
        };
        for (const [where, p] of everyProperty(generated)) check(where, p);
        assert.deepEqual(problems, []);
    });
});

describe("DatabaseEndpoints in the schema (the whole product)", () => {
    const PRODUCT = `${PACKAGE}:index:DatabaseEndpoints`;
    const props = (token: string) => Object.keys(pinned.types[`${PACKAGE}:index:${token}`].properties!);

    it("is a component that requires vpcId, publicSubnetIds and endpoints", () => {
        const r = pinned.resources[PRODUCT];
        assert.ok(r, `${PRODUCT} is missing`);
        assert.equal(r.isComponent, true);
        assert.deepEqual([...r.requiredInputs!].sort(), ["endpoints", "publicSubnetIds", "vpcId"]);
    });

    it("takes every setting of the stack config, under the same names, at every level", () => {
        const r = pinned.resources[PRODUCT];
        assert.deepEqual(Object.keys(r.inputProperties!), [...STACK_KEYS]);
        assert.equal(r.inputProperties!.endpoints.items!.$ref, `#/types/${PACKAGE}:index:EndpointSettings`);
        assert.deepEqual(props("EndpointSettings"), [...ENDPOINT_KEYS]);
        assert.deepEqual(props("EndpointDatabase"), [...DATABASE_KEYS]);
        assert.deepEqual(props("IntegrationSettings"), [...INTEGRATION_KEYS]);
        assert.deepEqual(props("Quotas"), [...QUOTA_KEYS]);
        assert.deepEqual(props("CertificateAuthoritySettings"), [...CERTIFICATE_AUTHORITY_KEYS]);
        assert.equal(pinned.types[`${PACKAGE}:index:EndpointSettings`].properties!.allowlist.items!.$ref, `#/types/${PACKAGE}:index:AllowlistEntry`);
        assert.deepEqual(props("AllowlistEntry"), [...ALLOWLIST_ENTRY_KEYS]);
        assert.deepEqual(props("AlarmSettings"), [...ALARM_KEYS]);
    });

    it("outputs everything the stack outputs", () => {
        const outputs = Object.keys(pinned.resources[PRODUCT].properties!).sort();
        assert.deepEqual(outputs, ["alarms", "caCertificate", "certificateAuthority", "certificates", "endpoints", "integrations", "targetSync", "tls", "upkeep"]);
    });
});

describe("DatabaseEndpoint in the schema", () => {
    it("is the component db-endpoints:index:DatabaseEndpoint", () => {
        const r = pinned.resources[ENDPOINT];
        assert.ok(r, `${ENDPOINT} is missing`);
        assert.equal(r.isComponent, true);
        assert.match(r.description!, /Network Load Balancer/);
    });

    it("requires exactly vpcId, subnetIds and database", () => {
        assert.deepEqual([...pinned.resources[ENDPOINT].requiredInputs!].sort(), ["database", "subnetIds", "vpcId"]);
    });

    it("takes its essential inputs with these types (plain = must be known when declared)", () => {
        const inputs = pinned.resources[ENDPOINT].inputProperties!;
        const essentials: Record<string, string> = {
            vpcId: "input string",
            subnetIds: "plain string[]",
            database: "plain DatabaseTarget",
            port: "input number?",
            allowedCidrs: "plain string[]?",
            allowPublicInternet: "plain boolean?",
            idleTimeoutSeconds: "input number?",
            elasticIps: "plain boolean?",
            hostname: "input string?",
            hostedZoneId: "input string?",
            ipAddressType: "plain IpAddressType?",
            deletionProtection: "input boolean?",
            tags: "input map<string>?",
        };
        for (const [name, type] of Object.entries(essentials)) assert.equal(typeOf(inputs[name]), type, `input ${name}`);
    });

    it("describes the database target: an RDS identifier, or addresses and a port", () => {
        const t = pinned.types[TARGET];
        assert.equal(t.type, "object");
        assert.deepEqual(t.required ?? [], []);
        assert.equal(typeOf(t.properties!.rdsInstanceIdentifier), "input string?");
        assert.equal(typeOf(t.properties!.addresses), "plain string[]?");
        assert.equal(typeOf(t.properties!.port), "input number?");
        assert.equal(typeOf(t.properties!.securityGroupId), "input string?");
    });

    it("has the enum IpAddressType: Ipv4 = ipv4, Dualstack = dualstack", () => {
        const t = pinned.types[IP_TYPE];
        assert.equal(t.type, "string");
        assert.deepEqual(
            t.enum!.map((e) => [e.name, e.value]),
            [
                ["Ipv4", "ipv4"],
                ["Dualstack", "dualstack"],
            ],
        );
    });

    it("has the outputs clients and other stacks need", () => {
        const r = pinned.resources[ENDPOINT];
        const outputs = r.properties!;
        const essentials: Record<string, string> = {
            hostname: "input string",
            loadBalancerDnsName: "input string",
            loadBalancerArn: "input string",
            port: "input number",
            databasePort: "input number",
            publicAddresses: "input string[]",
            allowedCidrs: "input string[]",
            idleTimeoutSeconds: "input number",
            securityGroupIds: "input string[]",
            targetGroupArn: "input string",
            listenerArn: "input string",
            rdsAddress: "input string?",
            rdsCaCertIdentifier: "input string?",
        };
        // Outputs are never plain; `input` here only means "not plain".
        for (const [name, type] of Object.entries(essentials)) assert.equal(typeOf(outputs[name]), type, `output ${name}`);
        for (const name of ["hostname", "port", "loadBalancerDnsName", "securityGroupIds", "allowedCidrs"]) {
            assert.ok(r.required!.includes(name), `output ${name} should always be set`);
        }
        for (const name of ["rdsAddress", "rdsCaCertIdentifier"]) assert.ok(!r.required!.includes(name), `output ${name} is RDS only`);
    });

    it("gets these C# names in the generated SDK", () => {
        const api = csharpApi(pinned);
        assert.equal(api.namespace, "Pulumi.DbEndpoints");
        const kinds = Object.fromEntries([...api.classes.values()].filter((c) => c.token === ENDPOINT || c.token === TARGET || c.token === IP_TYPE).map((c) => [c.fullName, c.kind]));
        assert.deepEqual(kinds, {
            "Pulumi.DbEndpoints.DatabaseEndpoint": "resource",
            "Pulumi.DbEndpoints.DatabaseEndpointArgs": "args",
            // The generator appends "Args" to an input type's name: DatabaseTarget becomes DatabaseTargetArgs.
            "Pulumi.DbEndpoints.Inputs.DatabaseTargetArgs": "input type",
            "Pulumi.DbEndpoints.IpAddressType": "enum",
        });
        const args = api.classes.get("Pulumi.DbEndpoints.DatabaseEndpointArgs")!;
        assert.deepEqual([...args.required].sort(), ["Database", "SubnetIds", "VpcId"]);
        assert.equal(api.classes.get("Pulumi.DbEndpoints.IpAddressType")!.members!.get("Dualstack"), "dualstack");
    });
});

describe("examples/csharp (a C# program using the generated SDK)", () => {
    const dir = path.join(REPO_ROOT, "examples", "csharp");

    it("uses only classes, properties and outputs the generated SDK has, and sets every required input", () => {
        const source = fs.readFileSync(path.join(dir, "Program.cs"), "utf8");
        assert.deepEqual(checkCSharp(source, csharpApi(pinned)), []);
        // Not vacuous: the example declares the whole product with the SDK's classes (an RDS endpoint with an
        // integration, a self-managed one, the CA) and exports every output the stack exports.
        const reading = readCSharp(source);
        assert.ok(reading.usings.includes("Pulumi.DbEndpoints"));
        const created = reading.creations.map((c) => c.type);
        for (const name of ["DatabaseEndpoints", "DatabaseEndpointsArgs", "EndpointSettingsArgs", "EndpointDatabaseArgs", "IntegrationSettingsArgs", "CertificateAuthoritySettingsArgs", "AlarmSettingsArgs"]) {
            assert.ok(created.includes(name), `Program.cs creates no ${name}`);
        }
        const databases = reading.creations.filter((c) => c.type === "EndpointDatabaseArgs");
        assert.ok(databases.some((d) => d.members.includes("RdsInstanceIdentifier")), "no RDS endpoint");
        assert.ok(databases.some((d) => d.members.includes("Addresses")), "no self-managed endpoint");
        const read = reading.memberReads.filter((r) => r.variable === "product").map((r) => r.member).sort();
        assert.deepEqual(read, ["Alarms", "CaCertificate", "CertificateAuthority", "Certificates", "Endpoints", "Integrations", "TargetSync", "Tls", "Upkeep"]);
    });

    it("the C# in README.md and docs/csharp.md uses only what the generated SDK has, and shows the whole product", () => {
        for (const doc of ["README.md", path.join("docs", "csharp.md")]) {
            const text = fs.readFileSync(path.join(REPO_ROOT, doc), "utf8");
            const snippets = [...text.matchAll(/```csharp\n([\s\S]*?)```/g)].map((m) => m[1]);
            assert.ok(snippets.length > 0, `${doc} shows no C#`);
            for (const snippet of snippets) {
                // A snippet may leave out the usings a program has at its top.
                const source = /^using Pulumi\.DbEndpoints;/m.test(snippet) ? snippet : `using Pulumi.DbEndpoints;\nusing Pulumi.DbEndpoints.Inputs;\n${snippet}`;
                assert.deepEqual(checkCSharp(source, csharpApi(pinned)), [], `${doc}:\n${snippet}`);
                const reading = readCSharp(source);
                const databases = reading.creations.filter((c) => c.type === "EndpointDatabaseArgs");
                assert.ok(reading.creations.some((c) => c.type === "DatabaseEndpoints"), `${doc}: a snippet that does not declare DatabaseEndpoints`);
                assert.ok(databases.some((d) => d.members.includes("RdsInstanceIdentifier")), `${doc}: no RDS endpoint`);
                assert.ok(databases.some((d) => d.members.includes("Addresses")), `${doc}: no self-managed endpoint`);
                assert.ok(reading.creations.some((c) => c.type === "IntegrationSettingsArgs"), `${doc}: no integration`);
            }
        }
    });

    it("is a .NET LTS project referencing Pulumi and Pulumi.Aws, with the generated SDK's sources kept out", () => {
        const csproj = fs.readFileSync(path.join(dir, "DbEndpointsExample.csproj"), "utf8");
        assert.match(csproj, /<TargetFramework>net(8|10)\.0<\/TargetFramework>/);
        assert.match(csproj, /<PackageReference Include="Pulumi" Version="3\.\*" \/>/);
        assert.match(csproj, /<PackageReference Include="Pulumi\.Aws" Version="7\.\*" \/>/);
        assert.match(csproj, /<DefaultItemExcludes>\$\(DefaultItemExcludes\);sdks\/\*\*\/\*\.cs<\/DefaultItemExcludes>/);
        const project = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as Record<string, any>;
        assert.equal(project.runtime, "dotnet");
        assert.equal(path.resolve(dir, project.packages[PACKAGE]), REPO_ROOT);
        for (const key of ["publicSubnetIds", "allowedCidrs", "rdsInstanceIdentifier", "adminSecretArn"]) assert.ok(project.config[key], `config ${key} is not declared`);
    });
});

describe("examples/yaml (a Pulumi YAML program)", () => {
    it("uses only components, inputs and outputs the schema has, with every required input", () => {
        const program = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8")) as Record<string, any>;
        assert.equal(program.runtime, "yaml");
        assert.equal(path.resolve(REPO_ROOT, "examples", "yaml", program.packages[PACKAGE]), REPO_ROOT);
        assert.deepEqual(checkYamlProgram(program, pinned), []);
        // Not vacuous: the whole product, with an RDS endpoint and its integration, and a self-managed endpoint.
        assert.deepEqual(Object.keys(program.resources), ["product"]);
        assert.equal(program.resources.product.type, "db-endpoints:index:DatabaseEndpoints");
        const endpoints = program.resources.product.properties.endpoints as Record<string, any>[];
        assert.ok(endpoints.some((e) => e.database.rdsInstanceIdentifier && e.integrations?.length > 0), "no RDS endpoint with an integration");
        assert.ok(endpoints.some((e) => e.database.addresses), "no self-managed endpoint");
        assert.ok(program.resources.product.properties.alarms.emails.length > 0, "no alarm setting");
        assert.deepEqual(Object.keys(program.outputs).sort(), ["alarms", "caCertificate", "certificateAuthority", "certificates", "endpoints", "integrations", "targetSync", "tls", "upkeep"]);
    });
});

describe("the example checks catch mistakes", () => {
    it("reports wrong C# class, property, output and enum names, and missing required inputs", () => {
        const wrong = [
            "using Pulumi;",
            "using Pulumi.DbEndpoints;",
            "using Pulumi.DbEndpoints.Inputs;",
            "return await Deployment.RunAsync(() => {",
            '    var e = new DatabaseEndpoint("e", new DatabaseEndpointArgs',
            "    {",
            '        VpcID = "vpc-1",',
            '        Database = new DatabaseTargetArgsArgs { RdsInstanceIdentifier = "db" },',
            "        IpAddressType = IpAddressType.IPv6,",
            '        // Prot = 1, (comments are not code) "',
            "    });",
            '    var d = new Pulumi.DbEndpoints.Inputs.DatabaseTargetArgs { Adresses = { "10.0.0.1" } };',
            '    return new Dictionary<string, object?> { ["h"] = e.HostName, ["s"] = "e.Nothing" };',
            "});",
        ].join("\n");
        const api = csharpApi(pinned);
        const members = (name: string) => [...api.classes.get(name)!.members!.keys()].sort().join(", ");
        const argsClasses = [...api.classes.values()]
            .filter((c) => c.kind === "args" || c.kind === "input type")
            .map((c) => c.fullName)
            .sort()
            .join(", ");
        assert.deepEqual(checkCSharp(wrong, api), [
            `line 5: Pulumi.DbEndpoints.DatabaseEndpointArgs has no member VpcID (it has: ${members("Pulumi.DbEndpoints.DatabaseEndpointArgs")})`,
            "line 5: Pulumi.DbEndpoints.DatabaseEndpointArgs is created without its required SubnetIds",
            "line 5: Pulumi.DbEndpoints.DatabaseEndpointArgs is created without its required VpcId",
            `line 8: DatabaseTargetArgsArgs is not a class of the generated SDK (its Args classes: ${argsClasses})`,
            `line 12: Pulumi.DbEndpoints.Inputs.DatabaseTargetArgs has no member Adresses (it has: ${members("Pulumi.DbEndpoints.Inputs.DatabaseTargetArgs")})`,
            `line 13: e is a Pulumi.DbEndpoints.DatabaseEndpoint, which has no output HostName (it has: ${members("Pulumi.DbEndpoints.DatabaseEndpoint")})`,
            "line 9: enum Pulumi.DbEndpoints.IpAddressType has no member IPv6 (it has: Dualstack, Ipv4)",
        ]);
    });

    it("reports unknown YAML components, inputs, enum values, missing required inputs and unknown outputs", () => {
        const program = {
            resources: {
                a: {
                    type: "db-endpoints:DatabaseEndpoint",
                    properties: { vpcId: "vpc-1", database: { rdsInstanceId: "x" }, ipAddressType: "ipv6", idleTimeoutSeconds: "long" },
                },
                b: { type: "db-endpoints:index:Nope" },
                c: { type: "aws:ec2:Vpc", properties: { anything: true } },
            },
            outputs: { h: "${a.hostName}", ok: "${a.hostname}" },
        };
        assert.deepEqual(checkYamlProgram(program, pinned), [
            `resources.a.properties.database.rdsInstanceId: no such input (inputs: ${Object.keys(pinned.types[TARGET].properties!).join(", ")})`,
            'resources.a.properties.ipAddressType: "ipv6" is not one of "ipv4", "dualstack"',
            'resources.a.properties.idleTimeoutSeconds: expected a number, not "long"',
            "resources.a.properties: required input subnetIds is missing",
            `resources.b: db-endpoints:index:Nope is not a component of db-endpoints (it has: ${Object.keys(pinned.resources).join(", ")})`,
            `outputs.h: a (${ENDPOINT}) has no output hostName (outputs: ${Object.keys(pinned.resources[ENDPOINT].properties!).join(", ")})`,
        ]);
    });
});
