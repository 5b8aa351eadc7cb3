/**
 * A simulated day of sign-ins through both paths at once, in virtual time, with the real handler: the
 * EventBridge fast path (seconds, heavy-tailed, 1% of events dropped) and the CloudWatch Logs
 * backstop (CloudTrail delivering 2 to 15 minutes late, metric filters, alarms, SNS, the 5-minute
 * sweep), invoking the same function concurrently. Then the same day with EventBridge switched off,
 * and the same day in an organization's member accounts, whose events take one more EventBridge hop.
 * Prints the sign-in-to-Slack delay of each; docs/speed.md and docs/organization.md quote these figures.
 */
import * as assert from "assert";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES } from "../program/rules";
import { DELIVERY_METRICS } from "../shared/contract";
import {
    ACCOUNT_ID,
    describeRun,
    runSimulation,
    seededRandom,
    syntheticRecord,
    tally,
    type SimulationOptions,
    type SimulationResult,
    type TrailEvent,
} from "./support/alarmSimulator";
import {
    firstPosts,
    formatMs,
    planEventBridge,
    summarize,
    type DelaySummary,
    type EventBridgeModel,
    type EventBridgePlan,
    type FirstPost,
    withAnotherHop,
} from "./support/eventBridgeSimulator";
import { cloudTrailFixtures } from "../tools/fixtures";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY_START = Date.UTC(2024, 4, 21, 0, 0, 0);
const RULES = BUILT_IN_RULE_IDS.map((id) => BUILT_IN_RULES[id]);
const TEMPLATES = new Map([...cloudTrailFixtures<TrailEvent["record"]>()].map(([name, f]) => [name, f.parsed]));

/** The seed of the whole run: the day's events, CloudTrail's delays and EventBridge's. */
const SEED = 20240521;
/** CloudTrail to CloudWatch Logs: uniform between these. */
const LOGS_DELAY_MS = { min: 2 * MINUTE, max: 15 * MINUTE };
/** EventBridge: log-normal, median 3 s, 99th percentile 90 s; 1% of events never delivered. */
const EVENTBRIDGE: EventBridgeModel = { medianMs: 3000, p99Ms: 90_000, dropRate: 0.01 };

// Sign-ins people make on a working day, with how often each kind comes up.
const WORKDAY_SIGN_INS: ReadonlyArray<readonly [string, number]> = [
    ["iam-user-mfa", 40],
    ["mobile-console", 8],
    ["sso-assumed-role", 20],
    ["saml-federation", 6],
    ["iam-user-no-mfa", 6],
    ["failure-wrong-password", 8],
    ["failure-unknown-user", 3],
    ["switch-role", 5],
    ["exit-role", 2],
    ["check-mfa", 1],
    ["root-mfa", 1],
];

interface Day {
    events: TrailEvent[];
    lastDeliveryMs: number;
}

/**
 * A day of account activity, the same on every run: working-hours sign-ins of every common kind
 * (and a few at night), events of every fixture anywhere in the day, working sessions of sign-ins
 * minute after minute (their alarm stays in ALARM), two password-spraying bursts of 45 failures,
 * and two root incidents. CloudTrail delivers each to CloudWatch Logs 2 to 15 minutes after it.
 */
