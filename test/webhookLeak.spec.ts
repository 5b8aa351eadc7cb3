import * as assert from "assert";
import * as fs from "fs";
import { SAFETY_MS } from "../handler/ingest/sweep";
import { alarmNamesOf, invokeInChild, unpackFunction, type ChildRun, type DeployedFunction } from "../tools/local/deployedFunction";
import { LocalAws } from "../tools/local/localAws";
import { LocalSlack, SLACK_ORIGIN_VARIABLE, type SlackAnswer } from "../tools/local/localSlack";
import { LocalSns } from "../tools/local/localSns";
import { alarmNotification, fixture } from "../tools/fixtures";
import { defaultProgram } from "./support/program";

// A path no other test uses, so that any trace of it in the output can only come from this webhook.
const WEBHOOK_PATH = "/services/TLEAKPROBE1/BLEAKPROBE2/LeakProbeToken0123456789abcdef";
// A host that cannot resolve: the .invalid top-level domain is reserved (RFC 6761) and never exists.
const UNRESOLVABLE_ORIGIN = "https://hooks.leak-probe.invalid";
const KNOBS = { SLACK_TIMEOUT_MS: "1000", SLACK_BACKOFF_BASE_MS: "50", SLACK_BACKOFF_CAP_MS: "200", MIN_POST_INTERVAL_MS: "0" };

// The parameter holds Slack's own host: the runner leads it wherever the case says (`route`).
const WEBHOOK = `https://hooks.slack.com${WEBHOOK_PATH}`;

interface Case {
    fault: string;
    /** Where Slack's host leads, given the local Slack's origin (plain HTTP). */
    route(origin: string): string;
    slack?(url: string): SlackAnswer[];
    /**
     * The failure the invocation must end with, so the path under test is known to have run; or, for
     * a message Slack refuses, what the operators are told once it has been degraded to no avail.
     */
    error: RegExp;
    /** The invocation succeeds: Slack refused the message, and the rule moved on after telling the operators. */
    degrades?: boolean;
    /** Whether the local Slack must have seen a request. */
    reachesSlack: boolean;
    remainingMs?: number;
}

const repeat = (answer: SlackAnswer, count = 200): SlackAnswer[] => Array.from({ length: count }, () => ({ ...answer }));

const CASES: Case[] = [
    {
        fault: "connection reset (node-fetch names the URL in its error)",
        route: (origin) => origin,
        slack: () => repeat({ reset: true }),
        error: /SlackUnconfirmedError: .*network error/,
        reachesSlack: true,
    },
    {
        fault: "DNS failure (a host that cannot resolve)",
        route: () => UNRESOLVABLE_ORIGIN,
        // As for TLS below: a last attempt the deadline cuts short makes it SlackUnconfirmedError, naming the DNS error before it.
        error: /Slack(Unavailable|Unconfirmed)Error: .*network error: .*ENOTFOUND/,
        reachesSlack: false,
    },
    {
        fault: "TLS failure (https:// to a plain-HTTP port)",
        route: (origin) => origin.replace(/^http:/, "https:"),
        // Retried until the deadline; when the deadline cuts the last attempt short, that attempt
        // may have gone out, so the error is SlackUnconfirmedError, still naming the TLS error before it.
        error: /Slack(Unavailable|Unconfirmed)Error: .*network error/,
        // The TLS handshake is not an HTTP request: the stand-in never sees one.
        reachesSlack: false,
    },
    {
        fault: "timeout",
        route: (origin) => origin,
        slack: () => repeat({ delayMs: 1500 }, 5),
        error: /SlackUnconfirmedError: .*no answer within/,
        reachesSlack: true,
        remainingMs: SAFETY_MS + 2500,
    },
    {
        fault: "HTTP 400 whose body repeats the URL (the message is degraded, then reported to the operators)",
        route: (origin) => origin,
        slack: (url) => repeat({ status: 400, body: `invalid_payload for ${url} (${WEBHOOK_PATH})` }),
        error: /HTTP 400 invalid_payload/,
        degrades: true,
        reachesSlack: true,
    },
    ...([403, 404, 410] as const).map((status): Case => ({
        fault: `HTTP ${status} whose body repeats the URL`,
        route: (origin) => origin,
        slack: (url) => repeat({ status, body: `no_service for ${url} (${WEBHOOK_PATH})` }),
        error: new RegExp(`SlackRejectedError: Slack rejected the message with HTTP ${status} `),
        reachesSlack: true,
    })),
    {
        fault: "HTTP 500 whose body repeats the URL",
        route: (origin) => origin,
        slack: (url) => repeat({ status: 500, body: `internal_error at ${url}` }),
        error: /SlackUnconfirmedError: .*HTTP 500/,
        reachesSlack: true,
    },
    ...([301, 302, 307] as const).map((status): Case => ({
        fault: `HTTP ${status} to the webhook itself`,
        route: (origin) => origin,
        slack: (url) => [{ status, redirectTo: url, body: `moved to ${url}` }],
        error: /SlackRejectedError: .*a redirect, not followed/,
        reachesSlack: true,
    })),
    {
        fault: '200 whose body is not "ok" but the URL',
        route: (origin) => origin,
        slack: (url) => [{ status: 200, body: url }],
        error: /SlackRejectedError: Slack did not confirm the message/,
        reachesSlack: true,
    },
    {
        fault: "429 with a Retry-After longer than the invocation",
        route: (origin) => origin,
        slack: (url) => repeat({ status: 429, body: `rate_limited ${url}`, headers: { "Retry-After": "3600" } }),
        error: /SlackRateLimitedError: /,
        reachesSlack: true,
    },
];

