/**
 * What the drift check of the organization's StackSet tells (handler/ingest/drift.ts), once per
 * change: stack instances changed outside CloudFormation, which looks and mentions like a tampering
 * rule; every instance in sync again; no detection completing for days; detections completing
 * again. Every word comes from the presentation's catalog; every value from CloudFormation goes
 * through `literal` (Slack) or `plainLiteral` (email).
 */
import type { Catalog } from "./catalog";
import { eventText, formatEventTime, header, mentionPrefix, wordsOf, type Block, type Presentation, type SlackMessage } from "./messages";
import type { OperatorsNotice } from "./fallbacks";
import { literal, plainLiteral } from "./mrkdwn";
import { asciiSubject } from "./reports";
import type { DriftedInstance, DriftProblem, StackSetRef } from "../common/types";

/** What changed since the drift check last told anyone. */
export type DriftNews =
    | { kind: "drifted"; stackSet: StackSetRef; operationId: string; instances: readonly DriftedInstance[]; total: number }
    | { kind: "in-sync"; stackSet: StackSetRef }
    | { kind: "failing"; stackSet: StackSetRef; sinceMs: number; problem: DriftProblem }
    | { kind: "working"; stackSet: StackSetRef };

type Drifted = Extract<DriftNews, { kind: "drifted" }>;

/**
 * Drifted instances shown in the channel, a section each; the rest are counted. With the header,
 * the text and the context that is 43 of Slack's 50 blocks; the email lists them all.
 */
export const DRIFTED_SHOWN = 40;

// CloudFormation's limits (API Reference: CreateStackSet StackSetName 128, an operation id 128);
// a status reason and an SDK error are sentences, cut well before they could fill a message.
const STACK_SET_MAX = 128;
const OPERATION_MAX = 128;
const REASON_MAX = 300;
const UNIT_MAX = 70;
const REGION_MAX = 30;

type Quote = (value: unknown, max?: number) => string;

function accountText(accountId: string, labels: Record<string, string>, words: Catalog): string {
    const label = Object.hasOwn(labels, accountId) ? labels[accountId] : undefined;
    return label ? words.signIn.account(accountId, label) : accountId;
}

function instanceLine(instance: DriftedInstance, p: Presentation, quote: Quote): string {
    const words = wordsOf(p);
    return words.stackSetDrift.instanceLine(
        quote(accountText(instance.account, p.accountLabels, words)),
        quote(instance.region, REGION_MAX),
    );
}

/** Why no detection completes, values made literal by `quote`, times written by `when`. */
function problemText(problem: DriftProblem, words: Catalog, quote: Quote, when: (ms: number) => string): string {
    const w = words.stackSetDrift.problem;
    switch (problem.kind) {
        case "running":
            return w.running(quote(problem.operationId, OPERATION_MAX), when(problem.sinceMs));
        case "ended":
            return w.ended(
                quote(problem.operationId, OPERATION_MAX),
                quote(problem.status, REASON_MAX),
                problem.reason === undefined ? undefined : quote(problem.reason, REASON_MAX),
            );
        case "partial":
            return w.partial(quote(problem.operationId, OPERATION_MAX), problem.failed, problem.total);
        case "busy":
            return w.busy;
        case "error":
            return w.error(quote(problem.error, REASON_MAX));
    }
}

/** The command that shows what changed, for the detection that found the drift. */
function howToSee(news: Drifted, quote: Quote, words: Catalog): string {
    return words.stackSetDrift.howToSee({
        stackSet: quote(news.stackSet.name, STACK_SET_MAX),
        operation: quote(news.operationId, OPERATION_MAX),
        callAs: news.stackSet.callAs,
    });
}

