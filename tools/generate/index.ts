/**
 * Every generated text of the project, from its one place: `npm run docs` writes them all;
 * test/generated.spec.ts fails, naming the file, when one committed is not what its source gives.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../repoRoot";
import { configurationReference } from "./configuration";
import { RULES_GENERATED } from "./rules";
import type { Generated } from "./sections";
import { WATCH_LIST_DOC } from "./watchListDoc";

export type { Generated } from "./sections";

export const GENERATED: readonly Generated[] = [WATCH_LIST_DOC, ...RULES_GENERATED, configurationReference(() => GENERATED)];

/** Each generated file's text now and as it should be; outputs sharing a file apply in turn. */
export async function renderAll(): Promise<Array<{ file: string; current: string; wanted: string }>> {
    const files = new Map<string, { current: string; wanted: string }>();
    for (const generated of GENERATED) {
        const known = files.get(generated.file);
        const current = known?.current ?? fs.readFileSync(path.join(REPO_ROOT, generated.file), "utf8");
        files.set(generated.file, { current, wanted: await generated.render(known?.wanted ?? current) });
    }
    return [...files].map(([file, texts]) => ({ file, ...texts }));
}

if (require.main === module) {
    void renderAll().then((all) => {
        for (const { file, wanted } of all.filter((f) => f.current !== f.wanted)) {
            fs.writeFileSync(path.join(REPO_ROOT, file), wanted);
            console.log(`wrote ${file}`);
        }
    });
}
