/**
 * The offline plan: runs the program against a mock engine with a stack's configuration, checks
 * what it would create with the policy pack, and shows sample Slack messages. No credentials, no
 * network, no Pulumi CLI. `npm start -- --help` lists the flags (USAGE below).
 *
 *   npm start                      # Pulumi.dev.yaml (else examples/Pulumi.dev.yaml), summed up by component
 *   npm start -- --stack prod      # Pulumi.prod.yaml (else examples/Pulumi.prod.yaml)
 *   npm start -- --resources       # every resource as a tree, with its key inputs, and every output
 *   npm start --silent -- --json   # only JSON on stdout, every input resolved
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { runProgramOffline, type OfflineRun, type PlanAsset, type RecordedResource } from "./offlineEngine";
import { checkResources, type CheckResult } from "./policyCheck";
import { stackConfigErrors } from "./projectConfig";
import { REPO_ROOT } from "./repoRoot";
import { messageSamples, questionSamples, renderSample, runPackagedFunction, stackSamples } from "./sampleMessages";
import { functionConfigOf, functionResource } from "./local/deployedFunction";
import type { Presentation } from "../handler/decide/messages";
import { policies as packPolicies } from "../policy/policies";
import { PROJECT } from "../program/configValues";
import { readStackSettings } from "../program/settings";
import { LANGUAGES, type Language, type RunTimeRule } from "../shared/contract";

export const PLACEHOLDER_WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/OFFLINEPLACEHOLDER";
/** The Slack app's secrets ("Was this you?") the plan puts in place of encrypted or missing ones, shaped so the program takes them. */
export const PLACEHOLDER_APP_SECRETS: Readonly<Record<string, string>> = {
    slackBotToken: "xoxb-0000000000-0000000000000-OFFLINEPLACEHOLDER",
    slackSigningSecret: "OFFLINEPLACEHOLDER00000000000000",
};
// Each encrypted key's placeholder, by its short name.
const PLACEHOLDERS: Readonly<Record<string, string>> = { slackWebhookUrl: PLACEHOLDER_WEBHOOK, ...PLACEHOLDER_APP_SECRETS };

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
    /** The stack file read, relative to the project: Pulumi.<stack>.yaml, or the example in examples/. */
    stackFile: string;
    /** The stack file sets the webhook (encrypted); otherwise the plan supplied a placeholder. */
    webhookSet: boolean;
    /** The Slack app's secrets the stack needs (it sets `confirm`) but does not set, for which the plan supplied placeholders. */
    appSecretsSupplied: string[];
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
            config[key] = PLACEHOLDERS[key.slice(key.indexOf(":") + 1)] ?? "offline-placeholder";
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
    const webhookSet = webhookKey in config;
    if (!webhookSet) {
        config[webhookKey] = PLACEHOLDER_WEBHOOK;
        secretKeys.push(webhookKey);
        notes.push(
            `${webhookKey} is not set; the plan uses a placeholder secret. Set it with: pulumi config set --secret slackWebhookUrl <url>`,
        );
    }
    const appSecretsSupplied = supplyAppSecrets(project.name, config, secretKeys, notes);
    return { config, secretKeys, notes, stackFile: path.relative(root, stackFile), webhookSet, appSecretsSupplied };
}

/**
 * A stack whose `confirm` asks about some sign-ins needs the Slack app's two secrets, which an
 * example cannot hold encrypted for whoever copies it: the plan supplies placeholders for those
 * not set, as it does for the webhook, and says so. Returns the keys it supplied.
 */
function supplyAppSecrets(project: string, config: Record<string, string>, secretKeys: string[], notes: string[]): string[] {
    if (!asksAnyone(config[`${project}:confirm`])) {
        return [];
    }
    const missing = Object.keys(PLACEHOLDER_APP_SECRETS).filter((name) => !config[`${project}:${name}`]);
    for (const name of missing) {
        config[`${project}:${name}`] = PLACEHOLDER_APP_SECRETS[name]!;
        secretKeys.push(`${project}:${name}`);
        notes.push(
            `${project}:${name} is not set; the plan uses a placeholder secret. Set it with: pulumi config set --secret ${name} <${APP_SECRET_WHAT[name]!}>`,
        );
    }
    return missing;
}

