/**
 * Asking the person who signed in: the channel's message first and always, by the Slack app so that
 * it can show the question's state in place; then the question, kept in the state table; then the
 * direct message with the buttons. Whatever fails in asking, the sign-in is posted: by the app with
 * the reason nobody was asked, or (when the app cannot post at all) by the webhook like any other.
 */
import { log } from "../common/log";
import type { SignIn } from "../common/types";
import { SUBJECTS } from "../decide/catalog/en";
import type { NotAskedReason } from "../decide/catalog";
import { describeAccount, wordsOf, type Presentation } from "../decide/messages";
import { asksAbout, personToAsk, remedyFor, type PersonToAsk, type Question } from "../decide/question";
import { notAskedLine, questionMessage, signInMessage, stateLine, withState } from "../decide/questionMessages";
import { saveQuestion } from "../state/questions";
import type { RunTimeRule } from "../../shared/contract";
import type { RuleRun } from "./ruleRun";
import { isRetryable, type SlackApi } from "./slackApi";

/** Records sign-ins Slack took, as the caller's batch counts them. */
export type Delivered = (signIns: readonly SignIn[], atMs: number) => Promise<void>;

/**
 * At most this many sign-ins of one message are asked about, each its own channel message and
 * direct message: a burst (a password spray, a script) would otherwise send a person hundreds of
 * questions, one a second by Slack's pace for chat.postMessage. The rest are posted as usual.
 */
export const QUESTIONS_PER_MESSAGE = 10;

/** The sign-ins of a message the stack asks about (by the rule it is posted under, and its severity), and the rest. */
export function partitionAsked(run: RuleRun, titled: RunTimeRule, signIns: readonly SignIn[]): { asked: SignIn[]; rest: SignIn[] } {
    if (!asksAbout(run.deps.settings.confirm, run.rule.id, titled.severity)) {
        return { asked: [], rest: [...signIns] };
    }
    return { asked: signIns.slice(0, QUESTIONS_PER_MESSAGE), rest: signIns.slice(QUESTIONS_PER_MESSAGE) };
}

async function slackUserFor(run: RuleRun, api: SlackApi, person: PersonToAsk): Promise<{ userId: string } | { reason: NotAskedReason }> {
    switch (person.kind) {
        case "user-id":
            return { userId: person.userId };
        case "nobody":
            return { reason: person.reason };
        case "iam-user": {
            const email = await run.deps.aws.iamUserEmail(person.userName);
            return email === undefined ? { reason: { kind: "unknown-person", who: person.userName } } : lookUp(api, email);
        }
        case "email":
            return lookUp(api, person.email);
    }
}

async function lookUp(api: SlackApi, email: string): Promise<{ userId: string } | { reason: NotAskedReason }> {
    const found = await api.lookupByEmail(email);
    return found.found ? { userId: found.userId } : { reason: { kind: "no-slack-user", email } };
}

/** Logs why asking about a sign-in failed, as `logged` says what happens next, and tells the operators. */
async function tellAskingFailed(run: RuleRun, of: { eventId: string; accountId: string }, err: unknown, logged: string): Promise<void> {
    // Without its closing full stop: the notice goes on after it.
    const reason = `${(err as Error).name}: ${(err as Error).message}`.replace(/\.$/, "");
    log("error", logged, { eventId: of.eventId, error: reason });
    const account = describeAccount(of.accountId, run.presentation.accountLabels, wordsOf(run.presentation));
    const message = wordsOf(run.presentation).question.askingFailedNotice({ eventId: of.eventId, account, reason });
    await run.deps.aws.operators.publish(SUBJECTS.askingFailed(of.eventId), message);
}

/** Asking failed before the channel had the sign-in: the operators hear why, and the caller posts it by the webhook. */
async function askingFailed(run: RuleRun, signIn: SignIn, err: unknown): Promise<false> {
    if (isRetryable(err)) {
        throw err;
    }
    await tellAskingFailed(run, signIn, err, "could not ask about a sign-in; posting it without the question");
    return false;
}

/**
 * Posts one asked-about sign-in and asks about it. True when the channel has it; false when the
 * app could post nothing, so the caller posts it by the webhook.
 */
export async function postAndAsk(
    run: RuleRun,
    titled: RunTimeRule,
    p: Presentation,
    signIn: SignIn,
    delivered: Delivered,
): Promise<boolean> {
    const confirm = run.deps.settings.confirm;
    if (!confirm) {
        return false;
    }
    const api = run.deps.app.api(run.deadlineMs);
    const base = signInMessage(titled, signIn, p);
    const atMs = run.deps.clock.now();
    let target: { userId: string; teamId: string } | { reason: NotAskedReason };
    try {
        const found = await slackUserFor(run, api, personToAsk(signIn, confirm, run.deps.ownAccountId));
        target = "userId" in found ? { ...found, teamId: await run.deps.app.teamId(run.deadlineMs) } : found;
    } catch (err) {
        return askingFailed(run, signIn, err);
    }
    if ("reason" in target) {
        try {
            await api.postMessage({ channel: confirm.channel, ...withState(base, notAskedLine(target.reason, p)) });
        } catch (err) {
            return askingFailed(run, signIn, err);
        }
        await delivered([signIn], atMs);
        return true;
    }
    const q: Question = {
        eventId: signIn.eventId,
        ruleId: run.rule.id,
        severity: titled.severity,
        state: "waiting",
        userId: target.userId,
        teamId: target.teamId,
        askedAtMs: atMs,
        deadlineMs: atMs + confirm.minutes * 60000,
        channel: confirm.channel,
        ts: "",
        message: base,
        accountId: signIn.accountId,
        remedy: remedyFor(signIn),
    };
    try {
        const posted = await api.postMessage({ channel: confirm.channel, ...withState(base, stateLine(q, p, confirm.minutes)) });
        [q.channel, q.ts] = [posted.channel, posted.ts];
    } catch (err) {
        return askingFailed(run, signIn, err);
    }
    await ask(run, api, q, p);
    await delivered([signIn], atMs);
    return true;
}

/**
 * Keeps the question, then sends it. A direct message that cannot be sent leaves the question
 * waiting, so it escalates at its deadline; the operators hear at once.
 */
async function ask(run: RuleRun, api: SlackApi, q: Question, p: Presentation): Promise<void> {
    const store = run.deps.aws.store;
    if (!(await saveQuestion(store, q, undefined, q.askedAtMs))) {
        log("warn", "the sign-in was already asked about; not asking again", { eventId: q.eventId });
        return;
    }
    try {
        const dm = await api.postMessage({ channel: q.userId, ...questionMessage(q.message, q.accountId, q.eventId, p) });
        await saveQuestion(store, { ...q, dm }, 1, run.deps.clock.now());
    } catch (err) {
        await tellAskingFailed(run, q, err, "could not send the question; it escalates at its deadline");
    }
}
