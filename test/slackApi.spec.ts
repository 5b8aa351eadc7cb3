import * as assert from "assert";
import * as http from "http";
import fetch from "node-fetch";
import type { KnownBlock } from "@slack/types";
import { createSlackApi, isRetryable, slackApiErrorCode, type SlackApi, type SlackApiOptions } from "../handler/deliver/slackApi";
import type { FetchLike } from "../handler/deliver/webhook";
import type { Clock } from "../handler/common/types";
import { listenLocally } from "../tools/local/httpStandIn";
import { LocalSlackApi, type ScriptedApiAnswer } from "../tools/local/localSlackApi";
import { sampleQuestion } from "./support/sampleQuestion";

const START = Date.UTC(2026, 11, 7, 9, 0, 0);
const PARAMETER = "/login-alerts/slack-bot-token";
const ALICE = { id: "U0ALICE01", email: "alice@example.com" };
// The direct message the function sends, buttons and all.
const SAMPLE = sampleQuestion();
const QUESTION = { text: SAMPLE.text, blocks: SAMPLE.blocks };

/** A clock whose sleeps pass at once, each one noted. */
class JumpingClock implements Clock {
    readonly slept: number[] = [];
    constructor(private nowMs: number) {}
    now(): number {
        return this.nowMs;
    }
    async sleep(ms: number): Promise<void> {
        this.slept.push(ms);
        this.nowMs += ms;
    }
    random(): number {
        return 0.5;
    }
}

