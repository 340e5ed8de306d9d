/**
 * The one home of the unit prices the cost estimate uses: AWS's on-demand prices in US East (N. Virginia), as
 * published on AWS's pricing pages, checked on `checkedOn`. Other regions differ by a few percent; data transfer
 * out to the internet, which depends on the traffic, is not estimated; nor is the account's free tier (10 alarms,
 * 10 custom metrics, 5 GB of logs, a million Lambda requests a month), which is the account's, not a stack's.
 * Update the figures and the date together.
 */
export const PRICES = {
    region: "us-east-1",
    currency: "USD",
    checkedOn: "2026-12-06",
    /** A Network Load Balancer, per hour or partial hour it runs (https://aws.amazon.com/elasticloadbalancing/pricing/). */
    networkLoadBalancerHour: 0.0225,
    /**
     * A Network Load Balancer Capacity Unit, per NLCU-hour. For TCP one NLCU is 800 new flows per second, 100,000
     * active flows, or 1 GB processed in the hour, whichever dimension is highest (same page).
     */
    nlcuHour: 0.006,
    /**
     * A public IPv4 address, per hour, in use or idle, since 2024-02-01: an internet-facing load balancer has one per
     * Availability Zone, and an Elastic IP attached to it is billed the same as the address it replaces
     * (https://aws.amazon.com/vpc/pricing/, "Public IPv4 Address").
     */
    publicIpv4AddressHour: 0.005,
    /**
     * A CloudWatch custom metric (the first 10,000), per month, prorated by the hour: a metric is charged only for
     * the hours in which it receives data (https://aws.amazon.com/cloudwatch/pricing/, "Metrics").
     */
    customMetricMonth: 0.3,
    /** A standard-resolution CloudWatch alarm on one metric, per month (same page, "Alarms"). */
    standardAlarmMonth: 0.1,
    /** CloudWatch Logs ingestion (standard log class), per GB (same page, "Logs"). */
    logsIngestedGb: 0.5,
    /** CloudWatch Logs storage, per GB-month (same page). */
    logsStoredGbMonth: 0.03,
    /** Lambda requests, per million (https://aws.amazon.com/lambda/pricing/). */
    lambdaRequestsMillion: 0.2,
    /** Lambda duration on arm64, per GB-second (same page, the first tier). */
    lambdaArmGbSecond: 0.0000133334,
    /** AWS's hours in a month for monthly figures. */
    hoursPerMonth: 730,
} as const;

/**
 * The capacity the estimate assumes an endpoint uses, on average, in NLCUs: a light database endpoint (about
 * 100 MB processed an hour, a few hundred open connections). Processed bytes add up across the endpoints of a
 * shared load balancer, so the assumption is per endpoint whichever load balancer it is on.
 */
export const ASSUMED_NLCU_PER_ENDPOINT = 0.1;

// --- Connection audit (VPC flow logs in CloudWatch Logs) --------------------------------------------------------

/**
 * What the connection audit's logs cost, us-east-1, checked with `PRICES.checkedOn`
 * (https://aws.amazon.com/cloudwatch/pricing/, "Vended Logs" and "Logs"): flow logs delivered to CloudWatch Logs are
 * vended logs, whose ingestion is priced per GB in tiers (the first 10 TB a month below); storage is per GB-month
 * of what the retention keeps (compressed, so the figure is an upper bound); Logs Insights charges per GB a query scans.
 */
export const AUDIT_LOG_PRICES = {
    /** Vended-log ingestion into CloudWatch Logs, per GB, first 10 TB a month. */
    vendedIngestionGb: 0.5,
    /** CloudWatch Logs storage, per GB-month. */
    storageGbMonth: 0.03,
    /** Logs Insights, per GB scanned by a query. */
    insightsScannedGb: 0.005,
    /** The size of one record of the flow logs' format (15 fields), bytes: an assumption for the estimates. */
    flowLogRecordBytes: 130,
} as const;
