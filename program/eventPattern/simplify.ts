/**
 * Alternatives kept small as the translation goes: conflicting leaves within one alternative resolved
 * into the one EventBridge can ask, alternatives another covers dropped, and alternatives that differ
 * in one field's values only united into one.
 */
import { compareDecimals } from "../../shared/jsonText";
import {
    isExistsTrue,
    isRecord,
    leaf,
    values,
    type Alternative,
    type Bound,
    type Context,
    type Leaf,
    type Matcher,
    type Test,
} from "./types";

/** An `||` or `&&` result, kept small: conflicts within alternatives resolved, alternatives merged. */
export function simplify(alternatives: Alternative[], ctx: Context): Alternative[] {
    const always = alternatives.find((a) => a.leaves.length === 0);
    if (always !== undefined) {
        // A || anything is A when A holds always: the `||` as a whole asks nothing EventBridge can ask.
        return [always];
    }
    return mergeAlternatives(alternatives.map((a) => ({ leaves: resolveConflicts(a.leaves, ctx), dropped: a.dropped })));
}

/**
 * One field, one list of matchers: EventBridge cannot AND two lists on one field (a repeated key keeps
 * its last value: "Content filtering", note), nor a field and a field below it. Nor does it match
 * together fields from different elements of one array (event-ruler README, "JSON Array Matching").
 * A conjunction implies each of its conditions, so keeping either one never loses a record; the more
 * selective is kept. Two numeric bounds on a field outside arrays combine into one range.
 */
function resolveConflicts(leaves: Leaf[], ctx: Context): Leaf[] {
    let kept = leaves;
    for (;;) {
        const pair = findConflict(kept);
        if (pair === undefined) {
            return kept;
        }
        const [i, j] = pair;
        const merged = combine(kept[i] as Leaf, kept[j] as Leaf, ctx);
        kept = kept.flatMap((l, k) => (k === j ? [] : k === i ? [merged] : [l]));
    }
}

function findConflict(leaves: Leaf[]): [number, number] | undefined {
    for (let i = 0; i < leaves.length; i++) {
        for (let j = i + 1; j < leaves.length; j++) {
            if (conflicts(leaves[i] as Leaf, leaves[j] as Leaf)) {
                return [i, j];
            }
        }
    }
    return undefined;
}

function conflicts(a: Leaf, b: Leaf): boolean {
    if (overlaps(a.path, b.path)) {
        return true;
    }
    if (a.arrays === undefined || b.arrays === undefined || !overlaps(a.arrays.anchor, b.arrays.anchor)) {
        return false;
    }
    // Inside one array both are fine only if CloudWatch, too, takes them from one element.
    return a.arrays.through !== b.arrays.through || a.arrays.anyIndex || b.arrays.anyIndex;
}

/** Equal, or one a prefix of the other. */
function overlaps(a: string[], b: string[]): boolean {
    return a.slice(0, Math.min(a.length, b.length)).every((name, i) => name === b[i]);
}

function combine(a: Leaf, b: Leaf, ctx: Context): Leaf {
    if (a.key === b.key) {
        return a;
    }
    const samePath = a.path.join(".") === b.path.join(".");
    if (samePath && a.test.kind === "range" && b.test.kind === "range" && a.arrays === undefined && b.arrays === undefined) {
        return leaf(a.path, intersect(a.test, b.test), `${a.source} && ${b.source}`, undefined);
    }
    const kept = rank(b.test) < rank(a.test) ? b : a;
    const why = overlaps(a.path, b.path)
        ? "EventBridge cannot ask both of one field"
        : "EventBridge takes them from one array element only";
    ctx.notes.push(`\`${a.source}\` and \`${b.source}\`: ${why}, so only \`${kept.source}\` is checked`);
    return kept;
}

/** How little a test lets through, lowest first: exact values, then operators, then exclusions, then anything. */
function rank(test: Test): number {
    if (test.kind === "absent") {
        return 3;
    }
    if (test.kind === "range") {
        return test.lower !== undefined && test.upper !== undefined ? 1 : 5;
    }
    if (test.values.some(isExistsTrue)) {
        return 5;
    }
    if (test.values.some((v) => isRecord(v) && "anything-but" in v)) {
        return 4;
    }
    return test.values.every((v) => !isRecord(v)) ? 0 : 2;
}

function intersect(a: Extract<Test, { kind: "range" }>, b: Extract<Test, { kind: "range" }>): Test {
    return { kind: "range", lower: tighter(a.lower, b.lower, 1), upper: tighter(a.upper, b.upper, -1) };
}

/** The tighter of two bounds: the larger lower (side 1) or smaller upper (side -1); exclusive wins a tie. */
function tighter(x: Bound | undefined, y: Bound | undefined, side: 1 | -1): Bound | undefined {
    if (x === undefined || y === undefined) {
        return x ?? y;
    }
    const order = compareDecimals(x.value, y.value) * side;
    if (order !== 0) {
        return order > 0 ? x : y;
    }
    return x.inclusive ? y : x;
}

/**
 * Alternatives made fewer without changing what EventBridge matches: one whose leaves another's
 * include is dropped (a || a && b is a), and two that differ in one field's values only become one
 * with both lists (a && x || a && y is a && [x, y]).
 */
function mergeAlternatives(alternatives: Alternative[]): Alternative[] {
    const list = [...alternatives];
    for (let changed = true; changed;) {
        changed = false;
        for (let i = 0; i < list.length && !changed; i++) {
            for (let j = 0; j < list.length && !changed; j++) {
                const a = list[i] as Alternative;
                const b = list[j] as Alternative;
                const united = i < j ? unite(a, b) : undefined;
                if (i !== j && covers(a, b)) {
                    list.splice(j, 1);
                    changed = true;
                } else if (united !== undefined) {
                    list.splice(j, 1);
                    list[i] = united;
                    changed = true;
                }
            }
        }
    }
    return list;
}

/** Every leaf of a is in b: b asks more, so a || b is a. */
function covers(a: Alternative, b: Alternative): boolean {
    return a.leaves.every((l) => b.leaves.some((m) => m.key === l.key));
}

function unite(a: Alternative, b: Alternative): Alternative | undefined {
    if (a.leaves.length !== b.leaves.length) {
        return undefined;
    }
    const differing = a.leaves.filter((l) => !b.leaves.some((m) => m.key === l.key));
    const only = differing[0];
    if (differing.length !== 1 || only === undefined || only.test.kind !== "values") {
        return undefined;
    }
    const other = b.leaves.find((m) => m.path.join(".") === only.path.join(".") && !a.leaves.some((l) => l.key === m.key));
    if (other === undefined || other.test.kind !== "values") {
        return undefined;
    }
    const arrays =
        only.arrays && other.arrays && only.arrays.through !== other.arrays.through
            ? { ...only.arrays, anyIndex: true }
            : (only.arrays ?? other.arrays);
    const united = leaf(only.path, values(unionValues(only.test.values, other.test.values)), `${only.source} || ${other.source}`, arrays);
    const dropped = [...a.dropped, ...b.dropped.filter((d) => !a.dropped.some((e) => e.source === d.source))];
    return { leaves: a.leaves.map((l) => (l === only ? united : l)), dropped };
}

function unionValues(a: Matcher[], b: Matcher[]): Matcher[] {
    const all = [...a, ...b];
    if (all.some(isExistsTrue)) {
        return [{ exists: true }];
    }
    const unique = new Map<string, Matcher>();
    for (const value of all) {
        unique.set(JSON.stringify(value), unique.get(JSON.stringify(value)) ?? value);
    }
    return [...unique.values()];
}
