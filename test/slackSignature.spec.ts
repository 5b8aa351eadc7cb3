import * as assert from "assert";
import {
    SLACK_TIMESTAMP_TOLERANCE_SECONDS,
    slackSignature,
    verifySlackRequest,
    type SlackRequestToVerify,
} from "../handler/decide/slackSignature";
import { signedInteraction } from "../tools/local/localSlackApi";

// The worked example of "Verifying requests from Slack" (api.slack.com/authentication/
// verifying-requests-from-slack, now docs.slack.dev/authentication/verifying-requests-from-slack):
// its signing secret, a slash command's body and timestamp, and the signature Slack sent.
const DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const DOC_TIMESTAMP = "1531420618";
const DOC_BODY =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar" +
    "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com" +
    "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

function docRequest(changes: Partial<SlackRequestToVerify> = {}): SlackRequestToVerify {
    return {
        signingSecret: DOC_SECRET,
        timestamp: DOC_TIMESTAMP,
        signature: DOC_SIGNATURE,
        body: DOC_BODY,
        nowSeconds: Number(DOC_TIMESTAMP) + 1,
        ...changes,
    };
}

function refusal(changes: Partial<SlackRequestToVerify>): string | undefined {
    const verdict = verifySlackRequest(docRequest(changes));
    return verdict.ok ? undefined : verdict.reason;
}

describe("verifying a request from Slack", function () {
    it("computes Slack's published signature for its published example", function () {
        assert.strictEqual(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY), DOC_SIGNATURE);
        assert.strictEqual(slackSignature(DOC_SECRET, DOC_TIMESTAMP, Buffer.from(DOC_BODY)), DOC_SIGNATURE);
    });

    it("accepts Slack's published example, with the signature's hex in either case", function () {
        assert.deepStrictEqual(verifySlackRequest(docRequest()), { ok: true });
        assert.deepStrictEqual(verifySlackRequest(docRequest({ signature: `v0=${DOC_SIGNATURE.slice(3).toUpperCase()}` })), { ok: true });
        assert.deepStrictEqual(verifySlackRequest(docRequest({ body: Buffer.from(DOC_BODY) })), { ok: true });
    });

    it("refuses a body changed by one character", function () {
        assert.strictEqual(refusal({ body: DOC_BODY.replace("text=&", "text=x&") }), "the signature does not match the body");
    });

    it("refuses a request signed with another secret", function () {
        assert.strictEqual(refusal({ signingSecret: "8f742231b10e8888abcd99yyyzzz85a6" }), "the signature does not match the body");
    });

    it("refuses the signature of another timestamp", function () {
        assert.strictEqual(refusal({ timestamp: "1531420619" }), "the signature does not match the body");
    });

    it("takes a timestamp up to five minutes either side of now, and refuses one beyond", function () {
        const at = Number(DOC_TIMESTAMP);
        assert.strictEqual(SLACK_TIMESTAMP_TOLERANCE_SECONDS, 300);
        assert.deepStrictEqual(verifySlackRequest(docRequest({ nowSeconds: at + 300 })), { ok: true });
        assert.deepStrictEqual(verifySlackRequest(docRequest({ nowSeconds: at - 300 })), { ok: true });
        assert.strictEqual(refusal({ nowSeconds: at + 301 }), "the request was signed 301 s ago, more than 300 s");
        assert.strictEqual(refusal({ nowSeconds: at - 301 }), "the request is dated 301 s ahead of now, more than 300 s");
        assert.strictEqual(refusal({ nowSeconds: at + 86400 }), "the request was signed 86400 s ago, more than 300 s");
    });

    it("refuses a request without either header", function () {
        assert.strictEqual(refusal({ timestamp: undefined }), "no X-Slack-Request-Timestamp header");
        assert.strictEqual(refusal({ timestamp: "" }), "no X-Slack-Request-Timestamp header");
        assert.strictEqual(refusal({ signature: undefined }), "no X-Slack-Signature header");
        assert.strictEqual(refusal({ signature: "" }), "no X-Slack-Signature header");
    });

    it("refuses a timestamp that is not whole seconds before computing anything", function () {
        for (const timestamp of ["soon", "1531420618.5", "-1531420618", " 1531420618", "1531420618,1531420618", "1e9"]) {
            assert.strictEqual(refusal({ timestamp }), "X-Slack-Request-Timestamp is not a whole number of seconds", timestamp);
        }
    });

    it("refuses a signature of another version or length without throwing", function () {
        assert.strictEqual(refusal({ signature: DOC_SIGNATURE.replace("v0=", "v1=") }), "X-Slack-Signature is not a v0 signature");
        assert.strictEqual(refusal({ signature: DOC_SIGNATURE.slice(3) }), "X-Slack-Signature is not a v0 signature");
        assert.strictEqual(refusal({ signature: `${DOC_SIGNATURE.slice(0, -1)}g` }), "X-Slack-Signature is not a v0 signature");
        assert.strictEqual(refusal({ signature: DOC_SIGNATURE.slice(0, -2) }), "X-Slack-Signature is not v0= and 64 hex digits");
        assert.strictEqual(refusal({ signature: `${DOC_SIGNATURE}00` }), "X-Slack-Signature is not v0= and 64 hex digits");
        assert.strictEqual(refusal({ signature: "v0=" }), "X-Slack-Signature is not v0= and 64 hex digits");
    });

    it("refuses everything when there is no signing secret, since anyone can sign with an empty key", function () {
        const forged = slackSignature("", DOC_TIMESTAMP, DOC_BODY);
        assert.strictEqual(refusal({ signingSecret: "", signature: forged }), "no signing secret to verify with");
    });

    it("never puts the secret or either signature in a reason", function () {
        const reasons = [
            refusal({ body: `${DOC_BODY}&x=1` }),
            refusal({ signature: DOC_SIGNATURE.slice(0, -2) }),
            refusal({ nowSeconds: 0 }),
            refusal({ signingSecret: "another-secret-of-some-length" }),
        ];
        const expected = slackSignature(DOC_SECRET, DOC_TIMESTAMP, `${DOC_BODY}&x=1`);
        for (const reason of reasons) {
            assert.ok(reason, "every one of these is refused");
            for (const secret of [DOC_SECRET, "another-secret-of-some-length", DOC_SIGNATURE.slice(3, 19), expected.slice(3, 19)]) {
                assert.ok(!reason.includes(secret), `${reason} names ${secret}`);
            }
        }
    });

    it("accepts what the local Slack signs, and nothing it signed with another secret", function () {
        const now = 1_767_225_600;
        const signed = signedInteraction({ signingSecret: DOC_SECRET, payload: { type: "block_actions" }, timestampSeconds: now - 2 });
        const check = (secret: string) =>
            verifySlackRequest({
                signingSecret: secret,
                timestamp: signed.headers["X-Slack-Request-Timestamp"],
                signature: signed.headers["X-Slack-Signature"],
                body: signed.body,
                nowSeconds: now,
            });
        assert.strictEqual(signed.body, "payload=%7B%22type%22%3A%22block_actions%22%7D");
        assert.deepStrictEqual(check(DOC_SECRET), { ok: true });
        assert.deepStrictEqual(check("another-secret"), { ok: false, reason: "the signature does not match the body" });
    });
});