const APP_SECRET_WHAT: Readonly<Record<string, string>> = { slackBotToken: "xoxb-…", slackSigningSecret: "signing secret" };

/** Whether a `confirm` value names a rule or a severity to ask about; the program judges the rest. */
function asksAnyone(confirm: string | undefined): boolean {
    try {
        const value = JSON.parse(confirm ?? "{}") as Record<string, unknown> | null;
        const some = (list: unknown) => Array.isArray(list) && list.length > 0;
        return typeof value === "object" && value !== null && (some(value["rules"]) || some(value["severities"]));
    } catch {
        return false;
    }
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

/** An input as the tree shows it: an archive by its entries and the size of its __index.js, an expiry by its days. */
export function describeInput(value: unknown, secret: boolean): string {
    if (secret) {
        return "[secret]";
    }
    const asset = value as PlanAsset | undefined;
    if (asset && typeof asset === "object" && "kind" in asset && asset.kind === "archive" && asset.assets) {
        const index = asset.assets["__index.js"];
        // Bytes as Lambda counts them against its package limit: UTF-8, not UTF-16 code units.
        const size = index && index.kind === "asset" && index.text ? `, __index.js ${Buffer.byteLength(index.text, "utf8")} bytes` : "";
        return `archive of ${Object.keys(asset.assets).length} entries${size}`;
    }
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === "object" && value[0] !== null && "expiration" in value[0]) {
        return `expire after ${(value[0] as { expiration: { days: number } }).expiration.days} days`;
    }
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The resources without a parent among them: the program's top-level component, and anything beside it. */
function topLevel(resources: RecordedResource[]): RecordedResource[] {
    return resources.filter((r) => !r.parent || !resources.some((p) => p.urn === r.parent));
}

/** The plan as a tree: each resource under its parent, with its key inputs. */
export function planTree(resources: RecordedResource[]): string {
    const lines: string[] = [];
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
    walk(topLevel(resources), 0);
    return lines.join("\n");
}

// What the summary calls a resource of each type, most telling first: a component's line names its
// first few in this order. Other types go by their own name ("aws:iam/rolePolicy:RolePolicy" is "role policy").
const TYPE_LABELS: ReadonlyArray<[string, string]> = [
    ["aws:cloudtrail/trail:Trail", "trail"],
    ["aws:lambda/function:Function", "function"],
    ["aws:cloudwatch/eventBus:EventBus", "bus"],
    ["aws:s3/bucket:Bucket", "bucket"],
    ["aws:dynamodb/table:Table", "table"],
    ["aws:sqs/queue:Queue", "queue"],
    ["aws:ssm/parameter:Parameter", "parameter"],
    ["aws:sns/topic:Topic", "topic"],
    ["aws:cloudwatch/dashboard:Dashboard", "dashboard"],
    ["aws:cloudwatch/logGroup:LogGroup", "log group"],
    ["aws:kms/key:Key", "key"],
    ["aws:cloudwatch/eventRule:EventRule", "rule"],
    ["aws:cloudwatch/eventTarget:EventTarget", "target"],
    ["aws:cloudwatch/logMetricFilter:LogMetricFilter", "metric filter"],
    ["aws:cloudwatch/metricAlarm:MetricAlarm", "alarm"],
    ["aws:iam/role:Role", "role"],
];

/** "role policy" for aws:iam/rolePolicy:RolePolicy; "fast path" for console-login-alerts:index:FastPath. */
function typeWords(type: string): string {
    return (type.split(":").pop() ?? type).replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

function labelOf(type: string): string {
    return TYPE_LABELS.find(([t]) => t === type)?.[1] ?? typeWords(type);
}

function rankOf(type: string): number {
    const at = TYPE_LABELS.findIndex(([t]) => t === type);
    return at < 0 ? TYPE_LABELS.length : at;
}

function plural(label: string, n: number): string {
    return n === 1 ? label : label.endsWith("y") ? `${label.slice(0, -1)}ies` : `${label}s`;
}

/** Resources counted by type, in the order of their first appearance. */
function countByType(resources: RecordedResource[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of resources) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    return counts;
}

// How many kinds of resource a component's line names before "+ n more".
const NAMED_KINDS = 4;

/**
 * A component's resources in a few words: those in each of several regions as "17 regions × 2
 * rules + 2 targets (68)"; kinds that come equally often as "8 × metric filter + alarm (16)" (one
 * of each per rule); the rest by name, the most telling first, with their count.
 */
function describeComponent(resources: RecordedResource[]): string {
    const parts: string[] = [];
    const regional = resources.filter((r) => typeof r.inputs["region"] === "string");
    const regions = [...new Set(regional.map((r) => r.inputs["region"] as string))];
    if (regions.length > 1) {
        const perRegion = countByType(regional.filter((r) => r.inputs["region"] === regions[0]));
        const same = regions.every(
            (region) => regional.filter((r) => r.inputs["region"] === region).length === regional.length / regions.length,
        );
        const each = [...perRegion].map(([type, n]) => `${n} ${plural(labelOf(type), n)}`).join(" + ");
        parts.push(same ? `${regions.length} regions × ${each} (${regional.length})` : `${regions.length} regions (${regional.length})`);
    }
    const rest = regions.length > 1 ? resources.filter((r) => !regional.includes(r)) : resources;
    const counts = countByType(rest);
    const repeated = [...counts].filter(([, n]) => n > 1 && [...counts.values()].filter((m) => m === n).length > 1);
    for (const n of [...new Set(repeated.map(([, m]) => m))]) {
        const kinds = repeated.filter(([, m]) => m === n).map(([type]) => labelOf(type));
        parts.push(`${n} × ${kinds.join(" + ")} (${n * kinds.length})`);
    }
    const others = [...counts].filter(([type]) => !repeated.some(([t]) => t === type)).sort(([a], [b]) => rankOf(a) - rankOf(b));
    if (others.length > 0) {
        const named = others.slice(0, NAMED_KINDS).map(([type, n]) => (n === 1 ? labelOf(type) : `${n} ${plural(labelOf(type), n)}`));
        const more = others.slice(NAMED_KINDS).reduce((sum, [, n]) => sum + n, 0);
        const total = others.reduce((sum, [, n]) => sum + n, 0);
        parts.push(`${named.join(", ")}${more > 0 ? ` + ${more} more` : ""} (${total})`);
    }
    return parts.join(", ");
}

/**
 * What the plan would create, counted by component: one line for each component the program's
 * top-level component holds, with every resource under it, then one for what sits directly under
 * the top level.
 */
export function planSummary(resources: RecordedResource[]): string[] {
    const custom = resources.filter((r) => r.custom);
    const descendants = (urn: string): RecordedResource[] =>
        resources.filter((r) => r.parent === urn).flatMap((r) => [r, ...descendants(r.urn)]);
    const groups: Array<[string, RecordedResource[]]> = [];
    for (const top of topLevel(resources)) {
        const children = resources.filter((r) => r.parent === top.urn);
        const components = top.custom ? [] : children.filter((r) => !r.custom);
        for (const component of components) {
            groups.push([typeWords(component.type), descendants(component.urn).filter((r) => r.custom)]);
        }
        // What is not in a component: a top-level resource, or one directly under the top-level component.
        const loose = top.custom
            ? [top, ...descendants(top.urn)]
            : children.filter((r) => r.custom).flatMap((r) => [r, ...descendants(r.urn)]);
        if (loose.length > 0) {
            groups.push([top.custom ? "other" : typeWords(top.type), loose.filter((r) => r.custom)]);
        }
    }
    const width = Math.max(0, ...groups.map(([label]) => label.length)) + 1;
    const components = resources.length - custom.length;
    return [
        `${resources.length} resources to create: ${custom.length} AWS resources and ${components} components`,
        ...groups.filter(([, list]) => list.length > 0).map(([label, list]) => `  ${`${label}:`.padEnd(width)} ${describeComponent(list)}`),
    ];
}

/** The stack's configuration, or undefined once the CLI's errors are printed. */
function loadOrReport(stack: string, io: PlanOutput, root: string): StackConfig | undefined {
    try {
        return loadStackConfig(stack, root);
    } catch (err) {
        // As `pulumi preview` stops (preview.go 537-539), before the program runs; or no stack file at all.
        const errors = err instanceof StackConfigError ? err.errors : [(err as Error).message];
        for (const e of errors) {
            io.err(`error: ${e.startsWith("Stack '") ? "validating stack config: " : ""}${e}`);
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

// The outputs a person reaches for after `pulumi up`, in this order; --resources and --json give every one.
// slackInteractivityUrl, when the stack asks people, goes into the Slack app's settings.
const KEY_OUTPUTS = [
    "dashboardUrl",
    "functionName",
    "webhookParameterName",
    "deadLetterQueueUrl",
    "trailLogGroupName",
    "slackInteractivityUrl",
];

/** The outputs, every one or only the key ones, a line each. */
function outputLines(outputs: Record<string, unknown>, every: boolean): string[] {
    const shown = every ? Object.keys(outputs) : KEY_OUTPUTS.filter((k) => outputs[k] !== undefined);
    const width = Math.max(0, ...shown.map((k) => k.length)) + 2;
    const count = Object.keys(outputs).length;
    return [
        every ? "Outputs:" : `Outputs (${shown.length} of ${count}; every one with --resources):`,
        ...shown.map((k) => `  ${k.padEnd(width)}${typeof outputs[k] === "string" ? outputs[k] : JSON.stringify(outputs[k])}`),
    ];
}

/** The policy pack's verdict: how many policies ran and what they found. */
export function policyLines(policy: CheckResult, policies = packPolicies.length): string[] {
    const mandatory = policy.violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const found = policy.violations.length;
    return [
        `Policy pack: ${policies} policies, ${found} ${found === 1 ? "violation" : "violations"}${mandatory > 0 ? ` (${mandatory} mandatory)` : ""}`,
        ...policy.violations.map((v) => `  [${v.enforcementLevel}] ${v.policy}: ${v.message}`),
    ];
}

/** The commands a newcomer runs next: deploy the stack, look closer, run the tests. */
export function nextLines(stack: string, loaded: Pick<StackConfig, "stackFile" | "webhookSet" | "appSecretsSupplied">): string[] {
    const own = `Pulumi.${stack}.yaml`;
    const commands: Array<[string, string]> = [
        loaded.stackFile === own
            ? [`pulumi stack select --create ${stack}`, "the stack Pulumi.yaml's CLI deploys"]
            : [`cp ${loaded.stackFile} ${own} && pulumi stack init ${stack}`, "your stack, from this example"],
        ...(loaded.webhookSet
            ? []
            : [
                  ["pulumi config set --secret slackWebhookUrl https://hooks.slack.com/services/…", "the channel's webhook, encrypted"] as [
                      string,
                      string,
                  ],
              ]),
        ...loaded.appSecretsSupplied.map((name): [string, string] => [
            `pulumi config set --secret ${name} <${APP_SECRET_WHAT[name]!}>`,
            "the Slack app's, from its settings, encrypted",
        ]),
        ["pulumi up", "deploy (AWS credentials of the account)"],
        ["npm start -- --links  (or --resources)", "open the samples in Block Kit Builder; every resource"],
        ["npm test", "every test, offline (about 3 minutes)"],
    ];
    const width = Math.max(...commands.map(([c]) => c.length)) + 2;
    return ["Next:", ...commands.map(([command, why]) => `  ${command.padEnd(width)}# ${why}`)];
}

/** Where the plan's text goes: stdout and stderr, or a test's lists. */
export interface PlanOutput {
    out(text: string): void;
    err(text: string): void;
}

const CONSOLE: PlanOutput = { out: (text) => console.log(text), err: (text) => console.error(text) };

interface Flag {
    name: string;
    /** What the flag takes, as the usage shows it, and an example of it. */
    value?: { shown: string; example: string };
    help: string;
}

const FLAGS: readonly Flag[] = [
    {
        name: "--stack",
        value: { shown: "<name>", example: "prod" },
        help: "plan Pulumi.<name>.yaml, else examples/Pulumi.<name>.yaml (default: dev)",
    },
    { name: "--resources", help: "list every resource under its component, with its key inputs, and every output" },
    { name: "--links", help: "under each sample message, the Block Kit Builder link that opens exactly its payload" },
    { name: "--all-samples", help: "one message of every kind (notes, heartbeat, summary, operators' emails), not four sign-ins" },
    {
        name: "--language",
        value: { shown: "<code>", example: "ja" },
        help: `the sample messages in ${LANGUAGES.join(" or ")}, whatever the stack's language`,
    },
    { name: "--no-samples", help: "skip the sample messages and the packaged function's run" },
    { name: "--json", help: "only the plan, as one JSON object on stdout (see below); messages go to stderr" },
    { name: "--help", help: "print this and exit (also -h)" },
];

/** The top-level keys of `--json`'s object, and what each holds. */
const JSON_KEYS: Record<string, string> = {
    resources: '[{urn, type, name, parent, inputs}], in the order the program registers them; secrets as "[secret]"',
    outputs: "the stack's outputs, resolved",
    notes: "what the plan supplied or assumed (placeholder secrets, an example stack file), as text",
};

/** What `npm start -- --help` prints. */
export function usage(): string {
    const shown = (f: Flag): string => `${f.name}${f.value ? ` ${f.value.shown}` : ""}`;
    const width = Math.max(...FLAGS.map((f) => shown(f).length)) + 2;
    const keyWidth = Math.max(...Object.keys(JSON_KEYS).map((k) => k.length)) + 2;
    return [
        "Usage: npm start -- [flags]",
        "",
        "Runs the Pulumi program offline against a mock engine (no AWS credentials, no Pulumi CLI), sums up",
        "what it would create, checks that with the policy pack in policy/, and shows sample Slack messages.",
        "",
        "Flags:",
        ...FLAGS.map((f) => `  ${shown(f).padEnd(width)}${f.help}`),
        "",
        "--json prints one object with these top-level keys:",
        ...Object.entries(JSON_KEYS).map(([k, what]) => `  ${k.padEnd(keyWidth)}${what}`),
        'npm itself prints a banner ("> console-login-alerts@0.1.0 start") on stdout before the plan: for',
        "stdout that is JSON and nothing else, run npm with --silent:",
        "  npm start --silent -- --json > plan.json",
        "",
        "Exit codes: 0 planned; 1 the stack's configuration, the program or a mandatory policy failed, or the",
        "local Slack refused a message of the packaged function; 2 a flag is unknown or lacks its value.",
    ].join("\n");
}

export interface PlanFlags {
    stack: string;
    json: boolean;
    resources: boolean;
    links: boolean;
    allSamples: boolean;
    samples: boolean;
    help: boolean;
    language?: Language;
}

/** Edit distance with transpositions (optimal string alignment): "--langauge" is 1 from "--language". */
function distance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
            }
        }
    }
    return d[a.length]![b.length]!;
}

/** The known flag nearest to what was typed. */
export function closestFlag(typed: string): string {
    const flag = typed.startsWith("--") ? typed : `--${typed.replace(/^-+/, "")}`;
    return FLAGS.map((f) => f.name).reduce((best, name) => (distance(flag, name) < distance(flag, best) ? name : best));
}

/** The flags of a command line, or the message that refuses it. `--name value` and `--name=value` both work. */
export function parseFlags(argv: readonly string[]): { flags: PlanFlags } | { error: string } {
    const flags: PlanFlags = { stack: "dev", json: false, resources: false, links: false, allSamples: false, samples: true, help: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (!arg.startsWith("-")) {
            return { error: `unexpected argument ${arg}: npm start takes only flags, e.g. --stack ${arg}` };
        }
        const [name, inline] = arg === "-h" ? ["--help", undefined] : (arg.split(/=(.*)/s) as [string, string | undefined]);
        const flag = FLAGS.find((f) => f.name === name);
        if (!flag) {
            return { error: `unknown flag ${name}; did you mean ${closestFlag(name)}?` };
        }
        let value: string | undefined;
        if (flag.value) {
            value = inline ?? (argv[i + 1]?.startsWith("-") ? undefined : argv[++i]);
            if (!value) {
                return { error: `${name} needs a value: ${name} ${flag.value.shown}, e.g. ${name} ${flag.value.example}` };
            }
        } else if (inline !== undefined) {
            return { error: `${name} takes no value: write ${name} alone, not ${arg}` };
        }
        switch (name) {
            case "--stack":
                flags.stack = value!;
                break;
            case "--language":
                if (!(LANGUAGES as readonly string[]).includes(value!)) {
                    return { error: `--language needs one of ${LANGUAGES.join(", ")}, not ${value}; e.g. --language ja` };
                }
                flags.language = value as Language;
                break;
            case "--json":
                flags.json = true;
                break;
            case "--resources":
                flags.resources = true;
                break;
            case "--links":
                flags.links = true;
                break;
            case "--all-samples":
                flags.allSamples = true;
                break;
            case "--no-samples":
                flags.samples = false;
                break;
            default:
                flags.help = true;
        }
    }
    return { flags };
}

/**
 * Runs `work` with whatever writes to stdout sent to stderr instead: with --json, stdout carries
 * the plan and nothing else, whatever the program, the SDKs or the policies print on the way.
 */
async function stdoutToStderr<T>(work: () => Promise<T>): Promise<T> {
    const write = Object.getOwnPropertyDescriptor(process.stdout, "write");
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    try {
        return await work();
    } finally {
        if (write) {
            Object.defineProperty(process.stdout, "write", write);
        } else {
            delete (process.stdout as { write?: unknown }).write;
        }
    }
}

/** The stack's rules as the function knows them, and how it presents its messages, from the stack's configuration. */
function stackPresentation(
    loaded: StackConfig,
    run: OfflineRun,
    language: Language | undefined,
): { rules: RunTimeRule[]; presentation: Omit<Presentation, "delivery" | "variant"> } {
    const settings = readStackSettings({
        get: (name) => loaded.config[`${PROJECT}:${name}`],
        isSecret: (name) => loaded.secretKeys.includes(`${PROJECT}:${name}`),
    });
    const alarmNames = (run.outputs["alarmNames"] ?? {}) as Record<string, string>;
    return {
        rules: settings.rules.map((r) => ({
            id: r.id,
            title: r.title,
            pattern: r.pattern,
            severity: r.severity,
            alarmName: alarmNames[r.id] ?? "",
        })),
        presentation: {
            language: language ?? settings.language,
            timeZone: settings.timeZone,
            accountLabels: settings.accountLabels,
            mentions: settings.mentions,
        },
    };
}

/** The sample messages: the stack's own rules on fixture sign-ins, then the packaged function's run on them. */
async function sampleLines(
    stack: string,
    loaded: StackConfig,
    run: OfflineRun,
    flags: PlanFlags,
): Promise<{ lines: string[]; refused: boolean }> {
    const { rules, presentation: p } = stackPresentation(loaded, run, flags.language);
    const backstopOnly = (run.outputs["fastPathBackstopOnly"] ?? {}) as Record<string, string>;
    const fast = Array.isArray(run.outputs["fastPathRegions"]) && (run.outputs["fastPathRegions"] as unknown[]).length > 0;
    const samples = stackSamples(rules, p, (id) => (fast && !(id in backstopOnly) ? "fast" : "backstop"));
    // A stack that asks "Was this you?" shows the question and each state of its channel message.
    const asks = Boolean(functionConfigOf(functionResource(run)).confirm);
    const others = flags.allSamples ? messageSamples(p.language, p.timeZone, p) : asks ? questionSamples(p) : [];
    const labels = Object.keys(p.accountLabels).length > 0 ? "its account labels" : "no account labels";
    const mentions = Object.keys(p.mentions).length > 0 ? "its mentions" : "no mentions";
    const packaged = await runPackagedFunction(run);
    const verdict =
        packaged.refused.length === 0
            ? `the local Slack, which holds them to Slack's limits, accepted all ${packaged.accepted.length}.`
            : `the local Slack refused ${packaged.refused.length}, as Slack would: ${packaged.refused.join("; ")}`;
    return {
        lines: [
            `Sample messages as stack ${stack} posts them (${p.language}, ${p.timeZone}, ${labels}, ${mentions}; a fixed clock):`,
            "",
            [...samples, ...others].map((s) => renderSample(s, flags.links)).join("\n\n"),
            "",
            `Packaged function: ${packaged.signIns} fixture sign-ins through its __index.js, as Lambda runs it, made ${packaged.accepted.length + packaged.refused.length} Slack messages; ${verdict}`,
        ],
        refused: packaged.refused.length > 0,
    };
}

/** Where a plan reads the stack and how it runs the program; the tests run the program once for several plans. */
export interface PlanSetting {
    /** The folder of Pulumi.yaml and the stack files. */
    root?: string;
    runProgram?: typeof runProgramOffline;
}

type Planned = { loaded: StackConfig; run: OfflineRun; policy: CheckResult };

/** The stack's configuration, the program run on it and the policy pack's verdict; undefined once the reason is written. */
async function planStack(stack: string, io: PlanOutput, root: string, runProgram: typeof runProgramOffline): Promise<Planned | undefined> {
    const loaded = loadOrReport(stack, io, root);
    if (!loaded) {
        return undefined;
    }
    let run: OfflineRun;
    try {
        run = await runProgram({ config: loaded.config, secretKeys: loaded.secretKeys, stack });
    } catch (err) {
        // The same message `pulumi preview` would stop with.
        io.err(`error: ${(err as Error).message}`);
        return undefined;
    }
    return { loaded, run, policy: await checkResources(run.resources) };
}

/** `--json`: only the plan on stdout, anything else the program prints on stderr. */
async function printJson(plan: () => Promise<Planned | undefined>, io: PlanOutput): Promise<number> {
    const planned = await stdoutToStderr(plan);
    if (!planned) {
        return 1;
    }
    io.out(JSON.stringify(planJson(planned.run.resources, planned.run.outputs, planned.loaded.notes), null, 2));
    for (const v of planned.policy.violations) {
        io.err(`policy ${v.enforcementLevel}: ${v.policy}: ${v.message}`);
    }
    return planned.policy.mandatoryFailed ? 1 : 0;
}

/** The plan as people read it: counts, outputs, notes, the fast path, the verdict, samples and what to do next. */
async function printReadable(planned: Planned, flags: PlanFlags, io: PlanOutput): Promise<number> {
    const { loaded, run, policy } = planned;
    const lines = [
        `Plan for stack ${flags.stack} (offline, mock engine; ${loaded.stackFile}):`,
        // With --resources, the count and then every resource in place of the count by component.
        ...(flags.resources ? [planSummary(run.resources)[0]!, planTree(run.resources)] : planSummary(run.resources)),
        "",
        ...outputLines(run.outputs, flags.resources),
        "",
        ...loaded.notes.map((note) => `note: ${note}`),
        ...fastPathLines(run.outputs, rulesPerRegion(run)),
        "",
        ...policyLines(policy),
    ];
    io.out(lines.join("\n"));
    if (policy.mandatoryFailed) {
        io.err("error: a mandatory policy failed; pulumi preview --policy-pack policy would stop here.");
        return 1;
    }
    let refused = false;
    if (flags.samples) {
        const samples = await sampleLines(flags.stack, loaded, run, flags);
        io.out(["", ...samples.lines].join("\n"));
        refused = samples.refused;
    }
    io.out(["", ...nextLines(flags.stack, loaded)].join("\n"));
    return refused ? 1 : 0;
}

/** `npm start`: the exit code, once everything is written to `io`. */
export async function runPlan(argv: readonly string[], io: PlanOutput = CONSOLE, setting: PlanSetting = {}): Promise<number> {
    const { root = REPO_ROOT, runProgram = runProgramOffline } = setting;
    const parsed = parseFlags(argv);
    if ("error" in parsed) {
        io.err(parsed.error);
        io.err("npm start -- --help lists every flag.");
        return 2;
    }
    const { flags } = parsed;
    if (flags.help) {
        io.out(usage());
        return 0;
    }
    const plan = () => planStack(flags.stack, io, root, runProgram);
    if (flags.json) {
        return printJson(plan, io);
    }
    const planned = await plan();
    return planned ? printReadable(planned, flags, io) : 1;
}

/**
 * Exits once stdout has taken everything written to it: a pipe can still hold part of a large
 * `--json` plan when process.exit() runs, and the reader then gets it cut short.
 */
function exitAfterOutput(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

if (require.main === module) {
    runPlan(process.argv.slice(2)).then(exitAfterOutput, (err: Error) => {
        console.error(`error: ${err.message}`);
        exitAfterOutput(1);
    });
}
