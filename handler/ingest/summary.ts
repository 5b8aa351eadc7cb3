/**
 * The periodic summary: the hours of the period just ended, added up from the tallies each posted
 * message left (handler/state/tally.ts), so a quiet channel is visibly quiet rather than broken.
 */
import { buildSummaryMessage } from "../decide/reports";
import { postedExpiresAt, presentationOf, recordPosted, type SweepDeps } from "../deliver/ruleRun";
import { COUNTERS, hourKey, principalOfToken, tallyKeysOf } from "../state/tally";
import type { InvocationReport, SummaryReport } from "../common/types";
import type { RunTimeRule, SummaryPeriod } from "../../shared/contract";

/** Principals named one by one; the rest are counted. */
export const SUMMARY_TOP_PRINCIPALS = 10;
/** New networks named one by one, most recent tallies first; a summary is a glance, not an audit. */
export const SUMMARY_NEW_NETWORKS = 20;

const HOUR_MS = 3600 * 1000;
const PERIOD_HOURS: Record<Exclude<SummaryPeriod, "off">, number> = { daily: 24, weekly: 24 * 7 };

/** The period that ends at the start of the hour of `atMs`: whole hours, so each tally is counted in exactly one summary. */
export function summaryPeriod(period: Exclude<SummaryPeriod, "off">, atMs: number): { fromMs: number; toMs: number; hours: string[] } {
    const toMs = Math.floor(atMs / HOUR_MS) * HOUR_MS;
    const fromMs = toMs - PERIOD_HOURS[period] * HOUR_MS;
    const hours: string[] = [];
    for (let at = fromMs; at < toMs; at += HOUR_MS) {
        hours.push(hourKey(at));
    }
    return { fromMs, toMs, hours };
}

function added(tallies: Iterable<Record<string, number>>): Record<string, number> {
    const total: Record<string, number> = {};
    for (const tally of tallies) {
        for (const [name, value] of Object.entries(tally)) {
            total[name] = (total[name] ?? 0) + value;
        }
    }
    return total;
}

function withPrefix(total: Record<string, number>, prefix: string): Array<[string, number]> {
    return Object.entries(total)
        .filter(([name]) => name.startsWith(prefix))
        .map(([name, count]): [string, number] => [name.slice(prefix.length), count]);
}

/** The report of a period from its hours' tallies. Every rule is listed, with zero when nothing was posted. */
export function summaryReport(
    period: Exclude<SummaryPeriod, "off">,
    window: { fromMs: number; toMs: number },
    rules: readonly Pick<RunTimeRule, "id" | "title">[],
    tallies: Iterable<Record<string, number>>,
): SummaryReport {
    const total = added(tallies);
    const principals = withPrefix(total, COUNTERS.whoPrefix).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    const newNetworks = withPrefix(total, COUNTERS.newNetworkPrefix)
        .map(([name]) => ({ network: name.slice(0, name.indexOf(" ")), token: name.slice(name.indexOf(" ") + 1) }))
        .sort((a, b) => a.token.localeCompare(b.token) || a.network.localeCompare(b.network));
    return {
        period,
        fromMs: window.fromMs,
        toMs: window.toMs,
        perRule: rules.map((rule) => ({ ruleId: rule.id, title: rule.title, count: total[`${COUNTERS.rulePrefix}${rule.id}`] ?? 0 })),
        perPrincipal: principals.slice(0, SUMMARY_TOP_PRINCIPALS).map(([token, count]) => ({ principal: principalOfToken(token), count })),
        otherPrincipals: Math.max(0, principals.length - SUMMARY_TOP_PRINCIPALS),
        newNetworks: newNetworks.slice(0, SUMMARY_NEW_NETWORKS).map((n) => ({ principal: principalOfToken(n.token), network: n.network })),
        unnamedPrincipalEvents: total[COUNTERS.others] ?? 0,
        backstopOnly: total[COUNTERS.backstop] ?? 0,
        failures: total[COUNTERS.failed] ?? 0,
    };
}

/**
 * Posts the summary of the period that ended when the request was scheduled (or, for a request
 * without a time, at the invocation's hour), once: a retried, redriven or repeated request finds it
 * recorded. A time still to come is taken as now: a period that has not ended has no summary yet.
 */
export async function postSummary(
    deps: SweepDeps,
    { period, scheduledMs }: { period: Exclude<SummaryPeriod, "off">; scheduledMs?: number },
    deadlineMs: number,
    report: InvocationReport,
): Promise<void> {
    const { settings, aws, clock } = deps;
    if (settings.summary === "off") {
        report.skipped.push(`a ${period} summary was asked for, but this stack posts none`);
        return;
    }
    const window = summaryPeriod(period, Math.min(scheduledMs ?? clock.now(), clock.now()));
    const key = `summary#${period}#${window.toMs}`;
    if ((await aws.store.unposted([key])).size === 0) {
        report.skipped.push(`the ${period} summary to ${new Date(window.toMs).toISOString()} is already posted`);
        return;
    }
    const tallies = await aws.store.readCounters(window.hours.flatMap(tallyKeysOf));
    const message = buildSummaryMessage(summaryReport(period, window, settings.rules, tallies.values()), presentationOf(settings));
    await deps.send(message, deadlineMs);
    report.messages += 1;
    // Recorded as posted messages are, retried through the time held back, so a retry never posts it twice.
    await recordPosted(aws.store, clock, [key], postedExpiresAt(clock.now()), deadlineMs);
}
