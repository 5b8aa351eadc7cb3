import * as assert from "assert";
import {
    buildOkMessage,
    buildPendingMessage,
    buildSignInMessages,
    consoleLink,
    formatEventTime,
    SLACK_LIMITS,
    type Block,
    type Presentation,
    type SlackMessage,
} from "../handler/decide/messages";
import { literal, plainLiteral } from "../handler/decide/mrkdwn";
import { parseAlarmNotification, parseCloudTrailRecord, toSignIn, type ValidRecord } from "../handler/decide/parse";
import type { AlarmNotification, SignIn } from "../handler/common/types";
import { cloudTrailFixtures, fixture } from "../tools/fixtures";
import { builtInRunTimeRule } from "./support/fakePorts";

const fixtures = cloudTrailFixtures();
const ACCOUNT = "111122223333";
const UTC: Presentation = { timeZone: "UTC", accountLabels: { [ACCOUNT]: "production" }, mentions: {}, language: "en" };
const TOKYO: Presentation = { ...UTC, timeZone: "Asia/Tokyo" };
const CONSOLE_SIGNIN = builtInRunTimeRule("console-signin");

function record(name: string): ValidRecord {
    const parsed = parseCloudTrailRecord(fixtures.get(name)?.text ?? "");
    if (!parsed.ok) {
        throw new Error(`fixture ${name}: ${parsed.reason}`);
    }
    return parsed.value;
}

/** A fixture with some fields replaced, as CloudTrail could have logged it. */
function variant(name: string, change: (r: ValidRecord) => void): SignIn {
    const r = JSON.parse(JSON.stringify(record(name))) as ValidRecord;
    change(r);
    return toSignIn(r);
}

function signInBlockOf(signIn: SignIn, p: Presentation): Block {
    const [only] = buildSignInMessages(CONSOLE_SIGNIN, [signIn], p);
    const block = only?.message.blocks[2];
    assert.ok(block, "no sign-in section");
    return block;
}

function textOf(block: Block): string {
    return block.type === "context" ? block.elements.map((e) => e.text).join("\n") : block.text.text;
}

interface Readable {
    who: string;
    verb: string;
    identityType: string;
    result: string;
    mfa: string;
    sourceIp: string;
    browser: string;
    utc: string;
    tokyo: string;
    permissionSet?: string;
    error?: string;
}

/**
 * How each fixture reads in Slack. One row per fixture: a fixture added to test/fixtures fails the
 * suite until its row says how it should read.
 */
