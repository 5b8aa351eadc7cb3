import { strict as assert } from "assert";
import { logRetentionSet } from "../policy/policies/logRetentionSet";
import type { AnyPolicy, PolicyPackConfig } from "../tools/policyCheck";
import {
    ACCOUNT,
    REGION,
    UNKNOWN_ON_THE_WIRE,
    check as checkStack,
    messages as messagesOf,
    resource,
    signInFilter,
    withProps,
    type EngineResource,
} from "./support/policyHarness";

const GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:trail-logs-18a1fb5`;

function logGroup(retentionInDays?: unknown) {
    return resource({
        type: "aws:cloudwatch/logGroup:LogGroup",
        name: "trail-logs",
        inputs: retentionInDays === undefined ? {} : { retentionInDays },
        outputs: { name: "trail-logs-18a1fb5", arn: GROUP_ARN },
    });
}

/** The group with a trail writing to it and a sign-in filter reading it: the sign-in history the policy is about. */
function signInHistory(group: EngineResource): EngineResource[] {
    const trail = resource({
        type: "aws:cloudtrail/trail:Trail",
        name: "trail",
        inputs: { name: "login-alerts-dev", cloudWatchLogsGroupArn: `${GROUP_ARN}:*` },
        dependsOn: { cloudWatchLogsGroupArn: [group] },
    });
    return [group, trail, signInFilter("signin-filter", group)];
}

const check = (policy: AnyPolicy, groups: EngineResource[], config?: PolicyPackConfig) =>
    Promise.all(groups.map((g) => checkStack(policy, signInHistory(g), config))).then((r) => r.flat());
const messages = (policy: AnyPolicy, groups: EngineResource[], config?: PolicyPackConfig) =>
    Promise.all(groups.map((g) => messagesOf(policy, signInHistory(g), config))).then((r) => r.flat());

describe("policy log-retention-set", () => {
    it("passes a log group kept for 365 days", async () => {
        assert.deepEqual(await check(logRetentionSet, [logGroup(365)]), []);
    });

    it("passes a log group that never expires its events, unset or 0", async () => {
        assert.deepEqual(await check(logRetentionSet, [logGroup(), logGroup(0)]), []);
    });

    it("flags a log group kept for fewer days than the default minimum of 365", async () => {
        const broken = logGroup(30);
        assert.deepEqual(await check(logRetentionSet, [broken]), [
            {
                policy: "log-retention-set",
                enforcementLevel: "advisory",
                urn: broken.urn,
                message:
                    'Log group "trail-logs" keeps events for 30 days, fewer than the required 365; set retentionInDays to at least 365, or leave it unset to keep events forever.',
            },
        ]);
    });

    it("uses minimumRetentionDays from the policy config", async () => {
        const config = { "log-retention-set": { minimumRetentionDays: 400 } };
        assert.deepEqual(await messages(logRetentionSet, [logGroup(365)], config), [
            'Log group "trail-logs" keeps events for 365 days, fewer than the required 400; set retentionInDays to at least 400, or leave it unset to keep events forever.',
        ]);
        assert.deepEqual(await check(logRetentionSet, [logGroup(545), logGroup()], config), []);
        assert.deepEqual(await check(logRetentionSet, [logGroup(30)], { "log-retention-set": { minimumRetentionDays: 30 } }), []);
    });

    it("leaves alone a log group no sign-in trail writes to (a function's 14-day logs)", async () => {
        assert.deepEqual(await checkStack(logRetentionSet, [logGroup(14)]), []);
    });

    it("passes in preview, when the retention is computed", async () => {
        assert.deepEqual(await check(logRetentionSet, [withProps(logGroup(30), { retentionInDays: UNKNOWN_ON_THE_WIRE })]), []);
    });
});
