import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSync } from "esbuild";
import { BUNDLE_OPTIONS } from "../program/functionPackage";
import { PROJECT_ROOT } from "../program/projectRoot";
import { invokeInChild, type DeployedFunction } from "../tools/local/deployedFunction";
import type { RecordedResource } from "../tools/offlineEngine";
import { LocalSlackApi, SLACK_API_ORIGIN_VARIABLE } from "../tools/local/localSlackApi";

// A function bundled as the notifier is (esbuild, node-fetch inside), whose handler asks Slack's Web
// API at the host it is given, with the client the notifier uses.
const ENTRY = `
import fetch from "node-fetch";
import { createSlackApi } from "./handler/deliver/slackApi";
import type { FetchLike } from "./handler/deliver/webhook";

export async function handler(event: { token: string; apiUrl?: string }) {
    const slack = createSlackApi({
        fetch: fetch as unknown as FetchLike,
        readToken: async () => event.token,
        tokenSource: "/login-alerts/slack-bot-token",
        ...(event.apiUrl ? { apiUrl: event.apiUrl } : {}),
        deadlineMs: Date.now() + 10000,
        requestTimeoutMs: 5000,
        backoffBaseMs: 100,
        backoffCapMs: 1000,
    });
    const person = await slack.lookupByEmail("alice@example.com");
    return person.found ? slack.postMessage({ channel: person.userId, text: "Was this you?" }) : person;
}
`;

function bundledFunction(): DeployedFunction {
    const result = buildSync({
        ...BUNDLE_OPTIONS,
        entryPoints: undefined,
        stdin: { contents: ENTRY, resolveDir: PROJECT_ROOT, loader: "ts", sourcefile: "askSlack.ts" },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "login-alerts-slack-api-"));
    const indexJs = result.outputFiles![0]!.text;
    fs.writeFileSync(path.join(dir, "__index.js"), indexJs);
    return { dir, environment: {}, indexJs, runtimeModules: dir, resource: {} as RecordedResource };
}

describe("the deployed function's route to Slack's Web API", function () {
    let api: LocalSlackApi;
    let fn: DeployedFunction;

    before(async function () {
        api = (await new LocalSlackApi().start()).addUser({ id: "U0ALICE01", email: "alice@example.com" });
        fn = bundledFunction();
    });
    after(async function () {
        await api.stop();
        fs.rmSync(fn.dir, { recursive: true, force: true });
    });

    it("leads https://slack.com/api/ and GovSlack's https://slack-gov.com/api/ to the local Web API", async function () {
        const run = await invokeInChild(fn, [{ token: api.botToken }, { token: api.botToken, apiUrl: "https://slack-gov.com/api/" }], {
            env: api.env(),
        });
        assert.deepStrictEqual(
            run.results.map((r) => (r.value as { channel?: string } | undefined)?.channel),
            ["D0ALICE01", "D0ALICE01"],
            run.stderr,
        );
        assert.deepStrictEqual(
            api.requests.map((r) => [r.method, r.token]),
            [
                ["users.lookupByEmail", "accepted"],
                ["chat.postMessage", "accepted"],
                ["users.lookupByEmail", "accepted"],
                ["chat.postMessage", "accepted"],
            ],
        );
        assert.deepStrictEqual(Object.keys(api.env()), [SLACK_API_ORIGIN_VARIABLE]);
    });
});
