/**
 * Issue 14 through the deployed handler (the bundled __index.js in a child process, against
 * local Slack and AWS): first-seen marks, IAM Identity Center people and MFA, tampering, the
 * delivery heartbeat and the summary.
 */
import { strict as assert } from "assert";
import { alarmNamesOf, invokeInChild } from "../tools/local/deployedFunction";
import { IDENTITY_CENTER_AUTH_PATTERN, LOOKUP_MAX_PAGES } from "../handler/deliver/identityCenter";
import { alarmNotification, fixture } from "../tools/fixtures";
import { normaliseDelays } from "./support/baseline";
import { tallyAsLastHour, useDeployedRig } from "./support/deployedRig";
import { runWith } from "./support/program";

type Record_ = Record<string, unknown>;
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

interface Posted {
    header: string;
    lines: string[];
    fields: Record<string, string>;
}

/** Each posted message's header, section lines and fields ("*Label*\nvalue"), delays normalised. */
function posted(payloads: unknown[]): Posted[] {
    const messages = normaliseDelays(payloads) as Array<{ blocks?: Array<Record_> }>;
    return messages.map((m) => {
        const blocks = m.blocks ?? [];
        const header = ((blocks.find((b) => b["type"] === "header")?.["text"] as Record_ | undefined)?.["text"] as string) ?? "";
        const lines = blocks.flatMap((b) => ((b["text"] as Record_ | undefined)?.["text"] as string | undefined)?.split("\n") ?? []);
        const fields = Object.fromEntries(
            blocks.flatMap((b) =>
                ((b["fields"] as Array<{ text: string }> | undefined) ?? []).map((f) => {
                    const [label, ...value] = f.text.split("\n");
                    return [label!.replace(/\*/g, ""), value.join("\n")];
                }),
            ),
        );
        return { header, lines, fields };
    });
}

