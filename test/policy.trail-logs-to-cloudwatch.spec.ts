import { strict as assert } from "assert";
import { trailLogsToCloudWatch } from "../policy/policies/trailLogsToCloudWatch";
import {
    ACCOUNT,
    REGION,
    UNKNOWN_ON_THE_WIRE,
    check,
    policyDocument,
    replace,
    resource,
    withProps,
    withoutDependency,
    signInTrail,
} from "./support/policyHarness";

const GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:trail-logs-18a1fb5`;

const writeTrailLogs = policyDocument({
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${GROUP_ARN}:log-stream:*`,
});

function trailStack() {
    const t = signInTrail();
    return { ...t, all: [t.logGroup, t.role, t.rolePolicy, t.trail, t.filter] };
}

describe("policy trail-logs-to-cloudwatch", () => {
    it("passes a trail that delivers to its log group through a role CloudTrail can assume and write with", async () => {
        assert.deepEqual(await check(trailLogsToCloudWatch, trailStack().all), []);
    });

    it("passes in preview, when the ARNs and the role policy are not known yet", async () => {
        const s = trailStack();
        const resources = [
            withProps(s.logGroup, { arn: UNKNOWN_ON_THE_WIRE }),
            withProps(s.role, { arn: UNKNOWN_ON_THE_WIRE }),
            withProps(s.rolePolicy, { policy: UNKNOWN_ON_THE_WIRE, role: UNKNOWN_ON_THE_WIRE }),
            withProps(s.trail, { cloudWatchLogsGroupArn: UNKNOWN_ON_THE_WIRE, cloudWatchLogsRoleArn: UNKNOWN_ON_THE_WIRE }),
        ];
        assert.deepEqual(await check(trailLogsToCloudWatch, resources), []);
    });

    it("still finds the wiring by value when the ARNs are hard-coded", async () => {
        const s = trailStack();
        const trail = withoutDependency(withoutDependency(s.trail, "cloudWatchLogsGroupArn"), "cloudWatchLogsRoleArn");
        const rolePolicy = withoutDependency(
            withProps(s.rolePolicy, { policy: policyDocument({ Effect: "Allow", Action: "logs:CreateLogStream", Resource: "*" }) }),
            "role",
        );
        const violations = await check(trailLogsToCloudWatch, [s.logGroup, s.role, rolePolicy, trail, s.filter]);
        assert.deepEqual(
            violations.map((v) => v.urn),
            [s.role.urn],
        );
    });

    it("flags a trail with no cloudWatchLogsGroupArn", async () => {
        const s = trailStack();
        const violations = await check(trailLogsToCloudWatch, replace(s.all, withProps(s.trail, { cloudWatchLogsGroupArn: undefined })));
        assert.deepEqual(violations, [
            {
                policy: "trail-logs-to-cloudwatch",
                enforcementLevel: "mandatory",
                urn: s.trail.urn,
                message:
                    'Trail "trail" does not deliver its events to CloudWatch Logs, so no metric filter or alarm ever sees a console sign-in; ' +
                    'set cloudWatchLogsGroupArn to the log group\'s ARN followed by ":*".',
            },
        ]);
    });

    it('flags a cloudWatchLogsGroupArn without the ":*" CloudTrail requires', async () => {
        const s = trailStack();
        const violations = await check(trailLogsToCloudWatch, replace(s.all, withProps(s.trail, { cloudWatchLogsGroupArn: GROUP_ARN })));
        assert.deepEqual(
            violations.map((v) => [v.urn, v.message]),
            [
                [
                    s.trail.urn,
                    `Trail "trail" has cloudWatchLogsGroupArn "${GROUP_ARN}", which is not a log group ARN ending in ":*", and CloudTrail rejects it; ` +
                        'set it to the log group\'s ARN followed by ":*".',
                ],
            ],
        );
    });

    it("flags a trail with no cloudWatchLogsRoleArn", async () => {
        const s = trailStack();
        const violations = await check(trailLogsToCloudWatch, replace(s.all, withProps(s.trail, { cloudWatchLogsRoleArn: undefined })));
        assert.deepEqual(
            violations.map((v) => [v.urn, v.message]),
            [
                [
                    s.trail.urn,
                    'Trail "trail" has no cloudWatchLogsRoleArn, so CloudTrail cannot write to a log group; ' +
                        "set it to the ARN of a role that cloudtrail.amazonaws.com can assume and that allows logs:PutLogEvents on the group.",
                ],
            ],
        );
    });

    it("flags a role that CloudTrail cannot assume", async () => {
        const s = trailStack();
        const lambdaTrust = policyDocument({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" });
        const violations = await check(trailLogsToCloudWatch, replace(s.all, withProps(s.role, { assumeRolePolicy: lambdaTrust })));
        assert.deepEqual(
            violations.map((v) => [v.urn, v.message]),
            [
                [
                    s.role.urn,
                    'Role "trail-logs-role" delivers trail "trail" to CloudWatch Logs, but its assumeRolePolicy does not let cloudtrail.amazonaws.com assume it; ' +
                        'add an Allow statement for sts:AssumeRole with the principal { Service: "cloudtrail.amazonaws.com" }.',
                ],
            ],
        );
    });

    const cannotWrite =
        'Role "trail-logs-role" delivers trail "trail" to log group "trail-logs", but none of its policies allows logs:PutLogEvents on that group; ' +
        'add a role policy allowing logs:CreateLogStream and logs:PutLogEvents on the group\'s ARN followed by ":log-stream:*".';

    it("flags a role whose policy does not allow logs:PutLogEvents", async () => {
        const s = trailStack();
        const createOnly = policyDocument({ Effect: "Allow", Action: "logs:CreateLogStream", Resource: `${GROUP_ARN}:log-stream:*` });
        const violations = await check(trailLogsToCloudWatch, replace(s.all, withProps(s.rolePolicy, { policy: createOnly })));
        assert.deepEqual(
            violations.map((v) => [v.urn, v.message]),
            [[s.role.urn, cannotWrite]],
        );
    });

    it("flags a role allowed to write only to another log group", async () => {
        const s = trailStack();
        const otherGroup = policyDocument({
            Effect: "Allow",
            Action: "logs:PutLogEvents",
            Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:other:log-stream:*`,
        });
        const violations = await check(trailLogsToCloudWatch, replace(s.all, withProps(s.rolePolicy, { policy: otherGroup })));
        assert.deepEqual(
            violations.map((v) => v.message),
            [cannotWrite.replace("allows logs:PutLogEvents", "allows logs:CreateLogStream or logs:PutLogEvents")],
        );
    });

    it("flags a role with no policy at all", async () => {
        const s = trailStack();
        assert.deepEqual(
            (await check(trailLogsToCloudWatch, [s.logGroup, s.role, s.trail, s.filter])).map((v) => v.message),
            [cannotWrite.replace("allows logs:PutLogEvents", "allows logs:CreateLogStream or logs:PutLogEvents")],
        );
    });

    it("accepts the permission from an inline policy of the role", async () => {
        const s = trailStack();
        const role = withProps(s.role, { inlinePolicies: [{ name: "write-trail-logs", policy: writeTrailLogs }] });
        assert.deepEqual(await check(trailLogsToCloudWatch, [s.logGroup, role, s.trail, s.filter]), []);
    });

    it("gives the benefit of the doubt to a role with a managed policy from outside the stack", async () => {
        const s = trailStack();
        const attachment = resource({
            type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            name: "trail-logs-managed",
            inputs: { role: "trail-logs-role-d38dee3", policyArn: "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess" },
            dependsOn: { role: [s.role] },
        });
        assert.deepEqual(await check(trailLogsToCloudWatch, [s.logGroup, s.role, attachment, s.trail, s.filter]), []);
    });
});
