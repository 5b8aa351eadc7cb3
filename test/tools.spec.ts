import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { Presentation } from "../handler/decide/messages";
import * as zlib from "zlib";
import { BUILT_IN_RULE_IDS } from "../program/rules";
import { handlerBundle } from "../program/functionPackage";
import { bundleParts } from "../tools/benchArchive";
import { LANGUAGES } from "../shared/contract";
import type { RecordedResource } from "../tools/offlineEngine";
import { closestFlag, describeInput, fastPathLines, parseFlags, planJson, planSummary, runPlan, usage } from "../tools/plan";
import { BACKSTOP_DELAY_MS, FAST_PATH_DELAY_MS, stackSamples } from "../tools/sampleMessages";
import { builtInRunTimeRule } from "./support/fakePorts";

const ROOT = path.resolve(__dirname, "..");
const TOOLS = path.join(ROOT, "tools");
const TESTS = path.join(ROOT, "test");

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? sources(full) : entry.name.endsWith(".ts") ? [full] : [];
    });
}

/** Every module specifier of a file: static imports and re-exports, `import()` and `require()`. */
function specifiers(text: string): string[] {
    const found: string[] = [];
    const patterns = [
        /\b(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g,
        /\bimport\s*["']([^"']+)["']/g,
        /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g,
    ];
    for (const pattern of patterns) {
        for (const match of text.matchAll(pattern)) {
            found.push(match[1]!);
        }
    }
    return found;
}

describe("tools/", function () {
    it("finds the import specifiers of a module", function () {
        const text = [
            'import * as fs from "fs";',
            'import type { A } from "../test/support/a";',
            "import {\n    b,\n    c,\n} from './b';",
            'export { d } from "./d";',
            'import "./side-effect";',
            'const e = require("./e");',
            'const f = await import("./f");',
        ].join("\n");
        assert.deepStrictEqual(specifiers(text).sort(), ["../test/support/a", "./b", "./d", "./e", "./f", "./side-effect", "fs"]);
    });

    it("never imports test code, so npm start and npm run bench run no test doubles", function () {
        const files = sources(TOOLS);
        assert.ok(files.length >= 10, `found only ${files.length} files under tools/`);
        const offending: string[] = [];
        for (const file of files) {
            for (const specifier of specifiers(fs.readFileSync(file, "utf8"))) {
                const target = specifier.startsWith(".") ? path.resolve(path.dirname(file), specifier) : "";
                if (target === TESTS || target.startsWith(`${TESTS}${path.sep}`)) {
                    offending.push(`${path.relative(ROOT, file)} imports ${specifier}`);
                }
            }
        }
        assert.deepStrictEqual(offending, []);
    });
});

describe("npm start's fast-path lines", function () {
    it("name every region the stack will put its rules in, and how to name only those an organization allows", function () {
        assert.deepStrictEqual(
            fastPathLines({ fastPathRegions: ["eu-west-1", "us-east-1", "ap-northeast-1"], fastPathBackstopOnly: {} }, 2),
            [
                "Fast path: 2 rules in each of 3 regions (eu-west-1, us-east-1, ap-northeast-1). In an account where an SCP or Control Tower denies " +
                    `some regions, name the allowed ones, us-east-1 first: pulumi config set --path 'fastPathRegions' '["us-east-1","eu-west-1","ap-northeast-1"]'`,
            ],
        );
        assert.deepStrictEqual(fastPathLines({ fastPathBackstopOnly: {} }, 0), [
            "Fast path: off; every rule arrives by the CloudWatch Logs backstop.",
        ]);
    });

    it("name each rule left to the backstop, and why", function () {
        const reason = "backstop only, because `%…%` regular expressions have no EventBridge equivalent (`$.userAgent = %curl%`)";
        assert.deepStrictEqual(fastPathLines({ fastPathRegions: ["us-east-1"], fastPathBackstopOnly: { "odd-agent": reason } }, 1), [
            "Fast path: a rule in each of 1 regions (us-east-1). In an account where an SCP or Control Tower denies " +
                `some regions, name the allowed ones, us-east-1 first: pulumi config set --path 'fastPathRegions' '["us-east-1"]'`,
            `Rule odd-agent: ${reason}; it arrives by the CloudWatch Logs backstop, in minutes.`,
        ]);
    });
});

describe("npm start's flags", function () {
    /** npm start with these flags, in this process, for what it does before it reads a stack. */
    async function start(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
        const out: string[] = [];
        const err: string[] = [];
        const code = await runPlan(argv, { out: (text) => out.push(text), err: (text) => err.push(text) });
        return { code, out: out.join("\n"), err: err.join("\n") };
    }

    it("--help: every flag, --json's top-level keys and how to keep npm's banner off stdout; exit code 0", async function () {
        const { code, out, err } = await start("--help");
        assert.deepStrictEqual([code, out, err], [0, usage(), ""]);
        for (const flag of [
            "--stack <name>",
            "--resources",
            "--links",
            "--all-samples",
            "--language <code>",
            "--no-samples",
            "--json",
            "--help",
        ]) {
            assert.match(out, new RegExp(`^  ${flag} `, "m"), flag);
        }
        for (const key of Object.keys(planJson([], {}, []) as object)) {
            assert.match(out, new RegExp(`^  ${key} `, "m"), key);
        }
        assert.match(out, /^ {2}npm start --silent -- --json > plan\.json$/m);
        assert.deepStrictEqual(await start("-h"), { code: 0, out: usage(), err: "" });
    });

    it("refuses an unknown flag, or a flag without its value, with exit code 2, naming it and the closest flag", async function () {
        const hint = "npm start -- --help lists every flag.";
        const cases: Array<[string[], string]> = [
            [["--langauge", "ja"], "unknown flag --langauge; did you mean --language?"],
            [["--resource"], "unknown flag --resource; did you mean --resources?"],
            [["--link"], "unknown flag --link; did you mean --links?"],
            [["--no-sample"], "unknown flag --no-sample; did you mean --no-samples?"],
            [["--jsno"], "unknown flag --jsno; did you mean --json?"],
            [["--stack"], "--stack needs a value: --stack <name>, e.g. --stack prod"],
            [["--stack", "--json"], "--stack needs a value: --stack <name>, e.g. --stack prod"],
            [["--language"], "--language needs a value: --language <code>, e.g. --language ja"],
            [["--language", "fr"], `--language needs one of ${LANGUAGES.join(", ")}, not fr; e.g. --language ja`],
            [["--json=yes"], "--json takes no value: write --json alone, not --json=yes"],
            [["prod"], "unexpected argument prod: npm start takes only flags, e.g. --stack prod"],
        ];
        for (const [argv, message] of cases) {
            assert.deepStrictEqual(await start(...argv), { code: 2, out: "", err: `${message}\n${hint}` }, argv.join(" "));
        }
    });

    it("stops with exit code 1, before the program runs, for a stack without a stack file", async function () {
        const stack = `nostack${process.pid}`;
        assert.deepStrictEqual(await start("--stack", stack), {
            code: 1,
            out: "",
            err: `error: No stack file Pulumi.${stack}.yaml (nor examples/Pulumi.${stack}.yaml); create it with: pulumi stack init ${stack}`,
        });
    });

    it("take a value after the flag or after =, and -h for --help", function () {
        assert.deepStrictEqual(
            parseFlags(["--stack=prod", "--language", "ja", "--links", "--resources", "--all-samples", "--no-samples"]),
            {
                flags: {
                    stack: "prod",
                    json: false,
                    resources: true,
                    links: true,
                    allSamples: true,
                    samples: false,
                    help: false,
                    language: "ja",
                },
            },
        );
        assert.deepStrictEqual(parseFlags(["-h"]), {
            flags: { stack: "dev", json: false, resources: false, links: false, allSamples: false, samples: true, help: true },
        });
    });

    it("name the closest known flag to a mistyped one", function () {
        assert.strictEqual(closestFlag("--langauge"), "--language");
        assert.strictEqual(closestFlag("--stak"), "--stack");
        assert.strictEqual(closestFlag("-json"), "--json");
        assert.strictEqual(closestFlag("--no-sampels"), "--no-samples");
        assert.strictEqual(closestFlag("--link"), "--links");
    });
});

describe("npm start --resources", function () {
    it("counts __index.js in bytes, as Lambda does, not in UTF-16 code units", function () {
        const archive = {
            kind: "archive",
            assets: { "__index.js": { kind: "asset", text: "// café ✓\n" }, "package.json": { kind: "asset", text: "{}" } },
        };
        assert.strictEqual(describeInput(archive, false), "archive of 2 entries, __index.js 13 bytes");
    });
});

describe("npm run bench's archive by part", function () {
    it("splits the bundle at esbuild's path comments: its runtime, each package under node_modules, and the project's own code", function () {
        const part = (lines: string[]) => ({
            raw: Buffer.byteLength(lines.join("\n")),
            stored: zlib.deflateRawSync(lines.join("\n")).length,
        });
        const code = [
            "var __require = x;",
            "// node_modules/node-fetch/lib/index.js",
            "fetch;",
            "// handler/lambda.ts",
            "own;",
            "// ../x/node_modules/@scope/pkg/a.js",
            "scoped;",
        ];
        assert.deepStrictEqual(
            [...bundleParts(code.join("\n"))],
            [
                ["esbuild's runtime", part(code.slice(0, 1))],
                ["node-fetch", part(code.slice(1, 3))],
                ["own code", part(code.slice(3, 5))],
                ["@scope/pkg", part(code.slice(5))],
            ],
        );
    });

    it("finds in the real bundle node-fetch, ipaddr.js and the project's code, and nothing else", function () {
        const parts = bundleParts(handlerBundle().code);
        assert.deepStrictEqual([...parts.keys()].sort(), ["esbuild's runtime", "ipaddr.js", "node-fetch", "own code"]);
        const raw = [...parts.values()].reduce((sum, p) => sum + p.raw, 0);
        // Every line in exactly one part: the parts' bytes and the newlines between them make the whole.
        assert.strictEqual(raw + parts.size - 1, Buffer.byteLength(handlerBundle().code));
    });
});

describe("npm start's count by component", function () {
    const resource = (name: string, type: string, parent?: string, region?: string): RecordedResource => ({
        urn: `urn:${name}`,
        type,
        name,
        ...(parent ? { parent: `urn:${parent}` } : {}),
        custom: !type.startsWith("app:"),
        dependencies: [],
        propertyDependencies: {},
        inputs: region ? { region } : {},
        secretPaths: [],
        state: {},
        aliases: [],
    });

    it("sums up regions that differ, nested components, and what sits outside any component", function () {
        const resources = [
            resource("app", "app:index:App"),
            resource("part", "app:index:SomePart", "app"),
            resource("inner", "app:index:Inner", "part"),
            resource("queue", "aws:sqs/queue:Queue", "inner"),
            resource("rule-a", "aws:cloudwatch/eventRule:EventRule", "part", "us-east-1"),
            resource("rule-b", "aws:cloudwatch/eventRule:EventRule", "part", "us-east-1"),
            resource("rule-c", "aws:cloudwatch/eventRule:EventRule", "part", "eu-west-1"),
            resource("key", "aws:kms/key:Key", "app"),
            resource("alias", "aws:kms/alias:Alias", "key"),
            resource("loose", "aws:s3/bucket:Bucket"),
        ];
        assert.deepStrictEqual(planSummary(resources), [
            "10 resources to create: 7 AWS resources and 3 components",
            "  some part: 2 regions (3), queue (1)",
            "  app:       key, alias (2)",
            "  other:     bucket (1)",
        ]);
    });
});

describe("npm start's sample sign-ins", function () {
    const rules = BUILT_IN_RULE_IDS.map((id) => builtInRunTimeRule(id));
    const p: Omit<Presentation, "delivery" | "variant"> = {
        language: "en",
        timeZone: "UTC",
        accountLabels: { "111122223333": "production" },
        mentions: { critical: "<!here>" },
    };
    const texts = (samples: ReturnType<typeof stackSamples>): string[] =>
        samples.map((s) => ("message" in s ? JSON.stringify(s.message) : ""));

    it("take the first fixture each of the stack's rules matches, with the stack's labels and mentions", function () {
        const samples = stackSamples(rules, p, () => "fast");
        assert.deepStrictEqual(
            samples.map((s) => s.name),
            [
                "rule console-signin (info)",
                "rule signin-without-mfa (high)",
                "rule root-activity (critical)",
                "rule signin-failures (high)",
            ],
        );
        const [signIn, , root] = texts(samples);
        assert.match(signIn!, /111122223333 \(production\)/);
        assert.match(root!, /"<!here> \*Root user activity\*: 1 event"/);
        assert.doesNotMatch(signIn!, /<!here>/);
    });

    it("post each at a fixed delay after its sign-in: seconds by the fast path, minutes by the backstop", function () {
        assert.strictEqual(FAST_PATH_DELAY_MS, 9000);
        assert.strictEqual(BACKSTOP_DELAY_MS, 6 * 60_000);
        const samples = texts(stackSamples(rules, p, (id) => (id === "root-activity" ? "backstop" : "fast")));
        assert.deepStrictEqual(
            samples.map((t) => / · (posted [^"]*?)(?:\\n|")/.exec(t)?.[1]),
            [
                "posted 9 s after sign-in",
                "posted 9 s after sign-in",
                "posted 6 min after sign-in (CloudWatch Logs backstop)",
                "posted 9 s after sign-in",
            ],
        );
    });

    it("leave out the rules a stack switched off, and show the next ones", function () {
        const kept = rules.filter((r) => r.id !== "console-signin" && r.id !== "root-activity");
        assert.deepStrictEqual(
            stackSamples(kept, p, () => "fast").map((s) => s.name),
            [
                "rule signin-without-mfa (high)",
                "rule signin-failures (high)",
                "rule sso-signin-without-mfa (high)",
                "rule trail-tampering (critical)",
            ],
        );
    });
});
