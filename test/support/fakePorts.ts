import { NO_SLACK_APP } from "../../handler/deliver/slackApp";
import type { SlackMessage } from "../../handler/decide/messages";
import type { FetchLike } from "../../handler/deliver/webhook";
import type { SendToSlack } from "../../handler/deliver/pacedSender";
import type { SweepDeps } from "../../handler/ingest/sweep";
import { accountDirectory } from "../../handler/deliver/accountDirectory";
import { counterBytes } from "../../handler/state/counters";
import type {
    AwsPorts,
    Clock,
    CounterAddition,
    DocumentWrite,
    LogEvent,
    LogEventPage,
    OperatorsChannel,
    PendingLookup,
    RuleProgress,
    StackSetRef,
    StateStore,
    StoredDocument,
    TimeWindow,
    TrailStatus,
} from "../../handler/common/types";
import type { HandlerSettings, RunTimeRule } from "../../shared/contract";
import { BUILT_IN_RULES, type BuiltInRuleId } from "../../program/rules";
import { compileFilterPattern } from "../../shared/filterPattern";
import type { StoredLogEvent } from "../../tools/local/localAws";
import { FakeStackSets } from "./fakeStackSets";

/**
 * One in-process world for the handler at `nowMs`: a fake clock and AWS, a sender that keeps every
 * message it is given in `sent`, and the deps that join them.
 */
export function fakeInvocation(nowMs: number, settings: HandlerSettings) {
    const clock = new FakeClock(nowMs);
    const aws = new FakeAwsPorts(clock);
    const sent: SlackMessage[] = [];
    const send: SendToSlack = async (message) => {
        sent.push(message);
    };
    const accounts = accountDirectory(
        (id) => aws.describeAccount(id),
        () => clock.now(),
    );
    const deps: SweepDeps = { settings, aws, clock, send, accounts, app: NO_SLACK_APP };
    return { clock, aws, sent, deps };
}

/** Settings for the in-process tests of the handler: no rules, no allow-list, UTC, Slack's pace. */
export function unitSettings(overrides: Partial<HandlerSettings> = {}): HandlerSettings {
    return {
        webhookParameterName: "/login-alerts/webhook",
        trailLogGroupName: "trail-logs",
        stateTableName: "login-alerts-state",
        timeZone: "UTC",
        rules: [],
        accountLabels: {},
        notifyOnOk: false,
        lagAllowanceMinutes: 15,
        mentions: {},
        minPostIntervalMs: 1000,
        allowList: [],
        slackTimeoutMs: 10_000,
        slackBackoffBaseMs: 500,
        slackBackoffCapMs: 8000,
        language: "en",
        firstSeen: { days: 0, raiseOnNewNetwork: {} },
        summary: "off",
        ...overrides,
    };
}

/** A built-in rule as the function receives it, with an alarm name shaped like Pulumi's. */
export function builtInRunTimeRule(id: BuiltInRuleId, pattern = BUILT_IN_RULES[id].pattern): RunTimeRule {
    const rule = BUILT_IN_RULES[id];
    return { id, title: rule.title, pattern, severity: rule.severity, alarmName: `login-alerts-${id}-alarm-1c120a3` };
}

type Timer = { at: number; seq: number; fire: () => void };

/**
 * Virtual time for the handler. `sleep` parks the caller until the clock is driven past its wake-up
 * time, so several invocations can interleave the way they would in separate Lambda containers;
 * `random` is fixed so that backoff delays are reproducible.
 */
export class FakeClock implements Clock {
    private nowMs: number;
    private seq = 0;
    private timers: Timer[] = [];

    constructor(
        startMs: number,
        private readonly fixedRandom = 0.5,
    ) {
        this.nowMs = startMs;
    }

    now(): number {
        return this.nowMs;
    }

    sleep(ms: number): Promise<void> {
        return new Promise((resolve) => this.at(this.nowMs + Math.max(0, ms), resolve));
    }

    random(): number {
        return this.fixedRandom;
    }

