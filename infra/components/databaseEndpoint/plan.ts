/**
 * The rules of a `DatabaseEndpoint`'s args, applied before any resource is registered: the endpoint rules of
 * infra/model/endpoint.ts under this component's property paths, and what they make of the args (the plan:
 * which resources exist), with the inputs that are outputs of other resources checked when they resolve.
 */
import * as pulumi from "@pulumi/pulumi";
import { AllowlistQuotas, AllowlistRule, currentTiming, PrefixListRule, readAllowlist, securityGroupLayout } from "../../model/allowlist";
import { readRdsRestart } from "../../model/certificates";
import {
    checkElasticIps,
    checkHostedZoneHasHostname,
    parseEndpointName,
    parseIpAddressType,
    readConnectionAudit,
    readDatabaseKind,
    readExpiryWarningDays,
    readDatabasePort,
    readHostedZoneId,
    readHostname,
    readIdleTimeout,
    readPort,
    readRdsInstanceIdentifier,
    readSecurityGroupId,
    readSelfManagedAddresses,
    readSubnets,
    readTags,
} from "../../model/endpoint";
import { CONNECTION_AUDIT_RETENTION_DAYS, DEFAULT_QUOTAS, IDLE_TIMEOUT, QUOTA_LIMITS } from "../../model/limits";
import type { ConnectionAuditSpec } from "../../model/spec";
import { readVpcId } from "../../model/product";
import { DATABASE_ENGINES, DatabaseEngine, IpAddressType } from "../../enums";
import { optionalBoolean, optionalEnum, optionalInteger, Problem, Problems, show } from "../../validation";
import { throwIfInvalidArgs } from "../support/argsError";
import { checkedInput, isKnownNow, Rule } from "../support/knownNowOrLater";
import type { DatabaseEndpointArgs, DatabaseTarget } from "./args";

/** The validated, plain parts of {@link DatabaseEndpointArgs} that decide which resources exist. */
export interface EndpointPlan {
    kind: "rds" | "self-managed";
    addresses: string[];
    /** The CIDR rules, expired ones flagged (they keep their place in the spread, and get no rule). */
    allowlist: AllowlistRule[];
    /** The CIDR rules per security group. */
    securityGroupRules: AllowlistRule[][];
    /** The managed prefix lists, expired ones flagged; they are in the security group `prefixListGroup`. */
    prefixLists: PrefixListRule[];
    /** The security group that holds only the prefix lists (present when there are any). */
    prefixListGroup?: number;
    /** The quotas the allowlist is checked against (the prefix lists' again once AWS says how large they are). */
    quotas: AllowlistQuotas;
    ipAddressType: IpAddressType;
    connectionAudit: ConnectionAuditSpec;
    /** Whether the program registers the RDS instance's address (false: a TargetSync does). */
    manageRdsTargets: boolean;
    /** A self-managed database's engine, when given (for its health-check timing). */
    engine?: DatabaseEngine;
    warnings: Problem[];
}


/** The args whose values may be outputs of other resources, each checked by its rule (now or when it resolves). */
export interface CheckedEndpointInputs {
    vpcId: pulumi.Input<string>;
    rdsInstanceIdentifier?: pulumi.Input<string>;
    databasePort?: pulumi.Input<number>;
    securityGroupId?: pulumi.Input<string>;
    port?: pulumi.Input<number>;
    idleTimeoutSeconds: pulumi.Input<number>;
    hostname?: pulumi.Input<string>;
    hostedZoneId?: pulumi.Input<string>;
    deletionProtection?: pulumi.Input<boolean>;
    tags: pulumi.Input<Record<string, string>>;
}

/**
 * Checks the args with the endpoint rules the `DatabaseEndpoints` component applies to each of its endpoints
 * (infra/model/endpoint.ts), under this component's property paths. Throws `pulumi.InputPropertiesError`
 * naming every bad property; returns the plan, the warnings, and the inputs to use in place of those that
 * are outputs of other resources (checked by the same rules when they resolve).
 */
