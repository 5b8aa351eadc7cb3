import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AllowEntry } from "../shared/allowList";
import { encodeAlarmNames, environmentOf, type FunctionConfig } from "../shared/contract";
import { lambdaHandlerFactory } from "../handler";
import type { Severity } from "../shared/contract";
import { childName, METRIC_NAMESPACE, metricName, physicalPrefix, ruleChildName, trailName, webhookParameterName } from "./names";
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
    /**
     * Use an existing trail's CloudWatch Logs log group instead of creating a trail, bucket and log
     * group. Defaults to creating them.
     */
    existingTrailLogGroupName?: string;
    /** Create an organization trail (management account or delegated administrator). Defaults to false. */
    organizationTrail?: boolean;
    /** Email address subscribed to the operators' topic (dead letters, function errors). Defaults to none. */
    operatorEmail?: string;
    /** Encrypt both SNS topics with a customer-managed KMS key CloudWatch may use. Defaults to false. */
    encryptTopics?: boolean;
    /** Encrypt the trail's S3 log files and its log group with a customer-managed KMS key. Defaults to false. */
    encryptTrailLogs?: boolean;
    /** Known principals and networks whose sign-ins are downgraded or not posted. Defaults to none. */
    allowList?: AllowEntry[];
}

/** The account, region and partition the stack deploys to. */
interface AwsEnv {
    account: pulumi.Output<string>;
    region: pulumi.Output<string>;
    partition: pulumi.Output<string>;
}

/** What the rest of the component needs from the trail, whether it created it or not. */
interface TrailLogs {
    logGroupName: pulumi.Output<string>;
    logGroupArn: pulumi.Output<string>;
}

/** The alarm and metric filter of one rule. */
export interface RuleResources {
    filter: aws.cloudwatch.LogMetricFilter;
    alarm: aws.cloudwatch.MetricAlarm;
}

const FUNCTION_TIMEOUT_SECONDS = 300;

/** What the function is told beyond resource names: captured into its code, never its environment. */
export function functionConfig(args: LoginAlertsArgs): FunctionConfig {
    return {
        rules: args.rules.map(({ id, title, pattern, severity }) => ({ id, title, pattern, severity })),
        timeZone: args.timeZone ?? "UTC",
        accountLabels: args.accountLabels ?? {},
        mentions: args.mentions ?? {},
        allowList: args.allowList ?? [],
        notifyOnOk: args.notifyOnOk ?? false,
        lagAllowanceMinutes: args.lagAllowanceMinutes ?? 60,
    };
}

// A function of its own, so the serialized closure captures `config` and the factory, nothing of the component.
function handlerFactoryFor(config: FunctionConfig) {
    return () => lambdaHandlerFactory(config);
}

// EventBridge rejects "rate(1 minutes)": the unit must be singular for 1.
function sweepSchedule(minutes: number): string {
    return minutes === 1 ? "rate(1 minute)" : `rate(${minutes} minutes)`;
}

function assumeRolePolicy(service: string, conditions?: Record<string, Record<string, pulumi.Input<string>>>) {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                ...(conditions ? { Condition: conditions } : {}),
            },
        ],
    });
}

/**
 * CloudTrail → CloudWatch Logs → one metric filter and alarm per rule → SNS → a Lambda function
 * that looks up who signed in and tells Slack.
 */
export class LoginAlerts extends pulumi.ComponentResource {
    /** The trail, its bucket and log group; undefined when an existing trail's log group is used. */
    readonly trail?: aws.cloudtrail.Trail;
    readonly trailBucket?: aws.s3.Bucket;
    readonly trailLogGroup?: aws.cloudwatch.LogGroup;
    readonly trailLogGroupName: pulumi.Output<string>;
    readonly operatorTopic: aws.sns.Topic;
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
        const region = aws.getRegionOutput({}, parent).region;
        const partition = aws.getPartitionOutput({}, parent).partition;
        const account = identity.accountId;
        // Physical names that must be known before creation (the trail ARN is needed by the
        // bucket policy the trail itself depends on) carry the stack, so stacks never collide.
        const physical = physicalPrefix(name, pulumi.getStack());

