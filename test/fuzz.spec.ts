import * as assert from "assert";
import * as fs from "fs";
import { FUNCTION_CONFIG_FILE, readSettings } from "../shared/contract";
import type { FunctionConfig, HandlerSettings, Language } from "../shared/contract";
import { invokeInChild, logLines, resetLocalEndpoints, unpackFunction, type DeployedFunction } from "../tools/local/deployedFunction";
import { matchesFilterPattern } from "../shared/filterPattern";
import {
    CATEGORIES,
    FORBIDDEN_RAW,
    generateHostileCases,
    INVISIBLE_RAW,
    postedEventIds,
    runInProcess,
    type CaseOutcome,
    type Category,
    type HostileCase,
} from "./support/hostileInputs";
import { useDeployedRig } from "./support/deployedRig";
import { defaultProgram, functionConfigFor } from "./support/program";
import { normaliseDelays } from "./support/baseline";

const SEED = 0x1c0ffee;
const RULE_ID = "console-signin";
const KNOBS = { SLACK_TIMEOUT_MS: "300", SLACK_BACKOFF_BASE_MS: "50", SLACK_BACKOFF_CAP_MS: "200", MIN_POST_INTERVAL_MS: "0" };

// Slack's Block Kit and chat limits, from Slack's reference rather than from handler/decide/messages.ts,
// so a regression there cannot move the goalposts.
const LIMITS = { blocks: 50, headerText: 150, sectionText: 3000, fields: 10, fieldText: 2000, contextElements: 10, messageText: 40000 };

const RULES: Record<Category, string> = {
    "envelope-not-object": "ignores an event that is not a JSON object, with a reason, and the next invocation posts its sign-in once",
    "envelope-without-records": "ignores an event without a Records array, with a reason, and the next invocation posts its sign-in once",
    "record-without-sns":
        "skips an SNS record without an Sns object, naming its index, and still posts the sign-in its batch's alarm found",
    "message-not-string": "skips an SNS record whose Message is not a string, naming its index, and still posts the sign-in beside it",
    "message-not-json": "skips an SNS message that is not JSON, and still posts the sign-in beside it",
    "message-not-object": "skips an SNS message that is JSON but not an object, and still posts the sign-in beside it",
    "not-an-alarm": "skips JSON that is not a CloudWatch alarm notification, and still posts the sign-in beside it",
    "unknown-alarm": "skips a notification of an alarm that belongs to no rule, naming the alarm, and still posts the sign-in beside it",
    "unknown-state": "skips an alarm state other than ALARM, OK and INSUFFICIENT_DATA, quoting it, and still posts the sign-in beside it",
    "insufficient-data": "skips INSUFFICIENT_DATA notifications, and still posts the sign-in the ALARM beside them found",
    "ok-state": "posts sign-ins found on an OK notification too, with no OK message while notifyOnOk is off",
    "bad-state-change-time": "skips an alarm notification without a valid StateChangeTime, and still posts the sign-in beside it",
    "odd-trigger": "falls back to default periods for absurd Trigger values and still posts the sign-in",
    "hostile-alarm-reason": "escapes the alarm's reason and account in the 'not delivered yet' message",
    "log-not-json": "skips a log event that is not JSON, and still posts the sign-in in the same lookup",
    "log-not-object": "skips a log event that is JSON but not an object, and still posts the sign-in in the same lookup",
    "no-event-id": "skips a CloudTrail record without a string eventID, and still posts the sign-in in the same lookup",
    "bad-event-time": "skips a CloudTrail record without a valid eventTime, naming its id, and still posts the sign-in in the same lookup",
    "no-user-identity": "posts a record without a usable userIdentity as 'unknown principal'",
    "null-response-elements": "posts a record with null responseElements or additionalEventData as result Unknown and MFA n/a",
    "long-user-agent": "shortens a multi-kilobyte user agent to a browser name or 80 characters, within Slack's limits",
    "non-ascii-names": "shows Japanese, emoji and other non-ASCII names intact",
    "long-emoji-value": "clips a long emoji name or user agent on a character boundary, never between the halves of a surrogate pair",
    "control-sequences": "escapes <!channel>, <@U123>, <https://evil.example|x> and &amp; in every displayed field",
    "hostile-event-name": "escapes the event name of an API call as well",
    "duplicate-events": "posts an event id that appears twice in a lookup, or again on a redelivered notification, exactly once",
    "wrong-types":
        "skips with a reason, or shows as text, a record whose fields have the wrong JSON types, and still posts the sign-in beside it",
    "object-member-account-id": "shows an account id named like an Object.prototype member as given, not as an account label",
    "forged-lines": "shows a line break in any field as a visible ↵, so a value cannot forge a line of the message",
    "mrkdwn-formatting": "shows *, _, ~, backticks and a leading > in any field literally instead of formatting with them",
    "bidi-controls": "shows bidi marks, embeddings, overrides and isolates in any field as visible [U+XXXX] markers",
    "zero-width": "shows zero-width characters in any field as visible [U+XXXX] markers, so look-alike names differ",
    "c0-c1-controls": "shows C0 and C1 control characters, DEL and tabs in any field as visible [U+XXXX] markers",
    "urls-in-user-agent": "shows addresses, channel names and @channel in a user agent as verbatim text Slack links nothing in",
};

