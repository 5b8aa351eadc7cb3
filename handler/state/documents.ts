/**
 * The state table's JSON documents (first-seen histories, the trail's last state): each written
 * with a version condition, so two invocations never lose each other's writes.
 */
import { allOrNone, batchGet, keyOf, TRANSACTION_WRITES, type Item, type Table, type TableWrite } from "./table";
import type { DocumentWrite, StoredDocument } from "../common/types";

/** The documents among items read, by key. */
export function documentsOf(items: readonly Item[]): Map<string, StoredDocument> {
    const documents = new Map<string, StoredDocument>();
    for (const item of items) {
        const [pk, body, version] = [item["pk"]?.S, item["body"]?.S, item["version"]?.N];
        if (pk !== undefined && body !== undefined && version !== undefined) {
            documents.set(pk, { body, version: Number(version) });
        }
    }
    return documents;
}

export async function readDocuments(table: Table, keys: readonly string[]): Promise<Map<string, StoredDocument>> {
    return documentsOf(await batchGet(table, keys));
}

/** The Put of a document at its next version, on the condition that it is still at the one expected. */
function documentPut(table: Table, { key, body, expectedVersion, expiresAtSeconds }: DocumentWrite): TableWrite {
    const version = (expectedVersion ?? 0) + 1;
    return {
        Put: {
            TableName: table.name,
            Item: { ...keyOf(key), body: { S: body }, version: { N: String(version) }, expiresAt: { N: String(expiresAtSeconds) } },
            ...(expectedVersion === undefined
                ? { ConditionExpression: "attribute_not_exists(pk)" }
                : {
                      ConditionExpression: "#version = :expected",
                      ExpressionAttributeNames: { "#version": "version" },
                      ExpressionAttributeValues: { ":expected": { N: String(expectedVersion) } },
                  }),
        },
    };
}

export function writeDocument(
    table: Table,
    key: string,
    body: string,
    expectedVersion: number | undefined,
    expiresAtSeconds: number,
): Promise<boolean> {
    return allOrNone(table, [documentPut(table, { key, body, expectedVersion, expiresAtSeconds })]);
}

/**
 * Writes documents in groups of up to 100, each group all or none and the groups side by side;
 * returns the keys of every group a changed document held back.
 */
export async function writeDocuments(table: Table, writes: readonly DocumentWrite[]): Promise<string[]> {
    const groups: DocumentWrite[][] = [];
    for (let i = 0; i < writes.length; i += TRANSACTION_WRITES) {
        groups.push(writes.slice(i, i + TRANSACTION_WRITES));
    }
    const written = await Promise.all(
        groups.map((group) =>
            allOrNone(
                table,
                group.map((w) => documentPut(table, w)),
            ),
        ),
    );
    return groups.flatMap((group, i) => (written[i] ? [] : group.map((w) => w.key)));
}
