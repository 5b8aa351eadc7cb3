/**
 * The local Slack Web API: an HTTP stand-in for the methods "Was this you?" calls with the Slack
 * app's bot token (auth.test, users.lookupByEmail, chat.postMessage, chat.update), answering as Slack
 * documents them (docs.slack.dev/reference/methods/<method>, "Errors"), with a directory of people,
 * the messages the app posted (updated in place), Block Kit checks (slackLimits.ts, and the
 * actions block below), scripted answers such as a 429 with Retry-After, and a record of every
 * request without the token. Also what Slack sends the app's interactivity endpoint: a signed
 * `block_actions` click (`signedInteraction`, `buttonClick`).
 */
import { createHmac } from "crypto";
import type * as http from "http";
import { SLACK_API_HOSTS } from "../../handler/deliver/slackApi";
import { HttpStandIn } from "./httpStandIn";
import { validateWebhookPayload } from "./slackLimits";

export { SLACK_API_HOSTS };

/** The deployed function's runner leads the Web API's hosts to the origin this variable names (deployedFunction.ts). */
export const SLACK_API_ORIGIN_VARIABLE = "__SLACK_API_ORIGIN";

export type SlackApiMethod = "auth.test" | "users.lookupByEmail" | "chat.postMessage" | "chat.update";
const METHODS: readonly string[] = ["auth.test", "users.lookupByEmail", "chat.postMessage", "chat.update"];

/** A person of the workspace's directory. */
export interface DirectoryUser {
    id: string;
    email: string;
    /** A deactivated account: users.lookupByEmail answers users_not_found for it. */
    deactivated?: boolean;
}

/** One scripted answer to a method; once a method's script runs out it answers as Slack would. */
export interface ScriptedApiAnswer {
    /** 200 unless given. */
    status?: number;
    /** A JSON object, or a raw text body. */
    body?: Record<string, unknown> | string;
    headers?: Record<string, string>;
    /** Hold the answer this long (to exceed the client's timeout). */
    delayMs?: number;
    /** Drop the connection without answering. */
    reset?: boolean;
    /** Slack carried the call out (posted or updated the message) before the answer went wrong. */
    tookIt?: boolean;
}

/** A 429 as Slack sends it when a method's rate limit is exceeded (docs.slack.dev/apis/web-api/rate-limits). */
export function rateLimitedAnswer(retryAfterSeconds: number): ScriptedApiAnswer {
    return { status: 429, headers: { "retry-after": String(retryAfterSeconds) }, body: { ok: false, error: "ratelimited" } };
}

/** A message the app posted, as it stands now. */
export interface KeptMessage {
    channel: string;
    ts: string;
    text: string;
    blocks: unknown[];
    /** The message's earlier states, oldest first: one per chat.update. */
    history: Array<{ text: string; blocks: unknown[] }>;
}

export interface SlackApiRequest {
    at: number;
    /** The Web API method, from the path (`/api/<method>`). */
    method: string;
    httpMethod: string;
    /** Every header as received, the Authorization header's token replaced by `[token]`. */
    headers: Record<string, string>;
    /** Whether the request carried the bot token the stand-in accepts, another one, or none. */
    token: "accepted" | "other" | "missing";
    /** The arguments from the query, the form or the JSON body, without a `token` argument. */
    args: Record<string, unknown>;
    answeredWith: number | "reset" | "timeout";
    /** Slack's answer, when one was sent. */
    answer?: Record<string, unknown> | string;
}

type Json = Record<string, unknown>;
type Outcome = { status: number; body: Json; headers?: Record<string, string> };

const ok = (fields: Json = {}): Outcome => ({ status: 200, body: { ok: true, ...fields } });
const fail = (error: string, fields: Json = {}): Outcome => ({ status: 200, body: { ok: false, error, ...fields } });

