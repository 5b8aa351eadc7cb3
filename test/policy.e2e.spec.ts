/**
 * The pack as the Pulumi CLI runs it: `pulumi preview --policy-pack policy` starts
 * `node <policy>/node_modules/@pulumi/pulumi/cmd/run-policy-pack <engine> .` in the pack's
 * directory; run-policy-pack registers ts-node (type-checking, with policy/tsconfig.json) and
 * requires the pack, whose PolicyPack prints the port of its analyzer. No compile step: the
 * TypeScript is loaded as is. These tests then speak the engine's side of the analyzer protocol.
 */
import { strict as assert } from "assert";
import { spawn, type ChildProcess } from "child_process";
import { createRequire } from "module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { policies } from "../policy/policies";
import { runProgramOffline, type RecordedResource } from "../tools/offlineEngine";
import { SECRET_SIG, SIG_KEY, UNKNOWN_ON_THE_WIRE, toEngineResource, type EngineResource } from "../tools/engineWire";
import { POLICY_DIR } from "../tools/policyCheck";

// The gRPC runtime and protobuf messages must be the copies the generated stubs load.
const protoRequire = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb"));
const grpc = protoRequire("@grpc/grpc-js") as typeof grpcTypes;
const { Struct } = protoRequire("google-protobuf/google/protobuf/struct_pb") as typeof structTypes;
const { Empty } = protoRequire("google-protobuf/google/protobuf/empty_pb") as typeof emptyTypes;

const WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
const WEBHOOK_KEY = "console-login-alerts:slackWebhookUrl";
const LEVELS: Record<number, string> = {
    [analyzer.EnforcementLevel.ADVISORY]: "advisory",
    [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzer.EnforcementLevel.DISABLED]: "disabled",
    [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
};

interface Diagnostic {
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

function analyzeRequest(r: EngineResource): analyzer.AnalyzeRequest {
    return new analyzer.AnalyzeRequest()
        .setType(r.type)
        .setName(r.name)
        .setUrn(r.urn)
        .setProperties(Struct.fromJavaScript(r.inputs as Record<string, structTypes.JavaScriptValue>))
        .setOptions(options(r));
}

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
function shown(policyName: string, message: string): string {
    const policy = policies.find((p) => p.name === policyName);
    assert.ok(policy, policyName);
    return `${policy.description}\n${message}`;
}

function edited(resources: RecordedResource[], name: string, change: (r: RecordedResource) => void): EngineResource[] {
    const copy = structuredClone(resources);
    const target = copy.find((r) => r.name === name);
    assert.ok(target, name);
    change(target);
    return copy.map(toEngineResource);
}

/** The program as a first preview sees it: every ARN, and whatever is built from one, still unknown. */
function asFirstPreview(value: unknown): unknown {
    if (typeof value === "string") {
        return /arn:aws[\w-]*:/.test(value) ? UNKNOWN_ON_THE_WIRE : value;
    }
    if (Array.isArray(value)) {
        return value.map(asFirstPreview);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "arn" ? UNKNOWN_ON_THE_WIRE : asFirstPreview(v)]));
    }
    return value;
}

