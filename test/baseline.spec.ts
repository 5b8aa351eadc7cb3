import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BASELINE_DIR, fixturePayloads, planWithoutCode } from "./support/baseline";

function baseline(name: string): unknown {
    return JSON.parse(fs.readFileSync(path.join(BASELINE_DIR, `${name}.json`), "utf8"));
}

// The baselines were recorded before the program, handler and tools were split into the rooms they
// have now; a change that alters what is deployed or posted must say so by recording them anew.
describe("what the project deploys and posts, against the recorded baseline", function () {
    for (const stack of ["dev", "prod"]) {
        it(`plans every resource of ${stack} with the same inputs (the function's code text aside)`, function () {
            assert.deepStrictEqual(planWithoutCode(stack), baseline(`plan-${stack}`));
        });
    }

    it("posts the same Slack payloads for every CloudTrail fixture", async function () {
        assert.deepStrictEqual(await fixturePayloads(), baseline("slack-payloads"));
    });
});
