/**
 * The health of an endpoint's targets as the load balancer sees them (ELBv2 `DescribeTargetHealth`): the
 * load balancer sends new connections only to healthy targets, so none healthy means the endpoint serves
 * nothing, whatever a single connection from here showed.
 */
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describeAwsError } from "../awsErrors";
import type { Finding } from "./certificates";

/** `10.0.3.17:5432 unhealthy (Target.FailedHealthChecks: Health checks failed)`. */
export function describeTarget(d: TargetHealthDescription): string {
    const id = d.Target?.Id ?? "(unknown target)";
    const where = d.Target?.Port !== undefined ? `${id}:${d.Target.Port}` : id;
    const state = d.TargetHealth?.State ?? "unknown";
    const reason = d.TargetHealth?.Reason;
    const description = d.TargetHealth?.Description;
    const detail = reason && description ? `${reason}: ${description}` : (reason ?? description);
    return `${where} ${state}${detail ? ` (${detail})` : ""}`;
}

/** The region of an ARN (`arn:aws:elasticloadbalancing:us-east-1:...`), or undefined. */
export function regionOfArn(arn: string): string | undefined {
    const region = arn.split(":")[3];
    return region ? region : undefined;
}

/**
 * Passes when at least one target is healthy (warning about the others), fails when none is, naming every
 * target's state and reason as AWS reports them, or AWS's refusal.
 */
export async function checkTargetHealth(client: ElasticLoadBalancingV2Client, targetGroupArn: string): Promise<Finding> {
    let targets: TargetHealthDescription[];
    try {
        targets = (await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ?? [];
    } catch (e) {
        return {
            status: "fail",
            message: `cannot read the health of target group ${targetGroupArn} (${describeAwsError(e)}); the caller needs elasticloadbalancing:DescribeTargetHealth`,
        };
    }
    const states = targets.map(describeTarget);
    const details = { targetGroupArn, targets: targets.map((d) => ({ id: d.Target?.Id, port: d.Target?.Port, state: d.TargetHealth?.State, reason: d.TargetHealth?.Reason })) };
    const healthy = targets.filter((d) => d.TargetHealth?.State === "healthy");
    if (targets.length === 0) {
        return { status: "fail", message: `no target is registered in ${targetGroupArn}: the endpoint sends connections nowhere (RDS: check target sync, docs/target-sync.md)`, details };
    }
    if (healthy.length === 0) {
        return {
            status: "fail",
            message: `no healthy target: ${states.join("; ")}; the database's security group must admit the endpoint's (securityGroupIds[0]) on its port, and the database must listen there`,
            details,
        };
    }
    const text = `${healthy.length} of ${targets.length} target${targets.length === 1 ? "" : "s"} healthy: ${states.join("; ")}`;
    return { status: healthy.length === targets.length ? "pass" : "warn", message: text, details };
}
