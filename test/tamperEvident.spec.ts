/**
 * An intruder with ordinary rights in the account can neither silence nor fool the alerts: each
 * attack tried through the deployed handler (the bundled __index.js in a child process, against
 * local Slack and local AWS, whose DynamoDB is dynalite and refuses a partition key over 2,048
 * bytes as DynamoDB does).
 */
import { strict as assert } from "assert";
import { alarmNamesOf, invokeInChild, type ChildRun } from "../tools/local/deployedFunction";
import { alarmNotification, fixture } from "../tools/fixtures";
import { LocalSns } from "../tools/local/localSns";
import { useDeployedRig } from "./support/deployedRig";
import { defaultProgram } from "./support/program";

type Record_ = Record<string, unknown>;

// DynamoDB Developer Guide, "Service, account, and table quotas": a partition key value is at most 2,048 bytes.
const PARTITION_KEY_BYTES_MAX = 2048;
const GENUINE_ID = "5a0c3b1e-7f42-4d8e-9b6a-2c1d0e9f8a71";

/** The ids a principal allowed logs:PutLogEvents can write into a CloudTrail-shaped record. */
const FORGED_IDS: ReadonlyArray<[string, unknown]> = [
    ["a 2 KB id", "f".repeat(2 * 1024)],
    ["a 10 KB id", "a".repeat(10 * 1024)],
    ["a 250 KB id", "e".repeat(250 * 1024)],
];

/** A local SNS standing for the operators' topic, started for the enclosing describe block. */
function useOperatorsTopic(): { sns: LocalSns } {
    const holder = {} as { sns: LocalSns };
    before(async function () {
        holder.sns = await new LocalSns().start();
    });
    after(async function () {
        await holder.sns?.stop();
    });
    return holder;
}

