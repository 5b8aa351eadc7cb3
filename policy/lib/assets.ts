/**
 * Reading the files inside assets and archives (a Lambda's code, say) as a policy receives them:
 * text held in the program (StringAsset, AssetArchive) and files on disk (FileAsset, FileArchive of a
 * directory or of a .zip/.jar/.tar/.tgz file), which lib/archiveFiles.ts reads within its limits.
 */
// The engine's wire signatures; policies see assets as these plain objects when a caller hands
// them over undeserialized, and as @pulumi/pulumi asset objects when @pulumi/policy decodes them.
import * as fs from "fs";
import { specialArchiveSig as ARCHIVE_SIG, specialAssetSig as ASSET_SIG, specialSigKey as SIG_KEY } from "@pulumi/pulumi/runtime/rpc";
import { Budget, joinEntry, resolveAssetPath, visitDirectory, visitFile, type FileVisit } from "./archiveFiles";

export { LIMITS, type FileVisit } from "./archiveFiles";

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

/**
 * An asset or archive as the engine serializes it (sdk/go/common/resource/asset/asset.go Serialize and
 * archive/archive.go Serialize, lines 203-225): exactly one of `text` (assets), `assets` (archives),
 * `path` or `uri`, each a plain value on the wire and a promise on a decoded @pulumi/pulumi object.
 */
export interface AssetLike {
    kind: "asset" | "archive";
    text: () => Promise<string | undefined>;
    assets: () => Promise<Record<string, unknown> | undefined>;
    path: () => Promise<string | undefined>;
}

export function asAssetLike(value: unknown): AssetLike | undefined {
    const raw = unproxy(value);
    if (raw === null || typeof raw !== "object") {
        return undefined;
    }
    const obj = raw as Record<string, unknown>;
    const settle =
        <T>(key: string) =>
        async (): Promise<T | undefined> => {
            try {
                return (await unproxy(obj[key])) as T | undefined;
            } catch {
                return undefined;
            }
        };
    const fields = { text: settle<string>("text"), assets: settle<Record<string, unknown>>("assets"), path: settle<string>("path") };
    if (obj["__pulumiAsset"] === true || obj[SIG_KEY] === ASSET_SIG) {
        return { kind: "asset", ...fields };
    }
    if (obj["__pulumiArchive"] === true || obj[SIG_KEY] === ARCHIVE_SIG) {
        return { kind: "archive", ...fields };
    }
    return undefined;
}

async function* visitOnDisk(p: string, entry: string, budget: Budget): AsyncGenerator<FileVisit> {
    const resolved = resolveAssetPath(p);
    if (resolved === undefined) {
        return; // not visible from the pack; see resolveAssetPath
    }
    try {
        const isDirectory = fs.statSync(resolved).isDirectory();
        yield* isDirectory ? visitDirectory(resolved, entry, budget) : visitFile(resolved, entry, budget);
    } catch (err) {
        yield { entry, unread: `it could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
}

/**
 * Every file inside an asset or archive, with its entry path (`a/b.js`), in the engine's order, or
 * the reason it was not read. Remote (`uri`) assets are not fetched. One Budget bounds a property.
 */
export async function* assetFiles(value: AssetLike, entry = "", budget = new Budget()): AsyncGenerator<FileVisit> {
    const text = value.kind === "asset" ? await value.text() : undefined;
    if (typeof text === "string") {
        if (budget.take(text.length)) {
            yield { entry, text };
        }
        return;
    }
    const assets = value.kind === "archive" ? await value.assets() : undefined;
    if (assets) {
        for (const [name, child] of Object.entries(assets)) {
            const inner = asAssetLike(child);
            if (inner) {
                yield* assetFiles(inner, joinEntry(entry, name), budget);
            }
        }
        return;
    }
    const p = await value.path();
    if (typeof p === "string" && p !== "") {
        yield* visitOnDisk(p, entry, budget);
    }
}

export { Budget };
