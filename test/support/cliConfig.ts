import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import type { ConfigSource } from "../../program/configValues";
import { loadStackConfig } from "../../tools/plan";
import { REPO_ROOT } from "../../tools/repoRoot";
import { TEST_WEBHOOK } from "./program";

const PROJECT = "console-login-alerts";

/**
 * The configuration the program sees when a stack file sets only `values` (short keys, written as
 * YAML the way Pulumi.<stack>.yaml holds them): the CLI fills every other key with its Pulumi.yaml
 * default, so a default reaches the program exactly as a value the stack set would.
 */
export function cliConfigSource(values: Record<string, unknown>): ConfigSource {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "login-alerts-config-"));
    try {
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        const config = Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, v]));
        fs.writeFileSync(path.join(root, "Pulumi.test.yaml"), yaml.dump({ config }));
        const loaded = loadStackConfig("test", root);
        const full: Record<string, string> = { ...loaded.config, [`${PROJECT}:slackWebhookUrl`]: TEST_WEBHOOK };
        return { get: (k) => full[`${PROJECT}:${k}`], isSecret: (k) => k === "slackWebhookUrl" };
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}