const READABLE: Record<string, Readable> = {
    "check-mfa": {
        who: "oncall-engineer",
        verb: "went through the sign-in step CheckMfa",
        identityType: "IAMUser",
        result: "Success",
        mfa: "n/a",
        sourceIp: "192.0.2.87",
        browser: "AWS Console Mobile App on iOS",
        utc: "2024-05-22 04:26:39 UTC",
        tokyo: "2024-05-22 13:26:39 Asia/Tokyo",
    },
    "exit-role": {
        who: "ops-admin (role BreakGlassAdmin)",
        verb: "went through the sign-in step ExitRole",
        identityType: "AssumedRole",
        result: "Success",
        mfa: "n/a",
        sourceIp: "203.0.113.24",
        browser: "Chrome 91 on Windows",
        utc: "2024-05-23 10:41:37 UTC",
        tokyo: "2024-05-23 19:41:37 Asia/Tokyo",
    },
    "failure-unknown-user": {
        // CloudTrail hides a mistyped user name, which may be someone's password.
        who: "unknown user name",
        verb: "failed to sign in",
        identityType: "IAMUser",
        result: "Failure",
        mfa: "No",
        sourceIp: "192.0.2.150",
        browser: "Chrome 91 on Windows",
        utc: "2024-05-17 23:31:09 UTC",
        tokyo: "2024-05-18 08:31:09 Asia/Tokyo",
        error: "No username found in supplied account",
    },
    "failure-wrong-password": {
        who: "dev-readonly",
        verb: "failed to sign in",
        identityType: "IAMUser",
        result: "Failure",
        mfa: "No",
        sourceIp: "198.51.100.37",
        browser: "Firefox 126 on macOS",
        utc: "2024-05-14 09:11:58 UTC",
        tokyo: "2024-05-14 18:11:58 Asia/Tokyo",
        error: "Failed authentication",
    },
    "get-signin-token": {
        who: "carol (federated user)",
        verb: "went through the sign-in step GetSigninToken",
        identityType: "FederatedUser",
        result: "Success",
        mfa: "n/a",
        sourceIp: "198.51.100.9",
        browser: "python-requests/2.31.0",
        utc: "2024-05-24 15:02:11 UTC",
        tokyo: "2024-05-25 00:02:11 Asia/Tokyo",
    },
    "iam-user-mfa": {
        who: "ops-admin",
        verb: "signed in",
        identityType: "IAMUser",
        result: "Success",
        mfa: "Yes",
        sourceIp: "203.0.113.24",
        browser: "Chrome 91 on Windows",
        utc: "2021-06-08 07:53:06 UTC",
        tokyo: "2021-06-08 16:53:06 Asia/Tokyo",
    },
    "iam-user-no-mfa": {
        who: "dev-readonly",
        verb: "signed in",
        identityType: "IAMUser",
        result: "Success",
        mfa: "No",
        sourceIp: "198.51.100.37",
        browser: "Firefox 126 on macOS",
        utc: "2024-05-14 09:12:41 UTC",
        tokyo: "2024-05-14 18:12:41 Asia/Tokyo",
    },
    "mobile-console": {
        who: "oncall-engineer",
        verb: "signed in",
        identityType: "IAMUser",
        result: "Success",
        mfa: "Yes",
        sourceIp: "192.0.2.87",
        browser: "AWS Console Mobile App on iOS",
        utc: "2024-05-22 04:26:44 UTC",
        tokyo: "2024-05-22 13:26:44 Asia/Tokyo",
    },
    "renew-role": {
        // An IAM Identity Center session: the person, and the permission set in a field of its own.
        who: "alice@example.com",
        permissionSet: "AdministratorAccess",
        verb: "went through the sign-in step RenewRole",
        identityType: "AssumedRole",
        result: "Success",
        mfa: "n/a",
        sourceIp: "203.0.113.58",
        browser: "Chrome 125 on macOS",
        utc: "2024-05-20 09:15:04 UTC",
        tokyo: "2024-05-20 18:15:04 Asia/Tokyo",
    },
    "delete-alarms": {
        // Tampering: a call, not a sign-in; the API caller's user agent is shown as it is.
        who: "mallory",
        verb: "called DeleteAlarms",
        identityType: "IAMUser",
        result: "Success",
        mfa: "n/a",
        sourceIp: "198.51.100.23",
        browser: "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023",
        utc: "2024-05-20 10:14:02 UTC",
        tokyo: "2024-05-20 19:14:02 Asia/Tokyo",
    },
    "sso-authentication-external-idp": {
        // The external identity provider decided MFA, out of this trail's sight: unknown, never "No".
        who: "alice@example.com",
        verb: "signed in to IAM Identity Center",
        identityType: "Unknown",
        result: "Success",
        mfa: "Unknown (IAM Identity Center)",
        sourceIp: "203.0.113.58",
        browser: "Chrome 125 on macOS",
        utc: "2024-05-20 09:30:00 UTC",
        tokyo: "2024-05-20 18:30:00 Asia/Tokyo",
    },
    "sso-authentication-password-only": {
        who: "alice@example.com",
        verb: "signed in to IAM Identity Center",
        identityType: "Unknown",
        result: "Success",
        mfa: "No (PASSWORD only)",
        sourceIp: "203.0.113.58",
        browser: "Chrome 125 on macOS",
        utc: "2024-05-20 09:02:10 UTC",
        tokyo: "2024-05-20 18:02:10 Asia/Tokyo",
    },
    "sso-authentication-totp": {
        who: "alice@example.com",
        verb: "signed in to IAM Identity Center",
        identityType: "Unknown",
        result: "Success",
        mfa: "Yes (TOTP)",
        sourceIp: "203.0.113.58",
        browser: "Chrome 125 on macOS",
        utc: "2024-05-20 08:14:41 UTC",
        tokyo: "2024-05-20 17:14:41 Asia/Tokyo",
    },
    "stop-logging": {
        who: "mallory",
        verb: "called StopLogging",
        identityType: "IAMUser",
        result: "Success",
        mfa: "n/a",
        sourceIp: "198.51.100.23",
        browser: "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023",
        utc: "2024-05-20 10:12:44 UTC",
        tokyo: "2024-05-20 19:12:44 Asia/Tokyo",
    },
    "root-api-call": {
        who: "root",
        verb: "called CreateUser",
        identityType: "Root",
        result: "Success",
        mfa: "n/a",
        sourceIp: "192.0.2.44",
        browser: "AWS Internal",
        utc: "2024-05-15 18:09:52 UTC",
        tokyo: "2024-05-16 03:09:52 Asia/Tokyo",
    },
    "root-invoked-by-service": {
        who: "root",
        verb: "called CreateRole",
        identityType: "Root",
        result: "Success",
        mfa: "n/a",
        sourceIp: "cloudformation.amazonaws.com",
        browser: "cloudformation.amazonaws.com",
        utc: "2024-05-15 18:14:06 UTC",
        tokyo: "2024-05-16 03:14:06 Asia/Tokyo",
    },
    "root-mfa": {
        who: "root",
        verb: "signed in",
        identityType: "Root",
        result: "Success",
        mfa: "Yes",
        sourceIp: "192.0.2.44",
        browser: "Chrome 125 on macOS",
        utc: "2024-05-15 18:03:27 UTC",
        tokyo: "2024-05-16 03:03:27 Asia/Tokyo",
    },
    "root-no-mfa": {
        who: "root",
        verb: "signed in",
        identityType: "Root",
        result: "Success",
        mfa: "No",
        sourceIp: "203.0.113.201",
        // Edge's user agent also names Chrome and Safari; the Edg/ token decides.
        browser: "Edge 124 on Windows",
        utc: "2024-05-16 02:47:55 UTC",
        tokyo: "2024-05-16 11:47:55 Asia/Tokyo",
    },
    "root-service-event": {
        who: "root",
        verb: "called UpdateServiceQuotaIncreaseRequestStatus",
        identityType: "Root",
        result: "Success",
        mfa: "n/a",
        sourceIp: "servicequotas.amazonaws.com",
        browser: "servicequotas.amazonaws.com",
        utc: "2024-05-16 11:32:08 UTC",
        tokyo: "2024-05-16 20:32:08 Asia/Tokyo",
    },
    "saml-federation": {
        who: "bob@example.com (role OktaAdmins)",
        verb: "signed in",
        identityType: "AssumedRole",
        result: "Success",
        mfa: "No",
        sourceIp: "198.51.100.212",
        browser: "Edge 124 on Windows",
        utc: "2024-05-21 13:40:19 UTC",
        tokyo: "2024-05-21 22:40:19 Asia/Tokyo",
    },
    "sso-assumed-role": {
        // For IAM Identity Center the session name is the person; the role only says which permission set.
        who: "alice@example.com",
        permissionSet: "AdministratorAccess",
        verb: "signed in",
        identityType: "AssumedRole",
        result: "Success",
        // The session's MFAUsed is always "No"; without the person's Identity Center sign-in, the method is unknown.
        mfa: "Unknown (IAM Identity Center)",
        sourceIp: "203.0.113.58",
        browser: "Chrome 125 on macOS",
        utc: "2024-05-20 08:15:03 UTC",
        tokyo: "2024-05-20 17:15:03 Asia/Tokyo",
    },
    "switch-role": {
        who: "ops-admin (role BreakGlassAdmin)",
        verb: "went through the sign-in step SwitchRole",
        identityType: "AssumedRole",
        result: "Success",
        mfa: "n/a",
        sourceIp: "203.0.113.24",
        browser: "Chrome 91 on Windows",
        utc: "2024-05-23 10:05:12 UTC",
        tokyo: "2024-05-23 19:05:12 Asia/Tokyo",
    },
};

