/**
 * The console-login-alerts policies, one exported const each so tests can run them directly.
 * Only ./index.ts builds the PolicyPack: constructing one starts the analyzer's gRPC server.
 */
import {
    UnknownValueError,
    validateResourceOfType,
    type PolicyResource,
    type ReportViolation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
// Resource classes come from their own modules rather than the @pulumi/aws index: the CLI runs
// this pack through ts-node with type checking, and the full index takes seconds longer to check.
import { Trail } from "@pulumi/aws/cloudtrail/trail";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";
import { MetricAlarm } from "@pulumi/aws/cloudwatch/metricAlarm";
import { GroupPolicy } from "@pulumi/aws/iam/groupPolicy";
import { Policy } from "@pulumi/aws/iam/policy";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { RolePolicyAttachment } from "@pulumi/aws/iam/rolePolicyAttachment";
import { UserPolicy } from "@pulumi/aws/iam/userPolicy";
import { Alias } from "@pulumi/aws/kms/alias";
import { Key } from "@pulumi/aws/kms/key";
import { KeyPolicy } from "@pulumi/aws/kms/keyPolicy";
import { Function as LambdaFunction } from "@pulumi/aws/lambda/function";
import { FunctionEventInvokeConfig } from "@pulumi/aws/lambda/functionEventInvokeConfig";
import { SecretVersion } from "@pulumi/aws/secretsmanager/secretVersion";
import { Topic } from "@pulumi/aws/sns/topic";
import { TopicSubscription } from "@pulumi/aws/sns/topicSubscription";
import { Parameter } from "@pulumi/aws/ssm/parameter";

// ---------------------------------------------------------------------------------------------
// Reading resource properties.
//
// During preview, @pulumi/policy hands policies a proxy that throws UnknownValueError on any
// property whose value is not known yet (an ARN of a resource still to be created). Letting it
// escape turns the whole policy into a "can't run during preview" note, so every read goes
// through `read`, and each check decides what an unknown means (usually: not a violation).
// ---------------------------------------------------------------------------------------------

const UNKNOWN: unique symbol = Symbol("known only after the update");
type Unknown = typeof UNKNOWN;

function read(obj: unknown, key: string | number): unknown {
    if (obj === UNKNOWN) {
        return UNKNOWN;
    }
    if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) {
        return undefined;
    }
    try {
        const value = (obj as Record<string | number, unknown>)[key];
        // The engine sends null for properties that are declared but unset.
        return value === null ? undefined : value;
    } catch (err) {
        if (err instanceof UnknownValueError) {
            return UNKNOWN;
        }
        throw err;
    }
}

function readString(obj: unknown, key: string | number): string | undefined | Unknown {
    const value = read(obj, key);
    return value === UNKNOWN || typeof value === "string" ? value : undefined;
}

/** A list property: its elements (each possibly unknown), or UNKNOWN when the list itself is. */
function readList(obj: unknown, key: string | number): unknown[] | Unknown {
    const value = read(obj, key);
    if (value === UNKNOWN) {
        return UNKNOWN;
    }
    if (!Array.isArray(value)) {
        return value === undefined ? [] : [value];
    }
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
        out.push(read(value, i));
    }
    return out;
}

/** A deep plain copy of a proxied value, or UNKNOWN if anything inside is unknown. */
function plain(value: unknown): unknown {
    if (value === UNKNOWN) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
            const item = plain(read(value, i));
            if (item === UNKNOWN) {
                return UNKNOWN;
            }
            out.push(item);
        }
        return out;
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
            const item = plain(read(value, key));
            if (item === UNKNOWN) {
                return UNKNOWN;
            }
            out[key] = item;
        }
        return out;
    }
    return value;
}

function isSet(value: unknown): boolean {
    return value !== undefined && value !== "";
}

// @pulumi/policy wraps every object, promises included, in its preview proxy; a promise behind
// the proxy cannot be awaited, so asset contents are read from the proxy's target.
// (The key is defined in @pulumi/policy's proxy.ts.)
const PROXY_TARGET = "__getSpecialProxyTarget";

function unproxy(value: unknown): unknown {
    if (value !== null && (typeof value === "object" || typeof value === "function")) {
        const target = (value as Record<string, unknown>)[PROXY_TARGET];
        return target === undefined ? value : target;
    }
    return value;
}

