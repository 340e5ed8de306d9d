/**
 * The offline plan as text, rendered from the plan document: the summary first (each endpoint, each shared load
 * balancer), then the changes against the base when there is one, the resources grouped by the component they
 * belong to, the counts, the monthly cost and the warnings. Every value in full.
 */
import { formatMonthly } from "../../infra/cost/estimate";
import { DatabaseEngine } from "../../infra/enums";
import { Comparison, markerText } from "./compare";
import type { DeployTimeEntry, PlanDocument, ResourceEntry } from "./document";
import { endpointSummaryText } from "./summary";
import { COMPUTED, show } from "./values";

const ENGINE_LABEL: Record<DatabaseEngine, string> = { postgres: "PostgreSQL", mysql: "MySQL or MariaDB" };
const SHARED_TYPE = "db-endpoints:index:EndpointLoadBalancer";

/**
 * What replacing a load balancer does, for the plan's reader: the changes that force it, and what it costs.
 * `shared`: the name of the shared load balancer it is (undefined: an endpoint's own).
 */
export function loadBalancerReplacementNote(deleteFirst: boolean, shared?: string): string[] {
    const how = deleteFirst
        ? "deletionProtection off first (docs/updates.md). The old one and its listener are deleted first, so that its Elastic IPs move to the new one."
        : "deletionProtection off first (docs/updates.md). The new one (new target group and listener) serves before the old one is deleted.";
    if (shared === undefined) {
        return [
            "replaced, not updated, when elasticIps is switched or a subnet is removed or swapped: new DNS name, a short outage;",
            how,
            "Moving the endpoint onto a shared load balancer (loadBalancer) deletes this one: new DNS name and addresses, new target group and listener.",
        ];
    }
    return [
        "replaced, not updated, when elasticIps is switched or a subnet is removed or swapped: new DNS name for every endpoint on it, a short outage;",
        how.replace("and its listener are", "and its listeners are").replace("(new target group and listener)", "(a new target group and listener per endpoint)"),
        `An endpoint moved onto or off "${shared}" (loadBalancer) changes load balancer: new DNS name and addresses, new target group and listener.`,
    ];
}

function resourceLines(r: ResourceEntry, ownerType: string | undefined, ownerName: string | undefined): string[] {
    const marks = [
        r.protect ? " [protected]" : "",
        r.replacement ? ` [${r.replacement}]` : "",
        ...Object.entries(r.hooks).map(([step, names]) => ` [${step}: ${names.join(", ")}]`),
    ].join("");
    const lines = [`  + ${r.type.padEnd(58)} ${r.name}${marks}`];
    // A value of several lines (a saved query) keeps the listing's indentation on each.
    if (r.custom) lines.push(...r.description.split("\n").map((l) => `      ${l}`));
    if (r.type === "aws:lb/loadBalancer:LoadBalancer") {
        const note = loadBalancerReplacementNote(r.replacement !== null, ownerType === SHARED_TYPE ? ownerName : undefined);
        lines.push(...note.map((l) => `      ${l}`));
    }
    return lines;
}

function deployTimeLines(entries: DeployTimeEntry[]): string[] {
    if (entries.length === 0) return [];
    const lines = [`  declared at deploy, once the engine is read from the RDS instance:`];
    const both = entries.filter((e) => e.engines.length === 2);
    for (const e of both) lines.push(`  + ${e.type.padEnd(58)} ${e.name}   (whichever the engine)`);
    for (const engine of [DatabaseEngine.Postgres, DatabaseEngine.Mysql]) {
        const only = entries.filter((e) => e.engines.length === 1 && e.engines[0] === engine);
        if (only.length === 0) continue;
        lines.push(`  if ${ENGINE_LABEL[engine]}:`);
        for (const e of only) lines.push(`  + ${e.type.padEnd(58)} ${e.name}`);
    }
    return lines;
}

