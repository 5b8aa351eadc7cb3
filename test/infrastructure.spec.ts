import * as assert from "assert";
import { CENTRAL_PATTERN } from "../program/fastPath";
import { CLOUDTRAIL_DETAIL_TYPES, fastPathPatterns, routeOf } from "../program/fastPathPatterns";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES, ORIGINAL_SIGNIN_PATTERN, type BuiltInRuleId } from "../program/rules";
import { MOCK_ENABLED_REGIONS } from "../tools/mockProvider";
import { LOOKBACK_LIMIT_SECONDS } from "../shared/contract";
import type { OfflineRun } from "../tools/offlineEngine";
import { archiveText, functionConfigOf, indexJsOf } from "../tools/local/deployedFunction";
import { TEST_WEBHOOK, byName, defaultProgram, ofType, policyDoc, runWith } from "./support/program";

const ACCOUNT = "111122223333";
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/login-alerts-dev`;

describe("the LoginAlerts component under mocks", function () {
    let run: OfflineRun;
    let bucketArn: string;
    let trailLogGroupArn: string;

    before(async function () {
        run = await defaultProgram();
        bucketArn = String(byName(run, "login-alerts-trail-bucket").state["arn"]);
        trailLogGroupArn = String(byName(run, "login-alerts-trail-logs").state["arn"]);
    });

    it("names every child from the component name and groups them in five child components", function () {
        const component = byName(run, "login-alerts");
        assert.strictEqual(component.type, "console-login-alerts:index:LoginAlerts");
        const rooms = run.resources.filter((r) => r.parent === component.urn);
        assert.deepStrictEqual(
            rooms.map((r) => `${r.type} ${r.name}`),
            [
                "console-login-alerts:index:AuditTrail login-alerts-audit-trail",
                "console-login-alerts:index:AlertRules login-alerts-alert-rules",
                // The operators' topic comes before the function, which publishes to it.
                "console-login-alerts:index:Operators login-alerts-operator-alerts",
                "console-login-alerts:index:Notifier login-alerts-notifier",
                // After the notifier, whose function its bus invokes.
                "console-login-alerts:index:FastPath login-alerts-fast-path",
            ],
        );
        const children = run.resources.filter((r) => r !== component && !rooms.includes(r));
        assert.ok(children.length >= 30, `only ${children.length} children`);
        for (const child of children) {
            assert.ok(child.name.startsWith("login-alerts-"), child.name);
            assert.ok(
                rooms.some((room) => child.parent === room.urn),
                `${child.name} is not parented to one of the component's rooms`,
            );
        }
    });

    it("hardens the trail bucket: all four public-access blocks, encryption, owner-enforced objects, expiry, kept on destroy", function () {
        assert.deepStrictEqual(byName(run, "login-alerts-trail-bucket").inputs, { forceDestroy: false });
        const bucket = byName(run, "login-alerts-trail-bucket").state["bucket"];
        assert.deepStrictEqual(byName(run, "login-alerts-trail-bucket-public-access").inputs, {
            bucket,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        assert.deepStrictEqual(byName(run, "login-alerts-trail-bucket-encryption").inputs, {
            bucket,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
        });
        assert.deepStrictEqual(byName(run, "login-alerts-trail-bucket-ownership").inputs, {
            bucket,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        });
        assert.deepStrictEqual(byName(run, "login-alerts-trail-bucket-lifecycle").inputs, {
            bucket,
            rules: [{ id: "expire-trail-logs", status: "Enabled", filter: {}, expiration: { days: 365 } }],
        });
    });

    it("lets only this trail write to the bucket, under AWSLogs/<account>/, and refuses requests without TLS", function () {
        assert.deepStrictEqual(policyDoc(byName(run, "login-alerts-trail-bucket-policy")).Statement, [
            {
                Sid: "CloudTrailAclCheck",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "s3:GetBucketAcl",
                Resource: bucketArn,
                Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
            },
            {
                Sid: "CloudTrailWrite",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${bucketArn}/AWSLogs/${ACCOUNT}/*`,
                Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN } },
            },
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ]);
    });

    it("wires the multi-region trail to its log group through a role only CloudTrail (this trail) can assume", function () {
        const trail = byName(run, "login-alerts-trail");
        const role = byName(run, "login-alerts-trail-logs-role");
        assert.deepStrictEqual(trail.inputs, {
            name: "login-alerts-dev",
            s3BucketName: byName(run, "login-alerts-trail-bucket").state["bucket"],
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogFileValidation: true,
            cloudWatchLogsGroupArn: `${trailLogGroupArn}:*`,
            cloudWatchLogsRoleArn: role.state["arn"],
        });
        assert.ok(
            trail.dependencies.includes(byName(run, "login-alerts-trail-bucket-policy").urn),
            "the trail must wait for the bucket policy",
        );
        assert.ok(
            trail.dependencies.includes(byName(run, "login-alerts-trail-logs-policy").urn),
            "the trail must wait for the role's policy",
        );
        assert.deepStrictEqual(byName(run, "login-alerts-trail-logs").inputs, { retentionInDays: 365 });
        assert.deepStrictEqual(policyDoc(role, "assumeRolePolicy").Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
            },
        ]);
        assert.deepStrictEqual(policyDoc(byName(run, "login-alerts-trail-logs-policy")).Statement, [
            { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${trailLogGroupArn}:log-stream:*` },
        ]);
    });

    it("keeps the webhook in an SSM SecureString parameter, marked secret", function () {
        const param = byName(run, "login-alerts-webhook");
        assert.deepStrictEqual(param.inputs, {
            name: "/console-login-alerts/login-alerts-dev/slack-webhook-url",
            type: "SecureString",
            value: TEST_WEBHOOK,
            description: "Slack incoming webhook for console sign-in alerts.",
        });
        assert.deepStrictEqual(param.secretPaths, ["value"]);
    });

    it("counts console sign-ins with the original design's pattern, value 1, by default", function () {
        const filter = byName(run, "login-alerts-console-signin-filter");
        assert.deepStrictEqual(filter.inputs, {
            logGroupName: byName(run, "login-alerts-trail-logs").state["name"],
            pattern: ORIGINAL_SIGNIN_PATTERN,
            metricTransformation: { name: "login-alerts-dev-console-signin", namespace: "ConsoleLoginAlerts", value: "1", unit: "Count" },
        });
        assert.strictEqual(
            ORIGINAL_SIGNIN_PATTERN,
            '{ ($.userIdentity.type = "IAMUser") && ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") && ($.eventType = "AwsConsoleSignIn") }',
        );
    });

    it("alarms on Sum >= 1 over 60 s, returns to OK on missing data, and notifies the topic both ways", function () {
        const topicArn = byName(run, "login-alerts-alarms").state["arn"];
        assert.deepStrictEqual(byName(run, "login-alerts-console-signin-alarm").inputs, {
            alarmDescription: "Console sign-in: events matching the console-signin rule of console-login-alerts (login-alerts-dev).",
            namespace: "ConsoleLoginAlerts",
            metricName: "login-alerts-dev-console-signin",
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topicArn],
            okActions: [topicArn],
        });
    });

    it("lets only CloudWatch publish to the topic, for this account's alarms: the rules' and the delivery heartbeat; denies everyone else", function () {
        const topicArn = byName(run, "login-alerts-alarms").state["arn"];
        const alarmArns = [
            ...BUILT_IN_RULE_IDS.map((id) => byName(run, `login-alerts-${id}-alarm`).state["arn"]),
            byName(run, "login-alerts-delivery-heartbeat-alarm").state["arn"],
        ];
        assert.strictEqual(alarmArns.at(-1), `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:login-alerts-dev-delivery-heartbeat`);
        assert.deepStrictEqual(policyDoc(byName(run, "login-alerts-alarms-policy")).Statement, [
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": alarmArns } },
            },
            {
                Sid: "NoOtherPublishers",
                Effect: "Deny",
                Principal: "*",
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { ArnNotLike: { "aws:SourceArn": alarmArns } },
            },
        ]);
    });

    it("subscribes the function to the topic, with an invoke permission restricted to that topic", function () {
        const fnArn = byName(run, "login-alerts-function").state["arn"];
        const fnName = byName(run, "login-alerts-function").state["name"];
        const topicArn = byName(run, "login-alerts-alarms").state["arn"];
        assert.deepStrictEqual(byName(run, "login-alerts-alarms-subscription").inputs, {
            topic: topicArn,
            protocol: "lambda",
            endpoint: fnArn,
        });
        assert.deepStrictEqual(byName(run, "login-alerts-alarms-invoke").inputs, {
            action: "lambda:InvokeFunction",
            function: fnName,
            principal: "sns.amazonaws.com",
            sourceArn: topicArn,
        });
    });

    it("gives the function its own least-privilege role, not the CallbackFunction default", function () {
        const role = byName(run, "login-alerts-function-role");
        assert.deepStrictEqual(policyDoc(role, "assumeRolePolicy").Statement, [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        assert.deepStrictEqual(ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), [], "no managed policies are attached");
        const fn = byName(run, "login-alerts-function");
        assert.strictEqual(fn.inputs["role"], role.state["arn"]);
        assert.deepStrictEqual(policyDoc(byName(run, "login-alerts-function-policy")).Statement, [
            {
                Sid: "ReadWebhook",
                Effect: "Allow",
                Action: "ssm:GetParameter",
                Resource: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/console-login-alerts/login-alerts-dev/slack-webhook-url`,
            },
            { Sid: "LookUpSignIns", Effect: "Allow", Action: "logs:FilterLogEvents", Resource: `${trailLogGroupArn}:*` },
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${String(byName(run, "login-alerts-function-logs").state["arn"])}:log-stream:*`,
            },
            {
                Sid: "TrackPostedEvents",
                Effect: "Allow",
                Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"],
                Resource: byName(run, "login-alerts-state").state["arn"],
            },
            {
                Sid: "DeadLetter",
                Effect: "Allow",
                Action: "sqs:SendMessage",
                Resource: byName(run, "login-alerts-dead-letters").state["arn"],
            },
            {
                Sid: "ReadTrailStatus",
                Effect: "Allow",
                Action: "cloudtrail:GetTrailStatus",
                Resource: byName(run, "login-alerts-trail").state["arn"],
            },
            { Sid: "TellOperators", Effect: "Allow", Action: "sns:Publish", Resource: byName(run, "login-alerts-operators").state["arn"] },
        ]);
    });

    it("lets the function publish to the operators' topic through its key when the topics are encrypted, and only through SNS", async function () {
        const encrypted = await runWith({ encryptTopics: "true" });
        const statements = policyDoc(byName(encrypted, "login-alerts-function-policy")).Statement;
        assert.deepStrictEqual(statements.slice(-2), [
            {
                Sid: "TellOperators",
                Effect: "Allow",
                Action: "sns:Publish",
                Resource: byName(encrypted, "login-alerts-operators").state["arn"],
            },
            {
                Sid: "EncryptForOperators",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: byName(encrypted, "login-alerts-topics-key").state["arn"],
                Condition: { StringEquals: { "kms:ViaService": "sns.us-east-1.amazonaws.com" } },
            },
        ]);
        assert.strictEqual(
            byName(encrypted, "login-alerts-operators").inputs["kmsMasterKeyId"],
            byName(encrypted, "login-alerts-topics-key").state["arn"],
        );
    });

    it("runs the function on nodejs22.x with its own log group, and an environment of deployed names and the partition's DNS suffix only", function () {
        const fn = byName(run, "login-alerts-function");
        assert.strictEqual(fn.inputs["runtime"], "nodejs22.x");
        assert.strictEqual(fn.inputs["memorySize"], 256);
        assert.strictEqual(fn.inputs["timeout"], 300);
        assert.strictEqual(fn.inputs["handler"], "__index.handler");
        const logGroup = byName(run, "login-alerts-function-logs");
        assert.deepStrictEqual(logGroup.inputs, { retentionInDays: 365 });
        assert.deepStrictEqual(fn.inputs["loggingConfig"], { logFormat: "Text", logGroup: logGroup.state["name"] });
        const variables = (fn.inputs["environment"] as { variables: Record<string, string> }).variables;
        assert.deepStrictEqual(variables, {
            WEBHOOK_PARAMETER_NAME: "/console-login-alerts/login-alerts-dev/slack-webhook-url",
            TRAIL_LOG_GROUP_NAME: byName(run, "login-alerts-trail-logs").state["name"],
            STATE_TABLE_NAME: byName(run, "login-alerts-state").state["name"],
            OPERATOR_TOPIC_ARN: byName(run, "login-alerts-operators").state["arn"],
            ALARM_NAMES: JSON.stringify(
                Object.fromEntries(BUILT_IN_RULE_IDS.map((id) => [id, byName(run, `login-alerts-${id}-alarm`).state["name"]])),
            ),
            HEARTBEAT_ALARM_NAME: "login-alerts-dev-delivery-heartbeat",
            TRAIL_ARN: byName(run, "login-alerts-trail").state["arn"],
            // The stack asks nobody "Was this you?" (test/confirm.spec.ts).
            BOT_TOKEN_PARAMETER_NAME: "",
            SIGNING_SECRET_PARAMETER_NAME: "",
            // As the provider answers aws:getPartition (tools/mockProvider.ts: the commercial partition).
            SERVICE_DNS_SUFFIX: "amazonaws.com",
        });
    });

    it("retries failed invocations twice, then dead-letters them to an encrypted queue kept 14 days, as far as the function looks back", function () {
        const queue = byName(run, "login-alerts-dead-letters");
        assert.strictEqual(LOOKBACK_LIMIT_SECONDS, 1209600);
        assert.deepStrictEqual(queue.inputs, { messageRetentionSeconds: LOOKBACK_LIMIT_SECONDS, sqsManagedSseEnabled: true });
        assert.deepStrictEqual(byName(run, "login-alerts-function-retries").inputs, {
            functionName: byName(run, "login-alerts-function").state["name"],
            maximumRetryAttempts: 2,
            maximumEventAgeInSeconds: 21600,
            destinationConfig: { onFailure: { destination: queue.state["arn"] } },
        });
    });

    it("never lets the webhook reach the function's environment, its code, a tag or an output", function () {
        const holders = run.resources.filter((r) => JSON.stringify(r.inputs).includes(TEST_WEBHOOK)).map((r) => r.name);
        assert.deepStrictEqual(holders, ["login-alerts-webhook"]);
        const fn = byName(run, "login-alerts-function");
        for (const name of ["__index.js", "config.json", "THIRD-PARTY-NOTICES.txt"]) {
            assert.ok(!archiveText(fn, name).includes(TEST_WEBHOOK), `the function's ${name} contains the webhook`);
            assert.ok(!archiveText(fn, name).includes("s3cr3tW3bh00k"), `the function's ${name} contains part of the webhook`);
        }
        assert.deepStrictEqual(fn.secretPaths, [], "a secret reached the function's inputs (its code would be marked secret)");
        assert.ok(!JSON.stringify(run.outputs).includes(TEST_WEBHOOK), "a stack output exposes the webhook");
        assert.ok(run.resources.every((r) => !JSON.stringify(r.inputs["tags"] ?? {}).includes("hooks.slack.com")));
    });

    it("packages the bundled handler, the stack's configuration as data beside it, and the bundled packages' notices", function () {
        const fn = byName(run, "login-alerts-function");
        const code = fn.inputs["code"] as { assets: Record<string, unknown> };
        assert.deepStrictEqual(Object.keys(code.assets).sort(), ["THIRD-PARTY-NOTICES.txt", "__index.js", "config.json"]);
        const text = indexJsOf(fn);
        // SSM, CloudWatch Logs, DynamoDB, Organizations and CloudTrail are the function's own requests; the SDK
        // clients off a sign-in's path are the runtime's; node-fetch is in the bundle, not required from node_modules.
        assert.doesNotMatch(text, /require\("@aws-sdk\/client-(ssm|cloudwatch-logs|dynamodb|organizations|cloudtrail)"\)/);
        assert.match(text, /require\("@aws-sdk\/client-sns"\)/);
        assert.doesNotMatch(text, /require\("node-fetch"\)/);
        assert.match(text, /^\/\/ handler\/lambda\.ts$/m);
        assert.doesNotMatch(text, /@pulumi/);
        const config = functionConfigOf(fn);
        assert.deepStrictEqual(
            config.rules.map((r) => r.id),
            BUILT_IN_RULE_IDS,
        );
        assert.deepStrictEqual(
            {
                timeZone: config.timeZone,
                language: config.language,
                summary: config.summary,
                heartbeatQuietMinutes: config.heartbeatQuietMinutes,
            },
            { timeZone: "UTC", language: "en", summary: "off", heartbeatQuietMinutes: 1440 },
        );
    });

    it("follows configuration: retention, expiry, force-destroy, time zone, pattern", async function () {
        const custom = await runWith({
            trailLogRetentionDays: "731",
            functionLogRetentionDays: "30",
            trailBucketExpirationDays: "90",
            forceDestroyTrailBucket: "true",
            timeZone: "Asia/Tokyo",
            signInFilterPattern: '{ ($.eventName = "ConsoleLogin") }',
        });
        assert.deepStrictEqual(byName(custom, "login-alerts-trail-logs").inputs, { retentionInDays: 731 });
        assert.deepStrictEqual(byName(custom, "login-alerts-function-logs").inputs, { retentionInDays: 30 });
        assert.deepStrictEqual(byName(custom, "login-alerts-trail-bucket").inputs, { forceDestroy: true });
        assert.deepStrictEqual(
            (byName(custom, "login-alerts-trail-bucket-lifecycle").inputs["rules"] as Array<{ expiration: unknown }>)[0]!.expiration,
            { days: 90 },
        );
        // Captured into the code as the configuration's plain data (the deployed-handler tests show it at work).
        assert.strictEqual(functionConfigOf(byName(custom, "login-alerts-function")).timeZone, "Asia/Tokyo");
        assert.strictEqual(byName(custom, "login-alerts-console-signin-filter").inputs["pattern"], '{ ($.eventName = "ConsoleLogin") }');
    });
});

describe("the EventBridge fast path", function () {
    let run: OfflineRun;

    before(async function () {
        run = await defaultProgram();
    });

    const ENVELOPE = { source: [{ prefix: "aws." }], "detail-type": CLOUDTRAIL_DETAIL_TYPES };
    const detailOf = (id: BuiltInRuleId) => {
        const route = routeOf(BUILT_IN_RULES[id]);
        assert.ok("detail" in route, `${id} takes no fast path`);
        return route.detail;
    };
    // Two EventBridge rules a region: the five sign-in rules and trail-tampering fit 2,048 characters; the other two tampering rules the second.
    const PATTERNS = [
        {
            ...ENVELOPE,
            detail: {
                $or: (
                    [
                        "console-signin",
                        "signin-without-mfa",
                        "root-activity",
                        "signin-failures",
                        "sso-signin-without-mfa",
                        "trail-tampering",
                    ] as const
                ).map(detailOf),
            },
        },
        { ...ENVELOPE, detail: { $or: (["function-tampering", "delivery-tampering"] as const).map(detailOf) } },
    ];

    function fastPathOf(r: OfflineRun) {
        const component = byName(r, "login-alerts-fast-path");
        assert.strictEqual(component.type, "console-login-alerts:index:FastPath");
        assert.strictEqual(component.parent, byName(r, "login-alerts").urn);
        return component;
    }

    it("derives its regional patterns from the stack's rules, packed into as few as EventBridge's limits allow", function () {
        assert.deepStrictEqual(fastPathPatterns(BUILT_IN_RULE_IDS.map((id) => BUILT_IN_RULES[id])).patterns, PATTERNS);
        assert.deepStrictEqual(
            PATTERNS.map((p) => JSON.stringify(p).length),
            [1747, 1931],
        );
        assert.deepStrictEqual(run.outputs["fastPathBackstopOnly"], {});
    });

    it("gives every region the mock account enables a rule on its default bus and a target forwarding to the central bus, each naming its region", function () {
        const component = fastPathOf(run);
        const bus = byName(run, "login-alerts-fast-path-bus");
        const busArn = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/login-alerts-dev-sign-ins`;
        assert.strictEqual(bus.state["arn"], busArn);
        const role = byName(run, "login-alerts-fast-path-role");
        assert.strictEqual(MOCK_ENABLED_REGIONS.length, 17);
        for (const region of MOCK_ENABLED_REGIONS) {
            PATTERNS.forEach((pattern, index) => {
                const ending = index === 0 ? "" : `-${index + 1}`;
                const rule = byName(run, `login-alerts-fast-path-${region}-rule${ending}`);
                assert.strictEqual(rule.parent, component.urn);
                assert.deepStrictEqual(rule.inputs, {
                    region,
                    description: `Console sign-ins and the stack's other rules' events recorded in ${region}, forwarded to the stack's region.`,
                    eventPattern: JSON.stringify(pattern),
                });
                // On the region's default bus.
                assert.match(
                    String(rule.state["arn"]),
                    new RegExp(`^arn:aws:events:${region}:${ACCOUNT}:rule/login-alerts-fast-path-${region}-rule${ending}-`),
                );
                const target = byName(run, `login-alerts-fast-path-${region}-target${ending}`);
                assert.strictEqual(target.parent, component.urn);
                assert.deepStrictEqual(target.inputs, { region, rule: rule.state["name"], arn: busArn, roleArn: role.state["arn"] });
                assert.ok(
                    target.dependencies.includes(byName(run, "login-alerts-fast-path-policy").urn),
                    "the target waits for the role's policy",
                );
            });
        }
        const regional = run.resources.filter((r) => /-fast-path-[a-z]{2}-/.test(r.name));
        assert.strictEqual(regional.length, 2 * PATTERNS.length * MOCK_ENABLED_REGIONS.length);
    });

    it("registers no provider: every resource is served by the default provider, so the stack's aws:profile, aws:assumeRoles, aws:allowedAccountIds and aws:defaultTags reach all of them", function () {
        assert.deepStrictEqual(
            run.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.name),
            [],
        );
        assert.deepStrictEqual(
            run.resources.filter((r) => r.provider !== undefined).map((r) => `${r.name} → ${r.provider}`),
            [],
        );
    });

    it("invokes the notifier's function from the central bus's rule, with a permission for that rule only", function () {
        const component = fastPathOf(run);
        const fn = byName(run, "login-alerts-function");
        const rule = byName(run, "login-alerts-fast-path-rule");
        assert.deepStrictEqual(rule.inputs, {
            description: "Console sign-ins forwarded from every region.",
            eventBusName: "login-alerts-dev-sign-ins",
            eventPattern: JSON.stringify(CENTRAL_PATTERN),
        });
        const permission = byName(run, "login-alerts-fast-path-invoke");
        assert.strictEqual(permission.parent, component.urn);
        assert.deepStrictEqual(permission.inputs, {
            action: "lambda:InvokeFunction",
            function: fn.state["name"],
            principal: "events.amazonaws.com",
            sourceArn: rule.state["arn"],
        });
        const target = byName(run, "login-alerts-fast-path-target");
        assert.deepStrictEqual(target.inputs, {
            rule: rule.state["name"],
            eventBusName: "login-alerts-dev-sign-ins",
            arn: fn.state["arn"],
        });
        assert.ok(target.dependencies.includes(permission.urn), "the target waits for the permission");
        assert.strictEqual(ofType(run, "aws:cloudwatch/eventBus:EventBus").length, 1);
    });

    it("forwards with one role EventBridge assumes for this account only, allowed to put events on the central bus alone", function () {
        const role = byName(run, "login-alerts-fast-path-role");
        assert.deepStrictEqual(policyDoc(role, "assumeRolePolicy").Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
            },
        ]);
        const policy = byName(run, "login-alerts-fast-path-policy");
        assert.strictEqual(policy.inputs["role"], role.id);
        assert.deepStrictEqual(policyDoc(policy).Statement, [
            { Effect: "Allow", Action: "events:PutEvents", Resource: byName(run, "login-alerts-fast-path-bus").state["arn"] },
        ]);
    });

    it("creates none of it when fastPath is false", async function () {
        const off = await runWith({ fastPath: "false" });
        assert.deepStrictEqual(
            off.resources.filter((r) => r.name.includes("fast-path")).map((r) => r.name),
            [],
        );
        assert.strictEqual(off.outputs["fastPathBusArn"], undefined);
        assert.ok(off.resources.some((r) => r.name === "login-alerts-function"));
    });

    it("takes a custom rule onto the fast path with the pattern derived from its own", async function () {
        const breakGlass = { id: "break-glass", pattern: '{ $.userIdentity.userName = "break-glass" }', severity: "critical" };
        const custom = await runWith({ customRules: JSON.stringify([breakGlass]), fastPathRegions: '["us-east-1"]' });
        const patterns = ofType(custom, "aws:cloudwatch/eventRule:EventRule")
            .filter((r) => r.inputs["region"] === "us-east-1")
            .map((r) => JSON.parse(String(r.inputs["eventPattern"])) as { detail: { $or: unknown[] } });
        assert.ok(
            patterns.some((p) =>
                p.detail.$or.some((d) => JSON.stringify(d) === JSON.stringify({ userIdentity: { userName: ["break-glass"] } })),
            ),
            JSON.stringify(patterns),
        );
        assert.deepStrictEqual(custom.outputs["fastPathBackstopOnly"], {});
    });

    it("leaves a custom rule with no EventBridge form to the backstop, and says why in the stack's outputs", async function () {
        const agent = { id: "odd-agent", pattern: "{ $.userAgent = %curl% }", severity: "high" };
        const custom = await runWith({ customRules: JSON.stringify([agent]), fastPathRegions: '["us-east-1"]' });
        assert.deepStrictEqual(custom.outputs["fastPathBackstopOnly"], {
            "odd-agent": "backstop only, because `%…%` regular expressions have no EventBridge equivalent (`$.userAgent = %curl%`)",
        });
        assert.strictEqual(
            ofType(custom, "aws:cloudwatch/eventRule:EventRule").filter((r) => String(r.inputs["eventPattern"]).includes("curl")).length,
            0,
        );
    });

    it("covers only the regions fastPathRegions names", async function () {
        const two = await runWith({ fastPathRegions: '["us-east-1","ap-southeast-7"]' });
        assert.deepStrictEqual(
            two.resources
                .filter((r) => r.name.includes("fast-path-") && r.custom)
                .map((r) => [r.name, r.inputs["region"]])
                .sort(),
            [
                ["login-alerts-fast-path-bus", undefined],
                ["login-alerts-fast-path-rule", undefined],
                ["login-alerts-fast-path-invoke", undefined],
                ["login-alerts-fast-path-target", undefined],
                ["login-alerts-fast-path-role", undefined],
                ["login-alerts-fast-path-policy", undefined],
                ...["us-east-1", "ap-southeast-7"].flatMap((region) =>
                    ["rule", "rule-2", "target", "target-2"].map((child) => [`login-alerts-fast-path-${region}-${child}`, region]),
                ),
            ].sort(),
        );
        assert.deepStrictEqual(two.outputs["fastPathRegions"], ["us-east-1", "ap-southeast-7"]);
    });
});