describe("the policy pack, run as the Pulumi CLI runs it", function () {
    let pack: ChildProcess;
    let client: analyzerRpc.AnalyzerClient;
    let resources: RecordedResource[];
    let started = 0;
    let ready = 0;

    function call<Req, Res>(
        method: (req: Req, cb: (err: grpcTypes.ServiceError | null, res: Res) => void) => unknown,
        req: Req,
    ): Promise<Res> {
        return new Promise((resolve, reject) => method.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));
    }
    const analyze = async (r: EngineResource) => diagnostics(await call(client.analyze, analyzeRequest(r)));
    const analyzeStack = async (rs: EngineResource[]) => diagnostics(await call(client.analyzeStack, analyzeStackRequest(rs)));
    const analyzeAll = async (rs: EngineResource[]) => [...(await Promise.all(rs.map(analyze))).flat(), ...(await analyzeStack(rs))];

    before(async function () {
        this.timeout(120_000);
        started = Date.now();
        const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_DIR] });
        // The CLI hands the pack its own environment; ts-node settings of this test run must not leak in.
        const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TS_NODE_")));
        pack = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], { cwd: POLICY_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
        const program = runProgramOffline({ config: { [WEBHOOK_KEY]: WEBHOOK }, secretKeys: [WEBHOOK_KEY] });
        const port = await new Promise<number>((resolve, reject) => {
            let stdout = "";
            let stderr = "";
            pack.stdout?.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                const match = /^(\d+)\s*$/m.exec(stdout);
                if (match) {
                    resolve(Number(match[1]));
                }
            });
            pack.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            pack.on("exit", (code) => reject(new Error(`the policy pack exited with ${code} before serving:\n${stderr}${stdout}`)));
        });
        ready = Date.now();
        client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        resources = (await program).resources;
    });

    after(function () {
        client?.close();
        pack?.kill();
        const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
        console.log(
            `      policy pack e2e: analyzer serving after ${seconds(ready - started)} (one start, ts-node type-checks the pack); whole suite ${seconds(Date.now() - started)}`,
        );
    });

    it("describes the pack and every policy, with its enforcement level and config schema", async function () {
        const info = await call<emptyTypes.Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
        assert.equal(info.getName(), "console-login-alerts");
        assert.equal(info.getVersion(), "0.1.0");
        assert.ok(info.getSupportsconfig());
        assert.deepEqual(
            info.getPoliciesList().map((p) => [p.getName(), LEVELS[p.getEnforcementlevel()]]),
            [
                ["trail-logs-to-cloudwatch", "mandatory"],
                ["slack-webhook-in-secret", "mandatory"],
                ["trail-covers-all-regions", "advisory"],
                ["log-retention-set", "advisory"],
                ["alarms-have-actions", "advisory"],
                ["alarm-topic-usable-by-cloudwatch", "advisory"],
                ["alert-lambda-has-failure-destination", "advisory"],
                ["no-wildcard-iam", "advisory"],
                ["fast-path-covers-trail-regions", "advisory"],
                ["trail-records-sign-ins", "mandatory"],
                ["sign-in-alerts-can-fire", "advisory"],
            ],
        );
        for (const p of info.getPoliciesList()) {
            assert.match(p.getDescription(), /^[A-Z].*\.$/, p.getName());
            assert.ok(p.getRemediationSteps(), p.getName());
        }
        const retention = info.getPoliciesList().find((p) => p.getName() === "log-retention-set");
        assert.deepEqual(retention?.getConfigschema()?.getProperties()?.toJavaScript()["minimumRetentionDays"], {
            type: "integer",
            minimum: 1,
            default: 365,
            description: "The fewest days a log group may keep its events.",
        });
    });

    it("finds nothing wrong with the program, resource by resource and as a stack", async function () {
        assert.deepEqual(await analyzeAll(resources.map(toEngineResource)), []);
    });

    it("finds nothing wrong, and skips nothing, in a first preview where every ARN is still unknown", async function () {
        const preview = resources.map(toEngineResource).map((r) => ({
            ...r,
            inputs: asFirstPreview(r.inputs) as Record<string, unknown>,
            outputs: asFirstPreview(r.outputs) as Record<string, unknown>,
        }));
        const trail = preview.find((r) => r.name === "login-alerts-trail");
        assert.equal(trail?.inputs["cloudWatchLogsGroupArn"], UNKNOWN_ON_THE_WIRE);
        assert.deepEqual(await analyzeAll(preview), []);
    });

    it("stops a webhook in a Lambda environment variable, sent as a secret", async function () {
        const stack = edited(resources, "login-alerts-function", (fn) => {
            (fn.inputs["environment"] as { variables: Record<string, string> }).variables["SLACK_WEBHOOK_URL"] = WEBHOOK;
            fn.secretPaths.push("environment.variables.SLACK_WEBHOOK_URL");
        });
        const fn = stack.find((r) => r.name === "login-alerts-function") as EngineResource;
        const variables = (fn.inputs["environment"] as { variables: Record<string, unknown> }).variables;
        assert.deepEqual(variables["SLACK_WEBHOOK_URL"], { [SIG_KEY]: SECRET_SIG, value: WEBHOOK });
        assert.deepEqual(await analyze(fn), [
            {
                policy: "slack-webhook-in-secret",
                pack: "console-login-alerts",
                enforcementLevel: "mandatory",
                // Analyze answers about the one resource it was asked about; the engine attaches its URN.
                urn: "",
                message: shown(
                    "slack-webhook-in-secret",
                    'Resource "login-alerts-function" (aws:lambda/function:Function) has a Slack webhook URL in environment.variables.SLACK_WEBHOOK_URL, ' +
                        "where it is stored in plain text and shown to anyone who can read the resource; keep the URL only in an SSM SecureString parameter's value " +
                        "or a Secrets Manager secret version's secretString and read it from there at run time.",
                ),
            },
        ]);
    });

    it("stops a webhook in the serialized code of the function, sent as an asset archive", async function () {
        const stack = edited(resources, "login-alerts-function", (fn) => {
            const code = fn.inputs["code"] as { assets: Record<string, { kind: "asset"; text: string }> };
            code.assets["__index.js"] = {
                kind: "asset",
                text: `var __settings = {slackWebhookUrl: "${WEBHOOK}"};\n${code.assets["__index.js"]?.text ?? ""}`,
            };
        });
        const fn = stack.find((r) => r.name === "login-alerts-function") as EngineResource;
        const found = await analyze(fn);
        assert.deepEqual(
            found.map((d) => [d.policy, d.enforcementLevel]),
            [["slack-webhook-in-secret", "mandatory"]],
        );
        assert.match(found[0]?.message ?? "", /has a Slack webhook URL in code\["__index\.js"\], where/);
    });

    it("stops a trail without CloudWatch Logs, reported by the stack analysis against the trail", async function () {
        const stack = edited(resources, "login-alerts-trail", (trail) => {
            for (const props of [trail.inputs, trail.state]) {
                delete props["cloudWatchLogsGroupArn"];
                delete props["cloudWatchLogsRoleArn"];
            }
            delete trail.propertyDependencies["cloudWatchLogsGroupArn"];
            delete trail.propertyDependencies["cloudWatchLogsRoleArn"];
        });
        const trailUrn = stack.find((r) => r.name === "login-alerts-trail")?.urn ?? "";
        assert.deepEqual(
            (await analyzeStack(stack)).map((d) => [d.policy, d.enforcementLevel, d.urn, d.message]),
            [
                [
                    "trail-logs-to-cloudwatch",
                    "mandatory",
                    trailUrn,
                    shown(
                        "trail-logs-to-cloudwatch",
                        'Trail "login-alerts-trail" does not deliver its events to CloudWatch Logs, so no metric filter or alarm ever sees a console sign-in; ' +
                            'set cloudWatchLogsGroupArn to the log group\'s ARN followed by ":*".',
                    ),
                ],
                [
                    "trail-logs-to-cloudwatch",
                    "mandatory",
                    trailUrn,
                    shown(
                        "trail-logs-to-cloudwatch",
                        'Trail "login-alerts-trail" has no cloudWatchLogsRoleArn, so CloudTrail cannot write to a log group; ' +
                            "set it to the ARN of a role that cloudtrail.amazonaws.com can assume and that allows logs:PutLogEvents on the group.",
                    ),
                ],
            ],
        );
    });

    it("warns about an alarm topic encrypted with alias/aws/sns", async function () {
        const stack = edited(resources, "login-alerts-alarms", (topic) => {
            topic.inputs["kmsMasterKeyId"] = "alias/aws/sns";
            topic.state["kmsMasterKeyId"] = "alias/aws/sns";
        });
        const topicUrn = stack.find((r) => r.name === "login-alerts-alarms")?.urn ?? "";
        assert.deepEqual(
            (await analyzeStack(stack)).map((d) => [d.policy, d.enforcementLevel, d.urn]),
            [["alarm-topic-usable-by-cloudwatch", "advisory", topicUrn]],
        );
    });

    it("applies the policy config the engine sends: a level raised to mandatory and minimumRetentionDays", async function () {
        const request = new analyzer.ConfigureAnalyzerRequest();
        request
            .getPolicyconfigMap()
            .set(
                "alarms-have-actions",
                new analyzer.PolicyConfig()
                    .setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY)
                    .setProperties(Struct.fromJavaScript({})),
            );
        request
            .getPolicyconfigMap()
            .set(
                "log-retention-set",
                new analyzer.PolicyConfig()
                    .setEnforcementlevel(analyzer.EnforcementLevel.ADVISORY)
                    .setProperties(Struct.fromJavaScript({ minimumRetentionDays: 400 })),
            );
        await call(client.configure, request);
        try {
            const stack = edited(resources, "login-alerts-root-activity-alarm", (alarm) => {
                alarm.inputs["alarmActions"] = [];
            });
            const alarm = stack.find((r) => r.name === "login-alerts-root-activity-alarm") as EngineResource;
            const logGroup = stack.find((r) => r.name === "login-alerts-trail-logs") as EngineResource;
            assert.deepEqual(
                (await analyze(alarm)).map((d) => [d.policy, d.enforcementLevel]),
                [["alarms-have-actions", "mandatory"]],
            );
            assert.deepEqual(
                (await analyze(logGroup)).map((d) => [d.policy, d.enforcementLevel, d.message]),
                [
                    [
                        "log-retention-set",
                        "advisory",
                        shown(
                            "log-retention-set",
                            'Log group "login-alerts-trail-logs" keeps events for 365 days, fewer than the required 400; set retentionInDays to at least 400, or leave it unset to keep events forever.',
                        ),
                    ],
                ],
            );
        } finally {
            await call(client.configure, new analyzer.ConfigureAnalyzerRequest());
        }
    });
});
