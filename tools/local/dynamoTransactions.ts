/**
 * DynamoDB's TransactWriteItems, which dynalite does not implement, made of dynalite's single-item
 * calls, as the DynamoDB API Reference ("TransactWriteItems") describes it:
 *
 * - 1 to 100 actions, each exactly one of ConditionCheck, Put, Update or Delete, no two on the same
 *   item (else a ValidationException, and nothing is written);
 * - all or nothing: when any action's condition does not hold, none is applied and the answer is a
 *   TransactionCanceledException whose CancellationReasons hold one reason per action, in order
 *   (`None`, or `ConditionalCheckFailed` with the item when the action asked for
 *   ReturnValuesOnConditionCheckFailure ALL_OLD), its message listing their codes;
 * - ClientRequestToken makes the call idempotent for 10 minutes: the same token with the same
 *   request succeeds again without applying anything, with another request it is an
 *   IdempotentParameterMismatchException.
 *
 * Isolation (DynamoDB Developer Guide, "Amazon DynamoDB transactions: how it works": transactional
 * writes are serializable with other writes) comes from the caller, localDynamo.ts, which lets no
 * other request through while a transaction runs. Here each action is applied with its own
 * condition, in order; if one is refused, those applied are put back as they were.
 */
type Json = Record<string, unknown>;

/** An answer of dynalite (or DynamoDB): its status and its JSON body. */
export interface DynaliteAnswer {
    status: number;
    json: Json;
}

/** One single-item call to dynalite, signed as the request being answered was. */
export type DynaliteCall = (operation: string, body: Json) => Promise<DynaliteAnswer>;
type Item = Record<string, unknown>;

const TOKEN_WINDOW_MS = 10 * 60 * 1000;
const MAX_ACTIONS = 100;
const KINDS = ["ConditionCheck", "Put", "Update", "Delete"] as const;
type Kind = (typeof KINDS)[number];

interface Action {
    kind: Kind;
    input: Json;
    table: string;
    key: Item;
}

/** What a dynalite server remembers of past transactions: each successful request by its ClientRequestToken. */
export interface TransactionMemory {
    tokens: Map<string, { request: string; atMs: number }>;
}

function answer(status: number, payload: unknown): DynaliteAnswer {
    return { status, json: payload as Json };
}

function failure(type: string, message: string): DynaliteAnswer {
    return answer(400, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
}

/** The key attributes of an item, by its table's key schema. */
async function keySchema(call: DynaliteCall, table: string, schemas: Map<string, string[]>): Promise<string[]> {
    let names = schemas.get(table);
    if (!names) {
        const out = await call("DescribeTable", { TableName: table });
        const schema = ((out.json["Table"] as Json | undefined)?.["KeySchema"] as Array<{ AttributeName: string }> | undefined) ?? [];
        names = schema.map((k) => k.AttributeName);
        schemas.set(table, names);
    }
    return names;
}

/** The actions of a request, or the ValidationException DynamoDB answers a malformed one with. */
async function actionsOf(call: DynaliteCall, body: Json): Promise<Action[] | DynaliteAnswer> {
    const items = body["TransactItems"];
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ACTIONS) {
        const constraint = Array.isArray(items) && items.length > MAX_ACTIONS ? "less than or equal to 100" : "greater than or equal to 1";
        return failure(
            "ValidationException",
            `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length ${constraint}`,
        );
    }
    const schemas = new Map<string, string[]>();
    const actions: Action[] = [];
    for (const element of items as Json[]) {
        const kinds = KINDS.filter((k) => element[k] !== undefined);
        if (kinds.length !== 1) {
            return failure("ValidationException", "TransactItems can only contain one of Check, Put, Update or Delete");
        }
        const kind = kinds[0]!;
        const input = element[kind] as Json;
        const table = String(input["TableName"]);
        const names = await keySchema(call, table, schemas);
        const key = kind === "Put" ? Object.fromEntries(names.map((n) => [n, (input["Item"] as Item)[n]])) : (input["Key"] as Item);
        actions.push({ kind, input, table, key });
    }
    const itemIds = actions.map((a) => JSON.stringify([a.table, a.key]));
    if (new Set(itemIds).size !== itemIds.length) {
        return failure("ValidationException", "Transaction request cannot include multiple operations on one item");
    }
    return actions;
}

/** The expression fields of an action, as the single-item calls take them. */
function conditionOf(input: Json): Json {
    const fields: Json = {};
    for (const name of ["ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues"]) {
        if (input[name] !== undefined) {
            fields[name] = input[name];
        }
    }
    return fields;
}

