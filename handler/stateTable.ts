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
const BATCH_GET_KEYS = 100;
export const BATCH_WRITE_ITEMS = 25;

export async function unprocessedBackoff(round: number, operation: string): Promise<void> {
    if (round >= UNPROCESSED_ROUNDS) {
        const err = new Error(`DynamoDB left items of ${operation} unprocessed after ${UNPROCESSED_ROUNDS} rounds.`);
        err.name = "ProvisionedThroughputExceededException";
        throw err;
    }
    await realClock.sleep(Math.min(1000, 50 * 2 ** round));
}

export type Item = Record<string, { S?: string; N?: string }>;

/** Every item among `keys` that exists, read consistently, in rounds until nothing is left unprocessed. */
export async function batchGet(table: Table, keys: readonly string[]): Promise<Item[]> {
    const items: Item[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
        let request: Record<string, { Keys: Array<Record<string, { S: string }>>; ConsistentRead: boolean }> | undefined = {
            [table.name]: { Keys: keys.slice(i, i + BATCH_GET_KEYS).map((k) => ({ pk: { S: k } })), ConsistentRead: true },
        };
        for (let round = 0; request && Object.keys(request).length > 0; round++) {
            if (round > 0) {
                await unprocessedBackoff(round, "BatchGetItem");
            }
            const out = await table.client.send(new table.sdk.BatchGetItemCommand({ RequestItems: request }));
            items.push(...((out.Responses?.[table.name] ?? []) as Item[]));
            request = out.UnprocessedKeys as typeof request;
        }
    }
    return items;
}