async function failureOf(work: Promise<unknown>): Promise<Error> {
    try {
        await work;
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected the call to fail");
}

describe("the Slack Web API client", function () {
    let api: LocalSlackApi;
    let clock: JumpingClock;
    let logs: string[];
    const console_ = { log: console.log, error: console.error };

    before(async function () {
        api = await new LocalSlackApi().start();
        api.addUser(ALICE).addUser({ id: "U0BOB0001", email: "bob@example.com", deactivated: true });
    });
    after(() => api.stop());
    beforeEach(function () {
        api.reset();
        clock = new JumpingClock(START);
        logs = [];
        console.log = console.error = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
    });
    afterEach(function () {
        console.log = console_.log;
        console.error = console_.error;
    });

    function optionsWith(changes: Partial<SlackApiOptions> = {}): SlackApiOptions {
        return {
            fetch: fetch as unknown as FetchLike,
            readToken: async () => api.botToken,
            tokenSource: PARAMETER,
            apiUrl: api.apiUrl,
            clock,
            deadlineMs: START + 60_000,
            requestTimeoutMs: 2000,
            backoffBaseMs: 200,
            backoffCapMs: 2000,
            ...changes,
        };
    }

    function client(changes: Partial<SlackApiOptions> = {}): SlackApi {
        return createSlackApi(optionsWith(changes));
    }

    it("learns the token's workspace from auth.test, a form POST without arguments", async function () {
        assert.deepStrictEqual(await client().authTest(), { teamId: "T0EXAMPLE" });
        assert.deepStrictEqual(
            api.requests.map((r) => [r.method, r.token, r.args, r.headers["content-type"]]),
            [["auth.test", "accepted", {}, "application/x-www-form-urlencoded"]],
        );
    });

    describe("users.lookupByEmail", function () {
        it("finds a person's user id with a form POST carrying the token in the Authorization header", async function () {
            assert.deepStrictEqual(await client().lookupByEmail("alice@example.com"), { found: true, userId: "U0ALICE01" });
            assert.strictEqual(api.requests.length, 1);
            const [request] = api.requests;
            assert.deepStrictEqual(
                { method: request!.method, httpMethod: request!.httpMethod, token: request!.token, args: request!.args },
                { method: "users.lookupByEmail", httpMethod: "POST", token: "accepted", args: { email: "alice@example.com" } },
            );
            assert.strictEqual(request!.headers["authorization"], "Bearer [token]");
            assert.strictEqual(request!.headers["content-type"], "application/x-www-form-urlencoded");
        });

        it("says a person is unknown when Slack has no such address, or the account is deactivated", async function () {
            assert.deepStrictEqual(await client().lookupByEmail("carol@example.com"), { found: false });
            assert.deepStrictEqual(await client().lookupByEmail("bob@example.com"), { found: false });
            assert.deepStrictEqual(
                api.requests.map((r) => r.answer),
                [
                    { ok: false, error: "users_not_found" },
                    { ok: false, error: "users_not_found" },
                ],
            );
        });

        it("names the scope the app lacks", async function () {
            api.script("users.lookupByEmail", {
                body: { ok: false, error: "missing_scope", needed: "users:read.email", provided: "chat:write" },
            });
            const err = await failureOf(client().lookupByEmail("alice@example.com"));
            assert.strictEqual(err.name, "SlackApiError");
            assert.strictEqual(
                err.message,
                "Slack's users.lookupByEmail answered missing_scope (the app needs users:read.email: add the scope to the app and reinstall it).",
            );
            assert.strictEqual(slackApiErrorCode(err), "missing_scope");
            assert.strictEqual(isRetryable(err), false);
        });
    });

    describe("chat.postMessage and chat.update", function () {
        it("posts to a person's direct message by user id and answers with the D… channel and ts", async function () {
            const posted = await client().postMessage({ channel: "U0ALICE01", ...QUESTION });
            assert.strictEqual(posted.channel, "D0ALICE01");
            assert.match(posted.ts, /^\d{10}\.000001$/);
            const [request] = api.requests;
            assert.strictEqual(request!.headers["content-type"], "application/json; charset=utf-8");
            assert.strictEqual(request!.headers["authorization"], "Bearer [token]");
            assert.deepStrictEqual(request!.args, { channel: "U0ALICE01", ...QUESTION });
            assert.deepStrictEqual(api.message(posted.channel, posted.ts), {
                channel: "D0ALICE01",
                ts: posted.ts,
                ...QUESTION,
                history: [],
            });
            assert.deepStrictEqual(logs, [], "no warning: the charset was given");
        });

        it("updates the message in place and, given no blocks, removes the old ones with their buttons", async function () {
            const slack = client();
            const posted = await slack.postMessage({ channel: "U0ALICE01", ...QUESTION });
            assert.deepStrictEqual(await slack.update({ ...posted, text: "Thanks: you said it was you." }), posted);
            assert.deepStrictEqual(api.requests[1]!.args, { ...posted, text: "Thanks: you said it was you.", blocks: [] });
            const kept = api.message(posted.channel, posted.ts)!;
            assert.deepStrictEqual([kept.text, kept.blocks, kept.history], ["Thanks: you said it was you.", [], [QUESTION]]);
        });

        it("refuses to update by user id, as Slack does: chat.update wants the D… channel", async function () {
            const posted = await client().postMessage({ channel: "U0ALICE01", ...QUESTION });
            const err = await failureOf(client().update({ channel: "U0ALICE01", ts: posted.ts, text: "x" }));
            assert.deepStrictEqual([err.name, err.message], ["SlackApiError", "Slack's chat.update answered channel_not_found."]);
        });

        it("reports blocks Slack refuses, with what it said is wrong", async function () {
            const long = {
                ...QUESTION,
                blocks: [
                    { type: "actions", elements: [{ type: "button", action_id: "a", text: { type: "plain_text", text: "y".repeat(76) } }] },
                ] as KnownBlock[],
            };
            const err = await failureOf(client().postMessage({ channel: "U0ALICE01", ...long }));
            assert.strictEqual(
                err.message,
                "Slack's chat.postMessage answered invalid_blocks (blocks[0].elements[0].text.text is 76 characters, more than 75).",
            );
            assert.strictEqual(slackApiErrorCode(err), "invalid_blocks");
            assert.deepStrictEqual(api.messages, []);
        });

        it("names the method and Slack's error for any other refusal", async function () {
            api.script("chat.postMessage", { body: { ok: false, error: "not_in_channel" } });
            const err = await failureOf(client().postMessage({ channel: "U0ALICE01", ...QUESTION }));
            assert.deepStrictEqual(
                [err.name, err.message, isRetryable(err)],
                ["SlackApiError", "Slack's chat.postMessage answered not_in_channel.", false],
            );
        });

        it("logs a warning Slack gives, such as a JSON body without its charset", async function () {
            const bare: FetchLike = (url, init) =>
                (fetch as unknown as FetchLike)(url, { ...init, headers: { ...init.headers, "Content-Type": "application/json" } });
            await client({ fetch: bare }).postMessage({ channel: "U0ALICE01", ...QUESTION });
            assert.deepStrictEqual(
                logs.map((l) => JSON.parse(l) as unknown),
                [
                    {
                        level: "warn",
                        message: "Slack's Web API carried out the call with a warning",
                        method: "chat.postMessage",
                        warnings: ["missing_charset"],
                    },
                ],
            );
        });
    });

    describe("a token Slack no longer takes", function () {
        const refused = (code: string) =>
            `Slack refused the bot token in ${PARAMETER} (chat.postMessage answered ${code}): the token is not valid any more. ` +
            `Reinstall the Slack app to the workspace (or have a workspace admin reactivate it), then put the app's new ` +
            `Bot User OAuth Token in ${PARAMETER}; nobody can be asked until then.`;

        for (const code of ["token_revoked", "account_inactive", "token_expired"] as const) {
            it(`says to replace the token when Slack answers ${code}`, async function () {
                api.refuseToken(code);
                const err = await failureOf(client().postMessage({ channel: "U0ALICE01", ...QUESTION }));
                assert.deepStrictEqual([err.name, err.message, isRetryable(err)], ["SlackTokenRefusedError", refused(code), false]);
            });
        }

        it("says the same of a token Slack does not know, and never shows the token", async function () {
            const wrong = "xoxb-not-the-stand-in-token-0123456789";
            const err = await failureOf(client({ readToken: async () => wrong }).postMessage({ channel: "U0ALICE01", ...QUESTION }));
            assert.deepStrictEqual([err.name, err.message], ["SlackTokenRefusedError", refused("invalid_auth")]);
            assert.strictEqual(api.requests[0]!.token, "other");
            assert.ok(
                ![err.message, err.stack ?? "", ...logs, JSON.stringify(api.requests)].some(
                    (t) => t.includes(wrong) || t.includes(api.botToken),
                ),
            );
        });

        it("calls nothing when the parameter holds no token", async function () {
            const err = await failureOf(client({ readToken: async () => " \n" }).lookupByEmail("alice@example.com"));
            assert.deepStrictEqual(
                [err.name, err.message],
                ["SlackTokenRefusedError", `${PARAMETER} holds no bot token; put the Slack app's Bot User OAuth Token in it.`],
            );
            assert.strictEqual(api.requests.length, 0);
        });
    });

    describe("rate limits and lost answers", function () {
        it("waits the Retry-After of each 429 and calls again", async function () {
            api.rateLimit("users.lookupByEmail", 1);
            api.rateLimit("users.lookupByEmail", 3);
            assert.deepStrictEqual(await client().lookupByEmail("alice@example.com"), { found: true, userId: "U0ALICE01" });
            assert.deepStrictEqual(clock.slept, [1000, 3000]);
            assert.deepStrictEqual(
                api.requests.map((r) => r.answeredWith),
                [429, 429, 200],
            );
        });

        it("posts once after a 429, which Slack refused without posting", async function () {
            api.rateLimit("chat.postMessage", 2);
            const posted = await client().postMessage({ channel: "U0ALICE01", ...QUESTION });
            assert.deepStrictEqual(clock.slept, [2000]);
            assert.deepStrictEqual(
                api.messages.map((m) => m.ts),
                [posted.ts],
            );
        });

        it("fails at once, retryably, when the Retry-After ends after the deadline", async function () {
            api.rateLimit("chat.postMessage", 30);
            const err = await failureOf(client({ deadlineMs: START + 20_000 }).postMessage({ channel: "U0ALICE01", ...QUESTION }));
            assert.strictEqual(err.name, "SlackApiRateLimitedError");
            assert.strictEqual(
                err.message,
                "Slack's chat.postMessage answered 429 and asked for no call before 2026-12-07T09:00:30.000Z, after this invocation's deadline (2026-12-07T09:00:20.000Z); call it again after that.",
            );
            assert.strictEqual(isRetryable(err), true);
            assert.deepStrictEqual([clock.slept, api.requests.length], [[], 1]);
        });

        it("does not post again after a 5xx, which may have come after Slack posted", async function () {
            const failed: ScriptedApiAnswer = { status: 503, body: "upstream connect error", tookIt: true };
            api.script("chat.postMessage", failed);
            const err = await failureOf(client().postMessage({ channel: "U0ALICE01", ...QUESTION }));
            assert.deepStrictEqual(
                [err.name, err.message, isRetryable(err)],
                [
                    "SlackApiUnconfirmedError",
                    "Slack did not confirm chat.postMessage (attempt 1: HTTP 503 upstream connect error) and may have carried it out; it is not called again in this invocation.",
                    false,
                ],
            );
            assert.deepStrictEqual([api.requests.length, api.messages.length], [1, 1]);
        });

        it("does not post again when the answer does not come in time", async function () {
            api.script("chat.postMessage", { delayMs: 1000 });
            const err = await failureOf(client({ requestTimeoutMs: 200 }).postMessage({ channel: "U0ALICE01", ...QUESTION }));
            assert.strictEqual(
                err.message,
                "Slack did not confirm chat.postMessage (attempt 1: no answer within 200 ms) and may have carried it out; it is not called again in this invocation.",
            );
            assert.strictEqual(api.requests.length, 1);
        });

        it("updates again after a 5xx, since updating to the same content twice does no harm", async function () {
            const posted = await client().postMessage({ channel: "U0ALICE01", ...QUESTION });
            api.script("chat.update", { status: 500, body: { ok: false, error: "internal_error" }, tookIt: true });
            await client().update({ ...posted, text: "Thanks." });
            // The first backoff step: half of 200 ms, and half of the other half (random 0.5).
            assert.deepStrictEqual(clock.slept, [150]);
            assert.deepStrictEqual(api.message(posted.channel, posted.ts)!.history.length, 2);
        });

        it("posts again after service_unavailable, which Slack answers without carrying the call out", async function () {
            api.script("chat.postMessage", { body: { ok: false, error: "service_unavailable" } });
            await client().postMessage({ channel: "U0ALICE01", ...QUESTION });
            assert.deepStrictEqual([clock.slept, api.messages.length], [[150], 1]);
        });

        it("tries again while a refused connection leaves time, then fails retryably", async function () {
            const closed = http.createServer();
            const origin = await listenLocally(closed);
            await new Promise<void>((resolve) => closed.close(() => resolve()));
            const port = new URL(origin).port;
            const err = await failureOf(
                client({ apiUrl: `${origin}/api/`, deadlineMs: START + 1000 }).postMessage({ channel: "U0ALICE01", ...QUESTION }),
            );
            assert.strictEqual(err.name, "SlackApiUnavailableError");
            assert.strictEqual(
                err.message,
                `Slack's chat.postMessage did not answer after 3 attempt(s); last problem: network error: request to [url] failed, reason: connect ECONNREFUSED 127.0.0.1:${port}.`,
            );
            assert.deepStrictEqual(clock.slept, [150, 300]);
            assert.strictEqual(isRetryable(err), true);
        });

        it("refuses an answer that is not Slack's JSON", async function () {
            api.script("users.lookupByEmail", { status: 200, body: "<html>captive portal</html>" });
            const err = await failureOf(client().lookupByEmail("alice@example.com"));
            assert.strictEqual(
                err.message,
                `Slack's users.lookupByEmail answered HTTP 200 with "<html>captive portal</html>" instead of its JSON.`,
            );
        });
    });

    describe("the local Web API", function () {
        async function raw(method: string, init: { headers?: Record<string, string>; body?: string }): Promise<unknown> {
            const answer = await fetch(`${api.apiUrl}${method}`, { method: "POST", ...init });
            return [answer.status, await answer.json()];
        }

        it("answers as Slack does to a call without a token, with a token argument, and to what it cannot read", async function () {
            const form = { "Content-Type": "application/x-www-form-urlencoded" };
            assert.deepStrictEqual(await raw("auth.test", { headers: form, body: "" }), [200, { ok: false, error: "not_authed" }]);
            assert.deepStrictEqual(
                await raw("users.lookupByEmail", { headers: form, body: `token=${api.botToken}&email=alice%40example.com` }),
                [
                    200,
                    {
                        ok: true,
                        user: { id: "U0ALICE01", name: "alice", deleted: false, is_bot: false, profile: { email: "alice@example.com" } },
                    },
                ],
            );
            assert.deepStrictEqual(api.requests[1]!.args, { email: "alice@example.com" });
            assert.deepStrictEqual(api.requests[1]!.token, "accepted");
            const json = { Authorization: `Bearer ${api.botToken}`, "Content-Type": "application/json; charset=utf-8" };
            assert.deepStrictEqual(await raw("chat.postMessage", { headers: json, body: "{" }), [
                200,
                { ok: false, error: "invalid_json" },
            ]);
            assert.deepStrictEqual(await raw("chat.postMessage", { headers: json, body: "[]" }), [
                200,
                { ok: false, error: "json_not_object" },
            ]);
            assert.deepStrictEqual(await raw("chat.delete", { headers: json, body: "{}" }), [404, { ok: false, error: "unknown_method" }]);
        });

        it("takes blocks as a form's JSON string, and refuses a message with neither text nor blocks", async function () {
            const form = { Authorization: `Bearer ${api.botToken}`, "Content-Type": "application/x-www-form-urlencoded" };
            const blocks = encodeURIComponent(JSON.stringify(QUESTION.blocks));
            const [status, posted] = (await raw("chat.postMessage", {
                headers: form,
                body: `channel=U0ALICE01&text=hi&blocks=${blocks}`,
            })) as [number, { ts: string }];
            assert.strictEqual(status, 200);
            assert.deepStrictEqual(api.message("D0ALICE01", posted.ts)?.blocks, QUESTION.blocks);
            assert.deepStrictEqual(await raw("chat.postMessage", { headers: form, body: "channel=U0ALICE01" }), [
                200,
                { ok: false, error: "no_text", errors: ["neither text nor blocks"] },
            ]);
        });
    });

    it("calls Slack's host unless told GovSlack's", async function () {
        const urls: string[] = [];
        const routed: FetchLike = (url, init) => {
            urls.push(url);
            return (fetch as unknown as FetchLike)(url.replace(/^https:\/\/[^/]+\/api\//, api.apiUrl), init);
        };
        const options = { ...optionsWith({ fetch: routed }), apiUrl: undefined };
        await createSlackApi(options).lookupByEmail("alice@example.com");
        await createSlackApi({ ...options, apiUrl: "https://slack-gov.com/api/" }).lookupByEmail("alice@example.com");
        assert.deepStrictEqual(urls, ["https://slack.com/api/users.lookupByEmail", "https://slack-gov.com/api/users.lookupByEmail"]);
    });
});
