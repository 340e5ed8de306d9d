/**
 * A test file's own stand-in for the OS temporary directory, for code under test that writes into
 * `os.tmpdir()` (as `pulumi up` writes a self-managed database's CA bundle for the admin connection).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before } from "node:test";

/**
 * Creates a new directory named `prefix` plus a random suffix in the real temporary directory, and registers
 * hooks on the calling file (or suite) that point TMPDIR at it before its tests and, after them, restore TMPDIR
 * and delete the directory. Call it before the `before` hooks that need it. Returns the directory's path.
 */
export function isolateTmpdir(prefix: string): string {
    const saved = process.env.TMPDIR;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    before(() => {
        process.env.TMPDIR = dir;
    });
    after(() => {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
        fs.rmSync(dir, { recursive: true, force: true });
    });
    return dir;
}
