/**
 * The bench's minimal peer (minimalPeer.js) packaged as the deployed function is: bundled by
 * esbuild with the function's own options into `__index.js` (node-fetch in it), run by
 * `invokeInChild` on the same Node, with the same environment and the same runtime SDK.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSync } from "esbuild";
import { BUNDLE_OPTIONS } from "../../program/functionPackage";
import { REPO_ROOT } from "../repoRoot";
import type { DeployedFunction } from "./deployedFunction";

export const PEER_SOURCE = path.join(REPO_ROOT, "tools", "local", "minimalPeer.js");

/** Writes the peer into a folder of its own, packaged like `fn`; `removePeer` deletes it. */
export function unpackPeer(fn: DeployedFunction): DeployedFunction {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "login-alerts-peer-"));
    const built = buildSync({ ...BUNDLE_OPTIONS, entryPoints: [PEER_SOURCE], metafile: false });
    const indexJs = built.outputFiles?.[0]?.text;
    if (indexJs === undefined) {
        throw new Error(`bundling ${PEER_SOURCE} gave no output`);
    }
    fs.writeFileSync(path.join(dir, "__index.js"), indexJs);
    return { ...fn, dir, indexJs };
}

/** Deletes the peer's folder; the runtime's node_modules stand-in stays the function's to remove. */
export function removePeer(peer: DeployedFunction): void {
    fs.rmSync(peer.dir, { recursive: true, force: true });
}
