import { dispositionOf, type Disposition } from "./disposition";
import { buildOkMessage, buildPendingMessage, buildSignInMessages, type Presentation, type SlackMessage } from "./format";
import { log } from "./log";
import { alarmWindow, lookupWindow, parseCloudTrailRecord, toSignIn } from "./parse";
import type { SendToSlack } from "./slack";
import type { AlarmNotification, AwsPorts, Clock, InvocationReport, SignIn, StateStore, TimeWindow } from "./types";
import type { HandlerSettings, RunTimeRule } from "../shared/contract";

// Records of posted events outlive any lookup window by a wide margin.
const POSTED_TTL_SECONDS = 14 * 24 * 3600;
// Never search further back than this, even after a long outage.
const MAX_LOOKBACK_MS = 7 * 24 * 3600 * 1000;
/** Time kept back from the Lambda deadline to record progress and release the lease. */
export const SAFETY_MS = 5000;

/** What a sweep reads and writes, passed in so a test can hand it fakes. */
export interface SweepDeps {
    settings: HandlerSettings;
    aws: AwsPorts;
    clock: Clock;
    send: SendToSlack;
}

/** One rule to sweep, and the alarm notification that asked for it (none for the scheduled sweep). */
export interface SweepJob {
    rule: RunTimeRule;
    alarm?: AlarmNotification;
}

function presentationOf(settings: HandlerSettings): Presentation {
    return { timeZone: settings.timeZone, accountLabels: settings.accountLabels, mentions: settings.mentions };
}

// Keyed by rule as well: a root sign-in without MFA belongs in both its rules' reports.
function postedKey(ruleId: string, eventId: string): string {
    return `${ruleId}#${eventId}`;
}

/**
 * Records what Slack accepted. A failure here would make the retry post it again, so it keeps
 * trying through the time held back from the deadline for exactly this.
 */
async function recordPosted(store: StateStore, clock: Clock, keys: string[], expiresAt: number, deadlineMs: number): Promise<void> {
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

/** The rule's events in the window as sign-ins by event id; records that do not parse are skipped with a reason. */
async function findSignIns(deps: SweepDeps, rule: RunTimeRule, window: TimeWindow, report: InvocationReport): Promise<Map<string, SignIn>> {
    const events = await deps.aws.filterLogEvents(deps.settings.trailLogGroupName, rule.pattern, window);
    const byId = new Map<string, SignIn>();
    for (const event of events) {
        const parsed = parseCloudTrailRecord(event.message);
        if (!parsed.ok) {
            report.skipped.push(`${rule.id}: ${parsed.reason}`);
            log("warn", "skipped a log event", { rule: rule.id, reason: parsed.reason });
            continue;
        }
        byId.set(parsed.value.eventID, toSignIn(parsed.value));
    }
    return byId;
}

function groupByDisposition(settings: HandlerSettings, ruleId: string, signIns: readonly SignIn[]): Record<Disposition, SignIn[]> {
    const groups: Record<Disposition, SignIn[]> = { report: [], downgrade: [], suppress: [] };
    for (const signIn of signIns) {
        groups[dispositionOf(settings.allowList, ruleId, signIn)].push(signIn);
    }
    return groups;
}

/** Posts reported and downgraded sign-ins, recording each message's events as posted once Slack took it. */
async function postSignIns(
    deps: SweepDeps,
    rule: RunTimeRule,
    groups: Record<Disposition, SignIn[]>,
    timing: { expiresAt: number; deadlineMs: number },
    report: InvocationReport,
): Promise<void> {
    const presentation = presentationOf(deps.settings);
    // Downgraded sign-ins are posted as informational, without the rule's mention.
    const knownRule: RunTimeRule = { ...rule, title: `${rule.title} (known)`, severity: "info" };
    const batches = [
        ...buildSignInMessages(rule, groups.report, presentation),
        ...buildSignInMessages(knownRule, groups.downgrade, { ...presentation, mentions: {} }),
    ];
    for (const { message, eventIds } of batches) {
        await deps.send(message, timing.deadlineMs);
        // Recorded per message, so a failure later in the batch re-posts only what Slack did not take.
        const keys = eventIds.map((id) => postedKey(rule.id, id));
        await recordPosted(deps.aws.store, deps.clock, keys, timing.expiresAt, timing.deadlineMs);
        report.posted += eventIds.length;
        report.messages += 1;
    }
}

/** What an alarm says on its own: that events are on their way, or (if asked for) that it is back to OK. */
function alarmNote(deps: SweepDeps, rule: RunTimeRule, alarm: AlarmNotification, foundNone: boolean): SlackMessage | undefined {
    const presentation = presentationOf(deps.settings);
    if (alarm.newState === "ALARM" && foundNone) {
        return buildPendingMessage(rule, alarm, presentation);
    }
    return alarm.newState === "OK" && deps.settings.notifyOnOk ? buildOkMessage(rule, alarm, presentation) : undefined;
}

/** Posts the alarm's note once per state change, however many invocations the notification causes. */
async function postAlarmNote(
    deps: SweepDeps,
    rule: RunTimeRule,
    alarm: AlarmNotification,
    foundNone: boolean,
    timing: { expiresAt: number; deadlineMs: number },
    report: InvocationReport,
): Promise<void> {
    const noteKey = `alarm#${alarm.alarmName}#${alarm.newState}#${alarm.stateChangeTime.toISOString()}`;
    const note = alarmNote(deps, rule, alarm, foundNone);
    if (note && (await deps.aws.store.unposted([noteKey])).size === 1) {
        await deps.send(note, timing.deadlineMs);
        await recordPosted(deps.aws.store, deps.clock, [noteKey], timing.expiresAt, timing.deadlineMs);
        report.messages += 1;
    }
}

/**
 * Reports every event of the rule after its cursor (minus the lag allowance) that is not yet
 * recorded as posted, so nothing depends on the alarm changing state at the right moment; then
 * moves the cursor to when the sweep began.
 */
export async function sweepRule(deps: SweepDeps, { rule, alarm }: SweepJob, deadlineMs: number, report: InvocationReport): Promise<void> {
    const { settings, aws } = deps;
    const nowMs = deps.clock.now();
    const window = lookupWindow({
        nowMs,
        cursorMs: await aws.store.getCursor(rule.id),
        alarm: alarm ? alarmWindow(alarm) : undefined,
        lagAllowanceMs: settings.lagAllowanceMinutes * 60000,
        maxLookbackMs: MAX_LOOKBACK_MS,
    });
    const byId = await findSignIns(deps, rule, window, report);
    const fresh = await aws.store.unposted([...byId.keys()].map((id) => postedKey(rule.id, id)));
    const toPost = [...byId.values()].filter((s) => fresh.has(postedKey(rule.id, s.eventId)));
    const timing = { expiresAt: Math.floor(nowMs / 1000) + POSTED_TTL_SECONDS, deadlineMs };
    const groups = groupByDisposition(settings, rule.id, toPost);
    log("info", "looked up events", {
        rule: rule.id,
        window,
        found: byId.size,
        new: toPost.length,
        downgraded: groups.downgrade.length,
        suppressed: groups.suppress.length,
    });
    if (groups.suppress.length > 0) {
        // Known sign-ins are recorded as handled so the next lookup does not consider them again.
        await aws.store.markPosted(
            groups.suppress.map((s) => postedKey(rule.id, s.eventId)),
            timing.expiresAt,
        );
    }
    await postSignIns(deps, rule, groups, timing, report);
    if (alarm) {
        await postAlarmNote(deps, rule, alarm, byId.size === 0, timing, report);
    }
    await aws.store.setCursor(rule.id, nowMs);
}
