/**
 * The function's real AWS ports (handler/awsPorts.ts) against the local stand-in of the AWS JSON APIs,
 * reached through the SDK's AWS_ENDPOINT_URL_<SERVICE> variables as the deployed function would.
 */
import * as assert from "assert";
import { createAwsPorts } from "../handler/awsPorts";
import { useLocalAwsInProcess } from "./support/localAwsInProcess";

describe("the function's AWS ports, on the local AWS stand-in", function () {
    const local = useLocalAwsInProcess();

    it("reads every page of FilterLogEvents with no deadline, setting no timer Node would cut to 1 ms", async function () {
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
            const events = await ports.filterLogEvents("trail-logs", "", { startMs: base, endMs: base + 10_000 });
            assert.deepStrictEqual(
                events.map((e) => (JSON.parse(e.message) as { eventID: string }).eventID),
                ["e0", "e1", "e2", "e3", "e4"],
            );
            assert.strictEqual(local.aws.callsOf("FilterLogEvents").length, 3);
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
});
