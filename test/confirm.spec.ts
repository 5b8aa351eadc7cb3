/**
 * "Was this you?" on the deploy side: the keys that turn it on and the errors that stop a wrong
 * one, the Slack app's two secrets kept in SSM SecureString parameters and nowhere else, the answer
 * endpoint (its function, public URL and the two permissions a public URL needs), what the
 * notifier is told, both roles' policies evaluated as AWS evaluates them, the watch list, and the
 * example stack as `npm start` plans it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { archiveText, functionConfigOf, indexJsOf } from "../tools/local/deployedFunction";
import { MOCK_ACCOUNT, MOCK_REGION, type OfflineRun, type RecordedResource } from "../tools/offlineEngine";
import { checkResources } from "../tools/policyCheck";
import { BUILT_IN_RULES } from "../program/rules";
import { apiCallRecord } from "../program/rules/records";
import { ConfigError, readStackSettings } from "../program/settings";
import { compileFilterPattern } from "../shared/filterPattern";
import { REQUEST_KEY_PREFIX } from "../shared/confirm";
import { documentOf, evaluate, type PolicyDocument, type Request } from "./support/iamPlan";
import { planStackFile } from "./support/planInProcess";
import {
    CONFIRM_ON,
    SECRET_KEYS,
    TEST_BOT_TOKEN,
    TEST_SIGNING_SECRET,
    TEST_WEBHOOK,
    byName,
    defaultProgram,
    ofType,
    policyDoc,
    runWith,
} from "./support/program";

const ACCOUNT = MOCK_ACCOUNT;
const OTHER_ACCOUNT = "444455556666";
const CONFIRM = { rules: ["signin-without-mfa"], severities: ["critical"], channel: "C0123ABCDEF" };
const USERS = { "break-glass": "U0123ABCDEF", "111122223333/alice": "alice@example.com" };
const ASKING = { ...CONFIRM_ON, confirmMinutes: "45", confirmUsers: JSON.stringify(USERS) };
const BOT_TOKEN_PARAMETER = "/console-login-alerts/login-alerts-dev/slack-bot-token";
const SIGNING_SECRET_PARAMETER = "/console-login-alerts/login-alerts-dev/slack-signing-secret";

function stateOf(resource: RecordedResource, field: string): string {
    const value = resource.state[field];
    assert.strictEqual(typeof value, "string", `${resource.name} has no ${field}`);
    return value as string;
}

function variablesOf(fn: RecordedResource): Record<string, string> {
    return (fn.inputs["environment"] as { variables: Record<string, string> }).variables;
}

/** The stack's configuration read as `pulumi preview` reads it; the message of the ConfigError it stops with. */
function errorOf(values: Record<string, string>, plainText: string[] = []): string {
    const all: Record<string, string> = { slackWebhookUrl: TEST_WEBHOOK, ...values };
    const secret = (k: string) => (SECRET_KEYS as readonly string[]).includes(k) && !plainText.includes(k);
    try {
        readStackSettings({ get: (k) => all[k], isSecret: secret });
    } catch (err) {
        assert.ok(err instanceof ConfigError, `threw ${String(err)}`);
        return (err as Error).message;
    }
    assert.fail("no error");
}

const EXAMPLE = '{"rules":["signin-without-mfa"],"severities":["critical"],"channel":"C0123ABCDEF"}';

