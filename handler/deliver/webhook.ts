/** Posting one message to a Slack incoming webhook, as Slack documents its answers; never writing the URL anywhere. */
import { realClock } from "../common/clock";
import { log } from "../common/log";
import type { SlackMessage } from "../decide/messages";
import type { Clock } from "../common/types";

// Errors are plain Errors with a name and fields, not subclasses: they cross the ports and the
// child process of the deployed tests as they are, and a name is what the retries and logs read.

/** The HTTP status of a Slack rejection from slackRejectedError; undefined for any other error. */
export function rejectedStatus(err: unknown): number | undefined {
    return (err as { slackStatus?: number } | undefined)?.slackStatus;
}

/** Slack refused the message for a reason a retry cannot fix (bad payload, revoked or archived webhook). */
export function slackRejectedError(status: number, slackError: string): Error {
    const err = new Error(
        `Slack rejected the message with HTTP ${status} ${slackError}; retrying cannot help, fix the webhook or payload.`,
    );
    err.name = "SlackRejectedError";
    // Read back by the sender to tell a gone webhook (403, 404, 410) from a refused payload.
    (err as Error & { slackStatus?: number }).slackStatus = status;
    return err;
}

/**
 * Slack answered 429 with a Retry-After that ends after the deadline: waiting would only waste the
 * invocation, and posting earlier would be refused again.
 */
export function slackRateLimitedError(blockedUntilMs: number, deadlineMs: number): Error {
    const err = new Error(
        `Slack answered 429 and asked for no message before ${new Date(blockedUntilMs).toISOString()}, after this invocation's deadline (${new Date(deadlineMs).toISOString()}); what is not posted is left to the retry and the next sweep.`,
    );
    err.name = "SlackRateLimitedError";
    return err;
}

/** The last problem of a message whose first attempt never started. */
export const NO_ATTEMPT = "no attempt was made before the deadline";

/** Slack kept failing (5xx, 429, network) until the function ran out of time. */
export function slackUnavailableError(attempts: number, lastProblem: string): Error {
    const err = new Error(`Slack did not accept the message after ${attempts} attempt(s); last problem: ${lastProblem}.`);
    err.name = "SlackUnavailableError";
    return err;
}

/**
 * A POST that Slack may have posted without the function learning so: no answer in time, the
 * connection lost after the request went out, or a 5xx. An incoming webhook has no idempotency key,
 * so sending it again may post it twice: postToSlack does not, the invocation fails, and the
 * message goes out again only with the next invocation that finds its events unrecorded.
 */
function slackUnconfirmedError(attempts: number, problem: string, earlier: string): Error {
    // The earlier attempts' problem stays in the message: a last attempt cut short by the deadline
    // must not hide from the operators why the ones before it failed (a TLS error, say).
    const before = earlier === NO_ATTEMPT ? "" : `; before it: ${earlier}`;
    const err = new Error(
        `Slack did not confirm the message (attempt ${attempts}: ${problem}${before}) and may have posted it; it is not sent again in this invocation.`,
    );
    err.name = "SlackUnconfirmedError";
    return err;
}

/** The webhook answered with a redirect; an incoming webhook never does, and following one would turn the POST into a GET. */
function slackRedirectError(status: number): Error {
    const err = new Error(
        `Slack rejected the message with HTTP ${status} (a redirect, not followed); retrying cannot help, check the webhook URL in the parameter.`,
    );
    err.name = "SlackRejectedError";
    return err;
}

/** A 2xx whose body is not Slack's "ok": whatever answered is not an incoming webhook that took the message. */
function slackNotOkError(status: number, excerpt: string): Error {
    const err = new Error(
        `Slack did not confirm the message: HTTP ${status} with body "${excerpt}" instead of "ok"; retrying cannot help, check the webhook URL in the parameter.`,
    );
    err.name = "SlackRejectedError";
    return err;
}

/**
 * The subset of fetch this module uses; node-fetch v2 in the function, anything compatible in tests.
 * `redirect: "manual"` hands a 3xx back as it is instead of following it.
 */
export type FetchLike = (
    url: string,
    init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal; redirect: "manual" },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

export interface SlackPostOptions {
    /** Epoch ms after which no new attempt starts. */
    deadlineMs: number;
    /** Per-request timeout. */
    requestTimeoutMs: number;
    /** First backoff step for 5xx and network errors; doubles each attempt, with full jitter. */
    backoffBaseMs: number;
    backoffCapMs: number;
    /** Told of every 429, with the epoch ms before which Slack asked for no message. */
    onRateLimited?: (blockedUntilMs: number) => void;
}

