/**
 * The connection audit under the mock runtime: per load balancer a log group with its retention, a delivery role
 * trusted by the flow-logs service for this account only, a policy that writes to that group only, and one flow log
 * per network interface (found by the description AWS gives a load balancer's interfaces, per subnet); per endpoint a
 * saved Logs Insights query on its listener port. Own and shared load balancers, the retention settings, and off.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
    connectionQuery,
    FLOW_LOG_FORMAT,
    flowLogsDeliveryPolicy,
    flowLogsTrustPolicy,
} from "../../../infra/components/loadBalancer/connectionAudit";
import { exampleWorld, installMockCloud, MockCloud, mockNetworkInterfaceId, settle, unwrap } from "../../../testing/mockCloud";
import { interceptWarnings } from "../../../testing/warnings";
import { runStackProgram } from "../../../testing/stackProgram";

let cloud: MockCloud;

interceptWarnings(async () => {});

before(async () => {
    cloud = installMockCloud();
});

const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];
const hex = (name: string, n: number) => require("node:crypto").createHash("sha256").update(name).digest("hex").slice(0, n);
const db = (n: number) => ({ addresses: [`10.0.3.${n}`], port: 5432, securityGroupId: "sg-0123456789abcdef0" });

async function deploy(raw: Record<string, unknown>) {
    await settle();
    cloud.reset(exampleWorld());
    // Alarms off unless a test says otherwise: the upkeep function that watches the certificates has a log group and
    // a role of its own, and this suite counts the connection audit's.
    const outputs = runStackProgram(cloud, { vpcId: VPC, publicSubnetIds: SUBNETS, alarms: { enabled: false }, ...raw });
    const endpoints: Record<string, Record<string, unknown>> = {};
    for (const [name, e] of Object.entries(outputs.endpoints)) {
        endpoints[name] = {};
        for (const [k, v] of Object.entries(e)) endpoints[name][k] = await unwrap(v as pulumi.Output<unknown>);
    }
    await settle();
    return endpoints;
}

describe("the saved query", () => {
    it("reads the client's address from the records of its connection to the listener port, both ways", () => {
        assert.equal(
            connectionQuery(5433, 5432),
            [
                "fields @timestamp, @message",
                "| parse @message /^\\S+ \\S+ ingress (?<client_in>\\S+) (?<client_port_in>\\d+) \\S+ 5433 6 \\d+ (?<bytes_in>\\d+) \\d+ \\d+ ACCEPT /",
                "| parse @message /^\\S+ \\S+ egress \\S+ 5433 (?<client_out>\\S+) (?<client_port_out>\\d+) 6 \\d+ (?<bytes_out>\\d+) \\d+ \\d+ ACCEPT /",
                "| filter (ispresent(client_in) and client_port_in != 5432) or (ispresent(client_out) and client_port_out != 5432)",
                "| fields coalesce(client_in, client_out) as client",
                "| stats min(@timestamp) as first_seen, max(@timestamp) as last_seen, count_distinct(client_port_in) as connections, sum(bytes_in) as bytes_from_client, sum(bytes_out) as bytes_to_client by client",
                "| sort last_seen desc",
            ].join("\n"),
        );
    });

    it("parses the flow logs' own format, field for field", () => {
        assert.equal(
            FLOW_LOG_FORMAT,
            "${version} ${interface-id} ${flow-direction} ${srcaddr} ${srcport} ${dstaddr} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${tcp-flags}",
        );
        // A client's record, and the load balancer's own to the database, as the flow logs write them.
        const client = "5 eni-0a1b2c3d4e5f60718 ingress 198.51.100.7 50212 10.0.1.25 5433 6 12 1840 1767225600 1767225660 ACCEPT OK 2";
        const reply = "5 eni-0a1b2c3d4e5f60718 egress 10.0.1.25 5433 198.51.100.7 50212 6 10 90210 1767225600 1767225660 ACCEPT OK 0";
        const toDatabase = "5 eni-0a1b2c3d4e5f60718 egress 10.0.1.25 5433 10.0.2.41 5432 6 12 1840 1767225600 1767225660 ACCEPT OK 2";
        const query = connectionQuery(5433, 5432);
        const regex = (line: number) => new RegExp(query.split("\n")[line].replace(/^\| parse @message \/(.*)\/$/, "$1").replace(/\(\?<(\w+)>/g, "(?<$1>"));
        assert.deepEqual({ ...regex(1).exec(client)!.groups }, { client_in: "198.51.100.7", client_port_in: "50212", bytes_in: "1840" });
        assert.deepEqual({ ...regex(2).exec(reply)!.groups }, { client_out: "198.51.100.7", client_port_out: "50212", bytes_out: "90210" });
        // The load balancer's connection to the database is no client: its far port is the database's (filtered out).
        assert.deepEqual({ ...regex(2).exec(toDatabase)!.groups }, { client_out: "10.0.2.41", client_port_out: "5432", bytes_out: "1840" });
        assert.equal(regex(1).exec(reply), null);
    });

    it("trusts the flow-logs service for this account's flow logs only, and writes to one log group", () => {
        assert.deepEqual(JSON.parse(flowLogsTrustPolicy("aws", "us-east-1", "123456789012")), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        StringEquals: { "aws:SourceAccount": "123456789012" },
                        ArnLike: { "aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*" },
                    },
                },
            ],
        });
        const group = "arn:aws:logs:us-east-1:123456789012:log-group:reporting-flow-logs-4b36049";
        assert.deepEqual(JSON.parse(flowLogsDeliveryPolicy(group, "aws", "us-east-1", "123456789012")).Statement, [
            { Sid: "WriteFlowLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [group, `${group}:*`] },
            { Sid: "FindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:*" },
        ]);
    });
});

describe("an endpoint on its own load balancer", () => {
    let endpoints: Record<string, Record<string, unknown>>;
    before(async () => {
        endpoints = await deploy({ targetSync: false, endpoints: [{ name: "orders", port: 6432, database: db(17), allowedCidrs: ["198.51.100.7"], connectionAuditRetentionDays: 30 }] });
    });

    it("keeps the flow logs in a log group of its own, for the retention it asks", () => {
        const group = cloud.named("orders-flow-logs");
        assert.deepEqual(group.inputs, { retentionInDays: 30, tags: { "db-endpoints:endpoint": "orders", "managed-by": "pulumi/db-endpoints" } });
        assert.equal(group.parent.split("::").pop(), "orders");
    });

    it("delivers them with a role that only the flow-logs service of this account assumes, allowed to write to that group only", () => {
        const role = cloud.named("orders-flow-logs-role").inputs;
        assert.equal(role.assumeRolePolicy, flowLogsTrustPolicy("aws", "us-east-1", "123456789012"));
        assert.equal(role.description, "db-endpoints orders: delivers the load balancer's flow logs to its log group");
        const policy = cloud.named("orders-flow-logs-policy").inputs;
        const groupName = `orders-flow-logs-${hex("orders-flow-logs", 7)}`;
        assert.equal(policy.role, `orders-flow-logs-role-${hex("orders-flow-logs-role", 7)}`);
        assert.equal(policy.policy, flowLogsDeliveryPolicy(`arn:aws:logs:us-east-1:123456789012:log-group:${groupName}`, "aws", "us-east-1", "123456789012"));
    });

    it("logs every packet of each of the load balancer's network interfaces, one per subnet, a record a minute", () => {
        const suffix = `net/orders-nlb/${hex("orders-nlb", 16)}`;
        const logs = cloud.ofType("aws:ec2/flowLog:FlowLog");
        assert.deepEqual(
            logs.map((r) => r.name),
            SUBNETS.map((s) => `orders-flow-log-${s}`),
        );
        SUBNETS.forEach((subnet, i) => {
            const { tags, ...inputs } = logs[i].inputs;
            assert.deepEqual(inputs, {
                eniId: mockNetworkInterfaceId(`ELB ${suffix}`, subnet),
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: `arn:aws:logs:us-east-1:123456789012:log-group:orders-flow-logs-${hex("orders-flow-logs", 7)}`,
                iamRoleArn: `arn:aws:iam::123456789012:role/orders-flow-logs-role-${hex("orders-flow-logs-role", 7)}`,
                logFormat: FLOW_LOG_FORMAT,
                maxAggregationInterval: 60,
            });
            assert.equal(tags.Name, `orders-${subnet}`);
        });
        // The interfaces are looked up by the load balancer's description and the subnet, once it exists.
        assert.deepEqual(
            cloud.invokes.filter((i) => i.token === "aws:ec2/getNetworkInterface:getNetworkInterface").map((i) => i.inputs.filters),
            SUBNETS.map((s) => [
                { name: "description", values: [`ELB ${suffix}`] },
                { name: "subnet-id", values: [s] },
            ]),
        );
        // Delivered only once the role may write.
        assert.ok(logs.every((r) => r.dependencies.some((d) => d.endsWith("::orders-flow-logs-policy"))));
    });

    it("saves the query of who connected, on the endpoint's listener port, and outputs where both are", () => {
        const query = cloud.named("orders-who-connected").inputs;
        assert.deepEqual(query, {
            name: "db-endpoints/db-endpoints/dev/orders/who-connected",
            logGroupNames: [`orders-flow-logs-${hex("orders-flow-logs", 7)}`],
            queryString: connectionQuery(6432, 5432),
        });
        assert.equal(endpoints.orders.connectionLogGroup, `orders-flow-logs-${hex("orders-flow-logs", 7)}`);
        assert.equal(endpoints.orders.connectionQuery, "db-endpoints/db-endpoints/dev/orders/who-connected");
        assert.deepEqual(cloud.asyncErrors, []);
    });
});

describe("endpoints on a shared load balancer", () => {
    it("get one set of flow logs, the load balancer's, and each its own query on its port", async () => {
        const endpoints = await deploy({
            connectionAuditRetentionDays: 365,
            endpoints: [
                { name: "a", loadBalancer: "shared", database: db(17), allowedCidrs: ["198.51.100.7"] },
                { name: "b", loadBalancer: "shared", port: 5433, database: db(18), allowedCidrs: ["198.51.100.8"] },
            ],
        });
        const shared = "urn:pulumi:dev::db-endpoints::db-endpoints:index:DatabaseEndpoints$db-endpoints:index:EndpointLoadBalancer::shared";
        assert.deepEqual(cloud.ofType("aws:cloudwatch/logGroup:LogGroup").map((r) => [r.name, r.parent, r.inputs.retentionInDays]), [["shared-flow-logs", shared, 365]]);
        assert.deepEqual(cloud.ofType("aws:ec2/flowLog:FlowLog").map((r) => [r.name, r.parent]), SUBNETS.map((s) => [`shared-flow-log-${s}`, shared]));
        assert.deepEqual(
            cloud.ofType("aws:cloudwatch/queryDefinition:QueryDefinition").map((r) => [r.name, r.parent.split("::").pop(), r.inputs.logGroupNames, r.inputs.queryString]),
            [
                ["a-who-connected", "a", [`shared-flow-logs-${hex("shared-flow-logs", 7)}`], connectionQuery(5432, 5432)],
                ["b-who-connected", "b", [`shared-flow-logs-${hex("shared-flow-logs", 7)}`], connectionQuery(5433, 5432)],
            ],
        );
        assert.equal(endpoints.a.connectionLogGroup, endpoints.b.connectionLogGroup);
        assert.deepEqual(cloud.asyncErrors, []);
    });
});

describe("connectionAudit: false", () => {
    it("builds none of it, and outputs no log group or query", async () => {
        const endpoints = await deploy({ targetSync: false, endpoints: [{ name: "orders", database: db(17), allowedCidrs: ["198.51.100.7"], connectionAudit: false }] });
        for (const type of ["aws:cloudwatch/logGroup:LogGroup", "aws:ec2/flowLog:FlowLog", "aws:iam/role:Role", "aws:cloudwatch/queryDefinition:QueryDefinition"]) {
            assert.deepEqual(cloud.ofType(type), [], type);
        }
        assert.deepEqual(Object.keys(endpoints.orders).filter((k) => k.startsWith("connection")), []);
    });
});
