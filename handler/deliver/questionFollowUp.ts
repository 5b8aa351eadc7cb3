/**
 * What follows a question's new state: the channel's message and the direct message show it, and a
 * denial or a silence escalates once, in the channel with the severity's mention and to the
 * operators. Each step can be done again: updates set the same content, and the escalation is
 * recorded once made (noteOnce), so a retried invocation finishes what a failed one began.
 */
import { SUBJECTS } from "../decide/catalog/en";
import { describeAccount, ruleTitle, wordsOf, type Presentation } from "../decide/messages";
import type { Question } from "../decide/question";
import { answeredMessage, escalationMessage, questionMessage, stateLine, withState } from "../decide/questionMessages";
import { deliverNote, noteOnce, tellOperators } from "./delivery";
import { noteRun, ruleRun, type RuleRun, type SweepDeps } from "./ruleRun";
import { saveQuestion, type StoredQuestion } from "../state/questions";
import type { InvocationReport } from "../common/types";

/** The run a question's messages go out under: its rule's, or a note's when the stack no longer has the rule. */
export function questionRun(deps: SweepDeps, ruleId: string, deadlineMs: number, report: InvocationReport): RuleRun {
    const rule = deps.settings.rules.find((r) => r.id === ruleId);
    return rule ? ruleRun(deps, rule, "backstop", deadlineMs, report) : noteRun(deps, ruleId, deadlineMs, report);
}

/** The channel's message and the direct message, updated in place to the question's state. */
export async function showState(run: RuleRun, q: Question, p: Presentation, minutes: number): Promise<void> {
    const api = run.deps.app.api(run.deadlineMs);
    await api.update({ channel: q.channel, ts: q.ts, ...withState(q.message, stateLine(q, p, minutes)) });
    if (q.dm) {
        const asked = questionMessage(q.message, q.accountId, q.eventId, p);
        await api.update({ ...q.dm, ...answeredMessage(asked, q, p, minutes) });
    }
}

/** Escalates a denied or unanswered question, once however many invocations get here. */
export async function escalate(run: RuleRun, q: Question, p: Presentation, minutes: number): Promise<void> {
    await noteOnce(run, `escalated#${q.eventId}`, async () => {
        const delivered = await deliverNote(run, escalationMessage(run.rule, q, p, minutes));
        const denied = q.state === "denied";
        const account = describeAccount(q.accountId, p.accountLabels, wordsOf(p));
        const title = ruleTitle(run.rule, wordsOf(p));
        await tellOperators(run, {
            subject: SUBJECTS.question(denied, q.eventId),
            message: wordsOf(p).question.operatorsNotice({ title, who: q.userId, denied, eventId: q.eventId, account, minutes }),
        });
        return delivered;
    });
}

/** Shows a question's new state and, for a denial or a silence, escalates it. */
export async function followUp(run: RuleRun, q: Question, p: Presentation, minutes: number): Promise<void> {
    await showState(run, q, p, minutes);
    if (q.state === "denied" || q.state === "unanswered") {
        await escalate(run, q, p, minutes);
    }
}

/**
 * Moves a question to its new state if it is still as it was read, then shows the state and, for
 * a denial or a silence, escalates: an answer taken and a deadline passed end alike. False when
 * another invocation changed the question first.
 */
export async function settle(
    deps: SweepDeps,
    stored: StoredQuestion,
    change: Pick<Question, "state" | "answeredAtMs">,
    deadlineMs: number,
    report: InvocationReport,
): Promise<boolean> {
    const q: Question = { ...stored.question, ...change };
    if (!(await saveQuestion(deps.aws.store, q, stored.version, deps.clock.now()))) {
        return false;
    }
    const run = questionRun(deps, q.ruleId, deadlineMs, report);
    await followUp(run, q, run.presentation, deps.settings.confirm?.minutes ?? 0);
    return true;
}
