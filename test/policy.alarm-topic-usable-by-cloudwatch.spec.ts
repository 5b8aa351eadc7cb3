import { strict as assert } from "assert";
import { alarmTopicUsableByCloudWatch } from "../policy/policies/alarmTopicUsableByCloudWatch";
import {
    ACCOUNT,
    REGION,
    UNKNOWN_ON_THE_WIRE,
    check,
    messages,
    policyDocument,
    replace,
    resource,
    withProps,
} from "./support/policyHarness";

const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:login-alerts-alarms-e88e06f`;
const KEY_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;

const accountAdmin = {
    Sid: "AccountAdmin",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: "kms:*",
    Resource: "*",
};
const cloudWatchUse = {
    Sid: "CloudWatchAlarms",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
    Resource: "*",
};

function alarmStack(options: { encrypted?: boolean } = {}) {
    const key = resource({
        type: "aws:kms/key:Key",
        name: "alarms-key",
        inputs: { description: "Alarm topic", policy: policyDocument(accountAdmin, cloudWatchUse) },
        outputs: { keyId: KEY_ID, arn: KEY_ARN },
    });
    const topic = resource({
        type: "aws:sns/topic:Topic",
        name: "alarms",
        inputs: options.encrypted ? { kmsMasterKeyId: KEY_ARN } : {},
        outputs: { arn: TOPIC_ARN, name: "login-alerts-alarms-e88e06f" },
        dependsOn: options.encrypted ? { kmsMasterKeyId: [key] } : {},
    });
    const alarm = resource({
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name: "console-signin-alarm",
        inputs: { alarmActions: [TOPIC_ARN], okActions: [TOPIC_ARN] },
        dependsOn: { alarmActions: [topic], okActions: [topic] },
    });
    return { key, topic, alarm, all: [key, topic, alarm] };
}

const AWS_MANAGED =
    'Topic "alarms" receives CloudWatch alarm notifications but is encrypted with the AWS managed key alias/aws/sns, whose key policy ' +
    "does not let CloudWatch use it, so every notification is dropped; encrypt the topic with a customer managed KMS key whose key policy " +
    "allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or remove kmsMasterKeyId.";

function keyDenies(actions: string): string {
    return (
        `KMS key "alarms-key" encrypts alarm topic "alarms", but its key policy does not allow cloudwatch.amazonaws.com ${actions}, so every alarm notification is dropped; ` +
        "add a key policy statement allowing the cloudwatch.amazonaws.com service principal kms:Decrypt and kms:GenerateDataKey*."
    );
}

const ALARM_ARN = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:console-signin`;
const cloudWatchPublish = {
    Sid: "CloudWatchAlarmsPublish",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: "sns:Publish",
    Resource: TOPIC_ARN,
    Condition: { ArnLike: { "aws:SourceArn": ALARM_ARN } },
};

function denyPublish(condition?: Record<string, Record<string, string>>) {
    return { Sid: "NoOtherPublishers", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: TOPIC_ARN, Condition: condition };
}

/** The alarm stack with a topic policy of the statements given, the alarm's ARN known. */
function withTopicPolicy(...statements: Array<Record<string, unknown>>) {
    const s = alarmStack();
    const policy = resource({
        type: "aws:sns/topicPolicy:TopicPolicy",
        name: "alarms-policy",
        inputs: { arn: TOPIC_ARN, policy: policyDocument(...statements) },
        dependsOn: { arn: [s.topic] },
    });
    return [s.topic, withProps(s.alarm, { arn: ALARM_ARN }), policy];
}