/**
 * How a value must read in mrkdwn, written out here so the expectation does not come from the code
 * under test: & < > escaped (Slack's only escapes); *, ~ and backticks, _ unless between two letters
 * or digits, and a leading > replaced by look-alikes; line breaks as ↵; invisible characters as
 * [U+XXXX], except a joiner inside an emoji sequence.
 */
function shownLiterally(value: string): string {
    const units = value.replace(/\r\n|[\r\n\u2028\u2029]/g, "↵");
    const chars = [...units];
    const wordChar = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{N}]$/u.test(c);
    return chars
        .map((c, i) => {
            if (
                c === "\u200D" &&
                /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F/u.test(chars[i - 1] ?? "") &&
                /\p{Extended_Pictographic}/u.test(chars[i + 1] ?? "")
            ) {
                return c;
            }
            if (
                /^[\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB\uD800-\uDFFF]$/.test(
                    c,
                )
            ) {
                return `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}]`;
            }
            if (c === "_") {
                return wordChar(chars[i - 1]) && wordChar(chars[i + 1]) ? "_" : "ˍ";
            }
            if (c === ">" && chars.slice(0, i).every((x) => /\s/.test(x))) {
                return "˃";
            }
            return ({ "*": "∗", "~": "∼", "`": "ˋ", "&": "&amp;", "<": "&lt;", ">": "&gt;" } as Record<string, string>)[c] ?? c;
        })
        .join("");
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringsIn(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    if (value && typeof value === "object") {
        return Object.values(value).flatMap(stringsIn);
    }
    return [];
}

type TextObject = { type: string; text: string; verbatim?: boolean };
type Block = { type: string; text?: TextObject; fields?: TextObject[]; elements?: TextObject[] };
type Payload = { text: string; blocks: Block[] };

function limitProblems(payload: Payload): string[] {
    const problems: string[] = [];
    const over = (what: string, length: number, max: number): void => {
        if (length > max) {
            problems.push(`${what} is ${length} long, over Slack's ${max}`);
        }
    };
    over("blocks", payload.blocks.length, LIMITS.blocks);
    over("text", payload.text.length, LIMITS.messageText);
    for (const block of payload.blocks) {
        if (block.type === "header") {
            over("a header", block.text!.text.length, LIMITS.headerText);
        } else if (block.type === "section") {
            over("a section's text", block.text!.text.length, LIMITS.sectionText);
            over("a section's fields", (block.fields ?? []).length, LIMITS.fields);
            (block.fields ?? []).forEach((f) => over("a field", f.text.length, LIMITS.fieldText));
        } else if (block.type === "context") {
            over("a context's elements", (block.elements ?? []).length, LIMITS.contextElements);
        }
    }
    return problems;
}