describe("tamper-evident: a forged record holds back no other (deployed handler)", function () {
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });
    const sample = fixture<Record_>("cloudtrail_iam-user-mfa");
    const envelope = fixture<Record_>("eventbridge_console-signin");

    /** The sample sign-in as `userName`, with the given eventID (left out when undefined). */
    function record(userName: string, eventId: unknown): Record_ {
        const rest: Record_ = { ...sample };
        delete rest["eventID"];
        return {
            ...rest,
            userIdentity: { ...(sample["userIdentity"] as Record_), userName },
            ...(eventId === undefined ? {} : { eventID: eventId }),
        };
    }

    function store(records: Record_[]): void {
        records.forEach((r, i) =>
            rig.aws.logEvents.push({
                logGroupName: rig.fn.environment["TRAIL_LOG_GROUP_NAME"]!,
                timestamp: Date.now() - 120000 + i,
                message: JSON.stringify(r),
            }),
        );
    }

    function alarm(): unknown {
        return alarmNotification({ AlarmName: alarmNamesOf(rig.fn)["console-signin"], NewStateValue: "ALARM", OldStateValue: "OK" });
    }

    function forwarded(detail: Record_, n: number): Record_ {
        return { ...envelope, id: `envelope-${n}`, detail };
    }

    /** The user names of every sign-in Slack took, one entry per posted sign-in. */
    function postedNames(): string[] {
        return rig.slack.requests
            .filter((r) => r.answeredWith === 200)
            .flatMap((r) => ((r.payload as { text?: string }).text ?? "").split("\n"))
            .flatMap((line) => /^(\S+) signed in/.exec(line)?.[1] ?? []);
    }

    async function longestKeyBytes(): Promise<number> {
        return Math.max(...(await rig.aws.items()).map((item) => Buffer.byteLength(item["pk"]?.S ?? "")));
    }

    function assertSucceeded(run: ChildRun): void {
        assert.deepEqual(
            run.results.map((r) => r.error?.message ?? "ok"),
            run.results.map(() => "ok"),
        );
    }

    for (const [label, id] of FORGED_IDS) {
        it(`posts a record with ${label} and the genuine sign-in behind it, once, on the backstop`, async function () {
            store([record("forged", id), record("genuine", GENUINE_ID)]);
            const first = await invokeInChild(rig.fn, [alarm()], { env: rig.env });
            assertSucceeded(first);
            assert.deepEqual(postedNames().sort(), ["forged", "genuine"]);
            assert.ok((await longestKeyBytes()) <= PARTITION_KEY_BYTES_MAX / 2, "every state key stays far below DynamoDB's limit");

            const again = await invokeInChild(rig.fn, [alarm()], { env: rig.env });
            assertSucceeded(again);
            assert.deepEqual(postedNames().sort(), ["forged", "genuine"], "a second alarm posts neither again");
        });

        it(`posts a forwarded record with ${label} once on the fast path, and the backstop then finds it posted`, async function () {
            const forged = record("forged", id);
            const run = await invokeInChild(rig.fn, [forwarded(forged, 1), forwarded(forged, 2)], { env: rig.env });
            assertSucceeded(run);
            assert.deepEqual(postedNames(), ["forged"]);

            store([forged]);
            assertSucceeded(await invokeInChild(rig.fn, [alarm()], { env: rig.env }));
            assert.deepEqual(postedNames(), ["forged"]);
        });
    }

    it("posts five forged records across every rule and the genuine events behind them in one sweep", async function () {
        const cases = ["iam-user-mfa", "root-no-mfa", "failure-wrong-password", "stop-logging", "sso-authentication-password-only"];
        const records = cases.flatMap((name, i) => {
            const genuine = fixture<Record_>(`cloudtrail_${name}`);
            return [{ ...genuine, eventID: String(i).repeat(3000) }, genuine];
        });
        store(records);
        const run = await invokeInChild(rig.fn, [fixture("events_scheduled-sweep")], { env: rig.env });
        assertSucceeded(run);
        const report = run.results[0]?.value as { posted: number; skipped: string[] };
        // Root without MFA matches two rules but is posted once, under root-activity: one event, one message.
        assert.deepEqual({ posted: report.posted, skipped: report.skipped }, { posted: 10, skipped: [] });
    });

    for (const [label, id] of [
        ["a numeric eventID", 12345],
        ["an object eventID", { forged: true }],
        ["no eventID", undefined],
    ] as const) {
        it(`skips a record with ${label} with a reason on both paths and posts the genuine one`, async function () {
            store([record("forged", id), record("genuine", GENUINE_ID)]);
            const backstop = await invokeInChild(rig.fn, [alarm()], { env: rig.env });
            assertSucceeded(backstop);
            assert.deepEqual(postedNames(), ["genuine"]);
            assert.deepEqual((backstop.results[0]?.value as { skipped: string[] }).skipped, [
                "console-signin: the CloudTrail record has no eventID",
            ]);

            const fast = await invokeInChild(rig.fn, [forwarded(record("forged-fast", id), 3)], { env: rig.env });
            assertSucceeded(fast);
            assert.deepEqual((fast.results[0]?.value as { skipped: string[] }).skipped, [
                "EventBridge event envelope-3: the CloudTrail record has no eventID",
            ]);
            assert.deepEqual(postedNames(), ["genuine"]);
        });
    }
});

describe("tamper-evident: forged events on the fast path are not taken for AWS's word (deployed handler)", function () {
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });
    const rootCall = fixture<Record_>("eventbridge_root-api-call");
    const rootSignIn = { ...fixture<Record_>("eventbridge_console-signin"), detail: fixture("cloudtrail_root-no-mfa") };
    const stopLogging = { ...rootCall, source: "aws.cloudtrail", detail: fixture("cloudtrail_stop-logging") };

    it("posts nothing for events PutEvents could write, holds no rule's lease for them, and then posts the genuine ones", async function () {
        const forged = [
            { ...rootSignIn, id: "forged-1", source: "attacker.app" },
            { ...rootCall, id: "forged-2", source: "attacker.app" },
            { ...stopLogging, id: "forged-3", source: "attacker.app" },
            { ...stopLogging, id: "forged-4", account: "999999999999" },
        ];
        const refused = await invokeInChild(rig.fn, forged, { env: rig.env });
        assert.deepEqual(
            refused.results.map((r) => (r.value as { skipped: string[] }).skipped),
            [
                ["EventBridge event forged-1: refused, its source \"attacker.app\" is not an AWS service's, so it is not CloudTrail's"],
                ["EventBridge event forged-2: refused, its source \"attacker.app\" is not an AWS service's, so it is not CloudTrail's"],
                ["EventBridge event forged-3: refused, its source \"attacker.app\" is not an AWS service's, so it is not CloudTrail's"],
                ['EventBridge event forged-4: refused, it comes from account "999999999999", which this stack does not serve'],
            ],
        );
        assert.equal(rig.slack.requests.length, 0);
        assert.deepEqual(
            (await rig.aws.items()).map((i) => i["pk"]?.S),
            [],
            "no lease, cursor or posted record",
        );

        // The root sign-in matches root-activity and signin-without-mfa, and is posted once, under root-activity.
        const genuine = await invokeInChild(rig.fn, [rootSignIn, stopLogging], { env: rig.env });
        assert.deepEqual(
            genuine.results.map((r) => (r.value as { posted: number }).posted),
            [1, 1],
        );
    });
});

