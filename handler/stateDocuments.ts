/**
 * The state table's documents and counters: first-seen histories (one JSON document per principal,
 * written with a version condition so two invocations never lose each other's sightings) and the
 * summary's hourly counters (DynamoDB's ADD, which creates what is missing and never races).
 */
import { batchGet, conditionHeld, type Table } from "./stateTable";
import type { StoredDocument } from "./types";

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
                Item: { pk: { S: key }, body: { S: body }, version: { N: String(version) }, expiresAt: { N: String(expiresAtSeconds) } },
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

/** One UpdateItem: ADD each counter, SET the expiry. Counter names go through placeholders, so any text is a valid name. */
async function addSome(table: Table, key: string, entries: Array<[string, number]>, expiresAtSeconds: number): Promise<void> {
    const names: Record<string, string> = { "#expiresAt": "expiresAt" };
    const values: Record<string, { N: string }> = { ":expiresAt": { N: String(expiresAtSeconds) } };
    const adds = entries.map(([name, amount], i) => {
        names[`#c${i}`] = name;
        values[`:c${i}`] = { N: String(amount) };
        return `#c${i} :c${i}`;
    });
    await table.client.send(
        new table.sdk.UpdateItemCommand({
            TableName: table.name,
            Key: { pk: { S: key } },
            UpdateExpression: `ADD ${adds.join(", ")} SET #expiresAt = :expiresAt`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
        }),
    );
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
        const numbers = Object.entries(item).filter(([name, value]) => name !== "expiresAt" && value.N !== undefined);
        counters.set(pk, Object.fromEntries(numbers.map(([name, value]) => [name, Number(value.N)])));
    }
    return counters;
}