/**
 * How field labels and closed-set values read in each language, written out here rather than read
 * from the catalogs, so a wrong catalog entry cannot move the expectation. English is the identity.
 */
const IN_JAPANESE = {
    labels: {
        "Identity type": "ID タイプ",
        Result: "結果",
        MFA: "MFA",
        "Source IP": "送信元 IP",
        Region: "リージョン",
        Time: "日時",
        Browser: "ブラウザ",
        Account: "アカウント",
        Error: "エラー",
    } as Record<string, string>,
    values: { Success: "成功", Failure: "失敗", Unknown: "不明", Yes: "あり", No: "なし", "n/a": "対象外" } as Record<string, string>,
    // Principals the handler cannot name: the words are the catalog's ("root" stays as AWS writes it).
    principals: {
        "unknown principal": "不明なプリンシパル",
        "unknown user name": "不明なユーザー名",
        "unknown IAM user": "不明な IAM ユーザー",
    } as Record<string, string>,
};

/** How a principal is named in the language: a name literally, a principal without one in the catalog's words. */
function whoIn(language: Language, who: string): string {
    return language === "ja" && Object.hasOwn(IN_JAPANESE.principals, who) ? IN_JAPANESE.principals[who]! : shownLiterally(who);
}

/** A field as the language shows it: its label, and its value with a closed-set word or a browser's "on" translated. */
function fieldIn(language: Language, label: string, value: string): { label: string; value: string } {
    if (language === "en") {
        return { label, value: shownLiterally(value) };
    }
    const closed = (label === "Result" || label === "MFA") && Object.hasOwn(IN_JAPANESE.values, value);
    const browser = label === "Browser" ? value.replace(/^(\S+ \d+) on (\S+)$/, "$1 ($2)") : value;
    return { label: IN_JAPANESE.labels[label] ?? label, value: closed ? IN_JAPANESE.values[value]! : shownLiterally(browser) };
}

