/**
 * The sample Slack messages of `npm start`: fixture sign-ins as the stack's own rules post them,
 * built in process by the handler's formatters with the stack's language, zone, account labels and
 * mentions, on a fixed clock; on request one message of every other kind (heartbeat, summary,
 * Identity Center, first-seen, alarm notes, operators' emails), and under each message a link that
 * opens that exact payload in Slack's Block Kit Builder. Besides, a handful of fixture sign-ins go
 * through the packaged handler, against local stand-ins for Slack and AWS, to show that the
 * packaged function posts what Slack accepts.
 */
import { buildOkMessage, buildPendingMessage, buildSignInMessages, type Presentation, type SlackMessage } from "../handler/decide/messages";
import { buildHeartbeatMessage, buildSummaryMessage, heartbeatNotice } from "../handler/decide/reports";
import {
    buildGapWarning,
    buildPlainEventsMessage,
    gapNotice,
    refusedNoteNotice,
    undeliveredNotice,
    type OperatorsNotice,
} from "../handler/decide/fallbacks";
import { parseAlarmNotification, parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import type { AlarmNotification, SignIn, SummaryReport } from "../handler/common/types";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES, type BuiltInRuleId } from "../program/rules";
import type { Language, RunTimeRule, Severity } from "../shared/contract";
import { matchesFilterPattern } from "../shared/filterPattern";
import { remedyFor, type Question } from "../handler/decide/question";
import {
    answeredMessage,
    escalationMessage,
    notAskedLine,
    questionMessage,
    signInMessage,
    stateLine,
    withState,
    type AppMessage,
} from "../handler/decide/questionMessages";
import { alarmNotification, cloudTrailFixtures, fixture } from "./fixtures";
import {
    functionConfigOf,
    invokeInChild,
    removeUnpacked,
    resetLocalEndpoints,
    unpackFunction,
    type DeployedFunction,
} from "./local/deployedFunction";
import { LocalAws } from "./local/localAws";
import { LocalSlack } from "./local/localSlack";
import { LocalSlackApi } from "./local/localSlackApi";
import { LocalIam } from "./local/localIam";
import type { OfflineRun } from "./offlineEngine";

interface Payload {
    text: string;
    blocks?: Array<{
        type: string;
        text?: { text: string };
        fields?: Array<{ text: string }>;
        elements?: Array<{ text?: string | { text: string } }>;
    }>;
}

/**
 * The link that opens a payload's blocks in Slack's Block Kit Builder: the builder reads
 * `{"blocks":[...]}` from the URL fragment, percent-encoded. Slack's own documentation links its
 * examples this way ("View in Block Kit Builder"), and the Slack CLI's `blocks preview` opens
 * https://app.slack.com/block-kit-builder#<encoded {"blocks":[...]}> when it knows no workspace.
 */
export function blockKitBuilderUrl(blocks: readonly unknown[]): string {
    return `https://app.slack.com/block-kit-builder#${encodeURIComponent(JSON.stringify({ blocks }))}`;
}

/** Slack's mrkdwn as a terminal shows it: bold markers dropped, links as "label (url)", entities decoded. */
function plain(mrkdwn: string): string {
    return mrkdwn
        .replace(/<(https?:[^|>]+)\|([^>]+)>/g, "$2 ($1)")
        .replace(/\*([^*\n]+)\*/g, "$1")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&");
}

// Characters a terminal shows two columns wide: CJK, kana, Hangul, full-width forms.
const WIDE =
    /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/;

/** How many terminal columns a text takes, counting wide characters twice. */
function columnsOf(text: string): number {
    return [...text].reduce((sum, c) => sum + (WIDE.test(c) ? 2 : 1), 0);
}

/** Pads a text to `columns` terminal columns, counting wide characters twice, so Japanese labels line up. */
function padColumns(text: string, columns: number): string {
    return text + " ".repeat(Math.max(0, columns - columnsOf(text)));
}

// A field's label column, and the most a left-hand value is padded to before the right-hand field.
const LABEL_COLUMNS = 14;
const VALUE_COLUMNS_MAX = 30;

