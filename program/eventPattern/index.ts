/**
 * An EventBridge event pattern, for the `detail` of CloudTrail's events, that takes at least every
 * record a rule's CloudWatch Logs JSON filter pattern matches. The fast path forwards what the
 * pattern takes and the function judges each record with the CloudWatch pattern itself, so a broader
 * pattern costs invocations and a narrower one loses the fast path for real events: wherever the two
 * languages differ, the translation broadens, and says so in `broadened`. A rule EventBridge cannot
 * approach at all is `backstopOnly`, with the reason.
 *
 * CloudWatch's side is the project's parser and evaluator (shared/filterPattern.ts,
 * shared/filterEvaluate.ts, held to CloudWatch's recorded answers in test/filterPattern.spec.ts);
 * EventBridge's is the EventBridge User Guide:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 * and, where the guide is silent, aws/event-ruler, the engine it matches with.
 *
 * Differences every translation carries, and why each is safe:
 * - EventBridge matches an array by any of its elements and looks for nested fields inside arrays;
 *   CloudWatch compares no array and selects no property of one without an index. Broader, except
 *   for `exists: false`, which is only used where no array can stand on the path (see checkTest).
 * - EventBridge's anything-but takes booleans and null, which CloudWatch's `!=` never does. Broader.
 * - EventBridge's wildcards backtrack; CloudWatch matches the text after a `*` at its first
 *   occurrence only (recorded: `*111.111.111` does not match "111.111.111.111"). Broader for `=`;
 *   for `!=` it would be narrower, so such a `!=` only asks that the field exist.
 * - EventBridge compares numbers only within ±1e9 and to six decimals; CloudWatch compares any number
 *   exactly. Only a closed range within those limits stays numeric; other comparisons ask that the
 *   field exist, since a number beyond them would be missed.
 *
 * The translation goes through a disjunction of conjunctions (what EventBridge's `$or` expands to),
 * merged back where two alternatives differ in the values of one field only, then factored into
 * fields common to every alternative and a `$or` of the rest.
 */
import type { Expression } from "../../shared/filterEvaluate";
import { parseFilterPattern } from "../../shared/filterPattern";
import { build, checkLimits } from "./build";
import { checkTest, compareTest, describe, placeOf } from "./conditions";
import { simplify } from "./simplify";
import { BackstopOnly, leaf, type Alternative, type Condition, type Context } from "./types";

// EventBridge's limits on a pattern, held where the pattern is built and checked.
export { ENVELOPE_ALLOWANCE, MAX_COMBINATIONS, MAX_DETAIL_PATTERN_LENGTH, MAX_EVENT_PATTERN_LENGTH } from "./build";

export type EventPatternDerivation = { pattern: Record<string, unknown>; broadened: string[] } | { backstopOnly: string };

/** Alternatives worked through before merging; past this the rule is left to the backstop. */
const MAX_ALTERNATIVES = 256;

/**
 * The EventBridge pattern for `detail` that takes every CloudTrail record the filter pattern matches,
 * or why there is none. Throws FilterPatternSyntaxError for a pattern CloudWatch Logs would refuse.
 */
export function eventPatternForFilter(filterPattern: string): EventPatternDerivation {
    const ctx: Context = { notes: [] };
    try {
        const alternatives = simplify(translate(parseFilterPattern(filterPattern), ctx), ctx);
        const always = alternatives.find((a) => a.leaves.length === 0);
        if (always !== undefined) {
            const first = always.dropped[0];
            throw new BackstopOnly(first === undefined ? "no condition can be asked" : `${first.reason} (\`${first.source}\`)`);
        }
        for (const { source, reason } of alternatives.flatMap((a) => a.dropped)) {
            ctx.notes.push(`\`${source}\` is not checked: ${reason}`);
        }
        const { pattern, inOr } = build(alternatives, ctx);
        checkLimits(pattern, alternatives, inOr);
        return { pattern, broadened: [...new Set(ctx.notes)] };
    } catch (err) {
        if (err instanceof BackstopOnly) {
            return { backstopOnly: `backstop only, because ${err.message}` };
        }
        throw err;
    }
}

function translate(expression: Expression, ctx: Context): Alternative[] {
    switch (expression.kind) {
        case "or": {
            const alternatives = simplify([...translate(expression.left, ctx), ...translate(expression.right, ctx)], ctx);
            const always = alternatives[0];
            if (always === undefined || always.leaves.length > 0) {
                return alternatives;
            }
            // One branch EventBridge cannot ask leaves the whole `||` unasked, not that branch alone.
            const reason = always.dropped[0]?.reason ?? "no condition can be asked";
            return [{ leaves: [], dropped: [{ source: describe(expression), reason }] }];
        }
        case "and":
            return simplify(conjoin(translate(expression.left, ctx), translate(expression.right, ctx)), ctx);
        default:
            return [condition(expression, ctx)];
    }
}

/** (a || b) && (c || d) is a && c || a && d || b && c || b && d: what EventBridge's `$or` expands to as well. */
function conjoin(left: Alternative[], right: Alternative[]): Alternative[] {
    if (left.length * right.length > MAX_ALTERNATIVES) {
        throw new BackstopOnly(`the pattern multiplies out to more than ${MAX_ALTERNATIVES} alternatives`);
    }
    return left.flatMap((l) => right.map((r) => ({ leaves: [...l.leaves, ...r.leaves], dropped: [...l.dropped, ...r.dropped] })));
}

function condition(expression: Condition, ctx: Context): Alternative {
    const source = describe(expression);
    const place = placeOf(expression.selector);
    if (typeof place === "string") {
        return { leaves: [], dropped: [{ source, reason: place }] };
    }
    const test = expression.kind === "check" ? checkTest(expression.check, place.path, place.arrays) : compareTest(expression, source, ctx);
    if (typeof test === "string") {
        return { leaves: [], dropped: [{ source, reason: test }] };
    }
    if (place.arrays !== undefined) {
        const field = place.arrays.anchor.join(".");
        ctx.notes.push(`\`${source}\` is matched in any element of \`${field}\`: EventBridge matches an array by any of its elements`);
    }
    return { leaves: [leaf(place.path, test, source, place.arrays)], dropped: [] };
}