/** Everything wrong with one case's outcome, as sentences naming the case; empty when it behaved. */
function problemsOf(c: HostileCase, outcome: CaseOutcome, language: Language = "en"): string[] {
    const problems: string[] = [];
    const say = (text: string): number => problems.push(`${c.id}: ${text}`);
    const payloads = outcome.payloads as Payload[];
    const posted = payloads.flatMap(postedEventIds);
    const times = (id: string): number => posted.filter((p) => p === id).length;

    outcome.results.forEach((result, i) => {
        if (!result.ok) {
            say(`invocation ${i + 1} threw ${result.error!.name}: ${result.error!.message}`);
            return;
        }
        const actual = [...(result.value as { skipped: string[] }).skipped];
        for (const reason of c.skipped[i] ?? []) {
            const at = actual.indexOf(reason);
            if (at < 0) {
                say(`invocation ${i + 1} did not report the skip "${reason}"; it reported ${JSON.stringify(actual)}`);
            } else {
                actual.splice(at, 1);
            }
        }
        for (const reason of actual) {
            if (!c.postedOrSkipped.some((id) => times(id) === 0 && reason.includes(id))) {
                say(`invocation ${i + 1} reported an unexpected skip "${reason}"`);
            }
        }
        for (const reason of (result.value as { skipped: string[] }).skipped) {
            const logged = outcome.logs.some(
                (l) => l["reason"] === reason || (Array.isArray(l["skipped"]) && l["skipped"].includes(reason)),
            );
            if (!logged) {
                say(`the skip "${reason}" was not logged`);
            }
        }
    });

    for (const id of c.mustPost) {
        if (times(id) !== 1) {
            say(`sign-in ${id} was posted ${times(id)} times, not once`);
        }
    }
    const skippedReasons = outcome.results.flatMap((r) => (r.ok ? (r.value as { skipped: string[] }).skipped : []));
    for (const id of c.postedOrSkipped) {
        if (times(id) > 1 || (times(id) === 0 && !skippedReasons.some((r) => r.includes(id)))) {
            say(
                `malformed record ${id} was posted ${times(id)} times and ${times(id) === 0 ? "never skipped with a reason" : "more than once"}`,
            );
        }
    }
    for (const id of new Set(posted)) {
        if (!c.mustPost.includes(id) && !c.postedOrSkipped.includes(id)) {
            say(`posted ${id}, which should have been skipped`);
        }
    }

    payloads.forEach((payload, p) => {
        const json = JSON.stringify(payload);
        for (const raw of FORBIDDEN_RAW) {
            const at = json.indexOf(raw);
            if (at >= 0) {
                say(`payload ${p + 1} carries a raw ${raw}: …${json.slice(Math.max(0, at - 60), at + 40)}…`);
            }
        }
        const hidden = stringsIn(payload).find((s) => INVISIBLE_RAW.test(s));
        if (hidden !== undefined) {
            say(`payload ${p + 1} carries an invisible or control character: ${JSON.stringify(hidden).slice(0, 120)}`);
        }
        for (const block of payload.blocks) {
            const texts = [block.text, ...(block.fields ?? [])];
            if (postedEventIds({ blocks: [block] }).length > 0 && !texts.every((t) => t === undefined || t.verbatim === true)) {
                say(`payload ${p + 1} has a sign-in section whose mrkdwn is not verbatim, so Slack would link URLs in it`);
            }
        }
        if (stringsIn(payload).some((s) => LONE_SURROGATE.test(s))) {
            say(
                `payload ${p + 1} has a lone UTF-16 surrogate (a character cut in half): …${JSON.stringify(stringsIn(payload).find((s) => LONE_SURROGATE.test(s))).slice(0, 120)}…`,
            );
        }
        limitProblems(payload).forEach((problem) => say(`payload ${p + 1}: ${problem}`));
    });

    for (const shown of c.shown) {
        const payload = payloads.find((p) => postedEventIds(p).includes(shown.eventId));
        const block = payload?.blocks.find((b) => b.type === "section" && postedEventIds({ blocks: [b] }).includes(shown.eventId));
        if (!payload || !block) {
            say(`sign-in ${shown.eventId} has no section`);
            continue;
        }
        if (shown.who !== undefined) {
            const who = whoIn(language, shown.who);
            if (!block.text!.text.startsWith(`*${who}* `)) {
                say(`the section names ${JSON.stringify(block.text!.text.split("* ")[0])}, not *${who}*`);
            }
            if (!payload.text.includes(`\n${who} `)) {
                say(`the fallback text does not name ${who}`);
            }
        }
        for (const [english, raw] of Object.entries(shown.fields ?? {})) {
            const { label, value } = fieldIn(language, english, raw);
            const expected = `*${label}*\n${value}`;
            const actual = (block.fields ?? []).find((f) => f.text.startsWith(`*${label}*\n`))?.text;
            if (actual !== expected) {
                say(`field ${label} is ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`);
            }
        }
    }
    return problems;
}

function assertNoProblems(problems: string[]): void {
    if (problems.length > 0) {
        const shown = problems.slice(0, 12);
        assert.fail(
            `${problems.length} problem(s):\n  ${shown.join("\n  ")}${problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : ""}`,
        );
    }
}

