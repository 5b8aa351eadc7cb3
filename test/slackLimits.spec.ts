import { messageProblem } from "../tools/local/localSlackApi";
import type { AppMessage } from "../handler/decide/questionMessages";
import * as assert from "assert";
import {
    buildOkMessage,
    buildPendingMessage,
    buildSignInMessages,
    SIGNINS_PER_MESSAGE,
    SLACK_LIMITS,
    type Presentation,
    type SlackMessage,
} from "../handler/decide/messages";
import { buildHeartbeatMessage, buildSummaryMessage } from "../handler/decide/reports";
import { clip, literal } from "../handler/decide/mrkdwn";
import { parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import type { AlarmNotification, PrincipalName, SignIn, SummaryReport } from "../handler/common/types";
import { BUILT_IN_RULE_IDS } from "../program/rules";
import { LANGUAGES, type RunTimeRule } from "../shared/contract";
import { alarmNamesOf, invokeInChild } from "../tools/local/deployedFunction";
import { LocalSlack, SLACK_BLOCK_LIMITS, validateWebhookPayload } from "../tools/local/localSlack";
import { cloudTrailFixtures, fixture } from "../tools/fixtures";
import { messageSamples } from "../tools/sampleMessages";
import { useDeployedRig } from "./support/deployedRig";
import { builtInRunTimeRule } from "./support/fakePorts";
import { defaultProgram } from "./support/program";

// The longest rule title the configuration accepts (program/ruleSettings.ts, MAX_TITLE_LENGTH).
const TITLE_MAX = 100;
// Every value below is as long as its source allows, made of the character that grows most when
// escaped for mrkdwn ("&" becomes "&amp;"). Event fields have no bound of their own: CloudTrail
// values, or forged log events, may be of any length.
const HUGE = 5000;
const amp = (n: number): string => "&".repeat(n);
// CloudWatch alarm names are at most 255 characters.
const ALARM_NAME_MAX = 255;
// The longest IANA zone name in the tz database's backward file.
const LONGEST_ZONE = "America/Argentina/ComodRivadavia";
// Slack user group ids are 9 to 11 characters; the configuration accepts any length, so take twice that.
const LONG_MENTION = "<!subteam^S0123456789ABCDEFGHIJK>";
// CloudTrail's own eventIDs are UUIDs.
const UUID_LENGTH = 36;
// The eventID a log event can carry when it is not CloudTrail's: the size the issue names.
const EVENT_ID_MAX = 3000;

const RULE: RunTimeRule = {
    id: "custom-rule",
    title: amp(TITLE_MAX),
    pattern: "{ $.eventName = * }",
    severity: "critical",
    alarmName: amp(ALARM_NAME_MAX),
};

const MAXIMAL: Presentation = {
    timeZone: LONGEST_ZONE,
    accountLabels: { "111122223333": amp(HUGE) },
    mentions: { info: LONG_MENTION, high: LONG_MENTION, critical: LONG_MENTION },
    language: "en",
};

function eventIdOf(i: number, length = UUID_LENGTH): string {
    const n = String(i);
    return `${"e".repeat(length - n.length - 1)}-${n}`;
}

/** A sign-in with every free-text field as long as it can be. */
function maximalSignIn(i: number, eventId = eventIdOf(i)): SignIn {
    return {
        eventId,
        principal: { kind: "role-session", session: amp(HUGE), role: amp(HUGE) },
        userName: amp(HUGE),
        identityType: amp(HUGE),
        // Any eventName other than ConsoleLogin adds "called <eventName>" to the section's text.
        eventName: amp(HUGE),
        result: "Failure",
        mfa: "No",
        sourceIp: amp(HUGE),
        region: amp(HUGE),
        eventTime: new Date(Date.UTC(2021, 5, 8, 7, 53, i % 60)),
        userAgent: amp(HUGE),
        accountId: amp(HUGE),
        errorMessage: amp(HUGE),
    };
}

function maximalSignIns(count: number): SignIn[] {
    return Array.from({ length: count }, (_, i) => maximalSignIn(i));
}

const ALARM: AlarmNotification = {
    alarmName: amp(ALARM_NAME_MAX),
    newState: "ALARM",
    oldState: "OK",
    reason: amp(HUGE),
    stateChangeTime: new Date(Date.UTC(2021, 5, 8, 7, 58, 32)),
    region: "us-east-1",
    accountId: amp(HUGE),
    periodSeconds: 60,
    evaluationPeriods: 1,
};

/** Posts a body to the stand-in and returns its answer. */
async function post(slack: LocalSlack, body: string): Promise<{ status: number; body: string }> {
    const response = await fetch(slack.url, { method: "POST", headers: { "Content-Type": "application/json; charset=utf-8" }, body });
    return { status: response.status, body: await response.text() };
}

/** The stand-in's answer to a message, with its reason when refused. */
function verdictOf(message: SlackMessage | AppMessage): string {
    // The app's messages (with buttons) go through the Web API, whose stand-in knows actions blocks.
    if ((message.blocks ?? []).some((b) => b.type === "actions")) {
        const problem = messageProblem(message.text, message.blocks);
        return problem ? `${problem.status} ${JSON.stringify(problem.body)}` : "200 ok";
    }
    const verdict = validateWebhookPayload(JSON.stringify(message));
    return verdict.status === 200 ? "200 ok" : `${verdict.status} ${verdict.body}: ${verdict.reason}`;
}

/** The most fields any section of a payload has (0 for a payload without sections of fields). */
function mostFields(payload: unknown): number {
    const blocks = (payload as { blocks?: Array<{ type: string; fields?: unknown[] }> }).blocks ?? [];
    return Math.max(0, ...blocks.filter((b) => b.type === "section").map((b) => b.fields?.length ?? 0));
}

// Japanese values that grow or that a careless cut would break: ideographs, a kana with a combining
// voiced mark (か + U+3099), an emoji joined with U+200D, an ideograph with a variation selector,
// and a character outside the BMP (a surrogate pair).
const JAPANESE_UNITS = ["山", "か\u3099", "👩🏽\u200D💻", "葛\uDB40\uDD00", "𠮷", "&"];
const japanese = (n: number): string => {
    let out = "";
    for (let i = 0; out.length < n; i++) {
        out += JAPANESE_UNITS[i % JAPANESE_UNITS.length];
    }
    return out;
};

/** A sign-in's free-text fields, every one set to `value`; the principal as a role session, its two names `value`. */
function everyTextField(value: string): Partial<SignIn> {
    return {
        principal: { kind: "role-session", session: value, role: value },
        identityType: value,
        eventName: value,
        sourceIp: value,
        region: value,
        userAgent: value,
        accountId: value,
        errorMessage: value,
    };
}

/** A sign-in whose every free-text field is a maximal Japanese value, with every new field set. */
function maximalJapaneseSignIn(i: number): SignIn {
    const value = japanese(HUGE);
    return {
        ...maximalSignIn(i),
        ...everyTextField(value),
        person: value,
        permissionSet: value,
        identityCenterMfa: { methods: Array.from({ length: 50 }, () => value), usedMfa: i % 2 === 0, at: new Date(0) },
        firstSeen: {
            noHistory: false,
            newNetwork: value,
            newAgent: { client: value, os: value },
            newRegion: value,
            windowDays: 90,
            historySince: new Date(0),
        },
    };
}

/** A hostile name as each kind of principal that carries one, in turn. */
function principalNamed(name: string, i: number): PrincipalName {
    const kinds: PrincipalName[] = [
        { kind: "name", name },
        { kind: "role-session", session: name, role: name },
        { kind: "federated", name },
    ];
    return kinds[i % kinds.length]!;
}

/**
 * A summary as large as anything could make it: 10,000 principals and new networks with hostile
 * names, each in an account with a 5,000-character label or an account id as long and hostile, 24 rules.
 */
function maximalSummary(): SummaryReport {
    const long = [amp(HUGE), japanese(HUGE)];
    const name = (i: number): string => `${long[i % 2]}<!channel>\n*${i}*`;
    const accountId = (i: number): string => (i % 3 === 0 ? "111122223333" : name(i));
    return {
        period: "weekly",
        fromMs: Date.UTC(2026, 10, 22),
        toMs: Date.UTC(2026, 10, 29),
        perRule: Array.from({ length: 24 }, (_, i) => ({ ruleId: `custom-${i}`, title: amp(TITLE_MAX), count: i === 0 ? 0 : 10 ** 9 })),
        perPrincipal: Array.from({ length: 10_000 }, (_, i) => ({
            principal: principalNamed(name(i), i),
            accountId: accountId(i),
            count: 10_000 - i,
        })),
        otherPrincipals: 123_456_789,
        unnamedPrincipalEvents: 10 ** 9,
        newNetworks: Array.from({ length: 10_000 }, (_, i) => ({
            principal: principalNamed(name(i), i),
            accountId: accountId(i),
            network: long[0]!,
        })),
        backstopOnly: 10 ** 9,
        failures: 10 ** 9,
    };
}

/** A cut keeps whole characters as a reader sees them: what is kept is a prefix of the value ending on a grapheme boundary. */
function cutOnGraphemeBoundary(value: string, shown: string): boolean {
    const kept = shown.endsWith("…") ? shown.slice(0, -1) : shown;
    if (!value.startsWith(kept)) {
        return false;
    }
    const boundaries = [...new Intl.Segmenter("ja", { granularity: "grapheme" }).segment(value)].map((s) => s.index);
    return kept.length === value.length || boundaries.includes(kept.length);
}

describe("Slack's Block Kit limits, in every language", function () {
    for (const language of LANGUAGES) {
        const p = { ...MAXIMAL, language };

        it(`${language}: sign-in messages of maximal Japanese values, Identity Center and first-seen included, are accepted`, function () {
            const signIns = Array.from({ length: SIGNINS_PER_MESSAGE + 1 }, (_, i) => maximalJapaneseSignIn(i));
            const messages = [
                ...buildSignInMessages(RULE, signIns, p),
                ...buildSignInMessages(RULE, signIns, { ...p, variant: "known" }),
                ...buildSignInMessages(RULE, signIns, { ...p, variant: "new-network", delivery: { path: "backstop", atMs: Date.now() } }),
            ];
            assert.deepStrictEqual(
                messages.map((m) => verdictOf(m.message)),
                messages.map(() => "200 ok"),
            );
            const alarm = { ...ALARM, alarmName: japanese(ALARM_NAME_MAX), reason: japanese(HUGE), accountId: japanese(HUGE) };
            assert.strictEqual(verdictOf(buildPendingMessage(RULE, alarm, p)), "200 ok");
            assert.strictEqual(verdictOf(buildOkMessage(RULE, alarm, p)), "200 ok");
        });

        it(`${language}: the heartbeat, both states, for the longest log group name and alarm reason`, function () {
            for (const newState of ["ALARM", "OK", "INSUFFICIENT_DATA"] as const) {
                const notice = {
                    alarm: { ...ALARM, newState, reason: japanese(HUGE) },
                    logGroupName: japanese(HUGE),
                    quietMinutes: 10 ** 9,
                };
                assert.strictEqual(verdictOf(buildHeartbeatMessage(notice, p)), "200 ok", newState);
            }
        });

        it(`${language}: the summary of 10,000 principals and new networks with hostile names, and a quiet one`, function () {
            const started = Date.now();
            const big = buildSummaryMessage(maximalSummary(), p);
            // Only what a section can show is made literal: 10,000 names cost no more than a few hundred.
            assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
            assert.strictEqual(verdictOf(big), "200 ok");
            assert.ok(!JSON.stringify(big).includes("<!channel>"), "a raw mention reached the summary");
            const quiet = buildSummaryMessage(
                { ...maximalSummary(), perPrincipal: [], otherPrincipals: 0, newNetworks: [], backstopOnly: 0, failures: 0 },
                p,
            );
            assert.strictEqual(verdictOf(quiet), "200 ok");
        });
    }

    it("cuts Japanese values only between characters as a reader sees them: never inside a surrogate pair or a combining sequence", function () {
        const value = japanese(400);
        for (let max = 2; max <= 120; max++) {
            for (const shown of [literal(value, max), clip(value, max)]) {
                assert.ok(shown.length <= max, `${shown.length} > ${max}`);
                assert.ok(
                    cutOnGraphemeBoundary(value.replace(/&/g, "&amp;"), shown.replace(/&(?!amp;)/g, "&amp;")),
                    `max ${max}: ${JSON.stringify(shown)}`,
                );
            }
        }
    });
});

describe("Slack's 10 fields a section", function () {
    it("is the limit the handler designs around, as are the stand-in's other limits", function () {
        assert.deepStrictEqual(
            {
                blocksPerMessage: SLACK_BLOCK_LIMITS.blocksPerMessage,
                sectionText: SLACK_BLOCK_LIMITS.sectionTextChars,
                headerText: SLACK_BLOCK_LIMITS.headerTextChars,
                fieldsPerSection: SLACK_BLOCK_LIMITS.sectionFields,
                fieldText: SLACK_BLOCK_LIMITS.sectionFieldChars,
            },
            { ...SLACK_LIMITS },
        );
    });

    it("is what the stand-in holds a section to: 10 fields accepted, 11 refused with Slack's invalid_blocks", function () {
        const section = (count: number) => ({
            type: "section",
            fields: Array.from({ length: count }, (_, i) => ({ type: "mrkdwn", text: `*Field ${i}*\nvalue` })),
        });
        const answer = (count: number) => validateWebhookPayload(JSON.stringify({ text: "fallback", blocks: [section(count)] }));
        assert.deepStrictEqual(answer(SLACK_LIMITS.fieldsPerSection), { status: 200, body: "ok" });
        // Block Kit reference, "Section block": fields, "Maximum number of items is 10".
        assert.deepStrictEqual(answer(SLACK_LIMITS.fieldsPerSection + 1), {
            status: 400,
            body: "invalid_blocks",
            reason: "blocks[0] has 11 fields, more than 10",
        });
    });

    it("holds every message built for every CloudTrail fixture, by every built-in rule, in every language and variant", function () {
        let most = 0;
        let messages = 0;
        for (const [name, { text }] of cloudTrailFixtures()) {
            const parsed = parseCloudTrailRecord(text);
            if (!parsed.ok) {
                continue;
            }
            const signIn = toSignIn(parsed.value);
            // The fixture as it is, and with every optional field the sign-in section can show.
            const signIns = [signIn, { ...signIn, permissionSet: "AdministratorAccess", errorMessage: "Failed authentication" }];
            for (const language of LANGUAGES) {
                const p: Presentation = {
                    ...MAXIMAL,
                    language,
                    delivery: { path: "backstop", atMs: signIn.eventTime.getTime() + 60_000 },
                };
                const shown: Presentation[] = [p, { ...p, variant: "known" }, { ...p, variant: "new-network" }];
                for (const id of BUILT_IN_RULE_IDS) {
                    for (const presentation of shown) {
                        for (const { message } of buildSignInMessages(builtInRunTimeRule(id), signIns, presentation)) {
                            assert.strictEqual(verdictOf(message), "200 ok", `${name}, ${id}, ${language}`);
                            most = Math.max(most, mostFields(message));
                            messages++;
                        }
                    }
                }
            }
        }
        assert.ok(messages > 100, `only ${messages} messages`);
        // A sign-in with a permission set and an error fills a section exactly.
        assert.strictEqual(most, SLACK_LIMITS.fieldsPerSection);
    });

    it("holds one message of every other kind, in every language", function () {
        for (const language of LANGUAGES) {
            for (const sample of messageSamples(language, "Asia/Tokyo")) {
                if ("message" in sample) {
                    assert.strictEqual(verdictOf(sample.message), "200 ok", `${language}: ${sample.name}`);
                    assert.ok(mostFields(sample.message) <= SLACK_LIMITS.fieldsPerSection, `${language}: ${sample.name}`);
                }
            }
        }
    });

    describe("what the deployed handler posts", function () {
        const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });

        it("posts every CloudTrail fixture in messages of at most 10 fields a section, every one accepted", async function () {
            const { fn, slack, aws, env } = rig;
            for (const { text } of cloudTrailFixtures().values()) {
                aws.logEvents.push({
                    logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!,
                    timestamp: Date.now() - 120000,
                    message: text,
                });
            }
            const run = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env });
            assert.strictEqual(run.results[0]?.ok, true, run.stderr);
            const refused = slack.requests.filter((r) => r.answeredWith !== 200).map((r) => `${r.answeredWith} ${r.rejection}`);
            assert.deepStrictEqual(refused, []);
            assert.ok(slack.accepted.length > 5, `only ${slack.accepted.length} messages`);
            assert.ok(Math.max(...slack.accepted.map(mostFields)) <= SLACK_LIMITS.fieldsPerSection);
        });
    });
});

