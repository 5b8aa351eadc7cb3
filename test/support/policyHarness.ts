/**
 * Runs a policy from policy/policies/ against hand-built resources and collects what it reports.
 * Resources are built in the engine's wire form (tools/engineWire.ts) and handed over by
 * tools/policyCheck.ts, the same adapter the offline plan uses, so a test sees exactly what
 * `pulumi preview` would show a policy.
 */
import { ARCHIVE_SIG, ASSET_SIG, SECRET_SIG, SIG_KEY, UNKNOWN_ON_THE_WIRE, type EngineResource } from "../../tools/engineWire";
import { runResourcePolicy, runStackPolicy, type AnyPolicy, type PolicyPackConfig, type Violation } from "../../tools/policyCheck";

export { UNKNOWN_ON_THE_WIRE, type EngineResource, type Violation };

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:dev::console-login-alerts::${type}::${name}`;
}

export interface ResourceSpec {
    type: string;
    name: string;
    inputs?: Record<string, unknown>;
    /** Defaults to the inputs: after an update, outputs echo them. */
    outputs?: Record<string, unknown>;
    /** Property name → resources it was computed from. */
    dependsOn?: Record<string, EngineResource[]>;
}

export function resource(spec: ResourceSpec): EngineResource {
    const inputs = spec.inputs ?? {};
    const propertyDependencies = Object.fromEntries(Object.entries(spec.dependsOn ?? {}).map(([k, rs]) => [k, rs.map((r) => r.urn)]));
    return {
        urn: urnOf(spec.type, spec.name),
        type: spec.type,
        name: spec.name,
        dependencies: [...new Set(Object.values(propertyDependencies).flat())],
        propertyDependencies,
        inputs,
        outputs: { ...inputs, ...(spec.outputs ?? {}) },
    };
}

/** A copy with some inputs (and the matching outputs) replaced; `undefined` removes one. */
export function withProps(r: EngineResource, changes: Record<string, unknown>): EngineResource {
    const apply = (props: Record<string, unknown>) => {
        const out = { ...props };
        for (const [k, v] of Object.entries(changes)) {
            if (v === undefined) {
                delete out[k];
            } else {
                out[k] = v;
            }
        }
        return out;
    };
    return { ...r, inputs: apply(r.inputs), outputs: apply(r.outputs) };
}

/** A copy whose property no longer depends on other resources (a hard-coded value). */
export function withoutDependency(r: EngineResource, prop: string): EngineResource {
    const propertyDependencies = { ...r.propertyDependencies };
    delete propertyDependencies[prop];
    return { ...r, propertyDependencies };
}

export function replace(resources: EngineResource[], changed: EngineResource): EngineResource[] {
    return resources.map((r) => (r.urn === changed.urn ? changed : r));
}

export function secret(value: unknown): Record<string, unknown> {
    return { [SIG_KEY]: SECRET_SIG, value };
}

export function stringAsset(text: string): Record<string, unknown> {
    return { [SIG_KEY]: ASSET_SIG, text };
}

export function fileArchive(path: string): Record<string, unknown> {
    return { [SIG_KEY]: ARCHIVE_SIG, path };
}

export function assetArchive(assets: Record<string, unknown>): Record<string, unknown> {
    return { [SIG_KEY]: ARCHIVE_SIG, assets };
}

export function policyDocument(...statements: Array<Record<string, unknown>>): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * What a policy reports for these resources: a resource policy is run on each one (as the engine's
 * Analyze calls are), a stack policy once over all of them (AnalyzeStack).
 */
export async function check(policy: AnyPolicy, resources: EngineResource[], config: PolicyPackConfig = {}): Promise<Violation[]> {
    if ("validateStack" in policy) {
        return runStackPolicy(policy, resources, config);
    }
    const out: Violation[] = [];
    for (const r of resources) {
        out.push(...(await runResourcePolicy(policy, r, config)));
    }
    return out;
}

/** The messages a policy reports, for exact-text assertions. */
export async function messages(policy: AnyPolicy, resources: EngineResource[], config: PolicyPackConfig = {}): Promise<string[]> {
    return (await check(policy, resources, config)).map((v) => v.message);
}

/** A metric filter alerting on console sign-ins in a log group (by dependency when the group is a resource of the stack). */
export function signInFilter(
    name: string,
    logGroup: EngineResource | string,
    pattern = '{ $.eventName = "ConsoleLogin" }',
): EngineResource {
    const groupName = typeof logGroup === "string" ? logGroup : String(logGroup.outputs["name"] ?? logGroup.name);
    return resource({
        type: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        name,
        inputs: {
            logGroupName: groupName,
            pattern,
            metricTransformation: { name: "console-signin", namespace: "ConsoleLoginAlerts", value: "1" },
        },
        dependsOn: typeof logGroup === "string" ? {} : { logGroupName: [logGroup] },
    });
}

/** The least a sign-in trail can be: its log group, a trail writing to it, and a sign-in filter reading it. */
export function bareSignInTrail(filterPattern?: string) {
    const logGroup = resource({
        type: "aws:cloudwatch/logGroup:LogGroup",
        name: "trail-logs",
        outputs: { name: "trail-logs-18a1fb5", arn: GROUP_ARN },
    });
    const trail = resource({
        type: "aws:cloudtrail/trail:Trail",
        name: "trail",
        inputs: { name: "login-alerts-dev", s3BucketName: "trail-bucket", cloudWatchLogsGroupArn: `${GROUP_ARN}:*` },
        dependsOn: { cloudWatchLogsGroupArn: [logGroup] },
    });
    return { logGroup, trail, filter: signInFilter("signin-filter", logGroup, filterPattern) };
}

/** A property as a first preview sends it: unknown when computed from another resource's ARN. */
function previewValue(value: unknown, dependsOnStack: boolean): unknown {
    return dependsOnStack && /arn:aws[\w-]*:/.test(JSON.stringify(value) ?? "") ? UNKNOWN_ON_THE_WIRE : value;
}

/**
 * The stack as a first preview presents it: nothing is created yet, so every ARN is unknown, and so
 * is every property computed from one (a policy document naming a group's ARN, a topic's ARN in
 * alarmActions); references then show only in property dependencies. Hard-coded values (an ARN of
 * something outside the stack) and names are known.
 */
export function asFirstPreview(resources: EngineResource[]): EngineResource[] {
    const preview = (r: EngineResource, props: Record<string, unknown>, outputs: boolean) =>
        Object.fromEntries(
            Object.entries(props).map(([k, v]) => [
                k,
                outputs && k === "arn" ? UNKNOWN_ON_THE_WIRE : previewValue(v, (r.propertyDependencies[k] ?? []).length > 0),
            ]),
        );
    return resources.map((r) => ({ ...r, inputs: preview(r, r.inputs, false), outputs: preview(r, r.outputs, true) }));
}

/** A value of the recorded program as a first preview sends it: every ARN, and every string holding one, unknown. */
function arnsUnknown(value: unknown): unknown {
    if (typeof value === "string") {
        return /arn:aws[\w-]*:/.test(value) ? UNKNOWN_ON_THE_WIRE : value;
    }
    if (Array.isArray(value)) {
        return value.map(arnsUnknown);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "arn" ? UNKNOWN_ON_THE_WIRE : arnsUnknown(v)]));
    }
    return value;
}

/**
 * The recorded program's resources as a first preview sends them, without property dependencies to
 * go by: every ARN in their inputs and outputs unknown (asFirstPreview, above, is the finer reading
 * for hand-built stacks, which declare their dependencies).
 */
export function withEveryArnUnknown(resources: EngineResource[]): EngineResource[] {
    return resources.map((r) => ({
        ...r,
        inputs: arnsUnknown(r.inputs) as Record<string, unknown>,
        outputs: arnsUnknown(r.outputs) as Record<string, unknown>,
    }));
}

/*
 * A well-built sign-in alert stack, wired as console-login-alerts wires its own (trail → log group →
 * metric filter → alarm → topic → function), every resource named so a test can break one thing.
 */
export const GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:trail-logs-18a1fb5`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/trail-logs-role-d38dee3`;
export const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/login-alerts-dev`;
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:alarms-e88e06f`;
export const ALARM_ARN = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:signin-alarm-1c120a3`;
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:alerts-36cefb3`;
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:alerts-dead-letters-9bc6a97`;

