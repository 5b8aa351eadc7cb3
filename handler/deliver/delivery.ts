/** Getting a rule's events into Slack: messages Slack refuses are split, then sent plainly, then told to the operators. */
import { dispositionOf, type Disposition } from "../decide/disposition";
import { rejectedStatus } from "./webhook";
import {
    buildOkMessage,
    buildPendingMessage,
    buildSignInMessages,
    ruleTitle,
    type Presentation,
    type SlackMessage,
} from "../decide/messages";
import { catalogFor } from "../decide/catalog";
import { claimants } from "../decide/overlap";
import { log } from "../common/log";
import { writeDeliveryMetrics } from "./metrics";
import {
    buildGapWarning,
    buildPlainEventsMessage,
    gapNotice,
    plainTextOf,
    refusedNoteNotice,
    undeliveredNotice,
    type LookbackGap,
    type OperatorsNotice,
} from "../decide/fallbacks";
import { newNetworkOf } from "../decide/firstSeen";
import { addIdentityCenterMfa } from "./identityCenter";
import { partitionAsked, postAndAsk } from "./confirmation";
import { closeBatch, countFailed, countPosted, openBatch, readBatch, type PostedBatch } from "./postedBatch";
import type { ReadHistories } from "../state/history";
import { failedKey, postedKey, record, type RuleRun } from "./ruleRun";
import type { AlarmNotification, SignIn, TimeWindow } from "../common/types";
import { severityRank, type HandlerSettings, type RunTimeRule, type Severity } from "../../shared/contract";

