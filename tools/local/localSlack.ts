/**
 * The local Slack incoming webhook: an HTTP stand-in that records every request and answers as
 * scripted, or as Slack would under its Block Kit limits (slackLimits.ts).
 */
import type * as http from "http";
import { HttpStandIn } from "./httpStandIn";
import { validateWebhookPayload } from "./slackLimits";

export { SLACK_BLOCK_LIMITS, slackLength, validateWebhookPayload } from "./slackLimits";

/** The deployed function's runner leads Slack's webhook hosts to the origin this variable names (deployedFunction.ts). */
export const SLACK_ORIGIN_VARIABLE = "__SLACK_ORIGIN";

/** One scripted answer of the local webhook; once the script runs out it answers as Slack would (see `validateWebhookPayload`). */
export interface SlackAnswer {
    /** An explicit status skips the payload check: the answer is sent as scripted. */
    status?: number;
    body?: string;
    headers?: Record<string, string>;
    /** Hold the answer this long (to exceed the client's timeout). */
    delayMs?: number;
    /** Drop the connection without answering. */
    reset?: boolean;
    /**
     * Answer with a redirect to this path (or absolute URL) in the Location header, with `status`
     * (302 unless given) and an empty body.
     */
    redirectTo?: string;
    /**
     * Slack posted the message to the channel before the answer went wrong (a reset, a stall past
     * the client's timeout, a 5xx): the request counts as delivered whatever the client saw.
     */
    tookIt?: boolean;
}

export interface SlackRequest {
    at: number;
    method: string;
    path: string;
    contentType: string | undefined;
    payload: unknown;
    answeredWith: number | "reset" | "timeout";
    /** The body of the answer, when one was sent. */
    answeredBody?: string;
    /** Why the stand-in refused the payload, the way Slack would; for the tests' messages. */
    rejection?: string;
    /** Slack posted the message although its answer was a failure (see `SlackAnswer.tookIt`). */
    tookIt?: boolean;
}

/**
 * A local stand-in for a Slack incoming webhook. Unless scripted otherwise it checks each payload
 * against Slack's documented Block Kit limits and answers like Slack does: 200 "ok", or 400
 * "invalid_blocks", "invalid_blocks_format", "invalid_payload" or "no_text". Scripted answers can
 * be 403 "invalid_token", 404 "no_service", 410 "channel_is_archived", 429 with Retry-After, 5xx,
 * a redirect; and it can reset connections or stall. It records the method of every request.
 */
export class LocalSlack extends HttpStandIn {
    readonly requests: SlackRequest[] = [];
    private script: SlackAnswer[] = [];
    /** Answers given on a path whatever the script says, e.g. 404 "no_service" for a revoked webhook. */
    private readonly pathAnswers = new Map<string, SlackAnswer>();
    /** Called with each request once it is recorded and before it is answered. */
    onRequest: ((request: SlackRequest) => void) | undefined;
    /** The webhook URL, once started. */
    url = "";

    protected handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
        const answer = this.pathAnswers.get(req.url ?? "") ?? this.script.shift() ?? {};
        const raw = body.toString("utf8");
        let payload: unknown;
        try {
            payload = JSON.parse(raw);
        } catch {
            payload = raw;
        }
        let status = answer.status ?? 200;
        let answerBody = answer.body ?? "ok";
        const headers: Record<string, string> = { "content-type": "text/html", ...(answer.headers ?? {}) };
        let rejection: string | undefined;
        if (answer.redirectTo !== undefined) {
            status = answer.status ?? 302;
            answerBody = answer.body ?? "";
            headers["location"] = answer.redirectTo;
        } else if (answer.status === undefined && !answer.reset) {
            const verdict = validateWebhookPayload(raw);
            status = verdict.status;
            answerBody = answer.body ?? verdict.body;
            rejection = verdict.reason;
        }
        const record: SlackRequest = {
            at: Date.now(),
            method: req.method ?? "",
            path: req.url ?? "",
            contentType: req.headers["content-type"],
            payload,
            answeredWith: answer.reset ? "reset" : status,
            ...(rejection ? { rejection } : {}),
            ...(answer.tookIt ? { tookIt: true } : {}),
        };
        this.requests.push(record);
        this.onRequest?.(record);
        if (answer.reset) {
            req.socket.destroy();
            return;
        }
        const send = () => {
            if (res.destroyed || req.socket.destroyed) {
                record.answeredWith = "timeout";
                return;
            }
            record.answeredBody = answerBody;
            res.writeHead(status, headers);
            res.end(answerBody);
        };
        if (answer.delayMs) {
            setTimeout(send, answer.delayMs);
        } else {
            send();
        }
    }

    override async start(): Promise<this> {
        await super.start();
        this.url = `${this.origin}/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`;
        return this;
    }

    /**
     * The webhook URL as the function's parameter holds it: Slack's own host, which the deployed
     * function's runner routes to this stand-in (its `origin`), as DNS and TLS would in the cloud.
     */
    get webhookUrl(): string {
        return this.webhookUrlFor(this.path);
    }

    /** The runner's environment that leads Slack's hosts here, for a function shared by several local Slacks at once. */
    env(): Record<string, string> {
        return { [SLACK_ORIGIN_VARIABLE]: this.origin };
    }

    /** A webhook URL on Slack's host with another path, routed to this stand-in like {@link webhookUrl}. */
    webhookUrlFor(path: string): string {
        return `https://hooks.slack.com${path}`;
    }

    /** The webhook's path, the secret part of its URL. */
    get path(): string {
        return new URL(this.url).pathname;
    }

    /** A webhook URL on this stand-in with another path; every path is answered alike unless {@link answerOn} says otherwise. */
    urlFor(path: string): string {
        return `${this.origin}${path}`;
    }

    /** Answers every request to `path` with `answer` (a revoked webhook: 404 "no_service") until the next {@link reset}. */
    answerOn(path: string, answer: SlackAnswer): void {
        this.pathAnswers.set(path, answer);
    }

    /** Replaces the scripted answers, forgets earlier requests, per-path answers and the request hook. */
    reset(script: SlackAnswer[] = []): void {
        this.script = [...script];
        this.requests.length = 0;
        this.pathAnswers.clear();
        this.onRequest = undefined;
    }

    /** Payloads Slack accepted: POSTed and answered 2xx "ok". */
    get accepted(): unknown[] {
        return this.requests.filter(isAcceptedRequest).map((r) => r.payload);
    }
}

/**
 * Whether Slack posted the request's message to the channel: accepted, or taken before the answer
 * failed (`tookIt`), which the client cannot tell from a message Slack never saw.
 */
export function isDeliveredRequest(r: SlackRequest): boolean {
    return isAcceptedRequest(r) || (r.method === "POST" && r.tookIt === true);
}

/** Whether a request delivered its message: a POST answered 2xx with Slack's "ok". */
export function isAcceptedRequest(r: SlackRequest): boolean {
    return (
        r.method === "POST" &&
        typeof r.answeredWith === "number" &&
        r.answeredWith >= 200 &&
        r.answeredWith < 300 &&
        r.answeredBody === "ok"
    );
}
