/**
 * Pulumi.yaml and every committed Pulumi.<stack>.yaml against the checks the Pulumi CLI makes before
 * `pulumi preview` runs the program (tools/projectConfig.ts). Line numbers are of pulumi/pulumi at
 * commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { stackConfigErrors, type ConfigType } from "../tools/projectConfig";
import { EXAMPLES_DIR } from "../tools/plan";
import { planStackFile } from "./support/planInProcess";

const ROOT = path.resolve(__dirname, "..");
const P = "console-login-alerts";
// What `pulumi config set --secret slackWebhookUrl ...` writes: an encrypted value.
const SECURE_WEBHOOK = { [`${P}:slackWebhookUrl`]: { secure: "v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB" } };

function load(file: string): unknown {
    return yaml.load(fs.readFileSync(path.join(ROOT, file), "utf8"));
}

const project = load("Pulumi.yaml") as { name: string; config: Record<string, ConfigType> };
// The example stacks, in examples/ so that `pulumi stack init` never reads one (tools/plan.ts stackFilePath).
const committedStacks = fs
    .readdirSync(path.join(ROOT, EXAMPLES_DIR))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined);

function withConfig(config: Record<string, unknown>): { config: Record<string, unknown> } {
    return { config };
}

function projectWith(key: string, spec: unknown): unknown {
    return { ...project, config: { ...project.config, [key]: spec } };
}

describe("Pulumi.yaml and the stack files, as the Pulumi CLI checks them", function () {
    it("finds the example stacks", function () {
        assert.deepStrictEqual([...committedStacks].sort(), ["confirm", "dev", "org", "prod"]);
    });

    for (const stack of committedStacks) {
        it(`accepts Pulumi.${stack}.yaml once the README's \`pulumi config set --secret slackWebhookUrl\` has added the webhook`, function () {
            const file = load(`${EXAMPLES_DIR}/Pulumi.${stack}.yaml`) as { config: Record<string, unknown> };
            assert.deepStrictEqual(stackConfigErrors(project, withConfig({ ...file.config, ...SECURE_WEBHOOK }), stack), []);
        });

        it(`refuses Pulumi.${stack}.yaml as committed, without the webhook (config.go 319-325, 351-355, 52-64)`, function () {
            assert.deepStrictEqual(stackConfigErrors(project, load(`${EXAMPLES_DIR}/Pulumi.${stack}.yaml`), stack), [
                `Stack '${stack}' is missing configuration value 'slackWebhookUrl'`,
            ]);
        });
    }

    it("accepts a stack made only by the README's commands: aws:region and the encrypted webhook", function () {
        assert.deepStrictEqual(stackConfigErrors(project, withConfig({ "aws:region": "us-east-1", ...SECURE_WEBHOOK }), "dev"), []);
    });

    it("declares a type on every key, items on every array, and a default on every key but the webhook", function () {
        for (const [key, spec] of Object.entries(project.config)) {
            assert.ok(spec.type, `${key} has no type`);
            assert.ok(spec.type !== "array" || spec.items, `${key} has no items`);
            assert.strictEqual(spec.default === undefined, key === "slackWebhookUrl", key);
        }
        assert.deepStrictEqual(project.config["slackWebhookUrl"], { ...project.config["slackWebhookUrl"], type: "string", secret: true });
    });

    describe("each rule, with the CLI's message", function () {
        const ok = { ...SECURE_WEBHOOK };
        const errorsOf = (config: Record<string, unknown>, proj: unknown = project) =>
            stackConfigErrors(proj, withConfig({ ...ok, ...config }), "dev");

        it("lists every missing key, sorted, as one error (config.go 30-64, 319-325)", function () {
            const proj = { ...project, config: { ...project.config, zeta: { type: "string" }, [`${P}:alpha`]: { type: "string" } } };
            assert.deepStrictEqual(stackConfigErrors(proj, withConfig({}), "dev"), [
                `Stack 'dev' is missing configuration values '${P}:alpha', 'slackWebhookUrl' and 'zeta'`,
            ]);
        });

        it("requires only keys in the project's namespace (config.go 319: key.Namespace() == projectName)", function () {
            assert.deepStrictEqual(errorsOf({}, projectWith("aws:region", { value: "us-east-1" })), []);
            assert.deepStrictEqual(errorsOf({ [`${P}:extra`]: "x" }, projectWith(`${P}:extra`, { type: "string" })), []);
        });

        it("wants a secret key encrypted (config.go 128-134)", function () {
            assert.deepStrictEqual(errorsOf({ [`${P}:slackWebhookUrl`]: "https://hooks.slack.com/services/T1/B1/plain" }), [
                "Stack 'dev' with configuration key 'slackWebhookUrl' must be encrypted as it's secret",
            ]);
        });

        it("refuses a default on a secret key the stack does not set, because the default is not encrypted (config.go 327-348, 128-134)", function () {
            const proj = projectWith("slackWebhookUrl", { type: "string", secret: true, default: "https://example.com" });
            assert.deepStrictEqual(stackConfigErrors(proj, withConfig({}), "dev"), [
                "Stack 'dev' with configuration key 'slackWebhookUrl' must be encrypted as it's secret",
            ]);
        });

        it("type-checks stack values: integer, boolean, string, object, array items (config.go 136-154; project.go 771-831)", function () {
            const cases: Array<[string, unknown, string]> = [
                ["trailLogRetentionDays", "a year", "integer"],
                ["trailLogRetentionDays", 365.5, "integer"],
                ["forceDestroyTrailBucket", "yes", "boolean"],
                ["timeZone", ["UTC"], "string"],
                ["mentions", "<!here>", "object"],
                ["accountLabels", ["111122223333"], "object"],
                ["disabledRules", "root-activity", "array<string>"],
                ["disabledRules", [1], "array<string>"],
                ["customRules", ["break-glass"], "array<object>"],
                ["allowList", { action: "suppress" }, "array<object>"],
            ];
            for (const [key, value, type] of cases) {
                assert.deepStrictEqual(errorsOf({ [`${P}:${key}`]: value }), [
                    `Stack 'dev' with configuration key '${key}' must be of type '${type}'`,
                ]);
            }
        });

        it("takes what the CLI takes: scalars as text, integers and booleans written as strings (object.go 403-419)", function () {
            const values = {
                trailLogRetentionDays: "731",
                forceDestroyTrailBucket: "true",
                timeZone: 9,
                failureThreshold: 3.0,
                mentions: {},
            };
            assert.deepStrictEqual(errorsOf(Object.fromEntries(Object.entries(values).map(([k, v]) => [`${P}:${k}`, v]))), []);
        });

        it("refuses a default of the wrong type (project.go 858-864)", function () {
            assert.deepStrictEqual(errorsOf({}, projectWith("failureThreshold", { type: "integer", default: "one" })), [
                "The default value specified for configuration key 'failureThreshold' is not of the expected type 'integer'",
            ]);
            assert.deepStrictEqual(errorsOf({}, projectWith("customRules", { type: "array", items: { type: "object" }, default: ["x"] })), [
                "The default value specified for configuration key 'customRules' is not of the expected type 'array<object>'",
            ]);
        });

        it("refuses an array without items (project.go 852-855)", function () {
            assert.deepStrictEqual(errorsOf({}, projectWith("disabledRules", { type: "array", default: [] })), [
                "The configuration key 'disabledRules' declares an array but does not specify the underlying type via the 'items' attribute",
            ]);
        });

        it("refuses both a default and a value (project.go 844-846)", function () {
            assert.deepStrictEqual(errorsOf({}, projectWith("timeZone", { type: "string", default: "UTC", value: "UTC" })), [
                "project config 'timeZone' cannot have both a 'default' and 'value' attribute",
            ]);
        });

        it("refuses a type, a default or no value on another namespace's key (project.go 866-885)", function () {
            assert.deepStrictEqual(errorsOf({}, projectWith("aws:region", { type: "string", value: "us-east-1" })), [
                "Configuration key 'aws:region' is not namespaced by the project and should not define a type",
            ]);
            assert.deepStrictEqual(errorsOf({}, projectWith("aws:region", { default: "us-east-1" })), [
                "Configuration key 'aws:region' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?",
            ]);
            assert.deepStrictEqual(errorsOf({}, projectWith("aws:region", { description: "region" })), [
                "Configuration key 'aws:region' is namespaced and must provide an attribute 'value'",
            ]);
        });

        it("reads a shorthand `key: value` as a default (project.go 486-517)", function () {
            assert.deepStrictEqual(errorsOf({}, projectWith("timeZone", "UTC")), []);
            assert.deepStrictEqual(errorsOf({}, projectWith("aws:region", "us-east-1")), []);
        });

        it("refuses an unknown type, attribute or items type (project.json 335-398, reported by project.go 596-646)", function () {
            assert.deepStrictEqual(errorsOf({}, projectWith("mentions", { type: "map", default: {} })), [
                '#/config/mentions/type: value must be one of "string", "integer", "boolean", "array", "object"',
            ]);
            assert.deepStrictEqual(errorsOf({}, projectWith("timeZone", { type: "string", defualt: "UTC" })), [
                "#/config/timeZone: additionalProperties 'defualt' not allowed",
            ]);
            assert.deepStrictEqual(errorsOf({}, projectWith("customRules", { type: "array", items: { type: "array" }, default: [] })), [
                "#/config/customRules/items: missing properties: 'items'",
            ]);
        });

        it("refuses a stack key without a namespace (key.go 45-70)", function () {
            assert.deepStrictEqual(errorsOf({ timeZone: "UTC" }), [
                "could not parse timeZone as a configuration key (configuration keys should be of the form `<namespace>:<name>`)",
            ]);
        });
    });

    describe("npm start applies the same checks", function () {
        const stack = "configtestchecks";

        function plan(config: Record<string, unknown>) {
            return planStackFile(stack, yaml.dump({ config }), "--json");
        }

        it("exits non-zero with the CLI's message for a value of the wrong type, before the program runs", async function () {
            const result = await plan({ [`${P}:trailLogRetentionDays`]: "a year" });
            assert.strictEqual(result.status, 1);
            assert.strictEqual(result.stdout, "");
            assert.strictEqual(
                result.stderr.trim(),
                `error: validating stack config: Stack '${stack}' with configuration key 'trailLogRetentionDays' must be of type 'integer'`,
            );
        });

        it("still plans a stack without the webhook, with the placeholder, and says so", async function () {
            const result = await plan({ "aws:region": "us-east-1" });
            assert.strictEqual(result.status, 0, result.stderr);
            const out = JSON.parse(result.stdout) as { notes: string[] };
            assert.match(out.notes.join("\n"), /slackWebhookUrl is not set; the plan uses a placeholder secret/);
        });
    });
});
