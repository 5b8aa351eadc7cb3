import * as assert from "assert";
import { createHandler } from "../handler/ingest/invocation";
import type { InvocationReport } from "../handler/common/types";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES } from "../program/rules";
import {
    describeRun,
    readPostedMessage,
    runTimeRules,
    runSimulation,
    scheduledEvent,
    seededRandom,
    syntheticRecord,
    simulationSettings,
    tally,
    type SimulationOptions,
    type SimulationResult,
    type TrailEvent,
} from "./support/alarmSimulator";
import { cloudTrailFixtures, fixture } from "../tools/fixtures";
import { FakeAwsPorts, FakeClock, FakeSlackWebhook } from "./support/fakePorts";

const MINUTE = 60_000;
const START = Date.UTC(2024, 4, 20, 9, 0, 0);
const at = (hhmmss: string): number => Date.parse(`2024-05-20T${hhmmss}Z`);
const RULES = BUILT_IN_RULE_IDS.map((id) => BUILT_IN_RULES[id]);
const TEMPLATES = new Map([...cloudTrailFixtures<TrailEvent["record"]>()].map(([name, f]) => [name, f.parsed]));
const NOT_REPORTED = [
    "sso-assumed-role",
    "saml-federation",
    "switch-role",
    "exit-role",
    "check-mfa",
    "renew-role",
    "get-signin-token",
    "root-service-event",
    "root-invoked-by-service",
];

interface Timeline {
    events: TrailEvent[];
    /** eventID → the fixture it was made from, for readable failures. */
    fixtureOf: Map<string, string>;
    lastDeliveryMs: number;
}

/**
 * Two hours of account activity, the same on every run: lone sign-ins of every kind, a working session
 * whose sign-ins follow each other minute after minute (the alarm stays in ALARM, so only the first
 * notifies), a password-spraying burst of 45 failures, a root incident, and lone events CloudTrail
 * delivers almost 15 minutes late. Every delivery lag is between 0 and 15 minutes.
 */
function timeline(seed = 20240520): Timeline {
    const random = seededRandom(seed);
    const events: TrailEvent[] = [];
    const fixtureOf = new Map<string, string>();
    const add = (fixture: string, eventMs: number, lagMs: number): void => {
        const template = TEMPLATES.get(fixture);
        assert.ok(template, `no fixture ${fixture}`);
        const record = syntheticRecord(template, events.length + 1, eventMs, random);
        events.push({ record, deliveredAtMs: Date.parse(record.eventTime) + Math.min(lagMs, 15 * MINUTE) });
        fixtureOf.set(record.eventID, fixture);
    };
    const lag = (fromMs: number, toMs: number) => fromMs + Math.floor(random() * (toMs - fromMs));
    const names = [...TEMPLATES.keys()];

    // Lone events of every kind, anywhere in the two hours, with any lag CloudTrail allows itself.
    for (let i = 0; i < 24; i++) {
        add(names[Math.floor(random() * names.length)]!, START + 2 * MINUTE + random() * 113 * MINUTE, lag(0, 15 * MINUTE));
    }
    // At least one of each event no rule reports, to prove none of them reaches Slack.
    NOT_REPORTED.forEach((name, i) => add(name, at("09:05:00") + i * 7 * MINUTE, lag(0, 15 * MINUTE)));
    // A working session: sign-ins in consecutive minutes, delivered within seconds.
    for (const [time, fixture] of [
        ["09:20:10", "iam-user-mfa"],
        ["09:21:05", "mobile-console"],
        ["09:21:40", "iam-user-mfa"],
        ["09:22:30", "iam-user-mfa"],
        ["09:23:15", "mobile-console"],
        ["09:24:50", "iam-user-mfa"],
    ] as const) {
        add(fixture, at(time), lag(5000, 40000));
    }
    // Password spraying: 45 failures in three minutes; more than one message holds.
    for (let i = 0; i < 45; i++) {
        add(i % 3 === 0 ? "failure-unknown-user" : "failure-wrong-password", at("10:00:00") + random() * 3 * MINUTE, lag(10000, 90000));
    }
    // A root incident: a sign-in without MFA, then API calls while root-activity is still in ALARM.
    add("root-no-mfa", at("10:30:05"), 20000);
    add("root-api-call", at("10:30:40"), lag(30000, 60000));
    add("root-api-call", at("10:31:20"), lag(30000, 60000));
    add("root-api-call", at("10:32:10"), lag(30000, 60000));
    // Lone late deliveries, the last one well after the rest of the activity.
    add("iam-user-no-mfa", at("09:45:00"), 14.5 * MINUTE);
    add("root-mfa", at("10:15:00"), 15 * MINUTE);
    add("root-no-mfa", at("10:40:00"), 14 * MINUTE);
    add("mobile-console", at("10:58:30"), 14 * MINUTE + 50000);

    return { events, fixtureOf, lastDeliveryMs: Math.max(...events.map((e) => e.deliveredAtMs)) };
}

