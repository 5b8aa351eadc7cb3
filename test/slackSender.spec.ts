import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { postToSlack, type FetchLike } from "../handler/deliver/webhook";
import { createPacedSender, type SendToSlack } from "../handler/deliver/pacedSender";
import type { SlackMessage } from "../handler/decide/messages";
import type { Clock } from "../handler/common/types";
import { alarmNamesOf, invokeInChild, type DeployedFunction } from "../tools/local/deployedFunction";
import { LocalAws } from "../tools/local/localAws";
import { LocalSlack, isDeliveredRequest } from "../tools/local/localSlack";
import { expectedOwners, type TrailEvent } from "./support/alarmSimulator";
import { readSettings, type HandlerSettings, type RunTimeRule } from "../shared/contract";
import { alarmNotification, fixture } from "../tools/fixtures";
import { createHandler } from "../handler/ingest/invocation";
import { builtInRunTimeRule, FakeAwsPorts, FakeClock, FakeSlackWebhook, unitSettings, type SlackResponder } from "./support/fakePorts";
import { postedEventIds } from "./support/hostileInputs";
import { useDeployedRig } from "./support/deployedRig";
import { defaultProgram, functionConfigFor } from "./support/program";

const MINUTE = 60_000;
const START = Date.UTC(2021, 5, 8, 8, 0, 0);
const OLD_WEBHOOK = "https://hooks.slack.com/services/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";
const NEW_WEBHOOK = "https://hooks.slack.com/services/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";

function settings(): HandlerSettings {
    return unitSettings();
}

const message = (text: string): SlackMessage => ({ text }) as SlackMessage;

interface Harness {
    clock: FakeClock;
    slack: FakeSlackWebhook;
    send: SendToSlack;
    parameter: { value: string; reads: number };
    /** Makes one URL answer `answer` from now on, whatever `slack.respond` says. */
    revoke(url: string, answer: { status: number; body: string }): void;
}

/** A sender over fakes, with the parameter's value and its reads in view. */
function harness(): Harness {
    const clock = new FakeClock(START);
    const slack = new FakeSlackWebhook(clock);
    const parameter = { value: OLD_WEBHOOK, reads: 0 };
    const read = async (): Promise<string> => {
        parameter.reads += 1;
        return parameter.value;
    };
    const revoked = new Map<string, { status: number; body: string }>();
    const fetch: FetchLike = (url, init) => {
        const answer = revoked.get(url);
        if (answer === undefined) {
            return slack.fetch(url, init);
        }
        const respond = slack.respond;
        slack.respond = () => answer;
        return slack.fetch(url, init).finally(() => (slack.respond = respond));
    };
    return {
        clock,
        slack,
        parameter,
        send: createPacedSender(settings(), read, fetch, clock),
        revoke: (url, answer) => revoked.set(url, answer),
    };
}

