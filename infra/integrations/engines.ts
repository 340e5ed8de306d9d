/**
 * The database engines integrations support, as the database providers see them, and which RDS engines
 * map to each.
 */

/** The engines integrations support, as the database providers see them. */
export type EngineName = "postgres" | "mysql";

export const ENGINES: readonly EngineName[] = ["postgres", "mysql"];

/** The engine integrations use for an RDS engine name, or undefined when integrations do not support it. */
export function engineOfRds(rdsEngine: string): EngineName | undefined {
    switch (rdsEngine) {
        case "postgres":
        case "aurora-postgresql":
            return "postgres";
        case "mysql":
        case "mariadb":
        case "aurora-mysql":
        case "aurora":
            return "mysql";
        default:
            return undefined;
    }
}
export const SUPPORTED_RDS_ENGINES = ["postgres", "aurora-postgresql", "mysql", "mariadb", "aurora-mysql"] as const;
