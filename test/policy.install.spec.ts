/**
 * What `npm pack` ships of the policy pack, which is what `pulumi policy publish` uploads and what a
 * stack's preview installs (pulumi/pulumi pkg/backend/httpstate/policypack.go, installRequiredPolicy):
 * compiled JavaScript, the shrinkwrap that pins every dependency, and no TypeScript source.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { policies } from "../policy/policies";
import { POLICY_DIR } from "../tools/policyCheck";
import { ensurePackBuilt, startPolicyPack } from "./support/policyPackProcess";

interface PackedFile {
    path: string;
}

function sourcesUnder(dir: string): string[] {
    return fs
        .readdirSync(path.join(POLICY_DIR, dir))
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
        .map((f) => `${dir}/${f.replace(/\.ts$/, "")}`);
}

function readJson<T>(file: string): T {
    return JSON.parse(fs.readFileSync(path.join(POLICY_DIR, file), "utf8")) as T;
}

describe("the policy pack as npm packs and a stack installs it", function () {
    let shipped: string[] = [];

    before(function () {
        this.timeout(120_000);
        ensurePackBuilt();
        // --ignore-scripts: the build above is prepack's; the list is what a publish uploads.
        const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: POLICY_DIR, encoding: "utf8" });
        const [packed] = JSON.parse(out) as Array<{ files: PackedFile[] }>;
        shipped = (packed?.files ?? []).map((f) => f.path).sort();
    });

    it("ships the compiled pack, its shrinkwrap, PulumiPolicy.yaml and README, and no TypeScript source or tsconfig", function () {
        const modules = ["index", ...sourcesUnder("policies"), ...sourcesUnder("lib")];
        const expected = [
            "PulumiPolicy.yaml",
            "README.md",
            "npm-shrinkwrap.json",
            "package.json",
            ...modules.flatMap((m) => [`bin/${m}.js`, `bin/${m}.js.map`]),
        ].sort();
        assert.deepEqual(shipped, expected);
        assert.deepEqual(
            shipped.filter((f) => f.endsWith(".ts") || f === "tsconfig.json"),
            [],
        );
    });

    it("pins every dependency exactly, without @pulumi/aws, and starts from the compiled main", function () {
        const pkg = readJson<{ main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> }>(
            "package.json",
        );
        assert.equal(pkg.main, "bin/index.js");
        for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
            assert.match(version, /^\d+\.\d+\.\d+$/, name);
        }
        const locked = Object.keys(readJson<{ packages: Record<string, unknown> }>("npm-shrinkwrap.json").packages);
        assert.deepEqual(
            locked.filter((p) => ["node_modules/@pulumi/aws", "node_modules/ts-node", "node_modules/typescript"].includes(p)),
            [],
        );
        assert.ok(!fs.existsSync(path.join(POLICY_DIR, "package-lock.json")), "npm-shrinkwrap.json is the one lock file");
    });

    it("asks the CLI to install it without devDependencies", function () {
        const project = yaml.load(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as { runtime: unknown };
        assert.deepEqual(project.runtime, { name: "nodejs", options: { production: true } });
    });

    it("serves every policy from the shipped files alone, with no TypeScript source beside them", async function () {
        this.timeout(120_000);
        const staged = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-shipped-"));
        try {
            for (const file of shipped) {
                fs.mkdirSync(path.dirname(path.join(staged, file)), { recursive: true });
                fs.copyFileSync(path.join(POLICY_DIR, file), path.join(staged, file));
            }
            // The installed dependencies, as `npm install` in the unpacked pack would lay them out.
            fs.symlinkSync(path.join(POLICY_DIR, "node_modules"), path.join(staged, "node_modules"), "junction");
            const pack = await startPolicyPack(staged);
            try {
                const info = await pack.info();
                assert.deepEqual(
                    [info.getName(), info.getVersion(), info.getPoliciesList().map((p) => p.getName())],
                    ["console-login-alerts", "0.1.0", policies.map((p) => p.name)],
                );
            } finally {
                pack.close();
            }
        } finally {
            fs.rmSync(staged, { recursive: true, force: true });
        }
    });
});
