/**
 * "Was this you?" through both deployed functions (each bundled `__index.js` in a child process on
 * Lambda's Node): the notifier asks through the local Slack Web API; a click, signed as Slack signs
 * it, goes to the answer endpoint as a function URL event; what the endpoint hands over through the
 * local Lambda is run through the notifier. Confirmed, denied, unanswered, unknown person, forged
 * signature, replay, Slack's retry and a double click.
 */
import * as assert from "assert";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ANSWER_ACTIONS } from "../shared/confirm";
import { alarmNotification, fixture } from "../tools/fixtures";
import {
    alarmNamesOf,
    answersFunctionResource,
    invokeInChild,
    removeUnpacked,
    resetLocalEndpoints,
    unpackFunction,
    type ChildRun,
    type DeployedFunction,
} from "../tools/local/deployedFunction";
import { LocalAws } from "../tools/local/localAws";
import { LOCAL_CREDENTIALS } from "../tools/local/localDynamo";
import { LocalIam } from "../tools/local/localIam";
import { LocalLambda } from "../tools/local/localLambda";
import { LocalSlack } from "../tools/local/localSlack";
import { buttonClick, LocalSlackApi, signedInteraction, type KeptMessage } from "../tools/local/localSlackApi";
import { LocalSns } from "../tools/local/localSns";
import { CONFIRM_ON, runWith, TEST_SIGNING_SECRET } from "./support/program";

const PERSON = { id: "U0DEVREAD01", email: "dev-readonly@example.com" };
const TEAM = "T0EXAMPLE";
const NO_MFA = fixture<Record<string, unknown>>("cloudtrail_iam-user-no-mfa");
const EVENT_ID = String(NO_MFA["eventID"]);
const CHANNEL = "C0123ABCDEF";