function day(random: () => number): Day {
    const events: TrailEvent[] = [];
    const add = (name: string, eventMs: number): void => {
        const template = TEMPLATES.get(name);
        assert.ok(template, `no fixture ${name}`);
        const record = syntheticRecord(template, events.length + 1, eventMs, random);
        const lagMs = LOGS_DELAY_MS.min + Math.floor(random() * (LOGS_DELAY_MS.max - LOGS_DELAY_MS.min));
        events.push({ record, deliveredAtMs: Date.parse(record.eventTime) + lagMs });
    };
    const total = WORKDAY_SIGN_INS.reduce((sum, [, weight]) => sum + weight, 0);
    const pick = (): string => {
        let r = random() * total;
        for (const [name, weight] of WORKDAY_SIGN_INS) {
            r -= weight;
            if (r < 0) {
                return name;
            }
        }
        return WORKDAY_SIGN_INS[0]![0];
    };

    // Working hours, 07:00 to 19:00, and a tenth as many at night.
    for (let i = 0; i < 400; i++) {
        add(pick(), DAY_START + 7 * HOUR + random() * 12 * HOUR);
    }
    for (let i = 0; i < 40; i++) {
        add(pick(), DAY_START + random() * 24 * HOUR);
    }
    // Every kind of event, root API calls and service events included, anywhere in the day.
    const names = [...TEMPLATES.keys()];
    for (let i = 0; i < 60; i++) {
        add(names[Math.floor(random() * names.length)]!, DAY_START + random() * 24 * HOUR);
    }
    // Working sessions: a sign-in in each of several consecutive minutes.
    for (const startHour of [8.5, 10, 13.25, 15.5, 17]) {
        const from = DAY_START + startHour * HOUR;
        for (let m = 0; m < 8; m++) {
            add(random() < 0.8 ? "iam-user-mfa" : "mobile-console", from + m * MINUTE + random() * MINUTE);
        }
    }
    // Password spraying: 45 failures in three minutes, twice.
    for (const startHour of [3.2, 14.1]) {
        for (let i = 0; i < 45; i++) {
            add(i % 3 === 0 ? "failure-unknown-user" : "failure-wrong-password", DAY_START + startHour * HOUR + random() * 3 * MINUTE);
        }
    }
    // Root incidents: a sign-in without MFA, then API calls while root-activity is still in ALARM.
    for (const startHour of [11.6, 22.3]) {
        const from = DAY_START + startHour * HOUR;
        add("root-no-mfa", from);
        for (let i = 1; i <= 3; i++) {
            add("root-api-call", from + i * 40_000);
        }
    }
    events.sort((a, b) => Date.parse(a.record.eventTime) - Date.parse(b.record.eventTime));
    return { events, lastDeliveryMs: Math.max(...events.map((e) => e.deliveredAtMs)) };
}

const RANDOM = seededRandom(SEED);
const DAY = day(RANDOM);
const PLAN: EventBridgePlan = planEventBridge(DAY.events, EVENTBRIDGE, RANDOM);

/** The organization's member accounts, with their names in AWS Organizations; the day's events are dealt to them in turn. */
const MEMBERS: Readonly<Record<string, string>> = { "444455556666": "payments-prod", "777788889999": "data-lake" };
const ORGANIZATION_ID = "o-a1b2c3d4e5";
const MEMBER_OF = new Map(DAY.events.map((e, i) => [e.record.eventID, Object.keys(MEMBERS)[i % 2]!]));

/** An event of the stack's account (a CloudTrail record, or its EventBridge envelope) as it is in a member account. */
function inMemberAccount<T>(value: T, eventID: string): T {
    return JSON.parse(JSON.stringify(value).split(ACCOUNT_ID).join(MEMBER_OF.get(eventID)!)) as T;
}

/**
 * The same day in the member accounts: the same events and CloudTrail delays, each in its member
 * account, and the same first EventBridge hop followed by a second (withAnotherHop), drawn from
 * the same seeded generator after the first, so the runs above keep their draws.
 */
const MEMBER_DAY: TrailEvent[] = DAY.events.map((e) => ({ ...e, record: inMemberAccount(e.record, e.record.eventID) }));
const TWO_HOPS = withAnotherHop(PLAN, DAY.events, EVENTBRIDGE, RANDOM);
const MEMBER_DELIVERIES = TWO_HOPS.deliveries.map((d) => ({ ...d, event: inMemberAccount(d.event, d.eventID) }));

function options(deliveries: SimulationOptions["deliveries"], events: readonly TrailEvent[] = DAY.events): SimulationOptions {
    return {
        startMs: DAY_START,
        // Long enough after the last delivery for the alarms to settle and two sweeps to run.
        endMs: Math.ceil((DAY.lastDeliveryMs + 15 * MINUTE) / MINUTE) * MINUTE,
        events,
        rules: RULES,
        // As observed log groups stamp CloudTrail's events: the time CloudTrail delivered the batch.
        timestamps: "delivery",
        deliveries,
    };
}

