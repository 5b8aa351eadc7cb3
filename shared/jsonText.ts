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

type Reader = { text: string; pos: number };

function skipWhitespace(reader: Reader): void {
    let c = reader.text.charCodeAt(reader.pos);
    // JSON whitespace only: space, tab, line feed, carriage return.
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
        reader.pos += 1;
        c = reader.text.charCodeAt(reader.pos);
    }
}

function readString(reader: Reader): string | undefined {
    const start = reader.pos;
    let i = start + 1;
    while (i < reader.text.length) {
        const c = reader.text.charCodeAt(i);
        if (c === 0x22) {
            reader.pos = i + 1;
            try {
                // JSON.parse of a lone string literal does the escape handling and rejects bad escapes.
                return JSON.parse(reader.text.slice(start, i + 1)) as string;
            } catch {
                return undefined;
            }
        }
        if (c < 0x20) return undefined;
        i += c === 0x5c ? 2 : 1;
    }
    return undefined;
}

function readNumber(reader: Reader): string | undefined {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = reader.pos;
    const found = match.exec(reader.text);
    if (!found) return undefined;
    reader.pos += found[0].length;
    return found[0];
}

function readWord(reader: Reader, word: string): boolean {
    if (!reader.text.startsWith(word, reader.pos)) return false;
    reader.pos += word.length;
    return true;
}

function readArray(reader: Reader, depth: number): JsonNode | undefined {
    const items: JsonNode[] = [];
    reader.pos += 1;
    skipWhitespace(reader);
    if (reader.text.charAt(reader.pos) === "]") {
        reader.pos += 1;
        return { kind: "array", items };
    }
    for (;;) {
        const item = readValue(reader, depth + 1);
        if (item === undefined) return undefined;
        items.push(item);
        skipWhitespace(reader);
        const ch = reader.text.charAt(reader.pos);
        reader.pos += 1;
        if (ch === "]") return { kind: "array", items };
        if (ch !== ",") return undefined;
    }
}

function readObject(reader: Reader, depth: number): JsonNode | undefined {
    // A prototype-less object, so that keys such as "__proto__" or "constructor" are plain keys.
    const properties = Object.create(null) as Record<string, JsonNode>;
    reader.pos += 1;
    skipWhitespace(reader);
    if (reader.text.charAt(reader.pos) === "}") {
        reader.pos += 1;
        return { kind: "object", properties };
    }
    for (;;) {
        skipWhitespace(reader);
        if (reader.text.charAt(reader.pos) !== '"') return undefined;
        const key = readString(reader);
        if (key === undefined) return undefined;
        skipWhitespace(reader);
        if (reader.text.charAt(reader.pos) !== ":") return undefined;
        reader.pos += 1;
        const value = readValue(reader, depth + 1);
        if (value === undefined) return undefined;
        properties[key] = value;
        skipWhitespace(reader);
        const ch = reader.text.charAt(reader.pos);
        reader.pos += 1;
        if (ch === "}") return { kind: "object", properties };
        if (ch !== ",") return undefined;
    }
}

function readValue(reader: Reader, depth: number): JsonNode | undefined {
    if (depth > MAX_DEPTH) return undefined;
    skipWhitespace(reader);
    const ch = reader.text.charAt(reader.pos);
    if (ch === "{") return readObject(reader, depth);
    if (ch === "[") return readArray(reader, depth);
    if (ch === '"') {
        const value = readString(reader);
        return value === undefined ? undefined : { kind: "string", value };
    }
    if (ch === "-" || (ch >= "0" && ch <= "9")) {
        const text = readNumber(reader);
        return text === undefined ? undefined : { kind: "number", text };
    }
    if (readWord(reader, "true")) return { kind: "boolean", value: true };
    if (readWord(reader, "false")) return { kind: "boolean", value: false };
    if (readWord(reader, "null")) return { kind: "null" };
    return undefined;
}

/** Reads a whole JSON text; undefined when it is not valid JSON. */
export function readJsonText(text: string): JsonNode | undefined {
    const reader: Reader = { text, pos: 0 };
    const value = readValue(reader, 0);
    if (value === undefined) return undefined;
    skipWhitespace(reader);
    return reader.pos === text.length ? value : undefined;
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
