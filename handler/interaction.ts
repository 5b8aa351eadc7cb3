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
import { onFirstUse } from "./common/onFirstUse";
import { refreshedEvery } from "./common/refreshed";
import { MAX_INTERACTION_BODY_BYTES, readButtonClick } from "./decide/interaction";
import { verifySlackRequest } from "./decide/slackSignature";
import { ANSWERS_VARIABLES, REQUEST_KEY_PREFIX, answerOf, type AnswerRequest } from "../shared/confirm";

type Ssm = typeof import("@aws-sdk/client-ssm");
type DynamoDb = typeof import("@aws-sdk/client-dynamodb");
type Lambda = typeof import("@aws-sdk/client-lambda");

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

/* eslint-disable @typescript-eslint/no-require-imports */
const ssm = onFirstUse(() => {
    const sdk = require("@aws-sdk/client-ssm") as Ssm;
    return { sdk, client: new sdk.SSMClient({}) };
});
const dynamo = onFirstUse(() => {
    const sdk = require("@aws-sdk/client-dynamodb") as DynamoDb;
    return { sdk, client: new sdk.DynamoDBClient({}) };
});
const lambda = onFirstUse(() => {
    const sdk = require("@aws-sdk/client-lambda") as Lambda;
    return { sdk, client: new sdk.LambdaClient({}) };
});
/* eslint-enable @typescript-eslint/no-require-imports */

const signingSecret = refreshedEvery(
    async () => {
        const { sdk, client } = ssm();
        const out = await client.send(new sdk.GetParameterCommand({ Name: env("signingSecretParameterName"), WithDecryption: true }));
        return (out.Parameter?.Value ?? "").trim();
    },
    Date.now,
    SECRET_MAX_AGE_MS,
);

/** Records the request by its signature; false when it was recorded before: a replay. */
async function firstTime(signature: string): Promise<boolean> {
    const { sdk, client } = dynamo();
    const key = `${REQUEST_KEY_PREFIX}${createHash("sha256").update(signature).digest("hex")}`;
    const expiresAt = Math.floor(Date.now() / 1000) + REQUEST_RECORD_SECONDS;
    try {
        await client.send(
            new sdk.PutItemCommand({
                TableName: env("stateTableName"),
                Item: { pk: { S: key }, expiresAt: { N: String(expiresAt) } },
                ConditionExpression: "attribute_not_exists(pk)",
            }),
        );
        return true;
    } catch (err) {
        if ((err as Error).name === "ConditionalCheckFailedException") {
            return false;
        }
        throw err;
    }
}

async function handOver(request: AnswerRequest): Promise<void> {
    const { sdk, client } = lambda();
    await client.send(
        new sdk.InvokeCommand({
            FunctionName: env("notifierFunctionArn"),
            InvocationType: "Event",
            Payload: Buffer.from(JSON.stringify(request)),
        }),
    );
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
