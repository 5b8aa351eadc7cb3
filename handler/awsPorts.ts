import { createStateStore } from "./state/store";
import { createOperatorsChannel } from "./deliver/operatorsTopic";
import type {
    AwsPorts,
    DriftedInstancePage,
    LogEvent,
    LogEventPage,
    OperatorsChannel,
    StackSetOperationState,
    StackSetRef,
    TimeWindow,
    TrailStatus,
} from "./common/types";
import { log } from "./common/log";
import { onFirstUse } from "./common/onFirstUse";
import { STACK_SET_OPERATION_PREFERENCES } from "../shared/contract";
import { CLOUDTRAIL, CLOUDWATCH_LOGS, jsonApi, ORGANIZATIONS, SSM, type JsonApi } from "./common/awsJson";
import type * as SsmTypes from "@aws-sdk/client-ssm";
import type * as LogsTypes from "@aws-sdk/client-cloudwatch-logs";
import type * as OrganizationsTypes from "@aws-sdk/client-organizations";

type Ssm = JsonApi<{ GetParameter: [SsmTypes.GetParameterRequest, SsmTypes.GetParameterResult] }>;
type Logs = JsonApi<{ FilterLogEvents: [LogsTypes.FilterLogEventsRequest, LogsTypes.FilterLogEventsResponse] }>;
/** GetTrailStatus's answer over the JSON protocol, times in epoch seconds (CloudTrail API Reference, "GetTrailStatus"). */
interface TrailStatusAnswer {
    IsLogging?: boolean;
    LatestCloudWatchLogsDeliveryTime?: number;
    LatestCloudWatchLogsDeliveryError?: string;
    LatestDeliveryError?: string;
}
type CloudTrail = JsonApi<{ GetTrailStatus: [{ Name: string }, TrailStatusAnswer] }>;
type Organizations = JsonApi<{ DescribeAccount: [OrganizationsTypes.DescribeAccountRequest, OrganizationsTypes.DescribeAccountResponse] }>;
type Iam = typeof import("@aws-sdk/client-iam");
type CloudFormation = typeof import("@aws-sdk/client-cloudformation");
type CloudFormationClient = InstanceType<CloudFormation["CloudFormationClient"]>;

async function getSecureParameter(ssm: Ssm, name: string): Promise<string> {
    const out = await ssm.call("GetParameter", { Name: name, WithDecryption: true });
    const value = out.Parameter?.Value;
    if (!value) {
        throw new Error(`SSM parameter ${name} has no value.`);
    }
    return value;
}

/**
 * One page of FilterLogEvents (a page may be empty while more follow), abandoned at the deadline:
 * the request rejects with an AbortError and the caller keeps the token to resume from. An infinite
 * deadline sets no timer: Node runs a delay past 2^31 - 1 ms after 1 ms instead.
 */
async function filterLogEventsPage(
    logs: Logs,
    request: { logGroupName: string; pattern: string; window: TimeWindow; nextToken: string | undefined },
    deadlineMs: number,
): Promise<LogEventPage> {
    const controller = new AbortController();
    const timer = Number.isFinite(deadlineMs) ? setTimeout(() => controller.abort(), Math.max(0, deadlineMs - Date.now())) : undefined;
    try {
        const out = await logs.call(
            "FilterLogEvents",
            {
                logGroupName: request.logGroupName,
                filterPattern: request.pattern,
                startTime: request.window.startMs,
                endTime: request.window.endMs,
                ...(request.nextToken ? { nextToken: request.nextToken } : {}),
            },
            { signal: controller.signal },
        );
        const events: LogEvent[] = [];
        for (const e of out.events ?? []) {
            if (typeof e.message === "string") {
                events.push({ message: e.message, timestamp: e.timestamp ?? 0 });
            }
        }
        return out.nextToken ? { events, nextToken: out.nextToken } : { events };
    } finally {
        clearTimeout(timer);
    }
}