/** A section's fields two to a line, as Slack lays them out: label and value, side by side. */
function fieldLines(fields: ReadonlyArray<{ text: string }>): string[] {
    const cells = fields.map((f) => {
        const [label, value] = f.text.split("\n");
        return { label: plain(label ?? ""), value: plain(value ?? "") };
    });
    // The left-hand values that have a field beside them set where the right-hand column starts.
    const left = cells.filter((_, i) => i % 2 === 0 && i + 1 < cells.length);
    const width = Math.min(VALUE_COLUMNS_MAX, Math.max(0, ...left.map((c) => columnsOf(c.value))));
    const cell = (c: { label: string; value: string }): string => `${padColumns(c.label, LABEL_COLUMNS)} ${c.value}`;
    const lines: string[] = [];
    for (let i = 0; i < cells.length; i += 2) {
        const right = cells[i + 1];
        lines.push(`┃     ${right ? `${padColumns(cell(cells[i]!), LABEL_COLUMNS + 1 + width)}  ${cell(right)}` : cell(cells[i]!)}`);
    }
    return lines;
}

export function renderMessage(payload: Payload): string {
    const lines: string[] = [];
    if (!payload.blocks) {
        return `┃ ${plain(payload.text)}`;
    }
    for (const block of payload.blocks) {
        if (block.type === "header" && block.text) {
            lines.push(`┃ ${block.text.text}`);
        } else if (block.type === "section") {
            if (block.text) {
                lines.push(
                    ...plain(block.text.text)
                        .split("\n")
                        .map((line) => `┃ ${line}`),
                );
            }
            lines.push(...fieldLines(block.fields ?? []));
        } else if (block.type === "context") {
            lines.push(
                `┃ ${(block.elements ?? []).map((e) => plain(typeof e.text === "string" ? e.text : (e.text?.text ?? ""))).join(" ")}`,
            );
        } else if (block.type === "actions") {
            // Buttons, as Slack draws them side by side.
            lines.push(
                `┃ ${(block.elements ?? []).map((e) => `[ ${typeof e.text === "string" ? e.text : (e.text?.text ?? "")} ]`).join("  ")}`,
            );
        }
    }
    return lines.join("\n");
}

/** A message as a channel shows it, with the link that opens it in Block Kit Builder when it has blocks. */
export function renderWithLink(payload: Payload): string {
    const rendered = renderMessage(payload);
    return payload.blocks ? `${rendered}\n  Block Kit Builder: ${blockKitBuilderUrl(payload.blocks)}` : rendered;
}

/** An operators' email as the inbox shows it. */
export function renderNotice(notice: OperatorsNotice): string {
    return [`✉ ${notice.subject}`, ...notice.message.split("\n").map((line) => `  ${line}`)].join("\n");
}

// The fixture sign-ins the packaged function is run on, in the order they are logged.
const PACKAGED_RUN = ["iam-user-mfa", "iam-user-no-mfa", "root-mfa", "failure-unknown-user", "sso-assumed-role", "switch-role"];

/** What the packaged function did with the fixture sign-ins: the messages the local Slack took, and why it refused any. */
export interface PackagedRun {
    signIns: number;
    accepted: Payload[];
    refused: string[];
}

/**
 * The fixture sign-ins in the trail's log group, one scheduled sweep of the packaged handler as
 * Lambda runs it: what the channel receives, in order, and what Slack would have refused.
 */
export async function runPackagedFunction(run: OfflineRun): Promise<PackagedRun> {
    const fn = unpackFunction(run);
    const slack = await new LocalSlack().start();
    const aws = await new LocalAws().start();
    const api = await slackAppFor(fn);
    // IAM answers ListUserTags here with no tags: the sample run's IAM users have no email to ask.
    const iam = await new LocalIam().start();
    try {
        await resetLocalEndpoints(fn, slack, aws);
        if (api) {
            aws.parameters.set(fn.environment["BOT_TOKEN_PARAMETER_NAME"]!, { type: "SecureString", value: api.botToken });
        }
        for (const name of PACKAGED_RUN) {
            aws.logEvents.push({
                logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!,
                timestamp: Date.now() - 120000,
                message: JSON.stringify(fixture(`cloudtrail_${name}`)),
            });
        }
        const result = await invokeInChild(fn, [fixture("events_scheduled-sweep")], {
            env: { ...aws.env(), ...iam.env(), ...api?.env(), MIN_POST_INTERVAL_MS: "0" },
        });
        if (!result.results[0]?.ok) {
            throw new Error(`the packaged handler failed: ${JSON.stringify(result.results[0]?.error ?? result.stderr)}`);
        }
        return {
            signIns: PACKAGED_RUN.length,
            accepted: slack.accepted as Payload[],
            refused: slack.requests
                .filter((r) => r.answeredWith !== 200)
                .map((r) => `${r.answeredWith} ${r.rejection ?? r.answeredBody ?? ""}`),
        };
    } finally {
        await slack.stop();
        await aws.stop();
        await api?.stop();
        await iam.stop();
        removeUnpacked(fn);
    }
}

