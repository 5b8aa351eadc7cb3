/**
 * The Slack app of "Was this you?": its Web API calls with the bot token from SSM, the workspace
 * the token belongs to, and the ephemeral replies to a click. One per container; the calls of a
 * run stop at that run's deadline.
 */
import { createSlackApi, type SlackApi } from "./slackApi";
import { refreshedEvery } from "../common/refreshed";
import { WEBHOOK_MAX_AGE_MS } from "./pacedSender";
import type { EphemeralReply } from "../decide/questionMessages";
import { isSlackResponseUrl } from "../decide/interaction";
import { redactedExcerpt, timedPost, type FetchLike } from "./webhook";
import type { AwsPorts, Clock } from "../common/types";
import type { HandlerSettings } from "../../shared/contract";

export interface SlackApp {
    /** The Web API, its calls bounded by `deadlineMs`. */
    api(deadlineMs: number): SlackApi;
    /** The workspace the bot token belongs to (auth.test), asked once per container. */
    teamId(deadlineMs: number): Promise<string>;
    /** Replies to a click through its response_url, which only Slack's own hosts may be. */
    reply(responseUrl: string, reply: EphemeralReply): Promise<void>;
}

/** The port of a stack that asks nobody: features follow settings, so nothing calls it. */
export const NO_SLACK_APP: SlackApp = {
    api: () => {
        throw new Error("the stack asks nobody: it has no Slack app");
    },
    teamId: () => Promise.reject(new Error("the stack asks nobody: it has no Slack app")),
    reply: () => Promise.reject(new Error("the stack asks nobody: it has no Slack app")),
};

export function createSlackApp(settings: HandlerSettings, aws: AwsPorts, fetch: FetchLike, clock: Clock): SlackApp {
    const confirm = settings.confirm;
    if (!confirm) {
        return NO_SLACK_APP;
    }
    // Read at most every five minutes, as the webhook is.
    const readToken = refreshedEvery(
        async () => (await aws.getSecureParameter(confirm.botTokenParameterName)).trim(),
        () => clock.now(),
        WEBHOOK_MAX_AGE_MS,
    );
    const options = {
        fetch,
        readToken,
        tokenSource: confirm.botTokenParameterName,
        clock,
        requestTimeoutMs: settings.slackTimeoutMs,
        backoffBaseMs: settings.slackBackoffBaseMs,
        backoffCapMs: settings.slackBackoffCapMs,
    };
    let team: string | undefined;
    return {
        api: (deadlineMs) => createSlackApi({ ...options, deadlineMs }),
        teamId: async (deadlineMs) => (team ??= (await createSlackApi({ ...options, deadlineMs }).authTest()).teamId),
        reply: async (responseUrl, reply) => {
            // Read from a click whose signature held, and checked there; checked again before anything is sent to it.
            if (!isSlackResponseUrl(responseUrl)) {
                throw new Error("the click's response_url is not an https URL on Slack's hooks host; no reply was sent");
            }
            const request = { headers: { "Content-Type": "application/json; charset=utf-8" }, body: JSON.stringify(reply) };
            const timing = { timeoutMs: settings.slackTimeoutMs, cutByDeadline: false };
            const answer = await timedPost(fetch, responseUrl, request, timing, (m) => redactedExcerpt(m, responseUrl, 200));
            if ("problem" in answer) {
                throw new Error(`Slack did not take the reply to a click: ${answer.problem}`);
            }
            if (answer.status !== 200) {
                throw new Error(`Slack answered the reply to a click with HTTP ${answer.status}`);
            }
        },
    };
}
