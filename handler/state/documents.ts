/**
 * The state table's documents and counters: first-seen histories (one JSON document per principal,
 * written with a version condition so two invocations never lose each other's sightings) and the
 * summary's hourly counters (DynamoDB's ADD, which creates what is missing and never races).
 */
import { batchGet, conditionHeld, keyOf, type Table } from "./table";
import type { StoredDocument } from "../common/types";

// One UpdateItem's expression stays far below DynamoDB's 4 KB expression limit at this many counters.
const COUNTERS_PER_UPDATE = 100;

export async function readDocuments(table: Table, keys: readonly string[]): Promise<Map<string, StoredDocument>> {
    const documents = new Map<string, StoredDocument>();
    for (const item of await batchGet(table, keys)) {
        const [pk, body, version] = [item["pk"]?.S, item["body"]?.S, item["version"]?.N];
        if (pk !== undefined && body !== undefined && version !== undefined) {
            documents.set(pk, { body, version: Number(version) });
        }
    }
    return documents;
}

export async function writeDocument(
    table: Table,
    key: string,
    body: string,
    expectedVersion: number | undefined,
    expiresAtSeconds: number,
): Promise<boolean> {
    const version = (expectedVersion ?? 0) + 1;
    return conditionHeld(
        table.client.send(
            new table.sdk.PutItemCommand({
                TableName: table.name,
                Item: { ...keyOf(key), body: { S: body }, version: { N: String(version) }, expiresAt: { N: String(expiresAtSeconds) } },
                ...(expectedVersion === undefined
                    ? { ConditionExpression: "attribute_not_exists(pk)" }
                    : {
                          ConditionExpression: "#version = :expected",
                          ExpressionAttributeNames: { "#version": "version" },
                          ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } },
                      }),
            }),
        ),
    );
}

/**
 * An UpdateItem that ADDs each counter (as `#c<i>`) and SETs the expiry, with an optional
 * condition over the same placeholders. Counter names go through placeholders, so any text is a
 * valid name.
 */
function counterUpdate(
    table: Table,
    key: string,
    entries: Array<[string, number]>,
    expiresAtSeconds: number,
    extra: { names?: Record<string, string>; values?: Record<string, { N: string }>; add?: string; condition?: string } = {},
) {
    const names: Record<string, string> = { "#expiresAt": "expiresAt", ...extra.names };
    const values: Record<string, { N: string }> = { ":expiresAt": { N: String(expiresAtSeconds) }, ...extra.values };
    const adds = entries.map(([name, amount], i) => {
        names[`#c${i}`] = name;
        values[`:c${i}`] = { N: String(amount) };
        return `#c${i} :c${i}`;
    });
    return new table.sdk.UpdateItemCommand({
        TableName: table.name,
        Key: keyOf(key),
        UpdateExpression: `ADD ${[...adds, ...(extra.add ? [extra.add] : [])].join(", ")} SET #expiresAt = :expiresAt`,
        ...(extra.condition ? { ConditionExpression: extra.condition } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
    });
}

/** One UpdateItem: ADD each counter, SET the expiry. */
async function addSome(table: Table, key: string, entries: Array<[string, number]>, expiresAtSeconds: number): Promise<void> {
    await table.client.send(counterUpdate(table, key, entries, expiresAtSeconds));
}

export async function addCounters(
    table: Table,
    key: string,
    counters: Readonly<Record<string, number>>,
    expiresAtSeconds: number,
): Promise<void> {
    const entries = Object.entries(counters).filter(([, amount]) => amount !== 0);
    for (let i = 0; i < entries.length; i += COUNTERS_PER_UPDATE) {
        await addSome(table, key, entries.slice(i, i + COUNTERS_PER_UPDATE), expiresAtSeconds);
    }
}

export async function readCounters(table: Table, keys: readonly string[]): Promise<Map<string, Record<string, number>>> {
    const counters = new Map<string, Record<string, number>>();
    for (const item of await batchGet(table, keys)) {
        const pk = item["pk"]?.S;
        if (pk === undefined) {
            continue;
        }
        const numbers = Object.entries(item).filter(
            ([name, value]) => name !== "expiresAt" && name !== COUNTER_BYTES_ATTRIBUTE && value.N !== undefined,
        );
        counters.set(pk, Object.fromEntries(numbers.map(([name, value]) => [name, Number(value.N)])));
    }
    return counters;
}

// DynamoDB sizes a number at about one byte per two significant digits, plus one: a counter (at most
// 38 digits) takes at most 21 bytes besides its name's UTF-8 bytes (DynamoDB Developer Guide, "Item
// sizes and formats").
const NUMBER_BYTES = 21;

/** The most one counter adds to its item's size: its name and its number. */
export function counterBytes(name: string): number {
    return Buffer.byteLength(name, "utf8") + NUMBER_BYTES;
}

/** The attribute of a bounded item that adds up counterBytes of the counters in it; not a counter. */
export const COUNTER_BYTES_ATTRIBUTE = "counterBytes";

/** ADDs to counters the item already holds, all or none: false when one of them is missing. */
function addExisting(table: Table, key: string, entries: Array<[string, number]>, expiresAtSeconds: number): Promise<boolean> {
    const condition = entries.map((_, i) => `attribute_exists(#c${i})`).join(" AND ");
    return conditionHeld(table.client.send(counterUpdate(table, key, entries, expiresAtSeconds, { condition })));
}

/** Creates a counter the item does not hold yet, if its bytes still fit in `maxBytes`: false otherwise. */
async function addNew(table: Table, key: string, entry: [string, number], maxBytes: number, expiresAtSeconds: number): Promise<boolean> {
    const bytes = counterBytes(entry[0]);
    if (bytes > maxBytes) {
        return false;
    }
    return conditionHeld(
        table.client.send(
            counterUpdate(table, key, [entry], expiresAtSeconds, {
                names: { "#bytes": COUNTER_BYTES_ATTRIBUTE },
                values: { ":bytes": { N: String(bytes) }, ":room": { N: String(maxBytes - bytes) } },
                add: "#bytes :bytes",
                condition: "attribute_not_exists(#c0) AND (attribute_not_exists(#bytes) OR #bytes <= :room)",
            }),
        ),
    );
}

/**
 * Adds to counters of an item whose counters may take at most `maxBytes`, so that no names, however
 * many or long, take it to DynamoDB's 400 KB item limit, past which every later write to it fails.
 * Counters the item holds are added to in one write; a new one is created only while it fits (the
 * item's byte count only grows, so a counter refused room is never created by another writer
 * either). Returns the counters that found no room.
 */
export async function addCountersWithin(
    table: Table,
    key: string,
    counters: Readonly<Record<string, number>>,
    maxBytes: number,
    expiresAtSeconds: number,
): Promise<Record<string, number>> {
    const entries = Object.entries(counters).filter(([, amount]) => amount !== 0);
    const left: Record<string, number> = {};
    for (let i = 0; i < entries.length; i += COUNTERS_PER_UPDATE) {
        const chunk = entries.slice(i, i + COUNTERS_PER_UPDATE);
        if (await addExisting(table, key, chunk, expiresAtSeconds)) {
            continue;
        }
        // Once a counter found no room the item is as good as full: the rest are only added to if
        // they exist, since each refused conditional write is billed as a write of the item's size.
        let full = false;
        for (const entry of chunk) {
            const created = !full && (await addNew(table, key, entry, maxBytes, expiresAtSeconds));
            if (!created && !(await addExisting(table, key, [entry], expiresAtSeconds))) {
                left[entry[0]] = entry[1];
                full = true;
            }
        }
    }
    return left;
}