    /** Runs `fire` when virtual time reaches `atMs` (at once on the next step if that is already past). */
    at(atMs: number, fire: () => void): void {
        const timer = { at: Math.max(atMs, this.nowMs), seq: this.seq++, fire };
        // Timers due at the same instant fire in the order they were set.
        const index = this.timers.findIndex((t) => t.at > timer.at);
        this.timers.splice(index === -1 ? this.timers.length : index, 0, timer);
    }

    /** Lets every promise that can make progress without more time passing do so. */
    async settle(): Promise<void> {
        // The fakes never touch real I/O, so one macrotask turn drains every chain of microtasks.
        await new Promise<void>((resolve) => setImmediate(resolve));
    }

    /** Fires every timer due up to `endMs`, in time order, then leaves the clock at `endMs`. */
    async runUntil(endMs: number): Promise<void> {
        for (;;) {
            await this.settle();
            const next = this.timers[0];
            if (!next || next.at > endMs) {
                break;
            }
            this.timers.shift();
            this.nowMs = Math.max(this.nowMs, next.at);
            next.fire();
        }
        this.nowMs = Math.max(this.nowMs, endMs);
        await this.settle();
    }

    /** Advances virtual time only as far as `work` needs to finish, and returns its result. */
    async drive<T>(work: Promise<T>): Promise<T> {
        let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
        work.then(
            (value) => (outcome = { ok: true, value }),
            (error: unknown) => (outcome = { ok: false, error }),
        );
        for (;;) {
            await this.settle();
            if (outcome) {
                if (outcome.ok) {
                    return outcome.value;
                }
                throw outcome.error;
            }
            const next = this.timers.shift();
            if (!next) {
                throw new Error("the work is waiting for something no timer will ever deliver");
            }
            this.nowMs = Math.max(this.nowMs, next.at);
            next.fire();
        }
    }
}

export class FakeLogGroup {
    readonly events: StoredLogEvent[] = [];

    constructor(readonly name: string) {}

    put(message: string, at: { timestamp: number; ingestedAt: number }): void {
        this.events.push({ logGroupName: this.name, message, timestamp: at.timestamp, ingestedAt: at.ingestedAt });
    }

    /** The events ingested by `nowMs`. */
    visibleAt(nowMs: number): StoredLogEvent[] {
        return this.events.filter((e) => (e.ingestedAt ?? e.timestamp) <= nowMs);
    }
}

/** Simulated latency of each kind of AWS call, in virtual milliseconds. */
export interface Latency {
    dynamodbMs: number;
    logsMs: number;
    ssmMs: number;
}

const NO_LATENCY: Latency = { dynamodbMs: 0, logsMs: 0, ssmMs: 0 };

function namedError(name: string, message: string): Error {
    const err = new Error(message);
    err.name = name;
    return err;
}

/**
 * The DynamoDB state table in memory, with the semantics of the real store in handler/state/store.ts: a
 * conditional lease (free, expired, or already ours) with the rule's cursor and the lookup it left
 * unfinished, written only while the lease is the writer's, posted keys with an expiry, versioned
 * documents and counters. Each call takes effect after its
 * latency has passed, atomically, as a single DynamoDB request (or transaction) would.
 */
export class InMemoryStateStore implements StateStore {
    /** Each rule's cursor, kept with its lease. */
    readonly cursors = new Map<string, number>();
    /** The lookup each rule left unfinished, kept beside its cursor; moving the cursor clears it. */
    readonly pending = new Map<string, PendingLookup>();
    /** What versions before the cursor joined the lease kept apart (`cursor#<rule>`), and each read of it. */
    readonly former = new Map<string, RuleProgress>();
    readonly formerReads: string[] = [];
    /** Every read of posted records and documents, one request each, in order. */
    readonly reads: Array<{ posted: string[]; documents: string[] }> = [];
    /** Posted key → expiresAt (epoch seconds), as the TTL attribute stores it. */
    readonly posted = new Map<string, number>();
    /** Each rule's lease, by rule id. */
    readonly leases: Record<string, { owner: string; untilMs: number }> = {};
    /** Every lease attempt, in order. */
    readonly leaseAttempts: Array<{ ruleId: string; owner: string; atMs: number; granted: boolean }> = [];
    /** Documents (first-seen histories) by key, with their version and TTL. */
    readonly documents = new Map<string, StoredDocument & { expiresAtSeconds: number }>();
    /** Counter items (summary tallies) by key, and their TTL. */
    readonly counters = new Map<string, Record<string, number>>();
    readonly counterExpiry = new Map<string, number>();
    /** Bytes the counters of each bounded counter item take, as its COUNTER_BYTES_ATTRIBUTE keeps them. */
    readonly counterBytes = new Map<string, number>();

