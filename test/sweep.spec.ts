import * as assert from "assert";
import { buildPendingMessage, buildSignInMessages, type Presentation, type SlackMessage } from "../handler/decide/messages";
import { parseAlarmNotification, parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import { slackRejectedError, slackUnavailableError } from "../handler/deliver/webhook";
import type { SendToSlack } from "../handler/deliver/pacedSender";
import { openBatch, readBatch } from "../handler/deliver/postedBatch";
import { ruleRun } from "../handler/deliver/ruleRun";
import type { ReadHistories } from "../handler/state/history";
import { batchGetRoom } from "../handler/state/table";
import { SAFETY_MS, sweepRule as sweepRuleHoldingLease, type HeldLease, type SweepDeps, type SweepJob } from "../handler/ingest/sweep";
import type {
    AlarmNotification,
    AwsPorts,
    InvocationReport,
    LogEventPage,
    OperatorsChannel,
    SignIn,
    TimeWindow,
} from "../handler/common/types";
import { LOOKBACK_LIMIT_SECONDS, type HandlerSettings } from "../shared/contract";
import { fixture } from "../tools/fixtures";
import { FakeClock, fakeInvocation, builtInRunTimeRule, unitSettings } from "./support/fakePorts";

const NOW = Date.parse("2021-06-08T08:00:00Z");
// What a sweep at NOW shows: each sign-in says it was posted by the backstop, at NOW.
const BACKSTOP_PRESENTATION: Presentation = {
    language: "en",
    timeZone: "UTC",
    accountLabels: {},
    mentions: {},
    delivery: { path: "backstop", atMs: NOW },
};
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
    return unitSettings({ rules: [RULE], ...overrides });
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
    const { clock, aws, sent, deps } = fakeInvocation(NOW, settings);
    const group = aws.logGroup(settings.trailLogGroupName);
    const logEvent = (record: { eventTime: string }, message = JSON.stringify(record)) =>
        group.put(message, { timestamp: Date.parse(record.eventTime), ingestedAt: Date.parse(record.eventTime) + 60_000 });
    return { clock, aws, sent, deps, logEvent };
}

/**
 * sweepRule as an invocation runs it: under the rule's lease, taken before with where the rule's
 * lookups stand and given up after, moving the cursor as the sweep asks.
 */
async function sweepRule(deps: SweepDeps, job: SweepJob, deadlineMs: number, report: InvocationReport): Promise<void> {
    const owner = "sweep-spec";
    const progress = await deps.aws.store.acquireLease(job.rule.id, owner, deadlineMs + SAFETY_MS, deps.clock.now());
    assert.ok(progress, "the rule's lease was held");
    const lease: HeldLease = { owner, progress };
    try {
        await sweepRuleHoldingLease(deps, job, lease, deadlineMs, report);
    } finally {
        await deps.aws.store.releaseLease(job.rule.id, owner, lease.moveCursorTo);
    }
}

// Matches the rule's pattern, but has no eventID to key it by.
const NO_EVENT_ID =
    '{"userIdentity":{"type":"IAMUser"},"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"Yes"},"eventType":"AwsConsoleSignIn"}';

