/**
 * The upkeep function's certificate-expiry duty, through its handler with the clock fixed: every run but an RDS
 * event's publishes each certificate's days to expiry as one EMF record (the metric the expiry alarms watch, whose
 * absence they take as a fault); and the certificates file the deployment writes, checked as the function reads it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { createHandler, loadSettings, SyncSummary } from "../../infra/lambda/targetSync/index";
import {
    certificatesFileText,
    CertificateWatch,
    daysToExpiry,
    EXPIRY_METRIC,
    parseCertificatesFile,
} from "../../infra/lambda/targetSync/expiryWatch";

const NOW = Date.parse("2027-01-06T12:00:00Z");
const CERTIFICATES: CertificateWatch[] = [
    { name: "ca-1", expiresAt: "2034-12-30T00:00:00Z" },
    { name: "db-10.0.3.17-3306", expiresAt: "2027-04-06T00:00:00Z" },
    { name: "ca-2", expiresAt: "2027-01-01T00:00:00Z" },
];

function harness(certificates: CertificateWatch[]) {
    const lines: Record<string, any>[] = [];
    const handler = createHandler({
        settings: { targets: [], stack: "db-endpoints/prod", eventPollSeconds: 50, certificates },
        elb: new ElasticLoadBalancingV2Client({ region: "us-east-1" }),
        resolve: async () => {
            throw new Error("no DNS lookup expected");
        },
        sleep: async () => undefined,
        now: () => NOW,
        random: () => 0.5,
        writeLine: (line) => lines.push(JSON.parse(line)),
    });
    return { lines, run: (event: unknown): Promise<SyncSummary> => handler(event, { awsRequestId: "req-1" }) };
}

const SCHEDULED = { source: "aws.events", "detail-type": "Scheduled Event", detail: {} };

describe("the days to expiry, published on every run", () => {
    it("one EMF record per certificate, dimensions Stack and Certificate, to the hundredth of a day", async () => {
        const h = harness(CERTIFICATES);
        const summary = await h.run(SCHEDULED);
        const record = (name: string, expiresAt: string, days: number) => ({
            _aws: {
                Timestamp: NOW,
                CloudWatchMetrics: [{ Namespace: "DbEndpoints/Certificates", Dimensions: [["Stack", "Certificate"]], Metrics: [{ Name: "DaysToExpiry", Unit: "None" }] }],
            },
            stack: "db-endpoints/prod",
            trigger: "schedule",
            requestId: "req-1",
            event: "certificate-expiry",
            expiresAt,
            Stack: "db-endpoints/prod",
            Certificate: name,
            DaysToExpiry: days,
        });
        assert.deepEqual(h.lines, [
            // 2034-12-30 is 2914.5 days after 2027-01-06T12:00Z.
            record("ca-1", "2034-12-30T00:00:00Z", 2914.5),
            record("db-10.0.3.17-3306", "2027-04-06T00:00:00Z", 89.5),
            // An expired certificate's days are negative, and still published.
            record("ca-2", "2027-01-01T00:00:00Z", -5.5),
        ]);
        assert.deepEqual(summary.certificates, [
            { name: "ca-1", expiresAt: "2034-12-30T00:00:00Z", daysToExpiry: 2914.5 },
            { name: "db-10.0.3.17-3306", expiresAt: "2027-04-06T00:00:00Z", daysToExpiry: 89.5 },
            { name: "ca-2", expiresAt: "2027-01-01T00:00:00Z", daysToExpiry: -5.5 },
        ]);
        assert.deepEqual([summary.changed, summary.failed, summary.results, summary.revocation], [0, 0, [], undefined]);
    });

    it("on the schedule, at deployment and by hand; not on an RDS event", async () => {
        for (const [event, publishes] of [
            [SCHEDULED, true],
            [{ action: "sync", trigger: "deploy" }, true],
            [{}, true],
            [{ source: "aws.rds", "detail-type": "RDS DB Instance Event", resources: ["arn:aws:rds:us-east-1:123456789012:db:x"], detail: { EventID: "RDS-EVENT-0006" } }, false],
        ] as const) {
            const h = harness(CERTIFICATES);
            const summary = await h.run(event);
            assert.equal(h.lines.filter((l) => l.DaysToExpiry !== undefined).length, publishes ? 3 : 0, JSON.stringify(event));
            assert.equal(summary.certificates !== undefined, publishes);
        }
    });

    it("is not a duty of a function without certificates", async () => {
        const h = harness([]);
        assert.equal((await h.run(SCHEDULED)).certificates, undefined);
        assert.deepEqual(h.lines, []);
    });

    it("rounds down, so a certificate is never reported further from expiry than it is", () => {
        assert.equal(daysToExpiry("2027-01-07T12:00:00Z", NOW - 1), 1);
        assert.equal(daysToExpiry("2027-01-07T12:00:00Z", NOW + 1), 0.99);
        assert.equal(daysToExpiry("2027-01-06T12:00:00Z", NOW), 0);
    });

    it("names the metric the alarms watch", () => {
        assert.deepEqual(EXPIRY_METRIC, { namespace: "DbEndpoints/Certificates", name: "DaysToExpiry", dimensions: ["Stack", "Certificate"] });
    });
});

describe("the certificates file", () => {
    it("is written sorted by name (same certificates, same bytes) and read back by the function", () => {
        const text = certificatesFileText(CERTIFICATES);
        assert.equal(text, certificatesFileText([...CERTIFICATES].reverse()));
        assert.deepEqual(JSON.parse(text).certificates.map((c: CertificateWatch) => c.name), ["ca-1", "ca-2", "db-10.0.3.17-3306"]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "upkeep-"));
        fs.writeFileSync(path.join(dir, "certificates.json"), text);
        const settings = loadSettings(dir, { DB_ENDPOINTS_STACK: "db-endpoints/prod" });
        assert.deepEqual(settings.certificates!.map((c) => c.name), ["ca-1", "ca-2", "db-10.0.3.17-3306"]);
        assert.deepEqual([settings.targets, settings.expiringRuleSecurityGroupIds], [[], []]);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("is refused whole, every problem named", () => {
        assert.throws(() => parseCertificatesFile("{"), /^Error: certificates\.json is not JSON: /);
        assert.throws(
            () =>
                parseCertificatesFile(
                    JSON.stringify({
                        certificates: [
                            { name: "CA 1", expiresAt: "2034-12-30T00:00:00Z" },
                            { name: "ca-1", expiresAt: "2034-12-30" },
                            { name: "ca-2", expiresAt: "2034-12-30T00:00:00Z", issuer: 1 },
                            { name: "ca-3", expiresAt: "2034-12-30T00:00:00Z" },
                            { name: "ca-3", expiresAt: "2035-12-30T00:00:00Z" },
                            "ca-4",
                        ],
                    }),
                ),
            {
                message:
                    "certificates.json is invalid: " +
                    'certificates[0].name: "CA 1" is not a certificate name (lower-case letters, digits, dots and hyphens); ' +
                    'certificates[1].expiresAt: "2034-12-30" is not an RFC 3339 instant in UTC; ' +
                    "certificates[2].issuer: unknown field; known fields: name, expiresAt; " +
                    'certificates[4].name: "ca-3" is already certificates[3]; ' +
                    'certificates[5]: "ca-4" is not a certificate (name, expiresAt)',
            },
        );
    });
});
