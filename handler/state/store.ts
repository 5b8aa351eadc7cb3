import { addCounters, readCounters } from "./counters";
import { documentsOf, readDocuments, writeDocument, writeDocuments } from "./documents";
import { DYNAMODB, jsonApi } from "../common/awsJson";
import {
    BATCH_WRITE_ITEMS,
    batchGet,
    inRounds,
    conditionHeld,
    keyOf,
    unlessConditionFailed,
    type DynamoDbOperations,
    type Item,
    type Table,
} from "./table";
import type { RuleProgress, StateStore, StoredDocument } from "../common/types";

/**
 * One item per rule holds its lease (`owner`, `until`), its cursor (`at`) and the lookup it left
 * unfinished (`lookupStart`, `lookupEnd`, `lookupSavedAt` and FilterLogEvents' `nextToken`), so
 * taking the lease reads where the lookups stand and giving it up moves the cursor: one request
 * each. It is the lease's item of earlier versions, taken on the same condition: an invocation of
 * the version before, still running during a deploy, and one of this version never hold a rule's
 * lease at once. Those versions kept the cursor apart (formerCursorKey).
 */
function ruleKey(ruleId: string): string {
    return `lease#${ruleId}`;
}

// Where versions before the cursor joined the lease kept it, with the unfinished lookup.
function formerCursorKey(ruleId: string): string {
    return `cursor#${ruleId}`;
}

// Every attribute goes through a placeholder: OWNER, UNTIL and AT are DynamoDB reserved words
// (DynamoDB Developer Guide, "Reserved words in DynamoDB").
const NAMES = {
    "#owner": "owner",
    "#until": "until",
    "#at": "at",
    "#lookupStart": "lookupStart",
    "#lookupEnd": "lookupEnd",
    "#lookupSavedAt": "lookupSavedAt",
    "#nextToken": "nextToken",
} as const;
const LOOKUP = "#lookupStart, #lookupEnd, #lookupSavedAt, #nextToken";
type Value = { S: string } | { N: string };

/** Where a rule's lookups stand, as its item (or a former cursor item) holds it. */
function progressOf(item: Item): RuleProgress {
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

/** An UpdateItem of the rule's item on the condition that `owner` holds its lease. */
function ownersUpdate(table: Table, ruleId: string, owner: string, update: string, values: Record<string, Value>) {
    // DynamoDB refuses a request that names an attribute none of its expressions uses.
    const used = (name: string) => update.includes(name) || name === "#owner";
    return table.dynamo.call("UpdateItem", {
        TableName: table.name,
        Key: keyOf(ruleKey(ruleId)),
        UpdateExpression: update,
        ConditionExpression: "#owner = :owner",
        ExpressionAttributeNames: Object.fromEntries(Object.entries(NAMES).filter(([name]) => used(name))),
        ExpressionAttributeValues: { ...values, ":owner": { S: owner } },
    });
}

/**
 * Takes the lease: no lease (no item yet, or its lease given up), an expired one, or our own. The
 * item as written carries the cursor and lookup the update left as they were, so no read follows:
 * ReturnValues ALL_NEW answers the item after the update, strongly consistent, and consumes no
 * read capacity (DynamoDB API Reference, "UpdateItem").
 */
async function acquireLease(
    table: Table,
    ruleId: string,
    owner: string,
    untilMs: number,
    nowMs: number,
): Promise<RuleProgress | undefined> {
    const out = await unlessConditionFailed(
        table.dynamo.call("UpdateItem", {
            TableName: table.name,
            Key: keyOf(ruleKey(ruleId)),
            UpdateExpression: "SET #owner = :owner, #until = :until",
            ConditionExpression: "attribute_not_exists(#owner) OR #until < :now OR #owner = :owner",
            ExpressionAttributeNames: { "#owner": "owner", "#until": "until" },
            ExpressionAttributeValues: { ":owner": { S: owner }, ":until": { N: String(untilMs) }, ":now": { N: String(nowMs) } },
            ReturnValues: "ALL_NEW",
        }),
    );
    return out && progressOf((out.Attributes ?? {}) as Item);
}

/**
 * Gives the lease up, with the cursor's move if any; a lease another owner holds by now (ours
 * expired and was taken) is theirs, and so are the cursor and lookup: nothing is written. The lease
 * is left expired (`until` 0), not removed: a version before this one, whose condition asks for no
 * item or an expired lease, can then take it during a deploy. Its PutItem drops the cursor and the
 * lookup from the item, and the next invocation of this version reads them from the former cursor
 * item, which that version moves (formerProgress).
 */
function releaseLease(table: Table, ruleId: string, owner: string, cursorMs: number | undefined): Promise<boolean> {
    const update =
        cursorMs === undefined ? "REMOVE #owner SET #until = :expired" : `REMOVE #owner, ${LOOKUP} SET #until = :expired, #at = :at`;
    const values: Record<string, Value> = { ":expired": { N: "0" }, ...(cursorMs === undefined ? {} : { ":at": { N: String(cursorMs) } }) };
    return conditionHeld(ownersUpdate(table, ruleId, owner, update, values));
}

/** Keeps the cursor and the unfinished lookup as `progress` has them (absent: removed), while the lease is ours. */
function saveProgress(table: Table, ruleId: string, owner: string, { cursorMs, pending }: RuleProgress): Promise<boolean> {
    const set: string[] = [];
    const remove: string[] = [];
    const values: Record<string, Value> = {};
    if (cursorMs === undefined) {
        remove.push("#at");
    } else {
        set.push("#at = :at");
        values[":at"] = { N: String(cursorMs) };
    }
    if (pending === undefined) {
        remove.push(LOOKUP);
    } else {
        set.push("#lookupStart = :start, #lookupEnd = :end, #lookupSavedAt = :savedAt, #nextToken = :token");
        Object.assign(values, {
            ":start": { N: String(pending.window.startMs) },
            ":end": { N: String(pending.window.endMs) },
            ":savedAt": { N: String(pending.savedAtMs) },
            ":token": { S: pending.nextToken },
        });
    }
    const update = [set.length > 0 ? `SET ${set.join(", ")}` : "", remove.length > 0 ? `REMOVE ${remove.join(", ")}` : ""].join(" ").trim();
    return conditionHeld(ownersUpdate(table, ruleId, owner, update, values));
}

async function formerProgress(table: Table, ruleId: string): Promise<RuleProgress> {
    const out = await table.dynamo.call("GetItem", { TableName: table.name, Key: keyOf(formerCursorKey(ruleId)), ConsistentRead: true });
    return progressOf((out.Item ?? {}) as Item);
}

/** One BatchGetItem round for both: the posted records are asked for under `posted#<key>`, the documents under their keys. */
async function unpostedAndDocuments(
    table: Table,
    postedKeys: readonly string[],
    documentKeys: readonly string[],
): Promise<{ unposted: Set<string>; documents: Map<string, StoredDocument> }> {
    const asDocument = new Set(documentKeys);
    const items = await batchGet(table, [...postedKeys.map((k) => `posted#${k}`), ...documentKeys]);
    const found = new Set(items.map((item) => item["pk"]?.S));
    return {
        unposted: new Set(postedKeys.filter((k) => !found.has(`posted#${k}`))),
        documents: documentsOf(items.filter((item) => asDocument.has(item["pk"]?.S ?? ""))),
    };
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
                const out = await table.dynamo.call("BatchWriteItem", { RequestItems: rest });
                return out.UnprocessedItems as typeof rest | undefined;
            }),
        );
    }
    await Promise.all(batches);
}

