/**
 * The one rule a Slack webhook URL must meet, checked when the stack is configured and again each
 * time the function reads the parameter: anyone allowed ssm:PutParameter on it could otherwise
 * send every alert to a host of their own, which answers "ok" while the channel hears nothing.
 */

// Slack's webhook hosts: the commercial one and GovSlack's (api.slack.com/messaging/webhooks; GovSlack's
// own documentation names hooks.slack-gov.com).
export const WEBHOOK_HOSTS: readonly string[] = ["hooks.slack.com", "hooks.slack-gov.com"];

/** Why a value is not a Slack webhook URL, in words that never repeat any part of it. */
export function webhookProblem(value: string): string | undefined {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return "must be a URL (a Slack incoming webhook)";
    }
    if (url.protocol !== "https:") {
        return "must be an https:// URL (a Slack incoming webhook)";
    }
    if (url.username || url.password) {
        return "must not carry a user name or password";
    }
    if (url.port) {
        return "must not name a port";
    }
    if (!WEBHOOK_HOSTS.includes(url.hostname)) {
        return `must be a Slack webhook on ${WEBHOOK_HOSTS.join(" or ")}; this one points to another host`;
    }
    if (url.pathname.length <= 1) {
        return "must include the webhook's path (/services/...)";
    }
    return undefined;
}