/** Sign-ins with distinct ids, one second apart, cycling through the ConsoleLogin fixtures. */
function manySignIns(count: number): SignIn[] {
    const templates = [
        "iam-user-mfa",
        "iam-user-no-mfa",
        "root-no-mfa",
        "failure-wrong-password",
        "sso-assumed-role",
        "mobile-console",
    ].map(record);
    const start = Date.UTC(2024, 4, 20, 9, 0, 0);
    return Array.from({ length: count }, (_, i) =>
        toSignIn({
            ...templates[i % templates.length]!,
            eventID: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
            eventTime: new Date(start + i * 1000).toISOString(),
        }),
    );
}

/** Every Block Kit limit a webhook enforces by refusing the message (invalid_blocks). */
function assertWithinSlackLimits(message: SlackMessage): void {
    assert.ok(message.blocks.length <= SLACK_LIMITS.blocksPerMessage, `${message.blocks.length} blocks`);
    assert.strictEqual(SLACK_LIMITS.blocksPerMessage, 50);
    for (const block of message.blocks) {
        if (block.type === "header") {
            assert.strictEqual(block.text.type, "plain_text");
            assert.ok(block.text.text.length <= 150, `header of ${block.text.text.length} characters`);
        } else if (block.type === "section") {
            assert.ok(block.text.text.length <= 3000, `section text of ${block.text.text.length} characters`);
            assert.ok((block.fields ?? []).length <= 10, `${block.fields?.length} fields`);
            for (const f of block.fields ?? []) {
                assert.ok(f.text.length <= 2000, `field of ${f.text.length} characters`);
            }
        } else {
            assert.ok(block.elements.length <= 10, `${block.elements.length} context elements`);
            for (const e of block.elements) {
                assert.ok(e.text.length <= 3000, `context element of ${e.text.length} characters`);
            }
        }
    }
    // Slack truncates a message's text beyond 40,000 characters.
    assert.ok(message.text.length <= 40000, `text of ${message.text.length} characters`);
}

