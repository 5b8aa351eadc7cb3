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
import type { RuleRun } from "./ruleRun";

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
