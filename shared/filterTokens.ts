/**
 * Splits the inside of a CloudWatch Logs JSON filter pattern (between its
 * outer braces) into tokens for filterPattern.ts: parentheses, && and ||,
 * comparison operators, selectors such as `$.userIdentity['a.b'][0]`, quoted
 * strings, %regular expressions% and bare words. Syntax the documentation
 * rules out is refused here, with the column it starts at.
 *
 * Like filterPattern.ts this module is bundled into the function's code: it
 * imports only from shared/.
 */

import type { ComparisonOperator, Segment } from "./filterEvaluate";

export type Token =
    | { kind: "(" | ")" | "&&" | "||" | "end"; pos: number }
    | { kind: "operator"; operator: ComparisonOperator; pos: number }
    | { kind: "selector"; segments: Segment[]; source: string; pos: number }
    | { kind: "string"; value: string; source: string; pos: number }
    | { kind: "regex"; source: string; pos: number }
    | { kind: "word"; value: string; pos: number };

const PROPERTY_NAME = /[A-Za-z0-9_-]/;
// Characters that end a bare word; everything else is left for value
// validation so that e.g. `a@b` is reported as needing quotes.
const WORD_BREAK = /[\s(){}"&|=!<>%]/;
// What the documentation lists for regular expressions: letters, digits, the
// symbols : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \ * + .
const REGEX_CHARACTER = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+.]$/;

export function fail(pos: number, message: string): never {
    const err = new Error(`Invalid filter pattern: ${message} at column ${pos + 1}`);
    err.name = "FilterPatternSyntaxError";
    throw err;
}

export function describeToken(token: Token): string {
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

export function tokenize(pattern: string, start: number, end: number): Token[] {
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
