/** The rule table a stack's configuration gives: built-in rules, switched off or adjusted, and custom ones. */
import type { Severity } from "../shared/contract";
import { filterPatternProblem, MAX_FILTER_PATTERN_LENGTH } from "../shared/filterPattern";
import { ConfigError, isRecord, key, readBoolean, readInteger, readJson, readOptional, type ConfigSource } from "./configValues";
import { fixedChildClash } from "./names";
import { DEFAULTS } from "./defaults";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES, CIS_PATTERNS, type DeployTimeRule } from "./rules";
import { tamperingPattern } from "./watchList";

export const SEVERITIES: readonly Severity[] = ["info", "high", "critical"];

export function isSeverity(value: unknown): value is Severity {
    return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

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

/** A CloudWatch Logs log group name (CreateLogGroup, logGroupName). */
export const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/**
 * The trail-tampering pattern for the stack's trail: it names an existing trail's log group, whose
 * deletion blinds every rule. A malformed name is left to the trail reader, which says what is wrong.
 */
function trailTamperingFor(source: ConfigSource): string {
    const existing = readOptional(source, "existingTrailLogGroupName");
    if (existing === undefined || !LOG_GROUP_NAME.test(existing)) {
        return tamperingPattern("trail-tampering");
    }
    const pattern = tamperingPattern("trail-tampering", existing);
    if (pattern.length > MAX_FILTER_PATTERN_LENGTH) {
        throw new ConfigError(
            `Configuration key ${key("existingTrailLogGroupName")} is ${existing.length} characters long; the trail-tampering rule's pattern ` +
                `names it and would take ${pattern.length} characters, more than the ${MAX_FILTER_PATTERN_LENGTH} CloudWatch Logs accepts. ` +
                `Add trail-tampering to ${key("disabledRules")} to switch the rule off.`,
        );
    }
    return pattern;
}

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

function customRuleId(where: string, entry: unknown, taken: readonly DeployTimeRule[]): string {
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

function readDisabledRules(source: ConfigSource): readonly string[] {
    const disabled = readJson<unknown>(source, "disabledRules", DEFAULTS.disabledRules, '["signin-failures"]');
    if (
        !Array.isArray(disabled) ||
        disabled.some((id) => typeof id !== "string" || !(BUILT_IN_RULE_IDS as readonly string[]).includes(id))
    ) {
        throw new ConfigError(
            `Configuration key ${key("disabledRules")} must be a list of built-in rule ids (${BUILT_IN_RULE_IDS.join(", ")}).`,
        );
    }
    return disabled as string[];
}

/** The built-in rules the stack keeps, with the patterns and alarm settings its configuration chooses. */
function readBuiltInRules(source: ConfigSource): DeployTimeRule[] {
    const useCis = readBoolean(source, "useCisPatterns", DEFAULTS.useCisPatterns);
    const disabled = readDisabledRules(source);
    return BUILT_IN_RULE_IDS.filter((id) => !disabled.includes(id)).map((id) => {
        const rule = { ...BUILT_IN_RULES[id] };
        if (useCis && CIS_PATTERNS[id]) {
            rule.pattern = CIS_PATTERNS[id];
        }
        if (id === "trail-tampering") {
            rule.pattern = trailTamperingFor(source);
        }
        if (id === "console-signin") {
            rule.pattern = checkPattern("signInFilterPattern", source.get("signInFilterPattern") ?? DEFAULTS.signInFilterPattern);
        }
        if (id === "signin-failures") {
            rule.threshold = readInteger(source, "failureThreshold", DEFAULTS.failureThreshold, (n) => (n >= 1 ? undefined : "at least 1"));
            rule.periodSeconds = readInteger(source, "failurePeriodSeconds", DEFAULTS.failurePeriodSeconds, alarmPeriodProblem);
        }
        return rule;
    });
}

function customRule(entry: unknown, index: number, taken: readonly DeployTimeRule[]): DeployTimeRule {
    const where = `customRules[${index}]`;
    const id = customRuleId(where, entry, taken);
    const fields = entry as Record<string, unknown>;
    const severity = fields["severity"];
    if (!isSeverity(severity)) {
        throw new ConfigError(`Configuration key ${key(`${where}.severity`)} must be one of ${SEVERITIES.join(", ")}.`);
    }
    return {
        id,
        title: ruleTitle(where, id, fields["title"]),
        pattern: checkPattern(`${where}.pattern`, fields["pattern"]),
        severity,
        threshold: 1,
        periodSeconds: 60,
    };
}

function readCustomRules(source: ConfigSource, builtIn: readonly DeployTimeRule[]): DeployTimeRule[] {
    const custom = readJson<unknown>(
        source,
        "customRules",
        DEFAULTS.customRules,
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
    const rules: DeployTimeRule[] = [];
    custom.forEach((entry: unknown, index) => rules.push(customRule(entry, index, [...builtIn, ...rules])));
    return rules;
}

/** Every rule of the stack: the built-in ones it keeps, then its custom ones. */
export function readRules(source: ConfigSource): DeployTimeRule[] {
    const builtIn = readBuiltInRules(source);
    const rules = [...builtIn, ...readCustomRules(source, builtIn)];
    if (rules.length === 0) {
        throw new ConfigError(`Every rule is switched off; remove some ids from ${key("disabledRules")} or add ${key("customRules")}.`);
    }
    return rules;
}
