/**
 * Parses and evaluates CloudWatch Logs JSON filter patterns
 * (`{ ($.eventName = "ConsoleLogin") && ($.userIdentity.type = "Root") }`), so
 * that configuration can be checked before deployment and the function can
 * apply the same filter to the events it is handed.
 *
 * The syntax is the one documented in the CloudWatch Logs User Guide, "Filter
 * pattern syntax for metric filters, subscription filters, filter log events,
 * and Live Tail" and "Using filter patterns to match terms in JSON log events":
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
 * Where the documentation is silent, the behaviour follows answers recorded
 * from CloudWatch's TestMetricFilter API (see test/filterPattern.spec.ts).
 *
 * Anything this evaluator cannot decide is refused when the pattern is parsed,
 * never turned into a silent "no match" when an event arrives.
 *
 * This module is serialized into the function's code: it imports only from
 * handler/, keeps no Set or Map at module level and defines no classes.
 */

import { evaluate, type ComparisonOperator, type Expression, type Literal, type Segment } from "./filterEvaluate";
import { readJsonText, toDecimal, type JsonNode } from "./jsonText";

type Token =
    | { kind: "(" | ")" | "&&" | "||" | "end"; pos: number }
    | { kind: "operator"; operator: ComparisonOperator; pos: number }
    | { kind: "selector"; segments: Segment[]; source: string; pos: number }
    | { kind: "string"; value: string; source: string; pos: number }
    | { kind: "regex"; source: string; pos: number }
    | { kind: "word"; value: string; pos: number };

/** The longest filter pattern CloudWatch Logs accepts (PutMetricFilter, PutSubscriptionFilter). */
export const MAX_FILTER_PATTERN_LENGTH = 1024;
/** The documentation allows at most two regular expressions in one JSON filter pattern. */
const MAX_REGEXES = 2;

const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// The docs only promise that purely alphanumeric strings may go unquoted, but
// their own example `123.123.*` shows dots and wildcards are accepted too.
const UNQUOTED_VALUE = /^[A-Za-z0-9_.*+-]+$/;
const PROPERTY_NAME = /[A-Za-z0-9_-]/;
// Characters that end a bare word; everything else is left for value
// validation so that e.g. `a@b` is reported as needing quotes.
const WORD_BREAK = /[\s(){}"&|=!<>%]/;
// What the documentation lists for regular expressions: letters, digits, the
// symbols : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \ * + .
const REGEX_CHARACTER = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+.]$/;

function fail(pos: number, message: string): never {
    const err = new Error(`Invalid filter pattern: ${message} at column ${pos + 1}`);
    err.name = "FilterPatternSyntaxError";
    throw err;
}

function describeToken(token: Token): string {
    switch (token.kind) {
        case "end":
            return "end of pattern";
        case "operator":
            return `"${token.operator}"`;
        case "selector":
        case "string":
            return token.source;
        case "regex":
            return `%${token.source}%`;
        case "word":
            return `"${token.value}"`;
        default:
            return `"${token.kind}"`;
    }
}

