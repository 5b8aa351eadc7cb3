/**
 * The function's real AWS ports (handler/awsPorts.ts) against the local stand-in of the AWS JSON APIs,
 * reached through the SDK's AWS_ENDPOINT_URL_<SERVICE> variables as the deployed function would.
 */
import * as assert from "assert";
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
});
