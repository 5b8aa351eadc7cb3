/**
 * The workflows' Pulumi jobs as a fresh runner runs them. A runner starts from the checkout alone: no
 * node_modules, no policy/bin (both git-ignored). Each job's `run:` steps are run here, in order, in
 * such a copy of the repository; then the policy pack is started the way `policyPacks: policy` makes
 * the Pulumi CLI start it: its analyzer plugin runs `run-policy-pack` in the pack's directory, which
 * loads package.json's `main`, bin/index.js (test/support/policyPackProcess.ts). A step the pack
 * needs and the workflow lacks fails this test, not the first `pulumi up` of a team's account.
 *
 * What the test stands in for, and why that is enough: actions/checkout is the copy (the files
 * `git ls-files` lists, as they are in the working tree, with new files not yet ignored, so the work
 * of a commit in progress is tested too); actions/setup-node is the Node.js running the tests (CI
 * runs them on 20 and 22, the workflows on 22); the AWS and Pulumi credentials are not needed to
 * start the pack. The jobs without Pulumi (the tests and the offline plan) are not run here, which
 * would run the whole suite again; each of their steps must name a script that exists.
 */
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { policies } from "../policy/policies";
import { startPolicyPack } from "./support/policyPackProcess";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

interface Step {
    uses?: string;
    run?: string;
    shell?: string;
    if?: string;
    "working-directory"?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}

interface Job {
    env?: unknown;
    defaults?: unknown;
    steps: Step[];
}

interface Workflow {
    env?: unknown;
    defaults?: unknown;
    jobs: Record<string, Job>;
}

interface RunStep {
    run: string;
    /** Relative to the repository's root. */
    dir: string;
}

function workflows(): Array<[string, Workflow]> {
    return fs
        .readdirSync(WORKFLOWS)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => [f, yaml.load(fs.readFileSync(path.join(WORKFLOWS, f), "utf8")) as Workflow]);
}

function pulumiStep(j: Job): Step | undefined {
    return j.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
}

/** A job's `run:` steps before its Pulumi step, with nothing around them this test would not reproduce. */
function runSteps(at: string, workflow: Workflow, j: Job): RunStep[] {
    assert.deepEqual([workflow.env, workflow.defaults, j.env, j.defaults], [undefined, undefined, undefined, undefined], at);
    const pulumi = j.steps.indexOf(pulumiStep(j)!);
    return j.steps.slice(0, pulumi).flatMap((s) => {
        if (s.run === undefined) {
            return [];
        }
        assert.deepEqual([s.shell, s.if, s.env], [undefined, undefined, undefined], `${at}: ${s.run}`);
        return [{ run: s.run, dir: s["working-directory"] ?? "." }];
    });
}

/** Where the CLI finds the pack: `policyPacks` is relative to the step's `work-dir` (./ by default). */
function packDir(at: string, step: Step): string {
    const packs = String(step.with?.["policyPacks"] ?? "");
    assert.match(packs, /^[\w./-]+$/, `${at}: one policy pack`);
    return path.join(String(step.with?.["work-dir"] ?? "."), packs);
}

/** The files a checkout of the work in progress would hold. */
function cleanCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-clean-clone-"));
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
        .split("\0")
        .filter((f) => f !== "");
    for (const file of files) {
        const from = path.join(ROOT, file);
        if (!fs.existsSync(from)) {
            // Deleted in the working tree, not yet in the index.
            continue;
        }
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(from, path.join(dir, file));
    }
    return dir;
}

function isInside(p: string, dir: string): boolean {
    const relative = path.relative(dir, path.resolve(p));
    return !relative.startsWith("..") && !path.isAbsolute(relative);
}

/**
 * The environment a step gets: this process's, without what `npm test` and ts-node add for the test
 * run (the repository's node_modules/.bin on PATH would hide a missing `npm ci`). A runner's npm
 * cache is warm (actions/setup-node `cache: npm`), so npm may prefer it to the registry here too.
 */
function stepEnv(): NodeJS.ProcessEnv {
    const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith("TS_NODE_") && !k.startsWith("npm_") && k !== "INIT_CWD"),
    );
    env["PATH"] = (process.env["PATH"] ?? "")
        .split(path.delimiter)
        .filter((p) => p !== "" && !isInside(p, ROOT))
        .join(path.delimiter);
    env["npm_config_prefer_offline"] = "true";
    env["CI"] = "true";
    return env;
}

