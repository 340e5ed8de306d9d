// A C# Pulumi program that declares the whole db-endpoints product with one component, DatabaseEndpoints:
// an RDS PostgreSQL endpoint with an integration's least-privileged user, a self-managed MySQL endpoint with a
// server certificate from the stack's CA, two self-managed PostgreSQL endpoints on one shared load balancer,
// target sync for the RDS endpoint, alarms that notify an on-call topic, and every output the stack config
// version of the product exports.
//
// The classes below come from the SDK that `pulumi package add` (or `pulumi install`, which reads the
// `packages` entry of Pulumi.yaml) generates into sdks/db-endpoints from the package schema; the component runs
// in the package's Node.js plugin, so it validates and builds exactly what the stack config gets. Its args use
// the stack config's names (docs/configuration.md); steps from `pulumi package add` to `pulumi up`: docs/csharp.md.
using System.Collections.Generic;
using Pulumi;
using Pulumi.DbEndpoints;
using Pulumi.DbEndpoints.Inputs;
using Aws = Pulumi.Aws;

return await Deployment.RunAsync(() =>
{
    var config = new Config();

    // Plain inputs (PublicSubnetIds, the endpoints and their allowlists) decide how many AWS resources exist, so
    // they must be known when the component is declared: List<string> in C#, from stack config here.
    var publicSubnetIds = config.RequireObject<List<string>>("publicSubnetIds");
    var officeCidrs = config.RequireObject<List<string>>("allowedCidrs");

    // VpcId may be an output of another resource or a lookup: it is checked when it resolves.
    var vpcId = Aws.Ec2.GetSubnet.Invoke(new Aws.Ec2.GetSubnetInvokeArgs { Id = publicSubnetIds[0] })
        .Apply(subnet => subnet.VpcId);

    var product = new DatabaseEndpoints("db-endpoints", new DatabaseEndpointsArgs
    {
        VpcId = vpcId,
        PublicSubnetIds = publicSubnetIds,
        Tags =
        {
            { "team", "data-platform" },
        },
        // RDS endpoints' targets follow the instance's address after a failover (the default).
        TargetSync = true,
        CertificateAuthority = new CertificateAuthoritySettingsArgs
        {
            Generations = { 1 },
            Issuer = 1,
        },
        // Alarms (on by default): no healthy target, target sync failing, certificates nearing expiry. They notify an
        // existing SNS topic and the addresses subscribed to a topic the stack creates (docs/alarms.md).
        Alarms = new AlarmSettingsArgs
        {
            SnsTopicArn = config.Require("alarmTopicArn"),
            Emails = { "oncall@example.com" },
            CertificateExpiryDays = 30,
        },
        Endpoints =
        {
            // An RDS PostgreSQL instance; a vendor's BI tool gets a read-only user, created through the endpoint
            // with the RDS-managed master secret.
            new EndpointSettingsArgs
            {
                Name = "reporting",
                Database = new EndpointDatabaseArgs
                {
                    RdsInstanceIdentifier = config.Require("rdsInstanceIdentifier"),
                    Restart = RdsRestartPolicy.WhenPending,
                    AdminSecretArn = config.Require("adminSecretArn"),
                    // AWS's RDS CA bundle on the deployer's machine (no system trust store has it).
                    AdminSslRootCert = "global-bundle.pem",
                },
                AllowedCidrs = officeCidrs,
                // A vendor's trial, admitted until 2027-06-30 begins in UTC (its rule is revoked then, without a
                // deployment), and the ranges another team keeps in an EC2 managed prefix list.
                Allowlist =
                {
                    new AllowlistEntryArgs { Cidr = "198.51.100.64/27", Expires = "2027-06-30", Note = "Acme BI trial, ticket OPS-1234" },
                    new AllowlistEntryArgs { PrefixList = "pl-0123456789abcdef0", Note = "partner egress, kept by the network team" },
                },
                Integrations =
                {
                    new IntegrationSettingsArgs
                    {
                        Name = "metabase",
                        Access = IntegrationAccess.Read,
                        Schemas = { "public" },
                        Tables = { "orders", "customers" },
                    },
                },
            },
            // MySQL on EC2: its certificate, signed by the stack's CA, is installed over SSM after each (re)issue.
            new EndpointSettingsArgs
            {
                Name = "legacy-mysql",
                Database = new EndpointDatabaseArgs
                {
                    Addresses = { "10.0.3.17" },
                    Port = 3306,
                    Engine = DatabaseEngine.Mysql,
                    Hostname = "legacy-mysql.internal.example.com",
                    InstanceIds = { "i-0a1b2c3d4e5f60718" },
                },
                AllowedCidrs = { "198.51.100.7/32" },
                IdleTimeoutSeconds = 6000,
            },
            // Two small PostgreSQL databases on one shared load balancer, "shared": one NLB (and its hourly and
            // public IPv4 cost) for both, each endpoint on its own port with its own allowlist, admitted on that
            // port only. Endpoints of a shared load balancer agree on ElasticIps, IpAddressType and DeletionProtection.
            new EndpointSettingsArgs
            {
                Name = "orders",
                LoadBalancer = "shared",
                Port = 5433,
                Database = new EndpointDatabaseArgs
                {
                    Addresses = { "10.0.4.21" },
                    Port = 5432,
                    Engine = DatabaseEngine.Postgres,
                    SecurityGroupId = "sg-0a1b2c3d4e5f60718",
                },
                AllowedCidrs = { "203.0.113.0/24" },
            },
            new EndpointSettingsArgs
            {
                Name = "inventory",
                LoadBalancer = "shared",
                Port = 5434,
                Database = new EndpointDatabaseArgs
                {
                    Addresses = { "10.0.4.22" },
                    Port = 5432,
                    Engine = DatabaseEngine.Postgres,
                    SecurityGroupId = "sg-0a1b2c3d4e5f60718",
                },
                AllowedCidrs = { "198.51.100.7/32" },
            },
        },
    });

    return new Dictionary<string, object?>
    {
        // The same outputs as the stack config version: pulumi stack output tls, caCertificate, ...
        ["endpoints"] = product.Endpoints,
        ["tls"] = product.Tls,
        ["caCertificate"] = product.CaCertificate,
        ["certificateAuthority"] = product.CertificateAuthority,
        ["certificates"] = product.Certificates,
        ["integrations"] = product.Integrations,
        ["targetSync"] = product.TargetSync,
        ["upkeep"] = product.Upkeep,
        ["alarms"] = product.Alarms,
    };
});
