/**
 * The names the component gives its children and the physical names AWS must accept. They live in
 * one place so that configuration can refuse a custom rule whose names would collide with another
 * child's, and so that every physical name is checked against the limits of the service that owns it.
 */

/** Every child the component may create besides the rules' own, as the suffix after `<name>-`. */
export const FIXED_CHILDREN = [
    "alarms",
    "alarms-invoke",
    "alarms-policy",
    "alarms-subscription",
    "dead-letters",
    "dead-letters-alarm",
    "function",
    "function-errors-alarm",
    "function-logs",
    "function-policy",
    "function-retries",
    "function-role",
    "operators",
    "operators-email",
    "operators-policy",
    "state",
    "sweep",
    "sweep-invoke",
    "sweep-target",
    "topics-key",
    "trail",
    "trail-bucket",
    "trail-bucket-encryption",
    "trail-bucket-lifecycle",
    "trail-bucket-ownership",
    "trail-bucket-policy",
    "trail-bucket-public-access",
    "trail-key",
    "trail-logs",
    "trail-logs-policy",
    "trail-logs-role",
    "webhook",
] as const;
export type FixedChild = (typeof FIXED_CHILDREN)[number];

/** The child components, each named `<name>-<kind>`; none ends in a rule child's suffix. */
export type ComponentKind = "audit-trail" | "alert-rules" | "notifier" | "operator-alerts";

export function componentName(name: string, kind: ComponentKind): string {
    return `${name}-${kind}`;
}

/** The two children every rule has. */
export const RULE_CHILDREN = ["filter", "alarm"] as const;
export type RuleChild = (typeof RULE_CHILDREN)[number];

export function childName(name: string, child: FixedChild): string {
    return `${name}-${child}`;
}

export function ruleChildName(name: string, ruleId: string, child: RuleChild): string {
    return `${name}-${ruleId}-${child}`;
}

/** The fixed child a rule id would collide with (`dead-letters` → `dead-letters-alarm`), if any. */
export function fixedChildClash(ruleId: string): FixedChild | undefined {
    return FIXED_CHILDREN.find((fixed) => RULE_CHILDREN.some((child) => `${ruleId}-${child}` === fixed));
}

/** The namespace of the rules' metrics. */
export const METRIC_NAMESPACE = "ConsoleLoginAlerts";

/** Physical names that must be known before creation carry the stack, so two stacks never collide. */
export function physicalPrefix(name: string, stack: string): string {
    return `${name}-${stack}`;
}

export function metricName(physical: string, ruleId: string): string {
    return `${physical}-${ruleId}`;
}

export function webhookParameterName(physical: string): string {
    return `/console-login-alerts/${physical}/slack-webhook-url`;
}

/** CloudTrail's limit on trail names (CreateTrail, `Name`). */
export const TRAIL_NAME_MAX = 128;

/**
 * A trail name CloudTrail accepts, from the physical prefix. Pulumi allows stack names such as
 * `_dev`, `dev.` or `a..b` (`[A-Za-z_.][A-Za-z0-9_.-]*`, at most 100 characters), but a trail name
 * must start and end with a letter or digit, may not hold two of `.`, `_`, `-` in a row, and is at
 * most 128 characters (CloudTrail API Reference, CreateTrail). Names that already comply are kept
 * as they are, so existing trails are not renamed.
 */
export function trailName(physical: string): string {
    return physical
        .replace(/[._-]{2,}/g, (run) => run[0]!)
        .slice(0, TRAIL_NAME_MAX)
        .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}
