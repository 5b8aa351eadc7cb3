/**
 * The Slack Web API methods "Was this you?" calls with the Slack app's bot token, as direct HTTPS
 * requests through the function's fetch: auth.test, users.lookupByEmail, chat.postMessage and
 * chat.update (docs.slack.dev/reference/methods/<method>; their errors as each page's "Errors"
 * lists them and slackapi/slack-api-specs web-api/slack_web_openapi_v2.json enumerates them).
 *
 * Direct requests rather than @slack/web-api, by measurement on 2026-12-07: @slack/web-api 8.2.0,
 * installed apart from the project, and this module, each in a minimal use of the four methods,
 * bundled with program/functionPackage.ts's BUNDLE_OPTIONS (@aws-sdk/* external), required and
 * called on runtime/'s Node v22.23.5, 41 runs each, interleaved, on a shared 2-core machine (load
 * average 3.5 to 5: the minimums are the steadier figures). Sizes deflated by zlib's default level.
 *
 *   bundle                          raw        deflated   require, median (min)   require + 4 calls to the local Web API
 *   @slack/web-api (9 packages)     210,297 B  35,568 B   13.0 ms (8.4)           104.9 ms (68.2)
 *   slackApi.ts                      14,324 B   4,541 B    3.5 ms (3.1)           —
 *   slackApi.ts with node-fetch      58,689 B  14,044 B   18.2 ms (9.2)            47.0 ms (29.7)
 *   node-fetch alone                 44,569 B   9,844 B   17.8 ms (9.9)           —
 *   an empty module                      42 B              3.4 ms (2.7)           —
 *
 * The notifier bundles node-fetch already for the webhook, so what this module adds to it is the
 * second row, less webhook.ts, log.ts and clock.ts, which it already has. @slack/web-api needs no
 * node-fetch (it calls Node's global fetch, loaded at its first call: hence its cheaper require and
 * dearer first calls), but brings p-queue, p-retry and a default retry policy of ten retries over
 * about thirty minutes (retry-policies.js) that knows nothing of an invocation's deadline.
 */
import type { KnownBlock } from "@slack/types";
import { realClock } from "../common/clock";
import { log } from "../common/log";
import type { Clock } from "../common/types";
import { NO_ATTEMPT, backoff, redactedExcerpt, retryAfterMs, timedPost, type FetchLike, type SlackPostOptions } from "./webhook";

/**
 * The Web API's hosts: Slack's, and GovSlack's, which "does not run on the slack.com domain.
 * Instead, it runs on the separate domain slack-gov.com" (api.slack-gov.com/gov-slack/about), so
 * its methods are at https://slack-gov.com/api/<method>.
 */
export const SLACK_API_HOSTS: readonly string[] = ["slack.com", "slack-gov.com"];
export const SLACK_API_URL = "https://slack.com/api/";

export interface SlackApiOptions extends Omit<SlackPostOptions, "onRateLimited"> {
    fetch: FetchLike;
    /** The bot token (`xoxb-…`), read when a call starts; it is never logged nor put in an error. */
    readToken: () => Promise<string>;
    /** Where the token is kept (the SSM parameter's name), for the error that says to replace it. */
    tokenSource: string;
    /** `https://slack.com/api/` unless given; GovSlack's is `https://slack-gov.com/api/`. */
    apiUrl?: string;
    clock?: Clock;
}

/** A person found by email, or not: no account with that address, or a deactivated one. */
export type PersonLookup = { found: true; userId: string } | { found: false };

export interface MessageContent {
    /** The notification's text, and the whole message when there are no blocks. */
    text: string;
    blocks?: readonly KnownBlock[];
}

/** Where a message is: its channel (a `D…` id for a direct message) and its timestamp. */
export interface MessageRef {
    channel: string;
    ts: string;
}

export interface SlackApi {
    /** The workspace the token belongs to (auth.test's `team_id`). */
    authTest(): Promise<{ teamId: string }>;
    lookupByEmail(email: string): Promise<PersonLookup>;
    /** `channel` may be a user id: Slack posts to the app's direct message with that person and answers with its `D…` id. */
    postMessage(message: { channel: string } & MessageContent): Promise<MessageRef>;
    update(message: MessageRef & MessageContent): Promise<MessageRef>;
}

type Json = Record<string, unknown>;

interface MethodCall {
    method: "auth.test" | "users.lookupByEmail" | "chat.postMessage" | "chat.update";
    /** Form-encoded arguments, or a JSON object. */
    args: { form: Record<string, string> } | { json: Json };
    /** Calling it again after an answer was lost does no harm (a read, or an update to the same content). */
    repeatable: boolean;
}

