/**
 * The keys of what the function knows of people and of its own blind spots: the language of its
 * messages, first-seen detection, the periodic summary and the delivery heartbeat.
 */
import { LANGUAGES, SUMMARY_PERIODS, type Language, type Severity, type SummaryPeriod } from "../shared/contract";
import { ConfigError, isRecord, key, readInteger, readJson, type ConfigSource } from "./configValues";
import { DEFAULTS } from "./defaults";
import type { DeployTimeRule } from "./rules";
import { isSeverity, SEVERITIES } from "./ruleSettings";

export interface InsightSettings {
    language: Language;
    firstSeenDays: number;
    newNetworkSeverity: Record<string, Severity>;
    summary: SummaryPeriod;
    heartbeatMinutes: number;
}

function readChoice<T extends string>(source: ConfigSource, name: "language" | "summary", choices: readonly T[], fallback: T): T {
    const value = source.get(name) ?? fallback;
    if (!(choices as readonly string[]).includes(value)) {
        throw new ConfigError(
            `Configuration key ${key(name)} must be one of ${choices.join(", ")}, not ${JSON.stringify(value)}. Fix it with: pulumi config set ${name} ${fallback}`,
        );
    }
    return value as T;
}

/**
 * Which rules' sign-ins a new network raises, and to what. Every id must be a rule the stack keeps;
 * the default names console-signin, so it follows that rule when the stack switches it off.
 */
function readNewNetworkSeverity(source: ConfigSource, rules: readonly DeployTimeRule[]): Record<string, Severity> {
    const example = '{"console-signin":"high"}';
    const fix = `Fix it with: pulumi config set --path 'newNetworkSeverity' '${example}'`;
    if (source.get("newNetworkSeverity") === undefined) {
        return Object.fromEntries(Object.entries(DEFAULTS.newNetworkSeverity).filter(([id]) => rules.some((r) => r.id === id)));
    }
    const value = readJson<unknown>(source, "newNetworkSeverity", DEFAULTS.newNetworkSeverity, example);
    if (!isRecord(value)) {
        throw new ConfigError(`Configuration key ${key("newNetworkSeverity")} must map rule ids to severities, such as ${example}. ${fix}`);
    }
    for (const [id, severity] of Object.entries(value)) {
        if (!rules.some((r) => r.id === id)) {
            throw new ConfigError(
                `Configuration key ${key(`newNetworkSeverity.${id}`)} names no rule of this stack (${rules.map((r) => r.id).join(", ")}). ${fix}`,
            );
        }
        if (!isSeverity(severity)) {
            throw new ConfigError(`Configuration key ${key(`newNetworkSeverity.${id}`)} must be one of ${SEVERITIES.join(", ")}. ${fix}`);
        }
    }
    return value as Record<string, Severity>;
}

/**
 * The heartbeat's window: 0 (off), or 30 minutes to a day in steps of 5 (five-minute periods), or
 * whole hours up to 7 days (hourly periods). CloudWatch allows an alarm at most one day of
 * evaluation with periods shorter than an hour, and 7 days in all (CloudWatch API Reference,
 * PutMetricAlarm, Period). Under 30 minutes, CloudTrail's own delivery delay would set it off.
 */
export function heartbeatMinutesProblem(n: number): string | undefined {
    const ok = n === 0 || (n >= 30 && n <= 1440 && n % 5 === 0) || (n > 1440 && n <= 10080 && n % 60 === 0);
    return ok ? undefined : "0 (off), a multiple of 5 from 30 to 1440, or a multiple of 60 up to 10080 (7 days)";
}

/** The stack's knowledge of people: language, first-seen detection, the summary and the delivery heartbeat. */
export function readInsights(source: ConfigSource, rules: readonly DeployTimeRule[]): InsightSettings {
    return {
        language: readChoice(source, "language", LANGUAGES, DEFAULTS.language),
        // 400 days: a yearly sign-in (an annual audit, a break-glass drill) is still known the next year.
        firstSeenDays: readInteger(source, "firstSeenDays", DEFAULTS.firstSeenDays, (n) =>
            n >= 0 && n <= 400 ? undefined : "between 0 (off) and 400",
        ),
        newNetworkSeverity: readNewNetworkSeverity(source, rules),
        summary: readChoice(source, "summary", SUMMARY_PERIODS, DEFAULTS.summary),
        heartbeatMinutes: readInteger(source, "heartbeatMinutes", DEFAULTS.heartbeatMinutes, heartbeatMinutesProblem),
    };
}
