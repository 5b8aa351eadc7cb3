/**
 * The drift check of the organization's StackSet, run on the hourly schedule the program creates
 * with the organization mode (program/organization/driftCheck.ts). CloudFormation detects a
 * StackSet's drift asynchronously (API Reference, "DetectStackSetDrift": it returns an OperationId;
 * DescribeStackSetOperation tells the operation's Status; ListStackInstances filtered on
 * DRIFT_STATUS lists the instances the last detection found DRIFTED). So each run first reads the
 * detection an earlier run started, kept in the state table, and tells of a change in the drifted
 * instances; then, once a day, it starts the next detection. The channel and the operators hear of
 * drift once per change of the drifted set, as they hear of the trail's state (trailStatus.ts),
 * and of checks that have not completed for DRIFT_STALE_AFTER_MS, so a check that never succeeds
 * is not silent.
 */
import { buildDriftMessage, driftNotice, DRIFTED_SHOWN, type DriftNews } from "../decide/driftReports";
import type { Presentation } from "../decide/messages";
import { deliverNote, tellOperators } from "../deliver/delivery";
import { noteRun, type SweepDeps } from "../deliver/ruleRun";
import { log } from "../common/log";
import type { DriftedInstance, DriftProblem, InvocationReport, StackSetOperationState, StackSetRef } from "../common/types";

const HOUR_MS = 3600_000;

/**
 * How often a detection starts: daily. A detection checks every stack instance in every account and
 * region, and holds the StackSet's one operation at a time (CloudFormation queues a deployment behind
 * it, with managed execution) for as long; the tampering rules already report in minutes the calls
 * they name, so drift detection is the daily backstop for changes made under other names.
 */
export const DRIFT_DETECTION_INTERVAL_MS = 24 * HOUR_MS;
// The hourly schedule fires within seconds of its time, never half an hour early: a detection that
// started yesterday at 09:00:05 is due at today's 09:00:02 run.
const SCHEDULE_SLACK_MS = HOUR_MS / 2;

/** How long without a completed detection before the channel and the operators are told: three days' detections. */
export const DRIFT_STALE_AFTER_MS = 3 * DRIFT_DETECTION_INTERVAL_MS;

/** Drifted instances read per run, 100 a page: more are counted from the detection's own figure, not listed. */
export const DRIFTED_LISTED_MAX = 500;

// DescribeStackSetOperation's statuses of an operation that has ended (CloudFormation API Reference, "StackSetOperation").
const ENDED: readonly string[] = ["SUCCEEDED", "FAILED", "STOPPED"];

/** What the state table keeps of the StackSet's drift checks, one document per StackSet. */
export interface DriftCheckState {
    /** The detection started and not yet read back. */
    pending?: { operationId: string; startedAtMs: number };
    /** When the last detection started: the next starts DRIFT_DETECTION_INTERVAL_MS later. */
    startedAtMs?: number;
    /** When a detection last completed on every instance; before the first, when the checks began. */
    completedAtMs: number;
    /** Why the detections since then have not completed, as last seen. */
    problem?: DriftProblem;
    /** The drifted instances last told, `<account> <region>`, sorted; empty when none are (or nothing was told). */
    drifted: string[];
    /** Whether the channel was told that no detection completes. */
    failingTold: boolean;
}

export function driftCheckKey(stackSet: StackSetRef): string {
    return `drift-check#${stackSet.name}`;
}

function stateOf(body: string | undefined, nowMs: number): DriftCheckState {
    const fresh: DriftCheckState = { completedAtMs: nowMs, drifted: [], failingTold: false };
    if (body === undefined) {
        return fresh;
    }
    try {
        const stored = JSON.parse(body) as DriftCheckState;
        return typeof stored.completedAtMs === "number" && Array.isArray(stored.drifted) ? stored : fresh;
    } catch {
        log("warn", "the drift check's state is not JSON; starting afresh", { body: body.slice(0, 200) });
        return fresh;
    }
}

function errorText(err: unknown): string {
    return `${(err as Error).name}: ${(err as Error).message}`;
}

