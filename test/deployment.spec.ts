import * as assert from "assert";
import * as path from "path";
import { MOCK_ORGANIZATION, runProgramOffline, type OfflineRun, type RecordedResource } from "../tools/offlineEngine";
import { checkResources } from "../tools/policyCheck";
import { TEST_WEBHOOK, WEBHOOK_KEY, byName, defaultProgram, ofType, policyDoc, runWith } from "./support/program";

const ACCOUNT = "111122223333";

/** Every IAM identity-policy statement in a run, as "resource: Effect Action -> Resource". */
function iamStatements(run: OfflineRun): string[] {
    const lines: string[] = [];
    for (const r of ofType(run, "aws:iam/rolePolicy:RolePolicy")) {
        for (const s of policyDoc(r).Statement) {
            const actions = ([] as unknown[]).concat(s["Action"]).join(",");
            const resources = ([] as unknown[]).concat(s["Resource"]).join(",");
            lines.push(`${r.name}: ${String(s["Effect"])} ${actions} -> ${resources}`);
        }
    }
    return lines.sort();
}

function physicalNames(run: OfflineRun): string[] {
    const names: string[] = [];
    for (const r of run.resources) {
        if (r.type === "aws:cloudtrail/trail:Trail" || r.type === "aws:ssm/parameter:Parameter") {
            names.push(String(r.inputs["name"]));
        }
        if (r.type === "aws:cloudwatch/logMetricFilter:LogMetricFilter") {
            names.push(String((r.inputs["metricTransformation"] as { name: string }).name));
        }
    }
    return names;
}

