/**
 * What the function says beyond sign-ins and alarm notes: the plain-text stand-in for events Slack
 * refused in Block Kit, the warning that a lookup cannot reach back to a rule's cursor, and the
 * operators' version of both, each in the stack's language (subjects stay ASCII: see the catalog).
 * Event ids come from log events, which anyone who can write to the log group can forge, so every
 * one goes through `literal` (Slack) or `plainLiteral` (email).
 */
import type { Catalog } from "./catalog";
import { formatEventTime, ruleTitle, wordsOf, type Presentation, type SlackMessage } from "./messages";
import { escapeSlack, literal, plainLiteral } from "./mrkdwn";
import type { RunTimeRule } from "../../shared/contract";

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

function listed(ids: readonly string[], show: (id: string) => string, words: Catalog): string {
    const named = ids.slice(0, MAX_NAMED_IDS).map(show).join(", ");
    return ids.length > MAX_NAMED_IDS ? words.notice.idList(named, ids.length - MAX_NAMED_IDS) : named;
}

/**
 * Text alone, for events whose Block Kit message Slack refused: no blocks, so nothing in the
 * events can make Slack refuse it again, and the eventIDs to look them up by in CloudTrail.
 */
export function buildPlainEventsMessage(rule: RunTimeRule, eventIds: readonly string[], p: Presentation): SlackMessage {
    const words = wordsOf(p);
    const text = words.notice.plainEvents({
        title: escapeSlack(ruleTitle(rule, words)),
        events: words.signIn.eventCount(eventIds.length),
        ids: listed(eventIds, (id) => literal(id, EVENT_ID_MAX), words),
    });
    // Slack takes a message of text alone; SlackMessage's blocks are left out on purpose.
    return { text } as SlackMessage;
}

/** The same message as text alone: its own fallback text, with nothing Block Kit could refuse. */
export function plainTextOf(message: SlackMessage): SlackMessage {
    return { text: message.text } as SlackMessage;
}

/** The warning in the channel that part of a rule's window will never be looked up. */
export function buildGapWarning(rule: RunTimeRule, gap: LookbackGap, p: Presentation): SlackMessage {
    const words = wordsOf(p);
    const text = words.notice.gapWarning({
        title: escapeSlack(ruleTitle(rule, words)),
        from: formatEventTime(new Date(gap.fromMs), p.timeZone, p.language),
        to: formatEventTime(new Date(gap.toMs), p.timeZone, p.language),
    });
    return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text, verbatim: true } }] };
}

/** The operators hear of events Slack refused even as plain text: recorded as failed, never posted. */
export function undeliveredNotice(rule: RunTimeRule, eventIds: readonly string[], reason: string, p: Presentation): OperatorsNotice {
    const words = wordsOf(p);
    return {
        subject: words.subjects.undelivered(rule.id, words.subjects.events(eventIds.length)),
        message: words.notice.undelivered({
            ruleId: rule.id,
            title: plainLiteral(ruleTitle(rule, words)),
            events: words.signIn.eventCount(eventIds.length),
            reason: plainLiteral(reason, REASON_MAX),
            ids: listed(eventIds, (id) => plainLiteral(id, EVENT_ID_MAX), words),
        }),
    };
}

/** The operators hear of a lookback gap too: Slack may be what was broken for so long. Times in UTC, as in the logs. */
export function gapNotice(rule: RunTimeRule, gap: LookbackGap, p: Presentation): OperatorsNotice {
    const words = wordsOf(p);
    return {
        subject: words.subjects.gap(rule.id),
        message: words.notice.gap({
            ruleId: rule.id,
            title: plainLiteral(ruleTitle(rule, words)),
            from: formatEventTime(new Date(gap.fromMs), "UTC", p.language),
            to: formatEventTime(new Date(gap.toMs), "UTC", p.language),
        }),
    };
}

/** The operators hear of a note Slack refused in every form. */
export function refusedNoteNotice(rule: RunTimeRule, text: string, reason: string, p: Presentation): OperatorsNotice {
    const words = wordsOf(p);
    return {
        subject: words.subjects.refusedNote(rule.id),
        message: words.notice.refusedNote({ ruleId: rule.id, reason: plainLiteral(reason, REASON_MAX), text: plainLiteral(text, 1000) }),
    };
}
