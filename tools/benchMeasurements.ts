/**
 * The bench's measurements of the deployed handler, each appending its report lines to `out` and
 * returning whether its check held: cold starts beside `node -e ""` and a minimal peer, a burst of sign-ins at
 * Slack's real pace, one idle sweep's AWS calls and log bytes, and the wall time of the offline
 * plan (`npm start`). Also the number formatting the whole report shares.
 */
import { spawn } from "child_process";
import { SIGNINS_PER_MESSAGE } from "../handler/decide/messages";
import { alarmNotification, fixture } from "./fixtures";
import { invokeInChild, lambdaNode, resetLocalEndpoints, type ChildRun, type DeployedFunction } from "./local/deployedFunction";
import { removePeer, unpackPeer } from "./local/peerFunction";
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

/**
 * Puts `count` successful console sign-ins of 97 IAM users, 10 ms apart and ending two minutes
 * ago, into the trail's log group; returns their event ids. test/flood.spec.ts runs the same burst.
 */
export function storeSignIns(stage: Pick<Stage, "fn" | "aws">, count: number): string[] {
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

/** One cold run to one Slack POST: the run, when the POST arrived, and the AWS calls answered before it, by operation. */
interface RunToPost {
    run: ChildRun;
    postAt: number;
    callsBeforePost: Map<string, number>;
}

/**
 * Resets the stage, stores one sign-in and sends one ALARM notification to `fn` (the deployed
 * function unless given, or the bench's minimal peer): the run and when its Slack POST arrived, or
 * undefined (with `what` and the reason in `out`) when it did not post exactly one message.
 */
async function alarmRunToOnePost(stage: Stage, what: string, out: string[], fn = stage.fn): Promise<RunToPost | undefined> {
    await resetLocalEndpoints(fn, stage.slack, stage.aws);
    if (fn === stage.fn) {
        // As in a running stack: a sweep has left each rule's cursor in its item, so the cold start
        // is not also a first run (which reads the cursor an older version may have left elsewhere).
        await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env: stage.aws.env() });
        stage.aws.calls.length = 0;
    }
    storeSignIns(stage, 1);
    let answeredBeforePost: number | undefined;
    stage.slack.onRequest = () => (answeredBeforePost ??= stage.aws.calls.length);
    const run = await invokeInChild(fn, [alarmEvent(stage.alarmName)], { env: stage.aws.env() });
    stage.slack.onRequest = undefined;
    const post = stage.slack.requests[0];
    if (!run.results[0]?.ok || !post || stage.slack.requests.length !== 1) {
        out.push(`  ${what} did not post exactly one message: ${run.stderr.trim() || JSON.stringify(run.results)}`);
        return undefined;
    }
    const callsBeforePost = new Map<string, number>();
    for (const call of stage.aws.calls.slice(0, answeredBeforePost)) {
        callsBeforePost.set(call.target, (callsBeforePost.get(call.target) ?? 0) + 1);
    }
    return { run, postAt: post.at, callsBeforePost };
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

// The cold start's goals (docs/speed.md): the function's spawn → first POST beside a bare Node's
// spawn → exit, and beside the minimal peer's spawn → first POST.
const COLD_VS_BARE_GOAL = 5;
const COLD_VS_PEER_GOAL = 1.1;

/** One series' median and range, in ms. */
function spread(values: readonly number[]): string {
    return `${n(median(values))} ms  (min ${n(Math.min(...values))}, max ${n(Math.max(...values))})`;
}

function callList(calls: ReadonlyMap<string, number>): string {
    return [...calls].map(([op, c]) => `${op} ${c}`).join(", ") || "none";
}

/** One round of the cold start: a bare Node, then the two functions, which take turns going first so the order favours neither. */
async function coldRound(
    stage: Stage,
    peer: DeployedFunction,
    round: number,
    out: string[],
): Promise<{ bareMs: number; viaPeer: RunToPost; viaFn: RunToPost } | undefined> {
    const bareMs = (await spawnToExit(lambdaNode(), ["-e", ""])).ms;
    const ofPeer = () => alarmRunToOnePost(stage, `minimal peer, round ${round},`, out, peer);
    const ofFn = () => alarmRunToOnePost(stage, `deployed function, round ${round},`, out);
    let viaPeer: RunToPost | undefined;
    let viaFn: RunToPost | undefined;
    if (round % 2 === 1) {
        viaPeer = await ofPeer();
        viaFn = viaPeer && (await ofFn());
    } else {
        viaFn = await ofFn();
        viaPeer = viaFn && (await ofPeer());
    }
    return viaPeer && viaFn && { bareMs, viaPeer, viaFn };
}

/**
 * Cold starts in interleaved rounds, so drift in the machine's load touches every series alike:
 * each round spawns a bare `node -e ""`, the minimal peer (tools/local/minimalPeer.js) and the
 * deployed function, all on Lambda's Node; the two functions each get one ALARM notification with
 * one sign-in to find. The ratios are the medians of each round's own ratios.
 */
