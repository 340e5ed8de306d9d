/**
 * The command line of `npm run verify` (and the part `npm run handoff` shares: where the outputs come from),
 * read into plain options. Every problem is reported at once, with the usage.
 */
import { isIP } from "node:net";
import type { Engine } from "./protocols";
import type { OutputsSource } from "./stackOutputs";
import { VERIFY_DEFAULTS } from "./run";


export interface VerifyCommand {
    source: OutputsSource;
    endpoint?: string;
    json: boolean;
    rdsCaBundle?: string;
    aws: boolean;
    expiryWindowDays: number;
    timeoutMs: number;
    engine?: Engine;
    /** `--resolve HOST=ADDRESS[,ADDRESS]`: addresses used for HOST instead of DNS. */
    resolve: Record<string, string[]>;
    quiet: boolean;
    help: boolean;
}

export const VERIFY_USAGE = `usage: npm run verify -- [--stack NAME | --outputs FILE] [--endpoint NAME] [--aws] [--rds-ca-bundle FILE]
                         [--json] [--expiry-window-days N] [--timeout SECONDS] [--engine postgres|mysql]
                         [--resolve HOST=ADDRESS[,ADDRESS...]] [--quiet]

Checks every endpoint of the stack (or --endpoint NAME) from this machine: DNS, TCP, the database's own TLS
negotiation, the certificate's chain, name and expiry; with --aws (AWS credentials) the target group's health
and a login as each integration's user. One line per check; exit 1 when any check fails.

  --stack NAME              read \`pulumi stack output --json --stack NAME\` (default: the current stack)
  --outputs FILE            read the outputs from FILE (saved with \`pulumi stack output --json > FILE\`)
  --endpoint NAME           check only this endpoint
  --aws                     also DescribeTargetHealth, and log in as each integration (GetSecretValue)
  --rds-ca-bundle FILE      AWS's RDS CA bundle, for RDS endpoints (default: ./global-bundle.pem when present)
  --json                    print the results as one JSON document
  --expiry-window-days N    fail when a certificate expires within N days (default ${VERIFY_DEFAULTS.expiryWindowDays})
  --timeout SECONDS         bound on each network step (default ${VERIFY_DEFAULTS.timeoutMs / 1000})
  --engine postgres|mysql   the database's protocol, when the outputs do not say (default: told apart by who speaks first)
  --resolve HOST=ADDRESS    connect to ADDRESS for HOST instead of resolving it (repeatable)
  --quiet                   no progress on stderr`;

/** Thrown for a command line that cannot be run; the message lists every problem and the usage. */
export class UsageError extends Error {}

/**
 * Reads `--stack`/`--outputs` (`-s` for `--stack`) at `argv[i]` into `into`; returns how many arguments it used
 * (0 when `argv[i]` is neither).
 */
export function readSourceArg(argv: string[], i: number, into: { source?: OutputsSource }, problems: string[]): number {
    const [flag, inline] = splitFlag(argv[i]);
    if (flag !== "--stack" && flag !== "-s" && flag !== "--outputs") return 0;
    const value = inline ?? argv[i + 1];
    const used = inline !== undefined ? 1 : 2;
    if (value === undefined || value.startsWith("--")) {
        problems.push(`${flag} needs a value`);
        return 1;
    }
    if (into.source !== undefined) problems.push("give --stack or --outputs once, not both");
    if (flag === "--outputs") into.source = { kind: "file", path: value };
    else if (!/^[A-Za-z0-9_./-]+$/.test(value)) problems.push(`--stack ${JSON.stringify(value)} is not a stack name`);
    else into.source = { kind: "pulumi", stack: value };
    return used;
}

/** `--flag=value` as `["--flag", "value"]`, `--flag` as `["--flag", undefined]`. */
export function splitFlag(arg: string): [string, string | undefined] {
    const eq = arg.indexOf("=");
    return arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

/** Reads the command line (without `node` and the script). Throws {@link UsageError} naming every problem. */
export function parseVerifyArgs(argv: string[]): VerifyCommand {
    const problems: string[] = [];
    const into: { source?: OutputsSource } = {};
    const command: VerifyCommand = {
        source: { kind: "pulumi" },
        json: false,
        aws: false,
        expiryWindowDays: VERIFY_DEFAULTS.expiryWindowDays,
        timeoutMs: VERIFY_DEFAULTS.timeoutMs,
        resolve: {},
        quiet: false,
        help: false,
    };
    for (let i = 0; i < argv.length; ) {
        const used = readSourceArg(argv, i, into, problems);
        if (used > 0) {
            i += used;
            continue;
        }
        const [flag, inline] = splitFlag(argv[i]);
        const takesValue = ["--endpoint", "--rds-ca-bundle", "--expiry-window-days", "--timeout", "--engine", "--resolve"].includes(flag);
        let value: string | undefined;
        if (takesValue) {
            value = inline ?? argv[i + 1];
            i += inline !== undefined ? 1 : 2;
            if (value === undefined || (inline === undefined && value.startsWith("--"))) {
                problems.push(`${flag} needs a value`);
                if (inline === undefined && value !== undefined) i--;
                continue;
            }
        } else {
            i += 1;
            if (inline !== undefined) problems.push(`${flag} takes no value`);
        }
        switch (flag) {
            case "--endpoint":
                command.endpoint = value;
                break;
            case "--rds-ca-bundle":
                command.rdsCaBundle = value;
                break;
            case "--expiry-window-days": {
                const n = Number(value);
                if (!Number.isInteger(n) || n < 0 || n > 3650) problems.push(`--expiry-window-days ${JSON.stringify(value)} is not a whole number of days (0..3650)`);
                else command.expiryWindowDays = n;
                break;
            }
            case "--timeout": {
                const n = Number(value);
                if (!Number.isFinite(n) || n <= 0 || n > 600) problems.push(`--timeout ${JSON.stringify(value)} is not a number of seconds (above 0, at most 600)`);
                else command.timeoutMs = Math.round(n * 1000);
                break;
            }
            case "--engine":
                if (value !== "postgres" && value !== "mysql") problems.push(`--engine ${JSON.stringify(value)} is not postgres or mysql`);
                else command.engine = value;
                break;
            case "--resolve": {
                const eq = value!.indexOf("=");
                const host = value!.slice(0, eq).toLowerCase();
                const addresses = value!.slice(eq + 1).split(",").filter((a) => a !== "");
                if (eq <= 0 || addresses.length === 0 || addresses.some((a) => isIP(a) === 0)) {
                    problems.push(`--resolve ${JSON.stringify(value)} is not HOST=ADDRESS[,ADDRESS...] with IP addresses`);
                } else {
                    command.resolve[host] = [...(command.resolve[host] ?? []), ...addresses];
                }
                break;
            }
            case "--json":
                command.json = true;
                break;
            case "--aws":
                command.aws = true;
                break;
            case "--quiet":
            case "-q":
                command.quiet = true;
                break;
            case "--help":
            case "-h":
                command.help = true;
                break;
            default:
                problems.push(`unknown argument ${JSON.stringify(argv[i - 1])}`);
        }
    }
    if (into.source) command.source = into.source;
    if (problems.length > 0) throw new UsageError(`${problems.join("\n")}\n\n${VERIFY_USAGE}`);
    return command;
}
