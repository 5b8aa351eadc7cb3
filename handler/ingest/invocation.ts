import { realClock } from "../common/clock";
import { log } from "../common/log";
import { planEvent, postEvent } from "./fastPath";
import { checkedWebhookReader } from "../deliver/webhookUrl";
import { checkTrail } from "./trailStatus";
import { postHeartbeats, takeHeartbeats } from "./heartbeat";
import { postSummary } from "./summary";
import { handleAnswer } from "./answer";
import { escalateUnanswered } from "./unanswered";
import { createSlackApp } from "../deliver/slackApp";
import { checkDrift } from "./drift";
import { classifyTrigger, parseAlarmNotification, ruleForAlarm, type Trigger } from "../decide/parse";
import type { FetchLike } from "../deliver/webhook";
import { createPacedSender } from "../deliver/pacedSender";
import { accountDirectory } from "../deliver/accountDirectory";
import { SAFETY_MS, sweepRule, type HeldLease, type SweepDeps, type SweepJob } from "./sweep";
import type { AwsPorts, Clock, InvocationContext, InvocationReport, RuleProgress } from "../common/types";
import { severityRank, type HandlerSettings, type RunTimeRule } from "../../shared/contract";

// How long an invocation waits for another one's sweep to finish before leaving the work to it.
const LEASE_WAIT_MS = 30000;
// How often a waiting invocation asks for the lease again.
const LEASE_RETRY_MS = 2000;

/** The function's handler, as Lambda calls it. */
export type LoginAlertsHandler = (event: unknown, context: InvocationContext) => Promise<InvocationReport>;

export interface HandlerDeps {
    settings: HandlerSettings;
    aws: AwsPorts;
    fetch: FetchLike;
    clock?: Clock;
}

/**
 * The rules an invocation must sweep: all of them for the scheduled sweep, or the rule of each
 * alarm notification. Notifications that name no rule of this stack, or that cannot be read,
 * are skipped with a reason in the report.
 */
export function planWork(
    trigger: Exclude<Trigger, { kind: "unknown" | "summary" | "drift" | "answer" }>,
    rules: readonly RunTimeRule[],
    report: InvocationReport,
    servedAccount?: string,
    organizationId?: string,
): SweepJob[] {
    // One job per rule: several notifications of one alarm in a batch need one sweep, for the latest.
    const work = new Map<string, SweepJob>();
    if (trigger.kind === "sweep") {
        for (const rule of rules) {
            work.set(rule.id, { rule });
        }
        return [...work.values()];
    }
    if (trigger.kind === "eventbridge") {
        return planEvent(trigger, rules, report, servedAccount, organizationId);
    }
    for (const message of trigger.messages) {
        const alarm = message.ok ? parseAlarmNotification(message.value.body) : message;
        if (!alarm.ok) {
            report.skipped.push(alarm.reason);
            log("warn", "skipped an SNS record", { reason: alarm.reason });
            continue;
        }
        const rule = ruleForAlarm(rules, alarm.value.alarmName);
        if (!rule) {
            report.skipped.push(`alarm ${alarm.value.alarmName} belongs to no rule of this stack`);
            log("warn", "skipped a notification of an unknown alarm", { alarm: alarm.value.alarmName });
            continue;
        }
        if (alarm.value.newState === "INSUFFICIENT_DATA") {
            report.skipped.push(`alarm ${alarm.value.alarmName} went to INSUFFICIENT_DATA`);
            continue;
        }
        work.set(rule.id, { rule, alarm: alarm.value });
    }
    return [...work.values()];
}

/**
 * The jobs in the order they are swept: by severity, critical first, then as planned. A flood of
 * failed sign-ins (which need no credentials) must never delay root activity.
 */
export function bySeverity(work: readonly SweepJob[]): SweepJob[] {
    const rank = (job: SweepJob) => severityRank(job.rule.severity);
    return [...work].sort((a, b) => rank(a) - rank(b));
}

async function tryLease(deps: SweepDeps, ruleId: string, owner: string, leaseUntil: number): Promise<RuleProgress | undefined> {
    try {
        return await deps.aws.store.acquireLease(ruleId, owner, leaseUntil, deps.clock.now());
    } catch (err) {
        log("error", "could not take a rule's lease", { rule: ruleId, error: (err as Error).message, name: (err as Error).name });
        throw new Error(
            `Sign-in alerts failed: the lease of rule ${ruleId} could not be taken: ${(err as Error).name}: ${(err as Error).message}`,
        );
    }
}

/**
 * Takes a rule's lease, waiting up to `waitMs` for another invocation's sweep of that rule to end.
 * One sweep of a rule at a time: two concurrent ones would both see the same events as unposted.
 * Each rule has its own lease, so work on one rule never waits behind another's.
 */
