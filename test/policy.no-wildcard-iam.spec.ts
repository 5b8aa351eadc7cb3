import { strict as assert } from "assert";
import { noWildcardIam } from "../policy/policies/noWildcardIam";
import { ACCOUNT, REGION, UNKNOWN_ON_THE_WIRE, check, messages, policyDocument, resource } from "./support/policyHarness";

const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/login-alerts-state-b6c21fc`;
const PARAMETER_ARN = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/console-login-alerts/login-alerts-dev/slack-webhook-url`;

const readWebhook = { Sid: "ReadWebhook", Effect: "Allow", Action: "ssm:GetParameter", Resource: PARAMETER_ARN };
const trackEvents = { Sid: "TrackPostedEvents", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: TABLE_ARN };

function rolePolicy(...statements: Array<Record<string, unknown>>) {
    return resource({
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "function-policy",
        inputs: { role: "function-role", policy: policyDocument(...statements) },
    });
}

describe("policy no-wildcard-iam", () => {
    it("passes a role policy of named actions on named resources", async () => {
        assert.deepEqual(await check(noWildcardIam, [rolePolicy(readWebhook, trackEvents)]), []);
    });

    it("flags a statement that allows every action", async () => {
        const broken = rolePolicy(readWebhook, { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" });
        assert.deepEqual(await check(noWildcardIam, [broken]), [
            {
                policy: "no-wildcard-iam",
                enforcementLevel: "advisory",
                urn: broken.urn,
                message:
                    'IAM role policy "function-policy" allows every action ("*") in statement "Admin"; list only the actions the principal calls.',
            },
        ]);
    });

    it("flags a statement that allows every action of a service", async () => {
        const broken = rolePolicy(readWebhook, { ...trackEvents, Action: ["dynamodb:*"] });
        assert.deepEqual(await messages(noWildcardIam, [broken]), [
            'IAM role policy "function-policy" allows every dynamodb action ("dynamodb:*") in statement "TrackPostedEvents"; list only the dynamodb actions the principal calls.',
        ]);
    });

    it("flags an Allow statement with NotAction", async () => {
        const broken = rolePolicy({ Effect: "Allow", NotAction: "iam:*", Resource: TABLE_ARN });
        assert.deepEqual(await messages(noWildcardIam, [broken]), [
            'IAM role policy "function-policy" allows every action not named in NotAction in statement 1; replace NotAction with an Action list of the actions the principal calls.',
        ]);
    });

    it("flags actions that take a resource ARN allowed on every resource", async () => {
        const broken = rolePolicy({ ...readWebhook, Action: ["ssm:GetParameter", "xray:PutTraceSegments"], Resource: "*" }, trackEvents);
        assert.deepEqual(await messages(noWildcardIam, [broken]), [
            'IAM role policy "function-policy" allows ssm:GetParameter on every resource ("*") in statement "ReadWebhook"; scope Resource to the ARNs those actions need.',
        ]);
    });

    it("flags an Allow statement with NotResource", async () => {
        const broken = rolePolicy(readWebhook, { Effect: "Allow", Action: "dynamodb:GetItem", NotResource: TABLE_ARN });
        assert.deepEqual(await messages(noWildcardIam, [broken]), [
            'IAM role policy "function-policy" allows dynamodb:GetItem on every resource not named in NotResource in statement 2; replace NotResource with a Resource list of the ARNs those actions need.',
        ]);
    });

    it('passes on "*" the actions the Service Authorization Reference lists with no resource type, an optional one, or at the List level', async () => {
        const tracing = rolePolicy(
            {
                Effect: "Allow",
                Action: [
                    "ecr:GetAuthorizationToken",
                    "ec2:DescribeSubnets",
                    "ec2:Describe*",
                    "xray:PutTraceSegments",
                    "cloudwatch:PutMetricData",
                    "s3:ListAllMyBuckets",
                    "logs:DescribeLogGroups",
                ],
                Resource: "*",
            },
            { Effect: "Allow", Action: "STS:GetCallerIdentity", Resource: ["*"] },
        );
        assert.deepEqual(await check(noWildcardIam, [tracing]), []);
    });

    it('flags a pattern that grants actions taking a resource ARN on "*", naming it as written', async () => {
        const broken = rolePolicy({ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "logs:Put*", "s3:Get?bject"], Resource: "*" });
        assert.deepEqual(await messages(noWildcardIam, [broken]), [
            'IAM role policy "function-policy" allows logs:Put*, s3:Get?bject on every resource ("*") in statement 1; scope Resource to the ARNs those actions need.',
        ]);
    });

    it("passes Deny statements, however broad", async () => {
        assert.deepEqual(await check(noWildcardIam, [rolePolicy(readWebhook, { Effect: "Deny", Action: "*", Resource: "*" })]), []);
    });

    it("checks standalone, user and group policies and a role's inline policies, naming each", async () => {
        const admin = policyDocument({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::trail-bucket/*" });
        const resources = [
            resource({ type: "aws:iam/policy:Policy", name: "shared", inputs: { policy: admin } }),
            resource({ type: "aws:iam/userPolicy:UserPolicy", name: "deployer", inputs: { user: "deployer", policy: admin } }),
            resource({ type: "aws:iam/groupPolicy:GroupPolicy", name: "operators", inputs: { group: "operators", policy: admin } }),
            resource({
                type: "aws:iam/role:Role",
                name: "function-role",
                inputs: { assumeRolePolicy: "{}", inlinePolicies: [{ name: "bucket", policy: admin }, { policy: admin }] },
            }),
        ];
        const tail = 'allows every s3 action ("s3:*") in statement 1; list only the s3 actions the principal calls.';
        assert.deepEqual(await messages(noWildcardIam, resources), [
            `IAM policy "shared" ${tail}`,
            `IAM user policy "deployer" ${tail}`,
            `IAM group policy "operators" ${tail}`,
            `IAM role "function-role" inline policy "bucket" ${tail}`,
            `IAM role "function-role" inline policy inlinePolicies[1] ${tail}`,
        ]);
    });

    it("reads a policy given as an object as well as JSON text", async () => {
        const broken = resource({
            type: "aws:iam/rolePolicy:RolePolicy",
            name: "function-policy",
            inputs: {
                role: "function-role",
                policy: { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "logs:*", Resource: "*" } },
            },
        });
        assert.deepEqual(await messages(noWildcardIam, [broken]), [
            'IAM role policy "function-policy" allows every logs action ("logs:*") in statement 1; list only the logs actions the principal calls.',
        ]);
    });

    it("leaves trust policies and resource policies alone", async () => {
        const trust = policyDocument({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" });
        const resources = [
            resource({ type: "aws:iam/role:Role", name: "function-role", inputs: { assumeRolePolicy: trust } }),
            resource({
                type: "aws:s3/bucketPolicy:BucketPolicy",
                name: "bucket-policy",
                inputs: { policy: policyDocument({ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }) },
            }),
        ];
        assert.deepEqual(await check(noWildcardIam, resources), []);
    });

    it("passes in preview, when the policy document is not known yet", async () => {
        const computed = resource({
            type: "aws:iam/rolePolicy:RolePolicy",
            name: "function-policy",
            inputs: { role: "function-role", policy: UNKNOWN_ON_THE_WIRE },
        });
        assert.deepEqual(await check(noWildcardIam, [computed]), []);
    });
});
