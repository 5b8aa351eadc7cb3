// Two independent instances in one stack, as a platform team might run for two Slack channels.
import * as pulumi from "@pulumi/pulumi";
import { LoginAlerts } from "../../program/loginAlerts";
import { BUILT_IN_RULES } from "../../program/rules";

const webhook = pulumi.secret(new pulumi.Config().require("slackWebhookUrl"));
const security = new LoginAlerts("security", { slackWebhookUrl: webhook, rules: [BUILT_IN_RULES["root-activity"]] });
const platform = new LoginAlerts("platform", { slackWebhookUrl: webhook, rules: [BUILT_IN_RULES["console-signin"]] });

export const securityWebhook = security.webhookParameter.value;
export const platformFunction = platform.function.name;
