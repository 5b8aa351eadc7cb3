/**
 * An answer to "Was this you?", as the interaction endpoint handed it over: Slack's request, checked
 * again against the signing secret (whoever may invoke this function cannot sign), then judged
 * against the question as the state table keeps it. Taken, it changes the question and what Slack
 * shows; refused, the person who clicked is told why, and nothing changes.
 */
import { log } from "../common/log";
import type { InvocationReport } from "../common/types";
import { readButtonClick } from "../decide/interaction";
import { judgeAnswer, type Judgement, type Question } from "../decide/question";
import { replyTo } from "../decide/questionMessages";
import { verifySlackRequest } from "../decide/slackSignature";
import { questionRun, settle } from "../deliver/questionFollowUp";
import type { RuleRun, SweepDeps } from "../deliver/ruleRun";
import { readQuestion } from "../state/questions";
import { answerOf, type AnswerRequest } from "../../shared/confirm";

type Handed = AnswerRequest["loginAlertsAnswer"];

/** A click, once its signature holds; undefined (and logged) when it is not Slack's word or not an answer. */
async function clickOf(deps: SweepDeps, handed: Handed, report: InvocationReport) {
    const confirm = deps.settings.confirm;
    const refuse = (reason: string) => {
        report.skipped.push(`answer refused: ${reason}`);
        log("error", "refused an answer that is not Slack's word", { reason });
        return undefined;
    };
    if (!confirm) {
        return refuse("the stack asks nobody");
    }
    const signingSecret = (await deps.aws.getSecureParameter(confirm.signingSecretParameterName)).trim();
    // The window was the endpoint's to hold; here only the signature counts, at the time it names.
    const signed = verifySlackRequest({ ...handed, signingSecret, nowSeconds: Number(handed.timestamp) });
    if (!signed.ok) {
        return refuse(signed.reason);
    }
    const read = readButtonClick(handed.body);
    const answer = read.ok ? answerOf(read.click.actionId) : undefined;
    if (!read.ok || answer === undefined) {
        return refuse(read.ok ? `action ${read.click.actionId} is not an answer` : read.reason);
    }
    return { ...read.click, answer, receivedAtMs: Number(handed.timestamp) * 1000 };
}

/** Tells the person who clicked what became of a click that did not take a question. */
async function replyIfNotTaken(run: RuleRun, url: string, judgement: Judgement, q: Question | undefined): Promise<void> {
    if (judgement.kind === "take") {
        return;
    }
    const minutes = run.deps.settings.confirm?.minutes ?? 0;
    const said = judgement.kind === "late" ? ({ kind: "refuse", reason: "expired" } as const) : judgement;
    await run.deps.app.reply(url, replyTo(said, q, run.presentation, minutes));
    run.report.skipped.push(`answer to ${q?.eventId ?? "an unknown question"}: ${said.kind === "refuse" ? said.reason : "answered again"}`);
}

/** Handles one answer; a question changed meanwhile (a double click, the sweep) is judged again. */
export async function handleAnswer(deps: SweepDeps, handed: Handed, deadlineMs: number, report: InvocationReport): Promise<void> {
    const click = await clickOf(deps, handed, report);
    if (!click) {
        return;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
        const stored = await readQuestion(deps.aws.store, click.value);
        const judgement = judgeAnswer(stored?.question, click);
        log("info", "an answer to a question", { questionId: click.value, judgement: judgement.kind, answer: click.answer });
        // An answer taken settles the question as answered; one received after its deadline, as unanswered.
        const change =
            judgement.kind === "take"
                ? { state: judgement.state, answeredAtMs: click.receivedAtMs }
                : judgement.kind === "late"
                  ? { state: "unanswered" as const }
                  : undefined;
        if (stored && change && !(await settle(deps, stored, change, deadlineMs, report))) {
            continue;
        }
        const run = questionRun(deps, stored?.question.ruleId ?? "question", deadlineMs, report);
        await replyIfNotTaken(run, click.responseUrl, judgement, stored?.question);
        return;
    }
    throw new Error(`question ${click.value} changed three times while its answer was taken; the retry takes it`);
}
