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
import { followUp } from "../deliver/questionFollowUp";
import { noteRun, ruleRun, type RuleRun, type SweepDeps } from "../deliver/ruleRun";
import { readQuestion, saveQuestion, type StoredQuestion } from "../state/questions";
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

function runFor(deps: SweepDeps, q: Question | undefined, deadlineMs: number, report: InvocationReport): RuleRun {
    const rule = deps.settings.rules.find((r) => r.id === q?.ruleId);
    return rule ? ruleRun(deps, rule, "backstop", deadlineMs, report) : noteRun(deps, q?.ruleId ?? "question", deadlineMs, report);
}

/** Takes the judged answer: the question's new state, then what Slack shows and any escalation. */
async function take(run: RuleRun, stored: StoredQuestion, judgement: Judgement, receivedAtMs: number): Promise<boolean> {
    const state = judgement.kind === "take" ? judgement.state : "unanswered";
    const q: Question = { ...stored.question, state, ...(judgement.kind === "take" ? { answeredAtMs: receivedAtMs } : {}) };
    if (!(await saveQuestion(run.deps.aws.store, q, stored.version, run.deps.clock.now()))) {
        return false;
    }
    await followUp(run, q, run.presentation, run.deps.settings.confirm?.minutes ?? 0);
    return true;
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
        const run = runFor(deps, stored?.question, deadlineMs, report);
        log("info", "an answer to a question", { questionId: click.value, judgement: judgement.kind, answer: click.answer });
        if (
            stored &&
            (judgement.kind === "take" || judgement.kind === "late") &&
            !(await take(run, stored, judgement, click.receivedAtMs))
        ) {
            continue;
        }
        await replyIfNotTaken(run, click.responseUrl, judgement, stored?.question);
        return;
    }
    throw new Error(`question ${click.value} changed three times while its answer was taken; the retry takes it`);
}
