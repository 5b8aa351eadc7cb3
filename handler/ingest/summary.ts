/**
 * The periodic summary: the hours of the period just ended, added up from the tallies each posted
 * message left (handler/state/tally.ts), so a quiet channel is visibly quiet rather than broken.
 */
import { buildSummaryMessage } from "../decide/reports";
import { postedExpiresAt, presentationOf, recordPosted, type SweepDeps } from "../deliver/ruleRun";
import { COUNTERS, hourKey, principalOfToken, tallyKeysOf, type TalliedPrincipal } from "../state/tally";
import type { Presentation } from "../decide/messages";
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

/** A tallied principal (and, for a new network, the network), with how many events; `key`'s parts order and merge lines. */
interface Line extends TalliedPrincipal {
    network?: string;
    count: number;
    key: string[];
}

/** A line's principal and, where it names one, account. */
function who({ principal, accountId }: Line): TalliedPrincipal {
    return accountId !== undefined ? { principal, accountId } : { principal };
}

/** Lines in the order of their keys' parts: the principal, then the account, then the network. */
function byKey(a: Line, b: Line): number {
    return a.key.map((part, i) => part.localeCompare(b.key[i]!)).find((order) => order !== 0) ?? 0;
}

/**
 * The tallied principals as lines, one per principal and network and, where the summary names
 * accounts, account. Where it does not (every principal acted in one account), a principal's
 * counters from before accounts were counted and after are one line; where it does, those from
 * before are lines of their own, without an account rather than under a guessed one.
 */
function linesOf(tallied: ReadonlyArray<Omit<Line, "key">>, byAccount: boolean): Line[] {
    const lines = new Map<string, Line>();
    for (const { principal, accountId, network, count } of tallied) {
        const account = byAccount ? accountId : undefined;
        // The principal first, so one principal's lines of several accounts sort together.
        const key = [JSON.stringify(principal), account ?? "", network ?? ""];
        const line = lines.get(JSON.stringify(key));
        if (line) {
            line.count += count;
        } else {
            lines.set(JSON.stringify(key), {
                principal,
                ...(account !== undefined ? { accountId: account } : {}),
                ...(network ? { network } : {}),
                count,
                key,
            });
        }
    }
    return [...lines.values()];
}

/**
 * The report of a period from its hours' tallies. Every rule is listed, with zero when nothing was
 * posted. A principal is a line per account, each naming its account, where the stack serves an
 * organization (`organization`) or the period's principals acted in more than one account; else
 * its account goes unsaid, as before accounts were counted.
 */
export function summaryReport(
    period: Exclude<SummaryPeriod, "off">,
    window: { fromMs: number; toMs: number },
    rules: readonly Pick<RunTimeRule, "id" | "title">[],
    tallies: Iterable<Record<string, number>>,
    organization = false,
): SummaryReport {
    const total = added(tallies);
    const named = withPrefix(total, COUNTERS.whoPrefix).map(([token, count]) => ({ ...principalOfToken(token), count }));
    const networks = withPrefix(total, COUNTERS.newNetworkPrefix).map(([name]) => ({
        ...principalOfToken(name.slice(name.indexOf(" ") + 1)),
        network: name.slice(0, name.indexOf(" ")),
        count: 1,
    }));
    const byAccount = organization || new Set([...named, ...networks].flatMap((l) => l.accountId ?? [])).size > 1;
    const principals = linesOf(named, byAccount).sort((a, b) => b.count - a.count || byKey(a, b));
    const newNetworks = linesOf(networks, byAccount).sort(byKey);
    return {
        period,
        fromMs: window.fromMs,
        toMs: window.toMs,
        perRule: rules.map((rule) => ({ ruleId: rule.id, title: rule.title, count: total[`${COUNTERS.rulePrefix}${rule.id}`] ?? 0 })),
        perPrincipal: principals.slice(0, SUMMARY_TOP_PRINCIPALS).map((line) => ({ ...who(line), count: line.count })),
        otherPrincipals: Math.max(0, principals.length - SUMMARY_TOP_PRINCIPALS),
        newNetworks: newNetworks.slice(0, SUMMARY_NEW_NETWORKS).map((line) => ({ ...who(line), network: line.network ?? "" })),
        unnamedPrincipalEvents: total[COUNTERS.others] ?? 0,
        backstopOnly: total[COUNTERS.backstop] ?? 0,
        failures: total[COUNTERS.failed] ?? 0,
    };
}

/**
 * The presentation of a summary: where the stack serves an organization, the accounts its lines
 * show take their names from AWS Organizations unless the stack labels them, as a sign-in's do.
 */
async function namedAccounts(deps: SweepDeps, summary: SummaryReport): Promise<Presentation> {
    const shown = presentationOf(deps.settings);
    if (!deps.settings.organizationId) {
        return shown;
    }
    const accountIds = [...summary.perPrincipal, ...summary.newNetworks].flatMap((line) => line.accountId ?? []);
    return { ...shown, accountLabels: await deps.accounts.labelsFor(accountIds, shown.accountLabels) };
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
    const summary = summaryReport(period, window, settings.rules, tallies.values(), settings.organizationId !== undefined);
    const message = buildSummaryMessage(summary, await namedAccounts(deps, summary));
    await deps.send(message, deadlineMs);
    report.messages += 1;
    // Recorded as posted messages are, retried through the time held back, so a retry never posts it twice.
    await recordPosted(aws.store, clock, [key], postedExpiresAt(clock.now()), deadlineMs);
}
