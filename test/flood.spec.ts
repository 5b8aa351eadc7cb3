import * as assert from "assert";
import { alarmNamesOf, invokeInChild } from "../tools/local/deployedFunction";
import { alarmNotification, fixture } from "../tools/fixtures";
import { useDeployedRig } from "./support/deployedRig";
import { defaultProgram } from "./support/program";

const FAILURES = 3000;
// Pacing between messages, scaled down from Slack's 1.1 s so the flood takes seconds, not minutes.
const PACE_MS = 150;

type Payload = { text: string; blocks: Array<{ type: string; text?: { text: string } }> };

function alarmEvent(alarmName: string, stateChangeTime: string): unknown {
    return alarmNotification({ AlarmName: alarmName, StateChangeTime: stateChangeTime, NewStateReason: "Threshold Crossed" });
}

// Failed sign-ins need no credentials: anyone can cause thousands of them. A root alert must not
// wait behind them.
describe("a flood of failed sign-ins and a root alert (deployed handler, two containers)", function () {
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: String(PACE_MS) });

    it("posts the root alert within seconds while another invocation is still posting 3,000 failed sign-ins", async function () {
        this.timeout(180000);
        const { fn, slack, aws, env } = rig;
        const group = fn.environment["TRAIL_LOG_GROUP_NAME"]!;
        const failure = fixture<Record<string, unknown>>("cloudtrail_failure-wrong-password");
        const start = Date.now();
        for (let i = 0; i < FAILURES; i++) {
            const eventID = `f100d000-0000-4000-8000-${String(i).padStart(12, "0")}`;
            const eventTime = new Date(start - 600_000 + i * 100).toISOString().replace(/\.\d{3}Z$/, "Z");
            aws.logEvents.push({
                logGroupName: group,
                timestamp: start - 300_000 + i,
                message: JSON.stringify({ ...failure, eventID, eventTime }),
            });
        }
        // The root sign-in reaches the log group after the sweep below has looked at root-activity.
        const root = fixture<Record<string, unknown>>("cloudtrail_root-mfa");
        const rootEvent = { ...root, eventID: "5007a1e7-0000-4000-8000-000000000001", eventTime: new Date(start).toISOString() };
        aws.logEvents.push({ logGroupName: group, timestamp: start, ingestedAt: start + 2000, message: JSON.stringify(rootEvent) });

        const sweep = invokeInChild(fn, [fixture("events_scheduled-sweep")], { env, timeoutMs: 170000 });
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const alarmAt = Date.now();
        const alarm = await invokeInChild(fn, [alarmEvent(alarmNamesOf(fn)["root-activity"]!, new Date(alarmAt).toISOString())], { env });
        const flood = await sweep;

        const posted = (title: string) =>
            slack.requests.filter((r) => (r.payload as Payload).blocks?.[0]?.text?.text.includes(title) && r.answeredWith === 200);
        const rootPosts = posted("Root user activity");
        assert.strictEqual(rootPosts.length, 1, "the root alert was posted once");
        const delayMs = rootPosts[0]!.at - alarmAt;
        const floodEndMs = Math.max(...posted("Failed console sign-in").map((r) => r.at)) - alarmAt;
        console.log(`      root alert posted ${delayMs} ms after its notification; the flood went on for ${floodEndMs} ms more`);
        assert.ok(delayMs < 5000, `the root alert waited ${delayMs} ms`);
        assert.ok(floodEndMs > delayMs, "the flood was over before the root alert: the test proves nothing");
        assert.deepStrictEqual(alarm.results, [
            { ok: true, value: { trigger: "sns", rulesScanned: ["root-activity"], posted: 1, messages: 1, skipped: [] } },
        ]);
        // Every failed sign-in posted once, none lost.
        const ids = posted("Failed console sign-in").flatMap((r) =>
            [...JSON.stringify(r.payload).matchAll(/f100d000-0000-4000-8000-\d{12}/g)].map((m) => m[0]),
        );
        assert.strictEqual(new Set(ids).size, FAILURES);
        assert.strictEqual(flood.results[0]?.ok, true, flood.stderr);
    });
});
