import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { asAssetLike, assetTexts } from "../lib/assets";
import { NOT_YET_KNOWN, propertyPath, read, readString } from "../lib/props";
import { AWS } from "../lib/types";

// A whole webhook (a prefix alone, as in a validation message, is not a secret).
const SLACK_WEBHOOK = /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]+\/[A-Za-z0-9_-]+/i;

/** Property paths under `value` that hold a Slack webhook URL, including text files inside archives. */
async function webhookPaths(value: unknown, path: string): Promise<string[]> {
    if (value === NOT_YET_KNOWN || value === undefined) {
        return [];
    }
    if (typeof value === "string") {
        return SLACK_WEBHOOK.test(value) ? [path] : [];
    }
    const asset = asAssetLike(value);
    if (asset) {
        const texts = await assetTexts(asset);
        return texts.filter((t) => SLACK_WEBHOOK.test(t.text)).map((t) => (t.entry ? `${path}[${JSON.stringify(t.entry)}]` : path));
    }
    const found: string[] = [];
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            found.push(...(await webhookPaths(read(value, i), propertyPath(path, i))));
        }
        return found;
    }
    if (value !== null && typeof value === "object") {
        for (const key of Object.keys(value)) {
            found.push(...(await webhookPaths(read(value, key), propertyPath(path, key))));
        }
    }
    return found;
}

// The write-only fields (valueWo, secretStringWo) are never written to state or shown in a plan, so
// they are the safest place of all: the value reaches the secret store and nowhere else.
const PARAMETER_VALUE_PATHS = ["value", "valueWo"];
const SECRET_VERSION_VALUE_PATHS = ["secretString", "secretStringWo"];

function webhookAllowedAt(args: ResourceValidationArgs, path: string): boolean {
    if (args.type === AWS.ssmParameter && PARAMETER_VALUE_PATHS.includes(path)) {
        const type = readString(args.props, "type");
        // A type still being computed cannot be judged here; the update's own check will see it.
        return type === "SecureString" || type === NOT_YET_KNOWN;
    }
    return args.type === AWS.secretVersion && SECRET_VERSION_VALUE_PATHS.includes(path);
}

export const slackWebhookInSecret: ResourceValidationPolicy = {
    name: "slack-webhook-in-secret",
    description:
        "A Slack webhook URL appears only as the value (or write-only valueWo) of an SSM SecureString parameter or the secretString (or write-only secretStringWo) of a Secrets Manager secret version.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Store the webhook URL as the value of an aws.ssm.Parameter of type SecureString (or the secretString of an aws.secretsmanager.SecretVersion); " +
        "their write-only valueWo and secretStringWo are better still, as they never reach the state file. " +
        "pass the function only the parameter's name, and read the URL with ssm:GetParameter (WithDecryption) at run time. " +
        "Never capture the URL, or a configuration object that holds it, in a callback function's closure.",
    validateResource: async (args, reportViolation) => {
        const paths = await webhookPaths(args.props, "");
        for (const path of paths) {
            if (webhookAllowedAt(args, path)) {
                continue;
            }
            if (args.type === AWS.ssmParameter && PARAMETER_VALUE_PATHS.includes(path)) {
                reportViolation(
                    `Parameter "${args.name}" stores a Slack webhook URL in ${path} as a plain ${String(readString(args.props, "type") ?? "String")} parameter, ` +
                        `readable by anyone who can read the parameter or the stack; set its type to "SecureString".`,
                );
                continue;
            }
            reportViolation(
                `Resource "${args.name}" (${args.type}) has a Slack webhook URL in ${path}, where it is stored in plain text and shown to anyone who can read ` +
                    `the resource; keep the URL only in an SSM SecureString parameter's value or a Secrets Manager secret version's secretString and read it from there at run time.`,
            );
        }
    },
};
