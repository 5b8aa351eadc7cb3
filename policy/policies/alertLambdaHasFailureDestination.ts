import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { alarmInvokedFunctions, alarmTopicFunctions, functionArnMatches, ofType, referenced } from "../lib/graph";
import { NOT_YET_KNOWN, isSet, read } from "../lib/props";
import { AWS } from "../lib/types";

function hasFailureDestination(resources: PolicyResource[], fn: PolicyResource): boolean {
    const deadLetter = read(read(fn.props, "deadLetterConfig"), "targetArn");
    if (deadLetter === NOT_YET_KNOWN || isSet(deadLetter)) {
        return true;
    }
    return ofType(resources, AWS.lambdaEventInvokeConfig).some((config) => {
        if (referenced(config, "functionName", [fn], functionArnMatches).length === 0) {
            return false;
        }
        const destination = read(read(read(config.props, "destinationConfig"), "onFailure"), "destination");
        return destination === NOT_YET_KNOWN || isSet(destination);
    });
}

const FIX = "add an aws.lambda.FunctionEventInvokeConfig with destinationConfig.onFailure.destination, or set deadLetterConfig.targetArn.";

// Both SNS and CloudWatch alarms invoke a function asynchronously: after Lambda's retries, a failed
// event is discarded unless it has somewhere to go.
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-actions-Lambda
export const alertLambdaHasFailureDestination: StackValidationPolicy = {
    name: "alert-lambda-has-failure-destination",
    description:
        "A Lambda function subscribed to an alarm topic, or invoked by an alarm directly, has an on-failure destination or a dead-letter queue.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Add an aws.lambda.FunctionEventInvokeConfig for the function with destinationConfig.onFailure.destination set to an SQS queue or SNS topic, " +
        "or set the function's deadLetterConfig.targetArn.",
    validateStack: (args, reportViolation) => {
        for (const { fn, topic } of alarmTopicFunctions(args.resources)) {
            if (!hasFailureDestination(args.resources, fn)) {
                reportViolation(
                    `Function "${fn.name}" is subscribed to alarm topic "${topic.name}" but has neither an on-failure destination nor a dead-letter queue, ` +
                        `so an alert that still fails after Lambda's retries is lost without a trace; ${FIX}`,
                    fn.urn,
                );
            }
        }
        for (const { fn, alarm } of alarmInvokedFunctions(args.resources)) {
            if (!hasFailureDestination(args.resources, fn)) {
                reportViolation(
                    `Function "${fn.name}" is invoked by alarm "${alarm.name}" but has neither an on-failure destination nor a dead-letter queue, ` +
                        `so an alert that still fails after Lambda's retries is lost without a trace; ${FIX}`,
                    fn.urn,
                );
            }
        }
    },
};
