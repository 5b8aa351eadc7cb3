/**
 * The pack as an organization-wide guardrail: it runs on every team's stacks, whatever program
 * made them. Each stack here is built the way other teams build theirs, correctly, and must get no
 * diagnostic at all from the whole pack over gRPC, in a first preview and in an update.
 */
import { strict as assert } from "assert";
import { ACCOUNT, REGION, asFirstPreview, policyDocument, resource, type EngineResource } from "./support/policyHarness";
import { startPolicyPack, type PolicyPackProcess } from "./support/policyPackProcess";

const arn = (service: string, rest: string, region = REGION) => `arn:aws:${service}:${region}:${ACCOUNT}:${rest}`;
const assumedBy = (service: string, condition?: Record<string, unknown>) =>
    policyDocument({
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(condition ? { Condition: condition } : {}),
    });

function role(name: string, trust: string, extra: Record<string, unknown> = {}): EngineResource {
    return resource({
        type: "aws:iam/role:Role",
        name,
        inputs: { assumeRolePolicy: trust, ...extra },
        outputs: { name: `${name}-1a2b3c4`, arn: `arn:aws:iam::${ACCOUNT}:role/${name}-1a2b3c4` },
    });
}

function rolePolicy(
    name: string,
    of: EngineResource,
    statements: Array<Record<string, unknown>>,
    dependsOn: EngineResource[] = [],
): EngineResource {
    return resource({
        type: "aws:iam/rolePolicy:RolePolicy",
        name,
        inputs: { role: String(of.outputs["name"]), policy: policyDocument(...statements) },
        dependsOn: { role: [of], ...(dependsOn.length > 0 ? { policy: dependsOn } : {}) },
    });
}

function logGroup(name: string, retentionInDays: number): EngineResource {
    return resource({
        type: "aws:cloudwatch/logGroup:LogGroup",
        name,
        inputs: { retentionInDays },
        outputs: { name, arn: arn("logs", `log-group:${name}`) },
    });
}

