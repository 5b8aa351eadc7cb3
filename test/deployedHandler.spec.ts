import * as assert from "assert";
import * as fs from "fs";
import { ORIGINAL_SIGNIN_PATTERN } from "../program/rules";
import {
    alarmNamesOf,
    invokeInChild,
    logLines,
    resetLocalEndpoints,
    unpackFunction,
    type DeployedFunction,
} from "../tools/local/deployedFunction";
import { LocalAws } from "../tools/local/localAws";
import { LocalSlack } from "../tools/local/localSlack";
import { fixture } from "../tools/fixtures";
import { defaultProgram, runWith } from "./support/program";

const SAMPLE = fixture("cloudtrail_iam-user-mfa");

/** The SNS-wrapped alarm notification with the alarm name and state of this test. */
function alarmEvent(alarmName: string, state = "ALARM", stateChangeTime = "2021-06-08T07:58:32.419+0000"): unknown {
    const event = fixture<{ Records: Array<{ Sns: { Message: string } }> }>("sns_alarm-console-signin");
    const message = JSON.parse(event.Records[0]!.Sns.Message) as Record<string, unknown>;
    message["AlarmName"] = alarmName;
    message["NewStateValue"] = state;
    message["OldStateValue"] = state === "ALARM" ? "OK" : "ALARM";
    message["StateChangeTime"] = stateChangeTime;
    event.Records[0]!.Sns.Message = JSON.stringify(message);
    return event;
}

const EXPECTED_PAYLOAD = {
    text: "Console sign-in:\nops-admin signed in (IAMUser, MFA Yes) from 203.0.113.24 in us-east-1 at 2021-06-08 07:53:06 UTC",
    blocks: [
        { type: "header", text: { type: "plain_text", text: ":information_source: Console sign-in", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: "*Console sign-in*: 1 event" } },
        {
            type: "section",
            text: {
                type: "mrkdwn",
                text: "*ops-admin* signed in · <https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/27d68ec1-1016-46b5-8fd3-31d9cdc74f95|View in CloudTrail>",
            },
            fields: [
                { type: "mrkdwn", text: "*Identity type*\nIAMUser" },
                { type: "mrkdwn", text: "*Result*\nSuccess" },
                { type: "mrkdwn", text: "*MFA*\nYes" },
                { type: "mrkdwn", text: "*Source IP*\n203.0.113.24" },
                { type: "mrkdwn", text: "*Region*\nus-east-1" },
                { type: "mrkdwn", text: "*Time*\n2021-06-08 07:53:06 UTC" },
                { type: "mrkdwn", text: "*Browser*\nChrome 91 on Windows" },
                { type: "mrkdwn", text: "*Account*\n111122223333" },
            ],
        },
    ],
};

