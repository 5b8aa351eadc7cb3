import { onFirstUse } from "../common/onFirstUse";
import type { OperatorsChannel } from "../common/types";

type Sns = typeof import("@aws-sdk/client-sns");

// SNS takes a subject of printable ASCII, without line breaks, of at most 100 characters.
const SUBJECT_MAX = 100;

function subjectOf(text: string): string {
    const printable = text.replace(/[^\x20-\x7E]/g, "?");
    return printable.length > SUBJECT_MAX ? `${printable.slice(0, SUBJECT_MAX - 3)}...` : printable;
}

/**
 * The operators' SNS topic, for what must reach a person even when Slack refuses it. The SDK comes
 * from the Lambda runtime (the bundle leaves @aws-sdk out: program/functionPackage.ts).
 */
export function createOperatorsChannel(topicArn: string): OperatorsChannel {
    // Loaded on first use: most invocations never tell the operators anything.
    const sns = onFirstUse(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const sdk = require("@aws-sdk/client-sns") as Sns;
        return { sdk, client: new sdk.SNSClient({}) };
    });
    return {
        publish: async (subject, message) => {
            const { sdk, client } = sns();
            await client.send(new sdk.PublishCommand({ TopicArn: topicArn, Subject: subjectOf(subject), Message: message }));
        },
    };
}
