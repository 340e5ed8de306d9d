/**
 * The file that holds the stack's CA bundle for the admin connection to a self-managed database without
 * `adminSslRootCert`. The PostgreSQL provider is given its path, and Pulumi keeps that path in the provider's
 * configuration in the state: `pulumi refresh` and `pulumi destroy` (without `--run-program`) trust whatever
 * the file holds then, without this program running. So the file lives in a directory that only the user
 * running `pulumi up` can write, `<OS temporary directory>/db-endpoints-<uid>` (mode 0700), and every use
 * checks that directory, the directories above it, and the file itself, refusing with the reason rather than
 * trusting a CA that someone else could have put there.
 */
// Node.js types, named here because the plugin host's ts-node may compile this module alone (tests/components/index.test.ts).
/// <reference types="node" />
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";

/** The user the file and its directory must belong to; `uid` is undefined where the platform has none (Windows). */
export interface FileOwner {
    uid: number | undefined;
}

/** The user running this program. */
export function currentOwner(): FileOwner {
    return { uid: process.getuid?.() };
}

/** Why the CA bundle cannot be kept or trusted where it would be; the message names the path and what to do. */
export class AdminCaFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AdminCaFileError";
    }
}

const REMEDY =
    "set TMPDIR to a directory that only you can write, or set adminSslRootCert to a file holding the stack's CA bundle " +
    "(pulumi stack output caCertificate)";

function refuseDirectory(dir: string, reason: string): never {
    throw new AdminCaFileError(
        `refusing to keep the stack's CA bundle for the admin connection in ${dir}: ${reason}. The database provider trusts that ` +
            "file at every deployment, refresh and destroy, so no other user may be able to replace it; remove the directory if " +
            `it is yours (pulumi up creates it again, mode 0700), or ${REMEDY}`,
    );
}

function refuseFile(file: string, reason: string): never {
    throw new AdminCaFileError(`refusing to trust ${file} as the stack's CA bundle for the admin connection: ${reason}; ${REMEDY}`);
}

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/**
 * The directory of the file: `<real path of tmp>/db-endpoints-<uid>`, or `<tmp>/db-endpoints` where the
 * platform has no user ids (Windows, whose temporary directory is already the user's own). The temporary
 * directory's real path is used, so the path kept in the state has no symbolic link that could later be
 * pointed elsewhere.
 */
export function adminCaDirectory(tmp: string = os.tmpdir(), owner: FileOwner = currentOwner()): string {
    let real: string;
    try {
        real = fs.realpathSync(tmp);
    } catch (e) {
        throw new AdminCaFileError(`cannot resolve the temporary directory ${tmp} for the stack's CA bundle (${(e as Error).message}); ${REMEDY}`);
    }
    return nodePath.join(real, owner.uid === undefined ? "db-endpoints" : `db-endpoints-${owner.uid}`);
}

function lstat(path: string): fs.Stats | undefined {
    try {
        return fs.lstatSync(path);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw e;
    }
}

/**
 * Each directory above `dir`, up to the root: owned by root or `owner`, and not writable by its group or
 * others unless sticky (in a sticky directory such as /tmp only an entry's owner can rename or delete it).
 * Anyone else who could write one of them could move `dir` away and put their own in its place.
 */
function checkAncestors(dir: string, owner: FileOwner): void {
    if (owner.uid === undefined) return;
    let current = nodePath.dirname(dir);
    for (;;) {
        const st = fs.lstatSync(current);
        if (st.isSymbolicLink()) refuseDirectory(dir, `${current} above it is a symbolic link`);
        if (st.uid !== 0 && st.uid !== owner.uid) {
            refuseDirectory(dir, `${current} above it is owned by uid ${st.uid}, neither root nor you (uid ${owner.uid}), who could replace it`);
        }
        if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
            refuseDirectory(dir, `${current} above it can be written by other users (mode ${octal(st.mode)}, not sticky), who could replace it`);
        }
        const parent = nodePath.dirname(current);
        if (parent === current) return;
        current = parent;
    }
}

/** `dir` itself: a directory, not a link, owned by `owner`, not writable by its group or others. */
function checkOwnDirectory(dir: string, st: fs.Stats, owner: FileOwner): void {
    if (st.isSymbolicLink()) refuseDirectory(dir, "it is a symbolic link");
    if (!st.isDirectory()) refuseDirectory(dir, "it is not a directory");
    if (owner.uid === undefined) return;
    if (st.uid !== owner.uid) {
        refuseDirectory(dir, `it is owned by uid ${st.uid}, not by you (uid ${owner.uid}): another user may have created it to make the admin connection trust their CA`);
    }
    if ((st.mode & 0o022) !== 0) refuseDirectory(dir, `its mode ${octal(st.mode)} lets its group or other users write in it`);
}

