/**
 * Set up once per test process (.mocharc.json `require`): what makes the program's many runs under
 * the mock engine cheaper without changing what they do.
 */
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