describe("sweepRule", function () {
    const { log, error } = console;
    beforeEach(() => (console.log = console.error = () => undefined));
    afterEach(() => ((console.log = log), (console.error = error)));

    it("marks first-seen only on the sign-ins it posts: a suppressed one, never posted, makes nothing known even within its batch", async function () {
        const settings = settingsWith({
            firstSeen: { days: 90, raiseOnNewNetwork: {} },
            allowList: [{ cidrs: ["203.0.113.24/32"], action: "suppress" }],
        });
        const { aws, sent, deps, logEvent } = world(settings);
        // The same user: first from the suppressed address, a minute later from its /24.
        const later = {
            ...IAM_USER,
            eventID: "5b0f5cc8-2f40-4f7e-9c43-0d8e8f1c3a02",
            eventTime: "2021-06-08T07:54:06Z",
            sourceIPAddress: "203.0.113.99",
        };
        logEvent(IAM_USER);
        logEvent(later);
        await sweepRule(deps, { rule: RULE }, DEADLINE, emptyReport());

        const lines = sent.flatMap((m) =>
            m.blocks.flatMap((b) => (b.type === "section" && b.text ? b.text.text.split("\n").slice(1) : [])),
        );
        assert.deepStrictEqual(lines, ["No sign-in history yet for ops-admin"]);
        const history = JSON.parse(aws.store.documents.get("history#111122223333|IAMUser|ops-admin")?.body ?? "{}") as {
            any: { recent: Array<{ eventId: string }> };
        };
        assert.deepStrictEqual(
            history.any.recent.map((s) => s.eventId),
            [later.eventID],
        );
    });

    it("posts the rule's new sign-ins, records them as posted and moves the cursor to when the sweep began", async function () {
        const { aws, sent, deps, logEvent } = world();
        logEvent(IAM_USER);
        const report = emptyReport();
        await sweepRule(deps, { rule: RULE }, DEADLINE, report);

        assert.deepStrictEqual(
            aws.filterCalls.map((c) => [c.logGroupName, c.pattern, c.window]),
            [["trail-logs", RULE.pattern, { startMs: NOW - 15 * 60_000, endMs: NOW }]],
        );
        const expected = buildSignInMessages(RULE, [signInOf(IAM_USER)], BACKSTOP_PRESENTATION);
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

    it("takes up the cursor an earlier version kept apart while the rule's item holds none, and keeps it in the item from then on", async function () {
        const { aws, sent, deps, logEvent } = world();
        logEvent(IAM_USER);
        aws.store.former.set("console-signin", { cursorMs: NOW - 5 * 60_000 });
        aws.store.posted.set(`console-signin#${IAM_USER.eventID}`, 1);
        await sweepRule(deps, { rule: RULE }, DEADLINE, emptyReport());
        await sweepRule(deps, { rule: RULE }, DEADLINE, emptyReport());

        assert.deepStrictEqual(
            aws.filterCalls.map((c) => c.window),
            [
                { startMs: NOW - 20 * 60_000, endMs: NOW },
                { startMs: NOW - 15 * 60_000, endMs: NOW },
            ],
        );
        assert.deepStrictEqual(aws.store.formerReads, ["console-signin"]);
        assert.deepStrictEqual(sent, []);
        assert.strictEqual(aws.store.cursors.get("console-signin"), NOW);
    });

    it("reads which sign-ins are posted and the first-seen histories of those it would show in one request", async function () {
        const { aws, deps, logEvent } = world(settingsWith({ firstSeen: { days: 90, raiseOnNewNetwork: {} } }));
        logEvent(IAM_USER);
        logEvent(BOT_USER);
        await sweepRule(deps, { rule: RULE }, DEADLINE, emptyReport());

        assert.deepStrictEqual(aws.store.reads, [
            {
                posted: [`console-signin#${IAM_USER.eventID}`, `console-signin#${BOT_USER.eventID}`],
                documents: ["history#111122223333|IAMUser|ops-admin", "history#111122223333|IAMUser|deploy-bot"],
            },
        ]);
    });

    it("reads beside the posted records only the histories that fit in their last call of 100 keys, and the others when marking", async function () {
        const { aws, deps } = world(settingsWith({ firstSeen: { days: 90, raiseOnNewNetwork: {} } }));
        const run = ruleRun(deps, RULE, "backstop", DEADLINE, emptyReport());
        const users = Array.from({ length: 60 }, (_, i) => `user-${i}`);
        const shown = users.map((userName, i) =>
            signInOf({ ...IAM_USER, eventID: `e${i}`, userIdentity: { ...IAM_USER.userIdentity, userName } }),
        );
        const keys = Array.from({ length: 150 }, (_, i) => `console-signin#e${i}`);
        const known: ReadHistories = new Map();
        assert.strictEqual((await readBatch(run, keys, shown, known)).size, 150);
        await openBatch(run, shown, known);

        const historyKeys = users.map((u) => `history#111122223333|IAMUser|${u}`);
        assert.deepStrictEqual(
            aws.store.reads.map((r) => [r.posted.length, r.documents]),
            [
                [150, historyKeys.slice(0, 50)],
                [0, historyKeys.slice(50)],
            ],
        );
        assert.deepStrictEqual([0, 1, 99, 100, 150, 400].map(batchGetRoom), [0, 99, 1, 0, 50, 0]);
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
        const expected = buildSignInMessages(known, [signInOf(IAM_USER)], BACKSTOP_PRESENTATION);
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

        assert.deepStrictEqual(sent, [
            buildPendingMessage(RULE, alarm, { language: "en", timeZone: "UTC", accountLabels: {}, mentions: {} }),
        ]);
        const noteKey = `alarm#${alarm.alarmName}#ALARM#${alarm.stateChangeTime.toISOString()}`;
        assert.deepStrictEqual([...aws.store.posted], [[noteKey, EXPIRES_AT]]);
        assert.deepStrictEqual(first, { trigger: "sweep", rulesScanned: [], posted: 0, messages: 1, skipped: [] });
        assert.deepStrictEqual(second, emptyReport());
    });

    it("names the alarm's account in its pending note by AWS Organizations where the stack serves an organization", async function () {
        const { aws, sent, deps } = world(settingsWith({ organizationId: "o-a1b2c3d4e5" }));
        const alarm = consoleAlarm();
        aws.accounts.set(alarm.accountId, "security-tooling");
        await sweepRule(deps, { rule: RULE, alarm }, DEADLINE, emptyReport());

        assert.deepStrictEqual(sent, [
            buildPendingMessage(RULE, alarm, {
                language: "en",
                timeZone: "UTC",
                accountLabels: { [alarm.accountId]: "security-tooling" },
                mentions: {},
            }),
        ]);
        assert.ok(JSON.stringify(sent).includes(`${alarm.accountId} (security-tooling)`));
        assert.deepStrictEqual(aws.accountReads, [alarm.accountId]);
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

/** A sender that behaves like the paced one about the deadline, and refuses what `refuse` picks with Slack's 400. */
function refusingSender(clock: FakeClock, sent: SlackMessage[], refuse: (body: string) => string | undefined): SendToSlack {
    return async (message, deadlineMs) => {
        if (clock.now() >= deadlineMs) {
            throw slackUnavailableError(0, "no attempt was made before the deadline");
        }
        const reason = refuse(JSON.stringify(message));
        if (reason) {
            throw slackRejectedError(400, reason);
        }
        sent.push(message);
    };
}

/** The operators' topic in memory. */
function operatorsChannel(): OperatorsChannel & { published: Array<{ subject: string; message: string }> } {
    const published: Array<{ subject: string; message: string }> = [];
    return {
        published,
        publish: async (subject, message) => {
            published.push({ subject, message });
        },
    };
}

describe("sweepRule when Slack refuses a message, the lookback limit is reached, or lookups are slow", function () {
    const { log, error } = console;
    beforeEach(() => (console.log = console.error = () => undefined));
    afterEach(() => ((console.log = log), (console.error = error)));

    const PRESENTATION = BACKSTOP_PRESENTATION;

    it("splits a message Slack refuses (400 invalid_blocks) and posts the rest, then the refused event as plain text naming its eventID", async function () {
        const { clock, aws, deps, logEvent } = world();
        logEvent(IAM_USER);
        logEvent(BOT_USER);
        const sent: SlackMessage[] = [];
        // Slack refuses every Block Kit message about the bot's sign-in, but takes plain text.
        const send = refusingSender(clock, sent, (body) =>
            body.includes("deploy-bot") && body.includes('"blocks"') ? "invalid_blocks" : undefined,
        );
        const report = emptyReport();
        await sweepRule({ ...deps, send }, { rule: RULE }, DEADLINE, report);

        assert.deepStrictEqual(sent[0], buildSignInMessages(RULE, [signInOf(IAM_USER)], PRESENTATION)[0]!.message);
        assert.strictEqual(sent.length, 2);
        assert.ok(!("blocks" in sent[1]!), JSON.stringify(sent[1]));
        assert.match(sent[1]!.text, new RegExp(`Console sign-in.*${BOT_USER.eventID}`, "s"));
        assert.deepStrictEqual(
            [...aws.store.posted.keys()].sort(),
            [`console-signin#${IAM_USER.eventID}`, `console-signin#${BOT_USER.eventID}`].sort(),
        );
        assert.deepStrictEqual([...aws.store.cursors], [["console-signin", NOW]]);
        assert.deepStrictEqual(report, { trigger: "sweep", rulesScanned: [], posted: 2, messages: 2, skipped: [] });
    });

    it("records an event Slack refuses even as plain text as failed, tells the operators, and moves on without retrying it", async function () {
        const { clock, aws, deps, logEvent } = world();
        logEvent(IAM_USER);
        logEvent(BOT_USER);
        const sent: SlackMessage[] = [];
        const send = refusingSender(clock, sent, (body) => (body.includes(BOT_USER.eventID) ? "invalid_payload" : undefined));
        const operators = operatorsChannel();
        (aws as AwsPorts).operators = operators;
        const report = emptyReport();
        await sweepRule({ ...deps, send }, { rule: RULE }, DEADLINE, report);

        assert.deepStrictEqual(sent, [buildSignInMessages(RULE, [signInOf(IAM_USER)], PRESENTATION)[0]!.message]);
        assert.deepStrictEqual(aws.store.posted.get(`failed#console-signin#${BOT_USER.eventID}`), EXPIRES_AT);
        // Handled, under the one key a lookup reads.
        assert.deepStrictEqual(aws.store.posted.get(`console-signin#${BOT_USER.eventID}`), EXPIRES_AT);
        assert.strictEqual(operators.published.length, 1);
        assert.match(operators.published[0]!.subject, /console-signin/);
        assert.match(operators.published[0]!.message, new RegExp(BOT_USER.eventID));
        assert.match(operators.published[0]!.message, /HTTP 400 invalid_payload/);
        assert.deepStrictEqual([...aws.store.cursors], [["console-signin", NOW]]);
        assert.deepStrictEqual(report.skipped, [
            `console-signin: Slack refused event ${BOT_USER.eventID} even as plain text; recorded as failed and reported to the operators`,
        ]);
        assert.strictEqual(report.posted, 1);

        // The next sweep neither posts it nor tries again.
        const again = emptyReport();
        await sweepRule({ ...deps, send }, { rule: RULE }, DEADLINE, again);
        assert.strictEqual(sent.length, 1);
        assert.strictEqual(operators.published.length, 1);
        assert.deepStrictEqual(again, emptyReport());
    });

    it("looks back as far as a dead letter can be redriven (14 days), and warns Slack and the operators once about an older gap", async function () {
        const { aws, sent, deps, logEvent } = world();
        const tenDaysAgo = new Date(NOW - 10 * 24 * 3600_000).toISOString();
        logEvent({ ...IAM_USER, eventTime: tenDaysAgo });
        const cursor = NOW - 20 * 24 * 3600_000;
        aws.store.cursors.set("console-signin", cursor);
        const operators = operatorsChannel();
        (aws as AwsPorts).operators = operators;
        const report = emptyReport();
        await sweepRule(deps, { rule: RULE }, DEADLINE, report);

        const limit = NOW - LOOKBACK_LIMIT_SECONDS * 1000;
        assert.strictEqual(LOOKBACK_LIMIT_SECONDS, 14 * 24 * 3600);
        assert.deepStrictEqual(aws.filterCalls[0]!.window, { startMs: limit, endMs: NOW });
        const from = new Date(cursor - 15 * 60_000).toISOString();
        const to = new Date(limit).toISOString();
        assert.strictEqual(sent.length, 2);
        assert.match(JSON.stringify(sent[0]), /were not looked up/);
        for (const text of [JSON.stringify(sent[0]), operators.published[0]?.message ?? ""]) {
            assert.ok(text.includes(from.slice(0, 16).replace("T", " ")) && text.includes(to.slice(0, 16).replace("T", " ")), text);
        }
        assert.strictEqual(operators.published.length, 1);
        assert.match(operators.published[0]!.subject, /console-signin/);
        assert.ok(aws.store.posted.has(`gap#console-signin#${cursor - 15 * 60_000}`));
        assert.ok(aws.store.posted.has(`console-signin#${IAM_USER.eventID}`), "the 10-day-old sign-in was not posted");
        assert.strictEqual(report.posted, 1);

        // A retry that meets the same gap (the cursor did not move) does not warn again.
        aws.store.cursors.set("console-signin", cursor);
        await sweepRule(deps, { rule: RULE }, DEADLINE, emptyReport());
        assert.strictEqual(sent.length, 2);
        assert.strictEqual(operators.published.length, 1);
    });

    it("pages within the deadline, posting each page's events and saving where it stopped, and the next sweep resumes there", async function () {
        const { clock, aws, deps, logEvent } = world();
        const ids = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
        for (const [i, eventID] of ids.entries()) {
            const record = { ...IAM_USER, eventID, eventTime: new Date(NOW - (10 - i) * 60_000).toISOString() };
            logEvent(record);
        }
        const store = aws.store;
        const ports: AwsPorts = aws;
        const pageCalls: Array<{ window: TimeWindow; nextToken: string | undefined }> = [];
        // FilterLogEvents pages of one event, 20 s each.
        const page = async (group: string, window: TimeWindow, nextToken: string | undefined): Promise<LogEventPage> => {
            pageCalls.push({ window, nextToken });
            await clock.sleep(20_000);
            const matching = aws
                .logGroup(group)
                .visibleAt(clock.now())
                .filter((e) => e.timestamp >= window.startMs && e.timestamp <= window.endMs)
                .sort((a, b) => a.timestamp - b.timestamp);
            const offset = Number(nextToken ?? 0);
            const next = offset + 1 < matching.length ? String(offset + 1) : undefined;
            return { events: matching.slice(offset, offset + 1), ...(next ? { nextToken: next } : {}) };
        };
        ports.filterLogEventsPage = (group, _pattern, window, nextToken) => page(group, window, nextToken);
        const sent: SlackMessage[] = [];
        const send = refusingSender(clock, sent, () => undefined);
        const first = emptyReport();
        await clock.drive(sweepRule({ ...deps, send }, { rule: RULE }, DEADLINE, first));

        assert.ok(first.posted >= 2 && first.posted < 6, JSON.stringify(first));
        assert.deepStrictEqual(
            [...store.posted.keys()].sort(),
            ids.slice(0, first.posted).map((id) => `console-signin#${id}`),
        );
        assert.deepStrictEqual([...store.cursors], []);
        const window = { startMs: NOW - 15 * 60_000, endMs: NOW };
        assert.deepStrictEqual(store.pending.get("console-signin"), {
            window,
            nextToken: String(first.posted),
            savedAtMs: store.pending.get("console-signin")!.savedAtMs,
        });
        assert.match(first.skipped.join("\n"), /console-signin: the lookup stopped before the end of its window/);

        const later = clock.now() + 300_000;
        await clock.runUntil(later);
        const second = emptyReport();
        await clock.drive(sweepRule({ ...deps, send }, { rule: RULE }, later + 300_000, second));
        assert.deepStrictEqual(pageCalls[first.posted], { window, nextToken: String(first.posted) });
        assert.strictEqual(first.posted + second.posted, 6);
        assert.deepStrictEqual([...store.posted.keys()].sort(), ids.map((id) => `console-signin#${id}`).sort());
        const postedIds = sent.flatMap((m) => ids.filter((id) => JSON.stringify(m).includes(id)));
        assert.deepStrictEqual(postedIds.sort(), ids);
        assert.ok(store.cursors.get("console-signin")! >= later);
        assert.strictEqual(store.pending.has("console-signin"), false);
    });
});
