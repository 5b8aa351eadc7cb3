/**
 * Evaluates CloudWatch Logs JSON filter patterns (`{ $.field = value && ... }`)
 * locally, so tests can prove which CloudTrail records a metric or subscription
 * filter would let through without deploying it.
 *
 * Only the JSON form is implemented, following the CloudWatch Logs "Filter and
 * pattern syntax" documentation. Where the documentation is silent the
 * evaluator errs on the side of matching less, because a test that passes here
 * but not in CloudWatch would hide a missed alert.
 */

type Segment = { kind: "property"; name: string } | { kind: "index"; index: number };

type ComparisonOperator = "=" | "!=" | "<" | "<=" | ">" | ">=";

type Literal = { text: string; quoted: boolean };

type Expression =
    | { kind: "or" | "and"; left: Expression; right: Expression }
    | {
          kind: "compare";
          selector: Segment[];
          operator: ComparisonOperator;
          literal: Literal;
      }
    | {
          kind: "check";
          selector: Segment[];
          check: "IS NULL" | "IS TRUE" | "IS FALSE" | "NOT EXISTS";
      };

type Token =
    | { kind: "(" | ")" | "&&" | "||" | "end"; pos: number }
    | { kind: "operator"; operator: ComparisonOperator; pos: number }
    | { kind: "selector"; segments: Segment[]; source: string; pos: number }
    | { kind: "string"; value: string; source: string; pos: number }
    | { kind: "word"; value: string; pos: number };

const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// The docs only promise that purely alphanumeric strings may go unquoted, but
// their own example `123.123.*` shows dots and wildcards are accepted too.
const UNQUOTED_VALUE = /^[A-Za-z0-9_.*+-]+$/;
const PROPERTY_NAME = /[A-Za-z0-9_-]/;
// Characters that end a bare word; everything else is left for value
// validation so that e.g. `a@b` is reported as needing quotes.
const WORD_BREAK = /[\s(){}"&|=!<>]/;

class FilterPatternSyntaxError extends Error {
    constructor(message: string) {
        super(`Invalid filter pattern: ${message}`);
        this.name = "FilterPatternSyntaxError";
    }
}

function fail(pos: number, message: string): never {
    throw new FilterPatternSyntaxError(`${message} at column ${pos + 1}`);
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
        const next = pattern.charAt(i + 1);

        if (/\s/.test(ch)) {
            i += 1;
        } else if (ch === "(" || ch === ")") {
            tokens.push({ kind: ch, pos: i });
            i += 1;
        } else if (ch === "&" || ch === "|") {
            if (next !== ch || i + 1 >= end) fail(i, `expected "${ch}${ch}" but found "${ch}"`);
            tokens.push({ kind: ch === "&" ? "&&" : "||", pos: i });
            i += 2;
        } else if (ch === "!") {
            if (next !== "=" || i + 1 >= end) fail(i, 'expected "!=" but found "!"');
            tokens.push({ kind: "operator", operator: "!=", pos: i });
            i += 2;
        } else if (ch === "<" || ch === ">") {
            const withEquals = next === "=" && i + 1 < end;
            const operator = (withEquals ? `${ch}=` : ch) as ComparisonOperator;
            tokens.push({ kind: "operator", operator, pos: i });
            i += withEquals ? 2 : 1;
        } else if (ch === "=") {
            if (next === "=" && i + 1 < end) fail(i, 'unexpected "==", use "=" to compare');
            tokens.push({ kind: "operator", operator: "=", pos: i });
            i += 1;
        } else if (ch === '"') {
            i = readString(pattern, i, end, tokens);
        } else if (ch === "$") {
            i = readSelector(pattern, i, end, tokens);
        } else if (ch === "%") {
            fail(i, "regular expression values (%...%) are not supported");
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
            tokens.push({
                kind: "string",
                value,
                source: pattern.slice(start, i + 1),
                pos: start,
            });
            return i + 1;
        }
        // Only \" and \\ are meaningful (they are what the AWS CDK emits when it
        // quotes a term); any other backslash is kept as written.
        if (ch === "\\" && i + 1 < end && (pattern.charAt(i + 1) === '"' || pattern.charAt(i + 1) === "\\")) {
            value += pattern.charAt(i + 1);
            i += 2;
        } else {
            value += ch;
            i += 1;
        }
    }
    return fail(start, "unterminated string");
}

