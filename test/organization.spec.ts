/**
 * The organization mode: the `organization` key, the bus policy that admits only the member
 * accounts' forwarding roles (evaluated as AWS does, with iam-simulate), the StackSet's template
 * (checked against CloudFormation's resource specification) and the plan it makes.
 */
import * as assert from "assert";
import { ConfigError, readStackSettings } from "../program/settings";
import { organizationBusPolicy } from "../program/organization/busPolicy";
import { memberTemplate, ROLE_LOGICAL_ID, type Template } from "../program/organization/memberTemplate";
import { memberRoleNameSub, memberRolePath, memberRuleName, stackSetName } from "../program/organization/names";
import { OPERATION_PREFERENCES } from "../program/organization/memberForwarding";
import { fastPathPatterns } from "../program/fastPathPatterns";
import { BUILT_IN_RULES } from "../program/rules";
import { MOCK_ACCOUNT, MOCK_ORGANIZATION, type OfflineRun } from "../tools/offlineEngine";
import { templateProblems } from "./support/cloudFormationSpec";
import { evaluate, type PolicyDocument } from "./support/iamPlan";
import { byName, ofType, policyDoc, runWith, TEST_WEBHOOK } from "./support/program";

const ORGANIZATION = { id: MOCK_ORGANIZATION, units: ["ou-ab12-11111111", "ou-ab12-22222222", "ou-ab12-33333333"] };
const BUS_ARN = `arn:aws:events:us-east-1:${MOCK_ACCOUNT}:event-bus/login-alerts-org-sign-ins`;
const PHYSICAL = "login-alerts-org";
const MEMBER = "444455556666";

function settingsWith(values: Record<string, string>) {
    const all: Record<string, string> = { slackWebhookUrl: TEST_WEBHOOK, organizationTrail: "true", ...values };
    return readStackSettings({ get: (k) => all[k], isSecret: (k) => k === "slackWebhookUrl" });
}

function refusal(values: Record<string, string>): string {
    try {
        settingsWith(values);
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.message;
    }
    assert.fail("the configuration was accepted");
}

describe("organization: the configuration key", () => {
    it("reads the organization, its units, the regions and who administers the StackSet", () => {
        const settings = settingsWith({
            organization: JSON.stringify({ ...ORGANIZATION, regions: ["us-east-1"], callAs: "DELEGATED_ADMIN" }),
        });
        assert.deepStrictEqual(settings.organization, { ...ORGANIZATION, regions: ["us-east-1"], callAs: "DELEGATED_ADMIN" });
        assert.deepStrictEqual(settingsWith({ organization: JSON.stringify({ id: MOCK_ORGANIZATION, units: ["r-ab12"] }) }).organization, {
            id: MOCK_ORGANIZATION,
            units: ["r-ab12"],
            regions: [],
            callAs: "SELF",
        });
        assert.strictEqual(settingsWith({ organization: "{}" }).organization, undefined);
        assert.strictEqual(settingsWith({}).organization, undefined);
    });

    it("refuses each bad value with the key and the fix", () => {
        const fix = "Fix it with: pulumi config set --path 'organization.id' o-a1b2c3d4e5";
        const cases: Array<[unknown, string]> = [
            [
                { id: "o-short", units: ["r-ab12"] },
                "must name the organization's id in `id`, such as o-a1b2c3d4e5 (aws organizations describe-organization shows it)",
            ],
            [
                { id: MOCK_ORGANIZATION, units: [] },
                'must list in `units` the root (r-…) or the organizational units (ou-…) whose accounts forward, such as ["r-ab12"]',
            ],
            [
                { id: MOCK_ORGANIZATION, units: ["ou-ab12"] },
                'must list in `units` the root (r-…) or the organizational units (ou-…) whose accounts forward, such as ["r-ab12"]',
            ],
            [
                { id: MOCK_ORGANIZATION, units: ["r-ab12", "ou-ab12-11111111"] },
                "must name either the root or organizational units in `units`: the root already holds every unit",
            ],
            [{ id: MOCK_ORGANIZATION, units: ["ou-ab12-11111111", "ou-ab12-11111111"] }, "must name each unit in `units` once"],
            [
                { id: MOCK_ORGANIZATION, units: ["r-ab12"], regions: ["mars-1"] },
                'must list in `regions` region names, each once, such as ["us-east-1", "eu-west-1"]',
            ],
            [
                { id: MOCK_ORGANIZATION, units: ["r-ab12"], callAs: "ADMIN" },
                "must say in `callAs` who administers the StackSet: SELF or DELEGATED_ADMIN",
            ],
            [
                { id: MOCK_ORGANIZATION, units: ["r-ab12"], accounts: ["1"] },
                'has no setting "accounts"; it takes id, units, regions, callAs',
            ],
        ];
        for (const [organization, problem] of cases) {
            assert.strictEqual(
                refusal({ organization: JSON.stringify(organization) }),
                `Configuration key console-login-alerts:organization ${problem}. ${fix}`,
            );
        }
        assert.strictEqual(
            refusal({ organization: "[]" }),
            `Configuration key console-login-alerts:organization must be an object such as {"id":"o-a1b2c3d4e5","units":["r-ab12"]}. ${fix}`,
        );
    });

    it("needs the fast path, and an organization trail for the backstop", () => {
        const organization = JSON.stringify(ORGANIZATION);
        assert.strictEqual(
            refusal({ organization, fastPath: "false" }),
            "Configuration key console-login-alerts:organization forwards member accounts' events to the fast path, which `fastPath` turns off. Fix it with: pulumi config set fastPath true.",
        );
        assert.strictEqual(
            refusal({ organization, organizationTrail: "false" }),
            "Configuration key console-login-alerts:organization covers member accounts, whose sign-ins reach the backstop only through an organization trail. " +
                "Fix it with: pulumi config set organizationTrail true (or set existingTrailLogGroupName to the organization trail's log group).",
        );
        const existing = settingsWith({ organization, organizationTrail: "false", existingTrailLogGroupName: "org-trail-logs" });
        assert.strictEqual(existing.organization?.id, MOCK_ORGANIZATION);
    });
});

