import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { OfflineRun, RecordedResource } from "../tools/offlineEngine";
import { runWith } from "./support/program";

const URNS = path.join(__dirname, "fixtures", "urns");

/** The URNs of a stack deployed before its resources moved under child components, with the config it had. */
interface Recorded {
    config: Record<string, string>;
    urns: string[];
}

/**
 * The qualified type a URN gives its children: all of it, not only its last type
 * (sdk/go/common/resource/urn.go: NewURN with the parent's QualifiedType()); the root stack lends none.
 */
function qualifiedTypeOf(parentUrn: string): string {
    const type = parentUrn.split("::")[2] ?? "";
    return type === "pulumi:pulumi:Stack" ? "" : type;
}

/** Every URN a resource answers to: its own, and each alias resolved the way the engine resolves it. */
function urnsOf(resource: RecordedResource, stackAndProject: string): string[] {
    const aliases = resource.aliases.map((alias) => {
        if (alias.urn) {
            return alias.urn;
        }
        const parentUrn = alias.noParent ? undefined : (alias.parentUrn ?? resource.parent);
        const prefix = parentUrn && qualifiedTypeOf(parentUrn) ? `${qualifiedTypeOf(parentUrn)}$` : "";
        return `${stackAndProject}::${prefix}${alias.type ?? resource.type}::${alias.name ?? resource.name}`;
    });
    return [resource.urn, ...aliases];
}

function claims(run: OfflineRun, stackAndProject: string): Map<string, string[]> {
    const byUrn = new Map<string, string[]>();
    for (const resource of run.resources) {
        for (const urn of urnsOf(resource, stackAndProject)) {
            byUrn.set(urn, [...(byUrn.get(urn) ?? []), resource.urn]);
        }
    }
    return byUrn;
}

describe("stacks deployed before the component was split into children", function () {
    for (const file of fs.readdirSync(URNS).sort()) {
        const recorded = JSON.parse(fs.readFileSync(path.join(URNS, file), "utf8")) as Recorded;

        it(`keeps or aliases every URN of ${path.basename(file, ".json")}, so pulumi up replaces nothing`, async function () {
            const run = await runWith(recorded.config);
            const byUrn = claims(run, "urn:pulumi:dev::console-login-alerts");
            const lost = recorded.urns.filter((urn) => !byUrn.has(urn));
            assert.deepStrictEqual(lost, [], "old URNs that no resource answers to");
            const shared = recorded.urns.filter((urn) => (byUrn.get(urn) ?? []).length > 1);
            assert.deepStrictEqual(shared, [], "old URNs that more than one resource claims");
        });
    }

    it("moves the state table, the trail bucket and the trail by alias, not by replacement", async function () {
        const run = await runWith();
        const byUrn = claims(run, "urn:pulumi:dev::console-login-alerts");
        const before = "urn:pulumi:dev::console-login-alerts::console-login-alerts:index:LoginAlerts$";
        for (const [type, name] of [
            ["aws:dynamodb/table:Table", "login-alerts-state"],
            ["aws:s3/bucket:Bucket", "login-alerts-trail-bucket"],
            ["aws:cloudtrail/trail:Trail", "login-alerts-trail"],
        ] as const) {
            const now = run.resources.find((r) => r.type === type && r.name === name)!;
            assert.notStrictEqual(now.urn, `${before}${type}::${name}`, `${name} did not move`);
            assert.deepStrictEqual(byUrn.get(`${before}${type}::${name}`), [now.urn]);
        }
    });
});