// Errors are plain Errors with a name and fields, no subclasses (as in webhook.ts).
function namedError(name: string, message: string, fields: Record<string, unknown>): Error {
    const err = new Error(message);
    err.name = name;
    Object.assign(err, fields);
    return err;
}

/** Whether calling again later may succeed: Slack asked for a pause, or could not be reached in time. */
export function isRetryable(err: unknown): boolean {
    return (err as { retryable?: unknown } | undefined)?.retryable === true;
}

/** Slack's error string of a SlackApiError; undefined for any other error. */
export function slackApiErrorCode(err: unknown): string | undefined {
    const code = (err as { slackError?: unknown } | undefined)?.slackError;
    return typeof code === "string" ? code : undefined;
}

/**
 * Slack's answers to a token it no longer takes, from the methods' "Errors" lists: not_authed "No
 * authentication token provided", invalid_auth "Some aspect of authentication cannot be
 * validated", account_inactive "Authentication token is for a deleted user or workspace",
 * token_revoked "Authentication token is for a deleted user or workspace or the app has been
 * removed", token_expired "Authentication token has expired".
 */
const TOKEN_REFUSED: readonly string[] = ["not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired"];

function tokenRefusedError(method: string, code: string, tokenSource: string): Error {
    return namedError(
        "SlackTokenRefusedError",
        `Slack refused the bot token in ${tokenSource} (${method} answered ${code}): the token is not valid any more. ` +
            `Reinstall the Slack app to the workspace (or have a workspace admin reactivate it), then put the app's new ` +
            `Bot User OAuth Token in ${tokenSource}; nobody can be asked until then.`,
        { method, slackError: code, retryable: false },
    );
}

/**
 * Slack's own error: its string, and what else it said. A missing_scope answer names the scope in
 * `needed` (users:read.email for users.lookupByEmail); an invalid_blocks answer says what is wrong
 * in `errors` or `response_metadata.messages`.
 */
function slackApiError(method: string, code: string, body: Json): Error {
    const metadata = body["response_metadata"] as { messages?: unknown } | undefined;
    const said = [body["errors"], metadata?.messages]
        .flatMap((list) => (Array.isArray(list) ? list : []))
        .find((m) => typeof m === "string");
    const needed = body["needed"];
    const detail =
        code === "missing_scope" && typeof needed === "string"
            ? ` (the app needs ${redactedExcerpt(needed, "")}: add the scope to the app and reinstall it)`
            : typeof said === "string"
              ? ` (${redactedExcerpt(said, "", 200)})`
              : "";
    return namedError("SlackApiError", `Slack's ${method} answered ${code}${detail}.`, { method, slackError: code, retryable: false });
}

function rateLimitedError(method: string, blockedUntilMs: number, deadlineMs: number): Error {
    return namedError(
        "SlackApiRateLimitedError",
        `Slack's ${method} answered 429 and asked for no call before ${new Date(blockedUntilMs).toISOString()}, after this invocation's deadline (${new Date(deadlineMs).toISOString()}); call it again after that.`,
        { method, blockedUntilMs, retryable: true },
    );
}

function unavailableError(method: string, attempts: number, lastProblem: string): Error {
    return namedError(
        "SlackApiUnavailableError",
        `Slack's ${method} did not answer after ${attempts} attempt(s); last problem: ${lastProblem}.`,
        { method, retryable: true },
    );
}

/** A call that Slack may have carried out without the function learning so; calling again may post twice. */
function unconfirmedError(method: string, attempt: number, problem: string): Error {
    return namedError(
        "SlackApiUnconfirmedError",
        `Slack did not confirm ${method} (attempt ${attempt}: ${problem}) and may have carried it out; it is not called again in this invocation.`,
        { method, retryable: false },
    );
}

/** How one request ended: Slack's JSON answer, or a problem that a wait (and maybe another request) may cure. */
type Attempt = { answered: true; body: Json } | { answered: false; problem: string; retryAfterMs?: number; unconfirmed?: true };

/** Slack's errors that come with HTTP 200 yet say the method was not carried out, or may have been. */
const RATE_LIMITED: readonly string[] = ["ratelimited", "rate_limited"];
// service_unavailable "The service is temporarily unavailable"; request_timeout "The method was
// called via a POST request, but the POST data was either missing or truncated".
const NOT_CARRIED_OUT: readonly string[] = ["service_unavailable", "request_timeout"];
// internal_error, fatal_error: "It's possible some aspect of the operation succeeded before the error was raised."
const MAYBE_CARRIED_OUT: readonly string[] = ["internal_error", "fatal_error"];

/** A single-line excerpt of what Slack or the network said, without the token or any URL. */
function scrubbed(text: string, token: string, max?: number): string {
    const out = token.length >= 8 ? text.split(token).join("[token]") : text;
    return redactedExcerpt(out, "", max);
}