/** The local Slack Web API, with the stack's channel, when the stack asks people "Was this you?". */
async function slackAppFor(fn: DeployedFunction): Promise<LocalSlackApi | undefined> {
    const confirm = functionConfigOf(fn.resource).confirm;
    if (!confirm) {
        return undefined;
    }
    const api = await new LocalSlackApi().start();
    api.channels.add(confirm.channel);
    return api;
}

/** A built-in rule as the function sees it, optionally at another severity. */
function rule(id: BuiltInRuleId, severity?: Severity): RunTimeRule {
    const r = BUILT_IN_RULES[id];
    return { id, title: r.title, pattern: r.pattern, severity: severity ?? r.severity, alarmName: `login-alerts-${id}-alarm-1c120a3` };
}

function signIn(name: string, change: Partial<SignIn> = {}): SignIn {
    const parsed = parseCloudTrailRecord(JSON.stringify(fixture(`cloudtrail_${name}`)));
    if (!parsed.ok) {
        throw new Error(`fixture ${name}: ${parsed.reason}`);
    }
    return { ...toSignIn(parsed.value), ...change };
}

/** The recorded alarm notification, in the given state. */
export function sampleAlarm(
    state: AlarmNotification["newState"],
    alarmName?: string,
    recorded = "sns_alarm-console-signin",
): AlarmNotification {
    const event = alarmNotification({ NewStateValue: state, ...(alarmName ? { AlarmName: alarmName } : {}) }, recorded) as {
        Records: Array<{ Sns: { Message: string } }>;
    };
    const parsed = parseAlarmNotification(event.Records[0]!.Sns.Message);
    if (!parsed.ok) {
        throw new Error(`the alarm fixture: ${parsed.reason}`);
    }
    return parsed.value;
}

/** One sample: a Slack message, or an operators' email. */
export type Sample = { name: string; message: SlackMessage | AppMessage } | { name: string; notice: OperatorsNotice };

const MINUTE = 60_000;

// The recorded heartbeat notification: nothing reached the trail's log group for a day.
const SAMPLE_HEARTBEAT = { logGroupName: "login-alerts-trail-logs-18a1fb5", quietMinutes: 1440 };

/** The recorded delivery-heartbeat alarm notification, in the given state. */
function heartbeatAlarm(state: AlarmNotification["newState"]): AlarmNotification {
    return sampleAlarm(state, undefined, "sns_alarm-delivery-heartbeat");
}

// The CloudTrail event id of the samples about events Slack would not show or refused.
const SAMPLE_EVENT_ID = "a8e6d2b1-0f4c-4c52-9a3e-2d1f6b7c8e90";

/** The lookup gap of the samples: a day, a fortnight before the recorded alarm. */
function sampleGap(): { fromMs: number; toMs: number } {
    const alarmAt = sampleAlarm("ALARM").stateChangeTime.getTime();
    const day = 24 * 60 * MINUTE;
    return { fromMs: alarmAt - 15 * day, toMs: alarmAt - 14 * day };
}

