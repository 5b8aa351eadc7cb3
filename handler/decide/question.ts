/**
 * "Was this you?", decided: which sign-ins are asked about, whom to ask, and what an answer does to
 * a question. Pure: the asking and the answering (handler/deliver/confirmation.ts,
 * handler/ingest/answer.ts) do what these say.
 */
import { EMAIL_ADDRESS, SLACK_USER_ID } from "../../shared/addresses";
import type { Answer, ConfirmConfig, QuestionState } from "../../shared/confirm";
import type { Severity } from "../../shared/contract";
import type { SignIn } from "../common/types";
import type { NotAskedReason, Remedy } from "./catalog";
import type { SlackMessage } from "./messages";

/** A question as the state table keeps it (`question#<eventID>`). */
export interface Question {
    eventId: string;
    ruleId: string;
    severity: Severity;
    state: QuestionState;
    /** Who was asked, and in which workspace: only they, there, may answer. */
    userId: string;
    teamId: string;
    askedAtMs: number;
    /** Unanswered by then, it escalates. */
    deadlineMs: number;
    /** The channel's message about the sign-in, which shows the question's state. */
    channel: string;
    ts: string;
    /** That message as posted, without its state line, to post again with a new one. */
    message: SlackMessage;
    /** The direct message with the buttons, once sent. */
    dm?: { channel: string; ts: string };
    accountId: string;
    remedy: Remedy;
    answeredAtMs?: number;
}

/** Whether a rule's sign-in is asked about: its rule or its severity is listed. */
export function asksAbout(confirm: ConfirmConfig | undefined, ruleId: string, severity: Severity): boolean {
    return confirm !== undefined && (confirm.rules.includes(ruleId) || confirm.severities.includes(severity));
}

/** Whom to ask: a Slack user by id or email, an IAM user whose email tag names them, or nobody and why. */
export type PersonToAsk =
    | { kind: "user-id"; userId: string }
    | { kind: "email"; email: string }
    | { kind: "iam-user"; userName: string }
    | { kind: "nobody"; reason: NotAskedReason };

function mapped(value: string): PersonToAsk {
    return SLACK_USER_ID.test(value) ? { kind: "user-id", userId: value } : { kind: "email", email: value };
}

/**
 * Whom to ask about a sign-in. Never guessed: root (a shared credential) and role sessions other
 * than IAM Identity Center's (a role is assumed by whoever may) are never asked, whatever the
 * configuration says; an unknown or hidden user name has nobody to ask. `confirmUsers` wins, by
 * `<account>/<name>` then by name; then an Identity Center user name that is an email; then an IAM
 * user of the stack's own account, whose `email` tag is read (IAM answers only for its own account,
 * so a member account's user of the same name is somebody else).
 */
export function personToAsk(signIn: SignIn, confirm: ConfirmConfig, ownAccountId: string | undefined): PersonToAsk {
    const principal = signIn.principal;
    if (principal.kind === "root" || (principal.kind === "role-session" && signIn.person === undefined)) {
        return { kind: "nobody", reason: { kind: "shared" } };
    }
    const name = signIn.person ?? signIn.userName;
    if (name === undefined) {
        const who = principal.kind === "name" || principal.kind === "federated" ? principal.name : principal.kind;
        return { kind: "nobody", reason: { kind: "unknown-person", who } };
    }
    const listed = confirm.users[`${signIn.accountId}/${name}`] ?? confirm.users[name];
    if (listed !== undefined) {
        return mapped(listed);
    }
    if (signIn.person !== undefined && EMAIL_ADDRESS.test(signIn.person)) {
        return { kind: "email", email: signIn.person };
    }
    if (signIn.identityType === "IAMUser" && signIn.userName !== undefined && signIn.accountId === ownAccountId) {
        return { kind: "iam-user", userName: signIn.userName };
    }
    return { kind: "nobody", reason: { kind: "unknown-person", who: name } };
}

/** What the person can do about a sign-in they did not make. */
export function remedyFor(signIn: SignIn): Remedy {
    if (signIn.person !== undefined) {
        return "identity-center";
    }
    return signIn.identityType === "IAMUser" ? "iam-user" : "other";
}

/** What an answer does: takes the question to a new state, or is refused with the reason the clicker is told. */
export type Judgement =
    | { kind: "take"; state: "confirmed" | "denied" }
    | { kind: "late" }
    | { kind: "again"; confirmed: boolean }
    | { kind: "refuse"; reason: "unknown" | "other-workspace" | "not-yours" | "expired" | "answered" };

/** Judges an answer by when it was received: a click before the deadline counts, even if handled after it. */
export function judgeAnswer(
    question: Question | undefined,
    answer: { answer: Answer; teamId: string; userId: string; receivedAtMs: number },
): Judgement {
    if (!question) {
        return { kind: "refuse", reason: "unknown" };
    }
    if (answer.teamId !== question.teamId) {
        return { kind: "refuse", reason: "other-workspace" };
    }
    if (answer.userId !== question.userId) {
        return { kind: "refuse", reason: "not-yours" };
    }
    const state = answer.answer === "yes" ? "confirmed" : "denied";
    if (question.state === "confirmed" || question.state === "denied") {
        // A double click, or Slack's retry: the same answer again changes nothing.
        return question.state === state ? { kind: "again", confirmed: state === "confirmed" } : { kind: "refuse", reason: "answered" };
    }
    if (question.state === "unanswered") {
        return { kind: "refuse", reason: "expired" };
    }
    return answer.receivedAtMs > question.deadlineMs ? { kind: "late" } : { kind: "take", state };
}

/** The questions of `open` (eventID → deadline) whose deadline has passed. */
export function overdue(open: Readonly<Record<string, number>>, nowMs: number): string[] {
    return Object.entries(open)
        .filter(([, deadlineMs]) => deadlineMs <= nowMs)
        .map(([eventId]) => eventId);
}
