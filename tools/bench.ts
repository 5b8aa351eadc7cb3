/**
 * Measures, in one run and with no network, what the README's "Speed" section quotes:
 *
 *   npm run bench                       # 15 cold starts, bursts of 1,000 and 10,000 sign-ins
 *   npm run bench -- --runs 30 --burst 2000 --large-burst 20000
 *   npm run bench -- --only burst       # the bursts alone
 *
 * - the Lambda code archive, zipped here with Node (a fresh machine may have no `zip` binary);
 * - the packaged handler's cold start to its first Slack POST, beside `node -e ""` and beside a
 *   minimal peer function doing the same I/O as it must (tools/local/minimalPeer.js);
 * - the same from an EventBridge sign-in (the fast path) beside an ALARM notification (the alarm path);
 * - a burst of sign-ins in one window through the deployed handler, at Slack's real pace, then the
 *   same and a larger one without pacing: what reached Slack, and the function's CPU, AWS calls and
 *   log per sign-in;
 * - the AWS calls and log bytes of one idle sweep, which the cost estimate multiplies;
 * - the wall time of the offline plan (`npm start`).
 *
 * The handler runs exactly as packaged (the bundled __index.js in a child process) against the
 * local Slack and AWS stand-ins in tools/local/, which the tests use too. The measurements are in
 * benchArchive.ts and benchMeasurements.ts; this file runs them in order and prints the report.
 */
import * as os from "os";
import { archive } from "./benchArchive";
import { burst, coldStarts, fastPathVsAlarmPath, idleSweep, n, offlinePlans, type Stage } from "./benchMeasurements";
import { alarmNamesOf, removeUnpacked, unpackFunction } from "./local/deployedFunction";
import { LocalAws } from "./local/localAws";
import { LocalSlack } from "./local/localSlack";
import { runProgramOffline, type OfflineRun } from "./offlineEngine";

function machine(): string {
    const cpus = os.cpus();
    return (
        `${cpus[0]?.model.trim() ?? "unknown CPU"}, ${cpus.length} cores, ${n(os.totalmem() / 1024 ** 3, 1)} GiB memory, ` +
        `Node ${process.version}, ${os.platform()} ${os.release()} ${os.arch()}`
    );
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

// The measurements `--only` can name; without it every one runs.
const PARTS = ["archive", "cold", "paths", "burst", "idle", "plan"] as const;
type Part = (typeof PARTS)[number];

function parts(argv: string[]): readonly Part[] {
    const at = argv.indexOf("--only");
    if (at < 0) {
        return PARTS;
    }
    const named = (argv[at + 1] ?? "").split(",");
    const unknown = named.filter((p) => !(PARTS as readonly string[]).includes(p));
    if (unknown.length > 0) {
        throw new Error(`--only takes a comma-separated list of ${PARTS.join(", ")}`);
    }
    return named as Part[];
}

async function main(argv: string[]): Promise<number> {
    const runs = option(argv, "--runs", 15);
    const burstSize = option(argv, "--burst", 1000);
    const largeBurstSize = option(argv, "--large-burst", 10000);
    const chosen = parts(argv);
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
    const measure = async (part: Part, measurement: () => Promise<boolean>) => {
        if (chosen.includes(part)) {
            results.push(await measurement());
            out.push("");
            flush();
        }
    };
    try {
        await measure("archive", () => archive(fn, out));
        await measure("cold", () => coldStarts(stage, runs, out));
        await measure("paths", () => fastPathVsAlarmPath(stage, runs, out));
        await measure("burst", async () => {
            const checks: boolean[] = [];
            // At Slack's pace, then the same and the large one without it, for their cost.
            for (const [size, paced] of [
                [burstSize, true],
                [burstSize, false],
                [largeBurstSize, false],
            ] as const) {
                if (checks.length > 0) {
                    out.push("");
                    flush();
                }
                checks.push(await burst(stage, size, out, paced));
            }
            return !checks.includes(false);
        });
        await measure("idle", () => idleSweep(stage, out));
        await measure("plan", () => offlinePlans(out));
    } finally {
        await slack.stop();
        await aws.stop();
        removeUnpacked(fn);
    }
    out.push(`Bench wall time: ${n((Date.now() - started) / 1000, 1)} s`);
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
