import * as assert from "assert";
import { buildPendingMessage, buildSignInMessages, type SlackMessage } from "../handler/format";
import { parseAlarmNotification, parseCloudTrailRecord, toSignIn } from "../handler/parse";
import type { SendToSlack } from "../handler/slack";
import { sweepRule, type SweepDeps } from "../handler/sweep";
import type { AlarmNotification, InvocationReport, SignIn } from "../handler/types";
import type { HandlerSettings } from "../shared/contract";
import { fixture } from "../tools/fixtures";
import { FakeAwsPorts, FakeClock, builtInRunTimeRule } from "./support/fakePorts";

const NOW = Date.parse("2021-06-08T08:00:00Z");
const DEADLINE = NOW + 60_000;
const EXPIRES_AT = Math.floor(NOW / 1000) + 14 * 24 * 3600;
const RULE = builtInRunTimeRule("console-signin");
const IAM_USER = fixture<{ eventID: string; eventTime: string; userIdentity: Record<string, unknown> }>("cloudtrail_iam-user-mfa");
// The same sign-in by another user, a moment later.
const BOT_USER = {
    ...IAM_USER,
    eventID: "5b0f5cc8-2f40-4f7e-9c43-0d8e8f1c3a01",
    eventTime: "2021-06-08T07:54:00Z",
    userIdentity: { ...IAM_USER.userIdentity, userName: "deploy-bot" },
};