function changesLines(c: Comparison): string[] {
    const lines = [`Changes against ${c.base.label}`];
    const value = (v: unknown) => (v === undefined ? "(not set)" : show(v));
    const setting = (s: Comparison["stack"][number]) =>
        s.added !== undefined && s.removed !== undefined && (s.added.length > 0 || s.removed.length > 0)
            ? `${s.path}: ${[...s.added.map((a) => `+ ${show(a)}`), ...s.removed.map((r) => `- ${show(r)}`)].join(", ")}`
            : `${s.path}: ${value(s.before)} -> ${value(s.after)}`;
    for (const e of c.endpoints) {
        lines.push(`  Endpoint ${e.name}: ${e.status}`);
        for (const s of e.settings) lines.push(`    ${setting(s)}`);
        for (const m of e.markers) lines.push(`    ${markerText(m.marker)} ${m.text}`);
    }
    if (c.stack.length > 0) {
        lines.push("  Stack settings:");
        for (const s of c.stack) lines.push(`    ${setting(s)}`);
    }
    for (const lb of c.loadBalancers.filter((l) => l.shared && l.status !== "kept")) {
        const what = lb.status === "replaced" ? `replaced: ${lb.reasons.join("; ")}` : lb.status;
        lines.push(`  Shared load balancer ${lb.name}: ${what}`);
    }
    for (const cert of c.certificates.filter((x) => x.action === "deleted")) lines.push(`  Certificate ${cert.database}: deleted (${cert.reasons.join("; ")})`);
    const s = c.steps;
    lines.push(
        `  Resources: ${s.create} to create, ${s["replace, new first"] + s["replace, old deleted first"]} to replace, ${s.update} to update, ` +
            `${s.delete} to delete, ${s.same} unchanged (AWS and TLS resources registered offline)`,
    );
    const symbol: Record<string, string> = {
        create: "+",
        delete: "-",
        update: "~",
        "replace, new first": "+-",
        "replace, old deleted first": "-+",
    };
    for (const r of c.resources) {
        lines.push(`    ${symbol[r.step].padEnd(2)} ${r.type.padEnd(58)} ${r.name} [${r.step}]`);
        for (const i of r.inputs) lines.push(`         ${i.path}: ${show(i.before)} -> ${show(i.after)}`);
        if (r.why) lines.push(`         ${r.why}`);
        if (r.hooks.length > 0) lines.push(`         runs ${r.hooks.join(", ")}`);
    }
    for (const d of c.deployTime) {
        const engines = d.engines.length === 2 ? "" : ` (if ${ENGINE_LABEL[d.engines[0]]})`;
        lines.push(`    ${d.step === "create" ? "+ " : "- "} ${d.type.padEnd(58)} ${d.name} [${d.step} at deploy${engines}]`);
    }
    return lines;
}

