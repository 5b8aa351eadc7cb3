/**
 * slack-webhook-in-secret through the pack as the CLI runs it (support/policyPackProcess.ts): code
 * shipped from disk, Slack tokens and encoded webhooks, sent in the engine's wire form to Analyze
 * (a resource's inputs, before each step, where resource policies run) and AnalyzeStack (every
 * resource's outputs, stack policies only), in a first
 * preview (values still unknown) and in an update.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ASSET_SIG, SIG_KEY, UNKNOWN_ON_THE_WIRE } from "../tools/engineWire";
import { WEBHOOK, assetArchive, fileArchive, resource, secret, stringAsset, withProps } from "./support/policyHarness";
import { shown, startPolicyPack, type PolicyPackProcess } from "./support/policyPackProcess";

const LAMBDA = "aws:lambda/function:Function";
const TOKEN = "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";

function held(name: string, type: string, what: string, it: string, at: string): string {
    return shown(
        "slack-webhook-in-secret",
        `Resource "${name}" (${type}) has ${what} in ${at}, where it is stored in plain text and shown to anyone who can read the resource; ` +
            `keep ${it} only in an SSM SecureString parameter's value or a Secrets Manager secret version's secretString and read it from there at run time.`,
    );
}
const webhookIn = (at: string) => held("handler", LAMBDA, "a Slack webhook URL", "the URL", at);
const tokenIn = (at: string) => held("handler", LAMBDA, "a Slack token", "the token", at);

describe("slack-webhook-in-secret, run as the Pulumi CLI runs the pack", function () {
    let pack: PolicyPackProcess;
    let dir = "";

    function lambda(code: unknown, extra: Record<string, unknown> = {}) {
        return resource({
            type: LAMBDA,
            name: "handler",
            inputs: { runtime: "python3.13", handler: "main.handler", role: "arn:aws:iam::111122223333:role/handler", code, ...extra },
        });
    }

    function tree(name: string, files: Record<string, string>): string {
        for (const [file, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, name, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, name, file), content);
        }
        return path.join(dir, name);
    }

    before(async function () {
        this.timeout(120_000);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "webhook-grpc-"));
        pack = await startPolicyPack();
    });

    after(function () {
        pack?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("Analyze stops a webhook in a file of a directory archive (a Python function's ./app)", async function () {
        const app = tree("app", { "main.py": "def handler(event, context): ...\n", "settings.py": `URL = "${WEBHOOK}"\n` });
        assert.deepEqual(await pack.analyze(lambda(fileArchive(app))), [
            {
                policy: "slack-webhook-in-secret",
                pack: "console-login-alerts",
                enforcementLevel: "mandatory",
                urn: "",
                message: webhookIn('code["settings.py"]'),
            },
        ]);
    });

    it("Analyze stops a token in a file asset inside an asset archive; AnalyzeStack leaves resource policies to Analyze", async function () {
        const config = tree("config", { "slack.json": JSON.stringify({ token: TOKEN }) });
        const slackJson = { [SIG_KEY]: ASSET_SIG, path: path.join(config, "slack.json") };
        const fn = lambda(assetArchive({ "main.py": stringAsset("def handler(e, c): ...\n"), "slack.json": slackJson }));
        assert.deepEqual(
            (await pack.analyze(fn)).map((d) => [d.policy, d.message]),
            [["slack-webhook-in-secret", tokenIn('code["slack.json"]')]],
        );
        // @pulumi/policy's AnalyzeStack runs stack policies only (server.js, makeAnalyzeStackRpcFun), so
        // the outputs never report this resource policy a second time.
        assert.deepEqual(await pack.analyzeStack([fn]), []);
    });

    it("stops a percent-encoded GovSlack webhook and a token sent as secrets in environment variables", async function () {
        const gov = "https%3A%2F%2Fhooks.slack-gov.com%2Fservices%2FT00000000%2FB00000000%2FXXXXXXXXXXXXXXXXXXXXXXXX";
        const fn = lambda(stringAsset("x"), { environment: { variables: { HOOK: secret(gov), TOKEN: secret(TOKEN) } } });
        assert.deepEqual(
            (await pack.analyze(fn)).map((d) => d.message),
            [webhookIn("environment.variables.HOOK"), tokenIn("environment.variables.TOKEN")],
        );
    });

    it("in a first preview, with the role and environment still unknown, still reads the code on disk", async function () {
        const clean = tree("clean", { "main.py": "import os\nPARAMETER = os.environ['WEBHOOK_PARAMETER_NAME']\n" });
        const leaky = tree("leaky", { "main.py": `TOKEN = "${TOKEN}"\n` });
        const preview = (code: unknown) => withProps(lambda(code), { role: UNKNOWN_ON_THE_WIRE, environment: UNKNOWN_ON_THE_WIRE });
        assert.deepEqual(await pack.analyzeAll([preview(fileArchive(clean))]), []);
        assert.deepEqual(
            (await pack.analyzeAll([preview(fileArchive(leaky))])).map((d) => [d.policy, d.enforcementLevel, d.message]),
            [["slack-webhook-in-secret", "mandatory", tokenIn('code["main.py"]')]],
        );
    });

    it("in an update, passes clean code on disk and a webhook kept in a SecureString parameter", async function () {
        const clean = tree("update", { "main.py": "def handler(e, c): ...\n", "requirements.txt": "requests==2.32.3\n" });
        const parameter = resource({
            type: "aws:ssm/parameter:Parameter",
            name: "webhook",
            inputs: { name: "/console-login-alerts/dev/slack-webhook-url", type: "SecureString", value: secret(WEBHOOK) },
        });
        assert.deepEqual(await pack.analyzeAll([parameter, lambda(fileArchive(clean))]), []);
    });
});