describe("Was this you? through the deployed notifier and answer endpoint", function () {
    let notifier: DeployedFunction;
    let endpoint: DeployedFunction;
    let slack: LocalSlack;
    let api: LocalSlackApi;
    let aws: LocalAws;
    let iam: LocalIam;
    let lambda: LocalLambda;
    let sns: LocalSns;
    let env: Record<string, string>;

    before(async function () {
        const run = await runWith({ ...CONFIRM_ON, confirmUsers: JSON.stringify({ "dev-readonly": PERSON.email }) });
        notifier = unpackFunction(run);
        endpoint = unpackFunction(run, answersFunctionResource(run));
        [slack, api, aws, iam, lambda, sns] = await Promise.all([
            new LocalSlack().start(),
            new LocalSlackApi().start(),
            new LocalAws().start(),
            new LocalIam().start(),
            new LocalLambda().start(),
            new LocalSns().start(),
        ]);
        env = { ...aws.env(), ...iam.env(), ...lambda.env(), ...sns.env(), ...api.env(), MIN_POST_INTERVAL_MS: "0" };
    });

    after(async function () {
        await Promise.all([slack, api, aws, iam, lambda, sns].map((s) => s.stop()));
        removeUnpacked(notifier);
        removeUnpacked(endpoint);
    });

    beforeEach(async function () {
        await resetLocalEndpoints(notifier, slack, aws);
        endpoint.slackOrigin = slack.origin;
        api.reset();
        api.channels.add(CHANNEL);
        api.addUser(PERSON);
        lambda.queued.length = 0;
        iam.userTags.clear();
        sns.reset();
        aws.parameters.set(notifier.environment["BOT_TOKEN_PARAMETER_NAME"]!, { type: "SecureString", value: api.botToken });
        aws.parameters.set(notifier.environment["SIGNING_SECRET_PARAMETER_NAME"]!, { type: "SecureString", value: TEST_SIGNING_SECRET });
    });

    function notify(events: unknown[]): Promise<ChildRun> {
        return invokeInChild(notifier, events, { env });
    }

    /** The sign-in without MFA in the trail's log group, and its rule's alarm firing. */
    async function signInWithoutMfa(): Promise<ChildRun> {
        aws.logEvents.push({
            logGroupName: notifier.environment["TRAIL_LOG_GROUP_NAME"]!,
            timestamp: Date.now() - 60000,
            message: JSON.stringify({ ...NO_MFA, eventTime: new Date(Date.now() - 60000).toISOString().replace(/\.\d{3}Z$/, "Z") }),
        });
        const run = await notify([alarmNotification({ AlarmName: alarmNamesOf(notifier)["signin-without-mfa"] })]);
        assert.ok(
            run.results.every((r) => r.ok),
            run.stderr,
        );
        return run;
    }

    function channelMessage(): KeptMessage {
        const found = api.messages.find((m) => m.channel === CHANNEL);
        assert.ok(found, "no message in the channel");
        return found;
    }

    function question(): KeptMessage {
        const found = api.messages.find((m) => m.channel === api.dmChannelOf(PERSON.id));
        assert.ok(found, "no direct message");
        return found;
    }

    function lastLine(message: KeptMessage): string | undefined {
        const last = message.blocks.at(-1) as { elements?: Array<{ text?: string }> } | undefined;
        return last?.elements?.[0]?.text;
    }

    /** Sends a click to the endpoint as Slack would: a function URL event with Slack's headers. */
    async function click(
        action: "yes" | "no",
        options: {
            atSeconds?: number;
            secret?: string;
            retry?: boolean;
            user?: string;
            same?: { body: string; headers: Record<string, string> };
        } = {},
    ) {
        const atSeconds = options.atSeconds ?? Math.floor(Date.now() / 1000);
        const payload = buttonClick(question(), ANSWER_ACTIONS[action], { userId: options.user ?? PERSON.id, teamId: TEAM, atSeconds });
        const signed =
            options.same ??
            signedInteraction({
                signingSecret: options.secret ?? TEST_SIGNING_SECRET,
                payload,
                timestampSeconds: atSeconds,
                ...(options.retry ? { retry: { num: 1, reason: "http_timeout" } } : {}),
            });
        const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
        const event = {
            version: "2.0",
            rawPath: "/",
            headers,
            requestContext: { http: { method: "POST" } },
            body: signed.body,
            isBase64Encoded: false,
        };
        const run = await invokeInChild(endpoint, [event], { env });
        return { run, signed, result: run.results[0]?.value as { statusCode: number; body: string } | undefined };
    }

    /** Runs what the endpoint handed over through the notifier, as Lambda's asynchronous queue would. */
    async function handOver(): Promise<ChildRun> {
        const queued = lambda.queued.splice(0);
        assert.ok(queued.every((q) => q.invocationType === "Event" && q.functionName === notifier.resource.state["arn"]));
        return notify(queued.map((q) => q.payload));
    }

    it("posts the sign-in in the channel with the question's state, then asks the person by direct message", async function () {
        await signInWithoutMfa();
        assert.deepStrictEqual(
            api.requests.map((r) => r.method),
            ["users.lookupByEmail", "auth.test", "chat.postMessage", "chat.postMessage"],
        );
        assert.match(
            lastLine(channelMessage()) ?? "",
            /^:hourglass_flowing_sand: Asked <@U0DEVREAD01> whether this was them; unanswered at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, it escalates\.$/,
        );
        assert.strictEqual(question().text, "Someone signed in to the AWS console of account 111122223333 as you. Was this you?");
        assert.deepStrictEqual(slack.accepted, [], "the webhook posted the asked-about sign-in too");
    });

    it("confirmed: acknowledged within Slack's 3 seconds, and the channel and the question say so in place", async function () {
        await signInWithoutMfa();
        const { run, result } = await click("yes");
        assert.deepStrictEqual(result, { statusCode: 200, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "" });
        assert.ok(run.wallMs < 3000, `the endpoint answered after ${run.wallMs} ms, from a cold start`);
        const handed = await handOver();
        assert.ok(
            handed.results.every((r) => r.ok),
            handed.stderr,
        );
        assert.match(lastLine(channelMessage()) ?? "", /^:white_check_mark: <@U0DEVREAD01> confirmed it was them \(after \d+ s\)\.$/);
        assert.strictEqual(lastLine(question()), ":white_check_mark: Thanks — recorded: it was you.");
        assert.ok(!question().blocks.some((b) => (b as { type: string }).type === "actions"));
        assert.deepStrictEqual([slack.accepted, sns.published], [[], []]);
    });

    it("denied: escalated once in the channel and to the operators, however often the person clicks; the second click is told so", async function () {
        await signInWithoutMfa();
        const now = Math.floor(Date.now() / 1000);
        await click("no", { atSeconds: now });
        await click("no", { atSeconds: now + 1 });
        assert.strictEqual(lambda.queued.length, 2);
        const handed = await handOver();
        assert.ok(
            handed.results.every((r) => r.ok),
            handed.stderr,
        );
        assert.match(lastLine(channelMessage()) ?? "", /^:rotating_light: <@U0DEVREAD01> says it was not them/);
        const texts = slack.accepted.map((p) => (p as { text: string }).text);
        assert.deepStrictEqual(texts, [
            "Console sign-in without MFA: <@U0DEVREAD01> says this sign-in was not them. Treat it as an incident.",
            "Already answered: it was not you.",
        ]);
        assert.deepStrictEqual(
            sns.published.map((p) => p.subject),
            [`console-login-alerts: sign-in denied by its person (${EVENT_ID})`],
        );
    });

    it("unanswered: the sweep after the deadline escalates, in the channel and to the operators", async function () {
        await signInWithoutMfa();
        // Thirty-one minutes later, for the sweep: the question waited its 30.
        await moveDeadline(-31 * 60_000);
        const swept = await notify([fixture("events_scheduled-sweep")]);
        assert.ok(
            swept.results.every((r) => r.ok),
            swept.stderr,
        );
        assert.strictEqual(lastLine(channelMessage()), ":warning: <@U0DEVREAD01> did not answer within 30 min.");
        assert.strictEqual(lastLine(question()), ":warning: This question was not answered within 30 min and has been escalated.");
        assert.deepStrictEqual(
            slack.accepted.map((p) => (p as { text: string }).text),
            ["Console sign-in without MFA: <@U0DEVREAD01> did not confirm this sign-in within 30 min."],
        );
        assert.strictEqual(sns.published.length, 1);
    });

    it("asks nobody it cannot name: no active Slack user has the email confirmUsers gives", async function () {
        api.users.clear();
        await signInWithoutMfa();
        assert.strictEqual(
            lastLine(channelMessage()),
            "Nobody was asked: Slack has no active user with the email dev-readonly@example.com.",
        );
        assert.strictEqual(api.messages.length, 1);
    });

    it("fails, for the operators' alarm on its errors, when it cannot hand a click over; the person's click again is taken", async function () {
        await signInWithoutMfa();
        // More throttles than the SDK's three attempts.
        lambda.fault = { status: 429, type: "TooManyRequestsException", times: 5 };
        const failed = await click("yes");
        assert.deepStrictEqual(failed.run.results[0]?.ok, false);
        assert.strictEqual(failed.run.results[0]?.error?.name, "TooManyRequestsException");
        assert.match(failed.run.stdout + failed.run.stderr, /could not take a click/);
        assert.deepStrictEqual(lambda.queued, []);
        lambda.fault = undefined;
        const again = await click("yes", { atSeconds: Math.floor(Date.now() / 1000) + 1 });
        assert.strictEqual(again.result?.statusCode, 200);
        assert.strictEqual(lambda.queued.length, 1);
    });

    it("refuses a forged signature (401) and hands nothing over", async function () {
        await signInWithoutMfa();
        const { result } = await click("yes", { secret: "not-the-app-signing-secret-0123" });
        assert.strictEqual(result?.statusCode, 401);
        assert.strictEqual(result?.body, "not signed by Slack: the signature does not match the body");
        assert.deepStrictEqual(lambda.queued, []);
    });

    it("refuses a replay (409), acknowledges Slack's own retry (200), and hands the click over once", async function () {
        await signInWithoutMfa();
        const first = await click("yes");
        const replay = await click("yes", { same: first.signed });
        const retried = await click("yes", { same: { ...first.signed, headers: { ...first.signed.headers, "X-Slack-Retry-Num": "1" } } });
        assert.deepStrictEqual([first.result?.statusCode, replay.result?.statusCode, retried.result?.statusCode], [200, 409, 200]);
        assert.strictEqual(replay.result?.body, "this request was received before");
        assert.strictEqual(lambda.queued.length, 1);
    });

    it("refuses a request signed more than five minutes ago (401) and a body larger than a click (413)", async function () {
        await signInWithoutMfa();
        const stale = await click("yes", { atSeconds: Math.floor(Date.now() / 1000) - 400 });
        assert.strictEqual(stale.result?.statusCode, 401);
        assert.match(stale.result?.body ?? "", /^not signed by Slack: the request was signed \d+ s ago, more than 300 s$/);
        const big = await click("yes", { same: { body: `payload=${"x".repeat(70_000)}`, headers: {} } });
        assert.strictEqual(big.result?.statusCode, 413);
        assert.deepStrictEqual(lambda.queued, []);
    });

    it("keeps the bot token and the signing secret out of every log line, error, response and message to the operators", async function () {
        const secrets = [api.botToken, TEST_SIGNING_SECRET];
        const texts: string[] = [];
        const keep = (run: ChildRun) => texts.push(run.stdout, run.stderr, JSON.stringify(run.results));
        // Slack refuses the token: asking fails, the sign-in goes by the webhook, the operators hear why.
        api.refuseToken("token_revoked");
        keep(await signInWithoutMfa());
        assert.match(
            sns.published[0]?.message ?? "",
            /Slack refused the bot token in \/console-login-alerts\/[^ ]+\/slack-bot-token \(users\.lookupByEmail answered token_revoked\)/,
        );
        texts.push(...sns.published.map((p) => `${p.subject ?? ""} ${p.message}`));
        // Forged, stale and oversize requests to the endpoint, and a forged hand-over to the notifier.
        api.reset();
        api.channels.add(CHANNEL);
        api.addUser(PERSON);
        await resetLocalEndpoints(notifier, slack, aws);
        aws.parameters.set(notifier.environment["BOT_TOKEN_PARAMETER_NAME"]!, { type: "SecureString", value: api.botToken });
        aws.parameters.set(notifier.environment["SIGNING_SECRET_PARAMETER_NAME"]!, { type: "SecureString", value: TEST_SIGNING_SECRET });
        await signInWithoutMfa();
        for (const attempt of [
            await click("yes", { secret: "not-the-app-signing-secret-0123" }),
            await click("yes", { atSeconds: Math.floor(Date.now() / 1000) - 900 }),
        ]) {
            keep(attempt.run);
        }
        const forged = await notify([{ loginAlertsAnswer: { body: "payload=%7B%7D", timestamp: "1", signature: "v0=" + "0".repeat(64) } }]);
        assert.match(forged.stdout + forged.stderr, /refused an answer that is not Slack's word/);
        keep(forged);
        assert.deepStrictEqual(
            texts.filter((t) => secrets.some((secret) => t.includes(secret))),
            [],
        );
    });

    /** Moves the question's deadline (and its place on the open list) by `deltaMs`, as time passing would. */
    async function moveDeadline(deltaMs: number): Promise<void> {
        const client = new DynamoDBClient({
            region: "us-east-1",
            endpoint: aws.url,
            credentials: LOCAL_CREDENTIALS,
        });
        const table = notifier.environment["STATE_TABLE_NAME"]!;
        for (const key of [`question#${EVENT_ID}`, "questions#open"]) {
            const item = (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: key } } }))).Item!;
            const body = JSON.parse(item["body"]!.S!) as Record<string, unknown>;
            const moved =
                key === "questions#open"
                    ? { [EVENT_ID]: (body[EVENT_ID] as number) + deltaMs }
                    : { ...body, deadlineMs: (body["deadlineMs"] as number) + deltaMs };
            await client.send(new PutItemCommand({ TableName: table, Item: { ...item, body: { S: JSON.stringify(moved) } } }));
        }
        client.destroy();
    }
});
