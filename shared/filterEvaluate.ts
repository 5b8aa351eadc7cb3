/**
 * Evaluates a parsed CloudWatch Logs JSON filter pattern (see filterPattern.ts)
 * against a log event read by jsonText.ts, comparing numbers as written.
 */

import { compareDecimals, toDecimal, type Decimal, type JsonNode } from "./jsonText";

export type Segment =
    { kind: "property"; name: string } | { kind: "index"; index: number } | { kind: "anyProperty" } | { kind: "anyIndex" };

export type ComparisonOperator = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** A value to compare with: text (with `*` wildcards), a number, or a regular expression. */
export type Literal =
    { kind: "text"; text: string; quoted: boolean; number: Decimal | undefined } | { kind: "regex"; source: string; regex: RegExp };

export type Expression =
    | { kind: "or" | "and"; left: Expression; right: Expression }
    | { kind: "compare"; selector: Segment[]; operator: ComparisonOperator; literal: Literal }
    | { kind: "check"; selector: Segment[]; check: "IS NULL" | "IS TRUE" | "IS FALSE" | "NOT EXISTS" };

/*
 * An expression's test is made once, of steps that call one another directly: every rule makes
 * many comparisons of every event a lookup finds, so none goes back through the parsed expression.
 */

type Test = (root: JsonNode) => boolean;

/** Finding what a selector reaches in an event. */
function selection() {
    /**
     * The one node a selector of properties and indexes reaches (undefined: none), or "several"
     * for a selector with `[*]` or `.*`, which select reads. Most selectors are a path of names:
     * this allocates nothing.
     */
    function reach(root: JsonNode, selector: Segment[]): JsonNode | undefined | "several" {
        let node: JsonNode | undefined = root;
        for (const segment of selector) {
            if (segment.kind === "anyProperty" || segment.kind === "anyIndex") return "several";
            if (node.kind === "object" && segment.kind === "property") {
                node = Object.prototype.hasOwnProperty.call(node.properties, segment.name) ? node.properties[segment.name] : undefined;
            } else if (node.kind === "array" && segment.kind === "index") {
                node = node.items[segment.index];
            } else {
                node = undefined;
            }
            if (node === undefined) return undefined;
        }
        return node;
    }

    /** Every node a selector reaches; `[*]` and `.*` can reach several. */
    function select(root: JsonNode, selector: Segment[]): JsonNode[] {
        const one = reach(root, selector);
        if (one !== "several") return one === undefined ? [] : [one];
        let current: JsonNode[] = [root];
        for (const segment of selector) {
            const next: JsonNode[] = [];
            for (const node of current) {
                if (node.kind === "object" && segment.kind === "property") {
                    const child = Object.prototype.hasOwnProperty.call(node.properties, segment.name)
                        ? node.properties[segment.name]
                        : undefined;
                    if (child !== undefined) next.push(child);
                } else if (node.kind === "object" && segment.kind === "anyProperty") {
                    next.push(...Object.values(node.properties));
                } else if (node.kind === "array" && segment.kind === "index") {
                    const child = node.items[segment.index];
                    if (child !== undefined) next.push(child);
                } else if (node.kind === "array" && segment.kind === "anyIndex") {
                    next.push(...node.items);
                }
            }
            current = next;
        }
        return current;
    }
    return { reach, select };
}

/**
 * `*` matches any run of characters, wherever it appears. Like CloudWatch, the
 * text between wildcards is matched at its first occurrence without
 * backtracking, so `*111.111.111` does not match "111.111.111.111" while
 * `*.111.111.111` does (both recorded from TestMetricFilter).
 */
function wildcardMatcher(): (pattern: string, text: string) => boolean {
    // Each pattern's parts, split once: a Map made per expression, never at module level.
    const split = new Map<string, string[]>();
    return (pattern, text) => {
        if (!pattern.includes("*")) return text === pattern;
        let parts = split.get(pattern);
        if (parts === undefined) {
            parts = pattern.split("*");
            split.set(pattern, parts);
        }
        const first = parts[0] ?? "";
        if (!text.startsWith(first)) return false;
        let pos = first.length;
        for (let k = 1; k < parts.length - 1; k += 1) {
            const part = parts[k] ?? "";
            const found = text.indexOf(part, pos);
            if (found === -1) return false;
            pos = found + part.length;
        }
        const last = parts[parts.length - 1] ?? "";
        if (last === "") return true;
        const found = text.indexOf(last, pos);
        return found !== -1 && found + last.length === text.length;
    };
}

