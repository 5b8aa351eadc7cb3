/**
 * The function's own client for the AWS APIs on a sign-in's path: SSM, CloudWatch Logs, DynamoDB and,
 * for a member account's sign-in, AWS Organizations (their JSON protocol: a POST of the input with
 * X-Amz-Target, answered with the output or an error's `__type`), and Lambda's Invoke. Each request is signed with SigV4 (./sigv4.ts) and sent with Node's
 * own http/https, retried as the AWS SDKs' "standard" mode retries.
 *
 * Why not the AWS SDK the Lambda runtime provides: loading its core and the SSM, CloudWatch Logs and
 * DynamoDB clients took about 120 ms of a cold start's 200 (docs/speed.md); what these calls need of
 * it is a few lines. CloudTrail's GetTrailStatus, on every sweep, is one of its requests too. The
 * SDK is still used, from the runtime, for SNS (only when the operators must be told something),
 * IAM and CloudFormation (the XML Query protocol). test/awsJson.spec.ts holds this client to the SDK: the same
 * signatures, endpoints, retries and errors.
 *
 * What the SDK does that this leaves out, because a Lambda function does not need it: credentials
 * from anywhere but the environment (Lambda puts the role's there), correcting for a skewed clock
 * (Lambda keeps the clock), FIPS and dual-stack endpoints (the program asks for neither), the
 * standard mode's retry quota, and timestamps and blobs in answers (none of these calls reads one).
 */
import * as http from "http";
import * as https from "https";
import { signed, type Credentials } from "./sigv4";
import { DNS_SUFFIX_VARIABLE } from "../../shared/contract";

/** A service as SigV4 and the endpoint rules name it. */
export interface AwsService {
    /** The name requests are signed for, and the first label of the service's endpoint host. */
    signingName: string;
    /** The service's id as AWS_ENDPOINT_URL_<id> names it ("Service-specific endpoints", AWS SDKs and Tools Reference Guide). */
    endpointId: string;
    /** For a service with one endpoint per partition: the region of that endpoint, which requests are signed for. */
    globalRegion?: (region: string, dnsSuffix: string) => string;
}

/** A service of the JSON protocol: its target prefix and JSON version (the service's Smithy model). */
export interface JsonService extends AwsService {
    targetPrefix: string;
    jsonVersion: "1.0" | "1.1";
}

export const DYNAMODB: JsonService = {
    signingName: "dynamodb",
    endpointId: "DYNAMODB",
    targetPrefix: "DynamoDB_20120810",
    jsonVersion: "1.0",
};
export const SSM: JsonService = { signingName: "ssm", endpointId: "SSM", targetPrefix: "AmazonSSM", jsonVersion: "1.1" };
export const CLOUDWATCH_LOGS: JsonService = {
    signingName: "logs",
    endpointId: "CLOUDWATCH_LOGS",
    targetPrefix: "Logs_20140328",
    jsonVersion: "1.1",
};
export const CLOUDTRAIL: JsonService = {
    signingName: "cloudtrail",
    endpointId: "CLOUDTRAIL",
    targetPrefix: "CloudTrail_20131101",
    jsonVersion: "1.1",
};
export const LAMBDA: AwsService = { signingName: "lambda", endpointId: "LAMBDA" };

function organizationsRegion(region: string, dnsSuffix: string): string {
    if (dnsSuffix === "amazonaws.com.cn") {
        return "cn-northwest-1";
    }
    if (dnsSuffix !== "amazonaws.com") {
        return region;
    }
    return region.startsWith("us-gov-") ? "us-gov-west-1" : "us-east-1";
}

/**
 * AWS Organizations answers at one endpoint per partition: us-east-1's in the commercial partition,
 * us-gov-west-1's in GovCloud, cn-northwest-1's in China, and the region's own elsewhere (the
 * endpoint rules of the SDK's Organizations client; test/awsJson.spec.ts compares them region by region).
 */
export const ORGANIZATIONS: JsonService = {
    signingName: "organizations",
    endpointId: "ORGANIZATIONS",
    targetPrefix: "AWSOrganizationsV20161128",
    jsonVersion: "1.1",
    globalRegion: organizationsRegion,
};

