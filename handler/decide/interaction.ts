/**
 * A button click as Slack sends it to the app's interactivity Request URL: an
 * `application/x-www-form-urlencoded` body whose one field, `payload`, holds a JSON-encoded
 * `block_actions` payload ("Handling user interaction in your Slack apps", and the reference
 * docs.slack.dev/reference/interaction-payloads/block_actions-payload, formerly
 * api.slack.com/reference/interaction-payloads/block-actions). Read only after the request's
 * signature is verified (slackSignature.ts): what it returns is as trustworthy as Slack.
 *
 * Of the payload it keeps what the answer needs: the workspace (`team.id`, or `user.team_id` where
 * an organization-wide install sends `team: null`), the person (`user.id`), the button
 * (`actions[0].action_id` and `.value`), the `response_url` to update the message through, and
 * where the message is (`container.channel_id` and `.message_ts`, or `channel.id` and
 * `message.ts`).
 */
import { WEBHOOK_HOSTS } from "../../shared/webhook";

/**
 * The largest body read, in bytes. A click's payload carries the whole message the button is in,
 * as the app posted it, plus the user, team, channel and container: for the function's own question
 * (test/slackInteraction.spec.ts) that is 3.9 KB form-encoded, and form encoding never more than
 * triples JSON (each byte at most `%XX`). 64 KiB leaves room for a
 * question many times longer, and for what Slack adds to the message (its bot profile), while
 * keeping the parse of a hostile body small; a Lambda function URL itself takes up to 6 MB.
 */
export const MAX_INTERACTION_BODY_BYTES = 64 * 1024;

/** One button click, as the answer needs it. */
export interface ButtonClick {
    teamId: string;
    userId: string;
    actionId: string;
    value: string;
    /** Slack's short-lived webhook for replacing or answering the message (30 minutes, 5 uses). */
    responseUrl: string;
    channelId?: string;
    messageTs?: string;
}

export type InteractionReading = { ok: true; click: ButtonClick } | { ok: false; reason: string };

type Json = Record<string, unknown>;

function objectAt(value: unknown): Json | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function textAt(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** The payload's JSON object, or why there is none. */
function payloadOf(body: string): Json | string {
    const bytes = Buffer.byteLength(body, "utf8");
    if (bytes > MAX_INTERACTION_BODY_BYTES) {
        return `the body is ${bytes} bytes, more than ${MAX_INTERACTION_BODY_BYTES}`;
    }
    const raw = new URLSearchParams(body).get("payload");
    if (raw === null) {
        return "the body has no payload field";
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        return "the payload is not JSON";
    }
    return objectAt(parsed) ?? "the payload is not a JSON object";
}

/** The one action of a button click, or why the payload is not one. */
function actionOf(payload: Json): Json | string {
    if (payload["type"] !== "block_actions") {
        const type = payload["type"];
        return typeof type === "string"
            ? `the payload's type is ${JSON.stringify(type.slice(0, 40))}, not block_actions`
            : "the payload has no type";
    }
    const actions = payload["actions"];
    if (!Array.isArray(actions) || actions.length === 0) {
        return "the payload has no actions";
    }
    // A button click carries exactly one; more would leave open which answer the person gave.
    if (actions.length > 1) {
        return `the payload has ${actions.length} actions, not one`;
    }
    return objectAt(actions[0]) ?? "the payload's action is not an object";
}

/** Whether a click's response_url is Slack's: https on its hooks host, with neither port nor credentials. */
export function isSlackResponseUrl(value: string): boolean {
    try {
        const url = new URL(value);
        return url.protocol === "https:" && WEBHOOK_HOSTS.includes(url.hostname) && !url.port && !url.username;
    } catch {
        return false;
    }
}

/** Where the message is: the container names it for messages; `channel` and `message` say the same. */
function placeOf(payload: Json): Pick<ButtonClick, "channelId" | "messageTs"> {
    const container = objectAt(payload["container"]);
    const channelId = textAt(container?.["channel_id"]) ?? textAt(objectAt(payload["channel"])?.["id"]);
    const messageTs = textAt(container?.["message_ts"]) ?? textAt(objectAt(payload["message"])?.["ts"]);
    return { ...(channelId ? { channelId } : {}), ...(messageTs ? { messageTs } : {}) };
}

/** Reads a verified interactivity request's body as one button click, or says why it is not one. */
export function readButtonClick(body: string): InteractionReading {
    const payload = payloadOf(body);
    if (typeof payload === "string") {
        return { ok: false, reason: payload };
    }
    const action = actionOf(payload);
    if (typeof action === "string") {
        return { ok: false, reason: action };
    }
    const user = objectAt(payload["user"]);
    const teamId = textAt(objectAt(payload["team"])?.["id"]) ?? textAt(user?.["team_id"]);
    const userId = textAt(user?.["id"]);
    const actionId = textAt(action["action_id"]);
    const value = textAt(action["value"]);
    const responseUrl = textAt(payload["response_url"]);
    const missing = [
        teamId ? "" : "team.id",
        userId ? "" : "user.id",
        actionId ? "" : "actions[0].action_id",
        value ? "" : "actions[0].value",
        responseUrl ? "" : "response_url",
    ].filter(Boolean);
    if (!teamId || !userId || !actionId || !value || !responseUrl) {
        return { ok: false, reason: `the payload has no ${missing.join(", ")}` };
    }
    if (!isSlackResponseUrl(responseUrl)) {
        return { ok: false, reason: `the response_url is not an https URL on ${WEBHOOK_HOSTS.join(" or ")}` };
    }
    return { ok: true, click: { teamId, userId, actionId, value, responseUrl, ...placeOf(payload) } };
}
