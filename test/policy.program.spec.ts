import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { runProgramOffline, type PlanAsset, type RecordedResource } from "../tools/offlineEngine";
import { checkResources } from "../tools/policyCheck";

const WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
const WEBHOOK_KEY = "console-login-alerts:slackWebhookUrl";

/**
 * The stack as the engine would present it after a user's change: a copy of the recorded
 * resources with one of them edited, inputs and outputs alike.
 */
function edit(resources: RecordedResource[], name: string, change: (r: RecordedResource) => void): RecordedResource[] {
    const copy = structuredClone(resources);
    const target = copy.find((r) => r.name === name);
    assert.ok(target, `no resource named ${name}`);
    change(target);
    return copy;
}

function without(resources: RecordedResource[], name: string): RecordedResource[] {
    assert.ok(
        resources.some((r) => r.name === name),
        `no resource named ${name}`,
    );
    return structuredClone(resources.filter((r) => r.name !== name));
}

function setProp(r: RecordedResource, path: string[], value: unknown): void {
    for (const props of [r.inputs, r.state]) {
        let at = props as Record<string, unknown>;
        for (const key of path.slice(0, -1)) {
            at = (at[key] ??= {}) as Record<string, unknown>;
        }
        const last = path[path.length - 1] as string;
        if (value === undefined) {
            delete at[last];
        } else {
            at[last] = value;
        }
    }
}

function urnOf(resources: RecordedResource[], name: string): string {
    const r = resources.find((x) => x.name === name);
    assert.ok(r, `no resource named ${name}`);
    return r.urn;
}

const plainText = (path: string) =>
    `Resource "login-alerts-function" (aws:lambda/function:Function) has a Slack webhook URL in ${path}, where it is stored in plain text and shown to anyone ` +
    "who can read the resource; keep the URL only in an SSM SecureString parameter's value or a Secrets Manager secret version's secretString and read it from there at run time.";