/** Comparing a node an expression reached with its literal. */
function comparison(): (node: JsonNode, operator: ComparisonOperator, literal: Literal) => boolean {
    const matchesWildcard = wildcardMatcher();
    function equals(node: JsonNode, literal: Literal): boolean | undefined {
        // Only strings and numbers compare: objects, arrays, booleans and null fail both = and !=.
        if (node.kind !== "string" && node.kind !== "number") return undefined;
        const text = node.kind === "string" ? node.value : node.text;
        if (literal.kind === "regex") return literal.regex.test(text);
        // An unquoted number against a number compares values (123 = 123.0); anything
        // else compares text, the number as written in the event ("12" != 12.0).
        if (node.kind === "number" && literal.number !== undefined) {
            const value = toDecimal(node.text);
            return value !== undefined && compareDecimals(value, literal.number) === 0;
        }
        return matchesWildcard(literal.text, text);
    }
    return (node, operator, literal) => {
        if (operator === "=" || operator === "!=") {
            const equal = equals(node, literal);
            return equal === undefined ? false : operator === "=" ? equal : !equal;
        }
        // Ordering needs a number in the event; a string, even "400", never matches.
        const value = node.kind === "number" ? toDecimal(node.text) : undefined;
        const limit = literal.kind === "text" ? literal.number : undefined;
        if (value === undefined || limit === undefined) return false;
        const order = compareDecimals(value, limit);
        return operator === "<" ? order < 0 : operator === "<=" ? order <= 0 : operator === ">" ? order > 0 : order >= 0;
    };
}

type ExactText = Extract<Expression, { kind: "compare" }> & { literal: { kind: "text" } };

/** A comparison that is plain text equality at a path of names: `$.eventName = "StopLogging"`. */
function isExactText(e: Expression): e is ExactText {
    return (
        e.kind === "compare" &&
        e.operator === "=" &&
        e.literal.kind === "text" &&
        e.literal.number === undefined &&
        !e.literal.text.includes("*") &&
        e.selector.every((segment) => segment.kind === "property" || segment.kind === "index")
    );
}

function alternatives(e: Expression): Expression[] {
    return e.kind === "or" ? [...alternatives(e.left), ...alternatives(e.right)] : [e];
}

/**
 * An `||` with several exact texts at one path (the tampering rules name dozens of calls) as one
 * look-up: the path's string, or a number's spelling, among them; then the other alternatives.
 * The same answer as trying each in turn, since an OR's order does not change it. Undefined when
 * no path has more than one text.
 */
function lookupOf(
    e: Expression,
    reach: ReturnType<typeof selection>["reach"],
    test: (e: Expression, root: JsonNode) => boolean,
): Test | undefined {
    const all = alternatives(e);
    const paths = new Map<string, { selector: Segment[]; texts: Set<string> }>();
    for (const compare of all.filter(isExactText)) {
        const path = JSON.stringify(compare.selector);
        const group = paths.get(path) ?? { selector: compare.selector, texts: new Set<string>() };
        group.texts.add(compare.literal.text);
        paths.set(path, group);
    }
    const groups = [...paths.values()];
    if (!groups.some((group) => group.texts.size > 1)) return undefined;
    const rest = all.filter((a) => !isExactText(a));
    return (root) => {
        for (const { selector, texts } of groups) {
            const node = reach(root, selector);
            if (
                node !== undefined &&
                node !== "several" &&
                (node.kind === "string" ? texts.has(node.value) : node.kind === "number" && texts.has(node.text))
            ) {
                return true;
            }
        }
        return rest.some((a) => test(a, root));
    };
}

/** An expression as a test of events read by jsonText.ts. */
export function evaluator(expression: Expression): Test {
    const { reach, select } = selection();
    const compare = comparison();
    // Each `||` made a look-up once, when it first runs: a Map made per expression, never at module level.
    const lookups = new Map<Expression, Test | undefined>();
    function test(e: Expression, root: JsonNode): boolean {
        switch (e.kind) {
            case "or": {
                if (!lookups.has(e)) lookups.set(e, lookupOf(e, reach, test));
                const lookup = lookups.get(e);
                return lookup ? lookup(root) : test(e.left, root) || test(e.right, root);
            }
            case "and":
                return test(e.left, root) && test(e.right, root);
            case "compare": {
                // A missing field fails `!=` as well as `=`: CloudWatch only compares values
                // that are present. With [*] or .* any one reached value is enough.
                const { operator, literal } = e;
                const one = reach(root, e.selector);
                if (one !== "several") return one !== undefined && compare(one, operator, literal);
                return select(root, e.selector).some((node) => compare(node, operator, literal));
            }
            case "check": {
                const nodes = select(root, e.selector);
                switch (e.check) {
                    case "NOT EXISTS":
                        return nodes.length === 0;
                    case "IS NULL":
                        return nodes.some((n) => n.kind === "null");
                    case "IS TRUE":
                        return nodes.some((n) => n.kind === "boolean" && n.value);
                    case "IS FALSE":
                        return nodes.some((n) => n.kind === "boolean" && !n.value);
                }
            }
        }
    }
    return (root) => test(expression, root);
}
