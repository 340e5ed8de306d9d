/**
 * Which RDS engines map to which {@link DatabaseEngine}, and which of them integrations support.
 */
import { DatabaseEngine } from "../enums";
import { show } from "../validation";

/** The RDS engines integrations support (Aurora instances are refused before this is asked). */
export const SUPPORTED_RDS_ENGINES = ["postgres", "aurora-postgresql", "mysql", "mariadb", "aurora-mysql"] as const;

/** The engine of an RDS engine name (`postgres`, `mariadb`, ...), or undefined for an engine db-endpoints does not speak. */
export function engineOfRds(rdsEngine: string): DatabaseEngine | undefined {
    switch (rdsEngine) {
        case "postgres":
        case "aurora-postgresql":
            return DatabaseEngine.Postgres;
        case "mysql":
        case "mariadb":
        case "aurora-mysql":
        case "aurora":
            return DatabaseEngine.Mysql;
        default:
            return undefined;
    }
}

/** The engine integrations use for an RDS instance's engine; throws for engines they do not support. */
export function databaseEngineOfRds(rdsEngine: string, instance: string): DatabaseEngine {
    const engine = engineOfRds(rdsEngine);
    if (engine === undefined) {
        throw new Error(`RDS instance ${instance} runs ${show(rdsEngine)}; integrations support ${SUPPORTED_RDS_ENGINES.join(", ")}`);
    }
    return engine;
}
