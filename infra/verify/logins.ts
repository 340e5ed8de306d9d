/**
 * Logging in as an integration's user through the endpoint, the way its vendor will: the password from its
 * credentials secret, TLS verified against the same CA and name as the handshake checks. Then proving its
 * grants: a granted table can be read, and nothing can be created (a table in each granted schema, and a
 * schema or database). PostgreSQL tries the creations inside a transaction that is rolled back; MySQL, whose
 * DDL is not transactional, drops whatever was created after all.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { X509Certificate } from "node:crypto";
import { isIP, Socket } from "node:net";
import * as mysql from "mysql2/promise";
import { Client as PgClient } from "pg";
import { describeAwsError } from "../awsErrors";
import type { Engine } from "./protocols";
import type { IntegrationTarget } from "./stackOutputs";

/** A finding about one integration. */
export interface LoginFinding {
    check: "login" | "read" | "create";
    status: "pass" | "fail" | "warn" | "skip";
    message: string;
}

/** The credentials secret's fields a login needs (infra/integrations/clientConnection.ts writes them). */
export interface IntegrationSecret {
    engine: Engine;
    username: string;
    password: string;
    dbname: string;
}

/** Reads and checks the credentials secret. Throws a sentence naming the secret and what is wrong, never its value. */
export async function readIntegrationSecret(client: SecretsManagerClient, secretArn: string): Promise<IntegrationSecret> {
    let text: string | undefined;
    try {
        text = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (e) {
        throw new Error(`cannot read its secret ${secretArn} (${describeAwsError(e)}); the caller needs secretsmanager:GetSecretValue on it`);
    }
    let value: Record<string, unknown>;
    try {
        value = JSON.parse(text ?? "");
    } catch {
        throw new Error(`its secret ${secretArn} does not hold JSON (not shown)`);
    }
    const { engine, username, password, dbname } = value;
    if ((engine !== "postgres" && engine !== "mysql") || typeof username !== "string" || typeof password !== "string" || typeof dbname !== "string") {
        throw new Error(`its secret ${secretArn} lacks engine, username, password or dbname (values not shown)`);
    }
    return { engine, username, password, dbname };
}

/** Where and how to connect: an endpoint address, and what the TLS layer must verify. */
export interface LoginTarget {
    address: string;
    port: number;
    /** The trusted CA bundle, PEM. */
    caPem: string;
    /** The name the server's certificate must carry. */
    verifyHostname: string;
    timeoutMs: number;
}

/** `"a""b"`: a PostgreSQL identifier, quoted. */
export function pgIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** `` `a``b` ``: a MySQL identifier, quoted. */
export function mysqlIdent(name: string): string {
    return `\`${name.replace(/`/g, "``")}\``;
}

/** The name of the tables and schemas the create checks try to make; never left behind. */
export const PROBE_NAME = "db_endpoints_verify_probe";

/** Checks the certificate names `host`, the way a verifying client does; an Error otherwise (the TLS layer refuses). */
function identityCheck(host: string): (servername: string, cert: { raw?: Buffer }) => Error | undefined {
    return (_servername, cert) => {
        if (!cert.raw) return new Error("the server sent no certificate");
        const x = new X509Certificate(cert.raw);
        const ok = isIP(host) ? x.checkIP(host) : x.checkHost(host);
        return ok === undefined ? new Error(`the certificate does not name ${host}`) : undefined;
    };
}

function message(e: unknown): string {
    const err = e as { message?: string; code?: string };
    return err?.message ?? String(e);
}

/** Races `promise` against `ms`; rejects with `what` on timeout. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
        return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms)))]);
    } finally {
        clearTimeout(timer);
    }
}

/**
 * Logs in as the integration and checks its grants: `login`, then `read` (per granted schema, or the listed
 * tables) and `create`. `connect` opens a TCP connection to the endpoint (MySQL's client is given it).
 */
export async function checkIntegrationLogin(
    integration: IntegrationTarget,
    secret: IntegrationSecret,
    target: LoginTarget,
    connect: () => Promise<Socket>,
): Promise<LoginFinding[]> {
    return secret.engine === "postgres" ? checkPostgres(integration, secret, target) : checkMysql(integration, secret, target, connect);
}

/** The tables to read: the listed ones, else per schema the first table of it (in name order); `undefined` table: none found. */
interface ReadPlan {
    schema: string;
    table?: string;
}