async function trailStatus(cloudTrail: CloudTrail, trailArn: string): Promise<TrailStatus> {
    const out = await cloudTrail.call("GetTrailStatus", { Name: trailArn });
    return {
        isLogging: out.IsLogging === true,
        ...(out.LatestCloudWatchLogsDeliveryTime
            ? { cloudWatchLogsDeliveredAtMs: Math.round(out.LatestCloudWatchLogsDeliveryTime * 1000) }
            : {}),
        ...(out.LatestCloudWatchLogsDeliveryError ? { cloudWatchLogsError: out.LatestCloudWatchLogsDeliveryError } : {}),
        ...(out.LatestDeliveryError ? { s3Error: out.LatestDeliveryError } : {}),
    };
}

/**
 * The operators' topic, or, for a function told of none (the program always gives it one; only a
 * test's settings leave it out), a channel that logs what it would have said, as an error: what
 * must reach a person is never dropped silently.
 */
function operatorsChannel(topicArn: string | undefined): OperatorsChannel {
    if (topicArn) {
        return createOperatorsChannel(topicArn);
    }
    return {
        publish: async (subject, message) => log("error", "no operators' topic to tell", { subject, body: message }),
    };
}

/**
 * An IAM user's `email` tag, whatever its case: IAM's ListUserTags answers at most 50 tags, a user's
 * limit, in one page (IAM API Reference, "ListUserTags"; IAM User Guide, "IAM and AWS STS quotas").
 * A user who no longer exists (NoSuchEntity) has no email to ask.
 */
async function iamUserEmail(sdk: Iam, client: InstanceType<Iam["IAMClient"]>, userName: string): Promise<string | undefined> {
    try {
        const out = await client.send(new sdk.ListUserTagsCommand({ UserName: userName }));
        const tag = (out.Tags ?? []).find((t) => t.Key?.toLowerCase() === "email");
        return tag?.Value?.trim() || undefined;
    } catch (err) {
        if ((err as Error).name === "NoSuchEntityException" || (err as Error).name === "NoSuchEntity") {
            return undefined;
        }
        throw err;
    }
}

/**
 * An account's name, or undefined where AWS Organizations answers AccountNotFoundException: the
 * account is not a member of the organization (AWS Organizations API Reference, "DescribeAccount").
 */
async function describeAccount(organizations: Organizations, accountId: string): Promise<{ name: string } | undefined> {
    try {
        const out = await organizations.call("DescribeAccount", { AccountId: accountId });
        return { name: out.Account?.Name ?? accountId };
    } catch (err) {
        if ((err as Error).name === "AccountNotFoundException") {
            return undefined;
        }
        throw err;
    }
}

/**
 * Starts a drift detection of the StackSet (CloudFormation API Reference, "DetectStackSetDrift")
 * with the preferences its deployments use: every region at once, half its accounts at a time.
 */
async function detectStackSetDrift(sdk: CloudFormation, client: CloudFormationClient, stackSet: StackSetRef): Promise<string> {
    const p = STACK_SET_OPERATION_PREFERENCES;
    const out = await client.send(
        new sdk.DetectStackSetDriftCommand({
            StackSetName: stackSet.name,
            CallAs: stackSet.callAs,
            OperationPreferences: {
                RegionConcurrencyType: p.regionConcurrencyType,
                ConcurrencyMode: p.concurrencyMode,
                FailureTolerancePercentage: p.failureTolerancePercentage,
                MaxConcurrentPercentage: p.maxConcurrentPercentage,
            },
        }),
    );
    if (!out.OperationId) {
        throw new Error(`DetectStackSetDrift of StackSet ${stackSet.name} returned no OperationId.`);
    }
    return out.OperationId;
}

async function describeStackSetOperation(
    sdk: CloudFormation,
    client: CloudFormationClient,
    stackSet: StackSetRef,
    operationId: string,
): Promise<StackSetOperationState> {
    const out = await client.send(
        new sdk.DescribeStackSetOperationCommand({ StackSetName: stackSet.name, CallAs: stackSet.callAs, OperationId: operationId }),
    );
    const operation = out.StackSetOperation;
    const details = operation?.StackSetDriftDetectionDetails;
    return {
        status: operation?.Status ?? "UNKNOWN",
        ...(operation?.StatusReason ? { statusReason: operation.StatusReason } : {}),
        ...(details
            ? {
                  drift: {
                      detectionStatus: details.DriftDetectionStatus ?? "UNKNOWN",
                      total: details.TotalStackInstancesCount ?? 0,
                      drifted: details.DriftedStackInstancesCount ?? 0,
                      failed: details.FailedStackInstancesCount ?? 0,
                  },
              }
            : {}),
    };
}

