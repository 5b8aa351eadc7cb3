import * as assert from "assert";
import * as fs from "fs";
import type * as http from "http";
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
import { LocalSns } from "../tools/local/localSns";
import { LocalSlack } from "../tools/local/localSlack";
import { removePeer, unpackPeer } from "../tools/local/peerFunction";
import { alarmNotification, cloudTrailFixtures, fixture } from "../tools/fixtures";
import { normaliseDelays } from "./support/baseline";
import { useDeployedRig } from "./support/deployedRig";
import { defaultProgram, runWith } from "./support/program";

const SAMPLE = fixture("cloudtrail_iam-user-mfa");

/** The SNS-wrapped alarm notification with the alarm name and state of this test. */
function alarmEvent(alarmName: string, state = "ALARM", stateChangeTime = "2021-06-08T07:58:32.419+0000"): unknown {
    return alarmNotification({
        AlarmName: alarmName,
        NewStateValue: state,
        OldStateValue: state === "ALARM" ? "OK" : "ALARM",
        StateChangeTime: stateChangeTime,
    });
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
                // The principal's first sign-in since first-seen began: nothing is called new.
                text: "*ops-admin* signed in · <https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/27d68ec1-1016-46b5-8fd3-31d9cdc74f95|View in CloudTrail> · posted <delay> after sign-in (CloudWatch Logs backstop)\nNo sign-in history yet for ops-admin",
                verbatim: true,
            },
            fields: [
                { type: "mrkdwn", text: "*Identity type*\nIAMUser", verbatim: true },
                { type: "mrkdwn", text: "*Result*\nSuccess", verbatim: true },
                { type: "mrkdwn", text: "*MFA*\nYes", verbatim: true },
                { type: "mrkdwn", text: "*Source IP*\n203.0.113.24", verbatim: true },
                { type: "mrkdwn", text: "*Region*\nus-east-1", verbatim: true },
                { type: "mrkdwn", text: "*Time*\n2021-06-08 07:53:06 UTC", verbatim: true },
                { type: "mrkdwn", text: "*Browser*\nChrome 91 on Windows", verbatim: true },
                { type: "mrkdwn", text: "*Account*\n111122223333", verbatim: true },
            ],
        },
    ],
};

