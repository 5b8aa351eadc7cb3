import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as yazl from "yazl";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "../policy/node_modules/@pulumi/policy";
import { Budget, LIMITS } from "../policy/lib/assets";
import { ASSET_SIG, SIG_KEY } from "../tools/engineWire";
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

// ---------------------------------------------------------------------------------------------
// Other webhook hosts, encodings and Slack tokens.
// ---------------------------------------------------------------------------------------------

const TOKEN_HELD = (name: string, type: string, path: string) =>
    `Resource "${name}" (${type}) has a Slack token in ${path}, where it is stored in plain text and shown to anyone who can read ` +
    "the resource; keep the token only in an SSM SecureString parameter's value or a Secrets Manager secret version's secretString and read it from there at run time.";

// Shaped as Slack's documents show them; none is a live credential.
const TOKENS = {
    bot: "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    user: "xoxp-1234567890-1234567890-1234567890123-0123456789abcdef0123456789abcdef",
    appLevel: "xapp-1-A0123ABCDEF-1234567890123-0123456789abcdef0123456789abcdef",
    workspaceApp: "xoxa-2-1234567890-1234567890-abcdef0123456789",
    config: "xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAtMTIzNDU2Nzg5MA",
    refresh: "xoxe-1-My0xLTEyMzQ1Njc4OTAtMTIzNDU2Nzg5MC0xMjM0NTY3",
};

function withVariable(value: string): EngineResource {
    return withProps(webhookStack().fn, { environment: { variables: { SLACK: value } } });
}

