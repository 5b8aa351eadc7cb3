/**
 * How one CloudWatch Logs condition becomes a test on one field: the field its selector names, and
 * what EventBridge can ask of that field for the condition's operator and value, within EventBridge's
 * numeric limits. A condition EventBridge cannot ask at all comes back as the reason why.
 */
import type { ComparisonOperator, Expression, Segment } from "../../shared/filterEvaluate";
import { compareDecimals, toDecimal, type Decimal } from "../../shared/jsonText";
import { values, type ArrayUse, type Bound, type Condition, type Context, type Matcher, type Test, type TextLiteral } from "./types";

/** EventBridge refused `*:*:*:*:*:event-bus/*` as too complex (recorded in test/fixtures/eventPatternCases.json). */
const MAX_WILDCARDS = 2;
/**
 * "Numeric matching works with values that are JSON numbers. It is limited to values between -1.0e9
 * and +1.0e9 inclusive, with 15 digits of precision, or six digits to the right of the decimal point"
 * (Content filtering in Amazon EventBridge event patterns, Numeric matching).
 */
const NUMERIC_LIMIT: Decimal = { sign: 1, digits: "1", exponent: 10 }; // 0.1 × 10^10, as jsonText.ts writes 1e9
const NUMERIC_DECIMALS = 6;
const NUMERIC_DIGITS = 15;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The field a selector names in EventBridge terms, or why it has none. */
export function placeOf(selector: Segment[]): { path: string[]; arrays: ArrayUse | undefined } | string {
    const path: string[] = [];
    let arrays: ArrayUse | undefined;
    let through = "$";
    for (const segment of selector) {
        through += segmentText(segment);
        if (segment.kind === "anyProperty") {
            return "`.*` stands for any property, and an EventBridge pattern names every field it matches";
        }
        if (segment.kind === "property") {
            // event-ruler joins nested keys with dots, so {"a.b": ...} and {"a": {"b": ...}} name one
            // field (README, "Caveat: Compiled rules and JSON keys with dots"): a dotted name is a path.
            const names = segment.name.split(".");
            if (names.some((name) => name === "" || name === "$or")) {
                return `EventBridge cannot name the field ${JSON.stringify(segment.name)}`;
            }
            path.push(...names);
        } else {
            arrays = { anchor: arrays?.anchor ?? [...path], through, anyIndex: arrays?.anyIndex === true || segment.kind === "anyIndex" };
        }
    }
    return { path, arrays };
}

function segmentText(segment: Segment): string {
    switch (segment.kind) {
        case "property":
            return /^[A-Za-z0-9_-]+$/.test(segment.name) ? `.${segment.name}` : `.['${segment.name}']`;
        case "index":
            return `[${segment.index}]`;
        case "anyIndex":
            return "[*]";
        case "anyProperty":
            return ".*";
    }
}

/** The expression as CloudWatch Logs syntax, for notes: && binds tighter than ||, so only an || under && needs parentheses. */
export function describe(expression: Expression): string {
    if (expression.kind === "compare" || expression.kind === "check") {
        return describeCondition(expression);
    }
    const side = (e: Expression): string => (expression.kind === "and" && e.kind === "or" ? `(${describe(e)})` : describe(e));
    return `${side(expression.left)} ${expression.kind === "and" ? "&&" : "||"} ${side(expression.right)}`;
}

function describeCondition(expression: Condition): string {
    const selector = `$${expression.selector.map(segmentText).join("")}`;
    if (expression.kind === "check") {
        return `${selector} ${expression.check}`;
    }
    const { literal } = expression;
    const value = literal.kind === "regex" ? `%${literal.source}%` : literal.quoted ? JSON.stringify(literal.text) : literal.text;
    return `${selector} ${expression.operator} ${value}`;
}

/** Any value at all: what a condition EventBridge cannot narrow further still asks of its field. */
function anyValue(ctx: Context, note: string): Test {
    return values(anyMatchers(ctx, note));
}

