import type { ContextBlock, HeaderBlock, MrkdwnElement, SectionBlock, TextObject } from "@slack/types";
import type { AlarmNotification, SignIn } from "./types";
import type { RunTimeRule, Severity } from "../shared/contract";

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

// Longest raw value shown for any one event field; longer values are cut before escaping.
const MAX_VALUE = 200;

const SEVERITY_EMOJI: Record<Severity, string> = {
    info: ":information_source:",
    high: ":warning:",
    critical: ":rotating_light:",
};

/**
 * Escapes the three characters Slack treats as control sequences, so event data cannot mention
 * `@channel`, link elsewhere or break formatting.
 */
export function escapeSlack(value: string): string {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(value: string, max: number): string {
    if (value.length <= max) {
        return value;
    }
    // Never cut between the two halves of a surrogate pair: that is invalid UTF-16 in the payload.
    let end = max - 1;
    if (/[\uD800-\uDBFF]/.test(value[end - 1] ?? "")) {
        end -= 1;
    }
    return `${value.slice(0, end)}…`;
}

/** A value from an event, made safe and short for Slack. */
export function safe(value: string, max = MAX_VALUE): string {
    return escapeSlack(clip(String(value ?? ""), max));
}

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

const UTC_ZONES: readonly string[] = ["UTC", "Etc/UTC"];

function twoDigits(n: number): string {
    return String(n).padStart(2, "0");
}

/**
 * Formats times as "2021-06-08 16:53:06 Asia/Tokyo": sortable, unambiguous, and in the zone the
 * team works in. Building an Intl.DateTimeFormat costs far more than using one, so a formatter
 * builds it once, on first use, and UTC needs none. The formatter lives in this closure, not at
 * module level: closure serialization would copy a module-level cache, Intl objects and all, into
 * the function's code if anything formatted a time before the program was serialized.
 */
export function eventTimeFormatter(timeZone: string): (time: Date) => string {
    let intl: Intl.DateTimeFormat | undefined;
    return (time) => {
        const year = time.getUTCFullYear();
        // Four-digit years only: Intl writes other years (and throws on an invalid date) its own way.
        if (UTC_ZONES.includes(timeZone) && year >= 1000 && year <= 9999) {
            const date = `${year}-${twoDigits(time.getUTCMonth() + 1)}-${twoDigits(time.getUTCDate())}`;
            return `${date} ${twoDigits(time.getUTCHours())}:${twoDigits(time.getUTCMinutes())}:${twoDigits(time.getUTCSeconds())} ${timeZone}`;
        }
        intl ??= new Intl.DateTimeFormat("en-CA", {
            timeZone,
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
            hourCycle: "h23",
        });
        const parts = intl.formatToParts(time);
        const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? "??";
        return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}:${get("second")} ${timeZone}`;
    };
}

/** One time, formatted as {@link eventTimeFormatter} does; for many, build the formatter once. */
export function formatEventTime(time: Date, timeZone: string): string {
    return eventTimeFormatter(timeZone)(time);
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
        return `called ${safe(signIn.eventName)}`;
    }
    return signIn.result === "Failure" ? "failed to sign in" : "signed in";
}

export interface Presentation {
    timeZone: string;
    accountLabels: Record<string, string>;
    mentions: Partial<Record<Severity, string>>;
}

/** Slack's blocks, narrowed to what this module builds: every section has text, every context element is text. */
export type Block = HeaderBlock | (SectionBlock & { text: TextObject }) | (Omit<ContextBlock, "elements"> & { elements: TextObject[] });

export interface SlackMessage {
    text: string;
    blocks: Block[];
}

function field(label: string, value: string): MrkdwnElement {
    return { type: "mrkdwn", text: `*${label}*\n${value}` };
}

function signInBlock(signIn: SignIn, when: string, p: Presentation): Block {
    const fields = [
        field("Identity type", safe(signIn.identityType)),
        field("Result", safe(signIn.result)),
        field("MFA", safe(signIn.mfa)),
        field("Source IP", safe(signIn.sourceIp)),
        field("Region", safe(signIn.region)),
        field("Time", safe(when)),
        field("Browser", safe(shortenUserAgent(signIn.userAgent))),
        field("Account", safe(describeAccount(signIn.accountId, p.accountLabels))),
    ];
    if (signIn.errorMessage) {
        fields.push(field("Error", safe(signIn.errorMessage)));
    }
    return {
        type: "section",
        text: {
            type: "mrkdwn",
            text: `*${safe(signIn.who)}* ${verb(signIn)} · <${consoleLink(signIn.region, signIn.eventId)}|View in CloudTrail>`,
        },
        fields,
    };
}

function fallbackLine(signIn: SignIn, when: string): string {
    return (
        `${safe(signIn.who)} ${verb(signIn)} (${safe(signIn.identityType)}, MFA ${safe(signIn.mfa)}) ` +
        `from ${safe(signIn.sourceIp)} in ${safe(signIn.region)} at ${safe(when)}`
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

/** What the alarm alone says, for when CloudTrail has not delivered the events yet. */
export function buildPendingMessage(rule: RunTimeRule, alarm: AlarmNotification, p: Presentation): SlackMessage {
    const account = safe(describeAccount(alarm.accountId, p.accountLabels));
    const when = formatEventTime(alarm.stateChangeTime, p.timeZone);
    const body =
        `${mentionPrefix(rule, p)}*${escapeSlack(rule.title)}*: alarm ${safe(alarm.alarmName)} fired at ${when} in account ${account}. ` +
        "CloudTrail has not delivered the matching events to CloudWatch Logs yet; they will be posted here as soon as they arrive.";
    return {
        text: `${mentionPrefix(rule, p)}${escapeSlack(rule.title)}: alarm ${safe(alarm.alarmName)} fired at ${when}; details follow when CloudTrail delivers them.`,
        blocks: [
            header(rule),
            { type: "section", text: { type: "mrkdwn", text: body } },
            { type: "context", elements: [{ type: "mrkdwn", text: safe(alarm.reason, 500) }] },
        ],
    };
}

/** The optional note that an alarm is back to OK. */
export function buildOkMessage(rule: RunTimeRule, alarm: AlarmNotification, p: Presentation): SlackMessage {
    const text = `:white_check_mark: ${escapeSlack(rule.title)}: alarm ${safe(alarm.alarmName)} is back to OK (${formatEventTime(alarm.stateChangeTime, p.timeZone)}).`;
    return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}