/**
 * Slack's documented limits for the actions block and its buttons, which slackLimits.ts (the
 * webhook's blocks) does not know: actions block, elements "There is a maximum of 25 elements in
 * each action block" (docs.slack.dev/reference/block-kit/blocks/actions-block); button element,
 * text "Can only be of type: plain_text … Maximum length for the text in this field is 75
 * characters", action_id "Maximum length is 255 characters", value "Maximum length is 2000
 * characters", style "primary" or "danger" (…/block-elements/button-element).
 */
export const SLACK_ACTIONS_LIMITS = {
    elementsPerActionsBlock: 25,
    buttonTextChars: 75,
    actionIdChars: 255,
    buttonValueChars: 2000,
} as const;

const BUTTON_STYLES = ["primary", "danger"];

function buttonProblem(where: string, element: unknown, actionIds: Set<string>): string | undefined {
    const button = (typeof element === "object" && element !== null ? element : {}) as Json;
    const text = (button["text"] ?? {}) as Json;
    if (button["type"] !== "button") {
        // Other interactive elements exist; this project sends none.
        return `${where}.type ${JSON.stringify(button["type"])} is not an element this stand-in knows`;
    }
    if (text["type"] !== "plain_text" || typeof text["text"] !== "string" || text["text"] === "") {
        return `${where}.text is not a non-empty plain_text object`;
    }
    if (text["text"].length > SLACK_ACTIONS_LIMITS.buttonTextChars) {
        return `${where}.text.text is ${text["text"].length} characters, more than ${SLACK_ACTIONS_LIMITS.buttonTextChars}`;
    }
    const actionId = button["action_id"];
    if (
        actionId !== undefined &&
        (typeof actionId !== "string" || actionId.length > SLACK_ACTIONS_LIMITS.actionIdChars || actionIds.has(actionId))
    ) {
        return `${where}.action_id is not a unique string of at most ${SLACK_ACTIONS_LIMITS.actionIdChars} characters`;
    }
    if (typeof actionId === "string") {
        actionIds.add(actionId);
    }
    const value = button["value"];
    if (value !== undefined && (typeof value !== "string" || value.length > SLACK_ACTIONS_LIMITS.buttonValueChars)) {
        return `${where}.value is not a string of at most ${SLACK_ACTIONS_LIMITS.buttonValueChars} characters`;
    }
    if (button["style"] !== undefined && !BUTTON_STYLES.includes(String(button["style"]))) {
        return `${where}.style is ${JSON.stringify(button["style"])}, not primary or danger`;
    }
    return undefined;
}

function actionsBlockProblem(where: string, block: Json): string | undefined {
    const elements = block["elements"];
    if (!Array.isArray(elements) || elements.length === 0) {
        return `${where}.elements is not a non-empty array`;
    }
    if (elements.length > SLACK_ACTIONS_LIMITS.elementsPerActionsBlock) {
        return `${where} has ${elements.length} elements, more than ${SLACK_ACTIONS_LIMITS.elementsPerActionsBlock}`;
    }
    // "Should be unique among all other action_ids in the containing block."
    const actionIds = new Set<string>();
    for (const [i, element] of elements.entries()) {
        const problem = buttonProblem(`${where}.elements[${i}]`, element, actionIds);
        if (problem) {
            return problem;
        }
    }
    return undefined;
}

/**
 * Slack's answer to a message's text and blocks: undefined when it takes them, else chat.postMessage's
 * and chat.update's error (invalid_blocks, invalid_blocks_format, no_text) with the reason in `errors`.
 * Actions blocks are checked here and stand as dividers for slackLimits.ts, so that its block count
 * and indices stay those of the message.
 */
