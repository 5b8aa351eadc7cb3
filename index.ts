import * as pulumi from "@pulumi/pulumi";
import { fastPathRegions } from "./program/fastPath";
import { LoginAlerts } from "./program/loginAlerts";
import { COMPONENT_NAME } from "./program/names";
import { pulumiConfigSource, readStackSettings } from "./program/settings";

// An async program: the fast path's regions are asked of AWS before any provider is created, and
// providers cannot be created inside an Output's apply. Pulumi's Node.js runtime calls an exported
// function and awaits it; the object it returns becomes the stack's outputs.
export = async () => {
    const settings = readStackSettings(pulumiConfigSource());
    // The trail-tampering rule knows this stack's resources by the prefix their names take from it.
    const alerts = new LoginAlerts(COMPONENT_NAME, {
        ...settings,
        slackWebhookUrl: pulumi.secret(settings.slackWebhookUrl),
        ...(settings.confirm
            ? {
                  confirm: {
                      ...settings.confirm,
                      slackBotToken: pulumi.secret(settings.confirm.slackBotToken),
                      slackSigningSecret: pulumi.secret(settings.confirm.slackSigningSecret),
                  },
              }
            : {}),
        fastPathRegions: await fastPathRegions(settings),
    });
    return {
        // Absent when the stack uses an existing trail.
        trailArn: alerts.trail?.arn,
        trailBucketName: alerts.trailBucket?.bucket,
        trailLogGroupName: alerts.trailLogGroupName,
        operatorTopicArn: alerts.operatorTopic.arn,
        alarmTopicArn: alerts.alarmTopic.arn,
        functionName: alerts.function.name,
        webhookParameterName: alerts.webhookParameter.name,
        deadLetterQueueUrl: alerts.deadLetterQueue.url,
        alarmNames: Object.fromEntries(Object.entries(alerts.rules).map(([id, r]) => [id, r.alarm.name])),
        // Absent when the fast path is off.
        fastPathBusArn: alerts.fastPath?.bus.arn,
        fastPathRegions: alerts.fastPath ? Object.keys(alerts.fastPath.regionRules) : undefined,
        // Rule id → "backstop only, because …": rules whose pattern EventBridge cannot express arrive in minutes, not seconds.
        fastPathBackstopOnly: alerts.fastPathBackstopOnly,
        dashboardUrl: alerts.dashboardUrl,
        // Absent unless the stack serves an organization: the StackSet whose instances forward member accounts' events.
        organizationStackSetName: alerts.organization?.stackSet.name,
        // Absent unless the stack asks people "Was this you?": the Slack app's Interactivity Request URL.
        slackInteractivityUrl: alerts.answers?.url.functionUrl,
    };
};
