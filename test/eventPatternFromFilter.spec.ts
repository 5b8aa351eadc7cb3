/**
 * program/eventPattern/: the EventBridge pattern derived from a CloudWatch Logs filter pattern,
 * asserted exactly for every built-in rule, the CIS patterns and a table of constructs; and that it
 * takes every record the CloudWatch pattern matches (the CloudTrail fixtures, a record of every call
 * of the watch list, and a corpus of awkward events), as EventBridge would judge it
 * (test/support/eventPattern.ts, held to AWS's answers), with the pattern under `detail`.
 */
import { strict as assert } from "assert";
import {
    ENVELOPE_ALLOWANCE,
    eventPatternForFilter,
    MAX_COMBINATIONS,
    MAX_DETAIL_PATTERN_LENGTH,
    MAX_EVENT_PATTERN_LENGTH,
    type EventPatternDerivation,
} from "../program/eventPattern";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES, CIS_PATTERNS, type BuiltInRuleId } from "../program/rules";
import { tamperingPattern, WATCH_LIST, type WatchEntry } from "../program/watchList";
import { compileFilterPattern, parseFilterPattern } from "../shared/filterPattern";
import { cloudTrailFixtures } from "../tools/fixtures";
import { assertValidEventPattern, eventPatternMatches } from "./support/eventPattern";

const INVOKED_BY =
    "`$.userIdentity.invokedBy NOT EXISTS` is not checked: EventBridge also looks for a nested field inside arrays on its path, which CloudWatch does not, so `exists: false` could miss records CloudWatch matches";
const ROOT_ACTIVITY_PATTERN = { userIdentity: { type: ["Root"] }, eventType: [{ "anything-but": "AwsServiceEvent" }] };
const ROOT_ACTIVITY: EventPatternDerivation = {
    pattern: ROOT_ACTIVITY_PATTERN,
    broadened: [
        '`$.userIdentity.invokedBy NOT EXISTS || $.userIdentity.invokedBy = "signin.amazonaws.com"` is not checked: EventBridge also looks for a nested field inside arrays on its path, which CloudWatch does not, so `exists: false` could miss records CloudWatch matches',
    ],
};
/** The CIS variant: the same forward, without the console's calls in the condition it drops. */
const CIS_ROOT_ACTIVITY: EventPatternDerivation = { pattern: ROOT_ACTIVITY_PATTERN, broadened: [INVOKED_BY] };

function anyElement(condition: string, field: string): string {
    return `\`${condition}\` is matched in any element of \`${field}\`: EventBridge matches an array by any of its elements`;
}

