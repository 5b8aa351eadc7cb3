import { readStackSettings } from "../../program/settings";
import type { FunctionConfig } from "../../shared/contract";
import { functionConfig } from "../../program/loginAlerts";
import { runProgramOffline, type OfflineRun, type RecordedResource } from "../../tools/offlineEngine";

/** A webhook URL that must never show up anywhere but the SSM parameter. */
export const TEST_WEBHOOK = "https://hooks.slack.com/services/T0TEST000/B0TEST000/s3cr3tW3bh00kT0k3nZZ";
export const WEBHOOK_KEY = "console-login-alerts:slackWebhookUrl";

/** The Slack app's secrets ("Was this you?"), which must never show up anywhere but their SSM parameters. */
export const TEST_BOT_TOKEN = "xoxb-1234567890-1234567890123-B0tT0k3nPr0beZZ";
export const TEST_SIGNING_SECRET = "S1gn1ngS3cr3tPr0beZZ0123456789ab";
/** The keys a stack sets with --secret. */
export const SECRET_KEYS = ["slackWebhookUrl", "slackBotToken", "slackSigningSecret"] as const;

/** A stack that asks "Was this you?" about one rule's and one severity's sign-ins (short keys). */
export const CONFIRM_ON: Readonly<Record<string, string>> = {
    confirm: JSON.stringify({ rules: ["signin-without-mfa"], severities: ["critical"], channel: "C0123ABCDEF" }),
    slackBotToken: TEST_BOT_TOKEN,
    slackSigningSecret: TEST_SIGNING_SECRET,
};

/** Runs the program with the given extra config (short keys), the webhook and the Slack app's secrets set as secrets. */
export function runWith(extra: Record<string, string> = {}, stack = "dev"): Promise<OfflineRun> {
    const config: Record<string, string> = { [WEBHOOK_KEY]: TEST_WEBHOOK };
    for (const [k, v] of Object.entries(extra)) {
        config[`console-login-alerts:${k}`] = v;
    }
    const secretKeys = SECRET_KEYS.map((k) => `console-login-alerts:${k}`).filter((k) => k in config);
    return runProgramOffline({ config, secretKeys, stack });
}

/** What the program captures into the function's code for the given extra config (short keys). */
export function functionConfigFor(extra: Record<string, string> = {}): FunctionConfig {
    const values: Record<string, string> = { slackWebhookUrl: TEST_WEBHOOK, ...extra };
    return functionConfig(readStackSettings({ get: (k) => values[k], isSecret: (k) => (SECRET_KEYS as readonly string[]).includes(k) }));
}

let defaultRun: Promise<OfflineRun> | undefined;

/** The program with default configuration, run once per test process. */
export function defaultProgram(): Promise<OfflineRun> {
    defaultRun ??= runWith();
    return defaultRun;
}

export function byName(run: OfflineRun, name: string): RecordedResource {
    const found = run.resources.find((r) => r.name === name);
    if (!found) {
        throw new Error(`no resource named ${name}; have ${run.resources.map((r) => r.name).join(", ")}`);
    }
    return found;
}

export function ofType(run: OfflineRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** Parses a JSON policy document input. */
export function policyDoc(resource: RecordedResource, input = "policy"): { Statement: Array<Record<string, unknown>> } {
    return JSON.parse(String(resource.inputs[input])) as { Statement: Array<Record<string, unknown>> };
}
