import { strict as assert } from "assert";
import { runProgramOffline, type RecordedResource } from "../tools/offlineEngine";
import { checkResources } from "../tools/policyCheck";

const WEBHOOK_KEY = "console-login-alerts:slackWebhookUrl";

describe("policy pack config", function () {
    let resources: RecordedResource[];
    let silentAlarm: RecordedResource[];

    before(async function () {
        const run = await runProgramOffline({
            config: { [WEBHOOK_KEY]: "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX" },
            secretKeys: [WEBHOOK_KEY],
        });
        resources = run.resources;
        silentAlarm = structuredClone(resources);
        for (const r of silentAlarm.filter((x) => x.name === "login-alerts-signin-failures-alarm")) {
            r.inputs["alarmActions"] = [];
            r.state["alarmActions"] = [];
        }
    });

    it("reports an advisory policy as advisory by default, so the preview goes on", async function () {
        const result = await checkResources(silentAlarm);
        assert.deepEqual(
            result.violations.map((v) => [v.policy, v.enforcementLevel]),
            [["alarms-have-actions", "advisory"]],
        );
        assert.equal(result.mandatoryFailed, false);
    });

    it("makes an advisory policy mandatory when the config says so, as a level or an object", async function () {
        for (const config of [{ "alarms-have-actions": "mandatory" }, { "alarms-have-actions": { enforcementLevel: "mandatory" } }]) {
            const result = await checkResources(silentAlarm, config);
            assert.deepEqual(
                result.violations.map((v) => [v.policy, v.enforcementLevel]),
                [["alarms-have-actions", "mandatory"]],
                JSON.stringify(config),
            );
            assert.equal(result.mandatoryFailed, true);
        }
    });

    it("can switch a policy off", async function () {
        assert.deepEqual(await checkResources(silentAlarm, { "alarms-have-actions": "disabled" }), {
            violations: [],
            mandatoryFailed: false,
        });
    });

    it("holds every log group to minimumRetentionDays", async function () {
        const result = await checkResources(resources, {
            "log-retention-set": { enforcementLevel: "mandatory", minimumRetentionDays: 400 },
        });
        assert.deepEqual(
            result.violations.map((v) => [v.policy, v.enforcementLevel, v.message]),
            // Only the trail's log group holds sign-in history; the function's logs are not held to the minimum.
            ["login-alerts-trail-logs"].map((name) => [
                "log-retention-set",
                "mandatory",
                `Log group "${name}" keeps events for 365 days, fewer than the required 400; set retentionInDays to at least 400, or leave it unset to keep events forever.`,
            ]),
        );
        assert.equal(result.mandatoryFailed, true);
    });

    it("passes the program's 365-day retention at the default minimum", async function () {
        assert.deepEqual((await checkResources(resources, { "log-retention-set": { minimumRetentionDays: 365 } })).violations, []);
    });
});