describe("the policy pack on the real program", function () {
    let resources: RecordedResource[];

    before(async function () {
        const run = await runProgramOffline({ config: { [WEBHOOK_KEY]: WEBHOOK }, secretKeys: [WEBHOOK_KEY] });
        resources = run.resources;
    });

    it("finds nothing wrong with the stack the program declares", async function () {
        assert.deepEqual(await checkResources(resources), { violations: [], mandatoryFailed: false });
    });

    it("stops a webhook passed to the function as an environment variable", async function () {
        const broken = edit(resources, "login-alerts-function", (fn) => {
            setProp(fn, ["environment", "variables", "SLACK_WEBHOOK_URL"], WEBHOOK);
            fn.secretPaths.push("environment.variables.SLACK_WEBHOOK_URL");
        });
        assert.deepEqual(await checkResources(broken), {
            violations: [
                {
                    policy: "slack-webhook-in-secret",
                    enforcementLevel: "mandatory",
                    urn: urnOf(resources, "login-alerts-function"),
                    message: plainText("environment.variables.SLACK_WEBHOOK_URL"),
                },
            ],
            mandatoryFailed: true,
        });
    });

    it("stops a callback that captured the configuration with the webhook in it", async function () {
        // What CallbackFunction would upload had the handler closed over the stack settings.
        const settings = { slackWebhookUrl: WEBHOOK, timeZone: "UTC" };
        const serialized = await pulumi.runtime.serializeFunction(() => async () => JSON.stringify(settings), { isFactoryFunction: true });
        const broken = edit(resources, "login-alerts-function", (fn) => {
            for (const props of [fn.inputs, fn.state]) {
                const code = props["code"] as Extract<PlanAsset, { kind: "archive" }>;
                assert.ok(code.assets?.["__index.js"]);
                code.assets["__index.js"] = { kind: "asset", text: serialized.text };
            }
        });
        const result = await checkResources(broken);
        assert.deepEqual(result.violations, [
            {
                policy: "slack-webhook-in-secret",
                enforcementLevel: "mandatory",
                urn: urnOf(resources, "login-alerts-function"),
                message: plainText('code["__index.js"]'),
            },
        ]);
        assert.equal(result.mandatoryFailed, true);
    });

    it("stops a trail that does not deliver to CloudWatch Logs", async function () {
        const broken = edit(resources, "login-alerts-trail", (trail) => {
            setProp(trail, ["cloudWatchLogsGroupArn"], undefined);
            setProp(trail, ["cloudWatchLogsRoleArn"], undefined);
            delete trail.propertyDependencies["cloudWatchLogsGroupArn"];
            delete trail.propertyDependencies["cloudWatchLogsRoleArn"];
        });
        const result = await checkResources(broken);
        assert.deepEqual(
            result.violations.map((v) => [v.policy, v.enforcementLevel, v.urn, v.message]),
            [
                [
                    "trail-logs-to-cloudwatch",
                    "mandatory",
                    urnOf(resources, "login-alerts-trail"),
                    'Trail "login-alerts-trail" does not deliver its events to CloudWatch Logs, so no metric filter or alarm ever sees a console sign-in; ' +
                        'set cloudWatchLogsGroupArn to the log group\'s ARN followed by ":*".',
                ],
                [
                    "trail-logs-to-cloudwatch",
                    "mandatory",
                    urnOf(resources, "login-alerts-trail"),
                    'Trail "login-alerts-trail" has no cloudWatchLogsRoleArn, so CloudTrail cannot write to a log group; ' +
                        "set it to the ARN of a role that cloudtrail.amazonaws.com can assume and that allows logs:PutLogEvents on the group.",
                ],
            ],
        );
        assert.equal(result.mandatoryFailed, true);
    });

    it("stops a trail role whose policy no longer lets CloudTrail write to the log group", async function () {
        const broken = edit(resources, "login-alerts-trail-logs-policy", (policy) => {
            setProp(
                policy,
                ["policy"],
                JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "logs:CreateLogStream", Resource: "*" }] }),
            );
        });
        const result = await checkResources(broken);
        assert.deepEqual(
            result.violations.map((v) => [v.policy, v.urn]),
            [
                // Resource "*" for logs:CreateLogStream is also worth a word.
                ["no-wildcard-iam", urnOf(resources, "login-alerts-trail-logs-policy")],
                ["trail-logs-to-cloudwatch", urnOf(resources, "login-alerts-trail-logs-role")],
            ],
        );
    });

    it("stops an alarm topic encrypted with alias/aws/sns, which CloudWatch cannot use", async function () {
        const broken = edit(resources, "login-alerts-alarms", (topic) => setProp(topic, ["kmsMasterKeyId"], "alias/aws/sns"));
        const result = await checkResources(broken);
        assert.deepEqual(
            result.violations.map((v) => [v.policy, v.enforcementLevel, v.urn]),
            [["alarm-topic-usable-by-cloudwatch", "mandatory", urnOf(resources, "login-alerts-alarms")]],
        );
        assert.equal(result.mandatoryFailed, true);
    });

    it("warns when the function loses its on-failure destination", async function () {
        const broken = without(resources, "login-alerts-function-retries");
        assert.deepEqual(
            (await checkResources(broken)).violations.map((v) => [v.policy, v.urn]),
            [["alert-lambda-has-failure-destination", urnOf(resources, "login-alerts-function")]],
        );
    });

    it("warns about a function policy widened to a whole service, short log retention and a silent alarm", async function () {
        let broken = edit(resources, "login-alerts-function-policy", (policy) => {
            const doc = JSON.parse(String(policy.inputs["policy"])) as { Statement: Array<{ Sid: string; Action: unknown }> };
            doc.Statement.filter((s) => s.Sid === "TrackPostedEvents").forEach((s) => (s.Action = "dynamodb:*"));
            setProp(policy, ["policy"], JSON.stringify(doc));
        });
        broken = edit(broken, "login-alerts-trail-logs", (logGroup) => setProp(logGroup, ["retentionInDays"], 30));
        broken = edit(broken, "login-alerts-root-activity-alarm", (alarm) => setProp(alarm, ["alarmActions"], []));
        const result = await checkResources(broken);
        // Sorted: the engine reports resources in registration order, which says nothing about the policies.
        assert.deepEqual(result.violations.map((v) => [v.policy, v.enforcementLevel, v.urn]).sort(), [
            ["alarms-have-actions", "advisory", urnOf(resources, "login-alerts-root-activity-alarm")],
            ["log-retention-set", "advisory", urnOf(resources, "login-alerts-trail-logs")],
            ["no-wildcard-iam", "advisory", urnOf(resources, "login-alerts-function-policy")],
        ]);
        assert.equal(result.mandatoryFailed, false);
    });
});