describe('"Was this you?": the configuration keys', function () {
    it("reads the scope, the minutes and the users, and keeps the two secrets apart from them", function () {
        const values: Record<string, string> = { slackWebhookUrl: TEST_WEBHOOK, ...ASKING };
        const settings = readStackSettings({ get: (k) => values[k], isSecret: (k) => (SECRET_KEYS as readonly string[]).includes(k) });
        assert.deepStrictEqual(settings.confirm, {
            ...CONFIRM,
            minutes: 45,
            users: USERS,
            slackBotToken: TEST_BOT_TOKEN,
            slackSigningSecret: TEST_SIGNING_SECRET,
        });
    });

    it("asks nobody by default", function () {
        const settings = readStackSettings({
            get: (k) => ({ slackWebhookUrl: TEST_WEBHOOK })[k],
            isSecret: (k) => k === "slackWebhookUrl",
        });
        assert.strictEqual(settings.confirm, undefined);
    });

    it("stops a scope without a channel, naming the key and the command that sets it", function () {
        assert.strictEqual(
            errorOf({ ...CONFIRM_ON, confirm: JSON.stringify({ rules: ["signin-without-mfa"] }) }),
            "Configuration key console-login-alerts:confirm.channel is missing: the channel id where the Slack app posts the sign-ins it asks about. " +
                "Set it with: pulumi config set --path 'confirm.channel' C0123ABCDEF",
        );
    });

    it("stops a rule the stack does not have, listing those it has", function () {
        assert.strictEqual(
            errorOf({ ...CONFIRM_ON, confirm: JSON.stringify({ rules: ["no-such-rule"], channel: "C0123ABCDEF" }) }),
            "Configuration key console-login-alerts:confirm.rules must list the stack's rule ids (console-signin, signin-without-mfa, root-activity, " +
                'signin-failures, sso-signin-without-mfa, trail-tampering, function-tampering, delivery-tampering), not "no-such-rule". ' +
                `Fix it with: pulumi config set --path 'confirm' '${EXAMPLE}'`,
        );
    });

    it("stops either secret stored in plain text, and never repeats it", function () {
        const botToken = errorOf(CONFIRM_ON, ["slackBotToken"]);
        assert.strictEqual(
            botToken,
            "Configuration key console-login-alerts:slackBotToken is stored in plain text. Store it as a secret: " +
                "Set it with: pulumi config set --secret slackBotToken <bot token (xoxb-…)>",
        );
        const signingSecret = errorOf(CONFIRM_ON, ["slackSigningSecret"]);
        assert.strictEqual(
            signingSecret,
            "Configuration key console-login-alerts:slackSigningSecret is stored in plain text. Store it as a secret: " +
                "Set it with: pulumi config set --secret slackSigningSecret <signing secret>",
        );
        for (const message of [botToken, signingSecret]) {
            assert.ok(!message.includes(TEST_BOT_TOKEN) && !message.includes(TEST_SIGNING_SECRET), message);
        }
    });

    it("stops a malformed token or signing secret, and a missing one, without repeating the value", function () {
        const userToken = "xoxp-1234567890-1234567890-0123456789abcdef";
        const cases: Array<[Record<string, string>, string, string]> = [
            [
                { ...CONFIRM_ON, slackBotToken: userToken },
                "Configuration key console-login-alerts:slackBotToken is not a Slack app's bot token (xoxb-…). " +
                    "Set it with: pulumi config set --secret slackBotToken <bot token (xoxb-…)>",
                userToken,
            ],
            [
                { ...CONFIRM_ON, slackSigningSecret: "s3cret with spaces" },
                "Configuration key console-login-alerts:slackSigningSecret is not a Slack app's signing secret. " +
                    "Set it with: pulumi config set --secret slackSigningSecret <signing secret>",
                "s3cret with spaces",
            ],
            [
                { ...CONFIRM_ON, slackBotToken: "" },
                "Missing configuration key console-login-alerts:slackBotToken: the Slack app's bot token (xoxb-…), which asking people needs. " +
                    "Set it with: pulumi config set --secret slackBotToken <bot token (xoxb-…)>",
                TEST_SIGNING_SECRET,
            ],
        ];
        for (const [values, expected, secret] of cases) {
            const message = errorOf(values);
            assert.strictEqual(message, expected);
            assert.ok(!message.includes(secret), message);
        }
    });

    it("stops the app's keys and users set while the stack asks nobody, and says how to remove them", function () {
        const fix = (key: string) =>
            `Name one with: pulumi config set --path 'confirm' '${EXAMPLE}', or remove it with: pulumi config rm ${key}`;
        assert.strictEqual(
            errorOf({ slackBotToken: TEST_BOT_TOKEN }),
            "Configuration key console-login-alerts:slackBotToken is set, but console-login-alerts:confirm names no rule or severity to ask about. " +
                fix("slackBotToken"),
        );
        assert.strictEqual(
            errorOf({ slackSigningSecret: TEST_SIGNING_SECRET }),
            "Configuration key console-login-alerts:slackSigningSecret is set, but console-login-alerts:confirm names no rule or severity to ask about. " +
                fix("slackSigningSecret"),
        );
        assert.strictEqual(
            errorOf({ confirmUsers: JSON.stringify(USERS) }),
            "Configuration key console-login-alerts:confirmUsers is set, but console-login-alerts:confirm names no rule or severity to ask about. " +
                fix("confirmUsers"),
        );
    });
});

