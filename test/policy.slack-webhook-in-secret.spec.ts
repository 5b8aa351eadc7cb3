import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "../policy/node_modules/@pulumi/policy";
import { slackWebhookInSecret } from "../policy/policies/slackWebhookInSecret";
import {
    UNKNOWN_ON_THE_WIRE,
    WEBHOOK,
    assetArchive,
    check,
    fileArchive,
    messages,
    resource,
    secret,
    stringAsset,
    withProps,
    type EngineResource,
} from "./support/policyHarness";

const HANDLER = "exports.handler = async () => { const name = process.env.WEBHOOK_PARAMETER_NAME; return name; };";

function webhookStack() {
    const parameter = resource({
        type: "aws:ssm/parameter:Parameter",
        name: "webhook",
        inputs: { name: "/console-login-alerts/dev/slack-webhook-url", type: "SecureString", value: secret(WEBHOOK) },
    });
    const secretVersion = resource({
        type: "aws:secretsmanager/secretVersion:SecretVersion",
        name: "webhook-secret",
        inputs: { secretId: "slack-webhook", secretString: secret(WEBHOOK) },
    });
    const fn = resource({
        type: "aws:lambda/function:Function",
        name: "function",
        inputs: {
            runtime: "nodejs22.x",
            handler: "__index.handler",
            code: assetArchive({ "__index.js": stringAsset(HANDLER), "node_modules/node-fetch": fileArchive("node_modules/node-fetch") }),
            environment: { variables: { WEBHOOK_PARAMETER_NAME: "/console-login-alerts/dev/slack-webhook-url", TIME_ZONE: "UTC" } },
            tags: { team: "security" },
        },
    });
    return { parameter, secretVersion, fn, all: [parameter, secretVersion, fn] };
}

function plainText(name: string, type: string, path: string): string {
    return (
        `Resource "${name}" (${type}) has a Slack webhook URL in ${path}, where it is stored in plain text and shown to anyone who can read ` +
        "the resource; keep the URL only in an SSM SecureString parameter's value or a Secrets Manager secret version's secretString and read it from there at run time."
    );
}

const LAMBDA = "aws:lambda/function:Function";

