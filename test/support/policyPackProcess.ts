/**
 * The pack as the Pulumi CLI runs it: `pulumi preview --policy-pack policy` starts
 * `node <policy>/node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine> .` in the pack's
 * directory, which loads package.json's `main`, the compiled bin/index.js, and the pack prints the
 * port of its analyzer. This module starts it that way and
 * speaks the engine's side of the analyzer protocol (Analyze, AnalyzeStack, Configure,
 * GetAnalyzerInfo), with resources in the engine's wire form, property dependencies included.
 */
import { strict as assert } from "assert";
import { execFileSync, spawn, type ChildProcess } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createRequire } from "module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { policies } from "../../policy/policies";
import type { EngineResource } from "../../tools/engineWire";
import { POLICY_DIR } from "../../tools/policyCheck";

// The gRPC runtime and protobuf messages must be the copies the generated stubs load.
const protoRequire = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb"));
const grpc = protoRequire("@grpc/grpc-js") as typeof grpcTypes;
export const { Struct } = protoRequire("google-protobuf/google/protobuf/struct_pb") as typeof structTypes;
const { Empty } = protoRequire("google-protobuf/google/protobuf/empty_pb") as typeof emptyTypes;

export { analyzer };

export const LEVELS: Record<number, string> = {
    [analyzer.EnforcementLevel.ADVISORY]: "advisory",
    [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzer.EnforcementLevel.DISABLED]: "disabled",
    [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
};

export interface Diagnostic {
    policy: string;
    pack: string;
    enforcementLevel: string;
    urn: string;
    message: string;
}

function options(r: EngineResource): analyzer.AnalyzerResourceOptions {
    const opts = new analyzer.AnalyzerResourceOptions();
    if (r.parent) {
        opts.setParent(r.parent);
    }
    return opts;
}

/** Analyze sees a resource's inputs, as the engine sends them before each step. */
function analyzeRequest(r: EngineResource): analyzer.AnalyzeRequest {
    return new analyzer.AnalyzeRequest()
        .setType(r.type)
        .setName(r.name)
        .setUrn(r.urn)
        .setProperties(Struct.fromJavaScript(r.inputs as Record<string, structTypes.JavaScriptValue>))
        .setOptions(options(r));
}

/** AnalyzeStack sees every resource's outputs, with its dependencies and property dependencies. */
function analyzeStackRequest(resources: EngineResource[]): analyzer.AnalyzeStackRequest {
    return new analyzer.AnalyzeStackRequest().setResourcesList(
        resources.map((r) => {
            const resource = new analyzer.AnalyzerResource()
                .setType(r.type)
                .setName(r.name)
                .setUrn(r.urn)
                .setProperties(Struct.fromJavaScript(r.outputs as Record<string, structTypes.JavaScriptValue>))
                .setOptions(options(r))
                .setParent(r.parent ?? "")
                .setDependenciesList(r.dependencies);
            for (const [k, urns] of Object.entries(r.propertyDependencies)) {
                resource.getPropertydependenciesMap().set(k, new analyzer.AnalyzerPropertyDependencies().setUrnsList(urns));
            }
            return resource;
        }),
    );
}

function diagnostics(response: analyzer.AnalyzeResponse): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        pack: d.getPolicypackname(),
        enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? String(d.getEnforcementlevel()),
        urn: d.getUrn(),
        message: d.getMessage(),
    }));
}

/** What the engine shows for a violation: the policy's description, then the reported message. */
export function shown(policyName: string, message: string): string {
    const policy = policies.find((p) => p.name === policyName);
    assert.ok(policy, policyName);
    return `${policy.description}\n${message}`;
}

export interface PolicyPackProcess {
    analyze(r: EngineResource): Promise<Diagnostic[]>;
    analyzeStack(rs: EngineResource[]): Promise<Diagnostic[]>;
    /** Every resource through Analyze, then the whole stack through AnalyzeStack, as a preview does. */
    analyzeAll(rs: EngineResource[]): Promise<Diagnostic[]>;
    configure(request: analyzer.ConfigureAnalyzerRequest): Promise<void>;
    info(): Promise<analyzer.AnalyzerInfo>;
    close(): void;
    /** Milliseconds from spawning the pack to its analyzer serving. */
    startMs: number;
    /** What the pack has written to stderr so far (Node's warnings, among them). */
    stderr(): string;
}