// Sizes of the patterns, JSON.stringify'd: 141, 213, 83, 111, 206, 820, 932 and 708 characters.
const BUILT_IN_EXPECTED: Record<BuiltInRuleId, EventPatternDerivation> = {
    "console-signin": {
        pattern: {
            userIdentity: { type: ["IAMUser"] },
            eventName: ["ConsoleLogin"],
            additionalEventData: { MFAUsed: ["Yes"] },
            eventType: ["AwsConsoleSignIn"],
        },
        broadened: [],
    },
    "signin-without-mfa": {
        pattern: {
            eventName: ["ConsoleLogin"],
            eventType: ["AwsConsoleSignIn"],
            responseElements: { ConsoleLogin: ["Success"] },
            additionalEventData: { MFAUsed: [{ "anything-but": "Yes" }] },
            userIdentity: { type: ["IAMUser", "Root"] },
        },
        broadened: [],
    },
    "root-activity": ROOT_ACTIVITY,
    "signin-failures": {
        pattern: { eventName: ["ConsoleLogin"], eventType: ["AwsConsoleSignIn"], responseElements: { ConsoleLogin: ["Failure"] } },
        broadened: [],
    },
    "sso-signin-without-mfa": {
        pattern: {
            eventSource: ["signin.amazonaws.com", "sso.amazonaws.com"],
            eventName: ["UserAuthentication"],
            serviceEventDetails: { UserAuthentication: ["Success"] },
            additionalEventData: { CredentialType: ["PASSWORD"] },
        },
        broadened: [],
    },
    "trail-tampering": {
        pattern: {
            $or: [
                { eventName: ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors"] },
                {
                    eventName: [{ prefix: "PutBucket" }, { prefix: "DeleteBucket" }],
                    requestParameters: { bucketName: [{ prefix: "login-alerts-" }] },
                },
                {
                    eventName: ["DeleteLogGroup", "PutRetentionPolicy", { suffix: "KmsKey" }],
                    requestParameters: { logGroupName: [{ wildcard: "*login-alerts-*" }] },
                },
                { eventName: [{ suffix: "MetricFilter" }], requestParameters: { filterName: [{ prefix: "login-alerts-" }] } },
                { eventName: ["DeleteAlarms", "DisableAlarmActions"], requestParameters: { alarmNames: [{ prefix: "login-alerts-" }] } },
                { eventName: ["PutMetricAlarm", "SetAlarmState"], requestParameters: { alarmName: [{ prefix: "login-alerts-" }] } },
                { eventName: ["DeleteDashboards"], requestParameters: { dashboardNames: [{ prefix: "login-alerts-" }] } },
            ],
        },
        broadened: [
            anyElement('$.requestParameters.alarmNames[*] = "login-alerts-*"', "requestParameters.alarmNames"),
            anyElement('$.requestParameters.dashboardNames[*] = "login-alerts-*"', "requestParameters.dashboardNames"),
        ],
    },
    "function-tampering": {
        pattern: {
            $or: [
                {
                    eventName: [
                        { prefix: "DeleteFunction" },
                        { prefix: "UpdateFunction" },
                        { prefix: "PutFunction" },
                        { prefix: "RemovePermission20" },
                        { prefix: "AddPermission20" },
                    ],
                    requestParameters: { functionName: [{ wildcard: "*login-alerts-*" }] },
                },
                { eventName: [{ wildcard: "*Role*" }], requestParameters: { roleName: [{ prefix: "login-alerts-" }] } },
                {
                    eventName: ["PutParameter", "DeleteParameter", "LabelParameterVersion"],
                    requestParameters: { name: [{ prefix: "/console-login-alerts/" }] },
                },
                { eventName: ["DeleteParameters"], requestParameters: { names: [{ prefix: "/console-login-alerts/" }] } },
                { eventName: ["DeleteTable", { prefix: "UpdateT" }], requestParameters: { tableName: [{ prefix: "login-alerts-" }] } },
                { eventName: ["DeleteSchedule", "UpdateSchedule"], requestParameters: { name: [{ prefix: "login-alerts-" }] } },
                {
                    eventName: ["DeleteQueue", "SetQueueAttributes", "PurgeQueue"],
                    requestParameters: { queueUrl: [{ wildcard: "*login-alerts-*" }] },
                },
            ],
        },
        broadened: [anyElement('$.requestParameters.names[*] = "/console-login-alerts/*"', "requestParameters.names")],
    },
    // The event rule's and the event bus's calls name the resource in the same parameter, `name`, so
    // the two entries become one alternative.
    "delivery-tampering": {
        pattern: {
            $or: [
                {
                    eventName: ["DeleteTopic", "SetTopicAttributes", "AddPermission", "RemovePermission"],
                    requestParameters: { topicArn: [{ wildcard: "*:login-alerts-*" }] },
                },
                {
                    eventName: ["Unsubscribe", "SetSubscriptionAttributes"],
                    requestParameters: { subscriptionArn: [{ wildcard: "*:login-alerts-*" }] },
                },
                {
                    eventName: ["DeleteRule", "DisableRule", "PutRule", "DeleteEventBus"],
                    requestParameters: { name: [{ prefix: "login-alerts-" }] },
                },
                { eventName: ["RemoveTargets", "PutTargets"], requestParameters: { rule: [{ prefix: "login-alerts-" }] } },
                { eventName: ["PutPermission", "RemovePermission"], requestParameters: { eventBusName: [{ prefix: "login-alerts-" }] } },
                {
                    eventName: ["DeleteStackInstances", "UpdateStackSet"],
                    requestParameters: { stackSetName: [{ prefix: "login-alerts-" }] },
                },
                { eventName: ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"] },
            ],
        },
        broadened: [],
    },
};

const CIS_EXPECTED: Partial<Record<BuiltInRuleId, EventPatternDerivation>> = {
    "root-activity": CIS_ROOT_ACTIVITY,
    "signin-without-mfa": {
        pattern: {
            eventName: ["ConsoleLogin"],
            additionalEventData: { MFAUsed: [{ "anything-but": "Yes" }] },
            userIdentity: { type: ["IAMUser"] },
            responseElements: { ConsoleLogin: ["Success"] },
        },
        broadened: [],
    },
    "signin-failures": { pattern: { eventName: ["ConsoleLogin"], errorMessage: ["Failed authentication"] }, broadened: [] },
};

const INCLUDED = "is matched with its bounds included: EventBridge compares numbers to six decimals";
const OUT_OF_RANGE = "takes any value: EventBridge compares numbers only between -1e9 and 1e9, to six decimals";
const REGEX = "`%…%` regular expressions have no EventBridge equivalent";

/** One construct each: the CloudWatch pattern and exactly what is derived from it. */
const CONSTRUCTS: Array<[name: string, filter: string, expected: EventPatternDerivation]> = [
    ["= a quoted text", '{ $.a = "x" }', { pattern: { a: ["x"] }, broadened: [] }],
    ["= an unquoted word", "{ $.a = x }", { pattern: { a: ["x"] }, broadened: [] }],
    ["= the empty text", '{ $.a = "" }', { pattern: { a: [""] }, broadened: [] }],
    ["= a trailing *: prefix", '{ $.a = "x*" }', { pattern: { a: [{ prefix: "x" }] }, broadened: [] }],
    ["= a leading *: suffix", '{ $.a = "*x" }', { pattern: { a: [{ suffix: "x" }] }, broadened: [] }],
    ["= * at both ends: wildcard", '{ $.a = "*x*" }', { pattern: { a: [{ wildcard: "*x*" }] }, broadened: [] }],
    ["= * inside: wildcard", '{ $.a = "x*y" }', { pattern: { a: [{ wildcard: "x*y" }] }, broadened: [] }],
    ["= ** runs as one *", '{ $.a = "x**y" }', { pattern: { a: [{ wildcard: "x*y" }] }, broadened: [] }],
    ["= a backslash, escaped in the wildcard", '{ $.a = "C:\\\\te*mp" }', { pattern: { a: [{ wildcard: "C:\\\\te*mp" }] }, broadened: [] }],
    [
        "= more than two wildcards, cut after the second",
        '{ $.a = "a*b*c*d" }',
        {
            pattern: { a: [{ wildcard: "a*b*" }] },
            broadened: ['`$.a = "a*b*c*d"` is matched as `a*b*`: EventBridge refuses patterns with many wildcards as too complex'],
        },
    ],
    [
        "= * alone",
        "{ $.a = * }",
        { pattern: { a: [{ exists: true }] }, broadened: ["`$.a = *` takes any value of the field, true, false and null included"] },
    ],
    [
        "= a wildcard a number could match",
        '{ $.a = "4*" }',
        {
            pattern: { a: [{ exists: true }] },
            broadened: ['`$.a = "4*"` takes any value: it also matches numbers, which EventBridge\'s prefix, suffix and wildcard never do'],
        },
    ],
    ["= an unquoted number: text or value", "{ $.a = 400 }", { pattern: { a: ["400", { numeric: ["=", 400] }] }, broadened: [] }],
    ["= an unquoted number in another spelling", "{ $.a = 1.5e3 }", { pattern: { a: ["1.5e3", { numeric: ["=", 1500] }] }, broadened: [] }],
    ["= a quoted number: text, or a number as written", '{ $.a = "400" }', { pattern: { a: ["400", 400] }, broadened: [] }],
    ["= a quoted negative number", '{ $.a = "-1" }', { pattern: { a: ["-1", -1] }, broadened: [] }],
    ["= a quoted number JSON would respell", '{ $.a = "12.0" }', { pattern: { a: ["12.0", { numeric: ["=", 12] }] }, broadened: [] }],
    [
        "= a number beyond EventBridge's numbers",
        "{ $.a = 111122223333 }",
        {
            pattern: { a: [{ exists: true }] },
            broadened: ["`$.a = 111122223333` takes any value: EventBridge compares numbers only up to 1e9 and to six decimals"],
        },
    ],
    ["!= a text", '{ $.a != "x" }', { pattern: { a: [{ "anything-but": "x" }] }, broadened: [] }],
    [
        "!= a number",
        "{ $.a != 400 }",
        {
            pattern: { a: [{ "anything-but": "400" }] },
            broadened: ["`$.a != 400` forwards numbers equal to 400: anything-but excludes only the string"],
        },
    ],
    ["!= a trailing *", '{ $.a != "x*" }', { pattern: { a: [{ "anything-but": { prefix: "x" } }] }, broadened: [] }],
    ["!= * at both ends", '{ $.a != "*x*" }', { pattern: { a: [{ "anything-but": { wildcard: "*x*" } }] }, broadened: [] }],
    [
        "!= a leading *",
        '{ $.a != "*x" }',
        {
            pattern: { a: [{ exists: true }] },
            broadened: ['`$.a != "*x"` takes any value: CloudWatch matches the text after the last `*` at its first occurrence only'],
        },
    ],
    [
        "!= *",
        "{ $.a != * }",
        { pattern: { a: [{ exists: true }] }, broadened: ["`$.a != *` never matches in CloudWatch; the field is only asked to exist"] },
    ],
    ["NOT EXISTS", "{ $.a NOT EXISTS }", { pattern: { a: [{ exists: false }] }, broadened: [] }],
    [
        "NOT EXISTS on a nested field",
        "{ $.a.b NOT EXISTS }",
        {
            backstopOnly:
                "backstop only, because EventBridge also looks for a nested field inside arrays on its path, which CloudWatch does not, so `exists: false` could miss records CloudWatch matches (`$.a.b NOT EXISTS`)",
        },
    ],
    ["IS NULL", "{ $.a IS NULL }", { pattern: { a: [null] }, broadened: [] }],
    ["IS TRUE", "{ $.a IS TRUE }", { pattern: { a: [true] }, broadened: [] }],
    ["IS FALSE", "{ $.a IS FALSE }", { pattern: { a: [false] }, broadened: [] }],
    ["> alone", "{ $.n > 5 }", { pattern: { n: [{ exists: true }] }, broadened: [`\`$.n > 5\` ${OUT_OF_RANGE}`] }],
    ["<= alone", "{ $.n <= -2 }", { pattern: { n: [{ exists: true }] }, broadened: [`\`$.n <= -2\` ${OUT_OF_RANGE}`] }],
    [
        "a range with an open bound",
        "{ $.n >= 0 && $.n < 10 }",
        { pattern: { n: [{ numeric: [">=", 0, "<=", 10] }] }, broadened: [`\`$.n >= 0 && $.n < 10\` ${INCLUDED}`] },
    ],
    ["a closed range", "{ $.n >= 1 && $.n <= 2.5 }", { pattern: { n: [{ numeric: [">=", 1, "<=", 2.5] }] }, broadened: [] }],
    ["a range of one number", "{ $.n >= 3 && $.n <= 3 }", { pattern: { n: [{ numeric: ["=", 3] }] }, broadened: [] }],
    [
        "an empty range",
        "{ $.n > 6 && $.n < 5 }",
        {
            pattern: { n: [{ exists: true }] },
            broadened: ["`$.n > 6 && $.n < 5` never matches in CloudWatch; the field is only asked to exist"],
        },
    ],
    [
        "a range beyond EventBridge's numbers",
        "{ $.n > 2000000000 && $.n < 3000000000 }",
        { pattern: { n: [{ exists: true }] }, broadened: [`\`$.n > 2000000000 && $.n < 3000000000\` ${OUT_OF_RANGE}`] },
    ],
    [
        "a range with more than six decimals",
        "{ $.n > 0.0000001 && $.n < 1 }",
        { pattern: { n: [{ exists: true }] }, broadened: [`\`$.n > 0.0000001 && $.n < 1\` ${OUT_OF_RANGE}`] },
    ],
    ["|| on one field: one list", '{ $.a = "x" || $.a = "y" }', { pattern: { a: ["x", "y"] }, broadened: [] }],
    ["|| across fields: $or", '{ $.a = "x" || $.b = "y" }', { pattern: { $or: [{ a: ["x"] }, { b: ["y"] }] }, broadened: [] }],
    [
        "|| inside &&",
        '{ $.c = "z" && ($.a = "x" || $.b = "y") }',
        { pattern: { c: ["z"], $or: [{ a: ["x"] }, { b: ["y"] }] }, broadened: [] },
    ],
    [
        "&& inside ||, differing in one field",
        '{ ($.a = "x" && $.b = "1") || ($.a = "y" && $.b = "1") }',
        { pattern: { a: ["x", "y"], b: ["1", 1] }, broadened: [] },
    ],
    ["|| of a condition and more of it", '{ $.a = "x" || $.a = "x" && $.b = "y" }', { pattern: { a: ["x"] }, broadened: [] }],
    ["&& nests selectors", '{ $.a.b.c = "x" && $.a.d = "y" }', { pattern: { a: { b: { c: ["x"] }, d: ["y"] } }, broadened: [] }],
    ["a quoted name with a dot", "{ $.['a.b'] = \"x\" }", { pattern: { a: { b: ["x"] } }, broadened: [] }],
    ["&& of one condition twice", '{ $.a = "x" && $.a = "x" }', { pattern: { a: ["x"] }, broadened: [] }],
    [
        "&& of two conditions on one field",
        '{ $.a = "x*" && $.a != "xy" }',
        {
            pattern: { a: [{ prefix: "x" }] },
            broadened: ['`$.a = "x*"` and `$.a != "xy"`: EventBridge cannot ask both of one field, so only `$.a = "x*"` is checked'],
        },
    ],
    [
        "&& of a field and a field below it",
        '{ $.a = "x" && $.a.b = "y" }',
        {
            pattern: { a: ["x"] },
            broadened: ['`$.a = "x"` and `$.a.b = "y"`: EventBridge cannot ask both of one field, so only `$.a = "x"` is checked'],
        },
    ],
    ["[n]: any element", '{ $.a[0] = "x" }', { pattern: { a: ["x"] }, broadened: [anyElement('$.a[0] = "x"', "a")] }],
    ["[*]: any element", '{ $.list[*] = "x" }', { pattern: { list: ["x"] }, broadened: [anyElement('$.list[*] = "x"', "list")] }],
    [
        "two fields of one array element",
        '{ $.list[0].x = "x" && $.list[0].y = "y" }',
        {
            pattern: { list: { x: ["x"], y: ["y"] } },
            broadened: [anyElement('$.list[0].x = "x"', "list"), anyElement('$.list[0].y = "y"', "list")],
        },
    ],
    [
        "fields of two array elements",
        '{ $.list[0].x = "x" && $.list[1].y = "y" }',
        {
            pattern: { list: { x: ["x"] } },
            broadened: [
                anyElement('$.list[0].x = "x"', "list"),
                anyElement('$.list[1].y = "y"', "list"),
                '`$.list[0].x = "x"` and `$.list[1].y = "y"`: EventBridge takes them from one array element only, so only `$.list[0].x = "x"` is checked',
            ],
        },
    ],
    [
        ".* alone",
        '{ $.a.* = "x" }',
        {
            backstopOnly:
                'backstop only, because `.*` stands for any property, and an EventBridge pattern names every field it matches (`$.a.* = "x"`)',
        },
    ],
    [
        ".* under &&",
        '{ $.a.* = "x" && $.b = "y" }',
        {
            pattern: { b: ["y"] },
            broadened: [
                '`$.a.* = "x"` is not checked: `.*` stands for any property, and an EventBridge pattern names every field it matches',
            ],
        },
    ],
    ["a regular expression alone", "{ $.a = %x% }", { backstopOnly: `backstop only, because ${REGEX} (\`$.a = %x%\`)` }],
    [
        "a regular expression under &&",
        '{ $.a = %x% && $.b = "y" }',
        { pattern: { b: ["y"] }, broadened: [`\`$.a = %x%\` is not checked: ${REGEX}`] },
    ],
    [
        "a regular expression under ||",
        '{ $.a = %x% || $.b = "y" }',
        { backstopOnly: `backstop only, because ${REGEX} (\`$.a = %x% || $.b = "y"\`)` },
    ],
    [
        "a regular expression under || under &&",
        '{ ($.a = %x% || $.b = "y") && $.c = "z" }',
        { pattern: { c: ["z"] }, broadened: [`\`$.a = %x% || $.b = "y"\` is not checked: ${REGEX}`] },
    ],
    ["an operator's name outside $or", '{ $.prefix = "x" }', { pattern: { prefix: ["x"] }, broadened: [] }],
    [
        "an operator's name inside $or",
        '{ $.prefix = "x" || $.b = "y" }',
        { backstopOnly: 'backstop only, because EventBridge refuses a field named "prefix" inside $or' },
    ],
];

/** JSON values, as written, that the corpus puts in each place. */
const VALUES = [
    '"x"',
    '"y"',
    '"xy"',
    '"yx"',
    '"z"',
    '"1"',
    '""',
    '"Yes"',
    '"400"',
    '"12.0"',
    '"4"',
    '"C:\\\\temp"',
    '"a1b2c3d"',
    '"xx"',
    "400",
    "400.0",
    "4e2",
    "12.0",
    "1500",
    "3",
    "5",
    "5.0000001",
    "0",
    "10",
    "-1",
    "-3",
    "2.5",
    "2500000000",
    "111122223333",
    "null",
    "true",
    "false",
    "[]",
    "{}",
    '["x", "y"]',
    '["y", "x"]',
    '[{"x": "x"}, {"y": "y"}]',
    '{"x": "x", "y": "y"}',
];

/** Each value in each place a construct looks at, alone and beside values the others ask for. */
function corpus(): string[] {
    return VALUES.flatMap((v) => [
        `{"a": ${v}}`,
        `{"a": ${v}, "b": "y", "c": "z"}`,
        `{"a": "x", "b": ${v}}`,
        `{"b": ${v}, "c": "z"}`,
        `{"n": ${v}}`,
        `{"a": {"b": ${v}, "d": "y"}}`,
        `{"a": {"b": {"c": ${v}}, "d": "y"}}`,
        `{"a": [${v}, "x"]}`,
        `{"list": [${v}, "x"]}`,
        `{"list": [{"x": ${v}, "y": "y"}]}`,
        `{"list": [{"x": ${v}}, {"y": "y"}]}`,
        `{"a.b": ${v}}`,
        `{"prefix": ${v}}`,
        `{"a": {"k": ${v}}, "b": "y"}`,
    ]);
}

/** A filter pattern drawn from every construct, nested three deep, from a seeded generator. */
function randomFilter(random: () => number): string {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const selectors = [
        "$.a",
        "$.b",
        "$.n",
        "$.a.b",
        "$.a.d",
        "$.a[0]",
        "$.list[*]",
        "$.list[0].x",
        "$.list[1].y",
        "$.list[*].x",
        "$.['a.b']",
    ];
    const texts = ['"x"', "x", '"x*"', '"*x"', '"*x*"', '"x*y"', '"4*"', "400", '"400"', '"12.0"', "*", '""', "-1", '"Yes"', "2.5"];
    const numbers = ["5", "0", "10", "-3", "2.5", "400", "2000000000", "0.0000001", "1e3"];
    const condition = (): string => {
        const r = random();
        if (r < 0.35) return `${pick(selectors)} = ${pick(texts)}`;
        if (r < 0.55) return `${pick(selectors)} != ${pick(texts)}`;
        if (r < 0.75) return `${pick(selectors)} ${pick(["<", "<=", ">", ">="])} ${pick(numbers)}`;
        return `${pick(selectors)} ${pick(["NOT EXISTS", "IS NULL", "IS TRUE", "IS FALSE"])}`;
    };
    const expression = (depth: number): string =>
        depth === 0 || random() < 0.3 ? condition() : `(${expression(depth - 1)} ${pick(["&&", "||"])} ${expression(depth - 1)})`;
    return `{ ${expression(3)} }`;
}

/** Every event the filter pattern matches is matched by the derived pattern, under `detail`; the pattern is one EventBridge accepts. */
function assertSuperset(filter: string, events: readonly string[]): number {
    const derived = eventPatternForFilter(filter);
    if (!("pattern" in derived)) {
        return 0;
    }
    assertValidEventPattern({ detail: derived.pattern });
    const matches = compileFilterPattern(filter);
    let matched = 0;
    for (const text of events) {
        if (matches(text)) {
            matched += 1;
            const detail: unknown = JSON.parse(text);
            assert.ok(
                eventPatternMatches({ detail: derived.pattern }, { detail }),
                `${filter} matches ${text}, its EventBridge pattern does not`,
            );
        }
    }
    return matched;
}

/** A CloudTrail record of `call` on one of this stack's resources, every `*` of the watch list filled in. */
function watchedCall(entry: WatchEntry, call: string): Record<string, unknown> {
    const requestParameters: Record<string, unknown> = {};
    if (entry.names) {
        const name = entry.names.value.split("*").join("abc");
        const list = entry.names.parameter.endsWith("[*]");
        requestParameters[entry.names.parameter.replace("[*]", "")] = list ? ["someone-elses", name] : name;
    }
    return {
        eventVersion: "1.09",
        userIdentity: { type: "IAMUser", userName: "mallory" },
        eventSource: "example.amazonaws.com",
        eventName: call.split("*").join("X"),
        requestParameters,
        eventType: "AwsApiCall",
        managementEvent: true,
    };
}

describe("EventBridge patterns derived from the built-in rules", () => {
    for (const id of BUILT_IN_RULE_IDS) {
        it(`derives ${id}'s pattern`, () => {
            const derived = eventPatternForFilter(BUILT_IN_RULES[id].pattern);
            assert.deepStrictEqual(derived, BUILT_IN_EXPECTED[id]);
            assert.ok("pattern" in derived && JSON.stringify(derived.pattern).length <= MAX_DETAIL_PATTERN_LENGTH);
        });
    }

    for (const [id, pattern] of Object.entries(CIS_PATTERNS)) {
        it(`derives the CIS pattern of ${id}`, () => {
            assert.deepStrictEqual(eventPatternForFilter(pattern), CIS_EXPECTED[id as BuiltInRuleId]);
        });
    }

    it("gives EventBridge patterns it accepts, with room for source and detail-type", () => {
        const envelope = {
            source: [{ prefix: "aws." }, "aws.signin", "aws.sso"],
            "detail-type": ["AWS Console Sign In via CloudTrail", "AWS API Call via CloudTrail", "AWS Service Event via CloudTrail"],
        };
        assert.ok(JSON.stringify({ ...envelope, detail: {} }).length - 2 <= ENVELOPE_ALLOWANCE);
        assert.equal(MAX_DETAIL_PATTERN_LENGTH + ENVELOPE_ALLOWANCE, MAX_EVENT_PATTERN_LENGTH);
        for (const pattern of [...Object.values(BUILT_IN_RULES).map((r) => r.pattern), ...Object.values(CIS_PATTERNS)]) {
            const derived = eventPatternForFilter(pattern);
            assert.ok("pattern" in derived, pattern);
            assertValidEventPattern({ ...envelope, detail: derived.pattern });
            assert.ok(JSON.stringify({ ...envelope, detail: derived.pattern }).length <= MAX_EVENT_PATTERN_LENGTH);
        }
    });
});

describe("what the built-in rules' EventBridge patterns forward", () => {
    it("forwards every CloudTrail fixture each rule's CloudWatch pattern matches", () => {
        const fixtures = [...cloudTrailFixtures().entries()];
        const matchedRules = new Set<string>();
        for (const id of BUILT_IN_RULE_IDS) {
            const derived = eventPatternForFilter(BUILT_IN_RULES[id].pattern);
            assert.ok("pattern" in derived, id);
            const matches = compileFilterPattern(BUILT_IN_RULES[id].pattern);
            for (const [name, { text, parsed }] of fixtures.filter(([, f]) => matches(f.text))) {
                assert.ok(eventPatternMatches({ detail: derived.pattern }, { detail: parsed }), `${id}: ${name} (${text.length} bytes)`);
                matchedRules.add(id);
            }
        }
        // Not vacuous: each rule with fixtures of its own had some to forward.
        const expected = [
            "console-signin",
            "signin-without-mfa",
            "root-activity",
            "signin-failures",
            "sso-signin-without-mfa",
            "trail-tampering",
        ];
        assert.deepStrictEqual([...matchedRules].sort(), expected.sort());
    });

    it("forwards exactly the fixtures CloudWatch matches where nothing was broadened", () => {
        for (const id of BUILT_IN_RULE_IDS) {
            const derived = eventPatternForFilter(BUILT_IN_RULES[id].pattern);
            if (!("pattern" in derived) || derived.broadened.length > 0) {
                continue;
            }
            const matches = compileFilterPattern(BUILT_IN_RULES[id].pattern);
            for (const [name, { text, parsed }] of cloudTrailFixtures()) {
                assert.equal(eventPatternMatches({ detail: derived.pattern }, { detail: parsed }), matches(text), `${id}: ${name}`);
            }
        }
    });

    it("forwards a record of every call the watch list names, on this stack's resources", () => {
        for (const entry of WATCH_LIST) {
            const derived = eventPatternForFilter(BUILT_IN_RULES[entry.rule].pattern);
            assert.ok("pattern" in derived, entry.rule);
            for (const call of entry.calls) {
                const record = watchedCall(entry, call);
                assert.ok(compileFilterPattern(BUILT_IN_RULES[entry.rule].pattern)(record), `${entry.rule} ${call}: CloudWatch`);
                assert.ok(eventPatternMatches({ detail: derived.pattern }, { detail: record }), `${entry.rule} ${call}: EventBridge`);
            }
        }
    });

    it("forwards the deletion of an existing trail's log group the trail-tampering pattern names", () => {
        const pattern = tamperingPattern("trail-tampering", "org/cloudtrail-logs");
        const derived = eventPatternForFilter(pattern);
        assert.ok("pattern" in derived);
        const record = { eventName: "DeleteLogGroup", requestParameters: { logGroupName: "org/cloudtrail-logs" } };
        assert.ok(compileFilterPattern(pattern)(record));
        assert.ok(eventPatternMatches({ detail: derived.pattern }, { detail: record }));
    });
});

describe("EventBridge patterns derived from each construct", () => {
    for (const [name, filter, expected] of CONSTRUCTS) {
        it(`${name}: ${filter}`, () => {
            assert.deepStrictEqual(eventPatternForFilter(filter), expected);
        });
    }

    it("takes every event of the corpus each construct's CloudWatch pattern matches", () => {
        const events = corpus();
        let matched = 0;
        for (const [, filter] of CONSTRUCTS) {
            matched += assertSuperset(filter, events);
        }
        for (const pattern of [...Object.values(BUILT_IN_RULES).map((r) => r.pattern), ...Object.values(CIS_PATTERNS)]) {
            assertSuperset(pattern, events);
        }
        // The corpus exercises the constructs: most of them match several of its events.
        assert.ok(matched > 300, `only ${matched} matches`);
    });

    it("takes every event of the corpus that random combinations of the constructs match", () => {
        let seed = 20240520;
        const random = (): number => {
            seed = (seed * 1103515245 + 12345) % 2147483648;
            return seed / 2147483648;
        };
        const events = corpus();
        let matched = 0;
        for (let i = 0; i < 300; i += 1) {
            matched += assertSuperset(randomFilter(random), events);
        }
        assert.ok(matched > 1000, `only ${matched} matches`);
    });
});

describe("EventBridge's limits on derived patterns", () => {
    it("leaves to the backstop a pattern whose alternatives make too many combinations", () => {
        const or = (fields: string): string => `(${[...fields].map((f) => `$.${f} = "v"`).join(" || ")})`;
        const filter = `{ ${or("abcdef")} && ${or("ghijkl")} && ${or("mnopqr")} }`;
        assert.deepStrictEqual(eventPatternForFilter(filter), {
            backstopOnly: `backstop only, because the pattern multiplies out to 216 combinations of values, more than the ${MAX_COMBINATIONS} held to`,
        });
    });

    it("counts the values of each list into the combinations", () => {
        const values = (field: string, n: number): string =>
            `(${Array.from({ length: n }, (_, i) => `$.${field} = "v${i}"`).join(" || ")})`;
        assert.ok("pattern" in eventPatternForFilter(`{ ${values("a", 10)} && ${values("b", 15)} }`));
        assert.deepStrictEqual(eventPatternForFilter(`{ ${values("a", 10)} && ${values("b", 16)} }`), {
            backstopOnly: `backstop only, because the pattern multiplies out to 160 combinations of values, more than the ${MAX_COMBINATIONS} held to`,
        });
    });

    it("stops multiplying alternatives out past 256", () => {
        const or = (fields: string): string => `(${[...fields].map((f) => `$.${f} = "v"`).join(" || ")})`;
        assert.deepStrictEqual(eventPatternForFilter(`{ ${or("abcdefg")} && ${or("hijklmn")} && ${or("opqrstu")} }`), {
            backstopOnly: "backstop only, because the pattern multiplies out to more than 256 alternatives",
        });
    });

    it("leaves to the backstop a pattern longer than EventBridge takes", () => {
        const long = (c: string): string => `"${c.repeat(300)}"`;
        const filter = `{ ($.a = "v" || $.b = "v" || $.c = "v" || $.d = "v") && ($.e = ${long("e")} || $.f = ${long("f")}) }`;
        assert.ok(filter.length <= 1024);
        const derived = eventPatternForFilter(filter);
        assert.ok("backstopOnly" in derived);
        assert.match(
            derived.backstopOnly,
            /^backstop only, because the pattern takes \d+ characters, more than the 1792 left of EventBridge's 2048/,
        );
    });
});

describe("parseFilterPattern", () => {
    it("parses what compileFilterPattern evaluates", () => {
        assert.deepStrictEqual(parseFilterPattern('{ $.a = "x" }'), {
            kind: "compare",
            selector: [{ kind: "property", name: "a" }],
            operator: "=",
            literal: { kind: "text", text: "x", quoted: true, number: undefined },
        });
    });

    it("refuses what compileFilterPattern refuses, in the same words", () => {
        for (const pattern of ["{ $.a = }", "{ $.a = %(x)% }", " { $.a = 1 }"]) {
            let expected: unknown;
            try {
                compileFilterPattern(pattern);
            } catch (err) {
                expected = err;
            }
            assert.ok(expected instanceof Error);
            assert.throws(() => parseFilterPattern(pattern), { name: "FilterPatternSyntaxError", message: expected.message });
            assert.throws(() => eventPatternForFilter(pattern), { name: "FilterPatternSyntaxError" });
        }
    });
});
