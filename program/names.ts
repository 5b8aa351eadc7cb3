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
    "answers-errors-alarm",
    "answers-function",
    "answers-invoke-function",
    "answers-invoke-url",
    "answers-logs",
    "answers-policy",
    "answers-role",
    "answers-signing-secret",
    "answers-url",
    "bot-token",
    "dashboard",
    "dead-letters",
    "dead-letters-alarm",
    "delivery-heartbeat-alarm",
    "fast-path-bus",
    "fast-path-invoke",
    "fast-path-policy",
    "fast-path-role",
    "fast-path-rule",
    "fast-path-target",
    "function",
    "function-errors-alarm",
    "function-logs",
    "function-policy",
    "function-retries",
    "function-role",
    "operators",
    "operators-email",
    "operators-policy",
    "organization-bus-policy",
    "organization-drift-check-policy",
    "organization-drift-check-role",
    "organization-drift-check-schedule",
    "organization-function-policy",
    "organization-stack-set",
    "state",
    "summary-policy",
    "summary-role",
    "summary-schedule",
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
export type ComponentKind = "audit-trail" | "alert-rules" | "notifier" | "operator-alerts" | "fast-path" | "organization" | "answers";

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

/** What the fast path creates in each region: a rule on its default bus and the rule's target. */
export const REGION_CHILDREN = ["rule", "target"] as const;
export type RegionChild = (typeof REGION_CHILDREN)[number];

/** A region name as AWS spells them: `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `eu-central-2`. */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const REGION_CHILD_PREFIX = "fast-path-";

function regionChildEnding(child: RegionChild): string {
    return `-${child}`;
}

/**
 * A per-region child's name, `<name>-fast-path-<region>-rule|target`, so a region's resources sort
 * together; the second and later rules of a region (and their targets) end `-2`, `-3`, ….
 */
export function regionChildName(name: string, region: string, child: RegionChild, index = 0): string {
    return `${name}-${REGION_CHILD_PREFIX}${region}${regionChildEnding(child)}${index === 0 ? "" : `-${index + 1}`}`;
}

/**
 * Whether `suffix` (what follows `<name>-`) is the name of some region's fast-path child. Regions are
 * discovered at deploy time, so no list can name them all: any region name is taken, with any child's ending.
 */
export function isRegionChild(suffix: string): boolean {
    if (!suffix.startsWith(REGION_CHILD_PREFIX)) {
        return false;
    }
    const rest = suffix.slice(REGION_CHILD_PREFIX.length).replace(/-\d+$/, "");
    return REGION_CHILDREN.some((child) => {
        const ending = regionChildEnding(child);
        return rest.endsWith(ending) && REGION_NAME.test(rest.slice(0, rest.length - ending.length));
    });
}

/**
 * The fixed or per-region child a rule id would collide with (`dead-letters` → `dead-letters-alarm`), if any.
 * A region child ends in `-rule` or `-target`, never in a rule child's suffix, but the
 * check asks anyway, so a new region child or rule child cannot make a collision possible unnoticed.
 */
export function fixedChildClash(ruleId: string): string | undefined {
    const names = RULE_CHILDREN.map((child) => `${ruleId}-${child}`);
    return FIXED_CHILDREN.find((fixed) => names.includes(fixed)) ?? names.find(isRegionChild);
}

/** The StackSet's instances in one region: `<name>-organization-<region>`, which no rule child's name can end like. */
export function organizationInstanceName(name: string, region: string): string {
    return `${name}-organization-${region}`;
}

/** The component's name in this project's program (index.ts): every child's name, and so every generated physical name, starts with it. */
export const COMPONENT_NAME = "login-alerts";

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

/** The Slack app's bot token ("Was this you?"), which only the notifier reads. */
export function botTokenParameterName(physical: string): string {
    return `/console-login-alerts/${physical}/slack-bot-token`;
}

/** The Slack app's signing secret ("Was this you?"), which only the answer endpoint reads. */
export function signingSecretParameterName(physical: string): string {
    return `/console-login-alerts/${physical}/slack-signing-secret`;
}

/**
 * The delivery heartbeat alarm's name. Known before deployment, so the function's environment and
 * the alarm topic's policy can name it before the alarm exists.
 */
export function heartbeatAlarmName(physical: string): string {
    return `${physical}-delivery-heartbeat`;
}

/**
 * The operators' dashboard name: letters, digits, `-` and `_` only (CloudWatch API Reference,
 * PutDashboard, DashboardName), so the `.` a stack name may hold becomes `-`.
 */
export function dashboardName(physical: string): string {
    return `${physical.replace(/[^A-Za-z0-9_-]/g, "-")}-operators`;
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
