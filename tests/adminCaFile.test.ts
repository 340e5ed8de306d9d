/**
 * The stack's CA bundle that the PostgreSQL admin connection to a self-managed database verifies against is
 * kept in a file whose path Pulumi stores in the provider's configuration: `pulumi refresh` and `pulumi
 * destroy` trust that file again without the program running. So it lives in `<TMPDIR>/db-endpoints-<uid>`,
 * a directory (mode 0700) that only its owner can write, below directories no other user can write (sticky
 * ones excepted); a directory owned by someone else, writable by others, or a link is refused, at each
 * deployment, with the reason; the file is written exclusively and atomically, then read back and checked.
 *
 * Tests that need another user's files chown them to `nobody` (65534) and so run as root only, skipping
 * otherwise with the reason (CI runs as root).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
    AdminCaFileError,
    adminCaDirectory,
    checkAdminCaDirectory,
    checkExistingAdminCaFile,
    currentOwner,
    verifyAdminCaFile,
    writeAdminCaFile,
} from "../infra/adminCaFile";

import { exampleWorld, installMockCloud, MockCloud, settle } from "../testing/mockCloud";
import { DatabaseEngine, IntegrationAccess } from "../infra/enums";

const UID = process.getuid!();
const OTHER_UID = 65534;
const asRoot = { skip: UID !== 0 && "needs root to give a file to another user (chown)" };
const ADMIN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy/admin-ZxCvBn";
const CA_BUNDLE = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUWm9vMQ==\n-----END CERTIFICATE-----\n";
const REMEDY =
    "set TMPDIR to a directory that only you can write, or set adminSslRootCert to a file holding the stack's CA bundle (pulumi stack output caCertificate)";

const refusedDirectory = (dir: string, reason: string) =>
    `refusing to keep the stack's CA bundle for the admin connection in ${dir}: ${reason}. The database provider trusts that ` +
    "file at every deployment, refresh and destroy, so no other user may be able to replace it; remove the directory if " +
    `it is yours (pulumi up creates it again, mode 0700), or ${REMEDY}`;
const refusedFile = (file: string, reason: string) => `refusing to trust ${file} as the stack's CA bundle for the admin connection: ${reason}; ${REMEDY}`;

/** The OS temporary directory, before a test points TMPDIR elsewhere. */
const TMP_ROOT = os.tmpdir();
/** A fresh directory standing for the OS temporary directory, and the user's directory in it. */
let base: string;
let dir: string;
beforeEach(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(TMP_ROOT, "db-endpoints-trust-")));
    dir = path.join(base, `db-endpoints-${UID}`);
});
afterEach(() => {
    fs.rmSync(base, { recursive: true, force: true });
});

function refusal(fn: () => unknown): string {
    try {
        fn();
    } catch (e) {
        assert.ok(e instanceof AdminCaFileError, `expected an AdminCaFileError, got ${e}`);
        return e.message;
    }
    assert.fail("expected a refusal");
}

