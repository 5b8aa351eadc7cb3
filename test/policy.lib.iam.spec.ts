import { strict as assert } from "assert";
import {
    actionAllowed,
    globMatches,
    resourceAllowed,
    servicePrincipals,
    statementLabel,
    statementsOf,
    strings,
    type Statement,
} from "../policy/lib/iam";
import { NOT_YET_KNOWN } from "../policy/lib/props";

describe("policy lib: IAM documents", () => {
    describe("globMatches", () => {
        const cases: Array<[pattern: string, text: string, ignoreCase: boolean, expected: boolean]> = [
            ["logs:PutLogEvents", "logs:PutLogEvents", false, true],
            ["logs:*", "logs:PutLogEvents", false, true],
            ["*", "anything:AtAll", false, true],
            ["logs:Put*", "logs:CreateLogStream", false, false],
            ["kms:GenerateDataKey*", "kms:GenerateDataKey", false, true],
            ["kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", false, true],
            ["s3:Get?bject", "s3:GetObject", false, true],
            ["s3:Get?bject", "s3:GetObbject", false, false],
            ["LOGS:putlogevents", "logs:PutLogEvents", true, true],
            ["LOGS:putlogevents", "logs:PutLogEvents", false, false],
            // Regular-expression characters in ARNs are literal.
            ["arn:aws:logs:us-east-1:111122223333:log-group:a.b", "arn:aws:logs:us-east-1:111122223333:log-group:aXb", false, false],
            ["arn:aws:logs:*:log-group:(x)+", "arn:aws:logs:us-east-1:log-group:(x)+", false, true],
            ["logs:PutLogEvents", "logs:PutLogEventsAndMore", false, false],
        ];
        for (const [pattern, text, ignoreCase, expected] of cases) {
            it(`${expected ? "matches" : "does not match"} ${JSON.stringify(text)} against ${JSON.stringify(pattern)}${ignoreCase ? " ignoring case" : ""}`, () => {
                assert.equal(globMatches(pattern, text, ignoreCase), expected);
            });
        }
    });

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

    describe("actionAllowed and resourceAllowed", () => {
        const cases: Array<[name: string, statement: Statement, action: string, arn: string, expected: [boolean, boolean]]> = [
            [
                "an exact Allow",
                { Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:x" },
                "logs:PutLogEvents",
                "arn:x",
                [true, true],
            ],
            [
                "an action in another case",
                { Effect: "Allow", Action: ["LOGS:PUTLOGEVENTS"], Resource: ["arn:x"] },
                "logs:PutLogEvents",
                "ARN:X",
                [true, false],
            ],
            ["a Deny", { Effect: "Deny", Action: "*", Resource: "*" }, "logs:PutLogEvents", "arn:x", [false, true]],
            [
                "a wildcard resource",
                { Effect: "Allow", Action: "logs:*", Resource: "arn:x:*" },
                "logs:PutLogEvents",
                "arn:x:stream",
                [true, true],
            ],
            ["no Action or Resource", { Effect: "Allow" }, "logs:PutLogEvents", "arn:x", [false, false]],
        ];
        for (const [name, statement, action, arn, [canAct, onResource]] of cases) {
            it(`judges ${name}`, () => {
                assert.deepEqual([actionAllowed(statement, action), resourceAllowed(statement, arn)], [canAct, onResource]);
            });
        }
    });

    describe("servicePrincipals", () => {
        const cases: Array<[principal: unknown, expected: string[] | "*"]> = [
            ["*", "*"],
            [{ AWS: "*" }, "*"],
            [{ AWS: ["arn:aws:iam::111122223333:root", "*"] }, "*"],
            [{ Service: "cloudtrail.amazonaws.com" }, ["cloudtrail.amazonaws.com"]],
            [{ Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }, ["cloudwatch.amazonaws.com", "events.amazonaws.com"]],
            [{ AWS: "arn:aws:iam::111122223333:root" }, []],
            [undefined, []],
        ];
        for (const [principal, expected] of cases) {
            it(`reads the principal ${JSON.stringify(principal) ?? "undefined"}`, () => {
                assert.deepEqual(servicePrincipals({ Principal: principal }), expected);
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