describe("policy alarm-topic-usable-by-cloudwatch", () => {
    it("passes an unencrypted alarm topic", async () => {
        assert.deepEqual(await check(alarmTopicUsableByCloudWatch, alarmStack().all), []);
    });

    it("passes an alarm topic encrypted with a customer managed key CloudWatch may use", async () => {
        assert.deepEqual(await check(alarmTopicUsableByCloudWatch, alarmStack({ encrypted: true }).all), []);
    });

    it("flags an alarm topic encrypted with alias/aws/sns", async () => {
        const s = alarmStack();
        const violations = await check(
            alarmTopicUsableByCloudWatch,
            replace(s.all, withProps(s.topic, { kmsMasterKeyId: "alias/aws/sns" })),
        );
        assert.deepEqual(violations, [
            { policy: "alarm-topic-usable-by-cloudwatch", enforcementLevel: "mandatory", urn: s.topic.urn, message: AWS_MANAGED },
        ]);
    });

    it("flags the ARN form of alias/aws/sns", async () => {
        const s = alarmStack();
        const arn = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/sns`;
        assert.deepEqual(await messages(alarmTopicUsableByCloudWatch, replace(s.all, withProps(s.topic, { kmsMasterKeyId: arn }))), [
            AWS_MANAGED,
        ]);
    });

    it("flags alias/aws/sns in preview, when the alarm's actions are not known yet", async () => {
        const s = alarmStack();
        const resources = [
            s.key,
            withProps(s.topic, { kmsMasterKeyId: "alias/aws/sns", arn: UNKNOWN_ON_THE_WIRE }),
            withProps(s.alarm, { alarmActions: [UNKNOWN_ON_THE_WIRE], okActions: [UNKNOWN_ON_THE_WIRE] }),
        ];
        assert.deepEqual(await messages(alarmTopicUsableByCloudWatch, resources), [AWS_MANAGED]);
    });

    it("ignores topics no alarm notifies", async () => {
        const s = alarmStack();
        assert.deepEqual(await check(alarmTopicUsableByCloudWatch, [withProps(s.topic, { kmsMasterKeyId: "alias/aws/sns" })]), []);
    });

    it("flags a customer managed key whose policy says nothing about CloudWatch", async () => {
        const s = alarmStack({ encrypted: true });
        const key = withProps(s.key, { policy: policyDocument(accountAdmin) });
        const violations = await check(alarmTopicUsableByCloudWatch, replace(s.all, key));
        assert.deepEqual(
            violations.map((v) => [v.urn, v.message]),
            [[s.key.urn, keyDenies("kms:Decrypt or kms:GenerateDataKey*")]],
        );
    });

    it("flags a key policy that lets CloudWatch decrypt but not generate data keys", async () => {
        const s = alarmStack({ encrypted: true });
        const key = withProps(s.key, { policy: policyDocument(accountAdmin, { ...cloudWatchUse, Action: "kms:Decrypt" }) });
        assert.deepEqual(await messages(alarmTopicUsableByCloudWatch, replace(s.all, key)), [keyDenies("kms:GenerateDataKey*")]);
    });

    it("flags a key with no key policy of its own (the default policy grants only the account)", async () => {
        const s = alarmStack({ encrypted: true });
        assert.deepEqual(await messages(alarmTopicUsableByCloudWatch, replace(s.all, withProps(s.key, { policy: undefined }))), [
            keyDenies("kms:Decrypt or kms:GenerateDataKey*"),
        ]);
    });

    it("reads the key policy from a separate aws.kms.KeyPolicy resource", async () => {
        const s = alarmStack({ encrypted: true });
        const key = withProps(s.key, { policy: undefined });
        const keyPolicy = resource({
            type: "aws:kms/keyPolicy:KeyPolicy",
            name: "alarms-key-policy",
            inputs: { keyId: KEY_ID, policy: policyDocument(accountAdmin, cloudWatchUse) },
        });
        assert.deepEqual(await check(alarmTopicUsableByCloudWatch, [...replace(s.all, key), keyPolicy]), []);
    });

    it("follows an alias of a key in the stack", async () => {
        const s = alarmStack();
        const key = withProps(s.key, { policy: policyDocument(accountAdmin) });
        const alias = resource({
            type: "aws:kms/alias:Alias",
            name: "alarms-key-alias",
            inputs: { name: "alias/login-alerts", targetKeyId: KEY_ID },
        });
        const topic = withProps(s.topic, { kmsMasterKeyId: "alias/login-alerts" });
        assert.deepEqual(await messages(alarmTopicUsableByCloudWatch, [key, alias, topic, s.alarm]), [
            keyDenies("kms:Decrypt or kms:GenerateDataKey*"),
        ]);
    });

    it("passes a topic policy that keeps all but CloudWatch from publishing by aws:PrincipalServiceName, which a service principal's request carries", async () => {
        const deny = denyPublish({ StringNotEquals: { "aws:PrincipalServiceName": "cloudwatch.amazonaws.com" } });
        assert.deepEqual(await check(alarmTopicUsableByCloudWatch, withTopicPolicy(cloudWatchPublish, deny)), []);
    });

    it("passes a topic policy that keeps out every request not made for the alarms, by aws:SourceArn", async () => {
        const deny = denyPublish({ ArnNotLike: { "aws:SourceArn": ALARM_ARN } });
        assert.deepEqual(await check(alarmTopicUsableByCloudWatch, withTopicPolicy(cloudWatchPublish, deny)), []);
    });

    it("flags a topic policy whose Deny keeps CloudWatch out as well", async () => {
        const deny = denyPublish({ ArnNotLike: { "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:another-alarm` } });
        assert.deepEqual(await messages(alarmTopicUsableByCloudWatch, withTopicPolicy(cloudWatchPublish, deny)), [
            `The topic policy of "alarms" lets cloudwatch.amazonaws.com publish only for other alarms (its aws:SourceArn or aws:SourceAccount condition ` +
                `does not match alarm "console-signin-alarm"), so every notification of that alarm is dropped; add the alarm's ARN to the condition.`,
        ]);
    });

    it("passes in preview, when the key policy is not known yet", async () => {
        const s = alarmStack({ encrypted: true });
        assert.deepEqual(await check(alarmTopicUsableByCloudWatch, replace(s.all, withProps(s.key, { policy: UNKNOWN_ON_THE_WIRE }))), []);
    });
});
