import * as assert from "assert";
import { checkPattern } from "../program/ruleSettings";
import { readStackSettings } from "../program/settings";
import {
    BUILT_IN_RULE_IDS,
    BUILT_IN_RULES,
    CIS_PATTERNS,
    ORIGINAL_SIGNIN_PATTERN,
    RULE_DEFINITIONS,
    type BuiltInRuleId,
    type RuleDefinition,
    type RuleExample,
} from "../program/rules";
import { cloudTrailFixtures } from "../tools/fixtures";
import { TAMPERING_RULE_IDS, tamperingPattern } from "../program/watchList";
import { compileFilterPattern, MAX_FILTER_PATTERN_LENGTH } from "../shared/filterPattern";

const SIGN_IN_EVENTS_THAT_ARE_NOT_SIGN_INS = ["CheckMfa", "ExitRole", "GetSigninToken", "RenewRole", "SwitchRole"];

type Catalog = Record<BuiltInRuleId, string>;

const DEFAULT_PATTERNS = Object.fromEntries(BUILT_IN_RULE_IDS.map((id) => [id, BUILT_IN_RULES[id].pattern])) as Catalog;
const CIS_VARIANT_PATTERNS = Object.fromEntries(
    BUILT_IN_RULE_IDS.map((id) => [id, CIS_PATTERNS[id] ?? BUILT_IN_RULES[id].pattern]),
) as Catalog;

const fixtures = new Map([...cloudTrailFixtures()].map(([name, f]) => [name, f.text]));

/** An example's name and the log line CloudWatch Logs would be given. */
function exampleOf(example: RuleExample): { name: string; text: string } {
    if (typeof example !== "string") {
        return { name: example.name, text: JSON.stringify(example.record) };
    }
    const text = fixtures.get(example);
    assert.ok(text !== undefined, `no fixture cloudtrail_${example}.json`);
    return { name: example, text };
}

/** The recorded fixtures a pattern matches, in fixture order. */
function matchedBy(pattern: string): string[] {
    const matches = compileFilterPattern(pattern);
    return [...fixtures].filter(([, message]) => matches(message)).map(([name]) => name);
}

/** The fixtures among a rule's examples, in fixture order. */
function recorded(examples: readonly RuleExample[]): string[] {
    return [...fixtures.keys()].filter((name) => examples.includes(name));
}

function judge(pattern: string, examples: readonly RuleExample[]): Record<string, boolean> {
    const matches = compileFilterPattern(pattern);
    return Object.fromEntries(examples.map(exampleOf).map(({ name, text }) => [name, matches(text)]));
}

const everyTrue = (examples: readonly RuleExample[]) => Object.fromEntries(examples.map((e) => [exampleOf(e).name, true]));
const everyFalse = (examples: readonly RuleExample[]) => Object.fromEntries(examples.map((e) => [exampleOf(e).name, false]));

