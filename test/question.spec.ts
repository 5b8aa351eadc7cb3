import * as assert from "assert";
import type { SignIn } from "../handler/common/types";
import { parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import { asksAbout, judgeAnswer, overdue, personToAsk, remedyFor, type Question } from "../handler/decide/question";
import {
    answeredMessage,
    escalationMessage,
    questionMessage,
    replyTo,
    signInMessage,
    stateLine,
    withState,
} from "../handler/decide/questionMessages";
import type { Presentation } from "../handler/decide/messages";
import { ANSWER_ACTIONS, type ConfirmConfig } from "../shared/confirm";
import { fixture } from "../tools/fixtures";
import { builtInRunTimeRule } from "./support/fakePorts";

function signIn(name: string): SignIn {
    const parsed = parseCloudTrailRecord(JSON.stringify(fixture(`cloudtrail_${name}`)));
    assert.ok(parsed.ok);
    return toSignIn(parsed.value);
}

const CONFIRM: ConfirmConfig = { rules: ["signin-without-mfa"], severities: ["critical"], minutes: 30, channel: "C0123ABCDEF", users: {} };
const OWN = "111122223333";
const EN: Presentation = { timeZone: "UTC", accountLabels: { [OWN]: "production" }, mentions: { critical: "<!here>" }, language: "en" };
const ASKED_AT = Date.parse("2024-05-21T09:00:00Z");

function question(overrides: Partial<Question> = {}): Question {
    const rule = builtInRunTimeRule("console-signin");
    return {
        eventId: "3b7e2a1c-0d4f-4a51-9a7e-1f2e3d4c5b6a",
        ruleId: rule.id,
        severity: "high",
        state: "waiting",
        userId: "U0123ABCDEF",
        teamId: "T0123ABCDEF",
        askedAtMs: ASKED_AT,
        deadlineMs: ASKED_AT + 30 * 60000,
        channel: "C0123ABCDEF",
        ts: "1716282000.000100",
        message: signInMessage(rule, signIn("iam-user-mfa"), EN),
        accountId: OWN,
        remedy: "iam-user",
        ...overrides,
    };
}

describe("Was this you?: whom to ask", function () {
    it("asks about a rule's sign-ins when its rule or its severity is listed, and never when the stack asks nobody", function () {
        assert.strictEqual(asksAbout(CONFIRM, "signin-without-mfa", "high"), true);
        assert.strictEqual(asksAbout(CONFIRM, "root-activity", "critical"), true);
        assert.strictEqual(asksAbout(CONFIRM, "console-signin", "info"), false);
        assert.strictEqual(asksAbout(undefined, "signin-without-mfa", "critical"), false);
    });

    it("never asks about root or a role session other than Identity Center's, whatever confirmUsers says", function () {
        const users = { "ops-admin": "U0123ABCDEF", root: "U0123ABCDEF" };
        assert.deepStrictEqual(personToAsk(signIn("root-mfa"), { ...CONFIRM, users }, OWN), { kind: "nobody", reason: { kind: "shared" } });
        assert.deepStrictEqual(personToAsk(signIn("switch-role"), { ...CONFIRM, users }, OWN), {
            kind: "nobody",
            reason: { kind: "shared" },
        });
        assert.deepStrictEqual(personToAsk(signIn("saml-federation"), CONFIRM, OWN), { kind: "nobody", reason: { kind: "shared" } });
    });

    it("takes confirmUsers first, by account and name, then by name, as a user id or an email", function () {
        const iamUser = signIn("iam-user-mfa");
        assert.deepStrictEqual(personToAsk(iamUser, { ...CONFIRM, users: { "ops-admin": "U0123ABCDEF" } }, OWN), {
            kind: "user-id",
            userId: "U0123ABCDEF",
        });
        const both = { "ops-admin": "U0123ABCDEF", [`${OWN}/ops-admin`]: "ops@example.com" };
        assert.deepStrictEqual(personToAsk(iamUser, { ...CONFIRM, users: both }, OWN), { kind: "email", email: "ops@example.com" });
    });

    it("asks an Identity Center user by the email their user name is, and an IAM user of the stack's own account by its email tag", function () {
        assert.deepStrictEqual(personToAsk(signIn("sso-assumed-role"), CONFIRM, OWN), { kind: "email", email: "alice@example.com" });
        assert.deepStrictEqual(personToAsk(signIn("iam-user-mfa"), CONFIRM, OWN), { kind: "iam-user", userName: "ops-admin" });
        // IAM answers for its own account only: another account's ops-admin is somebody else.
        assert.deepStrictEqual(personToAsk(signIn("iam-user-mfa"), CONFIRM, "444455556666"), {
            kind: "nobody",
            reason: { kind: "unknown-person", who: "ops-admin" },
        });
    });

    it("has nobody to ask for a hidden user name", function () {
        assert.deepStrictEqual(personToAsk(signIn("failure-unknown-user"), CONFIRM, OWN), {
            kind: "nobody",
            reason: { kind: "unknown-person", who: "hidden-user" },
        });
    });

    it("tells the person what to do by the kind of principal", function () {
        assert.strictEqual(remedyFor(signIn("sso-assumed-role")), "identity-center");
        assert.strictEqual(remedyFor(signIn("iam-user-mfa")), "iam-user");
        assert.strictEqual(remedyFor(signIn("switch-role")), "other");
    });
});

describe("Was this you?: judging an answer", function () {
    const click = { answer: "yes" as const, teamId: "T0123ABCDEF", userId: "U0123ABCDEF", receivedAtMs: ASKED_AT + 60000 };

    it("takes the asked person's answer before the deadline, either way", function () {
        assert.deepStrictEqual(judgeAnswer(question(), click), { kind: "take", state: "confirmed" });
        assert.deepStrictEqual(judgeAnswer(question(), { ...click, answer: "no" }), { kind: "take", state: "denied" });
    });

    it("refuses an unknown question, another workspace and another person, in that order", function () {
        assert.deepStrictEqual(judgeAnswer(undefined, click), { kind: "refuse", reason: "unknown" });
        assert.deepStrictEqual(judgeAnswer(question(), { ...click, teamId: "T9999999999", userId: "U9999999999" }), {
            kind: "refuse",
            reason: "other-workspace",
        });
        assert.deepStrictEqual(judgeAnswer(question(), { ...click, userId: "U9999999999" }), { kind: "refuse", reason: "not-yours" });
    });

    it("counts a repeat of the same answer as nothing new, and refuses to change an answer", function () {
        assert.deepStrictEqual(judgeAnswer(question({ state: "confirmed" }), click), { kind: "again", confirmed: true });
        assert.deepStrictEqual(judgeAnswer(question({ state: "confirmed" }), { ...click, answer: "no" }), {
            kind: "refuse",
            reason: "answered",
        });
    });

    it("judges by when the click was received: after the deadline it is late, once escalated it is expired", function () {
        const deadline = question().deadlineMs;
        assert.deepStrictEqual(judgeAnswer(question(), { ...click, receivedAtMs: deadline }), { kind: "take", state: "confirmed" });
        assert.deepStrictEqual(judgeAnswer(question(), { ...click, receivedAtMs: deadline + 1 }), { kind: "late" });
        assert.deepStrictEqual(judgeAnswer(question({ state: "unanswered" }), click), { kind: "refuse", reason: "expired" });
    });

    it("finds the open questions past their deadline", function () {
        assert.deepStrictEqual(overdue({ a: 1000, b: 2000, c: 3000 }, 2000), ["a", "b"]);
    });
});

describe("Was this you?: what Slack shows", function () {
    it("puts the question's state on the channel message's last line, in the stack's time zone", function () {
        const q = question();
        const line = stateLine(q, { ...EN, timeZone: "Asia/Tokyo" }, 30);
        assert.strictEqual(
            line,
            ":hourglass_flowing_sand: Asked <@U0123ABCDEF> whether this was them; unanswered at 2024-05-21 18:30:00 Asia/Tokyo, it escalates.",
        );
        const shown = withState(q.message, line);
        assert.deepStrictEqual(shown.blocks.at(-1), { type: "context", elements: [{ type: "mrkdwn", text: line }] });
        assert.strictEqual(shown.blocks.length, q.message.blocks.length + 1);
        assert.strictEqual(
            stateLine({ ...q, state: "confirmed", answeredAtMs: ASKED_AT + 125000 }, EN, 30),
            ":white_check_mark: <@U0123ABCDEF> confirmed it was them (after 2 min).",
        );
        assert.strictEqual(
            stateLine({ ...q, state: "denied", answeredAtMs: ASKED_AT + 9000 }, EN, 30),
            ":rotating_light: <@U0123ABCDEF> says it was not them (after 9 s).",
        );
        assert.strictEqual(stateLine({ ...q, state: "unanswered" }, EN, 30), ":warning: <@U0123ABCDEF> did not answer within 30 min.");
    });

    it("asks in a direct message with the sign-in's facts and two buttons whose value is the question", function () {
        const q = question();
        const dm = questionMessage(q.message, OWN, q.eventId, EN);
        assert.strictEqual(dm.text, "Someone signed in to the AWS console of account 111122223333 (production) as you. Was this you?");
        assert.deepStrictEqual(dm.blocks[0], { type: "header", text: { type: "plain_text", text: "Was this you?", emoji: true } });
        assert.deepStrictEqual(dm.blocks.at(-1), {
            type: "actions",
            block_id: "login-alerts-confirm",
            elements: [
                {
                    type: "button",
                    action_id: ANSWER_ACTIONS.yes,
                    text: { type: "plain_text", text: "Yes, it was me" },
                    value: q.eventId,
                    style: "primary",
                },
                {
                    type: "button",
                    action_id: ANSWER_ACTIONS.no,
                    text: { type: "plain_text", text: "No — alert security" },
                    value: q.eventId,
                    style: "danger",
                },
            ],
        });
        // The sign-in's own section, as the channel shows it (not the channel's header or count line).
        assert.deepStrictEqual(dm.blocks.slice(2, -1), q.message.blocks.filter((b) => b.type === "section").slice(1));
    });

    it("replaces the buttons with what was recorded, and for a denial with what to do, which changes nothing in AWS by itself", function () {
        const q = question({ state: "denied", answeredAtMs: ASKED_AT + 9000 });
        const answered = answeredMessage(questionMessage(q.message, OWN, q.eventId, EN), q, EN, 30);
        assert.ok(!answered.blocks.some((b) => b.type === "actions"));
        assert.deepStrictEqual(answered.blocks.slice(-2), [
            {
                type: "context",
                elements: [
                    {
                        type: "mrkdwn",
                        text: ":rotating_light: Recorded: it was not you. The channel and the operators have been alerted. Nothing was changed in AWS by itself.",
                    },
                ],
            },
            {
                type: "context",
                elements: [
                    {
                        type: "mrkdwn",
                        text:
                            "In account 111122223333 (production): deactivate the user's access keys, reset the console password and MFA, and " +
                            "<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html|deny the credentials issued so far>; " +
                            "then review recent activity in CloudTrail.",
                    },
                ],
            },
        ]);
    });

    it("escalates in the channel with the severity's mention", function () {
        const rule = { ...builtInRunTimeRule("root-activity") };
        const message = escalationMessage(rule, question({ state: "unanswered", severity: "critical" }), EN, 30);
        assert.strictEqual(message.text, "<!here> Root user activity: <@U0123ABCDEF> did not confirm this sign-in within 30 min.");
        const denied = escalationMessage(rule, question({ state: "denied", severity: "critical" }), EN, 30);
        assert.strictEqual(
            denied.text,
            "<!here> Root user activity: <@U0123ABCDEF> says this sign-in was not them. Treat it as an incident.",
        );
    });

    it("tells whoever clicked why a click was not taken, only to them", function () {
        const q = question();
        assert.deepStrictEqual(replyTo({ kind: "refuse", reason: "not-yours" }, q, EN, 30), {
            response_type: "ephemeral",
            replace_original: false,
            text: "Only <@U0123ABCDEF> can answer this question.",
        });
        assert.strictEqual(
            replyTo({ kind: "refuse", reason: "other-workspace" }, q, EN, 30).text,
            "This answer came from another Slack workspace and was not taken.",
        );
        assert.strictEqual(
            replyTo({ kind: "refuse", reason: "expired" }, q, EN, 30).text,
            "This question was open for 30 min and has expired; it was escalated.",
        );
        assert.strictEqual(replyTo({ kind: "again", confirmed: true }, q, EN, 30).text, "Already answered: it was you.");
        assert.strictEqual(
            replyTo({ kind: "refuse", reason: "unknown" }, undefined, { ...EN, language: "ja" }, 30).text,
            "この質問はこのスタックで見つかりません（ずっと前に回答済みか、別のスタックのものです）。",
        );
    });
});