/**
 * The state table in DynamoDB: one item per rule (`lease#<rule>`: its lease, cursor and the lookup
 * to resume, if any; earlier versions kept the cursor in `cursor#<rule>`, read until the rule's
 * item has one), per posted event (`posted#<rule>#<event>`, expired by TTL; an event Slack refused
 * in every form has that record and `posted#failed#<rule>#<event>`, a lookback gap already
 * reported `posted#gap#<rule>#<from>`), each principal's first-seen history (`history#<principal>`)
 * and the summary's hourly counters (`stats#<hour>`, and its principals in `stats#<hour>#p<n>`).
 * Its requests are the function's own (common/awsJson.ts), signed and retried as the SDK would.
 */
export function createStateStore(tableName: string): StateStore {
    const table: Table = { name: tableName, dynamo: jsonApi<DynamoDbOperations>(DYNAMODB) };
    return {
        unposted: async (keys) => (await unpostedAndDocuments(table, keys, [])).unposted,
        unpostedAndDocuments: (postedKeys, documentKeys) => unpostedAndDocuments(table, postedKeys, documentKeys),
        markPosted: (keys, expiresAtSeconds) => markPosted(table, keys, expiresAtSeconds),
        acquireLease: (ruleId, owner, untilMs, nowMs) => acquireLease(table, ruleId, owner, untilMs, nowMs),
        releaseLease: (ruleId, owner, cursorMs) => releaseLease(table, ruleId, owner, cursorMs),
        saveProgress: (ruleId, owner, progress) => saveProgress(table, ruleId, owner, progress),
        formerProgress: (ruleId) => formerProgress(table, ruleId),
        readDocuments: (keys) => readDocuments(table, keys),
        writeDocument: (key, body, expectedVersion, expiresAtSeconds) => writeDocument(table, key, body, expectedVersion, expiresAtSeconds),
        writeDocuments: (writes) => writeDocuments(table, writes),
        addCounters: (additions, expiresAtSeconds) => addCounters(table, additions, expiresAtSeconds),
        readCounters: (keys) => readCounters(table, keys),
    };
}
