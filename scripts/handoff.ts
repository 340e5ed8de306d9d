/**
 * `npm run handoff -- --endpoint NAME --integration NAME [--stack NAME | --outputs FILE] [--show-password]`: prints
 * what a vendor needs to connect one integration (infra/handoff/handoff.ts). The password is read from the
 * integration's secret only with --show-password, and printed on standard output only. Exit 2 when it cannot run.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { findIntegration, HANDOFF_USAGE, handoffText, parseHandoffArgs } from "../infra/handoff/handoff";
import { readIntegrationSecret } from "../infra/verify/logins";
import { loadStackOutputs, readStackTargets } from "../infra/verify/stackOutputs";
import { regionOfArn } from "../infra/verify/targets";

/** Where the command writes; the real ones are the process's streams. */
export interface HandoffIo {
    out: (text: string) => void;
    err: (text: string) => void;
}

const processIo: HandoffIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function main(argv: string[], io: HandoffIo = processIo): Promise<number> {
    try {
        const command = parseHandoffArgs(argv);
        if (command.help) {
            io.out(`${HANDOFF_USAGE}\n`);
            return 0;
        }
        const targets = readStackTargets(await loadStackOutputs(command.source));
        const { endpoint, integration } = findIntegration(targets.endpoints, command.endpoint, command.integration);
        let password: string | undefined;
        let database: string | undefined;
        if (command.showPassword) {
            const client = new SecretsManagerClient({ region: regionOfArn(integration.secretArn) });
            try {
                const secret = await readIntegrationSecret(client, integration.secretArn);
                password = secret.password;
                database = secret.dbname;
            } finally {
                client.destroy();
            }
        }
        io.out(handoffText({ endpoint, integration, caCertificate: targets.caCertificate, password, database }));
        return 0;
    } catch (e) {
        io.err(`handoff: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