const TIMELINE = timeline();

function options(overrides: Partial<SimulationOptions> = {}): SimulationOptions {
    return {
        startMs: START,
        // Long enough after the last delivery for the alarms to settle and two sweeps to run.
        endMs: Math.ceil((TIMELINE.lastDeliveryMs + 15 * MINUTE) / MINUTE) * MINUTE,
        events: TIMELINE.events,
        rules: RULES,
        timestamps: "eventTime",
        ...overrides,
    };
}

/** Exactly once per rule: every (rule, event) pair the patterns match was posted once, and nothing else was. */
function assertExactlyOncePerRule(name: string, result: SimulationResult): void {
    console.log(`      ${describeRun(name, result)}`);
    const t = tally(result);
    const label = (pair: string) => `${pair} (${TIMELINE.fixtureOf.get(pair.split(" ")[1]!)})`;
    const twice = [...result.postedCount].filter(([, n]) => n > 1).map(([pair, n]) => `${label(pair)} ×${n}`);
    assert.deepStrictEqual(
        { missing: t.missing.map(label), unexpected: t.unexpected.map(label), postedMoreThanOnce: twice },
        { missing: [], unexpected: [], postedMoreThanOnce: [] },
    );
    assert.strictEqual(t.duplicates, 0);
    assert.strictEqual(t.posted, t.expected);
    assert.ok(t.expected >= 40, `only ${t.expected} matching (rule, event) pairs`);
    // An invocation past the function's timeout would have been killed half way in Lambda.
    assert.deepStrictEqual(result.lambda.timedOut, []);
    const notes = result.messages.filter((m) => m.eventIds.length === 0).map((m) => m.text);
    assert.deepStrictEqual(
        notes.filter((text, i) => notes.indexOf(text) !== i),
        [],
        "an alarm note was posted twice",
    );
}