describe("knowing the person and never going blind, through the deployed handler", function () {
    // Every console sign-in, IAM Identity Center's included (the default pattern is the original
    // design's: IAM users who used MFA).
    const rig = useDeployedRig(
        () =>
            runWith({ summary: "daily", signInFilterPattern: '{ ($.eventName = "ConsoleLogin") && ($.eventType = "AwsConsoleSignIn") }' }),
        { MIN_POST_INTERVAL_MS: "0" },
    );
    const signinEnvelope = fixture<Record_>("eventbridge_console-signin");

    /** A CloudTrail record as EventBridge delivers it, with a new event id, time and source address. */
    function signInEvent(id: string, atMs: number, sourceIp: string, detail = signinEnvelope["detail"] as Record_): Record_ {
        return {
            ...signinEnvelope,
            id: `envelope-${id}`,
            detail: {
                ...detail,
                eventID: id,
                eventTime: new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
                sourceIPAddress: sourceIp,
            },
        };
    }

    function storeRecord(record: Record_, atMs = Date.now() - 120000): void {
        rig.aws.logEvents.push({
            logGroupName: rig.fn.environment["TRAIL_LOG_GROUP_NAME"]!,
            timestamp: atMs,
            message: JSON.stringify(record),
        });
    }

    const LINK = (id: string) =>
        `<https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/${id}|View in CloudTrail>`;
    const utc = (ms: number) => `${new Date(ms).toISOString().replace("T", " ").slice(0, 19)} UTC`;
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    const OPS_ADMIN = {
        "Identity type": "IAMUser",
        Result: "Success",
        MFA: "Yes",
        Region: "us-east-1",
        Browser: "Chrome 91 on Windows",
        Account: "111122223333",
    };

    it("says 'no history yet' for a principal's first sign-in, nothing for a known network, raises a new network to high, and posts a redelivery nothing", async function () {
        const base = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
        const ids = [
            "11111111-0000-4000-8000-000000000001",
            "11111111-0000-4000-8000-000000000002",
            "11111111-0000-4000-8000-000000000003",
        ];
        const events = [
            signInEvent(ids[0]!, base + HOUR, "203.0.113.24"),
            signInEvent(ids[1]!, base + DAY + HOUR, "203.0.113.99"),
            signInEvent(ids[2]!, base + 2 * DAY + HOUR, "198.51.100.7"),
        ];
        const run = await invokeInChild(rig.fn, [...events, events[2]], { env: rig.env });
        assert.deepEqual(
            run.results.map((r) => r.ok && (r.value as { posted: number }).posted),
            [1, 1, 1, 0],
        );
        assert.deepEqual(posted(rig.slack.accepted), [
            {
                header: ":information_source: Console sign-in",
                lines: [
                    ":information_source: Console sign-in",
                    "*Console sign-in*: 1 event",
                    `*ops-admin* signed in · ${LINK(ids[0]!)} · posted <delay> after sign-in`,
                    "No sign-in history yet for ops-admin",
                ],
                fields: { ...OPS_ADMIN, "Source IP": "203.0.113.24", Time: utc(base + HOUR) },
            },
            {
                header: ":information_source: Console sign-in",
                lines: [
                    ":information_source: Console sign-in",
                    "*Console sign-in*: 1 event",
                    `*ops-admin* signed in · ${LINK(ids[1]!)} · posted <delay> after sign-in`,
                ],
                fields: { ...OPS_ADMIN, "Source IP": "203.0.113.99", Time: utc(base + DAY + HOUR) },
            },
            {
                header: ":warning: Console sign-in from a new network",
                lines: [
                    ":warning: Console sign-in from a new network",
                    "*Console sign-in from a new network*: 1 event",
                    `*ops-admin* signed in · ${LINK(ids[2]!)} · posted <delay> after sign-in`,
                    `:new: First sign-in from 198.51.100.0/24 for ops-admin since ${iso(base + HOUR).slice(0, 10)}`,
                ],
                fields: { ...OPS_ADMIN, "Source IP": "198.51.100.7", Time: utc(base + 2 * DAY + HOUR) },
            },
        ]);
        // Three writes, none for the redelivery; the new network's only sighting is its own sign-in.
        const history = await rig.aws.item("history#111122223333|IAMUser|ops-admin");
        assert.equal(history?.["version"]?.N, "3");
        const stored = JSON.parse(history?.["body"]?.S ?? "{}") as { networks: Record<string, unknown> };
        assert.deepEqual(stored.networks["198.51.100.0/24"], {
            first: { atMs: base + 2 * DAY + HOUR, eventId: ids[2] },
            recent: [{ atMs: base + 2 * DAY + HOUR, eventId: ids[2] }],
        });
        assert.deepEqual(Object.keys(stored.networks).sort(), ["198.51.100.0/24", "203.0.113.0/24"]);
    });

    it("marks a failed sign-in from a new network but never learns from it: the next success from there is still new", async function () {
        const base = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
        // ops-admin's own failed sign-in, as the failure fixture records one.
        const failure = {
            ...fixture<Record_>("cloudtrail_failure-wrong-password"),
            userIdentity: (signinEnvelope["detail"] as Record_)["userIdentity"],
        };
        const events = [
            signInEvent("22222222-0000-4000-8000-000000000001", base, "203.0.113.24"),
            signInEvent("22222222-0000-4000-8000-000000000002", base + HOUR, "192.0.2.10", failure),
            signInEvent("22222222-0000-4000-8000-000000000003", base + 2 * HOUR, "192.0.2.11"),
        ];
        const run = await invokeInChild(rig.fn, events, { env: rig.env });
        assert.ok(
            run.results.every((r) => r.ok),
            run.stderr,
        );
        const newLines = posted(rig.slack.accepted).map((m) => [m.header, m.lines.find((l) => l.startsWith(":new:")) ?? "-"]);
        assert.deepEqual(newLines, [
            [":information_source: Console sign-in", "-"],
            // This stack's console-signin takes every console sign-in, failures too: the failure is posted
            // once, under the more urgent signin-failures, which names console-signin. Its browser is new as well.
            [
                ":warning: Failed console sign-in",
                `:new: First sign-in from 192.0.2.0/24 with Firefox on macOS for ops-admin since ${iso(base).slice(0, 10)}`,
            ],
            [
                ":warning: Console sign-in from a new network",
                `:new: First sign-in from 192.0.2.0/24 for ops-admin since ${iso(base).slice(0, 10)}`,
            ],
        ]);
    });

    // The identity store's user, as `userIdentity.onBehalfOf` carries it (AWS CloudTrail User Guide,
    // "CloudTrail userIdentity element"); the recorded fixtures predate it.
    const ALICE = {
        userId: "94482488-3041-7098-e2a1-4d3c9c7e0b21",
        identityStoreArn: "arn:aws:identitystore::111122223333:identitystore/d-1234567890",
    };
    const OTHER_STORE = "arn:aws:identitystore::444455556666:identitystore/d-9876543210";

    /** The recorded Identity Center console sign-in as EventBridge brings it, with the identity store's user when given. */
    function ssoSignIn(id: string, atMs: number, onBehalfOf?: typeof ALICE): Record_ {
        const sso = fixture<Record_>("cloudtrail_sso-assumed-role");
        const identity = sso["userIdentity"] as Record_;
        return signInEvent(id, atMs, "203.0.113.58", { ...sso, userIdentity: onBehalfOf ? { ...identity, onBehalfOf } : identity });
    }

    /** A UserAuthentication in the trail's log group, logged at its own time, with a new event id. */
    function storeAuthentication(id: string, atMs: number, credentialType: string, onBehalfOf: typeof ALICE): void {
        const auth = fixture<Record_>("cloudtrail_sso-authentication-totp");
        const record = {
            ...auth,
            eventID: id,
            eventTime: iso(atMs),
            userIdentity: { ...(auth["userIdentity"] as Record_), onBehalfOf },
            additionalEventData: { ...(auth["additionalEventData"] as Record_), CredentialType: credentialType },
        };
        storeRecord(record, atMs);
    }

    /** What each posted message says of who signed in and with which MFA. */
    const whoAndMfa = () =>
        posted(rig.slack.accepted).map((m) => [
            m.lines[2]?.split(" · ")[0],
            m.fields["Permission set"],
            m.fields["MFA"],
            m.fields["Identity type"],
        ]);

    it("names an IAM Identity Center person and permission set, with the MFA of their own last Identity Center sign-in, or says it is unknown", async function () {
        const now = Date.now();
        storeAuthentication("6c2a1f0e-5b7d-4e39-9a41-000000000001", now - 10 * 60000, "PASSWORD,TOTP", ALICE);
        const withAuth = ssoSignIn("33333333-0000-4000-8000-000000000001", now - 60000, ALICE);
        // Longer after the authentication than an access portal session lasts by default.
        const withoutAuth = ssoSignIn("33333333-0000-4000-8000-000000000002", now - 13 * HOUR, ALICE);
        // No identity store user on the sign-in: the user name alone never decides, and nothing is read.
        const nameOnly = ssoSignIn("33333333-0000-4000-8000-000000000003", now - 30000);
        const run = await invokeInChild(rig.fn, [withAuth, withoutAuth, nameOnly], { env: rig.env });
        assert.ok(
            run.results.every((r) => r.ok),
            run.stderr,
        );
        assert.deepEqual(whoAndMfa(), [
            ["*alice@example.com* signed in", "AdministratorAccess", "Yes (TOTP)", "AssumedRole"],
            ["*alice@example.com* signed in", "AdministratorAccess", "Unknown (IAM Identity Center)", "AssumedRole"],
            ["*alice@example.com* signed in", "AdministratorAccess", "Unknown (IAM Identity Center)", "AssumedRole"],
        ]);
        // One lookup of Identity Center's sign-ins per message that can use it, with their own pattern.
        const lookups = rig.aws.callsOf("FilterLogEvents").map((c) => c.body["filterPattern"]);
        assert.deepEqual(lookups, [IDENTITY_CENTER_AUTH_PATTERN, IDENTITY_CENTER_AUTH_PATTERN]);
    });

    it("does not credit a password-only Identity Center sign-in with a namesake's TOTP in another identity store, or with a later TOTP", async function () {
        const now = Date.now();
        storeAuthentication("6c2a1f0e-5b7d-4e39-9a41-000000000011", now - 5 * 60000, "PASSWORD", ALICE);
        storeAuthentication("6c2a1f0e-5b7d-4e39-9a41-000000000012", now - 2 * 60000, "PASSWORD,TOTP", {
            ...ALICE,
            identityStoreArn: OTHER_STORE,
        });
        storeAuthentication("6c2a1f0e-5b7d-4e39-9a41-000000000013", now - 30000, "PASSWORD,TOTP", ALICE);
        const run = await invokeInChild(rig.fn, [ssoSignIn("33333333-0000-4000-8000-000000000011", now - 60000, ALICE)], { env: rig.env });
        assert.ok(run.results[0]?.ok, run.stderr);
        assert.deepEqual(whoAndMfa(), [["*alice@example.com* signed in", "AdministratorAccess", "No (PASSWORD only)", "AssumedRole"]]);
    });

    it("says the MFA is unknown when the look-back window still has pages after the page cap", async function () {
        const now = Date.now();
        for (let i = 0; i <= LOOKUP_MAX_PAGES; i++) {
            storeAuthentication(`6c2a1f0e-5b7d-4e39-9a41-00000000002${i}`, now - (60 - i) * 60000, "PASSWORD,TOTP", ALICE);
        }
        const pageSize = rig.aws.pageSize;
        rig.aws.pageSize = 1;
        try {
            const run = await invokeInChild(rig.fn, [ssoSignIn("33333333-0000-4000-8000-000000000021", now - 60000, ALICE)], {
                env: rig.env,
            });
            assert.ok(run.results[0]?.ok, run.stderr);
        } finally {
            rig.aws.pageSize = pageSize;
        }
        assert.deepEqual(whoAndMfa(), [
            ["*alice@example.com* signed in", "AdministratorAccess", "Unknown (IAM Identity Center)", "AssumedRole"],
        ]);
        assert.equal(rig.aws.callsOf("FilterLogEvents").length, LOOKUP_MAX_PAGES);
    });

    it("posts a password-only IAM Identity Center sign-in under sso-signin-without-mfa, and an external IdP's not at all", async function () {
        storeRecord({ ...fixture<Record_>("cloudtrail_sso-authentication-password-only"), eventTime: iso(Date.now() - 5 * 60000) });
        storeRecord({ ...fixture<Record_>("cloudtrail_sso-authentication-external-idp"), eventTime: iso(Date.now() - 4 * 60000) });
        const alarm = alarmNotification({
            AlarmName: alarmNamesOf(rig.fn)["sso-signin-without-mfa"],
            NewStateValue: "ALARM",
            OldStateValue: "OK",
        });
        const run = await invokeInChild(rig.fn, [alarm], { env: rig.env });
        assert.ok(run.results[0]?.ok, run.stderr);
        const [message, ...rest] = posted(rig.slack.accepted);
        assert.deepEqual(rest, []);
        assert.equal(message?.header, ":warning: IAM Identity Center sign-in without MFA");
        assert.equal(
            message?.lines[2],
            `*alice@example.com* signed in to IAM Identity Center · ${LINK("e959a95a-2b33-478d-906c-4fe303e8a9f1")} · posted <delay> after sign-in (CloudWatch Logs backstop)`,
        );
        assert.equal(message?.fields["MFA"], "No (PASSWORD only)");
    });

    it("posts the trail being stopped as critical tampering, seconds after EventBridge brings it", async function () {
        const stop = fixture<Record_>("cloudtrail_stop-logging");
        const event = {
            ...signinEnvelope,
            id: "envelope-stop",
            "detail-type": "AWS API Call via CloudTrail",
            source: "aws.cloudtrail",
            detail: stop,
        };
        const run = await invokeInChild(rig.fn, [event], { env: rig.env });
        assert.deepEqual(run.results[0], {
            ok: true,
            value: { trigger: "eventbridge", rulesScanned: ["trail-tampering"], posted: 1, messages: 1, skipped: [] },
        });
        const [message] = posted(rig.slack.accepted);
        assert.equal(message?.header, ":rotating_light: CloudTrail or alerting tampered with");
        assert.equal(
            message?.lines[2],
            `*mallory* called StopLogging · ${LINK("7f3c9e21-4d8a-4b5f-a1e6-3c2d9b8f0a14")} · posted <delay> after the event`,
        );
        assert.deepEqual(
            { who: message?.fields["Identity type"], ip: message?.fields["Source IP"] },
            { who: "IAMUser", ip: "198.51.100.23" },
        );
    });

    it("tells the channel once when CloudTrail delivery stops and once when it resumes", async function () {
        const heartbeat = rig.fn.environment["HEARTBEAT_ALARM_NAME"]!;
        const logGroup = rig.fn.environment["TRAIL_LOG_GROUP_NAME"]!;
        // The recorded notification: IncomingLogEvents, 288 five-minute periods, missing data breaching.
        const stopped = alarmNotification({ AlarmName: heartbeat }, "sns_alarm-delivery-heartbeat");
        const resumed = alarmNotification(
            {
                AlarmName: heartbeat,
                NewStateValue: "OK",
                OldStateValue: "ALARM",
                NewStateReason:
                    "Threshold Crossed: 1 datapoint [212.0 (09/06/21 09:55:00)] was not less than or equal to the threshold (0.0).",
                StateChangeTime: "2021-06-09T09:58:32.419+0000",
            },
            "sns_alarm-delivery-heartbeat",
        );
        const run = await invokeInChild(rig.fn, [stopped, stopped, resumed], { env: rig.env });
        assert.deepEqual(
            run.results.map((r) => r.ok && (r.value as { messages: number }).messages),
            [1, 0, 1],
        );
        assert.deepEqual(posted(rig.slack.accepted), [
            {
                header: ":rotating_light: CloudTrail delivery stopped",
                lines: [
                    ":rotating_light: CloudTrail delivery stopped",
                    `No CloudTrail events have reached log group ${logGroup} for 24 h: alerts are blind until delivery resumes. Check that the trail is logging and that its role can write to the log group.`,
                ],
                fields: {},
            },
            {
                header: "",
                lines: [`:white_check_mark: CloudTrail delivery to log group ${logGroup} has resumed (2021-06-09 09:58:32 UTC).`],
                fields: {},
            },
        ]);
    });

    it("posts the day's summary once, from the tallies the posted messages left, every rule listed", async function () {
        const now = Date.now();
        const federated = fixture<Record_>("cloudtrail_saml-federation");
        const events = [
            signInEvent("44444444-0000-4000-8000-000000000001", now - 2 * HOUR, "203.0.113.24"),
            signInEvent("44444444-0000-4000-8000-000000000002", now - HOUR, "198.51.100.7"),
            signInEvent("44444444-0000-4000-8000-000000000003", now - HOUR, "198.51.100.40", federated),
            {
                ...signinEnvelope,
                id: "envelope-stop",
                "detail-type": "AWS API Call via CloudTrail",
                source: "aws.cloudtrail",
                detail: fixture("cloudtrail_stop-logging"),
            },
        ];
        const posting = await invokeInChild(rig.fn, events, { env: rig.env });
        assert.ok(
            posting.results.every((r) => r.ok),
            posting.stderr,
        );
        await tallyAsLastHour(rig.aws);
        const alreadyPosted = rig.slack.accepted.length;
        const to = Math.floor(Date.now() / HOUR) * HOUR;
        // As the schedule sends it (Scheduler's time written in), then as requests without a time,
        // dead-lettered before the time was added, are redriven: the same period, posted once.
        const scheduled = { loginAlertsSummary: "daily", scheduledTime: iso(to) };
        const request = fixture("events_summary-daily");
        const run = await invokeInChild(rig.fn, [scheduled, request], { env: rig.env });
        assert.deepEqual(
            run.results.map((r) => r.ok && (r.value as { messages: number }).messages),
            [1, 0],
        );
        assert.deepEqual(posted(rig.slack.accepted.slice(alreadyPosted))[0]?.lines, [
            ":bar_chart: Daily sign-in summary",
            `*${utc(to - DAY)} – ${utc(to)}*`,
            "4 events posted in all",
            "*By rule*",
            "• Console sign-in: 3",
            "• Console sign-in without MFA: 0",
            "• Root user activity: 0",
            "• Failed console sign-in: 0",
            "• IAM Identity Center sign-in without MFA: 0",
            "• CloudTrail or alerting tampered with: 1",
            "• Alert function, its role or webhook changed: 0",
            "• Alert topics, routing or keys changed: 0",
            "*Top principals*",
            "• ops-admin: 2",
            "• mallory: 1",
            `• ${String((federated["userIdentity"] as Record_)["arn"])
                .split("/")
                .pop()} (role ${String(((federated["userIdentity"] as Record_)["sessionContext"] as { sessionIssuer: { userName: string } }).sessionIssuer.userName)}): 1`,
            "*New networks*",
            "• ops-admin from 198.51.100.0/24",
        ]);
    });
});
