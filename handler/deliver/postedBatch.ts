/**
 * One lookup batch on its way to Slack: the first-seen histories its sign-ins were marked against,
 * and what its posted messages teach those histories and add to the summary's tallies, written once
 * when the batch is done (a burst's 1,000 sign-ins are a few batches, not 25 messages' worth of
 * writes; the histories are read once a lookup, with the batch's posted records where they fit,
 * then carried from batch to batch). Both writes only add detail and are logged, not thrown, when
 * they fail.
 */
import {
    historiesOf,
    historyKey,
    learnPosted,
    markFirstSeen,
    unreadPrincipals,
    type HistoryScope,
    type ReadHistories,
} from "../state/history";
import { batchGetRoom } from "../state/table";
import { addInto, COUNTERS, postedCounters, tally } from "../state/tally";
import type { RuleRun } from "./ruleRun";
import type { SignIn } from "../common/types";

export interface PostedBatch {
    histories: ReadHistories;
    /** Sign-ins of the messages Slack took. */
    posted: SignIn[];
    /** What they add to this hour's tally, when the stack posts a summary. */
    counters: Record<string, number>;
}

function historyScope(run: RuleRun): HistoryScope {
    return { store: run.deps.aws.store, days: run.deps.settings.firstSeen.days, ruleId: run.rule.id };
}

const summarised = (run: RuleRun): boolean => run.deps.settings.summary !== "off";

/**
 * Which of `postedKeys` are not recorded as posted and, in the same BatchGetItem calls, the
 * first-seen histories `known` lacks of as many principals of `shown` (the sign-ins that would be
 * shown, were they new) as fit in the room the posted keys leave in their last call: never a call
 * more than the posted records take alone. `known` gains them; openBatch reads any other it needs.
 */
export async function readBatch(
    run: RuleRun,
    postedKeys: readonly string[],
    shown: readonly SignIn[],
    known: ReadHistories,
): Promise<Set<string>> {
    const principals = unreadPrincipals(historyScope(run), shown, known).slice(0, batchGetRoom(postedKeys.length));
    const { unposted, documents } = await run.deps.aws.store.unpostedAndDocuments(postedKeys, principals.map(historyKey));
    for (const [principal, stored] of historiesOf(principals, documents)) {
        known.set(principal, stored);
    }
    return unposted;
}

/**
 * Marks the batch's sign-ins that will be shown against their first-seen histories: those `known`
 * holds from the lookup's batch before (what it wrote), the others read.
 */
export async function openBatch(run: RuleRun, shown: readonly SignIn[], known?: ReadHistories): Promise<PostedBatch> {
    return { histories: await markFirstSeen(historyScope(run), shown, known), posted: [], counters: {} };
}

/** Slack took a message of these sign-ins. */
export function countPosted(run: RuleRun, batch: PostedBatch, signIns: readonly SignIn[]): void {
    batch.posted.push(...signIns);
    if (summarised(run)) {
        addInto(batch.counters, postedCounters(run.rule.id, signIns, run.path === "backstop"));
    }
}

/** Slack refused these events in every form; the operators were told. */
export function countFailed(run: RuleRun, batch: PostedBatch, events: number): void {
    if (summarised(run)) {
        addInto(batch.counters, { [COUNTERS.failed]: events });
    }
}

/** Writes what the batch's posted messages taught and counted: the histories and the tally side by side. */
export async function closeBatch(run: RuleRun, batch: PostedBatch): Promise<void> {
    const { store } = run.deps.aws;
    await Promise.all([
        learnPosted(historyScope(run), batch.histories, batch.posted),
        Object.keys(batch.counters).length > 0
            ? tally({ store, ruleId: run.rule.id, nowMs: run.deps.clock.now() }, batch.counters)
            : undefined,
    ]);
}
