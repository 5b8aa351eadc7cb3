/**
 * The Pulumi CLI's checks of the `config` block of Pulumi.yaml (tools/projectConfig.ts checks a
 * stack's values against it): the JSON schema of each declaration, then Project.Validate, and the
 * type rules both share.
 *
 * Ported from pulumi/pulumi at commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (the CLI behind
 * v3.259.0). Line numbers below are of that commit:
 *   sdk/go/common/workspace/project.go      ValidateProject, RewriteShorthandConfigValues, Project.Validate,
 *                                           ValidateConfigValue, InferFullTypeName
 *   sdk/go/common/workspace/project.json    the JSON schema of Pulumi.yaml
 *   sdk/go/common/workspace/loaders.go      LoadProjectBytes (the order of the project checks)
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

const ATTRIBUTES = ["type", "items", "description", "secret", "default", "value"];
// project.json lines 335-344 (simpleConfigType).
const SIMPLE_TYPES = ["string", "integer", "boolean", "array", "object"];
const ENUM_ERROR = `value must be one of ${SIMPLE_TYPES.map((t) => JSON.stringify(t)).join(", ")}`;

export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The JSON type the schema validator names in "expected X, but got Y". */
function jsonType(v: unknown): string {
    return v === null ? "null" : Array.isArray(v) ? "array" : isRecord(v) ? "object" : typeof v;
}

/** Go's sort.Strings order (bytes); the keys here are ASCII, where it equals UTF-16 order. */
export function sortedKeys(o: Record<string, unknown>): string[] {
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
export function rewriteShorthand(projectName: string, key: string, spec: unknown): ConfigType {
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