describe("hostile and malformed input", function () {
    let fn: DeployedFunction;
    let settings: HandlerSettings;
    let alarmName: string;
    let cases: HostileCase[];
    const outcomes = new Map<string, CaseOutcome>();

    before(async function () {
        fn = unpackFunction(await defaultProgram());
        settings = readSettings({ ...fn.environment, ...KNOBS }, functionConfigFor());
        // The raw-mention check below relies on the handler adding no mention of its own.
        assert.deepStrictEqual(settings.mentions, {});
        alarmName = settings.rules.find((r) => r.id === RULE_ID)!.alarmName;
        cases = generateHostileCases(SEED, { alarmName, ruleId: RULE_ID });
        for (const c of cases) {
            outcomes.set(c.id, await runInProcess(c, settings));
        }
    });

    after(function () {
        fs.rmSync(fn.dir, { recursive: true, force: true });
        fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
    });

    it("generates at least 200 cases, the same ones for the same seed, covering every category", function () {
        assert.ok(cases.length >= 200, `only ${cases.length} cases`);
        assert.deepStrictEqual(generateHostileCases(SEED, { alarmName, ruleId: RULE_ID }), cases);
        assert.notDeepStrictEqual(generateHostileCases(SEED + 1, { alarmName, ruleId: RULE_ID }), cases);
        assert.deepStrictEqual([...new Set(cases.map((c) => c.category))], [...CATEGORIES]);
        assert.strictEqual(new Set(cases.map((c) => c.id)).size, cases.length);
        for (const c of cases) {
            assert.strictEqual(c.skipped.length, c.events.length, c.id);
            assert.ok(c.mustPost.length > 0, `${c.id} has no valid sign-in beside its bad input`);
        }
        console.log(`      ${cases.length} cases from seed 0x${SEED.toString(16)}, ${CATEGORIES.length} categories`);
    });

    for (const category of CATEGORIES) {
        it(RULES[category], function () {
            const mine = cases.filter((c) => c.category === category);
            assert.ok(mine.length > 0);
            assertNoProblems(mine.flatMap((c) => problemsOf(c, outcomes.get(c.id)!)));
        });
    }

    describe("in Japanese, every category holds as well", function () {
        const japanese = new Map<string, CaseOutcome>();

        before(async function () {
            for (const c of cases) {
                japanese.set(c.id, await runInProcess(c, { ...settings, language: "ja" }));
            }
        });

        for (const category of CATEGORIES) {
            it(`ja: ${RULES[category]}`, function () {
                const mine = cases.filter((c) => c.category === category);
                assertNoProblems(mine.flatMap((c) => problemsOf(c, japanese.get(c.id)!, "ja")));
                // The checks above must have looked at Japanese messages, not English ones.
                const posted = mine.flatMap((c) => japanese.get(c.id)!.payloads as Payload[]).filter((p) => postedEventIds(p).length > 0);
                assert.ok(
                    posted.every((p) => p.blocks.some((b) => (b.fields ?? []).some((f) => f.text.startsWith("*結果*\n")))),
                    "a sign-in message without the Japanese Result label",
                );
            });
        }
    });

    /** The Time field of every posted sign-in, and the warnings logged about the time zone. */
    function timesAndWarnings(payloads: unknown[], logs: Array<Record<string, unknown>>): { times: string[]; warnings: unknown[] } {
        const times = (payloads as Payload[]).flatMap((p) =>
            p.blocks.flatMap((b) => (b.fields ?? []).filter((f) => f.text.startsWith("*Time*\n")).map((f) => f.text.slice(7))),
        );
        return { times, warnings: logs.filter((l) => l["level"] === "warn" && l["timeZone"] !== undefined).map((l) => l["timeZone"]) };
    }
    const UNKNOWN_ZONE = "Mars/Olympus_Mons";

    it("posts times in UTC, with one warning, when the time zone is unknown to the runtime, and still posts every sign-in", async function () {
        const c = cases.find((x) => x.category === "duplicate-events")!;
        const outcome = await runInProcess(c, { ...settings, timeZone: UNKNOWN_ZONE });
        assertNoProblems(problemsOf(c, outcome));
        const { times, warnings } = timesAndWarnings(outcome.payloads, outcome.logs);
        assert.strictEqual(times.length, c.mustPost.length);
        times.forEach((t) => assert.match(t, /^2021-06-08 \d{2}:\d{2}:\d{2} UTC$/));
        assert.deepStrictEqual(warnings, [UNKNOWN_ZONE]);
    });

    describe("the deployed handler (bundled __index.js in a child process)", function () {
        const SAMPLED: Category[] = [
            "envelope-not-object",
            "record-without-sns",
            "unknown-alarm",
            "insufficient-data",
            "log-not-json",
            "bad-event-time",
            "non-ascii-names",
            "control-sequences",
            "duplicate-events",
            "wrong-types",
            "forged-lines",
            "mrkdwn-formatting",
            "bidi-controls",
            "zero-width",
            "c0-c1-controls",
            "urls-in-user-agent",
        ];
        // The rig unpacks its own copy of the same program; the tests below use it (not the outer `fn`),
        // so the time-zone test edits only that copy.
        const rig = useDeployedRig(defaultProgram, KNOBS);

        it("gives the same reports, errors and Slack payloads as createHandler in-process, for a sample across the categories", async function () {
            // One warm container per case, so a case's log events must be the same for all its invocations.
            const sample = SAMPLED.map((category) => {
                const c = cases.find((x) => x.category === category && x.lookups.length === 1);
                assert.ok(c, `no ${category} case with a single lookup`);
                return c;
            });
            const { fn, slack, aws, env } = rig;
            const pattern = settings.rules.find((r) => r.id === RULE_ID)!.pattern;
            const differences: string[] = [];
            for (const c of sample) {
                await resetLocalEndpoints(fn, slack, aws);
                const at = Date.now() - 120000;
                c.lookups[0]!.forEach((message, i) =>
                    aws.logEvents.push({ logGroupName: settings.trailLogGroupName, timestamp: at + i, message }),
                );
                const run = await invokeInChild(fn, c.events, { env });
                // The fake service applies the rule's filter pattern, as CloudWatch Logs would; so must the comparison.
                const local = await runInProcess(c, settings, (pattern, message) => matchesFilterPattern(pattern, message));
                try {
                    assert.deepStrictEqual(run.results, local.results);
                    // In-process time is fixed, the child's is real: the delay phrase is compared without its figure.
                    assert.deepStrictEqual(normaliseDelays(slack.accepted), normaliseDelays(local.payloads));
                } catch (err) {
                    differences.push(`${c.id}: ${(err as Error).message}\n${run.stderr}`);
                }
                // Agreeing on nothing would prove nothing: the valid sign-in must have reached Slack.
                const visible = c.mustPost.filter((id) => c.lookups[0]!.some((m) => m.includes(id) && matchesFilterPattern(pattern, m)));
                const posted = slack.accepted.flatMap(postedEventIds);
                if (run.results.every((r) => r.ok) && !visible.every((id) => posted.filter((p) => p === id).length === 1)) {
                    differences.push(
                        `${c.id}: the deployed handler posted ${JSON.stringify(posted)}, not each of ${JSON.stringify(visible)} once`,
                    );
                }
            }
            assert.deepStrictEqual(differences, []);
        });

        it("posts times in UTC, with one warning, when the time zone in its configuration file is unknown to the runtime", async function () {
            // The configuration refuses an unknown zone, so the file is edited as a hand edit of the
            // deployed package, or an older ICU in the runtime, would leave it.
            const { fn, slack, aws, env } = rig;
            const index = `${fn.dir}/${FUNCTION_CONFIG_FILE}`;
            const original = fs.readFileSync(index, "utf8");
            assert.strictEqual((JSON.parse(original) as FunctionConfig).timeZone, "UTC");
            const c = cases.find((x) => x.category === "log-not-json" && x.lookups.length === 1)!;
            try {
                fs.writeFileSync(index, JSON.stringify({ ...(JSON.parse(original) as FunctionConfig), timeZone: UNKNOWN_ZONE }));
                await resetLocalEndpoints(fn, slack, aws);
                const at = Date.now() - 120000;
                c.lookups[0]!.forEach((message, i) =>
                    aws.logEvents.push({ logGroupName: settings.trailLogGroupName, timestamp: at + i, message }),
                );
                const run = await invokeInChild(fn, c.events, { env });
                assert.ok(
                    run.results.every((r) => r.ok),
                    run.stderr,
                );
                const { times, warnings } = timesAndWarnings(slack.accepted, logLines(run));
                assert.strictEqual(times.length, 1, run.stderr);
                assert.match(times[0]!, /^2021-06-08 \d{2}:\d{2}:\d{2} UTC$/);
                assert.deepStrictEqual(warnings, [UNKNOWN_ZONE]);
            } finally {
                fs.writeFileSync(index, original);
            }
        });
    });
});
