/**
 * The first-seen history in the state table: read before a batch is posted, so each sign-in is
 * marked against what was known before it; written after Slack took the message, so a sign-in that
 * never reached anyone teaches nothing. Both delivery paths and every rule use the same history.
 */
import { historyExpiresAt, historyKeyOf, learn, markAll, teaches, type PrincipalHistory } from "../decide/firstSeen";
import { log } from "../common/log";
import type { RuleRun } from "../deliver/ruleRun";
import type { SignIn, StateStore } from "../common/types";

// Two invocations rarely learn the same principal at once; a few rounds of read, merge and
// conditional write settle it.
const WRITE_ATTEMPTS = 5;

// Long principal keys are bounded by the store, as every key is (state/table.ts storedKey).
export function historyKey(principalKey: string): string {
    return `history#${principalKey}`;
}

function parsed(body: string, key: string): PrincipalHistory | undefined {
    try {
        return JSON.parse(body) as PrincipalHistory;
    } catch {
        // A history that cannot be read is started again: its sign-ins read "no history yet", never "known".
        log("warn", "a first-seen history could not be read; starting it again", { key });
        return undefined;
    }
}

/** The store's document calls, when the stack keeps first-seen histories and the store has them. */
type HistoryStore = Required<Pick<StateStore, "readDocuments" | "writeDocument">>;

function enabled(run: RuleRun): HistoryStore | undefined {
    const store = run.deps.aws.store;
    return run.deps.settings.firstSeen.days > 0 && store.readDocuments && store.writeDocument ? (store as HistoryStore) : undefined;
}

/** Sets `firstSeen` on each console sign-in that has a principal, from the stored histories. */
export async function markFirstSeen(run: RuleRun, signIns: readonly SignIn[]): Promise<void> {
    const store = enabled(run);
    const keys = [...new Set(signIns.flatMap((s) => historyKeyOf(s) ?? []))].map((principal) => ({
        principal,
        item: historyKey(principal),
    }));
    if (!store || keys.length === 0) {
        return;
    }
    const documents = await store.readDocuments(keys.map((k) => k.item));
    const histories = new Map<string, PrincipalHistory>();
    for (const { principal, item } of keys) {
        const document = documents.get(item);
        const history = document ? parsed(document.body, item) : undefined;
        if (history) {
            histories.set(principal, history);
        }
    }
    markAll(histories, signIns, run.deps.settings.firstSeen.days);
}

/** Learns one principal's posted sign-ins: read, merge, write if nobody wrote in between; else again. */
async function learnPrincipal(run: RuleRun, store: HistoryStore, principalKey: string, signIns: readonly SignIn[]): Promise<void> {
    const key = historyKey(principalKey);
    const days = run.deps.settings.firstSeen.days;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
        const stored = (await store.readDocuments([key])).get(key);
        let history = stored ? parsed(stored.body, key) : undefined;
        for (const signIn of signIns) {
            history = learn(history, signIn, days);
        }
        if (!history || (await store.writeDocument(key, JSON.stringify(history), stored?.version, historyExpiresAt(history, days)))) {
            return;
        }
    }
    throw new Error(`the history of ${principalKey} changed under ${WRITE_ATTEMPTS} attempts to write it`);
}

/**
 * Learns the successful sign-ins Slack has taken. A failure is logged, not thrown: the sign-ins
 * are already recorded as posted, so a retry would not learn them either, and a missed sighting can
 * only make a later sign-in read as new, never hide it.
 */
export async function learnPosted(run: RuleRun, posted: readonly SignIn[]): Promise<void> {
    const store = enabled(run);
    if (!store) {
        return;
    }
    const byPrincipal = new Map<string, SignIn[]>();
    for (const signIn of posted.filter(teaches)) {
        const key = signIn.principalKey as string;
        byPrincipal.set(key, [...(byPrincipal.get(key) ?? []), signIn]);
    }
    for (const [principalKey, signIns] of byPrincipal) {
        try {
            await learnPrincipal(run, store, principalKey, signIns);
        } catch (err) {
            log("error", "first-seen history not written", { rule: run.rule.id, error: (err as Error).message, name: (err as Error).name });
        }
    }
}
