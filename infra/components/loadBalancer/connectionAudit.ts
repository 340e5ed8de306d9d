/**
 * The connection audit: who connected to an endpoint, from where, when. A TCP pass-through Network Load Balancer
 * keeps no access logs (those exist for TLS listeners only), so the record is VPC flow logs of the load balancer's
 * network interfaces, one per subnet it is in, delivered to a CloudWatch log group by a role that may write to that
 * group only, and a saved CloudWatch Logs Insights query per endpoint that reads them.
 *
 * What a flow-log record shows on a load balancer's network interface: a client's connection arrives with the
 * client's own address as its source (the internet gateway translates only the destination, the load balancer's
 * public address, to the interface's private one), so the `ingress` records to the listener port name the client,
 * and the `egress` records from it carry the bytes sent back. The load balancer's own connections to the database
 * (client IP preservation is off) come from the interface's private address to the database port, and its health
 * checks likewise; the query leaves both out.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lookUpOutput, LOOKUPS } from "../support/lookups";

/**
 * The flow-log record's fields, in order: custom, so that `flow-direction` (which side of the interface the packet
 * was on) and `tcp-flags` are there, and so that the saved query's parse never depends on AWS's default format.
 */
export const FLOW_LOG_FIELDS = [
    "version",
    "interface-id",
    "flow-direction",
    "srcaddr",
    "srcport",
    "dstaddr",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
    "tcp-flags",
] as const;

/** The flow logs' `logFormat`: `${version} ${interface-id} ...`. */
export const FLOW_LOG_FORMAT = FLOW_LOG_FIELDS.map((f) => "${" + f + "}").join(" ");

/**
 * Seconds a flow's packets are aggregated into one record: a minute, so that "when" is known to the minute; a
 * connection held open yields one record per direction per minute it carries traffic.
 */
export const FLOW_LOG_AGGREGATION_SECONDS = 60;

/**
 * The saved query of one endpoint: per client address, when it was first and last seen, how many connections
 * (distinct client ports, counted approximately by Logs Insights) and the bytes each way, over accepted TCP traffic
 * on the endpoint's listener port. Records of the load balancer's own connections to the database, whose far side
 * uses the database's port, are left out, also if one of its source ports happens to be the listener port.
 */
export function connectionQuery(listenerPort: number, databasePort: number): string {
    return [
        "fields @timestamp, @message",
        `| parse @message /^\\S+ \\S+ ingress (?<client_in>\\S+) (?<client_port_in>\\d+) \\S+ ${listenerPort} 6 \\d+ (?<bytes_in>\\d+) \\d+ \\d+ ACCEPT /`,
        `| parse @message /^\\S+ \\S+ egress \\S+ ${listenerPort} (?<client_out>\\S+) (?<client_port_out>\\d+) 6 \\d+ (?<bytes_out>\\d+) \\d+ \\d+ ACCEPT /`,
        `| filter (ispresent(client_in) and client_port_in != ${databasePort}) or (ispresent(client_out) and client_port_out != ${databasePort})`,
        "| fields coalesce(client_in, client_out) as client",
        "| stats min(@timestamp) as first_seen, max(@timestamp) as last_seen, count_distinct(client_port_in) as connections, " +
            "sum(bytes_in) as bytes_from_client, sum(bytes_out) as bytes_to_client by client",
        "| sort last_seen desc",
    ].join("\n");
}

