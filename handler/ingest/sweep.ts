import { postAlarmNote, reportGap } from "../deliver/delivery";
import { keepProgress, PAGE_TOKEN_MAX_AGE_MS, pagingUntil, readWindow, type HeldLease } from "./lookup";
import { alarmWindow, lookupWindow } from "../decide/parse";
import { ruleRun, type SweepDeps, type SweepJob } from "../deliver/ruleRun";
import type { InvocationReport, RuleProgress } from "../common/types";
import { LOOKBACK_LIMIT_SECONDS } from "../../shared/contract";

export { SAFETY_MS, type SweepDeps, type SweepJob } from "../deliver/ruleRun";
export type { HeldLease } from "./lookup";

// Lookups reach back as far as a dead-lettered notification can be redriven, and records of posted
// events live as long (postedExpiresAt), so no lookup can find an event whose record has expired.
const MAX_LOOKBACK_MS = LOOKBACK_LIMIT_SECONDS * 1000;

/**
 * Where the rule's lookups stand: as its lease's item has them, else (no lookup of this version has
 * written the item yet) as earlier versions kept them apart, so an upgrade neither posts again nor
 * skips what the last lookup before it left.
 */
async function progressOf(deps: SweepDeps, ruleId: string, { progress }: HeldLease): Promise<RuleProgress> {
    return progress.cursorMs !== undefined || progress.pending !== undefined ? progress : deps.aws.store.formerProgress(ruleId);
}

/**
 * Reports every event of the rule after its cursor (minus the lag allowance) that is not yet
 * recorded as posted, so nothing depends on the alarm changing state at the right moment; then
 * has the cursor moved to when the lookup began, as the lease is given up. A lookup left
 * unfinished by an earlier invocation is finished first, from where it stopped.
 */
export async function sweepRule(
    deps: SweepDeps,
    { rule, alarm }: SweepJob,
    lease: HeldLease,
    deadlineMs: number,
    report: InvocationReport,
): Promise<void> {
    const { settings, clock } = deps;
    const startMs = clock.now();
    const run = ruleRun(deps, rule, "backstop", deadlineMs, report, startMs);
    const untilMs = pagingUntil(settings, rule, startMs, deadlineMs);
    const progress = await progressOf(deps, rule.id, lease);
    let cursorMs = progress.cursorMs;
    let found = 0;
    let done = true;
    const pending = progress.pending;
    if (pending && startMs - pending.savedAtMs < PAGE_TOKEN_MAX_AGE_MS) {
        const resumed = await readWindow(run, lease, pending, cursorMs, untilMs);
        found += resumed.found;
        done = resumed.done;
        if (done) {
            await keepProgress(run, lease, { cursorMs: pending.window.endMs });
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
        const fresh = await readWindow(run, lease, { window }, cursorMs, untilMs);
        found += fresh.found;
        done = fresh.done;
        if (done) {
            // In the write that gives the lease up: one request, after the alarm's note below.
            lease.moveCursorTo = window.endMs;
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
