/**
 * What the stack watches so that nobody blinds it unseen: for every kind of resource it creates,
 * the calls that delete, disable, re-point, re-permission or throttle it, and the request parameter
 * that names it. Both the tampering rules' CloudWatch Logs patterns and the fast path's EventBridge
 * branch are generated from this one table.
 *
 * Field names are each API's request parameters as CloudTrail records them (CloudTrail User Guide,
 * "CloudTrail record contents": requestParameters are the parameters documented in the service's
 * API reference, first letter lower-case). Only management events are watched: a trail records
 * them by default, and every call here is one (data events such as DynamoDB's PutItem are not).
 * Lambda records its calls under versioned names (DeleteFunction20150331,
 * UpdateFunctionConfiguration20150331v2: Lambda Developer Guide, "Logging Lambda API calls using
 * CloudTrail"), hence the wildcards.
 */
import { COMPONENT_NAME } from "./names";

/** The rules the table's entries are split between, each within CloudWatch Logs' 1,024-character pattern limit. */
export const TAMPERING_RULE_IDS = ["trail-tampering", "function-tampering", "delivery-tampering"] as const;
export type TamperingRuleId = (typeof TAMPERING_RULE_IDS)[number];

export interface WatchEntry {
    /** The @pulumi/aws resource types whose resources these calls act on. */
    types: readonly string[];
    /** Event names as CloudTrail records them; `*` matches any run of characters. */
    calls: readonly string[];
    /** The request parameter naming the resource (`[*]` for a list), and what this stack's names look like there; absent: any resource. */
    names?: { parameter: string; value: string };
    rule: TamperingRuleId;
    /** Why the calls are watched as they are, when the table alone does not say. */
    why?: string;
}

// Every name the component generates starts with its name (autonaming adds a suffix); ARNs and
// URLs carry the name after a prefix, hence the leading wildcard there.
const OWN = `${COMPONENT_NAME}-*`;
const OWN_IN_ARN = `*:${COMPONENT_NAME}-*`;
const OWN_ANYWHERE = `*${COMPONENT_NAME}-*`;

export const WATCH_LIST: readonly WatchEntry[] = [
    {
        types: ["aws:cloudtrail/trail:Trail"],
        calls: ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors"],
        rule: "trail-tampering",
        why: "any trail: a stack that reads an existing trail cannot know its name",
    },
    {
        types: [
            "aws:s3/bucket:Bucket",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        ],
        calls: ["PutBucket*", "DeleteBucket*"],
        names: { parameter: "bucketName", value: OWN },
        rule: "trail-tampering",
    },
    {
        types: ["aws:cloudwatch/logGroup:LogGroup"],
        calls: ["DeleteLogGroup", "PutRetentionPolicy", "*KmsKey"],
        names: { parameter: "logGroupName", value: OWN_ANYWHERE },
        rule: "trail-tampering",
    },
    {
        types: ["aws:cloudwatch/logMetricFilter:LogMetricFilter"],
        calls: ["*MetricFilter"],
        names: { parameter: "filterName", value: OWN },
        rule: "trail-tampering",
    },
    {
        types: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
        calls: ["DeleteAlarms", "DisableAlarmActions"],
        names: { parameter: "alarmNames[*]", value: OWN },
        rule: "trail-tampering",
    },
    {
        types: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
        calls: ["PutMetricAlarm", "SetAlarmState"],
        names: { parameter: "alarmName", value: OWN },
        rule: "trail-tampering",
        why: "a new threshold silences an alarm; a forced OK hides a real ALARM",
    },
    {
        types: [
            "aws:lambda/function:Function",
            "aws:lambda/permission:Permission",
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
            "aws:lambda/functionUrl:FunctionUrl",
        ],
        calls: ["DeleteFunction*", "UpdateFunction*", "PutFunction*", "RemovePermission20*", "AddPermission20*"],
        names: { parameter: "functionName", value: OWN_ANYWHERE },
        rule: "function-tampering",
        why:
            "PutFunctionConcurrency 0 throttles every invocation, and throttles are not errors. " +
            "The answer endpoint's URL is changed or removed by UpdateFunctionUrlConfig and DeleteFunctionUrlConfig " +
            '(Lambda Developer Guide, "Monitoring function URLs with CloudTrail"), which name it by FunctionName and ' +
            "fall under `UpdateFunction*` and `DeleteFunction*` with or without a version suffix",
    },
    {
        types: ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"],
        calls: ["*Role*"],
        names: { parameter: "roleName", value: OWN },
        rule: "function-tampering",
    },
    {
        types: ["aws:ssm/parameter:Parameter"],
        calls: ["PutParameter", "DeleteParameter", "LabelParameterVersion"],
        names: { parameter: "name", value: "/console-login-alerts/*" },
        rule: "function-tampering",
        why:
            "the webhook and the Slack app's bot token and signing secret: a new value sends every alert elsewhere, " +
            "or lets anyone answer for the person asked",
    },
    {
        types: ["aws:ssm/parameter:Parameter"],
        calls: ["DeleteParameters"],
        names: { parameter: "names[*]", value: "/console-login-alerts/*" },
        rule: "function-tampering",
    },
    {
        types: ["aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy"],
        calls: ["DeleteTopic", "SetTopicAttributes", "AddPermission", "RemovePermission"],
        names: { parameter: "topicArn", value: OWN_IN_ARN },
        rule: "delivery-tampering",
    },
    {
        types: ["aws:sns/topicSubscription:TopicSubscription"],
        calls: ["Unsubscribe", "SetSubscriptionAttributes"],
        names: { parameter: "subscriptionArn", value: OWN_IN_ARN },
        rule: "delivery-tampering",
    },
    {
        types: ["aws:cloudwatch/eventRule:EventRule"],
        calls: ["DeleteRule", "DisableRule", "PutRule"],
        names: { parameter: "name", value: OWN },
        rule: "delivery-tampering",
    },
    {
        types: ["aws:cloudwatch/eventTarget:EventTarget"],
        calls: ["RemoveTargets", "PutTargets"],
        names: { parameter: "rule", value: OWN },
        rule: "delivery-tampering",
    },
    {
        types: ["aws:cloudwatch/eventBus:EventBus"],
        calls: ["DeleteEventBus"],
        names: { parameter: "name", value: OWN },
        rule: "delivery-tampering",
    },
    {
        types: ["aws:cloudwatch/eventBus:EventBus", "aws:cloudwatch/eventBusPolicy:EventBusPolicy"],
        calls: ["PutPermission", "RemovePermission"],
        names: { parameter: "eventBusName", value: OWN },
        rule: "delivery-tampering",
    },
    {
        types: ["aws:cloudformation/stackSet:StackSet", "aws:cloudformation/stackSetInstance:StackSetInstance"],
        calls: ["DeleteStackInstances", "UpdateStackSet"],
        names: { parameter: "stackSetName", value: OWN },
        rule: "delivery-tampering",
        why:
            "the organization's forwarding, administered here. DeleteStackSet needs its instances deleted first (StackSetNotEmptyException); " +
            "the template takes no parameters for UpdateStackInstances to change; StopStackSetOperation leaves instances OUTDATED, not gone. " +
            "The member accounts' rules and roles are named like the stack's own, so the entries above watch them through the organization trail",
    },
    {
        types: ["aws:dynamodb/table:Table"],
        calls: ["DeleteTable", "UpdateT*"],
        names: { parameter: "tableName", value: OWN },
        rule: "function-tampering",
    },
    {
        types: ["aws:scheduler/schedule:Schedule"],
        calls: ["DeleteSchedule", "UpdateSchedule"],
        names: { parameter: "name", value: OWN },
        rule: "function-tampering",
        why: "the summary's and the StackSet drift check's schedules (EventBridge Scheduler)",
    },
    {
        types: ["aws:sqs/queue:Queue"],
        calls: ["DeleteQueue", "SetQueueAttributes", "PurgeQueue"],
        names: { parameter: "queueUrl", value: OWN_ANYWHERE },
        rule: "function-tampering",
    },
    {
        types: ["aws:kms/key:Key"],
        calls: ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"],
        rule: "delivery-tampering",
        why: "any key: a key's id exists only once it is created, after the patterns are fixed; these calls are rare",
    },
    {
        types: ["aws:cloudwatch/dashboard:Dashboard"],
        calls: ["DeleteDashboards"],
        names: { parameter: "dashboardNames[*]", value: OWN },
        rule: "trail-tampering",
    },
];