// Slack's documented permanent webhook errors come back as 4xx other than 429.
function isPermanent(status: number): boolean {
    return status >= 400 && status < 500 && status !== 429;
}

// Longest part of an answer's body that goes into a log line or an error message.
const EXCERPT_CHARS = 100;

/**
 * A short, single-line excerpt of what the webhook or the network said, safe to log: the webhook
 * URL is a secret, so it, its path, its last segment and any other URL are cut out first.
 */
export function redactedExcerpt(text: string, webhookUrl: string, max = EXCERPT_CHARS): string {
    let out = String(text);
    const secrets = [webhookUrl];
    try {
        const parsed = new URL(webhookUrl);
        secrets.push(parsed.pathname + parsed.search, parsed.pathname.split("/").filter(Boolean).pop() ?? "");
    } catch {
        // Not a URL: only the text as a whole can be recognized.
    }
    for (const secret of secrets) {
        if (secret.length >= 8) {
            out = out.split(secret).join("[webhook]");
        }
    }
    out = out
        .replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*/gi, "[url]")
        .replace(/\/services\/[^\s"'<>]*/gi, "[url]")
        .replace(/\s+/g, " ")
        .trim();
    return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

/**
 * How one POST ended when it did not end the whole delivery: what went wrong, Slack's Retry-After if
 * it gave one, and whether Slack may have posted it all the same.
 */
type Attempt = { accepted: true } | { accepted: false; problem: string; retryAfterMs?: number; unconfirmed?: true };

// System errors of a request that never reached Slack's HTTP server: name resolution, a refused or
// unreachable connection, a failed TLS handshake (Node.js "Common system errors", and OpenSSL's
// certificate errors as Node.js names them). Any other (a reset, a broken pipe, a hang-up) may come
// after Slack read the request.
const NOT_SENT_CODES: readonly string[] = ["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH", "EPROTO"];
const NOT_SENT_PREFIXES: readonly string[] = ["ERR_TLS_", "ERR_SSL_", "CERT_", "UNABLE_TO_", "DEPTH_ZERO_", "SELF_SIGNED_"];

export function neverSent(err: unknown): boolean {
    const code = (err as { code?: unknown } | undefined)?.code;
    return typeof code === "string" && (NOT_SENT_CODES.includes(code) || NOT_SENT_PREFIXES.some((p) => code.startsWith(p)));
}

// Number(null) is 0: a missing header must fall back to Slack's one message per second.
export function retryAfterMs(header: string | null): number {
    const seconds = header === null || header.trim() === "" ? NaN : Number(header);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}

/** Reads Slack's answer; throws for answers no retry can change. */
function judgeAnswer(status: number, headers: { get(name: string): string | null }, raw: string, webhookUrl: string): Attempt {
    if (status >= 200 && status < 300) {
        if (raw === "ok") {
            return { accepted: true };
        }
        const body = redactedExcerpt(raw, webhookUrl, 40);
        log("error", 'The Slack webhook answered 2xx without "ok"; the message is not counted as posted', { status, body });
        throw slackNotOkError(status, body);
    }
    if (status >= 300 && status < 400) {
        // Neither the Location header nor the body is logged: either may carry the webhook's path.
        log("error", "The Slack webhook answered with a redirect; not following it", {
            status,
            hasLocation: headers.get("location") !== null,
        });
        throw slackRedirectError(status);
    }
    const answer = redactedExcerpt(raw, webhookUrl);
    if (isPermanent(status)) {
        throw slackRejectedError(status, answer || "(empty body)");
    }
    const problem = `HTTP ${status} ${answer}`.trim();
    // A 429 refused the message; a 5xx may have come after Slack posted it.
    return status === 429
        ? { accepted: false, problem, retryAfterMs: retryAfterMs(headers.get("retry-after")) }
        : { accepted: false, problem, unconfirmed: true };
}

/** What one POST to Slack came back with, or why it did not: whether it may have reached Slack is `unconfirmed`. */
export type TimedAnswer =
    { status: number; headers: { get(name: string): string | null }; raw: string } | { problem: string; unconfirmed?: true };

/**
 * One POST, abandoned after `timeoutMs`. A network error's message is told through `redact`, which
 * cuts out what is secret (the webhook URL, the bot token). The answer is judged by the caller,
 * outside this try, so that a refusal its judgement throws is not taken for a network error.
 */
export async function timedPost(
    fetchImpl: FetchLike,
    url: string,
    request: { headers: Record<string, string>; body: string },
    timing: { timeoutMs: number; cutByDeadline: boolean },
    redact: (message: string) => string,
): Promise<TimedAnswer> {
    const { timeoutMs, cutByDeadline } = timing;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
        const response = await fetchImpl(url, { method: "POST", ...request, signal: controller.signal, redirect: "manual" });
        return { status: response.status, headers: response.headers, raw: await response.text() };
    } catch (err) {
        if (!controller.signal.aborted) {
            const problem = `network error: ${redact((err as Error).message)}`;
            return neverSent(err) ? { problem } : { problem, unconfirmed: true };
        }
        // The request went out and was abandoned unanswered: Slack may have acted on it.
        return {
            problem: cutByDeadline ? `no answer in the ${timeoutMs} ms left before the deadline` : `no answer within ${timeoutMs} ms`,
            unconfirmed: true,
        };
    } finally {
        clearTimeout(timer);
    }
}

async function postOnce(
    fetchImpl: FetchLike,
    webhookUrl: string,
    body: string,
    timeoutMs: number,
    cutByDeadline: boolean,
): Promise<Attempt> {
    const request = { headers: { "Content-Type": "application/json; charset=utf-8" }, body };
    const answer = await timedPost(fetchImpl, webhookUrl, request, { timeoutMs, cutByDeadline }, (m) =>
        redactedExcerpt(m, webhookUrl, 200),
    );
    return "problem" in answer ? { accepted: false, ...answer } : judgeAnswer(answer.status, answer.headers, answer.raw.trim(), webhookUrl);
}

export function backoff(attempt: number, options: SlackPostOptions, clock: Clock): number {
    const ceiling = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (clock.random() * ceiling) / 2);
}