        let trailLogs: TrailLogs;
        if (args.existingTrailLogGroupName) {
            // Bring your own trail: most accounts already pay for one copy of management events.
            const logGroupName = args.existingTrailLogGroupName;
            trailLogs = {
                logGroupName: pulumi.output(logGroupName),
                logGroupArn: pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:${logGroupName}`,
            };
        } else {
            const created = this.createTrail(name, trailName(physical), args, { account, region, partition });
            this.trail = created.trail;
            this.trailBucket = created.bucket;
            this.trailLogGroup = created.logGroup;
            trailLogs = { logGroupName: created.logGroup.name, logGroupArn: created.logGroup.arn };
        }
        this.trailLogGroupName = trailLogs.logGroupName;

        // --- Webhook, state and failure handling ---------------------------------------------
        this.webhookParameter = new aws.ssm.Parameter(
            childName(name, "webhook"),
            {
                name: webhookParameterName(physical),
                type: "SecureString",
                value: pulumi.secret(args.slackWebhookUrl),
                description: "Slack incoming webhook for console sign-in alerts.",
            },
            parent,
        );
        this.stateTable = new aws.dynamodb.Table(
            childName(name, "state"),
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
            childName(name, "dead-letters"),
            { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true },
            parent,
        );

        // Never alias/aws/sns: CloudWatch cannot use the AWS-managed key, so alarms would be dropped silently.
        const topicKey = args.encryptTopics ? this.createTopicKey(name, { account, region, partition }) : undefined;
        const topicArgs: aws.sns.TopicArgs = topicKey ? { kmsMasterKeyId: topicKey.arn } : {};
        this.alarmTopic = new aws.sns.Topic(childName(name, "alarms"), topicArgs, parent);
        // A second channel, because Slack itself may be what is broken.
        this.operatorTopic = new aws.sns.Topic(childName(name, "operators"), topicArgs, parent);
        if (args.operatorEmail) {
            new aws.sns.TopicSubscription(
                childName(name, "operators-email"),
                { topic: this.operatorTopic.arn, protocol: "email", endpoint: args.operatorEmail },
                parent,
            );
        }
        const topic = this.alarmTopic;

        // --- One metric filter and alarm per rule --------------------------------------------
        this.rules = {};
        for (const rule of args.rules) {
            const metric = metricName(physical, rule.id);
            const filter = new aws.cloudwatch.LogMetricFilter(
                ruleChildName(name, rule.id, "filter"),
                {
                    logGroupName: trailLogs.logGroupName,
                    pattern: rule.pattern,
                    metricTransformation: { name: metric, namespace: METRIC_NAMESPACE, value: "1", unit: "Count" },
                },
                parent,
            );
            const alarm = new aws.cloudwatch.MetricAlarm(
                ruleChildName(name, rule.id, "alarm"),
                {
                    alarmDescription: `${rule.title}: events matching the ${rule.id} rule of console-login-alerts (${physical}).`,
                    namespace: METRIC_NAMESPACE,
                    metricName: metric,
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
        this.allowCloudWatchToPublish(
            childName(name, "alarms-policy"),
            topic,
            account,
            Object.values(this.rules).map((r) => r.alarm.arn),
        );

        // --- The function -----------------------------------------------------------------------
        const functionLogGroup = new aws.cloudwatch.LogGroup(
            childName(name, "function-logs"),
            { retentionInDays: args.functionLogRetentionDays ?? 365 },
            parent,
        );
        const functionRole = new aws.iam.Role(
            childName(name, "function-role"),
            { assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com") },
            parent,
        );
        const functionPolicy = new aws.iam.RolePolicy(
            childName(name, "function-policy"),
            {
                role: functionRole.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "ReadWebhook", Effect: "Allow", Action: "ssm:GetParameter", Resource: this.webhookParameter.arn },
                        {
                            Sid: "LookUpSignIns",
                            Effect: "Allow",
                            Action: "logs:FilterLogEvents",
                            Resource: pulumi.interpolate`${trailLogs.logGroupArn}:*`,
                        },
                        {
                            Sid: "WriteOwnLogs",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: pulumi.interpolate`${functionLogGroup.arn}:log-stream:*`,
                        },
                        {
                            Sid: "TrackPostedEvents",
                            Effect: "Allow",
                            Action: [
                                "dynamodb:GetItem",
                                "dynamodb:PutItem",
                                "dynamodb:DeleteItem",
                                "dynamodb:BatchGetItem",
                                "dynamodb:BatchWriteItem",
                            ],
                            Resource: this.stateTable.arn,
                        },
                        { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: this.deadLetterQueue.arn },
                    ],
                }),
            },
            parent,
        );

        const alarmNames = pulumi
            .all(Object.entries(this.rules).map(([id, r]) => r.alarm.name.apply((alarmName) => [id, alarmName] as const)))
            .apply((pairs) => encodeAlarmNames(Object.fromEntries(pairs)));
        this.function = new aws.lambda.CallbackFunction(
            childName(name, "function"),
            {
                description: "Posts AWS console sign-ins to Slack.",
                // The factory runs once per cold start; it captures the configuration's plain data only.
                callbackFactory: handlerFactoryFor(functionConfig(args)),
                role: functionRole,
                runtime: aws.lambda.Runtime.NodeJS22dX,
                memorySize: 256,
                timeout: FUNCTION_TIMEOUT_SECONDS,
                loggingConfig: { logFormat: "Text", logGroup: functionLogGroup.name },
                environment: {
                    variables: {
                        ...environmentOf<pulumi.Input<string>>({
                            webhookParameterName: this.webhookParameter.name,
                            trailLogGroupName: trailLogs.logGroupName,
                            stateTableName: this.stateTable.name,
                            alarmNames,
                        }),
                        NODE_OPTIONS: "--enable-source-maps",
                    },
                },
            },
            { parent: this, dependsOn: [functionPolicy] },
        );
        const fn = this.function;
        new aws.lambda.FunctionEventInvokeConfig(
            childName(name, "function-retries"),
            {
                functionName: fn.name,
                maximumRetryAttempts: 2,
                maximumEventAgeInSeconds: 6 * 3600,
                destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
            },
            parent,
        );

        const invokeFromTopic = new aws.lambda.Permission(
            childName(name, "alarms-invoke"),
            { action: "lambda:InvokeFunction", function: fn.name, principal: "sns.amazonaws.com", sourceArn: topic.arn },
            parent,
        );
        new aws.sns.TopicSubscription(
            childName(name, "alarms-subscription"),
            { topic: topic.arn, protocol: "lambda", endpoint: fn.arn },
            { parent: this, dependsOn: [invokeFromTopic] },
        );

        // The sweep reports sign-ins made while an alarm was already in ALARM and late deliveries.
        const sweepRule = new aws.cloudwatch.EventRule(
            childName(name, "sweep"),
            {
                description: "Scheduled sweep for console sign-ins not yet posted.",
                scheduleExpression: sweepSchedule(args.sweepIntervalMinutes ?? 5),
            },
            parent,
        );
        const invokeFromSchedule = new aws.lambda.Permission(
            childName(name, "sweep-invoke"),
            { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: sweepRule.arn },
            parent,
        );
        new aws.cloudwatch.EventTarget(
            childName(name, "sweep-target"),
            { rule: sweepRule.name, arn: fn.arn },
            { parent: this, dependsOn: [invokeFromSchedule] },
        );

        // --- Operators: the alerting path's own failures ---------------------------------------
        const deadLettersAlarm = this.operatorAlarm(
            childName(name, "dead-letters-alarm"),
            `Sign-in notifications of console-login-alerts (${physical}) failed and were dead-lettered; see the README's redrive.`,
            {
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: this.deadLetterQueue.name },
                statistic: "Maximum",
            },
        );
        const errorsAlarm = this.operatorAlarm(
            childName(name, "function-errors-alarm"),
            `The console-login-alerts function (${physical}) failed; Slack or AWS may be refusing its calls.`,
            { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: fn.name }, statistic: "Sum" },
        );
        this.allowCloudWatchToPublish(childName(name, "operators-policy"), this.operatorTopic, account, [
            deadLettersAlarm.arn,
            errorsAlarm.arn,
        ]);

        this.registerOutputs({
            trail: this.trail,
            trailBucket: this.trailBucket,
            trailLogGroupName: this.trailLogGroupName,
            webhookParameter: this.webhookParameter,
            alarmTopic: this.alarmTopic,
            operatorTopic: this.operatorTopic,
            function: this.function,
            deadLetterQueue: this.deadLetterQueue,
            stateTable: this.stateTable,
        });
    }

    /** An alarm for operators: any datapoint at or over 1 in 5 minutes notifies the operators' topic. */
    private operatorAlarm(
        resourceName: string,
        alarmDescription: string,
        metric: Pick<aws.cloudwatch.MetricAlarmArgs, "namespace" | "metricName" | "dimensions" | "statistic">,
    ): aws.cloudwatch.MetricAlarm {
        return new aws.cloudwatch.MetricAlarm(
            resourceName,
            {
                alarmDescription,
                ...metric,
                period: 300,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [this.operatorTopic.arn],
            },
            { parent: this },
        );
    }

    /** A topic policy that lets CloudWatch publish, for this account's given alarms only. */
    private allowCloudWatchToPublish(
        name: string,
        topic: aws.sns.Topic,
        account: pulumi.Input<string>,
        alarmArns: pulumi.Input<string>[],
    ): void {
        new aws.sns.TopicPolicy(
            name,
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
            { parent: this },
        );
    }

    /** A customer-managed key both topics use, with a key policy that lets CloudWatch publish through it. */
    private createTopicKey(name: string, env: AwsEnv): aws.kms.Key {
        return this.customerKey(
            childName(name, "topics-key"),
            "Encrypts console-login-alerts SNS topics; CloudWatch alarms may use it.",
            env,
            [
                {
                    Sid: "CloudWatchPublishes",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:SourceAccount": env.account } },
                },
            ],
        );
    }

    /** A rotating key the account administers, plus the service statements given. */
    private customerKey(resourceName: string, description: string, env: AwsEnv, serviceStatements: Record<string, unknown>[]): aws.kms.Key {
        return new aws.kms.Key(
            resourceName,
            {
                description,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        // Key policies refer to their own key as "*".
                        {
                            Sid: "AccountAdministers",
                            Effect: "Allow",
                            Principal: { AWS: pulumi.interpolate`arn:${env.partition}:iam::${env.account}:root` },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        ...serviceStatements,
                    ],
                }),
            },
            { parent: this },
        );
    }

    /** The trail, its hardened bucket, its log group and the role CloudTrail writes to it with. */
    private createTrail(
        name: string,
        trailPhysicalName: string,
        args: LoginAlertsArgs,
        env: AwsEnv,
    ): { trail: aws.cloudtrail.Trail; bucket: aws.s3.Bucket; logGroup: aws.cloudwatch.LogGroup } {
        const parent = { parent: this };
        const { account, region, partition } = env;
        const trailArn = pulumi.interpolate`arn:${partition}:cloudtrail:${region}:${account}:trail/${trailPhysicalName}`;
        const organizationId = args.organizationTrail ? aws.organizations.getOrganizationOutput({}, parent).id : undefined;
        const key = args.encryptTrailLogs ? this.createTrailKey(name, trailArn, env) : undefined;

        const bucket = new aws.s3.Bucket(childName(name, "trail-bucket"), { forceDestroy: args.forceDestroyTrailBucket ?? false }, parent);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            childName(name, "trail-bucket-public-access"),
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            parent,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            childName(name, "trail-bucket-encryption"),
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: key
                            ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }
                            : { sseAlgorithm: "AES256" },
                        bucketKeyEnabled: true,
                    },
                ],
            },
            parent,
        );
        new aws.s3.BucketOwnershipControls(
            childName(name, "trail-bucket-ownership"),
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            parent,
        );
        new aws.s3.BucketLifecycleConfiguration(
            childName(name, "trail-bucket-lifecycle"),
            {
                bucket: bucket.id,
                rules: [
                    { id: "expire-trail-logs", status: "Enabled", filter: {}, expiration: { days: args.trailBucketExpirationDays ?? 365 } },
                ],
            },
            parent,
        );
        // An organization trail also writes every member account's logs under AWSLogs/<organization id>/.
        const writablePrefixes = organizationId
            ? [pulumi.interpolate`${bucket.arn}/AWSLogs/${account}/*`, pulumi.interpolate`${bucket.arn}/AWSLogs/${organizationId}/*`]
            : pulumi.interpolate`${bucket.arn}/AWSLogs/${account}/*`;
        const bucketPolicy = new aws.s3.BucketPolicy(
            childName(name, "trail-bucket-policy"),
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
                            Resource: writablePrefixes,
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

        const logGroup = new aws.cloudwatch.LogGroup(
            childName(name, "trail-logs"),
            { retentionInDays: args.trailLogRetentionDays ?? 365, ...(key ? { kmsKeyId: key.arn } : {}) },
            parent,
        );
        const role = new aws.iam.Role(
            childName(name, "trail-logs-role"),
            { assumeRolePolicy: assumeRolePolicy("cloudtrail.amazonaws.com", { StringEquals: { "aws:SourceArn": trailArn } }) },
            parent,
        );
        const rolePolicy = new aws.iam.RolePolicy(
            childName(name, "trail-logs-policy"),
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*`,
                        },
                    ],
                }),
            },
            parent,
        );
        const trail = new aws.cloudtrail.Trail(
            childName(name, "trail"),
            {
                name: trailPhysicalName,
                s3BucketName: bucket.id,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                cloudWatchLogsGroupArn: pulumi.interpolate`${logGroup.arn}:*`,
                cloudWatchLogsRoleArn: role.arn,
                ...(args.organizationTrail ? { isOrganizationTrail: true } : {}),
                ...(key ? { kmsKeyId: key.arn } : {}),
            },
            // CloudTrail checks bucket access and the role when the trail is created.
            { parent: this, dependsOn: [bucketPolicy, rolePolicy] },
        );
        return { trail, bucket, logGroup };
    }

    /** A customer-managed key for the trail's log files and log group. */
    private createTrailKey(name: string, trailArn: pulumi.Output<string>, env: AwsEnv): aws.kms.Key {
        const { account, region, partition } = env;
        return this.customerKey(childName(name, "trail-key"), "Encrypts the console-login-alerts trail's log files and log group.", env, [
            {
                Sid: "CloudTrailEncrypts",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceArn": trailArn } },
            },
            {
                Sid: "CloudWatchLogsEncrypts",
                Effect: "Allow",
                Principal: { Service: pulumi.interpolate`logs.${region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnLike: {
                        "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:*`,
                    },
                },
            },
        ]);
    }
}
