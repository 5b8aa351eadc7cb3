/**
 * The function's own AWS client (handler/common/awsJson.ts, handler/common/sigv4.ts) held to the AWS
 * SDK: the same SigV4 signature as the SDK's signer, the endpoints the SDK would pick, the SDK's
 * standard retries and its error names; and, through the local stand-in that checks every signature
 * as AWS does, a request signed with the wrong secret refused.
 */
import * as assert from "assert";
import * as http from "http";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SSMClient } from "@aws-sdk/client-ssm";
import {
    awsErrorOf,
    awsRequest,
    credentialsOf,
    DYNAMODB,
    endpointOf,
    jsonApi,
    LAMBDA,
    CLOUDWATCH_LOGS,
    MAX_ATTEMPTS,
    CLOUDTRAIL,
    ORGANIZATIONS,
    retryDelayMs,
    SSM,
    type AwsError,
} from "../handler/common/awsJson";
import { signed } from "../handler/common/sigv4";
import { DNS_SUFFIX_VARIABLE } from "../shared/contract";
import { sdkAuthorization } from "../tools/local/sigv4Check";
import { LocalLambda } from "../tools/local/localLambda";
import { LOCAL_CREDENTIALS } from "../tools/local/localDynamo";
import { useLocalAwsInProcess } from "./support/localAwsInProcess";

const TEMPORARY = {
    accessKeyId: "ASIAEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE/token==",
};
const AT = new Date("2026-12-07T05:13:11.123Z");

