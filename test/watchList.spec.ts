/**
 * The watch list (program/watchList.ts): every kind of resource the stack can create is watched,
 * and every call the table names reaches its rule on both paths — the metric filter's pattern, by
 * the production evaluator, and the fast path's EventBridge rule — while another stack's resources
 * do not.
 */
import { strict as assert } from "assert";
import { BUILT_IN_RULES } from "../program/rules";
import { apiCallRecord } from "../program/rules/records";
import { TAMPERING_RULE_IDS, UNWATCHED_TYPES, WATCH_LIST, type WatchEntry } from "../program/watchList";
import { compileFilterPattern } from "../shared/filterPattern";
import { fastPathRuleMatches } from "./support/eventBridgeSimulator";
import { CONFIRM_ON, runWith } from "./support/program";

// Every option that adds resources: an email subscription, both keys, the summary's schedule, a
// custom rule, the organization's forwarding, and "Was this you?" (its endpoint's function URL).
const EVERY_OPTION_ON = {
    ...CONFIRM_ON,
    operatorEmail: "ops@example.com",
    encryptTopics: "true",
    encryptTrailLogs: "true",
    summary: "daily",
    organizationTrail: "true",
    organization: JSON.stringify({ id: "o-a1b2c3d4e5", units: ["r-ab12"], regions: ["us-east-1"] }),
    customRules: JSON.stringify([
        { id: "break-glass", title: "Break-glass user", pattern: '{ $.userIdentity.userName = "break-glass" }', severity: "critical" },
    ]),
};

/** A concrete text the wildcard text stands for. */
function concrete(text: string, filler: string): string {
    return text.split("*").join(filler);
}

/** A CloudTrail record of `call` whose named parameter holds `name` (a list where the parameter is one). */
function record(entry: WatchEntry, call: string, name: string): Record<string, unknown> {
    const requestParameters: Record<string, unknown> = {};
    if (entry.names) {
        const list = entry.names.parameter.endsWith("[*]");
        requestParameters[entry.names.parameter.replace("[*]", "")] = list ? ["someone-elses", name] : name;
    }
    return apiCallRecord("example.amazonaws.com", concrete(call, "X20150331"), requestParameters);
}

function envelope(detail: Record<string, unknown>): Record<string, unknown> {
    return { version: "0", id: "e", "detail-type": "AWS API Call via CloudTrail", source: "aws.example", account: "111122223333", detail };
}

function matchedRules(detail: Record<string, unknown>): string[] {
    const text = JSON.stringify(detail);
    return TAMPERING_RULE_IDS.filter((id) => compileFilterPattern(BUILT_IN_RULES[id].pattern)(text));
}

describe("the watch list", function () {
    it("has an entry for every resource type the program can create, every option on", async function () {
        const run = await runWith(EVERY_OPTION_ON);
        const types = [...new Set(run.resources.map((r) => r.type))].filter((t) => t.startsWith("aws:")).sort();
        const watched = new Set([...WATCH_LIST.flatMap((e) => e.types), ...Object.keys(UNWATCHED_TYPES)]);
        assert.deepEqual(
            types.filter((t) => !watched.has(t)),
            [],
        );
        // Both keys and the summary's schedule are in that plan, so their entries were judged above.
        assert.ok(types.includes("aws:kms/key:Key") && types.includes("aws:sns/topicSubscription:TopicSubscription"));
        assert.ok(types.includes("aws:lambda/functionUrl:FunctionUrl"));
    });

    for (const entry of WATCH_LIST) {
        for (const call of entry.calls) {
            const own = entry.names ? concrete(entry.names.value, "login-alerts-x") : undefined;
            it(`posts ${call} on ${own ?? "any resource"} under ${entry.rule}, on both paths`, function () {
                const detail = record(entry, call, own ?? "");
                assert.deepEqual(matchedRules(detail), [entry.rule]);
                assert.ok(fastPathRuleMatches(envelope(detail)), "the fast path does not forward it");
            });
            if (entry.names) {
                it(`leaves ${call} on another stack's resource alone`, function () {
                    assert.deepEqual(matchedRules(record(entry, call, "billing-report")), []);
                });
            }
        }
    }
});
