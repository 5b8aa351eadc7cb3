import { dispositionOf, type Disposition } from "./disposition";
import {
    SIGNINS_PER_MESSAGE,
    buildOkMessage,
    buildPendingMessage,
    buildSignInMessages,
    type Presentation,
    type SlackMessage,
} from "./format";
import { log } from "./log";
import {
    buildGapWarning,
    buildPlainEventsMessage,
    gapNotice,
    plainTextOf,
    refusedNoteNotice,
    undeliveredNotice,
    type LookbackGap,
    type OperatorsNotice,
} from "./notices";
import { alarmWindow, lookupWindow, parseCloudTrailRecord, toSignIn } from "./parse";
import type { SendToSlack } from "./slackSender";
import type {
    AlarmNotification,
    AwsPorts,
    Clock,
    InvocationReport,
    LogEventPage,
    PendingLookup,
    RuleProgress,
    SignIn,
    StateStore,
    TimeWindow,
} from "./types";
import { LOOKBACK_LIMIT_SECONDS, type HandlerSettings, type RunTimeRule, type Severity } from "../shared/contract";

// Lookups reach back as far as a dead-lettered notification can be redriven, and records of posted
// events live as long, so no lookup can find an event whose record has expired.
const MAX_LOOKBACK_MS = LOOKBACK_LIMIT_SECONDS * 1000;
const POSTED_TTL_SECONDS = LOOKBACK_LIMIT_SECONDS;
// FilterLogEvents keeps a nextToken valid for 24 hours; an older unfinished lookup is read again from its start.
const PAGE_TOKEN_MAX_AGE_MS = 23 * 3600 * 1000;
// Sign-ins gathered from pages before they are posted and the paging position saved: small pages
// still fill whole messages, and an invocation killed mid-lookup loses at most this much progress.
const POST_EVERY = 10 * SIGNINS_PER_MESSAGE;
// The order in which the invocation takes rules, most urgent first.
const SEVERITY_ORDER: readonly Severity[] = ["critical", "high", "info"];
// Slack's answers that refuse the message itself, not the webhook: 403, 404 and 410 mean the
// webhook is gone and fail the invocation; a smaller or plainer message cannot fix those.
const REFUSED_CONTENT: readonly number[] = [400, 413];
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

/** One rule's sweep: what every step of it needs. */
interface RuleRun {
    deps: SweepDeps;
    rule: RunTimeRule;
    presentation: Presentation;
    expiresAt: number;
    deadlineMs: number;
    report: InvocationReport;
}

function presentationOf(settings: HandlerSettings): Presentation {
    return { timeZone: settings.timeZone, accountLabels: settings.accountLabels, mentions: settings.mentions };
}

// Keyed by rule as well: a root sign-in without MFA belongs in both its rules' reports.
function postedKey(ruleId: string, eventId: string): string {
    return `${ruleId}#${eventId}`;
}

