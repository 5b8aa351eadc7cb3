/**
 * The setting of a deployed-handler spec: the program's function unpacked once, as Lambda would
 * unpack it, with a local Slack and local AWS started for the spec and reset before each test.
 */
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
