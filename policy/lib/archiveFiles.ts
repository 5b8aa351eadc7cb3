/**
 * The files the engine uploads for an asset or archive that points at the disk: a single file, a
 * directory, or a .zip/.jar/.tar/.tgz/.tar.gz file. They are read as the engine reads them
 * (pulumi/pulumi sdk/go/common/resource/archive/archive.go, readPath, lines 476-552: a directory is
 * walked, `.pulumi` directories and symlinks to directories skipped; an archive file's format is
 * chosen by its extension, ArchiveExts, lines 850-857), within limits, so a policy can look inside.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

const MiB = 1024 * 1024;

/**
 * What a policy reads of one property's files. Lambda rejects code over 250 MB unzipped, so a budget
 * of 256 MiB reads any function's code whole; a single file past 64 MiB is not code anyone reviews.
 */
export const LIMITS = { fileBytes: 64 * MiB, totalBytes: 256 * MiB, files: 20_000 };

/** A file read, or the reason it could not be; `entry` is its path inside the asset (`a/b.py`). */
export type FileVisit = { entry: string; text: string } | { entry: string; unread: string };

/** Counts what has been read so far for one property, against LIMITS. */
export class Budget {
    bytes = 0;
    files = 0;
    exhausted?: string;

    /** Whether a file of `size` bytes may still be read; records why not, once, when the budget runs out. */
    take(size: number): boolean {
        if (this.exhausted) {
            return false;
        }
        if (this.files + 1 > LIMITS.files) {
            this.exhausted = `it holds more than ${LIMITS.files} files, the most the policy reads`;
        } else if (this.bytes + size > LIMITS.totalBytes) {
            this.exhausted = `its files come to more than the ${LIMITS.totalBytes / MiB} MiB the policy reads`;
        }
        if (this.exhausted) {
            return false;
        }
        this.files += 1;
        this.bytes += size;
        return true;
    }
}

const TOO_LARGE = `it is larger than the ${LIMITS.fileBytes / MiB} MiB the policy reads of one file`;

/**
 * An asset path as the engine resolves it: absolute as it is, relative against the Pulumi program's
 * directory (asset.go readPath, lines 274-280). The engine does not tell a policy pack that directory,
 * and runs a Node.js pack in the pack's own directory (pulumi-language-nodejs main.go, lines 1744-1749),
 * but the pack inherits the CLI's environment: PWD is the directory `pulumi` was started in, the
 * program's directory unless `--cwd` named another. A path found in neither PWD nor the pack's working
 * directory is undefined: the pack cannot see the file, and the engine reports a missing one itself.
 */
export function resolveAssetPath(p: string): string | undefined {
    if (path.isAbsolute(p)) {
        return fs.existsSync(p) ? p : undefined;
    }
    const bases = [process.env["PWD"], process.cwd()].filter((b): b is string => typeof b === "string" && b !== "");
    return bases.map((b) => path.resolve(b, p)).find((candidate) => fs.existsSync(candidate));
}

type ArchiveFormat = "zip" | "tar" | "tgz";

// The engine's ArchiveExts (archive.go lines 850-857); .jar files are zip files.
function archiveFormat(name: string): ArchiveFormat | undefined {
    if (name.endsWith(".zip") || name.endsWith(".jar")) {
        return "zip";
    }
    if (name.endsWith(".tgz") || name.endsWith(".tar.gz")) {
        return "tgz";
    }
    return name.endsWith(".tar") ? "tar" : undefined;
}

/** A path inside an archive or directory, as violations name it: `prefix/name`, or `name` at the top. */
export function joinEntry(prefix: string, name: string): string {
    return prefix ? `${prefix}/${name}` : name;
}

/** Reads one file on disk; an archive file is read as the files inside it. */
export function* visitFile(file: string, entry: string, budget: Budget): Generator<FileVisit> {
    const size = fs.statSync(file).size;
    // An archive file is expanded wherever it is (an archive, a file asset, a file in a directory): a
    // credential inside it is compressed, and only readable once expanded.
    const format = archiveFormat(file);
    if (!format && size > LIMITS.fileBytes) {
        yield { entry, unread: TOO_LARGE };
        return;
    }
    if (format && size > LIMITS.totalBytes) {
        yield { entry, unread: `it is larger than the ${LIMITS.totalBytes / MiB} MiB the policy reads of one archive` };
        return;
    }
    if (!format && !budget.take(size)) {
        return;
    }
    const data = fs.readFileSync(file);
    if (format) {
        yield* visitArchiveBytes(data, format, entry, budget);
        return;
    }
    yield { entry, text: data.toString("latin1") };
}

/** Every file under a directory, in the engine's order, with its path relative to the directory. */
export function* visitDirectory(dir: string, prefix: string, budget: Budget): Generator<FileVisit> {
    for (const name of fs.readdirSync(dir).sort()) {
        const full = path.join(dir, name);
        const stat = fs.statSync(full, { throwIfNoEntry: false });
        // The engine skips .pulumi bookkeeping directories and symlinks to directories.
        if (!stat || name === ".pulumi" || (stat.isDirectory() && fs.lstatSync(full).isSymbolicLink())) {
            continue;
        }
        if (stat.isDirectory()) {
            yield* visitDirectory(full, joinEntry(prefix, name), budget);
        } else if (stat.isFile()) {
            yield* visitFile(full, joinEntry(prefix, name), budget);
        }
    }
}

