import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { exemptionFor } from "../policy/lib/exemptions";
import { policies } from "../policy/policies";
import { check, messages, policyDocument, resource, signInFilter, type EngineResource } from "./support/policyHarness";
import { Struct, analyzer, startPolicyPack, type PolicyPackProcess } from "./support/policyPackProcess";
import { POLICY_DIR } from "../tools/policyCheck";

function registered(name: string) {
    const policy = policies.find((p) => p.name === name);
    assert.ok(policy, name);
    return policy;
}

function silentAlarm(name = "team-b-alarm") {
    return resource({
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        name,
        inputs: { metricName: "console-signin", namespace: "ConsoleLoginAlerts", threshold: 1, alarmActions: [] },
    });
}

function unloggedTrail(name: string): EngineResource {
    return resource({ type: "aws:cloudtrail/trail:Trail", name, inputs: { name, s3BucketName: "org-trail-bucket" } });
}

const NO_ACTIONS = (name: string) =>
    `Alarm "${name}" has no alarmActions, so it goes into ALARM without telling anyone; add the alert topic's ARN to alarmActions.`;

const reason = "Owned by team B, which pages through its own dashboard.";
const ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

const WILDCARD = 'a pattern: "*" would exempt every resource whose type it matches, resources added later included';
const NOT_A_TOKEN = "which is not a resource type token (package:module:Type) and matches no resource";

/** The pack's refusal of an exemption whose type names no single resource type. */
function refused(policy: string, index: number, entryReason: string, type: string, why: string): string {
    return (
        `Policy "${policy}": exemptions[${index}] ("${entryReason}") has type "${type}", ${why}. ` +
        `Give one resource type token, such as "${ALARM_TYPE}", and/or the resource's urn or name; list one entry per type.`
    );
}

