/** The command line of `npm run verify` (infra/verify/options.ts): every flag, and every problem at once. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseVerifyArgs } from "../../infra/verify/options";

describe("the verify command line", () => {
    it("defaults to the current stack, every endpoint, lines, no AWS, a 30-day window and 10 s steps", () => {
        assert.deepEqual(parseVerifyArgs([]), {
            source: { kind: "pulumi" },
            json: false,
            aws: false,
            expiryWindowDays: 30,
            timeoutMs: 10_000,
            resolve: {},
            quiet: false,
            help: false,
        });
    });

    it("reads every flag, in both spellings", () => {
        assert.deepEqual(
            parseVerifyArgs([
                "--stack=prod", "--endpoint", "reporting", "--aws", "--rds-ca-bundle", "global-bundle.pem", "--json", "--expiry-window-days", "14",
                "--timeout=2.5", "--engine", "mysql", "--resolve", "DB.example.com=198.51.100.10,198.51.100.20", "--resolve", "db.example.com=2001:db8::1", "-q",
            ]),
            {
                source: { kind: "pulumi", stack: "prod" },
                endpoint: "reporting",
                json: true,
                rdsCaBundle: "global-bundle.pem",
                aws: true,
                expiryWindowDays: 14,
                timeoutMs: 2500,
                engine: "mysql",
                resolve: { "db.example.com": ["198.51.100.10", "198.51.100.20", "2001:db8::1"] },
                quiet: true,
                help: false,
            },
        );
        assert.deepEqual(parseVerifyArgs(["--outputs", "outputs.json"]).source, { kind: "file", path: "outputs.json" });
    });

    it("lists every problem, then the usage", () => {
        assert.throws(
            () => parseVerifyArgs(["--stack", "a", "--outputs", "b.json", "--expiry-window-days", "-1", "--engine", "oracle", "--resolve", "db=not-an-ip", "--timeout", "--bogus", "--json=yes"]),
            (e: Error) => {
                assert.deepEqual(e.message.split("\n\n")[0].split("\n"), [
                    "give --stack or --outputs once, not both",
                    '--expiry-window-days "-1" is not a whole number of days (0..3650)',
                    '--engine "oracle" is not postgres or mysql',
                    '--resolve "db=not-an-ip" is not HOST=ADDRESS[,ADDRESS...] with IP addresses',
                    "--timeout needs a value",
                    'unknown argument "--bogus"',
                    "--json takes no value",
                ]);
                assert.match(e.message, /\n\nusage: npm run verify -- /);
                return true;
            },
        );
    });
});
