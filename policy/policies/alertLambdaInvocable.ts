import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { alarmInvokedFunctions, alarmTopicFunctions, functionArnMatches, ofType, referenced } from "../lib/graph";
import type { Statement } from "../lib/iam";
import { NOT_YET_KNOWN, isSet, read, readString, type NotYetKnown } from "../lib/props";
import { PLACEHOLDER_ACCOUNT, resourcePolicyAllows, resourcePolicyMayAllow, type Request } from "../lib/simulate";
import { AWS } from "../lib/types";

/** The principal CloudWatch alarms invoke Lambda functions as. https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-actions-Lambda */
const ALARMS_PRINCIPAL = "lambda.alarms.cloudwatch.amazonaws.com";
const SNS_PRINCIPAL = "sns.amazonaws.com";

/**
 * The function's resource policy as the stack's aws.lambda.Permission resources make it: each one
 * statement, as Lambda's AddPermission writes it. NOT_YET_KNOWN while a permission's settings are.
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
function functionPolicy(resources: PolicyResource[], fn: PolicyResource, functionArn: string): Statement[] | NotYetKnown {
    const statements: Statement[] = [];
    for (const permission of ofType(resources, AWS.lambdaPermission)) {
        if (referenced(permission, "function", [fn], functionArnMatches).length === 0) {
            continue;
        }
        const [action, principal, sourceArn, sourceAccount] = ["action", "principal", "sourceArn", "sourceAccount"].map((p) =>
            read(permission.props, p),
        );
        if ([action, principal, sourceArn, sourceAccount].includes(NOT_YET_KNOWN)) {
            return NOT_YET_KNOWN;
        }
        const condition: Record<string, Record<string, unknown>> = {};
        if (isSet(sourceArn)) {
            condition["ArnLike"] = { "AWS:SourceArn": sourceArn };
        }
        if (isSet(sourceAccount)) {
            condition["StringEquals"] = { "AWS:SourceAccount": sourceAccount };
        }
        const who = typeof principal === "string" && principal.endsWith(".amazonaws.com") ? { Service: principal } : { AWS: principal };
        statements.push({ Effect: "Allow", Principal: who, Action: action, Resource: functionArn, Condition: condition });
    }
    return statements;
}

/** Whether the service may invoke the function for the source (Discovery mode while the source's ARN is unknown). */
async function mayInvoke(statements: Statement[], principal: string, functionArn: string, sourceArn: string | undefined): Promise<boolean> {
    const account = functionArn.split(":")[4] || PLACEHOLDER_ACCOUNT;
    const request: Request = { principal, action: "lambda:InvokeFunction", resource: functionArn, account };
    if (!sourceArn) {
        return (await resourcePolicyMayAllow(statements, request)) === "allowed";
    }
    const context = { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceArn.split(":")[4] ?? account };
    return (await resourcePolicyAllows(statements, { ...request, context })) === "allowed";
}

function functionArnOf(fn: PolicyResource): string {
    const arn = readString(fn.props, "arn");
    const name = readString(fn.props, "name");
    return typeof arn === "string"
        ? arn
        : `arn:aws:lambda:us-east-1:${PLACEHOLDER_ACCOUNT}:function:${typeof name === "string" ? name : fn.name}`;
}

function alarmArnOf(alarm: PolicyResource, fnArn: string): string | undefined {
    const arn = readString(alarm.props, "arn");
    const name = readString(alarm.props, "name");
    const [, partition, , region, account] = fnArn.split(":");
    if (typeof arn === "string") {
        return arn;
    }
    return typeof name === "string" && account !== PLACEHOLDER_ACCOUNT
        ? `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`
        : undefined;
}

async function checkSource(
    resources: PolicyResource[],
    fn: PolicyResource,
    source: { principal: string; arn: string | undefined; message: string },
    reportViolation: ReportViolation,
): Promise<void> {
    const fnArn = functionArnOf(fn);
    const statements = functionPolicy(resources, fn, fnArn);
    if (statements !== NOT_YET_KNOWN && !(await mayInvoke(statements, source.principal, fnArn, source.arn))) {
        reportViolation(source.message, fn.urn);
    }
}

// Advisory: a function's resource policy is a set of statements that any stack, or anyone with
// lambda:AddPermission, can add to; a permission granted outside this stack is invisible to the pack.
export const alertLambdaInvocable: StackValidationPolicy = {
    name: "alert-lambda-invocable",
    description:
        "A Lambda function subscribed to an alarm topic, or invoked by an alarm directly, has an aws.lambda.Permission that lets that topic or alarm invoke it.",
    enforcementLevel: "advisory",
    remediationSteps:
        'Add an aws.lambda.Permission with action "lambda:InvokeFunction", the function, and principal "sns.amazonaws.com" with sourceArn the topic\'s ARN ' +
        `(for a subscription), or principal "${ALARMS_PRINCIPAL}" with sourceArn the alarm's ARN (for an alarm action).`,
    validateStack: async (args, reportViolation) => {
        for (const { fn, topic } of alarmTopicFunctions(args.resources)) {
            const topicArn = readString(topic.props, "arn");
            await checkSource(
                args.resources,
                fn,
                {
                    principal: SNS_PRINCIPAL,
                    arn: typeof topicArn === "string" ? topicArn : undefined,
                    message:
                        `Function "${fn.name}" is subscribed to alarm topic "${topic.name}", but no aws.lambda.Permission lets sns.amazonaws.com invoke it for that topic, ` +
                        `so SNS cannot deliver a single alert; add an aws.lambda.Permission for lambda:InvokeFunction with principal "sns.amazonaws.com" and sourceArn the topic's ARN.`,
                },
                reportViolation,
            );
        }
        for (const { fn, alarm } of alarmInvokedFunctions(args.resources)) {
            await checkSource(
                args.resources,
                fn,
                {
                    principal: ALARMS_PRINCIPAL,
                    arn: alarmArnOf(alarm, functionArnOf(fn)),
                    message:
                        `Function "${fn.name}" is an action of alarm "${alarm.name}", but no aws.lambda.Permission lets ${ALARMS_PRINCIPAL} invoke it for that alarm, ` +
                        `so the alarm's action fails every time; add an aws.lambda.Permission for lambda:InvokeFunction with principal "${ALARMS_PRINCIPAL}" and sourceArn the alarm's ARN.`,
                },
                reportViolation,
            );
        }
    },
};
