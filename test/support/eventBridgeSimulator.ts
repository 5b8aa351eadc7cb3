/**
 * EventBridge's side of the simulation: CloudTrail's events delivered to the function within seconds,
 * best effort. Each event one of the stack's regional rules matches (program/fastPathPatterns.ts, derived
 * from the built-in rules) is
 * delivered once, after a heavy-tailed delay, or dropped; what reached Slack is then read back per
 * (rule, event) pair, with when and by which path it was posted first.
 */
import { fixture } from "../../tools/fixtures";
import { fastPathPatterns } from "../../program/fastPathPatterns";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES } from "../../program/rules";
import type { SimulationResult, TrailEvent } from "./alarmSimulator";
import { ACCOUNT_ID } from "./alarmSimulator";
import { compileEventPattern, type EventMatcher } from "./eventPattern";

/** EventBridge's delay from the event to the function's invocation, and how often it drops an event. */
export interface EventBridgeModel {
    /** Median delay. */
    medianMs: number;
    /** 99th percentile of the delay. */
    p99Ms: number;
    /** Share of events never delivered. */
    dropRate: number;
}

// The standard normal distribution's 99th percentile.
const Z_99 = 2.326347874;

/**
 * A log-normal delay fitted to two quantiles: the median is exp(mu), the 99th percentile exp(mu + 2.326 sigma).
 * Normal deviates come from Box-Muller on the seeded generator, so a seed replays the same delays.
 */
export function logNormalDelays(random: () => number, medianMs: number, p99Ms: number): () => number {
    const mu = Math.log(medianMs);
    const sigma = Math.log(p99Ms / medianMs) / Z_99;
    return () => {
        const u = 1 - random(); // (0, 1]: the logarithm stays finite
        const v = random();
        const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        return Math.exp(mu + sigma * z);
    };
}

/** The envelope EventBridge wraps a CloudTrail record in, as the fixtures record it. */
export function eventBridgeEnvelope(record: TrailEvent["record"], seq: number): Record<string, unknown> & { detail: unknown } {
    const signIn = record.eventType === "AwsConsoleSignIn";
    const template = fixture<Record<string, unknown>>(signIn ? "eventbridge_console-signin-forwarded" : "eventbridge_root-api-call");
    const detailType =
        record.eventType === "AwsApiCall"
            ? "AWS API Call via CloudTrail"
            : signIn
              ? "AWS Console Sign In via CloudTrail"
              : "AWS Service Event via CloudTrail";
    return {
        ...template,
        // Forwarding gives the envelope a new id; nothing may depend on it.
        id: `00000000-0000-4000-c000-${String(seq).padStart(12, "0")}`,
        "detail-type": detailType,
        source: signIn ? "aws.signin" : `aws.${String(record.eventSource ?? "unknown").replace(/\.amazonaws\.com$/, "")}`,
        account: ACCOUNT_ID,
        time: record.eventTime,
        region: record.awsRegion ?? "us-east-1",
        detail: record,
    };
}

let fastPathMatchers: EventMatcher[] | undefined;

/** Whether one of the stack's regional EventBridge rules forwards this event to the function, by EventBridge's content filtering. */
export function fastPathRuleMatches(envelope: unknown): boolean {
    fastPathMatchers ??= fastPathPatterns(BUILT_IN_RULE_IDS.map((id) => BUILT_IN_RULES[id])).patterns.map(compileEventPattern);
    return fastPathMatchers.some((matches) => matches(envelope));
}

export interface EventBridgeDelivery {
    atMs: number;
    event: unknown;
    trigger: "eventbridge";
    eventID: string;
    delayMs: number;
}

export interface EventBridgePlan {
    deliveries: EventBridgeDelivery[];
    /** Events the rule matches that EventBridge never delivered. */
    dropped: Set<string>;
    /** Events the rule does not match, so EventBridge never sends them to the function. */
    notForwarded: number;
}

