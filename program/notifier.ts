/** The Notifier component: the function that posts to Slack, and everything it needs to run. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    LOOKBACK_LIMIT_SECONDS,
    SCHEDULER_SCHEDULED_TIME,
    encodeAlarmNames,
    environmentOf,
    type FunctionConfig,
    type SummaryPeriod,
    type SummaryRequest,
} from "../shared/contract";
import { assumeRolePolicy, functionPolicy, invokeFunctionPolicy } from "./documents";
import { functionArchive } from "./functionPackage";
import { ownFunction } from "./ownFunction";
import { movedFrom } from "./moved";
import { botTokenParameterName, childName, componentName, webhookParameterName } from "./names";
import type { TrailLogs } from "./trail";

const FUNCTION_TIMEOUT_SECONDS = 300;

export interface NotifierArgs {
    slackWebhookUrl: pulumi.Input<string>;
    /** What the function is told beyond resource names: a file beside its code. */
    config: FunctionConfig;
    trailLogs: TrailLogs;
    /** The topic the rules' alarms notify; the function subscribes to it. */
    alarmTopic: aws.sns.Topic;
    /** Rule id → alarm name, for ALARM_NAMES. */
    alarmNames: pulumi.Input<Record<string, string>>;
    /** The operators' topic the function tells of events Slack refused and of lookback gaps. */
    operatorTopicArn: pulumi.Input<string>;
    /** The topics' customer-managed key, if the stack encrypts them, and the stack's region. */
    topicKey?: { arn: pulumi.Input<string>; region: pulumi.Input<string> };
    physical: string;
    /** The stack's account: only its schedules may use the summary's role. */
    account: pulumi.Input<string>;
    functionLogRetentionDays: number;
    sweepIntervalMinutes: number;
    /** The delivery heartbeat alarm's name, for HEARTBEAT_ALARM_NAME; "" when the stack has none. */
    heartbeatAlarmName: string;
    /** The organization's member accounts (`arn:<partition>:organizations::*:account/<id>/*`), when the stack serves one. */
    organizationAccountsArn?: pulumi.Input<string>;
    /**
     * "Was this you?": the Slack app's bot token; its signing secret's parameter, which the answer
     * endpoint creates and the function reads too; and the account's IAM users (`arn:<partition>:iam::<account>:user/*`).
     */
    confirm?: {
        slackBotToken: pulumi.Input<string>;
        signingSecretParameter: { name: string; arn: pulumi.Input<string> };
        usersArn: pulumi.Input<string>;
    };
}

/**
 * When the summary is posted: 09:00 every day, or 09:00 every Monday, in the stack's time zone
 * (EventBridge Scheduler User Guide, "Schedule types": cron expressions with
 * ScheduleExpressionTimezone, which also follows daylight saving time).
 */
export const SUMMARY_SCHEDULES: Record<Exclude<SummaryPeriod, "off">, string> = {
    daily: "cron(0 9 * * ? *)",
    weekly: "cron(0 9 ? * MON *)",
};

// EventBridge rejects "rate(1 minutes)": the unit must be singular for 1.
function sweepSchedule(minutes: number): string {
    return minutes === 1 ? "rate(1 minute)" : `rate(${minutes} minutes)`;
}

/**
 * The function that tells Slack who signed in, with what it needs: the webhook in an SSM
 * SecureString, a DynamoDB state table, its own role and log group, retries into a dead-letter
 * queue, its alarm-topic subscription and the scheduled sweep. Its children were once the
 * LoginAlerts component's own: each carries an alias to its former URN.
 */
export class Notifier extends pulumi.ComponentResource {
    readonly webhookParameter: aws.ssm.Parameter;
    /** The Slack app's bot token, when the stack asks people "Was this you?". */
    readonly botTokenParameter?: aws.ssm.Parameter;
    readonly stateTable: aws.dynamodb.Table;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly function: aws.lambda.Function;
    private readonly was: pulumi.CustomResourceOptions;