export async function waitForRuleLease(
    deps: SweepDeps,
    ruleId: string,
    owner: string,
    deadlineMs: number,
    waitMs: number,
): Promise<HeldLease | undefined> {
    const leaseUntil = deadlineMs + SAFETY_MS;
    let progress = await tryLease(deps, ruleId, owner, leaseUntil);
    const waitUntil = Math.min(deps.clock.now() + waitMs, deadlineMs);
    while (!progress && deps.clock.now() < waitUntil) {
        await deps.clock.sleep(LEASE_RETRY_MS);
        progress = await tryLease(deps, ruleId, owner, leaseUntil);
    }
    return progress && { owner, progress };
}

/**
 * Gives the rule's lease up, moving its cursor in the same write when the sweep read a window to
 * its end; returns why the rule failed, if the cursor could not be moved. A lease another
 * invocation holds by now (ours expired and was taken) is left to it with the cursor, which that
 * one moves only past what it has read whole: at worst a later lookup reads this window again and
 * finds its events recorded. A cursor not written fails the rule, as when it was a write of its
 * own, so Lambda's retry reads the window again; a release alone that fails is logged: the lease expires.
 */
async function giveUp(deps: SweepDeps, ruleId: string, lease: HeldLease): Promise<string | undefined> {
    const { store } = deps.aws;
    const warn = (err: Error) => log("warn", "could not release a rule's lease; it will expire", { rule: ruleId, error: err.message });
    try {
        if (!(await store.releaseLease(ruleId, lease.owner, lease.moveCursorTo))) {
            log("warn", "another invocation held the rule's lease by the end of this one; the cursor is left to it", { rule: ruleId });
        }
        return undefined;
    } catch (err) {
        if (lease.moveCursorTo === undefined) {
            warn(err as Error);
            return undefined;
        }
        log("error", "could not move the rule's cursor", { rule: ruleId, error: (err as Error).message, name: (err as Error).name });
        // The lease alone, so that the retry need not wait for it to expire.
        await store.releaseLease(ruleId, lease.owner, undefined).catch(warn);
        return `${ruleId}: ${(err as Error).name}: ${(err as Error).message}`;
    }
}

/** Sweeps one rule under its lease, then releases it; returns why it failed, as a sentence, if it did. */
async function sweepJob(
    deps: SweepDeps,
    job: SweepJob,
    owner: string,
    deadlineMs: number,
    report: InvocationReport,
): Promise<string | undefined> {
    const ruleId = job.rule.id;
    // An alarm's job, and an EventBridge event's, waits for the lease and fails if it never gets it,
    // so Lambda retries it: its events or its note would otherwise wait for the next sweep
    // unannounced. The scheduled sweep leaves a busy rule to the invocation sweeping it, and to the next sweep.
    const waits = job.alarm !== undefined || job.event !== undefined;
    const lease = await waitForRuleLease(deps, ruleId, owner, deadlineMs, waits ? LEASE_WAIT_MS : 0);
    if (!lease) {
        report.skipped.push(`another invocation holds the lease of ${ruleId}`);
        log("info", "another invocation is sweeping this rule", { rule: ruleId, alarm: job.alarm?.alarmName, eventId: job.event?.eventId });
        return waits ? `${ruleId}: another invocation held the rule's lease for ${LEASE_WAIT_MS / 1000} s; retrying` : undefined;
    }
    report.rulesScanned.push(ruleId);
    let failure: string | undefined;
    try {
        if (job.event) {
            await postEvent(deps, job.rule, job.event, deadlineMs, report);
        } else {
            await sweepRule(deps, job, lease, deadlineMs, report);
        }
    } catch (err) {
        log("error", "rule failed", { rule: ruleId, error: (err as Error).message, name: (err as Error).name });
        failure = `${ruleId}: ${(err as Error).name}: ${(err as Error).message}`;
    }
    // Given up whatever the outcome; a failure to give it up must not hide the sweep's own above.
    const notGivenUp = await giveUp(deps, ruleId, lease);
    return failure ?? notGivenUp;
}

/** Sweeps each job, critical rules first, each under its own rule's lease; returns the failures, as sentences. */
export async function sweepEach(
    deps: SweepDeps,
    work: readonly SweepJob[],
    owner: string,
    deadlineMs: number,
    report: InvocationReport,
): Promise<string[]> {
    const failures: string[] = [];
    for (const job of bySeverity(work)) {
        const failure = await sweepJob(deps, job, owner, deadlineMs, report);
        if (failure !== undefined) {
            failures.push(failure);
        }
    }
    return failures;
}

/**
 * The account an event may come from: the function's own or, where the stack serves an
 * organization, the event's account when AWS Organizations counts it a member. A failure to ask
 * fails the invocation, so Lambda retries it rather than refusing a member's sign-in.
 */
