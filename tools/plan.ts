/**
 * The offline plan: runs the program against a mock engine with a stack's configuration and
 * prints every resource it would create. No credentials, no network, no Pulumi CLI.
 *
 *   npm start                      # Pulumi.dev.yaml (else examples/Pulumi.dev.yaml), as a tree
 *   npm start -- --stack prod      # Pulumi.prod.yaml (else examples/Pulumi.prod.yaml)
 *   npm start -- --json            # machine-readable, every input resolved
 *   npm start -- --no-samples      # skip the sample Slack messages
 *   npm start -- --language ja     # the sample messages in Japanese, whatever the stack's language
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { runProgramOffline, type OfflineRun, type PlanAsset, type RecordedResource } from "./offlineEngine";
import { checkResources, type CheckResult } from "./policyCheck";
import { stackConfigErrors } from "./projectConfig";
import { REPO_ROOT } from "./repoRoot";
import { sampleMessages } from "./sampleMessages";
import { LANGUAGES, type Language } from "../shared/contract";

export const PLACEHOLDER_WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/OFFLINEPLACEHOLDER";

/** The checks `pulumi preview` makes of Pulumi.yaml and the stack file failed; each message is the CLI's. */
export class StackConfigError extends Error {
    constructor(readonly errors: string[]) {
        super(errors.join("\n"));
    }
}

export interface StackConfig {
    config: Record<string, string>;
    secretKeys: string[];
    notes: string[];
}

/** Where the example stacks live: beside, not in, the project, so `pulumi stack init` never picks one up. */
export const EXAMPLES_DIR = "examples";

/**
 * The stack file a plan reads: the stack's own (`Pulumi.<stack>.yaml`, what `pulumi config set`
 * writes), else the committed example of that name. The examples sit in examples/ because the CLI
 * reads a stack file beside Pulumi.yaml as the configuration of any stack of that name: a
 * committed Pulumi.prod.yaml would give a newcomer's `pulumi stack init prod` its example email
 * subscription, KMS keys and account labels.
 */
export function stackFilePath(stack: string, root = REPO_ROOT): string {
    const own = path.join(root, `Pulumi.${stack}.yaml`);
    const example = path.join(root, EXAMPLES_DIR, `Pulumi.${stack}.yaml`);
    if (fs.existsSync(own) || !fs.existsSync(example)) {
        return own;
    }
    return example;
}

/**
 * Reads Pulumi.yaml defaults and Pulumi.<stack>.yaml the way the CLI would, except that `secure:`
 * values cannot be decrypted here: they become a placeholder secret, and a note says so.
 */
export function loadStackConfig(stack: string, root = REPO_ROOT): StackConfig {
    const project = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config?: Record<string, { default?: unknown }>;
    };
    const stackFile = stackFilePath(stack, root);
    if (!fs.existsSync(stackFile)) {
        throw new Error(
            `No stack file ${path.basename(stackFile)} (nor ${EXAMPLES_DIR}/${path.basename(stackFile)}); create it with: pulumi stack init ${stack}`,
        );
    }
    const stackYaml = (yaml.load(fs.readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    // The CLI's checks, on the stack as `pulumi config set --secret slackWebhookUrl` would leave it:
    // a missing webhook is the one value the plan supplies itself (a placeholder, noted below).
    const webhook = `${project.name}:slackWebhookUrl`;
    const withWebhook = { config: { [webhook]: { secure: "offline-placeholder" }, ...stackYaml.config } };
    const errors = stackConfigErrors(project, withWebhook, stack);
    if (errors.length > 0) {
        throw new StackConfigError(errors);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const notes: string[] = [];
    const encode = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));
    for (const [key, spec] of Object.entries(project.config ?? {})) {
        if (spec && typeof spec === "object" && "default" in spec) {
            config[key.includes(":") ? key : `${project.name}:${key}`] = encode(spec.default);
        }
    }
    for (const [key, value] of Object.entries(stackYaml.config ?? {})) {
        if (value && typeof value === "object" && "secure" in (value as object)) {
            config[key] = key.endsWith(":slackWebhookUrl") ? PLACEHOLDER_WEBHOOK : "offline-placeholder";
            secretKeys.push(key);
            notes.push(`${key} is encrypted in ${path.relative(root, stackFile)}; the plan uses a placeholder secret in its place.`);
        } else {
            config[key] = encode(value);
        }
    }
    if (path.dirname(stackFile) !== root) {
        notes.push(
            `Planned the example ${path.relative(root, stackFile)}: \`pulumi stack init ${stack}\` does not read it. Copy it to Pulumi.${stack}.yaml, or set your own keys with \`pulumi config set\`, to deploy.`,
        );
    }
    const webhookKey = `${project.name}:slackWebhookUrl`;
    if (!(webhookKey in config)) {
        config[webhookKey] = PLACEHOLDER_WEBHOOK;
        secretKeys.push(webhookKey);
        notes.push(
            `${webhookKey} is not set; the plan uses a placeholder secret. Set it with: pulumi config set --secret slackWebhookUrl <url>`,
        );
    }
    return { config, secretKeys, notes };
}

