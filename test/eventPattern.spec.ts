/**
 * The EventBridge pattern evaluator (test/support/eventPattern.ts) against what AWS answered: every case
 * of test/fixtures/eventPatternCases.json, transcribed from localstack's templates recorded against
 * TestEventPattern, then a few corners those cases leave out, each from the EventBridge User Guide or
 * the engine's documentation.
 */
import * as assert from "assert";
import { CENTRAL_PATTERN } from "../program/fastPath";
import { fastPathPatterns } from "../program/fastPathPatterns";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES } from "../program/rules";
import { fixture } from "../tools/fixtures";
import { assertValidEventPattern, compileEventPattern, eventPatternMatches, InvalidEventPatternError } from "./support/eventPattern";

type Expectation = "match" | "no-match" | "invalid";

interface PatternCase {
    name: string;
    expect: Expectation;
    note?: string;
    /** The pattern as sent, or its text where the text matters (a repeated key). */
    pattern?: unknown;
    patternText?: string;
    event: unknown;
}

interface CaseTable {
    description: string;
    source: { repository: string; directory: string; commit: string };
    templateFiles: number;
    cases: PatternCase[];
    skipped: Array<PatternCase & { reason: string }>;
}

function patternOf(c: PatternCase): unknown {
    return c.patternText === undefined ? c.pattern : JSON.parse(c.patternText);
}

/** The evaluator's answer, in the table's words. */
function answer(pattern: unknown, event: unknown): Expectation {
    try {
        return eventPatternMatches(pattern, event) ? "match" : "no-match";
    } catch (e) {
        if (e instanceof InvalidEventPatternError) {
            return "invalid";
        }
        throw e;
    }
}

const ENVELOPE = {
    id: "1",
    source: "test-source",
    "detail-type": "test-detail-type",
    account: "123456789012",
    region: "us-east-2",
    time: "2022-07-13T13:48:01Z",
};

interface Corner {
    why: string;
    pattern: unknown;
    event: Record<string, unknown>;
    expect: Expectation;
}

