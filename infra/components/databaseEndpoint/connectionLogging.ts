/**
 * The database side of the connection audit for an RDS endpoint: whether the instance records who logs in,
 * read from its parameter group (PostgreSQL `log_connections`) or option group (the MariaDB Audit Plugin for
 * MySQL and MariaDB) once the instance lookup resolves: in `pulumi preview` and `pulumi up` alike (read-only
 * calls), never offline. Not recording logins is reported, not refused: the endpoint works either way.
 */
import { DescribeOptionGroupsCommand, paginateDescribeDBParameters, RDSClient } from "@aws-sdk/client-rds";
import * as pulumi from "@pulumi/pulumi";
import { AUDIT_PLUGIN_OPTION, AuditPluginOption, ConnectionLogging, connectionLoggingAdvice, mysqlConnectionLogging, ParameterValue, postgresConnectionLogging } from "../../audit/connectionLogging";
import { describeAwsError } from "../../awsErrors";
import { awsSdkClientConfig } from "../../hooks/support";
import { engineOfRds } from "../../integrations/engines";
import { canonicalJson, remembered } from "../support/lookups";
import type { DatabaseFacts } from "./databaseFacts";

/** The RDS calls the check makes. */
export interface RdsSettingsReader {
    /** A parameter of a DB parameter group, or undefined when the group does not list it. */
    parameter(parameterGroup: string, name: string): Promise<ParameterValue | undefined>;
    /** The audit plugin option of the first of these option groups that has it. */
    auditPlugin(optionGroups: string[]): Promise<AuditPluginOption | undefined>;
}

/** The reader over the RDS API (rds:DescribeDBParameters, rds:DescribeOptionGroups). */
export function rdsSettingsReader(client: RDSClient): RdsSettingsReader {
    return {
        async parameter(parameterGroup, name) {
            for await (const page of paginateDescribeDBParameters({ client }, { DBParameterGroupName: parameterGroup })) {
                const found = (page.Parameters ?? []).find((p) => p.ParameterName === name);
                if (found) return { parameterGroup, ...(found.ParameterValue !== undefined ? { value: found.ParameterValue } : {}) };
            }
            return undefined;
        },
        async auditPlugin(optionGroups) {
            for (const optionGroup of optionGroups) {
                const answer = await client.send(new DescribeOptionGroupsCommand({ OptionGroupName: optionGroup }));
                for (const group of answer.OptionGroupsList ?? []) {
                    const option = (group.Options ?? []).find((o) => o.OptionName === AUDIT_PLUGIN_OPTION);
                    if (!option) continue;
                    const events = (option.OptionSettings ?? []).find((s) => s.Name === "SERVER_AUDIT_EVENTS")?.Value;
                    return { optionGroup, ...(events ? { serverAuditEvents: events } : {}) };
                }
            }
            return undefined;
        },
    };
}

/** Reads and judges an RDS instance's connection logging; a refused or failed read is `unknown`, saying why. */
export async function readConnectionLogging(
    reader: RdsSettingsReader,
    rdsEngine: string,
    parameterGroups: string[],
    optionGroups: string[],
): Promise<ConnectionLogging> {
    const engine = engineOfRds(rdsEngine);
    if (engine === undefined) return { state: "unknown", detail: `the engine ${rdsEngine} is not PostgreSQL, MySQL or MariaDB` };
    try {
        if (engine === "postgres") {
            const group = parameterGroups[0];
            if (group === undefined) return { state: "unknown", detail: "the instance reports no DB parameter group" };
            return postgresConnectionLogging(await reader.parameter(group, "log_connections"));
        }
        return mysqlConnectionLogging(optionGroups, await reader.auditPlugin(optionGroups));
    } catch (e) {
        return { state: "unknown", detail: `could not read the instance's ${engine === "postgres" ? "parameter" : "option"} group: ${describeAwsError(e)}` };
    }
}

/**
 * The endpoint's `connectionLogging` output (`on`, `off` or `unknown`), with a warning on `parent` when logins are
 * not recorded or the setting could not be read.
 */
export function checkConnectionLogging(
    parent: pulumi.Resource,
    facts: DatabaseFacts,
    reader: () => RdsSettingsReader = () => rdsSettingsReader(new RDSClient(awsSdkClientConfig())),
): pulumi.Output<string> {
    return pulumi.all([facts.rdsEngine, facts.rdsParameterGroups, facts.rdsOptionGroups]).apply(async ([engine, parameterGroups, optionGroups]) => {
        // Read once per instance settings (and AWS client settings) in the product, however many endpoints it has.
        const question = canonicalJson({ client: awsSdkClientConfig(), engine, parameterGroups, optionGroups });
        const found = await remembered(parent, `rds-connection-logging\u0000${question}`, () => readConnectionLogging(reader(), engine ?? "", parameterGroups, optionGroups));
        if (found.state !== "on") {
            const family = engineOfRds(engine ?? "");
            const advice = family === undefined ? "" : `; to record them, ${connectionLoggingAdvice(family)}`;
            void pulumi.log.warn(
                found.state === "off"
                    ? `the database does not record who logs in (${found.detail}): the connection audit's flow logs show which addresses connected, not which users${advice} (docs/connection-audit.md#the-database-side)`
                    : `whether the database records who logs in is unknown: ${found.detail} (docs/connection-audit.md#the-database-side)`,
                parent,
            );
        }
        return found.state;
    });
}
