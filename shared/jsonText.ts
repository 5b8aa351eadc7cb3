/**
 * A small JSON reader for log events that keeps every number exactly as it is
 * written. CloudWatch Logs compares numbers in the event text, so `12.0` stays
 * `12.0` and an 18-digit id is not rounded the way JSON.parse rounds it.
 *
 * Objects keep the last value of a repeated key, as JSON.parse does. Anything
 * that is not valid JSON, or nests deeper than MAX_DEPTH, reads as undefined.
 */

export type JsonNode =
    | { kind: "object"; properties: Record<string, JsonNode> }
    | { kind: "array"; items: JsonNode[] }
    | { kind: "string"; value: string }
    | { kind: "number"; text: string }
    | { kind: "boolean"; value: boolean }
    | { kind: "null" };

const MAX_DEPTH = 1000;

/** Where a read stands in its text. */
interface Cursor {
    readonly text: string;
    pos: number;
}

/*
 * The reader's steps are made once per text and call one another directly, sharing its cursor
 * rather than passing it through every call for every token of every record a lookup finds.
 */

/** The steps that read no nested value: whitespace, strings, numbers and words. */
function scalarSteps(at: Cursor) {
    const { text } = at;
    return {
        skipWhitespace(): void {
            let c = text.charCodeAt(at.pos);
            // JSON whitespace only: space, tab, line feed, carriage return.
            while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
                at.pos += 1;
                c = text.charCodeAt(at.pos);
            }
        },
        readString(): string | undefined {
            const start = at.pos;
            let escaped = false;
            for (let i = start + 1; i < text.length; i += text.charCodeAt(i) === 0x5c ? 2 : 1) {
                const c = text.charCodeAt(i);
                if (c === 0x22) {
                    at.pos = i + 1;
                    // Nothing to unescape: the text between the quotes is the string.
                    if (!escaped) return text.slice(start + 1, i);
                    try {
                        // JSON.parse of a lone string literal does the escape handling and rejects bad escapes.
                        return JSON.parse(text.slice(start, i + 1)) as string;
                    } catch {
                        return undefined;
                    }
                }
                if (c < 0x20) return undefined;
                escaped ||= c === 0x5c;
            }
            return undefined;
        },
        readNumber(): string | undefined {
            const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
            match.lastIndex = at.pos;
            const found = match.exec(text);
            if (!found) return undefined;
            at.pos += found[0].length;
            return found[0];
        },
        readWord(word: string): boolean {
            if (!text.startsWith(word, at.pos)) return false;
            at.pos += word.length;
            return true;
        },
    };
}

type ReadValue = (depth: number) => JsonNode | undefined;

/** The steps that read the values an array or an object holds, each with `readValue`. */
function containerSteps(at: Cursor, s: ReturnType<typeof scalarSteps>, readValue: ReadValue) {
    const { text } = at;
    /** Reads `,`-separated entries up to `close`; false when the text is not such a list. */
    function entries(close: string, entry: () => boolean): boolean {
        at.pos += 1;
        s.skipWhitespace();
        if (text.charAt(at.pos) === close) {
            at.pos += 1;
            return true;
        }
        for (;;) {
            if (!entry()) return false;
            s.skipWhitespace();
            const ch = text.charAt(at.pos);
            at.pos += 1;
            if (ch === close) return true;
            if (ch !== ",") return false;
        }
    }
    return {
        readArray(depth: number): JsonNode | undefined {
            const items: JsonNode[] = [];
            const item = () => {
                const value = readValue(depth + 1);
                return value !== undefined && items.push(value) > 0;
            };
            return entries("]", item) ? { kind: "array", items } : undefined;
        },
        readObject(depth: number): JsonNode | undefined {
            // A prototype-less object, so that keys such as "__proto__" or "constructor" are plain keys.
            const properties = Object.create(null) as Record<string, JsonNode>;
            const property = () => {
                s.skipWhitespace();
                const key = text.charAt(at.pos) === '"' ? s.readString() : undefined;
                s.skipWhitespace();
                if (key === undefined || text.charAt(at.pos) !== ":") return false;
                at.pos += 1;
                const value = readValue(depth + 1);
                if (value !== undefined) properties[key] = value;
                return value !== undefined;
            };
            return entries("}", property) ? { kind: "object", properties } : undefined;
        },
    };
}

/** Reads a whole JSON text; undefined when it is not valid JSON. */
export function readJsonText(text: string): JsonNode | undefined {
    const at: Cursor = { text, pos: 0 };
    const s = scalarSteps(at);
    const c = containerSteps(at, s, (depth) => readValue(depth));
    function readValue(depth: number): JsonNode | undefined {
        if (depth > MAX_DEPTH) return undefined;
        s.skipWhitespace();
        const ch = text.charAt(at.pos);
        if (ch === "{") return c.readObject(depth);
        if (ch === "[") return c.readArray(depth);
        if (ch === '"') {
            const value = s.readString();
            return value === undefined ? undefined : { kind: "string", value };
        }
        if (ch === "-" || (ch >= "0" && ch <= "9")) {
            const number = s.readNumber();
            return number === undefined ? undefined : { kind: "number", text: number };
        }
        if (s.readWord("true")) return { kind: "boolean", value: true };
        if (s.readWord("false")) return { kind: "boolean", value: false };
        if (s.readWord("null")) return { kind: "null" };
        return undefined;
    }
    const value = readValue(0);
    if (value === undefined) return undefined;
    s.skipWhitespace();
    return at.pos === text.length ? value : undefined;
}

/**
 * A decimal number as sign × 0.DIGITS × 10^exponent, with no leading or
 * trailing zeros in DIGITS, so that two numbers can be compared exactly.
 */
export type Decimal = { sign: -1 | 0 | 1; digits: string; exponent: number };

/** Parses a number as written (JSON or filter-pattern spelling); undefined if it is not one. */
export function toDecimal(text: string): Decimal | undefined {
    const parts = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!parts) return undefined;
    const whole = parts[2] ?? "";
    const fraction = parts[3] ?? "";
    if (whole === "" && fraction === "") return undefined;
    let digits = whole + fraction;
    let exponent = Number(parts[4] ?? "0") + whole.length;
    const leading = /^0*/.exec(digits)?.[0].length ?? 0;
    digits = digits.slice(leading).replace(/0+$/, "");
    exponent -= leading;
    if (digits === "") return { sign: 0, digits: "", exponent: 0 };
    return { sign: parts[1] === "-" ? -1 : 1, digits, exponent };
}

/** Compares two decimals exactly: negative, zero or positive like a sort comparator. */
export function compareDecimals(a: Decimal, b: Decimal): number {
    if (a.sign !== b.sign) return a.sign - b.sign;
    if (a.sign === 0) return 0;
    let magnitude: number;
    if (a.exponent !== b.exponent) {
        magnitude = a.exponent > b.exponent ? 1 : -1;
    } else {
        const width = Math.max(a.digits.length, b.digits.length);
        const x = a.digits.padEnd(width, "0");
        const y = b.digits.padEnd(width, "0");
        magnitude = x === y ? 0 : x > y ? 1 : -1;
    }
    return magnitude * a.sign;
}
