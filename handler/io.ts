import type { SlackMessage } from "./format";
import type { TimeWindow } from "./types";

/** Structured log line; CloudWatch Logs Insights can query the fields. Never pass the webhook URL. */
export function log(level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}): void {
    const line = JSON.stringify({ level, message, ...fields });
    if (level === "error") {
        console.error(line);
    } else {
        console.log(line);
    }
}

// Errors are plain Errors with a name, not subclasses: closure serialization rewrites class
// constructors so that `super(message)` on Error no longer sets the message.

/** Slack refused the message for a reason a retry cannot fix (bad payload, revoked or archived webhook). */
export function slackRejectedError(status: number, slackError: string): Error {
    const err = new Error(
        `Slack rejected the message with HTTP ${status} ${slackError}; retrying cannot help, fix the webhook or payload.`,
    );
    err.name = "SlackRejectedError";
    return err;
}

/** Slack kept failing (5xx, 429, network) until the function ran out of time. */
export function slackUnavailableError(attempts: number, lastProblem: string): Error {
    const err = new Error(`Slack did not accept the message after ${attempts} attempt(s); last problem: ${lastProblem}.`);
    err.name = "SlackUnavailableError";
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

export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
    random(): number;
}

export const realClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: () => Math.random(),
};

export interface SlackPostOptions {
    /** Epoch ms after which no new attempt starts. */
    deadlineMs: number;
    /** Per-request timeout. */
    requestTimeoutMs: number;
    /** First backoff step for 5xx and network errors; doubles each attempt, with full jitter. */
    backoffBaseMs: number;
    backoffCapMs: number;
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
 * Posts one message to an incoming webhook. A 2xx answered "ok" is success; 429 waits Retry-After;
 * 5xx, resets and timeouts back off and retry while time remains; other 4xx fail at once with
 * Slack's reason. Redirects are not followed (node-fetch would re-send a 301/302/303 as a bodiless
 * GET) and fail at once, as does a 2xx with any other body. No log line or error carries the URL.
 */
export async function postToSlack(
    fetchImpl: FetchLike,
    webhookUrl: string,
    message: SlackMessage,
    options: SlackPostOptions,
    clock: Clock = realClock,
): Promise<{ attempts: number }> {
    const body = JSON.stringify(message);
    let lastProblem = "no attempt was made before the deadline";
    for (let attempt = 1; ; attempt++) {
        const remaining = options.deadlineMs - clock.now();
        if (remaining <= 0) {
            throw slackUnavailableError(attempt - 1, lastProblem);
        }
        let waitMs: number;
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), Math.min(options.requestTimeoutMs, remaining));
        try {
            const response = await fetchImpl(webhookUrl, {
                method: "POST",
                headers: { "Content-Type": "application/json; charset=utf-8" },
                body,
                signal: controller.signal,
                redirect: "manual",
            });
            const raw = (await response.text()).trim();
            const answer = redactedExcerpt(raw, webhookUrl);
            if (response.status >= 200 && response.status < 300) {
                if (raw === "ok") {
                    return { attempts: attempt };
                }
                log("error", 'The Slack webhook answered 2xx without "ok"; the message is not counted as posted', {
                    status: response.status,
                    body: redactedExcerpt(raw, webhookUrl, 40),
                });
                throw slackNotOkError(response.status, redactedExcerpt(raw, webhookUrl, 40));
            }
            if (response.status >= 300 && response.status < 400) {
                // Neither the Location header nor the body is logged: either may carry the webhook's path.
                log("error", "The Slack webhook answered with a redirect; not following it", {
                    status: response.status,
                    hasLocation: response.headers.get("location") !== null,
                });
                throw slackRedirectError(response.status);
            }
            if (isPermanent(response.status)) {
                throw slackRejectedError(response.status, answer || "(empty body)");
            }
            lastProblem = `HTTP ${response.status} ${answer}`.trim();
            if (response.status === 429) {
                // Number(null) is 0: a missing header must fall back to Slack's one message per second.
                const header = response.headers.get("retry-after");
                const retryAfter = header === null || header.trim() === "" ? NaN : Number(header);
                waitMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 1000;
            } else {
                waitMs = backoff(attempt, options, clock);
            }
        } catch (err) {
            if ((err as Error).name === "SlackRejectedError") {
                throw err;
            }
            lastProblem = controller.signal.aborted
                ? `no answer within ${Math.min(options.requestTimeoutMs, remaining)} ms`
                : `network error: ${redactedExcerpt((err as Error).message, webhookUrl, 200)}`;
            waitMs = backoff(attempt, options, clock);
        } finally {
            clearTimeout(timer);
        }
        log("warn", "Slack did not accept the message; retrying", { attempt, problem: lastProblem, waitMs });
        if (clock.now() + waitMs >= options.deadlineMs) {
            throw slackUnavailableError(attempt, lastProblem);
        }
        await clock.sleep(waitMs);
    }
}