export function messageProblem(text: unknown, blocks: unknown): Outcome | undefined {
    let standIns = blocks;
    if (Array.isArray(blocks)) {
        for (const [i, block] of blocks.entries()) {
            if (typeof block === "object" && block !== null && (block as Json)["type"] === "actions") {
                const problem = actionsBlockProblem(`blocks[${i}]`, block as Json);
                if (problem) {
                    return fail("invalid_blocks", { errors: [problem] });
                }
            }
        }
        standIns = blocks.map((b) => (typeof b === "object" && b !== null && (b as Json)["type"] === "actions" ? { type: "divider" } : b));
    }
    const verdict = validateWebhookPayload(JSON.stringify({ text, blocks: standIns }));
    if (verdict.status === 200) {
        return undefined;
    }
    // The webhook's invalid_payload (text that is not a string) is the Web API's invalid_arguments.
    const error = verdict.body === "invalid_payload" ? "invalid_arguments" : verdict.body;
    return fail(error, verdict.reason ? { errors: [verdict.reason] } : {});
}

/** A request's arguments: its query, then its form or JSON body; or the Web API's error for a body it cannot read. */
function argsOf(req: http.IncomingMessage, raw: string): Json | Outcome {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const args: Json = Object.fromEntries(url.searchParams);
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (raw === "") {
        return args;
    }
    if (type === "application/x-www-form-urlencoded") {
        return { ...args, ...Object.fromEntries(new URLSearchParams(raw)) };
    }
    if (type !== "application/json") {
        return fail("invalid_post_type");
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        return fail("invalid_json");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return fail("json_not_object");
    }
    return { ...args, ...(parsed as Json) };
}

function isOutcome(value: Json | Outcome): value is Outcome {
    return typeof (value as Outcome).status === "number" && typeof (value as Outcome).body === "object";
}

/** A form's `blocks` argument is "a JSON-based array of structured blocks, presented as a URL-encoded string". */
function blocksArg(value: unknown): unknown {
    if (typeof value !== "string") {
        return value;
    }
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return value;
    }
}

/** Headers as received, with the bearer token's value replaced. */
function recordedHeaders(req: http.IncomingMessage): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
        const text = Array.isArray(value) ? value.join(", ") : (value ?? "");
        headers[name] = name === "authorization" ? text.replace(/^(\S+\s+).*$/, "$1[token]") : text;
    }
    return headers;
}

/**
 * A local stand-in for Slack's Web API at `<origin>/api/<method>`. It accepts one bot token (in the
 * Authorization header as `Bearer <token>`, or as a `token` argument) and answers not_authed without
 * one, invalid_auth for another, and token_revoked, account_inactive or token_expired once
 * {@link refuseToken} says so. A user id as chat.postMessage's channel posts to the app's direct
 * message with that person, `D` and the id's other characters; chat.update wants that `D…` id, as
 * Slack does ("For direct messages, ensure that this value is a DM ID (starts with D) instead of a
 * User ID"). Slack's pages do not say what posting to a deactivated person answers: here
 * channel_not_found.
 */
export class LocalSlackApi extends HttpStandIn {
    /** The people of the workspace, by email address (matched without regard to case). */
    readonly users = new Map<string, DirectoryUser>();
    /** Channels other than direct messages that the app may post to. */
    readonly channels = new Set<string>();
    readonly messages: KeptMessage[] = [];
    readonly requests: SlackApiRequest[] = [];
    /** What Slack answers for the accepted token once the app is removed or its token revoked; undefined while it is valid. */
    tokenRefusal: "token_revoked" | "account_inactive" | "token_expired" | undefined;
    private readonly scripts = new Map<string, ScriptedApiAnswer[]>();
    private sequence = 0;

    /**
     * `botToken` is the one token it accepts, shaped unlike a real token so that no secret scanner
     * mistakes it for one; `teamId` is the workspace's id, which auth.test answers.
     */
    constructor(
        readonly botToken = "xoxb-local-stand-in-bot-token",
        readonly teamId = "T0EXAMPLE",
    ) {
        super();
    }

    /** Where the methods are, for a client in this process: `<origin>/api/`. */
    get apiUrl(): string {
        return `${this.origin}/api/`;
    }

    /** The runner's environment that leads Slack's Web API hosts here (deployedFunction.ts). */
    env(): Record<string, string> {
        return { [SLACK_API_ORIGIN_VARIABLE]: this.origin };
    }

