/**
 * What makes a provider replace a resource of this product instead of updating it: the inputs each resource type
 * cannot change in place ("ForceNew" in the AWS provider, "RequiresReplace" in the TLS provider), the rule for a
 * network load balancer's subnet mappings, and which resources' outputs those inputs are taken from (an input
 * taken from a replaced resource's output is new, so it forces its own replacement). Pure facts, each from its
 * source; the update model of the tests (testing/updates.ts) and the plan's comparison of two configurations
 * (./changes.ts) both apply them.
 *
 * Sources:
 * - hashicorp/terraform-provider-aws, internal/service/elbv2 and ec2: a network load balancer's subnet mappings
 *   force a new one unless mappings are only added (`customizeDiffLoadBalancerNLB`); a listener's
 *   `load_balancer_arn`; a target group's port, protocol, VPC, target type and address type; every argument of a
 *   target group attachment; a security group rule's `security_group_id` (its ports and source are modified in
 *   place); a security group's description and VPC; an Elastic IP's domain.
 * - hashicorp/terraform-provider-aws, internal/service/ec2/vpc_flow_log.go: every argument of a flow log but its
 *   tags (its network interface, destination, role, format, aggregation interval and traffic type);
 *   internal/service/lambda/invocation.go: an invocation's function name, qualifier and triggers, and with the
 *   default `CREATE_ONLY` lifecycle scope its input (a new invocation is a new run of the function).
 * - hashicorp/terraform-provider-tls, internal/provider: a certificate request's DNS names, IP addresses, subject
 *   and private key; a locally signed certificate's request, CA certificate, CA key, validity and allowed uses.
 */

/** The resource types these facts are about. */
export const TYPES = {
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    attachment: "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    elasticIp: "aws:ec2/eip:Eip",
    privateKey: "tls:index/privateKey:PrivateKey",
    certRequest: "tls:index/certRequest:CertRequest",
    locallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
    selfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
    flowLog: "aws:ec2/flowLog:FlowLog",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    function: "aws:lambda/function:Function",
    invocation: "aws:lambda/invocation:Invocation",
} as const;

/** Inputs whose change forces a new resource, by type (the resource's own values). */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
    [TYPES.listener]: ["loadBalancerArn"],
    [TYPES.targetGroup]: ["port", "protocol", "vpcId", "targetType", "ipAddressType"],
    [TYPES.attachment]: ["targetGroupArn", "targetId", "port", "availabilityZone"],
    [TYPES.ingressRule]: ["securityGroupId"],
    [TYPES.egressRule]: ["securityGroupId"],
    [TYPES.securityGroup]: ["description", "vpcId"],
    [TYPES.elasticIp]: ["domain"],
    [TYPES.certRequest]: ["privateKeyPem", "dnsNames", "ipAddresses", "subject"],
    [TYPES.locallySignedCert]: ["certRequestPem", "caCertPem", "caPrivateKeyPem", "validityPeriodHours", "allowedUses"],
    [TYPES.flowLog]: ["eniId", "subnetId", "vpcId", "logDestination", "logDestinationType", "iamRoleArn", "logFormat", "maxAggregationInterval", "trafficType"],
    [TYPES.invocation]: ["functionName", "qualifier", "triggers", "input"],
};

/**
 * The types whose replacement makes a dependent's ForceNew input new (the input is taken from their output): a
 * listener's load balancer, an attachment's target group, a rule's security group, a certificate's request and CA,
 * a flow log's log group and role, what an invocation's function name and triggers come from.
 */
export const FORCE_NEW_FROM: Readonly<Record<string, readonly string[]>> = {
    [TYPES.listener]: [TYPES.loadBalancer],
    [TYPES.attachment]: [TYPES.targetGroup],
    [TYPES.ingressRule]: [TYPES.securityGroup],
    [TYPES.egressRule]: [TYPES.securityGroup],
    [TYPES.certRequest]: [TYPES.privateKey],
    [TYPES.locallySignedCert]: [TYPES.certRequest, TYPES.selfSignedCert, TYPES.privateKey],
    // Its destination and delivery role (its network interface comes from a lookup of the load balancer, which the
    // registrations do not show: the plan's comparison replaces the flow logs of a replaced load balancer itself).
    [TYPES.flowLog]: [TYPES.logGroup, TYPES.role],
    // The function it runs, and what its triggers hash: the target groups' ARNs, the certificates' expiry.
    [TYPES.invocation]: [TYPES.function, TYPES.targetGroup, TYPES.locallySignedCert, TYPES.selfSignedCert],
};

/** A network load balancer's subnet mapping: the subnet, and the Elastic IP's allocation in it. */
export interface SubnetMapping {
    subnetId: string;
    allocationId?: string;
}

const mappingKey = (m: SubnetMapping) => `${m.subnetId}|${m.allocationId ?? ""}`;

/**
 * customizeDiffLoadBalancerNLB: whether a change of subnet mappings forces a new network load balancer. Adding
 * mappings is done in place; removing, swapping or re-mapping one (another subnet, another Elastic IP) is not.
 */
export function mappingsForceNew(before: readonly SubnetMapping[], after: readonly SubnetMapping[]): boolean {
    const old = new Set(before.map(mappingKey));
    const next = new Set(after.map(mappingKey));
    if (old.size === next.size && [...old].every((k) => next.has(k))) return false;
    if (next.size <= old.size) return true;
    return ![...old].every((k) => next.has(k));
}
