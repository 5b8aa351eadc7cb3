/**
 * What the project produces, reduced to what a restructuring must not change: the offline plan's
 * resources (the function's code text left out, since moving code changes it) and the Slack
 * payloads the deployed handler posts for every CloudTrail fixture.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { invokeInChild, removeUnpacked, resetLocalEndpoints, unpackFunction } from "../../tools/local/deployedFunction";
import { LocalAws } from "../../tools/local/localAws";
import { LocalSlack } from "../../tools/local/localSlack";
import { cloudTrailFixtures, fixture } from "../../tools/fixtures";
import { defaultProgram } from "./program";

const ROOT = path.resolve(__dirname, "..", "..");
export const BASELINE_DIR = path.join(ROOT, "test", "fixtures", "baseline");

/** `npm start -- --json` for a committed stack, with the code archive's text replaced by a marker. */
export function planWithoutCode(stack: string): unknown {
    const args = ["start", "--silent", "--", "--json", ...(stack === "dev" ? [] : ["--stack", stack])];
    const result = spawnSync("npm", args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) {
        throw new Error(`npm start failed: ${result.stderr}`);
    }
    const plan = JSON.parse(result.stdout) as { resources: Array<{ inputs: Record<string, unknown> }> };
    for (const resource of plan.resources) {
        if (resource.inputs["code"] !== undefined) {
            resource.inputs["code"] = "[code]";
        }
    }
    return plan;
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
export async function fixturePayloads(): Promise<unknown[]> {
    const fn = unpackFunction(await defaultProgram());
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