// An event Slack refused in every form: its own record, so no lookup tries it again.
function failedKey(ruleId: string, eventId: string): string {
    return `failed#${ruleId}#${eventId}`;
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

function record(run: RuleRun, keys: string[]): Promise<void> {
    return recordPosted(run.deps.aws.store, run.deps.clock, keys, run.expiresAt, run.deadlineMs);
}

/** Slack refused the message for what it says (400 invalid_blocks, invalid_payload, too long), not for where it was sent. */
function refusedContent(err: unknown): boolean {
    if ((err as Error | undefined)?.name !== "SlackRejectedError") {
        return false;
    }
    const status = (err as { slackStatus?: unknown }).slackStatus;
    const code = typeof status === "number" ? status : Number(/HTTP (\d{3})/.exec((err as Error).message)?.[1]);
    return REFUSED_CONTENT.includes(code);
}

/** Posts a message; Slack's refusal of its content comes back as the error, any other failure is thrown. */
async function sendUnlessRefused(run: RuleRun, message: SlackMessage): Promise<Error | undefined> {
    try {
        await run.deps.send(message, run.deadlineMs);
        return undefined;
    } catch (err) {
        if (refusedContent(err)) {
            log("warn", "Slack refused a message for its content", { rule: run.rule.id, error: (err as Error).message });
            return err as Error;
        }
        throw err;
    }
}

/** Tells the operators' topic; a failure fails the rule, so the retry tells them. */
async function tellOperators(run: RuleRun, notice: OperatorsNotice): Promise<void> {
    const channel = run.deps.aws.operators;
    if (!channel) {
        log("error", "no operators' topic to tell", { rule: run.rule.id, subject: notice.subject, message: notice.message });
        return;
    }
    await channel.publish(notice.subject, notice.message);
}

/** Posts sign-ins; a message Slack refuses for its content is split in halves, down to one event. */
async function deliverSignIns(run: RuleRun, titled: RunTimeRule, presentation: Presentation, signIns: readonly SignIn[]): Promise<void> {
    for (const { message, eventIds } of buildSignInMessages(titled, signIns, presentation)) {
        const batch = signIns.filter((s) => eventIds.includes(s.eventId));
        const refusal = await sendUnlessRefused(run, message);
        if (!refusal) {
            // Recorded per message, so a failure later in the batch re-posts only what Slack did not take.
            await record(
                run,
                eventIds.map((id) => postedKey(run.rule.id, id)),
            );
            run.report.posted += eventIds.length;
            run.report.messages += 1;
        } else if (batch.length > 1) {
            const half = Math.ceil(batch.length / 2);
            await deliverSignIns(run, titled, presentation, batch.slice(0, half));
            await deliverSignIns(run, titled, presentation, batch.slice(half));
        } else {
            await deliverPlainly(run, eventIds);
        }
    }
}

/** The last resort for an event Slack refused on its own: text naming its eventID; failing that, the operators. */
async function deliverPlainly(run: RuleRun, eventIds: string[]): Promise<void> {
    const refusal = await sendUnlessRefused(run, buildPlainEventsMessage(run.rule, eventIds));
    if (!refusal) {
        await record(
            run,
            eventIds.map((id) => postedKey(run.rule.id, id)),
        );
        run.report.posted += eventIds.length;
        run.report.messages += 1;
        return;
    }
    // Told first and recorded after: if the topic fails, the retry tries Slack and the topic again.
    await tellOperators(run, undeliveredNotice(run.rule, eventIds, refusal.message));
    await record(
        run,
        eventIds.map((id) => failedKey(run.rule.id, id)),
    );
    for (const id of eventIds) {
        run.report.skipped.push(
            `${run.rule.id}: Slack refused event ${id} even as plain text; recorded as failed and reported to the operators`,
        );
    }
    log("error", "Slack refused events even as plain text; recorded them as failed", {
        rule: run.rule.id,
        eventIds,
        error: refusal.message,
    });
}

/** Posts a note (alarm, gap) as it is, else as text alone, else tells the operators; true when Slack took it. */
async function deliverNote(run: RuleRun, note: SlackMessage): Promise<boolean> {
    if (!(await sendUnlessRefused(run, note))) {
        return true;
    }
    const refusal = await sendUnlessRefused(run, plainTextOf(note));
    if (!refusal) {
        return true;
    }
    await tellOperators(run, refusedNoteNotice(run.rule, note.text, refusal.message));
    return false;
}

function groupByDisposition(settings: HandlerSettings, ruleId: string, signIns: readonly SignIn[]): Record<Disposition, SignIn[]> {
    const groups: Record<Disposition, SignIn[]> = { report: [], downgrade: [], suppress: [] };
    for (const signIn of signIns) {
        groups[dispositionOf(settings.allowList, ruleId, signIn)].push(signIn);
    }
    return groups;
}

/** Posts the found sign-ins not yet handled: reported ones, then downgraded ones as informational; suppressed ones are recorded. */
async function postFound(run: RuleRun, window: TimeWindow, byId: Map<string, SignIn>): Promise<void> {
    const { deps, rule } = run;
    if (byId.size === 0) {
        return;
    }
    const ids = [...byId.keys()];
    const fresh = await deps.aws.store.unposted([...ids.map((id) => postedKey(rule.id, id)), ...ids.map((id) => failedKey(rule.id, id))]);
    const toPost = [...byId.values()].filter((s) => fresh.has(postedKey(rule.id, s.eventId)) && fresh.has(failedKey(rule.id, s.eventId)));
    const groups = groupByDisposition(deps.settings, rule.id, toPost);
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
        await deps.aws.store.markPosted(
            groups.suppress.map((s) => postedKey(rule.id, s.eventId)),
            run.expiresAt,
        );
    }
    await deliverSignIns(run, rule, run.presentation, groups.report);
    // Downgraded sign-ins are posted as informational, without the rule's mention.
    const known: RunTimeRule = { ...rule, title: `${rule.title} (known)`, severity: "info" };
    await deliverSignIns(run, known, { ...run.presentation, mentions: {} }, groups.downgrade);
    byId.clear();
}

