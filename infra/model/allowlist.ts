/**
 * Turns an endpoint's allowlist into security-group ingress rules: parsing, de-duplication, the
 * public-internet opt-in, and spreading the rules over as many security groups as the quotas need.
 */
import {
    addressSpaceSize,
    CidrError,
    cidrSize,
    ipv4EmbeddingRanges,
    isWholeInternet,
    nonPublicRange,
    parseCidr,
    ParsedCidr,
    unionSize,
} from "../net/ip";
import { IpAddressType } from "../enums";
import { isPlainObject, join, Problems, show } from "../validation";
import { ALLOWLIST_EXPIRY_WARNING_DAYS, ALLOWLIST_NOTE, DEFAULT_QUOTAS, QUOTA_LIMITS, WIDEST_PREFIX } from "./limits";

/** AWS quotas that bound one endpoint's allowlist (both adjustable in Service Quotas). */
export interface AllowlistQuotas {
    /** Inbound rules per security group, counted separately for IPv4 and IPv6 (AWS default 60). */
    rulesPerSecurityGroup: number;
    /** Security groups per network interface, and so per NLB (AWS default 5). */
    securityGroupsPerLoadBalancer: number;
}


/** The stack's AWS quotas: the allowlist's, and the Elastic IPs every endpoint with `elasticIps` takes from the region. */
export interface StackQuotas extends AllowlistQuotas {
    /**
     * Elastic IPs the stack may allocate in its region (AWS default quota 5 per region, adjustable). Each endpoint with
     * Elastic IPs takes one per public subnet, and addresses allocated outside this stack count against the same quota.
     */
    elasticIpsPerRegion: number;
}



/** A CIDR of the allowlist, as its ingress rule admits it. */
export interface AllowlistRule {
    cidr: string;
    family: "ipv4" | "ipv6";
    /** When the entry stops admitting (an instant, ISO 8601 UTC: `2027-02-01T00:00:00Z`); absent: never. */
    expires?: string;
    /** Free text about the entry (who it is for, a ticket), carried into its rule's description and tags. */
    note?: string;
    /** Present when the entry has expired: it keeps its place in the spread, but no rule is deployed for it. */
    expired?: true;
}

/** An EC2 managed prefix list of the allowlist: one ingress rule that references it. */
export interface PrefixListRule {
    /** The prefix list's ID, `pl-...`. */
    prefixList: string;
    /** The entry's path (`allowlist[2]`, `endpoints[0].allowlist[1]`), for the problems found at deployment. */
    path: string;
    expires?: string;
    note?: string;
    expired?: true;
}

/** What an allowlist admits: its CIDR rules, and its prefix lists (whose contents and size AWS knows). */
export interface Allowlist {
    rules: AllowlistRule[];
    prefixLists: PrefixListRule[];
}

/** The clock an allowlist's expiry is read against, and how far ahead an expiry is warned about. */
export interface AllowlistTiming {
    /** Milliseconds since the epoch. */
    now: number;
    expiryWarningDays: number;
}

/**
 * The time allowlist entries' expiry is compared with when the program runs, in milliseconds since the epoch.
 * Tests pin it.
 */
export const allowlistClock: { now: () => number } = { now: () => Date.now() };

/** The timing of a program run: the clock now, and the default warning window. */
export function currentTiming(expiryWarningDays: number = ALLOWLIST_EXPIRY_WARNING_DAYS.default): AllowlistTiming {
    return { now: allowlistClock.now(), expiryWarningDays };
}

/** The tag an expiring entry's rule carries: when it stops admitting, ISO 8601 UTC. The scheduled revocation reads it. */
export const EXPIRES_TAG = "db-endpoints:expires";
/** The tag that carries an entry's note. */
export const NOTE_TAG = "db-endpoints:note";

/** A prefix list ID: `pl-` and 8 or 17 hexadecimal digits. */
const PREFIX_LIST_ID = /^pl-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

const DAY_MS = 86_400_000;

/**
 * An entry's `expires`: an ISO 8601 date, or a date-time with its UTC offset. A date ends access as that day
 * begins in UTC (`2027-02-01` admits until `2027-01-31T23:59:59Z`, and not from `2027-02-01T00:00:00Z` on), so
 * the instant is the same wherever the program runs. A date-time is that instant; fractions of a second are
 * dropped (access ends up to a second earlier, never later). Returns the instant as `YYYY-MM-DDTHH:MM:SSZ`.
 */
