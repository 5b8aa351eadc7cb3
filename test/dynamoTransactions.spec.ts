/**
 * TransactWriteItems in the local DynamoDB stand-in (tools/local/dynamoTransactions.ts), which
 * dynalite lacks, held to the DynamoDB API Reference's "TransactWriteItems" through the SDK's own client.
 */
import * as assert from "assert";
import {
    BatchGetItemCommand,
    DynamoDBClient,
    TransactWriteItemsCommand,
    type AttributeValue,
    type TransactWriteItem,
} from "@aws-sdk/client-dynamodb";
import { LocalAws } from "../tools/local/localAws";
import { LOCAL_CREDENTIALS } from "../tools/local/localDynamo";

const TABLE = "transactions";

describe("TransactWriteItems in the local DynamoDB stand-in", function () {
    let aws: LocalAws;
    let client: DynamoDBClient;

    before(async function () {
        aws = await new LocalAws().start();
        client = new DynamoDBClient({ region: "us-east-1", endpoint: aws.url, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    });
    after(async function () {
        client.destroy();
        await aws.stop();
    });
    beforeEach(async function () {
        await aws.resetTable(TABLE);
        aws.calls.length = 0;
    });

    const put = (
        pk: string,
        extra: Partial<NonNullable<TransactWriteItem["Put"]>> = {},
        attributes: Record<string, AttributeValue> = {},
    ): TransactWriteItem => ({
        Put: { TableName: TABLE, Item: { pk: { S: pk }, ...attributes }, ...extra },
    });
    const absent = { ConditionExpression: "attribute_not_exists(pk)" };
    const pks = async () => (await aws.items()).map((i) => i["pk"]?.S);
    const transact = (items: TransactWriteItem[], token?: string) =>
        client.send(new TransactWriteItemsCommand({ TransactItems: items, ...(token ? { ClientRequestToken: token } : {}) }));

    /** The error a transaction is refused with: its name, message and cancellation reasons. */
    async function refusal(items: TransactWriteItem[], token?: string): Promise<{ name: string; message: string; reasons?: unknown }> {
        try {
            await transact(items, token);
        } catch (err) {
            const { name, message, CancellationReasons } = err as Error & { CancellationReasons?: unknown };
            return { name, message, ...(CancellationReasons ? { reasons: CancellationReasons } : {}) };
        }
        throw new Error("the transaction was not refused");
    }

    it("writes every action when every condition holds, as one recorded call", async function () {
        await aws.putItem({ pk: { S: "counter" }, n: { N: "1" } }, { pk: { S: "gone" } });
        await transact([
            put("a", absent),
            {
                Update: {
                    TableName: TABLE,
                    Key: { pk: { S: "counter" } },
                    UpdateExpression: "ADD #n :one",
                    ConditionExpression: "#n = :was",
                    ExpressionAttributeNames: { "#n": "n" },
                    ExpressionAttributeValues: { ":one": { N: "1" }, ":was": { N: "1" } },
                },
            },
            { Delete: { TableName: TABLE, Key: { pk: { S: "gone" } } } },
            { ConditionCheck: { TableName: TABLE, Key: { pk: { S: "nothing" } }, ConditionExpression: "attribute_not_exists(pk)" } },
        ]);
        assert.deepStrictEqual(await aws.items(), [{ pk: { S: "a" } }, { pk: { S: "counter" }, n: { N: "2" } }]);
        assert.deepStrictEqual(
            aws.calls.map((c) => [c.target, c.answeredWith]),
            [["TransactWriteItems", 200]],
        );
    });

    it("writes nothing when one condition fails, and gives one reason per action, the old item where asked", async function () {
        await aws.putItem({ pk: { S: "taken" }, by: { S: "another" } });
        const refused = await refusal([
            put("new"),
            put("taken", { ...absent, ReturnValuesOnConditionCheckFailure: "ALL_OLD" }),
            { ConditionCheck: { TableName: TABLE, Key: { pk: { S: "missing" } }, ConditionExpression: "attribute_exists(pk)" } },
        ]);
        assert.deepStrictEqual(refused, {
            name: "TransactionCanceledException",
            message:
                "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed]",
            reasons: [
                { Code: "None" },
                {
                    Code: "ConditionalCheckFailed",
                    Message: "The conditional request failed",
                    Item: { pk: { S: "taken" }, by: { S: "another" } },
                },
                { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
            ],
        });
        assert.deepStrictEqual(await aws.items(), [{ pk: { S: "taken" }, by: { S: "another" } }]);
    });

    it("puts back an item an earlier action had already replaced when a later one fails", async function () {
        await aws.putItem({ pk: { S: "kept" }, v: { N: "1" } }, { pk: { S: "taken" } });
        const refused = await refusal([put("kept", {}, { v: { N: "2" } }), put("taken", absent)]);
        assert.strictEqual(refused.name, "TransactionCanceledException");
        assert.deepStrictEqual(await aws.items(), [{ pk: { S: "kept" }, v: { N: "1" } }, { pk: { S: "taken" } }]);
    });

    it("refuses two actions on one item, more than 100 actions, and an element that is not exactly one action, writing nothing", async function () {
        assert.deepStrictEqual(await refusal([put("same"), put("same")]), {
            name: "ValidationException",
            message: "Transaction request cannot include multiple operations on one item",
        });
        assert.deepStrictEqual(await refusal(Array.from({ length: 101 }, (_, i) => put(`item-${i}`))), {
            name: "ValidationException",
            message:
                "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
        });
        assert.deepStrictEqual(await refusal([{ ...put("both"), Delete: { TableName: TABLE, Key: { pk: { S: "both" } } } }]), {
            name: "ValidationException",
            message: "TransactItems can only contain one of Check, Put, Update or Delete",
        });
        assert.deepStrictEqual(await pks(), []);
    });

    it("applies a request once per ClientRequestToken, and refuses the token for another request", async function () {
        const add: TransactWriteItem = {
            Update: {
                TableName: TABLE,
                Key: { pk: { S: "counter" } },
                UpdateExpression: "ADD n :one",
                ExpressionAttributeValues: { ":one": { N: "1" } },
            },
        };
        await transact([add, put("other")], "token-1");
        await transact([add, put("other")], "token-1");
        assert.deepStrictEqual(await aws.items(), [{ pk: { S: "counter" }, n: { N: "1" } }, { pk: { S: "other" } }]);
        assert.deepStrictEqual(await refusal([add, put("third")], "token-1"), {
            name: "IdempotentParameterMismatchException",
            message: "The request uses the same client token as a previous, but non-identical request",
        });
        await transact([add, put("other")], "token-2");
        assert.deepStrictEqual((await aws.items())[0], { pk: { S: "counter" }, n: { N: "2" } });
    });

    it("is never seen half done by the requests that run beside it", async function () {
        const keys = Array.from({ length: 50 }, (_, i) => `item-${i}`);
        const read = async () => {
            const out = await client.send(
                new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: keys.map((k) => ({ pk: { S: k } })), ConsistentRead: true } } }),
            );
            return out.Responses?.[TABLE]?.length ?? 0;
        };
        let done = false;
        const written = transact(keys.map((k) => put(k))).finally(() => (done = true));
        const seen: number[] = [];
        while (!done) {
            seen.push(await read());
        }
        await written;
        assert.deepStrictEqual(
            seen.filter((n) => n !== 0 && n !== keys.length),
            [],
        );
        assert.strictEqual((await pks()).length, keys.length);
    });
});