async function checkPostgres(integration: IntegrationTarget, secret: IntegrationSecret, target: LoginTarget): Promise<LoginFinding[]> {
    const who = secret.username;
    const client = new PgClient({
        host: target.address,
        port: target.port,
        user: secret.username,
        password: secret.password,
        database: secret.dbname,
        application_name: "db-endpoints verify",
        connectionTimeoutMillis: target.timeoutMs,
        query_timeout: target.timeoutMs,
        ssl: {
            ca: target.caPem,
            rejectUnauthorized: true,
            ...(isIP(target.verifyHostname) ? {} : { servername: target.verifyHostname }),
            checkServerIdentity: identityCheck(target.verifyHostname),
        },
    });
    client.on("error", () => undefined);
    try {
        await client.connect();
    } catch (e) {
        await client.end().catch(() => undefined);
        return [{ check: "login", status: "fail", message: `${who} cannot log in to ${secret.dbname}: ${message(e)}${loginAdvice(e)}` }];
    }
    const findings: LoginFinding[] = [];
    try {
        const version = (await client.query("SHOW server_version")).rows[0]?.server_version;
        findings.push({ check: "login", status: "pass", message: `${who} logged in to ${secret.dbname} over TLS, the server verified as ${target.verifyHostname} (PostgreSQL ${version})` });

        // Tables to read: the listed ones, else the first of each schema in the catalog (which every role can read,
        // so a missing grant shows as a refused SELECT rather than as an empty schema).
        const plans: ReadPlan[] = [];
        if (integration.tables.length > 0) {
            for (const t of integration.tables) {
                const dot = t.indexOf(".");
                plans.push({ schema: t.slice(0, dot), table: t.slice(dot + 1) });
            }
        } else {
            for (const schema of schemasOf(integration, secret)) {
                const found = await client.query(
                    "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
                        "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname LIMIT 1",
                    [schema],
                );
                plans.push({ schema, table: found.rows[0]?.relname });
            }
        }
        findings.push(
            ...(await tryReads(
                who,
                plans,
                (schema, table) => client.query(`SELECT * FROM ${pgIdent(schema)}.${pgIdent(table)} LIMIT 1`),
                (schema) => `${who}: schema ${schema} has no table to read, so SELECT could not be tried`,
            )),
        );

        // Creations, each in a transaction rolled back whatever happens.
        const attempts = [
            ...schemasOf(integration, secret).map((s) => ({ what: `CREATE TABLE in ${s}`, sql: `CREATE TABLE ${pgIdent(s)}.${pgIdent(PROBE_NAME)} (id integer)` })),
            { what: `CREATE SCHEMA in ${secret.dbname}`, sql: `CREATE SCHEMA ${pgIdent(PROBE_NAME)}` },
        ];
        findings.push(
            await tryCreations(
                who,
                attempts,
                async (sql) => {
                    await client.query("BEGIN");
                    try {
                        await client.query(sql);
                    } finally {
                        await client.query("ROLLBACK");
                    }
                    return "rolled back";
                },
                (e) => (e as { code?: string }).code === "42501",
            ),
        );
    } finally {
        await client.end().catch(() => undefined);
    }
    return findings;
}

async function checkMysql(integration: IntegrationTarget, secret: IntegrationSecret, target: LoginTarget, connect: () => Promise<Socket>): Promise<LoginFinding[]> {
    const who = secret.username;
    let connection: mysql.Connection;
    try {
        const socket = await connect();
        connection = await within(
            mysql.createConnection({
                // The TLS layer verifies the certificate against `host`: the name the certificate must carry, while the
                // connection itself goes to the endpoint's address.
                host: target.verifyHostname,
                port: target.port,
                stream: socket,
                user: secret.username,
                password: secret.password,
                database: secret.dbname,
                connectTimeout: target.timeoutMs,
                ssl: { ca: target.caPem, rejectUnauthorized: true, verifyIdentity: true },
            }),
            target.timeoutMs,
            "login",
        );
    } catch (e) {
        return [{ check: "login", status: "fail", message: `${who} cannot log in to ${secret.dbname}: ${message(e)}${loginAdvice(e)}` }];
    }
    connection.on("error", () => undefined);
    const findings: LoginFinding[] = [];
    try {
        const [versionRows] = await connection.query("SELECT VERSION() AS v");
        const version = (versionRows as { v: string }[])[0]?.v;
        const [cipherRows] = await connection.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
        const cipher = (cipherRows as { Value: string }[])[0]?.Value;
        if (!cipher) {
            return [{ check: "login", status: "fail", message: `${who} logged in, but the session is not encrypted (Ssl_cipher is empty)` }];
        }
        findings.push({ check: "login", status: "pass", message: `${who} logged in to ${secret.dbname} over TLS (${cipher}), the server verified as ${target.verifyHostname} (${version})` });

        const plans: ReadPlan[] = [];
        if (integration.tables.length > 0) {
            for (const t of integration.tables) {
                const dot = t.indexOf(".");
                plans.push({ schema: t.slice(0, dot), table: t.slice(dot + 1) });
            }
        } else {
            for (const schema of schemasOf(integration, secret)) {
                // MySQL shows a user only the tables it has a privilege on: an empty answer is a missing grant or an empty database.
                const [rows] = await connection.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME LIMIT 1", [schema]);
                plans.push({ schema, table: (rows as { t: string }[])[0]?.t });
            }
        }
        findings.push(
            ...(await tryReads(
                who,
                plans,
                (schema, table) => connection.query(`SELECT * FROM ${mysqlIdent(schema)}.${mysqlIdent(table)} LIMIT 1`),
                (schema) => `${who} sees no table in ${schema}: it is empty, or the grant on it is missing (MySQL hides tables a user has no privilege on)`,
            )),
        );

        const attempts = [
            ...schemasOf(integration, secret).map((s) => ({
                what: `CREATE TABLE in ${s}`,
                sql: `CREATE TABLE ${mysqlIdent(s)}.${mysqlIdent(PROBE_NAME)} (id INT)`,
                undo: `DROP TABLE IF EXISTS ${mysqlIdent(s)}.${mysqlIdent(PROBE_NAME)}`,
            })),
            { what: "CREATE DATABASE", sql: `CREATE DATABASE ${mysqlIdent(PROBE_NAME)}`, undo: `DROP DATABASE IF EXISTS ${mysqlIdent(PROBE_NAME)}` },
        ];
        const undo = new Map(attempts.map((a) => [a.sql, a.undo]));
        findings.push(
            await tryCreations(
                who,
                attempts,
                async (sql) => {
                    await connection.query(sql);
                    // It was created: take it away again (the finding reports the creation either way).
                    try {
                        await connection.query(undo.get(sql)!);
                        return "dropped again";
                    } catch (e) {
                        return `left behind, since ${who} cannot drop it (${message(e)}): as an admin, ${undo.get(sql)}`;
                    }
                },
                (e) => ["ER_TABLEACCESS_DENIED_ERROR", "ER_DBACCESS_DENIED_ERROR", "ER_SPECIFIC_ACCESS_DENIED_ERROR"].includes((e as { code?: string }).code ?? ""),
            ),
        );
    } finally {
        await connection.end().catch(() => connection.destroy());
    }
    return findings;
}