async function rejectionOf(work: Promise<unknown>): Promise<Error> {
    try {
        await work;
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected the send to fail");
}

describe("the paced Slack sender", function () {
    describe("a rotated webhook", function () {
        it("is re-read once the cached one is 5 minutes old, and not before", async function () {
            const { clock, slack, parameter, send } = harness();
            await clock.drive(send(message("1"), clock.now() + MINUTE));
            await clock.runUntil(START + 5 * MINUTE - 1000);
            parameter.value = NEW_WEBHOOK;
            await clock.drive(send(message("2"), clock.now() + MINUTE));
            assert.strictEqual(parameter.reads, 1, "read again before 5 minutes");
            await clock.runUntil(START + 5 * MINUTE);
            await clock.drive(send(message("3"), clock.now() + MINUTE));
            assert.strictEqual(parameter.reads, 2);
            assert.deepStrictEqual(
                slack.posts.map((p) => p.url),
                [OLD_WEBHOOK, OLD_WEBHOOK, NEW_WEBHOOK],
            );
        });

        for (const [status, body] of [
            [403, "invalid_token"],
            [404, "no_service"],
            [410, "channel_is_archived"],
        ] as const) {
            it(`is re-read after ${status} ${body}, and the message is posted once to the new URL`, async function () {
                const { clock, slack, parameter, send, revoke } = harness();
                await clock.drive(send(message("1"), clock.now() + MINUTE));
                parameter.value = NEW_WEBHOOK;
                revoke(OLD_WEBHOOK, { status, body });
                await clock.drive(send(message("2"), clock.now() + MINUTE));
                assert.strictEqual(parameter.reads, 2);
                assert.deepStrictEqual(
                    slack.posts.map((p) => [p.url, p.status, (p.payload as { text: string }).text]),
                    [
                        [OLD_WEBHOOK, 200, "1"],
                        [OLD_WEBHOOK, status, "2"],
                        [NEW_WEBHOOK, 200, "2"],
                    ],
                );
            });
        }

        it("fails as before after a 404 when the parameter still holds the same URL, with one POST", async function () {
            const { clock, slack, parameter, send } = harness();
            await clock.drive(send(message("1"), clock.now() + MINUTE));
            slack.respond = () => ({ status: 404, body: "no_service" });
            const err = await rejectionOf(clock.drive(send(message("2"), clock.now() + MINUTE)));
            assert.strictEqual(err.name, "SlackRejectedError");
            assert.strictEqual(
                err.message,
                "Slack rejected the message with HTTP 404 no_service; retrying cannot help, fix the webhook or payload.",
            );
            assert.strictEqual(parameter.reads, 2);
            assert.strictEqual(slack.posts.length, 2);
        });

        it("is not re-read after 400 invalid_payload: the payload is at fault, not the URL", async function () {
            const { clock, slack, parameter, send } = harness();
            slack.respond = () => ({ status: 400, body: "invalid_payload" });
            const err = await rejectionOf(clock.drive(send(message("1"), clock.now() + MINUTE)));
            assert.strictEqual(err.name, "SlackRejectedError");
            assert.strictEqual(parameter.reads, 1);
            assert.strictEqual(slack.posts.length, 1);
        });
    });

    describe("a long Retry-After", function () {
        it("fails at once with SlackRateLimitedError, saying until when, and blocks every later message until then", async function () {
            const { clock, slack, send } = harness();
            slack.respond = () => ({ status: 429, body: "rate_limited", headers: { "Retry-After": "3600" } });
            const err = await rejectionOf(clock.drive(send(message("rule A"), START + 4 * MINUTE)));
            assert.strictEqual(err.name, "SlackRateLimitedError");
            assert.strictEqual(
                err.message,
                "Slack answered 429 and asked for no message before 2021-06-08T09:00:00.000Z, after this invocation's deadline (2021-06-08T08:04:00.000Z); what is not posted is left to the retry and the next sweep.",
            );
            assert.strictEqual(clock.now(), START, "slept although the wait could not fit");
            slack.respond = () => ({ status: 200, body: "ok" });
            // Another rule's message in the same invocation, then the next invocation of the warm container.
            const again = await rejectionOf(clock.drive(send(message("rule B"), START + 4 * MINUTE)));
            assert.strictEqual(again.name, "SlackRateLimitedError");
            await clock.runUntil(START + 30 * MINUTE);
            const later = await rejectionOf(clock.drive(send(message("next invocation"), clock.now() + 4 * MINUTE)));
            assert.strictEqual(later.name, "SlackRateLimitedError");
            assert.strictEqual(slack.posts.length, 1, "posted while Slack had asked to wait");
            await clock.runUntil(START + 60 * MINUTE);
            await clock.drive(send(message("after the block"), clock.now() + 4 * MINUTE));
            assert.deepStrictEqual(
                slack.posts.map((p) => [p.atMs - START, p.status]),
                [
                    [0, 429],
                    [60 * MINUTE, 200],
                ],
            );
        });

        it("waits out a Retry-After that fits before the deadline, for the next message as well", async function () {
            const { clock, slack, send } = harness();
            slack.respond = (at) =>
                at < START + 30_000 ? { status: 429, body: "rate_limited", headers: { "Retry-After": "30" } } : { status: 200, body: "ok" };
            // The first message's own deadline is too close; the next message's is not.
            const err = await rejectionOf(clock.drive(send(message("1"), START + 10_000)));
            assert.strictEqual(err.name, "SlackRateLimitedError");
            await clock.drive(send(message("2"), START + MINUTE));
            assert.deepStrictEqual(
                slack.posts.map((p) => [p.atMs - START, p.status]),
                [
                    [0, 429],
                    [30_000, 200],
                ],
            );
        });
    });
});

describe("postToSlack after a request that never reached Slack, and after one that may have", function () {
    const WEBHOOK = "https://hooks.slack.com/services/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";
    // node-fetch's words for https:// to a plain-HTTP port, URL included.
    const TLS_ERROR = `request to ${WEBHOOK} failed, reason: write EPROTO 0040E8F7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number`;

    /** Virtual time that moves only when the sender sleeps; a request's own timeout still runs in real time. */
    function steppedClock(startMs: number): Clock {
        let nowMs = startMs;
        return { now: () => nowMs, sleep: async (ms) => void (nowMs += ms), random: () => 0.5 };
    }

    /**
     * Fails the first `failures` requests with `failure` (by default the TLS error, with the system
     * error code node-fetch copies onto it); later ones never answer until aborted.
     */
    function failingThenSilent(failures: number, failure: () => Error = () => Object.assign(new Error(TLS_ERROR), { code: "EPROTO" })) {
        const calls: number[] = [];
        const fetch: FetchLike = (_url, init) => {
            calls.push(calls.length + 1);
            if (calls.length <= failures) {
                return Promise.reject(failure());
            }
            return new Promise((_resolve, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));
        };
        return { fetch, calls };
    }

    // Backoff 75 ms each step (full jitter at 0.5 of a 100 ms ceiling): attempts at +0, +75, +150, +225.
    const options = (deadlineMs: number) => ({ deadlineMs, requestTimeoutMs: 1000, backoffBaseMs: 100, backoffCapMs: 100 });

    it("retries requests that never reached Slack (a failed TLS handshake), and stops at the first that may have: the fourth, cut short by the deadline", async function () {
        const { fetch, calls } = failingThenSilent(3);
        const err = await rejectionOf(postToSlack(fetch, WEBHOOK, message("x"), options(START + 260), steppedClock(START)));
        assert.strictEqual(calls.length, 4);
        assert.strictEqual(err.name, "SlackUnconfirmedError");
        assert.strictEqual(
            err.message,
            "Slack did not confirm the message (attempt 4: no answer in the 35 ms left before the deadline; before it: network error: request to [webhook] failed, reason: write EPROTO 0040E8F7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number) and may have posted it; it is not sent again in this invocation.",
        );
    });

    it("says the deadline left no time when the only attempt was cut short", async function () {
        const { fetch, calls } = failingThenSilent(0);
        const err = await rejectionOf(postToSlack(fetch, WEBHOOK, message("x"), options(START + 40), steppedClock(START)));
        assert.strictEqual(calls.length, 1);
        assert.strictEqual(
            err.message,
            "Slack did not confirm the message (attempt 1: no answer in the 40 ms left before the deadline) and may have posted it; it is not sent again in this invocation.",
        );
    });

    it("retries a request that never reached Slack (DNS) until the deadline, as before", async function () {
        const dns = () =>
            Object.assign(new Error(`request to ${WEBHOOK} failed, reason: getaddrinfo ENOTFOUND hooks.slack.com`), { code: "ENOTFOUND" });
        const { fetch, calls } = failingThenSilent(100, dns);
        const err = await rejectionOf(postToSlack(fetch, WEBHOOK, message("x"), options(START + 260), steppedClock(START)));
        assert.strictEqual(calls.length, 4);
        assert.strictEqual(
            err.message,
            "Slack did not accept the message after 4 attempt(s); last problem: network error: request to [webhook] failed, reason: getaddrinfo ENOTFOUND hooks.slack.com.",
        );
    });

    for (const [what, failure] of [
        [
            "a connection reset (ECONNRESET)",
            () => Object.assign(new Error("request to x failed, reason: socket hang up"), { code: "ECONNRESET" }),
        ],
        ["a network error without a system error code", () => new Error("request to x failed, reason: something else")],
    ] as const) {
        it(`sends no second POST after ${what}: Slack may have read the request`, async function () {
            const { fetch, calls } = failingThenSilent(100, failure);
            const err = await rejectionOf(postToSlack(fetch, WEBHOOK, message("x"), options(START + 260), steppedClock(START)));
            assert.deepStrictEqual([calls.length, err.name], [1, "SlackUnconfirmedError"]);
        });
    }
});

// Short enough to keep each run within seconds.
const KNOBS = { SLACK_TIMEOUT_MS: "1000", SLACK_BACKOFF_BASE_MS: "50", SLACK_BACKOFF_CAP_MS: "200", MIN_POST_INTERVAL_MS: "0" };

describe("the deployed handler's Slack sender (bundled __index.js in a child process)", function () {
    // The rig's reset also points the webhook parameter at the local Slack; each test sets it first anyway.
    const rig = useDeployedRig(defaultProgram, KNOBS);
    let fn: DeployedFunction;
    let slack: LocalSlack;
    let aws: LocalAws;
    let alarmEvent: unknown;
    let sweepEvent: unknown;
    let env: Record<string, string>;
    let rules: RunTimeRule[] = [];
    let parameterName: string;

    before(function () {
        ({ fn, slack, aws, env } = rig);
        rules = readSettings(fn.environment, functionConfigFor()).rules;
        parameterName = fn.environment["WEBHOOK_PARAMETER_NAME"]!;
        alarmEvent = alarmNotification({ AlarmName: alarmNamesOf(fn)["console-signin"] });
        sweepEvent = fixture("events_scheduled-sweep");
    });

    function storeSignIn(message: string): void {
        aws.logEvents.push({ logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!, timestamp: Date.now() - 120000, message });
    }

    /** `rule#eventId` for each sign-in of a payload; the rule is the one whose title heads the message. */
    function postedKeys(payload: unknown): string[] {
        const heading =
            (payload as { blocks?: Array<{ type: string; text?: { text?: string } }> }).blocks?.find((b) => b.type === "header")?.text
                ?.text ?? "";
        const title = heading.replace(/^:\w+: /, "");
        const rule = [...rules].sort((a, b) => b.title.length - a.title.length).find((r) => title.startsWith(r.title));
        return postedEventIds(payload).map((id) => `${rule?.id ?? "?"}#${id}`);
    }

    it("picks up a rotated webhook in a warm container: the old URL's 404 makes the same invocation re-read it and post to the new one", async function () {
        this.timeout(60000);
        const oldPath = "/services/T0ROTATE0/B0ROTATE0/oldTokenOldTokenOldToken";
        const newPath = "/services/T0ROTATE0/B0ROTATE1/newTokenNewTokenNewToken";
        aws.parameters.set(parameterName, { type: "SecureString", value: slack.webhookUrlFor(oldPath) });
        const first = fixture<{ eventID: string }>("cloudtrail_iam-user-mfa");
        const second = fixture<{ eventID: string }>("cloudtrail_mobile-console");
        storeSignIn(JSON.stringify(first));
        let rotated = false;
        // Rotation lands between the two invocations: right after Slack took the first message.
        slack.onRequest = (request) => {
            if (!rotated && request.path === oldPath && request.answeredWith === 200) {
                rotated = true;
                aws.parameters.set(parameterName, { type: "SecureString", value: slack.webhookUrlFor(newPath) });
                slack.answerOn(oldPath, { status: 404, body: "no_service" });
                storeSignIn(JSON.stringify(second));
            }
        };
        const run = await invokeInChild(fn, [alarmEvent, alarmEvent], { env });
        assert.deepStrictEqual(
            run.results,
            [1, 1].map((posted) => ({
                ok: true,
                value: { trigger: "sns", rulesScanned: ["console-signin"], posted, messages: 1, skipped: [] },
            })),
            run.stderr,
        );
        assert.deepStrictEqual(
            slack.requests.map((r) => `${r.path === oldPath ? "old" : r.path === newPath ? "new" : r.path} ${r.answeredWith}`),
            ["old 200", "old 404", "new 200"],
        );
        assert.deepStrictEqual(
            slack.requests.filter(isDeliveredRequest).flatMap((r) => postedKeys(r.payload)),
            [`console-signin#${first.eventID}`, `console-signin#${second.eventID}`],
        );
        assert.strictEqual(aws.callsOf("GetParameter").length, 2);
    });

    it("honours a 429 with Retry-After: 3600 for the rest of the invocation and the warm container's next one, and the next invocation after the block posts everything once", async function () {
        this.timeout(60000);
        aws.parameters.set(parameterName, { type: "SecureString", value: slack.webhookUrl });
        const dir = path.join(__dirname, "fixtures");
        const messages = fs
            .readdirSync(dir)
            .filter((f) => f.startsWith("cloudtrail_"))
            .sort()
            .map((f) => JSON.stringify(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))));
        messages.forEach(storeSignIn);
        // One event, one message: each event under the most urgent rule that matches it.
        const owners = expectedOwners(
            rules,
            messages.map((m) => ({ record: JSON.parse(m) as TrailEvent["record"], deliveredAtMs: 0 })),
        );
        const expected = [...owners].flatMap(([rule, ids]) => [...ids].map((id) => `${rule}#${id}`)).sort();
        const rulesWithSignIns = rules.filter((r) => expected.some((k) => k.startsWith(`${r.id}#`))).map((r) => r.id);
        assert.ok(rulesWithSignIns.length >= 2, `a sweep must have two rules' worth of sign-ins: ${rulesWithSignIns.join(", ")}`);

        slack.reset([{ status: 429, body: "rate_limited", headers: { "Retry-After": "3600" } }]);
        const blocked = await invokeInChild(fn, [sweepEvent, sweepEvent], { env });
        assert.strictEqual(blocked.results.length, 2, blocked.stderr);
        assert.deepStrictEqual(
            slack.requests.map((r) => r.answeredWith),
            [429],
            "posted again within the invocation or the warm container while Slack had asked to wait an hour",
        );
        for (const result of blocked.results) {
            assert.strictEqual(result.ok, false);
            const message = result.error!.message;
            assert.ok(message.startsWith(`Sign-in alerts failed for ${rulesWithSignIns.length} rule(s): `), message);
            for (const id of rulesWithSignIns) {
                assert.match(
                    message,
                    new RegExp(`${id}: SlackRateLimitedError: Slack answered 429 and asked for no message before \\d{4}-\\d\\d-\\d\\dT`),
                );
            }
        }
        assert.deepStrictEqual(aws.callsOf("BatchWriteItem"), [], "recorded as posted what Slack did not take");
        assert.ok(blocked.wallMs < 20000, `the blocked invocations took ${blocked.wallMs} ms`);

        // A container that starts after the block (Lambda's retry or the next sweep) posts everything, once.
        slack.reset();
        const after = await invokeInChild(fn, [sweepEvent], { env });
        assert.strictEqual(after.results[0]!.ok, true, after.stderr);
        const posted = slack.requests.filter(isDeliveredRequest).flatMap((r) => postedKeys(r.payload));
        assert.deepStrictEqual([...posted].sort(), expected);
    });
});