export function anyMatchers(ctx: Context, note: string): Matcher[] {
    ctx.notes.push(note);
    return [{ exists: true }];
}

/**
 * IS NULL, IS TRUE and IS FALSE hold for exactly those JSON literals, which EventBridge matches as
 * values ("Null values and empty strings"). NOT EXISTS is `exists: false` only for a top-level field
 * of the record: below it, EventBridge looks for the field inside any array on the path (Arrays in
 * event patterns) while CloudWatch selects no property of an array, so a record CloudWatch finds the
 * field missing in could hold it for EventBridge.
 */
export function checkTest(
    check: Extract<Condition, { kind: "check" }>["check"],
    path: string[],
    arrays: ArrayUse | undefined,
): Test | string {
    switch (check) {
        case "IS NULL":
            return values([null]);
        case "IS TRUE":
            return values([true]);
        case "IS FALSE":
            return values([false]);
        case "NOT EXISTS":
            return arrays === undefined && path.length === 1
                ? { kind: "absent" }
                : "EventBridge also looks for a nested field inside arrays on its path, which CloudWatch does not, so `exists: false` could miss records CloudWatch matches";
    }
}

export function compareTest(expression: Extract<Condition, { kind: "compare" }>, source: string, ctx: Context): Test | string {
    const { operator, literal } = expression;
    if (literal.kind === "regex") {
        return "`%…%` regular expressions have no EventBridge equivalent";
    }
    if (operator === "=") {
        return equalsTest(literal, source, ctx);
    }
    if (operator === "!=") {
        return notEqualsTest(literal, source, ctx);
    }
    return rangeTest(operator, literal);
}

/** CloudWatch's ordering operators take JSON numbers only, by value (the parser refuses anything else). */
function rangeTest(operator: ComparisonOperator, literal: TextLiteral): Test | string {
    if (literal.number === undefined) {
        return `"${operator}" compares numbers`;
    }
    const bound: Bound = { value: literal.number, inclusive: operator.endsWith("=") };
    return operator.startsWith("<") ? { kind: "range", upper: bound } : { kind: "range", lower: bound };
}

/**
 * `=`: an unquoted number matches a number field by value and a string field holding the same text; a
 * quoted or non-numeric value matches strings, and numbers as written, with `*` standing for any run of
 * characters (recorded in test/filterPattern.spec.ts: "compares numbers as written in the event").
 */
function equalsTest(literal: TextLiteral, source: string, ctx: Context): Test {
    if (literal.number !== undefined) {
        const number = eventBridgeNumber(literal.number);
        return number !== undefined
            ? values([literal.text, { numeric: ["=", number] }])
            : anyValue(ctx, `\`${source}\` takes any value: EventBridge compares numbers only up to 1e9 and to six decimals`);
    }
    const text = literal.text.replace(/\*+/g, "*");
    if (!text.includes("*")) {
        return exactText(text, source, ctx);
    }
    if (text === "*") {
        return anyValue(ctx, `\`${source}\` takes any value of the field, true, false and null included`);
    }
    if (couldMatchNumber(text)) {
        return anyValue(
            ctx,
            `\`${source}\` takes any value: it also matches numbers, which EventBridge's prefix, suffix and wildcard never do`,
        );
    }
    return values([globMatcher(text, source, ctx)]);
}

/**
 * A quoted text CloudWatch also matches against a number written exactly so. event-ruler matches a
 * number in a pattern both as written and by value (JsonRuleCompiler: "we'll insert matchers for both
 * the literal expression and the ComparableNumber form"), so the number itself serves when
 * JSON.stringify writes it back the same; otherwise its value, where EventBridge can compare it.
 */
function exactText(text: string, source: string, ctx: Context): Test {
    if (!JSON_NUMBER.test(text)) {
        return values([text]);
    }
    const number = Number(text);
    if (String(number) === text) {
        return values([text, number]);
    }
    const comparable = eventBridgeNumber(toDecimal(text));
    return comparable !== undefined
        ? values([text, { numeric: ["=", comparable] }])
        : anyValue(ctx, `\`${source}\` takes any value: EventBridge cannot match a number written as ${text}`);
}