export async function coldStarts(stage: Stage, runs: number, out: string[]): Promise<boolean> {
    const peer = unpackPeer(stage.fn);
    const rounds: Array<{ bareMs: number; viaPeer: RunToPost; viaFn: RunToPost }> = [];
    try {
        for (let i = 1; i <= runs; i++) {
            const round = await coldRound(stage, peer, i, out);
            if (!round) {
                return false;
            }
            rounds.push(round);
        }
    } finally {
        removePeer(peer);
    }
    const bare = rounds.map((r) => r.bareMs);
    const peerPost = rounds.map((r) => r.viaPeer.postAt - r.viaPeer.run.spawnedAt);
    const fnPost = rounds.map((r) => r.viaFn.postAt - r.viaFn.run.spawnedAt);
    const ratio = (over: number[], under: number[]) => median(over.map((v, i) => v / under[i]!));
    const goal = (value: number, limit: number) => `goal ≤ ${limit}×: ${value <= limit ? "met" : "MISSED"}`;
    const [fnBare, peerBare, fnPeer] = [ratio(fnPost, bare), ratio(peerPost, bare), ratio(fnPost, peerPost)];
    out.push(
        `Cold start to first Slack POST (${runs} interleaved rounds of node -e "", the minimal peer and the deployed function; medians)`,
    );
    out.push(`  ${pad('node -e "", spawn → exit')}${spread(bare)}`);
    out.push(`  ${pad("minimal peer, spawn → POST")}${spread(peerPost)}`);
    out.push(`  ${pad("deployed function, spawn → POST")}${spread(fnPost)}`);
    out.push(`  ${pad("deployed function, spawn → exit")}${n(median(rounds.map((r) => r.viaFn.run.wallMs)))} ms`);
    out.push(`  ${pad("function / bare node")}${n(fnBare, 2)}×  (${goal(fnBare, COLD_VS_BARE_GOAL)})`);
    out.push(`  ${pad("peer / bare node")}${n(peerBare, 2)}×`);
    out.push(`  ${pad("function / peer")}${n(fnPeer, 2)}×  (${goal(fnPeer, COLD_VS_PEER_GOAL)})`);
    out.push(`  ${pad("AWS calls before POST, peer")}${callList(rounds[0]!.viaPeer.callsBeforePost)}`);
    out.push(`  ${pad("AWS calls before POST, function")}${callList(rounds[0]!.viaFn.callsBeforePost)}`);
    return true;
}

/** What a burst's run cost: the function's CPU, its AWS calls by operation, and its log. */
interface BurstCost {
    invocationCpuMs: number;
    processCpuMs: number;
    calls: Map<string, number>;
    totalCalls: number;
    logBytes: number;
    metricLines: number;
}

/** The function's own output lines: its log, without the runner's `@@` lines. */
function functionLogLines(run: ChildRun): string[] {
    return (run.stdout + run.stderr).split("\n").filter((l) => l !== "" && !l.startsWith("@@"));
}

function costOf(stage: Stage, run: ChildRun): BurstCost {
    const calls = new Map<string, number>();
    for (const call of stage.aws.calls) {
        calls.set(call.target, (calls.get(call.target) ?? 0) + 1);
    }
    const lines = functionLogLines(run);
    return {
        invocationCpuMs: run.invocationCpuMs[0] ?? NaN,
        processCpuMs: run.processCpuMs ?? NaN,
        calls,
        totalCalls: stage.aws.calls.length,
        logBytes: Buffer.byteLength(lines.map((l) => `${l}\n`).join("")),
        metricLines: lines.filter((l) => l.startsWith('{"_aws"')).length,
    };
}

// The burst's goals, per sign-in (docs/speed.md): the function's CPU and its calls to AWS.
const CPU_MS_GOAL = 0.5;
const CALLS_GOAL = 0.1;

/**
 * The CPU of the same ALARM notification with nothing in its window (it posts the alarm's note):
 * a cold child that starts Node, loads the function, makes the same kinds of AWS calls, and answers; what a
 * burst's child spends beyond it is what its sign-ins cost. The least of three, so that a busy
 * machine can only make the sign-ins' share look larger.
 */
async function emptyAlarmCpuMs(stage: Stage, env: Record<string, string>): Promise<number> {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
        await resetStage(stage);
        runs.push((await invokeInChild(stage.fn, [alarmEvent(stage.alarmName)], { env })).processCpuMs ?? NaN);
    }
    return Math.min(...runs);
}

/**
 * The burst's cost lines. The CPU goal excludes Slack's pacing, as the calls' does: a paced run's
 * CPU also holds what the runtime does in its waits (V8 collects and shrinks its heap when idle),
 * so it is shown and not judged.
 */