describe("the user's directory", () => {
    it("is <real path of the temporary directory>/db-endpoints-<uid>, with no link left in the path kept in the state", () => {
        assert.equal(adminCaDirectory(base), dir);
        const link = `${base}-link`;
        fs.symlinkSync(base, link);
        try {
            assert.equal(adminCaDirectory(link), dir);
        } finally {
            fs.rmSync(link);
        }
        // Where the platform has no user ids (Windows), one directory in the user's own temporary directory.
        assert.equal(adminCaDirectory(base, { uid: undefined }), path.join(base, "db-endpoints"));
    });

    it("is created with mode 0700 whatever the umask, and accepted again as it is", () => {
        const umask = process.umask(0o777);
        try {
            assert.equal(checkAdminCaDirectory(dir, currentOwner(), { create: true }), true);
        } finally {
            process.umask(umask);
        }
        const st = fs.lstatSync(dir);
        assert.deepEqual({ directory: st.isDirectory(), mode: st.mode & 0o7777, uid: st.uid }, { directory: true, mode: 0o700, uid: UID });
        assert.equal(checkAdminCaDirectory(dir, currentOwner(), { create: true }), true);
        // Readable by others is fine (the bundle is public); only writing is not.
        fs.chmodSync(dir, 0o755);
        assert.equal(checkAdminCaDirectory(dir, currentOwner(), { create: false }), true);
    });

    it("is not created when only checked", () => {
        assert.equal(checkAdminCaDirectory(dir, currentOwner(), { create: false }), false);
        assert.deepEqual(fs.readdirSync(base), []);
    });

    it("is refused when its group or other users can write in it", () => {
        fs.mkdirSync(dir, { mode: 0o700 });
        for (const mode of [0o770, 0o702, 0o777, 0o1777]) {
            fs.chmodSync(dir, mode);
            assert.equal(
                refusal(() => checkAdminCaDirectory(dir, currentOwner(), { create: true })),
                refusedDirectory(dir, `its mode 0${mode.toString(8)} lets its group or other users write in it`),
            );
        }
    });

    it("is refused when it is a symbolic link, even to a directory of the user's own, or not a directory", () => {
        const target = path.join(base, "elsewhere");
        fs.mkdirSync(target, { mode: 0o700 });
        fs.symlinkSync(target, dir);
        assert.equal(refusal(() => checkAdminCaDirectory(dir, currentOwner(), { create: true })), refusedDirectory(dir, "it is a symbolic link"));
        fs.rmSync(dir);
        fs.writeFileSync(dir, "");
        assert.equal(refusal(() => checkAdminCaDirectory(dir, currentOwner(), { create: true })), refusedDirectory(dir, "it is not a directory"));
    });

    it("is refused when another user owns it (someone created it first)", asRoot, () => {
        fs.mkdirSync(dir, { mode: 0o700 });
        fs.chownSync(dir, OTHER_UID, OTHER_UID);
        assert.equal(
            refusal(() => checkAdminCaDirectory(dir, currentOwner(), { create: true })),
            refusedDirectory(dir, `it is owned by uid ${OTHER_UID}, not by you (uid ${UID}): another user may have created it to make the admin connection trust their CA`),
        );
    });

    it("is refused below a directory that other users can write and that is not sticky, or that another user owns", asRoot, () => {
        fs.chmodSync(base, 0o777);
        assert.equal(
            refusal(() => checkAdminCaDirectory(dir, currentOwner(), { create: true })),
            refusedDirectory(dir, `${base} above it can be written by other users (mode 0777, not sticky), who could replace it`),
        );
        assert.deepEqual(fs.readdirSync(base), [], "nothing is created below it");
        // Sticky, like /tmp: only an entry's owner may rename or delete it.
        fs.chmodSync(base, 0o1777);
        assert.equal(checkAdminCaDirectory(dir, currentOwner(), { create: true }), true);
        fs.rmdirSync(dir);
        fs.chmodSync(base, 0o755);
        fs.chownSync(base, OTHER_UID, OTHER_UID);
        assert.equal(
            refusal(() => checkAdminCaDirectory(dir, currentOwner(), { create: true })),
            refusedDirectory(dir, `${base} above it is owned by uid ${OTHER_UID}, neither root nor you (uid ${UID}), who could replace it`),
        );
    });
});