async function servedAccountFor(deps: SweepDeps, trigger: Trigger, ownAccount: string | undefined): Promise<string | undefined> {
    const account = trigger.kind === "eventbridge" ? trigger.account : undefined;
    if (!deps.settings.organizationId || account === undefined || account === ownAccount) {
        return ownAccount;
    }
    return (await deps.accounts.standing(account)).member ? account : ownAccount;
}

/**
 * One invocation: classify what triggered it, plan which rules to sweep, take the lease, sweep,
 * and report. The event stays `unknown` until classified: anything else is skipped with a reason.
 */
export async function handleInvocation(container: SweepDeps, event: unknown, context: InvocationContext): Promise<InvocationReport> {
    const ownAccountId = context.invokedFunctionArn?.split(":")[4];
    const deps: SweepDeps = ownAccountId ? { ...container, ownAccountId } : container;
    const deadlineMs = deps.clock.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
    const trigger = classifyTrigger(event);
    const report: InvocationReport = { trigger: trigger.kind, rulesScanned: [], posted: 0, messages: 0, skipped: [] };
    if (trigger.kind === "unknown") {
        report.skipped.push(trigger.reason);
        log("warn", "ignored an event that is neither an SNS notification, the scheduled sweep nor a CloudTrail event", {
            reason: trigger.reason,
        });
        return report;
    }
    if (trigger.kind === "summary") {
        await postSummary(deps, trigger, deadlineMs, report);
        log("info", "invocation done", { ...report });
        return report;
    }
    if (trigger.kind === "answer") {
        await handleAnswer(deps, trigger.handed, deadlineMs, report);
        log("info", "invocation done", { ...report });
        return report;
    }
    if (trigger.kind === "drift") {
        await checkDrift(deps, trigger.stackSet, deadlineMs, report);
        log("info", "invocation done", { ...report });
        return report;
    }
    const { heartbeats, rest } = takeHeartbeats(trigger, deps.settings.heartbeat?.alarmName);
    // The function's own account (arn:aws:lambda:<region>:<account>:function:<name>) is the one it serves.
    const served = await servedAccountFor(deps, rest, ownAccountId);
    const work = planWork(rest, deps.settings.rules, report, served, deps.settings.organizationId);
    if (work.length === 0 && heartbeats.length === 0) {
        log("info", "invocation done", { ...report });
        return report;
    }
    // The heartbeat first: when the alerts are blind, that is the news. Then, on the schedule,
    // CloudTrail's own word on the trail, which no log line can fake.
    await postHeartbeats(deps, heartbeats, deadlineMs, report);
    const trailFailure = trigger.kind === "sweep" ? await trailChecked(deps, deadlineMs, report) : undefined;
    const rulesFailed = await sweepEach(deps, work, context.awsRequestId, deadlineMs, report);
    // After the rules: a question is escalated only once its sign-in had its turn to be posted.
    const questionsFailure = trigger.kind === "sweep" ? await escalateUnanswered(deps, deadlineMs, report) : undefined;
    const failures = [trailFailure, ...rulesFailed, questionsFailure].filter((f): f is string => f !== undefined);
    log("info", "invocation done", { ...report });
    if (failures.length > 0) {
        // Failing the invocation makes Lambda retry it and, after the retries, dead-letter it.
        throw new Error(`Sign-in alerts failed for ${failures.length} rule(s): ${failures.join("; ")}`);
    }
    return report;
}

/** Checks the trail; a failure to tell anyone fails the invocation after the rules have had their turn. */
async function trailChecked(deps: SweepDeps, deadlineMs: number, report: InvocationReport): Promise<string | undefined> {
    try {
        await checkTrail(deps, deadlineMs, report);
        return undefined;
    } catch (err) {
        log("error", "could not tell of the trail's state", { error: (err as Error).message });
        return `trail-status: ${(err as Error).name}: ${(err as Error).message}`;
    }
}

/**
 * Builds the function's handler. Every invocation (alarm ALARM or OK, or the scheduled sweep)
 * reports all matching events after the rule's cursor minus the lag allowance that are not yet
 * recorded as posted, so nothing depends on the alarm changing state at the right moment.
 */
export function createHandler(deps: HandlerDeps): LoginAlertsHandler {
    const clock = deps.clock ?? realClock;
    const { settings, aws } = deps;
    const send = createPacedSender(settings, checkedWebhookReader(aws, settings.webhookParameterName), deps.fetch, clock);
    const accounts = accountDirectory(
        (id) => aws.describeAccount(id),
        () => clock.now(),
    );
    const app = createSlackApp(settings, aws, deps.fetch, clock);
    return (event, context) => handleInvocation({ settings, aws, clock, send, accounts, app }, event, context);
}
