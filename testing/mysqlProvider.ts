/**
 * The SQL that @pulumi/mysql's provider runs for a `mysql.User` and a `mysql.Grant`, so that tests can apply
 * what the program declares to a real server. @pulumi/mysql 3.x bridges terraform-providers/
 * terraform-provider-mysql v1.9.0 (its `upstream` submodule, commit d264286); these functions restate what
 * that version's mysql/resource_user.go (CreateUser) and mysql/resource_grant.go (CreateGrant, DeleteGrant)
 * build:
 * - CREATE USER '<user>'@'<host>' IDENTIFIED BY '<password>', then ` REQUIRE <tlsOption>` when the server's
 *   `innodb_version` is above 5.7.0.
 * - GRANT <privileges, ", "> ON <database>.<table> TO '<user>'@'<host>', where the database is wrapped in
 *   backquotes unless it is "*" or already ends with one, and the table is "*" or wrapped in backquotes;
 *   then ` REQUIRE <tlsOption>` and ` WITH GRANT OPTION` only when the server's `innodb_version` is at most
 *   8.0.0 (MySQL 5.7).
 * - Deletion: REVOKE GRANT OPTION ON <database>.<table> FROM <user>, then REVOKE <privileges> ON the same.
 * - Read: only `SHOW GRANTS FOR <user>` succeeding; the database name is never read back or compared, so
 *   the state keeps the `database` input as given.
 */

/** A `mysql.Grant`'s inputs, as the component registers them. */
export interface GrantInputs {
    user: string;
    host: string;
    database: string;
    table: string;
    privileges: string[];
    grant: boolean;
    tlsOption: string;
}

/** Whether the provider takes the server for MySQL 8 or later (`innodb_version` above 8.0.0), which changes GRANT. */
export interface ServerGeneration {
    mysql8OrLater: boolean;
}

function account(user: string, host: string): string {
    return `'${user}'@'${host}'`;
}

function on(database: string, table: string): string {
    const db = database === "*" || database.endsWith("`") ? database : `\`${database}\``;
    const tbl = table === "" || table === "*" ? "*" : `\`${table}\``;
    return `${db}.${tbl}`;
}

/** The provider's CREATE USER, without the REQUIRE clause (see the test using it for why). */
export function createUserStatement(user: string, host: string, password: string): string {
    return `CREATE USER ${account(user, host)} IDENTIFIED BY '${password}'`;
}

/** The provider's GRANT for `g`. */
export function grantStatement(g: GrantInputs, server: ServerGeneration): string {
    let statement = `GRANT ${g.privileges.join(", ")} ON ${on(g.database, g.table)} TO ${account(g.user, g.host)}`;
    if (!server.mysql8OrLater && g.tlsOption !== "") statement += ` REQUIRE ${g.tlsOption}`;
    if (!server.mysql8OrLater && g.grant) statement += " WITH GRANT OPTION";
    return statement;
}

/** The provider's statements that delete `g`, in order. */
export function revokeStatements(g: GrantInputs): string[] {
    const target = on(g.database, g.table);
    return [`REVOKE GRANT OPTION ON ${target} FROM ${account(g.user, g.host)}`, `REVOKE ${g.privileges.join(", ")} ON ${target} FROM ${account(g.user, g.host)}`];
}
