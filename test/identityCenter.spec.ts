/**
 * The MFA an IAM Identity Center console sign-in is credited with: only its own person's
 * authentication (the identity store's user id and store, never the user name), only one made at
 * or before the sign-in, and only when the look-back window was read to its end.
 */
import * as assert from "assert";
import {
    addIdentityCenterMfa,
    attachMfa,
    AUTHENTICATION_LOOKBACK_MS,
    IDENTITY_CENTER_AUTH_PATTERN,
    LOOKUP_BUDGET_MS,
    LOOKUP_MAX_PAGES,
    READ_PAST_SIGN_IN_MS,
} from "../handler/deliver/identityCenter";
import { parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import { ruleRun } from "../handler/deliver/ruleRun";
import type { AwsPorts, IdentityCenterMfa, LogEvent, LogEventPage, SignIn, TimeWindow } from "../handler/common/types";
import { fixture } from "../tools/fixtures";
import { builtInRunTimeRule, fakeInvocation, unitSettings, type FakeClock } from "./support/fakePorts";

type Json = Record<string, unknown>;
interface StoreUser {
    userId: string;
    identityStoreArn: string;
}

const SIGN_IN_AT = Date.parse("2024-05-20T08:15:03Z");
const SECOND = 1000;
const MINUTE = 60 * SECOND;
// The shape of `userIdentity.onBehalfOf` (AWS CloudTrail User Guide, "CloudTrail userIdentity element").
const ALICE: StoreUser = {
    userId: "94482488-3041-7098-e2a1-4d3c9c7e0b21",
    identityStoreArn: "arn:aws:identitystore::111122223333:identitystore/d-1234567890",
};
const OTHER_STORE = "arn:aws:identitystore::444455556666:identitystore/d-9876543210";
const SAME_STORE_OTHER_USER: StoreUser = { ...ALICE, userId: "c46824b8-f071-7009-c812-ad564a62b220" };

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The recorded Identity Center console sign-in, with the identity store's user when given. */
function consoleSignIn(onBehalfOf?: StoreUser): SignIn {
    const record = fixture<Json>("cloudtrail_sso-assumed-role");
    const identity = record["userIdentity"] as Json;
    const text = JSON.stringify({ ...record, userIdentity: onBehalfOf ? { ...identity, onBehalfOf } : identity });
    const parsed = parseCloudTrailRecord(text);
    assert.ok(parsed.ok);
    return toSignIn(parsed.value);
}

let sequence = 0;
/** A UserAuthentication as the trail logged it while it carried both the user name and the store's user id. */
function authentication(atMs: number, credentialType: string, onBehalfOf: StoreUser, userName = "alice@example.com"): LogEvent {
    const record = fixture<Json>("cloudtrail_sso-authentication-totp");
    const message = JSON.stringify({
        ...record,
        eventID: `6c2a1f0e-5b7d-4e39-9a41-${String(++sequence).padStart(12, "0")}`,
        eventTime: iso(atMs),
        userIdentity: { ...(record["userIdentity"] as Json), userName, onBehalfOf },
        additionalEventData: { ...(record["additionalEventData"] as Json), CredentialType: credentialType },
    });
    return { message, timestamp: atMs };
}

const mfa = (atMs: number, methods: string[], usedMfa: boolean): IdentityCenterMfa => ({ methods, usedMfa, at: new Date(atMs) });

/** The lookup run against FilterLogEvents pages served by `serve`, recording every request. */
async function lookUp(signIns: SignIn[], serve: (request: number, clock: FakeClock) => Promise<LogEventPage>) {
    const { deps, clock } = fakeInvocation(SIGN_IN_AT + 5 * MINUTE, unitSettings());
    const requests: Array<{ pattern: string; window: TimeWindow; nextToken: string | undefined }> = [];
    const ports: AwsPorts = deps.aws;
    ports.filterLogEventsPage = async (_group, pattern, window, nextToken) => {
        requests.push({ pattern, window, nextToken });
        return serve(requests.length, clock);
    };
    const report = { trigger: "eventbridge" as const, rulesScanned: [], posted: 0, messages: 0, skipped: [] };
    const run = ruleRun(deps, builtInRunTimeRule("console-signin"), "fast", clock.now() + 60 * SECOND, report);
    await clock.drive(addIdentityCenterMfa(run, signIns));
    return requests;
}

describe("the MFA of an IAM Identity Center console sign-in", function () {
    it("is the person's own TOTP authentication before the sign-in, matched by identity store user id", function () {
        const signIn = consoleSignIn(ALICE);
        attachMfa([signIn], [authentication(SIGN_IN_AT - 10 * MINUTE, "PASSWORD,TOTP", ALICE)]);
        assert.deepStrictEqual(signIn.identityCenterMfa, mfa(SIGN_IN_AT - 10 * MINUTE, ["PASSWORD", "TOTP"], true));
    });

    it("matches the record shape that carries the identity store user and no user name", function () {
        const signIn = consoleSignIn(ALICE);
        // IAM Identity Center no longer emits userIdentity.userName (AWS Security Blog, "Important
        // changes to CloudTrail events for AWS IAM Identity Center").
        const record = fixture<Json>("cloudtrail_sso-authentication-totp");
        const message = JSON.stringify({
            ...record,
            eventTime: iso(SIGN_IN_AT - 10 * MINUTE),
            userIdentity: { type: "IdentityCenterUser", accountId: "111122223333", onBehalfOf: ALICE, credentialId: "EXAMPLEcredential" },
        });
        attachMfa([signIn], [{ message, timestamp: SIGN_IN_AT - 10 * MINUTE }]);
        assert.deepStrictEqual(signIn.identityCenterMfa, mfa(SIGN_IN_AT - 10 * MINUTE, ["PASSWORD", "TOTP"], true));
    });

    it("is not another person's TOTP authentication with the same user name in another identity store", function () {
        const signIn = consoleSignIn(ALICE);
        attachMfa(
            [signIn],
            [
                authentication(SIGN_IN_AT - 20 * SECOND, "PASSWORD", ALICE),
                // The same user id string too: the store is part of who the user is.
                authentication(SIGN_IN_AT - 10 * SECOND, "PASSWORD,TOTP", { ...ALICE, identityStoreArn: OTHER_STORE }),
            ],
        );
        assert.deepStrictEqual(signIn.identityCenterMfa, mfa(SIGN_IN_AT - 20 * SECOND, ["PASSWORD"], false));
    });

    it("is not another user's TOTP authentication whose user name differs only in case", function () {
        const signIn = consoleSignIn(ALICE);
        attachMfa(
            [signIn],
            [
                authentication(SIGN_IN_AT - 20 * SECOND, "PASSWORD", ALICE),
                authentication(SIGN_IN_AT - 10 * SECOND, "PASSWORD,TOTP", SAME_STORE_OTHER_USER, "ALICE@Example.com"),
            ],
        );
        assert.deepStrictEqual(signIn.identityCenterMfa, mfa(SIGN_IN_AT - 20 * SECOND, ["PASSWORD"], false));
    });

    it("is not a TOTP authentication made 30 s after a password-only sign-in", function () {
        const signIn = consoleSignIn(ALICE);
        attachMfa(
            [signIn],
            [authentication(SIGN_IN_AT - MINUTE, "PASSWORD", ALICE), authentication(SIGN_IN_AT + 30 * SECOND, "PASSWORD,TOTP", ALICE)],
        );
        assert.deepStrictEqual(signIn.identityCenterMfa, mfa(SIGN_IN_AT - MINUTE, ["PASSWORD"], false));
    });

    it("counts an authentication logged in the same second as the sign-in", function () {
        const signIn = consoleSignIn(ALICE);
        attachMfa([signIn], [authentication(SIGN_IN_AT, "PASSWORD,WEBAUTHN", ALICE)]);
        assert.deepStrictEqual(signIn.identityCenterMfa, mfa(SIGN_IN_AT, ["PASSWORD", "WEBAUTHN"], true));
    });

    it("is unknown, not matched by user name, when the console sign-in names no identity store user", function () {
        const signIn = consoleSignIn();
        attachMfa([signIn], [authentication(SIGN_IN_AT - 10 * MINUTE, "PASSWORD,TOTP", ALICE)]);
        assert.strictEqual(signIn.identityCenterMfa, undefined);
    });

    it("is unknown when the authentication names no identity store user", function () {
        const signIn = consoleSignIn(ALICE);
        const record = JSON.parse(authentication(SIGN_IN_AT - 10 * MINUTE, "PASSWORD,TOTP", ALICE).message) as Json;
        delete (record["userIdentity"] as Json)["onBehalfOf"];
        attachMfa([signIn], [{ message: JSON.stringify(record), timestamp: SIGN_IN_AT - 10 * MINUTE }]);
        assert.strictEqual(signIn.identityCenterMfa, undefined);
    });

    describe("looked up in the trail's log group", function () {
        it("reads the look-back window, with Identity Center's pattern", async function () {
            const signIn = consoleSignIn(ALICE);
            const requests = await lookUp([signIn], async () => ({
                events: [authentication(SIGN_IN_AT - 10 * MINUTE, "PASSWORD,TOTP", ALICE)],
            }));
            assert.deepStrictEqual(requests, [
                {
                    pattern: IDENTITY_CENTER_AUTH_PATTERN,
                    window: { startMs: SIGN_IN_AT - AUTHENTICATION_LOOKBACK_MS, endMs: SIGN_IN_AT + READ_PAST_SIGN_IN_MS },
                    nextToken: undefined,
                },
            ]);
            assert.deepStrictEqual(signIn.identityCenterMfa, mfa(SIGN_IN_AT - 10 * MINUTE, ["PASSWORD", "TOTP"], true));
        });

        it("says yes when the window was read to its end over several pages", async function () {
            const signIn = consoleSignIn(ALICE);
            const requests = await lookUp([signIn], async (n) =>
                n < LOOKUP_MAX_PAGES
                    ? { events: [authentication(SIGN_IN_AT - (60 - n) * MINUTE, "PASSWORD", ALICE)], nextToken: `page-${n + 1}` }
                    : { events: [authentication(SIGN_IN_AT - 5 * MINUTE, "PASSWORD,TOTP", ALICE)] },
            );
            assert.deepStrictEqual(
                requests.map((r) => r.nextToken),
                [undefined, ...Array.from({ length: LOOKUP_MAX_PAGES - 1 }, (_, i) => `page-${i + 2}`)],
            );
            assert.deepStrictEqual(signIn.identityCenterMfa, mfa(SIGN_IN_AT - 5 * MINUTE, ["PASSWORD", "TOTP"], true));
        });

        it("is unknown when a nextToken is left after the page cap, and says why in the log", async function () {
            const signIn = consoleSignIn(ALICE);
            const lines: string[] = [];
            const write = console.log;
            console.log = (line: string) => lines.push(line);
            try {
                const requests = await lookUp([signIn], async (n) => ({
                    events: [authentication(SIGN_IN_AT - (60 - n) * MINUTE, "PASSWORD,TOTP", ALICE)],
                    nextToken: `page-${n + 1}`,
                }));
                assert.strictEqual(requests.length, LOOKUP_MAX_PAGES);
            } finally {
                console.log = write;
            }
            assert.strictEqual(signIn.identityCenterMfa, undefined);
            assert.deepStrictEqual(
                lines.map((l) => JSON.parse(l) as unknown),
                [
                    {
                        level: "warn",
                        message: "the Identity Center authentications were not read to the sign-in; posting without their MFA",
                        rule: "console-signin",
                        found: LOOKUP_MAX_PAGES,
                    },
                ],
            );
        });

        it("is unknown when the time budget ends with a nextToken left", async function () {
            const signIn = consoleSignIn(ALICE);
            const requests = await lookUp([signIn], async (n, clock) => {
                // The first page takes the whole budget, so no second one is started.
                await clock.sleep(LOOKUP_BUDGET_MS);
                return { events: [authentication(SIGN_IN_AT - 30 * MINUTE, "PASSWORD,TOTP", ALICE)], nextToken: `page-${n + 1}` };
            });
            assert.strictEqual(requests.length, 1);
            assert.strictEqual(signIn.identityCenterMfa, undefined);
        });

        it("reads nothing when no console sign-in of the batch names an identity store user", async function () {
            const signIn = consoleSignIn();
            const requests = await lookUp([signIn], async () => ({
                events: [authentication(SIGN_IN_AT - 10 * MINUTE, "PASSWORD,TOTP", ALICE)],
            }));
            assert.deepStrictEqual(requests, []);
            assert.strictEqual(signIn.identityCenterMfa, undefined);
        });
    });
});