function describeDelays(name: string, s: DelaySummary): string {
    return `${name}: ${s.count} alerts, sign-in to Slack p50 ${formatMs(s.p50Ms)}, p95 ${formatMs(s.p95Ms)}, p99 ${formatMs(s.p99Ms)}, max ${formatMs(s.maxMs)}`;
}

/** Nothing lost, nothing twice, nothing unexpected; no invocation past its timeout or dead-lettered. */
function assertEveryAlertOnce(name: string, result: SimulationResult): Map<string, FirstPost> {
    console.log(`      ${describeRun(name, result)}`);
    const t = tally(result);
    assert.deepStrictEqual(
        { missing: t.missing, unexpected: t.unexpected, duplicates: t.duplicates },
        { missing: [], unexpected: [], duplicates: 0 },
    );
    assert.strictEqual(t.posted, t.expected);
    assert.ok(t.expected >= 400, `only ${t.expected} matching (rule, event) pairs`);
    assert.deepStrictEqual(result.lambda.timedOut, []);
    assert.deepStrictEqual(result.lambda.deadLetters, []);
    // The fake Slack never fails in this run.
    assert.ok(result.slack.posts.every((p) => p.status === 200));
    const first = firstPosts(result, DAY.events);
    assert.strictEqual(first.size, t.expected);
    return first;
}