export function planDatabaseEndpoint(name: string, args: DatabaseEndpointArgs): EndpointPlan & { inputs: CheckedEndpointInputs } {
    const problems = new Problems();
    const owner = { component: "DatabaseEndpoint", name };
    const checked = <T>(path: string, value: pulumi.Input<T> | undefined, rule: Rule) => checkedInput<T>(problems, owner, path, value, rule);
    parseEndpointName(problems, "name", name);
    const plain = <T>(path: string, value: T | pulumi.Output<unknown> | undefined): T | undefined => {
        if (!isKnownNow(value)) {
            problems.error(path, "must be known when the endpoint is declared (it decides how many resources exist), not an output of another resource");
            return undefined;
        }
        return value as T | undefined;
    };
    const db = plain<DatabaseTarget>("database", args.database as DatabaseTarget | undefined);
    const subnetIds = readSubnets(problems, "subnetIds", plain<string[]>("subnetIds", args.subnetIds));
    const cidrs = plain<string[]>("allowedCidrs", args.allowedCidrs);
    const entries = plain<unknown[]>("allowlist", args.allowlist);
    const expiryWarningDays = readExpiryWarningDays(problems, "allowlistExpiryWarningDays", plain<number>("allowlistExpiryWarningDays", args.allowlistExpiryWarningDays));
    const connectionAudit = readConnectionAudit(
        problems,
        "",
        {
            connectionAudit: plain<boolean>("connectionAudit", args.connectionAudit),
            connectionAuditRetentionDays: plain<number>("connectionAuditRetentionDays", args.connectionAuditRetentionDays),
        },
        CONNECTION_AUDIT_RETENTION_DAYS.default,
    );
    const allowPublicInternet = optionalBoolean(problems, "allowPublicInternet", plain<boolean>("allowPublicInternet", args.allowPublicInternet)) ?? false;
    const elasticIps = optionalBoolean(problems, "elasticIps", plain<boolean>("elasticIps", args.elasticIps)) ?? false;
    const manageRdsTargets = optionalBoolean(problems, "manageRdsTargets", plain<boolean>("manageRdsTargets", args.manageRdsTargets));
    const quota = (key: keyof typeof QUOTA_LIMITS) =>
        optionalInteger(problems, key, plain<number>(key, args[key]), 1, QUOTA_LIMITS[key]) ?? DEFAULT_QUOTAS[key];
    const quotas = { rulesPerSecurityGroup: quota("rulesPerSecurityGroup"), securityGroupsPerLoadBalancer: quota("securityGroupsPerLoadBalancer") };
    checkElasticIps(problems, [{ path: "", elasticIps }], subnetIds.length, quota("elasticIpsPerRegion"), "elasticIpsPerRegion");

    const kind = readDatabaseKind(problems, "database", db) ?? "rds";
    const addresses: string[] = [];
    let rdsInstanceIdentifier: pulumi.Input<string> | undefined;
    let databasePort: pulumi.Input<number> | undefined;
    let securityGroupId: pulumi.Input<string> | undefined;
    let engine: DatabaseEngine | undefined;
    if (db && typeof db === "object") {
        securityGroupId = checked("database.securityGroupId", db.securityGroupId, readSecurityGroupId);
        if (kind === "rds") {
            rdsInstanceIdentifier = checked("database.rdsInstanceIdentifier", db.rdsInstanceIdentifier, readRdsInstanceIdentifier);
            readDatabasePort(problems, "database.port", db.port, kind);
            readRdsRestart(problems, "database", db as unknown as Record<string, unknown>);
            if (db.engine !== undefined) problems.error("database.engine", "is only for self-managed databases: an RDS instance's engine is read from it");
        } else {
            engine = optionalEnum(problems, "database.engine", plain<DatabaseEngine>("database.engine", db.engine), DATABASE_ENGINES);
            if (manageRdsTargets === false) problems.warn("manageRdsTargets", "is false, which applies to RDS only: a self-managed database's addresses are always registered");
            addresses.push(...readSelfManagedAddresses(problems, "database.addresses", plain<string[]>("database.addresses", db.addresses)).addresses);
            databasePort = checked("database.port", db.port, (p, path, v) => readDatabasePort(p, path, v, kind));
            for (const key of ["restart", "restartTimeoutMinutes"] as const) {
                if (db[key] !== undefined) {
                    problems.error(`database.${key}`, "is only for RDS databases: a self-managed database restarts through its DatabaseCertificate's instanceIds");
                }
            }
        }
    }
    const inputs: CheckedEndpointInputs = {
        vpcId: checked("vpcId", args.vpcId, readVpcId)!,
        rdsInstanceIdentifier,
        databasePort,
        securityGroupId,
        port: checked("port", args.port, readPort),
        idleTimeoutSeconds: checked("idleTimeoutSeconds", args.idleTimeoutSeconds ?? IDLE_TIMEOUT.default, readIdleTimeout)!,
        hostname: checked("hostname", args.hostname, readHostname),
        hostedZoneId: checked("hostedZoneId", args.hostedZoneId, readHostedZoneId),
        deletionProtection: checked("deletionProtection", args.deletionProtection, optionalBoolean),
        tags: checked("tags", args.tags ?? {}, readTags) as pulumi.Input<Record<string, string>>,
    };
    checkHostedZoneHasHostname(problems, "", args as unknown as Record<string, unknown>);

    if (cidrs !== undefined && !Array.isArray(cidrs)) problems.error("allowedCidrs", `${show(cidrs)} is not a list`);
    if (entries !== undefined && !Array.isArray(entries)) problems.error("allowlist", `${show(entries)} is not a list`);
    const { rules: allowlist, prefixLists } =
        (cidrs !== undefined && !Array.isArray(cidrs)) || (entries !== undefined && !Array.isArray(entries))
            ? { rules: [], prefixLists: [] }
            : readAllowlist(
                  problems,
                  "allowedCidrs",
                  cidrs,
                  { path: "allowlist", list: entries },
                  allowPublicInternet,
                  "allowPublicInternet",
                  quotas,
                  currentTiming(expiryWarningDays),
              );
    const ipAddressType = parseIpAddressType(problems, "ipAddressType", plain<IpAddressType>("ipAddressType", args.ipAddressType), allowlist, allowPublicInternet);

    // Client IP preservation is off on the target group (`preserveClientIp: "false"` below), so every client, wherever
    // on the internet, reaches the database from the load balancer's private address. Said once per endpoint.
    problems.warn(
        "database",
        "the database sees every client of this endpoint as coming from the load balancer's private address in the VPC, " +
            "so host-based rules on the database that trust VPC addresses (pg_hba.conf lines, MySQL accounts such as 'app'@'10.%') " +
            "also admit every client the allowlist lets in from the internet; require a password or a client certificate on those rules " +
            "(see docs/limits-and-refusals.md)",
    );

    throwIfInvalidArgs(problems, "DatabaseEndpoint", name);
    const layout = securityGroupLayout(allowlist, prefixLists.length > 0, quotas.rulesPerSecurityGroup);
    return {
        kind,
        addresses,
        allowlist,
        securityGroupRules: layout.groups,
        prefixLists,
        ...(layout.prefixListGroup !== undefined ? { prefixListGroup: layout.prefixListGroup } : {}),
        quotas,
        ipAddressType,
        connectionAudit,
        manageRdsTargets: kind !== "rds" || manageRdsTargets !== false,
        ...(engine !== undefined ? { engine } : {}),
        warnings: problems.warnings,
        inputs,
    };
}
