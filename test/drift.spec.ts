/**
 * The drift check of the organization's StackSet (handler/ingest/drift.ts), in this process against
 * the in-memory CloudFormation of test/support/fakeStackSets.ts: a detection a day, read back on a
 * later hourly run, drift told once per change, a busy StackSet waited for, and checks that do not
 * complete told after three days.
 */
import * as assert from "assert";
import { classifyTrigger } from "../handler/decide/parse";
import { buildDriftMessage, driftNotice } from "../handler/decide/driftReports";
import { handleInvocation } from "../handler/ingest/invocation";
import { DRIFT_DETECTION_INTERVAL_MS, DRIFT_STALE_AFTER_MS, driftCheckKey } from "../handler/ingest/drift";
import type { InvocationReport, StackSetRef } from "../handler/common/types";
import type { DriftCheckRequest } from "../shared/contract";
import { fakeInvocation, unitSettings } from "./support/fakePorts";
import { expectedDriftMessage } from "./support/fakeStackSets";

const START = Date.UTC(2026, 11, 7, 9, 0, 0);
const HOUR = 3600_000;
const STACK_SET = "login-alerts-org-member-forwarding";
const REF: StackSetRef = { name: STACK_SET, callAs: "SELF" };
const REQUEST: DriftCheckRequest = { loginAlertsDriftCheck: STACK_SET, callAs: "SELF" };
const MEMBER = "444455556666";
const OTHER = "777788889999";
const TAIL =
    "A forwarding rule or role of these accounts no longer matches the template, so their sign-ins may not reach Slack within seconds; " +
    "the organization trail still brings them. Find who changed it in CloudTrail, then restore it (update the StackSet) or explain it.";

function world(settings = unitSettings({ organizationId: "o-a1b2c3d4e5", accountLabels: { [MEMBER]: "payments-prod" } })) {
    const invocation = fakeInvocation(START, settings);
    const stackSet = invocation.aws.cloudFormation.add(STACK_SET);
    let n = 0;
    const run = async (atMs: number): Promise<InvocationReport> => {
        await invocation.clock.runUntil(atMs);
        return handleInvocation(invocation.deps, REQUEST, { awsRequestId: `req-${++n}`, getRemainingTimeInMillis: () => 300_000 });
    };
    const detections = () => invocation.aws.cloudFormation.calls.filter((c) => c.action === "DetectStackSetDrift").length;
    return { ...invocation, stackSet, run, detections };
}

function report(messages: number, skipped: string[] = []): InvocationReport {
    return { trigger: "drift", rulesScanned: [], posted: 0, messages, skipped };
}

