import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { Budget, asAssetLike, assetFiles } from "../lib/assets";
import { NOT_YET_KNOWN, propertyPath, read, readString } from "../lib/props";
import { AWS } from "../lib/types";

// A whole webhook (a prefix alone, as in a validation message, is not a secret), on Slack or on
// GovSlack, which serves Slack's APIs on slack-gov.com instead of slack.com
// (https://docs.slack.dev/reference/methods/oauth.v2.access), so its webhooks are hooks.slack-gov.com.
const SLACK_WEBHOOK = /hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]+\/[A-Za-z0-9_-]+/i;

// Slack tokens, by the prefixes Slack documents: xoxb- (bot), xoxp- (user) and xapp- (app-level),
// https://api.slack.com/authentication/token-types; xoxe.xoxp- config tokens and their xoxe- refresh
// tokens, https://api.slack.com/methods/tooling.tokens.rotate (rotating tokens are xoxe.xoxb-/xoxe.xoxp-,
// found by their xoxb-/xoxp- part); xoxa- workspace-app tokens, https://api.slack.com/methods/oauth.token.
// Slack's pages say nothing of xoxr-, so it is not matched. After the prefix every one of them goes
// on with a number (a team or version: xoxb-1234-..., xapp-1-..., xoxe-1-...), which prose such as
// "tokens start with xoxb-" and placeholders such as "xoxb-your-token" do not.
const SLACK_TOKEN = /(?<![A-Za-z0-9])(?:xox[abpe]|xapp)-\d+-[A-Za-z0-9-]{6,}/;