/** The drifted instances, a page at a time, up to DRIFTED_LISTED_MAX. */
async function driftedInstances(deps: SweepDeps, stackSet: StackSetRef): Promise<DriftedInstance[]> {
    const instances: DriftedInstance[] = [];
    let nextToken: string | undefined;
    do {
        const page = await deps.aws.listDriftedStackInstances(stackSet, nextToken);
        instances.push(...page.instances);
        nextToken = page.nextToken;
    } while (nextToken !== undefined && instances.length < DRIFTED_LISTED_MAX);
    return instances.slice(0, DRIFTED_LISTED_MAX);
}

/** A detection that ended: complete when it succeeded and checked every instance; otherwise why not. */
function outcomeOf(operationId: string, operation: StackSetOperationState): DriftProblem | undefined {
    const failed = operation.drift?.failed ?? 0;
    if (operation.status === "SUCCEEDED" && failed === 0) {
        return undefined;
    }
    if (operation.status === "SUCCEEDED") {
        return { kind: "partial", operationId, failed, total: operation.drift?.total ?? failed };
    }
    return { kind: "ended", operationId, status: operation.status, ...(operation.statusReason ? { reason: operation.statusReason } : {}) };
}

/**
 * Reads the pending detection. One still running is left to the next run; one CloudFormation no
 * longer knows is dropped (the next detection replaces it). One that ended, however, is read to
 * its drifted instances: a FAILED or STOPPED detection still checked some, and their drift is news.
 */
async function readPending(deps: SweepDeps, stackSet: StackSetRef, state: DriftCheckState, report: InvocationReport): Promise<DriftNews[]> {
    const { operationId, startedAtMs } = state.pending!;
    let operation: StackSetOperationState;
    let drifted: DriftedInstance[];
    try {
        operation = await deps.aws.describeStackSetOperation(stackSet, operationId);
        if (!ENDED.includes(operation.status)) {
            state.problem = { kind: "running", operationId, sinceMs: startedAtMs };
            report.skipped.push(
                `drift detection ${operationId} of StackSet ${stackSet.name} is ${operation.status}; the next check reads it`,
            );
            log("info", "the drift detection has not ended yet", { stackSet: stackSet.name, operationId, status: operation.status });
            return [];
        }
        drifted = await driftedInstances(deps, stackSet);
    } catch (err) {
        state.problem = { kind: "error", error: errorText(err) };
        if ((err as Error).name === "OperationNotFoundException") {
            delete state.pending;
        }
        log("warn", "could not read the drift detection", { stackSet: stackSet.name, operationId, error: errorText(err) });
        return [];
    }
    delete state.pending;
    const problem = outcomeOf(operationId, operation);
    if (problem) {
        state.problem = problem;
        log("warn", "the drift detection did not complete", { stackSet: stackSet.name, ...problem });
    } else {
        state.completedAtMs = deps.clock.now();
        delete state.problem;
    }
    return driftNews(stackSet, operationId, state, drifted, operation.drift?.drifted ?? 0);
}

/** News when the drifted set differs from the one last told: the instances now drifted, or none any more. */
function driftNews(
    stackSet: StackSetRef,
    operationId: string,
    state: DriftCheckState,
    drifted: DriftedInstance[],
    counted: number,
): DriftNews[] {
    const keys = drifted.map((i) => `${i.account} ${i.region}`).sort();
    if (keys.join("\n") === state.drifted.join("\n")) {
        return [];
    }
    state.drifted = keys;
    log(keys.length > 0 ? "error" : "info", "the StackSet's drifted instances changed", { stackSet: stackSet.name, drifted: keys });
    if (keys.length === 0) {
        return [{ kind: "in-sync", stackSet }];
    }
    return [{ kind: "drifted", stackSet, operationId, instances: drifted, total: Math.max(drifted.length, counted) }];
}

/**
 * Starts the day's detection. CloudFormation runs one operation of a StackSet at a time; with
 * managed execution it queues a conflicting one (QUEUED), otherwise it answers
 * OperationInProgressException: then nothing is started and the next run, an hour later, tries
 * again. Any other error is kept as the problem and tried again the same way.
 */
