/**
 * Sends dead-lettered notifications back through the function.
 *
 *   npm run redrive -- --queue-url <deadLetterQueueUrl> --function <functionName> [--max 100]
 *
 * Lambda's on-failure destination writes a record per failed asynchronous invocation, with the
 * original event as `requestPayload`. Each is re-invoked asynchronously (so the usual retries and
 * dead-lettering apply again) and deleted only after Lambda accepted it. Posted sign-ins are
 * recorded by the function, so a redrive never posts one twice.
 */
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

export interface RedriveResult {
    redriven: number;
    skipped: number;
}

export async function redrive(args: {
    queueUrl: string;
    functionName: string;
    max: number;
    sqs?: SQSClient;
    lambda?: LambdaClient;
}): Promise<RedriveResult> {
    const sqs = args.sqs ?? new SQSClient({});
    const lambda = args.lambda ?? new LambdaClient({});
    const result: RedriveResult = { redriven: 0, skipped: 0 };
    while (result.redriven + result.skipped < args.max) {
        const out = await sqs.send(
            new ReceiveMessageCommand({
                QueueUrl: args.queueUrl,
                MaxNumberOfMessages: Math.min(10, args.max - result.redriven - result.skipped),
                WaitTimeSeconds: 1,
            }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0) {
            break;
        }
        for (const message of messages) {
            let payload: unknown;
            try {
                payload = (JSON.parse(message.Body ?? "") as { requestPayload?: unknown }).requestPayload;
            } catch {
                payload = undefined;
            }
            if (payload === undefined) {
                // Left in the queue for a person to read: it is not a Lambda failure record.
                console.error(`skipped message ${message.MessageId ?? "?"}: not a Lambda on-failure record with requestPayload`);
                result.skipped += 1;
                continue;
            }
            await lambda.send(
                new InvokeCommand({
                    FunctionName: args.functionName,
                    InvocationType: "Event",
                    Payload: Buffer.from(JSON.stringify(payload)),
                }),
            );
            await sqs.send(new DeleteMessageCommand({ QueueUrl: args.queueUrl, ReceiptHandle: message.ReceiptHandle }));
            result.redriven += 1;
        }
    }
    return result;
}

function option(argv: string[], name: string): string | undefined {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
}

if (require.main === module) {
    const argv = process.argv.slice(2);
    const queueUrl = option(argv, "--queue-url");
    const functionName = option(argv, "--function");
    const max = Number(option(argv, "--max") ?? "100");
    if (!queueUrl || !functionName || !Number.isInteger(max) || max < 1) {
        console.error("usage: npm run redrive -- --queue-url <deadLetterQueueUrl> --function <functionName> [--max 100]");
        process.exit(2);
    }
    redrive({ queueUrl, functionName, max }).then(
        (r) => {
            console.log(`redriven ${r.redriven}, skipped ${r.skipped}`);
            process.exit(r.skipped > 0 ? 1 : 0);
        },
        (err: Error) => {
            console.error(`error: ${err.name}: ${err.message}`);
            process.exit(1);
        },
    );
}
