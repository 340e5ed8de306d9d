import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AllowlistRule, normalizeAllowlist, spreadOverSecurityGroups } from "../model/allowlist";
import { readRdsRestart } from "../model/certificates";
import {
    checkElasticIps,
    checkHostedZoneHasHostname,
    parseEndpointName,
    parseIpAddressType,
    readDatabaseKind,
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
} from "../model/endpoint";
import { DEFAULT_QUOTAS, IDLE_TIMEOUT, QUOTA_LIMITS, RESTART_TIMEOUT_MINUTES } from "../model/limits";
import { readVpcId } from "../model/product";
import { resolveIpv4 } from "../dns";
import { IpAddressType, RdsRestartPolicy } from "../enums";
import { rdsRebootHook } from "../hooks/rdsReboot";
import { CHANGE_TAG_KEY } from "../lambda/targetSync/settings";
import { isPrivateIpv4 } from "../net/ip";
import { OUTSIDE_VPC_TARGET_RANGES, placeTarget } from "../net/targets";
import { cidrSlug, stampedTags } from "./support/tags";
import { optionalBoolean, optionalInteger, Problem, Problems, show } from "../validation";
import { throwIfInvalidArgs } from "./support/argsError";
import { checkedInput, isKnownNow, Rule } from "./support/knownNowOrLater";


/** The database an endpoint reaches: an RDS instance, or a self-managed database at private addresses. */
export interface DatabaseTarget {
    /**
     * Identifier of the RDS DB instance behind the endpoint. Set this, or `addresses` and `port`.
     * The instance's address, port and security group are looked up at deployment.
     */
    rdsInstanceIdentifier?: pulumi.Input<string>;
    /**
     * Private IPv4 addresses of a self-managed database (for example PostgreSQL on EC2): in the VPC, or outside it
     * in a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) that the public subnets route
     * to (a peered VPC, on premises over VPN or Direct Connect); those are registered for every Availability Zone.
     * Must be known when the endpoint is declared: each address is one load balancer target.
     */
    addresses?: string[];
    /** Port the self-managed database listens on (required with `addresses`; RDS uses its own port). */
    port?: pulumi.Input<number>;
    /**
     * Security group of the database that is given an ingress rule admitting the endpoint's load balancer.
     * Default for RDS: the instance's first VPC security group. Without it a self-managed database's
     * security group must admit the `securityGroupIds[0]` output on the database port.
     */
    securityGroupId?: pulumi.Input<string>;
    /**
     * RDS only: what the restart hook may do to the instance once the endpoint is provisioned (its listener
     * created). Default `when-pending`: apply a pending CA certificate change (ModifyDBInstance with
     * ApplyImmediately) when nothing else would be applied with it, and never reboot; every other pending
     * change is reported, not applied. `when-pending-or-parameters` also reboots for a DB parameter group in
     * `pending-reboot`; `always` restarts the instance once; `never` binds no hook.
     */
    restart?: RdsRestartPolicy;
    /** RDS only: minutes the reboot hook waits, at most, for the instance to be available again (1..180). Default 20. */
    restartTimeoutMinutes?: number;
}