/** What an alarm says on its own: that events are on their way, or (if asked for) that it is back to OK. */
function alarmNote(run: RuleRun, alarm: AlarmNotification, foundNone: boolean): SlackMessage | undefined {
    if (alarm.newState === "ALARM" && foundNone) {
        return buildPendingMessage(run.rule, alarm, run.presentation);
    }
    return alarm.newState === "OK" && run.deps.settings.notifyOnOk ? buildOkMessage(run.rule, alarm, run.presentation) : undefined;
}

/** Posts the alarm's note once per state change, however many invocations the notification causes. */
async function postAlarmNote(run: RuleRun, alarm: AlarmNotification, foundNone: boolean): Promise<void> {
    const noteKey = `alarm#${alarm.alarmName}#${alarm.newState}#${alarm.stateChangeTime.toISOString()}`;
    const note = alarmNote(run, alarm, foundNone);
    if (note && (await run.deps.aws.store.unposted([noteKey])).size === 1) {
        if (await deliverNote(run, note)) {
            run.report.messages += 1;
        }
        await record(run, [noteKey]);
    }
}

/** Says once, in Slack and to the operators, that part of the rule's window is older than any lookup reaches. */
async function reportGap(run: RuleRun, gap: LookbackGap): Promise<void> {
    const key = `gap#${run.rule.id}#${gap.fromMs}`;
    if ((await run.deps.aws.store.unposted([key])).size === 0) {
        return;
    }
    log("warn", "the rule's cursor is older than the lookback limit; events in between are not looked up", {
        rule: run.rule.id,
        from: new Date(gap.fromMs).toISOString(),
        to: new Date(gap.toMs).toISOString(),
    });
    if (await deliverNote(run, buildGapWarning(run.rule, gap, run.presentation.timeZone))) {
        run.report.messages += 1;
    }
    await tellOperators(run, gapNotice(run.rule, gap));
    await record(run, [key]);
}

/**
 * When the rule stops starting new pages: its share of the time left, as if every rule the
 * invocation takes after it (by severity, then configuration order) were still to be swept, so
 * one large window cannot starve the others. What it does not read is resumed by the next invocation.
 */
function pagingUntil(settings: HandlerSettings, rule: RunTimeRule, nowMs: number, deadlineMs: number): number {
    const rank = (r: RunTimeRule) => SEVERITY_ORDER.indexOf(r.severity);
    const at = settings.rules.findIndex((r) => r.id === rule.id);
    const after = settings.rules.filter((r, i) => rank(r) > rank(rule) || (rank(r) === rank(rule) && i > at)).length;
    return nowMs + (deadlineMs - nowMs) / (after + 1);
}

function isAbort(err: unknown): boolean {
    return (err as Error | undefined)?.name === "AbortError";
}

async function readPage(run: RuleRun, window: TimeWindow, nextToken: string | undefined): Promise<LogEventPage> {
    const { aws, settings } = run.deps;
    if (aws.filterLogEventsPage) {
        return aws.filterLogEventsPage(settings.trailLogGroupName, run.rule.pattern, window, nextToken, run.deadlineMs);
    }
    return { events: await aws.filterLogEvents(settings.trailLogGroupName, run.rule.pattern, window) };
}

/** The rule's events of a page as sign-ins by event id; records that do not parse are skipped with a reason. */
function collect(run: RuleRun, page: LogEventPage, byId: Map<string, SignIn>): number {
    let found = 0;
    for (const event of page.events) {
        const parsed = parseCloudTrailRecord(event.message);
        if (!parsed.ok) {
            run.report.skipped.push(`${run.rule.id}: ${parsed.reason}`);
            log("warn", "skipped a log event", { rule: run.rule.id, reason: parsed.reason });
            continue;
        }
        byId.set(parsed.value.eventID, toSignIn(parsed.value));
        found += 1;
    }
    return found;
}

/**
 * Reads a window page by page, posting what it finds every {@link POST_EVERY} sign-ins and then
 * saving the position (the window and the next page's token), until the window ends, the rule's
 * share of time is used up, or a page does not come back before the deadline. Returns whether the
 * window was read to its end and how many events it found.
 */
