/**
 * The function's real AWS ports (handler/awsPorts.ts) against the local stand-in of the AWS JSON APIs,
 * reached through the SDK's AWS_ENDPOINT_URL_<SERVICE> variables as the deployed function would.
 */
import * as assert from "assert";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createAwsPorts } from "../handler/awsPorts";
import { createStateStore } from "../handler/state/store";
import { useLocalAwsInProcess } from "./support/localAwsInProcess";

describe("the function's AWS ports, on the local AWS stand-in", function () {
    const local = useLocalAwsInProcess();

    it("reads FilterLogEvents a page at a time, each with the next one's token, and with no deadline sets no timer Node would cut to 1 ms", async function () {
        const warnings: string[] = [];
        const onWarning = (w: Error) => warnings.push(w.name);
        process.on("warning", onWarning);
        try {
            local.aws.pageSize = 2;
            const base = Date.UTC(2024, 4, 20, 9, 0, 0);
            for (let i = 0; i < 5; i++) {
                local.aws.logEvents.push({
                    logGroupName: "trail-logs",
                    timestamp: base + i * 1000,
                    message: JSON.stringify({ eventID: `e${i}` }),
                });
            }
            const ports = createAwsPorts("login-alerts-state");
            const window = { startMs: base, endMs: base + 10_000 };
            const pages: Array<{ ids: string[]; nextToken?: string }> = [];
            let nextToken: string | undefined;
            do {
                const page = await ports.filterLogEventsPage("trail-logs", "", window, nextToken, Infinity);
                pages.push({
                    ids: page.events.map((e) => (JSON.parse(e.message) as { eventID: string }).eventID),
                    nextToken: page.nextToken,
                });
                nextToken = page.nextToken;
            } while (nextToken);
            assert.deepStrictEqual(pages, [
                { ids: ["e0", "e1"], nextToken: "2" },
                { ids: ["e2", "e3"], nextToken: "4" },
                { ids: ["e4"], nextToken: undefined },
            ]);
            assert.deepStrictEqual(
                local.aws.callsOf("FilterLogEvents").map((c) => c.body["nextToken"]),
                [undefined, "2", "4"],
            );
            // Warnings are emitted on the next tick.
            await new Promise((resolve) => setImmediate(resolve));
            assert.deepStrictEqual(
                warnings.filter((name) => name === "TimeoutOverflowWarning"),
                [],
            );
        } finally {
            process.off("warning", onWarning);
        }
    });

    it("keeps a rule's lease, cursor and unfinished lookup in one item, each write of them one conditional UpdateItem", async function () {
        await local.aws.resetTable("login-alerts-state");
        local.aws.calls.length = 0;
        const store = createStateStore("login-alerts-state");
        const pending = { window: { startMs: 1000, endMs: 2000 }, nextToken: "page-2", savedAtMs: 1500 };
        const item = () => local.aws.item("lease#console-signin");

        assert.deepStrictEqual(await store.acquireLease("console-signin", "a", 10_000, 1000), {});
        // Held until 10,000: not another's before then, and only the holder keeps progress.
        assert.strictEqual(await store.acquireLease("console-signin", "b", 20_000, 9999), undefined);
        assert.strictEqual(await store.saveProgress("console-signin", "b", { cursorMs: 1 }), false);
        assert.strictEqual(await store.saveProgress("console-signin", "a", { cursorMs: 500, pending }), true);
        assert.deepStrictEqual(await store.acquireLease("console-signin", "a", 10_000, 2000), { cursorMs: 500, pending });
        assert.strictEqual(await store.releaseLease("console-signin", "b", 9000), false);
        assert.strictEqual(await store.releaseLease("console-signin", "a", 3000), true);
        assert.deepStrictEqual(await item(), { pk: { S: "lease#console-signin" }, at: { N: "3000" }, until: { N: "0" } });
        // Given up, it is anyone's; an expired one too.
        assert.deepStrictEqual(await store.acquireLease("console-signin", "b", 20_000, 3000), { cursorMs: 3000 });
        assert.deepStrictEqual(await store.acquireLease("console-signin", "c", 30_000, 20_001), { cursorMs: 3000 });
        assert.strictEqual(await store.releaseLease("console-signin", "c", undefined), true);
        assert.deepStrictEqual(await item(), { pk: { S: "lease#console-signin" }, at: { N: "3000" }, until: { N: "0" } });
        assert.deepStrictEqual([...new Set(local.aws.calls.map((c) => c.target))], ["UpdateItem"]);

        // A version before this one takes a lease given up, on its own condition (PutItem, then DeleteItem).
        const sdk = new DynamoDBClient({});
        await sdk.send(
            new PutItemCommand({
                TableName: "login-alerts-state",
                Item: { pk: { S: "lease#console-signin" }, owner: { S: "earlier" }, until: { N: "40000" } },
                ConditionExpression: "attribute_not_exists(pk) OR #until < :now OR #owner = :owner",
                ExpressionAttributeNames: { "#until": "until", "#owner": "owner" },
                ExpressionAttributeValues: { ":now": { N: "30001" }, ":owner": { S: "earlier" } },
            }),
        );
        assert.strictEqual(await store.acquireLease("console-signin", "d", 50_000, 39_999), undefined);
        // It moves its cursor in its own item, which this version reads where the rule's item holds none.
        await local.aws.putItem({ pk: { S: "cursor#console-signin" }, at: { N: "35000" } });
        assert.deepStrictEqual(await store.acquireLease("console-signin", "d", 50_000, 40_001), {});
        assert.deepStrictEqual(await store.formerProgress("console-signin"), { cursorMs: 35_000 });
        sdk.destroy();
    });

    it("reads posted records and documents in one BatchGetItem", async function () {
        await local.aws.resetTable("login-alerts-state");
        await local.aws.putItem(
            { pk: { S: "posted#console-signin#e1" }, expiresAt: { N: "2000000000" } },
            { pk: { S: "history#alice" }, body: { S: "{}" }, version: { N: "3" } },
        );
        local.aws.calls.length = 0;
        const store = createStateStore("login-alerts-state");
        const read = await store.unpostedAndDocuments(["console-signin#e1", "console-signin#e2"], ["history#alice", "history#bob"]);
        assert.deepStrictEqual(read, {
            unposted: new Set(["console-signin#e2"]),
            documents: new Map([["history#alice", { body: "{}", version: 3 }]]),
        });
        assert.deepStrictEqual(
            local.aws.calls.map((c) => c.target),
            ["BatchGetItem"],
        );
    });

    it("writes documents all or none, in one TransactWriteItems, and names every key of a group a changed one held back", async function () {
        await local.aws.resetTable("login-alerts-state");
        local.aws.calls.length = 0;
        const store = createStateStore("login-alerts-state");
        const write = (key: string, expectedVersion?: number) => ({ key, body: `{"at":"${key}"}`, expectedVersion, expiresAtSeconds: 2e9 });
        assert.deepStrictEqual(await store.writeDocuments([write("history#a"), write("history#b")]), []);
        // b is at version 1 now: a write that expects it new is refused, and a's, with it, not made.
        assert.deepStrictEqual(await store.writeDocuments([write("history#a", 1), write("history#b")]), ["history#a", "history#b"]);
        const documents = await store.readDocuments(["history#a", "history#b"]);
        assert.deepStrictEqual([...documents].sort(), [
            ["history#a", { body: '{"at":"history#a"}', version: 1 }],
            ["history#b", { body: '{"at":"history#b"}', version: 1 }],
        ]);
        // One document alone is a conditional PutItem: a transaction bills each item twice.
        assert.deepStrictEqual(await store.writeDocuments([write("history#a", 1)]), []);
        assert.deepStrictEqual(
            local.aws.calls.map((c) => [c.target, c.answeredWith]),
            [
                ["TransactWriteItems", 200],
                ["TransactWriteItems", 400],
                ["BatchGetItem", 200],
                ["PutItem", 200],
            ],
        );
    });

    it("reads a trail's status in the trail's home region, its delivery time from epoch seconds, and names a trail that is gone", async function () {
        const trail = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail";
        local.aws.trails.set(trail, {
            IsLogging: true,
            LatestCloudWatchLogsDeliveryTime: 1765084391.25,
            LatestDeliveryError: "AccessDenied",
        });
        local.aws.calls.length = 0;
        const ports = createAwsPorts("login-alerts-state");
        assert.deepStrictEqual(await ports.trailStatus(trail), {
            isLogging: true,
            cloudWatchLogsDeliveredAtMs: 1765084391250,
            s3Error: "AccessDenied",
        });
        await assert.rejects(ports.trailStatus("arn:aws:cloudtrail:us-west-2:111122223333:trail/gone"), { name: "TrailNotFoundException" });
        assert.deepStrictEqual(
            local.aws.calls.map((c) => [c.target, c.answeredWith, c.signedFor]),
            [
                ["GetTrailStatus", 200, "eu-west-1"],
                ["GetTrailStatus", 400, "us-west-2"],
            ],
        );
    });
});
