/**
 * "Was this you?" through the handler in process, with the Slack app and AWS in memory: asking,
 * each answer, silence, the person nobody knows, a forged answer and asking that fails. The
 * deployed function's own run of the same is test/confirmationDeployed.spec.ts.
 */
import * as assert from "assert";
import { slackSignature } from "../handler/decide/slackSignature";
import { handleInvocation } from "../handler/ingest/invocation";
import type { SlackMessage } from "../handler/decide/messages";
import { ANSWER_ACTIONS, type AnswerRequest, type ConfirmConfig } from "../shared/confirm";
import type { HandlerSettings } from "../shared/contract";
import { fixture } from "../tools/fixtures";
import { builtInRunTimeRule, fakeInvocation, unitSettings } from "./support/fakePorts";
import { FakeSlackApp } from "./support/fakeSlackApp";

const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const BOT_TOKEN = "xoxb-111-222-confirmtoken";
const IAM_USER = fixture<{ eventID: string; eventTime: string }>("cloudtrail_iam-user-mfa");
const EVENT_MS = Date.parse(IAM_USER.eventTime);
const DELIVERED = fixture<Record<string, unknown>>("eventbridge_console-signin");
const CONTEXT = {
    awsRequestId: "request-1",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:login-alerts-function",
    getRemainingTimeInMillis: () => 300_000,
};
const SWEEP = fixture<Record<string, unknown>>("events_scheduled-sweep");
const RESPONSE_URL = "https://hooks.slack.com/actions/T0123ABCDEF/1/abc";
const CONFIRM: ConfirmConfig = { rules: ["console-signin"], severities: [], minutes: 30, channel: "C0123ABCDEF", users: {} };

function settings(confirm: Partial<ConfirmConfig> = {}): HandlerSettings {
    return unitSettings({
        rules: [builtInRunTimeRule("console-signin")],
        minPostIntervalMs: 0,
        mentions: { info: "<!here>" },
        confirm: {
            ...CONFIRM,
            ...confirm,
            botTokenParameterName: "/login-alerts/bot",
            signingSecretParameterName: "/login-alerts/signing",
        },
    });
}

function world(confirm: Partial<ConfirmConfig> = { users: { "ops-admin": "U0123ABCDEF" } }) {
    const w = fakeInvocation(EVENT_MS + 10_000, settings(confirm));
    const app = new FakeSlackApp();
    w.aws.parameters.set("/login-alerts/webhook", "https://hooks.slack.com/services/T0/B0/X");
    w.aws.parameters.set("/login-alerts/bot", BOT_TOKEN);
    w.aws.parameters.set("/login-alerts/signing", SIGNING_SECRET);
    w.aws.logGroup("trail-logs");
    return { ...w, app, deps: { ...w.deps, app } };
}