async function readWindow(
    run: RuleRun,
    start: { window: TimeWindow; nextToken?: string },
    cursorMs: number | undefined,
    untilMs: number,
): Promise<{ done: boolean; found: number }> {
    const { deps, rule } = run;
    const { window } = start;
    const byId = new Map<string, SignIn>();
    let token = start.nextToken;
    let found = 0;
    let slowestPageMs = 0;
    const savePosition = async () => {
        await postFound(run, window, byId);
        if (token !== undefined && deps.aws.store.savePending) {
            const pending: PendingLookup = { window, nextToken: token, savedAtMs: deps.clock.now() };
            await deps.aws.store.savePending(rule.id, cursorMs, pending);
        }
    };
    for (let pages = 0; ; pages++) {
        const startedAt = deps.clock.now();
        // One page always, so every invocation makes progress; then only pages expected back in time.
        if (pages > 0 && startedAt + slowestPageMs >= untilMs) {
            await savePosition();
            return { done: false, found };
        }
        let page: LogEventPage;
        try {
            page = await readPage(run, window, token);
        } catch (err) {
            if (!isAbort(err)) {
                throw err;
            }
            log("warn", "a lookup page did not come back before the deadline", { rule: rule.id, window, pages });
            await savePosition();
            return { done: false, found };
        }
        slowestPageMs = Math.max(slowestPageMs, deps.clock.now() - startedAt);
        found += collect(run, page, byId);
        token = page.nextToken;
        if (token === undefined) {
            await postFound(run, window, byId);
            return { done: true, found };
        }
        if (byId.size >= POST_EVERY) {
            await savePosition();
        }
    }
}

async function progressOf(store: StateStore, ruleId: string): Promise<RuleProgress> {
    if (store.getProgress) {
        return store.getProgress(ruleId);
    }
    const cursorMs = await store.getCursor(ruleId);
    return cursorMs === undefined ? {} : { cursorMs };
}

/**
 * Reports every event of the rule after its cursor (minus the lag allowance) that is not yet
 * recorded as posted, so nothing depends on the alarm changing state at the right moment; then
 * moves the cursor to when the lookup began. A lookup left unfinished by an earlier invocation is
 * finished first, from where it stopped.
 */
export async function sweepRule(deps: SweepDeps, { rule, alarm }: SweepJob, deadlineMs: number, report: InvocationReport): Promise<void> {
    const { settings, aws, clock } = deps;
    const startMs = clock.now();
    const run: RuleRun = {
        deps,
        rule,
        presentation: presentationOf(settings),
        expiresAt: Math.floor(startMs / 1000) + POSTED_TTL_SECONDS,
        deadlineMs,
        report,
    };
    const untilMs = pagingUntil(settings, rule, startMs, deadlineMs);
    const progress = await progressOf(aws.store, rule.id);
    let cursorMs = progress.cursorMs;
    let found = 0;
    let done = true;
    const pending = progress.pending;
    if (pending && startMs - pending.savedAtMs < PAGE_TOKEN_MAX_AGE_MS) {
        const resumed = await readWindow(run, pending, cursorMs, untilMs);
        found += resumed.found;
        done = resumed.done;
        if (done) {
            await aws.store.setCursor(rule.id, pending.window.endMs);
            cursorMs = pending.window.endMs;
        }
    }
    if (done) {
        // The window ends when the sweep began, unless it first finished an earlier lookup.
        const nowMs = pending ? clock.now() : startMs;
        const lagAllowanceMs = settings.lagAllowanceMinutes * 60000;
        const alarmSpan = alarm ? alarmWindow(alarm) : undefined;
        const window = lookupWindow({ nowMs, cursorMs, alarm: alarmSpan, lagAllowanceMs, maxLookbackMs: MAX_LOOKBACK_MS });
        // The cursor says how far the rule's lookups got; an alarm window older than the limit
        // (a notification redriven late) says nothing of a gap in them.
        if (cursorMs !== undefined && cursorMs - lagAllowanceMs < window.startMs) {
            await reportGap(run, { fromMs: cursorMs - lagAllowanceMs, toMs: window.startMs });
        }
        const fresh = await readWindow(run, { window }, cursorMs, untilMs);
        found += fresh.found;
        done = fresh.done;
        if (done) {
            await aws.store.setCursor(rule.id, window.endMs);
        }
    }
    if (!done) {
        report.skipped.push(
            `${rule.id}: the lookup stopped before the end of its window to leave time for other rules; the next invocation resumes it`,
        );
    }
    if (alarm) {
        await postAlarmNote(run, alarm, found === 0);
    }
}