function backoff(attempt: number, options: SlackPostOptions, clock: Clock): number {
    const ceiling = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (clock.random() * ceiling) / 2);
}

// DynamoDB reports sustained throttling of batch calls as unprocessed items, not as an error; give
// up after a bounded number of rounds so the invocation fails (and is retried) instead of spinning.
const UNPROCESSED_ROUNDS = 8;

async function unprocessedBackoff(round: number, operation: string): Promise<void> {
    if (round >= UNPROCESSED_ROUNDS) {
        const err = new Error(`DynamoDB left items of ${operation} unprocessed after ${UNPROCESSED_ROUNDS} rounds.`);
        err.name = "ProvisionedThroughputExceededException";
        throw err;
    }
    await realClock.sleep(Math.min(1000, 50 * 2 ** round));
}

/** A log event as FilterLogEvents returns it. */
export interface LogEvent {
    message: string;
    timestamp: number;
}

/** The AWS calls the function makes, behind an interface so the logic can run against fakes. */
export interface AwsPorts {
    getSecureParameter(name: string): Promise<string>;
    filterLogEvents(logGroupName: string, pattern: string, window: TimeWindow): Promise<LogEvent[]>;
    store: StateStore;
}

/** Durable state: the per-rule cursor, which events are already in Slack, and the sweep lease. */
export interface StateStore {
    getCursor(ruleId: string): Promise<number | undefined>;
    setCursor(ruleId: string, atMs: number): Promise<void>;
    /** The ids among `keys` that have not been recorded as posted. */
    unposted(keys: readonly string[]): Promise<Set<string>>;
    markPosted(keys: readonly string[], expiresAtSeconds: number): Promise<void>;
    /** Takes the sweep lease unless another invocation holds an unexpired one. */
    acquireLease(owner: string, untilMs: number, nowMs: number): Promise<boolean>;
    releaseLease(owner: string): Promise<void>;
}

type Sdk = {
    ssm: typeof import("@aws-sdk/client-ssm");
    logs: typeof import("@aws-sdk/client-cloudwatch-logs");
    dynamodb: typeof import("@aws-sdk/client-dynamodb");
};

/**
 * Real AWS clients. The SDK comes from the Lambda runtime, so it is required here at cold start
 * rather than imported: an import would be followed by closure serialization into the package.
 */
