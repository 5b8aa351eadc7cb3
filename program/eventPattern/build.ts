/**
 * The pattern object for `detail` built from the alternatives, each test written as EventBridge's
 * matchers, and the limits EventBridge holds a pattern to, checked before it is returned.
 */
import { anyMatchers, eventBridgeNumber } from "./conditions";
import { BackstopOnly, isRecord, type Alternative, type Context, type Leaf, type Matcher, type Test } from "./types";

/**
 * EventBridge quotas, "Event pattern size": 2,048 characters by default, adjustable
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html); PutRule's EventPattern
 * takes 4,096 at most (EventBridge API Reference, PutRule; the service model's EventPattern: max
 * 4096), the ceiling of that quota. The default is what a stack can count on.
 */
export const MAX_EVENT_PATTERN_LENGTH = 2048;
/** Room left for the caller's `source` and `detail-type` around the derived `detail`. */
export const ENVELOPE_ALLOWANCE = 256;
export const MAX_DETAIL_PATTERN_LENGTH = MAX_EVENT_PATTERN_LENGTH - ENVELOPE_ALLOWANCE;
/**
 * EventBridge refuses a pattern that is too complex (InvalidEventPatternException; "Comparison
 * operators", wildcards and event pattern complexity) but publishes no figure for `$or`. SNS filter
 * policies, the same pattern language, allow 150 combinations, counted as the product of each
 * list's length ("Filter policy constraints in Amazon SNS",
 * https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html): derived
 * patterns keep to that, summed over the alternatives `$or` expands to.
 */
export const MAX_COMBINATIONS = 150;
/** Field names event-ruler refuses inside `$or` (README, "The $or Primitive"; Constants.java). */
const RESERVED_IN_OR = [
    ...["exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr"],
    ...["=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case"],
    ...["date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range"],
    ...["ip-address-in-range", "ip-address-not-in-range"],
];

/** Fields every alternative asks alike, then a `$or` of what is left of each ("Comparison operators", $or). */
export function build(alternatives: Alternative[], ctx: Context): { pattern: Record<string, unknown>; inOr: Leaf[] } {
    const first = alternatives[0] ?? { leaves: [], dropped: [] };
    const common = first.leaves.filter((l) => alternatives.every((a) => a.leaves.some((m) => m.key === l.key)));
    const rest = alternatives.map((a) => a.leaves.filter((l) => !common.some((c) => c.key === l.key)));
    const pattern = objectOf(common, ctx);
    if (rest.some((r) => r.length === 0)) {
        return { pattern, inOr: [] };
    }
    return { pattern: { ...pattern, $or: rest.map((r) => objectOf(r, ctx)) }, inOr: rest.flat() };
}

function objectOf(leaves: Leaf[], ctx: Context): Record<string, unknown> {
    const root: Record<string, unknown> = {};
    for (const { path, test, source } of leaves) {
        let node = root;
        for (const name of path.slice(0, -1)) {
            const child = Object.prototype.hasOwnProperty.call(node, name) ? node[name] : undefined;
            node = isRecord(child) ? child : setField(node, name, {});
        }
        setField(node, path[path.length - 1] ?? "", matchers(test, source, ctx));
    }
    return root;
}

/** An own property even for a name such as "__proto__". */
function setField<T>(node: Record<string, unknown>, name: string, value: T): T {
    Object.defineProperty(node, name, { value, enumerable: true, writable: true, configurable: true });
    return value;
}

function matchers(test: Test, source: string, ctx: Context): Matcher[] {
    switch (test.kind) {
        case "values":
            return test.values;
        case "absent":
            return [{ exists: false }];
        case "range":
            return rangeMatchers(test, source, ctx);
    }
}

/**
 * A numeric range EventBridge can hold, its bounds made inclusive: it compares numbers to six decimals,
 * so 5.0000001 may read as 5 and fail `> 5`. A comparison open on one side, or beyond its numbers,
 * takes values EventBridge cannot compare, so the field is only asked to exist.
 */
function rangeMatchers(test: Extract<Test, { kind: "range" }>, source: string, ctx: Context): Matcher[] {
    const lower = test.lower && eventBridgeNumber(test.lower.value);
    const upper = test.upper && eventBridgeNumber(test.upper.value);
    if (lower === undefined || upper === undefined) {
        return anyMatchers(ctx, `\`${source}\` takes any value: EventBridge compares numbers only between -1e9 and 1e9, to six decimals`);
    }
    if (lower > upper) {
        return anyMatchers(ctx, `\`${source}\` never matches in CloudWatch; the field is only asked to exist`);
    }
    if (lower === upper) {
        return [{ numeric: ["=", lower] }];
    }
    if (test.lower?.inclusive !== true || test.upper?.inclusive !== true) {
        ctx.notes.push(`\`${source}\` is matched with its bounds included: EventBridge compares numbers to six decimals`);
    }
    return [{ numeric: [">=", lower, "<=", upper] }];
}

export function checkLimits(pattern: Record<string, unknown>, alternatives: Alternative[], inOr: Leaf[]): void {
    const combinations = alternatives.reduce((sum, a) => sum + a.leaves.reduce((product, l) => product * width(l.test), 1), 0);
    if (combinations > MAX_COMBINATIONS) {
        throw new BackstopOnly(
            `the pattern multiplies out to ${combinations} combinations of values, more than the ${MAX_COMBINATIONS} held to`,
        );
    }
    const reserved = inOr.flatMap((l) => l.path).find((name) => RESERVED_IN_OR.includes(name));
    if (reserved !== undefined) {
        throw new BackstopOnly(`EventBridge refuses a field named "${reserved}" inside $or`);
    }
    const length = JSON.stringify(pattern).length;
    if (length > MAX_DETAIL_PATTERN_LENGTH) {
        throw new BackstopOnly(
            `the pattern takes ${length} characters, more than the ${MAX_DETAIL_PATTERN_LENGTH} left of EventBridge's ${MAX_EVENT_PATTERN_LENGTH} once source and detail-type are added`,
        );
    }
}

function width(test: Test): number {
    return test.kind === "values" ? test.values.length : 1;
}