describe("the file", () => {
    const file = () => path.join(dir, "db-endpoints-dev-legacy-ca.pem");

    it("is written with mode 0644 whatever the umask, in the directory it creates, leaving nothing else", () => {
        const umask = process.umask(0o077);
        try {
            writeAdminCaFile(file(), CA_BUNDLE);
        } finally {
            process.umask(umask);
        }
        assert.equal(fs.readFileSync(file(), "utf8"), CA_BUNDLE);
        assert.equal(fs.lstatSync(file()).mode & 0o7777, 0o644);
        assert.equal(fs.lstatSync(dir).mode & 0o7777, 0o700);
        assert.deepEqual(fs.readdirSync(dir), [path.basename(file())]);
        verifyAdminCaFile(file(), CA_BUNDLE);
    });

    it("replaces a link at its name instead of writing through it", () => {
        fs.mkdirSync(dir, { mode: 0o700 });
        const elsewhere = path.join(base, "elsewhere.pem");
        fs.writeFileSync(elsewhere, "someone else's file\n");
        fs.symlinkSync(elsewhere, file());
        writeAdminCaFile(file(), CA_BUNDLE);
        assert.equal(fs.lstatSync(file()).isFile(), true, "the link is replaced by a file");
        assert.equal(fs.readFileSync(file(), "utf8"), CA_BUNDLE);
        assert.equal(fs.readFileSync(elsewhere, "utf8"), "someone else's file\n");
        assert.deepEqual(fs.readdirSync(dir), [path.basename(file())]);
    });

    it("is not written into a refused directory", () => {
        fs.mkdirSync(dir, { mode: 0o777 });
        fs.chmodSync(dir, 0o777);
        assert.equal(refusal(() => writeAdminCaFile(file(), CA_BUNDLE)), refusedDirectory(dir, "its mode 0777 lets its group or other users write in it"));
        assert.deepEqual(fs.readdirSync(dir), []);
    });

    it("reports a failed write with the path and what to do, and leaves no temporary file", () => {
        fs.mkdirSync(file(), { recursive: true, mode: 0o700 });
        fs.chmodSync(dir, 0o700);
        assert.throws(
            () => writeAdminCaFile(file(), CA_BUNDLE),
            (e: Error) => {
                assert.ok(!(e instanceof AdminCaFileError));
                const prefix = `cannot write the stack's CA bundle for the admin connection to ${file()} (`;
                assert.ok(e.message.startsWith(prefix), e.message);
                assert.match(e.message.slice(prefix.length), /^E[A-Z]+: .+\); set TMPDIR to a directory that only you can write, or set adminSslRootCert/);
                assert.ok(e.message.endsWith(REMEDY), e.message);
                return true;
            },
        );
        assert.deepEqual(fs.readdirSync(dir), [path.basename(file())]);
        assert.deepEqual(fs.readdirSync(file()), []);
    });

    it("is read back: a different content, a link, a mode others can write, or another owner is refused", () => {
        writeAdminCaFile(file(), CA_BUNDLE);
        fs.writeFileSync(file(), `${CA_BUNDLE}extra`);
        assert.equal(
            refusal(() => verifyAdminCaFile(file(), CA_BUNDLE)),
            refusedFile(file(), `it does not hold the bundle written to it (${CA_BUNDLE.length + 5} characters, not shown, instead of ${CA_BUNDLE.length})`),
        );

        fs.writeFileSync(file(), CA_BUNDLE);
        fs.chmodSync(file(), 0o666);
        assert.equal(refusal(() => verifyAdminCaFile(file(), CA_BUNDLE)), refusedFile(file(), "its mode 0666 lets its group or other users change it"));

        const copy = path.join(base, "copy.pem");
        fs.writeFileSync(copy, CA_BUNDLE);
        fs.rmSync(file());
        fs.symlinkSync(copy, file());
        assert.equal(refusal(() => verifyAdminCaFile(file(), CA_BUNDLE)), refusedFile(file(), "it is a symbolic link"));

        fs.rmSync(file());
        assert.equal(refusal(() => verifyAdminCaFile(file(), CA_BUNDLE)), refusedFile(file(), "it does not exist"));
    });

    it("is read back after it is written, so what the provider is pointed at is what was written", () => {
        // Stands for anything that changes the file between the write and its use. The module object itself:
        // the namespace import only has getters, which read it at each call.
        const nodeFs: typeof fs = require("node:fs");
        const rename = nodeFs.renameSync;
        nodeFs.renameSync = (from, to) => {
            rename(from, to);
            fs.writeFileSync(to, "-----BEGIN CERTIFICATE-----\nQW5vdGhlciBDQQ==\n-----END CERTIFICATE-----\n");
        };
        try {
            assert.equal(
                refusal(() => writeAdminCaFile(file(), CA_BUNDLE)),
                refusedFile(file(), `it does not hold the bundle written to it (71 characters, not shown, instead of ${CA_BUNDLE.length})`),
            );
        } finally {
            nodeFs.renameSync = rename;
        }
    });

    it("owned by another user is refused", asRoot, () => {
        writeAdminCaFile(file(), CA_BUNDLE);
        fs.chownSync(file(), OTHER_UID, OTHER_UID);
        assert.equal(refusal(() => verifyAdminCaFile(file(), CA_BUNDLE)), refusedFile(file(), `it is owned by uid ${OTHER_UID}, not by you (uid ${UID})`));
        assert.equal(refusal(() => checkExistingAdminCaFile(file())), refusedFile(file(), `it is owned by uid ${OTHER_UID}, not by you (uid ${UID})`));
    });

    it("is only checked, where it exists, by a preview", () => {
        checkExistingAdminCaFile(file());
        assert.deepEqual(fs.readdirSync(base), [], "a preview creates nothing");
        fs.mkdirSync(dir, { mode: 0o700 });
        checkExistingAdminCaFile(file());
        // A stale bundle is fine: the next deployment replaces it. Who can change it is not.
        fs.writeFileSync(file(), "stale bundle\n", { mode: 0o644 });
        checkExistingAdminCaFile(file());
        fs.chmodSync(file(), 0o646);
        assert.equal(refusal(() => checkExistingAdminCaFile(file())), refusedFile(file(), "its mode 0646 lets its group or other users change it"));
        fs.chmodSync(dir, 0o777);
        assert.equal(refusal(() => checkExistingAdminCaFile(file())), refusedDirectory(dir, "its mode 0777 lets its group or other users write in it"));
    });
});

