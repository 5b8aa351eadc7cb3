/** One rule's sweep: what every step needs, and the records that say an event was handled. */
import type { Presentation } from "../decide/messages";
import { log } from "../common/log";
import type { AccountDirectory } from "./accountDirectory";
import type { SlackApp } from "./slackApp";
import type { DeliveryPath } from "../decide/catalog";
import type { SendToSlack } from "./pacedSender";
import type { AlarmNotification, AwsPorts, Clock, InvocationReport, SignIn, StateStore } from "../common/types";
import { LOOKBACK_LIMIT_SECONDS, type HandlerSettings, type RunTimeRule } from "../../shared/contract";

/** Time kept back from the Lambda deadline to record progress and release the lease. */
export const SAFETY_MS = 5000;

/** What a sweep reads and writes, passed in so a test can hand it fakes. */
export interface SweepDeps {
    settings: HandlerSettings;
    aws: AwsPorts;
    clock: Clock;
    send: SendToSlack;
    /** The organization's accounts, asked once per container: membership and names. */
    accounts: AccountDirectory;
    /** The Slack app that asks "Was this you?"; a port that refuses every call when the stack asks nobody. */
    app: SlackApp;
    /** The function's own account, from its ARN: only its IAM users' tags can be read. */
    ownAccountId?: string;
}

/**
 * One rule's work: a sweep, with the alarm notification that asked for it (none for the scheduled
 * sweep), or one event EventBridge delivered that matches the rule (the fast path: no lookup).
 */
export interface SweepJob {
    rule: RunTimeRule;
    alarm?: AlarmNotification;
    event?: SignIn;
}

/** One rule's sweep: what every step of it needs. */
export interface RuleRun {
    deps: SweepDeps;
    rule: RunTimeRule;
    presentation: Presentation;
    expiresAt: number;
    deadlineMs: number;
    report: InvocationReport;
    /** Which path is posting: the fast path (EventBridge) or the backstop (alarm or sweep). */
    path: DeliveryPath;
}

export function presentationOf(settings: HandlerSettings): Presentation {
    return { timeZone: settings.timeZone, accountLabels: settings.accountLabels, mentions: settings.mentions, language: settings.language };
}

/**
 * When a record written at `nowMs` expires (epoch seconds): as long as lookups reach back, so no
 * lookup can find an event whose record is gone.
 */
export function postedExpiresAt(nowMs: number): number {
    return Math.floor(nowMs / 1000) + LOOKBACK_LIMIT_SECONDS;
}

/** One rule's run on a path, its records expiring as postedExpiresAt says from `nowMs`. */
export function ruleRun(
    deps: SweepDeps,
    rule: RunTimeRule,
    path: DeliveryPath,
    deadlineMs: number,
    report: InvocationReport,
    nowMs = deps.clock.now(),
): RuleRun {
    return { deps, rule, presentation: presentationOf(deps.settings), expiresAt: postedExpiresAt(nowMs), deadlineMs, report, path };
}

/**
 * A run for notes that are nobody's rule (the delivery heartbeat, the trail's status): their sends
 * and records still need a run to account to, and they look and mention like a critical rule.
 */
export function noteRun(deps: SweepDeps, id: string, deadlineMs: number, report: InvocationReport): RuleRun {
    const rule = { id, title: "", pattern: "", severity: "critical" as const, alarmName: "" };
    return ruleRun(deps, rule, "backstop", deadlineMs, report);
}

// Keyed by rule as well: a root sign-in without MFA belongs in both its rules' reports.
export function postedKey(ruleId: string, eventId: string): string {
    return `${ruleId}#${eventId}`;
}

// An event Slack refused in every form: recorded as failed, and under its posted key as handled, so no lookup tries it again.
export function failedKey(ruleId: string, eventId: string): string {
    return `failed#${ruleId}#${eventId}`;
}

/**
 * Records what Slack accepted. A failure here would make the retry post it again, so it keeps
 * trying through the time held back from the deadline for exactly this.
 */
export async function recordPosted(store: StateStore, clock: Clock, keys: string[], expiresAt: number, deadlineMs: number): Promise<void> {
    const giveUpAt = deadlineMs + SAFETY_MS - 1000;
    for (let attempt = 1; ; attempt++) {
        try {
            await store.markPosted(keys, expiresAt);
            return;
        } catch (err) {
            const waitMs = Math.min(2000, 100 * 2 ** attempt);
            if (clock.now() + waitMs >= giveUpAt) {
                throw err;
            }
            log("warn", "could not record posted events yet; retrying", { attempt, error: (err as Error).message });
            await clock.sleep(waitMs);
        }
    }
}

export function record(run: RuleRun, keys: string[]): Promise<void> {
    return recordPosted(run.deps.aws.store, run.deps.clock, keys, run.expiresAt, run.deadlineMs);
}
