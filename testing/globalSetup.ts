/**
 * What `npm test` prepares once for all its test files (`node --test --test-global-setup=testing/globalSetup.ts`):
 * the directory of the run's server data-directory templates (testing/serverTemplates.ts), shared by every test
 * file that starts a database server, and deleted when the last one is done.
 *
 * The test runner calls `globalSetup` before it starts the first test file and `globalTeardown` after the last;
 * the environment set here is inherited by every test file's process. A test file run on its own (without this
 * setup) makes what it needs itself.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TEMPLATES_ENV } from "./serverTemplates";

let templates: string | undefined;

export async function globalSetup(): Promise<void> {
    templates = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-test-run-")));
    process.env[TEMPLATES_ENV] = templates;
}

export async function globalTeardown(): Promise<void> {
    if (templates) fs.rmSync(templates, { recursive: true, force: true });
    delete process.env[TEMPLATES_ENV];
}
