import { strict as assert } from "assert";
import { expandAction, takesResourceArn } from "../policy/lib/actions";
import type { Statement } from "../policy/lib/iam";
import { identityPoliciesAllow, resourcePolicyAllows, resourcePolicyMayAllow, trustsAnyone } from "../policy/lib/simulate";

const ACCOUNT = "111122223333";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/trail-logs-role`;
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/login-alerts-dev`;
const STREAM = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:trail-logs:log-stream:${ACCOUNT}_CloudTrail_us-east-1`;
const cloudTrail = { Service: "cloudtrail.amazonaws.com" };
const assume = { principal: "cloudtrail.amazonaws.com", action: "sts:AssumeRole", resource: ROLE, account: ACCOUNT };
const forTrail = { ...assume, context: { "aws:SourceArn": TRAIL, "aws:SourceAccount": ACCOUNT } };

describe("policy lib: IAM decisions through iam-simulate", () => {
    const trustCases: Array<[what: string, statements: Statement[], expected: string]> = [
        ["the CloudTrail principal", [{ Effect: "Allow", Principal: cloudTrail, Action: "sts:AssumeRole" }], "allowed"],
        ["a wildcard action", [{ Effect: "Allow", Principal: cloudTrail, Action: "sts:Assume*" }], "allowed"],
        ["NotAction leaving AssumeRole in", [{ Effect: "Allow", Principal: cloudTrail, NotAction: "sts:TagSession" }], "allowed"],
        ["the Lambda principal", [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }], "denied"],
        [
            "a condition on this trail",
            [{ Effect: "Allow", Principal: cloudTrail, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceArn": TRAIL } } }],
            "allowed",
        ],
        [
            "a condition on another trail",
            [
                {
                    Effect: "Allow",
                    Principal: cloudTrail,
                    Action: "sts:AssumeRole",
                    Condition: { ArnLike: { "aws:SourceArn": `${TRAIL}-other` } },
                },
            ],
            "denied",
        ],
        [
            "an explicit deny after the allow",
            [
                { Effect: "Allow", Principal: cloudTrail, Action: "sts:AssumeRole" },
                { Effect: "Deny", Principal: "*", Action: "sts:*" },
            ],
            "denied",
        ],
    ];
    for (const [what, statements, expected] of trustCases) {
        it(`judges a trust policy naming ${what}: ${expected}`, async () => {
            assert.equal(await resourcePolicyAllows(statements, forTrail), expected);
        });
    }

    it("tells a condition on another source from no grant at all, in Discovery mode", async () => {
        const other = [
            {
                Effect: "Allow",
                Principal: cloudTrail,
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceArn": `${TRAIL}-x` } },
            },
        ];
        assert.equal(await resourcePolicyMayAllow(other, assume), "allowed");
        assert.equal(
            await resourcePolicyMayAllow(
                [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
                assume,
            ),
            "denied",
        );
    });

    it("finds a trust policy that lets in any principal, unless a condition holds it back", async () => {
        assert.equal(await trustsAnyone([{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }], ROLE, ACCOUNT), true);
        assert.equal(await trustsAnyone([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }], ROLE, ACCOUNT), true);
        const conditioned = [
            { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceArn": TRAIL } } },
        ];
        assert.equal(await trustsAnyone(conditioned, ROLE, ACCOUNT), false);
        assert.equal(await trustsAnyone([{ Effect: "Allow", Principal: cloudTrail, Action: "sts:AssumeRole" }], ROLE, ACCOUNT), false);
    });

    const writeCases: Array<[what: string, statement: Statement, action: string, expected: string]> = [
        [
            "the group's streams",
            { Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:*:log-group:trail-logs:*" },
            "logs:PutLogEvents",
            "allowed",
        ],
        [
            "another group",
            { Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:*:*:log-group:other:*" },
            "logs:PutLogEvents",
            "denied",
        ],
        ["logs:Put*", { Effect: "Allow", Action: "logs:Put*", Resource: "*" }, "logs:PutLogEvents", "allowed"],
        ["NotAction logs:PutLogEvents", { Effect: "Allow", NotAction: "logs:PutLogEvents", Resource: "*" }, "logs:PutLogEvents", "denied"],
        [
            "NotResource of the group",
            { Effect: "Allow", Action: "logs:*", NotResource: "arn:aws:logs:*:*:log-group:trail-logs:*" },
            "logs:CreateLogStream",
            "denied",
        ],
    ];
    for (const [what, statement, action, expected] of writeCases) {
        it(`judges an identity policy allowing ${action} with ${what}: ${expected}`, async () => {
            assert.equal(
                await identityPoliciesAllow([statement], { principal: ROLE, action, resource: STREAM, account: ACCOUNT }),
                expected,
            );
        });
    }
});

describe("policy lib: actions that take a resource ARN (Service Authorization Reference)", () => {
    const cases: Array<[action: string, expected: boolean]> = [
        ["ecr:GetAuthorizationToken", false],
        ["ec2:DescribeSubnets", false],
        ["ec2:DescribeInstanceAttribute", false],
        ["cloudwatch:PutMetricData", false],
        ["sts:GetCallerIdentity", false],
        ["logs:PutLogEvents", true],
        ["ssm:GetParameter", true],
        ["dynamodb:PutItem", true],
        ["ecr:BatchGetImage", true],
    ];
    for (const [entry, expected] of cases) {
        it(`${entry}: ${expected ? "takes a resource ARN" : 'is granted on "*"'}`, async () => {
            const [action] = await expandAction(entry);
            assert.ok(action, entry);
            assert.equal(await takesResourceArn(action.service, action.action), expected);
        });
    }

    it("expands patterns case-insensitively and knows no unknown service", async () => {
        assert.deepEqual(await expandAction("STS:GetCallerIdentity"), [{ service: "sts", action: "GetCallerIdentity" }]);
        assert.ok((await expandAction("ec2:Describe*")).length > 100);
        assert.deepEqual(await expandAction("nosuchservice:Get*"), []);
    });
});