describe("both delivery paths over a simulated day, in virtual time", function () {
    // A day of virtual time, twice: a few seconds to a minute of real time.
    this.timeout(600_000);

    let withFastPath: SimulationResult;
    let withoutFastPath: SimulationResult;
    let fromMembers: SimulationResult;

    before(async function () {
        withFastPath = await runSimulation(options(PLAN.deliveries));
        withoutFastPath = await runSimulation(options([]));
        fromMembers = await runSimulation({
            ...options(MEMBER_DELIVERIES, MEMBER_DAY),
            settings: { organizationId: ORGANIZATION_ID },
            memberAccounts: MEMBERS,
        });
    });

    it("builds a day of sign-ins, CloudTrail delays of 2 to 15 minutes, and EventBridge delays with a median of seconds and a long tail", function () {
        const times = DAY.events.map((e) => Date.parse(e.record.eventTime));
        assert.ok(DAY.events.length >= 600, `only ${DAY.events.length} events`);
        assert.ok(Math.min(...times) - DAY_START < 2 * HOUR && DAY_START + 24 * HOUR - Math.max(...times) < 3 * HOUR, "not a whole day");
        const lags = DAY.events.map((e) => e.deliveredAtMs - Date.parse(e.record.eventTime));
        assert.ok(Math.min(...lags) >= LOGS_DELAY_MS.min && Math.max(...lags) <= LOGS_DELAY_MS.max);
        assert.strictEqual(new Set(DAY.events.map((e) => e.record.eventID)).size, DAY.events.length);

        const delays = summarize(PLAN.deliveries.map((d) => d.delayMs));
        console.log(
            `      EventBridge (seed ${SEED}): ${PLAN.deliveries.length} delivered, ${PLAN.dropped.size} dropped, ` +
                `${PLAN.notForwarded} not matched by the fast-path rule | delay p50 ${formatMs(delays.p50Ms)}, ` +
                `p95 ${formatMs(delays.p95Ms)}, p99 ${formatMs(delays.p99Ms)}, max ${formatMs(delays.maxMs)}`,
        );
        assert.ok(delays.p50Ms >= 2000 && delays.p50Ms <= 4500, `median ${delays.p50Ms} ms`);
        assert.ok(delays.p99Ms >= 45_000 && delays.p99Ms <= 180_000, `99th percentile ${delays.p99Ms} ms`);
        assert.ok(PLAN.dropped.size >= 3, `only ${PLAN.dropped.size} events dropped`);
        assert.ok(PLAN.notForwarded >= 1, "every event matched the fast-path rule");
        // Every delivery falls inside the simulated span.
        assert.ok(PLAN.deliveries.every((d) => d.atMs <= options([]).endMs));
    });

    it("posts every alert once with both paths, the backstop delivering every event EventBridge dropped", function () {
        const first = assertEveryAlertOnce("fast path and backstop", withFastPath);
        const posts = [...first.values()];
        const summary = summarize(posts.map((p) => p.delayMs));
        const backstopFirst = posts.filter((p) => p.path === "backstop");
        console.log(`      ${describeDelays("with the fast path", summary)} (${new Set(posts.map((p) => p.eventID)).size} events)`);
        const droppedAlerts = posts.filter((p) => PLAN.dropped.has(p.eventID)).length;
        console.log(
            `      backstop posted first: ${backstopFirst.length} of ${posts.length} alerts (${new Set(backstopFirst.map((p) => p.eventID)).size} events): ` +
                `${droppedAlerts} of events EventBridge dropped, ${backstopFirst.length - droppedAlerts} that EventBridge delivered later; ` +
                `backstop-first ${describeDelays("delays", summarize(backstopFirst.map((p) => p.delayMs)))}`,
        );

        // Every alert of an event EventBridge dropped came from the backstop.
        const reportable = (id: string) => [...withFastPath.expected.values()].some((ids) => ids.has(id));
        const droppedReportable = [...PLAN.dropped].filter(reportable);
        assert.ok(droppedReportable.length >= 3, `only ${droppedReportable.length} reportable events dropped`);
        const ofDropped = posts.filter((p) => PLAN.dropped.has(p.eventID));
        assert.deepStrictEqual(
            ofDropped.filter((p) => p.path !== "backstop").map((p) => p.pair),
            [],
        );
        assert.deepStrictEqual(
            droppedReportable.filter((id) => !ofDropped.some((p) => p.eventID === id)),
            [],
            "an event EventBridge dropped was never posted",
        );
        // The handler counts what the backstop posted first as the operators' metric does: the sum of its metric lines' values.
        const metricCount = withFastPath.logLines
            .filter((l) => l.startsWith('{"_aws"'))
            .reduce((sum, l) => sum + ((JSON.parse(l) as Record<string, number | undefined>)[DELIVERY_METRICS.backstopFirst] ?? 0), 0);
        assert.strictEqual(metricCount, backstopFirst.length);
        // The fast path carried most alerts, within seconds.
        assert.ok(backstopFirst.length < posts.length / 10, `${backstopFirst.length} alerts came from the backstop`);
        assert.ok(summary.p50Ms < MINUTE, `median ${summary.p50Ms} ms`);
        // The invocations really overlapped: EventBridge's, the alarms' and the sweeps'.
        const triggers = new Set(withFastPath.lambda.invocations.map((i) => i.trigger));
        assert.deepStrictEqual([...triggers].sort(), ["eventbridge", "sns", "sweep"]);
        assert.ok(withFastPath.lambda.containerCount >= 3, `${withFastPath.lambda.containerCount} containers`);
        assert.ok(
            withFastPath.aws.store.leaseAttempts.some((l) => !l.granted),
            "no invocation ever waited for a lease",
        );
    });

    it("posts every alert once, minutes later, with EventBridge switched off", function () {
        const first = assertEveryAlertOnce("backstop only", withoutFastPath);
        const posts = [...first.values()];
        assert.ok(posts.every((p) => p.path === "backstop"));
        const without = summarize(posts.map((p) => p.delayMs));
        const withFast = summarize([...firstPosts(withFastPath, DAY.events).values()].map((p) => p.delayMs));
        console.log(`      ${describeDelays("without the fast path", without)} (${new Set(posts.map((p) => p.eventID)).size} events)`);
        assert.ok(without.p50Ms >= LOGS_DELAY_MS.min, `median ${without.p50Ms} ms`);
        assert.ok(withFast.p50Ms < without.p50Ms / 10);
        assert.ok(withFast.maxMs <= without.maxMs + MINUTE, "the fast path made the slowest alert slower");
    });

    it("posts every member account's alert once through one more EventBridge hop, each account named by AWS Organizations", function () {
        const first = assertEveryAlertOnce("member accounts, one more hop", fromMembers);
        const posts = [...first.values()];
        const oneHop = summarize([...firstPosts(withFastPath, DAY.events).values()].map((p) => p.delayMs));
        const twoHops = summarize(posts.map((p) => p.delayMs));
        const backstopFirst = posts.filter((p) => p.path === "backstop");
        const oneHopBackstop = [...firstPosts(withFastPath, DAY.events).values()].filter((p) => p.path === "backstop").length;
        const hops = summarize(TWO_HOPS.deliveries.map((d) => d.delayMs));
        console.log(
            `      EventBridge, two draws added up (seed ${SEED}, the second drawn after the first): ${TWO_HOPS.deliveries.length} delivered, ` +
                `${PLAN.dropped.size} dropped by the first draw and ${TWO_HOPS.droppedByHop} by the second | delay p50 ${formatMs(hops.p50Ms)}, ` +
                `p95 ${formatMs(hops.p95Ms)}, p99 ${formatMs(hops.p99Ms)}, max ${formatMs(hops.maxMs)}`,
        );
        const ofDropped = backstopFirst.filter((p) => TWO_HOPS.dropped.has(p.eventID)).length;
        console.log(
            `      ${describeDelays("member accounts", twoHops)}; backstop posted first: ${backstopFirst.length} alerts, ` +
                `${ofDropped} of events either draw dropped and ${backstopFirst.length - ofDropped} that EventBridge delivered later`,
        );
        // The rows of docs/organization.md's table, as computed.
        const row = (name: string, s: DelaySummary, backstop: number) =>
            `| ${name} | ${formatMs(s.p50Ms)} | ${formatMs(s.p95Ms)} | ${formatMs(s.p99Ms)} | ${formatMs(s.maxMs)} | ${backstop} |`;
        console.log(`      ${row("the stack's own account (speed.md's day)", oneHop, oneHopBackstop)}`);
        console.log(`      ${row("member accounts, one more EventBridge draw", twoHops, backstopFirst.length)}`);

        // Every event either hop dropped that a rule reports was posted, by the backstop.
        const droppedPosts = posts.filter((p) => TWO_HOPS.dropped.has(p.eventID));
        assert.ok(droppedPosts.length >= PLAN.dropped.size, `${droppedPosts.length} alerts of dropped events`);
        assert.deepStrictEqual(
            droppedPosts.filter((p) => p.path !== "backstop").map((p) => p.pair),
            [],
        );
        // Every sign-in message names its member account by the name AWS Organizations gives it.
        const signInMessages = fromMembers.messages.filter((m) => m.eventIds.length > 0).length;
        assert.ok(signInMessages >= 300, `${signInMessages} sign-in messages`);
        const accepted = fromMembers.slack.posts.filter((p) => p.status === 200).map((p) => JSON.stringify(p.payload));
        const named = accepted.filter((payload) => Object.entries(MEMBERS).some(([id, name]) => payload.includes(`${id} (${name})`)));
        assert.strictEqual(named.length, signInMessages);
        assert.ok(fromMembers.aws.accountReads.length <= fromMembers.lambda.containerCount * Object.keys(MEMBERS).length);
        // The second hop can only delay: no percentile is sooner than one hop's, and most alerts still come within a minute.
        for (const key of ["p50Ms", "p95Ms", "p99Ms"] as const) {
            assert.ok(twoHops[key] >= oneHop[key], `${key}: ${twoHops[key]} ms with two hops, ${oneHop[key]} ms with one`);
        }
        assert.ok(twoHops.p50Ms < MINUTE, `median ${twoHops.p50Ms} ms`);
        assert.ok(backstopFirst.length >= oneHopBackstop, `${backstopFirst.length} alerts came from the backstop`);
    });
});
