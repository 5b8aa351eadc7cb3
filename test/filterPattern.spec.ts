import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";

import { compileFilterPattern, matchesFilterPattern } from "./support/filterPattern";

// The sample event from the "JSON metric filter examples" section of the
// CloudWatch Logs filter pattern documentation.
const documentedEvent = {
    eventType: "UpdateTrail",
    sourceIPAddress: "111.111.111.111",
    arrayKey: ["value", "another value"],
    objectList: [
        { name: "a", id: 1 },
        { name: "b", id: 2 },
    ],
    SomeObject: null,
    ThisFlag: true,
};

// The sample event from the "JSON compound conditions" section.
const compoundEvent = {
    user: { id: 1, email: "John.Stiles@example.com" },
    users: [
        { id: 2, email: "John.Doe@example.com" },
        { id: 3, email: "Jane.Doe@example.com" },
    ],
    actions: ["GET", "PUT", "DELETE"],
    coordinates: [
        [0, 1, 2],
        [4, 5, 6],
        [7, 8, 9],
    ],
};

function fixture(name: string): unknown {
    return JSON.parse(readFileSync(join(__dirname, "fixtures", `cloudtrail_${name}.json`), "utf8"));
}

function assertMatches(pattern: string, event: unknown): void {
    assert.equal(matchesFilterPattern(pattern, event), true, `expected ${pattern} to match`);
}

function assertDoesNotMatch(pattern: string, event: unknown): void {
    assert.equal(matchesFilterPattern(pattern, event), false, `expected ${pattern} not to match`);
}

function assertSyntaxError(pattern: string, message: string): void {
    assert.throws(() => compileFilterPattern(pattern), {
        name: "FilterPatternSyntaxError",
        message,
    });
}

