import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lambdaHandlerFactory } from "./handler/entry";
import type { RuleSpec, Severity } from "./handler/types";
import type { RuleDefinition } from "./rules";

export interface LoginAlertsArgs {
    /** The Slack incoming webhook URL. Stored only in an SSM SecureString parameter; pass a secret. */
    slackWebhookUrl: pulumi.Input<string>;
    /** Alert rules; each gets its own metric filter and alarm. */
    rules: RuleDefinition[];
    /** IANA time zone for event times in Slack. Defaults to UTC. */
    timeZone?: string;
    /** Retention of the trail's CloudWatch Logs log group. Defaults to 365. */
    trailLogRetentionDays?: number;
    /** Retention of the function's own log group. Defaults to 365. */
    functionLogRetentionDays?: number;
    /** Days before trail log files in S3 expire. Defaults to 365. */
    trailBucketExpirationDays?: number;
    /** Let `pulumi destroy` delete a bucket that still holds log files. Defaults to false. */
    forceDestroyTrailBucket?: boolean;
    /** Slack mention per severity, e.g. `{ critical: "<!here>" }`. Defaults to none. */
    mentions?: Partial<Record<Severity, string>>;
    /** Names shown beside account ids. Defaults to none. */
    accountLabels?: Record<string, string>;
    /** Post a note when an alarm returns to OK. Defaults to false. */
    notifyOnOk?: boolean;
    /** How far back each lookup re-reads to catch late CloudTrail deliveries. Defaults to 60. */
    lagAllowanceMinutes?: number;
    /** Minutes between scheduled sweeps. Defaults to 5. */
    sweepIntervalMinutes?: number;
}

/** The alarm and metric filter of one rule. */
export interface RuleResources {
    filter: aws.cloudwatch.LogMetricFilter;
    alarm: aws.cloudwatch.MetricAlarm;
}

const FUNCTION_TIMEOUT_SECONDS = 300;

// EventBridge rejects "rate(1 minutes)": the unit must be singular for 1.
function sweepSchedule(minutes: number): string {
    return minutes === 1 ? "rate(1 minute)" : `rate(${minutes} minutes)`;
}

function assumeRolePolicy(service: string, conditions?: Record<string, Record<string, pulumi.Input<string>>>) {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...(conditions ? { Condition: conditions } : {}) }],
    });
}

/**
 * CloudTrail → CloudWatch Logs → one metric filter and alarm per rule → SNS → a Lambda function
 * that looks up who signed in and tells Slack.
 */
export class LoginAlerts extends pulumi.ComponentResource {
    readonly trail: aws.cloudtrail.Trail;
    readonly trailBucket: aws.s3.Bucket;
    readonly trailLogGroup: aws.cloudwatch.LogGroup;
    readonly webhookParameter: aws.ssm.Parameter;
    readonly alarmTopic: aws.sns.Topic;
    readonly function: aws.lambda.CallbackFunction<unknown, unknown>;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly stateTable: aws.dynamodb.Table;
    readonly rules: Record<string, RuleResources>;