function staticSite(): EngineResource[] {
    const bucket = resource({
        type: "aws:s3/bucketV2:BucketV2",
        name: "site",
        inputs: { bucket: "team-a-site" },
        outputs: { arn: "arn:aws:s3:::team-a-site" },
    });
    const website = resource({
        type: "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
        name: "site-website",
        inputs: { bucket: "team-a-site", indexDocument: { suffix: "index.html" } },
        dependsOn: { bucket: [bucket] },
    });
    const publicRead = resource({
        type: "aws:s3/bucketPolicy:BucketPolicy",
        name: "site-policy",
        inputs: {
            bucket: "team-a-site",
            policy: policyDocument({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::team-a-site/*" }),
        },
        dependsOn: { bucket: [bucket], policy: [bucket] },
    });
    return [bucket, website, publicRead];
}

function lambdaApi(): EngineResource[] {
    const logs = logGroup("/aws/lambda/orders-api", 14);
    const table = resource({ type: "aws:dynamodb/table:Table", name: "orders", outputs: { arn: arn("dynamodb", "table/orders") } });
    const fnRole = role("orders-api-role", assumedBy("lambda.amazonaws.com"));
    const policy = rolePolicy(
        "orders-api-policy",
        fnRole,
        [
            {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${String(logs.outputs["arn"])}:log-stream:*`,
            },
            { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"], Resource: String(table.outputs["arn"]) },
            { Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData"], Resource: "*" },
        ],
        [logs, table],
    );
    const fn = resource({
        type: "aws:lambda/function:Function",
        name: "orders-api",
        inputs: { runtime: "nodejs22.x", handler: "index.handler", role: String(fnRole.outputs["arn"]) },
        outputs: { name: "orders-api", arn: arn("lambda", "function:orders-api") },
        dependsOn: { role: [fnRole] },
    });
    const api = resource({
        type: "aws:apigatewayv2/api:Api",
        name: "orders",
        inputs: { protocolType: "HTTP" },
        outputs: { executionArn: arn("execute-api", "abc123") },
    });
    const invoke = resource({
        type: "aws:lambda/permission:Permission",
        name: "orders-api-invoke",
        inputs: {
            action: "lambda:InvokeFunction",
            function: "orders-api",
            principal: "apigateway.amazonaws.com",
            sourceArn: arn("execute-api", "abc123/*/*"),
        },
        dependsOn: { function: [fn], sourceArn: [api] },
    });
    return [logs, table, fnRole, policy, fn, api, invoke];
}

function ecsService(): EngineResource[] {
    const repo = resource({ type: "aws:ecr/repository:Repository", name: "web", outputs: { arn: arn("ecr", "repository/web") } });
    const logs = logGroup("/ecs/web", 30);
    const execRole = role("web-task-execution", assumedBy("ecs-tasks.amazonaws.com", { StringEquals: { "aws:SourceAccount": ACCOUNT } }));
    const pull = rolePolicy(
        "web-task-execution-policy",
        execRole,
        [
            { Sid: "Registry", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            {
                Sid: "Image",
                Effect: "Allow",
                Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                Resource: String(repo.outputs["arn"]),
            },
            {
                Sid: "Logs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${String(logs.outputs["arn"])}:*`,
            },
        ],
        [repo, logs],
    );
    return [repo, logs, execRole, pull];
}

function vpcWithFlowLogs(): EngineResource[] {
    const vpc = resource({ type: "aws:ec2/vpc:Vpc", name: "main", inputs: { cidrBlock: "10.0.0.0/16" }, outputs: { id: "vpc-0abc" } });
    const logs = logGroup("vpc-flow-logs", 90);
    const flowRole = role("vpc-flow-logs-role", assumedBy("vpc-flow-logs.amazonaws.com"));
    const policy = rolePolicy(
        "vpc-flow-logs-policy",
        flowRole,
        [
            {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: `${String(logs.outputs["arn"])}:*`,
            },
            { Effect: "Allow", Action: ["ec2:Describe*", "ec2:DescribeSubnets", "logs:DescribeLogGroups"], Resource: "*" },
        ],
        [logs],
    );
    const flowLog = resource({
        type: "aws:ec2/flowLog:FlowLog",
        name: "main-flow-log",
        inputs: {
            vpcId: "vpc-0abc",
            trafficType: "ALL",
            logDestination: String(logs.outputs["arn"]),
            iamRoleArn: String(flowRole.outputs["arn"]),
        },
        dependsOn: { vpcId: [vpc], logDestination: [logs], iamRoleArn: [flowRole] },
    });
    return [vpc, logs, flowRole, policy, flowLog];
}

function securityDataEventsTrail(): EngineResource[] {
    const trail = resource({
        type: "aws:cloudtrail/trail:Trail",
        name: "s3-data-events",
        inputs: {
            name: "security-s3-data-events",
            s3BucketName: "security-trail-archive",
            advancedEventSelectors: [
                {
                    name: "Object-level events on the records bucket",
                    fieldSelectors: [
                        { field: "eventCategory", equals: ["Data"] },
                        { field: "resources.type", equals: ["AWS::S3::Object"] },
                        { field: "resources.ARN", startsWith: ["arn:aws:s3:::customer-records/"] },
                    ],
                },
            ],
        },
        outputs: { arn: arn("cloudtrail", "trail/security-s3-data-events") },
    });
    return [trail];
}

function orgTrailToSiem(): EngineResource[] {
    const outsideGroup = arn("logs", "log-group:org-trail");
    const trailArn = arn("cloudtrail", "trail/org-trail");
    const deliveryRole = role("org-trail-delivery", assumedBy("cloudtrail.amazonaws.com", { StringEquals: { "aws:SourceArn": trailArn } }));
    const write = rolePolicy("org-trail-delivery-policy", deliveryRole, [
        { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${outsideGroup}:log-stream:*` },
    ]);
    const trail = resource({
        type: "aws:cloudtrail/trail:Trail",
        name: "org-trail",
        inputs: {
            name: "org-trail",
            s3BucketName: "org-trail-archive",
            isOrganizationTrail: true,
            isMultiRegionTrail: true,
            cloudWatchLogsGroupArn: `${outsideGroup}:*`,
            cloudWatchLogsRoleArn: String(deliveryRole.outputs["arn"]),
        },
        outputs: { arn: trailArn },
        dependsOn: { cloudWatchLogsRoleArn: [deliveryRole] },
    });
    const toSiem = resource({
        type: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
        name: "org-trail-to-siem",
        inputs: { logGroup: "org-trail", filterPattern: "", destinationArn: arn("firehose", "deliverystream/siem") },
    });
    return [deliveryRole, write, trail, toSiem];
}

function compositeAlarm(): EngineResource[] {
    const topic = resource({ type: "aws:sns/topic:Topic", name: "oncall", outputs: { arn: arn("sns", "oncall") } });
    const child = (name: string, metricName: string) =>
        resource({
            type: "aws:cloudwatch/metricAlarm:MetricAlarm",
            name,
            inputs: {
                name,
                namespace: "AWS/ApiGateway",
                metricName,
                comparisonOperator: "GreaterThanThreshold",
                evaluationPeriods: 3,
                threshold: 5,
            },
            outputs: { arn: arn("cloudwatch", `alarm:${name}`) },
        });
    const errors = child("api-5xx", "5XXError");
    const latency = child("api-latency", "Latency");
    const composite = resource({
        type: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
        name: "api-degraded",
        inputs: { alarmName: "api-degraded", alarmRule: 'ALARM("api-5xx") AND ALARM("api-latency")', alarmActions: [arn("sns", "oncall")] },
        dependsOn: { alarmRule: [errors, latency], alarmActions: [topic] },
    });
    return [topic, errors, latency, composite];
}

function snsSqsFanOut(): EngineResource[] {
    const topicArn = arn("sns", "orders-events");
    const queueArn = arn("sqs", "billing-orders");
    const topic = resource({ type: "aws:sns/topic:Topic", name: "orders-events", outputs: { arn: topicArn } });
    const queue = resource({
        type: "aws:sqs/queue:Queue",
        name: "billing-orders",
        outputs: { arn: queueArn, url: "https://sqs/billing-orders" },
    });
    const queuePolicy = resource({
        type: "aws:sqs/queuePolicy:QueuePolicy",
        name: "billing-orders-policy",
        inputs: {
            queueUrl: "https://sqs/billing-orders",
            policy: policyDocument({
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
            }),
        },
        dependsOn: { queueUrl: [queue], policy: [queue, topic] },
    });
    const subscription = resource({
        type: "aws:sns/topicSubscription:TopicSubscription",
        name: "billing-orders-subscription",
        inputs: { topic: topicArn, protocol: "sqs", endpoint: queueArn, rawMessageDelivery: true },
        dependsOn: { topic: [topic], endpoint: [queue] },
    });
    return [topic, queue, queuePolicy, subscription];
}

function stepFunctions(): EngineResource[] {
    const logs = logGroup("/aws/vendedlogs/states/invoice-flow", 60);
    const worker = arn("lambda", "function:invoice-worker");
    const sfnRole = role("invoice-flow-role", assumedBy("states.amazonaws.com"));
    const policy = rolePolicy("invoice-flow-policy", sfnRole, [
        { Sid: "Invoke", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: [worker, `${worker}:*`] },
        {
            Sid: "Logs",
            Effect: "Allow",
            Action: [
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
                "logs:DescribeLogGroups",
            ],
            Resource: "*",
        },
    ]);
    const machine = resource({
        type: "aws:sfn/stateMachine:StateMachine",
        name: "invoice-flow",
        inputs: {
            roleArn: String(sfnRole.outputs["arn"]),
            definition: '{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}',
        },
        dependsOn: { roleArn: [sfnRole] },
    });
    return [logs, sfnRole, policy, machine];
}

function rdsEnhancedMonitoring(): EngineResource[] {
    const monitoring = role("rds-monitoring", assumedBy("monitoring.rds.amazonaws.com"));
    const attachment = resource({
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "rds-monitoring-policy",
        inputs: {
            role: String(monitoring.outputs["name"]),
            policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        },
        dependsOn: { role: [monitoring] },
    });
    const db = resource({
        type: "aws:rds/instance:Instance",
        name: "ledger",
        inputs: {
            engine: "postgres",
            instanceClass: "db.t4g.medium",
            monitoringInterval: 30,
            monitoringRoleArn: String(monitoring.outputs["arn"]),
        },
        dependsOn: { monitoringRoleArn: [monitoring] },
    });
    return [monitoring, attachment, db];
}

function encryptedAlarmTopic(): EngineResource[] {
    const keyArn = arn("kms", "key/5e6f7a8b-0000-4000-8000-123456789abc");
    const key = resource({
        type: "aws:kms/key:Key",
        name: "alerts-key",
        inputs: {
            policy: policyDocument(
                { Sid: "Account", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
                {
                    Sid: "CloudWatch",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                },
            ),
        },
        outputs: { arn: keyArn, keyId: "5e6f7a8b-0000-4000-8000-123456789abc" },
    });
    const topic = resource({
        type: "aws:sns/topic:Topic",
        name: "payments-alerts",
        inputs: { kmsMasterKeyId: keyArn },
        outputs: { arn: arn("sns", "payments-alerts") },
        dependsOn: { kmsMasterKeyId: [key] },
    });
    const alarm = resource({
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name: "payments-errors",
        inputs: {
            namespace: "AWS/Lambda",
            metricName: "Errors",
            threshold: 1,
            evaluationPeriods: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            alarmActions: [arn("sns", "payments-alerts")],
        },
        dependsOn: { alarmActions: [topic] },
    });
    const email = resource({
        type: "aws:sns/topicSubscription:TopicSubscription",
        name: "payments-oncall",
        inputs: { topic: arn("sns", "payments-alerts"), protocol: "email", endpoint: "payments-oncall@example.com" },
        dependsOn: { topic: [topic] },
    });
    return [key, topic, alarm, email];
}

const STACKS: Array<[string, () => EngineResource[]]> = [
    ["an S3 static site with a public-read bucket policy", staticSite],
    ["Lambda behind API Gateway with 14-day logs, X-Ray and PutMetricData on *", lambdaApi],
    ["an ECS task execution role with ecr:GetAuthorizationToken on *", ecsService],
    ["a VPC whose flow-log role may ec2:Describe* on *", vpcWithFlowLogs],
    ["a security team's single-region trail recording only S3 data events", securityDataEventsTrail],
    ["an organization trail feeding a SIEM through a log group outside the stack, with no alarms", orgTrailToSiem],
    ["a composite alarm whose child alarms have no actions", compositeAlarm],
    ["an SNS topic fanning out to an SQS queue", snsSqsFanOut],
    ["a Step Functions state machine with log delivery on *", stepFunctions],
    ["an RDS instance with an enhanced monitoring role from an AWS managed policy", rdsEnhancedMonitoring],
    ["alarms on an SNS topic encrypted with a customer managed key CloudWatch may use", encryptedAlarmTopic],
];

describe("the policy pack over gRPC on other teams' well-built stacks", function () {
    let pack: PolicyPackProcess;

    before(async function () {
        this.timeout(120_000);
        pack = await startPolicyPack();
    });

    after(() => pack?.close());

    for (const [what, build] of STACKS) {
        it(`reports nothing for ${what}, in a first preview and an update`, async function () {
            const stack = build();
            const diagnostics = {
                preview: (await pack.analyzeAll(asFirstPreview(stack))).map((d) => `${d.policy}: ${d.message}`),
                update: (await pack.analyzeAll(stack)).map((d) => `${d.policy}: ${d.message}`),
            };
            assert.deepEqual(diagnostics, { preview: [], update: [] });
        });
    }

    it("reports nothing for all of them deployed as one stack", async function () {
        assert.deepEqual(await pack.analyzeAll(STACKS.flatMap(([, build]) => build())), []);
    });
});
