/**
 * The Pulumi CLI's checks of a stack's Pulumi.<stack>.yaml against the `config` block of
 * Pulumi.yaml, so the offline plan and the tests refuse a stack where `pulumi preview` would, in the
 * CLI's words. The project's own checks are in tools/projectDeclarations.ts.
 *
 * Ported from pulumi/pulumi at commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (the CLI behind
 * v3.259.0). Line numbers below are of that commit:
 *   pkg/workspace/config.go                 mergeConfig, validateStackConfigValues, validateStackConfigValue
 *   sdk/go/common/resource/config/key.go    ParseKey
 *   sdk/go/common/resource/config/object.go how stack values are read (MarshalString, unmarshalObject)
 *
 * Differences, all because nothing is decrypted here: a `secure:` value is taken to have the right
 * type (the CLI type-checks the decrypted text), and every problem is listed where the CLI stops at
 * the first one.
 */

/** The Pulumi CLI these rules were ported from; the workflows pin the same version (test/workflows.spec.ts). */
export const PULUMI_CLI_VERSION = "3.259.0";

import {
    inferFullTypeName,
    isRecord,
    projectErrors,
    rewriteShorthand,
    sortedKeys,
    validateConfigValue,
    type ConfigType,
} from "./projectDeclarations";

export { inferFullTypeName, projectErrors, validateConfigValue, type ConfigType, type ItemsType } from "./projectDeclarations";

/** A stack value as the CLI holds it (config.Value): its text, and whether it is secure or an object. */
interface StackValue {
    secure: boolean;
    object: boolean;
    /** The text, or the JSON of an object; undefined for a `secure:` value, which cannot be read here. */
    text?: string;
}

/** key.go 45-70, ParseKey: `<namespace>:<name>`, or the old `<namespace>:config:<name>`. */
function parseKey(key: string): string | undefined {
    const parts = key.split(":");
    if (parts.length === 2) {
        return key;
    }
    return parts.length === 3 && parts[1] === "config" && parts[0] && parts[2] ? `${parts[0]}:${parts[2]}` : undefined;
}

/** A nested `secure:` value, as Value(dec) returns it: decrypted, so a string (object.go 541-550). */
function decryptedShape(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(decryptedShape);
    }
    if (isRecord(v)) {
        const keys = Object.keys(v);
        if (keys.length === 1 && typeof v["secure"] === "string") {
            return "[secret]";
        }
        return Object.fromEntries(keys.map((k) => [k, decryptedShape(v[k])]));
    }
    return v;
}

/**
 * object.go 403-419 (MarshalString) and 467-527 (unmarshalObject): a scalar is held as its text
 * (numbers and booleans as JSON), a top-level `secure:` map as a secure value, anything else (lists,
 * maps, null) as an object whose text is JSON.
 */
function readStackValue(v: unknown): StackValue {
    if (isRecord(v) && Object.keys(v).length === 1 && typeof v["secure"] === "string") {
        return { secure: true, object: false };
    }
    if (typeof v === "string") {
        return { secure: false, object: false, text: v };
    }
    if (typeof v === "number" || typeof v === "boolean") {
        return { secure: false, object: false, text: JSON.stringify(v) };
    }
    return { secure: false, object: true, text: JSON.stringify(decryptedShape(v ?? null)) };
}

/** config.go 179-193, createConfigValue: how a project default lands in the stack's config. */
function createConfigValue(v: unknown): StackValue {
    const primitive = typeof v === "string" || typeof v === "boolean" || Number.isInteger(v);
    return primitive ? { secure: false, object: false, text: String(v) } : { secure: false, object: true, text: JSON.stringify(v) };
}

/** config.go 52-64 and 30-50, missingStackConfigurationKeysError and formatMissingKeys. */
export function missingKeysError(keys: string[], stackName: string): string {
    const sorted = keys.length === 1 ? keys : [...keys].sort();
    const quoted = sorted.map((k) => `'${k}'`);
    const list =
        quoted.length === 1
            ? (quoted[0] ?? "")
            : `${quoted
                  .slice(0, -2)
                  .map((q) => `${q}, `)
                  .join("")}${quoted.at(-2)} and ${quoted.at(-1)}`;
    return `Stack '${stackName}' is missing configuration ${keys.length > 1 ? "values" : "value"} ${list}`;
}

/** config.go 119-157, validateStackConfigValue. */
function valueError(stackName: string, key: string, t: ConfigType, v: StackValue): string | undefined {
    if (t.secret && !v.secure) {
        return `Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`; // 128-134
    }
    if (v.text === undefined) {
        return undefined; // encrypted: the CLI decrypts it first (105); here its type is taken on trust
    }
    const content: unknown = v.object ? JSON.parse(v.text) : v.text; // 136-143
    if (!validateConfigValue(t.type ?? "", t.items, content)) {
        const name = inferFullTypeName(t.type ?? "", t.items); // 145-154
        return `Stack '${stackName}' with configuration key '${key}' must be of type '${name}'`;
    }
    return undefined;
}

/** The stack file's keys (key.go 45-70), each as `<namespace>:<name>`. */
function readStackConfig(stack: unknown): { values: Map<string, StackValue>; errors: string[] } {
    const config = isRecord(stack) && isRecord(stack["config"]) ? stack["config"] : {};
    const values = new Map<string, StackValue>();
    const errors: string[] = [];
    for (const [raw, v] of Object.entries(config)) {
        const key = parseKey(raw);
        if (key === undefined) {
            errors.push(`could not parse ${raw} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
        } else {
            values.set(key, readStackValue(v));
        }
    }
    return { values, errors };
}

/**
 * What `pulumi preview` says of this project and stack, before the program runs: [] when it would go
 * ahead. The CLI prints the stack errors as "validating stack config: <error>" (preview.go 537-539).
 */
export function stackConfigErrors(project: unknown, stack: unknown, stackName: string): string[] {
    const problems = projectErrors(project);
    const read = readStackConfig(stack);
    if (problems.length > 0 || read.errors.length > 0) {
        return [...problems, ...read.errors];
    }
    const projectName = (project as { name: string }).name;
    const declared = (project as { config?: Record<string, unknown> }).config ?? {};
    const types = new Map(sortedKeys(declared).map((k) => [k, rewriteShorthand(projectName, k, declared[k])]));
    const missing: string[] = [];
    // config.go 303-349: required keys the stack lacks, and the defaults and values it takes on.
    for (const [k, t] of types) {
        const key = k.includes(":") ? k : `${projectName}:${k}`; // parseConfigKey, 159-168
        const fallback = t.value ?? t.default;
        if (!read.values.has(key) && (fallback === undefined || fallback === null)) {
            if (key.split(":")[0] === projectName) {
                missing.push(k); // 319-325
            }
        } else if (!read.values.has(key)) {
            read.values.set(key, createConfigValue(t.default ?? t.value)); // 327-348: default wins over value
        }
    }
    if (missing.length > 0) {
        return [missingKeysError(missing, stackName)]; // 351-355, before any type is checked
    }
    // config.go 357-363 and 66-117: every explicitly typed key, defaults included, in key order.
    return [...types].flatMap(([k, t]) => {
        const v = read.values.get(k.includes(":") ? k : `${projectName}:${k}`);
        const error = t.type !== undefined && v ? valueError(stackName, k, t, v) : undefined;
        return error ? [error] : [];
    });
}
