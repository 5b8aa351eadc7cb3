/**
 * What `pulumi up` does to a stack deployed while each fast-path region had its own aws.Provider,
 * now that every regional resource names its region on the default provider.
 *
 * The engine's steps, from pulumi/pulumi pkg/resource/deploy/step_generator.go:
 * - A resource is matched to its old state by URN (or an alias); name, type and parent make the URN,
 *   the provider does not, so an unchanged URN means update, never create-and-delete.
 * - `providerChanged`: when only the provider reference differs, the engine asks the new provider's
 *   DiffConfig whether the change of configuration forces a replacement. @pulumi/aws 7 no longer
 *   marks `region` as forcing one (pulumi/pulumi-aws#5656, and the v7 branch's commit d273034),
 *   so the resource is diffed as usual.
 * - The resource's own diff then compares `region`: "Changing the value of region will force
 *   resource replacement" (pulumi-aws docs/enhanced-region-support.md). The new input names the
 *   region the old provider named, so nothing is replaced; the migration guide's `pulumi up --refresh`
 *   first records `region` in state that an older provider version wrote without it.
 * - Were a replacement forced anyway, the engine creates the replacement before deleting the old
 *   one unless deleteBeforeReplace is asked for or a fixed physical name forbids two at once;
 *   neither holds here, so a region never forwards nothing in between (at worst it forwards
 *   twice, and the function posts each eventID once).
 * The old explicit providers are then deleted; deleting a provider touches nothing in AWS.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { runWith } from "./support/program";

interface Layout {
    providers: string[];
    resources: Array<{ urn: string; providerRegion: string }>;
}

const LAYOUT = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "providerLayout", "dev.json"), "utf8")) as Layout;

describe("a stack deployed with one provider per fast-path region", function () {
    it("was recorded with 17 regions' providers, each managing a rule and a target", function () {
        assert.strictEqual(LAYOUT.providers.length, 17);
        assert.strictEqual(LAYOUT.resources.length, 34);
    });

    it("keeps every regional resource's URN, names the region its old provider named, and lets a forced replacement create before it deletes", async function () {
        const run = await runWith();
        const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
        const changed = LAYOUT.resources.flatMap(({ urn, providerRegion }) => {
            const now = byUrn.get(urn);
            if (!now) {
                return [`${urn}: no longer registered (pulumi up would delete it and create another)`];
            }
            const problems: string[] = [];
            if (now.inputs["region"] !== providerRegion) {
                problems.push(`${now.name}: region ${String(now.inputs["region"])}, its provider's was ${providerRegion}`);
            }
            if (now.deleteBeforeReplace || now.inputs["name"] !== undefined) {
                problems.push(`${now.name}: a replacement would delete before it creates`);
            }
            if (now.provider !== undefined) {
                problems.push(`${now.name}: still names provider ${now.provider}`);
            }
            return problems;
        });
        assert.deepStrictEqual(changed, []);
    });

    it("registers none of the old providers, so the update deletes them once nothing uses them", async function () {
        const run = await runWith();
        const names = new Set(run.resources.map((r) => r.name));
        assert.deepStrictEqual(
            LAYOUT.providers.filter((name) => names.has(name)),
            [],
        );
    });
});
