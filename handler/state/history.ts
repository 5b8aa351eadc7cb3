/**
 * The first-seen history in the state table: read before a batch is posted, so each sign-in is
 * marked against what was known before it; written after Slack took its messages, so a sign-in that
 * never reached anyone teaches nothing. Both delivery paths and every rule use the same history.
 * A batch's histories are read in one request and written back in as few (all or none, each on
 * the condition that nobody wrote it since it was read), so a burst costs a few requests per
 * batch rather than two per principal per message.
 */
import { historyExpiresAt, historyKeyOf, learn, markAll, teaches, type PrincipalHistory } from "../decide/firstSeen";
import { log } from "../common/log";
import type { DocumentWrite, SignIn, StateStore, StoredDocument } from "../common/types";

// Two invocations rarely learn the same principal at once; a few rounds of read, merge and
// conditional write settle it.
const WRITE_ATTEMPTS = 5;

/** What first-seen needs: where histories are kept, the window (0 days: first-seen is off), and whose work it is, for the log. */
export interface HistoryScope {
    store: StateStore;
    days: number;
    ruleId: string;
}

/**
 * The histories a batch was marked against, by principal key, with the version each was read at
 * (none: not stored yet), and what marking learned: the history with the batch's teaching sign-ins
 * (`taught`, their event ids) learned, which is what to write when Slack took exactly those. After
 * learnPosted it holds what was written, at its new version, so a lookup's next batch starts from
 * it instead of reading it again (if another invocation wrote one since, its conditional write
 * fails and it is read again).
 */
export type ReadHistories = Map<
    string,
    { history?: PrincipalHistory; version?: number; learned?: { history: PrincipalHistory; taught: string[] } }
>;

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

/** The stored histories of these principals, in one read; a principal without one is there with neither history nor version. */
async function readHistories(store: StateStore, principals: readonly string[]): Promise<ReadHistories> {
    return historiesOf(principals, await store.readDocuments(principals.map(historyKey)));
}

/** The principals' histories from their documents as read (historyKey); a principal without one is there with neither history nor version. */
export function historiesOf(principals: readonly string[], documents: ReadonlyMap<string, StoredDocument>): ReadHistories {
    const read: ReadHistories = new Map();
    for (const principal of principals) {
        const document = documents.get(historyKey(principal));
        const history = document ? parsed(document.body, historyKey(principal)) : undefined;
        // A history that did not parse is written over at its version, so the write's condition still guards it.
        read.set(principal, { ...(history ? { history } : {}), ...(document ? { version: document.version } : {}) });
    }
    return read;
}

function principalsOf(signIns: readonly SignIn[]): string[] {
    return [...new Set(signIns.flatMap((s) => historyKeyOf(s) ?? []))];
}

/** The principals whose histories markFirstSeen would read for these sign-ins: none when first-seen is off, and none `known` holds. */
export function unreadPrincipals(scope: HistoryScope, signIns: readonly SignIn[], known: ReadHistories): string[] {
    return scope.days <= 0 ? [] : principalsOf(signIns).filter((p) => !known.has(p));
}

/**
 * Sets `firstSeen` on each console sign-in that has a principal, from the stored histories (those
 * `known` holds from the lookup's batch before, the others read), when first-seen is on; returns
 * them, for learnPosted.
 */
export async function markFirstSeen(
    scope: HistoryScope,
    signIns: readonly SignIn[],
    known: ReadHistories = new Map(),
): Promise<ReadHistories> {
    const principals = principalsOf(signIns);
    if (scope.days <= 0 || principals.length === 0) {
        return known;
    }
    const read = known;
    const unread = unreadPrincipals(scope, signIns, read);
    for (const [principal, stored] of unread.length > 0 ? await readHistories(scope.store, unread) : []) {
        read.set(principal, stored);
    }
    const histories = new Map<string, PrincipalHistory>();
    for (const principal of principals) {
        const entry = read.get(principal)!;
        // What an earlier batch's marking learned is not this batch's.
        delete entry.learned;
        if (entry.history) {
            histories.set(principal, entry.history);
        }
    }
    const learned = markAll(histories, signIns, scope.days);
    for (const [principal, taught] of teachingByPrincipal(signIns)) {
        const history = learned.get(principal);
        const known = read.get(principal);
        if (history && known) {
            known.learned = { history, taught: taught.map((s) => s.eventId) };
        }
    }
    return read;
}