/** The delivery role's trust policy: the flow-logs service, for flow logs of this account and region only. */
export function flowLogsTrustPolicy(partition: string, region: string, accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*` },
                },
            },
        ],
    });
}

/**
 * The delivery role's policy: write streams and events to this log group only. (DescribeLogGroups, which the
 * service calls before it delivers, lists names only and takes no narrower resource than every group.)
 */
export function flowLogsDeliveryPolicy(logGroupArn: string, partition: string, region: string, accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "WriteFlowLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [logGroupArn, `${logGroupArn}:*`],
            },
            {
                Sid: "FindLogGroup",
                Effect: "Allow",
                Action: "logs:DescribeLogGroups",
                Resource: `arn:${partition}:logs:${region}:${accountId}:log-group:*`,
            },
        ],
    });
}

/** The flow logs of one load balancer's network interfaces. */
export interface FlowLogsArgs {
    /** Prefix of the resource names: the endpoint's (its own load balancer) or the shared load balancer's. */
    name: string;
    nlb: aws.lb.LoadBalancer;
    /** The load balancer's subnets: it has one network interface in each. */
    subnetIds: string[];
    retentionDays: number;
    tags: pulumi.Output<Record<string, string>>;
}

/** The flow log of a load balancer's network interface in `subnetId`; `name` is {@link FlowLogsArgs.name}. */
export function flowLogName(name: string, subnetId: string): string {
    return `${name}-flow-log-${subnetId}`;
}

/** What the endpoints' saved queries read. */
export interface PlacedFlowLogs {
    logGroupName: pulumi.Output<string>;
    logGroup: aws.cloudwatch.LogGroup;
    flowLogs: aws.ec2.FlowLog[];
}

/**
 * The log group, the delivery role and its policy, and one flow log per network interface of the load balancer:
 * found by the description AWS gives them (`ELB net/<name>/<id>`, the load balancer's ARN suffix) and the subnet,
 * once the load balancer exists. A replaced load balancer has new interfaces, so its flow logs are replaced with it.
 */
export function buildFlowLogs(owner: pulumi.Resource, args: FlowLogsArgs): PlacedFlowLogs {
    const child = { parent: owner };
    const partition = lookUpOutput(LOOKUPS.partition, {}, child).partition;
    const region = lookUpOutput(LOOKUPS.region, {}, child).region;
    const accountId = lookUpOutput(LOOKUPS.callerIdentity, {}, child).accountId;
    const logGroup = new aws.cloudwatch.LogGroup(`${args.name}-flow-logs`, { retentionInDays: args.retentionDays, tags: args.tags }, child);
    const role = new aws.iam.Role(
        `${args.name}-flow-logs-role`,
        {
            description: `db-endpoints ${args.name}: delivers the load balancer's flow logs to its log group`,
            assumeRolePolicy: pulumi.all([partition, region, accountId]).apply(([p, r, a]) => flowLogsTrustPolicy(p, r, a)),
            tags: args.tags,
        },
        child,
    );
    const policy = new aws.iam.RolePolicy(
        `${args.name}-flow-logs-policy`,
        {
            role: role.id,
            policy: pulumi.all([logGroup.arn, partition, region, accountId]).apply(([arn, p, r, a]) => flowLogsDeliveryPolicy(arn, p, r, a)),
        },
        child,
    );
    const flowLogs = args.subnetIds.map((subnetId) => {
        const eni = lookUpOutput(
            LOOKUPS.networkInterface,
            {
                filters: [
                    { name: "description", values: [args.nlb.arnSuffix.apply((suffix) => `ELB ${suffix}`)] },
                    { name: "subnet-id", values: [subnetId] },
                ],
            },
            child,
        );
        return new aws.ec2.FlowLog(
            flowLogName(args.name, subnetId),
            {
                eniId: eni.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                logFormat: FLOW_LOG_FORMAT,
                maxAggregationInterval: FLOW_LOG_AGGREGATION_SECONDS,
                tags: args.tags.apply((t) => ({ ...t, Name: `${args.name}-${subnetId}` })),
            },
            { parent: owner, dependsOn: [policy] },
        );
    });
    return { logGroupName: logGroup.name, logGroup, flowLogs };
}

/** The saved query's name: a folder per stack in the Logs Insights console, then the endpoint. */
export function connectionQueryName(endpoint: string): string {
    return `db-endpoints/${pulumi.getProject()}/${pulumi.getStack()}/${endpoint}/who-connected`;
}

/** One endpoint's saved query over its load balancer's flow logs, on its listener port. */
export function buildConnectionQuery(
    owner: pulumi.Resource,
    endpoint: string,
    flowLogs: PlacedFlowLogs,
    listenerPort: pulumi.Input<number>,
    databasePort: pulumi.Input<number>,
): aws.cloudwatch.QueryDefinition {
    return new aws.cloudwatch.QueryDefinition(
        `${endpoint}-who-connected`,
        {
            name: connectionQueryName(endpoint),
            logGroupNames: [flowLogs.logGroupName],
            queryString: pulumi.all([listenerPort, databasePort]).apply(([l, d]) => connectionQuery(l, d)),
        },
        { parent: owner },
    );
}
