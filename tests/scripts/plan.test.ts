/**
 * `npm run plan`, end to end as a user runs it (a child process): the summary of the example stack and its
 * `--json` form, pinned, with the cost figures computed from the unit prices and assumptions (load balancers, flow
 * logs, secrets, alarms and the metrics they watch, the upkeep function, the alarms' topic); every count against what
 * is listed; values in full and no secret, ciphertext or placeholder for one printed; a shared load balancer; another
 * stack with an expired, an expiring and a later allowlist entry, a prefix list and an endpoint open to the internet;
 * comparisons with a base (a git ref, a file) that switch `elasticIps` (the load balancer replaced, its flow logs
 * with it) and add a hostname to a self-managed endpoint (its certificate re-issued, its database restarted); and the
 * refusals (bad config, bad arguments, a missing stack or ref, encrypted settings).
 *
 * The example stack is planned with `npm run plan`'s own command line (package.json); the other runs start the same
 * script with the test runtime's TypeScript loader (testing/testRuntime.cjs), which costs a child process about
 * half the CPU.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { formatMonthly } from "../../infra/cost/estimate";
import { ASSUMPTIONS, PRICES } from "../../infra/cost/prices";
import { SECRET_SIG } from "../../testing/recorder";

const ROOT = path.resolve(__dirname, "../..");
const DEV = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
const DAY = 86_400_000;
/** A day `days` from now, as an allowlist entry's `expires`. */
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

/**
 * The example's trial entry expires on a fixed day. The plan runs on the machine's clock, so once that day is within
 * the warning window (or past), the example is planned from a copy with the entry a year later: the pinned summary
 * holds whatever the day.
 */
const TRIAL = /expires: "(\d{4}-\d{2}-\d{2})"/.exec(DEV)![1];
const WARNING_DAYS = Number(/allowlistExpiryWarningDays: (\d+)/.exec(DEV)![1]);
const TRIAL_FAR = Date.parse(`${TRIAL}T00:00:00Z`) - Date.now() > (WARNING_DAYS + 1) * DAY;
const EXPIRES = TRIAL_FAR ? TRIAL : daysFromNow(365);
const EXAMPLE = DEV.replace(`expires: "${TRIAL}"`, `expires: "${EXPIRES}"`);

interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** `npm run plan`'s command line, from package.json, with this Node.js: how a user runs the plan. */
function npmRunPlan(): string[] {
    const [node, ...args] = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.plan as string).split(" ");
    assert.equal(node, "node");
    return [process.execPath, ...args];
}

/** The plan script under the test runtime's loader. */
const TEST_RUNTIME_PLAN = [process.execPath, "--require", "./testing/testRuntime.cjs", "scripts/plan.ts"];

/** At most two plans at a time (each runs the program under the mock runtime, a few seconds of CPU). */
let running = 0;
const waiting: (() => void)[] = [];
async function runPlan(args: string[], command: string[] = TEST_RUNTIME_PLAN): Promise<Run> {
    if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
        const [node, ...nodeArgs] = command;
        return await new Promise((resolve) => {
            execFile(node, [...nodeArgs, ...args], { cwd: ROOT, encoding: "utf8", timeout: 240_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
                resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
            );
        });
    } finally {
        running--;
        waiting.shift()?.();
    }
}

const tempDirs: string[] = [];
after(() => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-plan-"));
    tempDirs.push(dir);
    return dir;
}

function tempStack(name: string, yaml: string): string {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), yaml);
    return dir;
}

/** The example stack with `elasticIps: true` on reporting. */
const EXAMPLE_WITH_ELASTIC_IPS = EXAMPLE.replace("    - name: reporting\n", "    - name: reporting\n      elasticIps: true\n");
/** The example stack without legacy-mysql's hostname (and its hosted zone). */
const EXAMPLE_WITHOUT_HOSTNAME = EXAMPLE.replace("      hostname: legacy.db.example.com\n      hostedZoneId: Z0123456789ABCDEFGHIJ\n", "");

/** A git repository whose last commit has the example stack, and whose working copy has it with Elastic IPs on reporting. */
function repositoryWithElasticIpsUncommitted(): string {
    const dir = tempDir();
    const git = (...args: string[]) => {
        const r = spawnSync("git", ["-c", "user.name=plan test", "-c", "user.email=plan@example.com", ...args], { cwd: dir, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
    };
    git("init", "-q");
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), EXAMPLE);
    git("add", "Pulumi.dev.yaml");
    git("commit", "-q", "-m", "the example stack");
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), EXAMPLE_WITH_ELASTIC_IPS);
    return dir;
}

const SHARED_STACK = [
    "config:",
    "  db-endpoints:vpcId: vpc-0a1b2c3d4e5f60718",
    "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44, subnet-0ee55ff66aa77bb88]",
    "  db-endpoints:endpoints:",
    "    - name: reporting",
    "      loadBalancer: shared",
    "      port: 5432",
    "      database: { rdsInstanceIdentifier: prod-postgres }",
    "      allowedCidrs: [203.0.113.0/24]",
    "    - name: orders",
    "      loadBalancer: shared",
    "      port: 5433",
    "      database: { addresses: [10.0.3.17], port: 5432, securityGroupId: sg-0123456789abcdef0 }",
    "      allowedCidrs: [198.51.100.7/32]",
    "    - name: legacy",
    "      database: { addresses: [10.0.3.18], port: 3306 }",
    "      allowPublicInternet: true",
    "  aws:secretKey:",
    "    secure: v1:c2VjcmV0LWNpcGhlcnRleHQtbm90LWZvci1wcmludGluZw==",
    "",
].join("\n");

/** One entry long expired, one expiring within the warning window, one far ahead, a prefix list; and an endpoint open to all. */
const SOON = daysFromNow(5);
const TRIAL_STACK = [
    "config:",
    "  db-endpoints:vpcId: vpc-0a1b2c3d4e5f60718",
    "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44]",
    "  db-endpoints:endpoints:",
    "    - name: vendor",
    "      database: { addresses: [10.0.9.9], port: 5432 }",
    "      connectionAuditRetentionDays: 30",
    "      allowedCidrs:",
    "        - 203.0.113.0/24",
    '        - { cidr: 198.51.100.1, expires: "2001-01-01", note: old vendor }',
    `        - { cidr: 198.51.100.2, expires: "${SOON}" }`,
    '        - { cidr: 198.51.100.3, expires: "2999-01-01" }',
    '        - { prefixList: pl-0123456789abcdef0, expires: "2999-01-01", note: partner ranges }',
    "    - name: open",
    "      database: { addresses: [10.0.9.10], port: 5432 }",
    "      allowPublicInternet: true",
    "",
].join("\n");

// Started together, at most two at a time; each test awaits its own.
const runs: Record<string, Promise<Run>> = {};
/** The arguments that plan the example (its own file, or the copy with the trial moved later), and the file shown. */
let example: { args: string[]; file: string };
before(() => {
    const dir = TRIAL_FAR ? undefined : tempStack("dev", EXAMPLE);
    example = dir ? { args: ["--config-dir", dir], file: path.join(dir, "Pulumi.dev.yaml") } : { args: [], file: "Pulumi.dev.yaml" };
    runs.dev = runPlan(example.args, npmRunPlan());
    runs.json = runPlan([...example.args, "--json"]);
    runs.elasticIps = runPlan(["--config-dir", repositoryWithElasticIpsUncommitted(), "--base", "HEAD"]);
    const base = tempStack("dev", EXAMPLE_WITHOUT_HOSTNAME);
    runs.hostname = runPlan([...example.args, "--base-file", path.join(base, "Pulumi.dev.yaml")]);
    runs.hostnameJson = runPlan([...example.args, "--json", "--base-file", path.join(base, "Pulumi.dev.yaml")]);
    runs.shared = runPlan(["--stack", "shared", "--config-dir", tempStack("shared", SHARED_STACK)]);
    runs.trial = runPlan(["--stack", "trial", "--config-dir", tempStack("trial", TRIAL_STACK)]);
});

