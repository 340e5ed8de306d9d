/**
 * The one home of the unit prices the cost estimate uses: AWS's on-demand prices in US East (N. Virginia), as
 * published on AWS's pricing pages, checked on `checkedOn`. Other regions differ by a few percent; data transfer
 * out to the internet, which depends on the traffic, is not estimated. Update the figures and the date together.
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
    /** AWS's hours in a month for monthly figures. */
    hoursPerMonth: 730,
} as const;

/**
 * The capacity the estimate assumes an endpoint uses, on average, in NLCUs: a light database endpoint (about
 * 100 MB processed an hour, a few hundred open connections). Processed bytes add up across the endpoints of a
 * shared load balancer, so the assumption is per endpoint whichever load balancer it is on.
 */
export const ASSUMED_NLCU_PER_ENDPOINT = 0.1;