describe("organization: who may put events on the stack's bus", () => {
    const rolePath = memberRolePath(PHYSICAL);
    const busPolicy = organizationBusPolicy(BUS_ARN, MOCK_ORGANIZATION, "aws", rolePath) as PolicyDocument;
    const template = memberTemplate({ patterns: [{ source: ["aws.signin"] }], busArn: BUS_ARN, physical: PHYSICAL, rolePath });
    const roleProperties = template.Resources[ROLE_LOGICAL_ID]!.Properties as { Policies: Array<{ PolicyDocument: PolicyDocument }> };
    const forwardingIdentity = roleProperties.Policies.map((p) => p.PolicyDocument);
    const anything: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "events:*", Resource: "*" }] };

    // For a role's session, aws:PrincipalArn is the role's ARN, path included (IAM User Guide, "AWS
    // global condition context keys"); the simulator takes it from the request's context.
    function putEvents(principal: string, organizationId: string, identity: PolicyDocument[]) {
        return evaluate({
            principal,
            action: "events:PutEvents",
            resource: BUS_ARN,
            resourceAccount: MOCK_ACCOUNT,
            context: { "aws:PrincipalOrgID": organizationId, "aws:PrincipalArn": principal },
            identityPolicies: identity,
            resourcePolicy: busPolicy,
        });
    }

    it("lets a member account's forwarding role, made by CloudFormation under the stack's path, put events", async () => {
        const role = `arn:aws:iam::${MEMBER}:role${rolePath}login-alerts-org-forward-eu-west-1`;
        assert.strictEqual((await putEvents(role, MOCK_ORGANIZATION, forwardingIdentity)).decision, "Allowed");
    });

    it("refuses the same role in an account outside the organization", async () => {
        const role = `arn:aws:iam::999988887777:role${rolePath}login-alerts-org-forward-eu-west-1`;
        assert.strictEqual((await putEvents(role, "o-zzzzzzzzzz", forwardingIdentity)).decision, "ImplicitlyDenied");
    });

    it("refuses a member account's other principals, even those allowed every EventBridge action by their own policies", async () => {
        for (const principal of [
            `arn:aws:iam::${MEMBER}:role/Admin`,
            `arn:aws:iam::${MEMBER}:user/alice`,
            `arn:aws:iam::${MEMBER}:role/other-path/ForwardingRole`,
        ]) {
            assert.strictEqual((await putEvents(principal, MOCK_ORGANIZATION, [anything])).decision, "ImplicitlyDenied", principal);
        }
    });
});

