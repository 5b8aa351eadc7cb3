/**
 * The Pulumi CLI's checks of the `config` block of Pulumi.yaml and of a stack's Pulumi.<stack>.yaml,
 * so the offline plan and the tests refuse a stack where `pulumi preview` would, in the CLI's words.
 *
 * Ported from pulumi/pulumi at commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (the CLI behind
 * v3.259.0). Line numbers below are of that commit:
 *   pkg/workspace/config.go                 mergeConfig, validateStackConfigValues, validateStackConfigValue
 *   sdk/go/common/workspace/project.go      ValidateProject, RewriteShorthandConfigValues, Project.Validate,
 *                                           ValidateConfigValue, InferFullTypeName
 *   sdk/go/common/workspace/project.json    the JSON schema of Pulumi.yaml
 *   sdk/go/common/workspace/loaders.go      LoadProjectBytes (the order of the project checks)
 *   sdk/go/common/resource/config/key.go    ParseKey
 *   sdk/go/common/resource/config/object.go how stack values are read (MarshalString, unmarshalObject)
 *
 * Differences, all because nothing is decrypted here: a `secure:` value is taken to have the right
 * type (the CLI type-checks the decrypted text), and every problem is listed where the CLI stops at
 * the first one.
 */

export interface ItemsType {
    type?: unknown;
    items?: ItemsType;
}

export interface ConfigType {
    type?: string;
    items?: ItemsType;
    default?: unknown;
    value?: unknown;
    secret?: boolean;
    description?: string;
}

/** A stack value as the CLI holds it (config.Value): its text, and whether it is secure or an object. */
interface StackValue {
    secure: boolean;
    object: boolean;
    /** The text, or the JSON of an object; undefined for a `secure:` value, which cannot be read here. */
    text?: string;
}

const ATTRIBUTES = ["type", "items", "description", "secret", "default", "value"];
// project.json lines 335-344 (simpleConfigType).
const SIMPLE_TYPES = ["string", "integer", "boolean", "array", "object"];
const ENUM_ERROR = `value must be one of ${SIMPLE_TYPES.map((t) => JSON.stringify(t)).join(", ")}`;

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The JSON type the schema validator names in "expected X, but got Y". */
function jsonType(v: unknown): string {
    return v === null ? "null" : Array.isArray(v) ? "array" : isRecord(v) ? "object" : typeof v;
}