describe("the deployed handler (serialized __index.js in a child process)", function () {
    let fn: DeployedFunction;
    let slack: LocalSlack;
    let aws: LocalAws;
    let alarmName: string;
    let env: Record<string, string>;

    before(async function () {
        fn = unpackFunction(await defaultProgram());
        slack = await new LocalSlack().start();
        aws = await new LocalAws().start();
        alarmName = alarmNamesOf(fn)["console-signin"]!;
        env = aws.env();
    });

    after(async function () {
        await slack.stop();
        await aws.stop();
        fs.rmSync(fn.dir, { recursive: true, force: true });
        fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
    });

    beforeEach(async function () {
        await resetLocalEndpoints(fn, slack, aws);
    });

    function storeSignIn(record: unknown, ageMs = 120000): void {
        aws.logEvents.push({
            logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!,
            timestamp: Date.now() - ageMs,
            message: JSON.stringify(record),
        });
    }

    it("posts who signed in, as the exact Slack payload, after looking the event up with the alarm's own pattern", async function () {
        storeSignIn(SAMPLE);
        const run = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        assert.deepStrictEqual(
            run.results,
            [{ ok: true, value: { trigger: "sns", rulesScanned: ["console-signin"], posted: 1, messages: 1, skipped: [] } }],
            run.stderr,
        );
        assert.deepStrictEqual(slack.accepted, [EXPECTED_PAYLOAD]);
        assert.strictEqual(slack.requests[0]!.contentType, "application/json; charset=utf-8");

        const lookups = aws.callsOf("FilterLogEvents");
        assert.strictEqual(lookups.length, 1);
        assert.strictEqual(lookups[0]!.body["logGroupName"], fn.environment["TRAIL_LOG_GROUP_NAME"]);
        assert.strictEqual(lookups[0]!.body["filterPattern"], ORIGINAL_SIGNIN_PATTERN);
        const ssm = aws.callsOf("GetParameter");
        assert.deepStrictEqual(
            ssm.map((c) => c.body),
            [{ Name: fn.environment["WEBHOOK_PARAMETER_NAME"], WithDecryption: true }],
        );
    });

    it("reads the webhook from SSM once per container and never posts the same sign-in twice", async function () {
        storeSignIn(SAMPLE);
        const run = await invokeInChild(fn, [alarmEvent(alarmName), alarmEvent(alarmName)], { env });
        assert.deepStrictEqual(
            run.results.map((r) => r.ok && (r.value as { posted: number }).posted),
            [1, 0],
        );
        assert.strictEqual(slack.accepted.length, 1);
        assert.strictEqual(aws.callsOf("GetParameter").length, 1);
    });

    it("still posts what the alarm knows when CloudTrail has not delivered the event yet", async function () {
        const run = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        assert.strictEqual(run.results[0]!.ok, true, run.stderr);
        assert.deepStrictEqual(slack.accepted, [
            {
                text: `Console sign-in: alarm ${alarmName} fired at 2021-06-08 07:58:32 UTC; details follow when CloudTrail delivers them.`,
                blocks: [
                    { type: "header", text: { type: "plain_text", text: ":information_source: Console sign-in", emoji: true } },
                    {
                        type: "section",
                        text: {
                            type: "mrkdwn",
                            text:
                                `*Console sign-in*: alarm ${alarmName} fired at 2021-06-08 07:58:32 UTC in account 111122223333. ` +
                                "CloudTrail has not delivered the matching events to CloudWatch Logs yet; they will be posted here as soon as they arrive.",
                        },
                    },
                    {
                        type: "context",
                        elements: [
                            {
                                type: "mrkdwn",
                                text: "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (08/06/21 07:53:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -&gt; ALARM transition).",
                            },
                        ],
                    },
                ],
            },
        ]);
    });

    it("posts nothing for an OK notification when there is nothing new", async function () {
        const run = await invokeInChild(fn, [alarmEvent(alarmName, "OK")], { env });
        assert.deepStrictEqual(run.results, [
            { ok: true, value: { trigger: "sns", rulesScanned: ["console-signin"], posted: 0, messages: 0, skipped: [] } },
        ]);
        assert.strictEqual(slack.requests.length, 0);
    });

    it("fails the invocation with Slack's reason when the webhook is gone (404 no_service), so Lambda retries and dead-letters it", async function () {
        storeSignIn(SAMPLE);
        slack.reset([{ status: 404, body: "no_service" }]);
        const run = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        assert.deepStrictEqual(run.results, [
            {
                ok: false,
                error: {
                    name: "Error",
                    message:
                        "Sign-in alerts failed for 1 rule(s): console-signin: SlackRejectedError: Slack rejected the message with HTTP 404 no_service; retrying cannot help, fix the webhook or payload.",
                },
            },
        ]);
        assert.strictEqual(slack.requests.length, 1);
        const errors = logLines(run).filter((l) => l["level"] === "error");
        assert.ok(
            errors.some((l) => String(l["error"]).includes("HTTP 404 no_service")),
            run.stderr,
        );
        // Nothing was recorded as posted, so the retry posts it.
        slack.reset();
        const retry = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        assert.strictEqual(retry.results[0]!.ok, true);
        assert.deepStrictEqual(slack.accepted, [EXPECTED_PAYLOAD]);
    });

    it("fails the invocation when the webhook parameter cannot be read", async function () {
        storeSignIn(SAMPLE);
        aws.parameters.clear();
        const run = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        assert.strictEqual(run.results[0]!.ok, false);
        assert.match(
            run.results[0]!.error!.message,
            /^Sign-in alerts failed for 1 rule\(s\): console-signin: ParameterNotFound: Parameter \/console-login-alerts\/login-alerts-dev\/slack-webhook-url not found\.$/,
        );
        assert.strictEqual(slack.requests.length, 0);
    });

    it("posts a known principal's sign-in as informational under the rule's '(known)' title, and a suppressed one not at all", async function () {
        storeSignIn(SAMPLE);
        storeSignIn({
            ...SAMPLE,
            eventID: "0b7c1a3e-7c61-4a55-9e0a-7f7f2b0c0d11",
            userIdentity: { type: "IAMUser", accountId: "111122223333", userName: "deploy-bot" },
        });
        // The allow-list and time zone are configuration: they reach the function inside its code, not its environment.
        const allowList = JSON.stringify([
            { userNames: ["ops-admin"], cidrs: ["203.0.113.0/24"], action: "downgrade" },
            { userNames: ["deploy-bot"], action: "suppress" },
        ]);
        const allowing = unpackFunction(await runWith({ allowList, timeZone: "Asia/Tokyo" }));
        const event = alarmEvent(alarmNamesOf(allowing)["console-signin"]!);
        try {
            const run = await invokeInChild(allowing, [event], { env: { ...env, MIN_POST_INTERVAL_MS: "0" } });
            assert.deepStrictEqual(
                run.results,
                [{ ok: true, value: { trigger: "sns", rulesScanned: ["console-signin"], posted: 1, messages: 1, skipped: [] } }],
                run.stderr,
            );
            const payload = slack.accepted[0] as typeof EXPECTED_PAYLOAD;
            assert.deepStrictEqual(payload.blocks[0], {
                type: "header",
                text: { type: "plain_text", text: ":information_source: Console sign-in (known)", emoji: true },
            });
            assert.strictEqual(payload.blocks.length, 3);
            assert.deepStrictEqual((payload.blocks[2] as { fields: Array<{ text: string }> }).fields[5], {
                type: "mrkdwn",
                text: "*Time*\n2021-06-08 16:53:06 Asia/Tokyo",
            });
            assert.ok(!JSON.stringify(slack.accepted).includes("deploy-bot"));
            // The suppressed sign-in is recorded as handled: a second lookup posts nothing.
            const again = await invokeInChild(allowing, [event], { env });
            assert.strictEqual((again.results[0]!.value as { posted: number }).posted, 0);
            assert.strictEqual(slack.accepted.length, 1);
        } finally {
            fs.rmSync(allowing.dir, { recursive: true, force: true });
            fs.rmSync(allowing.runtimeModules, { recursive: true, force: true });
        }
    });

    it("reaches its first Slack POST quickly from a cold start", async function () {
        storeSignIn(SAMPLE);
        const run = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        const coldStartMs = slack.requests[0]!.at - run.spawnedAt;
        console.log(`      cold start to first Slack POST: ${coldStartMs} ms (process wall ${run.wallMs} ms)`);
        assert.ok(coldStartMs < 5000, `cold start took ${coldStartMs} ms`);
    });
});
