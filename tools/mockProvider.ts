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

function autoname(name: string): string {
    return `${name}-${crypto.createHash("sha1").update(name).digest("hex").slice(0, 7)}`;
}

/** Plausible provider state for each resource type: the physical names and ARNs the program wires together. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
    const physical = typeof inputs["name"] === "string" ? (inputs["name"] as string) : autoname(name);
    const a = `${MOCK_REGION}:${MOCK_ACCOUNT}`;
    switch (type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = typeof inputs["bucket"] === "string" ? (inputs["bucket"] as string) : autoname(name);
            return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
        }
        case "aws:cloudwatch/logGroup:LogGroup":
            return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:logs:${a}:log-group:${physical}` } };
        case "aws:iam/role:Role":
            return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${physical}` } };
        case "aws:cloudtrail/trail:Trail":
            return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:cloudtrail:${a}:trail/${physical}` } };
        case "aws:ssm/parameter:Parameter":
            return {
                id: physical,
                state: { ...inputs, name: physical, arn: `arn:aws:ssm:${a}:parameter${physical.startsWith("/") ? "" : "/"}${physical}` },
            };
        case "aws:sns/topic:Topic":
            return { id: `arn:aws:sns:${a}:${physical}`, state: { ...inputs, name: physical, arn: `arn:aws:sns:${a}:${physical}` } };
        case "aws:sqs/queue:Queue":
            return {
                id: `https://sqs.${MOCK_REGION}.amazonaws.com/${MOCK_ACCOUNT}/${physical}`,
                state: {
                    ...inputs,
                    name: physical,
                    arn: `arn:aws:sqs:${a}:${physical}`,
                    url: `https://sqs.${MOCK_REGION}.amazonaws.com/${MOCK_ACCOUNT}/${physical}`,
                },
            };
        case "aws:dynamodb/table:Table":
            return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:dynamodb:${a}:table/${physical}` } };
        case "aws:lambda/function:Function":
            return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:lambda:${a}:function:${physical}` } };
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:cloudwatch:${a}:alarm:${physical}` } };
        case "aws:cloudwatch/eventRule:EventRule":
            return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:events:${a}:rule/${physical}` } };
        case "aws:kms/key:Key":
            return { id: autoname(name), state: { ...inputs, arn: `arn:aws:kms:${a}:key/${autoname(name)}`, keyId: autoname(name) } };
        default:
            return { id: `${physical}-id`, state: { ...inputs, name: physical, arn: `arn:aws:${type.split(":")[0]}:${a}:${physical}` } };
    }
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