/** The sign-ins that teach the history, by principal key. */
function teachingByPrincipal(signIns: readonly SignIn[]): Map<string, SignIn[]> {
    const byPrincipal = new Map<string, SignIn[]>();
    for (const signIn of signIns.filter(teaches)) {
        const key = signIn.principalKey as string;
        const same = byPrincipal.get(key);
        if (same) {
            same.push(signIn);
        } else {
            byPrincipal.set(key, [signIn]);
        }
    }
    return byPrincipal;
}

/** Whether the sign-ins are exactly those with these event ids. */
function sameEvents(signIns: readonly SignIn[], eventIds: readonly string[]): boolean {
    const ids = new Set(eventIds);
    return signIns.length === ids.size && signIns.every((s) => ids.has(s.eventId));
}

/** Each principal's history with its posted sign-ins learned, and its write at the version it was read at. */
function learnedWrites(read: ReadHistories, byPrincipal: ReadonlyMap<string, SignIn[]>, days: number) {
    return [...byPrincipal].map(([principal, signIns]) => {
        const known = read.get(principal);
        // Marking learned the batch already, when Slack took all of it; else learn what it took.
        const history =
            known?.learned && sameEvents(signIns, known.learned.taught)
                ? known.learned.history
                : signIns.reduce<PrincipalHistory | undefined>((h, s) => learn(h, s, days), known?.history)!;
        const write: DocumentWrite = {
            key: historyKey(principal),
            body: JSON.stringify(history),
            expectedVersion: known?.version,
            expiresAtSeconds: historyExpiresAt(history, days),
        };
        return { principal, history, write };
    });
}

/**
 * Learns the principals' sign-ins: merge, write all that nobody wrote since `read`, read again
 * those someone did; a few times. `read` then holds what was written.
 */
async function learnAll(scope: HistoryScope, read: ReadHistories, byPrincipal: Map<string, SignIn[]>): Promise<void> {
    const principalOf = new Map([...byPrincipal.keys()].map((p) => [historyKey(p), p]));
    let pending = byPrincipal;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
        const learned = learnedWrites(read, pending, scope.days);
        const unwritten = new Set(await scope.store.writeDocuments(learned.map((l) => l.write)));
        for (const { principal, history, write } of learned.filter((l) => !unwritten.has(l.write.key))) {
            read.set(principal, { history, version: (write.expectedVersion ?? 0) + 1 });
        }
        if (unwritten.size === 0) {
            return;
        }
        pending = new Map([...unwritten].map((key) => [principalOf.get(key)!, byPrincipal.get(principalOf.get(key)!)!]));
        for (const [principal, again] of await readHistories(scope.store, [...pending.keys()])) {
            read.set(principal, again);
        }
    }
    throw new Error(`the histories of ${pending.size} principal(s) changed under ${WRITE_ATTEMPTS} attempts to write them`);
}

/**
 * Learns the successful sign-ins Slack has taken, against the histories they were marked with.
 * A failure is logged, not thrown: the sign-ins are already recorded as posted, so a retry would
 * not learn them either, and a missed sighting can only make a later sign-in read as new, never
 * hide it.
 */
export async function learnPosted(scope: HistoryScope, read: ReadHistories, posted: readonly SignIn[]): Promise<void> {
    const byPrincipal = teachingByPrincipal(posted);
    if (scope.days <= 0 || byPrincipal.size === 0) {
        return;
    }
    try {
        const unread = [...byPrincipal.keys()].filter((p) => !read.has(p));
        if (unread.length > 0) {
            for (const [principal, stored] of await readHistories(scope.store, unread)) {
                read.set(principal, stored);
            }
        }
        await learnAll(scope, read, byPrincipal);
    } catch (err) {
        log("error", "first-seen history not written", { rule: scope.ruleId, error: (err as Error).message, name: (err as Error).name });
        // What was not written is read again by the next batch, whatever it stands at.
        for (const principal of byPrincipal.keys()) {
            read.delete(principal);
        }
    }
}
