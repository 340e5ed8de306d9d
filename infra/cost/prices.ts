/**
 * The one home of the unit prices and assumptions the cost estimate uses: AWS's on-demand prices in US East
 * (N. Virginia), as published on AWS's pricing pages, checked on `checkedOn`. Other regions differ by a few
 * percent; data transfer out to the internet, which depends on the traffic, is not estimated. Free tiers are not
 * deducted (10 alarms, 10 custom metrics, 5 GB of logs, a million Lambda requests a month): they are per account,
 * shared with everything else in it. Update the figures and the date together.
 */
export const PRICES = {
    region: "us-east-1",
    currency: "USD",
    checkedOn: "2026-12-06",
    /** AWS's hours in a month for monthly figures. */
    hoursPerMonth: 730,

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
     * A Secrets Manager secret, per month (prorated by the hour for part of a month); API calls are $0.05 per 10,000,
     * made here only by deployments and by the clients that read a secret (https://aws.amazon.com/secrets-manager/pricing/).
     */
    secretMonth: 0.4,

    /**
     * A CloudWatch alarm, per alarm metric and month: standard resolution (a period of 60 seconds or more), high
     * resolution (10 or 30 seconds), and a composite alarm (https://aws.amazon.com/cloudwatch/pricing/, "Alarms").
     */
    alarmMetricMonth: 0.1,
    highResolutionAlarmMetricMonth: 0.3,
    compositeAlarmMonth: 0.5,
    /**
     * A CloudWatch custom metric (the first 10,000), per month, prorated by the hour: a metric is charged only for
     * the hours in which it receives data (same page, "Metrics").
     */
    customMetricMonth: 0.3,
    /** CloudWatch Logs, standard class: ingestion per GB, and storage per GB-month (same page, "Logs"). */
    logIngestionGb: 0.5,
    logStorageGbMonth: 0.03,
    /**
     * Vended logs (VPC flow logs delivered to CloudWatch Logs): ingestion per GB, the first 10 TB a month (same page,
     * "Vended Logs"); stored like any log. Logs Insights: per GB a query scans.
     */
    vendedLogIngestionGb: 0.5,
    logsInsightsScannedGb: 0.005,

    /**
     * AWS Lambda: per request, and per GB-second of duration by architecture, the first tier
     * (https://aws.amazon.com/lambda/pricing/). Duration includes the function's initialisation.
     */
    lambdaRequest: 0.2 / 1_000_000,
    lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 } as Readonly<Record<string, number>>,

    /**
     * Amazon SNS, standard topic: per publish request, and per notification delivered by email
     * (https://aws.amazon.com/sns/pricing/: $0.50 per million requests, $2.00 per 100,000 email notifications).
     */
    snsRequest: 0.5 / 1_000_000,
    snsEmailNotification: 2 / 100_000,
} as const;

/**
 * What the estimate assumes of how the stack is used, where its cost depends on use rather than on what it
 * creates. Each is a light, steady use in a month without incident; heavy traffic costs more NLCUs and more flow-log
 * records, and data transfer is not estimated.
 */
export const ASSUMPTIONS = {
    /**
     * The capacity an endpoint uses, on average, in NLCUs: a light database endpoint (about 100 MB processed an
     * hour, a few hundred open connections). Processed bytes add up across the endpoints of a shared load balancer,
     * so the assumption is per endpoint whichever load balancer it is on.
     */
    nlcuPerEndpoint: 0.1,
    /**
     * Billed duration of one scheduled run of a function, seconds: a reconciliation is a DNS lookup and an ELB
     * call or two per target group (milliseconds each, `npm run bench`), plus the occasional cold start.
     */
    functionRunSeconds: 0.5,
    /**
     * Log written by one scheduled run of a function besides its metric records, bytes: Lambda's START, END and
     * REPORT lines (about 350) and a summary line per duty (about 300 each).
     */
    functionLogBytesPerRun: 1024,
    /**
     * One embedded-metric-format record, bytes: what a function writes to its log for a metric it publishes on every
     * run (a certificate's `DaysToExpiry`, with its dimensions and fields).
     */
    metricRecordBytes: 450,
    /** Notifications an SNS topic publishes in a month (alarm state changes: a few a day). */
    notificationsPerTopicMonth: 100,
    /**
     * Hours a month in which a custom metric written only when something is wrong (a failed sync, a rule that could
     * not be revoked) receives data: none in a month without incident. Each such hour costs `customMetricMonth /
     * hoursPerMonth` per metric.
     */
    incidentMetricHoursPerMonth: 0,
    /** The size of one record of the connection audit's flow-log format (15 fields), bytes. */
    flowLogRecordBytes: 130,
    /**
     * Rejected records a minute on each network interface of an internet-facing load balancer, from the internet's
     * scans of its public address (about 7 a minute for a load balancer in two zones).
     */
    flowLogScanRecordsPerInterfaceMinute: 3.5,
    /**
     * Records a minute of an endpoint's client traffic: one connection carrying traffic all the time, a record each
     * way on the client side and on the database side.
     */
    flowLogTrafficRecordsPerEndpointMinute: 4,
    /**
     * Targets of a target group that has no attachment in the stack: something else registers them (target sync
     * registers an RDS instance's one address).
     */
    targetsPerUnattachedGroup: 1,
} as const;
