/**
 * Whether a request came from Slack, as Slack documents it in "Verifying requests from Slack"
 * (api.slack.com/authentication/verifying-requests-from-slack, now docs.slack.dev/authentication/
 * verifying-requests-from-slack): Slack signs every request it sends with the app's signing secret,
 * HMAC-SHA256 over the basestring `v0:<X-Slack-Request-Timestamp>:<raw body>`, and sends the hex
 * digest prefixed with the version as `X-Slack-Signature: v0=<hex>`.
 *
 * The page checks the timestamp in both directions: "if absolute_value(time.time() - timestamp) >
 * 60 * 5: # The request timestamp is more than five minutes from local time. It could be a replay
 * attack, so let's ignore it." Slack's Python SDK does the same (slack_sdk/signature: `abs(now -
 * int(timestamp)) > 60 * 5`); Bolt for JavaScript refuses only the stale side
 * (src/receivers/verify-request.ts). A request dated ahead of now is refused here as well: a
 * signature for a future time would otherwise stay replayable for longer than five minutes.
 *
 * The page also asks for an HMAC-aware comparison rather than string equality: the digests are
 * compared with crypto.timingSafeEqual. No reason names the secret, the expected signature or the
 * one sent.
 */
import { createHmac, timingSafeEqual } from "crypto";

/** How far a request's timestamp may be from now, either way: Slack's five minutes. */
export const SLACK_TIMESTAMP_TOLERANCE_SECONDS = 300;

/** What Slack signed and sent, as the endpoint received it; the headers are undefined when absent. */
export interface SlackRequestToVerify {
    /** The app's signing secret (Basic Information → App Credentials). */
    signingSecret: string;
    /** The X-Slack-Request-Timestamp header. */
    timestamp: string | undefined;
    /** The X-Slack-Signature header. */
    signature: string | undefined;
    /** The raw body, before any decoding: the signature covers its bytes exactly. */
    body: string | Uint8Array;
    /** Now, in whole or fractional epoch seconds. */
    nowSeconds: number;
}

export type SlackVerification = { ok: true } | { ok: false; reason: string };

// Slack's timestamps are whole epoch seconds; anything else (a sign, a fraction, two values joined
// by a comma where a proxy merged repeated headers) is refused before it reaches the basestring.
const TIMESTAMP = /^[0-9]{1,15}$/;
// The only version Slack has defined: "The version number right now is always v0."
const SIGNATURE = /^v0=([0-9a-fA-F]*)$/;
const DIGEST_HEX_CHARS = 64;

/** `v0=` and the hex HMAC-SHA256 of `v0:<timestamp>:<body>` under the signing secret. */
export function slackSignature(signingSecret: string, timestamp: string, body: string | Uint8Array): string {
    const hmac = createHmac("sha256", signingSecret);
    hmac.update(`v0:${timestamp}:`);
    hmac.update(body);
    return `v0=${hmac.digest("hex")}`;
}

function timestampProblem(timestamp: string, nowSeconds: number): string | undefined {
    if (!TIMESTAMP.test(timestamp)) {
        return "X-Slack-Request-Timestamp is not a whole number of seconds";
    }
    const skew = Math.round(nowSeconds - Number(timestamp));
    if (skew > SLACK_TIMESTAMP_TOLERANCE_SECONDS) {
        return `the request was signed ${skew} s ago, more than ${SLACK_TIMESTAMP_TOLERANCE_SECONDS} s`;
    }
    if (-skew > SLACK_TIMESTAMP_TOLERANCE_SECONDS) {
        return `the request is dated ${-skew} s ahead of now, more than ${SLACK_TIMESTAMP_TOLERANCE_SECONDS} s`;
    }
    return undefined;
}

/** Whether Slack signed this request with the app's signing secret within the last (or next) five minutes. */
export function verifySlackRequest(request: SlackRequestToVerify): SlackVerification {
    const { signingSecret, timestamp, signature, body, nowSeconds } = request;
    // An empty key is a key anyone can sign with.
    if (signingSecret === "") {
        return { ok: false, reason: "no signing secret to verify with" };
    }
    if (timestamp === undefined || timestamp === "") {
        return { ok: false, reason: "no X-Slack-Request-Timestamp header" };
    }
    if (signature === undefined || signature === "") {
        return { ok: false, reason: "no X-Slack-Signature header" };
    }
    const late = timestampProblem(timestamp, nowSeconds);
    if (late) {
        return { ok: false, reason: late };
    }
    const sent = SIGNATURE.exec(signature)?.[1];
    if (sent === undefined) {
        return { ok: false, reason: "X-Slack-Signature is not a v0 signature" };
    }
    if (sent.length !== DIGEST_HEX_CHARS) {
        return { ok: false, reason: `X-Slack-Signature is not v0= and ${DIGEST_HEX_CHARS} hex digits` };
    }
    const expected = Buffer.from(slackSignature(signingSecret, timestamp, body).slice(3), "hex");
    const given = Buffer.from(sent, "hex");
    // Both are 32 bytes by now; timingSafeEqual throws on unequal lengths, so that stays a refusal.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { ok: false, reason: "the signature does not match the body" };
    }
    return { ok: true };
}