describe("a Slack answer that leaves it open whether the message was posted", function () {
    const CONSOLE = builtInRunTimeRule("console-signin");
    const SIGN_IN = fixture<{ eventID: string; eventTime: string }>("cloudtrail_iam-user-mfa");
    const WEBHOOK = "https://hooks.slack.com/services/T0AMBIG00/B0AMBIG00/ambiguousAmbiguousToken";
    const ALARM = fixture("sns_alarm-console-signin");
    const SWEEP = fixture("events_scheduled-sweep");
    const { log, error } = console;
    beforeEach(() => (console.log = console.error = () => undefined));
    afterEach(() => ((console.log = log), (console.error = error)));

    /**
     * The whole system around one sign-in: the alarm's invocation, Lambda's two retries of it (a
     * minute, then two minutes, after the one before failed), a sweep every 5 minutes for an hour,
     * and a redrive of the dead letter (a failed sweep's own Lambda retries are left out: each would
     * be one more invocation). Slack answers each POST as `answer` says.
     */
    async function everyWayItIsTried(answer: SlackResponder) {
        const clock = new FakeClock(Date.parse(SIGN_IN.eventTime) + 2 * MINUTE);
        const aws = new FakeAwsPorts(clock);
        const settings = unitSettings({ rules: [CONSOLE], lagAllowanceMinutes: 60 });
        aws.parameters.set(settings.webhookParameterName, WEBHOOK);
        const at = Date.parse(SIGN_IN.eventTime);
        // The sweep before the sign-in left the rule's cursor.
        aws.store.cursors.set(CONSOLE.id, at - 3 * MINUTE);
        aws.logGroup(settings.trailLogGroupName).put(JSON.stringify(SIGN_IN), { timestamp: at, ingestedAt: at + MINUTE });
        const slack = new FakeSlackWebhook(clock);
        slack.respond = answer;
        const handler = createHandler({ settings, aws, fetch: slack.fetch, clock });
        const outcomes: string[] = [];
        let n = 0;
        const invoke = async (event: unknown, waitMs: number) => {
            await clock.runUntil(clock.now() + waitMs);
            const context = { awsRequestId: `request-${++n}`, getRemainingTimeInMillis: () => 300_000 };
            outcomes.push(
                await clock.drive(handler(event, context)).then(
                    (report) => `ok, posted ${report.posted}`,
                    (err: Error) => `failed: ${err.message}`,
                ),
            );
        };
        await invoke(ALARM, 0);
        await invoke(ALARM, MINUTE);
        await invoke(ALARM, 2 * MINUTE);
        for (let i = 0; i < 12; i++) {
            await invoke(SWEEP, 5 * MINUTE);
        }
        await invoke(ALARM, 0);
        const copies = slack.posts.filter((p) => postedEventIds(p.payload).includes(SIGN_IN.eventID)).length;
        return { copies, outcomes, store: aws.store };
    }

    const UNCONFIRMED =
        "SlackUnconfirmedError: Slack did not confirm the message (attempt 1: HTTP 500 internal_error) and may have posted it; it is not sent again in this invocation.";
    const FAILED = `failed: Sign-in alerts failed for 1 rule(s): console-signin: ${UNCONFIRMED}`;

    it("is sent once per invocation that tries it, not until the deadline: the invocation, Lambda's retries, the sweeps and a redrive", async function () {
        // Before, each invocation retried until its deadline: 53 POSTs each, 848 in this hour.
        const { copies, outcomes } = await everyWayItIsTried(() => ({ status: 500, body: "internal_error" }));
        assert.deepStrictEqual(outcomes, Array<string>(16).fill(FAILED));
        assert.strictEqual(copies, outcomes.length);
    });

    it("is posted by the retry after one unconfirmed POST, and is then in two POSTs, none after", async function () {
        let posts = 0;
        const { copies, outcomes, store } = await everyWayItIsTried(() =>
            ++posts === 1 ? { status: 500, body: "internal_error" } : { status: 200, body: "ok" },
        );
        assert.deepStrictEqual(outcomes, [FAILED, "ok, posted 1", ...Array<string>(14).fill("ok, posted 0")]);
        assert.strictEqual(copies, 2);
        assert.ok(store.posted.has(`console-signin#${SIGN_IN.eventID}`));
    });
});
