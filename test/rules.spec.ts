import * as assert from "assert";
import { checkPattern } from "../program/ruleSettings";
import { readStackSettings } from "../program/settings";
import { BUILT_IN_RULE_IDS, BUILT_IN_RULES, CIS_PATTERNS, ORIGINAL_SIGNIN_PATTERN, type BuiltInRuleId } from "../program/rules";
import { cloudTrailFixtures } from "../tools/fixtures";
import { compileFilterPattern } from "../shared/filterPattern";

/**
 * Which built-in rules each CloudTrail fixture must trigger. Every fixture in test/fixtures needs a
 * row, even an empty one: a new fixture fails the suite until someone decides what it should trigger.
 */
const DEFAULT_CATALOG: Record<string, BuiltInRuleId[]> = {
    "iam-user-mfa": ["console-signin"],
    "mobile-console": ["console-signin"],
    "iam-user-no-mfa": ["signin-without-mfa"],
    // A root sign-in without MFA is both a sign-in without MFA and root activity.
    "root-no-mfa": ["signin-without-mfa", "root-activity"],
    "root-mfa": ["root-activity"],
    "root-api-call": ["root-activity"],
    // Done by a service on root's behalf, or a service's own event: not something a person did as root.
    "root-invoked-by-service": [],
    "root-service-event": [],
    "failure-wrong-password": ["signin-failures"],
    "failure-unknown-user": ["signin-failures"],
    // IAM Identity Center and SAML sign-ins log MFAUsed "No" even when the identity provider enforced MFA,
    // so signin-without-mfa must not flag them; console-signin's original pattern only looks at IAM users.
    "sso-assumed-role": [],
    "saml-federation": [],
    // Sign-in events that are not sign-ins.
    "switch-role": [],
    "exit-role": [],
    "check-mfa": [],
    "renew-role": [],
    "get-signin-token": [],
};

/** The same with `useCisPatterns: true`: the Security Hub / CIS filters replace three of the patterns. */
const CIS_CATALOG: Record<string, BuiltInRuleId[]> = {
    ...DEFAULT_CATALOG,
    // CloudWatch.3 looks at IAM users only; root-activity still reports it.
    "root-no-mfa": ["root-activity"],
    // CloudWatch.6 matches "Failed authentication" only, so an unknown user name goes unreported.
    "failure-unknown-user": [],
};

const SIGN_IN_EVENTS_THAT_ARE_NOT_SIGN_INS = ["CheckMfa", "ExitRole", "GetSigninToken", "RenewRole", "SwitchRole"];

type Catalog = Record<BuiltInRuleId, string>;

const DEFAULT_PATTERNS = Object.fromEntries(BUILT_IN_RULE_IDS.map((id) => [id, BUILT_IN_RULES[id].pattern])) as Catalog;
const CIS_VARIANT_PATTERNS = Object.fromEntries(
    BUILT_IN_RULE_IDS.map((id) => [id, CIS_PATTERNS[id] ?? BUILT_IN_RULES[id].pattern]),
) as Catalog;

const fixtures = new Map([...cloudTrailFixtures()].map(([name, f]) => [name, f.text]));

/** The rules of a catalog each fixture triggers, by running every pattern as CloudWatch Logs would. */
function triggered(catalog: Catalog): Record<string, BuiltInRuleId[]> {
    const compiled = BUILT_IN_RULE_IDS.map((id) => [id, compileFilterPattern(catalog[id])] as const);
    return Object.fromEntries(
        [...fixtures].map(([name, message]) => [name, compiled.filter(([, matches]) => matches(message)).map(([id]) => id)]),
    );
}

/** The fixtures a rule should match according to a table, in fixture order. */
function expectedFor(table: Record<string, BuiltInRuleId[]>, id: BuiltInRuleId): string[] {
    return [...fixtures.keys()].filter((name) => table[name]?.includes(id));
}

function matchedBy(pattern: string): string[] {
    const matches = compileFilterPattern(pattern);
    return [...fixtures].filter(([, message]) => matches(message)).map(([name]) => name);
}

/** A compact rule × fixture table: one column per rule, "x" where the pattern matches. */
function renderTable(title: string, actual: Record<string, BuiltInRuleId[]>): string {
    const width = Math.max(...[...fixtures.keys()].map((n) => n.length));
    const head = `${title.padEnd(width)} | ${BUILT_IN_RULE_IDS.join(" | ")}`;
    const rows = [...fixtures.keys()].map((name) =>
        `${name.padEnd(width)} | ${BUILT_IN_RULE_IDS.map((id) => (actual[name]?.includes(id) ? "x" : ".").padEnd(id.length)).join(" | ")}`.trimEnd(),
    );
    return [head, "-".repeat(head.length), ...rows].join("\n");
}

