/**
 * The answer endpoint's entry point, as Lambda loads it behind a function URL (`__index.handler`).
 * Anyone on the internet can reach the URL; only what Slack signed gets through: a body no larger
 * than a click's, Slack's signature over it within five minutes, a request not seen before. What
 * gets through is handed to the notifier function, asynchronously and as it came, which checks the
 * signature again and decides; Slack has its acknowledgement within its three seconds.
 */
import { createHash } from "crypto";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { log } from "./common/log";
import { awsRequest, DYNAMODB, jsonApi, LAMBDA, SSM, type JsonApi } from "./common/awsJson";
import { refreshedEvery } from "./common/refreshed";
import { conditionHeld } from "./state/table";
import { MAX_INTERACTION_BODY_BYTES, readButtonClick } from "./decide/interaction";
import { verifySlackRequest } from "./decide/slackSignature";
import { ANSWERS_VARIABLES, REQUEST_KEY_PREFIX, answerOf, type AnswerRequest } from "../shared/confirm";
import type { GetParameterRequest, GetParameterResult } from "@aws-sdk/client-ssm";
import type { PutItemInput, PutItemOutput } from "@aws-sdk/client-dynamodb";

// How long a request's record keeps a replay out: past Slack's five-minute window, no replay passes the signature check anyway.
const REQUEST_RECORD_SECONDS = 600;
// The signing secret is read again after this long, so a rotated secret takes effect without a redeploy.
const SECRET_MAX_AGE_MS = 5 * 60 * 1000;

function env(name: keyof typeof ANSWERS_VARIABLES): string {
    const value = process.env[ANSWERS_VARIABLES[name]];
    if (!value) {
        throw new Error(`Environment variable ${ANSWERS_VARIABLES[name]} is not set; redeploy the stack.`);
    }
    return value;
}

// The function's own AWS requests (common/awsJson.ts): a click is acknowledged without loading the SDK.
const ssm: JsonApi<{ GetParameter: [GetParameterRequest, GetParameterResult] }> = jsonApi(SSM);
const dynamo: JsonApi<{ PutItem: [PutItemInput, PutItemOutput] }> = jsonApi(DYNAMODB);

const signingSecret = refreshedEvery(
    async () => {
        const out = await ssm.call("GetParameter", { Name: env("signingSecretParameterName"), WithDecryption: true });
        return (out.Parameter?.Value ?? "").trim();
    },
    Date.now,
    SECRET_MAX_AGE_MS,
);

/** Records the request by its signature; false when it was recorded before: a replay. */
async function firstTime(signature: string): Promise<boolean> {
    const key = `${REQUEST_KEY_PREFIX}${createHash("sha256").update(signature).digest("hex")}`;
    const expiresAt = Math.floor(Date.now() / 1000) + REQUEST_RECORD_SECONDS;
    return conditionHeld(
        dynamo.call("PutItem", {
            TableName: env("stateTableName"),
            Item: { pk: { S: key }, expiresAt: { N: String(expiresAt) } },
            ConditionExpression: "attribute_not_exists(pk)",
        }),
    );
}

/**
 * Lambda's Invoke, asynchronous (X-Amz-Invocation-Type: Event): Lambda answers 202 once it has
 * queued the event (Lambda API Reference, "Invoke"); the function's name, an ARN, is one path segment.
 */
async function handOver(request: AnswerRequest): Promise<void> {
    await awsRequest(LAMBDA, {
        method: "POST",
        path: `/2015-03-31/functions/${encodeURIComponent(env("notifierFunctionArn"))}/invocations`,
        headers: { "content-type": "application/json", "x-amz-invocation-type": "Event" },
        body: JSON.stringify(request),
    });
}

function answer(statusCode: number, why?: string): LambdaFunctionURLResult {
    if (why) {
        log(statusCode >= 500 ? "error" : "warn", "refused a request to the answer endpoint", { status: statusCode, reason: why });
    }
    return { statusCode, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: why ?? "" };
}

type Checked = { refused: LambdaFunctionURLResult } | { request: AnswerRequest };

/** Checks what can be checked here, in order of cost; the first failure answers. */
async function accepted(event: LambdaFunctionURLEvent, body: string): Promise<Checked> {
    const headers = event.headers ?? {};
    const [timestamp, signature] = [headers["x-slack-request-timestamp"], headers["x-slack-signature"]];
    const verified = verifySlackRequest({
        signingSecret: await signingSecret(),
        timestamp,
        signature,
        body,
        nowSeconds: Date.now() / 1000,
    });
    if (!verified.ok) {
        return { refused: answer(401, `not signed by Slack: ${verified.reason}`) };
    }
    const read = readButtonClick(body);
    if (!read.ok) {
        return { refused: answer(400, read.reason) };
    }
    if (answerOf(read.click.actionId) === undefined) {
        // Another action of the app's messages: nothing to do, and Slack must not show an error.
        return { refused: answer(200) };
    }
    if (!(await firstTime(signature ?? ""))) {
        // Slack's own retry of a request we already took is acknowledged; anything else seen before is a replay.
        return { refused: headers["x-slack-retry-num"] ? answer(200) : answer(409, "this request was received before") };
    }
    return { request: { loginAlertsAnswer: { body, timestamp: timestamp ?? "", signature: signature ?? "" } } };
}

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
    if (event.requestContext?.http?.method !== "POST") {
        return answer(405, "only POST");
    }
    const raw = event.body ?? "";
    const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
    if (bytes.length > MAX_INTERACTION_BODY_BYTES) {
        return answer(413, `the body is ${bytes.length} bytes, more than a click's ${MAX_INTERACTION_BODY_BYTES}`);
    }
    try {
        const checked = await accepted(event, bytes.toString("utf8"));
        if ("refused" in checked) {
            return checked.refused;
        }
        await handOver(checked.request);
        log("info", "handed an answer to the notifier", { bytes: bytes.length });
        return answer(200);
    } catch (err) {
        // Failed, not answered: Lambda counts the error, so the operators' alarm on it fires; Slack
        // shows the person an error, and their click again is a new, newly signed request.
        log("error", "could not take a click", { error: `${(err as Error).name}: ${(err as Error).message}` });
        throw err;
    }
}
