import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { alarmTopics, alarmsNotifying, ofType, referenced, sameAs } from "../lib/graph";
import type { Statement } from "../lib/iam";
import { NOT_YET_KNOWN, isSet, read, readString } from "../lib/props";
import { PLACEHOLDER_ACCOUNT, knownStatements, resourcePolicyAllows, resourcePolicyMayAllow, type Request } from "../lib/simulate";
import { AWS } from "../lib/types";

const AWS_MANAGED_SNS_KEY = /^(?:alias\/aws\/sns|arn:[\w-]+:kms:[\w-]*:\d*:alias\/aws\/sns)$/;
const CLOUDWATCH = "cloudwatch.amazonaws.com";

/** The key policy in force for a key: a separate KeyPolicy resource replaces the key's own. */
function keyPolicyOf(resources: PolicyResource[], key: PolicyResource): unknown {
    const [separate] = ofType(resources, AWS.kmsKeyPolicy).filter(
        (kp) => referenced(kp, "keyId", [key], sameAs(["keyId", "arn"])).length > 0,
    );
    return read((separate ?? key).props, "policy");
}

/** The stack's TopicPolicy resource for the topic, if it has one. */
function topicPolicyResource(resources: PolicyResource[], topic: PolicyResource): PolicyResource | undefined {
    return ofType(resources, AWS.snsTopicPolicy).find((tp) => referenced(tp, "arn", [topic], sameAs(["arn"])).length > 0);
}

/** The topic policy in force: a TopicPolicy resource for the topic, else the topic's own `policy`; undefined for SNS's default. */
function topicPolicyOf(resources: PolicyResource[], topic: PolicyResource): { source: PolicyResource; document: unknown } | undefined {
    const separate = topicPolicyResource(resources, topic);
    if (separate) {
        return { source: separate, document: read(separate.props, "policy") };
    }
    const own = read(topic.props, "policy");
    return isSet(own) ? { source: topic, document: own } : undefined;
}

function topicArnOf(resources: PolicyResource[], topic: PolicyResource): string | undefined {
    const arn = readString(topic.props, "arn");
    if (typeof arn === "string") {
        return arn;
    }
    const policy = topicPolicyResource(resources, topic);
    const fromPolicy = policy ? readString(policy.props, "arn") : undefined;
    return typeof fromPolicy === "string" ? fromPolicy : undefined;
}

/** The alarm's ARN once known, else built from its name in the topic's region and account; undefined in a first preview. */
function alarmArnOf(alarm: PolicyResource, topicArn: string | undefined): string | undefined {
    const arn = readString(alarm.props, "arn");
    if (typeof arn === "string") {
        return arn;
    }
    const name = readString(alarm.props, "name");
    const [, partition, , region, account] = topicArn?.split(":") ?? [];
    return typeof name === "string" && partition && region && account
        ? `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`
        : undefined;
}

/**
 * What CloudWatch asks when an alarm notifies: the service principal acting for the alarm
 * (aws:SourceArn, aws:SourceAccount; SNS's default policy tests AWS:SourceOwner), its request
 * carrying aws:PrincipalServiceName as every service principal's does, so a Deny of all but
 * CloudWatch by that key is judged as AWS judges it (IAM User Guide, "AWS global condition context keys").
 * https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
 */
async function cloudWatchMay(
    statements: Statement[],
    action: string,
    resource: string,
    alarmArn: string | undefined,
): Promise<"yes" | "no" | "other-source"> {
    const account = alarmArn?.split(":")[4] ?? resource.split(":")[4] ?? PLACEHOLDER_ACCOUNT;
    const request: Request = { principal: CLOUDWATCH, action, resource, account: account || PLACEHOLDER_ACCOUNT };
    const open = await resourcePolicyMayAllow(statements, request);
    if (open !== "allowed") {
        return "no";
    }
    if (!alarmArn) {
        return "yes";
    }
    const context = {
        "aws:SourceArn": alarmArn,
        "aws:SourceAccount": account,
        "aws:SourceOwner": account,
        "aws:PrincipalServiceName": CLOUDWATCH,
    };
    return (await resourcePolicyAllows(statements, { ...request, context })) === "allowed" ? "yes" : "other-source";
}

interface AlarmTopic {
    topic: PolicyResource;
    topicArn: string | undefined;
    alarms: PolicyResource[];
}

