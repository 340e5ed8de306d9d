// A C# Pulumi program that declares one public database endpoint with the db-endpoints component package.
//
// The classes below come from the SDK that `pulumi package add` (or `pulumi install`, which reads the
// `packages` entry of Pulumi.yaml) generates into sdks/db-endpoints from the package schema; the endpoint itself
// runs in the package's Node.js plugin, so it validates and builds exactly what a TypeScript program gets.
// Steps from `pulumi package add` to `pulumi up`: README.md, "Using the components from C# (and YAML, Python, Go)".
using System.Collections.Generic;
using Pulumi;
using Pulumi.DbEndpoints;
using Pulumi.DbEndpoints.Inputs;
using Aws = Pulumi.Aws;

return await Deployment.RunAsync(() =>
{
    var config = new Config();

    // Plain inputs (SubnetIds, AllowedCidrs) decide how many AWS resources exist, so they must be known when
    // the endpoint is declared: they are List<string> in C#, not Input<...>, and come from stack config here.
    var publicSubnetIds = config.RequireObject<List<string>>("publicSubnetIds");
    var allowedCidrs = config.RequireObject<List<string>>("allowedCidrs");

    // Inputs (VpcId, Database.RdsInstanceIdentifier, ...) may be outputs of other resources or lookups.
    var vpcId = Aws.Ec2.GetSubnet.Invoke(new Aws.Ec2.GetSubnetInvokeArgs { Id = publicSubnetIds[0] })
        .Apply(subnet => subnet.VpcId);

    var reporting = new DatabaseEndpoint("reporting", new DatabaseEndpointArgs
    {
        VpcId = vpcId,
        SubnetIds = publicSubnetIds,
        // The schema type is DatabaseTarget; the C# generator adds "Args" to every input type's name.
        Database = new DatabaseTargetArgs
        {
            RdsInstanceIdentifier = config.Require("rdsInstanceIdentifier"),
        },
        AllowedCidrs = allowedCidrs,
        IdleTimeoutSeconds = 3600,
        Tags =
        {
            { "team", "data-platform" },
        },
    });

    return new Dictionary<string, object?>
    {
        ["hostname"] = reporting.Hostname,
        ["port"] = reporting.Port,
        ["allowedCidrs"] = reporting.AllowedCidrs,
        ["securityGroupIds"] = reporting.SecurityGroupIds,
        // What a client needs to verify the RDS certificate: connect to the endpoint, verify this name.
        ["rdsAddress"] = reporting.RdsAddress,
        ["rdsCaCertIdentifier"] = reporting.RdsCaCertIdentifier,
    };
});