export function createAwsPorts(tableName: string): AwsPorts {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const sdk: Sdk = {
        ssm: require("@aws-sdk/client-ssm"),
        logs: require("@aws-sdk/client-cloudwatch-logs"),
        dynamodb: require("@aws-sdk/client-dynamodb"),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    const ssm = new sdk.ssm.SSMClient({});
    const logs = new sdk.logs.CloudWatchLogsClient({});
    const ddb = new sdk.dynamodb.DynamoDBClient({});
    const D = sdk.dynamodb;

    const store: StateStore = {
        async getCursor(ruleId) {
            const out = await ddb.send(
                new D.GetItemCommand({ TableName: tableName, Key: { pk: { S: `cursor#${ruleId}` } }, ConsistentRead: true }),
            );
            const at = out.Item?.["at"]?.N;
            return at === undefined ? undefined : Number(at);
        },
        async setCursor(ruleId, atMs) {
            await ddb.send(
                new D.PutItemCommand({ TableName: tableName, Item: { pk: { S: `cursor#${ruleId}` }, at: { N: String(atMs) } } }),
            );
        },
        async unposted(keys) {
            const seen = new Set<string>();
            for (let i = 0; i < keys.length; i += 100) {
                let request: Record<string, { Keys: Array<Record<string, { S: string }>>; ConsistentRead: boolean }> | undefined = {
                    [tableName]: { Keys: keys.slice(i, i + 100).map((k) => ({ pk: { S: `posted#${k}` } })), ConsistentRead: true },
                };
                for (let round = 0; request && Object.keys(request).length > 0; round++) {
                    if (round > 0) {
                        await unprocessedBackoff(round, "BatchGetItem");
                    }
                    const out = await ddb.send(new D.BatchGetItemCommand({ RequestItems: request }));
                    for (const item of out.Responses?.[tableName] ?? []) {
                        const pk = item["pk"]?.S;
                        if (pk) {
                            seen.add(pk.slice("posted#".length));
                        }
                    }
                    request = out.UnprocessedKeys as typeof request;
                }
            }
            return new Set(keys.filter((k) => !seen.has(k)));
        },
        async markPosted(keys, expiresAtSeconds) {
            for (let i = 0; i < keys.length; i += 25) {
                let request: Record<string, Array<{ PutRequest: { Item: Record<string, { S: string } | { N: string }> } }>> | undefined = {
                    [tableName]: keys.slice(i, i + 25).map((k) => ({
                        PutRequest: { Item: { pk: { S: `posted#${k}` }, expiresAt: { N: String(expiresAtSeconds) } } },
                    })),
                };
                for (let round = 0; request && Object.keys(request).length > 0; round++) {
                    if (round > 0) {
                        await unprocessedBackoff(round, "BatchWriteItem");
                    }
                    const out = await ddb.send(new D.BatchWriteItemCommand({ RequestItems: request }));
                    request = out.UnprocessedItems as typeof request;
                }
            }
        },
        async acquireLease(owner, untilMs, nowMs) {
            try {
                await ddb.send(
                    new D.PutItemCommand({
                        TableName: tableName,
                        Item: { pk: { S: "lease" }, owner: { S: owner }, until: { N: String(untilMs) } },
                        ConditionExpression: "attribute_not_exists(pk) OR #until < :now OR #owner = :owner",
                        ExpressionAttributeNames: { "#until": "until", "#owner": "owner" },
                        ExpressionAttributeValues: { ":now": { N: String(nowMs) }, ":owner": { S: owner } },
                    }),
                );
                return true;
            } catch (err) {
                if ((err as Error).name === "ConditionalCheckFailedException") {
                    return false;
                }
                throw err;
            }
        },
        async releaseLease(owner) {
            try {
                await ddb.send(
                    new D.DeleteItemCommand({
                        TableName: tableName,
                        Key: { pk: { S: "lease" } },
                        ConditionExpression: "#owner = :owner",
                        ExpressionAttributeNames: { "#owner": "owner" },
                        ExpressionAttributeValues: { ":owner": { S: owner } },
                    }),
                );
            } catch (err) {
                if ((err as Error).name !== "ConditionalCheckFailedException") {
                    throw err;
                }
            }
        },
    };

    return {
        async getSecureParameter(name) {
            const out = await ssm.send(new sdk.ssm.GetParameterCommand({ Name: name, WithDecryption: true }));
            const value = out.Parameter?.Value;
            if (!value) {
                throw new Error(`SSM parameter ${name} has no value.`);
            }
            return value;
        },
        async filterLogEvents(logGroupName, pattern, window) {
            const events: LogEvent[] = [];
            let nextToken: string | undefined;
            do {
                const out = await logs.send(
                    new sdk.logs.FilterLogEventsCommand({
                        logGroupName,
                        filterPattern: pattern,
                        startTime: window.startMs,
                        endTime: window.endMs,
                        nextToken,
                    }),
                );
                for (const e of out.events ?? []) {
                    if (typeof e.message === "string") {
                        events.push({ message: e.message, timestamp: e.timestamp ?? 0 });
                    }
                }
                nextToken = out.nextToken;
            } while (nextToken);
            return events;
        },
        store,
    };
}
