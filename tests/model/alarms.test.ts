/**
 * The rules of `alarms`: on by default, where they notify, the certificates' warning window, and the warnings when
 * they notify no one or a setting is unused; every problem at once, under its path, in the stack config as in the
 * component's args.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ALARM_SETTING_NAMES, readAlarms } from "../../infra/model/alarms";
import { CERTIFICATE_EXPIRY_ALARM_DAYS, SERVER_CERTIFICATE_RENEWAL_DAYS } from "../../infra/model/limits";
import { SERVER_CERTIFICATE } from "../../infra/components/databaseCertificate";
import { ALARM_KEYS, parseStackConfig } from "../../infra/program/config";
import { formatProblem, Problems } from "../../infra/validation";

function read(value: unknown) {
    const problems = new Problems();
    const spec = readAlarms(problems, "alarms", value);
    return { spec, errors: problems.errors.map(formatProblem), warnings: problems.warnings.map(formatProblem) };
}

const NOWHERE =
    "alarms: neither snsTopicArn nor emails is set: the alarms are created without notification actions (they change state in the " +
    "CloudWatch console and notify no one); set one of them, or enabled: false to have no alarms";

describe("alarms", () => {
    it("are on by default, with a 30-day certificate window, and warn that they notify no one", () => {
        assert.deepEqual(read(undefined), { spec: { enabled: true, emails: [], certificateExpiryDays: 30 }, errors: [], warnings: [NOWHERE] });
        assert.deepEqual(read({}).warnings, [NOWHERE]);
        assert.deepEqual(read({ emails: [] }).warnings, [NOWHERE]);
        assert.equal(CERTIFICATE_EXPIRY_ALARM_DAYS.default, 30);
    });

    it("notify an existing topic, addresses on a topic the stack creates, or both", () => {
        const topic = "arn:aws:sns:us-east-1:123456789012:oncall";
        assert.deepEqual(read({ snsTopicArn: topic }), { spec: { enabled: true, snsTopicArn: topic, emails: [], certificateExpiryDays: 30 }, errors: [], warnings: [] });
        assert.deepEqual(read({ emails: ["oncall@example.com", "Dba.Team+db@Example.co.uk"] }).spec.emails, ["oncall@example.com", "Dba.Team+db@Example.co.uk"]);
        const both = read({ snsTopicArn: "arn:aws-us-gov:sns:us-gov-west-1:123456789012:pager_duty-1", emails: ["oncall@example.com"], certificateExpiryDays: 60 });
        assert.deepEqual(both, {
            spec: { enabled: true, snsTopicArn: "arn:aws-us-gov:sns:us-gov-west-1:123456789012:pager_duty-1", emails: ["oncall@example.com"], certificateExpiryDays: 60 },
            errors: [],
            warnings: [],
        });
    });

    it("can be turned off; settings left beside enabled: false are said to be unused", () => {
        assert.deepEqual(read({ enabled: false }), { spec: { enabled: false, emails: [], certificateExpiryDays: 30 }, errors: [], warnings: [] });
        assert.deepEqual(read({ enabled: false, emails: ["oncall@example.com"], certificateExpiryDays: 10 }).warnings, [
            "alarms.emails: is set but alarms.enabled is false, so nothing uses it",
            "alarms.certificateExpiryDays: is set but alarms.enabled is false, so nothing uses it",
        ]);
    });

    it("warn about a certificate window longer than a server certificate's renewal window", () => {
        assert.equal(SERVER_CERTIFICATE_RENEWAL_DAYS * 24, SERVER_CERTIFICATE.earlyRenewalHours);
        assert.deepEqual(read({ emails: ["a@example.com"], certificateExpiryDays: 90 }).warnings, []);
        assert.deepEqual(read({ emails: ["a@example.com"], certificateExpiryDays: 120 }).warnings, [
            "alarms.certificateExpiryDays: is 120: a self-managed database's certificate is re-issued by the first deployment in its last 90 days, " +
                "so its alarm fires 30 days before a deployment can renew it",
        ]);
    });

    it("refuse bad values, every problem at once, each under its path", () => {
        const { errors, warnings } = read({
            enabled: "yes",
            snsTopicArn: "arn:aws:sns:us-east-1:123456789012:alerts.fifo",
            emails: ["oncall@example.com", "ONCALL@example.com", "not an address", 7, "a@localhost"],
            certificateExpiryDays: 0,
        });
        assert.deepEqual(errors, [
            'alarms.enabled: "yes" is not true or false',
            'alarms.snsTopicArn: "arn:aws:sns:us-east-1:123456789012:alerts.fifo" is not the ARN of a standard SNS topic (arn:aws:sns:<region>:<account>:<name>)',
            'alarms.emails[1]: "ONCALL@example.com" is already alarms.emails[0]',
            'alarms.emails[2]: "not an address" is not an email address',
            "alarms.emails[3]: 7 is not an email address",
            'alarms.emails[4]: "a@localhost" is not an email address',
            "alarms.certificateExpiryDays: 0 is out of range (expected 1..365)",
        ]);
        assert.deepEqual(warnings, []);
        assert.deepEqual(read("on").errors, ['alarms: "on" is not a map (enabled, snsTopicArn, emails, certificateExpiryDays)']);
        assert.deepEqual(read({ emails: "oncall@example.com" }).errors, ['alarms.emails: "oncall@example.com" is not a list']);
        assert.deepEqual(read({ snsTopicArn: "arn:aws:sqs:us-east-1:123456789012:queue", emails: ["a@example.com"] }).errors, [
            'alarms.snsTopicArn: "arn:aws:sqs:us-east-1:123456789012:queue" is not the ARN of a standard SNS topic (arn:aws:sns:<region>:<account>:<name>)',
        ]);
    });

    it("are checked with the rest of the stack config: unknown keys, empty keys, the names the component takes", () => {
        assert.deepEqual([...ALARM_SETTING_NAMES], [...ALARM_KEYS]);
        const base = { vpcId: "vpc-0a1b2c3d4e5f60718", publicSubnetIds: ["subnet-0aa11bb22cc33dd44"], endpoints: [{ name: "r", database: { rdsInstanceIdentifier: "db" }, allowedCidrs: ["203.0.113.0/24"] }] };
        assert.throws(() => parseStackConfig({ ...base, alarms: { email: ["a@example.com"], snsTopicArn: null, certificateExpiryDays: 400 } }), {
            message:
                "invalid db-endpoints configuration (3 problems):\n" +
                '  - alarms.email: unknown field (did you mean "emails"?); known fields: enabled, snsTopicArn, emails, certificateExpiryDays\n' +
                "  - alarms.snsTopicArn: is empty; give it a value or remove the line\n" +
                "  - alarms.certificateExpiryDays: 400 is out of range (expected 1..365)",
        });
        assert.deepEqual(parseStackConfig({ ...base, alarms: { snsTopicArn: "arn:aws:sns:us-east-1:123456789012:oncall" } }).spec.alarms, {
            enabled: true,
            snsTopicArn: "arn:aws:sns:us-east-1:123456789012:oncall",
            emails: [],
            certificateExpiryDays: 30,
        });
    });
});
