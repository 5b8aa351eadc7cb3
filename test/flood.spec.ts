import * as assert from "assert";
import { alarmNamesOf, invokeInChild, logLines, type ChildRun } from "../tools/local/deployedFunction";
import { alarmNotification, fixture } from "../tools/fixtures";
import { storeSignIns } from "../tools/benchMeasurements";
import { hourKey } from "../handler/state/tally";
import { useDeployedRig, type DeployedRig } from "./support/deployedRig";
import { defaultProgram, runWith } from "./support/program";

// Pacing between messages, scaled down from Slack's 1.1 s so the flood takes seconds, not minutes.
const PACE_MS = 150;
// The root alert may take 5 s. Once the flood's first message is posted, its other 39 (40 failed
// sign-ins a message) take at least 39 × 150 ms = 5.85 s more: the flood outlasts any root alert
// that passes. More sign-ins (the flood was 3,000) only made it last longer; they proved nothing more.
const FAILURES = 1600;
const ROOT_ALERT_LIMIT_MS = 5000;

type Payload = { text: string; blocks: Array<{ type: string; text?: { text: string } }> };

function alarmEvent(alarmName: string, stateChangeTime: string): unknown {
    return alarmNotification({ AlarmName: alarmName, StateChangeTime: stateChangeTime, NewStateReason: "Threshold Crossed" });
}

// Failed sign-ins need no credentials: anyone can cause thousands of them. A root alert must not
// wait behind them.
describe("a flood of failed sign-ins and a root alert (deployed handler, two containers)", function () {
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: String(PACE_MS) });

    it("posts the root alert within seconds while another invocation is still posting 1,600 failed sign-ins", async function () {
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
        // The root sign-in reaches the log group with its alarm, once the sweep below is posting the
        // flood: it sweeps critical rules first, so it has looked at root-activity by then.
        const root = fixture<Record<string, unknown>>("cloudtrail_root-mfa");
        const rootEvent = { ...root, eventID: "5007a1e7-0000-4000-8000-000000000001", eventTime: new Date(start).toISOString() };
        const rootLogEvent = {
            logGroupName: group,
            timestamp: start,
            ingestedAt: Number.MAX_SAFE_INTEGER,
            message: JSON.stringify(rootEvent),
        };
        aws.logEvents.push(rootLogEvent);

        const posted = (title: string) =>
            slack.requests.filter((r) => (r.payload as Payload).blocks?.[0]?.text?.text.includes(title) && r.answeredWith === 200);
        let swept = false;
        const sweep = invokeInChild(fn, [fixture("events_scheduled-sweep")], { env, timeoutMs: 170000 }).finally(() => (swept = true));
        while (!swept && posted("Failed console sign-in").length === 0) {
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const alarmAt = Date.now();
        rootLogEvent.ingestedAt = alarmAt;
        const alarm = await invokeInChild(fn, [alarmEvent(alarmNamesOf(fn)["root-activity"]!, new Date(alarmAt).toISOString())], { env });
        const flood = await sweep;

        const rootPosts = posted("Root user activity");
        assert.strictEqual(rootPosts.length, 1, "the root alert was posted once");
        const delayMs = rootPosts[0]!.at - alarmAt;
        const floodEndMs = Math.max(...posted("Failed console sign-in").map((r) => r.at)) - alarmAt;
        console.log(`      root alert posted ${delayMs} ms after its notification; the flood went on for ${floodEndMs} ms more`);
        assert.ok(delayMs < ROOT_ALERT_LIMIT_MS, `the root alert waited ${delayMs} ms`);
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

// What a burst in one window costs, pinned: the bench measures the same burst (npm run bench --
// --only burst), and a change that makes it cost more AWS calls or metric lines per sign-in fails here.
const BURST = 1000;
const PER_MESSAGE = 40;

/** The burst, found by one ALARM notification, without Slack's pacing (it costs time, not calls). */
async function burstThroughAlarm(rig: DeployedRig): Promise<{ run: ChildRun; calls: Record<string, number> }> {
    storeSignIns(rig, BURST);
    const run = await invokeInChild(rig.fn, [alarmNotification({ AlarmName: alarmNamesOf(rig.fn)["console-signin"]! })], {
        env: rig.env,
        timeoutMs: 170000,
    });
    assert.deepStrictEqual(
        run.results,
        [
            {
                ok: true,
                value: { trigger: "sns", rulesScanned: ["console-signin"], posted: BURST, messages: BURST / PER_MESSAGE, skipped: [] },
            },
        ],
        run.stderr,
    );
    const calls: Record<string, number> = {};
    for (const { target } of rig.aws.calls) {
        calls[target] = (calls[target] ?? 0) + 1;
    }
    return { run, calls };
}

function total(calls: Record<string, number>): number {
    return Object.values(calls).reduce((sum, n) => sum + n, 0);
}

describe("a burst of 1,000 sign-ins of 97 principals in one window (deployed handler)", function () {
    const rig = useDeployedRig(defaultProgram, { MIN_POST_INTERVAL_MS: "0" });

    it("costs 90 AWS calls, under 0.1 a sign-in, and one metric line per message carrying its 40 delays", async function () {
        this.timeout(180000);
        const { run, calls } = await burstThroughAlarm(rig);
        assert.deepStrictEqual(calls, {
            GetParameter: 1,
            // The rule's lease taken with its cursor, the lookup's position after each 400 sign-ins,
            // and the lease given up with the cursor moved.
            UpdateItem: 4,
            // The rule's item holds no cursor yet (a new table): where earlier versions kept it, once.
            GetItem: 1,
            // The local stand-in's pages of 50.
            FilterLogEvents: 20,
            // Which of the 1,000 are posted, 100 keys a call; the 97 first-seen histories, once: the
            // first batch's 400 keys fill their calls, so the histories take one of their own.
            BatchGetItem: 10 + 1,
            // Each message's 40 records, 25 a call.
            BatchWriteItem: 25 * 2,
            // What each batch of 400 taught the histories of its 97 principals, all at once.
            TransactWriteItems: 3,
        });
        assert.ok(total(calls) / BURST <= 0.1);
        const metrics = logLines(run).filter((l) => l["_aws"] !== undefined);
        assert.strictEqual(metrics.length, BURST / PER_MESSAGE);
        assert.deepStrictEqual(
            metrics.map((l) => [l["Path"], (l["DeliveryDelay"] as number[]).length, l["BackstopFirstDeliveries"]]),
            metrics.map(() => ["backstop", PER_MESSAGE, PER_MESSAGE]),
        );
    });
});

describe("the same burst with a daily summary (deployed handler)", function () {
    const rig = useDeployedRig(() => runWith({ summary: "daily" }), { MIN_POST_INTERVAL_MS: "0" });

    it("adds one all-or-none write of the hour's tally a batch, and its first read, still under 0.1 calls a sign-in", async function () {
        this.timeout(180000);
        const hour = hourKey(Date.now());
        const { calls } = await burstThroughAlarm(rig);
        // The hour's first tally finds its principals' counters missing: it reads the items and
        // writes again. A run across the hour's end meets that twice.
        const firsts = hourKey(Date.now()) === hour ? 1 : 2;
        assert.deepStrictEqual(calls, {
            GetParameter: 1,
            UpdateItem: 4,
            GetItem: 1,
            FilterLogEvents: 20,
            BatchGetItem: 10 + 1 + firsts,
            BatchWriteItem: 25 * 2,
            TransactWriteItems: 3 + 3 + firsts,
        });
        assert.ok(total(calls) / BURST <= 0.1);
    });
});