describe("the deployed handler (bundled __index.js in a child process)", function () {
    const rig = useDeployedRig(defaultProgram);
    let fn: DeployedFunction;
    let slack: LocalSlack;
    let aws: LocalAws;
    let alarmName: string;
    let env: Record<string, string>;

    before(function () {
        ({ fn, slack, aws, env } = rig);
        alarmName = alarmNamesOf(fn)["console-signin"]!;
    });

    it("runs the function on Node 22, as Lambda's nodejs22.x runtime does, whatever Node runs the tests", async function () {
        const run = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env });
        assert.match(run.nodeVersion ?? "", /^v22\./);
        assert.ok(run.results[0]?.ok, run.stderr);
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
        assert.deepStrictEqual(normaliseDelays(slack.accepted), [EXPECTED_PAYLOAD]);
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
                            verbatim: true,
                        },
                    },
                    {
                        type: "context",
                        elements: [
                            {
                                type: "mrkdwn",
                                text: "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (08/06/21 07:53:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -&gt; ALARM transition).",
                                verbatim: true,
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
        assert.deepStrictEqual(normaliseDelays(slack.accepted), [EXPECTED_PAYLOAD]);
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
            const run = await invokeInChild(allowing, [event], { env: { ...env, ...slack.env(), MIN_POST_INTERVAL_MS: "0" } });
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
                verbatim: true,
            });
            assert.ok(!JSON.stringify(slack.accepted).includes("deploy-bot"));
            // The suppressed sign-in is recorded as handled: a second lookup posts nothing.
            const again = await invokeInChild(allowing, [event], { env: { ...env, ...slack.env() } });
            assert.strictEqual((again.results[0]!.value as { posted: number }).posted, 0);
            assert.strictEqual(slack.accepted.length, 1);
        } finally {
            fs.rmSync(allowing.dir, { recursive: true, force: true });
            fs.rmSync(allowing.runtimeModules, { recursive: true, force: true });
        }
    });

    it("runs the bench's minimal peer as it runs the function: one GetParameter, one FilterLogEvents, one Block Kit POST", async function () {
        storeSignIn(SAMPLE);
        const peer = unpackPeer(fn);
        try {
            const run = await invokeInChild(peer, [alarmEvent(alarmName)], { env });
            assert.deepStrictEqual(run.results, [{ ok: true, value: { posted: 1 } }], run.stderr);
            assert.match(run.nodeVersion ?? "", /^v22\./);
            assert.deepStrictEqual(aws.calls.map((c) => c.target).sort(), ["FilterLogEvents", "GetParameter"]);
            assert.deepStrictEqual(aws.callsOf("GetParameter")[0]!.body, {
                Name: fn.environment["WEBHOOK_PARAMETER_NAME"],
                WithDecryption: true,
            });
            assert.strictEqual(aws.callsOf("FilterLogEvents")[0]!.body["logGroupName"], fn.environment["TRAIL_LOG_GROUP_NAME"]);
            assert.deepStrictEqual(slack.accepted, [
                {
                    text: `${alarmName}: 1 console sign-in(s)`,
                    blocks: [
                        { type: "header", text: { type: "plain_text", text: alarmName } },
                        {
                            type: "section",
                            text: { type: "mrkdwn", text: "*ops-admin* signed in" },
                            fields: [
                                { type: "mrkdwn", text: "*Source IP*\n203.0.113.24" },
                                { type: "mrkdwn", text: "*Time*\n2021-06-08T07:53:06Z" },
                                { type: "mrkdwn", text: "*MFA*\nYes" },
                                { type: "mrkdwn", text: "*Account*\n111122223333" },
                            ],
                        },
                    ],
                },
            ]);
        } finally {
            removePeer(peer);
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

/** The local AWS stand-in with FilterLogEvents pages that take their time, as a busy log group's do. */
class SlowPagesAws extends LocalAws {
    pageDelayMs = 0;

    protected override handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
        if (this.pageDelayMs > 0 && String(req.headers["x-amz-target"] ?? "").endsWith(".FilterLogEvents")) {
            setTimeout(() => super.handle(req, res, raw), this.pageDelayMs);
            return;
        }
        super.handle(req, res, raw);
    }
}

describe("the deployed handler when Slack refuses a message, a cursor is older than the lookback, or lookups are slow", function () {
    const DAY_MS = 24 * 3600 * 1000;
    const OTHER_ID = "0b7c1a3e-7c61-4a55-9e0a-7f7f2b0c0d11";
    const OTHER = { ...SAMPLE, eventID: OTHER_ID, userIdentity: { type: "IAMUser", accountId: "111122223333", userName: "deploy-bot" } };
    let fn: DeployedFunction;
    let slack: LocalSlack;
    let aws: SlowPagesAws;
    let sns: LocalSns;
    let alarmName: string;
    let env: Record<string, string>;

    before(async function () {
        fn = unpackFunction(await defaultProgram());
        slack = await new LocalSlack().start();
        aws = await new SlowPagesAws().start();
        sns = await new LocalSns().start();
        alarmName = alarmNamesOf(fn)["console-signin"]!;
        env = { ...aws.env(), ...sns.env(), MIN_POST_INTERVAL_MS: "0" };
    });

    after(async function () {
        await slack.stop();
        await aws.stop();
        await sns.stop();
        fs.rmSync(fn.dir, { recursive: true, force: true });
        fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
    });

    beforeEach(async function () {
        await resetLocalEndpoints(fn, slack, aws);
        aws.pageDelayMs = 0;
        aws.pageSize = 50;
        sns.reset();
    });

    function storeSignIn(record: unknown, ageMs: number): void {
        aws.logEvents.push({
            logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!,
            timestamp: Date.now() - ageMs,
            message: JSON.stringify(record),
        });
    }

    it("posts the rest of a batch Slack refuses (400), records the event refused even as plain text as failed, and tells the operators' topic", async function () {
        storeSignIn(SAMPLE, 120000);
        storeSignIn(OTHER, 60000);
        // Both in one message: refused; the first alone: taken; the second alone, then as plain text: refused.
        slack.reset([
            { status: 400, body: "invalid_blocks" },
            {},
            { status: 400, body: "invalid_blocks" },
            { status: 400, body: "invalid_payload" },
        ]);
        const run = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        assert.deepStrictEqual(
            run.results,
            [
                {
                    ok: true,
                    value: {
                        trigger: "sns",
                        rulesScanned: ["console-signin"],
                        posted: 1,
                        messages: 1,
                        skipped: [
                            `console-signin: Slack refused event ${OTHER_ID} even as plain text; recorded as failed and reported to the operators`,
                        ],
                    },
                },
            ],
            run.stderr,
        );
        assert.strictEqual(slack.requests.length, 4);
        assert.strictEqual(slack.accepted.length, 1);
        assert.ok(JSON.stringify(slack.accepted[0]).includes(String((SAMPLE as { eventID: string }).eventID)));
        const plain = slack.requests[3]!.payload as { text: string };
        assert.deepStrictEqual(Object.keys(plain), ["text"], "the last resort is text alone");
        assert.match(plain.text, new RegExp(OTHER_ID));

        assert.strictEqual(sns.published.length, 1);
        assert.strictEqual(sns.published[0]!.topicArn, fn.environment["OPERATOR_TOPIC_ARN"]);
        assert.match(sns.published[0]!.subject ?? "", /^console-login-alerts: 1 event of rule console-signin not posted to Slack$/);
        assert.ok(sns.published[0]!.message.includes(OTHER_ID), sns.published[0]!.message);
        assert.match(sns.published[0]!.message, /HTTP 400 invalid_payload/);
        const failed = await aws.item(`posted#failed#console-signin#${OTHER_ID}`);
        assert.ok(failed?.["expiresAt"]?.N, JSON.stringify(failed));
        assert.ok((await aws.item("lease#console-signin"))?.["at"]?.N, "the cursor did not move");

        // Neither event is tried again.
        const again = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        assert.strictEqual(again.results[0]!.ok, true, again.stderr);
        assert.strictEqual(slack.requests.length, 4);
        assert.strictEqual(sns.published.length, 1);
    });

    it("still fails the invocation, without degrading, when the webhook is gone (410 channel_is_archived)", async function () {
        storeSignIn(SAMPLE, 120000);
        slack.reset([{ status: 410, body: "channel_is_archived" }]);
        const run = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        assert.strictEqual(run.results[0]!.ok, false);
        assert.match(run.results[0]!.error!.message, /SlackRejectedError: Slack rejected the message with HTTP 410 channel_is_archived/);
        assert.strictEqual(slack.requests.length, 1);
        assert.deepStrictEqual(sns.published, []);
    });

    it("looks back 14 days after a long outage, and says once in Slack and to the operators which days it could not look up", async function () {
        storeSignIn(SAMPLE, 10 * DAY_MS);
        const cursorMs = Date.now() - 20 * DAY_MS;
        await aws.putItem({ pk: { S: "lease#console-signin" }, at: { N: String(cursorMs) } });
        const run = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env });
        assert.strictEqual(run.results[0]!.ok, true, run.stderr);
        const sweep = run.results[0]!.value as { posted: number; messages: number };
        assert.deepStrictEqual([sweep.posted, sweep.messages], [1, 2]);
        assert.strictEqual(slack.accepted.length, 2);
        assert.match(JSON.stringify(slack.accepted[0]), /Console sign-in: events of .* were not looked up/);
        assert.ok(JSON.stringify(slack.accepted[1]).includes(String((SAMPLE as { eventID: string }).eventID)));
        assert.strictEqual(sns.published.length, 1);
        assert.strictEqual(sns.published[0]!.topicArn, fn.environment["OPERATOR_TOPIC_ARN"]);
        assert.match(sns.published[0]!.message, /Events of rule console-signin \(Console sign-in\) from .* to .* were not looked up/);
        const lookup = aws.callsOf("FilterLogEvents").find((c) => c.body["filterPattern"] === ORIGINAL_SIGNIN_PATTERN)!;
        const reach = Date.now() - Number(lookup.body["startTime"]);
        assert.ok(reach > 13.9 * DAY_MS && reach < 14.1 * DAY_MS, `looked back ${reach / DAY_MS} days`);

        // The same gap met again (the cursor put back) is not reported twice.
        await aws.putItem({ pk: { S: "lease#console-signin" }, at: { N: String(cursorMs) } });
        const again = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env });
        assert.strictEqual(again.results[0]!.ok, true, again.stderr);
        assert.strictEqual(slack.accepted.length, 2);
        assert.strictEqual(sns.published.length, 1);
    });

    it("pages a slow lookup within the deadline, posts what it read, and the next invocation resumes from the saved nextToken", async function () {
        const ids = Array.from({ length: 4 }, (_, i) => `3f6e1c2a-0000-4000-8000-00000000000${i}`);
        ids.forEach((eventID, i) => storeSignIn({ ...SAMPLE, eventID }, 600000 - i * 1000));
        aws.pageSize = 1;
        aws.pageDelayMs = 1500;
        // 5 s of the budget is held back from the deadline: 4.5 s of lookups, time for three pages at most.
        const first = await invokeInChild(fn, [alarmEvent(alarmName)], { env, remainingMs: 9500 });
        assert.strictEqual(first.results[0]!.ok, true, JSON.stringify(first.results) + first.stderr);
        const report = first.results[0]!.value as { posted: number; skipped: string[] };
        assert.ok(report.posted >= 1 && report.posted < 4, JSON.stringify(report));
        assert.match(report.skipped.join("\n"), /console-signin: the lookup stopped before the end of its window/);
        const saved = await aws.item("lease#console-signin");
        assert.strictEqual(saved?.["nextToken"]?.S, String(report.posted), JSON.stringify(saved));
        assert.strictEqual(saved?.["at"], undefined, "the cursor moved before the window was read");
        const calls = aws.callsOf("FilterLogEvents").length;

        aws.pageDelayMs = 0;
        const second = await invokeInChild(fn, [alarmEvent(alarmName)], { env });
        assert.strictEqual(second.results[0]!.ok, true, second.stderr);
        assert.strictEqual(aws.callsOf("FilterLogEvents")[calls]!.body["nextToken"], String(report.posted));
        const posted = slack.accepted.flatMap((m) => ids.filter((id) => JSON.stringify(m).includes(id)));
        assert.deepStrictEqual(posted.sort(), ids);
        const done = await aws.item("lease#console-signin");
        assert.ok(done?.["at"]?.N && done["nextToken"] === undefined, JSON.stringify(done));
    });
});

