import * as assert from "assert";
import * as crypto from "crypto";
import type * as http from "http";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import { fixture } from "../tools/fixtures";
import { HttpStandIn } from "../tools/local/httpStandIn";
import { redrive } from "../tools/redrive";

/** A local SQS (JSON protocol) holding dead letters, and a Lambda Invoke endpoint that records payloads. */
class FakeQueueAndLambda extends HttpStandIn {
    readonly queue: Array<{ MessageId: string; ReceiptHandle: string; Body: string; MD5OfBody?: string }> = [];
    readonly invocations: Array<{ functionName: string; invocationType: string | undefined; payload: unknown }> = [];
    readonly deleted: string[] = [];

    protected handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
        const body = raw.toString("utf8");
        const target = String(req.headers["x-amz-target"] ?? "");
        if (target === "AmazonSQS.ReceiveMessage") {
            const max = Number((JSON.parse(body) as { MaxNumberOfMessages?: number }).MaxNumberOfMessages ?? 1);
            res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
            const messages = this.queue.filter((m) => !this.deleted.includes(m.ReceiptHandle)).slice(0, max);
            // The SDK verifies each body against its MD5, as SQS sends it.
            res.end(
                JSON.stringify({
                    Messages: messages.map((m) => ({ ...m, MD5OfBody: crypto.createHash("md5").update(m.Body).digest("hex") })),
                }),
            );
            return;
        }
        if (target === "AmazonSQS.DeleteMessage") {
            this.deleted.push((JSON.parse(body) as { ReceiptHandle: string }).ReceiptHandle);
            res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
            res.end("{}");
            return;
        }
        const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? "");
        if (invoke) {
            this.invocations.push({
                functionName: decodeURIComponent(invoke[1]!),
                invocationType: req.headers["x-amz-invocation-type"] as string | undefined,
                payload: JSON.parse(body),
            });
            res.writeHead(202, { "content-type": "application/json" });
            res.end("");
            return;
        }
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ __type: "UnknownOperation", message: `${req.method ?? ""} ${req.url ?? ""} ${target}` }));
    }
}

describe("redrive of dead-lettered notifications", function () {
    let fake: FakeQueueAndLambda;
    before(async function () {
        fake = await new FakeQueueAndLambda().start();
    });
    after(() => fake.stop());

    it("re-invokes the function asynchronously with each record's original event, and deletes only what Lambda accepted", async function () {
        const original = fixture("sns_alarm-console-signin");
        // The record shape Lambda's on-failure destination writes to SQS.
        const record = {
            version: "1.0",
            timestamp: "2021-06-08T08:05:01.207Z",
            requestContext: {
                requestId: "c0b7c3e5-5f8e-4f0e-9d1e-1c0a8d2f7b11",
                functionArn: "arn:aws:lambda:us-east-1:111122223333:function:login-alerts-function-36cefb3:$LATEST",
                condition: "RetriesExhausted",
                approximateInvokeCount: 3,
            },
            requestPayload: original,
            responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
            responsePayload: {
                errorType: "Error",
                errorMessage: "Sign-in alerts failed for 1 rule(s): console-signin: SlackUnavailableError: ...",
            },
        };
        fake.queue.push({ MessageId: "m-1", ReceiptHandle: "r-1", Body: JSON.stringify(record) });
        fake.queue.push({ MessageId: "m-2", ReceiptHandle: "r-2", Body: "not a failure record" });
        const clientConfig = {
            endpoint: fake.origin,
            region: "us-east-1",
            credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
        };
        const result = await redrive({
            queueUrl: `${fake.origin}/111122223333/login-alerts-dead-letters-9bc6a97`,
            functionName: "login-alerts-function-36cefb3",
            max: 2,
            sqs: new SQSClient(clientConfig),
            lambda: new LambdaClient(clientConfig),
        });
        assert.deepStrictEqual(result, { redriven: 1, skipped: 1 });
        assert.deepStrictEqual(fake.invocations, [
            { functionName: "login-alerts-function-36cefb3", invocationType: "Event", payload: original },
        ]);
        assert.deepStrictEqual(fake.deleted, ["r-1"]);
    });
});