function redact(value: unknown, at: string, secrets: string[]): unknown {
    if (secrets.includes(at)) {
        return "[secret]";
    }
    if (Array.isArray(value)) {
        return value.map((v, i) => redact(v, `${at}[${i}]`, secrets));
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, at ? `${at}.${k}` : k, secrets)]));
    }
    return value;
}

/** The resource list as `--json` prints it: secrets shown as "[secret]". */
export function planJson(resources: RecordedResource[], outputs: Record<string, unknown>, notes: string[]): unknown {
    return {
        resources: resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            inputs: redact(r.inputs, "", r.secretPaths),
        })),
        outputs: redact(outputs, "", []),
        notes,
    };
}

const KEY_INPUTS: Record<string, string[]> = {
    "aws:cloudtrail/trail:Trail": [
        "name",
        "isMultiRegionTrail",
        "includeGlobalServiceEvents",
        "enableLogFileValidation",
        "cloudWatchLogsGroupArn",
    ],
    "aws:cloudwatch/logGroup:LogGroup": ["retentionInDays"],
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": ["pattern"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["threshold", "period", "evaluationPeriods", "treatMissingData"],
    "aws:lambda/function:Function": ["runtime", "memorySize", "timeout", "code"],
    "aws:ssm/parameter:Parameter": ["name", "type", "value"],
    "aws:s3/bucket:Bucket": ["forceDestroy"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["rules"],
    "aws:sqs/queue:Queue": ["messageRetentionSeconds", "sqsManagedSseEnabled"],
    "aws:cloudwatch/eventRule:EventRule": ["scheduleExpression"],
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": ["maximumRetryAttempts", "maximumEventAgeInSeconds"],
    "aws:sns/topicSubscription:TopicSubscription": ["protocol"],
};

function describeInput(value: unknown, secret: boolean): string {
    if (secret) {
        return "[secret]";
    }
    const asset = value as PlanAsset | undefined;
    if (asset && typeof asset === "object" && "kind" in asset && asset.kind === "archive" && asset.assets) {
        const index = asset.assets["__index.js"];
        const size = index && index.kind === "asset" && index.text ? `, __index.js ${index.text.length} bytes` : "";
        return `archive of ${Object.keys(asset.assets).length} entries${size}`;
    }
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === "object" && value[0] !== null && "expiration" in value[0]) {
        return `expire after ${(value[0] as { expiration: { days: number } }).expiration.days} days`;
    }
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The plan as a tree: each resource under its parent, with its key inputs. */
export function planTree(resources: RecordedResource[]): string {
    const lines: string[] = [];
    const children = (parent: string | undefined) =>
        resources.filter((r) => r.parent === parent || (!parent && !resources.some((p) => p.urn === r.parent)));
    const walk = (list: RecordedResource[], depth: number) => {
        for (const r of list) {
            const keys = (KEY_INPUTS[r.type] ?? []).filter((k) => r.inputs[k] !== undefined);
            const details = keys.map((k) => `${k}=${describeInput(r.inputs[k], r.secretPaths.includes(k))}`).join("  ");
            lines.push(`${"  ".repeat(depth)}+ ${r.type}  ${r.name}${details ? `\n${"  ".repeat(depth + 2)}${details}` : ""}`);
            walk(
                resources.filter((c) => c.parent === r.urn),
                depth + 1,
            );
        }
    };
    walk(children(undefined), 0);
    return lines.join("\n");
}

/** The stack's configuration, or undefined once the CLI's errors are printed. */
function loadOrReport(stack: string): StackConfig | undefined {
    try {
        return loadStackConfig(stack);
    } catch (err) {
        if (!(err instanceof StackConfigError)) {
            throw err;
        }
        // As `pulumi preview` stops (preview.go 537-539), before the program runs.
        for (const e of err.errors) {
            console.error(`error: ${e.startsWith("Stack '") ? "validating stack config: " : ""}${e}`);
        }
        return undefined;
    }
}

/**
 * Which regions the fast path will put its rules in, and how to narrow them: an SCP or Control
 * Tower region deny leaves a region listed as enabled, and `pulumi up` then fails creating its
 * rules. Then each rule that cannot take the fast path, and why, so none is left to the backstop silently.
 */
export function fastPathLines(outputs: Record<string, unknown>, rulesPerRegion: number): string[] {
    const regions = outputs["fastPathRegions"];
    const list = Array.isArray(regions) ? regions.map(String) : [];
    const backstopOnly = Object.entries((outputs["fastPathBackstopOnly"] ?? {}) as Record<string, string>).map(
        ([id, reason]) => `Rule ${id}: ${reason}; it arrives by the CloudWatch Logs backstop, in minutes.`,
    );
    if (list.length === 0) {
        return ["Fast path: off; every rule arrives by the CloudWatch Logs backstop.", ...backstopOnly];
    }
    const rules = rulesPerRegion === 1 ? "a rule" : `${rulesPerRegion} rules`;
    const narrow = JSON.stringify(["us-east-1", ...list.filter((r) => r !== "us-east-1").slice(0, 2)]);
    return [
        `Fast path: ${rules} in each of ${list.length} regions (${list.join(", ")}). In an account where an SCP or Control Tower denies ` +
            `some regions, name the allowed ones, us-east-1 first: pulumi config set --path 'fastPathRegions' '${narrow}'`,
        ...backstopOnly,
    ];
}

/** How many EventBridge rules the fast path puts in each region: those of its first region. */
function rulesPerRegion(run: OfflineRun): number {
    const regions = run.outputs["fastPathRegions"];
    const first = Array.isArray(regions) ? String(regions[0]) : undefined;
    return run.resources.filter(
        (r) => r.type === "aws:cloudwatch/eventRule:EventRule" && first !== undefined && r.inputs["region"] === first,
    ).length;
}

/** The plan as people read it: the tree, the outputs, the notes and the policy pack's verdict. */
function printPlan(stack: string, run: OfflineRun, notes: string[], policy: CheckResult): void {
    console.log(`Plan for stack ${stack}: ${run.resources.length} resources (offline, mock engine)\n`);
    console.log(planTree(run.resources));
    console.log("\nOutputs:");
    for (const [k, v] of Object.entries(run.outputs)) {
        console.log(`  ${k}: ${JSON.stringify(v)}`);
    }
    for (const note of notes) {
        console.log(`\nnote: ${note}`);
    }
    console.log(`\n${fastPathLines(run.outputs, rulesPerRegion(run)).join("\n")}`);

    console.log(
        `\nPolicy pack (policy/): ${policy.violations.length === 0 ? "no violations" : `${policy.violations.length} violation(s)`}`,
    );
    for (const v of policy.violations) {
        console.log(`  [${v.enforcementLevel}] ${v.policy}: ${v.message}`);
    }
}

async function main(argv: string[]): Promise<number> {
    const json = argv.includes("--json");
    const stackIndex = argv.indexOf("--stack");
    const stack = stackIndex >= 0 ? argv[stackIndex + 1] : "dev";
    if (!stack) {
        console.error("--stack needs a stack name, e.g. --stack dev");
        return 2;
    }
    const { language: override, error } = languageFlag(argv);
    if (error) {
        console.error(error);
        return 2;
    }
    const loaded = loadOrReport(stack);
    if (!loaded) {
        return 1;
    }
    const { config, secretKeys, notes } = loaded;
    let run;
    try {
        run = await runProgramOffline({ config, secretKeys, stack });
    } catch (err) {
        // The same message `pulumi preview` would stop with.
        console.error(`error: ${(err as Error).message}`);
        return 1;
    }
    const policy = await checkResources(run.resources);
    if (json) {
        console.log(JSON.stringify(planJson(run.resources, run.outputs, notes), null, 2));
        for (const v of policy.violations) {
            console.error(`policy ${v.enforcementLevel}: ${v.policy}: ${v.message}`);
        }
        return policy.mandatoryFailed ? 1 : 0;
    }
    printPlan(stack, run, notes, policy);
    if (policy.mandatoryFailed) {
        console.error("error: a mandatory policy failed; pulumi preview --policy-pack policy would stop here.");
        return 1;
    }

    if (!argv.includes("--no-samples")) {
        const samples = await sampleMessages(run, sampleOptions(config, override));
        console.log(`\nSample sign-ins through the serialized handler (${samples.sent} Slack messages):\n`);
        console.log(samples.rendered);
        console.log("\nOne of every other kind, built from the fixtures:\n");
        console.log(samples.others);
    }
    return 0;
}

/** `--language <code>`: undefined when absent, an error message when the code is not a language. */
function languageFlag(argv: string[]): { language?: Language; error?: string } {
    const at = argv.indexOf("--language");
    if (at < 0) {
        return {};
    }
    const value = argv[at + 1];
    return (LANGUAGES as readonly string[]).includes(value ?? "")
        ? { language: value as Language }
        : { error: `--language needs one of ${LANGUAGES.join(", ")}, e.g. --language ja` };
}

/** The samples' language and zone: the stack's, unless --language overrides the language for a look. */
function sampleOptions(
    config: Record<string, string>,
    override: Language | undefined,
): { language: Language; timeZone: string; override: boolean } {
    const configured = config["console-login-alerts:language"];
    const stackLanguage: Language = (LANGUAGES as readonly string[]).includes(configured ?? "") ? (configured as Language) : "en";
    const timeZone = config["console-login-alerts:timeZone"] ?? "UTC";
    return { language: override ?? stackLanguage, timeZone, override: override !== undefined && override !== stackLanguage };
}

/**
 * Exits once stdout has taken everything written to it: a pipe can still hold part of a large
 * `--json` plan when process.exit() runs, and the reader then gets it cut short.
 */
function exitAfterOutput(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

if (require.main === module) {
    main(process.argv.slice(2)).then(exitAfterOutput, (err: Error) => {
        console.error(`error: ${err.message}`);
        exitAfterOutput(1);
    });
}