// Slack's answers that refuse the message itself, not the webhook: 403, 404 and 410 mean the
// webhook is gone and fail the invocation; a smaller or plainer message cannot fix those.
const REFUSED_CONTENT: readonly number[] = [400, 413];
/** Slack refused the message for what it says (400 invalid_blocks, invalid_payload, too long), not for where it was sent. */
function refusedContent(err: unknown): boolean {
    const status = rejectedStatus(err);
    return status !== undefined && REFUSED_CONTENT.includes(status);
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
export async function tellOperators(run: RuleRun, notice: OperatorsNotice): Promise<void> {
    await run.deps.aws.operators.publish(notice.subject, notice.message);
}

/**
 * Records one message's events as posted, once Slack took it; per message, so a later failure
 * re-posts only what Slack did not take. Counts it, writes the events' delivery metrics, and keeps
 * what only a posted sign-in may teach (the first-seen history, the summary's tallies) for the
 * end of the batch.
 */
async function recordDelivered(run: RuleRun, batch: PostedBatch, signIns: readonly SignIn[], atMs: number): Promise<void> {
    await record(
        run,
        signIns.map((s) => postedKey(run.rule.id, s.eventId)),
    );
    countPosted(run, batch, signIns);
    run.report.posted += signIns.length;
    run.report.messages += 1;
    writeDeliveryMetrics(
        run.path,
        atMs,
        signIns.map((s) => s.eventTime.getTime()),
    );
}

/** The presentation of a message going out now: each sign-in in it says how long after it the message went out, and by which path. */
function deliveredNow(run: RuleRun, presentation: Presentation): Presentation & Required<Pick<Presentation, "delivery">> {
    return { ...presentation, delivery: { path: run.path, atMs: run.deps.clock.now() } };
}

/**
 * Posts sign-ins: those the stack asks about one by one through the Slack app (handler/deliver/
 * confirmation.ts), the rest, and any the app could not post, by the webhook.
 */
async function deliverSignIns(
    run: RuleRun,
    batch: PostedBatch,
    titled: RunTimeRule,
    presentation: Presentation,
    signIns: readonly SignIn[],
): Promise<void> {
    const { asked, rest } = partitionAsked(run, titled, signIns);
    const notAsked: SignIn[] = [];
    for (const signIn of asked) {
        if (!(await postAndAsk(run, titled, deliveredNow(run, presentation), signIn, (s, at) => recordDelivered(run, batch, s, at)))) {
            notAsked.push(signIn);
        }
    }
    await deliverByWebhook(run, batch, titled, presentation, [...notAsked, ...rest]);
}

/** Posts sign-ins by the webhook; a message Slack refuses for its content is split in halves, down to one event. */
async function deliverByWebhook(
    run: RuleRun,
    batch: PostedBatch,
    titled: RunTimeRule,
    presentation: Presentation,
    signIns: readonly SignIn[],
): Promise<void> {
    const shown = deliveredNow(run, presentation);
    const byId = new Map(signIns.map((s) => [s.eventId, s]));
    for (const { message, eventIds } of buildSignInMessages(titled, signIns, shown)) {
        const inMessage = eventIds.flatMap((id) => byId.get(id) ?? []);
        const refusal = await sendUnlessRefused(run, message);
        if (!refusal) {
            await recordDelivered(run, batch, inMessage, shown.delivery.atMs);
        } else if (inMessage.length > 1) {
            const half = Math.ceil(inMessage.length / 2);
            await deliverByWebhook(run, batch, titled, presentation, inMessage.slice(0, half));
            await deliverByWebhook(run, batch, titled, presentation, inMessage.slice(half));
        } else {
            await deliverPlainly(run, batch, inMessage);
        }
    }
}

/** The last resort for an event Slack refused on its own: text naming its eventID; failing that, the operators. */
async function deliverPlainly(run: RuleRun, batch: PostedBatch, signIns: readonly SignIn[]): Promise<void> {
    const eventIds = signIns.map((s) => s.eventId);
    const atMs = run.deps.clock.now();
    const refusal = await sendUnlessRefused(run, buildPlainEventsMessage(run.rule, eventIds, run.presentation));
    if (!refusal) {
        await recordDelivered(run, batch, signIns, atMs);
        return;
    }
    const failed = eventIds.map((id) => failedKey(run.rule.id, id));
    // Told first and recorded after: if the topic fails, the retry tries Slack and the topic again.
    // So a failed record means the operators were told: an event refused before failures were
    // recorded under their posted key too finds its failed record here, and is not told twice.
    if ((await run.deps.aws.store.unposted(failed)).size > 0) {
        await tellOperators(run, undeliveredNotice(run.rule, eventIds, refusal.message, run.presentation));
    }
    // Under its posted key too, the one a lookup reads: handled, and never tried again.
    await record(run, [...failed, ...eventIds.map((id) => postedKey(run.rule.id, id))]);
    countFailed(run, batch, eventIds.length);
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

/**
 * Posts a note (alarm, gap, heartbeat) as it is, else as text alone, else tells the operators what
 * `refused` says (by default, that the note was refused and why); true when Slack took it.
 */
export async function deliverNote(
    run: RuleRun,
    note: SlackMessage,
    refused: (reason: string) => OperatorsNotice = (reason) => refusedNoteNotice(run.rule, note.text, reason, run.presentation),
): Promise<boolean> {
    if (!(await sendUnlessRefused(run, note))) {
        return true;
    }
    const refusal = await sendUnlessRefused(run, plainTextOf(note));
    if (!refusal) {
        return true;
    }
    await tellOperators(run, refused(refusal.message));
    return false;
}

/** The severity a sign-in from a network new for its principal takes under this rule, when that is more urgent than the rule's own. */
function raisedSeverity(settings: HandlerSettings, rule: RunTimeRule): Severity | undefined {
    const raised = settings.firstSeen.raiseOnNewNetwork[rule.id];
    return raised && severityRank(raised) < severityRank(rule.severity) ? raised : undefined;
}

function groupByDisposition(settings: HandlerSettings, ruleId: string, signIns: readonly SignIn[]): Record<Disposition, SignIn[]> {
    const groups: Record<Disposition, SignIn[]> = { report: [], downgrade: [], suppress: [] };
    for (const signIn of signIns) {
        groups[dispositionOf(settings.allowList, ruleId, signIn)].push(signIn);
    }
    return groups;
}

/**
 * The sign-ins this rule posts — those it is the most urgent claimant of, each naming the other
 * rules that would have posted it — and those it leaves to a more urgent rule (handler/decide/overlap.ts).
 */
function ownedBy(run: RuleRun, signIns: readonly SignIn[]): { toPost: SignIn[]; leftToOthers: SignIn[] } {
    const { settings } = run.deps;
    const words = catalogFor(run.presentation.language);
    const toPost: SignIn[] = [];
    const leftToOthers: SignIn[] = [];
    for (const signIn of signIns) {
        const [first, ...others] = claimants(settings, signIn, run.rule.id);
        if (first !== undefined && first.id !== run.rule.id) {
            leftToOthers.push(signIn);
        } else {
            const also = others.filter((r) => r.id !== run.rule.id);
            toPost.push(also.length > 0 ? { ...signIn, alsoMatches: also.map((r) => ({ id: r.id, title: ruleTitle(r, words) })) } : signIn);
        }
    }
    return { toPost, leftToOthers };
}

/**
 * The found sign-ins not yet handled, by disposition, and how many of them this rule posts and
 * leaves to others. Which and whose are decided first, from each sign-in alone, so that whether
 * they are handled is read together with the first-seen histories of those that would be shown
 * (readBatch): `known` gains them.
 */
async function unhandled(
    run: RuleRun,
    byId: ReadonlyMap<string, SignIn>,
    known: ReadHistories,
): Promise<{ groups: Record<Disposition, SignIn[]>; toPost: number; leftToOthers: number }> {
    const { toPost, leftToOthers } = ownedBy(run, [...byId.values()]);
    const groups = groupByDisposition(run.deps.settings, run.rule.id, toPost);
    // One key per event: an event Slack refused in every form is recorded under its posted key too.
    const keys = [...byId.keys()].map((id) => postedKey(run.rule.id, id));
    const fresh = await readBatch(run, keys, [...groups.report, ...groups.downgrade], known);
    const isNew = (s: SignIn) => fresh.has(postedKey(run.rule.id, s.eventId));
    return {
        groups: { report: groups.report.filter(isNew), downgrade: groups.downgrade.filter(isNew), suppress: groups.suppress.filter(isNew) },
        toPost: toPost.filter(isNew).length,
        leftToOthers: leftToOthers.filter(isNew).length,
    };
}

/**
 * Posts the found sign-ins not yet handled: reported ones, then downgraded ones as informational;
 * suppressed ones are recorded. `histories`: the first-seen histories a lookup's batches carry
 * from one to the next (handler/state/history.ts).
 */
/**
 * Where the stack serves an organization, the run's labels take each shown account's name from AWS
 * Organizations, unless the stack labels it: a member account's sign-in (or an alarm's note) then
 * says whose it is.
 */
async function nameAccounts(run: RuleRun, accountIds: readonly string[]): Promise<void> {
    if (run.deps.settings.organizationId && accountIds.length > 0) {
        const accountLabels = await run.deps.accounts.labelsFor(accountIds, run.presentation.accountLabels);
        run.presentation = { ...run.presentation, accountLabels };
    }
}

export async function postFound(
    run: RuleRun,
    window: TimeWindow,
    byId: ReadonlyMap<string, SignIn>,
    histories?: ReadHistories,
): Promise<void> {
    const { deps, rule } = run;
    if (byId.size === 0) {
        return;
    }
    const known: ReadHistories = histories ?? new Map();
    const { groups, toPost, leftToOthers } = await unhandled(run, byId, known);
    // Only what will be posted is looked up and marked: a suppressed sign-in is never posted, so it
    // teaches the history nothing, not even within its batch.
    const shown = [...groups.report, ...groups.downgrade];
    await addIdentityCenterMfa(run, shown);
    await nameAccounts(
        run,
        shown.map((s) => s.accountId),
    );
    const batch = await openBatch(run, shown, known);
    const raisedTo = raisedSeverity(deps.settings, rule);
    const raise = raisedTo ? groups.report.filter((s) => newNetworkOf(s) !== undefined) : [];
    const raised = new Set(raise);
    const report = groups.report.filter((s) => !raised.has(s));
    log("info", "looked up events", {
        rule: rule.id,
        window,
        found: byId.size,
        new: toPost,
        raised: raise.length,
        downgraded: groups.downgrade.length,
        suppressed: groups.suppress.length,
        leftToOtherRules: leftToOthers,
    });
    if (groups.suppress.length > 0) {
        // Known sign-ins are recorded as handled so the next lookup does not consider them again.
        await deps.aws.store.markPosted(
            groups.suppress.map((s) => postedKey(rule.id, s.eventId)),
            run.expiresAt,
        );
    }
    try {
        // Sign-ins from a new network go first, under the raised severity (and its mention).
        const urgent: RunTimeRule = { ...rule, severity: raisedTo ?? rule.severity };
        await deliverSignIns(run, batch, urgent, { ...run.presentation, variant: "new-network" }, raise);
        await deliverSignIns(run, batch, rule, run.presentation, report);
        // Downgraded sign-ins are posted as informational, without the rule's mention.
        const known: RunTimeRule = { ...rule, severity: "info" };
        await deliverSignIns(run, batch, known, { ...run.presentation, mentions: {}, variant: "known" }, groups.downgrade);
    } finally {
        // What Slack took before a failure still teaches and counts.
        await closeBatch(run, batch);
    }
}

/** What an alarm says on its own, in a presentation: that events are on their way, or (if asked for) that it is back to OK. */
function alarmNote(run: RuleRun, alarm: AlarmNotification, foundNone: boolean): ((p: Presentation) => SlackMessage) | undefined {
    if (alarm.newState === "ALARM" && foundNone) {
        return (p) => buildPendingMessage(run.rule, alarm, p);
    }
    return alarm.newState === "OK" && run.deps.settings.notifyOnOk ? (p) => buildOkMessage(run.rule, alarm, p) : undefined;
}

/**
 * Runs `post` once per key, however many invocations ask: not when the key is recorded, and the key
 * recorded after it. `post` says whether a message reached Slack, which the report counts.
 */
export async function noteOnce(run: RuleRun, key: string, post: () => Promise<boolean>): Promise<void> {
    if ((await run.deps.aws.store.unposted([key])).size === 0) {
        return;
    }
    if (await post()) {
        run.report.messages += 1;
    }
    await record(run, [key]);
}

/** Posts the alarm's note once per state change, however many invocations the notification causes. */
export async function postAlarmNote(run: RuleRun, alarm: AlarmNotification, foundNone: boolean): Promise<void> {
    const note = alarmNote(run, alarm, foundNone);
    if (note) {
        const noteKey = `alarm#${alarm.alarmName}#${alarm.newState}#${alarm.stateChangeTime.toISOString()}`;
        await noteOnce(run, noteKey, async () => {
            // The pending note names the alarm's account; asked only when a note is to be posted.
            await nameAccounts(run, [alarm.accountId]);
            return deliverNote(run, note(run.presentation));
        });
    }
}

/** Says once, in Slack and to the operators, that part of the rule's window is older than any lookup reaches. */
export async function reportGap(run: RuleRun, gap: LookbackGap): Promise<void> {
    await noteOnce(run, `gap#${run.rule.id}#${gap.fromMs}`, async () => {
        log("warn", "the rule's cursor is older than the lookback limit; events in between are not looked up", {
            rule: run.rule.id,
            from: new Date(gap.fromMs).toISOString(),
            to: new Date(gap.toMs).toISOString(),
        });
        const delivered = await deliverNote(run, buildGapWarning(run.rule, gap, run.presentation));
        await tellOperators(run, gapNotice(run.rule, gap, run.presentation));
        return delivered;
    });
}
