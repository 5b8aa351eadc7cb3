/**
 * The operators' dashboard: how the alerting path itself is doing, on one CloudWatch dashboard built
 * with @pulumi/awsx's classic CloudWatch widgets.
 */
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { DELIVERY_METRICS } from "../shared/contract";
import { METRIC_NAMESPACE } from "./names";

type Region = awsx.classic.cloudwatch.DashboardArgs["region"];

export interface DashboardArgs {
    /** The dashboard's name (see `dashboardName`): known before deployment, so alarm descriptions can link to it. */
    dashboardName: string;
    region: pulumi.Input<string>;
    /** Rule id → the metric its metric filter publishes. */
    ruleMetrics: Record<string, string>;
    functionName: pulumi.Input<string>;
    deadLetterQueueName: pulumi.Input<string>;
    trailLogGroupName: pulumi.Input<string>;
}

/** The console address of a dashboard, in the form the CloudWatch console links to it. */
export function dashboardUrl(region: pulumi.Input<string>, name: string): pulumi.Output<string> {
    return pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${name}`;
}

const FIVE_MINUTES = 300;

function metric(args: awsx.classic.cloudwatch.MetricArgs): awsx.classic.cloudwatch.Metric {
    return new awsx.classic.cloudwatch.Metric({ period: FIVE_MINUTES, ...args });
}

function graph(title: string, metrics: awsx.classic.cloudwatch.Metric[]): awsx.classic.cloudwatch.LineGraphMetricWidget {
    return new awsx.classic.cloudwatch.LineGraphMetricWidget({ title, metrics, width: 12, height: 6 });
}

/** What reached the rules and how fast the function told Slack: per rule, per delivery path. */
function deliveryRow(args: DashboardArgs): awsx.classic.cloudwatch.RowWidget {
    const rules = Object.entries(args.ruleMetrics).map(([id, name]) =>
        metric({ namespace: METRIC_NAMESPACE, name, statistic: "Sum", label: id }),
    );
    // The function's embedded-metric lines (handler/deliver/metrics.ts): delay per path, and the backstop's firsts.
    const byPath = (path: string, statistic: "Average" | "Maximum") =>
        metric({
            namespace: DELIVERY_METRICS.namespace,
            name: DELIVERY_METRICS.delay,
            dimensions: { [DELIVERY_METRICS.dimension]: path },
            statistic,
            unit: "Milliseconds",
            label: `${path} ${statistic.toLowerCase()}`,
        });
    const backstopFirst = metric({
        namespace: DELIVERY_METRICS.namespace,
        name: DELIVERY_METRICS.backstopFirst,
        dimensions: { [DELIVERY_METRICS.dimension]: "backstop" },
        statistic: "Sum",
        label: "posted first by the backstop",
    });
    return new awsx.classic.cloudwatch.RowWidget(
        graph("Events per rule", rules),
        graph("Delay from event to Slack, by path (ms)", [
            byPath("fast", "Average"),
            byPath("fast", "Maximum"),
            byPath("backstop", "Average"),
            byPath("backstop", "Maximum"),
        ]),
        graph("Events the backstop posted first (EventBridge missed them)", [backstopFirst]),
    );
}

/** Whether the path itself works: the function, its dead letters, and what the trail delivers. */
function healthRow(args: DashboardArgs): awsx.classic.cloudwatch.RowWidget {
    const fn = { FunctionName: args.functionName };
    return new awsx.classic.cloudwatch.RowWidget(
        graph("Function invocations and errors", [
            metric({ namespace: "AWS/Lambda", name: "Invocations", dimensions: fn, statistic: "Sum", label: "invocations" }),
            metric({ namespace: "AWS/Lambda", name: "Errors", dimensions: fn, statistic: "Sum", label: "errors" }),
        ]),
        graph("Function duration (ms)", [
            metric({ namespace: "AWS/Lambda", name: "Duration", dimensions: fn, statistic: "Average", label: "average" }),
            metric({ namespace: "AWS/Lambda", name: "Duration", dimensions: fn, statistic: "Maximum", label: "maximum" }),
        ]),
        graph("Dead-lettered notifications waiting", [
            metric({
                namespace: "AWS/SQS",
                name: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: args.deadLetterQueueName },
                statistic: "Maximum",
                label: "dead letters",
            }),
        ]),
        graph("Events reaching the trail's log group", [
            metric({
                namespace: "AWS/Logs",
                name: "IncomingLogEvents",
                dimensions: { LogGroupName: args.trailLogGroupName },
                statistic: "Sum",
                label: "incoming log events",
            }),
        ]),
    );
}

/** The dashboard, named in advance so that alarm descriptions and the stack's outputs can link to it. */
export function operatorsDashboard(
    resourceName: string,
    args: DashboardArgs,
    opts: pulumi.CustomResourceOptions,
): awsx.classic.cloudwatch.Dashboard {
    return new awsx.classic.cloudwatch.Dashboard(
        resourceName,
        { name: args.dashboardName, region: args.region as Region, widgets: [deliveryRow(args), healthRow(args)] },
        opts,
    );
}
