/**
 * The IAM and Lambda stand-ins answer as the real APIs do, as the SDK reads them: the function's
 * own port reads an IAM user's email tag through LocalIam, and the SDK's Invoke queues an
 * asynchronous invocation in LocalLambda.
 */
import * as assert from "assert";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { createAwsPorts } from "../handler/awsPorts";
import { LocalIam } from "../tools/local/localIam";
import { LocalLambda } from "../tools/local/localLambda";
import { LOCAL_CREDENTIALS } from "../tools/local/localDynamo";

// The stand-ins answer only what is signed with these, as AWS answers only what its keys sign.
const CREDENTIALS = LOCAL_CREDENTIALS;

describe("the local IAM and Lambda stand-ins, through the AWS SDK", function () {
    const saved = { ...process.env };
    const iam = new LocalIam();
    const lambda = new LocalLambda();
    before(async function () {
        await Promise.all([iam.start(), lambda.start()]);
        Object.assign(process.env, iam.env(), {
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        });
    });
    after(async function () {
        process.env = saved;
        await Promise.all([iam.stop(), lambda.stop()]);
    });

    it("reads an IAM user's email tag whatever its case, none for a user without one, and none for a user that does not exist", async function () {
        iam.userTags.set("ops-admin", { team: "platform", Email: " ops@example.com " });
        iam.userTags.set("build-bot", { team: "ci" });
        const ports = createAwsPorts("login-alerts-state");
        assert.strictEqual(await ports.iamUserEmail("ops-admin"), "ops@example.com");
        assert.strictEqual(await ports.iamUserEmail("build-bot"), undefined);
        assert.strictEqual(await ports.iamUserEmail("nobody"), undefined);
        assert.deepStrictEqual(iam.calls, [
            { action: "ListUserTags", userName: "ops-admin", answeredWith: 200 },
            { action: "ListUserTags", userName: "build-bot", answeredWith: 200 },
            { action: "ListUserTags", userName: "nobody", answeredWith: 404 },
        ]);
    });

    it("queues an asynchronous Invoke with its payload and answers 202", async function () {
        const client = new LambdaClient({ region: "us-east-1", endpoint: lambda.origin, credentials: CREDENTIALS });
        const out = await client.send(
            new InvokeCommand({
                FunctionName: "arn:aws:lambda:us-east-1:111122223333:function:login-alerts-function",
                InvocationType: "Event",
                Payload: Buffer.from(JSON.stringify({ loginAlertsAnswer: { body: "payload=%7B%7D", timestamp: "1", signature: "v0=00" } })),
            }),
        );
        assert.strictEqual(out.StatusCode, 202);
        assert.deepStrictEqual(lambda.queued, [
            {
                functionName: "arn:aws:lambda:us-east-1:111122223333:function:login-alerts-function",
                invocationType: "Event",
                payload: { loginAlertsAnswer: { body: "payload=%7B%7D", timestamp: "1", signature: "v0=00" } },
            },
        ]);
        client.destroy();
    });
});
