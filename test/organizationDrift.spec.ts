/**
 * The StackSet's drift check through the deployed function of an organization stack (serialized
 * `__index.js` in a child process), invoked with the request its schedule sends, against the local
 * CloudFormation, AWS, Slack and the operators' SNS topic: nothing posted while no instance
 * drifted, drifted instances posted once with their accounts and regions, a busy StackSet waited
 * for, and checks that have not completed for three days told.
 */
import * as assert from "assert";
import { invokeInChild, logLines, type ChildRun } from "../tools/local/deployedFunction";
import { LocalCloudFormation } from "../tools/local/localCloudFormation";
import { LocalSns } from "../tools/local/localSns";
import { MOCK_ORGANIZATION, type OfflineRun } from "../tools/offlineEngine";
import { useDeployedRig } from "./support/deployedRig";
import { ofType, runWith } from "./support/program";
import { expectedDriftMessage } from "./support/fakeStackSets";

const STACK_SET = "login-alerts-org-member-forwarding";
const MEMBER = "444455556666";
const OTHER_MEMBER = "777788889999";
const CHECKED = new Date("2026-12-07T09:20:00.000Z");
const BUSY_LOG = "another operation of the StackSet is in progress; the drift detection waits for the next check";

function report(messages: number, skipped: string[] = []): unknown {
    return { trigger: "drift", rulesScanned: [], posted: 0, messages, skipped };
}