/** The plan as text. */
export function planText(doc: PlanDocument): string {
    const lines: string[] = [];
    lines.push(`db-endpoints: offline plan for stack "${doc.stack}" (${doc.file})`);
    lines.push(
        "Run under Pulumi's mock runtime without AWS: resource names, counts and settings are what `pulumi up` would create;",
        `values shown as ${COMPUTED} and IDs shown as "(id of ...)" are placeholders for what AWS computes or the lookups`,
        "(RDS instance, subnets, DNS) return at deploy time; (secret) stands for a value marked secret, never shown.",
        "Placement checks and RDS address resolution run at deploy. How to read this: docs/plan.md.",
    );
    if (doc.secureConfigKeys.length > 0) lines.push(`Secret config values are not decrypted offline: ${doc.secureConfigKeys.join(", ")}`);
    lines.push("");

    for (const e of doc.endpoints) lines.push(...endpointSummaryText(e), "");
    for (const lb of doc.loadBalancers.filter((l) => l.shared)) {
        lines.push(
            `Shared load balancer ${lb.name} (${lb.resource})`,
            `  endpoints             ${lb.endpoints.join(", ")}: one listener and target group each, allowlist rules on each one's port only`,
            `  settings              ${lb.zones} zones, ${lb.ipAddressType}, ${lb.elasticIps ? "Elastic IPs" : "no Elastic IPs"}, deletion protection ${lb.deletionProtection ? "on" : "off"}, ${lb.securityGroups} security group${lb.securityGroups === 1 ? "" : "s"}`,
            `  monthly cost          ~${formatMonthly(lb.monthlyCost)}, shared equally by its endpoints`,
            "",
        );
    }

    if (doc.comparison) lines.push(...changesLines(doc.comparison), "");

    lines.push("Resources");
    const owners: { type: string; name: string }[] = [];
    for (const r of doc.resources) {
        const owner = r.owner ?? { type: r.type, name: r.name };
        if (!owners.some((o) => o.type === owner.type && o.name === owner.name)) owners.push(owner);
    }
    for (const owner of owners) {
        const own = doc.resources.find((r) => r.type === owner.type && r.name === owner.name && r.owner === null);
        lines.push(`${owner.type.split(":").pop()} ${owner.name}${own?.custom ? `: ${own.description}` : ""}`);
        if (owner.type === SHARED_TYPE) {
            const rds = doc.endpoints.filter((e) => e.loadBalancer.shared && e.loadBalancer.name === owner.name && e.database.kind === "rds").map((e) => e.name);
            if (rds.length > 0) {
                lines.push(
                    `  + rules to the RDS instances' security groups (${rds.join(", ")}): one per security group and port, ` +
                        "declared at deploy once the instances are looked up (pulumi preview shows them)",
                );
            }
        }
        for (const r of doc.resources.filter((x) => x.owner && x.owner.type === owner.type && x.owner.name === owner.name)) lines.push(...resourceLines(r, owner.type, owner.name));
        if (owner.type === "db-endpoints:index:DatabaseIntegrations") lines.push(...deployTimeLines(doc.deployTime.filter((d) => d.endpoint === owner.name)));
        lines.push("");
    }

    const c = doc.counts;
    const provider = (pkg: string, label: string) => (c.byProvider[pkg] ? `${c.byProvider[pkg]} ${label}` : undefined);
    const registered = [
        provider("aws", "AWS resources"),
        provider("tls", "TLS resources (keys and certificates, in the Pulumi state only)"),
        provider("random", "random values (in the Pulumi state only)"),
        provider("postgresql", "PostgreSQL users and grants"),
        provider("mysql", "MySQL users and grants"),
        c.providers ? `${c.providers} database provider${c.providers === 1 ? "" : "s"}` : undefined,
        `${c.components} components`,
    ].filter((x): x is string => x !== undefined);
    lines.push(`Registered offline: ${registered.join(", ")}.`);
    for (const d of c.deployTime) {
        const pg = d.byEngine.postgres!;
        const my = d.byEngine.mysql!;
        lines.push(
            `Declared at deploy by ${d.endpoint}'s integrations, once the engine is read from its RDS instance: ${pg.total} resources if PostgreSQL ` +
                `(${pg.aws} AWS resources: the credentials secrets and their values), ${my.total} if MySQL or MariaDB (${my.aws} AWS resources).`,
        );
    }
    lines.push("");

    lines.push(`Monthly cost estimate (${doc.cost.region} prices of ${doc.cost.pricesCheckedOn}, ${doc.cost.currency}; infra/cost/prices.ts)`);
    const width = Math.max(22, ...doc.endpoints.map((e) => e.name.length + 2));
    for (const e of doc.endpoints) lines.push(`  ${e.name.padEnd(width)}~${formatMonthly(doc.cost.perEndpoint[e.name] ?? 0)}`);
    lines.push(`  ${"the stack as a whole".padEnd(width)}~${formatMonthly(doc.cost.stackWide)}`);
    const stackLines = doc.cost.lines.filter((l) => l.endpoints.length === 0);
    for (const resource of [...new Set(stackLines.map((l) => l.name))]) {
        const items = stackLines.filter((l) => l.name === resource).map((l) => `${l.item} ${formatMonthly(l.monthly)}`);
        lines.push(`  ${"".padEnd(width)}${resource}: ${items.join(", ")}`);
    }
    lines.push(`  ${"total".padEnd(width)}~${formatMonthly(doc.cost.total)} a month`);
    const a = doc.cost.assumptions;
    lines.push(
        `  Assumes ${a.nlcuPerEndpoint} NLCU per endpoint; a scheduled function run billed ${a.functionRunSeconds} s, logging ${a.functionLogBytesPerRun} bytes and ` +
            `${a.metricRecordBytes} per metric record it publishes; ${a.notificationsPerTopicMonth} notifications per topic a month; metrics written only on trouble ` +
            `receiving data ${a.incidentMetricHoursPerMonth} hours a month;`,
        `  flow-log records of ${a.flowLogRecordBytes} bytes: ${a.flowLogScanRecordsPerInterfaceMinute} a minute of scans per network interface, ` +
            `${a.flowLogTrafficRecordsPerEndpointMinute} of client traffic per endpoint, and the health checks the target groups' settings make.`,
        "  Not included: data transfer, Logs Insights queries, Secrets Manager and CloudWatch API calls, free tiers.",
    );
    for (const n of doc.cost.notEstimated) lines.push(`  Not estimated: ${n.type} ${n.name}: ${n.why}`);

    if (doc.warnings.length > 0) {
        lines.push("", "Warnings:");
        for (const w of doc.warnings) lines.push(`  - ${w}`);
    }
    return lines.join("\n") + "\n";
}