export const trustCloudTrailFor = (trailArn: string) =>
    policyDocument({
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
    });

export const writeStreams = (actions: string[]) =>
    policyDocument({ Effect: "Allow", Action: actions, Resource: `${GROUP_ARN}:log-stream:*` });

export const publishForAlarms = (alarmArns: string[]) =>
    policyDocument({
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: TOPIC_ARN,
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": alarmArns } },
    });

export interface SignInStack {
    logGroup: EngineResource;
    role: EngineResource;
    rolePolicy: EngineResource;
    trail: EngineResource;
    filter: EngineResource;
    topic: EngineResource;
    alarm: EngineResource;
    topicPolicy: EngineResource;
    fn: EngineResource;
    subscription: EngineResource;
    permission: EngineResource;
    retries: EngineResource;
}

/** A trail that delivers to its log group through a role only it may assume, and a sign-in filter on that group. */
export function signInTrail() {
    const logGroup = resource({
        type: "aws:cloudwatch/logGroup:LogGroup",
        name: "trail-logs",
        inputs: { retentionInDays: 365 },
        outputs: { name: "trail-logs-18a1fb5", arn: GROUP_ARN },
    });
    const role = resource({
        type: "aws:iam/role:Role",
        name: "trail-logs-role",
        inputs: { assumeRolePolicy: trustCloudTrailFor(TRAIL_ARN) },
        outputs: { name: "trail-logs-role-d38dee3", arn: ROLE_ARN },
    });
    const rolePolicy = resource({
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "trail-logs-policy",
        inputs: { role: "trail-logs-role-d38dee3", policy: writeStreams(["logs:CreateLogStream", "logs:PutLogEvents"]) },
        dependsOn: { role: [role], policy: [logGroup] },
    });
    const trail = resource({
        type: "aws:cloudtrail/trail:Trail",
        name: "trail",
        inputs: {
            name: "login-alerts-dev",
            s3BucketName: "trail-bucket-ae6c78e",
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogFileValidation: true,
            cloudWatchLogsGroupArn: `${GROUP_ARN}:*`,
            cloudWatchLogsRoleArn: ROLE_ARN,
        },
        outputs: { arn: TRAIL_ARN },
        dependsOn: { cloudWatchLogsGroupArn: [logGroup], cloudWatchLogsRoleArn: [role] },
    });
    return { logGroup, role, rolePolicy, trail, filter: signInFilter("signin-filter", logGroup) };
}