/** When EventBridge invokes the function for each event, or that it drops it, drawn from a seeded generator. */
export function planEventBridge(events: readonly TrailEvent[], model: EventBridgeModel, random: () => number): EventBridgePlan {
    const delay = logNormalDelays(random, model.medianMs, model.p99Ms);
    const deliveries: EventBridgeDelivery[] = [];
    const dropped = new Set<string>();
    let notForwarded = 0;
    events.forEach((e, i) => {
        // Both draws are made for every event, forwarded or not, so neither dropping one nor widening
        // the stack's pattern shifts the luck of the others.
        const drop = random() < model.dropRate;
        const delayMs = Math.round(delay());
        const envelope = eventBridgeEnvelope(e.record, i + 1);
        if (!fastPathRuleMatches(envelope)) {
            notForwarded += 1;
            return;
        }
        if (drop) {
            dropped.add(e.record.eventID);
            return;
        }
        deliveries.push({
            atMs: Date.parse(e.record.eventTime) + delayMs,
            event: envelope,
            trigger: "eventbridge",
            eventID: e.record.eventID,
            delayMs,
        });
    });
    return { deliveries, dropped, notForwarded };
}

/**
 * The plan with one more EventBridge hop after each delivery, as a member account's event takes
 * (its default bus, then the stack's bus in another account): a further delay drawn from the same
 * model, and a further drop, independent of the first hop's. Both draws are made for every event,
 * in the events' order, delivered or not, as planEventBridge makes its own.
 */
export function withAnotherHop(
    plan: EventBridgePlan,
    events: readonly TrailEvent[],
    model: EventBridgeModel,
    random: () => number,
): EventBridgePlan & { droppedByHop: number } {
    const delay = logNormalDelays(random, model.medianMs, model.p99Ms);
    const firstHop = new Map(plan.deliveries.map((d) => [d.eventID, d]));
    const deliveries: EventBridgeDelivery[] = [];
    const dropped = new Set(plan.dropped);
    for (const e of events) {
        const drop = random() < model.dropRate;
        const delayMs = Math.round(delay());
        const delivered = firstHop.get(e.record.eventID);
        if (!delivered) {
            continue;
        }
        if (drop) {
            dropped.add(e.record.eventID);
        } else {
            deliveries.push({ ...delivered, atMs: delivered.atMs + delayMs, delayMs: delivered.delayMs + delayMs });
        }
    }
    return { deliveries, dropped, notForwarded: plan.notForwarded, droppedByHop: dropped.size - plan.dropped.size };
}

export interface FirstPost {
    /** "rule eventID" */
    pair: string;
    eventID: string;
    atMs: number;
    delayMs: number;
    path: "fast" | "backstop";
}

/**
 * When each (rule, event) pair first reached Slack, after its event time, and by which path: the
 * backstop's messages say so of every sign-in in them ("posted 6 min after sign-in (CloudWatch Logs
 * backstop)"), and one invocation, so one message, carries one path only.
 */
export function firstPosts(result: SimulationResult, events: readonly TrailEvent[]): Map<string, FirstPost> {
    const eventTime = new Map(events.map((e) => [e.record.eventID, Date.parse(e.record.eventTime)]));
    // result.messages reads the accepted posts in the order Slack received them, which is time order.
    const accepted = result.slack.posts.filter((p) => p.status >= 200 && p.status < 300);
    const first = new Map<string, FirstPost>();
    accepted.forEach((post, i) => {
        const message = result.messages[i]!;
        const path = JSON.stringify(post.payload).includes("(CloudWatch Logs backstop)") ? "backstop" : "fast";
        for (const eventID of message.eventIds) {
            const pair = `${message.ruleId ?? "?"} ${eventID}`;
            if (!first.has(pair)) {
                first.set(pair, { pair, eventID, atMs: post.atMs, delayMs: post.atMs - eventTime.get(eventID)!, path });
            }
        }
    });
    return first;
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
    if (sorted.length === 0) {
        return NaN;
    }
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export interface DelaySummary {
    count: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    maxMs: number;
}

export function summarize(delaysMs: readonly number[]): DelaySummary {
    const sorted = [...delaysMs].sort((a, b) => a - b);
    return {
        count: sorted.length,
        p50Ms: quantile(sorted, 0.5),
        p95Ms: quantile(sorted, 0.95),
        p99Ms: quantile(sorted, 0.99),
        maxMs: sorted[sorted.length - 1] ?? NaN,
    };
}

/** "4.2 s", "6 min 12 s". */
export function formatMs(ms: number): string {
    if (ms < 60_000) {
        return `${(ms / 1000).toFixed(1)} s`;
    }
    const seconds = Math.round(ms / 1000);
    return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