/** A click as Slack signs and sends it, handed over as the endpoint does. */
function answer(
    action: "yes" | "no",
    atMs: number,
    who = { user: "U0123ABCDEF", team: "T0123ABCDEF" },
    secret = SIGNING_SECRET,
): AnswerRequest {
    const payload = {
        type: "block_actions",
        team: { id: who.team },
        user: { id: who.user },
        actions: [{ type: "button", action_id: ANSWER_ACTIONS[action], value: IAM_USER.eventID }],
        response_url: RESPONSE_URL,
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = String(Math.floor(atMs / 1000));
    return { loginAlertsAnswer: { body, timestamp, signature: slackSignature(secret, timestamp, body) } };
}

function lastLines(app: FakeSlackApp): Array<string | undefined> {
    return app.messages.map((m) => app.lastLine(m));
}

describe("Was this you? in process", function () {
    const { log, error } = console;
    beforeEach(() => ((console.log = () => undefined), (console.error = () => undefined)));
    afterEach(() => ((console.log = log), (console.error = error)));

    it("posts the sign-in in the channel first, by the app with its state, then asks in a direct message; the webhook posts nothing", async function () {
        const { clock, aws, sent, app, deps } = world();
        const report = await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
        assert.strictEqual(report.posted, 1);
        assert.deepStrictEqual(sent, []);
        assert.deepStrictEqual(app.calls, ["auth.test", "chat.postMessage", "chat.postMessage"]);
        const [channel, dm] = app.messages;
        assert.strictEqual(channel?.channel, "C0123ABCDEF");
        assert.strictEqual(
            app.lastLine(channel!),
            ":hourglass_flowing_sand: Asked <@U0123ABCDEF> whether this was them; unanswered at 2021-06-08 08:23:16 UTC, it escalates.",
        );
        assert.strictEqual(dm?.channel, "D0123ABCDEF");
        assert.strictEqual(dm?.text, "Someone signed in to the AWS console of account 111122223333 as you. Was this you?");
        assert.ok(aws.store.posted.has(`console-signin#${IAM_USER.eventID}`));
    });

    it("confirmed: the channel's message and the direct message say so in place, and nothing escalates", async function () {
        const { clock, aws, sent, app, deps } = world();
        await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
        await clock.runUntil(clock.now() + 125_000);
        await clock.drive(handleInvocation(deps, answer("yes", clock.now()), CONTEXT));
        assert.deepStrictEqual(lastLines(app), [
            ":white_check_mark: <@U0123ABCDEF> confirmed it was them (after 2 min).",
            ":white_check_mark: Thanks — recorded: it was you.",
        ]);
        assert.deepStrictEqual(
            app.messages.map((m) => m.updates),
            [1, 1],
        );
        assert.deepStrictEqual(sent, []);
        assert.deepStrictEqual(aws.published, []);
    });

    it("denied: escalated once in the channel with the mention and to the operators, however often the person clicks", async function () {
        const { clock, aws, sent, app, deps } = world();
        await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
        await clock.runUntil(clock.now() + 9_000);
        await clock.drive(handleInvocation(deps, answer("no", clock.now()), CONTEXT));
        await clock.drive(handleInvocation(deps, answer("no", clock.now() + 1000), CONTEXT));
        assert.strictEqual(app.lastLine(app.messages[0]!), ":rotating_light: <@U0123ABCDEF> says it was not them (after 9 s).");
        assert.deepStrictEqual(
            sent.map((m: SlackMessage) => m.text),
            ["<!here> Console sign-in: <@U0123ABCDEF> says this sign-in was not them. Treat it as an incident."],
        );
        assert.deepStrictEqual(
            aws.published.map((p) => p.subject),
            [`console-login-alerts: sign-in denied by its person (${IAM_USER.eventID})`],
        );
        assert.deepStrictEqual(app.replies, [
            {
                url: RESPONSE_URL,
                reply: { response_type: "ephemeral", replace_original: false, text: "Already answered: it was not you." },
            },
        ]);
    });

    it("unanswered: the first sweep after the deadline escalates, and a click after that is told it expired", async function () {
        const { clock, aws, sent, app, deps } = world();
        await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
        await clock.runUntil(clock.now() + 29 * 60_000);
        await clock.drive(handleInvocation(deps, SWEEP, CONTEXT));
        assert.strictEqual(sent.length, 0);
        await clock.runUntil(clock.now() + 2 * 60_000);
        await clock.drive(handleInvocation(deps, SWEEP, CONTEXT));
        assert.strictEqual(app.lastLine(app.messages[0]!), ":warning: <@U0123ABCDEF> did not answer within 30 min.");
        assert.deepStrictEqual(
            sent.map((m) => m.text),
            ["<!here> Console sign-in: <@U0123ABCDEF> did not confirm this sign-in within 30 min."],
        );
        assert.strictEqual(aws.published.length, 1);
        await clock.drive(handleInvocation(deps, answer("yes", clock.now()), CONTEXT));
        assert.strictEqual(app.replies[0]?.reply.text, "This question was open for 30 min and has expired; it was escalated.");
        assert.strictEqual(sent.length, 1);
    });

    it("only the person asked, in the workspace asked, can answer; a forged answer changes nothing", async function () {
        const { clock, aws, sent, app, deps } = world();
        await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
        await clock.drive(handleInvocation(deps, answer("yes", clock.now(), { user: "U9999999999", team: "T0123ABCDEF" }), CONTEXT));
        await clock.drive(handleInvocation(deps, answer("yes", clock.now(), { user: "U0123ABCDEF", team: "T9999999999" }), CONTEXT));
        const forged = await clock.drive(handleInvocation(deps, answer("yes", clock.now(), undefined, "not-the-signing-secret"), CONTEXT));
        assert.deepStrictEqual(
            app.replies.map((r) => r.reply.text),
            ["Only <@U0123ABCDEF> can answer this question.", "This answer came from another Slack workspace and was not taken."],
        );
        assert.deepStrictEqual(forged.skipped, ["answer refused: the signature does not match the body"]);
        assert.strictEqual(app.messages[0]?.updates, 0);
        assert.deepStrictEqual([sent, aws.published], [[], []]);
    });

    it("asks nobody it cannot name, and says so on the channel's message", async function () {
        const { clock, app, deps } = world({ users: {} });
        await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
        assert.deepStrictEqual(app.calls, ["chat.postMessage"]);
        assert.deepStrictEqual(lastLines(app), [
            "Nobody was asked: no Slack user is known for ops-admin (confirmUsers, or an IAM user's email tag).",
        ]);
    });

    it("posts by the webhook, and tells the operators, when the app cannot post at all", async function () {
        const { clock, aws, sent, app, deps } = world();
        const refused = Object.assign(new Error("Slack refused the bot token in /login-alerts/bot (auth.test answered invalid_auth)."), {
            name: "SlackTokenRefusedError",
            retryable: false,
        });
        app.failures.set("auth.test", [refused]);
        const report = await clock.drive(handleInvocation(deps, DELIVERED, CONTEXT));
        assert.strictEqual(report.posted, 1);
        assert.strictEqual(sent.length, 1);
        assert.deepStrictEqual(app.messages, []);
        assert.deepStrictEqual(
            aws.published.map((p) => p.subject),
            [`console-login-alerts: could not ask about a sign-in (${IAM_USER.eventID})`],
        );
    });
});