describe("the function's own AWS requests", function () {
    describe("SigV4, as the AWS SDK's signer signs", function () {
        const cases: Array<{ what: string; url: string; service: string; headers: Record<string, string>; body: string }> = [
            {
                what: "a DynamoDB call with temporary credentials",
                url: "https://dynamodb.us-east-1.amazonaws.com/",
                service: "dynamodb",
                headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.UpdateItem" },
                body: JSON.stringify({ TableName: "login-alerts-state", Key: { pk: { S: "lease#console-signin" } } }),
            },
            {
                what: "Lambda's Invoke of a function named by its ARN (a path segment encoded twice)",
                url: `https://lambda.cn-north-1.amazonaws.com.cn/2015-03-31/functions/${encodeURIComponent("arn:aws-cn:lambda:cn-north-1:111122223333:function:login-alerts")}/invocations`,
                service: "lambda",
                headers: { "content-type": "application/json", "x-amz-invocation-type": "Event" },
                body: '{"body":"payload=%7B%7D","timestamp":"1","signature":"v0=ab"}',
            },
            {
                what: "a body beyond ASCII, a query, a port and a header with runs of spaces",
                url: "http://127.0.0.1:4566/a%20b/?b=2&a=1&a=0",
                service: "logs",
                headers: {
                    "content-type": "application/x-amz-json-1.1",
                    "x-amz-target": "Logs_20140328.FilterLogEvents",
                    "x-custom": "  two   words ",
                },
                body: JSON.stringify({ filterPattern: '{ $.userIdentity.userName = "渡辺" }' }),
            },
        ];
        for (const c of cases) {
            it(`signs ${c.what} exactly as the SDK does`, async function () {
                const url = new URL(c.url);
                const scope = { region: url.hostname.split(".")[1] === "cn-north-1" ? "cn-north-1" : "us-east-1", service: c.service };
                const ours = signed({ method: "POST", url, headers: c.headers, body: c.body }, scope, TEMPORARY, AT);
                const { authorization, ...sent } = ours;
                assert.strictEqual(sent["x-amz-date"], "20261207T051311Z");
                assert.strictEqual(sent["x-amz-security-token"], TEMPORARY.sessionToken);
                assert.strictEqual(
                    authorization,
                    await sdkAuthorization({ method: "POST", url, headers: sent, body: c.body }, scope, TEMPORARY, AT),
                );
            });
        }

        it("signs with the day's key: another day, region or secret gives another signature", function () {
            const request = { method: "POST", url: new URL("https://ssm.us-east-1.amazonaws.com/"), headers: {}, body: "{}" };
            const signature = (r: typeof request, region: string, secret: string, at: Date) =>
                signed(r, { region, service: "ssm" }, { accessKeyId: "AKID", secretAccessKey: secret }, at)["authorization"];
            const base = signature(request, "us-east-1", "s", AT);
            assert.notStrictEqual(signature(request, "us-east-1", "s", new Date("2026-12-08T05:13:11Z")), base);
            assert.notStrictEqual(signature(request, "eu-west-1", "s", AT), base);
            assert.notStrictEqual(signature(request, "us-east-1", "t", AT), base);
            assert.strictEqual(signature(request, "us-east-1", "s", AT), base);
        });
    });

    describe("endpoints and credentials, as the SDK reads the environment", function () {
        const env = { AWS_REGION: "cn-north-1", [DNS_SUFFIX_VARIABLE]: "amazonaws.com.cn" };

        it("uses AWS_ENDPOINT_URL_<service>, then AWS_ENDPOINT_URL, unless told to ignore them", function () {
            const configured = { ...env, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: "http://127.0.0.1:1/", AWS_ENDPOINT_URL: "http://127.0.0.1:2/" };
            assert.deepStrictEqual(
                [endpointOf(CLOUDWATCH_LOGS, configured), endpointOf(SSM, configured)].map((e) => [e.url.href, e.region]),
                [
                    ["http://127.0.0.1:1/", "cn-north-1"],
                    ["http://127.0.0.1:2/", "cn-north-1"],
                ],
            );
            assert.strictEqual(
                endpointOf(SSM, { ...configured, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }).url.href,
                "https://ssm.cn-north-1.amazonaws.com.cn/",
            );
            assert.throws(() => endpointOf(SSM, { AWS_REGION: "us-east-1" }), {
                message: `Environment variable ${DNS_SUFFIX_VARIABLE} is not set; redeploy the stack.`,
            });
        });

        // Regions of each partition, with the partition's DNS suffix as aws:getPartition answers it.
        const REGIONS: Array<[string, string]> = [
            ["us-east-1", "amazonaws.com"],
            ["eu-west-1", "amazonaws.com"],
            ["ap-northeast-1", "amazonaws.com"],
            ["cn-north-1", "amazonaws.com.cn"],
            ["cn-northwest-1", "amazonaws.com.cn"],
            ["us-gov-west-1", "amazonaws.com"],
            ["us-gov-east-1", "amazonaws.com"],
            ["us-iso-east-1", "c2s.ic.gov"],
            ["eusc-de-east-1", "amazonaws.eu"],
        ];
        const SDK_CLIENTS = [
            [DYNAMODB, DynamoDBClient, { AccountIdEndpointMode: "disabled" }],
            [SSM, SSMClient, {}],
            [CLOUDWATCH_LOGS, CloudWatchLogsClient, {}],
            [LAMBDA, LambdaClient, {}],
            [ORGANIZATIONS, OrganizationsClient, {}],
            [CLOUDTRAIL, CloudTrailClient, {}],
        ] as const;
        for (const [service, Client, extra] of SDK_CLIENTS) {
            it(`calls ${service.signingName} where the SDK's endpoint rules do, in every partition, signed for that endpoint's region`, function () {
                for (const [region, dnsSuffix] of REGIONS) {
                    const sdk = new Client({ region }).config.endpointProvider(
                        { Region: region, UseFIPS: false, UseDualStack: false, ...extra },
                        {},
                    );
                    const scheme = sdk.properties?.["authSchemes"] as Array<{ signingRegion?: string }> | undefined;
                    const ours = endpointOf(service, { AWS_REGION: region, [DNS_SUFFIX_VARIABLE]: dnsSuffix });
                    assert.deepStrictEqual([ours.url.href, ours.region], [sdk.url.href, scheme?.[0]?.signingRegion ?? region], region);
                }
            });
        }

        it("signs with the role's credentials Lambda puts in the environment, and says so when they are missing", function () {
            assert.deepStrictEqual(credentialsOf({ AWS_ACCESS_KEY_ID: "ASIA1", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" }), {
                accessKeyId: "ASIA1",
                secretAccessKey: "s",
                sessionToken: "t",
            });
            assert.throws(() => credentialsOf({ AWS_ACCESS_KEY_ID: "ASIA1" }), {
                message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: Lambda sets them from the function's role.",
            });
        });
    });

    describe("errors and retries, as the SDK's standard mode has them", function () {
        it("names an error by its type without namespace or suffix, and keeps its fields", function () {
            const fromBody = awsErrorOf({
                status: 400,
                headers: { "x-amzn-requestid": "R1" },
                body: JSON.stringify({
                    __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                    Message: "Transaction cancelled",
                    CancellationReasons: [{ Code: "ConditionalCheckFailed" }],
                }),
            });
            assert.strictEqual(fromBody.name, "TransactionCanceledException");
            assert.strictEqual(fromBody.message, "Transaction cancelled");
            assert.deepStrictEqual(fromBody["CancellationReasons"], [{ Code: "ConditionalCheckFailed" }]);
            assert.deepStrictEqual(fromBody.$metadata, { httpStatusCode: 400, requestId: "R1" });
            const fromHeader = awsErrorOf({
                status: 404,
                headers: { "x-amzn-errortype": "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awslambda/" },
                body: '{"Type":"User","message":"Function not found"}',
            });
            assert.strictEqual(fromHeader.name, "ResourceNotFoundException");
            assert.strictEqual(fromHeader.message, "Function not found");
            const notJson = awsErrorOf({ status: 502, headers: {}, body: "<html>Bad Gateway</html>" });
            assert.strictEqual(notJson.name, "HTTP 502");
            assert.strictEqual(notJson.message, "AWS answered 502 (HTTP 502).");
        });

        it("retries throttling (base 500 ms), 5xx and failed connections (base 100 ms), doubling, at most 3 attempts; nothing else", function () {
            const error = (name: string, status = 400, code?: string) =>
                Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...(code ? { code } : {}) });
            const full = () => 1;
            assert.strictEqual(retryDelayMs(error("ThrottlingException"), 1, full), 500);
            assert.strictEqual(retryDelayMs(error("ProvisionedThroughputExceededException"), 2, full), 1000);
            assert.strictEqual(retryDelayMs(error("TooManyRequestsException", 429), 1, full), 500);
            assert.strictEqual(retryDelayMs(error("InternalServerError", 500), 1, full), 100);
            assert.strictEqual(retryDelayMs(error("Error", 0, "ECONNRESET"), 2, full), 200);
            assert.strictEqual(
                retryDelayMs(error("Error", 0, "EAI_AGAIN"), 1, () => 0.5),
                50,
            );
            assert.strictEqual(retryDelayMs(error("ThrottlingException"), MAX_ATTEMPTS, full), undefined);
            assert.strictEqual(retryDelayMs(error("ConditionalCheckFailedException"), 1, full), undefined);
            assert.strictEqual(retryDelayMs(error("ValidationException"), 1, full), undefined);
            assert.strictEqual(retryDelayMs(error("AbortError", 0), 1, full), undefined);
        });
    });

    describe("against the local stand-ins, which check every signature", function () {
        const local = useLocalAwsInProcess();
        const quick = () => 0;

        it("reads a SecureString as the SDK would", async function () {
            local.aws.parameters.set("/login-alerts/webhook", { type: "SecureString", value: "https://hooks.slack.com/services/T/B/X" });
            const ssm = jsonApi<{ GetParameter: [{ Name: string; WithDecryption: boolean }, { Parameter?: { Value?: string } }] }>(SSM);
            const out = await ssm.call("GetParameter", { Name: "/login-alerts/webhook", WithDecryption: true });
            assert.strictEqual(out.Parameter?.Value, "https://hooks.slack.com/services/T/B/X");
            assert.deepStrictEqual(
                local.aws.calls.map((c) => [c.target, c.answeredWith]),
                [["GetParameter", 200]],
            );
        });

        it("is refused (403 InvalidSignatureException) when signed with another secret, and does not retry it", async function () {
            const ssm = jsonApi<{ GetParameter: [{ Name: string }, object] }>(SSM, {
                env: { ...process.env, AWS_SECRET_ACCESS_KEY: `${LOCAL_CREDENTIALS.secretAccessKey}-wrong` },
            });
            local.aws.calls.length = 0;
            await assert.rejects(ssm.call("GetParameter", { Name: "/login-alerts/webhook" }), (err: AwsError) => {
                assert.strictEqual(err.name, "InvalidSignatureException");
                assert.strictEqual(err.$metadata.httpStatusCode, 403);
                return true;
            });
            assert.deepStrictEqual(
                local.aws.calls.map((c) => c.answeredWith),
                [403],
            );
        });

        it("retries a throttled call to success, and gives up after the third attempt", async function () {
            const logs = jsonApi<{ FilterLogEvents: [{ logGroupName: string }, { events?: unknown[] }] }>(CLOUDWATCH_LOGS, {
                random: quick,
            });
            local.aws.calls.length = 0;
            local.aws.throttle("FilterLogEvents", 2);
            assert.deepStrictEqual((await logs.call("FilterLogEvents", { logGroupName: "trail-logs" })).events, []);
            local.aws.throttle("FilterLogEvents", 3);
            await assert.rejects(logs.call("FilterLogEvents", { logGroupName: "trail-logs" }), {
                name: "ThrottlingException",
                message: "Rate exceeded",
            });
            assert.deepStrictEqual(
                local.aws.calls.map((c) => c.answeredWith),
                [400, 400, 200, 400, 400, 400],
            );
        });

        it("tells a condition that failed by its name, which the state table's conditional writes read", async function () {
            const dynamo = jsonApi<{ PutItem: [object, object] }>(DYNAMODB);
            await local.aws.resetTable("login-alerts-state");
            const put = () =>
                dynamo.call("PutItem", {
                    TableName: "login-alerts-state",
                    Item: { pk: { S: "request#1" } },
                    ConditionExpression: "attribute_not_exists(pk)",
                });
            await put();
            await assert.rejects(put(), { name: "ConditionalCheckFailedException" });
        });

        it("names the project in an unsigned User-Agent, as CloudTrail records it, and signs the rest", async function () {
            const seen: http.IncomingHttpHeaders[] = [];
            const server = http.createServer((req, res) => {
                seen.push(req.headers);
                res.end("{}");
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            try {
                const { port } = server.address() as { port: number };
                const ssm = jsonApi<{ GetParameter: [{ Name: string }, object] }>(SSM, {
                    env: { ...process.env, AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${port}` },
                });
                await ssm.call("GetParameter", { Name: "/x" });
                assert.strictEqual(seen[0]?.["user-agent"], "console-login-alerts");
                assert.match(
                    String(seen[0]?.["authorization"]),
                    /, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
                );
            } finally {
                server.close();
            }
        });

        it("abandons a call whose signal aborts, with an AbortError", async function () {
            const logs = jsonApi<{ FilterLogEvents: [{ logGroupName: string }, object] }>(CLOUDWATCH_LOGS);
            const controller = new AbortController();
            controller.abort();
            await assert.rejects(logs.call("FilterLogEvents", { logGroupName: "trail-logs" }, { signal: controller.signal }), {
                name: "AbortError",
            });
        });

        it("invokes a function asynchronously through Lambda's REST call, named by its ARN", async function () {
            const lambda = await new LocalLambda().start();
            try {
                const arn = "arn:aws:lambda:us-east-1:111122223333:function:login-alerts";
                const answer = await awsRequest(
                    LAMBDA,
                    {
                        method: "POST",
                        path: `/2015-03-31/functions/${encodeURIComponent(arn)}/invocations`,
                        headers: { "content-type": "application/json", "x-amz-invocation-type": "Event" },
                        body: '{"hello":"world"}',
                    },
                    { env: { ...process.env, ...lambda.env() } },
                );
                assert.strictEqual(answer.status, 202);
                assert.deepStrictEqual(lambda.queued, [{ functionName: arn, invocationType: "Event", payload: { hello: "world" } }]);
            } finally {
                await lambda.stop();
            }
        });
    });
});
