/**
 * Measures, in one run and with no network, what the README's "Speed" section quotes:
 *
 *   npm run bench                       # 15 cold starts, a burst of 1,000 sign-ins
 *   npm run bench -- --runs 30 --burst 2000
 *
 * - the Lambda code archive, zipped here with Node (a fresh machine may have no `zip` binary);
 * - the serialized handler's cold start to its first Slack POST, beside `node -e ""`;
 * - a burst of sign-ins in one window through the deployed handler, at Slack's real pace;
 * - the AWS calls and log bytes of one idle sweep, which the cost estimate multiplies;
 * - the wall time of the offline plan (`npm start`).
 *
 * The handler runs exactly as packaged (the serialized __index.js in a child process) against the
 * local Slack and AWS stand-ins in tools/local/, which the tests use too.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import * as yauzl from "yauzl";
import * as yazl from "yazl";
import { SIGNINS_PER_MESSAGE } from "../handler/format";
import { fixture } from "./fixtures";
import { alarmNamesOf, invokeInChild, resetLocalEndpoints, unpackFunction, type DeployedFunction } from "./local/deployedFunction";
import { LocalAws } from "./local/localAws";
import { LocalSlack } from "./local/localSlack";
import { runProgramOffline, type OfflineRun, type PlanAsset } from "./offlineEngine";
import { REPO_ROOT } from "./repoRoot";

// What the handler waits between two messages by default (handler/slack.ts), because Slack
// allows about one message per second per webhook. The burst keeps it.
const SLACK_SPACING_MS = 1100;
// Lambda refuses a directly uploaded .zip larger than this.
const LAMBDA_ZIP_LIMIT_BYTES = 50 * 1024 * 1024;

export interface ZipInput {
    name: string;
    data: Buffer;
}

export interface ZipEntryReport {
    name: string;
    rawBytes: number;
    storedBytes: number;
}

// 1980-01-01 00:00 local time, the earliest DOS date: a fixed time keeps the archive byte-for-byte
// repeatable. Only the DOS fields are written (no extended timestamp), as Lambda needs no more.
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);
// Regular file, rw-r--r--, so the runtime can read what it unpacks.
const FILE_MODE = 0o100644;

/** Zips the files in the given order: deflated (default level), or stored when deflate does not help, as zip tools do. */
export function writeZip(inputs: readonly ZipInput[]): Promise<Buffer> {
    const zip = new yazl.ZipFile();
    for (const { name, data } of inputs) {
        const compress = zlib.deflateRawSync(data).length < data.length;
        zip.addBuffer(data, name, { mtime: ZIP_TIME, mode: FILE_MODE, compress, forceDosTimestamp: true });
    }
    zip.end();
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
        zip.outputStream.on("error", reject);
        zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    });
}

/** Reads a zip back through its central directory, inflating every entry and checking its size and CRC-32. */
export async function readZip(zip: Buffer): Promise<Array<ZipInput & ZipEntryReport>> {
    const archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true, validateEntrySizes: true });
    const out: Array<ZipInput & ZipEntryReport> = [];
    for (;;) {
        const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
            archive.once("entry", resolve);
            archive.once("end", () => resolve(undefined));
            archive.once("error", reject);
            archive.readEntry();
        });
        archive.removeAllListeners();
        if (!entry) {
            break;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of await archive.openReadStreamPromise(entry)) {
            chunks.push(chunk as Buffer);
        }
        const data = Buffer.concat(chunks);
        if (zlib.crc32(data) !== entry.crc32) {
            throw new Error(`${entry.fileName}: CRC-32 does not match`);
        }
        out.push({ name: entry.fileName, data, rawBytes: entry.uncompressedSize, storedBytes: entry.compressedSize });
    }
    archive.close();
    return out;
}

