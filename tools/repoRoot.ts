import * as fs from "fs";
import * as path from "path";

/**
 * The repository's root: the folder with Pulumi.yaml above this file. The tools run from tools/
 * under ts-node and from bin/tools/ once compiled, so a fixed number of `..` would be right for
 * only one of them.
 */
export const REPO_ROOT = findRoot(__dirname);

function findRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`no Pulumi.yaml in ${from} or any folder above it`);
        }
    }
}
