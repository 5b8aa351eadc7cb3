/** The Operators component: the alerting path's own failures, on a channel that is not Slack. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudWatchPublishPolicy } from "./documents";
import { movedFrom } from "./moved";
import { childName, componentName } from "./names";

export interface OperatorsArgs {
    physical: string;
    account: pulumi.Input<string>;
    /** The topics' customer-managed key, if the stack encrypts them. */
    topicKeyArn?: pulumi.Input<string>;
    /** Subscribed by email when given. */
    operatorEmail?: string;
}

/** What the operators' alarms watch: the function and its dead-letter queue, which exist only after the topic. */
export interface WatchedArgs {
    deadLetterQueueName: pulumi.Input<string>;
    functionName: pulumi.Input<string>;
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
    private readonly was: pulumi.CustomResourceOptions;
    private readonly name: string;
    private readonly args: OperatorsArgs;

    constructor(name: string, args: OperatorsArgs, opts: pulumi.ComponentResourceOptions & { parent: pulumi.Resource }) {
        super("console-login-alerts:index:Operators", componentName(name, "operator-alerts"), {}, opts);
        this.name = name;
        this.args = args;
        this.was = movedFrom(this, opts.parent);
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

    /** The alarms on dead letters and function errors, and the topic policy that lets exactly them publish. */
    watch(watched: WatchedArgs): void {
        const { name, args, was } = this;
        const deadLetters = this.alarm(
            childName(name, "dead-letters-alarm"),
            `Sign-in notifications of console-login-alerts (${args.physical}) failed and were dead-lettered; see the README's redrive.`,
            {
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: watched.deadLetterQueueName },
                statistic: "Maximum",
            },
        );
        const errors = this.alarm(
            childName(name, "function-errors-alarm"),
            `The console-login-alerts function (${args.physical}) failed; Slack or AWS may be refusing its calls.`,
            { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: watched.functionName }, statistic: "Sum" },
        );
        new aws.sns.TopicPolicy(
            childName(name, "operators-policy"),
            {
                arn: this.topic.arn,
                policy: pulumi.jsonStringify(cloudWatchPublishPolicy(this.topic.arn, args.account, [deadLetters.arn, errors.arn])),
            },
            was,
        );
        this.registerOutputs({ topic: this.topic });
    }

    /** Any datapoint at or over 1 in 5 minutes notifies the operators' topic. */
    private alarm(resourceName: string, alarmDescription: string, metric: AlarmMetric): aws.cloudwatch.MetricAlarm {
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
