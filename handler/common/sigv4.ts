/**
 * AWS Signature Version 4 for the function's own requests (handler/common/awsJson.ts), as the IAM
 * User Guide's "Create a signed AWS API request" describes it: a canonical request, a string to sign
 * under the day's credential scope, and an HMAC-SHA256 signature with a key derived from the secret.
 * test/sigv4.spec.ts holds it to the AWS SDK's own signer (@smithy/signature-v4) request for request,
 * and the local AWS stand-in checks every request it receives the same way.
 */
import { createHash, createHmac } from "crypto";

export interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}

/** What is signed: a request to `url`, with its headers (names in any case) and body. */
export interface UnsignedRequest {
    method: string;
    url: URL;
    headers: Record<string, string>;
    body: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";

const sha256Hex = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** `20150830T123600Z`, the form X-Amz-Date takes. */
export function amzDate(at: Date): string {
    return at
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
}

// RFC 3986 unreserved characters stay; every other byte is %XX in upper case (SigV4's URI encoding).
function uriEncode(text: string): string {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// Every service but S3 encodes the path twice: the URL's path is encoded once already, and each of
// its segments is encoded again for the canonical request (an ARN's ":" is %3A on the wire, %253A here).
function canonicalPath(url: URL): string {
    return (url.pathname || "/").split("/").map(uriEncode).join("/");
}

function canonicalQuery(url: URL): string {
    return [...url.searchParams]
        .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
        .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join("&");
}

// The signing key depends only on the secret, the day, the region and the service: derived once a
// day for each service, and forgotten with the day.
const signingKeys = new Map<string, { secret: string; key: Buffer }>();

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
    const id = `${day}/${region}/${service}`;
    const kept = signingKeys.get(id);
    if (kept?.secret === secret) {
        return kept.key;
    }
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), "aws4_request");
    if (![...signingKeys.keys()].every((k) => k.startsWith(`${day}/`))) {
        signingKeys.clear();
    }
    signingKeys.set(id, { secret, key });
    return key;
}

/**
 * The request's headers with what SigV4 adds: Host, X-Amz-Date, X-Amz-Security-Token (temporary
 * credentials, as Lambda's are) and Authorization. Every header given is signed.
 */
export function signed(
    request: UnsignedRequest,
    scope: { region: string; service: string },
    credentials: Credentials,
    at: Date,
): Record<string, string> {
    const date = amzDate(at);
    const day = date.slice(0, 8);
    const headers: Record<string, string> = { ...request.headers, host: request.url.host, "x-amz-date": date };
    if (credentials.sessionToken) {
        headers["x-amz-security-token"] = credentials.sessionToken;
    }
    // Canonical headers: names in lower case, sorted; values trimmed, runs of spaces made one.
    const canonical = Object.entries(headers)
        .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, " ")] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1));
    const signedHeaders = canonical.map(([name]) => name).join(";");
    const canonicalRequest = [
        request.method,
        canonicalPath(request.url),
        canonicalQuery(request.url),
        canonical.map(([name, value]) => `${name}:${value}\n`).join(""),
        signedHeaders,
        sha256Hex(request.body),
    ].join("\n");
    const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
    const stringToSign = [ALGORITHM, date, credentialScope, sha256Hex(canonicalRequest)].join("\n");
    const signature = hmac(signingKey(credentials.secretAccessKey, day, scope.region, scope.service), stringToSign).toString("hex");
    return {
        ...headers,
        authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
}
