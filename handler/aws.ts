import { createStateStore } from "./stateStore";
import type { AwsPorts, LogEvent, TimeWindow } from "./types";

type Ssm = typeof import("@aws-sdk/client-ssm");
type Logs = typeof import("@aws-sdk/client-cloudwatch-logs");

async function getSecureParameter(sdk: Ssm, client: InstanceType<Ssm["SSMClient"]>, name: string): Promise<string> {
    const out = await client.send(new sdk.GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = out.Parameter?.Value;
    if (!value) {
        throw new Error(`SSM parameter ${name} has no value.`);
    }
    return value;
}

/** Every page of FilterLogEvents for the window: a page may be empty while more follow. */
async function filterLogEvents(
    sdk: Logs,
    client: InstanceType<Logs["CloudWatchLogsClient"]>,
    logGroupName: string,
    pattern: string,
    window: TimeWindow,
): Promise<LogEvent[]> {
    const events: LogEvent[] = [];
    let nextToken: string | undefined;
    do {
        const out = await client.send(
            new sdk.FilterLogEventsCommand({
                logGroupName,
                filterPattern: pattern,
                startTime: window.startMs,
                endTime: window.endMs,
                nextToken,
            }),
        );
        for (const e of out.events ?? []) {
            if (typeof e.message === "string") {
                events.push({ message: e.message, timestamp: e.timestamp ?? 0 });
            }
        }
        nextToken = out.nextToken;
    } while (nextToken);
    return events;
}

/**
 * Real AWS clients. The SDK comes from the Lambda runtime, so it is required here at cold start
 * rather than imported: an import would be followed by closure serialization into the package.
 */
export function createAwsPorts(tableName: string): AwsPorts {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const ssm = require("@aws-sdk/client-ssm") as Ssm;
    const logs = require("@aws-sdk/client-cloudwatch-logs") as Logs;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const ssmClient = new ssm.SSMClient({});
    const logsClient = new logs.CloudWatchLogsClient({});
    return {
        getSecureParameter: (name) => getSecureParameter(ssm, ssmClient, name),
        filterLogEvents: (logGroupName, pattern, window) => filterLogEvents(logs, logsClient, logGroupName, pattern, window),
        store: createStateStore(tableName),
    };
}