/** One page of the drifted instances: ListStackInstances' DRIFT_STATUS filter, a hundred at a time (its MaxResults' most). */
async function listDriftedStackInstances(
    sdk: CloudFormation,
    client: CloudFormationClient,
    stackSet: StackSetRef,
    nextToken: string | undefined,
): Promise<DriftedInstancePage> {
    const out = await client.send(
        new sdk.ListStackInstancesCommand({
            StackSetName: stackSet.name,
            CallAs: stackSet.callAs,
            Filters: [{ Name: "DRIFT_STATUS", Values: "DRIFTED" }],
            MaxResults: 100,
            NextToken: nextToken,
        }),
    );
    const instances = (out.Summaries ?? []).flatMap((s) =>
        s.Account && s.Region
            ? [
                  {
                      account: s.Account,
                      region: s.Region,
                      ...(s.OrganizationalUnitId ? { unit: s.OrganizationalUnitId } : {}),
                      ...(s.LastDriftCheckTimestamp ? { checkedAtMs: s.LastDriftCheckTimestamp.getTime() } : {}),
                  },
              ]
            : [],
    );
    return out.NextToken ? { instances, nextToken: out.NextToken } : { instances };
}

/**
 * Real AWS clients. SSM, CloudWatch Logs and DynamoDB, on every sign-in's path, AWS Organizations,
 * on a member account's, and CloudTrail, on every sweep, are the function's own requests
 * (common/awsJson.ts); the rest come from the AWS SDK of the Lambda runtime (the bundle
 * leaves @aws-sdk out: program/functionPackage.ts), each required when first needed, so a cold start
 * loads only the clients its invocation uses.
 */
export function createAwsPorts(tableName: string, operatorTopicArn?: string): AwsPorts {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const ssm: Ssm = jsonApi(SSM);
    const logs: Logs = jsonApi(CLOUDWATCH_LOGS);
    const organizations: Organizations = jsonApi(ORGANIZATIONS);
    const iam = onFirstUse(() => {
        const sdk = require("@aws-sdk/client-iam") as Iam;
        return { sdk, client: new sdk.IAMClient({}) };
    });
    // The StackSet is administered from the stack's region, the function's own.
    const cloudFormation = onFirstUse(() => {
        const sdk = require("@aws-sdk/client-cloudformation") as CloudFormation;
        return { sdk, client: new sdk.CloudFormationClient({}) };
    });
    /* eslint-enable @typescript-eslint/no-require-imports */
    // A trail is read in its home region, which its ARN names (arn:aws:cloudtrail:<region>:...).
    const cloudTrailOf = (arn: string): CloudTrail => {
        const region = arn.split(":")[3];
        return jsonApi(CLOUDTRAIL, region ? { region } : {});
    };
    return {
        getSecureParameter: (name) => getSecureParameter(ssm, name),
        filterLogEventsPage: (logGroupName, pattern, window, nextToken, deadlineMs) =>
            filterLogEventsPage(logs, { logGroupName, pattern, window, nextToken }, deadlineMs),
        trailStatus: (trailArn) => trailStatus(cloudTrailOf(trailArn), trailArn),
        describeAccount: (accountId) => describeAccount(organizations, accountId),
        iamUserEmail: (userName) => iamUserEmail(iam().sdk, iam().client, userName),
        detectStackSetDrift: (stackSet) => detectStackSetDrift(cloudFormation().sdk, cloudFormation().client, stackSet),
        describeStackSetOperation: (stackSet, operationId) =>
            describeStackSetOperation(cloudFormation().sdk, cloudFormation().client, stackSet, operationId),
        listDriftedStackInstances: (stackSet, nextToken) =>
            listDriftedStackInstances(cloudFormation().sdk, cloudFormation().client, stackSet, nextToken),
        store: createStateStore(tableName),
        operators: operatorsChannel(operatorTopicArn),
    };
}
