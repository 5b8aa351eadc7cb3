import { strict as assert } from "assert";
import { statementLabel, statementsOf, strings, type Statement } from "../policy/lib/iam";
import { NOT_YET_KNOWN } from "../policy/lib/props";

describe("policy lib: IAM documents", () => {
    describe("statementsOf", () => {
        const allow: Statement = { Effect: "Allow", Action: "logs:PutLogEvents", Resource: "*" };
        const cases: Array<[name: string, document: unknown, expected: unknown]> = [
            ["a JSON document with a statement list", JSON.stringify({ Statement: [allow] }), [allow]],
            ["an object document", { Statement: [allow] }, [allow]],
            ["a single statement not in a list", { Statement: allow }, [allow]],
            ["a document without statements", { Version: "2012-10-17" }, []],
            ["non-object statements, which are dropped", { Statement: [allow, "x", null, 3] }, [allow]],
            ["text that is not JSON", "{not json", undefined],
            ["a document that is not an object", 42, undefined],
            ["nothing", undefined, undefined],
            ["a document not known yet", NOT_YET_KNOWN, NOT_YET_KNOWN],
            ["a document with a statement not known yet", { Statement: [allow, NOT_YET_KNOWN] }, NOT_YET_KNOWN],
        ];
        for (const [name, document, expected] of cases) {
            it(`reads ${name}`, () => {
                assert.deepEqual(statementsOf(document), expected);
            });
        }
    });

    describe("strings", () => {
        const cases: Array<[value: unknown, expected: string[]]> = [
            ["s3:GetObject", ["s3:GetObject"]],
            [
                ["a", "b"],
                ["a", "b"],
            ],
            [
                ["a", 1, null, "b"],
                ["a", "b"],
            ],
            [undefined, []],
            [{ a: "b" }, []],
        ];
        for (const [value, expected] of cases) {
            it(`reads ${JSON.stringify(value) ?? "undefined"} as ${JSON.stringify(expected)}`, () => {
                assert.deepEqual(strings(value), expected);
            });
        }
    });

    describe("statementLabel", () => {
        const cases: Array<[statement: Statement, index: number, expected: string]> = [
            [{ Sid: "WriteLogs" }, 0, 'statement "WriteLogs"'],
            [{ Sid: "" }, 2, "statement 3"],
            [{ Sid: 7 }, 0, "statement 1"],
            [{}, 4, "statement 5"],
        ];
        for (const [statement, index, expected] of cases) {
            it(`names ${JSON.stringify(statement)} at index ${index} ${expected}`, () => {
                assert.equal(statementLabel(statement, index), expected);
            });
        }
    });
});