// The engine's wire signatures; policies see assets as these plain objects when a caller hands
// them over undeserialized, and as @pulumi/pulumi asset objects when @pulumi/policy decodes them.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";

type AssetLike =
    | { kind: "asset"; text: () => Promise<string | undefined> }
    | { kind: "archive"; assets: () => Promise<Record<string, unknown> | undefined> };

function asAssetLike(value: unknown): AssetLike | undefined {
    const raw = unproxy(value);
    if (raw === null || typeof raw !== "object") {
        return undefined;
    }
    const obj = raw as Record<string, unknown>;
    const settle = async <T>(field: unknown): Promise<T | undefined> => {
        try {
            return (await unproxy(field)) as T | undefined;
        } catch {
            return undefined;
        }
    };
    if (obj["__pulumiAsset"] === true || obj[SIG_KEY] === ASSET_SIG) {
        return { kind: "asset", text: async () => (await settle<unknown>(obj["text"])) as string | undefined };
    }
    if (obj["__pulumiArchive"] === true || obj[SIG_KEY] === ARCHIVE_SIG) {
        return { kind: "archive", assets: async () => settle<Record<string, unknown>>(obj["assets"]) };
    }
    return undefined;
}

/** Every text file inside an asset or archive, with its entry path (`a/b.js`). Files on disk are not read. */
async function assetTexts(value: AssetLike, entry = ""): Promise<Array<{ entry: string; text: string }>> {
    if (value.kind === "asset") {
        const text = await value.text();
        return typeof text === "string" ? [{ entry, text }] : [];
    }
    const out: Array<{ entry: string; text: string }> = [];
    const assets = await value.assets();
    for (const [name, child] of Object.entries(assets ?? {})) {
        const inner = asAssetLike(child);
        if (inner) {
            out.push(...(await assetTexts(inner, entry ? `${entry}/${name}` : name)));
        }
    }
    return out;
}

function propertyPath(parent: string, key: string | number): string {
    if (typeof key === "number") {
        return `${parent}[${key}]`;
    }
    if (/^[A-Za-z_$][\w$]*$/.test(key)) {
        return parent ? `${parent}.${key}` : key;
    }
    return `${parent}[${JSON.stringify(key)}]`;
}

// ---------------------------------------------------------------------------------------------
// IAM documents.
// ---------------------------------------------------------------------------------------------

interface Statement {
    Sid?: unknown;
    Effect?: unknown;
    Action?: unknown;
    NotAction?: unknown;
    Resource?: unknown;
    NotResource?: unknown;
    Principal?: unknown;
}

/** The statements of a policy document given as JSON text or an object; UNKNOWN while computed. */
function statementsOf(document: unknown): Statement[] | Unknown | undefined {
    let doc = plain(document);
    if (doc === UNKNOWN) {
        return UNKNOWN;
    }
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    if (doc === null || typeof doc !== "object") {
        return undefined;
    }
    const statement = (doc as { Statement?: unknown }).Statement;
    const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
    return list.filter((s): s is Statement => s !== null && typeof s === "object");
}

