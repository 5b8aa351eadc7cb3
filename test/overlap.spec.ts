/** One event, one message (handler/decide/overlap.ts): which rule posts an event several rules match. */
import * as assert from "assert";
import { claimants } from "../handler/decide/overlap";
import { parseCloudTrailRecord, toSignIn } from "../handler/decide/parse";
import type { SignIn } from "../handler/common/types";
import type { AllowEntry } from "../shared/allowList";
import { cloudTrailFixtures } from "../tools/fixtures";
import { builtInRunTimeRule, unitSettings } from "./support/fakePorts";

const RULES = (["console-signin", "signin-without-mfa", "root-activity", "signin-failures"] as const).map((id) => builtInRunTimeRule(id));

function signIn(fixture: string, matchedRules: string[]): SignIn {
    const parsed = parseCloudTrailRecord([...cloudTrailFixtures()].find(([name]) => name === fixture)![1].text);
    assert.ok(parsed.ok);
    return { ...toSignIn(parsed.value), matchedRules };
}

function order(allowList: AllowEntry[], s: SignIn, ruleId: string): string[] {
    return claimants(unitSettings({ rules: RULES, allowList }), s, ruleId).map((r) => r.id);
}

describe("which rule posts an event several rules match", function () {
    const rootNoMfa = signIn("root-no-mfa", ["signin-without-mfa", "root-activity"]);

    it("gives it to the most urgent rule, then names the others in order", function () {
        assert.deepStrictEqual(order([], rootNoMfa, "signin-without-mfa"), ["root-activity", "signin-without-mfa"]);
        assert.deepStrictEqual(order([], rootNoMfa, "root-activity"), ["root-activity", "signin-without-mfa"]);
    });

    it("takes the stack's order among rules of one severity", function () {
        const failedWithMfa = signIn("failure-wrong-password", ["console-signin", "signin-failures"]);
        const twoHigh = { ...failedWithMfa, matchedRules: ["signin-without-mfa", "signin-failures"] };
        assert.deepStrictEqual(order([], failedWithMfa, "console-signin"), ["signin-failures", "console-signin"]);
        assert.deepStrictEqual(order([], twoHigh, "signin-failures"), ["signin-without-mfa", "signin-failures"]);
    });

    it("leaves out a rule the allow-list suppresses it for, and ranks a downgraded one as informational", function () {
        const suppressRoot: AllowEntry = { rules: ["root-activity"], userNames: [], cidrs: ["203.0.113.0/24"], action: "suppress" };
        const downgradeRoot: AllowEntry = { ...suppressRoot, action: "downgrade" };
        const atNetwork = { ...rootNoMfa, sourceIp: "203.0.113.201" };
        assert.deepStrictEqual(order([suppressRoot], atNetwork, "signin-without-mfa"), ["signin-without-mfa"]);
        assert.deepStrictEqual(order([downgradeRoot], atNetwork, "signin-without-mfa"), ["signin-without-mfa", "root-activity"]);
    });

    it("leaves an event whose matches are unknown to the rule at hand", function () {
        const unknown: SignIn = { ...rootNoMfa };
        delete unknown.matchedRules;
        assert.deepStrictEqual(order([], unknown, "signin-without-mfa"), ["signin-without-mfa"]);
    });
});
