/**
 * "Was this you?": what the program tells the function about asking the person who signed in, and
 * what the interaction endpoint hands the function when someone answers. Both sides read it here.
 */
import type { Severity } from "./severity";

/** Which sign-ins are asked about, and where and how long the question stays open. */
export interface ConfirmConfig {
    /** Rule ids whose sign-ins are asked about. */
    rules: string[];
    /** Severities whose sign-ins are asked about, whatever the rule. */
    severities: Severity[];
    /** Minutes an unanswered question waits before it escalates. */
    minutes: number;
    /** The channel id (C…, G…) where the app posts asked-about sign-ins and updates them in place. */
    channel: string;
    /**
     * Principal → Slack user id (U…, W…) or email. A principal is an IAM user or IAM Identity Center
     * user name, alone or as `<account id>/<name>` for one account's user only.
     */
    users: Record<string, string>;
}

/** The answers a person can give, as the buttons' action ids. */
export const ANSWER_ACTIONS = { yes: "login-alerts-confirm-yes", no: "login-alerts-confirm-no" } as const;
export type Answer = keyof typeof ANSWER_ACTIONS;

/** The action id's answer, or undefined for any other action. */
export function answerOf(actionId: string): Answer | undefined {
    return actionId === ANSWER_ACTIONS.yes ? "yes" : actionId === ANSWER_ACTIONS.no ? "no" : undefined;
}

/**
 * What the interaction endpoint hands the function, asynchronously: Slack's request as it came,
 * signature and all. The function checks the signature again with the signing secret, so an answer
 * is Slack's word however it arrives: anyone allowed to invoke the function could write an answer,
 * but not sign one. The endpoint alone holds it to Slack's five-minute window and refuses replays;
 * the function judges the answer by the signed timestamp, so a retried hand-over judges it as clicked.
 */
export interface AnswerRequest {
    loginAlertsAnswer: {
        /** The request body exactly as Slack sent it (application/x-www-form-urlencoded). */
        body: string;
        /** X-Slack-Request-Timestamp: epoch seconds, signed. */
        timestamp: string;
        /** X-Slack-Signature: `v0=` and the HMAC-SHA256 of `v0:<timestamp>:<body>`. */
        signature: string;
    };
}

/** A question's life: asked and waiting, answered either way, or escalated for want of an answer. */
export type QuestionState = "waiting" | "confirmed" | "denied" | "unanswered";

/** The answer endpoint's environment: deployed names only, written by the program and read by handler/interaction.ts. */
export const ANSWERS_VARIABLES = {
    signingSecretParameterName: "SIGNING_SECRET_PARAMETER_NAME",
    notifierFunctionArn: "NOTIFIER_FUNCTION_ARN",
    stateTableName: "STATE_TABLE_NAME",
} as const;

/**
 * The state table items the answer endpoint writes, one per request it took, so that a request
 * replayed within Slack's five-minute window is refused: the endpoint's role may write no other
 * key (IAM's dynamodb:LeadingKeys).
 */
export const REQUEST_KEY_PREFIX = "request#";
