/**
 * A fake AWS account for Pulumi's mock runtime: answers the lookups the program makes (RDS instances,
 * subnets, subnet groups, DNS), gives created resources the computed outputs AWS would, and records every
 * resource registration with its parent and hooks so tests can assert the exact graph.
 *
 * Import this module and call `installMockCloud()` before importing any program module.
 */
import * as crypto from "node:crypto";
import * as dns from "node:dns";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import * as pulumi from "@pulumi/pulumi";
import { DescribeDBParametersCommand, DescribeOptionGroupsCommand, RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { recordRegistrations, Registration, waitForRegistrations } from "./recorder";
import { expiryClock } from "../infra/certificateExpiry";
import { allowlistClock } from "../infra/model/allowlist";

export interface FakeRdsInstance {
    address: string;
    port: number;
    engine: string;
    vpcSecurityGroups: string[];
    availabilityZone: string;
    multiAz: boolean;
    dbSubnetGroup: string;
    caCertIdentifier: string;
    [key: string]: unknown;
}

export interface FakeSubnet {
    vpcId: string;
    availabilityZone: string;
    ipv6CidrBlock: string;
}

/** A VPC's IPv4 CIDR blocks, as `aws.ec2.getVpc` reports them (the primary is also the first association). */
export interface FakeVpc {
    cidrBlock: string;
    cidrBlockAssociations: { associationId: string; cidrBlock: string; state: string }[];
}

/** A Secrets Manager secret's current value (e.g. an RDS-managed master user secret). */
export interface FakeSecret {
    secretString: string;
}

export interface FakeWorld {
    instances: Record<string, FakeRdsInstance>;
    subnets: Record<string, FakeSubnet>;
    subnetGroups: Record<string, { subnetIds: string[]; vpcId: string }>;
    /** VPC ID -> its CIDR blocks; a missing VPC fails with InvalidVpcID.NotFound. */
    vpcs?: Record<string, FakeVpc>;
    /** hostname -> IPv4 addresses; a missing name fails with ENOTFOUND. */
    dns: Record<string, string[]>;
    /** Secret ARN -> current value; a missing secret fails with ResourceNotFoundException. */
    secrets?: Record<string, FakeSecret>;
    /**
     * What ELBv2 DescribeTargetHealth answers (the wait before integration users are declared), by target
     * group ARN: a list of targets, or an error to throw. Default: every target attached to the group is
     * healthy, or, for a group without attachments (the target-sync function registers its target), one
     * healthy target.
     */
    targetHealth?: Record<string, TargetHealthDescription[] | Error>;
    /**
     * DB parameter groups by name, each parameter's value (RDS DescribeDBParameters); a parameter set to `undefined`
     * is listed without a value (the engine's default). A missing group fails with DBParameterGroupNotFound.
     */
    parameterGroups?: Record<string, Record<string, string | undefined>>;
    /** Option groups by name: option name -> its settings (RDS DescribeOptionGroups); a missing group fails with OptionGroupNotFoundFault. */
    optionGroups?: Record<string, Record<string, Record<string, string>>>;
    /** Customer-managed prefix lists by ID (aws.ec2.getManagedPrefixList); a missing one fails with InvalidPrefixListID.NotFound. */
    prefixLists?: Record<string, FakePrefixList>;
}

/** A managed prefix list as EC2 describes it. `maxEntries` is absent on an AWS-managed list. */
export interface FakePrefixList {
    maxEntries?: number;
    addressFamily: "IPv4" | "IPv6";
    entries: string[];
}

/**
 * The network interface ID the mock cloud gives a load balancer's interface in a subnet, from the description AWS
 * gives it (`ELB net/<name>/<id>`).
 */
export function mockNetworkInterfaceId(description: string, subnetId: string): string {
    return `eni-${hex(`${description}|${subnetId}`, 17)}`;
}

export type Registered = Registration;

/** The world the example stack (Pulumi.dev.yaml) is deployed into. */
export function exampleWorld(): FakeWorld {
    return {
        instances: {
            "prod-postgres": {
                address: "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com",
                port: 5432,
                engine: "postgres",
                vpcSecurityGroups: ["sg-0db0000000000000a", "sg-0db0000000000000b"],
                availabilityZone: "us-east-1a",
                multiAz: true,
                dbSubnetGroup: "prod-db-subnets",
                caCertIdentifier: "rds-ca-rsa2048-g1",
                dbInstanceIdentifier: "prod-postgres",
                dbInstanceArn: "arn:aws:rds:us-east-1:123456789012:db:prod-postgres",
                dbName: "app",
                dbParameterGroups: ["prod-postgres15"],
                optionGroupMemberships: ["default:postgres-15"],
            },
        },
        // The instance's own parameter group records logins (the connection audit's database side).
        parameterGroups: { "prod-postgres15": { log_connections: "1", log_disconnections: "1", max_connections: undefined } },
        optionGroups: { "default:postgres-15": {} },
        subnets: {
            "subnet-0aa11bb22cc33dd44": { vpcId: "vpc-0a1b2c3d4e5f60718", availabilityZone: "us-east-1a", ipv6CidrBlock: "2600:1f18:1:100::/64" },
            "subnet-0ee55ff66aa77bb88": { vpcId: "vpc-0a1b2c3d4e5f60718", availabilityZone: "us-east-1b", ipv6CidrBlock: "2600:1f18:1:200::/64" },
            "subnet-0db1a00000000000a": { vpcId: "vpc-0a1b2c3d4e5f60718", availabilityZone: "us-east-1a", ipv6CidrBlock: "" },
            "subnet-0db1b00000000000b": { vpcId: "vpc-0a1b2c3d4e5f60718", availabilityZone: "us-east-1b", ipv6CidrBlock: "" },
        },
        subnetGroups: {
            "prod-db-subnets": { subnetIds: ["subnet-0db1a00000000000a", "subnet-0db1b00000000000b"], vpcId: "vpc-0a1b2c3d4e5f60718" },
        },
        vpcs: {
            "vpc-0a1b2c3d4e5f60718": {
                cidrBlock: "10.0.0.0/16",
                cidrBlockAssociations: [{ associationId: "vpc-cidr-assoc-0a1b2c3d4e5f60718", cidrBlock: "10.0.0.0/16", state: "associated" }],
            },
        },
        dns: { "prod-postgres.c9akciq32.us-east-1.rds.amazonaws.com": ["10.0.2.41"] },
        secrets: {
            // The RDS-managed master user secret of prod-postgres (Pulumi.dev.yaml's adminSecretArn).
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b-AbCdEf": {
                secretString: JSON.stringify({ username: "postgres_admin", password: "admin-password-from-secrets-manager" }),
            },
        },
    };
}