/**
 * Posts one message to an incoming webhook. A 2xx answered "ok" is success; 429 waits Retry-After;
 * a request that never reached Slack (DNS, a refused connection, TLS) backs off and retries while
 * time remains; an answer that leaves open whether Slack posted it (a 5xx, no answer in time, the
 * connection lost after sending) fails at once with SlackUnconfirmedError, without a second POST;
 * other 4xx fail at once with Slack's reason. Redirects are not followed (node-fetch would re-send
 * a 301/302/303 as a bodiless GET) and fail at once, as does a 2xx with any other body. No log line
 * or error carries the URL.
 */
export async function postToSlack(
    fetchImpl: FetchLike,
    webhookUrl: string,
    message: SlackMessage,
    options: SlackPostOptions,
    clock: Clock = realClock,
): Promise<{ attempts: number }> {
    const body = JSON.stringify(message);
    let lastProblem = NO_ATTEMPT;
    for (let attempt = 1; ; attempt++) {
        const remaining = options.deadlineMs - clock.now();
        if (remaining <= 0) {
            throw slackUnavailableError(attempt - 1, lastProblem);
        }
        const timeoutMs = Math.min(options.requestTimeoutMs, remaining);
        const outcome = await postOnce(fetchImpl, webhookUrl, body, timeoutMs, timeoutMs < options.requestTimeoutMs);
        if (outcome.accepted) {
            return { attempts: attempt };
        }
        if (outcome.unconfirmed) {
            log("warn", "Slack may have posted the message without confirming it; not sending it again", {
                attempt,
                problem: outcome.problem,
            });
            throw slackUnconfirmedError(attempt, outcome.problem, lastProblem);
        }
        lastProblem = outcome.problem;
        const waitMs = outcome.retryAfterMs ?? backoff(attempt, options, clock);
        if (outcome.retryAfterMs !== undefined) {
            const blockedUntilMs = clock.now() + outcome.retryAfterMs;
            options.onRateLimited?.(blockedUntilMs);
            if (blockedUntilMs >= options.deadlineMs) {
                log("warn", "Slack asked for a pause longer than this invocation has left; not waiting", {
                    attempt,
                    problem: lastProblem,
                    waitMs,
                });
                throw slackRateLimitedError(blockedUntilMs, options.deadlineMs);
            }
        }
        log("warn", "Slack did not accept the message; retrying", { attempt, problem: lastProblem, waitMs });
        if (clock.now() + waitMs >= options.deadlineMs) {
            throw slackUnavailableError(attempt, lastProblem);
        }
        await clock.sleep(waitMs);
    }
}
