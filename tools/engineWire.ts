/**
 * Resources in the engine's wire form: what the Pulumi engine sends a policy pack's analyzer, with
 * secrets and assets signed and values not yet known replaced by the engine's placeholder.
 */
import {
    specialArchiveSig,
    specialAssetSig,
    specialSecretSig,
    specialSigKey,
    unknownValue,
} from "../policy/node_modules/@pulumi/pulumi/runtime/rpc";
import type { PlanAsset, RecordedResource } from "./offlineEngine";

// The engine's wire signatures (sdk/go/common/resource/sig), as the SDK the pack runs on defines them.
export const SIG_KEY = specialSigKey;
export const SECRET_SIG = specialSecretSig;
export const ASSET_SIG = specialAssetSig;
export const ARCHIVE_SIG = specialArchiveSig;
/**
 * The engine's placeholder, in wire-form properties, for a value not known until the update. A
 * policy never sees it: @pulumi/policy's proxy throws UnknownValueError on reading it, and the
 * pack's own reads turn that into NOT_YET_KNOWN (policy/lib/props.ts), a symbol no string can equal.
 */
export const UNKNOWN_ON_THE_WIRE = unknownValue;

/** A resource as the engine sends it to a policy pack. */
export interface EngineResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Inputs in wire form: what `Analyze` receives. */
    inputs: Record<string, unknown>;
    /** Outputs in wire form: what `AnalyzeStack` receives. */
    outputs: Record<string, unknown>;
}

const PLAN_ASSET_KEYS = new Set(["kind", "text", "path", "uri", "assets"]);

function isPlanAsset(value: object): value is PlanAsset {
    const kind = (value as { kind?: unknown }).kind;
    return (kind === "asset" || kind === "archive") && Object.keys(value).every((k) => PLAN_ASSET_KEYS.has(k));
}

function childPath(at: string, key: string): string {
    return at ? `${at}.${key}` : key;
}

/** Re-signs secrets (by the recorded secret paths) and assets, as the engine marshals properties for analyzers. */
export function toWire(value: unknown, secretPaths: readonly string[] = [], at = ""): unknown {
    if (at && secretPaths.includes(at)) {
        return { [SIG_KEY]: SECRET_SIG, value: toWire(value, [], "") ?? null };
    }
    if (Array.isArray(value)) {
        return value.map((v, i) => toWire(v, secretPaths, `${at}[${i}]`) ?? null);
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    if (isPlanAsset(value)) {
        if (value.kind === "asset") {
            return {
                [SIG_KEY]: ASSET_SIG,
                ...(value.text !== undefined ? { text: value.text } : {}),
                ...(value.path ? { path: value.path } : {}),
                ...(value.uri ? { uri: value.uri } : {}),
            };
        }
        if (value.assets) {
            const assets: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(value.assets)) {
                assets[k] = toWire(v, secretPaths, childPath(at, k));
            }
            return { [SIG_KEY]: ARCHIVE_SIG, assets };
        }
        return { [SIG_KEY]: ARCHIVE_SIG, ...(value.path ? { path: value.path } : {}) };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
        // The engine drops unset properties rather than sending them.
        if (v !== undefined) {
            out[k] = toWire(v, secretPaths, childPath(at, k));
        }
    }
    return out;
}

/** A recorded resource as the engine would send it: inputs to Analyze, outputs to AnalyzeStack. */
export function toEngineResource(r: RecordedResource): EngineResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        ...(r.parent ? { parent: r.parent } : {}),
        dependencies: [...r.dependencies],
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, [...v]])),
        inputs: toWire(r.inputs, r.secretPaths) as Record<string, unknown>,
        outputs: toWire({ ...r.inputs, ...r.state }, r.secretPaths) as Record<string, unknown>,
    };
}
