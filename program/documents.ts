/**
 * The stack's policy documents: IAM role trust and permissions, bucket, topic and key policies.
 * Pure functions of the ARNs they name, so each reads as the document AWS stores; the components
 * serialize them with `pulumi.jsonStringify`.
 */
import * as pulumi from "@pulumi/pulumi";
import { REQUEST_KEY_PREFIX } from "../shared/confirm";

type Value = pulumi.Input<string>;

/** One statement of a policy document, with the values still to be resolved. */
export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | { Service?: Value } | { AWS?: Value };
    Action: string | string[];
    /** Absent in a role's trust policy, whose resource is the role. */
    Resource?: Value | Value[];
    Condition?: Record<string, Record<string, Value | Value[]>>;
}

/** An IAM policy document (version 2012-10-17). */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Statement[];
}

/** The account, region and partition the stack deploys to. */
export interface AwsEnv {
    account: pulumi.Output<string>;
    region: pulumi.Output<string>;
    partition: pulumi.Output<string>;
}

function document(...statements: Statement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** A role trust policy for one AWS service, with the conditions given. */
export function assumeRolePolicy(service: string, conditions?: Record<string, Record<string, Value>>): PolicyDocument {
    return document({
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(conditions ? { Condition: conditions } : {}),
    });
}

/** Only this trail may write to the bucket, under the prefixes given, and only over TLS. */
export function trailBucketPolicy(bucketArn: Value, trailArn: Value, writablePrefixes: Value | Value[]): PolicyDocument {
    return document(
        {
            Sid: "CloudTrailAclCheck",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
            Sid: "CloudTrailWrite",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: writablePrefixes,
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
        },
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    );
}

/** What CloudTrail's role may do: write the trail's log streams, nothing else. */
export function trailLogsPolicy(logGroupArn: Value): PolicyDocument {
    return document({
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: pulumi.interpolate`${logGroupArn}:log-stream:*`,
    });
}

/** The resources the function touches, each with exactly the calls it makes. */
export interface FunctionResources {
    webhookParameterArn: Value;
    trailLogGroupArn: Value;
    functionLogGroupArn: Value;
    stateTableArn: Value;
    deadLetterQueueArn: Value;
    /** The operators' topic, told of events Slack refused and of lookback gaps. */
    operatorTopicArn: Value;
    /** The topics' key when they are encrypted, and the region whose SNS uses it on the function's behalf. */
    topicKey?: { arn: Value; region: Value };
    /** The trail whose status the function reads, when it is known. */
    trailArn?: Value;
    /** The organization's member accounts, whose names and membership the function reads, when the stack serves one. */
    organizationAccountsArn?: Value;
    /**
     * "Was this you?": the Slack app's bot token and signing secret parameters (the function checks
     * each answer's signature again), and the account's IAM users
     * (`arn:<partition>:iam::<account>:user/*`), whose `email` tag says whom to ask.
     */
    confirm?: { botTokenParameterArn: Value; signingSecretParameterArn: Value; usersArn: Value };
}

/** "Was this you?": the Slack app's two parameters, and IAM users' tags, which say whom to ask. */
function askingStatements(confirm: NonNullable<FunctionResources["confirm"]>): Statement[] {
    return [
        {
            Sid: "ReadSlackApp",
            Effect: "Allow",
            Action: "ssm:GetParameter",
            Resource: [confirm.botTokenParameterArn, confirm.signingSecretParameterArn],
        },
        // IAM API Reference, ListUserTags: authorized on the user's ARN; users with a path are under user/ too.
        { Sid: "FindWhomToAsk", Effect: "Allow", Action: "iam:ListUserTags", Resource: confirm.usersArn },
    ];
}

/** The function's permissions: checked by evaluation in test/iam.spec.ts (and test/confirm.spec.ts), not by eye. */
export function functionPolicy(r: FunctionResources): PolicyDocument {
    return document(
        { Sid: "ReadWebhook", Effect: "Allow", Action: "ssm:GetParameter", Resource: r.webhookParameterArn },
        { Sid: "LookUpSignIns", Effect: "Allow", Action: "logs:FilterLogEvents", Resource: pulumi.interpolate`${r.trailLogGroupArn}:*` },
        {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${r.functionLogGroupArn}:log-stream:*`,
        },
        {
            Sid: "TrackPostedEvents",
            Effect: "Allow",
            // UpdateItem: each rule's lease taken and given up with its cursor, and the summary's
            // hourly tallies added to with ADD, which cannot race. GetItem: a rule's cursor where an
            // earlier version kept it, read until the rule's own item holds one.
            Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"],
            Resource: r.stateTableArn,
        },
        { Sid: "DeadLetter", Effect: "Allow", Action: "sqs:SendMessage", Resource: r.deadLetterQueueArn },
        ...(r.trailArn
            ? [{ Sid: "ReadTrailStatus", Effect: "Allow" as const, Action: "cloudtrail:GetTrailStatus", Resource: r.trailArn }]
            : []),
        { Sid: "TellOperators", Effect: "Allow", Action: "sns:Publish", Resource: r.operatorTopicArn },
        ...(r.confirm ? askingStatements(r.confirm) : []),
        ...(r.organizationAccountsArn
            ? [
                  {
                      Sid: "KnowMemberAccounts",
                      Effect: "Allow" as const,
                      Action: "organizations:DescribeAccount",
                      Resource: r.organizationAccountsArn,
                  },
              ]
            : []),
        // A publisher to an encrypted topic needs kms:GenerateDataKey* and kms:Decrypt on its key
        // (SNS Developer Guide, "Encryption at rest"); only through SNS, not to use the key directly.
        ...(r.topicKey
            ? [
                  {
                      Sid: "EncryptForOperators",
                      Effect: "Allow" as const,
                      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                      Resource: r.topicKey.arn,
                      Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`sns.${r.topicKey.region}.amazonaws.com` } },
                  },
              ]
            : []),
    );
}

/** The organization's StackSet, whose drift the function checks, and who administers it. */
export interface DriftCheckResources {
    /** `arn:<partition>:cloudformation:<region>:<account>:stackset/<name>:*`, the id after the name being CloudFormation's. */
    stackSetArn: Value;
    /** A delegated administrator calls CloudFormation with CallAs DELEGATED_ADMIN. */
    delegatedAdministrator: boolean;
}

/**
 * What the function needs, beside its own policy, to check the organization's StackSet for drift:
 * start a detection, read its operation and list the drifted instances (CloudFormation API
 * Reference: DetectStackSetDrift, DescribeStackSetOperation, ListStackInstances), on that StackSet
 * alone. A delegated administrator needs organizations:ListDelegatedAdministrators too (CloudFormation
 * User Guide, "Register a delegated administrator member account"), an action that takes no resource
 * (Service Authorization Reference, AWS Organizations): "*" is its only form.
 */
export function driftCheckPolicy(r: DriftCheckResources): PolicyDocument {
    return document(
        {
            Sid: "CheckStackSetDrift",
            Effect: "Allow",
            Action: ["cloudformation:DetectStackSetDrift", "cloudformation:DescribeStackSetOperation", "cloudformation:ListStackInstances"],
            Resource: r.stackSetArn,
        },
        ...(r.delegatedAdministrator
            ? [
                  {
                      Sid: "ActAsDelegatedAdministrator",
                      Effect: "Allow" as const,
                      Action: "organizations:ListDelegatedAdministrators",
                      Resource: "*",
                  },
              ]
            : []),
    );
}

/**
 * A topic policy that lets CloudWatch publish, for this account's given alarms only, and keeps
 * everyone else from publishing, whatever their own policies allow: a principal of the account
 * with sns:Publish could otherwise forge an alarm's notification (IAM User Guide, "Policy
 * evaluation logic": within an account, an identity policy's Allow suffices unless a Deny applies).
 * `publishers` are roles that publish with an identity policy of their own (the function, to the
 * operators' topic). Changing the policy stays the deployer's: only sns:Publish is denied.
 */
export function cloudWatchPublishPolicy(topicArn: Value, account: Value, alarmArns: Value[], publishers: Value[] = []): PolicyDocument {
    return document(
        {
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": alarmArns } },
        },
        {
            Sid: "NoOtherPublishers",
            Effect: "Deny",
            Principal: "*",
            Action: "sns:Publish",
            Resource: topicArn,
            // aws:SourceArn is set by AWS only, for a service acting for a resource: the Allow above
            // already depends on it. A request without it (any IAM principal) matches ArnNotLike, as a
            // negated operator matches a missing key (IAM User Guide, "Condition operators"), and
            // conditions are ANDed, so a listed role is spared by its aws:PrincipalArn.
            Condition: {
                ArnNotLike: { "aws:SourceArn": alarmArns },
                ...(publishers.length > 0 ? { ArnNotEquals: { "aws:PrincipalArn": publishers } } : {}),
            },
        },
    );
}

/** A key policy: the account administers the key, and the services given use it. */
export function keyPolicy(env: AwsEnv, serviceStatements: Statement[]): PolicyDocument {
    return document(
        // Key policies refer to their own key as "*".
        {
            Sid: "AccountAdministers",
            Effect: "Allow",
            Principal: { AWS: pulumi.interpolate`arn:${env.partition}:iam::${env.account}:root` },
            Action: "kms:*",
            Resource: "*",
        },
        ...serviceStatements,
    );
}

/** CloudWatch may encrypt alarm notifications for this account's topics. */
export function topicKeyStatements(env: AwsEnv): Statement[] {
    return [
        {
            Sid: "CloudWatchPublishes",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": env.account } },
        },
    ];
}

/** This trail may encrypt its log files, and CloudWatch Logs this account's log groups. */
export function trailKeyStatements(env: AwsEnv, trailArn: Value): Statement[] {
    const { account, region, partition } = env;
    return [
        {
            Sid: "CloudTrailEncrypts",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
            Sid: "CloudWatchLogsEncrypts",
            Effect: "Allow",
            Principal: { Service: pulumi.interpolate`logs.${region}.amazonaws.com` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: {
                ArnLike: {
                    "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:*`,
                },
            },
        },
    ];
}