describe("CloudWatch Logs JSON filter patterns", () => {
    describe("documented examples", () => {
        it("matches a quoted string equal to the field", () => {
            assertMatches('{ $.eventType = "UpdateTrail" }', documentedEvent);
        });

        it("matches != against a trailing-wildcard prefix the field does not start with", () => {
            assertMatches("{ $.sourceIPAddress != 123.123.* }", documentedEvent);
        });

        it("selects an array element by index", () => {
            assertMatches('{ $.arrayKey[0] = "value" }', documentedEvent);
        });

        it("selects a property of an object inside an array", () => {
            assertMatches("{ $.objectList[1].id = 2 }", documentedEvent);
        });

        it("matches IS NULL when the field is set to null", () => {
            assertMatches("{ $.SomeObject IS NULL }", documentedEvent);
        });

        it("matches NOT EXISTS when the field is absent", () => {
            assertMatches("{ $.SomeOtherObject NOT EXISTS }", documentedEvent);
        });

        it("matches IS TRUE when the field is the boolean true", () => {
            assertMatches("{ $.ThisFlag IS TRUE }", documentedEvent);
        });

        it("does not index into a field that is not an array", () => {
            assertDoesNotMatch('{ $.arrayKey[0] = "value" }', { arrayKey: "value" });
        });

        it("does not select a property of array items that are not objects", () => {
            assertDoesNotMatch("{ $.objectList[1].id = 2 }", { objectList: [1, 2] });
            assertDoesNotMatch("{ $.objectList[1].id = 2 }", {
                objectList: [{ id: 1 }, { name: "b" }],
            });
        });

        it("fails both = and != when the selector points at an array", () => {
            const event = { users: [1, 2, 3] };
            assertDoesNotMatch("{$.users = 1}", event);
            assertDoesNotMatch("{$.users != 1}", event);
        });

        it("matches either side of ||", () => {
            const bar = { foo: "bar" };
            const baz = { foo: "baz" };
            assertMatches("{$.foo = bar}", bar);
            assertDoesNotMatch("{$.foo = bar}", baz);
            assertMatches("{$.foo = baz }", baz);
            assertDoesNotMatch("{$.foo = baz }", bar);
            assertMatches("{$.foo = bar || $.foo = baz }", bar);
            assertMatches("{$.foo = bar || $.foo = baz }", baz);
        });

        it("matches a parenthesised conjunction of nested and indexed selectors", () => {
            assertMatches('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', compoundEvent);
        });

        it("does not match when neither side of || holds", () => {
            assertDoesNotMatch('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', compoundEvent);
        });

        it("binds && tighter than || (documented example that matches)", () => {
            assertMatches(
                '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
                compoundEvent,
            );
        });

        it("lets parentheses override && over || (documented example that does not match)", () => {
            assertDoesNotMatch(
                '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
                compoundEvent,
            );
        });

        it("matches every present value with = *", () => {
            assertMatches("{ $.latency = * }", { latency: 50 });
            assertMatches("{ $.latency = * }", { latency: "slow" });
            assertDoesNotMatch("{ $.latency = * }", { requestType: "GET" });
        });
    });

    describe("string values", () => {
        it("accepts unquoted alphanumeric values", () => {
            assertMatches("{ $.eventName = ConsoleLogin }", {
                eventName: "ConsoleLogin",
            });
        });

        it("compares case-sensitively", () => {
            assertDoesNotMatch('{ $.eventName = "consolelogin" }', {
                eventName: "ConsoleLogin",
            });
        });

        it("resolves selectors case-sensitively", () => {
            assertDoesNotMatch('{ $.EventName = "ConsoleLogin" }', {
                eventName: "ConsoleLogin",
            });
            assertMatches("{ $.EventName NOT EXISTS }", {
                eventName: "ConsoleLogin",
            });
        });

        it("treats a leading * as a suffix match", () => {
            assertMatches("{ $.name = *Event }", { name: "PutEvent" });
            assertMatches("{ $.name = *Event }", { name: "GetEvent" });
            assertDoesNotMatch("{ $.name = *Event }", { name: "EventId" });
        });

        it("treats a trailing * as a prefix match", () => {
            assertMatches("{ $.name = Event* }", { name: "EventId" });
            assertMatches("{ $.name = Event* }", { name: "EventName" });
            assertDoesNotMatch("{ $.name = Event* }", { name: "PutEvent" });
        });

        it("treats * at both ends as a contains match", () => {
            assertMatches('{ $.request = "*html*" }', {
                request: "GET /index.html HTTP/1.0",
            });
            assertDoesNotMatch('{ $.request = "*html*" }', {
                request: "GET /index.php HTTP/1.0",
            });
        });

        it("treats * in the middle of a value as a literal character", () => {
            assertMatches("{ $.name = Ev*ent }", { name: "Ev*ent" });
            assertDoesNotMatch("{ $.name = Ev*ent }", { name: "Event" });
            assertDoesNotMatch("{ $.name = Ev*ent }", { name: "EvXent" });
        });

        it("applies wildcards inside double quotes too", () => {
            const event = {
                userIdentity: {
                    arn: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com",
                },
            };
            assertMatches('{ $.userIdentity.arn = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_*" }', event);
            assertDoesNotMatch('{ $.userIdentity.arn = "arn:aws:sts::*:assumed-role/AWSReservedSSO_*" }', event);
        });

        it("requires characters such as @ and : to be quoted", () => {
            assertMatches('{ $.user.email = "John.Stiles@example.com" }', compoundEvent);
            assertSyntaxError(
                "{ $.user.email = John.Stiles@example.com }",
                'Invalid filter pattern: the value "John.Stiles@example.com" must be enclosed in double quotes at column 18',
            );
        });

        it('unescapes \\" and \\\\ inside quoted values', () => {
            assertMatches('{ $.message = "say \\"hi\\" to C:\\\\temp" }', {
                message: 'say "hi" to C:\\temp',
            });
        });

        it("compares a number field with a quoted value as text", () => {
            assertMatches('{ $.errorCode = "400" }', { errorCode: 400 });
            assertMatches('{ $.errorCode = "4*" }', { errorCode: 404 });
        });

        it("compares a string field with an unquoted number as text", () => {
            assertMatches("{ $.recipientAccountId = 111122223333 }", {
                recipientAccountId: "111122223333",
            });
            assertDoesNotMatch("{ $.recipientAccountId = 111122223333.0 }", {
                recipientAccountId: "111122223333",
            });
        });

        it("does not compare booleans or null with = or !=", () => {
            assertDoesNotMatch("{ $.ThisFlag = true }", documentedEvent);
            assertDoesNotMatch("{ $.ThisFlag != false }", documentedEvent);
            assertDoesNotMatch("{ $.SomeObject = null }", documentedEvent);
            assertDoesNotMatch("{ $.SomeObject != anything }", documentedEvent);
        });

        it("does not compare objects with = or !=", () => {
            assertDoesNotMatch("{ $.user = * }", compoundEvent);
            assertDoesNotMatch("{ $.user != nothing }", compoundEvent);
        });
    });

    describe("missing fields", () => {
        it("fails = when the field is missing", () => {
            assertDoesNotMatch('{ $.userIdentity.invokedBy = "cloudformation.amazonaws.com" }', { userIdentity: {} });
        });

        it("fails != when the field is missing", () => {
            assertDoesNotMatch('{ $.userIdentity.invokedBy != "cloudformation.amazonaws.com" }', { userIdentity: {} });
        });

        it("fails numeric comparisons when the field is missing", () => {
            assertDoesNotMatch("{ $.latency < 100 }", {});
            assertDoesNotMatch("{ $.latency != 100 }", {});
        });

        it("treats a path through a missing parent as missing", () => {
            assertMatches("{ $.a.b.c NOT EXISTS }", { a: {} });
            assertMatches("{ $.a.b.c NOT EXISTS }", {});
        });

        it("treats a path through a scalar as missing", () => {
            assertMatches("{ $.a.b NOT EXISTS }", { a: "text" });
            assertDoesNotMatch('{ $.a.b = "text" }', { a: "text" });
        });

        it("treats an out-of-range index as missing", () => {
            assertMatches("{ $.arrayKey[2] NOT EXISTS }", documentedEvent);
            assertDoesNotMatch('{ $.arrayKey[2] != "value" }', documentedEvent);
        });
    });

    describe("IS NULL, NOT EXISTS, IS TRUE and IS FALSE", () => {
        it("does not treat a missing field as null", () => {
            assertDoesNotMatch("{ $.SomeOtherObject IS NULL }", documentedEvent);
        });

        it("does not treat a null field as missing", () => {
            assertDoesNotMatch("{ $.SomeObject NOT EXISTS }", documentedEvent);
        });

        it("does not treat a present value of any type as missing", () => {
            for (const value of ["", 0, false, [], {}]) {
                assertDoesNotMatch("{ $.field NOT EXISTS }", { field: value });
            }
        });

        it("matches IS FALSE only for the boolean false", () => {
            assertMatches("{ $.enabled IS FALSE }", { enabled: false });
            assertDoesNotMatch("{ $.enabled IS FALSE }", { enabled: "false" });
            assertDoesNotMatch("{ $.enabled IS FALSE }", { enabled: 0 });
            assertDoesNotMatch("{ $.enabled IS FALSE }", { enabled: null });
            assertDoesNotMatch("{ $.enabled IS FALSE }", {});
        });

        it("matches IS TRUE only for the boolean true", () => {
            assertDoesNotMatch("{ $.ThisFlag IS FALSE }", documentedEvent);
            assertDoesNotMatch("{ $.mfaAuthenticated IS TRUE }", {
                mfaAuthenticated: "true",
            });
        });
    });

    describe("numeric comparisons", () => {
        const event = {
            latency: 1500,
            numbers: [0.005, 20000],
            processes: [{}, {}, {}, {}, { averageRuntime: 55.5 }],
            errorCode: 400,
        };

        it("supports the documented numeric examples", () => {
            assertMatches("{ $.latency >= 500 }", event);
            assertMatches("{ $.numbers[0] < 10e3 }", event);
            assertMatches("{ $.numbers[0] < 10e-3 }", event);
            assertMatches("{ $.processes[4].averageRuntime <= 55.5 }", event);
            assertMatches("{ $.errorCode = 400 }", event);
            assertMatches("{ $.errorCode != 500 }", event);
            assertMatches("{ $.latency > +1000 }", event);
        });

        it("compares at the boundaries", () => {
            assertMatches("{ $.latency <= 1500 }", event);
            assertDoesNotMatch("{ $.latency < 1500 }", event);
            assertMatches("{ $.latency >= 1500 }", event);
            assertDoesNotMatch("{ $.latency > 1500 }", event);
            assertDoesNotMatch("{ $.numbers[1] < 10e3 }", event);
        });

        it("compares numbers by value, not by spelling", () => {
            assertMatches("{ $.latency = 1.5e3 }", event);
            assertMatches("{ $.latency = 1500.0 }", event);
            assertDoesNotMatch("{ $.latency != 15e2 }", event);
        });

        it("handles negative numbers", () => {
            assertMatches("{ $.delta < -2 }", { delta: -3.5 });
            assertDoesNotMatch("{ $.delta > -2 }", { delta: -3.5 });
        });

        it("does not apply ordering operators to string fields", () => {
            assertDoesNotMatch("{ $.errorCode > 100 }", { errorCode: "400" });
        });
    });

    describe("boolean operators", () => {
        const event = { a: "1", b: "2", c: "3" };

        it("requires both sides of &&", () => {
            assertMatches("{ $.a = 1 && $.b = 2 }", event);
            assertDoesNotMatch("{ $.a = 1 && $.b = 9 }", event);
            assertDoesNotMatch("{ $.a = 9 && $.b = 2 }", event);
        });

        it("binds && tighter than || on the right", () => {
            // a || (b && c)
            assertMatches("{ $.a = 1 || $.b = 9 && $.c = 9 }", event);
            assertDoesNotMatch("{ ($.a = 1 || $.b = 9) && $.c = 9 }", event);
        });

        it("binds && tighter than || on the left", () => {
            // (a && b) || c
            assertMatches("{ $.a = 9 && $.b = 9 || $.c = 3 }", event);
            assertDoesNotMatch("{ $.a = 9 && ($.b = 9 || $.c = 3) }", event);
        });

        it("chains several || and && in one pattern", () => {
            assertMatches("{ $.a = 9 || $.b = 9 || $.a = 1 && $.b = 2 && $.c = 3 }", event);
            assertDoesNotMatch("{ $.a = 9 || $.b = 9 || $.a = 1 && $.b = 2 && $.c = 9 }", event);
        });

        it("allows nested parentheses", () => {
            assertMatches("{ ((($.a = 1)) && ($.b = 2 || ($.c = 9))) }", event);
        });

        it("ignores whitespace around and between tokens", () => {
            assertMatches("{$.a=1&&$.b!=9||$.c=9}", event);
            assertMatches("  {\n\t$.a  =  1\n}  ", event);
        });
    });

    describe("events", () => {
        it("accepts the raw JSON log message", () => {
            assertMatches('{ $.eventType = "UpdateTrail" }', JSON.stringify(documentedEvent));
        });

        it("never matches a message that is not a JSON object", () => {
            assertDoesNotMatch("{ $.anything NOT EXISTS }", "ERROR something happened");
            assertDoesNotMatch("{ $.anything NOT EXISTS }", "[1, 2, 3]");
            assertDoesNotMatch("{ $.anything NOT EXISTS }", null);
            assertDoesNotMatch("{ $.anything NOT EXISTS }", [documentedEvent]);
        });

        it("compiles once and evaluates many events", () => {
            const isFailure = compileFilterPattern('{ $.responseElements.ConsoleLogin = "Failure" }');
            assert.equal(isFailure({ responseElements: { ConsoleLogin: "Failure" } }), true);
            assert.equal(isFailure({ responseElements: { ConsoleLogin: "Success" } }), false);
        });
    });

    describe("syntax errors", () => {
        const cases: Array<[string, string, string]> = [
            ["rejects text patterns", "ERROR", "only JSON filter patterns enclosed in { } are supported"],
            ["rejects an unclosed pattern", "{ $.a = 1", "a filter pattern that starts with '{' must end with '}'"],
            ["rejects an empty pattern", "{ }", "expected a selector such as $.eventName but found end of pattern at column 3"],
            [
                "rejects a selector without $.",
                "{ eventName = x }",
                'expected a selector such as $.eventName but found "eventName" at column 3',
            ],
            ["rejects a bare $", "{ $ = x }", 'a selector must start with "$." at column 3'],
            ["rejects an index on the root", "{ $[0] = x }", "an array index must follow a property name at column 4"],
            ["rejects an empty property name", "{ $.a..b = x }", 'expected a property name after "." at column 7'],
            ["rejects a wildcard index", "{ $.a[*] = x }", "expected an array index in the form [NUMBER] at column 6"],
            ["rejects an unclosed index", "{ $.a[0 = x }", "expected an array index in the form [NUMBER] at column 6"],
            [
                "rejects a missing operator",
                "{ $.a x }",
                'expected an operator (=, !=, <, <=, >, >=, IS NULL, IS TRUE, IS FALSE, NOT EXISTS) but found "x" at column 7',
            ],
            ["rejects ==", "{ $.a == x }", 'unexpected "==", use "=" to compare at column 7'],
            ["rejects a missing value", "{ $.a = }", 'expected a value after "=" but found end of pattern at column 7'],
            ["rejects a selector as a value", "{ $.a = $.b }", 'expected a value after "=" but found $.b at column 9'],
            ["rejects an unterminated string", '{ $.a = "abc }', "unterminated string at column 9"],
            ["rejects a string in an ordering comparison", '{ $.a > "5" }', '">" compares numbers but found "5" at column 9'],
            ["rejects a word in an ordering comparison", "{ $.a <= abc }", '"<=" compares numbers but found "abc" at column 10'],
            ["rejects an unknown IS check", "{ $.a IS EMPTY }", 'expected NULL, TRUE or FALSE after IS but found "EMPTY" at column 10'],
            [
                "rejects lower-case keywords",
                "{ $.a is null }",
                'expected an operator (=, !=, <, <=, >, >=, IS NULL, IS TRUE, IS FALSE, NOT EXISTS) but found "is" at column 7',
            ],
            ["rejects NOT without EXISTS", "{ $.a NOT NULL }", 'expected EXISTS after NOT but found "NULL" at column 11'],
            ["rejects a single &", "{ $.a = 1 & $.b = 2 }", 'expected "&&" but found "&" at column 11'],
            ["rejects a single |", "{ $.a = 1 | $.b = 2 }", 'expected "||" but found "|" at column 11'],
            ["rejects a lone !", "{ !$.a = 1 }", 'expected "!=" but found "!" at column 3'],
            ["rejects a dangling &&", "{ $.a = 1 && }", "expected a selector such as $.eventName but found end of pattern at column 14"],
            [
                "rejects conditions without an operator between them",
                "{ $.a = 1 $.b = 2 }",
                "unexpected $.b after a complete condition at column 11",
            ],
            ["rejects an unclosed parenthesis", "{ ($.a = 1 }", 'expected ")" but found end of pattern at column 12'],
            ["rejects an unopened parenthesis", "{ $.a = 1) }", 'unexpected ")" after a complete condition at column 10'],
            ["rejects nested braces", "{ { $.a = 1 } }", 'unexpected "{" at column 3'],
            ["rejects regular expressions", "{ $.a = %ab+c% }", "regular expression values (%...%) are not supported at column 9"],
        ];

        for (const [name, pattern, message] of cases) {
            it(name, () => {
                assertSyntaxError(pattern, `Invalid filter pattern: ${message}`);
            });
        }

        it("reports syntax errors from matchesFilterPattern too", () => {
            assert.throws(() => matchesFilterPattern("{ $.a = }", {}), /Invalid filter pattern/);
        });
    });

    describe("applied to the CloudTrail fixtures", () => {
        // The root-usage filter from the CIS AWS Foundations Benchmark, also used by
        // the AWS Security Hub control CloudWatch.1.
        const rootUsage = compileFilterPattern(
            '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        );

        it("counts root sign-ins and root console API calls as root usage", () => {
            for (const name of ["root-mfa", "root-no-mfa", "root-api-call"]) {
                assert.equal(rootUsage(fixture(name)), true, name);
            }
        });

        it("does not count service events or service-invoked calls as root usage", () => {
            for (const name of ["root-service-event", "root-invoked-by-service", "iam-user-mfa", "sso-assumed-role"]) {
                assert.equal(rootUsage(fixture(name)), false, name);
            }
        });

        // The console-sign-in-without-MFA filter from the same benchmark (CloudWatch.2).
        const signInWithoutMfa = compileFilterPattern('{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }');

        it("flags console sign-ins that report MFAUsed other than Yes", () => {
            for (const name of ["iam-user-no-mfa", "root-no-mfa", "sso-assumed-role", "saml-federation", "failure-wrong-password"]) {
                assert.equal(signInWithoutMfa(fixture(name)), true, name);
            }
        });

        it("does not flag MFA sign-ins or other sign-in events", () => {
            for (const name of ["iam-user-mfa", "root-mfa", "mobile-console", "switch-role", "check-mfa", "get-signin-token"]) {
                assert.equal(signInWithoutMfa(fixture(name)), false, name);
            }
        });
    });
});
