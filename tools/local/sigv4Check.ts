/**
 * Checks a request's SigV4 signature as AWS does: the signature is computed again, with the AWS
 * SDK's own signer (@smithy/signature-v4), over the headers the Authorization header says were
 * signed, and must be the one sent. The stand-ins the function's own requests reach (LocalAws,
 * LocalLambda) refuse a request that fails it, as AWS answers 403 InvalidSignatureException, so
 * every deployed-function test also checks handler/common/sigv4.ts.
 */
import { createHash, createHmac, type Hash, type Hmac } from "crypto";
import type * as http from "http";
import { SignatureV4 } from "@smithy/signature-v4";
import { LOCAL_CREDENTIALS } from "./localDynamo";

// The hash the SDK's signer is given in Node (@smithy/hash-node does the same).
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Buffer =>
    typeof data === "string"
        ? data
        : ArrayBuffer.isView(data)
          ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
          : Buffer.from(data);

class Sha256 {
    private readonly hash: Hash | Hmac;
    constructor(secret?: SourceData) {
        this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
    }
    update(data: SourceData): void {
        this.hash.update(bytes(data));
    }
    digest(): Promise<Uint8Array> {
        return Promise.resolve(new Uint8Array(this.hash.digest()));
    }
}

const AUTHORIZATION =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

// A query as the SDK's requests hold it: a name given twice has its values in a list.
function queryOf(url: URL): Record<string, string | string[]> {
    const query: Record<string, string | string[]> = {};
    for (const name of new Set(url.searchParams.keys())) {
        const values = url.searchParams.getAll(name);
        query[name] = values.length === 1 ? values[0]! : values;
    }
    return query;
}

/** The same request signed by the AWS SDK's signer with the given credentials: its Authorization header. */
export async function sdkAuthorization(
    request: { method: string; url: URL; headers: Record<string, string>; body: string },
    scope: { region: string; service: string },
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
    at: Date,
): Promise<string> {
    const signer = new SignatureV4({ credentials, region: scope.region, service: scope.service, sha256: Sha256, applyChecksum: false });
    const signedRequest = await signer.sign(
        {
            method: request.method,
            protocol: request.url.protocol,
            hostname: request.url.hostname,
            ...(request.url.port ? { port: Number(request.url.port) } : {}),
            path: request.url.pathname,
            query: queryOf(request.url),
            headers: { ...request.headers },
            body: request.body,
        },
        { signingDate: at },
    );
    return String(signedRequest.headers["authorization"]);
}

/** Why the request's signature is not valid for the local credentials and `service`, or undefined when it is. */
export async function signatureProblem(req: http.IncomingMessage, raw: Buffer, service: string): Promise<string | undefined> {
    const authorization = String(req.headers["authorization"] ?? "");
    const parsed = AUTHORIZATION.exec(authorization);
    if (!parsed) {
        return `Authorization header missing or malformed: ${authorization.slice(0, 40)}`;
    }
    const [, accessKeyId, day, region, signedFor, signedHeaders] = parsed;
    if (accessKeyId !== LOCAL_CREDENTIALS.accessKeyId) {
        return `The security token included in the request is invalid (access key ${accessKeyId}).`;
    }
    if (signedFor !== service) {
        return `Credential should be scoped to correct service: '${service}', not '${signedFor}'.`;
    }
    const date = String(req.headers["x-amz-date"] ?? "");
    const at = new Date(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
    if (Number.isNaN(at.getTime()) || date.slice(0, 8) !== day) {
        return `X-Amz-Date ${date} does not match the credential scope's day ${day ?? ""}.`;
    }
    const headers: Record<string, string> = {};
    for (const name of (signedHeaders ?? "").split(";")) {
        headers[name] = String(req.headers[name] ?? "");
    }
    const token = req.headers["x-amz-security-token"];
    const expected = await sdkAuthorization(
        {
            method: req.method ?? "GET",
            url: new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`),
            headers,
            body: raw.toString("utf8"),
        },
        { region: region ?? "", service },
        { ...LOCAL_CREDENTIALS, ...(typeof token === "string" ? { sessionToken: token } : {}) },
        at,
    );
    return expected === authorization
        ? undefined
        : "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.";
}

/**
 * Runs `answer` for a request signed as `service` with the local credentials; answers any other as
 * AWS does, 403 InvalidSignatureException, after `refused` has noted it.
 */
export function answerIfSigned(
    request: { req: http.IncomingMessage; res: http.ServerResponse; raw: Buffer },
    service: string,
    answer: () => void,
    refused: () => void = () => undefined,
): void {
    const { req, res, raw } = request;
    signatureProblem(req, raw, service).then(
        (problem) => {
            if (!problem) {
                answer();
                return;
            }
            refused();
            res.writeHead(403, { "content-type": "application/json", "x-amzn-errortype": "InvalidSignatureException" });
            res.end(JSON.stringify({ __type: "InvalidSignatureException", message: problem }));
        },
        (err: Error) => {
            res.writeHead(500);
            res.end(err.message);
        },
    );
}