describe('"Was this you?" under mocks', function () {
    let run: OfflineRun;
    let off: OfflineRun;

    before(async function () {
        run = await runWith(ASKING);
        off = await defaultProgram();
    });

    it("adds an Answers component after the notifier, its children named from the component's name", function () {
        const component = byName(run, "login-alerts");
        const rooms = run.resources.filter((r) => r.parent === component.urn).map((r) => `${r.type} ${r.name}`);
        assert.deepStrictEqual(rooms, [
            "console-login-alerts:index:AuditTrail login-alerts-audit-trail",
            "console-login-alerts:index:AlertRules login-alerts-alert-rules",
            "console-login-alerts:index:Operators login-alerts-operator-alerts",
            "console-login-alerts:index:Notifier login-alerts-notifier",
            "console-login-alerts:index:Answers login-alerts-answers",
            "console-login-alerts:index:FastPath login-alerts-fast-path",
        ]);
        const answers = byName(run, "login-alerts-answers");
        assert.deepStrictEqual(
            run.resources
                .filter((r) => r.parent === answers.urn)
                .map((r) => `${r.type} ${r.name}`)
                .sort(),
            [
                "aws:cloudwatch/logGroup:LogGroup login-alerts-answers-logs",
                "aws:iam/role:Role login-alerts-answers-role",
                "aws:iam/rolePolicy:RolePolicy login-alerts-answers-policy",
                "aws:lambda/function:Function login-alerts-answers-function",
                "aws:lambda/functionUrl:FunctionUrl login-alerts-answers-url",
                "aws:lambda/permission:Permission login-alerts-answers-invoke-function",
                "aws:lambda/permission:Permission login-alerts-answers-invoke-url",
                "aws:ssm/parameter:Parameter login-alerts-answers-signing-secret",
            ],
        );
        assert.strictEqual(byName(run, "login-alerts-bot-token").parent, byName(run, "login-alerts-notifier").urn);
        // The component, its 8 children, the bot token, and the operators' alarm on the endpoint's errors.
        assert.strictEqual(run.resources.length - off.resources.length, 11);
    });

    it("tells the operators when the answer endpoint fails, and lets that alarm publish to their topic", function () {
        const alarm = byName(run, "login-alerts-answers-errors-alarm");
        const topic = byName(run, "login-alerts-operators");
        assert.strictEqual(alarm.parent, byName(run, "login-alerts-operator-alerts").urn);
        assert.deepStrictEqual(
            { ...alarm.inputs, alarmDescription: undefined },
            {
                alarmDescription: undefined,
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions: { FunctionName: byName(run, "login-alerts-answers-function").state["name"] },
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [topic.state["arn"]],
            },
        );
        assert.match(
            String(alarm.inputs["alarmDescription"]),
            /^The "Was this you\?" answer endpoint of console-login-alerts \(login-alerts-dev\) failed; answers may not be taken\. Dashboard: https:/,
        );
        const publish = policyDoc(byName(run, "login-alerts-operators-policy")).Statement[0] as {
            Condition: { ArnLike: { "aws:SourceArn": string[] } };
        };
        assert.ok(publish.Condition.ArnLike["aws:SourceArn"].includes(String(alarm.state["arn"])));
    });

    it("keeps the bot token and the signing secret in SSM SecureString parameters, marked secret", function () {
        const botToken = byName(run, "login-alerts-bot-token");
        assert.deepStrictEqual(botToken.inputs, {
            name: BOT_TOKEN_PARAMETER,
            type: "SecureString",
            value: TEST_BOT_TOKEN,
            description: 'Slack app bot token for console sign-in alerts\' "Was this you?" questions.',
        });
        assert.deepStrictEqual(botToken.secretPaths, ["value"]);
        const signingSecret = byName(run, "login-alerts-answers-signing-secret");
        assert.deepStrictEqual(signingSecret.inputs, {
            name: SIGNING_SECRET_PARAMETER,
            type: "SecureString",
            value: TEST_SIGNING_SECRET,
            description: 'Slack app signing secret for console sign-in alerts\' "Was this you?" answers.',
        });
        assert.deepStrictEqual(signingSecret.secretPaths, ["value"]);
    });

    it("runs the answer endpoint on nodejs22.x, 256 MB, 10 s, with its own log group and an environment of deployed names and the partition's DNS suffix only", function () {
        const fn = byName(run, "login-alerts-answers-function");
        const logGroup = byName(run, "login-alerts-answers-logs");
        assert.deepStrictEqual(logGroup.inputs, { retentionInDays: 365 });
        assert.deepStrictEqual(
            { ...fn.inputs, code: undefined },
            {
                code: undefined,
                description: 'Takes Slack\'s "Was this you?" answers and hands them to the console sign-in alerts function.',
                handler: "__index.handler",
                role: stateOf(byName(run, "login-alerts-answers-role"), "arn"),
                runtime: "nodejs22.x",
                memorySize: 256,
                timeout: 10,
                loggingConfig: { logFormat: "Text", logGroup: stateOf(logGroup, "name") },
                environment: {
                    variables: {
                        SIGNING_SECRET_PARAMETER_NAME: SIGNING_SECRET_PARAMETER,
                        NOTIFIER_FUNCTION_ARN: stateOf(byName(run, "login-alerts-function"), "arn"),
                        STATE_TABLE_NAME: stateOf(byName(run, "login-alerts-state"), "name"),
                        SERVICE_DNS_SUFFIX: "amazonaws.com",
                    },
                },
            },
        );
        assert.ok(fn.dependencies.includes(byName(run, "login-alerts-answers-policy").urn), "the function does not wait for its policy");
        assert.deepStrictEqual(
            documentOf(byName(run, "login-alerts-answers-role"), "assumeRolePolicy").Statement.map((s) => s.Principal),
            [{ Service: "lambda.amazonaws.com" }],
        );
    });

    it("packages the endpoint bundled from handler/interaction.ts, told nothing beside its environment, loading no AWS SDK", function () {
        const fn = byName(run, "login-alerts-answers-function");
        const assets = Object.keys((fn.inputs["code"] as { assets: Record<string, unknown> }).assets);
        assert.ok(assets.includes("__index.js") && !assets.includes("config.json"), assets.join(", "));
        assert.match(indexJsOf(fn), /^\/\/ handler\/interaction\.ts$/m);
        assert.doesNotMatch(indexJsOf(fn), /@pulumi/);
        // Its three AWS calls are its own requests (handler/common/awsJson.ts): a cold start loads no SDK.
        assert.doesNotMatch(indexJsOf(fn), /require\("@aws-sdk\//);
    });

    it("tells the notifier the two parameters' names, and empty names when the stack asks nobody", function () {
        const asking = variablesOf(byName(run, "login-alerts-function"));
        assert.deepStrictEqual(
            [asking["BOT_TOKEN_PARAMETER_NAME"], asking["SIGNING_SECRET_PARAMETER_NAME"]],
            [BOT_TOKEN_PARAMETER, SIGNING_SECRET_PARAMETER],
        );
        // Named in advance, the signing secret's parameter is the one the endpoint creates.
        assert.strictEqual(asking["SIGNING_SECRET_PARAMETER_NAME"], byName(run, "login-alerts-answers-signing-secret").inputs["name"]);
        const quiet = variablesOf(byName(off, "login-alerts-function"));
        assert.deepStrictEqual([quiet["BOT_TOKEN_PARAMETER_NAME"], quiet["SIGNING_SECRET_PARAMETER_NAME"]], ["", ""]);
    });

    it("tells the notifier whom to ask about which sign-ins in config.json, and nothing when it asks nobody", function () {
        const config = functionConfigOf(byName(run, "login-alerts-function"));
        assert.deepStrictEqual(config.confirm, { ...CONFIRM, minutes: 45, users: USERS });
        const quiet = functionConfigOf(byName(off, "login-alerts-function"));
        assert.strictEqual(quiet.confirm, undefined);
    });

    it("opens a public URL, with exactly the two permissions a public function URL needs", function () {
        const fnName = stateOf(byName(run, "login-alerts-answers-function"), "name");
        const viaUrl = byName(run, "login-alerts-answers-invoke-url");
        const invoke = byName(run, "login-alerts-answers-invoke-function");
        assert.deepStrictEqual(viaUrl.inputs, {
            action: "lambda:InvokeFunctionUrl",
            function: fnName,
            principal: "*",
            functionUrlAuthType: "NONE",
        });
        assert.deepStrictEqual(invoke.inputs, {
            action: "lambda:InvokeFunction",
            function: fnName,
            principal: "*",
            invokedViaFunctionUrl: true,
        });
        const url = byName(run, "login-alerts-answers-url");
        assert.deepStrictEqual(url.inputs, { functionName: fnName, authorizationType: "NONE" });
        assert.ok(url.dependencies.includes(viaUrl.urn) && url.dependencies.includes(invoke.urn), "the URL opens before its permissions");
        // No other permission on the endpoint: nobody but the URL's callers may invoke it.
        assert.deepStrictEqual(
            ofType(run, "aws:lambda/permission:Permission")
                .filter((p) => p.inputs["function"] === fnName)
                .map((p) => p.name)
                .sort(),
            ["login-alerts-answers-invoke-function", "login-alerts-answers-invoke-url"],
        );
    });

    it("outputs the URL as slackInteractivityUrl, and no such output when the stack asks nobody", function () {
        assert.strictEqual(run.outputs["slackInteractivityUrl"], stateOf(byName(run, "login-alerts-answers-url"), "functionUrl"));
        assert.match(String(run.outputs["slackInteractivityUrl"]), /^https:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws\/$/);
        assert.ok(!("slackInteractivityUrl" in off.outputs) || off.outputs["slackInteractivityUrl"] === undefined);
        assert.strictEqual(ofType(off, "aws:lambda/functionUrl:FunctionUrl").length, 0);
        assert.strictEqual(ofType(off, "aws:lambda/function:Function").length, 1);
    });

    it("gives the endpoint's role exactly its four statements", function () {
        const logGroup = stateOf(byName(run, "login-alerts-answers-logs"), "arn");
        assert.deepStrictEqual(documentOf(byName(run, "login-alerts-answers-policy")), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ReadSigningSecret",
                    Effect: "Allow",
                    Action: "ssm:GetParameter",
                    Resource: stateOf(byName(run, "login-alerts-answers-signing-secret"), "arn"),
                },
                {
                    Sid: "RefuseReplays",
                    Effect: "Allow",
                    Action: "dynamodb:PutItem",
                    Resource: stateOf(byName(run, "login-alerts-state"), "arn"),
                    Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["request#*"] } },
                },
                {
                    Sid: "HandOverAnswers",
                    Effect: "Allow",
                    Action: "lambda:InvokeFunction",
                    Resource: stateOf(byName(run, "login-alerts-function"), "arn"),
                },
                {
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `${logGroup}:log-stream:*`,
                },
            ],
        });
    });

    it("lets the notifier read both parameters and IAM users' tags, and neither when the stack asks nobody", function () {
        const statements = documentOf(byName(run, "login-alerts-function-policy")).Statement;
        assert.deepStrictEqual(
            statements.filter((s) => s.Sid === "ReadSlackApp" || s.Sid === "FindWhomToAsk"),
            [
                {
                    Sid: "ReadSlackApp",
                    Effect: "Allow",
                    Action: "ssm:GetParameter",
                    Resource: [
                        stateOf(byName(run, "login-alerts-bot-token"), "arn"),
                        stateOf(byName(run, "login-alerts-answers-signing-secret"), "arn"),
                    ],
                },
                { Sid: "FindWhomToAsk", Effect: "Allow", Action: "iam:ListUserTags", Resource: `arn:aws:iam::${ACCOUNT}:user/*` },
            ],
        );
        const quiet = documentOf(byName(off, "login-alerts-function-policy")).Statement;
        assert.deepStrictEqual(
            quiet.filter((s) => s.Sid === "ReadSlackApp" || s.Sid === "FindWhomToAsk"),
            [],
        );
    });

    it("never lets the webhook, the bot token or the signing secret reach a function's code, environment or tags, or an output", function () {
        const probes: Array<[string, string, string]> = [
            [TEST_WEBHOOK, "login-alerts-webhook", "s3cr3tW3bh00k"],
            [TEST_BOT_TOKEN, "login-alerts-bot-token", "B0tT0k3nPr0be"],
            [TEST_SIGNING_SECRET, "login-alerts-answers-signing-secret", "S1gn1ngS3cr3tPr0be"],
        ];
        const functions = ofType(run, "aws:lambda/function:Function");
        assert.strictEqual(functions.length, 2);
        for (const [secret, holder, part] of probes) {
            assert.deepStrictEqual(
                run.resources.filter((r) => JSON.stringify(r.inputs).includes(part)).map((r) => r.name),
                [holder],
                `${holder}'s secret is held elsewhere too`,
            );
            for (const fn of functions) {
                const files = Object.keys((fn.inputs["code"] as { assets: Record<string, unknown> }).assets);
                for (const file of files) {
                    assert.ok(!archiveText(fn, file).includes(part), `${fn.name}'s ${file} holds part of ${holder}'s secret`);
                }
                assert.ok(!JSON.stringify(fn.inputs["environment"]).includes(part), `${fn.name}'s environment`);
                assert.deepStrictEqual(fn.secretPaths, [], `a secret reached ${fn.name}'s inputs`);
            }
            assert.ok(run.resources.every((r) => !JSON.stringify(r.inputs["tags"] ?? {}).includes(part)));
            assert.ok(!JSON.stringify(run.outputs).includes(secret), `an output holds ${holder}'s secret`);
        }
    });

    it("passes the policy pack", async function () {
        assert.deepStrictEqual((await checkResources(run.resources)).violations, []);
    });

    it("posts a change or removal of the endpoint's URL under function-tampering, and leaves another stack's alone", function () {
        const fnName = stateOf(byName(run, "login-alerts-answers-function"), "name");
        const pattern = compileFilterPattern(BUILT_IN_RULES["function-tampering"].pattern);
        assert.ok(BUILT_IN_RULES["function-tampering"].pattern.length <= 1024);
        // Lambda's CloudTrail events carry the API version after the name, or none (Lambda Developer Guide, "Logging Lambda API calls using CloudTrail").
        for (const call of [
            "UpdateFunctionUrlConfig",
            "UpdateFunctionUrlConfig20211031",
            "DeleteFunctionUrlConfig",
            "DeleteFunctionUrlConfig20211031",
        ]) {
            const own = apiCallRecord("lambda.amazonaws.com", call, { functionName: fnName, authType: "NONE" });
            const other = apiCallRecord("lambda.amazonaws.com", call, { functionName: "billing-report", authType: "NONE" });
            assert.deepStrictEqual([pattern(JSON.stringify(own)), pattern(JSON.stringify(other))], [true, false], call);
        }
    });
});

