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
 * The tokens come from filterTokens.ts; the parsed expression is evaluated by
 * filterEvaluate.ts.
 *
 * This module is bundled into the function's code as well as run by the
 * program: it imports only from shared/.
 */

import { evaluator, type ComparisonOperator, type Expression, type Literal, type Segment } from "./filterEvaluate";
import { describeToken, fail, tokenize, type Token } from "./filterTokens";
import { readJsonText, toDecimal, type JsonNode } from "./jsonText";

/** The longest filter pattern CloudWatch Logs accepts (PutMetricFilter, PutSubscriptionFilter). */
export const MAX_FILTER_PATTERN_LENGTH = 1024;
/** The documentation allows at most two regular expressions in one JSON filter pattern. */
const MAX_REGEXES = 2;

const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// The docs only promise that purely alphanumeric strings may go unquoted, but
// their own example `123.123.*` shows dots and wildcards are accepted too.
const UNQUOTED_VALUE = /^[A-Za-z0-9_.*+-]+$/;

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
 * Parses a JSON filter pattern into the expression compileFilterPattern
 * evaluates, for code that reasons about a pattern rather than runs it. Throws
 * the same FilterPatternSyntaxError as compileFilterPattern.
 */
export function parseFilterPattern(pattern: string): Expression {
    checkFrame(pattern);
    const state: ParserState = { tokens: tokenize(pattern, 1, pattern.length - 1), index: 0, regexes: 0 };
    const expression = parseOr(state);
    const next = peek(state);
    if (next.kind !== "end") fail(next.pos, `unexpected ${describeToken(next)} after a complete condition`);
    return expression;
}

/** An event read once (readLogEvent), for several patterns to test (compileParsedFilterPattern); undefined when it is not a JSON object. */
export type LogEventNode = JsonNode | undefined;

/** Reads an event for compileParsedFilterPattern's tests: the raw log message, or an already-parsed object. */
export function readLogEvent(event: unknown): LogEventNode {
    return toEventNode(event);
}

/**
 * Compiles a JSON filter pattern into a test of an event already read by readLogEvent, so that
 * several patterns read each event once. Throws as compileFilterPattern does.
 */
export function compileParsedFilterPattern(pattern: string): (root: LogEventNode) => boolean {
    const matches = evaluator(parseFilterPattern(pattern));
    return (root: LogEventNode): boolean => root !== undefined && matches(root);
}

/**
 * Compiles a JSON filter pattern once so it can be run against many events.
 * Throws an Error named FilterPatternSyntaxError, whose message starts with
 * "Invalid filter pattern:", when CloudWatch Logs would refuse the pattern or
 * this evaluator cannot decide it. A message that is not a JSON object never
 * matches.
 */
export function compileFilterPattern(pattern: string): (event: unknown) => boolean {
    const matches = compileParsedFilterPattern(pattern);
    return (event: unknown): boolean => matches(toEventNode(event));
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