    constructor(name: string, args: NotifierArgs, opts: pulumi.ComponentResourceOptions & { parent: pulumi.Resource }) {
        super("console-login-alerts:index:Notifier", componentName(name, "notifier"), {}, opts);
        this.was = movedFrom(this, opts.parent);
        this.webhookParameter = new aws.ssm.Parameter(
            childName(name, "webhook"),
            {
                name: webhookParameterName(args.physical),
                type: "SecureString",
                value: pulumi.secret(args.slackWebhookUrl),
                description: "Slack incoming webhook for console sign-in alerts.",
            },
            this.was,
        );
        if (args.confirm) {
            // New with "Was this you?", so it has no former URN to alias.
            this.botTokenParameter = new aws.ssm.Parameter(
                childName(name, "bot-token"),
                {
                    name: botTokenParameterName(args.physical),
                    type: "SecureString",
                    value: pulumi.secret(args.confirm.slackBotToken),
                    description: 'Slack app bot token for console sign-in alerts\' "Was this you?" questions.',
                },
                { parent: this },
            );
        }
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
            this.was,
        );
        this.deadLetterQueue = new aws.sqs.Queue(
            childName(name, "dead-letters"),
            // As long as the function looks back, so a redriven notification still finds its events.
            { messageRetentionSeconds: LOOKBACK_LIMIT_SECONDS, sqsManagedSseEnabled: true },
            this.was,
        );
        this.function = this.lambdaFunction(name, args);
        this.invokedBy(name, args);
        this.registerOutputs({
            function: this.function,
            stateTable: this.stateTable,
            deadLetterQueue: this.deadLetterQueue,
            botTokenParameter: this.botTokenParameter,
        });
    }

    private lambdaFunction(name: string, args: NotifierArgs): aws.lambda.Function {
        return ownFunction(
            {
                names: {
                    logs: childName(name, "function-logs"),
                    role: childName(name, "function-role"),
                    policy: childName(name, "function-policy"),
                    function: childName(name, "function"),
                },
                logRetentionDays: args.functionLogRetentionDays,
                policy: (logGroupArn) =>
                    functionPolicy({
                        webhookParameterArn: this.webhookParameter.arn,
                        trailLogGroupArn: args.trailLogs.logGroupArn,
                        functionLogGroupArn: logGroupArn,
                        stateTableArn: this.stateTable.arn,
                        deadLetterQueueArn: this.deadLetterQueue.arn,
                        operatorTopicArn: args.operatorTopicArn,
                        ...(args.topicKey ? { topicKey: args.topicKey } : {}),
                        ...(args.trailLogs.trailArn ? { trailArn: args.trailLogs.trailArn } : {}),
                        ...(args.organizationAccountsArn ? { organizationAccountsArn: args.organizationAccountsArn } : {}),
                        ...(this.botTokenParameter && args.confirm
                            ? {
                                  confirm: {
                                      botTokenParameterArn: this.botTokenParameter.arn,
                                      signingSecretParameterArn: args.confirm.signingSecretParameter.arn,
                                      usersArn: args.confirm.usersArn,
                                  },
                              }
                            : {}),
                    }),
                description: "Posts AWS console sign-ins to Slack.",
                // The handler bundled, and the configuration's plain data beside it: see program/functionPackage.ts.
                code: functionArchive(args.config),
                timeoutSeconds: FUNCTION_TIMEOUT_SECONDS,
                environment: this.environmentVariables(args),
            },
            this.was,
        );
    }

    /** The function's environment: names of deployed resources only (shared/contract.ts writes and reads them). */
    private environmentVariables(args: NotifierArgs): Record<string, pulumi.Input<string>> {
        // No NODE_OPTIONS: the bundle is not minified and has no source map to follow.
        return environmentOf<pulumi.Input<string>>({
            webhookParameterName: this.webhookParameter.name,
            trailLogGroupName: args.trailLogs.logGroupName,
            stateTableName: this.stateTable.name,
            alarmNames: pulumi.output(args.alarmNames).apply(encodeAlarmNames),
            operatorTopicArn: args.operatorTopicArn,
            heartbeatAlarmName: args.heartbeatAlarmName,
            trailArn: args.trailLogs.trailArn ?? "",
            botTokenParameterName: this.botTokenParameter?.name ?? "",
            signingSecretParameterName: args.confirm?.signingSecretParameter.name ?? "",
        });
    }

    /** Retries into the dead-letter queue; invoked by the alarm topic and by the sweep's schedule. */
    private invokedBy(name: string, args: NotifierArgs): void {
        const fn = this.function;
        new aws.lambda.FunctionEventInvokeConfig(
            childName(name, "function-retries"),
            {
                functionName: fn.name,
                maximumRetryAttempts: 2,
                maximumEventAgeInSeconds: 6 * 3600,
                destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
            },
            this.was,
        );
        const fromTopic = this.allowInvoke(childName(name, "alarms-invoke"), "sns.amazonaws.com", args.alarmTopic.arn);
        new aws.sns.TopicSubscription(
            childName(name, "alarms-subscription"),
            { topic: args.alarmTopic.arn, protocol: "lambda", endpoint: fn.arn },
            { ...this.was, dependsOn: [fromTopic] },
        );
        // The sweep reports sign-ins made while an alarm was already in ALARM and late deliveries.
        const sweep = new aws.cloudwatch.EventRule(
            childName(name, "sweep"),
            {
                description: "Scheduled sweep for console sign-ins not yet posted.",
                scheduleExpression: sweepSchedule(args.sweepIntervalMinutes),
            },
            this.was,
        );
        const fromSchedule = this.allowInvoke(childName(name, "sweep-invoke"), "events.amazonaws.com", sweep.arn);
        new aws.cloudwatch.EventTarget(
            childName(name, "sweep-target"),
            { rule: sweep.name, arn: fn.arn },
            { ...this.was, dependsOn: [fromSchedule] },
        );
        // The summary's period and the time zone whose 09:00 it is posted at: the function's configuration.
        if (args.config.summary !== "off") {
            this.summarySchedule(name, args, args.config.summary);
        }
    }

    /**
     * The summary's schedule: EventBridge Scheduler, because an EventBridge rule's cron runs in UTC
     * only and a 09:00 summary should follow the team's clock. Scheduler invokes the function with a
     * role of its own (no resource policy), which this account's schedules alone may assume (EventBridge
     * Scheduler User Guide, "Set up the execution role": the aws:SourceAccount condition) and which may
     * invoke this function and nothing else.
     */
    private summarySchedule(name: string, args: NotifierArgs, period: Exclude<SummaryPeriod, "off">): void {
        const parent = { parent: this };
        const role = new aws.iam.Role(
            childName(name, "summary-role"),
            {
                assumeRolePolicy: pulumi.jsonStringify(
                    assumeRolePolicy("scheduler.amazonaws.com", { StringEquals: { "aws:SourceAccount": args.account } }),
                ),
            },
            parent,
        );
        const policy = new aws.iam.RolePolicy(
            childName(name, "summary-policy"),
            { role: role.id, policy: pulumi.jsonStringify(invokeFunctionPolicy(this.function.arn)) },
            parent,
        );
        // The time the schedule fired for travels with the request, so a retried or redriven one
        // summarises its own period, not the one before the hour it is handled in.
        const request: SummaryRequest = { loginAlertsSummary: period, scheduledTime: SCHEDULER_SCHEDULED_TIME };
        new aws.scheduler.Schedule(
            childName(name, "summary-schedule"),
            {
                description: `The ${period} summary of console sign-ins, at 09:00 ${args.config.timeZone}.`,
                scheduleExpression: SUMMARY_SCHEDULES[period],
                scheduleExpressionTimezone: args.config.timeZone,
                flexibleTimeWindow: { mode: "OFF" },
                target: { arn: this.function.arn, roleArn: role.arn, input: JSON.stringify(request) },
            },
            { ...parent, dependsOn: [policy] },
        );
    }

    /**
     * Lets one AWS service invoke the function, for one source only; whatever delivers to it depends
     * on this. Other components pass their own options, so the permission sits beside its source.
     */
    allowInvoke(
        resourceName: string,
        principal: string,
        sourceArn: pulumi.Input<string>,
        opts: pulumi.CustomResourceOptions = this.was,
    ): aws.lambda.Permission {
        return new aws.lambda.Permission(
            resourceName,
            { action: "lambda:InvokeFunction", function: this.function.name, principal, sourceArn },
            opts,
        );
    }
}