    constructor(
        private readonly clock: Clock,
        private readonly latencyMs = 0,
    ) {}

    private async io(): Promise<void> {
        if (this.latencyMs > 0) {
            await this.clock.sleep(this.latencyMs);
        }
    }

    /** Where the rule's lookups stand, as its lease's item holds them. */
    private progress(ruleId: string): RuleProgress {
        const cursorMs = this.cursors.get(ruleId);
        const lookup = this.pending.get(ruleId);
        return { ...(cursorMs === undefined ? {} : { cursorMs }), ...(lookup ? { pending: lookup } : {}) };
    }

    async unposted(keys: readonly string[]): Promise<Set<string>> {
        return (await this.unpostedAndDocuments(keys, [])).unposted;
    }

    async unpostedAndDocuments(
        postedKeys: readonly string[],
        documentKeys: readonly string[],
    ): Promise<{ unposted: Set<string>; documents: Map<string, StoredDocument> }> {
        await this.io();
        this.reads.push({ posted: [...postedKeys], documents: [...documentKeys] });
        return {
            unposted: new Set(postedKeys.filter((k) => !this.posted.has(k))),
            documents: new Map(documentKeys.flatMap((k) => (this.documents.has(k) ? [[k, { ...this.documents.get(k)! }] as const] : []))),
        };
    }

    async markPosted(keys: readonly string[], expiresAtSeconds: number): Promise<void> {
        await this.io();
        for (const k of keys) {
            this.posted.set(k, expiresAtSeconds);
        }
    }

    async acquireLease(ruleId: string, owner: string, untilMs: number, nowMs: number): Promise<RuleProgress | undefined> {
        await this.io();
        // attribute_not_exists(#owner) OR #until < :now OR #owner = :owner
        const held = this.leases[ruleId];
        const granted = held === undefined || held.untilMs < nowMs || held.owner === owner;
        if (granted) {
            this.leases[ruleId] = { owner, untilMs };
        }
        this.leaseAttempts.push({ ruleId, owner, atMs: this.clock.now(), granted });
        return granted ? this.progress(ruleId) : undefined;
    }

    async releaseLease(ruleId: string, owner: string, cursorMs: number | undefined): Promise<boolean> {
        await this.io();
        // #owner = :owner
        if (this.leases[ruleId]?.owner !== owner) {
            return false;
        }
        delete this.leases[ruleId];
        if (cursorMs !== undefined) {
            this.cursors.set(ruleId, cursorMs);
            this.pending.delete(ruleId);
        }
        return true;
    }

    async saveProgress(ruleId: string, owner: string, { cursorMs, pending }: RuleProgress): Promise<boolean> {
        await this.io();
        if (this.leases[ruleId]?.owner !== owner) {
            return false;
        }
        if (cursorMs === undefined) {
            this.cursors.delete(ruleId);
        } else {
            this.cursors.set(ruleId, cursorMs);
        }
        if (pending === undefined) {
            this.pending.delete(ruleId);
        } else {
            this.pending.set(ruleId, pending);
        }
        return true;
    }

    async formerProgress(ruleId: string): Promise<RuleProgress> {
        await this.io();
        this.formerReads.push(ruleId);
        return this.former.get(ruleId) ?? {};
    }

    async readDocuments(keys: readonly string[]): Promise<Map<string, StoredDocument>> {
        return (await this.unpostedAndDocuments([], keys)).documents;
    }

    async writeDocument(key: string, body: string, expectedVersion: number | undefined, expiresAtSeconds: number): Promise<boolean> {
        return (await this.writeDocuments([{ key, body, expectedVersion, expiresAtSeconds }])).length === 0;
    }

