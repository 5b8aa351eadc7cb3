import * as assert from "assert";
import { handleInvocation } from "../handler/ingest/invocation";
import { classifyTrigger, parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import { COUNTER_BYTES_ATTRIBUTE } from "../handler/state/counters";
import { createStateStore } from "../handler/state/store";
import { postSummary, summaryReport } from "../handler/ingest/summary";
import { ruleRun } from "../handler/deliver/ruleRun";
import type { InvocationReport, SignIn } from "../handler/common/types";
import type { SweepDeps } from "../handler/ingest/sweep";
import { COUNTERS, hourKey, newNetworkCounter, postedCounters, PRINCIPAL_ITEM_BYTES, tally } from "../handler/state/tally";
import type { SlackMessage } from "../handler/decide/messages";
import { SCHEDULER_SCHEDULED_TIME, type SummaryRequest } from "../shared/contract";
import { useLocalAwsInProcess } from "./support/localAwsInProcess";
import { fixture } from "../tools/fixtures";
import { fakeInvocation, builtInRunTimeRule, unitSettings } from "./support/fakePorts";
import { byName, runWith } from "./support/program";

const HOUR = 3600_000;
const CONSOLE = builtInRunTimeRule("console-signin");
const CONTEXT = { awsRequestId: "summary-request-1", getRemainingTimeInMillis: () => 300_000 };
// 09:00 UTC: the daily schedule's time, and the end of the period it asks for.
const SCHEDULED = Date.parse("2021-06-08T09:00:00Z");

/** A world whose tallies hold 2 sign-ins in the hour before SCHEDULED and 5 in the hour after it, at `nowMs`. */
function world(nowMs: number) {
    const w = fakeInvocation(nowMs, unitSettings({ rules: [CONSOLE], summary: "daily" }));
    w.aws.store.counters.set(hourKey(SCHEDULED - HOUR), { [`${COUNTERS.rulePrefix}${CONSOLE.id}`]: 2 });
    w.aws.store.counters.set(hourKey(SCHEDULED + HOUR), { [`${COUNTERS.rulePrefix}${CONSOLE.id}`]: 5 });
    return w;
}

const textOf = (sent: SlackMessage[]) => sent.map((m) => m.text);

describe("the summary request", function () {
    const { log } = console;
    beforeEach(() => (console.log = () => undefined));
    afterEach(() => (console.log = log));

    it("summarises the period that ended at its scheduled time when it is redriven 3 hours later", async function () {
        const { clock, aws, sent, deps } = world(SCHEDULED + 3 * HOUR + 60_000);
        const request: SummaryRequest = { loginAlertsSummary: "daily", scheduledTime: "2021-06-08T09:00:00Z" };
        const report = await clock.drive(handleInvocation(deps, request, CONTEXT));
        assert.deepStrictEqual(report, { trigger: "summary", rulesScanned: [], posted: 0, messages: 1, skipped: [] });
        assert.deepStrictEqual(textOf(sent), [
            "Daily sign-in summary: 2021-06-07 09:00:00 UTC – 2021-06-08 09:00:00 UTC, 2 events posted in all",
        ]);
        assert.ok(aws.store.posted.has(`summary#daily#${SCHEDULED}`));
    });

    it("is posted once per scheduled time, however late each copy arrives", async function () {
        const { clock, sent, deps } = world(SCHEDULED + 60_000);
        const request: SummaryRequest = { loginAlertsSummary: "daily", scheduledTime: "2021-06-08T09:00:00Z" };
        await clock.drive(handleInvocation(deps, request, CONTEXT));
        await clock.runUntil(SCHEDULED + 5 * HOUR);
        const again = await clock.drive(handleInvocation(deps, request, CONTEXT));
        assert.deepStrictEqual(again.skipped, ["the daily summary to 2021-06-08T09:00:00.000Z is already posted"]);
        assert.strictEqual(sent.length, 1);
    });

    it("keeps summarising the period ending at the invocation's hour for a request without a time (dead letters from before)", async function () {
        const { clock, sent, deps } = world(SCHEDULED + 3 * HOUR + 60_000);
        await clock.drive(handleInvocation(deps, { loginAlertsSummary: "daily" }, CONTEXT));
        assert.deepStrictEqual(textOf(sent), [
            "Daily sign-in summary: 2021-06-07 12:00:00 UTC – 2021-06-08 12:00:00 UTC, 7 events posted in all",
        ]);
    });

    it("reads the request the deployed schedule sends, once Scheduler has written its time in", async function () {
        this.timeout(60_000);
        const run = await runWith({ summary: "daily" });
        const input = (byName(run, "login-alerts-summary-schedule").inputs["target"] as { input: string }).input;
        const sent = JSON.parse(input.split(SCHEDULER_SCHEDULED_TIME).join("2021-06-08T09:00:00Z")) as unknown;
        assert.deepStrictEqual(classifyTrigger(sent), { kind: "summary", period: "daily", scheduledMs: SCHEDULED });
    });

    it("skips a request whose scheduledTime is not a time, saying so, rather than guessing the period", async function () {
        const { clock, sent, deps } = world(SCHEDULED + 60_000);
        const report = await clock.drive(
            handleInvocation(deps, { loginAlertsSummary: "daily", scheduledTime: SCHEDULER_SCHEDULED_TIME }, CONTEXT),
        );
        assert.deepStrictEqual(report.skipped, [
            'the summary request\'s scheduledTime "<aws.scheduler.scheduled-time>" is not a UTC time such as 2022-03-22T18:59:43Z',
        ]);
        assert.deepStrictEqual(sent, []);
    });
});

describe("the summary's tallies, per account", function () {
    const OWN = "111122223333";
    const MEMBER = "444455556666";
    const ROOT = builtInRunTimeRule("root-activity");
    const DAY = { fromMs: SCHEDULED - 24 * HOUR, toMs: SCHEDULED };
    const { log } = console;
    beforeEach(() => (console.log = () => undefined));
    afterEach(() => (console.log = log));

    /** The root sign-in fixture as CloudTrail records it in `account`. */
    function rootIn(account: string, eventId: string): SignIn {
        const parsed = parseCloudTrailRecord(JSON.stringify(fixture("cloudtrail_root-mfa")).split(OWN).join(account));
        assert.ok(parsed.ok);
        return { ...toSignIn(parsed.value), eventId };
    }

    it("counts root of two accounts under two counters, each naming its account", function () {
        assert.deepStrictEqual(postedCounters(ROOT.id, [rootIn(OWN, "e1"), rootIn(MEMBER, "e2"), rootIn(MEMBER, "e3")], false), {
            "rule:root-activity": 3,
            'who:{"account":"111122223333","kind":"root"}': 1,
            'who:{"account":"444455556666","kind":"root"}': 2,
        });
        assert.strictEqual(
            newNetworkCounter("203.0.113.0/24", rootIn(MEMBER, "e4")),
            'new:203.0.113.0/24 {"account":"444455556666","kind":"root"}',
        );
    });

    it("reports a principal of two accounts as two lines, each with its account, even where the stack serves no organization", function () {
        const tallies = [
            postedCounters(ROOT.id, [rootIn(OWN, "e1"), rootIn(MEMBER, "e2")], false),
            postedCounters(ROOT.id, [rootIn(MEMBER, "e3")], false),
            { [newNetworkCounter("203.0.113.0/24", rootIn(MEMBER, "e3"))]: 1 },
        ];
        const report = summaryReport("daily", DAY, [ROOT], tallies);
        assert.deepStrictEqual(report.perPrincipal, [
            { principal: { kind: "root" }, accountId: MEMBER, count: 2 },
            { principal: { kind: "root" }, accountId: OWN, count: 1 },
        ]);
        assert.deepStrictEqual(report.newNetworks, [{ principal: { kind: "root" }, accountId: MEMBER, network: "203.0.113.0/24" }]);
        assert.strictEqual(report.otherPrincipals, 0);
    });

    it("leaves the account unsaid where every principal acted in one, merging tallies written before accounts were counted", function () {
        const before = { 'who:{"kind":"root"}': 2, 'new:198.51.100.0/24 {"kind":"root"}': 1 };
        const after = {
            'who:{"account":"111122223333","kind":"root"}': 3,
            'who:{"account":"111122223333","kind":"name","name":"alice"}': 1,
            'new:198.51.100.0/24 {"account":"111122223333","kind":"root"}': 1,
        };
        const report = summaryReport("daily", DAY, [ROOT], [before, after]);
        assert.deepStrictEqual(report.perPrincipal, [
            { principal: { kind: "root" }, count: 5 },
            { principal: { kind: "name", name: "alice" }, count: 1 },
        ]);
        assert.deepStrictEqual(report.newNetworks, [{ principal: { kind: "root" }, network: "198.51.100.0/24" }]);
    });

    it("names the account of every line where the stack serves an organization, and lists tallies from before without one rather than guess", function () {
        const before = { 'who:{"kind":"root"}': 2 };
        const after = { 'who:{"account":"111122223333","kind":"root"}': 3 };
        assert.deepStrictEqual(summaryReport("daily", DAY, [ROOT], [before, after], true).perPrincipal, [
            { principal: { kind: "root" }, accountId: OWN, count: 3 },
            { principal: { kind: "root" }, count: 2 },
        ]);
    });

    it("posts an organization's summary with each line's account labelled as its stack labels it, else named by AWS Organizations, else by id", async function () {
        const settings = unitSettings({
            rules: [ROOT],
            summary: "daily",
            organizationId: "o-a1b2c3d4e5",
            accountLabels: { [OWN]: "security" },
        });
        const { aws, sent, deps } = fakeInvocation(SCHEDULED + 60_000, settings);
        aws.accounts.set(MEMBER, "payments-prod");
        const outsider = "999988887777";
        const signIns = [rootIn(MEMBER, "e1"), rootIn(MEMBER, "e2"), rootIn(OWN, "e3"), rootIn(outsider, "e4")];
        await tally({ store: aws.store, ruleId: ROOT.id, nowMs: SCHEDULED - HOUR }, postedCounters(ROOT.id, signIns, false));
        const report: InvocationReport = { trigger: "summary", rulesScanned: [], posted: 0, messages: 0, skipped: [] };
        await postSummary(deps, { period: "daily", scheduledMs: SCHEDULED }, SCHEDULED + 300_000, report);

        const principals = sent[0]!.blocks[3] as { text: { text: string } };
        assert.strictEqual(
            principals.text.text,
            "*Top principals*\n• root in 444455556666 (payments-prod): 2\n• root in 111122223333 (security): 1\n• root in 999988887777: 1",
        );
        assert.deepStrictEqual(aws.accountReads, [MEMBER, outsider]);
    });
});

describe("the summary's hourly tallies in DynamoDB (dynalite, which enforces the 400 KB item limit)", function () {
    const TABLE = "login-alerts-state";
    const FAILURES = builtInRunTimeRule("signin-failures");
    // The store's client finds dynalite as the function's does: through the SDK's endpoint variables.
    const local = useLocalAwsInProcess();
    const { log } = console;
    beforeEach(() => (console.log = () => undefined));
    afterEach(() => (console.log = log));

    before(async function () {
        await local.aws.resetTable(TABLE);
    });

    /** The deps of an in-process invocation at `nowMs`, with the real store over dynalite in place of the in-memory one. */
    function withDynamo(nowMs: number): { deps: SweepDeps; sent: SlackMessage[] } {
        const { deps, sent } = fakeInvocation(nowMs, unitSettings({ rules: [FAILURES], summary: "daily" }));
        // The fake's other ports stay as they are, through its prototype.
        const aws = Object.create(deps.aws) as typeof deps.aws;
        Object.defineProperty(aws, "store", { value: createStateStore(TABLE) });
        return { deps: { ...deps, aws }, sent };
    }

    /** Failed sign-ins in one hour, each under its own 200-byte user name: what anyone can send to the console. */
    function failedSignIns(count: number): SignIn[] {
        const parsed = parseCloudTrailRecord(JSON.stringify(fixture("cloudtrail_failure-unknown-user")));
        assert.ok(parsed.ok);
        const base = toSignIn(parsed.value);
        return Array.from({ length: count }, (_, i) => ({
            ...base,
            eventId: `failure-${i}`,
            principal: { kind: "name", name: `${"m".repeat(190)}${String(i).padStart(10, "0")}` },
        }));
    }

    // The principals' items (PRINCIPAL_ITEM_BYTES each) hold about 1,050 such names: twice that many
    // overflow them as surely as the 5,000 this once took, in under half the time. `others > 0` below
    // fails when a change to the items lets every name fit, and the figure must grow.
    const SIGN_INS = 2000;

    it("counts every one of 2,000 failed sign-ins with distinct 200-byte user names under its rule, and each sign-in once by name or as others", async function () {
        this.timeout(240_000);
        const { deps } = withDynamo(SCHEDULED + 30 * 60_000);
        const run = ruleRun(deps, FAILURES, "backstop", SCHEDULED + 31 * 60_000, {
            trigger: "sweep",
            rulesScanned: [],
            posted: 0,
            messages: 0,
            skipped: [],
        });
        const signIns = failedSignIns(SIGN_INS);
        for (let i = 0; i < signIns.length; i += 25) {
            await tally(
                { store: deps.aws.store, ruleId: FAILURES.id, nowMs: deps.clock.now() },
                postedCounters(FAILURES.id, signIns.slice(i, i + 25), true),
            );
        }

        const stored = (await local.aws.items()).filter((item) => item["pk"]?.S?.startsWith("stats#"));
        const sum = (pick: (name: string) => boolean) =>
            stored
                .flatMap((item) => Object.entries(item))
                .filter(([name]) => pick(name))
                .reduce((n, [, v]) => n + Number(v.N), 0);
        assert.strictEqual(
            sum((name) => name === `${COUNTERS.rulePrefix}${FAILURES.id}`),
            SIGN_INS,
        );
        assert.strictEqual(
            sum((name) => name === COUNTERS.backstop),
            SIGN_INS,
        );
        assert.strictEqual(
            sum((name) => name.startsWith(COUNTERS.whoPrefix) || name === COUNTERS.others),
            SIGN_INS,
        );

        const summary = withDynamo(SCHEDULED + 24 * HOUR + 60_000);
        await postSummary(summary.deps, { period: "daily" }, SCHEDULED + 24 * HOUR + 60_000, run.report);
        assert.deepStrictEqual(textOf(summary.sent), [
            `Daily sign-in summary: 2021-06-08 09:00:00 UTC – 2021-06-09 09:00:00 UTC, ${SIGN_INS} events posted in all`,
        ]);
        const others = sum((name) => name === COUNTERS.others);
        assert.ok(others > 0, "every name fitted: the test no longer passes the limit");
        const context = summary.sent[0]!.blocks.at(-1) as { elements: Array<{ text: string }> };
        assert.deepStrictEqual(
            context.elements.map((e) => e.text),
            [
                `Posted by the CloudWatch Logs backstop alone (EventBridge did not bring them): ${SIGN_INS}`,
                "Refused by Slack and reported to the operators: 0",
                `By principals not named (more in one hour than the tally names): ${others}`,
            ],
        );
        for (const item of stored.filter((i) => i["pk"]?.S?.includes("#p"))) {
            assert.ok(Number(item[COUNTER_BYTES_ATTRIBUTE]?.N) <= PRINCIPAL_ITEM_BYTES, item["pk"]?.S);
        }
        console.info(`      named ${SIGN_INS - others} of ${SIGN_INS} principals in ${stored.length} items; ${others} counted as others`);
    });
});