function tokenize(pattern: string, start: number, end: number): Token[] {
    const tokens: Token[] = [];
    let i = start;
    while (i < end) {
        const ch = pattern.charAt(i);
        const next = i + 1 < end ? pattern.charAt(i + 1) : "";
        if (/\s/.test(ch)) {
            i += 1;
        } else if (ch === "(" || ch === ")") {
            tokens.push({ kind: ch, pos: i });
            i += 1;
        } else if (ch === "&" || ch === "|") {
            if (next !== ch) fail(i, `expected "${ch}${ch}" but found "${ch}"`);
            tokens.push({ kind: ch === "&" ? "&&" : "||", pos: i });
            i += 2;
        } else if (ch === "!") {
            if (next !== "=") fail(i, 'expected "!=" but found "!"');
            tokens.push({ kind: "operator", operator: "!=", pos: i });
            i += 2;
        } else if (ch === "<" || ch === ">") {
            const operator: ComparisonOperator = next === "=" ? (ch === "<" ? "<=" : ">=") : ch === "<" ? "<" : ">";
            tokens.push({ kind: "operator", operator, pos: i });
            i += operator.length;
        } else if (ch === "=") {
            if (next === "=") fail(i, 'unexpected "==", use "=" to compare');
            tokens.push({ kind: "operator", operator: "=", pos: i });
            i += 1;
        } else if (ch === '"') {
            i = readString(pattern, i, end, tokens);
        } else if (ch === "%") {
            i = readRegex(pattern, i, end, tokens);
        } else if (ch === "$") {
            i = readSelector(pattern, i, end, tokens);
        } else if (ch === "{" || ch === "}") {
            fail(i, `unexpected "${ch}"`);
        } else {
            let j = i;
            while (j < end && !WORD_BREAK.test(pattern.charAt(j))) j += 1;
            tokens.push({ kind: "word", value: pattern.slice(i, j), pos: i });
            i = j;
        }
    }
    tokens.push({ kind: "end", pos: end });
    return tokens;
}

function readString(pattern: string, start: number, end: number, tokens: Token[]): number {
    let value = "";
    let i = start + 1;
    while (i < end) {
        const ch = pattern.charAt(i);
        if (ch === '"') {
            tokens.push({ kind: "string", value, source: pattern.slice(start, i + 1), pos: start });
            return i + 1;
        }
        // Only \" and \\ are meaningful (they are what the AWS CDK emits when it
        // quotes a term); any other backslash is kept as written.
        const escaped = pattern.charAt(i + 1);
        if (ch === "\\" && i + 1 < end && (escaped === '"' || escaped === "\\")) {
            value += escaped;
            i += 2;
        } else {
            value += ch;
            i += 1;
        }
    }
    return fail(start, "unterminated string");
}

function readRegex(pattern: string, start: number, end: number, tokens: Token[]): number {
    const close = pattern.indexOf("%", start + 1);
    if (close === -1 || close >= end) fail(start, "unterminated regular expression");
    const source = pattern.slice(start + 1, close);
    if (source === "") fail(start, "empty regular expression");
    for (let i = 0; i < source.length; i += 1) {
        const ch = source.charAt(i);
        if (ch === "(" || ch === ")") {
            fail(start + 1 + i, "parentheses are not supported in regular expressions");
        }
        if (!REGEX_CHARACTER.test(ch)) {
            fail(start + 1 + i, `${JSON.stringify(ch)} is not supported in regular expressions`);
        }
    }
    tokens.push({ kind: "regex", source, pos: start });
    return close + 1;
}

function readBracket(pattern: string, open: number, end: number, segments: Segment[]): number {
    const quote = pattern.charAt(open + 1);
    if (quote === "'" || quote === '"') {
        const closeQuote = pattern.indexOf(quote, open + 2);
        if (closeQuote === -1 || closeQuote + 1 >= end || pattern.charAt(closeQuote + 1) !== "]") {
            fail(open, `expected a quoted property name in the form [${quote}NAME${quote}]`);
        }
        segments.push({ kind: "property", name: pattern.slice(open + 2, closeQuote) });
        return closeQuote + 2;
    }
    const close = pattern.indexOf("]", open);
    const inside = close === -1 || close >= end ? "" : pattern.slice(open + 1, close);
    if (inside === "*") {
        segments.push({ kind: "anyIndex" });
    } else if (/^\d+$/.test(inside)) {
        segments.push({ kind: "index", index: Number(inside) });
    } else {
        fail(open, "expected an array index in the form [NUMBER] or [*]");
    }
    return close + 1;
}

