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

/** Every node a selector reaches; `[*]` and `.*` can reach several. */
function select(root: JsonNode, selector: Segment[]): JsonNode[] {
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

/**
 * `*` matches any run of characters, wherever it appears. Like CloudWatch, the
 * text between wildcards is matched at its first occurrence without
 * backtracking, so `*111.111.111` does not match "111.111.111.111" while
 * `*.111.111.111` does (both recorded from TestMetricFilter).
 */
function matchesWildcard(pattern: string, text: string): boolean {
    const parts = pattern.split("*");
    const first = parts[0] ?? "";
    if (parts.length === 1) return text === pattern;
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
}

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

function compare(node: JsonNode, operator: ComparisonOperator, literal: Literal): boolean {
    if (operator === "=" || operator === "!=") {
        const equal = equals(node, literal);
        return equal === undefined ? false : operator === "=" ? equal : !equal;
    }
    // Ordering needs a number in the event; a string, even "400", never matches.
    const value = node.kind === "number" ? toDecimal(node.text) : undefined;
    const limit = literal.kind === "text" ? literal.number : undefined;
    if (value === undefined || limit === undefined) return false;
    const order = compareDecimals(value, limit);
    switch (operator) {
        case "<":
            return order < 0;
        case "<=":
            return order <= 0;
        case ">":
            return order > 0;
        case ">=":
            return order >= 0;
    }
}

export function evaluate(expression: Expression, root: JsonNode): boolean {
    switch (expression.kind) {
        case "or":
            return evaluate(expression.left, root) || evaluate(expression.right, root);
        case "and":
            return evaluate(expression.left, root) && evaluate(expression.right, root);
        case "compare": {
            // A missing field fails `!=` as well as `=`: CloudWatch only compares values
            // that are present. With [*] or .* any one reached value is enough.
            const { operator, literal } = expression;
            return select(root, expression.selector).some((node) => compare(node, operator, literal));
        }
        case "check": {
            const nodes = select(root, expression.selector);
            switch (expression.check) {
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
