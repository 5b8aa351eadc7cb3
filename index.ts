import * as pulumi from "@pulumi/pulumi";
import { LoginAlerts } from "./program/loginAlerts";
import { pulumiConfigSource, readStackSettings } from "./program/settings";

const settings = readStackSettings(pulumiConfigSource());
const alerts = new LoginAlerts("login-alerts", { ...settings, slackWebhookUrl: pulumi.secret(settings.slackWebhookUrl) });

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
