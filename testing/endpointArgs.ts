/**
 * Arguments for a DatabaseEndpoint in the mock cloud's example account (testing/mockCloud.ts): its VPC, two
 * of its public subnets, its RDS instance `prod-postgres`, and one allowed range.
 */
import type { DatabaseEndpointArgs } from "../infra/components/databaseEndpoint";

export const VPC = "vpc-0a1b2c3d4e5f60718";
export const SUBNETS = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"];

/** An endpoint for `prod-postgres` open to 203.0.113.0/24, with `extra` laid over it. */
export function endpointArgs(extra: Partial<DatabaseEndpointArgs> = {}) {
    return {
        vpcId: VPC,
        subnetIds: SUBNETS,
        database: { rdsInstanceIdentifier: "prod-postgres" },
        allowedCidrs: ["203.0.113.0/24"],
        ...extra,
    };
}
