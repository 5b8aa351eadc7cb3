import { strict as assert } from "assert";
import { alertLambdaHasFailureDestination } from "../policy/policies/alertLambdaHasFailureDestination";
import { ACCOUNT, REGION, UNKNOWN_ON_THE_WIRE, check, messages, replace, resource, withProps } from "./support/policyHarness";

const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:login-alerts-alarms-e88e06f`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:login-alerts-function-36cefb3`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:login-alerts-dead-letters-9bc6a97`;

function alertStack() {
    const topic = resource({ type: "aws:sns/topic:Topic", name: "alarms", outputs: { arn: TOPIC_ARN } });
    const alarm = resource({
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name: "console-signin-alarm",
        inputs: { alarmActions: [TOPIC_ARN] },
        dependsOn: { alarmActions: [topic] },
    });
    const fn = resource({
        type: "aws:lambda/function:Function",
        name: "function",
        inputs: { runtime: "nodejs22.x", handler: "__index.handler" },
        outputs: { name: "login-alerts-function-36cefb3", arn: FUNCTION_ARN },
    });
    const subscription = resource({
        type: "aws:sns/topicSubscription:TopicSubscription",
        name: "alarms-subscription",
        inputs: { topic: TOPIC_ARN, protocol: "lambda", endpoint: FUNCTION_ARN },
        dependsOn: { topic: [topic], endpoint: [fn] },
    });
    const retries = resource({
        type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        name: "function-retries",
        inputs: {
            functionName: "login-alerts-function-36cefb3",
            maximumRetryAttempts: 2,
            destinationConfig: { onFailure: { destination: QUEUE_ARN } },
        },
        dependsOn: { functionName: [fn] },
    });
    return { topic, alarm, fn, subscription, retries, all: [topic, alarm, fn, subscription, retries] };
}

const NO_DESTINATION =
    'Function "function" is subscribed to alarm topic "alarms" but has neither an on-failure destination nor a dead-letter queue, ' +
    "so an alert that still fails after Lambda's retries is lost without a trace; add an aws.lambda.FunctionEventInvokeConfig with " +
    "destinationConfig.onFailure.destination, or set deadLetterConfig.targetArn.";

describe("policy alert-lambda-has-failure-destination", () => {
    it("passes an alert function with an on-failure destination", async () => {
        assert.deepEqual(await check(alertLambdaHasFailureDestination, alertStack().all), []);
    });

    it("passes an alert function with a dead-letter queue instead", async () => {
        const s = alertStack();
        const fn = withProps(s.fn, { deadLetterConfig: { targetArn: QUEUE_ARN } });
        assert.deepEqual(await check(alertLambdaHasFailureDestination, [s.topic, s.alarm, fn, s.subscription]), []);
    });

    it("flags an alert function with neither", async () => {
        const s = alertStack();
        const violations = await check(alertLambdaHasFailureDestination, [s.topic, s.alarm, s.fn, s.subscription]);
        assert.deepEqual(violations, [
            { policy: "alert-lambda-has-failure-destination", enforcementLevel: "advisory", urn: s.fn.urn, message: NO_DESTINATION },
        ]);
    });

    it("flags an invoke config that sets retries but no onFailure destination", async () => {
        const s = alertStack();
        const retries = withProps(s.retries, { destinationConfig: { onSuccess: { destination: QUEUE_ARN } } });
        assert.deepEqual(await messages(alertLambdaHasFailureDestination, replace(s.all, retries)), [NO_DESTINATION]);
    });

    it("flags an invoke config that belongs to another function", async () => {
        const s = alertStack();
        const other = resource({
            type: "aws:lambda/function:Function",
            name: "other",
            outputs: { name: "other-1234567", arn: `${FUNCTION_ARN}-other` },
        });
        const retries = resource({
            type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
            name: "function-retries",
            inputs: { functionName: "other-1234567", destinationConfig: { onFailure: { destination: QUEUE_ARN } } },
            dependsOn: { functionName: [other] },
        });
        assert.deepEqual(await messages(alertLambdaHasFailureDestination, [s.topic, s.alarm, s.fn, other, s.subscription, retries]), [
            NO_DESTINATION,
        ]);
    });

    it("ignores functions subscribed to topics no alarm notifies, and non-Lambda subscriptions", async () => {
        const s = alertStack();
        const unalarmed = [s.topic, s.fn, s.subscription];
        assert.deepEqual(await check(alertLambdaHasFailureDestination, unalarmed), []);
        const queueSubscription = withProps(s.subscription, { protocol: "sqs", endpoint: QUEUE_ARN });
        assert.deepEqual(await check(alertLambdaHasFailureDestination, [s.topic, s.alarm, s.fn, queueSubscription]), []);
    });

    it("finds the function by ARN, with or without a qualifier, when no dependency records it", async () => {
        const s = alertStack();
        const byValue = {
            ...withProps(s.subscription, { endpoint: `${FUNCTION_ARN}:live` }),
            propertyDependencies: { topic: [s.topic.urn] },
        };
        assert.deepEqual(await messages(alertLambdaHasFailureDestination, [s.topic, s.alarm, s.fn, byValue]), [NO_DESTINATION]);
    });

    it("passes in preview, when the destination is not known yet", async () => {
        const s = alertStack();
        const retries = withProps(s.retries, { destinationConfig: { onFailure: { destination: UNKNOWN_ON_THE_WIRE } } });
        const subscription = withProps(s.subscription, { topic: UNKNOWN_ON_THE_WIRE, endpoint: UNKNOWN_ON_THE_WIRE });
        assert.deepEqual(await check(alertLambdaHasFailureDestination, [s.topic, s.alarm, s.fn, subscription, retries]), []);
    });
});
