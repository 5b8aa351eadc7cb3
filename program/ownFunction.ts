/**
 * A Lambda function with what is its own: the log group it writes to, a role only it assumes, and
 * that role's inline policy, made knowing the log group. The function depends on the policy, so it
 * is never invoked without its permissions. The notifier and the answer endpoint are each one.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, type PolicyDocument } from "./documents";
import { FUNCTION_HANDLER } from "./functionPackage";
import { DNS_SUFFIX_VARIABLE } from "../shared/contract";

export interface OwnFunctionArgs {
    /** The resource names of the log group, role, policy and function. */
    names: { logs: string; role: string; policy: string; function: string };
    logRetentionDays: number;
    /** The role's permissions, which name the function's own log group. */
    policy: (logGroupArn: pulumi.Output<string>) => PolicyDocument;
    description: string;
    code: pulumi.asset.AssetArchive;
    timeoutSeconds: number;
    environment: Record<string, pulumi.Input<string>>;
}

/**
 * Every function of the stack runs the bundled handler on Node 22 with 256 MB, logging plain text to
 * its own group. Each signs its own AWS requests (handler/common/awsJson.ts) and so is told the DNS
 * suffix of the partition's endpoints (amazonaws.com, amazonaws.com.cn), as the provider answers it.
 */
export function ownFunction(args: OwnFunctionArgs, opts: pulumi.CustomResourceOptions): aws.lambda.Function {
    const logGroup = new aws.cloudwatch.LogGroup(args.names.logs, { retentionInDays: args.logRetentionDays }, opts);
    const role = new aws.iam.Role(
        args.names.role,
        { assumeRolePolicy: pulumi.jsonStringify(assumeRolePolicy("lambda.amazonaws.com")) },
        opts,
    );
    const policy = new aws.iam.RolePolicy(
        args.names.policy,
        { role: role.id, policy: pulumi.jsonStringify(args.policy(logGroup.arn)) },
        opts,
    );
    return new aws.lambda.Function(
        args.names.function,
        {
            description: args.description,
            code: args.code,
            handler: FUNCTION_HANDLER,
            role: role.arn,
            runtime: aws.lambda.Runtime.NodeJS22dX,
            memorySize: 256,
            timeout: args.timeoutSeconds,
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            environment: {
                variables: {
                    ...args.environment,
                    [DNS_SUFFIX_VARIABLE]: aws.getPartitionOutput({}, { parent: opts.parent }).dnsSuffix,
                },
            },
        },
        { ...opts, dependsOn: [policy] },
    );
}
