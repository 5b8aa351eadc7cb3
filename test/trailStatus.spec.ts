/** CloudTrail's own status of the trail (handler/ingest/trailStatus.ts), judged and told once per change of state. */
import { strict as assert } from "assert";
import { checkTrail, trailHealth } from "../handler/ingest/trailStatus";
import type { InvocationReport } from "../handler/common/types";
import { readStackSettings } from "../program/settings";
import type { OfflineRun, RecordedResource } from "../tools/offlineEngine";
import { FakeAwsPorts, fakeInvocation, unitSettings } from "./support/fakePorts";
import { defaultProgram, policyDoc, runWith, TEST_WEBHOOK } from "./support/program";

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const TRAIL = "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail";

function report(): InvocationReport {
    return { trigger: "sweep", rulesScanned: [], posted: 0, messages: 0, skipped: [] };
}

describe("the trail's status", function () {
    it("is judged most serious first: not logging, then delivery errors, then silence longer than the heartbeat allows", function () {
        const recent = NOW - 60_000;
        assert.deepEqual(
            [
                trailHealth({ isLogging: false, cloudWatchLogsError: "AccessDenied" }, NOW, 60),
                trailHealth({ isLogging: true, cloudWatchLogsError: "AccessDenied", s3Error: "NoSuchBucket" }, NOW, 60),
                trailHealth({ isLogging: true, s3Error: "NoSuchBucket", cloudWatchLogsDeliveredAtMs: recent }, NOW, 60),
                trailHealth({ isLogging: true, cloudWatchLogsDeliveredAtMs: NOW - 61 * 60_000 }, NOW, 60),
                trailHealth({ isLogging: true, cloudWatchLogsDeliveredAtMs: NOW - 23 * 3600_000 }, NOW, 0),
                trailHealth({ isLogging: true, cloudWatchLogsDeliveredAtMs: recent }, NOW, 60),
            ],
            [
                { kind: "stopped" },
                { kind: "logs-error", error: "AccessDenied" },
                { kind: "s3-error", error: "NoSuchBucket" },
                { kind: "stale", sinceMs: NOW - 61 * 60_000 },
                { kind: "healthy" },
                { kind: "healthy" },
            ],
        );
    });

    it("says nothing of a healthy trail, tells each new problem once, a trail it cannot read included, and says when it is back", async function () {
        const { aws, sent, deps } = fakeInvocation(NOW, unitSettings({ trailArn: TRAIL }));
        const sweep = () => checkTrail(deps, NOW + 60_000, report());
        aws.trails.set(TRAIL, { isLogging: true, cloudWatchLogsDeliveredAtMs: NOW - 60_000 });
        await sweep();
        aws.trails.delete(TRAIL);
        await sweep();
        // The same kind of error again, whatever its message says this time: not news.
        aws.trailStatus = async () => {
            const err = new Error("Unknown trail (request 7f3e)");
            err.name = "TrailNotFoundException";
            throw err;
        };
        await sweep();
        aws.trailStatus = FakeAwsPorts.prototype.trailStatus.bind(aws);
        aws.trails.set(TRAIL, { isLogging: true, s3Error: "NoSuchBucket" });
        await sweep();
        aws.trails.set(TRAIL, { isLogging: true, s3Error: "AccessDenied" });
        await sweep();
        aws.trails.set(TRAIL, { isLogging: true, cloudWatchLogsDeliveredAtMs: NOW - 60_000 });
        await sweep();
        const tail =
            ". Sign-ins are not seen while this lasts, whatever reaches the log group; check the trail (StartLogging) and its role, and CloudTrail in this account for who changed them.";
        assert.deepEqual(
            sent.map((m) => m.text),
            [
                `Trail ${TRAIL}: the function cannot read its status: TrailNotFoundException: Unknown trail: ${TRAIL} for the user: 111122223333${tail}`,
                `Trail ${TRAIL}: CloudTrail cannot deliver to its S3 bucket: NoSuchBucket${tail}`,
                `Trail ${TRAIL}: CloudTrail cannot deliver to its S3 bucket: AccessDenied${tail}`,
                `:white_check_mark: Trail ${TRAIL} is logging and delivering again.`,
            ],
        );
        assert.equal(aws.trailStatusReads.length, 5);
    });

    it("reads nothing when the stack knows only the trail's log group", async function () {
        const { aws, sent, deps } = fakeInvocation(NOW, unitSettings());
        await checkTrail(deps, NOW + 60_000, report());
        assert.deepEqual([aws.trailStatusReads, sent], [[], []]);
    });
});

describe("the trail whose status the function reads", function () {
    const EXISTING = "aws-controltower/CloudTrailLogs";

    function functionOf(run: OfflineRun): RecordedResource {
        return run.resources.find((r) => r.type === "aws:lambda/function:Function")!;
    }

    function statusStatements(run: OfflineRun): unknown[] {
        const policy = run.resources.find((r) => r.name === "login-alerts-function-policy")!;
        return policyDoc(policy).Statement.filter((s) => s["Sid"] === "ReadTrailStatus");
    }

    it("is the stack's own trail, which the function may read the status of and nothing else", async function () {
        const run = await defaultProgram();
        const arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/login-alerts-dev";
        assert.equal((functionOf(run).inputs["environment"] as { variables: Record<string, string> }).variables["TRAIL_ARN"], arn);
        assert.deepEqual(statusStatements(run), [
            { Sid: "ReadTrailStatus", Effect: "Allow", Action: "cloudtrail:GetTrailStatus", Resource: arn },
        ]);
    });

    it("is an existing trail when its ARN is configured, and none when only its log group is", async function () {
        const arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/aws-controltower-BaselineCloudTrail";
        const named = await runWith({ existingTrailLogGroupName: EXISTING, existingTrailArn: arn });
        assert.equal((functionOf(named).inputs["environment"] as { variables: Record<string, string> }).variables["TRAIL_ARN"], arn);
        assert.deepEqual(statusStatements(named), [
            { Sid: "ReadTrailStatus", Effect: "Allow", Action: "cloudtrail:GetTrailStatus", Resource: arn },
        ]);
        const unnamed = await runWith({ existingTrailLogGroupName: EXISTING });
        assert.equal((functionOf(unnamed).inputs["environment"] as { variables: Record<string, string> }).variables["TRAIL_ARN"], "");
        assert.deepEqual(statusStatements(unnamed), []);
    });

    it("refuses an ARN that is not a trail's, or one given without an existing trail", function () {
        const read = (values: Record<string, string>) => () =>
            readStackSettings({ get: (k) => ({ slackWebhookUrl: TEST_WEBHOOK, ...values })[k], isSecret: (k) => k === "slackWebhookUrl" });
        assert.throws(read({ existingTrailLogGroupName: EXISTING, existingTrailArn: "org-trail" }), {
            message:
                "Configuration key console-login-alerts:existingTrailArn must be a trail's ARN, such as arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail (aws cloudtrail describe-trails shows it as TrailARN).",
        });
        assert.throws(read({ existingTrailArn: "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail" }), {
            message:
                "Configuration key console-login-alerts:existingTrailArn names an existing trail, but the stack creates its own and reads that one's status. Remove it with: pulumi config rm existingTrailArn",
        });
    });
});
