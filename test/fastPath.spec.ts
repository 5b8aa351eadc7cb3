/**
 * The EventBridge fast path in-process, on fake ports and a fake clock: how an invocation is
 * classified, which rules an event's detail matches, what is posted and recorded, and the exact
 * delivery metric lines.
 *
 * The envelopes in test/fixtures/eventbridge_*.json are shaped as EventBridge delivers CloudTrail's
 * events ({version, id, detail-type, source, account, time, region, resources, detail}, with the
 * CloudTrail record as detail): EventBridge User Guide, "AWS service events delivered via AWS
 * CloudTrail" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html)
 * and the events reference, "AWS Sign-In events" (best-effort delivery, source aws.signin). The
 * forwarded one is the same event after a rule sent it on to an event bus of another Region, as
 * "Sending and receiving events between AWS Regions in Amazon EventBridge"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html) and "Sending and
 * receiving events between AWS accounts in Amazon EventBridge"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html) describe: source,
 * detail-type and detail are kept; the envelope's id is new and its region is the receiving bus's.
 * So nothing may depend on the envelope's id: what was posted is keyed by the CloudTrail eventID.
 */
import * as assert from "assert";
import type { SlackMessage } from "../handler/decide/messages";
import { planEvent } from "../handler/ingest/fastPath";
import { createHandler, handleInvocation, planWork } from "../handler/ingest/invocation";
import { splitDelay, type DeliveryPath } from "../handler/decide/catalog";
import { EN } from "../handler/decide/catalog/en";
import { deliveryMetricLines } from "../handler/deliver/metrics";
import { classifyTrigger } from "../handler/decide/parse";
import type { InvocationReport } from "../handler/common/types";
import type { HandlerSettings } from "../shared/contract";
import { compileFilterPattern } from "../shared/filterPattern";
import { cloudTrailFixtures, fixture } from "../tools/fixtures";
import { BUILT_IN_RULE_IDS } from "../program/rules";
import { fakeInvocation, FakeSlackWebhook, builtInRunTimeRule, unitSettings } from "./support/fakePorts";
import { fastPathRuleMatches } from "./support/eventBridgeSimulator";

const RULES = BUILT_IN_RULE_IDS.map((id) => builtInRunTimeRule(id));
const CONSOLE = builtInRunTimeRule("console-signin");
const IAM_USER = fixture<{ eventID: string; eventTime: string }>("cloudtrail_iam-user-mfa");
const EVENT_MS = Date.parse(IAM_USER.eventTime);
const DELIVERED = fixture<Record<string, unknown>>("eventbridge_console-signin");
const FORWARDED = fixture<Record<string, unknown>>("eventbridge_console-signin-forwarded");
const SSO_LINE =
    "*alice@example.com* signed in to IAM Identity Center · <https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/e959a95a-2b33-478d-906c-4fe303e8a9f1|View in CloudTrail> · posted 9 s after sign-in";
const CONTEXT = { awsRequestId: "request-1", getRemainingTimeInMillis: () => 300_000 };

function settingsWith(overrides: Partial<HandlerSettings> = {}): HandlerSettings {
    return unitSettings({ rules: RULES, minPostIntervalMs: 0, ...overrides });
}

function emptyReport(): InvocationReport {
    return { trigger: "eventbridge", rulesScanned: [], posted: 0, messages: 0, skipped: [] };
}

function world(nowMs: number, settings = settingsWith()) {
    return fakeInvocation(nowMs, settings);
}

/** The sign-in sections' first line of each message: who, verb, link and delivery note. */
function signInLines(sent: readonly SlackMessage[]): string[] {
    return sent.flatMap((m) =>
        m.blocks
            .filter((b) => b.type === "section" && "fields" in b && b.fields !== undefined)
            .map((b) => (b as { text: { text: string } }).text.text),
    );
}

