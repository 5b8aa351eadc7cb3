/**
 * The local CloudFormation stand-in (tools/local/localCloudFormation.ts) against the real SDK
 * client, which parses its AWS Query answers and errors, and the function's CloudFormation ports
 * (handler/awsPorts.ts) over it, reached through AWS_ENDPOINT_URL_CLOUDFORMATION as the deployed
 * function reaches CloudFormation.
 */
import * as assert from "assert";
import {
    CloudFormationClient,
    DescribeStackSetOperationCommand,
    DetectStackSetDriftCommand,
    ListStackInstancesCommand,
} from "@aws-sdk/client-cloudformation";
import { createAwsPorts } from "../handler/awsPorts";
import type { AwsPorts, StackSetRef } from "../handler/common/types";
import { LOCAL_CREDENTIALS } from "../tools/local/localDynamo";
import { LocalCloudFormation } from "../tools/local/localCloudFormation";

const STACK_SET = "login-alerts-org-member-forwarding";
const REF: StackSetRef = { name: STACK_SET, callAs: "DELEGATED_ADMIN" };
const INSTANCES = [
    { account: "444455556666", region: "us-east-1", unit: "ou-ab12-11111111" },
    { account: "444455556666", region: "eu-west-1", unit: "ou-ab12-11111111" },
    { account: "777788889999", region: "us-east-1", unit: "ou-ab12-22222222" },
];

/** The SDK's error as it surfaces: its name (the XML's Code), its message and the HTTP status. */
async function errorOf(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
    try {
        await call;
    } catch (err) {
        const e = err as Error & { $metadata?: { httpStatusCode?: number } };
        return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
    }
    assert.fail("the call succeeded");
}