/** The resources the answer endpoint touches ("Was this you?"). */
export interface AnswersResources {
    signingSecretParameterArn: Value;
    stateTableArn: Value;
    notifierFunctionArn: Value;
    logGroupArn: Value;
}

/**
 * The answer endpoint's permissions: read the signing secret, record each request it takes (only
 * under REQUEST_KEY_PREFIX: DynamoDB Developer Guide, "Using IAM policy conditions for fine-grained
 * access control", dynamodb:LeadingKeys is the item's partition key, so the endpoint can neither
 * overwrite nor forge the notifier's items), hand the answer to the notifier, and write its logs.
 * Checked by evaluation in test/confirm.spec.ts.
 */
export function answersPolicy(r: AnswersResources): PolicyDocument {
    return document(
        { Sid: "ReadSigningSecret", Effect: "Allow", Action: "ssm:GetParameter", Resource: r.signingSecretParameterArn },
        {
            Sid: "RefuseReplays",
            Effect: "Allow",
            Action: "dynamodb:PutItem",
            Resource: r.stateTableArn,
            Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${REQUEST_KEY_PREFIX}*`] } },
        },
        { Sid: "HandOverAnswers", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: r.notifierFunctionArn },
        {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${r.logGroupArn}:log-stream:*`,
        },
    );
}

/** What a schedule's role (the summary's, the drift check's) may do: invoke the function, nothing else. */
export function invokeFunctionPolicy(functionArn: Value): PolicyDocument {
    return document({ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: functionArn });
}

/** What EventBridge's forwarding role may do: put events on the stack's sign-in bus, nothing else. */
export function forwardingPolicy(busArn: Value): PolicyDocument {
    return document({ Effect: "Allow", Action: "events:PutEvents", Resource: busArn });
}
