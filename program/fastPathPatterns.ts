/**
 * The fast path's EventBridge patterns, derived from the stack's own rules: each rule's CloudWatch
 * Logs filter pattern, translated (program/eventPattern/) into a pattern on `detail` that takes at
 * least every record the filter matches; the function still judges each record with the filter
 * itself. Rules are packed into as few EventBridge rules as the pattern limits allow, so an event
 * most rules share is forwarded, and billed, once.
 */
import type { DeployTimeRule } from "./rules";
import { eventPatternForFilter, MAX_COMBINATIONS, MAX_EVENT_PATTERN_LENGTH } from "./eventPattern";

/**
 * Every AWS service's source, and nobody else's: PutEvents refuses a source beginning `aws.`
 * (NotAuthorizedForSourceException; EventBridge Scheduler API Reference,
 * "EventBridgePutEventsV2Parameters": "The source can't start with the aws. prefix"). Without it,
 * anyone allowed events:PutEvents could forward a forged root sign-in or tampering call.
 */
export const AWS_SOURCES = [{ prefix: "aws." }];

/**
 * The detail-types CloudTrail's records arrive under (EventBridge User Guide, "AWS service events
 * delivered via AWS CloudTrail"; Events Reference, "AWS Sign-In events"): API calls, console
 * sign-ins, and service events such as IAM Identity Center's UserAuthentication. Read-only calls
 * are not delivered, which the tampering rules do not need.
 */
export const CLOUDTRAIL_DETAIL_TYPES = [
    "AWS API Call via CloudTrail",
    "AWS Console Sign In via CloudTrail",
    "AWS Service Event via CloudTrail",
];

/** How one rule takes the fast path. */
export type RuleRoute = { ruleId: string; detail: Record<string, unknown>; broadened: string[] } | { ruleId: string; backstopOnly: string };

export interface FastPathPatterns {
    /** One EventBridge pattern per regional rule, in order; empty when no rule can take the fast path. */
    patterns: Array<Record<string, unknown>>;
    routes: RuleRoute[];
}

export function routeOf(rule: Pick<DeployTimeRule, "id" | "pattern">): RuleRoute {
    const derived = eventPatternForFilter(rule.pattern);
    return "backstopOnly" in derived
        ? { ruleId: rule.id, backstopOnly: derived.backstopOnly }
        : { ruleId: rule.id, detail: derived.pattern, broadened: derived.broadened };
}

function envelope(details: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
    // `$or` takes two alternatives at least (EventBridge User Guide, "Content filtering", $or matching).
    const detail = details.length === 1 ? details[0] : { $or: details };
    return { source: AWS_SOURCES, "detail-type": CLOUDTRAIL_DETAIL_TYPES, detail };
}

/** The number of value combinations a pattern multiplies out to: each list's length, multiplied along a branch, summed over `$or`. */
export function combinationsOf(pattern: unknown): number {
    if (Array.isArray(pattern)) {
        return pattern.length;
    }
    if (typeof pattern !== "object" || pattern === null) {
        return 1;
    }
    let product = 1;
    for (const [key, value] of Object.entries(pattern)) {
        product *=
            key === "$or" && Array.isArray(value)
                ? value.reduce((sum: number, branch) => sum + combinationsOf(branch), 0)
                : combinationsOf(value);
    }
    return product;
}

/** Whether one more rule's detail still fits the EventBridge rule being filled. */
function fits(details: ReadonlyArray<Record<string, unknown>>): boolean {
    const pattern = envelope(details);
    return JSON.stringify(pattern).length <= MAX_EVENT_PATTERN_LENGTH && combinationsOf(pattern["detail"]) <= MAX_COMBINATIONS;
}

/** Packs the rules' details, in the rules' order, into the fewest patterns that each fit (first fit). */
function pack(details: ReadonlyArray<Record<string, unknown>>): Array<Array<Record<string, unknown>>> {
    const groups: Array<Array<Record<string, unknown>>> = [];
    for (const detail of details) {
        const group = groups.find((g) => fits([...g, detail]));
        if (group) {
            group.push(detail);
        } else {
            groups.push([detail]);
        }
    }
    return groups;
}

/** The regional rules' patterns for the stack's rules, and how each rule takes the fast path. */
export function fastPathPatterns(rules: ReadonlyArray<Pick<DeployTimeRule, "id" | "pattern">>): FastPathPatterns {
    const routes = rules.map(routeOf);
    const details = routes.flatMap((r) => ("detail" in r ? [r.detail] : []));
    return { patterns: pack(details).map(envelope), routes };
}