describe("tamper-evident: calls that blind the alerting arrive in seconds (deployed handler)", function () {
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });
    const call = (source: string, eventName: string, requestParameters: Record_): Record_ => ({
        ...fixture<Record_>("eventbridge_root-api-call"),
        id: `envelope-${eventName}`,
        source,
        detail: {
            ...fixture<Record_>("cloudtrail_stop-logging"),
            eventSource: `${source.slice(4)}.amazonaws.com`,
            eventName,
            eventID: `0000000${eventName.length}-0000-4000-8000-000000000000`.slice(0, 36),
            requestParameters,
        },
    });

    it("posts a function throttled to 0 and a re-pointed webhook under function-tampering, and a new topic policy under delivery-tampering", async function () {
        const events = [
            call("aws.lambda", "PutFunctionConcurrency20171031", {
                functionName: "login-alerts-function-36cefb3",
                reservedConcurrentExecutions: 0,
            }),
            call("aws.ssm", "PutParameter", { name: rig.fn.environment["WEBHOOK_PARAMETER_NAME"], type: "SecureString", overwrite: true }),
            call("aws.sns", "SetTopicAttributes", {
                topicArn: "arn:aws:sns:us-east-1:111122223333:login-alerts-alarms-e88e06f",
                attributeName: "Policy",
            }),
            call("aws.lambda", "PutFunctionConcurrency20171031", { functionName: "billing-report", reservedConcurrentExecutions: 0 }),
        ];
        const run = await invokeInChild(rig.fn, events, { env: rig.env });
        assert.deepEqual(
            run.results.map((r) => {
                const value = r.value as { rulesScanned: string[]; posted: number };
                return [value.rulesScanned, value.posted];
            }),
            [
                [["function-tampering"], 1],
                [["function-tampering"], 1],
                [["delivery-tampering"], 1],
                [[], 0],
            ],
        );
        assert.deepEqual(
            rig.slack.requests.map((r) => (r.payload as { blocks: Array<{ text?: { text: string } }> }).blocks[0]?.text?.text ?? ""),
            [
                ":rotating_light: Alert function, its role or webhook changed",
                ":rotating_light: Alert function, its role or webhook changed",
                ":rotating_light: Alert topics, routing or keys changed",
            ],
        );
    });
});

describe("tamper-evident: a re-pointed webhook parameter (deployed handler)", function () {
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });
    const ops = useOperatorsTopic();

    const REPOINTED: ReadonlyArray<[string, string, string]> = [
        [
            "another host",
            "https://alerts.example.net/services/T1/B1/stolen",
            "must be a Slack webhook on hooks.slack.com or hooks.slack-gov.com; this one points to another host",
        ],
        ["plain HTTP", "http://hooks.slack.com/services/T1/B1/stolen", "must be an https:// URL (a Slack incoming webhook)"],
        ["a port of its own", "https://hooks.slack.com:8443/services/T1/B1/stolen", "must not name a port"],
    ];

    for (const [label, value, problem] of REPOINTED) {
        it(`posts nothing to ${label}, fails the invocation and tells the operators without repeating the value`, async function () {
            const parameter = rig.fn.environment["WEBHOOK_PARAMETER_NAME"]!;
            rig.aws.parameters.set(parameter, { type: "SecureString", value });
            rig.aws.logEvents.push({
                logGroupName: rig.fn.environment["TRAIL_LOG_GROUP_NAME"]!,
                timestamp: Date.now() - 120000,
                message: JSON.stringify(fixture("cloudtrail_iam-user-mfa")),
            });
            ops.sns.reset();
            const alarm = alarmNotification({ AlarmName: alarmNamesOf(rig.fn)["console-signin"] });
            const run = await invokeInChild(rig.fn, [alarm, alarm], { env: { ...rig.env, ...ops.sns.env() } });
            const expected =
                `The webhook parameter ${parameter} ${problem}. It was changed after deployment, so no alert is posted until it is put back: ` +
                "check CloudTrail for PutParameter on it, then run `pulumi up` (or set it again with `pulumi config set --secret slackWebhookUrl ...`). " +
                "Alerts wait in the dead-letter queue; redrive them afterwards.";
            assert.deepEqual(
                run.results.map((r) => r.error?.message),
                [1, 2].map(() => `Sign-in alerts failed for 1 rule(s): console-signin: WebhookParameterRepointed: ${expected}`),
            );
            assert.equal(rig.slack.requests.length, 0);
            // Once per container, not once per invocation: a sweep every few minutes must not flood the operators.
            assert.deepEqual(
                ops.sns.published.map((p) => [p.subject, p.message]),
                [["Sign-in alerts: the Slack webhook parameter no longer names Slack", expected]],
            );
            assert.ok(!(run.stdout + run.stderr).includes("stolen"), "the value never reaches a log line");
        });
    }
});

