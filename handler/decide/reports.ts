/**
 * Messages that are not about one rule's sign-ins: the delivery heartbeat (CloudTrail stopped or
 * resumed reaching the trail's log group) and the periodic summary. Every word comes from the
 * presentation's catalog; every value from outside (names, networks, log group) goes through
 * `literal` (Slack) or `plainLiteral` (email), and every list is cut to fit Slack's limits.
 */
import { splitDelay, type Catalog } from "./catalog";
import {
    ALARM_NAME_MAX,
    ALARM_REASON_MAX,
    describeAccount,
    eventText,
    eventTimeFormatter,
    formatEventTime,
    header,
    mentionPrefix,
    principalText,
    ruleTitle,
    SLACK_LIMITS,
    wordsOf,
    type Block,
    type Presentation,
    type SlackMessage,
} from "./messages";
import type { OperatorsNotice } from "./fallbacks";
import { clip, literal, plainLiteral } from "./mrkdwn";
import type { HeartbeatNotice, PrincipalName, SummaryReport, TrailHealth } from "../common/types";

// CloudWatch Logs log group names are at most 512 characters.
const LOG_GROUP_MAX = 512;
// SNS subjects: ASCII, under 100 characters.
const SUBJECT_MAX = 99;

/** How long the log group has been quiet, in the catalog's units: "2 h", "2時間". */
function quietFor(notice: HeartbeatNotice, words: Catalog): string {
    return words.signIn.delay(splitDelay(notice.quietMinutes * 60_000));
}

/**
 * The heartbeat in the channel. ALARM (or no data): nothing reaches the log group, so no alert can
 * fire; it looks and mentions like a critical rule. OK: delivery is back, a quiet note.
 */
export function buildHeartbeatMessage(notice: HeartbeatNotice, p: Presentation): SlackMessage {
    const words = wordsOf(p);
    const logGroup = literal(notice.logGroupName, LOG_GROUP_MAX);
    if (notice.alarm.newState === "OK") {
        const text = words.heartbeat.resumed({ logGroup, when: formatEventTime(notice.alarm.stateChangeTime, p.timeZone, p.language) });
        return { text, blocks: [{ type: "section", text: eventText(text) }] };
    }
    const body = words.heartbeat.stopped({ mention: mentionPrefix("critical", p), logGroup, quiet: quietFor(notice, words) });
    return {
        text: body,
        blocks: [
            header("critical", words.heartbeat.stoppedTitle),
            { type: "section", text: eventText(body) },
            { type: "context", elements: [eventText(literal(notice.alarm.reason, ALARM_REASON_MAX))] },
        ],
    };
}

/** An SNS subject: printable ASCII only (anything else as "?"), one line, under 100 characters. */
export function asciiSubject(subject: string): string {
    return clip(subject.replace(/[^\x20-\x7E]/g, "?"), SUBJECT_MAX);
}

/** The heartbeat for the operators' topic: Slack may be fine while the alerts are blind, and the operators own the trail. */
export function heartbeatNotice(notice: HeartbeatNotice, p: Presentation): OperatorsNotice {
    const words = wordsOf(p);
    const stopped = notice.alarm.newState !== "OK";
    return {
        subject: asciiSubject(words.subjects.heartbeat(stopped, notice.logGroupName)),
        message: words.heartbeat.notice({
            stopped,
            logGroup: plainLiteral(notice.logGroupName, LOG_GROUP_MAX),
            quiet: quietFor(notice, words),
            // In UTC, as in the function's logs the operators will search.
            when: formatEventTime(notice.alarm.stateChangeTime, "UTC", p.language),
            alarm: plainLiteral(notice.alarm.alarmName, ALARM_NAME_MAX),
        }),
    };
}

// A rule title is at most 100 characters, a principal's name is cut to this, a network is a CIDR.
const NAME_MAX = 100;
const NETWORK_MAX = 64;
// An account id and its label: a configured one, or an organization's account name (at most 50 characters,
// AWS Organizations API Reference, "Account").
const ACCOUNT_MAX = 100;

// A line is at least "\n• x: 0", 7 characters: no section holds more than this many, so no more are
// made (10,000 names cost no more than 1,500).
const LINES_MAX = Math.ceil(SLACK_LIMITS.sectionText / 7);

/**
 * A titled list in one section: as many items' lines as fit in Slack's 3,000 characters, then how
 * many more there are (`beyond` counts those not even in `items`), or the catalog's "none" for an
 * empty list.
 */
function listSection<T>(heading: string, items: readonly T[], line: (item: T) => string, beyond: number, words: Catalog): Block {
    const lines = items.slice(0, LINES_MAX).map(line);
    const extra = items.length - lines.length + beyond;
    let text = `*${heading}*`;
    if (lines.length === 0 && extra === 0) {
        return { type: "section", text: eventText(`${text}\n${words.summary.none}`) };
    }
    // Room for the longest "and N more" line this list could need.
    const reserve = 1 + words.summary.more(lines.length + extra).length;
    let shown = 0;
    for (const line of lines) {
        const next = `\n• ${line}`;
        if (text.length + next.length + reserve > SLACK_LIMITS.sectionText) {
            break;
        }
        text += next;
        shown += 1;
    }
    const more = lines.length - shown + extra;
    return { type: "section", text: eventText(more > 0 ? `${text}\n${words.summary.more(more)}` : text) };
}