/** As a runner runs a `run:` step with no `shell:` (bash -e). */
function runStep(clone: string, step: RunStep, env: NodeJS.ProcessEnv): void {
    const result = spawnSync("bash", ["-e", "-c", step.run], {
        cwd: path.join(clone, step.dir),
        env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    assert.equal(result.status, 0, `\`${step.run}\` (in ${step.dir}) failed:\n${output.slice(-4000)}${result.error ?? ""}`);
}

interface ScriptRef {
    /** The package.json's folder, relative to the root. */
    dir: string;
    script: string;
}

/** The npm script a `run:` line of the offline job runs; `npm ci` runs none but needs the lock file. */
function scriptOf(run: string): ScriptRef | "ci" {
    const words = run.trim().split(/\s+/);
    assert.equal(words.shift(), "npm", `not an npm command: ${run}`);
    let dir = ".";
    if (words[0] === "--prefix") {
        words.shift();
        dir = words.shift() ?? "";
    }
    const command = words.shift();
    if (command === "ci") {
        assert.deepEqual(words, [], run);
        return "ci";
    }
    if (command === "test" || command === "start") {
        return { dir, script: command };
    }
    assert.ok(command === "run" || command === "run-script", `not an npm script: ${run}`);
    const script = words.shift();
    assert.ok(script && !script.startsWith("-"), `no script named: ${run}`);
    return { dir, script };
}

describe("workflows from a clean clone: the jobs that run Pulumi", function () {
    const jobs = workflows().flatMap(([file, workflow]) =>
        Object.entries(workflow.jobs)
            .filter(([, j]) => pulumiStep(j))
            .map(([id, j]) => {
                const at = `${file} ${id}`;
                return { at, steps: runSteps(at, workflow, j), pack: packDir(at, pulumiStep(j)!) };
            }),
    );

    it("are the preview, the two updates and the drift check", function () {
        assert.deepEqual(
            jobs.map((j) => j.at),
            ["deploy.yml up-dev", "deploy.yml up-prod", "drift.yml drift", "preview.yml preview"],
        );
    });

    // Jobs that run the same steps with the same pack are run once.
    const groups = new Map<string, typeof jobs>();
    for (const j of jobs) {
        const key = JSON.stringify([j.steps, j.pack]);
        groups.set(key, [...(groups.get(key) ?? []), j]);
    }

    for (const group of groups.values()) {
        const [{ steps, pack }] = group as [(typeof jobs)[number]];
        const names = group.map((j) => j.at).join(", ");
        const commands = steps.map((s) => (s.dir === "." ? s.run : `${s.run} (in ${s.dir})`)).join("; ");

        describe(names, function () {
            let clone = "";

            after(function () {
                if (clone) {
                    fs.rmSync(clone, { recursive: true, force: true });
                }
            });

            it(`runs ${commands} in a clean copy, then the pack serves every policy from its compiled main`, async function () {
                this.timeout(600_000);
                clone = cleanCopy();
                for (const ignored of ["node_modules", "policy/node_modules", "policy/bin", "bin"]) {
                    assert.ok(!fs.existsSync(path.join(clone, ignored)), `the copy holds ${ignored}`);
                }
                const env = stepEnv();
                for (const step of steps) {
                    runStep(clone, step, env);
                }

                const dir = path.join(clone, pack);
                const { main } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { main: string };
                assert.equal(main, "bin/index.js");
                assert.ok(fs.existsSync(path.join(dir, main)), `${pack}/${main} was not built`);
                const server = await startPolicyPack(dir);
                try {
                    const info = await server.info();
                    assert.deepEqual(
                        [info.getName(), info.getPoliciesList().map((p) => p.getName())],
                        ["console-login-alerts", policies.map((p) => p.name)],
                    );
                    // Without its main, Node falls back to the pack's index.ts through the ts-node
                    // the SDK registers, and warns: "DEP0128 ... Invalid 'main' field".
                    assert.doesNotMatch(server.stderr(), /DEP0128|Invalid 'main' field/);
                } finally {
                    server.close();
                }
            });
        });
    }
});

describe("workflows from a clean clone: the jobs that do not run Pulumi", function () {
    for (const [file, workflow] of workflows()) {
        for (const [id, j] of Object.entries(workflow.jobs).filter(([, j]) => !pulumiStep(j))) {
            it(`${file} ${id}: every step runs an npm script that exists, or npm ci from a lock file`, function () {
                const runs = j.steps.flatMap((s) => (s.run === undefined ? [] : [s.run]));
                assert.ok(runs.length > 0);
                for (const run of runs) {
                    const ref = scriptOf(run);
                    if (ref === "ci") {
                        assert.ok(fs.existsSync(path.join(ROOT, "package-lock.json")), run);
                        continue;
                    }
                    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, ref.dir, "package.json"), "utf8")) as {
                        scripts?: Record<string, string>;
                    };
                    assert.ok(pkg.scripts?.[ref.script], `${run}: ${path.join(ref.dir, "package.json")} has no script "${ref.script}"`);
                }
            });
        }
    }
});
