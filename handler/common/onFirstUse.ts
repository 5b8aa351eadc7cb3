/**
 * The value `make` gives, made on first use. Each AWS SDK client the function still takes from the
 * Lambda runtime loads its package (the SDK's core and one client cost a cold start some 60 ms) only
 * when an invocation needs it: a sign-in's path needs none of them (SSM, CloudWatch Logs and
 * DynamoDB are the function's own requests, common/awsJson.ts); CloudTrail is read by scheduled
 * sweeps, SNS only to tell the operators something.
 */
export function onFirstUse<T>(make: () => T): () => T {
    let made: { value: T } | undefined;
    return () => (made ??= { value: make() }).value;
}
