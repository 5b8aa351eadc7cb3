import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { alarmTopics, ofType, referenced, sameAs } from "../lib/graph";
import { actionAllowed, servicePrincipals, statementsOf } from "../lib/iam";
import { NOT_YET_KNOWN, isSet, read, readString } from "../lib/props";
import { AWS } from "../lib/types";

const AWS_MANAGED_SNS_KEY = /^(?:alias\/aws\/sns|arn:[\w-]+:kms:[\w-]*:\d*:alias\/aws\/sns)$/;

/** The key policy in force for a key: a separate KeyPolicy resource replaces the key's own. */
function keyPolicyOf(resources: PolicyResource[], key: PolicyResource): unknown {
    const [separate] = ofType(resources, AWS.kmsKeyPolicy).filter(
        (kp) => referenced(kp, "keyId", [key], sameAs(["keyId", "arn"])).length > 0,
    );
    return read((separate ?? key).props, "policy");
}

export const alarmTopicUsableByCloudWatch: StackValidationPolicy = {
    name: "alarm-topic-usable-by-cloudwatch",
    description: "An SNS topic that CloudWatch alarms notify is not encrypted with a KMS key whose key policy CloudWatch cannot use.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Leave the alarm topic unencrypted, or encrypt it with a customer managed aws.kms.Key whose key policy allows the cloudwatch.amazonaws.com " +
        "service principal kms:Decrypt and kms:GenerateDataKey*. The AWS managed key alias/aws/sns cannot be used: its key policy cannot be changed.",
    validateStack: (args, reportViolation) => {
        const keys = ofType(args.resources, AWS.kmsKey);
        const aliases = ofType(args.resources, AWS.kmsAlias);
        for (const topic of alarmTopics(args.resources)) {
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
            if (!isSet(keyId)) {
                continue;
            }
            const viaAlias = referenced(topic, "kmsMasterKeyId", aliases, sameAs(["name", "arn"])).flatMap((alias) =>
                referenced(alias, "targetKeyId", keys, sameAs(["keyId", "arn"])),
            );
            const direct = referenced(topic, "kmsMasterKeyId", keys, sameAs(["keyId", "arn"]));
            for (const key of new Set([...direct, ...viaAlias])) {
                const statements = statementsOf(keyPolicyOf(args.resources, key));
                if (statements === NOT_YET_KNOWN) {
                    continue;
                }
                // Without a key policy of its own, a key gets the default one, which grants only the account.
                const forCloudWatch = (statements ?? []).filter((s) => {
                    const principals = servicePrincipals(s);
                    return principals === "*" || principals.includes("cloudwatch.amazonaws.com");
                });
                const missing = ["kms:Decrypt", "kms:GenerateDataKey"].filter(
                    (action) => !forCloudWatch.some((s) => actionAllowed(s, action)),
                );
                if (missing.length > 0) {
                    reportViolation(
                        `KMS key "${key.name}" encrypts alarm topic "${topic.name}", but its key policy does not allow cloudwatch.amazonaws.com ` +
                            `${missing.map((a) => (a === "kms:GenerateDataKey" ? "kms:GenerateDataKey*" : a)).join(" or ")}, so every alarm notification is dropped; ` +
                            `add a key policy statement allowing the cloudwatch.amazonaws.com service principal kms:Decrypt and kms:GenerateDataKey*.`,
                        key.urn,
                    );
                }
            }
        }
    },
};
