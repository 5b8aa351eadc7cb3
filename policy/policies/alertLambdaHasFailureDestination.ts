import type { StackValidationPolicy } from "@pulumi/policy";
import { alarmTopics, functionArnMatches, ofType, referenced, sameAs } from "../lib/graph";
import { NOT_YET_KNOWN, isSet, read, readString } from "../lib/props";
import { AWS } from "../lib/types";

export const alertLambdaHasFailureDestination: StackValidationPolicy = {
    name: "alert-lambda-has-failure-destination",
    description: "A Lambda function subscribed to an alarm topic has an on-failure destination or a dead-letter queue.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Add an aws.lambda.FunctionEventInvokeConfig for the function with destinationConfig.onFailure.destination set to an SQS queue or SNS topic, " +
        "or set the function's deadLetterConfig.targetArn.",
    validateStack: (args, reportViolation) => {
        const functions = ofType(args.resources, AWS.lambdaFunction);
        const invokeConfigs = ofType(args.resources, AWS.lambdaEventInvokeConfig);
        const subscriptions = ofType(args.resources, AWS.snsTopicSubscription);
        for (const topic of alarmTopics(args.resources)) {
            for (const subscription of subscriptions) {
                if (
                    readString(subscription.props, "protocol") !== "lambda" ||
                    referenced(subscription, "topic", [topic], sameAs(["arn"])).length === 0
                ) {
                    continue;
                }
                for (const fn of referenced(subscription, "endpoint", functions, functionArnMatches)) {
                    const deadLetter = read(read(fn.props, "deadLetterConfig"), "targetArn");
                    if (deadLetter === NOT_YET_KNOWN || isSet(deadLetter)) {
                        continue;
                    }
                    const hasOnFailure = invokeConfigs.some((config) => {
                        if (referenced(config, "functionName", [fn], functionArnMatches).length === 0) {
                            return false;
                        }
                        const destination = read(read(read(config.props, "destinationConfig"), "onFailure"), "destination");
                        return destination === NOT_YET_KNOWN || isSet(destination);
                    });
                    if (!hasOnFailure) {
                        reportViolation(
                            `Function "${fn.name}" is subscribed to alarm topic "${topic.name}" but has neither an on-failure destination nor a dead-letter queue, ` +
                                `so an alert that still fails after Lambda's retries is lost without a trace; add an aws.lambda.FunctionEventInvokeConfig with ` +
                                `destinationConfig.onFailure.destination, or set deadLetterConfig.targetArn.`,
                            fn.urn,
                        );
                    }
                }
            }
        }
    },
};