describe("Slack's Block Kit limits", function () {
    describe("every message this project builds, at maximal field sizes, is accepted", function () {
        for (const count of [1, SIGNINS_PER_MESSAGE, SIGNINS_PER_MESSAGE + 1]) {
            it(`sign-in messages for ${count} sign-in(s)`, function () {
                const messages = buildSignInMessages(RULE, maximalSignIns(count), MAXIMAL);
                assert.strictEqual(messages.length, Math.ceil(count / SIGNINS_PER_MESSAGE));
                assert.deepStrictEqual(
                    messages.map((m) => verdictOf(m.message)),
                    messages.map(() => "200 ok"),
                );
            });
        }

        // What a value grows to once made literal: a bidi control, a zero-width or control character,
        // or half a surrogate pair becomes an eight-character [U+XXXX] marker; a mix makes every cut
        // point land next to an escape, a marker or a surrogate pair.
        const GROWING: Array<[string, string]> = [
            ["bidi overrides", "\u202E"],
            ["zero-width spaces", "\u200B"],
            ["C1 controls", "\u0085"],
            ["lone surrogates", "\uD800"],
            ["line breaks", "\r\n"],
            ["a mix of escapes, markers, emoji and formatting", "&\u202E😀<\n*_~`>"],
        ];
        for (const [what, unit] of GROWING) {
            it(`sign-in messages and alarm notes whose every field is made of ${what}`, function () {
                const value = unit.repeat(Math.ceil(HUGE / unit.length));
                const signIns = maximalSignIns(SIGNINS_PER_MESSAGE + 1).map((s) => ({ ...s, ...everyTextField(value) }));
                const alarm = { ...ALARM, alarmName: value.slice(0, ALARM_NAME_MAX), reason: value, accountId: value };
                const verdicts = [
                    ...buildSignInMessages(RULE, signIns, MAXIMAL).map((m) => verdictOf(m.message)),
                    verdictOf(buildPendingMessage(RULE, alarm, MAXIMAL)),
                    verdictOf(buildOkMessage(RULE, alarm, MAXIMAL)),
                ];
                assert.deepStrictEqual(
                    verdicts,
                    verdicts.map(() => "200 ok"),
                );
            });
        }

        it("a sign-in whose eventID is 3,000 characters, as a log event that is not CloudTrail's may carry", function () {
            const messages = buildSignInMessages(RULE, [maximalSignIn(0, eventIdOf(0, EVENT_ID_MAX))], MAXIMAL);
            assert.deepStrictEqual(
                messages.map((m) => verdictOf(m.message)),
                ["200 ok"],
            );
        });

        it("the message an alarm alone produces, before CloudTrail delivers the events", function () {
            assert.strictEqual(verdictOf(buildPendingMessage(RULE, ALARM, MAXIMAL)), "200 ok");
        });

        it("the note that an alarm is back to OK", function () {
            assert.strictEqual(verdictOf(buildOkMessage(RULE, ALARM, MAXIMAL)), "200 ok");
        });

        describe("what the deployed handler posts", function () {
            const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });

            it(`posts ${SIGNINS_PER_MESSAGE + 1} maximal console sign-ins in messages Slack accepts`, async function () {
                const { fn, slack, aws, env } = rig;
                const sample = fixture<Record<string, unknown>>("cloudtrail_iam-user-mfa");
                const at = Date.now() - 120000;
                const ids: string[] = [];
                for (let i = 0; i <= SIGNINS_PER_MESSAGE; i++) {
                    const eventID = eventIdOf(i);
                    ids.push(eventID);
                    // What the console-signin rule's pattern matches, with every free-text field at its longest.
                    const record = {
                        ...sample,
                        eventID,
                        eventTime: new Date(at + i).toISOString(),
                        userIdentity: { type: "IAMUser", accountId: amp(HUGE), userName: amp(HUGE), arn: amp(HUGE) },
                        sourceIPAddress: amp(HUGE),
                        awsRegion: amp(HUGE),
                        userAgent: amp(HUGE),
                        errorMessage: amp(HUGE),
                        recipientAccountId: amp(HUGE),
                    };
                    aws.logEvents.push({
                        logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!,
                        timestamp: at + i,
                        message: JSON.stringify(record),
                    });
                }
                const alarm = fixture<{ Records: Array<{ Sns: { Message: string } }> }>("sns_alarm-console-signin");
                const message = JSON.parse(alarm.Records[0]!.Sns.Message) as Record<string, unknown>;
                message["AlarmName"] = alarmNamesOf(fn)["console-signin"];
                alarm.Records[0]!.Sns.Message = JSON.stringify(message);
                const run = await invokeInChild(fn, [alarm], { env });
                const refused = slack.requests.filter((r) => r.answeredWith !== 200).map((r) => `${r.answeredWith} ${r.rejection}`);
                assert.deepStrictEqual(refused, [], run.stderr);
                assert.strictEqual(run.results[0]?.ok, true, run.stderr);
                assert.strictEqual(slack.accepted.length, 2);
                assert.strictEqual((run.results[0]!.value as { posted: number }).posted, ids.length);
            });
        });
    });

    describe("the stand-in answers like Slack", function () {
        let slack: LocalSlack;
        const L = SLACK_BLOCK_LIMITS;
        const mrkdwn = (text: string) => ({ type: "mrkdwn", text });
        const section = (text: string) => ({ type: "section", text: mrkdwn(text) });
        const header = (text: string) => ({ type: "header", text: { type: "plain_text", text } });
        const fields = (count: number, length = 1) => ({
            type: "section",
            fields: Array.from({ length: count }, () => mrkdwn("f".repeat(length))),
        });
        const context = (count: number) => ({ type: "context", elements: Array.from({ length: count }, () => mrkdwn("c")) });
        const message = (...blocks: unknown[]) => JSON.stringify({ text: "fallback", blocks });

        before(async function () {
            slack = await new LocalSlack().start();
        });

        after(async function () {
            await slack.stop();
        });

        beforeEach(function () {
            slack.reset();
        });

        const atTheLimit: Array<[string, string]> = [
            [`${L.blocksPerMessage} blocks`, message(...Array.from({ length: L.blocksPerMessage }, () => section("s")))],
            [`a header of ${L.headerTextChars} characters`, message(header("h".repeat(L.headerTextChars)))],
            [`a section text of ${L.sectionTextChars} characters`, message(section("s".repeat(L.sectionTextChars)))],
            [`${L.sectionFields} fields of ${L.sectionFieldChars} characters`, message(fields(L.sectionFields, L.sectionFieldChars))],
            [`${L.contextElements} context elements`, message(context(L.contextElements))],
            [`a block_id of ${L.blockIdChars} characters`, message({ ...section("s"), block_id: "b".repeat(L.blockIdChars) })],
            ["a section with text and fields", message({ ...section("s"), fields: [mrkdwn("f")] })],
            [
                `top-level text longer than ${L.messageTextTruncatedAfter} characters (Slack truncates it)`,
                JSON.stringify({ text: "t".repeat(L.messageTextTruncatedAfter + 1) }),
            ],
            ["text without blocks", JSON.stringify({ text: "hello" })],
            ["blocks without text", JSON.stringify({ blocks: [section("s")] })],
        ];
        for (const [what, body] of atTheLimit) {
            it(`accepts ${what}`, async function () {
                assert.deepStrictEqual(await post(slack, body), { status: 200, body: "ok" });
            });
        }

        const violations: Array<[string, string]> = [
            [`${L.blocksPerMessage + 1} blocks`, message(...Array.from({ length: L.blocksPerMessage + 1 }, () => section("s")))],
            [`a header of ${L.headerTextChars + 1} characters`, message(header("h".repeat(L.headerTextChars + 1)))],
            ["a header in mrkdwn", message({ type: "header", text: mrkdwn("h") })],
            [`a section text of ${L.sectionTextChars + 1} characters`, message(section("s".repeat(L.sectionTextChars + 1)))],
            ["an empty section text", message(section(""))],
            ["a section with neither text nor fields", message({ type: "section" })],
            [`${L.sectionFields + 1} fields`, message(fields(L.sectionFields + 1))],
            [`a field of ${L.sectionFieldChars + 1} characters`, message(fields(1, L.sectionFieldChars + 1))],
            ["an empty field", message(fields(1, 0))],
            [`${L.contextElements + 1} context elements`, message(context(L.contextElements + 1))],
            ["an empty context element", message({ type: "context", elements: [mrkdwn("")] })],
            [`a block_id of ${L.blockIdChars + 1} characters`, message({ ...section("s"), block_id: "b".repeat(L.blockIdChars + 1) })],
            ["a text object of another type", message({ type: "section", text: { type: "markdown", text: "s" } })],
            ["a text object without text", message({ type: "section", text: { type: "mrkdwn" } })],
        ];
        for (const [what, body] of violations) {
            it(`refuses ${what} with 400 invalid_blocks`, async function () {
                assert.deepStrictEqual(await post(slack, body), { status: 400, body: "invalid_blocks" });
                assert.strictEqual(slack.accepted.length, 0);
            });
        }

        it("counts characters as UTF-16 code units, so an astral character counts twice", async function () {
            // 75 emoji are 150 code units: exactly the header's limit. One emoji and 149 letters are 151 code
            // units (150 code points): refused here, where counting code points would accept it.
            assert.deepStrictEqual(await post(slack, message(header("😀".repeat(L.headerTextChars / 2)))), { status: 200, body: "ok" });
            assert.deepStrictEqual(await post(slack, message(header(`😀${"h".repeat(L.headerTextChars - 1)}`))), {
                status: 400,
                body: "invalid_blocks",
            });
        });

        it("refuses a payload with neither text nor blocks with 400 no_text", async function () {
            assert.deepStrictEqual(await post(slack, JSON.stringify({})), { status: 400, body: "no_text" });
            assert.deepStrictEqual(await post(slack, JSON.stringify({ text: "", blocks: [] })), { status: 400, body: "no_text" });
        });

        it("refuses a body that is not a JSON object with 400 invalid_payload", async function () {
            assert.deepStrictEqual(await post(slack, "{not json"), { status: 400, body: "invalid_payload" });
            assert.deepStrictEqual(await post(slack, "[]"), { status: 400, body: "invalid_payload" });
        });

        it("records each request's method and can answer with a redirect", async function () {
            slack.reset([{ status: 301, redirectTo: "/elsewhere" }]);
            const response = await fetch(slack.url, { method: "POST", body: message(section("s")), redirect: "manual" });
            assert.strictEqual(response.status, 301);
            assert.strictEqual(response.headers.get("location"), "/elsewhere");
            await fetch(slack.url.replace(/\/services\/.*$/, "/elsewhere"));
            assert.deepStrictEqual(
                slack.requests.map((r) => [r.method, r.path, r.answeredWith]),
                [
                    ["POST", new URL(slack.url).pathname, 301],
                    ["GET", "/elsewhere", 400],
                ],
            );
            assert.deepStrictEqual(slack.accepted, []);
        });
    });
});
