/**
 * The Pulumi CLI minimum (infra/pulumiVersion.ts): the run-time check the program makes before registering
 * anything, and the `requiredPulumiVersion` every project file of the product declares.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { PULUMI_CLI, REQUIRED_PULUMI_VERSION, requirePulumiCli } from "../infra/pulumiVersion";

const ROOT = path.resolve(__dirname, "..");

describe("requirePulumiCli", () => {
    it("asks the engine for 3.238.0 or newer, and passes when it agrees", async () => {
        const asked: string[] = [];
        await requirePulumiCli(async (range) => {
            asked.push(range);
        });
        assert.deepEqual(asked, [">=3.238.0"]);
        assert.deepEqual(PULUMI_CLI, { hooks: "3.182.0", minimum: "3.238.0" });
    });

    it("fails with what to do and the engine's own words when the CLI is older", async () => {
        await assert.rejects(
            requirePulumiCli(async () => {
                throw new Error('Pulumi CLI version 3.200.0 does not satisfy the version range ">=3.238.0"');
            }),
            {
                message:
                    "db-endpoints needs the Pulumi CLI 3.238.0 or newer: its restarts are resource hooks, which older CLIs either do not run " +
                    "(before 3.182.0) or only warn about when they fail, reporting the deployment as succeeded. Upgrade the CLI (pulumi version " +
                    "prints yours; https://www.pulumi.com/docs/install/). The engine said: Pulumi CLI version 3.200.0 does not satisfy the " +
                    'version range ">=3.238.0"',
            },
        );
    });

    it("passes where no engine is connected (unit tests)", async () => {
        // This process has no engine: pulumi.runtime.requirePulumiVersion resolves without asking anyone.
        await requirePulumiCli();
    });
});

describe("requiredPulumiVersion", () => {
    it("is the same range in the program's, the plugin's and the examples' project files", () => {
        for (const file of ["Pulumi.yaml", "PulumiPlugin.yaml", "examples/csharp/Pulumi.yaml", "examples/yaml/Pulumi.yaml"]) {
            const project = yaml.load(fs.readFileSync(path.join(ROOT, file), "utf8")) as Record<string, unknown>;
            assert.equal(project.requiredPulumiVersion, REQUIRED_PULUMI_VERSION, file);
        }
    });

    it("the program entry checks the CLI before building anything", () => {
        const entry = fs.readFileSync(path.join(ROOT, "infra", "index.ts"), "utf8");
        assert.match(entry, /export = async \(\) => \{\n {4}await requirePulumiCli\(\);\n {4}return main\(\);\n\};/);
    });
});