/** One drifted instance: its account and region, and the unit and time CloudFormation gives. */
function instanceSection(instance: DriftedInstance, p: Presentation): Block {
    const d = wordsOf(p).stackSetDrift;
    const fields = [
        ...(instance.unit === undefined ? [] : [eventText(`*${d.labels.unit}*\n${literal(instance.unit, UNIT_MAX)}`)]),
        ...(instance.checkedAtMs === undefined
            ? []
            : [eventText(`*${d.labels.checked}*\n${formatEventTime(new Date(instance.checkedAtMs), p.timeZone, p.language)}`)]),
    ];
    return { type: "section", text: eventText(`*${instanceLine(instance, p, literal)}*`), ...(fields.length > 0 ? { fields } : {}) };
}

function driftedMessage(news: Drifted, p: Presentation): SlackMessage {
    const words = wordsOf(p);
    const d = words.stackSetDrift;
    const body = d.drifted({
        mention: mentionPrefix("critical", p),
        stackSet: literal(news.stackSet.name, STACK_SET_MAX),
        instances: d.instances(news.total),
    });
    const shown = news.instances.slice(0, DRIFTED_SHOWN);
    const more = news.total - shown.length;
    const lines = [...shown.map((i) => instanceLine(i, p, literal)), ...(more > 0 ? [words.signIn.andMore(more)] : [])];
    return {
        text: [body, ...lines].join("\n"),
        blocks: [
            header("critical", d.title),
            { type: "section", text: eventText(body) },
            ...shown.map((i) => instanceSection(i, p)),
            {
                type: "context",
                elements: [...(more > 0 ? [eventText(words.signIn.andMore(more))] : []), eventText(howToSee(news, literal, words))],
            },
        ],
    };
}

// Emoji shortcodes are markup: the catalogs' words are the same in the email, which shows none.
const RESOLVED = ":white_check_mark: ";

/** The drift check's news in the channel. */
export function buildDriftMessage(news: DriftNews, p: Presentation): SlackMessage {
    const d = wordsOf(p).stackSetDrift;
    const stackSet = literal(news.stackSet.name, STACK_SET_MAX);
    switch (news.kind) {
        case "drifted":
            return driftedMessage(news, p);
        case "failing": {
            const when = (ms: number) => formatEventTime(new Date(ms), p.timeZone, p.language);
            const problem = problemText(news.problem, wordsOf(p), literal, when);
            const body = d.failing({ mention: mentionPrefix("high", p), stackSet, since: when(news.sinceMs), problem });
            return { text: body, blocks: [header("high", d.failingTitle), { type: "section", text: eventText(body) }] };
        }
        case "in-sync":
        case "working": {
            const text = `${RESOLVED}${news.kind === "in-sync" ? d.inSync(stackSet) : d.working(stackSet)}`;
            return { text, blocks: [{ type: "section", text: eventText(text) }] };
        }
    }
}

/** The drift check's news for the operators' topic: every drifted instance, times in UTC as in the function's logs. */
export function driftNotice(news: DriftNews, p: Presentation): OperatorsNotice {
    const words = wordsOf(p);
    const d = words.stackSetDrift;
    const stackSet = plainLiteral(news.stackSet.name, STACK_SET_MAX);
    const subject = asciiSubject(words.subjects.stackSetDrift(news.kind, news.stackSet.name));
    switch (news.kind) {
        case "drifted": {
            const body = d.drifted({ mention: "", stackSet, instances: d.instances(news.total) });
            const more = news.total - news.instances.length;
            const lines = [
                ...news.instances.map((i) => instanceLine(i, p, plainLiteral)),
                ...(more > 0 ? [words.signIn.andMore(more)] : []),
            ];
            return { subject, message: [body, ...lines, howToSee(news, plainLiteral, words)].join("\n") };
        }
        case "failing": {
            const when = (ms: number) => formatEventTime(new Date(ms), "UTC", p.language);
            const problem = problemText(news.problem, words, plainLiteral, when);
            return { subject, message: d.failing({ mention: "", stackSet, since: when(news.sinceMs), problem }) };
        }
        case "in-sync":
            return { subject, message: d.inSync(stackSet) };
        case "working":
            return { subject, message: d.working(stackSet) };
    }
}