export type Environment = Record<string, string | undefined>;

/** An error AWS answered: `name` is its type (ConditionalCheckFailedException), its other fields as AWS sent them. */
export interface AwsError extends Error {
    $metadata: { httpStatusCode: number; requestId?: string };
    [field: string]: unknown;
}

/**
 * Where requests to `service` go, and the region they are signed for: AWS_ENDPOINT_URL_<id> or
 * AWS_ENDPOINT_URL when set (and not ignored), as every AWS SDK reads them; otherwise the service's
 * endpoint, `https://<service>.<region>.<DNS suffix>`, the suffix being the partition's as the
 * program found it, and the region the function's own or the service's global one.
 */
export function endpointOf(service: AwsService, env: Environment): { url: URL; region: string } {
    const region = env["AWS_REGION"];
    const suffix = env[DNS_SUFFIX_VARIABLE];
    if (env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.toLowerCase() !== "true") {
        const configured = env[`AWS_ENDPOINT_URL_${service.endpointId}`] || env["AWS_ENDPOINT_URL"];
        if (configured) {
            return { url: new URL(configured), region: region || "us-east-1" };
        }
    }
    if (!region || !suffix) {
        throw new Error(`Environment variable ${region ? DNS_SUFFIX_VARIABLE : "AWS_REGION"} is not set; redeploy the stack.`);
    }
    const at = service.globalRegion?.(region, suffix) ?? region;
    return { url: new URL(`https://${service.signingName}.${at}.${suffix}`), region: at };
}

/** Lambda gives a function its role's temporary credentials in these three variables. */
export function credentialsOf(env: Environment): Credentials {
    const [accessKeyId, secretAccessKey, sessionToken] = [env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]];
    if (!accessKeyId || !secretAccessKey) {
        throw new Error("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: Lambda sets them from the function's role.");
    }
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

interface Answer {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
}

// One keep-alive agent per scheme, as the SDK's Node handler keeps its sockets between calls.
const agents = { "http:": new http.Agent({ keepAlive: true }), "https:": new https.Agent({ keepAlive: true }) };

function send(url: URL, method: string, headers: Record<string, string>, body: string, signal: AbortSignal | undefined): Promise<Answer> {
    const transport = url.protocol === "http:" ? http : https;
    return new Promise((resolve, reject) => {
        const request = transport.request(
            url,
            {
                method,
                headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
                agent: url.protocol === "http:" ? agents["http:"] : agents["https:"],
                ...(signal ? { signal } : {}),
            },
            (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("error", reject);
                response.on("end", () =>
                    resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }),
                );
            },
        );
        request.on("error", reject);
        request.end(body);
    });
}

/**
 * The error AWS answered, named by its type as the SDK names it: the X-Amzn-ErrorType header or the
 * body's `__type`, without a namespace (`com.amazonaws.dynamodb.v20120810#`) or a suffix after ":".
 */
export function awsErrorOf(answer: Answer): AwsError {
    let fields: Record<string, unknown> = {};
    try {
        const parsed: unknown = JSON.parse(answer.body || "{}");
        fields = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    } catch {
        // A body that is not JSON (a proxy's HTML page) leaves the status to speak.
    }
    const header = answer.headers["x-amzn-errortype"];
    const type = String((typeof header === "string" && header) || fields["__type"] || fields["code"] || `HTTP ${answer.status}`);
    const name = type.split(":")[0]!.split("#").pop()!;
    const { message, Message, ...rest } = fields;
    delete rest["__type"];
    const err = Object.assign(new Error(String(message ?? Message ?? `AWS answered ${answer.status} (${name}).`)), rest) as AwsError;
    err.name = name;
    const requestId = answer.headers["x-amzn-requestid"];
    err.$metadata = { httpStatusCode: answer.status, ...(typeof requestId === "string" ? { requestId } : {}) };
    return err;
}

