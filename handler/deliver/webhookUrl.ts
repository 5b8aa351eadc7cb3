/**
 * The webhook as the function reads it from its parameter, held to the same rule the configuration
 * was (shared/webhook.ts). The parameter can be changed after deployment by anyone allowed
 * ssm:PutParameter on it; a value that breaks the rule is never posted to, the operators hear of it
 * on their own channel, and the post fails, so the invocation is retried and then dead-lettered.
 */
import { log } from "../common/log";
import type { AwsPorts } from "../common/types";
import { webhookProblem } from "../../shared/webhook";

export const REPOINTED_SUBJECT = "Sign-in alerts: the Slack webhook parameter no longer names Slack";

/** What the operators read; it names the parameter and the problem, never any part of the value. */
export function repointedMessage(parameterName: string, problem: string): string {
    return (
        `The webhook parameter ${parameterName} ${problem}. It was changed after deployment, so no alert is posted ` +
        "until it is put back: check CloudTrail for PutParameter on it, then run `pulumi up` (or set it again with " +
        "`pulumi config set --secret slackWebhookUrl ...`). Alerts wait in the dead-letter queue; redrive them afterwards."
    );
}

/** Reads the webhook; a value that is not a Slack webhook is told to the operators (once per container) and thrown. */
export function checkedWebhookReader(aws: AwsPorts, parameterName: string): () => Promise<string> {
    let told = "";
    return async () => {
        const url = (await aws.getSecureParameter(parameterName)).trim();
        const problem = webhookProblem(url);
        if (problem === undefined) {
            return url;
        }
        const message = repointedMessage(parameterName, problem);
        log("error", "the webhook parameter no longer names a Slack webhook; nothing is posted to it", {
            parameter: parameterName,
            problem,
        });
        if (told !== problem) {
            await aws.operators.publish(REPOINTED_SUBJECT, message);
            told = problem;
        }
        const err = new Error(message);
        err.name = "WebhookParameterRepointed";
        throw err;
    };
}
