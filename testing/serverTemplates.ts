/**
 * Initialised data directories for throwaway database servers (testing/mariadb.ts, and any other server a test
 * starts), made once and copied for every server.
 *
 * Initialising a data directory (`mariadb-install-db`, `initdb`) costs about a second of CPU and writes tens of
 * megabytes; copying an initialised one costs milliseconds. {@link copyTemplate} fills a new server's data
 * directory with a copy of the template named by its kind and key, and makes the template first, with the
 * caller's `init`, when no test has made it yet. The key must name everything the initialisation depends on (the
 * server binary, the options it was initialised with), so that a copy is exactly what `init` would have made.
 * Every server still gets its own copy: servers share no state, and a test may change its server as it likes.
 *
 * Where templates live:
 * - a whole `npm test` run: the directory named by `DB_ENDPOINTS_TEST_TEMPLATES`, which testing/globalSetup.ts
 *   creates before the first test file and deletes after the last, so every test file of the run copies the same
 *   templates;
 * - a test file run on its own: a directory of its process, deleted when the process exits.
 *
 * Two test files that need a missing template at the same time both make it, in directories of their own, and
 * the first to finish renames its copy into place (an atomic rename: no file ever sees a half-made template).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The environment variable testing/globalSetup.ts sets to the run's template directory. */
export const TEMPLATES_ENV = "DB_ENDPOINTS_TEST_TEMPLATES";

let processTemplates: string | undefined;

/** The directory holding the templates: the run's, or this process's (made on first use, deleted at exit). */
export function templatesDirectory(): string {
    const shared = process.env[TEMPLATES_ENV];
    if (shared) return shared;
    if (!processTemplates) {
        const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "db-endpoints-templates-")));
        process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        processTemplates = dir;
    }
    return processTemplates;
}

/** Where the template of `kind` and `key` lives (it may not exist yet). */
export function templatePath(kind: string, key: unknown): string {
    const digest = createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 16);
    return path.join(templatesDirectory(), `${kind}-${digest}`);
}

/**
 * Copies the template of `kind` and `key` to `target` (which must not exist), after making the template with
 * `init(directory)` if it does not exist yet. `init` gets an empty directory of its own and must leave the
 * initialised data directory there. `owner`: give every copied file to this OS user id and group id (a server
 * that runs as another user than the tests).
 */
export async function copyTemplate(
    kind: string,
    key: unknown,
    init: (directory: string) => Promise<void>,
    target: string,
    owner?: { uid: number; gid: number },
): Promise<void> {
    const template = templatePath(kind, key);
    if (!fs.existsSync(template)) {
        const work = fs.mkdtempSync(`${template}.making-`);
        try {
            const made = path.join(work, "data");
            fs.mkdirSync(made);
            await init(made);
            try {
                fs.renameSync(made, template);
            } catch (e) {
                // Another test file made it first: use theirs.
                const code = (e as NodeJS.ErrnoException).code;
                if (!fs.existsSync(template) || (code !== "ENOTEMPTY" && code !== "EEXIST")) throw e;
            }
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    }
    fs.cpSync(template, target, { recursive: true });
    if (owner) chownTree(target, owner.uid, owner.gid);
}

function chownTree(dir: string, uid: number, gid: number): void {
    fs.lchownSync(dir, uid, gid);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) chownTree(p, uid, gid);
        else fs.lchownSync(p, uid, gid);
    }
}