/** Arguments of a {@link DatabaseEndpoint}. */
export interface DatabaseEndpointArgs {
    /** VPC of the database and the public subnets. */
    vpcId: pulumi.Input<string>;
    /**
     * Public subnets the internet-facing load balancer is placed in, one per Availability Zone. Cover every
     * Availability Zone the database can run in (for RDS, every zone of its subnet group): a load balancer
     * sends no traffic to targets in zones it is not in. Adding a subnet updates the load balancer; removing or
     * swapping one replaces it (a new DNS name; see `deletionProtection`).
     */
    subnetIds: string[];
    /** The database the endpoint reaches. */
    database: DatabaseTarget;
    /** Port clients connect to on the endpoint. Default: the database's port. */
    port?: pulumi.Input<number>;
    /**
     * Client addresses admitted: IPv4 or IPv6 CIDRs, or bare addresses (one host). Each becomes one
     * security group ingress rule on the listener port. Must be known when the endpoint is declared.
     * Required unless `allowPublicInternet` is true.
     */
    allowedCidrs?: string[];
    /** Admit every address (0.0.0.0/0 and ::/0). Default false: the endpoint is closed except for `allowedCidrs`. */
    allowPublicInternet?: boolean;
    /** TCP idle timeout of the listener in seconds, 60..6000. Default 3600. */
    idleTimeoutSeconds?: pulumi.Input<number>;
    /**
     * Give the load balancer one Elastic IP per subnet, so that its public addresses never change. Default false.
     * Switching it replaces the load balancer (a new DNS name; see `deletionProtection`). With Elastic IPs a
     * replaced load balancer is deleted before its replacement is created, so that the addresses move over:
     * the endpoint is down until the new one serves.
     */
    elasticIps?: boolean;
    /** DNS name clients use. With `hostedZoneId`, an alias record is created for it in Route 53. */
    hostname?: pulumi.Input<string>;
    /** Route 53 hosted zone in which to create the alias record for `hostname`. */
    hostedZoneId?: pulumi.Input<string>;
    /** Address families of the load balancer. Default: dualstack when the allowlist has IPv6 entries, else ipv4. */
    ipAddressType?: IpAddressType;
    /**
     * Protect the load balancer (and so its DNS name) from deletion. Default true. A change that replaces the
     * load balancer needs it off first: set false and deploy, make the change and deploy, then set it back.
     */
    deletionProtection?: pulumi.Input<boolean>;
    /** Inbound rules per security group (AWS quota, counted per address family). Default 60. */
    rulesPerSecurityGroup?: number;
    /** Security groups per load balancer (AWS quota). Default 5. */
    securityGroupsPerLoadBalancer?: number;
    /**
     * Elastic IPs this endpoint may allocate (the region's "EC2-VPC Elastic IPs" quota, less what is allocated
     * elsewhere). With `elasticIps`, one per subnet; more subnets than this is refused. Default 5.
     * Only this endpoint's own addresses are counted: endpoints declared side by side share the quota.
     */
    elasticIpsPerRegion?: number;
    /**
     * RDS only: register the instance's address (resolved at deployment) as the target group's target.
     * Default true, right for standalone use. Set false when a `TargetSync` keeps the group pointed at the
     * instance: the function then owns the RDS targets, and the program never registers or removes one,
     * so a later `pulumi up` cannot undo what the function did after a failover. Ignored for self-managed
     * databases, whose addresses are always registered.
     */
    manageRdsTargets?: boolean;
    /** Tags added to every AWS resource of the endpoint. */
    tags?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

/** The validated, plain parts of {@link DatabaseEndpointArgs} that decide which resources exist. */
export interface EndpointPlan {
    kind: "rds" | "self-managed";
    addresses: string[];
    allowlist: AllowlistRule[];
    securityGroupRules: AllowlistRule[][];
    ipAddressType: IpAddressType;
    /** Whether the program registers the RDS instance's address (false: a TargetSync does). */
    manageRdsTargets: boolean;
    warnings: Problem[];
}

const COMPONENT_TYPE = "db-endpoints:index:DatabaseEndpoint";

/**
 * The target group's replacement trigger with Elastic IPs: a constant, so that the group outlives a load
 * balancer replacement (the old NLB is deleted first). Without them the trigger is the NLB's ARN.
 */
export const TARGET_GROUP_KEPT = "kept-across-load-balancer-replacements";

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
    if (db && typeof db === "object") {
        securityGroupId = checked("database.securityGroupId", db.securityGroupId, readSecurityGroupId);
        if (kind === "rds") {
            rdsInstanceIdentifier = checked("database.rdsInstanceIdentifier", db.rdsInstanceIdentifier, readRdsInstanceIdentifier);
            readDatabasePort(problems, "database.port", db.port, kind);
            readRdsRestart(problems, "database", db as unknown as Record<string, unknown>);
        } else {
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

    const allowlist =
        cidrs !== undefined && !Array.isArray(cidrs)
            ? (problems.error("allowedCidrs", `${show(cidrs)} is not a list`), [])
            : normalizeAllowlist(problems, "allowedCidrs", cidrs, allowPublicInternet, "allowPublicInternet", quotas);
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
    return {
        kind,
        addresses,
        allowlist,
        securityGroupRules: spreadOverSecurityGroups(allowlist, quotas.rulesPerSecurityGroup),
        ipAddressType,
        manageRdsTargets: kind !== "rds" || manageRdsTargets !== false,
        warnings: problems.warnings,
        inputs,
    };
}

interface SubnetFacts {
    id: string;
    vpcId: string;
    availabilityZone: string;
    ipv6CidrBlock: string;
}

/**
 * Deployment-time placement check: every subnet is in the endpoint's VPC, has IPv6 when the load
 * balancer is dualstack, and the subnets cover every Availability Zone the database can run in.
 * Returns the subnet IDs; throws (failing the deployment before the load balancer exists) otherwise.
 */
export function checkPlacement(
    endpoint: string,
    vpcId: string,
    subnets: SubnetFacts[],
    ipAddressType: IpAddressType,
    databaseZones: string[],
    databaseDescription: string,
): string[] {
    const problems: string[] = [];
    for (const s of subnets) {
        if (s.vpcId !== vpcId) problems.push(`subnet ${s.id} is in ${s.vpcId}, not in the endpoint's VPC ${vpcId}`);
        if (ipAddressType === IpAddressType.Dualstack && !s.ipv6CidrBlock) {
            problems.push(`subnet ${s.id} has no IPv6 CIDR block, which a dualstack load balancer needs`);
        }
    }
    const covered = new Set(subnets.map((s) => s.availabilityZone));
    const missing = [...new Set(databaseZones)].filter((z) => !covered.has(z)).sort();
    if (missing.length > 0) {
        problems.push(
            `${databaseDescription} can run in ${missing.join(", ")}, where the load balancer has no subnet ` +
                `(it has ${[...covered].sort().join(", ")}); targets there would receive no traffic. Add a public subnet in ${missing.join(", ")}`,
        );
    }
    if (problems.length > 0) {
        throw new Error(`endpoint ${endpoint}: ${problems.join("; ")}`);
    }
    return subnets.map((s) => s.id);
}

/** The fields of an RDS instance lookup that say whether it belongs to a DB cluster. */
interface RdsMembership {
    dbInstanceIdentifier: string;
    engine: string;
    dbClusterIdentifier?: string;
}

/**
 * Deployment-time check of the RDS instance behind an endpoint: refuses an instance that belongs to a DB cluster
 * (Aurora, or a Multi-AZ DB cluster). In a cluster a failover makes another instance the writer and this one a
 * reader; the endpoint targets one instance and follows only that instance's address, so after a failover it
 * would send clients to a reader. Returns the instance; throws (failing the deployment) otherwise.
 */
export function checkRdsInstanceKind<T extends RdsMembership>(endpoint: string, instance: T): T {
    const aurora = (instance.engine ?? "").startsWith("aurora");
    if (!aurora && !instance.dbClusterIdentifier) return instance;
    const what = aurora
        ? `an Aurora instance (engine ${instance.engine}${instance.dbClusterIdentifier ? `, cluster ${instance.dbClusterIdentifier}` : ""})`
        : `an instance of the Multi-AZ DB cluster ${instance.dbClusterIdentifier} (engine ${instance.engine})`;
    throw new Error(
        `endpoint ${endpoint}: database.rdsInstanceIdentifier ${show(instance.dbInstanceIdentifier)} is ${what}, which db-endpoints does not support: ` +
            `on a failover another instance of the cluster becomes the writer and this one a reader, and the endpoint would keep sending clients to it. ` +
            `Point the endpoint at an RDS DB instance that is not in a cluster; listing the cluster's addresses as a self-managed database does not follow failovers either ` +
            `(see "DB clusters" in docs/limits-and-refusals.md for the alternatives)`,
    );
}

/**
 * Deployment-time placement of a self-managed database's targets against the VPC's IPv4 CIDR blocks: `undefined`
 * (registered as it is) for an address in the VPC, `"all"` for one outside it in a private range, which AWS accepts
 * only for every Availability Zone (cross-zone load balancing is on, so every zone's node sends it traffic anyway).
 * Throws, naming each address, when one is outside the VPC and publicly routable: AWS refuses such a target.
 */
export function targetAvailabilityZones(endpoint: string, vpcId: string, addresses: string[], vpcCidrs: string[]): ("all" | undefined)[] {
    const refused: string[] = [];
    const zones = addresses.map((address, i): "all" | undefined => {
        const placement = placeTarget(address, vpcCidrs);
        if (placement === "refused") refused.push(`database.addresses[${i}] ${show(address)}`);
        return placement === "outside-vpc" ? "all" : undefined;
    });
    if (refused.length > 0) {
        throw new Error(
            `endpoint ${endpoint}: ${refused.join(", ")} ${refused.length === 1 ? "is" : "are"} outside the VPC ${vpcId} (CIDR blocks ${vpcCidrs.join(", ")}) ` +
                `and not in a private range (${OUTSIDE_VPC_TARGET_RANGES.join(", ")}); AWS registers a load balancer target outside its VPC only from those ranges. ` +
                `List the database's private address`,
        );
    }
    return zones;
}

/** The VPC's IPv4 CIDR blocks from its lookup: the primary and every association that is not being removed. */
export function vpcIpv4Cidrs(primary: string, associations: { cidrBlock: string; state: string }[] | undefined): string[] {
    const live = (associations ?? []).filter((a) => !/^(disassociat|fail)/.test(a.state ?? "")).map((a) => a.cidrBlock);
    return [...new Set([primary, ...live].filter((c) => typeof c === "string" && c !== ""))];
}

/**
 * A public endpoint for one private database: an internet-facing Network Load Balancer with a TCP
 * pass-through listener (TLS runs end to end, client to database), security groups built from the
 * allowlist, an IP target group pointing at the database, optional Elastic IPs and Route 53 alias.
 */
export class DatabaseEndpoint extends pulumi.ComponentResource {
    /** DNS name clients connect to: `hostname` when given, else the load balancer's DNS name. */
    public readonly hostname: pulumi.Output<string>;
    /** The load balancer's own DNS name. */
    public readonly loadBalancerDnsName: pulumi.Output<string>;
    /** ARN of the load balancer. */
    public readonly loadBalancerArn: pulumi.Output<string>;
    /** Port clients connect to. */
    public readonly port: pulumi.Output<number>;
    /** Port of the database behind the endpoint. */
    public readonly databasePort: pulumi.Output<number>;
    /** The Elastic IPs of the load balancer (empty without `elasticIps`: its addresses may then change). */
    public readonly publicAddresses: pulumi.Output<string[]>;
    /** CIDRs admitted, normalised and de-duplicated, as the ingress rules have them. */
    public readonly allowedCidrs: pulumi.Output<string[]>;
    /** Listener TCP idle timeout in seconds. */
    public readonly idleTimeoutSeconds: pulumi.Output<number>;
    /** Security groups of the load balancer; the first also carries the egress rule to the database. */
    public readonly securityGroupIds: pulumi.Output<string[]>;
    /** ARN of the IP target group. */
    public readonly targetGroupArn: pulumi.Output<string>;
    /** ARN of the TCP listener. */
    public readonly listenerArn: pulumi.Output<string>;
    /** What the endpoint reaches: `rds:<identifier>` or `self-managed:<address>,...`. */
    public readonly database: pulumi.Output<string>;
    /**
     * Private address(es) the database resolved to at deployment: the targets registered then (with
     * `manageRdsTargets: false`, by the TargetSync, which keeps them current after that).
     */
    public readonly targetAddresses: pulumi.Output<string[]>;
    /** RDS only: the instance's own endpoint hostname (the name its certificate carries). */
    public readonly rdsAddress: pulumi.Output<string | undefined>;
    /** RDS only: the AWS certificate authority the instance's certificate is issued by (`caCertIdentifier`). */
    public readonly rdsCaCertIdentifier: pulumi.Output<string | undefined>;
    /** RDS only: the engine (`postgres`, `mysql`, ...). */
    public readonly rdsEngine: pulumi.Output<string | undefined>;
    /** RDS only: the database created with the instance (`DBName`), if any. */
    public readonly rdsDbName: pulumi.Output<string | undefined>;
    /** The database security group given an ingress rule for the endpoint, if any. */
    public readonly databaseSecurityGroupId: pulumi.Output<string | undefined>;

    constructor(name: string, args: DatabaseEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = planDatabaseEndpoint(name, args);
        super(COMPONENT_TYPE, name, {}, opts);
        for (const w of plan.warnings) pulumi.log.warn(`${w.path}: ${w.message}`, this);

        const child = { parent: this };
        const inputs = plan.inputs;
        const tags = stampedTags(inputs.tags, { "db-endpoints:endpoint": name });
        const db = args.database;

        // --- The database: where it is, on which port, behind which security group.
        let databasePort: pulumi.Output<number>;
        let databaseSg: pulumi.Output<string | undefined>;
        let targetAddresses: pulumi.Output<string[]>;
        let databaseZones: pulumi.Output<string[]>;
        let description: pulumi.Output<string>;
        let rdsAddress: pulumi.Output<string | undefined> = pulumi.output<string | undefined>(undefined);
        let rdsCa: pulumi.Output<string | undefined> = pulumi.output<string | undefined>(undefined);
        let rdsEngine: pulumi.Output<string | undefined> = pulumi.output<string | undefined>(undefined);
        let rdsDbName: pulumi.Output<string | undefined> = pulumi.output<string | undefined>(undefined);
        // Self-managed: per address, the Availability Zone it is registered for (`"all"` outside the VPC's CIDR blocks).
        let targetZones: pulumi.Output<("all" | undefined)[]> = pulumi.output([]);
        if (plan.kind === "rds") {
            // Every use of the instance goes through the cluster check, so a clustered instance fails each of them.
            const lookup = aws.rds.getInstanceOutput({ dbInstanceIdentifier: inputs.rdsInstanceIdentifier! }, child);
            const instance = lookup.apply((i) => checkRdsInstanceKind(name, i));
            databasePort = instance.port;
            databaseSg = pulumi.all([inputs.securityGroupId, instance.vpcSecurityGroups, instance.dbInstanceIdentifier]).apply(([override, groups, id]) => {
                if (override) return override;
                if (!groups || groups.length === 0) {
                    throw new Error(`endpoint ${name}: RDS instance ${id} has no VPC security group; set database.securityGroupId`);
                }
                return groups[0];
            });
            targetAddresses = instance.address.apply(async (address) => {
                let addresses: string[];
                try {
                    addresses = await resolveIpv4(address);
                } catch (e) {
                    throw new Error(`endpoint ${name}: ${(e as Error).message}`);
                }
                // A publicly accessible instance resolves to its public address outside the VPC; an IP target must be
                // the private one, so refuse rather than register an address the load balancer cannot use.
                const nonPrivate = addresses.filter((a) => !isPrivateIpv4(a));
                if (nonPrivate.length > 0) {
                    throw new Error(
                        `endpoint ${name}: ${address} resolves to ${nonPrivate.join(", ")}, not a private address in the VPC ` +
                            `(is the instance publicly accessible?); the load balancer's target must be the instance's private address. ` +
                            `Turn off public accessibility on the instance, or deploy from where its name resolves privately`,
                    );
                }
                return addresses;
            });
            const subnetGroup = aws.rds.getSubnetGroupOutput({ name: instance.dbSubnetGroup }, child);
            databaseZones = pulumi.all([instance, subnetGroup]).apply(async ([i, group]) => {
                if (!i.multiAz) return [i.availabilityZone];
                const zones = await Promise.all(
                    group.subnetIds.map(async (id) => (await aws.ec2.getSubnet({ id }, child)).availabilityZone),
                );
                return [...new Set(zones)].sort();
            });
            description = instance.dbInstanceIdentifier.apply((id) => `rds:${id}`);
            rdsAddress = instance.address;
            rdsCa = instance.caCertIdentifier;
            rdsEngine = instance.engine;
            rdsDbName = instance.dbName.apply((n) => n || undefined);
        } else {
            databasePort = pulumi.output(inputs.databasePort!);
            databaseSg = pulumi.output(inputs.securityGroupId);
            targetAddresses = pulumi.output(plan.addresses);
            const vpc = aws.ec2.getVpcOutput({ id: inputs.vpcId }, child);
            targetZones = pulumi
                .all([inputs.vpcId, vpc.cidrBlock, vpc.cidrBlockAssociations])
                .apply(([vpcId, primary, associations]) => targetAvailabilityZones(name, vpcId, plan.addresses, vpcIpv4Cidrs(primary, associations)));
            databaseZones = pulumi.output([]);
            description = pulumi.output(`self-managed:${plan.addresses.join(",")}`);
        }
        const listenerPort = pulumi.output(inputs.port ?? databasePort);
        const idleTimeoutSeconds = pulumi.output(inputs.idleTimeoutSeconds);

        // --- Security groups of the load balancer: the allowlist, spread within the quotas.
        const groups = plan.securityGroupRules.map((rules, g) => {
            const sg = new aws.ec2.SecurityGroup(
                `${name}-sg-${g + 1}`,
                {
                    vpcId: inputs.vpcId,
                    // Fixed per group: AWS cannot change a security group's description, so one that counted the
                    // groups would replace all of them whenever the allowlist crossed a multiple of the quota.
                    description: `db-endpoints ${name}: allowlist group ${g + 1}${g === 0 ? " and egress to the database" : ""}`,
                    revokeRulesOnDelete: true,
                    tags: tags.apply((t) => ({ ...t, Name: `${name}-${g + 1}` })),
                },
                child,
            );
            for (const rule of rules) {
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-allow-${cidrSlug(rule.cidr)}`,
                    {
                        securityGroupId: sg.id,
                        ipProtocol: "tcp",
                        fromPort: listenerPort,
                        toPort: listenerPort,
                        ...(rule.family === "ipv4" ? { cidrIpv4: rule.cidr } : { cidrIpv6: rule.cidr }),
                        description: `db-endpoints ${name}: allowlisted client`,
                        tags,
                    },
                    child,
                );
            }
            return sg;
        });
        const primarySg = groups[0];

        // Egress only to the database port: to its security group when known, else to each address.
        if (plan.kind === "rds" || inputs.securityGroupId !== undefined) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-to-database`,
                {
                    securityGroupId: primarySg.id,
                    ipProtocol: "tcp",
                    fromPort: databasePort,
                    toPort: databasePort,
                    referencedSecurityGroupId: databaseSg.apply((sg) => sg!),
                    description: `db-endpoints ${name}: to the database and its health checks`,
                    tags,
                },
                child,
            );
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-database-from-nlb`,
                {
                    securityGroupId: databaseSg.apply((sg) => sg!),
                    ipProtocol: "tcp",
                    fromPort: databasePort,
                    toPort: databasePort,
                    referencedSecurityGroupId: primarySg.id,
                    description: `db-endpoints ${name}: from the endpoint's load balancer`,
                    tags,
                },
                child,
            );
        } else {
            for (const address of plan.addresses) {
                new aws.vpc.SecurityGroupEgressRule(
                    `${name}-to-${address}`,
                    {
                        securityGroupId: primarySg.id,
                        ipProtocol: "tcp",
                        fromPort: databasePort,
                        toPort: databasePort,
                        cidrIpv4: `${address}/32`,
                        description: `db-endpoints ${name}: to the database and its health checks`,
                        tags,
                    },
                    child,
                );
            }
            pulumi.log.warn(
                `database.securityGroupId is not set: the database's own security group must admit the endpoint's security group ` +
                    `(output securityGroupIds[0]) on port ${show(db.port)}`,
                this,
            );
        }

        // --- Placement, checked against AWS before the load balancer exists.
        const subnetFacts = pulumi.all(
            args.subnetIds.map((id) =>
                aws.ec2.getSubnetOutput({ id }, child).apply((s) => ({
                    id,
                    vpcId: s.vpcId,
                    availabilityZone: s.availabilityZone,
                    ipv6CidrBlock: s.ipv6CidrBlock,
                })),
            ),
        );
        // (targetZones too: a self-managed address AWS would refuse as a target fails the deployment before the NLB exists.)
        const placedSubnets = pulumi
            .all([inputs.vpcId, subnetFacts, databaseZones, description, targetZones])
            .apply(([vpcId, facts, zones, desc]) => checkPlacement(name, vpcId, facts, plan.ipAddressType, zones, desc));

        const eips = args.elasticIps
            ? args.subnetIds.map(
                  (subnetId) =>
                      new aws.ec2.Eip(
                          `${name}-eip-${subnetId}`,
                          { domain: "vpc", tags: tags.apply((t) => ({ ...t, Name: `${name}-${subnetId}` })) },
                          child,
                      ),
              )
            : [];

        // Replacing the load balancer. AWS can add subnets to an NLB but not remove, swap or re-map one, so
        // switching `elasticIps` or removing or swapping a subnet replaces it (the provider's subnet-mapping
        // diff forces a new one): a new DNS name, and the old one's deletion needs its deletion protection off.
        // Pulumi creates the replacement before deleting the old one, which is what this program wants where AWS
        // allows it: the new NLB serves before the old one goes. It does not allow it with Elastic IPs: an
        // address held by the old NLB cannot be given to the new one, so the old one is deleted first (its
        // listener with it) and the addresses move over, at the cost of an outage until the new one serves.
        const keepsElasticIps = eips.length > 0;
        const nlb = new aws.lb.LoadBalancer(
            `${name}-nlb`,
            {
                loadBalancerType: "network",
                internal: false,
                ipAddressType: plan.ipAddressType,
                securityGroups: groups.map((g) => g.id),
                subnetMappings: placedSubnets.apply((ids) =>
                    ids.map((subnetId, i) => (eips.length > 0 ? { subnetId, allocationId: eips[i].allocationId } : { subnetId })),
                ),
                enableCrossZoneLoadBalancing: true,
                enableDeletionProtection: inputs.deletionProtection ?? true,
                tags,
            },
            { parent: this, deleteBeforeReplace: keepsElasticIps },
        );

        const targetGroup = new aws.lb.TargetGroup(
            `${name}-tg`,
            {
                targetType: "ip",
                protocol: "TCP",
                port: databasePort,
                vpcId: inputs.vpcId,
                ipAddressType: "ipv4",
                preserveClientIp: "false",
                connectionTermination: true,
                deregistrationDelay: 30,
                healthCheck: {
                    enabled: true,
                    protocol: "TCP",
                    port: "traffic-port",
                    interval: 10,
                    timeout: 10,
                    healthyThreshold: 3,
                    unhealthyThreshold: 3,
                },
                tags,
            },
            {
                parent: this,
                // A target group serves one load balancer only, so a replacement NLB created next to the old one
                // needs a new group: the group is replaced whenever the NLB's ARN changes. With Elastic IPs the
                // old NLB and its listener are deleted first, which frees the group: it is kept, with its
                // registered, healthy targets, and the new listener forwards to it.
                replacementTrigger: keepsElasticIps ? TARGET_GROUP_KEPT : nlb.arn,
                // Registered after the NLB, and failed with it: a trigger that fails leaves the group's outputs
                // pending, where a failed dependency fails the group (and so its dependents) cleanly.
                ...(keepsElasticIps ? {} : { dependsOn: [nlb] }),
                // With a TargetSync the function tags the group with the time it last changed its targets; that
                // tag is the function's, so a refresh followed by `pulumi up` must not remove it.
                ...(plan.manageRdsTargets ? {} : { ignoreChanges: [`tags["${CHANGE_TAG_KEY}"]`] }),
            },
        );

        const attachments: aws.lb.TargetGroupAttachment[] = [];
        if (plan.kind === "rds" && !plan.manageRdsTargets) {
            // A TargetSync owns this group's targets: no attachment, so the program never registers a stale
            // address nor removes the one the function registered after a failover. A new group (new ARN or
            // port) changes the function's target list, which runs it again during the same deployment.
        } else if (plan.kind === "rds") {
            attachments.push(
                new aws.lb.TargetGroupAttachment(
                    `${name}-target`,
                    { targetGroupArn: targetGroup.arn, targetId: targetAddresses.apply((a) => a[0]), port: databasePort },
                    child,
                ),
            );
        } else {
            plan.addresses.forEach((address, i) => {
                attachments.push(
                    new aws.lb.TargetGroupAttachment(
                        `${name}-target-${address}`,
                        { targetGroupArn: targetGroup.arn, targetId: address, port: databasePort, availabilityZone: targetZones.apply((z) => z[i]) },
                        child,
                    ),
                );
            });
        }

        // The endpoint is provisioned once its listener exists: then the restart hook applies what the policy allows
        // to the RDS instance. A hook, so it runs in the deployment, after the fact, and fails it when that fails.
        const restart = plan.kind === "rds" ? (db.restart ?? RdsRestartPolicy.WhenPending) : RdsRestartPolicy.Never;
        const rebootHook =
            restart === RdsRestartPolicy.Never
                ? undefined
                : rdsRebootHook(`${name}-rds-reboot`, {
                      dbInstanceIdentifier: inputs.rdsInstanceIdentifier!,
                      policy: restart,
                      timeoutMinutes: db.restartTimeoutMinutes ?? RESTART_TIMEOUT_MINUTES.rdsDefault,
                  });
        const listener = new aws.lb.Listener(
            `${name}-listener`,
            {
                loadBalancerArn: nlb.arn,
                port: listenerPort,
                protocol: "TCP",
                tcpIdleTimeoutSeconds: idleTimeoutSeconds,
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                tags,
            },
            {
                parent: this,
                // A replaced target group (a new database port, a new load balancer) is empty until its targets
                // are registered: the listener is created or switched to it only after they are.
                dependsOn: attachments,
                ...(rebootHook ? { hooks: { afterCreate: [rebootHook] } } : {}),
            },
        );

        if (inputs.hostedZoneId !== undefined) {
            const recordTypes = plan.ipAddressType === IpAddressType.Dualstack ? ["A", "AAAA"] : ["A"];
            for (const type of recordTypes) {
                new aws.route53.Record(
                    `${name}-dns-${type.toLowerCase()}`,
                    {
                        zoneId: inputs.hostedZoneId,
                        name: inputs.hostname!,
                        type,
                        aliases: [{ name: nlb.dnsName, zoneId: nlb.zoneId, evaluateTargetHealth: true }],
                    },
                    // Moved to a replacement load balancer only once it has its listener (and so its targets).
                    { parent: this, dependsOn: [listener] },
                );
            }
        }

        this.hostname = inputs.hostname !== undefined ? pulumi.output(inputs.hostname) : nlb.dnsName;
        this.loadBalancerDnsName = nlb.dnsName;
        this.loadBalancerArn = nlb.arn;
        this.port = listenerPort;
        this.databasePort = databasePort;
        this.publicAddresses = pulumi.all(eips.map((e) => e.publicIp));
        this.allowedCidrs = pulumi.output(plan.allowlist.map((r) => r.cidr));
        this.idleTimeoutSeconds = listener.tcpIdleTimeoutSeconds.apply((v) => v ?? IDLE_TIMEOUT.default);
        this.securityGroupIds = pulumi.all(groups.map((g) => g.id));
        this.targetGroupArn = targetGroup.arn;
        this.listenerArn = listener.arn;
        this.database = description;
        this.targetAddresses = targetAddresses;
        this.rdsAddress = rdsAddress;
        this.rdsCaCertIdentifier = rdsCa;
        this.rdsEngine = rdsEngine;
        this.rdsDbName = rdsDbName;
        this.databaseSecurityGroupId = databaseSg;
        this.registerOutputs({
            hostname: this.hostname,
            loadBalancerDnsName: this.loadBalancerDnsName,
            loadBalancerArn: this.loadBalancerArn,
            port: this.port,
            databasePort: this.databasePort,
            publicAddresses: this.publicAddresses,
            allowedCidrs: this.allowedCidrs,
            idleTimeoutSeconds: this.idleTimeoutSeconds,
            securityGroupIds: this.securityGroupIds,
            targetGroupArn: this.targetGroupArn,
            listenerArn: this.listenerArn,
            database: this.database,
            targetAddresses: this.targetAddresses,
            rdsAddress: this.rdsAddress,
            rdsCaCertIdentifier: this.rdsCaCertIdentifier,
            rdsEngine: this.rdsEngine,
            rdsDbName: this.rdsDbName,
            databaseSecurityGroupId: this.databaseSecurityGroupId,
        });
    }
}