async function startDetection(deps: SweepDeps, stackSet: StackSetRef, state: DriftCheckState, report: InvocationReport): Promise<void> {
    const nowMs = deps.clock.now();
    try {
        const operationId = await deps.aws.detectStackSetDrift(stackSet);
        state.pending = { operationId, startedAtMs: nowMs };
        state.startedAtMs = nowMs;
        log("info", "started a drift detection", { stackSet: stackSet.name, operationId });
    } catch (err) {
        if ((err as Error).name !== "OperationInProgressException") {
            state.problem = { kind: "error", error: errorText(err) };
            log("warn", "could not start a drift detection", { stackSet: stackSet.name, error: errorText(err) });
            return;
        }
        state.problem ??= { kind: "busy" };
        report.skipped.push(`another operation of StackSet ${stackSet.name} is in progress; the next check starts the drift detection`);
        log("info", "another operation of the StackSet is in progress; the drift detection waits for the next check", {
            stackSet: stackSet.name,
        });
    }
}

/** News when the checks began or stopped completing: told once when stale, once when complete again. */
function failingNews(stackSet: StackSetRef, state: DriftCheckState, nowMs: number): DriftNews[] {
    const stale = nowMs - state.completedAtMs > DRIFT_STALE_AFTER_MS;
    if (stale === state.failingTold) {
        return [];
    }
    state.failingTold = stale;
    log(stale ? "error" : "info", stale ? "no drift detection has completed for days" : "drift detections complete again", {
        stackSet: stackSet.name,
        completedAt: new Date(state.completedAtMs).toISOString(),
        problem: state.problem,
    });
    return [
        stale
            ? { kind: "failing", stackSet, sinceMs: state.completedAtMs, problem: state.problem ?? { kind: "busy" } }
            : { kind: "working", stackSet },
    ];
}

/** The presentation of the news: a drifted member account shown with its name from AWS Organizations, as its sign-ins are. */
async function presentationOf(deps: SweepDeps, news: DriftNews, presentation: Presentation): Promise<Presentation> {
    if (news.kind !== "drifted") {
        return presentation;
    }
    const shown = news.instances.slice(0, DRIFTED_SHOWN).map((i) => i.account);
    return { ...presentation, accountLabels: await deps.accounts.labelsFor(shown, deps.settings.accountLabels) };
}

/**
 * One run of the drift check: read the pending detection, start the day's, tell what changed to
 * the channel and the operators, then store the state. Told first, stored after, as checkTrail
 * does: a failure to tell fails the invocation, and Lambda's retry tells again.
 */
export async function checkDrift(deps: SweepDeps, stackSet: StackSetRef, deadlineMs: number, report: InvocationReport): Promise<void> {
    if (deps.settings.organizationId === undefined) {
        report.skipped.push(`a drift check of StackSet ${stackSet.name} was asked for, but this stack serves no organization`);
        return;
    }
    const store = deps.aws.store;
    const key = driftCheckKey(stackSet);
    const stored = (await store.readDocuments([key])).get(key);
    const nowMs = deps.clock.now();
    const state = stateOf(stored?.body, nowMs);
    const news = state.pending ? await readPending(deps, stackSet, state, report) : [];
    if (
        !state.pending &&
        (state.startedAtMs === undefined || nowMs - state.startedAtMs >= DRIFT_DETECTION_INTERVAL_MS - SCHEDULE_SLACK_MS)
    ) {
        await startDetection(deps, stackSet, state, report);
    }
    news.push(...failingNews(stackSet, state, nowMs));
    const run = noteRun(deps, "stackset-drift", deadlineMs, report);
    for (const item of news) {
        const presentation = await presentationOf(deps, item, run.presentation);
        if (await deliverNote(run, buildDriftMessage(item, presentation))) {
            report.messages += 1;
        }
        await tellOperators(run, driftNotice(item, presentation));
    }
    // Kept a year past the last run: the checks run hourly, so only a StackSet gone for good lets it expire.
    const expiresAt = Math.ceil(nowMs / 1000) + 365 * 24 * 3600;
    if (!(await store.writeDocument(key, JSON.stringify(state), stored?.version, expiresAt))) {
        log("warn", "another invocation checked the StackSet's drift meanwhile; its state stands", { stackSet: stackSet.name });
    }
}
