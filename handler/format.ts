import type { ContextBlock, HeaderBlock, MrkdwnElement, SectionBlock, TextObject } from "@slack/types";
import type { AlarmNotification, SignIn } from "./types";
import type { RunTimeRule, Severity } from "../shared/contract";
import { eventTimeFormatter, formatEventTime } from "./eventTime";
import { clip, escapeSlack, literal } from "./slackText";
import { MESSAGES, type DeliveryPath } from "./messages";

export { eventTimeFormatter, formatEventTime } from "./eventTime";
export { escapeSlack, literal, plainLiteral, safe } from "./slackText";

/** The Slack limits this module designs around (Block Kit reference). */
export const SLACK_LIMITS = {
    blocksPerMessage: 50,
    sectionText: 3000,
    headerText: 150,
    fieldsPerSection: 10,
    fieldText: 2000,
} as const;

// header + summary + context leave room for this many sign-in sections below the 50-block limit,
// with margin for the text fallback to stay small.
export const SIGNINS_PER_MESSAGE = 40;

const SEVERITY_EMOJI: Record<Severity, string> = {
    info: ":information_source:",
    high: ":warning:",
    critical: ":rotating_light:",
};

const BROWSERS: Array<[RegExp, string]> = [
    [/Edg(?:e|A|iOS)?\/(\d+)/, "Edge"],
    [/OPR\/(\d+)/, "Opera"],
    [/Firefox\/(\d+)/, "Firefox"],
    [/FxiOS\/(\d+)/, "Firefox"],
    [/CriOS\/(\d+)/, "Chrome"],
    [/Chrome\/(\d+)/, "Chrome"],
    [/Version\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//, "Safari"],
];

const SYSTEMS: Array<[RegExp, string]> = [
    [/iPhone|iPad|iOS/, "iOS"],
    [/Android/, "Android"],
    [/CrOS/, "ChromeOS"],
    [/Windows/, "Windows"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/Linux/, "Linux"],
];

/** "Chrome 91 on Windows" from a full user agent; the raw value (clipped) when it is not a browser. */
export function shortenUserAgent(userAgent: string): string {
    if (!userAgent) {
        return "unknown";
    }
    if (/AWS ?Console ?Mobile|aws-console-mobile|AWSConsoleMobile/i.test(userAgent)) {
        const os = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
        return os ? `AWS Console Mobile App on ${os}` : "AWS Console Mobile App";
    }
    for (const [re, name] of BROWSERS) {
        const match = re.exec(userAgent);
        if (match) {
            const os = SYSTEMS.find(([sys]) => sys.test(userAgent))?.[1];
            return `${name} ${match[1]}${os ? ` on ${os}` : ""}`;
        }
    }
    return clip(userAgent, 80);
}

// CloudTrail event ids are UUIDs; anything else (a forged record) links to the event list instead,
// so an id of any length can never push a section past Slack's 3,000 characters.
const EVENT_ID = /^[0-9A-Za-z-]{1,64}$/;

/** The event's page in the CloudTrail console of the region that recorded it. */
export function consoleLink(region: string, eventId: string): string {
    const r = /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : "us-east-1";
    const page = EVENT_ID.test(eventId) ? `/${eventId}` : "";
    return `https://${r}.console.aws.amazon.com/cloudtrailv2/home?region=${r}#/events${page}`;
}

function describeAccount(accountId: string, labels: Record<string, string>): string {
    const label = Object.hasOwn(labels, accountId) ? labels[accountId] : undefined;
    return label ? `${accountId} (${label})` : accountId;
}

/** Verb for the one-line summary of a sign-in. */
function verb(signIn: SignIn): string {
    if (signIn.eventName !== "ConsoleLogin") {
        return `called ${literal(signIn.eventName)}`;
    }
    return signIn.result === "Failure" ? "failed to sign in" : "signed in";
}

export interface Presentation {
    timeZone: string;
    accountLabels: Record<string, string>;
    mentions: Partial<Record<Severity, string>>;
    /** When and by which path the message is posted; each sign-in then says how long after it that was. */
    delivery?: { path: DeliveryPath; atMs: number };
}

/** "posted 14 s after sign-in", from the catalogue; empty when the presentation says nothing of delivery. */
function deliveryNote(signIn: SignIn, p: Presentation): string {
    if (!p.delivery) {
        return "";
    }
    const delayMs = p.delivery.atMs - signIn.eventTime.getTime();
    return ` · ${MESSAGES.postedAfter(delayMs, p.delivery.path, signIn.eventName === "ConsoleLogin")}`;
}

/** Slack's blocks, narrowed to what this module builds: every section has text, every context element is text. */
export type Block = HeaderBlock | (SectionBlock & { text: TextObject }) | (Omit<ContextBlock, "elements"> & { elements: TextObject[] });

export interface SlackMessage {
    text: string;
    blocks: Block[];
}

/** A mrkdwn text object for text that carries event data: Slack links no URL or channel name in it. */
function eventText(text: string): MrkdwnElement {
    return { type: "mrkdwn", text, verbatim: true };
}

function field(label: string, value: string): MrkdwnElement {
    return eventText(`*${label}*\n${value}`);
}

function signInBlock(signIn: SignIn, when: string, p: Presentation): Block {
    const fields = [
        field("Identity type", literal(signIn.identityType)),
        field("Result", literal(signIn.result)),
        field("MFA", literal(signIn.mfa)),
        field("Source IP", literal(signIn.sourceIp)),
        field("Region", literal(signIn.region)),
        field("Time", literal(when)),
        field("Browser", literal(shortenUserAgent(signIn.userAgent))),
        field("Account", literal(describeAccount(signIn.accountId, p.accountLabels))),
    ];
    if (signIn.errorMessage) {
        fields.push(field("Error", literal(signIn.errorMessage)));
    }
    return {
        type: "section",
        text: eventText(
            `*${literal(signIn.who)}* ${verb(signIn)} · <${consoleLink(signIn.region, signIn.eventId)}|View in CloudTrail>${deliveryNote(signIn, p)}`,
        ),
        fields,
    };
}

function fallbackLine(signIn: SignIn, when: string): string {
    return (
        `${literal(signIn.who)} ${verb(signIn)} (${literal(signIn.identityType)}, MFA ${literal(signIn.mfa)}) ` +
        `from ${literal(signIn.sourceIp)} in ${literal(signIn.region)} at ${literal(when)}`
    );
}

// Notifications show the fallback text; Slack truncates text past 40,000 characters, and anything
// long is unreadable in a notification anyway. The blocks carry the full detail.
const FALLBACK_TEXT_LIMIT = 3000;

function fallbackText(title: string, lines: string[]): string {
    const kept: string[] = [title];
    let length = title.length;
    for (const [i, line] of lines.entries()) {
        const more = `… and ${lines.length - i} more`;
        if (length + 1 + line.length + 1 + more.length > FALLBACK_TEXT_LIMIT) {
            kept.push(more);
            break;
        }
        kept.push(line);
        length += 1 + line.length;
    }
    return kept.join("\n");
}

function header(rule: RunTimeRule, suffix = ""): Block {
    return {
        type: "header",
        text: {
            type: "plain_text",
            text: clip(`${SEVERITY_EMOJI[rule.severity]} ${rule.title}${suffix}`, SLACK_LIMITS.headerText),
            emoji: true,
        },
    };
}

function mentionPrefix(rule: RunTimeRule, p: Presentation): string {
    const mention = p.mentions[rule.severity];
    return mention ? `${mention} ` : "";
}

/**
 * Slack messages for sign-ins of one rule, in event-time order. Each message stays within Slack's
 * block limits; when the sign-ins do not fit in one, every part says which part it is.
 */
export function buildSignInMessages(
    rule: RunTimeRule,
    signIns: readonly SignIn[],
    p: Presentation,
): Array<{ message: SlackMessage; eventIds: string[] }> {
    const sorted = [...signIns].sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime());
    const chunks: SignIn[][] = [];
    for (let i = 0; i < sorted.length; i += SIGNINS_PER_MESSAGE) {
        chunks.push(sorted.slice(i, i + SIGNINS_PER_MESSAGE));
    }
    const formatTime = eventTimeFormatter(p.timeZone);
    return chunks.map((chunk, index) => {
        const times = chunk.map((signIn) => formatTime(signIn.eventTime));
        const part = chunks.length > 1 ? ` (${index + 1}/${chunks.length})` : "";
        const count = chunk.length === 1 ? "1 event" : `${chunk.length} events`;
        // One ping per notification, not one per part of a split message.
        const mention = index === 0 ? mentionPrefix(rule, p) : "";
        const summary = `${mention}*${escapeSlack(rule.title)}*: ${count}${part}`;
        const blocks: Block[] = [
            header(rule, part),
            { type: "section", text: { type: "mrkdwn", text: summary } },
            ...chunk.map((signIn, i) => signInBlock(signIn, times[i]!, p)),
        ];
        if (chunks.length > 1) {
            blocks.push({
                type: "context",
                elements: [{ type: "mrkdwn", text: `Part ${index + 1} of ${chunks.length}: ${sorted.length} events in all.` }],
            });
        }
        const text = fallbackText(
            `${mention}${escapeSlack(rule.title)}${part}:`,
            chunk.map((s, i) => fallbackLine(s, times[i]!)),
        );
        return { message: { text, blocks }, eventIds: chunk.map((s) => s.eventId) };
    });
}

