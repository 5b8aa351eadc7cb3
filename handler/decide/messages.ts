import type { ContextBlock, HeaderBlock, MrkdwnElement, SectionBlock, TextObject } from "@slack/types";
import type { AlarmNotification, PrincipalName, SignIn } from "../common/types";
import type { Language, RunTimeRule, Severity } from "../../shared/contract";
import { catalogFor, splitDelay, type Catalog, type DeliveryPath, type ShownSignIn } from "./catalog";
import { EN } from "./catalog/en";
import { eventDateFormatter, eventTimeFormatter, formatEventTime } from "./eventTime";
import { MAX_VALUE, clip, escapeSlack, literal } from "./mrkdwn";
import { MOBILE_APP, readUserAgent } from "./userAgent";

export { eventDateFormatter, eventTimeFormatter, formatEventTime } from "./eventTime";
export { literal } from "./mrkdwn";

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

export const SEVERITY_EMOJI: Record<Severity, string> = {
    info: ":information_source:",
    high: ":warning:",
    critical: ":rotating_light:",
};

/** "Chrome 91 on Windows" from a full user agent; the raw value (clipped) when it is not a browser. */
export function shortenUserAgent(userAgent: string, words: Catalog["signIn"] = EN.signIn): string {
    if (!userAgent) {
        return words.unknownAgent;
    }
    const reading = readUserAgent(userAgent);
    const client = reading.mobileApp ? MOBILE_APP : reading.client && `${reading.client.name} ${reading.client.version ?? ""}`.trim();
    if (!client) {
        return clip(userAgent, 80);
    }
    return reading.os ? words.browserOn(client, reading.os) : client;
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

export interface Presentation {
    timeZone: string;
    accountLabels: Record<string, string>;
    mentions: Partial<Record<Severity, string>>;
    /** The language of every word around the event data; its catalog supplies them. */
    language: Language;
    /** When and by which path the message is posted; each sign-in then says how long after it that was. */
    delivery?: { path: DeliveryPath; atMs: number };
    /**
     * Which group of a rule's sign-ins the message holds, when not the rule's own: allow-listed
     * sign-ins posted as informational ("known"), or sign-ins raised because they came from a
     * network new to the principal ("new-network"). The header says which.
     */
    variant?: "known" | "new-network";
}

/** The catalog of a presentation's language. */
export function wordsOf(p: Presentation): Catalog {
    return catalogFor(p.language);
}

/**
 * A rule's title in the presentation's language: a built-in rule still titled as in English takes
 * the catalog's title; a title the stack chose is the stack's, in whatever language it wrote it.
 */
export function ruleTitle(rule: Pick<RunTimeRule, "id" | "title">, words: Catalog): string {
    const titles: Record<string, string> = EN.signIn.ruleTitles;
    const own: Record<string, string> = words.signIn.ruleTitles;
    return Object.hasOwn(titles, rule.id) && titles[rule.id] === rule.title ? (own[rule.id] ?? rule.title) : rule.title;
}

/** The title shown for a rule's message: the rule's, or its known or new-network group's. */
function titleOf(rule: RunTimeRule, p: Presentation): string {
    const words = wordsOf(p);
    const title = ruleTitle(rule, words);
    if (p.variant === "known") {
        return words.signIn.knownTitle(title);
    }
    return p.variant === "new-network" ? words.signIn.newNetworkTitle(title) : title;
}

/** An account as a sign-in names it: its id, and its label (configured, or the organization's name for it) when it has one. */
export function describeAccount(accountId: string, labels: Record<string, string>, words: Catalog): string {
    const label = Object.hasOwn(labels, accountId) ? labels[accountId] : undefined;
    return label ? words.signIn.account(accountId, label) : accountId;
}

/** IAM Identity Center's own sign-in event: logged only once every challenge succeeded. */
function isIdentityCenterSignIn(signIn: SignIn): boolean {
    return signIn.eventName === "UserAuthentication" && signIn.person !== undefined;
}

/** Verb for the one-line summary of a sign-in. */
function verb(signIn: SignIn, words: Catalog): string {
    if (isIdentityCenterSignIn(signIn)) {
        return words.signIn.signedInToIdentityCenter;
    }
    if (signIn.signInStep) {
        return words.signIn.signInStep(literal(signIn.eventName));
    }
    if (signIn.eventName !== "ConsoleLogin") {
        return words.signIn.called(literal(signIn.eventName));
    }
    return signIn.result === "Failure" ? words.signIn.failedToSignIn : words.signIn.signedIn;
}

/** A catalog's word for a value from a closed set, or the value itself, made literal, when it is not one of them. */
function worded(table: Record<string, string>, value: string): string {
    return Object.hasOwn(table, value) ? table[value]! : literal(value);
}

// Identity Center's credential types are short words (PASSWORD, WEBAUTHN); a forged list is cut.
const METHODS_SHOWN = 4;
const METHOD_MAX = 40;

/** The MFA field: for an IAM Identity Center sign-in, the method of the person's last Identity Center authentication. */
function mfaOf(signIn: SignIn, words: Catalog): string {
    const ic = signIn.identityCenterMfa;
    if (ic) {
        const shown = ic.usedMfa ? ic.methods.filter((m) => m !== "PASSWORD" && m !== "EXTERNAL_IDP") : ic.methods;
        const methods = (shown.length > 0 ? shown : ic.methods)
            .slice(0, METHODS_SHOWN)
            .map((m) => literal(m, METHOD_MAX))
            .join(", ");
        return ic.usedMfa ? words.signIn.identityCenterMfa.used(methods) : words.signIn.identityCenterMfa.notUsed(methods);
    }
    // An Identity Center session's MFAUsed is always "No", whatever the person used, and an external
    // identity provider's sign-in says nothing of MFA: say unknown instead.
    if (isIdentityCenter(signIn) && (signIn.mfa === "No" || signIn.eventName === "UserAuthentication")) {
        return words.signIn.identityCenterMfa.unknown;
    }
    return worded(words.signIn.mfa, signIn.mfa);
}

function isIdentityCenter(signIn: SignIn): boolean {
    return signIn.person !== undefined || signIn.permissionSet !== undefined;
}

const SESSION_MAX = 130;
const ROLE_MAX = 70;

/** A principal in the catalog's words, its names shown literally (the summary names principals too). */
export function principalText(p: PrincipalName, words: Catalog, nameMax = MAX_VALUE): string {
    const w = words.principal;
    switch (p.kind) {
        case "root":
            return w.root;
        case "name":
            return literal(p.name, nameMax);
        case "role-session":
            // Role names are at most 64 characters; a session name is the person, the longer part.
            return w.roleSession(literal(p.session, Math.min(SESSION_MAX, nameMax)), literal(p.role, ROLE_MAX));
        case "federated":
            return w.federated(literal(p.name, nameMax));
        case "hidden-user":
            return w.hiddenUser;
        case "unknown":
            return p.identityType === "IAMUser" ? w.unknownUser : w.unknown;
    }
}

// Parts of the first-seen line come from the event (network, browser family, region): each is cut.
const NETWORK_MAX = 64;
const AGENT_MAX = 80;
const REGION_MAX = 40;
// Up to 27 other rules (7 built-in and 20 custom, titles of up to 100 characters) could match: the
// line is bounded so the section stays inside Slack's 3,000 characters.
const ALSO_MAX = 300;

/** The sign-in's first-seen line, on a line of its own; empty when first-seen found nothing new. */
function firstSeenLine(signIn: SignIn, words: Catalog, formatDate: (time: Date) => string): string {
    const mark = signIn.firstSeen;
    if (!mark) {
        return "";
    }
    if (mark.noHistory) {
        return `\n${words.signIn.noHistory(principalText(signIn.principal, words))}`;
    }
    const cut = (value: string | undefined, max: number): string | undefined => (value === undefined ? undefined : literal(value, max));
    const what = {
        network: cut(mark.newNetwork, NETWORK_MAX),
        agent: cut(
            mark.newAgent && (mark.newAgent.os ? words.signIn.browserOn(mark.newAgent.client, mark.newAgent.os) : mark.newAgent.client),
            AGENT_MAX,
        ),
        region: cut(mark.newRegion, REGION_MAX),
    };
    if (what.network === undefined && what.agent === undefined && what.region === undefined) {
        return "";
    }
    const window = mark.historySince ? { since: formatDate(mark.historySince) } : { days: mark.windowDays };
    return `\n${words.signIn.firstSeen(principalText(signIn.principal, words), what, window)}`;
}

/** The other rules that would have posted the sign-in, on a line of its own: it is posted once, under the most urgent (handler/decide/overlap.ts). */
function alsoLine(signIn: SignIn, words: Catalog): string {
    const also = signIn.alsoMatches ?? [];
    return also.length === 0 ? "" : `\n${words.signIn.alsoMatches(literal(also.map((r) => r.title).join(", "), ALSO_MAX))}`;
}

/** "posted 14 s after sign-in", from the catalog; empty when the presentation says nothing of delivery. */
function deliveryNote(signIn: SignIn, p: Presentation, words: Catalog): string {
    if (!p.delivery) {
        return "";
    }
    const after = words.signIn.delay(splitDelay(p.delivery.atMs - signIn.eventTime.getTime()));
    return ` · ${words.signIn.postedAfter(after, p.delivery.path, signIn.eventName === "ConsoleLogin" || isIdentityCenterSignIn(signIn))}`;
}

/** Slack's blocks, narrowed to what this module builds: every section has text, every context element is text. */
export type Block = HeaderBlock | (SectionBlock & { text: TextObject }) | (Omit<ContextBlock, "elements"> & { elements: TextObject[] });

export interface SlackMessage {
    text: string;
    blocks: Block[];
}

/** A mrkdwn text object for text that carries event data: Slack links no URL or channel name in it. */
export function eventText(text: string): MrkdwnElement {
    return { type: "mrkdwn", text, verbatim: true };
}

function field(label: string, value: string): MrkdwnElement {
    return eventText(`*${label}*\n${value}`);
}

/** What the formatters of one message share: its catalog, and its time and date formatters. */
interface Shown {
    words: Catalog;
    formatTime: (time: Date) => string;
    formatDate: (time: Date) => string;
}

/** What the sign-in's block and its fallback line both show, worked out once. */
function shownSignIn(signIn: SignIn, when: string, words: Catalog): ShownSignIn {
    return {
        who: principalText(signIn.principal, words),
        verb: verb(signIn, words),
        identityType: literal(signIn.identityType),
        mfa: mfaOf(signIn, words),
        sourceIp: literal(signIn.sourceIp),
        region: literal(signIn.region),
        when: literal(when),
    };
}

function signInBlock(signIn: SignIn, shownWords: ShownSignIn, p: Presentation, shown: Shown): Block {
    const { words } = shown;
    const label = words.signIn.labels;
    const fields = [
        field(label.identityType, shownWords.identityType),
        field(label.result, worded(words.signIn.results, signIn.result)),
        field(label.mfa, shownWords.mfa),
        field(label.sourceIp, shownWords.sourceIp),
        field(label.region, shownWords.region),
        field(label.time, shownWords.when),
        field(label.browser, literal(shortenUserAgent(signIn.userAgent, words.signIn))),
        field(label.account, literal(describeAccount(signIn.accountId, p.accountLabels, words))),
    ];
    if (signIn.permissionSet !== undefined) {
        fields.push(field(label.permissionSet, literal(signIn.permissionSet)));
    }
    if (signIn.errorMessage) {
        fields.push(field(label.error, literal(signIn.errorMessage)));
    }
    const link = `<${consoleLink(signIn.region, signIn.eventId)}|${words.signIn.viewInCloudTrail}>`;
    return {
        type: "section",
        text: eventText(
            `*${shownWords.who}* ${shownWords.verb} · ${link}${deliveryNote(signIn, p, words)}${firstSeenLine(signIn, words, shown.formatDate)}${alsoLine(signIn, words)}`,
        ),
        fields,
    };
}

// Notifications show the fallback text; Slack truncates text past 40,000 characters, and anything
// long is unreadable in a notification anyway. The blocks carry the full detail.
const FALLBACK_TEXT_LIMIT = 3000;

function fallbackText(title: string, lines: string[], words: Catalog): string {
    const kept: string[] = [title];
    let length = title.length;
    for (const [i, line] of lines.entries()) {
        const more = words.signIn.andMore(lines.length - i);
        if (length + 1 + line.length + 1 + more.length > FALLBACK_TEXT_LIMIT) {
            kept.push(more);
            break;
        }
        kept.push(line);
        length += 1 + line.length;
    }
    return kept.join("\n");
}

/** A header: the severity's emoji and a title, cut to Slack's 150 characters on a character boundary. */
export function header(severity: Severity, title: string, suffix = ""): Block {
    return {
        type: "header",
        text: { type: "plain_text", text: clip(`${SEVERITY_EMOJI[severity]} ${title}${suffix}`, SLACK_LIMITS.headerText), emoji: true },
    };
}

export function mentionPrefix(severity: Severity, p: Presentation): string {
    const mention = p.mentions[severity];
    return mention ? `${mention} ` : "";
}

function shownFor(p: Presentation): Shown {
    return {
        words: wordsOf(p),
        formatTime: eventTimeFormatter(p.timeZone, p.language),
        formatDate: eventDateFormatter(p.timeZone, p.language),
    };
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
    const shown = shownFor(p);
    const { words } = shown;
    const title = titleOf(rule, p);
    return chunks.map((chunk, index) => {
        const shownWords = chunk.map((signIn) => shownSignIn(signIn, shown.formatTime(signIn.eventTime), words));
        const part = chunks.length > 1 ? ` (${index + 1}/${chunks.length})` : "";
        // One ping per notification, not one per part of a split message.
        const mention = index === 0 ? mentionPrefix(rule.severity, p) : "";
        const summary = `${mention}*${escapeSlack(title)}*: ${words.signIn.eventCount(chunk.length)}${part}`;
        const blocks: Block[] = [
            header(rule.severity, title, part),
            { type: "section", text: { type: "mrkdwn", text: summary } },
            ...chunk.map((signIn, i) => signInBlock(signIn, shownWords[i]!, p, shown)),
        ];
        if (chunks.length > 1) {
            blocks.push({
                type: "context",
                elements: [{ type: "mrkdwn", text: words.signIn.part(index + 1, chunks.length, sorted.length) }],
            });
        }
        const text = fallbackText(
            `${mention}${escapeSlack(title)}${part}:`,
            shownWords.map((w) => words.signIn.fallbackLine(w)),
            words,
        );
        return { message: { text, blocks }, eventIds: chunk.map((s) => s.eventId) };
    });
}

// CloudWatch alarm names are at most 255 characters; the reason is CloudWatch's own sentence.
export const ALARM_NAME_MAX = 300;
export const ALARM_REASON_MAX = 500;

/** What the alarm alone says, for when CloudTrail has not delivered the events yet. */
export function buildPendingMessage(rule: RunTimeRule, alarm: AlarmNotification, p: Presentation): SlackMessage {
    const words = wordsOf(p);
    const title = titleOf(rule, p);
    const shared = {
        mention: mentionPrefix(rule.severity, p),
        alarm: literal(alarm.alarmName, ALARM_NAME_MAX),
        when: formatEventTime(alarm.stateChangeTime, p.timeZone, p.language),
    };
    const account = literal(describeAccount(alarm.accountId, p.accountLabels, words));
    return {
        text: words.alarm.pendingText({ ...shared, title: escapeSlack(title) }),
        blocks: [
            header(rule.severity, title),
            { type: "section", text: eventText(words.alarm.pendingBody({ ...shared, title: `*${escapeSlack(title)}*`, account })) },
            { type: "context", elements: [eventText(literal(alarm.reason, ALARM_REASON_MAX))] },
        ],
    };
}

/** The optional note that an alarm is back to OK. */
export function buildOkMessage(rule: RunTimeRule, alarm: AlarmNotification, p: Presentation): SlackMessage {
    const text = wordsOf(p).alarm.backToOk({
        title: escapeSlack(titleOf(rule, p)),
        alarm: literal(alarm.alarmName, ALARM_NAME_MAX),
        when: formatEventTime(alarm.stateChangeTime, p.timeZone, p.language),
    });
    return { text, blocks: [{ type: "section", text: eventText(text) }] };
}