/** The granted schemas, or the connection's database when the outputs do not list them. */
function schemasOf(integration: IntegrationTarget, secret: IntegrationSecret): string[] {
    return integration.schemas.length > 0 ? integration.schemas : secret.engine === "postgres" ? ["public"] : [secret.dbname];
}

/**
 * Reads one row of each planned table: passes when the read works, fails when it is refused (the integration is
 * granted it), warns for a schema with no table to read (`noTable` says why, in the engine's terms).
 */
async function tryReads(
    who: string,
    plans: ReadPlan[],
    select: (schema: string, table: string) => Promise<unknown>,
    noTable: (schema: string) => string,
): Promise<LoginFinding[]> {
    const findings: LoginFinding[] = [];
    for (const plan of plans) {
        if (plan.table === undefined) {
            findings.push({ check: "read", status: "warn", message: noTable(plan.schema) });
            continue;
        }
        const name = `${plan.schema}.${plan.table}`;
        try {
            await select(plan.schema, plan.table);
            findings.push({ check: "read", status: "pass", message: `${who} can SELECT from ${name}` });
        } catch (e) {
            findings.push({ check: "read", status: "fail", message: `${who} cannot SELECT from ${name}, which it is granted: ${message(e)} (run pulumi up to restore its grants)` });
        }
    }
    return findings;
}

/**
 * Tries each creation: passes when every one is refused for lack of privilege, fails when one succeeds, warns
 * when one fails for another reason (a read-only replica proves nothing about the grants).
 */
async function tryCreations(
    who: string,
    attempts: { what: string; sql: string }[],
    run: (sql: string) => Promise<string>,
    denied: (e: unknown) => boolean,
): Promise<LoginFinding> {
    const refused: string[] = [];
    const succeeded: string[] = [];
    const other: string[] = [];
    for (const a of attempts) {
        try {
            const cleanup = await run(a.sql);
            succeeded.push(`${a.what} succeeded (${cleanup})`);
        } catch (e) {
            if (denied(e)) refused.push(`${a.what}: ${message(e)}`);
            else other.push(`${a.what}: ${message(e)}`);
        }
    }
    if (succeeded.length > 0) {
        return {
            check: "create",
            status: "fail",
            message: `${who} can create objects (${succeeded.join("; ")}): it holds more than its grants; find where from (a role it is a member of, a PUBLIC privilege such as CREATE on schema public before PostgreSQL 15) and revoke it`,
        };
    }
    if (other.length > 0) return { check: "create", status: "warn", message: `${who}: could not tell whether it can create objects: ${other.join("; ")}` };
    return { check: "create", status: "pass", message: `${who} cannot create objects (refused: ${refused.join("; ")})` };
}

/** A hint for common login failures. */
function loginAdvice(e: unknown): string {
    const text = message(e);
    if (/password authentication failed|Access denied for user/i.test(text)) {
        return " (the secret's password is not the user's: a rotation that did not finish? run pulumi up)";
    }
    if (/certificate|self[- ]signed|unable to (get|verify)/i.test(text)) return " (the TLS checks above say why)";
    if (/pg_hba\.conf/.test(text)) return " (the server's pg_hba.conf admits no such connection: add a hostssl line for this user)";
    return "";
}
