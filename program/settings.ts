/**
 * A stack's settings: what the component takes, and reading them from the stack's configuration.
 * Every key is checked; the first problem stops `pulumi preview` with a message that names the
 * key and the fix.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AllowEntry } from "../shared/allowList";
import type { Language, Severity, SummaryPeriod } from "../shared/contract";
import { webhookProblem } from "../shared/webhook";
import { EMAIL_ADDRESS } from "../shared/addresses";
import { ConfigError, isRecord, key, PROJECT, readBoolean, readInteger, readJson, readOptional, type ConfigSource } from "./configValues";
import { readAllowList } from "./allowListSettings";
import { DEFAULTS } from "./defaults";
import { REGION_NAME } from "./names";
import type { DeployTimeRule } from "./rules";
import { readInsights } from "./insightSettings";
import { readTags } from "./tags";
import { readOrganization, type OrganizationSettings } from "./organization/settings";
import { readConfirm, type ConfirmSettings } from "./confirmSettings";
import type { ConfirmConfig } from "../shared/confirm";
import { isSeverity, LOG_GROUP_NAME, readRules, SEVERITIES } from "./ruleSettings";

export { ConfigError, DEFAULTS, type ConfigSource };

export interface LoginAlertsArgs {
    /** The Slack incoming webhook URL. Stored only in an SSM SecureString parameter; pass a secret. */
    slackWebhookUrl: pulumi.Input<string>;
    /** Alert rules; each gets its own metric filter and alarm. */
    rules: DeployTimeRule[];
    /** IANA time zone for event times in Slack. Defaults to UTC. */
    timeZone?: string;
    /** Retention of the trail's CloudWatch Logs log group. Defaults to 365. */
    trailLogRetentionDays?: number;
    /** Retention of the function's own log group. Defaults to 365. */
    functionLogRetentionDays?: number;
    /** Days before trail log files in S3 expire. Defaults to 365. */
    trailBucketExpirationDays?: number;
    /** Let `pulumi destroy` delete a bucket that still holds log files. Defaults to false. */
    forceDestroyTrailBucket?: boolean;
    /** Slack mention per severity, e.g. `{ critical: "<!here>" }`. Defaults to none. */
    mentions?: Partial<Record<Severity, string>>;
    /** Names shown beside account ids. Defaults to none. */
    accountLabels?: Record<string, string>;
    /** Post a note when an alarm returns to OK. Defaults to false. */
    notifyOnOk?: boolean;
    /** How far back each lookup re-reads to catch late CloudTrail deliveries. Defaults to 60. */
    lagAllowanceMinutes?: number;
    /** Minutes between scheduled sweeps. Defaults to 5. */
    sweepIntervalMinutes?: number;
    /** Use an existing trail's CloudWatch Logs log group instead of creating a trail, bucket and log group. */
    existingTrailLogGroupName?: string;
    /** With an existing trail: its ARN, whose status the function reads on every sweep. Defaults to none. */
    existingTrailArn?: string;
    /** Create an organization trail (management account or delegated administrator). Defaults to false. */
    organizationTrail?: boolean;
    /** Email address subscribed to the operators' topic (dead letters, function errors). Defaults to none. */
    operatorEmail?: string;
    /** Encrypt both SNS topics with a customer-managed KMS key CloudWatch may use. Defaults to false. */
    encryptTopics?: boolean;
    /** Encrypt the trail's S3 log files and its log group with a customer-managed KMS key. Defaults to false. */
    encryptTrailLogs?: boolean;
    /** Known principals and networks whose sign-ins are downgraded or not posted. Defaults to none. */
    allowList?: AllowEntry[];
    /** Forward sign-ins through EventBridge within seconds, besides the CloudWatch Logs alarms. Defaults to true. */
    fastPath?: boolean;
    /**
     * The regions whose EventBridge default bus forwards sign-ins; the component creates no fast path
     * without them. The program fills in the account's enabled regions when configuration names none.
     */
    fastPathRegions?: string[];
    /** The language of every message the function posts. Defaults to "en". */
    language?: Language;
    /** Days a network, browser family or region stays known after a principal's last sign-in; 0 turns first-seen off. Defaults to 90. */
    firstSeenDays?: number;
    /** Rule id → the severity its sign-ins take from a network new to the principal. Defaults to console-signin → high. */
    newNetworkSeverity?: Record<string, Severity>;
    /** A summary of the period's sign-ins, posted daily or weekly at 09:00 in the time zone. Defaults to "off". */
    summary?: SummaryPeriod;
    /** Minutes without any event reaching the trail's log group before the delivery heartbeat fires; 0 turns it off. Defaults to 1440. */
    heartbeatMinutes?: number;
    /** Tags for every resource that takes tags, besides the provider's aws:defaultTags. Defaults to none. */
    tags?: Record<string, string>;
    /** The organization whose member accounts forward their events through a StackSet. Defaults to none. */
    organization?: OrganizationSettings;
    /** "Was this you?": whom the Slack app asks about which sign-ins; pass the two secrets as secrets. Defaults to nobody. */
    confirm?: ConfirmConfig & { slackBotToken: pulumi.Input<string>; slackSigningSecret: pulumi.Input<string> };
}