/** Every file of the function's code archive, as the deployment would package it, in name order. */
function archiveFiles(code: PlanAsset): ZipInput[] {
    if (code.kind !== "archive" || !code.assets) {
        throw new Error("the function's code is not an asset archive");
    }
    const files: ZipInput[] = [];
    const walk = (dir: string, prefix: string) => {
        for (const entry of fs.readdirSync(dir).sort()) {
            const full = path.join(dir, entry);
            if (fs.statSync(full).isDirectory()) {
                walk(full, `${prefix}/${entry}`);
            } else {
                files.push({ name: `${prefix}/${entry}`, data: fs.readFileSync(full) });
            }
        }
    };
    for (const [name, asset] of Object.entries(code.assets)) {
        if (asset.kind === "asset" && typeof asset.text === "string") {
            files.push({ name, data: Buffer.from(asset.text, "utf8") });
        } else if (asset.path) {
            walk(path.resolve(REPO_ROOT, asset.path), name);
        } else {
            throw new Error(`cannot package archive entry ${name}`);
        }
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const n = (value: number, digits = 0) => value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const kib = (bytes: number) => `${n(bytes / 1024, 1)} KiB`;
const pad = (label: string, width = 34) => label.padEnd(width);

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
    const event = fixture<{ Records: Array<{ Sns: { Message: string } }> }>("sns_alarm-console-signin");
    const message = JSON.parse(event.Records[0]!.Sns.Message) as Record<string, unknown>;
    message["AlarmName"] = alarmName;
    event.Records[0]!.Sns.Message = JSON.stringify(message);
    return event;
}

interface Stage {
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

async function coldStarts(stage: Stage, runs: number, out: string[]): Promise<boolean> {
    const firstPost: number[] = [];
    const handlerExit: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
        // Interleaved, so drift in the machine's load affects both series alike.
        bare.push((await spawnToExit(process.execPath, ["-e", ""])).ms);
        await resetStage(stage);
        storeSignIns(stage, 1);
        const run = await invokeInChild(stage.fn, [alarmEvent(stage.alarmName)], { env: stage.aws.env() });
        const post = stage.slack.requests[0];
        if (!run.results[0]?.ok || !post || stage.slack.requests.length !== 1) {
            out.push(`  cold start run ${i + 1} did not post exactly one message: ${run.stderr.trim() || JSON.stringify(run.results)}`);
            return false;
        }
        firstPost.push(post.at - run.spawnedAt);
        handlerExit.push(run.wallMs);
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

async function burst(stage: Stage, count: number, out: string[]): Promise<boolean> {
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

async function idleSweep(stage: Stage, out: string[]): Promise<boolean> {
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

async function offlinePlans(out: string[]): Promise<boolean> {
    out.push("Offline plan (`npm start` as a child process: program under the mock engine, then the policy pack)");
    let ok = true;
    for (const args of [["start"], ["start", "--", "--stack", "prod"]]) {
        // The update notifier would otherwise ask the registry for npm's latest version.
        const run = await spawnToExit("npm", args, { cwd: REPO_ROOT, env: { ...process.env, npm_config_update_notifier: "false" } });
        const resources = /Plan for stack \S+: (\d+) resources/.exec(run.stdout)?.[1] ?? "?";
        out.push(`  ${pad(`npm ${args.join(" ")}`)}${n(run.ms / 1000, 1)} s  (${resources} resources, exit ${run.code})`);
        ok &&= run.code === 0;
    }
    return ok;
}

function machine(): string {
    const cpus = os.cpus();
    return (
        `${cpus[0]?.model.trim() ?? "unknown CPU"}, ${cpus.length} cores, ${n(os.totalmem() / 1024 ** 3, 1)} GiB memory, ` +
        `Node ${process.version}, ${os.platform()} ${os.release()} ${os.arch()}`
    );
}

async function archive(fn: DeployedFunction, out: string[]): Promise<boolean> {
    const files = archiveFiles(fn.resource.inputs["code"] as PlanAsset);
    const zip = await writeZip(files);
    const back = await readZip(zip);
    const entries: ZipEntryReport[] = back;
    const verified = back.length === files.length && back.every((e, i) => e.name === files[i]!.name && e.data.equals(files[i]!.data));
    const groups = new Map<string, { files: number; raw: number; stored: number }>();
    for (const e of entries) {
        const group = e.name.startsWith("node_modules/") ? e.name.split("/").slice(0, 2).join("/") : e.name;
        const g = groups.get(group) ?? { files: 0, raw: 0, stored: 0 };
        groups.set(group, { files: g.files + 1, raw: g.raw + e.rawBytes, stored: g.stored + e.storedBytes });
    }
    const raw = entries.reduce((s, e) => s + e.rawBytes, 0);
    out.push("Lambda code archive (zipped here with yazl: zlib deflate, default level)");
    out.push(
        `  ${pad("zip")}${n(zip.length)} bytes (${kib(zip.length)}), ${entries.length} files; ${n((zip.length / LAMBDA_ZIP_LIMIT_BYTES) * 100, 2)}% of Lambda's 50 MiB upload limit`,
    );
    out.push(`  ${pad("unzipped")}${n(raw)} bytes (${kib(raw)}); zip / unzipped = ${n(zip.length / raw, 2)}`);
    for (const [name, g] of groups) {
        out.push(`  ${pad(name)}${n(g.raw)} bytes raw, ${n(g.stored)} compressed, ${g.files} file${g.files === 1 ? "" : "s"}`);
    }
    out.push(`  ${pad("read back")}${verified ? `${back.length} entries inflated, sizes and CRC-32 match` : "MISMATCH"}`);
    return verified;
}

/** The program with its defaults and a webhook secret, as the tests' default run has it. */
function defaultProgram(): Promise<OfflineRun> {
    const webhookKey = "console-login-alerts:slackWebhookUrl";
    return runProgramOffline({
        config: { [webhookKey]: "https://hooks.slack.com/services/T00000000/B00000000/BENCHPLACEHOLDER" },
        secretKeys: [webhookKey],
        stack: "dev",
    });
}

function option(argv: string[], name: string, fallback: number): number {
    const at = argv.indexOf(name);
    if (at < 0) {
        return fallback;
    }
    const value = Number(argv[at + 1]);
    if (!Number.isInteger(value) || value < 1) {
        throw new Error(`${name} needs a positive whole number, e.g. ${name} ${fallback}`);
    }
    return value;
}

async function main(argv: string[]): Promise<number> {
    const runs = option(argv, "--runs", 15);
    const burstSize = option(argv, "--burst", 1000);
    const started = Date.now();
    const out: string[] = [`Machine: ${machine()}`, ""];
    const flush = () => {
        console.log(out.join("\n"));
        out.length = 0;
    };

    const fn = unpackFunction(await defaultProgram());
    const slack = await new LocalSlack().start();
    const aws = await new LocalAws().start();
    const stage: Stage = { fn, slack, aws, alarmName: alarmNamesOf(fn)["console-signin"]! };
    const results: boolean[] = [];
    try {
        results.push(await archive(fn, out));
        out.push("");
        flush();
        results.push(await coldStarts(stage, runs, out));
        out.push("");
        flush();
        results.push(await burst(stage, burstSize, out));
        out.push("");
        flush();
        results.push(await idleSweep(stage, out));
        out.push("");
        flush();
        results.push(await offlinePlans(out));
    } finally {
        await slack.stop();
        await aws.stop();
        fs.rmSync(fn.dir, { recursive: true, force: true });
        fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
    }
    out.push("", `Bench wall time: ${n((Date.now() - started) / 1000, 1)} s`);
    flush();
    if (results.includes(false)) {
        console.error("bench: a measurement failed its check; the figures above are not valid.");
        return 1;
    }
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: Error) => {
            console.error(`bench: ${err.message}`);
            process.exit(1);
        },
    );
}
