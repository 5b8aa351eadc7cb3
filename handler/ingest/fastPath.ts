/**
 * The fast path: one CloudTrail event EventBridge delivered, seconds after it happened, evaluated
 * against every rule's filter pattern as the rule's metric filter would, and posted at once. It
 * records what it posts under the same key as the lookups of the alarm and the sweep (rule and
 * CloudTrail eventID, never EventBridge's envelope id, which forwarding changes), so whichever path
 * comes first posts an event and the other finds it recorded.
 */
import { postFound } from "../deliver/delivery";
import { log } from "../common/log";
import { parseEventDetail, toSignIn, type Trigger } from "../decide/parse";
import { ruleRun, type SweepDeps, type SweepJob } from "../deliver/ruleRun";
import type { InvocationReport, SignIn } from "../common/types";
import { readLogEvent, type LogEventNode } from "../../shared/filterPattern";
import { ruleMatcher } from "../decide/overlap";
import type { RunTimeRule } from "../../shared/contract";

type EventBridgeTrigger = Extract<Trigger, { kind: "eventbridge" }>;

/** Whether the rule's pattern matches the record (read once for all rules); a pattern the evaluator refuses is reported and left to the backstop. */
function ruleMatches(rule: RunTimeRule, record: LogEventNode, report: InvocationReport): boolean {
    return ruleMatcher(rule, (reason) => {
        report.skipped.push(`${rule.id}: its filter pattern cannot be evaluated here (${reason}); left to the backstop`);
        log("error", "a rule's filter pattern cannot be evaluated on the fast path", { rule: rule.id, error: reason });
    })(record);
}

/**
 * Why an event cannot be AWS's word, if it cannot. Only AWS services put events whose source begins
 * `aws.` (PutEvents answers NotAuthorizedForSourceException for such a source: EventBridge API
 * Reference, "PutEventsResultEntry"; EventBridge Scheduler API Reference,
 * "EventBridgePutEventsV2Parameters": "The source can't start with the aws. prefix"), and
 * EventBridge sets `account` to the account the event came from; anyone allowed events:PutEvents
 * can write the rest, detail-type and detail included.
 */
export function forgeryOf(trigger: EventBridgeTrigger, servedAccount: string | undefined, organizationId?: string): string | undefined {
    if (!trigger.source?.startsWith("aws.")) {
        return `its source ${JSON.stringify(trigger.source ?? null)} is not an AWS service's, so it is not CloudTrail's`;
    }
    if (servedAccount !== undefined && trigger.account !== servedAccount) {
        const served = organizationId
            ? `which is neither this stack's nor a member of organization ${organizationId}`
            : "which this stack does not serve";
        return `it comes from account ${JSON.stringify(trigger.account ?? null)}, ${served}`;
    }
    return undefined;
}

/**
 * The jobs for an EventBridge event: one per rule whose pattern matches its detail. An event that
 * is not AWS's word, a detail that is not a CloudTrail record with an eventID and eventTime, or one
 * that matches no rule, is skipped with a reason: nothing is posted and the invocation succeeds.
 */
export function planEvent(
    trigger: EventBridgeTrigger,
    rules: readonly RunTimeRule[],
    report: InvocationReport,
    servedAccount: string | undefined,
    organizationId?: string,
): SweepJob[] {
    const forgery = forgeryOf(trigger, servedAccount, organizationId);
    if (forgery) {
        report.skipped.push(`EventBridge event ${trigger.envelopeId}: refused, ${forgery}`);
        log("error", "refused an EventBridge event that is not AWS's word", { envelopeId: trigger.envelopeId, reason: forgery });
        return [];
    }
    const detail = parseEventDetail(trigger.detail);
    if (!detail.ok) {
        const reason = `EventBridge event ${trigger.envelopeId}: ${detail.reason}`;
        report.skipped.push(reason);
        log("warn", "skipped an EventBridge event", { envelopeId: trigger.envelopeId, detailType: trigger.detailType, reason });
        return [];
    }
    const record = readLogEvent(detail.value.text);
    const matched = rules.filter((rule) => ruleMatches(rule, record, report));
    const event: SignIn = { ...toSignIn(detail.value.record), matchedRules: matched.map((rule) => rule.id) };
    const jobs = matched.map((rule) => ({ rule, event }));
    if (jobs.length === 0) {
        report.skipped.push(`EventBridge event ${trigger.envelopeId}: CloudTrail event ${event.eventId} matches no rule`);
        log("info", "an EventBridge event matches no rule", { envelopeId: trigger.envelopeId, eventId: event.eventId });
    }
    return jobs;
}

/** Posts one event of a rule unless a path already posted it; the caller holds the rule's lease. */
export async function postEvent(
    deps: SweepDeps,
    rule: RunTimeRule,
    event: SignIn,
    deadlineMs: number,
    report: InvocationReport,
): Promise<void> {
    const run = ruleRun(deps, rule, "fast", deadlineMs, report);
    const at = event.eventTime.getTime();
    await postFound(run, { startMs: at, endMs: at }, new Map([[event.eventId, event]]));
}