// CloudWatch alarm names are at most 255 characters; the reason is CloudWatch's own sentence.
const ALARM_NAME_MAX = 300;
const ALARM_REASON_MAX = 500;

/** What the alarm alone says, for when CloudTrail has not delivered the events yet. */
export function buildPendingMessage(rule: RunTimeRule, alarm: AlarmNotification, p: Presentation): SlackMessage {
    const account = literal(describeAccount(alarm.accountId, p.accountLabels));
    const when = formatEventTime(alarm.stateChangeTime, p.timeZone);
    const body =
        `${mentionPrefix(rule, p)}*${escapeSlack(rule.title)}*: alarm ${literal(alarm.alarmName, ALARM_NAME_MAX)} fired at ${when} in account ${account}. ` +
        "CloudTrail has not delivered the matching events to CloudWatch Logs yet; they will be posted here as soon as they arrive.";
    return {
        text: `${mentionPrefix(rule, p)}${escapeSlack(rule.title)}: alarm ${literal(alarm.alarmName, ALARM_NAME_MAX)} fired at ${when}; details follow when CloudTrail delivers them.`,
        blocks: [
            header(rule),
            { type: "section", text: eventText(body) },
            { type: "context", elements: [eventText(literal(alarm.reason, ALARM_REASON_MAX))] },
        ],
    };
}

/** The optional note that an alarm is back to OK. */
export function buildOkMessage(rule: RunTimeRule, alarm: AlarmNotification, p: Presentation): SlackMessage {
    const text = `:white_check_mark: ${escapeSlack(rule.title)}: alarm ${literal(alarm.alarmName, ALARM_NAME_MAX)} is back to OK (${formatEventTime(alarm.stateChangeTime, p.timeZone)}).`;
    return { text, blocks: [{ type: "section", text: eventText(text) }] };
}