    constructor(name: string, args: LoginAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("console-login-alerts:index:LoginAlerts", name, {}, opts);
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const region = aws.getRegionOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const account = identity.accountId;
        // Physical names that must be known before creation (the trail ARN is needed by the
        // bucket policy the trail itself depends on) carry the stack, so stacks never collide.
        const physical = `${name}-${pulumi.getStack()}`;
        const trailName = physical;
        const trailArn = pulumi.interpolate`arn:${partition.partition}:cloudtrail:${region.region}:${account}:trail/${trailName}`;

        // --- Trail storage ------------------------------------------------------------------
        this.trailBucket = new aws.s3.Bucket(`${name}-trail-bucket`, { forceDestroy: args.forceDestroyTrailBucket ?? false }, parent);
        const bucket = this.trailBucket;
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-trail-bucket-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            parent,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-trail-bucket-encryption`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
            parent,
        );
        new aws.s3.BucketOwnershipControls(`${name}-trail-bucket-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-trail-bucket-lifecycle`,
            {
                bucket: bucket.id,
                rules: [{ id: "expire-trail-logs", status: "Enabled", filter: {}, expiration: { days: args.trailBucketExpirationDays ?? 365 } }],
            },
            parent,
        );
        const bucketPolicy = new aws.s3.BucketPolicy(
            `${name}-trail-bucket-policy`,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "CloudTrailAclCheck",
                            Effect: "Allow",
                            Principal: { Service: "cloudtrail.amazonaws.com" },
                            Action: "s3:GetBucketAcl",
                            Resource: bucket.arn,
                            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                        },
                        {
                            Sid: "CloudTrailWrite",
                            Effect: "Allow",
                            Principal: { Service: "cloudtrail.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: pulumi.interpolate`${bucket.arn}/AWSLogs/${account}/*`,
                            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
                        },
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ],
                }),
            },
            // A policy applied before the public-access block could briefly be evaluated without it.
            { parent: this, dependsOn: [publicAccess] },
        );

        // --- Trail → CloudWatch Logs ---------------------------------------------------------
        this.trailLogGroup = new aws.cloudwatch.LogGroup(`${name}-trail-logs`, { retentionInDays: args.trailLogRetentionDays ?? 365 }, parent);
        const trailLogGroup = this.trailLogGroup;
        const trailLogsRole = new aws.iam.Role(
            `${name}-trail-logs-role`,
            { assumeRolePolicy: assumeRolePolicy("cloudtrail.amazonaws.com", { StringEquals: { "aws:SourceArn": trailArn } }) },
            parent,
        );
        const trailLogsPolicy = new aws.iam.RolePolicy(
            `${name}-trail-logs-policy`,
            {
                role: trailLogsRole.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: pulumi.interpolate`${trailLogGroup.arn}:log-stream:*`,
                        },
                    ],
                }),
            },
            parent,
        );
        this.trail = new aws.cloudtrail.Trail(
            `${name}-trail`,
            {
                name: trailName,
                s3BucketName: bucket.id,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                cloudWatchLogsGroupArn: pulumi.interpolate`${trailLogGroup.arn}:*`,
                cloudWatchLogsRoleArn: trailLogsRole.arn,
            },
            // CloudTrail checks bucket access and the role when the trail is created.
            { parent: this, dependsOn: [bucketPolicy, trailLogsPolicy] },
        );

        // --- Webhook, state and failure handling ---------------------------------------------
        this.webhookParameter = new aws.ssm.Parameter(
            `${name}-webhook`,
            {
                name: `/console-login-alerts/${physical}/slack-webhook-url`,
                type: "SecureString",
                value: pulumi.secret(args.slackWebhookUrl),
                description: "Slack incoming webhook for console sign-in alerts.",
            },
            parent,
        );
        this.stateTable = new aws.dynamodb.Table(
            `${name}-state`,
            {
                billingMode: "PAY_PER_REQUEST",
                hashKey: "pk",
                attributes: [{ name: "pk", type: "S" }],
                ttl: { attributeName: "expiresAt", enabled: true },
                pointInTimeRecovery: { enabled: true },
                serverSideEncryption: { enabled: true },
            },
            parent,
        );
        this.deadLetterQueue = new aws.sqs.Queue(
            `${name}-dead-letters`,
            { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true },
            parent,
        );
        this.alarmTopic = new aws.sns.Topic(`${name}-alarms`, {}, parent);
        const topic = this.alarmTopic;

        // --- One metric filter and alarm per rule --------------------------------------------
        const namespace = "ConsoleLoginAlerts";
        this.rules = {};
        for (const rule of args.rules) {
            const metricName = `${physical}-${rule.id}`;
            const filter = new aws.cloudwatch.LogMetricFilter(
                `${name}-${rule.id}-filter`,
                {
                    logGroupName: trailLogGroup.name,
                    pattern: rule.pattern,
                    metricTransformation: { name: metricName, namespace, value: "1", unit: "Count" },
                },
                parent,
            );
            const alarm = new aws.cloudwatch.MetricAlarm(
                `${name}-${rule.id}-alarm`,
                {
                    alarmDescription: `${rule.title}: events matching the ${rule.id} rule of console-login-alerts (${physical}).`,
                    namespace,
                    metricName,
                    statistic: "Sum",
                    period: rule.periodSeconds,
                    evaluationPeriods: 1,
                    threshold: rule.threshold,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    // Missing data is "no sign-in", so the alarm returns to OK and the next sign-in fires again.
                    treatMissingData: "notBreaching",
                    alarmActions: [topic.arn],
                    okActions: [topic.arn],
                },
                { parent: this, dependsOn: [filter] },
            );
            this.rules[rule.id] = { filter, alarm };
        }
        const alarmArns = Object.values(this.rules).map((r) => r.alarm.arn);

        new aws.sns.TopicPolicy(
            `${name}-alarms-policy`,
            {
                arn: topic.arn,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "CloudWatchAlarmsPublish",
                            Effect: "Allow",
                            Principal: { Service: "cloudwatch.amazonaws.com" },
                            Action: "sns:Publish",
                            Resource: topic.arn,
                            Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": alarmArns } },
                        },
                    ],
                }),
            },
            parent,
        );

        // --- The function -----------------------------------------------------------------------
        const functionLogGroup = new aws.cloudwatch.LogGroup(`${name}-function-logs`, { retentionInDays: args.functionLogRetentionDays ?? 365 }, parent);
        const functionRole = new aws.iam.Role(`${name}-function-role`, { assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com") }, parent);
        const functionPolicy = new aws.iam.RolePolicy(
            `${name}-function-policy`,
            {
                role: functionRole.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "ReadWebhook", Effect: "Allow", Action: "ssm:GetParameter", Resource: this.webhookParameter.arn },
                        { Sid: "LookUpSignIns", Effect: "Allow", Action: "logs:FilterLogEvents", Resource: pulumi.interpolate`${trailLogGroup.arn}:*` },
                        {
                            Sid: "WriteOwnLogs",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: pulumi.interpolate`${functionLogGroup.arn}:log-stream:*`,
                        },
                        {
                            Sid: "TrackPostedEvents",
                            Effect: "Allow",
                            Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"],
                            Resource: this.stateTable.arn,
                        },
                        { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: this.deadLetterQueue.arn },
                    ],
                }),
            },
            parent,
        );

        const ruleSpecs: pulumi.Output<RuleSpec[]> = pulumi.all(
            args.rules.map((rule) =>
                this.rules[rule.id]!.alarm.name.apply((alarmName) => ({ id: rule.id, title: rule.title, pattern: rule.pattern, severity: rule.severity, alarmName })),
            ),
        );
        this.function = new aws.lambda.CallbackFunction(
            `${name}-function`,
            {
                description: "Posts AWS console sign-ins to Slack.",
                // The factory runs once per cold start and captures nothing from this program.
                callbackFactory: lambdaHandlerFactory,
                role: functionRole,
                runtime: aws.lambda.Runtime.NodeJS22dX,
                memorySize: 256,
                timeout: FUNCTION_TIMEOUT_SECONDS,
                loggingConfig: { logFormat: "Text", logGroup: functionLogGroup.name },
                environment: {
                    variables: {
                        WEBHOOK_PARAMETER_NAME: this.webhookParameter.name,
                        TRAIL_LOG_GROUP_NAME: trailLogGroup.name,
                        STATE_TABLE_NAME: this.stateTable.name,
                        ALERT_RULES: ruleSpecs.apply((specs) => JSON.stringify(specs)),
                        TIME_ZONE: args.timeZone ?? "UTC",
                        ACCOUNT_LABELS: JSON.stringify(args.accountLabels ?? {}),
                        MENTIONS: JSON.stringify(args.mentions ?? {}),
                        NOTIFY_ON_OK: String(args.notifyOnOk ?? false),
                        LAG_ALLOWANCE_MINUTES: String(args.lagAllowanceMinutes ?? 60),
                        NODE_OPTIONS: "--enable-source-maps",
                    },
                },
            },
            { parent: this, dependsOn: [functionPolicy] },
        );
        const fn = this.function;
        new aws.lambda.FunctionEventInvokeConfig(
            `${name}-function-retries`,
            {
                functionName: fn.name,
                maximumRetryAttempts: 2,
                maximumEventAgeInSeconds: 6 * 3600,
                destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
            },
            parent,
        );

        const invokeFromTopic = new aws.lambda.Permission(
            `${name}-alarms-invoke`,
            { action: "lambda:InvokeFunction", function: fn.name, principal: "sns.amazonaws.com", sourceArn: topic.arn },
            parent,
        );
        new aws.sns.TopicSubscription(
            `${name}-alarms-subscription`,
            { topic: topic.arn, protocol: "lambda", endpoint: fn.arn },
            { parent: this, dependsOn: [invokeFromTopic] },
        );

        // The sweep reports sign-ins made while an alarm was already in ALARM and late deliveries.
        const sweepRule = new aws.cloudwatch.EventRule(
            `${name}-sweep`,
            { description: "Scheduled sweep for console sign-ins not yet posted.", scheduleExpression: sweepSchedule(args.sweepIntervalMinutes ?? 5) },
            parent,
        );
        const invokeFromSchedule = new aws.lambda.Permission(
            `${name}-sweep-invoke`,
            { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: sweepRule.arn },
            parent,
        );
        new aws.cloudwatch.EventTarget(`${name}-sweep-target`, { rule: sweepRule.name, arn: fn.arn }, { parent: this, dependsOn: [invokeFromSchedule] });

        this.registerOutputs({
            trail: this.trail,
            trailBucket: this.trailBucket,
            trailLogGroup: this.trailLogGroup,
            webhookParameter: this.webhookParameter,
            alarmTopic: this.alarmTopic,
            function: this.function,
            deadLetterQueue: this.deadLetterQueue,
            stateTable: this.stateTable,
        });
    }
}
