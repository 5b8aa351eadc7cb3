import { createHandler } from "../../handler/ingest/invocation";
import type { CloudTrailRecord, InvocationContext, InvocationReport } from "../../handler/common/types";
import type { HandlerSettings, RunTimeRule } from "../../shared/contract";
import type { DeployTimeRule } from "../../program/rules";
import { fixture } from "../../tools/fixtures";
import type { StoredLogEvent } from "../../tools/local/localAws";
import { FakeAwsPorts, FakeClock, FakeSlackWebhook, unitSettings, type FakeLogGroup, type Latency } from "./fakePorts";
import { compileFilterPattern } from "../../shared/filterPattern";

export const ACCOUNT_ID = "111122223333";
const REGION = "us-east-1";
const REGION_NAME = "US East (N. Virginia)";
const TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:login-alerts-alarms-e88e06f";
// The function's ARN names the account it serves (handler/ingest/invocation.ts): events of others are refused or asked about.
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:111122223333:function:login-alerts-handler-7c2e4d1";
const LOG_GROUP = "login-alerts-trail-3f2a9c1";
const WEBHOOK_PARAMETER = "/console-login-alerts/login-alerts-dev/slack-webhook-url";
const WEBHOOK_URL = "https://hooks.slack.com/services/T0SIM0000/B0SIM0000/simulatedWebhookToken";
const MINUTE = 60_000;
// The function's configured timeout and Lambda's retry schedule for failed asynchronous invocations.
const LAMBDA_TIMEOUT_MS = 300_000;
const LAMBDA_RETRY_DELAYS_MS = [MINUTE, 2 * MINUTE];

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so every run replays the same timeline. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** "2021-06-08T07:58:32.419+0000", the way CloudWatch writes times in alarm notifications. */
function cloudWatchTime(ms: number): string {
    return new Date(ms).toISOString().replace("Z", "+0000");
}

