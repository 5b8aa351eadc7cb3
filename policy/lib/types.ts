/**
 * The type tokens of the AWS resources the pack reads. The engine gives every resource its token
 * (`args.type`), so the pack compares strings instead of importing @pulumi/aws for its classes:
 * that package is most of an install's size and is not needed to judge a resource's inputs.
 * Tokens as the AWS provider declares them (`__pulumiType` of each generated class).
 */
export const AWS = {
    trail: "aws:cloudtrail/trail:Trail",
    eventBus: "aws:cloudwatch/eventBus:EventBus",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    logMetricFilter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    policy: "aws:iam/policy:Policy",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
    kmsKey: "aws:kms/key:Key",
    kmsAlias: "aws:kms/alias:Alias",
    kmsKeyPolicy: "aws:kms/keyPolicy:KeyPolicy",
    lambdaFunction: "aws:lambda/function:Function",
    lambdaEventInvokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    lambdaPermission: "aws:lambda/permission:Permission",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    ssmParameter: "aws:ssm/parameter:Parameter",
    snsTopic: "aws:sns/topic:Topic",
    snsTopicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    snsTopicSubscription: "aws:sns/topicSubscription:TopicSubscription",
} as const;

export type AwsType = (typeof AWS)[keyof typeof AWS];
