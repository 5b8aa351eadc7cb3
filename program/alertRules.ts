/** The AlertRules component: a metric filter and an alarm per rule, and the topic they notify. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudWatchPublishPolicy } from "./documents";
import { movedFrom } from "./moved";
import { childName, componentName, METRIC_NAMESPACE, metricName, ruleChildName } from "./names";
import type { DeployTimeRule } from "./rules";

/** The alarm and metric filter of one rule. */
export interface RuleResources {
    filter: aws.cloudwatch.LogMetricFilter;
    alarm: aws.cloudwatch.MetricAlarm;
}

export interface AlertRulesArgs {
    rules: readonly DeployTimeRule[];
    /** The trail's log group, which every metric filter reads. */
    logGroupName: pulumi.Input<string>;
    /** The stack's physical prefix: metric names must be known before creation. */
    physical: string;
    account: pulumi.Input<string>;
    /** The topics' customer-managed key, if the stack encrypts them. */
    topicKeyArn?: pulumi.Input<string>;
    /** Alarms besides the rules' that notify the topic (the delivery heartbeat), by ARN. */
    otherAlarmArns?: pulumi.Input<string>[];
}

/**
 * One metric filter and alarm per rule, and the topic every alarm notifies on ALARM and OK, with a
 * policy that lets only CloudWatch publish, for these alarms only. Its children were once the
 * LoginAlerts component's own: each carries an alias to its former URN.
 */
export class AlertRules extends pulumi.ComponentResource {
    readonly topic: aws.sns.Topic;
    readonly rules: Record<string, RuleResources> = {};
    /** Rule id → the name of the metric its filter publishes, for the operators' dashboard. */
    readonly metrics: Record<string, string> = {};

    constructor(name: string, args: AlertRulesArgs, opts: pulumi.ComponentResourceOptions & { parent: pulumi.Resource }) {
        super("console-login-alerts:index:AlertRules", componentName(name, "alert-rules"), {}, opts);
        const was = movedFrom(this, opts.parent);
        this.topic = new aws.sns.Topic(childName(name, "alarms"), args.topicKeyArn ? { kmsMasterKeyId: args.topicKeyArn } : {}, was);
        for (const rule of args.rules) {
            const metric = metricName(args.physical, rule.id);
            this.metrics[rule.id] = metric;
            this.rules[rule.id] = this.rule(name, rule, metric, args, was);
        }
        new aws.sns.TopicPolicy(
            childName(name, "alarms-policy"),
            {
                arn: this.topic.arn,
                policy: pulumi.jsonStringify(
                    cloudWatchPublishPolicy(this.topic.arn, args.account, [
                        ...Object.values(this.rules).map((r) => r.alarm.arn),
                        ...(args.otherAlarmArns ?? []),
                    ]),
                ),
            },
            was,
        );
        this.registerOutputs({ topic: this.topic });
    }

    /** The rule id → alarm name table the function is told (ALARM_NAMES). */
    alarmNames(): pulumi.Output<Record<string, string>> {
        return pulumi
            .all(Object.entries(this.rules).map(([id, r]) => r.alarm.name.apply((alarmName) => [id, alarmName] as const)))
            .apply((pairs) => Object.fromEntries(pairs));
    }

    private rule(
        name: string,
        rule: DeployTimeRule,
        metric: string,
        args: AlertRulesArgs,
        was: pulumi.CustomResourceOptions,
    ): RuleResources {
        const filter = new aws.cloudwatch.LogMetricFilter(
            ruleChildName(name, rule.id, "filter"),
            {
                logGroupName: args.logGroupName,
                pattern: rule.pattern,
                metricTransformation: { name: metric, namespace: METRIC_NAMESPACE, value: "1", unit: "Count" },
            },
            was,
        );
        const alarm = new aws.cloudwatch.MetricAlarm(
            ruleChildName(name, rule.id, "alarm"),
            {
                alarmDescription: `${rule.title}: events matching the ${rule.id} rule of console-login-alerts (${args.physical}).`,
                namespace: METRIC_NAMESPACE,
                metricName: metric,
                statistic: "Sum",
                period: rule.periodSeconds,
                evaluationPeriods: 1,
                threshold: rule.threshold,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                // Missing data is "no sign-in", so the alarm returns to OK and the next sign-in fires again.
                treatMissingData: "notBreaching",
                alarmActions: [this.topic.arn],
                okActions: [this.topic.arn],
            },
            { ...was, dependsOn: [filter] },
        );
        return { filter, alarm };
    }
}
