import * as fs from "fs";
import * as path from "path";

/**
 * The project's root: the folder with Pulumi.yaml above this file. The program runs from program/
 * under Pulumi's ts-node and from bin/program/ once tools/ are compiled, so a fixed number of `..`
 * would be right for only one of them.
 */
export const PROJECT_ROOT = findRoot(__dirname);

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
