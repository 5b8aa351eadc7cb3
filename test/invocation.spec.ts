import * as assert from "assert";
import { createHandler, handleInvocation, planWork } from "../handler/ingest/invocation";
import { classifyTrigger, parseAlarmNotification } from "../handler/decide/parse";
import type { AwsPorts, InvocationReport } from "../handler/common/types";
import type { HandlerSettings } from "../shared/contract";
import { fixture } from "../tools/fixtures";
import { fakeInvocation, FakeSlackWebhook, builtInRunTimeRule, unitSettings } from "./support/fakePorts";

const NOW = Date.parse("2021-06-08T08:00:00Z");
const CONSOLE = builtInRunTimeRule("console-signin");
const ROOT = builtInRunTimeRule("root-activity");
const IAM_USER = fixture<{ eventID: string; eventTime: string }>("cloudtrail_iam-user-mfa");
const SCHEDULED = fixture("events_scheduled-sweep");
const CONTEXT = { awsRequestId: "request-1", getRemainingTimeInMillis: () => 300_000 };
const WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/invocationSpecToken";

function settingsWith(overrides: Partial<HandlerSettings> = {}): HandlerSettings {
    return unitSettings({ rules: [CONSOLE, ROOT], ...overrides });
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
    const { clock, aws, sent, deps } = fakeInvocation(NOW, settings);
    aws.logGroup(settings.trailLogGroupName).put(JSON.stringify(IAM_USER), {
        timestamp: Date.parse(IAM_USER.eventTime),
        ingestedAt: Date.parse(IAM_USER.eventTime) + 60_000,
    });
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

        it("sweeps every rule on the scheduled event, critical first, each under its own lease, then releases them", async function () {
            const { aws, sent, deps } = world();
            const report = await handleInvocation(deps, SCHEDULED, CONTEXT);

            assert.deepStrictEqual(report, {
                trigger: "sweep",
                rulesScanned: ["root-activity", "console-signin"],
                posted: 1,
                messages: 1,
                skipped: [],
            });
            assert.strictEqual(sent.length, 1);
            assert.deepStrictEqual([...aws.store.posted.keys()], [`console-signin#${IAM_USER.eventID}`]);
            assert.deepStrictEqual(
                [...aws.store.cursors],
                [
                    ["root-activity", NOW],
                    ["console-signin", NOW],
                ],
            );
            assert.deepStrictEqual(aws.store.leaseAttempts, [
                { ruleId: "root-activity", owner: "request-1", atMs: NOW, granted: true },
                { ruleId: "console-signin", owner: "request-1", atMs: NOW, granted: true },
            ]);
            assert.deepStrictEqual(aws.store.leases, {});
        });

        it("on the scheduled sweep, leaves a rule another invocation is sweeping to it, and sweeps the others at once", async function () {
            const { aws, sent, deps } = world();
            aws.store.leases["console-signin"] = { owner: "request-0", untilMs: NOW + 600_000 };
            const report = await handleInvocation(deps, SCHEDULED, CONTEXT);

            assert.deepStrictEqual(report, {
                ...emptyReport("sweep"),
                rulesScanned: ["root-activity"],
                skipped: ["another invocation holds the lease of console-signin"],
            });
            assert.deepStrictEqual(
                aws.store.leaseAttempts.map((a) => [a.ruleId, a.atMs - NOW, a.granted]),
                [
                    ["root-activity", 0, true],
                    ["console-signin", 0, false],
                ],
            );
            assert.deepStrictEqual(sent, []);
            assert.deepStrictEqual([...aws.store.cursors], [["root-activity", NOW]]);
            assert.deepStrictEqual(aws.store.leases, { "console-signin": { owner: "request-0", untilMs: NOW + 600_000 } });
        });

        it("fails an alarm's invocation, so Lambda retries it, when its rule stays busy for the whole 30 s wait", async function () {
            const { clock, aws, sent, deps } = world();
            aws.store.leases["console-signin"] = { owner: "request-0", untilMs: NOW + 600_000 };
            const alarm = snsEvent(alarmBody({ AlarmName: CONSOLE.alarmName, NewStateValue: "ALARM" }));
            await assert.rejects(clock.drive(handleInvocation(deps, alarm, CONTEXT)), {
                message: "Sign-in alerts failed for 1 rule(s): console-signin: another invocation held the rule's lease for 30 s; retrying",
            });
            assert.deepStrictEqual(
                aws.store.leaseAttempts.map((a) => [a.ruleId, a.atMs - NOW, a.granted]),
                Array.from({ length: 16 }, (_, i) => ["console-signin", i * 2000, false]),
            );
            assert.deepStrictEqual(sent, []);
            assert.deepStrictEqual([...aws.store.cursors], []);
        });

        it("never makes a root alert wait for the lease of a rule in a flood", async function () {
            const { aws, sent, deps } = world();
            // Another invocation is posting thousands of failed sign-ins under signin-failures' lease.
            aws.store.leases["signin-failures"] = { owner: "request-0", untilMs: NOW + 600_000 };
            const alarm = snsEvent(alarmBody({ AlarmName: ROOT.alarmName, NewStateValue: "ALARM" }));
            const report = await handleInvocation(deps, alarm, CONTEXT);
            assert.deepStrictEqual(report.rulesScanned, ["root-activity"]);
            assert.deepStrictEqual(
                aws.store.leaseAttempts.map((a) => [a.ruleId, a.atMs - NOW, a.granted]),
                [["root-activity", 0, true]],
            );
            assert.strictEqual(sent.length, 1, "the alarm's own note is posted at once");
        });

        it("moves the cursor as it gives the lease up, and leaves both to another invocation that took the lease meanwhile", async function () {
            const { aws, deps } = world(settingsWith({ rules: [CONSOLE] }));
            aws.store.cursors.set("console-signin", NOW - 60_000);
            const report = await handleInvocation(deps, SCHEDULED, CONTEXT);
            assert.strictEqual(report.posted, 1);
            assert.deepStrictEqual([...aws.store.cursors], [["console-signin", NOW]]);

            // Ours expired while it posted, and another invocation took it: the cursor is that one's to move.
            const { aws: later, deps: laterDeps } = world(settingsWith({ rules: [CONSOLE] }));
            later.store.cursors.set("console-signin", NOW - 60_000);
            const taken = { owner: "request-2", untilMs: NOW + 600_000 };
            laterDeps.send = async () => {
                later.store.leases["console-signin"] = taken;
            };
            const lost = await handleInvocation(laterDeps, SCHEDULED, CONTEXT);
            assert.deepStrictEqual(lost, { ...emptyReport("sweep"), rulesScanned: ["console-signin"], posted: 1, messages: 1 });
            assert.deepStrictEqual([...later.store.cursors], [["console-signin", NOW - 60_000]]);
            assert.deepStrictEqual(later.store.leases, { "console-signin": taken });
            // Its next lookup reads the window again and finds the sign-in recorded.
            assert.deepStrictEqual([...later.store.posted.keys()], [`console-signin#${IAM_USER.eventID}`]);
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
            assert.deepStrictEqual(aws.store.leases, {});
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

describe("an invocation whose lookups are slow", function () {
    const { log, error } = console;
    beforeEach(() => (console.log = console.error = () => undefined));
    afterEach(() => ((console.log = log), (console.error = error)));

    it("gives the critical rule's large window only its share of the time, so the other rule is still posted, and succeeds", async function () {
        const { clock, aws, sent, deps } = world();
        const ports: AwsPorts = aws;
        const rootIds = Array.from({ length: 30 }, (_, i) => `7d0c3a52-0000-4000-8000-0000000000${String(i).padStart(2, "0")}`);
        // The root rule's window: 30 pages of one event, 20 s each; the console rule's: one page, as fast.
        ports.filterLogEventsPage = async (group, pattern, window, nextToken) => {
            await clock.sleep(20_000);
            if (pattern !== ROOT.pattern) {
                return { events: await aws.filterLogEvents(group, pattern, window) };
            }
            const offset = Number(nextToken ?? 0);
            const message = JSON.stringify({ ...IAM_USER, eventID: rootIds[offset] });
            const events = [{ message, timestamp: Date.parse(IAM_USER.eventTime) }];
            return offset + 1 < rootIds.length ? { events, nextToken: String(offset + 1) } : { events };
        };
        const report = await clock.drive(handleInvocation(deps, SCHEDULED, CONTEXT));

        assert.deepStrictEqual(report.rulesScanned, ["root-activity", "console-signin"]);
        assert.ok(aws.store.posted.has(`console-signin#${IAM_USER.eventID}`), "the console rule was starved");
        const rootPosted = rootIds.filter((id) => aws.store.posted.has(`root-activity#${id}`)).length;
        assert.ok(rootPosted > 0 && rootPosted < rootIds.length, `${rootPosted} root events posted`);
        assert.deepStrictEqual(report.skipped, [
            "root-activity: the lookup stopped before the end of its window to leave time for other rules; the next invocation resumes it",
        ]);
        assert.strictEqual(aws.store.cursors.get("root-activity"), undefined, "the root rule's cursor moved before its window was read");
        assert.ok(aws.store.cursors.get("console-signin")! > NOW, "the console rule's cursor did not move");
        assert.ok(sent.length >= 2);
    });
});
