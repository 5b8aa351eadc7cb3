/**
 * Reading resource properties.
 *
 * During preview, @pulumi/policy hands policies a proxy that throws UnknownValueError on any
 * property whose value is not known yet (an ARN of a resource still to be created). Letting it
 * escape turns the whole policy into a "can't run during preview" note, so every read goes
 * through `read`, and each check decides what an unknown means (usually: not a violation).
 */
import { UnknownValueError } from "@pulumi/policy";

/**
 * What a read returns for a value the engine will know only after the update. This is a marker
 * inside the pack, not the engine's wire sentinel (a UUID string that @pulumi/policy's proxy turns
 * into UnknownValueError before any policy sees it): a symbol cannot be mistaken for a real string.
 */
export const NOT_YET_KNOWN: unique symbol = Symbol("known only after the update");
export type NotYetKnown = typeof NOT_YET_KNOWN;

export function read(obj: unknown, key: string | number): unknown {
    if (obj === NOT_YET_KNOWN) {
        return NOT_YET_KNOWN;
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
            return NOT_YET_KNOWN;
        }
        throw err;
    }
}

export function readString(obj: unknown, key: string | number): string | undefined | NotYetKnown {
    const value = read(obj, key);
    return value === NOT_YET_KNOWN || typeof value === "string" ? value : undefined;
}

/** A list property: its elements (each possibly unknown), or NOT_YET_KNOWN when the list itself is. */
export function readList(obj: unknown, key: string | number): unknown[] | NotYetKnown {
    const value = read(obj, key);
    if (value === NOT_YET_KNOWN) {
        return NOT_YET_KNOWN;
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

/** A deep plain copy of a proxied value, or NOT_YET_KNOWN if anything inside is unknown. */
export function plain(value: unknown): unknown {
    if (value === NOT_YET_KNOWN) {
        return NOT_YET_KNOWN;
    }
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
            const item = plain(read(value, i));
            if (item === NOT_YET_KNOWN) {
                return NOT_YET_KNOWN;
            }
            out.push(item);
        }
        return out;
    }
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
            const item = plain(read(value, key));
            if (item === NOT_YET_KNOWN) {
                return NOT_YET_KNOWN;
            }
            out[key] = item;
        }
        return out;
    }
    return value;
}

export function isSet(value: unknown): boolean {
    return value !== undefined && value !== "";
}

/** How a message names a property: `environment.variables.URL`, `tags["a-b"]`, `list[0]`. */
export function propertyPath(parent: string, key: string | number): string {
    if (typeof key === "number") {
        return `${parent}[${key}]`;
    }
    if (/^[A-Za-z_$][\w$]*$/.test(key)) {
        return parent ? `${parent}.${key}` : key;
    }
    return `${parent}[${JSON.stringify(key)}]`;
}