describe("each built-in rule, against the examples of its definition (program/rules/)", function () {
    for (const rule of RULE_DEFINITIONS as readonly RuleDefinition[]) {
        describe(rule.id, function () {
            it("matches every example it lists", function () {
                assert.deepStrictEqual(judge(rule.pattern, rule.examples.matches), everyTrue(rule.examples.matches));
            });

            it("matches none of its near misses", function () {
                assert.deepStrictEqual(judge(rule.pattern, rule.examples.nearMisses), everyFalse(rule.examples.nearMisses));
            });

            it("matches, of the recorded fixtures, exactly those it lists", function () {
                assert.deepStrictEqual(matchedBy(rule.pattern), recorded(rule.examples.matches));
            });

            if (rule.cis) {
                const cis = rule.cis;
                it("has a CIS pattern that matches, of the recorded fixtures, exactly those it lists", function () {
                    assert.deepStrictEqual(matchedBy(cis.pattern), recorded(cis.matches));
                });
            }
        });
    }

    it("judges every recorded fixture: each is some rule's example or near miss, so a new one waits for a decision", function () {
        assert.ok(fixtures.size >= 17, `found only ${fixtures.size} fixtures`);
        const named = new Set(
            (RULE_DEFINITIONS as readonly RuleDefinition[]).flatMap((r) => [...r.examples.matches, ...r.examples.nearMisses]),
        );
        assert.deepStrictEqual(
            [...fixtures.keys()].filter((name) => !named.has(name)),
            [],
        );
    });

    it("keeps the CIS root-activity pattern exact, which misses root's API calls made through the console", function () {
        const consoleCall = RULE_DEFINITIONS.find((r) => r.id === "root-activity")!.examples.matches.find(
            (e) => typeof e !== "string" && e.name === "root-console-create-access-key",
        )!;
        assert.strictEqual(compileFilterPattern(CIS_PATTERNS["root-activity"]!)(exampleOf(consoleCall).text), false);
        assert.strictEqual(compileFilterPattern(BUILT_IN_RULES["root-activity"].pattern)(exampleOf(consoleCall).text), true);
    });

    it("uses the original design's pattern for console-signin, with no CIS replacement", function () {
        assert.strictEqual(BUILT_IN_RULES["console-signin"].pattern, ORIGINAL_SIGNIN_PATTERN);
        assert.strictEqual(CIS_PATTERNS["console-signin"], undefined);
    });

    it("deploys the CIS patterns under useCisPatterns", function () {
        const settings = readStackSettings({
            get: (k) => ({ slackWebhookUrl: "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX", useCisPatterns: "true" })[k],
            isSecret: (k) => k === "slackWebhookUrl",
        });
        assert.deepStrictEqual(Object.fromEntries(settings.rules.map((r) => [r.id, r.pattern])), CIS_VARIANT_PATTERNS);
    });

    it("never reports SwitchRole, ExitRole, CheckMfa, RenewRole or GetSigninToken, whichever catalog is deployed", function () {
        const notSignIns = [...fixtures].filter(([, message]) => {
            const record = JSON.parse(message) as { eventSource?: string; eventName?: string };
            // UserAuthentication is an IAM Identity Center sign-in, which sso-signin-without-mfa judges.
            return (
                record.eventSource === "signin.amazonaws.com" && !["ConsoleLogin", "UserAuthentication"].includes(record.eventName ?? "")
            );
        });
        // Read from the records themselves, so a new fixture of another sign-in event joins this check.
        const names = notSignIns.map(([, message]) => (JSON.parse(message) as { eventName: string }).eventName).sort();
        assert.deepStrictEqual([...new Set(names)], SIGN_IN_EVENTS_THAT_ARE_NOT_SIGN_INS);
        const patterns = [...Object.values(DEFAULT_PATTERNS), ...Object.values(CIS_VARIANT_PATTERNS)];
        const reported = notSignIns.filter(([, message]) => patterns.some((p) => compileFilterPattern(p)(message))).map(([name]) => name);
        assert.deepStrictEqual(reported, []);
    });

    it("keeps every pattern a JSON filter pattern CloudWatch Logs accepts (braces, at most 1024 characters)", function () {
        for (const pattern of [...Object.values(DEFAULT_PATTERNS), ...Object.values(CIS_VARIANT_PATTERNS)]) {
            assert.strictEqual(checkPattern("pattern", pattern), pattern);
        }
    });
});

/** A CloudTrail management event record, with the fields the tampering rule reads. */
function apiCall(eventSource: string, eventName: string, requestParameters: Record<string, unknown>, extra: object = {}): string {
    return JSON.stringify({
        eventVersion: "1.08",
        userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/Admin/someone", accountId: "111122223333" },
        eventTime: "2026-11-30T01:02:03Z",
        eventSource,
        eventName,
        awsRegion: "us-east-1",
        sourceIPAddress: "203.0.113.10",
        userAgent: "aws-cli/2.15.0",
        requestParameters,
        responseElements: null,
        eventID: "0f8e1c3a-1111-2222-3333-444455556666",
        readOnly: false,
        eventType: "AwsApiCall",
        managementEvent: true,
        recipientAccountId: "111122223333",
        ...extra,
    });
}

