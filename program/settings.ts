import * as pulumi from "@pulumi/pulumi";
import { allowListProblem, type AllowEntry } from "../shared/allowList";
import type { Severity } from "../shared/contract";
import { filterPatternProblem, MAX_FILTER_PATTERN_LENGTH } from "../shared/filterPattern";
import { fixedChildClash } from "./names";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES, CIS_PATTERNS, ORIGINAL_SIGNIN_PATTERN, type RuleDefinition } from "./rules";

export const PROJECT = "console-login-alerts";

/** Bad stack configuration. A RunError, so `pulumi preview` prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** The two things the program needs from the stack's configuration store. */
export interface ConfigSource {
    get(key: string): string | undefined;
    isSecret(key: string): boolean;
}

/** Settings for one stack, validated. */
export interface StackSettings {
    /** Plain text only in memory, for validation; the program wraps it with `pulumi.secret`. */
    slackWebhookUrl: string;
    timeZone: string;
    trailLogRetentionDays: number;
    functionLogRetentionDays: number;
    trailBucketExpirationDays: number;
    forceDestroyTrailBucket: boolean;
    rules: RuleDefinition[];
    mentions: Partial<Record<Severity, string>>;
    accountLabels: Record<string, string>;
    notifyOnOk: boolean;
    lagAllowanceMinutes: number;
    sweepIntervalMinutes: number;
    existingTrailLogGroupName?: string;
    organizationTrail: boolean;
    operatorEmail?: string;
    encryptTopics: boolean;
    encryptTrailLogs: boolean;
    allowList: AllowEntry[];
}

// The values CloudWatch Logs accepts for retentionInDays.
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const SEVERITIES: readonly Severity[] = ["info", "high", "critical"];
const WEBHOOK_EXAMPLE = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX";
const SET_WEBHOOK = `pulumi config set --secret slackWebhookUrl ${WEBHOOK_EXAMPLE}`;

function key(name: string): string {
    return `${PROJECT}:${name}`;
}

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

// Slack's webhook hosts: the commercial one and GovSlack's.
const WEBHOOK_HOSTS: readonly string[] = ["hooks.slack.com", "hooks.slack-gov.com"];

/** Why a value is not a Slack webhook URL, in words that never repeat any part of it. */
function webhookProblem(value: string): string | undefined {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return "must be a URL (a Slack incoming webhook)";
    }
    if (url.protocol !== "https:") {
        return "must be an https:// URL (a Slack incoming webhook)";
    }
    if (url.username || url.password) {
        return "must not carry a user name or password";
    }
    if (url.port) {
        return "must not name a port";
    }
    if (!WEBHOOK_HOSTS.includes(url.hostname)) {
        return `must be a Slack webhook on ${WEBHOOK_HOSTS.join(" or ")}; this one points to another host`;
    }
    if (url.pathname.length <= 1) {
        return "must include the webhook's path (/services/...)";
    }
    return undefined;
}

/**
 * An optional string key. Pulumi.yaml declares such keys with a default of "" (the CLI refuses a
 * stack that leaves a declared key without a default or value), so "" means "not set".
 */
function readOptional(source: ConfigSource, name: string): string | undefined {
    const value = source.get(name);
    return value === undefined || value === "" ? undefined : value;
}

function readInteger(source: ConfigSource, name: string, fallback: number, check: (n: number) => string | undefined): number {
    const raw = source.get(name);
    if (raw === undefined) {
        return fallback;
    }
    // Digits only: Number() would also take "0x10", "1e3", " 12 " and "12.0".
    const n = /^-?\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    const problem = Number.isInteger(n) ? check(n) : "a whole number written in digits";
    if (problem) {
        throw new ConfigError(
            `Configuration key ${key(name)} must be ${problem}, not ${JSON.stringify(raw)}. Fix it with: pulumi config set ${name} ${fallback}`,
        );
    }
    return n;
}

function readRetention(source: ConfigSource, name: string): number {
    return readInteger(source, name, 365, (n) =>
        RETENTION_DAYS.includes(n) ? undefined : `one of the retention periods CloudWatch Logs accepts (${RETENTION_DAYS.join(", ")})`,
    );
}