describe('"Was this you?": both roles, evaluated as AWS evaluates them', function () {
    let run: OfflineRun;
    const decisions = async (requests: Array<[Request, "Allowed" | "Denied"]>): Promise<void> => {
        const wrong: string[] = [];
        for (const [request, expected] of requests) {
            const { decision } = await evaluate(request);
            if ((decision === "Allowed" ? "Allowed" : "Denied") !== expected) {
                wrong.push(
                    `${request.action} on ${request.resource} ${JSON.stringify(request.context ?? {})}: ${decision}, expected ${expected}`,
                );
            }
        }
        assert.deepStrictEqual(wrong, []);
    };
    const session = (role: RecordedResource, fn: RecordedResource) =>
        `arn:aws:sts::${ACCOUNT}:assumed-role/${stateOf(role, "name")}/${stateOf(fn, "name")}`;

    before(async function () {
        run = await runWith(ASKING);
    });

    it("lets the endpoint record requests, hand answers to the notifier and read its secret, and nothing beside", async function () {
        const role = byName(run, "login-alerts-answers-role");
        const policies: PolicyDocument[] = [documentOf(byName(run, "login-alerts-answers-policy"))];
        const principal = session(role, byName(run, "login-alerts-answers-function"));
        const table = stateOf(byName(run, "login-alerts-state"), "arn");
        const as = (action: string, resource: string, context?: Record<string, string | string[]>): Request => ({
            principal,
            action,
            resource,
            resourceAccount: ACCOUNT,
            identityPolicies: policies,
            ...(context ? { context } : {}),
        });
        const parameter = (name: string) => `arn:aws:ssm:${MOCK_REGION}:${ACCOUNT}:parameter${name}`;
        await decisions([
            [as("dynamodb:PutItem", table, { "dynamodb:LeadingKeys": [`${REQUEST_KEY_PREFIX}abc`] }), "Allowed"],
            [as("dynamodb:PutItem", table, { "dynamodb:LeadingKeys": ["posted#abc"] }), "Denied"],
            [as("dynamodb:PutItem", table, { "dynamodb:LeadingKeys": ["question#abc"] }), "Denied"],
            [as("dynamodb:GetItem", table, { "dynamodb:LeadingKeys": [`${REQUEST_KEY_PREFIX}abc`] }), "Denied"],
            [as("dynamodb:DeleteItem", table, { "dynamodb:LeadingKeys": [`${REQUEST_KEY_PREFIX}abc`] }), "Denied"],
            [as("lambda:InvokeFunction", stateOf(byName(run, "login-alerts-function"), "arn")), "Allowed"],
            [as("lambda:InvokeFunction", `arn:aws:lambda:${MOCK_REGION}:${ACCOUNT}:function:billing-report`), "Denied"],
            [as("lambda:InvokeFunction", stateOf(byName(run, "login-alerts-answers-function"), "arn")), "Denied"],
            [as("ssm:GetParameter", parameter(SIGNING_SECRET_PARAMETER)), "Allowed"],
            [as("ssm:GetParameter", parameter(BOT_TOKEN_PARAMETER)), "Denied"],
            [as("ssm:GetParameter", parameter("/console-login-alerts/login-alerts-dev/slack-webhook-url")), "Denied"],
            [as("logs:PutLogEvents", `${stateOf(byName(run, "login-alerts-answers-logs"), "arn")}:log-stream:2026/12/07/abc`), "Allowed"],
            [as("logs:PutLogEvents", `${stateOf(byName(run, "login-alerts-function-logs"), "arn")}:log-stream:2026/12/07/abc`), "Denied"],
        ]);
    });

    it("lets the notifier read its account's IAM users' tags and the Slack app's two parameters, and another account's users' tags not", async function () {
        const role = byName(run, "login-alerts-function-role");
        const fn = byName(run, "login-alerts-function");
        const as = (action: string, resource: string, resourceAccount = ACCOUNT): Request => ({
            principal: session(role, fn),
            action,
            resource,
            resourceAccount,
            identityPolicies: [documentOf(byName(run, "login-alerts-function-policy"))],
        });
        const quiet = await defaultProgram();
        const asQuiet: Request = {
            ...as("iam:ListUserTags", `arn:aws:iam::${ACCOUNT}:user/alice`),
            identityPolicies: [documentOf(byName(quiet, "login-alerts-function-policy"))],
        };
        await decisions([
            [as("iam:ListUserTags", `arn:aws:iam::${ACCOUNT}:user/alice`), "Allowed"],
            [as("iam:ListUserTags", `arn:aws:iam::${ACCOUNT}:user/engineering/alice`), "Allowed"],
            [as("iam:ListUserTags", `arn:aws:iam::${OTHER_ACCOUNT}:user/alice`, OTHER_ACCOUNT), "Denied"],
            [as("iam:ListRoleTags", `arn:aws:iam::${ACCOUNT}:role/admin`), "Denied"],
            [as("iam:TagUser", `arn:aws:iam::${ACCOUNT}:user/alice`), "Denied"],
            [as("ssm:GetParameter", `arn:aws:ssm:${MOCK_REGION}:${ACCOUNT}:parameter${BOT_TOKEN_PARAMETER}`), "Allowed"],
            [as("ssm:GetParameter", `arn:aws:ssm:${MOCK_REGION}:${ACCOUNT}:parameter${SIGNING_SECRET_PARAMETER}`), "Allowed"],
            [asQuiet, "Denied"],
        ]);
    });
});

