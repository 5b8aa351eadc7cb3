import * as assert from "assert";
import type { SlackMessage } from "../handler/format";
import { createHandler, handleInvocation, planWork } from "../handler/invocation";
import { classifyTrigger, parseAlarmNotification } from "../handler/parse";
import type { SendToSlack } from "../handler/slack";
import type { SweepDeps } from "../handler/sweep";
import type { InvocationReport } from "../handler/types";
import type { HandlerSettings } from "../shared/contract";
import { fixture } from "../tools/fixtures";
import { FakeAwsPorts, FakeClock, FakeSlackWebhook, builtInRunTimeRule } from "./support/fakePorts";

const NOW = Date.parse("2021-06-08T08:00:00Z");
const CONSOLE = builtInRunTimeRule("console-signin");
const ROOT = builtInRunTimeRule("root-activity");
const IAM_USER = fixture<{ eventID: string; eventTime: string }>("cloudtrail_iam-user-mfa");
const SCHEDULED = fixture("events_scheduled-sweep");
const CONTEXT = { awsRequestId: "request-1", getRemainingTimeInMillis: () => 300_000 };
const WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/invocationSpecToken";

function settingsWith(overrides: Partial<HandlerSettings> = {}): HandlerSettings {
    return {
        webhookParameterName: "/login-alerts/webhook",
        trailLogGroupName: "trail-logs",
        stateTableName: "login-alerts-state",
        timeZone: "UTC",
        rules: [CONSOLE, ROOT],
        accountLabels: {},
        notifyOnOk: false,
        lagAllowanceMinutes: 15,
        mentions: {},
        minPostIntervalMs: 1000,
        allowList: [],
        slackTimeoutMs: 10_000,
        slackBackoffBaseMs: 500,
        slackBackoffCapMs: 8000,
        ...overrides,
    };
}

/** An SNS event carrying one alarm notification per given state change of the console-signin alarm, and whatever else is given. */
function snsEvent(...messages: unknown[]): unknown {
    const template = fixture<{ Records: Array<{ Sns: { Message: string } }> }>("sns_alarm-console-signin").Records[0]!;
    return {
        Records: messages.map((m) => ({ ...template, Sns: { ...template.Sns, Message: typeof m === "string" ? m : JSON.stringify(m) } })),
    };
}

function alarmBody(changes: Record<string, unknown>): Record<string, unknown> {
    const template = fixture<{ Records: Array<{ Sns: { Message: string } }> }>("sns_alarm-console-signin").Records[0]!;
    return { ...(JSON.parse(template.Sns.Message) as Record<string, unknown>), ...changes };
}

function emptyReport(trigger: InvocationReport["trigger"]): InvocationReport {
    return { trigger, rulesScanned: [], posted: 0, messages: 0, skipped: [] };
}

function world(settings = settingsWith()) {
    const clock = new FakeClock(NOW);
    const aws = new FakeAwsPorts(clock);
    const group = aws.logGroup(settings.trailLogGroupName);
    const sent: SlackMessage[] = [];
    const send: SendToSlack = async (message) => {
        sent.push(message);
    };
    const deps: SweepDeps = { settings, aws, clock, send };
    group.put(JSON.stringify(IAM_USER), { timestamp: Date.parse(IAM_USER.eventTime), ingestedAt: Date.parse(IAM_USER.eventTime) + 60_000 });
    return { clock, aws, sent, deps };
}