/** Corners the recorded cases leave out; `why` names the rule and where it is written. */
const CORNERS: Corner[] = [
    {
        why: "wildcard: \\* is a literal asterisk (User Guide, wildcard matching)",
        pattern: { detail: { key: [{ wildcard: "report\\*.csv" }] } },
        event: { detail: { key: "report*.csv" } },
        expect: "match",
    },
    {
        why: "wildcard: an escaped asterisk matches no other character",
        pattern: { detail: { key: [{ wildcard: "report\\*.csv" }] } },
        event: { detail: { key: "report1.csv" } },
        expect: "no-match",
    },
    {
        why: "wildcard: \\\\ is a literal backslash",
        pattern: { detail: { key: [{ wildcard: "C:\\\\*" }] } },
        event: { detail: { key: "C:\\Users" } },
        expect: "match",
    },
    {
        why: "wildcard: a backslash escaping anything else is refused (engine README, wildcard matching)",
        pattern: { detail: { key: [{ wildcard: "a\\b*" }] } },
        event: { detail: { key: "ab" } },
        expect: "invalid",
    },
    {
        why: "wildcard: a trailing backslash escapes nothing and is refused",
        pattern: { detail: { key: [{ wildcard: "a*\\" }] } },
        event: { detail: { key: "a\\" } },
        expect: "invalid",
    },
    {
        why: "wildcard: * matches an empty run, and a run needs the right order",
        pattern: { detail: { key: [{ wildcard: "*a*b*" }] } },
        event: { detail: { key: "ba" } },
        expect: "no-match",
    },
    {
        why: "wildcard: only strings",
        pattern: { detail: { key: [{ wildcard: "1*" }] } },
        event: { detail: { key: 12 } },
        expect: "no-match",
    },
    {
        why: "exists:true takes a null value: null is a value (User Guide, null values)",
        pattern: { detail: { key: [{ exists: true }] } },
        event: { detail: { key: null } },
        expect: "match",
    },
    {
        why: "exists:false refuses a null value",
        pattern: { detail: { key: [{ exists: false }] } },
        event: { detail: { key: null } },
        expect: "no-match",
    },
    {
        why: "exists:false takes an empty array: it holds no leaf",
        pattern: { resources: [{ exists: false }] },
        event: { resources: [] },
        expect: "match",
    },
    {
        why: "exists:false takes an object: exists looks at leaves only (User Guide, exists matching)",
        pattern: { detail: { "c-count": [{ exists: false }] } },
        event: { detail: { "c-count": { c1: 100 } } },
        expect: "match",
    },
    {
        why: "exists:false asks of the whole event (the guide: an event that has no such field), not of one array element",
        pattern: { detail: { items: { id: [{ exists: false }] } } },
        event: { detail: { items: [{ id: "a" }, { name: "b" }] } },
        expect: "no-match",
    },
    {
        why: "fields from one array must come from one element (engine README, JSON array matching)",
        pattern: { employees: { firstName: ["Anna"], lastName: ["Jones"] } },
        event: {
            employees: [
                { firstName: "Anna", lastName: "Smith" },
                { firstName: "Peter", lastName: "Jones" },
            ],
        },
        expect: "no-match",
    },
    {
        why: "fields from one element of an array match together",
        pattern: { employees: { firstName: ["Anna"], lastName: ["Smith"] } },
        event: {
            employees: [
                { firstName: "John", lastName: "Doe" },
                { firstName: "Anna", lastName: "Smith" },
            ],
        },
        expect: "match",
    },
    {
        why: "anything-but on an array matches when some element is not excluded",
        pattern: { resources: [{ "anything-but": "a" }] },
        event: { resources: ["a", "b"] },
        expect: "match",
    },
    {
        why: "anything-but on an array with only excluded elements",
        pattern: { resources: [{ "anything-but": ["a", "b"] }] },
        event: { resources: ["a", "b", "a"] },
        expect: "no-match",
    },
    {
        why: "anything-but a number does not exclude the same digits as a string",
        pattern: { detail: { code: [{ "anything-but": 123 }] } },
        event: { detail: { code: "123" } },
        expect: "match",
    },
    {
        why: 'an exact number does not match a string of the same digits, nor true the string "true"',
        pattern: { detail: { code: [123], flag: [true] } },
        event: { detail: { code: 123, flag: "true" } },
        expect: "no-match",
    },
    {
        why: "an exact string is exact: no case-folding (User Guide, event pattern considerations)",
        pattern: { source: ["aws.signin"] },
        event: { source: "AWS.signin" },
        expect: "no-match",
    },
    {
        why: "prefix and suffix take strings only",
        pattern: { detail: { code: [{ prefix: "12" }] } },
        event: { detail: { code: 123 } },
        expect: "no-match",
    },
    {
        why: "equals-ignore-case folds letters outside ASCII too",
        pattern: { detail: { city: [{ "equals-ignore-case": "ÉVORA" }] } },
        event: { detail: { city: "évora" } },
        expect: "match",
    },
    {
        why: "suffix with equals-ignore-case",
        pattern: { detail: { file: [{ suffix: { "equals-ignore-case": ".PNG" } }] } },
        event: { detail: { file: "cat.png" } },
        expect: "match",
    },
    {
        why: "numeric bounds: >= and <= include the bound",
        pattern: { detail: { n: [{ numeric: [">=", 5, "<=", 5.5] }] } },
        event: { detail: { n: 5.5 } },
        expect: "match",
    },
    {
        why: "numeric bounds: < excludes the bound",
        pattern: { detail: { n: [{ numeric: [">", 0, "<", 10] }] } },
        event: { detail: { n: 10 } },
        expect: "no-match",
    },
    {
        why: "numeric: an upper bound comes second, after a lower one",
        pattern: { detail: { n: [{ numeric: ["<", 10, ">", 0] }] } },
        event: { detail: { n: 5 } },
        expect: "invalid",
    },
    {
        why: "numeric: the lower bound must be below the upper",
        pattern: { detail: { n: [{ numeric: [">=", 5, "<=", 5] }] } },
        event: { detail: { n: 5 } },
        expect: "invalid",
    },
    {
        why: "numeric: booleans are not numbers",
        pattern: { detail: { n: [{ numeric: [">", 0] }] } },
        event: { detail: { n: true } },
        expect: "no-match",
    },
    {
        why: "cidr: an IPv4 block does not contain an IPv6 address",
        pattern: { detail: { sourceIPAddress: [{ cidr: "0.0.0.0/0" }] } },
        event: { detail: { sourceIPAddress: "::1" } },
        expect: "no-match",
    },
    {
        why: "cidr: /0 contains every IPv4 address",
        pattern: { detail: { sourceIPAddress: [{ cidr: "0.0.0.0/0" }] } },
        event: { detail: { sourceIPAddress: "203.0.113.7" } },
        expect: "match",
    },
    {
        why: "cidr: the mask need not fall on a byte boundary",
        pattern: { detail: { sourceIPAddress: [{ cidr: "192.0.2.0/27" }] } },
        event: { detail: { sourceIPAddress: "192.0.2.32" } },
        expect: "no-match",
    },
    {
        why: "cidr: the engine refuses a /32 block (aws/event-ruler CIDR: IPv4 mask bits must be < 32)",
        pattern: { detail: { sourceIPAddress: [{ cidr: "192.0.2.1/32" }] } },
        event: { detail: { sourceIPAddress: "192.0.2.1" } },
        expect: "invalid",
    },
    {
        why: "cidr: a host name is not an address",
        pattern: { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/8" }] } },
        event: { detail: { sourceIPAddress: "signin.amazonaws.com" } },
        expect: "no-match",
    },
    {
        why: "$or nests inside $or and inside objects (User Guide, $or matching)",
        pattern: { source: ["aws.signin"], detail: { $or: [{ a: ["1"] }, { $or: [{ b: ["2"] }, { c: ["3"] }] }] } },
        event: { source: "aws.signin", detail: { c: "3" } },
        expect: "match",
    },
    {
        why: "the fields beside $or apply to every alternative",
        pattern: { source: ["aws.signin"], $or: [{ region: ["us-east-1"] }, { account: ["123456789012"] }] },
        event: { source: "aws.sso", region: "us-east-1" },
        expect: "no-match",
    },
    {
        why: "$or needs at least two alternatives",
        pattern: { $or: [{ source: ["aws.signin"] }] },
        event: { source: "aws.signin" },
        expect: "invalid",
    },
    {
        why: "an operator's name is no field name inside $or (engine README, the $or primitive)",
        pattern: { $or: [{ prefix: ["a"] }, { source: ["b"] }] },
        event: { source: "b" },
        expect: "invalid",
    },
    {
        why: "an operator object holds one operator",
        pattern: { source: [{ prefix: "aws.", suffix: "signin" }] },
        event: { source: "aws.signin" },
        expect: "invalid",
    },
    {
        why: "an empty object is refused",
        pattern: { detail: {} },
        event: { detail: {} },
        expect: "invalid",
    },
    {
        why: "a list holds values, not lists",
        pattern: { resources: [["a"]] },
        event: { resources: ["a"] },
        expect: "invalid",
    },
    {
        why: "anything-but's prefix takes a list of strings",
        pattern: { region: [{ "anything-but": { prefix: ["us-", "eu-"] } }] },
        event: { region: "eu-west-1" },
        expect: "no-match",
    },
    {
        why: "anything-but refuses an empty list",
        pattern: { region: [{ "anything-but": [] }] },
        event: { region: "eu-west-1" },
        expect: "invalid",
    },
];

describe("EventBridge event patterns", () => {
    const table = fixture<CaseTable>("eventPatternCases");

    describe(`as AWS answered them (${table.source.repository} ${table.source.directory}, ${table.source.commit.slice(0, 12)})`, () => {
        it("accounts for every template once, run or skipped with a reason", () => {
            const names = [...table.cases, ...table.skipped].map((c) => c.name);
            assert.strictEqual(new Set(names).size, names.length, "a template transcribed twice");
            // complex_multi_key is kept as two files, its event and its pattern: one case.
            assert.strictEqual(names.length, table.templateFiles - 1);
            assert.ok(table.skipped.every((c) => c.reason.length > 0));
        });

        for (const c of table.cases) {
            it(`${c.name}: ${c.expect}`, () => {
                const pattern = patternOf(c);
                if (c.expect === "invalid") {
                    assert.throws(() => assertValidEventPattern(pattern), InvalidEventPatternError);
                } else {
                    assert.doesNotThrow(() => assertValidEventPattern(pattern));
                }
                assert.strictEqual(answer(pattern, c.event), c.expect, c.note);
            });
        }
    });

    describe("corners the recorded cases leave out", () => {
        for (const corner of CORNERS) {
            it(`${corner.why}: ${corner.expect}`, () => {
                assert.strictEqual(answer(corner.pattern, { ...ENVELOPE, ...corner.event }), corner.expect);
            });
        }

        it("rejects a pattern that is not an object", () => {
            for (const pattern of ["source", ["aws.signin"], null, 3]) {
                assert.throws(() => assertValidEventPattern(pattern), InvalidEventPatternError);
            }
        });

        it("accepts the stack's fast-path patterns, as EventBridge must", () => {
            const regional = fastPathPatterns(BUILT_IN_RULE_IDS.map((id) => BUILT_IN_RULES[id])).patterns;
            for (const pattern of [...regional, CENTRAL_PATTERN]) {
                assert.doesNotThrow(() => assertValidEventPattern(pattern));
            }
        });

        it("compiles once and answers for many events", () => {
            const matches = compileEventPattern({ detail: { eventName: [{ prefix: "Console" }] } });
            assert.deepStrictEqual(
                ["ConsoleLogin", "GetSigninToken", undefined].map((eventName) => matches({ ...ENVELOPE, detail: { eventName } })),
                [true, false, false],
            );
        });
    });
});