describe("the deployed function checking the organization's StackSet for drift", function () {
    let plan: OfflineRun;
    const rig = useDeployedRig(
        async () =>
            (plan = await runWith(
                {
                    organizationTrail: "true",
                    organization: JSON.stringify({ id: MOCK_ORGANIZATION, units: ["r-ab12"], regions: ["us-east-1"] }),
                },
                "org",
            )),
        { MIN_POST_INTERVAL_MS: "0" },
    );
    let cloudFormation: LocalCloudFormation;
    let sns: LocalSns;
    let env: Record<string, string>;
    let request: unknown;

    before(async function () {
        cloudFormation = await new LocalCloudFormation().start();
        sns = await new LocalSns().start();
        env = { ...rig.env, ...cloudFormation.env(), ...sns.env() };
        const [schedule, ...others] = ofType(plan, "aws:scheduler/schedule:Schedule");
        assert.strictEqual(others.length, 0);
        request = JSON.parse((schedule!.inputs["target"] as { input: string }).input);
    });

    after(async function () {
        await cloudFormation?.stop();
        await sns?.stop();
    });

    beforeEach(function () {
        cloudFormation.reset();
        sns.reset();
        rig.aws.accounts.clear();
        rig.aws.accounts.set(MEMBER, { Name: "payments-prod" });
        cloudFormation.addStackSet(STACK_SET, [
            { account: MEMBER, region: "us-east-1", unit: "ou-ab12-11111111" },
            { account: OTHER_MEMBER, region: "us-east-1", unit: "ou-ab12-22222222" },
        ]);
    });

    /** One scheduled run of the check, which must succeed: its report, and the run for its logs. */
    async function check(): Promise<{ report: unknown; run: ChildRun }> {
        const run = await invokeInChild(rig.fn, [request], { env });
        assert.ok(run.results[0]?.ok, `${JSON.stringify(run.results)}\n${run.stderr}`);
        return { report: run.results[0]!.value, run };
    }

    /** Ends the detection the function started last, as CloudFormation would; its id. */
    function endDetection(end: Parameters<LocalCloudFormation["endOperation"]>[2]): string {
        const operationId = [...cloudFormation.stackSets.get(STACK_SET)!.operations.keys()].at(-1);
        assert.ok(operationId, "the function started no detection");
        cloudFormation.endOperation(STACK_SET, operationId, end);
        return operationId;
    }

    it("is invoked with the StackSet's request, starts a detection, and posts nothing when no instance drifted", async function () {
        assert.deepStrictEqual(request, { loginAlertsDriftCheck: STACK_SET, callAs: "SELF" });
        assert.deepStrictEqual((await check()).report, report(0));
        endDetection({ status: "SUCCEEDED" });
        assert.deepStrictEqual((await check()).report, report(0));
        assert.deepStrictEqual(
            cloudFormation.calls.map((c) => [c.action, c.params["StackSetName"], c.params["CallAs"], c.answeredWith]),
            [
                ["DetectStackSetDrift", STACK_SET, "SELF", 200],
                ["DescribeStackSetOperation", STACK_SET, "SELF", 200],
                ["ListStackInstances", STACK_SET, "SELF", 200],
            ],
        );
        assert.deepStrictEqual([rig.slack.requests, sns.published], [[], []]);
    });

    it("posts two drifted instances in one message naming the StackSet, each account (named by AWS Organizations) and region, and tells the operators", async function () {
        await check();
        const instances = cloudFormation.stackSets.get(STACK_SET)!.instances;
        instances.forEach((i) => (i.driftStatus = "DRIFTED"));
        const operationId = endDetection({ status: "SUCCEEDED" });
        instances.forEach((i) => (i.lastDriftCheck = CHECKED));
        assert.deepStrictEqual((await check()).report, report(1));
        const expected = expectedDriftMessage(STACK_SET, operationId, [
            [`${MEMBER} (payments-prod) in us-east-1`, "ou-ab12-11111111"],
            [`${OTHER_MEMBER} in us-east-1`, "ou-ab12-22222222"],
        ]);
        assert.deepStrictEqual(rig.slack.accepted, [expected.slack]);
        assert.deepStrictEqual(sns.published, [{ topicArn: rig.fn.environment["OPERATOR_TOPIC_ARN"], ...expected.operators }]);
        // Each account's name is asked for once; AWS Organizations names no member 777788889999 here.
        assert.deepStrictEqual(
            rig.aws.callsOf("DescribeAccount").map((c) => [c.body["AccountId"], c.answeredWith]),
            [
                [MEMBER, 200],
                [OTHER_MEMBER, 400],
            ],
        );
    });

    it("leaves the detection to the next run, with a log line, while another operation holds the StackSet, and loses nothing", async function () {
        cloudFormation.stackSets.get(STACK_SET)!.busy = true;
        const busy = await check();
        assert.deepStrictEqual(
            busy.report,
            report(0, [`another operation of StackSet ${STACK_SET} is in progress; the next check starts the drift detection`]),
        );
        assert.deepStrictEqual(
            logLines(busy.run).filter((l) => l["message"] === BUSY_LOG),
            [{ level: "info", message: BUSY_LOG, stackSet: STACK_SET }],
        );
        cloudFormation.stackSets.get(STACK_SET)!.busy = false;
        assert.deepStrictEqual((await check()).report, report(0));
        cloudFormation.stackSets.get(STACK_SET)!.instances[1]!.driftStatus = "DRIFTED";
        endDetection({ status: "SUCCEEDED" });
        assert.deepStrictEqual((await check()).report, report(1));
        assert.deepStrictEqual(
            cloudFormation.calls.map((c) => [c.action, c.answeredWith]),
            [
                ["DetectStackSetDrift", 409],
                ["DetectStackSetDrift", 200],
                ["DescribeStackSetOperation", 200],
                ["ListStackInstances", 200],
            ],
        );
        assert.strictEqual((rig.slack.accepted[0] as { text: string }).text.split("\n")[1], `${OTHER_MEMBER} in us-east-1`);
    });

    it("tells the channel and the operators once when no detection has completed for three days, the last one FAILED", async function () {
        // Days of failed detections, as the state table keeps them: the checks began on 1 December and
        // none has completed since; the detection started an hour ago has FAILED too.
        const began = Date.UTC(2026, 11, 1, 9, 0, 0);
        const startedAtMs = Date.now() - 3600_000;
        cloudFormation.stackSets.get(STACK_SET)!.operations.set("drift-4", {
            status: "FAILED",
            statusReason: "Failure tolerance exceeded in us-east-1",
            createdAt: new Date(startedAtMs),
            endedAt: new Date(),
            drift: { detectionStatus: "FAILED", driftStatus: "NOT_CHECKED", total: 2, drifted: 0, inSync: 0, inProgress: 0, failed: 2 },
        });
        const state = {
            completedAtMs: began,
            drifted: [],
            failingTold: false,
            pending: { operationId: "drift-4", startedAtMs },
            startedAtMs,
        };
        await rig.aws.putItem({
            pk: { S: `drift-check#${STACK_SET}` },
            body: { S: JSON.stringify(state) },
            version: { N: "3" },
            expiresAt: { N: String(Math.ceil(Date.now() / 1000) + 86400) },
        });
        assert.deepStrictEqual((await check()).report, report(1));
        assert.deepStrictEqual((await check()).report, report(0));
        const failing =
            `StackSet ${STACK_SET}: no drift detection has completed since 2026-12-01 09:00:00 UTC: ` +
            "detection drift-4 ended FAILED (Failure tolerance exceeded in us-east-1). " +
            "Changes to the member accounts' forwarding that the tampering rules do not name go unseen while this lasts; " +
            "look at the StackSet's operations in the CloudFormation console.";
        assert.deepStrictEqual(rig.slack.accepted, [
            {
                text: failing,
                blocks: [
                    { type: "header", text: { type: "plain_text", text: ":warning: StackSet drift not checked", emoji: true } },
                    { type: "section", text: { type: "mrkdwn", text: failing, verbatim: true } },
                ],
            },
        ]);
        assert.deepStrictEqual(sns.published, [
            {
                topicArn: rig.fn.environment["OPERATOR_TOPIC_ARN"],
                subject: `console-login-alerts: StackSet ${STACK_SET} drift is not checked`,
                message: failing,
            },
        ]);
        const { pending, ...kept } = state;
        assert.ok(pending);
        assert.deepStrictEqual(JSON.parse((await rig.aws.item(`drift-check#${STACK_SET}`))!["body"]!.S!), {
            ...kept,
            failingTold: true,
            problem: { kind: "ended", operationId: "drift-4", status: "FAILED", reason: "Failure tolerance exceeded in us-east-1" },
        });
    });
});
