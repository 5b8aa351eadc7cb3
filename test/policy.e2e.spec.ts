/**
 * The pack as the Pulumi CLI runs it (see support/policyPackProcess.ts): one process, spoken to
 * over gRPC as the engine speaks to it.
 */
import { strict as assert } from "assert";
import { runProgramOffline, type RecordedResource } from "../tools/offlineEngine";
import { SECRET_SIG, SIG_KEY, UNKNOWN_ON_THE_WIRE, toEngineResource, type EngineResource } from "../tools/engineWire";
import { withEveryArnUnknown } from "./support/policyHarness";
import { LEVELS, Struct, analyzer, shown, startPolicyPack, type PolicyPackProcess } from "./support/policyPackProcess";

const WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
const WEBHOOK_KEY = "console-login-alerts:slackWebhookUrl";

function edited(resources: RecordedResource[], name: string, change: (r: RecordedResource) => void): EngineResource[] {
    const copy = structuredClone(resources);
    const target = copy.find((r) => r.name === name);
    assert.ok(target, name);
    change(target);
    return copy.map(toEngineResource);
}

describe("the policy pack, run as the Pulumi CLI runs it", function () {
    let pack: PolicyPackProcess;
    let resources: RecordedResource[];
    let started = 0;
    const analyze = (r: EngineResource) => pack.analyze(r);
    const analyzeStack = (rs: EngineResource[]) => pack.analyzeStack(rs);
    const analyzeAll = (rs: EngineResource[]) => pack.analyzeAll(rs);

    before(async function () {
        this.timeout(120_000);
        started = Date.now();
        const program = runProgramOffline({ config: { [WEBHOOK_KEY]: WEBHOOK }, secretKeys: [WEBHOOK_KEY] });
        pack = await startPolicyPack();
        resources = (await program).resources;
    });

    after(function () {
        pack?.close();
        const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
        console.log(
            `      policy pack e2e: analyzer serving after ${seconds(pack?.startMs ?? 0)} (one start); whole suite ${seconds(Date.now() - started)}`,
        );
    });

    it("describes the pack and every policy, with its enforcement level and config schema", async function () {
        const info = await pack.info();
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
                ["alarm-topic-usable-by-cloudwatch", "mandatory"],
                ["alert-lambda-has-failure-destination", "advisory"],
                ["alert-lambda-invocable", "advisory"],
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
        const preview = withEveryArnUnknown(resources.map(toEngineResource));
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

    it("stops an alarm topic encrypted with alias/aws/sns, which CloudWatch cannot use", async function () {
        const stack = edited(resources, "login-alerts-alarms", (topic) => {
            topic.inputs["kmsMasterKeyId"] = "alias/aws/sns";
            topic.state["kmsMasterKeyId"] = "alias/aws/sns";
        });
        const topicUrn = stack.find((r) => r.name === "login-alerts-alarms")?.urn ?? "";
        assert.deepEqual(
            (await analyzeStack(stack)).map((d) => [d.policy, d.enforcementLevel, d.urn]),
            [["alarm-topic-usable-by-cloudwatch", "mandatory", topicUrn]],
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
        await pack.configure(request);
        try {
            // Both are stack policies: which alarms and log groups they judge depends on the rest of the stack.
            const stack = edited(resources, "login-alerts-root-activity-alarm", (alarm) => {
                alarm.inputs["alarmActions"] = [];
                alarm.state["alarmActions"] = [];
            });
            const urnOf = (name: string) => stack.find((r) => r.name === name)?.urn ?? "";
            assert.deepEqual((await analyzeStack(stack)).map((d) => [d.policy, d.enforcementLevel, d.urn, d.message]).sort(), [
                [
                    "alarms-have-actions",
                    "mandatory",
                    urnOf("login-alerts-root-activity-alarm"),
                    shown(
                        "alarms-have-actions",
                        'Alarm "login-alerts-root-activity-alarm" has no alarmActions, so it goes into ALARM without telling anyone; add the alert topic\'s ARN to alarmActions.',
                    ),
                ],
                [
                    "log-retention-set",
                    "advisory",
                    urnOf("login-alerts-trail-logs"),
                    shown(
                        "log-retention-set",
                        'Log group "login-alerts-trail-logs" keeps events for 365 days, fewer than the required 400; set retentionInDays to at least 400, or leave it unset to keep events forever.',
                    ),
                ],
            ]);
        } finally {
            await pack.configure(new analyzer.ConfigureAnalyzerRequest());
        }
    });
});