/** Sign-in messages as they always were: by each path, a failure, an allow-listed one, a root API call. */
function signInSamples(p: Presentation): Sample[] {
    const posted = (fixtureName: string, ruleId: BuiltInRuleId, shown: Presentation): SlackMessage =>
        buildSignInMessages(rule(ruleId), [signIn(fixtureName)], shown)[0]!.message;
    const after = (fixtureName: string, path: "fast" | "backstop", ms: number): Presentation => ({
        ...p,
        delivery: { path, atMs: signIn(fixtureName).eventTime.getTime() + ms },
    });
    return [
        { name: "sign-in", message: posted("iam-user-mfa", "console-signin", after("iam-user-mfa", "fast", 14_000)) },
        {
            name: "failed sign-in, posted by the backstop",
            message: posted("failure-wrong-password", "signin-failures", after("failure-wrong-password", "backstop", 6 * MINUTE)),
        },
        {
            name: "allow-listed sign-in, posted as known",
            message: buildSignInMessages(rule("console-signin", "info"), [signIn("saml-federation")], {
                ...p,
                mentions: {},
                variant: "known",
            })[0]!.message,
        },
        { name: "root API call", message: posted("root-api-call", "root-activity", p) },
    ];
}

/** What knowing the person adds: Identity Center people and their MFA, first-seen marks, the raised group, and the new rules. */
function personSamples(p: Presentation): Sample[] {
    const sso = signIn("sso-assumed-role");
    const at = sso.eventTime.getTime();
    const first = (change: Partial<SignIn>, shown: Presentation): SlackMessage =>
        buildSignInMessages(rule("console-signin"), [{ ...sso, ...change }], shown)[0]!.message;
    const noMfa = signIn("iam-user-no-mfa");
    const raised: SignIn = {
        ...noMfa,
        firstSeen: {
            noHistory: false,
            newNetwork: "198.51.100.0/24",
            newAgent: { client: "Firefox", os: "macOS" },
            newRegion: "us-east-1",
            windowDays: 90,
            historySince: new Date(noMfa.eventTime.getTime() - 12 * 24 * 60 * MINUTE),
        },
    };
    return [
        {
            name: "IAM Identity Center sign-in with WebAuthn, from a new network",
            message: first(
                {
                    identityCenterMfa: { methods: ["PASSWORD", "WEBAUTHN"], usedMfa: true, at: new Date(at - 40_000) },
                    firstSeen: { noHistory: false, newNetwork: "203.0.113.0/24", windowDays: 90 },
                },
                { ...p, delivery: { path: "fast", atMs: at + 14_000 } },
            ),
        },
        {
            name: "IAM Identity Center sign-in, method unknown, no history yet",
            message: first({ firstSeen: { noHistory: true, windowDays: 90 } }, p),
        },
        {
            name: "sign-in from a new network, severity raised",
            message: buildSignInMessages(rule("signin-without-mfa", "critical"), [raised], { ...p, variant: "new-network" })[0]!.message,
        },
        {
            name: "IAM Identity Center sign-in with a password only",
            message: buildSignInMessages(rule("sso-signin-without-mfa"), [signIn("sso-authentication-password-only")], p)[0]!.message,
        },
        { name: "trail stopped", message: buildSignInMessages(rule("trail-tampering"), [signIn("stop-logging")], p)[0]!.message },
    ];
}

/** Alarm notes, the delivery heartbeat and the summary. */
function noteSamples(p: Presentation): Sample[] {
    return [
        { name: "alarm before CloudTrail delivers", message: buildPendingMessage(rule("console-signin"), sampleAlarm("ALARM"), p) },
        { name: "alarm back to OK", message: buildOkMessage(rule("console-signin"), sampleAlarm("OK"), p) },
        {
            name: "events Slack would not show, as text",
            message: buildPlainEventsMessage(rule("root-activity"), [SAMPLE_EVENT_ID], p),
        },
        {
            name: "lookup gap",
            message: buildGapWarning(rule("console-signin"), sampleGap(), p),
        },
        {
            name: "heartbeat: CloudTrail delivery stopped",
            message: buildHeartbeatMessage({ ...SAMPLE_HEARTBEAT, alarm: heartbeatAlarm("ALARM") }, p),
        },
        {
            name: "heartbeat: CloudTrail delivery resumed",
            message: buildHeartbeatMessage({ ...SAMPLE_HEARTBEAT, alarm: heartbeatAlarm("OK") }, p),
        },
        { name: "daily summary", message: buildSummaryMessage(sampleSummary(), p) },
        {
            name: "daily summary of an organization",
            // The member account unlabelled: its name is AWS Organizations' (DescribeAccount), as the function reads it.
            message: buildSummaryMessage(sampleOrganizationSummary(), {
                ...p,
                accountLabels: { ...p.accountLabels, [SAMPLE_MEMBER.id]: SAMPLE_MEMBER.name },
            }),
        },
    ];
}