/** "08/06/21 07:53:00": day/month/year, UTC, the way a state reason names a datapoint. */
function datapointTime(ms: number): string {
    const d = new Date(ms);
    const two = (n: number) => String(n).padStart(2, "0");
    return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** One sign-in (or other CloudTrail event) and when CloudTrail delivered it to CloudWatch Logs. */
export interface TrailEvent {
    record: CloudTrailRecord & { eventID: string; eventTime: string };
    deliveredAtMs: number;
}

/**
 * A fixture's record as the n-th event of a synthetic timeline: a fresh UUID-shaped eventID (its
 * first part is n, so events sort as added) drawn from `random`, at `eventMs` cut to the second, as
 * CloudTrail writes eventTime.
 */
export function syntheticRecord(template: TrailEvent["record"], n: number, eventMs: number, random: () => number): TrailEvent["record"] {
    const hex = (digits: number) =>
        Math.floor(random() * 16 ** digits)
            .toString(16)
            .padStart(digits, "0");
    const eventID = `${n.toString(16).padStart(8, "0")}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(6)}${hex(6)}`;
    const whole = Math.floor(eventMs / 1000) * 1000;
    return { ...structuredClone(template), eventID, eventTime: new Date(whole).toISOString().replace(".000Z", "Z") };
}

/**
 * Which time CloudWatch Logs stores as a CloudTrail log event's timestamp. CloudTrail's own
 * eventTime is what one would expect; observed log groups show the time CloudTrail delivered the
 * batch instead (the timestamp trails eventTime by the delivery delay and precedes ingestion by about
 * a second), so both are simulated.
 */
export type TimestampSource = "eventTime" | "delivery";

export interface SimulatedAlarm {
    rule: DeployTimeRule;
    alarmName: string;
}

type AlarmState = "OK" | "ALARM";

interface Datapoint {
    startMs: number;
    sum: number;
    events: StoredLogEvent[];
}

/**
 * CloudWatch's side: a metric filter per rule that sums matching log events per period of their
 * timestamp, counting an event only once CloudWatch Logs has ingested it, and an alarm per rule
 * (Sum >= threshold, one evaluation period, missing data not breaching) evaluated once a minute.
 * Every state change is published to SNS in the shape CloudWatch uses.
 */
export class CloudWatchAlarms {
    private readonly state = new Map<string, AlarmState>();
    private readonly seen = new Map<string, Set<StoredLogEvent>>();
    private readonly matchers = new Map<string, (message: string) => boolean>();
    private readonly matchCache = new Map<string, WeakMap<StoredLogEvent, boolean>>();
    private messageSeq = 0;
    readonly transitions: Array<{ alarmName: string; atMs: number; from: AlarmState; to: AlarmState; datapointMs?: number }> = [];
    /** Matching events first counted while their alarm was already in ALARM: no notification of their own. */
    quietWhileInAlarm = 0;

    constructor(
        private readonly clock: FakeClock,
        private readonly group: FakeLogGroup,
        private readonly alarms: readonly SimulatedAlarm[],
        /** Periods back from the latest complete one in which the alarm looks for its newest datapoint. */
        private readonly evaluationRangePeriods: number,
        private readonly publish: (snsEvent: unknown) => void,
    ) {
        for (const alarm of alarms) {
            this.state.set(alarm.alarmName, "OK");
            this.seen.set(alarm.alarmName, new Set());
            this.matchers.set(alarm.alarmName, compileFilterPattern(alarm.rule.pattern));
            this.matchCache.set(alarm.alarmName, new WeakMap());
        }
    }

    private matches(alarm: SimulatedAlarm, event: StoredLogEvent): boolean {
        const cache = this.matchCache.get(alarm.alarmName)!;
        let hit = cache.get(event);
        if (hit === undefined) {
            hit = this.matchers.get(alarm.alarmName)!(event.message);
            cache.set(event, hit);
        }
        return hit;
    }

    /** The newest datapoint in the evaluation range; a metric filter publishes none for a period without matches. */
    private newestDatapoint(alarm: SimulatedAlarm, nowMs: number): Datapoint | undefined {
        const periodMs = alarm.rule.periodSeconds * 1000;
        const latestComplete = Math.floor(nowMs / periodMs) * periodMs - periodMs;
        const visible = this.group.visibleAt(nowMs).filter((e) => this.matches(alarm, e));
        for (let k = 0; k < this.evaluationRangePeriods; k++) {
            const startMs = latestComplete - k * periodMs;
            const events = visible.filter((e) => e.timestamp >= startMs && e.timestamp < startMs + periodMs);
            if (events.length > 0) {
                return { startMs, sum: events.length, events };
            }
        }
        return undefined;
    }

    evaluate(): void {
        const nowMs = this.clock.now();
        for (const alarm of this.alarms) {
            const before = this.state.get(alarm.alarmName)!;
            const datapoint = this.newestDatapoint(alarm, nowMs);
            const after: AlarmState = datapoint && datapoint.sum >= alarm.rule.threshold ? "ALARM" : "OK";
            const seen = this.seen.get(alarm.alarmName)!;
            const fresh = (datapoint?.events ?? []).filter((e) => !seen.has(e));
            fresh.forEach((e) => seen.add(e));
            if (before === "ALARM" && after === "ALARM") {
                this.quietWhileInAlarm += fresh.length;
            }
            if (before !== after) {
                this.state.set(alarm.alarmName, after);
                // CloudWatch stamps the change a moment after the evaluation starts.
                const changedAtMs = nowMs + 419;
                this.transitions.push({
                    alarmName: alarm.alarmName,
                    atMs: changedAtMs,
                    from: before,
                    to: after,
                    datapointMs: datapoint?.startMs,
                });
                this.publish(this.notification(alarm, before, after, datapoint, changedAtMs));
            }
        }
    }

    private reason(alarm: SimulatedAlarm, to: AlarmState, datapoint: Datapoint | undefined): string {
        const threshold = alarm.rule.threshold.toFixed(1);
        if (!datapoint) {
            return "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].";
        }
        const point = `[${datapoint.sum.toFixed(1)} (${datapointTime(datapoint.startMs)})]`;
        return to === "ALARM"
            ? `Threshold Crossed: 1 out of the last 1 datapoints ${point} was greater than or equal to the threshold (${threshold}) (minimum 1 datapoint for OK -> ALARM transition).`
            : `Threshold Crossed: 1 out of the last 1 datapoints ${point} was not greater than or equal to the threshold (${threshold}) (minimum 1 datapoint for ALARM -> OK transition).`;
    }

    /** The SNS-wrapped notification, built on the recorded one so that every field keeps its real shape. */
    private notification(
        alarm: SimulatedAlarm,
        from: AlarmState,
        to: AlarmState,
        datapoint: Datapoint | undefined,
        changedAtMs: number,
    ): unknown {
        const event = fixture<{ Records: Array<{ Sns: Record<string, unknown> }> }>("sns_alarm-console-signin");
        const sns = event.Records[0]!.Sns;
        const message = JSON.parse(String(sns["Message"])) as Record<string, unknown> & { Trigger: Record<string, unknown> };
        const alarmArn = `arn:aws:cloudwatch:${REGION}:${ACCOUNT_ID}:alarm:${alarm.alarmName}`;
        Object.assign(message, {
            AlarmName: alarm.alarmName,
            AlarmDescription: `${alarm.rule.title}: events matching the ${alarm.rule.id} rule of console-login-alerts (login-alerts-dev).`,
            NewStateValue: to,
            NewStateReason: this.reason(alarm, to, datapoint),
            StateChangeTime: cloudWatchTime(changedAtMs),
            Region: REGION_NAME,
            AlarmArn: alarmArn,
            OldStateValue: from,
        });
        Object.assign(message.Trigger, {
            MetricName: `login-alerts-dev-${alarm.rule.id}`,
            Period: alarm.rule.periodSeconds,
            Threshold: alarm.rule.threshold,
        });
        this.messageSeq += 1;
        Object.assign(sns, {
            MessageId: `00000000-0000-4000-a000-${String(this.messageSeq).padStart(12, "0")}`,
            TopicArn: TOPIC_ARN,
            Subject: `${to}: "${alarm.alarmName}" in ${REGION_NAME}`,
            Message: JSON.stringify(message),
            Timestamp: new Date(changedAtMs + 47).toISOString(),
        });
        return event;
    }
}

/** The EventBridge scheduled event that starts a sweep. */
export function scheduledEvent(atMs: number, seq: number): unknown {
    const event = fixture<Record<string, unknown>>("events_scheduled-sweep");
    return {
        ...event,
        id: `00000000-0000-4000-b000-${String(seq).padStart(12, "0")}`,
        time: new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    };
}

type Handler = (event: unknown, context: InvocationContext) => Promise<InvocationReport>;

export interface InvocationRecord {
    requestId: string;
    trigger: string;
    attempt: number;
    container: number;
    startedAtMs: number;
    endedAtMs: number;
    report?: InvocationReport;
    error?: string;
}

/**
 * Lambda's asynchronous invocation: each invocation runs in an idle container (a new one when all
 * are busy, so concurrent invocations really overlap), and a failed one is retried twice, one and
 * then two minutes later, with the same request id, before it goes to the dead-letter queue.
 */
export class LambdaService {
    readonly invocations: InvocationRecord[] = [];
    readonly deadLetters: Array<{ requestId: string; error: string }> = [];
    private readonly containers: Array<{ id: number; busy: boolean; handler: Handler }> = [];
    private running = 0;
    private waitingRetries = 0;
    private seq = 0;

    constructor(
        private readonly clock: FakeClock,
        private readonly newHandler: () => Handler,
    ) {}

    invokeAsync(event: unknown, trigger: string): string {
        this.seq += 1;
        const requestId = `a1b2c3d4-0000-4000-8000-${String(this.seq).padStart(12, "0")}`;
        this.attempt(requestId, event, trigger, 1);
        return requestId;
    }

    get idle(): boolean {
        return this.running === 0 && this.waitingRetries === 0;
    }

    get containerCount(): number {
        return this.containers.length;
    }

    private attempt(requestId: string, event: unknown, trigger: string, attempt: number): void {
        let container = this.containers.find((c) => !c.busy);
        if (!container) {
            container = { id: this.containers.length + 1, busy: false, handler: this.newHandler() };
            this.containers.push(container);
        }
        container.busy = true;
        this.running += 1;
        const startedAtMs = this.clock.now();
        const context: InvocationContext = {
            awsRequestId: requestId,
            invokedFunctionArn: FUNCTION_ARN,
            getRemainingTimeInMillis: () => Math.max(0, startedAtMs + LAMBDA_TIMEOUT_MS - this.clock.now()),
        };
        const record: InvocationRecord = { requestId, trigger, attempt, container: container.id, startedAtMs, endedAtMs: startedAtMs };
        this.invocations.push(record);
        const done = (): void => {
            record.endedAtMs = this.clock.now();
            container.busy = false;
            this.running -= 1;
        };
        container.handler(event, context).then(
            (report) => {
                record.report = report;
                done();
            },
            (err: unknown) => {
                record.error = err instanceof Error ? err.message : String(err);
                done();
                const delay = LAMBDA_RETRY_DELAYS_MS[attempt - 1];
                if (delay === undefined) {
                    this.deadLetters.push({ requestId, error: record.error });
                    return;
                }
                this.waitingRetries += 1;
                this.clock.at(this.clock.now() + delay, () => {
                    this.waitingRetries -= 1;
                    this.attempt(requestId, event, trigger, attempt + 1);
                });
            },
        );
    }

    /** Invocations that ran past the function's timeout; Lambda would have killed them. */
    get timedOut(): InvocationRecord[] {
        return this.invocations.filter((i) => i.endedAtMs - i.startedAtMs > LAMBDA_TIMEOUT_MS);
    }
}

/** What Slack received, reduced to which rule's message carried which events. */
export interface PostedMessage {
    atMs: number;
    ruleId: string | undefined;
    eventIds: string[];
    text: string;
}

/** Reads the rule from a message's header and the event ids from its "View in CloudTrail" links. */
export function readPostedMessage(payload: unknown, rules: readonly RunTimeRule[], atMs: number): PostedMessage {
    const message = payload as { text: string; blocks: Array<{ type: string; text?: { text: string } }> };
    const header = message.blocks.find((b) => b.type === "header")?.text?.text ?? "";
    // ":warning: Failed console sign-in (2/3)": the severity's emoji, the title, then the part if there are several.
    const title = header
        .replace(/^:[a-z_]+: /, "")
        .replace(/ \(\d+\/\d+\)$/, "")
        .replace(/ \(known\)$/, "")
        // A rule's sign-ins from a network new to their principal, raised (first-seen).
        .replace(/ from a new network$/, "");
    const rule = rules.find((r) => r.title === title);
    const eventIds = message.blocks
        .filter((b) => b.type === "section")
        .flatMap((b) =>
            [...(b.text?.text ?? "").matchAll(/#\/events\/([^|>]+)\|View in CloudTrail>/g)].map((m) => decodeURIComponent(m[1]!)),
        );
    return { atMs, ruleId: rule?.id, eventIds, text: message.text };
}

export interface SimulationOptions {
    startMs: number;
    /** No more alarm evaluations or sweeps are started after this. */
    endMs: number;
    events: readonly TrailEvent[];
    rules: readonly DeployTimeRule[];
    timestamps: TimestampSource;
    evaluationRangePeriods?: number;
    /** Offset of the alarm evaluations within each minute. */
    alarmOffsetMs?: number;
    /** From the alarm's state change to the function's invocation. */
    snsDelayMs?: number;
    sweepIntervalMinutes?: number;
    /** Slack answers this status instead of 200 in [fromMs, toMs). */
    slackOutage?: { fromMs: number; toMs: number; status: number; body: string };
    latency?: Partial<Latency>;
    slackLatencyMs?: number;
    notifyOnOk?: boolean;
    /** Further settings of the function (first-seen, say), over simulationSettings' own. */
    settings?: Partial<HandlerSettings>;
    /** Further asynchronous invocations of the function (EventBridge events, say), each at its delivery time. */
    deliveries?: ReadonlyArray<{ atMs: number; event: unknown; trigger: string }>;
    /** The organization's member accounts by id, with the names AWS Organizations' DescribeAccount answers. */
    memberAccounts?: Readonly<Record<string, string>>;
}

/**
 * Which rule must post each event: of the rules whose patterns match it, the most urgent
 * (critical, then high, then info), the first of those in the stack's order. One event, one message.
 */
export function expectedOwners(rules: readonly RunTimeRule[], events: readonly TrailEvent[]): Map<string, Set<string>> {
    const expected = new Map<string, Set<string>>(rules.map((r) => [r.id, new Set<string>()]));
    const urgency = { critical: 0, high: 1, info: 2 } as const;
    const compiled = rules.map((rule) => ({ rule, matches: compileFilterPattern(rule.pattern) }));
    for (const e of events) {
        const text = JSON.stringify(e.record);
        const owner = compiled
            .filter(({ matches }) => matches(text))
            .map(({ rule }) => rule)
            .sort((a, b) => urgency[a.severity] - urgency[b.severity])[0];
        if (owner) {
            expected.get(owner.id)!.add(e.record.eventID);
        }
    }
    return expected;
}

export interface SimulationResult {
    options: SimulationOptions;
    rules: RunTimeRule[];
    /** Rule id → ids of the events its pattern matches. */
    expected: Map<string, Set<string>>;
    /** "rule eventID" → how many accepted Slack messages carried it. */
    postedCount: Map<string, number>;
    messages: PostedMessage[];
    slack: FakeSlackWebhook;
    aws: FakeAwsPorts;
    lambda: LambdaService;
    alarms: CloudWatchAlarms;
    notifications: Array<{ atMs: number; state: string; alarmName: string }>;
    sweeps: number;
    logLines: string[];
}

/** The settings the function would read from its environment in this simulation. */
export function simulationSettings(rules: readonly RunTimeRule[], overrides: Partial<HandlerSettings> = {}): HandlerSettings {
    return unitSettings({
        webhookParameterName: WEBHOOK_PARAMETER,
        trailLogGroupName: LOG_GROUP,
        stateTableName: "login-alerts-state-5d1e0b2",
        rules: [...rules],
        accountLabels: { [ACCOUNT_ID]: "production" },
        lagAllowanceMinutes: 60,
        mentions: { critical: "<!here>" },
        minPostIntervalMs: 1100,
        ...overrides,
    });
}

export function runTimeRules(rules: readonly DeployTimeRule[]): RunTimeRule[] {
    return rules.map((r) => ({
        id: r.id,
        title: r.title,
        pattern: r.pattern,
        severity: r.severity,
        alarmName: `login-alerts-${r.id}-alarm-1c120a3`,
    }));
}

/** Runs the handler's structured logging into a buffer, so a long simulation does not flood the test output. */
async function capturingConsole<T>(lines: string[], work: () => Promise<T>): Promise<T> {
    const { log, error } = console;
    console.log = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    console.error = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    try {
        return await work();
    } finally {
        console.log = log;
        console.error = error;
    }
}

/**
 * Plays a CloudTrail timeline through CloudWatch Logs, metric filters, alarms, SNS, EventBridge and
 * Lambda in virtual time, with the real handler, and collects what reached Slack.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
    const clock = new FakeClock(options.startMs);
    const latency: Latency = { dynamodbMs: 8, logsMs: 150, ssmMs: 30, ...options.latency };
    const aws = new FakeAwsPorts(clock, latency);
    aws.parameters.set(WEBHOOK_PARAMETER, WEBHOOK_URL);
    for (const [id, name] of Object.entries(options.memberAccounts ?? {})) {
        aws.accounts.set(id, name);
    }
    const slack = new FakeSlackWebhook(clock, options.slackLatencyMs ?? 250);
    const outage = options.slackOutage;
    if (outage) {
        slack.respond = (atMs) =>
            atMs >= outage.fromMs && atMs < outage.toMs ? { status: outage.status, body: outage.body } : { status: 200, body: "ok" };
    }

    const group = aws.logGroup(LOG_GROUP);
    for (const e of options.events) {
        const eventTimeMs = Date.parse(e.record.eventTime);
        const at =
            options.timestamps === "eventTime"
                ? { timestamp: eventTimeMs, ingestedAt: e.deliveredAtMs }
                : { timestamp: e.deliveredAtMs - 1000, ingestedAt: e.deliveredAtMs };
        group.put(JSON.stringify(e.record), at);
    }

    const rules = runTimeRules(options.rules);
    const settings = simulationSettings(rules, { ...options.settings, notifyOnOk: options.notifyOnOk ?? false });
    const lambda = new LambdaService(clock, () => createHandler({ settings, aws, fetch: slack.fetch, clock }));
    const notifications: SimulationResult["notifications"] = [];
    const snsDelayMs = options.snsDelayMs ?? 1000;
    const alarms = new CloudWatchAlarms(
        clock,
        group,
        options.rules.map((rule, i) => ({ rule, alarmName: rules[i]!.alarmName })),
        options.evaluationRangePeriods ?? 1,
        (event) => {
            const body = JSON.parse((event as { Records: Array<{ Sns: { Message: string } }> }).Records[0]!.Sns.Message) as Record<
                string,
                string
            >;
            notifications.push({ atMs: clock.now(), state: body["NewStateValue"]!, alarmName: body["AlarmName"]! });
            clock.at(clock.now() + snsDelayMs, () => lambda.invokeAsync(event, "sns"));
        },
    );

    const alarmOffsetMs = options.alarmOffsetMs ?? 30_000;
    for (let t = Math.ceil(options.startMs / MINUTE) * MINUTE + alarmOffsetMs; t <= options.endMs; t += MINUTE) {
        clock.at(t, () => alarms.evaluate());
    }
    const sweepMs = (options.sweepIntervalMinutes ?? 5) * MINUTE;
    let sweeps = 0;
    for (let t = Math.ceil(options.startMs / sweepMs) * sweepMs; t <= options.endMs; t += sweepMs) {
        clock.at(t, () => lambda.invokeAsync(scheduledEvent(t, ++sweeps), "sweep"));
    }

    for (const delivery of options.deliveries ?? []) {
        clock.at(delivery.atMs, () => lambda.invokeAsync(delivery.event, delivery.trigger));
    }

    const logLines: string[] = [];
    await capturingConsole(logLines, async () => {
        await clock.runUntil(options.endMs);
        // Let running invocations and their retries finish; nothing new starts any more.
        for (let i = 0; i < 60 && !lambda.idle; i++) {
            await clock.runUntil(clock.now() + MINUTE);
        }
    });
    if (!lambda.idle) {
        throw new Error("invocations were still running an hour after the simulation ended");
    }

    const expected = expectedOwners(rules, options.events);
    const messages = slack.posts.filter((p) => p.status >= 200 && p.status < 300).map((p) => readPostedMessage(p.payload, rules, p.atMs));
    const postedCount = new Map<string, number>();
    for (const m of messages) {
        for (const id of m.eventIds) {
            const key = `${m.ruleId ?? "?"} ${id}`;
            postedCount.set(key, (postedCount.get(key) ?? 0) + 1);
        }
    }
    return { options, rules, expected, postedCount, messages, slack, aws, lambda, alarms, notifications, sweeps, logLines };
}

export interface DeliveryTally {
    eventsIn: number;
    /** (rule, event) pairs a rule's pattern matches. */
    expected: number;
    /** Distinct (rule, event) pairs posted. */
    posted: number;
    duplicates: number;
    missing: string[];
    unexpected: string[];
}

/** Compares what reached Slack with what the rules match, as "rule eventID" pairs. */
export function tally(result: SimulationResult): DeliveryTally {
    const expectedPairs = [...result.expected].flatMap(([rule, ids]) => [...ids].map((id) => `${rule} ${id}`));
    const missing = expectedPairs.filter((p) => !result.postedCount.has(p));
    const unexpected = [...result.postedCount.keys()].filter((p) => !expectedPairs.includes(p));
    const duplicates = [...result.postedCount.values()].reduce((sum, n) => sum + (n - 1), 0);
    return {
        eventsIn: result.options.events.length,
        expected: expectedPairs.length,
        posted: result.postedCount.size,
        duplicates,
        missing,
        unexpected,
    };
}

/** One line of numbers per simulation, for the test output. */
export function describeRun(name: string, result: SimulationResult): string {
    const t = tally(result);
    const slackFailures = result.slack.posts.filter((p) => p.status >= 300).length;
    const failed = result.lambda.invocations.filter((i) => i.error !== undefined).length;
    const retries = result.lambda.invocations.filter((i) => i.attempt > 1).length;
    const gaveWay = result.lambda.invocations.filter((i) =>
        i.report?.skipped.some((s) => s.startsWith("another invocation holds the lease")),
    ).length;
    const alarmsFired = result.notifications.filter((n) => n.state === "ALARM").length;
    return (
        `${name}: events in ${t.eventsIn}, matching (rule, event) pairs ${t.expected}, posted ${t.posted}, duplicates ${t.duplicates}, ` +
        `missing ${t.missing.length}, unexpected ${t.unexpected.length} | ALARM notifications ${alarmsFired}, ` +
        `sign-ins counted while already in ALARM ${result.alarms.quietWhileInAlarm}, sweeps ${result.sweeps}, invocations ${result.lambda.invocations.length} ` +
        `(failed ${failed}, retries ${retries}, gave way to the lease holder ${gaveWay}, dead-lettered ${result.lambda.deadLetters.length}, ` +
        `containers ${result.lambda.containerCount}), Slack messages ${result.messages.length}, Slack errors answered ${slackFailures}`
    );
}
