/**
 * The recorded baselines (tools/baseline.ts records and reads them; `npm run baseline:update`
 * writes them anew), and the fixtures' payloads from this test process's default program run.
 */
import { fixturePayloadsOf } from "../../tools/baseline";
import { defaultProgram } from "./program";

export { BASELINE_DIR, normaliseDelays, planWithoutCode } from "../../tools/baseline";

/** Every CloudTrail fixture in the trail's log group, one sweep of the deployed handler: what Slack receives. */
export async function fixturePayloads(): Promise<unknown[]> {
    return fixturePayloadsOf(await defaultProgram());
}