/** A day's summary as the fixtures' sign-ins would make it: one quiet rule, and one new network. */
export function sampleSummary(): SummaryReport {
    const toMs = Date.UTC(2024, 4, 21, 0, 0, 0);
    return {
        period: "daily",
        fromMs: toMs - 24 * 60 * MINUTE,
        toMs,
        perRule: BUILT_IN_RULE_IDS.map((id, i) => ({ ruleId: id, title: BUILT_IN_RULES[id].title, count: [3, 0, 2, 1, 0][i] ?? 0 })),
        perPrincipal: [
            { principal: { kind: "name", name: "alice@example.com" }, count: 2 },
            { principal: { kind: "root" }, count: 2 },
            { principal: { kind: "role-session", session: "bob@example.com", role: "OktaAdmins" }, count: 1 },
            { principal: { kind: "name", name: "ops-admin" }, count: 1 },
        ],
        otherPrincipals: 0,
        unnamedPrincipalEvents: 0,
        newNetworks: [{ principal: { kind: "name", name: "alice@example.com" }, network: "203.0.113.0/24" }],
        backstopOnly: 1,
        failures: 0,
    };
}

/** A member account of the sample organization, and its name in AWS Organizations. */
export const SAMPLE_MEMBER = { id: "444455556666", name: "payments-prod" } as const;

/** The day's summary where the stack serves an organization: a line per principal and account, `root` of two accounts two lines. */
export function sampleOrganizationSummary(): SummaryReport {
    const own = "111122223333";
    return {
        ...sampleSummary(),
        perPrincipal: [
            { principal: { kind: "name", name: "alice@example.com" }, accountId: own, count: 2 },
            { principal: { kind: "root" }, accountId: SAMPLE_MEMBER.id, count: 2 },
            { principal: { kind: "root" }, accountId: own, count: 1 },
            { principal: { kind: "role-session", session: "bob@example.com", role: "OktaAdmins" }, accountId: SAMPLE_MEMBER.id, count: 1 },
        ],
        newNetworks: [{ principal: { kind: "name", name: "alice@example.com" }, accountId: own, network: "203.0.113.0/24" }],
    };
}

/** The operators' emails. */
function noticeSamples(p: Presentation): Sample[] {
    return [
        {
            name: "email: events Slack refused",
            notice: undeliveredNotice(rule("root-activity"), [SAMPLE_EVENT_ID], "HTTP 400 invalid_blocks", p),
        },
        {
            name: "email: lookup gap",
            notice: gapNotice(rule("console-signin"), sampleGap(), p),
        },
        {
            name: "email: note Slack refused",
            notice: refusedNoteNotice(rule("console-signin"), "…", "HTTP 400 invalid_blocks", p),
        },
        {
            name: "email: heartbeat",
            notice: heartbeatNotice({ ...SAMPLE_HEARTBEAT, alarm: heartbeatAlarm("ALARM") }, p),
        },
    ];
}

/**
 * "Was this you?": the channel's message in each of its states, the direct message before and after
 * a denial, the escalation, and the sign-in nobody could be asked about.
 */
export function questionSamples(p: Presentation): Sample[] {
    const noMfa = signIn("iam-user-no-mfa");
    const askedAt = noMfa.eventTime.getTime() + 9_000;
    const titled = rule("signin-without-mfa");
    const message = signInMessage(titled, noMfa, { ...p, delivery: { path: "fast", atMs: askedAt } });
    const q: Question = {
        eventId: noMfa.eventId,
        ruleId: titled.id,
        severity: titled.severity,
        state: "waiting",
        userId: "U0123ABCDEF",
        teamId: "T0123ABCDEF",
        askedAtMs: askedAt,
        deadlineMs: askedAt + 30 * MINUTE,
        channel: "C0123ABCDEF",
        ts: "1715677970.000100",
        message,
        accountId: noMfa.accountId,
        remedy: remedyFor(noMfa),
    };
    const inState = (change: Partial<Question>): SlackMessage => withState(message, stateLine({ ...q, ...change }, p, 30));
    const asked = questionMessage(message, q.accountId, q.eventId, p);
    const denied: Question = { ...q, state: "denied", answeredAtMs: askedAt + 95_000 };
    return [
        { name: "Was this you?: the channel, waiting for the answer", message: inState({}) },
        { name: "Was this you?: the direct message", message: asked },
        { name: "Was this you?: the channel, confirmed", message: inState({ state: "confirmed", answeredAtMs: askedAt + 130_000 }) },
        { name: "Was this you?: the channel, denied", message: inState(denied) },
        { name: "Was this you?: the direct message, denied", message: answeredMessage(asked, denied, p, 30) },
        { name: "Was this you?: the escalation of a denial", message: escalationMessage(titled, denied, p, 30) },
        { name: "Was this you?: the channel, unanswered", message: inState({ state: "unanswered" }) },
        { name: "Was this you?: the escalation of a silence", message: escalationMessage(titled, { ...q, state: "unanswered" }, p, 30) },
        { name: "Was this you?: nobody to ask", message: withState(message, notAskedLine({ kind: "shared" }, p)) },
    ];
}

