/**
 * Mocha's global setup and teardown (.mocharc.json `require`), run once per test run in mocha's
 * own process, before its workers start: a folder for the run's serialized functions
 * (tools/closureCache.ts), which the workers and the processes the tests spawn inherit through the
 * environment, removed when the run ends. A folder already named in OFFLINE_CLOSURE_CACHE is used
 * and kept.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CLOSURE_CACHE_VARIABLE } from "../../tools/closureCache";

let made: string | undefined;

export function mochaGlobalSetup(): void {
    if (!process.env[CLOSURE_CACHE_VARIABLE]) {
        made = fs.mkdtempSync(path.join(os.tmpdir(), "login-alerts-closures-"));
        process.env[CLOSURE_CACHE_VARIABLE] = made;
    }
}

export function mochaGlobalTeardown(): void {
    if (made) {
        fs.rmSync(made, { recursive: true, force: true });
        delete process.env[CLOSURE_CACHE_VARIABLE];
        made = undefined;
    }
}

// Every run of the program under the mock engine loads its modules afresh (tools/offlineEngine.ts),
// and ts-node transpiles a file each time it is loaded, a second or two of each run: the same text
// gives the same JavaScript, so each file's is kept for the process.
interface TsNodeService {
    compile(code: string, fileName: string, lineOffset?: number): string;
}
const tsNode = (process as unknown as Record<symbol, TsNodeService | undefined>)[Symbol.for("ts-node.register.instance")];
if (tsNode) {
    const compile = tsNode.compile.bind(tsNode);
    const compiled = new Map<string, { code: string; lineOffset: number | undefined; output: string }>();
    tsNode.compile = (code, fileName, lineOffset) => {
        const kept = compiled.get(fileName);
        if (kept && kept.code === code && kept.lineOffset === lineOffset) {
            return kept.output;
        }
        const output = compile(code, fileName, lineOffset);
        compiled.set(fileName, { code, lineOffset, output });
        return output;
    };
}

// Pulumi notes the stack of every promise it makes, for a report that PULUMI_DEBUG_PROMISE_LEAKS
// asks for; with ts-node's source maps each stack costs as much as the rest of the promise's work,
// a quarter of a run of the program. Without that variable no stack is ever read: none is taken.
if (!process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> };
    const debuggablePromise = debuggable.debuggablePromise;
    debuggable.debuggablePromise = (p, ctx) => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return debuggablePromise(p, ctx);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
}
