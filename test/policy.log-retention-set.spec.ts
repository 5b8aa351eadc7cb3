import { strict as assert } from "assert";
import { logRetentionSet } from "../policy/policies/logRetentionSet";
import { UNKNOWN_ON_THE_WIRE, check, messages, resource, withProps } from "./support/policyHarness";

function logGroup(retentionInDays?: unknown) {
    return resource({
        type: "aws:cloudwatch/logGroup:LogGroup",
        name: "trail-logs",
        inputs: retentionInDays === undefined ? {} : { retentionInDays },
    });
}

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

    it("passes in preview, when the retention is computed", async () => {
        assert.deepEqual(await check(logRetentionSet, [withProps(logGroup(30), { retentionInDays: UNKNOWN_ON_THE_WIRE })]), []);
    });
});