function alertPart() {
    const topic = resource({ type: "aws:sns/topic:Topic", name: "alarms", outputs: { name: "alarms-e88e06f", arn: TOPIC_ARN } });
    const alarm = resource({
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name: "signin-alarm",
        inputs: {
            name: "signin-alarm-1c120a3",
            metricName: "console-signin",
            namespace: "ConsoleLoginAlerts",
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            evaluationPeriods: 1,
            period: 60,
            statistic: "Sum",
            threshold: 1,
            alarmActions: [TOPIC_ARN],
        },
        outputs: { arn: ALARM_ARN },
        dependsOn: { alarmActions: [topic] },
    });
    const topicPolicy = resource({
        type: "aws:sns/topicPolicy:TopicPolicy",
        name: "alarms-policy",
        inputs: { arn: TOPIC_ARN, policy: publishForAlarms([ALARM_ARN]) },
        dependsOn: { arn: [topic], policy: [topic, alarm] },
    });
    return { topic, alarm, topicPolicy };
}

function functionPart(topic: EngineResource) {
    const fn = resource({
        type: "aws:lambda/function:Function",
        name: "alerts",
        inputs: { runtime: "nodejs22.x", handler: "index.handler", role: `arn:aws:iam::${ACCOUNT}:role/alerts-role` },
        outputs: { name: "alerts-36cefb3", arn: FUNCTION_ARN },
    });
    const subscription = resource({
        type: "aws:sns/topicSubscription:TopicSubscription",
        name: "alarms-subscription",
        inputs: { topic: TOPIC_ARN, protocol: "lambda", endpoint: FUNCTION_ARN },
        dependsOn: { topic: [topic], endpoint: [fn] },
    });
    const permission = resource({
        type: "aws:lambda/permission:Permission",
        name: "alarms-invoke",
        inputs: { action: "lambda:InvokeFunction", function: "alerts-36cefb3", principal: "sns.amazonaws.com", sourceArn: TOPIC_ARN },
        dependsOn: { function: [fn], sourceArn: [topic] },
    });
    const retries = resource({
        type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        name: "alerts-retries",
        inputs: { functionName: "alerts-36cefb3", destinationConfig: { onFailure: { destination: QUEUE_ARN } } },
        dependsOn: { functionName: [fn] },
    });
    return { fn, subscription, permission, retries };
}

export function signInStack(): SignInStack {
    const alerts = alertPart();
    return { ...signInTrail(), ...alerts, ...functionPart(alerts.topic) };
}

export function allOf(s: SignInStack): EngineResource[] {
    return Object.values(s);
}