describe("tamper-evident: CloudTrail's own status of the trail, whatever reaches the log group (deployed handler)", function () {
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });
    const ops = useOperatorsTopic();

    async function sweep(): Promise<ChildRun> {
        const run = await invokeInChild(rig.fn, [fixture("events_scheduled-sweep")], { env: { ...rig.env, ...ops.sns.env() } });
        assertOk(run);
        return run;
    }

    function assertOk(run: ChildRun): void {
        assert.deepEqual(
            run.results.map((r) => r.error?.message ?? "ok"),
            ["ok"],
        );
    }

    const texts = () => rig.slack.requests.map((r) => (r.payload as { text: string }).text);
    const SUBJECT_STOPPED = "console-login-alerts: trail login-alerts-dev is not delivering";
    const SUBJECT_BACK = "console-login-alerts: trail login-alerts-dev is logging again";

    it("tells the channel and the operators once when the trail stops logging, though forged lines keep the log group busy, and once when it is back", async function () {
        const trail = rig.fn.environment["TRAIL_ARN"]!;
        ops.sns.reset();
        await sweep();
        assert.deepEqual(texts(), [], "a healthy trail is not news");

        // The trail is stopped; someone allowed logs:PutLogEvents keeps IncomingLogEvents up.
        rig.aws.trails.set(trail, { IsLogging: false, LatestCloudWatchLogsDeliveryTime: Math.floor(Date.now() / 1000) - 60 });
        rig.aws.logEvents.push({ logGroupName: rig.fn.environment["TRAIL_LOG_GROUP_NAME"]!, timestamp: Date.now() - 60000, message: "{}" });
        await sweep();
        await sweep();
        const problem =
            `Trail ${trail}: CloudTrail says it is not logging. Sign-ins are not seen while this lasts, whatever reaches the log group; ` +
            "check the trail (StartLogging) and its role, and CloudTrail in this account for who changed them.";
        assert.deepEqual(texts(), [problem]);
        assert.deepEqual(
            ops.sns.published.map((p) => [p.subject, p.message]),
            [[SUBJECT_STOPPED, problem]],
        );

        rig.aws.trails.set(trail, { IsLogging: true, LatestCloudWatchLogsDeliveryTime: Math.floor(Date.now() / 1000) - 60 });
        await sweep();
        assert.deepEqual(texts(), [problem, `:white_check_mark: Trail ${trail} is logging and delivering again.`]);
        assert.deepEqual(
            ops.sns.published.map((p) => [p.subject, p.message]),
            [
                [SUBJECT_STOPPED, problem],
                [SUBJECT_BACK, `Trail ${trail} is logging and delivering again.`],
            ],
        );
    });

    it("tells them when CloudTrail cannot deliver to the log group (its role lost its rights)", async function () {
        const trail = rig.fn.environment["TRAIL_ARN"]!;
        rig.aws.trails.set(trail, { IsLogging: true, LatestCloudWatchLogsDeliveryError: "AccessDenied" });
        await sweep();
        assert.match(texts()[0] ?? "", /: CloudTrail cannot deliver to CloudWatch Logs: AccessDenied\. Sign-ins are not seen/);
    });
});