/** The part of the text from the line starting with `from` up to (not including) the line starting with `to`. */
function section(text: string, from: string, to: string): string {
    const lines = text.split("\n");
    const start = lines.findIndex((l) => l.startsWith(from));
    assert.ok(start >= 0, `no line starting with ${JSON.stringify(from)}`);
    const end = lines.findIndex((l, i) => i > start && l.startsWith(to));
    return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

// The example stack's monthly figures, from the unit prices and assumptions (a price changes in one place).
const HOURS = PRICES.hoursPerMonth;
const MINUTES = HOURS * 60;
const NLB = PRICES.networkLoadBalancerHour * HOURS;
const TWO_ADDRESSES = 2 * PRICES.publicIpv4AddressHour * HOURS;
const NLCU = ASSUMPTIONS.nlcuPerEndpoint * PRICES.nlcuHour * HOURS;
const SECRET = PRICES.secretMonth;
const ALARM = PRICES.alarmMetricMonth;
/** A certificate's DaysToExpiry, written on every run of the upkeep function: a custom metric all month. */
const METRIC = PRICES.customMetricMonth;
/** A metric written only on trouble (a failed sync, a rule not revoked), in the assumed hours of trouble. */
const TROUBLE = `${ASSUMPTIONS.incidentMetricHoursPerMonth} hours a month`;
const TROUBLE_METRIC = (ASSUMPTIONS.incidentMetricHoursPerMonth / HOURS) * METRIC;
/**
 * Flow-log records a minute of a load balancer in two zones (two network interfaces), for the endpoints on it, given by
 * their target groups' health-check intervals: the scans of each interface's address once per load balancer, each
 * interface's health check of each endpoint's target every interval (a new connection, with a record each way), and
 * each endpoint's client traffic. A self-managed database of no given engine is checked every 10 s; an RDS instance's
 * interval depends on its engine, looked up at deploy, so offline the estimate takes the shortest, 5 s.
 */
const SCANS = 2 * ASSUMPTIONS.flowLogScanRecordsPerInterfaceMinute;
const healthChecks = (interval: number) => 2 * (60 / interval) * 2;
const RDS_INTERVAL = 5;
const SELF_MANAGED_INTERVAL = 10;
const TRAFFIC = ASSUMPTIONS.flowLogTrafficRecordsPerEndpointMinute;
const flowLogs = (intervals: number[], retentionDays: number) => {
    const checks = intervals.reduce((sum, i) => sum + healthChecks(i), 0);
    const traffic = intervals.length * TRAFFIC;
    const records = SCANS + checks + traffic;
    const gb = (records * MINUTES * ASSUMPTIONS.flowLogRecordBytes) / 1e9;
    return {
        item: `flow-log ingestion (${records} records a minute: ${SCANS} of scans, ${checks} of health checks, ${traffic} of client traffic)`,
        ingestion: gb * PRICES.vendedLogIngestionGb,
        storage: gb * (retentionDays / (HOURS / 24)) * PRICES.logStorageGbMonth,
    };
};
const FLOW = flowLogs([RDS_INTERVAL], 90);
const LEGACY_FLOW = flowLogs([SELF_MANAGED_INTERVAL], 90);
const RUNS = MINUTES; // the upkeep function's schedule with target sync, rate(1 minute)
const REQUESTS = RUNS * PRICES.lambdaRequest;
const DURATION = RUNS * ASSUMPTIONS.functionRunSeconds * (256 / 1024) * PRICES.lambdaGbSecond.arm64;
// Its log: its own lines, and the DaysToExpiry records of the CA and legacy-mysql's certificate, every run.
const LOG_GB = (RUNS * (ASSUMPTIONS.functionLogBytesPerRun + 2 * ASSUMPTIONS.metricRecordBytes)) / 1e9;
const INGESTION = LOG_GB * PRICES.logIngestionGb;
const STORAGE = LOG_GB * (30 / (HOURS / 24)) * PRICES.logStorageGbMonth;
const NOTIFICATIONS = ASSUMPTIONS.notificationsPerTopicMonth * PRICES.snsRequest;
const EMAILS = ASSUMPTIONS.notificationsPerTopicMonth * PRICES.snsEmailNotification;
// reporting: its load balancer and flow logs, its integrations' two secrets, its three alarms (the sync metrics cost nothing without trouble).
const REPORTING = NLB + TWO_ADDRESSES + NLCU + FLOW.ingestion + FLOW.storage + 2 * SECRET + 3 * ALARM + 2 * TROUBLE_METRIC;
// legacy-mysql: its load balancer and flow logs, its certificate's secret, its health alarm, its certificate's alarm and metric.
const LEGACY = NLB + TWO_ADDRESSES + NLCU + LEGACY_FLOW.ingestion + LEGACY_FLOW.storage + SECRET + 2 * ALARM + METRIC;
// The stack's: the CA's alarm and metric, the expired rules' alarm, the upkeep function and its log, the alarms' topic.
const STACK_WIDE = 2 * ALARM + METRIC + TROUBLE_METRIC + REQUESTS + DURATION + INGESTION + STORAGE + NOTIFICATIONS + EMAILS;
const $ = formatMonthly;
/** `text` as a regular expression matching it literally. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const RDS_CONNECTION_LOGGING =
    "database connection logging: unknown offline; pulumi preview and up read it from the instance's parameter group (PostgreSQL log_connections) or option group " +
    "(MySQL/MariaDB: the audit plugin's CONNECT events), warn when logins are not recorded and output it as databaseConnectionLogging (docs/connection-audit.md#the-database-side)";
const OWN_CONNECTION_LOGGING =
    "database connection logging: the database's own (log_connections for PostgreSQL, the audit plugin for MySQL/MariaDB); docs/connection-audit.md#the-database-side";
const audit = (endpoint: string, days: number) =>
    `connection audit: flow logs of the load balancer's network interfaces kept ${days} days; saved query ".../${endpoint}/who-connected" (docs/connection-audit.md)`;
/** What the summary says of reporting's allowlist and audit: its trial entry, far from expiring, the audit, the RDS side unknown offline. */
const REPORTING_FACTS = [`allowlist: 198.51.100.64/27 expires at ${EXPIRES}T00:00:00Z (Acme BI trial, ticket OPS-1234)`, audit("reporting", 90), RDS_CONNECTION_LOGGING];
const LEGACY_FACTS = [audit("legacy-mysql", 90), OWN_CONNECTION_LOGGING];

const EXPECTED_SUMMARY = [
    "Endpoint reporting",
    "  clients connect to   the load balancer's DNS name, known after deploy",
    "  port                 the RDS instance's port, read at deploy",
    "  allowlist            3 entries: 2 IPv4, 1 IPv6 (203.0.113.0/24, 2001:db8:1234::/48, 198.51.100.64/27)",
    `  allowlist and audit  ${REPORTING_FACTS[0]}`,
    ...REPORTING_FACTS.slice(1).map((f) => `                       ${f}`),
    "  idle timeout         3600 s",
    "  database             RDS instance prod-postgres, engine read from the instance at deploy; admits the load balancer in the instance's first VPC security group",
    "  server verification  PostgreSQL clients: full: libpq connects to the load balancer's address resolved when connecting (hostaddr) and verifies the RDS hostname (host) against the RDS CA bundle; without Elastic IPs there is no fixed connection string",
    "                       MySQL/MariaDB clients: chain only: the mysql client verifies the name it connects to, and the RDS certificate names the instance, not the endpoint: VERIFY_CA through the endpoint proves an RDS CA issued the certificate, not that it is this instance; full with a hosts-file entry that maps the RDS hostname to the load balancer's current address (it can change: use Elastic IPs), then VERIFY_IDENTITY by the RDS hostname",
    "  restart policy       when-pending: after the listener is created, applies a pending CA certificate change (a restart); never reboots for anything else",
    "  load balancer        its own (reporting-nlb): 2 zones, dualstack, no Elastic IPs, deletion protection on",
    "  integrations         2, users created by pulumi up with the admin login in arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf, through the endpoint (the deployer's address must be in the allowlist)",
    "                       metabase: read on public.orders, public.customers; user metabase; credentials in a secret named db-endpoints/dev/reporting/metabase-<random suffix>",
    "                         if PostgreSQL (engine read from the instance at deploy): PostgreSQL login role metabase with a generated password (stored as a SCRAM-SHA-256 verifier), without SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS; CONNECT ON DATABASE the instance's database (DBName, read at deploy); USAGE ON SCHEMA public; SELECT ON TABLE public.orders, public.customers",
    "                       fivetran: read on every table of public, billing, also later ones; user fivetran; credentials in a secret named db-endpoints/dev/reporting/fivetran-<random suffix>",
    "                         if PostgreSQL (engine read from the instance at deploy): PostgreSQL login role fivetran with a generated password (stored as a SCRAM-SHA-256 verifier), without SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS; CONNECT ON DATABASE the instance's database (DBName, read at deploy); USAGE ON SCHEMA public; SELECT ON ALL TABLES IN SCHEMA public; USAGE ON SCHEMA billing; SELECT ON ALL TABLES IN SCHEMA billing; SELECT ON TABLES that the admin user creates in schema public later (default privileges); SELECT ON TABLES that the admin user creates in schema billing later (default privileges)",
    '                       if MySQL/MariaDB: pulumi up refuses these integrations: endpoints[0].database.adminConnection: is "endpoint", but the MySQL provider verifies a certificate only against the host it connects to, and an RDS certificate names the instance, not the endpoint: the admin password would cross the internet over unauthenticated TLS. Deploy from inside the VPC with adminConnection: "direct"',
    `  monthly cost         ~${$(REPORTING)}`,
    `                       reporting-nlb: NLB hours ${$(NLB)}, 2 public IPv4 addresses ${$(TWO_ADDRESSES)}, NLCUs (0.1 per endpoint) ${$(NLCU)}`,
    `                       reporting-flow-logs: ${FLOW.item} ${$(FLOW.ingestion)}, log storage (90 days kept) ${$(FLOW.storage)}`,
    `                       reporting-fivetran-credentials: secret ${$(SECRET)}`,
    `                       reporting-metabase-credentials: secret ${$(SECRET)}`,
    `                       alarms-reporting-no-healthy-target: alarm metric ${$(ALARM)}`,
    `                       alarms-reporting-sync-failures: alarm metric ${$(ALARM)}, SyncFailures metric, written only on trouble (${TROUBLE}) ${$(TROUBLE_METRIC)}`,
    `                       alarms-reporting-unserved-targets: alarm metric ${$(ALARM)}, UnservedTargets metric, written only on trouble (${TROUBLE}) ${$(TROUBLE_METRIC)}`,
    "",
    "Endpoint legacy-mysql",
    "  clients connect to   legacy.db.example.com (a Route 53 alias to the load balancer)",
    "  port                 3306",
    "  allowlist            1 entry: 1 IPv4, 0 IPv6 (198.51.100.7/32)",
    `  allowlist and audit  ${LEGACY_FACTS[0]}`,
    `                       ${LEGACY_FACTS[1]}`,
    "  idle timeout         6000 s",
    "  database             self-managed at 10.0.3.17:3306; MySQL/MariaDB; hostname legacy-mysql.internal.example.com; its security group must admit the load balancer's (database.securityGroupId is not set); certificate db-10.0.3.17-3306 naming legacy.db.example.com, the DNS name of legacy-mysql's load balancer, legacy-mysql.internal.example.com, 10.0.3.17",
    "  server verification  full: the stack CA's certificate names every endpoint hostname: the client verifies the name it connects to against ca.pem",
    "  restart policy       ssm-run-command: after each certificate (re)issue, SSM Run Command on i-0a1b2c3d4e5f60718 installs it and restarts the MySQL service, within 10 minutes",
    "  load balancer        its own (legacy-mysql-nlb): 2 zones, ipv4, no Elastic IPs, deletion protection on",
    "  integrations         none",
    `  monthly cost         ~${$(LEGACY)}`,
    `                       legacy-mysql-nlb: NLB hours ${$(NLB)}, 2 public IPv4 addresses ${$(TWO_ADDRESSES)}, NLCUs (0.1 per endpoint) ${$(NLCU)}`,
    `                       legacy-mysql-flow-logs: ${LEGACY_FLOW.item} ${$(LEGACY_FLOW.ingestion)}, log storage (90 days kept) ${$(LEGACY_FLOW.storage)}`,
    `                       db-10.0.3.17-3306-secret: secret ${$(SECRET)}`,
    `                       alarms-db-10.0.3.17-3306-certificate-expiry: alarm metric ${$(ALARM)}, DaysToExpiry metric, written every period ${$(METRIC)}`,
    `                       alarms-legacy-mysql-no-healthy-target: alarm metric ${$(ALARM)}`,
    "",
].join("\n");

/** The `+ type name` lines of the text's resource section (registered offline, and declared at deploy). */
function listed(text: string): { registered: string[]; deployTime: string[] } {
    const resources = section(text, "Resources", "Registered offline:");
    const registered: string[] = [];
    const deployTime: string[] = [];
    let atDeploy = false;
    for (const line of resources.split("\n")) {
        if (/^\S/.test(line)) atDeploy = false;
        if (line.startsWith("  declared at deploy")) atDeploy = true;
        const m = /^ {2}\+ (\S+)\s+(\S+)/.exec(line);
        if (m) (atDeploy ? deployTime : registered).push(`${m[1]} ${m[2]}`);
    }
    return { registered, deployTime };
}

/** The components' headings in the resource section. */
const COMPONENT_HEADING = /^(DatabaseEndpoint|CertificateAuthority|DatabaseCertificate|Upkeep|Alarms|DatabaseIntegrations|EndpointLoadBalancer) /;

describe("npm run plan: the example stack", () => {
    it("prints the summary first, one block per endpoint, every fact in full", async () => {
        const { status, stdout, stderr } = await runs.dev;
        assert.equal(status, 0, stderr);
        assert.ok(stdout.startsWith(`db-endpoints: offline plan for stack "dev" (${example.file})\n`), stdout.slice(0, 200));
        assert.match(stdout, /values shown as \(computed\) and IDs shown as "\(id of \.\.\.\)" are placeholders/);
        assert.equal(stdout.indexOf("Endpoint reporting"), stdout.indexOf("\n\n") + 2, "the summary comes right after the introduction");
        assert.equal(section(stdout, "Endpoint reporting", "Resources"), EXPECTED_SUMMARY);
    });

    it("states the monthly cost per endpoint and for the stack, from the unit prices, with nothing left unestimated", async () => {
        const { stdout } = await runs.dev;
        const pad = " ".repeat(24);
        assert.equal(
            section(stdout, "Monthly cost estimate", "  Assumes"),
            [
                `Monthly cost estimate (us-east-1 prices of ${PRICES.checkedOn}, USD; infra/cost/prices.ts)`,
                `  reporting             ~${$(REPORTING)}`,
                `  legacy-mysql          ~${$(LEGACY)}`,
                `  the stack as a whole  ~${$(STACK_WIDE)}`,
                `${pad}alarms-ca-1-certificate-expiry: alarm metric ${$(ALARM)}, DaysToExpiry metric, written every period ${$(METRIC)}`,
                `${pad}alarms-expired-rules: alarm metric ${$(ALARM)}, RevocationFailures metric, written only on trouble (${TROUBLE}) ${$(TROUBLE_METRIC)}`,
                `${pad}upkeep-fn: scheduled runs (requests) ${$(REQUESTS)}, duration (0.5 s a run at 256 MB, arm64) ${$(DURATION)}`,
                `${pad}upkeep-logs: log ingestion (${ASSUMPTIONS.functionLogBytesPerRun} bytes a run, and 2 metric records of ${ASSUMPTIONS.metricRecordBytes} bytes) ${$(INGESTION)}, ` +
                    `log storage (30 days kept) ${$(STORAGE)}`,
                `${pad}alarms-topic: notifications published (100 a month) ${$(NOTIFICATIONS)}, email notifications (1 subscriber) ${$(EMAILS)}`,
                `  total                 ~${$(REPORTING + LEGACY + STACK_WIDE)} a month`,
            ].join("\n"),
        );
        const a = ASSUMPTIONS;
        assert.equal(
            section(stdout, "  Assumes", "Warnings:").trimEnd(),
            [
                `  Assumes ${a.nlcuPerEndpoint} NLCU per endpoint; a scheduled function run billed ${a.functionRunSeconds} s, logging ${a.functionLogBytesPerRun} bytes and ` +
                    `${a.metricRecordBytes} per metric record it publishes; ${a.notificationsPerTopicMonth} notifications per topic a month; metrics written only on trouble ` +
                    `receiving data ${a.incidentMetricHoursPerMonth} hours a month;`,
                `  flow-log records of ${a.flowLogRecordBytes} bytes: ${a.flowLogScanRecordsPerInterfaceMinute} a minute of scans per network interface, ` +
                    `${a.flowLogTrafficRecordsPerEndpointMinute} of client traffic per endpoint, and the health checks the target groups' settings make.`,
                "  Not included: data transfer, Logs Insights queries, Secrets Manager and CloudWatch API calls, free tiers.",
            ].join("\n"),
        );
        // Every resource the stack creates is priced, or known to cost nothing by itself.
        assert.doesNotMatch(stdout, /Not estimated/);
    });

    it("lists every resource with its settings, the replacement notes and hooks, and the RDS integrations' resources declared at deploy", async () => {
        const { stdout } = await runs.dev;
        const reporting = section(stdout, "DatabaseEndpoint reporting", "DatabaseEndpoint legacy-mysql");
        for (const name of [
            "reporting-sg-1",
            "reporting-tg",
            "reporting-nlb",
            "reporting-listener",
            "reporting-to-database",
            "reporting-database-from-nlb",
            "reporting-flow-logs",
            "reporting-flow-logs-role",
            "reporting-flow-logs-policy",
            "reporting-flow-log-subnet-0aa11bb22cc33dd44",
            "reporting-flow-log-subnet-0ee55ff66aa77bb88",
            "reporting-who-connected",
        ]) {
            assert.match(reporting, new RegExp(`\\+ \\S+\\s+${literally(name)}( \\[|\\n)`));
        }
        assert.match(reporting, /allow in tcp\/\(computed\) from 2001:db8:1234::\/48 into \(id of reporting-sg-1\)\n/);
        // The trial entry's rule carries its expiry.
        assert.match(reporting, new RegExp(`allow in tcp/\\(computed\\) from 198\\.51\\.100\\.64/27 into \\(id of reporting-sg-1\\) until ${EXPIRES}T00:00:00Z\\n`));
        assert.match(reporting, /TCP:\(computed\) idleTimeout=3600s -> forward/);
        assert.match(reporting, /\+ aws:lb\/targetGroup:TargetGroup\s+reporting-tg \[replaced with the load balancer\]\n/);
        assert.match(reporting, /\+ aws:lb\/listener:Listener\s+reporting-listener \[afterCreate: reporting-rds-reboot\]\n/);
        assert.match(reporting, /logDestinationType=cloud-watch-logs logFormat=\$\{version\} \$\{interface-id\} \$\{flow-direction\}/);
        assert.match(
            reporting,
            new RegExp(
                "deletionProtection=true\n" +
                    " {6}replaced, not updated, when elasticIps is switched or a subnet is removed or swapped: new DNS name, a short outage;\n" +
                    " {6}deletionProtection off first \\(docs/updates\\.md\\)\\. The new one \\(new target group and listener\\) serves before the old one is deleted\\.\n",
            ),
        );
        const mysql = section(stdout, "DatabaseEndpoint legacy-mysql", "CertificateAuthority");
        assert.match(mysql, /TCP:3306 idleTimeout=6000s -> forward/);
        assert.match(mysql, /A legacy\.db\.example\.com in Z0123456789ABCDEFGHIJ -> alias \(computed\)/);
        assert.match(mysql, /target 10\.0\.3\.17:3306/);
        assert.match(stdout, /\+ aws:secretsmanager\/secretVersion:SecretVersion\s+db-10\.0\.3\.17-3306-secret-version \[afterCreate: db-10\.0\.3\.17-3306-restart\] \[afterUpdate: db-10\.0\.3\.17-3306-restart\]\n {6}secretId=\(computed\) secretString=\(secret\)\n/);
        // The alarms (each endpoint's, each certificate's, the expired rules'), the topic for the example's address; the upkeep function.
        const alarms = section(stdout, "Alarms alarms", "DatabaseEndpoint");
        assert.deepEqual(
            [...alarms.matchAll(/^ {2}\+ \S+\s+(\S+)/gm)].map((m) => m[1]).sort(),
            [
                "alarms-ca-1-certificate-expiry",
                "alarms-db-10.0.3.17-3306-certificate-expiry",
                "alarms-email-oncall@example.com",
                "alarms-expired-rules",
                "alarms-legacy-mysql-no-healthy-target",
                "alarms-reporting-no-healthy-target",
                "alarms-reporting-sync-failures",
                "alarms-reporting-unserved-targets",
                "alarms-topic",
            ],
        );
        assert.match(alarms, /\+ aws:sns\/topic:Topic\s+alarms-topic\n {6}\(AWS's defaults; its tags only\)\n/);
        assert.match(stdout, /\nUpkeep upkeep\n(.*\n)* {2}\+ aws:lambda\/function:Function\s+upkeep-fn\n/);
        const { deployTime } = listed(stdout);
        assert.deepEqual(deployTime.filter((d) => d.startsWith("aws:")), [
            "aws:secretsmanager/secret:Secret reporting-metabase-credentials",
            "aws:secretsmanager/secretVersion:SecretVersion reporting-metabase-credentials-value",
            "aws:secretsmanager/secret:Secret reporting-fivetran-credentials",
            "aws:secretsmanager/secretVersion:SecretVersion reporting-fivetran-credentials-value",
        ]);
        assert.ok(deployTime.includes("postgresql:index/grant:Grant reporting-fivetran-tables-billing"));
        assert.ok(deployTime.includes("mysql:index/grant:Grant reporting-metabase-on-public-orders"));
        assert.match(stdout, /legacy-mysql: database\.securityGroupId is not set/);
    });

    it("counts what it lists: AWS and TLS resources registered offline, and per engine what the integrations declare at deploy", async () => {
        const { stdout } = await runs.dev;
        const { registered, deployTime } = listed(stdout);
        const aws = registered.filter((r) => r.startsWith("aws:")).length;
        const tls = registered.filter((r) => r.startsWith("tls:")).length;
        assert.equal(aws + tls, registered.length);
        const components = stdout.split("\n").filter((l) => COMPONENT_HEADING.test(l)).length;
        assert.match(stdout, new RegExp(`\\nRegistered offline: ${aws} AWS resources, ${tls} TLS resources \\(keys and certificates, in the Pulumi state only\\), ${components + 1} components\\.\\n`));
        // Per endpoint 10 and 7 (load balancer, rules, target group, listener, connection audit), 3 and 1 alarms; the CA
        // and the certificate's 1 and 2 alarms; the certificate's secret and its value; the upkeep function's 11; the topic
        // and the subscription: 51. Keys and certificates of the CA and the database: 5. Two endpoints, the alarms, the
        // CA, the certificate, the upkeep function, reporting's integrations: 7 components (and the product).
        assert.deepEqual([aws, tls, components], [51, 5, 7]);
        // Each summary's allowlist count is its endpoint's allowlist rules, one per entry in effect.
        for (const [endpoint, entries] of [["reporting", 3], ["legacy-mysql", 1]] as const) {
            assert.match(section(stdout, `Endpoint ${endpoint}`, "Endpoint"), new RegExp(`\\n {2}allowlist {12}${entries} entr`));
            assert.equal(registered.filter((r) => r.startsWith(`aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule ${endpoint}-allow-`)).length, entries, endpoint);
        }
        const atDeploy = stdout.slice(stdout.indexOf("  declared at deploy"));
        const both = deployTime.filter((d) => atDeploy.includes(`${d.split(" ")[1]}   (whichever the engine)`)).length;
        const pgOnly = atDeploy.slice(atDeploy.indexOf("  if PostgreSQL:"), atDeploy.indexOf("  if MySQL or MariaDB:")).split("\n").filter((l) => l.startsWith("  + ")).length;
        const mysqlOnly = atDeploy.slice(atDeploy.indexOf("  if MySQL or MariaDB:"), atDeploy.indexOf("\n\n")).split("\n").filter((l) => l.startsWith("  + ")).length;
        assert.equal(both + pgOnly + mysqlOnly, deployTime.length);
        assert.match(
            stdout,
            new RegExp(
                `\\nDeclared at deploy by reporting's integrations, once the engine is read from its RDS instance: ${both + pgOnly} resources if PostgreSQL ` +
                    `\\(4 AWS resources: the credentials secrets and their values\\), ${both + mysqlOnly} if MySQL or MariaDB \\(4 AWS resources\\)\\.\\n`,
            ),
        );
    });

    it("prints every value in full and no secret, placeholder for one, or truncation", async () => {
        const { stdout } = await runs.dev;
        assert.doesNotMatch(stdout, /…/);
        assert.match(
            stdout,
            /description=db-endpoints upkeep: keeps RDS endpoints' targets on their instances' addresses; publishes the certificates' days to expiry; revokes expired allowlist rules environment=/,
        );
        assert.match(stdout, /assumeRolePolicy=\{"Version":"2012-10-17","Statement":\[\{"Effect":"Allow","Principal":\{"Service":"lambda\.amazonaws\.com"\},"Action":"sts:AssumeRole"\}\]\}/);
        assert.match(stdout, /triggers=\{"certificates":"\(computed\)","code":"[0-9a-f]{64}",/);
        assert.match(stdout, /privateKeyPem=\(secret\)/);
        // A value of several lines (legacy-mysql's saved query) in full, each line in the listing's indentation.
        assert.match(stdout, /queryString=fields @timestamp, @message\n {6}\| parse @message \/\^\\S\+ \\S\+ ingress .* 3306 6 .*\n {6}\| parse @message /);
        // A security group's ID offline (of AWS's form, for the upkeep function's checks) is shown as its placeholder.
        assert.doesNotMatch(stdout, /sg-[0-9a-f]{17}/);
        for (const text of [SECRET_SIG, "1b47061264138c4ac30d75fd1eb44270", "[secret]", "04da6b54-80e4-46f7-96ec-b56ff0331ba9"]) assert.ok(!stdout.includes(text), text);
    });
});

describe("npm run plan -- --json", () => {
    it("gives the same plan as one JSON document with stable field names", async () => {
        const [{ status, stdout, stderr }, text] = await Promise.all([runs.json, runs.dev]);
        assert.equal(status, 0, stderr);
        const doc = JSON.parse(stdout);
        assert.deepEqual(Object.keys(doc), ["format", "stack", "file", "secureConfigKeys", "endpoints", "loadBalancers", "resources", "deployTime", "counts", "cost", "warnings", "comparison"]);
        assert.deepEqual([doc.format, doc.stack, doc.file, doc.secureConfigKeys, doc.comparison], ["db-endpoints-plan/1", "dev", example.file, [], null]);
        const [reporting, legacy] = doc.endpoints;
        assert.deepEqual(Object.keys(reporting), ["name", "connect", "port", "allowlist", "idleTimeoutSeconds", "database", "verification", "restart", "loadBalancer", "integrations", "monthlyCost"]);
        assert.deepEqual(
            { ...reporting, verification: reporting.verification.map((v: { engine: string; strength: string }) => [v.engine, v.strength]), integrations: undefined, monthlyCost: undefined },
            {
                name: "reporting",
                connect: { hostname: null, loadBalancerDnsName: "known after deploy", fixedAddresses: false },
                port: null,
                allowlist: {
                    entries: 3,
                    ipv4: 2,
                    ipv6: 1,
                    prefixLists: [],
                    expired: 0,
                    publicInternet: false,
                    cidrs: ["203.0.113.0/24", "2001:db8:1234::/48", "198.51.100.64/27"],
                    facts: REPORTING_FACTS,
                },
                idleTimeoutSeconds: 3600,
                database: { kind: "rds", rdsInstanceIdentifier: "prod-postgres", engine: null, securityGroupId: null },
                verification: [
                    ["postgres", "full"],
                    ["mysql", "chain only"],
                ],
                restart: {
                    policy: "when-pending",
                    instanceIds: [],
                    text: "when-pending: after the listener is created, applies a pending CA certificate change (a restart); never reboots for anything else",
                },
                loadBalancer: {
                    name: "reporting",
                    shared: false,
                    endpoints: ["reporting"],
                    resource: "reporting-nlb",
                    elasticIps: false,
                    ipAddressType: "dualstack",
                    deletionProtection: true,
                    zones: 2,
                    securityGroups: 1,
                    monthlyCost: Math.round((NLB + TWO_ADDRESSES + NLCU) * 1e4) / 1e4,
                },
                integrations: undefined,
                monthlyCost: undefined,
            },
        );
        assert.deepEqual(legacy.allowlist.facts, LEGACY_FACTS);
        assert.deepEqual(
            reporting.integrations.list.map((i: Record<string, unknown>) => [i.name, i.access, i.tables, i.user, i.engine, Object.keys(i.grants as object), i.credentialsSecretNamePrefix]),
            [
                ["metabase", "read", ["public.orders", "public.customers"], "metabase", null, ["postgres", "mysql"], "db-endpoints/dev/reporting/metabase-"],
                ["fivetran", "read", null, "fivetran", null, ["postgres", "mysql"], "db-endpoints/dev/reporting/fivetran-"],
            ],
        );
        assert.deepEqual(Object.keys(reporting.integrations.refusedAtDeploy), ["mysql"]);
        assert.equal(reporting.monthlyCost.total, Math.round(REPORTING * 1e4) / 1e4);
        // Its items: the resources it owns or shares, each with what is priced of it.
        assert.deepEqual(
            [...new Set(reporting.monthlyCost.items.map((i: { resource: string }) => i.resource))],
            [
                "reporting-nlb",
                "reporting-flow-logs",
                "reporting-fivetran-credentials",
                "reporting-metabase-credentials",
                "alarms-reporting-no-healthy-target",
                "alarms-reporting-sync-failures",
                "alarms-reporting-unserved-targets",
            ],
        );
        assert.deepEqual(legacy.database, {
            kind: "self-managed",
            addresses: ["10.0.3.17"],
            port: 3306,
            engine: "mysql",
            hostname: "legacy-mysql.internal.example.com",
            securityGroupId: null,
            certificate: "db-10.0.3.17-3306",
            certificateNames: ["legacy.db.example.com", "the DNS name of legacy-mysql's load balancer", "legacy-mysql.internal.example.com", "10.0.3.17"],
        });
        assert.deepEqual([legacy.connect.hostname, legacy.port, legacy.restart.policy, legacy.restart.instanceIds], ["legacy.db.example.com", 3306, "ssm-run-command", ["i-0a1b2c3d4e5f60718"]]);
        // The same figures as the text, to the cent; the lines add up to them, by category too.
        assert.deepEqual(
            [doc.cost.perEndpoint.reporting, doc.cost.perEndpoint["legacy-mysql"], doc.cost.stackWide, doc.cost.total].map($),
            [REPORTING, LEGACY, STACK_WIDE, REPORTING + LEGACY + STACK_WIDE].map($),
        );
        type Line = { category: string; monthly: number; endpoints: string[] };
        const lines: Line[] = doc.cost.lines;
        const sum = (list: Line[]) => list.reduce((s, l) => s + l.monthly, 0);
        assert.equal($(sum(lines)), $(doc.cost.total));
        assert.equal($(sum(lines.filter((l) => l.endpoints.length === 0))), $(doc.cost.stackWide));
        assert.deepEqual(
            ["load balancer", "flow logs", "secret", "alarm", "custom metric", "function", "function logs", "notifications"].map((c) => $(sum(lines.filter((l) => l.category === c)))),
            [
                2 * (NLB + TWO_ADDRESSES + NLCU),
                FLOW.ingestion + FLOW.storage + LEGACY_FLOW.ingestion + LEGACY_FLOW.storage,
                3 * SECRET,
                7 * ALARM,
                2 * METRIC + 3 * TROUBLE_METRIC,
                REQUESTS + DURATION,
                INGESTION + STORAGE,
                NOTIFICATIONS + EMAILS,
            ].map($),
        );
        assert.deepEqual(doc.cost.notEstimated, []);
        assert.deepEqual([doc.cost.region, doc.cost.currency, doc.cost.pricesCheckedOn, doc.cost.assumptions], [PRICES.region, PRICES.currency, PRICES.checkedOn, { ...ASSUMPTIONS }]);
        assert.deepEqual(doc.counts, {
            byProvider: { aws: 51, tls: 5 },
            providers: 0,
            components: 8,
            deployTime: [{ endpoint: "reporting", byEngine: { postgres: { total: 21, aws: 4 }, mysql: { total: 13, aws: 4 } } }],
        });
        // The resources are the text's, with the same settings; the warnings too.
        const listedText = listed(text.stdout);
        assert.deepEqual(doc.resources.filter((r: { custom: boolean }) => r.custom).map((r: { type: string; name: string }) => `${r.type} ${r.name}`).sort(), [...listedText.registered].sort());
        for (const r of doc.resources.filter((x: { custom: boolean }) => x.custom)) {
            assert.ok(text.stdout.includes(`${r.description.split("\n").map((l: string) => `      ${l}`).join("\n")}\n`), r.name);
        }
        assert.deepEqual(doc.deployTime.map((d: { type: string; name: string }) => `${d.type} ${d.name}`).sort(), [...listedText.deployTime].sort());
        for (const w of doc.warnings) assert.ok(text.stdout.includes(`  - ${w}\n`), w);
        assert.equal(doc.resources.find((r: { name: string }) => r.name === "ca-1-key").inputs.algorithm, "RSA");
        for (const secretText of [SECRET_SIG, "[secret]"]) assert.ok(!stdout.includes(secretText), secretText);
        assert.equal(doc.resources.find((r: { name: string }) => r.name === "db-10.0.3.17-3306-secret-version").inputs.secretString, "(secret)");
        // The alarms carry whose they are.
        const tags = (name: string) => doc.resources.find((r: { name: string }) => r.name === name).inputs.tags;
        assert.equal(tags("alarms-reporting-sync-failures")["db-endpoints:endpoint"], "reporting");
        assert.equal(tags("alarms-db-10.0.3.17-3306-certificate-expiry")["db-endpoints:certificate"], "db-10.0.3.17-3306");
    });
});

describe("npm run plan -- --base / --base-file: what a change does", () => {
    it("switching elasticIps on an endpoint (against the stack file at a git ref) replaces its load balancer, its flow logs with it: a new DNS name, delete-first", async () => {
        const { status, stdout, stderr } = await runs.elasticIps;
        assert.equal(status, 0, stderr);
        const changes = section(stdout, "Changes against", "Resources\n".trimEnd());
        assert.match(changes, /^Changes against \S*Pulumi\.dev\.yaml at HEAD\n/);
        assert.equal(
            section(changes, "  Endpoint reporting", "  Endpoint legacy-mysql"),
            [
                "  Endpoint reporting: changed",
                "    endpoints[reporting].elasticIps: false -> true",
                "    [replaces load balancer] new DNS name: its own load balancer (reporting-nlb) is replaced: elasticIps switched on: AWS fixes a network load balancer's addresses when it is created",
                "    [outage] with Elastic IPs the old load balancer and its listeners are deleted first, so that its addresses move to the new one: the endpoint serves nothing until the new one does (minutes)",
                "    [deletion protection] the old load balancer has deletion protection on: AWS refuses to delete it; set deletionProtection: false and deploy that first (docs/updates.md)",
                "    [may restart database] the restart hook runs once the listener is created: it restarts RDS instance prod-postgres only to apply a pending CA certificate change (restart: when-pending)",
            ].join("\n"),
        );
        assert.match(changes, /\n {2}Endpoint legacy-mysql: unchanged\n/);
        // Replaced: the load balancer and its listener (delete-first), the target group, the flow logs of its network
        // interfaces, the deploy-time run of the upkeep function (its target list names the new target group). Updated:
        // what takes the target group's or the load balancer's ARN (the function's policy and code, the endpoint's alarms).
        assert.match(changes, /\n {2}Resources: 2 to create, 6 to replace, 5 to update, 0 to delete, 45 unchanged/);
        // The counts are those of the resources listed, and with the unchanged ones, every resource registered.
        const listedSteps = [...changes.matchAll(/^ {4}(\+-|-\+|\+ |~ |- ) \S+/gm)].map((m) => m[1].trim());
        assert.deepEqual(
            ["+", "+-", "-+", "~", "-"].map((symbol) => listedSteps.filter((x) => x === symbol).length),
            [2, 4, 2, 5, 0],
        );
        assert.equal(2 + 6 + 5 + 45, listed(stdout).registered.length);
        assert.match(changes, /\n {4}-\+ aws:lb\/loadBalancer:LoadBalancer\s+reporting-nlb \[replace, old deleted first\]\n {9}elasticIps switched on/);
        assert.match(changes, /\n {4}-\+ aws:lb\/listener:Listener\s+reporting-listener \[replace, old deleted first\]\n.*\n {9}runs reporting-rds-reboot\n/);
        assert.match(changes, /\n {4}\+- aws:lb\/targetGroup:TargetGroup\s+reporting-tg \[replace, new first\]\n {9}its replacement trigger changes/);
        for (const subnet of ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]) {
            assert.match(changes, new RegExp(`\\n {4}\\+ {2}aws:ec2/eip:Eip\\s+reporting-eip-${subnet} \\[create\\]\\n`));
            assert.match(
                changes,
                new RegExp(
                    `\\n {4}\\+- aws:ec2/flowLog:FlowLog\\s+reporting-flow-log-${subnet} \\[replace, new first\\]\\n {9}the load balancer's network interface it records is replaced with the load balancer \\(eniId\\)\\n`,
                ),
            );
        }
        assert.match(changes, /\n {4}\+- aws:lambda\/invocation:Invocation\s+upkeep-deploy-sync \[replace, new first\]\n {9}replaced with reporting-tg, which is replaced\n/);
        for (const name of ["upkeep-policy", "upkeep-fn", "alarms-reporting-sync-failures", "alarms-reporting-unserved-targets"]) {
            assert.match(changes, new RegExp(`\\n {4}~ {2}\\S+\\s+${name} \\[update\\]\\n {9}takes an input from reporting-tg, which is replaced\\n`), name);
        }
        assert.match(changes, /\n {4}~ {2}\S+\s+alarms-reporting-no-healthy-target \[update\]\n {9}takes an input from reporting-nlb, reporting-tg, which are replaced\n/);
        assert.doesNotMatch(changes, /legacy-mysql-nlb|db-10\.0\.3\.17-3306|certificate-expiry|expired-rules/);
        // The summary and the resources are the configuration planned: with Elastic IPs, a later replacement runs delete-first.
        assert.match(stdout, /\n {2}load balancer {8}its own \(reporting-nlb\): 2 zones, dualstack, Elastic IPs, deletion protection on\n/);
        const resources = section(stdout, "DatabaseEndpoint reporting", "DatabaseEndpoint legacy-mysql");
        assert.match(resources, /\+ aws:lb\/loadBalancer:LoadBalancer\s+reporting-nlb \[deleted before its replacement is created\]\n/);
        assert.match(resources, /\n {6}deletionProtection off first \(docs\/updates\.md\)\. The old one and its listener are deleted first, so that its Elastic IPs move to the new one\.\n/);
        assert.match(resources, /\+ aws:lb\/targetGroup:TargetGroup\s+reporting-tg \[kept when the load balancer is replaced\]\n/);
    });

    it("adding a hostname to a self-managed endpoint re-issues its database's certificate and restarts the database on its instances", async () => {
        const { status, stdout, stderr } = await runs.hostname;
        assert.equal(status, 0, stderr);
        const changes = section(stdout, "Changes against", "Resources\n".trimEnd());
        assert.equal(
            section(changes, "  Endpoint legacy-mysql", "  Resources:"),
            [
                "  Endpoint legacy-mysql: changed",
                "    endpoints[legacy-mysql].hostname: (not set) -> legacy.db.example.com",
                "    endpoints[legacy-mysql].hostedZoneId: (not set) -> Z0123456789ABCDEFGHIJ",
                "    [re-issues certificate] db-10.0.3.17-3306: endpoint hostname legacy.db.example.com added (legacy-mysql)",
                "    [restarts database] SSM Run Command on i-0a1b2c3d4e5f60718 installs the re-issued certificate and restarts MySQL",
            ].join("\n"),
        );
        assert.match(changes, /\n {2}Endpoint reporting: unchanged\n/);
        // The re-issued certificate has a new expiry: the upkeep function's certificate list changes (its code is
        // updated) and its deploy-time run runs again (a new invocation), publishing it before anyone relies on it.
        assert.equal(
            section(changes, "  Resources:", "\n").trimEnd(),
            [
                "  Resources: 1 to create, 3 to replace, 2 to update, 0 to delete, 50 unchanged (AWS and TLS resources registered offline)",
                "    +- tls:index/certRequest:CertRequest                          db-10.0.3.17-3306-csr [replace, new first]",
                "         its names change: endpoint hostname legacy.db.example.com added (legacy-mysql)",
                "    +- tls:index/locallySignedCert:LocallySignedCert              db-10.0.3.17-3306-cert [replace, new first]",
                "         replaced with db-10.0.3.17-3306-csr, which is replaced",
                "    +- aws:lambda/invocation:Invocation                           upkeep-deploy-sync [replace, new first]",
                "         replaced with db-10.0.3.17-3306-cert, which is replaced",
                "    +  aws:route53/record:Record                                  legacy-mysql-dns-a [create]",
                "    ~  aws:secretsmanager/secretVersion:SecretVersion             db-10.0.3.17-3306-secret-version [update]",
                "         takes an input from db-10.0.3.17-3306-cert, which is replaced",
                "         runs db-10.0.3.17-3306-restart",
                "    ~  aws:lambda/function:Function                               upkeep-fn [update]",
                "         takes an input from db-10.0.3.17-3306-cert, which is replaced",
            ].join("\n"),
        );
        assert.equal(1 + 3 + 2 + 50, listed(stdout).registered.length);
        assert.doesNotMatch(changes, /replaces load balancer/);
    });

    it("gives the comparison in the JSON too: settings, markers by name, resources with their steps", async () => {
        const { status, stdout, stderr } = await runs.hostnameJson;
        assert.equal(status, 0, stderr);
        const c = JSON.parse(stdout).comparison;
        assert.deepEqual(Object.keys(c), ["base", "stack", "endpoints", "loadBalancers", "certificates", "resources", "steps", "deployTime"]);
        assert.equal(c.base.ref, null);
        assert.match(c.base.file, /Pulumi\.dev\.yaml$/);
        const legacy = c.endpoints.find((e: { name: string }) => e.name === "legacy-mysql");
        assert.deepEqual(legacy.settings, [
            { path: "endpoints[legacy-mysql].hostname", after: "legacy.db.example.com" },
            { path: "endpoints[legacy-mysql].hostedZoneId", after: "Z0123456789ABCDEFGHIJ" },
        ]);
        assert.deepEqual(
            legacy.markers.map((m: { marker: string }) => m.marker),
            ["re-issues-certificate", "restarts-database"],
        );
        assert.deepEqual(c.certificates, [{ database: "db-10.0.3.17-3306", action: "re-issued", reasons: ["endpoint hostname legacy.db.example.com added (legacy-mysql)"], endpoints: ["legacy-mysql"] }]);
        assert.deepEqual(
            c.resources.map((r: { step: string; name: string; hooks: string[] }) => [r.step, r.name, r.hooks]),
            [
                ["replace, new first", "db-10.0.3.17-3306-csr", []],
                ["replace, new first", "db-10.0.3.17-3306-cert", []],
                ["replace, new first", "upkeep-deploy-sync", []],
                ["create", "legacy-mysql-dns-a", []],
                ["update", "db-10.0.3.17-3306-secret-version", ["db-10.0.3.17-3306-restart"]],
                ["update", "upkeep-fn", []],
            ],
        );
        assert.deepEqual(c.steps, { create: 1, same: 50, update: 2, "replace, new first": 3, "replace, old deleted first": 0, delete: 0 });
        assert.deepEqual(c.deployTime, []);
    });
});

describe("npm run plan: a shared load balancer, another stack", () => {
    it("summarises each endpoint's seat on the shared load balancer, its share of the cost with its own alarms, and the stack's encrypted keys by name only", async () => {
        const { status, stdout, stderr } = await runs.shared;
        assert.equal(status, 0, stderr);
        assert.match(stdout, /offline plan for stack "shared"/);
        assert.match(stdout, /\nSecret config values are not decrypted offline: aws:secretKey\n/);
        assert.ok(!stdout.includes("v1:c2VjcmV0"), "the ciphertext is not printed");
        const orders = section(stdout, "Endpoint orders", "Endpoint legacy");
        assert.match(orders, /\n {2}load balancer {8}shared "shared" \(shared-nlb\) with reporting: 2 zones, ipv4, no Elastic IPs, deletion protection on\n/);
        // Half the load balancer's hours and addresses and of its flow logs (one set of scans, each endpoint's health
        // checks and traffic), its own NLCUs; its database's certificate secret, alarm and metric; its health alarm.
        const shared = flowLogs([RDS_INTERVAL, SELF_MANAGED_INTERVAL], 90);
        const share = (NLB + TWO_ADDRESSES) / 2 + NLCU + (shared.ingestion + shared.storage) / 2 + SECRET + 2 * ALARM + METRIC;
        assert.match(orders, new RegExp(`\\n {2}monthly cost {9}~${literally($(share))}\\n`));
        assert.match(orders, new RegExp(`\\n {23}shared-nlb, its share with reporting: NLB hours ${literally($(NLB / 2))}, `));
        assert.match(orders, new RegExp(`\\n {23}shared-flow-logs, its share with reporting: ${literally(shared.item)} ${literally($(shared.ingestion / 2))}, `));
        assert.match(orders, new RegExp(`\\n {23}alarms-orders-no-healthy-target: alarm metric ${literally($(ALARM))}\\n`));
        assert.match(orders, /\n {2}port {17}5433\n/);
        const block = section(stdout, "Shared load balancer shared", "Resources");
        assert.match(block, /endpoints {13}reporting, orders: one listener and target group each, allowlist rules on each one's port only\n/);
        assert.match(block, new RegExp(`monthly cost {10}~${literally($(NLB + TWO_ADDRESSES + 2 * NLCU))}, shared equally by its endpoints`));
        const legacy = section(stdout, "Endpoint legacy", "Shared load balancer");
        assert.match(legacy, /\n {2}allowlist {12}every IPv4 and IPv6 address \(allowPublicInternet\)\n/);
        assert.match(legacy, /\n {2}restart policy {7}manual \(database\.instanceIds is not set\)/);
        const sharedResources = section(stdout, "EndpointLoadBalancer shared", "Alarms alarms");
        assert.match(sharedResources, /\+ rules to the RDS instances' security groups \(reporting\): one per security group and port, declared at deploy/);
        assert.match(sharedResources, /An endpoint moved onto or off "shared" \(loadBalancer\) changes load balancer: new DNS name and addresses, new target group and listener\.\n/);
        assert.match(sharedResources, /\+ aws:ec2\/flowLog:FlowLog\s+shared-flow-log-subnet-0aa11bb22cc33dd44\n/);
        assert.match(stdout, /allow in tcp\/5433 from 198\.51\.100\.7\/32 into \(id of shared-sg-1\)/);
        assert.match(stdout, /allow in tcp\/3306 from 0\.0\.0\.0\/0/);
        assert.match(stdout, /admits every IPv4 and IPv6 address/);
        // No address to notify: the alarms notify no one, and the plan says so.
        assert.match(stdout, /\n {2}- db-endpoints: alarms: neither snsTopicArn nor emails is set/);
        assert.doesNotMatch(stdout, /Not estimated/);
    });

    it("plans another stack (--stack) with an expired, an expiring and a later entry, a prefix list, and an endpoint open to every address", async () => {
        const { status, stdout, stderr } = await runs.trial;
        assert.equal(status, 0, stderr);
        assert.match(stdout, /^db-endpoints: offline plan for stack "trial" \(\S*Pulumi\.trial\.yaml\)\n/);
        const vendor = section(stdout, "Endpoint vendor", "  idle timeout");
        assert.equal(
            vendor,
            [
                "Endpoint vendor",
                "  clients connect to   the load balancer's DNS name, known after deploy",
                "  port                 5432",
                "  allowlist            4 entries: 3 IPv4, 0 IPv6 (203.0.113.0/24, 198.51.100.2/32, 198.51.100.3/32), 1 prefix list (pl-0123456789abcdef0); 1 expired, not deployed",
                "  allowlist and audit  allowlist: 198.51.100.1/32 expired at 2001-01-01T00:00:00Z (old vendor): not deployed",
                `                       allowlist: 198.51.100.2/32 expires at ${SOON}T00:00:00Z, within 14 days: its rule is revoked then`,
                "                       allowlist: 198.51.100.3/32 expires at 2999-01-01T00:00:00Z",
                "                       allowlist: prefix list pl-0123456789abcdef0 expires at 2999-01-01T00:00:00Z (partner ranges)",
                "                       allowlist: prefix list pl-0123456789abcdef0: its maximum entries (what it counts against the rules quota), address family and CIDRs are unknown offline; they are looked up and checked at deploy (pulumi preview shows the result)",
                `                       ${audit("vendor", 30)}`,
                `                       ${OWN_CONNECTION_LOGGING}`,
            ].join("\n"),
        );
        // The expired entry has no rule; the others one each, the expiring ones with their instant, the prefix list in its own group.
        const { registered } = listed(stdout);
        assert.deepEqual(
            registered.filter((r) => r.includes("vendor-allow-")).map((r) => r.split(" ")[1]),
            ["vendor-allow-203.0.113.0_24", "vendor-allow-198.51.100.2_32", "vendor-allow-198.51.100.3_32", "vendor-allow-pl-0123456789abcdef0"],
        );
        assert.doesNotMatch(stdout, /198\.51\.100\.1[/_]32 into|vendor-allow-198\.51\.100\.1_32/);
        assert.match(stdout, new RegExp(`allow in tcp/5432 from 198\\.51\\.100\\.2/32 into \\(id of vendor-sg-1\\) until ${SOON}T00:00:00Z\\n`));
        assert.match(stdout, /allow in tcp\/5432 from 198\.51\.100\.3\/32 into \(id of vendor-sg-1\) until 2999-01-01T00:00:00Z\n/);
        assert.match(stdout, /\+ aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule\s+vendor-allow-pl-0123456789abcdef0\n {6}allow in tcp\/5432 from \(computed\) into \(id of vendor-sg-2\) until 2999-01-01T00:00:00Z\n/);
        assert.match(stdout, new RegExp(`\\n {2}- vendor: allowlist\\[1\\]\\.expires: "198\\.51\\.100\\.2" expires at ${SOON}T00:00:00Z, in \\d+ days: its rule is revoked then, without a deployment`));
        // The function revokes expired rules, and its alarm says when it cannot.
        assert.match(stdout, /description=db-endpoints upkeep: publishes the certificates' days to expiry; revokes expired allowlist rules /);
        assert.match(stdout, /\+ aws:cloudwatch\/metricAlarm:MetricAlarm\s+alarms-expired-rules\n/);
        // One zone: one address and one network interface's flow logs per load balancer.
        const oneZoneRecords = ASSUMPTIONS.flowLogScanRecordsPerInterfaceMinute + (60 / SELF_MANAGED_INTERVAL) * 2 + TRAFFIC;
        assert.match(section(stdout, "Endpoint vendor", "Endpoint open"), new RegExp(`vendor-nlb: NLB hours ${literally($(NLB))}, 1 public IPv4 address ${literally($(TWO_ADDRESSES / 2))}, `));
        assert.match(stdout, new RegExp(`vendor-flow-logs: flow-log ingestion \\(${oneZoneRecords} records a minute: 3\\.5 of scans, 12 of health checks, 4 of client traffic\\)`));
        // allowPublicInternet: every address, a rule per family, and a warning.
        const open = section(stdout, "Endpoint open", "Resources");
        assert.match(open, /\n {2}allowlist {12}every IPv4 and IPv6 address \(allowPublicInternet\)\n/);
        assert.match(stdout, /allow in tcp\/5432 from 0\.0\.0\.0\/0 into \(id of open-sg-1\)\n/);
        assert.match(stdout, /allow in tcp\/5432 from ::\/0 into \(id of open-sg-1\)\n/);
        assert.match(stdout, /\n {2}- open: allowPublicInternet: the endpoint admits every IPv4 and IPv6 address/);
        assert.doesNotMatch(stdout, /Not estimated/);
    });
});

describe("npm run plan: refusals", () => {
    it("exits 1 with every config problem and plans nothing", async () => {
        const dir = tempStack(
            "broken",
            [
                "config:",
                "  db-endpoints:vpcId: vpc-1",
                "  db-endpoints:publicSubnetIds: [subnet-0aa11bb22cc33dd44]",
                "  db-endpoints:endpoints:",
                "    - name: a",
                "      database: { rdsInstanceIdentifier: prod }",
                "      allowedCidrs: [10.0.0.0/33]",
                "      idleTimeoutSeconds: 9000",
                "",
            ].join("\n"),
        );
        const { status, stdout, stderr } = await runPlan(["--stack", "broken", "--config-dir", dir]);
        assert.equal(status, 1);
        assert.equal(stdout, "");
        assert.equal(
            stderr,
            "Pulumi.broken.yaml: invalid db-endpoints configuration (3 problems):\n" +
                '  - vpcId: "vpc-1" is not a VPC ID such as "vpc-0a1b2c3d4e5f60718"\n' +
                '  - endpoints[0].allowedCidrs[0]: "10.0.0.0/33" is not a CIDR: the prefix length must be 0..32\n' +
                "  - endpoints[0].idleTimeoutSeconds: 9000 is out of range (expected 60..6000)\n",
        );
    });

    it("refuses encrypted db-endpoints settings rather than planning a placeholder, and an invalid or missing base", async () => {
        const encrypted = tempStack("enc", DEV.replace("  db-endpoints:tags:\n    team: data-platform\n", "  db-endpoints:tags:\n    secure: v1:dGVhbTogZGF0YS1wbGF0Zm9ybQ==\n"));
        const e = await runPlan(["--stack", "enc", "--config-dir", encrypted]);
        assert.equal(e.status, 1);
        assert.match(e.stderr, /Pulumi\.enc\.yaml: db-endpoints:tags is encrypted \(secure:\), and the offline plan cannot decrypt without the Pulumi CLI/);
        assert.ok(!e.stderr.includes("[secret]") && !e.stderr.includes("v1:dGVhbT"));
        const badBase = tempStack("dev", DEV.replace("idleTimeoutSeconds: 6000", "idleTimeoutSeconds: 9000"));
        const b = await runPlan(["--base-file", path.join(badBase, "Pulumi.dev.yaml")]);
        assert.equal(b.status, 1);
        assert.match(b.stderr, /^the base configuration, .*Pulumi\.dev\.yaml: invalid db-endpoints configuration \(1 problem\):\n {2}- endpoints\[1\]\.idleTimeoutSeconds: 9000 is out of range/);
        const noRef = await runPlan(["--config-dir", repositoryWithElasticIpsUncommitted(), "--base", "no-such-ref"]);
        assert.equal(noRef.status, 1);
        assert.match(noRef.stderr, /^plan failed: git show no-such-ref:\.\/Pulumi\.dev\.yaml failed: /);
    });

    it("exits 2 on bad arguments and 1 on a missing stack file", async () => {
        const bad = await runPlan(["--stak", "x"]);
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /unknown argument "--stak"; usage: npm run plan/);
        const both = await runPlan(["--base", "HEAD", "--base-file", "x.yaml"]);
        assert.equal(both.status, 2);
        assert.match(both.stderr, /--base and --base-file are one base each/);
        const missing = await runPlan(["--stack", "nosuch", "--config-dir", os.tmpdir()]);
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /plan failed: no stack file .*Pulumi\.nosuch\.yaml/);
    });
});