function readSelector(pattern: string, start: number, end: number, tokens: Token[]): number {
    const segments: Segment[] = [];
    let i = start + 1;
    if (pattern.charAt(i) === "[") fail(i, "an array index must follow a property name");
    if (pattern.charAt(i) !== "." || i >= end) fail(start, 'a selector must start with "$."');
    while (i < end) {
        const ch = pattern.charAt(i);
        if (ch === "[") {
            i = readBracket(pattern, i, end, segments);
        } else if (ch === "." && pattern.charAt(i + 1) === "[" && i + 1 < end) {
            // `$.['a.b']`: the documented way to name a property that contains dots.
            if (!"'\"".includes(pattern.charAt(i + 2))) fail(i + 1, 'expected a quoted property name after ".["');
            i = readBracket(pattern, i + 1, end, segments);
        } else if (ch === "." && pattern.charAt(i + 1) === "*" && i + 1 < end) {
            segments.push({ kind: "anyProperty" });
            i += 2;
        } else if (ch === ".") {
            let j = i + 1;
            while (j < end && PROPERTY_NAME.test(pattern.charAt(j))) j += 1;
            if (j === i + 1) fail(i + 1, 'expected a property name after "."');
            segments.push({ kind: "property", name: pattern.slice(i + 1, j) });
            i = j;
        } else {
            break;
        }
    }
    tokens.push({ kind: "selector", segments, source: pattern.slice(start, i), pos: start });
    return i;
}

type ParserState = { tokens: Token[]; index: number; regexes: number };

function peek(state: ParserState): Token {
    // The token list always ends with an "end" token and parsing never moves past it.
    return state.tokens[state.index] ?? { kind: "end", pos: 0 };
}

function take(state: ParserState): Token {
    const token = peek(state);
    if (token.kind !== "end") state.index += 1;
    return token;
}

function parseOr(state: ParserState): Expression {
    let left = parseAnd(state);
    while (peek(state).kind === "||") {
        take(state);
        left = { kind: "or", left, right: parseAnd(state) };
    }
    return left;
}

function parseAnd(state: ParserState): Expression {
    let left = parsePrimary(state);
    while (peek(state).kind === "&&") {
        take(state);
        left = { kind: "and", left, right: parsePrimary(state) };
    }
    return left;
}

function parsePrimary(state: ParserState): Expression {
    const token = take(state);
    if (token.kind === "(") {
        const inner = parseOr(state);
        const close = take(state);
        if (close.kind !== ")") fail(close.pos, `expected ")" but found ${describeToken(close)}`);
        return inner;
    }
    if (token.kind !== "selector") fail(token.pos, `expected a selector such as $.eventName but found ${describeToken(token)}`);
    return parseCondition(state, token.segments);
}

function parseCondition(state: ParserState, selector: Segment[]): Expression {
    const token = take(state);
    if (token.kind === "operator") {
        return { kind: "compare", selector, operator: token.operator, literal: parseLiteral(state, token.operator, token.pos) };
    }
    if (token.kind === "word" && token.value === "IS") {
        const what = take(state);
        if (what.kind === "word" && (what.value === "NULL" || what.value === "TRUE" || what.value === "FALSE")) {
            return { kind: "check", selector, check: `IS ${what.value}` };
        }
        return fail(what.pos, `expected NULL, TRUE or FALSE after IS but found ${describeToken(what)}`);
    }
    if (token.kind === "word" && token.value === "NOT") {
        const what = take(state);
        if (what.kind === "word" && what.value === "EXISTS") return { kind: "check", selector, check: "NOT EXISTS" };
        return fail(what.pos, `expected EXISTS after NOT but found ${describeToken(what)}`);
    }
    return fail(
        token.pos,
        `expected an operator (=, !=, <, <=, >, >=, IS NULL, IS TRUE, IS FALSE, NOT EXISTS) but found ${describeToken(token)}`,
    );
}