/**
 * Applies one action with its own condition. A ConditionCheck writes nothing: its condition is
 * checked by writing the item back unchanged (or deleting the absent item) under that condition.
 */
function apply(call: DynaliteCall, action: Action, before: Item | undefined): Promise<DynaliteAnswer> {
    const { kind, input, table, key } = action;
    const condition = conditionOf(input);
    switch (kind) {
        case "Put":
            return call("PutItem", { TableName: table, Item: input["Item"], ...condition });
        case "Update":
            return call("UpdateItem", { TableName: table, Key: key, UpdateExpression: input["UpdateExpression"], ...condition });
        case "Delete":
            return call("DeleteItem", { TableName: table, Key: key, ...condition });
        case "ConditionCheck":
            return before
                ? call("PutItem", { TableName: table, Item: before, ...condition })
                : call("DeleteItem", { TableName: table, Key: key, ...condition });
    }
}

/** Puts an item back as it was before the transaction: written again, or deleted if it did not exist. */
async function restore(call: DynaliteCall, action: Action, before: Item | undefined): Promise<void> {
    const out = before
        ? await call("PutItem", { TableName: action.table, Item: before })
        : await call("DeleteItem", { TableName: action.table, Key: action.key });
    if (out.status !== 200) {
        throw new Error(`could not put back ${JSON.stringify(action.key)} after a cancelled transaction: ${JSON.stringify(out.json)}`);
    }
}

const isConditionFailure = (out: DynaliteAnswer) =>
    out.status === 400 && String(out.json["__type"]).endsWith("#ConditionalCheckFailedException");

/** Applies every action, then puts back those applied if any was refused; the answer DynamoDB gives. */
async function applyAll(call: DynaliteCall, actions: readonly Action[]): Promise<DynaliteAnswer> {
    const before: Array<Item | undefined> = [];
    for (const action of actions) {
        const out = await call("GetItem", { TableName: action.table, Key: action.key, ConsistentRead: true });
        if (out.status !== 200) {
            return out;
        }
        before.push(out.json["Item"] as Item | undefined);
    }
    const applied: number[] = [];
    const reasons: Json[] = [];
    let error: DynaliteAnswer | undefined;
    for (const [i, action] of actions.entries()) {
        const out = await apply(call, action, before[i]);
        if (out.status === 200) {
            applied.push(i);
            reasons.push({ Code: "None" });
        } else if (isConditionFailure(out)) {
            const old = action.input["ReturnValuesOnConditionCheckFailure"] === "ALL_OLD" && before[i] ? { Item: before[i] } : {};
            reasons.push({ Code: "ConditionalCheckFailed", Message: "The conditional request failed", ...old });
        } else {
            error = out;
            break;
        }
    }
    if (error === undefined && reasons.every((r) => r["Code"] === "None")) {
        return answer(200, {});
    }
    for (const i of applied.reverse()) {
        await restore(call, actions[i]!, before[i]);
    }
    return (
        error ?? {
            status: 400,
            json: {
                __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => String(r["Code"])).join(", ")}]`,
                CancellationReasons: reasons,
            },
        }
    );
}

/** Answers a TransactWriteItems request; the caller holds every other request of this dynalite server back meanwhile. */
export async function transactWriteItems(call: DynaliteCall, body: Json, memory: TransactionMemory): Promise<DynaliteAnswer> {
    const nowMs = Date.now();
    for (const [token, seen] of memory.tokens) {
        if (nowMs - seen.atMs > TOKEN_WINDOW_MS) {
            memory.tokens.delete(token);
        }
    }
    const token = typeof body["ClientRequestToken"] === "string" ? body["ClientRequestToken"] : undefined;
    // The request the token stands for: everything but the token.
    const request = Object.fromEntries(Object.entries(body).filter(([name]) => name !== "ClientRequestToken"));
    const seen = token === undefined ? undefined : memory.tokens.get(token);
    if (seen) {
        return seen.request === JSON.stringify(request)
            ? answer(200, {})
            : failure(
                  "IdempotentParameterMismatchException",
                  "The request uses the same client token as a previous, but non-identical request",
              );
    }
    const actions = await actionsOf(call, body);
    if (!Array.isArray(actions)) {
        return actions;
    }
    const out = await applyAll(call, actions);
    if (out.status === 200 && token !== undefined) {
        memory.tokens.set(token, { request: JSON.stringify(request), atMs: nowMs });
    }
    return out;
}