function strings(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** IAM wildcard matching: `*` is any run of characters and `?` any one character. */
function globMatches(pattern: string, text: string, ignoreCase: boolean): boolean {
    const source = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(text);
}

/** Action names are case-insensitive in IAM. */
function actionAllowed(statement: Statement, action: string): boolean {
    return statement.Effect === "Allow" && strings(statement.Action).some((a) => globMatches(a, action, true));
}

function resourceAllowed(statement: Statement, arn: string): boolean {
    return strings(statement.Resource).some((r) => globMatches(r, arn, false));
}

function servicePrincipals(statement: Statement): string[] | "*" {
    const principal = statement.Principal;
    if (principal === "*") {
        return "*";
    }
    if (principal !== null && typeof principal === "object") {
        const p = principal as { Service?: unknown; AWS?: unknown };
        if (strings(p.AWS).includes("*")) {
            return "*";
        }
        return strings(p.Service);
    }
    return [];
}

function statementLabel(statement: Statement, index: number): string {
    return typeof statement.Sid === "string" && statement.Sid ? `statement "${statement.Sid}"` : `statement ${index + 1}`;
}

// ---------------------------------------------------------------------------------------------
// Relationships between resources in a stack.
//
// A reference is followed two ways: by value (the ARN in one resource equals another's output),
// and by the engine's property dependencies, which are known even in preview, when the ARNs of
// resources about to be created are not.
// ---------------------------------------------------------------------------------------------

type ResourceClass = new (...args: never[]) => unknown;

function typeToken(cls: ResourceClass): string {
    // Generated resource classes carry their type token (undeclared in their typings);
    // @pulumi/policy's isType reads it the same way.
    return (cls as unknown as { __pulumiType: string }).__pulumiType;
}

function ofType(resources: PolicyResource[], cls: ResourceClass): PolicyResource[] {
    const token = typeToken(cls);
    return resources.filter((r) => r.type === token);
}

/** The resources of `candidates` that `from.props[prop]` refers to. */
function referenced(
    from: PolicyResource,
    prop: string,
    candidates: PolicyResource[],
    byValue: (candidate: PolicyResource, value: unknown) => boolean,
): PolicyResource[] {
    const deps = new Set((from.propertyDependencies[prop] ?? []).map((d) => d.urn));
    const values = readList(from.props, prop);
    return candidates.filter((c) => deps.has(c.urn) || (values !== UNKNOWN && values.some((v) => v !== UNKNOWN && byValue(c, v))));
}

/** True when `value` equals one of `keys` of the candidate's outputs (ARN, name, id). */
function sameAs(keys: string[]): (candidate: PolicyResource, value: unknown) => boolean {
    return (candidate, value) => typeof value === "string" && keys.some((k) => readString(candidate.props, k) === value);
}

/** Lambda ARNs may carry a version or alias qualifier. */
function functionArnMatches(candidate: PolicyResource, value: unknown): boolean {
    if (typeof value !== "string") {
        return false;
    }
    const arn = readString(candidate.props, "arn");
    const name = readString(candidate.props, "name");
    return (typeof arn === "string" && (value === arn || value.startsWith(`${arn}:`))) || (typeof name === "string" && value === name);
}

const ALARM_ACTION_PROPERTIES = ["alarmActions", "okActions", "insufficientDataActions"];

/** SNS topics that CloudWatch alarms in the stack notify. */
function alarmTopics(resources: PolicyResource[]): PolicyResource[] {
    const alarms = ofType(resources, MetricAlarm);
    return ofType(resources, Topic).filter((topic) =>
        alarms.some((alarm) => ALARM_ACTION_PROPERTIES.some((prop) => referenced(alarm, prop, [topic], sameAs(["arn"])).length > 0)),
    );
}

// ---------------------------------------------------------------------------------------------
// 1. trail-logs-to-cloudwatch
// ---------------------------------------------------------------------------------------------

const LOG_GROUP_ARN_FOR_TRAIL = /^arn:[\w-]+:logs:[\w-]+:\d{12}:log-group:[^:]+:\*$/;

/** Everything that can grant a role permissions, or UNKNOWN if some of it can't be seen from here. */
function rolePolicyStatements(resources: PolicyResource[], role: PolicyResource): Statement[] | Unknown {
    const statements: Statement[] = [];
    const add = (document: unknown): boolean => {
        const s = statementsOf(document);
        if (s === UNKNOWN) {
            return false;
        }
        statements.push(...(s ?? []));
        return true;
    };
    const isThisRole = sameAs(["name", "arn"]);
    for (const rp of ofType(resources, RolePolicy)) {
        if (referenced(rp, "role", [role], isThisRole).length > 0 && !add(read(rp.props, "policy"))) {
            return UNKNOWN;
        }
    }
    const inline = readList(role.props, "inlinePolicies");
    if (inline === UNKNOWN) {
        return UNKNOWN;
    }
    for (const entry of inline) {
        if (!add(read(entry, "policy"))) {
            return UNKNOWN;
        }
    }
    const managed = ofType(resources, Policy);
    for (const attachment of ofType(resources, RolePolicyAttachment)) {
        if (referenced(attachment, "role", [role], isThisRole).length === 0) {
            continue;
        }
        const [policy] = referenced(attachment, "policyArn", managed, sameAs(["arn"]));
        // A policy from outside the stack (an AWS managed one, say) may grant what is missing.
        if (!policy || !add(read(policy.props, "policy"))) {
            return UNKNOWN;
        }
    }
    const managedArns = readList(role.props, "managedPolicyArns");
    if (managedArns === UNKNOWN || managedArns.length > 0) {
        return UNKNOWN;
    }
    return statements;
}

export const trailLogsToCloudWatch: StackValidationPolicy = {
    name: "trail-logs-to-cloudwatch",
    description:
        "Every CloudTrail trail delivers its events to a CloudWatch Logs log group through a role that CloudTrail can assume and that may write to that group.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set the trail's cloudWatchLogsGroupArn to the log group's ARN followed by \":*\" and cloudWatchLogsRoleArn to a role whose trust policy " +
        "allows cloudtrail.amazonaws.com to call sts:AssumeRole and whose policy allows logs:CreateLogStream and logs:PutLogEvents on " +
        'the group\'s ARN followed by ":log-stream:*".',
    validateStack: (args, reportViolation) => {
        const logGroups = ofType(args.resources, LogGroup);
        const roles = ofType(args.resources, Role);
        for (const trail of ofType(args.resources, Trail)) {
            const groupArn = readString(trail.props, "cloudWatchLogsGroupArn");
            const roleArn = readString(trail.props, "cloudWatchLogsRoleArn");
            if (!isSet(groupArn)) {
                reportViolation(
                    `Trail "${trail.name}" does not deliver its events to CloudWatch Logs, so no metric filter or alarm ever sees a console sign-in; ` +
                        `set cloudWatchLogsGroupArn to the log group's ARN followed by ":*".`,
                    trail.urn,
                );
            } else if (typeof groupArn === "string" && !LOG_GROUP_ARN_FOR_TRAIL.test(groupArn)) {
                reportViolation(
                    `Trail "${trail.name}" has cloudWatchLogsGroupArn "${groupArn}", which is not a log group ARN ending in ":*", and CloudTrail rejects it; ` +
                        `set it to the log group's ARN followed by ":*".`,
                    trail.urn,
                );
            }
            if (!isSet(roleArn)) {
                reportViolation(
                    `Trail "${trail.name}" has no cloudWatchLogsRoleArn, so CloudTrail cannot write to a log group; ` +
                        `set it to the ARN of a role that cloudtrail.amazonaws.com can assume and that allows logs:PutLogEvents on the group.`,
                    trail.urn,
                );
            }
            if (!isSet(groupArn) || !isSet(roleArn)) {
                continue;
            }

            const [group] = referenced(trail, "cloudWatchLogsGroupArn", logGroups, (lg, value) => {
                const arn = readString(lg.props, "arn");
                return typeof arn === "string" && typeof value === "string" && value.replace(/:\*$/, "") === arn.replace(/:\*$/, "");
            });
            const [role] = referenced(trail, "cloudWatchLogsRoleArn", roles, sameAs(["arn"]));
            if (!group || !role) {
                continue;
            }

            const trust = statementsOf(read(role.props, "assumeRolePolicy"));
            if (trust !== UNKNOWN) {
                const assumable = (trust ?? []).some((s) => {
                    const principals = servicePrincipals(s);
                    return actionAllowed(s, "sts:AssumeRole") && (principals === "*" || principals.includes("cloudtrail.amazonaws.com"));
                });
                if (!assumable) {
                    reportViolation(
                        `Role "${role.name}" delivers trail "${trail.name}" to CloudWatch Logs, but its assumeRolePolicy does not let cloudtrail.amazonaws.com assume it; ` +
                            `add an Allow statement for sts:AssumeRole with the principal { Service: "cloudtrail.amazonaws.com" }.`,
                        role.urn,
                    );
                }
            }

            const groupBaseArn = readString(group.props, "arn");
            const statements = rolePolicyStatements(args.resources, role);
            if (typeof groupBaseArn !== "string" || statements === UNKNOWN) {
                continue;
            }
            // CloudTrail names its streams <account>_CloudTrail_<region>.
            const [, , , region = "", account = ""] = groupBaseArn.split(":");
            const streamArn = `${groupBaseArn.replace(/:\*$/, "")}:log-stream:${account}_CloudTrail_${region}`;
            const canWrite = statements.some((s) => actionAllowed(s, "logs:PutLogEvents") && resourceAllowed(s, streamArn));
            if (!canWrite) {
                reportViolation(
                    `Role "${role.name}" delivers trail "${trail.name}" to log group "${group.name}", but none of its policies allows logs:PutLogEvents on that group; ` +
                        `add a role policy allowing logs:CreateLogStream and logs:PutLogEvents on the group's ARN followed by ":log-stream:*".`,
                    role.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------
// 2. slack-webhook-in-secret
// ---------------------------------------------------------------------------------------------

// A whole webhook (a prefix alone, as in a validation message, is not a secret).
const SLACK_WEBHOOK = /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]+\/[A-Za-z0-9_-]+/i;

/** Property paths under `value` that hold a Slack webhook URL, including text files inside archives. */
async function webhookPaths(value: unknown, path: string): Promise<string[]> {
    if (value === UNKNOWN || value === undefined) {
        return [];
    }
    if (typeof value === "string") {
        return SLACK_WEBHOOK.test(value) ? [path] : [];
    }
    const asset = asAssetLike(value);
    if (asset) {
        const texts = await assetTexts(asset);
        return texts.filter((t) => SLACK_WEBHOOK.test(t.text)).map((t) => (t.entry ? `${path}[${JSON.stringify(t.entry)}]` : path));
    }
    const found: string[] = [];
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            found.push(...(await webhookPaths(read(value, i), propertyPath(path, i))));
        }
        return found;
    }
    if (value !== null && typeof value === "object") {
        for (const key of Object.keys(value)) {
            found.push(...(await webhookPaths(read(value, key), propertyPath(path, key))));
        }
    }
    return found;
}

function webhookAllowedAt(args: ResourceValidationArgs, path: string): boolean {
    if (args.isType(Parameter) && path === "value") {
        const type = readString(args.props, "type");
        // A type still being computed cannot be judged here; the update's own check will see it.
        return type === "SecureString" || type === UNKNOWN;
    }
    return args.isType(SecretVersion) && path === "secretString";
}

export const slackWebhookInSecret: ResourceValidationPolicy = {
    name: "slack-webhook-in-secret",
    description: "A Slack webhook URL appears only as the value of an SSM SecureString parameter or a Secrets Manager secret version.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Store the webhook URL as the value of an aws.ssm.Parameter of type SecureString (or the secretString of an aws.secretsmanager.SecretVersion), " +
        "pass the function only the parameter's name, and read the URL with ssm:GetParameter (WithDecryption) at run time. " +
        "Never capture the URL, or a configuration object that holds it, in a callback function's closure.",
    validateResource: async (args, reportViolation) => {
        const paths = await webhookPaths(args.props, "");
        for (const path of paths) {
            if (webhookAllowedAt(args, path)) {
                continue;
            }
            if (args.isType(Parameter) && path === "value") {
                reportViolation(
                    `Parameter "${args.name}" stores a Slack webhook URL in value as a plain ${String(readString(args.props, "type") ?? "String")} parameter, ` +
                        `readable by anyone who can read the parameter or the stack; set its type to "SecureString".`,
                );
                continue;
            }
            reportViolation(
                `Resource "${args.name}" (${args.type}) has a Slack webhook URL in ${path}, where it is stored in plain text and shown to anyone who can read ` +
                    `the resource; keep the URL only in an SSM SecureString parameter's value or a Secrets Manager secret version's secretString and read it from there at run time.`,
            );
        }
    },
};

// ---------------------------------------------------------------------------------------------
// 3. trail-covers-all-regions
// ---------------------------------------------------------------------------------------------

export const trailCoversAllRegions: ResourceValidationPolicy = {
    name: "trail-covers-all-regions",
    description: "Every CloudTrail trail records all regions and global service events and validates its log files.",
    enforcementLevel: "advisory",
    remediationSteps: "Set isMultiRegionTrail, includeGlobalServiceEvents and enableLogFileValidation to true on the trail.",
    validateResource: validateResourceOfType(Trail, (trail, args, reportViolation) => {
        const multiRegion = read(trail, "isMultiRegionTrail");
        const validation = read(trail, "enableLogFileValidation");
        // Unset means false for these two; CloudTrail's default for includeGlobalServiceEvents is true.
        if (multiRegion === false || multiRegion === undefined) {
            reportViolation(
                `Trail "${args.name}" records only the region it is created in, so console sign-ins through another region's sign-in endpoint go unseen; ` +
                    `set isMultiRegionTrail to true.`,
            );
        }
        if (read(trail, "includeGlobalServiceEvents") === false) {
            reportViolation(
                `Trail "${args.name}" leaves out global service events such as IAM and STS calls; set includeGlobalServiceEvents to true.`,
            );
        }
        if (validation === false || validation === undefined) {
            reportViolation(
                `Trail "${args.name}" does not validate its log files, so edits to delivered logs cannot be detected; set enableLogFileValidation to true.`,
            );
        }
    }),
};

// ---------------------------------------------------------------------------------------------
// 4. log-retention-set
// ---------------------------------------------------------------------------------------------

export const DEFAULT_MINIMUM_RETENTION_DAYS = 365;

export interface LogRetentionConfig {
    minimumRetentionDays?: number;
}

export const logRetentionSet: ResourceValidationPolicy = {
    name: "log-retention-set",
    description:
        "Every CloudWatch Logs log group keeps events for at least minimumRetentionDays (default 365); an unset or zero retention keeps them forever, which also complies.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Set the log group's retentionInDays to at least the configured minimum (a value CloudWatch Logs accepts, such as 365), or leave it unset.",
    configSchema: {
        properties: {
            minimumRetentionDays: {
                type: "integer",
                minimum: 1,
                default: DEFAULT_MINIMUM_RETENTION_DAYS,
                description: "The fewest days a log group may keep its events.",
            },
        },
    },
    validateResource: validateResourceOfType(LogGroup, (logGroup, args, reportViolation) => {
        const minimum = args.getConfig<LogRetentionConfig>().minimumRetentionDays ?? DEFAULT_MINIMUM_RETENTION_DAYS;
        const days = read(logGroup, "retentionInDays");
        if (typeof days === "number" && days > 0 && days < minimum) {
            reportViolation(
                `Log group "${args.name}" keeps events for ${days} days, fewer than the required ${minimum}; ` +
                    `set retentionInDays to at least ${minimum}, or leave it unset to keep events forever.`,
            );
        }
    }),
};

// ---------------------------------------------------------------------------------------------
// 5. alarms-have-actions
// ---------------------------------------------------------------------------------------------

export const alarmsHaveActions: ResourceValidationPolicy = {
    name: "alarms-have-actions",
    description: "Every CloudWatch metric alarm notifies at least one alarm action.",
    enforcementLevel: "advisory",
    remediationSteps: "Add the alert topic's ARN to the alarm's alarmActions.",
    validateResource: validateResourceOfType(MetricAlarm, (alarm, args, reportViolation) => {
        const actions = readList(alarm, "alarmActions");
        if (actions !== UNKNOWN && actions.length === 0) {
            reportViolation(
                `Alarm "${args.name}" has no alarmActions, so it goes into ALARM without telling anyone; add the alert topic's ARN to alarmActions.`,
            );
        }
    }),
};

// ---------------------------------------------------------------------------------------------
// 6. alarm-topic-usable-by-cloudwatch
// ---------------------------------------------------------------------------------------------

const AWS_MANAGED_SNS_KEY = /^(?:alias\/aws\/sns|arn:[\w-]+:kms:[\w-]*:\d*:alias\/aws\/sns)$/;

/** The key policy in force for a key: a separate KeyPolicy resource replaces the key's own. */
function keyPolicyOf(resources: PolicyResource[], key: PolicyResource): unknown {
    const [separate] = ofType(resources, KeyPolicy).filter((kp) => referenced(kp, "keyId", [key], sameAs(["keyId", "arn"])).length > 0);
    return read((separate ?? key).props, "policy");
}

export const alarmTopicUsableByCloudWatch: StackValidationPolicy = {
    name: "alarm-topic-usable-by-cloudwatch",
    description: "An SNS topic that CloudWatch alarms notify is not encrypted with a KMS key whose key policy CloudWatch cannot use.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Leave the alarm topic unencrypted, or encrypt it with a customer managed aws.kms.Key whose key policy allows the cloudwatch.amazonaws.com " +
        "service principal kms:Decrypt and kms:GenerateDataKey*. The AWS managed key alias/aws/sns cannot be used: its key policy cannot be changed.",
    validateStack: (args, reportViolation) => {
        const keys = ofType(args.resources, Key);
        const aliases = ofType(args.resources, Alias);
        for (const topic of alarmTopics(args.resources)) {
            const keyId = readString(topic.props, "kmsMasterKeyId");
            if (typeof keyId === "string" && AWS_MANAGED_SNS_KEY.test(keyId)) {
                reportViolation(
                    `Topic "${topic.name}" receives CloudWatch alarm notifications but is encrypted with the AWS managed key alias/aws/sns, whose key policy ` +
                        `does not let CloudWatch use it, so every notification is dropped; encrypt the topic with a customer managed KMS key whose key policy ` +
                        `allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or remove kmsMasterKeyId.`,
                    topic.urn,
                );
                continue;
            }
            if (!isSet(keyId)) {
                continue;
            }
            const viaAlias = referenced(topic, "kmsMasterKeyId", aliases, sameAs(["name", "arn"])).flatMap((alias) =>
                referenced(alias, "targetKeyId", keys, sameAs(["keyId", "arn"])),
            );
            const direct = referenced(topic, "kmsMasterKeyId", keys, sameAs(["keyId", "arn"]));
            for (const key of new Set([...direct, ...viaAlias])) {
                const statements = statementsOf(keyPolicyOf(args.resources, key));
                if (statements === UNKNOWN) {
                    continue;
                }
                // Without a key policy of its own, a key gets the default one, which grants only the account.
                const forCloudWatch = (statements ?? []).filter((s) => {
                    const principals = servicePrincipals(s);
                    return principals === "*" || principals.includes("cloudwatch.amazonaws.com");
                });
                const missing = ["kms:Decrypt", "kms:GenerateDataKey"].filter(
                    (action) => !forCloudWatch.some((s) => actionAllowed(s, action)),
                );
                if (missing.length > 0) {
                    reportViolation(
                        `KMS key "${key.name}" encrypts alarm topic "${topic.name}", but its key policy does not allow cloudwatch.amazonaws.com ` +
                            `${missing.map((a) => (a === "kms:GenerateDataKey" ? "kms:GenerateDataKey*" : a)).join(" or ")}, so every alarm notification is dropped; ` +
                            `add a key policy statement allowing the cloudwatch.amazonaws.com service principal kms:Decrypt and kms:GenerateDataKey*.`,
                        key.urn,
                    );
                }
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------
// 7. alert-lambda-has-failure-destination
// ---------------------------------------------------------------------------------------------

export const alertLambdaHasFailureDestination: StackValidationPolicy = {
    name: "alert-lambda-has-failure-destination",
    description: "A Lambda function subscribed to an alarm topic has an on-failure destination or a dead-letter queue.",
    enforcementLevel: "advisory",
    remediationSteps:
        "Add an aws.lambda.FunctionEventInvokeConfig for the function with destinationConfig.onFailure.destination set to an SQS queue or SNS topic, " +
        "or set the function's deadLetterConfig.targetArn.",
    validateStack: (args, reportViolation) => {
        const functions = ofType(args.resources, LambdaFunction);
        const invokeConfigs = ofType(args.resources, FunctionEventInvokeConfig);
        const subscriptions = ofType(args.resources, TopicSubscription);
        for (const topic of alarmTopics(args.resources)) {
            for (const subscription of subscriptions) {
                if (
                    readString(subscription.props, "protocol") !== "lambda" ||
                    referenced(subscription, "topic", [topic], sameAs(["arn"])).length === 0
                ) {
                    continue;
                }
                for (const fn of referenced(subscription, "endpoint", functions, functionArnMatches)) {
                    const deadLetter = read(read(fn.props, "deadLetterConfig"), "targetArn");
                    if (deadLetter === UNKNOWN || isSet(deadLetter)) {
                        continue;
                    }
                    const hasOnFailure = invokeConfigs.some((config) => {
                        if (referenced(config, "functionName", [fn], functionArnMatches).length === 0) {
                            return false;
                        }
                        const destination = read(read(read(config.props, "destinationConfig"), "onFailure"), "destination");
                        return destination === UNKNOWN || isSet(destination);
                    });
                    if (!hasOnFailure) {
                        reportViolation(
                            `Function "${fn.name}" is subscribed to alarm topic "${topic.name}" but has neither an on-failure destination nor a dead-letter queue, ` +
                                `so an alert that still fails after Lambda's retries is lost without a trace; add an aws.lambda.FunctionEventInvokeConfig with ` +
                                `destinationConfig.onFailure.destination, or set deadLetterConfig.targetArn.`,
                            fn.urn,
                        );
                    }
                }
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------
// 8. no-wildcard-iam
// ---------------------------------------------------------------------------------------------

/**
 * Actions that support no resource-level permissions: the AWS Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/) lists no resource type
 * for them, so a policy must grant them on "*". Keep this list to actions documented that way.
 */
export const RESOURCELESS_ACTIONS: readonly string[] = [
    "sts:GetCallerIdentity",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "cloudwatch:PutMetricData",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "s3:ListAllMyBuckets",
    "kms:ListAliases",
    "kms:ListKeys",
    "sns:ListTopics",
    "ssm:DescribeParameters",
    "ec2:DescribeNetworkInterfaces",
];

const RESOURCELESS = new Set(RESOURCELESS_ACTIONS.map((a) => a.toLowerCase()));

interface IdentityPolicyDocument {
    /** How the message names the document, e.g. `IAM role policy "x"`. */
    label: string;
    document: unknown;
}

function identityPolicyDocuments(args: ResourceValidationArgs): IdentityPolicyDocument[] {
    const single: Array<[ResourceClass, string]> = [
        [RolePolicy, "IAM role policy"],
        [Policy, "IAM policy"],
        [UserPolicy, "IAM user policy"],
        [GroupPolicy, "IAM group policy"],
    ];
    for (const [cls, kind] of single) {
        if (args.type === typeToken(cls)) {
            return [{ label: `${kind} "${args.name}"`, document: read(args.props, "policy") }];
        }
    }
    if (args.isType(Role)) {
        const inline = readList(args.props, "inlinePolicies");
        if (inline === UNKNOWN) {
            return [];
        }
        return inline.map((entry, i) => {
            const name = readString(entry, "name");
            return {
                label: `IAM role "${args.name}" inline policy ${typeof name === "string" && name ? `"${name}"` : `inlinePolicies[${i}]`}`,
                document: read(entry, "policy"),
            };
        });
    }
    return [];
}

function describeWildcardAction(action: string): string {
    if (action === "*") {
        return `every action ("*")`;
    }
    const service = action.split(":")[0] ?? action;
    return `every ${service} action ("${action}")`;
}

function checkIdentityStatement(label: string, statement: Statement, index: number, reportViolation: ReportViolation): void {
    if (statement.Effect !== "Allow") {
        return;
    }
    const where = statementLabel(statement, index);
    const actions = strings(statement.Action);
    const wildcards = actions.filter((a) => a === "*" || /^[\w-]+:\*$/.test(a));
    for (const action of wildcards) {
        const service = action === "*" ? "" : `${action.split(":")[0]} `;
        reportViolation(
            `${label} allows ${describeWildcardAction(action)} in ${where}; list only the ${service}actions the principal calls.`,
        );
    }
    if (statement.NotAction !== undefined) {
        reportViolation(
            `${label} allows every action not named in NotAction in ${where}; replace NotAction with an Action list of the actions the principal calls.`,
        );
    }
    const scoped = actions.filter((a) => !wildcards.includes(a) && !RESOURCELESS.has(a.toLowerCase()));
    if (scoped.length === 0) {
        return;
    }
    const named = scoped.join(", ");
    if (strings(statement.Resource).includes("*")) {
        reportViolation(`${label} allows ${named} on every resource ("*") in ${where}; scope Resource to the ARNs those actions need.`);
    } else if (statement.NotResource !== undefined) {
        reportViolation(
            `${label} allows ${named} on every resource not named in NotResource in ${where}; replace NotResource with a Resource list of the ARNs those actions need.`,
        );
    }
}

export const noWildcardIam: ResourceValidationPolicy = {
    name: "no-wildcard-iam",
    description: "No IAM identity policy allows every action of a service or allows actions that take a resource ARN on every resource.",
    enforcementLevel: "advisory",
    remediationSteps:
        'Replace "*" and "service:*" actions with the actions the principal calls, and "*" resources with the ARNs it needs. ' +
        'Only actions that support no resource-level permissions (such as sts:GetCallerIdentity or xray:PutTraceSegments) may use "*".',
    validateResource: (args, reportViolation) => {
        for (const { label, document } of identityPolicyDocuments(args)) {
            const statements = statementsOf(document);
            if (statements === UNKNOWN || statements === undefined) {
                continue;
            }
            statements.forEach((statement, i) => checkIdentityStatement(label, statement, i, reportViolation));
        }
    },
};

/** Every policy of the pack, in the order the pack lists them. */
export const policies: Array<ResourceValidationPolicy | StackValidationPolicy> = [
    trailLogsToCloudWatch,
    slackWebhookInSecret,
    trailCoversAllRegions,
    logRetentionSet,
    alarmsHaveActions,
    alarmTopicUsableByCloudWatch,
    alertLambdaHasFailureDestination,
    noWildcardIam,
];