function hex(text: string, length: number): string {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** The DNS name the mock cloud gives load balancer `name` (the resource's name, e.g. `reporting-nlb`). */
export function mockLoadBalancerDnsName(name: string): string {
    return `${name}-${hex(name, 10)}.elb.us-east-1.amazonaws.com`;
}

/** The ARN the mock cloud gives target group `name` (the resource's name, e.g. `reporting-tg`). */
export function mockTargetGroupArn(name: string): string {
    return `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/${hex(name, 16)}`;
}

function computedState(type: string, name: string, inputs: Record<string, any>): { id: string; state: Record<string, any> } {
    const region = "us-east-1";
    const account = "123456789012";
    switch (type) {
        case "aws:ec2/securityGroup:SecurityGroup": {
            const id = `sg-${hex(name, 17)}`;
            return { id, state: { ...inputs, arn: `arn:aws:ec2:${region}:${account}:security-group/${id}` } };
        }
        case "aws:lb/loadBalancer:LoadBalancer":
            return {
                id: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/net/${name}/${hex(name, 16)}`,
                state: {
                    ...inputs,
                    arn: `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/net/${name}/${hex(name, 16)}`,
                    arnSuffix: `net/${name}/${hex(name, 16)}`,
                    dnsName: mockLoadBalancerDnsName(name),
                    zoneId: "Z26RNL4JYFTOTI",
                },
            };
        case "aws:lb/targetGroup:TargetGroup": {
            const arn = mockTargetGroupArn(name);
            return { id: arn, state: { ...inputs, arn, arnSuffix: `targetgroup/${name}/${hex(name, 16)}` } };
        }
        case "aws:lb/listener:Listener": {
            const arn = `arn:aws:elasticloadbalancing:${region}:${account}:listener/net/${name}/${hex(name, 16)}`;
            return { id: arn, state: { ...inputs, arn } };
        }
        case "aws:ec2/eip:Eip": {
            const n = parseInt(hex(name, 4), 16);
            return {
                id: `eipalloc-${hex(name, 17)}`,
                state: { ...inputs, allocationId: `eipalloc-${hex(name, 17)}`, publicIp: `198.51.100.${(n % 250) + 1}` },
            };
        }
        case "random:index/randomPassword:RandomPassword": {
            // Deterministic per name and keepers, so a changed rotation keeper yields a new password.
            const result = crypto.createHash("sha256").update(`${name}|${JSON.stringify(inputs.keepers ?? {})}`).digest("base64url").replace(/[-_]/g, "x").slice(0, inputs.length ?? 16);
            return { id: "none", state: { ...inputs, result } };
        }
        case "random:index/randomBytes:RandomBytes": {
            const bytes = mockRandomBytes(name, inputs.keepers, inputs.length);
            return { id: "none", state: { ...inputs, base64: bytes.toString("base64"), hex: bytes.toString("hex") } };
        }
        case "aws:secretsmanager/secret:Secret": {
            const secretName = inputs.name ?? `${inputs.namePrefix ?? ""}${hex(name, 26)}`;
            const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${secretName}-${hex(secretName, 6)}`;
            return { id: arn, state: { ...inputs, arn, name: secretName } };
        }
        // Target sync (infra/components/targetSync.ts): names as the provider's auto-naming makes them, real ARN shapes.
        case "aws:cloudwatch/logGroup:LogGroup": {
            const logGroupName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return { id: logGroupName, state: { ...inputs, name: logGroupName, arn: `arn:aws:logs:${region}:${account}:log-group:${logGroupName}` } };
        }
        case "aws:iam/role:Role": {
            const roleName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return { id: roleName, state: { ...inputs, name: roleName, arn: `arn:aws:iam::${account}:role/${roleName}` } };
        }
        case "aws:lambda/function:Function": {
            const functionName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return { id: functionName, state: { ...inputs, name: functionName, arn: `arn:aws:lambda:${region}:${account}:function:${functionName}` } };
        }
        case "aws:cloudwatch/eventRule:EventRule": {
            const ruleName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return { id: ruleName, state: { ...inputs, name: ruleName, arn: `arn:aws:events:${region}:${account}:rule/${ruleName}` } };
        }
        // Alarms (infra/components/alarms.ts): the alarm's name is its ID; topics are auto-named.
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return { id: inputs.name, state: { ...inputs, arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${inputs.name}` } };
        case "aws:sns/topic:Topic": {
            const topicName = inputs.name ?? `${name}-${hex(name, 7)}`;
            const arn = `arn:aws:sns:${region}:${account}:${topicName}`;
            return { id: arn, state: { ...inputs, name: topicName, arn } };
        }
        case "aws:sns/topicSubscription:TopicSubscription": {
            // An email subscription stays pending until the address confirms it (the provider asks SNS for its ARN anyway).
            const arn = `${inputs.topic}:${uuidOf(`${inputs.topic}|${inputs.endpoint}`)}`;
            return { id: arn, state: { ...inputs, arn, pendingConfirmation: true } };
        }
        case "aws:secretsmanager/secretVersion:SecretVersion": {
            const versionId = uuidOf(`${inputs.secretId}|${JSON.stringify(inputs.secretString)}`);
            return { id: `${inputs.secretId}|${versionId}`, state: { ...inputs, arn: inputs.secretId, versionId, versionStages: ["AWSCURRENT"] } };
        }
        // TLS (infra/components/certificateAuthority.ts, databaseCertificate.ts): PEM-shaped stand-ins whose
        // bodies say what they were made from, and validity counted from a fixed instant.
        case "tls:index/privateKey:PrivateKey": {
            const id = hex(`${name}|${inputs.algorithm}|${inputs.rsaBits ?? inputs.ecdsaCurve ?? ""}`, 16);
            return {
                id,
                state: {
                    ...inputs,
                    privateKeyPem: mockPem("PRIVATE KEY", { key: id, algorithm: inputs.algorithm }),
                    publicKeyPem: mockPem("PUBLIC KEY", { key: id, algorithm: inputs.algorithm }),
                },
            };
        }
        case "tls:index/certRequest:CertRequest":
            return {
                id: hex(name, 16),
                state: { ...inputs, certRequestPem: mockPem("CERTIFICATE REQUEST", { subject: inputs.subject, dnsNames: inputs.dnsNames, ipAddresses: inputs.ipAddresses }) },
            };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert": {
            const serial = String(parseInt(hex(`${name}|${JSON.stringify(inputs)}`, 12), 16));
            const issuedBy = type.endsWith("SelfSignedCert") ? "self" : hex(String(inputs.caCertPem), 16);
            return {
                id: serial,
                state: {
                    ...inputs,
                    certPem: mockPem("CERTIFICATE", { serial, issuedBy, subject: inputs.subject ?? null, request: inputs.certRequestPem ? hex(String(inputs.certRequestPem), 16) : null }),
                    validityStartTime: MOCK_CERTIFICATE_START.toISOString().replace(".000Z", "Z"),
                    validityEndTime: new Date(MOCK_CERTIFICATE_START.getTime() + inputs.validityPeriodHours * 3_600_000).toISOString().replace(".000Z", "Z"),
                    readyForRenewal: false,
                },
            };
        }
        default:
            return { id: `${name}-id`, state: { ...inputs, arn: inputs.arn ?? `arn:aws:mock:${region}:${account}:${name}` } };
    }
}

/** The bytes a mock `random.RandomBytes` yields: deterministic per name and keepers, like RandomPassword's result. */
export function mockRandomBytes(name: string, keepers: unknown, length: number): Buffer {
    return crypto.createHash("sha512").update(`${name}|${JSON.stringify(keepers ?? {})}`).digest().subarray(0, length);
}

/** When every mock certificate starts to be valid. */
export const MOCK_CERTIFICATE_START = new Date("2025-01-01T00:00:00Z");

/** "Now" for the certificates' expiry notices under the mock runtime: the day the mock certificates were issued. */
export const MOCK_NOW = MOCK_CERTIFICATE_START.getTime();

/** A PEM block whose body is `facts` as base64 JSON. */
export function mockPem(label: string, facts: unknown): string {
    return `-----BEGIN ${label}-----\n${Buffer.from(JSON.stringify(facts)).toString("base64")}\n-----END ${label}-----\n`;
}

function uuidOf(text: string): string {
    const h = hex(text, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class MockCloud {
    readonly registered: Registered[] = [];
    /** Every lookup the program made, with the provider reference it went to (undefined: the default provider). */
    readonly invokes: { token: string; inputs: any; provider?: string }[] = [];
    /** Errors the program raised asynchronously (failed applies, rejected registrations). */
    readonly asyncErrors: Error[] = [];

    /** The AWS SDK's ELBv2 client, mocked: what the program asks outside the Pulumi engine. */
    readonly elb = mockClient(ElasticLoadBalancingV2Client);
    /** The AWS SDK's RDS client, mocked: the instance's parameter and option groups (connection logging). */
    readonly rds = mockClient(RDSClient);

    constructor(public world: FakeWorld) {
        this.answerRds();
        this.elb.on(DescribeTargetHealthCommand).callsFake(async (input: { TargetGroupArn?: string }) => {
            const arn = input.TargetGroupArn ?? "";
            const answer = this.world.targetHealth?.[arn];
            if (answer instanceof Error) throw answer;
            if (answer) return { TargetHealthDescriptions: answer };
            const attached = this.ofType("aws:lb/targetGroupAttachment:TargetGroupAttachment").filter((r) => r.inputs.targetGroupArn === arn);
            const targets = attached.length > 0 ? attached.map((r) => ({ Id: r.inputs.targetId, Port: Number(r.inputs.port) })) : [{ Id: "10.0.2.41" }];
            return { TargetHealthDescriptions: targets.map((Target) => ({ Target, TargetHealth: { State: "healthy" } })) };
        });
    }

    private answerRds(): void {
        this.rds.on(DescribeDBParametersCommand).callsFake(async (input: { DBParameterGroupName?: string }) => {
            const group = this.world.parameterGroups?.[input.DBParameterGroupName ?? ""];
            if (!group) throw Object.assign(new Error(`DBParameterGroup ${input.DBParameterGroupName} not found`), { name: "DBParameterGroupNotFound" });
            return {
                Parameters: Object.entries(group).map(([ParameterName, ParameterValue]) => ({ ParameterName, ...(ParameterValue !== undefined ? { ParameterValue } : {}) })),
            };
        });
        this.rds.on(DescribeOptionGroupsCommand).callsFake(async (input: { OptionGroupName?: string }) => {
            const group = this.world.optionGroups?.[input.OptionGroupName ?? ""];
            if (!group) throw Object.assign(new Error(`Specified OptionGroupName: ${input.OptionGroupName} not found.`), { name: "OptionGroupNotFoundFault" });
            return {
                OptionGroupsList: [
                    {
                        OptionGroupName: input.OptionGroupName,
                        Options: Object.entries(group).map(([OptionName, settings]) => ({
                            OptionName,
                            OptionSettings: Object.entries(settings).map(([Name, Value]) => ({ Name, Value })),
                        })),
                    },
                ],
            };
        });
    }

    /** Target group ARNs the program asked DescribeTargetHealth about, in order. */
    targetHealthRequests(): string[] {
        return this.elb.commandCalls(DescribeTargetHealthCommand).map((c) => c.args[0].input.TargetGroupArn ?? "");
    }

    /** Forgets what was recorded, so a test sees only what it registered. */
    reset(world?: FakeWorld): void {
        this.registered.length = 0;
        this.invokes.length = 0;
        this.asyncErrors.length = 0;
        this.elb.resetHistory();
        this.rds.resetHistory();
        if (world) this.world = world;
    }

    ofType(type: string): Registered[] {
        return this.registered.filter((r) => r.type === type);
    }

    named(name: string): Registered {
        const found = this.registered.filter((r) => r.name === name);
        if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
        return found[0];
    }

    /** Resource counts by type, sorted by type: the shape of what a program creates. */
    countsByType(): Record<string, number> {
        const counts: Record<string, number> = {};
        for (const r of this.registered) counts[r.type] = (counts[r.type] ?? 0) + 1;
        return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
    }

    readonly mocks: pulumi.runtime.Mocks = {
        newResource: (args) => {
            const { id, state } = computedState(args.type, args.name, args.inputs);
            return { id: args.id || id, state };
        },
        call: (args) => {
            this.invokes.push({ token: args.token, inputs: args.inputs, ...(args.provider ? { provider: args.provider } : {}) });
            try {
                return this.answer(args);
            } catch (e) {
                // The engine reports a failed invoke's message in the gRPC error's `details`, which the SDK raises.
                const error = e as Error & { details?: string };
                throw Object.assign(error, { details: error.details ?? error.message });
            }
        },
    };

    /** What AWS answers a lookup, or the error it raises. */
    private answer(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        const w = this.world;
        switch (args.token) {
            case "aws:rds/getInstance:getInstance": {
                const instance = w.instances[args.inputs.dbInstanceIdentifier];
                if (!instance) throw new Error(`DBInstanceNotFound: DBInstance ${args.inputs.dbInstanceIdentifier} not found`);
                return { id: args.inputs.dbInstanceIdentifier, dbInstanceIdentifier: args.inputs.dbInstanceIdentifier, ...instance };
            }
            case "aws:ec2/getSubnet:getSubnet": {
                const subnet = w.subnets[args.inputs.id];
                if (!subnet) throw new Error(`InvalidSubnetID.NotFound: The subnet ID '${args.inputs.id}' does not exist`);
                return { id: args.inputs.id, ...subnet };
            }
            case "aws:ec2/getVpc:getVpc": {
                const vpc = w.vpcs?.[args.inputs.id];
                if (!vpc) throw new Error(`InvalidVpcID.NotFound: The vpc ID '${args.inputs.id}' does not exist`);
                return { id: args.inputs.id, ...vpc };
            }
            case "aws:rds/getSubnetGroup:getSubnetGroup": {
                const group = w.subnetGroups[args.inputs.name];
                if (!group) throw new Error(`DBSubnetGroupNotFoundFault: ${args.inputs.name}`);
                return { id: args.inputs.name, name: args.inputs.name, ...group };
            }
            case "aws:secretsmanager/getSecretVersion:getSecretVersion": {
                const secret = w.secrets?.[args.inputs.secretId];
                if (!secret) {
                    // `details` is what the SDK reports of a failed invoke (the engine's gRPC error field).
                    const message = `ResourceNotFoundException: Secrets Manager can't find the specified secret ${args.inputs.secretId}`;
                    throw Object.assign(new Error(message), { details: message });
                }
                return {
                    id: `${args.inputs.secretId}|AWSCURRENT`,
                    arn: args.inputs.secretId,
                    secretId: args.inputs.secretId,
                    secretString: secret.secretString,
                    versionId: "00000000-0000-4000-8000-000000000001",
                    versionStages: ["AWSCURRENT"],
                };
            }
            case "aws:ec2/getManagedPrefixList:getManagedPrefixList": {
                const list = w.prefixLists?.[args.inputs.id];
                if (!list) throw new Error(`InvalidPrefixListID.NotFound: The prefix list ID '${args.inputs.id}' does not exist`);
                return {
                    id: args.inputs.id,
                    arn: `arn:aws:ec2:us-east-1:123456789012:prefix-list/${args.inputs.id}`,
                    name: `${args.inputs.id}-name`,
                    addressFamily: list.addressFamily,
                    ...(list.maxEntries !== undefined ? { maxEntries: list.maxEntries } : {}),
                    entries: list.entries.map((cidr) => ({ cidr, description: "" })),
                    ownerId: "123456789012",
                    version: 1,
                    tags: {},
                };
            }
            case "aws:ec2/getNetworkInterface:getNetworkInterface": {
                const filter = (name: string) => (args.inputs.filters ?? []).find((f: { name: string }) => f.name === name)?.values?.[0] as string | undefined;
                const description = filter("description");
                const subnetId = filter("subnet-id");
                if (!description?.startsWith("ELB net/") || !subnetId) throw new Error(`no matching network interface found (${JSON.stringify(args.inputs.filters)})`);
                return { id: mockNetworkInterfaceId(description, subnetId), description, subnetId, interfaceType: "network_load_balancer" };
            }
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/deployer", userId: "AIDA" };
            case "aws:index/getRegion:getRegion":
                return { name: "us-east-1", region: "us-east-1", id: "us-east-1" };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            default:
                throw new Error(`the mock cloud does not answer ${args.token}`);
        }
    }
}

let installed: MockCloud | undefined;

/**
 * Installs the mock runtime (preview = false, so applies run) with a fake world, patches the mock
 * monitor to record parents and hooks (and to accept hook registrations, which @pulumi/pulumi's mock
 * monitor does not implement), and routes DNS lookups to the world. `preview = true` runs the program
 * as `pulumi preview` does (`pulumi.runtime.isDryRun()`); the mode is fixed by the first call in a process,
 * so a preview test lives in its own test file.
 */
export function installMockCloud(world: FakeWorld = exampleWorld(), stack = "dev", preview = false): MockCloud {
    if (installed) {
        installed.reset(world);
        return installed;
    }
    const cloud = new MockCloud(world);
    // The mock certificates carry fixed dates: pin the clock their expiry notices compare against.
    expiryClock.now = () => MOCK_NOW;
    // Likewise the allowlist's expiry: tests that need another instant set allowlistClock themselves.
    allowlistClock.now = () => MOCK_NOW;
    pulumi.runtime.setMocks(cloud.mocks, "db-endpoints", stack, preview);
    recordRegistrations((r) => cloud.registered.push(r));
    dns.promises.lookup = (async (hostname: string) => {
        const addresses = cloud.world.dns[hostname];
        if (!addresses) {
            const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`) as NodeJS.ErrnoException;
            err.code = "ENOTFOUND";
            throw err;
        }
        return addresses.map((address) => ({ address, family: 4 }));
    }) as unknown as typeof dns.promises.lookup;
    // A failed input makes the resource's registration reject, and the mock runtime leaves that rejection
    // unhandled where the real engine would report it as a deployment error. Collect them instead of
    // letting the test runner blame whichever test is running; tests assert on `asyncErrors`.
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", (reason) => {
        cloud.asyncErrors.push(reason instanceof Error ? reason : new Error(String(reason)));
    });
    installed = cloud;
    return cloud;
}

/** Waits until every registration and invoke the program started has finished. */
export const settle = waitForRegistrations;

/** The value of an output (rejects when the output failed; never asserts inside apply). */
export function unwrap<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
    return (pulumi.output(output) as any).promise() as Promise<T>;
}

/** Whether an output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
    return (output as any).isSecret as Promise<boolean>;
}

/** The URN of a parent as recorded: `...::<type>::<name>`; returns the name part. */
export function parentName(r: Registered): string {
    return r.parent ? r.parent.split("::").pop()! : "";
}

/** URN of the `DatabaseEndpoints` component the stack program declares (project db-endpoints, stack dev): the parent of every component it builds. */
export const PRODUCT_URN = "urn:pulumi:dev::db-endpoints::db-endpoints:index:DatabaseEndpoints::db-endpoints";