describe("policy slack-webhook-in-secret", () => {
    it("passes a webhook kept in an SSM SecureString parameter and a Secrets Manager secret version", async () => {
        assert.deepEqual(await check(slackWebhookInSecret, webhookStack().all), []);
    });

    it("flags a webhook in a Lambda environment variable, even when marked secret", async () => {
        const { fn } = webhookStack();
        const broken = withProps(fn, { environment: { variables: { SLACK_WEBHOOK_URL: secret(WEBHOOK) } } });
        assert.deepEqual(await check(slackWebhookInSecret, [broken]), [
            {
                policy: "slack-webhook-in-secret",
                enforcementLevel: "mandatory",
                urn: fn.urn,
                message: plainText("function", LAMBDA, "environment.variables.SLACK_WEBHOOK_URL"),
            },
        ]);
    });

    it("flags a webhook captured in the serialized code of a callback function", async () => {
        const { fn } = webhookStack();
        const captured = `var __settings = {slackWebhookUrl: "${WEBHOOK}", timeZone: "UTC"};\n${HANDLER}`;
        const broken = withProps(fn, {
            code: assetArchive({ "__index.js": stringAsset(captured), "node_modules/node-fetch": fileArchive("node_modules/node-fetch") }),
        });
        assert.deepEqual(await messages(slackWebhookInSecret, [broken]), [plainText("function", LAMBDA, 'code["__index.js"]')]);
    });

    it("flags a webhook in a file of an archive nested in the code archive", async () => {
        const { fn } = webhookStack();
        const broken = withProps(fn, {
            code: assetArchive({ lib: assetArchive({ "settings.json": stringAsset(JSON.stringify({ url: WEBHOOK })) }) }),
        });
        assert.deepEqual(await messages(slackWebhookInSecret, [broken]), [plainText("function", LAMBDA, 'code["lib/settings.json"]')]);
    });

    it("flags a webhook in a tag", async () => {
        const { fn } = webhookStack();
        const broken = withProps(fn, { tags: { team: "security", "slack-webhook": WEBHOOK } });
        assert.deepEqual(await messages(slackWebhookInSecret, [broken]), [plainText("function", LAMBDA, 'tags["slack-webhook"]')]);
    });

    it("flags a webhook as the endpoint of an SNS https subscription", async () => {
        const subscription = resource({
            type: "aws:sns/topicSubscription:TopicSubscription",
            name: "alarms-to-slack",
            inputs: { topic: "arn:aws:sns:us-east-1:111122223333:alarms", protocol: "https", endpoint: secret(WEBHOOK) },
        });
        assert.deepEqual(await messages(slackWebhookInSecret, [subscription]), [
            plainText("alarms-to-slack", "aws:sns/topicSubscription:TopicSubscription", "endpoint"),
        ]);
    });

    it("flags a webhook in an alarm description", async () => {
        const alarm = resource({
            type: "aws:cloudwatch/metricAlarm:MetricAlarm",
            name: "signin-alarm",
            inputs: { alarmDescription: `Posts to ${WEBHOOK}`, alarmActions: [] },
        });
        assert.deepEqual(await messages(slackWebhookInSecret, [alarm]), [
            plainText("signin-alarm", "aws:cloudwatch/metricAlarm:MetricAlarm", "alarmDescription"),
        ]);
    });

    it("flags a webhook in an SSM parameter of type String", async () => {
        const { parameter } = webhookStack();
        assert.deepEqual(await messages(slackWebhookInSecret, [withProps(parameter, { type: "String" })]), [
            'Parameter "webhook" stores a Slack webhook URL in value as a plain String parameter, readable by anyone who can read the parameter or the stack; ' +
                'set its type to "SecureString".',
        ]);
    });

    it("passes a webhook in the write-only valueWo of an SSM SecureString parameter", async () => {
        const { parameter } = webhookStack();
        const writeOnly = withProps(parameter, { value: undefined, valueWo: secret(WEBHOOK), valueWoVersion: 1 });
        assert.deepEqual(await check(slackWebhookInSecret, [writeOnly]), []);
    });

    it("passes a webhook in the write-only secretStringWo of a Secrets Manager secret version", async () => {
        const { secretVersion } = webhookStack();
        const writeOnly = withProps(secretVersion, { secretString: undefined, secretStringWo: secret(WEBHOOK), secretStringWoVersion: 1 });
        assert.deepEqual(await check(slackWebhookInSecret, [writeOnly]), []);
    });

    it("flags a webhook in the write-only valueWo of an SSM parameter of type String", async () => {
        const { parameter } = webhookStack();
        const broken = withProps(parameter, { type: "String", value: undefined, valueWo: WEBHOOK, valueWoVersion: 1 });
        assert.deepEqual(await messages(slackWebhookInSecret, [broken]), [
            'Parameter "webhook" stores a Slack webhook URL in valueWo as a plain String parameter, readable by anyone who can read the parameter or the stack; ' +
                'set its type to "SecureString".',
        ]);
    });

    it("flags a webhook in a SecureString parameter's insecureValue", async () => {
        const { parameter } = webhookStack();
        const broken = withProps(parameter, { value: undefined, insecureValue: WEBHOOK });
        assert.deepEqual(await messages(slackWebhookInSecret, [broken]), [
            plainText("webhook", "aws:ssm/parameter:Parameter", "insecureValue"),
        ]);
    });

    it("flags a webhook anywhere else in a secret's resources, such as its description", async () => {
        const { secretVersion } = webhookStack();
        const secretResource = resource({
            type: "aws:secretsmanager/secret:Secret",
            name: "webhook-secret-container",
            inputs: { description: `Slack: ${WEBHOOK}` },
        });
        assert.deepEqual(await messages(slackWebhookInSecret, [secretVersion, secretResource]), [
            plainText("webhook-secret-container", "aws:secretsmanager/secret:Secret", "description"),
        ]);
    });

    it("recognizes workflow and trigger webhooks as well as incoming webhooks", async () => {
        const fn = (url: string) => withProps(webhookStack().fn, { environment: { variables: { HOOK: url } } });
        const urls = [
            "https://hooks.slack.com/workflows/T0123ABCD/A0123ABCD/123456789012345678/AbCdEf",
            "https://hooks.slack.com/triggers/T0123ABCD/123456789012/abcdef0123",
        ];
        for (const url of urls) {
            assert.deepEqual(
                await messages(slackWebhookInSecret, [fn(url)]),
                [plainText("function", LAMBDA, "environment.variables.HOOK")],
                url,
            );
        }
    });

    it("does not take the bare webhook prefix, as in a validation message, for a webhook", async () => {
        const fn = withProps(webhookStack().fn, { description: "Posts to a URL that starts with https://hooks.slack.com/services/" });
        assert.deepEqual(await check(slackWebhookInSecret, [fn]), []);
    });

    it("never repeats the webhook in its message", async () => {
        const broken = withProps(webhookStack().fn, { environment: { variables: { SLACK_WEBHOOK_URL: WEBHOOK } } });
        for (const message of await messages(slackWebhookInSecret, [broken])) {
            assert.ok(!message.includes("hooks.slack.com"), message);
        }
    });

    it("passes in preview, when values and the parameter's type are not known yet", async () => {
        const { parameter, fn } = webhookStack();
        const resources: EngineResource[] = [
            withProps(parameter, { type: UNKNOWN_ON_THE_WIRE }),
            withProps(fn, { environment: { variables: { WEBHOOK_PARAMETER_NAME: UNKNOWN_ON_THE_WIRE } }, code: UNKNOWN_ON_THE_WIRE }),
        ];
        assert.deepEqual(await check(slackWebhookInSecret, resources), []);
    });

    it("reads archives handed over as plain wire objects as well as asset objects", async () => {
        const violations: string[] = [];
        const props = { code: assetArchive({ "__index.js": stringAsset(`const url = "${WEBHOOK}";`) }) };
        const args = {
            type: LAMBDA,
            name: "function",
            urn: "urn:pulumi:dev::console-login-alerts::aws:lambda/function:Function::function",
            props,
            isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === LAMBDA,
        } as unknown as ResourceValidationArgs;
        const validate = (slackWebhookInSecret as ResourceValidationPolicy).validateResource as (
            a: ResourceValidationArgs,
            r: (m: string) => void,
        ) => Promise<void>;
        await validate(args, (m) => violations.push(m));
        assert.deepEqual(violations, [plainText("function", LAMBDA, 'code["__index.js"]')]);
    });

    it("finds the webhook in the code a real closure serializes to, whether it captured the URL or the whole settings object", async () => {
        const settings = { slackWebhookUrl: WEBHOOK, timeZone: "UTC" };
        const post = async (url: string, body: string) => ({ url, body });
        const closures = [
            // Pulumi serializes only the properties a closure reads, so reading the URL captures it...
            () => async () => post(settings.slackWebhookUrl, "signed in"),
            // ...and handing the object on captures all of it.
            () => async () => JSON.stringify(settings),
        ];
        for (const factory of closures) {
            const serialized = await pulumi.runtime.serializeFunction(factory, { isFactoryFunction: true });
            const broken = withProps(webhookStack().fn, { code: assetArchive({ "__index.js": stringAsset(serialized.text) }) });
            assert.deepEqual(await messages(slackWebhookInSecret, [broken]), [plainText("function", LAMBDA, 'code["__index.js"]')]);
        }
    });

    it("passes a closure that reads only other settings: Pulumi leaves the URL out of its code", async () => {
        const settings = { slackWebhookUrl: WEBHOOK, timeZone: "UTC" };
        const serialized = await pulumi.runtime.serializeFunction(() => async () => settings.timeZone, { isFactoryFunction: true });
        const fn = withProps(webhookStack().fn, { code: assetArchive({ "__index.js": stringAsset(serialized.text) }) });
        assert.deepEqual(await check(slackWebhookInSecret, [fn]), []);
    });
});
