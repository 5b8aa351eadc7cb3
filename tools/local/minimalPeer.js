/**
 * The least a Lambda function can do to post an alarm's console sign-ins to Slack, written plainly
 * as such a function usually is: the bench's cold start compares the deployed function with it
 * (tools/local/peerFunction.ts runs it exactly as the deployed function runs). On an ALARM
 * notification it reads the webhook from SSM and the sign-ins from CloudWatch Logs, both at once,
 * and posts them in one Block Kit message with node-fetch v2, bundled with it as the function's is.
 * It keeps no state, takes no lease and checks nothing: it is the floor, not an alternative.
 */
"use strict";
// The AWS SDK v3 comes from the Lambda runtime; node-fetch from the bundle, as the function's does.
const { SSMClient, GetParameterCommand } = require("@aws-sdk/client-ssm");
const { CloudWatchLogsClient, FilterLogEventsCommand } = require("@aws-sdk/client-cloudwatch-logs");
const fetch = require("node-fetch");

const ssm = new SSMClient({});
const logs = new CloudWatchLogsClient({});
const PATTERN = '{ ($.eventName = "ConsoleLogin") }';
const HOUR_MS = 3600 * 1000;

function signInSection(record) {
    const who = record.userIdentity?.userName ?? record.userIdentity?.type ?? "unknown";
    return {
        type: "section",
        text: { type: "mrkdwn", text: `*${who}* signed in` },
        fields: [
            { type: "mrkdwn", text: `*Source IP*\n${record.sourceIPAddress}` },
            { type: "mrkdwn", text: `*Time*\n${record.eventTime}` },
            { type: "mrkdwn", text: `*MFA*\n${record.additionalEventData?.MFAUsed ?? "n/a"}` },
            { type: "mrkdwn", text: `*Account*\n${record.recipientAccountId}` },
        ],
    };
}

exports.handler = async (event) => {
    const alarm = JSON.parse(event.Records[0].Sns.Message);
    if (alarm.NewStateValue !== "ALARM") {
        return { posted: 0 };
    }
    const endTime = Date.now();
    const [parameter, found] = await Promise.all([
        ssm.send(new GetParameterCommand({ Name: process.env.WEBHOOK_PARAMETER_NAME, WithDecryption: true })),
        logs.send(
            new FilterLogEventsCommand({
                logGroupName: process.env.TRAIL_LOG_GROUP_NAME,
                filterPattern: PATTERN,
                startTime: endTime - HOUR_MS,
                endTime,
            }),
        ),
    ]);
    const records = (found.events ?? []).map((e) => JSON.parse(e.message));
    const text = `${alarm.AlarmName}: ${records.length} console sign-in(s)`;
    const blocks = [{ type: "header", text: { type: "plain_text", text: alarm.AlarmName } }, ...records.map(signInSection)];
    const answer = await fetch(parameter.Parameter.Value, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text, blocks }),
    });
    if (!answer.ok) {
        throw new Error(`Slack answered ${answer.status}`);
    }
    return { posted: records.length };
};
