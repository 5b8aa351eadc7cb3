/**
 * The offline engine's stand-in for the cloud provider (tools/offlineEngine.ts installs it with
 * pulumi.runtime.setMocks): plausible state for each resource the program registers, the physical
 * names and ARNs the program wires together, and the answers to the data-source calls it makes.
 */
import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT = "111122223333";
export const MOCK_REGION = "us-east-1";
export const MOCK_ORGANIZATION = "o-a1b2c3d4e5";

/** The mock account's enabled regions: the 17 commercial regions AWS enables by default, none opted in. */
export const MOCK_ENABLED_REGIONS = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
] as const;

function autoname(name: string): string {
    return `${name}-${crypto.createHash("sha1").update(name).digest("hex").slice(0, 7)}`;
}

type MockState = { id: string; state: Record<string, unknown> };

// The ARN of each type whose mock state is its inputs, its physical name and this ARN (`at` is "region:account").
const NAMED_ARNS: Record<string, (at: string, physical: string, inputs: Record<string, unknown>) => string> = {
    "aws:cloudwatch/eventBus:EventBus": (at, physical) => `arn:aws:events:${at}:event-bus/${physical}`,
    "aws:cloudwatch/logGroup:LogGroup": (at, physical) => `arn:aws:logs:${at}:log-group:${physical}`,
    "aws:iam/role:Role": (_, physical) => `arn:aws:iam::${MOCK_ACCOUNT}:role/${physical}`,
    "aws:cloudtrail/trail:Trail": (at, physical) => `arn:aws:cloudtrail:${at}:trail/${physical}`,
    "aws:ssm/parameter:Parameter": (at, physical) => `arn:aws:ssm:${at}:parameter${physical.startsWith("/") ? "" : "/"}${physical}`,
    "aws:dynamodb/table:Table": (at, physical) => `arn:aws:dynamodb:${at}:table/${physical}`,
    "aws:lambda/function:Function": (at, physical) => `arn:aws:lambda:${at}:function:${physical}`,
    "aws:cloudwatch/metricAlarm:MetricAlarm": (at, physical) => `arn:aws:cloudwatch:${at}:alarm:${physical}`,
    // A rule on a custom bus names the bus in its ARN.
    "aws:cloudwatch/eventRule:EventRule": (at, physical, inputs) =>
        typeof inputs["eventBusName"] === "string" && inputs["eventBusName"] !== "default"
            ? `arn:aws:events:${at}:rule/${inputs["eventBusName"] as string}/${physical}`
            : `arn:aws:events:${at}:rule/${physical}`,
};

/** The types whose mock state is shaped differently: ids that are URLs or ARNs, buckets, keys. */
function specialState(type: string, name: string, inputs: Record<string, unknown>, physical: string, at: string): MockState | undefined {
    switch (type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = typeof inputs["bucket"] === "string" ? (inputs["bucket"] as string) : autoname(name);
            return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
        }
        case "aws:sns/topic:Topic":
            return { id: `arn:aws:sns:${at}:${physical}`, state: { ...inputs, name: physical, arn: `arn:aws:sns:${at}:${physical}` } };
        case "aws:sqs/queue:Queue": {
            const url = `https://sqs.${MOCK_REGION}.amazonaws.com/${MOCK_ACCOUNT}/${physical}`;
            return { id: url, state: { ...inputs, name: physical, arn: `arn:aws:sqs:${at}:${physical}`, url } };
        }
        case "aws:lambda/functionUrl:FunctionUrl": {
            // A URL id is 32 lower-case letters and digits (Lambda Developer Guide, "Creating and managing Lambda function URLs").
            const urlId = crypto.createHash("sha1").update(name).digest("hex").slice(0, 32);
            const functionUrl = `https://${urlId}.lambda-url.${at.split(":")[0]!}.on.aws/`;
            return {
                id: String(inputs["functionName"]),
                state: { ...inputs, urlId, functionUrl, functionArn: `arn:aws:lambda:${at}:function:${String(inputs["functionName"])}` },
            };
        }
        case "aws:kms/key:Key":
            return { id: autoname(name), state: { ...inputs, arn: `arn:aws:kms:${at}:key/${autoname(name)}`, keyId: autoname(name) } };
        default:
            return undefined;
    }
}

/**
 * Plausible provider state for each resource type: the physical names and ARNs the program wires
 * together. A resource lives in the region its own `region` input names, else in the default
 * provider's (@pulumi/aws 7, "enhanced region support").
 */
function mockState(type: string, name: string, inputs: Record<string, unknown>): MockState {
    const region = typeof inputs["region"] === "string" ? (inputs["region"] as string) : MOCK_REGION;
    const physical = typeof inputs["name"] === "string" ? (inputs["name"] as string) : autoname(name);
    const at = `${region}:${MOCK_ACCOUNT}`;
    const special = specialState(type, name, inputs, physical, at);
    if (special) {
        return special;
    }
    const arnOf = NAMED_ARNS[type];
    if (arnOf) {
        return { id: physical, state: { ...inputs, name: physical, arn: arnOf(at, physical, inputs) } };
    }
    return { id: `${physical}-id`, state: { ...inputs, name: physical, arn: `arn:aws:${type.split(":")[0]}:${at}:${physical}` } };
}

export const mocks: pulumi.runtime.Mocks = {
    newResource: (args) => mockState(args.type, args.name, args.inputs as Record<string, unknown>),
    call: (args) => {
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/deployer`, userId: "AIDAMOCK", id: MOCK_ACCOUNT };
            case "aws:index/getRegion:getRegion":
                return {
                    name: MOCK_REGION,
                    region: MOCK_REGION,
                    id: MOCK_REGION,
                    description: "US East (N. Virginia)",
                    endpoint: `ec2.${MOCK_REGION}.amazonaws.com`,
                };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
            case "aws:index/getRegions:getRegions":
                return { id: "aws", names: [...MOCK_ENABLED_REGIONS], filters: (args.inputs as Record<string, unknown>)["filters"] };
            case "aws:organizations/getOrganization:getOrganization":
                return {
                    id: MOCK_ORGANIZATION,
                    arn: `arn:aws:organizations::${MOCK_ACCOUNT}:organization/${MOCK_ORGANIZATION}`,
                    masterAccountId: MOCK_ACCOUNT,
                    featureSet: "ALL",
                };
            default:
                throw new Error(`The offline engine has no answer for ${args.token}.`);
        }
    },
};