function readSelector(pattern: string, start: number, end: number, tokens: Token[]): number {
    const segments: Segment[] = [];
    let i = start + 1;

    if (pattern.charAt(i) === "[") fail(i, "an array index must follow a property name");
    if (pattern.charAt(i) !== "." || i >= end) fail(start, 'a selector must start with "$."');

    while (i < end) {
        const ch = pattern.charAt(i);
        if (ch === ".") {
            let j = i + 1;
            while (j < end && PROPERTY_NAME.test(pattern.charAt(j))) j += 1;
            if (j === i + 1) fail(i + 1, 'expected a property name after "."');
            segments.push({ kind: "property", name: pattern.slice(i + 1, j) });
            i = j;
        } else if (ch === "[") {
            const close = pattern.indexOf("]", i);
            const digits = close === -1 || close >= end ? "" : pattern.slice(i + 1, close);
            if (!/^\d+$/.test(digits)) fail(i, "expected an array index in the form [NUMBER]");
            segments.push({ kind: "index", index: Number(digits) });
            i = close + 1;
        } else {
            break;
        }
    }

    tokens.push({
        kind: "selector",
        segments,
        source: pattern.slice(start, i),
        pos: start,
    });
    return i;
}

class Parser {
    private index = 0;

    constructor(private readonly tokens: Token[]) {}

    parse(): Expression {
        const expression = this.parseOr();
        const next = this.peek();
        if (next.kind !== "end") fail(next.pos, `unexpected ${describeToken(next)} after a complete condition`);
        return expression;
    }

    private peek(): Token {
        // The token list always ends with an "end" token and parsing never moves past it.
        return this.tokens[this.index] ?? { kind: "end", pos: 0 };
    }

    private take(): Token {
        const token = this.peek();
        if (token.kind !== "end") this.index += 1;
        return token;
    }

    private parseOr(): Expression {
        let left = this.parseAnd();
        while (this.peek().kind === "||") {
            this.take();
            left = { kind: "or", left, right: this.parseAnd() };
        }
        return left;
    }

    private parseAnd(): Expression {
        let left = this.parsePrimary();
        while (this.peek().kind === "&&") {
            this.take();
            left = { kind: "and", left, right: this.parsePrimary() };
        }
        return left;
    }

    private parsePrimary(): Expression {
        const token = this.take();
        if (token.kind === "(") {
            const inner = this.parseOr();
            const close = this.take();
            if (close.kind !== ")") fail(close.pos, `expected ")" but found ${describeToken(close)}`);
            return inner;
        }
        if (token.kind !== "selector") fail(token.pos, `expected a selector such as $.eventName but found ${describeToken(token)}`);
        return this.parseCondition(token.segments);
    }

    private parseCondition(selector: Segment[]): Expression {
        const token = this.take();

        if (token.kind === "operator") {
            return {
                kind: "compare",
                selector,
                operator: token.operator,
                literal: this.parseLiteral(token.operator, token.pos),
            };
        }

        if (token.kind === "word" && token.value === "IS") {
            const what = this.take();
            if (what.kind === "word" && (what.value === "NULL" || what.value === "TRUE" || what.value === "FALSE")) {
                return { kind: "check", selector, check: `IS ${what.value}` };
            }
            return fail(what.pos, `expected NULL, TRUE or FALSE after IS but found ${describeToken(what)}`);
        }

        if (token.kind === "word" && token.value === "NOT") {
            const what = this.take();
            if (what.kind === "word" && what.value === "EXISTS") return { kind: "check", selector, check: "NOT EXISTS" };
            return fail(what.pos, `expected EXISTS after NOT but found ${describeToken(what)}`);
        }

        return fail(
            token.pos,
            `expected an operator (=, !=, <, <=, >, >=, IS NULL, IS TRUE, IS FALSE, NOT EXISTS) but found ${describeToken(token)}`,
        );
    }

    private parseLiteral(operator: ComparisonOperator, operatorPos: number): Literal {
        const token = this.take();
        let literal: Literal;

        if (token.kind === "string") {
            literal = { text: token.value, quoted: true };
        } else if (token.kind === "word") {
            if (!UNQUOTED_VALUE.test(token.value)) {
                fail(token.pos, `the value "${token.value}" must be enclosed in double quotes`);
            }
            literal = { text: token.value, quoted: false };
        } else {
            return fail(
                token.kind === "end" ? operatorPos : token.pos,
                `expected a value after "${operator}" but found ${describeToken(token)}`,
            );
        }

        if (operator !== "=" && operator !== "!=" && (literal.quoted || !NUMBER.test(literal.text))) {
            fail(token.pos, `"${operator}" compares numbers but found ${token.kind === "string" ? token.source : `"${literal.text}"`}`);
        }
        return literal;
    }
}

