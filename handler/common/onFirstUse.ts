/**
 * The value `make` gives, made on first use. Each AWS SDK client the function still takes from the
 * Lambda runtime loads its package (the SDK's core and one client cost a cold start some 60 ms) only
 * when an invocation needs it: a sign-in's path and a sweep need none of them (SSM, CloudWatch Logs,
 * DynamoDB, Organizations and CloudTrail are the function's own requests, common/awsJson.ts); SNS is
 * needed only to tell the operators something, IAM only to ask "Was this you?", CloudFormation only
 * for the StackSet's drift.
 */
export function onFirstUse<T>(make: () => T): () => T {
    let made: { value: T } | undefined;
    return () => (made ??= { value: make() }).value;
}
