/**
 * What the function's code archive holds beside the serialized handler: the CommonJS builds of
 * node-fetch 2 and ipaddr.js, and in place of whatwg-url a shim that hands node-fetch Node's own URL.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

// node-fetch 2 loads whatwg-url only as a fallback for runtimes without `url.URL`
// (lib/index.js: `const URL = Url.URL || whatwgUrl.URL;`). Node 22 has it, so whatwg-url, tr46 (a
// mapping table of some 260 KB) and webidl-conversions would ship and load for nothing; the
// require still has to resolve, so this stands in for them.
export const WHATWG_URL_SHIM: Readonly<Record<string, string>> = {
    "node_modules/whatwg-url/package.json": `${JSON.stringify({ name: "whatwg-url", version: "0.0.0-node-url", main: "index.js", private: true }, null, 2)}\n`,
    "node_modules/whatwg-url/index.js": [
        '"use strict";',
        "// Node's own WHATWG URL, which node-fetch 2 prefers anyway: see program/functionPackage.ts.",
        'const { URL, URLSearchParams } = require("url");',
        "module.exports = { URL, URLSearchParams };",
        "",
    ].join("\n"),
};

// The packages the handler requires, by the files `require(name)` reads: package.json (for "main"),
// the CommonJS build it names, and the license. Not node-fetch's ES module builds or browser.js, nor
// either's README or type declarations. Packaged by file, they are excluded as packages, which also
// leaves out what they depend on: nothing for ipaddr.js, only whatwg-url for node-fetch.
const PACKAGES_BY_FILE: ReadonlyArray<{ name: string; license: string }> = [
    { name: "node-fetch", license: "LICENSE.md" },
    { name: "ipaddr.js", license: "LICENSE" },
];

// Paths relative to the program's folder, as Pulumi names the packages it finds.
function filesThatRun(name: string, license: string): string[] {
    const main = require.resolve(name);
    const dir = path.dirname(require.resolve(`${name}/package.json`));
    return [path.join(dir, "package.json"), main, path.join(dir, license)].map((f) => path.relative(process.cwd(), f));
}

/** The CallbackFunction's codePathOptions: its packages by file, and neither whatwg-url nor what it depends on. */
export function functionCodePaths(): pulumi.runtime.CodePathOptions {
    return {
        extraExcludePackages: [...PACKAGES_BY_FILE.map((p) => p.name), "whatwg-url"],
        extraIncludePaths: PACKAGES_BY_FILE.flatMap((p) => filesThatRun(p.name, p.license)),
    };
}

/**
 * Adds the whatwg-url shim to the function's code archive. CallbackFunction builds the archive
 * itself from codePathOptions, which name files on disk only, so the shim joins it here; the
 * archive stays an output of the closure, secret if the closure is.
 */
export const withWhatwgUrlShim: pulumi.ResourceTransformation = (args) => {
    if (args.type !== "aws:lambda/function:Function") {
        return undefined;
    }
    const code = pulumi.output(args.props["code"] as pulumi.Input<pulumi.asset.AssetArchive>).apply(
        async (archive) =>
            new pulumi.asset.AssetArchive({
                ...(await archive.assets),
                ...Object.fromEntries(Object.entries(WHATWG_URL_SHIM).map(([name, text]) => [name, new pulumi.asset.StringAsset(text)])),
            }),
    );
    return { props: { ...args.props, code }, opts: args.opts };
};
