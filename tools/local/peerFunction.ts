/**
 * The bench's minimal peer (minimalPeer.js) packaged as the deployed function is: its handler as
 * `__index.js` beside a copy of the function's own node_modules (node-fetch), run by
 * `invokeInChild` on the same Node, with the same environment and the same runtime SDK.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../repoRoot";
import type { DeployedFunction } from "./deployedFunction";

export const PEER_SOURCE = path.join(REPO_ROOT, "tools", "local", "minimalPeer.js");

/** Writes the peer into a folder of its own, packaged like `fn`; `removePeer` deletes it. */
export function unpackPeer(fn: DeployedFunction): DeployedFunction {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "login-alerts-peer-"));
    const indexJs = fs.readFileSync(PEER_SOURCE, "utf8");
    fs.writeFileSync(path.join(dir, "__index.js"), indexJs);
    fs.cpSync(path.join(fn.dir, "node_modules"), path.join(dir, "node_modules"), { recursive: true });
    return { ...fn, dir, indexJs };
}

/** Deletes the peer's folder; the runtime's node_modules stand-in stays the function's to remove. */
export function removePeer(peer: DeployedFunction): void {
    fs.rmSync(peer.dir, { recursive: true, force: true });
}
