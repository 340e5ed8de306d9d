/**
 * `npm run verify -- [--stack NAME | --outputs FILE] [--endpoint NAME] [--aws] [--rds-ca-bundle FILE] [--json]`:
 * checks the stack's endpoints from this machine and prints one line per check (infra/verify/). Exit 0 when
 * nothing failed, 1 when a check failed, 2 when it could not run (bad arguments, unreadable outputs).
 */
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as fs from "node:fs";
import { parseVerifyArgs, UsageError, VERIFY_USAGE } from "../infra/verify/options";
import { exitCode, formatResult, formatSummary, toJson } from "../infra/verify/report";
import { readCaBundle, verifyEndpoints } from "../infra/verify/run";
import { loadStackOutputs, OutputsError, readStackTargets, selectEndpoints } from "../infra/verify/stackOutputs";
import { overridingLookup, systemLookup } from "../infra/verify/network";
import { RDS_CA_BUNDLE } from "../infra/connection";

/** A one-line progress display on stderr: rewritten in place on a terminal, one line per step otherwise. */
function progressDisplay(quiet: boolean) {
    const tty = process.stderr.isTTY === true;
    let shown = false;
    return {
        step(endpoint: string, step: string) {
            if (quiet) return;
            if (tty) {
                process.stderr.write(`\r\x1b[K… ${endpoint}: ${step}`);
                shown = true;
            } else {
                process.stderr.write(`… ${endpoint}: ${step}\n`);
            }
        },
        clear() {
            if (shown) process.stderr.write("\r\x1b[K");
            shown = false;
        },
    };
}

/** One client per region, created when first needed; credentials from the SDK's default chain. */
function perRegion<T extends { destroy(): void }>(make: (region: string | undefined) => T) {
    const clients = new Map<string, T>();
    return {
        get(region: string | undefined): T {
            const key = region ?? "";
            if (!clients.has(key)) clients.set(key, make(region));
            return clients.get(key)!;
        },
        destroy() {
            for (const c of clients.values()) c.destroy();
        },
    };
}

export async function main(argv: string[]): Promise<number> {
    let command;
    try {
        command = parseVerifyArgs(argv);
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        return 2;
    }
    if (command.help) {
        process.stdout.write(`${VERIFY_USAGE}\n`);
        return 0;
    }
    const progress = progressDisplay(command.quiet);
    let endpoints;
    let caCertificate: string | undefined;
    let rdsCaBundle: { pem: string; file: string } | undefined;
    try {
        progress.step("outputs", command.source.kind === "file" ? `reading ${command.source.path}` : "running pulumi stack output --json");
        const targets = readStackTargets(await loadStackOutputs(command.source));
        endpoints = selectEndpoints(targets, command.endpoint);
        caCertificate = targets.caCertificate;
        const bundleFile = command.rdsCaBundle ?? (fs.existsSync(RDS_CA_BUNDLE.file) ? RDS_CA_BUNDLE.file : undefined);
        if (bundleFile !== undefined && endpoints.some((e) => e.tls.certificateIssuer === "aws-rds")) {
            rdsCaBundle = readCaBundle(fs.readFileSync(bundleFile, "utf8"), bundleFile);
        }
    } catch (e) {
        progress.clear();
        const known = e instanceof OutputsError || e instanceof UsageError;
        process.stderr.write(`verify: ${known ? (e as Error).message : `cannot start: ${(e as Error).message}`}\n`);
        return 2;
    } finally {
        progress.clear();
    }

    const elbv2 = perRegion((region) => new ElasticLoadBalancingV2Client(region ? { region } : {}));
    const secrets = perRegion((region) => new SecretsManagerClient(region ? { region } : {}));
    try {
        const results = await verifyEndpoints(
            endpoints,
            {
                caCertificate,
                rdsCaBundle,
                expiryWindowDays: command.expiryWindowDays,
                timeoutMs: command.timeoutMs,
                engine: command.engine,
                aws: command.aws,
            },
            {
                lookup: overridingLookup(command.resolve, systemLookup),
                now: () => new Date(),
                elbv2: (region) => elbv2.get(region),
                secretsManager: (region) => secrets.get(region),
                progress: (endpoint, step) => progress.step(endpoint, step),
                report: (result) => {
                    progress.clear();
                    if (!command.json) process.stdout.write(`${formatResult(result)}\n`);
                },
            },
        );
        progress.clear();
        process.stdout.write(command.json ? `${JSON.stringify(toJson(results), null, 2)}\n` : `${formatSummary(results)}\n`);
        return exitCode(results);
    } finally {
        elbv2.destroy();
        secrets.destroy();
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (e) => {
            process.stderr.write(`verify: ${(e as Error).stack ?? e}\n`);
            process.exitCode = 2;
        },
    );
}