function parsedBody(raw: string): Json | undefined {
    try {
        const value: unknown = JSON.parse(raw);
        return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
    } catch {
        return undefined;
    }
}

/** Reads one HTTP answer; throws for an answer no wait can change. */
function judged(method: string, status: number, headers: { get(name: string): string | null }, raw: string, token: string): Attempt {
    const body = parsedBody(raw);
    const code = typeof body?.["error"] === "string" ? body["error"] : undefined;
    // "Slack will return a HTTP 429 Too Many Requests error, and a Retry-After HTTP header containing
    // the number of seconds until you can retry" (docs.slack.dev/apis/web-api/rate-limits).
    if (status === 429 || (code !== undefined && RATE_LIMITED.includes(code))) {
        return { answered: false, problem: `HTTP ${status} ${code ?? ""}`.trim(), retryAfterMs: retryAfterMs(headers.get("retry-after")) };
    }
    if (status >= 500) {
        return { answered: false, problem: `HTTP ${status} ${scrubbed(raw, token)}`.trim(), unconfirmed: true };
    }
    if (status >= 300 && status < 400) {
        throw namedError("SlackApiError", `Slack's ${method} answered HTTP ${status} (a redirect, not followed).`, {
            method,
            retryable: false,
        });
    }
    if (!body || typeof body["ok"] !== "boolean") {
        throw namedError(
            "SlackApiError",
            `Slack's ${method} answered HTTP ${status} with "${scrubbed(raw, token, 40)}" instead of its JSON.`,
            {
                method,
                retryable: false,
            },
        );
    }
    if (code !== undefined && NOT_CARRIED_OUT.includes(code)) {
        return { answered: false, problem: code };
    }
    if (code !== undefined && MAYBE_CARRIED_OUT.includes(code)) {
        return { answered: false, problem: code, unconfirmed: true };
    }
    return { answered: true, body };
}

