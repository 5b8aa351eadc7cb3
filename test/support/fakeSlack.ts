import * as http from "http";
import type { AddressInfo } from "net";

/** One scripted answer of the fake webhook; once the script runs out it answers 200 "ok". */
export interface SlackAnswer {
    status?: number;
    body?: string;
    headers?: Record<string, string>;
    /** Hold the answer this long (to exceed the client's timeout). */
    delayMs?: number;
    /** Drop the connection without answering. */
    reset?: boolean;
}

export interface SlackRequest {
    at: number;
    path: string;
    contentType: string | undefined;
    payload: unknown;
    answeredWith: number | "reset" | "timeout";
}

/**
 * A local stand-in for a Slack incoming webhook. It answers like Slack does: 200 "ok", 400
 * "invalid_payload", 403 "invalid_token", 404 "no_service", 410 "channel_is_archived", 429 with
 * Retry-After, 5xx; and it can reset connections or stall.
 */
export class FakeSlack {
    readonly requests: SlackRequest[] = [];
    private script: SlackAnswer[] = [];
    private server: http.Server;
    private sockets = new Set<import("net").Socket>();
    url = "";

    constructor() {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const answer = this.script.shift() ?? {};
                const raw = Buffer.concat(chunks).toString("utf8");
                let payload: unknown;
                try {
                    payload = JSON.parse(raw);
                } catch {
                    payload = raw;
                }
                const record: SlackRequest = {
                    at: Date.now(),
                    path: req.url ?? "",
                    contentType: req.headers["content-type"],
                    payload,
                    answeredWith: answer.reset ? "reset" : (answer.status ?? 200),
                };
                this.requests.push(record);
                if (answer.reset) {
                    req.socket.destroy();
                    return;
                }
                const send = () => {
                    if (res.destroyed || req.socket.destroyed) {
                        record.answeredWith = "timeout";
                        return;
                    }
                    res.writeHead(answer.status ?? 200, { "content-type": "text/html", ...(answer.headers ?? {}) });
                    res.end(answer.body ?? "ok");
                };
                if (answer.delayMs) {
                    setTimeout(send, answer.delayMs);
                } else {
                    send();
                }
            });
        });
        this.server.on("connection", (s) => {
            this.sockets.add(s);
            s.on("close", () => this.sockets.delete(s));
        });
    }

    async start(): Promise<this> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`;
        return this;
    }

    /** Replaces the scripted answers and forgets earlier requests. */
    reset(script: SlackAnswer[] = []): void {
        this.script = [...script];
        this.requests.length = 0;
    }

    /** Payloads Slack accepted (answered 2xx). */
    get accepted(): unknown[] {
        return this.requests.filter((r) => typeof r.answeredWith === "number" && r.answeredWith < 300).map((r) => r.payload);
    }

    async stop(): Promise<void> {
        for (const s of this.sockets) {
            s.destroy();
        }
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}