    addUser(user: DirectoryUser): this {
        this.users.set(user.email.toLowerCase(), user);
        return this;
    }

    /** The direct message channel of the app with a person, as chat.postMessage answers it. */
    dmChannelOf(userId: string): string {
        return `D${userId.slice(1)}`;
    }

    /** The message as it stands now, or undefined. */
    message(channel: string, ts: string): KeptMessage | undefined {
        return this.messages.find((m) => m.channel === channel && m.ts === ts);
    }

    /** Answers the next calls of `method` with these, in order, before answering as Slack would again. */
    script(method: SlackApiMethod, ...answers: ScriptedApiAnswer[]): void {
        this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...answers]);
    }

    /** The next `times` calls of `method` are refused with 429 and this Retry-After. */
    rateLimit(method: SlackApiMethod, retryAfterSeconds: number, times = 1): void {
        this.script(method, ...Array.from({ length: times }, () => rateLimitedAnswer(retryAfterSeconds)));
    }

    /** From now on the accepted token is refused with `error`: the app removed (token_revoked) or its workspace gone (account_inactive). */
    refuseToken(error: NonNullable<LocalSlackApi["tokenRefusal"]> = "token_revoked"): void {
        this.tokenRefusal = error;
    }

    /** Forgets requests, messages and scripts and takes the token again; the directory and channels stay. */
    reset(): void {
        this.requests.length = 0;
        this.messages.length = 0;
        this.scripts.clear();
        this.tokenRefusal = undefined;
    }

    protected handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
        const method = /^\/api\/([^?]+)/.exec(req.url ?? "")?.[1] ?? "";
        const parsed = argsOf(req, body.toString("utf8"));
        const { token: formToken, ...args } = isOutcome(parsed) ? {} : parsed;
        const bearer = /^Bearer\s+(.+)$/i.exec(req.headers["authorization"] ?? "")?.[1] ?? formToken;
        const token = bearer === undefined || bearer === "" ? "missing" : bearer === this.botToken ? "accepted" : "other";
        const record: SlackApiRequest = {
            at: Date.now(),
            method,
            httpMethod: req.method ?? "",
            headers: recordedHeaders(req),
            token,
            args,
            answeredWith: 200,
        };
        this.requests.push(record);
        const scripted = this.scripts.get(method)?.shift();
        if (scripted && !scripted.tookIt) {
            this.send(req, res, record, scripted);
            return;
        }
        // A call Slack carries out before its scripted answer goes wrong has its effects all the same.
        const outcome = isOutcome(parsed) ? parsed : this.answer(method, args, token);
        this.send(req, res, record, scripted ?? this.withCharsetWarning(req, outcome));
    }

    // Slack answers a JSON body sent without a charset with the warning missing_charset ("Using the Slack Web API").
    private withCharsetWarning(req: http.IncomingMessage, outcome: Outcome): Outcome {
        const type = req.headers["content-type"] ?? "";
        if (outcome.body["ok"] !== true || !/^application\/json/i.test(type) || /charset=/i.test(type)) {
            return outcome;
        }
        return { ...outcome, body: { ...outcome.body, warning: "missing_charset", response_metadata: { warnings: ["missing_charset"] } } };
    }

    private answer(method: string, args: Json, token: SlackApiRequest["token"]): Outcome {
        if (!METHODS.includes(method)) {
            return { status: 404, body: { ok: false, error: "unknown_method" } };
        }
        if (token !== "accepted") {
            return fail(token === "missing" ? "not_authed" : "invalid_auth");
        }
        if (this.tokenRefusal) {
            return fail(this.tokenRefusal);
        }
        if (method === "auth.test") {
            return ok({
                url: "https://example.slack.com/",
                team: "Example",
                user: "login-alerts",
                team_id: this.teamId,
                user_id: "U0LOCALBOT",
                bot_id: "B0LOCALBOT",
            });
        }
        if (method === "users.lookupByEmail") {
            return this.lookup(args);
        }
        return method === "chat.postMessage" ? this.post(args) : this.update(args);
    }

    private lookup(args: Json): Outcome {
        const email = typeof args["email"] === "string" ? args["email"] : "";
        const user = this.users.get(email.toLowerCase());
        // "If the user has been deactivated, users_not_found will be returned instead of a user object."
        if (!user || user.deactivated) {
            return fail("users_not_found");
        }
        return ok({ user: { id: user.id, name: user.email.split("@")[0], deleted: false, is_bot: false, profile: { email: user.email } } });
    }

    private activeUser(id: string): DirectoryUser | undefined {
        return [...this.users.values()].find((u) => u.id === id && !u.deactivated);
    }

    /** The channel a message to `target` goes to: a person's direct message (by user id or `D…` id), or a known channel. */
    private channelOf(target: string): string | undefined {
        if (this.activeUser(target)) {
            return this.dmChannelOf(target);
        }
        const isDm = [...this.users.values()].some((u) => !u.deactivated && this.dmChannelOf(u.id) === target);
        return isDm || this.channels.has(target) ? target : undefined;
    }

    private post(args: Json): Outcome {
        const target = typeof args["channel"] === "string" ? args["channel"] : "";
        const channel = this.channelOf(target);
        if (!channel) {
            return fail("channel_not_found");
        }
        const blocks = blocksArg(args["blocks"]);
        const problem = messageProblem(args["text"], blocks);
        if (problem) {
            return problem;
        }
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.sequence).padStart(6, "0")}`;
        const message: KeptMessage = {
            channel,
            ts,
            text: String(args["text"] ?? ""),
            blocks: Array.isArray(blocks) ? blocks : [],
            history: [],
        };
        this.messages.push(message);
        return ok({ channel, ts, message: { type: "message", text: message.text, blocks: message.blocks, ts, bot_id: "B0LOCALBOT" } });
    }

    private update(args: Json): Outcome {
        const channel = typeof args["channel"] === "string" ? args["channel"] : "";
        const message = this.message(channel, typeof args["ts"] === "string" ? args["ts"] : "");
        if (!message) {
            // A user id is not the direct message's channel: Slack finds no channel by it.
            return fail(this.activeUser(channel) || !/^[CDG]/.test(channel) ? "channel_not_found" : "message_not_found");
        }
        // "If you don't include this field, the message's previous blocks will be retained. To remove
        // previous blocks, include an empty array for this field." (chat.update, blocks)
        const blocks = args["blocks"] === undefined ? message.blocks : blocksArg(args["blocks"]);
        const text = typeof args["text"] === "string" ? args["text"] : message.text;
        const problem = messageProblem(text, blocks);
        if (problem) {
            return problem;
        }
        message.history.push({ text: message.text, blocks: message.blocks });
        message.text = text;
        message.blocks = Array.isArray(blocks) ? blocks : [];
        return ok({ channel, ts: message.ts, text, message: { text, blocks: message.blocks } });
    }

    private send(req: http.IncomingMessage, res: http.ServerResponse, record: SlackApiRequest, answer: ScriptedApiAnswer | Outcome): void {
        if ("reset" in answer && answer.reset) {
            record.answeredWith = "reset";
            req.socket.destroy();
            return;
        }
        const status = answer.status ?? 200;
        const body = answer.body ?? { ok: true };
        const text = typeof body === "string" ? body : JSON.stringify(body);
        const type = typeof body === "string" ? "text/plain" : "application/json; charset=utf-8";
        record.answeredWith = status;
        const respond = () => {
            if (res.destroyed || req.socket.destroyed) {
                record.answeredWith = "timeout";
                return;
            }
            record.answer = body;
            res.writeHead(status, { "content-type": type, ...(answer.headers ?? {}) });
            res.end(text);
        };
        const delayMs = "delayMs" in answer ? answer.delayMs : undefined;
        if (delayMs) {
            setTimeout(respond, delayMs);
        } else {
            respond();
        }
    }
}

/** An interactivity request as Slack sends it to the app's Request URL: the form body and its headers. */
export interface SignedInteraction {
    body: string;
    headers: Record<string, string>;
}

/**
 * Signs a payload the way Slack does ("Verifying requests from Slack"): the body is
 * `payload=<the JSON, form-encoded>`, the signature `v0=` and the hex HMAC-SHA256 of
 * `v0:<timestamp>:<body>` under the signing secret. Written apart from the handler's verifier, so
 * that a test of one against the other checks the scheme and not the same code twice. `retry` adds
 * Slack's X-Slack-Retry-Num and X-Slack-Retry-Reason headers of a delivery it tries again.
 */
export function signedInteraction(options: {
    signingSecret: string;
    payload: unknown;
    timestampSeconds: number;
    retry?: { num: number; reason: string };
}): SignedInteraction {
    const body = `payload=${encodeURIComponent(JSON.stringify(options.payload))}`;
    const timestamp = String(options.timestampSeconds);
    const signature = createHmac("sha256", options.signingSecret).update(`v0:${timestamp}:${body}`).digest("hex");
    return {
        body,
        headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": `v0=${signature}`,
            ...(options.retry ? { "X-Slack-Retry-Num": String(options.retry.num), "X-Slack-Retry-Reason": options.retry.reason } : {}),
        },
    };
}

/** Who clicked, and where Slack says the click came from. */
export interface Clicker {
    userId: string;
    teamId: string;
    /** The short-lived webhook Slack hands the app with the click; one on hooks.slack.com unless given. */
    responseUrl?: string;
    /** When the button was clicked, in epoch seconds (the action's `action_ts`). */
    atSeconds?: number;
}

/**
 * The `block_actions` payload Slack sends when `clicker` clicks the button `actionId` of a message the
 * app posted (docs.slack.dev/reference/interaction-payloads/block_actions-payload): the button's
 * block id, text, style and value come from the message as it stands, and the payload carries the
 * whole message, as Slack's does. Throws when the message has no such button.
 */
export function buttonClick(message: KeptMessage, actionId: string, clicker: Clicker): Json {
    const located = message.blocks
        .map((b) => b as Json)
        .filter((b) => b["type"] === "actions")
        .flatMap((b) => (b["elements"] as Json[]).map((element) => ({ blockId: b["block_id"], element })))
        .find(({ element }) => element["action_id"] === actionId);
    if (!located) {
        throw new Error(`the message ${message.ts} in ${message.channel} has no button ${actionId}`);
    }
    const at = clicker.atSeconds ?? Math.floor(Date.now() / 1000);
    const { element } = located;
    return {
        type: "block_actions",
        user: { id: clicker.userId, username: "person", name: "person", team_id: clicker.teamId },
        api_app_id: "A0LOCALAPP",
        // The deprecated verification token: still sent, never to be relied on.
        token: "verification-token-not-used",
        container: { type: "message", message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
        trigger_id: `${at}.111122223333.0123456789abcdef0123456789abcdef`,
        team: { id: clicker.teamId, domain: "example" },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: message.channel, name: "directmessage" },
        message: {
            type: "message",
            subtype: "bot_message",
            text: message.text,
            ts: message.ts,
            bot_id: "B0LOCALBOT",
            blocks: message.blocks,
        },
        state: { values: {} },
        response_url: clicker.responseUrl ?? `https://hooks.slack.com/actions/${clicker.teamId}/1234567890123/ResponseUrlSecretPart0001`,
        actions: [
            {
                action_id: actionId,
                block_id: located.blockId ?? "",
                text: element["text"],
                value: element["value"],
                ...(element["style"] ? { style: element["style"] } : {}),
                type: "button",
                action_ts: `${at}.000100`,
            },
        ],
    };
}
