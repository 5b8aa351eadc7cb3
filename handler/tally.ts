/**
 * The summary's tallies: each message Slack takes adds its events to counters of the hour it was
 * posted in (`stats#2026-11-30T09`), one UpdateItem per message, only when a summary is configured.
 * The summary then reads the hours of its period; nothing is scanned.
 */
import { log } from "./log";
import type { RuleRun } from "./sweepRun";
import type { SignIn } from "./types";

// Long enough for a weekly summary posted late; then DynamoDB's TTL removes the hour.
const TALLY_DAYS = 35;
// A principal's name is attacker-controlled (a failed sign-in's user name); a counter name need not hold more.
const MAX_NAME = 200;

/** Counter names, one place for the writer and the reader. */
export const COUNTERS = {
    rulePrefix: "rule:",
    whoPrefix: "who:",
    newNetworkPrefix: "new:",
    backstop: "backstop",
    failed: "failed",
} as const;

export function hourKey(atMs: number): string {
    return `stats#${new Date(atMs).toISOString().slice(0, 13)}`;
}

/** "new:<network> <who>": the network first, since it has no spaces and the name may have any. */
export function newNetworkCounter(network: string, who: string): string {
    return `${COUNTERS.newNetworkPrefix}${network} ${who.slice(0, MAX_NAME)}`;
}

/** What one posted message adds: its events under the rule and each principal, new networks, and whether the backstop posted them. */
export function postedCounters(ruleId: string, batch: readonly SignIn[], backstop: boolean): Record<string, number> {
    const counters: Record<string, number> = { [`${COUNTERS.rulePrefix}${ruleId}`]: batch.length };
    for (const signIn of batch) {
        const who = `${COUNTERS.whoPrefix}${signIn.who.slice(0, MAX_NAME)}`;
        counters[who] = (counters[who] ?? 0) + 1;
        const network = signIn.firstSeen && !signIn.firstSeen.noHistory ? signIn.firstSeen.newNetwork : undefined;
        if (network) {
            counters[newNetworkCounter(network, signIn.who)] = 1;
        }
    }
    if (backstop) {
        counters[COUNTERS.backstop] = batch.length;
    }
    return counters;
}

/** Adds to this hour's counters when a summary is configured. A failure is logged: the summary may then undercount, and says nothing false. */
export async function tally(run: RuleRun, counters: Record<string, number>): Promise<void> {
    const store = run.deps.aws.store;
    if (run.deps.settings.summary === "off" || !store.addCounters) {
        return;
    }
    const nowMs = run.deps.clock.now();
    try {
        await store.addCounters(hourKey(nowMs), counters, Math.floor(nowMs / 1000) + TALLY_DAYS * 24 * 3600);
    } catch (err) {
        log("error", "summary counters not written", { rule: run.rule.id, error: (err as Error).message, name: (err as Error).name });
    }
}
