/**
 * Reading a stack's outputs where only they are at hand: the JSON `pulumi stack output --json` prints (spawned
 * here, or saved to a file beforehand), turned into what a client of each endpoint needs to connect, verify the
 * server and log in as an integration. Nothing here needs the Pulumi runtime or AWS.
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";

/** How a client verifies the server's certificate through an endpoint (the `tls` output). */
export interface EndpointTrust {
    /** `stack-ca` (the stack's own CA issued it) or `aws-rds` (an RDS CA did). */
    certificateIssuer: "stack-ca" | "aws-rds";
    /** The name the certificate must carry: the endpoint hostname, or for RDS the instance's own hostname. */
    verifyHostname: string;
    /** File name the CA bundle is saved as (`ca.pem`, `global-bundle.pem`). */
    caFile: string;
    /** Command that saves the CA bundle to `caFile`. */
    getCa: string;
}

/** One integration of an endpoint (the `integrations` output). */
export interface IntegrationTarget {
    name: string;
    username: string;
    access: string;
    secretArn: string;
    secretName: string;
    /** The database its connection uses; absent in outputs written before it was published. */
    database?: string;
    /** Granted schemas (MySQL: databases); empty when the outputs do not say. */
    schemas: string[];
    /** Granted tables, `schema.table`; empty for every table of the schemas (or when the outputs do not say). */
    tables: string[];
}

/** Everything the outputs say about one endpoint that a client needs. */
export interface EndpointTarget {
    name: string;
    hostname: string;
    port: number;
    loadBalancerDnsName: string;
    /** Elastic IPs; empty when the endpoint has none. */
    publicAddresses: string[];
    allowedCidrs: string[];
    idleTimeoutSeconds: number;
    /** `postgres` or `mysql`; undefined when the outputs do not say. */
    engine?: "postgres" | "mysql";
    /** Undefined in outputs written before it was published. */
    targetGroupArn?: string;
    tls: EndpointTrust;
    /** RDS: the CA that issued the instance's certificate. */
    rdsCaCertIdentifier?: string;
    integrations: IntegrationTarget[];
}

/** The outputs, read. */
export interface StackTargets {
    endpoints: EndpointTarget[];
    /** The stack CA's PEM bundle (`caCertificate`); undefined when the outputs do not have it. */
    caCertificate?: string;
}

/** Thrown when the outputs are not what the stack exports; the message names every problem by its path. */
export class OutputsError extends Error {}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reads the outputs JSON (`pulumi stack output --json`). Throws {@link OutputsError} listing every missing or
 * malformed value it needs, by path (`endpoints.reporting.port`), at once.
 */