function readBoolean(source: ConfigSource, name: string, fallback: boolean): boolean {
    const raw = source.get(name);
    if (raw === undefined) {
        return fallback;
    }
    if (raw !== "true" && raw !== "false") {
        throw new ConfigError(
            `Configuration key ${key(name)} must be true or false, not ${JSON.stringify(raw)}. Fix it with: pulumi config set ${name} ${fallback}`,
        );
    }
    return raw === "true";
}

function readJson<T>(source: ConfigSource, name: string, fallback: T, example: string): T {
    const raw = source.get(name);
    if (raw === undefined) {
        return fallback;
    }
    try {
        return JSON.parse(raw) as T;
    } catch {
        throw new ConfigError(
            `Configuration key ${key(name)} must be JSON (YAML in Pulumi.<stack>.yaml). Fix it with: pulumi config set --path '${name}' '${example}'`,
        );
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The shape every filter pattern here must have: a JSON pattern in braces. */
/**
 * A CloudWatch Logs JSON filter pattern, judged by the same parser the function evaluates patterns
 * with: a pattern it cannot read is refused here, never treated as "no match" at run time.
 */
export function checkPattern(name: string, pattern: unknown): string {
    const problem =
        typeof pattern !== "string"
            ? "a filter pattern must be a string"
            : pattern.length > MAX_FILTER_PATTERN_LENGTH
              ? `it has ${pattern.length} characters; CloudWatch Logs takes ${MAX_FILTER_PATTERN_LENGTH} at most`
              : filterPatternProblem(pattern);
    if (problem !== undefined) {
        throw new ConfigError(
            `Configuration key ${key(name)} must be a CloudWatch Logs JSON filter pattern such as '{ ($.eventName = "ConsoleLogin") }': ${problem}.`,
        );
    }
    return pattern as string;
}

const RULE_ID = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/**
 * Periods CloudWatch allows for an alarm on a metric-filter metric. PutMetricAlarm takes 10, 20,
 * 30 or a multiple of 60, and at most 604,800 s in all (7 days); but metric filters publish
 * one-minute data, and "if you specify a period of 10, 20, or 30 for a metric that does not have
 * sub-minute resolution ... the alarm might often lapse into INSUFFICIENT_DATA" (CloudWatch API
 * Reference, PutMetricAlarm, Period).
 */
function alarmPeriodProblem(n: number): string | undefined {
    return n >= 60 && n <= 604800 && n % 60 === 0
        ? undefined
        : "a multiple of 60 from 60 to 604800 (metric filters publish one-minute data; CloudWatch allows 7 days at most)";
}

/** Custom rules a stack may add: each is a metric filter on the trail's log group, which takes 100 at most. */
export const MAX_CUSTOM_RULES = 20;

/** Longest rule title: the Slack header (150 characters) must hold it with its emoji and "(known)" or part suffix. */
export const MAX_TITLE_LENGTH = 100;

function ruleTitle(where: string, id: string, title: unknown): string {
    if (title === undefined) {
        return id;
    }
    // Control characters (newlines included) would break the one-line header and summary.
    if (typeof title !== "string" || title.trim() === "" || title.length > MAX_TITLE_LENGTH || /\p{Cc}/u.test(title)) {
        throw new ConfigError(
            `Configuration key ${key(`${where}.title`)} must be one line of 1 to ${MAX_TITLE_LENGTH} characters, such as "Break-glass sign-in".`,
        );
    }
    return title.trim();
}

function customRuleId(where: string, entry: unknown, taken: readonly RuleDefinition[]): string {
    if (!isRecord(entry) || typeof entry["id"] !== "string" || !RULE_ID.test(entry["id"])) {
        throw new ConfigError(
            `Configuration key ${key(where)} needs an id of 3 to 40 lower-case letters, digits and dashes, starting with a letter.`,
        );
    }
    const id = entry["id"];
    if (taken.some((r) => r.id === id) || (BUILT_IN_RULE_IDS as readonly string[]).includes(id)) {
        throw new ConfigError(`Configuration key ${key(where)} reuses the rule id ${id}; every rule needs its own id.`);
    }
    const clash = fixedChildClash(id);
    if (clash) {
        throw new ConfigError(
            `Configuration key ${key(where)} uses the rule id ${id}, whose resources would take the name of the stack's own ${clash}; choose another id.`,
        );
    }
    return id;
}

function readRules(source: ConfigSource): RuleDefinition[] {
    const useCis = readBoolean(source, "useCisPatterns", false);
    const disabled = readJson<unknown>(source, "disabledRules", [], '["signin-failures"]');
    if (
        !Array.isArray(disabled) ||
        disabled.some((id) => typeof id !== "string" || !(BUILT_IN_RULE_IDS as readonly string[]).includes(id))
    ) {
        throw new ConfigError(
            `Configuration key ${key("disabledRules")} must be a list of built-in rule ids (${BUILT_IN_RULE_IDS.join(", ")}).`,
        );
    }
    const rules: RuleDefinition[] = [];
    for (const id of BUILT_IN_RULE_IDS) {
        if (disabled.includes(id)) {
            continue;
        }
        const rule = { ...BUILT_IN_RULES[id] };
        if (useCis && CIS_PATTERNS[id]) {
            rule.pattern = CIS_PATTERNS[id];
        }
        if (id === "console-signin") {
            rule.pattern = checkPattern("signInFilterPattern", source.get("signInFilterPattern") ?? ORIGINAL_SIGNIN_PATTERN);
        }
        if (id === "signin-failures") {
            rule.threshold = readInteger(source, "failureThreshold", 1, (n) => (n >= 1 ? undefined : "at least 1"));
            rule.periodSeconds = readInteger(source, "failurePeriodSeconds", 60, alarmPeriodProblem);
        }
        rules.push(rule);
    }
    const custom = readJson<unknown>(
        source,
        "customRules",
        [],
        '[{"id":"break-glass","pattern":"{ $.userIdentity.userName = \\"break-glass\\" }","severity":"critical"}]',
    );
    if (!Array.isArray(custom)) {
        throw new ConfigError(`Configuration key ${key("customRules")} must be a list of rules, each with id, pattern and severity.`);
    }
    if (custom.length > MAX_CUSTOM_RULES) {
        throw new ConfigError(
            `Configuration key ${key("customRules")} has ${custom.length} rules; a stack takes at most ${MAX_CUSTOM_RULES} ` +
                `(each is a metric filter, and CloudWatch Logs allows 100 on a log group).`,
        );
    }
    custom.forEach((entry: unknown, index) => {
        const where = `customRules[${index}]`;
        const id = customRuleId(where, entry, rules);
        const fields = entry as Record<string, unknown>;
        const severity = fields["severity"];
        if (typeof severity !== "string" || !SEVERITIES.includes(severity as Severity)) {
            throw new ConfigError(`Configuration key ${key(`${where}.severity`)} must be one of ${SEVERITIES.join(", ")}.`);
        }
        rules.push({
            id,
            title: ruleTitle(where, id, fields["title"]),
            pattern: checkPattern(`${where}.pattern`, fields["pattern"]),
            severity: severity as Severity,
            threshold: 1,
            periodSeconds: 60,
        });
    });
    if (rules.length === 0) {
        throw new ConfigError(`Every rule is switched off; remove some ids from ${key("disabledRules")} or add ${key("customRules")}.`);
    }
    return rules;
}

function readMentions(source: ConfigSource): Partial<Record<Severity, string>> {
    const mentions = readJson<unknown>(source, "mentions", {}, '{"critical":"<!here>"}');
    if (!isRecord(mentions)) {
        throw new ConfigError(`Configuration key ${key("mentions")} must map a severity to a Slack mention, e.g. {"critical":"<!here>"}.`);
    }
    const out: Partial<Record<Severity, string>> = {};
    for (const [severity, mention] of Object.entries(mentions)) {
        if (!SEVERITIES.includes(severity as Severity)) {
            throw new ConfigError(`Configuration key ${key(`mentions.${severity}`)} names no severity; use ${SEVERITIES.join(", ")}.`);
        }
        // Only Slack's own mention syntax: <!here>, <!channel>, <@U123>, <!subteam^S123>.
        if (typeof mention !== "string" || !/^<(!here|!channel|!everyone|@[UW][A-Z0-9]+|!subteam\^[A-Z0-9]+)>$/.test(mention)) {
            throw new ConfigError(
                `Configuration key ${key(`mentions.${severity}`)} must be a Slack mention such as <!here>, <!channel>, <@U0123ABCD> or <!subteam^S0123ABCD>.`,
            );
        }
        out[severity as Severity] = mention;
    }
    return out;
}

function readAccountLabels(source: ConfigSource): Record<string, string> {
    const labels = readJson<unknown>(source, "accountLabels", {}, '{"111122223333":"production"}');
    if (!isRecord(labels) || Object.entries(labels).some(([id, label]) => !/^\d{12}$/.test(id) || typeof label !== "string")) {
        throw new ConfigError(
            `Configuration key ${key("accountLabels")} must map 12-digit account ids to names, e.g. {"111122223333":"production"}.`,
        );
    }
    return labels as Record<string, string>;
}

function readTimeZone(source: ConfigSource): string {
    const zone = source.get("timeZone") ?? "UTC";
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
    } catch {
        throw new ConfigError(
            `Configuration key ${key("timeZone")} must be an IANA time zone such as UTC or Asia/Tokyo, not ${JSON.stringify(zone)}.`,
        );
    }
    return zone;
}

function readTrailChoice(
    source: ConfigSource,
): Pick<StackSettings, "existingTrailLogGroupName" | "organizationTrail" | "encryptTrailLogs"> {
    const existing = readOptional(source, "existingTrailLogGroupName");
    const organizationTrail = readBoolean(source, "organizationTrail", false);
    const encryptTrailLogs = readBoolean(source, "encryptTrailLogs", false);
    if (existing === undefined) {
        return { organizationTrail, encryptTrailLogs };
    }
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(existing)) {
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
    return { existingTrailLogGroupName: existing, organizationTrail, encryptTrailLogs };
}

function readAllowList(source: ConfigSource, rules: readonly RuleDefinition[]): AllowEntry[] {
    const example = '[{"userNames":["break-glass"],"cidrs":["203.0.113.0/24"],"action":"downgrade"}]';
    const entries = readJson<unknown>(source, "allowList", [], example);
    const problem = allowListProblem(entries);
    if (problem) {
        throw new ConfigError(
            `Configuration key ${key("allowList")}${problem}. Fix it with: pulumi config set --path 'allowList' '${example}'`,
        );
    }
    for (const [i, entry] of (entries as AllowEntry[]).entries()) {
        const unknown = (entry.rules ?? []).find((id) => !rules.some((r) => r.id === id));
        if (unknown !== undefined) {
            throw new ConfigError(
                `Configuration key ${key(`allowList[${i}].rules`)} names ${unknown}, which is not a rule of this stack (${rules.map((r) => r.id).join(", ")}).`,
            );
        }
    }
    return entries as AllowEntry[];
}

function readEmail(source: ConfigSource): string | undefined {
    const email = readOptional(source, "operatorEmail");
    if (email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        throw new ConfigError(`Configuration key ${key("operatorEmail")} must be an email address, such as ops@example.com.`);
    }
    return email;
}

/** Reads and checks every key; the first problem stops the program with a message naming the key and the fix. */
export function readStackSettings(source: ConfigSource): StackSettings {
    const rules = readRules(source);
    return {
        slackWebhookUrl: readWebhook(source),
        timeZone: readTimeZone(source),
        trailLogRetentionDays: readRetention(source, "trailLogRetentionDays"),
        functionLogRetentionDays: readRetention(source, "functionLogRetentionDays"),
        // S3 lifecycle `Days` is a positive 32-bit integer.
        trailBucketExpirationDays: readInteger(source, "trailBucketExpirationDays", 365, (n) =>
            n >= 1 && n <= 2147483647 ? undefined : "from 1 to 2147483647",
        ),
        forceDestroyTrailBucket: readBoolean(source, "forceDestroyTrailBucket", false),
        rules,
        mentions: readMentions(source),
        accountLabels: readAccountLabels(source),
        notifyOnOk: readBoolean(source, "notifyOnOk", false),
        lagAllowanceMinutes: readInteger(source, "lagAllowanceMinutes", 60, (n) =>
            n >= 15 && n <= 1440 ? undefined : "between 15 and 1440",
        ),
        sweepIntervalMinutes: readInteger(source, "sweepIntervalMinutes", 5, (n) => (n >= 1 && n <= 60 ? undefined : "between 1 and 60")),
        ...readTrailChoice(source),
        ...(readOptional(source, "operatorEmail") !== undefined ? { operatorEmail: readEmail(source) } : {}),
        encryptTopics: readBoolean(source, "encryptTopics", false),
        allowList: readAllowList(source, rules),
    };
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
