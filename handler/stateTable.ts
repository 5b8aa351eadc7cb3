/** The state table as every store function sees it: its name, a client, and the rules of DynamoDB's batch calls. */
import { realClock } from "./clock";

export type DynamoDb = typeof import("@aws-sdk/client-dynamodb");

/** The state table and a client for it. */
export interface Table {
    name: string;
    client: import("@aws-sdk/client-dynamodb").DynamoDBClient;
    sdk: DynamoDb;
}

// DynamoDB reports sustained throttling of batch calls as unprocessed items, not as an error; give
// up after a bounded number of rounds so the invocation fails (and is retried) instead of spinning.
const UNPROCESSED_ROUNDS = 8;

// BatchGetItem reads at most 100 keys per call, BatchWriteItem writes at most 25 items.
export const BATCH_GET_KEYS = 100;
export const BATCH_WRITE_ITEMS = 25;

export async function unprocessedBackoff(round: number, operation: string): Promise<void> {
    if (round >= UNPROCESSED_ROUNDS) {
        const err = new Error(`DynamoDB left items of ${operation} unprocessed after ${UNPROCESSED_ROUNDS} rounds.`);
        err.name = "ProvisionedThroughputExceededException";
        throw err;
    }
    await realClock.sleep(Math.min(1000, 50 * 2 ** round));
}