function requestOf(call: MethodCall, token: string): { headers: Record<string, string>; body: string } {
    const authorization = `Bearer ${token}`;
    if ("form" in call.args) {
        return {
            headers: { Authorization: authorization, "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams(call.args.form).toString(),
        };
    }
    // Without the charset Slack answers with the warning missing_charset.
    return {
        headers: { Authorization: authorization, "Content-Type": "application/json; charset=utf-8" },
        body: JSON.stringify(call.args.json),
    };
}

async function callOnce(
    fetchImpl: FetchLike,
    url: string,
    call: MethodCall,
    token: string,
    timeoutMs: number,
    cutByDeadline: boolean,
): Promise<Attempt> {
    const answer = await timedPost(fetchImpl, url, requestOf(call, token), { timeoutMs, cutByDeadline }, (m) => scrubbed(m, token, 200));
    return "problem" in answer ? { answered: false, ...answer } : judged(call.method, answer.status, answer.headers, answer.raw, token);
}

function logWarnings(method: string, body: Json): void {
    const metadata = body["response_metadata"] as { warnings?: unknown } | undefined;
    const warnings = Array.isArray(metadata?.warnings) ? metadata.warnings : typeof body["warning"] === "string" ? [body["warning"]] : [];
    if (warnings.length > 0) {
        log("warn", "Slack's Web API carried out the call with a warning", { method, warnings: warnings.slice(0, 5) });
    }
}

/**
 * Calls a method until Slack answers with its JSON. A 429 waits its Retry-After; a request that
 * never reached Slack, or Slack's service_unavailable, backs off and tries again; a lost answer (a
 * 5xx, a timeout, a connection lost after sending) is tried again only for a repeatable call. Stops
 * at the deadline: a Retry-After past it fails at once with a retryable SlackApiRateLimitedError.
 */
async function callMethod(options: SlackApiOptions, call: MethodCall): Promise<Json> {
    const clock = options.clock ?? realClock;
    const token = (await options.readToken()).trim();
    if (token === "") {
        throw namedError(
            "SlackTokenRefusedError",
            `${options.tokenSource} holds no bot token; put the Slack app's Bot User OAuth Token in it.`,
            {
                method: call.method,
                retryable: false,
            },
        );
    }
    const url = `${options.apiUrl ?? SLACK_API_URL}${call.method}`;
    let lastProblem = NO_ATTEMPT;
    for (let attempt = 1; ; attempt++) {
        const remaining = options.deadlineMs - clock.now();
        if (remaining <= 0) {
            throw unavailableError(call.method, attempt - 1, lastProblem);
        }
        const timeoutMs = Math.min(options.requestTimeoutMs, remaining);
        const outcome = await callOnce(options.fetch, url, call, token, timeoutMs, timeoutMs < options.requestTimeoutMs);
        if (outcome.answered) {
            logWarnings(call.method, outcome.body);
            return outcome.body;
        }
        if (outcome.unconfirmed && !call.repeatable) {
            log("warn", "Slack may have carried out the call without confirming it; not calling again", {
                method: call.method,
                attempt,
                problem: outcome.problem,
            });
            throw unconfirmedError(call.method, attempt, outcome.problem);
        }
        lastProblem = outcome.problem;
        if (outcome.retryAfterMs !== undefined && clock.now() + outcome.retryAfterMs >= options.deadlineMs) {
            log("warn", "Slack asked for a pause longer than this invocation has left; not waiting", {
                method: call.method,
                attempt,
                waitMs: outcome.retryAfterMs,
            });
            throw rateLimitedError(call.method, clock.now() + outcome.retryAfterMs, options.deadlineMs);
        }
        const waitMs = outcome.retryAfterMs ?? backoff(attempt, options, clock);
        if (clock.now() + waitMs >= options.deadlineMs) {
            throw unavailableError(call.method, attempt, lastProblem);
        }
        log("warn", "Slack's Web API did not carry out the call; trying again", {
            method: call.method,
            attempt,
            problem: lastProblem,
            waitMs,
        });
        await clock.sleep(waitMs);
    }
}

/** The error for an answer `ok: false`: a refused token, or the method's own error. */
function refusal(options: SlackApiOptions, method: string, body: Json): Error {
    const code = typeof body["error"] === "string" ? body["error"].slice(0, 100) : "ok: false without an error";
    return TOKEN_REFUSED.includes(code) ? tokenRefusedError(method, code, options.tokenSource) : slackApiError(method, code, body);
}

function messageRef(method: string, body: Json): MessageRef {
    const { channel, ts } = body;
    if (typeof channel !== "string" || typeof ts !== "string") {
        throw namedError("SlackApiError", `Slack's ${method} answered ok without the message's channel and ts.`, {
            method,
            retryable: false,
        });
    }
    return { channel, ts };
}

async function lookupByEmail(options: SlackApiOptions, email: string): Promise<PersonLookup> {
    // Sent as a form POST, not a GET: the address stays out of URLs and whatever logs them.
    const body = await callMethod(options, { method: "users.lookupByEmail", args: { form: { email } }, repeatable: true });
    if (body["ok"] !== true) {
        // "If the user has been deactivated, users_not_found will be returned instead of a user object."
        if (body["error"] === "users_not_found") {
            return { found: false };
        }
        throw refusal(options, "users.lookupByEmail", body);
    }
    const user = body["user"] as { id?: unknown; deleted?: unknown } | undefined;
    if (typeof user?.id !== "string" || user.id === "") {
        throw namedError("SlackApiError", "Slack's users.lookupByEmail answered ok without a user id.", {
            method: "users.lookupByEmail",
            retryable: false,
        });
    }
    return user.deleted === true ? { found: false } : { found: true, userId: user.id };
}

async function authTest(options: SlackApiOptions): Promise<{ teamId: string }> {
    const body = await callMethod(options, { method: "auth.test", args: { form: {} }, repeatable: true });
    if (body["ok"] !== true) {
        throw refusal(options, "auth.test", body);
    }
    if (typeof body["team_id"] !== "string" || body["team_id"] === "") {
        throw namedError("SlackApiError", "Slack's auth.test answered ok without a team_id.", { method: "auth.test", retryable: false });
    }
    return { teamId: body["team_id"] };
}

/** The Web API methods with the bot token; create one per invocation, with its deadline. */
export function createSlackApi(options: SlackApiOptions): SlackApi {
    return {
        authTest: () => authTest(options),
        lookupByEmail: (email) => lookupByEmail(options, email),
        postMessage: async ({ channel, text, blocks }) => {
            const json = { channel, text, ...(blocks ? { blocks } : {}) };
            // Not repeatable: a second chat.postMessage after a lost answer would send the person a second message.
            const body = await callMethod(options, { method: "chat.postMessage", args: { json }, repeatable: false });
            if (body["ok"] !== true) {
                throw refusal(options, "chat.postMessage", body);
            }
            return messageRef("chat.postMessage", body);
        },
        update: async ({ channel, ts, text, blocks }) => {
            // chat.update keeps the previous blocks when none are given ("To remove previous blocks,
            // include an empty array"): a message updated to text alone would keep its buttons.
            const json = { channel, ts, text, blocks: blocks ?? [] };
            const body = await callMethod(options, { method: "chat.update", args: { json }, repeatable: true });
            if (body["ok"] !== true) {
                throw refusal(options, "chat.update", body);
            }
            return messageRef("chat.update", body);
        },
    };
}