describe("organization: the member accounts' template", () => {
    const { patterns } = fastPathPatterns(Object.values(BUILT_IN_RULES));
    const rolePath = memberRolePath(PHYSICAL);
    const template = memberTemplate({ patterns, busArn: BUS_ARN, physical: PHYSICAL, rolePath });

    it("keeps CloudFormation's resource specification: types, properties, required values, Ref and Fn::GetAtt", () => {
        assert.deepStrictEqual(templateProblems(template), []);
    });

    it("is refused by the same check when a property, a required value or an attribute is wrong", () => {
        const broken = JSON.parse(JSON.stringify(template)) as Template;
        const rule = broken.Resources["ForwardingRule1"]!.Properties;
        rule["Pattern"] = rule["EventPattern"];
        rule["Targets"] = [{ Id: "security-bus", RoleArn: { "Fn::GetAtt": [ROLE_LOGICAL_ID, "Name"] } }];
        rule["Name"] = { "Fn::Sub": "${Missing}-${AWS::Region}" };
        delete broken.Resources[ROLE_LOGICAL_ID]!.Properties["AssumeRolePolicyDocument"];
        assert.deepStrictEqual(templateProblems(broken).sort(), [
            "ForwardingRole: the required property AssumeRolePolicyDocument is missing",
            "ForwardingRule1.Name: Ref names Missing, which is neither a resource of the template nor a pseudo parameter",
            "ForwardingRule1.Targets[0].RoleArn: AWS::IAM::Role has no attribute Name for Fn::GetAtt",
            "ForwardingRule1.Targets[0]: the required property Arn is missing",
            "ForwardingRule1: no property Pattern; the type takes Description, EventBusName, EventPattern, Name, RoleArn, ScheduleExpression, State, Tags, Targets",
        ]);
    });

    it("gives each member region the stack's own regional patterns, one rule each, targeting the stack's bus with the role", () => {
        assert.deepStrictEqual(
            Object.entries(template.Resources)
                .filter(([, r]) => r.Type === "AWS::Events::Rule")
                .map(([id, r]) => [id, r.Properties]),
            patterns.map((pattern, index) => [
                `ForwardingRule${index + 1}`,
                {
                    Name: memberRuleName(PHYSICAL, index),
                    Description: "Console sign-ins and the security stack's other events, forwarded to the security account's bus.",
                    EventPattern: pattern,
                    State: "ENABLED",
                    Targets: [{ Id: "security-bus", Arn: BUS_ARN, RoleArn: { "Fn::GetAtt": [ROLE_LOGICAL_ID, "Arn"] } }],
                },
            ]),
        );
        assert.strictEqual(patterns.length, 2);
        // CloudFormation API Reference, CreateStackSet: TemplateBody is at most 51,200 bytes.
        assert.ok(Buffer.byteLength(JSON.stringify(template)) < 51200, String(Buffer.byteLength(JSON.stringify(template))));
    });

    it("names rules within EventBridge's 64 characters and StackSets within CloudFormation's rules for the longest stack name", () => {
        const longest = `login-alerts-${"s".repeat(100)}`;
        assert.strictEqual(memberRuleName(PHYSICAL, 0), "login-alerts-org-forward");
        assert.strictEqual(memberRuleName(PHYSICAL, 1), "login-alerts-org-forward-2");
        for (const index of [0, 1]) {
            const name = memberRuleName(longest, index);
            assert.ok(name.length <= 64 && /^[.\-_A-Za-z0-9]+$/.test(name), name);
            assert.notStrictEqual(name, memberRuleName(`${longest}t`, index));
        }
        assert.strictEqual(stackSetName("login-alerts-my_stack.v2"), "login-alerts-my-stack-v2-member-forwarding");
        assert.strictEqual(memberRoleNameSub(PHYSICAL), "login-alerts-org-forward-${AWS::Region}");
        const role = memberRoleNameSub(longest).replace("${AWS::Region}", "ap-southeast-5");
        assert.ok(role.length <= 64 && role.startsWith("login-alerts-"), role);
        assert.ok(/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackSetName(longest)), stackSetName(longest));
    });
});