describe("the invocation flow", function () {
    const { log, error } = console;
    beforeEach(() => (console.log = console.error = () => undefined));
    afterEach(() => ((console.log = log), (console.error = error)));

    describe("planWork", function () {
        it("sweeps every rule, in order, for the scheduled event", function () {
            const report = emptyReport("sweep");
            const trigger = classifyTrigger(SCHEDULED);
            assert.strictEqual(trigger.kind, "sweep");
            assert.deepStrictEqual(planWork(trigger, [CONSOLE, ROOT], report), [{ rule: CONSOLE }, { rule: ROOT }]);
            assert.deepStrictEqual(report, emptyReport("sweep"));
        });

        it("sweeps each alarm's rule once, for its latest notification, and says why it skipped the others", function () {
            const first = alarmBody({ StateChangeTime: "2021-06-08T07:58:32.419+0000" });
            const latest = alarmBody({ StateChangeTime: "2021-06-08T07:59:32.419+0000" });
            const trigger = classifyTrigger(
                snsEvent(
                    first,
                    "not json",
                    alarmBody({ AlarmName: "someone-elses-alarm" }),
                    alarmBody({ NewStateValue: "INSUFFICIENT_DATA" }),
                    latest,
                ),
            );
            assert.strictEqual(trigger.kind, "sns");
            const report = emptyReport("sns");
            const work = planWork(trigger, [CONSOLE, ROOT], report);

            const expectedAlarm = parseAlarmNotification(JSON.stringify(latest));
            assert.ok(expectedAlarm.ok);
            assert.deepStrictEqual(work, [{ rule: CONSOLE, alarm: expectedAlarm.value }]);
            assert.deepStrictEqual(report.skipped, [
                "the SNS message is not JSON",
                "alarm someone-elses-alarm belongs to no rule of this stack",
                `alarm ${CONSOLE.alarmName} went to INSUFFICIENT_DATA`,
            ]);
        });
    });

    describe("handleInvocation", function () {
        it("skips an event that is neither an SNS notification nor the scheduled sweep, without taking the lease", async function () {
            const { aws, sent, deps } = world();
            const report = await handleInvocation(deps, { hello: "world" }, CONTEXT);
            assert.deepStrictEqual(report, {
                ...emptyReport("unknown"),
                skipped: ["the event has neither Records nor a scheduled-event source"],
            });
            assert.deepStrictEqual(aws.store.leaseAttempts, []);
            assert.deepStrictEqual(sent, []);
        });

        it("sweeps every rule under the lease on the scheduled event, then releases the lease", async function () {
            const { aws, sent, deps } = world();
            const report = await handleInvocation(deps, SCHEDULED, CONTEXT);

            assert.deepStrictEqual(report, {
                trigger: "sweep",
                rulesScanned: ["console-signin", "root-activity"],
                posted: 1,
                messages: 1,
                skipped: [],
            });
            assert.strictEqual(sent.length, 1);
            assert.deepStrictEqual([...aws.store.posted.keys()], [`console-signin#${IAM_USER.eventID}`]);
            assert.deepStrictEqual(
                [...aws.store.cursors],
                [
                    ["console-signin", NOW],
                    ["root-activity", NOW],
                ],
            );
            assert.deepStrictEqual(aws.store.leaseAttempts, [{ owner: "request-1", atMs: NOW, granted: true }]);
            assert.strictEqual(aws.store.lease, undefined);
        });

        it("leaves the work to another invocation that holds the lease for the whole 30 s wait, asking every 2 s", async function () {
            const { clock, aws, sent, deps } = world();
            aws.store.lease = { owner: "request-0", untilMs: NOW + 600_000 };
            const report = await clock.drive(handleInvocation(deps, SCHEDULED, CONTEXT));

            assert.deepStrictEqual(report, { ...emptyReport("sweep"), skipped: ["another invocation holds the sweep lease"] });
            assert.deepStrictEqual(
                aws.store.leaseAttempts.map((a) => [a.atMs - NOW, a.granted]),
                Array.from({ length: 16 }, (_, i) => [i * 2000, false]),
            );
            assert.deepStrictEqual(sent, []);
            assert.deepStrictEqual([...aws.store.cursors], []);
            assert.deepStrictEqual(aws.store.lease, { owner: "request-0", untilMs: NOW + 600_000 });
        });

        it("sweeps the other rules when one fails, releases the lease, then fails the invocation naming the rule", async function () {
            const { aws, sent, deps } = world();
            const filter = aws.filterLogEvents.bind(aws);
            aws.filterLogEvents = (group, pattern, window) =>
                pattern === CONSOLE.pattern
                    ? Promise.reject(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }))
                    : filter(group, pattern, window);

            await assert.rejects(handleInvocation(deps, SCHEDULED, CONTEXT), {
                message: "Sign-in alerts failed for 1 rule(s): console-signin: ThrottlingException: Rate exceeded",
            });
            assert.deepStrictEqual([...aws.store.cursors], [["root-activity", NOW]]);
            assert.deepStrictEqual(sent, []);
            assert.strictEqual(aws.store.lease, undefined);
        });
    });

    describe("createHandler", function () {
        it("reads the webhook once per container and keeps Slack's pace across invocations", async function () {
            const { clock, aws } = world(settingsWith({ rules: [CONSOLE] }));
            aws.parameters.set("/login-alerts/webhook", WEBHOOK);
            const slack = new FakeSlackWebhook(clock);
            const handler = createHandler({ settings: settingsWith({ rules: [CONSOLE] }), aws, fetch: slack.fetch, clock });

            const first = await clock.drive(handler(SCHEDULED, CONTEXT));
            aws.logGroup("trail-logs").put(JSON.stringify({ ...IAM_USER, eventID: "5b0f5cc8-2f40-4f7e-9c43-0d8e8f1c3a01" }), {
                timestamp: Date.parse(IAM_USER.eventTime),
                ingestedAt: NOW,
            });
            const second = await clock.drive(handler(SCHEDULED, { ...CONTEXT, awsRequestId: "request-2" }));

            assert.deepStrictEqual([first.posted, second.posted], [1, 1]);
            assert.deepStrictEqual(aws.parameterReads, ["/login-alerts/webhook"]);
            assert.deepStrictEqual(
                slack.posts.map((p) => [p.atMs - NOW, p.url]),
                [
                    [0, WEBHOOK],
                    [1000, WEBHOOK],
                ],
            );
        });
    });
});
