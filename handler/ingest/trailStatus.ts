/**
 * CloudTrail's own word on the trail, read on every scheduled sweep. The delivery heartbeat counts
 * IncomingLogEvents, which any principal allowed logs:PutLogEvents on the log group can keep up
 * after the trail has stopped or lost its role; GetTrailStatus comes from CloudTrail alone
 * (CloudTrail API Reference, "GetTrailStatus": IsLogging, LatestCloudWatchLogsDeliveryTime,
 * LatestCloudWatchLogsDeliveryError, LatestDeliveryError). The channel and the operators hear of
 * it once per change of state, kept in the state table.
 */
import { deliverNote, tellOperators } from "../deliver/delivery";
import { buildTrailStatusMessage, trailStatusNotice } from "../decide/reports";
import { log } from "../common/log";
import { noteRun, type SweepDeps } from "../deliver/ruleRun";
import type { InvocationReport, TrailHealth, TrailStatus } from "../common/types";

const DAY_MS = 24 * 3600 * 1000;

/** What the status says: healthy, or the first thing wrong, most serious first. */
export function trailHealth(status: TrailStatus, nowMs: number, quietMinutes: number): TrailHealth {
    if (!status.isLogging) {
        return { kind: "stopped" };
    }
    if (status.cloudWatchLogsError) {
        return { kind: "logs-error", error: status.cloudWatchLogsError };
    }
    if (status.s3Error) {
        return { kind: "s3-error", error: status.s3Error };
    }
    // The heartbeat's allowance, or a day: AWS's own activity reaches even an idle account's trail within one.
    const allowedMs = quietMinutes > 0 ? quietMinutes * 60000 : DAY_MS;
    if (status.cloudWatchLogsDeliveredAtMs !== undefined && nowMs - status.cloudWatchLogsDeliveredAtMs > allowedMs) {
        return { kind: "stale", sinceMs: status.cloudWatchLogsDeliveredAtMs };
    }
    return { kind: "healthy" };
}

/**
 * One word per state: a new delivery error is a new state, a later delivery time within the
 * allowance is not, and a status that cannot be read is one state per kind of error (its message
 * may carry a request id, which must not make every sweep news).
 */
function stateKey(health: TrailHealth): string {
    switch (health.kind) {
        case "logs-error":
        case "s3-error":
            return `${health.kind}:${health.error}`;
        case "unreadable":
            return `${health.kind}:${health.error.split(":")[0]}`;
        default:
            return health.kind;
    }
}

async function healthNow(deps: SweepDeps, trailArn: string): Promise<TrailHealth> {
    try {
        const status = await deps.aws.trailStatus(trailArn);
        return trailHealth(status, deps.clock.now(), deps.settings.heartbeat?.quietMinutes ?? 0);
    } catch (err) {
        // Unreadable is news too: the function's role lost the permission, or the trail is gone.
        return { kind: "unreadable", error: `${(err as Error).name}: ${(err as Error).message}` };
    }
}

/**
 * Reads the trail's status and, when its state changed since the last sweep, tells the channel and
 * the operators; the first reading of a healthy trail says nothing. The new state is stored only
 * once both were told, so a failure tells them again on the retry.
 */
export async function checkTrail(deps: SweepDeps, deadlineMs: number, report: InvocationReport): Promise<void> {
    const trailArn = deps.settings.trailArn;
    if (!trailArn) {
        return;
    }
    const store = deps.aws.store;
    const health = await healthNow(deps, trailArn);
    const key = `trail-status#${trailArn}`;
    const stored = (await store.readDocuments([key])).get(key);
    const state = stateKey(health);
    // Kept a year past the last change: a state that old is told again, once.
    const expiresAt = Math.ceil(deps.clock.now() / 1000) + 365 * 24 * 3600;
    if (stored?.body === state || (!stored && health.kind === "healthy")) {
        if (!stored) {
            await store.writeDocument(key, state, undefined, expiresAt);
        }
        return;
    }
    log(health.kind === "healthy" ? "info" : "error", "the trail's state changed", { trail: trailArn, from: stored?.body, to: state });
    const run = noteRun(deps, "trail-status", deadlineMs, report);
    const notice = { trailArn, health };
    if (await deliverNote(run, buildTrailStatusMessage(notice, run.presentation))) {
        report.messages += 1;
    }
    await tellOperators(run, trailStatusNotice(notice, run.presentation));
    await store.writeDocument(key, state, stored?.version, expiresAt);
}