/** Resource types the stack creates that need no entry, and why. */
export const UNWATCHED_TYPES: Readonly<Record<string, string>> = {};

function entryPattern(entry: WatchEntry, existingTrailLogGroupName: string | undefined): string {
    const calls = entry.calls.map((call) => `$.eventName = "${call}"`).join(" || ");
    if (!entry.names) {
        return calls;
    }
    const named = (value: string) => `$.requestParameters.${entry.names?.parameter} = "${value}"`;
    const own =
        entry.names.parameter === "logGroupName" && existingTrailLogGroupName
            ? `(${named(entry.names.value)} || ${named(existingTrailLogGroupName)})`
            : named(entry.names.value);
    return `((${calls}) && ${own})`;
}

/**
 * The CloudWatch Logs filter pattern of a tampering rule: any of its entries' calls on this stack's
 * resources (an existing trail's log group counts as the stack's). Event names alone pick the
 * service where they are unique; where two services share a name (RemovePermission), the parameter
 * that names this stack's resource tells them apart.
 */
export function tamperingPattern(rule: TamperingRuleId, existingTrailLogGroupName?: string): string {
    const parts = mergedByName(WATCH_LIST.filter((e) => e.rule === rule)).map((e) => entryPattern(e, existingTrailLogGroupName));
    return `{ ${parts.join(" || ")} }`;
}

/**
 * Entries that name resources by the same parameter and value, as one: the pattern says the name
 * once for all their calls, which keeps each rule within CloudWatch Logs' 1,024 characters.
 */
function mergedByName(entries: readonly WatchEntry[]): WatchEntry[] {
    const merged = new Map<string, WatchEntry>();
    for (const entry of entries) {
        const name = entry.names ? `${entry.names.parameter}=${entry.names.value}` : `any:${merged.size}`;
        const before = merged.get(name);
        merged.set(name, before ? { ...before, calls: [...before.calls, ...entry.calls] } : entry);
    }
    return [...merged.values()];
}

/** An event name as EventBridge matches it: exact, a prefix, or a wildcard (EventBridge User Guide, "Content filtering in event patterns"). */
export type EventNameMatch = string | { prefix: string } | { wildcard: string };

function eventNameMatch(call: string): EventNameMatch {
    const stars = call.split("*").length - 1;
    if (stars === 0) {
        return call;
    }
    return stars === 1 && call.endsWith("*") ? { prefix: call.slice(0, -1) } : { wildcard: call };
}

/** Every call the table watches, as the fast path's EventBridge branch names them; the function's pattern decides whether one touched this stack. */
export function watchedEventNames(): EventNameMatch[] {
    const calls = [...new Set(WATCH_LIST.flatMap((e) => e.calls))];
    return calls.map(eventNameMatch);
}