describe("organization: the plan", function () {
    this.timeout(120000);
    let run: OfflineRun;
    before(async () => {
        run = await runWith({ organizationTrail: "true", organization: JSON.stringify(ORGANIZATION) }, "org");
    });

    it("puts the bus policy on the fast path's bus", () => {
        const policy = byName(run, "login-alerts-organization-bus-policy");
        const bus = byName(run, "login-alerts-fast-path-bus");
        assert.strictEqual(policy.inputs["eventBusName"], bus.inputs["name"]);
        assert.deepStrictEqual(
            JSON.parse(String(policy.inputs["policy"])),
            organizationBusPolicy(String(bus.state["arn"]), MOCK_ORGANIZATION, "aws", "/login-alerts-org/"),
        );
    });

    it("creates one service-managed StackSet that follows the organization, with the template of the stack's own patterns", () => {
        const [stackSet, ...others] = ofType(run, "aws:cloudformation/stackSet:StackSet");
        assert.strictEqual(others.length, 0);
        const { templateBody, ...inputs } = stackSet!.inputs;
        assert.deepStrictEqual(inputs, {
            name: "login-alerts-org-member-forwarding",
            description: "console-login-alerts: forwards member accounts' console sign-ins to the security account's bus.",
            permissionModel: "SERVICE_MANAGED",
            callAs: "SELF",
            autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
            capabilities: ["CAPABILITY_NAMED_IAM"],
            managedExecution: { active: true },
            operationPreferences: OPERATION_PREFERENCES,
        });
        const bus = byName(run, "login-alerts-fast-path-bus");
        const regional = ofType(run, "aws:cloudwatch/eventRule:EventRule").filter((r) => r.inputs["region"] === "eu-west-1");
        assert.deepStrictEqual(
            JSON.parse(String(templateBody)),
            memberTemplate({
                patterns: regional.map((r) => JSON.parse(String(r.inputs["eventPattern"])) as Record<string, unknown>),
                busArn: String(bus.state["arn"]),
                physical: PHYSICAL,
                rolePath: "/login-alerts-org/",
            }),
        );
    });

    it("deploys the StackSet to the three units in each of the fast path's 17 regions", () => {
        const instances = ofType(run, "aws:cloudformation/stackSetInstance:StackSetInstance");
        const regions = ofType(run, "aws:cloudwatch/eventRule:EventRule").flatMap((r) =>
            r.inputs["region"] && !r.name.endsWith("-2") ? [r.inputs["region"]] : [],
        );
        assert.strictEqual(instances.length, 17);
        assert.deepStrictEqual(instances.map((i) => i.inputs["stackSetInstanceRegion"]).sort(), [...new Set(regions)].sort());
        for (const instance of instances) {
            assert.deepStrictEqual(instance.inputs, {
                stackSetName: "login-alerts-org-member-forwarding",
                callAs: "SELF",
                stackSetInstanceRegion: instance.inputs["stackSetInstanceRegion"],
                deploymentTargets: { organizationalUnitIds: ORGANIZATION.units },
                operationPreferences: OPERATION_PREFERENCES,
                retainStack: false,
            });
            assert.strictEqual(instance.name, `login-alerts-organization-${String(instance.inputs["stackSetInstanceRegion"])}`);
        }
    });

    it("leaves a delegated administrator's own account to the stack's own rules", async () => {
        const delegated = await runWith(
            {
                organizationTrail: "true",
                organization: JSON.stringify({ ...ORGANIZATION, regions: ["us-east-1"], callAs: "DELEGATED_ADMIN" }),
            },
            "org",
        );
        const [instance, ...others] = ofType(delegated, "aws:cloudformation/stackSetInstance:StackSetInstance");
        assert.strictEqual(others.length, 0);
        assert.deepStrictEqual(instance!.inputs["deploymentTargets"], {
            organizationalUnitIds: ORGANIZATION.units,
            accountFilterType: "DIFFERENCE",
            accounts: [MOCK_ACCOUNT],
        });
        assert.strictEqual(instance!.inputs["callAs"], "DELEGATED_ADMIN");
    });

    it("lets the function read the organization's member accounts, and no other organization's", async () => {
        const policy = policyDoc(byName(run, "login-alerts-function-policy")) as unknown as PolicyDocument;
        assert.deepStrictEqual(
            policy.Statement.find((s) => s.Sid === "KnowMemberAccounts"),
            {
                Sid: "KnowMemberAccounts",
                Effect: "Allow",
                Action: "organizations:DescribeAccount",
                Resource: `arn:aws:organizations::*:account/${MOCK_ORGANIZATION}/*`,
            },
        );
        const describe = (organization: string) =>
            evaluate({
                principal: `arn:aws:iam::${MOCK_ACCOUNT}:role/login-alerts-function-role`,
                action: "organizations:DescribeAccount",
                resource: `arn:aws:organizations::${MOCK_ACCOUNT}:account/${organization}/${MEMBER}`,
                resourceAccount: MOCK_ACCOUNT,
                identityPolicies: [policy],
            });
        assert.strictEqual((await describe(MOCK_ORGANIZATION)).decision, "Allowed");
        assert.strictEqual((await describe("o-zzzzzzzzzz")).decision, "ImplicitlyDenied");
        const plain = policyDoc(byName(await runWith({}, "org"), "login-alerts-function-policy")) as unknown as PolicyDocument;
        assert.deepStrictEqual(
            plain.Statement.filter((s) => s.Sid === "KnowMemberAccounts"),
            [],
        );
    });

    it("checks the StackSet's drift hourly: a schedule only this account's may use invokes the function, which may check that StackSet alone", () => {
        const fn = byName(run, "login-alerts-function");
        const role = byName(run, "login-alerts-organization-drift-check-role");
        assert.deepStrictEqual(byName(run, "login-alerts-organization-drift-check-schedule").inputs, {
            description: "Checks the organization's StackSet for drift: a detection a day, reported when it ends.",
            scheduleExpression: "rate(1 hour)",
            flexibleTimeWindow: { mode: "OFF" },
            target: {
                arn: fn.state["arn"],
                roleArn: role.state["arn"],
                input: JSON.stringify({ loginAlertsDriftCheck: "login-alerts-org-member-forwarding", callAs: "SELF" }),
            },
        });
        assert.deepStrictEqual(JSON.parse(String(role.inputs["assumeRolePolicy"])), {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "scheduler.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT } },
                },
            ],
        });
        const invoke = byName(run, "login-alerts-organization-drift-check-policy");
        assert.strictEqual(invoke.inputs["role"], role.state["name"]);
        assert.deepStrictEqual(policyDoc(invoke), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn.state["arn"] }],
        });
        const permissions = byName(run, "login-alerts-organization-function-policy");
        assert.strictEqual(permissions.inputs["role"], byName(run, "login-alerts-function-role").state["name"]);
        assert.deepStrictEqual(policyDoc(permissions), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "CheckStackSetDrift",
                    Effect: "Allow",
                    Action: [
                        "cloudformation:DetectStackSetDrift",
                        "cloudformation:DescribeStackSetOperation",
                        "cloudformation:ListStackInstances",
                    ],
                    Resource: `arn:aws:cloudformation:us-east-1:${MOCK_ACCOUNT}:stackset/login-alerts-org-member-forwarding:*`,
                },
            ],
        });
    });

    it("lets a delegated administrator's function check the StackSet in the management account, and list the delegated administrators", async () => {
        const delegated = await runWith(
            {
                organizationTrail: "true",
                organization: JSON.stringify({ ...ORGANIZATION, regions: ["us-east-1"], callAs: "DELEGATED_ADMIN" }),
            },
            "org",
        );
        const schedule = byName(delegated, "login-alerts-organization-drift-check-schedule");
        assert.strictEqual(
            (schedule.inputs["target"] as { input: string }).input,
            JSON.stringify({ loginAlertsDriftCheck: "login-alerts-org-member-forwarding", callAs: "DELEGATED_ADMIN" }),
        );
        assert.deepStrictEqual(policyDoc(byName(delegated, "login-alerts-organization-function-policy")).Statement, [
            {
                Sid: "CheckStackSetDrift",
                Effect: "Allow",
                Action: [
                    "cloudformation:DetectStackSetDrift",
                    "cloudformation:DescribeStackSetOperation",
                    "cloudformation:ListStackInstances",
                ],
                Resource: "arn:aws:cloudformation:us-east-1:*:stackset/login-alerts-org-member-forwarding:*",
            },
            { Sid: "ActAsDelegatedAdministrator", Effect: "Allow", Action: "organizations:ListDelegatedAdministrators", Resource: "*" },
        ]);
    });

    it("creates nothing of the organization mode without the key", async () => {
        const plain = await runWith({}, "org");
        assert.deepStrictEqual(
            plain.resources.filter(
                (r) =>
                    r.type.startsWith("aws:cloudformation/") ||
                    r.type === "aws:cloudwatch/eventBusPolicy:EventBusPolicy" ||
                    r.type === "aws:scheduler/schedule:Schedule" ||
                    r.name.startsWith("login-alerts-organization-"),
            ),
            [],
        );
    });
});