/**
 * A table an earlier version wrote: each rule's cursor and unfinished lookup in `cursor#<rule>`, its
 * lease alone in `lease#<rule>`, which now holds all three. The first invocation after the upgrade
 * must take up the lookup and the cursor where that version left them, and honour its lease.
 */
describe("the deployed handler on a state table an earlier version wrote", function () {
    const HOUR_MS = 3600 * 1000;
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });
    const ids = ["3f6e1c2a-0000-4000-8000-0000000000e0", "3f6e1c2a-0000-4000-8000-0000000000e1", "3f6e1c2a-0000-4000-8000-0000000000e2"];
    // LocalAws's own page size, which the first test lowers to one event a page.
    afterEach(() => (rig.aws.pageSize = 50));

    function storeSignIn(eventID: string, atMs: number): void {
        rig.aws.logEvents.push({
            logGroupName: rig.fn.environment["TRAIL_LOG_GROUP_NAME"]!,
            timestamp: atMs,
            message: JSON.stringify({ ...SAMPLE, eventID }),
        });
    }

    it("resumes the unfinished lookup and the cursor kept apart, posts nothing twice, and keeps both with the lease from then on", async function () {
        const { fn, slack, aws, env } = rig;
        const now = Date.now();
        const window = { startMs: now - 4 * HOUR_MS, endMs: now - 2 * HOUR_MS };
        // The earlier version posted the window's first sign-in and saved the page after it; the
        // second is left in the window, the third after it, where only the old cursor reaches.
        storeSignIn(ids[0]!, now - 3.5 * HOUR_MS);
        storeSignIn(ids[1]!, now - 2.5 * HOUR_MS);
        storeSignIn(ids[2]!, now - 0.5 * HOUR_MS);
        aws.pageSize = 1;
        await aws.putItem(
            {
                pk: { S: "cursor#console-signin" },
                at: { N: String(now - 3 * HOUR_MS) },
                lookupStart: { N: String(window.startMs) },
                lookupEnd: { N: String(window.endMs) },
                lookupSavedAt: { N: String(now - 60_000) },
                nextToken: { S: "1" },
            },
            // A crashed invocation's lease, expired.
            { pk: { S: "lease#console-signin" }, owner: { S: "an-earlier-request" }, until: { N: String(now - 1000) } },
            { pk: { S: `posted#console-signin#${ids[0]}` }, expiresAt: { N: String(Math.floor(now / 1000) + 3600) } },
        );

        const run = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env });
        assert.strictEqual(run.results[0]?.ok, true, run.stderr);
        assert.deepStrictEqual((run.results[0]!.value as { skipped: string[] }).skipped, []);
        assert.deepStrictEqual(
            slack.accepted.map((m) => ids.filter((id) => JSON.stringify(m).includes(id))),
            [[ids[1]], [ids[2]]],
        );
        const lookups = aws.callsOf("FilterLogEvents").filter((c) => c.body["filterPattern"] === ORIGINAL_SIGNIN_PATTERN);
        assert.deepStrictEqual(
            lookups.slice(0, 2).map((c) => [c.body["startTime"], c.body["endTime"], c.body["nextToken"]]),
            [
                [window.startMs, window.endMs, "1"],
                // The finished lookup's end, less the lag allowance (60 min).
                [window.endMs - HOUR_MS, lookups[1]!.body["endTime"], undefined],
            ],
        );
        // Each rule's item had no cursor: the former item is read once a rule, for console-signin's resumed lookup.
        assert.deepStrictEqual(aws.callsOf("GetItem").length, Object.keys(alarmNamesOf(fn)).length);
        const item = await aws.item("lease#console-signin");
        assert.deepStrictEqual(Object.keys(item ?? {}).sort(), ["at", "pk", "until"]);
        assert.strictEqual(item!["until"]?.N, "0");
        assert.ok(Number(item!["at"]?.N) >= now, JSON.stringify(item));

        // From then on the rule's item alone says where its lookups stand.
        aws.calls.length = 0;
        const again = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env });
        assert.strictEqual(again.results[0]?.ok, true, again.stderr);
        assert.strictEqual((again.results[0]!.value as { posted: number }).posted, 0);
        assert.deepStrictEqual(aws.callsOf("GetItem"), []);
        assert.strictEqual(slack.accepted.length, 2);
    });

    it("leaves a rule to an invocation of the earlier version that still holds its lease", async function () {
        const { fn, slack, aws, env } = rig;
        const now = Date.now();
        storeSignIn(ids[2]!, now - 120_000);
        await aws.putItem({ pk: { S: "lease#console-signin" }, owner: { S: "an-earlier-request" }, until: { N: String(now + 60_000) } });
        const run = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env });
        assert.strictEqual(run.results[0]?.ok, true, run.stderr);
        const report = run.results[0]!.value as { rulesScanned: string[]; skipped: string[] };
        assert.deepStrictEqual(report.skipped, ["another invocation holds the lease of console-signin"]);
        assert.ok(!report.rulesScanned.includes("console-signin"));
        assert.deepStrictEqual(slack.requests, []);
        assert.deepStrictEqual(await aws.item("lease#console-signin"), {
            pk: { S: "lease#console-signin" },
            owner: { S: "an-earlier-request" },
            until: { N: String(now + 60_000) },
        });
    });
});

