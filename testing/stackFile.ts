/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program: a flat map of
 * `namespace:key` to a string (objects and lists as JSON). Used by the offline plan and the tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

export const REPO_ROOT = path.resolve(__dirname, "..");

export interface StackFile {
    path: string;
    config: Record<string, string>;
    /** Keys whose values are `secure:` ciphertexts, which cannot be decrypted without the Pulumi CLI. */
    secureKeys: string[];
}

export function readStackFile(stack: string, root = REPO_ROOT): StackFile {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file ${path.relative(process.cwd(), file) || file}`);
    return parseStackFile(fs.readFileSync(file, "utf8"), file);
}

/** A stack file's text (read from disk, or from git at another commit), as {@link readStackFile} reads it. */
export function parseStackFile(text: string, file: string): StackFile {
    const doc = yaml.load(text) as { config?: Record<string, unknown> } | null;
    const config: Record<string, string> = {};
    const secureKeys: string[] = [];
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        const fullKey = key.includes(":") ? key : `db-endpoints:${key}`;
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            secureKeys.push(fullKey);
            config[fullKey] = "[secret]";
            continue;
        }
        config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { path: file, config, secureKeys };
}
