import * as pulumi from "@pulumi/pulumi";
import { pulumiConfigSource, readStackSettings } from "./program/settings";
import { LoginAlerts } from "./program/loginAlerts";

const settings = readStackSettings(pulumiConfigSource());

const alerts = new LoginAlerts("login-alerts", {
    slackWebhookUrl: pulumi.secret(settings.slackWebhookUrl),
    rules: settings.rules,
    timeZone: settings.timeZone,
    trailLogRetentionDays: settings.trailLogRetentionDays,
    functionLogRetentionDays: settings.functionLogRetentionDays,
    trailBucketExpirationDays: settings.trailBucketExpirationDays,
    forceDestroyTrailBucket: settings.forceDestroyTrailBucket,
    mentions: settings.mentions,
    accountLabels: settings.accountLabels,
    notifyOnOk: settings.notifyOnOk,
    lagAllowanceMinutes: settings.lagAllowanceMinutes,
    sweepIntervalMinutes: settings.sweepIntervalMinutes,
    existingTrailLogGroupName: settings.existingTrailLogGroupName,
    organizationTrail: settings.organizationTrail,
    operatorEmail: settings.operatorEmail,
    encryptTopics: settings.encryptTopics,
    encryptTrailLogs: settings.encryptTrailLogs,
    allowList: settings.allowList,
});

// Absent when the stack uses an existing trail.
export const trailArn = alerts.trail?.arn;
export const trailBucketName = alerts.trailBucket?.bucket;
export const trailLogGroupName = alerts.trailLogGroupName;
export const operatorTopicArn = alerts.operatorTopic.arn;
export const alarmTopicArn = alerts.alarmTopic.arn;
export const functionName = alerts.function.name;
export const webhookParameterName = alerts.webhookParameter.name;
export const deadLetterQueueUrl = alerts.deadLetterQueue.url;
export const alarmNames = Object.fromEntries(Object.entries(alerts.rules).map(([id, r]) => [id, r.alarm.name]));