describe("deployment options and exposure", function () {
    let run: OfflineRun;
    before(async function () {
        run = await defaultProgram();
    });

    it("lists every IAM statement in the stack, with no * resource anywhere", function () {
        const fnLogs = String(byName(run, "login-alerts-function-logs").state["arn"]);
        const trailLogs = String(byName(run, "login-alerts-trail-logs").state["arn"]);
        assert.deepStrictEqual(iamStatements(run), [
            "login-alerts-fast-path-policy: Allow events:PutEvents -> arn:aws:events:us-east-1:111122223333:event-bus/login-alerts-dev-sign-ins",
            `login-alerts-function-policy: Allow cloudtrail:GetTrailStatus -> ${String(byName(run, "login-alerts-trail").state["arn"])}`,
            `login-alerts-function-policy: Allow dynamodb:GetItem,dynamodb:PutItem,dynamodb:UpdateItem,dynamodb:BatchGetItem,dynamodb:BatchWriteItem -> ${String(byName(run, "login-alerts-state").state["arn"])}`,
            `login-alerts-function-policy: Allow logs:CreateLogStream,logs:PutLogEvents -> ${fnLogs}:log-stream:*`,
            `login-alerts-function-policy: Allow logs:FilterLogEvents -> ${trailLogs}:*`,
            `login-alerts-function-policy: Allow sns:Publish -> ${String(byName(run, "login-alerts-operators").state["arn"])}`,
            `login-alerts-function-policy: Allow sqs:SendMessage -> ${String(byName(run, "login-alerts-dead-letters").state["arn"])}`,
            `login-alerts-function-policy: Allow ssm:GetParameter -> arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/console-login-alerts/login-alerts-dev/slack-webhook-url`,
            `login-alerts-trail-logs-policy: Allow logs:CreateLogStream,logs:PutLogEvents -> ${trailLogs}:log-stream:*`,
        ]);
        assert.ok(iamStatements(run).every((s) => !/ -> \*$|,\*$|-> \*,/.test(s)));
    });

    it("tells operators by a second channel when notifications are dead-lettered or the function fails", async function () {
        const withEmail = await runWith({ operatorEmail: "secops@example.com" });
        const operators = byName(withEmail, "login-alerts-operators");
        const queue = byName(withEmail, "login-alerts-dead-letters");
        assert.deepStrictEqual(byName(withEmail, "login-alerts-operators-email").inputs, {
            topic: operators.state["arn"],
            protocol: "email",
            endpoint: "secops@example.com",
        });
        const dlqAlarm = byName(withEmail, "login-alerts-dead-letters-alarm");
        assert.deepStrictEqual(
            { ...dlqAlarm.inputs, alarmDescription: undefined },
            {
                alarmDescription: undefined,
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: queue.state["name"] },
                statistic: "Maximum",
                period: 300,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [operators.state["arn"]],
            },
        );
        const errors = byName(withEmail, "login-alerts-function-errors-alarm");
        assert.deepStrictEqual(errors.inputs["dimensions"], { FunctionName: byName(withEmail, "login-alerts-function").state["name"] });
        assert.deepStrictEqual(errors.inputs["alarmActions"], [operators.state["arn"]]);
        const statement = policyDoc(byName(withEmail, "login-alerts-operators-policy")).Statement[0]!;
        assert.deepStrictEqual(statement["Condition"], {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            // The delivery heartbeat's ARN is known before it exists: its name is fixed.
            ArnLike: {
                "aws:SourceArn": [
                    dlqAlarm.state["arn"],
                    errors.state["arn"],
                    `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:login-alerts-dev-delivery-heartbeat`,
                ],
            },
        });
        assert.deepStrictEqual(
            ofType(run, "aws:sns/topicSubscription:TopicSubscription").map((s) => s.name),
            ["login-alerts-alarms-subscription"],
        );
    });

    it("encrypts both topics with a customer-managed key CloudWatch may use, never alias/aws/sns", async function () {
        const encrypted = await runWith({ encryptTopics: "true" });
        const key = byName(encrypted, "login-alerts-topics-key");
        for (const topic of ["login-alerts-alarms", "login-alerts-operators"]) {
            assert.deepStrictEqual(byName(encrypted, topic).inputs, { kmsMasterKeyId: key.state["arn"] });
        }
        assert.deepStrictEqual(policyDoc(key).Statement, [
            {
                Sid: "AccountAdministers",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchPublishes",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
            },
        ]);
        assert.ok(!JSON.stringify(encrypted.resources.map((r) => r.inputs)).includes("alias/aws/sns"));
    });

    it("encrypts the trail's files and log group with its own key on request", async function () {
        const encrypted = await runWith({ encryptTrailLogs: "true" });
        const key = byName(encrypted, "login-alerts-trail-key");
        assert.strictEqual(byName(encrypted, "login-alerts-trail").inputs["kmsKeyId"], key.state["arn"]);
        assert.deepStrictEqual(byName(encrypted, "login-alerts-trail-logs").inputs, { retentionInDays: 365, kmsKeyId: key.state["arn"] });
        assert.deepStrictEqual(byName(encrypted, "login-alerts-trail-bucket-encryption").inputs["rules"], [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.state["arn"] }, bucketKeyEnabled: true },
        ]);
        const sids = policyDoc(key).Statement.map((s) => s["Sid"]);
        assert.deepStrictEqual(sids, ["AccountAdministers", "CloudTrailEncrypts", "CloudWatchLogsEncrypts"]);
        assert.deepStrictEqual(policyDoc(key).Statement[1]!["Condition"], {
            StringEquals: { "aws:SourceArn": `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/login-alerts-dev` },
        });
    });

    it("brings its own trail: no trail, bucket or log group, and everything points at the existing log group", async function () {
        const byo = await runWith({ existingTrailLogGroupName: "aws-cloudtrail-logs-111122223333-0a1b2c3d" });
        const types = new Set(byo.resources.map((r) => r.type));
        for (const absent of ["aws:cloudtrail/trail:Trail", "aws:s3/bucket:Bucket", "aws:s3/bucketPolicy:BucketPolicy"]) {
            assert.ok(!types.has(absent), `${absent} was created`);
        }
        assert.deepStrictEqual(
            ofType(byo, "aws:cloudwatch/logGroup:LogGroup").map((r) => r.name),
            ["login-alerts-function-logs"],
        );
        for (const filter of ofType(byo, "aws:cloudwatch/logMetricFilter:LogMetricFilter")) {
            assert.strictEqual(filter.inputs["logGroupName"], "aws-cloudtrail-logs-111122223333-0a1b2c3d");
        }
        const statements = iamStatements(byo);
        assert.ok(
            statements.includes(
                `login-alerts-function-policy: Allow logs:FilterLogEvents -> arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-cloudtrail-logs-111122223333-0a1b2c3d:*`,
            ),
            statements.join("\n"),
        );
        const variables = (byName(byo, "login-alerts-function").inputs["environment"] as { variables: Record<string, string> }).variables;
        assert.strictEqual(variables["TRAIL_LOG_GROUP_NAME"], "aws-cloudtrail-logs-111122223333-0a1b2c3d");
        assert.strictEqual(byo.outputs["trailArn"], undefined);
        assert.strictEqual(byo.outputs["trailLogGroupName"], "aws-cloudtrail-logs-111122223333-0a1b2c3d");
    });

    it("creates an organization trail that may write every member account's logs", async function () {
        const org = await runWith({ organizationTrail: "true" });
        assert.strictEqual(byName(org, "login-alerts-trail").inputs["isOrganizationTrail"], true);
        const bucketArn = String(byName(org, "login-alerts-trail-bucket").state["arn"]);
        const write = policyDoc(byName(org, "login-alerts-trail-bucket-policy")).Statement.find((s) => s["Sid"] === "CloudTrailWrite")!;
        assert.deepStrictEqual(write["Resource"], [`${bucketArn}/AWSLogs/${ACCOUNT}/*`, `${bucketArn}/AWSLogs/${MOCK_ORGANIZATION}/*`]);
    });

    it("passes the policy pack with every deployment option: own trail, organization trail, encryption, operators", async function () {
        const options: Array<Record<string, string>> = [
            { existingTrailLogGroupName: "aws-cloudtrail-logs-111122223333-0a1b2c3d" },
            { organizationTrail: "true", encryptTrailLogs: "true" },
            { encryptTopics: "true", operatorEmail: "secops@example.com" },
        ];
        for (const config of options) {
            const checked = await checkResources((await runWith(config)).resources);
            assert.deepStrictEqual(checked.violations, [], JSON.stringify(config));
        }
    });

    it("runs two instances in one stack without a name collision", async function () {
        const two = await runProgramOffline({
            config: { [WEBHOOK_KEY]: TEST_WEBHOOK },
            secretKeys: [WEBHOOK_KEY],
            program: path.join(__dirname, "programs", "twoInstances.ts"),
        });
        const urns = two.resources.map((r) => r.urn);
        assert.strictEqual(new Set(urns).size, urns.length, "duplicate URNs");
        const names = physicalNames(two);
        assert.strictEqual(new Set(names).size, names.length, `duplicate physical names: ${names.join(", ")}`);
        assert.ok(
            names.includes("/console-login-alerts/security-dev/slack-webhook-url") &&
                names.includes("/console-login-alerts/platform-dev/slack-webhook-url"),
        );
        // The webhook stays secret in whatever is derived from it.
        assert.deepStrictEqual(two.outputs["securityWebhook"], { secret: TEST_WEBHOOK });
    });

    it("runs two stacks in one account and region without a name collision", async function () {
        const dev = physicalNames(run);
        const prod = physicalNames(await runWith({}, "prod"));
        assert.deepStrictEqual(
            dev.filter((n) => prod.includes(n)),
            [],
        );
    });

    it("keeps the webhook secret in state: the only resource holding it marks it secret, and no output carries it", function () {
        const holders: RecordedResource[] = run.resources.filter((r) => JSON.stringify(r.inputs).includes(TEST_WEBHOOK));
        assert.deepStrictEqual(
            holders.map((r) => [r.name, r.secretPaths]),
            [["login-alerts-webhook", ["value"]]],
        );
        assert.ok(!JSON.stringify(run.outputs).includes(TEST_WEBHOOK));
    });
});