    async writeDocuments(writes: readonly DocumentWrite[]): Promise<string[]> {
        await this.io();
        const unwritten: string[] = [];
        // Groups of 100, all or none, as TransactWriteItems takes them.
        for (let i = 0; i < writes.length; i += 100) {
            const group = writes.slice(i, i + 100);
            // attribute_not_exists(pk), or #version = :expected, for every write of the group
            if (group.some((w) => this.documents.get(w.key)?.version !== w.expectedVersion)) {
                unwritten.push(...group.map((w) => w.key));
                continue;
            }
            for (const { key, body, expectedVersion, expiresAtSeconds } of group) {
                this.documents.set(key, { body, version: (expectedVersion ?? 0) + 1, expiresAtSeconds });
            }
        }
        return unwritten;
    }

    async addCounters(additions: readonly CounterAddition[], expiresAtSeconds: number): Promise<Map<string, Record<string, number>>> {
        await this.io();
        const left = new Map<string, Record<string, number>>();
        for (const { key, counters, maxBytes } of additions) {
            const item = this.counters.get(key) ?? {};
            for (const [name, amount] of Object.entries(counters).filter(([, a]) => a !== 0)) {
                // A bounded item's new counter is created only if its bytes fit (handler/state/counters.ts).
                const used = this.counterBytes.get(key) ?? 0;
                if (name in item) {
                    item[name] = item[name]! + amount;
                } else if (maxBytes === undefined) {
                    item[name] = amount;
                } else if (used + counterBytes(name) <= maxBytes) {
                    item[name] = amount;
                    this.counterBytes.set(key, used + counterBytes(name));
                } else {
                    left.set(key, { ...left.get(key), [name]: amount });
                }
            }
            this.counters.set(key, item);
            this.counterExpiry.set(key, expiresAtSeconds);
        }
        return left;
    }

    async readCounters(keys: readonly string[]): Promise<Map<string, Record<string, number>>> {
        await this.io();
        return new Map(keys.flatMap((k) => (this.counters.has(k) ? [[k, { ...this.counters.get(k)! }] as const] : [])));
    }
}

export interface FilterCall {
    atMs: number;
    logGroupName: string;
    pattern: string;
    window: TimeWindow;
    returned: number;
}

/**
 * AwsPorts in memory: SSM parameters, log groups searched with the real filter pattern, the state
 * table, and an operators' topic that keeps what it is told in `published`.
 */
export class FakeAwsPorts implements AwsPorts {
    readonly parameters = new Map<string, string>();
    readonly published: Array<{ subject: string; message: string }> = [];
    operators: OperatorsChannel = {
        publish: async (subject, message) => {
            this.published.push({ subject, message });
        },
    };
    readonly logGroups = new Map<string, FakeLogGroup>();
    readonly store: InMemoryStateStore;
    readonly filterCalls: FilterCall[] = [];
    readonly parameterReads: string[] = [];
    /** What GetTrailStatus answers, by trail ARN; a trail not here answers as CloudTrail does for an unknown one. */
    readonly trails = new Map<string, TrailStatus>();
    readonly trailStatusReads: string[] = [];
    /** The organization's member accounts by id, with their names, as DescribeAccount answers. */
    readonly accounts = new Map<string, string>();
    readonly accountReads: string[] = [];
    /** The organization's StackSets, whose drift CloudFormation reports. */
    readonly cloudFormation = new FakeStackSets();
    readonly detectStackSetDrift = (ref: StackSetRef) => this.cloudFormation.detectStackSetDrift(ref);
    readonly describeStackSetOperation = (ref: StackSetRef, id: string) => this.cloudFormation.describeStackSetOperation(ref, id);
    readonly listDriftedStackInstances = (ref: StackSetRef, token: string | undefined) =>
        this.cloudFormation.listDriftedStackInstances(ref, token);
    private readonly latency: Latency;

    constructor(
        private readonly clock: Clock,
        latency: Partial<Latency> = {},
    ) {
        this.latency = { ...NO_LATENCY, ...latency };
        this.store = new InMemoryStateStore(clock, this.latency.dynamodbMs);
    }

    /** IAM users' email tags, by user name. */
    readonly userEmails = new Map<string, string>();
    readonly userEmailReads: string[] = [];

    async iamUserEmail(userName: string): Promise<string | undefined> {
        this.userEmailReads.push(userName);
        return this.userEmails.get(userName);
    }

