/** The state table as every store function sees it: its name, a client, and the rules of DynamoDB's batch calls. */
import { boundedText } from "../decide/boundedText";
import { realClock } from "../common/clock";

import type * as Dynamo from "@aws-sdk/client-dynamodb";
import type { JsonApi } from "../common/awsJson";

/** The DynamoDB operations the state table takes, each with its input and output (the SDK's types, for their shapes only). */
export type DynamoDbOperations = {
    GetItem: [Dynamo.GetItemInput, Dynamo.GetItemOutput];
    PutItem: [Dynamo.PutItemInput, Dynamo.PutItemOutput];
    UpdateItem: [Dynamo.UpdateItemInput, Dynamo.UpdateItemOutput];
    BatchGetItem: [Dynamo.BatchGetItemInput, Dynamo.BatchGetItemOutput];
    BatchWriteItem: [Dynamo.BatchWriteItemInput, Dynamo.BatchWriteItemOutput];
    TransactWriteItems: [Dynamo.TransactWriteItemsInput, Dynamo.TransactWriteItemsOutput];
};

/** The state table and a client for it. */
export interface Table {
    name: string;
    dynamo: JsonApi<DynamoDbOperations>;
}

// DynamoDB reports sustained throttling of batch calls as unprocessed items, not as an error; give
// up after a bounded number of rounds so the invocation fails (and is retried) instead of spinning.
const UNPROCESSED_ROUNDS = 8;

// BatchGetItem reads at most 100 keys per call, BatchWriteItem writes at most 25 items (DynamoDB
// API Reference, "BatchGetItem", "BatchWriteItem").
const BATCH_GET_KEYS = 100;
export const BATCH_WRITE_ITEMS = 25;

/** How many more keys a read of `keys` keys (batchGet) takes without another call: the room its last call leaves. */
export function batchGetRoom(keys: number): number {
    return (BATCH_GET_KEYS - (keys % BATCH_GET_KEYS)) % BATCH_GET_KEYS;
}

async function unprocessedBackoff(round: number, operation: string): Promise<void> {
    if (round >= UNPROCESSED_ROUNDS) {
        const err = new Error(`DynamoDB left items of ${operation} unprocessed after ${UNPROCESSED_ROUNDS} rounds.`);
        err.name = "ProvisionedThroughputExceededException";
        throw err;
    }
    await realClock.sleep(Math.min(1000, 50 * 2 ** round));
}

/** Sends a batch request, then what DynamoDB left unprocessed, round after round until nothing is left. */
export async function inRounds<R extends object>(
    operation: string,
    request: R,
    send: (request: R) => Promise<R | undefined>,
): Promise<void> {
    let rest: R | undefined = request;
    for (let round = 0; rest && Object.keys(rest).length > 0; round++) {
        if (round > 0) {
            await unprocessedBackoff(round, operation);
        }
        rest = await send(rest);
    }
}

export type Item = Record<string, { S?: string; N?: string }>;

/**
 * The partition key an item is stored under, for every kind of item (`<kind>#<rest>`): the rest
 * bounded, so no key reaches DynamoDB's limit. Every read and write of the table goes through it;
 * a short key is stored as it is, so items written before stay where they were. DynamoDB refuses a
 * partition key over 2,048 bytes (DynamoDB Developer Guide, "Service, account, and table quotas"),
 * and keys hold text from events (an eventID, a user name) that anyone allowed logs:PutLogEvents on
 * the trail's log group can make as long as a log event: one such record would otherwise make its
 * rule fail on every sweep and hold back every event behind it.
 */
export function storedKey(key: string): string {
    const at = key.indexOf("#");
    return at < 0 ? boundedText(key) : `${key.slice(0, at)}#${boundedText(key.slice(at + 1))}`;
}

/** The key attribute of an item, stored under its bounded key. */
export function keyOf(key: string): { pk: { S: string } } {
    return { pk: { S: storedKey(key) } };
}

/**
 * Every item among `keys` that exists, read consistently, its `pk` the key as asked (not as
 * stored). Each key is asked for once: BatchGetItem refuses a request that names a key twice.
 */
export async function batchGet(table: Table, keys: readonly string[]): Promise<Item[]> {
    const asked = new Map(keys.map((k) => [storedKey(k), k]));
    const unique = [...asked.keys()];
    const items: Item[] = [];
    const batches: Array<Promise<void>> = [];
    // The batches are independent, so they go side by side.
    for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
        const request: Record<string, { Keys: Array<Record<string, { S: string }>>; ConsistentRead: boolean }> = {
            [table.name]: { Keys: unique.slice(i, i + BATCH_GET_KEYS).map((k) => ({ pk: { S: k } })), ConsistentRead: true },
        };
        batches.push(
            inRounds("BatchGetItem", request, async (rest) => {
                const out = await table.dynamo.call("BatchGetItem", { RequestItems: rest });
                items.push(...((out.Responses?.[table.name] ?? []) as Item[]));
                return out.UnprocessedKeys as typeof rest | undefined;
            }),
        );
    }
    await Promise.all(batches);
    return items.map((item) => ({ ...item, pk: { S: asked.get(item["pk"]?.S ?? "") ?? "" } }));
}

/** One write of a group written all or none: a Put or an Update, as TransactWriteItems takes them. */
export type TableWrite = Required<Pick<Dynamo.TransactWriteItem, "Put">> | Required<Pick<Dynamo.TransactWriteItem, "Update">>;

// TransactWriteItems takes at most 100 actions, no two on one item (DynamoDB API Reference, "TransactWriteItems").
export const TRANSACTION_WRITES = 100;

// Why DynamoDB cancels a transaction without it being wrong: a condition did not hold, or another
// request was writing one of its items. Any other reason (throttling, a validation error) is thrown.
const RETRYABLE_CANCELLATIONS: readonly string[] = ["None", "ConditionalCheckFailed", "TransactionConflict"];

/**
 * Writes up to {@link TRANSACTION_WRITES} items all or none: a single write as its own conditional
 * request (a transaction bills each item twice), more as one TransactWriteItems. False when a
 * condition did not hold, or another request held an item: then nothing was written.
 */
export async function allOrNone(table: Table, writes: readonly TableWrite[]): Promise<boolean> {
    const [only, ...more] = writes;
    if (!only) {
        return true;
    }
    if (more.length === 0) {
        return conditionHeld("Put" in only ? table.dynamo.call("PutItem", only.Put) : table.dynamo.call("UpdateItem", only.Update));
    }
    try {
        await table.dynamo.call("TransactWriteItems", { TransactItems: [...writes] });
        return true;
    } catch (err) {
        const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
        if (
            (err as Error).name === "TransactionCanceledException" &&
            reasons.every((r) => RETRYABLE_CANCELLATIONS.includes(r.Code ?? "None"))
        ) {
            return false;
        }
        throw err;
    }
}

/** Awaits a conditional write: its answer, or undefined when its condition failed; any other failure thrown. */
export async function unlessConditionFailed<T>(write: Promise<T>): Promise<T | undefined> {
    try {
        return await write;
    } catch (err) {
        if ((err as Error).name === "ConditionalCheckFailedException") {
            return undefined;
        }
        throw err;
    }
}

/** Awaits a conditional write: false when its condition failed, any other failure thrown. */
export async function conditionHeld(write: Promise<object>): Promise<boolean> {
    return (await unlessConditionFailed(write)) !== undefined;
}