// What the SDKs' standard retry mode retries: throttling and transient errors by type, 5xx answers
// and connections that failed, never an abort (the retry module of @smithy/core; "Retry behavior",
// AWS SDKs and Tools Reference Guide). At most 3 attempts; the n-th retry waits a random part of
// base × 2^(n-1), at most 20 s.
const THROTTLING = new Set([
    "BandwidthLimitExceeded",
    "EC2ThrottledException",
    "LimitExceededException",
    "PriorRequestNotComplete",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ThrottledException",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "TransactionInProgressException",
]);
const TRANSIENT = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
export const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 100;
const THROTTLING_BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 20000;

/** The wait before retrying `err`, or undefined when it is not retried. */
export function retryDelayMs(err: unknown, attempt: number, random: () => number = Math.random): number | undefined {
    const { name, code, $metadata } = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    const status = $metadata?.httpStatusCode;
    const throttled = THROTTLING.has(name ?? "") || status === 429;
    const transient = TRANSIENT.has(name ?? "") || NETWORK.has(code ?? "") || [500, 502, 503, 504].includes(status ?? 0);
    if (attempt >= MAX_ATTEMPTS || !(throttled || transient) || name === "AbortError") {
        return undefined;
    }
    return Math.floor(random() * Math.min(MAX_DELAY_MS, (throttled ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS) * 2 ** (attempt - 1)));
}

const USER_AGENT = "console-login-alerts";

export interface AwsRequest {
    method: "POST";
    /** The path and query after the endpoint, e.g. "/" or "/2015-03-31/functions/<name>/invocations". */
    path: string;
    headers: Record<string, string>;
    body: string;
}

/** Signs and sends a request to `service`, retrying what the SDKs retry; an answer over 299 is thrown as its AwsError. */
export async function awsRequest(
    service: AwsService,
    request: AwsRequest,
    options: { env?: Environment; signal?: AbortSignal; random?: () => number } = {},
): Promise<Answer> {
    const env = options.env ?? process.env;
    const { url: endpoint, region } = endpointOf(service, env);
    const url = new URL(request.path, endpoint.href.endsWith("/") ? endpoint : `${endpoint.href}/`);
    for (let attempt = 1; ; attempt++) {
        try {
            const headers = signed({ ...request, url }, { region, service: service.signingName }, credentialsOf(env), new Date());
            // Unsigned, as the SDKs leave it: it names this project in CloudTrail's record of each call.
            headers["user-agent"] = USER_AGENT;
            const answer = await send(url, request.method, headers, request.body, options.signal);
            if (answer.status >= 300) {
                throw awsErrorOf(answer);
            }
            return answer;
        } catch (err) {
            const delay = retryDelayMs(err, attempt, options.random);
            if (delay === undefined) {
                throw err;
            }
            await new Promise((resolve) => setTimeout(resolve, delay));
        }
    }
}

/** A JSON-protocol API whose operations `Ops` maps to their input and output. */
export interface JsonApi<Ops extends Record<string, [object, object]>> {
    call<K extends keyof Ops & string>(operation: K, input: Ops[K][0], options?: { signal?: AbortSignal }): Promise<Ops[K][1]>;
}

/**
 * A client of a JSON-protocol service, its environment (process.env unless given) read at each call:
 * the tests point it at local stand-ins, and may draw the retries' waits. It calls the function's own
 * region unless given another (a trail is read in its home region).
 */
export function jsonApi<Ops extends Record<string, [object, object]>>(
    service: JsonService,
    given: { env?: Environment; random?: () => number; region?: string } = {},
): JsonApi<Ops> {
    const { region, ...rest } = given;
    return {
        call: async (operation, input, options = {}) => {
            const env = region ? { ...(rest.env ?? process.env), AWS_REGION: region } : rest.env;
            const answer = await awsRequest(
                service,
                {
                    method: "POST",
                    path: "/",
                    headers: {
                        "content-type": `application/x-amz-json-${service.jsonVersion}`,
                        "x-amz-target": `${service.targetPrefix}.${operation}`,
                    },
                    body: JSON.stringify(input),
                },
                { ...rest, ...(env ? { env } : {}), ...(options.signal ? { signal: options.signal } : {}) },
            );
            return JSON.parse(answer.body || "{}") as Ops[typeof operation][1];
        },
    };
}
