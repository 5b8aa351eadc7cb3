/**
 * The bench's measurements of the deployed handler, each appending its report lines to `out` and
 * returning whether its check held: cold starts beside `node -e ""`, a burst of sign-ins at
 * Slack's real pace, one idle sweep's AWS calls and log bytes, and the wall time of the offline
 * plan (`npm start`). Also the number formatting the whole report shares.
 */
import { spawn } from "child_process";
import { SIGNINS_PER_MESSAGE } from "../handler/decide/messages";
import { alarmNotification, fixture } from "./fixtures";
import { invokeInChild, lambdaNode, resetLocalEndpoints, type ChildRun, type DeployedFunction } from "./local/deployedFunction";
import type { LocalAws } from "./local/localAws";
import type { LocalSlack } from "./local/localSlack";
import { REPO_ROOT } from "./repoRoot";

// What the handler waits between two messages by default (handler/deliver/webhook.ts), because Slack
// allows about one message per second per webhook. The burst keeps it.
const SLACK_SPACING_MS = 1100;

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const n = (value: number, digits = 0) =>
    value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const kib = (bytes: number) => `${n(bytes / 1024, 1)} KiB`;
export const pad = (label: string, width = 34) => label.padEnd(width);

/** Milliseconds from spawning a process to its exit. */
function spawnToExit(
    command: string,
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ ms: number; code: number | null; stdout: string }> {
    const started = Date.now();
    const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? { PATH: process.env["PATH"] ?? "" },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    return new Promise((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code) => resolve({ ms: Date.now() - started, code, stdout }));
    });
}

/** The SNS-wrapped ALARM notification of a rule's alarm, as CloudWatch sends it. */
function alarmEvent(alarmName: string): unknown {
    return alarmNotification({ AlarmName: alarmName });
}

export interface Stage {
    fn: DeployedFunction;
    slack: LocalSlack;
    aws: LocalAws;
    alarmName: string;
}

function resetStage({ fn, slack, aws }: Stage): Promise<void> {
    return resetLocalEndpoints(fn, slack, aws);
}

type SignInRecord = Record<string, unknown> & { userIdentity: Record<string, unknown> };

