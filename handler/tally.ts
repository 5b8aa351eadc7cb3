/**
 * The summary's tallies: each message Slack takes adds its events to counters of the hour it was
 * posted in (`stats#2026-11-30T09`), one UpdateItem per message, only when a summary is configured.
 * The summary then reads the hours of its period; nothing is scanned.
 */
import { newNetworkOf } from "./firstSeen";
import { log } from "./log";
import type { RuleRun } from "./sweepRun";
import type { PrincipalName, SignIn } from "./types";

// Long enough for a weekly summary posted late; then DynamoDB's TTL removes the hour.
const TALLY_DAYS = 35;
// A principal's names are attacker-controlled (a failed sign-in's user name); a counter name need not hold more.
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

/**
 * A principal as a counter name holds it: its parts as JSON, each name cut, so the summary words it
 * in the stack's language ("alice (role Admin)", "alice（ロール Admin）").
 */
export function principalToken(principal: PrincipalName): string {
    const cut = (name: string) => name.slice(0, MAX_NAME);
    switch (principal.kind) {
        case "name":
        case "federated":
            return JSON.stringify({ ...principal, name: cut(principal.name) });
        case "role-session":
            return JSON.stringify({ ...principal, session: cut(principal.session), role: cut(principal.role) });
        default:
            return JSON.stringify(principal);
    }
}

/** A counter name's principal; a name that is not a token (written by hand) is taken as a plain name. */
export function principalOfToken(token: string): PrincipalName {
    try {
        const parsed = JSON.parse(token) as PrincipalName;
        if (parsed && typeof parsed === "object" && typeof parsed.kind === "string") {
            return parsed;
        }
    } catch {
        // Not a token: fall through.
    }
    return { kind: "name", name: token };
}

/** "new:<network> <principal>": the network first, since it has no spaces and the principal may have any. */
export function newNetworkCounter(network: string, principal: PrincipalName): string {
    return `${COUNTERS.newNetworkPrefix}${network} ${principalToken(principal)}`;
}

/** What one posted message adds: its events under the rule and each principal, new networks, and whether the backstop posted them. */
export function postedCounters(ruleId: string, batch: readonly SignIn[], backstop: boolean): Record<string, number> {
    const counters: Record<string, number> = { [`${COUNTERS.rulePrefix}${ruleId}`]: batch.length };
    for (const signIn of batch) {
        const who = `${COUNTERS.whoPrefix}${principalToken(signIn.principal)}`;
        counters[who] = (counters[who] ?? 0) + 1;
        const network = newNetworkOf(signIn);
        if (network) {
            counters[newNetworkCounter(network, signIn.principal)] = 1;
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