describe('"Was this you?": the example stack', function () {
    it("plans examples/Pulumi.confirm.yaml with placeholder secrets, says so, and keeps every secret out of the printed plan", async function () {
        const file = fs.readFileSync(path.join(__dirname, "..", "examples", "Pulumi.confirm.yaml"), "utf8");
        const result = await planStackFile("confirm", file, "--json");
        assert.strictEqual(result.status, 0, result.stderr);
        const out = JSON.parse(result.stdout) as {
            resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
            notes: string[];
        };
        assert.deepStrictEqual(out.notes, [
            "console-login-alerts:slackWebhookUrl is not set; the plan uses a placeholder secret. Set it with: pulumi config set --secret slackWebhookUrl <url>",
            "console-login-alerts:slackBotToken is not set; the plan uses a placeholder secret. Set it with: pulumi config set --secret slackBotToken <xoxb-…>",
            "console-login-alerts:slackSigningSecret is not set; the plan uses a placeholder secret. Set it with: pulumi config set --secret slackSigningSecret <signing secret>",
        ]);
        const counts = (kind: (r: { type: string }) => boolean) => out.resources.filter(kind).length;
        assert.deepStrictEqual(
            {
                resources: out.resources.length,
                components: counts((r) => !r.type.startsWith("aws:")),
                functions: counts((r) => r.type === "aws:lambda/function:Function"),
                parameters: counts((r) => r.type === "aws:ssm/parameter:Parameter"),
                urls: counts((r) => r.type === "aws:lambda/functionUrl:FunctionUrl"),
            },
            { resources: 139, components: 7, functions: 2, parameters: 3, urls: 1 },
        );
        const bot = out.resources.find((r) => r.name === "login-alerts-bot-token")!;
        assert.strictEqual(bot.inputs["value"], "[secret]");
        assert.ok(!result.stdout.includes("OFFLINEPLACEHOLDER"), "a placeholder secret is printed");
    });
});
