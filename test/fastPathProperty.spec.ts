/**
 * The fast path's promise, as a property: for every rule and every CloudTrail record, if the rule's
 * CloudWatch Logs filter matches the record, the stack's regional EventBridge rules forward it.
 * Records are drawn (seeded, so a failure replays) from the recorded fixtures with the fields the
 * rules read set to values that matter to them; the EventBridge side is judged by
 * test/support/eventPattern.ts, itself held to AWS's recorded answers.
 */
import * as assert from "assert";
import { fastPathPatterns, routeOf } from "../program/fastPathPatterns";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES, CIS_PATTERNS } from "../program/rules";
import { WATCH_LIST } from "../program/watchList";
import { compileFilterPattern } from "../shared/filterPattern";
import { cloudTrailFixtures } from "../tools/fixtures";
import { seededRandom } from "./support/alarmSimulator";
import { eventBridgeEnvelope } from "./support/eventBridgeSimulator";
import { compileEventPattern } from "./support/eventPattern";

type Record_ = Record<string, unknown>;

const SAMPLES = 4000;
const TEMPLATES = [...cloudTrailFixtures()].map(([, f]) => JSON.parse(f.text) as Record_);
const CALLS = [...new Set(WATCH_LIST.flatMap((e) => e.calls))].map((c) => c.replace(/\*/g, "X20150331"));
const OWN_NAMES = [
    "login-alerts-x",
    "login-alerts-fast-path-us-east-1-rule-1a2b",
    "/console-login-alerts/dev/slack-webhook-url",
    "arn:aws:sns:us-east-1:111122223333:login-alerts-alarms",
];
const OTHER_NAMES = ["billing", "team-b-rule", "/other/param"];

function pick<T>(random: () => number, values: readonly T[]): T {
    return values[Math.floor(random() * values.length)] as T;
}

/** Sets (or, drawn as undefined, removes) a field at a dotted path. */
function put(record: Record_, path: string, value: unknown): void {
    const keys = path.split(".");
    let at = record;
    for (const key of keys.slice(0, -1)) {
        at[key] = typeof at[key] === "object" && at[key] !== null ? { ...(at[key] as Record_) } : {};
        at = at[key] as Record_;
    }
    const last = keys[keys.length - 1] as string;
    if (value === undefined) {
        delete at[last];
    } else {
        at[last] = value;
    }
}

/** The fields the rules read, and values that make or break them. */
const FIELDS: ReadonlyArray<[string, readonly unknown[]]> = [
    ["eventName", ["ConsoleLogin", "UserAuthentication", "SwitchRole", "AssumeRole", ...CALLS]],
    ["eventType", ["AwsConsoleSignIn", "AwsApiCall", "AwsServiceEvent"]],
    [
        "eventSource",
        ["signin.amazonaws.com", "sso.amazonaws.com", "cloudtrail.amazonaws.com", "lambda.amazonaws.com", "events.amazonaws.com"],
    ],
    ["userIdentity.type", ["IAMUser", "Root", "AssumedRole", "Unknown"]],
    ["userIdentity.invokedBy", [undefined, "support.amazonaws.com"]],
    ["additionalEventData.MFAUsed", ["Yes", "No", undefined]],
    ["additionalEventData.CredentialType", ["PASSWORD", "PASSWORD,TOTP", "EXTERNAL_IDP", undefined]],
    ["responseElements", [{ ConsoleLogin: "Success" }, { ConsoleLogin: "Failure" }, null]],
    ["serviceEventDetails.UserAuthentication", ["Success", "Failure", undefined]],
    ["errorMessage", ["Failed authentication", undefined]],
];

/** Request parameters naming this stack's resources or another's, under every name the watch list reads. */
function requestParameters(random: () => number): Record_ {
    const params: Record_ = {};
    for (const entry of WATCH_LIST) {
        if (entry.names && random() < 0.3) {
            const name = random() < 0.6 ? pick(random, OWN_NAMES) : pick(random, OTHER_NAMES);
            const parameter = entry.names.parameter.replace("[*]", "");
            params[parameter] = entry.names.parameter.endsWith("[*]") ? [pick(random, OTHER_NAMES), name] : name;
        }
    }
    return params;
}

function drawRecord(random: () => number): Record_ {
    const record = structuredClone(pick(random, TEMPLATES));
    for (const [path, values] of FIELDS) {
        if (random() < 0.5) {
            put(record, path, pick(random, values));
        }
    }
    record["requestParameters"] = requestParameters(random);
    return record;
}

/** The stack's rules: the built-in catalog, or the CIS variant `useCisPatterns` deploys. */
const CATALOGS = {
    default: BUILT_IN_RULE_IDS.map((id) => BUILT_IN_RULES[id]),
    CIS: BUILT_IN_RULE_IDS.map((id) => ({ ...BUILT_IN_RULES[id], pattern: CIS_PATTERNS[id] ?? BUILT_IN_RULES[id].pattern })),
};

describe("the fast path forwards every record a rule's CloudWatch pattern matches (drawn records)", function () {
    const random = seededRandom(20261206);
    const records = Array.from({ length: SAMPLES }, () => drawRecord(random));

    for (const [catalog, rules] of Object.entries(CATALOGS)) {
        const regional = fastPathPatterns(rules).patterns.map(compileEventPattern);
        for (const { id, pattern } of rules) {
            it(`${id} (${catalog} catalog): every drawn record its filter matches is forwarded, by its own pattern and by the stack's regional rules`, function () {
                const filter = compileFilterPattern(pattern);
                const route = routeOf({ id, pattern });
                assert.ok("detail" in route, route.ruleId);
                const own = compileEventPattern({ detail: route.detail });
                const matched = records.filter((r) => filter(JSON.stringify(r)));
                // A property that held on a handful of records would prove little.
                assert.ok(matched.length >= 20, `only ${matched.length} of ${SAMPLES} drawn records match ${id}`);
                const missed = matched
                    .map((record, i) => eventBridgeEnvelope(record as never, i))
                    .filter((envelope) => !own(envelope) || !regional.some((forwards) => forwards(envelope)))
                    .map((envelope) => JSON.stringify(envelope.detail));
                assert.deepStrictEqual(missed.slice(0, 3), []);
            });
        }
    }
});
