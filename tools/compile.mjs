// Compiles tools/ (and the program, handler and policy pack sources it loads) into bin/ for
// `npm start`, `npm run bench` and `npm run redrive`, which then run as plain JavaScript.
// tools/tsconfig.json only emits (noCheck, noResolve: the declarations of @pulumi/aws alone take
// tsc seconds to read); type errors are `npm run build`'s to report. `tsc -b` skips the work when
// nothing changed.
import { execFileSync } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import { fileURLToPath } from "url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
// Anything tsc prints goes to stderr: `npm start -- --json` keeps stdout for the plan.
execFileSync(process.execPath, [tsc, "-b", path.join(root, "tools"), "--pretty", "false"], { stdio: ["ignore", 2, 2] });

// tools/policyCheck.ts reaches the policy pack's own packages as ../policy/node_modules, and the
// pack's sources import them by name from policy/; tsc does not copy node_modules into bin/.
const link = path.join(root, "bin", "policy", "node_modules");
if (!fs.lstatSync(link, { throwIfNoEntry: false })) {
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join("..", "..", "policy", "node_modules"), link, "junction");
}

// tsc never removes what it emitted for a source since moved or deleted, and Node resolves
// `program/rules` to a stale bin/program/rules.js before bin/program/rules/index.js: remove every
// emitted .js whose .ts is gone.
function removeStale(dir) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const at = path.join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== "node_modules") {
            removeStale(at);
        } else if (entry.isFile() && entry.name.endsWith(".js")) {
            const source = path.join(root, path.relative(path.join(root, "bin"), at)).replace(/\.js$/, ".ts");
            if (!fs.existsSync(source)) {
                fs.rmSync(at);
            }
        }
    }
}
removeStale(path.join(root, "bin"));
