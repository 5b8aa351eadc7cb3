/**
 * The bench's first measurement: the Lambda code archive as the deployment would package it,
 * zipped here with Node (yazl; a fresh machine may have no `zip` binary) and read back through
 * its central directory, with the size of each part of the archive.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as yauzl from "yauzl";
import * as yazl from "yazl";
import { kib, n, pad } from "./benchMeasurements";
import { packageOf } from "../program/functionPackage";
import { archiveEntries, type DeployedFunction } from "./local/deployedFunction";
import type { PlanAsset } from "./offlineEngine";

// Lambda refuses a directly uploaded .zip larger than this.
const LAMBDA_ZIP_LIMIT_BYTES = 50 * 1024 * 1024;

export interface ZipInput {
    name: string;
    data: Buffer;
}

export interface ZipEntryReport {
    name: string;
    rawBytes: number;
    storedBytes: number;
}

// 1980-01-01 00:00 local time, the earliest DOS date: a fixed time keeps the archive byte-for-byte
// repeatable. Only the DOS fields are written (no extended timestamp), as Lambda needs no more.
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);
// Regular file, rw-r--r--, so the runtime can read what it unpacks.
const FILE_MODE = 0o100644;

/** Zips the files in the given order: deflated (default level), or stored when deflate does not help, as zip tools do. */
export function writeZip(inputs: readonly ZipInput[]): Promise<Buffer> {
    const zip = new yazl.ZipFile();
    for (const { name, data } of inputs) {
        const compress = zlib.deflateRawSync(data).length < data.length;
        zip.addBuffer(data, name, { mtime: ZIP_TIME, mode: FILE_MODE, compress, forceDosTimestamp: true });
    }
    zip.end();
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
        zip.outputStream.on("error", reject);
        zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    });
}

/** Reads a zip back through its central directory, inflating every entry and checking its size and CRC-32. */
export async function readZip(zip: Buffer): Promise<Array<ZipInput & ZipEntryReport>> {
    const archive = await yauzl.fromBufferPromise(zip, { lazyEntries: true, validateEntrySizes: true });
    const out: Array<ZipInput & ZipEntryReport> = [];
    for (;;) {
        const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
            archive.once("entry", resolve);
            archive.once("end", () => resolve(undefined));
            archive.once("error", reject);
            archive.readEntry();
        });
        archive.removeAllListeners();
        if (!entry) {
            break;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of await archive.openReadStreamPromise(entry)) {
            chunks.push(chunk as Buffer);
        }
        const data = Buffer.concat(chunks);
        if (zlib.crc32(data) !== entry.crc32) {
            throw new Error(`${entry.fileName}: CRC-32 does not match`);
        }
        out.push({ name: entry.fileName, data, rawBytes: entry.uncompressedSize, storedBytes: entry.compressedSize });
    }
    archive.close();
    return out;
}

/** Every file of the function's code archive, as the deployment would package it, in name order. */
export function archiveFiles(code: PlanAsset): ZipInput[] {
    const files: ZipInput[] = [];
    const walk = (dir: string, prefix: string) => {
        for (const entry of fs.readdirSync(dir).sort()) {
            const full = path.join(dir, entry);
            if (fs.statSync(full).isDirectory()) {
                walk(full, `${prefix}/${entry}`);
            } else {
                files.push({ name: `${prefix}/${entry}`, data: fs.readFileSync(full) });
            }
        }
    };
    for (const entry of archiveEntries(code, "package")) {
        if ("text" in entry) {
            files.push({ name: entry.name, data: Buffer.from(entry.text, "utf8") });
        } else if (fs.statSync(entry.path).isDirectory()) {
            walk(entry.path, entry.name);
        } else {
            files.push({ name: entry.name, data: fs.readFileSync(entry.path) });
        }
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * What each part of the bundled `__index.js` costs: esbuild writes `// <path>` before each module it
 * bundles (not minified), so the text from one such line to the next is that module's. Grouped by
 * package under node_modules, the rest as the project's own code and esbuild's runtime helpers.
 */
export function bundleParts(code: string): Map<string, { raw: number; stored: number }> {
    const texts = new Map<string, string[]>();
    let group = "esbuild's runtime";
    for (const line of code.split("\n")) {
        const source = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(line)?.[1];
        if (source) {
            group = packageOf(source) ?? "own code";
        }
        texts.set(group, [...(texts.get(group) ?? []), line]);
    }
    return new Map(
        [...texts].map(([name, lines]) => {
            const text = Buffer.from(lines.join("\n"), "utf8");
            return [name, { raw: text.length, stored: zlib.deflateRawSync(text).length }];
        }),
    );
}

export async function archive(fn: DeployedFunction, out: string[]): Promise<boolean> {
    const files = archiveFiles(fn.resource.inputs["code"] as PlanAsset);
    const zip = await writeZip(files);
    const back = await readZip(zip);
    const entries: ZipEntryReport[] = back;
    const verified = back.length === files.length && back.every((e, i) => e.name === files[i]!.name && e.data.equals(files[i]!.data));
    const raw = entries.reduce((s, e) => s + e.rawBytes, 0);
    out.push("Lambda code archive (zipped here with yazl: zlib deflate, default level)");
    out.push(
        `  ${pad("zip")}${n(zip.length)} bytes (${kib(zip.length)}), ${entries.length} files; ${n((zip.length / LAMBDA_ZIP_LIMIT_BYTES) * 100, 2)}% of Lambda's 50 MiB upload limit`,
    );
    out.push(`  ${pad("unzipped")}${n(raw)} bytes (${kib(raw)}); zip / unzipped = ${n(zip.length / raw, 2)}`);
    for (const e of entries) {
        out.push(`  ${pad(e.name)}${n(e.rawBytes)} bytes raw, ${n(e.storedBytes)} compressed`);
    }
    const index = files.find((f) => f.name === "__index.js");
    const parts = index ? bundleParts(index.data.toString("utf8")) : new Map<string, { raw: number; stored: number }>();
    out.push("  __index.js by part (each deflated alone)");
    for (const [name, part] of parts) {
        out.push(`    ${pad(name)}${n(part.raw)} bytes raw, ${n(part.stored)} deflated`);
    }
    const packages = [...parts.keys()].filter((k) => k !== "own code" && !k.startsWith("esbuild"));
    out.push(`  ${pad("bundled packages")}${packages.join(", ") || "none"}`);
    out.push(`  ${pad("read back")}${verified ? `${back.length} entries inflated, sizes and CRC-32 match` : "MISMATCH"}`);
    return verified;
}
