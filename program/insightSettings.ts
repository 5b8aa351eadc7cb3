/**
 * The keys of what the function knows of people and of its own blind spots: the language of its
 * messages, first-seen detection, the periodic summary and the delivery heartbeat.
 */
import { isDeepStrictEqual } from "util";
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

/** The default for the stack's rules: the rules it switches off drop out, so the default never names one. */
function defaultNewNetworkSeverity(rules: readonly DeployTimeRule[]): Record<string, Severity> {
    return Object.fromEntries(Object.entries(DEFAULTS.newNetworkSeverity).filter(([id]) => rules.some((r) => r.id === id)));
}

/** A value every error may suggest: the ids the stack keeps, each with a severity (high where the given one is none). */
function validPart(value: Record<string, unknown>, rules: readonly DeployTimeRule[]): Record<string, Severity> {
    return Object.fromEntries(
        Object.entries(value)
            .filter(([id]) => rules.some((r) => r.id === id))
            .map(([id, severity]) => [id, isSeverity(severity) ? severity : "high"]),
    );
}

/**
 * Which rules' sign-ins a new network raises, and to what. Every id must be a rule the stack keeps.
 * A stack that sets no value still hands the program one: the CLI fills every unset key with its
 * Pulumi.yaml default (pulumi/pulumi pkg/workspace/config.go 327-348, as tools/projectConfig.ts
 * ports it), so a value equal to the default cannot be told from it and is read as the default.
 */
function readNewNetworkSeverity(source: ConfigSource, rules: readonly DeployTimeRule[]): Record<string, Severity> {
    const fallback = defaultNewNetworkSeverity(rules);
    const example = JSON.stringify(Object.keys(fallback).length > 0 ? fallback : { [rules[0]?.id ?? "console-signin"]: "high" });
    const fixWith = (value: string) => `Fix it with: pulumi config set --path 'newNetworkSeverity' '${value}'`;
    const value = readJson<unknown>(source, "newNetworkSeverity", DEFAULTS.newNetworkSeverity, example);
    if (isDeepStrictEqual(value, DEFAULTS.newNetworkSeverity)) {
        return fallback;
    }
    if (!isRecord(value)) {
        throw new ConfigError(
            `Configuration key ${key("newNetworkSeverity")} must map rule ids to severities, such as ${example}. ${fixWith(example)}`,
        );
    }
    const fix = fixWith(JSON.stringify(validPart(value, rules)));
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
