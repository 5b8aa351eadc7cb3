/**
 * The function's code archive: `__index.js`, the handler bundled by esbuild from its TypeScript
 * sources with the two packages it runs (node-fetch 2 and ipaddr.js); `config.json`, what the
 * stack's configuration tells it, as plain data; and the licences of the bundled packages.
 *
 * A bundle rather than Pulumi's closure serialization: the serializer wraps every module-level
 * function in a scope rebuilt on each call (`with (...) { return function ... }`), so the same code
 * ran 3 to 5 times slower and the cold start paid for it; its traps (no `super(message)` in an Error
 * subclass, a captured `Set` lost) go with it. What the function is told is now data beside the
 * code, never a value captured into it, so nothing of the program (a `pulumi.Config`, a secret
 * Output) can reach the code by being read in a callback.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { BuildOptions, Metafile } from "esbuild";
import { FUNCTION_CONFIG_FILE, type FunctionConfig } from "../shared/contract";
import { PROJECT_ROOT } from "./projectRoot";

/** The module Lambda loads (`__index`) and the export it calls (`handler`). */
export const FUNCTION_HANDLER = "__index.handler";
/** Each function's entry point: the notifier, and the endpoint Slack sends answers to ("Was this you?"). */
export const FUNCTION_ENTRIES = { notifier: "handler/lambda.ts", answers: "handler/interaction.ts" } as const;
export type FunctionEntry = keyof typeof FUNCTION_ENTRIES;
const NOTICES_FILE = "THIRD-PARTY-NOTICES.txt";

// node-fetch 2 requires whatwg-url only as a fallback for runtimes without `url.URL`
// (lib/index.js: `const URL = Url.URL || whatwgUrl.URL;`); Node 22 has it, so whatwg-url, tr46 (a
// mapping table of some 260 KB) and webidl-conversions would load and ship for nothing.
const NODE_URL = "handler/common/nodeUrl.ts";

export const BUNDLE_OPTIONS: BuildOptions = {
    entryPoints: [FUNCTION_ENTRIES.notifier],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    write: false,
    metafile: true,
    // The AWS SDK v3 comes from the Lambda runtime. node-fetch requires `encoding` in a try block,
    // for a charset conversion the handler never asks for; left out, the require fails and is caught.
    external: ["@aws-sdk/*", "encoding"],
    alias: { "whatwg-url": `./${NODE_URL}` },
    // Readable in the console and in stack traces: names and lines as written, no source map to load.
    minify: false,
    legalComments: "none",
    logLevel: "silent",
};

/** The bundle's text and, by file, what esbuild read to make it. */
export interface HandlerBundle {
    code: string;
    metafile: Metafile;
}

const built = new Map<FunctionEntry, HandlerBundle>();

/**
 * Bundles a function's handler once per process: the bundle depends on the sources alone, not on
 * the stack's configuration, which travels beside it. Fails the program, naming what esbuild said,
 * rather than deploy a function that cannot load.
 */
export function handlerBundle(entry: FunctionEntry = "notifier"): HandlerBundle {
    const kept = built.get(entry);
    if (kept) {
        return kept;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require("esbuild") as typeof import("esbuild");
    const result = esbuild.buildSync({ ...BUNDLE_OPTIONS, entryPoints: [FUNCTION_ENTRIES[entry]] });
    const problems = [...result.errors, ...result.warnings].map((m) => m.text);
    const output = result.outputFiles?.[0];
    if (problems.length > 0 || !output || !result.metafile) {
        throw new Error(`bundling the handler (${FUNCTION_ENTRIES[entry]}) failed: ${problems.join("; ") || "no output"}`);
    }
    const bundle = { code: output.text, metafile: result.metafile };
    built.set(entry, bundle);
    return bundle;
}

/** The package a bundled file was read from (`node-fetch`, `@scope/name`); undefined for the project's own. */
export function packageOf(file: string): string | undefined {
    return /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
}

/** The packages in the bundle, by the folder under node_modules each was read from. */
export function bundledPackages(metafile: Metafile): string[] {
    const names = Object.keys(metafile.inputs).flatMap((file) => packageOf(file) ?? []);
    return [...new Set(names)].sort();
}

// The MIT licence of each bundled package asks for its notice in every copy.
function licenceOf(name: string): string {
    const dir = path.join(PROJECT_ROOT, "node_modules", name);
    const file = fs.readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    if (!file) {
        throw new Error(`the bundled package ${name} has no licence file in ${dir}`);
    }
    return `${name}\n\n${fs.readFileSync(path.join(dir, file), "utf8").trim()}\n`;
}

/** The notices of every bundled package, in one file. */
export function thirdPartyNotices(metafile: Metafile): string {
    return bundledPackages(metafile).map(licenceOf).join("\n---\n\n");
}

/** The notifier's code archive for a stack's configuration. */
export function functionArchive(config: FunctionConfig): pulumi.asset.AssetArchive {
    const bundle = handlerBundle("notifier");
    return new pulumi.asset.AssetArchive({
        "__index.js": new pulumi.asset.StringAsset(bundle.code),
        [FUNCTION_CONFIG_FILE]: new pulumi.asset.StringAsset(`${JSON.stringify(config, null, 2)}\n`),
        [NOTICES_FILE]: new pulumi.asset.StringAsset(thirdPartyNotices(bundle.metafile)),
    });
}

/** The answer endpoint's code archive: it is told nothing beyond its environment. */
export function answersArchive(): pulumi.asset.AssetArchive {
    const bundle = handlerBundle("answers");
    const notices = thirdPartyNotices(bundle.metafile);
    return new pulumi.asset.AssetArchive({
        "__index.js": new pulumi.asset.StringAsset(bundle.code),
        ...(notices ? { [NOTICES_FILE]: new pulumi.asset.StringAsset(notices) } : {}),
    });
}