describe("a deployment of DatabaseIntegrations for a self-managed PostgreSQL database", () => {
    let cloud: MockCloud;
    let components: typeof import("../infra/components/databaseIntegrations");
    const savedTmpdir = process.env.TMPDIR;

    before(async () => {
        const world = exampleWorld();
        world.secrets = { ...world.secrets, [ADMIN_ARN]: { secretString: JSON.stringify({ username: "dba", password: "dba-password" }) } };
        cloud = installMockCloud(world);
        components = await import("../infra/components/databaseIntegrations");
    });
    beforeEach(() => {
        process.env.TMPDIR = base;
        cloud.reset();
    });
    after(() => {
        if (savedTmpdir === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = savedTmpdir;
    });

    async function deploy(): Promise<void> {
        cloud.reset();
        new components.DatabaseIntegrations("crm", {
            engine: DatabaseEngine.Postgres,
            dbName: "crm",
            endpointHostname: "crm.db.example.com",
            endpointPort: 5432,
            databasePort: 5432,
            adminSecretArn: ADMIN_ARN,
            adminCaCertificatePem: pulumi.output(CA_BUNDLE),
            integrations: [{ name: "census", access: IntegrationAccess.Read, schemas: ["public"] }],
        });
        await settle();
        await new Promise((resolve) => setImmediate(resolve));
    }

    const file = () => path.join(dir, "db-endpoints-dev-crm-ca.pem");
    /** The errors the deployment reported (each waiting registration repeats the provider's). */
    const errors = () => [...new Set(cloud.asyncErrors.map((e) => e.message.replace(/^.*?(?=refusing)/s, "")))];

    it("checks the directory again at each deployment and stops before the provider exists when it can be written by others", async () => {
        await deploy();
        assert.equal(cloud.named("crm-postgresql").inputs.sslrootcert, file());
        assert.equal(fs.readFileSync(file(), "utf8"), CA_BUNDLE);
        assert.deepEqual(cloud.asyncErrors.map((e) => e.message), []);

        // Between two deployments the directory becomes writable by others: the next one refuses it.
        fs.chmodSync(dir, 0o777);
        await deploy();
        assert.deepEqual(errors(), [refusedDirectory(dir, "its mode 0777 lets its group or other users write in it")]);
        assert.deepEqual(cloud.ofType("pulumi:providers:postgresql"), []);
        assert.deepEqual(cloud.ofType("postgresql:index/role:Role"), []);
    });

    it("stops before the provider exists when another user created the directory first, and writes nothing there", asRoot, async () => {
        fs.mkdirSync(dir, { mode: 0o755 });
        fs.chownSync(dir, OTHER_UID, OTHER_UID);
        await deploy();
        assert.deepEqual(errors(), [
            refusedDirectory(dir, `it is owned by uid ${OTHER_UID}, not by you (uid ${UID}): another user may have created it to make the admin connection trust their CA`),
        ]);
        assert.deepEqual(cloud.ofType("pulumi:providers:postgresql"), []);
        assert.deepEqual(fs.readdirSync(dir), []);
    });
});