// Physical names as the stack's resources get them: the child's name and Pulumi's random suffix.
const TRAIL_LOGS = "login-alerts-trail-logs-4f3c2a1";
const FUNCTION = "login-alerts-function-36cefb3";
const WEBHOOK_PARAMETER = "/console-login-alerts/login-alerts-dev/slack-webhook-url";
const TAMPERING: Array<[string, string]> = [
    [
        "StopLogging",
        apiCall("cloudtrail.amazonaws.com", "StopLogging", { name: "arn:aws:cloudtrail:us-east-1:111122223333:trail/login-alerts-dev" }),
    ],
    ["StopLogging of another trail", apiCall("cloudtrail.amazonaws.com", "StopLogging", { name: "organization-trail" })],
    ["DeleteTrail", apiCall("cloudtrail.amazonaws.com", "DeleteTrail", { name: "login-alerts-dev" })],
    ["UpdateTrail", apiCall("cloudtrail.amazonaws.com", "UpdateTrail", { name: "login-alerts-dev", cloudWatchLogsLogGroupArn: "" })],
    ["PutEventSelectors", apiCall("cloudtrail.amazonaws.com", "PutEventSelectors", { trailName: "login-alerts-dev", eventSelectors: [] })],
    [
        "PutInsightSelectors",
        apiCall("cloudtrail.amazonaws.com", "PutInsightSelectors", { trailName: "login-alerts-dev", insightSelectors: [] }),
    ],
    ["DeleteLogGroup", apiCall("logs.amazonaws.com", "DeleteLogGroup", { logGroupName: TRAIL_LOGS })],
    [
        "DeleteMetricFilter",
        apiCall("logs.amazonaws.com", "DeleteMetricFilter", {
            logGroupName: TRAIL_LOGS,
            filterName: "login-alerts-root-activity-filter-9a8b7c6",
        }),
    ],
    [
        "DeleteAlarms",
        apiCall("monitoring.amazonaws.com", "DeleteAlarms", { alarmNames: ["unrelated", "login-alerts-console-signin-alarm-1a2b3c4"] }),
    ],
    [
        "DisableAlarmActions",
        apiCall("monitoring.amazonaws.com", "DisableAlarmActions", { alarmNames: ["login-alerts-dev-delivery-heartbeat"] }),
    ],
    [
        "Unsubscribe",
        apiCall("sns.amazonaws.com", "Unsubscribe", {
            subscriptionArn: "arn:aws:sns:us-east-1:111122223333:login-alerts-alarms-5d6e7f8:2f1c9a7e-0000-1111-2222-333344445555",
        }),
    ],
    ["DeleteRule", apiCall("events.amazonaws.com", "DeleteRule", { name: "login-alerts-sweep-0c1d2e3" })],
    [
        "DisableRule",
        apiCall("events.amazonaws.com", "DisableRule", { name: "login-alerts-fast-path-eu-west-1-rule-7e6d5c4", eventBusName: "default" }),
    ],
    [
        "RemoveTargets",
        apiCall("events.amazonaws.com", "RemoveTargets", {
            rule: "login-alerts-fast-path-rule-1f2e3d4",
            ids: ["1"],
            eventBusName: "login-alerts-dev-sign-ins",
        }),
    ],
    [
        "DeleteFunction by name",
        apiCall("lambda.amazonaws.com", "DeleteFunction20150331", { functionName: "login-alerts-function-3b4c5d6" }),
    ],
    [
        "DeleteFunction by ARN",
        apiCall("lambda.amazonaws.com", "DeleteFunction20150331", {
            functionName: "arn:aws:lambda:us-east-1:111122223333:function:login-alerts-function-3b4c5d6",
        }),
    ],
    // Each of these blinded the alerting unseen before the watch list (program/watchList.ts).
    [
        "PutFunctionConcurrency 0",
        apiCall("lambda.amazonaws.com", "PutFunctionConcurrency20171031", { functionName: FUNCTION, reservedConcurrentExecutions: 0 }),
    ],
    ["UpdateFunctionCode", apiCall("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", { functionName: FUNCTION, publish: false })],
    ["UpdateFunctionConfiguration", apiCall("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", { functionName: FUNCTION })],
    [
        "Lambda RemovePermission",
        apiCall("lambda.amazonaws.com", "RemovePermission20150331v2", { functionName: FUNCTION, statementId: "sns" }),
    ],
    ["PutFunctionEventInvokeConfig", apiCall("lambda.amazonaws.com", "PutFunctionEventInvokeConfig", { functionName: FUNCTION })],
    [
        "DeleteRolePolicy",
        apiCall("iam.amazonaws.com", "DeleteRolePolicy", { roleName: "login-alerts-trail-role-1a2b3c4", policyName: "p" }),
    ],
    ["PutRolePolicy", apiCall("iam.amazonaws.com", "PutRolePolicy", { roleName: "login-alerts-function-role-a4f9e3e", policyName: "p" })],
    ["UpdateAssumeRolePolicy", apiCall("iam.amazonaws.com", "UpdateAssumeRolePolicy", { roleName: "login-alerts-function-role-a4f9e3e" })],
    [
        "PutRolePermissionsBoundary",
        apiCall("iam.amazonaws.com", "PutRolePermissionsBoundary", { roleName: "login-alerts-fast-path-role-6822b1d" }),
    ],
    [
        "PutRule (disabling the sweep)",
        apiCall("events.amazonaws.com", "PutRule", { name: "login-alerts-sweep-0c1d2e3", state: "DISABLED" }),
    ],
    ["PutTargets", apiCall("events.amazonaws.com", "PutTargets", { rule: "login-alerts-fast-path-rule-1f2e3d4" })],
    [
        "the bus's RemovePermission",
        apiCall("events.amazonaws.com", "RemovePermission", { eventBusName: "login-alerts-dev-sign-ins", statementId: "s" }),
    ],
    [
        "DeleteTopic",
        apiCall("sns.amazonaws.com", "DeleteTopic", { topicArn: "arn:aws:sns:us-east-1:111122223333:login-alerts-alarms-e88e06f" }),
    ],
    [
        "SetTopicAttributes",
        apiCall("sns.amazonaws.com", "SetTopicAttributes", {
            topicArn: "arn:aws:sns:us-east-1:111122223333:login-alerts-alarms-e88e06f",
            attributeName: "Policy",
        }),
    ],
    [
        "PutMetricAlarm (the heartbeat re-thresholded)",
        apiCall("monitoring.amazonaws.com", "PutMetricAlarm", { alarmName: "login-alerts-dev-delivery-heartbeat" }),
    ],
    [
        "SetAlarmState",
        apiCall("monitoring.amazonaws.com", "SetAlarmState", { alarmName: "login-alerts-dev-delivery-heartbeat", stateValue: "OK" }),
    ],
    ["DeleteTable", apiCall("dynamodb.amazonaws.com", "DeleteTable", { tableName: "login-alerts-state-5d6e7f8" })],
    ["DisableKey", apiCall("kms.amazonaws.com", "DisableKey", { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" })],
    ["ScheduleKeyDeletion", apiCall("kms.amazonaws.com", "ScheduleKeyDeletion", { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" })],
    [
        "PutKeyPolicy",
        apiCall("kms.amazonaws.com", "PutKeyPolicy", { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", policyName: "default" }),
    ],
    [
        "PutParameter on the webhook",
        apiCall("ssm.amazonaws.com", "PutParameter", { name: WEBHOOK_PARAMETER, type: "SecureString", overwrite: true }),
    ],
    ["DeleteParameter on the webhook", apiCall("ssm.amazonaws.com", "DeleteParameter", { name: WEBHOOK_PARAMETER })],
    ["DeleteParameters naming the webhook", apiCall("ssm.amazonaws.com", "DeleteParameters", { names: ["/other", WEBHOOK_PARAMETER] })],
    [
        "PutBucketPolicy on the trail bucket",
        apiCall("s3.amazonaws.com", "PutBucketPolicy", { bucketName: "login-alerts-trail-bucket-ae6c78e" }),
    ],
    [
        "PutBucketLifecycle on the trail bucket",
        apiCall("s3.amazonaws.com", "PutBucketLifecycle", { bucketName: "login-alerts-trail-bucket-ae6c78e" }),
    ],
    [
        "DeleteQueue",
        apiCall("sqs.amazonaws.com", "DeleteQueue", {
            queueUrl: "https://sqs.us-east-1.amazonaws.com/111122223333/login-alerts-dead-letters-1a2b",
        }),
    ],
    [
        "SetQueueAttributes",
        apiCall("sqs.amazonaws.com", "SetQueueAttributes", {
            queueUrl: "https://sqs.us-east-1.amazonaws.com/111122223333/login-alerts-dead-letters-1a2b",
        }),
    ],
    [
        "PutRetentionPolicy on the trail's log group",
        apiCall("logs.amazonaws.com", "PutRetentionPolicy", { logGroupName: TRAIL_LOGS, retentionInDays: 1 }),
    ],
    [
        "PutMetricFilter re-pointing a filter",
        apiCall("logs.amazonaws.com", "PutMetricFilter", { logGroupName: TRAIL_LOGS, filterName: "login-alerts-console-signin-filter-1a" }),
    ],
    // An attempt AWS refused is still an attempt.
    [
        "a refused StopLogging",
        apiCall("cloudtrail.amazonaws.com", "StopLogging", { name: "login-alerts-dev" }, { errorCode: "AccessDenied" }),
    ],
];
const NOT_TAMPERING: Array<[string, string]> = [
    [
        "another stack's function throttled",
        apiCall("lambda.amazonaws.com", "PutFunctionConcurrency20171031", { functionName: "billing-report" }),
    ],
    ["another stack's role", apiCall("iam.amazonaws.com", "PutRolePolicy", { roleName: "billing-role", policyName: "p" })],
    ["another parameter", apiCall("ssm.amazonaws.com", "PutParameter", { name: "/billing/api-key" })],
    ["another topic", apiCall("sns.amazonaws.com", "DeleteTopic", { topicArn: "arn:aws:sns:us-east-1:111122223333:billing-alerts" })],
    ["another table", apiCall("dynamodb.amazonaws.com", "DeleteTable", { tableName: "orders" })],
    ["another bucket", apiCall("s3.amazonaws.com", "PutBucketPolicy", { bucketName: "billing-reports" })],
    ["another stack's log group", apiCall("logs.amazonaws.com", "DeleteLogGroup", { logGroupName: "/aws/lambda/billing-report" })],
    [
        "another stack's metric filter",
        apiCall("logs.amazonaws.com", "DeleteMetricFilter", { logGroupName: TRAIL_LOGS, filterName: "cis-root-usage" }),
    ],
    ["another stack's alarms", apiCall("monitoring.amazonaws.com", "DeleteAlarms", { alarmNames: ["billing-alarm", "cpu-high"] })],
    [
        "another stack's subscription",
        apiCall("sns.amazonaws.com", "Unsubscribe", { subscriptionArn: "arn:aws:sns:us-east-1:111122223333:billing-alerts:2f1c9a7e-0000" }),
    ],
    ["another stack's rule", apiCall("events.amazonaws.com", "DeleteRule", { name: "nightly-backup" })],
    ["another stack's targets", apiCall("events.amazonaws.com", "RemoveTargets", { rule: "nightly-backup", ids: ["1"] })],
    ["another stack's function", apiCall("lambda.amazonaws.com", "DeleteFunction20150331", { functionName: "billing-report" })],
    // Read calls and creations change nothing the stack relies on.
    ["DescribeTrails", apiCall("cloudtrail.amazonaws.com", "DescribeTrails", { trailNameList: ["login-alerts-dev"] }, { readOnly: true })],
    ["GetEventSelectors", apiCall("cloudtrail.amazonaws.com", "GetEventSelectors", { trailName: "login-alerts-dev" }, { readOnly: true })],
    [
        "DescribeAlarms",
        apiCall(
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            { alarmNames: ["login-alerts-console-signin-alarm-1a2b3c4"] },
            { readOnly: true },
        ),
    ],
    ["DescribeLogGroups", apiCall("logs.amazonaws.com", "DescribeLogGroups", { logGroupNamePrefix: "login-alerts-" }, { readOnly: true })],
    [
        "GetFunction",
        apiCall("lambda.amazonaws.com", "GetFunction20150331v2", { functionName: "login-alerts-function-3b4c5d6" }, { readOnly: true }),
    ],
    ["StartLogging", apiCall("cloudtrail.amazonaws.com", "StartLogging", { name: "login-alerts-dev" })],
    ["another stack's PutMetricAlarm", apiCall("monitoring.amazonaws.com", "PutMetricAlarm", { alarmName: "billing-alarm" })],
];

describe("the tampering rules", function () {
    const patterns = TAMPERING_RULE_IDS.map((id) => compileFilterPattern(BUILT_IN_RULES[id].pattern));
    const matches = (record: string) => patterns.some((match) => match(record));

    it("are critical, and fit CloudWatch's filter pattern limit, trail-tampering with room for an existing trail's log group", function () {
        assert.deepStrictEqual(
            TAMPERING_RULE_IDS.map((id) => {
                const rule = BUILT_IN_RULES[id];
                return [id, rule.severity, rule.title, rule.threshold, rule.periodSeconds, rule.pattern.length];
            }),
            [
                ["trail-tampering", "critical", "CloudTrail or alerting tampered with", 1, 60, 892],
                ["function-tampering", "critical", "Alert function, its role or webhook changed", 1, 60, 975],
                ["delivery-tampering", "critical", "Alert topics, routing or keys changed", 1, 60, 984],
            ],
        );
        for (const id of TAMPERING_RULE_IDS) {
            assert.strictEqual(BUILT_IN_RULES[id].pattern, tamperingPattern(id));
            assert.strictEqual(checkPattern("pattern", BUILT_IN_RULES[id].pattern), BUILT_IN_RULES[id].pattern);
        }
        const withExisting = tamperingPattern("trail-tampering", "aws-controltower/CloudTrailLogs");
        assert.ok(withExisting.length <= MAX_FILTER_PATTERN_LENGTH, String(withExisting.length));
        assert.strictEqual(checkPattern("pattern", withExisting), withExisting);
    });

    for (const [what, record] of TAMPERING) {
        it(`matches ${what}`, function () {
            assert.strictEqual(matches(record), true);
        });
    }

    for (const [what, record] of NOT_TAMPERING) {
        it(`does not match ${what}`, function () {
            assert.strictEqual(matches(record), false);
        });
    }

    it("matches the deletion of an existing trail's log group only when the stack uses that trail", function () {
        const deletion = apiCall("logs.amazonaws.com", "DeleteLogGroup", { logGroupName: "aws-controltower/CloudTrailLogs" });
        assert.strictEqual(matches(deletion), false);
        assert.strictEqual(compileFilterPattern(tamperingPattern("trail-tampering", "aws-controltower/CloudTrailLogs"))(deletion), true);
        const settings = readStackSettings({
            get: (k) =>
                ({
                    slackWebhookUrl: "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX",
                    existingTrailLogGroupName: "aws-controltower/CloudTrailLogs",
                })[k],
            isSecret: (k) => k === "slackWebhookUrl",
        });
        assert.strictEqual(
            settings.rules.find((r) => r.id === "trail-tampering")!.pattern,
            tamperingPattern("trail-tampering", "aws-controltower/CloudTrailLogs"),
        );
    });

    it("matches the recorded StopLogging and DeleteAlarms events and no sign-in fixture", function () {
        assert.deepStrictEqual(matchedBy(BUILT_IN_RULES["trail-tampering"].pattern), ["delete-alarms", "stop-logging"]);
    });
});

/** An IAM Identity Center UserAuthentication record (IAM Identity Center User Guide, "Understanding sign-in events"). */
function userAuthentication(credentialType: string, extra: { eventSource?: string; result?: string } = {}): string {
    return JSON.stringify({
        eventVersion: "1.08",
        userIdentity: {
            type: "Unknown",
            principalId: "111122223333",
            arn: "",
            accountId: "111122223333",
            accessKeyId: "",
            userName: "user1",
        },
        eventTime: "2020-12-07T20:34:09Z",
        eventSource: extra.eventSource ?? "signin.amazonaws.com",
        eventName: "UserAuthentication",
        awsRegion: "us-east-1",
        sourceIPAddress: "203.0.113.0",
        userAgent: "Mozilla/5.0",
        requestParameters: null,
        responseElements: null,
        additionalEventData: { AuthWorkflowID: "9de74b32-8362-4a01-a524-de21df59fd83", CredentialType: credentialType },
        eventID: "e959a95a-2b33-478d-906c-4fe303e8a9f1",
        readOnly: false,
        eventType: "AwsServiceEvent",
        managementEvent: true,
        eventCategory: "Management",
        recipientAccountId: "111122223333",
        serviceEventDetails: { UserAuthentication: extra.result ?? "Success" },
    });
}

describe("the sso-signin-without-mfa rule", function () {
    const rule = BUILT_IN_RULES["sso-signin-without-mfa"];
    const matches = compileFilterPattern(rule.pattern);

    it("is high, and a pattern CloudWatch Logs accepts", function () {
        assert.deepStrictEqual([rule.severity, rule.title], ["high", "IAM Identity Center sign-in without MFA"]);
        assert.strictEqual(checkPattern("pattern", rule.pattern), rule.pattern);
    });

    it("matches a successful sign-in that verified only a password, from signin.amazonaws.com or sso.amazonaws.com", function () {
        assert.strictEqual(matches(userAuthentication("PASSWORD")), true);
        assert.strictEqual(matches(userAuthentication("PASSWORD", { eventSource: "sso.amazonaws.com" })), true);
    });

    it("does not match a sign-in with a second factor, through an external identity provider, or one that did not succeed", function () {
        for (const credentials of ["PASSWORD,TOTP", "PASSWORD,WEBAUTHN", "PASSWORD,RESYNC_TOTP", "EXTERNAL_IDP", "WEBAUTHN"]) {
            assert.strictEqual(matches(userAuthentication(credentials)), false, credentials);
        }
        assert.strictEqual(matches(userAuthentication("PASSWORD", { result: "Failure" })), false);
        assert.strictEqual(matches(userAuthentication("PASSWORD", { eventSource: "iam.amazonaws.com" })), false);
        const challenge = JSON.parse(userAuthentication("PASSWORD")) as Record<string, unknown>;
        challenge["eventName"] = "CredentialVerification";
        challenge["serviceEventDetails"] = { CredentialVerification: "Success" };
        assert.strictEqual(matches(JSON.stringify(challenge)), false);
    });

    it("matches the recorded password-only Identity Center sign-in, and no other fixture (console sign-ins through its role included)", function () {
        assert.deepStrictEqual(matchedBy(rule.pattern), ["sso-authentication-password-only"]);
    });
});

describe("switching the new built-in rules off", function () {
    it("leaves each out of the stack's rules when disabledRules names it", function () {
        for (const id of ["trail-tampering", "sso-signin-without-mfa"]) {
            const settings = readStackSettings({
                get: (k) =>
                    ({ slackWebhookUrl: "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX", disabledRules: JSON.stringify([id]) })[k],
                isSecret: (k) => k === "slackWebhookUrl",
            });
            assert.deepStrictEqual(
                settings.rules.map((r) => r.id),
                BUILT_IN_RULE_IDS.filter((other) => other !== id),
            );
        }
    });
});
