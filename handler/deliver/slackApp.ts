/**
 * The Slack app of "Was this you?": its Web API calls with the bot token from SSM, the workspace
 * the token belongs to, and the ephemeral replies to a click. One per container; the calls of a
 * run stop at that run's deadline.
 */
import { createSlackApi, type SlackApi } from "./slackApi";
import { WEBHOOK_MAX_AGE_MS } from "./pacedSender";
import type { EphemeralReply } from "../decide/questionMessages";
import type { FetchLike } from "./webhook";
import type { AwsPorts, Clock } from "../common/types";
import type { HandlerSettings } from "../../shared/contract";
import { WEBHOOK_HOSTS } from "../../shared/webhook";

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

function responseUrlProblem(responseUrl: string): string | undefined {
    try {
        const url = new URL(responseUrl);
        return url.protocol === "https:" && WEBHOOK_HOSTS.includes(url.hostname) ? undefined : "is not on Slack's hooks host";
    } catch {
        return "is not a URL";
    }
}

export function createSlackApp(settings: HandlerSettings, aws: AwsPorts, fetch: FetchLike, clock: Clock): SlackApp {
    const confirm = settings.confirm;
    if (!confirm) {
        return NO_SLACK_APP;
    }
    // Read at most every five minutes, as the webhook is: a rotated token takes effect without a redeploy.
    let token: { value: string; readAtMs: number } | undefined;
    const readToken = async (): Promise<string> => {
        if (!token || clock.now() - token.readAtMs > WEBHOOK_MAX_AGE_MS) {
            token = { value: (await aws.getSecureParameter(confirm.botTokenParameterName)).trim(), readAtMs: clock.now() };
        }
        return token.value;
    };
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
            const problem = responseUrlProblem(responseUrl);
            if (problem) {
                throw new Error(`the click's response_url ${problem}; no reply was sent`);
            }
            const answer = await fetch(responseUrl, {
                method: "POST",
                headers: { "Content-Type": "application/json; charset=utf-8" },
                body: JSON.stringify(reply),
                signal: AbortSignal.timeout(settings.slackTimeoutMs),
                redirect: "manual",
            });
            if (answer.status !== 200) {
                throw new Error(`Slack answered the reply to a click with HTTP ${answer.status}`);
            }
        },
    };
}