async function checkTopicPolicy(resources: PolicyResource[], t: AlarmTopic, reportViolation: ReportViolation): Promise<void> {
    const policy = topicPolicyOf(resources, t.topic);
    const statements = policy ? knownStatements(policy.document) : NOT_YET_KNOWN;
    if (!policy || statements === NOT_YET_KNOWN) {
        return;
    }
    const topicArn = t.topicArn ?? `arn:aws:sns:us-east-1:${PLACEHOLDER_ACCOUNT}:${t.topic.name}`;
    for (const alarm of t.alarms) {
        const verdict = await cloudWatchMay(statements, "sns:Publish", topicArn, alarmArnOf(alarm, t.topicArn));
        if (verdict === "no") {
            reportViolation(
                `The topic policy of "${t.topic.name}" does not let cloudwatch.amazonaws.com publish to it, so every notification of alarm "${alarm.name}" is dropped; ` +
                    `add a statement allowing the cloudwatch.amazonaws.com service principal sns:Publish on the topic, with an aws:SourceArn condition on the alarms' ARNs.`,
                policy.source.urn,
            );
        } else if (verdict === "other-source") {
            reportViolation(
                `The topic policy of "${t.topic.name}" lets cloudwatch.amazonaws.com publish only for other alarms (its aws:SourceArn or aws:SourceAccount condition ` +
                    `does not match alarm "${alarm.name}"), so every notification of that alarm is dropped; add the alarm's ARN to the condition.`,
                policy.source.urn,
            );
        }
    }
}

function keysOf(resources: PolicyResource[], topic: PolicyResource): PolicyResource[] {
    const keys = ofType(resources, AWS.kmsKey);
    const viaAlias = referenced(topic, "kmsMasterKeyId", ofType(resources, AWS.kmsAlias), sameAs(["name", "arn"])).flatMap((alias) =>
        referenced(alias, "targetKeyId", keys, sameAs(["keyId", "arn"])),
    );
    return [...new Set([...referenced(topic, "kmsMasterKeyId", keys, sameAs(["keyId", "arn"])), ...viaAlias])];
}

async function checkKey(resources: PolicyResource[], t: AlarmTopic, key: PolicyResource, reportViolation: ReportViolation): Promise<void> {
    const statements = knownStatements(keyPolicyOf(resources, key));
    if (statements === NOT_YET_KNOWN) {
        return;
    }
    const keyArn = readString(key.props, "arn");
    const resource = typeof keyArn === "string" ? keyArn : `arn:aws:kms:us-east-1:${PLACEHOLDER_ACCOUNT}:key/${key.name}`;
    const missing = new Set<string>();
    for (const alarm of t.alarms) {
        for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
            // Without a key policy of its own, a key gets the default one, which grants only the account.
            if ((await cloudWatchMay(statements, action, resource, alarmArnOf(alarm, t.topicArn))) !== "yes") {
                missing.add(action === "kms:GenerateDataKey" ? "kms:GenerateDataKey*" : action);
            }
        }
    }
    if (missing.size > 0) {
        reportViolation(
            `KMS key "${key.name}" encrypts alarm topic "${t.topic.name}", but its key policy does not allow cloudwatch.amazonaws.com ` +
                `${[...missing].join(" or ")}, so every alarm notification is dropped; ` +
                `add a key policy statement allowing the cloudwatch.amazonaws.com service principal kms:Decrypt and kms:GenerateDataKey*.`,
            key.urn,
        );
    }
}

// Mandatory: each finding is a topic CloudWatch cannot publish to, by the documents in force (the
// topic's policy and its key's policy are single documents of this stack), so every notification is
// dropped and nothing but the alarm's history says so. alias/aws/sns in particular: its key policy
// does not let CloudWatch use the key and cannot be changed.
// https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
// https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
export const alarmTopicUsableByCloudWatch: StackValidationPolicy = {
    name: "alarm-topic-usable-by-cloudwatch",
    description:
        "An SNS topic that CloudWatch alarms notify lets CloudWatch publish for those alarms: its topic policy and its KMS key's policy allow it.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Leave the alarm topic unencrypted, or encrypt it with a customer managed aws.kms.Key whose key policy allows the cloudwatch.amazonaws.com " +
        "service principal kms:Decrypt and kms:GenerateDataKey*; the AWS managed key alias/aws/sns cannot be used, as its key policy cannot be changed. " +
        "Give a topic with its own policy a statement allowing cloudwatch.amazonaws.com sns:Publish, conditioned on the alarms' ARNs.",
    validateStack: async (args, reportViolation) => {
        for (const topic of alarmTopics(args.resources)) {
            const t: AlarmTopic = { topic, topicArn: topicArnOf(args.resources, topic), alarms: alarmsNotifying(args.resources, topic) };
            await checkTopicPolicy(args.resources, t, reportViolation);
            const keyId = readString(topic.props, "kmsMasterKeyId");
            if (typeof keyId === "string" && AWS_MANAGED_SNS_KEY.test(keyId)) {
                reportViolation(
                    `Topic "${topic.name}" receives CloudWatch alarm notifications but is encrypted with the AWS managed key alias/aws/sns, whose key policy ` +
                        `does not let CloudWatch use it, so every notification is dropped; encrypt the topic with a customer managed KMS key whose key policy ` +
                        `allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or remove kmsMasterKeyId.`,
                    topic.urn,
                );
                continue;
            }
            for (const key of isSet(keyId) ? keysOf(args.resources, topic) : []) {
                await checkKey(args.resources, t, key, reportViolation);
            }
        }
    },
};