/** A summary line's principal, with its account as a sign-in's message names it where the line has one. */
function whoText(line: { principal: PrincipalName; accountId?: string }, p: Presentation, words: Catalog): string {
    const who = principalText(line.principal, words, NAME_MAX);
    return line.accountId === undefined
        ? who
        : words.summary.inAccount(who, literal(describeAccount(line.accountId, p.accountLabels, words), ACCOUNT_MAX));
}

/**
 * The daily or weekly summary: every rule's count (zeros shown, so a quiet channel is visibly
 * quiet), the principals with most events and sign-ins from new networks (each with its account,
 * where the report names accounts), and what reached Slack only by the backstop or not at all.
 * Six blocks, each cut to Slack's limits whatever the sizes.
 */
export function buildSummaryMessage(report: SummaryReport, p: Presentation): SlackMessage {
    const words = wordsOf(p);
    const s = words.summary;
    const formatTime = eventTimeFormatter(p.timeZone, p.language);
    const period = s.period(formatTime(new Date(report.fromMs)), formatTime(new Date(report.toMs)));
    const total = report.perRule.reduce((sum, r) => sum + r.count, 0);
    const title = s.title(report.period);
    const blocks: Block[] = [
        { type: "header", text: { type: "plain_text", text: clip(`:bar_chart: ${title}`, SLACK_LIMITS.headerText), emoji: true } },
        { type: "section", text: eventText(`*${period}*\n${s.total(total)}`) },
        listSection(
            s.byRule,
            report.perRule,
            (r) => s.countLine(literal(ruleTitle({ id: r.ruleId, title: r.title }, words), NAME_MAX), r.count),
            0,
            words,
        ),
        listSection(s.topPrincipals, report.perPrincipal, (r) => s.countLine(whoText(r, p, words), r.count), report.otherPrincipals, words),
        listSection(
            s.newNetworks,
            report.newNetworks,
            (n) => s.newNetworkLine(whoText(n, p, words), literal(n.network, NETWORK_MAX)),
            0,
            words,
        ),
        {
            type: "context",
            elements: [
                eventText(s.backstopOnly(report.backstopOnly)),
                eventText(s.failures(report.failures)),
                // Only when it happened, so an ordinary summary reads as before.
                ...(report.unnamedPrincipalEvents > 0 ? [eventText(s.unnamed(report.unnamedPrincipalEvents))] : []),
            ],
        },
    ];
    return { text: `${title}: ${period}, ${s.total(total)}`, blocks };
}

/** A trail's state change, as checkTrail tells it. */
export interface TrailStatusNotice {
    trailArn: string;
    health: TrailHealth;
}

// A CloudTrail ARN is at most 256 + 128 characters; its errors are short codes and sentences.
const TRAIL_ARN_MAX = 400;
const TRAIL_ERROR_MAX = 300;

/** The problem in words, values made literal by `quote`; undefined for a healthy trail. */
function trailProblem(
    health: TrailHealth,
    words: Catalog,
    quote: (text: string, max: number) => string,
    when: (ms: number) => string,
): string | undefined {
    switch (health.kind) {
        case "healthy":
            return undefined;
        case "stopped":
            return words.trailStatus.stopped;
        case "logs-error":
            return words.trailStatus.logsError(quote(health.error, TRAIL_ERROR_MAX));
        case "s3-error":
            return words.trailStatus.s3Error(quote(health.error, TRAIL_ERROR_MAX));
        case "stale":
            return words.trailStatus.stale(when(health.sinceMs));
        case "unreadable":
            return words.trailStatus.unreadable(quote(health.error, TRAIL_ERROR_MAX));
    }
}

/** The trail's state change in the channel: a problem looks and mentions like a critical rule; recovery is a quiet note. */
export function buildTrailStatusMessage(notice: TrailStatusNotice, p: Presentation): SlackMessage {
    const words = wordsOf(p);
    const trail = literal(notice.trailArn, TRAIL_ARN_MAX);
    const problem = trailProblem(notice.health, words, literal, (ms) => formatEventTime(new Date(ms), p.timeZone, p.language));
    if (problem === undefined) {
        const text = words.trailStatus.healthy({ trail });
        return { text, blocks: [{ type: "section", text: eventText(text) }] };
    }
    const body = words.trailStatus.problem({ mention: mentionPrefix("critical", p), trail, problem });
    return { text: body, blocks: [header("critical", words.trailStatus.title), { type: "section", text: eventText(body) }] };
}

/** The trail's state change for the operators' topic, in UTC as in the function's logs. */
export function trailStatusNotice(notice: TrailStatusNotice, p: Presentation): OperatorsNotice {
    const words = wordsOf(p);
    const problem = trailProblem(notice.health, words, plainLiteral, (ms) => formatEventTime(new Date(ms), "UTC", p.language));
    return {
        // The trail's name, not its ARN: a subject holds under 100 characters, and the message has the ARN.
        subject: asciiSubject(words.subjects.trailStatus(problem === undefined, notice.trailArn.split("/").pop() ?? notice.trailArn)),
        message: words.trailStatus.notice({ trail: plainLiteral(notice.trailArn, TRAIL_ARN_MAX), problem }),
    };
}