/** Go's sort.Strings order (bytes); the keys here are ASCII, where it equals UTF-16 order. */
function sortedKeys(o: Record<string, unknown>): string[] {
    return Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** project.go 833-835, configKeyIsNamespacedByProject. */
function namespacedByProject(projectName: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${projectName}:`);
}

/** strconv.Atoi on a 64-bit platform. */
function atoi(text: string): boolean {
    if (!/^[+-]?\d+$/.test(text)) {
        return false;
    }
    const n = BigInt(text);
    return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** project.go 760-766, InferFullTypeName. */
export function inferFullTypeName(typeName: string, items: ItemsType | undefined): string {
    return items ? `array<${inferFullTypeName(String(items.type ?? ""), items.items)}>` : typeName;
}

/** project.go 771-831, ValidateConfigValue. JS numbers stand for Go's int and float64 alike. */
export function validateConfigValue(typeName: string, items: ItemsType | undefined, value: unknown): boolean {
    switch (typeName) {
        case "string": // 772-775
            return typeof value === "string";
        case "integer": // 777-796: ints, whole floats, and strings strconv.Atoi parses
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && atoi(value));
        case "boolean": // 798-807: booleans and the literal strings "true" and "false"
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object": // 809-813: a map
            return isRecord(value);
    }
    // 815-830: anything else must be an array with items, each item of the items type
    if (!Array.isArray(value) || !items) {
        return false;
    }
    return value.every((item) => validateConfigValue(String(items.type ?? ""), items.items, item));
}

/** project.json lines 345-377 (configItemsType), as ValidateProject (project.go 596-646) reports it. */
function itemsSchemaErrors(at: string, items: unknown): string[] {
    if (!isRecord(items)) {
        return [`${at}: expected object, but got ${jsonType(items)}`];
    }
    if (!("type" in items)) {
        return [`${at}: missing properties: 'type'`];
    }
    const errors: string[] = [];
    if (typeof items["type"] === "string" && !SIMPLE_TYPES.includes(items["type"])) {
        errors.push(`${at}/type: ${ENUM_ERROR}`);
    }
    if (items["type"] === "array" && !("items" in items)) {
        errors.push(`${at}: missing properties: 'items'`); // 365-376: if type is array then items is required
    }
    return "items" in items ? [...errors, ...itemsSchemaErrors(`${at}/items`, items["items"])] : errors;
}

/** project.json lines 74-107 and 378-398 (configTypeDeclaration: additionalProperties false). */
function declarationSchemaErrors(key: string, spec: unknown): string[] {
    const at = `#/config/${key}`;
    if (typeof spec === "string" || typeof spec === "boolean" || Array.isArray(spec) || Number.isInteger(spec)) {
        return []; // 89-101: the shorthand forms
    }
    if (!isRecord(spec)) {
        return [`${at}: oneOf failed`];
    }
    const errors = Object.keys(spec)
        .filter((a) => !ATTRIBUTES.includes(a))
        .map((a) => `${at}: additionalProperties '${a}' not allowed`);
    if ("type" in spec && !SIMPLE_TYPES.includes(spec["type"] as string)) {
        errors.push(`${at}/type: ${ENUM_ERROR}`);
    }
    if ("secret" in spec && typeof spec["secret"] !== "boolean") {
        errors.push(`${at}/secret: expected boolean, but got ${jsonType(spec["secret"])}`);
    }
    return "items" in spec ? [...errors, ...itemsSchemaErrors(`${at}/items`, spec["items"])] : errors;
}

/**
 * project.go 486-517, RewriteShorthandConfigValues: `key: value` becomes a default when the key is
 * the project's, a value otherwise. isPrimitiveValue (430-437) is string, int or bool; isArray (439-442).
 */
function rewriteShorthand(projectName: string, key: string, spec: unknown): ConfigType {
    const primitive = typeof spec === "string" || typeof spec === "boolean" || Number.isInteger(spec);
    if (primitive || Array.isArray(spec)) {
        return namespacedByProject(projectName, key) ? { default: spec } : { value: spec };
    }
    return spec as ConfigType;
}

/** project.go 837-889, Project.Validate, for one key. */
function declarationErrors(projectName: string, key: string, t: ConfigType): string[] {
    const hasDefault = t.default !== undefined && t.default !== null;
    const hasValue = t.value !== undefined && t.value !== null;
    if (hasDefault && hasValue) {
        return [`project config '${key}' cannot have both a 'default' and 'value' attribute`]; // 844-846
    }
    const typed = t.type !== undefined; // IsExplicitlyTyped, 294-296
    if (namespacedByProject(projectName, key)) {
        if (typed && t.type === "array" && !t.items) {
            // 852-855
            return [`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`];
        }
        if (typed && hasDefault && !validateConfigValue(t.type ?? "", t.items, t.default)) {
            // 858-864
            const name = inferFullTypeName(t.type ?? "", t.items);
            return [`The default value specified for configuration key '${key}' is not of the expected type '${name}'`];
        }
        return [];
    }
    if (typed) {
        return [`Configuration key '${key}' is not namespaced by the project and should not define a type`]; // 868-871
    }
    if (hasDefault) {
        // 875-879
        return [
            `Configuration key '${key}' is not namespaced by the project and should not define a default value. ` +
                "Did you mean to use the 'value' attribute instead of 'default'?",
        ];
    }
    return hasValue ? [] : [`Configuration key '${key}' is namespaced and must provide an attribute 'value'`]; // 882-884
}

/**
 * The project checks, in the order LoadProjectBytes (loaders.go 109-148) runs them: the name
 * (project.go 577-592), the JSON schema (596-646; the CLI lists these lines under "could not validate
 * '<path>': N errors occurred", together with the "oneOf failed" line and one line per shorthand form
 * the declaration is not), then Project.Validate (837-889; "could not unmarshal '<path>': <error>").
 */
export function projectErrors(project: unknown): string[] {
    if (!isRecord(project) || !("name" in project)) {
        return ["project is missing a 'name' attribute"];
    }
    const name = project["name"];
    if (typeof name !== "string" || name === "") {
        return ["project is missing a non-empty string 'name' attribute"];
    }
    const config = isRecord(project["config"]) ? project["config"] : {};
    const schema = sortedKeys(config).flatMap((k) => declarationSchemaErrors(k, config[k]));
    if (schema.length > 0) {
        return schema;
    }
    return sortedKeys(config).flatMap((k) => declarationErrors(name, k, rewriteShorthand(name, k, config[k])));
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
