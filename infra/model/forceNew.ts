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
};

/**
 * The types whose replacement makes a dependent's ForceNew input new (the input is taken from their output): a
 * listener's load balancer, an attachment's target group, a rule's security group, a certificate's request and CA.
 */
export const FORCE_NEW_FROM: Readonly<Record<string, readonly string[]>> = {
    [TYPES.listener]: [TYPES.loadBalancer],
    [TYPES.attachment]: [TYPES.targetGroup],
    [TYPES.ingressRule]: [TYPES.securityGroup],
    [TYPES.egressRule]: [TYPES.securityGroup],
    [TYPES.certRequest]: [TYPES.privateKey],
    [TYPES.locallySignedCert]: [TYPES.certRequest, TYPES.selfSignedCert, TYPES.privateKey],
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