describe("policy slack-webhook-in-secret: hosts, encodings and tokens", () => {
    it("flags a GovSlack webhook on hooks.slack-gov.com", async () => {
        const url = "https://hooks.slack-gov.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
        assert.deepEqual(await messages(slackWebhookInSecret, [withVariable(url)]), [
            plainText("function", LAMBDA, "environment.variables.SLACK"),
        ]);
    });

    it("flags a webhook percent-encoded whole, in part, twice, or with JSON's escaped slashes", async () => {
        const encoded = [
            encodeURIComponent(WEBHOOK),
            "https%3A%2F%2Fhooks.slack.com%2Fservices%2FT00000000%2FB00000000%2FXXXXXXXXXXXXXXXXXXXXXXXX",
            "https://hooks.slack.com%2Fservices/T00000000%2FB00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            `https://example.com/relay?to=${encodeURIComponent(encodeURIComponent(WEBHOOK))}`,
            JSON.stringify(WEBHOOK).replace(/\//g, "\\/"),
            "https:\\u002F\\u002Fhooks.slack.com\\u002Fservices\\u002FT00000000\\u002FB00000000\\u002FXXXXXXXXXXXXXXXXXXXXXXXX",
        ];
        for (const value of encoded) {
            assert.deepEqual(
                await messages(slackWebhookInSecret, [withVariable(value)]),
                [plainText("function", LAMBDA, "environment.variables.SLACK")],
                value,
            );
        }
    });

    it("flags every Slack token type Slack documents: bot, user, app-level, workspace app, config and refresh", async () => {
        for (const [kind, token] of Object.entries(TOKENS)) {
            assert.deepEqual(
                await messages(slackWebhookInSecret, [withVariable(token)]),
                [TOKEN_HELD("function", LAMBDA, "environment.variables.SLACK")],
                kind,
            );
        }
    });

    it("does not take a token prefix in prose, a placeholder, or the undocumented xoxr- for a token", async () => {
        const texts = [
            "Bot tokens start with xoxb- and user tokens with xoxp-",
            "xoxb-your-bot-token",
            "xapp-...",
            "xoxr-1234567890-abcdefghij",
        ];
        for (const text of texts) {
            assert.deepEqual(await check(slackWebhookInSecret, [withVariable(text)]), [], text);
        }
    });

    it("keeps tokens to the webhook's stores: passes one in a SecureString parameter, flags one in a String parameter", async () => {
        const { parameter, secretVersion } = webhookStack();
        assert.deepEqual(
            await check(slackWebhookInSecret, [
                withProps(parameter, { value: secret(TOKENS.bot) }),
                withProps(secretVersion, { secretString: TOKENS.user }),
            ]),
            [],
        );
        assert.deepEqual(await messages(slackWebhookInSecret, [withProps(parameter, { type: "String", value: TOKENS.bot })]), [
            'Parameter "webhook" stores a Slack token in value as a plain String parameter, readable by anyone who can read the parameter or the stack; ' +
                'set its type to "SecureString".',
        ]);
    });

    it("names both when one value holds a webhook and a token, and repeats neither", async () => {
        const found = await messages(slackWebhookInSecret, [withVariable(JSON.stringify({ url: WEBHOOK, token: TOKENS.bot }))]);
        assert.deepEqual(found, [
            'Resource "function" (aws:lambda/function:Function) has a Slack webhook URL and a Slack token in environment.variables.SLACK, where it is stored in plain text ' +
                "and shown to anyone who can read the resource; keep them only in an SSM SecureString parameter's value or a Secrets Manager secret version's secretString and read it from there at run time.",
        ]);
        for (const m of found) {
            assert.ok(!m.includes("hooks.slack") && !m.includes("xoxb-1"), m);
        }
    });
});

// ---------------------------------------------------------------------------------------------
// A Slack app's bot token and signing secret ("Was this you?").
// ---------------------------------------------------------------------------------------------

// The example Slack's "Verifying requests from Slack" shows: hexadecimal, no prefix.
const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const SIGNING_SECRET_HELD = (name: string, type: string, path: string) =>
    `Resource "${name}" (${type}) has a Slack signing secret in ${path}, where it is stored in plain text and shown to anyone who can read ` +
    "the resource; keep the secret only in an SSM SecureString parameter's value or a Secrets Manager secret version's secretString and read it from there at run time.";

function signingSecretParameter(type: string, value: Record<string, unknown>): EngineResource {
    return resource({
        type: "aws:ssm/parameter:Parameter",
        name: "answers-signing-secret",
        inputs: { name: "/console-login-alerts/dev/slack-signing-secret", type, ...value },
    });
}

describe("policy slack-webhook-in-secret: a Slack app's bot token and signing secret", () => {
    it("flags the bot and user tokens of a Slack app in a tag and in the code's config.json", async () => {
        const { fn } = webhookStack();
        const tagged = withProps(fn, { tags: { team: "security", "slack-bot": TOKENS.bot } });
        const shipped = withProps(fn, {
            code: assetArchive({
                "__index.js": stringAsset(HANDLER),
                "config.json": stringAsset(JSON.stringify({ userToken: TOKENS.user })),
            }),
        });
        assert.deepEqual(await messages(slackWebhookInSecret, [tagged, shipped]), [
            TOKEN_HELD("function", LAMBDA, 'tags["slack-bot"]'),
            TOKEN_HELD("function", LAMBDA, 'code["config.json"]'),
        ]);
    });

    it("flags a signing secret in an environment variable and a tag whose keys say so", async () => {
        const { fn } = webhookStack();
        const broken = withProps(fn, {
            environment: { variables: { SLACK_SIGNING_SECRET: secret(SIGNING_SECRET) } },
            tags: { team: "security", "slack-signing-secret": SIGNING_SECRET },
        });
        assert.deepEqual(await messages(slackWebhookInSecret, [broken]), [
            SIGNING_SECRET_HELD("function", LAMBDA, "environment.variables.SLACK_SIGNING_SECRET"),
            SIGNING_SECRET_HELD("function", LAMBDA, 'tags["slack-signing-secret"]'),
        ]);
    });

    it("flags a signing secret assigned in the text of a code file", async () => {
        const { fn } = webhookStack();
        const files = {
            "__index.js": `var settings = { signingSecret: "${SIGNING_SECRET}" };\n${HANDLER}`,
            ".env": `SLACK_SIGNING_SECRET=${SIGNING_SECRET}\n`,
            "config.json": JSON.stringify({ slackSigningSecret: SIGNING_SECRET }),
        };
        for (const [file, text] of Object.entries(files)) {
            const broken = withProps(fn, { code: assetArchive({ [file]: stringAsset(text) }) });
            assert.deepEqual(
                await messages(slackWebhookInSecret, [broken]),
                [SIGNING_SECRET_HELD("function", LAMBDA, `code["${file}"]`)],
                file,
            );
        }
    });

    it("flags a signing secret in a String parameter whose name says so, and in a SecureString parameter's insecureValue", async () => {
        assert.deepEqual(
            await messages(slackWebhookInSecret, [
                signingSecretParameter("String", { value: SIGNING_SECRET }),
                signingSecretParameter("SecureString", { insecureValue: SIGNING_SECRET }),
            ]),
            [
                'Parameter "answers-signing-secret" stores a Slack signing secret in value as a plain String parameter, readable by anyone who can read ' +
                    'the parameter or the stack; set its type to "SecureString".',
                SIGNING_SECRET_HELD("answers-signing-secret", "aws:ssm/parameter:Parameter", "insecureValue"),
            ],
        );
    });

    it("passes a signing secret in a SecureString parameter (value or valueWo) and a Secrets Manager secret version", async () => {
        const version = resource({
            type: "aws:secretsmanager/secretVersion:SecretVersion",
            name: "signing-secret",
            inputs: { secretId: "slack-signing-secret", secretString: secret(SIGNING_SECRET) },
        });
        assert.deepEqual(
            await check(slackWebhookInSecret, [
                signingSecretParameter("SecureString", { value: secret(SIGNING_SECRET) }),
                signingSecretParameter("SecureString", { valueWo: secret(SIGNING_SECRET), valueWoVersion: 1 }),
                version,
            ]),
            [],
        );
    });

    it("does not take a reference to the secret, a remark, or hexadecimal under another key for a signing secret", async () => {
        const { fn } = webhookStack();
        const fine = withProps(fn, {
            environment: {
                variables: {
                    SIGNING_SECRET_PARAMETER_NAME: "/console-login-alerts/dev/slack-signing-secret",
                    SLACK_SIGNING_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:slack-signing-secret-AbCdEf",
                    BUILD_ID: SIGNING_SECRET,
                },
            },
            tags: { "signing-secret": "rotated quarterly", "signing-secret-owner": "security" },
            description: "Checks the signing secret of each request",
        });
        assert.deepEqual(await check(slackWebhookInSecret, [fine]), []);
    });

    it("names every kind one value holds, and repeats none of them", async () => {
        const { fn } = webhookStack();
        const all = JSON.stringify({ url: WEBHOOK, token: TOKENS.bot, signingSecret: SIGNING_SECRET });
        const found = await messages(slackWebhookInSecret, [withProps(fn, { environment: { variables: { SLACK: all } } })]);
        assert.deepEqual(found, [
            'Resource "function" (aws:lambda/function:Function) has a Slack webhook URL, a Slack token and a Slack signing secret in environment.variables.SLACK, ' +
                "where it is stored in plain text and shown to anyone who can read the resource; keep them only in an SSM SecureString parameter's value or a " +
                "Secrets Manager secret version's secretString and read it from there at run time.",
        ]);
        for (const m of found) {
            assert.ok(!m.includes("hooks.slack") && !m.includes("xoxb-1") && !m.includes(SIGNING_SECRET), m);
        }
    });
});

// ---------------------------------------------------------------------------------------------
// Code shipped from disk: directories, zip/jar and tar archives, file assets.
// ---------------------------------------------------------------------------------------------

function fileAsset(p: string): Record<string, unknown> {
    return { [SIG_KEY]: ASSET_SIG, path: p };
}

function zipBytes(files: Record<string, string | Buffer>, compress = true): Promise<Buffer> {
    const zip = new yazl.ZipFile();
    for (const [name, content] of Object.entries(files)) {
        zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name, { compress });
    }
    zip.end();
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
        zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
        zip.outputStream.on("error", reject);
    });
}