function settingsWith(overrides: Partial<HandlerSettings> = {}): HandlerSettings {
    return {
        webhookParameterName: "/login-alerts/webhook",
        trailLogGroupName: "trail-logs",
        stateTableName: "login-alerts-state",
        timeZone: "UTC",
        rules: [RULE],
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

function emptyReport(): InvocationReport {
    return { trigger: "sweep", rulesScanned: [], posted: 0, messages: 0, skipped: [] };
}

function signInOf(record: unknown): SignIn {
    const parsed = parseCloudTrailRecord(JSON.stringify(record));
    assert.ok(parsed.ok);
    return toSignIn(parsed.value);
}

function consoleAlarm(): AlarmNotification {
    const records = fixture<{ Records: Array<{ Sns: { Message: string } }> }>("sns_alarm-console-signin").Records;
    const parsed = parseAlarmNotification(records[0]!.Sns.Message);
    assert.ok(parsed.ok);
    return parsed.value;
}

/** Fakes for one sweep: a log group the rule's events are in, the state table, and a sender that records what it is given. */
function world(settings = settingsWith()) {
    const clock = new FakeClock(NOW);
    const aws = new FakeAwsPorts(clock);
    const group = aws.logGroup(settings.trailLogGroupName);
    const sent: SlackMessage[] = [];
    const send: SendToSlack = async (message) => {
        sent.push(message);
    };
    const deps: SweepDeps = { settings, aws, clock, send };
    const logEvent = (record: { eventTime: string }, message = JSON.stringify(record)) =>
        group.put(message, { timestamp: Date.parse(record.eventTime), ingestedAt: Date.parse(record.eventTime) + 60_000 });
    return { clock, aws, sent, deps, logEvent };
}

// Matches the rule's pattern, but has no eventID to key it by.
const NO_EVENT_ID =
    '{"userIdentity":{"type":"IAMUser"},"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"Yes"},"eventType":"AwsConsoleSignIn"}';

describe("sweepRule", function () {
    const { log, error } = console;
    beforeEach(() => (console.log = console.error = () => undefined));
    afterEach(() => ((console.log = log), (console.error = error)));

    it("posts the rule's new sign-ins, records them as posted and moves the cursor to when the sweep began", async function () {
        const { aws, sent, deps, logEvent } = world();
        logEvent(IAM_USER);
        const report = emptyReport();
        await sweepRule(deps, { rule: RULE }, DEADLINE, report);

        assert.deepStrictEqual(
            aws.filterCalls.map((c) => [c.logGroupName, c.pattern, c.window]),
            [["trail-logs", RULE.pattern, { startMs: NOW - 15 * 60_000, endMs: NOW }]],
        );
        const expected = buildSignInMessages(RULE, [signInOf(IAM_USER)], { timeZone: "UTC", accountLabels: {}, mentions: {} });
        assert.deepStrictEqual(sent, [expected[0]!.message]);
        assert.deepStrictEqual([...aws.store.posted], [[`console-signin#${IAM_USER.eventID}`, EXPIRES_AT]]);
        assert.deepStrictEqual([...aws.store.cursors], [["console-signin", NOW]]);
        assert.deepStrictEqual(report, { trigger: "sweep", rulesScanned: [], posted: 1, messages: 1, skipped: [] });
    });

    it("looks back from the stored cursor minus the lag allowance and posts nothing already recorded as posted", async function () {
        const { aws, sent, deps, logEvent } = world();
        logEvent(IAM_USER);
        aws.store.cursors.set("console-signin", NOW - 5 * 60_000);
        aws.store.posted.set(`console-signin#${IAM_USER.eventID}`, 1);
        const report = emptyReport();
        await sweepRule(deps, { rule: RULE }, DEADLINE, report);

        assert.deepStrictEqual(aws.filterCalls[0]!.window, { startMs: NOW - 20 * 60_000, endMs: NOW });
        assert.deepStrictEqual(sent, []);
        assert.deepStrictEqual([...aws.store.posted], [[`console-signin#${IAM_USER.eventID}`, 1]]);
        assert.strictEqual(aws.store.cursors.get("console-signin"), NOW);
        assert.deepStrictEqual(report, emptyReport());
    });

    it("records suppressed sign-ins as handled without posting, and posts downgraded ones as informational without the mention", async function () {
        const settings = settingsWith({
            mentions: { info: "<!here>" },
            allowList: [
                { userNames: ["ops-admin"], cidrs: ["::ffff:203.0.113.0/120"], action: "downgrade" },
                { userNames: ["deploy-bot"], action: "suppress" },
            ],
        });
        const { aws, sent, deps, logEvent } = world(settings);
        logEvent(IAM_USER);
        logEvent(BOT_USER);
        const report = emptyReport();
        await sweepRule(deps, { rule: RULE }, DEADLINE, report);

        const known = { ...RULE, title: "Console sign-in (known)", severity: "info" as const };
        const expected = buildSignInMessages(known, [signInOf(IAM_USER)], { timeZone: "UTC", accountLabels: {}, mentions: {} });
        assert.deepStrictEqual(sent, [expected[0]!.message]);
        assert.ok(!JSON.stringify(sent).includes("<!here>"), "a downgraded sign-in mentioned the channel");
        assert.deepStrictEqual(
            [...aws.store.posted.keys()].sort(),
            [`console-signin#${IAM_USER.eventID}`, `console-signin#${BOT_USER.eventID}`].sort(),
        );
        assert.deepStrictEqual(report, { trigger: "sweep", rulesScanned: [], posted: 1, messages: 1, skipped: [] });
    });

    it("skips a log event that is not a CloudTrail record, with the reason in the report, and still posts the rest", async function () {
        const { sent, deps, logEvent } = world();
        logEvent(IAM_USER);
        logEvent({ eventTime: "2021-06-08T07:55:00Z" }, NO_EVENT_ID);
        const unreadable = parseCloudTrailRecord(NO_EVENT_ID);
        assert.ok(!unreadable.ok);
        const report = emptyReport();
        await sweepRule(deps, { rule: RULE }, DEADLINE, report);

        assert.strictEqual(sent.length, 1);
        assert.deepStrictEqual(report.skipped, [`console-signin: ${unreadable.reason}`]);
        assert.strictEqual(report.posted, 1);
    });

    it("posts the alarm's pending note once when CloudTrail has not delivered the events yet", async function () {
        const { aws, sent, deps } = world();
        const alarm = consoleAlarm();
        const first = emptyReport();
        await sweepRule(deps, { rule: RULE, alarm }, DEADLINE, first);
        const second = emptyReport();
        await sweepRule(deps, { rule: RULE, alarm }, DEADLINE, second);

        assert.deepStrictEqual(sent, [buildPendingMessage(RULE, alarm, { timeZone: "UTC", accountLabels: {}, mentions: {} })]);
        const noteKey = `alarm#${alarm.alarmName}#ALARM#${alarm.stateChangeTime.toISOString()}`;
        assert.deepStrictEqual([...aws.store.posted], [[noteKey, EXPIRES_AT]]);
        assert.deepStrictEqual(first, { trigger: "sweep", rulesScanned: [], posted: 0, messages: 1, skipped: [] });
        assert.deepStrictEqual(second, emptyReport());
    });

    it("leaves the cursor and the posted records alone when Slack refuses the message, so the next sweep posts it", async function () {
        const { aws, deps, logEvent } = world();
        logEvent(IAM_USER);
        const refused = new Error("Slack rejected the message with HTTP 404 no_service");
        refused.name = "SlackRejectedError";
        const report = emptyReport();
        await assert.rejects(sweepRule({ ...deps, send: () => Promise.reject(refused) }, { rule: RULE }, DEADLINE, report), refused);

        assert.deepStrictEqual([...aws.store.posted], []);
        assert.deepStrictEqual([...aws.store.cursors], []);
        assert.deepStrictEqual(report, emptyReport());
    });
});
