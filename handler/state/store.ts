import { addCounters, readCounters } from "./counters";
import { readDocuments, writeDocument, writeDocuments } from "./documents";
import { BATCH_WRITE_ITEMS, batchGet, inRounds, conditionHeld, keyOf, type DynamoDb, type Table } from "./table";
import type { PendingLookup, RuleProgress, StateStore } from "../common/types";

// One item per rule holds its cursor and the lookup it left unfinished.
function cursorKey(ruleId: string): string {
    return `cursor#${ruleId}`;
}

async function setCursor(table: Table, ruleId: string, atMs: number): Promise<void> {
    await table.client.send(
        new table.sdk.PutItemCommand({ TableName: table.name, Item: { ...keyOf(cursorKey(ruleId)), at: { N: String(atMs) } } }),
    );
}

/**
 * The cursor item also keeps a lookup left unfinished (its window and FilterLogEvents' nextToken),
 * so an idle sweep reads one item per rule as before; `setCursor` replaces the whole item, which
 * clears it.
 */
async function getProgress(table: Table, ruleId: string): Promise<RuleProgress> {
    const out = await table.client.send(
        new table.sdk.GetItemCommand({ TableName: table.name, Key: keyOf(cursorKey(ruleId)), ConsistentRead: true }),
    );
    const item = out.Item ?? {};
    const number = (name: string): number | undefined => (item[name]?.N === undefined ? undefined : Number(item[name]?.N));
    const at = number("at");
    const [startMs, endMs, savedAtMs] = [number("lookupStart"), number("lookupEnd"), number("lookupSavedAt")];
    const nextToken = item["nextToken"]?.S;
    const pending =
        startMs !== undefined && endMs !== undefined && savedAtMs !== undefined && nextToken
            ? { window: { startMs, endMs }, nextToken, savedAtMs }
            : undefined;
    return { ...(at === undefined ? {} : { cursorMs: at }), ...(pending ? { pending } : {}) };
}

async function savePending(table: Table, ruleId: string, cursorMs: number | undefined, pending: PendingLookup): Promise<void> {
    const item: Record<string, { S: string } | { N: string }> = {
        ...keyOf(cursorKey(ruleId)),
        lookupStart: { N: String(pending.window.startMs) },
        lookupEnd: { N: String(pending.window.endMs) },
        lookupSavedAt: { N: String(pending.savedAtMs) },
        nextToken: { S: pending.nextToken },
    };
    if (cursorMs !== undefined) {
        item["at"] = { N: String(cursorMs) };
    }
    await table.client.send(new table.sdk.PutItemCommand({ TableName: table.name, Item: item }));
}

async function unposted(table: Table, keys: readonly string[]): Promise<Set<string>> {
    const records = await batchGet(
        table,
        keys.map((k) => `posted#${k}`),
    );
    const seen = new Set(records.flatMap((item) => (item["pk"]?.S ? [item["pk"].S.slice("posted#".length)] : [])));
    return new Set(keys.filter((k) => !seen.has(k)));
}

// The batches are independent, so they go side by side, each with its own rounds of what DynamoDB left unprocessed.
async function markPosted(table: Table, keys: readonly string[], expiresAtSeconds: number): Promise<void> {
    const batches: Array<Promise<void>> = [];
    for (let i = 0; i < keys.length; i += BATCH_WRITE_ITEMS) {
        const request: Record<string, Array<{ PutRequest: { Item: Record<string, { S: string } | { N: string }> } }>> = {
            [table.name]: keys.slice(i, i + BATCH_WRITE_ITEMS).map((k) => ({
                PutRequest: { Item: { ...keyOf(`posted#${k}`), expiresAt: { N: String(expiresAtSeconds) } } },
            })),
        };
        batches.push(
            inRounds("BatchWriteItem", request, async (rest) => {
                const out = await table.client.send(new table.sdk.BatchWriteItemCommand({ RequestItems: rest }));
                return out.UnprocessedItems as typeof rest | undefined;
            }),
        );
    }
    await Promise.all(batches);
}

// One lease per rule: a flood on one rule never holds back another's alerts.
function leaseKey(ruleId: string): string {
    return `lease#${ruleId}`;
}

async function acquireLease(table: Table, ruleId: string, owner: string, untilMs: number, nowMs: number): Promise<boolean> {
    return conditionHeld(
        table.client.send(
            new table.sdk.PutItemCommand({
                TableName: table.name,
                Item: { ...keyOf(leaseKey(ruleId)), owner: { S: owner }, until: { N: String(untilMs) } },
                ConditionExpression: "attribute_not_exists(pk) OR #until < :now OR #owner = :owner",
                ExpressionAttributeNames: { "#until": "until", "#owner": "owner" },
                ExpressionAttributeValues: { ":now": { N: String(nowMs) }, ":owner": { S: owner } },
            }),
        ),
    );
}

// A lease another owner holds by now (ours expired and was taken) is theirs to release.
async function releaseLease(table: Table, ruleId: string, owner: string): Promise<void> {
    await conditionHeld(
        table.client.send(
            new table.sdk.DeleteItemCommand({
                TableName: table.name,
                Key: keyOf(leaseKey(ruleId)),
                ConditionExpression: "#owner = :owner",
                ExpressionAttributeNames: { "#owner": "owner" },
                ExpressionAttributeValues: { ":owner": { S: owner } },
            }),
        ),
    );
}

/**
 * The state table in DynamoDB: one item per rule cursor (`cursor#<rule>`, with the lookup to
 * resume, if any), per posted event (`posted#<rule>#<event>`, expired by TTL; an event Slack
 * refused in every form has that record and `posted#failed#<rule>#<event>`, a lookback gap already reported
 * `posted#gap#<rule>#<from>`), each rule's lease (`lease#<rule>`), each principal's first-seen
 * history (`history#<principal>`) and the summary's hourly counters (`stats#<hour>`, and its
 * principals in `stats#<hour>#p<n>`). The SDK comes from the Lambda runtime, so it is required here
 * at cold start: an import would be followed by closure serialization into the package.
 */
export function createStateStore(tableName: string): StateStore {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require("@aws-sdk/client-dynamodb") as DynamoDb;
    const table: Table = { name: tableName, client: new sdk.DynamoDBClient({}), sdk };
    return {
        getCursor: async (ruleId) => (await getProgress(table, ruleId)).cursorMs,
        setCursor: (ruleId, atMs) => setCursor(table, ruleId, atMs),
        getProgress: (ruleId) => getProgress(table, ruleId),
        savePending: (ruleId, cursorMs, pending) => savePending(table, ruleId, cursorMs, pending),
        unposted: (keys) => unposted(table, keys),
        markPosted: (keys, expiresAtSeconds) => markPosted(table, keys, expiresAtSeconds),
        acquireLease: (ruleId, owner, untilMs, nowMs) => acquireLease(table, ruleId, owner, untilMs, nowMs),
        releaseLease: (ruleId, owner) => releaseLease(table, ruleId, owner),
        readDocuments: (keys) => readDocuments(table, keys),
        writeDocument: (key, body, expectedVersion, expiresAtSeconds) => writeDocument(table, key, body, expectedVersion, expiresAtSeconds),
        writeDocuments: (writes) => writeDocuments(table, writes),
        addCounters: (additions, expiresAtSeconds) => addCounters(table, additions, expiresAtSeconds),
        readCounters: (keys) => readCounters(table, keys),
    };
}
