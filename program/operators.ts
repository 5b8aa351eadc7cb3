/** The Operators component: the alerting path's own failures, on a channel that is not Slack. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dashboardUrl, operatorsDashboard } from "./dashboard";
import { cloudWatchPublishPolicy } from "./documents";
import { movedFrom } from "./moved";
import { childName, componentName, dashboardName } from "./names";

export interface OperatorsArgs {
    physical: string;
    account: pulumi.Input<string>;
    region: pulumi.Input<string>;
    /** The topics' customer-managed key, if the stack encrypts them. */
    topicKeyArn?: pulumi.Input<string>;
    /** Subscribed by email when given. */
    operatorEmail?: string;
}

/** What the operators' alarms watch: the function and its dead-letter queue, which exist only after the topic. */
export interface WatchedArgs {
    deadLetterQueueName: pulumi.Input<string>;
    functionName: pulumi.Input<string>;
    /** The function's role, the one publisher to the topic besides CloudWatch. */
    functionRoleArn: pulumi.Input<string>;
    /** Rule id → the metric its metric filter publishes, for the dashboard. */
    ruleMetrics: Record<string, string>;
    trailLogGroupName: pulumi.Input<string>;
    /** The delivery heartbeat; absent when the stack has none. */
    heartbeat?: HeartbeatArgs;
    /** The answer endpoint of "Was this you?"; absent when the stack asks nobody. */
    answersFunctionName?: pulumi.Input<string>;
}

/** The delivery heartbeat: an alarm on the trail's log group receiving nothing for `minutes`. */
export interface HeartbeatArgs {
    minutes: number;
    /** Its physical name, known before deployment (see `heartbeatAlarmName`). */
    alarmName: string;
    /** The rules' alarm topic, so the function tells Slack as well as the operators. */
    alarmTopicArn: pulumi.Input<string>;
}

/**
 * The heartbeat alarm's period and evaluation periods for a silence of `minutes`: five-minute
 * periods up to a day (CloudWatch allows at most one day of evaluation for periods under an hour),
 * hourly ones beyond (7 days at most in all; CloudWatch API Reference, PutMetricAlarm, Period).
 */
export function heartbeatWindow(minutes: number): { period: number; evaluationPeriods: number } {
    const period = minutes <= 1440 ? 300 : 3600;
    return { period, evaluationPeriods: (minutes * 60) / period };
}

type AlarmMetric = Pick<aws.cloudwatch.MetricAlarmArgs, "namespace" | "metricName" | "dimensions" | "statistic">;

/**
 * The alerting path's own failures, told on a channel that is not Slack, because Slack may be the
 * broken part: a topic (optionally by email) and alarms on dead letters and function errors. The
 * topic comes first, since the function publishes to it too; {@link watch} adds the alarms once the
 * function exists. Its children were once the LoginAlerts component's own: each carries an alias
 * to its former URN.
 */
export class Operators extends pulumi.ComponentResource {
    readonly topic: aws.sns.Topic;
    /** The operators' dashboard's console address; the dashboard itself comes with {@link watch}. */
    readonly dashboardUrl: pulumi.Output<string>;
    private readonly was: pulumi.CustomResourceOptions;
    private readonly name: string;
    private readonly args: OperatorsArgs;

    constructor(name: string, args: OperatorsArgs, opts: pulumi.ComponentResourceOptions & { parent: pulumi.Resource }) {
        super("console-login-alerts:index:Operators", componentName(name, "operator-alerts"), {}, opts);
        this.name = name;
        this.args = args;
        this.was = movedFrom(this, opts.parent);
        this.dashboardUrl = dashboardUrl(args.region, dashboardName(args.physical));
        this.topic = new aws.sns.Topic(
            childName(name, "operators"),
            args.topicKeyArn ? { kmsMasterKeyId: args.topicKeyArn } : {},
            this.was,
        );
        if (args.operatorEmail) {
            new aws.sns.TopicSubscription(
                childName(name, "operators-email"),
                { topic: this.topic.arn, protocol: "email", endpoint: args.operatorEmail },
                this.was,
            );
        }
    }

