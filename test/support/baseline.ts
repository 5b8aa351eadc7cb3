/**
 * The recorded baselines (tools/baseline.ts records and reads them; `npm run baseline:update`
 * writes them anew), the committed stacks' plans and the fixtures' payloads, made in this test
 * process: the plan by the code `npm start` runs (tools/plan.ts runPlan; test/npmStart.spec.ts
 * spawns the command itself), the payloads from the default program run.
 */
import { fixturePayloadsOf, jsonPlanFlags, withoutCode } from "../../tools/baseline";
import { defaultProgram } from "./program";

export { BASELINE_DIR, normaliseDelays } from "../../tools/baseline";

/** `npm start -- --json` for a committed stack, with the code archive's text replaced by a marker. */
export async function planWithoutCode(stack: string): Promise<unknown> {
    // Loaded here, not above: the other specs that read this file want only normaliseDelays.
    const { runPlan } = await import("../../tools/plan");
    const out: string[] = [];
    const err: string[] = [];
    const status = await runPlan(jsonPlanFlags(stack), { out: (text) => out.push(text), err: (text) => err.push(text) });
    if (status !== 0) {
        throw new Error(`npm start failed: ${err.join("\n")}`);
    }
    return withoutCode(out.join("\n"));
}

/** Every CloudTrail fixture in the trail's log group, one sweep of the deployed handler: what Slack receives. */
export async function fixturePayloads(): Promise<unknown[]> {
    return fixturePayloadsOf(await defaultProgram());
}
