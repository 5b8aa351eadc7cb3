/**
 * The local stand-in for Lambda's Invoke, reached through AWS_ENDPOINT_URL_LAMBDA: the REST call
 * POST /2015-03-31/functions/<name>/invocations (Lambda API Reference, "Invoke"). An asynchronous
 * invocation (X-Amz-Invocation-Type: Event) is queued and answered 202 with no body; the tests run
 * what was queued through the function themselves.
 */
import type * as http from "http";
import { HttpStandIn } from "./httpStandIn";
import { answerIfSigned } from "./sigv4Check";

export interface QueuedInvocation {
    functionName: string;
    invocationType: string;
    payload: unknown;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export class LocalLambda extends HttpStandIn {
    readonly queued: QueuedInvocation[] = [];
    /** Answers the next `times` Invokes with this status and error type instead (e.g. 429 TooManyRequestsException). */
    fault: { status: number; type: string; times: number } | undefined;

    /** Answers only what is signed with the local credentials for Lambda, as AWS does. */
    protected handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
        answerIfSigned({ req, res, raw }, "lambda", () => this.answerSigned(req, res, raw));
    }

    private answerSigned(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
        const path = INVOKE_PATH.exec(new URL(req.url ?? "/", "http://localhost").pathname);
        const fault = this.fault;
        if (fault && --fault.times <= 0) {
            this.fault = undefined;
        }
        if (!path || req.method !== "POST" || fault) {
            const [status, type] = fault ? [fault.status, fault.type] : [404, "ResourceNotFoundException"];
            res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type });
            res.end(
                JSON.stringify({ Type: "User", message: fault ? "Rate exceeded" : `No route for ${req.method ?? ""} ${req.url ?? ""}` }),
            );
            return;
        }
        const invocationType = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
        this.queued.push({
            functionName: decodeURIComponent(path[1] ?? ""),
            invocationType,
            payload: JSON.parse(raw.toString("utf8") || "null") as unknown,
        });
        res.writeHead(invocationType === "Event" ? 202 : 200, { "content-type": "application/json" });
        res.end(invocationType === "Event" ? "" : "null");
    }

    env(): Record<string, string> {
        return { AWS_ENDPOINT_URL_LAMBDA: this.origin };
    }
}