function servingPort(pack: ChildProcess, stderr: () => string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
        let stdout = "";
        pack.stdout?.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            const match = /^(\d+)\s*$/m.exec(stdout);
            if (match) {
                resolve(Number(match[1]));
            }
        });
        pack.on("exit", (code) => reject(new Error(`the policy pack exited with ${code} before serving:\n${stderr()}${stdout}`)));
    });
}

function newestMtime(dir: string): number {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (entry.isFile() && entry.name.endsWith(".ts")) {
            newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
        }
    }
    return newest;
}

function packIsBuilt(): boolean {
    const main = path.join(POLICY_DIR, "bin", "index.js");
    const built = fs.statSync(main, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const sources = Math.max(
        fs.statSync(path.join(POLICY_DIR, "index.ts")).mtimeMs,
        newestMtime(path.join(POLICY_DIR, "policies")),
        newestMtime(path.join(POLICY_DIR, "lib")),
        fs.statSync(path.join(POLICY_DIR, "tsconfig.json")).mtimeMs,
    );
    return built > sources;
}

function sleepSync(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// Mocha's workers may each find the pack unbuilt at once: one builds it, the others wait for it.
const BUILD_LOCK = path.join(os.tmpdir(), `policy-pack-build-${crypto.createHash("sha256").update(POLICY_DIR).digest("hex").slice(0, 16)}`);
const BUILD_LOCK_LIMIT_MS = 120_000;

/**
 * Compiles the pack into policy/bin (its `npm run build`) unless bin/ is newer than every source, as
 * it is in CI, where .ci/run builds the pack once before the tests.
 */
export function ensurePackBuilt(): void {
    let waitedSince = Date.now();
    while (!packIsBuilt()) {
        try {
            fs.mkdirSync(BUILD_LOCK);
        } catch {
            // Another process is building it; a lock older than any build is left from one that died.
            if (Date.now() - waitedSince < BUILD_LOCK_LIMIT_MS) {
                sleepSync(200);
                continue;
            }
            fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
            waitedSince = Date.now();
            continue;
        }
        try {
            fs.rmSync(path.join(POLICY_DIR, "bin"), { recursive: true, force: true });
            execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", POLICY_DIR], { stdio: "inherit" });
        } finally {
            fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
        }
        return;
    }
}

/** Starts the pack in `dir` (policy/, built first, or a directory holding what `npm pack` ships). */
export async function startPolicyPack(dir = POLICY_DIR): Promise<PolicyPackProcess> {
    if (dir === POLICY_DIR) {
        ensurePackBuilt();
    }
    const started = Date.now();
    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    // The CLI hands the pack its own environment; ts-node settings of this test run must not leak in.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TS_NODE_")));
    const pack = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    pack.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await servingPort(pack, () => stderr);
    const startMs = Date.now() - started;
    const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    function call<Req, Res>(
        method: (req: Req, cb: (err: grpcTypes.ServiceError | null, res: Res) => void) => unknown,
        req: Req,
    ): Promise<Res> {
        return new Promise((resolve, reject) => method.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));
    }
    const analyze = async (r: EngineResource) => diagnostics(await call(client.analyze, analyzeRequest(r)));
    const analyzeStack = async (rs: EngineResource[]) => diagnostics(await call(client.analyzeStack, analyzeStackRequest(rs)));
    return {
        analyze,
        analyzeStack,
        analyzeAll: async (rs) => [...(await Promise.all(rs.map(analyze))).flat(), ...(await analyzeStack(rs))],
        configure: async (request) => {
            await call(client.configure, request);
        },
        info: () => call<emptyTypes.Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo, new Empty()),
        close: () => {
            client.close();
            pack.kill();
        },
        startMs,
        stderr: () => stderr,
    };
}