function storeSignIns(stage: Stage, count: number): string[] {
    const sample = fixture<SignInRecord>("cloudtrail_iam-user-mfa");
    const base = Date.now() - 120000;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
        const eventID = `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
        const at = base + i * 10;
        const record = {
            ...sample,
            eventID,
            eventTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
            sourceIPAddress: `198.51.100.${i % 256}`,
            userIdentity: { ...sample.userIdentity, userName: `user-${i % 97}` },
        };
        stage.aws.logEvents.push({
            logGroupName: stage.fn.environment["TRAIL_LOG_GROUP_NAME"]!,
            timestamp: at,
            message: JSON.stringify(record),
        });
        ids.push(eventID);
    }
    return ids;
}

/**
 * Resets the stage, stores one sign-in and sends the handler one ALARM notification: the run and
 * when its Slack POST arrived, or undefined (with `what` and the reason in `out`) when it did not
 * post exactly one message.
 */
async function alarmRunToOnePost(stage: Stage, what: string, out: string[]): Promise<{ run: ChildRun; postAt: number } | undefined> {
    await resetStage(stage);
    storeSignIns(stage, 1);
    const run = await invokeInChild(stage.fn, [alarmEvent(stage.alarmName)], { env: stage.aws.env() });
    const post = stage.slack.requests[0];
    if (!run.results[0]?.ok || !post || stage.slack.requests.length !== 1) {
        out.push(`  ${what} did not post exactly one message: ${run.stderr.trim() || JSON.stringify(run.results)}`);
        return undefined;
    }
    return { run, postAt: post.at };
}

/** CloudTrail event ids named by the "View in CloudTrail" links of posted messages, with how often each appears. */
function postedEventIds(payloads: unknown[]): Map<string, number> {
    const seen = new Map<string, number>();
    for (const payload of payloads) {
        for (const block of (payload as { blocks?: Array<{ type: string; text?: { text?: string } }> }).blocks ?? []) {
            const match = block.type === "section" ? /#\/events\/([^|>]+)\|View in CloudTrail>/.exec(block.text?.text ?? "") : null;
            if (match) {
                const id = decodeURIComponent(match[1]!);
                seen.set(id, (seen.get(id) ?? 0) + 1);
            }
        }
    }
    return seen;
}

export async function coldStarts(stage: Stage, runs: number, out: string[]): Promise<boolean> {
    const firstPost: number[] = [];
    const handlerExit: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
        // Interleaved, so drift in the machine's load affects both series alike.
        // The same Node the function runs on, so the ratio is the handler's own work.
        bare.push((await spawnToExit(lambdaNode(), ["-e", ""])).ms);
        const cold = await alarmRunToOnePost(stage, `cold start run ${i + 1}`, out);
        if (!cold) {
            return false;
        }
        firstPost.push(cold.postAt - cold.run.spawnedAt);
        handlerExit.push(cold.run.wallMs);
    }
    const handler = median(firstPost);
    const baseline = median(bare);
    out.push(`Cold start to first Slack POST (median of ${runs}; spawn → POST received by the local Slack)`);
    out.push(
        `  ${pad("deployed handler, spawn → POST")}${n(handler)} ms  (min ${n(Math.min(...firstPost))}, max ${n(Math.max(...firstPost))})`,
    );
    out.push(`  ${pad("deployed handler, spawn → exit")}${n(median(handlerExit))} ms`);
    out.push(`  ${pad('node -e "", spawn → exit')}${n(baseline)} ms  (min ${n(Math.min(...bare))}, max ${n(Math.max(...bare))})`);
    out.push(`  ${pad("ratio handler POST / node -e")}${n(handler / baseline, 1)}×  (handler's own work: ${n(handler - baseline)} ms)`);
    return true;
}

export async function burst(stage: Stage, count: number, out: string[]): Promise<boolean> {
    await resetStage(stage);
    const expected = storeSignIns(stage, count);
    const run = await invokeInChild(stage.fn, [alarmEvent(stage.alarmName)], { env: stage.aws.env(), timeoutMs: 600000 });
    const report = run.results[0]?.ok ? (run.results[0].value as { posted: number; messages: number }) : undefined;
    const seen = postedEventIds(stage.slack.accepted);
    const lost = expected.filter((id) => !seen.has(id)).length;
    const duplicated = [...seen.values()].filter((times) => times > 1).length;
    const unexpected = [...seen.keys()].filter((id) => !expected.includes(id)).length;
    const times = stage.slack.requests.map((r) => r.at).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const messages = stage.slack.accepted.length;
    const expectedMessages = Math.ceil(count / SIGNINS_PER_MESSAGE);
    const floorMs = Math.max(0, messages - 1) * SLACK_SPACING_MS;
    const spanMs = times.length > 0 ? times[times.length - 1]! - times[0]! : 0;
    out.push(
        `Burst: ${n(count)} sign-ins in one window, one ALARM notification, real Slack pacing (MIN_POST_INTERVAL_MS unchanged, ${n(SLACK_SPACING_MS)} ms)`,
    );
    out.push(`  ${pad("messages sent")}${n(messages)}  (${SIGNINS_PER_MESSAGE} sign-ins per message; expected ${n(expectedMessages)})`);
    out.push(
        `  ${pad("sign-ins posted / lost / twice")}${n(report?.posted ?? 0)} / ${n(lost)} / ${n(duplicated)}  (every eventID checked in the payloads; unknown ids: ${unexpected})`,
    );
    out.push(`  ${pad("wall, spawn → exit")}${n(run.wallMs / 1000, 1)} s`);
    out.push(`  ${pad("first → last POST")}${n(spanMs / 1000, 1)} s  (gap min ${n(Math.min(...gaps))} ms, median ${n(median(gaps))} ms)`);
    out.push(
        `  ${pad("Slack-pace floor")}(${n(messages)} − 1) × ${n(SLACK_SPACING_MS / 1000, 1)} s = ${n(floorMs / 1000, 1)} s; measured span / floor = ${n(floorMs ? spanMs / floorMs : 1, 2)}×`,
    );
    out.push(`  ${pad("messages × 1.1 s")}${n((messages * SLACK_SPACING_MS) / 1000, 1)} s`);
    const ok =
        Boolean(report) && lost === 0 && duplicated === 0 && unexpected === 0 && messages === expectedMessages && report?.posted === count;
    if (!ok) {
        out.push(`  FAILED: ${run.stderr.trim() || JSON.stringify(run.results)}`);
    }
    return ok;
}

export async function idleSweep(stage: Stage, out: string[]): Promise<boolean> {
    await resetStage(stage);
    const sweep = fixture("events_scheduled-sweep");
    // The first sweep of a new stack has no cursors; every later one is like the second.
    const first = await invokeInChild(stage.fn, [sweep], { env: stage.aws.env() });
    stage.aws.calls.length = 0;
    const run = await invokeInChild(stage.fn, [sweep], { env: stage.aws.env() });
    const counts = new Map<string, number>();
    for (const call of stage.aws.calls) {
        counts.set(call.target, (counts.get(call.target) ?? 0) + 1);
    }
    const logBytes = Buffer.byteLength(
        (run.stdout + run.stderr)
            .split("\n")
            .filter((l) => l !== "" && !l.startsWith("@@RESULT "))
            .map((l) => `${l}\n`)
            .join(""),
    );
    out.push("Idle sweep (what each of the 8,640 sweeps a month does when nobody signed in)");
    out.push(`  ${pad("AWS calls")}${[...counts].map(([op, c]) => `${op} ${c}`).join(", ")}`);
    out.push(`  ${pad("function log bytes")}${n(logBytes)}  (Lambda adds its START/END/REPORT lines)`);
    out.push(`  ${pad("Slack messages")}${stage.slack.requests.length}`);
    return Boolean(first.results[0]?.ok && run.results[0]?.ok) && stage.slack.requests.length === 0;
}

export async function offlinePlans(out: string[]): Promise<boolean> {
    out.push("Offline plan (`npm start` as a child process: program under the mock engine, then the policy pack)");
    let ok = true;
    for (const args of [["start"], ["start", "--", "--stack", "prod"]]) {
        // The update notifier would otherwise ask the registry for npm's latest version.
        const run = await spawnToExit("npm", args, { cwd: REPO_ROOT, env: { ...process.env, npm_config_update_notifier: "false" } });
        const resources = /^(\d+) resources to create/m.exec(run.stdout)?.[1] ?? "?";
        out.push(`  ${pad(`npm ${args.join(" ")}`)}${n(run.ms / 1000, 1)} s  (${resources} resources, exit ${run.code})`);
        ok &&= run.code === 0;
    }
    return ok;
}

/** A console sign-in as EventBridge delivers it to the function, its CloudTrail record stamped now. */
function eventBridgeSignIn(index: number): unknown {
    const event = fixture<{ id: string; time: string; detail: Record<string, unknown> }>("eventbridge_console-signin");
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    event.id = `6f8e2a1c-2b9d-4c57-9e0a-${index.toString(16).padStart(12, "0")}`;
    event.time = now;
    event.detail["eventTime"] = now;
    event.detail["eventID"] = `10000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
    return event;
}

/**
 * The function's own delay on each path, from spawning it to the Slack POST: an EventBridge
 * sign-in (the fast path: no lookup, the event carries the record) beside an ALARM notification
 * (the alarm path: FilterLogEvents finds the record), interleaved run by run.
 */
export async function fastPathVsAlarmPath(stage: Stage, runs: number, out: string[]): Promise<boolean> {
    const fast: number[] = [];
    const alarm: number[] = [];
    const fastCalls = new Map<string, number>();
    for (let i = 0; i < runs; i++) {
        const viaAlarm = await alarmRunToOnePost(stage, `alarm path run ${i + 1}`, out);
        if (!viaAlarm) {
            return false;
        }
        alarm.push(viaAlarm.postAt - viaAlarm.run.spawnedAt);

        await resetStage(stage);
        const event = eventBridgeSignIn(i) as { detail: { eventID: string } };
        const viaFast = await invokeInChild(stage.fn, [event], { env: stage.aws.env() });
        const fastPost = stage.slack.requests[0];
        const posted = postedEventIds(stage.slack.accepted);
        if (!viaFast.results[0]?.ok || !fastPost || stage.slack.requests.length !== 1 || !posted.has(event.detail.eventID)) {
            out.push(
                `  fast path run ${i + 1} did not post its sign-in exactly once: ${viaFast.stderr.trim() || JSON.stringify(viaFast.results)}`,
            );
            return false;
        }
        fast.push(fastPost.at - viaFast.spawnedAt);
        if (i === 0) {
            for (const call of stage.aws.calls) {
                fastCalls.set(call.target, (fastCalls.get(call.target) ?? 0) + 1);
            }
        }
    }
    const range = (xs: number[]) => `(min ${n(Math.min(...xs))}, max ${n(Math.max(...xs))})`;
    out.push(`Both paths, spawn → Slack POST (median of ${runs} each, interleaved; one sign-in; the function's own delay only)`);
    out.push(`  ${pad("fast path, EventBridge event")}${n(median(fast))} ms  ${range(fast)}`);
    out.push(`  ${pad("alarm path, with FilterLogEvents")}${n(median(alarm))} ms  ${range(alarm)}`);
    out.push(`  ${pad("alarm path − fast path")}${n(median(alarm) - median(fast))} ms`);
    out.push(`  ${pad("fast path AWS calls")}${[...fastCalls].map(([op, c]) => `${op} ${c}`).join(", ") || "none"}`);
    return !fastCalls.has("FilterLogEvents");
}
