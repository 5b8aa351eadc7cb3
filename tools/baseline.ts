/**
 * The baselines of test/baseline.spec.ts: what the project produces, reduced to what a
 * restructuring must not change — the offline plan's resources (the function's code text left out,
 * since moving code changes it) and the Slack payloads the deployed handler posts for every
 * CloudTrail fixture. `npm run baseline:update` records them anew and shows what changed, for a
 * change that alters what is deployed or posted on purpose.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cloudTrailFixtures, fixture } from "./fixtures";
import { invokeInChild, removeUnpacked, resetLocalEndpoints, unpackFunction } from "./local/deployedFunction";
import { LocalAws } from "./local/localAws";
import { LocalSlack } from "./local/localSlack";
import { runProgramOffline, type OfflineRun } from "./offlineEngine";
import { REPO_ROOT } from "./repoRoot";

export const BASELINE_DIR = path.join(REPO_ROOT, "test", "fixtures", "baseline");

/** The committed stacks whose plans are recorded, each in plan-<stack>.json. */
export const BASELINE_STACKS = ["dev", "prod"] as const;

/** `npm start`'s flags for the JSON plan of a committed stack. */
export function jsonPlanFlags(stack: string): string[] {
    return ["--json", ...(stack === "dev" ? [] : ["--stack", stack])];
}

/** A JSON plan's text, parsed, with the code archive's text replaced by a marker. */
export function withoutCode(planJson: string): unknown {
    const plan = JSON.parse(planJson) as { resources: Array<{ inputs: Record<string, unknown> }> };
    for (const resource of plan.resources) {
        if (resource.inputs["code"] !== undefined) {
            resource.inputs["code"] = "[code]";
        }
    }
    return plan;
}

/** `npm start -- --json` for a committed stack, with the code archive's text replaced by a marker. */
export function planWithoutCode(stack: string): unknown {
    const result = spawnSync("npm", ["start", "--silent", "--", ...jsonPlanFlags(stack)], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) {
        throw new Error(`npm start failed: ${result.stderr}`);
    }
    return withoutCode(result.stdout);
}

/**
 * Each posted sign-in says how long after it it was posted ("posted 14 s after sign-in"), which
 * depends on the clock. Every comparison of payloads from a real clock goes through this one
 * helper, which replaces the figure with `<delay>` and keeps the path.
 */
export function normaliseDelays<T>(payloads: T): T {
    return JSON.parse(JSON.stringify(payloads).replace(/posted \d+ (?:s|min|h|d) after/g, "posted <delay> after")) as T;
}

/** Every CloudTrail fixture in the trail's log group, one sweep of the deployed handler: what Slack receives. */
export async function fixturePayloadsOf(program: OfflineRun): Promise<unknown[]> {
    const fn = unpackFunction(program);
    const slack = await new LocalSlack().start();
    const aws = await new LocalAws().start();
    try {
        await resetLocalEndpoints(fn, slack, aws);
        for (const { text } of cloudTrailFixtures().values()) {
            aws.logEvents.push({
                logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!,
                timestamp: Date.now() - 120000,
                message: text,
            });
        }
        const run = await invokeInChild(fn, [fixture("events_scheduled-sweep")], { env: { ...aws.env(), MIN_POST_INTERVAL_MS: "0" } });
        if (!run.results[0]?.ok) {
            throw new Error(`the sweep failed: ${run.stderr}`);
        }
        return normaliseDelays(slack.accepted);
    } finally {
        await slack.stop();
        await aws.stop();
        removeUnpacked(fn);
    }
}

/** A baseline file's text: JSON with a 2-space indent and a final newline, as committed. */
export function baselineText(value: unknown): string {
    return `${JSON.stringify(value, null, 2)}\n`;
}

/** The program with its defaults and a webhook secret, as the tests' default run has it. */
function defaultProgram(): Promise<OfflineRun> {
    const webhookKey = "console-login-alerts:slackWebhookUrl";
    return runProgramOffline({
        config: { [webhookKey]: "https://hooks.slack.com/services/T00000000/B00000000/BASELINEPLACEHOLDER" },
        secretKeys: [webhookKey],
        stack: "dev",
    });
}

async function main(): Promise<void> {
    for (const stack of BASELINE_STACKS) {
        fs.writeFileSync(path.join(BASELINE_DIR, `plan-${stack}.json`), baselineText(planWithoutCode(stack)));
    }
    fs.writeFileSync(path.join(BASELINE_DIR, "slack-payloads.json"), baselineText(await fixturePayloadsOf(await defaultProgram())));
    const changed = execFileSync("git", ["diff", "--stat", "--", path.relative(REPO_ROOT, BASELINE_DIR)], {
        cwd: REPO_ROOT,
        encoding: "utf8",
    });
    console.log(changed.trim() === "" ? "The baselines are unchanged." : changed.trimEnd());
}

if (require.main === module) {
    main().then(
        () => process.exit(0),
        (err: Error) => {
            console.error(`baseline:update: ${err.message}`);
            process.exit(1);
        },
    );
}
