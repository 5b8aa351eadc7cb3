/**
 * EventBridge event patterns, evaluated in-process: whether a pattern matches an event, and whether
 * EventBridge would accept the pattern at all. The rules are those of the EventBridge User Guide
 * ("Event patterns", "Content filtering in Amazon EventBridge event patterns", "Comparison operators
 * for use in event patterns"), cited at each; where the guide is silent they follow aws/event-ruler,
 * the open-source engine EventBridge matches with, and say so. test/eventPattern.spec.ts holds the
 * evaluator to AWS's own answers (test/fixtures/eventPatternCases.json).
 *
 * Supported: exact strings, numbers, booleans and null; prefix and suffix (plain or
 * {"equals-ignore-case": ...}); equals-ignore-case; wildcard; anything-but (a string, a number, a list
 * of either, or {prefix|suffix|equals-ignore-case|wildcard: string or list}); numeric (=, <, <=, >, >=,
 * and one lower with one upper bound); exists true/false; cidr (IPv4 and IPv6); $or at any depth.
 * Not modelled: the wildcard complexity limit (undocumented), and the engine's reading of an exact
 * string that is an IP address as that address (the guide promises no normalisation of strings).
 */
import ipaddr from "ipaddr.js";

/** What PutRule and TestEventPattern answer with InvalidEventPatternException. */
export class InvalidEventPatternError extends Error {
    constructor(reason: string) {
        super(`Event pattern is not valid. Reason: ${reason}`);
        this.name = "InvalidEventPatternError";
    }
}

/** Whether the event matches; throws InvalidEventPatternError for a pattern EventBridge would reject. */
export type EventMatcher = (event: unknown) => boolean;

type Scalar = string | number | boolean | null;
type ValueTest = (value: Scalar) => boolean;

/** A value of the event (kept under the dotted path of its keys), with the element it sits in of each enclosing array. */
interface Leaf {
    value: Scalar;
    elements: ReadonlyMap<number, number>;
}

/** What a pattern asks of one path: some leaf there passing some test, or, with exists:false, no leaf there. */
interface FieldRule {
    tests: ValueTest[];
    absentMatches: boolean;
}

/** One way for the pattern to match, once every $or is multiplied out: each path's rule must hold. */
type Conjunct = ReadonlyMap<string, FieldRule>;

const ABSENT = "absent";

/**
 * Inside $or, operator names cannot be field names, or a misplaced operator would read as a field
 * (aws/event-ruler README, "The $or Primitive", which lists them).
 */
const RESERVED_IN_OR = new Set([
    ...["exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr"],
    ...["=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case"],
    ...["date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range"],
    ...["ip-address-in-range", "ip-address-not-in-range"],
]);

