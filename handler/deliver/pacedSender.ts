/** The one way the sweep reaches Slack: a per-container sender that paces, re-reads the webhook and honours rate limits. */
import { log } from "../common/log";
import type { SlackMessage } from "../decide/messages";
import {
    NO_ATTEMPT,
    postToSlack,
    rejectedStatus,
    slackRateLimitedError,
    slackUnavailableError,
    type FetchLike,
    type SlackPostOptions,
} from "./webhook";
import type { Clock } from "../common/types";
import type { HandlerSettings } from "../../shared/contract";

/** Posts one message before the deadline, paced for Slack; the sweep's only way to reach Slack. */
export type SendToSlack = (message: SlackMessage, deadlineMs: number) => Promise<void>;

// A warm container can live for hours (the sweep keeps it warm), so the webhook is read again at
// this age: a rotation reaches every container within one 5-minute sweep interval, and one
// GetParameter per container every 5 minutes is free and far inside SSM's throughput limit.
export const WEBHOOK_MAX_AGE_MS = 5 * 60 * 1000;

// Answers that mean the URL itself is gone (token revoked, webhook deleted, channel archived):
// worth asking the parameter whether it has been replaced.
const GONE_STATUSES = [403, 404, 410];

/** The webhook a container posts to, read from its parameter and re-read as it ages or is refused. */
interface WebhookCache {
    current(): Promise<string>;
    /** After Slack refused `url` as gone: the parameter's value if it now holds another URL. */
    replacementFor(url: string): Promise<string | undefined>;
}

function webhookCache(readWebhook: () => Promise<string>, clock: Clock, maxAgeMs: number): WebhookCache {
    let webhook: { url: string; readAtMs: number } | undefined;
    const reread = async (why: string): Promise<string | undefined> =>
        readWebhook().catch((err: Error) => {
            log("warn", why, { error: err.message, name: err.name });
            return undefined;
        });
    return {
        async current() {
            if (webhook === undefined) {
                webhook = { url: await readWebhook(), readAtMs: clock.now() };
            } else if (clock.now() - webhook.readAtMs >= maxAgeMs) {
                // The cached URL still works until Slack says otherwise; the next message tries again.
                const url = await reread("could not re-read the webhook parameter; using the cached value");
                webhook = url === undefined ? webhook : { url, readAtMs: clock.now() };
            }
            return webhook.url;
        },
        async replacementFor(url) {
            const fresh = await reread("could not re-read the webhook parameter after Slack refused the URL");
            if (fresh === undefined || fresh === url) {
                return undefined;
            }
            webhook = { url: fresh, readAtMs: clock.now() };
            return fresh;
        },
    };
}

/**
 * A sender for one container. It reads the webhook on first use and again once the value is
 * {@link WEBHOOK_MAX_AGE_MS} old, or at once when Slack says the URL is gone (403, 404, 410): if
 * the parameter then holds another URL, the message is posted there, once. It keeps Slack's pace
 * across the messages of every invocation the container serves, and remembers a 429's
 * Retry-After: until then nothing is posted, and a message whose deadline comes first fails at
 * once with SlackRateLimitedError.
 */
export function createPacedSender(
    settings: HandlerSettings,
    readWebhook: () => Promise<string>,
    fetchImpl: FetchLike,
    clock: Clock,
    maxWebhookAgeMs: number = WEBHOOK_MAX_AGE_MS,
): SendToSlack {
    const webhook = webhookCache(readWebhook, clock, maxWebhookAgeMs);
    const pace = { lastPostAt: 0, blockedUntilMs: 0 };

    // Slack allows about one message per second per webhook, and none before a 429's Retry-After.
    async function waitForTurn(deadlineMs: number): Promise<void> {
        if (pace.blockedUntilMs >= deadlineMs) {
            throw slackRateLimitedError(pace.blockedUntilMs, deadlineMs);
        }
        const gap = Math.max(pace.lastPostAt + settings.minPostIntervalMs, pace.blockedUntilMs) - clock.now();
        if (gap > 0) {
            if (clock.now() + gap >= deadlineMs) {
                throw slackUnavailableError(0, NO_ATTEMPT);
            }
            await clock.sleep(gap);
        }
    }

    return async function send(message: SlackMessage, deadlineMs: number) {
        const url = await webhook.current();
        await waitForTurn(deadlineMs);
        const options: SlackPostOptions = {
            deadlineMs,
            requestTimeoutMs: settings.slackTimeoutMs,
            backoffBaseMs: settings.slackBackoffBaseMs,
            backoffCapMs: settings.slackBackoffCapMs,
            onRateLimited: (untilMs) => {
                pace.blockedUntilMs = Math.max(pace.blockedUntilMs, untilMs);
            },
        };
        try {
            await postToSlack(fetchImpl, url, message, options, clock);
        } catch (err) {
            const status = rejectedStatus(err);
            const fresh = status !== undefined && GONE_STATUSES.includes(status) ? await webhook.replacementFor(url) : undefined;
            if (fresh === undefined) {
                throw err;
            }
            log("warn", "Slack refused the webhook URL and the parameter holds a new one; posting there", { status });
            await postToSlack(fetchImpl, fresh, message, options, clock);
        }
        pace.lastPostAt = clock.now();
    };
}
