/**
 * The setting of a deployed-handler spec: the program's function unpacked once, as Lambda would
 * unpack it, with a local Slack and local AWS started for the spec and reset before each test.
 */
import * as assert from "assert";
import type { OfflineRun } from "../../tools/offlineEngine";
import { removeUnpacked, resetLocalEndpoints, unpackFunction, type DeployedFunction } from "../../tools/local/deployedFunction";
import { LocalAws } from "../../tools/local/localAws";
import { LocalSlack } from "../../tools/local/localSlack";

export interface DeployedRig {
    fn: DeployedFunction;
    slack: LocalSlack;
    aws: LocalAws;
    /** The local endpoints' environment, and any knobs the spec asked for. */
    env: Record<string, string>;
}

/** Registers the spec's hooks; the rig's fields are set once `before` has run. */
export function useDeployedRig(program: () => Promise<OfflineRun>, knobs: Record<string, string> = {}): DeployedRig {
    const rig = {} as DeployedRig;
    before(async function () {
        rig.fn = unpackFunction(await program());
        rig.slack = await new LocalSlack().start();
        rig.aws = await new LocalAws().start();
        rig.env = { ...rig.aws.env(), ...knobs };
    });
    after(async function () {
        await rig.slack?.stop();
        await rig.aws?.stop();
        if (rig.fn) {
            removeUnpacked(rig.fn);
        }
    });
    beforeEach(async function () {
        await resetLocalEndpoints(rig.fn, rig.slack, rig.aws);
    });
    return rig;
}

const HOUR = 3600 * 1000;

/**
 * Moves what this hour's messages tallied into the last hour, the latest a daily summary asked for
 * now reads: the function counts a message in the hour it was posted in, and a summary reads only
 * hours that have ended.
 */
export async function tallyAsLastHour(aws: LocalAws): Promise<void> {
    const tallies = (await aws.items()).filter((item) => item["pk"]?.S?.startsWith("stats#"));
    assert.ok(tallies.length > 0, "the posted messages left no tally");
    const merged: Record<string, { N: string }> = {};
    for (const item of tallies) {
        for (const [name, value] of Object.entries(item)) {
            if (value.N !== undefined && name !== "expiresAt") {
                merged[name] = { N: String(Number(merged[name]?.N ?? 0) + Number(value.N)) };
            }
        }
    }
    const lastHour = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    await aws.putItem({
        ...merged,
        pk: { S: `stats#${new Date(lastHour).toISOString().slice(0, 13)}` },
        expiresAt: { N: "1900000000" },
    });
}