/** The secret parts of a webhook URL: the URL itself, its path, and each path segment longer than 8 characters. */
function secretsOf(webhook: string): string[] {
    const { pathname } = new URL(webhook);
    return [webhook, pathname, ...pathname.split("/").filter((s) => s.length > 8)];
}

/** Every line of output, error, and message to the operators of a run that contains a secret part of the webhook. */
function leaks(run: ChildRun, webhook: string, toOperators: string[]): string[] {
    const texts = [
        ...(run.stdout + "\n" + run.stderr).split("\n"),
        ...run.results.flatMap((r) => [r.error?.name ?? "", r.error?.message ?? ""]),
        ...toOperators,
    ];
    const secrets = secretsOf(webhook);
    return texts.filter((t) => secrets.some((s) => t.includes(s)));
}

describe("the deployed handler never writes the webhook URL", function () {
    let fn: DeployedFunction;
    let slack: LocalSlack;
    let aws: LocalAws;
    let sns: LocalSns;
    let alarmEvent: unknown;

    before(async function () {
        this.timeout(240000);
        fn = unpackFunction(await defaultProgram());
        slack = await new LocalSlack().start();
        aws = await new LocalAws().start();
        sns = await new LocalSns().start();
        alarmEvent = alarmNotification({ AlarmName: alarmNamesOf(fn)["console-signin"] });
    });

    after(async function () {
        await slack?.stop();
        await aws?.stop();
        await sns?.stop();
        if (fn) {
            fs.rmSync(fn.dir, { recursive: true, force: true });
            fs.rmSync(fn.runtimeModules, { recursive: true, force: true });
        }
    });

    it("the probe's secrets are what a leak would contain", function () {
        assert.deepStrictEqual(secretsOf(`https://h.invalid${WEBHOOK_PATH}`).slice(2), [
            "TLEAKPROBE1",
            "BLEAKPROBE2",
            "LeakProbeToken0123456789abcdef",
        ]);
    });

    for (const c of CASES) {
        it(`keeps the webhook out of stdout, stderr and the error on ${c.fault}`, async function () {
            this.timeout(30000);
            const webhook = WEBHOOK;
            slack.reset(c.slack?.(webhook) ?? []);
            aws.calls.length = 0;
            aws.faults.clear();
            aws.logEvents.length = 0;
            aws.parameters.clear();
            aws.parameters.set(fn.environment["WEBHOOK_PARAMETER_NAME"]!, { type: "SecureString", value: webhook });
            await aws.resetTable(fn.environment["STATE_TABLE_NAME"]!);
            aws.logEvents.push({
                logGroupName: fn.environment["TRAIL_LOG_GROUP_NAME"]!,
                timestamp: Date.now() - 120000,
                message: JSON.stringify(fixture("cloudtrail_iam-user-mfa")),
            });
            sns.reset();
            const run = await invokeInChild(fn, [alarmEvent], {
                env: { ...aws.env(), ...sns.env(), [SLACK_ORIGIN_VARIABLE]: c.route(slack.origin), ...KNOBS },
                remainingMs: c.remainingMs ?? SAFETY_MS + 1500,
            });
            assert.strictEqual(run.results.length, 1, run.stderr);
            const [result] = run.results;
            const toOperators = sns.published.map((p) => `${p.subject ?? ""}\n${p.message}`);
            if (c.degrades) {
                assert.strictEqual(result!.ok, true, run.stderr);
                assert.strictEqual(toOperators.length, 1, "the operators were not told of the refused message");
                assert.match(toOperators[0]!, c.error);
            } else {
                assert.strictEqual(result!.ok, false, "the fault must fail the invocation");
                assert.match(result!.error!.message, c.error);
            }
            assert.strictEqual(slack.requests.length > 0, c.reachesSlack, `requests: ${slack.requests.length}`);
            assert.deepStrictEqual(leaks(run, webhook, toOperators), []);
        });
    }
});
