/**
 * The value `make` gives, made on first use. Each SDK client loads its package (the SSM client alone
 * adds about 130 ms to a cold start) only when an invocation needs it: a console sign-in EventBridge
 * brings needs neither CloudTrail (read by scheduled sweeps) nor, unless an IAM Identity Center role
 * signed in, CloudWatch Logs (read by lookups); SNS is needed only to tell the operators something.
 */
export function onFirstUse<T>(make: () => T): () => T {
    let made: { value: T } | undefined;
    return () => (made ??= { value: make() }).value;
}