/**
 * Checks the file's directory and the directories above it (see {@link checkAncestors}); with `create`, makes
 * a missing directory (mode 0700). Returns whether the directory exists. Throws {@link AdminCaFileError}.
 */
export function checkAdminCaDirectory(dir: string, owner: FileOwner, options: { create: boolean }): boolean {
    checkAncestors(dir, owner);
    let st = lstat(dir);
    if (!st) {
        if (!options.create) return false;
        try {
            fs.mkdirSync(dir, { mode: 0o700 });
            // mkdir's mode is reduced by the umask; the owner needs all of 0700 to write the file.
            fs.chmodSync(dir, 0o700);
        } catch (e) {
            // Created meanwhile by someone else: the checks below refuse it unless it is ours.
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        st = fs.lstatSync(dir);
    }
    checkOwnDirectory(dir, st, owner);
    return true;
}

const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/**
 * Opens `file` without following a link and checks it: a regular file owned by `owner` that its group and
 * others cannot write. Returns its content. Throws {@link AdminCaFileError}.
 */
function readOwnFile(file: string, owner: FileOwner): string {
    let fd: number;
    try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ELOOP") refuseFile(file, "it is a symbolic link");
        if (code === "ENOENT") refuseFile(file, "it does not exist");
        throw e;
    }
    try {
        const st = fs.fstatSync(fd);
        if (!st.isFile()) refuseFile(file, "it is not a regular file");
        if (owner.uid !== undefined && st.uid !== owner.uid) refuseFile(file, `it is owned by uid ${st.uid}, not by you (uid ${owner.uid})`);
        if (owner.uid !== undefined && (st.mode & 0o022) !== 0) refuseFile(file, `its mode ${octal(st.mode)} lets its group or other users change it`);
        return fs.readFileSync(fd, "utf8");
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * Checks that `file` holds exactly `expected`, in a directory that passes {@link checkAdminCaDirectory},
 * as a regular file owned by `owner` that no one else can write. Throws {@link AdminCaFileError}.
 */
export function verifyAdminCaFile(file: string, expected: string, owner: FileOwner = currentOwner()): void {
    if (!checkAdminCaDirectory(nodePath.dirname(file), owner, { create: false })) refuseFile(file, "its directory does not exist");
    const content = readOwnFile(file, owner);
    if (content !== expected) refuseFile(file, `it does not hold the bundle written to it (${content.length} characters, not shown, instead of ${expected.length})`);
}

/**
 * `pulumi preview`, which writes nothing: checks the directory and the file where they exist (a later
 * deployment replaces the file's content, so only who can change it is checked). Throws {@link AdminCaFileError}.
 */
export function checkExistingAdminCaFile(file: string, owner: FileOwner = currentOwner()): void {
    if (!checkAdminCaDirectory(nodePath.dirname(file), owner, { create: false })) return;
    if (lstat(file) === undefined) return;
    readOwnFile(file, owner);
}

/**
 * Writes `content` to `file`, mode 0644, in a directory that passes {@link checkAdminCaDirectory} (created
 * when missing): into a new file next to it, created exclusively and never through a link, flushed, then
 * renamed over `file`, so a reader sees the old file or the new one, never a partial one. Then reads `file`
 * back with {@link verifyAdminCaFile}. A refused directory or file throws {@link AdminCaFileError}; any other
 * failure throws an Error naming `file` and what to do. Nothing is left behind on failure.
 */
export function writeAdminCaFile(file: string, content: string, owner: FileOwner = currentOwner()): void {
    checkAdminCaDirectory(nodePath.dirname(file), owner, { create: true });
    const temporary = nodePath.join(nodePath.dirname(file), `.${nodePath.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`);
    try {
        const fd = fs.openSync(temporary, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW, 0o644);
        try {
            fs.writeFileSync(fd, content, "utf8");
            // openSync's mode is reduced by the umask; a CA certificate is public, readable like the system's.
            fs.fchmodSync(fd, 0o644);
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        fs.renameSync(temporary, file);
    } catch (e) {
        fs.rmSync(temporary, { force: true });
        const reason = e instanceof Error ? e.message : String(e);
        throw new Error(`cannot write the stack's CA bundle for the admin connection to ${file} (${reason}); ${REMEDY}`);
    }
    verifyAdminCaFile(file, content, owner);
}