function* visitArchiveBytes(data: Buffer, format: ArchiveFormat, prefix: string, budget: Budget): Generator<FileVisit> {
    try {
        if (format === "zip") {
            yield* visitZip(data, prefix, budget, 0);
        } else {
            const tar = format === "tgz" ? zlib.gunzipSync(data, { maxOutputLength: LIMITS.totalBytes }) : data;
            yield* visitTar(tar, prefix, budget);
        }
    } catch (err) {
        yield { entry: prefix, unread: `it is not a ${format} file the policy can read (${(err as Error).message})` };
    }
}

// ---------------------------------------------------------------------------------------------
// Zip: the central directory (APPNOTE.TXT 4.3.12 and 4.3.16) lists every entry and where its
// local header is; entries are stored (method 0) or deflated (method 8), which covers what zip,
// jar, and the engine's own archive writer produce.
// ---------------------------------------------------------------------------------------------

const EOCD_SIG = 0x06054b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const NESTED_ZIP_DEPTH = 2;

function endOfCentralDirectory(zip: Buffer): number {
    // The record is 22 bytes, followed by a comment of at most 65535 bytes.
    for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
        if (zip.readUInt32LE(at) === EOCD_SIG) {
            return at;
        }
    }
    throw new Error("no end of central directory record");
}

interface ZipEntry {
    name: string;
    flags: number;
    method: number;
    compressedSize: number;
    size: number;
    localOffset: number;
}

function zipEntries(zip: Buffer): ZipEntry[] {
    const eocd = endOfCentralDirectory(zip);
    const count = zip.readUInt16LE(eocd + 10);
    let at = zip.readUInt32LE(eocd + 16);
    if (count === 0xffff || at === 0xffffffff) {
        throw new Error("zip64 archives are not read");
    }
    const entries: ZipEntry[] = [];
    for (let i = 0; i < count; i++) {
        if (zip.readUInt32LE(at) !== CENTRAL_SIG) {
            throw new Error("bad central directory entry");
        }
        const nameLength = zip.readUInt16LE(at + 28);
        entries.push({
            flags: zip.readUInt16LE(at + 8),
            method: zip.readUInt16LE(at + 10),
            compressedSize: zip.readUInt32LE(at + 20),
            size: zip.readUInt32LE(at + 24),
            localOffset: zip.readUInt32LE(at + 42),
            name: zip.toString("utf8", at + 46, at + 46 + nameLength),
        });
        at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    }
    return entries;
}

function zipEntryBytes(zip: Buffer, e: ZipEntry): Buffer | string {
    if (e.flags & 0x1) {
        return "it is encrypted";
    }
    if (zip.readUInt32LE(e.localOffset) !== LOCAL_SIG) {
        throw new Error("bad local header");
    }
    const start = e.localOffset + 30 + zip.readUInt16LE(e.localOffset + 26) + zip.readUInt16LE(e.localOffset + 28);
    const raw = zip.subarray(start, start + e.compressedSize);
    if (e.method === 0) {
        return raw;
    }
    if (e.method === 8) {
        // maxOutputLength stops a zip bomb that lies about its size.
        return zlib.inflateRawSync(raw, { maxOutputLength: LIMITS.fileBytes });
    }
    return `it is compressed with zip method ${e.method}, which the policy does not read`;
}

function* visitZip(zip: Buffer, prefix: string, budget: Budget, depth: number): Generator<FileVisit> {
    for (const e of zipEntries(zip)) {
        const entry = joinEntry(prefix, e.name);
        if (e.name.endsWith("/")) {
            continue;
        }
        if (e.size > LIMITS.fileBytes) {
            yield { entry, unread: TOO_LARGE };
            continue;
        }
        if (!budget.take(e.size)) {
            return;
        }
        const bytes = zipEntryBytes(zip, e);
        if (typeof bytes === "string") {
            yield { entry, unread: bytes };
        } else if (archiveFormat(e.name) === "zip" && depth + 1 < NESTED_ZIP_DEPTH) {
            // A jar or zip inside the archive (a layer's dependency) is uploaded as one file, but a
            // credential inside it is only readable once it is expanded.
            yield* visitArchiveBytes(bytes, "zip", entry, budget);
        } else {
            yield { entry, text: bytes.toString("latin1") };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tar (POSIX ustar): 512-byte headers, each followed by the file's data padded to 512 bytes.
// ---------------------------------------------------------------------------------------------

function tarString(block: Buffer, start: number, length: number): string {
    const raw = block.subarray(start, start + length);
    const end = raw.indexOf(0);
    return raw.toString("utf8", 0, end === -1 ? raw.length : end);
}

function* visitTar(tar: Buffer, prefix: string, budget: Budget): Generator<FileVisit> {
    for (let at = 0; at + 512 <= tar.length;) {
        const header = tar.subarray(at, at + 512);
        const name = tarString(header, 0, 100);
        if (!name) {
            return; // the two zero blocks that end the archive
        }
        const size = parseInt(tarString(header, 124, 12).trim() || "0", 8);
        const type = tarString(header, 156, 1);
        const ustarPrefix = tarString(header, 345, 155);
        const entry = joinEntry(prefix, ustarPrefix ? `${ustarPrefix}/${name}` : name);
        const data = at + 512;
        at = data + Math.ceil(size / 512) * 512;
        // Regular files only: directories, links and pax headers carry no file content.
        if (type !== "0" && type !== "") {
            continue;
        }
        if (size > LIMITS.fileBytes) {
            yield { entry, unread: TOO_LARGE };
        } else if (budget.take(size)) {
            yield { entry, text: tar.toString("latin1", data, data + size) };
        } else {
            return;
        }
    }
}