/** The account label and mention the samples of every kind show when no stack's are given: the snapshots' own. */
export const DEMO_SHOWN: Pick<Presentation, "accountLabels" | "mentions"> = {
    accountLabels: { "111122223333": "production" },
    mentions: { critical: "<!here>" },
};

/** One of every kind of message the function sends, built in process from the fixtures. */
export function messageSamples(
    language: Language,
    timeZone: string,
    shown: Pick<Presentation, "accountLabels" | "mentions"> = DEMO_SHOWN,
): Sample[] {
    const p: Presentation = { timeZone, language, accountLabels: shown.accountLabels, mentions: shown.mentions };
    return [...signInSamples(p), ...personSamples(p), ...noteSamples(p), ...questionSamples(p), ...noticeSamples(p)];
}

/** Renders a sample: a message, with its Block Kit Builder link on request, or an email. */
export function renderSample(sample: Sample, links = false): string {
    const shown =
        "message" in sample ? (links ? renderWithLink(sample.message) : renderMessage(sample.message)) : renderNotice(sample.notice);
    return `── ${sample.name}\n${shown}`;
}

// How long after a sign-in the samples post it: seconds by the fast path (EventBridge), minutes by
// the CloudWatch Logs backstop (CloudTrail's delivery to the log group, then the alarm's period).
export const FAST_PATH_DELAY_MS = 9_000;
export const BACKSTOP_DELAY_MS = 6 * MINUTE;

// How many sign-ins `npm start` shows.
export const STACK_SAMPLES = 4;

/**
 * Sign-ins as the stack's own rules post them: for each rule, in order, the first fixture sign-in
 * its pattern matches that no earlier rule took, until there are `count`. Each is posted on a fixed
 * clock, by the path the stack gives its rule: `FAST_PATH_DELAY_MS` after the sign-in by the fast
 * path, `BACKSTOP_DELAY_MS` by the backstop.
 */
export function stackSamples(
    rules: readonly RunTimeRule[],
    p: Omit<Presentation, "delivery" | "variant">,
    pathOf: (ruleId: string) => "fast" | "backstop",
    count = STACK_SAMPLES,
): Sample[] {
    const fixtures = cloudTrailFixtures();
    // The packaged function's fixtures first, so the samples and its run speak of the same sign-ins.
    const names = [...new Set([...PACKAGED_RUN, ...fixtures.keys()])];
    const taken = new Set<string>();
    const samples: Sample[] = [];
    for (const rule of rules) {
        const name = names.find((n) => !taken.has(n) && matchesFilterPattern(rule.pattern, fixtures.get(n)!.parsed));
        const parsed = name === undefined ? undefined : parseCloudTrailRecord(fixtures.get(name)!.text);
        if (name === undefined || !parsed?.ok) {
            continue;
        }
        taken.add(name);
        const signIn = toSignIn(parsed.value);
        const path = pathOf(rule.id);
        const delivery = { path, atMs: signIn.eventTime.getTime() + (path === "fast" ? FAST_PATH_DELAY_MS : BACKSTOP_DELAY_MS) };
        const message = buildSignInMessages(rule, [signIn], { ...p, delivery })[0]!.message;
        samples.push({ name: `rule ${rule.id} (${rule.severity})`, message });
        if (samples.length === count) {
            break;
        }
    }
    return samples;
}