describe("rule catalog against the CloudTrail fixtures", function () {
    it("has an expectation for every CloudTrail fixture and none for a fixture that does not exist", function () {
        assert.ok(fixtures.size >= 17, `found only ${fixtures.size} fixtures`);
        assert.deepStrictEqual([...fixtures.keys()], Object.keys(DEFAULT_CATALOG).sort());
        assert.deepStrictEqual([...fixtures.keys()], Object.keys(CIS_CATALOG).sort());
    });

    it("uses the original design's pattern for console-signin, with no CIS replacement", function () {
        assert.strictEqual(BUILT_IN_RULES["console-signin"].pattern, ORIGINAL_SIGNIN_PATTERN);
        assert.strictEqual(CIS_PATTERNS["console-signin"], undefined);
    });

    describe("default patterns", function () {
        it("trigger exactly the rules of the expectation table, fixture by fixture", function () {
            const actual = triggered(DEFAULT_PATTERNS);
            console.log(`\n${renderTable("default patterns", actual)}\n`);
            assert.deepStrictEqual(actual, Object.fromEntries([...fixtures.keys()].map((n) => [n, DEFAULT_CATALOG[n]])));
        });

        for (const id of BUILT_IN_RULE_IDS) {
            const expected = expectedFor(DEFAULT_CATALOG, id);
            it(`${id} matches ${expected.join(", ") || "no fixture"} and nothing else`, function () {
                assert.deepStrictEqual(matchedBy(BUILT_IN_RULES[id].pattern), expected);
            });
        }
    });

    describe("CIS patterns (useCisPatterns: true)", function () {
        it("trigger exactly the rules of the expectation table, fixture by fixture", function () {
            const actual = triggered(CIS_VARIANT_PATTERNS);
            console.log(`\n${renderTable("CIS patterns", actual)}\n`);
            assert.deepStrictEqual(actual, Object.fromEntries([...fixtures.keys()].map((n) => [n, CIS_CATALOG[n]])));
        });

        for (const [id, pattern] of Object.entries(CIS_PATTERNS) as Array<[BuiltInRuleId, string]>) {
            const expected = expectedFor(CIS_CATALOG, id);
            it(`the CIS ${id} pattern matches ${expected.join(", ") || "no fixture"} and nothing else`, function () {
                assert.deepStrictEqual(matchedBy(pattern), expected);
            });
        }

        it("are the patterns a stack with useCisPatterns deploys", function () {
            const settings = readStackSettings({
                get: (k) => ({ slackWebhookUrl: "https://hooks.slack.com/services/T0000/B0000/XXXXXXXX", useCisPatterns: "true" })[k],
                isSecret: (k) => k === "slackWebhookUrl",
            });
            assert.deepStrictEqual(Object.fromEntries(settings.rules.map((r) => [r.id, r.pattern])), CIS_VARIANT_PATTERNS);
        });
    });

    it("never reports SwitchRole, ExitRole, CheckMfa, RenewRole or GetSigninToken, whichever catalog is deployed", function () {
        const notSignIns = [...fixtures].filter(([, message]) => {
            const record = JSON.parse(message) as { eventSource?: string; eventName?: string };
            return record.eventSource === "signin.amazonaws.com" && record.eventName !== "ConsoleLogin";
        });
        // Read from the records themselves, so a new fixture of another sign-in event joins this check.
        const names = notSignIns.map(([, message]) => (JSON.parse(message) as { eventName: string }).eventName).sort();
        assert.deepStrictEqual([...new Set(names)], SIGN_IN_EVENTS_THAT_ARE_NOT_SIGN_INS);
        const patterns = [...Object.values(DEFAULT_PATTERNS), ...Object.values(CIS_VARIANT_PATTERNS)];
        const reported = notSignIns.filter(([, message]) => patterns.some((p) => compileFilterPattern(p)(message))).map(([name]) => name);
        assert.deepStrictEqual(reported, []);
    });

    it("keeps every pattern a JSON filter pattern CloudWatch Logs accepts (braces, at most 1024 characters)", function () {
        for (const pattern of [...Object.values(DEFAULT_PATTERNS), ...Object.values(CIS_VARIANT_PATTERNS)]) {
            assert.strictEqual(checkPattern("pattern", pattern), pattern);
        }
    });
});