type Resolved = { found: true; value: unknown } | { found: false };

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function resolve(root: unknown, selector: Segment[]): Resolved {
    let current: unknown = root;
    for (const segment of selector) {
        if (segment.kind === "property") {
            if (!isPlainObject(current) || !Object.prototype.hasOwnProperty.call(current, segment.name)) return { found: false };
            current = current[segment.name];
        } else {
            if (!Array.isArray(current) || segment.index >= current.length) return { found: false };
            current = current[segment.index];
        }
    }
    return { found: true, value: current };
}

// `*` is a wildcard only as the first and/or last character; the docs state
// that `Ev*ent` matches nothing but the literal text "Ev*ent".
function matchesWildcard(pattern: string, text: string): boolean {
    if (pattern === "*") return true;
    const leading = pattern.startsWith("*");
    const trailing = pattern.endsWith("*");
    const core = pattern.slice(leading ? 1 : 0, trailing ? -1 : undefined);
    if (leading && trailing) return text.includes(core);
    if (leading) return text.endsWith(core);
    if (trailing) return text.startsWith(core);
    return text === core;
}

function compare(value: unknown, operator: ComparisonOperator, literal: Literal): boolean {
    // The docs require the selector to reach a string or number: objects,
    // arrays, booleans and null fail both `=` and `!=`.
    if (typeof value !== "string" && typeof value !== "number") return false;

    const numericLiteral = !literal.quoted && NUMBER.test(literal.text);

    if (operator !== "=" && operator !== "!=") {
        if (typeof value !== "number") return false;
        const limit = Number(literal.text);
        switch (operator) {
            case "<":
                return value < limit;
            case "<=":
                return value <= limit;
            case ">":
                return value > limit;
            case ">=":
                return value >= limit;
        }
    }

    const equal =
        numericLiteral && typeof value === "number"
            ? value === Number(literal.text)
            : matchesWildcard(literal.text, typeof value === "number" ? String(value) : value);
    return operator === "=" ? equal : !equal;
}

function evaluate(expression: Expression, root: unknown): boolean {
    switch (expression.kind) {
        case "or":
            return evaluate(expression.left, root) || evaluate(expression.right, root);
        case "and":
            return evaluate(expression.left, root) && evaluate(expression.right, root);
        case "compare": {
            // A missing field fails `!=` as well as `=`: CloudWatch only compares
            // values that are present.
            const resolved = resolve(root, expression.selector);
            return resolved.found && compare(resolved.value, expression.operator, expression.literal);
        }
        case "check": {
            const resolved = resolve(root, expression.selector);
            switch (expression.check) {
                case "NOT EXISTS":
                    return !resolved.found;
                case "IS NULL":
                    return resolved.found && resolved.value === null;
                case "IS TRUE":
                    return resolved.found && resolved.value === true;
                case "IS FALSE":
                    return resolved.found && resolved.value === false;
            }
        }
    }
}

function toEventObject(event: unknown): Record<string, unknown> | undefined {
    let parsed: unknown = event;
    if (typeof event === "string") {
        try {
            parsed = JSON.parse(event);
        } catch {
            return undefined;
        }
    }
    return isPlainObject(parsed) ? parsed : undefined;
}

/**
 * Compiles a JSON filter pattern once so it can be run against many events.
 * Events may be given as parsed objects or as the raw JSON log message; a
 * message that is not a JSON object never matches a JSON pattern.
 */
export function compileFilterPattern(pattern: string): (event: unknown) => boolean {
    const trimmed = pattern.trim();
    if (!trimmed.startsWith("{")) {
        throw new FilterPatternSyntaxError("only JSON filter patterns enclosed in { } are supported");
    }
    if (!trimmed.endsWith("}") || trimmed.length < 2) {
        throw new FilterPatternSyntaxError("a filter pattern that starts with '{' must end with '}'");
    }

    const open = pattern.indexOf("{");
    const close = pattern.lastIndexOf("}");
    const expression = new Parser(tokenize(pattern, open + 1, close)).parse();

    return (event: unknown): boolean => {
        const root = toEventObject(event);
        return root !== undefined && evaluate(expression, root);
    };
}

export function matchesFilterPattern(pattern: string, event: unknown): boolean {
    return compileFilterPattern(pattern)(event);
}