function writeTree(root: string, files: Record<string, string | Buffer>): string {
    for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
        fs.writeFileSync(path.join(root, name), content);
    }
    return root;
}

const APP = { "main.py": "import os\nURL_PARAMETER = os.environ['WEBHOOK_PARAMETER_NAME']\n", "lib/util.py": "def post(url): ...\n" };
const LEAKY = { ...APP, "lib/settings.py": `SLACK_WEBHOOK_URL = "${WEBHOOK}"\n` };

function unreadable(name: string, type: string, at: string, reason: string): string {
    return (
        `Resource "${name}" (${type}) uploads files in ${at} that the policy cannot check for a Slack webhook URL, token or signing secret: ` +
        `${reason}; if they hold no Slack credential, exempt the resource in this policy's config, with the reason.`
    );
}

describe("policy slack-webhook-in-secret: code shipped from disk", () => {
    let dir = "";
    const code = (archive: Record<string, unknown>) => withProps(webhookStack().fn, { code: archive });

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "webhook-assets-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads every file of a directory archive, as the engine walks it, and skips .pulumi", async () => {
        const clean = writeTree(path.join(dir, "clean"), { ...APP, ".pulumi/cache.json": `{"url": "${WEBHOOK}"}` });
        const leaky = writeTree(path.join(dir, "leaky"), LEAKY);
        assert.deepEqual(await check(slackWebhookInSecret, [code(fileArchive(clean))]), []);
        assert.deepEqual(await messages(slackWebhookInSecret, [code(fileArchive(leaky))]), [
            plainText("function", LAMBDA, 'code["lib/settings.py"]'),
        ]);
    });

    it("resolves a relative path against the directory pulumi was started in (PWD), as the engine does against the program's", async () => {
        writeTree(path.join(dir, "relative"), LEAKY);
        const saved = process.env["PWD"];
        process.env["PWD"] = dir;
        try {
            assert.deepEqual(await messages(slackWebhookInSecret, [code(fileArchive("./relative"))]), [
                plainText("function", LAMBDA, 'code["lib/settings.py"]'),
            ]);
            assert.deepEqual(await check(slackWebhookInSecret, [code(fileArchive("./not-here"))]), []);
        } finally {
            process.env["PWD"] = saved;
        }
    });

    it("reads the files inside zip and jar archives, deflated or stored, and a zip inside the zip", async () => {
        const inner = await zipBytes({ "config.json": JSON.stringify({ token: TOKENS.bot }) });
        fs.writeFileSync(path.join(dir, "deflated.zip"), await zipBytes(LEAKY));
        fs.writeFileSync(
            path.join(dir, "stored.jar"),
            await zipBytes({ "app.properties": `slack.url=${encodeURIComponent(WEBHOOK)}\n` }, false),
        );
        fs.writeFileSync(path.join(dir, "layer.zip"), await zipBytes({ ...APP, "python/vendor.zip": inner }));
        assert.deepEqual(await messages(slackWebhookInSecret, [code(fileArchive(path.join(dir, "deflated.zip")))]), [
            plainText("function", LAMBDA, 'code["lib/settings.py"]'),
        ]);
        assert.deepEqual(await messages(slackWebhookInSecret, [code(fileArchive(path.join(dir, "stored.jar")))]), [
            plainText("function", LAMBDA, 'code["app.properties"]'),
        ]);
        assert.deepEqual(await messages(slackWebhookInSecret, [code(fileArchive(path.join(dir, "layer.zip")))]), [
            TOKEN_HELD("function", LAMBDA, 'code["python/vendor.zip/config.json"]'),
        ]);
    });

    it("reads the files inside a .tgz archive", async () => {
        const tree = writeTree(path.join(dir, "for-tar"), LEAKY);
        execFileSync("tar", ["-czf", path.join(dir, "app.tgz"), "-C", tree, "."]);
        assert.deepEqual(await messages(slackWebhookInSecret, [code(fileArchive(path.join(dir, "app.tgz")))]), [
            plainText("function", LAMBDA, 'code["./lib/settings.py"]'),
        ]);
    });

    it("reads file assets inside an asset archive, and a file asset alone", async () => {
        const settings = writeTree(path.join(dir, "assets"), { "settings.json": JSON.stringify({ token: TOKENS.appLevel }) });
        const archive = assetArchive({
            "__index.js": stringAsset(HANDLER),
            "config/settings.json": fileAsset(path.join(settings, "settings.json")),
        });
        assert.deepEqual(await messages(slackWebhookInSecret, [code(archive)]), [
            TOKEN_HELD("function", LAMBDA, 'code["config/settings.json"]'),
        ]);
        const object = resource({
            type: "aws:s3/bucketObjectv2:BucketObjectv2",
            name: "settings",
            inputs: { bucket: "config", source: fileAsset(path.join(settings, "settings.json")) },
        });
        assert.deepEqual(await messages(slackWebhookInSecret, [object]), [
            TOKEN_HELD("settings", "aws:s3/bucketObjectv2:BucketObjectv2", "source"),
        ]);
    });

    it("reports a file larger than it reads, and an archive it cannot read, as files it cannot check", async () => {
        const big = writeTree(path.join(dir, "big"), APP);
        // Sparse: the policy must decide from the size alone, without reading it.
        fs.writeFileSync(path.join(big, "model.bin"), "");
        fs.truncateSync(path.join(big, "model.bin"), LIMITS.fileBytes + 1);
        fs.writeFileSync(path.join(dir, "broken.zip"), "not a zip");
        const encrypted = await zipBytes(LEAKY);
        // Sets "encrypted" (general purpose flag bit 0) on every central directory entry.
        for (
            let at = encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
            at !== -1;
            at = encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)
        ) {
            encrypted.writeUInt16LE(encrypted.readUInt16LE(at + 8) | 1, at + 8);
        }
        fs.writeFileSync(path.join(dir, "encrypted.zip"), encrypted);
        assert.deepEqual(await messages(slackWebhookInSecret, [code(fileArchive(big))]), [
            unreadable("function", LAMBDA, 'code["model.bin"]', "it is larger than the 64 MiB the policy reads of one file"),
        ]);
        assert.deepEqual(await messages(slackWebhookInSecret, [code(fileArchive(path.join(dir, "broken.zip")))]), [
            unreadable("function", LAMBDA, "code", "it is not a zip file the policy can read (no end of central directory record)"),
        ]);
        assert.deepEqual(
            await messages(slackWebhookInSecret, [code(fileArchive(path.join(dir, "encrypted.zip")))]),
            ["main.py", "lib/util.py", "lib/settings.py"].map((entry) =>
                unreadable("function", LAMBDA, `code[${JSON.stringify(entry)}]`, "it is encrypted"),
            ),
        );
    });

    it("stops at its budget of files and bytes for one property, and says which ran out", () => {
        const bytes = new Budget();
        assert.ok(bytes.take(LIMITS.totalBytes - 1));
        assert.equal(bytes.take(2), false);
        assert.equal(bytes.exhausted, "its files come to more than the 256 MiB the policy reads");
        const files = new Budget();
        for (let i = 0; i < LIMITS.files; i++) {
            files.take(0);
        }
        assert.equal(files.take(0), false);
        assert.equal(files.exhausted, "it holds more than 20000 files, the most the policy reads");
    });
});