export function readStackTargets(outputs: unknown): StackTargets {
    const problems: string[] = [];
    if (!isObject(outputs)) throw new OutputsError("the stack outputs are not a JSON object (expected what `pulumi stack output --json` prints)");
    const endpoints = outputs.endpoints;
    const tls = isObject(outputs.tls) ? outputs.tls : {};
    const integrations = isObject(outputs.integrations) ? outputs.integrations : {};
    if (!isObject(endpoints)) {
        throw new OutputsError("the stack outputs have no `endpoints` map: are they this project's (`pulumi stack output --json` in its directory)?");
    }
    const str = (path: string, v: unknown, optional = false): string | undefined => {
        if (typeof v === "string" && v !== "") return v;
        if (!(optional && (v === undefined || v === null))) problems.push(`${path}: ${v === undefined ? "is missing" : `${JSON.stringify(v)} is not a non-empty string`}`);
        return undefined;
    };
    const num = (path: string, v: unknown): number | undefined => {
        if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
        problems.push(`${path}: ${v === undefined ? "is missing" : `${JSON.stringify(v)} is not a positive whole number`}`);
        return undefined;
    };
    const strings = (path: string, v: unknown, optional = false): string[] => {
        if (v === undefined && optional) return [];
        if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
        problems.push(`${path}: ${v === undefined ? "is missing" : `${JSON.stringify(v)} is not a list of strings`}`);
        return [];
    };

    const list: EndpointTarget[] = [];
    for (const [name, raw] of Object.entries(endpoints)) {
        const at = `endpoints.${name}`;
        if (!isObject(raw)) {
            problems.push(`${at}: is not a map`);
            continue;
        }
        const t = tls[name];
        if (!isObject(t)) problems.push(`tls.${name}: is missing (every endpoint has one)`);
        const trust = isObject(t) ? t : {};
        const issuer = trust.certificateIssuer;
        if (issuer !== undefined && issuer !== "stack-ca" && issuer !== "aws-rds") problems.push(`tls.${name}.certificateIssuer: ${JSON.stringify(issuer)} is not "stack-ca" or "aws-rds"`);
        const engine = raw.engine;
        if (engine !== undefined && engine !== null && engine !== "postgres" && engine !== "mysql") problems.push(`${at}.engine: ${JSON.stringify(engine)} is not "postgres" or "mysql"`);
        const endpoint: EndpointTarget = {
            name,
            hostname: str(`${at}.hostname`, raw.hostname) ?? "",
            port: num(`${at}.port`, raw.port) ?? 0,
            loadBalancerDnsName: str(`${at}.loadBalancerDnsName`, raw.loadBalancerDnsName) ?? "",
            publicAddresses: strings(`${at}.publicAddresses`, raw.publicAddresses, true),
            allowedCidrs: strings(`${at}.allowedCidrs`, raw.allowedCidrs, true),
            idleTimeoutSeconds: num(`${at}.idleTimeoutSeconds`, raw.idleTimeoutSeconds) ?? 0,
            ...(engine === "postgres" || engine === "mysql" ? { engine } : {}),
            ...(str(`${at}.targetGroupArn`, raw.targetGroupArn, true) !== undefined ? { targetGroupArn: raw.targetGroupArn as string } : {}),
            tls: {
                certificateIssuer: issuer === "aws-rds" ? "aws-rds" : "stack-ca",
                verifyHostname: isObject(t) ? (str(`tls.${name}.verifyHostname`, trust.verifyHostname) ?? "") : "",
                caFile: typeof trust.caFile === "string" ? trust.caFile : issuer === "aws-rds" ? "global-bundle.pem" : "ca.pem",
                getCa: typeof trust.getCa === "string" ? trust.getCa : "",
            },
            ...(typeof trust.rdsCaCertIdentifier === "string" ? { rdsCaCertIdentifier: trust.rdsCaCertIdentifier } : {}),
            integrations: [],
        };
        const own = integrations[name];
        if (own !== undefined && !isObject(own)) problems.push(`integrations.${name}: is not a map`);
        for (const [iname, iraw] of Object.entries(isObject(own) ? own : {})) {
            const iat = `integrations.${name}.${iname}`;
            if (!isObject(iraw)) {
                problems.push(`${iat}: is not a map`);
                continue;
            }
            endpoint.integrations.push({
                name: iname,
                username: str(`${iat}.username`, iraw.username) ?? "",
                access: str(`${iat}.access`, iraw.access) ?? "",
                secretArn: str(`${iat}.secretArn`, iraw.secretArn) ?? "",
                secretName: str(`${iat}.secretName`, iraw.secretName) ?? "",
                ...(str(`${iat}.database`, iraw.database, true) !== undefined ? { database: iraw.database as string } : {}),
                schemas: strings(`${iat}.schemas`, iraw.schemas, true),
                tables: strings(`${iat}.tables`, iraw.tables, true),
            });
        }
        list.push(endpoint);
    }
    const ca = outputs.caCertificate;
    if (ca !== undefined && ca !== null && (typeof ca !== "string" || !ca.includes("-----BEGIN CERTIFICATE-----"))) {
        problems.push("caCertificate: is not a PEM bundle of certificates");
    }
    if (problems.length > 0) throw new OutputsError(`the stack outputs are not usable:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return { endpoints: list, ...(typeof ca === "string" ? { caCertificate: ca } : {}) };
}

/** The endpoints `name` selects (all without a name); throws naming the endpoints there are. */
export function selectEndpoints(targets: StackTargets, name: string | undefined): EndpointTarget[] {
    if (name === undefined) return targets.endpoints;
    const found = targets.endpoints.filter((e) => e.name === name);
    if (found.length === 0) {
        const names = targets.endpoints.map((e) => e.name);
        throw new OutputsError(`no endpoint named ${JSON.stringify(name)} in the stack outputs; ${names.length > 0 ? `there are: ${names.join(", ")}` : "they have no endpoint"}`);
    }
    return found;
}

/** Runs a command and returns what it printed; the real one spawns it. */
export type CommandRunner = (command: string, args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }>;

/** Spawns `command` with `args` (no shell), collecting its output. */
export const spawnCommand: CommandRunner = (command, args) =>
    new Promise((resolve) => {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", (error) => resolve({ code: null, stdout, stderr, error }));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

/**
 * The stack's outputs as `pulumi stack output --json [--stack NAME]` prints them (the current stack without a
 * name). Throws with what the CLI said when it fails or is not installed.
 */
export async function pulumiStackOutputs(stack: string | undefined, run: CommandRunner = spawnCommand): Promise<unknown> {
    const args = ["stack", "output", "--json", ...(stack !== undefined ? ["--stack", stack] : [])];
    const result = await run("pulumi", args);
    const shown = `pulumi ${args.join(" ")}`;
    if (result.error) {
        const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
        throw new OutputsError(
            `cannot run \`${shown}\`: ${missing ? "the Pulumi CLI is not on PATH" : result.error.message}; ` +
                "where there is no Pulumi CLI, save the outputs elsewhere with that command and pass them with --outputs FILE",
        );
    }
    if (result.code !== 0) throw new OutputsError(`\`${shown}\` failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    try {
        return JSON.parse(result.stdout);
    } catch {
        throw new OutputsError(`\`${shown}\` did not print JSON: ${result.stdout.trim().slice(0, 200)}`);
    }
}

/** Where the outputs come from: `pulumi stack output --json` (the current stack, or `stack`), or a file of them. */
export type OutputsSource = { kind: "pulumi"; stack?: string } | { kind: "file"; path: string };

/** The outputs JSON from `source`. Throws {@link OutputsError} saying what could not be read. */
export async function loadStackOutputs(source: OutputsSource, run: CommandRunner = spawnCommand): Promise<unknown> {
    if (source.kind === "pulumi") return pulumiStackOutputs(source.stack, run);
    let text: string;
    try {
        text = await fs.readFile(source.path, "utf8");
    } catch (e) {
        throw new OutputsError(`cannot read ${source.path}: ${(e as Error).message}`);
    }
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new OutputsError(`${source.path} is not JSON (save it with \`pulumi stack output --json > ${source.path}\`): ${(e as Error).message}`);
    }
}
