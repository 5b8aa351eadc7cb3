import { strict as assert } from "assert";
import { exemptionFor } from "../policy/lib/exemptions";
import { policies } from "../policy/policies";
import { check, messages, resource, signInFilter, type EngineResource } from "./support/policyHarness";

function registered(name: string) {
    const policy = policies.find((p) => p.name === name);
    assert.ok(policy, name);
    return policy;
}

function silentAlarm(name = "team-b-alarm") {
    return resource({
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name,
        inputs: { metricName: "console-signin", namespace: "ConsoleLoginAlerts", threshold: 1, alarmActions: [] },
    });
}

function unloggedTrail(name: string): EngineResource {
    return resource({ type: "aws:cloudtrail/trail:Trail", name, inputs: { name, s3BucketName: "org-trail-bucket" } });
}

const NO_ACTIONS = (name: string) =>
    `Alarm "${name}" has no alarmActions, so it goes into ALARM without telling anyone; add the alert topic's ARN to alarmActions.`;

const reason = "Owned by team B, which pages through its own dashboard.";

describe("policy exemptions", () => {
    it("declares an exemptions property in every policy's config schema, next to the policy's own properties", () => {
        for (const policy of policies) {
            assert.ok(policy.configSchema?.properties["exemptions"], policy.name);
        }
        assert.ok(registered("log-retention-set").configSchema?.properties["minimumRetentionDays"]);
    });

    it("skips a resource policy for a resource exempted by URN", async () => {
        const alarm = silentAlarm();
        const config = { "alarms-have-actions": { exemptions: [{ urn: alarm.urn, reason }] } };
        assert.deepEqual(await check(registered("alarms-have-actions"), [alarm], config), []);
    });

    it("skips a resource policy for a resource exempted by name, and only for that one", async () => {
        const config = { "alarms-have-actions": { exemptions: [{ name: "team-b-alarm", reason }] } };
        assert.deepEqual(await messages(registered("alarms-have-actions"), [silentAlarm(), silentAlarm("team-c-alarm")], config), [
            NO_ACTIONS("team-c-alarm"),
        ]);
    });

    it("skips a resource policy for resources exempted by a type pattern", async () => {
        const config = { "alarms-have-actions": { exemptions: [{ type: "aws:cloudwatch/*", reason }] } };
        assert.deepEqual(await check(registered("alarms-have-actions"), [silentAlarm(), silentAlarm("team-c-alarm")], config), []);
    });

    it("does not skip a resource whose type the pattern does not match", async () => {
        const config = { "alarms-have-actions": { exemptions: [{ type: "aws:s3/*", reason }] } };
        assert.deepEqual(await messages(registered("alarms-have-actions"), [silentAlarm()], config), [NO_ACTIONS("team-b-alarm")]);
    });

    it("requires every selector of an entry to match", async () => {
        const config = { "alarms-have-actions": { exemptions: [{ name: "team-b-alarm", type: "aws:s3/*", reason }] } };
        assert.deepEqual(await messages(registered("alarms-have-actions"), [silentAlarm()], config), [NO_ACTIONS("team-b-alarm")]);
    });

    it("keeps an exemption to its own policy", async () => {
        const config = { "log-retention-set": { exemptions: [{ name: "team-b-alarm", reason }] } };
        assert.deepEqual(await messages(registered("alarms-have-actions"), [silentAlarm()], config), [NO_ACTIONS("team-b-alarm")]);
    });

    it("drops a stack policy's violations against an exempted resource and keeps the others", async () => {
        const config = {
            "trail-logs-to-cloudwatch": {
                exemptions: [{ name: "audit-trail", reason: "The audit team's trail feeds its SIEM, not alerts." }],
            },
        };
        assert.deepEqual(
            // The sign-in filter reads a group no trail feeds, so both trails are held to delivering.
            await check(
                registered("trail-logs-to-cloudwatch"),
                [unloggedTrail("audit-trail"), unloggedTrail("team-b-trail"), signInFilter("signin-filter", "trail-logs")],
                config,
            ),
            [
                'Trail "team-b-trail" does not deliver its events to CloudWatch Logs, so no metric filter or alarm ever sees a console sign-in; ' +
                    'set cloudWatchLogsGroupArn to the log group\'s ARN followed by ":*".',
                'Trail "team-b-trail" has no cloudWatchLogsRoleArn, so CloudTrail cannot write to a log group; ' +
                    "set it to the ARN of a role that cloudtrail.amazonaws.com can assume and that allows logs:PutLogEvents on the group.",
            ].map((message) => ({
                policy: "trail-logs-to-cloudwatch",
                enforcementLevel: "mandatory",
                urn: unloggedTrail("team-b-trail").urn,
                message,
            })),
        );
    });

    it("ignores an entry that names no resource", () => {
        assert.equal(
            exemptionFor([{ reason }], { urn: silentAlarm().urn, name: "team-b-alarm", type: "aws:cloudwatch/metricAlarm:MetricAlarm" }),
            undefined,
        );
    });
});