/**
 * EventBridge's events (test/fixtures/eventbridge_*.json; their shape and sources are cited in
 * test/fastPath.spec.ts): the same function posts a CloudTrail event at once, and what it posts is
 * keyed by the CloudTrail eventID, so the alarm path and the sweep never post it again.
 */
describe("the deployed handler on CloudTrail events from EventBridge (the fast path)", function () {
    const DELIVERED = fixture<Record<string, unknown>>("eventbridge_console-signin");
    const FORWARDED = fixture<Record<string, unknown>>("eventbridge_console-signin-forwarded");
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });
    let fn: DeployedFunction;
    let slack: LocalSlack;
    let aws: LocalAws;
    let alarmName: string;
    let env: Record<string, string>;

    before(function () {
        ({ fn, slack, aws, env } = rig);
        alarmName = alarmNamesOf(fn)["console-signin"]!;
    });

    /** A CloudTrail record as EventBridge delivers it, or as a bus of another Region receives it forwarded. */
    function fromEventBridge(detail: unknown, forwarded: boolean, id: string): Record<string, unknown> {
        return { ...(forwarded ? FORWARDED : DELIVERED), id, detail };
    }

    function storeSignIn(text: string): void {
        aws.logEvents.push({ logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!, timestamp: Date.now() - 120000, message: text });
    }

    /** Each posted sign-in as its rule's header and its section, the delay's figure normalised and the path dropped. */
    function postedSections(payloads: unknown[]): string[] {
        const messages = normaliseDelays(payloads) as Array<{ blocks: Array<{ type: string; text: { text: string }; fields?: unknown }> }>;
        return messages
            .flatMap((m) => {
                const header = m.blocks.find((b) => b.type === "header")!.text.text;
                return m.blocks.filter((b) => b.fields !== undefined).map((b) => `${header} | ${JSON.stringify(b)}`);
            })
            .map((s) => s.replace(" (CloudWatch Logs backstop)", ""))
            .sort();
    }

    function metricLinesOf(run: { stdout: string; stderr: string }): Array<Record<string, unknown>> {
        return logLines(run as never).filter((l) => l["_aws"] !== undefined);
    }

    for (const forwarded of [false, true]) {
        it(`posts every sign-in fixture ${forwarded ? "forwarded from another Region" : "as EventBridge delivers it"} in exactly the messages the backstop would, saying it was the fast path`, async function () {
            const fixtures = [...cloudTrailFixtures().values()];
            const events = fixtures.map(({ parsed }, i) => fromEventBridge(parsed, forwarded, `0000000${i}-envelope`));
            const fast = await invokeInChild(fn, events, { env });
            assert.ok(
                fast.results.every((r) => r.ok),
                fast.stderr,
            );
            const fastPayloads = [...slack.accepted];
            assert.ok(fastPayloads.length > 0);
            assert.ok(JSON.stringify(normaliseDelays(fastPayloads)).includes('posted <delay> after sign-in"'));
            assert.ok(!JSON.stringify(fastPayloads).includes("backstop"));

            await resetLocalEndpoints(fn, slack, aws);
            for (const { text } of fixtures) {
                storeSignIn(text);
            }
            const sweep = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env });
            assert.ok(sweep.results[0]?.ok, sweep.stderr);
            assert.deepStrictEqual(postedSections(fastPayloads), postedSections(slack.accepted));

            // One delay line per message, each of one event here (one invocation per event), all from the fast path.
            const posted = fast.results.reduce((n, r) => n + (r.ok ? (r.value as { posted: number }).posted : 0), 0);
            const lines = metricLinesOf(fast);
            assert.strictEqual(lines.length, posted);
            assert.ok(lines.every((l) => l["Path"] === "fast" && typeof l["DeliveryDelay"] === "number"));
        });
    }

    it("posts once: the fast path first, then its forwarded copy, the alarm path and the sweep for the same event post nothing", async function () {
        storeSignIn(JSON.stringify(SAMPLE));
        const run = await invokeInChild(fn, [DELIVERED, FORWARDED, alarmEvent(alarmName), fixture("events_scheduled-sweep")], { env });
        assert.deepStrictEqual(
            run.results.map((r) => r.ok && (r.value as { trigger: string; posted: number })),
            [
                { trigger: "eventbridge", rulesScanned: ["console-signin"], posted: 1, messages: 1, skipped: [] },
                { trigger: "eventbridge", rulesScanned: ["console-signin"], posted: 0, messages: 0, skipped: [] },
                { trigger: "sns", rulesScanned: ["console-signin"], posted: 0, messages: 0, skipped: [] },
                {
                    trigger: "sweep",
                    rulesScanned: [
                        "root-activity",
                        "trail-tampering",
                        "function-tampering",
                        "delivery-tampering",
                        "signin-without-mfa",
                        "signin-failures",
                        "sso-signin-without-mfa",
                        "console-signin",
                    ],
                    posted: 0,
                    messages: 0,
                    skipped: [],
                },
            ],
            run.stderr,
        );
        const expected = JSON.parse(JSON.stringify(EXPECTED_PAYLOAD).replace(" (CloudWatch Logs backstop)", "")) as unknown;
        assert.deepStrictEqual(normaliseDelays(slack.accepted), [expected]);
        const lines = metricLinesOf(run);
        assert.strictEqual(lines.length, 1);
        assert.deepStrictEqual(Object.keys(lines[0]!), ["_aws", "Path", "DeliveryDelay"]);
        assert.deepStrictEqual((lines[0]!["_aws"] as { CloudWatchMetrics: unknown }).CloudWatchMetrics, [
            { Namespace: "ConsoleLoginAlerts", Dimensions: [["Path"]], Metrics: [{ Name: "DeliveryDelay", Unit: "Milliseconds" }] },
        ]);
        assert.strictEqual(lines[0]!["Path"], "fast");
    });

    it("counts the backstop as first when the alarm path posts before EventBridge's event arrives, which then posts nothing", async function () {
        storeSignIn(JSON.stringify(SAMPLE));
        const run = await invokeInChild(fn, [alarmEvent(alarmName), FORWARDED], { env });
        assert.deepStrictEqual(
            run.results.map((r) => r.ok && (r.value as { posted: number }).posted),
            [1, 0],
            run.stderr,
        );
        assert.deepStrictEqual(normaliseDelays(slack.accepted), [EXPECTED_PAYLOAD]);
        // One line for the message: its delay, and the one event the backstop posted first.
        assert.deepStrictEqual(
            metricLinesOf(run).map((l) => [l["Path"], typeof l["DeliveryDelay"], l["BackstopFirstDeliveries"]]),
            [["backstop", "number", 1]],
        );
    });

    it("posts nothing for a forwarded event that matches no rule, and skips malformed detail with a reason without failing", async function () {
        const notRoot = fixture<{ detail: Record<string, unknown> }>("eventbridge_root-api-call").detail;
        const iamCall = { ...notRoot, userIdentity: { type: "IAMUser", userName: "builder", accountId: "111122223333" } };
        const withoutTime: Record<string, unknown> = { ...SAMPLE };
        delete withoutTime["eventTime"];
        const run = await invokeInChild(
            fn,
            [
                {
                    ...fixture<Record<string, unknown>>("eventbridge_root-api-call"),
                    id: "forwarded-1",
                    region: "eu-west-1",
                    detail: iamCall,
                },
                fixture("eventbridge_malformed-detail"),
                { ...FORWARDED, id: "forwarded-2", detail: withoutTime },
                { ...FORWARDED, id: "forwarded-3", detail: "not a record" },
            ],
            { env },
        );
        assert.deepStrictEqual(
            run.results,
            [
                `EventBridge event forwarded-1: CloudTrail event ${String(notRoot["eventID"])} matches no rule`,
                "EventBridge event 4a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d: the CloudTrail record has no eventID",
                `EventBridge event forwarded-2: CloudTrail record ${String((SAMPLE as { eventID: string }).eventID)} has no valid eventTime`,
                "EventBridge event forwarded-3: the EventBridge event's detail is not a JSON object",
            ].map((reason) => ({
                ok: true,
                value: { trigger: "eventbridge", rulesScanned: [], posted: 0, messages: 0, skipped: [reason] },
            })),
            run.stderr,
        );
        assert.deepStrictEqual(slack.requests, []);
        assert.strictEqual(logLines(run).filter((l) => l["message"] === "skipped an EventBridge event").length, 3);
    });
});