/** Settings for one stack, validated: the component's args, every default filled in. */
export type StackSettings = Required<
    Omit<
        LoginAlertsArgs,
        "slackWebhookUrl" | "existingTrailLogGroupName" | "existingTrailArn" | "operatorEmail" | "organization" | "confirm"
    >
> &
    Pick<LoginAlertsArgs, "existingTrailLogGroupName" | "existingTrailArn" | "operatorEmail" | "organization"> & {
        /** Plain text only in memory, for validation; the program wraps it with `pulumi.secret`. */
        slackWebhookUrl: string;
        /** Its two secrets likewise. */
        confirm?: ConfirmSettings;
    };

// The values CloudWatch Logs accepts for retentionInDays.
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const WEBHOOK_EXAMPLE = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX";
const SET_WEBHOOK = `pulumi config set --secret slackWebhookUrl ${WEBHOOK_EXAMPLE}`;

function readWebhook(source: ConfigSource): string {
    const value = source.get("slackWebhookUrl");
    if (value === undefined || value.trim() === "") {
        throw new ConfigError(
            `Missing required configuration key ${key("slackWebhookUrl")}: the Slack incoming webhook URL. ` +
                `Set it as a secret with: ${SET_WEBHOOK}`,
        );
    }
    if (!source.isSecret("slackWebhookUrl")) {
        throw new ConfigError(
            `Configuration key ${key("slackWebhookUrl")} is stored in plain text; a webhook URL lets anyone post to your channel. ` +
                `Store it as a secret with: ${SET_WEBHOOK}`,
        );
    }
    // The value itself is never echoed: it is a secret even when it is wrong.
    const problem = webhookProblem(value.trim());
    if (problem) {
        throw new ConfigError(`Configuration key ${key("slackWebhookUrl")} ${problem}. Set it again with: ${SET_WEBHOOK}`);
    }
    return value.trim();
}

function readRetention(source: ConfigSource, name: "trailLogRetentionDays" | "functionLogRetentionDays"): number {
    return readInteger(source, name, DEFAULTS[name], (n) =>
        RETENTION_DAYS.includes(n) ? undefined : `one of the retention periods CloudWatch Logs accepts (${RETENTION_DAYS.join(", ")})`,
    );
}

function readMentions(source: ConfigSource): Partial<Record<Severity, string>> {
    const mentions = readJson<unknown>(source, "mentions", DEFAULTS.mentions, '{"critical":"<!here>"}');
    if (!isRecord(mentions)) {
        throw new ConfigError(`Configuration key ${key("mentions")} must map a severity to a Slack mention, e.g. {"critical":"<!here>"}.`);
    }
    const out: Partial<Record<Severity, string>> = {};
    for (const [severity, mention] of Object.entries(mentions)) {
        if (!isSeverity(severity)) {
            throw new ConfigError(`Configuration key ${key(`mentions.${severity}`)} names no severity; use ${SEVERITIES.join(", ")}.`);
        }
        // Only Slack's own mention syntax: <!here>, <!channel>, <@U123>, <!subteam^S123>.
        if (typeof mention !== "string" || !/^<(!here|!channel|!everyone|@[UW][A-Z0-9]+|!subteam\^[A-Z0-9]+)>$/.test(mention)) {
            throw new ConfigError(
                `Configuration key ${key(`mentions.${severity}`)} must be a Slack mention such as <!here>, <!channel>, <@U0123ABCD> or <!subteam^S0123ABCD>.`,
            );
        }
        out[severity] = mention;
    }
    return out;
}