// A Slack app's signing secret is a run of hexadecimal digits with no prefix
// (https://api.slack.com/authentication/verifying-requests-from-slack), so it is recognisable only
// by what holds it: a key (an environment variable, a tag, a property, a key in a file's text) or
// an SSM parameter's name that says "signing secret", with a value of at least 16 letters and
// digits. A parameter's name or ARN (SIGNING_SECRET_PARAMETER_NAME) has `/` or `:`, so it is no such value.
const SIGNING_SECRET_KEY = /signing[_-]?secret/i;
const SIGNING_SECRET_VALUE = /^[A-Za-z0-9]{16,}$/;
// In a file or a longer text: `signingSecret: "…"`, `"SLACK_SIGNING_SECRET": "…"`, `SLACK_SIGNING_SECRET=…`.
const SIGNING_SECRET_ASSIGNED = /signing[_-]?secret\w*["'`]?\s*[:=]\s*["'`]?[A-Za-z0-9]{16,}(?![A-Za-z0-9])/i;

// Percent-encoding (a URL in a query string, partly or twice encoded) and the escapes JSON and
// JavaScript allow in a string ("https:\/\/hooks...", "\u002F") hide a webhook from the patterns.
function decoded(text: string): string {
    let out = text;
    for (let round = 0; round < 3 && /%[0-9a-f]{2}|\\u00[0-9a-f]{2}|\\\//i.test(out); round++) {
        out = out
            .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
            .replace(/\\u00([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
            .replace(/\\\//g, "/");
    }
    return out;
}

type Credential = "webhook" | "token" | "signing secret";

/**
 * The Slack credentials a text holds, in a fixed order; `keyed`: the key or parameter name that
 * holds the text says it is a signing secret.
 */
export function slackCredentialsIn(text: string, keyed = false): Credential[] {
    const plain = decoded(text);
    const found: Credential[] = [];
    if (SLACK_WEBHOOK.test(plain)) {
        found.push("webhook");
    }
    if (SLACK_TOKEN.test(plain)) {
        found.push("token");
    }
    if ((keyed && SIGNING_SECRET_VALUE.test(plain.trim())) || SIGNING_SECRET_ASSIGNED.test(plain)) {
        found.push("signing secret");
    }
    return found;
}

/** Where a credential was found: a property path, or why the files there could not be checked. */
type Finding = { path: string; credentials: Credential[] } | { path: string; unread: string };

async function assetFindings(value: unknown, path: string): Promise<Finding[] | undefined> {
    const asset = asAssetLike(value);
    if (!asset) {
        return undefined;
    }
    const found: Finding[] = [];
    const budget = new Budget();
    for await (const file of assetFiles(asset, "", budget)) {
        const at = file.entry ? `${path}[${JSON.stringify(file.entry)}]` : path;
        if ("unread" in file) {
            found.push({ path: at, unread: file.unread });
            continue;
        }
        const credentials = slackCredentialsIn(file.text);
        if (credentials.length > 0) {
            found.push({ path: at, credentials });
        }
    }
    if (budget.exhausted) {
        found.push({ path, unread: budget.exhausted });
    }
    return found;
}

/** Whether the value at a path, under the given key, is named as a signing secret. */
type SaysSigningSecret = (key: string, path: string) => boolean;

/** Property paths under `value` that hold a Slack credential, including files inside assets and archives. */
async function findings(value: unknown, path: string, says: SaysSigningSecret, key = ""): Promise<Finding[]> {
    if (value === NOT_YET_KNOWN || value === undefined) {
        return [];
    }
    if (typeof value === "string") {
        const credentials = slackCredentialsIn(value, says(key, path));
        return credentials.length > 0 ? [{ path, credentials }] : [];
    }
    const inAsset = await assetFindings(value, path);
    if (inAsset) {
        return inAsset;
    }
    const found: Finding[] = [];
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            found.push(...(await findings(read(value, i), propertyPath(path, i), says)));
        }
        return found;
    }
    if (value !== null && typeof value === "object") {
        for (const child of Object.keys(value)) {
            found.push(...(await findings(read(value, child), propertyPath(path, child), says, child)));
        }
    }
    return found;
}

// The write-only fields (valueWo, secretStringWo) are never written to state or shown in a plan, so
// they are the safest place of all: the value reaches the secret store and nowhere else.
const PARAMETER_VALUE_PATHS = ["value", "valueWo"];
const SECRET_VERSION_VALUE_PATHS = ["secretString", "secretStringWo"];

/** A key that says signing secret, or any value of an SSM parameter whose name says so. */
function signingSecretNames(args: ResourceValidationArgs): SaysSigningSecret {
    const name = args.type === AWS.ssmParameter ? readString(args.props, "name") : undefined;
    const parameterSays = typeof name === "string" && SIGNING_SECRET_KEY.test(name);
    return (key, path) => SIGNING_SECRET_KEY.test(key) || (parameterSays && [...PARAMETER_VALUE_PATHS, "insecureValue"].includes(path));
}

function allowedAt(args: ResourceValidationArgs, path: string): boolean {
    if (args.type === AWS.ssmParameter && PARAMETER_VALUE_PATHS.includes(path)) {
        const type = readString(args.props, "type");
        // A type still being computed cannot be judged here; the update's own check will see it.
        return type === "SecureString" || type === NOT_YET_KNOWN;
    }
    return args.type === AWS.secretVersion && SECRET_VERSION_VALUE_PATHS.includes(path);
}

const NAMES: Record<Credential, { what: string; it: string }> = {
    webhook: { what: "a Slack webhook URL", it: "the URL" },
    token: { what: "a Slack token", it: "the token" },
    "signing secret": { what: "a Slack signing secret", it: "the secret" },
};

/** What was found, named without repeating it: "a Slack webhook URL", and "the URL" to refer back. */
function named(credentials: Credential[]): { what: string; it: string } {
    const whats = credentials.map((c) => NAMES[c].what);
    if (whats.length > 1) {
        return { what: `${whats.slice(0, -1).join(", ")} and ${whats.at(-1)!}`, it: "them" };
    }
    return NAMES[credentials[0]!];
}

function message(args: ResourceValidationArgs, finding: Finding): string {
    if ("unread" in finding) {
        return (
            `Resource "${args.name}" (${args.type}) uploads files in ${finding.path} that the policy cannot check for a Slack webhook URL, token or signing secret: ` +
            `${finding.unread}; if they hold no Slack credential, exempt the resource in this policy's config, with the reason.`
        );
    }
    const { what, it } = named(finding.credentials);
    if (args.type === AWS.ssmParameter && PARAMETER_VALUE_PATHS.includes(finding.path)) {
        return (
            `Parameter "${args.name}" stores ${what} in ${finding.path} as a plain ${String(readString(args.props, "type") ?? "String")} parameter, ` +
            `readable by anyone who can read the parameter or the stack; set its type to "SecureString".`
        );
    }
    return (
        `Resource "${args.name}" (${args.type}) has ${what} in ${finding.path}, where it is stored in plain text and shown to anyone who can read ` +
        `the resource; keep ${it} only in an SSM SecureString parameter's value or a Secrets Manager secret version's secretString and read it from there at run time.`
    );
}

export const slackWebhookInSecret: ResourceValidationPolicy = {
    name: "slack-webhook-in-secret",
    description:
        "A Slack webhook URL, token or signing secret appears only as the value (or write-only valueWo) of an SSM SecureString parameter or the secretString (or write-only secretStringWo) of a Secrets Manager secret version.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Store the webhook URL, token or signing secret as the value of an aws.ssm.Parameter of type SecureString (or the secretString of an aws.secretsmanager.SecretVersion); " +
        "their write-only valueWo and secretStringWo are better still, as they never reach the state file. " +
        "pass the function only the parameter's name, and read the value with ssm:GetParameter (WithDecryption) at run time. " +
        "Never capture it, or a configuration object that holds it, in a callback function's closure, nor ship it in a file of the function's code.",
    validateResource: async (args, reportViolation) => {
        for (const finding of await findings(args.props, "", signingSecretNames(args))) {
            if ("credentials" in finding && allowedAt(args, finding.path)) {
                continue;
            }
            reportViolation(message(args, finding));
        }
    },
};
