/**
 * Reading the text inside assets and archives (a Lambda's code, say) as a policy receives them.
 */
// The engine's wire signatures; policies see assets as these plain objects when a caller hands
// them over undeserialized, and as @pulumi/pulumi asset objects when @pulumi/policy decodes them.
import { specialArchiveSig as ARCHIVE_SIG, specialAssetSig as ASSET_SIG, specialSigKey as SIG_KEY } from "@pulumi/pulumi/runtime/rpc";

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

export type AssetLike =
    | { kind: "asset"; text: () => Promise<string | undefined> }
    | { kind: "archive"; assets: () => Promise<Record<string, unknown> | undefined> };

export function asAssetLike(value: unknown): AssetLike | undefined {
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
export async function assetTexts(value: AssetLike, entry = ""): Promise<Array<{ entry: string; text: string }>> {
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
