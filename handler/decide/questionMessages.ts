/**
 * "Was this you?" in Slack: the channel's message with the question's state on its last line, the
 * direct message with the two buttons, the escalation, and the replies to a click. Pure.
 */
import type { ActionsBlock, Button } from "@slack/types";
import { ANSWER_ACTIONS } from "../../shared/confirm";
import type { RunTimeRule } from "../../shared/contract";
import type { SignIn } from "../common/types";
import { splitDelay, type NotAskedReason } from "./catalog";
import { formatEventTime } from "./eventTime";
import {
    buildSignInMessages,
    describeAccount,
    header,
    mentionPrefix,
    ruleTitle,
    wordsOf,
    type Block,
    type Presentation,
    type SlackMessage,
} from "./messages";
import { escapeSlack } from "./mrkdwn";
import type { Question } from "./question";

/** An actions block of buttons, the only elements this module builds. */
export type ButtonsBlock = Omit<ActionsBlock, "elements"> & { elements: Button[] };

/** A message the Slack app posts through the Web API: Block Kit with buttons where it asks. */
export interface AppMessage {
    text: string;
    blocks: Array<Block | ButtonsBlock>;
}

/** A reply only the person who clicked sees (block_actions' response_url: response_type ephemeral). */
export interface EphemeralReply {
    response_type: "ephemeral";
    replace_original: false;
    text: string;
}

/** Slack's mention of a user, which shows their name in the reader's client. */
export function mentionOf(userId: string): string {
    return `<@${userId}>`;
}

function stateBlock(text: string): Block {
    return { type: "context", elements: [{ type: "mrkdwn", text }] };
}

/** The channel's message for one asked-about sign-in, as the rule's messages show it. */
export function signInMessage(rule: RunTimeRule, signIn: SignIn, p: Presentation): SlackMessage {
    const built = buildSignInMessages(rule, [signIn], p)[0];
    if (!built) {
        throw new Error("a sign-in made no message");
    }
    return built.message;
}

/** The channel's message with the question's state as its last line. */
export function withState(message: SlackMessage, line: string): SlackMessage {
    return { text: `${message.text}\n${line}`, blocks: [...message.blocks, stateBlock(line)] };
}

/** The state line of a question, in the stack's language and time zone. */
export function stateLine(q: Question, p: Presentation, minutes: number): string {
    const words = wordsOf(p).question;
    const who = mentionOf(q.userId);
    const after = q.answeredAtMs === undefined ? "" : wordsOf(p).signIn.delay(splitDelay(q.answeredAtMs - q.askedAtMs));
    switch (q.state) {
        case "waiting":
            return words.waiting(who, formatEventTime(new Date(q.deadlineMs), p.timeZone, p.language));
        case "confirmed":
            return words.confirmed(who, after);
        case "denied":
            return words.denied(who, after);
        case "unanswered":
            return words.unanswered(who, minutes);
    }
}

/** The state line of a sign-in nobody was asked about. */
export function notAskedLine(reason: NotAskedReason, p: Presentation): string {
    return wordsOf(p).question.notAsked(reason);
}

/** The direct message: the sign-in's facts as the channel shows them, and the two buttons, whose value is the question. */
export function questionMessage(channelMessage: SlackMessage, accountId: string, eventId: string, p: Presentation): AppMessage {
    const words = wordsOf(p).question;
    const account = describeAccount(accountId, p.accountLabels, wordsOf(p));
    const intro = words.intro(escapeSlack(account));
    // The channel's section of the sign-in (its header and count line stay in the channel).
    const facts = channelMessage.blocks.filter((b) => b.type === "section").slice(1);
    const buttons: ButtonsBlock = {
        type: "actions",
        block_id: "login-alerts-confirm",
        elements: [
            {
                type: "button",
                action_id: ANSWER_ACTIONS.yes,
                text: { type: "plain_text", text: words.yes },
                value: eventId,
                style: "primary",
            },
            { type: "button", action_id: ANSWER_ACTIONS.no, text: { type: "plain_text", text: words.no }, value: eventId, style: "danger" },
        ],
    };
    return {
        text: intro,
        blocks: [
            { type: "header", text: { type: "plain_text", text: words.title, emoji: true } },
            { type: "section", text: { type: "mrkdwn", text: intro } },
            ...facts,
            buttons,
        ],
    };
}

/** The direct message once answered, late or refused: its buttons give way to what was recorded and what to do. */
export function answeredMessage(question: AppMessage, q: Question, p: Presentation, minutes: number): AppMessage {
    const words = wordsOf(p).question;
    const lines =
        q.state === "confirmed"
            ? [words.answeredYes]
            : q.state === "denied"
              ? [words.answeredNo, words.remedy(q.remedy, escapeSlack(describeAccount(q.accountId, p.accountLabels, wordsOf(p))))]
              : [words.answeredLate(minutes)];
    const kept = question.blocks.filter((b) => b.type !== "actions");
    return { text: lines.join("\n"), blocks: [...kept, ...lines.map((line) => stateBlock(line))] };
}

/** The channel's escalation of a denied or unanswered question, with the severity's mention. */
export function escalationMessage(rule: RunTimeRule, q: Question, p: Presentation, minutes: number): SlackMessage {
    const words = wordsOf(p);
    const title = ruleTitle(rule, words);
    const denied = q.state === "denied";
    const text = `${mentionPrefix(q.severity, p)}${words.question.escalation({ title: escapeSlack(title), who: mentionOf(q.userId), denied, minutes })}`;
    return { text, blocks: [header(q.severity, title), { type: "section", text: { type: "mrkdwn", text } }] };
}

/** The reply to a click that is not taken, or that repeats an answer. */
export function replyTo(
    judgement: { kind: "again"; confirmed: boolean } | { kind: "refuse"; reason: string },
    q: Question | undefined,
    p: Presentation,
    minutes: number,
): EphemeralReply {
    const words = wordsOf(p).question;
    const text =
        judgement.kind === "again"
            ? words.alreadyAnswered(judgement.confirmed)
            : judgement.reason === "not-yours" && q
              ? words.notYours(mentionOf(q.userId))
              : judgement.reason === "other-workspace"
                ? words.otherWorkspace
                : judgement.reason === "expired"
                  ? words.expired(minutes)
                  : judgement.reason === "answered" && q
                    ? words.alreadyAnswered(q.state === "confirmed")
                    : words.unknownQuestion;
    return { response_type: "ephemeral", replace_original: false, text };
}