describe("lossless delivery, simulated end to end in virtual time", function () {
    it("builds a timeline of at least 40 reportable sign-ins over two hours across the four rules", function () {
        const spanMs = Math.max(...TIMELINE.events.map((e) => Date.parse(e.record.eventTime))) - START;
        const lags = TIMELINE.events.map((e) => e.deliveredAtMs - Date.parse(e.record.eventTime));
        assert.ok(spanMs >= 115 * MINUTE && spanMs <= 125 * MINUTE, `span ${spanMs / MINUTE} minutes`);
        assert.ok(Math.min(...lags) >= 0 && Math.max(...lags) <= 15 * MINUTE);
        assert.ok(lags.filter((l) => l >= 10 * MINUTE).length >= 4, "too few late deliveries");
        assert.strictEqual(new Set(TIMELINE.events.map((e) => e.record.eventID)).size, TIMELINE.events.length);
    });

    it("posts every matching event exactly once per rule when log events carry CloudTrail's eventTime", async function () {
        const result = await runSimulation(options());
        assertExactlyOncePerRule("eventTime timestamps", result);
        // The timeline exercised what it is meant to: alarms fired, and sign-ins came while one was already in ALARM.
        assert.ok(result.notifications.filter((n) => n.state === "ALARM").length >= 3);
        assert.ok(result.alarms.quietWhileInAlarm >= 3, `only ${result.alarms.quietWhileInAlarm} sign-ins while in ALARM`);
    });

    it("posts every matching event exactly once per rule when alarms find late datapoints five periods back", async function () {
        const result = await runSimulation(options({ evaluationRangePeriods: 5 }));
        assertExactlyOncePerRule("eventTime timestamps, 5-period evaluation range", result);
    });

    it("posts every matching event exactly once per rule when log events carry the delivery time", async function () {
        const result = await runSimulation(options({ timestamps: "delivery" }));
        assertExactlyOncePerRule("delivery-time timestamps", result);
        assert.ok(result.notifications.filter((n) => n.state === "ALARM").length >= 5);
    });

    it("still posts every matching event exactly once per rule when Slack answers 500 for ten minutes and Lambda retries failed invocations", async function () {
        const outage = { fromMs: at("10:00:00"), toMs: at("10:10:00"), status: 500, body: "internal_error" };
        const result = await runSimulation(options({ slackOutage: outage, notifyOnOk: true }));
        assertExactlyOncePerRule("Slack 500s 10:00-10:10", result);
        const failed = result.lambda.invocations.filter((i) => i.error !== undefined);
        assert.ok(
            result.slack.posts.some((p) => p.status === 500),
            "Slack never failed",
        );
        assert.ok(failed.length >= 1, "no invocation failed");
        assert.ok(
            result.lambda.invocations.some((i) => i.attempt > 1),
            "no invocation was retried",
        );
        // An alarm whose rule another invocation kept busy through the outage fails too, so Lambda retries it.
        assert.ok(
            // A 500 may come after Slack posted the message, so the invocation fails at once rather than send it again.
            failed.every((i) => /SlackUnconfirmedError|another invocation held the rule's lease for 30 s; retrying/.test(i.error ?? "")),
            failed.map((i) => i.error).join("\n"),
        );
    });

    it("does not double-post when ALARM notifications and sweeps start at the same instant", async function () {
        // A sweep every minute (the shortest sweepIntervalMinutes allows) and alarms evaluated on the minute and
        // delivered at once: every alarm notification starts at the same instant as a sweep.
        const result = await runSimulation(options({ sweepIntervalMinutes: 1, alarmOffsetMs: 0, snsDelayMs: 0 }));
        assertExactlyOncePerRule("alarms and sweeps colliding", result);
        const collisions = result.lambda.invocations.filter((a) =>
            result.lambda.invocations.some((b) => b !== a && b.trigger !== a.trigger && b.startedAtMs === a.startedAtMs),
        );
        assert.ok(collisions.length >= 2, "no notification and sweep started together");
        assert.ok(
            result.aws.store.leaseAttempts.some((l) => !l.granted),
            "no invocation ever waited for the lease",
        );
    });

    it("posts a root sign-in without MFA once, under root-activity, naming signin-without-mfa, which counts it too", async function () {
        const clock = new FakeClock(at("10:05:00"));
        const aws = new FakeAwsPorts(clock);
        const slack = new FakeSlackWebhook(clock);
        const rules = runTimeRules(RULES);
        // With a summary, so the tallies are kept.
        const settings = { ...simulationSettings(rules), summary: "daily" as const };
        aws.parameters.set(settings.webhookParameterName, "https://hooks.slack.com/services/T0SIM0000/B0SIM0000/simulatedWebhookToken");
        const signIn = { ...TEMPLATES.get("root-no-mfa")!, eventTime: "2024-05-20T10:01:00Z" };
        aws.logGroup(settings.trailLogGroupName).put(JSON.stringify(signIn), {
            timestamp: Date.parse(signIn.eventTime),
            ingestedAt: at("10:02:00"),
        });
        const handler = createHandler({ settings, aws, fetch: slack.fetch, clock });
        const { log } = console;
        console.log = () => undefined;
        try {
            for (const [time, n] of [
                ["10:05:00", 1],
                ["10:10:00", 2],
            ] as const) {
                await clock.runUntil(at(time));
                await clock.drive(
                    handler(scheduledEvent(at(time), n), { awsRequestId: `sweep-${n}`, getRemainingTimeInMillis: () => 300_000 }),
                );
            }
        } finally {
            console.log = log;
        }
        // The critical alert, with its mention, is the one message; the high-severity rule is named on it
        // and leaves the event to root-activity at every sweep.
        const id = "636fd1e6-8f41-459a-9f19-28420a559530";
        assert.deepStrictEqual(
            slack.accepted.map((p) => readPostedMessage(p, rules, 0)).map((m) => [m.ruleId, m.eventIds, m.text.split("\n")[0]]),
            [["root-activity", [id], "<!here> Root user activity:"]],
        );
        assert.match(JSON.stringify(slack.accepted[0]), /\\nAlso: Console sign-in without MFA"/);
        // It records nothing for an event it left to another rule: nothing is recorded as posted that Slack did not take.
        assert.ok(!aws.store.posted.has(`signin-without-mfa#${id}`), "signin-without-mfa recorded an event it did not post");
        const ruleCounts = Object.assign({}, ...[...aws.store.counters.values()]) as Record<string, number>;
        assert.strictEqual(ruleCounts["rule:root-activity"], 1);
        assert.strictEqual(ruleCounts["rule:signin-without-mfa"], 1);
    });

    it("lets one of two invocations started at the same instant post, and the other find nothing new", async function () {
        const clock = new FakeClock(at("10:00:30"));
        const aws = new FakeAwsPorts(clock, { dynamodbMs: 8, logsMs: 150, ssmMs: 30 });
        const slack = new FakeSlackWebhook(clock, 250);
        const rules = runTimeRules(RULES);
        const settings = simulationSettings(rules);
        aws.parameters.set(settings.webhookParameterName, "https://hooks.slack.com/services/T0SIM0000/B0SIM0000/simulatedWebhookToken");
        const group = aws.logGroup(settings.trailLogGroupName);
        const signIn = { ...TEMPLATES.get("iam-user-mfa")!, eventTime: "2024-05-20T09:59:10Z" };
        group.put(JSON.stringify(signIn), { timestamp: Date.parse(signIn.eventTime), ingestedAt: at("09:59:40") });

        const alarm = fixture<{ Records: Array<{ Sns: { Message: string } }> }>("sns_alarm-console-signin");
        const body = JSON.parse(alarm.Records[0]!.Sns.Message) as Record<string, unknown>;
        Object.assign(body, {
            AlarmName: rules[0]!.alarmName,
            StateChangeTime: "2024-05-20T10:00:30.419+0000",
            NewStateReason:
                "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (20/05/24 09:59:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).",
        });
        alarm.Records[0]!.Sns.Message = JSON.stringify(body);

        // Two containers, as Lambda runs concurrent invocations.
        const invoke = (event: unknown, requestId: string) =>
            createHandler({ settings, aws, fetch: slack.fetch, clock })(event, {
                awsRequestId: requestId,
                getRemainingTimeInMillis: () => at("10:05:30") - clock.now(),
            });
        const lines: string[] = [];
        const { log } = console;
        console.log = (line: unknown) => void lines.push(String(line));
        let reports: InvocationReport[];
        try {
            reports = await clock.drive(
                Promise.all([invoke(alarm, "alarm-request"), invoke(scheduledEvent(at("10:00:30"), 1), "sweep-request")]),
            );
        } finally {
            console.log = log;
        }

        assert.deepStrictEqual(
            reports.map((r) => ({ trigger: r.trigger, posted: r.posted, messages: r.messages, skipped: r.skipped })),
            [
                { trigger: "sns", posted: 1, messages: 1, skipped: [] },
                { trigger: "sweep", posted: 0, messages: 0, skipped: [] },
            ],
        );
        // Each rule has its own lease: the sweep takes the others' at once, critical first, and reaches
        // console-signin after the alarm's invocation has posted its sign-in and let the lease go.
        assert.deepStrictEqual(
            aws.store.leaseAttempts.map((l) => [l.ruleId, l.owner, l.granted]),
            [
                ["console-signin", "alarm-request", true],
                ["root-activity", "sweep-request", true],
                ["trail-tampering", "sweep-request", true],
                ["function-tampering", "sweep-request", true],
                ["delivery-tampering", "sweep-request", true],
                ["signin-without-mfa", "sweep-request", true],
                ["signin-failures", "sweep-request", true],
                ["sso-signin-without-mfa", "sweep-request", true],
                ["console-signin", "sweep-request", true],
            ],
        );
        assert.deepStrictEqual(
            slack.accepted.map((p) => readPostedMessage(p, rules, 0)).map((m) => [m.ruleId, m.eventIds]),
            [["console-signin", ["27d68ec1-1016-46b5-8fd3-31d9cdc74f95"]]],
        );
        // The alarm's own lookup: its datapoint's minute less the lag allowance, up to the moment it started.
        assert.deepStrictEqual(aws.filterCalls[0], {
            atMs: at("10:00:30") + 8 + 8 + 150,
            logGroupName: settings.trailLogGroupName,
            pattern: BUILT_IN_RULES["console-signin"].pattern,
            window: { startMs: at("08:59:00"), endMs: at("10:00:30") + 8 },
            returned: 1,
        });
        assert.deepStrictEqual(
            aws.filterCalls.slice(1).map((c) => c.pattern),
            [
                "root-activity",
                "trail-tampering",
                "function-tampering",
                "delivery-tampering",
                "signin-without-mfa",
                "signin-failures",
                "sso-signin-without-mfa",
                "console-signin",
            ].map((id) => BUILT_IN_RULES[id as (typeof BUILT_IN_RULE_IDS)[number]].pattern),
        );
        assert.deepStrictEqual(aws.parameterReads, [settings.webhookParameterName]);
        assert.deepStrictEqual(aws.store.leases, {});
    });
});
