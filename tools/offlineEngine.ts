/**
 * Runs the Pulumi program in this process against a mock engine and records every resource the
 * way the engine would receive it: URN, type, parent, dependencies, inputs, and which inputs are
 * secret. Used by `npm start` (the offline plan) and by the tests.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    specialArchiveSig as ARCHIVE_SIG,
    specialAssetSig as ASSET_SIG,
    specialResourceSig as RESOURCE_SIG,
    specialSecretSig as SECRET_SIG,
    specialSigKey as SIG,
} from "@pulumi/pulumi/runtime/rpc";
import { mocks } from "./mockProvider";

export { MOCK_ACCOUNT, MOCK_ORGANIZATION, MOCK_REGION } from "./mockProvider";

/** An asset or archive input, with text inlined where the program gave text. */
export type PlanAsset =
    { kind: "asset"; text?: string; path?: string; uri?: string } | { kind: "archive"; assets?: Record<string, PlanAsset>; path?: string };

export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    /** The provider reference (`<urn>::<id>`) the program named; absent when the engine's default provider serves it. */
    provider?: string;
    /** Set when the program asked for the old resource to be deleted before its replacement is created. */
    deleteBeforeReplace?: true;
    custom: boolean;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Inputs with secrets unwrapped (the way policies see them) and assets as {@link PlanAsset}. */
    inputs: Record<string, unknown>;
    /** Top-level and nested paths (`a.b[0]`) whose values were secret. */
    secretPaths: string[];
    id?: string;
    state: Record<string, unknown>;
    /** Former identities, as the SDK sends them: a URN, or a spec the engine resolves against this resource. */
    aliases: AliasSpec[];
}

/** One alias of a resource: an old URN, or what differs from this resource (name, type, parent). */
export interface AliasSpec {
    urn?: string;
    name?: string;
    type?: string;
    parentUrn?: string;
    noParent?: boolean;
}

export interface OfflineRun {
    resources: RecordedResource[];
    /** The program's exports, resolved; secret values as `{ secret: value }`. */
    outputs: Record<string, unknown>;
}

export interface OfflineOptions {
    /** Fully qualified config (`project:key` → string). */
    config: Record<string, string>;
    /** Fully qualified keys whose values are secret. */
    secretKeys: string[];
    stack?: string;
    project?: string;
    /** Module path of the program; defaults to the index beside tools/ (index.ts, or index.js when compiled). */
    program?: string;
}

/** Decodes the engine's wire form: unwraps secrets (noting their paths) and keeps asset text. */
export function decodeWire(value: unknown, at: string, secretPaths: string[]): unknown {
    if (Array.isArray(value)) {
        return value.map((v, i) => decodeWire(v, `${at}[${i}]`, secretPaths));
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const obj = value as Record<string, unknown>;
    switch (obj[SIG]) {
        case SECRET_SIG:
            secretPaths.push(at);
            return decodeWire(obj["value"], at, []);
        case ASSET_SIG:
            return {
                kind: "asset",
                ...(obj["text"] !== undefined ? { text: obj["text"] } : {}),
                ...(obj["path"] ? { path: obj["path"] } : {}),
                ...(obj["uri"] ? { uri: obj["uri"] } : {}),
            };
        case ARCHIVE_SIG: {
            if (obj["assets"]) {
                const assets: Record<string, unknown> = {};
                for (const [k, v] of Object.entries(obj["assets"] as Record<string, unknown>)) {
                    assets[k] = decodeWire(v, `${at}.${k}`, secretPaths);
                }
                return { kind: "archive", assets };
            }
            return { kind: "archive", ...(obj["path"] ? { path: obj["path"] } : {}) };
        }
        case RESOURCE_SIG:
            return obj["id"] ?? obj["urn"];
        default: {
            const out: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(obj)) {
                out[k] = decodeWire(v, at ? `${at}.${k}` : k, secretPaths);
            }
            return out;
        }
    }
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getDeletebeforereplace(): boolean;
    getCustom(): boolean;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getAliasesList(): Array<{
        getUrn(): string;
        hasSpec(): boolean;
        getSpec(): { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
    }>;
}

/**
 * A resource's URN as the engine forms it: the parent's whole qualified type, then `$` and the
 * type (sdk/go/common/resource/urn.go, NewURN with parent.QualifiedType()). The SDK's mock monitor
 * keeps only the parent's last type, which differs for a child of a child component.
 */
export function engineUrn(parent: string, type: string, name: string): string {
    const parentType = parent ? (parent.split("::")[2] ?? "") : "";
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

function aliasesOf(req: RegisterRequest): AliasSpec[] {
    return req.getAliasesList().map((alias) => {
        const spec = alias.hasSpec() ? alias.getSpec() : undefined;
        if (!spec) {
            return { urn: alias.getUrn() };
        }
        return {
            ...(spec.getName() ? { name: spec.getName() } : {}),
            ...(spec.getType() ? { type: spec.getType() } : {}),
            ...(spec.getParenturn() ? { parentUrn: spec.getParenturn() } : {}),
            ...(spec.getNoparent() ? { noParent: true } : {}),
        };
    });
}

function projectFiles(root: string): string[] {
    return Object.keys(require.cache).filter((file) => file.startsWith(root) && !file.includes(`${path.sep}node_modules${path.sep}`));
}

/** A module of the program (not of tools/ or test/), which each run loads afresh. */
function isProgramModule(file: string, root: string): boolean {
    return (
        file.startsWith(root) &&
        !file.includes(`${path.sep}node_modules${path.sep}`) &&
        !file.includes(`${path.sep}tools${path.sep}`) &&
        !file.includes(`${path.sep}test${path.sep}`)
    );
}

/** What the engine received of one registration, as a recorded resource. */
function recordOf(req: RegisterRequest, urn: string, entry: { id: string | null; state: unknown } | undefined): RecordedResource {
    const secretPaths: string[] = [];
    const inputs = decodeWire(req.getObject()?.toJavaScript() ?? {}, "", secretPaths) as Record<string, unknown>;
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
        propertyDependencies[key] = deps.getUrnsList();
    });
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        ...(req.getParent() ? { parent: req.getParent() } : {}),
        ...(req.getProvider() ? { provider: req.getProvider() } : {}),
        ...(req.getDeletebeforereplace() ? { deleteBeforeReplace: true as const } : {}),
        custom: req.getCustom(),
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        inputs,
        secretPaths,
        ...(entry?.id ? { id: entry.id } : {}),
        state: (decodeWire(entry?.state ?? {}, "", []) as Record<string, unknown>) ?? {},
        aliases: aliasesOf(req),
    };
}