    async describeAccount(accountId: string): Promise<{ name: string } | undefined> {
        this.accountReads.push(accountId);
        const name = this.accounts.get(accountId);
        return name === undefined ? undefined : { name };
    }

    async trailStatus(trailArn: string): Promise<TrailStatus> {
        this.trailStatusReads.push(trailArn);
        const status = this.trails.get(trailArn);
        if (!status) {
            const err = new Error(`Unknown trail: ${trailArn} for the user: 111122223333`);
            err.name = "TrailNotFoundException";
            throw err;
        }
        return status;
    }

    logGroup(name: string): FakeLogGroup {
        let group = this.logGroups.get(name);
        if (!group) {
            group = new FakeLogGroup(name);
            this.logGroups.set(name, group);
        }
        return group;
    }

    async getSecureParameter(name: string): Promise<string> {
        if (this.latency.ssmMs > 0) {
            await this.clock.sleep(this.latency.ssmMs);
        }
        this.parameterReads.push(name);
        const value = this.parameters.get(name);
        if (value === undefined) {
            throw namedError("ParameterNotFound", `Parameter ${name} not found.`);
        }
        return value;
    }

    /**
     * FilterLogEvents as one page: the whole window's events. Abandoned with an AbortError, as the
     * real port is, when its latency takes it past the deadline.
     */
    async filterLogEventsPage(
        logGroupName: string,
        pattern: string,
        window: TimeWindow,
        _nextToken: string | undefined,
        deadlineMs: number,
    ): Promise<LogEventPage> {
        const events = await this.filterLogEvents(logGroupName, pattern, window);
        if (this.clock.now() > deadlineMs) {
            throw namedError("AbortError", "This operation was aborted");
        }
        return { events };
    }

    /** Every event of the window that matches the pattern: the search behind each page, which a test may replace. */
    async filterLogEvents(logGroupName: string, pattern: string, window: TimeWindow): Promise<LogEvent[]> {
        if (this.latency.logsMs > 0) {
            await this.clock.sleep(this.latency.logsMs);
        }
        const group = this.logGroups.get(logGroupName);
        if (!group) {
            throw namedError("ResourceNotFoundException", "The specified log group does not exist.");
        }
        const matches = compileFilterPattern(pattern);
        // startTime and endTime are both inclusive and select on the log event's timestamp, not its ingestion time.
        const events = group
            .visibleAt(this.clock.now())
            .filter((e) => e.timestamp >= window.startMs && e.timestamp <= window.endMs && matches(e.message))
            .sort((a, b) => a.timestamp - b.timestamp)
            .map((e) => ({ message: e.message, timestamp: e.timestamp }));
        this.filterCalls.push({ atMs: this.clock.now(), logGroupName, pattern, window, returned: events.length });
        return events;
    }
}

export interface SlackPost {
    atMs: number;
    url: string;
    contentType: string | undefined;
    payload: unknown;
    status: number;
}

/** What the fake webhook answers at a given virtual time. */
export type SlackResponder = (atMs: number) => { status: number; body: string; headers?: Record<string, string> };

/** A Slack incoming webhook in memory: records every POST and answers 200 "ok" unless told otherwise. */
export class FakeSlackWebhook {
    readonly posts: SlackPost[] = [];
    respond: SlackResponder = () => ({ status: 200, body: "ok" });

    constructor(
        private readonly clock: Clock,
        private readonly latencyMs = 0,
    ) {}

    readonly fetch: FetchLike = async (url, init) => {
        if (this.latencyMs > 0) {
            await this.clock.sleep(this.latencyMs);
        }
        // Slack decides when the request arrives; the answer reaches the caller at the same instant here.
        const answer = this.respond(this.clock.now());
        this.posts.push({
            atMs: this.clock.now(),
            url,
            contentType: init.headers["Content-Type"],
            payload: JSON.parse(init.body) as unknown,
            status: answer.status,
        });
        const headers = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
        return {
            status: answer.status,
            headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
            text: async () => answer.body,
        };
    };

    /** Payloads Slack accepted (2xx). */
    get accepted(): unknown[] {
        return this.posts.filter((p) => p.status >= 200 && p.status < 300).map((p) => p.payload);
    }
}
