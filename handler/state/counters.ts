/**
 * The state table's counters (the summary's hourly tallies): DynamoDB's ADD, which creates what is
 * missing, several items written all or none. A bounded item keeps the bytes its counters take, so
 * that no names, however many or long, take it to DynamoDB's 400 KB item limit, past which every
 * later write to it fails.
 */
import { allOrNone, batchGet, keyOf, type Table, type TableWrite } from "./table";
import type { CounterAddition } from "../common/types";

// One Update's expressions stay below DynamoDB's 4 KB expression limit at this many counters, each
// with its condition (`attribute_not_exists(#c99) AND `).
const COUNTERS_PER_UPDATE = 100;
// Rounds of read and conditional write before an addition that keeps meeting others' gives up.
const ADD_ATTEMPTS = 5;

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

type Entry = [string, number];

/**
 * The Update that ADDs each entry (as `#c<i>`) and SETs the expiry, on the condition that the
 * entries `held` exist and the others do not; `room` bounds the item's bytes after the new ones.
 * Counter names go through placeholders, so any text is a valid name.
 */
function counterUpdate(
    table: Table,
    key: string,
    entries: readonly Entry[],
    expiresAtSeconds: number,
    bound?: { held: number; room?: number },
): TableWrite {
    const names: Record<string, string> = { "#expiresAt": "expiresAt" };
    const values: Record<string, { N: string }> = { ":expiresAt": { N: String(expiresAtSeconds) } };
    const adds: string[] = [];
    const conditions: string[] = [];
    entries.forEach(([name, amount], i) => {
        names[`#c${i}`] = name;
        values[`:c${i}`] = { N: String(amount) };
        adds.push(`#c${i} :c${i}`);
        if (bound) {
            conditions.push(i < bound.held ? `attribute_exists(#c${i})` : `attribute_not_exists(#c${i})`);
        }
    });
    if (bound?.room !== undefined) {
        const bytes = entries.slice(bound.held).reduce((sum, [name]) => sum + counterBytes(name), 0);
        names["#bytes"] = COUNTER_BYTES_ATTRIBUTE;
        values[":bytes"] = { N: String(bytes) };
        values[":room"] = { N: String(bound.room - bytes) };
        adds.push("#bytes :bytes");
        conditions.push("(attribute_not_exists(#bytes) OR #bytes <= :room)");
    }
    return {
        Update: {
            TableName: table.name,
            Key: keyOf(key),
            UpdateExpression: `ADD ${adds.join(", ")} SET #expiresAt = :expiresAt`,
            ...(conditions.length > 0 ? { ConditionExpression: conditions.join(" AND ") } : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
        },
    };
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

/** One addition's share of a round: at most COUNTERS_PER_UPDATE of its counters. */
interface Share {
    key: string;
    entries: Entry[];
    maxBytes?: number;
}

/** The additions as rounds: the n-th round holds the n-th COUNTERS_PER_UPDATE counters of each item, one Update per item. */
function roundsOf(additions: readonly CounterAddition[]): Share[][] {
    const rounds: Share[][] = [];
    for (const { key, counters, maxBytes } of additions) {
        const entries = Object.entries(counters).filter(([, amount]) => amount !== 0);
        for (let i = 0, round = 0; i < entries.length; i += COUNTERS_PER_UPDATE, round++) {
            (rounds[round] ??= []).push({ key, entries: entries.slice(i, i + COUNTERS_PER_UPDATE), maxBytes });
        }
    }
    return rounds;
}

/**
 * The Update of a bounded share as its item stands (`held`: the counters it has, `bytes`: what they
 * take): its counters added, each new one created while it fits; those that do not are put in `left`.
 */
function updateAsHeld(
    table: Table,
    share: Share,
    held: { names: string[]; bytes: number },
    expiresAt: number,
    left: Record<string, number>,
): TableWrite[] {
    const existing = share.entries.filter(([name]) => held.names.includes(name));
    const fresh: Entry[] = [];
    let bytes = held.bytes;
    for (const entry of share.entries.filter(([name]) => !held.names.includes(name))) {
        if (bytes + counterBytes(entry[0]) <= share.maxBytes!) {
            fresh.push(entry);
            bytes += counterBytes(entry[0]);
        } else {
            left[entry[0]] = entry[1];
        }
    }
    const entries = [...existing, ...fresh];
    const room = fresh.length > 0 ? share.maxBytes : undefined;
    return entries.length === 0 ? [] : [counterUpdate(table, share.key, entries, expiresAt, { held: existing.length, room })];
}

/** What each bounded item holds: its counters' names and the bytes they take. */
async function held(table: Table, keys: readonly string[]): Promise<Map<string, { names: string[]; bytes: number }>> {
    const items = new Map<string, { names: string[]; bytes: number }>();
    for (const item of await batchGet(table, keys)) {
        const names = Object.keys(item).filter((name) => name !== "pk" && name !== "expiresAt" && name !== COUNTER_BYTES_ATTRIBUTE);
        items.set(item["pk"]?.S ?? "", { names, bytes: Number(item[COUNTER_BYTES_ATTRIBUTE]?.N ?? 0) });
    }
    return items;
}

/**
 * One round, all or none: first as if every counter of a bounded item existed (an hour's counters
 * are created once and then only added to), one request; else read the bounded items and write
 * what they hold and what fits, on the condition that they still hold it, again until nobody wrote
 * in between. Counters that did not fit are added to `left`.
 */
async function addRound(
    table: Table,
    round: readonly Share[],
    expiresAt: number,
    left: Map<string, Record<string, number>>,
): Promise<void> {
    const optimistic = round.map((s) =>
        counterUpdate(table, s.key, s.entries, expiresAt, s.maxBytes === undefined ? undefined : { held: s.entries.length }),
    );
    if (await allOrNone(table, optimistic)) {
        return;
    }
    const bounded = round.filter((s) => s.maxBytes !== undefined);
    for (let attempt = 1; attempt <= ADD_ATTEMPTS; attempt++) {
        const items = await held(
            table,
            bounded.map((s) => s.key),
        );
        const refused = new Map<string, Record<string, number>>();
        const writes = round.flatMap((s) => {
            if (s.maxBytes === undefined) {
                return [counterUpdate(table, s.key, s.entries, expiresAt)];
            }
            refused.set(s.key, {});
            return updateAsHeld(table, s, items.get(s.key) ?? { names: [], bytes: 0 }, expiresAt, refused.get(s.key)!);
        });
        if (await allOrNone(table, writes)) {
            for (const [key, counters] of refused) {
                Object.assign((left.has(key) ? left : left.set(key, {})).get(key)!, counters);
            }
            return;
        }
    }
    throw new Error(`the counters of ${round.map((s) => s.key).join(", ")} changed under ${ADD_ATTEMPTS} attempts to add to them`);
}

/** Adds the counters round by round; returns, by key, the counters of bounded items that did not fit (none when all did). */
export async function addCounters(
    table: Table,
    additions: readonly CounterAddition[],
    expiresAt: number,
): Promise<Map<string, Record<string, number>>> {
    const left = new Map<string, Record<string, number>>();
    for (const round of roundsOf(additions)) {
        await addRound(table, round, expiresAt, left);
    }
    for (const [key, counters] of left) {
        if (Object.keys(counters).length === 0) {
            left.delete(key);
        }
    }
    return left;
}