export function parseExpiry(value: unknown): { instant: string; ms: number } | { error: string } {
    const expected =
        "is not an ISO 8601 date (\"2027-02-01\", access ends as that day begins in UTC) or date-time with its UTC offset " +
        "(\"2027-02-01T17:00:00Z\", \"2027-02-01T09:00:00-08:00\")";
    if (typeof value !== "string") return { error: `${show(value)} ${expected}` };
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(value);
    if (!m) {
        const localTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(value);
        return { error: `${show(value)} ${expected}${localTime ? "; a time without an offset would mean a different instant on every deployer's machine" : ""}` };
    }
    const [, y, mo, d, h = "00", mi = "00", sec = "00", offset = "Z"] = m;
    const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
    const check = new Date(local);
    if (
        check.getUTCFullYear() !== Number(y) ||
        check.getUTCMonth() !== Number(mo) - 1 ||
        check.getUTCDate() !== Number(d) ||
        Number(h) > 23 ||
        Number(mi) > 59 ||
        Number(sec) > 59
    ) {
        return { error: `${show(value)} is not a real date and time` };
    }
    let ms = local;
    if (offset !== "Z") {
        const sign = offset[0] === "-" ? -1 : 1;
        const [oh, om] = offset.slice(1).split(":").map(Number);
        if (oh > 23 || om > 59) return { error: `${show(value)} has an impossible UTC offset ${offset}` };
        ms -= sign * (oh * 60 + om) * 60_000;
    }
    return { instant: new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"), ms };
}

/** How long until `ms`, for a warning: "in 3 days", "in 5 hours", "within the hour". */
function until(ms: number, now: number): string {
    const left = ms - now;
    if (left >= 2 * DAY_MS) return `in ${Math.floor(left / DAY_MS)} days`;
    if (left >= 2 * 3_600_000) return `in ${Math.floor(left / 3_600_000)} hours`;
    return "within the next two hours";
}

/** An allowlist entry as read: where it was written, and what it says. */
interface EntryItem {
    /** Its path: `allowedCidrs[1]`, `allowlist[0]`. */
    at: string;
    /** The path of its CIDR (the entry itself when written as a plain string). */
    cidrPath: string;
    cidr?: string;
    prefixList?: string;
    expires?: { instant: string; ms: number };
    note?: string;
    /** How the entry is named in messages: its CIDR or prefix list, as written. */
    label: string;
}

/** A plain-string entry of `allowedCidrs`. */
function readCidrString(problems: Problems, at: string, entry: unknown): EntryItem | undefined {
    if (typeof entry === "string") return { at, cidrPath: at, cidr: entry, label: show(entry) };
    if (isPlainObject(entry)) {
        problems.error(at, `${show(entry)} is not a CIDR or IP address (allowedCidrs holds strings; an entry with cidr, prefixList, expires or note belongs in allowlist)`);
    } else {
        problems.error(at, `${show(entry)} is not a CIDR or IP address (write it as a string)`);
    }
    return undefined;
}

/** An entry of `allowlist`: `{cidr | prefixList, expires?, note?}`. */
function readEntryObject(problems: Problems, at: string, entry: unknown): EntryItem | undefined {
    if (!isPlainObject(entry)) {
        problems.error(at, `${show(entry)} is not an allowlist entry (a map with cidr or prefixList, and optionally expires and note)`);
        return undefined;
    }
    const errorsBefore = problems.errors.length;
    const hasCidr = entry.cidr !== undefined && entry.cidr !== null;
    const hasList = entry.prefixList !== undefined && entry.prefixList !== null;
    if (hasCidr && hasList) problems.error(at, "sets both cidr and prefixList; an entry admits one CIDR or one prefix list, so split it into two entries");
    if (!hasCidr && !hasList) problems.error(at, "sets neither cidr nor prefixList; set one of them (the addresses this entry admits)");
    if (hasCidr && typeof entry.cidr !== "string") problems.error(join(at, "cidr"), `${show(entry.cidr)} is not a CIDR or IP address (write it as a string)`);
    if (hasList && (typeof entry.prefixList !== "string" || !PREFIX_LIST_ID.test(entry.prefixList))) {
        problems.error(join(at, "prefixList"), `${show(entry.prefixList)} is not a managed prefix list ID (such as "pl-0123456789abcdef0")`);
    }
    let expires: EntryItem["expires"];
    if (entry.expires !== undefined && entry.expires !== null) {
        const parsed = parseExpiry(entry.expires);
        if ("error" in parsed) problems.error(join(at, "expires"), parsed.error);
        else expires = parsed;
    }
    let note: string | undefined;
    if (entry.note !== undefined && entry.note !== null) {
        if (typeof entry.note !== "string" || entry.note.length > ALLOWLIST_NOTE.maxLength || !ALLOWLIST_NOTE.pattern.test(entry.note)) {
            problems.error(
                join(at, "note"),
                `${show(entry.note)} is not a note AWS accepts in a rule's description: at most ${ALLOWLIST_NOTE.maxLength} ${ALLOWLIST_NOTE.characters}`,
            );
        } else if (entry.note.trim() !== "") {
            note = entry.note.trim();
        }
    }
    if (problems.errors.length > errorsBefore) return undefined;
    return hasCidr
        ? { at, cidrPath: join(at, "cidr"), cidr: entry.cidr as string, expires, note, label: show(entry.cidr) }
        : { at, cidrPath: join(at, "prefixList"), prefixList: entry.prefixList as string, expires, note, label: `prefix list ${show(entry.prefixList)}` };
}

/**
 * The rules the width guard applies to one CIDR, wherever it comes from (an entry, or a prefix list's contents at
 * deployment): an error message when it is refused, a warning when it is in a range the internet never shows.
 */
export function guardCidr(label: string, parsed: ParsedCidr, publicInternetPath: string): { error?: string; warning?: string } {
    if (isWholeInternet(parsed)) {
        return { error: `${label} opens the endpoint to the whole internet; set ${publicInternetPath}: true to do that on purpose` };
    }
    const widest = WIDEST_PREFIX[parsed.family];
    if (parsed.prefix < widest) {
        // A few short prefixes add up to the whole internet (0.0.0.0/1 + 128.0.0.0/1): refused like 0.0.0.0/0.
        return {
            error:
                `${label} is wider than /${widest}, a sizeable share of the whole ${parsed.family === "ipv4" ? "IPv4" : "IPv6"} internet; ` +
                `list narrower ranges, or set ${publicInternetPath}: true to open the endpoint to everyone on purpose`,
        };
    }
    const embedding = ipv4EmbeddingRanges(parsed);
    if (embedding.length > 0) {
        // Through a translator or relay, any IPv4 host can arrive with a source address in these ranges.
        const where = embedding.map((r) => `${parsed.prefix >= r.prefix ? "is in" : "contains"} ${r.cidr}, the ${r.label} range`).join(" and ");
        return {
            error:
                `${label} ${where}, whose addresses embed IPv4 addresses: through a translator or relay they can stand for ` +
                `any IPv4 host, so the entry would admit IPv4 space the allowlist does not show; ` +
                `list the IPv4 addresses themselves, or native IPv6 ranges that leave ${embedding.length === 1 ? "it" : "them"} out`,
        };
    }
    const range = nonPublicRange(parsed);
    if (range) return { warning: `${label} is in ${article(range)} ${range} range; an internet-facing load balancer never sees such source addresses` };
    return {};
}

/**
 * The whole allowlist, per address family, may cover at most as many addresses as one {@link WIDEST_PREFIX}
 * network without the public-internet opt-in. `what` names the CIDRs counted ("entries", "entries and prefix lists").
 */
export function checkCoverage(problems: Problems, path: string, cidrs: ParsedCidr[], publicInternetPath: string, what = "entries"): void {
    for (const family of ["ipv4", "ipv6"] as const) {
        const covered = unionSize(cidrs.filter((c) => c.family === family));
        const bound = cidrSize({ family, prefix: WIDEST_PREFIX[family] });
        if (covered > bound) {
            const space = addressSpaceSize(family);
            const name = family === "ipv4" ? "IPv4" : "IPv6";
            const bits = family === "ipv4" ? 32 : 128;
            problems.error(
                path,
                `the ${name} ${what} together cover ${covered} addresses (${percent(covered, space)} of the ${name} address space), ` +
                    `more than the 2^${bits - WIDEST_PREFIX[family]} of one /${WIDEST_PREFIX[family]} that an allowlist may cover without ${publicInternetPath}; ` +
                    `list narrower ranges, or set ${publicInternetPath}: true to open the endpoint to everyone on purpose`,
            );
        }
    }
}

/**
 * Validates and normalises an allowlist of plain CIDR strings (see {@link readAllowlist}); returns its CIDR rules.
 */
export function normalizeAllowlist(
    problems: Problems,
    path: string,
    entries: unknown[] | undefined,
    allowPublicInternet: boolean,
    publicInternetPath: string,
    quotas: AllowlistQuotas,
    timing: AllowlistTiming = currentTiming(),
): AllowlistRule[] {
    return readAllowlist(problems, path, entries, undefined, allowPublicInternet, publicInternetPath, quotas, timing).rules;
}

/**
 * Validates and normalises an allowlist: `allowedCidrs` (plain CIDR strings, at `path`) and then `allowlist`
 * (entries `{cidr | prefixList, expires, note}`, at `entriesPath`). Errors: entries that are not CIDRs or prefix
 * list IDs, whole-internet entries and entries wider than {@link WIDEST_PREFIX} (those need `allowPublicInternet`),
 * entries that overlap a range whose addresses embed IPv4 addresses (6to4, NAT64, IPv4-mapped, Teredo, ...),
 * entries that together cover more addresses than one {@link WIDEST_PREFIX} network without the opt-in, bad
 * `expires` or `note`, an empty allowlist without the opt-in, more rules than one NLB can carry. Warnings: ranges
 * that are not globally reachable, duplicates, entries made redundant by the opt-in, entries that have expired
 * (not deployed) or expire within `timing.expiryWarningDays`, and an allowlist whose entries have all expired (the
 * endpoint is then closed: no rule admits anybody).
 *
 * Every written entry counts in the checks and keeps its place in the spread, expired or not, so that an entry's
 * expiry never moves another rule, changes the load balancer's address families or turns a valid allowlist
 * invalid. Returns the CIDR rules (input order, duplicates removed; expired ones flagged) and the prefix lists.
 */
export function readAllowlist(
    problems: Problems,
    path: string,
    cidrs: unknown[] | undefined,
    entries: { path: string; list: unknown[] | undefined } | undefined,
    allowPublicInternet: boolean,
    publicInternetPath: string,
    quotas: AllowlistQuotas,
    timing: AllowlistTiming,
): Allowlist {
    // In the order written, so that every problem is reported where a reader meets it.
    const readers: (() => EntryItem | undefined)[] = [
        ...(cidrs ?? []).map((entry, i) => () => readCidrString(problems, join(path, i), entry)),
        ...(entries?.list ?? []).map((entry, i) => () => readEntryObject(problems, join(entries!.path, i), entry)),
    ];
    const written = readers.length;

    const seen = new Map<string, string>();
    const rules: AllowlistRule[] = [];
    const prefixLists: PrefixListRule[] = [];
    let expiredCount = 0;
    for (const read of readers) {
        const item = read();
        if (!item) continue;
        let key: string;
        let family: "ipv4" | "ipv6" | undefined;
        let cidr: string | undefined;
        if (item.cidr !== undefined) {
            let parsed: ParsedCidr;
            try {
                parsed = parseCidr(item.cidr);
            } catch (e) {
                if (e instanceof CidrError) {
                    problems.error(item.cidrPath, `${show(item.cidr)} ${e.message}`);
                    continue;
                }
                throw e;
            }
            const verdict = guardCidr(show(item.cidr), parsed, publicInternetPath);
            if (verdict.error) {
                problems.error(item.cidrPath, verdict.error);
                continue;
            }
            if (verdict.warning) problems.warn(item.cidrPath, verdict.warning);
            key = parsed.cidr;
            family = parsed.family;
            cidr = parsed.cidr;
        } else {
            key = item.prefixList!;
        }
        const earlier = seen.get(key);
        if (earlier !== undefined) {
            problems.warn(item.at, `${item.label} duplicates ${earlier}; one rule is created`);
            continue;
        }
        seen.set(key, item.at);
        const expired = item.expires !== undefined && item.expires.ms <= timing.now;
        if (item.expires && !allowPublicInternet) {
            if (expired) {
                expiredCount++;
                problems.warn(
                    join(item.at, "expires"),
                    `${item.label} expired at ${item.expires.instant}: it admits nobody, so no rule is deployed for it (one still in AWS is deleted ` +
                        `by this deployment); delete the entry, or set a later expires to admit it again`,
                );
            } else if (item.expires.ms - timing.now <= timing.expiryWarningDays * DAY_MS) {
                problems.warn(
                    join(item.at, "expires"),
                    `${item.label} expires at ${item.expires.instant}, ${until(item.expires.ms, timing.now)}: its rule is revoked then, ` +
                        `without a deployment; set a later expires to keep admitting it`,
                );
            }
        }
        const extra = {
            ...(item.expires ? { expires: item.expires.instant } : {}),
            ...(item.note !== undefined ? { note: item.note } : {}),
            ...(expired ? { expired: true as const } : {}),
        };
        if (cidr !== undefined) rules.push({ cidr, family: family!, ...extra });
        else prefixLists.push({ prefixList: item.prefixList!, path: item.at, ...extra });
    }

    if (allowPublicInternet) {
        const redundant = rules.length + prefixLists.length;
        if (redundant > 0) {
            problems.warn(
                path,
                `${publicInternetPath} is true, so the ${redundant} allowlist entr${redundant === 1 ? "y is" : "ies are"} redundant: every address is admitted`,
            );
        }
        problems.warn(
            publicInternetPath,
            "the endpoint admits every IPv4 and IPv6 address (0.0.0.0/0, ::/0); only the database's own authentication protects it",
        );
        return {
            rules: [
                { cidr: "0.0.0.0/0", family: "ipv4" },
                { cidr: "::/0", family: "ipv6" },
            ],
            prefixLists: [],
        };
    }
    if (written === 0) {
        problems.error(
            path,
            `is empty, so nobody could connect; list the client addresses, or set ${publicInternetPath}: true to admit everyone`,
        );
        return { rules, prefixLists };
    }
    const kept = rules.length + prefixLists.length;
    if (kept > 0 && expiredCount === kept) {
        problems.warn(
            path,
            `every allowlist entry has expired, so the endpoint admits nobody: it stays closed, with no rule that admits a client, ` +
                `until an entry is added or given a later expires`,
        );
    }
    checkCoverage(problems, path, rules.map((r) => parseCidr(r.cidr)), publicInternetPath);
    const reserved = prefixLists.length > 0 ? 1 : 0;
    if (reserved > 0 && quotas.securityGroupsPerLoadBalancer <= reserved) {
        problems.error(
            entries?.path ?? path,
            `has prefix lists, which take a security group of their own beside the one that holds the CIDR rules and the egress rule, ` +
                `but quotas allow ${quotas.securityGroupsPerLoadBalancer} security group per load balancer; raise securityGroupsPerLoadBalancer`,
        );
    }
    const groups = quotas.securityGroupsPerLoadBalancer - reserved;
    const capacity = quotas.rulesPerSecurityGroup * groups;
    for (const family of ["ipv4", "ipv6"] as const) {
        const count = rules.filter((r) => r.family === family).length;
        if (count > capacity && groups > 0) {
            problems.error(
                path,
                `${count} ${family === "ipv4" ? "IPv4" : "IPv6"} entries exceed what one load balancer can carry ` +
                    `(${groups} security groups x ${quotas.rulesPerSecurityGroup} rules = ${capacity}` +
                    `${reserved ? `, the load balancer's other security group holding its prefix lists` : ""}); ` +
                    `merge entries into wider CIDRs, split the endpoint, or raise the quotas in Service Quotas and in config "quotas"`,
            );
        }
    }
    return { rules, prefixLists };
}

/** The indefinite article before a range's label: "an IETF protocol assignments", "a unique local". */
function article(label: string): string {
    return /^(?:[aeio]|un(?!i)|IETF|IPv|SRv)/.test(label) ? "an" : "a";
}

/** `part` as a percentage of `whole`, three significant digits: `0.391%`, `100%`. */
function percent(part: bigint, whole: bigint): string {
    return `${Number((Number(part) / Number(whole) * 100).toPrecision(3))}%`;
}

/**
 * Spreads rules over the fewest security groups that hold them: each group takes up to
 * `rulesPerSecurityGroup` IPv4 rules and as many IPv6 rules (AWS counts the two separately).
 * Always returns at least one group: the NLB must be created with one (it can never get one later),
 * and the first group also carries the egress rule to the database. The rules of a shared load balancer's
 * endpoints are spread the same way, in the order of the endpoints, then of their entries.
 */
export function spreadOverSecurityGroups<R extends AllowlistRule>(rules: R[], rulesPerSecurityGroup: number): R[][] {
    const v4 = rules.filter((r) => r.family === "ipv4");
    const v6 = rules.filter((r) => r.family === "ipv6");
    const groupCount = Math.max(1, Math.ceil(Math.max(v4.length, v6.length) / rulesPerSecurityGroup));
    const groups: R[][] = [];
    for (let g = 0; g < groupCount; g++) {
        const slice = (list: R[]) => list.slice(g * rulesPerSecurityGroup, (g + 1) * rulesPerSecurityGroup);
        groups.push([...slice(v4), ...slice(v6)]);
    }
    return groups;
}

/**
 * A load balancer's security groups: its CIDR rules spread over the fewest groups that hold them (at least one,
 * which also carries the egress rules), and, when it has prefix lists, one more group that holds only them. A
 * prefix list counts against its group's rules by its maximum entries, known only at deployment, so the lists
 * never share a group with CIDR rules: adding or removing an entry of one kind never moves a rule of the other.
 */
export function securityGroupLayout<R extends AllowlistRule>(
    rules: R[],
    hasPrefixLists: boolean,
    rulesPerSecurityGroup: number,
): { groups: R[][]; prefixListGroup?: number } {
    const groups = spreadOverSecurityGroups(rules, rulesPerSecurityGroup);
    if (!hasPrefixLists) return { groups };
    return { groups: [...groups, []], prefixListGroup: groups.length };
}

/** A prefix list of the allowlist as AWS reports it at deployment (aws.ec2.getManagedPrefixList). */
export interface ResolvedPrefixList {
    /** The entry's path, `allowlist[1]` or `endpoints[0].allowlist[1]`. */
    path: string;
    prefixList: string;
    /** Its maximum number of entries, which AWS counts against the security group's rules; absent for AWS-managed lists. */
    maxEntries: number | undefined;
    /** `IPv4` or `IPv6`. */
    addressFamily: string;
    /** Its CIDRs now. */
    entries: string[];
}

/**
 * The quota rule of the security group that holds a load balancer's prefix lists, applied once AWS has said how
 * large they are: AWS counts a reference to a prefix list as the list's maximum number of entries (not its
 * current ones), per address family, against `rulesPerSecurityGroup`. Also refuses an AWS-managed list (no
 * maximum entries), and an IPv6 list on an IPv4-only load balancer. Every problem names the entry's
 * `.prefixList`. `owner` names the load balancer in messages; `quotaPath` the quota's setting.
 */
export function checkPrefixListBudget(
    problems: Problems,
    owner: string,
    lists: ResolvedPrefixList[],
    ipAddressType: IpAddressType,
    rulesPerSecurityGroup: number,
    quotaPath: string,
): void {
    const totals = { ipv4: 0, ipv6: 0 };
    const counted: { ipv4: ResolvedPrefixList[]; ipv6: ResolvedPrefixList[] } = { ipv4: [], ipv6: [] };
    for (const list of lists) {
        const at = join(list.path, "prefixList");
        if (!list.maxEntries) {
            problems.error(
                at,
                `prefix list ${show(list.prefixList)} has no maximum number of entries: it is an AWS-managed prefix list, whose size AWS counts by ` +
                    `its weight; only customer-managed prefix lists (kept by your team or tool) can be allowlisted`,
            );
            continue;
        }
        const family = list.addressFamily === "IPv6" ? "ipv6" : "ipv4";
        if (family === "ipv6" && ipAddressType === IpAddressType.Ipv4) {
            problems.error(
                at,
                `prefix list ${show(list.prefixList)} holds IPv6 addresses, which ${owner}, IPv4 only, never receives; set ipAddressType: "dualstack"` +
                    ` (on every endpoint of a shared load balancer)`,
            );
            continue;
        }
        totals[family] += list.maxEntries;
        counted[family].push(list);
        if (totals[family] > rulesPerSecurityGroup && totals[family] - list.maxEntries <= rulesPerSecurityGroup) {
            const label = family === "ipv4" ? "IPv4" : "IPv6";
            const others = counted[family].slice(0, -1);
            problems.error(
                at,
                `prefix list ${show(list.prefixList)} counts as ${list.maxEntries} ${label} rules, its maximum number of entries (AWS counts a reference to a ` +
                    `prefix list as the list's maximum entries, not its current ones), in the security group that holds ${owner}'s prefix lists` +
                    `${others.length > 0 ? `; with ${others.map((o) => `${show(o.prefixList)} (${o.maxEntries})`).join(", ")} that is ${totals[family]}` : ""}, ` +
                    `more than ${quotaPath} (${rulesPerSecurityGroup}); use a prefix list with fewer maximum entries, move an endpoint to another ` +
                    `load balancer, or raise "Inbound or outbound rules per security group" in Service Quotas and then ${quotaPath}`,
            );
        }
    }
}

/**
 * The width guard over what an endpoint admits once its prefix lists' contents are known: each CIDR in a list
 * by the rules of an entry, and the entries and the lists' CIDRs together by the coverage bound. A list is
 * maintained elsewhere and can change between deployments; this checks it as it is at each deployment.
 * `cidrs`: the endpoint's own rules in effect.
 */
export function checkPrefixListContents(
    problems: Problems,
    path: string,
    lists: ResolvedPrefixList[],
    cidrs: AllowlistRule[],
    publicInternetPath: string,
): void {
    const parsed: ParsedCidr[] = cidrs.map((r) => parseCidr(r.cidr));
    for (const list of lists) {
        for (const entry of list.entries) {
            let cidr: ParsedCidr;
            try {
                cidr = parseCidr(entry);
            } catch {
                continue; // AWS holds only valid CIDRs
            }
            const verdict = guardCidr(`prefix list ${show(list.prefixList)} holds ${show(entry)}, which`, cidr, publicInternetPath);
            if (verdict.error) {
                problems.error(join(list.path, "prefixList"), verdict.error);
                continue;
            }
            if (verdict.warning) problems.warn(join(list.path, "prefixList"), verdict.warning);
            parsed.push(cidr);
        }
    }
    checkCoverage(problems, path, parsed, publicInternetPath, "entries and prefix lists' entries");
}

/** Validates quota overrides from config. */
export function readQuotas(problems: Problems, path: string, value: unknown): StackQuotas {
    const quotas: StackQuotas = { ...DEFAULT_QUOTAS };
    const keys = Object.keys(DEFAULT_QUOTAS) as (keyof StackQuotas)[];
    if (value === undefined || value === null) return quotas;
    if (typeof value !== "object" || Array.isArray(value)) {
        problems.error(path, `${show(value)} is not a map (expected ${keys.join(", ")})`);
        return quotas;
    }
    const raw = value as Record<string, unknown>;
    for (const key of keys) {
        const v = raw[key];
        if (v === undefined) continue;
        if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > QUOTA_LIMITS[key]) {
            problems.error(join(path, key), `${show(v)} is not a whole number in 1..${QUOTA_LIMITS[key]}`);
        } else {
            quotas[key] = v;
        }
    }
    return quotas;
}

/**
 * Whether an allowlist has a rule deployed with an expiry (a CIDR or prefix list entry whose `expires` has not come):
 * the upkeep function must then revoke it on time, and the alarms watch that it does.
 */
export function hasExpiringRules(allowlist: { allowlist: AllowlistRule[]; prefixLists: { expires?: string; expired?: true }[] }): boolean {
    return [...allowlist.allowlist, ...allowlist.prefixLists].some((r) => r.expires !== undefined && r.expired === undefined);
}