function readAccountLabels(source: ConfigSource): Record<string, string> {
    const labels = readJson<unknown>(source, "accountLabels", DEFAULTS.accountLabels, '{"111122223333":"production"}');
    if (!isRecord(labels) || Object.entries(labels).some(([id, label]) => !/^\d{12}$/.test(id) || typeof label !== "string")) {
        throw new ConfigError(
            `Configuration key ${key("accountLabels")} must map 12-digit account ids to names, e.g. {"111122223333":"production"}.`,
        );
    }
    return labels as Record<string, string>;
}

function readTimeZone(source: ConfigSource): string {
    const zone = source.get("timeZone") ?? DEFAULTS.timeZone;
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
    } catch {
        throw new ConfigError(
            `Configuration key ${key("timeZone")} must be an IANA time zone such as UTC or Asia/Tokyo, not ${JSON.stringify(zone)}.`,
        );
    }
    return zone;
}

// CloudTrail API Reference, "Trail": arn:<partition>:cloudtrail:<region>:<account>:trail/<name>, a
// name of 3 to 128 letters, digits, periods, underscores and dashes.
const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/;

function readExistingTrailArn(source: ConfigSource, existingLogGroup: string | undefined): string | undefined {
    const arn = readOptional(source, "existingTrailArn");
    if (arn === undefined) {
        return undefined;
    }
    if (existingLogGroup === undefined) {
        throw new ConfigError(
            `Configuration key ${key("existingTrailArn")} names an existing trail, but the stack creates its own and reads that one's status. ` +
                `Remove it with: pulumi config rm existingTrailArn`,
        );
    }
    if (!TRAIL_ARN.test(arn)) {
        throw new ConfigError(
            `Configuration key ${key("existingTrailArn")} must be a trail's ARN, such as arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail ` +
                "(aws cloudtrail describe-trails shows it as TrailARN).",
        );
    }
    return arn;
}

function readTrailChoice(
    source: ConfigSource,
): Pick<StackSettings, "existingTrailLogGroupName" | "existingTrailArn" | "organizationTrail" | "encryptTrailLogs"> {
    const existing = readOptional(source, "existingTrailLogGroupName");
    const existingTrailArn = readExistingTrailArn(source, existing);
    const organizationTrail = readBoolean(source, "organizationTrail", DEFAULTS.organizationTrail);
    const encryptTrailLogs = readBoolean(source, "encryptTrailLogs", DEFAULTS.encryptTrailLogs);
    if (existing === undefined) {
        return { organizationTrail, encryptTrailLogs };
    }
    if (!LOG_GROUP_NAME.test(existing)) {
        throw new ConfigError(
            `Configuration key ${key("existingTrailLogGroupName")} must be a CloudWatch Logs log group name (letters, digits and . - _ / #), ` +
                `such as aws-cloudtrail-logs-111122223333-0a1b2c3d.`,
        );
    }
    if (organizationTrail || encryptTrailLogs) {
        throw new ConfigError(
            `Configuration key ${key(organizationTrail ? "organizationTrail" : "encryptTrailLogs")} applies to a trail this stack creates, ` +
                `but ${key("existingTrailLogGroupName")} uses an existing trail. Remove one of them with: pulumi config rm ${organizationTrail ? "organizationTrail" : "encryptTrailLogs"}`,
        );
    }
    return { existingTrailLogGroupName: existing, ...(existingTrailArn ? { existingTrailArn } : {}), organizationTrail, encryptTrailLogs };
}

function readFastPathRegions(source: ConfigSource): string[] {
    const example = '["us-east-1","eu-west-1"]';
    const regions = readJson<unknown>(source, "fastPathRegions", DEFAULTS.fastPathRegions, example);
    const fix = `Fix it with: pulumi config set --path 'fastPathRegions' '${example}'`;
    if (!Array.isArray(regions) || regions.some((r) => typeof r !== "string")) {
        throw new ConfigError(`Configuration key ${key("fastPathRegions")} must be a list of region names, such as ${example}. ${fix}`);
    }
    for (const [i, region] of (regions as string[]).entries()) {
        if (!REGION_NAME.test(region)) {
            throw new ConfigError(
                `Configuration key ${key(`fastPathRegions[${i}]`)} must be a region name such as eu-west-1, not ${JSON.stringify(region)}. ${fix}`,
            );
        }
        if (regions.indexOf(region) !== i) {
            throw new ConfigError(`Configuration key ${key(`fastPathRegions[${i}]`)} repeats ${region}; list each region once. ${fix}`);
        }
    }
    requireSignInRegion(regions as string[]);
    return regions as string[];
}

