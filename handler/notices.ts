/**
 * What the function says beyond sign-ins and alarm notes: the plain-text stand-in for events Slack
 * refused in Block Kit, the warning that a lookup cannot reach back to a rule's cursor, and the
 * operators' version of both. Event ids come from log events, which anyone who can write to the
 * log group can forge, so every one goes through `literal` (Slack) or `plainLiteral` (email).
 */
import { formatEventTime, type SlackMessage } from "./format";
import { escapeSlack, literal, plainLiteral } from "./slackText";
import type { RunTimeRule } from "../shared/contract";

// CloudTrail's event ids are 36 characters; a forged one is cut well before it could fill a message.
const EVENT_ID_MAX = 64;
/** Event ids named in one message or report; the rest are counted. 40 ids fill under 3,000 characters. */
export const MAX_NAMED_IDS = 40;
// Slack's and the email's own reason for refusing, as the sender worded it.
const REASON_MAX = 300;

/** The part of a rule's lookup older than the lookback limit: no lookup will read it. */
export interface LookbackGap {
    fromMs: number;
    toMs: number;
}

/** Something for the operators' topic: SNS subjects are one line of at most 100 ASCII characters. */
export interface OperatorsNotice {
    subject: string;
    message: string;
}

function listed(ids: readonly string[], show: (id: string) => string): string {
    const named = ids.slice(0, MAX_NAMED_IDS).map(show).join(", ");
    return ids.length > MAX_NAMED_IDS ? `${named} and ${ids.length - MAX_NAMED_IDS} more` : named;
}

function events(count: number): string {
    return count === 1 ? "1 event" : `${count} events`;
}

/**
 * Text alone, for events whose Block Kit message Slack refused: no blocks, so nothing in the
 * events can make Slack refuse it again, and the eventIDs to look them up by in CloudTrail.
 */
export function buildPlainEventsMessage(rule: RunTimeRule, eventIds: readonly string[]): SlackMessage {
    const ids = listed(eventIds, (id) => literal(id, EVENT_ID_MAX));
    const text =
        `${escapeSlack(rule.title)}: ${events(eventIds.length)} matched, which Slack would not show in full. ` +
        `Look them up in CloudTrail by eventID: ${ids}.`;
    // Slack takes a message of text alone; SlackMessage's blocks are left out on purpose.
    return { text } as SlackMessage;
}

/** The same message as text alone: its own fallback text, with nothing Block Kit could refuse. */
export function plainTextOf(message: SlackMessage): SlackMessage {
    return { text: message.text } as SlackMessage;
}

/** The warning in the channel that part of a rule's window will never be looked up. */
export function buildGapWarning(rule: RunTimeRule, gap: LookbackGap, timeZone: string): SlackMessage {
    const from = formatEventTime(new Date(gap.fromMs), timeZone);
    const to = formatEventTime(new Date(gap.toMs), timeZone);
    const text =
        `:warning: ${escapeSlack(rule.title)}: events of ${from} to ${to} were not looked up. ` +
        "The rule's lookups stopped for longer than the function looks back; search the trail's log group or CloudTrail for that time.";
    return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text, verbatim: true } }] };
}

/** The operators hear of events Slack refused even as plain text: recorded as failed, never posted. */
export function undeliveredNotice(rule: RunTimeRule, eventIds: readonly string[], reason: string): OperatorsNotice {
    return {
        subject: `console-login-alerts: ${events(eventIds.length)} of rule ${rule.id} not posted to Slack`,
        message:
            `Slack refused ${events(eventIds.length)} of rule ${rule.id} (${plainLiteral(rule.title)}), in Block Kit and as plain text: ` +
            `${plainLiteral(reason, REASON_MAX)}\n` +
            `They are recorded as failed and will not be tried again. Look them up in CloudTrail by eventID: ` +
            `${listed(eventIds, (id) => plainLiteral(id, EVENT_ID_MAX))}.`,
    };
}

/** The operators hear of a lookback gap too: Slack may be what was broken for so long. */
export function gapNotice(rule: RunTimeRule, gap: LookbackGap): OperatorsNotice {
    const from = formatEventTime(new Date(gap.fromMs), "UTC");
    const to = formatEventTime(new Date(gap.toMs), "UTC");
    return {
        subject: `console-login-alerts: rule ${rule.id} has a gap in its lookups`,
        message:
            `Events of rule ${rule.id} (${plainLiteral(rule.title)}) from ${from} to ${to} were not looked up: ` +
            "the rule's lookups stopped for longer than the function looks back (as long as the dead-letter queue keeps a notification). " +
            "Search the trail's log group or CloudTrail for that time; lookups continue from the limit.",
    };
}

/** The operators hear of a note Slack refused in every form. */
export function refusedNoteNotice(rule: RunTimeRule, text: string, reason: string): OperatorsNotice {
    return {
        subject: `console-login-alerts: a note of rule ${rule.id} not posted to Slack`,
        message: `Slack refused this note of rule ${rule.id}, in Block Kit and as plain text: ${plainLiteral(reason, REASON_MAX)}\n${plainLiteral(text, 1000)}`,
    };
}