function costLines(cost: BurstCost, baselineCpuMs: number, count: number, messages: number, paced: boolean, out: string[]): void {
    const per = (value: number, digits: number) => n(value / count, digits);
    const goal = (value: number, limit: number) => (value / count <= limit ? `goal ≤ ${limit}: met` : `goal ≤ ${limit}: MISSED`);
    const cpuMs = cost.processCpuMs - baselineCpuMs;
    const judged = paced ? `not judged: it holds the runtime's work in ${n(messages - 1)} waits of 1.1 s` : goal(cpuMs, CPU_MS_GOAL);
    out.push(
        `  ${pad("CPU per sign-in")}${per(cpuMs, 3)} ms  (${judged}; the child's user + system, ${n(cost.processCpuMs)} ms, ` +
            `minus an empty-window ALARM's cold child, ${n(baselineCpuMs)} ms; around the invocation alone ${per(cost.invocationCpuMs, 3)} ms a sign-in)`,
    );
    out.push(
        `  ${pad("AWS calls per sign-in")}${per(cost.totalCalls, 3)}  (${goal(cost.totalCalls, CALLS_GOAL)}; ${n(cost.totalCalls)} calls: ` +
            `${[...cost.calls].map(([op, c]) => `${op} ${c}`).join(", ")})`,
    );
    out.push(
        `  ${pad("log bytes per sign-in")}${per(cost.logBytes, 0)}  (${kib(cost.logBytes)}; ${n(cost.metricLines)} metric lines for ${n(messages)} messages)`,
    );
}

/**
 * A burst of `count` sign-ins of 97 principals in one window, found by one ALARM notification:
 * what reached Slack (every eventID once), how long it took, and what it cost. `paced`: at Slack's
 * real pace; otherwise MIN_POST_INTERVAL_MS is 0, for the cost without pacing and for a large
 * burst (250 messages at 1.1 s are 4.6 minutes of waiting).
 */
export async function burst(stage: Stage, count: number, out: string[], paced = true): Promise<boolean> {
    const env = { ...stage.aws.env(), ...(paced ? {} : { MIN_POST_INTERVAL_MS: "0" }) };
    const baselineCpuMs = await emptyAlarmCpuMs(stage, env);
    await resetStage(stage);
    const expected = storeSignIns(stage, count);
    const run = await invokeInChild(stage.fn, [alarmEvent(stage.alarmName)], { env, timeoutMs: 600000 });
    const report = run.results[0]?.ok ? (run.results[0].value as { posted: number; messages: number }) : undefined;
    const seen = postedEventIds(stage.slack.accepted);
    const lost = expected.filter((id) => !seen.has(id)).length;
    const duplicated = [...seen.values()].filter((times) => times > 1).length;
    const wanted = new Set(expected);
    const unexpected = [...seen.keys()].filter((id) => !wanted.has(id)).length;
    const times = stage.slack.requests.map((r) => r.at).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const messages = stage.slack.accepted.length;
    const expectedMessages = Math.ceil(count / SIGNINS_PER_MESSAGE);
    const floorMs = Math.max(0, messages - 1) * SLACK_SPACING_MS;
    const spanMs = times.length > 0 ? times[times.length - 1]! - times[0]! : 0;
    const pacing = paced
        ? `real Slack pacing (MIN_POST_INTERVAL_MS unchanged, ${n(SLACK_SPACING_MS)} ms)`
        : "Slack pacing off (MIN_POST_INTERVAL_MS=0: the figures exclude pacing)";
    out.push(`Burst: ${n(count)} sign-ins of 97 principals in one window, one ALARM notification, ${pacing}`);
    out.push(`  ${pad("messages sent")}${n(messages)}  (${SIGNINS_PER_MESSAGE} sign-ins per message; expected ${n(expectedMessages)})`);
    out.push(
        `  ${pad("sign-ins posted / lost / twice")}${n(report?.posted ?? 0)} / ${n(lost)} / ${n(duplicated)}  (every eventID checked in the payloads; unknown ids: ${unexpected})`,
    );
    out.push(`  ${pad("wall, spawn → exit")}${n(run.wallMs / 1000, 1)} s`);
    out.push(`  ${pad("first → last POST")}${n(spanMs / 1000, 1)} s  (gap min ${n(Math.min(...gaps))} ms, median ${n(median(gaps))} ms)`);
    if (paced) {
        out.push(
            `  ${pad("Slack-pace floor")}(${n(messages)} − 1) × ${n(SLACK_SPACING_MS / 1000, 1)} s = ${n(floorMs / 1000, 1)} s; measured span / floor = ${n(floorMs ? spanMs / floorMs : 1, 2)}×`,
        );
        out.push(`  ${pad("messages × 1.1 s")}${n((messages * SLACK_SPACING_MS) / 1000, 1)} s`);
    }
    costLines(costOf(stage, run), baselineCpuMs, count, messages, paced, out);
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
        functionLogLines(run)
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
