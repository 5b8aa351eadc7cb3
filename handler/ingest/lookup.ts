/** Reading a rule's window from CloudWatch Logs page by page, within its share of the invocation's time. */
import { SIGNINS_PER_MESSAGE } from "../decide/messages";
import { log } from "../common/log";
import { parseCloudTrailRecord, toSignIn } from "../decide/parse";
import { ruleMatcher, rulesMatching } from "../decide/overlap";
import { postFound } from "../deliver/delivery";
import type { RuleRun } from "../deliver/ruleRun";
import type { ReadHistories } from "../state/history";
import type { LogEventPage, PendingLookup, RuleProgress, SignIn, TimeWindow } from "../common/types";
import { severityRank, type HandlerSettings, type RunTimeRule } from "../../shared/contract";

// FilterLogEvents keeps a nextToken valid for 24 hours; an older unfinished lookup is read again from its start.
export const PAGE_TOKEN_MAX_AGE_MS = 23 * 3600 * 1000;
// Sign-ins gathered from pages before they are posted and the paging position saved: small pages
// still fill whole messages, and an invocation killed mid-lookup loses at most this much progress.
const POST_EVERY = 10 * SIGNINS_PER_MESSAGE;
/**
 * A rule's lease while an invocation holds it: whose it is, where the rule's lookups stood when it
 * was taken, and where its cursor moves when the lease is given up, once a window has been read to
 * its end (handler/ingest/invocation.ts).
 */
export interface HeldLease {
    owner: string;
    progress: RuleProgress;
    moveCursorTo?: number;
}

/**
 * When the rule stops starting new pages: its share of the time left, as if every rule the
 * invocation takes after it (by severity, then configuration order) were still to be swept, so
 * one large window cannot starve the others. What it does not read is resumed by the next invocation.
 */
export function pagingUntil(settings: HandlerSettings, rule: RunTimeRule, nowMs: number, deadlineMs: number): number {
    const rank = (r: RunTimeRule) => severityRank(r.severity);
    const at = settings.rules.findIndex((r) => r.id === rule.id);
    const after = settings.rules.filter((r, i) => rank(r) > rank(rule) || (rank(r) === rank(rule) && i > at)).length;
    return nowMs + (deadlineMs - nowMs) / (after + 1);
}

function isAbort(err: unknown): boolean {
    return (err as Error | undefined)?.name === "AbortError";
}

function readPage(run: RuleRun, window: TimeWindow, nextToken: string | undefined): Promise<LogEventPage> {
    const { aws, settings } = run.deps;
    return aws.filterLogEventsPage(settings.trailLogGroupName, run.rule.pattern, window, nextToken, run.deadlineMs);
}

type Matchers = Parameters<typeof rulesMatching>[0];

/** The rule's events of a page as sign-ins by event id; records that do not parse are skipped with a reason. */
function collect(run: RuleRun, matchers: Matchers, page: LogEventPage, byId: Map<string, SignIn>): number {
    let found = 0;
    for (const event of page.events) {
        const parsed = parseCloudTrailRecord(event.message);
        if (!parsed.ok) {
            run.report.skipped.push(`${run.rule.id}: ${parsed.reason}`);
            log("warn", "skipped a log event", { rule: run.rule.id, reason: parsed.reason });
            continue;
        }
        byId.set(parsed.value.eventID, { ...toSignIn(parsed.value), matchedRules: rulesMatching(matchers, event.message) });
        found += 1;
    }
    return found;
}

/**
 * Reads a window page by page, posting what it finds every {@link POST_EVERY} sign-ins and then
 * saving the position (the window and the next page's token), until the window ends, the rule's
 * share of time is used up, or a page does not come back before the deadline. Returns whether the
 * window was read to its end and how many events it found.
 */
export async function readWindow(
    run: RuleRun,
    lease: HeldLease,
    start: { window: TimeWindow; nextToken?: string },
    cursorMs: number | undefined,
    untilMs: number,
): Promise<{ done: boolean; found: number }> {
    const { deps, rule } = run;
    const { window } = start;
    const byId = new Map<string, SignIn>();
    // Every rule's pattern, compiled once per lookup: each record is tested against all of them
    // (handler/decide/overlap.ts) but this rule's, which CloudWatch's own evaluation found it by.
    const matchers: Matchers = deps.settings.rules.map((r) => [r.id, r.id === rule.id ? () => true : ruleMatcher(r)] as const);
    // The first-seen histories, read by the first batch that needs them and carried to the next.
    const histories: ReadHistories = new Map();
    let token = start.nextToken;
    let found = 0;
    let slowestPageMs = 0;
    const savePosition = async () => {
        await postFound(run, window, byId, histories);
        // Posted or recorded: the next page's events start a new batch.
        byId.clear();
        if (token !== undefined) {
            const pending: PendingLookup = { window, nextToken: token, savedAtMs: deps.clock.now() };
            await keepProgress(run, lease, { ...(cursorMs === undefined ? {} : { cursorMs }), pending });
        }
    };
    for (let pages = 0; ; pages++) {
        const startedAt = deps.clock.now();
        // One page always, so every invocation makes progress; then only pages expected back in time.
        if (pages > 0 && startedAt + slowestPageMs >= untilMs) {
            await savePosition();
            return { done: false, found };
        }
        let page: LogEventPage;
        try {
            page = await readPage(run, window, token);
        } catch (err) {
            if (!isAbort(err)) {
                throw err;
            }
            log("warn", "a lookup page did not come back before the deadline", { rule: rule.id, window, pages });
            await savePosition();
            return { done: false, found };
        }
        slowestPageMs = Math.max(slowestPageMs, deps.clock.now() - startedAt);
        found += collect(run, matchers, page, byId);
        token = page.nextToken;
        if (token === undefined) {
            await postFound(run, window, byId, histories);
            return { done: true, found };
        }
        if (byId.size >= POST_EVERY) {
            await savePosition();
        }
    }
}

/**
 * Keeps where the rule's lookups stand, while the lease is ours. Once another invocation holds it
 * (ours expired and was taken), the cursor and lookup are that invocation's to keep: ours is left
 * unwritten, which at worst has a later lookup read again what this one posted, and find it recorded.
 */
export async function keepProgress(run: RuleRun, lease: HeldLease, progress: RuleProgress): Promise<void> {
    if (!(await run.deps.aws.store.saveProgress(run.rule.id, lease.owner, progress))) {
        log("warn", "the rule's lease is another invocation's now; its progress is left to that one", { rule: run.rule.id });
    }
}