function parseRegexLiteral(state: ParserState, token: Extract<Token, { kind: "regex" }>, operator: ComparisonOperator): Literal {
    if (operator !== "=" && operator !== "!=") fail(token.pos, `"${operator}" compares numbers but found %${token.source}%`);
    state.regexes += 1;
    if (state.regexes > MAX_REGEXES) fail(token.pos, `at most ${MAX_REGEXES} regular expressions are allowed in one pattern`);
    try {
        return { kind: "regex", source: token.source, regex: new RegExp(token.source) };
    } catch {
        return fail(token.pos, `%${token.source}% is not a valid regular expression`);
    }
}

function parseLiteral(state: ParserState, operator: ComparisonOperator, operatorPos: number): Literal {
    const token = take(state);
    if (token.kind === "regex") return parseRegexLiteral(state, token, operator);
    let text: string;
    if (token.kind === "string") {
        text = token.value;
    } else if (token.kind === "word") {
        if (!UNQUOTED_VALUE.test(token.value)) fail(token.pos, `the value "${token.value}" must be enclosed in double quotes`);
        text = token.value;
    } else {
        return fail(
            token.kind === "end" ? operatorPos : token.pos,
            `expected a value after "${operator}" but found ${describeToken(token)}`,
        );
    }
    const quoted = token.kind === "string";
    const number = !quoted && NUMBER.test(text) ? toDecimal(text) : undefined;
    if (operator !== "=" && operator !== "!=" && number === undefined) {
        fail(token.pos, `"${operator}" compares numbers but found ${token.kind === "string" ? token.source : `"${text}"`}`);
    }
    return { kind: "text", text, quoted, number };
}

function checkFrame(pattern: string): void {
    if (pattern.length > MAX_FILTER_PATTERN_LENGTH) {
        fail(
            MAX_FILTER_PATTERN_LENGTH,
            `a filter pattern has at most ${MAX_FILTER_PATTERN_LENGTH} characters, this one has ${pattern.length}`,
        );
    }
    const trimmed = pattern.trim();
    if (!trimmed.startsWith("{")) fail(0, "only JSON filter patterns enclosed in { } are supported");
    if (!pattern.startsWith("{")) fail(0, "whitespace before '{' is not allowed");
    if (!trimmed.endsWith("}") || trimmed.length < 2) fail(0, "a filter pattern that starts with '{' must end with '}'");
    if (!pattern.endsWith("}")) fail(trimmed.length, "whitespace after '}' is not allowed");
}

/** The raw log message (preferred: numbers keep their spelling) or an already-parsed object. */
function toEventNode(event: unknown): JsonNode | undefined {
    let text: string | undefined;
    if (typeof event === "string") {
        text = event;
    } else {
        try {
            text = JSON.stringify(event);
        } catch {
            return undefined;
        }
    }
    const node = text === undefined ? undefined : readJsonText(text);
    return node !== undefined && node.kind === "object" ? node : undefined;
}

/**
 * Compiles a JSON filter pattern once so it can be run against many events.
 * Throws an Error named FilterPatternSyntaxError, whose message starts with
 * "Invalid filter pattern:", when CloudWatch Logs would refuse the pattern or
 * this evaluator cannot decide it. A message that is not a JSON object never
 * matches.
 */
export function compileFilterPattern(pattern: string): (event: unknown) => boolean {
    checkFrame(pattern);
    const state: ParserState = { tokens: tokenize(pattern, 1, pattern.length - 1), index: 0, regexes: 0 };
    const expression = parseOr(state);
    const next = peek(state);
    if (next.kind !== "end") fail(next.pos, `unexpected ${describeToken(next)} after a complete condition`);
    return (event: unknown): boolean => {
        const root = toEventNode(event);
        return root !== undefined && evaluate(expression, root);
    };
}

export function matchesFilterPattern(pattern: string, event: unknown): boolean {
    return compileFilterPattern(pattern)(event);
}

/** Why a pattern would be refused, or undefined when it is a valid JSON filter pattern. */
export function filterPatternProblem(pattern: string): string | undefined {
    try {
        compileFilterPattern(pattern);
        return undefined;
    } catch (err) {
        return err instanceof Error ? err.message : String(err);
    }
}