describe("policy exemptions", () => {
    it("declares an exemptions property in every policy's config schema, next to the policy's own properties", () => {
        for (const policy of policies) {
            assert.ok(policy.configSchema?.properties["exemptions"], policy.name);
        }
        assert.ok(registered("log-retention-set").configSchema?.properties["minimumRetentionDays"]);
    });

    it("skips a resource policy for a resource exempted by URN", async () => {
        const alarm = silentAlarm();
        const config = { "alarms-have-actions": { exemptions: [{ urn: alarm.urn, reason }] } };
        assert.deepEqual(await check(registered("alarms-have-actions"), [alarm], config), []);
    });

    it("skips a resource policy for a resource exempted by name, and only for that one", async () => {
        const config = { "alarms-have-actions": { exemptions: [{ name: "team-b-alarm", reason }] } };
        assert.deepEqual(await messages(registered("alarms-have-actions"), [silentAlarm(), silentAlarm("team-c-alarm")], config), [
            NO_ACTIONS("team-c-alarm"),
        ]);
    });

    it("skips a resource policy for resources exempted by their type token", async () => {
        const config = { "alarms-have-actions": { exemptions: [{ type: ALARM_TYPE, reason }] } };
        assert.deepEqual(await check(registered("alarms-have-actions"), [silentAlarm(), silentAlarm("team-c-alarm")], config), []);
    });

    it("does not skip a resource of another type", async () => {
        const config = { "alarms-have-actions": { exemptions: [{ type: "aws:s3/bucket:Bucket", reason }] } };
        assert.deepEqual(await messages(registered("alarms-have-actions"), [silentAlarm()], config), [NO_ACTIONS("team-b-alarm")]);
    });

    // A type with a wildcard exempts whatever it matches, and `*` matches every resource of every
    // stack the pack checks: the policy would pass for everything while looking configured.
    for (const [type, why] of [
        ["*", WILDCARD],
        ["aws:cloudwatch/*", WILDCARD],
        ["MetricAlarm", NOT_A_TOKEN],
    ] as const) {
        it(`refuses an exemption whose type is ${JSON.stringify(type)}, naming the entry and the fix, before checking any resource`, async () => {
            const config = {
                "alarms-have-actions": {
                    exemptions: [
                        { name: "team-b-alarm", reason },
                        { type, reason: "Not ours." },
                    ],
                },
            };
            await assert.rejects(check(registered("alarms-have-actions"), [silentAlarm()], config), {
                message: refused("alarms-have-actions", 1, "Not ours.", type, why),
            });
        });
    }

    it("refuses a wildcard type in a stack policy's exemptions too", async () => {
        const config = { "trail-logs-to-cloudwatch": { exemptions: [{ type: "*", reason }] } };
        await assert.rejects(check(registered("trail-logs-to-cloudwatch"), [unloggedTrail("team-b-trail")], config), {
            message: refused("trail-logs-to-cloudwatch", 0, reason, "*", WILDCARD),
        });
    });

    it("requires every selector of an entry to match", async () => {
        const config = { "alarms-have-actions": { exemptions: [{ name: "team-b-alarm", type: "aws:s3/bucket:Bucket", reason }] } };
        assert.deepEqual(await messages(registered("alarms-have-actions"), [silentAlarm()], config), [NO_ACTIONS("team-b-alarm")]);
    });

    it("keeps an exemption to its own policy", async () => {
        const config = { "log-retention-set": { exemptions: [{ name: "team-b-alarm", reason }] } };
        assert.deepEqual(await messages(registered("alarms-have-actions"), [silentAlarm()], config), [NO_ACTIONS("team-b-alarm")]);
    });

    it("drops a stack policy's violations against an exempted resource and keeps the others", async () => {
        const config = {
            "trail-logs-to-cloudwatch": {
                exemptions: [{ name: "audit-trail", reason: "The audit team's trail feeds its SIEM, not alerts." }],
            },
        };
        assert.deepEqual(
            // The sign-in filter reads a group no trail feeds, so both trails are held to delivering.
            await check(
                registered("trail-logs-to-cloudwatch"),
                [unloggedTrail("audit-trail"), unloggedTrail("team-b-trail"), signInFilter("signin-filter", "trail-logs")],
                config,
            ),
            [
                'Trail "team-b-trail" does not deliver its events to CloudWatch Logs, so no metric filter or alarm ever sees a console sign-in; ' +
                    'set cloudWatchLogsGroupArn to the log group\'s ARN followed by ":*".',
                'Trail "team-b-trail" has no cloudWatchLogsRoleArn, so CloudTrail cannot write to a log group; ' +
                    "set it to the ARN of a role that cloudtrail.amazonaws.com can assume and that allows logs:PutLogEvents on the group.",
            ].map((message) => ({
                policy: "trail-logs-to-cloudwatch",
                enforcementLevel: "mandatory",
                urn: unloggedTrail("team-b-trail").urn,
                message,
            })),
        );
    });

    it("ignores an entry that names no resource", () => {
        assert.equal(
            exemptionFor([{ reason }], { urn: silentAlarm().urn, name: "team-b-alarm", type: "aws:cloudwatch/metricAlarm:MetricAlarm" }),
            undefined,
        );
    });

    describe("sent by the engine's Configure call to the running pack", function () {
        let pack: PolicyPackProcess;
        before(async function () {
            this.timeout(120_000);
            pack = await startPolicyPack();
        });
        after(() => pack?.close());
        afterEach(() => pack.configure(new analyzer.ConfigureAnalyzerRequest()));

        async function configure(policy: string, exemptions: Array<Record<string, string>>): Promise<void> {
            const request = new analyzer.ConfigureAnalyzerRequest();
            request
                .getPolicyconfigMap()
                .set(
                    policy,
                    new analyzer.PolicyConfig()
                        .setEnforcementlevel(analyzer.EnforcementLevel.MANDATORY)
                        .setProperties(Struct.fromJavaScript({ exemptions })),
                );
            await pack.configure(request);
        }

        /** What the pack answered an RPC with, up to its stack trace: the error the engine shows. */
        async function refusal(work: Promise<unknown>): Promise<string[]> {
            try {
                await work;
            } catch (err) {
                const lines = String((err as { details?: string }).details).split("\n");
                return lines.slice(
                    0,
                    lines.findIndex((line) => line.startsWith("    at ")),
                );
            }
            throw new Error("expected the pack to refuse");
        }

        /** The server's words around a policy's error, naming the policy and the pack's version. */
        function fromPolicy(policy: string, message: string): string[] {
            const { name, version } = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as {
                version: string;
                name: string;
            };
            assert.ok(name);
            return [
                `Error validating resource with policy '${policy}' from policy pack 'console-login-alerts@v${version}':`,
                `Error: ${message}`,
            ];
        }

        it('refuses {type: "*"} on the first Analyze and AnalyzeStack after Configure, rather than exempting every resource', async function () {
            const admin = resource({
                type: "aws:iam/rolePolicy:RolePolicy",
                name: "break-glass",
                inputs: { role: "ops", policy: policyDocument({ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }) },
            });
            await configure("no-wildcard-iam", [{ type: "*", reason }]);
            assert.deepEqual(
                await refusal(pack.analyze(admin)),
                fromPolicy("no-wildcard-iam", refused("no-wildcard-iam", 0, reason, "*", WILDCARD)),
            );
            await configure("alarms-have-actions", [{ type: "*", reason }]);
            assert.deepEqual(
                await refusal(pack.analyzeStack([silentAlarm()])),
                fromPolicy("alarms-have-actions", refused("alarms-have-actions", 0, reason, "*", WILDCARD)),
            );
        });

        it("still exempts by a concrete type token", async function () {
            await configure("alarms-have-actions", [{ type: ALARM_TYPE, reason }]);
            assert.deepEqual(await pack.analyzeStack([silentAlarm()]), []);
            await configure("alarms-have-actions", [{ type: "aws:s3/bucket:Bucket", reason }]);
            assert.deepEqual(
                (await pack.analyzeStack([silentAlarm()])).map((d) => d.urn),
                [silentAlarm().urn],
            );
        });
    });
});