describe("the EventBridge fast path", function () {
    const { log, error } = console;
    let lines: string[];
    beforeEach(() => {
        lines = [];
        console.log = (line: string) => lines.push(line);
        console.error = () => undefined;
    });
    afterEach(() => ((console.log = log), (console.error = error)));

    const metricLines = () => lines.filter((l) => l.startsWith('{"_aws"'));

    describe("classifyTrigger", function () {
        it("tells a CloudTrail event from EventBridge, as delivered and as forwarded, by its detail-type", function () {
            for (const event of [DELIVERED, FORWARDED, fixture("eventbridge_root-api-call"), fixture("eventbridge_malformed-detail")]) {
                const trigger = classifyTrigger(event);
                assert.strictEqual(trigger.kind, "eventbridge");
                assert.strictEqual(trigger.kind === "eventbridge" && trigger.envelopeId, event["id"]);
                assert.deepStrictEqual(trigger.kind === "eventbridge" && trigger.detail, event["detail"]);
            }
            assert.notStrictEqual(DELIVERED["id"], FORWARDED["id"]);
        });

        it("keeps the scheduled sweep (also an EventBridge event) and SNS notifications distinct", function () {
            assert.deepStrictEqual(classifyTrigger(fixture("events_scheduled-sweep")), { kind: "sweep" });
            assert.strictEqual(classifyTrigger(fixture("sns_alarm-console-signin")).kind, "sns");
            // A scheduled event is the sweep whatever its detail; an unrelated EventBridge event is unknown.
            assert.deepStrictEqual(classifyTrigger({ ...fixture<Record<string, unknown>>("events_scheduled-sweep"), detail: IAM_USER }), {
                kind: "sweep",
            });
            assert.strictEqual(classifyTrigger({ ...DELIVERED, "detail-type": "EC2 Instance State-change Notification" }).kind, "unknown");
            assert.strictEqual(classifyTrigger({ ...DELIVERED, "detail-type": 7 }).kind, "unknown");
        });
    });

    describe("planEvent (every rule's pattern, by the production evaluator, on the detail's JSON text)", function () {
        it("makes one job per matching rule for every CloudTrail fixture, exactly the rules CloudWatch Logs would count it for", function () {
            for (const [name, { text, parsed }] of cloudTrailFixtures<{ eventID: string }>()) {
                const report = emptyReport();
                const jobs = planEvent(
                    {
                        kind: "eventbridge",
                        envelopeId: "e",
                        detailType: "x via CloudTrail",
                        source: "aws.signin",
                        account: "111122223333",
                        detail: parsed,
                    },
                    RULES,
                    report,
                    "111122223333",
                );
                const expected = RULES.filter((r) => compileFilterPattern(r.pattern)(text)).map((r) => r.id);
                assert.deepStrictEqual(
                    jobs.map((j) => j.rule.id),
                    expected,
                    name,
                );
                assert.ok(jobs.every((j) => j.event?.eventId === parsed.eventID));
                assert.deepStrictEqual(
                    report.skipped,
                    expected.length === 0 ? [`EventBridge event e: CloudTrail event ${parsed.eventID} matches no rule`] : [],
                );
            }
        });

        it("skips, with a reason, a detail that is not an object or lacks eventID or eventTime", function () {
            const withoutTime: Record<string, unknown> = { ...IAM_USER };
            delete withoutTime["eventTime"];
            const cases: Array<[unknown, string]> = [
                ["not an object", "EventBridge event E: the EventBridge event's detail is not a JSON object"],
                [undefined, "EventBridge event E: the EventBridge event's detail is not a JSON object"],
                [[IAM_USER], "EventBridge event E: the EventBridge event's detail is not a JSON object"],
                [
                    fixture<{ detail: unknown }>("eventbridge_malformed-detail").detail,
                    "EventBridge event E: the CloudTrail record has no eventID",
                ],
                [withoutTime, `EventBridge event E: CloudTrail record ${IAM_USER.eventID} has no valid eventTime`],
            ];
            for (const [detail, reason] of cases) {
                const report = emptyReport();
                assert.deepStrictEqual(
                    planEvent(
                        { kind: "eventbridge", envelopeId: "E", detailType: "d via CloudTrail", source: "aws.signin", detail },
                        RULES,
                        report,
                        undefined,
                    ),
                    [],
                );
                assert.deepStrictEqual(report.skipped, [reason]);
            }
        });

        it("refuses an event whose source is not an AWS service's, or that comes from an account the stack does not serve", function () {
            const root = fixture<{ detail: unknown }>("eventbridge_root-api-call").detail;
            const cases: Array<[{ source?: string; account?: string }, string]> = [
                [
                    { source: "attacker.app", account: "111122223333" },
                    "its source \"attacker.app\" is not an AWS service's, so it is not CloudTrail's",
                ],
                [{ account: "111122223333" }, "its source null is not an AWS service's, so it is not CloudTrail's"],
                [
                    { source: "Aws.signin", account: "111122223333" },
                    "its source \"Aws.signin\" is not an AWS service's, so it is not CloudTrail's",
                ],
                [
                    { source: "aws.signin", account: "999999999999" },
                    'it comes from account "999999999999", which this stack does not serve',
                ],
                [{ source: "aws.signin" }, "it comes from account null, which this stack does not serve"],
            ];
            for (const [envelope, reason] of cases) {
                const report = emptyReport();
                const trigger = {
                    kind: "eventbridge" as const,
                    envelopeId: "F",
                    detailType: "AWS API Call via CloudTrail",
                    ...envelope,
                    detail: root,
                };
                assert.deepStrictEqual(planEvent(trigger, RULES, report, "111122223333"), []);
                assert.deepStrictEqual(report.skipped, [`EventBridge event F: refused, ${reason}`]);
            }
        });

        it("leaves a rule whose pattern the evaluator refuses to the backstop, with the reason, and still plans the rules it can evaluate", function () {
            const { log, error } = console;
            console.log = console.error = () => undefined;
            const refused = builtInRunTimeRule("root-activity", "{ $.eventName = }");
            const report = emptyReport();
            try {
                const trigger = classifyTrigger(DELIVERED);
                assert.ok(trigger.kind === "eventbridge");
                const jobs = planEvent(trigger, [refused, CONSOLE], report, "111122223333");
                assert.deepStrictEqual(
                    jobs.map((j) => [j.rule.id, j.event?.eventId, j.event?.matchedRules]),
                    [["console-signin", IAM_USER.eventID, ["console-signin"]]],
                );
            } finally {
                console.log = log;
                console.error = error;
            }
            assert.deepStrictEqual(report.skipped, [
                'root-activity: its filter pattern cannot be evaluated here (Invalid filter pattern: expected a value after "=" but found end of pattern at column 15); left to the backstop',
            ]);
        });

        it("is what planWork does with an EventBridge trigger", function () {
            const trigger = classifyTrigger(DELIVERED);
            assert.ok(trigger.kind === "eventbridge");
            const jobs = planWork(trigger, [CONSOLE], emptyReport());
            assert.deepStrictEqual(
                jobs.map((j) => [j.rule.id, j.event?.eventId]),
                [["console-signin", IAM_USER.eventID]],
            );
        });
    });

    describe("posting", function () {
        it("posts at once, says how long after the sign-in and by which path, and writes the exact metric line", async function () {
            const { clock, aws, sent, deps } = world(EVENT_MS + 14_250);
            const report = await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
            assert.deepStrictEqual(report, {
                trigger: "eventbridge",
                rulesScanned: ["console-signin"],
                posted: 1,
                messages: 1,
                skipped: [],
            });
            assert.deepStrictEqual(signInLines(sent), [
                "*ops-admin* signed in · <https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/27d68ec1-1016-46b5-8fd3-31d9cdc74f95|View in CloudTrail> · posted 14 s after sign-in",
            ]);
            assert.ok(aws.store.posted.has(`console-signin#${IAM_USER.eventID}`));
            assert.deepStrictEqual(aws.filterCalls, []);
            assert.deepStrictEqual(metricLines(), [
                `{"_aws":{"Timestamp":${EVENT_MS + 14_250},"CloudWatchMetrics":[{"Namespace":"ConsoleLoginAlerts","Dimensions":[["Path"]],"Metrics":[{"Name":"DeliveryDelay","Unit":"Milliseconds"}]}]},"Path":"fast","DeliveryDelay":14250}`,
            ]);
        });

        it("posts an event once whichever path comes first: the forwarded copy and the sweep after the fast path post nothing", async function () {
            const { clock, aws, sent, deps } = world(EVENT_MS + 5_000);
            aws.logGroup(deps.settings.trailLogGroupName).put(JSON.stringify(IAM_USER), {
                timestamp: EVENT_MS,
                ingestedAt: EVENT_MS + 60_000,
            });
            const first = await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
            const again = await clock.drive(handleInvocation(deps, FORWARDED, CONTEXT));
            await clock.runUntil(EVENT_MS + 6 * 60_000);
            const sweep = await clock.drive(handleInvocation(deps, fixture("events_scheduled-sweep"), CONTEXT));
            assert.deepStrictEqual([first.posted, again.posted, sweep.posted], [1, 0, 0]);
            assert.strictEqual(sent.length, 1);
            assert.strictEqual(metricLines().length, 1);
            assert.ok(!metricLines().some((l) => l.includes("BackstopFirstDeliveries")));
        });

        it("counts a backstop-first delivery when the sweep posts before EventBridge's event arrives, which then posts nothing", async function () {
            const { clock, aws, sent, deps } = world(EVENT_MS + 6 * 60_000);
            aws.logGroup(deps.settings.trailLogGroupName).put(JSON.stringify(IAM_USER), {
                timestamp: EVENT_MS,
                ingestedAt: EVENT_MS + 60_000,
            });
            const sweep = await clock.drive(handleInvocation(deps, fixture("events_scheduled-sweep"), CONTEXT));
            const late = await clock.drive(handleInvocation(deps, FORWARDED, CONTEXT));
            assert.deepStrictEqual([sweep.posted, late.posted], [1, 0]);
            assert.deepStrictEqual(signInLines(sent), [
                "*ops-admin* signed in · <https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/27d68ec1-1016-46b5-8fd3-31d9cdc74f95|View in CloudTrail> · posted 6 min after sign-in (CloudWatch Logs backstop)",
            ]);
            const at = EVENT_MS + 6 * 60_000;
            assert.deepStrictEqual(metricLines(), [
                `{"_aws":{"Timestamp":${at},"CloudWatchMetrics":[{"Namespace":"ConsoleLoginAlerts","Dimensions":[["Path"]],"Metrics":[{"Name":"DeliveryDelay","Unit":"Milliseconds"},{"Name":"BackstopFirstDeliveries","Unit":"Count"}]}]},"Path":"backstop","DeliveryDelay":360000,"BackstopFirstDeliveries":1}`,
            ]);
        });

        it("waits for a rule's lease held by a sweep, then finds the event posted and posts nothing", async function () {
            const { clock, aws, sent, deps } = world(EVENT_MS + 5_000);
            await aws.store.acquireLease("console-signin", "sweeper", EVENT_MS + 20_000, clock.now());
            // The sweep posts the event and releases its lease while the fast path waits.
            clock.at(EVENT_MS + 9_000, () => {
                void aws.store
                    .markPosted([`console-signin#${IAM_USER.eventID}`], 2e9)
                    .then(() => aws.store.releaseLease("console-signin", "sweeper", undefined));
            });
            const report = await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
            assert.deepStrictEqual(report, {
                trigger: "eventbridge",
                rulesScanned: ["console-signin"],
                posted: 0,
                messages: 0,
                skipped: [],
            });
            assert.deepStrictEqual(sent, []);
            assert.ok(aws.store.leaseAttempts.filter((a) => a.owner === "request-1").length > 1);
        });

        it("applies the allow-list: a suppressed sign-in is recorded, not posted; a downgraded one is posted as known", async function () {
            const suppress = world(EVENT_MS + 3_000, settingsWith({ allowList: [{ action: "suppress", userNames: ["ops-admin"] }] }));
            const quiet = await suppress.clock.drive(handleInvocation(suppress.deps, DELIVERED, CONTEXT));
            assert.strictEqual(quiet.posted, 0);
            assert.deepStrictEqual(suppress.sent, []);
            assert.ok(suppress.aws.store.posted.has(`console-signin#${IAM_USER.eventID}`));

            const downgrade = world(EVENT_MS + 3_000, settingsWith({ allowList: [{ action: "downgrade", userNames: ["ops-admin"] }] }));
            const known = await downgrade.clock.drive(handleInvocation(downgrade.deps, DELIVERED, CONTEXT));
            assert.strictEqual(known.posted, 1);
            assert.deepStrictEqual(downgrade.sent[0]!.blocks[0], {
                type: "header",
                text: { type: "plain_text", text: ":information_source: Console sign-in (known)", emoji: true },
            });
        });

        it("posts nothing and succeeds for a forwarded event that matches no rule, and for malformed detail", async function () {
            const { clock, sent, deps } = world(EVENT_MS + 5_000);
            const notRoot = fixture<Record<string, unknown> & { detail: Record<string, unknown> }>("eventbridge_root-api-call");
            notRoot.detail = { ...notRoot.detail, userIdentity: { type: "IAMUser", userName: "builder", accountId: "111122223333" } };
            const none = await clock.drive(handleInvocation(deps, { ...notRoot, id: "forwarded-1", region: "eu-west-1" }, CONTEXT));
            assert.deepStrictEqual(none.rulesScanned, []);
            assert.match(none.skipped[0]!, /^EventBridge event forwarded-1: CloudTrail event .* matches no rule$/);
            const bad = await clock.drive(handleInvocation(deps, fixture("eventbridge_malformed-detail"), CONTEXT));
            assert.deepStrictEqual(bad, {
                trigger: "eventbridge",
                rulesScanned: [],
                posted: 0,
                messages: 0,
                skipped: ["EventBridge event 4a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d: the CloudTrail record has no eventID"],
            });
            assert.deepStrictEqual(sent, []);
        });

        it("posts a root API call in the root rule, saying 'the event' rather than 'sign-in'", async function () {
            const root = fixture<{ detail: { eventTime: string } }>("eventbridge_root-api-call");
            const { clock, sent, deps } = world(Date.parse(root.detail.eventTime) + 2 * 3600_000 + 5_000);
            const report = await clock.drive(handleInvocation(deps, root, CONTEXT));
            assert.deepStrictEqual(report.rulesScanned, ["root-activity"]);
            assert.match(signInLines(sent)[0]!, / · posted 2 h after the event$/);
        });

        it("posts an IAM Identity Center sign-in without MFA, an AWS Service Event via CloudTrail, in the sso rule only", async function () {
            const sso = fixture<Record<string, unknown> & { detail: Record<string, unknown> & { eventID: string; eventTime: string } }>(
                "eventbridge_sso-authentication-password-only",
            );
            assert.ok(fastPathRuleMatches(sso), "the stack's EventBridge rule does not forward it");
            const { clock, aws, sent, deps } = world(Date.parse(sso.detail.eventTime) + 9_000);
            const report = await clock.drive(handleInvocation(deps, sso, CONTEXT));
            assert.deepStrictEqual(report, {
                trigger: "eventbridge",
                rulesScanned: ["sso-signin-without-mfa"],
                posted: 1,
                messages: 1,
                skipped: [],
            });
            assert.deepStrictEqual(signInLines(sent), [SSO_LINE]);
            assert.ok(aws.store.posted.has(`sso-signin-without-mfa#${sso.detail.eventID}`));
        });

        it("forwards UserAuthentication, whatever AWS service's source and CloudTrail detail-type it comes under, and no other Identity Center event", function () {
            const sso = fixture<Record<string, unknown> & { detail: Record<string, unknown> }>(
                "eventbridge_sso-authentication-password-only",
            );
            const variant = (source: string, eventName: string) => ({ ...sso, source, detail: { ...sso.detail, eventName } });
            assert.deepStrictEqual(
                [
                    variant("aws.signin", "UserAuthentication"),
                    variant("aws.sso", "UserAuthentication"),
                    variant("aws.signin", "CredentialChallenge"),
                    variant("aws.signin", "CredentialVerification"),
                    // The pattern judges the record as the rule's CloudWatch pattern does (its eventSource, not
                    // the envelope's); the envelope need only be AWS's, which no one else can write.
                    variant("aws.ec2", "UserAuthentication"),
                    { ...sso, "detail-type": "AWS API Call via CloudTrail" },
                    { ...sso, "detail-type": "Custom Event" },
                ].map(fastPathRuleMatches),
                [true, true, false, false, true, true, false],
            );
        });

        it("forwards no root call or tampering call whose source is not an AWS service's, as PutEvents would write them", function () {
            const root = fixture<Record<string, unknown>>("eventbridge_root-api-call");
            const stopLogging = { ...root, source: "aws.cloudtrail", detail: fixture("cloudtrail_stop-logging") };
            const deleteFunction = {
                ...stopLogging,
                source: "aws.lambda",
                detail: {
                    ...fixture("cloudtrail_stop-logging"),
                    eventName: "DeleteFunction20150331",
                    requestParameters: { functionName: "login-alerts-function-1a2b3c4" },
                },
            };
            assert.deepStrictEqual(
                [
                    root,
                    stopLogging,
                    deleteFunction,
                    { ...root, source: "attacker.app" },
                    { ...stopLogging, source: "attacker.app" },
                    { ...deleteFunction, source: "aws" },
                ].map(fastPathRuleMatches),
                [true, true, true, false, false, false],
            );
        });

        it("is the same handler createHandler builds", async function () {
            const { clock, aws } = world(EVENT_MS + 1_000);
            aws.parameters.set("/login-alerts/webhook", "https://hooks.slack.com/services/T00000000/B00000000/fastPathSpecToken");
            const slack = new FakeSlackWebhook(clock);
            const handler = createHandler({ settings: settingsWith(), aws, fetch: slack.fetch, clock });
            const report = await clock.drive(handler(FORWARDED, CONTEXT));
            assert.strictEqual(report.posted, 1);
            assert.match(JSON.stringify(slack.posts.map((p) => p.payload)), /posted 1 s after sign-in"/);
        });
    });

    describe("the wording and the metric lines", function () {
        // The English catalog's delay and delivery note, as every message words them.
        const formatDelay = (ms: number): string => EN.signIn.delay(splitDelay(ms));
        const postedAfter = (ms: number, path: DeliveryPath, isSignIn: boolean): string =>
            EN.signIn.postedAfter(formatDelay(ms), path, isSignIn);

        it("says delays in plain units, rounded down, one way for both paths", function () {
            assert.deepStrictEqual(
                [0, 999, 14_900, 59_999, 60_000, 3_599_999, 3_600_000, 47 * 3600_000, 48 * 3600_000, -5_000, NaN].map(formatDelay),
                ["0 s", "0 s", "14 s", "59 s", "1 min", "59 min", "1 h", "47 h", "2 d", "0 s", "0 s"],
            );
            assert.strictEqual(postedAfter(14_000, "fast", true), "posted 14 s after sign-in");
            assert.strictEqual(postedAfter(6 * 60_000, "backstop", true), "posted 6 min after sign-in (CloudWatch Logs backstop)");
            assert.strictEqual(postedAfter(6 * 60_000, "fast", false), "posted 6 min after the event");
        });

        it("writes one line per message: each event's delay as one of its values, and from the backstop how many it posted first", function () {
            const directive = (metrics: Array<{ Name: string; Unit: string }>) => ({
                Timestamp: 1000,
                CloudWatchMetrics: [{ Namespace: "ConsoleLoginAlerts", Dimensions: [["Path"]], Metrics: metrics }],
            });
            const delay = { Name: "DeliveryDelay", Unit: "Milliseconds" };
            assert.deepStrictEqual(
                deliveryMetricLines("fast", 1000, [400, 700]).map((l) => JSON.parse(l) as unknown),
                [{ _aws: directive([delay]), Path: "fast", DeliveryDelay: [600, 300] }],
            );
            assert.deepStrictEqual(
                deliveryMetricLines("backstop", 1000, [400, 100, 900]).map((l) => JSON.parse(l) as unknown),
                [
                    {
                        _aws: directive([delay, { Name: "BackstopFirstDeliveries", Unit: "Count" }]),
                        Path: "backstop",
                        DeliveryDelay: [600, 900, 100],
                        BackstopFirstDeliveries: 3,
                    },
                ],
            );
            // The specification's limit of 100 values a metric: a line per hundred.
            const times = Array.from({ length: 250 }, (_, i) => 1000 - i);
            assert.deepStrictEqual(
                deliveryMetricLines("fast", 1000, times).map((l) => (JSON.parse(l) as { DeliveryDelay: number[] }).DeliveryDelay.length),
                [100, 100, 50],
            );
        });
    });
});
