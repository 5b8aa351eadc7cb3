/**
 * The closure serializer's results, kept for the test run: the offline engine serializes the
 * function every time the program runs (seconds each: Pulumi's serializer walks every function the
 * handler reaches through the inspector), and the tests run the program dozens of times, mostly
 * with configurations that give the function the same settings. Off unless OFFLINE_CLOSURE_CACHE
 * names a folder, which the tests' setup (test/support/mochaSetup.ts) creates for each run:
 * `npm start` and the bench serialize every time, as `pulumi preview` does.
 *
 * A serialized function's text is made of the source of every function it reaches and the values
 * they capture. The program's modules compute their module-level values from their own source
 * alone (no configuration, clock or environment is read at load, and the program changes none of
 * them), so what goes in is: the sources of the program's modules, the function's own text, and
 * the values it captures, when those are modules or plain data (the function's settings). When it
 * captures anything else, the configuration the program ran with stands in for them.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { version as pulumiVersion } from "@pulumi/pulumi/version";

export const CLOSURE_CACHE_VARIABLE = "OFFLINE_CLOSURE_CACHE";

type Serialize = typeof pulumi.runtime.serializeFunction;
type SerializedFunction = Awaited<ReturnType<Serialize>>;

// The serializer's own parser and scope lookup (@pulumi/pulumi is pinned: CONTRIBUTING.md).
/* eslint-disable @typescript-eslint/no-require-imports */
const { parseFunction } = require("@pulumi/pulumi/runtime/closure/parseFunction") as {
    parseFunction(text: string): [string, { capturedVariables: { required: Map<string, unknown>; optional: Map<string, unknown> } }];
};
const { lookupCapturedVariableValueAsync } = require("@pulumi/pulumi/runtime/closure/v8") as {
    lookupCapturedVariableValueAsync(func: Parameters<Serialize>[0], name: string, throwOnFailure: boolean): Promise<unknown>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

// Within one process a hit needs no file; across processes (mocha's workers, a spawned `npm start`) the folder serves.
const memory = new Map<string, Promise<SerializedFunction>>();

function sha256(text: string | Buffer): string {
    return crypto.createHash("sha256").update(text).digest("hex");
}

/** The serializer's options as text: its `serialize` callback by its source. */
function argsKey(args: Parameters<Serialize>[1]): string {
    return JSON.stringify(args ?? {}, (_key, value: unknown) => (typeof value === "function" ? `function ${String(value)}` : value));
}

/** Every program module loaded when the function is serialized, by path and content: the handler's code is among them. */
function sourcesKey(programFiles: string[], root: string): string {
    return sha256(programFiles.map((file) => `${path.relative(root, file)} ${sha256(fs.readFileSync(file))}`).join("\n"));
}

/** Plain data (JSON's values, `undefined` in objects) as text; undefined for anything else, such as a function, an Output or a Map. */
function plainData(value: unknown, depth = 0): string | undefined {
    if (value === null || ["string", "number", "boolean", "undefined"].includes(typeof value)) {
        return JSON.stringify(value) ?? "undefined";
    }
    const proto: unknown = typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
    if (depth > 32 || (proto !== Object.prototype && proto !== Array.prototype && proto !== null)) {
        return undefined;
    }
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as object)) {
        const text = plainData(v, depth + 1);
        if (text === undefined) {
            return undefined;
        }
        parts.push(`${JSON.stringify(k)}:${text}`);
    }
    return Array.isArray(value) ? `[${parts.join(",")}]` : `{${parts.join(",")}}`;
}

/**
 * The values the function captures, as text: a program module (or one of its exported functions)
 * by its path, a global by its name, plain data by its content. Undefined when it captures anything
 * else: a function made at run time, say, whose own captures this does not follow.
 */
async function capturedKey(func: Parameters<Serialize>[0], programFiles: string[], root: string): Promise<string | undefined> {
    const [error, parsed] = parseFunction(String(func));
    if (error) {
        return undefined;
    }
    const exportedBy = new Map<unknown, string>();
    for (const file of programFiles) {
        const exports: unknown = require.cache[file]?.exports;
        exportedBy.set(exports, `module ${path.relative(root, file)}`);
        if (exports && typeof exports === "object") {
            for (const [name, value] of Object.entries(exports)) {
                if (typeof value === "function" && !exportedBy.has(value)) {
                    exportedBy.set(value, `export ${name} of ${path.relative(root, file)}`);
                }
            }
        }
    }
    const parts: string[] = [];
    const { required, optional } = parsed.capturedVariables;
    for (const name of [...required.keys(), ...optional.keys()]) {
        const value = await lookupCapturedVariableValueAsync(func, name, required.has(name));
        const text =
            exportedBy.get(value) ??
            (value !== undefined && value === (globalThis as Record<string, unknown>)[name] ? "global" : plainData(value));
        if (text === undefined) {
            return undefined;
        }
        parts.push(`${name}=${text}`);
    }
    return parts.join("\n");
}

function readEntry(file: string): SerializedFunction | undefined {
    try {
        const entry = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<SerializedFunction>;
        if (typeof entry.text === "string" && typeof entry.exportName === "string" && typeof entry.containsSecrets === "boolean") {
            return { text: entry.text, exportName: entry.exportName, containsSecrets: entry.containsSecrets };
        }
    } catch {
        // Absent, or being written by another process (the write renames into place, so rarely).
    }
    return undefined;
}

function writeEntry(file: string, entry: SerializedFunction): void {
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, JSON.stringify(entry));
    fs.renameSync(partial, file);
}

/** The serialized function from the folder, or serialized now and kept there. */
function cached(dir: string, key: string, serialize: () => Promise<SerializedFunction>): Promise<SerializedFunction> {
    let entry = memory.get(key);
    if (!entry) {
        const file = path.join(dir, `${key}.json`);
        const stored = readEntry(file);
        entry = stored
            ? Promise.resolve(stored)
            : serialize().then((serialized) => {
                  writeEntry(file, serialized);
                  return serialized;
              });
        memory.set(key, entry);
        // A failed serialization is the program's error to report, each time it runs.
        entry.catch(() => memory.delete(key));
    }
    return entry;
}

/**
 * While the program runs once (`runKey`: its configuration, stack and program), serializes each
 * function through the cache; returns the function that puts the serializer back. Does nothing
 * unless OFFLINE_CLOSURE_CACHE is set.
 */
export function cacheClosures(runKey: string, root: string, isProgramFile: (file: string) => boolean): () => void {
    const dir = process.env[CLOSURE_CACHE_VARIABLE];
    if (!dir) {
        return () => undefined;
    }
    const runtime = pulumi.runtime as { serializeFunction: Serialize };
    const serialize = runtime.serializeFunction;
    let ordinal = 0;
    runtime.serializeFunction = async (func, args) => {
        // A program may serialize more than one function (two components): each by its place in the run.
        const place = ordinal++;
        const programFiles = Object.keys(require.cache).filter(isProgramFile).sort();
        const captured = await capturedKey(func, programFiles, root);
        const what = captured === undefined ? ["run", runKey, place] : ["captures", captured];
        const key = sha256(
            JSON.stringify([pulumiVersion, process.version, sourcesKey(programFiles, root), String(func), argsKey(args), ...what]),
        );
        return cached(dir, key, () => serialize(func, args));
    };
    return () => {
        runtime.serializeFunction = serialize;
    };
}