function invalid(reason: string): never {
    throw new InvalidEventPatternError(reason);
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
    return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function requireString(value: unknown, reason: string): string {
    return typeof value === "string" ? value : invalid(reason);
}

/** Compiles the pattern once, for many events; throws InvalidEventPatternError where EventBridge would refuse it. */
export function compileEventPattern(pattern: unknown): EventMatcher {
    // "Event patterns": a pattern is a JSON object with the same structure as the events it matches.
    if (!isObject(pattern)) {
        invalid("Filter is not an object");
    }
    const conjuncts = compileObject(pattern, [], [new Map()], false);
    return (event) => {
        const leaves = leavesByPath(event);
        return conjuncts.some((conjunct) => conjunctMatches(conjunct, leaves));
    };
}

/** Throws InvalidEventPatternError for a pattern EventBridge rejects (InvalidEventPatternException). */
export function assertValidEventPattern(pattern: unknown): void {
    compileEventPattern(pattern);
}

/** Whether EventBridge's rule with this pattern takes the event; throws for an invalid pattern. */
export function eventPatternMatches(pattern: unknown, event: unknown): boolean {
    return compileEventPattern(pattern)(event);
}

/**
 * An object of the pattern: its fields must all match ("Event patterns": to match, an event must have
 * every field the pattern names, nested as in the pattern). Nested keys join with dots, so
 * {"a": {"b": ...}} and {"a.b": ...} name one path (recorded: dot_joining_pattern); a path given twice
 * keeps its last rule, as JSON.parse keeps a repeated key's last value (recorded: complex_multi_key).
 */
function compileObject(pattern: Record<string, unknown>, path: readonly string[], base: Conjunct[], inOr: boolean): Conjunct[] {
    const entries = Object.entries(pattern);
    if (entries.length === 0) {
        invalid("Empty objects are not allowed");
    }
    let conjuncts = base;
    for (const [key, value] of entries) {
        if (key === "$or") {
            conjuncts = compileOr(value, path, conjuncts);
        } else if (inOr && RESERVED_IN_OR.has(key)) {
            invalid(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
        } else if (Array.isArray(value)) {
            const rule = compileField(value);
            const fieldPath = [...path, key].join(".");
            conjuncts = conjuncts.map((conjunct) => new Map(conjunct).set(fieldPath, rule));
        } else if (isObject(value)) {
            conjuncts = compileObject(value, [...path, key], conjuncts, inOr);
        } else {
            // "Event patterns": the values to match are in a JSON array, even a single one (recorded: string_nolist).
            invalid(`"${key}" must be an object or an array`);
        }
    }
    return conjuncts;
}

/**
 * "Comparison operators": $or matching. Each object of the list is an alternative at the level where
 * $or stands, and the fields beside $or apply to every alternative. Fewer than two is refused.
 */
function compileOr(alternatives: unknown, path: readonly string[], base: Conjunct[]): Conjunct[] {
    if (!Array.isArray(alternatives)) {
        invalid("It must be an Array followed with $or.");
    }
    if (alternatives.length < 2) {
        invalid("There must have at least 2 Objects in $or relationship.");
    }
    return alternatives.flatMap((alternative) =>
        isObject(alternative)
            ? compileObject(alternative, path, base, true)
            : invalid("Only JSON object is allowed in array of $or relationship."),
    );
}

/**
 * A leaf's list: it matches if any entry does ("Arrays in Amazon EventBridge event patterns"). An
 * empty list is refused (recorded: arrays_empty_EXC); entries are JSON scalars or one operator each.
 */
function compileField(entries: unknown[]): FieldRule {
    if (entries.length === 0) {
        invalid("Empty arrays are not allowed");
    }
    const rule: FieldRule = { tests: [], absentMatches: false };
    for (const entry of entries) {
        if (isObject(entry)) {
            const test = compileOperator(entry);
            if (test === ABSENT) {
                rule.absentMatches = true;
            } else {
                rule.tests.push(test);
            }
        } else if (isScalar(entry)) {
            rule.tests.push(exactTest(entry));
        } else {
            invalid("Match value must be String, number, true, false, or null");
        }
    }
    return rule;
}

/**
 * "Event patterns", considerations: strings match character by character, without case-folding or any
 * other normalisation; null and "" are values to match like any other ("Null values and empty
 * strings"). Numbers compare by value: AWS matched 300.0 with [300] (recorded: number_comparison_float).
 * A string never equals a number or a boolean.
 */
function exactTest(wanted: Scalar): ValueTest {
    return (value) => value === wanted;
}

/** One operator object: exactly one key, named in lower case (recorded: operator_case_sensitive_EXC). */
function compileOperator(expression: Record<string, unknown>): ValueTest | typeof ABSENT {
    const [name, ...others] = Object.keys(expression);
    if (name === undefined) {
        invalid("Match expression name not found");
    }
    if (others.length > 0) {
        invalid("Only one key allowed in match expression");
    }
    const argument = expression[name];
    switch (name) {
        case "prefix":
        case "suffix":
            return compileAffix(name, argument);
        case "equals-ignore-case": {
            const wanted = requireString(argument, "equals-ignore-case match pattern must be a string");
            return (value) => typeof value === "string" && equalsIgnoringCase(value, wanted);
        }
        case "wildcard": {
            const runs = parseWildcard(requireString(argument, "wildcard match pattern must be a string"));
            return (value) => typeof value === "string" && wildcardMatches(runs, value);
        }
        case "anything-but":
            return compileAnythingBut(argument);
        case "numeric":
            return compileNumeric(argument);
        case "exists":
            return compileExists(argument);
        case "cidr":
            return compileCidr(argument);
        default:
            return invalid(`Unrecognized match type ${name}`);
    }
}

/**
 * "Comparison operators": prefix and suffix matching, on string values only, either case-sensitive or
 * with {"equals-ignore-case": ...}. An empty prefix or suffix matches every string (recorded:
 * content_prefix_empty).
 */
function compileAffix(kind: "prefix" | "suffix", argument: unknown): ValueTest {
    if (isObject(argument)) {
        const [option, ...others] = Object.keys(argument);
        if (option !== "equals-ignore-case" || others.length > 0) {
            invalid(`Unsupported ${kind} pattern: ${String(option)}`);
        }
        const wanted = requireString(argument[option], "equals-ignore-case match pattern must be a string");
        const test = kind === "prefix" ? startsIgnoringCase : endsIgnoringCase;
        return (value) => typeof value === "string" && test(value, wanted);
    }
    const wanted = requireString(argument, `${kind} match pattern must be a string`);
    return (value) => typeof value === "string" && (kind === "prefix" ? value.startsWith(wanted) : value.endsWith(wanted));
}

/** A character of the event against one of the pattern's: itself, or its lower- or upper-case form. */
function sameLetter(actual: string, wanted: string): boolean {
    return actual === wanted || actual === wanted.toLowerCase() || actual === wanted.toUpperCase();
}

/** "Comparison operators": equals-ignore-case matching, code point by code point. */
function equalsIgnoringCase(value: string, wanted: string): boolean {
    const actual = [...value];
    const letters = [...wanted];
    return actual.length === letters.length && letters.every((letter, i) => sameLetter(actual[i] ?? "", letter));
}

function startsIgnoringCase(value: string, wanted: string): boolean {
    const actual = [...value];
    const letters = [...wanted];
    return letters.length <= actual.length && equalsIgnoringCase(actual.slice(0, letters.length).join(""), wanted);
}

function endsIgnoringCase(value: string, wanted: string): boolean {
    const actual = [...value];
    const letters = [...wanted];
    return letters.length <= actual.length && equalsIgnoringCase(actual.slice(actual.length - letters.length).join(""), wanted);
}

/**
 * "Comparison operators": wildcard matching. `*` stands for any run of characters, none included;
 * `\*` is a literal asterisk and `\\` a literal backslash; any other escape, and two wildcards in a
 * row, are refused (recorded: content_wildcard_repeating_star_EXC). Returns the literal runs between
 * the wildcards: one run means no wildcard at all, so "" matches only the empty string (recorded:
 * content_wildcard_empty_NEG).
 */
function parseWildcard(text: string): string[] {
    const runs: string[] = [];
    let run = "";
    for (let i = 0; i < text.length; i++) {
        const char = text[i];
        const next = text[i + 1];
        if (char === "*") {
            if (next === "*") {
                invalid(`Consecutive wildcard characters at pos ${i}`);
            }
            runs.push(run);
            run = "";
        } else if (char === "\\") {
            if (next !== "*" && next !== "\\") {
                invalid(`Invalid escape character at pos ${i}`);
            }
            run += next;
            i++;
        } else {
            run += char;
        }
    }
    runs.push(run);
    return runs;
}

/** Literal runs in order, the first at the start and the last at the end; leftmost placement is enough for `*`. */
function wildcardMatches(runs: readonly string[], value: string): boolean {
    const first = runs[0] ?? "";
    if (runs.length === 1) {
        return value === first;
    }
    const last = runs[runs.length - 1] ?? "";
    const end = value.length - last.length;
    if (end < first.length || !value.startsWith(first) || !value.endsWith(last)) {
        return false;
    }
    let at = first.length;
    for (const run of runs.slice(1, -1)) {
        const found = value.indexOf(run, at);
        if (found < 0 || found + run.length > end) {
            return false;
        }
        at = found + run.length;
    }
    return true;
}

/**
 * "Comparison operators": anything-but matching. Matches any value present other than those given: a
 * null, a number against strings, a string against numbers (recorded: content_anything_but_string_null,
 * content_anything_prefix_int_value), but not a missing field (recorded: *_missing_NEG). Takes a string,
 * a number, a list of only strings or only numbers, or one of prefix, suffix, equals-ignore-case and
 * wildcard with a string or list of strings.
 */
function compileAnythingBut(argument: unknown): ValueTest {
    if (isObject(argument)) {
        const excluded = compileExclusion(argument);
        return (value) => !(typeof value === "string" && excluded(value));
    }
    if (typeof argument === "string" || typeof argument === "number") {
        return (value) => value !== argument;
    }
    if (!Array.isArray(argument)) {
        return invalid("Value of anything-but must be an array or single string/number value.");
    }
    const excluded: unknown[] = argument;
    const kinds = new Set(excluded.map((v) => typeof v));
    if (kinds.size !== 1 || !(kinds.has("string") || kinds.has("number"))) {
        invalid("Inside anything but list, either all values are number or string, mixed type is not supported");
    }
    return (value) => !excluded.includes(value);
}

/** anything-but's {operator: value or list}: which strings it excludes. Empty prefixes and suffixes are refused. */
function compileExclusion(argument: Record<string, unknown>): (value: string) => boolean {
    const [operator, ...others] = Object.keys(argument);
    if (operator === undefined || others.length > 0 || !["prefix", "suffix", "equals-ignore-case", "wildcard"].includes(operator)) {
        invalid(`Unsupported anything-but pattern: ${String(operator)}`);
    }
    const given = argument[operator];
    const list = Array.isArray(given) ? given : [given];
    if (list.length === 0) {
        invalid("Empty arrays are not allowed");
    }
    const wanted = list.map((v) => requireString(v, `${operator} match pattern must be a string`));
    switch (operator) {
        case "prefix":
        case "suffix":
            if (wanted.includes("")) {
                invalid("Null prefix/suffix not allowed");
            }
            return operator === "prefix"
                ? (value) => wanted.some((w) => value.startsWith(w))
                : (value) => wanted.some((w) => value.endsWith(w));
        case "equals-ignore-case":
            return (value) => wanted.some((w) => equalsIgnoringCase(value, w));
        default: {
            const patterns = wanted.map(parseWildcard);
            return (value) => patterns.some((runs) => wildcardMatches(runs, value));
        }
    }
}

type Comparison = (value: number, bound: number) => boolean;

const COMPARISONS = new Map<string, Comparison>([
    ["=", (value, bound) => value === bound],
    ["<", (value, bound) => value < bound],
    ["<=", (value, bound) => value <= bound],
    [">", (value, bound) => value > bound],
    [">=", (value, bound) => value >= bound],
]);

interface Bound {
    operator: string;
    compare: Comparison;
    bound: number;
}

/**
 * "Comparison operators": numeric matching, on JSON numbers only: not a string of digits, not null
 * (recorded: numeric-string_NEG, numeric-null_NEG).
 */
function compileNumeric(argument: unknown): ValueTest {
    if (!Array.isArray(argument)) {
        return invalid("Value of numeric must be an array.");
    }
    const bounds = numericBounds(argument);
    return (value) => typeof value === "number" && bounds.every(({ compare, bound }) => compare(value, bound));
}

/**
 * numeric's terms: one comparison, or a lower bound (> or >=) then a higher upper bound (< or <=);
 * anything else is refused (recorded: content_numeric_EXC, content_numeric_syntax_EXC).
 */
function numericBounds(terms: unknown[]): Bound[] {
    const bounds: Bound[] = [];
    for (let i = 0; i < terms.length; i += 2) {
        const operator: unknown = terms[i];
        const bound: unknown = terms[i + 1];
        const compare = typeof operator === "string" ? COMPARISONS.get(operator) : undefined;
        if (compare === undefined) {
            invalid(`Unrecognized numeric range operator: ${String(operator)}`);
        }
        if (typeof bound !== "number") {
            invalid(`Value of ${String(operator)} must be numeric`);
        }
        bounds.push({ operator: String(operator), compare, bound });
    }
    const [lower, upper, ...more] = bounds;
    if (lower === undefined) {
        invalid("Invalid member in numeric match");
    }
    if (more.length > 0) {
        invalid("Too many terms in numeric range expression");
    }
    if (upper !== undefined) {
        if (![">", ">="].includes(lower.operator)) {
            invalid("Too many elements in numeric expression");
        }
        if (!["<", "<="].includes(upper.operator)) {
            invalid(`Bad numeric range operator: ${upper.operator}`);
        }
        if (!(lower.bound < upper.bound)) {
            invalid("Bottom must be less than top");
        }
    }
    return bounds;
}

/**
 * "Comparison operators": exists matching, on leaves only. exists:true takes any value there, null
 * included; a field holding an object or an empty array is no leaf, so it does not exist (recorded:
 * exists_dynamodb_NEG, exists_list_empty_NEG) and exists:false matches it.
 */
function compileExists(argument: unknown): ValueTest | typeof ABSENT {
    if (typeof argument !== "boolean") {
        invalid("exists match pattern must be either true or false.");
    }
    return argument ? () => true : ABSENT;
}

interface Network {
    bytes: number[];
    bits: number;
}

/**
 * "Comparison operators": IP address matching, IPv4 and IPv6 CIDR blocks, against string values that are
 * addresses of the same family (10.0.0.256 is none: recorded content_ip_address_NEG). The engine
 * (aws/event-ruler CIDR) refuses a mask of 32 bits for IPv4 and 128 for IPv6: a single address is an
 * exact string instead.
 */
function compileCidr(argument: unknown): ValueTest {
    // AWS's wording, for a list given to cidr (recorded: content_ip_address_type_EXC).
    const text = requireString(argument, "prefix match pattern must be a string");
    const parts = text.split("/");
    if (parts.length !== 2) {
        invalid("Malformed CIDR, one '/' required");
    }
    const [address = "", mask = ""] = parts;
    if (!/^\d+$/.test(mask)) {
        invalid("Malformed CIDR, mask bits must be an integer");
    }
    const bytes = addressBytes(address) ?? invalid(`Nonstandard IP address: ${address}`);
    const network: Network = { bytes, bits: Number(mask) };
    if (network.bits >= bytes.length * 8) {
        invalid(bytes.length === 4 ? "IPv4 mask bits must be < 32" : "IPv6 mask bits must be < 128");
    }
    return (value) => typeof value === "string" && inNetwork(network, value);
}

/** An IPv4 address in four decimal parts, or an IPv6 address in hexadecimal groups, as bytes; else undefined. */
function addressBytes(text: string): number[] | undefined {
    if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
        return ipaddr.IPv4.parse(text).toByteArray();
    }
    if (/^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/.test(text) && ipaddr.IPv6.isValid(text)) {
        return ipaddr.IPv6.parse(text).toByteArray();
    }
    return undefined;
}

function inNetwork(network: Network, text: string): boolean {
    const bytes = addressBytes(text);
    if (bytes === undefined || bytes.length !== network.bytes.length) {
        return false;
    }
    for (let bit = 0; bit < network.bits; bit += 8) {
        const mask = (0xff << (8 - Math.min(8, network.bits - bit))) & 0xff;
        const i = bit / 8;
        if (((bytes[i] ?? 0) & mask) !== ((network.bytes[i] ?? 0) & mask)) {
            return false;
        }
    }
    return true;
}

/**
 * The event's leaves by dotted path. An array's elements all sit at the array's own path, objects in
 * them included ("Arrays in Amazon EventBridge event patterns"; recorded: list_within_dict); an empty
 * array or object leaves nothing. Keys join with dots, so {"a.b": 1} and {"a": {"b": 1}} give one path
 * (recorded: dot_joining_event). A string holding JSON stays a string (recorded: nested_json_NEG).
 */
function leavesByPath(event: unknown): Map<string, Leaf[]> {
    const leaves = new Map<string, Leaf[]>();
    let arrays = 0;
    const visit = (value: unknown, path: readonly string[], elements: ReadonlyMap<number, number>): void => {
        if (Array.isArray(value)) {
            const array = arrays++;
            value.forEach((element, i) => visit(element, path, new Map(elements).set(array, i)));
        } else if (isObject(value)) {
            Object.entries(value).forEach(([key, child]) => visit(child, [...path, key], elements));
        } else if (isScalar(value)) {
            const key = path.join(".");
            const atPath = leaves.get(key) ?? [];
            atPath.push({ value, elements });
            leaves.set(key, atPath);
        }
    };
    visit(event, [], new Map());
    return leaves;
}

/**
 * One alternative against the event. A path with no leaf satisfies only exists:false, which asks of the
 * whole event (the guide's "does not have a detail.c-count field"). The other paths each need a passing
 * leaf, and the leaves chosen must agree on which element they take of any array they share: the
 * engine refuses a match that takes one field from one element and another from a different element of
 * the same array (aws/event-ruler README, "JSON Array Matching").
 */
function conjunctMatches(conjunct: Conjunct, leaves: ReadonlyMap<string, Leaf[]>): boolean {
    const choices: Leaf[][] = [];
    for (const [path, rule] of conjunct) {
        const present = leaves.get(path) ?? [];
        if (present.length === 0) {
            if (!rule.absentMatches) {
                return false;
            }
            continue;
        }
        const passing = present.filter((leaf) => rule.tests.some((test) => test(leaf.value)));
        if (passing.length === 0) {
            return false;
        }
        choices.push(passing);
    }
    return consistentChoice(choices, 0, new Map());
}

function consistentChoice(choices: readonly Leaf[][], index: number, taken: ReadonlyMap<number, number>): boolean {
    const options = choices[index];
    if (options === undefined) {
        return true;
    }
    return options.some((leaf) => {
        const merged = new Map(taken);
        for (const [array, element] of leaf.elements) {
            if ((merged.get(array) ?? element) !== element) {
                return false;
            }
            merged.set(array, element);
        }
        return consistentChoice(choices, index + 1, merged);
    });
}