/**
 * EventBridge's prefix, suffix or wildcard for a CloudWatch value with `*` ("Comparison operators":
 * wildcard `\` escapes `\`). More than MAX_WILDCARDS wildcards are cut after the second: whatever
 * matches `a*b*c*d` matches `a*b*`.
 */
function globMatcher(text: string, source: string, ctx: Context): Matcher {
    let glob = text;
    if (wildcards(glob) > MAX_WILDCARDS) {
        glob = `${glob.split("*").slice(0, MAX_WILDCARDS).join("*")}*`;
        ctx.notes.push(`\`${source}\` is matched as \`${glob}\`: EventBridge refuses patterns with many wildcards as too complex`);
    }
    if (wildcards(glob) === 1 && glob.endsWith("*")) {
        return { prefix: glob.slice(0, -1) };
    }
    if (wildcards(glob) === 1 && glob.startsWith("*")) {
        return { suffix: glob.slice(1) };
    }
    return { wildcard: glob.replace(/\\/g, "\\\\") };
}

/**
 * `!=` holds for a string or number present that `=` would not match; a missing field fails it
 * (recorded: "fails != when the field is missing"), as anything-but does ("Comparison operators").
 * anything-but never excludes a number for a string, so numbers CloudWatch excludes are forwarded.
 * Text after the last `*` is matched at its first occurrence only, so CloudWatch's `!=` then takes
 * values any EventBridge exclusion would drop: the field is only asked to exist.
 */
function notEqualsTest(literal: TextLiteral, source: string, ctx: Context): Test {
    const text = literal.text.replace(/\*+/g, "*");
    if (!text.includes("*")) {
        if (literal.number !== undefined || JSON_NUMBER.test(text)) {
            ctx.notes.push(`\`${source}\` forwards numbers equal to ${text}: anything-but excludes only the string`);
        }
        return values([{ "anything-but": text }]);
    }
    if (text === "*") {
        return anyValue(ctx, `\`${source}\` never matches in CloudWatch; the field is only asked to exist`);
    }
    if (!text.endsWith("*")) {
        return anyValue(
            ctx,
            `\`${source}\` takes any value: CloudWatch matches the text after the last \`*\` at its first occurrence only`,
        );
    }
    if (wildcards(text) > MAX_WILDCARDS) {
        return anyValue(ctx, `\`${source}\` takes any value: EventBridge refuses patterns with many wildcards as too complex`);
    }
    if (couldMatchNumber(text)) {
        ctx.notes.push(`\`${source}\` forwards every number: anything-but excludes strings only`);
    }
    const excluded = wildcards(text) === 1 ? { prefix: text.slice(0, -1) } : { wildcard: text.replace(/\\/g, "\\\\") };
    return values([{ "anything-but": excluded }]);
}

function wildcards(text: string): number {
    return text.split("*").length - 1;
}

/** Whether some JSON number, written out, could match the value: only digits, signs, dots and exponents besides `*`. */
function couldMatchNumber(text: string): boolean {
    return /^[-+.0-9eE*]*$/.test(text);
}

/** The number as EventBridge's numeric matching can take it exactly, or undefined. */
export function eventBridgeNumber(value: Decimal | undefined): number | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (value.sign === 0) {
        return 0;
    }
    const magnitude: Decimal = { ...value, sign: 1 };
    const decimals = Math.max(0, value.digits.length - value.exponent);
    if (compareDecimals(magnitude, NUMERIC_LIMIT) > 0 || decimals > NUMERIC_DECIMALS || value.digits.length > NUMERIC_DIGITS) {
        return undefined;
    }
    return Number(`${value.sign < 0 ? "-" : ""}0.${value.digits}e${value.exponent}`);
}
