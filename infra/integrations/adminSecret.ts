/**
 * The admin secret (`adminSecretArn`): the admin login the integrations' users are created with, read from
 * its Secrets Manager text.
 */
import { isPlainObject } from "../validation";

/** The admin credential from `adminSecretArn` (RDS-managed master secrets hold JSON `{"username", "password"}`). */
export interface AdminCredential {
    username: string;
    password: string;
}

/** Parses the admin secret's text; the error names the secret, never its content. */
export function parseAdminSecret(text: string | undefined, secretArn: string): AdminCredential {
    let value: unknown;
    try {
        value = JSON.parse(text ?? "");
    } catch {
        throw new Error(`the admin secret ${secretArn} is not JSON; it must hold {"username": ..., "password": ...} like an RDS-managed master secret`);
    }
    if (!isPlainObject(value) || typeof value.username !== "string" || value.username === "" || typeof value.password !== "string" || value.password === "") {
        throw new Error(`the admin secret ${secretArn} has no non-empty "username" and "password" fields; it must hold them like an RDS-managed master secret`);
    }
    return { username: value.username, password: value.password };
}