describe("the local CloudFormation stand-in, as the AWS SDK reads it", function () {
    let cloudFormation: LocalCloudFormation;
    let client: CloudFormationClient;
    let ports: AwsPorts;
    const saved: Record<string, string | undefined> = {};

    before(async function () {
        cloudFormation = await new LocalCloudFormation().start();
        // The ports' client finds the stand-in through AWS_ENDPOINT_URL_CLOUDFORMATION, as the function does.
        const env = {
            ...cloudFormation.env(),
            AWS_REGION: "us-east-1",
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        };
        for (const [name, value] of Object.entries(env)) {
            saved[name] = process.env[name];
            process.env[name] = value;
        }
        client = new CloudFormationClient({ region: "us-east-1", endpoint: cloudFormation.origin, credentials: LOCAL_CREDENTIALS });
        ports = createAwsPorts("login-alerts-state");
    });

    after(async function () {
        client.destroy();
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[name];
            } else {
                process.env[name] = value;
            }
        }
        await cloudFormation.stop();
    });

    beforeEach(function () {
        cloudFormation.reset();
        cloudFormation.addStackSet(STACK_SET, INSTANCES);
    });

    it("starts a detection with the StackSet's operation preferences, and describes it running, then ended with its counts", async function () {
        const operationId = await ports.detectStackSetDrift(REF);
        const { OperationId: idempotencyToken, ...sent } = cloudFormation.calls[0]!.params;
        assert.strictEqual(operationId, idempotencyToken);
        assert.deepStrictEqual(sent, {
            Action: "DetectStackSetDrift",
            Version: "2010-05-15",
            StackSetName: STACK_SET,
            CallAs: "DELEGATED_ADMIN",
            "OperationPreferences.RegionConcurrencyType": "PARALLEL",
            "OperationPreferences.FailureTolerancePercentage": "25",
            "OperationPreferences.MaxConcurrentPercentage": "50",
            "OperationPreferences.ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
        });
        assert.deepStrictEqual(await ports.describeStackSetOperation(REF, operationId), {
            status: "RUNNING",
            drift: { detectionStatus: "IN_PROGRESS", total: 3, drifted: 0, failed: 0 },
        });
        cloudFormation.stackSets.get(STACK_SET)!.instances[1]!.driftStatus = "DRIFTED";
        cloudFormation.endOperation(STACK_SET, operationId, { status: "SUCCEEDED", failed: 1 });
        assert.deepStrictEqual(await ports.describeStackSetOperation(REF, operationId), {
            status: "SUCCEEDED",
            drift: { detectionStatus: "PARTIAL_SUCCESS", total: 3, drifted: 1, failed: 1 },
        });
        assert.deepStrictEqual(
            cloudFormation.calls.map((c) => [c.action, c.params["OperationId"], c.params["CallAs"], c.answeredWith]),
            [
                ["DetectStackSetDrift", operationId, "DELEGATED_ADMIN", 200],
                ["DescribeStackSetOperation", operationId, "DELEGATED_ADMIN", 200],
                ["DescribeStackSetOperation", operationId, "DELEGATED_ADMIN", 200],
            ],
        );
    });

    it("gives the SDK every field of the operation, timestamps as dates", async function () {
        const { OperationId } = await client.send(new DetectStackSetDriftCommand({ StackSetName: STACK_SET, OperationId: "drift-1" }));
        assert.strictEqual(OperationId, "drift-1");
        cloudFormation.endOperation(STACK_SET, "drift-1", { status: "FAILED", reason: "Failure tolerance exceeded in eu-west-1" });
        const { StackSetOperation: operation } = await client.send(
            new DescribeStackSetOperationCommand({ StackSetName: STACK_SET, OperationId: "drift-1" }),
        );
        const { CreationTimestamp, EndTimestamp, StackSetDriftDetectionDetails, ...rest } = operation!;
        assert.ok(CreationTimestamp instanceof Date && EndTimestamp instanceof Date && EndTimestamp >= CreationTimestamp);
        assert.deepStrictEqual(rest, {
            OperationId: "drift-1",
            StackSetId: cloudFormation.stackSets.get(STACK_SET)!.id,
            Action: "DETECT_DRIFT",
            Status: "FAILED",
            StatusReason: "Failure tolerance exceeded in eu-west-1",
        });
        const { LastDriftCheckTimestamp, ...counts } = StackSetDriftDetectionDetails!;
        assert.ok(LastDriftCheckTimestamp instanceof Date);
        assert.deepStrictEqual(counts, {
            DriftStatus: "IN_SYNC",
            DriftDetectionStatus: "FAILED",
            TotalStackInstancesCount: 3,
            DriftedStackInstancesCount: 0,
            InSyncStackInstancesCount: 3,
            InProgressStackInstancesCount: 0,
            FailedStackInstancesCount: 0,
        });
    });

    it("lists the drifted instances a page at a time, with the DRIFT_STATUS filter as the query protocol spells it", async function () {
        const stackSet = cloudFormation.stackSets.get(STACK_SET)!;
        stackSet.instances.forEach((i) => (i.driftStatus = "DRIFTED"));
        stackSet.instances[1]!.driftStatus = "IN_SYNC";
        const checked = new Date("2026-12-07T09:14:03.000Z");
        stackSet.instances.forEach((i) => (i.lastDriftCheck = checked));
        cloudFormation.pageSize = 1;
        const first = await ports.listDriftedStackInstances(REF, undefined);
        const second = await ports.listDriftedStackInstances(REF, first.nextToken);
        assert.deepStrictEqual(
            [first, second],
            [
                {
                    instances: [{ account: "444455556666", region: "us-east-1", unit: "ou-ab12-11111111", checkedAtMs: checked.getTime() }],
                    nextToken: "1",
                },
                { instances: [{ account: "777788889999", region: "us-east-1", unit: "ou-ab12-22222222", checkedAtMs: checked.getTime() }] },
            ],
        );
        assert.deepStrictEqual(cloudFormation.calls[1]!.params, {
            Action: "ListStackInstances",
            Version: "2010-05-15",
            StackSetName: STACK_SET,
            NextToken: "1",
            MaxResults: "100",
            "Filters.member.1.Name": "DRIFT_STATUS",
            "Filters.member.1.Values": "DRIFTED",
            CallAs: "DELEGATED_ADMIN",
        });
        const all = await client.send(new ListStackInstancesCommand({ StackSetName: STACK_SET }));
        assert.deepStrictEqual(
            all.Summaries?.map((s) => [s.Account, s.Region, s.DriftStatus, s.Status, s.StackInstanceStatus?.DetailedStatus]),
            [["444455556666", "us-east-1", "DRIFTED", "CURRENT", "SUCCEEDED"]],
        );
    });

    it("answers the documented errors, which the SDK raises by name with their HTTP status", async function () {
        assert.deepStrictEqual(await errorOf(ports.detectStackSetDrift({ ...REF, name: "another-stack-set" })), {
            name: "StackSetNotFoundException",
            message: "StackSet another-stack-set not found",
            status: 404,
        });
        const operationId = await ports.detectStackSetDrift(REF);
        const stackSetId = cloudFormation.stackSets.get(STACK_SET)!.id;
        assert.deepStrictEqual(await errorOf(ports.detectStackSetDrift(REF)), {
            name: "OperationInProgressException",
            message: `Another Operation on StackSet ${stackSetId} is in progress`,
            status: 409,
        });
        cloudFormation.endOperation(STACK_SET, operationId, { status: "SUCCEEDED" });
        cloudFormation.stackSets.get(STACK_SET)!.busy = true;
        assert.strictEqual((await errorOf(ports.detectStackSetDrift(REF))).name, "OperationInProgressException");
        assert.deepStrictEqual(await errorOf(ports.describeStackSetOperation(REF, "no-such-operation")), {
            name: "OperationNotFoundException",
            message: `Operation no-such-operation of StackSet ${STACK_SET} not found`,
            status: 404,
        });
        assert.deepStrictEqual(await errorOf(ports.listDriftedStackInstances({ ...REF, name: "another-stack-set" }, undefined)), {
            name: "StackSetNotFoundException",
            message: "StackSet another-stack-set not found",
            status: 404,
        });
    });
});