/** Event ids linked from the CloudTrail buttons of a payload, in order. */
function linkedEventIds(message: SlackMessage): string[] {
    return message.blocks
        .filter((b) => b.type === "section")
        .flatMap((b) => [...textOf(b).matchAll(/#\/events\/([^|>]+)\|View in CloudTrail>/g)].map((m) => decodeURIComponent(m[1]!)));
}

/** Characters Slack reads as markup, outside of the three escapes Slack defines. */
function unescapedMarkup(json: string): string[] {
    return [...json.matchAll(/&(?!amp;|lt;|gt;)|<|>/g)].map(
        (m) => `${m[0]} at ${m.index}: ${json.slice(Math.max(0, m.index - 20), m.index + 20)}`,
    );
}

describe("Slack formatting of sign-ins", function () {
    it("has a readable form for every CloudTrail fixture", function () {
        assert.deepStrictEqual(Object.keys(READABLE).sort(), [...fixtures.keys()]);
    });

    for (const [name, expected] of Object.entries(READABLE)) {
        it(`shows ${name} as "${expected.who} ${expected.verb}" with result, MFA, browser and UTC time`, function () {
            const r = record(name);
            const fields = [
                { type: "mrkdwn", text: `*Identity type*\n${expected.identityType}`, verbatim: true },
                { type: "mrkdwn", text: `*Result*\n${expected.result}`, verbatim: true },
                { type: "mrkdwn", text: `*MFA*\n${expected.mfa}`, verbatim: true },
                { type: "mrkdwn", text: `*Source IP*\n${expected.sourceIp}`, verbatim: true },
                { type: "mrkdwn", text: "*Region*\nus-east-1", verbatim: true },
                { type: "mrkdwn", text: `*Time*\n${expected.utc}`, verbatim: true },
                { type: "mrkdwn", text: `*Browser*\n${expected.browser}`, verbatim: true },
                { type: "mrkdwn", text: "*Account*\n111122223333 (production)", verbatim: true },
                ...(expected.permissionSet
                    ? [{ type: "mrkdwn", text: `*Permission set*\n${expected.permissionSet}`, verbatim: true }]
                    : []),
                ...(expected.error ? [{ type: "mrkdwn", text: `*Error*\n${expected.error}`, verbatim: true }] : []),
            ];
            assert.deepStrictEqual(signInBlockOf(toSignIn(r), UTC), {
                type: "section",
                text: {
                    type: "mrkdwn",
                    verbatim: true,
                    text: `*${expected.who}* ${expected.verb} · <https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/${r.eventID}|View in CloudTrail>`,
                },
                fields,
            });
        });
    }

    it("gives every event time in the configured zone, Asia/Tokyo included", function () {
        const shown = Object.fromEntries(
            Object.keys(READABLE).map((name) => {
                const block = signInBlockOf(toSignIn(record(name)), TOKYO);
                const time = block.type === "section" ? block.fields?.find((f) => f.text.startsWith("*Time*\n"))?.text : undefined;
                return [name, time?.slice("*Time*\n".length)];
            }),
        );
        assert.deepStrictEqual(shown, Object.fromEntries(Object.entries(READABLE).map(([name, r]) => [name, r.tokyo])));
    });

    it("reads AWS Sign-In's other events as steps of signing in, not as calls: root's PasswordUpdated", function () {
        const updated = variant("root-mfa", (r) => {
            r.eventName = "PasswordUpdated";
            r.responseElements = { PasswordUpdated: "Success" };
        });
        assert.match(textOf(signInBlockOf(updated, UTC)), /^\*root\* went through the sign-in step PasswordUpdated · /);
        const ja = signInBlockOf(updated, { ...UTC, language: "ja" });
        assert.match(textOf(ja), /^\*root\* がサインインの手順 PasswordUpdated を実行 · /);
    });

    it("shows the errorCode of a failure whose record has no errorMessage", function () {
        const denied = variant("root-api-call", (r) => {
            r.errorCode = "AccessDenied";
            delete r.errorMessage;
        });
        const block = signInBlockOf(denied, UTC);
        const fields = block.type === "section" ? (block.fields ?? []).map((f) => f.text) : [];
        assert.ok(fields.includes("*Result*\nFailure"), fields.join(" | "));
        assert.ok(fields.includes("*Error*\nAccessDenied"), fields.join(" | "));
    });

    it("writes midnight as 00:00:00, not 24:00:00", function () {
        assert.strictEqual(formatEventTime(new Date("2024-05-20T15:00:00Z"), "Asia/Tokyo", "en"), "2024-05-21 00:00:00 Asia/Tokyo");
        assert.strictEqual(formatEventTime(new Date("2024-05-20T00:00:00Z"), "UTC", "en"), "2024-05-20 00:00:00 UTC");
    });

    it("links to the event in the CloudTrail console of the region that recorded it", function () {
        const signIn = variant("iam-user-mfa", (r) => (r.awsRegion = "ap-northeast-1"));
        const block = signInBlockOf(signIn, UTC);
        assert.strictEqual(
            textOf(block),
            "*ops-admin* signed in · <https://ap-northeast-1.console.aws.amazon.com/cloudtrailv2/home?region=ap-northeast-1#/events/27d68ec1-1016-46b5-8fd3-31d9cdc74f95|View in CloudTrail>",
        );
        assert.strictEqual(
            consoleLink("eu-west-1", "abc"),
            "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/abc",
        );
    });

    it("falls back to us-east-1 for a region that is not a region name, and to the event list for an id that is not an event id", function () {
        assert.strictEqual(
            consoleLink("<!channel>", "a|b>c"),
            "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events",
        );
        // A forged 3,000-character id would otherwise take the section past Slack's 3,000 characters.
        assert.strictEqual(
            consoleLink("eu-west-1", "a".repeat(3000)),
            "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events",
        );
    });

    it("names the account by its label when it has one, by its id alone otherwise", function () {
        const other = variant("iam-user-mfa", (r) => (r.recipientAccountId = "444455556666"));
        const accountField = (block: Block) => (block.type === "section" ? block.fields?.[7]?.text : undefined);
        assert.strictEqual(accountField(signInBlockOf(toSignIn(record("iam-user-mfa")), UTC)), "*Account*\n111122223333 (production)");
        assert.strictEqual(accountField(signInBlockOf(other, UTC)), "*Account*\n444455556666");
    });

    it("posts one sign-in as exactly this payload", function () {
        const [only, ...rest] = buildSignInMessages(CONSOLE_SIGNIN, [toSignIn(record("mobile-console"))], UTC);
        assert.deepStrictEqual(rest, []);
        assert.deepStrictEqual(only, {
            eventIds: ["0a0f0240-683b-4770-8855-f823e9dcb758"],
            message: {
                text: "Console sign-in:\noncall-engineer signed in (IAMUser, MFA Yes) from 192.0.2.87 in us-east-1 at 2024-05-22 04:26:44 UTC",
                blocks: [
                    { type: "header", text: { type: "plain_text", text: ":information_source: Console sign-in", emoji: true } },
                    { type: "section", text: { type: "mrkdwn", text: "*Console sign-in*: 1 event" } },
                    signInBlockOf(toSignIn(record("mobile-console")), UTC),
                ],
            },
        });
    });

    describe("how long after the event it was posted", function () {
        it("adds the delay and the path to each sign-in's line, and to nothing else", function () {
            const signIn = toSignIn(record("iam-user-mfa"));
            const at = signIn.eventTime.getTime();
            const plain = buildSignInMessages(CONSOLE_SIGNIN, [signIn], UTC)[0]!.message;
            const line = (m: SlackMessage) => (m.blocks[2] as { text: { text: string } }).text.text;
            for (const [delivery, note] of [
                [{ path: "fast", atMs: at + 14_900 }, " · posted 14 s after sign-in"],
                [{ path: "backstop", atMs: at + 6 * 60_000 + 59_000 }, " · posted 6 min after sign-in (CloudWatch Logs backstop)"],
                [{ path: "fast", atMs: at + 3 * 86_400_000 }, " · posted 3 d after sign-in"],
            ] as const) {
                const shown = buildSignInMessages(CONSOLE_SIGNIN, [signIn], { ...UTC, delivery })[0]!.message;
                assert.strictEqual(line(shown), `${line(plain)}${note}`);
                assert.strictEqual(shown.text, plain.text);
                assert.deepStrictEqual(shown.blocks.slice(0, 2), plain.blocks.slice(0, 2));
            }
            const root = toSignIn(record("root-api-call"));
            const call = buildSignInMessages(CONSOLE_SIGNIN, [root], {
                ...UTC,
                delivery: { path: "fast", atMs: root.eventTime.getTime() + 61_000 },
            })[0]!;
            assert.match(line(call.message), / · posted 1 min after the event$/);
        });
    });

    describe("message limits", function () {
        const EXPECTED_MESSAGES: Array<[number, number]> = [
            [1, 1],
            [10, 1],
            [100, 3],
            [1000, 25],
        ];

        for (const [count, messages] of EXPECTED_MESSAGES) {
            const what = count === 1 ? "one sign-in" : `${count.toLocaleString("en-US")} sign-ins`;
            it(`posts ${what} of one window as ${messages === 1 ? "one message" : `${messages} numbered messages`} within Slack's limits, each sign-in exactly once`, function () {
                const signIns = manySignIns(count);
                // Handed over newest first: the messages must still run oldest to newest.
                const built = buildSignInMessages(CONSOLE_SIGNIN, [...signIns].reverse(), UTC);
                if (count === 1000) {
                    console.log(`      1,000 sign-ins in one window become ${built.length} Slack messages`);
                }
                assert.strictEqual(built.length, messages);
                built.forEach(({ message }) => assertWithinSlackLimits(message));

                const inOrder = signIns.map((s) => s.eventId);
                assert.deepStrictEqual(
                    built.flatMap((b) => b.eventIds),
                    inOrder,
                );
                assert.deepStrictEqual(
                    built.flatMap((b) => linkedEventIds(b.message)),
                    inOrder,
                );
                built.forEach((b) => assert.deepStrictEqual(linkedEventIds(b.message), b.eventIds));

                const headers = built.map((b) => (b.message.blocks[0]?.type === "header" ? b.message.blocks[0].text.text : ""));
                const summaries = built.map((b) => textOf(b.message.blocks[1]!));
                const contexts = built.map((b) => b.message.blocks.filter((x) => x.type === "context").map(textOf));
                if (messages === 1) {
                    assert.deepStrictEqual(headers, [":information_source: Console sign-in"]);
                    assert.deepStrictEqual(summaries, [count === 1 ? "*Console sign-in*: 1 event" : `*Console sign-in*: ${count} events`]);
                    assert.deepStrictEqual(contexts, [[]]);
                } else {
                    const sizes = built.map((b) => b.eventIds.length);
                    assert.deepStrictEqual(
                        headers,
                        built.map((_, i) => `:information_source: Console sign-in (${i + 1}/${messages})`),
                    );
                    assert.deepStrictEqual(
                        summaries,
                        sizes.map((n, i) => `*Console sign-in*: ${n} events (${i + 1}/${messages})`),
                    );
                    assert.deepStrictEqual(
                        contexts,
                        built.map((_, i) => [`Part ${i + 1} of ${messages}: ${count} events in all.`]),
                    );
                    assert.ok(
                        sizes.every((n) => n <= 40),
                        `${sizes}`,
                    );
                }
            });
        }

        it("stays within the block limits when every event-derived value is as long and as escape-heavy as possible", function () {
            const long = "&<>".repeat(400);
            const signIns = manySignIns(40).map((s) => ({
                ...s,
                principal: { kind: "name" as const, name: long },
                identityType: long,
                sourceIp: long,
                region: long,
                userAgent: long,
                accountId: long,
                errorMessage: long,
            }));
            const built = buildSignInMessages(builtInRunTimeRule("signin-failures"), signIns, UTC);
            assert.strictEqual(built.length, 1);
            for (const { message } of built) {
                assert.ok(message.blocks.length <= 50);
                for (const block of message.blocks) {
                    if (block.type === "section") {
                        assert.ok(block.text.text.length <= 3000, `section text of ${block.text.text.length}`);
                        assert.ok((block.fields ?? []).every((f) => f.text.length <= 2000));
                    }
                }
                assert.deepStrictEqual(
                    unescapedMarkup(JSON.stringify(message).replace(/<https:\/\/[^|<>]+\|View in CloudTrail>/g, "")),
                    [],
                );
            }
        });
    });

    describe("escaping", function () {
        const CRAFTED = "<!channel> <https://evil.example|click> & friends";

        /** The payload with the CloudTrail buttons removed: the only markup the function itself writes. */
        function eventDerivedJson(messages: Array<{ message: SlackMessage }>): string {
            return JSON.stringify(messages.map((m) => m.message)).replace(
                /<https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/cloudtrailv2\/[^|<>]*\|View in CloudTrail>/g,
                "",
            );
        }

        it("escapes & < > in every value taken from a sign-in, so it cannot mention, link or format", function () {
            const crafted = variant("sso-assumed-role", (r) => {
                r.userIdentity!.arn = `arn:aws:sts::111122223333:assumed-role/OktaAdmins/${CRAFTED}`;
                r.userIdentity!.sessionContext!.sessionIssuer!.userName = "Okta<Admins>&";
                r.userAgent = CRAFTED;
                r.sourceIPAddress = "198.51.100.1 <!here>";
                r.awsRegion = "<!everyone>";
                r.recipientAccountId = "<@U0123ABCD>";
                r.errorMessage = `Failed <b>&</b> ${CRAFTED}`;
                r.responseElements = { ConsoleLogin: "Failure" };
            });
            const otherType = variant("iam-user-mfa", (r) => {
                r.userIdentity = { type: "<!channel>", userName: CRAFTED };
                r.eventTime = "2024-05-20T08:15:04Z";
            });
            const built = buildSignInMessages(CONSOLE_SIGNIN, [crafted, otherType], UTC);
            const json = eventDerivedJson(built);

            assert.deepStrictEqual(unescapedMarkup(json), []);
            for (const raw of ["<!channel>", "<!here>", "<!everyone>", "<@U0123ABCD>", "<https://evil", "|click>", "<b>"]) {
                assert.ok(!JSON.stringify(built).includes(raw), `${raw} reached the payload unescaped`);
            }
            const escaped = "&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; friends";
            const block = built[0]!.message.blocks[2]!;
            assert.strictEqual(
                textOf(block),
                `*${escaped} (role Okta&lt;Admins&gt;&amp;)* failed to sign in · <https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/bfd0afee-80ae-4705-a73b-e1be43cc8efa|View in CloudTrail>`,
            );
            assert.deepStrictEqual(block.type === "section" ? block.fields?.map((f) => f.text) : undefined, [
                "*Identity type*\nAssumedRole",
                "*Result*\nFailure",
                "*MFA*\nNo",
                "*Source IP*\n198.51.100.1 &lt;!here&gt;",
                "*Region*\n&lt;!everyone&gt;",
                "*Time*\n2024-05-20 08:15:03 UTC",
                `*Browser*\n${escaped}`,
                "*Account*\n&lt;@U0123ABCD&gt;",
                `*Error*\nFailed &lt;b&gt;&amp;&lt;/b&gt; ${escaped}`,
            ]);
            assert.strictEqual(
                built[0]!.message.text.split("\n")[1],
                `${escaped} (role Okta&lt;Admins&gt;&amp;) failed to sign in (AssumedRole, MFA No) from 198.51.100.1 &lt;!here&gt; in &lt;!everyone&gt; at 2024-05-20 08:15:03 UTC`,
            );
            const typeBlock = built[0]!.message.blocks[3]!;
            assert.strictEqual(typeBlock.type === "section" ? typeBlock.fields?.[0]?.text : undefined, "*Identity type*\n&lt;!channel&gt;");
        });

        it("escapes the event name of an event a custom rule matches", function () {
            // Any rule can match any CloudTrail event, and its name reaches the message as "called <name>".
            const crafted = variant("root-api-call", (r) => (r.eventName = CRAFTED));
            const built = buildSignInMessages(builtInRunTimeRule("root-activity"), [crafted], UTC);
            assert.deepStrictEqual(unescapedMarkup(eventDerivedJson(built)), []);
        });
    });

    describe("showing attacker-controlled values literally", function () {
        /** The who-part of a sign-in section and its fields, by label. */
        function shownOf(signIn: SignIn): { who: string; fields: Record<string, string>; fallback: string } {
            const [only] = buildSignInMessages(CONSOLE_SIGNIN, [signIn], UTC);
            const block = only!.message.blocks[2]!;
            assert.ok(block.type === "section");
            const fields = Object.fromEntries((block.fields ?? []).map((f) => f.text.split(/\n(.*)/s).slice(0, 2) as [string, string]));
            return { who: block.text.text.split("* ")[0]!.slice(1), fields, fallback: only!.message.text };
        }

        it("shows mrkdwn's *, ~ and ` always, and _ and a leading > where they could format, as look-alikes Slack does not format", function () {
            const shown = shownOf(
                variant("failure-wrong-password", (r) => {
                    r.userIdentity!.userName = "*bold* _it_ ~del~ `code` ```block```";
                    r.userAgent = "> quote *x* sre_oncall";
                    r.errorMessage = "_Failed_ *authentication*";
                    r.awsRegion = "~us-east-1~";
                }),
            );
            assert.strictEqual(shown.who, "∗bold∗ ˍitˍ ∼del∼ ˋcodeˋ ˋˋˋblockˋˋˋ");
            assert.strictEqual(shown.fields["*Browser*"], "˃ quote ∗x∗ sre_oncall");
            assert.strictEqual(shown.fields["*Error*"], "ˍFailedˍ ∗authentication∗");
            assert.strictEqual(shown.fields["*Region*"], "∼us-east-1∼");
        });

        it("keeps _ inside IAM, role and e-mail names, where Slack cannot read it as italics", function () {
            const shown = shownOf(variant("iam-user-mfa", (r) => (r.userIdentity!.userName = "sre_oncall_2")));
            assert.strictEqual(shown.who, "sre_oncall_2");
            assert.strictEqual(shownOf(toSignIn(record("sso-assumed-role"))).who, "alice@example.com");
            assert.strictEqual(shownOf(toSignIn(record("sso-assumed-role"))).fields["*Permission set*"], "AdministratorAccess");
        });

        it("turns every line break into a visible ↵, so a value cannot forge a line of the message", function () {
            const shown = shownOf(
                variant("iam-user-mfa", (r) => {
                    r.userIdentity!.userName = "alice\n\n*Root user activity*: 0 events";
                    r.errorMessage = "a\r\nb\rc\u2028d\u2029e";
                }),
            );
            assert.strictEqual(shown.who, "alice↵↵∗Root user activity∗: 0 events");
            assert.strictEqual(shown.fields["*Error*"], "a↵b↵c↵d↵e");
            assert.deepStrictEqual(shown.fallback.split("\n").length, 2, shown.fallback);
        });

        it("shows bidi, zero-width and control characters as visible [U+XXXX] markers instead of passing them on", function () {
            const cases: Array<[string, string]> = [
                ["admin\u202Egnp.exe", "admin[U+202E]gnp.exe"],
                ["\u2066ops\u2069 \u2067x\u2068", "[U+2066]ops[U+2069] [U+2067]x[U+2068]"],
                ["a\u200Eb\u200Fc\u061Cd", "a[U+200E]b[U+200F]c[U+061C]d"],
                ["adm\u200Bin\u200C\u200D\u2060\uFEFF", "adm[U+200B]in[U+200C][U+200D][U+2060][U+FEFF]"],
                ["\u0000\u0007\u001B[31mred\t\u007F", "[U+0000][U+0007][U+001B][31mred[U+0009][U+007F]"],
                ["c1\u0085\u009B", "c1[U+0085][U+009B]"],
                ["lone \uD800 half", "lone [U+D800] half"],
                // A joiner inside an emoji sequence is part of the emoji, not a hidden character.
                ["👩🏽‍💻 dev", "👩🏽‍💻 dev"],
            ];
            for (const [raw, expected] of cases) {
                const shown = shownOf(
                    variant("iam-user-mfa", (r) => {
                        r.userIdentity!.userName = raw;
                        r.sourceIPAddress = raw;
                        r.userAgent = raw;
                        r.recipientAccountId = raw;
                    }),
                );
                assert.deepStrictEqual(
                    [shown.who, shown.fields["*Source IP*"], shown.fields["*Browser*"], shown.fields["*Account*"]],
                    [expected, expected, expected, expected],
                    JSON.stringify(raw),
                );
            }
        });

        it("marks every mrkdwn text that carries event data verbatim, so Slack turns no URL or channel name in it into a link", function () {
            const signIn = variant("iam-user-mfa", (r) => (r.userAgent = "curl/8.0 https://evil.example/login #general"));
            const [only] = buildSignInMessages(CONSOLE_SIGNIN, [signIn], UTC);
            const section = only!.message.blocks[2]!;
            assert.ok(section.type === "section");
            assert.strictEqual(section.text.type === "mrkdwn" && section.text.verbatim, true);
            assert.deepStrictEqual(
                (section.fields ?? []).map((f) => f.type === "mrkdwn" && f.verbatim),
                (section.fields ?? []).map(() => true),
            );
            assert.ok(section.fields?.some((f) => f.text === "*Browser*\ncurl/8.0 https://evil.example/login #general"));
        });

        it("shows the alarm's name and reason literally in the notes an alarm alone produces", function () {
            const event = fixture<{ Records: Array<{ Sns: { Message: string } }> }>("sns_alarm-console-signin");
            const body = JSON.parse(event.Records[0]!.Sns.Message) as Record<string, unknown>;
            body["AlarmName"] = "*x*\nforged";
            body["NewStateReason"] = "Threshold \u202ECrossed_ `1` https://evil.example";
            const parsed = parseAlarmNotification(JSON.stringify(body));
            assert.ok(parsed.ok);
            const pending = buildPendingMessage(CONSOLE_SIGNIN, parsed.value, UTC);
            const ok = buildOkMessage(CONSOLE_SIGNIN, parsed.value, UTC);
            const texts = [pending.blocks[1], pending.blocks[2], ok.blocks[0]].map((b) =>
                b?.type === "context" ? b.elements[0] : b?.text,
            );
            assert.deepStrictEqual(
                texts.map((t) => t?.type === "mrkdwn" && t.verbatim),
                [true, true, true],
            );
            assert.ok(texts[0]!.text.includes("alarm ∗x∗↵forged fired at"), texts[0]!.text);
            assert.strictEqual(texts[1]!.text, "Threshold [U+202E]Crossedˍ ˋ1ˋ https://evil.example");
            assert.ok(ok.text.includes("alarm ∗x∗↵forged is back to OK"), ok.text);
            assert.ok(pending.text.includes("alarm ∗x∗↵forged fired at"), pending.text);
        });
    });

    describe("bounding a value after it is made literal", function () {
        const PIECE = /^(?:a|&amp;|&lt;|\[U\+202E\]|😀|↵|∗)*…?$/u;

        it("cuts only between whole pieces: never inside &amp;, a [U+XXXX] marker or a surrogate pair", function () {
            const value = "a&\u202E😀<\n*".repeat(40);
            for (let max = 1; max <= 120; max++) {
                const shown = literal(value, max);
                assert.ok(shown.length <= max, `${shown.length} > ${max}`);
                assert.match(shown, PIECE, `max ${max}: ${shown}`);
                assert.ok(shown.endsWith("…"), `max ${max}: ${shown}`);
            }
        });

        it("keeps a value that fits whole, and bounds values that grow eightfold when made visible", function () {
            assert.strictEqual(literal("a&\u202E😀<\n*", 24), "a&amp;[U+202E]😀&lt;↵∗");
            for (const grows of ["&", "<", "\u202E", "\u0000", "\uD800", "😀", "\r\n"]) {
                const shown = literal(grows.repeat(5000), 200);
                assert.ok(shown.length <= 200 && shown.length >= 190, `${JSON.stringify(grows)}: ${shown.length}`);
                assert.match(shown, /…$/);
            }
        });

        it("gives plain_text the same visible marks without mrkdwn's escapes", function () {
            assert.strictEqual(plainLiteral("a&<*_~`\n\u200B>", 50), "a&<*_~`↵[U+200B]>");
            assert.strictEqual(plainLiteral("\u202E".repeat(100), 20), "[U+202E][U+202E]…");
        });
    });

    describe("an invalid time zone at run time", function () {
        /** Runs `fn` with console.log captured, returning the log lines it wrote. */
        function captureLogs(fn: () => void): string[] {
            const lines: string[] = [];
            const original = console.log;
            console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
            try {
                fn();
            } finally {
                console.log = original;
            }
            return lines;
        }

        it("gives times in UTC with one warning, for a zone this runtime's ICU does not know, and never throws", function () {
            const BAD: Presentation = { ...UTC, timeZone: "Mars/Olympus_Mons" };
            let built: ReturnType<typeof buildSignInMessages> = [];
            const logs = captureLogs(() => {
                built = buildSignInMessages(CONSOLE_SIGNIN, manySignIns(3), BAD);
            });
            const times = built[0]!.message.blocks
                .slice(2)
                .map((b) => (b.type === "section" ? b.fields?.find((f) => f.text.startsWith("*Time*\n"))?.text : undefined));
            assert.deepStrictEqual(times, [
                "*Time*\n2024-05-20 09:00:00 UTC",
                "*Time*\n2024-05-20 09:00:01 UTC",
                "*Time*\n2024-05-20 09:00:02 UTC",
            ]);
            assert.strictEqual(logs.length, 1, logs.join("\n"));
            const line = JSON.parse(logs[0]!) as Record<string, unknown>;
            assert.strictEqual(line["level"], "warn");
            assert.strictEqual(line["timeZone"], "Mars/Olympus_Mons");
        });

        it("gives the alarm notes' time in UTC too", function () {
            let text = "";
            const logs = captureLogs(() => {
                text = formatEventTime(new Date("2021-06-08T07:58:32Z"), "Not a zone", "en");
            });
            assert.strictEqual(text, "2021-06-08 07:58:32 UTC");
            assert.strictEqual(logs.length, 1);
        });
    });

    describe("mentions", function () {
        const MENTIONS: Presentation = { ...UTC, mentions: { critical: "<!here>", high: "<!subteam^S0123ABCD>" } };
        const cases: Array<[Parameters<typeof builtInRunTimeRule>[0], string, string]> = [
            ["root-activity", "<!here> *Root user activity*: 1 event", "<!here> Root user activity:"],
            ["signin-failures", "<!subteam^S0123ABCD> *Failed console sign-in*: 1 event", "<!subteam^S0123ABCD> Failed console sign-in:"],
            [
                "signin-without-mfa",
                "<!subteam^S0123ABCD> *Console sign-in without MFA*: 1 event",
                "<!subteam^S0123ABCD> Console sign-in without MFA:",
            ],
            ["console-signin", "*Console sign-in*: 1 event", "Console sign-in:"],
        ];
        for (const [id, summary, firstLine] of cases) {
            it(`${summary.startsWith("<") ? `mentions ${summary.split(" ")[0]}` : "mentions no one"} for ${id} (${builtInRunTimeRule(id).severity})`, function () {
                const [only] = buildSignInMessages(builtInRunTimeRule(id), [toSignIn(record("root-no-mfa"))], MENTIONS);
                assert.strictEqual(textOf(only!.message.blocks[1]!), summary);
                assert.strictEqual(only!.message.text.split("\n")[0], firstLine);
            });
        }
    });

    describe("alarm notes", function () {
        const NOTE: Presentation = {
            timeZone: "Asia/Tokyo",
            accountLabels: { [ACCOUNT]: "production" },
            mentions: { info: "<@U0123ABCD>" },
            language: "en",
        };

        function alarm(state: "ALARM" | "OK"): AlarmNotification {
            const event = fixture<{ Records: Array<{ Sns: { Message: string } }> }>("sns_alarm-console-signin");
            const body = JSON.parse(event.Records[0]!.Sns.Message) as Record<string, unknown>;
            body["NewStateValue"] = state;
            const parsed = parseAlarmNotification(JSON.stringify(body));
            assert.ok(parsed.ok);
            return parsed.value;
        }

        it("says what the alarm knows, with the mention, while CloudTrail has not delivered the events", function () {
            assert.deepStrictEqual(buildPendingMessage(CONSOLE_SIGNIN, alarm("ALARM"), NOTE), {
                text: "<@U0123ABCD> Console sign-in: alarm login-alerts-console-signin-alarm-1c120a3 fired at 2021-06-08 16:58:32 Asia/Tokyo; details follow when CloudTrail delivers them.",
                blocks: [
                    { type: "header", text: { type: "plain_text", text: ":information_source: Console sign-in", emoji: true } },
                    {
                        type: "section",
                        text: {
                            type: "mrkdwn",
                            verbatim: true,
                            text:
                                "<@U0123ABCD> *Console sign-in*: alarm login-alerts-console-signin-alarm-1c120a3 fired at 2021-06-08 16:58:32 Asia/Tokyo in account 111122223333 (production). " +
                                "CloudTrail has not delivered the matching events to CloudWatch Logs yet; they will be posted here as soon as they arrive.",
                        },
                    },
                    {
                        type: "context",
                        elements: [
                            {
                                type: "mrkdwn",
                                verbatim: true,
                                text: "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (08/06/21 07:53:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -&gt; ALARM transition).",
                            },
                        ],
                    },
                ],
            });
        });

        it("notes the return to OK without mentioning anyone", function () {
            const text =
                ":white_check_mark: Console sign-in: alarm login-alerts-console-signin-alarm-1c120a3 is back to OK (2021-06-08 16:58:32 Asia/Tokyo).";
            assert.deepStrictEqual(buildOkMessage(CONSOLE_SIGNIN, alarm("OK"), NOTE), {
                text,
                blocks: [{ type: "section", text: { type: "mrkdwn", text, verbatim: true } }],
            });
        });
    });
});
