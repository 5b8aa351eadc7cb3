/**
 * The summary's tallies: the messages Slack takes add their events to counters of the hour they were
 * posted in (a batch's at once), only when a summary is configured: its rule, the backstop and failures in the hour's
 * item (`stats#2026-11-30T09`), its principals and new networks, each principal with its account,
 * in the hour's principal items (`stats#2026-11-30T09#p0` …), chosen by the counter's name. The
 * summary then reads the hours of its period; nothing is scanned.
 */
import { newNetworkOf } from "../decide/firstSeen";
import { log } from "../common/log";
import type { CounterAddition, PrincipalName, SignIn, StateStore } from "../common/types";

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
    /** Events of principals the hour's principal items had no room to name. */
    others: "others",
} as const;

/**
 * Principal names are anyone's to choose (a failed sign-in takes any user name), so they are kept
 * apart from the rule counters, in items of at most PRINCIPAL_ITEM_BYTES each: when one was an item
 * with the rule counters, a busy hour's names took it to DynamoDB's 400 KB item limit ("Service,
 * account, and table quotas") and every later count of the hour failed, rules included. 64 KB keeps
 * an ADD to a full item at 64 write units (a write is billed on the item's size) and a weekly
 * summary's read at 168 hours × 4 × 64 KB, about 43 MB, within the function's 256 MB.
 */
export const PRINCIPAL_SHARDS = 4;
export const PRINCIPAL_ITEM_BYTES = 64 * 1024;

export function hourKey(atMs: number): string {
    return `stats#${new Date(atMs).toISOString().slice(0, 13)}`;
}

/** Every item of an hour's tally: the hour's own (rules, backstop, failures, others), then its principal items. */
export function tallyKeysOf(hour: string): string[] {
    return [hour, ...Array.from({ length: PRINCIPAL_SHARDS }, (_, n) => `${hour}#p${n}`)];
}

function isPrincipalCounter(name: string): boolean {
    return name.startsWith(COUNTERS.whoPrefix) || name.startsWith(COUNTERS.newNetworkPrefix);
}

/** The principal item a counter goes to: FNV-1a of its name, so a name always lands in the same one. */
function shardOf(name: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
        hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
    }
    return hash % PRINCIPAL_SHARDS;
}

/**
 * A principal as a counter name holds it: the account it acted in, then its parts, as JSON, each
 * name cut, so `root` of two accounts is two counters and the summary words each in the stack's
 * language ("alice (role Admin)", "alice（ロール Admin）") beside its account.
 */
export function principalToken(principal: PrincipalName, accountId: string): string {
    const cut = (name: string) => name.slice(0, MAX_NAME);
    const account = cut(accountId);
    switch (principal.kind) {
        case "name":
        case "federated":
            return JSON.stringify({ account, ...principal, name: cut(principal.name) });
        case "role-session":
            return JSON.stringify({ account, ...principal, session: cut(principal.session), role: cut(principal.role) });
        default:
            return JSON.stringify({ account, ...principal });
    }
}

/** A principal and the account it acted in, as a counter names them; tallies written before accounts were counted name none. */
export interface TalliedPrincipal {
    principal: PrincipalName;
    accountId?: string;
}

/** A counter name's principal and account; a name that is not a token (written by hand) is taken as a plain name. */
export function principalOfToken(token: string): TalliedPrincipal {
    try {
        const parsed = JSON.parse(token) as PrincipalName & { account?: unknown };
        if (parsed && typeof parsed === "object" && typeof parsed.kind === "string") {
            const { account, ...principal } = parsed;
            return typeof account === "string" ? { principal, accountId: account } : { principal };
        }
    } catch {
        // Not a token: fall through.
    }
    return { principal: { kind: "name", name: token } };
}

/** "new:<network> <principal>": the network first, since it has no spaces and the principal may have any. */
export function newNetworkCounter(network: string, signIn: Pick<SignIn, "principal" | "accountId">): string {
    return `${COUNTERS.newNetworkPrefix}${network} ${principalToken(signIn.principal, signIn.accountId)}`;
}

/** What one posted message adds: its events under the rule and each principal, new networks, and whether the backstop posted them. */
export function postedCounters(ruleId: string, batch: readonly SignIn[], backstop: boolean): Record<string, number> {
    const counters: Record<string, number> = { [`${COUNTERS.rulePrefix}${ruleId}`]: batch.length };
    for (const signIn of batch) {
        // One message for an event several rules match: each of them counts it (handler/decide/overlap.ts).
        for (const { id } of signIn.alsoMatches ?? []) {
            const counter = `${COUNTERS.rulePrefix}${id}`;
            counters[counter] = (counters[counter] ?? 0) + 1;
        }
        const who = `${COUNTERS.whoPrefix}${principalToken(signIn.principal, signIn.accountId)}`;
        counters[who] = (counters[who] ?? 0) + 1;
        const network = newNetworkOf(signIn);
        if (network) {
            counters[newNetworkCounter(network, signIn)] = 1;
        }
    }
    if (backstop) {
        counters[COUNTERS.backstop] = batch.length;
    }
    return counters;
}

/** Where an hour's tally goes, whose work it is (for the log), and when: the hour it is counted in. */
export interface TallyScope {
    store: StateStore;
    ruleId: string;
    nowMs: number;
}

/** Adds one record of counters to another, as DynamoDB's ADD would. */
export function addInto(total: Record<string, number>, counters: Readonly<Record<string, number>>): void {
    for (const [name, amount] of Object.entries(counters)) {
        total[name] = (total[name] ?? 0) + amount;
    }
}

/** The hour's additions: its own item's counters (rules, backstop, failures), then each principal item's, bounded. */
function additionsOf(hour: string, counters: Readonly<Record<string, number>>): CounterAddition[] {
    const own: Record<string, number> = {};
    const shards = new Map<number, Record<string, number>>();
    for (const [name, amount] of Object.entries(counters)) {
        if (!isPrincipalCounter(name)) {
            own[name] = amount;
            continue;
        }
        const shard = shards.get(shardOf(name)) ?? {};
        shard[name] = amount;
        shards.set(shardOf(name), shard);
    }
    const principals = [...shards].map(([n, shard]) => ({ key: `${hour}#p${n}`, counters: shard, maxBytes: PRINCIPAL_ITEM_BYTES }));
    return Object.keys(own).length > 0 ? [{ key: hour, counters: own }, ...principals] : principals;
}

/**
 * Adds to this hour's counters, the hour's own and its principal items all or none; events whose
 * principal counter found no room are then counted as others. A failure is logged: the summary
 * may then undercount, and says nothing false.
 */
export async function tally(scope: TallyScope, counters: Readonly<Record<string, number>>): Promise<void> {
    const { store, ruleId, nowMs } = scope;
    const hour = hourKey(nowMs);
    const expiresAt = Math.floor(nowMs / 1000) + TALLY_DAYS * 24 * 3600;
    try {
        const left = await store.addCounters(additionsOf(hour, counters), expiresAt);
        const unnamed = [...left.values()]
            .flatMap((shard) => Object.entries(shard))
            .filter(([name]) => name.startsWith(COUNTERS.whoPrefix))
            .reduce((sum, [, amount]) => sum + amount, 0);
        if (unnamed > 0) {
            log("warn", "this hour's tally has no room to name more principals; counted as others", {
                rule: ruleId,
                hour,
                events: unnamed,
            });
            await store.addCounters([{ key: hour, counters: { [COUNTERS.others]: unnamed } }], expiresAt);
        }
    } catch (err) {
        log("error", "summary counters not written", { rule: ruleId, error: (err as Error).message, name: (err as Error).name });
    }
}
