/**
 * "Was this you?" in the state table: each question a versioned document (`question#<eventID>`),
 * and one document listing the open ones by deadline (`questions#open`), which the sweep reads to
 * escalate what nobody answered. A question and the list change together, all or none.
 */
import type { StateStore } from "../common/types";
import type { Question } from "../decide/question";
import { LOOKBACK_LIMIT_SECONDS } from "../../shared/contract";

const OPEN_KEY = "questions#open";
// A conflict means another invocation changed the list or the question at the same moment: read again and retry.
const ATTEMPTS = 5;

function questionKey(eventId: string): string {
    return `question#${eventId}`;
}

/** Kept as long as the function looks back, so a redriven answer still finds its question. */
function expiresAt(nowMs: number): number {
    return Math.floor(nowMs / 1000) + LOOKBACK_LIMIT_SECONDS;
}

export interface StoredQuestion {
    question: Question;
    version: number;
}

export async function readQuestion(store: StateStore, eventId: string): Promise<StoredQuestion | undefined> {
    const doc = (await store.readDocuments([questionKey(eventId)])).get(questionKey(eventId));
    return doc ? { question: JSON.parse(doc.body) as Question, version: doc.version } : undefined;
}

async function readOpen(store: StateStore): Promise<{ open: Record<string, number>; version: number | undefined }> {
    const doc = (await store.readDocuments([OPEN_KEY])).get(OPEN_KEY);
    return doc ? { open: JSON.parse(doc.body) as Record<string, number>, version: doc.version } : { open: {}, version: undefined };
}

/** The open questions, eventID → deadline. */
export async function openQuestions(store: StateStore): Promise<Record<string, number>> {
    return (await readOpen(store)).open;
}

/**
 * Writes a question at its next version, if it is still at `expectedVersion` (undefined: if it does
 * not exist), and keeps it on the open list while it waits, off it once it does not. False when the
 * question changed first; a change to the list alone is retried.
 */
export async function saveQuestion(store: StateStore, q: Question, expectedVersion: number | undefined, nowMs: number): Promise<boolean> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const { open, version } = await readOpen(store);
        const others = Object.fromEntries(Object.entries(open).filter(([id]) => id !== q.eventId));
        const listed = q.state === "waiting" ? { ...others, [q.eventId]: q.deadlineMs } : others;
        const held = await store.writeDocuments([
            { key: questionKey(q.eventId), body: JSON.stringify(q), expectedVersion, expiresAtSeconds: expiresAt(nowMs) },
            { key: OPEN_KEY, body: JSON.stringify(listed), expectedVersion: version, expiresAtSeconds: expiresAt(nowMs) },
        ]);
        if (held.length === 0) {
            return true;
        }
        const now = await readQuestion(store, q.eventId);
        if (now?.version !== expectedVersion) {
            return false;
        }
    }
    throw new Error(`the open questions changed ${ATTEMPTS} times while question ${q.eventId} was written; the retry writes it`);
}
