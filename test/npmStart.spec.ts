/**
 * `npm start` as a person runs it: the default output for the dev example, --links, --resources,
 * --json, and `npm start --silent -- --json` as a process. Each runs the whole program (seconds);
 * the flags' parsing, --help and the refusals are in tools.spec.ts.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policies as packPolicies } from "../policy/policies";
import { runProgramOffline, type OfflineOptions, type OfflineRun } from "../tools/offlineEngine";
import { runPlan, usage } from "../tools/plan";
import { blockKitBuilderUrl } from "../tools/sampleMessages";

const ROOT = path.resolve(__dirname, "..");
// UPDATE_SNAPSHOTS=1 records npm start's output anew, for a change made on purpose.
const UPDATE = process.env["UPDATE_SNAPSHOTS"] === "1";
const START_SNAPSHOT = path.join(__dirname, "fixtures", "snapshots", "npm-start-dev.txt");
// npm's own lines around a script's output: a blank line, "> name@version start", "> command", a blank line.
const NPM_BANNER_LINES = 4;

interface Started {
    code: number;
    out: string;
    err: string;
}

describe("npm start", function () {
    // The project's Pulumi.yaml and example stacks alone: a Pulumi.dev.yaml of the developer's own,
    // which npm start would plan instead of the example, stays out of the comparison.
    let root: string;
    before(function () {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "npm-start-"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.cpSync(path.join(ROOT, "examples"), path.join(root, "examples"), { recursive: true });
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    // The program run once for each configuration: it takes seconds in this process, the rest of a plan does not.
    const runs = new Map<string, Promise<OfflineRun>>();
    const runProgram = (options: OfflineOptions): Promise<OfflineRun> => {
        const key = JSON.stringify(options);
        if (!runs.has(key)) {
            runs.set(key, runProgramOffline(options));
        }
        return runs.get(key)!;
    };

    /** npm start with these flags, in this process: its exit code and what it wrote to stdout and stderr. */
    async function start(...argv: string[]): Promise<Started> {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runPlan(argv, { out: (text) => out.push(text), err: (text) => err.push(text) }, { root, runProgram });
        return { code, out: out.join("\n"), err: err.join("\n") };
    }

    describe("with no flags, for the dev example", function () {
        let started: Started;
        before(async function () {
            started = await start();
        });

        it("prints exactly what test/fixtures/snapshots/npm-start-dev.txt records", function () {
            assert.strictEqual(started.code, 0, started.err);
            if (UPDATE) {
                fs.writeFileSync(START_SNAPSHOT, `${started.out}\n`);
            }
            assert.strictEqual(`${started.out}\n`, fs.readFileSync(START_SNAPSHOT, "utf8"));
        });

        it("fits in under 80 lines, npm's banner included", function () {
            const lines = started.out.split("\n").length + NPM_BANNER_LINES;
            assert.ok(lines < 80, `${lines} lines`);
        });

        it("counts what it would create by component, from the resources and their parents", function () {
            const lines = started.out.split("\n");
            const at = lines.indexOf("127 resources to create: 121 AWS resources and 6 components");
            assert.ok(at > 0, started.out);
            assert.deepStrictEqual(lines.slice(at + 1, at + 6), [
                "  audit trail: trail, bucket, log group, role + 6 more (10)",
                "  alert rules: 8 × metric filter + alarm (16), topic, topic policy (2)",
                "  operators:   topic, dashboard, 3 alarms, topic policy (6)",
                "  notifier:    function, table, queue, parameter + 9 more (13)",
                "  fast path:   17 regions × 2 rules + 2 targets (68), bus, rule, target, role + 2 more (6)",
            ]);
        });

        it("gives the policy pack's verdict with the number of its policies", function () {
            assert.ok(started.out.split("\n").includes(`Policy pack: ${packPolicies.length} policies, 0 violations`), started.out);
        });

        it("shows four sign-ins as the stack posts them: on a fixed clock, without labels or mentions it does not set, without links", function () {
            assert.strictEqual(started.out.match(/^── rule /gm)?.length, 4);
            assert.strictEqual(started.out.match(/ · posted 9 s after sign-in$/gm)?.length, 4);
            assert.doesNotMatch(started.out, /production|<!here>|block-kit-builder/);
            assert.match(
                started.out,
                /^Sample messages as stack dev posts them \(en, UTC, no account labels, no mentions; a fixed clock\):$/m,
            );
        });

        it("ends with the commands a newcomer runs next", function () {
            const lines = started.out.split("\n");
            assert.deepStrictEqual(lines.slice(lines.lastIndexOf("Next:")), [
                "Next:",
                "  cp examples/Pulumi.dev.yaml Pulumi.dev.yaml && pulumi stack init dev           # your stack, from this example",
                "  pulumi config set --secret slackWebhookUrl https://hooks.slack.com/services/…  # the channel's webhook, encrypted",
                "  pulumi up                                                                      # deploy (AWS credentials of the account)",
                "  npm start -- --links  (or --resources)                                         # open the samples in Block Kit Builder; every resource",
                "  npm test                                                                       # every test, offline (about 3 minutes)",
            ]);
        });
    });

    it("--stack confirm: the question, each state of the channel's message and the escalations, after the stack's own sign-ins", async function () {
        const { code, out, err } = await start("--stack", "confirm");
        assert.strictEqual(code, 0, err);
        const names = out
            .split("\n")
            .filter((line) => line.startsWith("── Was this you?"))
            .map((line) => line.slice(3));
        assert.deepStrictEqual(names, [
            "Was this you?: the channel, waiting for the answer",
            "Was this you?: the direct message",
            "Was this you?: the channel, confirmed",
            "Was this you?: the channel, denied",
            "Was this you?: the direct message, denied",
            "Was this you?: the escalation of a denial",
            "Was this you?: the channel, unanswered",
            "Was this you?: the escalation of a silence",
            "Was this you?: nobody to ask",
        ]);
        assert.ok(out.includes("┃ [ Yes, it was me ]  [ No — alert security ]\n"), out);
        assert.match(
            out,
            /^Packaged function: 6 fixture sign-ins through its __index\.js, as Lambda runs it, made \d+ Slack messages; the local Slack, which holds them to Slack's limits, accepted all \d+\.$/m,
        );
    });

    it("--links: under each sample, the Block Kit Builder link that opens exactly its blocks", async function () {
        const { code, out, err } = await start("--links");
        assert.strictEqual(code, 0, err);
        const samples = out.split(/^── /m).slice(1);
        assert.strictEqual(samples.length, 4);
        for (const sample of samples) {
            const link = /^ {2}Block Kit Builder: (https:\/\/app\.slack\.com\/block-kit-builder#\S+)$/m.exec(sample);
            assert.ok(link, sample);
            const { blocks } = JSON.parse(decodeURIComponent(link[1]!.split("#")[1]!)) as {
                blocks: Array<{ type: string; text?: { text: string } }>;
            };
            assert.strictEqual(link[1], blockKitBuilderUrl(blocks));
            // The link is of the message above it: its header.
            assert.ok(sample.includes(`┃ ${blocks[0]!.text!.text}\n`), sample);
        }
    });

    it("--resources: every resource under its parent with its key inputs, every output, and __index.js's size in bytes", async function () {
        const { code, out, err } = await start("--resources", "--no-samples");
        assert.strictEqual(code, 0, err);
        const listed = out.split("\n").filter((line) => /^ *\+ /.test(line));
        assert.strictEqual(listed.length, 127);
        assert.strictEqual(listed[0], "+ console-login-alerts:index:LoginAlerts  login-alerts");
        assert.ok(listed.includes("  + console-login-alerts:index:FastPath  login-alerts-fast-path"));
        assert.ok(listed.includes("    + aws:cloudwatch/eventRule:EventRule  login-alerts-fast-path-us-west-2-rule-2"));
        for (const output of ["trailArn", "alarmNames", "fastPathRegions", "fastPathBackstopOnly", "dashboardUrl"]) {
            assert.match(out, new RegExp(`^  ${output} +\\S`, "m"));
        }
        assert.match(out, /code=archive of \d+ entries, __index\.js \d+ bytes$/m);
        assert.doesNotMatch(out, /^Sample messages/m);
    });

    it("--json: what the program prints on the way goes to stderr, so stdout holds the plan alone", async function () {
        const written = { stdout: "", stderr: "" };
        const capture = (stream: "stdout" | "stderr") =>
            ((chunk: string | Uint8Array) => {
                written[stream] += chunk.toString();
                return true;
            }) as typeof process.stdout.write;
        const original = { stdout: process.stdout.write, stderr: process.stderr.write };
        process.stdout.write = capture("stdout");
        process.stderr.write = capture("stderr");
        let code: number;
        try {
            code = await runPlan(["--json"], undefined, {
                root,
                runProgram: (options) => {
                    console.log("the program says something");
                    return runProgram(options);
                },
            });
        } finally {
            process.stdout.write = original.stdout;
            process.stderr.write = original.stderr;
        }
        assert.strictEqual(code, 0, written.stderr);
        assert.deepStrictEqual(Object.keys(JSON.parse(written.stdout) as object), ["resources", "outputs", "notes"]);
        assert.match(written.stderr, /^the program says something$/m);
    });

    it("npm start --silent -- --json: stdout is one JSON document; as a process it exits 2 on an unknown flag and 0 on --help", function () {
        const json = spawnSync("npm", ["start", "--silent", "--", "--json"], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        assert.strictEqual(json.status, 0, json.stderr);
        const plan = JSON.parse(json.stdout) as Record<string, unknown>;
        assert.deepStrictEqual(Object.keys(plan), ["resources", "outputs", "notes"]);
        // npm start has just compiled tools/ into bin/.
        const bin = path.join(ROOT, "bin", "tools", "plan.js");
        const unknown = spawnSync(process.execPath, [bin, "--langauge", "ja"], { cwd: ROOT, encoding: "utf8" });
        assert.deepStrictEqual([unknown.status, unknown.stdout], [2, ""]);
        assert.match(unknown.stderr, /^unknown flag --langauge; did you mean --language\?$/m);
        const help = spawnSync(process.execPath, [bin, "--help"], { cwd: ROOT, encoding: "utf8" });
        assert.deepStrictEqual([help.status, help.stdout], [0, `${usage()}\n`]);
    }).timeout(180000);
});