    /**
     * The alarms on dead letters, function errors and (when on) the delivery heartbeat, the topic
     * policy that lets exactly them and the function publish, and the dashboard their descriptions link to.
     */
    watch(watched: WatchedArgs): void {
        const { name, args, was } = this;
        const see = `Dashboard: `;
        const deadLetters = this.alarm(
            childName(name, "dead-letters-alarm"),
            pulumi.interpolate`Sign-in notifications of console-login-alerts (${args.physical}) failed and were dead-lettered; see the README's redrive. ${see}${this.dashboardUrl}`,
            {
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: watched.deadLetterQueueName },
                statistic: "Maximum",
            },
        );
        const errors = this.alarm(
            childName(name, "function-errors-alarm"),
            pulumi.interpolate`The console-login-alerts function (${args.physical}) failed; Slack or AWS may be refusing its calls. ${see}${this.dashboardUrl}`,
            { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: watched.functionName }, statistic: "Sum" },
        );
        const heartbeat = watched.heartbeat ? this.heartbeatAlarm(watched.heartbeat, watched.trailLogGroupName) : undefined;
        // A click the endpoint could not hand over fails it (Slack shows the person an error): the operators hear.
        const answers = watched.answersFunctionName
            ? this.alarm(
                  childName(name, "answers-errors-alarm"),
                  pulumi.interpolate`The "Was this you?" answer endpoint of console-login-alerts (${args.physical}) failed; answers may not be taken. ${see}${this.dashboardUrl}`,
                  {
                      namespace: "AWS/Lambda",
                      metricName: "Errors",
                      dimensions: { FunctionName: watched.answersFunctionName },
                      statistic: "Sum",
                  },
              )
            : undefined;
        new aws.sns.TopicPolicy(
            childName(name, "operators-policy"),
            {
                arn: this.topic.arn,
                policy: pulumi.jsonStringify(
                    cloudWatchPublishPolicy(
                        this.topic.arn,
                        args.account,
                        [deadLetters.arn, errors.arn, ...(heartbeat ? [heartbeat.arn] : []), ...(answers ? [answers.arn] : [])],
                        [watched.functionRoleArn],
                    ),
                ),
            },
            was,
        );
        operatorsDashboard(
            childName(name, "dashboard"),
            { dashboardName: dashboardName(args.physical), region: args.region, ...watched },
            { parent: this },
        );
        this.registerOutputs({ topic: this.topic, dashboardUrl: this.dashboardUrl });
    }

    /**
     * The delivery heartbeat: no event reached the trail's log group for the configured time. CloudWatch
     * Logs publishes IncomingLogEvents only for periods in which events arrived, so a silent period has
     * no datapoint at all and is treated as breaching (CloudWatch User Guide, "Configuring how CloudWatch
     * alarms treat missing data"). It tells the alarm topic (so the function posts to Slack) and the
     * operators, on ALARM and on OK.
     */
    private heartbeatAlarm(heartbeat: HeartbeatArgs, trailLogGroupName: pulumi.Input<string>): aws.cloudwatch.MetricAlarm {
        const { period, evaluationPeriods } = heartbeatWindow(heartbeat.minutes);
        const actions = [heartbeat.alarmTopicArn, this.topic.arn];
        return new aws.cloudwatch.MetricAlarm(
            childName(this.name, "delivery-heartbeat-alarm"),
            {
                name: heartbeat.alarmName,
                alarmDescription: pulumi.interpolate`No event reached the trail's log group for ${heartbeat.minutes} minutes: CloudTrail may have stopped delivering, and every rule of console-login-alerts (${this.args.physical}) is blind. Dashboard: ${this.dashboardUrl}`,
                namespace: "AWS/Logs",
                metricName: "IncomingLogEvents",
                dimensions: { LogGroupName: trailLogGroupName },
                statistic: "Sum",
                period,
                evaluationPeriods,
                datapointsToAlarm: evaluationPeriods,
                threshold: 0,
                comparisonOperator: "LessThanOrEqualToThreshold",
                treatMissingData: "breaching",
                alarmActions: actions,
                okActions: actions,
            },
            { parent: this },
        );
    }

    /** Any datapoint at or over 1 in 5 minutes notifies the operators' topic. */
    private alarm(resourceName: string, alarmDescription: pulumi.Input<string>, metric: AlarmMetric): aws.cloudwatch.MetricAlarm {
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
                alarmActions: [this.topic.arn],
            },
            this.was,
        );
    }
}
