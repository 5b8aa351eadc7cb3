import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// The one place the pack is constructed: doing so starts the analyzer's gRPC server, and a second
// PolicyPack in the same process exits it.
new PolicyPack("console-login-alerts", {
    description:
        "Keeps console-login-alerts stacks able to alert: the trail reaches CloudWatch Logs, alarms reach Slack, and the webhook stays secret.",
    policies,
});