describe("the StackSet's drift check", function () {
    it("is what the schedule's request asks for, and a request naming no StackSet CloudFormation could have is skipped", function () {
        assert.deepStrictEqual(classifyTrigger(REQUEST), { kind: "drift", stackSet: REF });
        assert.deepStrictEqual(classifyTrigger({ loginAlertsDriftCheck: STACK_SET, callAs: "DELEGATED_ADMIN" }), {
            kind: "drift",
            stackSet: { name: STACK_SET, callAs: "DELEGATED_ADMIN" },
        });
        assert.deepStrictEqual(classifyTrigger({ loginAlertsDriftCheck: "9-starts-with-a-digit", callAs: "SELF" }), {
            kind: "unknown",
            reason: 'the drift check request {"loginAlertsDriftCheck":"9-starts-with-a-digit","callAs":"SELF"} names no StackSet and CallAs (SELF or DELEGATED_ADMIN)',
        });
        assert.deepStrictEqual(classifyTrigger({ loginAlertsDriftCheck: STACK_SET }), {
            kind: "unknown",
            reason: `the drift check request {"loginAlertsDriftCheck":"${STACK_SET}"} names no StackSet and CallAs (SELF or DELEGATED_ADMIN)`,
        });
    });

    it("starts a detection a day, reads it on a later hourly run, and posts nothing while no instance drifted", async function () {
        const { aws, sent, run, detections } = world();
        assert.deepStrictEqual(await run(START), report(0));
        const stored = JSON.parse((await aws.store.readDocuments([driftCheckKey(REF)])).get(driftCheckKey(REF))!.body) as unknown;
        assert.deepStrictEqual(stored, {
            completedAtMs: START,
            drifted: [],
            failingTold: false,
            pending: { operationId: "drift-operation-1", startedAtMs: START },
            startedAtMs: START,
        });
        assert.deepStrictEqual(
            await run(START + HOUR),
            report(0, [`drift detection drift-operation-1 of StackSet ${STACK_SET} is RUNNING; the next check reads it`]),
        );
        aws.cloudFormation.end(STACK_SET, "drift-operation-1", {
            status: "SUCCEEDED",
            drift: { detectionStatus: "COMPLETED", total: 17, drifted: 0, failed: 0 },
        });
        assert.deepStrictEqual(await run(START + 2 * HOUR), report(0));
        // Hourly runs start nothing more until the day is up; the run that is a few seconds early still does.
        for (let at = START + 3 * HOUR; at < START + DRIFT_DETECTION_INTERVAL_MS - HOUR; at += HOUR) {
            await run(at);
        }
        assert.strictEqual(detections(), 1);
        await run(START + DRIFT_DETECTION_INTERVAL_MS - 3000);
        assert.strictEqual(detections(), 2);
        assert.deepStrictEqual([sent, aws.published], [[], []]);
        assert.deepStrictEqual(
            aws.cloudFormation.calls.slice(0, 4).map((c) => [c.action, c.callAs, c.operationId]),
            [
                ["DetectStackSetDrift", "SELF", undefined],
                ["DescribeStackSetOperation", "SELF", "drift-operation-1"],
                ["DescribeStackSetOperation", "SELF", "drift-operation-1"],
                ["ListStackInstances", "SELF", undefined],
            ],
        );
    });

    it("posts two drifted instances in one message naming the StackSet, each account and region, tells the operators, and says so once", async function () {
        const { aws, sent, stackSet, run } = world();
        await run(START);
        const checked = START + 20 * 60_000;
        stackSet.drifted = [
            { account: MEMBER, region: "us-east-1", unit: "ou-ab12-11111111", checkedAtMs: checked },
            { account: OTHER, region: "eu-west-1", unit: "ou-ab12-22222222", checkedAtMs: checked },
        ];
        aws.cloudFormation.end(STACK_SET, "drift-operation-1", {
            status: "SUCCEEDED",
            drift: { detectionStatus: "COMPLETED", total: 34, drifted: 2, failed: 0 },
        });
        assert.deepStrictEqual(await run(START + HOUR), report(1));
        const expected = expectedDriftMessage(STACK_SET, "drift-operation-1", [
            [`${MEMBER} (payments-prod) in us-east-1`, "ou-ab12-11111111"],
            [`${OTHER} in eu-west-1`, "ou-ab12-22222222"],
        ]);
        assert.deepStrictEqual(sent, [expected.slack]);
        assert.deepStrictEqual(aws.published, [expected.operators]);
        // The next day's detection finds the same instances drifted: not news.
        await run(START + DRIFT_DETECTION_INTERVAL_MS);
        aws.cloudFormation.end(STACK_SET, "drift-operation-2", {
            status: "SUCCEEDED",
            drift: { detectionStatus: "COMPLETED", total: 34, drifted: 2, failed: 0 },
        });
        assert.deepStrictEqual(await run(START + DRIFT_DETECTION_INTERVAL_MS + HOUR), report(0));
        // Restored: one quiet note.
        stackSet.drifted = [];
        await run(START + 2 * DRIFT_DETECTION_INTERVAL_MS);
        aws.cloudFormation.end(STACK_SET, "drift-operation-3", {
            status: "SUCCEEDED",
            drift: { detectionStatus: "COMPLETED", total: 34, drifted: 0, failed: 0 },
        });
        assert.deepStrictEqual(await run(START + 2 * DRIFT_DETECTION_INTERVAL_MS + HOUR), report(1));
        assert.deepStrictEqual(
            sent.slice(1).map((m) => m.text),
            [`:white_check_mark: StackSet ${STACK_SET}: every stack instance matches the template again.`],
        );
        assert.deepStrictEqual(aws.published.slice(1), [
            {
                subject: `console-login-alerts: StackSet ${STACK_SET} is in sync again`,
                message: `StackSet ${STACK_SET}: every stack instance matches the template again.`,
            },
        ]);
    });

    it("waits for another operation of the StackSet with a log line, starts its detection the next hour, and loses nothing", async function () {
        const { aws, sent, stackSet, run, detections } = world();
        stackSet.busy = true;
        assert.deepStrictEqual(
            await run(START),
            report(0, [`another operation of StackSet ${STACK_SET} is in progress; the next check starts the drift detection`]),
        );
        stackSet.busy = false;
        assert.deepStrictEqual(await run(START + HOUR), report(0));
        assert.strictEqual(detections(), 2);
        stackSet.drifted = [{ account: OTHER, region: "us-east-1" }];
        aws.cloudFormation.end(STACK_SET, "drift-operation-1", {
            status: "SUCCEEDED",
            drift: { detectionStatus: "COMPLETED", total: 17, drifted: 1, failed: 0 },
        });
        assert.deepStrictEqual(await run(START + 2 * HOUR), report(1));
        assert.deepStrictEqual(sent[0]!.blocks[2], {
            type: "section",
            text: { type: "mrkdwn", text: `*${OTHER} in us-east-1*`, verbatim: true },
        });
    });

    it("reports drift a failed detection found, and tells once that no detection has completed for three days, then that they complete again", async function () {
        const { aws, sent, stackSet, run } = world();
        const fail = async (day: number, id: number) => {
            await run(START + day * DRIFT_DETECTION_INTERVAL_MS);
            aws.cloudFormation.end(STACK_SET, `drift-operation-${id}`, {
                status: "FAILED",
                statusReason: "Failure tolerance exceeded in eu-west-1",
                drift: { detectionStatus: "FAILED", total: 17, drifted: 0, failed: 9 },
            });
            return run(START + day * DRIFT_DETECTION_INTERVAL_MS + HOUR);
        };
        assert.deepStrictEqual(await fail(0, 1), report(0));
        // A FAILED detection still checked some instances: the drift it found is news.
        stackSet.drifted = [{ account: OTHER, region: "eu-west-1" }];
        assert.deepStrictEqual(await fail(1, 2), report(1));
        assert.deepStrictEqual(await fail(2, 3), report(0));
        assert.deepStrictEqual(
            sent.splice(0).map((m) => m.text.split("\n")[1]),
            [`${OTHER} in eu-west-1`],
        );
        aws.published.splice(0);
        // Three days after the checks began, the fourth day's first run: told, once.
        const fourth = await run(START + DRIFT_STALE_AFTER_MS + HOUR);
        assert.deepStrictEqual(fourth, report(1));
        await run(START + DRIFT_STALE_AFTER_MS + 2 * HOUR);
        const failing =
            `StackSet ${STACK_SET}: no drift detection has completed since 2026-12-07 09:00:00 UTC: ` +
            "detection drift-operation-3 ended FAILED (Failure tolerance exceeded in eu-west-1). " +
            "Changes to the member accounts' forwarding that the tampering rules do not name go unseen while this lasts; " +
            "look at the StackSet's operations in the CloudFormation console.";
        assert.deepStrictEqual(sent, [
            {
                text: failing,
                blocks: [
                    { type: "header", text: { type: "plain_text", text: ":warning: StackSet drift not checked", emoji: true } },
                    { type: "section", text: { type: "mrkdwn", text: failing, verbatim: true } },
                ],
            },
        ]);
        assert.deepStrictEqual(aws.published, [
            { subject: `console-login-alerts: StackSet ${STACK_SET} drift is not checked`, message: failing },
        ]);
        stackSet.drifted = [{ account: MEMBER, region: "eu-west-1" }];
        aws.cloudFormation.end(STACK_SET, "drift-operation-4", {
            status: "SUCCEEDED",
            drift: { detectionStatus: "COMPLETED", total: 17, drifted: 1, failed: 0 },
        });
        assert.deepStrictEqual(await run(START + DRIFT_STALE_AFTER_MS + 3 * HOUR), report(2));
        assert.deepStrictEqual(
            sent.slice(1).map((m) => m.text),
            [
                `StackSet ${STACK_SET}: drift detection found 1 stack instance changed outside CloudFormation. ${TAIL}\n${MEMBER} (payments-prod) in eu-west-1`,
                `:white_check_mark: StackSet ${STACK_SET}: drift detections complete again.`,
            ],
        );
    });

    it("counts a detection that could not check every instance as not completed, and an operation CloudFormation lost as a problem", async function () {
        const { aws, run } = world();
        await run(START);
        aws.cloudFormation.end(STACK_SET, "drift-operation-1", {
            status: "SUCCEEDED",
            drift: { detectionStatus: "PARTIAL_SUCCESS", total: 17, drifted: 0, failed: 2 },
        });
        await run(START + HOUR);
        const state = async () =>
            JSON.parse((await aws.store.readDocuments([driftCheckKey(REF)])).get(driftCheckKey(REF))!.body) as {
                problem?: unknown;
                completedAtMs: number;
            };
        assert.deepStrictEqual((await state()).problem, { kind: "partial", operationId: "drift-operation-1", failed: 2, total: 17 });
        await run(START + DRIFT_DETECTION_INTERVAL_MS);
        aws.cloudFormation.stackSets.get(STACK_SET)!.operations.delete("drift-operation-2");
        await run(START + DRIFT_DETECTION_INTERVAL_MS + HOUR);
        assert.deepStrictEqual(await state(), {
            completedAtMs: START,
            drifted: [],
            failingTold: false,
            startedAtMs: START + DRIFT_DETECTION_INTERVAL_MS,
            problem: { kind: "error", error: "OperationNotFoundException: Operation drift-operation-2 not found" },
        });
    });

    it("checks nothing for a stack that serves no organization", async function () {
        const { aws, run } = world(unitSettings());
        assert.deepStrictEqual(
            await run(START),
            report(0, [`a drift check of StackSet ${STACK_SET} was asked for, but this stack serves no organization`]),
        );
        assert.deepStrictEqual(aws.cloudFormation.calls, []);
    });

    it("words the news in the stack's language, and keeps SNS subjects ASCII", function () {
        const p = { timeZone: "Asia/Tokyo", language: "ja" as const, accountLabels: {}, mentions: { critical: "<!here>" } };
        const news = {
            kind: "drifted" as const,
            stackSet: REF,
            operationId: "op-1",
            instances: [{ account: MEMBER, region: "us-east-1" }],
            total: 3,
        };
        const message = buildDriftMessage(news, p);
        assert.deepStrictEqual(message.blocks[0], {
            type: "header",
            text: {
                type: "plain_text",
                text: ":rotating_light: メンバーアカウントの転送設定が CloudFormation 外で変更されました",
                emoji: true,
            },
        });
        assert.strictEqual(message.text.split("\n").slice(1).join("\n"), `${MEMBER}（us-east-1）\n…ほか 2 件`);
        assert.ok(message.text.startsWith(`<!here> StackSet ${STACK_SET}: ドリフト検出で 3 個のスタックインスタンスが`), message.text);
        assert.strictEqual(driftNotice(news, p).subject, `console-login-alerts: StackSet ${STACK_SET} drifted`);
    });
});
