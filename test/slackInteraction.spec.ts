import * as assert from "assert";
import { MAX_INTERACTION_BODY_BYTES, readButtonClick } from "../handler/decide/interaction";
import { buttonClick, signedInteraction, type KeptMessage } from "../tools/local/localSlackApi";
import { ANSWER_ACTIONS } from "../shared/confirm";
import { sampleQuestion } from "./support/sampleQuestion";

const SECRET = "0123456789abcdef0123456789abcdef";
const AT = 1_767_225_600;

/** The direct message as the function posts it, kept as Slack keeps it. */
const SAMPLE = sampleQuestion();
const QUESTION: KeptMessage = { channel: "D0ALICE01", ts: "1767225590.000100", text: SAMPLE.text, blocks: SAMPLE.blocks, history: [] };
const [YES, NO] = [ANSWER_ACTIONS.yes, ANSWER_ACTIONS.no];

const ALICE = { userId: "U0ALICE01", teamId: "T0EXAMPLE", atSeconds: AT };

function bodyOf(payload: unknown): string {
    return signedInteraction({ signingSecret: SECRET, payload, timestampSeconds: AT }).body;
}

function reasonFor(body: string): string | undefined {
    const reading = readButtonClick(body);
    return reading.ok ? undefined : reading.reason;
}

function clickWith(change: (payload: Record<string, unknown>) => void): string {
    const payload = buttonClick(QUESTION, NO, ALICE);
    change(payload);
    return bodyOf(payload);
}

describe("reading a button click from Slack", function () {
    it("reads who answered what, on which message, from a block_actions payload", function () {
        assert.deepStrictEqual(readButtonClick(bodyOf(buttonClick(QUESTION, YES, ALICE))), {
            ok: true,
            click: {
                teamId: "T0EXAMPLE",
                userId: "U0ALICE01",
                actionId: YES,
                value: SAMPLE.eventId,
                responseUrl: "https://hooks.slack.com/actions/T0EXAMPLE/1234567890123/ResponseUrlSecretPart0001",
                channelId: "D0ALICE01",
                messageTs: "1767225590.000100",
            },
        });
    });

    it("reads a body whose spaces are form-encoded as +", function () {
        const body = bodyOf(buttonClick(QUESTION, NO, ALICE)).replace(/%20/g, "+");
        const reading = readButtonClick(body);
        assert.ok(reading.ok);
        assert.strictEqual(reading.click.actionId, NO);
    });

    it("takes the workspace from user.team_id where an organization-wide install sends no team", function () {
        const reading = readButtonClick(clickWith((p) => (p["team"] = null)));
        assert.ok(reading.ok);
        assert.strictEqual(reading.click.teamId, "T0EXAMPLE");
    });

    it("takes the message's place from channel and message when there is no container", function () {
        const reading = readButtonClick(clickWith((p) => delete p["container"]));
        assert.ok(reading.ok);
        assert.deepStrictEqual([reading.click.channelId, reading.click.messageTs], ["D0ALICE01", "1767225590.000100"]);
        const nowhere = readButtonClick(clickWith((p) => ["container", "channel", "message"].forEach((k) => delete p[k])));
        assert.ok(nowhere.ok);
        assert.deepStrictEqual([nowhere.click.channelId, nowhere.click.messageTs], [undefined, undefined]);
    });

    it("refuses payloads of other interactions", function () {
        assert.strictEqual(
            reasonFor(clickWith((p) => (p["type"] = "view_submission"))),
            'the payload\'s type is "view_submission", not block_actions',
        );
        assert.strictEqual(
            reasonFor(clickWith((p) => (p["type"] = "interactive_message"))),
            'the payload\'s type is "interactive_message", not block_actions',
        );
        assert.strictEqual(reasonFor(clickWith((p) => delete p["type"])), "the payload has no type");
    });

    it("refuses a payload without exactly one action", function () {
        assert.strictEqual(reasonFor(clickWith((p) => (p["actions"] = []))), "the payload has no actions");
        assert.strictEqual(reasonFor(clickWith((p) => delete p["actions"])), "the payload has no actions");
        assert.strictEqual(
            reasonFor(clickWith((p) => (p["actions"] = [...(p["actions"] as unknown[]), ...(p["actions"] as unknown[])]))),
            "the payload has 2 actions, not one",
        );
        assert.strictEqual(reasonFor(clickWith((p) => (p["actions"] = [NO]))), "the payload's action is not an object");
    });

    it("refuses a payload that lacks what the answer needs, naming each part", function () {
        const reason = reasonFor(
            clickWith((p) => {
                p["team"] = null;
                p["user"] = {};
                delete (p["actions"] as Array<Record<string, unknown>>)[0]!["value"];
            }),
        );
        assert.strictEqual(reason, "the payload has no team.id, user.id, actions[0].value");
        assert.strictEqual(reasonFor(clickWith((p) => delete p["response_url"])), "the payload has no response_url");
        assert.strictEqual(
            reasonFor(clickWith((p) => ((p["actions"] as Array<Record<string, unknown>>)[0]!["action_id"] = ""))),
            "the payload has no actions[0].action_id",
        );
    });

    it("refuses a response_url that is not Slack's", function () {
        const expected = "the response_url is not an https URL on hooks.slack.com or hooks.slack-gov.com";
        for (const url of [
            "https://hooks.example.com/actions/T0/1/x",
            "http://hooks.slack.com/actions/T0/1/x",
            "https://hooks.slack.com:8443/actions/T0/1/x",
            "not a url",
        ]) {
            assert.strictEqual(reasonFor(clickWith((p) => (p["response_url"] = url))), expected, url);
        }
        const gov = readButtonClick(clickWith((p) => (p["response_url"] = "https://hooks.slack-gov.com/actions/T0/1/x")));
        assert.ok(gov.ok);
    });

    it("refuses a body that is not a form with a JSON object in payload", function () {
        assert.strictEqual(reasonFor(""), "the body has no payload field");
        assert.strictEqual(reasonFor('{"type":"block_actions"}'), "the body has no payload field");
        assert.strictEqual(reasonFor("payload=%7Bnot%20json"), "the payload is not JSON");
        assert.strictEqual(reasonFor("payload=%5B1%2C2%5D"), "the payload is not a JSON object");
        assert.strictEqual(reasonFor("payload=null"), "the payload is not a JSON object");
    });

    it("refuses a body over 64 KiB before parsing it, and reads one just under", function () {
        const click = bodyOf(buttonClick(QUESTION, YES, ALICE));
        const padded = (bytes: number) => `${click}&pad=${"x".repeat(bytes - click.length - "&pad=".length)}`;
        assert.strictEqual(MAX_INTERACTION_BODY_BYTES, 65536);
        assert.ok(readButtonClick(padded(65536)).ok);
        assert.strictEqual(reasonFor(padded(65537)), "the body is 65537 bytes, more than 65536");
        // Counted in bytes, not characters: 30,000 three-byte characters are 90,000 bytes.
        assert.strictEqual(reasonFor(`payload=${"あ".repeat(30000)}`), "the body is 90008 bytes, more than 65536");
    });

    it("finds a click on the function's own question under a sixteenth of the limit", function () {
        const bytes = Buffer.byteLength(bodyOf(buttonClick(QUESTION, NO, ALICE)));
        // The question as the function sends it, form-encoded with the rest of Slack's payload.
        assert.strictEqual(bytes, 3898);
        assert.ok(bytes * 16 < MAX_INTERACTION_BODY_BYTES);
    });
});
