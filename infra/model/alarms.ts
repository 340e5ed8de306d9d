/**
 * The rules of `alarms`: whether the stack has alarms, where they notify (an existing SNS topic, email
 * addresses subscribed to a topic the stack creates, both, or neither) and the certificates' warning window.
 * Pure: every problem is reported with the others, before any resource exists.
 */
import { isPlainObject, join, optionalArray, optionalBoolean, optionalInteger, Problems, show } from "../validation";
import { CERTIFICATE_EXPIRY_ALARM_DAYS, SERVER_CERTIFICATE_RENEWAL_DAYS } from "./limits";
import type { AlarmsSpec } from "./spec";

/**
 * A standard SNS topic's ARN. FIFO topics (`.fifo`) are left out: CloudWatch alarm actions publish to standard
 * topics.
 */
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** An email address as SNS takes it for an `email` subscription: one `@`, a dotted domain, no spaces. */
const EMAIL = /^[^\s@]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** The settings `alarms` may hold. */
export const ALARM_SETTING_NAMES = ["enabled", "snsTopicArn", "emails", "certificateExpiryDays"] as const;

/**
 * `alarms`: on by default. With neither `snsTopicArn` nor `emails` the alarms exist without actions (they change
 * state in the CloudWatch console, and notify no one), and a warning says so at every deployment.
 */
export function readAlarms(problems: Problems, path: string, value: unknown): AlarmsSpec {
    const spec: AlarmsSpec = { enabled: true, emails: [], certificateExpiryDays: CERTIFICATE_EXPIRY_ALARM_DAYS.default };
    if (value !== undefined && value !== null && !isPlainObject(value)) {
        problems.error(path, `${show(value)} is not a map (${ALARM_SETTING_NAMES.join(", ")})`);
        return spec;
    }
    const raw = (value ?? {}) as Record<string, unknown>;
    spec.enabled = optionalBoolean(problems, join(path, "enabled"), raw.enabled) ?? true;

    if (raw.snsTopicArn !== undefined && raw.snsTopicArn !== null) {
        if (typeof raw.snsTopicArn !== "string" || !SNS_TOPIC_ARN.test(raw.snsTopicArn)) {
            problems.error(
                join(path, "snsTopicArn"),
                `${show(raw.snsTopicArn)} is not the ARN of a standard SNS topic (arn:aws:sns:<region>:<account>:<name>)`,
            );
        } else {
            spec.snsTopicArn = raw.snsTopicArn;
        }
    }

    const seen = new Map<string, number>();
    (optionalArray(problems, join(path, "emails"), raw.emails) ?? []).forEach((e, i) => {
        const at = join(join(path, "emails"), i);
        if (typeof e !== "string" || !EMAIL.test(e)) {
            problems.error(at, `${show(e)} is not an email address`);
            return;
        }
        const first = seen.get(e.toLowerCase());
        if (first !== undefined) {
            problems.error(at, `${show(e)} is already ${join(join(path, "emails"), first)}`);
            return;
        }
        seen.set(e.toLowerCase(), i);
        spec.emails.push(e);
    });

    const days = optionalInteger(
        problems,
        join(path, "certificateExpiryDays"),
        raw.certificateExpiryDays,
        CERTIFICATE_EXPIRY_ALARM_DAYS.min,
        CERTIFICATE_EXPIRY_ALARM_DAYS.max,
    );
    if (days !== undefined) {
        spec.certificateExpiryDays = days;
        if (days > SERVER_CERTIFICATE_RENEWAL_DAYS && spec.enabled) {
            problems.warn(
                join(path, "certificateExpiryDays"),
                `is ${days}: a self-managed database's certificate is re-issued by the first deployment in its last ` +
                    `${SERVER_CERTIFICATE_RENEWAL_DAYS} days, so its alarm fires ${days - SERVER_CERTIFICATE_RENEWAL_DAYS} days before a deployment can renew it`,
            );
        }
    }

    if (!spec.enabled) {
        for (const key of ["snsTopicArn", "emails", "certificateExpiryDays"] as const) {
            if (raw[key] !== undefined && raw[key] !== null) problems.warn(join(path, key), "is set but alarms.enabled is false, so nothing uses it");
        }
    } else if ((raw.snsTopicArn === undefined || raw.snsTopicArn === null) && (raw.emails === undefined || raw.emails === null || (Array.isArray(raw.emails) && raw.emails.length === 0))) {
        problems.warn(
            path,
            "neither snsTopicArn nor emails is set: the alarms are created without notification actions (they change state " +
                "in the CloudWatch console and notify no one); set one of them, or enabled: false to have no alarms",
        );
    }
    return spec;
}
