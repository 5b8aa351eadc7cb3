/**
 * Questions nobody answered in time: every scheduled sweep reads the open ones and escalates those
 * past their deadline, so a silence is loud within a sweep interval of its deadline, whatever
 * happened to the direct message.
 */
import { log } from "../common/log";
import type { InvocationReport } from "../common/types";
import { overdue } from "../decide/question";
import { settle } from "../deliver/questionFollowUp";
import type { SweepDeps } from "../deliver/ruleRun";
import { openQuestions, readQuestion } from "../state/questions";

/** Escalates one overdue question, unless it was answered or escalated meanwhile. */
async function expire(deps: SweepDeps, eventId: string, deadlineMs: number, report: InvocationReport): Promise<void> {
    const stored = await readQuestion(deps.aws.store, eventId);
    if (!stored || stored.question.state !== "waiting") {
        return;
    }
    if (await settle(deps, stored, { state: "unanswered" }, deadlineMs, report)) {
        report.messages += 1;
    }
}

/** Escalates every overdue question; one that fails is retried by the invocation's retry, the others go on. */
export async function escalateUnanswered(deps: SweepDeps, deadlineMs: number, report: InvocationReport): Promise<string | undefined> {
    if (!deps.settings.confirm) {
        return undefined;
    }
    const due = overdue(await openQuestions(deps.aws.store), deps.clock.now());
    const failures: string[] = [];
    for (const eventId of due) {
        try {
            await expire(deps, eventId, deadlineMs, report);
        } catch (err) {
            log("error", "could not escalate an unanswered question", { eventId, error: (err as Error).message });
            failures.push(`${eventId}: ${(err as Error).name}: ${(err as Error).message}`);
        }
    }
    return failures.length > 0 ? `unanswered questions: ${failures.join("; ")}` : undefined;
}