/**
 * Root users' console sign-ins, and IAM users' through the global endpoint, are recorded in
 * us-east-1 (CloudTrail User Guide, "AWS Management Console sign-in events"): a commercial-partition
 * list without it leaves the most critical sign-ins to the backstop. GovCloud and China list their own.
 */
function requireSignInRegion(regions: readonly string[]): void {
    const commercial = regions.length > 0 && regions.every((r) => !r.startsWith("us-gov-") && !r.startsWith("cn-"));
    if (commercial && !regions.includes("us-east-1")) {
        const fixed = JSON.stringify(["us-east-1", ...regions]);
        throw new ConfigError(
            `Configuration key ${key("fastPathRegions")} leaves out us-east-1, where CloudTrail records root users' console sign-ins ` +
                `and IAM users' through the global endpoint; they would reach Slack only by the backstop, minutes later. ` +
                `Fix it with: pulumi config set --path 'fastPathRegions' '${fixed}'`,
        );
    }
}

function readEmail(source: ConfigSource): Pick<StackSettings, "operatorEmail"> {
    const email = readOptional(source, "operatorEmail");
    if (email === undefined) {
        return {};
    }
    if (!EMAIL_ADDRESS.test(email)) {
        throw new ConfigError(`Configuration key ${key("operatorEmail")} must be an email address, such as ops@example.com.`);
    }
    return { operatorEmail: email };
}

/** Reads and checks every key; the first problem stops the program with a message naming the key and the fix. */
export function readStackSettings(source: ConfigSource): StackSettings {
    const rules = readRules(source);
    const trail = readTrailChoice(source);
    const fastPath = readBoolean(source, "fastPath", DEFAULTS.fastPath);
    const organization = readOrganization(source, { ...trail, fastPath });
    return {
        slackWebhookUrl: readWebhook(source),
        timeZone: readTimeZone(source),
        trailLogRetentionDays: readRetention(source, "trailLogRetentionDays"),
        functionLogRetentionDays: readRetention(source, "functionLogRetentionDays"),
        // S3 lifecycle `Days` is a positive 32-bit integer.
        trailBucketExpirationDays: readInteger(source, "trailBucketExpirationDays", DEFAULTS.trailBucketExpirationDays, (n) =>
            n >= 1 && n <= 2147483647 ? undefined : "from 1 to 2147483647",
        ),
        forceDestroyTrailBucket: readBoolean(source, "forceDestroyTrailBucket", DEFAULTS.forceDestroyTrailBucket),
        rules,
        mentions: readMentions(source),
        accountLabels: readAccountLabels(source),
        notifyOnOk: readBoolean(source, "notifyOnOk", DEFAULTS.notifyOnOk),
        lagAllowanceMinutes: readInteger(source, "lagAllowanceMinutes", DEFAULTS.lagAllowanceMinutes, (n) =>
            n >= 15 && n <= 1440 ? undefined : "between 15 and 1440",
        ),
        sweepIntervalMinutes: readInteger(source, "sweepIntervalMinutes", DEFAULTS.sweepIntervalMinutes, (n) =>
            n >= 1 && n <= 60 ? undefined : "between 1 and 60",
        ),
        ...trail,
        ...readEmail(source),
        encryptTopics: readBoolean(source, "encryptTopics", DEFAULTS.encryptTopics),
        allowList: readAllowList(source, rules),
        fastPath,
        fastPathRegions: readFastPathRegions(source),
        ...readInsights(source, rules),
        tags: readTags(source),
        ...(organization ? { organization } : {}),
        ...confirmOf(
            readConfirm(
                source,
                rules.map((r) => r.id),
            ),
        ),
    };
}

function confirmOf(confirm: ConfirmSettings | undefined): Pick<StackSettings, "confirm"> {
    return confirm ? { confirm } : {};
}

/** The stack's real configuration, as `pulumi preview` and `pulumi up` provide it. */
export function pulumiConfigSource(): ConfigSource {
    const config = new pulumi.Config(PROJECT);
    // The SDK knows which keys are secret but does not export the check in its typings.
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (fullKey: string) => boolean };
    return {
        get: (name) => config.get(name),
        isSecret: (name) => runtime.isConfigSecret?.(key(name)) ?? false,
    };
}