/** A fresh module graph each run, so the program reads this run's config. */
function forgetProgramModules(root: string): void {
    for (const file of projectFiles(root)) {
        if (isProgramModule(file, root)) {
            delete require.cache[file];
        }
    }
}

/** Runs the program once under mocks and returns every resource it registered. */
export async function runProgramOffline(options: OfflineOptions): Promise<OfflineRun> {
    // The folder above tools/: the repository under ts-node, bin/ once compiled (where index.js is).
    const root = path.resolve(__dirname, "..");
    const program = options.program ?? require.resolve(path.join(root, "index"));
    await pulumi.runtime.setMocks(mocks, options.project ?? "console-login-alerts", options.stack ?? "dev", false);
    pulumi.runtime.setAllConfig(options.config, options.secretKeys);

    const monitor = pulumi.runtime.getMonitor() as unknown as {
        newUrn(parent: string, type: string, name: string): string;
        registerResource(req: RegisterRequest, cb: (err: unknown, res: unknown) => void): Promise<void>;
        resources: Map<string, { urn: string; id: string | null; state: unknown }>;
    };
    monitor.newUrn = engineUrn;
    const recorded: RecordedResource[] = [];
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = async (req, cb) => {
        await original(req, (err, res) => {
            if (!err) {
                const urn = (res as { getUrn(): string }).getUrn();
                recorded.push(recordOf(req, urn, monitor.resources.get(urn)));
            }
            cb(err, res);
        });
    };

    forgetProgramModules(root);
    // A program of its own (outside the project's modules) runs afresh too.
    delete require.cache[program];
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const module = require(program) as Record<string, unknown> | (() => Promise<Record<string, unknown>>);
        // As Pulumi's Node.js runtime does: a program that exports a function is called, and what it
        // returns (awaited) is the stack's outputs.
        const exported = typeof module === "function" ? ((await module()) ?? {}) : module;
        const outputs: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(exported)) {
            outputs[name] = await resolveOutput(value);
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
        await settings.waitForRPCs();
        return { resources: recorded, outputs };
    } finally {
        monitor.registerResource = original;
    }
}

/** Resolves an Output (or a structure of them) to a plain value; secrets as `{ secret: value }`. */
export async function resolveOutput(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const output = value as pulumi.Output<unknown>;
        const [plain, secret] = await Promise.all([
            new Promise<unknown>((resolve) => output.apply((v) => resolve(v))),
            (output as unknown as { isSecret: Promise<boolean> }).isSecret,
        ]);
        const resolved = await resolveOutput(plain);
        return secret ? { secret: resolved } : resolved;
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(resolveOutput));
    }
    if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = await resolveOutput(v);
        }
        return out;
    }
    return value;
}
